"""planc.allocate.scope: an allocation from a model of Q + R and the other files' rep sums
gives exactly what it gives from the whole plan's model (differential, incl. the company's
cumulative band binding), and declines where it cannot be sure."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import MINI, REPO
from planc.allocate import scope
from planc.allocate.allocation import Allocation, AllocationError, allocate_down
from planc.allocate.scope import Scoped, scoped_edit
from planc.checks import check_directory
from planc.core.cache import UnitCache
from planc.core.model import Band, Level, Plan

EXAMPLE = REPO / "plans" / "2027-Q1"
_FOLDERS: dict[str, tuple[Path, UnitCache]] = {}
_SCOPED: dict[tuple[str, str, str], Scoped | None] = {}
_WHOLE: dict[str, Plan] = {}


def _folder(name: str, tmp: Path) -> tuple[Path, UnitCache]:
    """A copy of the plan ``name`` and a cache that ``planc check`` of it filled."""
    if name not in _FOLDERS:
        plan = tmp / name / "2027-Q1"
        if name == "example":
            shutil.copytree(EXAMPLE, plan)
        else:
            generate = REPO / "bench" / "generate.py"
            subprocess.run([sys.executable, str(generate), "600", str(plan)], check=True)
        store = UnitCache(tmp / name / "cache")
        assert not check_directory(plan, store=store, whole=False).has_errors
        _FOLDERS[name] = (plan, store)
        _WHOLE[name] = _whole(plan)
    return _FOLDERS[name]


def _whole(plan_dir: Path) -> Plan:
    plan = check_directory(plan_dir).plan
    assert plan is not None
    return plan


def _scoped(name: str, node: str, metric: str, tmp: Path) -> Scoped | None:
    key = (name, node, metric)
    if key not in _SCOPED:
        plan, store = _folder(name, tmp)
        _SCOPED[key] = scoped_edit(plan, node, metric, store)
    return _SCOPED[key]


def _shape(splits: list[Allocation]) -> list[Any]:
    return [
        (
            s.node.id,
            s.method,
            s.uplift,
            s.unit,
            s.parent,
            s.total,
            s.limited_by,
            [(c.node.id, c.share, c.after, c.stretch, c.months, c.products) for c in s.children],
        )
        for s in splits
    ]


def _outcome(plan: Plan, *args: Any, **kwargs: Any) -> Any:
    try:
        return _shape(allocate_down(plan, *args, **kwargs))
    except AllocationError as error:
        return str(error)


def _banded(plan: Plan, region_max: int, company_max: int) -> Plan:
    policy = replace(
        plan.policy,
        cumulative_region=Band(Decimal(0), Decimal(region_max)),
        cumulative_company=Band(Decimal(0), Decimal(company_max)),
    )
    return replace(plan, policy=policy)


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scope")


@settings(max_examples=40, deadline=None)
@given(
    case=st.sampled_from(
        [
            ("example", "east"),
            ("example", "north"),
            ("example", "south"),
            ("example", "east-ka"),
            ("example", "south-smb"),
            ("generated", "r01"),
            ("generated", "r02"),
        ]
    ),
    metric=st.sampled_from(["revenue", "collections", "new_customers"]),
    method=st.sampled_from(["even", "capacity"]),
    uplift=st.integers(min_value=0, max_value=20),
    region_max=st.integers(min_value=0, max_value=45),
    company_max=st.integers(min_value=0, max_value=45),
    cascade=st.booleans(),
)
def test_the_scoped_model_allocates_as_the_whole_plan(
    tmp: Path,
    case: tuple[str, str],
    metric: str,
    method: str,
    uplift: int,
    region_max: int,
    company_max: int,
    cascade: bool,
) -> None:
    name, node = case
    scoped = _scoped(name, node, metric, tmp)
    assert scoped is not None
    whole = _WHOLE[name]
    assert scoped.result.plan is not None
    assert set(scoped.result.plan.nodes) < set(whole.nodes)  # a part of the plan only
    kwargs: dict[str, Any] = {"uplift": Decimal(uplift), "cascade": cascade}
    expected = _outcome(_banded(whole, region_max, company_max), node, metric, method, **kwargs)
    got = _outcome(
        _banded(scoped.result.plan, region_max, company_max),
        node,
        metric,
        method,
        outside=scoped.outside,
        **kwargs,
    )
    assert got == expected


@pytest.mark.parametrize("name", ["example", "generated"])
def test_the_company_band_binds_the_same_way(tmp: Path, name: str) -> None:
    """A tight company band holds the cascade down: the other files' reps count in full."""
    node = "east" if name == "example" else "r01"
    scoped = _scoped(name, node, "revenue", tmp)
    assert scoped is not None and scoped.result.plan is not None
    assert scoped.outside  # the other region files' reps, below the company
    for company_max in range(0, 46):
        whole = _outcome(_banded(_WHOLE[name], 45, company_max), node, "revenue", "even",
                         uplift=Decimal(5), cascade=True)  # fmt: skip
        if isinstance(whole, list) and any(s[6] and "cumulative.company" in s[6] for s in whole):
            break
    else:
        pytest.fail("no company band binds this cascade")
    got = _outcome(
        _banded(scoped.result.plan, 45, company_max),
        node,
        "revenue",
        "even",
        uplift=Decimal(5),
        cascade=True,
        outside=scoped.outside,
    )
    assert got == whole
    # without the other files' reps the room would be another (the test can tell)
    alone = _outcome(
        _banded(scoped.result.plan, 45, company_max),
        node,
        "revenue",
        "even",
        uplift=Decimal(5),
        cascade=True,
    )
    assert alone != whole


def test_declines_where_the_whole_plan_is_needed(tmp_path: Path) -> None:
    plan = tmp_path / "example" / "2027-Q1"
    shutil.copytree(EXAMPLE, plan)
    store = UnitCache(tmp_path / "cache")
    check_directory(plan, store=store, whole=False)
    assert scoped_edit(plan, "ruigong", "revenue", store) is None  # the company: every file
    assert scoped_edit(plan, "nobody", "revenue", store) is None  # not in the plan
    # a team the summary does not hold is found by its file's text
    found = scoped_edit(plan, "north-smb", "revenue", store)
    assert found is not None and found.region_file.endswith("north.yaml")
    # a plan with an error: the whole compile says what it is
    plan = tmp_path / "mini" / "2027-Q1"
    shutil.copytree(MINI, plan)
    assert scoped_edit(plan, "north-ent", "revenue", store) is not None
    north = plan / "regions" / "north.yaml"
    text = north.read_text(encoding="utf-8")
    loop = text.replace("role: director, manager: vera", "role: director, manager: nora")
    assert loop != text
    north.write_text(loop, encoding="utf-8")
    assert scoped_edit(plan, "north-ent", "revenue", store) is None


def test_a_region_the_partition_compiled_just_now_is_not_modelled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R changed since the last check: the partition builds Q + R to check it, and that
    model is the one the allocation reads (it allocates as the whole plan's)."""
    plan = tmp_path / "2027-Q1"
    shutil.copytree(EXAMPLE, plan)
    store = UnitCache(tmp_path / "cache")
    check_directory(plan, store=store, whole=False)
    east = plan / "regions" / "east.yaml"
    text = east.read_text(encoding="utf-8")
    east.write_text(text.replace("# ", "#  ", 1), encoding="utf-8")  # new bytes, same plan
    monkeypatch.setattr(scope, "_model", None)  # would raise if called
    scoped = scoped_edit(plan, "east", "revenue", store)
    assert scoped is not None and scoped.result.plan is not None
    whole = _whole(plan)
    expected = _outcome(whole, "east", "revenue", "capacity", cascade=True)
    got = _outcome(
        scoped.result.plan, "east", "revenue", "capacity", cascade=True, outside=scoped.outside
    )
    assert got == expected


def test_a_summary_that_does_not_carry_the_region_s_reps_is_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other files' sums come from the partition's summary plan only if it gives R's
    own reps the sums the model of R gives them (here it is handed R's model without
    R's reps, as a summary that lost them would be)."""
    plan = tmp_path / "2027-Q1"
    shutil.copytree(EXAMPLE, plan)
    store = UnitCache(tmp_path / "cache")
    check_directory(plan, store=store, whole=False)
    assert scoped_edit(plan, "east", "revenue", store) is not None
    real = scope._summary

    def without_reps(plans: list[Plan], paths: set[str]) -> Plan | None:
        found = real(plans, paths)
        if found is None:
            return None
        nodes = {k: n for k, n in found.nodes.items() if n.level is not Level.REP}
        return replace(found, nodes=nodes)

    monkeypatch.setattr(scope, "_summary", without_reps)
    assert scoped_edit(plan, "east", "revenue", store) is None
