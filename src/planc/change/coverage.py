"""Adjustment coverage (PLC610): every target changed since a base plan has a record.

This is the one adjustments rule that needs two plans (a base, such as the
merge-base of a pull request, and the plan now), so it is not a pure check over
one plan: ``planc diff`` and ``planc check --base`` run it. Its :class:`Rule`
is registered with the others so ``planc explain`` and ``planc rules`` know it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from planc.checks.base import named_target
from planc.core.diagnostics import Diagnostic, Message, Severity, rule
from planc.core.model import Adjustment, Plan, Target
from planc.core.numbers import plain

UNCOVERED_CHANGE = rule(
    "PLC610",
    "change-without-adjustment",
    Severity.ERROR,
    """A target changed since the base plan, and no adjustment record explains it.

    Targets change only for a stated cause, through review, with the history
    kept. Every target whose value differs from the base plan (the
    merge-base of the pull request for ``planc diff``, or ``--base`` for
    ``planc check``), and every target added since, needs an adjustment
    record whose ``changes`` list it with its new value as ``to``; the
    record carries the cause, the effective date and a note. Reported by
    ``planc diff`` and ``planc check --base REV``; ``planc propose --cause
    ... --effective ... --note ...`` writes the record for you.

    Fails (the base plan had bob revenue 560000, the plan now has 550000,
    and no record says so)::

        adjustments: []

    Passes::

        adjustments:
          - id: ADJ-002
            date: 2027-02-03
            effective: 2027-02-01
            cause: competitor
            note: A competitor undercut us at Northwind.
            changes:
              - {target: bob/revenue, from: 560000, to: 550000}
    """,
)

RULES = (UNCOVERED_CHANGE,)


@dataclass(frozen=True, slots=True)
class ValueChange:
    """A target whose value differs between two plans (``before`` None: added since)."""

    target: Target
    before: Decimal | None

    @property
    def ref(self) -> str:
        return self.target.ref


def value_changes(base: Plan, head: Plan) -> Iterator[ValueChange]:
    """Targets of ``head`` that are new or whose value differs from ``base``, in org order."""
    for node in head.walk():
        old = base.nodes.get(node.id)
        for metric, target in node.targets.items():
            before = old.targets.get(metric) if old is not None else None
            if before is None:
                yield ValueChange(target, None)
            elif before.value != target.value:
                yield ValueChange(target, before.value)


def covering_records(head: Plan, target: Target) -> list[Adjustment]:
    """Records in ``head`` that list ``target`` with its present value as their new value."""
    return [
        adjustment
        for adjustment in head.adjustments
        if any(
            c.node == target.node and c.metric == target.metric and c.after == target.value
            for c in adjustment.changes
        )
    ]


def uncovered_changes(base: Plan, head: Plan) -> list[ValueChange]:
    """Changed or added targets that no adjustment record with a cause covers."""
    return [
        change
        for change in value_changes(base, head)
        if not any(a.cause for a in covering_records(head, change.target))
    ]


def coverage_diagnostics(base: Plan, head: Plan) -> list[Diagnostic]:
    """PLC610 for each uncovered change, at the target's value in the head plan."""
    found = []
    for change in uncovered_changes(base, head):
        target = change.target
        ref = named_target(head, target)  # as PLC303 and PLC720 name a target
        if change.before is None:
            what = Message(
                "{ref} is new ({value}), and no adjustment record covers it",
                ref=ref,
                value=target.value,
            )
            entry = "{target: " + target.ref + ", to: " + plain(target.value) + "}"
        else:
            what = Message(
                "{ref} changed from {before} to {after}, and no adjustment record covers it",
                ref=ref,
                before=change.before,
                after=target.value,
            )
            entry = (
                "{target: "
                + target.ref
                + ", from: "
                + plain(change.before)
                + ", to: "
                + plain(target.value)
                + "}"
            )
        found.append(
            UNCOVERED_CHANGE.at(
                target.loc / "value",
                what,
                Message(
                    "add a record to adjustments: with cause, effective date, note and {entry}, "
                    "or run planc propose --cause CAUSE --effective DATE --note TEXT",
                    entry=entry,
                ),
            )
        )
    return found
