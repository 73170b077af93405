"""Write plan data as YAML in the house style of the example plans.

Short mappings of plain values are flow mappings (``revenue: {value: 3}``),
lists of numbers flow lists, everything else blocks indented by two. Text is
written plainly where every YAML reader agrees on it and double-quoted
otherwise, so nothing planc writes can fall into a YAML 1.1 trap. The caller
reads the text back with planc's own loader to prove it says what was meant.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from planc.allocate.yamledit import flow_text
from planc.core.numbers import plain

FLOW_WIDTH = 100
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def scalar(value: Any) -> str:
    """One scalar as YAML text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, Decimal | int):
        return plain(value)
    if isinstance(value, str) and _DATE.fullmatch(value):
        return value  # planc reads dates as text; written plainly as in the examples
    return flow_text(str(value))


def _flat(value: Any) -> bool:
    if isinstance(value, Mapping):
        return all(not isinstance(v, Mapping | list | tuple) or _flat(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(not isinstance(v, Mapping | list | tuple) for v in value)
    return True


def _flow(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return scalar(value)


def _fits(prefix: str, value: Any) -> bool:
    return (
        _flat(value) and len(prefix) + len(_flow(value)) <= FLOW_WIDTH and "\n" not in _flow(value)
    )


def _mapping(
    data: Mapping[str, Any], indent: int, out: list[str], first_prefix: str | None = None
) -> None:
    pad = " " * indent
    for index, (key, value) in enumerate(data.items()):
        lead = first_prefix if (index == 0 and first_prefix is not None) else pad
        head = f"{lead}{scalar(key)}:"
        _entry(head, value, indent, out)


def _entry(head: str, value: Any, indent: int, out: list[str]) -> None:
    if isinstance(value, Mapping):
        if not value or _fits(head + " ", value):
            out.append(f"{head} {_flow(value)}")
        else:
            out.append(head)
            _mapping(value, indent + 2, out)
    elif isinstance(value, list | tuple):
        if not value or all(not isinstance(v, Mapping | list | tuple) for v in value):
            out.append(f"{head} {_flow(value)}")
        else:
            out.append(head)
            _sequence(value, indent + 2, out)
    else:
        out.append(f"{head} {scalar(value)}")


def _sequence(items: Sequence[Any], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item, Mapping) and item:
            if _fits(pad + "- ", item):
                out.append(f"{pad}- {_flow(item)}")
            else:
                _mapping(item, indent + 2, out, first_prefix=pad + "- ")
        elif isinstance(item, list | tuple):
            out.append(f"{pad}- {_flow(item)}")
        else:
            out.append(f"{pad}- {scalar(item)}")


def dump(data: Mapping[str, Any], comments: Sequence[str] = ()) -> str:
    """A document: leading comment lines (without ``#``), then the data."""
    out = [f"# {c}".rstrip() if c else "#" for c in comments]
    _mapping(data, 0, out)
    return "\n".join(out) + "\n"
