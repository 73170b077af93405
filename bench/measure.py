"""Measure one command as a fresh process: wall time, CPU time and the peak memory of it alone.

    python bench/measure.py RESULT.json [--no-sample] -- CMD [ARGS...]   (run_measured does it)

Why a launcher: a child's ``ru_maxrss`` (what ``os.wait4`` returns) is the larger
of its own peak and the peak of the address space it was forked from, recorded
when it calls ``exec``. A benchmark that has loaded a 50,000-rep plan for its
floor forks from hundreds of MiB, so ``/bin/true`` would "use" 600 MiB. This
script is a small fresh interpreter (about 10 MiB): the command it spawns starts
from that, so the peak it reports is the command's own (or at least this
launcher's few MiB, a bound stated with every number). It writes the child's
exit status, wall time, user and system CPU time and peak RSS in bytes as JSON.

A command that forks (planc's loader workers, ``planc diff``'s compile children)
is more than one process at once, and ``ru_maxrss`` is the peak of the largest
of them, not of all of them together. So, where ``/proc`` allows it (Linux), the
launcher also samples the whole process tree every ``SAMPLE_S`` seconds and
keeps the peak of the *sum* over the live processes of the command's tree of
their proportional set size (``Pss`` in ``smaps_rollup``: a page that a forked
child still shares with its parent counts once, split between them) and of
their resident set (``Rss``: shared pages counted in each process, an upper
bound). A sample misses a peak shorter than the interval; ``tree_peak`` (the
larger of the sampled PSS sum and ``max_rss``) is the figure to judge a memory
goal by when the command forks.

The sampling is not free, and it grows with the command: each ``smaps_rollup`` walks a
process's page tables (2-4 ms of kernel time for one of planc's 50,000-rep workers, which
share the parent's pages), and the sums are read at every sample, as the tree's RSS (a
forked child's shared pages counted in it and in its parent) always exceeds the PSS peak.
2026-12-02, 2 cores (busy), ``planc check --no-cache``, the launcher's own CPU with the
sampler and without it: 50,000 reps 3.9-5.0 s against 0.26-0.36 s (planc 15.8-18.0 s),
about 0.10-0.12 of a core while planc runs; 10,000 reps 0.74-0.96 s against 0.25-0.29 s,
0.05-0.08 of a core. That CPU is taken from the two cores planc's workers use, and the
floors it is compared with run without it. A run measured for its time alone (whose
tree figures nobody reads) passes ``sample=False`` (``--no-sample``): no sampler, the
tree figures stay 0 (``tree_peak`` is then ``max_rss``), the rest is measured the same.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
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
    tree_pss: int = 0  # bytes: the peak of the PSS summed over the command's process tree
    tree_rss: int = 0  # bytes: the same summing RSS (shared pages counted in each process)
    tree_processes: int = 0  # the most processes of the tree alive at one sample

    @property
    def tree_peak(self) -> int:
        """The memory goal's figure: the whole tree's sampled peak, never below ``max_rss``."""
        return max(self.tree_pss, self.max_rss)


def _maxrss_bytes(value: int) -> int:
    # Linux reports kilobytes, macOS bytes.
    return value if sys.platform == "darwin" else value * 1024


_BYTECODE: dict[str, str] = {}


def bytecode_env() -> dict[str, str]:
    """planc's modules compiled once, into a folder of their own, and read back by every
    run, as an installed package has them (pip compiles a wheel's modules when it installs
    it). Without it, under PYTHONDONTWRITEBYTECODE (set on the development machine) and a
    source checkout, every run would compile planc's modules again, a cost no user pays."""
    if not _BYTECODE:
        folder = tempfile.mkdtemp(prefix="planc-bench-pycache-")
        atexit.register(shutil.rmtree, folder, True)
        _BYTECODE.update(PYTHONDONTWRITEBYTECODE="", PYTHONPYCACHEPREFIX=folder)
        compile_all = (
            "import compileall, os, planc;"
            " compileall.compile_dir(os.path.dirname(planc.__file__), quiet=1)"
        )
        subprocess.run(
            [sys.executable, "-c", compile_all], env={**os.environ, **_BYTECODE}, check=True
        )
    return _BYTECODE


def run_measured(
    cmd: list[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    *,
    sample: bool = True,
) -> Measured:
    """Run ``cmd`` through this launcher; its output and its own measures (``env``: added).

    ``sample=False``: no sampling of the process tree's memory (its figures stay 0), for a
    run measured for its time: the sampler's CPU is taken from the cores the command uses."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory(prefix="planc-measure-") as tmp,
    ):
        result = Path(tmp) / "result.json"
        subprocess.run(
            [sys.executable, str(HERE), str(result), *([] if sample else [_NO_SAMPLE]), "--", *cmd],
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
            numbers.get("tree_pss", 0),
            numbers.get("tree_rss", 0),
            numbers.get("tree_processes", 0),
        )


SAMPLE_S = 0.05
_NO_SAMPLE = "--no-sample"
PROC = Path("/proc")
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _children(pid: int) -> list[int]:
    try:
        found = (PROC / str(pid) / "task" / str(pid) / "children").read_text()
    except OSError:
        return []
    return [int(p) for p in found.split()]


def _tree(pid: int) -> list[int]:
    """``pid`` and every live process below it (children of any thread of the leader's
    only: planc forks from its main thread)."""
    out, todo = [], [pid]
    while todo:
        this = todo.pop()
        out.append(this)
        todo += _children(this)
    return out


def _resident(pid: int) -> int:
    """RSS of ``pid`` in bytes from ``statm`` (a counter: cheap to read); 0 when gone."""
    try:
        return int((PROC / str(pid) / "statm").read_text().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


def _rollup(pid: int) -> tuple[int, int]:
    """(Pss, Rss) of ``pid`` in bytes; (0, 0) when it is gone."""
    pss = rss = 0
    try:
        with open(PROC / str(pid) / "smaps_rollup", encoding="ascii") as lines:
            for line in lines:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return 0, 0
    return pss, rss


class _TreeSampler:
    """The peak of the PSS and RSS summed over a process tree, sampled."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.works = (PROC / str(pid) / "smaps_rollup").exists()
        self.pss = self.rss = self.processes = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(SAMPLE_S)

    def sample(self) -> None:
        """One sample. ``smaps_rollup`` walks the page tables (milliseconds for a large
        process, under its memory lock), so it is read only when the tree's RSS (a
        counter) could hold a new PSS peak: a process's PSS never exceeds its RSS."""
        if not self.works:
            return
        pids = _tree(self.pid)
        rss = sum(_resident(pid) for pid in pids)
        self.rss = max(self.rss, rss)
        self.processes = max(self.processes, len(pids))
        if rss > self.pss:
            self.pss = max(self.pss, sum(_rollup(pid)[0] for pid in pids))


def _launch(result: Path, cmd: list[str], sample: bool = True) -> int:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd)
    sampler = _TreeSampler(proc.pid)
    sampling = threading.Thread(target=sampler.run, daemon=True)
    if sample:
        sampling.start()
    _, status, usage = os.wait4(proc.pid, 0)  # the wall time is not a sample's multiple
    seconds = time.perf_counter() - started
    sampler.stop.set()
    if sample:
        sampling.join()
    numbers = {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "max_rss": _maxrss_bytes(usage.ru_maxrss),
        "exit_code": os.waitstatus_to_exitcode(status),
        "tree_pss": sampler.pss,
        "tree_rss": sampler.rss,
        "tree_processes": sampler.processes,
    }
    result.write_text(json.dumps(numbers), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sampled = sys.argv[2:3] != [_NO_SAMPLE]
    rest = sys.argv[2:] if sampled else sys.argv[3:]
    if len(sys.argv) < 4 or rest[:1] != ["--"] or len(rest) < 2:
        sys.exit(__doc__)
    sys.exit(_launch(Path(sys.argv[1]), rest[1:], sampled))
