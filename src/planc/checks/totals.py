"""Reconciliation (PLC3xx): numbers add up, exactly, in Decimal.

Summed metrics (amounts, counts) reconcile children against their parent
within the policy's over-assignment band; caps never add up above the parent;
shares and scores are compared as (weighted) means, never summed.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction

from planc.checks.base import (
    Finding,
    amounts,
    check,
    level_id,
    named_scope,
    named_target,
    percents,
)
from planc.core.diagnostics import Message, Severity
from planc.core.model import Node, Plan, Target

_ZERO = Decimal(0)  # a sum's start, made once (Decimal(0) per call costs ~200 ns)


def _child_targets(plan: Plan, node: Node, metric: str) -> list[tuple[Node, Target]]:
    found = []
    for child_id in node.children:
        child = plan.nodes.get(child_id)
        if child is not None and metric in child.targets:
            found.append((child, child.targets[metric]))
    return found


def _children_word(node: Node) -> Message:
    """The level below, as a message of its own (so that a catalog translates the word)."""
    if int(node.level) == 0:
        return Message("regions")
    if int(node.level) == 1:
        return Message("teams")
    return Message("reps")


def _summed(plan: Plan, target: Target) -> bool:
    metric = plan.metrics.get(target.metric)
    return metric is None or metric.summed


def _gap(total: Decimal, expected: Decimal) -> Message:
    difference = total - expected
    if difference < 0:
        return Message("short by {amount}", amount=-difference)
    return Message("over by {amount}", amount=difference)


def _summed_levels(plan: Plan, *, caps: bool) -> Iterator[tuple[Node, Target, Decimal, int]]:
    """(parent, parent target, sum of children, number of children) for summed metrics."""
    for node in plan.nodes.values():
        if not node.children:
            continue
        for metric_id, target in node.targets.items():
            metric = plan.metrics.get(metric_id)
            if metric is None or not metric.summed or metric.is_cap != caps:
                continue
            children = _child_targets(plan, node, metric_id)
            if children:
                yield node, target, sum((t.value for _, t in children), _ZERO), len(children)


@check("PLC301", Severity.ERROR)
def children_out_of_band(plan: Plan) -> Iterator[Finding]:
    """Children's targets do not add up to the parent's within the over-assignment band.

    Reps' quotas commonly add up to 100-120 % of their team's number, so the
    team still makes its number when some reps miss. Below 100 % the parent's
    number is not covered; far above it reps are set up to fail.

    Fails (policy over_assignment 0..20, reps add up to 1,250,000 = 125 %)::

        targets: {revenue: {value: 1000000}}
        reps:
          - {rep: a, targets: {revenue: {value: 650000}}}
          - {rep: b, targets: {revenue: {value: 600000}}}

    Passes (110 %)::

        targets: {revenue: {value: 1000000}}
        reps:
          - {rep: a, targets: {revenue: {value: 550000}}}
          - {rep: b, targets: {revenue: {value: 550000}}}
    """
    band = plan.policy.over_assignment
    tolerance = plan.policy.tolerance
    for node, target, total, _ in _summed_levels(plan, caps=False):
        low = target.value * (100 + band.min) / 100 - tolerance
        high = target.value * (100 + band.max) / 100 + tolerance
        if low <= total <= high:
            continue
        exact_share = Fraction(total) * 100 / Fraction(target.value) if target.value else None
        low_shown, high_shown, *share_shown = percents(
            100 + band.min, 100 + band.max, *([] if exact_share is None else [exact_share])
        )
        share = share_shown[0] if share_shown else "—"
        allowed = Message("{low} to {high}", low=low_shown, high=high_shown)
        if total < low:
            edge, shown = target.value * (100 + band.min) / 100, low_shown
            gap = Message(
                "under-assigned, short by {amount} of {edge}", amount=edge - total, edge=shown
            )
        else:
            edge, shown = target.value * (100 + band.max) / 100, high_shown
            gap = Message(
                "over-assigned by {amount} beyond {edge}",
                amount=total - edge,
                edge=shown,
            )
        children = _children_word(node)
        yield (
            target.loc / "value",
            Message(
                "{scope}: {children} add up to {total}, target is {value} ({share}); {gap}, "
                "policy allows {allowed}",
                scope=named_scope(plan, node, target),
                children=children,
                total=total,
                value=target.value,
                share=share,
                gap=gap,
                allowed=allowed,
            ),
            (
                Message(
                    "change the {children}' targets or this target so they reconcile",
                    children=children,
                )
                if total < low
                else Message(
                    "lower some of the {children}' targets, or widen policy.over_assignment",
                    children=children,
                )
            ),
        )


@check("PLC302", Severity.ERROR)
def caps_exceed_parent(plan: Plan) -> Iterator[Finding]:
    """Children's caps (a lower-is-better metric such as sales expense) add up to more than the parent's cap.

    A cap is a most-you-may-spend: if the teams may spend more than the region,
    the region's cap is not a cap.

    Fails::

        targets: {sales_expense: {value: 100000}}
        teams:
          - {id: a, ..., targets: {sales_expense: {value: 60000}}}
          - {id: b, ..., targets: {sales_expense: {value: 50000}}}

    Passes::

        targets: {sales_expense: {value: 100000}}
        teams:
          - {id: a, ..., targets: {sales_expense: {value: 50000}}}
          - {id: b, ..., targets: {sales_expense: {value: 50000}}}
    """
    tolerance = plan.policy.tolerance
    for node, target, total, _ in _summed_levels(plan, caps=True):
        if total > target.value + tolerance:
            children = _children_word(node)
            yield (
                target.loc / "value",
                Message(
                    "{scope}: {children}' caps add up to {total}, above this cap of {value}; "
                    "over by {amount}",
                    scope=named_scope(plan, node, target),
                    children=children,
                    total=total,
                    value=target.value,
                    amount=total - target.value,
                ),
                Message("lower the {children}' caps or raise this one", children=children),
            )


@check("PLC303", Severity.ERROR)
def months_do_not_add_up(plan: Plan) -> Iterator[Finding]:
    """Monthly phasing does not add up to the quarter's value.

    Fails::

        revenue: {value: 600000, months: [200000, 200000, 150000]}

    Passes::

        revenue: {value: 600000, months: [200000, 200000, 200000]}
    """
    tolerance = plan.policy.tolerance
    split = {m.id for m in plan.metrics.values() if not m.summed}  # not _summed: PLC306's
    for node in plan.nodes.values():
        for target in node.targets.values():
            if target.months is None or target.metric in split:
                continue  # a share's or score's split is PLC306's to report
            total = sum(target.months, _ZERO)
            if abs(total - target.value) > tolerance:
                yield (
                    target.loc / "months",
                    Message(
                        "{scope}: months add up to {total}, the quarter's value is {value} ({gap})",
                        scope=named_target(plan, target),
                        total=total,
                        value=target.value,
                        gap=_gap(total, target.value),
                    ),
                    Message("make the months add up to value"),
                )


@check("PLC304", Severity.ERROR)
def months_do_not_match_quarter(plan: Plan) -> Iterator[Finding]:
    """Monthly phasing has a different number of entries than the quarter has months.

    Fails (a calendar quarter has three months)::

        revenue: {value: 600000, months: [300000, 300000]}

    Passes::

        revenue: {value: 600000, months: [200000, 200000, 200000]}
    """
    expected = len(plan.quarter.months)
    for node in plan.nodes.values():
        for target in node.targets.values():
            if target.months is not None and len(target.months) != expected:
                yield (
                    target.loc / "months",
                    Message(
                        "{ref}: {count} monthly values, the quarter has {expected} months",
                        ref=target.ref,
                        count=len(target.months),
                        expected=expected,
                    ),
                    Message("give one number per month, {expected} in all", expected=expected),
                )


@check("PLC305", Severity.ERROR)
def products_do_not_add_up(plan: Plan) -> Iterator[Finding]:
    """The product-line split does not add up to the target's value.

    Fails::

        revenue: {value: 600000, products: {pro: 400000, basic: 100000}}

    Passes::

        revenue: {value: 600000, products: {pro: 400000, basic: 200000}}
    """
    tolerance = plan.policy.tolerance
    for node in plan.nodes.values():
        for target in node.targets.values():
            if target.products is None or not _summed(plan, target):
                continue  # a share's or score's split is PLC306's to report
            total = sum(target.products.values(), _ZERO)
            if abs(total - target.value) > tolerance:
                yield (
                    target.loc / "products",
                    Message(
                        "{scope}: product lines add up to {total}, the value is {value} ({gap})",
                        scope=named_target(plan, target),
                        total=total,
                        value=target.value,
                        gap=_gap(total, target.value),
                    ),
                    Message("make the product split add up to value"),
                )


@check("PLC306", Severity.ERROR)
def split_of_unsummed_metric(plan: Plan) -> Iterator[Finding]:
    """Monthly phasing or a product split on a metric that does not add up (a share or a score).

    A 40 % share in January and 50 % in February is not a 90 % quarter: shares
    and scores are never summed.

    Fails::

        key_product_share: {value: 45, months: [15, 15, 15]}

    Passes::

        key_product_share: {value: 45}
    """
    unsummed = {m.id for m in plan.metrics.values() if not m.summed}
    for node in plan.nodes.values():
        for target in node.targets.values():
            if target.metric not in unsummed or (target.months is None and target.products is None):
                continue  # a summed or unknown metric, or nothing split
            metric = plan.metrics[target.metric]
            for part in ("months", "products"):
                if getattr(target, part) is not None:
                    named = {"ref": target.ref, "metric": metric.name, "rollup": metric.rollup}
                    yield (
                        target.loc / part,
                        (
                            Message(
                                "{ref}: {metric} rolls up as {rollup}, so its months cannot add "
                                "up to the quarter",
                                **named,
                            )
                            if part == "months"
                            else Message(
                                "{ref}: {metric} rolls up as {rollup}, so its products cannot add "
                                "up to the quarter",
                                **named,
                            )
                        ),
                        Message("remove {part}: only metrics with rollup sum are split", part=part),
                    )


@check("PLC307", Severity.ERROR)
def mean_below_parent(plan: Plan) -> Iterator[Finding]:
    """Children's share or score targets, averaged, do not reach the parent's.

    For a share or a score the parent's target is reached when the children's
    (weighted) mean reaches it. With ``rollup: weighted_mean`` each child
    weighs by its target in the metric named by ``weight``.

    Fails (mean of 4.2 and 4.4 is 4.3)::

        targets: {csat: {value: 4.5}}
        reps:
          - {rep: a, targets: {csat: {value: 4.2}}}
          - {rep: b, targets: {csat: {value: 4.4}}}

    Passes::

        targets: {csat: {value: 4.5}}
        reps:
          - {rep: a, targets: {csat: {value: 4.5}}}
          - {rep: b, targets: {csat: {value: 4.6}}}
    """
    tolerance = plan.policy.tolerance
    for node in plan.nodes.values():
        if not node.children:
            continue
        for metric_id, target in node.targets.items():
            metric = plan.metrics.get(metric_id)
            if metric is None or metric.rollup not in ("mean", "weighted_mean"):
                continue
            children = _child_targets(plan, node, metric_id)
            if not children:
                continue
            mean, how = _mean(
                plan, children, metric.weight if metric.rollup == "weighted_mean" else None
            )
            short = (
                mean < target.value - tolerance
                if not metric.is_cap
                else mean > target.value + tolerance
            )
            if short:
                mean_shown, target_shown = amounts(mean, target.value, places=2)
                named = {
                    "node": level_id(node),
                    "metric": metric_id,
                    "children": _children_word(node),
                    "how": how,
                    "mean": mean_shown,
                    "value": target_shown,
                }
                yield (
                    target.loc / "value",
                    (
                        Message(
                            "{node} {metric}: {children}' {how} is {mean}, below the target of "
                            "{value}",
                            **named,
                        )
                        if not metric.is_cap
                        else Message(
                            "{node} {metric}: {children}' {how} is {mean}, above the target of "
                            "{value}",
                            **named,
                        )
                    ),
                    Message(
                        "raise some of the {children}' targets, or lower this one",
                        children=_children_word(node),
                    ),
                )


def _mean(
    plan: Plan, children: list[tuple[Node, Target]], weight: str | None
) -> tuple[Decimal, Message]:
    values = [t.value for _, t in children]
    if weight is not None:
        weights = [
            child.targets[weight].value if weight in child.targets else None
            for child, _ in children
        ]
        if all(w is not None for w in weights):
            known = [w for w in weights if w is not None]
            total = sum(known, _ZERO)
            if total > 0:
                return sum(
                    (v * w for v, w in zip(values, known, strict=True)), Decimal(0)
                ) / total, Message("mean weighted by {weight}", weight=weight)
    return sum(values, _ZERO) / len(values), Message("mean")


@check("PLC308", Severity.WARNING)
def not_rounded(plan: Plan) -> Iterator[Finding]:
    """A currency target is not a multiple of the policy's rounding unit.

    Rounded numbers are easier to talk about; planc allocate keeps rounded
    splits exact with the largest-remainder method.

    Fails (policy rounding: 1000)::

        revenue: {value: 553250}

    Passes::

        revenue: {value: 553000}
    """
    unit = plan.policy.rounding
    if unit is None:
        return
    currency = {m.id for m in plan.metrics.values() if m.unit == "currency"}
    for node in plan.nodes.values():
        for metric_id, target in node.targets.items():
            if metric_id not in currency:
                continue
            for part, value in (("value", target.value), ("stretch", target.stretch)):
                if value is not None and value % unit != 0:
                    yield (
                        target.loc / part,
                        Message(
                            "{ref} {part} {value} is not a multiple of {unit}",
                            ref=target.ref,
                            part=part,
                            value=value,
                            unit=unit,
                        ),
                        Message(
                            "round to {value}", value=(value / unit).to_integral_value() * unit
                        ),
                    )


@check("PLC309", Severity.WARNING)
def child_without_target(plan: Plan) -> Iterator[Finding]:
    """Some children carry a summed metric's target and others do not.

    When the parent's number is split, every child should get a share of it,
    even if it is zero; a missing one is usually forgotten.

    Fails::

        reps:
          - {rep: a, targets: {revenue: {value: 500000}}}
          - {rep: b, targets: {}}

    Passes::

        reps:
          - {rep: a, targets: {revenue: {value: 500000}}}
          - {rep: b, targets: {revenue: {value: 500000}}}
    """
    for node in plan.nodes.values():
        if not node.children:
            continue
        for metric_id in node.targets:
            metric = plan.metrics.get(metric_id)
            if metric is None or not metric.summed:
                continue
            with_target = _child_targets(plan, node, metric_id)
            if not with_target or len(with_target) == len(node.children):
                continue
            for child_id in node.children:
                child = plan.nodes.get(child_id)
                if child is not None and metric_id not in child.targets:
                    yield (
                        child.loc,
                        Message(
                            "{child} has no {metric} target, while {count} of {all} in {node} do",
                            child=level_id(child),
                            metric=metric_id,
                            count=len(with_target),
                            all=len(node.children),
                            node=node.id,
                        ),
                        Message(
                            "give {id} a {metric} target (0 if none)", id=child.id, metric=metric_id
                        ),
                    )


CHECKS = (
    children_out_of_band, caps_exceed_parent, months_do_not_add_up, months_do_not_match_quarter,
    products_do_not_add_up, split_of_unsummed_metric, mean_below_parent, not_rounded,
    child_without_target,
)  # fmt: skip
