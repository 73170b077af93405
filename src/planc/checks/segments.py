"""Customer segments (PLC220-PLC222, PLC330-PLC331): a dimension of targets like product lines.

The seed splits targets by customer type (key accounts, existing, new). A
target's ``segments`` split names segments the quarter file defines and adds
up to its value; each named key account has one owner; a "new customer"
segment needs the definition (``customers.new``) that planc track applies.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from planc.checks.base import Finding, check
from planc.core.diagnostics import Message, Severity
from planc.core.model import Plan
from planc.core.spelling import closest

_ZERO = Decimal(0)  # a sum's start, made once (Decimal(0) per call costs ~200 ns)


@check("PLC220", Severity.ERROR)
def unknown_segment(plan: Plan) -> Iterator[Finding]:
    """A target's segment split names a segment the quarter file does not define.

    Fails (segments: key-accounts, existing, new)::

        revenue: {value: 600000, segments: {key-acounts: 400000, new: 200000}}

    Passes::

        revenue: {value: 600000, segments: {key-accounts: 400000, new: 200000}}
    """
    for node in plan.nodes.values():
        for target in node.targets.values():
            for segment_id in target.segments or {}:
                if segment_id in plan.segments:
                    continue
                guess = closest(segment_id, plan.segments)
                yield (
                    (target.loc / "segments" / segment_id).as_key(),
                    Message(
                        "{ref} splits into segment {segment}, which segments: does not define",
                        ref=target.ref,
                        segment=segment_id,
                    ),
                    Message("did you mean {near}?", near=guess)
                    if guess
                    else Message(
                        "define it under segments: in the quarter file, or use one that is"
                    ),
                )


@check("PLC221", Severity.ERROR)
def key_account_owned_twice(plan: Plan) -> Iterator[Finding]:
    """A named key account is listed under two reps (or twice under one).

    Each key account has one owner: two reps counting the same customer is
    double credit and nobody's account.

    Fails::

        - {rep: zhang-wei, key_accounts: [Acme Corporation]}
        - {rep: li-na, key_accounts: [Acme Corporation]}

    Passes::

        - {rep: zhang-wei, key_accounts: [Acme Corporation]}
        - {rep: li-na, key_accounts: [Betatech]}
    """
    owners: dict[str, str] = {}
    for node in plan.nodes.values():
        for index, account in enumerate(node.key_accounts):
            key = account.strip().casefold()
            first = owners.setdefault(key, node.id)
            if first == node.id and _listed_once_before(node.key_accounts, index):
                continue
            yield (
                node.loc / "key_accounts" / index,
                (
                    Message(
                        "key account {account} is listed twice under {node}",
                        account=repr(account),
                        node=node.id,
                    )
                    if first == node.id
                    else Message(
                        "key account {account} of {node} is already owned by {first}",
                        account=repr(account),
                        node=node.id,
                        first=first,
                    )
                ),
                Message("give each key account one owner; move it off one of the lists"),
            )


def _listed_once_before(accounts: tuple[str, ...], index: int) -> bool:
    """True when ``accounts[index]`` is its first listing in this list."""
    key = accounts[index].strip().casefold()
    return all(a.strip().casefold() != key for a in accounts[:index])


@check("PLC222", Severity.ERROR)
def new_segment_without_definition(plan: Plan) -> Iterator[Finding]:
    """A segment takes new customers, but the plan does not say what a new customer is.

    "New" depends on how far back one looks: the definition names its
    look-back (and, optionally, the smallest first order) so the number does
    not change with the length of the CRM export.

    Fails::

        segments:
          - {id: new, name: New customers, new: true}

    Passes::

        segments:
          - {id: new, name: New customers, new: true}
        customers:
          new: {first_order: 50000, look_back_months: 12}
    """
    defined = plan.customers is not None and plan.customers.look_back_months is not None
    for segment in plan.segments.values():
        if segment.new and not defined:
            yield (
                segment.loc / "new",
                Message(
                    "segment {segment} takes new customers, but customers.new is not defined",
                    segment=segment.id,
                ),
                Message(
                    "add customers: {{new: {{look_back_months: 12, first_order: ...}}}} to the "
                    "quarter file"
                ),
            )


@check("PLC330", Severity.ERROR)
def segments_do_not_add_up(plan: Plan) -> Iterator[Finding]:
    """The customer-segment split does not add up to the target's value.

    Fails::

        revenue: {value: 600000, segments: {key-accounts: 300000, existing: 200000, new: 50000}}

    Passes::

        revenue: {value: 600000, segments: {key-accounts: 300000, existing: 250000, new: 50000}}
    """
    tolerance = plan.policy.tolerance
    for node in plan.nodes.values():
        for target in node.targets.values():
            metric = plan.metrics.get(target.metric)
            if target.segments is None or (metric is not None and not metric.summed):
                continue  # a share's or score's split is PLC331's to report
            total = sum(target.segments.values(), _ZERO)
            if abs(total - target.value) > tolerance:
                difference = total - target.value
                gap = (
                    Message("{amount} short", amount=-difference)
                    if difference < 0
                    else Message("{amount} over", amount=difference)
                )
                yield (
                    target.loc / "segments",
                    Message(
                        "{ref}: customer segments add up to {total}, the value is {value} ({gap})",
                        ref=target.ref,
                        total=total,
                        value=target.value,
                        gap=gap,
                    ),
                    Message("make the segment split add up to value"),
                )


@check("PLC331", Severity.ERROR)
def segments_of_unsummed_metric(plan: Plan) -> Iterator[Finding]:
    """A customer-segment split on a metric that does not add up (a share or a score).

    Fails::

        key_product_share: {value: 45, segments: {key-accounts: 30, new: 15}}

    Passes::

        key_product_share: {value: 45}
    """
    for node in plan.nodes.values():
        for target in node.targets.values():
            metric = plan.metrics.get(target.metric)
            if target.segments is None or metric is None or metric.summed:
                continue
            yield (
                target.loc / "segments",
                Message(
                    "{ref}: {metric} rolls up as {rollup}, so its segments cannot add up to it",
                    ref=target.ref,
                    metric=metric.name,
                    rollup=metric.rollup,
                ),
                Message("remove segments: only metrics with rollup sum are split"),
            )


CHECKS = (
    unknown_segment, key_account_owned_twice, new_segment_without_definition,
    segments_do_not_add_up, segments_of_unsummed_metric,
)  # fmt: skip
