"""The track report's rounded figures: spelled as plain() spells the rounded value."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from planc.core.numbers import plain
from planc.track.report import CENT, PERCENT_PLACES, _derived

EDGES = ["0", "-0", "-0.001", "0.005", "-0.005", "1200", "1E+3", "12.5", "79.9600", "-1.50"]


def _values() -> list[Decimal]:
    rng = random.Random(16)
    found = [Decimal(text) for text in EDGES]
    found += [Decimal("123456789012345678901234.004"), Decimal("NaN"), Decimal("-0.0000499")]
    for _ in range(3000):
        found.append(Decimal(rng.randint(-(10**12), 10**12)).scaleb(-rng.randint(0, 12)))
        found.append(Decimal(rng.randint(-(10**5), 10**5)) / Decimal(rng.randint(1, 997)))
    return found


@pytest.mark.parametrize("quantum", [CENT, PERCENT_PLACES])
def test_a_derived_figure_is_plain_of_its_rounded_value(quantum: Decimal) -> None:
    for value in _values():
        expected = plain(value.quantize(quantum, rounding=ROUND_HALF_EVEN))
        assert _derived(value, quantum) == expected, value
    assert _derived(None) is None
