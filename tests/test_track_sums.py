"""Won amounts summed as integers (actuals._WonSums) against the Decimal adds they replace.

The aggregator used to add ``Decimal(total).scaleb(-scale)`` per (rep, month, product)
cell and chunk; it now sums integers per scale and makes the Decimals once. These
tests run both on the same random chunks (scales 0-6, zero amounts, cells seen in
some chunks only, sums that leave int64) and compare the cells: same keys in the same
order, same Decimal digits and exponent (the most places of any chunk), same deals.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from planc.track import actuals as a


def aggregator(reps: int, slots: int, products: int, *, decimals: bool) -> Any:
    """An aggregator with only what _sum_won reads (no plan needed)."""
    agg = a._Aggregator.__new__(a._Aggregator)
    agg.reps = [f"r{i}" for i in range(reps)]
    agg.slots = list(range(slots))
    agg.products = [f"p{i}" for i in range(products)]
    agg.won = {}
    agg.won_sums = None
    agg.won_in_decimals = decimals  # True: the Decimal adds alone, as before _WonSums
    agg.won_scale = 0
    return agg


def chunks(seed: int, reps: int, slots: int, products: int, big: bool) -> list[Any]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(int(rng.integers(1, 7))):
        n = int(rng.integers(0, 400))
        scale = int(rng.integers(0, 7))
        rep = rng.integers(0, reps, n).astype(np.int64)
        slot = rng.integers(0, slots, n).astype(np.int16)
        product = rng.integers(-1, products, n).astype(np.int64)
        amount = rng.integers(0, 10 ** int(rng.integers(1, 12)), n).astype(np.int64)
        amount[rng.random(n) < 0.2] = 0
        if big and n and rng.random() < 0.5:
            amount[rng.integers(0, n)] = 2**61 // max(n, 1) + int(rng.integers(0, 2**40))
        rows = np.flatnonzero(rng.random(n) < 0.8)
        out.append((rows, rep, slot, product if rng.random() < 0.8 else None, amount, scale))
    return out


def summed(agg: Any, parts: list[Any]) -> list[tuple[Any, str, int]]:
    for rows, rep, slot, product, amount, scale in parts:
        agg._sum_won(rows, rep, slot, product, amount, scale)
    agg._all_won()
    return [(cell, str(total), deals) for cell, (total, deals) in agg.won.items()]


@pytest.mark.parametrize("seed", range(120))
def test_integer_sums_make_the_decimal_adds_cells(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    reps, slots, products = (int(rng.integers(1, 9)) for _ in range(3))
    parts = chunks(seed, reps, slots, products, big=seed % 3 == 0)
    fast = summed(aggregator(reps, slots, products, decimals=False), parts)
    exact = summed(aggregator(reps, slots, products, decimals=True), parts)
    assert fast == exact


def test_the_exponent_is_the_finest_scale_that_added_to_the_cell() -> None:
    agg = aggregator(1, 1, 0, decimals=False)
    one = np.zeros(1, dtype=np.int64)
    agg._sum_won(np.array([0]), one, one.astype(np.int16), None, np.array([150]), 2)
    agg._sum_won(np.array([0]), one, one.astype(np.int16), None, np.array([0]), 3)
    assert agg.won_sums is not None  # the integer path took both chunks
    agg._won_decimals()
    assert [(str(t), d) for t, d in agg.won.values()] == [("1.500", 2)]


def test_a_sum_past_int64_turns_to_decimals_and_stays_there() -> None:
    agg = aggregator(2, 1, 0, decimals=False)
    rep = np.array([1, 0], dtype=np.int64)
    slot = np.zeros(2, dtype=np.int16)
    agg._sum_won(np.array([0, 1]), rep, slot, None, np.array([5, 7]), 0)
    assert agg.won_sums is not None and not agg.won
    agg._sum_won(np.array([0]), rep, slot, None, np.array([2**62, 0]), 1)
    assert agg.won_sums is None and agg.won_in_decimals
    agg._sum_won(np.array([1]), rep, slot, None, np.array([0, 3]), 0)
    assert agg.won_sums is None  # no integer cells again after the turn
    cells = {cell: (str(t), d) for cell, (t, d) in agg.won.items()}
    assert list(cells) == [(0, 0, 0), (1, 0, 0)]  # first seen in the first chunk, by cell
    assert cells[(1, 0, 0)] == (str(Decimal(5) + Decimal(2**62).scaleb(-1)), 2)
    assert cells[(0, 0, 0)] == ("10.0", 2)  # the places of the finest chunk so far


def test_every_cell_has_the_places_of_the_finest_chunk() -> None:
    """A cell only whole amounts added to still shows the file's places: how a sum prints
    does not depend on where the chunks break."""
    for decimals in (False, True):
        agg = aggregator(2, 1, 0, decimals=decimals)
        rep = np.array([0, 1], dtype=np.int64)
        slot = np.zeros(2, dtype=np.int16)
        agg._sum_won(np.array([0]), rep, slot, None, np.array([1200, 0]), 0)
        agg._sum_won(np.array([1]), rep, slot, None, np.array([0, 2100]), 2)
        agg._all_won()
        assert [(str(t), d) for t, d in agg.won.values()] == [("1200.00", 1), ("21.00", 1)]


@pytest.mark.parametrize("seed", range(20))
def test_lost_deals_counted_in_numpy_hold_the_dict_adds_order(seed: int) -> None:
    """_count_lost adds each chunk's (rep, month) counts with numpy (_FirstSeenCounts); the
    result holds the counts and order the per-chunk dict adds made."""
    rng = np.random.default_rng(seed)
    reps, slots = int(rng.integers(1, 9)), int(rng.integers(1, 5))
    agg = aggregator(reps, slots, 0, decimals=False)
    agg.lost = {}
    agg.lost_counts = a._FirstSeenCounts(reps * slots)
    expected: dict[tuple[int, int], int] = {}
    for _ in range(int(rng.integers(1, 6))):
        n = int(rng.integers(0, 50))
        rep = rng.integers(0, reps, n).astype(np.int64)
        slot = rng.integers(0, slots, n).astype(np.int16)
        rows = np.flatnonzero(rng.random(n) < 0.7)
        agg._count_lost(rows, rep, slot)
        for pair in sorted({(int(rep[i]), int(slot[i])) for i in rows}):
            expected[pair] = expected.get(pair, 0) + sum(
                1 for i in rows if (rep[i], slot[i]) == pair
            )
    agg._all_lost()
    assert list(agg.lost.items()) == list(expected.items())
