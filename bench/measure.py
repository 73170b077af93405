"""Measure one command as a fresh process: wall time, CPU time and the peak memory of it alone.

    python bench/measure.py RESULT.json -- CMD [ARGS...]   (what run_measured does for you)

Why a launcher: a child's ``ru_maxrss`` (what ``os.wait4`` returns) is the larger
of its own peak and the peak of the address space it was forked from, recorded
when it calls ``exec``. A benchmark that has loaded a 50,000-rep plan for its
floor forks from hundreds of MiB, so ``/bin/true`` would "use" 600 MiB. This
script is a small fresh interpreter (about 10 MiB): the command it spawns starts
from that, so the peak it reports is the command's own (or at least this
launcher's few MiB, a bound stated with every number). It writes the child's
exit status, wall time, user and system CPU time and peak RSS in bytes as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve()


@dataclass
class Measured:
    """One run of a command, measured for that process alone."""

    seconds: float  # wall time
    cpu_seconds: float  # user + system CPU time of the command alone
    max_rss: int  # bytes: the command's peak resident set (the launcher's ~10 MiB at least)
    exit_code: int
    stdout: str = field(repr=False, default="")
    stderr: str = field(repr=False, default="")


def _maxrss_bytes(value: int) -> int:
    # Linux reports kilobytes, macOS bytes.
    return value if sys.platform == "darwin" else value * 1024


def run_measured(
    cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> Measured:
    """Run ``cmd`` through this launcher; its output and its own measures (``env``: added)."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory(prefix="planc-measure-") as tmp,
    ):
        result = Path(tmp) / "result.json"
        subprocess.run(
            [sys.executable, str(HERE), str(result), "--", *cmd],
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            check=False,
        )
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        try:
            numbers = json.loads(result.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return Measured(0.0, 0.0, 0, 255, stdout, stderr or "the launcher failed")
        return Measured(
            numbers["seconds"],
            numbers["cpu_seconds"],
            numbers["max_rss"],
            numbers["exit_code"],
            stdout,
            stderr,
        )


def _launch(result: Path, cmd: list[str]) -> int:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    numbers = {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "max_rss": _maxrss_bytes(usage.ru_maxrss),
        "exit_code": os.waitstatus_to_exitcode(status),
    }
    result.write_text(json.dumps(numbers), encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit(__doc__)
    sys.exit(_launch(Path(sys.argv[1]), sys.argv[3:]))
