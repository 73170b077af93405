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
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from planc.core.extras import MissingExtra

try:
    import sqlalchemy as sa
    from sqlalchemy import exc
    from sqlalchemy.engine import URL, make_url
except ModuleNotFoundError as error:
    raise MissingExtra("reading actuals from a database", "warehouse", error.name) from error

from planc.core.diagnostics import Diagnostic
from planc.core.model import ActualsMapping, Plan, SqlSource
from planc.core.source import Loc, SourceSpan
from planc.core.spelling import closest
from planc.track import actuals as a
from planc.track import tracking as t
from planc.track.engines import query as q
from planc.track.engines import rules as r
from planc.track.engines.fold import GroupedAggregator, exact_units
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
    need_accounts = "account" in mapping.columns
    statement = q.ledger_query(table, roles, window, accounts=need_accounts)
    rows = _run(connection, statement, source, shown)
    if not rows:
        raise SourceError(
            r.SOURCE_EMPTY.at(
                source.loc / ("table" if source.table else "query"),
                f"{shown} returned no rows",
                "point actuals.source at the table or query that holds the opportunities",
            )
        )
    ledger = aggregator.add_ledger(rows)
    if "key" in mapping.columns:
        repeated = _repeated_keys(connection, table, mapping, source, shown)
        if repeated is not None:
            return a.LoadedActuals(None, [repeated])
    if need_accounts and not aggregator.failed:
        months = [
            m for m, kept in zip(aggregator.slots, aggregator.account_slot, strict=False) if kept
        ]
        if ledger.rep_owners and months and ledger.won_stages != []:
            won = _run(
                connection,
                q.account_query(
                    table,
                    roles,
                    window,
                    won_stages=ledger.won_stages,
                    owners=ledger.rep_owners,
                    months=months,
                ),
                source,
                shown,
            )
            aggregator.add_accounts(
                [row[0] for row in won],
                [row[1] for row in won],
                [row[2] for row in won],
                [exact_units(row[3], ledger.scale) for row in won],
            )
        firsts = (
            _run(
                connection,
                q.first_deal_query(table, roles, window, won_stages=ledger.won_stages),
                source,
                shown,
            )
            if ledger.won_stages != []
            else []
        )
        aggregator.add_first_deals([(row[0], row[1], _day(row[2])) for row in firsts])
    loaded = aggregator.result()
    if "created" in mapping.columns:
        loaded.diagnostics.append(
            r.SOURCE_NO_PIPELINE.at(
                mapping.loc / "columns" / "created",
                "no pipeline forecast: planc computes it from an export only for now; "
                "attainment, pace, run-rate and warnings are complete",
                "for the pipeline forecast run planc track with --actuals on an export",
            )
        )
    loaded.diagnostics[:] = [_naming(d, shown) for d in loaded.diagnostics]
    return loaded


def _repeated_keys(
    connection: sa.Connection,
    table: sa.FromClause,
    mapping: ActualsMapping,
    source: SqlSource,
    shown: str,
) -> Diagnostic | None:
    """PLC760 when a key is on more than one row (a database has no "last" row to keep)."""
    column = mapping.columns["key"]
    found = _run(
        connection,
        q.repeated_keys_query(table, table.c[column], shown=a.ROWS_SHOWN),
        source,
        shown,
    )
    if not found:
        return None
    keys, rows = int(found[0][2]), int(found[0][3])
    listed = ", ".join(f"`{key}` ({n} rows)" for key, n, _, _ in found)
    more = f" and {keys - len(found):,} more" if keys > len(found) else ""
    return DUPLICATE_KEY.at(
        mapping.loc / "columns" / "key",
        f"{shown}: {a._count(keys, column + ' value')} on more than one row ({rows:,} rows): "
        f"{listed}{more}",
        "a database has no row order to pick the last row by: keep one row per key in "
        "actuals.source.query (e.g. the latest by its modified date)",
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
        listed = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
        raise SourceError(
            r.SOURCE_MISSING.at(
                mapping.loc / "columns" / role,
                f"the {role} column `{column}` (actuals.columns.{role}) is not in {shown}; its columns are {listed}",
                f"did you mean `{near}`?"
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
    if found:
        sample_day, sample_amount = found[0]
        _check_day(sample_day, sqlite, mapping, shown)
        _check_amount(sample_amount, mapping, shown)
        if isinstance(sample_day, datetime) or sqlite:
            day = sa.func.date(day_col) if sqlite else sa.cast(day_col, sa.Date)
    return q.Roles(
        owner=table.c[columns["owner"]],
        day=day,
        amount=amount_col,
        missing_amount=sa.case((amount_col.is_(None), 1), else_=0),
        product=table.c[columns["product"]] if "product" in columns else None,
        stage=table.c[columns["stage"]] if "stage" in columns else None,
        account=table.c[columns["account"]] if "account" in columns else None,
    )


def _check_day(value: Any, sqlite: bool, mapping: ActualsMapping, shown: str) -> None:
    if isinstance(value, date):
        return
    if sqlite and isinstance(value, str) and a._parse_day(value, None) is not None:
        return  # SQLite keeps dates as ISO text; its date functions read them
    raise SourceError(
        r.SOURCE_TYPE.at(
            mapping.loc / "columns" / "date",
            f"the date column `{mapping.columns['date']}` of {shown} holds {_kind(value)}, not dates",
            f"CAST({mapping.columns['date']} AS DATE) in actuals.source.query",
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
    watchdog = _Watchdog(connection, source.timeout)
    try:
        with watchdog:
            return [tuple(row) for row in connection.execute(statement)]
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
