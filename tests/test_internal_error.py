"""When planc itself fails: exit 3, one line to report, the traceback only when asked for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# A real `planc` process whose compiler breaks: the failure is injected before main() runs.
INJECTED = """
import sys
import planc.checks

def broken(*args, **kwargs):
    raise RuntimeError("injected failure\\nsecond line")

planc.checks.check_directory = broken
from planc.cli import main
sys.argv = ["planc", *sys.argv[1:]]
main()
"""


def run_broken(
    *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    import os

    environment = {k: v for k, v in os.environ.items() if k != "PLANC_DEBUG"}
    return subprocess.run(
        [sys.executable, "-c", INJECTED, *map(str, args)],
        env={**environment, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class TestInternalError:
    """An unexpected exception is one line and exit 3; --debug or PLANC_DEBUG=1 add the traceback."""

    def test_one_line_that_says_how_to_get_the_traceback(self, mini_plan: Path) -> None:
        result = run_broken("check", mini_plan)
        assert result.returncode == 3
        assert "Traceback" not in result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith(
            "planc: internal error: RuntimeError: injected failure second line"
        )
        assert "--debug" in lines[0] and "PLANC_DEBUG=1" in lines[0]

    @pytest.mark.parametrize(
        ("args", "env"),
        [
            pytest.param(("--debug", "check"), None, id="option"),
            pytest.param(("check",), {"PLANC_DEBUG": "1"}, id="environment"),
        ],
    )
    def test_debug_prints_the_traceback(
        self, mini_plan: Path, args: tuple[str, ...], env: dict[str, str] | None
    ) -> None:
        result = run_broken(*args, mini_plan, env=env)
        assert result.returncode == 3
        assert "Traceback (most recent call last)" in result.stderr
        assert "in broken" in result.stderr  # the frame that raised
        assert result.stderr.splitlines()[-1].startswith("planc: internal error: RuntimeError")

    def test_debug_off_values(self, mini_plan: Path) -> None:
        result = run_broken("check", mini_plan, env={"PLANC_DEBUG": "0"})
        assert result.returncode == 3
        assert "Traceback" not in result.stderr

    def test_debug_changes_nothing_when_nothing_fails(self, mini_plan: Path) -> None:
        from conftest import run_planc

        result = run_planc("--debug", "check", mini_plan)
        assert result.code == 0, result.stderr
        assert "Traceback" not in result.stderr
