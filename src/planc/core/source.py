"""Source files and positions: the one place YAML marks become 1-based line/col.

Values loaded from YAML do not carry positions (that would cost as much as the
load itself). Instead every model object keeps a cheap :class:`Loc`: its file
and its path inside the document. Only when a diagnostic is reported does
:class:`SpanResolver` compose the file again and walk the path to a line and
column, once per file that has diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from yaml.nodes import MappingNode, Node, SequenceNode

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


@dataclass(frozen=True, slots=True)
class SourceFile:
    """The bytes of one plan file, from disk or from a git revision."""

    path: str  # as shown to the user: relative to where planc was run, or to the repo
    data: bytes
    revision: str | None = None

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
        return Loc(self.file, (*self.path, part))

    def as_key(self) -> Loc:
        return Loc(self.file, self.path, True)


@dataclass(slots=True)
class SpanResolver:
    """Turns :class:`Loc` paths into spans by composing each file at most once."""

    files: dict[str, SourceFile]
    _roots: dict[str, Node | None] = field(default_factory=dict)

    def resolve(self, loc: Loc) -> SourceSpan:
        root = self._root(loc.file)
        if root is None:
            return SourceSpan(loc.file, 1, 1)
        node, key_node = _walk(root, loc.path)
        target = key_node if (loc.key and key_node is not None) else node
        return span_of(loc.file, target)

    def release(self, file: str) -> None:
        """Forget a file's node tree (it is large; compose again if asked)."""
        self._roots.pop(file, None)

    def _root(self, file: str) -> Node | None:
        if file not in self._roots:
            source = self.files.get(file)
            self._roots[file] = None if source is None else _compose_quietly(source.data)
        return self._roots[file]


def span_of(path: str, node: Node) -> SourceSpan:
    """The 1-based span of a composed node (libyaml marks are 0-based)."""
    start, end = node.start_mark, node.end_mark
    return SourceSpan(path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _compose_quietly(data: bytes) -> Node | None:
    # Imported here: loader imports this module for its types.
    from planc.core.loader import compose_nodes

    try:
        return compose_nodes(data)
    except Exception:  # noqa: BLE001 - a file that does not compose has no spans to give
        return None


def _walk(root: Node, path: tuple[PathPart, ...]) -> tuple[Node, Node | None]:
    """Follow ``path`` as far as it goes; return the deepest node and its key node."""
    node: Node = root
    key_node: Node | None = None
    for part in path:
        child = _child(node, part)
        if child is None:
            break
        key_node, node = child
    return node, key_node


def _child(node: Node, part: PathPart) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode):
        found: tuple[Node | None, Node] | None = None
        for key, value in node.value:
            if key.value == part:
                found = (key, value)  # the last one wins, as it does when loading
        return found
    if isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        item: Any = node.value[part]
        return (None, item)
    return None
