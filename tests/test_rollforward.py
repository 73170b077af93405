"""planc init: a new quarter from the previous one, checked, created whole or not at all."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import MINI, REPO, run_planc
from planc.allocate.rollforward import (
    InitError,
    next_quarter,
    previous_id,
    roll_forward,
    shift_date,
)
from planc.core.model import Quarter
from planc.core.source import Loc

EXAMPLE = REPO / "plans" / "2027-Q1"


def _plans(tmp_path: Path, source: Path = EXAMPLE, name: str = "2027-Q1") -> Path:
    plans = tmp_path / "plans"
    shutil.copytree(source, plans / name)
    return plans


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _quarter(quarter_id: str, start: date, end: date, months: int, name: str) -> Quarter:
    spans = [
        ((start.year * 12 + start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1)
        for i in range(months)
    ]
    return Quarter(quarter_id, name, start, end, "FY2027", tuple(spans), Loc("q.yaml"))


def _reps(region: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["rep"]: s for team in region["region"]["teams"] for s in team.get("reps", [])}


class TestQuarters:
    """Dates and labels move by the quarters between the two ids."""

    def test_next_calendar_quarter(self) -> None:
        old = _quarter("2027-Q1", date(2027, 1, 1), date(2027, 3, 31), 3, "2027年第一季度")
        new = next_quarter(old, "2027-Q2")
        assert (new.start, new.end, new.shift, new.name) == (
            date(2027, 4, 1),
            date(2027, 6, 30),
            3,
            "2027年第二季度",
        )

    def test_fiscal_ids_across_a_year_end(self) -> None:
        old = _quarter("FY27-Q4", date(2027, 10, 1), date(2027, 12, 31), 3, "Q4 2027")
        new = next_quarter(old, "FY28-Q1")
        assert (new.start, new.end, new.name) == (date(2028, 1, 1), date(2028, 3, 31), "Q1 2028")

    def test_a_year_ahead(self) -> None:
        old = _quarter("2027-Q1", date(2027, 1, 1), date(2027, 3, 31), 3, "Q1 2027")
        assert next_quarter(old, "2028-Q1").start == date(2028, 1, 1)

    def test_two_and_four_digit_fiscal_years_are_one_year(self) -> None:
        old = _quarter("FY2027-Q1", date(2027, 1, 1), date(2027, 3, 31), 3, "Q1")
        assert next_quarter(old, "FY27-Q2").start == date(2027, 4, 1)
        with pytest.raises(InitError, match="does not come after"):
            next_quarter(old, "FY26-Q4")

    def test_calendar_and_fiscal_ids_are_not_mixed(self) -> None:
        old = _quarter("2027-Q1", date(2027, 1, 1), date(2027, 3, 31), 3, "Q1 2027")
        with pytest.raises(
            InitError, match=r"a calendar quarter and FY27-Q2 a fiscal one.*2027-Q2"
        ):
            next_quarter(old, "FY27-Q2")

    def test_backwards_is_refused(self) -> None:
        old = _quarter("2027-Q1", date(2027, 1, 1), date(2027, 3, 31), 3, "Q1 2027")
        with pytest.raises(InitError, match="does not come after"):
            next_quarter(old, "2026-Q4")

    @pytest.mark.parametrize(
        ("day", "months", "expected"),
        [
            (date(2027, 3, 31), 3, date(2027, 6, 30)),  # a month end stays a month end
            (date(2027, 3, 15), 3, date(2027, 6, 15)),
            (date(2027, 1, 30), 1, date(2027, 2, 28)),
            (date(2027, 2, 28), 3, date(2027, 5, 31)),
        ],
    )
    def test_shift_date(self, day: date, months: int, expected: date) -> None:
        assert shift_date(day, months) == expected


class TestExample:
    """Rolling the example plan forward gives a clean next quarter."""

    def test_init_creates_a_clean_next_quarter(self, tmp_path: Path) -> None:
        plans = _plans(tmp_path)
        result = run_planc("init", "2027-Q2", "--from", "2027-Q1", cwd=tmp_path)
        assert result.code == 0, result.stderr
        assert "created plans/2027-Q2" in result.stdout
        new = plans / "2027-Q2"
        check = run_planc("check", new, "--strict", "--format", "json")
        assert check.code == 0, check.stdout
        assert check.json()["counts"] == {"error": 0, "warning": 0, "info": 0}
        assert sorted(p.relative_to(new).as_posix() for p in new.rglob("*.yaml")) == [
            "quarter.yaml",
            "regions/east.yaml",
            "regions/north.yaml",
            "regions/south.yaml",
        ]
        quarter = _load(new / "quarter.yaml")
        assert (
            quarter["quarter"]["start"] == "2027-04-01"
            or str(quarter["quarter"]["start"]) == "2027-04-01"
        )
        assert "adjustments" not in quarter and "actions" not in quarter
        assert "approved" not in quarter["company"]
        east = _load(new / "regions" / "east.yaml")
        assert "actions" not in east
        assert str(east["region"]["targets"]["training_completion"]["deadline"]) == "2027-06-15"
        # The leaver (liu-yang, last day 2027-02-28) is gone, seat and person.
        old_people = {
            p["id"]
            for f in (plans / "2027-Q1" / "regions").glob("*.yaml")
            for p in _load(f)["people"]
        }
        new_people = {p["id"] for f in (new / "regions").glob("*.yaml") for p in _load(f)["people"]}
        assert old_people - new_people == {"liu-yang"}
        assert all("liu-yang" not in _reps(_load(f)) for f in (new / "regions").glob("*.yaml"))
        # The old quarter is untouched, and no temporary folder is left behind.
        assert sorted(p.name for p in plans.iterdir()) == ["2027-Q1", "2027-Q2"]
        for path in (plans / "2027-Q1").rglob("*.yaml"):
            assert path.read_bytes() == (EXAMPLE / path.relative_to(plans / "2027-Q1")).read_bytes()

    def test_a_ramping_hire_gets_a_larger_share_as_the_ramp_advances(self, tmp_path: Path) -> None:
        plans = _plans(tmp_path)
        assert run_planc("init", "2027-Q2", "--from", "2027-Q1", cwd=tmp_path).code == 0
        old_reps: dict[str, dict[str, Any]] = {}
        new_reps: dict[str, dict[str, Any]] = {}
        for f in (plans / "2027-Q1" / "regions").glob("*.yaml"):
            old_reps |= _reps(_load(f))
        for f in (plans / "2027-Q2" / "regions").glob("*.yaml"):
            new_reps |= _reps(_load(f))
        people = {
            p["id"]: p
            for f in (plans / "2027-Q1" / "regions").glob("*.yaml")
            for p in _load(f)["people"]
        }
        hires = [r for r in new_reps if str(people[r].get("start", "")) >= "2026-11-01"]
        assert hires, "the example has a new hire ramping in Q1"
        for rep in hires:
            old = old_reps[rep]["targets"]["revenue"]["value"]
            new = new_reps[rep]["targets"]["revenue"]["value"]
            assert new > old, (rep, old, new)

    def test_never_overwrites_a_quarter(self, tmp_path: Path) -> None:
        plans = _plans(tmp_path)
        (plans / "2027-Q2").mkdir()
        (plans / "2027-Q2" / "mine.txt").write_text("keep me", encoding="utf-8")
        result = run_planc("init", "2027-Q2", "--from", "2027-Q1", cwd=tmp_path)
        assert result.code == 2
        assert "already exists" in result.stderr
        assert (plans / "2027-Q2" / "mine.txt").read_text(encoding="utf-8") == "keep me"
        assert sorted(p.name for p in (plans / "2027-Q2").iterdir()) == ["mine.txt"]

    def test_dry_run_writes_nothing(self, tmp_path: Path) -> None:
        plans = _plans(tmp_path)
        result = run_planc("init", "2027-Q2", "--from", "2027-Q1", "--dry-run", cwd=tmp_path)
        assert result.code == 0, result.stderr
        assert sorted(p.name for p in plans.iterdir()) == ["2027-Q1"]


class TestOldLineEndings:
    """A plan whose files end lines in CR alone (old Mac editors; YAML reads them as lines)
    rolls forward like any other (fuzz17: its modeline, taken up to the first LF, was the
    whole file, and init died with an internal error on keys written twice)."""

    @pytest.mark.parametrize("ending", ["\r", "\u2028"])
    def test_the_new_quarter_is_made(self, tmp_path: Path, ending: str) -> None:
        plans = _plans(tmp_path)
        for path in (plans / "2027-Q1").rglob("*.yaml"):
            path.write_text(path.read_text(encoding="utf-8").replace("\n", ending), "utf-8")
        assert run_planc("check", plans / "2027-Q1").code == 0
        result = run_planc("init", "2027-Q2", "--from", "2027-Q1", cwd=tmp_path)
        assert result.code == 0, result.stderr
        east = (plans / "2027-Q2" / "regions" / "east.yaml").read_text(encoding="utf-8")
        assert east.startswith(
            "# yaml-language-server: $schema=../../../schema/plan.schema.json\n#"
        )
        assert run_planc("check", plans / "2027-Q2", "--strict").code == 0


class TestHistory:
    """Baselines come from the history that exists, and targets grow from them."""

    def test_same_quarter_last_year_from_the_next_quarters_plan(self, tmp_path: Path) -> None:
        plans = _plans(tmp_path)
        # A 2026-Q3 plan: its last_quarter baselines are 2026-Q2's results.
        history = plans / "2026-Q3"
        shutil.copytree(plans / "2027-Q1", history)
        quarter = history / "quarter.yaml"
        text = quarter.read_text(encoding="utf-8")
        text = text.replace("id: 2027-Q1", "id: 2026-Q3").replace(
            "start: 2027-01-01", "start: 2026-07-01"
        )
        quarter.write_text(text.replace("end: 2027-03-31", "end: 2026-09-30"), encoding="utf-8")
        company_last = _load(quarter)["company"]["targets"]["revenue"]["baseline"]["last_quarter"]
        zhang_last = _reps(_load(history / "regions" / "east.yaml"))["zhang-wei"]["targets"][
            "revenue"
        ]["baseline"]["last_quarter"]

        made = roll_forward(plans / "2027-Q1", "2027-Q2")
        assert not made.result.has_errors, [d.message for d in made.result.diagnostics]
        assert any("2026-Q3" in line for line in made.summary)
        new_quarter = yaml.safe_load(made.files["quarter.yaml"])
        revenue = new_quarter["company"]["targets"]["revenue"]
        assert revenue["baseline"] == {"last_year": company_last}
        # The middle of policy.growth (-10..40) is +15 %, rounded up to the policy's 1,000.
        grown = (Decimal(company_last) * Decimal("1.15") / 1000).to_integral_value(
            ROUND_CEILING
        ) * 1000
        assert Decimal(revenue["value"]) == grown
        zhang = _reps(yaml.safe_load(made.files["regions/east.yaml"]))["zhang-wei"]["targets"][
            "revenue"
        ]
        assert zhang["baseline"]["last_year"] == zhang_last

    def test_a_new_quarter_enforces_its_approval_tiers(self, tmp_path: Path) -> None:
        plans = _plans(tmp_path, MINI)  # the mini plan lists its tiers the older way
        made = roll_forward(plans / "2027-Q1", "2027-Q2")
        approvals = yaml.safe_load(made.files["quarter.yaml"])["policy"]["approvals"]
        assert approvals["enforce"] is True
        assert [t["approver"] for t in approvals["tiers"]] == [
            "team_owner",
            "region_owner",
            "company_owner",
        ]
        assert made.result.plan is not None and made.result.plan.policy.enforce_approvals

    def test_results_fill_last_quarter_and_seasonality(self, tmp_path: Path) -> None:
        plans = _plans(tmp_path, MINI)
        # Results per rep and month: Q1 2027 (the old quarter) and Q2 2026 (a year before the new one).
        results = {
            "ann": {"revenue": {(2027, 1): Decimal(100000), (2027, 2): Decimal(200000), (2027, 3): Decimal(300000),
                                (2026, 4): Decimal(100000), (2026, 5): Decimal(100000), (2026, 6): Decimal(200000)}},
            "bob": {"revenue": {(2027, 1): Decimal(150000), (2027, 2): Decimal(150000), (2027, 3): Decimal(200000),
                                (2026, 4): Decimal(50000), (2026, 5): Decimal(150000), (2026, 6): Decimal(200000)}},
            "li-wei": {"revenue": {(2027, 2): Decimal(400000)}},
        }  # fmt: skip
        made = roll_forward(plans / "2027-Q1", "2027-Q2", results=results)
        assert not made.result.has_errors, [d.message for d in made.result.diagnostics]
        north = yaml.safe_load(made.files["regions/north.yaml"])
        team = north["region"]["teams"][0]["targets"]["revenue"]
        assert team["baseline"]["last_quarter"] == 600000 + 500000
        assert team["baseline"]["last_year"] == 400000 + 400000
        assert team["baseline"]["last_year_months"] == [150000, 250000, 400000]
        ann = _reps(north)["ann"]["targets"]["revenue"]
        assert ann["baseline"] == {
            "last_quarter": 600000,
            "last_year": 400000,
            "last_year_months": [100000, 100000, 200000],
        }
        # ann had monthly phasing: it now follows last year's months (1 : 1 : 2).
        assert sum(ann["months"]) == ann["value"]
        assert ann["months"][2] > ann["months"][0]
        company = yaml.safe_load(made.files["quarter.yaml"])["company"]["targets"]["revenue"]
        # last_year of the company: every rep's Q2 2026 added up (li-wei had none then).
        assert company["baseline"]["last_year"] == 800000
        assert company["baseline"]["last_quarter"] == 1100000 + 400000


class TestWhichQuarters:
    """NEW_QUARTER as an id or a folder; --from defaults to the quarter before it."""

    @pytest.mark.parametrize(
        "args",
        [["2027-Q2"], ["plans/2027-Q2"], ["plans/2027-Q2", "--plans", "plans"]],
        ids=["id", "folder", "folder-and-plans"],
    )
    def test_the_same_quarter_as_with_from(self, tmp_path: Path, args: list[str]) -> None:
        plans = _plans(tmp_path / "given", MINI)
        assert run_planc("init", "2027-Q2", "--from", "2027-Q1", cwd=tmp_path / "given").code == 0
        mine = _plans(tmp_path / "mine", MINI)
        result = run_planc("init", *args, cwd=tmp_path / "mine")
        assert result.code == 0, result.stderr
        assert "created plans/2027-Q2" in result.stdout
        expected = {p.relative_to(plans): p.read_bytes() for p in plans.rglob("*") if p.is_file()}
        made = {p.relative_to(mine): p.read_bytes() for p in mine.rglob("*") if p.is_file()}
        assert made == expected

    @pytest.mark.parametrize(
        ("where", "args"),
        [
            ("plans", ["./2027-Q2"]),
            (".", ["2027-Q2/"]),
            (".", ["plans/../plans/2027-Q2", "--plans", "plans"]),
            (".", ["link/2027-Q2", "--plans", "plans"]),
            (".", ["link/2027-Q2", "--from", "plans/2027-Q1"]),
        ],
        ids=["dot-folder", "slash", "dot-dot", "link-and-plans", "link-and-from"],
    )
    def test_the_same_folder_written_another_way(
        self, tmp_path: Path, where: str, args: list[str]
    ) -> None:
        """./2027-Q2 is a folder (in the working one), not an id that is not one; a folder
        reached through .. or a link is the one --plans or --from's names."""
        plans = _plans(tmp_path, MINI)
        (tmp_path / "link").symlink_to("plans")
        result = run_planc("init", *args, cwd=tmp_path / where)
        assert result.code == 0, result.stderr
        assert (plans / "2027-Q2" / "quarter.yaml").is_file()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "plans"]

    def test_no_previous_quarter_names_those_there(self, tmp_path: Path) -> None:
        _plans(tmp_path, MINI)
        result = run_planc("init", "2027-Q4", cwd=tmp_path)
        assert result.code == 2
        assert result.stderr == (
            "planc: error: no quarter folder plans/2027-Q3 to roll forward into 2027-Q4: give "
            "the quarter to start from with --from, e.g. --from 2027-Q1 (plans has 2027-Q1)\n"
        )
        assert sorted(p.name for p in (tmp_path / "plans").iterdir()) == ["2027-Q1"]

    def test_no_previous_quarter_names_quarters_only(self, tmp_path: Path) -> None:
        """A folder beside the quarters (an archive) is neither named as one nor offered."""
        plans = _plans(tmp_path, MINI)
        (plans / "zz-archive").mkdir()
        result = run_planc("init", "2027-Q4", cwd=tmp_path)
        assert result.code == 2
        assert result.stderr == (
            "planc: error: no quarter folder plans/2027-Q3 to roll forward into 2027-Q4: give "
            "the quarter to start from with --from, e.g. --from 2027-Q1 (plans has 2027-Q1)\n"
        )

    def test_a_split_by_baselines_without_history_asks_for_actuals(self, tmp_path: Path) -> None:
        """init --method baseline on a quarter with no history to read: the allocation's advice
        (add baseline: to the children) is for a quarter not written yet, so init names the
        way in, --actuals, and writes nothing."""
        plans = _plans(tmp_path)
        result = run_planc("init", "2027-Q2", "--method", "baseline", cwd=tmp_path)
        assert result.code == 2, result.stdout + result.stderr
        assert "no history was found for the new quarter's baselines" in result.stderr
        assert "give --actuals FILE (an export covering 2027-Q1)" in result.stderr
        assert sorted(p.name for p in plans.iterdir()) == ["2027-Q1"]
        even = run_planc("init", "2027-Q2", "--method", "even", "--dry-run", cwd=tmp_path)
        assert even.code == 0, even.stderr

    def test_an_existing_quarter_is_said_first(self, tmp_path: Path) -> None:
        _plans(tmp_path, MINI)
        result = run_planc("init", "2027-Q1", cwd=tmp_path)
        assert result.code == 2
        assert "plans/2027-Q1 already exists" in result.stderr

    @pytest.mark.parametrize(
        ("new", "before"),
        [
            ("2027-Q2", "2027-Q1"),
            ("2027-Q1", "2026-Q4"),
            ("FY27-Q1", "FY26-Q4"),
            ("FY2027-Q3", "FY2027-Q2"),
            ("FY00-Q1", "FY1999-Q4"),  # not FY99: two digits are read as 2099
            ("FY2000-Q1", "FY1999-Q4"),
            ("Q1", None),
        ],
    )
    def test_previous_id(self, new: str, before: str | None) -> None:
        assert previous_id(new) == before


class TestRefusals:
    """What init will not do, with a clear message and exit status 2."""

    def test_a_leaver_who_still_owns_something(self, tmp_path: Path) -> None:
        plans = _plans(tmp_path, MINI)
        north = plans / "2027-Q1" / "regions" / "north.yaml"
        text = north.read_text(encoding="utf-8")
        north.write_text(
            text.replace(
                "role: manager, github: neds}", "role: manager, github: neds, end: 2027-03-31}"
            ),
            encoding="utf-8",
        )
        result = run_planc("init", "2027-Q2", "--from", "2027-Q1", cwd=tmp_path)
        assert result.code == 2
        assert "ned owns team north-ent" in result.stderr
        assert not (plans / "2027-Q2").exists()

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            pytest.param(["2026-Q4", "--from", "2027-Q1"], "does not come after", id="backwards"),
            pytest.param(["2027-Q2", "--from", "2019-Q1"], "no quarter folder", id="unknown-old"),
            pytest.param(["../x", "--from", "2027-Q1"], "not a quarter folder", id="path-no-id"),
            pytest.param(["2027-Q2", "--from", "nowhere"], "no quarter folder", id="no-from"),
            pytest.param(["2019-Q1"], "no quarter folder plans/2018-Q4", id="no-previous"),
            pytest.param(
                ["other/2027-Q2", "--from", "plans/2027-Q1"], "would not be beside", id="apart"
            ),
            pytest.param(
                ["plans/2027-Q2", "--plans", "other"], "is not under --plans", id="two-folders"
            ),
            pytest.param(
                ["2027-Q2", "--from", "2027-Q1", "--growth", "75"],
                "outside policy.growth",
                id="growth",
            ),
            pytest.param(
                ["2027-Q2", "--from", "2027-Q1", "--actuals", "nope.csv"],
                "not a file",
                id="no-actuals",
            ),
        ],
    )
    def test_bad_input(self, tmp_path: Path, args: list[str], message: str) -> None:
        plans = _plans(tmp_path, MINI)
        result = run_planc("init", *args, cwd=tmp_path)
        assert result.code == 2, result.stdout + result.stderr
        assert message in result.stderr
        assert "Traceback" not in result.stderr
        assert sorted(p.name for p in plans.iterdir()) == ["2027-Q1"]

    def test_a_plan_with_errors_is_not_rolled_forward(self, tmp_path: Path) -> None:
        plans = _plans(tmp_path, MINI)
        south = plans / "2027-Q1" / "regions" / "south.yaml"
        south.write_text(
            south.read_text(encoding="utf-8").replace("value: 710000", "value: 910000"),
            encoding="utf-8",
        )
        result = run_planc("init", "2027-Q2", "--from", "2027-Q1", cwd=tmp_path)
        assert result.code == 2
        assert "passes planc check" in result.stderr


class TestActuals:
    """--actuals: baselines measured from a CRM export, as planc track measures them."""

    MAPPING = (
        "actuals:\n"
        "  columns: {owner: Owner, date: Close, amount: Amount, stage: Stage}\n"
        "  stages: {won: [Won], lost: [Lost]}\n"
        "  metrics: {revenue: amount}\n"
    )
    ROWS = (  # owner, close date, amount, stage
        ("ann", "2027-01-15", "100000", "Won"), ("ann", "2027-02-15", "200000", "Won"),
        ("ann", "2027-03-15", "300000", "Won"), ("ann", "2027-03-20", "999999", "Lost"),
        ("bob", "2027-01-10", "250000", "Won"), ("bob", "2027-03-01", "250000", "Won"),
        ("ann", "2026-04-02", "100000", "Won"), ("ann", "2026-05-02", "100000", "Won"),
        ("ann", "2026-06-02", "200000", "Won"), ("bob", "2026-06-30", "350000.50", "Won"),
    )  # fmt: skip

    def _plan_with_export(self, tmp_path: Path) -> tuple[Path, Path]:
        plans = _plans(tmp_path, MINI)
        quarter = plans / "2027-Q1" / "quarter.yaml"
        text = quarter.read_text(encoding="utf-8")
        quarter.write_text(
            text.replace("products:\n", self.MAPPING + "products:\n", 1), encoding="utf-8"
        )
        export = tmp_path / "crm.csv"
        lines = ["Owner,Close,Amount,Stage", *(",".join(row) for row in self.ROWS)]
        export.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return plans, export

    def test_baselines_from_the_export(self, tmp_path: Path) -> None:
        plans, export = self._plan_with_export(tmp_path)
        assert run_planc("check", plans / "2027-Q1").code == 0
        result = run_planc(
            "init", "2027-Q2", "--from", "2027-Q1", "--actuals", export, cwd=tmp_path
        )
        assert result.code == 0, result.stdout + result.stderr
        assert "rows read" in result.stdout
        north = _load(plans / "2027-Q2" / "regions" / "north.yaml")
        ann = _reps(north)["ann"]["targets"]["revenue"]["baseline"]
        bob = _reps(north)["bob"]["targets"]["revenue"]["baseline"]
        # Sums computed here from ROWS: won rows only, Q1 2027 and Q2 2026.
        assert (Decimal(str(ann["last_quarter"])), Decimal(str(ann["last_year"]))) == (
            600000,
            400000,
        )
        assert (Decimal(str(bob["last_quarter"])), Decimal(str(bob["last_year"]))) == (
            500000,
            Decimal("350000.50"),
        )
        team = north["region"]["teams"][0]["targets"]["revenue"]["baseline"]
        assert Decimal(str(team["last_quarter"])) == 1100000
        company = _load(plans / "2027-Q2" / "quarter.yaml")["company"]["targets"]["revenue"]
        grown = (
            Decimal(str(company["baseline"]["last_year"])) * Decimal("1.15") / 1000
        ).to_integral_value(ROUND_CEILING) * 1000
        assert Decimal(str(company["value"])) == grown
        assert run_planc("check", plans / "2027-Q2").code == 0

    def test_baselines_from_several_sources(self, tmp_path: Path) -> None:
        """actuals.sources: revenue's baselines from the CRM export, sales expense's from finance's."""
        plans, export = self._plan_with_export(tmp_path)
        quarter = plans / "2027-Q1" / "quarter.yaml"
        sources = (
            "actuals:\n  sources:\n    crm:\n"
            + "".join("    " + line + "\n" for line in self.MAPPING.splitlines()[1:])
            + "    finance:\n"
            "      columns: {owner: Spender, date: Booked, amount: Cost}\n"
            "      metrics: {sales_expense: amount}\n"
        )
        text = quarter.read_text(encoding="utf-8").replace(self.MAPPING, sources, 1)
        quarter.write_text(text, encoding="utf-8")
        finance = tmp_path / "finance.csv"
        finance.write_text(
            "Spender,Booked,Cost\nann,2027-01-20,1000.25\nann,2027-03-02,2000\nann,2026-12-31,7\n"
            "bob,2027-02-11,500\n",  # a row in every month of Q1: a full quarter
            encoding="utf-8",
        )
        assert run_planc("check", plans / "2027-Q1").code == 0
        result = run_planc(
            "init", "2027-Q2", "--from", "2027-Q1", "--actuals", f"crm={export}",
            "--actuals", f"finance={finance}", cwd=tmp_path,
        )  # fmt: skip
        assert result.code == 0, result.stdout + result.stderr
        north = _load(plans / "2027-Q2" / "regions" / "north.yaml")
        ann = _reps(north)["ann"]["targets"]
        assert Decimal(str(ann["revenue"]["baseline"]["last_quarter"])) == 600000
        assert Decimal(str(ann["sales_expense"]["baseline"]["last_quarter"])) == Decimal("3000.25")
        unknown = run_planc(
            "init", "2027-Q3", "--from", "2027-Q1", "--actuals", f"fin={finance}", cwd=tmp_path
        )
        assert unknown.code == 2
        assert "no actuals source `fin`" in unknown.stderr

    def test_an_export_the_mapping_cannot_read(self, tmp_path: Path) -> None:
        plans, export = self._plan_with_export(tmp_path)
        export.write_text("Who,When\nann,2027-01-01\n", encoding="utf-8")
        result = run_planc(
            "init", "2027-Q2", "--from", "2027-Q1", "--actuals", export, cwd=tmp_path
        )
        assert result.code == 2
        assert "--actuals" in result.stderr and "Traceback" not in result.stderr
        assert not (plans / "2027-Q2").exists()

    def test_a_plan_without_a_mapping(self, tmp_path: Path) -> None:
        _plans(tmp_path, MINI)
        export = tmp_path / "crm.csv"
        export.write_text("Owner,Close,Amount\nann,2027-01-15,1\n", encoding="utf-8")
        result = run_planc(
            "init", "2027-Q2", "--from", "2027-Q1", "--actuals", export, cwd=tmp_path
        )
        assert result.code == 2
        assert "no actuals: mapping" in result.stderr
