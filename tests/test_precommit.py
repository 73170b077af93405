"""The pre-commit hook, installed and run by pre-commit itself: it blocks a bad plan with
planc's message, and its environment holds planc's core, none of the heavy extras.

Also the documented ``repo: local`` / ``language: system`` variant, for teams that
already have planc installed. pre-commit installs the hook's environment from PyPI
(or pip's cache) like a user's machine does.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import MINI, REPO
from gitrepo import QUARTER, git, git_env

HEAVY = ("pandas", "numpy", "openpyxl", "git", "gitdb", "pyarrow")
# Today's environment is 38 MB (pip and setuptools are 10 of them); it was 202 MB with the
# heavy packages. A bound well above today's, far below what one heavy package adds.
MAX_ENVIRONMENT_MB = 64


def pre_commit() -> str:
    found = Path(sys.executable).parent / "pre-commit"
    if not found.exists():
        if os.environ.get("CI"):
            pytest.fail("pre-commit is not installed in CI (pip install -e '.[dev]' brings it)")
        pytest.skip("pre-commit not installed")
    return str(found)


def plan_repo(tmp_path: Path, config: str) -> Path:
    root = tmp_path / "sales"
    shutil.copytree(MINI, root / QUARTER)
    (root / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    git(tmp_path, "init", "-q", "-b", "main", str(root))
    git(root, "add", "-A")
    return root


def run(root: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [pre_commit(), *args],
        cwd=root,
        env={
            **os.environ,
            **git_env(root),
            "PRE_COMMIT_HOME": str(home),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        },
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def break_plan(root: Path) -> None:
    north = root / QUARTER / "regions" / "north.yaml"
    north.write_text(
        north.read_text(encoding="utf-8").replace("owner: ned", "owner: nobody", 1),
        encoding="utf-8",
    )
    git(root, "add", "-A")


def size_mb(folder: Path) -> float:
    total = sum(p.lstat().st_size for p in folder.rglob("*") if not p.is_symlink())
    return total / 1_000_000


def hook_repository(tmp_path: Path) -> tuple[Path, str]:
    """This checkout's installable files as a repository of their own, committed (as a tag
    would be): what pre-commit clones and pip-installs for the hook."""
    hook = tmp_path / "planc-hook"
    for name in (".pre-commit-hooks.yaml", "pyproject.toml", "setup.py", "README.md"):
        hook.mkdir(exist_ok=True)
        shutil.copy2(REPO / name, hook / name)
    for name in ("src", "schema", "templates"):
        shutil.copytree(
            REPO / name, hook / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
        )
    git(tmp_path, "init", "-q", "-b", "main", str(hook))
    git(hook, "add", "-A")
    git(hook, "commit", "-qm", "planc")
    return hook, git(hook, "rev-parse", "HEAD").strip()


class TestTheHook:
    """``- repo: <planc> / id: planc-check`` as another repository would use it."""

    def test_blocks_a_bad_plan_with_a_light_environment(self, tmp_path: Path) -> None:
        home = tmp_path / "pre-commit-home"
        hook, rev = hook_repository(tmp_path)
        config = f"repos:\n  - repo: {hook}\n    rev: {rev}\n    hooks:\n      - id: planc-check\n"
        root = plan_repo(tmp_path, config)
        clean = run(root, "run", "--all-files", home=home)
        assert clean.returncode == 0, clean.stdout + clean.stderr
        assert re.search(r"planc check \(sales plans\)\.+Passed", clean.stdout)
        break_plan(root)
        bad = run(root, "run", "--all-files", home=home)
        assert bad.returncode == 1
        assert "north.yaml:16:14: PLC201 [error] team owner `nobody` is not a known person" in (
            bad.stdout
        )
        assert "Traceback" not in bad.stdout + bad.stderr
        [environment] = home.glob("repo*/py_env-*")
        site = next(environment.glob("lib/python*/site-packages"))
        installed = {p.name.lower() for p in site.iterdir()}
        assert "planc" in installed and "jsonschema_rs" in installed
        assert not [name for name in HEAVY if name in installed], sorted(installed)
        assert size_mb(environment) < MAX_ENVIRONMENT_MB


class TestTheLocalVariant:
    """``repo: local`` with ``language: system``: the planc already on PATH, no environment."""

    def documented_config(self) -> str:
        text = (REPO / "docs" / "publishing.md").read_text(encoding="utf-8")
        [config] = [
            b for b in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL) if "repo: local" in b
        ]
        hooks = yaml.safe_load(config)["repos"][0]["hooks"]
        assert hooks[0]["language"] == "system"
        return config

    def test_blocks_a_bad_plan(self, tmp_path: Path) -> None:
        home = tmp_path / "pre-commit-home"
        root = plan_repo(tmp_path, self.documented_config())
        assert run(root, "run", "--all-files", home=home).returncode == 0
        break_plan(root)
        bad = run(root, "run", "--all-files", home=home)
        assert bad.returncode == 1
        assert "PLC201 [error] team owner `nobody` is not a known person" in bad.stdout
        assert not list(home.glob("repo*/py_env-*"))  # nothing was installed
