"""scripts/env.sh with a virtualenv named by PLANC_VENV, as from a git worktree.

The scripts run this checkout's code whichever checkout the venv's editable
install points at, and never reinstall a venv another checkout installed (that
would point it at this one). The venv here is a stand-in: its ``python`` says
where planc is installed from and logs what pip was asked, so nothing is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO

STUB = """#!/bin/sh
case "$1" in
  -c) echo "{installed}" ;;
  -m) echo "$*" >> "{log}" ;;
esac
"""


def _checkout(folder: Path) -> Path:
    """A checkout as env.sh sees one: scripts/env.sh, pyproject.toml and setup.py."""
    (folder / "scripts").mkdir(parents=True)
    shutil.copy(REPO / "scripts" / "env.sh", folder / "scripts" / "env.sh")
    (folder / "pyproject.toml").write_text('[project]\nname = "planc"\n', encoding="utf-8")
    (folder / "setup.py").write_text("", encoding="utf-8")
    return folder


def _venv(folder: Path, installed: Path, stamp: str | None) -> Path:
    """A venv whose planc is installed (editable) from ``installed``."""
    (folder / "bin").mkdir(parents=True)
    python = folder / "bin" / "python"
    python.write_text(STUB.format(installed=installed, log=folder / "pip.log"), encoding="utf-8")
    python.chmod(0o755)
    if stamp is not None:
        (folder / ".planc-installed").write_text(f"{stamp}\ndev\n", encoding="utf-8")
    return folder


def _stamp(checkout: Path) -> str:
    data = (checkout / "pyproject.toml").read_bytes() + (checkout / "setup.py").read_bytes()
    return hashlib.sha256(data).hexdigest()


def _source(checkout: Path, venv: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PLANC_VENV": str(venv), "PYTHON": sys.executable, "PYTHONPATH": "/x"}
    env.pop("PLANC_EXTRAS", None)
    return subprocess.run(
        ["bash", "-c", f'source "{checkout}/scripts/env.sh" && echo "$PYTHONPATH"'],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class TestAVenvNamedByPlancVenv:
    """PLANC_VENV: a venv to reuse, e.g. the main checkout's from a worktree."""

    def test_this_checkouts_code_runs(self, tmp_path: Path) -> None:
        main, worktree = _checkout(tmp_path / "main"), _checkout(tmp_path / "wt")
        venv = _venv(tmp_path / "venv", main, _stamp(main))
        result = _source(worktree, venv)
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"{worktree}/src:/x\n"  # not main's editable install
        assert not (venv / "pip.log").exists()

    def test_another_checkouts_venv_is_not_reinstalled(self, tmp_path: Path) -> None:
        main, worktree = _checkout(tmp_path / "main"), _checkout(tmp_path / "wt")
        (worktree / "pyproject.toml").write_text('[project]\nname = "planc"\n# new\n')
        venv = _venv(tmp_path / "venv", main, _stamp(main))
        result = _source(worktree, venv)
        assert result.returncode == 2
        assert f"{venv} holds planc installed from {main}" in result.stderr
        assert "give PLANC_VENV a virtualenv of its own" in result.stderr
        assert not (venv / "pip.log").exists()
        assert (venv / ".planc-installed").read_text() == f"{_stamp(main)}\ndev\n"

    def test_its_own_venv_is_reinstalled_when_stale(self, tmp_path: Path) -> None:
        worktree = _checkout(tmp_path / "wt")
        venv = _venv(tmp_path / "venv", worktree, "stale")
        result = _source(worktree, venv)
        assert result.returncode == 0, result.stderr
        assert f"install --quiet -e {worktree}[dev]" in (venv / "pip.log").read_text()
        assert (venv / ".planc-installed").read_text() == f"{_stamp(worktree)}\ndev\n"
