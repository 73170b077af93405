#!/usr/bin/env bash
# Package the VS Code extension as a .vsix: bash editors/vscode/package.sh [OUT_DIR]
# Needs Node 20+ and npm; installs the pinned dependencies (package-lock.json) with npm ci.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$(mkdir -p "${1:-$here}" && cd "${1:-$here}" && pwd)"
cd "$here"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
# vsce bundles node_modules' production dependencies (vscode-languageclient) itself.
npx --no-install vsce package --allow-missing-repository --skip-license \
  --out "$out/planc-$(node -p 'require("./package.json").version').vsix"
