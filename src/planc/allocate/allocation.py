"""Top-down allocation: split a node's target among its children, exactly.

Weights come from a method (``even``; a ``baseline`` share; market
``potential``; ``capacity`` = headcount x ramp factor; the children's own
``bottom_up`` commitments; or a ``blend`` of these). The intended total is the
parent's value plus an uplift (the over-assignment the policy allows), rounded
to the policy's unit. The split itself uses the largest-remainder method in
exact rational arithmetic, so the rounded children add up to the intended total
to the last unit: no child is ever negative, a larger weight never gets less,
and splitting a total by the result of an earlier split gives that result back.

Monthly phasing follows seasonality from baselines (and the ramp of a new hire,
and the last day of a leaver); product splits follow a product mix. Everything
here is pure: the model in, an :class:`Allocation` out, nothing written.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from fractions import Fraction

from planc.core.model import Level, Metric, Node, Person, Plan, Target
from planc.core.numbers import grouped
from planc.core.safetext import argument
from planc.core.spelling import closest

# Weight components a blend can mix (the methods of the same names use one).
COMPONENTS = ("even", "baseline", "last_year", "last_quarter", "potential", "capacity", "bottom_up")
METHODS = ("even", "baseline", "potential", "capacity", "bottom_up", "blend")


class AllocationError(Exception):
    """The allocation cannot be made as asked; the message says why, for the user."""


class MissingBaselineError(AllocationError):
    """A split by baselines met children without one (init then points at its --actuals)."""


# --- the arithmetic -------------------------------------------------------------


def largest_remainder(
    total: Decimal, weights: Sequence[Fraction | Decimal | int], unit: Decimal
) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights`` into multiples of ``unit`` that add up to it.

    Each share first gets the whole units of its exact quota; the units left
    over go one each to the largest remainders (ties: larger weight, then
    earlier position). ``total`` must be a non-negative multiple of ``unit``
    and the weights non-negative with a positive sum.
    """
    if unit <= 0:
        raise ValueError("the unit must be positive")
    units = Fraction(total) / Fraction(unit)
    if units < 0 or units.denominator != 1:
        raise ValueError(f"{total} is not a non-negative multiple of {unit}")
    exact = [_ratio(w) for w in weights]
    if any(n < 0 for n, _ in exact):
        raise ValueError("weights must not be negative")
    # The same arithmetic in integers: every weight times the common denominator (the
    # quotas' order and their remainders' order are unchanged), ~10x faster than Fractions.
    common = math.lcm(*(d for _, d in exact)) if exact else 1
    whole = [n * (common // d) for n, d in exact]
    weight_sum = sum(whole)
    if weight_sum == 0:
        raise ValueError("the weights add up to zero")
    count = int(units)
    # quota i = count * whole[i] / weight_sum = shares[i] + rests[i] / weight_sum
    shares, rests = [], []
    for w in whole:
        share, rest = divmod(count * w, weight_sum)
        shares.append(share)
        rests.append(rest)
    left = count - sum(shares)
    # largest remainder first (shares - quota = -rest / weight_sum), then larger weight
    order = sorted(range(len(whole)), key=lambda i: (-rests[i], -whole[i], i))
    for index in order[:left]:
        shares[index] += 1
    return [Decimal(share) * unit for share in shares]


def _ratio(weight: Fraction | Decimal | int) -> tuple[int, int]:
    """A weight as numerator and positive denominator in lowest terms (as Fraction gives)."""
    if isinstance(weight, int):
        return int(weight), 1
    if isinstance(weight, Decimal):
        if not weight.is_finite():
            raise ValueError(f"weight {weight} is not a number")
        return weight.as_integer_ratio()  # in lowest terms, positive denominator
    exact = weight if isinstance(weight, Fraction) else Fraction(weight)
    return exact.numerator, exact.denominator


def round_to(value: Decimal, unit: Decimal, *, up: bool) -> Decimal:
    """``value`` rounded up (or down) to a multiple of ``unit``."""
    mode = ROUND_CEILING if up else ROUND_FLOOR
    return (value / unit).to_integral_value(rounding=mode) * unit


def split_unit(value: Decimal, unit: Decimal) -> Decimal:
    """The unit to split ``value`` in: ``unit`` if it divides it, else the finest that does."""
    if value % unit == 0:
        return unit
    if value == value.to_integral_value():
        return Decimal(1)
    return Decimal(1).scaleb(int(value.normalize().as_tuple().exponent))


# --- what the plan knows about capacity -------------------------------------------


def capacity(plan: Plan, node: Node) -> Fraction:
    """Headcount x ramp factor: full reps count 1, a new hire their ramp, a leaver their stay.

    Exact: the mean over the quarter's months of :func:`month_availability`.

    A team's or region's capacity is its reps' together.
    """
    if node.level is not Level.REP:
        return sum(
            (capacity(plan, plan.nodes[c]) for c in node.children if c in plan.nodes),
            Fraction(0),
        )
    months = month_availability(plan, node)
    return sum(months, Fraction(0)) / len(months)


def month_availability(plan: Plan, node: Node) -> list[Fraction]:
    """How much of each month of the quarter a rep can sell: ramp x days employed (1 for others)."""
    person = plan.people.get(node.id) if node.level is Level.REP else None
    if person is None:
        return [Fraction(1)] * len(plan.quarter.months)
    ramp = plan.policy.ramp
    out = []
    for year, month in plan.quarter.months:
        first = date(year, month, 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
        tenure = (
            0
            if person.start is None
            else (year - person.start.year) * 12 + month - person.start.month
        )
        factor = Fraction(0) if tenure < 0 else Fraction(ramp[min(tenure, len(ramp) - 1)]) / 100
        if person.end is not None:
            factor *= Fraction(_days_present(first, last, person), (last - first).days + 1)
        out.append(factor)
    return out


def _days_present(first: date, last: date, person: Person) -> int:
    start = max(first, person.start or first)
    end = min(last, person.end or last)
    return max((end - start).days + 1, 0)


# --- weights ------------------------------------------------------------------------


def unit_of(plan: Plan, metric: Metric) -> Decimal:
    """The rounding unit of a metric's targets: the policy's for money, 1 for counts."""
    if metric.unit == "currency":
        return plan.policy.rounding or Decimal(1)
    return Decimal(1)


def _children(plan: Plan, node: Node) -> list[Node]:
    return [plan.nodes[c] for c in node.children if c in plan.nodes]


def component_weights(plan: Plan, node: Node, metric: str, component: str) -> list[Fraction]:
    """One weight per child of ``node`` for a component; raises when the plan lacks the data."""
    children = _children(plan, node)
    if component == "even":
        return [Fraction(1)] * len(children)
    if component == "capacity":
        weights = [capacity(plan, c) for c in children]
        return _nonzero(weights, f"{node.id}'s children have no capacity (no reps employed)")
    if component == "potential":
        missing = [c.id for c in children if c.potential is None]
        if missing:
            raise AllocationError(
                f"no market potential for {_names(missing)}; add potential: to each child of {node.id}"
            )
        return _nonzero(
            [Fraction(c.potential or 0) for c in children],
            f"{node.id}'s children's potential is all 0",
        )
    if component == "bottom_up":
        values = [_target_field(c, metric, "bottom_up") for c in children]
        _require(children, values, f"bottom_up {metric} commitment", "bottom_up:")
        return _nonzero([Fraction(v or 0) for v in values], "the bottom-up commitments are all 0")
    if component == "baseline":
        for kind in ("last_year", "last_quarter"):
            if all(_target_field(c, metric, kind) is not None for c in children):
                return component_weights(plan, node, metric, kind)
        raise MissingBaselineError(_no_baseline(children, metric))
    if component in ("last_year", "last_quarter"):
        values = [_target_field(c, metric, component) for c in children]
        try:
            _require(
                children,
                values,
                f"{component} baseline for {metric}",
                f"baseline: {{{component}: ...}}",
            )
        except AllocationError as error:
            raise MissingBaselineError(str(error)) from None
        return _nonzero(
            [Fraction(v or 0) for v in values], f"every child's {component} baseline is 0"
        )
    raise AllocationError(f"unknown weight {component!r}; choose from {', '.join(COMPONENTS)}")


def blend_weights(
    plan: Plan, node: Node, metric: str, mix: Mapping[str, Decimal]
) -> list[Fraction]:
    """Each component's shares (normalised), mixed by ``mix``: 50 % last year, 50 % capacity..."""
    if not mix:
        raise AllocationError("a blend needs --weights, e.g. --weights last_year=50,capacity=50")
    if any(v < 0 for v in mix.values()):
        raise AllocationError("blend weights must not be negative")
    total = sum((Fraction(v) for v in mix.values()), Fraction(0))
    if total == 0:
        raise AllocationError("the blend weights add up to zero")
    blended = [Fraction(0)] * len(node.children)
    for component, share in mix.items():
        if share == 0:
            continue
        weights = component_weights(plan, node, metric, component)
        weight_sum = sum(weights, Fraction(0))
        for index, weight in enumerate(weights):
            blended[index] += Fraction(share) / total * weight / weight_sum
    return blended


def _target_field(node: Node, metric: str, field: str) -> Decimal | None:
    target = node.targets.get(metric)
    value: Decimal | None = None if target is None else getattr(target, field)
    return value


def _no_baseline(children: list[Node], metric: str) -> str:
    """Why ``--method baseline`` has no weights: it takes either kind, so say both.

    Naming only last_year (as a plain ``last_year`` weight would) sent users adding last year's
    numbers to every child when last quarter's for the few without one would do.
    """
    missing = {
        kind: [c.id for c in children if _target_field(c, metric, kind) is None]
        for kind in ("last_year", "last_quarter")
    }
    kind = min(missing, key=lambda k: len(missing[k]))  # the fewer to add; last_year on a tie
    return (
        f"no {kind} baseline for {metric} for {_names(missing[kind])} (the baseline method takes "
        f"last_year from every child, else last_quarter from every child); add baseline: "
        f"{{{kind}: ...}} or choose another method"
    )


def _require(children: list[Node], values: list[Decimal | None], what: str, how: str) -> None:
    missing = [c.id for c, v in zip(children, values, strict=True) if v is None]
    if missing:
        raise AllocationError(
            f"no {what} for {_names(missing)}; add {how} or choose another method"
        )


def _nonzero(weights: list[Fraction], message: str) -> list[Fraction]:
    if sum(weights, Fraction(0)) == 0:
        raise AllocationError(message)
    return weights


def _names(ids: list[str], limit: int = 5) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


# --- the allocation ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChildChange:
    """One child's target before and after. ``months``/``products`` are None when left alone."""

    node: Node
    target: Target | None
    share: Fraction
    after: Decimal
    stretch: Decimal | None
    months: tuple[Decimal, ...] | None
    products: dict[str, Decimal] | None

    @property
    def before(self) -> Decimal | None:
        return None if self.target is None else self.target.value

    @property
    def delta(self) -> Decimal:
        return self.after - (self.before or Decimal(0))

    @property
    def changed(self) -> bool:
        target = self.target
        if target is None:
            return True
        return (
            self.after != target.value
            or (self.stretch is not None and self.stretch != target.stretch)
            or (self.months is not None and self.months != target.months)
            or (self.products is not None and dict(self.products) != dict(target.products or {}))
        )


@dataclass(frozen=True, slots=True)
class Allocation:
    node: Node
    metric: Metric
    method: str
    uplift: Decimal
    unit: Decimal
    parent: Decimal
    total: Decimal
    children: tuple[ChildChange, ...]
    limited_by: str | None = None  # why the total is below parent + uplift (a cumulative band)

    @property
    def before_total(self) -> Decimal:
        return sum((c.before or Decimal(0) for c in self.children), Decimal(0))


def _no_such_node(plan: Plan, node_id: str) -> str:
    """What --node got wrong: the closest id that has children, and what --node takes."""
    close = closest(node_id, (n.id for n in plan.nodes.values() if n.level is not Level.REP))
    meant = f" (did you mean {close}?)" if close else ""
    return (
        f"no node {argument(node_id)} in the plan{meant}: "
        f"--node takes the id of the company ({plan.company}), a region or a team"
    )


def allocate(
    plan: Plan,
    node_id: str,
    metric_id: str,
    method: str,
    *,
    mix: Mapping[str, Decimal] | None = None,
    uplift: Decimal | None = None,
    months: bool = False,
    products: bool = False,
    value: Decimal | None = None,
    stretch: Decimal | None = None,
    ceiling: Ceiling | None = None,
) -> Allocation:
    """Split ``node_id``'s ``metric_id`` target among its children (see the module docstring).

    ``value`` splits that number instead of the node's own (a parent's new value, when cascading),
    ``stretch`` is its new stretch goal then;
    ``ceiling`` is the most the children may add up to (what a cumulative band leaves them).
    """
    node = plan.nodes.get(node_id)
    if node is None:
        raise AllocationError(_no_such_node(plan, node_id))
    metric = plan.metrics.get(metric_id)
    if metric is None:
        raise AllocationError(
            f"no metric {argument(metric_id)}; the plan has {', '.join(plan.metrics) or 'none'}"
        )
    if not metric.summed:
        raise AllocationError(
            f"{metric.id} rolls up as {metric.rollup}, not as a sum: allocate splits metrics that add up; "
            "set shares and scores on each child directly"
        )
    target = node.targets.get(metric_id)
    if target is None:
        raise AllocationError(f"{node.level.label} {node.id} has no {metric.id} target to split")
    parent_value = target.value if value is None else value
    children = _children(plan, node)
    if not children:
        raise AllocationError(f"{node.level.label} {node.id} has no children to split among")
    if method not in METHODS:
        raise AllocationError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
    if method == "blend":
        weights = blend_weights(plan, node, metric_id, mix or {})
        label = "blend " + ", ".join(f"{k}={_pct(v)}" for k, v in (mix or {}).items())
    else:
        if mix:
            raise AllocationError("--weights goes with --method blend")
        weights = component_weights(plan, node, metric_id, method)
        label = method
    unit = unit_of(plan, metric)
    lift = _uplift(plan, metric, uplift)
    total = intended_total(plan, metric, parent_value, lift, unit, ceiling)
    limited_by = None
    if ceiling is not None and total < round_to(parent_value * (100 + lift) / 100, unit, up=False):
        limited_by = ceiling.why
    values = largest_remainder(total, weights, unit)
    weight_sum = sum(weights, Fraction(0))
    changes = []
    for child, weight, share in zip(children, weights, values, strict=True):
        current = child.targets.get(metric_id)
        changes.append(
            ChildChange(
                node=child,
                target=current,
                share=weight / weight_sum,
                after=share,
                stretch=_stretch(current, share, unit, metric.is_cap),
                months=phase(plan, child, current, target, share, unit, force=months),
                products=split_products(plan, child, current, target, share, unit, force=products),
            )
        )
    parent_stretch = stretch if stretch is not None else target.stretch
    if parent_stretch is not None:
        changes = _stretch_covering(plan, metric, changes, parent_stretch, unit)
    return Allocation(
        node, metric, label, lift, unit, parent_value, total, tuple(changes), limited_by
    )


def allocate_down(
    plan: Plan,
    node_id: str,
    metric_id: str,
    method: str,
    *,
    mix: Mapping[str, Decimal] | None = None,
    uplift: Decimal | None = None,
    months: bool = False,
    products: bool = False,
    cascade: bool = False,
    outside: Mapping[str, Decimal] | None = None,
) -> list[Allocation]:
    """The split of one node; with ``cascade``, each child's new number split again, down to the reps.

    A cascade compounds its uplift level by level, so each split is also held
    under what ``policy.over_assignment.cumulative`` leaves it (see
    :class:`CumulativeRoom`): the plan it produces passes PLC320.

    ``outside``: when ``plan`` is a model of some of the plan's files only
    (:mod:`planc.allocate.scope`), node id -> what the reps of the other files add
    up to below that node.
    """
    room = CumulativeRoom.of(plan, node_id, metric_id, outside) if cascade else None
    first = allocate(
        plan,
        node_id,
        metric_id,
        method,
        mix=mix,
        uplift=uplift,
        months=months,
        products=products,
        ceiling=room.ceiling(node_id, None) if room else None,
    )
    found = [first]
    pending = [first] if cascade else []
    while pending:
        level = pending.pop(0)
        assert room is not None
        # Breadth first, each split settled as it is made: every split of a level is
        # known before the level below it shares out the room.
        room.settle(level)
        for change in level.children:
            if not change.node.children or change.target is None:
                continue
            below = allocate(
                plan,
                change.node.id,
                metric_id,
                method,
                mix=mix,
                uplift=uplift,
                months=months,
                products=products,
                value=change.after,
                stretch=change.stretch,
                ceiling=room.ceiling(change.node.id, change.after),
            )
            room.settle(below)
            found.append(below)
            pending.append(below)
    return found


@dataclass(frozen=True, slots=True)
class Ceiling:
    """The most a split's children may add up to, and the band that says so."""

    most: Fraction
    why: str


@dataclass(slots=True)
class CumulativeRoom:
    """What the cumulative bands leave each split of one cascade.

    For every region or company above the cascade's splits, the reps may add
    up to ``value x (100 + cumulative max) %``. Reps outside the cascade keep
    their numbers; the rest of the room is shared among the splits of one
    level in proportion to their new values, so the shares add up to the room
    exactly. A split above the teams leaves room for the lowest uplift of the
    levels still below it (``over_assignment.min``).
    """

    plan: Plan
    metric: str
    resplit: dict[str, Node]  # every node the cascade splits
    reps_below: dict[str, Decimal]  # node -> its reps' current sum
    new_values: dict[str, Decimal]
    # What every split of a level under one region or company shares (the splits of a
    # cascade ask for it ~500 times at 10,000 reps): the peers, the sum of their reps'
    # current values, and the sum of their values as of a version of that level.
    _peers: dict[tuple[str, Level], tuple[list[Node], Decimal]] = field(default_factory=dict)
    _sums: dict[tuple[str, Level], tuple[int, Fraction]] = field(default_factory=dict)
    _versions: dict[Level, int] = field(default_factory=dict)

    @classmethod
    def of(
        cls, plan: Plan, node_id: str, metric: str, outside: Mapping[str, Decimal] | None = None
    ) -> CumulativeRoom:
        resplit: dict[str, Node] = {}
        stack = [node_id]
        while stack:
            node = plan.nodes.get(stack.pop())
            if node is None or metric not in node.targets or not node.children:
                continue
            resplit[node.id] = node
            stack.extend(node.children)
        reps_below: dict[str, Decimal] = {}
        for node in plan.nodes.values():
            target = node.targets.get(metric)
            if node.level is not Level.REP or target is None:
                continue
            for above in plan.ancestors(node.parent or ""):
                reps_below[above.id] = reps_below.get(above.id, Decimal(0)) + target.value
        for above_id, value in (outside or {}).items():  # reps of files the model does not hold
            reps_below[above_id] = reps_below.get(above_id, Decimal(0)) + value
        return cls(plan, metric, resplit, reps_below, {})

    def settle(self, allocation: Allocation) -> None:
        """Record the new values a split gave its children."""
        for change in allocation.children:
            self.new_values[change.node.id] = change.after
            level = change.node.level
            self._versions[level] = self._versions.get(level, 0) + 1

    def _value(self, node: Node) -> Decimal:
        return self.new_values.get(node.id, node.targets[self.metric].value)

    def ceiling(self, node_id: str, value: Decimal | None) -> Ceiling | None:
        """The tightest room any region or company above ``node_id`` leaves its split."""
        plan = self.plan
        node = self.resplit[node_id]
        metric = plan.metrics[self.metric]
        if not metric.summed or metric.is_cap:
            return None
        own = Fraction(node.targets[self.metric].value if value is None else value)
        below = Level.REP - (node.level + 1)  # levels between the children and the reps
        floor = (Fraction(100 + plan.policy.over_assignment.min) / 100) ** below
        best: Ceiling | None = None
        for above in plan.ancestors(node_id):
            if above.level not in (Level.REGION, Level.COMPANY):
                continue
            if self.metric not in above.targets or above.id not in self.reps_below:
                continue
            share = self._share(above, node, own)
            if floor > 0:
                share /= floor
            if best is None or share < best.most:
                key = "region" if above.level is Level.REGION else "company"
                best = Ceiling(share, f"policy.over_assignment.cumulative.{key} of {above.id}")
        return best

    def _share(self, above: Node, node: Node, own: Fraction) -> Fraction:
        """``node``'s part of what ``above``'s reps may add up to."""
        policy = self.plan.policy
        band = policy.cumulative(above.level)
        room = Fraction(self._value(above)) * (100 + Fraction(band.max)) / 100
        room += Fraction(policy.tolerance)
        peers, fixed = self._peers_of(above, node.level)
        values = self._sum_of(above, node.level, peers)
        if any(p is node for p in peers):
            values -= Fraction(self._value(node))
        total = values + own
        free = room - Fraction(fixed)
        return free if total == 0 else free * own / total

    def _peers_of(self, above: Node, level: Level) -> tuple[list[Node], Decimal]:
        """The splits of ``level`` under ``above``, and what ``above``'s other reps add up to."""
        key = (above.id, level)
        found = self._peers.get(key)
        if found is None:
            peers = [
                peer
                for peer in self.resplit.values()
                if peer.level is level and _is_below(self.plan, peer, above)
            ]
            fixed = self.reps_below[above.id] - sum(
                (self.reps_below.get(p.id, Decimal(0)) for p in peers), Decimal(0)
            )
            found = self._peers[key] = (peers, fixed)
        return found

    def _sum_of(self, above: Node, level: Level, peers: list[Node]) -> Fraction:
        """The peers' values now (again only after a split of their level settled)."""
        key = (above.id, level)
        version = self._versions.get(level, 0)
        found = self._sums.get(key)
        if found is None or found[0] != version:
            total = sum((Fraction(self._value(p)) for p in peers), Fraction(0))
            found = self._sums[key] = (version, total)
        return found[1]


def _is_below(plan: Plan, node: Node, above: Node) -> bool:
    return any(a.id == above.id for a in plan.ancestors(node.id))


def _pct(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _uplift(plan: Plan, metric: Metric, uplift: Decimal | None) -> Decimal:
    band = plan.policy.over_assignment
    if metric.is_cap:
        lift = Decimal(0) if uplift is None else uplift
        if lift > 0:
            raise AllocationError(
                f"{metric.id} is a cap: the children's caps may not add up above the parent's; "
                "use an uplift of 0 or below"
            )
        return lift
    lift = band.min if uplift is None else uplift
    if not band.min <= lift <= band.max:
        raise AllocationError(
            f"uplift {_pct(lift)}% is outside policy.over_assignment "
            f"({_pct(band.min)}% to {_pct(band.max)}%)"
        )
    return lift


def intended_total(
    plan: Plan,
    metric: Metric,
    parent: Decimal,
    uplift: Decimal,
    unit: Decimal,
    ceiling: Ceiling | None = None,
) -> Decimal:
    """What the children add up to: the parent plus the uplift, rounded to the unit.

    Rounded up for targets (never under-assigning), down for caps; rounded
    down instead when rounding up would leave the over-assignment band. A
    ``ceiling`` (what a cumulative band leaves) lowers the uplift to fit.
    """
    raw = parent * (100 + uplift) / 100
    if metric.is_cap:
        return max(round_to(raw, unit, up=False), Decimal(0))
    band = plan.policy.over_assignment
    tolerance = plan.policy.tolerance
    high = Fraction(parent * (100 + band.max) / 100 + tolerance)
    low = parent * (100 + band.min) / 100 - tolerance
    if ceiling is not None and ceiling.most < Fraction(raw):
        most = Decimal(math.floor(ceiling.most / Fraction(unit))) * unit
        if most >= low:
            return most
        raise AllocationError(
            f"{ceiling.why} leaves the children of {grouped(parent)} at most {grouped(most)}, "
            f"below policy.over_assignment's lowest {grouped(round_to(low, unit, up=True))}; "
            "lower --uplift at the levels above, or widen policy.over_assignment.cumulative"
        )
    if ceiling is not None:
        high = min(high, ceiling.most)
    up = round_to(raw, unit, up=True)
    if up <= high:
        return up
    down = round_to(raw, unit, up=False)
    if down >= low:
        return down
    raise AllocationError(
        f"no multiple of {grouped(unit)} lies inside the over-assignment band for "
        f"{grouped(parent)}; widen policy.over_assignment or change policy.rounding"
    )


def _stretch(current: Target | None, value: Decimal, unit: Decimal, cap: bool) -> Decimal | None:
    """Keep a stretch goal's distance from the value: scale it with the new value."""
    if current is None or current.stretch is None or current.value == value or current.value <= 0:
        return None
    scaled = current.stretch * value / current.value
    return round_to(scaled, split_unit(value, unit), up=not cap)


def _stretch_covering(
    plan: Plan, metric: Metric, changes: list[ChildChange], parent: Decimal, unit: Decimal
) -> list[ChildChange]:
    """The children's new stretch goals moved, by whole units, into the parent's stretch band.

    Each child's stretch keeps its own distance from its value (:func:`_stretch`), each rounded
    on its own, so together they can miss the parent's stretch: a region's 73 new customers
    over teams whose stretch goals add up to 72 (PLC321, ``policy.over_assignment.stretch``).
    The units missing (or over) go to the children whose stretch this split sets, the largest
    remainders first, in proportion to those goals; no stretch falls below its child's value
    (above it, for a cap). Children without a stretch goal count their value, as PLC321 counts.
    """
    moved = [i for i, c in enumerate(changes) if c.stretch is not None]
    if not moved:
        return changes
    total = sum((_stretch_counted(c) for c in changes), Decimal(0))
    band = plan.policy.stretch
    if metric.is_cap:  # the children's stretch caps may not add up above the parent's
        low, high = None, parent
    else:
        low, high = parent * (100 + band.min) / 100, parent * (100 + band.max) / 100
    if low is not None and total < low:
        step = round_to(low - total, unit, up=True)
    elif total > high:
        step = -round_to(total - high, unit, up=True)
    else:
        return changes
    weights = [changes[i].stretch or Decimal(0) for i in moved]
    if sum(weights) <= 0:
        weights = [Decimal(1)] * len(moved)
    shares = largest_remainder(abs(step), weights, unit)
    out = list(changes)
    for i, share in zip(moved, shares, strict=True):
        change = changes[i]
        assert change.stretch is not None
        goal = change.stretch + share if step > 0 else change.stretch - share
        # a stretch goal stays on its side of the value (more ambitious, never less), and a
        # cap's is never below zero
        goal = (
            max(min(goal, change.after), Decimal(0)) if metric.is_cap else max(goal, change.after)
        )
        out[i] = replace(change, stretch=goal)
    return out


def _stretch_counted(change: ChildChange) -> Decimal:
    """What a child adds to its parent's stretch sum after the split (PLC321's count)."""
    if change.stretch is not None:
        return change.stretch
    current = change.target  # a stretch the split leaves alone stays in the file
    if current is not None and current.stretch is not None:
        return current.stretch
    return change.after


def _seasonality(plan: Plan, current: Target | None, parent: Target) -> list[Fraction]:
    """Month weights: the child's baseline by month, the parent's, the parent's phasing, else even."""
    count = len(plan.quarter.months)
    for months in (
        current.last_year_months if current is not None else None,
        parent.last_year_months,
        parent.months,
    ):
        if months is not None and len(months) == count and sum(months, Decimal(0)) > 0:
            return [Fraction(m) for m in months]
    return [Fraction(1)] * count


def phase(
    plan: Plan,
    child: Node,
    current: Target | None,
    parent: Target,
    value: Decimal,
    unit: Decimal,
    *,
    force: bool,
) -> tuple[Decimal, ...] | None:
    """The child's monthly phasing for ``value``, or None to leave it out.

    Existing phasing keeps its own shape when the value moves (so it still adds
    up); ``force`` (``--months``) phases every child by seasonality, the ramp
    and the last day of a leaver.
    """
    has = current is not None and current.months is not None
    if not force and not has:
        return None
    if current is not None and current.months is not None and not force:
        if value == current.value and sum(current.months, Decimal(0)) == value:
            return current.months
        own = current.months
        if len(own) == len(plan.quarter.months) and sum(own, Decimal(0)) > 0:
            return tuple(largest_remainder(value, own, split_unit(value, unit)))
    weights = [
        s * a
        for s, a in zip(
            _seasonality(plan, current, parent), month_availability(plan, child), strict=True
        )
    ]
    if value == 0:
        return tuple(Decimal(0) for _ in weights)
    if sum(weights, Fraction(0)) == 0:
        raise AllocationError(
            f"cannot phase {child.id}'s {grouped(value)}: not employed in any month of the quarter"
        )
    return tuple(largest_remainder(value, weights, split_unit(value, unit)))


def split_products(
    plan: Plan,
    child: Node,
    current: Target | None,
    parent: Target,
    value: Decimal,
    unit: Decimal,
    *,
    force: bool,
) -> dict[str, Decimal] | None:
    """The child's product split for ``value`` by its own mix, else the parent's; None to leave out."""
    own = current.products if current is not None else None
    if not force and own is None:
        return None
    unchanged = current is not None and value == current.value
    if own is not None and unchanged and sum(own.values(), Decimal(0)) == value:
        return dict(own)
    for mix in (own, parent.products):
        if mix and sum(mix.values(), Decimal(0)) > 0:
            keys = list(mix)
            amounts = largest_remainder(value, [mix[k] for k in keys], split_unit(value, unit))
            return dict(zip(keys, amounts, strict=True))
    raise AllocationError(
        f"no product mix to split {child.id}'s {parent.metric} by: give {parent.node} "
        "(or the child) a products: split first"
    )
