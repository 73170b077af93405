"""A reader of standard output that goes away (``planc rules | head -1``): planc stops as git
and coreutils do, killed by SIGPIPE (141 in a shell), with no message, whatever the command."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINI
from gitrepo import QUARTER, new_repo

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGPIPE"), reason="no SIGPIPE (Windows)")


def planc_to_a_gone_reader(*args: str | Path, cwd: Path | None = None) -> tuple[int, str]:
    """Run planc with its standard output a pipe whose reading end is closed at once (before
    planc has started up, so its first write fails); its status and what it said on stderr."""
    process = subprocess.Popen(
        [sys.executable, "-m", "planc", *map(str, args)],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ},
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    said = process.stderr.read().decode("utf-8", "replace")
    process.stderr.close()
    return process.wait(timeout=120), said


class TestAReaderGone:
    """Not click's exit 1 (the status of a plan with errors), nor Python's 120 with
    'Exception ignored ... BrokenPipeError' on stderr."""

    @pytest.mark.parametrize(
        "args",
        [
            ("rules",),
            ("schema",),
            ("explain", "PLC303"),
            ("check", "{plan}"),
            ("check", "{plan}", "--format", "json"),
            ("export", "{plan}"),
            ("--help",),
            ("--version",),
            ("rules", "--help"),
        ],
        ids=" ".join,
    )
    def test_is_killed_by_sigpipe_and_says_nothing(
        self, mini_plan: Path, args: tuple[str, ...]
    ) -> None:
        status, said = planc_to_a_gone_reader(*(a.replace("{plan}", str(mini_plan)) for a in args))
        assert (status, said) == (-signal.SIGPIPE, "")

    def test_a_file_written_before_is_whole(self, tmp_path: Path) -> None:
        """codeowners --output writes the file (atomically), then says so on stdout: the file
        is there whole, and no temporary file is left beside it."""
        root = new_repo(tmp_path)
        status, said = planc_to_a_gone_reader(
            "codeowners", QUARTER, "--output", "CODEOWNERS", cwd=root
        )
        assert status == -signal.SIGPIPE
        assert "Error" not in said and "Traceback" not in said, said  # a warning of its own
        written = (root / "CODEOWNERS").read_bytes()
        status, said = planc_to_a_gone_reader(
            "codeowners", QUARTER, "--output", "CODEOWNERS", cwd=root
        )
        assert status == -signal.SIGPIPE  # "... is up to date": the file was whole
        assert "Error" not in said and "Traceback" not in said, said
        assert (root / "CODEOWNERS").read_bytes() == written
        assert sorted(p.name for p in root.iterdir() if p.name.endswith(".tmp")) == []

    @pytest.mark.skipif(not sys.platform.startswith("linux"), reason="F_SETPIPE_SZ: Linux")
    def test_a_reader_gone_in_the_middle_of_one_write(self, mini_plan: Path) -> None:
        """The reader takes part of the CSV, then goes: with standard output unbuffered, the
        write it left half done returns the bytes written, no error (CPython's does not try
        the rest), and export ended as if all had been written, status 0. The rest is
        written, and that write fails."""
        import fcntl

        process = subprocess.Popen(
            [sys.executable, "-m", "planc", "export", str(mini_plan)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        assert process.stdout is not None and process.stderr is not None
        # a pipe of one page: the CSV (over 4 KiB) is written in one call that waits
        fcntl.fcntl(process.stdout.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 4096)
        assert os.read(process.stdout.fileno(), 100)
        process.stdout.close()
        said = process.stderr.read().decode("utf-8", "replace")
        process.stderr.close()
        assert (process.wait(timeout=120), said) == (-signal.SIGPIPE, "")


@pytest.fixture
def idle_reps_plan(mini_plan: Path) -> Path:
    """The small plan with 1,500 reps in no team: clean (exit 0), and its check report (a
    warning each) far over a pipe's 64 KiB buffer, so it is cut short in the middle."""
    north = mini_plan / "regions" / "north.yaml"
    idle = "".join(
        f"  - {{id: idle{i}, name: Idle {i}, email: idle{i}@example.com, role: rep}}\n"
        for i in range(1500)
    )
    north.write_text(north.read_text("utf-8").replace("actions:\n", idle + "actions:\n"), "utf-8")
    return mini_plan


@pytest.mark.skipif(not shutil.which("bash") or not shutil.which("head"), reason="bash, head")
class TestAReportCutShort:
    """``planc check -f json PLAN | head -c 100`` under ``set -o pipefail``: the reader takes
    100 bytes of a report of hundreds of KiB and goes. With PYTHONUNBUFFERED (python -u)
    standard output was the file itself, whose half-done write returned the bytes written
    and the text layer tried no more: the report cut short ended with exit 0 (or 1, the
    status of a plan with errors). Killed by SIGPIPE (141), never a message, either way."""

    @pytest.mark.parametrize("unbuffered", ["1", ""], ids=["unbuffered", "buffered"])
    @pytest.mark.parametrize(
        "args",
        [
            ("check", "-f", "json", "{plan}"),
            ("check", "-f", "text", "{plan}"),
            ("check", "-f", "sarif", "{plan}"),
            ("diff", "-f", "json", "--base", "{mini}", "--head", "{plan}"),
            ("diff", "-f", "text", "--base", "{mini}", "--head", "{plan}"),
        ],
        ids=lambda args: " ".join(a for a in args if not a.startswith("{")),
    )
    def test_ends_with_141(
        self, idle_reps_plan: Path, tmp_path: Path, args: tuple[str, ...], unbuffered: str
    ) -> None:
        command = [sys.executable, "-m", "planc"] + [
            a.replace("{plan}", str(idle_reps_plan)).replace("{mini}", str(MINI)) for a in args
        ]
        said = tmp_path / "stderr"
        env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
        if unbuffered:
            env["PYTHONUNBUFFERED"] = unbuffered
        completed = subprocess.run(
            [
                "bash",
                "-o",
                "pipefail",
                "-c",
                f'{shlex.join(command)} 2>"$1" | head -c 100',
                "-",
                said,
            ],
            env=env,
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert len(completed.stdout) == 100
        assert (completed.returncode, said.read_text("utf-8")) == (128 + signal.SIGPIPE, "")
