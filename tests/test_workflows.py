"""The GitHub workflows and the action: actionlint- and zizmor-clean, least privilege,
every action pinned to a full commit SHA, no credentials left in a checkout."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
ACTION = REPO / "action.yml"
DEPENDABOT = REPO / ".github" / "dependabot.yml"
PINNED = re.compile(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}")
VERSION_COMMENT = re.compile(r"uses: \S+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def tool(name: str) -> str | None:
    """A linter installed with the dev extra (a wheel with its binary), beside this Python."""
    beside_python = Path(sys.executable).parent / name
    found = str(beside_python) if beside_python.exists() else shutil.which(name)
    if found is None and os.environ.get("CI"):
        pytest.fail(f"{name} is not installed in CI (pip install -e '.[dev]' brings it)")
    return found


def load(path: Path) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    return loaded


def steps_of(path: Path) -> list[dict[str, Any]]:
    document = load(path)
    if "runs" in document:
        return list(document["runs"]["steps"])
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


def test_actionlint_passes_on_every_workflow() -> None:
    binary = tool("actionlint")
    if binary is None:
        pytest.skip("actionlint not installed")
    result = subprocess.run(
        [binary, *map(str, WORKFLOWS)], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing() -> None:
    """zizmor's security audit, offline, on the workflows, the action and Dependabot's config.

    One finding is accepted, with its reason next to it: ``dangerous-triggers`` on
    impact-comment.yml's ``workflow_run`` (the only way to comment on a fork's pull
    request; the job trusts only the event). A file zizmor cannot parse fails too.
    """
    binary = tool("zizmor")
    if binary is None:
        pytest.skip("zizmor not installed")
    result = subprocess.run(
        [binary, "--offline", "--strict-collection", "--format", "json", "--no-progress", "."],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    findings = json.loads(result.stdout or "[]")
    shown = [
        f"{f['ident']}: {json.dumps(f['locations'][0].get('symbolic', {}).get('key'))}"
        for f in findings
    ]
    assert result.returncode == 0 and findings == [], "\n".join(shown) + result.stderr
    audited = re.findall(r"completed (\S+)", result.stderr)
    expected = {f"./{p.relative_to(REPO).as_posix()}" for p in [*WORKFLOWS, ACTION, DEPENDABOT]}
    assert expected <= set(audited), result.stderr


def test_the_accepted_finding_says_why() -> None:
    text = (REPO / ".github" / "workflows" / "impact-comment.yml").read_text(encoding="utf-8")
    ignores = re.findall(r"zizmor: ignore\[([\w-]+)\]", text)
    assert ignores == ["dangerous-triggers"]
    for path in [*WORKFLOWS, ACTION]:
        if path.name != "impact-comment.yml":
            assert "zizmor: ignore" not in path.read_text(encoding="utf-8"), path.name


def test_dependabot_keeps_the_pins_fresh() -> None:
    config = load(DEPENDABOT)
    [update] = [u for u in config["updates"] if u["package-ecosystem"] == "github-actions"]
    assert update["directory"] == "/"  # .github/workflows and the root action.yml


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_permissions(path: Path) -> None:
    workflow = load(path)
    assert "permissions" in workflow, "a workflow-level default"
    for name, job in workflow["jobs"].items():
        assert "permissions" in job or workflow["permissions"] in ({}, {"contents": "read"}), name
        granted = job.get("permissions", workflow["permissions"])
        assert granted != "write-all", name


@pytest.mark.parametrize("path", [*WORKFLOWS, ACTION], ids=lambda p: p.name)
class TestEveryWorkflowAndTheAction:
    def test_actions_are_pinned_to_a_commit_with_the_version_beside_it(self, path: Path) -> None:
        lines = path.read_text(encoding="utf-8").splitlines()
        for step in steps_of(path):
            uses = step.get("uses")
            if uses is None or uses.startswith("./"):
                continue
            assert PINNED.fullmatch(uses), f"{uses}: pin to a full commit SHA"
            [line] = [line for line in lines if f"uses: {uses}" in line]
            assert VERSION_COMMENT.search(line.strip()), f"{line.strip()}: add # vX.Y.Z"

    def test_checkouts_keep_no_credentials(self, path: Path) -> None:
        """Nothing here pushes: the token must not stay in .git/config for later steps."""
        for step in steps_of(path):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") == "false", step
