"""Adjustment records written into a quarter file, every other byte kept.

``planc propose`` appends a record for the changes of a pull request;
``planc import --update`` appends a *stub* per changed target, a record whose
cause and note are empty (``cause: ""``) for a person to fill in, which
``planc check`` reports (PLC630) until they are; ``planc propose --cause ...
--note ...`` fills the stubs in. Edits are splices of the original text at
positions from libyaml's composer, so comments, order and style stay.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from planc.core.composer import compose_nodes
from planc.core.numbers import plain

CAUSES = ("market", "competitor", "policy", "execution", "resources", "reorganisation", "other")
_ADJ_ID = re.compile(r"ADJ-(\d+)\Z")


def next_id(taken: Collection[str]) -> str:
    """The record id after the highest ADJ-nnn taken."""
    numbers = [int(m.group(1)) for m in map(_ADJ_ID.match, taken) if m]
    return f"ADJ-{(max(numbers) + 1 if numbers else 1):03d}"


@dataclass(frozen=True, slots=True)
class RecordText:
    id: str
    decided: date
    effective: date
    cause: str
    note: str
    approved_by: tuple[str, ...]
    changes: list[tuple[str, Decimal | None, Decimal]]

    def lines(self, indent: int) -> list[str]:
        pad, inner = " " * indent, " " * (indent + 2)
        out = [
            f"{pad}- id: {self.id}",
            f"{inner}date: {self.decided.isoformat()}",
            f"{inner}effective: {self.effective.isoformat()}",
            f"{inner}cause: {self.cause}"
            if self.cause
            else f'{inner}cause: ""  # {" | ".join(CAUSES)}',
            f"{inner}note: {_quoted(self.note)}"
            if self.note
            else f'{inner}note: ""  # what happened, in a sentence or two',
        ]
        if self.approved_by:
            out.append(f"{inner}approved_by: [{', '.join(self.approved_by)}]")
        out.append(f"{inner}changes:")
        for ref, before, after in self.changes:
            old = f", from: {plain(before)}" if before is not None else ""
            out.append(f"{inner}  - {{target: {ref}{old}, to: {plain(after)}}}")
        return out


def _quoted(text: str) -> str:
    # A JSON string is a YAML double-quoted scalar; line separators are escaped as well.
    return (
        json.dumps(" ".join(text.split()), ensure_ascii=False)
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def add_record(data: bytes, record: RecordText) -> bytes:
    """The quarter file with ``record`` appended to its ``adjustments:`` list, every other byte
    kept (comments, order, style). Raises ValueError when the file's shape is unexpected."""
    text = data.decode("utf-8")
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    text = text.removeprefix("\ufeff")
    newline = "\r\n" if "\r\n" in text else "\n"
    root = compose_nodes(text.encode("utf-8"))
    if not isinstance(root, MappingNode):
        raise ValueError("it does not hold a YAML mapping")
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    offset = _offsets(text)

    found = [(k, v) for k, v in root.value if getattr(k, "value", None) == "adjustments"]
    if not found:
        block = newline.join(["adjustments:", *record.lines(2)]) + newline
        separator = "" if not text or text.endswith(("\n", "\r")) else newline
        return (bom + text + separator + block).encode("utf-8")
    key, node = found[-1]
    if isinstance(node, ScalarNode):  # `adjustments:` with nothing (or null) after it
        colon = text.index(":", offset(key.end_mark.line, key.end_mark.column)) + 1
        end = offset(node.end_mark.line, node.end_mark.column) if node.value else colon
        block = newline + newline.join(record.lines(2))
        return (bom + text[:colon] + block + text[end:]).encode("utf-8")
    if not isinstance(node, SequenceNode):
        raise ValueError("adjustments: is not a list")
    if node.flow_style:
        if node.value:
            raise ValueError("adjustments: is a flow list [...]; write it as a block list")
        start = offset(node.start_mark.line, node.start_mark.column)
        end = offset(node.end_mark.line, node.end_mark.column)
        block = newline + newline.join(record.lines(2))
        return (bom + text[:start].rstrip(" ") + block + text[end:]).encode("utf-8")
    indent = node.start_mark.column
    last: Node = node.value[-1]
    while isinstance(last, MappingNode | SequenceNode) and not last.flow_style and last.value:
        last = last.value[-1][1] if isinstance(last, MappingNode) else last.value[-1]
    end_line = last.end_mark.line if last.end_mark.column > 0 else last.end_mark.line - 1
    position = offset(end_line + 1, 0) if end_line + 1 < len(starts) else len(text)
    prefix = "" if position == 0 or text[position - 1] in "\r\n" else newline
    block = prefix + newline.join(record.lines(indent)) + newline
    return (bom + text[:position] + block + text[position:]).encode("utf-8")


def _offsets(text: str) -> Callable[[int, int], int]:
    """Character offset of a 0-based (line, column) mark."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def offset(line: int, column: int) -> int:
        return (starts[line] if line < len(starts) else len(text)) + column

    return offset


def _records(root: Node | None) -> list[MappingNode]:
    found = [v for k, v in getattr(root, "value", []) if getattr(k, "value", None) == "adjustments"]
    if not found or not isinstance(found[-1], SequenceNode):
        return []
    return [item for item in found[-1].value if isinstance(item, MappingNode)]


def _field(record: MappingNode, key: str) -> ScalarNode | None:
    for k, v in record.value:
        if getattr(k, "value", None) == key and isinstance(v, ScalarNode):
            return v
    return None


def stub_ids(data: bytes) -> list[str]:
    """Ids of the records in a quarter file whose cause or note is empty (stubs to fill)."""
    root = compose_nodes(data.decode("utf-8").removeprefix("\ufeff").encode("utf-8"))
    out = []
    for record in _records(root):
        ident, cause, note = (_field(record, k) for k in ("id", "cause", "note"))
        if ident is not None and (not (cause and cause.value) or not (note and note.value)):
            out.append(ident.value)
    return out


def fill_stubs(
    data: bytes, ids: Collection[str], cause: str, note: str, effective: date | None
) -> bytes:
    """The quarter file with the stubs ``ids`` given a cause, a note (and an effective date).

    Only empty fields are filled: a cause or note someone already wrote stays.
    """
    text = data.decode("utf-8")
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    text = text.removeprefix("\ufeff")
    offset = _offsets(text)
    splices: list[tuple[int, int, str]] = []
    for record in _records(compose_nodes(text.encode("utf-8"))):
        ident = _field(record, "id")
        if ident is None or ident.value not in ids:
            continue
        wanted = {"cause": cause, "note": _quoted(note)}
        if effective is not None:
            wanted["effective"] = effective.isoformat()
        for key, value in wanted.items():
            node = _field(record, key)
            if node is None or (key != "effective" and node.value):
                continue
            start = offset(node.start_mark.line, node.start_mark.column)
            end = offset(node.end_mark.line, node.end_mark.column)
            splices.append((start, end, value))
    for start, end, value in sorted(splices, reverse=True):
        text = text[:start] + value + text[end:]
    return (bom + text).encode("utf-8")
