"""Positions of a few paths in a large file, found while streaming its YAML events.

:class:`planc.core.spans.SpanResolver` can compose a whole file into nodes to
walk a path: a 4.7 MB region file (2,500 reps) makes a tree of about 120 MB and
costs about a second of CPU, more than that file's whole check, to place one
finding. Here the events go by once and only the spans of the nodes on the
wanted paths are kept: the same answers (the deepest node a path reaches, the
last of duplicate keys, the key itself for ``Loc.key``) in memory proportional
to the paths and in less than half the time.

Anything unusual (an anchor or alias, several documents, a YAML error, no
C parser) makes :func:`stream_spans` decline (None): the caller composes that
file instead, so the answer is the same whichever path gives it. This module
knows nothing of the composing resolver; :mod:`planc.core.spans` chooses.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from yaml.events import (
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from planc.core.source import Loc, PathPart, SourceFile, SourceSpan

_Parser: Any
try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - every supported wheel of PyYAML ships libyaml
    _Parser = None

_Path = tuple[PathPart, ...]
_Marks = tuple[int, int, int, int]  # 0-based start line, column, end line, column
_NO_KEY = object()  # a key that is not a scalar: no path goes through it


class _Unusual(Exception):
    """The stream holds something the streaming walk does not model."""


def stream_spans(source: SourceFile, locs: Iterable[Loc]) -> dict[Loc, SourceSpan] | None:
    """The span of each of ``locs`` (all in ``source``), as the composing resolver gives it,
    from one pass over the file's events; None where the stream holds anything unusual."""
    wanted = list(dict.fromkeys(locs))
    if not wanted:
        return {}
    try:
        found = _stream(source.data, {loc.path for loc in wanted})
    except Exception:  # noqa: BLE001 - _Unusual, a YAML error: the composing walk decides
        return None
    if found is None:
        return None
    return {loc: _span(source.path, loc, found) for loc in wanted}


def _span(file: str, loc: Loc, found: _Found) -> SourceSpan:
    path = loc.path
    for end in range(len(path), -1, -1):
        hit = found.get(path[:end])
        if hit is not None:
            key, node = hit
            marks = key if (loc.key and key is not None) else node
            return SourceSpan(file, marks[0] + 1, marks[1] + 1, marks[2] + 1, marks[3] + 1)
    return SourceSpan(file, 1, 1)  # no document: what the composing resolver gives


class _Frame:
    __slots__ = (
        "child_marks",
        "expect_key",
        "index",
        "is_map",
        "key",
        "key_marks",
        "path",
        "start",
    )

    def __init__(self, is_map: bool, path: _Path | None, start: Any, key_marks: Any) -> None:
        self.is_map = is_map
        self.path = path  # None: not on a wanted path
        self.start = start
        self.key_marks: _Marks | None = key_marks  # of this container's own key
        self.index = 0
        self.key: object = _NO_KEY  # the pending key of a mapping
        self.expect_key = True
        self.child_marks: _Marks | None = None  # of the pending key


def _marks(start: Any, end: Any) -> _Marks:
    return (start.line, start.column, end.line, end.column)


_Found = dict[_Path, tuple[_Marks | None, _Marks]]
_SKIPPED = frozenset({"StreamStartEvent", "DocumentEndEvent"})
_ENDS = frozenset({"MappingEndEvent", "SequenceEndEvent"})


def _stream(data: bytes, paths: set[_Path]) -> _Found | None:
    if _Parser is None:
        return None
    walk = _Walk({path[:end] for path in paths for end in range(len(path) + 1)})
    parser: Any = _Parser(data)
    try:
        while True:
            event: Any = parser.get_event()
            kind = type(event).__name__
            if kind == "StreamEndEvent":
                return walk.found
            if kind not in _SKIPPED and walk.step(kind, event):
                _skip(parser)
    finally:
        parser.dispose()


def _skip(parser: Any) -> None:
    """Consume a container that lies on no wanted path, down to its end: nothing in it is
    wanted, so only its nesting is followed (and anything unusual still refused)."""
    depth = 1
    while depth:
        event = parser.get_event()
        kind = type(event)
        if kind is ScalarEvent:
            if event.anchor is not None:
                raise _Unusual
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None:
                raise _Unusual
            depth += 1
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            depth -= 1
        else:  # an alias; nothing else can sit inside a container
            raise _Unusual


class _Walk:
    """The state of one streamed file: open containers and the spans found so far."""

    def __init__(self, prefixes: set[_Path]) -> None:
        self.prefixes = prefixes
        self.found: _Found = {}
        self.stack: list[_Frame] = []
        self.started: set[_Path] = set()
        self.documents = 0

    def step(self, kind: str, event: Any) -> bool:
        """Take one event; True when it opened a container on no wanted path (the caller
        skips to its end)."""
        if kind == "DocumentStartEvent":
            self.documents += 1
            if self.documents > 1:
                raise _Unusual
            return False
        if kind == "AliasEvent" or getattr(event, "anchor", None) is not None:
            raise _Unusual
        if kind in _ENDS:
            frame = self.stack.pop()
            if frame.path is not None:
                self.found[frame.path] = (frame.key_marks, _marks(frame.start, event.end_mark))
            return False
        return self.node(kind, event)

    def node(self, kind: str, event: Any) -> bool:
        """A scalar or the start of a mapping or a sequence; True: a container to skip."""
        path, key_marks, is_key = _place(self.stack, self.prefixes)
        if is_key:
            parent = self.stack[-1]
            if kind == "ScalarEvent":
                parent.key = event.value
                parent.child_marks = _marks(event.start_mark, event.end_mark)
                return False
            parent.key = _NO_KEY
        if path is not None:
            if path in self.started:
                # a repeated key: what was found under its first occurrence no longer counts
                size = len(path)
                for other in [p for p in self.found if len(p) > size and p[:size] == path]:
                    del self.found[other]
            self.started.add(path)
        if kind == "ScalarEvent":
            if path is not None:
                self.found[path] = (key_marks, _marks(event.start_mark, event.end_mark))
            return False
        if kind in ("MappingStartEvent", "SequenceStartEvent"):
            if path is None:
                return True
            is_map = kind == "MappingStartEvent"
            self.stack.append(_Frame(is_map, path, event.start_mark, key_marks))
            return False
        raise _Unusual  # pragma: no cover - no other event carries a node


def _place(stack: list[_Frame], prefixes: set[_Path]) -> tuple[_Path | None, _Marks | None, bool]:
    """Where the next node sits: its path (None if on no wanted path), its key's marks, and
    whether it is itself a mapping key."""
    if not stack:
        return (), None, False
    parent = stack[-1]
    if parent.is_map:
        if parent.expect_key:
            parent.expect_key = False
            return None, None, True
        parent.expect_key = True
        key, key_marks = parent.key, parent.child_marks
        parent.key, parent.child_marks = _NO_KEY, None
        if parent.path is None or key is _NO_KEY:
            return None, None, False
        assert isinstance(key, str)
        path: _Path = (*parent.path, key)
        return (path if path in prefixes else None), key_marks, False
    index = parent.index
    parent.index += 1
    if parent.path is None:
        return None, None, False
    path = (*parent.path, index)
    return (path if path in prefixes else None), None, False
