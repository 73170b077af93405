"""A region file composed for editing in a forked child, while this process allocates.

``planc allocate`` composes the region file it edits (:class:`YamlDocument`) only
to find where the numbers it rewrites sit. That needs nothing but the file's text,
so on two CPUs a forked child composes it while this process builds the plan's
model and computes the allocation; then this process sends the edits, recorded
as the :meth:`YamlDocument.set` calls they are, and the child applies them, in
the same order, to the same document and sends back the text. The same calls
on the same text: the same bytes as editing here. With the text goes :attr:`YamlDocument.numbers_only`
(whether every edit only rewrote numbers in place).

Edits and text go through the child's own pipes, pickled by planc's own
processes (never through a folder anyone else could write). Two pipes, not
:func:`planc.core.forking.start_forked`'s one: the child is started before the
edits it applies are known. Whatever goes wrong
in the child (it dies, an edit fails), :meth:`Composing.finish` gives None and
the caller edits the file here, as without a child, and so reports any error
the same way.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from planc.allocate.yamledit import Edit, PathPart, Value, YamlDocument
from planc.core.frontend import default_workers


@dataclass(slots=True)
class Recorder:
    """Stands in for a :class:`YamlDocument` while it is composed elsewhere: keeps the calls."""

    edits: list[Edit] = field(default_factory=list)

    def set(self, path: Sequence[PathPart], value: Value) -> None:
        self.edits.append((tuple(path), value))


@dataclass(slots=True)
class Composing:
    """A forked child composing one file; :meth:`finish` or :meth:`close` once."""

    path: str
    pid: int
    send: int  # the edits, to the child
    receive: int  # the text, from the child
    done: bool = False
    numbers_only: bool = False  # the child's YamlDocument.numbers_only, once finished

    def finish(self, edits: list[Edit]) -> tuple[bool, str] | None:
        """Whether the edits changed the file, and its text; None if the child could not."""
        if self.done:
            return None
        self.done = True
        answer: Any = None
        try:
            with os.fdopen(self.send, "wb") as pipe:
                pipe.write(pickle.dumps(edits))
            with os.fdopen(self.receive, "rb") as pipe:
                data = pipe.read()
            answer = pickle.loads(data) if data else None  # our own child's pipe
        except Exception:  # noqa: BLE001 - a child that died half way: edit the file here
            answer = None
        finally:
            _reap(self.pid)
        if (
            isinstance(answer, tuple)
            and len(answer) == 3
            and isinstance(answer[0], bool)
            and isinstance(answer[1], str)
        ):
            self.numbers_only = answer[2] is True
            return answer[0], answer[1]
        return None

    def close(self) -> None:
        """Stop the child without edits (nothing to change there, or the command stopped)."""
        if self.done:
            return
        self.done = True
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)  # our own child, by its id
        for fd in (self.send, self.receive):
            with contextlib.suppress(OSError):
                os.close(fd)
        _reap(self.pid)


def compose_aside(path: str, data: bytes) -> Composing | None:
    """Start composing the file ``data`` (UTF-8) in a forked child; None on one CPU,
    without ``fork`` or when the fork fails."""
    if default_workers() < 2 or not hasattr(os, "fork"):
        return None
    edits_read, edits_write = os.pipe()
    text_read, text_write = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no child (EAGAIN, ENOMEM): composed here, as on one CPU
        for fd in (edits_read, edits_write, text_read, text_write):
            os.close(fd)
        return None
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        try:
            os.close(edits_write)
            os.close(text_read)
            _child(data, edits_read, text_write)
        finally:
            os._exit(0)
    os.close(edits_read)
    os.close(text_write)
    return Composing(path, pid, edits_write, text_read)


def _child(data: bytes, edits_read: int, text_write: int) -> None:  # pragma: no cover
    answer: Any = None
    try:
        document = YamlDocument(data.decode("utf-8"))
        with os.fdopen(edits_read, "rb") as pipe:
            sent = pipe.read()
        for path, value in pickle.loads(sent) if sent else ():  # from our own parent
            document.set(path, value)
        answer = (document.changed, document.render(), document.numbers_only)
    except BaseException:  # noqa: BLE001 - the parent edits the file itself and reports it
        answer = None
    try:
        with os.fdopen(text_write, "wb") as pipe:
            pipe.write(pickle.dumps(answer))
    except OSError:  # the parent is gone: nobody to answer
        pass


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
