"""planc.core.forking.relay: work shared with a relay of short-lived forked children.

Each child does one share and exits (what it copies of the parent dies with it),
never more children at once than asked, every item answered once and in order,
and a child that fails or dies leaves its share to the parent.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from planc.core import forking
from planc.core.forking import relay


def squares(start: int, stop: int) -> list[tuple[int, int, int]]:
    """Each item's square, with the process that made it."""
    return [(i, i * i, os.getpid()) for i in range(start, stop)]


def slow_squares(start: int, stop: int) -> list[tuple[int, int, int]]:
    """squares, at about a millisecond an item (the parent must not finish alone first)."""
    import time

    time.sleep(0.001 * (stop - start))
    return squares(start, stop)


def flat(parts: list[tuple[int, int, list[tuple[int, int, int]]]]) -> list[tuple[int, int, int]]:
    return [row for _, _, part in parts for row in part]


FORKED: list[Any] = []  # the children the ``alive`` fixture saw forked (this test's)


@pytest.fixture
def alive(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """[children working now (forked, not answered yet), the most at once, children
    forked], kept by the parent; the children themselves in FORKED."""
    counts = [0, 0, 0]
    real = forking.Forked
    FORKED.clear()

    class Counted(real):  # type: ignore[misc,valid-type]
        def __init__(self, work: Callable[..., Any], *args: Any) -> None:
            super().__init__(work, *args)
            counts[0] += 1
            counts[1] = max(counts[1], counts[0])
            counts[2] += 1
            FORKED.append(self)

        def answer(self) -> Any:
            try:
                return super().answer()
            finally:
                counts[0] -= 1

    monkeypatch.setattr(forking, "Forked", Counted)
    return counts


def reaped_by_relay() -> bool:
    """Whether relay itself waited for the end of every child FORKED (multiprocessing's
    own bookkeeping, e.g. active_children(), would reap them too: asked first)."""
    return all(forked._child._popen.returncode is not None for forked in FORKED)


@pytest.mark.parametrize("children", [1, 2, 3])
def test_every_item_once_in_order_by_fresh_children(children: int, alive: list[int]) -> None:
    parts = relay(1000, slow_squares, share=40, step=8, children=children)
    rows = flat(parts)
    assert [(i, square) for i, square, _ in rows] == [(i, i * i) for i in range(1000)]
    assert [(start, stop) for start, stop, _ in parts] == sorted(
        (start, stop) for start, stop, _ in parts
    )
    by_children = {pid for _, _, pid in rows} - {os.getpid()}
    assert alive[0] == 0  # every child answered
    assert reaped_by_relay()  # and ended before relay returned
    assert alive[1] <= children  # never more at once than asked
    assert alive[2] > children  # a relay: fresh children, not one per CPU for the whole run
    assert len(by_children) == alive[2]  # each child did one share only, then exited
    assert multiprocessing.active_children() == []


def test_the_shares_shrink_at_the_end_and_none_is_larger_than_asked(
    monkeypatch: pytest.MonkeyPatch, alive: list[int]
) -> None:
    # Each child is asked at the parent's next step whether it is done; here that question
    # waits for its answer, so the parent never works through the middle alone while a
    # child is slow to fork on a busy machine (which left every share at 100 under load):
    # the shares' sizes follow the relay's rule only, not the machine's timing.
    def answered(self: Any) -> bool:
        try:
            return bool(self._receive.poll(None))
        except (EOFError, OSError):
            return True

    monkeypatch.setattr(forking.Forked, "ready", answered)
    parts = relay(1000, slow_squares, share=100, step=10)
    forked = [(start, stop) for start, stop, part in parts if part[0][2] != os.getpid()]
    assert forked and all(stop - start <= 100 for start, stop in forked)
    assert min(stop - start for start, stop in forked) < 100
    assert alive[1] == 1


def test_without_fork_all_here(monkeypatch: pytest.MonkeyPatch, alive: list[int]) -> None:
    monkeypatch.setattr(forking, "can_fork", lambda: False)
    rows = flat(relay(500, squares, share=50, step=5))
    assert {pid for _, _, pid in rows} == {os.getpid()}
    assert [i for i, _, _ in rows] == list(range(500))
    assert alive[2] == 0


def test_too_few_items_to_share_all_here(alive: list[int]) -> None:
    rows = flat(relay(7, squares, share=50, step=5))
    assert [i for i, _, _ in rows] == list(range(7))
    assert alive[2] == 0


@pytest.mark.parametrize("how", ["raises", "dies"])
def test_a_failing_child_leaves_its_share_to_the_parent(how: str, tmp_path: Path) -> None:
    parent = os.getpid()
    redone: list[tuple[int, int]] = []

    def work(start: int, stop: int) -> list[tuple[int, int, int]]:
        if os.getpid() != parent and start >= 500:
            (tmp_path / f"{start}-{stop}").touch()
            if how == "dies":
                os._exit(3)
            raise OSError("the child ran out of something")
        return squares(start, stop)

    def again(start: int, stop: int) -> list[tuple[int, int, int]]:
        redone.append((start, stop))
        return squares(start, stop)

    rows = flat(relay(1000, work, share=100, step=10, again=again))
    assert [(i, square) for i, square, _ in rows] == [(i, i * i) for i in range(1000)]
    failed = sorted(tuple(int(n) for n in p.name.split("-")) for p in tmp_path.iterdir())
    assert failed and sorted(redone) == failed  # each failed share redone here, only those
    assert multiprocessing.active_children() == []


def test_an_error_here_waits_for_the_children_first(tmp_path: Path) -> None:
    """The caller cleans up after an error (a render removes its folder): no child may
    still be working then."""
    import time

    parent = os.getpid()

    def work(start: int, stop: int) -> list[tuple[int, int, int]]:
        if os.getpid() == parent:
            raise OSError("no space left on the device")
        time.sleep(0.3)
        (tmp_path / f"{start}").touch()
        return squares(start, stop)

    with pytest.raises(OSError, match="no space"):
        relay(100, work, share=20, step=5)
    assert multiprocessing.active_children() == []
    assert len(list(tmp_path.iterdir())) == 1  # the child finished before relay raised


def test_before_fork_runs_before_each_child(alive: list[int]) -> None:
    calls: list[int] = []
    relay(600, squares, share=50, step=5, before_fork=lambda: calls.append(alive[2]))
    assert calls == list(range(alive[2]))  # once before each fork, none after


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open fds in /proc")
def test_a_fork_that_fails_leaves_the_rest_here_and_no_pipe_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """fork() can fail (EAGAIN, ENOMEM: a large render is where memory is short): the items
    are then worked through here instead of the run failing (a render stopping with an
    internal error), and no pipe made for a child that never started stays open."""
    import errno

    started: list[int] = []

    def no_fork(self: Any) -> None:
        started.append(1)
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", no_fork)
    before = _open_fds()
    rows = flat(relay(500, squares, share=50, step=5, children=2))
    assert started  # a fork was tried
    assert [(i, square) for i, square, _ in rows] == [(i, i * i) for i in range(500)]
    assert {pid for _, _, pid in rows} == {os.getpid()}
    assert _open_fds() == before


def test_a_fork_that_fails_is_a_child_that_died(monkeypatch: pytest.MonkeyPatch) -> None:
    """start_forked: the waiting function of a child that could not be forked gives None,
    as for a child that died (every caller then does the work itself)."""
    import errno

    def no_fork(self: Any) -> None:
        raise OSError(errno.ENOMEM, "Cannot allocate memory")

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", no_fork)
    assert forking.start_forked(squares, 0, 3)() is None


def test_the_parent_goes_on_while_a_child_that_answered_is_ending(alive: list[int]) -> None:
    """A child's end (a large process's address space taken down: tens of milliseconds)
    is not waited for where it answered: the parent works on, and reaps it later; all
    are reaped before relay returns."""
    import time
    from multiprocessing.util import Finalize

    parent = os.getpid()
    steps: list[float] = []

    def work(start: int, stop: int) -> list[tuple[int, int, int]]:
        if os.getpid() == parent:
            steps.append(time.monotonic())
            time.sleep(0.002 * (stop - start))
        else:  # run by the child's exit, after it answered
            Finalize(None, time.sleep, (0.4,), exitpriority=10)
        return squares(start, stop)

    answered: dict[int, float] = {}
    ended: dict[int, float] = {}
    real_answer, real_reap = forking.Forked.answer, forking.Forked.reap

    def answer(self: Any) -> Any:
        try:
            return real_answer(self)
        finally:
            answered[id(self)] = time.monotonic()

    def reap(self: Any, block: bool = True) -> bool:
        done = bool(real_reap(self, block))
        if done:
            ended.setdefault(id(self), time.monotonic())
        return done

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(forking.Forked, "answer", answer)
        patch.setattr(forking.Forked, "reap", reap)
        rows = flat(relay(600, work, share=100, step=5))
    assert [i for i, _, _ in rows] == list(range(600))
    assert FORKED and reaped_by_relay() and set(ended) == set(answered)
    assert any(  # a step here between a child's answer and its end
        any(answered[key] < step < ended[key] for step in steps) for key in answered
    )
