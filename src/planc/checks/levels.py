"""Across levels (PLC320-PLC329): what one level at a time cannot see.

Over-assignment compounds: reps at 110 % of teams at 110 % of a region carry
121 % of the region, though each level is inside its band. Stretch goals
(挑战) roll up like the committed values (保底), in their own band.
Every sum is one pass over the nodes, so the checks stay linear in the plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction

from planc.checks.base import Finding, check, level_id, percent_beside, plural_level
from planc.core.diagnostics import Items, Message, Severity
from planc.core.model import Band, Level, Node, Plan, Target

_POLICY_KEY = {Level.REGION: "region", Level.COMPANY: "company"}


def level_sums(plan: Plan, metric: str) -> dict[tuple[str, Level], Decimal]:
    """(ancestor id, level) -> the sum of the ``metric`` targets of that level's nodes below it.

    Each node adds its value to every ancestor above it: at most three steps
    per node, so the whole table is linear in the plan.
    """
    sums: dict[tuple[str, Level], Decimal] = {}
    for node in plan.nodes.values():
        target = node.targets.get(metric)
        if target is None or node.level is Level.COMPANY:
            continue
        parent = plan.nodes.get(node.parent or "")
        # At most three levels above a node; a rep whose id is its own team's (an id
        # collision, PLC206) would otherwise be its own parent and loop for ever.
        for _ in range(Level.REP):
            if parent is None or parent is node:
                break
            key = (parent.id, node.level)
            sums[key] = sums.get(key, Decimal(0)) + target.value
            parent = plan.nodes.get(parent.parent or "")
    return sums


def _level_sums_of(plan: Plan, metrics: list[str]) -> dict[str, dict[tuple[str, Level], Decimal]]:
    """``{metric: level_sums(plan, metric)}`` for each of ``metrics``, in one pass over the
    nodes: each node's ancestors are looked up once, not once per metric."""
    out: dict[str, dict[tuple[str, Level], Decimal]] = {metric: {} for metric in metrics}
    if not metrics:
        return out
    nodes = plan.nodes
    zero = Decimal(0)
    for node in nodes.values():
        if node.level is Level.COMPANY:
            continue
        targets = node.targets
        keys = []
        parent = nodes.get(node.parent or "")
        for _ in range(Level.REP):  # as level_sums: at most three levels, never itself
            if parent is None or parent is node:
                break
            keys.append((parent.id, node.level))
            parent = nodes.get(parent.parent or "")
        if not keys:
            continue
        for metric, sums in out.items():
            target = targets.get(metric)
            if target is None:
                continue
            value = target.value
            for key in keys:
                sums[key] = sums.get(key, zero) + value
    return out


def chain(
    plan: Plan, node: Node, sums: dict[tuple[str, Level], Decimal], value: Decimal
) -> Items | None:
    """How the reps' share of ``node`` compounds, level by level: 'teams 110.0% of east, reps ...'."""
    parts = []
    above = value
    above_label: Message = level_id(node)
    for level in range(node.level + 1, Level.REP + 1):
        total = sums.get((node.id, Level(level)))
        if total is None or above == 0:
            return None
        share = Fraction(total) * 100 / Fraction(above)
        these = plural_level(Level(level))
        parts.append(
            Message(
                "{children} {share} of {above}",
                children=these,
                share=percent_beside(share, 100),
                above=above_label,
            )
        )
        above, above_label = total, Message("the {children}", children=these)
    return Items(parts) if parts else None


def cumulative_limits(band: Band, value: Decimal, tolerance: Decimal) -> tuple[Decimal, Decimal]:
    """The lowest and highest the reps below a node may add up to."""
    return (
        value * (100 + band.min) / 100 - tolerance,
        value * (100 + band.max) / 100 + tolerance,
    )


def _shares(total: Decimal, whole: Decimal, band: Band) -> tuple[str, Message]:
    """' (144.0%)' and '100.0% to 130.0%', each with the digits that tell them apart."""
    low, high = 100 + band.min, 100 + band.max
    if not whole:
        return "", Message("{low} to {high}", low=percent_beside(low), high=percent_beside(high))
    ratio = Fraction(total) * 100 / Fraction(whole)
    return (
        f" ({percent_beside(ratio, low, high)})",
        Message(
            "{low} to {high}", low=percent_beside(low, ratio), high=percent_beside(high, ratio)
        ),
    )


def _summed_metrics(plan: Plan) -> Iterator[str]:
    for metric in plan.metrics.values():
        if metric.summed and not metric.is_cap:
            yield metric.id


@check("PLC320", Severity.ERROR)
def cumulative_over_assignment(plan: Plan) -> Iterator[Finding]:
    """The reps of a region, or of the whole company, add up outside the cumulative band.

    Each level may be inside ``policy.over_assignment`` while the levels
    compound: teams at 120 % of a region and reps at 120 % of their teams give
    the reps 144 % of the region. ``policy.over_assignment.cumulative`` bounds
    the reps' sum against each region and against the company (default: the
    per-level band widened by half, 0..20 gives 0..30).

    Fails (region 1,000,000; teams 1,200,000; reps 1,440,000: 144 %)::

        region: {id: east, ..., targets: {revenue: {value: 1000000}},
          teams: [{id: east-a, ..., targets: {revenue: {value: 1200000}},
                   reps: [{rep: a, targets: {revenue: {value: 1440000}}}]}]}

    Passes (teams 110 %, reps 110 % of the teams: 121 %)::

        region: {id: east, ..., targets: {revenue: {value: 1000000}},
          teams: [{id: east-a, ..., targets: {revenue: {value: 1100000}},
                   reps: [{rep: a, targets: {revenue: {value: 1210000}}}]}]}
    """
    tolerance = plan.policy.tolerance
    for metric_id, sums in _level_sums_of(plan, list(_summed_metrics(plan))).items():
        for node in plan.nodes.values():
            if node.level not in _POLICY_KEY or metric_id not in node.targets:
                continue
            reps = sums.get((node.id, Level.REP))
            if reps is None:
                continue
            yield from _out_of_cumulative(
                plan, node, node.targets[metric_id], reps, sums, tolerance
            )


def _out_of_cumulative(
    plan: Plan,
    node: Node,
    target: Target,
    reps: Decimal,
    sums: dict[tuple[str, Level], Decimal],
    tolerance: Decimal,
) -> Iterator[Finding]:
    band = plan.policy.cumulative(node.level)
    low, high = cumulative_limits(band, target.value, tolerance)
    if low <= reps <= high:
        return
    key = _POLICY_KEY[node.level]
    share, allowed = _shares(reps, target.value, band)
    steps = chain(plan, node, sums, target.value)
    named = {
        "node": level_id(node),
        "metric": target.metric,
        "reps": reps,
        "value": target.value,
        "share": share,
        "key": key,
        "allowed": allowed,
    }
    yield (
        target.loc / "value",
        (
            Message(
                "{node} {metric}: its reps add up to {reps}, target is {value}{share}: {steps}; "
                "policy.over_assignment.cumulative.{key} allows {allowed}",
                steps=steps,
                **named,
            )
            if steps
            else Message(
                "{node} {metric}: its reps add up to {reps}, target is {value}{share}; "
                "policy.over_assignment.cumulative.{key} allows {allowed}",
                **named,
            )
        ),
        (
            Message(
                "lower the cushion at some level (teams or reps), or widen "
                "policy.over_assignment.cumulative.{key}",
                key=key,
            )
            if reps > high
            else Message("raise the reps' targets so they cover this one")
        ),
    )


@check("PLC321", Severity.WARNING)
def stretch_out_of_band(plan: Plan) -> Iterator[Finding]:
    """Children's stretch goals do not add up to the parent's stretch within its band.

    Base and stretch (保底/挑战) are two levels of one plan: if the teams all
    hit their stretch, the region should hit its own. A child without a
    stretch goal counts its value. The band is ``policy.over_assignment.stretch``
    (default: the band of the values); for a cap, the children's stretch caps
    may not add up above the parent's.

    Fails (children's stretch 1,000,000 against the parent's 1,200,000: 83.3 %)::

        targets: {revenue: {value: 1000000, stretch: 1200000}}
        reps:
          - {rep: a, targets: {revenue: {value: 500000, stretch: 550000}}}
          - {rep: b, targets: {revenue: {value: 450000}}}

    Passes (1,200,000: 100 %)::

        targets: {revenue: {value: 1000000, stretch: 1200000}}
        reps:
          - {rep: a, targets: {revenue: {value: 500000, stretch: 600000}}}
          - {rep: b, targets: {revenue: {value: 500000, stretch: 600000}}}
    """
    band = plan.policy.stretch
    tolerance = plan.policy.tolerance
    stretch_sums = _stretch_sums(plan)
    for (node_id, metric_id), total in stretch_sums.items():
        node = plan.nodes[node_id]
        target = node.targets[metric_id]
        assert target.stretch is not None  # only parents with a stretch are summed
        cap = plan.metrics[metric_id].is_cap
        low, high = cumulative_limits(band, target.stretch, tolerance)
        if cap:
            low, high = Decimal("-Infinity"), target.stretch + tolerance
        if low <= total <= high:
            continue
        share, allowed = _shares(total, target.stretch, band)
        label = plural_level(Level(node.level + 1))
        if cap:
            allowed = Message("no more than the parent's")
        yield (
            target.loc / "stretch",
            Message(
                "{node} {metric}: the {children}' stretch goals add up to {total}, this stretch "
                "goal is {stretch}{share}; policy.over_assignment.stretch allows {allowed}",
                node=level_id(node),
                metric=metric_id,
                children=label,
                total=total,
                stretch=target.stretch,
                share=share,
                allowed=allowed,
            ),
            (
                Message("raise the {children}' stretch goals, or lower this one", children=label)
                if total < low
                else Message(
                    "lower some of the {children}' stretch goals, or raise this one",
                    children=label,
                )
            ),
        )


def _stretch_sums(plan: Plan) -> dict[tuple[str, str], Decimal]:
    """(parent id, metric) -> the children's stretch (else value), for parents with a stretch."""
    sums: dict[tuple[str, str], Decimal] = {}
    summed = {metric.id for metric in plan.metrics.values() if metric.summed}
    stretched: dict[str, set[str]] = {}  # parent -> its summed metrics with a stretch
    for node in plan.nodes.values():
        parent = plan.nodes.get(node.parent or "")
        if parent is None:
            continue
        wanted = stretched.get(parent.id)
        if wanted is None:
            wanted = stretched[parent.id] = {
                metric_id
                for metric_id, above in parent.targets.items()
                if above.stretch is not None and metric_id in summed
            }
        if not wanted:
            continue
        for metric_id, target in node.targets.items():
            if metric_id not in wanted:
                continue
            own = target.stretch if target.stretch is not None else target.value
            key = (parent.id, metric_id)
            sums[key] = sums.get(key, Decimal(0)) + own
    return sums


CHECKS = (cumulative_over_assignment, stretch_out_of_band)
