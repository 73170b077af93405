"""The pipeline aggregates of an export, chunk by chunk: what a forecast needs, never rows.

:mod:`planc.track.actuals` reads the export and hands each chunk's per-row
arrays here (stage class, close day, created day, rep, product); this module
keeps, in numpy counters, the deals open at the end of the as-of day by rep,
product, stage and age in weeks, every observed sales cycle (age at close, or
at as-of for deals still open then: censored), deals created in the last
:data:`LOOKBACK` days, and the won value per product. ``result`` turns them
into the seam's :class:`~planc.track.aggregates.Pipeline`.

A deal is *open at as-of* when it was created on or before the as-of day and
not closed by it: still open in the export, or closed (won or lost) after the
as-of day. What the export says of such a deal today is not used: neither its
final amount (a lost deal's 0 or a won deal's price would tell the outcome)
nor, unless the export is no newer than the as-of day, its stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from planc.track import aggregates as agg

LOOKBACK = 60  # days of deal creation that give the rate of deals not yet created
MAX_WEEK = 104  # open deals two years old or older are counted in their 104th week
DENSE_CELLS = 1 << 23  # up to this many (rep, product, stage, week) cells, count in an array
WON_OUTCOME, LOST_OUTCOME = "won", "lost"

IntArray = npt.NDArray[np.integer[Any]]
BoolArray = npt.NDArray[np.bool_]


@dataclass(slots=True)
class Chunk:
    """One chunk's rows, as the reader classified them (all arrays of the chunk's length).

    ``close_day`` and ``created_day`` are day ordinals, negative when empty or
    not a date; ``rep`` is -1 or below for an owner without a rep seat;
    ``product`` -1 for none (or None without a product column); ``stage`` an
    index into the mapping's open stages + 1 (0: not an open stage); and
    ``amount`` the amount in units of ``10**-scale`` where ``priced``.
    """

    won: BoolArray
    lost: BoolArray
    open: BoolArray
    close_day: IntArray
    created_day: IntArray
    rep: IntArray
    product: IntArray | None
    stage: IntArray
    amount: npt.NDArray[Any]
    priced: BoolArray
    scale: int


class PipelineAggregator:
    """Accumulates :class:`Chunk` s into the counters of a :class:`Pipeline`."""

    def __init__(
        self,
        as_of_day: int,
        reps: list[str],
        products: list[str],
        open_stages: tuple[str, ...],
    ) -> None:
        self.as_of_day = as_of_day
        self.reps = reps
        self.products = products
        self.open_stages = open_stages
        self.shape = (len(reps), len(products) + 1, len(open_stages) + 1, MAX_WEEK + 1)
        cells = int(np.prod(self.shape))
        self.open_counts = np.zeros(cells if cells <= DENSE_CELLS else 0, dtype=np.int64)
        self.sparse_counts: dict[int, int] = {}
        self.priced: dict[tuple[int, int, int, int], agg.Sums] = {}
        self.won_ages: IntArray = np.zeros(0, dtype=np.int64)
        self.lost_ages: IntArray = np.zeros(0, dtype=np.int64)
        self.open_ages: IntArray = np.zeros(0, dtype=np.int64)
        self.created = np.zeros(len(reps) * (len(products) + 1), dtype=np.int64)
        self.won_value: dict[int, agg.Sums] = {}
        self.latest_day = 0

    def add(self, chunk: Chunk) -> None:
        # Each mask is made once, and ages only of the rows that have one (at 5M rows this
        # took 0.05 s CPU per 1M rows, where every row's age and three ranges cost 0.07).
        as_of = self.as_of_day
        created, close = chunk.created_day, chunk.close_day
        born = by_day(created, as_of)
        closed = chunk.won | chunk.lost
        closed_after = closed & (close > as_of)
        open_then = born & (chunk.open | closed_after)
        self.latest_day = max(
            self.latest_day, int(close.max(initial=0)), int(created.max(initial=0))
        )
        # sales cycles: closed by as-of at their age then; open then, censored at as-of
        cycles = born & closed & by_day(close, as_of)
        for outcome, name in ((chunk.won, "won_ages"), (chunk.lost, "lost_ages")):
            rows = np.flatnonzero(cycles & outcome)
            ages = np.maximum(close[rows] - created[rows], 0)
            setattr(self, name, _add_counts(getattr(self, name), ages))
        then = np.flatnonzero(open_then)
        self.open_ages = _add_counts(self.open_ages, as_of - created[then])
        product = chunk.product
        mapped = chunk.rep >= 0
        rows = then[mapped[then]]
        if len(rows):
            # The cell of each (np.ravel_multi_index's, in place: a third of its time): the
            # rep is mapped, the product -1 or one, the stage an index and the week 0 to
            # MAX_WEEK (the deal was created by as-of), so every index is in its range.
            _, product_slots, stage_slots, weeks = self.shape
            key = chunk.rep[rows].astype(np.int64)
            key *= product_slots
            if product is not None:
                key += product[rows]
                key += 1
            key *= stage_slots
            # the stage is an open deal's own only while the export still has it open
            key += chunk.stage[rows] * chunk.open[rows]
            key *= weeks
            key += np.minimum((as_of - created[rows]) // 7, MAX_WEEK)
            self._count_open(key)
            has_amount = chunk.priced[rows] & chunk.open[rows]
            if has_amount.any():
                self._add_priced(rows[has_amount], key[has_amount], chunk)
        known = closed | chunk.open  # not a superseded row, nor another stage
        recent = np.flatnonzero(known & born & mapped & (created > as_of - LOOKBACK))
        if len(recent):
            slot = chunk.rep[recent] * (len(self.products) + 1)
            if product is not None:
                slot = slot + product[recent] + 1
            self.created += np.bincount(slot, minlength=len(self.created))

    def _count_open(self, key: IntArray) -> None:
        if len(self.open_counts):
            # A chunk's open deals (~71k at 5M rows) are few against the cells (reps x
            # product lines x stages x weeks): a count per key where a bincount made and
            # added an array of every cell (0.067 s CPU at 5M rows against 0.004).
            if len(key) < len(self.open_counts):
                np.add.at(self.open_counts, key, 1)
            else:
                self.open_counts += np.bincount(key, minlength=len(self.open_counts))
            return
        found, counts = np.unique(key, return_counts=True)  # a plan of many thousands of reps
        for k, n in zip(found.tolist(), counts.tolist(), strict=True):
            self.sparse_counts[k] = self.sparse_counts.get(k, 0) + n

    def _add_priced(self, rows: IntArray, keys: IntArray, chunk: Chunk) -> None:
        """Open deals with an amount: rare in exports, so summed one by one, exactly."""
        for key, value in zip(keys.tolist(), chunk.amount[rows].tolist(), strict=True):
            amount = Decimal(int(value)).scaleb(-chunk.scale)
            r, p, s, w = (int(i) for i in np.unravel_index(key, self.shape))
            cell = (r, p, s, w)
            self.priced[cell] = self.priced.get(cell, agg.Sums()) + agg.Sums(
                1, 1, amount, amount * amount
            )

    def add_won_value(self, won: dict[int, agg.Sums]) -> None:
        """Won deals of the months kept (closed by as-of), per product slot (0: none)."""
        for slot, sums in won.items():
            self.won_value[slot] = self.won_value.get(slot, agg.Sums()) + sums

    def _week_rows(self) -> list[tuple[int, list[int]]]:
        """(rep/product/stage group, deals by week) for every group with open deals."""
        width = MAX_WEEK + 1
        if len(self.open_counts):
            table = self.open_counts.reshape(-1, width)
            present = np.flatnonzero(table.any(axis=1))
            # each group's weeks up to its oldest open deal
            ends = width - np.argmax(table[present, ::-1] != 0, axis=1)
            return [
                (g, table[g, :end].tolist())
                for g, end in zip(present.tolist(), ends.tolist(), strict=True)
            ]
        groups: dict[int, list[int]] = {}
        for key, count in self.sparse_counts.items():
            group, week = divmod(key, width)
            groups.setdefault(group, [0] * width)[week] += count
        return sorted(groups.items())

    def _open(self) -> dict[tuple[str, str, str], agg.OpenDeals]:
        names = ["", *self.products]
        stages = ["", *self.open_stages]
        priced: dict[tuple[int, int, int], dict[int, agg.Sums]] = {}
        for (r, p, s, w), sums in self.priced.items():
            priced.setdefault((r, p, s), {})[w] = sums
        out: dict[tuple[str, str, str], agg.OpenDeals] = {}
        _, product_slots, stage_slots, _ = self.shape
        for group, weeks in self._week_rows():
            # np.unravel_index's arithmetic in Python: a numpy call per group cost ~0.03 s
            # CPU at 1,000 reps (3,600 groups), more than the rest of the loop
            rest, s = divmod(group, stage_slots)
            r, p = divmod(rest, product_slots)
            while weeks and not weeks[-1]:
                weeks.pop()
            out[(self.reps[r], names[p], stages[s])] = agg.OpenDeals(
                tuple(weeks), priced.get((r, p, s), {})
            )
        return out

    def result(self) -> agg.Pipeline:
        names = ["", *self.products]
        closed = {
            **{(WON_OUTCOME, a): n for a, n in _nonzero(self.won_ages)},
            **{(LOST_OUTCOME, a): n for a, n in _nonzero(self.lost_ages)},
        }
        width = len(self.products) + 1
        created = {
            (self.reps[slot // width], names[slot % width]): int(self.created[slot])
            for slot in np.flatnonzero(self.created).tolist()
        }
        return agg.Pipeline(
            open=self._open(),
            closed_ages=closed,
            open_ages=dict(_nonzero(self.open_ages)),
            won_value={names[slot]: sums for slot, sums in self.won_value.items()},
            created=created,
            lookback=LOOKBACK,
            stages_current=self.latest_day <= self.as_of_day,
        )


def by_day(days: IntArray, day: int) -> BoolArray:
    """Which days are dates on or before ``day`` (not negative: none, or not a date); one
    pass for int64 days, whose negative ones, seen as unsigned, come after any day."""
    if days.dtype == np.int64 and day >= 0:
        return days.view(np.uint64) <= np.uint64(day)
    return (days >= 0) & (days <= day)


def _add_counts(counts: IntArray, values: IntArray) -> IntArray:
    if not len(values):
        return counts
    found = np.bincount(values)
    if len(found) > len(counts):
        counts = np.concatenate([counts, np.zeros(len(found) - len(counts), dtype=np.int64)])
    counts[: len(found)] += found
    return counts


def _nonzero(counts: IntArray) -> list[tuple[int, int]]:
    return [(int(a), int(counts[a])) for a in np.flatnonzero(counts)]
