"""Diagnostics are data: a stable code, a severity, a place, a message, a hint.

A :class:`Rule` is the definition behind a code (its slug, default severity and
documentation, which ``planc explain`` prints). Loader, schema and model checks
all report through rules, so every code is documented in one registry.
"""

from __future__ import annotations

import enum
import inspect
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from planc.core.source import Loc, SourceSpan
from planc.core.spans import SpanResolver


class Message(str):
    """A message as data: its English text (it *is* that string, for every reporter), plus
    the template and arguments it was made from.

    The template is a gettext msgid (Babel extracts ``Message("...")`` calls), so an
    output in another language (the site, the PR comment) renders it again from the
    plan's catalog with the arguments formatted there (``planc.core.locales.Words``).
    Arguments are text (names, ids, exact percentages already written), ``Decimal``
    amounts, counts, or other messages.
    """

    template: str
    args: Mapping[str, object]

    def __new__(cls, template: str, /, **args: object) -> Message:
        english = {name: _english(value) for name, value in args.items()}
        made = super().__new__(cls, template.format(**english))
        made.template = template
        made.args = args
        return made

    def __reduce__(self) -> tuple[object, ...]:
        # pickled and copied as what it was made from, never its text read back as a template
        return (_message, (self.template, dict(self.args)))


def _message(template: str, args: dict[str, object]) -> Message:
    return Message(template, **args)


class Items(tuple[str, ...]):
    """Names listed inside a message (accounts, people, targets): ``", "``-joined in English
    text, joined by the locale's list pattern (CLDR, ``A、B和C``) where the message is
    rendered again. ``partial``: more follow (``... and 3 more``), so the locale's
    middle separator joins them all and no "and" comes before the last one shown."""

    partial: bool

    def __new__(cls, items: Iterable[str], partial: bool = False) -> Items:
        made = super().__new__(cls, items)
        made.partial = partial
        return made

    def __reduce__(self) -> tuple[object, ...]:
        return (Items, (tuple(self), self.partial))


class Named(str):
    """An id inside a message that a reader knows by a name: the id in English text (what
    the YAML and the CLI go by), the name where the message is rendered again for a page or
    a comment, whose tables show names (``zhou-min`` → ``周敏``)."""

    name: str

    def __new__(cls, ident: str, name: str) -> Named:
        made = super().__new__(cls, ident)
        made.name = name
        return made

    def __reduce__(self) -> tuple[object, ...]:
        return (Named, (str(self), self.name))


class Phrase(str):
    """Text planc writes whole and a catalog translates whole, with no arguments: the schema's
    field descriptions (hints for PLC101/103/104). Its msgid is the text itself, so braces in
    it (``{min: 0, max: 30}``) are never read as fields; scripts/catalog.py extracts every
    description from the schema."""

    def __reduce__(self) -> tuple[object, ...]:
        return (Phrase, (str(self),))


class Foreign(str):
    """Text in a language other than the plan's that planc does not write itself: a library's
    own English detail (PyYAML's problem, a schema validator's message), or the schema's words a user types as they are (an enum's choices). An
    argument (or a hint) shown as it is, inside a translated frame; never looked up in a
    catalog, so no such text is ever read as a msgid."""

    def __reduce__(self) -> tuple[object, ...]:
        return (Foreign, (str(self),))


def _english(value: object) -> str:
    if isinstance(value, Items):
        return ", ".join(_english(item) for item in value)
    if isinstance(value, Decimal):
        normal = value.normalize()
        return f"{int(normal):,}" if normal == normal.to_integral_value() else f"{normal:,f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


# --- messages as JSON (the caches): read back as what they were made as, so that a warm run
# renders a message again (another language, markdown's code spans) as a cold run does

_ARGUMENT_KINDS = (str, int, Decimal, date)


def message_json(text: str) -> Any:
    """A message (or hint) as JSON that :func:`message_from_json` reads back as it was: plain
    text as a string; a :class:`Message` as ``{"m": template, "a": {name: argument}}``, a
    :class:`Phrase` as ``{"p": text}``, a :class:`Foreign` as ``{"f": text}``. A message
    with an argument of another kind is kept as its text (a plain string)."""
    try:
        return _json_of(text)
    except TypeError:
        return str(text)


def _json_of(value: object) -> Any:
    if isinstance(value, Message):
        return {"m": value.template, "a": {k: _json_of(v) for k, v in value.args.items()}}
    if isinstance(value, Phrase):
        return {"p": str(value)}
    if isinstance(value, Foreign):
        return {"f": str(value)}
    if isinstance(value, Named):
        return {"n": [str(value), value.name]}
    if isinstance(value, Items):
        return {"i": [_json_of(item) for item in value], "partial": value.partial}
    if isinstance(value, Decimal):
        return {"d": str(value)}
    if isinstance(value, date):
        return {"t": value.isoformat()}
    if type(value) in (str, int):  # a subclass of its own (bool, an enum) has no reader
        return value
    raise TypeError(f"no JSON for a message argument of type {type(value).__name__}")


def message_from_json(raw: Any) -> str:
    """What :func:`message_json` wrote, back as it was made; ValueError for anything else
    (the caches are folders others may write: an entry of the wrong shape is not used)."""
    value = _from_json(raw, 0)
    if not isinstance(value, str):
        raise ValueError("a message is text")
    return value


_DEPTH = 8  # messages inside messages: planc nests two deep at most
_FORMATTER = string.Formatter()
_MALFORMED = "not a message or an argument of one"


def _from_json(raw: Any, depth: int) -> object:
    if type(raw) in (str, int):
        return raw
    if not isinstance(raw, dict) or depth > _DEPTH:
        raise ValueError(_MALFORMED)
    keys = raw.keys()
    if keys == {"m", "a"} and isinstance(raw["a"], dict):
        args = {str(k): _from_json(v, depth + 1) for k, v in raw["a"].items()}
        return Message(_template(raw["m"]), **args)  # a field without its argument: KeyError
    if keys == {"i", "partial"} and isinstance(raw["i"], list):
        items = [_from_json(item, depth + 1) for item in raw["i"]]
        if isinstance(raw["partial"], bool) and all(isinstance(i, str) for i in items):
            return Items(items, raw["partial"])  # type: ignore[arg-type]  # checked: all str
        raise ValueError(_MALFORMED)
    if len(raw) != 1:
        raise ValueError(_MALFORMED)
    [(kind, body)] = raw.items()
    if kind == "p" and isinstance(body, str):
        return Phrase(body)
    if kind == "f" and isinstance(body, str):
        return Foreign(body)
    if kind == "n" and isinstance(body, list) and len(body) == 2 and _strings(body):
        return Named(body[0], body[1])
    if kind == "d" and isinstance(body, str):
        return _finite(body)
    if kind == "t" and isinstance(body, str):
        return date.fromisoformat(body)
    raise ValueError(_MALFORMED)


def _strings(values: list[Any]) -> bool:
    return all(isinstance(v, str) for v in values)


def _template(text: object) -> str:
    """A template as planc writes them: named fields only, no conversion or format spec (a
    width read from a cache entry could ask for any amount of memory)."""
    if not isinstance(text, str):
        raise ValueError(_MALFORMED)
    for _literal, field, spec, conversion in _FORMATTER.parse(text):  # ValueError if malformed
        if field is not None and (not field.isidentifier() or spec or conversion):
            raise ValueError(f"a message template with a field planc never writes: {field!r}")
    return text


def _finite(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except ArithmeticError as error:  # decimal.InvalidOperation is no ValueError
        raise ValueError(_MALFORMED) from error
    if not value.is_finite():
        raise ValueError(_MALFORMED)
    return value


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding. ``loc`` is where it was found; ``span`` is filled in for reporting."""

    code: str
    severity: Severity
    message: str
    hint: str | None
    loc: Loc | None = None
    span: SourceSpan | None = None

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        span = self.span or SourceSpan("", 0, 0)
        return (span.path, span.line, span.col, self.code, self.message)


@dataclass(frozen=True, slots=True)
class Rule:
    """The definition behind a diagnostic code. Codes never change meaning."""

    code: str
    slug: str
    severity: Severity
    doc: str

    @property
    def summary(self) -> str:
        """The doc's first paragraph on one line, readable (:func:`readable`)."""
        first_paragraph = self.doc.strip().split("\n\n", 1)[0]
        return readable(" ".join(first_paragraph.split())) or self.slug

    @property
    def text(self) -> str:
        """The doc as a reader sees it (``planc explain``, docs/codes.md, SARIF): the
        docstring's reStructuredText habits undone, ``x`` → `x` and "Fails::" → "Fails:"."""
        return readable(self.doc)

    def at(
        self,
        where: Loc | SourceSpan,
        message: str,
        hint: str | None = None,
        severity: Severity | None = None,
    ) -> Diagnostic:
        """A diagnostic of this rule at a path (resolved later) or at a known span."""
        level = severity or self.severity
        if isinstance(where, SourceSpan):
            return Diagnostic(self.code, level, message, hint, None, where)
        return Diagnostic(self.code, level, message, hint, where, None)


def readable(doc: str) -> str:
    """A rule's doc or summary without its reStructuredText habits: ``x`` → `x` (markdown's
    code, and plain enough in a terminal), a literal block's "Fails::" → "Fails:"."""
    return doc.replace("``", "`").replace("::\n", ":\n")


_DECLARED: dict[str, Rule] = {}


def rule(code: str, slug: str, severity: Severity, doc: str) -> Rule:
    """Declare a rule; ``doc`` is its user documentation (first line is the summary).

    Every declared rule is remembered, so a reporter can describe any code it is
    handed without importing the layer that declared it. A code means one thing
    forever: declaring it twice with another slug is a bug caught at import.
    """
    declared = Rule(code, slug, severity, inspect.cleandoc(doc))
    earlier = _DECLARED.setdefault(code, declared)
    if earlier.slug != slug:
        raise ValueError(f"rule code {code} declared twice: {earlier.slug} and {slug}")
    return declared


def declared_rule(code: str) -> Rule | None:
    """The rule behind a code, if the module declaring it has been imported."""
    return _DECLARED.get(code)


def resolve_spans(diagnostics: Iterable[Diagnostic], resolver: SpanResolver) -> list[Diagnostic]:
    """Give every diagnostic a span, then sort them for stable output.

    Each file's findings are placed together, in one pass over its YAML events
    (:meth:`SpanResolver.resolve_all`); a file that must be composed instead has its
    node tree released after, so a plan with errors in every file never holds more
    than one tree in memory.
    """
    return resolve_batches([diagnostics], resolver)[0]


def resolve_batches(
    batches: Sequence[Iterable[Diagnostic]], resolver: SpanResolver
) -> list[list[Diagnostic]]:
    """:func:`resolve_spans` of each batch, with a file's findings of all the batches placed
    in one pass over it (a caller that keeps the stages of a check apart reads it once)."""
    out: list[list[Diagnostic]] = []
    pending: dict[str, list[tuple[int, int, Loc]]] = {}
    for number, batch in enumerate(batches):
        kept = list(batch)
        out.append(kept)
        for index, d in enumerate(kept):
            if d.span is None and d.loc is not None:
                pending.setdefault(d.loc.file, []).append((number, index, d.loc))
    for file, found in pending.items():
        spans = resolver.resolve_all(file, [loc for _, _, loc in found])
        for number, index, loc in found:
            out[number][index] = replace(out[number][index], span=spans[loc])
        resolver.release(file)
    return [sorted(kept, key=lambda d: d.sort_key) for kept in out]


@dataclass(frozen=True, slots=True)
class Counts:
    errors: int
    warnings: int
    infos: int

    @classmethod
    def of(cls, diagnostics: Iterable[Diagnostic]) -> Counts:
        tally = dict.fromkeys(Severity, 0)
        for d in diagnostics:
            tally[d.severity] += 1
        return cls(tally[Severity.ERROR], tally[Severity.WARNING], tally[Severity.INFO])


EXIT_CLEAN = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


def exit_code(diagnostics: Iterable[Diagnostic], *, strict: bool = False) -> int:
    """0 when clean (warnings allowed), 1 with errors, or with warnings under ``strict``."""
    counts = Counts.of(diagnostics)
    if counts.errors or (strict and counts.warnings):
        return EXIT_ERRORS
    return EXIT_CLEAN
