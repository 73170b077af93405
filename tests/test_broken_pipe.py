"""A reader of standard output that goes away (``planc rules | head -1``): planc stops as git
and coreutils do, killed by SIGPIPE (141 in a shell), with no message, whatever the command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

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
        """The reader takes part of the CSV, then goes: the write it left half done returns
        the bytes written, no error (CPython's does not try the rest), and export ended as
        if all had been written, status 0. The rest is written, and that write fails."""
        import fcntl

        process = subprocess.Popen(
            [sys.executable, "-m", "planc", "export", str(mini_plan)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ},
        )
        assert process.stdout is not None and process.stderr is not None
        # a pipe of one page: the CSV (over 4 KiB) is written in one call that waits
        fcntl.fcntl(process.stdout.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 4096)
        assert os.read(process.stdout.fileno(), 100)
        process.stdout.close()
        said = process.stderr.read().decode("utf-8", "replace")
        process.stderr.close()
        assert (process.wait(timeout=120), said) == (-signal.SIGPIPE, "")
