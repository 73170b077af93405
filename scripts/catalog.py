"""Sync the message catalogs with the code: scripts/catalog.sh runs this.

Babel extracts every message the code writes (``Message("...")``, ``w._``, ``w.n_``,
``w.p_`` in the modules of ``planc.core.locales.MESSAGE_SOURCES``, with its
``KEYWORDS``) and every field description of the schema (a hint, translated
whole), and each catalog in ``src/planc/locales/<tag>/LC_MESSAGES/planc.po``
is updated from them: a new message is added (in English its msgid is its
text; in another language it is left empty for a translator, and
tests/test_locales.py fails until it is written), a message the code no longer
writes is dropped, and the keyed labels the templates look up by name
(``t.key``: no spaces, so never a sentence) are kept as they are. This is
``pybabel extract`` + ``pybabel update`` with one difference: ``update`` would
drop the keyed labels, which no extractor sees.

``--check``: change nothing; exit 1 when a catalog is out of date or has an
empty translation (for CI and the tests).
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from planc.core.locales import CATALOGS, DOMAIN, KEYWORDS, MESSAGE_SOURCES
from planc.core.resources import schema_path
from planc.core.schema import schema_descriptions

SOURCE = Path(__file__).resolve().parent.parent / "src" / "planc"
SCHEMA = "schema/plan.schema.json"  # where a description is written (its location in the catalog)
KEY = re.compile(r"[a-z0-9_.]+\Z")  # a keyed label (``t.to_go``), not a message


def extracted() -> Catalog:
    """Every message the code writes, as Babel extracts it, with where it is written."""
    template = Catalog(domain=DOMAIN)
    for module in MESSAGE_SOURCES:
        path = SOURCE / module
        for line, message, _comments, context in extract_from_file(
            "python", path, keywords=KEYWORDS
        ):
            flags = ("python-brace-format",) if "{" in str(message) else ()
            template.add(message, locations=[(module, line)], context=context, flags=flags)
    # the schema's field descriptions: hints translated whole (no fields, so no format flag)
    lines = schema_path().read_text(encoding="utf-8").splitlines()
    for description in schema_descriptions():
        quoted = json.dumps(description, ensure_ascii=False)
        line = next((n for n, text in enumerate(lines, 1) if quoted in text), 0)
        template.add(description, locations=[(SCHEMA, line)])
    return template


def _header(text: str) -> str:
    """The file's comments and metadata, as written (Babel would rewrite them)."""
    end = text.find("\n\n", text.find('msgid ""'))
    return text[: end + 2] if end >= 0 else text


def updated(path: Path, tag: str, template: Catalog) -> tuple[str, list[str], list[str]]:
    """The catalog's new text, the messages added and the messages dropped."""
    text = path.read_text(encoding="utf-8")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=tag, domain=DOMAIN)
    wanted = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in template if m.id}
    dropped = []
    for message in list(catalog):
        if not message.id:
            continue
        key = (message.id if isinstance(message.id, str) else message.id[0], message.context)
        if key not in wanted and not (message.context is None and KEY.match(key[0])):
            dropped.append(key[0])
            catalog.delete(message.id, context=message.context)
    added = []
    for message in template:
        if not message.id or catalog.get(message.id, context=message.context) is not None:
            continue
        added.append(message.id if isinstance(message.id, str) else message.id[0])
        if tag == "en":
            string: str | tuple[str, ...] = message.id
        elif isinstance(message.id, tuple):
            string = ("",) * catalog.num_plurals
        else:
            string = ""
        catalog.add(message.id, string, context=message.context, flags=message.flags)
    # a description is no format string, though Babel takes "110 % of" for one (``% o``):
    # msgfmt -c would then ask the translation for the same "directives"
    whole = {m.id for m in template if any(where == SCHEMA for where, _line in m.locations)}
    for message in catalog:
        if message.id in whole:
            message.flags.discard("python-format")
    out = io.BytesIO()
    write_po(out, catalog, width=0, omit_header=True, sort_output=True, ignore_obsolete=True)
    return _header(text) + out.getvalue().decode("utf-8").lstrip("\n"), added, dropped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    options = parser.parse_args()
    template = extracted()
    stale = False
    for path in sorted(CATALOGS.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        tag = path.parent.parent.name
        text, added, dropped = updated(path, tag, template)
        empty = [] if tag == "en" else _untranslated(text, tag)
        name = path.relative_to(SOURCE.parent.parent)
        for message in added:
            print(f"{name}: added {message!r}")
        for message in dropped:
            print(f"{name}: dropped {message!r}")
        for message in empty:
            print(f"{name}: to translate {message!r}")
        changed = text != path.read_text(encoding="utf-8")
        stale |= changed or bool(empty)
        if changed and not options.check:
            path.write_text(text, encoding="utf-8")
    return 1 if options.check and stale else 0


def _untranslated(text: str, tag: str) -> list[str]:
    catalog = read_po(io.BytesIO(text.encode("utf-8")), locale=tag, domain=DOMAIN)
    out = []
    for message in catalog:
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and not all(form and form.strip() for form in forms):
            out.append(message.id if isinstance(message.id, str) else message.id[0])
    return out


if __name__ == "__main__":
    sys.exit(main())
