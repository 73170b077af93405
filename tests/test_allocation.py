"""planc allocate: exact splits (properties), the methods on real plans, and the command."""

from __future__ import annotations

import functools
import shutil
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import MINI, REPO, run_planc
from planc.allocate.allocation import (
    Allocation,
    AllocationError,
    allocate,
    allocate_down,
    capacity,
    largest_remainder,
    month_availability,
)
from planc.checks import check_directory
from planc.core.model import Band, Level, Plan

UNITS = st.sampled_from([Decimal(1), Decimal(1000), Decimal("0.01"), Decimal(5), Decimal("2.5")])
WEIGHTS = st.lists(
    st.one_of(
        st.integers(min_value=0, max_value=10**9),
        st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False, allow_infinity=False),
    ),
    min_size=1,
    max_size=40,
).filter(lambda ws: sum(Fraction(w) for w in ws) > 0)


def _plan(folder: Path) -> Plan:
    plan = check_directory(folder).plan
    assert plan is not None
    return plan


def _units(draw_total: int, unit: Decimal) -> Decimal:
    return Decimal(draw_total) * unit


def _by_fractions(
    total: Decimal, weights: list[Fraction | Decimal | int], unit: Decimal
) -> list[Decimal]:
    """largest_remainder as it was written first, in Fractions: the reference."""
    exact = [Fraction(w) for w in weights]
    weight_sum = sum(exact, Fraction(0))
    count = int(Fraction(total) / Fraction(unit))
    quotas = [count * w / weight_sum for w in exact]
    shares = [q.numerator // q.denominator for q in quotas]
    order = sorted(range(len(exact)), key=lambda i: (shares[i] - quotas[i], -exact[i], i))
    for index in order[: count - sum(shares)]:
        shares[index] += 1
    return [Decimal(share) * unit for share in shares]


class TestLargestRemainder:
    """The split is exact, never negative, monotone in the weights and a fixed point of itself."""

    @given(total=st.integers(min_value=0, max_value=10**8), unit=UNITS, weights=WEIGHTS)
    def test_children_add_up_exactly(
        self, total: int, unit: Decimal, weights: list[Decimal]
    ) -> None:
        amount = _units(total, unit)
        shares = largest_remainder(amount, weights, unit)
        assert len(shares) == len(weights)
        assert sum(shares, Decimal(0)) == amount

    @given(total=st.integers(min_value=0, max_value=10**8), unit=UNITS, weights=WEIGHTS)
    def test_no_share_is_negative_and_each_is_a_multiple_of_the_unit(
        self, total: int, unit: Decimal, weights: list[Decimal]
    ) -> None:
        for share in largest_remainder(_units(total, unit), weights, unit):
            assert share >= 0
            assert share % unit == 0

    @given(total=st.integers(min_value=0, max_value=10**8), unit=UNITS, weights=WEIGHTS)
    def test_larger_weight_never_gets_less(
        self, total: int, unit: Decimal, weights: list[Decimal]
    ) -> None:
        shares = largest_remainder(_units(total, unit), weights, unit)
        for i, wi in enumerate(weights):
            for j, wj in enumerate(weights):
                if Fraction(wi) > Fraction(wj):
                    assert shares[i] >= shares[j], (weights, shares)

    @given(total=st.integers(min_value=0, max_value=10**8), unit=UNITS, weights=WEIGHTS)
    def test_each_share_is_within_one_unit_of_its_exact_quota(
        self, total: int, unit: Decimal, weights: list[Decimal]
    ) -> None:
        amount = _units(total, unit)
        weight_sum = sum(Fraction(w) for w in weights)
        for share, weight in zip(largest_remainder(amount, weights, unit), weights, strict=True):
            quota = Fraction(amount) * Fraction(weight) / weight_sum
            assert abs(Fraction(share) - quota) < Fraction(unit)

    @given(total=st.integers(min_value=1, max_value=10**8), unit=UNITS, weights=WEIGHTS)
    def test_idempotent_splitting_by_the_result_gives_the_result(
        self, total: int, unit: Decimal, weights: list[Decimal]
    ) -> None:
        amount = _units(total, unit)
        first = largest_remainder(amount, weights, unit)
        assert largest_remainder(amount, first, unit) == first
        assert largest_remainder(amount, weights, unit) == first  # deterministic

    @given(
        total=st.integers(min_value=0, max_value=10**8),
        unit=UNITS,
        weights=st.lists(
            st.one_of(
                st.integers(min_value=0, max_value=10**9),
                st.decimals(min_value=0, max_value=10**7, places=3),
                st.fractions(min_value=0, max_value=10**6, max_denominator=10**4),
            ),
            min_size=1,
            max_size=40,
        ).filter(lambda ws: sum(Fraction(w) for w in ws) > 0),
    )
    def test_the_integer_arithmetic_is_the_fractions(
        self, total: int, unit: Decimal, weights: list[Fraction | Decimal | int]
    ) -> None:
        """largest_remainder computes in integers; the same split as in exact fractions."""
        amount = _units(total, unit)
        assert largest_remainder(amount, weights, unit) == _by_fractions(amount, weights, unit)

    def test_known_split(self) -> None:
        # 1,000,000 in thirds to the thousand: 333,000 each and one extra 1,000 to the first.
        assert largest_remainder(Decimal(1000000), [1, 1, 1], Decimal(1000)) == [
            Decimal(334000),
            Decimal(333000),
            Decimal(333000),
        ]

    @pytest.mark.parametrize(
        ("total", "weights", "unit"),
        [
            pytest.param(Decimal(1500), [1, 1], Decimal(1000), id="total-not-a-multiple"),
            pytest.param(Decimal(1000), [0, 0], Decimal(1000), id="zero-weights"),
            pytest.param(Decimal(1000), [1, -1], Decimal(1000), id="negative-weight"),
            pytest.param(Decimal(-1000), [1, 1], Decimal(1000), id="negative-total"),
        ],
    )
    def test_refuses_bad_input(self, total: Decimal, weights: list[int], unit: Decimal) -> None:
        with pytest.raises(ValueError):
            largest_remainder(total, weights, unit)


class TestMethods:
    """Each method on the fixture plans: what it weighs and that the total is exact."""

    def test_even_split_of_a_team(self) -> None:
        result = allocate(_plan(MINI), "north-ent", "revenue", "even")
        assert [c.after for c in result.children] == [Decimal(500000), Decimal(500000)]
        assert result.total == Decimal(1000000)

    def test_baseline_uses_last_year_when_every_child_has_it(self) -> None:
        # ann 480,000 and bob 500,000 last year: 1,000,000 splits 489,796 : 510,204 → to the 1,000.
        result = allocate(_plan(MINI), "north-ent", "revenue", "baseline")
        assert [c.after for c in result.children] == [Decimal(490000), Decimal(510000)]

    def test_uplift_is_inside_the_policy_band(self) -> None:
        result = allocate(_plan(MINI), "north-ent", "revenue", "even", uplift=Decimal(10))
        assert result.total == Decimal(1100000)
        assert sum(c.after for c in result.children) == Decimal(1100000)
        with pytest.raises(AllocationError, match=r"outside policy\.over_assignment"):
            allocate(_plan(MINI), "north-ent", "revenue", "even", uplift=Decimal(25))

    def test_capacity_weighs_a_ramping_new_hire_by_the_ramp(self) -> None:
        plan = _plan(MINI)
        # xu-fang starts 2027-01-01: ramp 0, 50, 75 % → 125/300 of a full rep this quarter.
        assert capacity(plan, plan.nodes["xu-fang"]) == Fraction(125, 300)
        assert capacity(plan, plan.nodes["li-wei"]) == 1
        assert month_availability(plan, plan.nodes["xu-fang"]) == [
            0,
            Fraction(1, 2),
            Fraction(3, 4),
        ]
        result = allocate(plan, "south-smb", "revenue", "capacity")
        # 1,000,000 x 1 / (1 + 5/12) = 705,882.35 → 706,000 and 294,000.
        assert [c.after for c in result.children] == [Decimal(706000), Decimal(294000)]

    def test_capacity_prorates_a_leaver(self, mini_plan: Path) -> None:
        north = mini_plan / "regions" / "north.yaml"
        text = north.read_text(encoding="utf-8")
        north.write_text(
            text.replace(
                "role: rep, start: 2023-02-01}", "role: rep, start: 2023-02-01, end: 2027-02-14}"
            ),
            encoding="utf-8",
        )
        plan = _plan(mini_plan)
        # bob is here 45 of 90 days.
        assert capacity(plan, plan.nodes["bob"]) == Fraction(1, 2)
        assert month_availability(plan, plan.nodes["bob"]) == [1, Fraction(1, 2), 0]
        result = allocate(plan, "north-ent", "revenue", "capacity", months=True)
        bob = result.children[1]
        assert bob.after == Decimal(333000)
        assert bob.months is not None and bob.months[2] == 0  # nothing phased after leaving

    def test_blend_mixes_normalised_shares(self) -> None:
        plan = _plan(MINI)
        blend = allocate(
            plan,
            "north-ent",
            "revenue",
            "blend",
            mix={"even": Decimal(50), "last_year": Decimal(50)},
        )
        even = allocate(plan, "north-ent", "revenue", "even")
        base = allocate(plan, "north-ent", "revenue", "baseline")
        for b, e, s in zip(blend.children, even.children, base.children, strict=True):
            assert min(e.after, s.after) <= b.after <= max(e.after, s.after)
        assert sum(c.after for c in blend.children) == Decimal(1000000)

    def test_potential_and_bottom_up_come_from_the_plan(self, mini_plan: Path) -> None:
        south = mini_plan / "regions" / "south.yaml"
        text = south.read_text(encoding="utf-8")
        text = text.replace(
            "        - rep: li-wei\n", "        - rep: li-wei\n          potential: 3000000\n"
        )
        text = text.replace(
            "        - rep: xu-fang\n", "        - rep: xu-fang\n          potential: 1000000\n"
        )
        text = text.replace(
            "              value: 710000\n",
            "              value: 710000\n              bottom_up: 600000\n",
        )
        text = text.replace(
            "              value: 290000\n",
            "              value: 290000\n              bottom_up: 400000\n",
        )
        south.write_text(text, encoding="utf-8")
        plan = _plan(mini_plan)
        potential = allocate(plan, "south-smb", "revenue", "potential")
        assert [c.after for c in potential.children] == [Decimal(750000), Decimal(250000)]
        bottom_up = allocate(plan, "south-smb", "revenue", "bottom_up")
        assert [c.after for c in bottom_up.children] == [Decimal(600000), Decimal(400000)]

    def test_existing_phasing_and_products_follow_the_new_value(self) -> None:
        result = allocate(_plan(MINI), "north-ent", "revenue", "baseline")
        ann = result.children[0]
        assert ann.months is not None and sum(ann.months) == ann.after
        assert ann.products is not None and sum(ann.products.values()) == ann.after
        assert ann.stretch is not None and ann.stretch >= ann.after

    def test_cascade_splits_every_level_down_to_the_reps(self) -> None:
        splits = allocate_down(_plan(MINI), "acme", "new_customers", "even", cascade=True)
        assert [s.node.id for s in splits] == ["acme", "north", "south", "north-ent", "south-smb"]
        for split in splits:
            assert sum(c.after for c in split.children) == split.total

    @pytest.mark.parametrize(
        ("node", "metric", "method", "message"),
        [
            pytest.param("nowhere", "revenue", "even", "no node 'nowhere'", id="unknown-node"),
            pytest.param(
                "nrth",
                "revenue",
                "even",
                r"no node 'nrth' in the plan \(did you mean north\?\): --node takes the id of "
                r"the company \(acme\), a region or a team",
                id="misspelt-node",
            ),
            pytest.param("north-ent", "profit", "even", "no metric 'profit'", id="unknown-metric"),
            pytest.param("north-ent", "csat", "even", "not as a sum", id="share-or-score"),
            pytest.param("ann", "revenue", "even", "no children", id="rep"),
            pytest.param(
                "north-ent", "revenue", "potential", "no market potential", id="no-potential"
            ),
            pytest.param("south-smb", "revenue", "baseline", "xu-fang", id="missing-baseline"),
        ],
    )
    def test_bad_input_is_a_clear_error(
        self, node: str, metric: str, method: str, message: str
    ) -> None:
        with pytest.raises(AllocationError, match=message):
            allocate(_plan(MINI), node, metric, method)

    def test_zero_blend_weights(self) -> None:
        with pytest.raises(AllocationError, match="add up to zero"):
            allocate(_plan(MINI), "north-ent", "revenue", "blend", mix={"even": Decimal(0)})

    def test_a_cap_is_never_lifted_above_its_parent(self) -> None:
        result = allocate(_plan(MINI), "north-ent", "sales_expense", "even")
        assert sum(c.after for c in result.children) <= Decimal(70000)
        with pytest.raises(AllocationError, match="is a cap"):
            allocate(_plan(MINI), "north-ent", "sales_expense", "even", uplift=Decimal(5))


def _copy(tmp_path: Path, source: Path = MINI, name: str = "2027-Q1") -> Path:
    target = tmp_path / name
    shutil.copytree(source, target)
    return target


def _drop_adjustments(plan: Path) -> None:
    quarter = plan / "quarter.yaml"
    text = quarter.read_text(encoding="utf-8")
    quarter.write_text(text.split("adjustments:", 1)[0], encoding="utf-8")


def _changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    old, new = before.splitlines(), after.splitlines()
    assert len(old) == len(new), "an edit of existing values adds or removes no line"
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


class TestCommand:
    """``planc allocate`` through the real command line."""

    def test_dry_run_prints_the_table_and_writes_nothing(self, tmp_path: Path) -> None:
        plan = _copy(tmp_path)
        _drop_adjustments(plan)
        before = {p: p.read_bytes() for p in plan.rglob("*.yaml")}
        result = run_planc(
            "allocate", plan, "--node", "north-ent", "--metric", "revenue", "--method", "baseline"
        )
        assert result.code == 0, result.stderr
        assert "ann" in result.stdout and "490,000" in result.stdout and "-60,000" in result.stdout
        assert "dry run" in result.stdout
        assert {p: p.read_bytes() for p in plan.rglob("*.yaml")} == before

    def test_write_changes_only_the_values_and_passes_check(self, tmp_path: Path) -> None:
        plan = _copy(tmp_path)
        _drop_adjustments(plan)  # the log pins ann's and bob's numbers (PLC602 otherwise)
        north = plan / "regions" / "north.yaml"
        before = north.read_text(encoding="utf-8")
        result = run_planc(
            "allocate",
            plan,
            "--node",
            "north-ent",
            "--metric",
            "revenue",
            "--method",
            "baseline",
            "--write",
        )
        assert result.code == 0, result.stderr
        after = north.read_text(encoding="utf-8")
        changed = _changed_lines(before, after)
        # ann: value, stretch, months, products; bob: value, months, products.
        assert len(changed) == 7
        for old, new in changed:
            key = old.split(":", 1)[0]
            assert new.startswith(key + ":"), (old, new)
        data = yaml.safe_load(after)
        reps = data["region"]["teams"][0]["reps"]
        assert [r["targets"]["revenue"]["value"] for r in reps] == [490000, 510000]
        for rep in reps:
            revenue = rep["targets"]["revenue"]
            assert sum(revenue["months"]) == revenue["value"]
            assert sum(revenue["products"].values()) == revenue["value"]
        check = run_planc("check", plan, "--format", "json")
        assert check.code == 0, check.stdout

    def test_rerun_is_idempotent(self, tmp_path: Path) -> None:
        plan = _copy(tmp_path, REPO / "plans" / "2027-Q1")
        args = ("allocate", plan, "--node", "east-smb", "--metric", "revenue", "--method", "blend",
                "--weights", "last_year=50,capacity=50", "--uplift", "10", "--write")  # fmt: skip
        first = run_planc(*args)
        assert first.code == 0, first.stderr
        written = {p: p.read_bytes() for p in plan.rglob("*.yaml")}
        second = run_planc(*args)
        assert second.code == 0, second.stderr
        assert "nothing to change" in second.stdout
        assert {p: p.read_bytes() for p in plan.rglob("*.yaml")} == written
        assert run_planc("check", plan).code == 0

    def test_cascade_from_the_company_keeps_the_example_clean(self, tmp_path: Path) -> None:
        plan = _copy(tmp_path, REPO / "plans" / "2027-Q1")
        result = run_planc(
            "allocate", plan, "--node", "ruigong", "--metric", "new_customers",
            "--method", "capacity", "--cascade", "--write",
        )  # fmt: skip
        assert result.code == 0, result.stderr
        assert run_planc("check", plan).code == 0
        data = [
            yaml.safe_load(p.read_text(encoding="utf-8")) for p in (plan / "regions").glob("*.yaml")
        ]
        regions = sum(d["region"]["targets"]["new_customers"]["value"] for d in data)
        assert regions == 160

    def test_refuses_to_write_what_would_break_the_plan(self, tmp_path: Path) -> None:
        # Moving bob's revenue breaks the adjustment log (ADJ-001 says bob has 550,000).
        plan = _copy(tmp_path)
        before = {p: p.read_bytes() for p in plan.rglob("*.yaml")}
        result = run_planc(
            "allocate", plan, "--node", "north-ent", "--metric", "revenue", "--method", "even",
            "--uplift", "1", "--write",
        )  # fmt: skip
        assert result.code == 1
        assert "PLC602" in result.stderr and "nothing written" in result.stderr
        assert {p: p.read_bytes() for p in plan.rglob("*.yaml")} == before

    def test_an_error_the_plan_had_is_not_the_edits(self, tmp_path: Path) -> None:
        """The plan's own checks run only when the edited plan has errors (to tell them from
        the ones it brings): an error it had is counted as remaining, never as new."""
        plan = _copy(tmp_path)
        _drop_adjustments(plan)
        # nora becomes her own manager's manager: PLC207, an error that no split touches
        edit_file = plan / "regions" / "north.yaml"
        text = edit_file.read_text(encoding="utf-8")
        loop = text.replace("role: director, manager: vera", "role: director, manager: nora")
        assert loop != text
        edit_file.write_text(loop, encoding="utf-8")
        args = ("--node", "north-ent", "--metric", "revenue", "--method", "even", "--write")
        result = run_planc("allocate", plan, *args)
        assert result.code == 0, result.stderr
        assert "note: 1 error(s) elsewhere in the plan remain" in result.stdout
        assert "wrote" in result.stdout
        # and beside an error the edit brings (the adjustment log no longer agrees)
        plan = _copy(tmp_path, name="again")
        (plan / "regions" / "north.yaml").write_text(loop, encoding="utf-8")
        args = ("--node", "north-ent", "--metric", "revenue", "--method", "even", "--uplift", "1")
        result = run_planc("allocate", plan, *args, "--write")
        assert result.code == 1
        assert "PLC602" in result.stderr and "PLC207" not in result.stderr

    def test_adds_missing_targets_and_phasing_in_house_style(self, tmp_path: Path) -> None:
        plan = _copy(tmp_path)
        result = run_planc(
            "allocate", plan, "--node", "south-smb", "--metric", "revenue", "--method", "capacity",
            "--months", "--write",
        )  # fmt: skip
        assert result.code == 0, result.stderr
        text = (plan / "regions" / "south.yaml").read_text(encoding="utf-8")
        # xu-fang ramps from January (0, 50, 75 %): her 294,000 phases 0 : 0.4 : 0.6.
        assert "              months: [0, 118000, 176000]\n" in text
        assert (
            "              months: [236000, 235000, 235000]\n" in text
        )  # li-wei, no seasonality known
        assert run_planc("check", plan).code == 0

    def test_json_output(self, tmp_path: Path) -> None:
        plan = _copy(tmp_path)
        _drop_adjustments(plan)
        result = run_planc(
            "allocate", plan, "--node", "north-ent", "--metric", "revenue", "--format", "json"
        )
        assert result.code == 0
        document = result.json()
        split = document["allocations"][0]
        assert [c["after"] for c in split["children"]] == ["500000", "500000"]
        assert document["dry_run"] is True and document["written"] == []

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            pytest.param(
                ["--node", "nowhere", "--metric", "revenue"], "no node", id="unknown-node"
            ),
            pytest.param(
                ["--node", "north-ent", "--metric", "nope"], "no metric", id="unknown-metric"
            ),
            pytest.param(["--node", "north", "--metric", "csat"], "not as a sum", id="unsummed"),
            pytest.param(
                [
                    "--node",
                    "north-ent",
                    "--metric",
                    "revenue",
                    "--method",
                    "blend",
                    "--weights",
                    "even=0,capacity=0",
                ],
                "add up to zero",
                id="zero-weights",
            ),
            pytest.param(
                [
                    "--node",
                    "north-ent",
                    "--metric",
                    "revenue",
                    "--method",
                    "blend",
                    "--weights",
                    "luck=1",
                ],
                "unknown weight",
                id="unknown-weight",
            ),
            pytest.param(
                ["--node", "north-ent", "--metric", "revenue", "--weights", "x"],
                "COMPONENT=WEIGHT",
                id="bad-weights",
            ),
            pytest.param(
                ["--node", "north-ent", "--metric", "revenue", "--uplift", "lots"],
                "not a number",
                id="bad-uplift",
            ),
            pytest.param(
                ["--node", "north-ent", "--metric", "revenue", "--method", "blend"],
                "needs --weights",
                id="blend-without-weights",
            ),
        ],
    )
    def test_bad_input_exits_2_without_a_traceback(
        self, tmp_path: Path, args: list[str], message: str
    ) -> None:
        plan = _copy(tmp_path)
        result = run_planc("allocate", plan, *args)
        assert result.code == 2, result.stdout + result.stderr
        assert message in result.stderr
        assert "Traceback" not in result.stderr

    def test_baseline_without_a_complete_kind_names_the_one_fewer_children_lack(
        self, tmp_path: Path
    ) -> None:
        """--method baseline takes last_year from every child, else last_quarter: with neither
        complete it says both kinds work and asks for the one fewer children lack."""
        plan = _copy(tmp_path)
        north = plan / "regions" / "north.yaml"
        text = north.read_text(encoding="utf-8")
        text = text.replace("{last_quarter: 500000, last_year: 480000}", "{last_year: 480000}")
        text = text.replace(
            "baseline: {last_quarter: 520000, last_year: 500000}", "stretch: 600000"
        )
        north.write_text(text, encoding="utf-8")
        args = ["--node", "north-ent", "--metric", "revenue", "--method", "baseline"]
        result = run_planc("allocate", plan, *args)
        assert result.code == 2, result.stdout + result.stderr
        assert "no last_year baseline for revenue for bob " in result.stderr, result.stderr
        assert "else last_quarter" in result.stderr, result.stderr
        text = text.replace("{last_year: 480000}", "{last_quarter: 500000}")
        north.write_text(text, encoding="utf-8")
        result = run_planc("allocate", plan, *args)
        assert "no last_quarter baseline for revenue for bob " in result.stderr, result.stderr

    def test_a_plan_that_cannot_be_read_exits_2(self, tmp_path: Path) -> None:
        result = run_planc("allocate", tmp_path / "missing", "--node", "a", "--metric", "b")
        assert result.code == 2
        assert "cannot be read as a plan" in result.stderr


@settings(max_examples=25, deadline=None)
@given(
    uplift=st.integers(min_value=0, max_value=20),
    method=st.sampled_from(["even", "baseline", "capacity"]),
    team=st.sampled_from(["east-ka", "east-smb", "north-ka", "north-smb", "south-ka", "south-smb"]),
)
def test_every_split_of_the_example_adds_up_exactly(uplift: int, method: str, team: str) -> None:
    plan = _example()
    try:
        result = allocate(plan, team, "revenue", method, uplift=Decimal(uplift), months=True)
    except AllocationError:
        assert method == "baseline"  # a leaver without a baseline; the others always apply
        return
    assert sum(c.after for c in result.children) == result.total
    for change in result.children:
        assert change.after >= 0 and change.after % 1000 == 0
        assert change.months is not None and sum(change.months) == change.after


@functools.cache
def _example() -> Plan:
    return _plan(REPO / "plans" / "2027-Q1")


def _reps_after(plan: Plan, metric: str, splits: list[Allocation]) -> dict[str, Decimal]:
    """Every node -> what its reps add up to once the splits are applied."""
    new = {c.node.id: c.after for split in splits for c in split.children}
    sums: dict[str, Decimal] = {}
    for node in plan.nodes.values():
        if node.level is not Level.REP or metric not in node.targets:
            continue
        value = new.get(node.id, node.targets[metric].value)
        for above in plan.ancestors(node.parent or ""):
            sums[above.id] = sums.get(above.id, Decimal(0)) + value
    return sums


@settings(max_examples=40, deadline=None)
@given(
    node=st.sampled_from(["ruigong", "east", "north", "south", "east-ka", "south-smb"]),
    metric=st.sampled_from(["revenue", "collections", "new_customers"]),
    method=st.sampled_from(["even", "capacity"]),
    uplift=st.integers(min_value=0, max_value=20),
    region_max=st.integers(min_value=0, max_value=45),
    company_max=st.integers(min_value=0, max_value=45),
)
def test_a_cascade_stays_inside_the_cumulative_bands(
    node: str, metric: str, method: str, uplift: int, region_max: int, company_max: int
) -> None:
    """Whatever the uplift, a cascade's reps fit every cumulative band above and below its node,
    or the cascade refuses with the band that leaves no room."""
    example = _example()
    policy = replace(
        example.policy,
        cumulative_region=Band(Decimal(0), Decimal(region_max)),
        cumulative_company=Band(Decimal(0), Decimal(company_max)),
    )
    plan = replace(example, policy=policy)
    try:
        splits = allocate_down(plan, node, metric, method, uplift=Decimal(uplift), cascade=True)
    except AllocationError as error:
        assert "cumulative" in str(error)
        return
    new = {c.node.id: c.after for split in splits for c in split.children}
    reps = _reps_after(plan, metric, splits)
    inside = {n.id for n in plan.walk(node)} | {a.id for a in plan.ancestors(node)}
    for checked in inside:
        above = plan.nodes[checked]
        if above.level not in (Level.REGION, Level.COMPANY):
            continue
        value = new.get(checked, above.targets[metric].value)
        band = policy.cumulative(above.level)
        assert reps[checked] <= value * (100 + band.max) / 100, (checked, reps[checked], value)
    for split in splits:
        assert split.total >= split.parent  # never under-assigned (over_assignment.min is 0)


class TestCascadeRespectsTheCumulativeBand:
    """planc allocate --cascade holds the reps inside policy.over_assignment.cumulative."""

    def test_the_issue_command_now_writes_a_plan_check_accepts(self, tmp_path: Path) -> None:
        # East at +20 % per level used to give its reps 144 % of the region (PLC320).
        plan = _copy(tmp_path, REPO / "plans" / "2027-Q1")
        result = run_planc(
            "allocate", plan, "--node", "east", "--metric", "revenue", "--method", "baseline",
            "--uplift", "20", "--cascade", "--write",
        )  # fmt: skip
        assert result.code == 0, result.stderr
        assert "held down by policy.over_assignment.cumulative.region of east" in result.stdout
        assert run_planc("check", plan).code == 0
        after = _plan(plan)
        reps = _reps_after(after, "revenue", [])
        assert reps["east"] * 100 / after.nodes["east"].targets["revenue"].value <= 130

    def test_without_cascade_no_ceiling_applies(self) -> None:
        splits = allocate_down(_example(), "east", "revenue", "even", uplift=Decimal(20))
        assert [s.limited_by for s in splits] == [None]


def _stretch_sums(
    splits: list[Allocation], metric: str
) -> list[tuple[Allocation, Decimal | None, Decimal]]:
    """Each split, its parent's stretch after the cascade, and what its children's stretch
    goals add up to as PLC321 counts them (a child without one counts its value)."""
    after = {c.node.id: c.stretch for split in splits for c in split.children}
    found = []
    for split in splits:
        parent = after.get(split.node.id) or split.node.targets[metric].stretch
        total = sum(
            (
                c.stretch
                if c.stretch is not None
                else c.target.stretch
                if c.target is not None and c.target.stretch is not None
                else c.after
                for c in split.children
            ),
            Decimal(0),
        )
        found.append((split, parent, total))
    return found


class TestStretchGoalsCoverTheParents:
    """Each child's stretch keeps its own distance from its value and is rounded on its own;
    together they are then moved into the parent's stretch band (PLC321), by whole units."""

    EXAMPLE = REPO / "plans" / "2027-Q1"

    def test_every_split_of_the_documented_cascade_covers_its_parents_stretch(self) -> None:
        """docs/ops.md's third command: a region's 73 new customers over teams whose own
        stretch goals added up to 72 (each 27 * 38 / 28 ... rounded alone)."""
        plan = _plan(self.EXAMPLE)
        band = plan.policy.stretch
        splits = allocate_down(plan, "ruigong", "new_customers", "capacity", cascade=True)
        checked = 0
        for split, parent, total in _stretch_sums(splits, "new_customers"):
            if parent is None:
                continue
            assert parent * (100 + band.min) / 100 <= total <= parent * (100 + band.max) / 100
            for change in split.children:  # still stretch goals: never below the value
                assert change.stretch is None or change.stretch >= change.after
            checked += 1
        assert checked >= 4

    def test_the_documented_cascade_writes_a_plan_without_a_warning(self, tmp_path: Path) -> None:
        plan = _copy(tmp_path, self.EXAMPLE)
        args = ["--node", "ruigong", "--metric", "new_customers", "--method", "capacity"]
        result = run_planc("allocate", plan, *args, "--cascade", "--write")
        assert result.code == 0, result.stdout + result.stderr
        checked = run_planc("check", plan)
        assert checked.code == 0, checked.stdout
        assert "0 warnings" in checked.stdout and "PLC321" not in checked.stdout, checked.stdout

    @pytest.mark.parametrize("method", ["even", "capacity"])
    def test_a_caps_stretch_goals_stay_under_the_parents_and_never_below_zero(
        self, method: str
    ) -> None:
        """Sales expense is a cap (lower is better): the children's stretch caps add up to no
        more than the parent's, each between zero and its child's value."""
        plan = _plan(self.EXAMPLE)
        splits = allocate_down(plan, "ruigong", "sales_expense", method, cascade=True)
        for split, parent, total in _stretch_sums(splits, "sales_expense"):
            assert parent is not None
            assert total <= parent, split.node.id
            for change in split.children:
                assert change.stretch is None or 0 <= change.stretch <= change.after
