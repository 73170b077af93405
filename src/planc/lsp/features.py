"""What the editor asks about a plan: hover, completion, definitions, references, fixes, outline.

Every answer is computed from the newest model that built (a buffer with an
error keeps the one before it) and from the buffer's own text. Functions here
return lsprotocol types and never raise on odd input: the server turns any
``None`` into "nothing here".
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from lsprotocol import types
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from planc.checks.approvals import ROLE_LEVEL, required_approver
from planc.checks.base import amount, percents, signed
from planc.core.model import Change, Level, Plan, Target
from planc.core.numbers import plain
from planc.core.records import RecordText, add_record, next_id
from planc.core.resources import schema_path
from planc.core.source import Loc, PathPart, SourceFile, SourceSpan
from planc.core.spans import SpanResolver
from planc.lsp.teamtree import node_under, path_under
from planc.lsp.text import (
    KeyContext,
    Point,
    char_col,
    compose,
    key_context,
    lines_of,
    utf16_col,
    word_at,
)

#: the key whose value names an id, and the kind of id it names
VALUE_KINDS = {
    "owner": "person",
    "manager": "person",
    "rep": "person",
    "approved_by": "person",
    "approver": "person",
    "metric": "metric",
    "supports": "metric",
    "weight": "metric",
    "pillar": "pillar",
    "node": "node",
    "target": "target",
}
#: the mapping whose keys are ids
KEY_KINDS = {"targets": "metric", "products": "product", "segments": "segment"}
LOOKUP_ORDER = ("person", "node", "metric", "product", "pillar", "segment")
MODELINE = "# yaml-language-server: $schema="


@dataclass(slots=True)
class PlanView:
    """A model that built, the files it was built from, and lookups made once per model."""

    plan: Plan
    sources: dict[str, SourceFile]
    resolver: SpanResolver = field(init=False)
    _targets: dict[tuple[str, tuple[PathPart, ...]], Target] | None = None
    _lines: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.resolver = SpanResolver(self.sources)

    def target_under(self, file: str, path: tuple[PathPart, ...]) -> Target | None:
        """The target whose mapping holds ``path`` (the innermost one)."""
        if self._targets is None:
            self._targets = {
                (t.loc.file, t.loc.path): t
                for node in self.plan.nodes.values()
                for t in node.targets.values()
            }
        for end in range(len(path), 0, -1):
            found = self._targets.get((file, path[:end]))
            if found is not None:
                return found
        return None

    def span(self, loc: Loc) -> SourceSpan:
        return self.resolver.resolve(loc)

    def forget_trees(self, keep: str | None = None) -> None:
        """Drop the node trees composed for places (about 29 times the file: 55 MB for a 1.9 MB region),
        but the one file likely asked about next."""
        for file in self.sources:
            if file != keep:
                self.resolver.release(file)

    def lines(self, file: str) -> list[str]:
        """A file's lines, split once per model (references list thousands of places)."""
        kept = self._lines.get(file)
        if kept is None:
            source = self.sources.get(file)
            data = source.data if source is not None else b""
            kept = self._lines[file] = lines_of(
                data.decode("utf-8", "replace").removeprefix("\ufeff")
            )
        return kept


# --- ranges ------------------------------------------------------------------


def lsp_range(lines: Sequence[str], span: SourceSpan) -> types.Range:
    """A 1-based planc span (code points) → an LSP range (0-based, UTF-16)."""
    line = max(span.line - 1, 0)
    col = max(span.col - 1, 0)
    end_line, end_col = (span.end_line - 1, span.end_col - 1) if span.end_line else (line, -1)
    text = lines[line] if line < len(lines) else ""
    if end_col < 0:  # a point: underline the token that starts there
        rest = text[col:]
        token = len(rest) - len(rest.lstrip()) if rest[:1].isspace() else 0
        token += len(rest[token:].split(" ", 1)[0]) or 1
        end_col = col + token
    end_text = lines[end_line] if 0 <= end_line < len(lines) else ""
    return types.Range(
        types.Position(line, utf16_col(text, col)),
        types.Position(max(end_line, 0), utf16_col(end_text, end_col)),
    )


def node_range(lines: list[str], node: Node) -> types.Range:
    start, end = node.start_mark, node.end_mark
    return lsp_range(
        lines, SourceSpan("", start.line + 1, start.column + 1, end.line + 1, end.column + 1)
    )


def location(view: PlanView, loc: Loc) -> types.Location | None:
    if loc.file not in view.sources:
        return None
    return types.Location(Path(loc.file).as_uri(), lsp_range(view.lines(loc.file), view.span(loc)))


# --- hover -------------------------------------------------------------------


def hover(view: PlanView, file: str, text: str, position: types.Position) -> types.Hover | None:
    """The numbers behind the target under the cursor, or what an id under it names."""
    lines = lines_of(text)
    if position.line >= len(lines):
        return None
    line_text = lines[position.line]
    col = char_col(line_text, position.character)
    path, _ = path_under(text, Point(position.line, col))  # the cursor's team composed
    target = view.target_under(file, path) if path else None
    word = word_at(line_text, col)
    if word is not None and "/" in word[0]:
        target = _target_named(view.plan, word[0]) or target
    if target is not None:
        return _markdown(describe_target(view.plan, target))
    if word is None:
        return None
    described = describe_id(view.plan, word[0])
    return _markdown(described) if described else None


def target_at(view: PlanView, file: str, text: str, position: types.Position) -> Target | None:
    """The target whose mapping the cursor is in (the buffer must compose)."""
    lines = lines_of(text)
    if position.line >= len(lines):
        return None
    point = Point(position.line, char_col(lines[position.line], position.character))
    path, _ = path_under(text, point)  # the cursor's team composed, or the whole buffer
    return view.target_under(file, path) if path else None


def _markdown(text: str) -> types.Hover:
    return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, text))


def _target_named(plan: Plan, ref: str) -> Target | None:
    node_id, _, metric = ref.partition("/")
    node = plan.nodes.get(node_id)
    return node.targets.get(metric) if node is not None else None


def describe_target(plan: Plan, target: Target) -> str:
    """Hover text: children's sum against the band, months, products, growth, approvers."""
    node = plan.nodes[target.node]
    metric = plan.metrics.get(target.metric)
    title = f"**{node.level.label} {node.id} · {target.metric}**"
    if metric is not None:
        title += f" ({metric.name})"
    value = f"value **{amount(target.value)}**"
    if target.stretch is not None:
        value += f" · stretch {amount(target.stretch)}"
    out = [title, "", value]
    out += _children_lines(plan, target)
    out += _split_lines("months", target.months, target.value)
    if target.products:
        out += _split_lines("products", tuple(target.products.values()), target.value)
    out += _baseline_lines(plan, target)
    out += _approval_lines(plan, target)
    return "\n".join(_bullet(line) for line in out)


def _bullet(line: str) -> str:
    if not line or line.startswith("**"):
        return line
    return f"  - {line.strip()}" if line.startswith("  ") else f"- {line}"


def _children_lines(plan: Plan, target: Target) -> list[str]:
    node = plan.nodes[target.node]
    children = [
        plan.nodes[c].targets[target.metric]
        for c in node.children
        if c in plan.nodes and target.metric in plan.nodes[c].targets
    ]
    if not children:
        return []
    label = {0: "regions", 1: "teams", 2: "reps"}.get(int(node.level), "children")
    metric = plan.metrics.get(target.metric)
    if metric is not None and not metric.summed:
        return [
            f"{len(children)} {label} have a {target.metric} target ({metric.rollup}, not summed)"
        ]
    total = sum((t.value for t in children), Decimal(0))
    if metric is not None and metric.is_cap:
        verdict = "within this cap" if total <= target.value else "above this cap"
        return [f"{label}' caps add up to {amount(total)}: {verdict}"]
    if not target.value:
        return [f"{label} add up to {amount(total)}"]
    band = plan.policy.over_assignment
    share = Fraction(total) * 100 / Fraction(target.value)
    low, high, shown = percents(100 + band.min, 100 + band.max, share)
    inside = Fraction(100 + band.min) <= share <= Fraction(100 + band.max)
    verdict = "within" if inside else "outside"
    return [
        f"{label} add up to {amount(total)} = {shown} of the target; "
        f"{verdict} the policy's {low} to {high}"
    ]


def _split_lines(name: str, parts: tuple[Decimal, ...] | None, value: Decimal) -> list[str]:
    if not parts:
        return []
    total = sum(parts, Decimal(0))
    shown = " + ".join(amount(p) for p in parts)
    if total == value:
        return [f"{name}: {shown} = {amount(total)}, the value"]
    gap = total - value
    word = f"{amount(-gap)} short of" if gap < 0 else f"{amount(gap)} over"
    return [f"{name}: {shown} = {amount(total)}, {word} the value"]


def _baseline_lines(plan: Plan, target: Target) -> list[str]:
    out = []
    band = plan.policy.growth
    for label, base in (("last year", target.last_year), ("last quarter", target.last_quarter)):
        if base is None or base == 0:
            continue
        growth = Fraction(target.value - base) * 100 / Fraction(base)
        if label == "last year":
            low, high, shown = percents(band.min, band.max, growth)
            inside = Fraction(band.min) <= growth <= Fraction(band.max)
            out.append(
                f"growth on {label} ({amount(base)}): {signed(shown)}; "
                f"{'within' if inside else 'outside'} the policy's {low} to {high}"
            )
        else:
            (shown,) = percents(growth)
            out.append(f"change on {label} ({amount(base)}): {signed(shown)}")
    return out


def _approval_lines(plan: Plan, target: Target) -> list[str]:
    node = plan.nodes[target.node]
    tiers = plan.policy.approvals
    if not tiers:
        return ["approvals: the policy names no approval tiers"]
    out = []
    below = None
    for tier in tiers:
        required = required_approver(plan, node.id, node.level, tier)
        who = "nobody found" if required is None else _person(plan, required.person)
        why = "" if required is None else f" ({required.why})"
        if tier.up_to is None:
            limit = f"above {below}%" if below is not None else "any change"
        else:
            limit = f"up to {plain(tier.up_to)}% (±{amount(target.value * tier.up_to / 100)})"
            below = plain(tier.up_to)
        out.append(f"a change {limit}: approved by {who}{why}")
    enforced = " (enforced)" if plan.policy.enforce_approvals else ""
    return [f"approvals{enforced}:", *[f"  {line}" for line in out]]


def _person(plan: Plan, person_id: str) -> str:
    person = plan.people.get(person_id)
    return f"{person_id} ({person.name})" if person is not None else person_id


def describe_id(plan: Plan, word: str) -> str | None:
    """Hover text for an id: a person, a node, a metric, a product, a pillar or a segment."""
    person = plan.people.get(word)
    if person is not None:
        parts = [f"**{person.name}** (`{person.id}`) · {person.role}"]
        parts += [p for p in (person.title, person.email) if p]
        return "\n\n".join(parts)
    node = plan.nodes.get(word)
    if node is not None:
        return f"**{node.level.label} {node.id}**: {node.name} · owner {_person(plan, node.owner)}"
    metric = plan.metrics.get(word)
    if metric is not None:
        text = f"**metric {metric.id}**: {metric.name} · {metric.unit}, {metric.rollup}"
        return text + (f"\n\n{metric.definition}" if metric.definition else "")
    product = plan.products.get(word)
    if product is not None:
        return f"**product {product.id}**: {product.name}" + (" · key" if product.key else "")
    pillar = plan.pillars.get(word)
    if pillar is not None:
        return f"**pillar {pillar.id}**: {pillar.name}"
    segment = plan.segments.get(word)
    if segment is not None:
        return f"**segment {segment.id}**: {segment.name}"
    return None


# --- completion --------------------------------------------------------------


def completion(plan: Plan, text: str, position: types.Position) -> list[types.CompletionItem]:
    """Ids where the line says an id is expected, with names as details."""
    lines = lines_of(text)
    if position.line >= len(lines):
        return []
    line_text = lines[position.line]
    col = char_col(line_text, position.character)
    context = key_context(lines, position.line, col)
    if context is None:
        return []
    kind = KEY_KINDS.get(context.key) if context.as_key else VALUE_KINDS.get(context.key)
    if kind is None:
        return []
    start = types.Position(position.line, utf16_col(line_text, col - len(context.prefix)))
    replace_range = types.Range(start, position)
    return [
        types.CompletionItem(
            label=label,
            detail=detail,
            kind=types.CompletionItemKind.Reference,
            text_edit=types.TextEdit(replace_range, insert),
            filter_text=label,
            sort_text=f"{index:06d}",
        )
        for index, (label, detail, insert) in enumerate(_candidates(plan, kind, context))
    ]


def _candidates(plan: Plan, kind: str, context: KeyContext) -> Iterator[tuple[str, str, str]]:
    if kind == "target":
        yield from _target_candidates(plan, context.prefix)
        return
    if kind == "person":
        if context.key == "approver":  # a tier names a role, or a person
            for role, level in ROLE_LEVEL.items():
                yield role, f"the owner of the changed target's {level.label} (or above)", role
        for p in plan.people.values():
            yield p.id, f"{p.name} · {p.title or p.role}", p.id
        return
    if kind == "node":  # the company, regions and teams before reps
        for n in sorted(plan.nodes.values(), key=lambda n: (int(n.level), n.id)):
            yield n.id, f"{n.level.label}: {n.name}", n.id
        return
    named: dict[str, Any] = {
        "metric": plan.metrics,
        "product": plan.products,
        "pillar": plan.pillars,
        "segment": plan.segments,
    }
    for ident, item in named.get(kind, {}).items():
        yield ident, item.name, ident


def _target_candidates(plan: Plan, prefix: str) -> Iterator[tuple[str, str, str]]:
    """``node/`` first; once the slash is typed, that node's targets."""
    node_id, slash, _ = prefix.partition("/")
    node = plan.nodes.get(node_id)
    if slash and node is not None:
        for metric, target in node.targets.items():
            ref = f"{node_id}/{metric}"
            yield ref, f"{node.name}: {amount(target.value)}", ref
        return
    for n in sorted(plan.nodes.values(), key=lambda n: (-int(n.level), n.id)):  # reps first
        yield f"{n.id}/", f"{n.level.label}: {n.name}", f"{n.id}/"


# --- definitions and references ----------------------------------------------


def id_under(text: str, position: types.Position) -> tuple[str, str | None] | None:
    """The id under the cursor and the kind its key says it is (``None``: any)."""
    lines = lines_of(text)
    if position.line >= len(lines):
        return None
    line_text = lines[position.line]
    col = char_col(line_text, position.character)
    word = word_at(line_text, col)
    if word is None:
        return None
    if "/" in word[0]:
        return word[0], "target"
    context = key_context(lines, position.line, word[2])
    kind = None
    if context is not None:
        kind = KEY_KINDS.get(context.key) if context.as_key else VALUE_KINDS.get(context.key)
    return word[0], kind


def definition_loc(plan: Plan, word: str, kind: str | None) -> Loc | None:
    """Where an id is defined (a target for ``node/metric``)."""
    if kind == "target" or "/" in word:
        target = _target_named(plan, word)
        return target.loc if target is not None else None
    for candidate in (kind,) if kind in LOOKUP_ORDER else LOOKUP_ORDER:
        found = _defined(plan, candidate, word)
        if found is not None:
            return found
    return None


def _defined(plan: Plan, kind: str | None, word: str) -> Loc | None:
    if kind == "person" and word in plan.people:
        return plan.people[word].loc / "id"
    if kind == "node" and word in plan.nodes:
        node = plan.nodes[word]
        return node.loc / ("rep" if node.level is Level.REP else "id")
    tables: dict[str, Any] = {
        "metric": plan.metrics,
        "product": plan.products,
        "pillar": plan.pillars,
        "segment": plan.segments,
    }
    table = tables.get(kind or "")
    if table is not None and word in table:
        loc: Loc = table[word].loc
        return loc / "id"
    return None


def reference_locs(plan: Plan, word: str, kind: str | None) -> list[Loc]:
    """Every place an id is used: references, targets of a metric, splits, adjustment records."""
    if kind == "target" or "/" in word:
        target = _target_named(plan, word)
        changes = [c.loc / "target" for c in _changes(plan) if f"{c.node}/{c.metric}" == word]
        return ([target.loc.as_key()] if target is not None else []) + changes
    kinds = {kind} if kind in LOOKUP_ORDER else set(LOOKUP_ORDER)
    if "person" in kinds and word in plan.nodes:
        kinds.add("node")  # a rep is a person and a node
    found = [r.loc for r in plan.references if r.kind in kinds and r.id == word]
    for node in plan.nodes.values():
        for metric, target in node.targets.items():
            if "metric" in kinds and metric == word:
                found.append(target.loc.as_key())
            if "product" in kinds and target.products and word in target.products:
                found.append((target.loc / "products" / word).as_key())
            if "segment" in kinds and target.segments and word in target.segments:
                found.append((target.loc / "segments" / word).as_key())
    for change in _changes(plan):
        if ("node" in kinds and change.node == word) or (
            "metric" in kinds and change.metric == word
        ):
            found.append(change.loc / "target")
    return found


def _changes(plan: Plan) -> Iterator[Change]:
    for adjustment in plan.adjustments:
        yield from adjustment.changes


# --- code actions ------------------------------------------------------------


def months_fix(uri: str, text: str, path: tuple[PathPart, ...]) -> types.CodeAction | None:
    """PLC303: make the months add up to the value by changing the last month."""
    months = node_under(text, path)  # the team of the path composed, or the whole buffer
    value = node_under(text, (*path[:-1], "value"))
    if not isinstance(months, SequenceNode) or not isinstance(value, ScalarNode):
        return None
    items = months.value
    numbers = [_number(item) for item in items]
    total = _number(value)
    if not items or total is None or any(n is None for n in numbers):
        return None
    last = total - sum((n for n in numbers[:-1] if n is not None), Decimal(0))
    if last < 0:
        return None
    edit = types.TextEdit(node_range(lines_of(text), items[-1]), plain(last))
    return types.CodeAction(
        title=f"Make the months add up: last month {plain(numbers[-1] or 0)} → {plain(last)}",
        kind=types.CodeActionKind.QuickFix,
        edit=types.WorkspaceEdit(changes={uri: [edit]}),
    )


def _number(node: Node) -> Decimal | None:
    if not isinstance(node, ScalarNode) or node.style:
        return None
    try:
        return Decimal(node.value)
    except InvalidOperation:
        return None


def record_stub_fix(
    plan: Plan, uri: str, text: str, path: tuple[PathPart, ...], today: date
) -> types.CodeAction | None:
    """PLC602: a stub adjustment record taking the target from the record's value to the plan's."""
    change = next((c for c in _changes(plan) if (c.loc / "to").path == path), None)
    if change is None:
        return None
    node = plan.nodes.get(change.node)
    if node is None or change.metric not in node.targets:
        return None
    current = node.targets[change.metric].value
    return _stub_action(plan, node.targets[change.metric], change.after, current, uri, text, today)


def changed_target_fix(
    plan: Plan,
    target: Target,
    before: Decimal | None,
    quarter_uri: str,
    quarter_text: str,
    today: date,
) -> types.CodeAction | None:
    """A target whose number differs from what it was: a stub record of the change, unless the
    newest record of the target already says so."""
    if before is None or before == target.value:
        return None
    recorded = [c for c in _changes(plan) if (c.node, c.metric) == (target.node, target.metric)]
    if recorded and recorded[-1].after == target.value:
        return None
    return _stub_action(plan, target, before, target.value, quarter_uri, quarter_text, today)


def _stub_action(
    plan: Plan,
    target: Target,
    before: Decimal | None,
    after: Decimal,
    uri: str,
    text: str,
    today: date,
) -> types.CodeAction | None:
    # The stub must sort after every record of the target (by effective date, then date).
    earlier = [a for a in plan.adjustments if any(c.node == target.node for c in a.changes)]
    decided = max([today, *(a.decided for a in earlier)])
    in_quarter = min(max(today, plan.quarter.start), plan.quarter.end)
    effective = max([in_quarter, *(a.effective for a in earlier)])
    record = RecordText(
        id=next_id([a.id for a in plan.adjustments]),
        decided=decided,
        effective=effective,
        cause="",
        note="",
        approved_by=(),
        changes=[(target.ref, before, after)],
    )
    try:
        new_text = add_record(text.encode("utf-8"), record).decode("utf-8")
    except (ValueError, UnicodeError):
        return None
    shown = "new" if before is None else plain(before)
    return types.CodeAction(
        title=f"Add an adjustment record stub: {target.ref} {shown} → {plain(after)}",
        kind=types.CodeActionKind.QuickFix,
        edit=types.WorkspaceEdit(changes={uri: [minimal_edit(text, new_text)]}),
    )


def modeline_fix(uri: str, file: Path) -> types.CodeAction:
    """PLC012: the schema modeline as the first line, pointing at the nearest plan schema."""
    schema = nearest_schema(file)
    edit = types.TextEdit(
        types.Range(types.Position(0, 0), types.Position(0, 0)), f"{MODELINE}{schema}\n"
    )
    return types.CodeAction(
        title="Add the schema modeline",
        kind=types.CodeActionKind.QuickFix,
        edit=types.WorkspaceEdit(changes={uri: [edit]}),
    )


def nearest_schema(file: Path) -> str:
    """``schema/plan.schema.json`` in the nearest folder above, else planc's own, relative."""
    for folder in file.parents:
        candidate = folder / "schema" / "plan.schema.json"
        if candidate.is_file():
            return Path(_relative(candidate, file.parent)).as_posix()
    return Path(_relative(schema_path(), file.parent)).as_posix()


def _relative(target: Path, start: Path) -> str:
    try:
        return os.path.relpath(target, start)
    except ValueError:  # another drive
        return target.as_posix()


def minimal_edit(old: str, new: str) -> types.TextEdit:
    """One edit replacing only the part of ``old`` that differs from ``new``."""
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    lines = lines_of(old)
    start = _position_of(lines, prefix)
    end = _position_of(lines, len(old) - suffix)
    return types.TextEdit(types.Range(start, end), new[prefix : len(new) - suffix])


def _position_of(lines: list[str], offset: int) -> types.Position:
    for number, line in enumerate(lines):
        if offset <= len(line):
            return types.Position(number, utf16_col(line, offset))
        offset -= len(line) + 1
    return types.Position(len(lines) - 1, utf16_col(lines[-1], len(lines[-1])))


# --- document symbols --------------------------------------------------------


def symbols_json(text: str) -> list[dict[str, Any]]:
    """:func:`symbols` as the JSON the client gets, built directly: the outline of a 1.9 MB
    region file is ~9,000 symbols, which pygls's generic converter turns into JSON in
    seconds, on the server's loop."""
    return [_symbol_json(symbol) for symbol in symbols(text)]


def _range_json(where: types.Range) -> dict[str, Any]:
    return {
        "start": {"line": where.start.line, "character": where.start.character},
        "end": {"line": where.end.line, "character": where.end.character},
    }


def _symbol_json(symbol: types.DocumentSymbol) -> dict[str, Any]:
    out: dict[str, Any] = {"name": symbol.name}
    if symbol.detail is not None:
        out["detail"] = symbol.detail
    out["kind"] = int(symbol.kind)
    out["range"] = _range_json(symbol.range)
    out["selectionRange"] = _range_json(symbol.selection_range)
    if symbol.children is not None:
        out["children"] = [_symbol_json(child) for child in symbol.children]
    return out


def symbols(text: str) -> list[types.DocumentSymbol]:
    """The outline: region → teams → reps with their targets; the company in a quarter file."""
    root = compose(text)
    if not isinstance(root, MappingNode):
        return []
    lines = lines_of(text)
    top = {getattr(k, "value", None): (k, v) for k, v in root.value}
    out = []
    if "region" in top:
        out += _node_symbols(lines, top["region"][0], top["region"][1], "teams")
    if "company" in top:
        out += _node_symbols(lines, top["company"][0], top["company"][1], None)
    if "adjustments" in top and isinstance(top["adjustments"][1], SequenceNode):
        records = [
            _symbol(lines, str(_scalar(item, "id") or "record"), item, item, types.SymbolKind.Event)
            for item in top["adjustments"][1].value
            if isinstance(item, MappingNode)
        ]
        if records:
            key, value = top["adjustments"]
            out.append(_symbol(lines, "adjustments", key, value, types.SymbolKind.Array, records))
    return out


_CHILD_LIST = {"teams": "reps", "reps": None}


def _node_symbols(
    lines: list[str], key: Node, node: Node, children_key: str | None
) -> list[types.DocumentSymbol]:
    if not isinstance(node, MappingNode):
        return []
    ident = _scalar(node, "id") or _scalar(node, "rep") or getattr(key, "value", "?")
    children = _target_symbols(lines, node)
    below = _value(node, children_key) if children_key else None
    if isinstance(below, SequenceNode):
        for item in below.value:
            children += _node_symbols(lines, item, item, _CHILD_LIST.get(children_key or ""))
    kind = {"teams": types.SymbolKind.Namespace, "reps": types.SymbolKind.Class}.get(
        children_key or "", types.SymbolKind.Object
    )
    name = _scalar(node, "name")
    symbol = _symbol(lines, str(ident), key, node, kind, children)
    symbol.detail = str(name) if name else None
    return [symbol]


def _target_symbols(lines: list[str], node: MappingNode) -> list[types.DocumentSymbol]:
    targets = _value(node, "targets")
    if not isinstance(targets, MappingNode):
        return []
    out = []
    for key, value in targets.value:
        number = _scalar(value, "value") if isinstance(value, MappingNode) else None
        symbol = _symbol(lines, str(key.value), key, value, types.SymbolKind.Number)
        symbol.detail = str(number) if number is not None else None
        out.append(symbol)
    return out


def _symbol(
    lines: list[str],
    name: str,
    start: Node,
    end: Node,
    kind: types.SymbolKind,
    children: list[types.DocumentSymbol] | None = None,
) -> types.DocumentSymbol:
    whole = types.Range(node_range(lines, start).start, node_range(lines, end).end)
    return types.DocumentSymbol(
        name=name or "?",
        kind=kind,
        range=whole,
        selection_range=types.Range(whole.start, whole.start),
        children=children or None,
    )


def _value(node: MappingNode, key: str) -> Node | None:
    for k, v in node.value:
        if getattr(k, "value", None) == key:
            found: Node = v
            return found
    return None


def _scalar(node: Node, key: str) -> str | None:
    if not isinstance(node, MappingNode):
        return None
    found = _value(node, key)
    return found.value if isinstance(found, ScalarNode) else None
