"""Paths to positions: the one place a :class:`Loc` becomes a 1-based line and column.

Only when a diagnostic is reported is a file read again for positions:
:meth:`SpanResolver.resolve_all` places a file's whole batch of findings in one
pass over its YAML events (:mod:`planc.core.positions`), and composes the file
into nodes and walks each path only where that pass declines (anchors, aliases,
several documents, a YAML error) or a tree of the file is already at hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from planc.core.source import Loc, PathPart, SourceFile, SourceSpan

if TYPE_CHECKING:
    from yaml.nodes import Node

# PyYAML (libyaml's composer and event stream) is imported where a finding is placed,
# never at start-up: a clean check on the fast path never reads a file's positions.


def compose_nodes(data: bytes) -> Node | None:
    """:func:`planc.core.composer.compose_nodes`, imported on first use."""
    from planc.core.composer import compose_nodes as composed  # noqa: PLC0415 - PyYAML

    return composed(data)


def stream_spans(source: SourceFile, locs: Iterable[Loc]) -> dict[Loc, SourceSpan] | None:
    """:func:`planc.core.positions.stream_spans`, imported on first use."""
    from planc.core.positions import stream_spans as streamed  # noqa: PLC0415 - PyYAML

    return streamed(source, locs)


@dataclass(slots=True)
class SpanResolver:
    """Turns :class:`Loc` paths into spans by composing each file at most once."""

    files: dict[str, SourceFile]
    _roots: dict[str, Node | None] = field(default_factory=dict)

    def resolve(self, loc: Loc) -> SourceSpan:
        from planc.core.composer import span_of  # noqa: PLC0415 - PyYAML when asked

        root = self._root(loc.file)
        if root is None:
            return SourceSpan(loc.file, 1, 1)
        node, key_node = _walk(root, loc.path)
        target = key_node if (loc.key and key_node is not None) else node
        return span_of(loc.file, target)

    def resolve_all(self, file: str, locs: Iterable[Loc]) -> dict[Loc, SourceSpan]:
        """The span of each of ``locs`` (all in ``file``), as :meth:`resolve` gives it, without
        composing the file when one streaming pass over it can tell."""
        wanted = list(dict.fromkeys(locs))
        source = self.files.get(file)
        if wanted and source is not None and file not in self._roots:
            found = stream_spans(source, wanted)
            if found is not None:
                return found
        return {loc: self.resolve(loc) for loc in wanted}

    def release(self, file: str) -> None:
        """Forget a file's node tree (it is large; compose again if asked)."""
        self._roots.pop(file, None)

    def _root(self, file: str) -> Node | None:
        if file not in self._roots:
            source = self.files.get(file)
            self._roots[file] = None if source is None else _compose_quietly(source.data)
        return self._roots[file]


def file_spans(source: SourceFile, locs: Iterable[Loc]) -> dict[Loc, SourceSpan]:
    """The span of each of ``locs`` (all in ``source``), streamed where it can be."""
    return SpanResolver({source.path: source}).resolve_all(source.path, locs)


def _compose_quietly(data: bytes) -> Node | None:
    try:
        return compose_nodes(data)
    except Exception:  # noqa: BLE001 - a file that does not compose has no spans to give
        return None


def _walk(root: Node, path: tuple[PathPart, ...]) -> tuple[Node, Node | None]:
    """Follow ``path`` as far as it goes; return the deepest node and its key node."""
    from yaml.nodes import MappingNode, SequenceNode  # noqa: PLC0415 - PyYAML when asked

    node: Node = root
    key_node: Node | None = None
    for part in path:
        child = _child(node, part, MappingNode, SequenceNode)
        if child is None:
            break
        key_node, node = child
    return node, key_node


def _child(
    node: Node, part: PathPart, mapping: type[Node], sequence: type[Node]
) -> tuple[Node | None, Node] | None:
    if isinstance(node, mapping):
        found: tuple[Node | None, Node] | None = None
        for key, value in node.value:
            if key.value == part:
                found = (key, value)  # the last one wins, as it does when loading
        return found
    if isinstance(node, sequence) and isinstance(part, int) and 0 <= part < len(node.value):
        item: Any = node.value[part]
        return (None, item)
    return None
