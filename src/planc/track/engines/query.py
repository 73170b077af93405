"""The aggregation planc pushes down, built once with SQLAlchemy Core for every engine.

Three statements over one source (a table, a user's query as a subquery, or
DuckDB's view of a file), each a GROUP BY that returns aggregates, never rows:

- :func:`ledger_query` -- rows by raw owner, product and stage values, month,
  where the date falls against the quarter and the as-of day, and whether the
  account is empty: counts, summed amounts, missing amounts. Small: a few
  hundred owners times products, stages and months.
- :func:`account_query` -- won amounts by owner, account and month, for the
  months attribution and account counts look at.
- :func:`first_deal_query` -- each account's first won row up to the as-of
  day (a window function; a tie on the day goes to the owner that sorts
  first: a database has no row order).

Identifiers are SQLAlchemy column objects (quoted by the dialect), values are
bound parameters: nothing from the plan is formatted into SQL text. planc
maps CRM names in Python afterwards (spaces collapsed, case folded) over the
distinct values the ledger query returns, so the mapping means exactly what
it means for a file.

The SQL it needs from a database: GROUP BY, CASE, CAST to INTEGER, SUM and
COUNT, EXTRACT(YEAR/MONTH FROM a date), TRIM, IN lists, comparisons with a
bound date, a subquery in FROM, and ROW_NUMBER() OVER (PARTITION BY ... ORDER
BY ...) when an account column is mapped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from planc.core.extras import MissingExtra

try:
    import sqlalchemy as sa
except ModuleNotFoundError as error:
    raise MissingExtra(
        "reading actuals from a database or through DuckDB", "warehouse", error.name
    ) from error

# Where a row's date falls; the same numbering as planc.track.actuals' W_* codes.
W_IN, W_BEFORE, W_AFTER_QUARTER, W_AFTER_AS_OF, W_NONE = range(5)

Expr = sa.ColumnElement[Any]


@dataclass(frozen=True, slots=True)
class Roles:
    """SQL expressions over the source, one per mapped role.

    ``day`` is a DATE (NULL when missing, or when text is not a date);
    ``bad_day`` is 1 for text that is not a date (files only); ``amount``
    a DECIMAL or integer (NULL when missing or not a number); ``bad_amount``
    1 for text that is not a plain decimal and ``places`` its digits after
    the point (files only).
    """

    owner: Expr
    day: Expr
    amount: Expr
    missing_amount: Expr
    product: Expr | None = None
    stage: Expr | None = None
    account: Expr | None = None
    bad_day: Expr | None = None
    bad_amount: Expr | None = None
    places: Expr | None = None


@dataclass(frozen=True, slots=True)
class Window:
    quarter_start: date
    quarter_end: date
    as_of: date


def month_key(day: Expr) -> Expr:
    """year * 12 + month - 1, as planc.track.tracking.month_key."""
    year = sa.cast(sa.extract("year", day), sa.Integer)
    month = sa.cast(sa.extract("month", day), sa.Integer)
    return year * 12 + month - 1


def _flag(condition: Expr) -> Expr:
    return sa.case((condition, 1), else_=0)


def _total(expr: Expr) -> Expr:
    return sa.func.sum(expr)


def _no_account(account: Expr) -> Expr:
    return sa.or_(account.is_(None), sa.func.trim(account) == "")


def ledger_query(source: sa.FromClause, roles: Roles, window: Window, *, accounts: bool) -> Any:
    """The ledger: one row per group of rows that planc treats alike, with its counts.

    The keys are computed per row in a subquery and grouped by outside it, so
    the GROUP BY names columns, not expressions with bound parameters (which
    PostgreSQL would not match to the select list).
    """
    day = roles.day
    when = sa.case(
        (day.is_(None), W_NONE),
        (day < sa.bindparam("quarter_start", window.quarter_start, sa.Date), W_BEFORE),
        (day > sa.bindparam("quarter_end", window.quarter_end, sa.Date), W_AFTER_QUARTER),
        (day > sa.bindparam("as_of", window.as_of, sa.Date), W_AFTER_AS_OF),
        else_=W_IN,
    )
    zero = sa.literal(0)
    per_row = sa.select(
        roles.owner.label("owner"),
        (roles.product if roles.product is not None else sa.null()).label("product"),
        (roles.stage if roles.stage is not None else sa.null()).label("stage"),
        month_key(day).label("month"),
        when.label("when_"),
        _flag(day > sa.bindparam("as_of_late", window.as_of, sa.Date)).label("late"),
        (
            _flag(_no_account(roles.account)) if accounts and roles.account is not None else zero
        ).label("no_account"),
        roles.amount.label("amount"),
        roles.missing_amount.label("missing_amount"),
        (roles.bad_amount if roles.bad_amount is not None else zero).label("bad_amount"),
        (roles.bad_day if roles.bad_day is not None else zero).label("bad_day"),
        (roles.places if roles.places is not None else zero).label("places"),
        _flag(roles.amount < 0).label("negative"),
    ).select_from(source)
    rows = per_row.subquery("planc_rows_keyed")
    keys = [rows.c[name] for name in ("owner", "product", "stage", "month", "when_", "late")]
    keys.append(rows.c.no_account)
    return sa.select(
        *keys,
        sa.func.count().label("n"),
        _total(rows.c.amount).label("amount"),
        _total(rows.c.missing_amount).label("missing_amount"),
        _total(rows.c.bad_amount).label("bad_amount"),
        _total(rows.c.bad_day).label("bad_day"),
        sa.func.max(rows.c.places).label("places"),
        _total(rows.c.negative).label("negative"),
    ).group_by(*keys)


def repeated_keys_query(source: sa.FromClause, key: Expr, *, shown: int) -> Any:
    """Keys on more than one row: the first ``shown`` (by key) with their rows, and the totals.

    One row per repeated key among the first ``shown``, each carrying the
    number of repeated keys and of their rows over the whole source.
    """
    counts = (
        sa.select(key.label("key"), sa.func.count().label("n"))
        .select_from(source)
        .where(key.is_not(None))
        .group_by(key)
        .having(sa.func.count() > 1)
        .subquery("planc_repeated")
    )
    totals = sa.select(
        sa.func.count().label("keys"), sa.func.sum(counts.c.n).label("rows")
    ).subquery("planc_repeated_totals")
    return (
        sa.select(counts.c.key, counts.c.n, totals.c["keys"], totals.c.rows)
        .select_from(counts.join(totals, sa.true()))
        .order_by(counts.c.key)
        .limit(shown)
    )


def _won_rows(roles: Roles, won_stages: Sequence[str] | None) -> list[Expr]:
    if roles.stage is None or won_stages is None:
        return []
    return [roles.stage.in_(sa.bindparam("won_stages", list(won_stages), expanding=True))]


def account_query(
    source: sa.FromClause,
    roles: Roles,
    window: Window,
    *,
    won_stages: Sequence[str] | None,
    owners: Sequence[str],
    months: Sequence[int],
    units: int | None = None,
) -> Any:
    """Won amounts by raw owner, account and month, for mapped owners and the months kept.

    ``units``: the scale to return sums in, as integers of 10**-units (DuckDB,
    where Python would otherwise get floats); None returns the database's sums.
    """
    assert roles.account is not None
    per_row = (
        sa.select(
            roles.owner.label("owner"),
            roles.account.label("account"),
            month_key(roles.day).label("month"),
            roles.amount.label("amount"),
        )
        .select_from(source)
        .where(
            *_won_rows(roles, won_stages),
            roles.owner.in_(sa.bindparam("owners", list(owners), expanding=True)),
            roles.day <= sa.bindparam("as_of", window.as_of, sa.Date),
            sa.not_(_no_account(roles.account)),
        )
        .subquery("planc_won")
    )
    amount = _total(per_row.c.amount)
    if units is not None:
        amount = sa.cast(amount * (10**units), sa.BigInteger)
    keys = (per_row.c.owner, per_row.c.account, per_row.c.month)
    return (
        sa.select(*keys, amount.label("amount"))
        .where(per_row.c.month.in_(sa.bindparam("months", list(months), expanding=True)))
        .group_by(*keys)
    )


def first_deal_query(
    source: sa.FromClause, roles: Roles, window: Window, *, won_stages: Sequence[str] | None
) -> Any:
    """Each account's first won row up to the as-of day: (account, owner, day)."""
    assert roles.account is not None
    account = sa.func.trim(roles.account)
    ranked = (
        sa.select(
            account.label("account"),
            roles.owner.label("owner"),
            roles.day.label("day"),
            sa.func.row_number()
            .over(partition_by=account, order_by=(roles.day, roles.owner))
            .label("rank"),
        )
        .select_from(source)
        .where(
            *_won_rows(roles, won_stages),
            roles.day <= sa.bindparam("as_of", window.as_of, sa.Date),
            sa.not_(_no_account(roles.account)),
        )
        .subquery("ranked")
    )
    return sa.select(ranked.c.account, ranked.c.owner, ranked.c.day).where(ranked.c.rank == 1)
