"""Adjustments (PLC6xx): the log of changes agrees with the plan."""

from __future__ import annotations

from collections.abc import Iterator

from planc.checks.base import Finding, check, named_ref
from planc.core.diagnostics import Items, Message, Severity
from planc.core.model import Plan


@check("PLC601", Severity.ERROR)
def adjustment_unknown_target(plan: Plan) -> Iterator[Finding]:
    """An adjustment names a target (node/metric) that the plan does not have.

    Fails::

        changes:
          - {target: zhang-wei/revenu, from: 600000, to: 550000}

    Passes::

        changes:
          - {target: zhang-wei/revenue, from: 600000, to: 550000}
    """
    for adjustment in plan.adjustments:
        for change in adjustment.changes:
            node = plan.nodes.get(change.node)
            if node is None or change.metric not in node.targets:
                yield (
                    change.loc / "target",
                    (
                        Message(
                            "{id} changes {ref}, but there is no such node",
                            id=adjustment.id,
                            ref="/".join((change.node, change.metric)),
                        )
                        if node is None
                        else Message(
                            "{id} changes {ref}, but there is no such target",
                            id=adjustment.id,
                            ref="/".join((change.node, change.metric)),
                        )
                    ),
                    Message("write node-id/metric-id of a target in this plan"),
                )


@check("PLC602", Severity.ERROR)
def adjustment_disagrees(plan: Plan) -> Iterator[Finding]:
    """An adjustment's new value differs from the target's value in the plan.

    The log and the plan must tell the same story: the last adjustment of a
    target says what it is now.

    Fails (the plan has zhang-wei revenue 550000)::

        changes:
          - {target: zhang-wei/revenue, from: 600000, to: 500000}

    Passes::

        changes:
          - {target: zhang-wei/revenue, from: 600000, to: 550000}
    """
    latest = {}
    for adjustment in sorted(plan.adjustments, key=lambda a: (a.effective, a.decided, a.id)):
        for change in adjustment.changes:
            latest[(change.node, change.metric)] = (adjustment, change)
    for (node_id, metric), (adjustment, change) in sorted(latest.items()):
        node = plan.nodes.get(node_id)
        if node is None or metric not in node.targets:
            continue
        current = node.targets[metric].value
        if current != change.after:
            yield (
                change.loc / "to",
                Message(
                    "{id} sets {ref} to {after}, but the plan has {current}",
                    id=adjustment.id,
                    ref=named_ref(plan, node_id, metric),
                    after=change.after,
                    current=current,
                ),
                Message("update the target or the adjustment so they agree"),
            )


@check("PLC603", Severity.ERROR)
def adjustment_effective_outside_quarter(plan: Plan) -> Iterator[Finding]:
    """An adjustment takes effect outside the quarter.

    Fails (quarter 2027-Q1)::

        - {id: ADJ-1, date: 2027-02-03, effective: 2027-04-01, ...}

    Passes::

        - {id: ADJ-1, date: 2027-02-03, effective: 2027-02-01, ...}
    """
    quarter = plan.quarter
    for adjustment in plan.adjustments:
        if not quarter.contains(adjustment.effective):
            yield (
                adjustment.loc / "effective",
                Message(
                    "{id} takes effect {effective}, outside {quarter} ({start} to {end})",
                    id=adjustment.id,
                    effective=adjustment.effective,
                    quarter=quarter.id,
                    start=quarter.start,
                    end=quarter.end,
                ),
                Message("changes apply from a day inside the quarter"),
            )


@check("PLC604", Severity.WARNING)
def adjustment_changes_nothing(plan: Plan) -> Iterator[Finding]:
    """An adjustment's change has the same old and new value.

    Fails::

        - {target: zhang-wei/revenue, from: 550000, to: 550000}

    Passes::

        - {target: zhang-wei/revenue, from: 600000, to: 550000}
    """
    for adjustment in plan.adjustments:
        for change in adjustment.changes:
            if change.before is not None and change.before == change.after:
                yield (
                    change.loc,
                    Message(
                        "{id} changes {ref} from {before} to the same value",
                        id=adjustment.id,
                        ref=named_ref(plan, change.node, change.metric),
                        before=change.before,
                    ),
                    Message("remove the change, or record the real old value"),
                )


@check("PLC630", Severity.ERROR)
def adjustment_stub(plan: Plan) -> Iterator[Finding]:
    """An adjustment record is a stub: its cause or its note is still empty.

    ``planc import --update`` writes a stub for every target changed in an
    edited workbook: the numbers, with ``cause: ""`` and ``note: ""`` for a
    person to fill in. A change is reviewed with its reason, so the plan is
    not ready until they are: write them, or let ``planc propose --cause
    CAUSE --note TEXT`` fill every stub in and open the pull request.

    Fails::

        - {id: ADJ-002, date: 2027-02-14, effective: 2027-02-14, cause: "", note: "",
           changes: [{target: bob/revenue, from: 550000, to: 600000}]}

    Passes::

        - {id: ADJ-002, date: 2027-02-14, effective: 2027-02-14, cause: market,
           note: A new plant opened in Bob's territory.,
           changes: [{target: bob/revenue, from: 550000, to: 600000}]}
    """
    for adjustment in plan.adjustments:
        empty = [k for k in ("cause", "note") if not getattr(adjustment, k).strip()]
        if empty:
            targets = Items(named_ref(plan, c.node, c.metric) for c in adjustment.changes)
            if len(empty) == 2:
                message = Message(
                    "{id} ({targets}) is a stub: its cause and note are empty",
                    id=adjustment.id,
                    targets=targets,
                )
            elif empty == ["cause"]:
                message = Message(
                    "{id} ({targets}) is a stub: its cause is empty",
                    id=adjustment.id,
                    targets=targets,
                )
            else:
                message = Message(
                    "{id} ({targets}) is a stub: its note is empty",
                    id=adjustment.id,
                    targets=targets,
                )
            yield (
                adjustment.loc / empty[0],
                message,
                Message(
                    "say why: cause (market, competitor, policy, execution, resources, "
                    'reorganisation, other) and a note, or run planc propose --cause CAUSE --note "..."'
                ),
            )


CHECKS = (
    adjustment_unknown_target, adjustment_disagrees, adjustment_effective_outside_quarter,
    adjustment_changes_nothing, adjustment_stub,
)  # fmt: skip
