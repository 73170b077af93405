"""Positions in a buffer: LSP's (0-based, UTF-16) against planc's spans and YAML paths.

Nothing here needs pygls. A buffer is composed with the same libyaml composer
as the compiler (:mod:`planc.core.composer`), so the path found under the
cursor is the path a :class:`planc.core.source.Loc` holds. Half-typed YAML does
not compose: the features that must still work then (completion, definitions)
read the line under the cursor instead (:func:`key_context`, :func:`word_at`).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from planc.core.composer import compose_nodes
from planc.core.source import PathPart

MAX_COMPOSE_CHARS = 16 * 1024 * 1024  # hover and outlines give up on a larger buffer
_ID_CHARS = re.compile(r"[\w.\-/]+")
_KEY_VALUE = re.compile(r"([\w-]+):[ \t]*([\w.\-/]*)\Z")
_ITEM = re.compile(r"^([ \t]*)-[ \t]+([\w.\-/]*)\Z")
_BARE_KEY = re.compile(r"^([ \t]*)([\w.\-]*)\Z")
_OWNER_KEY = re.compile(r"([\w-]+):[ \t]*\Z")
_FLOW_VALUE = re.compile(r"(?:^|,)[ \t]*([\w-]+):[ \t]*([\w.\-/]*)\Z")
_FLOW_ITEM = re.compile(r"(?:^|,)[ \t]*([\w.\-/]*)\Z")


@dataclass(frozen=True, slots=True)
class Point:
    """A 0-based line and a column in characters (code points), as libyaml counts them."""

    line: int
    col: int


def utf16_col(line_text: str, col: int) -> int:
    """A column in code points → the same column in UTF-16 code units (LSP's default)."""
    return len(line_text[:col].encode("utf-16-le")) // 2


def char_col(line_text: str, utf16: int) -> int:
    """A UTF-16 column (from the editor) → a column in code points."""
    units = 0
    for index, char in enumerate(line_text):
        if units >= utf16:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(line_text)


def lines_of(text: str) -> list[str]:
    return text.split("\n")


_TREES: list[tuple[str, Node | None]] = []  # the last few buffers composed, newest last
KEPT_TREES = 2  # a tree is ~29x its text (1.9 MB region: 55 MB): this buffer and one more
_TREES_LOCK = threading.Lock()  # the outline is built off the server's loop


def compose(text: str) -> Node | None:
    """The buffer's node tree, or ``None`` when it does not compose (yet).

    An editor asks several questions about the same version of a buffer (the
    outline, then a hover, then code actions); the text object stays the same
    until the next edit, so its tree is kept for the last few texts.
    """
    with _TREES_LOCK:
        for kept, root in _TREES:
            if kept is text:
                return root
    root = _compose(text)
    with _TREES_LOCK:
        _TREES.append((text, root))
        del _TREES[:-KEPT_TREES]
    return root


def _compose(text: str) -> Node | None:
    if len(text) > MAX_COMPOSE_CHARS:
        return None
    try:
        return compose_nodes(text.encode("utf-8", "surrogatepass"))
    except Exception:  # noqa: BLE001 - half-typed YAML: no tree, the features fall back
        return None


def _contains(node: Node, point: Point) -> bool:
    start = (node.start_mark.line, node.start_mark.column)
    end = (node.end_mark.line, node.end_mark.column)
    here = (point.line, point.col)
    return start <= here <= end if isinstance(node, ScalarNode) else start <= here < end


def path_at(root: Node | None, point: Point) -> tuple[tuple[PathPart, ...], bool]:
    """The YAML path under ``point`` and whether it is on a mapping key (not its value)."""
    path: list[PathPart] = []
    node = root
    while node is not None:
        if isinstance(node, MappingNode):
            child: Node | None = None
            for key, value in node.value:
                if isinstance(key, ScalarNode) and _contains(key, point):
                    return (*path, key.value), True
                if _contains(value, point):
                    path.append(key.value)
                    child = value
                    break
            node = child
        elif isinstance(node, SequenceNode):
            child = None
            for index, item in enumerate(node.value):
                if _contains(item, point):
                    path.append(index)
                    child = item
                    break
            node = child
        else:
            break
    return tuple(path), False


def node_at_path(root: Node | None, path: tuple[PathPart, ...]) -> Node | None:
    """The node a path leads to, or ``None`` when the buffer has no such place."""
    node = root
    for part in path:
        if isinstance(node, MappingNode):
            found = [v for k, v in node.value if getattr(k, "value", None) == part]
            node = found[-1] if found else None
        elif isinstance(node, SequenceNode) and isinstance(part, int):
            node = node.value[part] if 0 <= part < len(node.value) else None
        else:
            return None
    return node


def word_at(line_text: str, col: int) -> tuple[str, int, int] | None:
    """The id under a column (letters, digits, ``._-/``) with its start and end columns."""
    for match in _ID_CHARS.finditer(line_text):
        if match.start() <= col <= match.end():
            return match.group(), match.start(), match.end()
    return None


@dataclass(frozen=True, slots=True)
class KeyContext:
    """What is being typed: the key whose value (or item, or key below it) it is, and the prefix."""

    key: str
    prefix: str
    as_key: bool = False  # a key inside the mapping ``key`` names (a metric under targets)


def key_context(lines: list[str], line: int, col: int) -> KeyContext | None:
    """The key the cursor's value belongs to, read from the text alone (it may not compose)."""
    if not 0 <= line < len(lines):
        return None
    before = lines[line][:col]
    if "#" in before and not _in_quotes(before):
        return None  # a comment
    opened = _innermost_open(before)
    if opened is not None:
        return _in_flow(before, opened)
    inline = _KEY_VALUE.search(before)
    if inline is not None:
        return KeyContext(inline.group(1), inline.group(2))
    item = _ITEM.match(before)
    if item is not None:
        parent = _parent_key(lines, line, len(item.group(1)), item=True)
        return KeyContext(parent, item.group(2)) if parent else None
    bare = _BARE_KEY.match(before)
    if bare is not None:
        parent = _parent_key(lines, line, len(bare.group(1)), item=False)
        return KeyContext(parent, bare.group(2), as_key=True) if parent else None
    return None


def _innermost_open(text: str) -> int | None:
    """Where the innermost ``{`` or ``[`` still open at the end of ``text`` is (quotes skipped)."""
    stack: list[int] = []
    quote = ""
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "{[":
            stack.append(index)
        elif char in "}]" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _in_flow(before: str, opened: int) -> KeyContext | None:
    """Inside ``{...`` (a key, or the value of a key typed in it) or ``[...`` (an item)."""
    inside = before[opened + 1 :]
    owner = _OWNER_KEY.search(before[:opened])
    if before[opened] == "{":
        value = _FLOW_VALUE.search(inside)
        if value is not None:
            return KeyContext(value.group(1), value.group(2))
        typed = _FLOW_ITEM.search(inside)
        if typed is not None and owner is not None:
            return KeyContext(owner.group(1), typed.group(1), as_key=True)
        return None
    item = _FLOW_ITEM.search(inside)
    if item is not None and owner is not None:
        return KeyContext(owner.group(1), item.group(1))
    return None


def _parent_key(lines: list[str], line: int, indent: int, *, item: bool) -> str | None:
    """The key of the nearest line above with less indentation.

    A list item may also sit at its key's own indentation (``key:`` then ``- a``).
    """
    for above in range(line - 1, max(-1, line - 200), -1):
        text = lines[above]
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        depth = len(text) - len(text.lstrip(" \t"))
        match = re.match(r"[ \t]*(?:-[ \t]+)?([\w-]+):[ \t]*(#.*)?\Z", text)
        if depth < indent or (item and depth == indent and match and not stripped.startswith("-")):
            return match.group(1) if match else None
    return None


def _in_quotes(text: str) -> bool:
    return text.count('"') % 2 == 1 or text.count("'") % 2 == 1
