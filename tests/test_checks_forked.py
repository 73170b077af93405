"""Every check on two CPUs gives what every check in one process gives, in the same order."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

from planc.checks import forked, run_checks
from planc.checks.forked import run_checks_forked
from planc.core.frontend import Frontend
from planc.core.model import Plan
from planc.core.pipeline import read_directory
from test_cases import FIXTURE, all_cases, apply_edit


def _model(plan_dir: Path) -> Plan | None:
    sources, problems = read_directory(plan_dir)
    return Frontend(lambda plan: (), retain=False).compile("plan", sources, problems).plan


def _key(found: list[Any]) -> list[tuple[Any, ...]]:
    return [(d.code, d.severity, d.message, d.hint, d.loc, type(d.message)) for d in found]


def _case_model(case: Any) -> Plan | None:
    """The model of the fixture with the case's edits applied (None: they leave none)."""
    with tempfile.TemporaryDirectory(prefix="planc-forked-") as folder:
        plan_dir = Path(folder) / "plan"
        shutil.copytree(FIXTURE, plan_dir)
        for edit in case.edits:
            apply_edit(plan_dir, edit)
        return _model(plan_dir)


def _cases() -> list[Any]:
    """Every check case with its model, built while collecting: a case whose edits leave no
    model (a YAML or schema error) runs no check, so there is nothing to compare and it is
    not collected (it was a skip, 72 of them, that hid how many cases really ran)."""
    found = []
    for case in all_cases():
        if case.command not in (None, "check") or case.args:
            continue
        plan = _case_model(case)
        if plan is not None:
            found.append(pytest.param(plan, id=case.id))
    return found


@pytest.mark.parametrize("plan", _cases())
def test_every_case_finds_the_same(plan: Plan) -> None:
    assert _key(run_checks_forked(plan)) == _key(list(run_checks(plan)))


@pytest.mark.parametrize("how", ["one process", "the child dies", "the child fails"])
def test_without_the_child_this_process_runs_them_all(
    how: str, mini_plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (mini_plan / "regions" / "north.yaml").read_text(encoding="utf-8")
    broken = text.replace("role: director, manager: vera", "role: director, manager: nora")
    (mini_plan / "regions" / "north.yaml").write_text(broken, encoding="utf-8")  # PLC207
    plan = _model(mini_plan)
    assert plan is not None
    if how == "one process":
        monkeypatch.setenv("PLANC_WORKERS", "1")
    elif how == "the child dies":
        monkeypatch.setattr(forked, "_child", lambda *args: os._exit(1))
    else:
        monkeypatch.setattr(forked, "CHECKS", (*forked.CHECKS[:1], _Failing(), *forked.CHECKS[2:]))
    expected = list(run_checks(plan)) if how != "the child fails" else None
    if expected is None:
        with pytest.raises(RuntimeError, match="a check with a bug"):
            run_checks_forked(plan)  # the child's failure is this process's too
        return
    found = run_checks_forked(plan)
    assert _key(found) == _key(expected)
    assert any(d.code == "PLC207" for d in found)


class _Failing:
    """A check that raises (where the child runs it: index 1)."""

    def run(self, plan: Plan) -> Any:
        raise RuntimeError("a check with a bug")
