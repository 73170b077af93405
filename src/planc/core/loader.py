"""YAML → plain data, with YAML hygiene diagnostics.

libyaml's C composer builds the node tree; a small constructor of our own
(much faster than PyYAML's, see ``bench/``) turns nodes into dicts, lists,
strings, ints and exact ``Decimal``s. It never executes a tag, keeps dates as
strings for the schema, and remembers where YAML 1.1 would read a value
differently from what the author meant (``no``, ``1e6``, ``010``,
``1,000,000``), so the schema stage can explain its errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from sys import intern
from typing import TYPE_CHECKING, Any

from planc.core import fastload
from planc.core.diagnostics import Diagnostic, Foreign, Message, Rule, Severity, rule
from planc.core.numbers import (
    BOUND_TEXT,
    MAX_DECIMALS,
    MAX_INTEGER_DIGITS,
    out_of_bounds,
    show_long,
)
from planc.core.safetext import shown
from planc.core.source import SourceFile, SourceSpan

if TYPE_CHECKING:
    import yaml
    from yaml.nodes import Node

# PyYAML (libyaml's composer) is imported by the path that needs it, never at start-up: a
# plain file on the fast path (yaml_rs) is loaded without it.

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
MODELINE_PREFIX = b"# yaml-language-server: $schema="

SYNTAX = rule(
    "PLC001",
    "yaml-syntax",
    Severity.ERROR,
    """
    The file is not valid YAML.

    The message says what the parser expected at the position shown.

    Fails::

        region:
          name: "East
          owner: wang-lei

    Passes::

        region:
          name: "East"
          owner: wang-lei
    """,
)
DUPLICATE_KEY = rule(
    "PLC002",
    "duplicate-key",
    Severity.ERROR,
    """
    A key appears twice in the same mapping.

    YAML tools silently keep the last one, so half of what you wrote is lost.

    Fails::

        targets:
          revenue: {value: 500000}
          revenue: {value: 550000}

    Passes::

        targets:
          revenue: {value: 550000}
    """,
)
UNSAFE_TAG = rule(
    "PLC003",
    "unsafe-tag",
    Severity.ERROR,
    """
    A YAML tag other than the standard ones (!!str, !!int, !!float, !!bool, !!null).

    Tags such as ``!!python/object`` can make some YAML loaders run code. planc
    never executes a tag; it refuses the value.

    Fails::

        owner: !!python/object/apply:os.system ["rm -rf /"]

    Passes::

        owner: wang-lei
    """,
)
ALIAS_BOMB = rule(
    "PLC004",
    "alias-expansion",
    Severity.ERROR,
    """
    Anchors and aliases expand to far more data than the file holds.

    A "billion laughs" file nests aliases so that a few hundred bytes expand to
    gigabytes. planc stops expanding past a bound proportional to the file's size.

    Fails::

        a: &a [x, x, x, x, x, x, x, x, x]
        b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
        c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
        # ... and so on

    Passes::

        defaults: &ramp [0, 50, 75, 100]
        ramp: *ramp
    """,
)
BOOLEAN_TRAP = rule(
    "PLC005",
    "yaml11-boolean",
    Severity.ERROR,
    """
    A bare yes/no/on/off/y/n, which YAML 1.1 reads as true or false.

    Where text or a number is expected, ``no`` becomes ``false`` (the "Norway
    problem"). Quote it when you mean the text.

    Fails::

        region:
          id: no

    Passes::

        region:
          id: "no"
    """,
)
NUMBER_TRAP = rule(
    "PLC006",
    "ambiguous-number",
    Severity.ERROR,
    """
    A number written in a way YAML reads differently from what you meant.

    ``1e6`` is text in YAML 1.1, ``010`` is octal 8, ``1,000,000`` and
    ``1_000_000`` are text or differ between tools, ``1:30`` is 90. Write plain
    digits with an optional decimal point.

    Fails::

        revenue: {value: 1,200,000}

    Passes::

        revenue: {value: 1200000}
    """,
)
TAB_INDENT = rule(
    "PLC007",
    "tab-indentation",
    Severity.ERROR,
    """
    A tab character used for indentation; YAML allows only spaces.

    Fails (the second line starts with a tab)::

        region:
        \tid: east

    Passes::

        region:
          id: east
    """,
)
ENCODING = rule(
    "PLC008",
    "encoding",
    Severity.ERROR,
    """
    The file is not UTF-8 text.

    Save it as UTF-8 (a UTF-8 byte-order mark is fine). Files saved as GBK,
    Latin-1 or UTF-16 show wrong characters in other people's editors.

    Fails: a file saved in GBK. Passes: the same file saved as UTF-8.
    """,
)
EMPTY_FILE = rule(
    "PLC009",
    "empty-file",
    Severity.ERROR,
    """
    The file holds no YAML document.

    Fails: an empty file, or one with only comments.

    Passes::

        planc: 1
        kind: region
        region: {id: east, name: East, owner: wang-lei}
    """,
)
TOO_LARGE = rule(
    "PLC010",
    "file-too-large",
    Severity.ERROR,
    """
    The file is larger than the size bound (64 MiB by default, ``--max-file-size``).

    Split a very large region into several region files, or raise the bound.
    """,
)
UNREADABLE = rule(
    "PLC011",
    "unreadable",
    Severity.ERROR,
    """
    A plan path that does not exist or cannot be read.

    Fails: ``planc check plans/2027-Q5`` when there is no such folder.
    Passes: ``planc check plans/2027-Q1``.
    """,
)
NO_MODELINE = rule(
    "PLC012",
    "missing-modeline",
    Severity.WARNING,
    """
    The file does not start with the schema modeline editors use.

    With it, editors with the YAML language server complete keys, show help on
    hover and underline mistakes as you type.

    Fails::

        planc: 1
        kind: region

    Passes::

        # yaml-language-server: $schema=../../../schema/plan.schema.json
        planc: 1
        kind: region
    """,
)
TOO_DEEP = rule(
    "PLC013",
    "nesting-too-deep",
    Severity.ERROR,
    """
    The document nests too deeply, or an alias refers to itself.

    Plans nest a handful of levels; hundreds of levels are a mistake or an attack.

    Fails::

        a: &a [*a]

    Passes::

        a: [1, 2]
    """,
)
MULTIPLE_DOCUMENTS = rule(
    "PLC014",
    "multiple-documents",
    Severity.ERROR,
    """
    The file holds more than one YAML document (a second ``---``).

    One file is one document: put each region in its own file.

    Fails::

        planc: 1
        kind: region
        ---
        planc: 1
        kind: region

    Passes: one document per file.
    """,
)
NUMBER_OUT_OF_RANGE = rule(
    "PLC025",
    "number-out-of-range",
    Severity.ERROR,
    f"""
    A number too large or too precise to compute with exactly.

    planc reads numbers {BOUND_TEXT}: sums of them stay exact, and a value
    of 400 digits or ``1.0e+400`` is a stray paste, not a target. planc
    refuses such a number rather than round it.

    Fails::

        revenue: {{value: 1.0e+400}}
        csat: {{value: 4.12345678}}

    Passes::

        revenue: {{value: 1200000}}
        csat: {{value: 4.123456}}
    """,
)

RULES: tuple[Rule, ...] = (
    SYNTAX, DUPLICATE_KEY, UNSAFE_TAG, ALIAS_BOMB, BOOLEAN_TRAP, NUMBER_TRAP, TAB_INDENT,
    ENCODING, EMPTY_FILE, TOO_LARGE, UNREADABLE, NO_MODELINE, TOO_DEEP, MULTIPLE_DOCUMENTS,
    NUMBER_OUT_OF_RANGE,
)  # fmt: skip
_LARGEST: int = 10**MAX_INTEGER_DIGITS - 1
_FINEST = Decimal(1).scaleb(-MAX_DECIMALS)

_CORE = "tag:yaml.org,2002:"
_INT_RE = re.compile(r"[-+]?[0-9]+\Z")
_INT = _INT_RE.match
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DIGIT_GROUP = re.compile(r"[0-9]{3}\Z").match
_DECIMAL_RE = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")
_DECIMAL = _DECIMAL_RE.match
_NUMBER_TRAPS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[-+]?[0-9]+[eE][-+]?[0-9]+\Z"), "exponent"),
    (re.compile(r"[-+]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?\Z"), "separators"),
    (re.compile(r"[-+]?[0-9][0-9_]*_[0-9_]*(?:\.[0-9_]*)?\Z"), "separators"),
    (re.compile(r"[-+]?0[xXoObB][0-9a-fA-F_]+\Z"), "radix"),
    (re.compile(r"[-+]?[0-9]+(?::[0-5]?[0-9])+(?:\.[0-9]*)?\Z"), "sexagesimal"),
    (re.compile(r"[-+]?[0-9]+(?:\.[0-9]+)?\s*%\Z"), "percent"),
    (re.compile(r"[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)\Z"), "nonfinite"),
)
_TAG_TYPES: dict[str, tuple[type, ...]] = {
    _CORE + "int": (int,),
    _CORE + "float": (int, Decimal),
    _CORE + "bool": (bool,),
    _CORE + "null": (type(None),),
}
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_TRUE = frozenset(("true", "True", "TRUE"))
_FALSE = frozenset(("false", "False", "FALSE"))
_YAML11_BOOLS = {
    word: meaning
    for words, meaning in (("yes y on", True), ("no n off", False))
    for base in words.split()
    for word in (base, base.capitalize(), base.upper())
}
_NUMERIC_START = frozenset("0123456789+-.")


@dataclass(frozen=True, slots=True)
class Trap:
    """A scalar YAML 1.1 reads differently from what its author likely meant."""

    kind: str  # boolean, exponent, separators, radix, sexagesimal, percent, nonfinite
    text: str

    def explain(self, expects_text: bool) -> tuple[Rule, str, str]:
        """The rule, message and hint for this trap when the schema rejects its value."""
        if self.kind == "boolean":
            meaning = "true" if _YAML11_BOOLS[self.text] else "false"
            return (
                BOOLEAN_TRAP,
                Message(
                    "`{text}` is read as the boolean {meaning} by YAML 1.1",
                    text=self.text,
                    meaning=meaning,
                ),
                Message('quote it to keep the text: "{text}"', text=self.text)
                if expects_text
                else Message("this field takes a number: write the number"),
            )
        plain = _plain_digits(self.text)
        text = self.text
        hints = {
            "exponent": Message(
                "`{text}` has no decimal point, so YAML 1.1 reads it as text", text=text
            ),
            "separators": Message(
                "`{text}` uses digit separators, which YAML reads as text", text=text
            ),
            "radix": Message("`{text}` is a hexadecimal, octal or binary number", text=text),
            "sexagesimal": Message(
                "`{text}` is a base-60 number (1:30 is 90) in YAML 1.1", text=text
            ),
            "percent": Message(
                "`{text}` carries a {sign} sign, so it is text", text=text, sign="%"
            ),
            "nonfinite": Message("`{text}` is not a finite number", text=text),
        }
        hint = (
            Message("write {number}", number=plain)
            if plain
            else Message("write plain digits with an optional decimal point")
        )
        return NUMBER_TRAP, hints[self.kind], hint


def _plain_digits(text: str) -> str | None:
    cleaned = text.replace(",", "").replace("_", "").replace("%", "").strip()
    try:
        number = Decimal(cleaned)
    except ArithmeticError:
        return None
    if not number.is_finite():
        return None
    return format(number.normalize(), "f") if "e" in cleaned.lower() else cleaned


@dataclass(slots=True)
class LoadResult:
    """One file's data (``None`` if it could not be loaded) and what was found on the way."""

    source: SourceFile
    data: Any
    diagnostics: list[Diagnostic] = field(default_factory=list)
    traps: dict[tuple[int, int], Trap] = field(default_factory=dict)


def load_source(
    source: SourceFile, max_bytes: int = DEFAULT_MAX_BYTES, *, fast: bool = True
) -> LoadResult:
    """Load one plan file into plain data, diagnosing everything YAML can get wrong.

    A plain file goes through :mod:`planc.core.fastload` when yaml_rs is installed (same
    values; ``fast=False`` or ``PLANC_FAST_YAML=0`` forces the libyaml path)."""
    result = LoadResult(source, None)
    data = source.data
    if len(data) > max_bytes:
        result.diagnostics.append(
            TOO_LARGE.at(
                SourceSpan(source.path, 1, 1),
                Message(
                    "file is {size} bytes, over the bound of {bound}",
                    size=len(data),
                    bound=max_bytes,
                ),
                Message("split the region into several files or raise --max-file-size"),
            )
        )
        return result
    if fast and fastload.enabled():
        values = fastload.fast_values(data, MAX_DEPTH, reads_as_number)
        if values is not None:  # plain, valid, in bounds: no diagnostic but the modeline's
            result.data = values
            _check_modeline(source, result)
            return result
    encoding_problem = _check_encoding(source)
    if encoding_problem is not None:
        result.diagnostics.append(encoding_problem)
        return result
    import yaml  # noqa: PLC0415 - the libyaml path only

    from planc.core.composer import compose_nodes, span_of  # noqa: PLC0415 - as PyYAML

    try:
        root = compose_nodes(data)
    except yaml.MarkedYAMLError as error:
        result.diagnostics.append(_syntax_diagnostic(source, error))
        return result
    except yaml.reader.ReaderError as error:  # a character YAML does not allow (NUL, BEL, ...)
        result.diagnostics.append(_character_diagnostic(source, error))
        return result
    except yaml.YAMLError as error:
        result.diagnostics.append(
            SYNTAX.at(
                SourceSpan(source.path, 1, 1),
                Message("cannot read YAML: {problem}", problem=Foreign(error)),
            )
        )
        return result
    if root is None:
        result.diagnostics.append(
            EMPTY_FILE.at(
                SourceSpan(source.path, 1, 1),
                Message("file holds no YAML document"),
                Message("write the plan's keys (planc, kind, ...) or delete the file"),
            )
        )
        return result
    _Constructor(source, len(data), result).construct(root)
    if result.data is None and not result.diagnostics:
        result.diagnostics.append(
            EMPTY_FILE.at(
                span_of(source.path, root),
                Message("the document is only `{text}` (null): no plan in it", text=root.value),
                Message("write the plan's keys (planc, kind, ...) or delete the file"),
            )
        )
    _check_modeline(source, result)
    return result


def _check_modeline(source: SourceFile, result: LoadResult) -> None:
    if not source.data.lstrip(b"\xef\xbb\xbf").startswith(MODELINE_PREFIX):
        result.diagnostics.append(
            NO_MODELINE.at(
                SourceSpan(source.path, 1, 1),
                Message("file does not start with the yaml-language-server schema modeline"),
                Message(
                    "add as first line: # yaml-language-server: "
                    "$schema=<path to schema/plan.schema.json>"
                ),
            )
        )


def reads_as_number(text: str) -> bool:
    """Whether a plain scalar is read as anything but text: an int, a decimal, or a number
    written in a way YAML 1.1 reads differently (a trap the schema stage explains)."""
    return _NUMBERISH(text) is not None


# Everything `plain` reads as a number or a trap, as one pattern (one match per scalar).
_NUMBERISH = re.compile(
    "|".join(
        f"(?:{pattern.pattern})"
        for pattern in (_INT_RE, _DECIMAL_RE, *(pattern for pattern, _kind in _NUMBER_TRAPS))
    )
).match


def _check_encoding(source: SourceFile) -> Diagnostic | None:
    data = source.data
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):  # before UTF-16's
        return ENCODING.at(
            SourceSpan(source.path, 1, 1),
            Message("file is UTF-32, not UTF-8"),
            Message("save the file as UTF-8 in your editor"),
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ENCODING.at(
            SourceSpan(source.path, 1, 1),
            Message("file is UTF-16, not UTF-8"),
            Message("save the file as UTF-8 in your editor"),
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start].removeprefix(b"\xef\xbb\xbf")
        lines = _LINE_BREAK.split(before.decode("utf-8", errors="replace"))
        line, col = len(lines), len(lines[-1]) + 1
        byte = f"0x{data[error.start]:02x}"
        return ENCODING.at(
            SourceSpan(source.path, line, col),
            Message("byte {byte} is not valid UTF-8", byte=byte),
            Message("save the file as UTF-8 (it may be GBK or Latin-1)"),
        )
    return None


def _character_diagnostic(source: SourceFile, error: yaml.reader.ReaderError) -> Diagnostic:
    """libyaml refuses a character (a control character: NUL, BEL, ESC, ...) at a byte
    offset; the diagnostic points at its line and column, as the encoding check does."""
    data = source.data
    offset = min(max(error.position, 0), len(data))
    before = data[:offset].removeprefix(b"\xef\xbb\xbf")
    lines = _LINE_BREAK.split(before.decode("utf-8", errors="replace"))
    line, col = len(lines), len(lines[-1]) + 1
    character = f"U+{error.character:04X}"
    return SYNTAX.at(
        SourceSpan(source.path, line, col),
        Message(
            "character {character} is not allowed in YAML ({reason})",
            character=character,
            reason=Foreign(error.reason),
        ),
        Message("delete it (an editor may show it as a box, or not at all)"),
    )


def _syntax_diagnostic(source: SourceFile, error: yaml.MarkedYAMLError) -> Diagnostic:
    context = error.context or ""
    # An unclosed quote fails at the end of the file, an unclosed [ or { on a later line:
    # where it opens is what to fix.
    unclosed_quote = context.startswith("while scanning a quoted scalar")
    bracket = _unclosed_bracket(error)
    starts_there = unclosed_quote or bracket is not None
    mark = (
        (error.context_mark if starts_there else None) or error.problem_mark or error.context_mark
    )
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem: str = Foreign(error.problem or str(error))  # PyYAML's English
    if unclosed_quote:
        problem = Message("a quoted value is never closed")
    elif bracket is not None:
        problem = Message("this `{bracket}` is never closed", bracket=bracket[0])
    text = source.line_text(line)
    if "\t" in problem or "'\\t'" in problem or "\t" in text[: len(text) - len(text.lstrip())]:
        tab_col = text.index("\t") + 1 if "\t" in text else col
        return TAB_INDENT.at(
            SourceSpan(source.path, line, tab_col),
            Message("tab character in indentation"),
            Message("indent with spaces (your editor can convert tabs to spaces)"),
        )
    if "maximum nesting depth" in (error.context or "") + problem:
        return TOO_DEEP.at(
            SourceSpan(source.path, line, col),
            Message("document nests too deeply"),
            Message("plans nest a few levels; look for unclosed or repeated brackets"),
        )
    if "expected a single document" in context:
        return MULTIPLE_DOCUMENTS.at(
            SourceSpan(source.path, line, col),
            Message("a second YAML document starts here"),
            Message("keep one document per file: move it to a file of its own"),
        )
    return SYNTAX.at(
        SourceSpan(source.path, line, col),
        Message("{problem} ({context})", problem=problem, context=Foreign(context))
        if context and not starts_there
        else Message("{problem}", problem=problem),
        Message("close it with `{bracket}` after its last item", bracket=bracket[1])
        if bracket is not None
        else Message("check quotes, colons and indentation on this line and the one before"),
    )


def _unclosed_bracket(error: yaml.MarkedYAMLError) -> tuple[str, str] | None:
    """The brackets of a flow sequence or mapping left open, when the parser gave up on a
    later line than the one it opens on (on its own line the problem is inside it)."""
    brackets = {
        "while parsing a flow sequence": ("[", "]"),
        "while parsing a flow mapping": ("{", "}"),
    }.get(error.context or "")
    opened, failed = error.context_mark, error.problem_mark
    if brackets is None or opened is None or failed is None or failed.line <= opened.line:
        return None
    return brackets


# what numbers.out_of_bounds says, for a reader of any language
_PROBLEMS = {
    "too large": Message("too large"),
    "too precise": Message("too precise"),
    "not a finite number": Message("not a finite number"),
}

MAX_DEPTH = 64  # plans nest about ten levels; far deeper is a mistake or a self-referencing alias


class _AliasBomb(Exception):
    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node


class _TooDeep(_AliasBomb):
    pass


class _Constructor:
    """Nodes → Python values. Kept to one tight recursive function: it is the hot path."""

    def __init__(self, source: SourceFile, size: int, result: LoadResult) -> None:
        self.source = source
        self.result = result
        # Without aliases a file cannot hold more entries than bytes; past that they expand.
        self.budget = size + 1024

    def span(self, node: Node) -> SourceSpan:
        from planc.core.composer import span_of  # noqa: PLC0415 - imported with PyYAML

        return span_of(self.source.path, node)

    def construct(self, root: Node) -> None:
        try:
            self.result.data = self._build(root)
        except _TooDeep as deep:
            self.result.data = None
            self.result.diagnostics.append(
                TOO_DEEP.at(
                    self.span(deep.node),
                    Message("document nests too deeply, or an alias contains itself"),
                    Message("plans nest a few levels; remove the self-referencing alias"),
                )
            )
        except _AliasBomb as bomb:
            self.result.data = None
            self.result.diagnostics.append(
                ALIAS_BOMB.at(
                    self.span(bomb.node),
                    Message(
                        "aliases expand past {limit} entries in a {size}-byte file",
                        limit=self.budget_limit(),
                        size=len(self.source.data),
                    ),
                    Message("write the values out instead of nesting aliases"),
                )
            )

    def budget_limit(self) -> int:
        return len(self.source.data) + 1024

    def _build(self, root: Node) -> Any:  # noqa: PLR0915 - one hot function on purpose
        from yaml.nodes import MappingNode, ScalarNode, SequenceNode  # noqa: PLC0415 - lazy

        diagnostics = self.result.diagnostics
        traps = self.result.traps
        span = self.span
        integer, decimal = _INT, _DECIMAL
        numeric_start, nulls, true, false = _NUMERIC_START, _NULLS, _TRUE, _FALSE
        bools11 = _YAML11_BOOLS

        split_reported: Node | None = None

        def trap(node: Node, kind: str) -> None:
            traps[(node.start_mark.line + 1, node.start_mark.column + 1)] = Trap(kind, node.value)

        def plain(node: Node) -> Any:
            text: str = node.value
            if text[:1] in numeric_start:
                if integer(text):
                    digits = text.lstrip("+-")
                    if len(digits.lstrip("0")) > MAX_INTEGER_DIGITS:  # before int(): 5,000 digits
                        return beyond(node, text, "too large")
                    if len(digits) > 1 and digits[0] == "0":
                        diagnostics.append(octal(node, text))
                    return int(text)
                if decimal(text):
                    number = Decimal(text)
                    problem = out_of_bounds(number)
                    return number if problem is None else beyond(node, text, problem)
                for pattern, kind in _NUMBER_TRAPS:
                    if pattern.match(text):
                        trap(node, kind)
                        break
                return text
            if text in nulls:
                return None
            if text in true:
                return True
            if text in false:
                return False
            if text in bools11:
                trap(node, "boolean")
                return bools11[text]
            # Ids, dates and enum words repeat across reps; share them.
            return intern(text) if len(text) <= 32 else text

        def beyond(node: Node, text: str, problem: str) -> int | Decimal:
            diagnostics.append(
                NUMBER_OUT_OF_RANGE.at(
                    span(node),
                    Message(
                        "`{text}` is {problem}: planc reads numbers {bound}",
                        text=show_long(text),
                        problem=_PROBLEMS.get(problem) or Foreign(problem),
                        bound=Message(
                            "below 10^{digits} (a thousand trillion) "
                            "with at most {decimals} decimals",
                            digits=str(MAX_INTEGER_DIGITS),
                            decimals=str(MAX_DECIMALS),
                        ),
                    ),
                    Message("check the number; planc refuses it rather than round it"),
                )
            )
            # Stand-in of the same sign within the bound; the error stops the compile.
            if problem == "too precise":
                return Decimal(text).quantize(_FINEST)
            return -_LARGEST if text.startswith("-") else _LARGEST

        def octal(node: Node, text: str) -> Diagnostic:
            if len(text) == 3:  # `[1,000,000]`: commas separate items, `000` is a leftover group
                return NUMBER_TRAP.at(
                    span(node),
                    Message(
                        "`{text}` looks like digits after a thousands separator: inside [...] "
                        "commas separate items, so the number was split",
                        text=text,
                    ),
                    Message("write the number without separators, e.g. 1000000"),
                )
            return NUMBER_TRAP.at(
                span(node),
                Message(
                    "`{text}` has a leading zero: YAML 1.1 reads it as an octal number", text=text
                ),
                Message(
                    "write {number} without the leading zero, or quote it if it is text",
                    number=str(int(text)),
                ),
            )

        def split_number(number: Node, group: str) -> Diagnostic:
            return NUMBER_TRAP.at(
                span(number),
                Message(
                    "`{number},{group}...` is split by its commas: inside {{...}} a comma "
                    "separates entries, so the digits after it became keys",
                    number=number.value,
                    group=group,
                ),
                Message(
                    "write the number without separators: {number}{group}...",
                    number=number.value,
                    group=group,
                ),
            )

        def tagged(node: Node) -> Any:
            tag = node.tag
            text = node.value
            if tag == _CORE + "str":
                return text
            allowed = _TAG_TYPES.get(tag)
            if allowed is not None:
                value = plain(node)
                # bool is an int in Python: `!!int true` must not pass as a number.
                if isinstance(value, allowed) and (bool in allowed or not isinstance(value, bool)):
                    return value
            unsafe(node)
            return None

        def unsafe(node: Node) -> None:
            tag = node.tag
            diagnostics.append(
                UNSAFE_TAG.at(
                    span(node),
                    Message("tag `{tag}` is not allowed here", tag=tag.replace(_CORE, "!!")),
                    Message("remove the tag; planc reads plain YAML values only"),
                )
            )

        def build(node: Node, depth: int) -> Any:  # noqa: PLR0912 - the hot path stays one function
            nonlocal split_reported
            cls = node.__class__
            if cls is ScalarNode:
                if node.tag is not None:
                    return tagged(node)
                if node.style == "":
                    return plain(node)
                return node.value
            if node.tag is not None and node.tag not in (_CORE + "map", _CORE + "seq"):
                unsafe(node)
                return None
            items = node.value
            if depth > MAX_DEPTH:
                raise _TooDeep(node)
            self.budget -= len(items)
            if self.budget < 0:
                raise _AliasBomb(node)
            if cls is MappingNode:
                mapping: dict[str, Any] = {}
                number: Node | None = None  # the last plain number, to explain `{value: 1,000}`
                flow = getattr(node, "flow_style", False)
                for key_node, value_node in items:
                    if key_node.__class__ is not ScalarNode:
                        diagnostics.append(
                            SYNTAX.at(span(key_node), Message("a key must be plain text"), None)
                        )
                        continue
                    # Keys repeat millions of times in a large plan: one shared string each.
                    key = intern(key_node.value)
                    if value_node.value == "" and number is not None and _DIGIT_GROUP(key):
                        if number is not split_reported:
                            diagnostics.append(split_number(number, key))
                            split_reported = number
                        continue
                    if key in mapping:
                        diagnostics.append(
                            DUPLICATE_KEY.at(
                                span(key_node),
                                Message("duplicate key `{key}`", key=shown(key)),
                                Message("remove one of them: YAML keeps only the last"),
                            )
                        )
                    elif key == "<<" and key_node.style == "":
                        diagnostics.append(
                            SYNTAX.at(
                                span(key_node),
                                Message("merge keys (<<) are not supported"),
                                Message("write the keys out; merges hide what a target really is"),
                            )
                        )
                        continue
                    mapping[key] = value = build(value_node, depth + 1)
                    number = value_node if flow and type(value) is int else None
                return mapping
            assert cls is SequenceNode
            return [build(item, depth + 1) for item in items]

        return build(root, 0)
