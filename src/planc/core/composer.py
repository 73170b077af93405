"""libyaml's C composer, with tag resolution switched off: YAML text → node tree.

The lowest layer of the front end. The loader builds values from these nodes
(it classifies scalars itself, so no tag is ever resolved or executed), and the
span resolver composes a file again to turn a path into a line and column.
Both sit above this module; it imports nothing of planc.
"""

from __future__ import annotations

import gc

from yaml.nodes import Node

from planc.core.source import SourceSpan

try:  # the C composer; a pure-Python fallback is 5-10x slower but still correct
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - every supported wheel of PyYAML ships libyaml
    from yaml import Loader as _Parser  # type: ignore[assignment]


class _Composer(_Parser):
    """libyaml's composer with tag resolution switched off: we classify scalars ourselves."""

    def resolve(self, kind: object, value: object, implicit: object) -> None:
        return None

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


def compose_nodes(data: bytes) -> Node | None:
    """Compose one YAML document into nodes (raises yaml.YAMLError on bad YAML).

    The collector is paused meanwhile: a 4.7 MB region file makes about a million nodes,
    and with it running composing took 6x longer (full passes over the growing tree).
    A node tree holds no reference cycles (a child never refers to its parent), so
    reference counting frees it; only a self-referencing alias makes one, which the
    collector frees once it runs again."""
    parser = _Composer(data)
    collecting = gc.isenabled()
    gc.disable()
    try:
        node: Node | None = parser.get_single_node()
        return node
    finally:
        parser.dispose()
        if collecting:
            gc.enable()


def span_of(path: str, node: Node) -> SourceSpan:
    """The 1-based span of a composed node (libyaml marks are 0-based)."""
    start, end = node.start_mark, node.end_mark
    return SourceSpan(path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)
