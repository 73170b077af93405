"""The seam between reading actuals and tracking them: per-key aggregates, never rows.

A reader (:mod:`planc.track.actuals` for CSV, XLSX and Parquet exports; a
warehouse reader producing the same from SQL) turns an export into one
:class:`Actuals`: exact sums and counts per key, plus the ledger that accounts
for every row. Everything after it (:mod:`planc.track.tracking`, the forecast,
the reports, the site) reads only these aggregates, so a new source only has
to produce them. No pandas here, no I/O: plain frozen dataclasses of
``Decimal`` and ``int``.

The keys, the same in every mapping:

- *rep*: a rep seat's node id (rows of unmapped owners are in the ledger only);
- *month*: a month key, ``year * 12 + month - 1`` (:func:`month_key`);
- *product*: a product id of the plan, ``""`` for a row in no product line;
- *stage*: the export's stage as the mapping lists it (``""``: no stage column);
- *age*: whole days from a deal's created date to its close date (closed
  deals) or to the as-of day (deals open then); *week*: an open deal's age
  // 7 (the last week of ``OpenDeals.weeks`` holds the older ones too).

What a reader must guarantee:

- amounts are exact ``Decimal`` sums of the amounts as written (never floats);
- a row is in at most one won, lost or open cell, and in the ledger exactly once;
- won and lost cells hold rows closed on or before the as-of date; open
  cells hold rows open at the end of the as-of day (created on or before it,
  not closed by it), whatever their stage in the export says today;
- only the months of :func:`planc.track.tracking.periods` are kept in ``months`` and ``products``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


def month_key(year: int, month: int) -> int:
    """A month as one integer (year * 12 + month - 1), so months sort and subtract."""
    return year * 12 + month - 1


class OnFirstUse(Mapping[tuple[str, int], Mapping[int, int]]):
    """A mapping made by ``make`` when it is first read (:attr:`Actuals.accounts`: a
    report looks the won rows' account sums up only to explain a warned amount or deals
    target, or for a metric counting accounts; often none is)."""

    def __init__(self, make: Callable[[], Mapping[tuple[str, int], Mapping[int, int]]]) -> None:
        self._make: Callable[[], Mapping[tuple[str, int], Mapping[int, int]]] | None = make
        self._made: Mapping[tuple[str, int], Mapping[int, int]] | None = None

    def _mapping(self) -> Mapping[tuple[str, int], Mapping[int, int]]:
        if self._made is None:
            make, self._make = self._make, None  # made once: never a second, partial time
            assert make is not None, "the mapping could not be made"
            self._made = make()
        return self._made

    def __getitem__(self, key: tuple[str, int]) -> Mapping[int, int]:
        return self._mapping()[key]

    def __iter__(self) -> Iterator[tuple[str, int]]:
        return iter(self._mapping())

    def __len__(self) -> int:
        return len(self._mapping())


@dataclass(frozen=True, slots=True)
class Ledger:
    """Where every row of the export went: counted, or excluded for one reason."""

    rows: int
    counted: int
    excluded: tuple[tuple[str, int], ...]  # (reason, rows), in a fixed order, none zero

    @property
    def excluded_total(self) -> int:
        return sum(n for _, n in self.excluded)

    @staticmethod
    def total(ledgers: Sequence[Ledger]) -> Ledger:
        """Several sources' ledgers as one: every row of every export, counted or excluded."""
        excluded: dict[str, int] = {}
        for ledger in ledgers:
            for reason, n in ledger.excluded:
                excluded[reason] = excluded.get(reason, 0) + n
        return Ledger(
            sum(ledger.rows for ledger in ledgers),
            sum(ledger.counted for ledger in ledgers),
            tuple(excluded.items()),
        )

    def line(self) -> str:
        """'8,800 rows read, 4,238 counted, 4,562 excluded: 2,473 lost, 2,089 open'."""
        text = f"{self.rows:,} rows read, {self.counted:,} counted"
        if self.excluded:
            reasons = ", ".join(f"{n:,} {reason}" for reason, n in self.excluded)
            text += f", {self.excluded_total:,} excluded: {reasons}"
        return text


@dataclass(frozen=True, slots=True)
class RepMonth:
    """One rep's counted rows in one month: key (rep, month)."""

    amount: Decimal = Decimal(0)
    key_amount: Decimal = Decimal(0)  # from key product lines
    deals: int = 0  # counted (won) rows
    lost: int = 0  # lost rows (for win_rate)
    new_accounts: int = 0  # accounts whose first counted row is this one's


@dataclass(frozen=True, slots=True)
class Sums:
    """Deals that share a key: how many, and their amounts where the export gives one.

    ``priced`` deals have an amount; ``amount`` and ``squares`` (the sum of
    each amount squared, for the spread of a forecast) are over those only.
    """

    deals: int = 0
    priced: int = 0
    amount: Decimal = Decimal(0)
    squares: Decimal = Decimal(0)

    def __add__(self, other: Sums) -> Sums:
        return Sums(
            self.deals + other.deals,
            self.priced + other.priced,
            self.amount + other.amount,
            self.squares + other.squares,
        )


@dataclass(frozen=True, slots=True)
class OpenDeals:
    """Deals of one (rep, product, stage) open at the end of the as-of day, by age in weeks.

    ``weeks[w]`` deals were ``w`` whole weeks old then (the last week holds
    the older ones too). ``priced`` holds, by week, the deals the export
    still has open *with* an amount (``Sums.priced``, their amounts and
    squares); the others are valued at their product's won deals. A deal
    closed since the as-of date is never priced: its amount would tell its
    outcome.
    """

    weeks: tuple[int, ...]
    priced: Mapping[int, Sums] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Pipeline:
    """The opportunities behind a forecast, as of the as-of date. Needs a created-date column.

    - ``open``: (rep, product, stage) -> :class:`OpenDeals`: the deals open
      at the end of the as-of day (created by then, not closed by then);
      ``stage`` is the export's open stage, or ``""`` for a deal the export
      no longer has open (its stage at as-of is not known);
    - ``closed_ages``: (outcome, age) -> deals created by the as-of date and
      closed by it, ``outcome`` ``"won"`` or ``"lost"``, by age at close; with
      ``open_ages`` (age -> deals open at as-of, every owner) they are the
      observed sales cycles, open deals censored at their age;
    - ``won_value``: product -> won deals of the months kept, closed by the
      as-of date: the value of a deal without an amount;
    - ``created``: (rep, product) -> deals created in the ``lookback`` days
      up to and including the as-of date;
    - ``stages_current``: the export is no newer than the as-of date, so an
      open deal's stage in it is its stage at as-of (replaying an old date,
      it is not, and stages are not used).
    """

    open: Mapping[tuple[str, str, str], OpenDeals]
    closed_ages: Mapping[tuple[str, int], int]
    open_ages: Mapping[int, int]
    won_value: Mapping[str, Sums]
    created: Mapping[tuple[str, str], int]
    lookback: int
    stages_current: bool


@dataclass(frozen=True, slots=True)
class Actuals:
    """A CRM export aggregated per key, up to the as-of date. Amounts are exact.

    ``months``: (rep, month) -> the rep's counted rows; ``products``: (rep,
    month, product) -> counted amount; ``accounts``: (rep, month) -> each
    account's counted amount as an integer in units of ``10**-scale`` (exact,
    and cheap for millions of rows), ``account_names`` naming the account ids.
    Only the months of :func:`planc.track.tracking.periods` are kept (this quarter, last quarter,
    the same quarter last year); ``kept`` says which. ``pipeline`` is None
    when the mapping has no created-date column.
    """

    source: str
    as_of: date
    ledger: Ledger
    months: Mapping[tuple[str, int], RepMonth]
    products: Mapping[tuple[str, int, str], Decimal]  # (rep, month, product id) -> amount
    accounts: Mapping[tuple[str, int], Mapping[int, int]]
    account_names: Sequence[str]
    scale: int
    covered: frozenset[int]  # months with any dated row, of any stage
    roles: frozenset[str]  # the column roles the export was read with
    kept: frozenset[int] = frozenset()  # the months aggregated (empty: all of periods())
    pipeline: Pipeline | None = None
