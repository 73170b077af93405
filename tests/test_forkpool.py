"""checks/forkpool.py: a forked child per job, answers pickled through its own pipe."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

from planc.checks import CHECKS, check_sources, forkpool, partition
from planc.checks.partition import PartitionStats, compile_partitioned
from planc.core.pipeline import read_directory

pytestmark = pytest.mark.skipif(not forkpool.can_fork(), reason="no os.fork here")


def _square(i: int) -> dict[str, object]:
    return {"i": i, "square": i * i, "pid": os.getpid(), "big": "x" * (3 << 20) if i == 2 else ""}


def test_every_job_answers_from_a_child_of_its_own() -> None:
    done = forkpool.run_forked(_square, [3, 0, 2, 1, 4], workers=2)
    assert sorted(done) == [0, 1, 2, 3, 4]
    assert all(done[i]["square"] == i * i for i in done)
    assert len(done[2]["big"]) == 3 << 20  # an answer larger than a pipe's buffer
    pids = {done[i]["pid"] for i in done}
    assert os.getpid() not in pids and len(pids) == 5


def _fails_on_odd(i: int) -> int:
    if i % 2:
        raise ValueError("odd")
    return i


def _dies_on_two(i: int) -> int:
    if i == 2:
        os._exit(0)  # ends without a word: no answer, though the status is 0
    if i == 3:
        os.kill(os.getpid(), 9)
    return i


def test_a_job_that_fails_or_dies_is_missing_for_the_caller_to_run() -> None:
    assert forkpool.run_forked(_fails_on_odd, range(5), workers=3) == {0: 0, 2: 2, 4: 4}
    assert forkpool.run_forked(_dies_on_two, range(5), workers=2) == {0: 0, 1: 1, 4: 4}


def test_a_fork_that_fails_leaves_the_jobs_missing_and_no_pipe_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """fork() can fail (EAGAIN, ENOMEM): the jobs not started are missing from the answer
    (the caller runs them, as for a child that died), the children started still answer,
    and the pipe made for the child that never started is closed."""
    import errno

    real = os.fork
    forks: list[int] = []

    def second_fails() -> int:
        forks.append(1)
        if len(forks) >= 2:
            raise OSError(errno.EAGAIN, "Resource temporarily unavailable")
        return real()

    monkeypatch.setattr(os, "fork", second_fails)
    before = len(os.listdir("/proc/self/fd"))
    done = forkpool.run_forked(_square, [3, 0, 2, 1], workers=2)
    assert sorted(done) == [3]  # started before the failure; the others left to the caller
    forks.append(1)  # every fork fails now, the first one too: nothing to wait for
    assert forkpool.run_forked(_square, [1, 0], workers=2) == {}
    assert len(os.listdir("/proc/self/fd")) == before


def test_a_torn_answer_is_missing_though_the_child_ends_well(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A child whose answer stops short (here: it ends with status 0 half way through
    writing it) is missing, as one that died: the length written first says so."""
    real_write = os.write

    def half(fd: int, data: object) -> int:  # the children inherit it
        view = memoryview(data)  # type: ignore[arg-type]
        if len(view) > 1000:
            real_write(fd, view[:1000])
            os._exit(0)
        return real_write(fd, view)

    monkeypatch.setattr(os, "write", half)
    done = forkpool.run_forked(_square, [2, 0], workers=2)
    monkeypatch.setattr(os, "write", real_write)
    assert sorted(done) == [0]  # job 2's answer is 3 MB: torn


def test_the_answer_is_taken_before_the_child_has_ended(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A child closes its pipe once its answer is written: the answer (and the next job's
    fork) does not wait for the child to end; it is reaped later. Here the children end
    only when this process lets them, after every answer was taken."""
    hold, release = os.pipe()
    real_exit = os._exit

    def held(code: int) -> None:  # in the children: wait for the word (or 30 s), then end
        if select.select([hold], [], [], 30)[0]:
            os.read(hold, 1)
        real_exit(code)

    forkpool._reap(block=True)  # the earlier tests' children
    monkeypatch.setattr(os, "_exit", held)
    try:
        done = forkpool.run_forked(_square, [0, 1, 2], workers=1)
    finally:
        monkeypatch.setattr(os, "_exit", real_exit)
        os.write(release, b"xxx")  # one byte per child
        os.close(hold)
        os.close(release)
    assert sorted(done) == [0, 1, 2]  # three children in turn, none of them ended meanwhile
    assert len(forkpool._ENDING) == 3
    forkpool._reap(block=True)
    assert forkpool._ENDING == []


def test_nothing_to_do() -> None:
    assert forkpool.run_forked(_square, [], workers=2) == {}


def test_one_worker_runs_them_one_after_another() -> None:
    done = forkpool.run_forked(_square, range(3), workers=1)
    assert [done[i]["square"] for i in range(3)] == [0, 1, 4]


def _generate(out: Path, reps: int, errors: int, seed: int) -> Path:
    bench = Path(__file__).resolve().parents[1] / "bench" / "generate.py"
    subprocess.run(
        [sys.executable, str(bench), str(reps), str(out), "--errors", str(errors), "--seed",
         str(seed)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return out


def test_a_region_file_whose_child_fails_is_checked_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The partition's workers: a child that fails leaves its file to this process, with
    the same diagnostics (the plan holds findings, so their spans are compared too)."""
    monkeypatch.setattr(partition, "_PARALLEL_MIN_BYTES", 0)
    plan = _generate(tmp_path / "plan", 300, 6, 5)
    sources, problems = read_directory(plan)
    expected = check_sources(str(plan), sources, problems).diagnostics
    assert expected  # the generated errors
    real = partition._region_job_kept
    failed = tmp_path / "failed"

    def flaky(index: int) -> object:  # runs in the children
        if index == 0:
            failed.write_text("0")
            raise RuntimeError("a worker that fails")
        return real(index)

    monkeypatch.setattr(partition, "_region_job_kept", flaky)
    stats = PartitionStats()
    result = compile_partitioned(str(plan), sources, CHECKS, problems, stats=stats, workers=2)
    assert result is not None and stats.fallback is None
    assert result.diagnostics == expected
    assert failed.read_text() == "0" and len(stats.computed) == len(sources) - 1 > 1
    assert partition._KEPT is None  # only the children kept their jobs' values
    assert forkpool._ENDING == []  # the last children reaped once their results were combined
