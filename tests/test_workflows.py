"""The GitHub workflows: actionlint-clean, least privilege, pinned actions."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def actionlint() -> str | None:
    beside_python = Path(sys.executable).parent / "actionlint"
    found = str(beside_python) if beside_python.exists() else shutil.which("actionlint")
    if found is None and os.environ.get("CI"):
        pytest.fail("actionlint is not installed in CI (pip install -e '.[dev]' brings it)")
    return found


def load(path: Path) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    return loaded


def test_actionlint_passes_on_every_workflow() -> None:
    binary = actionlint()
    if binary is None:
        pytest.skip("actionlint not installed")
    result = subprocess.run(
        [binary, *map(str, WORKFLOWS)], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
class TestEveryWorkflow:
    def test_least_privilege_permissions(self, path: Path) -> None:
        workflow = load(path)
        assert "permissions" in workflow, "a workflow-level default"
        for name, job in workflow["jobs"].items():
            assert "permissions" in job or workflow["permissions"] in ({}, {"contents": "read"}), (
                name
            )
            granted = job.get("permissions", workflow["permissions"])
            assert granted != "write-all", name

    def test_actions_are_pinned_to_versions(self, path: Path) -> None:
        for job in load(path)["jobs"].values():
            for step in job.get("steps", []):
                if "uses" in step and not step["uses"].startswith("./"):
                    assert "@" in step["uses"], step["uses"]
                    assert not step["uses"].endswith(("@main", "@master")), step["uses"]
