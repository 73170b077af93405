"""Every planc command the workflows and the action run, run here with the same
arguments, in a real repository shaped like a user's (an origin, a main branch,
a pull-request branch that changes a target with an adjustment record)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import MINI, REPO
from gitrepo import git, git_env

WORKFLOW_DIR = REPO / ".github" / "workflows"
EDIT = (
    "value: 550000\n              stretch: 600000",
    "value: 560000\n              stretch: 600000",
)


def planc_steps(path: Path) -> list[tuple[str, dict[str, str], str]]:
    """(step name, step env, script) of every step whose script runs planc."""
    document: dict[Any, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    jobs = document.get("jobs") or {"action": {"steps": document["runs"]["steps"]}}
    found = []
    for job in jobs.values():
        for step in job.get("steps", []):
            script = step.get("run", "")
            if "planc " in script or "scripts/action-" in script:
                found.append((step.get("name", step.get("id", "?")), step.get("env", {}), script))
    return found


@pytest.fixture(scope="module")
def pr_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of an origin whose main holds the mini plan, on a branch that moves 10,000."""
    base = tmp_path_factory.mktemp("workflows")
    origin, clone = base / "origin", base / "clone"
    shutil.copytree(MINI, origin / "plans" / "2027-Q1")
    git(origin, "init", "-q", "-b", "main")
    git(origin, "add", ".")
    git(origin, "commit", "-qm", "approved plan")
    git(base, "clone", "-q", str(origin), str(clone))
    git(clone, "checkout", "-q", "-b", "move-ann")
    north = clone / "plans" / "2027-Q1" / "regions" / "north.yaml"
    north.write_text(north.read_text(encoding="utf-8").replace(*EDIT), encoding="utf-8")
    quarter = clone / "plans" / "2027-Q1" / "quarter.yaml"
    record = (
        "  - id: ADJ-002\n    date: 2027-02-10\n    effective: 2027-02-10\n    cause: market\n"
        "    note: A new plant opened in Ann's territory.\n    changes:\n"
        "      - {target: ann/revenue, from: 550000, to: 560000}\n"
        "      - {target: north-ent/revenue, from: 1000000, to: 1000000}\n"
    )
    quarter.write_text(quarter.read_text(encoding="utf-8") + record, encoding="utf-8")
    months = "months: [150000, 180000, 220000]"
    north.write_text(
        north.read_text(encoding="utf-8").replace(months, "months: [150000, 180000, 230000]"),
        encoding="utf-8",
    )
    products = "products: {pro: 300000, basic: 250000}"
    north.write_text(
        north.read_text(encoding="utf-8").replace(
            products, "products: {pro: 310000, basic: 250000}"
        ),
        encoding="utf-8",
    )
    git(clone, "commit", "-qam", "move 10,000 to Ann")
    return clone


def run_step(
    repo: Path, script: str, env: dict[str, str], tmp: Path
) -> subprocess.CompletedProcess[str]:
    """A step's script in bash, with the values GitHub would substitute for ${{ }}."""
    substitutions = {
        "${{ github.base_ref }}": "main",
        "${{ github.event.pull_request.number }}": "7",
        "${{ inputs.plan-path }}": "plans/2027-Q1",
        "${{ inputs.base-ref }}": "origin/main",
        "${{ inputs.fail-level }}": "error",
        "${{ inputs.site-path }}": str(tmp / "site"),
    }
    step_env = {k: substitutions.get(v, v) for k, v in env.items()}
    outputs, summary = tmp / "output", tmp / "summary"
    environment = {
        **os.environ,
        **git_env(repo),
        **step_env,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_ACTIONS": "true",
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_ACTION_PATH": str(REPO),
    }
    return subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=repo,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


STEPS = [
    pytest.param(path, name, env, script, id=f"{path.name}:{name}")
    for path in [*sorted(WORKFLOW_DIR.glob("*.yml")), REPO / "action.yml"]
    for name, env, script in planc_steps(path)
]


@pytest.mark.parametrize(("path", "name", "env", "script"), STEPS)
def test_step_runs_as_written(
    pr_repo: Path, tmp_path: Path, path: Path, name: str, env: dict[str, str], script: str
) -> None:
    """The exact script of the step succeeds on a correct pull request."""
    repo = tmp_path / "repo"
    shutil.copytree(pr_repo, repo, symlinks=True)
    result = run_step(repo, script, env, tmp_path)
    assert result.returncode == 0, f"{path.name} / {name}:\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr


def test_the_steps_cover_every_planc_command_used() -> None:
    commands = {
        line.split()[1]
        for _, _, _, script in (p.values for p in STEPS)
        for line in script.splitlines()
        if line.strip().startswith("planc ")
    }
    assert {"check", "diff", "render"} <= commands


class TestActionSteps:
    """The action's scripts, run locally: outputs as documented."""

    def test_check_reports_the_error_count(self, pr_repo: Path, tmp_path: Path) -> None:
        script = f"bash {REPO}/scripts/action-check.sh"
        result = run_step(
            pr_repo, script, {"PLAN_PATH": "plans/2027-Q1", "FAIL_LEVEL": "error"}, tmp_path
        )
        assert result.returncode == 0, result.stderr
        assert "error-count=0" in (tmp_path / "output").read_text(encoding="utf-8")

    def test_check_fails_by_fail_level(self, pr_repo: Path, tmp_path: Path) -> None:
        repo = tmp_path / "broken"
        shutil.copytree(pr_repo, repo, symlinks=True)
        north = repo / "plans" / "2027-Q1" / "regions" / "north.yaml"
        north.write_text(
            north.read_text(encoding="utf-8").replace("owner: ned", "owner: nobody", 1),
            encoding="utf-8",
        )
        env = {"PLAN_PATH": "plans/2027-Q1", "FAIL_LEVEL": "error"}
        assert run_step(repo, f"bash {REPO}/scripts/action-check.sh", env, tmp_path).returncode == 1
        assert "error-count=1" in (tmp_path / "output").read_text(encoding="utf-8")
        env["FAIL_LEVEL"] = "none"
        assert run_step(repo, f"bash {REPO}/scripts/action-check.sh", env, tmp_path).returncode == 0

    def test_diff_reports_changes_and_writes_the_comment(
        self, pr_repo: Path, tmp_path: Path
    ) -> None:
        env = {"PLAN_PATH": "plans/2027-Q1", "BASE_REF": "origin/main"}
        result = run_step(pr_repo, f"bash {REPO}/scripts/action-diff.sh", env, tmp_path)
        assert result.returncode == 0, result.stderr
        assert "has_changes=true" in (tmp_path / "output").read_text(encoding="utf-8")
        comment = (pr_repo / "planc-impact.md").read_text(encoding="utf-8")
        assert comment.startswith("<!-- planc:impact -->")
