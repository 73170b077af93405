"""Source files and positions: the bytes a plan was read from, and places in them.

Values loaded from YAML do not carry positions (that would cost as much as the
load itself). Instead every model object keeps a cheap :class:`Loc`: its file
and its path inside the document; :mod:`planc.core.spans` turns a ``Loc`` into
a 1-based :class:`SourceSpan` only when a diagnostic is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

PathPart = str | int


@dataclass(frozen=True, slots=True, order=True)
class SourceSpan:
    """A 1-based position in a file the user wrote."""

    path: str
    line: int
    col: int
    end_line: int = 0  # 0: same as the start (a point)
    end_col: int = 0

    @property
    def end(self) -> tuple[int, int]:
        return (self.end_line, self.end_col) if self.end_line else (self.line, self.col)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


def column_letters(number: int) -> str:
    """A spreadsheet column's letters, as a cell's place is shown: 1 -> A, 28 -> AB,
    16384 -> XFD."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class SourceReleased(RuntimeError):
    """A plan file's bytes were read after :meth:`SourceFile.release` (a bug in planc)."""


class SourceChanged(RuntimeError):
    """A plan file left unread (:meth:`SourceFile.deferred`) is no longer the file its
    stat vouched for when it is read at last: the caller reads every file again."""


@dataclass(frozen=True, slots=True, init=False)
class SourceFile:
    """The bytes of one plan file, from disk or from a git revision."""

    path: str  # as shown to the user: relative to where planc was run, or to the repo
    _data: bytes | None  # None: released (see :meth:`release`), or not read yet
    revision: str | None = None
    # reads the bytes of a deferred file: all of them, or (given a size) a first part
    _read: Callable[[int | None], bytes] | None = field(default=None, compare=False, repr=False)

    def __init__(self, path: str, data: bytes, revision: str | None = None) -> None:
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "_data", data)
        object.__setattr__(self, "revision", revision)
        object.__setattr__(self, "_read", None)

    @classmethod
    def deferred(cls, path: str, read: Callable[[int | None], bytes]) -> SourceFile:
        """A file whose bytes are read (by ``read``) only if something asks for them: a
        warm check whose cache already holds what the file gives (:class:`StatCache`)."""
        source = cls(path, b"")
        object.__setattr__(source, "_data", None)
        object.__setattr__(source, "_read", read)
        return source

    @property
    def is_read(self) -> bool:
        return self._read is None

    @property
    def data(self) -> bytes:
        """The file's bytes; :class:`SourceReleased` once they were released."""
        data = self._data
        if data is None:
            read = self._read
            if read is None:
                raise SourceReleased(f"{self.path}: its bytes were released and read again")
            data = read(None)
            object.__setattr__(self, "_data", data)
            object.__setattr__(self, "_read", None)
        return data

    def head(self, size: int) -> bytes:
        """At most the first ``size`` bytes, for a guess that must not read a whole file
        left unread (a deferred file's, unlike :attr:`data`, as they are on disk now)."""
        read = self._read
        return read(size) if read is not None else self.data[:size]

    def release(self) -> None:
        """Drop the bytes (every holder of this object sees it): for a command that has
        read them for the last time and goes on with the model built from them.

        A 50,000-rep plan is ~90 MB of YAML, kept to the end of a render by the
        check's result, the partition and the unit store, though nothing reads it
        after the site's region keys; every worker forked later inherits it. A
        read after this raises :class:`SourceReleased`: never silently empty."""
        object.__setattr__(self, "_data", None)
        object.__setattr__(self, "_read", None)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, for the caret display; empty if out of range."""
        lines = _lines(self.data)
        return lines[line - 1] if 0 < line <= len(lines) else ""


@lru_cache(maxsize=4)
def _lines(data: bytes) -> list[str]:
    # Cached: a report shows many lines of the same large file.
    return data.decode("utf-8", errors="replace").removeprefix("\ufeff").splitlines()


class Loc(NamedTuple):
    """Where a value sits: a file and the path of keys and indexes down to it.

    ``key=True`` points at the mapping key itself (for an unknown or duplicate
    key) rather than at its value. A named tuple rather than a frozen
    dataclass: a large plan makes hundreds of thousands, and tuples are cheap.
    """

    file: str
    path: tuple[PathPart, ...] = ()
    key: bool = False

    def __truediv__(self, part: PathPart) -> Loc:
        # tuple.__new__ directly: the named tuple's own __new__ is a Python function,
        # and the model makes a Loc per target, field and action (a quarter of its time).
        # ``path + (part,)`` concatenates in C; ``(*path, part)`` unpacks through the
        # interpreter (~15 % of each Loc: ~80,000 per region file of 2,500 reps).
        return _new_tuple(Loc, (self[0], self[1] + (part,), False))

    def as_key(self) -> Loc:
        return Loc(self.file, self.path, True)


_new_tuple = tuple.__new__
