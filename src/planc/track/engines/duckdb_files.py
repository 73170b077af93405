"""Large CSV and Parquet exports through DuckDB, with the warehouse's aggregation.

DuckDB (embedded, no server) scans the file once, on every core with bounded
memory, computing the sets :mod:`.query` asks a database for (one GROUP BY
per set over one streamed CTE, see :func:`.query.fanout_query`); the
grouped sets (ledger, accounts, keys, pipeline) land in a small temporary
table, and only they reach Python, folded by :mod:`.fold` with the pandas
reader's own rules. So a 100-million-row Parquet file tracks without a row
in Python.

Exact: a CSV's values are read as text and an amount becomes
``DECIMAL(38, 9)`` only when it is a plain decimal (Parquet DATE, TIMESTAMP,
DECIMAL and integer columns are kept as they are; other columns become
text); sums are DECIMAL sums, returned to Python as ``Decimal`` or as
integers of the export's smallest unit. Never a float.

The split with pandas (:mod:`planc.track.actuals`): DuckDB has no row numbers
to show, so it takes the clean case -- a file whose rows all map, with no
value planc would report. Whenever DuckDB finds anything to report (a bad
date or amount, an unmapped owner, a repeated key, a ragged row, an encoding
other than UTF-8, a ``date_format``) or cannot read the file, it steps aside
and the pandas reader reads the file and reports with row numbers (the won
rows' account sums are read later, when first looked up: :func:`_accounts`). By
default only Parquet files of :data:`MIN_BYTES` or more come here: on CSV the
pandas reader was faster at every size measured (see :func:`wanted`);
``PLANC_TRACK_ENGINE=duckdb`` sends any CSV or Parquet export here.
"""

from __future__ import annotations

import codecs
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from planc.core.extras import MissingExtra
from planc.core.files import InputChanged, file_identity

try:
    import duckdb
    import sqlalchemy as sa
    from sqlalchemy.engine.default import DefaultDialect
    from sqlalchemy.ext.compiler import compiles
    from sqlalchemy.sql.functions import FunctionElement
except ModuleNotFoundError as error:
    raise MissingExtra("reading large exports through DuckDB", "warehouse", error.name) from error

from planc.core.model import ActualsMapping, Plan
from planc.core.numbers import MAX_DECIMALS, MAX_INTEGER_DIGITS
from planc.core.source import Loc, SourceSpan
from planc.track import actuals as a
from planc.track.engines import locate
from planc.track.engines import query as q
from planc.track.engines.fold import (
    BAD_CREATED,
    LAST_CREATED,
    LAST_DAY,
    Coded,
    GroupedAggregator,
    Ledger,
    exact_units,
)

# Parquet from this size goes through DuckDB by default (CSV: pandas). Measured on issue-18c
# (bench/warehouse.py, two runs): a 14 MiB, 1M-row file took 3.4-3.7 s CPU through DuckDB
# against 4.5-4.9 s through pandas; 71 MiB, 8.5 against 12.5-14.1 s.
MIN_BYTES = 8 * 2**20
_NESTED = frozenset({"struct", "list", "array", "map", "union"})  # DuckDB type ids
ENGINE_VARIABLE = "PLANC_TRACK_ENGINE"  # "pandas" or "duckdb": force one (tests, benchmarks)
PLACES = 9  # amounts are cast to DECIMAL(38, 9): more places would round
BOUND = 10**MAX_INTEGER_DIGITS  # planc reads amounts below this, with at most MAX_DECIMALS places
MEMORY_LIMIT = "1GB"
VIEW = "planc_rows"
TYPED = "planc_typed"  # every row's values, parsed (a subquery of each scan)
SETS = "planc_sets"  # the grouped sets of the scan, in a temporary table
EPOCH = date(1970, 1, 1)
# DuckDB 2 streams a CTE that several UNION ALL branches read (one scan, no stored rows; seen
# as STREAMING_FANOUT in EXPLAIN ANALYZE with 2.0.1); DuckDB 1.x may materialize it instead.
STREAMS_CTES = int(duckdb.__version__.split(".")[0]) >= 2


class _TryDecimal(FunctionElement[Any]):
    """TRY_CAST(text AS DECIMAL(38, 9)): NULL for text that is not a number."""

    inherit_cache = True
    type = sa.Numeric(38, PLACES)


@compiles(_TryDecimal)
def _try_decimal(element: _TryDecimal, compiler: Any, **kw: Any) -> str:
    return f"TRY_CAST({compiler.process(element.clauses, **kw)} AS DECIMAL(38, {PLACES}))"


def wanted(path: Path, mapping: ActualsMapping) -> bool:
    """Whether DuckDB should read this export (else pandas does)."""
    choice = os.environ.get(ENGINE_VARIABLE, "").strip().lower()
    if choice == "pandas":
        return False
    suffix = path.suffix.lower()
    if suffix not in (*a.CSV_SUFFIXES, *a.PARQUET_SUFFIXES) or not path.is_file():
        return False
    if mapping.date_format is not None:
        return False
    if suffix in a.CSV_SUFFIXES and codecs.lookup(a._python_encoding(mapping)).name not in (
        "utf-8",
        "utf-8-sig",
    ):
        return False
    if choice == "duckdb":
        return True
    # Measured (bench/warehouse.py, notes of #18): on CSV the pandas reader, which parses
    # each distinct value once, beat DuckDB's per-row parse at every size tried; on
    # Parquet DuckDB is faster from a few MiB (see MIN_BYTES) and keeps memory bounded.
    return suffix in a.PARQUET_SUFFIXES and path.stat().st_size >= MIN_BYTES


def load(
    path: Path, plan: Plan, as_of: date, *, shown: str, baselines: bool
) -> a.LoadedActuals | None:
    """The export aggregated by DuckDB, or None when pandas must read it (and say why)."""
    mapping = plan.actuals
    assert mapping is not None
    # what does not fit in memory spills to a private folder, removed afterwards
    spill = tempfile.TemporaryDirectory(prefix="planc-duckdb-")
    try:
        connection = duckdb.connect(
            config={"memory_limit": MEMORY_LIMIT, "temp_directory": spill.name}
        )
        connection.execute("SET enable_progress_bar = false")
    except duckdb.Error:
        spill.cleanup()
        return None
    held = _Held(connection, spill, path, shown)
    kept = False  # open for the account sums' read, left for later
    try:
        loaded = _load(connection, path, plan, mapping, as_of, shown, baselines, held)
        if loaded is not None and loaded.actuals is not None and held.kept:
            connection.execute(f"DROP TABLE {SETS}")  # what the later read needs stays
            kept = True
        return loaded
    except (duckdb.Error, a.UnreadableExport, UnicodeError, OSError):
        return None  # pandas reads it again and reports what is wrong, with its row
    finally:
        if not kept:
            held.close()


class _Held:
    """The connection and its spill folder, closed at the end of :func:`load` unless the
    account sums' read was left for later (:meth:`.fold.GroupedAggregator.defer_account_rows`):
    then once the sums are made, their mapping is gone or the interpreter exits. The file's
    identity is taken before the scan: the later read refuses a file changed since."""

    def __init__(
        self, connection: Any, spill: tempfile.TemporaryDirectory[str], path: Path, shown: str
    ) -> None:
        self.connection: Any = connection
        self.spill: tempfile.TemporaryDirectory[str] | None = spill
        self.kept = False
        self.path = path
        self.shown = shown
        self.identity = file_identity(path)

    def read_again(self) -> None:
        """Before the later read: the file the scan read, unchanged, or InputChanged."""
        if self.identity is None or file_identity(self.path) != self.identity:
            raise self.unusable("was moved, removed or written while planc was reading it")

    def unusable(self, what: str) -> InputChanged:
        return InputChanged(
            f"{self.shown} {what}: planc reads its account sums from it a second time;"
            " run the command again once the export is complete"
        )

    def close(self) -> None:
        if self.spill is None:
            return
        spill, self.spill = self.spill, None
        try:
            self.connection.close()
        finally:
            spill.cleanup()


def _load(
    connection: Any,
    path: Path,
    plan: Plan,
    mapping: ActualsMapping,
    as_of: date,
    shown: str,
    baselines: bool,
    held: _Held,
) -> a.LoadedActuals | None:
    """One scan of the file into the grouped sets (a small temporary table), then fold them."""
    columns, types, positions = _register(connection, path, mapping, shown)
    roles = _text_roles(columns, types, mapping)
    table = sa.table(VIEW, *(sa.column(name) for name in columns.values()))
    window = q.Window(plan.quarter.start, plan.quarter.end, as_of)

    def where(role: str, row: int) -> Loc | SourceSpan:
        return SourceSpan(shown, row, positions.get(role, 1))

    aggregator = GroupedAggregator(plan, mapping, as_of, shown, baselines=baselines, where=where)
    text = _coded(path, mapping, types)
    values, hashed = _combos(connection, table, roles, text)
    codes = _Codes(values)
    sets = q.Plan(
        account_months=aggregator.account_months(),
        closed_stages=codes.of("stage", aggregator.closed_stages()),
        not_won_stages=codes.of("stage", aggregator.not_won_stages()),
        accounts="account" in mapping.columns,
        keys="key" in mapping.columns,
        pipeline="created" in mapping.columns,
        blank_account=_blank_account,
        **_read_passes(aggregator),
    )
    # the accounts' own queries read the rows as they are (their owners and stages as text)
    typed = sa.select(*q.role_values(roles).values()).select_from(table).subquery(TYPED)
    typed_roles = q.roles_of(typed, roles)
    # one scan: each row's values parsed and keyed once, its names as codes, every set but
    # the accounts grouped from it (a UNION ALL over one streamed CTE) into a small table
    coded_roles = replace(roles, **{role: _COMBOS.c[f"{role}_code"] for role in text})
    joined = table.join(_COMBOS, _combo_of_row(roles, text, hashed)) if text else table
    scanned = sa.select(*q.role_values(coded_roles).values()).select_from(joined).subquery(TYPED)
    scanned_roles = q.roles_of(scanned, coded_roles)
    # A CSV with DuckDB 2 (fanout): the accounts' sums and first deals from the same scan, not
    # two more parses of the text (5M rows: 20.0 -> 14.6 s CPU). Not for Parquet, whose two
    # account scans are cheap: there the sets' wide temporary table cost more (7.4 -> 9.2 s
    # CPU, peak 0.47 -> 0.70 GiB), as issue-18c found for the same idea. FIRST_DEALS alone
    # was slower too (issue-18t: grouped by stage and account, the least pair (day, owner
    # code) as one integer, the first deals then read from those groups; load() at 5M rows
    # 2.57 -> 2.87 s CPU, 1M 1.01 -> 1.16, best of 6 alternated runs in one process): every
    # row carrying its account through the CTE costs more than _first_deals' read.
    one_scan = STREAMS_CTES and path.suffix.lower() in a.CSV_SUFFIXES
    # a Parquet file's latest days from its statistics, not from a max per LEDGER group
    days_apart = STREAMS_CTES and path.suffix.lower() in a.PARQUET_SUFFIXES
    grouped_sets = replace(
        sets, account_groups=False, account_scan=one_scan, ledger_days=not days_apart
    )
    if STREAMS_CTES:
        statement = q.fanout_query(scanned, scanned_roles, window, grouped_sets)
    else:  # an older DuckDB would store the CTE's every row: one GROUPING SETS instead
        statement = q.aggregate_query(
            scanned, scanned_roles, window, grouped_sets, grouping_sets=True
        )
    sql, params = _compiled(statement)
    connection.execute(f"CREATE TEMP TABLE {SETS} AS {sql}", params)
    grouped = sa.table(SETS, *(sa.column(c.name) for c in statement.selected_columns))
    keyed = q.keyed_rows(scanned, scanned_roles, window, grouped_sets).subquery()
    available = set(q.sets_of(keyed, grouped_sets))
    layout = q.fanout_layout(sorted(available), grouped_sets) if STREAMS_CTES else None
    others = [role for role in CODED if role in mapping.columns and role not in codes.values]
    names = {**codes.values, **_name_codes(connection, others)}

    def rows_of(which: int) -> list[Any]:
        return _set_rows(
            connection, grouped, which, available, names, layout, codes, _unread_sums(sets, which)
        )

    found = {s: rows_of(s) for s in (q.LEDGER, q.KEYS)}
    if days_apart:
        _latest_days(connection, typed, typed_roles, found[q.LEDGER])
    ledger = aggregator.add_ledger(found[q.LEDGER])
    if _errors(aggregator) or len(found[q.KEYS][0]):
        return None  # a repeated key is an error, or last-row-wins: both need the row order
    if sets.accounts and q.FIRST_DEALS in available:
        _accounts_from_sets(connection, grouped, aggregator, ledger, layout, codes)
    elif sets.accounts:
        amount_type = types[mapping.columns["amount"]]
        _accounts(connection, typed, typed_roles, window, aggregator, ledger, amount_type, held)
    if sets.pipeline:
        aggregator.add_pipeline(
            found[q.LEDGER],
            rows_of(q.PIPELINE),
            rows_of(q.OPEN_AGES),
            rows_of(q.CYCLES),
        )
        if (found[q.LEDGER][BAD_CREATED] > 0).any():
            return None
    if _warnings(aggregator):  # counted by the scan; their first rows found by a short read
        first_row = 1 if path.suffix.lower() in a.PARQUET_SUFFIXES else 2
        locate.first_rows(connection, VIEW, columns, aggregator, first_row)
    aggregator.rows_known = True
    return aggregator.result()


def _latest_days(connection: Any, typed: sa.FromClause, roles: q.Roles, ledger: list[Any]) -> None:
    """The latest day and latest created day of all rows, in the LEDGER's columns for them
    (as day ordinals, -1 but in the first group): the fold reads only their maxima. One
    query apart from the scan; on a Parquet file DuckDB answers it from the columns'
    statistics."""
    epoch = sa.cast(sa.literal(EPOCH), sa.Date)
    days = [roles.day] if roles.created is None else [roles.day, roles.created]
    latest = sa.select(
        *(
            sa.cast(sa.func.max(day) - epoch, sa.BigInteger).label(f"d{i}")
            for i, day in enumerate(days)
        )
    ).select_from(typed)
    sql, params = _compiled(latest)
    found = connection.execute(sql, params).fetchone()
    size = len(ledger[LAST_DAY])
    for column, value in zip((LAST_DAY, LAST_CREATED), found or (), strict=False):
        filled = np.full(size, -1, dtype=np.int64)
        if size and value is not None:
            filled[0] = value + EPOCH.toordinal()
        ledger[column] = filled


def _read_passes(aggregator: GroupedAggregator) -> dict[str, bool]:
    """Which passes over the rows something reads (q.Plan's flags): the ledger's no-account
    key only when a metric counts accounts -- the fold reads it then, as the pandas reader
    counts those rows only then -- so otherwise the scan trims no account text per row.

    Each account's first won deal is read only by the months' new accounts, which no output
    shows unless a metric counts them; it is computed all the same, since the actuals are
    the pandas reader's to the last field (tests compare them whole)."""
    return {"no_account": aggregator.account_measures}


def _blank_account(account: q.Expr) -> q.Expr:
    """1 where the account is missing or blank, as :func:`.query.blank_text` has it, but
    trimming only the accounts that may be blank.

    DuckDB's ``trim`` strips the Unicode space separators (U+0020, U+00A0, U+1680,
    U+2000-U+200A, U+202F, U+205F, U+3000: every code point tried), none of them printable
    ASCII: an account that starts with a printable ASCII character other than a space (as
    nearly every one does) is not blank, without a trimmed copy of its text per row (5M
    rows, that test alone on one thread: 0.42 -> 0.08 s CPU)."""
    return sa.case(
        (account.is_(None), 1),
        (sa.func.unicode(account).between(_PRINTABLE[0], _PRINTABLE[1]), 0),
        else_=q.blank_text(account),
    )


_PRINTABLE = (ord("!"), ord("~"))  # the code points of printable ASCII, the space left out


_NAMES = frozenset({"owner", "product", "stage", "account", "key"})
_SUMS = frozenset({"amount", "squares", "priced_amount", "priced_squares"})
_DAYS = frozenset({"first_day", "last_day", "last_created"})


# Names the fold maps through lookup tables: fetched as codes into their distinct values
CODED = ("owner", "product", "stage")


COMBOS = "planc_combos"  # the file's distinct (owner, product, stage) and their codes
_COMBOS = sa.table(
    COMBOS,
    *(sa.column(f"{role}_{kind}") for role in CODED for kind in ("value", "code")),
    sa.column("combo_hash"),
)


def _combos(
    connection: Any, table: sa.TableClause, roles: q.Roles, text: list[str]
) -> tuple[dict[str, list[Any]], bool]:
    """Number the file's distinct owners, products and stages (text columns, ``text``) before
    the scan: table :data:`COMBOS` holds each distinct combination of them, each one's
    code (NULL for NULL; the values in DuckDB's order, so the codes sort as the names do)
    and the combination's ``hash()``, tables ``planc_codes_<role>`` (``value``, ``code``)
    each role's. Returns each role's values, by code, and whether the combinations'
    hashes are all different (then a row finds its combination by its hash alone, see
    :func:`_combo_of_row`).

    The scan joins its rows to the combinations and groups by the codes: a GROUP BY on
    integers instead of text -- on dictionary-encoded Parquet columns, DuckDB finds the
    distinct combinations for a fraction of a GROUP BY's cost. Stage lists become lists of
    codes (exact: a value is in a list of values iff its code is in their codes).
    """
    if not text:
        return {}, False
    distinct = sa.select(*(getattr(roles, role).label(f"{role}_value") for role in text))
    sql, params = _compiled(distinct.select_from(table).distinct())
    numbered = ", ".join(  # fixed identifiers, never from the plan or the file
        f"CASE WHEN {role}_value IS NOT NULL THEN CAST(dense_rank() OVER "
        f"(PARTITION BY {role}_value IS NULL ORDER BY {role}_value) - 1 AS BIGINT) END "
        f"AS {role}_code"
        for role in text
    )
    names = ", ".join(f"{role}_value" for role in text)  # fixed identifiers too
    connection.execute(
        f"CREATE TEMP TABLE {COMBOS} AS SELECT *, {numbered}, hash({names}) AS combo_hash "
        f"FROM ({sql})",
        params,
    )
    distinct_hashes = connection.execute(
        f"SELECT count(DISTINCT combo_hash) = count(*) FROM {COMBOS}"
    ).fetchone()
    values = {}
    for role in text:
        connection.execute(
            f"CREATE TEMP TABLE planc_codes_{role} AS SELECT DISTINCT {role}_value AS value, "
            f"{role}_code AS code FROM {COMBOS} WHERE {role}_value IS NOT NULL"
        )
        rows = connection.execute(f"SELECT value FROM planc_codes_{role} ORDER BY code")
        values[role] = [row[0] for row in rows.fetchall()]
    return values, bool(distinct_hashes and distinct_hashes[0])


def _combo_of_row(roles: q.Roles, text: list[str], hashed: bool) -> Any:
    """The scan's join of a row to its combination in :data:`COMBOS`.

    By the hash of its names when the combinations' hashes all differ: a row's hash is its
    own combination's (the same function of the same values, NULL included) and no
    other's, so the match is the same as by the names, on one integer instead of three
    texts (5M typed Parquet rows, the join alone: 0.65 -> 0.37 s CPU; the whole scan on one
    thread 3.9-4.1 -> 3.2-4.0 s). On a collision of two combinations, by the names
    themselves (NULL matching NULL).

    Without the join (issue-18p: the rows grouped by the combination's hash and the stage's
    text, the stage lists compared as text) a process running the statement once took 3.7%
    more instructions at 1M typed Parquet rows (callgrind, one thread): the join pays.
    """
    if hashed:
        return sa.func.hash(*(getattr(roles, role) for role in text)) == _COMBOS.c.combo_hash
    return sa.and_(*(_same(roles, role) for role in text))


def _same(roles: q.Roles, role: str) -> Any:
    """A row's value of ``role`` is the combination's (NULL matching NULL)."""
    return getattr(roles, role).is_not_distinct_from(_COMBOS.c[f"{role}_value"])


def _coded(path: Path, mapping: ActualsMapping, types: dict[str, str]) -> list[str]:
    """The roles the scan carries as codes: a Parquet file's text owners, products and stages.

    Not a CSV's: numbering its combinations is one more parse of the text (1M rows: 0.6 s
    CPU, the scan's grouping on codes no cheaper than on text DuckDB has just parsed); a
    Parquet file's text columns are dictionary-encoded, their combinations found at a
    fraction of a GROUP BY's cost (5M rows: 0.26 s CPU, the scan 4.9 -> 4.1 s CPU).
    """
    if path.suffix.lower() not in a.PARQUET_SUFFIXES:
        return []
    return [r for r in CODED if r in mapping.columns and types[mapping.columns[r]] == "VARCHAR"]


@dataclass(frozen=True, slots=True)
class _Codes:
    """The roles the scan carries as codes (see :func:`_combos`): each one's values, by code."""

    values: dict[str, list[Any]]

    def of(self, role: str, wanted: Sequence[Any]) -> list[Any]:
        """The codes of the values ``wanted`` that the file has (the values, when ``role`` is
        not coded)."""
        if role not in self.values:
            return list(wanted)
        at = {value: code for code, value in enumerate(self.values[role])}
        return sorted(at[value] for value in set(wanted) if value in at)

    def decode(self, role: str, found: Sequence[Any]) -> list[Any]:
        """Values from a coded role's codes (None for NULL)."""
        if role not in self.values:
            return list(found)
        values = self.values[role]
        return [None if code is None or code < 0 else values[code] for code in found]


def _name_codes(connection: Any, roles: list[str]) -> dict[str, list[Any]]:
    """Number the distinct owners, products and stages of the grouped sets (one small table
    each, ``planc_codes_<role>``): the sets then come to Python as integer codes, each
    name made once instead of once per group (272k pipeline groups at 5M rows)."""
    values = {}
    for role in roles:  # fixed identifiers, never from the plan or the file
        connection.execute(
            f"CREATE TEMP TABLE planc_codes_{role} AS SELECT value, "
            "CAST(row_number() OVER () - 1 AS BIGINT) AS code "
            f"FROM (SELECT DISTINCT {role} AS value FROM {SETS} WHERE {role} IS NOT NULL)"
        )
        rows = connection.execute(f"SELECT value FROM planc_codes_{role} ORDER BY code")
        values[role] = [row[0] for row in rows.fetchall()]
    return values


def _set_rows(
    connection: Any,
    grouped: sa.TableClause,
    which: int,
    available: set[int],
    names: dict[str, list[Any]],
    layout: dict[int, dict[str, str]] | None,
    codes: _Codes,
    unread: Sequence[Any] = (),
) -> list[Any]:
    """One set's groups as columns (its keys, then the aggregates), fetched as numpy arrays.

    Integers come as int64 (-1 for NULL), days as ordinals, sums as the text
    of their DECIMAL (exact; turned into Decimal only where a sum is used),
    the names of ``names`` as :class:`.fold.Coded` codes, other names as objects.

    ``unread``: stage values (or codes) whose groups' sums the fold never reads, which come
    as None. PIPELINE: those won or lost for certain (:data:`.query.Plan.closed_stages`): its
    priced sums are read only for groups of an open stage
    (:meth:`.fold.GroupedAggregator._open_deals`), and a stage of the list is won or lost
    by the fold's own matcher (5M rows: 129,415 of 271,507 groups priced, none of an open
    stage; the fetch 0.058 -> 0.011 s CPU, five runs each). LEDGER: those open or lost for
    certain (:data:`.query.Plan.not_won_stages`): its amounts and squares are read only for
    won groups (:meth:`.fold.GroupedAggregator._sums`, ``_pipeline_from_ledger``). So no
    text is made for a sum no one reads.
    """
    if which not in available:
        return [np.zeros(0, dtype=object) for _ in (*q.SET_KEYS[which], *q.AGGREGATES)]
    epoch = sa.cast(sa.literal(EPOCH), sa.Date)
    selected = []
    source: Any = grouped
    columns = q.stored(which, grouped, layout)
    wanted = (*q.SET_KEYS[which], *(name for name in q.AGGREGATES if name in q.NEEDED[which]))
    certain: Any = None  # a group of a stage whose sums are not read
    if unread and "stage" in columns:
        certain = columns["stage"].in_(sa.bindparam("unread_sums", list(unread), expanding=True))
    for name in (name for name in wanted if name in columns):
        column = columns[name]
        expr: Any
        if name in codes.values:  # the scan's codes already
            expr = sa.func.coalesce(column, -1)
        elif name in names:
            numbered = sa.table(f"planc_codes_{name}", sa.column("value"), sa.column("code"))
            source = source.outerjoin(numbered, numbered.c.value == column)
            expr = sa.func.coalesce(numbered.c.code, -1)
        elif name in _NAMES:
            expr = column
        elif name in _SUMS:
            expr = sa.cast(column, sa.String)
            if certain is not None:
                expr = sa.case((certain, sa.null()), else_=expr)
        elif name in _DAYS:
            days = sa.cast(column - epoch, sa.BigInteger) + EPOCH.toordinal()
            expr = sa.func.coalesce(days, -1)
        else:
            expr = sa.func.coalesce(sa.cast(column, sa.BigInteger), -1)
        selected.append(expr.label(name))
    statement = sa.select(*selected).select_from(source).where(grouped.c.set_ == which)
    found = _numpy(connection, statement)
    size = len(found[selected[0].name])
    return [
        Coded(np.asarray(found[name], dtype=np.int64), names[name])
        if name in names
        else _plain(found[name])
        if name in found
        else _unused(name, size)
        for name in (*q.SET_KEYS[which], *q.AGGREGATES)
    ]


def _unread_sums(sets: q.Plan, which: int) -> Sequence[Any]:
    """The stages (values or codes) whose groups' sums a set's fold never reads (see
    :func:`_set_rows`): the LEDGER's of stages open or lost for certain, the PIPELINE's
    of stages won or lost for certain."""
    if which == q.LEDGER:
        return sets.not_won_stages
    return sets.closed_stages if which == q.PIPELINE else ()


def _unused(name: str, size: int) -> Any:
    """An aggregate the set does not compute (its fold never reads it), as NULL would come:
    -1 for an integer or a day, None for a sum."""
    if name in _SUMS:
        return np.full(size, None, dtype=object)
    return np.full(size, -1, dtype=np.int64)


def _plain(values: Any) -> Any:
    """A fetched column without a mask: None where DuckDB had NULL (names, sums)."""
    if isinstance(values, np.ma.MaskedArray):
        plain = np.asarray(values.data, dtype=object)
        plain[np.ma.getmaskarray(values)] = None
        return plain
    return values


_ALL = sa.text("ALL")  # GROUP BY ALL: the keys as selected (a month's bound parameters too)


def _accounts(
    connection: Any,
    typed: sa.FromClause,
    roles: q.Roles,
    window: q.Window,
    aggregator: GroupedAggregator,
    ledger: Ledger,
    amount_type: str,
    held: _Held,
) -> None:
    """The won deals' accounts, in two queries, the second when a sum is first looked up.

    A database's ACCOUNTS set groups by owner, account and month: on a long
    history nearly a group per won deal, each fetched with its names. DuckDB
    can do better, knowing the won stages' raw values by now (the ledger):
    each account's first won deal in one group per account -- the earliest
    day, on a tie the owner that sorts first (``min`` of the pair (day, owner)
    as one integer, see :func:`_first_deals`; a missing owner sorts last), as
    :meth:`.fold.GroupedAggregator.add_first_deals` breaks it -- and, numbered
    by that query's accounts, the won rows of the months whose sums are kept,
    summed by the fold (see :func:`_account_rows`).

    The sums explain a warned amount or deals target, or count a metric's accounts: often
    none is read (the warehouse bench: none), and their query was the largest part of the
    work after the scan (5M typed Parquet rows: 722,844 rows, ~0.3 s CPU of DuckDB, ~0.1 s
    of fold). So it runs when a sum is first read, on this connection, kept open till then
    (:class:`_Held`); the first deals (new accounts) are read now, numbering every account
    the sums can name. Should that later read fail (the file gone meanwhile), the error is
    raised there: the pandas reader no longer can stand in for it.
    """
    if ledger.won_stages == []:
        aggregator.add_first_deals([], [], [])
        return
    assert roles.account is not None
    conditions = [
        roles.account.is_not(None),
        roles.day <= sa.bindparam("as_of", window.as_of, sa.Date),
    ]
    if ledger.won_stages is not None:
        assert roles.stage is not None
        won: Any = sa.bindparam("won", list(ledger.won_stages), expanding=True)
        conditions.append(roles.stage.in_(won))
    kept = [*conditions, *_within(roles.day, aggregator.account_months())]
    if not _contiguous(aggregator.account_months()):  # else the days' range is the test
        months: Any = sa.bindparam("months", aggregator.account_months(), expanding=True)
        kept.append(q.month_key(roles.day).in_(months))
    # every kept row is a row of the first deals' query (its conditions and more): the
    # accounts it groups number the kept rows' accounts
    firsts = _first_deals(connection, typed, roles, conditions)  # table FIRSTS stays
    aggregator.add_first_deals(*firsts)
    numbered, account = firsts[1], roles.account
    unit = _unit(ledger.scale, amount_type)

    def read(into: GroupedAggregator) -> None:
        held.read_again()
        try:
            try:  # integers of the smallest unit, as numpy arrays
                _account_rows(connection, typed, roles, kept, unit, into, numbered)
            except (duckdb.ConversionException, duckdb.OutOfRangeException, _Beyond):
                # beyond int64: exact Decimals, never floats
                month = q.month_key(roles.day).label("account_month")
                keys = (roles.owner.label("owner"), account.label("account"), month)
                amount = sa.func.coalesce(sa.func.sum(roles.amount), 0)
                exact = _fetch(
                    connection,
                    sa.select(*keys, amount).select_from(typed).where(*kept).group_by(_ALL),
                )
                _add_exact_accounts(into, exact, ledger.scale)
        except duckdb.Error as error:  # the scan read it: what fails now is the file, later
            message = " ".join(str(error).split())[:300]
            raise held.unusable(f"could not be read a second time ({message})") from error

    aggregator.defer_account_rows(read, held.close)
    held.kept = True


class _Beyond(Exception):
    """The kept rows' amounts could add up beyond int64 in the fold: sum them exactly."""


def _account_rows(
    connection: Any,
    typed: sa.FromClause,
    roles: q.Roles,
    kept: list[Any],
    unit: Any,
    aggregator: GroupedAggregator,
    accounts: list[Any],
) -> None:
    """The kept won rows, each as (owner code, account code, month, amount in 10**-scale
    units): the fold adds them up by rep, month and account, as it adds the pandas
    reader's rows (:meth:`.fold.GroupedAggregator.add_account_codes`).

    No GROUP BY: grouped by owner, account and month the rows made nearly a group
    each (5M rows: 722,844 rows, 713,855 groups), which cost more than the rows
    themselves; the accounts are numbered by the first deals' table (20,000 at 5M)
    and the owners by the ledger's (an inner join, as before: a missing owner is no
    rep's). 5M rows, the accounts' queries: 1.0-1.2 -> 0.6-0.66 s CPU (4 runs each).

    Exact: each amount has at most ``scale`` places (its ledger group's places,
    won in a month kept), so ``amount * 10**scale`` is a whole number; beyond
    int64 the cast fails, and :class:`_Beyond` when the rows' absolute sum could
    pass int64 in the fold's sums -- both send the caller to exact Decimals.
    A missing amount counts 0, as ``coalesce(sum(amount), 0)`` counted it.
    """
    codes = sa.table("planc_codes_owner", sa.column("value"), sa.column("code"))
    numbered = sa.table(FIRSTS, sa.column("account"), sa.column("code"))
    amount = sa.func.coalesce(roles.amount, 0)
    assert roles.account is not None
    rows = (
        sa.select(
            codes.c.code.label("owner"),
            numbered.c.code.label("account"),
            q.month_key(roles.day).label("account_month"),
            sa.cast(amount * unit, sa.BigInteger).label("units"),
        )
        .select_from(
            typed.join(codes, codes.c.value == roles.owner).join(
                numbered, numbered.c.account == roles.account
            )
        )
        .where(*kept)
    )
    found = _numpy(connection, rows)
    units = np.asarray(found["units"], dtype=np.int64)
    # Python integers: np.abs of int64's least value is itself, negative
    largest = max(abs(int(units.max())), abs(int(units.min()))) if len(units) else 0
    if largest * len(units) >= a._INT64_SAFE:
        raise _Beyond
    owners = connection.execute("SELECT value FROM planc_codes_owner ORDER BY code").fetchall()
    aggregator.add_account_codes(
        [row[0] for row in owners],
        np.asarray(found["owner"], dtype=np.int64),
        accounts,
        np.asarray(found["account"], dtype=np.int64),
        np.asarray(found["account_month"], dtype=np.int64),
        units,
    )


def _unit(scale: int, amount_type: str) -> Any:
    """``10**scale`` as the DECIMAL an amount is multiplied by to give its units (``scale`` is
    at least the amount's places, so the product is a whole number, cast to BIGINT).

    A DECIMAL(p, s) amount times a DECIMAL(k, 0) is a DECIMAL(p + k, s) in DuckDB: when
    p + k <= 18 that is a 64-bit integer that cannot overflow (the amount is below
    10**(p - s), 10**scale below 10**k), and the cast to BIGINT divides 64-bit integers.
    Otherwise (a wider DECIMAL, an integer, text read as DECIMAL(38, 9)) a DECIMAL(38, 0):
    the product is a 128-bit DECIMAL(38, s), exact, whose cast divides 128-bit integers
    (a DECIMAL(18, 2) times an integer would stay DECIMAL(18, 2), overflowing from 10**16
    units). Typed Parquet (DECIMAL(12, 2)), 5M rows: the account rows' query 0.77 -> 0.57 s
    CPU.
    """
    digits = len(str(10**scale))
    width = _decimal_width(amount_type)
    if width is not None and width + digits <= _INT64_DIGITS:
        return sa.cast(sa.literal(10**scale), sa.Numeric(digits, 0))
    return sa.cast(sa.literal(10**scale), sa.Numeric(38, 0))


_INT64_DIGITS = 18  # DuckDB keeps a DECIMAL of up to 18 digits in a 64-bit integer


def _decimal_width(kind: str) -> int | None:
    """p of a ``DECIMAL(p, s)`` type name, or None for any other type."""
    upper = kind.upper()
    if not upper.startswith("DECIMAL"):
        return None
    width, _, _ = upper.removeprefix("DECIMAL").strip("() ").partition(",")
    return int(width)


def _contiguous(months: list[int]) -> bool:
    """Whether the months (keys) are every month from the first to the last: then the days
    of :func:`_within` are exactly theirs, and no row's month need be computed and looked
    up (5M rows, Parquet: the account rows' query 0.77 -> 0.69 s CPU)."""
    return bool(months) and max(months) - min(months) + 1 == len(set(months))


def _within(day: Any, months: list[int]) -> list[Any]:
    """Days from the first of the earliest month to the last of the latest (month keys):
    two date comparisons leave out most rows before the month of each row is computed
    (two EXTRACTs) for the list of months, which stays the test (months may have gaps).
    1M Parquet: the account sums' query 654M -> 595M instructions (callgrind)."""
    if not months:
        return []
    first, last = min(months), max(months) + 1  # the month after the latest
    start = date(first // 12, first % 12 + 1, 1)
    end = date(last // 12, last % 12 + 1, 1)
    return [
        day >= sa.bindparam("months_from", start, sa.Date),
        day < sa.bindparam("months_until", end, sa.Date),
    ]


def _first_deals(
    connection: Any,
    typed: sa.FromClause,
    roles: q.Roles,
    conditions: list[Any],
) -> tuple[list[Any], list[Any], Any]:
    """Each account's first won deal: the earliest day, on a tie the owner that sorts first,
    as (owners, accounts, day ordinals); the accounts are left numbered in table
    :data:`FIRSTS` (``account``, ``code``: its place in the list returned).

    The pair (day, owner) as one integer, ``day * width + rank``: ``rank`` is the
    owner's place among the file's owners in DuckDB's own order (the ledger
    numbered them all: ``planc_codes_owner``), a missing owner ``width - 1``
    (it sorts last), so an integer ``min`` gives what ``min(row(day, owner))``
    gives -- at about half the CPU of comparing a row per deal (5M rows: 0.44
    -> 0.26 s). Days before 1970 are negative: floor division keeps the order.

    Its cost (issue-18t, 5M typed Parquet rows, the query alone, best of 5-7 runs): ~0.15-0.2
    s CPU, of which the filtered read ~0.05-0.07 (the stage and day tests are pushed into
    the Parquet reader), the owners' join ~0.03, the GROUP BY on the account text the rest.
    No better: grouping by ``hash(account)`` (with the text as ``any_value``: 0.25),
    ``arg_min(owner, day)`` (0.31), the owners grouped first (0.8).
    """
    connection.execute(  # fixed identifiers, never from the plan or the file
        f"CREATE TEMP TABLE {RANKS} AS SELECT value, "
        "CAST(row_number() OVER (ORDER BY value) - 1 AS BIGINT) AS rank FROM planc_codes_owner"
    )
    ordered = connection.execute(f"SELECT value FROM {RANKS} ORDER BY rank").fetchall()
    owners = [row[0] for row in ordered]
    width = len(owners) + 1
    ranks = sa.table(RANKS, sa.column("value"), sa.column("rank"))
    epoch = sa.cast(sa.literal(EPOCH), sa.Date)
    rank = sa.func.coalesce(ranks.c.rank, width - 1)
    pair = sa.cast(roles.day - epoch, sa.BigInteger) * width + rank
    assert roles.account is not None
    firsts = (
        sa.select(roles.account.label("account"), sa.func.min(pair).label("first"))
        .select_from(typed.outerjoin(ranks, ranks.c.value == roles.owner))
        .where(*conditions)
        .group_by(roles.account)
    )
    sql, params = _compiled(firsts)
    connection.execute(  # fixed identifiers; the query's values bound
        f"CREATE TEMP TABLE {FIRSTS} AS SELECT account, first, "
        f"CAST(row_number() OVER () - 1 AS BIGINT) AS code FROM ({sql})",
        params,
    )
    found = _numpy_of(connection, f"SELECT account, first FROM {FIRSTS} ORDER BY code")
    connection.execute(f"DROP TABLE {RANKS}")
    days, ranked = np.divmod(np.asarray(found["first"], dtype=np.int64), width)
    named = [*owners, None]
    return [named[r] for r in ranked.tolist()], found["account"].tolist(), days + EPOCH.toordinal()


RANKS = "planc_owner_ranks"  # the file's owners in DuckDB's order (first deals' ties)
FIRSTS = "planc_first_deals"  # each account's first won deal, the accounts numbered


def _accounts_from_sets(
    connection: Any,
    grouped: sa.TableClause,
    aggregator: GroupedAggregator,
    ledger: Ledger,
    layout: dict[int, dict[str, str]] | None,
    codes: _Codes,
) -> None:
    """The won deals' accounts from the scan's ACCOUNT_SUMS and FIRST_DEALS sets (no second
    read of the file): the groups of the won stages the ledger found, the sums added up again
    by owner, account and month (a won stage may be spelled several ways), as :func:`_accounts`
    gives them."""
    if ledger.won_stages == []:
        aggregator.add_first_deals([], [], [])
        return
    c = q.stored(q.ACCOUNT_SUMS, grouped, layout)
    first = q.stored(q.FIRST_DEALS, grouped, layout)

    def won(which: int) -> list[Any]:
        conditions: list[Any] = [grouped.c.set_ == which]
        if ledger.won_stages is not None:
            won_stages = codes.of("stage", ledger.won_stages)
            stages: Any = sa.bindparam(f"won_{which}", won_stages, expanding=True)
            conditions.append(grouped.c.stage.in_(stages))
        return conditions

    keys = (
        c["owner"].label("owner"),
        c["account"].label("account"),
        c["account_month"].label("account_month"),
    )
    # One won stage (or every row won, no stage column): each (owner, account, month) is one
    # ACCOUNT_SUMS group already, its sum as it is; only won stages spelled several ways are
    # added up again (5M CSV rows, 713,855 groups: the sums' table 0.37-0.45 s CPU by a
    # GROUP BY, 0.22-0.23 without; these accounts' reads 0.55-0.61 -> 0.36-0.42, 3 runs each)
    once = ledger.won_stages is None or len(ledger.won_stages) == 1
    amount = sa.func.coalesce(c["amount"] if once else sa.func.sum(c["amount"]), 0)

    def summed(*values: Any) -> Any:
        statement = sa.select(*keys, *values).where(*won(q.ACCOUNT_SUMS))
        return statement if once else statement.group_by(_ALL)

    units = sa.cast(amount * (10**ledger.scale), sa.BigInteger).label("units")
    try:  # integers of the smallest unit, as numpy arrays
        _account_sums(connection, summed(units), aggregator, codes)
    except duckdb.ConversionException:  # a sum beyond int64: exact Decimals (never floats)
        exact = _fetch(connection, summed(amount))
        owners = codes.decode("owner", [row[0] for row in exact])
        _add_exact_accounts(
            aggregator, [(o, *row[1:]) for o, row in zip(owners, exact, strict=True)], ledger.scale
        )
    epoch = sa.cast(sa.literal(EPOCH), sa.Date)
    firsts = sa.select(
        first["account"].label("account"),
        first["owner"].label("owner"),
        sa.cast(first["first_day"] - epoch, sa.BigInteger).label("day"),
    ).where(*won(q.FIRST_DEALS))
    found = _numpy(connection, firsts)
    aggregator.add_first_deals(  # each account's earliest of its stages' first deals
        codes.decode("owner", _plain(found["owner"]).tolist()),
        found["account"].tolist(),
        np.asarray(found["day"], dtype=np.int64) + EPOCH.toordinal(),
    )


SUMS = "planc_account_sums"  # won sums by owner, account and month (the months kept)


def _add_exact_accounts(aggregator: GroupedAggregator, rows: Any, scale: int) -> None:
    """Account sums fetched as exact Decimals (owner, account, month, sum), where an
    integer sum would not fit in int64."""
    aggregator.add_accounts(
        [r[0] for r in rows],
        [r[1] for r in rows],
        np.array([r[2] for r in rows], dtype=np.int64),
        np.array([exact_units(r[3], scale) for r in rows], dtype=object),
    )


def _account_sums(connection: Any, sums: Any, aggregator: GroupedAggregator, codes: _Codes) -> None:
    """The sums as integer arrays: owner and account as codes into their distinct values.

    Millions of groups on a long history (100M rows: owners x accounts x
    months): DuckDB numbers the distinct names, so no Python string is made
    per group, only per distinct owner and account.
    """
    sql, params = _compiled(sums)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE {SUMS} AS {sql}", params)
    names: dict[str, list[Any]] = {}
    coded = ("owner", "account")
    for role in coded:
        connection.execute(
            f"CREATE OR REPLACE TEMP TABLE planc_{role}s AS SELECT {role}, "
            f"CAST(row_number() OVER () - 1 AS BIGINT) AS code "
            f"FROM (SELECT DISTINCT {role} FROM {SUMS} WHERE {role} IS NOT NULL)"
        )
        rows = connection.execute(f"SELECT {role} FROM planc_{role}s ORDER BY code").fetchall()
        names[role] = [row[0] for row in rows]
    found = _numpy_of(  # fixed identifiers only
        connection,
        f"SELECT o.code AS owner, a.code AS account, s.account_month, s.units FROM {SUMS} s "
        "JOIN planc_owners o ON o.owner = s.owner JOIN planc_accounts a ON a.account = s.account",
    )
    aggregator.add_account_codes(
        codes.decode("owner", names["owner"]),  # the owners' codes of the scan: their names
        np.asarray(found["owner"], dtype=np.int64),
        names["account"],
        np.asarray(found["account"], dtype=np.int64),
        np.asarray(found["account_month"], dtype=np.int64),
        np.asarray(found["units"], dtype=np.int64),
    )
    for table in (SUMS, *(f"planc_{role}s" for role in coded)):
        connection.execute(f"DROP TABLE {table}")


def _register(
    connection: Any, path: Path, mapping: ActualsMapping, shown: str
) -> tuple[dict[str, str], dict[str, str], dict[str, int]]:
    """The export as view ``planc_rows``: mapped column -> its name there, and -> its type;
    role -> its column's position in the header (1-based, for diagnostics).

    A CSV is read as text; a Parquet file keeps DATE, TIMESTAMP, DECIMAL and
    integer columns as they are (exact) and casts any other column to text.
    """
    if path.suffix.lower() in a.PARQUET_SUFFIXES:
        relation = connection.read_parquet(str(path))
        header = list(relation.columns)
        types = dict(zip(header, (str(t) for t in relation.types), strict=True))
        positions = a._check_header(shown, header, mapping)
        used = sorted(set(a._roles(mapping).values()), key=header.index)
        text = a.read_as_text(a._roles(mapping))
        for name, kind in zip(header, relation.types, strict=True):
            if name in used and kind.id in _NESTED:
                # cast to text, a record would read as its repr ({'a': 1}): pandas reports
                # the column as the pandas reader does (PLC702)
                raise a.UnreadableExport(a._unreadable(shown, f"column {name} holds {kind}"))
            if name in text and kind.id == "blob":
                # cast to text, bytes read as \xFF\xFE, and UTF-8 text beyond ASCII too
                # (Jos\xC3\xA9): the pandas reader decodes them as UTF-8, or says where not
                raise a.UnreadableExport(a._unreadable(shown, f"column {name} holds {kind}"))
        aliases = [f"c{i}" for i in range(len(used))]
        kept = {name: _exact_type(types[name]) for name in used}
        varchar = duckdb.sqltype("VARCHAR")
        # identifiers quoted by DuckDB's own expressions, never pasted into SQL
        relation = relation.select(
            *(
                (
                    duckdb.ColumnExpression(name)
                    if kept[name]
                    else duckdb.ColumnExpression(name).cast(varchar)
                ).alias(alias)
                for name, alias in zip(used, aliases, strict=True)
            )
        )
        relation.create_view(VIEW)
        return (
            dict(zip(used, aliases, strict=True)),
            {name: types[name] if kept[name] else "VARCHAR" for name in used},
            positions,
        )
    encoding = a._python_encoding(mapping)
    header, delimiter = a._csv_header(path, shown, encoding)
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    positions = a._check_header(shown, header, mapping)
    names = [f"c{i}" for i in range(len(header))]
    relation = connection.read_csv(
        str(path),
        header=True,
        sep=delimiter,
        quotechar='"',
        escapechar='"',
        names=names,
        all_varchar=True,
    )
    relation.create_view(VIEW)
    stripped = [h.strip() for h in header]
    used = list(a._roles(mapping).values())
    return (
        {column: names[stripped.index(column)] for column in used},
        dict.fromkeys(used, "VARCHAR"),
        positions,
    )


def _exact_type(name: str) -> bool:
    """A Parquet column DuckDB reads exactly as what it is: a date, or an exact number."""
    upper = name.upper()
    if upper.startswith("DECIMAL"):  # DECIMAL(p, s): exact, and within planc's bound on places
        return int(upper.rstrip(")").rpartition(",")[2].strip() or 0) <= MAX_DECIMALS
    return upper == "DATE" or upper.startswith("TIMESTAMP") or upper in _INTEGERS


_INTEGERS = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
}


def _text_roles(columns: dict[str, str], types: dict[str, str], mapping: ActualsMapping) -> q.Roles:
    """Dates and amounts parsed from text as the pandas reader parses them (or flagged)."""
    roles = a._roles(mapping)
    role: dict[str, q.Expr] = {r: sa.column(columns[c]) for r, c in roles.items()}
    day, bad_day = _day(role["date"], types[roles["date"]])
    amount, missing, bad_amount, places = _amount(role["amount"], types[roles["amount"]])
    created, bad_created = (
        _day(role["created"], types[roles["created"]]) if "created" in role else (None, None)
    )
    return q.Roles(
        owner=role["owner"],
        day=day,
        amount=amount,
        missing_amount=missing,
        product=role.get("product"),
        stage=role.get("stage"),
        account=role.get("account"),
        key=role.get("key"),
        created=created,
        bad_day=bad_day,
        bad_amount=bad_amount,
        bad_created=bad_created,
        places=places,
    )


def _day(column: q.Expr, kind: str) -> tuple[q.Expr, q.Expr | None]:
    if kind != "VARCHAR":  # a Parquet DATE or TIMESTAMP: its day
        return sa.cast(column, sa.Date), None
    text = sa.func.trim(column)
    iso = sa.and_(
        text.like("____-__-__%"),
        sa.or_(sa.func.length(text) == 10, sa.func.substr(text, 11, 1).in_(("T", " "))),
    )
    day = sa.case(
        (iso, sa.cast(sa.func.try_strptime(sa.func.substr(text, 1, 10), "%Y-%m-%d"), sa.Date)),
        else_=sa.null(),
    )
    bad = sa.case((sa.and_(sa.func.coalesce(text, "") != "", day.is_(None)), 1), else_=0)
    return day, bad


def _amount(column: q.Expr, kind: str) -> tuple[q.Expr, q.Expr, q.Expr | None, q.Expr]:
    """(amount, missing, not a plain decimal, places) of an amount column."""
    if kind != "VARCHAR":  # a Parquet DECIMAL(p, s) or integer: exact as it is
        scale = (
            kind.rstrip(")").rpartition(",")[2].strip()
            if kind.upper().startswith("DECIMAL")
            else "0"
        )
        missing = sa.case((column.is_(None), 1), else_=0)
        beyond: q.Expr = sa.case(
            (sa.func.abs(column) >= BOUND, 1), else_=0
        )  # pandas refuses it, with its row
        if kind.upper().startswith("DECIMAL") and _integer_digits(kind) <= MAX_INTEGER_DIGITS:
            beyond = sa.literal(0)  # below BOUND by its type: no test per row
        return column, missing, beyond, sa.literal(int(scale or 0))
    text = sa.func.trim(column)
    point = sa.func.strpos(text, ".")
    places = sa.case((point > 0, sa.func.length(text) - point), else_=0)
    amount = _TryDecimal(text)
    odd = sa.or_(
        amount.is_(None),
        text.like("%e%"),
        text.like("%E%"),
        places > MAX_DECIMALS,  # beyond planc's bound (or trailing zeros): pandas decides
        sa.func.abs(amount) >= BOUND,
    )
    missing = sa.case((sa.func.coalesce(text, "") == "", 1), else_=0)
    bad = sa.case((sa.and_(sa.func.coalesce(text, "") != "", odd), 1), else_=0)
    return amount, missing, bad, places


def _integer_digits(kind: str) -> int:
    """Digits before the point of a ``DECIMAL(p, s)`` type: p - s."""
    width, _, scale = kind.upper().removeprefix("DECIMAL").strip("() ").partition(",")
    return int(width) - int(scale or 0)


def _errors(aggregator: GroupedAggregator) -> bool:
    """An error planc reports with its rows: pandas reads the file to list them."""
    return bool(
        aggregator.failed
        or aggregator.bad_amount_rows
        or aggregator.bad_day_rows
        or aggregator.negative_rows
        or aggregator.rows == 0
    )


def _warnings(aggregator: GroupedAggregator) -> bool:
    """A warning with a first row (or the first rows) to show."""
    return bool(
        aggregator.lost_no_date.rows
        or aggregator.no_account.rows
        or aggregator.no_created.rows
        or aggregator.owners_seen
        or aggregator.no_seat_seen
        or aggregator.products_seen
        or aggregator.stages_seen
    )


# SQLAlchemy's generic dialect (standard SQL, identifiers quoted by its preparer), qmark
# parameters as DuckDB takes them: the statements compile to the same text as through the
# PostgreSQL dialect (tests/test_duckdb_files.py compares them), without importing
# sqlalchemy.dialects.postgresql and its five drivers' modules (~30 ms CPU at every size).
_DIALECT = DefaultDialect(paramstyle="qmark")


def _compiled(statement: Any) -> tuple[str, list[Any]]:
    compiled = statement.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    return str(compiled), [params[name] for name in compiled.positiontup or ()]


def _fetch(connection: Any, statement: Any) -> list[tuple[Any, ...]]:
    sql, params = _compiled(statement)
    return [tuple(row) for row in connection.execute(sql, params).fetchall()]


def _numpy(connection: Any, statement: Any) -> dict[str, Any]:
    """The statement's columns as numpy arrays, through a relation (:func:`_numpy_of`)."""
    sql, params = _compiled(statement)
    return _numpy_of(connection, sql, params)


def _numpy_of(connection: Any, sql: str, params: Sequence[Any] = ()) -> dict[str, Any]:
    """A query's columns as numpy arrays. Through a relation (``connection.sql``), not a
    statement's result (``execute``), which DuckDB stores whole before converting it: the
    same arrays, at about half the CPU on large results (DuckDB 2.0.1, the PIPELINE set's
    271,507 groups at 5M rows: 0.054 -> 0.029 s; a few rows cost ~0.5 ms more)."""
    return dict(connection.sql(sql, params=list(params) or None).fetchnumpy())
