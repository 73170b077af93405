"""Round-trip edits of plan files: change values in place, keep every other byte.

Ops write plan files by hand: comments explain numbers, keys sit in an order
that reads well, short targets are flow mappings and long ones blocks, and
indentation differs from one list to the next. PyYAML forgets all of that on
a load and dump. Even ruamel.yaml's own round-trip dump normalises
indentation and line width, so it does not give back the file byte for byte.

So libyaml's C composer (the one the loader uses, :mod:`planc.core.composer`;
44 times faster than ruamel.yaml's pure-Python one on a 2,500-rep region file)
composes the document into nodes whose marks are exact character offsets
(libyaml counts one per character, two for a CRLF, and starts after a BOM, as
Python indexes the text without it), and each edit becomes a splice of the
original text: the characters of the changed value are replaced, new keys are
inserted as a line in the house style (or as an entry of a flow mapping), and
everything else is copied through untouched. :meth:`YamlDocument.render` refuses overlapping
splices, so two edits can never garble each other.

Where every splice only rewrote a number (or a one-line flow list or mapping of
numbers) as another (:attr:`YamlDocument.numbers_only`, the usual allocation), the
edited text reads as the values the file read as before with the same edits made
(:func:`edited_values`): a plain number's characters decide its type and its end
alone, and every other character is read in the same place as before. So the
edited file need not be loaded again to be checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeAlias

from yaml import YAMLError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from planc.core import chunks
from planc.core.composer import compose_nodes
from planc.core.numbers import out_of_bounds, plain

PathPart = str | int
# What can be written: numbers (always as exact decimals), short text, flat lists and mappings.
Value: TypeAlias = Decimal | int | str | Sequence["Value"] | Mapping[str, "Value"]
Edit: TypeAlias = tuple[tuple[PathPart, ...], Value]  # one set() call: path and value

_PLAIN_TEXT = re.compile(r"[A-Za-z\u0080-\U0010ffff][A-Za-z0-9_.\-/ %()+'\u0080-\U0010ffff]*")
# An id that starts with a digit (2027-Q2) is plain text unless YAML could read it as a number.
_PLAIN_ID = re.compile(r"[0-9][A-Za-z0-9_-]*")
_NUMBER_LIKE = re.compile(r"[-+]?[0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?|0[xXoObB][0-9A-Fa-f_]+")
# Words YAML 1.1 readers (and planc's PLC005) take for booleans or null: always quote them.
_RESERVED = re.compile(r"(?i:y|n|yes|no|on|off|true|false|null|~)")
# What :attr:`YamlDocument.numbers_only` lets a splice replace and write: a plain decimal
# number, or a one-line flow list of them, or a flow mapping of them under plain names.
_NUMBER = r"-?[0-9]+(?:\.[0-9]+)?"
_NAME = r"[A-Za-z][A-Za-z0-9_-]*"
_NUMBERS = re.compile(
    rf"{_NUMBER}|\[ *(?:{_NUMBER} *(?:, *{_NUMBER} *)*)?\]"
    rf"|\{{ *(?:{_NAME}: +{_NUMBER} *(?:, *{_NAME}: +{_NUMBER} *)*)?\}}"
)
_NAMES = re.compile(rf"(?<![A-Za-z0-9_-]){_NAME}(?=:)")


class EditError(Exception):
    """An edit that cannot be made: the path is not in the document, or edits overlap.

    ``line`` and ``column`` (1-based) point at the text that stops it, where there is one.
    """

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line = line
        self.column = column

    def located(self, file: str) -> str:
        """The message as ``file:line:col: message`` (``file: message`` without a place)."""
        where = file if self.line is None else f"{file}:{self.line}:{self.column}"
        return f"{where}: {self}"


# A node's properties before its value: tags (!!int, !local) and an anchor (&name).
_PROPERTIES = re.compile(r"(?:[!&][^\s,\[\]{}]*[ \t\r\n]+)*")
# From after a key's colon or a list's previous item to an alias's star.
_ALIAS_AFTER = re.compile(r"[\s,\[-]*\*")


def _line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character of ``text``."""
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


@dataclass(frozen=True, slots=True)
class _Splice:
    start: int
    end: int
    text: str
    order: int


def flow_text(value: Value) -> str:
    """A value in YAML flow style: ``[1, 2]``, ``{pro: 300000, basic: 250000}``."""
    if isinstance(value, bool):
        raise EditError("booleans are not plan values")
    if isinstance(value, Decimal | int):
        return plain(value)
    if isinstance(value, str):
        if _PLAIN_ID.fullmatch(value) and not _NUMBER_LIKE.fullmatch(value):
            return value
        bare = _PLAIN_TEXT.fullmatch(value) and not _RESERVED.fullmatch(value)
        if bare and value == value.strip() and ": " not in value and " #" not in value:
            return value
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{flow_text(k)}: {flow_text(v)}" for k, v in value.items()) + "}"
    return "[" + ", ".join(flow_text(v) for v in value) + "]"


class YamlDocument:
    """One YAML file, composed once; :meth:`set` records splices, :meth:`render` applies them."""

    def __init__(self, text: str, *, whole: bool = False) -> None:
        """``whole=False``: a region file is composed only up to the end of its teams until
        a path outside ``region:`` is asked for (see :func:`_region_part`)."""
        self._bom = text.startswith("\ufeff")
        self.text = text[1:] if self._bom else text
        self.newline = "\r\n" if "\r\n" in self.text else "\n"
        try:
            self._data = self.text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise EditError(f"the file is not valid YAML: {error}") from error
        part = None if whole else _region_part(self._data)
        self._whole = part is None
        root = None
        if part is not None:
            try:
                root = compose_nodes(part)
            except YAMLError:  # the whole file decides what is wrong
                self._whole = True
        self._keys: dict[int, dict[str, tuple[Node, Node]]] = {}  # id(mapping) -> its keys
        self.root: MappingNode = root if isinstance(root, MappingNode) else self._compose()
        self._splices: list[_Splice] = []

    def _compose(self) -> MappingNode:
        self._whole = True
        self._keys = {}  # the nodes of another tree
        try:
            root = compose_nodes(self._data)
        except YAMLError as error:
            raise EditError(f"the file is not valid YAML: {error}") from error
        if not isinstance(root, MappingNode):
            raise EditError("the file does not hold a YAML mapping")
        return root

    def _reach(self, path: Sequence[PathPart]) -> None:
        """Compose the whole file before a path outside what was composed is walked."""
        if not self._whole and (not path or path[0] != "region"):
            self.root = self._compose()

    # --- reading -------------------------------------------------------------

    def node(self, path: Sequence[PathPart]) -> Node | None:
        """The node at ``path`` (mapping keys and list indexes), or None."""
        self._reach(path)
        node: Node = self.root
        for part in path:
            found = self._child(node, part)
            if found is None:
                return None
            node = found[1]
        return node

    def _child(self, node: Node, part: PathPart) -> tuple[Node | None, Node] | None:
        """:func:`_child`, with each mapping's keys indexed once (an allocation sets
        thousands of paths through the same few mappings)."""
        if not isinstance(node, MappingNode):
            return _child(node, part)
        keys = self._keys.get(id(node))
        if keys is None:
            keys = self._keys[id(node)] = {}
            for key, value in node.value:
                if isinstance(key, ScalarNode):
                    keys[key.value] = (key, value)  # the last one wins, as when loading
        return keys.get(part) if isinstance(part, str) else None

    # --- editing -------------------------------------------------------------

    def set(self, path: Sequence[PathPart], value: Value) -> None:
        """Give the key at ``path`` this value, creating missing mappings on the way.

        An existing scalar is replaced in place; an existing list or mapping is
        replaced item by item when its shape allows, else as a whole in flow
        style; a missing key is inserted into its mapping.
        """
        if not path:
            raise EditError("cannot replace the whole document")
        self._reach(path)
        node: Node = self.root
        for index, part in enumerate(path[:-1]):
            found = self._child(node, part)
            if found is None:
                self._insert(node, part, _nest(path[index + 1 :], value))
                return
            key, child = found
            self._refuse_shared(key, child, node, part)
            if _is_null(child) and key is not None:
                self._replace(key, child, _nest(path[index + 1 :], value))
                return
            node = child
        found = self._child(node, path[-1])
        if found is None:
            self._insert(node, path[-1], value)
            return
        key, child = found
        self._refuse_shared(key, child, node, path[-1])
        if key is None:
            if isinstance(value, Mapping | list | tuple):
                raise EditError(f"cannot replace list item {path[-1]} with a collection")
            self._replace_whole(child, value)
            return
        self._replace(key, child, value)

    def render(self) -> str:
        """The text with every recorded edit applied; the rest is copied unchanged."""
        pieces: list[str] = []
        position = 0
        for splice in sorted(self._splices, key=lambda s: (s.start, s.end, s.order)):
            if splice.start < position:
                raise EditError("two edits overlap")
            pieces.append(self.text[position : splice.start])
            pieces.append(splice.text)
            position = splice.end
        pieces.append(self.text[position:])
        return ("\ufeff" if self._bom else "") + "".join(pieces)

    @property
    def changed(self) -> bool:
        return bool(self._splices)

    @property
    def numbers_only(self) -> bool:
        """Whether every splice replaced a number, or a one-line flow list or mapping of
        numbers, by another (nothing inserted): then the edited text reads as
        :func:`edited_values` says (see the module docstring)."""
        for splice in self._splices:
            for text in (self.text[splice.start : splice.end], splice.text):
                if not _NUMBERS.fullmatch(text) or any(
                    _RESERVED.fullmatch(name) for name in _NAMES.findall(text)
                ):
                    return False
        return True

    def _refuse_shared(
        self, key: Node | None, node: Node, parent: Node, index: PathPart = 0
    ) -> None:
        """Refuse to edit through a YAML anchor or alias.

        An anchored value (``&name``) is also the value of every ``*name``, and an alias
        composes to the anchored node itself, marks and all: an edit there would splice
        at the anchor, changing another key (and two such edits overlapped). The user
        writes the value out; planc does not guess which of the places was meant.
        ``key`` is None for the item ``index`` of the sequence ``parent``.
        """
        start = node.start_mark.index
        if key is not None:
            written = self._after_colon(key)
        elif isinstance(index, int) and index > 0:
            written = parent.value[index - 1].end_mark.index
        else:
            written = parent.start_mark.index
        if start < written:  # composed from an alias: this node was written before
            alias = _ALIAS_AFTER.match(self.text, written)
            at = alias.end() - 1 if alias is not None else written
            raise EditError(
                "this value is an alias (*name) of a value written elsewhere: write the"
                " value out here before planc edits it",
                *_line_column(self.text, at),
            )
        if self.text[start : start + 1] not in ("&", "!"):  # no properties: the usual case
            return
        found = _PROPERTIES.match(self.text, start)
        properties = found.group().split() if found is not None else []
        for anchor in (p for p in properties if p.startswith("&")):
            raise EditError(
                f"this value has an anchor ({anchor}) that aliases (*{anchor[1:]}) may share:"
                " planc does not edit a shared value; write the value out where it is"
                " used and remove the anchor",
                node.start_mark.line + 1,
                node.start_mark.column + 1,
            )

    # --- the splices ---------------------------------------------------------

    def _splice(self, start: int, end: int, text: str) -> None:
        if self.text[start:end] != text:
            self._splices.append(_Splice(start, end, text, len(self._splices)))

    def _replace_whole(self, node: Node, value: Value) -> None:
        self._splice(node.start_mark.index, node.end_mark.index, flow_text(value))

    def _replace(self, key: Node, node: Node, value: Value) -> None:
        self._refuse_shared(key, node, key)
        if isinstance(node, ScalarNode) and _is_null(node):
            # `targets:` with nothing after it: the value goes after the colon.
            if node.value:  # written as ~ or null
                self._replace_whole(node, value)
            else:  # nothing written: its marks point at the next token
                self._splice_insert(self._after_colon(key), " " + flow_text(value))
            return
        if isinstance(node, ScalarNode) or getattr(node, "flow_style", False):
            if isinstance(node, ScalarNode) and not isinstance(value, Decimal | int | str):
                self._replace_block(key, node, value)
                return
            self._replace_whole(node, value)
            return
        # A block collection: keep it a block where the new value has the same shape.
        if isinstance(node, SequenceNode) and isinstance(value, list | tuple):
            items = node.value
            if len(items) == len(value) and all(isinstance(i, ScalarNode) for i in items):
                for position, (item, new) in enumerate(zip(items, value, strict=True)):
                    self._refuse_shared(None, item, node, position)
                    self._replace_whole(item, new)
                return
        if isinstance(node, MappingNode) and isinstance(value, Mapping):
            keys = [k.value for k, _ in node.value]
            if keys == list(value):
                for k, v in node.value:
                    self._replace(k, v, value[k.value])
                return
        self._replace_block(key, node, value)

    def _replace_block(self, key: Node, node: Node, value: Value) -> None:
        """Replace a block collection (or a scalar) by a flow value after ``key:``."""
        start = self._after_colon(key)
        self._splice(start, _last_leaf_end(node), " " + flow_text(value))

    def _after_colon(self, key: Node) -> int:
        colon = self.text.find(":", key.end_mark.index)
        if colon < 0:
            raise EditError(f"no colon after key {getattr(key, 'value', '?')}")
        return colon + 1

    def _insert(self, node: Node, key: PathPart, value: Value) -> None:
        if not isinstance(node, MappingNode) or not isinstance(key, str):
            raise EditError(f"cannot add {key!r} here: not a mapping key")
        entry = f"{flow_text(key)}: {flow_text(value)}"
        if node.flow_style:
            if node.value:
                self._splice_insert(node.value[-1][1].end_mark.index, ", " + entry)
            else:
                self._splice_insert(node.start_mark.index + 1, entry)
            return
        indent = node.value[0][0].start_mark.column
        position = self._next_line(_last_leaf_end(node))
        prefix = "" if position == 0 or self.text[position - 1] == "\n" else self.newline
        self._splice_insert(position, prefix + " " * indent + entry + self.newline)

    def _splice_insert(self, position: int, text: str) -> None:
        self._splices.append(_Splice(position, position, text, len(self._splices)))

    def _next_line(self, position: int) -> int:
        """The start of the line after ``position`` (or the end of the text)."""
        if position > 0 and self.text[position - 1] == "\n":
            return position
        newline = self.text.find("\n", position)
        return len(self.text) if newline < 0 else newline + 1


_TOP_REGION = re.compile(rb"^region\s*:", re.MULTILINE)


def _region_part(data: bytes) -> bytes | None:
    """A region file up to the end of its last team (about half of it: ``people:``,
    ``actions:`` and ``adjustments:`` follow), or None to compose it whole.

    Composing a prefix of the text gives the nodes in it the marks the whole file
    gives them (the same characters before them), and the prefix ends where the
    tail's first top-level key begins (:func:`planc.core.chunks.split_region`
    vouches for the layout), so every node of ``region:`` is composed whole. A
    second ``region:`` key in the tail (the last would win) keeps the file whole.
    tests/test_allocate_yamledit.py compares every node of ``region:`` both ways.
    """
    split = chunks.split_region(data)
    if split is None or not split.tail or _TOP_REGION.search(split.tail):
        return None
    return data[: len(data) - len(split.tail)]


def _nest(path: Sequence[PathPart], value: Value) -> Value:
    for part in reversed(path):
        if not isinstance(part, str):
            raise EditError(f"cannot create list item {part}")
        value = {part: value}
    return value


_NULL_TAG = "tag:yaml.org,2002:null"


def _is_null(node: Node) -> bool:
    """Nothing written, ``~`` or ``null`` (tags are not resolved: a plain or ``!!null`` scalar)."""
    return (
        isinstance(node, ScalarNode)
        and node.value in ("", "~", "null")
        and (node.tag == _NULL_TAG or (node.tag is None and not node.style))
    )


def _child(node: Node, part: PathPart) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode):
        found: tuple[Node | None, Node] | None = None
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == part:
                found = (key, value)  # the last one wins, as when loading
        return found
    if isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return (None, node.value[part])
    return None


def _last_leaf_end(node: Node) -> int:
    """Where the last written character of a value is (block collections end later)."""
    while True:
        if isinstance(node, ScalarNode) or getattr(node, "flow_style", False) or not node.value:
            return int(node.end_mark.index)
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last


def edited_values(values: Mapping[str, Any], edits: Sequence[Edit]) -> dict[str, Any]:
    """The values a file was loaded as, with :meth:`YamlDocument.set`'s edits made as a
    load of the edited text gives them: an existing key keeps its place, a missing one
    goes last (mappings on the way created), a number is an ``int`` where its text is an
    integer, else the exact ``Decimal``. ``values`` is left as it is: only the lists and
    mappings on an edit's path are copied. Raises :class:`EditError` where ``set`` would
    or a number is out of planc's bounds (the load would report it)."""
    root = dict(values)
    copied = {id(root)}

    def own(container: Any) -> Any:
        if id(container) in copied:
            return container
        if type(container) is dict:
            made: Any = dict(container)
        elif type(container) is list:
            made = list(container)
        else:
            raise EditError("an edit goes through a value that is not a list or mapping")
        copied.add(id(made))
        return made

    for path, value in edits:
        if not path:
            raise EditError("cannot replace the whole document")
        node: Any = root
        for index, part in enumerate(path[:-1]):
            child = _item(node, part)
            if child is None:  # missing, or written as null: the rest of the path is made
                node[part] = _as_loaded(_nest(path[index + 1 :], value))
                break
            node[part] = child = own(child)
            node = child
        else:
            if type(node) is list and _item(node, path[-1]) is None:
                raise EditError(f"no list item {path[-1]}")
            if type(node) is dict and not isinstance(path[-1], str):
                raise EditError(f"cannot add {path[-1]!r} here: not a mapping key")
            node[path[-1]] = _as_loaded(value)
    return root


def _item(node: Any, part: PathPart) -> Any:
    if type(node) is dict and isinstance(part, str):
        return node.get(part)
    if type(node) is list and type(part) is int and 0 <= part < len(node):
        return node[part]
    raise EditError(f"no place {part!r} here")


def _as_loaded(value: Value) -> Any:
    if isinstance(value, bool):
        raise EditError("booleans are not plan values")
    if isinstance(value, Decimal | int):
        text = plain(value)
        number = int(text) if text.lstrip("-").isdigit() else Decimal(text)
        if out_of_bounds(number) is not None:
            raise EditError(f"{text} is beyond what planc reads")
        return number
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return {key: _as_loaded(item) for key, item in value.items()}
    return [_as_loaded(item) for item in value]
