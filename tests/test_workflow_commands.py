"""Every planc command the workflows and the action run, run here with the same
arguments, in a real repository shaped like a user's (an origin, a main branch,
a pull-request branch that changes a target with an adjustment record)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from actionrunner import run_action, substitute
from conftest import MINI, REPO
from fakegithub import REPOSITORY, FakeGitHub, pull_request_event, serve, workflow_run_event
from gitrepo import git, git_env

WORKFLOW_DIR = REPO / ".github" / "workflows"
EDIT = (
    "value: 550000\n              stretch: 600000",
    "value: 560000\n              stretch: 600000",
)


def posts_comment(script: str) -> bool:
    """``planc comment`` talks to GitHub: its steps run in the end-to-end tests below."""
    return "planc comment" in script


def planc_steps(path: Path) -> list[tuple[str, dict[str, str], str]]:
    """(step name, step env, script) of every step whose script runs planc."""
    document: dict[Any, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    jobs = document.get("jobs") or {"action": {"steps": document["runs"]["steps"]}}
    found = []
    for job in jobs.values():
        for step in job.get("steps", []):
            script = step.get("run", "")
            if ("planc " in script or "scripts/action-" in script) and not posts_comment(script):
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
        "${{ inputs.comment }}": "false",
        "${{ inputs.render }}": "true",
        "${{ runner.temp }}": str(tmp / "runner-temp"),
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
    commenting = sorted(
        path.name
        for path in [*WORKFLOW_DIR.glob("*.yml"), REPO / "action.yml"]
        if any(posts_comment(step.get("run", "")) for step in all_steps(path))
    )
    assert commenting == ["action.yml", "impact-comment.yml"]  # run end to end below


def all_steps(path: Path) -> list[dict[str, Any]]:
    document: dict[Any, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    if "runs" in document:
        return list(document["runs"]["steps"])
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


def step_script(path: Path, name: str) -> tuple[dict[str, str], str]:
    """(env, script) of the step called ``name`` in a workflow."""
    document: dict[Any, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    for job in document["jobs"].values():
        for step in job.get("steps", []):
            if step.get("name") == name:
                return step.get("env", {}), step["run"]
    raise AssertionError(f"{path.name} has no step {name!r}")


def broken(pr_repo: Path, tmp_path: Path) -> Path:
    """The pull request's repository with an owner nobody is (one error)."""
    repo = tmp_path / "broken"
    shutil.copytree(pr_repo, repo, symlinks=True)
    north = repo / "plans" / "2027-Q1" / "regions" / "north.yaml"
    north.write_text(
        north.read_text(encoding="utf-8").replace("owner: ned", "owner: nobody", 1),
        encoding="utf-8",
    )
    return repo


class TestActionSteps:
    """The action's scripts, run locally: outputs as documented, problems said plainly."""

    def test_check_reports_the_counts(self, pr_repo: Path, tmp_path: Path) -> None:
        script = f"bash {REPO}/scripts/action-check.sh"
        result = run_step(
            pr_repo, script, {"PLAN_PATH": "plans/2027-Q1", "FAIL_LEVEL": "error"}, tmp_path
        )
        assert result.returncode == 0, result.stderr
        outputs = (tmp_path / "output").read_text(encoding="utf-8")
        assert "error_count=0\n" in outputs and "warning_count=" in outputs
        assert (tmp_path / "summary").read_text(encoding="utf-8").count("planc check") == 1

    def test_check_fails_by_fail_level(self, pr_repo: Path, tmp_path: Path) -> None:
        repo = broken(pr_repo, tmp_path)
        env = {"PLAN_PATH": "plans/2027-Q1", "FAIL_LEVEL": "error"}
        assert run_step(repo, f"bash {REPO}/scripts/action-check.sh", env, tmp_path).returncode == 1
        assert "error_count=1" in (tmp_path / "output").read_text(encoding="utf-8")
        env["FAIL_LEVEL"] = "none"
        assert run_step(repo, f"bash {REPO}/scripts/action-check.sh", env, tmp_path).returncode == 0
        env["FAIL_LEVEL"] = "warning"
        assert run_step(repo, f"bash {REPO}/scripts/action-check.sh", env, tmp_path).returncode == 1

    def test_diff_reports_changes_and_writes_the_comment(
        self, pr_repo: Path, tmp_path: Path
    ) -> None:
        env = {"PLAN_PATH": "plans/2027-Q1", "BASE_REF": "origin/main"}
        result = run_step(pr_repo, f"bash {REPO}/scripts/action-diff.sh", env, tmp_path)
        assert result.returncode == 0, result.stderr
        assert "has_changes=true" in (tmp_path / "output").read_text(encoding="utf-8")
        comment = (pr_repo / "planc-impact.md").read_text(encoding="utf-8")
        assert comment.startswith("<!-- planc:impact -->")

    @pytest.mark.parametrize(
        ("base_ref", "said"),
        [
            ("origin/", "base-ref 'origin/' does not exist in this repository"),
            ("origin/nope", "base-ref 'origin/nope' does not exist in this repository"),
            ("-x", "base-ref '-x' does not exist"),
        ],
    )
    def test_diff_says_when_a_ref_does_not_exist(
        self, pr_repo: Path, tmp_path: Path, base_ref: str, said: str
    ) -> None:
        env = {"PLAN_PATH": "plans/2027-Q1", "BASE_REF": base_ref}
        result = run_step(pr_repo, f"bash {REPO}/scripts/action-diff.sh", env, tmp_path)
        assert result.returncode == 2
        assert said in result.stderr
        assert "fetch-depth" not in result.stderr  # not shallow: the hint would mislead
        if base_ref.endswith("/"):
            assert "empty outside pull requests" in result.stderr

    def test_diff_says_when_the_clone_is_too_shallow(self, pr_repo: Path, tmp_path: Path) -> None:
        """actions/checkout's default (one commit) has no base branch: the hint fits here."""
        shallow = tmp_path / "shallow"
        git(tmp_path, "clone", "-q", "--depth", "1", f"file://{pr_repo}", str(shallow))
        env = {"PLAN_PATH": "plans/2027-Q1", "BASE_REF": "origin/main"}
        result = run_step(shallow, f"bash {REPO}/scripts/action-diff.sh", env, tmp_path)
        assert result.returncode == 2
        assert "is not in this clone, which is shallow" in result.stderr
        assert "fetch-depth: 0" in result.stderr

    def test_diff_says_when_history_is_too_shallow_for_the_merge_base(
        self, pr_repo: Path, tmp_path: Path
    ) -> None:
        shallow = tmp_path / "shallow"
        git(
            tmp_path,
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            f"file://{pr_repo}",
            str(shallow),
        )
        git(shallow, "checkout", "-q", "move-ann")
        env = {"PLAN_PATH": "plans/2027-Q1", "BASE_REF": "origin/main"}
        result = run_step(shallow, f"bash {REPO}/scripts/action-diff.sh", env, tmp_path)
        assert result.returncode == 2
        assert "too shallow to find where HEAD left 'origin/main'" in result.stderr

    def test_diff_says_when_there_is_no_common_history(self, pr_repo: Path, tmp_path: Path) -> None:
        repo = tmp_path / "repo"
        shutil.copytree(pr_repo, repo, symlinks=True)
        git(repo, "checkout", "-q", "--orphan", "unrelated")
        git(repo, "commit", "-qm", "unrelated history")
        env = {"PLAN_PATH": "plans/2027-Q1", "BASE_REF": "origin/main"}
        result = run_step(repo, f"bash {REPO}/scripts/action-diff.sh", env, tmp_path)
        assert result.returncode == 2
        assert "share no history" in result.stderr

    def test_render_under_fail_level_none_does_not_fail_a_broken_plan(
        self, pr_repo: Path, tmp_path: Path
    ) -> None:
        repo = broken(pr_repo, tmp_path)
        env = {"PLAN_PATH": "plans/2027-Q1", "SITE_PATH": "site", "FAIL_LEVEL": "none"}
        result = run_step(repo, f"bash {REPO}/scripts/action-render.sh", env, tmp_path)
        assert result.returncode == 0, result.stderr
        assert "::warning title=planc render::the plan has errors" in result.stdout
        assert "site-path=\n" in (tmp_path / "output").read_text(encoding="utf-8")
        assert not (repo / "site").exists()
        env["FAIL_LEVEL"] = "error"
        assert (
            run_step(repo, f"bash {REPO}/scripts/action-render.sh", env, tmp_path).returncode == 1
        )

    @pytest.mark.parametrize(
        ("variable", "value", "said"),
        [
            ("RENDER", "True", 'render is \'True\': use "true" or "false"'),
            ("COMMENT", "yes", "comment is 'yes'"),
            ("FAIL_LEVEL", "errors", "fail-level is 'errors'"),
            ("PLAN_PATH", "", "plan-path is empty"),
            ("BASE_REF", "--output=x", "base-ref '--output=x' starts with '-'"),
        ],
    )
    def test_inputs_are_checked_first(
        self, tmp_path: Path, variable: str, value: str, said: str
    ) -> None:
        env = {
            "PLAN_PATH": "plans/2027-Q1",
            "BASE_REF": "",
            "FAIL_LEVEL": "error",
            "COMMENT": "false",
            "RENDER": "false",
            variable: value,
        }
        result = run_step(tmp_path, f"bash {REPO}/scripts/action-inputs.sh", env, tmp_path)
        assert result.returncode == 2
        assert f"::error title=planc action inputs::{said}" in result.stdout
        env[variable] = {"RENDER": "true", "COMMENT": "true", "FAIL_LEVEL": "none"}.get(
            variable, "plans/x" if variable == "PLAN_PATH" else "origin/main"
        )
        assert (
            run_step(tmp_path, f"bash {REPO}/scripts/action-inputs.sh", env, tmp_path).returncode
            == 0
        )


def documented_action_inputs(event_name: str, event: dict[str, Any]) -> dict[str, str]:
    """The ``with:`` of the action example in docs/publishing.md, its expressions evaluated
    for an event as the calling workflow's runner does."""
    text = (REPO / "docs" / "publishing.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    [example] = [b for b in blocks if "uses: <owner>/planc@" in b]
    document: dict[Any, Any] = yaml.load(example, Loader=yaml.BaseLoader)
    [step] = [s for s in document["jobs"]["plan"]["steps"] if s.get("id") == "planc"]
    context = {"github": {"event_name": event_name, "event": event}}
    return {name: substitute(value, context) for name, value in step["with"].items()}


@pytest.fixture
def github_api() -> Iterator[tuple[FakeGitHub, str]]:
    fake = FakeGitHub()
    with serve(fake) as api:
        yield fake, api


def api_environment(repo: Path, api: str) -> dict[str, str]:
    return {**git_env(repo), "GITHUB_API_URL": api, "GITHUB_REPOSITORY": REPOSITORY}


class TestTheAction:
    """action.yml run step by step as a runner would, with the documented example's inputs,
    on a pull request and on a push to main."""

    def pull_request(self, repo: Path, number: int = 7) -> dict[str, Any]:
        event = pull_request_event(number, git(repo, "rev-parse", "HEAD").strip())
        event["pull_request"]["base"] = {
            "ref": "main",
            "sha": git(repo, "rev-parse", "origin/main").strip(),
        }
        return event

    def test_on_a_pull_request(
        self, pr_repo: Path, tmp_path: Path, github_api: tuple[FakeGitHub, str]
    ) -> None:
        fake, api = github_api
        fake.add_pull(7, git(pr_repo, "rev-parse", "HEAD").strip())
        repo = tmp_path / "repo"
        shutil.copytree(pr_repo, repo, symlinks=True)
        event = self.pull_request(repo)
        inputs = {**documented_action_inputs("pull_request", event), "plan-path": "plans/2027-Q1"}
        assert inputs["base-ref"] == event["pull_request"]["base"]["sha"]
        run = run_action(
            repo,
            inputs,
            "pull_request",
            event,
            tmp_path / "run",
            api_environment(repo, api),
        )
        assert run.ok, run.log()
        assert run.skipped == [
            "actions/setup-python@ece7cb06caefa5fff74198d8649806c4678c61a1",
            "Install planc",
            "planc render",
        ]
        assert run.outputs == {
            "has-changes": "true",
            "error-count": "0",
            "warning-count": run.outputs["warning-count"],
            "site-path": "",
        }
        assert run.summary.count("### ✅ planc check") + run.summary.count("### ⚠️ planc check") == 1
        assert "<!-- planc:impact -->" in run.summary
        posted = comment_body(fake, 7)
        assert posted.startswith((repo / "planc-impact.md").read_text(encoding="utf-8"))

    def test_on_a_forks_pull_request_the_comment_is_skipped(
        self, pr_repo: Path, tmp_path: Path, github_api: tuple[FakeGitHub, str]
    ) -> None:
        """A fork's token cannot write: no failed step for every outside contributor."""
        fake, api = github_api
        repo = tmp_path / "repo"
        shutil.copytree(pr_repo, repo, symlinks=True)
        event = self.pull_request(repo)
        event["pull_request"]["head"]["repo"]["full_name"] = "outsider/sales"
        inputs = {**documented_action_inputs("pull_request", event), "plan-path": "plans/2027-Q1"}
        run = run_action(
            repo, inputs, "pull_request", event, tmp_path / "run", api_environment(repo, api)
        )
        assert run.ok, run.log()
        assert "Sticky comment" in run.skipped and run.outputs["has-changes"] == "true"
        assert fake.requests == []

    def test_on_a_push(
        self, pr_repo: Path, tmp_path: Path, github_api: tuple[FakeGitHub, str]
    ) -> None:
        """On push the example's base-ref is empty: a check, no impact report, no comment."""
        fake, api = github_api
        repo = tmp_path / "repo"
        shutil.copytree(pr_repo, repo, symlinks=True)
        event = {
            "ref": "refs/heads/main",
            "before": "0" * 40,
            "after": git(repo, "rev-parse", "HEAD").strip(),
        }
        inputs = {**documented_action_inputs("push", event), "plan-path": "plans/2027-Q1"}
        assert inputs["base-ref"] == ""
        run = run_action(repo, inputs, "push", event, tmp_path / "run", api_environment(repo, api))
        assert run.ok, run.log()
        assert [s.name for s in run.steps] == ["Check the inputs", "planc check"]
        assert "planc diff" in run.skipped and "Sticky comment" in run.skipped
        assert run.outputs["has-changes"] == "" and run.outputs["error-count"] == "0"
        assert fake.requests == []

    def test_the_old_example_fails_plainly_on_push(self, pr_repo: Path, tmp_path: Path) -> None:
        """``origin/${{ github.base_ref }}`` is ``origin/`` on push: the step says so."""
        inputs = {"plan-path": "plans/2027-Q1", "base-ref": "origin/"}
        run = run_action(pr_repo, inputs, "push", {}, tmp_path / "run", git_env(pr_repo))
        assert not run.ok
        failed = run.step("planc diff")
        assert failed.code == 2
        assert "'origin/' does not exist in this repository" in failed.stderr
        assert "empty outside pull requests" in failed.stderr
        assert "fetch-depth" not in failed.stderr

    def test_fail_level_none_renders_nothing_and_passes_a_broken_plan(
        self, pr_repo: Path, tmp_path: Path
    ) -> None:
        repo = broken(pr_repo, tmp_path)
        inputs = {"plan-path": "plans/2027-Q1", "fail-level": "none", "render": "true"}
        run = run_action(repo, inputs, "push", {}, tmp_path / "run", git_env(repo))
        assert run.ok, run.log()
        assert run.outputs["error-count"] == "1" and run.outputs["site-path"] == ""
        assert "::warning title=planc render::" in run.step("planc render").stdout

    def test_fail_level_error_stops_at_the_check(self, pr_repo: Path, tmp_path: Path) -> None:
        repo = broken(pr_repo, tmp_path)
        inputs = {"plan-path": "plans/2027-Q1", "render": "true", "site-path": "site"}
        run = run_action(repo, inputs, "push", {}, tmp_path / "run", git_env(repo))
        assert [(s.name, s.code) for s in run.steps] == [
            ("Check the inputs", 0),
            ("planc check", 1),
        ]
        assert run.outputs["error-count"] == "1"

    def test_a_clean_plan_renders_and_says_where(self, pr_repo: Path, tmp_path: Path) -> None:
        repo = tmp_path / "repo"
        shutil.copytree(pr_repo, repo, symlinks=True)
        inputs = {"plan-path": "plans/2027-Q1", "render": "true", "site-path": "public"}
        run = run_action(repo, inputs, "push", {}, tmp_path / "run", git_env(repo))
        assert run.ok, run.log()
        assert run.outputs["site-path"] == "public"
        assert (repo / "public" / "index.html").is_file()

    def test_a_wrong_input_fails_before_anything_runs(self, pr_repo: Path, tmp_path: Path) -> None:
        inputs = {"plan-path": "plans/2027-Q1", "render": "True"}
        run = run_action(pr_repo, inputs, "push", {}, tmp_path / "run", git_env(pr_repo))
        assert [(s.name, s.code) for s in run.steps] == [("Check the inputs", 2)]


def comment_body(fake: FakeGitHub, number: int) -> str:
    [body] = [
        c["body"] for c in fake.comments[number] if c["user"]["login"] == "github-actions[bot]"
    ]
    return str(body)


class TestTheImpactWorkflows:
    """impact.yml builds the report on the pull request; impact-comment.yml posts it from
    workflow_run. Their steps, as written, one after the other."""

    def build_artifact(self, repo: Path, tmp_path: Path) -> Path:
        """impact.yml's report steps; the artifact folder as the commenter downloads it."""
        path = WORKFLOW_DIR / "impact.yml"
        for name in (
            "planc diff against the merge-base",
            "Keep the report and the pull request number for the commenter",
        ):
            env, script = step_script(path, name)
            result = run_step(repo, script, env, tmp_path)
            assert result.returncode == 0, f"{name}:\n{result.stdout}\n{result.stderr}"
        temp = tmp_path / "runner-temp"
        shutil.copytree(repo / "impact", temp / "impact")  # what download-artifact writes
        return temp / "impact"

    def comment(
        self, repo: Path, tmp_path: Path, api: str, event: dict[str, Any]
    ) -> subprocess.CompletedProcess[str]:
        env, script = step_script(
            WORKFLOW_DIR / "impact-comment.yml", "Post or update the sticky comment"
        )
        assert env == {
            "GITHUB_TOKEN": "${{ github.token }}",
            "REPORT_DIR": "${{ runner.temp }}/impact",
        }
        event_path = tmp_path / "event.json"
        event_path.write_text(json.dumps(event), encoding="utf-8")
        workspace = tmp_path / "default-branch"  # the commenter's checkout: not the PR's
        workspace.mkdir(exist_ok=True)
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=workspace,
            env={
                **os.environ,
                **api_environment(repo, api),
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
                "GITHUB_ACTIONS": "true",
                "GITHUB_EVENT_NAME": "workflow_run",
                "GITHUB_EVENT_PATH": str(event_path),
                "GITHUB_TOKEN": "ghs_test-token",
                "REPORT_DIR": str(tmp_path / "runner-temp" / "impact"),
            },
            capture_output=True,
            text=True,
            check=False,
        )

    def test_the_report_reaches_its_pull_request(
        self, pr_repo: Path, tmp_path: Path, github_api: tuple[FakeGitHub, str]
    ) -> None:
        fake, api = github_api
        repo = tmp_path / "repo"
        shutil.copytree(pr_repo, repo, symlinks=True)
        head = git(repo, "rev-parse", "HEAD").strip()
        fake.add_pull(7, head)
        artifact = self.build_artifact(repo, tmp_path)
        assert (artifact / "pr-number").read_text(encoding="utf-8") == "7\n"
        result = self.comment(repo, tmp_path, api, workflow_run_event(head, listed=(7,)))
        assert result.returncode == 0, result.stderr
        assert result.stdout == "planc comment: created the impact comment on pull request 7\n"
        report = (artifact / "impact.md").read_text(encoding="utf-8")
        assert (
            comment_body(fake, 7)
            == report + f"\n<sub>Posted for commit `{head[:12]}` by workflow run 4242.</sub>\n"
        )

    def test_a_forged_number_in_the_artifact_is_refused(
        self, pr_repo: Path, tmp_path: Path, github_api: tuple[FakeGitHub, str]
    ) -> None:
        """The run for pull request 7 wrote 1 into the artifact (as an edited impact.yml can):
        pull request 1's comment stays as it was."""
        fake, api = github_api
        repo = tmp_path / "repo"
        shutil.copytree(pr_repo, repo, symlinks=True)
        head = git(repo, "rev-parse", "HEAD").strip()
        fake.add_pull(1, "b" * 40, branch="other")
        fake.add_comment(1, "<!-- planc:impact -->\nthe impact of pull request 1\n")
        fake.add_pull(7, head)
        artifact = self.build_artifact(repo, tmp_path)
        (artifact / "pr-number").write_text("1\n", encoding="utf-8")
        result = self.comment(repo, tmp_path, api, workflow_run_event(head, listed=(7,)))
        assert result.returncode == 1
        assert "says it is for pull request 1, but the run was for 7" in result.stderr
        assert fake.bodies(1) == ["<!-- planc:impact -->\nthe impact of pull request 1\n"]
        assert "impact report refused" in comment_body(fake, 7)


def planc_jobs(path: Path) -> list[tuple[str, list[tuple[str, dict[str, str], str]]]]:
    """(job name, its planc steps in order) for each job of a workflow that runs planc."""
    document: dict[Any, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    jobs = document.get("jobs") or {"action": {"steps": document["runs"]["steps"]}}
    found = []
    for job_name, job in jobs.items():
        steps = [
            (step.get("name", "?"), step.get("env", {}), step.get("run", ""))
            for step in job.get("steps", [])
            if "planc check" in step.get("run", "") or "scripts/action-check" in step.get("run", "")
        ]
        if steps:
            found.append((f"{path.name}:{job_name}", steps))
    return found


JOBS_THAT_CHECK = [
    pytest.param(steps, id=name)
    for path in [*sorted(WORKFLOW_DIR.glob("*.yml")), REPO / "action.yml"]
    for name, steps in planc_jobs(path)
]


@pytest.mark.parametrize("steps", JOBS_THAT_CHECK)
def test_a_job_writes_the_check_summary_once(
    pr_repo: Path, tmp_path: Path, steps: list[tuple[str, dict[str, str], str]]
) -> None:
    """Every planc check step of a job, run in order into one job summary: it holds the
    check's table once, however many times the job calls planc check (SARIF too)."""
    repo = tmp_path / "repo"
    shutil.copytree(pr_repo, repo, symlinks=True)
    for name, env, script in steps:
        result = run_step(repo, script, env, tmp_path)
        assert result.returncode == 0, f"{name}:\n{result.stdout}\n{result.stderr}"
    summary = (tmp_path / "summary").read_text(encoding="utf-8")
    assert len(re.findall(r"^### .* planc check", summary, re.MULTILINE)) == 1, summary
