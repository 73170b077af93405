#!/usr/bin/env bash
# Sync the message catalogs with the code, in one command: Babel extracts every message the
# code writes (Message("..."), w._, w.n_, w.p_) and each catalog under src/planc/locales/ gets
# the new ones (English filled in, other languages left empty for a translator) and loses the
# ones no longer written; keyed labels (t.key in the templates) stay. Then each catalog is
# checked with gettext's msgfmt -c when it is installed (Babel's own checks otherwise).
# Adding a locale is adding a catalog: copy src/planc/locales/en to the new tag, run this,
# translate every msgstr, add the tag to the schema's locale enum.
# --check: change nothing, exit 1 when a catalog is out of date or a translation is missing.
# Last, each catalog's compiled form (planc.json beside it: what planc reads) is written
# again where its .po changed (also done by scripts/docs.sh).
set -euo pipefail
PLANC_EXTRAS="${PLANC_EXTRAS-site}"
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

python scripts/catalog.py "$@"
for po in src/planc/locales/*/LC_MESSAGES/planc.po; do
  if command -v msgfmt >/dev/null; then
    msgfmt -c -o /dev/null "$po"
  else
    python -c 'import sys
from babel.messages.pofile import read_po
from babel.messages.checkers import checkers
with open(sys.argv[1], "rb") as f:
    catalog = read_po(f)
bad = [(m.id, e) for m in catalog for e in m.check(catalog)]
for message, error in bad:
    print(f"{sys.argv[1]}: {message!r}: {error}", file=sys.stderr)
sys.exit(1 if bad else 0)' "$po"
  fi
done
case " $* " in
  *" --check "*) python -c 'import sys
from planc.core.locales import available_locales, compiled_path, is_fresh
stale = [str(compiled_path(tag)) for tag in available_locales() if not is_fresh(tag)]
for path in stale:
    print(f"{path}: stale (made from another .po); run scripts/catalog.sh", file=sys.stderr)
sys.exit(1 if stale else 0)' ;;
  *) python -c 'from planc.core.locales import available_locales, compile_catalog, compiled_path, is_fresh
for tag in available_locales():
    if not is_fresh(tag):
        compiled_path(tag).write_text(compile_catalog(tag), encoding="utf-8")
        print(f"wrote {compiled_path(tag)}")' ;;
esac
