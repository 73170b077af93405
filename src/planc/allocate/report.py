"""How ``planc allocate`` shows a split: a table (before, after, Δ) or JSON."""

from __future__ import annotations

import json
import unicodedata
from decimal import Decimal
from typing import Any

from planc.allocate.allocation import Allocation, ChildChange
from planc.core.numbers import grouped


def _signed(value: Decimal) -> str:
    text = grouped(abs(value))
    if value > 0:
        return "+" + text
    return "-" + text if value < 0 else "0"


def _width(text: str) -> int:
    if text.isascii():  # no ASCII character is wide (East Asian width Na or N)
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _pad(text: str, width: int, *, right: bool) -> str:
    fill = " " * max(width - _width(text), 0)
    return fill + text if right else text + fill


def _share(change: ChildChange) -> str:
    percent = Decimal(change.share.numerator) * 100 / Decimal(change.share.denominator)
    return f"{percent.quantize(Decimal('0.1'))}%"


def _months(values: tuple[Decimal, ...] | None) -> str:
    return "-" if values is None else "[" + ", ".join(grouped(v) for v in values) + "]"


def _products(values: dict[str, Decimal] | None) -> str:
    if values is None:
        return "-"
    return "{" + ", ".join(f"{k}: {grouped(v)}" for k, v in values.items()) + "}"


def header(allocation: Allocation) -> str:
    node = allocation.node
    return (
        f"{node.level.label} {node.id} {allocation.metric.id} {grouped(allocation.parent)}, "
        f"split by {allocation.method}, uplift {grouped(allocation.uplift)}%: "
        f"children add up to {grouped(allocation.total)} "
        f"(in units of {grouped(allocation.unit)})"
        + (f"; held down by {allocation.limited_by}" if allocation.limited_by else "")
    )


def table(allocation: Allocation) -> str:
    """The split as a text table: child, share, before, after, Δ; then phasing and product changes."""
    rows = [("child", "share", "before", "after", "Δ")]
    for c in allocation.children:
        before = "-" if c.before is None else grouped(c.before)
        rows.append((c.node.id, _share(c), before, grouped(c.after), _signed(c.delta)))
    before_total = allocation.before_total
    rows.append(
        (
            "total",
            "100.0%",
            grouped(before_total),
            grouped(allocation.total),
            _signed(allocation.total - before_total),
        )
    )
    widths = [max(_width(row[i]) for row in rows) for i in range(5)]
    lines = [header(allocation), ""]
    for index, row in enumerate(rows):
        if index == len(rows) - 1:
            lines.append("  " + "  ".join("-" * w for w in widths))
        cells = [_pad(cell, widths[i], right=i > 0) for i, cell in enumerate(row)]
        lines.append("  " + "  ".join(cells).rstrip())
    details = []
    for c in allocation.children:
        target = c.target
        if c.stretch is not None and (target is None or c.stretch != target.stretch):
            old = "-" if target is None or target.stretch is None else grouped(target.stretch)
            details.append(f"  {c.node.id} stretch: {old} → {grouped(c.stretch)}")
        if c.months is not None and (target is None or c.months != target.months):
            old_months = None if target is None else target.months
            details.append(f"  {c.node.id} months: {_months(old_months)} → {_months(c.months)}")
        if c.products is not None and (target is None or c.products != dict(target.products or {})):
            old_products = (
                None if target is None or target.products is None else dict(target.products)
            )
            details.append(
                f"  {c.node.id} products: {_products(old_products)} → {_products(c.products)}"
            )
    if details:
        lines += ["", *details]
    return "\n".join(lines) + "\n"


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def as_json(allocations: list[Allocation], written: list[str], dry_run: bool) -> str:
    """The splits for machines; amounts are strings so they stay exact decimals."""
    document = {
        "version": 1,
        "allocations": [_json_allocation(a) for a in allocations],
        "dry_run": dry_run,
        "written": written,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _json_allocation(allocation: Allocation) -> dict[str, Any]:
    number = _number
    children: list[dict[str, Any]] = []
    for c in allocation.children:
        children.append(
            {
                "id": c.node.id,
                "share": str(c.share),
                "before": number(c.before),
                "after": number(c.after),
                "delta": number(c.delta),
                "stretch": number(c.stretch),
                "months": None if c.months is None else [number(m) for m in c.months],
                "products": None
                if c.products is None
                else {k: number(v) for k, v in c.products.items()},
            }
        )
    return {
        "node": allocation.node.id,
        "metric": allocation.metric.id,
        "method": allocation.method,
        "uplift": number(allocation.uplift),
        "unit": number(allocation.unit),
        "parent": number(allocation.parent),
        "total": number(allocation.total),
        "limited_by": allocation.limited_by,
        "children": children,
    }
