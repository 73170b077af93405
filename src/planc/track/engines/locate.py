"""The first rows of what an aggregate warns about, found by reading the file only as far as needed.

DuckDB's one scan counts every warning (values that map to nobody, stages
that are in no list, counted rows without an account, lost deals without a
date, open deals without a created date) but has no row numbers. A warning
names its first row, as the pandas reader's does: this module reads the
export again, in file order, from its start, and stops as soon as every
warned value has been met -- usually within the first rows, at worst once
through the file in Python, never a second aggregation. The counts stay the
scan's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from planc.track import actuals as a
from planc.track.engines.fold import GroupedAggregator

BATCH = 50_000
ROLES = ("owner", "product", "stage", "date", "account", "created")


def first_rows(
    connection: Any,
    view: str,
    columns: Mapping[str, str],
    aggregator: GroupedAggregator,
    first_row: int,
) -> None:
    """Fill ``first`` (and the rows shown) of every warning the aggregator counted.

    ``columns`` maps export columns to their names in ``view`` (planc's own
    ``c0``, ``c1``...; never user text); ``first_row`` is the number of the
    view's first row in the export (2 under a CSV header, 1 in Parquet).
    """
    mapped = a._roles(aggregator.mapping)
    roles = [role for role in ROLES if role in mapped]
    wanted = _Wanted(aggregator)
    if not wanted.pending():
        return
    names = ", ".join(columns[mapped[role]] for role in roles)
    # planc's own names, no user text. The connection's own result, the rest of it dropped
    # by its next statement: closing it would close the connection, which the account sums'
    # later read may need (duckdb_files._Held)
    found = connection.execute(f"SELECT {names} FROM {view}")
    row = first_row
    check = wanted.checker(roles)
    while wanted.pending():
        batch = found.fetchmany(BATCH)
        if not batch:
            break
        for values in batch:
            check(values, row)
            row += 1


class _Wanted:
    """What is still to be located, and the per-value lookups (each distinct value once)."""

    def __init__(self, aggregator: GroupedAggregator) -> None:
        self.aggregator = aggregator
        self.owners = {**aggregator.owners_seen, **aggregator.no_seat_seen}
        self.products = dict(aggregator.products_seen)
        self.stages = dict(aggregator.stages_seen)
        self.lost = aggregator.lost_no_date if aggregator.lost_no_date.rows else None
        self.no_account = aggregator.no_account if aggregator.no_account.rows else None
        self.no_created = aggregator.no_created if aggregator.no_created.rows else None
        self.owners_left = set(aggregator.owners_seen) | set(aggregator.no_seat_seen)
        self.products_left = set(self.products)
        self.stages_left = set(self.stages)
        self.stage_class: dict[Any, int] = {}
        self.rep_of: dict[Any, int] = {}
        self.day_in: dict[Any, bool] = {}
        for seen in (self.lost, self.no_account, self.no_created):
            if seen is not None:
                seen.rows_shown = []

    def pending(self) -> bool:
        return bool(
            self.owners_left
            or self.products_left
            or self.stages_left
            or (
                self.lost is not None
                and len(self.lost.rows_shown) < min(self.lost.rows, a.ROWS_SHOWN)
            )
            or (self.no_account is not None and not self.no_account.rows_shown)
            or (self.no_created is not None and not self.no_created.rows_shown)
        )

    def checker(self, roles: list[str]) -> Callable[[tuple[Any, ...], int], None]:
        at = {role: i for i, role in enumerate(roles)}
        owner_at, stage_at = at["owner"], at.get("stage")
        product_at, date_at = at.get("product"), at["date"]
        account_at, created_at = at.get("account"), at.get("created")
        agg = self.aggregator

        def stage_class(value: Any) -> int:
            found = self.stage_class.get(value)
            if found is None:
                found = self.stage_class[value] = (
                    a.OTHER if a._missing(value) else agg.stage_of.get(a._norm(value), a.OTHER)
                )
            return found

        def rep(value: Any) -> int:
            found = self.rep_of.get(value)
            if found is None:
                found = self.rep_of[value] = (
                    a.UNMAPPED
                    if a._missing(value)
                    else agg.owner_index.get(a._norm(value), a.UNMAPPED)
                )
            return found

        last = min(agg.quarter_end, agg.as_of_day)

        def in_window(value: Any) -> bool:
            found = self.day_in.get(value)
            if found is None:
                day = None if a._missing(value) else a._parse_day(value, agg.mapping.date_format)
                found = self.day_in[value] = (
                    day is not None and agg.quarter_start <= day.toordinal() <= last
                )
            return found

        def check(values: tuple[Any, ...], row: int) -> None:
            if self.owners_left:
                key = a._shown(values[owner_at])
                if key in self.owners_left:
                    self.owners[key].first = row
                    self.owners_left.discard(key)
            if self.products_left and product_at is not None:
                key = a._shown(values[product_at])
                if key in self.products_left:
                    self.products[key].first = row
                    self.products_left.discard(key)
            cls = a.WON if stage_at is None else stage_class(values[stage_at])
            if self.stages_left and stage_at is not None:
                key = a._shown(values[stage_at])
                if key in self.stages_left and cls == a.OTHER:
                    self.stages[key].first = row
                    self.stages_left.discard(key)
            if cls == a.LOST and self.lost is not None and a._missing(values[date_at]):
                _note(self.lost, row)
            elif cls == a.OPEN and self.no_created is not None and created_at is not None:
                if not self.no_created.rows_shown and a._missing(values[created_at]):
                    _note(self.no_created, row)
            elif (
                cls == a.WON
                and self.no_account is not None
                and account_at is not None
                and not self.no_account.rows_shown
                and _no_account(values[account_at])
                and rep(values[owner_at]) >= 0
                and in_window(values[date_at])
            ):
                _note(self.no_account, row)

        return check


def _no_account(value: Any) -> bool:
    return a._missing(value) or not a._text(value).strip()


def _note(seen: a._Seen, row: int) -> None:
    if not seen.rows_shown:
        seen.first = row
    if len(seen.rows_shown) < a.ROWS_SHOWN:
        seen.rows_shown.append(row)
