#!/usr/bin/env bash
# Regenerate the reference pages that come from the code: docs/cli.md (the click
# commands) and docs/codes.md (the rule registry). tests/test_docs.py fails when they drift.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
python - <<'PY'
from pathlib import Path

from planc.cli.reference import generated_pages

for path, text in generated_pages(Path("docs")).items():
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
PY
