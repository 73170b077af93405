"""The YAML path under the cursor in a region file, composing only the cursor's team (#17 speed).

Hover and code actions ask which target the cursor is on. Composing a 4.7 MB
region file for that takes about a second, on the server's loop, once per
version of the buffer (an editor asks for code actions after every pause in
typing). A region file in block YAML splits into its head, one chunk per team
and its tail (:func:`planc.core.chunks.split_region`); each piece composes
alone at its own lines, as :mod:`planc.lsp.outline` composes them. The path is
taken from the cursor's team composed alone when every piece composes (the head
and tail with the teams' lines left blank, and each team; each answer kept by
its bytes, so after an edit only the edited team is composed again). Anything
else (no split, anchors that could reach across teams, a piece that does not
compose, a cursor outside the teams) composes the whole buffer, as before.
``tests/test_lsp_text.py`` compares both on generated plans and random edits.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from yaml.nodes import Node

from planc.core.chunks import Split, may_share_values, split_region
from planc.core.composer import compose_nodes
from planc.core.source import PathPart
from planc.lsp.text import MAX_COMPOSE_CHARS, Point, compose, node_at_path, path_at

KEPT_PIECES = 8192  # whether a team composes, by its bytes (a 10,000-rep plan has ~1,000)
KEPT_TREES = 16  # team trees (a team is ~20 KB of YAML)
KEPT_SPLITS = 2  # the buffers split last, by identity
_TEAMS_PATH = ("region", "teams")

_LOCK = threading.Lock()
_V = TypeVar("_V")
_COMPOSES: dict[tuple[bytes, ...], bool] = {}
_TREES: dict[tuple[bytes, ...], Node | None] = {}
_SPLITS: list[tuple[str, tuple[Split, int] | None]] = []  # a split and its teams' lines


def path_under(text: str, point: Point) -> tuple[tuple[PathPart, ...], bool]:
    """:func:`planc.lsp.text.path_at` of the buffer's tree at ``point``."""
    found = _split(text)
    if found is not None:
        split, blank = found
        index = bisect_right(split.lines, point.line + 1) - 1
        if (
            index >= 0
            and point.line + 1 < split.lines[index] + split.chunks[index].count(b"\n")
            and _composes(split, blank)
        ):
            path, on_key = path_at(_tree(split, index), point)
            if path[:2] == ("teams", 0):
                return (*_TEAMS_PATH, index, *path[2:]), on_key
    return path_at(compose(text), point)


def node_under(text: str, path: tuple[PathPart, ...]) -> Node | None:
    """:func:`planc.lsp.text.node_at_path` of the buffer's tree."""
    if len(path) >= 3 and path[:2] == _TEAMS_PATH and isinstance(path[2], int):
        found = _split(text)
        index = path[2]
        if found is not None and 0 <= index < len(found[0].chunks) and _composes(*found):
            return node_at_path(_tree(found[0], index), ("teams", 0, *path[3:]))
    return node_at_path(compose(text), path)


def _split(text: str) -> tuple[Split, int] | None:
    """The buffer's head, teams and tail, and how many lines the teams take (None: the
    buffer is no region file split into teams, see :func:`split_region`)."""
    with _LOCK:
        for kept, known in _SPLITS:
            if kept is text:
                return known
    found = None
    if len(text) <= MAX_COMPOSE_CHARS:
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            data = b""
        split = split_region(data) if data else None
        if split is not None:
            blank = sum(chunk.count(b"\n") for chunk in split.chunks)
            lines = split.head.count(b"\n") + blank + split.tail.count(b"\n")
            found = (split, blank) if lines == data.count(b"\n") else None
    with _LOCK:
        _SPLITS.append((text, found))
        del _SPLITS[:-KEPT_SPLITS]
    return found


def _key(split: Split, index: int) -> tuple[bytes, ...]:
    """What team ``index`` composed alone depends on: its bytes, its line, what follows it."""
    last = index == len(split.chunks) - 1
    after = (b"x: 0\n" if split.tail else b"") if last else b"    - 0\n"
    return (split.chunks[index], str(split.lines[index]).encode(), after)


def _padded(key: tuple[bytes, ...]) -> bytes:
    """The team at its own lines, followed by what follows it in the file (so that its node
    ends where the file's does), as :mod:`planc.lsp.outline` composes it."""
    chunk, line, after = key
    return b"\n" * (int(line) - 2) + b"teams:\n" + chunk + after


def _composes(split: Split, blank: int) -> bool:
    """Whether the head and tail (teams' lines blank) compose, and every team composes alone
    and holds no anchor or alias (its values could then come from another team's text)."""
    skeleton = (split.head, str(blank).encode(), split.tail)
    if not _kept_composes(skeleton, lambda: split.head + b"\n" * blank + split.tail):
        return False
    for index in range(len(split.chunks)):
        key = _key(split, index)
        if not _kept_composes(key, partial(_alone, key)):
            return False
    return True


def _alone(key: tuple[bytes, ...]) -> bytes | None:
    """The team composed alone (:func:`_padded`), or None when it may share values."""
    chunk = key[0]
    if may_share_values(Split(b"", (chunk,), (1,), b"")):
        return None
    return _padded(key)


def _recall(kept: dict[tuple[bytes, ...], _V], key: tuple[bytes, ...]) -> tuple[_V] | None:
    """``(value,)`` when ``key`` is kept (now the most recently used), else None."""
    with _LOCK:
        if key not in kept:
            return None
        value = kept[key] = kept.pop(key)
        return (value,)


def _remember(
    kept: dict[tuple[bytes, ...], _V], key: tuple[bytes, ...], value: _V, bound: int
) -> None:
    """Keep ``value``; the least recently used go beyond ``bound``."""
    with _LOCK:
        kept[key] = value
        while len(kept) > bound:
            del kept[next(iter(kept))]


def _kept_composes(key: tuple[bytes, ...], data: Callable[[], bytes | None]) -> bool:
    known = _recall(_COMPOSES, key)
    if known is not None:
        return known[0]
    try:
        text = data()
        if text is not None:
            compose_nodes(text)
        composes = text is not None
    except Exception:  # noqa: BLE001 - does not compose: the whole buffer decides
        composes = False
    _remember(_COMPOSES, key, composes, KEPT_PIECES)
    return composes


def _tree(split: Split, index: int) -> Node | None:
    key = _key(split, index)
    kept = _recall(_TREES, key)
    if kept is not None:
        return kept[0]
    try:
        tree = compose_nodes(_padded(key))
    except Exception:  # noqa: BLE001 - checked by _composes; a tree that fails is no tree
        tree = None
    _remember(_TREES, key, tree, KEPT_TREES)
    return tree
