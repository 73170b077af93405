"""Every check over one plan, on two CPUs: a forked child runs every other check.

The checks are pure functions of the plan, so which process runs one does not
change what it finds. The child inherits the plan at the fork (nothing is sent
to it) and hands back its checks' diagnostics through its own pipe, pickled by
planc's own process (never through a folder anyone else could write); they are
put back in registry order, so the result is :func:`planc.checks.run_checks`'s,
in the same order. On one CPU (``PLANC_WORKERS=1``), without ``fork``, or when
the child dies, this process runs them all.
"""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing.connection import Connection
from typing import Any

from planc.checks import CHECKS
from planc.core.diagnostics import Diagnostic
from planc.core.frontend import default_workers
from planc.core.memory import gc_paused
from planc.core.model import Plan


def run_checks_forked(plan: Plan) -> list[Diagnostic]:
    """What ``list(run_checks(plan))`` gives, the work shared with a forked child."""
    if default_workers() < 2 or "fork" not in mp.get_all_start_methods():
        return [d for check in CHECKS for d in check.run(plan)]
    theirs = list(range(1, len(CHECKS), 2))
    mine = list(range(0, len(CHECKS), 2))
    context = mp.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, plan, theirs))
    child.start()
    send.close()
    try:
        with gc_paused():
            found = {i: list(CHECKS[i].run(plan)) for i in mine}
        try:
            answer: Any = receive.recv()
        except (EOFError, OSError):  # the child died before it answered
            answer = None
    finally:
        receive.close()
        child.join()
    if answer is None:
        answer = {i: list(CHECKS[i].run(plan)) for i in theirs}
    found.update(answer)
    return [d for i in range(len(CHECKS)) for d in found[i]]


def _child(send: Connection, plan: Plan, indexes: list[int]) -> None:
    answer: Any = None
    try:
        with gc_paused():
            answer = {i: list(CHECKS[i].run(plan)) for i in indexes}
    except BaseException:  # noqa: BLE001 - the parent runs them again and reports what fails
        answer = None  # (an interrupt too: the parent has it as well, and says so once)
    try:
        send.send(answer)
    except OSError:  # the parent is gone (interrupted): nobody to answer
        pass
    finally:
        send.close()
