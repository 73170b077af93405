"""A fast path for plain plan files: yaml_rs builds the values, planc vouches for them.

libyaml's composer plus planc's constructor cost about six times what yaml_rs
(Rust, MIT/Unlicense, wheels for Linux, macOS and Windows) takes to turn the
same bytes into Python objects. yaml_rs reads YAML 1.2 and keeps no scalar
style, tags or positions, so it is used only where that cannot matter:

1. a byte pre-scan refuses any file holding something whose meaning differs
   between the two readers or that planc must diagnose (tags, anchors and
   aliases, escapes, block scalars, directives, document markers, merge keys,
   tabs, carriage returns, control characters, byte-order marks, line breaks
   YAML 1.1 knows and 1.2 does not, leading zeros, radix and exponent numbers,
   digit separators, ``.inf``/``.nan``, a decimal whose text a float cannot
   give back: a trailing zero, a bare point, 16 or more digits);
2. yaml_rs checks the bytes are UTF-8 and parses; any error (encoding, syntax,
   duplicate key, nesting) refuses;
3. one walk turns floats into exact ``Decimal``s (the pre-scan guarantees the
   shortest float repr is the written text), interns keys and short strings
   as the constructor does, and refuses on a non-text key, a string YAML 1.1
   would read as a boolean or number, a number out of planc's bounds or
   nesting past ``MAX_DEPTH``.

A refused file goes through the libyaml path, which gives every diagnostic
with its position; so a file loaded here has none of them, by construction.
``tests/test_fastload.py`` checks both paths give identical values.
Set ``PLANC_FAST_YAML=0`` to switch the fast path off.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from sys import intern
from typing import Any

from planc.core.numbers import out_of_bounds

_loads: Callable[..., Any] | None
try:
    # ``load`` of the bytes: Rust checks and reads them as they are, where ``loads`` took a
    # str decoded first (a CJK region file is ~9.5 MB of UCS-2 and then a UTF-8 copy for
    # Rust: ~4,600 fresh pages, 10-20 ms of a forked worker's page faults and decoding)
    from yaml_rs import load as _loads
except ImportError:  # pragma: no cover - the optional extra `fast` is not installed
    _loads = None

# The exact rules, as regular expressions; `refuses` runs them only where a cheap test of the
# whole file (bytes.translate, `in`: memory speed, where `re` scans at ~60 MB/s) finds a hint.
# Refused anywhere: escapes (in double quotes; quotes themselves both read alike), tabs, CR,
# control characters, and the lead bytes of the non-ASCII refused below.
_REFUSED_ASCII = b"\\\t\r" + bytes(range(0x09)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20)) + b"\x7f"
_KEEP = frozenset(_REFUSED_ASCII + b"\xc2\xe2\xef")
_DELETE_SAFE = bytes(byte for byte in range(256) if byte not in _KEEP)
_REFUSED_NON_ASCII = {  # lead byte: what libyaml reads differently or refuses
    0xE2: (b"\xe2\x80\xa8", b"\xe2\x80\xa9"),  # LINE and PARAGRAPH SEPARATOR: breaks in YAML 1.1
    0xEF: (b"\xef\xbb\xbf", b"\xef\xbf\xbe", b"\xef\xbf\xbf"),  # BOM, U+FFFE, U+FFFF
}
_C1 = re.compile(rb"\xc2[\x80-\x9f]").search  # C1 controls, NEL (a line break in YAML 1.1)
# A plain scalar, and so a number, starts a line or follows a space, `[`, `{` or `,` (tabs are
# refused above); `hugo.ortiz.00010@example.com` holds no number token.
_TOKEN = rb"[\n \[{,][-+]?"
# 1_000 and even _0: ints for yaml_rs, text for libyaml; any `_` beside a digit or point in
# the run of digits, points and underscores that starts a token
_SEPARATOR = re.compile(_TOKEN + rb"[0-9._]*(?:[0-9.]_|_[0-9.])").search
_EXPONENT = re.compile(_TOKEN + rb"[0-9.]+[eE]").search  # 1e6: text in YAML 1.1, float in 1.2
_LONG = b"9" * 16  # 16 digits and more: past a float's exact digits and planc's bound
# `1.50` and `5.`: a float forgets the text (candidates; `_numeric_token` says which start a
# number). A point with no digit on either side (prose: `the number.`) is no candidate.
_POINT = re.compile(rb"\.(?:[0-9]*0(?![0-9])|(?<=[0-9]\.)(?![0-9]))").finditer
# Document markers (several documents, an explicit end) and directives: one pass, as `re`
# finds a literal first byte (the line break) at memory speed.
_LINE_STARTS = re.compile(rb"\n(?:---|\.\.\.|%)").search
# One byte per class: 0, and 1-9 with the radix letters x/o/b (as 9), signs (as -), what a
# plain scalar follows (as space), the indicators that change a scalar when they start it
# (tags, anchors, aliases, complex keys, block scalars, merge keys `<<`, and `:`, which starts
# a plain scalar in a flow collection for yaml_rs but not for libyaml: as !; `@` and `` ` ``
# are reserved there, and both parsers refuse them, so an e-mail address needs no test);
# anything else as `~`. (`.inf` and `.nan` need no test: yaml_rs reads them as floats that
# are not finite, which the walk refuses.)
_CLASSES = bytearray(b"~" * 256)
for _bytes, _class in (
    (b"123456789xXoObB", b"9"), (b"0", b"0"), (b"+-", b"-"), (b"\n [{,", b" "),
    (b"!&*?|<>:", b"!"),
):  # fmt: skip
    for _byte in _bytes:
        _CLASSES[_byte] = _class[0]
_CLASS = bytes(_CLASSES)
# leading zeros (octal in YAML 1.1) and radix (0x, 0o, 0b): ` 0[09]` or ` -0[09]` in the
# classes. `re` scans for the literal first byte `0` in C and looks behind only at the pairs
# `00` and `09` (a number's inner zeros); two finds of ` 0` and ` -0` (the space class is a
# third of a file) took ~12 ms of a 4.7 MB file, this ~5 ms.
_LEADING_ZERO = re.compile(rb"0[09](?:(?<= 0[09])|(?<= -0[09]))").search
# Digits and points as 9, e/E as e, `_` as itself, anything else as space: 16 digits in a
# row, and the pairs an exponent (`9e`) or a digit separator (`9_`, `_9`) ends with; the
# exact rules then run only on the lines that hold such a pair (`_near`).
_NUMBER_CHARS = bytearray(b" " * 256)
for _byte in b"0123456789.":
    _NUMBER_CHARS[_byte] = 0x39
for _byte in b"eE":
    _NUMBER_CHARS[_byte] = 0x65
_NUMBER_CHARS[0x5F] = 0x5F
_NUMBER_CLASS = bytes(_NUMBER_CHARS)
# The pairs as `re` finds them fastest: a pattern that starts with one literal byte is
# scanned for that byte in C (`re`'s literal prefix), where `bytes.find` of two bytes steps
# through every byte (~1 GB/s); a match is the pair's rare byte (`_`), or the pair itself
# where `re` takes it as a two-byte literal prefix (`9e`: ~2 ms a 4.7 MB file, where
# `e(?<=9e)` stopped at every letter e of the text, ~6 ms).
_SEPARATOR_BYTES = re.compile(rb"_(?:(?<=9_)|(?=9))").finditer  # the `_` of `9_` or `_9`
_EXPONENT_BYTES = re.compile(rb"9e").finditer  # the pair `9e`
# `[a:, b:]`, `{a:}`: a key with no value before a flow indicator is a mapping in YAML 1.2
# (yaml_rs) and an error in libyaml (found by hypothesis in tests/test_fastload.py); one
# scan for `:` (three `in` tests of two bytes took four times as long)
_EMPTY_FLOW_VALUE = re.compile(rb":[,\]}]").search
# `!` (an indicator's class) after a space's class, scanned for the `!`: ` !` in the classes
_INDICATOR_STARTS = re.compile(rb"!(?<= !)").search
_MANY = 2000  # more pairs than this: one pass of the rule over the whole file is cheaper
# What YAML 1.1 reads as a boolean (planc diagnoses it); yaml_rs keeps it as text.
_YAML11_BOOLS = frozenset(
    word
    for base in ("yes", "y", "on", "no", "n", "off")
    for word in (base, base.capitalize(), base.upper())
)
_SPECIAL = frozenset(("", "~", "null", "Null", "NULL", "true", "True", "TRUE"))
_SPECIAL |= frozenset(("false", "False", "FALSE"))
_NUMERIC_START = frozenset("0123456789+-.")


class _Refused(Exception):
    pass


def enabled() -> bool:
    """Whether the fast path can run: yaml_rs installed and not switched off."""
    return _loads is not None and os.environ.get("PLANC_FAST_YAML", "1") != "0"


def refuses(data: bytes) -> bool:
    """True when the bytes hold anything the fast path cannot vouch for (conservative)."""
    odd = data.translate(None, _DELETE_SAFE)
    if odd:
        if odd.translate(None, b"\xc2\xe2\xef"):
            return True
        if 0xC2 in odd and _C1(data):
            return True
        for lead, needles in _REFUSED_NON_ASCII.items():
            if lead in odd and any(needle in data for needle in needles):
                return True
    data = _without_comments(data)
    if _LINE_STARTS(data):
        return True
    if _EMPTY_FLOW_VALUE(data):
        return True
    classes = data.translate(_CLASS)
    if _INDICATOR_STARTS(classes):  # `!tag`, `&anchor`, `*alias`, `? key`, `|`, ...
        return True
    if _leading_zero(classes):
        return True
    del classes  # its 4.7 MB (a region file's) taken again for the next: no fresh pages
    numbers = data.translate(_NUMBER_CLASS)
    if _LONG in numbers:
        return True
    if _near(_SEPARATOR, data, numbers, _separator_pairs):
        return True
    if _near(_EXPONENT, data, numbers, _exponent_pairs):
        return True
    return any(_numeric_token(data, match.start()) for match in _POINT(data))


def _without_comments(data: bytes) -> bytes:
    """The text after a line break (the first line starts after one, like every other) with
    its comments cut, for the token rules (prose like `50,000` or `2017.` in a comment
    changes no value; the byte rules have already seen every byte).

    A comment is a `#` after a space or a line break (YAML: it always starts one outside
    quotes, in plain scalars too), to the end of its line, cut only when that rest of the
    line holds no quote: a `#` inside a quoted scalar is no comment, and with no quote after
    it the rest of its line is inside the quotes too (no plain scalar to hide). Line breaks
    are kept, so every line starts where it did. One copy of the file is made, the pieces
    joined are views of it (the line break put first, the pieces sliced and joined were
    three copies: ~10 ms of a 4.7 MB file, most of it page faults, here ~0.2 ms)."""
    at = data.find(b"#")
    if at < 0:
        return b"\n" + data
    text = memoryview(data)
    parts: list[bytes | memoryview] = [b"\n"]
    last = 0
    while at >= 0:
        end = data.find(b"\n", at)
        end = len(data) if end < 0 else end
        starts = at == 0 or data[at - 1] in b" \n"
        if starts and data.find(b"'", at, end) < 0 and data.find(b'"', at, end) < 0:
            parts.append(text[last:at])
            last = end
            at = data.find(b"#", end)
        else:
            at = data.find(b"#", at + 1)
    parts.append(text[last:])
    return b"".join(parts)


def _leading_zero(classes: bytes) -> bool:
    """` 0` or ` -0` followed by a digit or radix letter (class `0` or `9`)."""
    return _LEADING_ZERO(classes) is not None


def _separator_pairs(numbers: bytes) -> Iterator[tuple[int, int]]:
    """Where each `9_` or `_9` is in the number classes (start, end); a `_` between two
    digits is both, given once as the span of the two (`9_9`)."""
    for found in _SEPARATOR_BYTES(numbers):
        at = found.start()
        start = at - 1 if numbers[at - 1 : at] == b"9" else at
        yield start, (at + 2 if numbers[at + 1 : at + 2] == b"9" else at + 1)


def _exponent_pairs(numbers: bytes) -> Iterator[tuple[int, int]]:
    """Where each `9e` is in the number classes (start, end)."""
    for found in _EXPONENT_BYTES(numbers):
        yield found.span()


def _near(
    search: Callable[[bytes, int, int], object],
    data: bytes,
    numbers: bytes,
    pairs: Callable[[bytes], Iterator[tuple[int, int]]],
) -> bool:
    """Whether ``search`` (a rule whose match ends with one of the ``pairs`` of number classes
    and holds no line break but at its first byte) matches ``data``, run only from the line
    start before each pair to the pair's end (`re` scans a whole file at ~60 MB/s when its
    pattern starts with a class; a plain file has few or none of these pairs)."""
    for seen, (start, end) in enumerate(pairs(numbers), 1):
        if seen > _MANY:
            return search(data, 0, len(data)) is not None
        if search(data, data.rfind(b"\n", 0, start), end) is not None:
            return True
    return False


def _numeric_token(data: bytes, point: int) -> bool:
    """Whether the `.` at ``point`` (a `_POINT` match) is inside a number token: digits or
    none before it (`.50`, but `5.` needs one), a sign, and what a plain scalar follows."""
    start = point
    while 0x30 <= data[start - 1] <= 0x39:
        start -= 1
    if start == point and not data[point + 1 : point + 2].isdigit():
        return False
    if data[start - 1] in b"+-":
        start -= 1
    return data[start - 1] in b"\n [{,"


def fast_values(
    data: bytes, max_depth: int, reads_as_number: Callable[[str], bool]
) -> dict[str, Any] | None:
    """The document's values exactly as the libyaml path builds them, or ``None`` to say
    "use the libyaml path" (the file may need a diagnostic or read differently there).

    ``reads_as_number(text)``: whether the libyaml path reads a plain scalar starting like a
    number as anything but plain text (a number, or a trap it diagnoses)."""
    if _loads is None or refuses(data):
        return None
    try:
        # "strict": bytes that are not UTF-8 raise (the default reads them as U+FFFD)
        loaded = _loads(data, parse_datetime=False, encoder_errors="strict")
    except Exception:  # noqa: BLE001 - any complaint at all: the libyaml path explains it
        return None
    if type(loaded) is not dict:
        return None
    try:
        values: dict[str, Any] = _vouch(loaded, max_depth, reads_as_number)
    except (_Refused, RecursionError):
        return None
    return values


def _vouch(root: dict[str, Any], max_depth: int, reads_as_number: Callable[[str], bool]) -> Any:
    """Rebuild the tree as the libyaml path would: keys and short strings interned, floats
    as exact Decimals; raise `_Refused` at the first value that path would read otherwise.
    Scalars are handled inline in the two container loops: this is the hot path."""
    # A plain scalar that starts like a number and stayed text is a trap the libyaml path
    # diagnoses (dates are the common exception); a quoted one is refused too (conservative:
    # the style is gone), as is anything YAML 1.1 reads as a boolean.
    numeric_start, refused = _NUMERIC_START, _YAML11_BOOLS | _SPECIAL
    str_, dict_, list_, float_ = str, dict, list, float
    # A region file repeats its strings (76,000 values, 15,000 distinct; 168,000 keys, 58
    # distinct): each distinct one is vetted and interned once, then looked up.
    vetted: dict[str, str] = {}
    names: dict[str, str] = {}

    def text(value: str) -> str:
        if value in refused or (value[:1] in numeric_start and reads_as_number(value)):
            raise _Refused
        return intern(value) if len(value) <= 32 else value

    def number(value: float) -> Decimal:
        exact = Decimal(repr(value))
        if not exact.is_finite() or out_of_bounds(exact) is not None:
            raise _Refused
        return exact

    def mapping(node: dict[Any, Any], depth: int) -> dict[str, Any]:
        if depth > max_depth:
            raise _Refused
        built: dict[str, Any] = {}
        for key, loaded in node.items():
            name = names.get(key)  # only text keys are ever stored
            if name is None:
                if key.__class__ is not str_:
                    raise _Refused
                name = names[key] = intern(key)
            kind = loaded.__class__
            if kind is str_:
                known = vetted.get(loaded)
                built[name] = (
                    known if known is not None else vetted.setdefault(loaded, text(loaded))
                )
            elif kind is dict_:
                built[name] = mapping(loaded, depth + 1)
            elif kind is list_:
                built[name] = sequence(loaded, depth + 1)
            elif kind is float_:
                built[name] = number(loaded)
            else:  # int, bool, None: as they are
                built[name] = loaded
        return built

    def sequence(node: list[Any], depth: int) -> list[Any]:
        if depth > max_depth:
            raise _Refused
        for index, value in enumerate(node):  # in place: the list is ours
            kind = value.__class__
            if kind is str_:
                known = vetted.get(value)
                node[index] = known if known is not None else vetted.setdefault(value, text(value))
            elif kind is dict_:
                node[index] = mapping(value, depth + 1)
            elif kind is list_:
                node[index] = sequence(value, depth + 1)
            elif kind is float_:
                node[index] = number(value)
        return node

    return mapping(root, 0)
