"""The plan's check that ``planc track`` runs: only the error checks on a plan without errors
(its warnings are not part of a track report), the whole check when one finds an error."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO

PLAN = REPO / "plans" / "2017-Q3"
EXPORT = REPO / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_pipeline.csv"


def _plan(tmp_path: Path, *, error: bool) -> Path:
    """The 2017-Q3 plan with a warning (PLC401: revenue without a definition) and, with
    ``error``, an error too (PLC402: a win rate of 160 percent)."""
    plan = tmp_path / "2017-Q3"
    shutil.copytree(PLAN, plan)
    quarter = plan / "quarter.yaml"
    text = quarter.read_text(encoding="utf-8")
    defined = "    definition: close_value of deals won (deal_stage Won) with a close_date in the quarter.\n"
    assert defined in text
    quarter.write_text(text.replace(defined, "", 1), encoding="utf-8")
    if error:
        west = plan / "regions" / "west.yaml"
        text = west.read_text(encoding="utf-8")
        assert "    win_rate: {value: 60}\n" in text
        west.write_text(
            text.replace("    win_rate: {value: 60}\n", "    win_rate: {value: 160}\n", 1)
        )
    return plan


def _spied_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every check as before, recording the code of each one that runs (in both registries
    a run may read: the checks' own and the one track's report imported)."""
    import planc.checks
    import planc.track.report

    ran: list[str] = []

    def spy(check: Any) -> Any:
        function = check.function

        def recorded(plan: Any) -> Iterator[Any]:
            ran.append(check.rule.code)
            yield from function(plan)

        return replace(check, function=recorded)

    spied = tuple(spy(check) for check in planc.checks.CHECKS)
    monkeypatch.setattr(planc.checks, "CHECKS", spied)
    monkeypatch.setattr(planc.track.report, "CHECKS", spied, raising=False)
    return ran


def test_a_plan_without_errors_runs_only_the_error_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from planc.checks import CHECKS, check_directory
    from planc.core.diagnostics import Severity
    from planc.track.report import run_track

    plan = _plan(tmp_path, error=False)
    assert [d.code for d in check_directory(plan).diagnostics] == ["PLC401"]
    ran = _spied_checks(monkeypatch)
    report = run_track(plan, EXPORT, None)
    errors = [c.rule.code for c in CHECKS if c.rule.severity is Severity.ERROR]
    assert ran == errors  # each error check once, in registry order; no other
    assert report.tracking is not None and report.tracking.progress
    assert "PLC401" not in {d.code for d in report.diagnostics}  # as before: not track's


def test_a_plan_with_an_error_reports_the_whole_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from planc.checks import check_directory
    from planc.track.report import as_json, run_track

    plan = _plan(tmp_path, error=True)
    whole = check_directory(plan).diagnostics
    assert {d.code for d in whole} == {"PLC401", "PLC402"}
    report = run_track(plan, EXPORT, None)
    assert report.tracking is None and report.exit_code() == 1
    assert report.diagnostics == whole  # the warning too, in the check's order
    assert report.check.diagnostics == whole
    assert '"PLC401"' in as_json(report)
