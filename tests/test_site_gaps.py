"""The site's gaps, made when first asked for, are the whole plan's (planc.checks.gaps)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from commitments import gapped_copy, mini_with_commitments
from conftest import MINI
from planc.checks import check_directory
from planc.checks.gaps import gaps
from planc.core.model import Plan
from planc.site.progress import Gaps


def plan_of(folder: Path) -> Plan:
    result = check_directory(folder)
    assert result.plan is not None
    return result.plan


def every_key(plan: Plan) -> list[tuple[str, str]]:
    """Every (node, metric) pair, asked or not, and some that name nothing."""
    metrics = [*plan.metrics, "no-such-metric"]
    return list(itertools.product([*plan.nodes, "no-such-node"], metrics))


@pytest.fixture(
    params=["mini", "mini with commitments", "2017-Q3 with commitments", "2027-Q1 with zh"]
)
def plan(request: pytest.FixtureRequest, tmp_path: Path) -> Plan:
    if request.param == "mini":
        return plan_of(MINI)
    if request.param == "mini with commitments":
        return plan_of(mini_with_commitments(tmp_path))
    if request.param == "2027-Q1 with zh":
        return plan_of(mini_with_commitments(tmp_path, "zh-CN"))
    return plan_of(gapped_copy(tmp_path))


def test_the_whole_plans_gaps(plan: Plan) -> None:
    whole = {(g.node.id, g.target.metric): g for g in gaps(plan)}
    # the fixtures with commitments have gaps (rolled up too); the mini plan has none
    committed = any(
        t.bottom_up is not None for n in plan.nodes.values() for t in n.targets.values()
    )
    assert bool(whole) == committed
    assert not committed or any(g.rolled_up for g in whole.values())
    lazy = Gaps(plan)
    for key in every_key(plan):  # one at a time, in an order the whole plan's walk is not
        assert lazy.get(key) == whole.get(key), key
    assert dict(Gaps(plan)) == whole and len(Gaps(plan)) == len(whole)


def test_asked_in_any_order(plan: Plan) -> None:
    whole = {(g.node.id, g.target.metric): g for g in gaps(plan)}
    keys = every_key(plan)
    for start in range(0, len(keys), max(1, len(keys) // 7)):
        lazy = Gaps(plan)
        for key in keys[start:] + keys[:start]:
            assert lazy.get(key) == whole.get(key), key
            if key in whole:
                assert lazy[key] == whole[key]
            else:
                with pytest.raises(KeyError):
                    lazy[key]


def test_a_node_the_company_does_not_reach(plan: Plan) -> None:
    from dataclasses import replace

    rep = next(n for n in plan.nodes.values() if n.targets and not n.children)
    parent = plan.nodes[rep.parent] if rep.parent is not None else None
    assert parent is not None
    # the rep is still a node of the plan, but no longer among its team's children
    orphaned = replace(parent, children=tuple(c for c in parent.children if c != rep.id))
    cut = replace(plan, nodes={**plan.nodes, parent.id: orphaned})
    whole = {(g.node.id, g.target.metric): g for g in gaps(cut)}
    lazy = Gaps(cut)
    for key in every_key(cut):
        assert lazy.get(key) == whole.get(key), key
