"""Approvals (PLC620-PLC629): the tier arithmetic, and the checks that enforce it.

One place decides, for a change of a given size, which tier of
``policy.approvals`` applies and who that tier names at the changed target;
``planc diff`` (the review list) and ``planc check`` (``policy.approvals.enforce``)
both use it, so they never disagree at a boundary. Sizes are exact: a move of
5.02 % is above an "up to 5 %" tier, and is printed with the digits that show it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from planc.checks.base import Finding, amount, check, named_ref, percent_beside
from planc.core.diagnostics import Items, Message, Named, Severity
from planc.core.model import Adjustment, ApprovalTier, Level, Plan

HUNDRED = Decimal(100)
#: the role names a tier may use, and the level of the node whose owner they mean
ROLE_LEVEL = {
    "team_owner": Level.TEAM,
    "region_owner": Level.REGION,
    "company_owner": Level.COMPANY,
}


def change_size(before: Decimal | None, after: Decimal | None) -> Decimal | None:
    """|after - before| / |before| in percent, exactly; None (unbounded) without a finite answer."""
    if before is None or after is None or before == 0:
        return None
    return abs(after - before) * HUNDRED / abs(before)


def tier_for(tiers: tuple[ApprovalTier, ...], size: Decimal | None) -> ApprovalTier | None:
    """The first tier whose limit holds the change; the last one past every limit.

    ``size`` None (a target added or removed, or a move from 0) needs the top tier.
    """
    if not tiers:
        return None
    if size is not None:
        for tier in tiers:
            if tier.up_to is None or size <= tier.up_to:
                return tier
    unlimited = [t for t in tiers if t.up_to is None]
    return unlimited[0] if unlimited else tiers[-1]


def size_text(size: Decimal | None, tiers: Iterable[ApprovalTier]) -> str:
    """A size with the digits that tell it from every tier's limit (5.02%, never 5.0%)."""
    if size is None:
        return Message("unbounded (no old value)")
    limits = [t.up_to for t in tiers if t.up_to is not None]
    return percent_beside(size, *limits)


@dataclass(frozen=True, slots=True)
class Required:
    """Who a tier names at a changed target, and how far up an approval must come from."""

    person: str
    why: str  # "team owner of north-ent", "named in the policy"
    level: Level | None  # the node level the person owns; None for a person named in the policy


def required_approver(
    plan: Plan, node_id: str, level: Level, tier: ApprovalTier
) -> Required | None:
    """The person ``tier`` names for a change at ``node_id`` (a node of ``level``).

    A role names the owner of the team, region or company the change sits in,
    and always someone above the changed node: a change to a team's own target
    goes to its region's owner even in the team_owner tier.
    """
    wanted = ROLE_LEVEL.get(tier.approver)
    if wanted is None:
        return Required(tier.approver, Message("named in the policy"), None)
    if level is not Level.COMPANY:
        wanted = Level(min(wanted, level - 1))
    if node_id not in plan.nodes:
        return None
    for node in plan.ancestors(node_id):
        if node.level is wanted:
            return Required(node.owner, _owner_of(wanted, Named(node.id, node.name)), wanted)
    company = plan.nodes.get(plan.company)
    if company is None:
        return None
    return Required(
        company.owner, _owner_of(Level.COMPANY, Named(company.id, company.name)), Level.COMPANY
    )


def _owner_of(level: Level, node_id: str) -> Message:
    if level is Level.COMPANY:
        return Message("company owner of {id}", id=node_id)
    if level is Level.REGION:
        return Message("region owner of {id}", id=node_id)
    if level is Level.TEAM:
        return Message("team owner of {id}", id=node_id)
    return Message("rep owner of {id}", id=node_id)


def accepted_by(plan: Plan, node_id: str, required: Required) -> set[str]:
    """Everyone whose approval meets ``required``: the person, and the owners above that level."""
    people = {required.person}
    if required.level is None or node_id not in plan.nodes:
        return people
    for node in plan.ancestors(node_id):
        if node.level <= required.level:
            people.add(node.owner)
    return people


def moved_people(plan: Plan, node_id: str, metric: str) -> set[str]:
    """Whose number moved: the target's owner and the node's owner (a rep is their own node)."""
    node = plan.nodes.get(node_id)
    if node is None:
        return set()
    people = {node.owner}
    target = node.targets.get(metric)
    if target is not None:
        people.add(target.owner)
    return people


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A record that lacks an approval its changes need."""

    required: Required
    refs: tuple[str, ...]
    largest: Decimal | None
    tier: ApprovalTier
    self_only: bool  # approved, but only by someone whose number moved


def shortfalls(plan: Plan, adjustment: Adjustment) -> list[Shortfall]:
    """For one record: each approver it needs and does not have, with the changes that need them."""
    tiers = plan.policy.approvals
    wanted: dict[str, list[tuple[str, Decimal | None, ApprovalTier, Required]]] = {}
    moved: set[str] = set()
    for change in adjustment.changes:
        node = plan.nodes.get(change.node)
        if node is None or change.metric not in node.targets:
            continue  # PLC601 says so
        size = change_size(change.before, change.after)
        tier = tier_for(tiers, size)
        if tier is None:
            continue
        required = required_approver(plan, change.node, node.level, tier)
        if required is None:
            continue
        moved |= moved_people(plan, change.node, change.metric)
        ok = accepted_by(plan, change.node, required) - moved_people(
            plan, change.node, change.metric
        )
        if ok & set(adjustment.approved_by):
            continue
        wanted.setdefault(required.person, []).append(
            (f"{change.node}/{change.metric}", size, tier, required)
        )
    out = []
    self_only = bool(adjustment.approved_by) and set(adjustment.approved_by) <= moved
    for items in wanted.values():
        sizes = [size for _, size, _, _ in items]
        largest = None if None in sizes else max(s for s in sizes if s is not None)
        top = max(items, key=lambda i: (i[1] is None, i[1] or 0))
        out.append(
            Shortfall(items[0][3], tuple(ref for ref, _, _, _ in items), largest, top[2], self_only)
        )
    return out


def _tier_words(tier: ApprovalTier, plan: Plan) -> Message:
    tiers = plan.policy.approvals
    index = tiers.index(tier)
    below = next((t.up_to for t in reversed(tiers[:index]) if t.up_to is not None), None)
    # a role in the catalog's words, or a person named in the policy
    who: str = _APPROVER.get(tier.approver) or tier.approver.replace("_", " ")
    above = None if below is None else f"{amount(below)}%"
    up_to = None if tier.up_to is None else f"{amount(tier.up_to)}%"
    if above is not None and up_to is not None:
        return Message(
            "the {who} tier (above {above}, up to {up_to})", who=who, above=above, up_to=up_to
        )
    if above is not None:
        return Message("the {who} tier (above {above})", who=who, above=above)
    if up_to is not None:
        return Message("the {who} tier (up to {up_to})", who=who, up_to=up_to)
    return Message("the {who} tier", who=who)


_APPROVER = {
    "team_owner": Message("team owner"),
    "region_owner": Message("region owner"),
    "company_owner": Message("company owner"),
}


def _person(plan: Plan, person: str) -> Named:
    """A person's id, shown by name where the message is rendered for a reader."""
    known = plan.people.get(person)
    return Named(person, known.name if known is not None else person)


def _target(plan: Plan, ref: str) -> Named:
    """``zhang-wei/revenue``, shown as ``Zhang Wei · Revenue`` where a reader sees it."""
    node_id, _, metric_id = ref.partition("/")
    return named_ref(plan, node_id, metric_id)


def _need(plan: Plan, gap: Shortfall) -> Message:
    refs = Items((_target(plan, ref) for ref in gap.refs[:3]), partial=len(gap.refs) > 3)
    size = size_text(gap.largest, plan.policy.approvals)
    named = {
        "refs": refs,
        "size": size,
        "tier": _tier_words(gap.tier, plan),
        "person": _person(plan, gap.required.person),
        "why": gap.required.why,
    }
    if len(gap.refs) > 3:
        return Message(
            "it moves {refs} and {more} more by up to {size}, which needs {tier}: {person} "
            "({why}) must approve",
            more=len(gap.refs) - 3,
            **named,
        )
    if len(gap.refs) > 1:
        return Message(
            "it moves {refs} by up to {size}, which needs {tier}: {person} ({why}) must approve",
            **named,
        )
    return Message(
        "it moves {refs} by {size}, which needs {tier}: {person} ({why}) must approve", **named
    )


def _records(plan: Plan) -> Iterator[tuple[Adjustment, list[Shortfall]]]:
    if not plan.policy.enforce_approvals:
        return
    for adjustment in plan.adjustments:
        found = shortfalls(plan, adjustment)
        if found:
            yield adjustment, found


@check("PLC620", Severity.ERROR)
def approval_below_tier(plan: Plan) -> Iterator[Finding]:
    """An adjustment lacks the approval its size requires (``policy.approvals.enforce``).

    Each change is sized exactly, ``|to - from| / from``, and the first tier
    whose ``up_to`` holds it names the approver: the owner of the team, region
    or company above the changed target, or a person. An owner higher up may
    approve in their place; the person whose number moved may not.

    Fails (tiers: up to 5 % team_owner, up to 10 % region_owner; ned owns the team)::

        - id: ADJ-002
          approved_by: [ned]
          changes:
            - {target: ann/revenue, from: 500000, to: 525100}   # +5.02 %

    Passes (nora owns the region)::

        - id: ADJ-002
          approved_by: [nora]
          changes:
            - {target: ann/revenue, from: 500000, to: 525100}
    """
    for adjustment, found in _records(plan):
        for gap in found:
            if gap.self_only:
                continue  # PLC621 says it
            yield (
                adjustment.loc / "approved_by",
                (
                    Message(
                        "{id} is approved by {have}; {need}",
                        id=adjustment.id,
                        have=Items(_person(plan, p) for p in adjustment.approved_by),
                        need=_need(plan, gap),
                    )
                    if adjustment.approved_by
                    else Message(
                        "{id} is approved by nobody; {need}",
                        id=adjustment.id,
                        need=_need(plan, gap),
                    )
                ),
                Message(
                    "add {person} to approved_by once they have approved",
                    person=_person(plan, gap.required.person),
                ),
            )


@check("PLC621", Severity.ERROR)
def self_approved(plan: Plan) -> Iterator[Finding]:
    """An adjustment is approved only by someone whose own number it moves.

    Nobody approves their own target: a rep's quota, or a manager's team
    number, moved and signed off by the same person is not reviewed.

    Fails (ann approves her own raise)::

        - id: ADJ-002
          approved_by: [ann]
          changes:
            - {target: ann/revenue, from: 550000, to: 560000}

    Passes::

        - id: ADJ-002
          approved_by: [ned]
          changes:
            - {target: ann/revenue, from: 550000, to: 560000}
    """
    for adjustment, found in _records(plan):
        for gap in found:
            if not gap.self_only:
                continue
            yield (
                adjustment.loc / "approved_by",
                Message(
                    "{id} is approved only by {have}, whose own number it moves; {need}",
                    id=adjustment.id,
                    have=Items(_person(plan, p) for p in adjustment.approved_by),
                    need=_need(plan, gap),
                ),
                Message(
                    "have {person} approve it and add them to approved_by",
                    person=_person(plan, gap.required.person),
                ),
            )


CHECKS = (approval_below_tier, self_approved)
