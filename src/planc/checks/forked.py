"""Every check over one plan, on two CPUs: a forked child runs every other check.

The checks are pure functions of the plan, so which process runs one does not
change what it finds. The child inherits the plan at the fork (nothing is sent
to it) and hands back its checks' diagnostics through its own pipe
(:mod:`planc.core.forking`); they are put back in registry order, so the result
is :func:`planc.checks.run_checks`'s, in the same order. On one CPU
(``PLANC_WORKERS=1``), without ``fork``, or when the child dies or fails, this
process runs them all.
"""

from __future__ import annotations

from planc.checks import CHECKS
from planc.core.diagnostics import Diagnostic
from planc.core.forking import can_fork, start_forked
from planc.core.frontend import default_workers
from planc.core.memory import gc_paused
from planc.core.model import Plan


def run_checks_forked(plan: Plan) -> list[Diagnostic]:
    """What ``list(run_checks(plan))`` gives, the work shared with a forked child."""
    if default_workers() < 2 or not can_fork():
        return [d for check in CHECKS for d in check.run(plan)]
    theirs = list(range(1, len(CHECKS), 2))
    mine = list(range(0, len(CHECKS), 2))
    wait = start_forked(_child, plan, theirs)
    try:
        found = _run(plan, mine)
    finally:
        answer = wait()
    if answer is None:  # the child failed or died: its checks run here
        answer = _run(plan, theirs)
    found.update(answer)
    return [d for i in range(len(CHECKS)) for d in found[i]]


def _run(plan: Plan, indexes: list[int]) -> dict[int, list[Diagnostic]]:
    """The findings of the checks at ``indexes`` (in the child: its share)."""
    with gc_paused():
        return {i: list(CHECKS[i].run(plan)) for i in indexes}


def _child(plan: Plan, indexes: list[int]) -> dict[int, list[Diagnostic]]:
    """What the forked child runs: its share of the checks."""
    return _run(plan, indexes)
