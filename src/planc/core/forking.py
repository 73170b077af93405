"""Work done in a forked child of this process, its answer handed back through its own pipe.

planc forks to give a second CPU work that reads what this process holds already
(a plan, the files read): the child inherits it at the fork and nothing is sent
to it. The answer comes back pickled through a pipe that only the two processes
hold (never through a folder anyone else could write), so unpickling it trusts
nothing but planc's own process.

A child that fails (an exception, an interrupt) or dies answers nothing: the
caller does the work itself, in this process, and reports what fails there as
it would without a child.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    """Whether this system forks (not Windows)."""
    return "fork" in mp.get_all_start_methods()


def start_forked(work: Callable[..., T], *args: Any) -> Callable[[], T | None]:
    """Run ``work(*args)`` in a forked child; the function returned waits for its answer.

    The answer is what ``work`` returned, or None when the child failed or died
    (``work`` must not return None itself). Call the waiting function once: it
    closes the pipe and reaps the child. Only where :func:`can_fork`.
    """
    context = mp.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, work, args))
    child.start()
    send.close()

    def wait() -> T | None:
        try:
            answer: T | None = receive.recv()
        except (EOFError, OSError):  # the child died before it answered
            answer = None
        finally:
            receive.close()
            child.join()
        return answer

    return wait


def _child(send: Connection, work: Callable[..., Any], args: tuple[Any, ...]) -> None:
    """In the forked child: ``work``'s answer, or None if it failed."""
    answer: Any = None
    try:
        answer = work(*args)
    except BaseException:  # noqa: BLE001 - the parent does it again and reports that
        answer = None  # (an interrupt too: the parent has it as well, and says so once)
    try:
        send.send(answer)
    except Exception:  # noqa: BLE001 - the parent is gone, or the answer does not pickle:
        pass  # the parent reads the end of the pipe and does the work itself
    finally:
        send.close()
