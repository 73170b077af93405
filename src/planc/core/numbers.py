"""Exact decimals as people and files read them: one place for both spellings."""

from __future__ import annotations

from decimal import Decimal


def grouped(value: Decimal | int) -> str:
    """For people: 1180000 → '1,180,000'; 4.50 → '4.5'."""
    normal = Decimal(value).normalize()
    if normal == normal.to_integral_value():
        return f"{int(normal):,}"
    return f"{normal:,f}"


def plain(value: Decimal | int) -> str:
    """For YAML and JSON: 2910000, 4.5 — never 2.91E+6, never a binary float."""
    normal = Decimal(value).normalize()
    if normal == normal.to_integral_value():
        return str(int(normal))
    return format(normal, "f")
