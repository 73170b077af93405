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
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    """Whether this system forks (not Windows)."""
    return "fork" in mp.get_all_start_methods()


def start_forked(work: Callable[..., T], *args: Any) -> Callable[[], T | None]:
    """Run ``work(*args)`` in a forked child; the function returned waits for its answer.

    The answer is what ``work`` returned, or None when the child failed or died
    (``work`` must not return None itself). Call the waiting function once: it
    closes the pipe and reaps the child. Only where :func:`can_fork`. A fork that
    fails (EAGAIN, ENOMEM) is a child that died: its waiting function gives None, and
    the caller does the work itself, as it does when a child dies.
    """
    try:
        return Forked(work, *args).wait
    except OSError:
        return _no_answer


def _no_answer() -> None:
    return None


class Forked(Generic[T]):
    """``work(*args)`` running in a forked child (see :func:`start_forked`)."""

    def __init__(self, work: Callable[..., T], *args: Any) -> None:
        context = mp.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._child = context.Process(target=_child, args=(send, work, args))
        self._child.start()
        send.close()

    def ready(self) -> bool:
        """Whether :meth:`wait` would return at once (the child answered, or died)."""
        try:
            return self._receive.poll()
        except (EOFError, OSError):
            return True

    def wait(self) -> T | None:
        """The child's answer (None: it failed or died); closes the pipe, reaps the child."""
        try:
            return self.answer()
        finally:
            self.reap()

    def answer(self) -> T | None:
        """The child's answer (None: it failed or died); closes the pipe. The child may
        still be exiting: :meth:`reap` it (later)."""
        try:
            answer: T | None = self._receive.recv()
        except (EOFError, OSError):  # the child died before it answered
            answer = None
        finally:
            self._receive.close()
        return answer

    def reap(self, block: bool = True) -> bool:
        """Wait for the child to end (``block``) or see whether it has; whether it has."""
        self._child.join(None if block else 0)
        return self._child.exitcode is not None


def relay(
    count: int,
    work: Callable[[int, int], T],
    *,
    share: int,
    step: int,
    again: Callable[[int, int], T] | None = None,
    children: int = 1,
    before_fork: Callable[[], object] | None = None,
) -> list[tuple[int, int, T]]:
    """``work(start, stop)`` over items ``0..count``, by this process and a relay of children.

    A forked child inherits this process's memory and shares its pages until either
    writes one: Python writes an object's reference count whenever it reads the object,
    so a child that works through a large model for long copies most of it (a 50,000-rep
    render's page worker copied ~0.5 GiB). Here each child takes one ``share`` of items
    (from the end), answers and exits, and the next is forked from this process then:
    what is copied at any time is what the live children's shares and this process's
    steps since their forks touched, not what the whole run did. This process meanwhile
    works through ``step`` items at a time from the front and takes the answers of the
    children that are done between its steps. At most ``children`` children at once;
    the last shares shrink, so that everyone ends at about the same time. A child that
    failed or died: ``again(start, stop)`` here (default ``work``). ``before_fork`` is
    called right before each child is forked (to drop what it should not inherit).

    A child that answered is reaped later (:meth:`Forked.reap`): the end of a process
    the size of a large plan (its address space taken down) took tens of milliseconds,
    this process and the next child work meanwhile.

    The answers as (start, stop, answer), in the items' order. ``work`` must not
    return None. Without fork (or too few items to share, or once a fork fails) all
    here. An exception here waits for the children first (they may write where the
    caller cleans up); every child has ended when this returns.
    """
    redo = again if again is not None else work
    done: list[tuple[int, int, T]] = []
    front, back = 0, count
    running: list[tuple[int, int, Forked[T]]] = []
    ending: list[Forked[T]] = []  # answered, not reaped yet
    forking = children > 0 and can_fork()
    try:
        while front < back or running:
            ending = [forked for forked in ending if not forked.reap(block=False)]
            while forking and len(running) < children:
                take = min(share, (back - front) // (len(running) + 2))
                if take < step:
                    break
                if before_fork is not None:
                    before_fork()
                try:
                    forked = Forked(work, back - take, back)
                except OSError:  # fork failed (EAGAIN, ENOMEM): the rest here, as without fork
                    forking = False
                    break
                running.append((back - take, back, forked))
                back -= take
            if front < back:
                stop = min(back, front + step)
                done.append((front, stop, work(front, stop)))
                front = stop
                finished = [job for job in running if job[2].ready()]
            else:  # nothing left here: wait for the oldest child
                finished = running[:1]
            for job in finished:
                running.remove(job)
                start, stop, forked = job
                answer = forked.answer()
                ending.append(forked)
                done.append((start, stop, answer if answer is not None else redo(start, stop)))
    except BaseException:
        for _, _, forked in running:
            forked.wait()
        raise
    finally:
        for forked in ending:
            forked.reap()
    done.sort(key=lambda part: part[0])
    return done


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
