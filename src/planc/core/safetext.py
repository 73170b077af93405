"""User text made safe where planc shows it: terminals and spreadsheets.

Names, owners and notes come from plan files and CRM exports that anyone may
have edited. In text output a control character or an escape sequence would be
obeyed by the terminal (recolour, move the cursor, rewrite a line, set the
window title), so each is shown as an escape instead (``\\x1b``); so are the
invisible bidirectional overrides that make text read differently from its
bytes. In a CSV cell, text that starts like a formula (``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is kept as text with a leading apostrophe.

A value a message quotes from a user's file (a cell, an owner, an amount as
written) goes through :func:`shown` (or :func:`quoted`, its ``'...'`` form): shortened
to its start and end with its length said, and escaped, in the message itself, so the
JSON, SARIF and GitHub outputs are as bounded and as safe as the text one. A message
is prose for a person; the exact data is at the place the diagnostic points to.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import TextIO

#: Unicode's bidirectional formatting characters (UAX #9, table 1), every one of them: the
#: Arabic letter mark (U+061C), the left-to-right and right-to-left marks (U+200E, U+200F),
#: the embeddings, overrides and their pop (U+202A-U+202E) and the isolates and their pop
#: (U+2066-U+2069). Invisible, they make text read differently from its bytes; the one
#: definition for the text, CSV, markdown (:mod:`planc.core.markdown`) and HTML
#: (:mod:`planc.site.templating`) outputs.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

#: The C0 controls but TAB, LF and CR, then DEL and the C1 controls: what neither the
#: markdown (:mod:`planc.core.markdown`) nor the HTML (:mod:`planc.site.templating`) shows.
CONTROLS = "".join(map(chr, (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))))

#: ``str.translate``'s table that leaves out every control and bidi control: one pass over the
#: HTML site's text, where a browser would obey one and has no escape to show it as (as
#: markdown, they go). Every one of them is unprintable, so printable text needs no pass.
WITHOUT_CONTROLS = dict.fromkeys(map(ord, CONTROLS + BIDI_CONTROLS))


# C0 and C1 controls (DEL too), the bidi controls, and the line and paragraph separators.
_OTHERS = f"\x7f-\x9f{BIDI_CONTROLS}\u2028\u2029"
_UNSAFE_IN_LINE = re.compile(f"[\x00-\x1f{_OTHERS}]")
_UNSAFE_IN_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f{_OTHERS}]")  # a report's \t and \n stay
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """One line of user text for a terminal: every control character shown, not obeyed
    (a newline too: user data never starts a line of its own)."""
    return _UNSAFE_IN_LINE.sub(_escape, text) if _UNSAFE_IN_LINE.search(text) else text


def printable_report(text: str) -> str:
    """A whole text report: the same, but the report's own line breaks and tabs stay."""
    return _UNSAFE_IN_TEXT.sub(_escape, text) if _UNSAFE_IN_TEXT.search(text) else text


#: How much of a value from a user's file a message quotes before it is shortened: an
#: owner's e-mail address or a product's name fits; a 5,000-digit cell does not.
QUOTE_LIMIT = 64

#: How much of a name a message asks the user to type back into a plan file (an owner, a
#: product or a stage of an export to map, a column to name in ``actuals.columns``): a
#: CRM's product name may be 255 characters, and one cut in the middle cannot be typed.
NAME_LIMIT = 256


def _clipped(text: str, limit: int) -> tuple[str, str | None, int]:
    """The start and the end of ``text`` when it is longer than ``limit`` (``None`` for
    the end when it is shown whole), and its length."""
    if len(text) <= limit:
        return text, None, len(text)
    half = max(limit // 2 - 1, 1)
    return text[:half], text[-half:], len(text)


def shown(text: str, limit: int = QUOTE_LIMIT, quote: str = "") -> str:
    """A value from a user's file as a message quotes it: whole when short, otherwise its
    start and end and how long it was (``9999…9999 (5,000 characters)``); control
    characters and bidi overrides shown escaped, as :func:`printable` shows them (a value
    is cut on characters as written, before any is escaped). ``quote`` goes around the
    value, the length after it: ``"ab…yz" (5,000 characters)``."""
    head, tail, length = _clipped(text, limit)
    if tail is None:
        return f"{quote}{printable(text)}{quote}"
    return f"{quote}{printable(head)}…{printable(tail)}{quote} ({length:,} characters)"


def quoted(text: str, limit: int = QUOTE_LIMIT) -> str:
    """:func:`shown` in quotes, as ``repr`` writes a string (``'600k'``, ``"O'Brien"``,
    ``'a\\nb'``: Python's escapes, which include :func:`printable`'s); the length after
    the closing quote when it was shortened."""
    head, tail, length = _clipped(text, limit)
    if tail is None:
        return repr(text)
    return f"{head + '…' + tail!r} ({length:,} characters)"


#: How much of a command-line argument a message echoes: a revision, a code, a node id or a
#: quarter id as typed fits; a 5,000-character one pasted by mistake (or made by a script)
#: would fill the terminal and the CI log with itself.
ARGUMENT_LIMIT = 80


def argument(text: str, *, quotes: bool = True) -> str:
    """A command-line argument as a usage error echoes it: the one way every command quotes
    what was typed (``'PLC999'``), shortened past :data:`ARGUMENT_LIMIT` characters to its
    start and end with its length, control characters escaped (:func:`quoted`;
    :func:`shown` with ``quotes=False``, for an argument that is a name in its sentence:
    ``does not exist at revision main``)."""
    return quoted(text, ARGUMENT_LIMIT) if quotes else shown(text, ARGUMENT_LIMIT)


def spreadsheet_text(cell: str) -> str:
    """A CSV cell that a spreadsheet shows as the text it is, never runs as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


class CsvRows:
    """Rows of a CSV for spreadsheets, one ``\\n`` per row.

    The csv module quotes a field holding a line break only when that break is
    in its line terminator: with ``\\n`` a bare carriage return inside a name
    would go out unquoted and split the row in two. A row with one is written
    with every field quoted.
    """

    def __init__(self, out: TextIO) -> None:
        self._minimal = csv.writer(out, lineterminator="\n")
        self._quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def writerow(self, row: Iterable[object]) -> None:
        cells = list(row)
        carriage_return = any(isinstance(c, str) and "\r" in c for c in cells)
        (self._quoted if carriage_return else self._minimal).writerow(cells)
