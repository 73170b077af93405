"""SMART goals (PLC4xx): specific, measurable, achievable, relevant, time-bound."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from planc.checks.base import (
    Finding,
    ancestry,
    check,
    level_id,
    named_target,
    per_plan,
    percent,
    percents,
    round_up,
    signed,
)
from planc.core.diagnostics import Message, Severity
from planc.core.model import Level, Metric, Node, Person, Plan, Target
from planc.core.source import Loc

# How senior a target's owner must be at each level of the org; finance and ops own no targets.
_ROLE_RANK = {
    "rep": 1,
    "manager": 2,
    "director": 3,
    "vp": 4,
    "executive": 5,
    "finance": 0,
    "ops": 0,
}
_REQUIRED_RANK = {Level.COMPANY: 4, Level.REGION: 3, Level.TEAM: 2, Level.REP: 1}
_REQUIRED_ROLE = {
    Level.COMPANY: "vp",
    Level.REGION: "director",
    Level.TEAM: "manager",
    Level.REP: "rep",
}


@per_plan
def _every_target(plan: Plan) -> tuple[Target, ...]:
    """Every target, node by node (one tuple: cheaper to walk than a generator of pairs),
    made once per plan for the five checks that read it."""
    return tuple([target for node in plan.nodes.values() for target in node.targets.values()])


@check("PLC401", Severity.WARNING)
def metric_without_definition(plan: Plan) -> Iterator[Finding]:
    """A metric has no definition, so two people may measure it differently (Specific).

    Fails::

        metrics:
          - {id: revenue, name: Revenue, unit: currency}

    Passes::

        metrics:
          - id: revenue
            name: Revenue
            unit: currency
            definition: Invoiced amount of deals won in the quarter.
    """
    for metric in plan.metrics.values():
        if not metric.definition:
            yield (
                metric.loc / "id",
                Message("metric {id} has no definition", id=metric.id),
                Message("add definition: say exactly how the number is counted"),
            )


@check("PLC402", Severity.ERROR)
def value_out_of_range(plan: Plan) -> Iterator[Finding]:
    """A target's value is impossible for its metric's unit (Measurable).

    Percentages lie between 0 and 100, scores inside the metric's scale, counts
    are whole numbers, and no target is negative.

    Fails::

        key_product_share: {value: 140}
        new_customers: {value: 2.5}

    Passes::

        key_product_share: {value: 40}
        new_customers: {value: 3}
    """
    # metrics whose values can only be wrong by their sign: most targets are decided by that
    only_sign = {
        m.id
        for m in plan.metrics.values()
        if m.unit not in ("percent", "count") and m.scale is None
    }
    for target in _every_target(plan):
        if target.metric in only_sign:
            stretch = target.stretch
            if target.value >= 0 and (stretch is None or stretch >= 0):
                continue
        metric = plan.metrics.get(target.metric)
        if metric is None:
            continue
        for part, value in (("value", target.value), ("stretch", target.stretch)):
            if value is None or not _maybe_out_of_range(metric, value):
                continue  # the common case, decided without building any message
            named = {"ref": target.ref, "part": part, "value": value}
            problem = None
            if value < 0:
                problem = Message("{ref} {part} {value} is negative", **named)
            elif metric.unit == "percent" and value > 100:
                problem = Message("{ref} {part} {value} is above 100%", **named)
            elif metric.unit == "count" and value != value.to_integral_value():
                problem = Message("{ref} {part} {value} is not a whole number", **named)
            elif metric.scale is not None and not metric.scale[0] <= value <= metric.scale[1]:
                problem = Message(
                    "{ref} {part} {value} is outside the scale {low}-{high}",
                    low=metric.scale[0],
                    high=metric.scale[1],
                    **named,
                )
            if problem:
                yield (
                    target.loc / part,
                    problem,
                    Message("{metric} is measured in {unit}", metric=metric.name, unit=metric.unit),
                )


def _maybe_out_of_range(metric: Metric, value: Decimal) -> bool:
    """Whether PLC402 has anything to say about ``value`` (its tests, without the messages)."""
    return (
        value < 0
        or (metric.unit == "percent" and value > 100)
        or (metric.unit == "count" and value != value.to_integral_value())
        or (metric.scale is not None and not metric.scale[0] <= value <= metric.scale[1])
    )


@check("PLC403", Severity.WARNING)
def stretch_not_beyond_value(plan: Plan) -> Iterator[Finding]:
    """A stretch goal is easier than the committed value.

    For most metrics the stretch is above the value; for a cap it is below.

    Fails::

        revenue: {value: 600000, stretch: 550000}

    Passes::

        revenue: {value: 600000, stretch: 660000}
    """
    for target in _every_target(plan):
        if target.stretch is None:
            continue
        metric = plan.metrics.get(target.metric)
        if metric is None:
            continue
        easier = target.stretch > target.value if metric.is_cap else target.stretch < target.value
        if easier:
            named = {"target": named_target(plan, target), "stretch": target.stretch}
            yield (
                target.loc / "stretch",
                Message(
                    "{target} stretch {stretch} is above the value {value}",
                    **named,
                    value=target.value,
                )
                if metric.is_cap
                else Message(
                    "{target} stretch {stretch} is below the value {value}",
                    **named,
                    value=target.value,
                ),
                Message("a stretch goal should be harder than the committed value"),
            )


@check("PLC410", Severity.WARNING)
def growth_out_of_band(plan: Plan) -> Iterator[Finding]:
    """Growth against the baseline is outside the policy's band (Achievable).

    "Jump to reach it": too high discourages, too low does not motivate. Growth
    is measured against the same quarter last year, else last quarter; for a
    cap, the cut is measured.

    Fails (policy growth -10..40)::

        revenue:
          value: 1500000
          baseline: {last_year: 1000000}

    Passes::

        revenue:
          value: 1200000
          baseline: {last_year: 1000000}
    """
    band = plan.policy.growth
    for target in _every_target(plan):
        if target.last_year is None and target.last_quarter is None:
            continue  # no baseline (Target.baseline is None)
        baseline = target.baseline
        metric = plan.metrics.get(target.metric)
        if baseline is None or metric is None or baseline[1] <= 0:
            continue
        label, base = baseline
        growth = (target.value / base - 1) * 100
        improvement = -growth if metric.is_cap else growth
        if band.min <= improvement <= band.max:
            continue
        growth_shown, low_shown, high_shown, _ = percents(growth, band.min, band.max, improvement)
        hint = (
            Message("too high discourages: explain it in a note or lower the target")
            if improvement > band.max
            else Message("too low does not motivate: raise the target or explain it in a note")
        )
        shown = {
            "target": named_target(plan, target),
            "value": target.value,
            "growth": signed(growth_shown),
            "baseline": _baseline_word(label),
            "base": base,
            "low": low_shown,
            "high": high_shown,
        }
        yield (
            target.loc / "value",
            Message(
                "{target} {value} is {growth} on {baseline} ({base}); policy allows cut of {low} "
                "to {high}",
                **shown,
            )
            if metric.is_cap
            else Message(
                "{target} {value} is {growth} on {baseline} ({base}); policy allows growth of "
                "{low} to {high}",
                **shown,
            ),
            hint,
        )


def _baseline_word(label: str) -> Message:
    """What growth is measured against (model.Target.baseline's words), as a message."""
    if label == "same quarter last year":
        return Message("same quarter last year")
    return Message("last quarter")


def ramp_factor(plan: Plan, person: Person) -> Fraction:
    """Share of a full quota (percent) the person carries this quarter under the ramp.

    An exact fraction (a January start under 0/50/75 % is 125/3 %), as planc
    allocate computes capacity, so the check and the allocator agree at the edge.
    """
    if person.start is None:
        return Fraction(100)
    return _ramp_share(plan.quarter.months, plan.policy.ramp, person.start.year, person.start.month)


@lru_cache(maxsize=256)
def _ramp_share(
    months: tuple[tuple[int, int], ...], ramp: tuple[Decimal, ...], year: int, month: int
) -> Fraction:
    """:func:`ramp_factor` of a start in ``year``/``month``. Cached: a plan's people share
    a handful of start months, and PLC453 and the partition's ramp candidates ask for
    every person who owns an action (~2,500 sums of Fractions per region file of 2,500
    reps, an eighth of its checks' time); a Fraction is immutable, so it is shared."""
    factors = []
    for q_year, q_month in months:
        tenure = (q_year - year) * 12 + (q_month - month)
        factors.append(Fraction(0) if tenure < 0 else Fraction(ramp[min(tenure, len(ramp) - 1)]))
    return sum(factors, Fraction(0)) / len(factors)


def presence_factor(plan: Plan, person: Person) -> Fraction:
    """Share of the quarter (percent) the person is employed, exactly."""
    quarter = plan.quarter
    first = max(quarter.start, person.start or quarter.start)
    last = min(quarter.end, person.end or quarter.end)
    days = max((last - first).days + 1, 0)
    return Fraction(days * 100, quarter.days)


@dataclass(slots=True)
class _Quotas:
    """Ramp factors and full-quota peers, each computed once per check run.

    Reps share a handful of start months and every ramping rep of a team has the
    same peers: computing them per rep and metric cost half a second at 10,000 reps.
    """

    plan: Plan
    _ramps: dict[tuple[int, int] | None, Fraction] = field(default_factory=dict)
    _peers: dict[tuple[str, str], list[Decimal]] = field(default_factory=dict)
    _full: dict[str, bool] = field(default_factory=dict)  # person -> on a full quota
    _medians: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    # (team, metric, factor) -> the reduced quota (the metric gives the rounding unit)
    _allowed: dict[tuple[str, str, Fraction], Decimal] = field(default_factory=dict)

    def ramp(self, person: Person) -> Fraction:
        # The ramp counts months of tenure: the start's year and month are all it needs.
        start = person.start
        key = None if start is None else (start.year, start.month)
        factor = self._ramps.get(key)
        if factor is None:
            factor = self._ramps[key] = ramp_factor(self.plan, person)
        return factor

    def full_quota_peers(self, team: Node, metric: str) -> list[Decimal]:
        key = (team.id, metric)
        peers = self._peers.get(key)
        if peers is None:
            peers = self._peers[key] = self._collect_peers(team, metric)
        return peers

    def median(self, team: Node, metric: str, peers: list[Decimal]) -> Decimal:
        key = (team.id, metric)
        found = self._medians.get(key)
        if found is None:
            found = self._medians[key] = Decimal(statistics.median(peers))
        return found

    def allowed(self, team: Node, metric: Metric, factor: Fraction, median: Decimal) -> Decimal:
        """The reduced quota: ``factor`` % of the team's median, rounded up."""
        key = (team.id, metric.id, factor)
        found = self._allowed.get(key)
        if found is None:
            unit = self.plan.policy.rounding if metric.unit == "currency" else Decimal(1)
            found = self._allowed[key] = round_up(Fraction(median) * factor / 100, unit)
        return found

    def _on_full_quota(self, person: Person) -> bool:
        full = self._full.get(person.id)
        if full is None:
            full = self._full[person.id] = self.ramp(person) == 100 and _here_all_quarter(
                self.plan, person
            )
        return full

    def _collect_peers(self, team: Node, metric: str) -> list[Decimal]:
        plan = self.plan
        peers = []
        for rep_id in team.children:
            rep = plan.nodes.get(rep_id)
            person = plan.people.get(rep_id)
            if rep is None or person is None or metric not in rep.targets:
                continue
            if self._on_full_quota(person):
                peers.append(rep.targets[metric].value)
        return peers


def _here_all_quarter(plan: Plan, person: Person) -> bool:
    """``presence_factor(plan, person) == 100``, without the fraction: employed every day."""
    quarter = plan.quarter
    first = max(quarter.start, person.start or quarter.start)
    last = min(quarter.end, person.end or quarter.end)
    return max((last - first).days + 1, 0) == quarter.days


def _reduced_quotas(
    plan: Plan, factor_of: str
) -> Iterator[tuple[Node, Target, Fraction, Decimal, Decimal]]:
    """(rep, target, factor %, allowed, team median) for reps over their reduced quota."""
    quotas = _Quotas(plan)
    for node in plan.nodes.values():
        if node.level is not Level.REP:
            continue
        person = plan.people.get(node.id)
        team = plan.nodes.get(node.parent or "")
        if person is None or team is None:
            continue
        if factor_of == "ramp":
            factor = quotas.ramp(person)
        elif person.end is not None and person.end < plan.quarter.end:
            factor = presence_factor(plan, person)
        else:
            continue  # starters are the ramp's business; only leavers are prorated here
        if factor >= 100:
            continue
        for metric_id, target in node.targets.items():
            metric = plan.metrics.get(metric_id)
            if metric is None or not metric.summed or metric.is_cap:
                continue
            peers = quotas.full_quota_peers(team, metric_id)
            if not peers:
                continue
            median = quotas.median(team, metric_id, peers)
            allowed = quotas.allowed(team, metric, factor, median)
            if target.value > allowed + plan.policy.tolerance:
                yield node, target, factor, allowed, median


@check("PLC411", Severity.WARNING)
def ramping_rep_on_full_quota(plan: Plan) -> Iterator[Finding]:
    """A new hire still ramping carries more than the ramp allows (Achievable).

    ``policy.ramp`` gives the share of a full quota by month of tenure (e.g.
    0, 50, 75, 100 %). A rep starting on 2027-01-01 carries on average
    (0 + 50 + 75) / 3 = 41.7 % of the team's median full quota in Q1.

    Fails (team median 600,000; start 2027-01-01)::

        - rep: new-hire
          targets: {revenue: {value: 600000}}

    Passes::

        - rep: new-hire
          targets: {revenue: {value: 250000}}
    """
    for node, target, factor, allowed, median in _reduced_quotas(plan, "ramp"):
        yield (
            target.loc / "value",
            Message(
                "{target}: {name} is ramping ({factor} of a full quota this quarter) but the "
                "target is {value}; the ramp allows {allowed} ({factor} of the team median "
                "{median})",
                target=named_target(plan, target),
                name=node.name,
                factor=percent(factor),
                value=target.value,
                allowed=allowed,
                median=median,
            ),
            Message("lower the target to at most {allowed}", allowed=allowed),
        )


@check("PLC412", Severity.WARNING)
def leaver_not_prorated(plan: Plan) -> Iterator[Finding]:
    """A rep leaving during the quarter carries a full quota (Achievable).

    Someone whose ``end`` falls inside the quarter is prorated by the days
    they are here, against the team's median full quota.

    Fails (end 2027-02-28, 59 of 90 days; team median 600,000)::

        - rep: leaver
          targets: {revenue: {value: 600000}}

    Passes::

        - rep: leaver
          targets: {revenue: {value: 393000}}
    """
    for node, target, factor, allowed, median in _reduced_quotas(plan, "presence"):
        person = plan.people[node.id]
        yield (
            target.loc / "value",
            Message(
                "{target}: {name} is here {factor} of the quarter (until {end}) but the target "
                "is {value}; prorated, that is at most {allowed} of the team median {median}",
                target=named_target(plan, target),
                name=node.name,
                factor=percent(factor),
                end=person.end,
                value=target.value,
                allowed=allowed,
                median=median,
            ),
            Message("prorate the target to at most {allowed}", allowed=allowed),
        )


@check("PLC413", Severity.ERROR)
def phasing_after_leaving(plan: Plan) -> Iterator[Finding]:
    """A leaver's monthly phasing puts numbers in months after their last day.

    Fails (end 2027-02-28)::

        revenue: {value: 300000, months: [100000, 100000, 100000]}

    Passes::

        revenue: {value: 300000, months: [150000, 150000, 0]}
    """
    for node in plan.nodes.values():
        person = plan.people.get(node.id)
        if node.level is not Level.REP or person is None or person.end is None:
            continue
        for target in node.targets.values():
            if target.months is None:
                continue
            for index, (year, month) in enumerate(plan.quarter.months):
                if (
                    index < len(target.months)
                    and date(year, month, 1) > person.end
                    and target.months[index]
                ):
                    yield (
                        target.loc / "months" / index,
                        Message(
                            "{ref} phases {amount} into {month}, after {id} leaves on {end}",
                            ref=target.ref,
                            amount=target.months[index],
                            month="-".join((str(year), str(month).zfill(2))),
                            id=node.id,
                            end=person.end,
                        ),
                        Message("move that amount to earlier months or to another rep"),
                    )


@check("PLC414", Severity.WARNING)
def seat_outside_employment(plan: Plan) -> Iterator[Finding]:
    """A rep with targets is not employed at any time during the quarter.

    Fails (quarter 2027-Q1)::

        people:
          - {id: gone, name: Gone, role: rep, end: 2026-12-31}

    Passes::

        people:
          - {id: gone, name: Gone, role: rep, end: 2027-02-28}
    """
    for node in plan.nodes.values():
        person = plan.people.get(node.id)
        if node.level is not Level.REP or person is None or not node.targets:
            continue
        if presence_factor(plan, person) == 0:
            yield (
                person.loc / "id",
                Message(
                    "{id} has targets but is not employed during {quarter} (start {start}, "
                    "end {end})",
                    id=node.id,
                    quarter=plan.quarter.id,
                    start=person.start or "-",
                    end=person.end or "-",
                ),
                Message("remove the seat, or fix the start or end date"),
            )


@check("PLC420", Severity.WARNING)
def serves_no_pillar(plan: Plan) -> Iterator[Finding]:
    """Targets of a metric serve no strategy pillar (Relevant).

    Every quarterly goal serves a pillar of the annual strategy. Give the
    metric a default ``pillar`` or name one on each target.

    Fails::

        metrics:
          - {id: revenue, name: Revenue, unit: currency}

    Passes::

        metrics:
          - {id: revenue, name: Revenue, unit: currency, pillar: growth}
    """
    without: dict[str, int] = {}
    for target in _every_target(plan):
        if target.pillar is None:
            without[target.metric] = without.get(target.metric, 0) + 1
    for metric_id, count in sorted(without.items()):
        metric = plan.metrics.get(metric_id)
        if metric is not None:
            yield (
                metric.loc / "id",
                Message(
                    "{count} target(s) of metric {metric} serve no strategy pillar",
                    count=count,
                    metric=metric_id,
                ),
                Message("add pillar: to the metric (or to each target)"),
            )


@check("PLC421", Severity.WARNING)
def owner_role_mismatch(plan: Plan) -> Iterator[Finding]:
    """A target's owner does not have the role its level of the org needs (Relevant).

    Company targets are owned by a vp or executive, region targets by a
    director or above, team targets by a manager or above. Finance and ops
    approve but own no sales targets.

    Fails::

        region: {id: east, name: East, owner: zhang-wei}   # zhang-wei is a rep

    Passes::

        region: {id: east, name: East, owner: wang-lei}    # wang-lei is a director
    """
    for node in plan.nodes.values():
        needed = _REQUIRED_RANK[node.level]
        if node.level is not Level.REP:
            yield from _role_problem(
                plan, node, node.owner, needed, node.loc / "owner", Message("owner")
            )
        for target in node.targets.values():
            if target.owner != node.owner:
                where = target.loc / "owner"
                yield from _role_problem(
                    plan,
                    node,
                    target.owner,
                    needed,
                    where,
                    Message("{metric} owner", metric=target.metric),
                )


def _role_problem(
    plan: Plan, node: Node, owner: str, needed: int, where: Loc, what: str
) -> Iterator[Finding]:
    person = plan.people.get(owner)
    if person is None or _ROLE_RANK.get(person.role, 0) >= needed:
        return
    role = _REQUIRED_ROLE[node.level]
    named = {"node": level_id(node), "what": what, "owner": owner, "role": person.role}
    if node.level is Level.COMPANY:
        message = Message(
            "{node} {what} {owner} is a {role}; a company needs a {required} or above",
            required=role,
            **named,
        )
    elif node.level is Level.REGION:
        message = Message(
            "{node} {what} {owner} is a {role}; a region needs a {required} or above",
            required=role,
            **named,
        )
    elif node.level is Level.TEAM:
        message = Message(
            "{node} {what} {owner} is a {role}; a team needs a {required} or above",
            required=role,
            **named,
        )
    else:
        message = Message(
            "{node} {what} {owner} is a {role}; a rep needs a {required} or above",
            required=role,
            **named,
        )
    yield (
        where,
        message,
        Message(
            "make someone with role {required} or above the owner, or correct {owner}'s role",
            required=role,
            owner=owner,
        ),
    )


@check("PLC430", Severity.ERROR)
def deadline_outside_quarter(plan: Plan) -> Iterator[Finding]:
    """A target's deadline is not inside the quarter (Time-bound).

    Fails (quarter 2027-01-01..2027-03-31)::

        revenue: {value: 500000, deadline: 2027-04-15}

    Passes::

        revenue: {value: 500000, deadline: 2027-03-31}
    """
    quarter = plan.quarter
    start, end = quarter.start, quarter.end
    for target in _every_target(plan):
        if not start <= target.deadline <= end:  # quarter.contains
            yield (
                target.loc / "deadline",
                Message(
                    "{ref} deadline {deadline} is outside {quarter} ({start} to {end})",
                    ref=target.ref,
                    deadline=target.deadline,
                    quarter=quarter.id,
                    start=quarter.start,
                    end=quarter.end,
                ),
                Message("set a deadline inside the quarter (the default is its last day)"),
            )


@check("PLC431", Severity.ERROR)
def action_due_outside_quarter(plan: Plan) -> Iterator[Finding]:
    """An action item is due outside the quarter.

    Fails::

        - {id: expo, what: Trade fair, owner: li-na, supports: new_customers, due: 2027-05-10}

    Passes::

        - {id: expo, what: Trade fair, owner: li-na, supports: new_customers, due: 2027-02-10}
    """
    quarter = plan.quarter
    for action in plan.actions:
        if not quarter.contains(action.due):
            yield (
                action.loc / "due",
                Message(
                    "action {id} is due {due}, outside {quarter} ({start} to {end})",
                    id=action.id,
                    due=action.due,
                    quarter=quarter.id,
                    start=quarter.start,
                    end=quarter.end,
                ),
                Message("move it into the quarter, or plan it in the quarter it belongs to"),
            )


@per_plan
def _supported_targets(plan: Plan) -> tuple[Target | None, ...]:
    """The target each of ``plan.actions`` supports, in order: its metric at the action's
    node or at the nearest node above that has one (None: none). One walk per plan, and
    one per node and metric, for PLC432 and PLC433 (a plan has a few actions per rep)."""
    chains = ancestry(plan)
    known: dict[tuple[str, str], Target | None] = {}
    found: list[Target | None] = []
    for action in plan.actions:
        key = (action.node, action.supports)
        if key in known:
            found.append(known[key])
            continue
        target = None
        for node in chains.get(action.node, ()):
            target = node.targets.get(action.supports)
            if target is not None:
                break
        known[key] = target
        found.append(target)
    return tuple(found)


@check("PLC432", Severity.ERROR)
def action_due_after_target(plan: Plan) -> Iterator[Finding]:
    """An action is due after the deadline of the target it supports.

    The supported target is the action's metric at its node, or at the
    nearest node above that has one.

    Fails (new_customers deadline 2027-02-28)::

        - {id: expo, what: Trade fair, owner: li-na, supports: new_customers, due: 2027-03-15}

    Passes::

        - {id: expo, what: Trade fair, owner: li-na, supports: new_customers, due: 2027-02-15}
    """
    for action, target in zip(plan.actions, _supported_targets(plan), strict=True):
        if target is not None and action.due > target.deadline:
            yield (
                action.loc / "due",
                Message(
                    "action {id} is due {due}, after the deadline of {ref} ({deadline})",
                    id=action.id,
                    due=action.due,
                    ref=target.ref,
                    deadline=target.deadline,
                ),
                Message("an action must finish before the target it supports is due"),
            )


@check("PLC433", Severity.WARNING)
def action_supports_no_target(plan: Plan) -> Iterator[Finding]:
    """An action supports a metric that has no target at its node or above.

    Fails (no new_customers target at east-ent, east or the company)::

        - {id: expo, what: Trade fair, owner: li-na, node: east-ent, supports: new_customers, due: 2027-02-15}

    Passes: the same action once east-ent (or east, or the company) has a new_customers target.
    """
    for action, target in zip(plan.actions, _supported_targets(plan), strict=True):
        known = action.supports in plan.metrics and action.node in plan.nodes
        if known and target is None:
            yield (
                action.loc / "supports",
                Message(
                    "action {id} supports {metric}, but {node} and the nodes above it have no "
                    "such target",
                    id=action.id,
                    metric=action.supports,
                    node=action.node,
                ),
                Message("set the target, or point the action at the metric it really moves"),
            )


CHECKS = (
    metric_without_definition, value_out_of_range, stretch_not_beyond_value, growth_out_of_band,
    ramping_rep_on_full_quota, leaver_not_prorated, phasing_after_leaving, seat_outside_employment,
    serves_no_pillar, owner_role_mismatch, deadline_outside_quarter, action_due_outside_quarter,
    action_due_after_target, action_supports_no_target,
)  # fmt: skip
