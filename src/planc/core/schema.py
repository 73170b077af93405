"""JSON Schema validation of each loaded file, every error mapped to a place.

Validation runs in ``jsonschema-rs`` (compiled; the pure-Python reference
library is hundreds of times slower on a 50,000-rep plan). Its errors are
turned into diagnostics with messages for ops, not for schema authors, and a
hint taken from the schema's own ``description`` of the field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jsonschema_rs

from planc.core.diagnostics import (
    Diagnostic,
    Foreign,
    Items,
    Message,
    Phrase,
    Rule,
    Severity,
    rule,
)
from planc.core.loader import BOOLEAN_TRAP, LoadResult, Trap
from planc.core.resources import schema_path
from planc.core.safetext import shown
from planc.core.source import Loc, PathPart, SourceSpan
from planc.core.spans import SpanResolver
from planc.core.spelling import closest

MISSING_KEY = rule(
    "PLC101",
    "missing-key",
    Severity.ERROR,
    """
    A required key is missing.

    Fails (a team without an owner)::

        teams:
          - id: east-ent
            name: Enterprise East

    Passes::

        teams:
          - id: east-ent
            name: Enterprise East
            owner: li-na
    """,
)
UNKNOWN_KEY = rule(
    "PLC102",
    "unknown-key",
    Severity.ERROR,
    """
    A key the plan format does not know, often a typo.

    Fails::

        teams:
          - id: east-ent
            name: Enterprise East
            ownr: li-na

    Passes::

        teams:
          - id: east-ent
            name: Enterprise East
            owner: li-na
    """,
)
WRONG_TYPE = rule(
    "PLC103",
    "wrong-type",
    Severity.ERROR,
    """
    A value of the wrong kind: text where a number is expected, a list where a
    mapping is expected, and so on.

    Fails::

        revenue: {value: "about a million"}

    Passes::

        revenue: {value: 1000000}
    """,
)
BAD_VALUE = rule(
    "PLC104",
    "bad-value",
    Severity.ERROR,
    """
    A value of the right kind that is not allowed: not one of the listed
    choices, an id or e-mail of the wrong form, a negative amount, a date that
    does not exist.

    Fails::

        metrics:
          - {id: revenue, name: Revenue, unit: dollars}

    Passes::

        metrics:
          - {id: revenue, name: Revenue, unit: currency}
    """,
)
BAD_FILE_KIND = rule(
    "PLC105",
    "file-kind",
    Severity.ERROR,
    """
    The file does not say which plan format and kind it is.

    Every plan file starts with ``planc: 1`` and ``kind: quarter`` or ``kind: region``.

    Fails::

        region: {id: east, name: East, owner: wang-lei}

    Passes::

        planc: 1
        kind: region
        region: {id: east, name: East, owner: wang-lei}
    """,
)

NO_QUARTER_FILE = rule(
    "PLC106",
    "no-quarter-file",
    Severity.ERROR,
    """
    The plan folder has no quarter file (a file with ``kind: quarter``).

    A quarter is a folder ``plans/<quarter>/`` with one ``quarter.yaml`` that
    holds the quarter, the company, metrics and policy, beside the region files.

    Fails: a folder with only ``regions/east.yaml``.
    Passes: the same folder with ``quarter.yaml``.
    """,
)
TWO_QUARTER_FILES = rule(
    "PLC107",
    "two-quarter-files",
    Severity.ERROR,
    """
    The plan folder has more than one quarter file.

    Fails: ``quarter.yaml`` and ``quarter-copy.yaml`` both with ``kind: quarter``.
    Passes: one of them, or the copy moved to its own quarter folder.

    A folder of quarter folders read as one plan (``planc render plans`` while
    ``plans/`` also holds a plan file of its own) says it too, and its hint names
    the quarter folder to give instead (``plans/2027-Q1``). ``planc check``,
    ``diff`` and ``codeowners`` given a folder with no plan file of its own but a
    quarter folder in it (other files may be there) check the folders in it.
    """,
)

QUARTER_MONTHS = rule(
    "PLC108",
    "quarter-months",
    Severity.ERROR,
    """
    The quarter is not three whole months.

    A quarter starts on the first day of a month and ends on the last day of
    the third month: months, paces and forecasts are counted in whole months.

    Fails::

        quarter: {id: 2027-Q1, start: 2027-01-15, end: 2027-04-30}

    Passes::

        quarter: {id: 2027-Q1, start: 2027-01-01, end: 2027-03-31}
    """,
)
QUARTER_ID = rule(
    "PLC109",
    "quarter-id",
    Severity.ERROR,
    """
    The quarter id is not a quarter id, or names other months than the dates.

    ``2027-Q1`` names a calendar quarter: January to March 2027, so the dates
    must be those. ``FY27-Q3`` (or ``FY2027-Q3``) names a fiscal quarter, whose
    months the dates give.

    Fails::

        quarter: {id: 2031-Q4, start: 2027-01-01, end: 2027-03-31}

    Passes::

        quarter: {id: 2027-Q1, start: 2027-01-01, end: 2027-03-31}
        quarter: {id: FY27-Q3, start: 2027-01-01, end: 2027-03-31}
    """,
)
INVERTED_BAND = rule(
    "PLC110",
    "inverted-band",
    Severity.ERROR,
    """
    A policy band whose ``min`` is above its ``max``: no value can lie inside it.

    Fails::

        policy:
          over_assignment: {min: 50, max: -20}

    Passes::

        policy:
          over_assignment: {min: 0, max: 20}
    """,
)

RULES: tuple[Rule, ...] = (
    MISSING_KEY, UNKNOWN_KEY, WRONG_TYPE, BAD_VALUE, BAD_FILE_KIND, NO_QUARTER_FILE, TWO_QUARTER_FILES,
    QUARTER_MONTHS, QUARTER_ID, INVERTED_BAND,
)  # fmt: skip

_KIND_ROOTS = {"quarter": "quarterFile", "region": "regionFile"}
_TYPE_NAMES = {
    "number": Message("a number"),
    "integer": Message("a whole number"),
    "string": Message("text"),
    "object": Message("a mapping (key: value)"),
    "array": Message("a list"),
    "boolean": Message("true or false"),
    "null": Message("nothing"),
}


@cache
def schema_descriptions() -> list[str]:
    """Every field description the schema writes as a sentence (the hints :func:`_schema_hint`
    gives translated), in the order written, each once: the msgids scripts/catalog.py adds."""
    found: dict[str, None] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "description" and isinstance(value, str):
                    if isinstance(_described(value), Phrase):
                        found[value] = None
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(schema_document())
    return list(found)


def _described(description: str) -> str:
    """A description as a hint: a sentence is translated whole (scripts/catalog.py extracts
    it); a bare word (the ``quarter`` a ``kind`` must be) is the YAML's, shown as it is, and
    never read as the keyed label of the same spelling."""
    return Phrase(description) if " " in description else Foreign(description)


def schema_document() -> dict[str, Any]:
    """The plan schema as a dict (read once)."""
    with schema_path().open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


def _validator(kind: str) -> Any:
    return _validators()[kind]


@cache
def _validators() -> dict[str, Any]:
    """Both kinds' validators, made together from one read of the schema: the quarter
    file's validation in planc's process makes the region files' validator too, which
    every forked worker then inherits instead of building its own."""
    definitions = schema_document()["definitions"]
    return {
        kind: jsonschema_rs.Draft7Validator(
            {"$ref": f"#/definitions/{root}", "definitions": definitions}
        )
        for kind, root in _KIND_ROOTS.items()
    }


def validate(loaded: LoadResult, resolver: SpanResolver) -> list[Diagnostic]:
    """Schema diagnostics for one loaded file (none when it is valid)."""
    data = loaded.data
    file_loc = Loc(loaded.source.path)
    kind_problem = _check_kind(data, file_loc)
    if kind_problem is not None:
        return [kind_problem]
    validator = _validator(data["kind"])
    if validator.is_valid(data):
        return _booleans_read_as_words(loaded, set())
    root = _KIND_ROOTS[data["kind"]]
    mapper = _ErrorMapper(loaded, resolver, root)
    found: list[Diagnostic] = []
    for error in validator.iter_errors(data):
        found.extend(mapper.diagnostics(error))
    return found + _booleans_read_as_words(loaded, mapper.explained)


def _booleans_read_as_words(
    loaded: LoadResult, explained: set[tuple[int, int]]
) -> list[Diagnostic]:
    """A bare ``no`` where true/false is expected: planc reads false, but YAML 1.2 tools
    (editors' schema checks, other parsers) read the text "no". Diagnosed even so, as the
    format promises: the file must mean the same thing to every reader."""
    found = []
    for (line, col), trap in sorted(loaded.traps.items()):
        if trap.kind != "boolean" or (line, col) in explained:
            continue
        meaning = "true" if trap.text.lower() in ("yes", "y", "on") else "false"
        found.append(
            BOOLEAN_TRAP.at(
                SourceSpan(loaded.source.path, line, col),
                Message(
                    '`{text}` is {meaning} in YAML 1.1 but the text "{text}" in YAML 1.2 '
                    "(editors, other tools)",
                    text=trap.text,
                    meaning=meaning,
                ),
                Message("write {meaning}", meaning=meaning),
            )
        )
    return found


def is_valid(data: Any) -> bool:
    """Whether plain data is a valid plan file (the cache checks what it reads back)."""
    if _check_kind(data, Loc("")) is not None:
        return False
    return bool(_validator(data["kind"]).is_valid(data))


def _check_kind(data: Any, file_loc: Loc) -> Diagnostic | None:
    hint = Message("start the file with `planc: 1` and `kind: quarter` or `kind: region`")
    if not isinstance(data, dict):
        return BAD_FILE_KIND.at(file_loc, Message("a plan file must be a mapping of keys"), hint)
    if "planc" not in data:
        return BAD_FILE_KIND.at(
            file_loc, Message("missing `planc: 1` (the plan format version)"), hint
        )
    if data["planc"] != 1 or isinstance(data["planc"], bool):
        return BAD_FILE_KIND.at(
            file_loc / "planc",
            Message(
                "plan format `planc: {version}` is not one this planc reads (it reads 1)",
                version=str(data["planc"]),
            ),
            Message("write planc: 1, or upgrade planc if the plan was written for a newer format"),
        )
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in _KIND_ROOTS:  # `kind: []` is unhashable
        where = file_loc / "kind" if "kind" in data else file_loc
        return BAD_FILE_KIND.at(
            where, Message("`kind` must be quarter or region, not {value}", value=_show(kind)), hint
        )
    return None


@dataclass(slots=True)
class _ErrorMapper:
    loaded: LoadResult
    resolver: SpanResolver
    root: str
    explained: set[tuple[int, int]] = field(default_factory=set)  # traps already reported

    def diagnostics(self, error: Any) -> list[Diagnostic]:
        path = _document_path(self.loaded.data, error.instance_path)
        loc = Loc(self.loaded.source.path, path)
        keyword = error.kind.name
        if keyword == "additionalProperties":
            return [self._unknown_key(loc, key) for key in error.kind.unexpected]
        if keyword == "required":
            key = _required_key(error)
            return [
                MISSING_KEY.at(
                    loc,
                    Message(
                        "{place} is missing the required key `{key}`",
                        place=_describe_place(path),
                        key=key,
                    ),
                    _schema_hint(self.root, (*path, key)),
                )
            ]
        trap = self._trap_at(loc)
        if trap is not None and keyword in ("type", "enum", "const", "pattern"):
            expects_text = "string" in getattr(error.kind, "types", ()) or keyword in (
                "enum",
                "pattern",
            )
            trap_rule, message, hint = trap.explain(expects_text)
            return [trap_rule.at(loc, message, hint)]
        if keyword == "type":
            expected = _either(error.kind.types)
            return [
                WRONG_TYPE.at(
                    loc,
                    Message(
                        "{place} should be {expected}, not {value}",
                        place=_describe_place(path),
                        expected=expected,
                        value=_show(error.instance),
                    ),
                    _schema_hint(self.root, path),
                )
            ]
        return [
            BAD_VALUE.at(
                loc,
                _value_message(_describe_place(path), keyword, error),
                _schema_hint(self.root, path),
            )
        ]

    def _unknown_key(self, loc: Loc, key: str) -> Diagnostic:
        known = _known_keys(self.root, loc.path)
        close = closest(key, known)
        hint = Message("did you mean `{key}`?", key=close) if close else None
        if hint is None and known:
            hint = Message("allowed here: {keys}", keys=Items(sorted(known)))
        said = Message("unknown key `{key}`", key=shown(key))  # a key may be 1,024 characters
        return UNKNOWN_KEY.at((loc / key).as_key(), said, hint)

    def _trap_at(self, loc: Loc) -> Trap | None:
        if not self.loaded.traps:
            return None
        span = self.resolver.resolve(loc)
        trap = self.loaded.traps.get((span.line, span.col))
        if trap is not None:
            self.explained.add((span.line, span.col))
        return trap


def _document_path(data: Any, instance_path: list[PathPart]) -> tuple[PathPart, ...]:
    """jsonschema-rs reports a key that looks like a number (`2027:`) as an int: undo that."""
    path: list[PathPart] = []
    node = data
    for raw in instance_path:
        part: PathPart = raw
        if isinstance(node, dict):
            part = str(raw)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(raw, int) and raw < len(node):
            node = node[raw]
        path.append(part)
    return tuple(path)


def _required_key(error: Any) -> str:
    # jsonschema-rs reports the missing property as a JSON value.
    prop = getattr(error.kind, "property", None)
    if isinstance(prop, str):
        return prop
    message: str = error.message
    return message.split('"')[1] if '"' in message else message


def _either(types: list[str]) -> str:
    """``a number or text``: the types a value may have, each named for ops."""
    names: list[str] = [_TYPE_NAMES.get(t, t) for t in types]
    joined = names[0]
    for name in names[1:]:
        joined = Message("{one} or {other}", one=joined, other=name)
    return joined


def _value_message(place: str, keyword: str, error: Any) -> Message:
    value = _show(error.instance)
    kind = error.kind
    if keyword == "enum":
        options = Items(Foreign(o) for o in kind.options)  # typed as the schema spells them
        return Message(
            "{place}: {value} is not one of: {options}", place=place, value=value, options=options
        )
    if keyword == "const":
        expected = str(kind.expected_value)
        return Message(
            "{place}: {value} must be {expected}", place=place, value=value, expected=expected
        )
    if keyword == "pattern":
        return Message("{place}: {value} is not of the required form", place=place, value=value)
    limit = str(getattr(kind, "limit", ""))  # as the schema writes it (1000, not 1,000)
    if keyword == "minimum":
        return Message(
            "{place}: {value} is below the allowed minimum of {limit}",
            place=place,
            value=value,
            limit=limit,
        )
    if keyword == "exclusiveMinimum":
        return Message(
            "{place}: {value} must be above {limit}", place=place, value=value, limit=limit
        )
    if keyword == "maximum":
        return Message(
            "{place}: {value} is above the allowed maximum of {limit}",
            place=place,
            value=value,
            limit=limit,
        )
    if keyword == "exclusiveMaximum":
        return Message(
            "{place}: {value} must be below {limit}", place=place, value=value, limit=limit
        )
    if keyword == "minItems":
        return Message("{place}: needs at least {limit} item(s)", place=place, limit=limit)
    if keyword == "maxItems":
        return Message("{place}: allows at most {limit} item(s)", place=place, limit=limit)
    if keyword in ("minLength", "maxLength"):
        return Message(
            "{place}: {value} has the wrong length ({keyword} {limit})",
            place=place,
            value=value,
            keyword=keyword,
            limit=limit,
        )
    detail = Foreign(str(error.message))  # the validator's own English: the only detail there is
    if keyword == "propertyNames":
        return Message("{place}: a key is not a valid id: {detail}", place=place, detail=detail)
    return Message("{place}: {detail}", place=place, detail=detail)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return shown(value, 60, quote='"')
    if isinstance(value, dict):
        return Message("a mapping")
    if isinstance(value, list):
        return Message("a list")
    if value is None:
        return Message("nothing (null)")
    return str(value)


def _describe_place(path: tuple[PathPart, ...]) -> str:
    if not path:
        return Message("the file")
    parts: list[str] = []
    for part in path:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + part)
    return "`" + "".join(parts) + "`"


def _subschemas(root: str, path: tuple[PathPart, ...]) -> list[dict[str, Any]]:
    """The schema nodes met walking ``path`` from a file kind's root, $refs followed."""
    definitions = schema_document()["definitions"]

    def deref(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = definitions[node["$ref"].rsplit("/", 1)[-1]]
        return node

    def branch(node: dict[str, Any], part: PathPart | None) -> dict[str, Any]:
        # if/then/else (actuals: one source, or several): the branch that knows the key,
        # else the plain form
        if "else" not in node:
            return node
        then = deref(node["then"])
        return then if part in then.get("properties", {}) else deref(node["else"])

    node = deref(definitions[root])
    met = [node]
    for index, part in enumerate(path):
        node = branch(node, part)
        if isinstance(part, int):
            child = node.get("items")
        else:
            child = node.get("properties", {}).get(part)
            if child is None and isinstance(node.get("additionalProperties"), dict):
                child = node["additionalProperties"]
        if not isinstance(child, dict):
            break
        if "description" in child:
            met.append(child)
        node = deref(child)
        met.append(node)
        if index == len(path) - 1:
            met.append(branch(node, None))
    return met


def _schema_hint(root: str, path: tuple[PathPart, ...]) -> str | None:
    nodes = _subschemas(root, path)
    for node in reversed(nodes[1:] if len(nodes) > 1 else nodes):
        if "description" in node:
            return _described(node["description"])
    return None


def _known_keys(root: str, path: tuple[PathPart, ...]) -> list[str]:
    met = _subschemas(root, path)
    keys = list(met[-1].get("properties", {}))
    if len(met) > 1 and "then" in met[-2]:  # the other form's keys too (actuals.sources)
        then = schema_document()["definitions"][met[-2]["then"]["$ref"].rsplit("/", 1)[-1]]
        keys += [key for key in then.get("properties", {}) if key not in keys]
    return keys
