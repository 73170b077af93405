"""Odd shapes a user can write, each diagnosed where it is (the codes' cases are in tests/cases).

What the case files cannot say: the words of a message, a usage error, and a folder
that cannot be listed (which needs the process to lack root's override of file modes).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import MINI, REPO, run_planc


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def check_json(plan: Path) -> tuple[int, list[dict[str, Any]]]:
    result = run_planc("check", plan, "--format", "json")
    assert "Traceback" not in result.stderr, result.stderr
    return result.code, result.json()["diagnostics"]


class TestMessages:
    """The message says what is wrong in words that are true."""

    def test_rounding_zero_says_it_must_be_above_zero(self, mini_plan: Path) -> None:
        replace_once(mini_plan / "quarter.yaml", "rounding: 1000", "rounding: 0")
        code, found = check_json(mini_plan)
        assert code == 1
        (message,) = [d["message"] for d in found if d["code"] == "PLC104"]
        assert message == "`policy.rounding`: 0 must be above 0"

    def test_inverted_band_is_not_printed_as_a_band(self, mini_plan: Path) -> None:
        replace_once(
            mini_plan / "quarter.yaml",
            "over_assignment: {min: 0, max: 20}",
            "over_assignment: {min: 50, max: -20}",
        )
        code, found = check_json(mini_plan)
        assert code == 1
        assert [d["code"] for d in found] == ["PLC110"]
        assert "min is above max" in found[0]["message"]

    def test_key_no_is_diagnosed_with_the_word_to_write(self, mini_plan: Path) -> None:
        replace_once(
            mini_plan / "quarter.yaml",
            "{id: pro, name: Pro, key: true}",
            "{id: pro, name: Pro, key: no}",
        )
        code, found = check_json(mini_plan)
        assert code == 1
        assert [(d["code"], d["hint"]) for d in found] == [("PLC005", "write false")]

    def test_calendar_id_names_its_months(self, mini_plan: Path) -> None:
        replace_once(mini_plan / "quarter.yaml", "  id: 2027-Q1", "  id: 2031-Q4")
        _, found = check_json(mini_plan)
        assert [d["message"] for d in found] == [
            "2031-Q4 is the calendar quarter 2031-10-01 to 2031-12-31, "
            "but the dates say 2027-01-01 to 2027-03-31"
        ]


class TestInit:
    """planc init takes a quarter id, nothing else."""

    def test_init_refuses_a_name_that_is_not_a_quarter_id(self, tmp_path: Path) -> None:
        plans = tmp_path / "plans"
        shutil.copytree(MINI, plans / "2027-Q1")
        result = run_planc("init", "foo", "--from", "2027-Q1", cwd=tmp_path)
        assert result.code == 2
        assert "'foo' is not a quarter id" in result.stderr
        assert "Traceback" not in result.stderr
        assert sorted(p.name for p in plans.iterdir()) == ["2027-Q1"]

    def test_init_of_the_next_quarter_id_is_fine(self, tmp_path: Path) -> None:
        plans = tmp_path / "plans"
        shutil.copytree(MINI, plans / "2027-Q1")
        result = run_planc("init", "2027-Q2", "--from", "2027-Q1", "--dry-run", cwd=tmp_path)
        assert result.code == 0, result.stderr


def without_root_override() -> list[str]:
    """A command prefix under which file modes apply even to root (CI runs as root)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")  # util-linux: on every Debian
    if setpriv is None:
        pytest.skip("running as root without setpriv: a mode cannot lock root out")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]


class TestUnreadableFolder:
    """A regions/ folder planc cannot list is an error, not a plan with no regions."""

    def test_unreadable_regions_folder_is_diagnosed(self, mini_plan: Path) -> None:
        regions = mini_plan / "regions"
        regions.chmod(0)
        try:
            completed = subprocess.run(
                [*without_root_override(), sys.executable, "-m", "planc", "check", mini_plan,
                 "--format", "json"],
                capture_output=True, text=True, timeout=120, check=False, cwd=REPO,
            )  # fmt: skip
        finally:
            regions.chmod(0o755)
        assert "Traceback" not in completed.stderr, completed.stderr
        assert completed.returncode == 1, completed.stderr
        import json

        found = json.loads(completed.stdout)["diagnostics"]
        unreadable = [d for d in found if d["code"] == "PLC011"]
        assert len(unreadable) == 1, found
        assert unreadable[0]["path"].endswith("2027-Q1/regions")
        assert "Permission denied" in unreadable[0]["message"]
