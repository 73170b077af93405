#!/usr/bin/env bash
# The whole test suite: lint, format check, type check, tests. Installs what it needs first.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

echo "== ruff (lint)"; ruff check src tests bench
echo "== ruff (format)"; ruff format --check src tests bench
echo "== mypy (src, strict)"; mypy src
echo "== pytest"; pytest "$@"
