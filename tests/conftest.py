"""Shared fixtures: copies of the fixture plan and a runner for the real CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).parent
REPO = TESTS.parent
MINI = TESTS / "fixtures" / "mini"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="rewrite golden files")


@pytest.fixture(scope="session", autouse=True)
def _cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """planc check caches file units and keeps a key for its stat records: keep the suite's
    out of the user's folders (``$PLANC_CACHE_DIR``, and ``$XDG_CACHE_HOME`` and
    ``$XDG_STATE_HOME`` for a test that unsets it or runs planc elsewhere), in this
    session's temporary folder. A test that sets its own (``monkeypatch.setenv``) wins."""
    with pytest.MonkeyPatch.context() as session:
        session.setenv("PLANC_CACHE_DIR", str(tmp_path_factory.mktemp("planc-cache")))
        session.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        session.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("xdg-state")))
        yield


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
def mini_plan(tmp_path: Path) -> Path:
    """A fresh, clean copy of the small fixture plan."""
    target = tmp_path / "2027-Q1"
    shutil.copytree(MINI, target)
    return target


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_planc(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run the real command line (a new Python process), as a user would."""
    environment = {**os.environ, **(env or {})}
    environment.pop("GITHUB_ACTIONS", None) if env is None or "GITHUB_ACTIONS" not in env else None
    completed = subprocess.run(
        [sys.executable, "-m", "planc", *map(str, args)],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


@pytest.fixture
def planc() -> Any:
    return run_planc


_SHOW_MODULES = (
    "import sys\n"
    "from planc.cli import main\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
    "print('MODULES', *sorted(sys.modules), file=sys.stderr)\n"
)


def cli_modules(*args: str) -> tuple[set[str], str]:
    """The modules a fresh `planc *args` process had imported when it ended, and its stdout."""
    done = subprocess.run(
        [sys.executable, "-c", _SHOW_MODULES, *args], capture_output=True, text=True, check=False
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    return set(line.split()[1:]), done.stdout
