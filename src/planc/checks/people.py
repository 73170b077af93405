"""People and dates (PLC450-PLC469): nobody owns what falls after their last day or before
their first, and a new hire's share of the work follows the ramp.

Every message gives both dates: the person's first or last day, and the
deadline or due date that falls outside it.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType

from planc.checks.base import Finding, check, named_target, per_plan, percent
from planc.checks.smart import presence_factor, ramp_factor
from planc.core.diagnostics import Message, Severity
from planc.core.model import Action, Person, Plan


@per_plan
def owned_actions(plan: Plan) -> Mapping[str, list[Action]]:
    """person id -> the actions they own, in plan order. Once per plan: PLC453 and the
    partition's action loads and ramp candidates each ask (~5,000 actions a region file of
    2,500 reps, on every warm check after an edit in it). Shared: never changed."""
    owned: dict[str, list[Action]] = {}
    for action in plan.actions:
        owned.setdefault(action.owner, []).append(action)
    return MappingProxyType(owned)


@check("PLC450", Severity.WARNING)
def leaver_owns_target(plan: Plan) -> Iterator[Finding]:
    """Someone owns a target whose deadline falls after their last day.

    A leaver's number is still theirs until they go; after that nobody is
    accountable for it. Move the deadline to their last day, or give the
    target to whoever takes over (a target's ``owner``, else its node's).

    Fails (liu-yang's end is 2027-02-28; the deadline defaults to the quarter's end)::

        - rep: liu-yang
          targets:
            csat: {value: 4.5}

    Passes::

        - rep: liu-yang
          targets:
            csat: {value: 4.5, deadline: 2027-02-28}
    """
    for node in plan.nodes.values():
        for target in node.targets.values():
            person = plan.people.get(target.owner)
            if person is None or person.end is None or target.deadline <= person.end:
                continue
            named = {
                "target": named_target(plan, target),
                "name": person.name,
                "end": person.end,
                "deadline": target.deadline,
            }
            yield (
                target.loc / "deadline",
                Message(
                    "{target} is owned by {name}, whose last day is {end}, but its deadline is "
                    "{deadline} (the quarter's end)",
                    **named,
                )
                if target.deadline == plan.quarter.end
                else Message(
                    "{target} is owned by {name}, whose last day is {end}, but its deadline is "
                    "{deadline}",
                    **named,
                ),
                Message(
                    "set deadline: {end}, or make the successor the target's owner",
                    end=person.end,
                ),
            )


@check("PLC451", Severity.WARNING)
def leaver_owns_action(plan: Plan) -> Iterator[Finding]:
    """An action is due after its owner's last day.

    Fails (ma-jun's end is 2027-02-28)::

        - {id: handover, what: Hand over accounts, owner: ma-jun, supports: revenue, due: 2027-03-10}

    Passes::

        - {id: handover, what: Hand over accounts, owner: ma-jun, supports: revenue, due: 2027-02-26}
    """
    for action in plan.actions:
        person = plan.people.get(action.owner)
        if person is None or person.end is None or action.due <= person.end:
            continue
        yield (
            action.loc / "due",
            Message(
                "action {id} is due {due}, after its owner {name}'s last day ({end})",
                id=action.id,
                due=action.due,
                name=person.name,
                end=person.end,
            ),
            Message("move it before {end}, or give it to whoever takes over", end=person.end),
        )


@check("PLC452", Severity.WARNING)
def action_before_start(plan: Plan) -> Iterator[Finding]:
    """An action is due before its owner starts.

    Fails (li-jing starts 2027-02-01)::

        - {id: visits, what: Cold visits in Linyi, owner: li-jing, supports: new_customers, due: 2027-01-20}

    Passes::

        - {id: visits, what: Cold visits in Linyi, owner: li-jing, supports: new_customers, due: 2027-02-20}
    """
    for action in plan.actions:
        person = plan.people.get(action.owner)
        if person is None or person.start is None or action.due >= person.start:
            continue
        yield (
            action.loc / "due",
            Message(
                "action {id} is due {due}, before its owner {name} starts ({start})",
                id=action.id,
                due=action.due,
                name=person.name,
                start=person.start,
            ),
            Message("give it to someone already here, or move it after the start"),
        )


def _median_loads(plan: Plan, owned: Mapping[str, list[Action]]) -> dict[str, tuple[Decimal, int]]:
    """role -> (median number of actions owned by people of that role at full tenure, how many)."""
    loads: dict[str, list[int]] = {}
    for person in plan.people.values():
        if full_tenure(plan, person):
            loads.setdefault(person.role, []).append(len(owned.get(person.id, ())))
    return {
        role: (Decimal(statistics.median(counts)), len(counts)) for role, counts in loads.items()
    }


def full_tenure(plan: Plan, person: Person) -> bool:
    """Here the whole quarter at a full ramp; most people are decided by their dates alone."""
    quarter, ramp = plan.quarter, plan.policy.ramp
    if person.end is not None and person.end < quarter.end:
        return False
    if person.start is None:
        return True
    year, month = quarter.months[0]
    tenure = (year - person.start.year) * 12 + (month - person.start.month)
    if tenure >= len(ramp) and ramp[-1] == 100 and person.start <= quarter.start:
        return True  # past the ramp's last step in the first month: every month counts 100 %
    return ramp_factor(plan, person) == 100 and presence_factor(plan, person) == 100


@check("PLC453", Severity.WARNING)
def ramping_action_load(plan: Plan) -> Iterator[Finding]:
    """A new hire still ramping owns more actions than the ramp allows.

    ``policy.ramp`` says what share of a full load a new hire carries by month
    of tenure; that goes for the action plan too. The full load is the median
    number of actions owned by people of the same role who are here the whole
    quarter at full ramp; the hire may own that many times the ramp, rounded up.

    Fails (ramp 0/50/75; start 2027-01-01: 41.7 %; full-tenure reps own a median of 1)::

        - {id: expo, owner: new-hire, ..., due: 2027-02-15}
        - {id: calls, owner: new-hire, ..., due: 2027-03-10}

    Passes (one action: at most ceil(1 x 41.7 %) = 1)::

        - {id: expo, owner: new-hire, ..., due: 2027-02-15}
    """
    owned = owned_actions(plan)
    yield from ramping_findings(plan, owned, _median_loads(plan, owned))


def ramping_findings(
    plan: Plan, owned: Mapping[str, list[Action]], medians: dict[str, tuple[Decimal, int]]
) -> Iterator[Finding]:
    """PLC453's findings given the medians (the partitioned check brings the plan's own)."""
    for person_id, actions in owned.items():
        person = plan.people.get(person_id)
        if person is None or person.start is None:
            continue
        factor = ramp_factor(plan, person)
        if factor >= 100:
            continue
        first = sorted(actions, key=lambda a: a.due)[0]
        text = ramp_text(
            person.id,
            person.start,
            person.role,
            factor,
            len(actions),
            first.id,
            first.due,
            medians,
        )
        if text is not None:
            yield (person.loc / "start", *text)


def ramp_text(
    person: str,
    start: date,
    role: str,
    factor: Fraction,
    count: int,
    first_id: str,
    first_due: date,
    medians: dict[str, tuple[Decimal, int]],
) -> tuple[Message, Message] | None:
    """The message and hint of PLC453 for one person, or None when the load is allowed."""
    if factor >= 100 or role not in medians:
        return None
    median, peers = medians[role]
    allowed = math.ceil(Fraction(median) * factor / 100)
    if count <= allowed:
        return None
    return (
        Message(
            "{id} starts {start} and carries {share} of a full load this quarter (policy.ramp), "
            "but owns {count} action(s), the first ({first}) due {due}; the {peers} full-tenure "
            "{role}(s) own a median of {median}, so the ramp allows {allowed}",
            id=person,
            start=start,
            share=percent(factor),
            count=count,
            first=first_id,
            due=first_due,
            peers=peers,
            role=role,
            median=format(median.normalize(), "f"),
            allowed=allowed,
        ),
        Message("give some of these actions to colleagues at full tenure, or move them later"),
    )


CHECKS = (leaver_owns_target, leaver_owns_action, action_before_start, ramping_action_load)
