"""Exact decimals as people and files read them: one place for both spellings."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction


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


MAX_PLACES = 28


def apart(values: Sequence[Decimal | Fraction | int], places: int) -> list[Decimal]:
    """The values rounded to ``places`` decimals, or to as many more as it takes for any
    two that differ to print differently ("the mean is 4.4999, below the target of 4.5",
    never "4.5, below 4.5"). Equal values always print the same. Exact: no context.
    """
    exact = [Fraction(v) for v in values]
    rounded: list[int] = []
    for digits in range(places, places + MAX_PLACES + 1):
        scale = 10**digits
        rounded = [round(f * scale) for f in exact]  # half-even, on exact fractions
        if all(
            (rounded[i] == rounded[j]) == (exact[i] == exact[j])
            for i in range(len(exact))
            for j in range(i + 1, len(exact))
        ):
            break
    return [Decimal(f"{r}e-{digits}") for r in rounded]


# --- the bound on numbers read from plans, exports and options ---------------------------

#: Numbers are read below 10**15 (a thousand trillion) with at most 6 decimals: 21
#: significant digits, so that sums of up to ten million of them stay exact in Decimal's
#: default 28-digit context. planc never rounds a sum silently; it refuses the number.
MAX_INTEGER_DIGITS = 15
MAX_DECIMALS = 6
BOUND_TEXT = (
    f"below 10^{MAX_INTEGER_DIGITS} (a thousand trillion) with at most {MAX_DECIMALS} decimals"
)


def out_of_bounds(value: Decimal | int) -> str | None:
    """Why a number is beyond what planc reads (``None`` when it is within the bound).

    Computed on the digits alone, without a decimal context: nothing here can round
    or overflow, whatever the number's size.
    """
    if isinstance(value, int):
        return None if abs(value) < 10**MAX_INTEGER_DIGITS else "too large"
    if not value.is_finite():
        return "not a finite number"
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    significant = len(digits)
    while significant > 1 and digits[significant - 1] == 0:  # trailing zeros say nothing
        significant -= 1
        exponent += 1
    if significant == 1 and digits[0] == 0:
        return None  # zero, however it is written
    if significant + exponent > MAX_INTEGER_DIGITS:
        return "too large"
    if -exponent > MAX_DECIMALS:
        return "too precise"
    return None


def show_long(text: str, limit: int = 24) -> str:
    """A number as written, shortened for a message: 9999…9999 (400 characters); escaped
    (:func:`planc.core.safetext.shown`, the one place values are shortened for messages)."""
    from planc.core.safetext import shown  # noqa: PLC0415 - only for a message

    return shown(text, limit)
