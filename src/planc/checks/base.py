"""What a check is: a rule plus a pure function from the plan to findings."""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import TypeVar

from planc.core.diagnostics import Diagnostic, Message, Named, Rule, Severity, rule
from planc.core.model import Level, Node, Plan, Target
from planc.core.numbers import apart, grouped
from planc.core.source import Loc

# A check yields (where, message, hint); the framework attaches its code and severity.
Finding = tuple[Loc, str, str | None]
CheckFunction = Callable[[Plan], Iterable[Finding]]


_T = TypeVar("_T")


def per_plan(function: Callable[[Plan], _T]) -> Callable[[Plan], _T]:
    """``function(plan)`` computed once per plan object, while that plan lives: several
    checks (and the partition's region shell) read the same facts of one plan. Only the
    last plan's value is kept, through a weak reference (a plan is never changed; the value
    is shared, so it must not be changed either, and it must not refer to the plan, which
    would then live as long as the value)."""
    last: list[tuple[weakref.ref[Plan], _T] | None] = [None]

    def forget(dead: weakref.ref[Plan]) -> None:
        # the value dies with its plan: a diff frees one plan before it builds the next,
        # and the references of a 50,000-rep plan alone are ~100 MB
        kept = last[0]
        if kept is not None and kept[0] is dead:
            last[0] = None

    def once(plan: Plan) -> _T:
        kept = last[0]
        if kept is not None and kept[0]() is plan:
            return kept[1]
        value = function(plan)
        last[0] = (weakref.ref(plan, forget), value)
        return value

    once.__doc__ = function.__doc__
    once.__name__ = function.__name__
    return once


@per_plan
def ancestry(plan: Plan) -> Mapping[str, tuple[Node, ...]]:
    """node id → ``tuple(plan.ancestors(node id))`` for every node of the plan, computed
    once per plan: PLC501, PLC503, PLC432/433 and the partition's region requests walk up
    from each action's node (a node missing from the plan has none: use ``.get(id, ())``).

    Each chain is its parent's with the node in front, as :meth:`Plan.ancestors` walks
    (and, where a walk would meet the node again through an id collision, just that walk)."""
    nodes = plan.nodes
    found: dict[str, tuple[Node, ...]] = {}
    for start in nodes:
        if start in found:
            continue
        path: list[Node] = []  # ``start`` and the nodes above it whose chains are not known
        ids: set[str] = set()
        key: str | None = start
        current = nodes.get(start)
        while current is not None and key not in found and current.id not in ids:
            if current.id != key:  # never from build_plan: each walk as Plan.ancestors makes it
                return MappingProxyType({k: tuple(plan.ancestors(k)) for k in nodes})
            path.append(current)
            ids.add(key)
            key = current.parent
            current = nodes.get(key) if key else None
        if current is None:
            chain: tuple[Node, ...] = ()
        elif key in found and ids.isdisjoint(n.id for n in found[key]):
            chain = found[key]
        else:  # a loop through an id collision: each walk as Plan.ancestors makes it
            for node in path:
                found[node.id] = tuple(plan.ancestors(node.id))
            continue
        for node in reversed(path):
            chain = (node, *chain)
            found[node.id] = chain
    return MappingProxyType(found)


@dataclass(frozen=True, slots=True)
class Check:
    rule: Rule
    function: CheckFunction

    def run(self, plan: Plan) -> Iterator[Diagnostic]:
        for where, message, hint in self.function(plan):
            yield self.rule.at(where, message, hint)


def check(code: str, severity: Severity) -> Callable[[CheckFunction], Check]:
    """Declare a check: the function's name is its slug, its docstring its documentation."""

    def wrap(function: CheckFunction) -> Check:
        slug = function.__name__.replace("_", "-")
        return Check(rule(code, slug, severity, function.__doc__ or slug), function)

    return wrap


def named_target(plan: Plan, target: Target) -> Message:
    """``Ann Lee · Revenue (ann/revenue)``: the names a page or a comment shows, then the
    target's id, which is what the YAML and ``planc explain`` go by."""
    node = plan.nodes.get(target.node)
    metric = plan.metrics.get(target.metric)
    return Message(
        "{name} · {metric} ({ref})",
        name=node.name if node is not None else target.node,
        metric=metric.name if metric is not None else target.metric,
        ref=target.ref,
    )


def named_scope(plan: Plan, node: Node, target: Target) -> Message:
    """``team North Enterprise (north-ent) · Revenue``: the node's level and name, its id for
    the YAML, and the metric's name."""
    metric = plan.metrics.get(target.metric)
    named = {
        "name": node.name,
        "id": node.id,
        "metric": metric.name if metric is not None else target.metric,
    }
    if node.level is Level.COMPANY:
        return Message("company {name} ({id}) · {metric}", **named)
    if node.level is Level.REGION:
        return Message("region {name} ({id}) · {metric}", **named)
    if node.level is Level.TEAM:
        return Message("team {name} ({id}) · {metric}", **named)
    return Message("rep {name} ({id}) · {metric}", **named)


def named_ref(plan: Plan, node_id: str, metric_id: str) -> Named:
    """``zhang-wei/revenue`` in English text (what the YAML says), ``Zhang Wei · Revenue``
    where a page or a comment shows it (its tables name targets so)."""
    ref = f"{node_id}/{metric_id}"
    node, metric = plan.nodes.get(node_id), plan.metrics.get(metric_id)
    if node is None or metric is None:
        return Named(ref, ref)
    return Named(ref, f"{node.name} · {metric.name}")


def level_id(node: Node) -> Message:
    """``team north-ent``: the node's level, in the reader's words, and its id."""
    if node.level is Level.COMPANY:
        return Message("company {id}", id=node.id)
    if node.level is Level.REGION:
        return Message("region {id}", id=node.id)
    if node.level is Level.TEAM:
        return Message("team {id}", id=node.id)
    return Message("rep {id}", id=node.id)


def plural_level(level: Level) -> Message:
    """What the nodes of a level are called together: ``regions``, ``teams``, ``reps``."""
    if level is Level.REGION:
        return Message("regions")
    if level is Level.TEAM:
        return Message("teams")
    if level is Level.REP:
        return Message("reps")
    return Message("children")


def amount(value: Decimal) -> str:
    """1180000 → '1,180,000'; 4.50 → '4.5' (see planc.core.numbers.grouped)."""
    return grouped(value)


def percent(value: Decimal | Fraction) -> str:
    """A percentage with one decimal: Decimal('98.333') → '98.3%'."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return f"{value.quantize(Decimal('0.1')):f}%"


def percent_beside(value: Decimal | Fraction | int, *bounds: Decimal | Fraction | int) -> str:
    """``value`` as a percentage with enough decimals to tell it from each bound.

    One decimal, unless that would print a value that is not a bound like one:
    5.02 beside 5 is "5.02%", never "5.0%"; 129.996 beside 130 is "129.996%".
    """
    exact = Fraction(value)
    for places in range(1, 29):
        step = Decimal(1).scaleb(-places)
        shown = _quantized(exact, step)
        if all(shown != _quantized(Fraction(b), step) or exact == b for b in bounds):
            return f"{shown:f}%"
    return f"{_quantized(exact, Decimal(1).scaleb(-28)):f}%"


def _quantized(value: Fraction, step: Decimal) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(step)


def signed_percent(value: Decimal) -> str:
    return signed(percent(value))


def signed(text: str) -> str:
    """'12.5%' → '+12.5%'; a negative stays as it is."""
    return text if text.startswith("-") else "+" + text


def percents(*values: Decimal | Fraction) -> list[str]:
    """Percentages shown side by side: one decimal, or as many more as it takes for two
    different ones to look different ("120.04%, allowed up to 120.00%")."""
    return [f"{shown:f}%" for shown in apart(values, 1)]


def amounts(*values: Decimal | Fraction, places: int = 0) -> list[str]:
    """Amounts shown side by side, like :func:`amount`, with as many decimals as it takes
    for two different ones to look different ("the mean is 4.4999, below 4.5")."""
    return [grouped(shown) for shown in apart(values, places)]


def ratio_percent(part: Decimal, whole: Decimal) -> Decimal:
    return part * 100 / whole


def round_up(value: Decimal | Fraction, unit: Decimal | None) -> Decimal:
    """Round up to a multiple of ``unit``, exactly (no unit: the value itself, to 28 digits)."""
    exact = Fraction(value)
    if unit is None or unit <= 0:
        return Decimal(exact.numerator) / Decimal(exact.denominator)
    return Decimal(math.ceil(exact / Fraction(unit))) * unit
