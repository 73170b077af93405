"""The cheaper forms of the hottest checks give what their plain forms give (#16 goal 1).

Each rewritten function is compared with its plain form (kept here as the specification)
on the mini fixture, on generated plans with errors, and on plans built to hit the edges
(a rep named like its own team, actions on unknown nodes, resources without a budget,
ramping reps and leavers).
"""

from __future__ import annotations

import gc
import statistics
import subprocess
import sys
import weakref
from collections import defaultdict
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from planc.checks import base, levels, people, refs, resources, smart
from planc.checks.base import per_plan, round_up
from planc.checks.gaps import bottom_up_numbers
from planc.core.model import Level, Person, Plan
from planc.core.pipeline import compile_directory
from planc.core.source import Loc

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "fixtures" / "mini"


def _generated(tmp_path: Path, seed: int, reps: int = 400, errors: int = 30) -> Path:
    out = tmp_path / f"plan-{seed}"
    subprocess.run(
        [sys.executable, str(REPO / "bench" / "generate.py"), str(reps), str(out),
         "--errors", str(errors), "--seed", str(seed)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return out


def _plan(folder: Path) -> Plan:
    result = compile_directory(folder, lambda plan: [])
    assert result.plan is not None, [str(d) for d in result.diagnostics]
    return result.plan


def _stressed(plan: Plan) -> Plan:
    """The plan with a ramp, every 4th rep starting on the quarter's first day, every 5th
    leaving after 40 days and every 2nd rep's targets doubled: reduced quotas and findings."""
    people = dict(plan.people)
    nodes = dict(plan.nodes)
    start = plan.quarter.start
    reps = [node for node in plan.nodes.values() if node.level is Level.REP]
    for index, node in enumerate(reps):
        person = people.get(node.id)
        if person is not None and index % 4 == 0:
            people[node.id] = replace(person, start=start)
        elif person is not None and index % 5 == 0:
            people[node.id] = replace(person, end=start + timedelta(days=40))
        if index % 2 == 0:
            targets = {m: replace(t, value=t.value * 2) for m, t in node.targets.items()}
            nodes[node.id] = replace(node, targets=targets)
    ramp = (Decimal(0), Decimal(50), Decimal(75), Decimal(100))
    return replace(plan, people=people, nodes=nodes, policy=replace(plan.policy, ramp=ramp))


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> list[Plan]:
    tmp = tmp_path_factory.mktemp("plans")
    found = [_plan(MINI)]
    for seed in (1, 2, 3):
        found.append(_plan(_generated(tmp, seed)))
    return found + [_stressed(plan) for plan in found]


# --- the plain forms ---------------------------------------------------------------


def _requested_plain(plan: Plan) -> dict[tuple[str, str], tuple[Decimal, int]]:
    direct: dict[tuple[str, str], tuple[Decimal, int]] = defaultdict(lambda: (Decimal(0), 0))
    for action in plan.actions:
        for resource in action.resources:
            total, count = direct[(action.node, resource.kind)]
            direct[(action.node, resource.kind)] = (total + resource.amount, count + 1)
    totals: dict[tuple[str, str], tuple[Decimal, int]] = defaultdict(lambda: (Decimal(0), 0))
    for (node_id, kind), (amount_here, count_here) in direct.items():
        for node in plan.ancestors(node_id):
            total, count = totals[(node.id, kind)]
            totals[(node.id, kind)] = (total + amount_here, count + count_here)
    return totals


def _without_budget_plain(plan: Plan) -> list[Loc]:
    found = []
    for action in plan.actions:
        for resource in action.resources:
            if action.node not in plan.nodes:
                continue
            if not any(resource.kind in n.budget for n in plan.ancestors(action.node)):
                found.append(resource.loc / "kind")
    return found


def _reduced_plain(  # noqa: PLR0912 - the plain form, as it was
    plan: Plan, factor_of: str
) -> list[tuple[str, str, Fraction, str, str]]:
    found = []
    for node in plan.nodes.values():
        if node.level is not Level.REP:
            continue
        person = plan.people.get(node.id)
        team = plan.nodes.get(node.parent or "")
        if person is None or team is None:
            continue
        if factor_of == "ramp":
            factor = smart.ramp_factor(plan, person)
        elif person.end is not None and person.end < plan.quarter.end:
            factor = smart.presence_factor(plan, person)
        else:
            continue
        if factor >= 100:
            continue
        for metric_id, target in node.targets.items():
            metric = plan.metrics.get(metric_id)
            if metric is None or not metric.summed or metric.is_cap:
                continue
            peers = []
            for rep_id in team.children:
                rep = plan.nodes.get(rep_id)
                peer = plan.people.get(rep_id)
                if rep is None or peer is None or metric_id not in rep.targets:
                    continue
                if (
                    smart.ramp_factor(plan, peer) == 100
                    and smart.presence_factor(plan, peer) == 100
                ):
                    peers.append(rep.targets[metric_id].value)
            if not peers:
                continue
            median = Decimal(statistics.median(peers))
            unit = plan.policy.rounding if metric.unit == "currency" else Decimal(1)
            allowed = round_up(Fraction(median) * factor / 100, unit)
            if target.value > allowed + plan.policy.tolerance:
                found.append((node.id, metric_id, factor, str(allowed), str(median)))
    return found


def _stretch_sums_plain(plan: Plan) -> dict[tuple[str, str], Decimal]:
    sums: dict[tuple[str, str], Decimal] = {}
    for node in plan.nodes.values():
        parent = plan.nodes.get(node.parent or "")
        if parent is None:
            continue
        for metric_id, target in node.targets.items():
            above = parent.targets.get(metric_id)
            metric = plan.metrics.get(metric_id)
            if above is None or above.stretch is None or metric is None or not metric.summed:
                continue
            own = target.stretch if target.stretch is not None else target.value
            key = (parent.id, metric_id)
            sums[key] = sums.get(key, Decimal(0)) + own
    return sums


def _exact(mapping: object) -> list[tuple[object, str]]:
    """Items with each Decimal as its text (so 5E+3 and 5000 differ)."""
    assert isinstance(mapping, dict)
    return [(k, repr(v)) for k, v in mapping.items()]


# --- the comparisons ----------------------------------------------------------------


def test_level_sums_in_one_pass_equal_one_metric_at_a_time(plans: list[Plan]) -> None:
    for plan in plans:
        metrics = list(plan.metrics)
        together = levels._level_sums_of(plan, metrics)
        assert list(together) == metrics
        for metric in metrics:
            assert _exact(together[metric]) == _exact(levels.level_sums(plan, metric))
        assert levels._level_sums_of(plan, []) == {}


def test_stretch_sums_equal_the_plain_ones_in_order(plans: list[Plan]) -> None:
    for plan in plans:
        assert _exact(levels._stretch_sums(plan)) == _exact(_stretch_sums_plain(plan))
    assert any(levels._stretch_sums(plan) for plan in plans)


def test_references_by_kind_keep_the_plans_order(plans: list[Plan]) -> None:
    for plan in plans:
        grouped = refs._references_by_kind(plan)
        assert sum(len(found) for found in grouped.values()) == len(plan.references)
        for kind in ("person", "metric", "pillar", "node", "nothing"):
            expected = tuple(ref for ref in plan.references if ref.kind == kind)
            assert grouped.get(kind, ()) == expected


def test_requests_summed_once_per_node_equal_the_plain_sums(plans: list[Plan]) -> None:
    for plan in plans:
        assert _exact(dict(resources.requested(plan))) == _exact(dict(_requested_plain(plan)))


def test_requests_summed_only_where_a_budget_is_give_the_same_findings(plans: list[Plan]) -> None:
    """PLC501 sums the requests only of the nodes with a budget of that kind: the same
    findings as over every sum, on the plans, on plans with every budget cut to a tenth and
    on plans whose parent links loop or lie."""
    cut = [
        replace(
            plan,
            nodes={
                k: replace(n, budget={kind: v / 10 for kind, v in n.budget.items()})
                for k, n in plan.nodes.items()
            },
        )
        for plan in plans
    ]
    found = 0
    for plan in plans + cut + _looped(plans[1]):
        fast = resources._requested(plan, budgeted=True)
        assert set(fast) <= set(resources.requested(plan))
        got = list(resources.over_budget(plan, fast))
        assert got == list(resources.over_budget(plan, resources.requested(plan)))
        assert got == list(resources.resources_over_budget.function(plan))
        found += len(got)
    assert found > 0


def test_resources_without_budget_are_the_same(plans: list[Plan]) -> None:
    for plan in plans:
        found = [where for where, _, _ in resources.resource_without_budget.function(plan)]
        assert found == _without_budget_plain(plan)


def test_reduced_quotas_with_their_caches_are_the_plain_ones(plans: list[Plan]) -> None:
    for plan in plans:
        for factor_of in ("ramp", "presence"):
            got = [
                (node.id, target.metric, factor, str(allowed), str(median))
                for node, target, factor, allowed, median in smart._reduced_quotas(plan, factor_of)
            ]
            assert got == _reduced_plain(plan, factor_of)


def _ramp_plain(plan: Plan, person: Person) -> Fraction:
    if person.start is None:
        return Fraction(100)
    ramp = plan.policy.ramp
    factors = []
    for year, month in plan.quarter.months:
        tenure = (year - person.start.year) * 12 + (month - person.start.month)
        factors.append(Fraction(0) if tenure < 0 else Fraction(ramp[min(tenure, len(ramp) - 1)]))
    return sum(factors, Fraction(0)) / len(factors)


def test_ramp_factors_cached_by_start_month_are_the_plain_ones(plans: list[Plan]) -> None:
    factors = set()
    for plan in plans:
        for person in plan.people.values():
            factor = smart.ramp_factor(plan, person)
            assert factor == _ramp_plain(plan, person), person.id
            factors.add(factor)
    assert len(factors) > 2  # not vacuous: ramping people, and starts in several months


def test_owned_actions_once_per_plan_in_plan_order(plans: list[Plan]) -> None:
    for plan in plans:
        owned = people.owned_actions(plan)
        assert people.owned_actions(plan) is owned  # PLC453 and the partition share it
        expected: dict[str, list[int]] = defaultdict(list)
        for action in plan.actions:
            expected[action.owner].append(id(action))
        assert {k: [id(a) for a in v] for k, v in owned.items()} == expected
        with pytest.raises(TypeError):
            owned["nobody"] = []  # type: ignore[index]


def test_here_all_quarter_is_a_presence_of_100(plans: list[Plan]) -> None:
    seen = set()
    for plan in plans:
        for person in plan.people.values():
            here = smart._here_all_quarter(plan, person)
            assert here == (smart.presence_factor(plan, person) == 100)
            seen.add(here)
    assert seen == {True, False}


def test_the_generated_plans_reach_the_rewritten_paths(plans: list[Plan]) -> None:
    """Not vacuous: ramping reps and leavers with findings, requests on several levels."""
    assert any(list(smart._reduced_quotas(plan, "ramp")) for plan in plans)
    assert any(list(smart._reduced_quotas(plan, "presence")) for plan in plans)
    assert any(len(resources.requested(plan)) > 10 for plan in plans)


def _looped(plan: Plan) -> list[Plan]:
    """Plans whose parent links loop or lie (as id collisions could make them): a team whose
    parent is one of its reps, a region whose parent is itself, the company under a rep, a
    node filed under another id, a parent that is missing."""
    reps = [node for node in plan.nodes.values() if node.level is Level.REP]
    rep = reps[len(reps) // 2]
    team = plan.nodes[rep.parent or ""]
    region = plan.nodes[team.parent or ""]
    company = plan.nodes[plan.company]
    out = []
    for changed in (
        {team.id: replace(team, parent=rep.id)},
        {region.id: replace(region, parent=region.id)},
        {company.id: replace(company, parent=reps[0].id)},
        {team.id: replace(team, parent=rep.id), rep.id: replace(rep, parent=region.id)},
        {team.id: replace(team, id=region.id)},
        {team.id: replace(team, parent="nowhere")},
    ):
        out.append(replace(plan, nodes={**plan.nodes, **changed}))
    return out


def test_ancestry_is_each_nodes_walk_up(plans: list[Plan]) -> None:
    """The chains shared by PLC501/503/432/433 and the partition are Plan.ancestors' walks,
    on the plans as built and on plans whose parent links loop."""
    for plan in plans + _looped(plans[1]) + _looped(plans[0]):
        chains = base.ancestry(plan)
        for node_id in [*plan.nodes, "nowhere"]:
            expected = [id(node) for node in plan.ancestors(node_id)]
            assert [id(node) for node in chains.get(node_id, ())] == expected, node_id
    assert any(len(chain) == 4 for chain in base.ancestry(plans[1]).values())


def test_per_plan_computes_once_per_plan_and_lets_the_plan_go(plans: list[Plan]) -> None:
    calls: list[int] = []

    @per_plan
    def count(plan: Plan) -> int:
        calls.append(1)
        return len(plan.nodes)

    first, second = plans[0], plans[1]
    assert count(first) == count(first) == len(first.nodes)
    assert len(calls) == 1
    assert count(second) == len(second.nodes) and len(calls) == 2
    assert count(first) == len(first.nodes) and len(calls) == 3  # only the last is kept
    numbers = bottom_up_numbers(first)
    assert bottom_up_numbers(first) is numbers
    with pytest.raises(TypeError):
        numbers[("x", "y")] = (Decimal(0), False)  # type: ignore[index]


def test_a_plan_read_by_per_plan_is_freed() -> None:
    plan = _plan(MINI)
    bottom_up_numbers(plan)
    gone = weakref.ref(plan)
    del plan
    gc.collect()
    assert gone() is None


def test_a_per_plan_value_dies_with_its_plan() -> None:
    """A diff frees the base before it builds the head: the base's references (~100 MB at
    50,000 reps) must not outlive it in the last-plan slot."""

    class Value:
        pass

    @per_plan
    def derived(plan: Plan) -> Value:
        return Value()

    plan = _plan(MINI)
    value = weakref.ref(derived(plan))
    assert value() is not None  # kept while the plan lives
    del plan
    gc.collect()
    assert value() is None
