"""Jobs on several CPUs, one forked child per job, each ending without freeing what it built.

A pool worker that checks one region file after another frees each file's
values and model (about a million objects, ~0.05-0.09 s of CPU per 2,500-rep
file) before it starts the next. Here every job gets a child of its own,
forked from this process (it inherits everything: nothing is sent to it), that
computes the job, writes the answer pickled through its own pipe and ends with
``os._exit``: the memory goes back to the system at once, nothing is freed
object by object. At most ``workers`` children run at a time, started in the
order given (the largest jobs first balances the CPUs).

The pickle comes from a child of this process through a pipe it made, never
from a folder anyone else could write. A job whose child fails, dies or says
nothing is missing from the answer: the caller runs it itself (and so reports
any error the usual way). Only where ``os.fork`` exists, and never in a process
with threads (the language server asks for one worker).

A child closes its pipe before it ends: the end of a process the size of a
region's model (its address space taken down, ~10 ms) comes before its files are
closed, so the answer's end would otherwise wait for it. The answer is whole
when its length, written first, says so; the next child is forked meanwhile, and
the one that answered is reaped later: by the next turn of the loop, or, for a
run's last ones, by :func:`reap_ended`, which the caller calls once it has used
the answers (the children end meanwhile), else when this process exits.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import selectors
from collections.abc import Callable, Sequence
from typing import Any

_READ = 1 << 20
_LENGTH = 8  # bytes of the answer's length, written before it (big-endian)
# Children that answered, not reaped yet (a run's last ones, still ending when it returns):
# reaped by reap_ended, the next run, or when this process exits.
_ENDING: list[int] = []


def can_fork() -> bool:
    return hasattr(os, "fork")


def run_forked(work: Callable[[int], Any], order: Sequence[int], workers: int) -> dict[int, Any]:
    """``{i: work(i)}`` for each ``i`` of ``order`` whose child answered; ``work`` runs in
    forked children, at most ``workers`` at once."""
    # only a run that forks pays for these (a warm check, one file recompiled here, does not)
    import pickle  # noqa: PLC0415
    import signal  # noqa: PLC0415

    waiting = list(reversed(order))
    running: dict[int, tuple[int, int, list[bytes]]] = {}  # read end -> (pid, job, chunks)
    done: dict[int, Any] = {}
    selector = selectors.DefaultSelector()
    try:
        while waiting or running:
            _reap(block=False)
            while waiting and len(running) < max(1, workers):
                job = waiting.pop()
                try:
                    read_end, pid = _start(work, job)
                except OSError:  # fork failed (EAGAIN, ENOMEM): the rest is the caller's
                    waiting.clear()
                    break
                running[read_end] = (pid, job, [])
                selector.register(read_end, selectors.EVENT_READ)
            if not running:  # no child started: nothing to wait for (select would block)
                break
            for key, _ in selector.select():
                read_end = key.fd
                chunk = os.read(read_end, _READ)
                if chunk:
                    running[read_end][2].append(chunk)
                    continue
                selector.unregister(read_end)
                os.close(read_end)
                pid, job, chunks = running.pop(read_end)
                _ENDING.append(pid)  # reaped later: it may still be ending
                data = b"".join(chunks)
                # a torn answer (short, or any exception): missing, the caller runs the job
                with contextlib.suppress(Exception):
                    if len(data) > _LENGTH and int.from_bytes(data[:_LENGTH], "big") == len(data):
                        done[job] = pickle.loads(memoryview(data)[_LENGTH:])  # our own child's pipe
    finally:
        selector.close()
        for read_end, (pid, _, _) in running.items():  # interrupted: end the others
            os.close(read_end)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
        _reap(block=False)
    return done


def reap_ended() -> None:
    """Wait for the children that answered to end, and reap them (a run's last ones may
    still be ending when :func:`run_forked` returns: its caller calls this once it has
    used their answers)."""
    _reap(block=True)


def _reap(block: bool) -> None:
    """Reap the children that answered (``block``: wait for those still ending)."""
    for pid in list(_ENDING):
        try:
            ended, _ = os.waitpid(pid, 0 if block else os.WNOHANG)
        except ChildProcessError:  # not ours (a forked copy of this process) or reaped
            ended = pid
        if ended:
            _ENDING.remove(pid)


atexit.register(_reap, block=True)


def _start(work: Callable[[int], Any], job: int) -> tuple[int, int]:
    """Fork a child that runs ``work(job)``; its pipe's read end and its pid."""
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        raise
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        import pickle  # noqa: PLC0415 - imported by run_forked already

        code = 1
        try:
            os.close(read_end)
            data = pickle.dumps(work(job), protocol=pickle.HIGHEST_PROTOCOL)
            length = (_LENGTH + len(data)).to_bytes(_LENGTH, "big")
            for part in (length, data):
                view = memoryview(part)
                while view:
                    view = view[os.write(write_end, view) :]
            os.close(write_end)  # the answer's end now, not after this process is taken down
            code = 0
        except BaseException:  # noqa: BLE001 - the parent runs the job again and reports
            pass
        finally:
            os._exit(code)  # no freeing, no exit handlers, no buffers flushed twice
    os.close(write_end)
    return read_end, pid
