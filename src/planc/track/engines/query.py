"""The aggregation planc pushes down: one statement, one scan, built with SQLAlchemy Core.

Every row of the source is keyed once (a subquery computes, per row, the
owner, product and stage as written, the month, where the date falls, the
parsed amount and flags), and one ``GROUP BY GROUPING SETS`` returns every
aggregate planc needs from that single scan:

- ``LEDGER``: rows by raw owner, product and stage values, month, where the
  date falls against the quarter and the as-of day, and whether the account
  is empty: counts, summed amounts, missing and refused amounts. Small: a few
  hundred owners times products, stages and months.
- ``ACCOUNTS`` (an account column mapped): rows up to the as-of day by raw
  owner, stage, account and month (the month only for the months attribution
  and account counts look at): the amount and the first day. planc keeps the
  won stages' groups: sums per account and each account's first deal.
- ``KEYS`` (a key column mapped): keys on more than one row (``HAVING``).
- ``ACCOUNT_SUMS``, ``FIRST_DEALS`` (DuckDB over a CSV, :func:`fanout_query` only): the
  won deals' accounts from the same scan, by stage (the won stages are known only after it).
- ``PIPELINE``, ``OPEN_AGES``, ``CYCLES`` (a created-date column mapped): what
  the pipeline forecast needs -- deals created by the as-of day by owner,
  product, stage, week of age and whether they closed by then; ages of the
  deals open then; sales cycles of the deals closed by then.

Dialects without ``GROUPING SETS`` (SQLite, MySQL) get the same sets as a
``UNION ALL`` of ``GROUP BY`` s (one scan per set; same rows). Every result row
carries ``set_``, the set it belongs to.

Identifiers are SQLAlchemy column objects (quoted by the dialect), values are
bound parameters: nothing from the plan is formatted into SQL text. planc
maps CRM names in Python afterwards (spaces collapsed, case folded) over the
distinct values the statement returns, so the mapping means exactly what it
means for a file.

The SQL it needs from a database: GROUP BY (GROUPING SETS and GROUPING() where
the dialect has them), CASE, CAST to INTEGER, SUM, MIN, MAX and COUNT,
EXTRACT(YEAR/MONTH FROM a date), a date minus a date in days (created-date
columns only), IN lists, comparisons with a bound date and a subquery in FROM.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from planc.core.extras import MissingExtra

try:
    import sqlalchemy as sa
    from sqlalchemy.ext.compiler import compiles
    from sqlalchemy.sql.functions import FunctionElement
except ModuleNotFoundError as error:
    raise MissingExtra(
        "reading actuals from a database or through DuckDB", "warehouse", error.name
    ) from error

# Where a row's date falls; the same numbering as planc.track.actuals' W_* codes.
W_IN, W_BEFORE, W_AFTER_QUARTER, W_AFTER_AS_OF, W_NONE = range(5)
# A deal's close date against the as-of day (pipeline sets).
CLOSED_BY, CLOSED_AFTER, NOT_CLOSED = range(3)
MAX_WEEK = 104  # as planc.track.opportunities.MAX_WEEK: older open deals count in week 104
LOOKBACK = 60  # as planc.track.opportunities.LOOKBACK: days of creation for the arrival rate

# Per-row flags, grouped by (cheaper than summed): the aggregate each one's count becomes.
FLAGS = (
    "flag_missing_amount",
    "flag_bad_amount",
    "flag_bad_day",
    "flag_negative",
    "flag_bad_created",
    "flag_missing_created",
)
# The grouping sets, by the number each result row carries in ``set_``.
LEDGER, ACCOUNTS, KEYS, PIPELINE, OPEN_AGES, CYCLES = range(6)
# DuckDB (fanout only): the won deals' accounts from the same scan, the won stages not yet
# known -- the rows of any stage that is not open or lost for certain, the stage kept as a key
# (the fold keeps the won stages' groups): sums by owner, stage, account and month (the months
# whose sums are kept), and each account's first deal by stage (the pair (day, owner) min).
ACCOUNT_SUMS, FIRST_DEALS = 6, 7
KEY_COLUMNS = (
    "owner",
    "product",
    "stage",
    "month",
    "when_",
    "late",
    "no_account",
    *FLAGS,
    "account",
    "account_month",
    "key",
    "closed",
    "week",
    "recent",
    "open_age",
    "cycle",
)
SET_KEYS: dict[int, tuple[str, ...]] = {
    LEDGER: ("owner", "product", "stage", "month", "when_", "late", "no_account", *FLAGS),
    ACCOUNTS: ("owner", "stage", "account", "account_month"),
    KEYS: ("key",),
    PIPELINE: ("owner", "product", "stage", "closed", "week", "recent"),
    OPEN_AGES: ("stage", "closed", "open_age"),
    CYCLES: ("stage", "cycle"),
    ACCOUNT_SUMS: ("owner", "stage", "account", "account_month"),
    FIRST_DEALS: ("owner", "stage", "account"),  # owner: the first deal's, not a key
}
AGGREGATES = (
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
    "priced",
    "priced_amount",
    "priced_squares",
    "bad_created",
    "missing_created",
    "last_created",
)
NO_GROUPING_SETS = frozenset({"sqlite", "mysql", "mariadb"})
_TEXT_KEYS = frozenset({"owner", "product", "stage", "account", "key"})
_SUMS = frozenset({"amount", "squares", "priced_amount", "priced_squares"})
_DAYS = frozenset({"first_day", "last_day", "last_created"})


def _typed_null(name: str) -> Expr:
    """NULL with the type the column has where it is not NULL (UNION ALL branches must agree)."""
    if name in _TEXT_KEYS:
        return sa.cast(sa.null(), sa.String)
    if name in _SUMS:
        return sa.cast(sa.null(), sa.Numeric)
    if name in _DAYS:
        return sa.cast(sa.null(), sa.Date)
    return sa.cast(sa.null(), sa.BigInteger)


Expr = sa.ColumnElement[Any]


@dataclass(frozen=True, slots=True)
class Roles:
    """SQL expressions over the source, one per mapped role.

    ``day`` and ``created`` are DATEs (NULL when missing, or when text is not
    a date); ``bad_day``/``bad_created`` are 1 for text that is not a date
    (files only); ``amount`` a DECIMAL or integer (NULL when missing or not a
    number); ``bad_amount`` 1 for a value planc refuses (text that is not a
    plain decimal, or beyond planc's bound) and ``places`` its digits after
    the point.
    """

    owner: Expr
    day: Expr
    amount: Expr
    missing_amount: Expr
    product: Expr | None = None
    stage: Expr | None = None
    account: Expr | None = None
    key: Expr | None = None
    created: Expr | None = None
    bad_day: Expr | None = None
    bad_amount: Expr | None = None
    bad_created: Expr | None = None
    places: Expr | None = None


@dataclass(frozen=True, slots=True)
class Window:
    quarter_start: date
    quarter_end: date
    as_of: date


class _DaysBetween(FunctionElement[Any]):
    """Whole days from the second date to the first, as an integer, in each dialect's words."""

    inherit_cache = True
    type = sa.Integer()


@compiles(_DaysBetween)
def _days_default(element: _DaysBetween, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"({later} - {earlier})"  # PostgreSQL, DuckDB, Oracle: date - date is days


@compiles(_DaysBetween, "sqlite")
def _days_sqlite(element: _DaysBetween, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


@compiles(_DaysBetween, "mysql")
@compiles(_DaysBetween, "mariadb")
def _days_mysql(element: _DaysBetween, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"DATEDIFF({later}, {earlier})"


@compiles(_DaysBetween, "mssql")
@compiles(_DaysBetween, "snowflake")
@compiles(_DaysBetween, "trino")
@compiles(_DaysBetween, "databricks")
def _days_datediff(element: _DaysBetween, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"DATEDIFF(day, {earlier}, {later})"


@compiles(_DaysBetween, "bigquery")
def _days_bigquery(element: _DaysBetween, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"DATE_DIFF({later}, {earlier}, DAY)"


class _Weeks(FunctionElement[Any]):
    """Whole weeks in a number of days (not negative), as an integer."""

    inherit_cache = True
    type = sa.Integer()


@compiles(_Weeks)
def _weeks_default(element: _Weeks, compiler: Any, **kw: Any) -> str:
    return f"CAST(FLOOR({compiler.process(element.clauses, **kw)} / 7.0) AS INTEGER)"


@compiles(_Weeks, "sqlite")
def _weeks_sqlite(element: _Weeks, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} / 7)"  # integers: integer division


def days_between(later: Expr, earlier: Expr) -> Expr:
    return _DaysBetween(later, earlier)


def month_key(day: Expr) -> Expr:
    """year * 12 + month - 1, as planc.track.tracking.month_key."""
    year = sa.cast(sa.extract("year", day), sa.Integer)
    month = sa.cast(sa.extract("month", day), sa.Integer)
    return year * 12 + month - 1


def blank_text(text: Expr) -> Expr:
    """1 where the text is missing or nothing but what the dialect's TRIM strips, else 0."""
    return _flag(sa.or_(text.is_(None), sa.func.trim(text) == ""))


def _flag(condition: Expr) -> Expr:
    return sa.case((condition, 1), else_=0)


def _date(name: str, value: date) -> Expr:
    return sa.bindparam(name, value, sa.Date)


def _or_null(expr: Expr | None) -> Expr:
    return expr if expr is not None else sa.null()


def _or_zero(expr: Expr | None) -> Expr:
    return expr if expr is not None else sa.literal(0)


@dataclass(frozen=True, slots=True)
class Plan:
    """Which sets the statement computes, and what they need from the plan."""

    account_months: Sequence[int] = ()  # months whose account sums are kept (ACCOUNTS)
    closed_stages: Sequence[Any] = ()  # stage values (or codes) won or lost for certain (PIPELINE)
    not_won_stages: Sequence[
        Any
    ] = ()  # stage values (or codes) open or lost for certain (ACCOUNTS)
    accounts: bool = False
    keys: bool = False
    pipeline: bool = False
    account_groups: bool = True  # False: the caller groups the accounts itself (DuckDB)
    account_scan: bool = False  # ACCOUNT_SUMS and FIRST_DEALS (DuckDB's fanout_query only)
    no_account: bool = True  # the LEDGER's no-account key (read when a metric counts accounts)
    # an engine's own test of that key (1 or 0) where it knows one cheaper than blank_text's
    blank_account: Callable[[Expr], Expr] | None = None
    ledger_days: bool = True  # False: the fanout's LEDGER leaves out each group's latest days

    @property
    def sets(self) -> tuple[int, ...]:
        wanted = [LEDGER]
        if self.accounts and self.account_groups:
            wanted.append(ACCOUNTS)
        if self.accounts and self.account_scan:
            wanted += [ACCOUNT_SUMS, FIRST_DEALS]
        if self.keys:
            wanted.append(KEYS)
        if self.pipeline:
            wanted += [PIPELINE, OPEN_AGES, CYCLES]
        return tuple(wanted)


def _keyed_rows(source: sa.FromClause, roles: Roles, window: Window, plan: Plan) -> sa.Subquery:
    """One row per source row with every key and every value the sets aggregate."""
    aged: Aged | None = None
    if plan.pipeline and roles.created is not None:
        source, roles, aged = _aged(source, roles, window.as_of, plan)
    day = roles.day
    as_of = window.as_of
    when = sa.case(
        (day.is_(None), W_NONE),
        (day < _date("quarter_start", window.quarter_start), W_BEFORE),
        (day > _date("quarter_end", window.quarter_end), W_AFTER_QUARTER),
        (day > _date("as_of", as_of), W_AFTER_AS_OF),
        else_=W_IN,
    )
    month = month_key(day)
    negative = _flag(roles.amount < 0)
    blank = plan.blank_account or blank_text
    no_account = (
        blank(roles.account)
        if plan.accounts and plan.no_account and roles.account is not None
        else sa.literal(0)
    )
    columns: dict[str, Expr] = {
        "owner": roles.owner,
        "product": _or_null(roles.product),
        "stage": _or_null(roles.stage),
        "month": month,
        "when_": when,
        "late": _flag(day > _date("as_of_late", as_of)),
        "no_account": no_account,
        "day": day,
        "amount": roles.amount,
        "flag_missing_amount": roles.missing_amount,
        "flag_bad_amount": _or_zero(roles.bad_amount),
        "flag_bad_day": _or_zero(roles.bad_day),
        "flag_negative": negative,
        "flag_bad_created": sa.literal(0),
        "flag_missing_created": sa.literal(0),
        "places": _or_zero(roles.places),
    }
    if plan.accounts and plan.account_groups and roles.account is not None:
        up_to = sa.and_(day <= _date("as_of_accounts", as_of), roles.account.is_not(None))
        if roles.stage is not None and plan.not_won_stages:  # their sums are not needed
            not_won: Any = sa.bindparam("not_won", list(plan.not_won_stages), expanding=True)
            up_to = sa.and_(up_to, sa.not_(roles.stage.in_(not_won)))
        columns["account"] = sa.case((up_to, roles.account), else_=sa.null())
        months: Any = sa.bindparam("account_months", list(plan.account_months), expanding=True)
        columns["account_month"] = sa.case((month.in_(months), month), else_=sa.null())
    elif plan.accounts and plan.account_scan and roles.account is not None:
        up_to = sa.and_(day <= _date("as_of_accounts", as_of), roles.account.is_not(None))
        if roles.stage is not None and plan.not_won_stages:  # never won: not needed
            not_won = sa.bindparam("not_won", list(plan.not_won_stages), expanding=True)
            up_to = sa.and_(up_to, sa.not_(roles.stage.in_(not_won)))
        columns["account"] = sa.case((up_to, roles.account), else_=sa.null())
        months = sa.bindparam("account_months", list(plan.account_months), expanding=True)
        columns["account_month"] = sa.case((month.in_(months), month), else_=sa.null())
    if plan.keys and roles.key is not None:
        columns["key"] = roles.key
    if aged is not None:
        assert roles.created is not None
        columns.update(_pipeline_columns(roles, roles.created, day, as_of, negative, aged))
    keyed = sa.select(*(expr.label(name) for name, expr in columns.items())).select_from(source)
    return keyed.subquery("planc_rows_keyed")


ROLE_FIELDS = (
    "owner",
    "day",
    "amount",
    "missing_amount",
    "product",
    "stage",
    "account",
    "key",
    "created",
    "bad_day",
    "bad_amount",
    "bad_created",
    "places",
)


def role_values(roles: Roles) -> dict[str, Expr]:
    """Each role's value, labelled by its field (the roles a subquery of them holds)."""
    found = {name: getattr(roles, name) for name in ROLE_FIELDS}
    return {name: expr.label(name) for name, expr in found.items() if expr is not None}


def roles_of(table: sa.FromClause, roles: Roles) -> Roles:
    """The roles again, as plain columns of a subquery of :func:`role_values`."""
    present = {name: table.c[name] for name in ROLE_FIELDS if getattr(roles, name) is not None}
    return Roles(**present)


@dataclass(frozen=True, slots=True)
class Aged:
    """What several pipeline columns test, computed once per row (see :func:`_aged`)."""

    born: Expr  # created by the as-of day
    age: Expr  # days from created to the as-of day
    maybe_open: Expr  # born, and not closed by then under a stage that is won or lost for certain


def _aged(
    source: sa.FromClause, roles: Roles, as_of: date, plan: Plan
) -> tuple[sa.Subquery, Roles, Aged]:
    """The rows with each role's value and, once per row, whether the deal was born by the
    as-of day, its age then and whether it may be open then.

    Five pipeline columns test these; written into each, they were evaluated for every
    row each time (a database cannot tell that two bound parameters hold the same day),
    and the stage list of :data:`Plan.closed_stages` -- a string comparison per spelling
    -- twice per row: at 1M rows in DuckDB, about a sixth of the statement's instructions.
    """
    created = roles.created
    assert created is not None
    born = sa.and_(created.is_not(None), created <= _date("as_of_born", as_of))
    if roles.stage is None:  # every row is won
        certain: Expr = sa.true()
    elif plan.closed_stages:
        stages: Any = sa.bindparam("closed_stages", list(plan.closed_stages), expanding=True)
        certain = roles.stage.in_(stages)
    else:
        certain = sa.false()
    maybe_open = sa.and_(born, sa.not_(sa.and_(roles.day <= _date("as_of_open", as_of), certain)))
    rows = (
        sa.select(
            *role_values(roles).values(),
            _flag(born).label("aged_born"),
            days_between(_date("as_of_age", as_of), created).label("aged_age"),
            _flag(maybe_open).label("aged_maybe_open"),
        )
        .select_from(source)
        .subquery("planc_rows_aged")
    )
    c = rows.c
    aged = Aged(born=c.aged_born == 1, age=c.aged_age, maybe_open=c.aged_maybe_open == 1)
    return rows, roles_of(rows, roles), aged


def _pipeline_columns(
    roles: Roles, created: Expr, day: Expr, as_of: date, negative: Expr, aged: Aged
) -> dict[str, Expr]:
    """Keys of deals created by the as-of day (NULL for the others) and their priced amounts.

    A deal closed by the as-of day under a stage that is won or lost for
    certain is in no open count: its week and open age are left out of its
    key, so such deals (most rows) make few groups.
    """
    born, age, maybe_open = aged.born, aged.age, aged.maybe_open
    closed = sa.case(
        (day.is_(None), NOT_CLOSED),
        (day <= _date("as_of_closed", as_of), CLOSED_BY),
        else_=CLOSED_AFTER,
    )
    week = sa.case((age >= 7 * MAX_WEEK, MAX_WEEK), else_=_Weeks(age))
    cycle = sa.case((day >= created, days_between(day, created)), else_=0)
    ok = sa.and_(
        roles.amount.is_not(None),
        roles.missing_amount == 0,
        _or_zero(roles.bad_amount) == 0,
        negative == 0,
    )
    return {
        "closed": sa.case((born, closed), else_=sa.null()),
        "week": sa.case((maybe_open, week), else_=sa.null()),
        "recent": sa.case((born, _flag(age < LOOKBACK)), else_=sa.null()),
        "open_age": sa.case((maybe_open, age), else_=sa.null()),
        "cycle": sa.case(
            (sa.and_(born, day <= _date("as_of_cycle", as_of)), cycle), else_=sa.null()
        ),
        "created_day": created,
        "flag_bad_created": _or_zero(roles.bad_created),
        "flag_missing_created": _flag(created.is_(None)),
        "priced_amount": sa.case((ok, roles.amount), else_=sa.null()),
    }


NEEDED: dict[int, frozenset[str]] = {
    LEDGER: frozenset(AGGREGATES) - {"first_day", "priced", "priced_amount", "priced_squares"},
    ACCOUNTS: frozenset({"n", "amount", "first_day"}),
    KEYS: frozenset({"n"}),
    PIPELINE: frozenset({"n", "priced", "priced_amount", "priced_squares"}),
    OPEN_AGES: frozenset({"n"}),
    CYCLES: frozenset({"n"}),
    ACCOUNT_SUMS: frozenset({"amount"}),
    FIRST_DEALS: frozenset({"first_day"}),
}


def _aggregates(
    rows: sa.FromClause, plan: Plan, wanted: frozenset[str], *, typed: bool = True
) -> list[Expr]:
    """The :data:`AGGREGATES` columns: those ``wanted`` (and computable), NULL for the others."""
    found = _computable(rows, plan)
    return [
        (found[name] if name in found and name in wanted else _null(name, typed)).label(name)
        for name in AGGREGATES
    ]


def _computable(rows: sa.FromClause, plan: Plan) -> dict[str, Expr]:
    """The :data:`AGGREGATES` the keyed rows can give, by name."""
    c = rows.c
    total = sa.func.sum
    found: dict[str, Expr] = {
        "n": sa.func.count(),
        "amount": total(c.amount),
        "places": sa.func.max(c.places),
        "first_day": sa.func.min(c.day),
        "last_day": sa.func.max(c.day),
    }
    for flag in FLAGS:  # a flag is a key of the ledger: its rows are the group's, or none
        found[flag.removeprefix("flag_")] = sa.case((c[flag] == 1, sa.func.count()), else_=0)
    if plan.pipeline and "priced_amount" in c:
        found.update(
            squares=total(c.amount * c.amount),
            # the priced rows: those with a priced amount (an integer count, not a sum of
            # 0/1 flags: DuckDB sums integers into a 128-bit state, one more column per row)
            priced=sa.func.count(c.priced_amount),
            priced_amount=total(c.priced_amount),
            priced_squares=total(c.priced_amount * c.priced_amount),
            last_created=sa.func.max(c.created_day),
        )
    return found


def keyed_rows(source: sa.FromClause, roles: Roles, window: Window, plan: Plan) -> Any:
    """The per-row SELECT every set groups: keys, values, flags (DuckDB keeps it as a table)."""
    return _keyed_rows(source, roles, window, plan).element


def sets_of(rows: sa.FromClause, plan: Plan) -> list[int]:
    """The sets of ``plan`` whose keys the keyed rows have."""
    return [s for s in plan.sets if all(name in rows.c for name in SET_KEYS[s])]


def set_query(rows: sa.FromClause, which: int, plan: Plan, *, typed: bool = True) -> Any:
    """One set's GROUP BY over keyed rows, with only the aggregates it needs.

    Result columns: ``set_``, :data:`KEY_COLUMNS` (NULL but the set's), :data:`AGGREGATES`.
    ``typed``: the NULLs cast to the column's type (dialects whose UNION ALL
    branches must agree); else plain NULLs, which take the other branches' type.
    """
    keys = SET_KEYS[which]
    select = sa.select(
        sa.literal(which).label("set_"),
        *(
            (rows.c[name] if name in keys else _null(name, typed)).label(name)
            for name in KEY_COLUMNS
        ),
        *_aggregates(rows, plan, NEEDED[which], typed=typed),
    ).group_by(*(rows.c[name] for name in keys))
    if which == KEYS:
        select = select.having(sa.func.count() > 1)
    return select


def _null(name: str, typed: bool) -> Expr:
    return _typed_null(name) if typed else sa.null()


def _read_by_fold(rows: sa.FromClause, which: int) -> Expr | None:
    """The rows of a set the fold reads (None: all of them).

    PIPELINE: deals that may be open at the as-of day (a week) or created in
    the last LOOKBACK days (recent); OPEN_AGES: deals with an open age; CYCLES:
    deals with a cycle. Other rows would only make groups the fold skips.
    """
    c = rows.c
    if which == PIPELINE:
        return sa.or_(c.week.is_not(None), c.recent == 1)
    if which == OPEN_AGES:
        return c.open_age.is_not(None)
    if which == CYCLES:
        return c.cycle.is_not(None)
    if which == ACCOUNT_SUMS:
        return sa.and_(c.account.is_not(None), c.account_month.is_not(None))
    if which == FIRST_DEALS:
        return c.account.is_not(None)
    return None


def _first_deal_columns(rows: sa.FromClause) -> dict[str, Expr]:
    """FIRST_DEALS: by stage and account, the earliest (day, owner) -- on a tie on the day the
    owner that sorts first, as :meth:`.fold.GroupedAggregator.add_first_deals` breaks it."""
    first = sa.func.min(sa.func.row(rows.c.day, rows.c.owner))
    return {
        "owner": sa.func.struct_extract(first, 2),
        "stage": rows.c.stage,
        "account": rows.c.account,
        "first_day": sa.func.struct_extract(first, 1),
    }


# The fanout's table is narrow: every set's rows carry only as many columns as the widest
# set needs, each set's values in the columns of their kind (names by role; integers in
# i0, i1, ...; sums in s0, s1; days in d0, d1), where the sets' union had a column for
# every key and aggregate of every set, NULL in all but a set's own (38 columns; the
# PIPELINE set's 271k groups at 5M rows carried 27 NULLs each: at 1M rows a quarter of
# that set's instructions went to storing them). The LEDGER's 0/1 keys and its where-code
# are one integer, ``ledger_bits`` (bit i: LEDGER_BITS[i]; the where-code from bit
# WHEN_SHIFT), its flag counts ``n`` times a bit. :func:`stored` reads them back.
FANOUT_NAMES = ("owner", "product", "stage", "account", "key")
LEDGER_BITS = (*FLAGS, "no_account", "late")
WHEN_SHIFT = len(LEDGER_BITS)
_FLAG_COUNTS = {flag.removeprefix("flag_"): flag for flag in FLAGS}


def _stored_names(which: int, plan: Plan | None = None) -> list[str]:
    """The columns a set stores in the fanout's table: its keys, then its aggregates.

    The LEDGER's latest day and latest created day are read by the fold only as their
    maxima over all groups: with ``plan.ledger_days`` False the caller finds those (a
    Parquet file's column statistics give them for next to nothing) and the LEDGER's
    GROUP BY over every row leaves out two aggregates (5M typed Parquet rows: 2.14 ->
    1.97 s CPU for that set)."""
    keys: tuple[str, ...] = SET_KEYS[which]
    needed = NEEDED[which]
    if which == LEDGER and plan is not None and not plan.ledger_days:
        needed = needed - {"last_day", "last_created"}
    aggregates = [name for name in AGGREGATES if name in needed]
    if which == LEDGER:
        keys = ("owner", "product", "stage", "month", "ledger_bits")
        aggregates = [name for name in aggregates if name not in _FLAG_COUNTS]
    return [*keys, *aggregates]


def fanout_layout(sets: Sequence[int], plan: Plan | None = None) -> dict[int, dict[str, str]]:
    """For each set, where each of its stored columns is in the fanout's table."""
    layout: dict[int, dict[str, str]] = {}
    for which in sets:
        used = {"i": 0, "s": 0, "d": 0}
        found: dict[str, str] = {}
        for name in _stored_names(which, plan):
            if name in FANOUT_NAMES:
                found[name] = name
                continue
            kind = "s" if name in _SUMS else "d" if name in _DAYS else "i"
            found[name] = f"{kind}{used[kind]}"
            used[kind] += 1
        layout[which] = found
    return layout


def _fanout_columns(layout: dict[int, dict[str, str]]) -> list[str]:
    taken = {column for found in layout.values() for column in found.values()}
    names = [name for name in FANOUT_NAMES if name in taken]
    return [
        "set_",
        *names,
        *sorted(taken - set(names), key=lambda c: (c[0] != "i", c[0], int(c[1:]))),
    ]


def stored(
    which: int, table: sa.FromClause, layout: dict[int, dict[str, str]] | None
) -> dict[str, Expr]:
    """A set's columns (:data:`SET_KEYS`, :data:`AGGREGATES`) as expressions over the table the
    fanout's rows were stored in (``layout`` None: a table of :func:`aggregate_query`'s
    columns, each by its name). A column the set does not store is left out."""
    c = table.c
    if layout is None:
        return {name: c[name] for name in (*SET_KEYS[which], *AGGREGATES) if name in c}
    found: dict[str, Expr] = {name: c[column] for name, column in layout[which].items()}
    bits = found.pop("ledger_bits", None)
    if bits is not None:

        def bit(i: int) -> Expr:
            return bits.op(">>")(i).op("&")(1)

        found["when_"] = bits.op(">>")(WHEN_SHIFT)
        for i, name in enumerate(LEDGER_BITS):
            found[name] = bit(i)
        for count, flag in _FLAG_COUNTS.items():
            if count in NEEDED[LEDGER]:
                found[count] = found["n"] * bit(LEDGER_BITS.index(flag))
    return found


def _stored_values(
    rows: sa.FromClause, which: int, plan: Plan
) -> tuple[dict[str, Expr], list[Expr]]:
    """A set's stored columns as computed over the keyed rows, and what it groups by."""
    c = rows.c
    if which == FIRST_DEALS:
        return _first_deal_columns(rows), [c.stage, c.account]
    computable = _computable(rows, plan)
    values: dict[str, Expr] = {}
    for name in _stored_names(which, plan):
        if name == "ledger_bits":
            values[name] = c.ledger_bits
        elif name in SET_KEYS[which]:
            values[name] = c[name]
        elif name in computable:
            values[name] = computable[name]
    if which == LEDGER:  # the packed keys stand for when_ and LEDGER_BITS (each 0 or 1)
        return values, [c[name] for name in _stored_names(LEDGER)[:5]]
    return values, [c[name] for name in SET_KEYS[which]]


def _ledger_bits(rows: sa.FromClause) -> Expr:
    """The LEDGER's where-code and 0/1 keys as one integer (see :data:`LEDGER_BITS`): a
    one-to-one function of them, so grouping by it groups as by them."""
    c = rows.c
    packed: Expr = c.when_ * (1 << WHEN_SHIFT)
    for i, key in enumerate(LEDGER_BITS):
        packed = packed + c[key] * (1 << i)
    return packed


def fanout_query(source: sa.FromClause, roles: Roles, window: Window, plan: Plan) -> Any:
    """Every set of ``plan`` as a UNION ALL of GROUP BYs over one CTE of keyed rows (DuckDB).

    DuckDB streams a CTE read by several branches to all of them from one scan
    of the source (no table of rows), so each set computes only its own
    aggregates over only the rows its fold reads -- where GROUPING SETS
    computes every aggregate of every set for every row (measured at 5M rows:
    about half the CPU time). Columns: :func:`fanout_layout`'s, read back by :func:`stored`.

    Tried and slower (issue-18p, 5M typed Parquet rows, the statement alone on one thread,
    DuckDB 2.0.1): the LEDGER and PIPELINE as one GROUP BY of both sets' keys with FILTER
    aggregates (435k groups against 41k + 272k; 3.1-3.4 against 2.1-2.3 s CPU, three runs
    each); OPEN_AGES and CYCLES as one GROUP BY (their groups are disjoint: +1.2%
    instructions; callgrind, 1M rows, one thread, of a process that runs the statement
    once). Too small to be worth a change, in the same measure: the LEDGER's squares for
    the won stages alone (-1.3%), ``max(places)`` of a constant (-0.2%), whole weeks by
    integer division (-0.1%); the LEDGER's five keys packed into one BIGINT showed no gain
    in (noisy) timings.
    """
    keyed = _keyed_rows(source, roles, window, plan)
    # the LEDGER's 0/1 keys and where-code packed into one integer per row, which it groups
    # by (5 keys instead of 13: 5M typed Parquet rows, the LEDGER's GROUP BY 2.7 -> 2.1 s CPU)
    rows = sa.select(*keyed.c, _ledger_bits(keyed).label("ledger_bits")).cte("planc_rows_packed")
    sets = sets_of(rows, plan)
    layout = fanout_layout(sets, plan)
    columns = _fanout_columns(layout)
    selects = []
    for which in sets:
        values, keys = _stored_values(rows, which, plan)
        at = {layout[which][name]: expr for name, expr in values.items()}
        select = sa.select(
            sa.literal(which).label("set_"),
            *(at.get(column, sa.null()).label(column) for column in columns[1:]),
        ).group_by(*keys)
        if which == KEYS:
            select = select.having(sa.func.count() > 1)
        kept = _read_by_fold(rows, which)
        selects.append(select if kept is None else select.where(kept))
    return selects[0] if len(selects) == 1 else sa.union_all(*selects)


def aggregate_query(
    source: sa.FromClause, roles: Roles, window: Window, plan: Plan, *, grouping_sets: bool
) -> Any:
    """The one statement: every set of ``plan`` from one scan (or a UNION ALL without GROUPING SETS).

    Result columns: ``set_``, then :data:`KEY_COLUMNS` (NULL where a set does
    not group by one), then :data:`AGGREGATES`.
    """
    if plan.account_scan:  # FIRST_DEALS is no plain GROUP BY: fanout_query's alone
        raise ValueError("ACCOUNT_SUMS and FIRST_DEALS are sets of fanout_query only")
    rows = _keyed_rows(source, roles, window, plan)
    sets = sets_of(rows, plan)
    grouped = {name for s in sets for name in SET_KEYS[s]}
    present = [name for name in KEY_COLUMNS if name in rows.c and name in grouped]
    if not grouping_sets:
        selects = [set_query(rows, s, plan) for s in sets]
        return selects[0] if len(selects) == 1 else sa.union_all(*selects)
    grouping = sa.func.grouping(*(rows.c[name] for name in present))
    which = sa.case(
        *((grouping == _mask(present, SET_KEYS[s]), s) for s in sets),
        else_=-1,
    )
    statement = sa.select(
        which.label("set_"),
        *((rows.c[name] if name in present else sa.null()).label(name) for name in KEY_COLUMNS),
        *_aggregates(rows, plan, frozenset().union(*(NEEDED[s] for s in sets))),
    ).group_by(
        sa.func.grouping_sets(*(sa.tuple_(*(rows.c[name] for name in SET_KEYS[s])) for s in sets))
    )
    if KEYS in sets:
        key_grouped = sa.func.grouping(rows.c.key) == 0
        statement = statement.having(sa.or_(sa.not_(key_grouped), sa.func.count() > 1))
    return statement


def _mask(present: Sequence[str], keys: Sequence[str]) -> int:
    """GROUPING(present...) of a row of the set grouped by ``keys``: a 1 bit per column left out."""
    mask = 0
    for name in present:
        mask = mask * 2 + (0 if name in keys else 1)
    return mask
