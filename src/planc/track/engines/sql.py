"""Actuals from a database or warehouse: ``actuals.source`` in the plan.

planc connects with SQLAlchemy (the URL from an environment variable), checks
that the table (or the query's result) has the mapped columns with types it
can count exactly, and runs the aggregation of :mod:`planc.track.engines.query`
read-only, under a statement timeout; only aggregates come back. The grouped
rows are folded by the pandas reader's own rules (:mod:`.fold`).

Safety: identifiers are quoted by the dialect (``sa.table``/``sa.column``),
values are bound parameters; a user's query runs as a subquery of planc's
SELECT, in a read-only transaction where the dialect has one (PostgreSQL,
MySQL, SQLite), with a statement timeout (PostgreSQL, MySQL) and a connect
timeout. The URL's password never appears in a message: sources are shown as
``dialect://user@host:port/database``, and driver messages are scrubbed of it.
"""

from __future__ import annotations

import os
import threading
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np

from planc.core.extras import MissingExtra

try:
    import sqlalchemy as sa
    from sqlalchemy import exc
    from sqlalchemy.engine import URL, make_url
except ModuleNotFoundError as error:
    raise MissingExtra("reading actuals from a database", "warehouse", error.name) from error

from planc.core.diagnostics import Diagnostic
from planc.core.model import ActualsMapping, Plan, SqlSource
from planc.core.numbers import BOUND_TEXT, MAX_DECIMALS, MAX_INTEGER_DIGITS, show_long
from planc.core.safetext import NAME_LIMIT
from planc.core.safetext import shown as shown_value
from planc.core.source import Loc, SourceSpan
from planc.core.spelling import closest
from planc.track import actuals as a
from planc.track import tracking as t
from planc.track.engines import query as q
from planc.track.engines import rules as r
from planc.track.engines.fold import GroupedAggregator, Ledger, _ordinal, exact_units
from planc.track.rules import DUPLICATE_KEY

# pip packages of the SQLAlchemy dialects and drivers users ask for, by URL scheme
PACKAGE_BY_DRIVER = {
    "postgresql": "psycopg2-binary",
    "postgresql+psycopg": "psycopg[binary]",
    "postgresql+psycopg2": "psycopg2-binary",
    "postgresql+pg8000": "pg8000",
    "postgresql+asyncpg": "asyncpg",
    "mysql": "mysqlclient",
    "mysql+pymysql": "pymysql",
    "mssql+pyodbc": "pyodbc",
    "oracle+oracledb": "oracledb",
    "snowflake": "snowflake-sqlalchemy",
    "bigquery": "sqlalchemy-bigquery",
    "trino": "trino[sqlalchemy]",
    "databricks": "databricks-sqlalchemy",
    "hive": "pyhive[hive]",
    "redshift+psycopg2": "sqlalchemy-redshift psycopg2-binary",
    "duckdb": "duckdb-engine",
}
SECRET_QUERY_KEYS = ("password", "passwd", "pwd", "secret", "token", "key")


class SourceError(Exception):
    """The source cannot be read; the diagnostic says why (exit 2)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


@dataclass(slots=True)
class SqlActuals:
    """The aggregated actuals (or None), what was found, and the source as shown."""

    loaded: a.LoadedActuals
    shown: str
    failed: bool  # a PLC79x error: exit 2


def load_sql_actuals(
    source: SqlSource,
    plan: Plan,
    as_of: date,
    *,
    baselines: bool,
    environ: Mapping[str, str] | None = None,
) -> SqlActuals:
    """Read the plan's SQL source with its mapping; errors are diagnostics, never exceptions."""
    mapping = plan.actuals
    assert mapping is not None
    env = os.environ if environ is None else environ
    shown = f"${source.url_env}" if source.url_env else "actuals.source.url"
    secret: str | None = None
    try:
        url = _url(source, env)
        secret = url.password if isinstance(url.password, str) else None
        shown = describe(url, source)
        engine = _engine(url, source, shown)
        try:
            loaded = _read(engine, url, source, mapping, plan, as_of, shown, baselines)
        finally:
            engine.dispose()
    except SourceError as error:
        found = _scrubbed(error.diagnostic, secret)
        return SqlActuals(a.LoadedActuals(None, [found]), shown, True)
    loaded.diagnostics[:] = [_scrubbed(d, secret) for d in loaded.diagnostics]
    return SqlActuals(loaded, shown, False)


# --- the URL and the engine -----------------------------------------------------------


def _url(source: SqlSource, env: Mapping[str, str]) -> URL:
    where = source.loc / ("url_env" if source.url_env else "url")
    if source.url_env:
        text = env.get(source.url_env, "").strip()
        if not text:
            raise SourceError(
                r.SOURCE_URL.at(
                    where,
                    f"the environment variable {source.url_env} (actuals.source.url_env) is not set",
                    f"export {source.url_env}='dialect+driver://user:password@host/database'",
                )
            )
        origin = f"the value of {source.url_env}"
    else:
        text = source.url or ""
        origin = "actuals.source.url"
    try:
        url = make_url(text)
    except (exc.ArgumentError, ValueError) as error:
        raise SourceError(
            r.SOURCE_URL.at(
                where,
                f"{origin} is not a SQLAlchemy URL",
                "write it as dialect+driver://user:password@host:port/database",
            )
        ) from error
    if not source.url_env and (url.password or _secret_in_query(url)):
        raise SourceError(
            r.SOURCE_URL.at(
                where,
                "actuals.source.url carries a password, and the plan lives in git",
                "put the URL in an environment variable and name it in actuals.source.url_env",
            )
        )
    return url


def _secret_in_query(url: URL) -> bool:
    return any(key.lower() in SECRET_QUERY_KEYS for key in url.query)


def describe(url: URL, source: SqlSource) -> str:
    """The source as messages show it: no password, no query string."""
    user = f"{url.username}@" if url.username else ""
    host = url.host or ""
    port = f":{url.port}" if url.port else ""
    base = f"{url.drivername}://{user}{host}{port}/{url.database or ''}"
    what = f"table {source.table}" if source.table else "query"
    return f"{base} ({what})"


def _engine(url: URL, source: SqlSource, shown: str) -> sa.Engine:
    try:
        return sa.create_engine(
            url, poolclass=sa.pool.NullPool, connect_args=_connect_args(url, source)
        )
    except exc.NoSuchModuleError as error:
        raise SourceError(_no_driver(url, source, shown, url.drivername)) from error
    except ModuleNotFoundError as error:
        raise SourceError(_no_driver(url, source, shown, error.name or url.drivername)) from error
    except exc.ArgumentError as error:
        raise SourceError(
            r.SOURCE_URL.at(source.loc, f"{shown}: {error}", "check the URL's options")
        ) from error


def _no_driver(url: URL, source: SqlSource, shown: str, module: str) -> Diagnostic:
    package = PACKAGE_BY_DRIVER.get(url.drivername) or PACKAGE_BY_DRIVER.get(url.get_backend_name())
    hint = (
        f"pip install '{package}'"
        if package
        else f"install the SQLAlchemy dialect for {url.drivername}"
    )
    return r.SOURCE_DRIVER.at(
        source.loc / ("url_env" if source.url_env else "url"),
        f"{shown}: the SQLAlchemy dialect or driver for {url.drivername} is not installed ({module})",
        hint,
    )


def _connect_args(url: URL, source: SqlSource) -> dict[str, Any]:
    """Connect timeout, and read-only and statement timeout where the driver takes them."""
    backend, driver = url.get_backend_name(), url.get_driver_name()
    millis = source.timeout * 1000
    if backend == "postgresql" and driver in ("psycopg", "psycopg2"):
        return {
            "connect_timeout": source.timeout,
            "options": f"-c default_transaction_read_only=on -c statement_timeout={millis}",
        }
    if backend == "postgresql" and driver == "pg8000":
        return {"timeout": source.timeout}
    if backend == "mysql":
        return {
            "connect_timeout": source.timeout,
            "init_command": "SET SESSION TRANSACTION READ ONLY",
        }
    if backend == "sqlite":
        return {"timeout": source.timeout}
    return {}


def _session_setup(connection: sa.Connection, url: URL, source: SqlSource) -> None:
    """Read-only and a timeout for dialects that take them per session."""
    backend = url.get_backend_name()
    if backend == "sqlite":
        connection.exec_driver_sql("PRAGMA query_only = ON")
    elif backend == "mysql":
        connection.execute(
            sa.text("SET SESSION max_execution_time = :ms"), {"ms": source.timeout * 1000}
        )


# --- reading ------------------------------------------------------------------------------


def _read(
    engine: sa.Engine,
    url: URL,
    source: SqlSource,
    mapping: ActualsMapping,
    plan: Plan,
    as_of: date,
    shown: str,
    baselines: bool,
) -> a.LoadedActuals:
    try:
        connection = engine.connect()
    except ModuleNotFoundError as error:
        raise SourceError(_no_driver(url, source, shown, error.name or url.drivername)) from error
    except exc.DBAPIError as error:
        raise SourceError(
            r.SOURCE_CONNECT.at(
                source.loc / ("url_env" if source.url_env else "url"),
                f"cannot connect to {shown}: {_first_line(error)}",
                "check the host, port, database, user and password in the URL, and that the server runs",
            )
        ) from error
    with connection, connection.begin():
        _session_setup(connection, url, source)
        return _aggregate(connection, url, source, mapping, plan, as_of, shown, baselines)


def _aggregate(
    connection: sa.Connection,
    url: URL,
    source: SqlSource,
    mapping: ActualsMapping,
    plan: Plan,
    as_of: date,
    shown: str,
    baselines: bool,
) -> a.LoadedActuals:
    table = _from_clause(connection, source, mapping, shown)
    roles = _roles(connection, url, table, source, mapping, shown)
    window = q.Window(plan.quarter.start, plan.quarter.end, as_of)
    columns_loc = mapping.loc / "columns"

    def where(role: str, _row: int) -> Loc | SourceSpan:
        return columns_loc / role if role in mapping.columns else source.loc

    aggregator = GroupedAggregator(plan, mapping, as_of, shown, baselines=baselines, where=where)
    sets = q.Plan(
        account_months=aggregator.account_months(),
        closed_stages=aggregator.closed_stages(),
        not_won_stages=aggregator.not_won_stages(),
        accounts="account" in mapping.columns,
        keys="key" in mapping.columns,
        pipeline="created" in mapping.columns,
    )
    grouping_sets = url.get_backend_name() not in q.NO_GROUPING_SETS
    statement = q.aggregate_query(table, roles, window, sets, grouping_sets=grouping_sets)
    collected = _Collected()
    _stream(connection, statement, source, shown, collected.add)
    found = collected.sets
    if not found[q.LEDGER][0]:
        raise SourceError(
            r.SOURCE_EMPTY.at(
                source.loc / ("table" if source.table else "query"),
                f"{shown} returned no rows",
                "point actuals.source at the table or query that holds the opportunities",
            )
        )
    if collected.inexact():
        raise SourceError(_inexact_sums(mapping, shown))
    ledger = aggregator.add_ledger(found[q.LEDGER])
    if found[q.KEYS][0]:
        repeated = list(zip(*found[q.KEYS], strict=True))
        return a.LoadedActuals(None, [_repeated_keys(repeated, mapping, shown)])
    if aggregator.bad_amount_rows:
        bad = _beyond_bound(connection, table, roles, window, aggregator, ledger, source, shown)
        return a.LoadedActuals(None, [bad])
    if sets.accounts and not aggregator.failed:
        _accounts(aggregator, collected, ledger)
    if sets.pipeline and not aggregator.failed:
        aggregator.add_pipeline(
            found[q.LEDGER], found[q.PIPELINE], found[q.OPEN_AGES], found[q.CYCLES]
        )
    loaded = aggregator.result()
    loaded.diagnostics[:] = [_naming(d, shown) for d in loaded.diagnostics]
    return loaded


class _Collected:
    """The statement's rows, split by set as they stream in (never all in memory at once).

    Every set but ACCOUNTS is small (a few thousand groups) and kept as columns,
    as :func:`.fold.split_sets` does. ACCOUNTS has a group per owner and
    account (and month of the quarter): on a long history that is millions of
    groups, so each is kept as a few integers -- owner, stage and account as
    codes of their distinct values, the month, the first day's ordinal -- and
    the summed amount only where the month's sums are kept (the quarter's).
    """

    _OWNER, _STAGE, _ACCOUNT, _MONTH = (
        1 + q.KEY_COLUMNS.index(name) for name in ("owner", "stage", "account", "account_month")
    )
    _AMOUNT, _FIRST = (
        1 + len(q.KEY_COLUMNS) + q.AGGREGATES.index(name) for name in ("amount", "first_day")
    )

    def __init__(self) -> None:
        picks = {
            which: [1 + q.KEY_COLUMNS.index(name) for name in keys]
            + list(range(1 + len(q.KEY_COLUMNS), 1 + len(q.KEY_COLUMNS) + len(q.AGGREGATES)))
            for which, keys in q.SET_KEYS.items()
        }
        self._picks = {which: picked for which, picked in picks.items() if which != q.ACCOUNTS}
        self.sets: dict[int, list[list[Any]]] = {
            which: [[] for _ in picks[which]] for which in q.SET_KEYS
        }
        self.codes: dict[str, dict[Any, int]] = {"owner": {}, "stage": {}, "account": {}}
        self.owner = array("q")
        self.stage = array("q")
        self.account = array("q")
        self.month = array("q")
        self.first_day = array("q")
        self.amounts: list[Any] = []  # None where the month's sums are not kept

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        picks = self._picks
        sets = self.sets
        owners, stages, accounts = self.codes["owner"], self.codes["stage"], self.codes["account"]
        for row in rows:
            which = int(row[0])
            if which == q.ACCOUNTS:
                account = row[self._ACCOUNT]
                if account is None:  # rows of stages whose sums are not needed
                    continue
                self.owner.append(_code(owners, row[self._OWNER]))
                self.stage.append(_code(stages, row[self._STAGE]))
                self.account.append(_code(accounts, account))
                month = row[self._MONTH]
                self.month.append(-1 if month is None else int(month))
                self.amounts.append(None if month is None else row[self._AMOUNT])
                day = _ordinal(_day(row[self._FIRST]))
                self.first_day.append(-1 if day is None else day)
            elif which in picks:
                for column, i in zip(sets[which], picks[which], strict=True):
                    column.append(row[i])

    def inexact(self) -> bool:
        """Whether a sum came back as a binary float, which planc never reports as a figure.

        SQLite turns an integer product or sum beyond 64 bits into a float
        without an error: the squared amounts the pipeline forecast sums pass
        2**63 from about 3 * 10**9; a REAL amount below the first row does too.
        """
        sums = [len(q.AGGREGATES) - q.AGGREGATES.index(name) for name in _SUMS]
        for columns in self.sets.values():
            for back in sums:
                if columns and any(isinstance(v, float) for v in columns[-back]):
                    return True
        return any(isinstance(v, float) for v in self.amounts)

    def values(self, role: str) -> Any:
        """The distinct values of ``role``, indexable by their codes (an object array)."""
        found = np.empty(len(self.codes[role]), dtype=object)
        for value, code in self.codes[role].items():
            found[code] = value
        return found


_SUMS = ("amount", "squares", "priced_amount", "priced_squares")


def _inexact_sums(mapping: ActualsMapping, shown: str) -> Diagnostic:
    column = mapping.columns["amount"]
    return r.SOURCE_TYPE.at(
        mapping.loc / "columns" / "amount",
        f"{shown} cannot sum the amount column `{column}` exactly: a sum (or the sum of "
        "squared amounts the pipeline forecast needs) came back as a binary float, as "
        "SQLite does beyond 64-bit integers or for REAL values",
        f"store {column} as exact NUMERIC in a database that sums it exactly (PostgreSQL), "
        "or export the rows to a file",
    )


def _code(codes: dict[Any, int], value: Any) -> int:
    found = codes.get(value)
    if found is None:
        found = codes[value] = len(codes)
    return found


def _accounts(aggregator: GroupedAggregator, collected: _Collected, ledger: Ledger) -> None:
    """The ACCOUNTS groups of won stages (with an account): sums per account, first deals."""
    stage = np.frombuffer(collected.stage, dtype=np.int64)
    kept = np.ones(len(stage), dtype=bool)
    if ledger.won_stages is not None:
        won = set(ledger.won_stages)
        stage_values = collected.values("stage")
        won_codes = np.array([v in won for v in stage_values.tolist()], dtype=bool)
        kept = won_codes[stage] if len(stage_values) else kept
    chosen = np.flatnonzero(kept)
    months = np.frombuffer(collected.month, dtype=np.int64)[chosen]
    units = np.zeros(len(chosen), dtype=object)
    amounts = collected.amounts
    for i, row in enumerate(chosen.tolist()):
        if months[i] >= 0:
            units[i] = exact_units(amounts[row] or 0, ledger.scale)
    aggregator.add_account_groups(
        collected.values("owner")[np.frombuffer(collected.owner, dtype=np.int64)[chosen]],
        collected.values("account")[np.frombuffer(collected.account, dtype=np.int64)[chosen]],
        months,
        units,
        np.frombuffer(collected.first_day, dtype=np.int64)[chosen],
    )


def _repeated_keys(
    rows: Sequence[tuple[Any, ...]], mapping: ActualsMapping, shown: str
) -> Diagnostic:
    """PLC760: keys on more than one row (a database has no "last" row to keep)."""
    column = mapping.columns["key"]
    counted = sorted(((a._text(row[0]), int(row[1])) for row in rows), key=lambda kv: kv[0])
    shown_keys = counted[: a.ROWS_SHOWN]
    listed = ", ".join(f"`{key}` ({n} rows)" for key, n in shown_keys)
    more = f" and {len(counted) - len(shown_keys):,} more" if len(counted) > len(shown_keys) else ""
    total = sum(n for _, n in counted)
    return DUPLICATE_KEY.at(
        mapping.loc / "columns" / "key",
        f"{shown}: {a._count(len(counted), column + ' value')} on more than one row ({total:,} rows): "
        f"{listed}{more}",
        "a database has no row order to pick the last row by: keep one row per key in "
        "actuals.source.query (e.g. the latest by its modified date)",
    )


def _beyond_bound(
    connection: sa.Connection,
    table: sa.FromClause,
    roles: q.Roles,
    window: q.Window,
    aggregator: GroupedAggregator,
    ledger: Ledger,
    source: SqlSource,
    shown: str,
) -> Diagnostic:
    """PLC706 for won amounts beyond planc's bound, naming the first rows by key (or owner and date)."""
    mapping = aggregator.mapping
    columns = mapping.columns
    assert roles.bad_amount is not None
    label = table.c[columns["key"]] if "key" in columns else roles.owner
    conditions = [
        roles.bad_amount == 1,
        roles.day <= sa.bindparam("as_of", window.as_of, sa.Date),
        q.month_key(roles.day).in_(sa.bindparam("months", list(aggregator.slots), expanding=True)),
    ]
    if roles.stage is not None and ledger.won_stages is not None:
        conditions.append(roles.stage.in_(sa.bindparam("won", ledger.won_stages, expanding=True)))
    statement = (
        sa.select(label, roles.day, roles.amount)
        .where(*conditions)
        .order_by(label)
        .limit(a.ROWS_SHOWN)
    )
    rows = _run(connection, statement, source, shown)
    who = columns["key"] if "key" in columns else columns["owner"]
    listed = ", ".join(
        f"{who} `{shown_value(a._text(key))}` ({day}): {show_long(str(amount))}"
        for key, day, amount in rows
    )
    n = aggregator.bad_amount_rows
    more = f" and {n - len(rows):,} more" if n > len(rows) else ""
    return t.BAD_AMOUNT.at(
        mapping.loc / "columns" / "amount",
        f"{shown}: {columns['amount']} is beyond what planc reads ({BOUND_TEXT}) in "
        f"{a._count(n, 'won row')}: {listed}{more}",
        f"round {columns['amount']} to {MAX_DECIMALS} places in actuals.source.query, "
        "or fix the rows",
    )


def _from_clause(
    connection: sa.Connection, source: SqlSource, mapping: ActualsMapping, shown: str
) -> sa.FromClause:
    """The table (quoted by the dialect) or the query as a subquery, with its columns."""
    if source.table is not None:
        schema, _, name = source.table.rpartition(".")
        inspector = sa.inspect(connection)
        try:
            exists = inspector.has_table(name, schema=schema or None)
        except exc.DBAPIError as error:
            raise SourceError(_failed(source, shown, error)) from error
        if not exists:
            raise SourceError(
                r.SOURCE_MISSING.at(
                    source.loc / "table",
                    f"{shown}: there is no table or view {source.table}",
                    "check the name (schema.table) and that the URL's user may see it",
                )
            )
        names = [c["name"] for c in inspector.get_columns(name, schema=schema or None)]
        table = sa.table(name, *(sa.column(n) for n in names), schema=schema or None)
        return _check_columns(table, names, source, mapping, shown)
    text = (source.query or "").strip().rstrip(";").strip()
    probe: Any = sa.select(sa.literal_column("*")).select_from(
        sa.text(text).columns().subquery("planc_source")
    )
    try:
        names = list(connection.execute(probe.where(sa.false())).keys())
    except exc.DBAPIError as error:
        raise SourceError(_failed(source, shown, error)) from error
    subquery = sa.text(text).columns(*(sa.column(n) for n in names)).subquery("planc_source")
    return _check_columns(subquery, names, source, mapping, shown)


def _check_columns(
    table: sa.FromClause,
    names: list[str],
    source: SqlSource,
    mapping: ActualsMapping,
    shown: str,
) -> sa.FromClause:
    for role in t.COLUMN_ROLES:
        column = mapping.columns.get(role)
        if column is None or column in names:
            continue
        near = closest(column, names)
        listed = ", ".join(shown_value(n, NAME_LIMIT) for n in names[:12]) + (
            ", ..." if len(names) > 12 else ""
        )
        raise SourceError(
            r.SOURCE_MISSING.at(
                mapping.loc / "columns" / role,
                f"the {role} column `{column}` (actuals.columns.{role}) is not in {shown}; its columns are {listed}",
                f"did you mean `{shown_value(near, NAME_LIMIT)}`?"
                if near
                else "map actuals.columns to the source's columns",
            )
        )
    return table


def _roles(
    connection: sa.Connection,
    url: URL,
    table: sa.FromClause,
    source: SqlSource,
    mapping: ActualsMapping,
    shown: str,
) -> q.Roles:
    columns = mapping.columns
    day_col = table.c[columns["date"]]
    amount_col = table.c[columns["amount"]]
    probe = (
        sa.select(day_col, amount_col).where(day_col.is_not(None), amount_col.is_not(None)).limit(1)
    )
    found = _run(connection, probe, source, shown)
    sqlite = url.get_backend_name() == "sqlite"
    day: q.Expr = day_col
    amount: q.Expr = amount_col
    if found:
        sample_day, sample_amount = found[0]
        day = _as_date(day_col, sample_day, "date", sqlite, mapping, shown)
        _check_amount(sample_amount, mapping, shown)
        if isinstance(sample_amount, int) and url.get_backend_name() == "postgresql":
            # bigint * bigint fails beyond 2**63 ("bigint out of range") from amounts of
            # about 3 * 10**9: the forecast's squares are taken in PostgreSQL's unbounded
            # NUMERIC, exact (its sums of integers are NUMERIC already)
            amount = sa.cast(amount_col, sa.Numeric)
    created: q.Expr | None = None
    if "created" in columns:
        created_col = table.c[columns["created"]]
        sample = _run(
            connection,
            sa.select(created_col).where(created_col.is_not(None)).limit(1),
            source,
            shown,
        )
        created = (
            _as_date(created_col, sample[0][0], "created", sqlite, mapping, shown)
            if sample
            else created_col
        )
    return q.Roles(
        owner=table.c[columns["owner"]],
        day=day,
        amount=amount,
        missing_amount=sa.case((amount_col.is_(None), 1), else_=0),
        product=table.c[columns["product"]] if "product" in columns else None,
        stage=table.c[columns["stage"]] if "stage" in columns else None,
        account=table.c[columns["account"]] if "account" in columns else None,
        key=table.c[columns["key"]] if "key" in columns else None,
        created=created,
        bad_amount=_beyond_bound_flag(amount_col, sqlite),
    )


def _beyond_bound_flag(amount: q.Expr, sqlite: bool = False) -> q.Expr:
    """1 for an amount planc does not read (as for a file): 10**15 or more, or finer than 6 places.

    SQLite's round() goes through a 16-digit binary float: round(999999999999001, 6)
    is 999999999999000.9, so an INTEGER amount near the bound would look finer than
    6 places. Its integers have no places: only its other values are rounded.
    """
    bound = sa.literal(10**MAX_INTEGER_DIGITS)
    finer = amount != sa.func.round(amount, MAX_DECIMALS)
    if sqlite:
        finer = sa.and_(sa.func.typeof(amount) != "integer", finer)
    beyond = sa.or_(amount >= bound, amount <= -bound, finer)
    return sa.case((beyond, 1), else_=0)


def _as_date(
    column: q.Expr, sample: Any, role: str, sqlite: bool, mapping: ActualsMapping, shown: str
) -> q.Expr:
    """The column as a DATE expression, once a sample value says it holds dates."""
    _check_day(sample, sqlite, mapping, shown, role)
    if sqlite:
        return sa.func.date(column)
    if isinstance(sample, datetime):
        return sa.cast(column, sa.Date)
    return column


def _check_day(
    value: Any, sqlite: bool, mapping: ActualsMapping, shown: str, role: str = "date"
) -> None:
    if isinstance(value, date):
        return
    if sqlite and isinstance(value, str) and a._parse_day(value, None) is not None:
        return  # SQLite keeps dates as ISO text; its date functions read them
    column = mapping.columns[role]
    raise SourceError(
        r.SOURCE_TYPE.at(
            mapping.loc / "columns" / role,
            f"the {role} column `{column}` of {shown} holds {_kind(value)}, not dates",
            f"CAST({column} AS DATE) in actuals.source.query",
        )
    )


def _check_amount(value: Any, mapping: ActualsMapping, shown: str) -> None:
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return
    column = mapping.columns["amount"]
    why = (
        "binary floating point, which cannot be summed exactly"
        if isinstance(value, float)
        else f"{_kind(value)}, not numbers"
    )
    raise SourceError(
        r.SOURCE_TYPE.at(
            mapping.loc / "columns" / "amount",
            f"the amount column `{column}` of {shown} holds {why}",
            f"CAST({column} AS NUMERIC(18, 2)) in actuals.source.query (or store it as NUMERIC)",
        )
    )


def _kind(value: Any) -> str:
    return {str: "text", float: "floating-point numbers", bool: "booleans"}.get(
        type(value), type(value).__name__
    )


def _run(connection: sa.Connection, statement: Any, source: SqlSource, shown: str) -> list[Any]:
    found: list[Any] = []
    _stream(connection, statement, source, shown, lambda rows: found.extend(map(tuple, rows)))
    return found


STREAM_ROWS = 20_000  # rows fetched at a time: a server-side cursor where the driver has one


def _stream(
    connection: sa.Connection,
    statement: Any,
    source: SqlSource,
    shown: str,
    sink: Callable[[Sequence[Sequence[Any]]], None],
) -> None:
    """Run ``statement``, handing its rows to ``sink`` a batch at a time.

    Streamed (``stream_results``: a server-side cursor on PostgreSQL), so a
    result of millions of groups never sits in memory twice -- once in the
    driver, once as Python rows -- before it is folded. The timeout covers
    the fetching too.
    """
    watchdog = _Watchdog(connection, source.timeout)
    try:
        with watchdog:
            result = connection.execution_options(
                stream_results=True, yield_per=STREAM_ROWS
            ).execute(statement)
            for rows in result.partitions():
                sink(rows)
    except exc.DBAPIError as error:
        if watchdog.fired or _timed_out(error):
            raise SourceError(
                r.SOURCE_TIMEOUT.at(
                    source.loc / "timeout" if source.timeout else source.loc,
                    f"{shown}: the aggregation ran longer than {source.timeout} s and was cancelled",
                    "raise actuals.source.timeout, index the date column, or narrow the query",
                )
            ) from error
        raise SourceError(_failed(source, shown, error)) from error


class _Watchdog:
    """Cancels a statement still running after the timeout, whatever the dialect.

    The server's own statement timeout is the first line (PostgreSQL, MySQL);
    this one also covers drivers without one: it calls the DBAPI connection's
    ``cancel()`` (psycopg, most warehouse drivers) or ``interrupt()`` (SQLite)
    from a timer thread, a little after the server's timeout would have fired.
    """

    def __init__(self, connection: sa.Connection, seconds: int) -> None:
        self.connection = connection
        self.seconds = seconds
        self.fired = False
        self.timer: threading.Timer | None = None

    def __enter__(self) -> _Watchdog:
        self.timer = threading.Timer(self.seconds + 0.5, self._cancel)
        self.timer.daemon = True
        self.timer.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self.timer is not None:
            self.timer.cancel()

    def _cancel(self) -> None:
        raw = self.connection.connection.dbapi_connection
        stop = getattr(raw, "cancel", None) or getattr(raw, "interrupt", None)
        if callable(stop):
            self.fired = True
            stop()


def _timed_out(error: exc.DBAPIError) -> bool:
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    if code == "57014":  # PostgreSQL: query_canceled (statement_timeout)
        return True
    text = str(error.orig).lower()
    return "statement timeout" in text or "max_execution_time" in text


def _failed(source: SqlSource, shown: str, error: exc.DBAPIError) -> Diagnostic:
    where = source.loc / ("table" if source.table else "query")
    return r.SOURCE_FAILED.at(
        where,
        f"{shown} refused planc's query: {_first_line(error)}",
        "run the table or query in the database's own client; a query must be one SELECT",
    )


def _first_line(error: exc.DBAPIError) -> str:
    text = str(error.orig).strip() or type(error.orig).__name__
    return text.splitlines()[0]


def _day(value: Any) -> Any:
    if isinstance(value, str):
        return a._parse_day(value, None)
    return value


def _naming(diagnostic: Diagnostic, shown: str) -> Diagnostic:
    """A warning about values of the source says which source."""
    return replace(diagnostic, message=f"{shown}: {diagnostic.message}")


def _scrubbed(diagnostic: Diagnostic, secret: str | None) -> Diagnostic:
    """Never a password in a message, whatever a driver put in its error."""
    if not secret:
        return diagnostic
    return replace(
        diagnostic,
        message=diagnostic.message.replace(secret, "***"),
        hint=diagnostic.hint.replace(secret, "***") if diagnostic.hint else diagnostic.hint,
    )
