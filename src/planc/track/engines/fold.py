"""Grouped rows from a database or DuckDB -> the same Actuals the pandas reader builds.

The engines return aggregates keyed by raw CRM values (see ``query``). This
module maps those values with the very matchers of the pandas reader
(``planc.track.actuals._Aggregator``: names normalized, aliases, people
without a seat, stage lists) and fills the same accumulators, so the ledger,
the sums, the warnings and the result are computed by one set of rules
whichever engine read the rows. A group stands for ``n`` rows: every count
is weighted by it.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np

from planc.core.diagnostics import Diagnostic
from planc.core.model import ActualsMapping, Plan
from planc.core.source import Loc, SourceSpan
from planc.track import actuals as a
from planc.track import aggregates as agg
from planc.track import tracking as t
from planc.track.engines import query as q
from planc.track.engines.query import CLOSED_AFTER, MAX_WEEK
from planc.track.rules import CLOSED_WITHOUT_DATE, NEGATIVE_AMOUNT, OPEN_WITHOUT_CREATED

# ledger columns: the LEDGER set's keys, then the aggregates (query.AGGREGATES), in this order
OWNER, PRODUCT, STAGE, MONTH, WHEN, LATE, NO_ACCOUNT = range(7)
_AT = len(q.SET_KEYS[q.LEDGER])
N, AMOUNT, MISSING, BAD_AMOUNT, BAD_DAY, PLACES, NEGATIVE, FIRST_DAY, LAST_DAY, SQUARES = (
    _AT + q.AGGREGATES.index(name)
    for name in (
        "n",
        "amount",
        "missing_amount",
        "bad_amount",
        "bad_day",
        "places",
        "negative",
        "first_day",
        "last_day",
        "squares",
    )
)
BAD_CREATED, MISSING_CREATED, LAST_CREATED = (
    _AT + q.AGGREGATES.index(name) for name in ("bad_created", "missing_created", "last_created")
)
LEDGER_KEYS = ("owner", "product", "stage", "month", "when_", "late", "no_account")


@dataclass(slots=True)
class Ledger:
    """What the ledger query returned, and what the fold needs for the next queries."""

    won_stages: list[str] | None  # raw stage values that are won (None: no stage column)
    rep_owners: list[str]  # raw owner values that map to a rep
    scale: int  # digits after the point of the amounts counted


class GroupedAggregator(a._Aggregator):
    """The pandas reader's aggregator, fed grouped rows instead of chunks.

    ``where`` says where a warning about a role points: a row of the file
    (DuckDB over a file: found afterwards) or the mapping in the plan (a
    database: there are no row numbers, the message names the source).
    """

    def __init__(
        self,
        plan: Plan,
        mapping: ActualsMapping,
        as_of: date,
        name: str,
        *,
        baselines: bool,
        where: Callable[[str, int], Loc | SourceSpan],
    ) -> None:
        super().__init__(plan, mapping, as_of, name, baselines=baselines)
        self.where = where
        self.rows_known = False  # every warning's first row located (DuckDB over a file)
        self.bad_amount_rows = 0  # text that is no plain decimal (DuckDB over a file)
        self.bad_day_rows = 0  # text that is no date (DuckDB over a file)
        self.negative_rows = 0  # won rows of the months tracked with an amount below 0
        # an account's text as fetched -> its id (-1: none); each account comes twice (its
        # sums, its first deal), 20k accounts at 1M rows: the second time is one dict hit
        self._account_memo: dict[str, int] = {}
        # won rows of add_account_codes, summed when a report first looks a sum up (see
        # _account_maps): (owner values, owner codes, account ids, account codes, months,
        # units, scale)
        self._account_rows: list[tuple[Any, Any, Any, Any, Any, Any, int]] = []
        # reads of those rows left for then (see defer_account_rows): each one's read, its
        # scale and what releases what it reads from
        self._account_reads: list[tuple[Callable[[GroupedAggregator], None], int]] = []
        self._releases: list[Callable[[], None]] = []

    def not_won_stages(self) -> list[str]:
        """Stage values that are open or lost for certain (see :meth:`closed_stages`)."""
        return self._spellings((a.OPEN, a.LOST))

    def closed_stages(self) -> list[str]:
        """Stage values that are won or lost for certain: the mapping's names as written,
        lower- and upper-cased (ASCII names only), each checked through the same matcher."""
        return self._spellings((a.WON, a.LOST))

    def _spellings(self, classes: tuple[int, ...]) -> list[str]:
        names = [*self.mapping.won, *self.mapping.open, *self.mapping.lost]
        found: set[str] = set()
        for name in names:
            spellings = {name, name.lower(), name.upper()} if name.isascii() else {name}
            for spelling in spellings:
                if self.stage_of.get(a._norm(spelling)) in classes:
                    found.add(spelling)
        return sorted(found)

    def account_months(self) -> list[int]:
        """The months whose account sums are kept (attribution, account counts)."""
        return [m for m, kept in zip(self.slots, self.account_slot, strict=False) if kept]

    def _span(self, row: int, role: str) -> SourceSpan:
        return self.where(role, row)  # type: ignore[return-value]

    # -- the ledger query --

    def add_ledger(self, columns: Sequence[Any]) -> Ledger:
        """Fold the LEDGER set's groups (one sequence per column); the raw values others need."""
        if not len(columns[N]):
            return Ledger([], [], 0)
        n = _ints(columns[N], 0)
        self.rows += int(n.sum())
        owner_codes, owner_values = _factorize(columns[OWNER])
        rep = self._owner_lut(owner_values)[owner_codes]
        stage, won_stages = self._stages(columns[STAGE], n)
        when = _ints(columns[WHEN], a.W_NONE)
        slot = self._slots(_ints(columns[MONTH], -1), _ints(columns[LATE], 0) != 0)
        owner_class = -np.minimum(rep, 0)
        reason = a._LEDGER[(stage * 5 + when) * 3 + owner_class]
        lost_no_date = (stage == a.LOST) & (when == a.W_NONE)
        reason[lost_no_date] = a.R_LOST_NO_DATE
        self.lost_no_date.rows += int(n[lost_no_date].sum())
        self.reasons += np.bincount(reason, weights=n, minlength=len(a._REASONS)).astype(np.int64)
        counted = reason == a.COUNTED
        won = stage == a.WON
        excluded = (reason == a.R_UNMAPPED) | (reason == a.R_NO_SEAT)
        self._weighted_warnings(
            owner_values, owner_codes, rep == a.UNMAPPED, excluded, n, self.owners_seen
        )
        self._weighted_warnings(
            owner_values, owner_codes, rep == a.NO_SEAT, excluded, n, self.no_seat_seen
        )
        product = None
        if "product" in self.mapping.columns:
            product_codes, product_values = _factorize(columns[PRODUCT])
            product = self._product_lut(product_values)[product_codes]
            self._weighted_warnings(
                product_values, product_codes, product < 0, counted, n, self.products_seen
            )
        if "account" in self.mapping.columns and self.account_measures:
            no_account = _ints(columns[NO_ACCOUNT], 0) != 0
            self.no_account.rows += int(n[counted & no_account].sum())
        self._errors(columns, n, won & (when == a.W_NONE), won & (slot >= 0))
        scale = self._sums(columns, n, rep, slot, stage, product)
        rep_owners = [
            v
            for v, r in zip(owner_values, self._owner_lut(owner_values).tolist(), strict=False)
            if r >= 0 and v is not None
        ]
        return Ledger(won_stages, rep_owners, scale)

    def _slots(self, months: Any, late: Any) -> Any:
        """Each group's month slot (-1: no month kept, or after the as-of day)."""
        distinct, codes = np.unique(months, return_inverse=True)
        self.covered.update(int(m) for m in distinct.tolist() if m >= 0)
        lut = np.array([self.slot_of.get(int(m), -1) for m in distinct.tolist()], dtype=np.int64)
        slot = lut[codes.reshape(-1)] if len(distinct) else np.zeros(0, dtype=np.int64)
        return np.where(late | (months < 0), -1, slot)

    def _errors(self, columns: Sequence[Any], n: Any, no_date: Any, needed: Any) -> None:
        """Won rows without a date, won rows of the months tracked without an amount."""
        bad_day = _ints(columns[BAD_DAY], 0)
        self.no_date.rows += int((n - bad_day)[no_date].sum())
        missing = _ints(columns[MISSING], 0)
        self.no_amount.rows += int(missing[needed].sum())
        bad_amount = _ints(columns[BAD_AMOUNT], 0)
        self.bad_amount_rows = int(bad_amount[needed].sum())
        negative = _ints(columns[NEGATIVE], 0)
        self.negative_rows = int(negative[needed].sum())
        self.bad_day_rows = int(bad_day.sum())
        if self.no_date.rows or self.no_amount.rows or self.negative_rows:
            self.failed = True

    def _sums(
        self, columns: Sequence[Any], n: Any, rep: Any, slot: Any, stage: Any, product: Any
    ) -> int:
        """Won amounts and deals, lost deals, per rep, month (and product); the scale."""
        needed = (stage == a.WON) & (slot >= 0)
        chosen = np.flatnonzero(needed).tolist()
        places = _ints(columns[PLACES], 0)
        sums = {i: _as_decimal(columns[AMOUNT][i]) for i in chosen}
        scale = int(places[chosen].max(initial=0)) if chosen else 0
        scale = max(scale, _places_of(sums.values()))
        self.scale = scale
        mapped = rep >= 0
        for i in np.flatnonzero(needed & mapped).tolist():
            product_slot = int(product[i]) + 1 if product is not None else 0
            cell = self.won.setdefault((int(rep[i]), int(slot[i]), product_slot), [Decimal(0), 0])
            cell[0] += _decimal(sums[i], scale)
            cell[1] += int(n[i])
        for i in np.flatnonzero((stage == a.LOST) & (slot >= 0) & mapped).tolist():
            pair = (int(rep[i]), int(slot[i]))
            self.lost[pair] = self.lost.get(pair, 0) + int(n[i])
        return scale

    def _stages(self, values: Sequence[Any], n: Any) -> tuple[Any, list[str] | None]:
        if "stage" not in self.mapping.columns:
            return np.zeros(len(values), dtype=np.int64), None
        codes, distinct = _factorize(values)
        classes = [
            a.OTHER if a._missing(v) else self.stage_of.get(a._norm(v), a.OTHER) for v in distinct
        ]
        lut = np.array([*classes, a.OTHER], dtype=np.int64)
        stage = lut[codes]
        self._weighted_warnings(distinct, codes, stage == a.OTHER, None, n, self.stages_seen)
        won = [v for v, c in zip(distinct, classes, strict=True) if c == a.WON and v is not None]
        return stage, won

    def _weighted_warnings(
        self,
        values: list[Any],
        codes: Any,
        rows: Any,
        flagged: Any,
        n: Any,
        seen: dict[str, a._Seen],
    ) -> None:
        for i in np.flatnonzero(rows).tolist():
            code = int(codes[i])
            shown = a._shown(None if code < 0 else values[code])
            entry = seen.setdefault(shown, a._Seen())
            entry.rows += int(n[i])
            if flagged is not None and flagged[i]:
                entry.flagged += int(n[i])

    def _diagnostics(self) -> list[Diagnostic]:
        """The reader's warnings; errors and account gaps counted, not listed by row."""
        if self.rows_known:
            return super()._diagnostics()  # the pandas reader's very messages, rows and all
        columns = self.mapping.columns
        out: list[Diagnostic] = []
        for role, seen in (("date", self.no_date), ("amount", self.no_amount)):
            if seen.rows:
                out.append(
                    t.MISSING_VALUE.at(
                        self._span(0, role),
                        f"{a._count(seen.rows, 'won deal')} without {columns[role]}",
                        f"fill in {columns[role]} for won deals, or give them another stage",
                    )
                )
        if self.negative_rows:
            out.append(
                NEGATIVE_AMOUNT.at(
                    self._span(0, "amount"),
                    f"{columns['amount']} is negative in {a._count(self.negative_rows, 'won row')}",
                    "a credit or a reversal is not a deal: fix the source, or track credits as their own source",
                )
            )
        if self.lost_no_date.rows:
            out.append(
                CLOSED_WITHOUT_DATE.at(
                    self._span(0, "date"),
                    f"{a._count(self.lost_no_date.rows, 'lost deal')} without {columns['date']}; "
                    "in no period's win rate (the ledger shows them as lost, no date)",
                    f"fill in {columns['date']} for lost deals",
                )
            )
        out += [d for d in self._mapping_warnings() if d.code != t.NO_ACCOUNT.code]
        if self.no_created.rows:
            out.append(
                OPEN_WITHOUT_CREATED.at(
                    self._span(0, "created"),
                    f"{a._count(self.no_created.rows, 'open deal')} without {columns['created']}: "
                    "not in the pipeline forecast",
                    f"fill in {columns['created']} for open deals",
                )
            )
        if self.no_account.rows:
            out.append(
                t.NO_ACCOUNT.at(
                    self._span(0, "account"),
                    f"{a._count(self.no_account.rows, 'counted row')} without {columns['account']}: "
                    "in amounts, not in customer counts",
                    f"fill in {columns['account']} for won deals",
                )
            )
        return out

    # -- the account queries --

    def add_accounts(self, owners: Any, accounts: Any, months: Any, units: Any) -> None:
        """Won amounts by owner, account and month (``units``: integers of 10**-scale).

        Per distinct value work only (a few hundred owners, thousands of accounts,
        a few months); the groups themselves are mapped with numpy lookups.
        """
        if not len(owners):
            return
        account_codes, account_values = _factorize(accounts)
        ids = self._account_ids(account_values)[account_codes]
        self._add_account_ids(owners, ids, months, units)

    def add_account_codes(
        self,
        owner_values: list[Any],
        owner_codes: Any,
        account_values: list[Any],
        account_codes: Any,
        months: Any,
        units: Any,
    ) -> None:
        """As :meth:`add_accounts`, owners and accounts given as codes into their distinct values.

        The accounts get their ids now (as the pandas reader numbers them, in order); the
        rows are kept as they came, mapped and summed only when a sum is first looked up
        (:meth:`_account_maps`)."""
        if not len(owner_codes):
            return
        ids = self._account_ids(account_values)
        self._account_rows.append(
            (owner_values, owner_codes, ids, account_codes, months, units, self.scale)
        )

    def defer_account_rows(
        self, read: Callable[[GroupedAggregator], None], release: Callable[[], None]
    ) -> None:
        """Leave the reading of the won rows' account sums until a sum is first looked up.

        ``read(self)`` adds them then (:meth:`add_account_codes` and the like, in units of
        10**-scale, the scale of now); ``release`` frees what it reads from, called once
        the sums are made or no one can look one up any more (the mapping is gone, or the
        interpreter exits). Each account must have its id already (its first deal): the
        actuals' account names are fixed by :meth:`result`."""
        self._account_reads.append((read, self.scale))
        self._releases.append(release)

    def _account_maps(self) -> tuple[Mapping[tuple[str, int], Mapping[int, int]], int]:
        """The reader's account sums, those of :meth:`add_account_codes` made on first use.

        A report looks the sums up only to explain a warned amount or deals target (or for
        a metric counting accounts); often none is, and mapping, sorting and summing the
        won rows was wasted (5M typed Parquet rows: 722,844 rows, ~0.1 s CPU). The scale is
        known now: the largest of the parts', as the reader's own gives it."""
        if not self._account_rows and not self._account_reads:
            return super()._account_maps()
        scale = max(
            [part[2] for part in self.account_parts]
            + [part[6] for part in self._account_rows]
            + [read[1] for read in self._account_reads]
        )
        found = agg.OnFirstUse(self._summed_accounts)
        if self._releases:
            weakref.finalize(found, _release, self._releases)
        return found, scale

    def _summed_accounts(self) -> Mapping[tuple[str, int], Mapping[int, int]]:
        named = len(self.account_names)
        try:
            for read, _ in self._account_reads:
                read(self)
        finally:
            _release(self._releases)
        self._account_reads.clear()
        if len(self.account_names) != named:  # an id the actuals' names do not have
            raise AssertionError("the won rows' accounts were not all numbered by then")
        for part in self._account_rows:
            owner_values, owner_codes, ids, account_codes, months, units, scale = part
            rep = self._owner_lut(owner_values)[np.asarray(owner_codes, dtype=np.int64)]
            account = ids[np.asarray(account_codes, dtype=np.int64)]
            self._add_rep_ids(rep.astype(np.int64), account, months, units, scale)
        self._account_rows.clear()
        return self._account_sums()

    def _add_account_ids(self, owners: Any, ids: Any, months: Any, units: Any) -> None:
        """As :meth:`add_accounts`, the accounts already turned into ids (-1: none)."""
        owner_codes, owner_values = _factorize(owners)
        rep = self._owner_lut(owner_values)[owner_codes].astype(np.int64)
        self._add_rep_ids(rep, ids, months, units, self.scale)

    def _add_rep_ids(self, rep: Any, ids: Any, months: Any, units: Any, scale: int) -> None:
        """Won sums by rep index (-1: none), account id (-1: none) and month, in 10**-scale
        units."""
        months = np.asarray(months, dtype=np.int64)  # month keys, never NULL here
        slot = self._month_slots(months)
        keep = (rep >= 0) & (slot >= 0) & (ids >= 0)
        keep &= self.account_slot[slot]
        group = rep[keep] * len(self.slots) + slot[keep]
        values = np.asarray(units)
        if values.dtype == object and all(
            abs(int(v)) < a._INT64_SAFE for v in values[keep].tolist()
        ):
            values = values.astype(np.int64)
        self.account_parts.append(((group << 32) | ids[keep], values[keep], scale))

    def _month_slots(self, months: Any) -> Any:
        """Each month key's slot (-1: none): a table over the months' range (a sort of every
        group by np.unique cost ~0.3 s at 20M rows, 3.6M account groups), np.unique when the
        range is wide."""
        if not len(months):
            return np.zeros(0, dtype=np.int64)
        low, high = int(months.min()), int(months.max())
        if high - low < _MONTH_RANGE:
            table = [self.slot_of.get(m, -1) for m in range(low, high + 1)]
            return np.array(table, dtype=np.int64)[months - low]
        values, codes = np.unique(months, return_inverse=True)
        table = [self.slot_of.get(int(m), -1) for m in values.tolist()]
        return np.array(table, dtype=np.int64)[codes.reshape(-1)]

    def add_account_groups(
        self,
        owners: Sequence[Any],
        accounts: Sequence[Any],
        months: Any,
        units: Any,
        first_days: Any,
    ) -> None:
        """The ACCOUNTS set's groups of won stages: sums per account, each account's first deal.

        ``months`` is -1 for a month whose sums are not kept; ``units`` the
        summed amounts in 10**-scale units; ``first_days`` day ordinals.
        """
        months = np.asarray(months, dtype=np.int64)
        kept = np.flatnonzero(months >= 0)
        owner_values = np.asarray(list(owners), dtype=object)
        account_codes, distinct = _factorize(np.asarray(list(accounts), dtype=object))
        ids = self._account_ids(distinct)[account_codes]
        if len(kept):
            self._add_account_ids(
                owner_values[kept], ids[kept], months[kept], np.asarray(units)[kept]
            )
        self._first_deals_of(owner_values, ids, np.asarray(first_days, dtype=np.int64))

    def add_first_deals(self, owners: Any, accounts: Any, days: Any) -> None:
        """Each account's first won day, and its owner (on a tie, the owner that sorts first).

        A database has no row order to break a tie on the day by, so the owner's
        name does (the pandas reader takes the earlier row).
        """
        ids = np.zeros(0, dtype=np.int64)
        if len(owners):
            account_codes, account_values = _factorize(accounts)
            ids = self._account_ids(account_values)[account_codes]
        self._first_deals_of(owners, ids, days)

    def _first_deals_of(self, owners: Any, ids: Any, days: Any) -> None:
        size = len(self.account_names)
        self.first_day = np.full(size, np.iinfo(np.int64).max, dtype=np.int64)
        self.first_rep = np.full(size, a.UNMAPPED, dtype=np.int64)
        chosen = np.flatnonzero(ids >= 0)
        if not len(chosen):
            return
        owner_codes, owner_values = _factorize(owners)
        rep = self._owner_lut(owner_values)[owner_codes]
        order = sorted(
            range(len(owner_values)),
            key=lambda i: (owner_values[i] is None, a._text(owner_values[i])),
        )
        rank = np.empty(len(owner_values) + 1, dtype=np.int64)
        rank[order] = np.arange(len(order))
        rank[-1] = len(order)  # a missing owner sorts last
        ids, days, rep, ranks = ids[chosen], days[chosen], rep[chosen], rank[owner_codes][chosen]
        first = np.lexsort((ranks, days, ids))
        ordered = ids[first]
        starts = first[np.concatenate([[True], ordered[1:] != ordered[:-1]])]
        self.first_day[ids[starts]] = days[starts]
        self.first_rep[ids[starts]] = rep[starts]

    # -- the pipeline sets --

    def add_pipeline(
        self,
        ledger: Sequence[Any],
        pipeline: Sequence[Any],
        open_ages: Sequence[Any],
        cycles: Sequence[Any],
    ) -> None:
        """Fill the pipeline counters the pandas reader fills row by row, from the sets' groups.

        Each argument is a set's columns (keys, then query.AGGREGATES): the
        LEDGER set, PIPELINE (owner, product, stage, closed, week, recent),
        OPEN_AGES (stage, closed, age) and CYCLES (stage, cycle).
        """
        pipe = self.pipe
        if pipe is None:
            return
        self._pipeline_from_ledger(pipe, ledger)
        if len(pipeline[0]):
            self._open_deals(pipe, pipeline)
        if len(open_ages[0]):
            cls = self._stage_array(open_ages[0])
            closed = _ints(open_ages[1], -1)
            age = _ints(open_ages[2], -1)
            n = _ints(open_ages[3], 0)
            closes = (cls == a.WON) | (cls == a.LOST)
            open_then = (closed >= 0) & (age >= 0)
            open_then &= (cls == a.OPEN) | (closes & (closed == CLOSED_AFTER))
            pipe.open_ages = _add_weighted(pipe.open_ages, age[open_then], n[open_then])
        if len(cycles[0]):
            cls = self._stage_array(cycles[0])
            cycle = np.maximum(_ints(cycles[1], -1), -1)
            n = _ints(cycles[2], 0)
            known = cycle >= 0
            for outcome, name in ((a.WON, "won_ages"), (a.LOST, "lost_ages")):
                rows = known & (cls == outcome)
                setattr(pipe, name, _add_weighted(getattr(pipe, name), cycle[rows], n[rows]))

    def _stage_array(self, values: Any) -> Any:
        """Each group's stage class (every group is won without a stage column)."""
        if "stage" not in self.mapping.columns:
            return np.full(len(values), a.WON, dtype=np.int64)
        codes, distinct = _factorize(values)
        classes = [
            a.OTHER if a._missing(v) else self.stage_of.get(a._norm(v), a.OTHER) for v in distinct
        ]
        return np.array([*classes, a.OTHER], dtype=np.int64)[codes]

    def _pipeline_from_ledger(self, pipe: Any, ledger: Sequence[Any]) -> None:
        """Won value per product (the months kept), the latest day, open deals without created."""
        if not len(ledger[N]):
            return
        pipe.latest_day = max(
            pipe.latest_day, _latest(ledger[LAST_DAY]), _latest(ledger[LAST_CREATED])
        )
        cls = self._stage_array(ledger[STAGE])
        n = _ints(ledger[N], 0)
        missing_created = _ints(ledger[MISSING_CREATED], 0)
        self.no_created.rows += int(missing_created[cls == a.OPEN].sum())
        owner_codes, owner_values = _factorize(ledger[OWNER])
        rep = self._owner_lut(owner_values)[owner_codes]
        if "product" in self.mapping.columns:
            product_codes, product_values = _factorize(ledger[PRODUCT])
            product = self._product_lut(product_values)[product_codes]
        else:
            product = np.full(len(n), -1, dtype=np.int64)
        slot = self._slots(_ints(ledger[MONTH], -1), _ints(ledger[LATE], 0) != 0)
        won: dict[int, agg.Sums] = {}
        for i in np.flatnonzero((cls == a.WON) & (slot >= 0) & (rep >= 0)).tolist():
            count = int(n[i])
            sums = agg.Sums(
                count, count, _as_decimal(ledger[AMOUNT][i]), _as_decimal(ledger[SQUARES][i])
            )
            key = int(product[i]) + 1
            won[key] = won.get(key, agg.Sums()) + sums
        pipe.add_won_value(won)

    def _open_deals(self, pipe: Any, columns: Sequence[Any]) -> None:
        """Deals open at the end of the as-of day by (rep, product, stage, week); creations."""
        n = _ints(columns[6], 0)
        owner_codes, owner_values = _factorize(columns[0])
        rep = self._owner_lut(owner_values)[owner_codes].astype(np.int64)
        if "product" in self.mapping.columns:
            product_codes, product_values = _factorize(columns[1])
            product = self._product_lut(product_values)[product_codes].astype(np.int64)
        else:
            product = np.full(len(n), -1, dtype=np.int64)
        cls = self._stage_array(columns[2])
        stage_codes, stage_values = _factorize(columns[2])
        open_index = np.array(
            [*(self.open_stage_of.get(a._norm(v), 0) for v in stage_values), 0], dtype=np.int64
        )[stage_codes]
        closed = _ints(columns[3], -1)
        week = np.minimum(_ints(columns[4], -1), MAX_WEEK)
        recent = _ints(columns[5], 0) == 1
        born = closed >= 0
        closes = (cls == a.WON) | (cls == a.LOST)
        open_then = born & (week >= 0) & ((cls == a.OPEN) | (closes & (closed == CLOSED_AFTER)))
        mapped = rep >= 0
        chosen = np.flatnonzero(open_then & mapped)
        stage = np.where(cls == a.OPEN, open_index, 0)
        keys = np.ravel_multi_index(
            (rep[chosen], product[chosen] + 1, stage[chosen], week[chosen]), pipe.shape
        )
        if len(pipe.open_counts):
            np.add.at(pipe.open_counts, keys, n[chosen])
        else:
            for key, count in zip(keys.tolist(), n[chosen].tolist(), strict=True):
                pipe.sparse_counts[key] = pipe.sparse_counts.get(key, 0) + count
        at = len(q.SET_KEYS[q.PIPELINE])
        count, total, squares = (
            columns[at + q.AGGREGATES.index(name)]
            for name in ("priced", "priced_amount", "priced_squares")
        )
        priced = _ints(count, 0)
        for i in np.flatnonzero(open_then & mapped & (cls == a.OPEN) & (priced > 0)).tolist():
            cell = (int(rep[i]), int(product[i]) + 1, int(stage[i]), int(week[i]))
            k = int(priced[i])
            sums = agg.Sums(k, k, _as_decimal(total[i]), _as_decimal(squares[i]))
            pipe.priced[cell] = pipe.priced.get(cell, agg.Sums()) + sums
        known = cls != a.OTHER
        recent_rows = np.flatnonzero(known & born & mapped & recent)
        if len(recent_rows):
            slots = rep[recent_rows] * (len(self.products) + 1) + product[recent_rows] + 1
            pipe.created += np.bincount(
                slots, weights=n[recent_rows], minlength=len(pipe.created)
            ).astype(np.int64)

    def _account_ids(self, values: Sequence[Any]) -> Any:
        """The ids of distinct account values (-1: none), then -1 (the id of code -1, NULL).

        A text is looked up as fetched first (each account comes twice: its sums, its
        first deal); a text's id is its stripped text's, as :meth:`_account` gives it.
        """
        memo = self._account_memo
        found: list[int] = []
        append = found.append
        for value in values:
            if type(value) is str:
                known = memo.get(value)
                if known is None:
                    known = memo[value] = self._account_text(value.strip())
                append(known)
            else:  # a number or a date: _account's own spelling of it
                append(self._account(value))
        append(-1)
        return np.array(found, dtype=np.int64)

    def _account(self, name: Any) -> int:
        return self._account_text("" if a._missing(name) else a._text(name).strip())

    def _account_text(self, text: str) -> int:
        """The id of an account's stripped text (-1: empty), a new one the first time."""
        if not text:
            return -1
        found = self.account_id.get(text)
        if found is None:
            found = self.account_id[text] = len(self.account_names)
            self.account_names.append(text)
        return found


_MONTH_RANGE = 12 * 1000  # months of account sums mapped through a table (a millennium)


def _add_weighted(counts: Any, index: Any, n: Any) -> Any:
    """Counts by index (an age in days) plus ``n`` at each of ``index``."""
    if not len(index):
        return counts
    found = np.bincount(index, weights=n).astype(np.int64)
    if len(found) > len(counts):
        counts = np.concatenate([counts, np.zeros(len(found) - len(counts), dtype=np.int64)])
    counts[: len(found)] += found
    return counts


def _latest(days: Any) -> int:
    """The latest day ordinal of a column (dates, ordinals or None)."""
    if isinstance(days, np.ndarray) and days.dtype.kind in "iu":
        return int(days.max(initial=0))
    found = [_ordinal(d) for d in days]
    return max((d for d in found if d is not None), default=0)


def _ordinal(value: Any) -> int | None:
    """A date (or datetime) from a database as a day ordinal; None stays None."""
    if value is None:
        return None
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, datetime):
        return value.date().toordinal()
    if isinstance(value, date):
        return value.toordinal()
    parsed = a._parse_day(value, None)
    return None if parsed is None else parsed.toordinal()


def _release(releases: list[Callable[[], None]]) -> None:
    """Call each of ``releases`` once (the list is emptied)."""
    while releases:
        releases.pop()()


def split_sets(rows: Iterable[Sequence[Any]]) -> dict[int, list[list[Any]]]:
    """The statement's rows by set, as columns: the set's keys, then the aggregates."""
    where = {name: 1 + i for i, name in enumerate(q.KEY_COLUMNS)}
    first_aggregate = 1 + len(q.KEY_COLUMNS)
    picks = {
        s: [where[name] for name in keys]
        + list(range(first_aggregate, first_aggregate + len(q.AGGREGATES)))
        for s, keys in q.SET_KEYS.items()
    }
    out: dict[int, list[list[Any]]] = {s: [[] for _ in picks[s]] for s in q.SET_KEYS}
    for row in rows:
        s = int(row[0])
        if s in picks:
            for column, i in zip(out[s], picks[s], strict=True):
                column.append(row[i])
    return out


def _ints(values: Any, missing: int) -> Any:
    """A column of integers as an int64 array, ``missing`` for NULL (None)."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "iu":
        return values.astype(np.int64, copy=False)
    return np.array([missing if x is None else int(x) for x in values], dtype=np.int64)


def _as_decimal(value: Any) -> Decimal:
    """An exact sum from a database (Decimal, int, or DuckDB's text of a DECIMAL); NULL is 0."""
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(value)


@dataclass(frozen=True, slots=True)
class Coded:
    """A column of names already factorized by the engine: a code per group (-1: NULL) into
    ``values``, each distinct name once (DuckDB numbers them; no Python string per group)."""

    codes: Any  # int64 array
    values: list[Any]

    def __len__(self) -> int:
        return len(self.codes)


def _factorize(values: Any) -> tuple[Any, list[Any]]:
    """Codes (-1 for None, NaN or NaT) and distinct values, in order of first appearance
    (a :class:`Coded` column: its own codes and values, in the engine's order).

    As ``pandas.factorize`` with its NA sentinel, without importing pandas
    (the DuckDB and database paths do not need it otherwise): grouped rows
    are few, a dict is fast enough.
    """
    if isinstance(values, Coded):
        return values.codes, values.values
    index: dict[Any, int] = {}
    add = index.setdefault
    codes = np.fromiter(
        (-1 if v is None or v != v else add(v, len(index)) for v in values),  # noqa: PLR0124 - NaN, NaT
        dtype=np.int64,
        count=len(values),
    )
    return codes, list(index)


def _places_of(sums: Any) -> int:
    """Digits after the point of exact sums (Decimal or int), trailing zeros aside."""
    places = 0
    for value in sums:
        if isinstance(value, Decimal) and value.is_finite():
            exponent = value.normalize().as_tuple().exponent
            if isinstance(exponent, int):
                places = max(places, -exponent)
    return places


def _decimal(value: Any, scale: int) -> Decimal:
    if value is None:
        return Decimal(0)
    number = value if isinstance(value, Decimal) else Decimal(value)
    return number.quantize(Decimal(1).scaleb(-scale)) if scale else number.quantize(Decimal(1))


def exact_units(value: Any, scale: int) -> int:
    """An exact sum as an integer of 10**-scale units (it has at most ``scale`` places)."""
    number = value if isinstance(value, Decimal) else Decimal(value)
    scaled = number.scaleb(scale)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than {scale} places")
    return int(scaled)
