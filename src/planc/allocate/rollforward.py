"""``planc init``: roll a quarter forward into a new quarter folder.

From the previous quarter's plan: the org is carried over (leavers dropped;
ramps advance by themselves, since they are computed from each person's start
and the new quarter's months), dates are shifted, adjustments, action items,
notes and bottom-up numbers are cleared (they belong to the old quarter),
baselines are filled from the history that exists, and targets are proposed:
the top of each metric grows from its baseline by the policy's growth (the
middle of ``policy.growth`` unless ``--growth`` says otherwise), and each
level is split among its children as ``planc allocate`` splits, keeping each
level's over-assignment. Without a baseline a number is carried over.

History for baselines:

* last quarter: results of the old quarter, from ``--actuals`` when given;
* same quarter last year: from ``--actuals`` when it covers that quarter, else
  from the plan of the quarter after it (its ``last_quarter`` baselines are
  that quarter's results), when that plan exists.

The new folder is built in a temporary folder beside it, checked, and renamed
into place, so it appears whole or not at all; an existing quarter is never
overwritten.
"""

from __future__ import annotations

import calendar
import importlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from planc.allocate.allocation import (
    AllocationError,
    MissingBaselineError,
    blend_weights,
    capacity,
    component_weights,
    intended_total,
    largest_remainder,
    phase,
    round_to,
    split_unit,
    unit_of,
)
from planc.allocate.emit import dump
from planc.checks import check_directory, check_sources
from planc.core.diagnostics import Diagnostic, Severity
from planc.core.files import current_umask, dangling_link
from planc.core.loader import MODELINE_PREFIX, load_source
from planc.core.model import Level, Metric, Node, Plan, Quarter, Target
from planc.core.pipeline import CheckResult
from planc.core.quarters import QUARTER_ID, parse_quarter_id
from planc.core.source import SourceFile
from planc.core.spans import SpanResolver

# person id → metric id → (year, month) → result
Results = Mapping[str, Mapping[str, Mapping[tuple[int, int], Decimal]]]
METHODS = ("carry", "even", "baseline", "potential", "capacity", "blend")
_QUARTER_ID = QUARTER_ID  # one spelling of quarter ids, in planc.core.quarters
_CN_QUARTERS = "一二三四"


class InitError(Exception):
    """The new quarter cannot be made; the message says why, for the user."""


@dataclass(frozen=True, slots=True)
class NewQuarter:
    id: str
    name: str
    start: date
    end: date
    fiscal_year: str | None
    shift: int  # months between the old quarter and this one

    @property
    def months(self) -> list[tuple[int, int]]:
        return [_add_months(self.start.year, self.start.month, i) for i in range(self.length)]

    @property
    def length(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1


@dataclass(slots=True)
class History:
    """Results known for the new quarter's baselines, per (node id, metric id)."""

    last_quarter: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    last_year: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    last_year_months: dict[tuple[str, str], tuple[Decimal, ...]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Rollforward:
    """What init made: the files (relative path → text), the check of them, and a summary."""

    quarter: NewQuarter
    files: dict[str, str]
    result: CheckResult
    summary: list[str]


# --- quarters and dates ----------------------------------------------------------


def _add_months(year: int, month: int, count: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + count
    return index // 12, index % 12 + 1


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def shift_date(day: date, months: int) -> date:
    """The same day ``months`` later; the last day of a month stays the last day."""
    year, month = _add_months(day.year, day.month, months)
    last = _last_day(year, month)
    if day.day == _last_day(day.year, day.month):
        return date(year, month, last)
    return date(year, month, min(day.day, last))


def _parse_id(quarter_id: str) -> tuple[int, int, bool, bool] | None:
    """(year, quarter, two-digit year, FY prefix) of ids like 2027-Q2 or FY27-Q3."""
    match = _QUARTER_ID.fullmatch(quarter_id)
    if match is None:
        return None
    year = match["year"]
    return int(year), int(match["q"]), len(year) == 2, match["prefix"] is not None


def _quarters_between(old_id: str, new_id: str) -> int:
    """How many quarters ``new_id`` lies after ``old_id`` (FY27 and FY2027 are one year).

    A calendar id and a fiscal one cannot be compared: a fiscal year's months are the
    plan's to say, so mixing the two forms is refused rather than guessed."""
    old, new = parse_quarter_id(old_id), parse_quarter_id(new_id)
    assert old is not None and new is not None  # both matched QUARTER_ID
    if old.fiscal != new.fiscal:
        kind = {True: "a fiscal", False: "a calendar"}
        raise InitError(
            f"{old_id} is {kind[old.fiscal]} quarter and {new_id} {kind[new.fiscal]} one: "
            f"name the new quarter in the form of the old one, e.g. "
            f"{format_id(old_id, new.year, new.number)}"
        )
    return (new.year * 4 + new.number) - (old.year * 4 + old.number)


def format_id(template: str, year: int, q: int) -> str:
    """A quarter id written like ``template`` (2027-Q1, FY27-Q1) for another year and quarter."""
    parsed = _parse_id(template)
    short = parsed is not None and parsed[2]
    prefix = "FY" if parsed is not None and parsed[3] else ""
    return f"{prefix}{year % 100:02d}-Q{q}" if short else f"{prefix}{year}-Q{q}"


def previous_id(quarter_id: str) -> str | None:
    """The id of the quarter before ``quarter_id``, written the same way (2027-Q1 → 2026-Q4,
    FY27-Q1 → FY26-Q4); None when it is not a quarter id."""
    parsed = parse_quarter_id(quarter_id)
    if parsed is None:
        return None
    year, number = (parsed.year, parsed.number - 1) if parsed.number > 1 else (parsed.year - 1, 4)
    if year < 2000:  # two digits read as 20yy: FY00-Q1's year before is FY1999, not FY99
        return format_id(f"{'FY' if parsed.fiscal else ''}2000-Q1", year, number)
    return format_id(quarter_id, year, number)


def next_quarter(old: Quarter, new_id: str) -> NewQuarter:
    """Dates and labels of ``new_id``, shifted from the old quarter by the quarters between them."""
    old_parsed, new_parsed = _parse_id(old.id), _parse_id(new_id)
    count = len(old.months)
    quarters = 1
    if old_parsed is not None and new_parsed is not None:
        quarters = _quarters_between(old.id, new_id)
        if quarters <= 0:
            raise InitError(f"{new_id} does not come after {old.id}: planc init rolls forward")
    shift = quarters * count
    start = date(*_add_months(old.start.year, old.start.month, shift), 1)
    end_year, end_month = _add_months(old.end.year, old.end.month, shift)
    end = date(end_year, end_month, _last_day(end_year, end_month))
    name = _rename(old.name, old.id, new_id)
    fiscal = old.fiscal_year
    if fiscal is not None and old_parsed is not None and new_parsed is not None:
        fiscal = fiscal.replace(str(old_parsed[0]), str(new_parsed[0]))
    return NewQuarter(new_id, name, start, end, fiscal, shift)


def _rename(name: str, old_id: str, new_id: str) -> str:
    if old_id in name:
        return name.replace(old_id, new_id)
    old, new = _parse_id(old_id), _parse_id(new_id)
    if old is None or new is None:
        return new_id
    year4 = new[0] if not new[2] else 2000 + new[0]
    chinese = re.fullmatch(r"(\d{4})年第([一二三四])季度", name)
    if chinese:
        return f"{year4}年第{_CN_QUARTERS[new[1] - 1]}季度"
    english = re.fullmatch(r"Q([1-4]) (\d{4})", name)
    if english:
        return f"Q{new[1]} {year4}"
    return new_id


# --- history ------------------------------------------------------------------------


def _org_totals(plan: Plan, per_person: Mapping[str, Decimal], metric: str) -> dict[str, Decimal]:
    """Each node's total of a summed metric: its reps' results added up its subtree."""
    totals: dict[str, Decimal] = {}
    for node in reversed(list(plan.walk())):
        if node.level is Level.REP:
            if node.id in per_person:
                totals[node.id] = per_person[node.id]
        else:
            parts = [totals[c] for c in node.children if c in totals]
            if parts:
                totals[node.id] = sum(parts, Decimal(0))
    _ = metric
    return totals


def history_from_results(
    results: Results,
    months: list[tuple[int, int]],
    org: Plan,
    into: dict[tuple[str, str], Decimal],
    monthly: dict[tuple[str, str], tuple[Decimal, ...]] | None = None,
) -> bool:
    """Add up results over ``months`` per node of ``org`` (summed metrics); False when none fall there."""
    covered = any(
        m in by_month for p in results.values() for by_month in p.values() for m in months
    )
    if not covered:
        return False
    for metric in org.metrics.values():
        if not metric.summed:
            continue
        per_month = [
            {
                person: by_metric.get(metric.id, {}).get(m, Decimal(0))
                for person, by_metric in results.items()
            }
            for m in months
        ]
        month_totals = [_org_totals(org, values, metric.id) for values in per_month]
        for node_id in month_totals[0]:
            values = tuple(t.get(node_id, Decimal(0)) for t in month_totals)
            into[(node_id, metric.id)] = sum(values, Decimal(0))
            if monthly is not None:
                monthly[(node_id, metric.id)] = values
    return True


def gather_history(
    old_dir: Path,
    old: Plan,
    new: NewQuarter,
    results: Results | None,
    read_plan: Callable[[Path], Plan | None],
) -> History:
    """Baselines for the new quarter from the results and the plans that exist."""
    history = History()
    plans_root = old_dir.parent
    year_ago_months = [_add_months(y, m, -12) for y, m in new.months]
    parsed = _parse_id(new.id)
    year_ago_id = after_id = None
    if parsed is not None:
        year, q = parsed[0], parsed[1]
        year_ago_id = format_id(new.id, year - 1, q)
        after_id = format_id(new.id, year - 1 + q // 4, q % 4 + 1)
    if results is not None:
        months = list(old.quarter.months)
        if history_from_results(results, months, old, history.last_quarter):
            history.sources.append(f"last quarter from the actuals ({old.quarter.id})")
        org = read_plan(plans_root / year_ago_id) if year_ago_id else None
        if history_from_results(
            results, year_ago_months, org or old, history.last_year, history.last_year_months
        ):
            what = f"{year_ago_id}'s org" if org is not None else f"{old.quarter.id}'s org"
            history.sources.append(f"same quarter last year from the actuals (by {what})")
    if not history.last_year and after_id is not None:
        after = read_plan(plans_root / after_id)
        if after is not None:
            for node in after.nodes.values():
                for metric, target in node.targets.items():
                    if target.last_quarter is not None:
                        history.last_year[(node.id, metric)] = target.last_quarter
            history.sources.append(
                f"same quarter last year from {after_id}'s last_quarter baselines"
            )
    return history


def read_plan_quietly(folder: Path) -> Plan | None:
    """The plan in ``folder`` if there is one that compiles, else None."""
    if not folder.is_dir():
        return None
    return check_directory(folder).plan


# --- the new documents ---------------------------------------------------------------


@dataclass(slots=True)
class _Draft:
    """The new quarter's documents (relative path → data) and where each node's targets are."""

    documents: dict[str, dict[str, Any]]
    modelines: dict[str, str]
    targets: dict[str, dict[str, Any]]  # node id → its targets mapping in the documents


def _leavers(plan: Plan, new: NewQuarter) -> set[str]:
    return {p.id for p in plan.people.values() if p.end is not None and p.end < new.start}


def _still_named(plan: Plan, leavers: set[str]) -> Iterator[str]:
    for node in plan.nodes.values():
        if node.level is not Level.REP and node.owner in leavers:
            yield f"{node.owner} owns {node.level.label} {node.id}"
        for target in node.targets.values():
            if target.owner in leavers and (node.level is not Level.REP or target.owner != node.id):
                yield f"{target.owner} owns target {target.ref}"
    for person in plan.people.values():
        if person.manager in leavers and person.id not in leavers:
            yield f"{person.manager} manages {person.id}"
    for tier in plan.policy.approvals:
        if tier.approver in leavers:
            yield f"{tier.approver} approves changes (policy.approvals)"


def _target_draft(
    raw: Mapping[str, Any], key: tuple[str, str], new: NewQuarter, history: History
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    baseline: dict[str, Any] = {}
    for name in ("last_quarter", "last_year"):
        known = getattr(history, name).get(key)
        if known is not None:
            baseline[name] = known
    if key in history.last_year_months:
        baseline["last_year_months"] = list(history.last_year_months[key])
    for name, value in raw.items():
        if name in ("note", "bottom_up", "months"):
            continue
        if name == "baseline":
            if baseline:
                out["baseline"] = baseline
            continue
        out[name] = (
            shift_date(date.fromisoformat(value), new.shift).isoformat()
            if name == "deadline"
            else value
        )
    if baseline and "baseline" not in out:
        out["baseline"] = baseline
    return out


def _targets_draft(
    raw: Mapping[str, Any] | None, node: str, new: NewQuarter, history: History, draft: _Draft
) -> dict[str, Any]:
    targets = {m: _target_draft(t, (node, m), new, history) for m, t in (raw or {}).items()}
    draft.targets[node] = targets
    return targets


def _region_draft(
    raw: Mapping[str, Any], new: NewQuarter, leavers: set[str], history: History, draft: _Draft
) -> dict[str, Any]:
    region = dict(raw)
    if "targets" in region:
        region["targets"] = _targets_draft(region["targets"], raw["id"], new, history, draft)
    teams = []
    for team_raw in raw.get("teams", []):
        team = dict(team_raw)
        if "targets" in team:
            team["targets"] = _targets_draft(team["targets"], team_raw["id"], new, history, draft)
        if "reps" in team:
            seats = []
            for seat_raw in team_raw["reps"]:
                if seat_raw["rep"] in leavers:
                    continue
                seat = dict(seat_raw)
                if "targets" in seat:
                    seat["targets"] = _targets_draft(
                        seat["targets"], seat_raw["rep"], new, history, draft
                    )
                seats.append(seat)
            team["reps"] = seats
        teams.append(team)
    if "teams" in raw:
        region["teams"] = teams
    return region


def _document_draft(
    data: Mapping[str, Any], new: NewQuarter, leavers: set[str], history: History, draft: _Draft
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, raw in data.items():
        value = raw
        if key in ("adjustments", "actions"):
            continue  # the old quarter's: a new quarter plans its own
        if key == "quarter":
            quarter = dict(value)
            quarter.update(
                id=new.id, name=new.name, start=new.start.isoformat(), end=new.end.isoformat()
            )
            if new.fiscal_year is not None:
                quarter["fiscal_year"] = new.fiscal_year
            value = quarter
        elif key == "company":
            company = {k: v for k, v in value.items() if k != "approved"}
            if "targets" in company:
                company["targets"] = _targets_draft(
                    company["targets"], value["id"], new, history, draft
                )
            value = company
        elif key == "region":
            value = _region_draft(value, new, leavers, history, draft)
        elif key == "people":
            value = [p for p in value if p["id"] not in leavers]
        elif key == "policy":
            value = _policy_draft(value)
        out[key] = value
    return out


def _policy_draft(policy: Mapping[str, Any]) -> dict[str, Any]:
    """A new quarter enforces its approval tiers (``policy.approvals.enforce``), unless the
    old quarter turned enforcement off explicitly."""
    out = dict(policy)
    approvals = out.get("approvals")
    if isinstance(approvals, list):
        out["approvals"] = {"enforce": True, "tiers": approvals}
    return out


# --- proposing the numbers ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Proposal:
    value: Decimal
    stretch: Decimal | None
    months: tuple[Decimal, ...] | None
    products: dict[str, Decimal] | None
    segments: dict[str, Decimal] | None = None


def _old_target(old: Plan, node: str, metric: str) -> Target | None:
    found = old.nodes.get(node)
    return None if found is None else found.targets.get(metric)


def _carry_weights(old: Plan, draft: Plan, children: list[Node], metric: str) -> list[Fraction]:
    """Last quarter's split per unit of capacity, times this quarter's capacity (ramps advanced)."""
    old_values, old_caps, new_caps = [], [], []
    for child in children:
        previous = _old_target(old, child.id, metric)
        old_values.append(Fraction(previous.value) if previous is not None else Fraction(0))
        old_caps.append(
            capacity(old, old.nodes[child.id]) if child.id in old.nodes else Fraction(0)
        )
        new_caps.append(capacity(draft, child))
    cap_sum = sum(old_caps, Fraction(0))
    mean = sum(old_values, Fraction(0)) / cap_sum if cap_sum else Fraction(0)
    weights = [
        (value / cap if cap else mean) * new_cap
        for value, cap, new_cap in zip(old_values, old_caps, new_caps, strict=True)
    ]
    if sum(weights, Fraction(0)) == 0:
        return old_values if sum(old_values, Fraction(0)) else [Fraction(1)] * len(children)
    return weights


def _propose_top(
    plan: Plan, metric: Metric, target: Target, growth: Decimal, unit: Decimal
) -> tuple[Decimal, str]:
    baseline = target.baseline
    if baseline is None:
        return target.value, f"carried over (no baseline): {target.value:,}"
    label, base = baseline
    if metric.is_cap:
        value = max(round_to(base * (100 - growth) / 100, unit, up=False), Decimal(0))
        return value, f"{label} {base:,} cut by {growth}% → {value:,}"
    value = round_to(base * (100 + growth) / 100, unit, up=True)
    return value, f"{label} {base:,} grown by {growth}% → {value:,}"


def propose(
    old: Plan,
    draft: Plan,
    growth: Decimal,
    method: str,
    mix: Mapping[str, Decimal] | None,
    summary: list[str],
) -> dict[tuple[str, str], _Proposal]:
    """New values for every target of summed metrics, top-down (others keep their numbers)."""
    out: dict[tuple[str, str], _Proposal] = {}
    for metric in draft.metrics.values():
        if not metric.summed:
            continue
        unit = unit_of(draft, metric)
        for node in draft.walk():
            target = node.targets.get(metric.id)
            parent = draft.nodes.get(node.parent) if node.parent else None
            if target is None or (parent is not None and metric.id in parent.targets):
                continue  # not the top of this metric
            value, how = _propose_top(draft, metric, target, growth, unit)
            summary.append(f"{metric.id}: {node.id} {how}")
            _settle(old, draft, node, metric, value, unit, method, mix, out)
    return out


def _settle(
    old: Plan,
    draft: Plan,
    node: Node,
    metric: Metric,
    value: Decimal,
    unit: Decimal,
    method: str,
    mix: Mapping[str, Decimal] | None,
    out: dict[tuple[str, str], _Proposal],
) -> None:
    target = node.targets[metric.id]
    previous = _old_target(old, node.id, metric.id)
    stretch = None
    if target.stretch is not None and previous is not None and previous.value > 0:
        stretch = round_to(
            target.stretch * value / previous.value, split_unit(value, unit), up=not metric.is_cap
        )
    parent = draft.nodes.get(node.parent) if node.parent else None
    parent_target = parent.targets.get(metric.id) if parent is not None else None
    months = None
    if previous is not None and previous.months is not None:
        seasonal = target.last_year_months or (
            parent_target.last_year_months if parent_target else None
        )
        if seasonal is not None and len(seasonal) == len(draft.quarter.months):
            months = phase(draft, node, target, parent_target or target, value, unit, force=True)
    products = None
    if (
        previous is not None
        and previous.products
        and sum(previous.products.values(), Decimal(0)) > 0
    ):
        keys = list(previous.products)
        split = largest_remainder(
            value, [previous.products[k] for k in keys], split_unit(value, unit)
        )
        products = dict(zip(keys, split, strict=True))
    segments = _resplit(previous.segments if previous is not None else None, value, unit)
    out[(node.id, metric.id)] = _Proposal(value, stretch, months, products, segments)
    children = [draft.nodes[c] for c in node.children if metric.id in draft.nodes[c].targets]
    if not children:
        return
    old_node = old.nodes.get(node.id)
    old_children = [c for c in (old_node.children if old_node else ()) if c in old.nodes]
    old_sum = sum(
        (
            old.nodes[c].targets[metric.id].value
            for c in old_children
            if metric.id in old.nodes[c].targets
        ),
        Decimal(0),
    )
    ratio = (
        old_sum * 100 / previous.value - 100
        if previous is not None and previous.value
        else Decimal(0)
    )
    band = draft.policy.over_assignment
    uplift = min(ratio, Decimal(0)) if metric.is_cap else min(max(ratio, band.min), band.max)
    total = intended_total(draft, metric, value, uplift.quantize(Decimal("0.0001")), unit)
    if method == "carry":
        weights = _carry_weights(old, draft, children, metric.id)
    elif method == "blend":
        weights = blend_weights(draft, node, metric.id, mix or {})
    else:
        weights = component_weights(draft, node, metric.id, method)
    if len(weights) != len(
        children
    ):  # component weights cover every child; keep those with targets
        weights = [
            w
            for c, w in zip([draft.nodes[c] for c in node.children], weights, strict=True)
            if metric.id in c.targets
        ]
    for child, child_value in zip(children, largest_remainder(total, weights, unit), strict=True):
        _settle(old, draft, child, metric, child_value, unit, method, mix, out)


def _mean_of(
    plan: Plan, metric: Metric, children: list[Node], values: Mapping[str, Decimal]
) -> Decimal:
    """The children's mean as PLC307 computes it: weighted by the weight metric when all have it."""
    own = [values[c.id] for c in children]
    if metric.rollup == "weighted_mean" and metric.weight is not None:
        weights = [
            c.targets[metric.weight].value if metric.weight in c.targets else None for c in children
        ]
        known = [w for w in weights if w is not None]
        if len(known) == len(weights) and sum(known, Decimal(0)) > 0:
            return sum((v * w for v, w in zip(own, known, strict=True)), Decimal(0)) / sum(
                known, Decimal(0)
            )
    return sum(own, Decimal(0)) / len(own)


def lift_means(plan: Plan, summary: list[str]) -> dict[tuple[str, str], Decimal]:
    """Shares and scores whose children no longer reach the parent (new weights, leavers gone).

    Top-down, the children are raised evenly (lowered, for a cap) in steps of the
    precision they are written in, until their (weighted) mean reaches the parent's
    target again; the parent's number, the strategic one, stays.
    """
    changed: dict[tuple[str, str], Decimal] = {}
    for metric in plan.metrics.values():
        if metric.rollup not in ("mean", "weighted_mean"):
            continue
        values = {
            n.id: n.targets[metric.id].value for n in plan.nodes.values() if metric.id in n.targets
        }
        high = (
            Decimal(100)
            if metric.unit == "percent"
            else (metric.scale[1] if metric.scale else None)
        )
        low = metric.scale[0] if metric.scale else Decimal(0)
        for node in plan.walk():
            children = [plan.nodes[c] for c in node.children if c in values]
            if node.id not in values or not children:
                continue
            goal = values[node.id]
            exponent = min(
                int(values[c.id].normalize().as_tuple().exponent) for c in [node, *children]
            )
            step = Decimal(1).scaleb(min(exponent, 0))
            for _ in range(1000):  # each round moves every child that can move by at least a step
                mean = _mean_of(plan, metric, children, values)
                short = mean > goal if metric.is_cap else mean < goal
                if not short:
                    break
                move = max(round_to(abs(goal - mean), step, up=True), step)
                moved = False
                for child in children:
                    old = values[child.id]
                    new = old - move if metric.is_cap else old + move
                    new = (
                        max(new, low)
                        if metric.is_cap
                        else (min(new, high) if high is not None else new)
                    )
                    if new != old:
                        values[child.id] = changed[(child.id, metric.id)] = new
                        moved = True
                if not moved:
                    break
    if changed:
        summary.append(
            f"{len(changed)} share or score target(s) raised so they still reach their parent's"
        )
    return changed


def _resplit(
    split: Mapping[str, Decimal] | None, value: Decimal, unit: Decimal
) -> dict[str, Decimal] | None:
    """A split (customer segments) carried over in its old proportions, adding up to ``value``."""
    if not split or sum(split.values(), Decimal(0)) <= 0:
        return None
    keys = list(split)
    parts = largest_remainder(value, [split[k] for k in keys], split_unit(value, unit))
    return dict(zip(keys, parts, strict=True))


def _apply(draft: _Draft, proposals: Mapping[tuple[str, str], _Proposal]) -> None:
    for (node, metric), proposal in proposals.items():
        target = draft.targets[node][metric]
        target["value"] = proposal.value
        if proposal.stretch is not None:
            target["stretch"] = proposal.stretch
        if proposal.months is not None:
            target["months"] = list(proposal.months)
        if proposal.products is not None:
            target["products"] = proposal.products
        elif "products" in target:
            del target["products"]
        if proposal.segments is not None:
            target["segments"] = proposal.segments
        elif "segments" in target:
            del target["segments"]


# --- the whole command -------------------------------------------------------------------


def _header(new: NewQuarter, old_id: str) -> list[str]:
    return [
        f"{new.id}: rolled forward from {old_id} by planc init. People and org carried over",
        "(leavers dropped), dates shifted, adjustments, actions and notes cleared, baselines filled",
        "from the history found, targets proposed from the growth policy and split as planc allocate",
        "does. Review the numbers, collect bottom-up commitments and plan this quarter's actions.",
    ]


def _first_line(data: bytes) -> str:
    """A file's first line, ended at any line break YAML knows: in a file whose lines end
    in CR alone, the text up to the first LF is the whole file (copied as the new file's
    modeline, it held every key twice)."""
    head = data.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    return head.splitlines()[0] if head else ""


def _render(draft: _Draft, new: NewQuarter, old_id: str) -> dict[str, str]:
    files = {}
    for path, data in draft.documents.items():
        modeline = draft.modelines.get(path)
        files[path] = (modeline + "\n" if modeline else "") + dump(
            data, ["", *_header(new, old_id)] if modeline else _header(new, old_id)
        )
    return files


def _compile(folder: str, files: Mapping[str, str]) -> CheckResult:
    sources = [
        SourceFile(f"{folder}/{path}", text.encode("utf-8")) for path, text in sorted(files.items())
    ]
    return check_sources(folder, sources)


def roll_forward(
    old_dir: Path,
    new_id: str,
    *,
    results: Results | None = None,
    actuals: Sequence[str] = (),
    growth: Decimal | None = None,
    method: str = "carry",
    mix: Mapping[str, Decimal] | None = None,
) -> Rollforward:
    """Build the new quarter in memory (nothing is written): files, their check, a summary."""
    before = check_directory(old_dir)
    if before.plan is None or before.has_errors:
        errors = sum(1 for d in before.diagnostics if d.severity is Severity.ERROR)
        raise InitError(
            f"{before.label} has {errors} error(s); planc init rolls forward a plan that passes planc check"
        )
    old = before.plan
    if method not in METHODS:
        raise InitError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")
    band = old.policy.growth
    rate = (band.min + band.max) / 2 if growth is None else growth
    if not band.min <= rate <= band.max:
        raise InitError(f"growth {rate}% is outside policy.growth ({band.min}% to {band.max}%)")
    new = next_quarter(old.quarter, new_id)
    leavers = _leavers(old, new)
    named = sorted(set(_still_named(old, leavers)))
    if named:
        raise InitError(
            "people leaving before the new quarter are still named: "
            + "; ".join(named)
            + f". Name their successors in {old.quarter.id} first"
        )
    history = gather_history(old_dir, old, new, results, read_plan_quietly)
    if actuals:
        _merge(history, history_from_actuals(before, old_dir, new, actuals))
    draft = _Draft({}, {}, {})
    for source in before.sources.values():
        relative = Path(source.path).resolve().relative_to(old_dir.resolve()).as_posix()
        loaded = load_source(source)
        if loaded.data is None:
            raise InitError(f"cannot read {source.path}")
        first = _first_line(source.data)
        if first.startswith(MODELINE_PREFIX.decode("ascii")):
            draft.modelines[relative] = first
        draft.documents[relative] = _document_draft(loaded.data, new, leavers, history, draft)
    folder = (old_dir.parent / new.id).as_posix()
    compiled = _compile(folder, _render(draft, new, old.quarter.id))
    if compiled.plan is None:
        raise RuntimeError("the new quarter does not compile: " + _messages(compiled.diagnostics))
    summary = [
        f"{new.id}: {new.start} to {new.end}, {len(leavers)} leaver(s) dropped: {', '.join(sorted(leavers)) or 'none'}"
    ]
    summary += history.sources or [
        "no history found for baselines: numbers without one are carried over"
    ]
    try:
        proposals = propose(old, compiled.plan, rate, method, mix, summary)
    except MissingBaselineError as error:
        raise InitError(_no_history(history, method, old) or str(error)) from error
    except AllocationError as error:
        raise InitError(str(error)) from error
    _apply(draft, proposals)
    files = _render(draft, new, old.quarter.id)
    result = _compile(folder, files)
    if result.plan is not None:
        _fit_parents(draft, result.plan, summary)
        files = _render(draft, new, old.quarter.id)
        result = _compile(folder, files)
    return Rollforward(new, files, result, summary)


def _no_history(history: History, method: str, old: Plan) -> str | None:
    """Why a split by baselines failed when init found no history to take them from.

    The allocation's own advice (add baseline: to the children) cannot be followed for a
    quarter init has not written yet; the actuals it reads can.
    """
    if history.sources:
        return None
    return (
        f"no history was found for the new quarter's baselines, so --method {method} has "
        f"nothing to split by: give --actuals FILE (an export covering {old.quarter.id}) or "
        "choose another --method"
    )


def _fit_parents(draft: _Draft, plan: Plan, summary: list[str]) -> None:
    """Means lifted to their parent's and stretch goals fitted to their children's, in the draft."""
    for (node, metric), value in lift_means(plan, summary).items():
        draft.targets[node][metric]["value"] = value
    for (node, metric), value in fit_stretch(plan, summary).items():
        draft.targets[node][metric]["stretch"] = value


def fit_stretch(plan: Plan, summary: list[str]) -> dict[tuple[str, str], Decimal]:
    """Parents' stretch goals moved, bottom-up, to where their children's stretch lands.

    Each stretch goal keeps its distance from its own value, so once leavers are
    dropped and numbers re-split, a parent's stretch may no longer be what its
    children's stretch goals (else values) add up to within
    ``policy.over_assignment.stretch`` (PLC321). The children's goals stay; the
    parent's moves to the nearest number the band allows, in its rounding unit.
    """
    band = plan.policy.stretch
    changed: dict[tuple[str, str], Decimal] = {}
    nodes = sorted(plan.nodes.values(), key=lambda n: -int(n.level))
    for node in nodes:
        for metric_id, target in node.targets.items():
            metric = plan.metrics.get(metric_id)
            if target.stretch is None or not node.children or metric is None:
                continue
            if not metric.summed or metric.is_cap:
                continue
            children = [
                plan.nodes[c].targets[metric_id]
                for c in node.children
                if c in plan.nodes and metric_id in plan.nodes[c].targets
            ]
            if not children:
                continue
            total = sum(
                (
                    changed.get(
                        (t.node, metric_id), t.stretch if t.stretch is not None else t.value
                    )
                    for t in children
                ),
                Decimal(0),
            )
            unit = unit_of(plan, metric)
            own = target.stretch
            if total < own * (100 + band.min) / 100:
                fitted = round_to(total * 100 / (100 + band.min), unit, up=False)
            elif total > own * (100 + band.max) / 100:
                fitted = round_to(total * 100 / (100 + band.max), unit, up=True)
            else:
                continue
            changed[(node.id, metric_id)] = max(fitted, target.value)
    if changed:
        summary.append(
            f"{len(changed)} stretch goal(s) moved to what their children's stretch goals add up to"
        )
    return changed


def _messages(diagnostics: list[Diagnostic]) -> str:
    return "; ".join(f"{d.code} {d.message}" for d in diagnostics[:5])


def write_quarter(folder: Path, files: Mapping[str, str], by: str = "planc init") -> None:
    """Create ``folder`` with ``files``, atomically: build beside it, then rename into place."""
    if folder.exists():
        raise InitError(f"{folder} already exists; {by} never overwrites a quarter")
    dangling = dangling_link(folder, by)
    if dangling is not None:
        raise InitError(dangling)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        temp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    except OSError as error:
        raise InitError(f"cannot create {folder}: {error.strerror or error}") from error
    try:
        temp.chmod(0o777 & ~current_umask())  # mkdtemp makes it private; the quarter is not
        for relative, text in files.items():
            path = temp / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
        if folder.exists():
            raise InitError(f"{folder} already exists; {by} never overwrites a quarter")
        try:
            os.rename(temp, folder)  # atomic; fails if a non-empty folder appeared meanwhile
        except OSError as error:
            raise InitError(f"cannot create {folder}: {error.strerror or error}") from error
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _merge(history: History, measured: History) -> None:
    """Results from an export win over what the plans recorded."""
    history.last_quarter |= measured.last_quarter
    if measured.last_year:
        history.last_year = measured.last_year
        history.sources = [s for s in history.sources if "from the actuals" in s]
    history.sources += measured.sources


def _check_exports(actuals: Sequence[str], split: Callable[[str], tuple[str, str]]) -> None:
    """Every ``--actuals`` value (FILE, or NAME=FILE) names a file, before anything is read."""
    for value in actuals:
        if not value:  # Path("") is ".": never the export meant
            raise InitError("--actuals: the path is empty; give the export file")
        file = Path(value) if Path(value).exists() else Path(split(value)[1])
        if not file.is_file():
            raise InitError(f"--actuals: {file.as_posix()} is not a file")


def history_from_actuals(
    before: CheckResult, old_dir: Path, new: NewQuarter, actuals: Sequence[str]
) -> History:
    """Baselines from CRM exports, measured as ``planc track`` measures them.

    The exports (``--actuals FILE``, or ``NAME=FILE`` per source of a plan with
    ``actuals.sources``; a source given none gives no baselines) are read with
    the quarter's ``actuals:`` mapping against the old org dated as the new
    quarter (so its "last quarter" is the old quarter and its "same quarter
    last year" the new quarter a year before); leavers still sit in it, so
    their results count for their team. Only periods the exports cover in full
    become baselines.
    """
    shown = ", ".join(actuals)
    try:  # imported on demand: they bring pandas (the reader raises MissingExtra without it)
        importlib.import_module("planc.track.actuals")
        sources = importlib.import_module("planc.track.sources")
        tracking = importlib.import_module("planc.track.tracking")
    except ImportError as error:  # MissingExtra names the `pip install` that brings pandas
        raise InitError(f"--actuals: {error}") from error
    _check_exports(actuals, sources.split_actuals)
    draft = _Draft({}, {}, {})
    for source in before.sources.values():
        relative = Path(source.path).resolve().relative_to(old_dir.resolve()).as_posix()
        loaded = load_source(source)
        if loaded.data is not None:
            draft.documents[relative] = _document_draft(loaded.data, new, set(), History(), draft)
    org = _compile((old_dir.parent / new.id).as_posix(), _render(draft, new, before.label)).plan
    if org is None or not org.actuals_sources:
        raise InitError(f"--actuals: {before.label} has no actuals: mapping to read {shown} with")
    resolver = SpanResolver(before.sources)
    try:
        chosen = sources.choose_sources(
            org, actuals, lambda loc: str(resolver.resolve(loc)), every=False
        )
    except sources.SourceChoiceError as error:
        raise InitError(str(error)) from error
    chosen = [c for c in chosen if c.path is not None]  # a database is not read here
    read = sources.read_sources(org, chosen, new.start - timedelta(days=1), baselines=True)
    errors = [d for d in read.diagnostics if d.severity is Severity.ERROR]
    if not read.complete or errors:
        raise InitError(f"--actuals: {shown}: " + _messages(errors or read.diagnostics))
    tracked = tracking.track_sources(org, read.read, baselines=True)
    history = History()
    for found in tracked.baselines or []:
        key = (found.node, found.metric)
        if found.last_quarter is not None and found.last_quarter_months == found.months:
            history.last_quarter[key] = found.last_quarter
        if found.last_year is not None and found.last_year_months == found.months:
            history.last_year[key] = found.last_year
    for found_source in tracked.sources:
        history.sources.append(
            f"baselines from {found_source.actuals.source}: {found_source.actuals.ledger.line()}"
        )
    return history
