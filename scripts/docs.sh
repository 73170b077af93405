#!/usr/bin/env bash
# Regenerate the reference pages that come from the code: docs/cli.md (the click
# commands) and docs/codes.md (the rule registry). tests/test_docs.py fails when they drift.
# Also the compiled catalogs (src/planc/locales/*/LC_MESSAGES/planc.json, read instead of
# the .po they were made from): tests/test_locales.py fails when one is stale.
# And the page templates compiled to Python (src/planc/site/_templates/, used instead of
# compiling templates/ at run time): tests/test_templating.py fails when they are stale.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
python - <<'PY'
from pathlib import Path

from planc.cli.reference import generated_pages

for path, text in generated_pages(Path("docs")).items():
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")

from planc.core.locales import available_locales, compile_catalog, compiled_path, is_fresh

for tag in available_locales():
    if not is_fresh(tag):  # made from other .po bytes (its header holds the time it was made)
        compiled_path(tag).write_text(compile_catalog(tag), encoding="utf-8")
        print(f"wrote {compiled_path(tag)}")

from planc.core.resources import data_dir
from planc.site.templating import generated

compiled = Path("src/planc/site/_templates")
made = generated(data_dir("templates"))
compiled.mkdir(exist_ok=True)
for old in compiled.glob("*.py"):
    if old.name not in made:
        old.unlink()
        print(f"removed {old}")
for name, text in made.items():
    path = compiled / name
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
PY
