"""CRM exports -> aggregated actuals. The one module that reads exports (pyarrow, pandas).

``load_actuals`` reads a CSV (also .tsv/.txt), XLSX or Parquet export with the
plan's ``actuals:`` mapping and aggregates it at once, chunk by chunk, into a
:class:`planc.track.aggregates.Actuals` (the seam every reader produces): amounts, deals and lost deals per rep, month
and product line, accounts per rep and month, and each account's first counted
row. Nothing row-sized survives a chunk, so memory stays flat however long the
export is.

How it stays fast: every column comes as codes into its distinct values. A
UTF-8 CSV is read by pyarrow's CSV reader, which reads dates as days as it
parses them (a thread parses the next chunk while this one is summed; owners,
stages, products and accounts are looked up here among the texts of earlier
chunks, created dates encoded once per chunk); anything it refuses
is read again by pandas' C parser, the reference, which reports it. Neither
makes a Python string per cell: planc looks at each distinct value once (a few
hundred owners, a few hundred dates, some thousands of amounts) and maps whole
columns with numpy lookups.

How it stays exact: an amount is parsed from its text with ``Decimal``, once
per distinct value, and scaled to an integer number of its smallest unit
(cents for ``1054.37``); pyarrow's plain amounts (digits, one point) are read
as such integers straight from its buffers, many rows at a time. Sums are
integer sums, turned back into ``Decimal`` at the end. Binary floats never touch an amount from a CSV. pandas infers a
numeric type for a categorical column whose values all look like numbers: for
amounts, whole numbers are kept (an integer is exact) and anything else makes
planc read the column again as text; for names and dates any inferred type
does (``007`` would come back as 7). Spreadsheets store numbers as binary
floats in the file itself; planc takes the shortest decimal that reads back
as the same float (what Excel displays). Parquet decimals are exact.

Never a row dropped silently: each row is counted or excluded for one reason
(the :class:`~planc.track.aggregates.Ledger`), and values that do not map to the plan
are warned about with their count and the closest known name.
"""

from __future__ import annotations

import codecs
import csv
import importlib
import importlib.util
import io
import math
import os
import queue
import re
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from planc.core.extras import MissingExtra
from planc.core.files import NotRegularFile, open_regular

try:
    import numpy as np
    import numpy.typing as npt
except ModuleNotFoundError as error:  # `pip install planc` leaves pandas out: say which extra
    raise MissingExtra(
        "reading CRM exports (planc track, --actuals)", "track", error.name
    ) from error
if importlib.util.find_spec("pandas") is None:
    raise MissingExtra("reading CRM exports (planc track, --actuals)", "track", "pandas")

if TYPE_CHECKING:
    import pandas as pd
else:

    class _Pandas:
        """pandas, imported on first use: the DuckDB and database paths never need it
        (its import is about a third of ``planc track``'s start-up)."""

        def __getattr__(self, name: str) -> Any:
            return getattr(importlib.import_module("pandas"), name)

    pd = _Pandas()

from planc.core.diagnostics import Diagnostic, Severity
from planc.core.model import ActualsMapping, Level, Plan
from planc.core.numbers import BOUND_TEXT, MAX_DECIMALS, out_of_bounds, show_long
from planc.core.safetext import NAME_LIMIT
from planc.core.safetext import shown as shown_value
from planc.core.source import Loc, SourceSpan
from planc.core.spelling import closest
from planc.track import aggregates as agg
from planc.track import tracking as t
from planc.track.opportunities import Chunk, PipelineAggregator, by_day
from planc.track.rules import (
    CLOSED_WITHOUT_DATE,
    DUPLICATE_KEY,
    EXPONENT_AMOUNT,
    NEGATIVE_AMOUNT,
    OPEN_WITHOUT_CREATED,
    SUPERSEDED_ROWS,
)

# Rows per chunk. Arrow-backed text (pandas 3 with pyarrow) takes more memory per row than
# the categoricals it replaced: at 5M CSV rows, 2,000,000-row chunks peaked at 1.12 GiB
# (categoricals 0.63), 500,000-row chunks at 0.46 GiB, with less CPU (fewer page faults).
# Smaller chunks shorten the two ends of pyarrow's pipeline (the aggregator waits for the
# first chunk to be parsed; the reader is idle while the last is summed): modelled from
# thread_time per chunk, 250,000 rows took 0.51-0.53 s against 0.62-0.68 at 1M rows and
# 1.66-1.83 against 1.87 at 5M, the same CPU (a chunk's fixed cost is numpy, see
# _FirstSeenCounts); output does not depend on it.
CHUNK_ROWS = 250_000
ROWS_SHOWN = 5  # row numbers listed in a message
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
# The header row is read alone (delimiter, column names) before either reader starts. A real
# export's header is a few kB even with hundreds of columns; the bound keeps a file with no
# newline (a binary, a one-line dump) from being read whole into memory for it.
HEADER_BYTES = 1 << 20
XLSX_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")

# stage classes
WON, OPEN, LOST, OTHER = 0, 1, 2, 3
# owner lookups
UNMAPPED, NO_SEAT = -1, -2
# date lookups
EMPTY, BAD = -1, -2
# why a row is not counted, in ledger order
COUNTED = 0
_REASONS = (
    "counted",
    "lost",
    "open",
    "other stage",
    "with no date",
    "before the quarter",
    "after the quarter",
    "after the as-of date",
    "unmapped owner",
    "owner without a seat",
    "lost, no date",
    "superseded",
)
(
    _,
    R_LOST,
    R_OPEN,
    R_OTHER,
    R_NO_DATE,
    R_BEFORE,
    R_AFTER_QUARTER,
    R_AFTER_AS_OF,
    R_UNMAPPED,
    R_NO_SEAT,
    R_LOST_NO_DATE,
    R_SUPERSEDED,
) = range(len(_REASONS))

# where a row's date falls
W_IN, W_BEFORE, W_AFTER_QUARTER, W_AFTER_AS_OF, W_NONE = range(5)


def _ledger_table() -> npt.NDArray[np.int8]:
    """The ledger reason of a row, by (stage, date class, owner class), as one flat table."""
    table = np.zeros((4, 5, 3), dtype=np.int8)
    for stage in range(4):
        for when in range(5):
            for owner in range(3):
                if stage != WON:
                    reason = {LOST: R_LOST, OPEN: R_OPEN, OTHER: R_OTHER}[stage]
                elif when != W_IN:
                    reason = {
                        W_NONE: R_NO_DATE,
                        W_BEFORE: R_BEFORE,
                        W_AFTER_QUARTER: R_AFTER_QUARTER,
                        W_AFTER_AS_OF: R_AFTER_AS_OF,
                    }[when]
                else:
                    reason = (COUNTED, R_UNMAPPED, R_NO_SEAT)[owner]
                table[stage, when, owner] = reason
    return table.reshape(-1)


_LEDGER = _ledger_table()
_AMOUNT_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_LINE_IN_MESSAGE = re.compile(r"line (\d+)")
_INT64_SAFE = 2**62
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()  # day 0 of numpy's datetime64

IntArray = npt.NDArray[np.integer[Any]]
_T = TypeVar("_T")


@dataclass(slots=True)
class LoadedActuals:
    """The aggregated actuals (None when the export could not be read) and what was found."""

    actuals: agg.Actuals | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)


class UnreadableExport(Exception):
    """The export cannot be read further (by :func:`load_actuals`' readers, :func:`deal_rows`
    or the DuckDB engine); the diagnostic says why."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


class _ReadAsText(Exception):
    """pandas inferred a type for a column that planc must see as text: read it again."""

    def __init__(self, column: str) -> None:
        super().__init__(column)
        self.column = column


@dataclass(slots=True)
class _Column:
    """One column of a chunk: a code per row (-1: missing) and the distinct values.

    An amount column of a CSV comes as ``raw`` text per row instead: amounts have
    too many distinct values to be worth a categorical, and only won rows' are read.
    """

    codes: IntArray
    values: list[Any]
    raw: Any = None  # per row: pandas' object array, or pyarrow's (_ArrowText)


# --- reading ------------------------------------------------------------------------------


def load_actuals(
    path: Path, plan: Plan, as_of: date, *, shown: str | None = None, baselines: bool = True
) -> LoadedActuals:
    """Read and aggregate an export with the plan's mapping, up to the end of ``as_of``.

    ``shown`` is the path as the user should see it in diagnostics. Problems in
    the file are diagnostics (errors with row numbers), never exceptions.
    ``baselines=False`` leaves out the same quarter last year (tracking alone
    looks at this quarter and the last one), which saves work on long exports.
    """
    name = shown or path.as_posix()
    mapping = plan.actuals
    if mapping is None:
        return LoadedActuals(
            None,
            [
                t.MAPPING_MISSING.at(
                    Loc(plan.files[0]),
                    f"{plan.quarter.id} has no actuals: section, so {name} cannot be mapped",
                    "add actuals: (columns, stages, metrics) to the quarter file; see the README",
                )
            ],
        )
    through_duckdb = _through_duckdb(path, plan, as_of, name, baselines)
    if through_duckdb is not None:
        return through_duckdb
    text_columns: set[str] = set()
    arrow = _arrow_may_read(path, mapping)
    days = mapping.date_format is None  # pyarrow reads ISO dates as days (see _DaysDeclined)
    for _attempt in range(len(t.COLUMN_ROLES) + 3):
        agg = _Aggregator(plan, mapping, as_of, name, baselines=baselines)
        try:
            with warnings.catch_warnings():
                # pandas warns on stderr about what planc reports itself, with row numbers
                warnings.simplefilter("ignore")
                if "key" in mapping.columns:
                    agg.superseded, repeated = _repeated_keys(
                        path, name, mapping, text_columns, arrow=arrow
                    )
                    if repeated is not None and mapping.duplicates == "error":
                        return LoadedActuals(None, [repeated])
                    agg.repeated = repeated
                for columns, first_row, positions in _chunks(
                    path, name, mapping, text_columns, arrow=arrow, days=days
                ):
                    agg.add(columns, first_row, positions)
        except UnreadableExport as stop:
            return LoadedActuals(None, [stop.diagnostic])
        except _ReadAsText as again:
            text_columns.add(again.column)
            continue
        except _DaysDeclined:
            days = False  # pyarrow reads it again, the dates as text, which planc parses
            continue
        except _ArrowDeclined:
            arrow = False  # pandas reads it again from the start and says what is wrong
            continue
        return agg.result()
    raise AssertionError("every column was read as text and pandas still inferred a type")


def _through_duckdb(
    path: Path, plan: Plan, as_of: date, name: str, baselines: bool
) -> LoadedActuals | None:
    """A large CSV or Parquet export aggregated by DuckDB, when installed and nothing to report."""
    assert plan.actuals is not None
    if not _duckdb_may_read(path, plan.actuals):
        return None
    try:
        from planc.track.engines import duckdb_files  # noqa: PLC0415 - the warehouse extra
    except ModuleNotFoundError:
        return None
    if not duckdb_files.wanted(path, plan.actuals):
        return None
    return duckdb_files.load(path, plan, as_of, shown=name, baselines=baselines)


def _duckdb_may_read(path: Path, mapping: ActualsMapping) -> bool:
    """False when pandas reads the export whatever DuckDB's engine would choose.

    Importing DuckDB and SQLAlchemy costs about a second of start-up, and
    ``duckdb_files.wanted`` leaves to pandas every CSV export unless
    PLANC_TRACK_ENGINE=duckdb forces DuckDB, every Parquet file under its ``MIN_BYTES``
    unless forced, and every other kind (XLSX): so those do not import them (``wanted``
    decides the rest once imported; keep the two in step: a test holds ``wanted`` to
    never choose DuckDB where this says no).
    """
    del mapping  # the choice is by file type today; the mapping is where it would look next
    choice = os.environ.get("PLANC_TRACK_ENGINE", "").strip().lower()
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return choice == "duckdb"
    if suffix not in PARQUET_SUFFIXES or choice == "pandas":
        return False
    return choice == "duckdb" or _at_least(path, DUCKDB_MIN_BYTES)


# duckdb_files.MIN_BYTES (a test keeps them equal): a smaller Parquet export is read by
# pandas, so it is judged here, before DuckDB and SQLAlchemy are imported (~0.5 s CPU).
DUCKDB_MIN_BYTES = 8 * 2**20


def _at_least(path: Path, size: int) -> bool:
    try:
        return path.is_file() and path.stat().st_size >= size
    except OSError:  # the reader says what is wrong with the file
        return False


def _repeated_keys(
    path: Path, name: str, mapping: ActualsMapping, text_columns: set[str], *, arrow: bool = False
) -> tuple[npt.NDArray[np.bool_], Diagnostic | None]:
    """Per row, whether a later row has its key; and the diagnostic naming repeated keys.

    A first pass over the key column alone: with ``duplicates: last`` a row
    must be left out before anything of it is summed, and its successor may
    be millions of rows further down.
    """
    index: dict[str, int] = {}
    parts: list[IntArray] = []
    first_row, position = 1, 1
    for number, (columns, row, positions) in enumerate(
        _chunks(path, name, mapping, text_columns, only=("key",), arrow=arrow)
    ):
        if number == 0:
            first_row, position = row, positions["key"]
        column = columns["key"]
        keys = ["" if _missing(v) else _text(v).strip() for v in column.values]
        lut = [index.setdefault(k, len(index)) if k else -1 for k in keys]
        parts.append(np.array([*lut, -1], dtype=np.int64)[column.codes])
    ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    ordered = ids[order]
    repeats = (ordered[:-1] == ordered[1:]) & (ordered[:-1] >= 0)
    superseded = np.zeros(len(ids), dtype=bool)
    superseded[order[:-1][repeats]] = True
    if not repeats.any():
        return superseded, None
    names = list(index)
    rows_by_key: dict[int, list[int]] = {}
    for at in np.flatnonzero(superseded).tolist():
        rows_by_key.setdefault(int(ids[at]), []).append(at)
    last_of = {int(k): int(r) for k, r in zip(ordered.tolist(), order.tolist(), strict=True)}
    listed = []
    for key in sorted(rows_by_key, key=lambda k: rows_by_key[k][0])[:ROWS_SHOWN]:
        rows = [*rows_by_key[key], last_of[key]]
        listed.append(
            f"`{shown_value(names[key])}` (rows {', '.join(str(first_row + r) for r in rows)})"
        )
    keys_repeated, earlier = len(rows_by_key), int(superseded.sum())
    more = f" and {keys_repeated - len(listed):,} more" if keys_repeated > len(listed) else ""
    header = mapping.columns["key"]
    first_key = min(rows_by_key, key=lambda k: rows_by_key[k][0])
    span = SourceSpan(name, first_row + last_of[first_key], position)
    if mapping.duplicates == "error":
        return superseded, DUPLICATE_KEY.at(
            span,
            f"{_count(keys_repeated, header + ' value')} on more than one row: "
            f"{', '.join(listed)}{more}",
            "remove the repeated rows, or set actuals.duplicates: last to count the last row of each key",
        )
    return superseded, SUPERSEDED_ROWS.at(
        span,
        f"{_count(earlier, 'row')} share a {header} with a later row and are not counted "
        f"(the last row of each key is): {', '.join(listed)}{more}",
        "export each opportunity once; the ledger counts the rows left out as superseded",
    )


def _chunks(
    path: Path,
    name: str,
    mapping: ActualsMapping,
    text_columns: set[str],
    only: Sequence[str] | None = None,
    *,
    arrow: bool = False,
    days: bool = False,
) -> Iterator[tuple[dict[str, _Column], int, dict[str, int]]]:
    """(columns by role, row number of the chunk's first row, column positions) per chunk.

    ``only`` reads just those roles (every mapped column is still checked in the header).
    ``arrow`` reads a CSV with pyarrow's reader (:func:`_arrow_csv_chunks`), which raises
    :class:`_ArrowDeclined` for anything it does not read exactly as pandas would;
    ``days`` lets it read the date columns as dates (or raise :class:`_DaysDeclined`).
    """
    if not path.exists():
        raise UnreadableExport(
            _unreadable(name, f"actuals file {name} does not exist", "check the path")
        )
    if path.is_dir():
        raise UnreadableExport(_unreadable(name, f"{name} is a folder; give the export file"))
    try:  # only a regular file: a FIFO would hang the run, /dev/zero never end
        open_regular(path, name).close()
    except NotRegularFile as error:
        raise UnreadableExport(_unreadable(name, f"{error}; give the export file")) from error
    except OSError as error:
        raise UnreadableExport(
            _unreadable(name, f"cannot read {name}: {error.strerror or error}")
        ) from error
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES and arrow:
        yield from _arrow_csv_chunks(path, name, mapping, only, days=days)
    elif suffix in CSV_SUFFIXES:
        yield from _csv_chunks(path, name, mapping, text_columns, only)
    elif suffix in XLSX_SUFFIXES:
        yield from _xlsx_chunks(path, name, mapping, only)
    elif suffix in PARQUET_SUFFIXES:
        yield from _parquet_chunks(path, name, mapping, only)
    else:
        raise UnreadableExport(
            _unreadable(
                name,
                f"{name}: planc reads .csv, .tsv, .txt, .xlsx and .parquet exports, not {suffix or 'files without a suffix'}",
                "export the report as CSV",
            )
        )


# --- the export read again, row by row (planc track --accounts) -------------------------------

_DEAL_ROLES = ("account", "date", "amount", "stage")


def deal_rows(
    path: Path, name: str, mapping: ActualsMapping
) -> Iterator[tuple[str, date | None, Decimal | None, bool]]:
    """Each row's account (stripped; "" when none), date, amount (None when either is not
    one; read for the won rows only, None for the others) and whether its stage is won
    (every row without a stage column), read by the
    readers of :func:`load_actuals` (an .xlsx or Parquet export too) and parsed by its
    rules. Every mapped column is read as text where a reader would infer a type.
    :class:`UnreadableExport` carries the reader's diagnostic."""
    roles = _roles(mapping, _DEAL_ROLES)
    won = {_norm(stage) for stage in mapping.won}

    def day_of(value: object) -> date | None:
        return _parse_day(value, mapping.date_format)

    def account_of(value: object) -> str:
        return "" if _missing(value) else _text(value).strip()

    def is_won(value: object) -> bool:
        return _norm(value) in won

    for columns, _, _ in _chunks(path, name, mapping, set(roles.values()), _DEAL_ROLES):
        days = _per_row(columns["date"], day_of)
        size = len(days)
        wins = _per_row(columns["stage"], is_won) if "stage" in columns else [True] * size
        yield from zip(
            _per_row(columns["account"], account_of) if "account" in columns else [""] * size,
            days,
            _per_row(columns["amount"], _parse_amount, wins),
            wins,
            strict=True,
        )


def _per_row(
    column: _Column, parse: Callable[[Any], _T], wanted: Sequence[bool] | None = None
) -> list[_T]:
    """``parse`` of each row's value in a chunk's column, given None where the value is
    missing or the row is not ``wanted``: once per distinct value where the reader gives
    them, else per row (a CSV's amounts)."""
    if column.raw is not None:
        rows = column.raw if wanted is None else _kept(column.raw, wanted)
        return [parse(value) for value in rows]
    parsed = [*(parse(value) for value in column.values), parse(None)]  # code -1: missing
    codes = column.codes.tolist() if wanted is None else _kept(column.codes.tolist(), wanted, -1)
    return [parsed[code] for code in codes]


def _kept(values: Iterable[_T], wanted: Sequence[bool], other: Any = None) -> Iterator[Any]:
    return (value if keep else other for value, keep in zip(values, wanted, strict=True))


def _unreadable(name: str, message: str, hint: str | None = None, row: int = 1) -> Diagnostic:
    return t.UNREADABLE.at(SourceSpan(name, row, 1), message, hint)


def _roles(mapping: ActualsMapping, only: Sequence[str] | None = None) -> dict[str, str]:
    return {
        role: mapping.columns[role]
        for role in t.COLUMN_ROLES
        if role in mapping.columns and (only is None or role in only)
    }


def _check_header(
    name: str, header: Sequence[str], mapping: ActualsMapping, row: int = 1
) -> dict[str, int]:
    """Column positions (1-based) by role; PLC704 when a mapped column is missing."""
    positions: dict[str, int] = {}
    header = [h.strip() for h in header]
    index = {h: i + 1 for i, h in reversed(list(enumerate(header)))}
    for role, column in _roles(mapping).items():
        if column in index:
            positions[role] = index[column]
            continue
        near = closest(column, header)
        # names to type back into actuals.columns: whole up to NAME_LIMIT
        shown = ", ".join(shown_value(h, NAME_LIMIT) for h in header[:12]) + (
            ", ..." if len(header) > 12 else ""
        )
        raise UnreadableExport(
            t.MISSING_COLUMN.at(
                SourceSpan(name, row, 1),
                f"the {role} column `{column}` (actuals.columns.{role}) is not in {name}; its columns are {shown}",
                f"did you mean `{shown_value(near, NAME_LIMIT)}`?"
                if near
                else "map actuals.columns to the export's header",
            )
        )
    return positions


def _python_encoding(mapping: ActualsMapping) -> str:
    encoding = mapping.encoding
    try:
        canonical = codecs.lookup(encoding).name
    except LookupError:
        return encoding  # PLC734 reports it in planc check; pandas fails the same way
    return "utf-8-sig" if canonical == "utf-8" else encoding


def _csv_header(path: Path, name: str, encoding: str) -> tuple[list[str], str]:
    """The header row and the delimiter (comma, semicolon, tab or bar, whichever it uses most)."""
    try:
        with open_regular(path, name) as handle:
            first = handle.readline(HEADER_BYTES + 1)
    except OSError as error:
        raise UnreadableExport(
            _unreadable(name, f"cannot read {name}: {error.strerror or error}")
        ) from error
    if len(first) > HEADER_BYTES:
        raise UnreadableExport(
            _unreadable(
                name,
                f"the first line of {name} is longer than {HEADER_BYTES:,} bytes: not a header row",
                "give a CSV export whose first line names its columns",
            )
        )
    try:
        line = first.decode(encoding)
    except UnicodeDecodeError as error:
        raise UnreadableExport(_encoding_error(name, encoding, 1, first, error)) from error
    except LookupError as error:
        raise UnreadableExport(_unreadable(name, f"unknown encoding `{encoding}`")) from error
    line = line.removeprefix("\ufeff").rstrip("\r\n")
    if not line.strip():
        raise UnreadableExport(
            _unreadable(name, f"{name} is empty: no header row", "export with headers")
        )
    delimiter = (
        max((",", ";", "\t", "|"), key=line.count) if any(d in line for d in ",;\t|") else ","
    )
    try:
        return next(csv.reader([line], delimiter=delimiter)), delimiter
    except csv.Error as error:  # a field over the csv module's limit (131,072 characters)
        raise UnreadableExport(
            _unreadable(
                name,
                f"the header row of {name} cannot be read: {error}",
                "give a CSV export whose first line names its columns",
            )
        ) from error


def _encoding_error(
    name: str, encoding: str, row: int, line: bytes, error: UnicodeDecodeError
) -> Diagnostic:
    col = len(line[: error.start].decode(encoding, errors="replace")) + 1
    return t.ENCODING.at(
        SourceSpan(name, row, col),
        f"row {row} of {name} is not {encoding} text (byte 0x{line[error.start]:02x} at column {col})",
        "set actuals.encoding to the export's encoding (e.g. gb18030, cp1252), or save it as UTF-8",
    )


def _find_encoding_error(path: Path, name: str, encoding: str) -> Diagnostic:
    """The first line that does not decode; called only after pandas failed on one."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with open_regular(path, name) as handle:
        for row, line in enumerate(handle, start=1):
            try:
                decoder.decode(line)
            except UnicodeDecodeError as error:
                return _encoding_error(name, encoding, row, line, error)
    return t.ENCODING.at(SourceSpan(name, 1, 1), f"{name} is not {encoding} text")


def _csv_layout(
    path: Path, name: str, mapping: ActualsMapping, only: Sequence[str] | None
) -> tuple[str, list[str], str, dict[str, int], dict[str, str]]:
    """What both CSV readers start from: the encoding, the header, the delimiter (a `.tsv`
    is tab-separated), each mapped role's 1-based column, and the roles to read (role ->
    the export's column name)."""
    encoding = _python_encoding(mapping)
    header, delimiter = _csv_header(path, name, encoding)
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    return encoding, header, delimiter, _check_header(name, header, mapping), _roles(mapping, only)


def _csv_chunks(
    path: Path,
    name: str,
    mapping: ActualsMapping,
    text_columns: set[str],
    only: Sequence[str] | None = None,
) -> Iterator[tuple[dict[str, _Column], int, dict[str, int]]]:
    encoding, header, delimiter, positions, roles = _csv_layout(path, name, mapping, only)
    # planc's own column names: headers may repeat or carry spaces
    names = [f"c{i}" for i in range(len(header))]
    usecols = sorted({positions[role] - 1 for role in roles})
    text = {roles[role] for role in roles} & text_columns
    amount_index = positions["amount"] - 1
    # Text columns and amounts as Python strings; the others as pandas' default, which with
    # pandas 3 and pyarrow is Arrow-backed text parsed without a Python object per cell:
    # measured at 5M rows, 2.6 s CPU for the read and the factorizing where "category" took
    # 5.5 s (and the object dtype 4.6 s). pandas infers a type for such a column as it did
    # for a categorical's categories: a column of numbers is read again as text.
    dtypes: dict[str, Any] = {
        names[i]: object for i in usecols if header[i].strip() in text or i == amount_index
    }
    counting = _count_fields(encoding)
    try:
        with open_regular(path, name) as raw:
            source = _CountingReader(raw, delimiter.encode("ascii")) if counting else raw
            reader = pd.read_csv(
                source,
                sep=delimiter,
                header=0,
                names=names,
                usecols=usecols,
                dtype=dtypes,
                keep_default_na=False,
                na_filter=False,
                encoding=encoding,
                chunksize=CHUNK_ROWS,
                low_memory=False,
            )
            records = 0
            with reader:
                for frame in reader:
                    columns = {}
                    for role, column in roles.items():
                        series = frame[names[positions[role] - 1]]
                        if role == "amount":
                            columns[role] = _Column(_NO_CODES, [], series.to_numpy(dtype=object))
                        else:
                            columns[role] = _csv_column(series, role, column, text_columns)
                    yield columns, records + 2, positions
                    records += len(frame)
            if isinstance(source, _CountingReader) and source.delimiters != (
                (len(header) - 1) * (records + 1)
            ):
                _find_ragged_row(path, name, encoding, delimiter, len(header))
    except UnicodeDecodeError as error:
        raise UnreadableExport(_find_encoding_error(path, name, encoding)) from error
    except pd.errors.ParserError as error:
        found = _LINE_IN_MESSAGE.search(str(error))
        row = int(found.group(1)) if found else 1
        detail = str(error).split("C error: ")[-1].strip()
        raise UnreadableExport(
            _unreadable(name, f"row {row} of {name}: {detail}", _QUOTE_HINT, row)
        ) from error
    except pd.errors.EmptyDataError as error:
        raise UnreadableExport(
            _unreadable(name, f"{name} is empty", "export with headers")
        ) from error
    except ValueError as error:
        # A first row with more fields than the header: pandas gives up before any row.
        _find_ragged_row(path, name, encoding, delimiter, len(header))
        raise UnreadableExport(
            _unreadable(name, f"{name} is not a readable CSV file ({error})", _QUOTE_HINT)
        ) from error
    except OSError as error:
        raise UnreadableExport(
            _unreadable(name, f"cannot read {name}: {error.strerror or error}")
        ) from error


_QUOTE_HINT = "quote fields that contain the delimiter, or export the report again"
_NO_CODES: IntArray = np.zeros(0, dtype=np.int64)


def _count_fields(encoding: str) -> bool:
    # In UTF-16 and UTF-32 a delimiter is not one byte; pandas' own checks must do there.
    return not codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))


class _CountingReader(io.RawIOBase):
    """A binary file that counts delimiter bytes as pandas reads it.

    pandas does not check that every row has the header's number of fields when
    it reads only some columns: a surplus or a missing field goes unnoticed. The
    count costs nothing extra (each block is counted while it is in the cache);
    when it differs from fields x rows, :func:`_find_ragged_row` reads the file
    again to name the row (or finds only quoted delimiters, which are fine).
    """

    def __init__(self, raw: Any, delimiter: bytes) -> None:
        super().__init__()
        self.raw = raw
        self.byte = delimiter[0]
        self.delimiters = 0

    def _count(self, data: bytes | memoryview) -> None:
        # numpy compares a block many bytes at a time: five times bytes.count's speed
        self.delimiters += int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == self.byte))

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False  # a second look at the same bytes would count them twice

    def read(self, size: int = -1) -> bytes:
        data: bytes = self.raw.read(size)
        self._count(data)
        return data

    def readinto(self, buffer: Any) -> int:
        n: int = self.raw.readinto(buffer)
        if n:
            self._count(memoryview(buffer)[:n])
        return n


def _find_ragged_row(path: Path, name: str, encoding: str, delimiter: str, fields: int) -> None:
    """The first row whose number of fields is not the header's, read as pandas reads rows."""
    try:
        with io.TextIOWrapper(open_regular(path, name), encoding=encoding, newline="") as handle:
            records = (r for r in csv.reader(handle, delimiter=delimiter) if r)
            for row, record in enumerate(records, start=1):
                if len(record) != fields:
                    raise UnreadableExport(
                        _unreadable(
                            name,
                            f"row {row} of {name} has {len(record)} fields, the header {fields}",
                            _QUOTE_HINT,
                            row,
                        )
                    )
    except UnicodeDecodeError as error:
        raise UnreadableExport(_find_encoding_error(path, name, encoding)) from error
    except csv.Error as error:
        raise UnreadableExport(
            _unreadable(name, f"{name} is not a readable CSV file: {error}")
        ) from error


def _csv_column(series: pd.Series, role: str, column: str, text_columns: set[str]) -> _Column:
    if column not in text_columns and not pd.api.types.is_string_dtype(series.dtype):
        raise _ReadAsText(column)  # pandas made numbers of names or dates: "007" would be 7
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    # tolist(): one conversion of the Arrow-backed uniques, not an element-wise iteration
    # (at 5M rows ~0.6 s under a profiler for the accounts' 20,000 uniques per chunk)
    return _Column(np.asarray(codes, dtype=np.int64), [str(v) for v in uniques.tolist()])


class _ArrowDeclined(Exception):
    """pyarrow's CSV reader met something pandas' reader handles its own way (a ragged row,
    bytes that are not UTF-8, a line of blanks, a quoted header spanning lines): pandas
    reads the export again from the start and reports it as it always did."""


# Bytes pyarrow parses per block (its threads parse blocks side by side).
ARROW_BLOCK_BYTES = 1 << 20


def _arrow_may_read(path: Path, mapping: ActualsMapping) -> bool:
    """Whether a CSV export is read with pyarrow's CSV reader first (UTF-8, pyarrow installed).

    Measured at 1M rows (bench/warehouse.py's export): pyarrow reads and
    dictionary-encodes the mapped columns in about half the CPU of pandas' C
    engine plus its factorizing, on both cores, and the run never imports pandas
    (~0.3 s CPU). pandas stays the reference: whatever pyarrow refuses is read
    again by pandas, which names the row and what is wrong with it.
    """
    if path.suffix.lower() not in CSV_SUFFIXES:
        return False
    try:
        if codecs.lookup(_python_encoding(mapping)).name not in ("utf-8", "utf-8-sig"):
            return False
    except LookupError:
        return False
    return importlib.util.find_spec("pyarrow") is not None


def _arrow_csv_chunks(
    path: Path,
    name: str,
    mapping: ActualsMapping,
    only: Sequence[str] | None = None,
    *,
    days: bool = False,
) -> Iterator[tuple[dict[str, _Column], int, dict[str, int]]]:
    """:func:`_csv_chunks` read by pyarrow: the same chunks (``CHUNK_ROWS`` rows), values
    and row numbers; every cell as its text, so no column is ever read twice.

    pyarrow checks what pandas' reader needs planc's own checks for: every row has the
    header's number of fields (quoted delimiters and newlines understood) and every
    field of every column is UTF-8. It refuses a line of blanks, which pandas skips.
    Any refusal is :class:`_ArrowDeclined`. With ``days``, the date columns are read as
    dates (:func:`_day_positions`); a value that is not an ISO date there is
    :class:`_DaysDeclined`.
    """
    _, header, delimiter, positions, roles = _csv_layout(path, name, mapping, only)
    try:
        import pyarrow as pa  # noqa: PLC0415 - optional: pandas reads the export without it
    except ImportError as error:
        raise _ArrowDeclined(str(error)) from error
    try:
        handle = open_regular(path, name)
    except OSError as error:
        raise _ArrowDeclined(str(error)) from error
    with handle:
        if handle.readline(HEADER_BYTES + 1).count(b'"') % 2:  # within the bound: read before
            raise _ArrowDeclined("a quoted header field spans lines")
        handle.seek(0)
        dated = _day_positions(roles, positions) if days else set()
        # amounts as plain text: too many distinct ones to be worth a dictionary
        here = {"amount", *_ENCODED_HERE, *_LOOKED_UP_HERE}
        coded = {positions[r] for r in roles if r not in here} - dated
        known = {role: _KnownTexts() for role in _LOOKED_UP_HERE}
        reader = _arrow_reader(handle, len(header), delimiter, coded, dated)
        # The thread parses (pyarrow's streaming reader does it in the calling thread); this
        # one encodes and the aggregator sums: at 5M rows 3.1 and 3.2 s CPU, where encoding
        # in the thread left it 4.0 against 2.1 here (thread_time, load 9).
        size = os.fstat(handle.fileno()).st_size
        tables = _arrow_chunk_tables(pa, reader, bool(dated), size)
        # pyarrow's compute kernels (dates, accounts) loaded while the thread parses the first chunk
        for table, first_row in _made_ahead(tables, meanwhile=_import_compute):
            try:
                columns = _arrow_columns(table, roles, positions, known)
            except _DaysDeclined:
                raise
            except Exception as error:
                raise _ArrowDeclined(str(error)) from error
            yield columns, first_row, positions


_DATE_ROLES = ("date", "created")


def _day_positions(roles: Mapping[str, str], positions: Mapping[str, int]) -> set[int]:
    """The columns (1-based) pyarrow reads as dates: those of the date roles that no other
    role reads as text (a created date may share the close date's column, not an owner's)."""
    dated = {positions[r] for r in roles if r in _DATE_ROLES}
    return dated - {positions[r] for r in roles if r not in _DATE_ROLES}


class _DaysDeclined(Exception):
    """A date column holds a value that is not an ISO date (``2027-01-05``) as pyarrow reads
    them, or a day before year 1: pyarrow reads the export again with its dates as text,
    which planc parses one distinct value at a time (and reports)."""


def _declined(error: BaseException, dated: bool) -> Exception:
    """What a pyarrow error means: a date it does not read (when it read dates), or any
    other refusal. Its message is only a shortcut: pandas would report the dates too."""
    if dated and "to date32" in str(error):
        return _DaysDeclined(str(error))
    return _ArrowDeclined(str(error))


def _arrow_chunk_tables(
    pa: Any, reader: Any, dated: bool = False, size: int | None = None
) -> Iterator[tuple[Any, int]]:
    """The reader's batches as tables of ``CHUNK_ROWS`` rows, and each one's first row.

    The first chunks are smaller (``FIRST_CHUNK_ROWS``, doubling up to ``CHUNK_ROWS``): the
    aggregator waits for the first one to be parsed. So are the last ones
    (``LAST_CHUNK_ROWS``), once fewer than two chunks' rows are left of the file's ``size``
    bytes: the reader is idle while the aggregator sums the last one. Sizes change no
    figure and no message, only the work per chunk.

    The rows left are the bytes not parsed yet at the rows per byte so far, the bytes
    parsed being a block per batch (pyarrow's streaming reader makes one batch of each
    ``ARROW_BLOCK_BYTES`` block, cut at a row's end). The file's position, used before,
    said how far pyarrow had *read*: 10-40 MB ahead of what it parsed, in bursts, so at 1M
    and 5M rows the last chunks began with ~770k rows left where fewer than 500k were
    meant (and where they began in a test depended on the read-ahead: it was flaky)."""
    pending: list[Any] = []
    have, first_row, done = 0, 2, False
    target = min(FIRST_CHUNK_ROWS, CHUNK_ROWS)
    last = min(LAST_CHUNK_ROWS, CHUNK_ROWS)
    tapering, rows_read, batches = False, 0, 0
    while not done:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            done = True
        except Exception as error:
            raise _declined(error, dated) from error
        else:
            pending.append(batch)
            have += batch.num_rows
            rows_read += batch.num_rows
            batches += 1
        if size is not None and rows_read >= CHUNK_ROWS and not tapering:
            parsed = batches * ARROW_BLOCK_BYTES
            if have + max(size - parsed, 0) * rows_read / parsed < 2 * CHUNK_ROWS:
                tapering, target = True, last
        while have >= target or (done and have):
            take = min(have, target)
            try:
                table = pa.Table.from_batches(pending)
                pending = table.slice(take).to_batches()
            except Exception as error:
                raise _ArrowDeclined(str(error)) from error
            have -= take
            yield table.slice(0, take), first_row
            first_row += take
            if not tapering:
                target = min(target * 2, CHUNK_ROWS)


# The first chunk's rows (doubling to CHUNK_ROWS) and the last ones' (_arrow_chunk_tables).
# Measured at 1M and 5M rows (thread_time per chunk of both threads, their pipeline
# replayed on two idle cores): the aggregator started after 0.06-0.09 s of parsing, now
# 0.01; it summed for 0.04-0.06 s after the reader's end, now 0.015-0.04; its CPU ~+0.02 s.
FIRST_CHUNK_ROWS = 1 << 15
LAST_CHUNK_ROWS = 1 << 16


# Chunks read ahead by a thread while the aggregator works on the last one (0: none).
READ_AHEAD = 1
_END = object()


def _import_compute() -> None:
    _compute_module()


def _made_ahead(items: Iterator[_T], meanwhile: Callable[[], object] | None = None) -> Iterator[_T]:
    """``items``, made by a thread up to ``READ_AHEAD`` ahead of the caller.

    pyarrow parses and numpy encodes with the GIL released, so on a second core the
    next chunk is read while the aggregator (Python) sums this one. An exception of the
    thread is raised here, in order; leaving early stops the thread before returning.
    ``meanwhile`` runs in the caller's thread as the thread makes the first item (the
    caller would only wait for it).
    """
    if READ_AHEAD <= 0:
        if meanwhile is not None:
            meanwhile()
        yield from items
        return
    made: queue.Queue[tuple[Any, BaseException | None]] = queue.Queue(maxsize=READ_AHEAD)
    stop = threading.Event()

    def hand(item: Any, error: BaseException | None = None) -> bool:
        while not stop.is_set():
            try:
                made.put((item, error), timeout=0.05)
            except queue.Full:
                continue
            return True
        return False

    def produce() -> None:
        # never a silent end: whatever stops the thread is handed on (raised by the caller)
        last: tuple[Any, BaseException | None] | None = (None, RuntimeError("reader stopped"))
        try:
            for item in items:
                if not hand(item):
                    last = None  # the caller left
                    return
            last = (_END, None)
        except Exception as error:  # noqa: BLE001 - raised by the caller, in its thread
            last = (None, error)
        finally:
            if last is not None:
                hand(*last)

    worker = threading.Thread(target=produce, name="planc-csv-reader", daemon=True)
    worker.start()
    try:
        if meanwhile is not None:
            meanwhile()
        while True:
            item, error = made.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        worker.join()


def _arrow_reader(
    handle: Any,
    fields: int,
    delimiter: str,
    mapped: set[int],
    dated: AbstractSet[int] = frozenset(),
) -> Any:
    """pyarrow's streaming CSV reader past the header, every cell text (never null) but dates.

    The mapped columns (1-based positions) come dictionary-encoded by the reader's own
    threads; the others are converted too, as text, so that every cell is checked to be
    UTF-8 as pandas checks it. The ``dated`` ones come as dates (``date32``), an empty
    cell as null: parsed by pyarrow as it reads, where a dictionary of their texts cost
    it more, and planc then parsed each distinct text per chunk and this thread encoded
    the created dates (see :func:`_day_column`).
    """
    import pyarrow as pa  # noqa: PLC0415 - optional: pandas reads the export without it
    import pyarrow.csv as pacsv  # noqa: PLC0415

    # use_threads=False: the streaming reader parses in the calling thread either way
    # (measured: the same CPU or less without, 5M and 1M rows). pyarrow still starts its
    # I/O pool (two idle threads, holding no lock), as pandas' Arrow-backed reader did
    # before; Arrow and jemalloc register fork handlers, so a render that forks its page
    # workers after reading the actuals is safe.
    coded = pa.dictionary(pa.int32(), pa.string())
    names = [f"c{i}" for i in range(fields)]
    try:
        return pacsv.open_csv(
            handle,
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=1, block_size=ARROW_BLOCK_BYTES, use_threads=False
            ),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={
                    column: pa.date32()
                    if i + 1 in dated
                    else coded
                    if i + 1 in mapped
                    else pa.string()
                    for i, column in enumerate(names)
                },
                null_values=[""],  # for the dates: only an empty cell is none
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except Exception as error:  # pyarrow raises several kinds; pandas will say which
        raise _declined(error, bool(dated)) from error


# Columns pyarrow's reader gives as plain text, dictionary-encoded here, once per chunk:
# accounts (20,000 distinct) cost the reading thread 0.3 s at 5M rows as a dictionary,
# and this thread as much again to unify the blocks' dictionaries; one encoding of the
# whole chunk costs less than either. The reading thread was the longer one (at 5M rows
# this one waited 2.1 s for it, it 0.01 s for this one): the created date is encoded
# here too. Measured at 5M rows (thread_time, 7 alternated runs each, load 3-8): reading
# thread 2.09 -> 1.88 s, this one 1.83 -> 1.89, the longer of the two 2.09 -> 1.91 on
# average; encoding the close date here as well made this one the longer (2.13).
_ENCODED_HERE = frozenset({"account", "created"})


# Columns pyarrow's reader gives as plain text and planc looks up among the texts of the
# earlier chunks (_KnownTexts), when they have few distinct ones (_KNOWN_TEXTS at most).
# The reading thread was the longer one (at 5M rows 2.4-2.5 s against 2.0, load 8-10):
# the owners' dictionary (the longest texts) and the stages' moved here. Measured at 5M
# rows (thread_time, load 9, two runs each), reading thread / this one: owners here
# 2.44 / 2.07 and 2.60 / 2.46 s; and stages 2.32 / 2.22 and 2.40 / 2.46; and products
# too 2.25 / 2.51 and 2.18 / 2.47 (this one the longer). Once this one looked accounts up
# on won rows only (_Aggregator._arrow_accounts), the reading thread was the longer again:
# products moved here too. 5M rows, 5 alternated runs (thread_time, load 2-4), mean
# reading thread / this one 1.84 / 1.81 -> 1.67 / 1.86 s, both 3.83 -> 3.70.
_LOOKED_UP_HERE = frozenset({"owner", "stage", "product"})
_KNOWN_TEXTS = 1 << 16


def _arrow_columns(
    table: Any,
    roles: Mapping[str, str],
    positions: Mapping[str, int],
    known: Mapping[str, _KnownTexts] | None = None,
) -> dict[str, _Column]:
    """One chunk's columns: codes and values in order of first appearance, as
    ``pandas.factorize`` gives them, or for ``known`` roles in order of first appearance
    in the export (the same to the aggregator: a value needs a warning from the chunk it
    first appears in); amounts as :class:`_ArrowText` (only won and open rows' amounts
    are parsed)."""
    columns: dict[str, _Column] = {}
    for role in roles:
        text = table.column(f"c{positions[role] - 1}")
        texts = (known or {}).get(role)
        if texts is not None and texts.count <= _KNOWN_TEXTS and str(text.type) == "string":
            index, new = texts.lookup(text)
            texts.values += new
            columns[role] = _Column(index, list(texts.values))
            continue
        if role == "amount":
            columns[role] = _Column(_NO_CODES, [], _ArrowText(text.combine_chunks()))
            continue
        if role == "account" and not hasattr(text.type, "index_type"):
            columns[role] = _Column(_NO_CODES, [], _ArrowNames(text))  # see _Aggregator._accounts
            continue
        if str(text.type) == "date32[day]":  # read as dates (_day_positions)
            shared = [c for r, c in columns.items() if positions[r] == positions[role]]
            columns[role] = shared[0] if shared else _day_column(text)
            continue
        if not hasattr(text.type, "index_type"):  # plain text (_ENCODED_HERE): encode it
            # the blocks as they are (no combined copy): pyarrow gives every block the one
            # dictionary of the whole column; should one differ, they are unified below
            text = _dictionary_encode(text)
        first = text.chunk(0).dictionary
        if not all(chunk.dictionary.equals(first) for chunk in text.chunks[1:]):
            text = text.unify_dictionaries()
        dictionary = text.chunk(0).dictionary
        codes = np.concatenate([_arrow_codes(chunk.indices) for chunk in text.chunks])
        codes, order = _first_seen(codes, len(dictionary))
        values = dictionary.to_pylist()
        columns[role] = _Column(codes, [values[i] for i in order.tolist()])
    return columns


def _dictionary_encode(text: Any) -> Any:
    """``pyarrow.compute.dictionary_encode`` (default options)."""
    return _compute("dictionary_encode", text)


def _compute_module() -> Any:
    """pyarrow's compiled compute module: importing ``pyarrow.compute`` wraps every compute
    function in Python (with docstrings from pydoc), measured ~0.08 s CPU of a ``planc
    track`` of a CSV export. It is private: should a release move it, the public one."""
    try:
        import pyarrow._compute as compute  # noqa: PLC0415 - only pyarrow's reader
    except ImportError:
        from pyarrow import compute  # noqa: PLC0415
    return compute


def _compute(function: str, *args: Any, options: Any = None) -> Any:
    """A pyarrow compute function called through :func:`_compute_module`."""
    return _compute_module().call_function(function, list(args), options)


_FIRST_DAY = date(1, 1, 1).toordinal() - _EPOCH_ORDINAL  # the first day Python's dates have
_DENSE_DAYS = 1 << 16  # days between a chunk's first and last date counted in an array


def _day_column(days: Any) -> _Column:
    """A chunk's dates (pyarrow ``date32``; null for an empty cell) as codes into the
    distinct dates, ascending, as ``date`` objects: the values planc's date parsing gives
    (an empty cell has code -1). pyarrow reads years 0000 to 9999; Python's dates begin
    with year 1: a day before it is :class:`_DaysDeclined` (planc reports it, as text).

    The days are read from the Arrow buffers into one int64 array (intp: numpy counts and
    indexes with it as it is; int32 cost a conversion each), the empty cells set to
    the day after the last with bitwise masks (a masked assignment or a ``where=`` reduction
    branches per cell: 0.7-1.0 ms per 250k), where pyarrow's ``min_max`` and ``coalesce`` (a
    copy) ran: the 52 date columns of 5M rows' chunks, replayed, 75-88 -> 44-46 ms."""
    parts: list[npt.NDArray[np.int32]] = []
    valid: list[npt.NDArray[np.bool_] | None] = []
    for chunk in days.chunks:
        parts.append(_arrow_days(chunk))
        valid.append(_arrow_valid(chunk) if chunk.null_count else None)
    n = len(days)
    if not n:
        return _Column(np.zeros(0, dtype=np.int64), [])
    at = np.concatenate(parts, dtype=np.int64)  # a copy: written below
    keep: IntArray | None = None  # -1 a date, 0 an empty cell
    if days.null_count:
        present = np.concatenate(
            [
                np.ones(len(d), dtype=bool) if v is None else v
                for d, v in zip(parts, valid, strict=True)
            ]
        )
        if not present.any():  # every cell empty
            return _Column(np.full(n, -1, dtype=np.int64), [])
        keep = -present.view(np.int8).astype(np.int64)
        at &= keep
        at |= ~keep & at[int(present.argmax())]  # an empty cell: a date there is, for now
    low, high = int(at.min()), int(at.max())  # days from 1970
    if low < _FIRST_DAY:
        raise _DaysDeclined(f"a date before year 1 ({low} days from 1970)")
    at -= low
    span = high - low + 1
    if keep is not None:  # an empty cell: the day after the last, code -1 below
        at &= keep
        at |= ~keep & span
    codes: IntArray
    if span <= _DENSE_DAYS:  # a dense count: linear, where np.unique sorts
        seen = np.flatnonzero(np.bincount(at, minlength=span + 1)[:span])
        rank = np.full(span + 1, -1, dtype=np.int64)
        rank[seen] = np.arange(len(seen), dtype=np.int64)
        codes = rank[at]
    else:
        seen, codes = np.unique(at, return_inverse=True)
        codes = codes.reshape(-1)
        if seen[-1] == span:  # the empty cells
            seen = seen[:-1]
            codes[codes == len(seen)] = -1
    base = _EPOCH_ORDINAL + low
    return _Column(codes, [date.fromordinal(int(d) + base) for d in seen.tolist()])


def _arrow_days(chunk: Any) -> npt.NDArray[np.int32]:
    """One block of a ``date32`` column as int32 days from 1970, read from the Arrow buffer
    (pyarrow's ``to_numpy`` would import pandas); a null's day is anything."""
    data = chunk.buffers()[1]
    return np.frombuffer(data, dtype="<i4", count=len(chunk), offset=chunk.offset * 4)


def _arrow_valid(chunk: Any) -> npt.NDArray[np.bool_]:
    """Which cells of one Arrow block are not null, from its validity bitmap."""
    bits = np.unpackbits(np.frombuffer(chunk.buffers()[0], dtype=np.uint8), bitorder="little")
    return bits[chunk.offset : chunk.offset + len(chunk)].astype(bool)


def _arrow_codes(indices: Any) -> IntArray:
    """A dictionary's indices (no nulls: cells are never null here) as int64 codes, read from
    the Arrow buffer itself: pyarrow's ``to_numpy`` imports pandas (~0.3 s CPU)."""
    if indices.null_count:
        raise ValueError("a null among the dictionary's indices")
    width = indices.type.bit_width // 8
    values = np.frombuffer(
        indices.buffers()[1], dtype=f"<i{width}", count=len(indices), offset=indices.offset * width
    )
    return values.astype(np.int64)


_FIRST_ROWS = 1 << 13


def _first_seen(codes: IntArray, size: int) -> tuple[IntArray, IntArray]:
    """Dictionary codes (``0 <= code < size``) renumbered in order of first appearance, and
    the old code of each new one: the numbering ``pandas.factorize`` gives."""
    n = len(codes)
    first = np.full(size, n, dtype=np.int64)
    # Most values show up in the first rows: look there, and at the rest only when a
    # value that occurs was not seen there (a count per value says which occur).
    head = min(n, _FIRST_ROWS)
    np.minimum.at(first, codes[:head], np.arange(head, dtype=np.int64))
    if head < n and (np.bincount(codes, minlength=size)[first == n] > 0).any():
        np.minimum.at(first, codes[head:], np.arange(head, n, dtype=np.int64))
    present = np.flatnonzero(first < n)
    order = present[np.argsort(first[present], kind="stable")]
    rank = np.full(size, -1, dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    return rank[codes], order


# What an amount's text is, for the plain-text path (_ArrowText.plain): digits with at
# most one point, the empty text, or anything else (which the exact path reads).
_PLAIN, _EMPTY, _OTHER = range(3)
_PLAIN_WIDTH = 16  # 15 digits and a point
_POWERS: IntArray = 10 ** np.arange(19, dtype=np.int64)


class _ArrowNames:
    """A chunk's account names as pyarrow read them (text blocks): the aggregator looks them
    up among the texts of earlier chunks with pyarrow (:meth:`_Aggregator._accounts`)."""

    __slots__ = ("text",)

    def __init__(self, text: Any) -> None:
        self.text = text


class _KnownTexts:
    """The distinct texts of a pyarrow text column so far, in order of first appearance
    across chunks: pyarrow looks each row of a chunk up among them (``index_in``: one hash
    lookup per row, as encoding the chunk costs), and only texts new to the chunk are
    encoded and come to Python. Positions never change, so a chunk needs no renumbering
    and no Python string per distinct text (20,000 accounts per chunk at 5M rows)."""

    __slots__ = ("count", "texts", "values")

    def __init__(self) -> None:
        self.texts: Any = None  # a pyarrow string array
        self.count = 0
        self.values: list[str] = []  # the texts as Python strings, when the caller keeps them

    def lookup(self, text: Any) -> tuple[IntArray, list[str]]:
        """Per row, its text's position among all texts seen; and the texts new to this
        chunk (positions ``count`` on), in order of first appearance."""
        import pyarrow as pa  # noqa: PLC0415 - only pyarrow's reader makes text columns

        lookup = _compute_module().SetLookupOptions

        new: npt.NDArray[np.bool_] | None = None
        index: IntArray
        if self.texts is None:
            index, fresh = np.zeros(len(text), dtype=np.int64), text
        else:
            seen = _compute("index_in", text, options=lookup(value_set=self.texts))
            index, new = _arrow_found(seen)
            if new is None:
                return index, []
            rows = np.flatnonzero(new)
            fresh = _compute("take", text, _arrow_int64s(rows))  # .take imports pc
        encoded = _dictionary_encode(fresh).combine_chunks()
        codes = _arrow_codes(encoded.indices) + self.count
        if new is None:
            index = codes
        else:
            index[rows] = codes
        texts = encoded.dictionary
        self.texts = texts if self.texts is None else pa.concat_arrays([self.texts, texts])
        self.count += len(texts)
        found: list[str] = texts.to_pylist()
        return index, found


def _arrow_int64s(values: npt.NDArray[np.int64]) -> Any:
    """A pyarrow int64 array on a numpy array's buffer: ``pa.array`` imports pandas."""
    import pyarrow as pa  # noqa: PLC0415 - only pyarrow's reader gets here

    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


def _arrow_found(found: Any) -> tuple[IntArray, npt.NDArray[np.bool_] | None]:
    """``pyarrow.compute.index_in``'s result (int32, null where not found) as int64
    positions and where one was not found (None: every one was)."""
    parts, missing = [], []
    for chunk in found.chunks:
        validity, data = chunk.buffers()[:2]
        n, offset = len(chunk), chunk.offset
        parts.append(np.frombuffer(data, dtype="<i4", count=n, offset=offset * 4))
        if chunk.null_count:
            bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
            missing.append(bits[offset : offset + n] == 0)
        else:
            missing.append(np.zeros(n, dtype=bool))
    if not parts:
        return np.zeros(0, dtype=np.int64), None
    index = np.concatenate(parts, dtype=np.int64)
    return index, (np.concatenate(missing) if found.null_count else None)


class _ArrowText:
    """A chunk's amounts as pyarrow read them: one text per row (an Arrow string array)."""

    __slots__ = ("_bytes", "_offsets", "_values", "text")

    def __init__(self, text: Any) -> None:
        self.text = text
        self._values: list[str] | None = None
        self._offsets: IntArray | None = None
        self._bytes: npt.NDArray[np.uint8] | None = None

    def factorize(self, rows: npt.NDArray[np.intp]) -> tuple[IntArray, list[Any]]:
        """Codes and distinct texts of ``rows``, in order of first appearance."""
        if self._values is None:
            self._values = self.text.to_pylist()
        values = self._values
        index: dict[str, int] = {}
        codes = [index.setdefault(values[i], len(index)) for i in rows.tolist()]
        return np.array(codes, dtype=np.int64), list(index)

    def plain(
        self, rows: npt.NDArray[np.intp]
    ) -> tuple[IntArray, IntArray, npt.NDArray[np.int8]] | None:
        """Per row of ``rows``: the digits as an integer, the decimal places and what the
        text is (_PLAIN, _EMPTY or _OTHER), read from the Arrow buffers many rows at a time;
        None when the column is not in the shape this reads (the exact path reads it)."""
        if self._offsets is None:
            import pyarrow as pa  # noqa: PLC0415 - only pyarrow's reader makes an _ArrowText

            text = self.text
            if text.type != pa.string() or text.null_count:
                return None
            buffers = text.buffers()
            self._offsets = np.frombuffer(
                buffers[1], dtype=np.int32, count=len(text) + 1, offset=text.offset * 4
            ).astype(np.int64)
            data = buffers[2] if buffers[2] is not None else b""
            # padded: a text's next positions can be read past the last text's end
            self._bytes = np.concatenate(
                [np.frombuffer(data, dtype=np.uint8), np.zeros(_PLAIN_WIDTH, dtype=np.uint8)]
            )
        assert self._bytes is not None
        return _plain_texts(self._offsets[rows], self._offsets[rows + 1], self._bytes)


def _plain_texts(
    starts: IntArray, ends: IntArray, data: npt.NDArray[np.uint8]
) -> tuple[IntArray, IntArray, npt.NDArray[np.int8]]:
    """Texts (``data[start:end]``, UTF-8, ``data`` padded with _PLAIN_WIDTH zero bytes) ->
    (digits, decimal places, kind) per text. Plain is what :func:`_parse_amounts` reads
    with numpy: ASCII digits (1 to 15) and at most one point, at most MAX_DECIMALS
    digits after it. One pass per character position, over all texts at once."""
    n = len(starts)
    lengths = ends - starts
    digits = np.zeros(n, dtype=np.int64)
    # counts of at most _PLAIN_WIDTH in bytes, updated in place: a quarter of the memory
    # traffic of int64 and no new array per pass (0.049 -> 0.042 s per 480k texts)
    count = np.zeros(n, dtype=np.int8)  # digits
    points = np.zeros(n, dtype=np.int8)
    places = np.zeros(n, dtype=np.int8)  # digits after a point
    after_point = np.zeros(n, dtype=bool)
    other = lengths > _PLAIN_WIDTH
    shortest = int(lengths.min(initial=0))
    position = starts.copy()
    for at in range(int(min(lengths.max(initial=0), _PLAIN_WIDTH))):
        char = data[position]
        position += 1
        value = char - np.uint8(ord("0"))  # wraps around below "0": not a digit
        digit = value < 10
        point = char == ord(".")
        known = digit | point
        if at < shortest:  # every text is longer: no need to mask their ends
            other |= ~known
        else:
            inside = lengths > at
            digit &= inside
            point &= inside
            other |= inside > known  # inside and neither a digit nor a point
        np.multiply(digits, 10, out=digits, where=digit)
        np.add(digits, value, out=digits, where=digit)
        count += digit
        places += digit & after_point
        points += point
        after_point |= point
    plain = ~other & (points <= 1) & (count >= 1) & (count <= 15) & (places <= MAX_DECIMALS)
    kind = np.where(plain, _PLAIN, np.where(lengths == 0, _EMPTY, _OTHER)).astype(np.int8)
    return np.where(plain, digits, 0), np.where(plain, places, 0).astype(np.int64), kind


def _plain_rows(
    column: _Column, rows: npt.NDArray[np.intp], *, empty: bool
) -> tuple[IntArray, int, npt.NDArray[np.bool_]] | None:
    """The amounts of ``rows`` when each is plain text (or, with ``empty``, the empty
    text): as integers of 10**-scale units (0 for an empty one), the scale (the most
    places of a plain one) and which are plain; exactly what :func:`_parse_amounts` makes
    of them. None when one is anything else, or the integers may not fit int64: the exact
    path reads those (and reports what is wrong)."""
    if not isinstance(column.raw, _ArrowText):
        return None
    parsed = column.raw.plain(rows)
    if parsed is None:
        return None
    digits, places, kind = parsed
    plain = kind == _PLAIN
    if not (plain | (kind == _EMPTY) if empty else plain).all():
        return None
    places = places[plain]
    scale = int(places.max(initial=0))
    if scale - int(places.min(initial=scale)) + 15 > 18:  # _parse_amounts' "fits"
        return None
    scaled = np.zeros(len(rows), dtype=np.int64)
    scaled[plain] = digits[plain] * _POWERS[scale - places]
    return scaled, scale, plain


def _factorize_raw(raw: Any, rows: npt.NDArray[np.intp]) -> tuple[IntArray, list[Any]]:
    """The raw amounts of some rows as codes and distinct values, in order of first
    appearance: ``raw`` is pandas' object array or :class:`_ArrowText`."""
    if isinstance(raw, _ArrowText):
        return raw.factorize(rows)
    codes, uniques = pd.factorize(raw[rows], use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), np.asarray(uniques, dtype=object).tolist()


def _factorize_ints(keys: IntArray) -> tuple[IntArray, IntArray]:
    """(codes, distinct keys) with the keys in order of first appearance, as
    ``pandas.factorize`` numbers integers, without importing pandas."""
    if not len(keys):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    distinct, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    return rank[inverse.reshape(-1)], distinct[order].astype(np.int64)


def _xlsx_chunks(
    path: Path, name: str, mapping: ActualsMapping, only: Sequence[str] | None = None
) -> Iterator[tuple[dict[str, _Column], int, dict[str, int]]]:
    sheet: str | int = mapping.sheet if mapping.sheet is not None else 0
    try:
        with (
            open_regular(path, name) as handle,
            _sheet_in_bounds(handle, name, sheet) as excel,
        ):
            frame = pd.read_excel(excel, sheet_name=sheet, dtype=object)
    except UnreadableExport:
        raise
    except ImportError as error:
        raise UnreadableExport(
            _unreadable(name, f"reading {name} needs openpyxl", "pip install 'planc[track]'")
        ) from error
    except ValueError as error:
        raise UnreadableExport(
            _unreadable(name, f"cannot read {name}: {_said(error)}", "check actuals.sheet")
        ) from error
    except Exception as error:  # a damaged workbook raises whatever its parser meets
        raise UnreadableExport(
            _unreadable(
                name,
                f"{name} is not a readable .xlsx workbook ({type(error).__name__}: {_said(error)})",
                _RESAVE,
            )
        ) from error
    header = [str(c) for c in frame.columns]
    positions = _check_header(name, header, mapping)
    columns = {
        role: _object_column(frame.iloc[:, positions[role] - 1]) for role in _roles(mapping, only)
    }
    yield columns, 2, positions


# pandas pads every row to the widest: a workbook whose used range ends far right and far
# down (one stray value at XFD1048576 is 17 billion cells) took all memory. Up to 2**26
# cells (a million rows of 64 columns) are read.
_XLSX_MAX_CELLS = 2**26
_RESAVE = "open it in a spreadsheet and save it again, or export CSV"


def _said(error: Exception) -> str:
    """A parser's error as a message quotes it: it may quote a cell of the file whole
    (``could not convert string to float: '...'``), so shortened and escaped."""
    return shown_value(str(error), 200)


def _sheet_in_bounds(handle: Any, name: str, sheet: str | int) -> Any:
    """The workbook as pandas opens it (``pd.ExcelFile``: read-only, values, no links),
    once it is no zip bomb and its sheet's true extent (:func:`check_workbook`) is within
    the bound."""
    from planc.core import workbook  # noqa: PLC0415 - spreadsheets only (expat, zipfile)

    try:
        workbook.check_workbook(handle, _XLSX_MAX_CELLS, sheet)
    except workbook.UnreadableWorkbook as error:
        raise UnreadableExport(
            _unreadable(
                name,
                f"{name} is not a readable .xlsx workbook: {error}",
                None if isinstance(error, workbook.ZipBomb) else _RESAVE,
            )
        ) from error
    except workbook.SheetTooLarge as error:
        raise UnreadableExport(
            _unreadable(
                name,
                f"sheet {shown_value(error.sheet)} of {name} {error.what} ({error.cells:,} cells); "
                f"planc reads up to {error.bound:,}",
                f"{error.cause}: {error.remedy}, or export CSV",
            )
        ) from error
    return pd.ExcelFile(handle, engine="openpyxl")


def _object_column(series: pd.Series) -> _Column:
    codes, uniques = pd.factorize(series.astype(object), use_na_sentinel=True)
    return _Column(np.asarray(codes, dtype=np.int64), list(uniques))


def _parquet_chunks(
    path: Path, name: str, mapping: ActualsMapping, only: Sequence[str] | None = None
) -> Iterator[tuple[dict[str, _Column], int, dict[str, int]]]:
    try:
        import pyarrow.parquet as pq  # noqa: PLC0415 - optional: only Parquet exports need it
    except ImportError as error:
        raise UnreadableExport(
            _unreadable(
                name,
                f"reading Parquet ({name}) needs pyarrow, which is not installed",
                "pip install 'planc[parquet]' (or pyarrow), or export CSV",
            )
        ) from error
    with open_regular(path, name) as handle:
        try:
            parquet = pq.ParquetFile(handle)
            header = list(parquet.schema_arrow.names)
        except Exception as error:  # pyarrow raises several kinds for a bad file
            raise UnreadableExport(
                _unreadable(name, f"{name} is not a readable Parquet file ({error})")
            ) from error
        positions = _check_header(name, header, mapping)
        roles = _roles(mapping, only)
        wanted = sorted(set(roles.values()), key=header.index)
        _refuse_nested(name, header, parquet.schema_arrow.types, wanted)
        as_text = _binary_text(header, parquet.schema_arrow.types, read_as_text(roles))
        first_row = 1  # Parquet has no header row: rows are numbered from 1
        for batch in parquet.iter_batches(batch_size=CHUNK_ROWS, columns=wanted):
            columns = {}
            for role, column in roles.items():
                values = batch.column(wanted.index(column))
                if column in as_text:
                    values = _decoded(name, column, values, first_row)
                encoded = values.dictionary_encode()
                indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
                columns[role] = _Column(
                    np.asarray(indices, dtype=np.int64), encoded.dictionary.to_pylist()
                )
            yield columns, first_row, positions
            first_row += batch.num_rows


def _refuse_nested(name: str, header: list[str], types: list[Any], wanted: list[str]) -> None:
    """A mapped column of lists, records or maps has no value to read (pyarrow cannot
    dictionary-encode it): PLC702 naming it, where it was an internal error."""
    import pyarrow.types as pat  # noqa: PLC0415 - optional, as in _parquet_chunks

    for column, kind in zip(header, types, strict=True):
        if column in wanted and pat.is_nested(kind):
            raise UnreadableExport(
                _unreadable(
                    name,
                    f"column {column} of {name} holds {kind}, not one value per row",
                    "export plain values (text, numbers, dates) in the mapped columns",
                )
            )


#: The roles whose values are read as text: matched with the plan's names, or parsed as dates
#: and amounts. A key or an account is only compared with its kind, so bytes do (a UUID is
#: often stored as 16 of them).
_TEXT_ROLES = ("owner", "date", "amount", "product", "stage", "created")


def read_as_text(roles: Mapping[str, str]) -> set[str]:
    """The mapped columns (of ``_roles``) whose values are read as text."""
    return {column for role, column in roles.items() if role in _TEXT_ROLES}


def _binary_text(header: list[str], types: list[Any], text: set[str]) -> set[str]:
    """The columns of bytes (``binary``, not ``string``) where text is read. Some writers
    (older Hive and Impala among them) store every text column so: their bytes are UTF-8
    text, decoded as such by :func:`_decoded` (DuckDB's engine leaves such a file to this
    reader, so both engines read it alike)."""
    import pyarrow.types as pat  # noqa: PLC0415 - optional, as in _parquet_chunks

    def of_bytes(kind: Any) -> bool:
        if pat.is_dictionary(kind):  # a dictionary of bytes (pyarrow writes and reads one)
            kind = kind.value_type
        return bool(
            pat.is_binary(kind)
            or pat.is_large_binary(kind)
            or pat.is_fixed_size_binary(kind)
            or str(kind) == "binary_view"  # pat.is_binary_view is pyarrow 16's
        )

    return {
        column
        for column, kind in zip(header, types, strict=True)
        if column in text and of_bytes(kind)
    }


def _decoded(name: str, column: str, values: Any, first_row: int) -> Any:
    """A column of bytes as the UTF-8 text it holds, or PLC702 at its first row that is not
    UTF-8 (its bytes would match no name of the plan, and no encoding could be trusted)."""
    import pyarrow as pa  # noqa: PLC0415 - optional, as in _parquet_chunks

    try:
        return values.cast(pa.binary()).cast(pa.string())
    except pa.ArrowInvalid as error:
        bad = next(
            (
                index
                for index, value in enumerate(values.cast(pa.binary()).to_pylist())
                if value is not None and not _is_utf8(value)
            ),
            None,
        )
        where = f", first in row {first_row + bad:,}" if bad is not None else ""
        raise UnreadableExport(
            _unreadable(
                name,
                f"column {shown_value(column)} of {name} holds bytes that are not UTF-8 "
                f"text{where}",
                "export the column as text (a UTF-8 string column)",
            )
        ) from error


def _is_utf8(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# --- values ----------------------------------------------------------------------------------


def _norm(value: object) -> str:
    """How CRM names are compared: spaces collapsed, case folded."""
    return " ".join(_text(value).split()).casefold()


def _missing(value: object) -> bool:
    if value is None:
        return True
    pandas = sys.modules.get("pandas")  # no NaT without pandas: do not import it to ask
    if pandas is not None and value is pandas.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _shown(value: object) -> str:
    return "(empty)" if _missing(value) else _text(value).strip()


def _parse_day(value: object, date_format: str | None) -> date | None:
    """A date, or None when it is not one. Missing values are the caller's business."""
    if isinstance(value, datetime):  # pandas Timestamps too
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if date_format is not None:
            return datetime.strptime(text, date_format).date()
        if len(text) > 10 and text[10] not in "T ":
            return None
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _parse_amount(value: object) -> Decimal | None:
    """An exact amount within planc's bound, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):  # an .xlsx or .parquet integer can be far past the bound
        return Decimal(value) if out_of_bounds(value) is None else None
    if isinstance(value, Decimal):
        return _bounded(value) if value.is_finite() else None
    if isinstance(value, float):
        # A spreadsheet stores binary floats: the shortest decimal that reads back the same.
        return _bounded(Decimal(repr(value))) if math.isfinite(value) else None
    if isinstance(value, str) and _AMOUNT_TEXT.fullmatch(value.strip()):
        try:
            return _bounded(Decimal(value.strip()))
        except InvalidOperation:
            return None
    return None


def _bounded(number: Decimal) -> Decimal | None:
    """The amount when planc can sum it exactly (see planc.core.numbers), else None."""
    return number if out_of_bounds(number) is None else None


def _why_bad_amount(shown: str) -> str:
    """What is wrong with an amount that did not parse: not a number, or beyond the bound."""
    try:
        problem = out_of_bounds(Decimal(shown.strip()))
    except InvalidOperation:
        problem = None
    if problem is None or problem == "not a finite number":
        return "is not a number"
    return f"is {problem} (planc reads amounts {BOUND_TEXT})"


_OK, _MISSING, _BAD, _NEGATIVE, _EXPONENT = range(5)


def _amount_state(value: object) -> tuple[Decimal | None, int]:
    """An amount the slow way, and whether it is one: missing, not a number, below 0, 1e3."""
    if _missing(value):
        return None, _MISSING
    number = _parse_amount(value)
    if number is None:
        return None, _BAD
    if isinstance(value, str) and ("e" in value or "E" in value):
        return None, _EXPONENT  # a spreadsheet's spelling: digits may be gone
    if number < 0:
        return None, _NEGATIVE
    return number, _OK


def _parse_amounts(
    values: Sequence[Any], *, text: bool = False
) -> tuple[npt.NDArray[Any], int, npt.NDArray[np.int8]]:
    """Distinct amounts -> (integers of 10**-scale units, scale, state per value).

    Plain decimal text (at most 15 digits, at most one point) is parsed with
    numpy's string functions, thousands of values at a time and
    exactly: the digits become an integer and the point a power of ten. Anything
    else goes through :func:`_parse_amount` one by one.
    """
    n = len(values)
    state = np.zeros(n, dtype=np.int8)
    digits_of = np.zeros(n, dtype=np.int64)  # the digits as an integer
    decimals = np.zeros(n, dtype=np.int64)
    simple = np.zeros(n, dtype=bool)
    array = np.asarray(values, dtype=object)
    if text:  # all str but the last (None), as a CSV column gives them
        strings = np.ones(n, dtype=bool)
        strings[-1] = False
    else:
        strings = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=n)
    if strings.any():
        # Unsigned, unpadded decimals take this path; a minus sign or a space sends a
        # value to the exact one-by-one path below (rare in exports, so not worth passes).
        body = array[strings].astype(np.str_)
        bare = np.strings.replace(body, ".", "")
        count = np.strings.str_len(bare)
        length = np.strings.str_len(body)
        point = np.strings.find(body, ".")
        places = np.where(point >= 0, length - point - 1, 0)
        plain = (length - count <= 1) & (count >= 1) & (count <= 15) & np.strings.isdecimal(bare)
        plain &= places <= MAX_DECIMALS  # finer amounts go the exact way, to be refused there
        ok = np.flatnonzero(strings)[plain]
        simple[ok] = True
        digits_of[ok] = bare[plain].astype(np.int64)
        decimals[ok] = places[plain]
    others: dict[int, Decimal] = {}
    for index in np.flatnonzero(~simple).tolist():
        number, state[index] = _amount_state(values[index])
        if number is not None:
            others[index] = number
    scale = int(decimals[simple].max(initial=0))
    scale = max([scale, *(-int(d.as_tuple().exponent) for d in others.values())])
    fits = not others and (scale - decimals[simple]).max(initial=0) + 15 <= 18
    if fits:
        scaled = digits_of * (10 ** (scale - decimals)).astype(np.int64)
        scaled[~simple] = 0
        return scaled, scale, state
    exact: list[int] = [0] * n
    for index in np.flatnonzero(simple).tolist():
        exact[index] = int(digits_of[index]) * 10 ** (scale - int(decimals[index]))
    for index, number in others.items():
        exact[index] = int(number.scaleb(scale))
    if max((abs(v) for v in exact), default=0) < _INT64_SAFE:
        return np.array(exact, dtype=np.int64), scale, state
    return np.array(exact, dtype=object), scale, state


def _open_amounts(
    column: _Column, rows: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[Any], npt.NDArray[np.bool_], int]:
    """Open deals' amounts where the export gives a plain one: (amounts, priced, scale).

    An open deal's amount is an estimate; one that is empty or not a number
    leaves the deal unpriced (valued at its product's won deals) instead of
    stopping the run.
    """
    at = np.flatnonzero(rows)
    n = len(rows)
    plain = _plain_rows(column, at, empty=True)
    if plain is not None:  # plain or empty texts: the exact path would give the same
        scaled, scale, is_plain = plain
        amounts = np.zeros(n, dtype=np.int64)
        amounts[at] = scaled
        priced = np.zeros(n, dtype=bool)
        priced[at] = is_plain
        return amounts, priced, scale
    if column.raw is not None:
        codes, values = _factorize_raw(column.raw, at)
    else:
        codes = column.codes[at]
        values = column.values
    if not len(at):
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool), 0
    scaled, scale, state = _parse_amounts([*values, None], text=column.raw is not None)
    amounts = np.zeros(n, dtype=scaled.dtype)
    amounts[at] = scaled[codes]
    priced = np.zeros(n, dtype=bool)
    priced[at] = state[codes] == _OK
    return amounts, priced, scale


# --- aggregating --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Seen:
    """A value that needs a warning or an error: how often, and where first."""

    rows: int = 0
    flagged: int = 0  # rows it kept from being counted, or counted rows it affects
    first: int = 0  # row number
    rows_shown: list[int] = field(default_factory=list)


def _group(
    keys: IntArray, values: npt.NDArray[Any] | None = None, *, size: int | None = None
) -> tuple[IntArray, npt.NDArray[Any], IntArray]:
    """Distinct keys, the exact sum of values and the rows per key, in linear time.

    Keys below a small ``size`` are counted straight into arrays of that size;
    others are hashed first (pandas.factorize). Sums go through numpy's
    bincount in binary floats only when every partial sum is an integer below
    2**53, where floats are exact; otherwise through integer adds.
    """
    if size is not None and size <= max(4 * len(keys), 1 << 16):
        codes: IntArray = keys
        slots = size
    else:
        codes, uniques = _factorize_ints(keys)
        slots = len(uniques)
    counts = np.bincount(codes, minlength=slots)
    if values is None:
        sums: npt.NDArray[Any] = counts
    elif values.dtype != object and len(values) and int(np.abs(values).max()) * len(values) < 2**53:
        floats = np.bincount(codes, weights=values.astype(np.float64), minlength=slots)
        sums = np.rint(floats).astype(np.int64)
    else:
        sums = np.zeros(slots, dtype=values.dtype)
        np.add.at(sums, codes, values)
    if codes is keys:  # dense: keep the keys that occur
        present = np.flatnonzero(counts)
        return present.astype(np.int64), sums[present], counts[present]
    return np.asarray(uniques, dtype=np.int64), sums, counts


class _FirstSeenCounts:
    """Counts per key (``0 <= key < size``) added chunk by chunk, and the keys in the order
    a dict of the adds would hold them: by the first chunk that added to a key, then by
    key. numpy adds, where a dict took a Python step per key and chunk."""

    __slots__ = ("chunks", "counts", "first")

    def __init__(self, size: int) -> None:
        self.counts = np.zeros(size, dtype=np.int64)
        self.first = np.full(size, -1, dtype=np.int64)
        self.chunks = 0

    def add(self, keys: IntArray, counts: IntArray) -> None:
        """One chunk's distinct keys (ascending) and their counts."""
        self.counts[keys] += counts
        new = keys[self.first[keys] < 0]
        self.first[new] = self.chunks
        self.chunks += 1

    def order(self) -> IntArray:
        """The keys added to, by first chunk, then by key."""
        present = np.flatnonzero(self.first >= 0)
        return present[np.lexsort((present, self.first[present]))]


class _WonSums:
    """Won amounts and deals per (rep, month, product) cell, summed as integers.

    Adding ``Decimal(total).scaleb(-scale)`` per cell and chunk cost a Python step per
    cell (0.12 s at 5M rows). Here each chunk's integer sums add into one int64 array
    per scale, and each cell keeps the first chunk that added to it. :meth:`cells` gives
    the exact sums the ``Decimal`` adds would have, in their order: amounts are never negative where sums are made (a negative one is an
    error), so no partial sum exceeds the total, and below ``10**28`` units
    (``Decimal``'s 28 digits) no add rounds. ``add`` refuses a chunk that could take a
    cell past int64 (2**62 units, far below 10**28): the caller turns the cells into
    ``Decimal`` and adds on as before.
    """

    MAX_CELLS = 1 << 21  # dense arrays of this many cells; a larger plan adds as Decimal

    __slots__ = ("deals", "size", "units")

    def __init__(self, size: int) -> None:
        self.size = size
        self.units: dict[int, IntArray] = {}
        self.deals = _FirstSeenCounts(size)

    def add(self, keys: IntArray, sums: IntArray, deals: IntArray, scale: int) -> bool:
        """One chunk's distinct cells (ascending), their sums in ``10**-scale`` units and
        deals; False (nothing added) when a sum could leave int64 or is negative."""
        units = self.units.get(scale)
        if units is None:
            units = np.zeros(self.size, dtype=np.int64)
        biggest = int(sums.max(initial=0)) + int(units[keys].max(initial=0))
        if biggest >= _INT64_SAFE or int(sums.min(initial=0)) < 0:
            return False
        self.units[scale] = units
        units[keys] += sums
        self.deals.add(keys, deals)
        return True

    def cells(
        self, width: int, slots: int, top: int
    ) -> Iterator[tuple[tuple[int, int, int], Decimal, int]]:
        """((rep, slot, product slot), amount, deals) per cell with deals, in the order the
        ``Decimal`` adds would have made them: by first chunk, then by cell; each amount
        with ``top`` decimal places (at least the largest scale added)."""
        order = self.deals.order()
        # every cell's total in units of 10**-top as Python integers (exact)
        totals = np.zeros(len(order), dtype=object)
        for scale, units in self.units.items():
            totals = totals + units[order].astype(object) * 10 ** (top - scale)
        for key, total, deals in zip(
            order.tolist(), totals.tolist(), self.deals.counts[order].tolist(), strict=True
        ):
            rest, product_slot = divmod(key, width)
            rep_index, slot_index = divmod(rest, slots)
            yield (rep_index, slot_index, product_slot), Decimal(int(total)).scaleb(-top), deals


class _Aggregator:
    """Accumulates chunks into the pieces of an :class:`Actuals`, in exact arithmetic."""

    def __init__(
        self, plan: Plan, mapping: ActualsMapping, as_of: date, name: str, *, baselines: bool
    ) -> None:
        self.plan = plan
        self.mapping = mapping
        self.as_of = as_of
        self.name = name
        self.per = t.periods(plan.quarter)
        self.slots = sorted(
            self.per.all if baselines else {*self.per.current, *self.per.last_quarter}
        )
        self.slot_of = {m: i for i, m in enumerate(self.slots)}
        self.reps = [n.id for n in plan.walk() if n.level is Level.REP]
        self.products = list(plan.products)
        self.key_products = np.array(
            [plan.products[p].key for p in self.products] + [False], dtype=bool
        )
        self.quarter_start = plan.quarter.start.toordinal()
        self.quarter_end = plan.quarter.end.toordinal()
        self.as_of_day = as_of.toordinal()
        self.roles = frozenset(mapping.columns)
        self.need_accounts = "account" in self.roles
        self.account_measures = any(
            m in ("accounts", "new_accounts") for m in mapping.measures.values()
        )
        # Accounts by month: this quarter and last for attribution; last year too when a
        # metric counts accounts (for its baseline). The last entry is slot -1: none.
        kept = {*self.per.current, *self.per.last_quarter}
        if any(m == "accounts" for m in mapping.measures.values()):
            kept |= set(self.per.last_year)
        self.account_slot = np.array([m in kept for m in self.slots] + [False], dtype=bool)
        self._matchers(plan, mapping)
        self.account_id: dict[str, int] = {}  # by the trimmed name
        self.account_written: dict[str, int] = {}  # by the text as an export wrote it
        # pyarrow's account texts (_ArrowNames) seen so far, and the id of each (-1: blank)
        self.account_texts = _KnownTexts()
        self.account_text_ids = np.zeros(0, dtype=np.int64)
        self.account_names: list[str] = []
        self._reset_results()
        self.pipe = (
            PipelineAggregator(self.as_of_day, self.reps, self.products, mapping.open)
            if "created" in mapping.columns
            else None
        )

    def _matchers(self, plan: Plan, mapping: ActualsMapping) -> None:
        """CRM values (normalized) -> rep index, product index, stage class."""
        rep_index = {rep: i for i, rep in enumerate(self.reps)}
        # A name two people share maps to neither: the alias list must say who.
        candidates: dict[str, set[str]] = {}
        for person in plan.people.values():
            for key in (person.id, person.email, person.name):
                if key:
                    candidates.setdefault(_norm(key), set()).add(person.id)
        self.ambiguous = {key: sorted(ids) for key, ids in candidates.items() if len(ids) > 1}
        self.person_of: dict[str, str] = {
            key: next(iter(ids)) for key, ids in candidates.items() if len(ids) == 1
        }
        for alias, person_id in mapping.owners.items():
            self.person_of[_norm(alias)] = person_id
            self.ambiguous.pop(_norm(alias), None)
        self.owner_index = {
            key: rep_index.get(person_id, NO_SEAT) for key, person_id in self.person_of.items()
        }
        product_index = {p: i for i, p in enumerate(self.products)}
        self.product_of: dict[str, int] = {}
        for product in plan.products.values():
            for key in (product.id, product.name):
                self.product_of.setdefault(_norm(key), product_index[product.id])
        for alias, product_id in mapping.products.items():
            if product_id in product_index:
                self.product_of[_norm(alias)] = product_index[product_id]
        self.stage_of: dict[str, int] = {}
        for cls, names in ((WON, mapping.won), (OPEN, mapping.open), (LOST, mapping.lost)):
            for stage in names:
                self.stage_of.setdefault(_norm(stage), cls)
        self.open_stage_of = {_norm(stage): i + 1 for i, stage in enumerate(mapping.open)}
        # What each distinct text (or date) of a column gave, across chunks: a chunk of the
        # export has most of them again, and a lookup costs less than a _norm or a parse
        # (at 1M rows in 32 chunks ~0.5 s CPU under a profiler, the chunks' fixed cost).
        self.rep_of_text: dict[str, int] = {}
        self.day_of: dict[object, tuple[int, int, int]] = {}
        self.created_of: dict[object, int] = {}

    def _reset_results(self) -> None:
        self.rows = 0
        self.reasons = np.zeros(len(_REASONS), dtype=np.int64)
        self.won: dict[
            tuple[int, int, int], list[Any]
        ] = {}  # (rep, slot, product+1) -> [amount, deals]
        self.lost: dict[tuple[int, int], int] = {}
        self.lost_counts = _FirstSeenCounts(len(self.reps) * len(self.slots))
        self.won_sums: _WonSums | None = None  # won amounts as integers (see _WonSums)
        self.won_in_decimals = False  # once a chunk's sums went to self.won, all do
        self.account_parts: list[tuple[IntArray, npt.NDArray[Any], int]] = []
        self.first_day = np.zeros(0, dtype=np.int64)
        self.first_rep = np.zeros(0, dtype=np.int64)
        self.covered: set[int] = set()
        # the most decimal places of a won amount in the months kept, in any chunk: every
        # won sum is shown with as many, so no chunk boundary changes how a sum prints
        self.won_scale = 0
        self.failed = False
        # what to tell the user
        self.owners_seen: dict[str, _Seen] = {}
        self.no_seat_seen: dict[str, _Seen] = {}
        self.products_seen: dict[str, _Seen] = {}
        self.stages_seen: dict[str, _Seen] = {}
        self.bad_dates: dict[str, _Seen] = {}
        self.bad_amounts: dict[str, _Seen] = {}
        self.no_date = _Seen()
        self.no_amount = _Seen()
        self.no_account = _Seen()
        self.lost_no_date = _Seen()
        self.no_created = _Seen()
        self.bad_created: dict[str, _Seen] = {}
        self.negative_amounts: dict[str, _Seen] = {}
        self.exponent_amounts: dict[str, _Seen] = {}
        self.positions: dict[str, int] = {}
        # per row of the export: a later row has its key (duplicates: last)
        self.superseded: npt.NDArray[np.bool_] | None = None
        self.repeated: Diagnostic | None = None

    # -- one chunk --

    def add(self, columns: dict[str, _Column], first_row: int, positions: dict[str, int]) -> None:
        """Aggregate one chunk. Per-row work is numpy lookups; per-value work is Python."""
        self.positions = positions
        owner = columns["owner"]
        n = len(owner.codes)
        offset = self.rows
        self.rows += n
        if n == 0:
            return
        stage = self._stage(columns.get("stage"), n, first_row)
        when, slot, day = self._dates(columns["date"], first_row)
        rep = self._owner_lut(owner.values)[owner.codes]
        owner_class = -np.minimum(rep, 0)  # 0 a rep, 1 unmapped, 2 no seat
        reason, stage = self._reasons(stage, when, day, owner_class, offset, first_row)
        self.reasons += np.bincount(reason, minlength=len(_REASONS))
        counted = reason == COUNTED
        won = stage == WON
        if (owner_class > 0).any():
            self._owner_warnings(owner, rep, reason, first_row)
        no_date = won & (when == W_NONE)
        if no_date.any():
            self._missing_dates(no_date & (day == EMPTY), first_row)
        in_slot = slot >= 0
        needed = won & in_slot
        amount, scale = self._amounts(columns["amount"], needed, first_row)
        product: IntArray | None = None
        if "product" in columns:
            product = self._product_lut(columns["product"].values)[columns["product"].codes]
            if (product < 0).any():
                self._value_warnings(
                    columns["product"], product < 0, counted, self.products_seen, first_row
                )
        # an account counts only for a won deal closed by as-of (its amount, first deal)
        dated = won & by_day(day, self.as_of_day)
        account = self._accounts(columns.get("account"), dated)
        if self.account_measures and account is not None:
            self._note_rows(self.no_account, counted & (account < 0), first_row)
        if self.failed:
            # errors end the run: keep looking for more of them, skip the sums; the pipeline's
            # warnings are still noted, or which of them a failed run shows would depend on
            # where its chunks break (pyarrow's and pandas' differ)
            if self.pipe is not None:
                self._created_checked(columns, stage == OPEN, first_row)
            return
        mapped = rep >= 0
        chosen = np.flatnonzero(needed & mapped)
        self._sum_won(chosen, rep, slot, product, amount, scale)
        self._count_lost(np.flatnonzero((stage == LOST) & in_slot & mapped), rep, slot)
        if account is not None:
            self._account_amounts(chosen, rep, slot, account, amount, scale)
            firsts = dated & (account >= 0)
            self._first_deals(firsts, day, account, rep)
        if self.pipe is not None:
            self._pipeline(columns, stage, day, rep, product, first_row)
            self.pipe.add_won_value(self._won_value(product, chosen, amount, scale))

    def _pipeline(
        self,
        columns: dict[str, _Column],
        stage: IntArray,
        day: IntArray,
        rep: IntArray,
        product: IntArray | None,
        first_row: int,
    ) -> None:
        """The chunk's part of the pipeline: open deals, sales cycles, creations."""
        assert self.pipe is not None
        is_open = stage == OPEN
        created = self._created_checked(columns, is_open, first_row)
        stage_column = columns.get("stage")
        if stage_column is not None:
            lut = [self.open_stage_of.get(_norm(v), 0) for v in stage_column.values]
            stage_index = np.array([*lut, 0], dtype=np.int64)[stage_column.codes]
        else:
            stage_index = np.zeros(len(stage), dtype=np.int64)
        priced_rows = is_open & (created >= 0) & (created <= self.as_of_day)
        amount, priced, scale = _open_amounts(columns["amount"], priced_rows)
        self.pipe.add(
            Chunk(
                won=stage == WON,
                lost=stage == LOST,
                open=is_open,
                close_day=day,
                created_day=created,
                rep=rep,
                product=product,
                stage=stage_index,
                amount=amount,
                priced=priced,
                scale=scale,
            )
        )

    def _created_checked(
        self, columns: dict[str, _Column], is_open: npt.NDArray[np.bool_], first_row: int
    ) -> IntArray:
        """The chunk's creation days (EMPTY: none), its bad and missing ones noted."""
        created = self._created_days(columns["created"], first_row)
        self._note_rows(self.no_created, is_open & (created == EMPTY), first_row)
        return created

    def _won_value(
        self,
        product: IntArray | None,
        rows: npt.NDArray[np.intp],
        amount: npt.NDArray[Any],
        scale: int,
    ) -> dict[int, agg.Sums]:
        """Won deals per product slot (0: none): count, exact sum and sum of squares."""
        if not len(rows):
            return {}
        slots = product[rows] + 1 if product is not None else np.zeros(len(rows), dtype=np.int64)
        values = amount[rows]
        biggest = int(np.abs(values).max(initial=0)) if values.dtype != object else _INT64_SAFE
        if biggest * biggest * len(values) >= _INT64_SAFE:
            values = values.astype(object)  # squares beyond int64: Python integers
        size = len(self.products) + 1
        keys, sums, counts = _group(slots.astype(np.int64), values, size=size)
        _, squares, _ = _group(slots.astype(np.int64), values * values, size=size)
        return {
            int(k): agg.Sums(
                int(n),
                int(n),
                Decimal(int(total)).scaleb(-scale),
                Decimal(int(square)).scaleb(-2 * scale),
            )
            for k, total, n, square in zip(
                keys.tolist(), sums.tolist(), counts.tolist(), squares.tolist(), strict=True
            )
        }

    def _created_days(self, column: _Column, first_row: int) -> IntArray:
        """Per row, the created date's ordinal (EMPTY, or BAD: an error naming the rows)."""
        fmt = self.mapping.date_format
        known = self.created_of
        days: list[int] = []
        for code, value in enumerate(column.values):
            if type(value) in _DAY_TYPES and value in known:
                days.append(known[value])
                continue
            if _missing(value):
                days.append(EMPTY)
                continue
            parsed = _parse_day(value, fmt)
            days.append(BAD if parsed is None else parsed.toordinal())
            if parsed is not None and type(value) in _DAY_TYPES:
                known[value] = days[-1]
            if parsed is None:
                rows = np.flatnonzero(column.codes == code)
                if len(rows):
                    self.failed = True
                    seen = self.bad_created.setdefault(_shown(value), _Seen())
                    self._note(seen, rows, first_row)
        return np.array([*days, EMPTY], dtype=np.int64)[column.codes]

    def _reasons(
        self,
        stage: IntArray,
        when: npt.NDArray[np.int8],
        day: IntArray,
        owner_class: IntArray,
        offset: int,
        first_row: int,
    ) -> tuple[npt.NDArray[np.int8], IntArray]:
        """Ledger: each row once, for the first reason that applies; superseded rows in no figure."""
        reason = _LEDGER[(stage * 5 + when) * 3 + owner_class]
        lost_no_date = (stage == LOST) & (day == EMPTY)
        if lost_no_date.any():
            reason[lost_no_date] = R_LOST_NO_DATE
            self._note_rows(self.lost_no_date, lost_no_date, first_row)
        if self.superseded is not None:
            dropped = self.superseded[offset : offset + len(stage)]
            reason[dropped] = R_SUPERSEDED
            stage = np.where(dropped, OTHER, stage).astype(stage.dtype)
        return reason, stage

    def _lookup(self, column: _Column, lut: IntArray) -> IntArray:
        # codes of -1 (missing) index the lookup's last entry, the value for "missing"
        return lut[column.codes]

    def _stage(self, column: _Column | None, n: int, first_row: int) -> IntArray:
        if column is None:
            return np.zeros(n, dtype=np.int8)  # no stage column: every row counts
        classes = [
            OTHER if _missing(v) else self.stage_of.get(_norm(v), OTHER) for v in column.values
        ]
        lut = np.array([*classes, OTHER], dtype=np.int8)
        stage = lut[column.codes]
        if OTHER in classes or (column.codes < 0).any():
            self._value_warnings(column, stage == OTHER, None, self.stages_seen, first_row)
        return stage

    def _dates(
        self, column: _Column, first_row: int
    ) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int16], IntArray]:
        """Per row: where the date falls (W_*), its month slot (-1: none) and its day.

        The day is an ordinal, EMPTY or BAD. Each distinct date is parsed once.
        """
        whens: list[int] = []
        slots: list[int] = []
        days: list[int] = []
        bad: list[int] = []
        fmt = self.mapping.date_format
        known = self.day_of
        for code, value in enumerate(column.values):
            facts = known.get(value) if type(value) in _DAY_TYPES else None
            if facts is None:
                parsed = None if _missing(value) else _parse_day(value, fmt)
                if parsed is None:
                    whens.append(W_NONE)
                    slots.append(-1)
                    days.append(EMPTY if _missing(value) else BAD)
                    if not _missing(value):
                        bad.append(code)
                    continue
                facts = self._day_facts(parsed)
                if type(value) in _DAY_TYPES:
                    known[value] = facts
            whens.append(facts[0])
            slots.append(facts[1])
            days.append(facts[2])
        whens.append(W_NONE)
        slots.append(-1)
        days.append(EMPTY)
        codes = column.codes
        when = np.array(whens, dtype=np.int8)[codes]
        slot = np.array(slots, dtype=np.int16)[codes]
        day = np.array(days, dtype=np.int64)[codes]
        for code in bad:
            rows = np.flatnonzero(codes == code)
            if len(rows):
                self.failed = True
                seen = self.bad_dates.setdefault(_shown(column.values[code]), _Seen())
                self._note(seen, rows, first_row)
        return when, slot, day

    def _day_facts(self, parsed: date) -> tuple[int, int, int]:
        """Where a date falls (W_*), its month slot (-1: none) and its ordinal."""
        ordinal = parsed.toordinal()
        if ordinal < self.quarter_start:
            when = W_BEFORE
        elif ordinal > self.quarter_end:
            when = W_AFTER_QUARTER
        else:
            when = W_IN if ordinal <= min(self.quarter_end, self.as_of_day) else W_AFTER_AS_OF
        key = agg.month_key(parsed.year, parsed.month)
        self.covered.add(key)
        return when, self.slot_of.get(key, -1) if ordinal <= self.as_of_day else -1, ordinal

    def _owner_lut(self, values: list[Any]) -> IntArray:
        known = self.rep_of_text
        found = [known[v] if type(v) is str and v in known else self._rep_of(v) for v in values]
        return np.array([*found, UNMAPPED], dtype=np.int32)

    def _rep_of(self, value: object) -> int:
        found = UNMAPPED if _missing(value) else self.owner_index.get(_norm(value), UNMAPPED)
        if type(value) is str:
            self.rep_of_text[value] = found
        return found

    def _product_lut(self, values: list[Any]) -> IntArray:
        found = [-1 if _missing(v) else self.product_of.get(_norm(v), -1) for v in values]
        return np.array([*found, -1], dtype=np.int32)

    def _owner_warnings(
        self, column: _Column, rep: IntArray, reason: npt.NDArray[np.int8], first_row: int
    ) -> None:
        excluded = (reason == R_UNMAPPED) | (reason == R_NO_SEAT)
        self._value_warnings(column, rep == UNMAPPED, excluded, self.owners_seen, first_row)
        self._value_warnings(column, rep == NO_SEAT, excluded, self.no_seat_seen, first_row)

    def _value_warnings(
        self,
        column: _Column,
        rows: npt.NDArray[np.bool_],
        flagged: npt.NDArray[np.bool_] | None,
        seen: dict[str, _Seen],
        first_row: int,
    ) -> None:
        """Count, per distinct value, the rows in ``rows`` (and of those, the ``flagged``)."""
        if not rows.any():
            return
        size = len(column.values) + 1
        codes = column.codes[rows]
        totals = np.bincount(codes + 1, minlength=size)
        marks = (
            np.bincount(column.codes[rows & flagged] + 1, minlength=size)
            if flagged is not None
            else np.zeros(size, dtype=np.int64)
        )
        # Several codes can be shown as one value ('' and a missing cell are both "(empty)",
        # " Bob" is "Bob"); codes are not in row order (missing is always first), so a value
        # first seen in this chunk takes the earliest row of all its codes.
        new_here: set[str] = set()
        for slot_code in np.flatnonzero(totals):
            code = int(slot_code) - 1
            shown = _shown(None if code < 0 else column.values[code])
            entry = seen.get(shown)
            if entry is None or shown in new_here:
                first = first_row + int(np.flatnonzero(rows & (column.codes == code))[0])
                if entry is None:
                    entry = seen[shown] = _Seen()
                    entry.first = first
                    new_here.add(shown)
                entry.first = min(entry.first, first)
            entry.rows += int(totals[slot_code])
            entry.flagged += int(marks[slot_code])

    def _note(self, seen: _Seen, rows: npt.NDArray[np.intp], first_row: int) -> None:
        if not seen.rows:
            seen.first = first_row + int(rows[0])
        seen.rows += len(rows)
        room = ROWS_SHOWN - len(seen.rows_shown)
        seen.rows_shown += [first_row + int(r) for r in rows[:room]]

    def _note_rows(self, seen: _Seen, mask: npt.NDArray[np.bool_], first_row: int) -> None:
        rows = np.flatnonzero(mask)
        if len(rows):
            self._note(seen, rows, first_row)

    def _missing_dates(self, mask: npt.NDArray[np.bool_], first_row: int) -> None:
        if mask.any():
            self.failed = True
            self._note_rows(self.no_date, mask, first_row)

    def _amounts(
        self, column: _Column, needed: npt.NDArray[np.bool_], first_row: int
    ) -> tuple[npt.NDArray[Any], int]:
        """Per row, the amount as an integer of 10**-scale units (0 where not needed)."""
        rows = np.flatnonzero(needed)
        plain = _plain_rows(column, rows, empty=False)
        if plain is not None:  # every one plain text: the exact path would give the same
            scaled, scale, _ = plain
            amounts = np.zeros(len(needed), dtype=np.int64)
            amounts[rows] = scaled
            return self._summable(amounts, scaled, rows), scale
        values: list[Any]
        if column.raw is not None:
            codes, values = _factorize_raw(column.raw, rows)
        else:
            codes = column.codes[rows]
            values = column.values
        # the last value stands for a missing one (code -1)
        scaled, scale, state = _parse_amounts([*values, None], text=column.raw is not None)
        row_state = state[codes]
        if (row_state != _OK).any():
            self.failed = True
            for code in np.flatnonzero(state != _OK).tolist():
                at = rows[codes == (code if code < len(values) else -1)]
                if not len(at):
                    continue
                found = {
                    _BAD: self.bad_amounts,
                    _NEGATIVE: self.negative_amounts,
                    _EXPONENT: self.exponent_amounts,
                }
                if state[code] == _MISSING:
                    self._note(self.no_amount, at, first_row)
                else:
                    seen = found[int(state[code])].setdefault(_shown(values[code]), _Seen())
                    self._note(seen, at, first_row)
        amounts = np.zeros(len(needed), dtype=scaled.dtype)
        amounts[rows] = scaled[codes]
        return self._summable(amounts, scaled, rows), scale

    @staticmethod
    def _summable(
        amounts: npt.NDArray[Any], scaled: npt.NDArray[Any], rows: npt.NDArray[np.intp]
    ) -> npt.NDArray[Any]:
        """The amounts as Python integers when their sums could overflow int64."""
        if scaled.dtype != object:
            biggest = int(np.abs(scaled).max(initial=0))
            if biggest * max(len(rows), 1) >= _INT64_SAFE:
                return amounts.astype(object)
        return amounts

    def _accounts(
        self, column: _Column | None, wanted: npt.NDArray[np.bool_] | None = None
    ) -> IntArray | None:
        """Per row, a stable id for the account (-1: none), the same across chunks; with
        ``wanted``, for those rows only (-1 elsewhere), an account numbered when one of
        them first names it (as :meth:`_arrow_accounts` numbers pyarrow's texts)."""
        if column is None:
            return None
        if isinstance(column.raw, _ArrowNames):
            return self._arrow_accounts(column.raw.text, wanted)
        values, codes = column.values, column.codes
        named: Sequence[int] = range(len(values))
        if wanted is not None:
            chosen = codes[wanted]
            named = _first_seen(chosen[chosen >= 0], len(values))[1].tolist()
        # a CSV's texts as written (each chunk has most of them again): their ids at once
        written = self.account_written
        ids = np.fromiter(
            (written.get(v, -1) if type(v) is str else -1 for v in values),
            dtype=np.int64,
            count=len(values),
        )
        for index in named:
            if ids[index] >= 0:
                continue
            value = values[index]
            if type(value) is str:  # a CSV's: compare as written, but trimmed
                name = value.strip()
            else:
                name = "" if _missing(value) else _text(value).strip()
            if not name:
                continue
            found = ids[index] = self._account_number(name)
            if type(value) is str:
                written[value] = found
        found_ids = np.append(ids, -1)[codes]
        if wanted is not None:
            found_ids[~wanted] = -1
        return found_ids

    def _account_number(self, name: str) -> int:
        """The id of an account (trimmed, not empty): the next one when it is new."""
        found = self.account_id.get(name)
        if found is None:
            found = self.account_id[name] = len(self.account_names)
            self.account_names.append(name)
        return found

    def _arrow_accounts(self, text: Any, wanted: npt.NDArray[np.bool_] | None) -> IntArray:
        """:meth:`_accounts` of pyarrow's texts (:class:`_KnownTexts`): only the texts new to
        this chunk come to Python, in order of first appearance, so ids are given in the
        same order as :meth:`_accounts` gives them. At 5M rows this replaces encoding each
        chunk, renumbering it and mapping its 20,000 distinct texts in Python.

        Only the ``wanted`` rows are looked up (a hash per row, the largest of a chunk's
        lookups): the others' accounts are never read, and an account first written on
        one of them is numbered when a wanted row names it."""
        if wanted is None or wanted.all():
            return self._arrow_account_ids(text)
        rows = np.flatnonzero(wanted)
        ids = self._arrow_account_ids(_compute("take", text, _arrow_int64s(rows)))
        every = np.full(len(wanted), -1, dtype=np.int64)
        every[rows] = ids
        return every

    def _arrow_account_ids(self, text: Any) -> IntArray:
        """Per text, its account's id (-1: blank), the texts new to the export named."""
        index, new = self.account_texts.lookup(text)
        if new:
            ids = np.full(len(new), -1, dtype=np.int64)
            for at, value in enumerate(new):
                name = value.strip()  # compared as written, but trimmed
                if name:
                    ids[at] = self._account_number(name)
            self.account_text_ids = np.concatenate([self.account_text_ids, ids])
        return self.account_text_ids[index]

    def _sum_won(
        self,
        rows: npt.NDArray[np.intp],
        rep: IntArray,
        slot: npt.NDArray[np.int16],
        product: IntArray | None,
        amount: npt.NDArray[Any],
        scale: int,
    ) -> None:
        """Add the won amounts of ``rows`` (integers of 10**-scale units: ``scale`` is the
        chunk's, of all its won rows of the months kept, counted or not)."""
        self.won_scale = max(self.won_scale, scale)
        if not len(rows):
            return
        width = len(self.products) + 1
        key = rep[rows].astype(np.int64) * len(self.slots) + slot[rows]
        key = key * width + (product[rows] + 1 if product is not None else 0)
        size = len(self.reps) * len(self.slots) * width
        keys, sums, deals = _group(key, amount[rows], size=size)
        if not self.won_in_decimals and size <= _WonSums.MAX_CELLS and sums.dtype != object:
            if self.won_sums is None:
                self.won_sums = _WonSums(size)
            if self.won_sums.add(keys, sums, deals, scale):
                return
        # beyond int64 (or a plan too large for dense cells): Decimal cells from here on
        self._won_decimals()
        self.won_in_decimals = True
        self._add_won(keys, sums, deals, scale)

    def _add_won(self, keys: IntArray, sums: npt.NDArray[Any], deals: IntArray, scale: int) -> None:
        """Add one chunk's won cells to ``self.won`` as ``Decimal``."""
        width = len(self.products) + 1
        for k, total, count in zip(keys.tolist(), sums.tolist(), deals.tolist(), strict=True):
            rest, product_slot = divmod(k, width)
            rep_index, slot_index = divmod(rest, len(self.slots))
            cell = self.won.setdefault((rep_index, slot_index, product_slot), [Decimal(0), 0])
            cell[0] += Decimal(total).scaleb(-scale)
            cell[1] += count

    def _won_decimals(self) -> None:
        """Move the integer won sums into ``self.won``: the same cells, in the same order,
        with the same ``Decimal`` values as :meth:`_add_won` makes, each with the file's
        most places (``won_scale``; :meth:`_all_won` pads the ``Decimal`` cells)."""
        if self.won_sums is None:
            return
        width, slots = len(self.products) + 1, len(self.slots)
        for cell, total, deals in self.won_sums.cells(width, slots, self.won_scale):
            self.won[cell] = [total, deals]
        self.won_sums = None

    def _all_won(self) -> None:
        """Every won sum in ``self.won``, each with ``won_scale`` places whichever chunks
        added to it: a chunk boundary must not show in how a sum prints."""
        if self.won_in_decimals:
            for cell in self.won.values():
                cell[0] = _with_places(cell[0], self.won_scale)
        self._won_decimals()

    def _all_lost(self) -> None:
        """The lost deals counted with numpy into ``self.lost`` (which DuckDB's reader fills)."""
        lost = self.lost_counts
        order = lost.order()
        for key, count in zip(order.tolist(), lost.counts[order].tolist(), strict=True):
            pair = divmod(key, len(self.slots))
            self.lost[pair] = self.lost.get(pair, 0) + count

    def _count_lost(
        self, rows: npt.NDArray[np.intp], rep: IntArray, slot: npt.NDArray[np.int16]
    ) -> None:
        if not len(rows):
            return
        key = rep[rows].astype(np.int64) * len(self.slots) + slot[rows]
        keys, _, counts = _group(key, size=len(self.reps) * len(self.slots))
        self.lost_counts.add(keys, counts)

    def _account_amounts(
        self,
        rows: npt.NDArray[np.intp],
        rep: IntArray,
        slot: npt.NDArray[np.int16],
        account: IntArray,
        amount: npt.NDArray[Any],
        scale: int,
    ) -> None:
        """Keep (rep, month, account) and amount of counted rows; summed once, at the end."""
        rows = rows[(account[rows] >= 0) & self.account_slot[slot[rows]]]
        if not len(rows):
            return
        group = rep[rows].astype(np.int64) * len(self.slots) + slot[rows]
        self.account_parts.append(((group << 32) | account[rows], amount[rows], scale))

    def _first_deals(
        self, mask: npt.NDArray[np.bool_], day: IntArray, account: IntArray, rep: IntArray
    ) -> None:
        """Remember each account's first counted row (earliest day; the earlier row on a tie)."""
        size = len(self.account_names)
        if len(self.first_day) < size:
            grow = size - len(self.first_day)
            self.first_day = np.concatenate([self.first_day, np.full(grow, np.iinfo(np.int64).max)])
            self.first_rep = np.concatenate([self.first_rep, np.full(grow, UNMAPPED)])
        if not mask.any():
            return
        rows = np.flatnonzero(mask)
        # Each account's earliest day and, of its rows that day, the first: the least of
        # (day << bits | row), days being ordinals (below 2**22, date.max's) and rows
        # below 2**bits. One minimum per account (account ids are dense), where a second
        # one over the rows of each earliest day followed the first.
        bits = len(account).bit_length()
        best = np.full(size, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(best, account[rows], (day[rows] << bits) | rows)
        present = np.flatnonzero(best < np.iinfo(np.int64).max)
        earliest = best[present] >> bits
        newer = earliest < self.first_day[present]
        chosen = present[newer]
        self.first_day[chosen] = earliest[newer]
        self.first_rep[chosen] = rep[best[chosen] & ((1 << bits) - 1)]

    # -- the result --

    def result(self) -> LoadedActuals:
        found = self._diagnostics()
        if self.failed:
            return LoadedActuals(None, found)
        reps, slots = self.reps, self.slots
        products = self.products
        amounts: dict[tuple[str, int], list[Any]] = {}
        by_product: dict[tuple[str, int, str], Decimal] = {}
        self._all_won()
        for (rep_index, slot_index, product_slot), (total, deals) in self.won.items():
            key = (reps[rep_index], slots[slot_index])
            cell = amounts.setdefault(key, [Decimal(0), Decimal(0), 0, 0, 0])
            cell[0] += total
            cell[2] += deals
            if product_slot > 0:
                if self.key_products[product_slot - 1]:
                    cell[1] += total
                pkey = (*key, products[product_slot - 1])
                by_product[pkey] = by_product.get(pkey, Decimal(0)) + total
        self._all_lost()
        for (rep_index, slot_index), count in self.lost.items():
            cell = amounts.setdefault(
                (reps[rep_index], slots[slot_index]), [Decimal(0), Decimal(0), 0, 0, 0]
            )
            cell[3] += count
        if self.need_accounts and len(self.first_day):
            for (rep_index, slot_index), count in self._new_accounts():
                key = (reps[rep_index], slots[slot_index])
                cell = amounts.setdefault(key, [Decimal(0), Decimal(0), 0, 0, 0])
                cell[4] += count
        months = {
            key: agg.RepMonth(amount=a, key_amount=k, deals=d, lost=lost_, new_accounts=new)
            for key, (a, k, d, lost_, new) in amounts.items()
        }
        accounts, scale = self._account_maps()
        ledger = agg.Ledger(
            rows=self.rows,
            counted=int(self.reasons[COUNTED]),
            excluded=tuple(
                (self._reason_label(i), int(self.reasons[i]))
                for i in range(1, len(_REASONS))
                if self.reasons[i]
            ),
        )
        actuals = agg.Actuals(
            source=self.name,
            as_of=self.as_of,
            ledger=ledger,
            months=months,
            products=by_product,
            accounts=accounts,
            account_names=tuple(self.account_names),
            scale=scale,
            covered=frozenset(self.covered),
            roles=self.roles,
            kept=frozenset(self.slots),
            pipeline=None if self.pipe is None else self.pipe.result(),
        )
        return LoadedActuals(actuals, found)

    def _new_accounts(self) -> list[tuple[tuple[int, int], int]]:
        """((rep index, slot index), accounts whose first won deal is that rep's in that
        kept month), in the order of their first account: numpy over the accounts (20k at
        1M rows), a Python step per (rep, month) only."""
        accounts = np.flatnonzero(self.first_rep >= 0)
        if not len(accounts):
            return []
        days = self.first_day[accounts] - _EPOCH_ORDINAL
        months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        distinct, which = np.unique(months + agg.month_key(1970, 1), return_inverse=True)
        slot_of = [self.slot_of.get(int(m), -1) for m in distinct.tolist()]
        slot = np.array(slot_of, dtype=np.int64)[which.reshape(-1)]
        kept = slot >= 0
        rep, slot = self.first_rep[accounts][kept].astype(np.int64), slot[kept]
        if not len(rep):
            return []
        pair = rep * len(self.slots) + slot
        found, first, counts = np.unique(pair, return_index=True, return_counts=True)
        order = np.argsort(first, kind="stable")
        width = len(self.slots)
        return [
            ((int(p) // width, int(p) % width), int(n))
            for p, n in zip(found[order].tolist(), counts[order].tolist(), strict=True)
        ]

    def _reason_label(self, index: int) -> str:
        if index == R_AFTER_AS_OF:
            return f"after {self.as_of}"
        return _REASONS[index]

    def _account_maps(self) -> tuple[Mapping[tuple[str, int], Mapping[int, int]], int]:
        """The won rows' sums by (rep, month) and account, in units of 10**-scale, and the
        scale (the largest of the parts'), the sums made when one is first looked up.

        A report looks them up only to explain a warned amount or deals target, or for a
        metric counting accounts; often none is, and concatenating and sorting the parts
        was wasted (5M CSV rows: ~723k sums, 0.06-0.09 s CPU). The parts are in memory and
        no longer change: the same sums, made once."""
        if not self.account_parts:
            return {}, 0
        return agg.OnFirstUse(self._account_sums), max(part[2] for part in self.account_parts)

    def _account_sums(self) -> Mapping[tuple[str, int], Mapping[int, int]]:
        """:meth:`_account_maps`' sums, made now."""
        if not self.account_parts:
            return {}
        scale = max(part[2] for part in self.account_parts)
        keys = np.concatenate([part[0] for part in self.account_parts])
        if not len(keys):  # parts, all empty: no row's owner maps (DuckDB's sets), as none
            return {}
        pieces = []
        for _, sums, part_scale in self.account_parts:
            factor = 10 ** (scale - part_scale)
            if factor == 1:
                pieces.append(sums)
            elif sums.dtype == object or np.abs(sums).max(initial=0) * factor >= _INT64_SAFE:
                pieces.append(sums.astype(object) * factor)
            else:
                pieces.append(sums * factor)
        if any(p.dtype == object for p in pieces):
            pieces = [p.astype(object) for p in pieces]
        values = np.concatenate(pieces)
        # One sort puts equal keys side by side and orders them for lookup; each run sums
        # exactly (integers, or Python ints in an object array), so the order of equal keys
        # does not matter.
        order = _sorting_order(keys)
        keys, values = keys[order], values[order]
        starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
        sums = np.add.reduceat(values, starts) if len(keys) else values
        return _AccountsByMonth(keys[starts], sums, self.reps, self.slots)

    # -- diagnostics --

    def _span(self, row: int, role: str) -> SourceSpan:
        return SourceSpan(self.name, row, self.positions.get(role, 1))

    def _diagnostics(self) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        columns = self.mapping.columns
        expected = self.mapping.date_format or "YYYY-MM-DD"
        for value, seen in sorted(self.bad_dates.items(), key=lambda kv: kv[1].first):
            out.append(
                t.BAD_DATE.at(
                    self._span(seen.first, "date"),
                    f"{columns['date']} `{shown_value(value)}` is not a date ({expected}) in "
                    f"{_rows(seen)}",
                    "fix the export, or set actuals.date_format (e.g. %d/%m/%Y)",
                )
            )
        for value, seen in sorted(self.bad_amounts.items(), key=lambda kv: kv[1].first):
            out.append(
                t.BAD_AMOUNT.at(
                    self._span(seen.first, "amount"),
                    f"{columns['amount']} `{show_long(value)}` {_why_bad_amount(value)} "
                    f"in {_rows(seen)}",
                    "write plain decimal numbers: no thousands separators, currency signs or text",
                )
            )
        for value, seen in sorted(self.negative_amounts.items(), key=lambda kv: kv[1].first):
            out.append(
                NEGATIVE_AMOUNT.at(
                    self._span(seen.first, "amount"),
                    f"{columns['amount']} `{show_long(value)}` is negative in {_rows(seen)}",
                    "a credit or a reversal is not a deal: fix the export, or track credits as their own source",
                )
            )
        for value, seen in sorted(self.exponent_amounts.items(), key=lambda kv: kv[1].first):
            out.append(
                EXPONENT_AMOUNT.at(
                    self._span(seen.first, "amount"),
                    f"{columns['amount']} `{show_long(value)}` is in exponent notation in "
                    f"{_rows(seen)}: "
                    "a spreadsheet reformatted it, and digits may be lost",
                    "export the amounts as plain numbers with all their digits",
                )
            )
        if self.lost_no_date.rows:
            out.append(
                CLOSED_WITHOUT_DATE.at(
                    self._span(self.lost_no_date.first, "date"),
                    f"lost deals without {columns['date']}: {_rows(self.lost_no_date)}; "
                    "in no period's win rate (the ledger shows them as lost, no date)",
                    f"fill in {columns['date']} for lost deals",
                )
            )
        if self.repeated is not None:
            out.append(self.repeated)
        for value, seen in sorted(self.bad_created.items(), key=lambda kv: kv[1].first):
            out.append(
                t.BAD_DATE.at(
                    self._span(seen.first, "created"),
                    f"{columns['created']} `{shown_value(value)}` is not a date ({expected}) in "
                    f"{_rows(seen)}",
                    "fix the export, or set actuals.date_format (e.g. %d/%m/%Y)",
                )
            )
        if self.no_created.rows:
            out.append(
                OPEN_WITHOUT_CREATED.at(
                    self._span(self.no_created.first, "created"),
                    f"{_count(self.no_created.rows, 'open deal')} without {columns['created']}, "
                    f"first in row {self.no_created.first}: not in the pipeline forecast",
                    f"fill in {columns['created']} for open deals",
                )
            )
        for role, seen in (("date", self.no_date), ("amount", self.no_amount)):
            if seen.rows:
                out.append(
                    t.MISSING_VALUE.at(
                        self._span(seen.first, role),
                        f"won deals without {columns[role]}: {_rows(seen)}",
                        f"fill in {columns[role]} for won deals, or give them another stage",
                    )
                )
        out += self._mapping_warnings()
        if self.rows == 0:
            out.append(
                t.NO_ROWS.at(
                    SourceSpan(self.name, 1, 1),
                    f"{self.name} has a header but no rows",
                    "export the report with its rows",
                )
            )
        return out

    def _mapping_warnings(self) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        columns = self.mapping.columns
        known_owners = sorted(
            {
                *(p.name for p in self.plan.people.values()),
                *(p.email for p in self.plan.people.values() if p.email),
                *self.mapping.owners,
            }
        )
        for raw, seen in _by_first(self.owners_seen):
            near = closest(raw, known_owners)
            value = shown_value(raw)  # as the messages quote it
            typed = shown_value(raw, NAME_LIMIT)  # as the hints ask to type it: whole
            alias = f"add `{typed}: <person id>` under actuals.owners"
            shared = self.ambiguous.get(_norm(raw))
            if shared:
                out.append(
                    t.UNMAPPED_OWNER.at(
                        self._span(seen.first, "owner"),
                        f"{columns['owner']} `{value}` in {_count(seen.rows, 'row')} names several people "
                        f"({', '.join(shared)}); {_count(seen.flagged, 'won row')} of the quarter not counted",
                        f"say who under actuals.owners, e.g. `{typed}: {shared[0]}`",
                    )
                )
                continue
            out.append(
                t.UNMAPPED_OWNER.at(
                    self._span(seen.first, "owner"),
                    f"{columns['owner']} `{value}` in {_count(seen.rows, 'row')} is no person of the plan; "
                    f"{_count(seen.flagged, 'won row')} of the quarter not counted",
                    f"did you mean `{near}`? or {alias}" if near else alias,
                )
            )
        for raw, seen in _by_first(self.no_seat_seen):
            person = shown_value(self.person_of.get(_norm(raw), raw))
            value = shown_value(raw)
            typed = shown_value(raw, NAME_LIMIT)
            out.append(
                t.OWNER_WITHOUT_SEAT.at(
                    self._span(seen.first, "owner"),
                    f"{columns['owner']} `{value}` in {_count(seen.rows, 'row')} is {person}, who has no rep seat; "
                    f"{_count(seen.flagged, 'won row')} of the quarter not counted",
                    f"give {person} a rep seat, or map `{typed}` to a rep under actuals.owners",
                )
            )
        if "product" in columns:
            known_products = sorted(
                {*(p.name for p in self.plan.products.values()), *self.mapping.products}
            )
            for raw, seen in _by_first(self.products_seen):
                near = closest(raw, known_products)
                value = shown_value(raw)
                typed = shown_value(raw, NAME_LIMIT)
                alias = f"add `{typed}: <product id>` under actuals.products"
                out.append(
                    t.UNMAPPED_PRODUCT.at(
                        self._span(seen.first, "product"),
                        f"{columns['product']} `{value}` in {_count(seen.rows, 'row')} is no product line of the plan; "
                        f"{_count(seen.flagged, 'counted row')} in amounts but in no product line",
                        f"did you mean `{near}`? {alias}" if near else alias,
                    )
                )
        if "stage" in columns:
            known_stages = [*self.mapping.won, *self.mapping.open, *self.mapping.lost]
            for raw, seen in _by_first(self.stages_seen):
                near = closest(raw, known_stages)
                value = shown_value(raw)
                typed = shown_value(raw, NAME_LIMIT)
                # the message cuts a long stage: the hint gives it whole to type back
                listing = (
                    "add it to actuals.stages (won, open or lost)"
                    if typed == value
                    else f"add `{typed}` to actuals.stages (won, open or lost)"
                )
                out.append(
                    t.UNKNOWN_STAGE.at(
                        self._span(seen.first, "stage"),
                        f"{columns['stage']} `{value}` in {_count(seen.rows, 'row')} is not a won, open or lost stage; those rows are not counted",
                        f"did you mean `{near}`? or {listing}" if near else listing,
                    )
                )
        if self.no_account.rows:
            out.append(
                t.NO_ACCOUNT.at(
                    self._span(self.no_account.first, "account"),
                    f"{_count(self.no_account.rows, 'counted row')} without {columns['account']}, first in row {self.no_account.first}: "
                    "in amounts, not in customer counts",
                    f"fill in {columns['account']} for won deals",
                )
            )
        return out


def _with_places(number: Decimal, places: int) -> Decimal:
    """``number`` written with ``places`` digits after the point when it has fewer: the
    same value, exactly (trailing zeros only; unlike ``quantize``, no context limit)."""
    sign, digits, exponent = number.as_tuple()
    pad = int(exponent) + places
    if pad <= 0:
        return number
    return Decimal((sign, (*digits, *(0,) * pad), -places))


# The values whose parsed date is remembered across chunks (Aggregator.day_of): texts as
# written and pyarrow's dates; a pandas Timestamp or a number is parsed each time.
_DAY_TYPES = (str, date)


def _sorting_order(keys: IntArray) -> IntArray:
    """The order that sorts (rep and month << 32 | account) keys, equal keys in row order.

    Both halves below 2**16 (a plan's reps x months, an export's accounts): two stable
    argsorts of 16-bit integers, which numpy does by radix (linear), the accounts' then the
    groups': 723k keys at 5M rows took 0.018 s against 0.050 for the packed sort below (the
    result's tail, after the last chunk). Otherwise each key, made dense (rep and month x
    accounts), is sorted with its row number in its low bits, which are the order (numpy
    sorts integers much faster than it argsorts them); keys too wide for that are argsorted.
    """
    n = len(keys)
    if n < 2:
        return np.arange(n, dtype=np.int64)
    groups, accounts = keys >> 32, keys & 0xFFFFFFFF
    width = int(accounts.max()) + 1
    if width <= 1 << 16 and int(groups.max()) < 1 << 16 and int(groups.min()) >= 0:
        by_account = np.argsort(accounts.astype(np.uint16), kind="stable")
        by_group = np.argsort(groups.astype(np.uint16)[by_account], kind="stable")
        return by_account[by_group].astype(np.int64, copy=False)
    bits = (n - 1).bit_length()
    if (int(groups.max()) + 1) * width >= 1 << (62 - bits):
        return np.argsort(keys, kind="stable")
    packed = (groups * width + accounts) << bits
    packed |= np.arange(n, dtype=np.int64)
    packed.sort()
    return packed & ((1 << bits) - 1)


class _AccountsByMonth(Mapping[tuple[str, int], Mapping[int, int]]):
    """(rep, month) -> {account id: amount in 10**-scale units}, each built on first use.

    Millions of rows give hundreds of thousands of (rep, month, account) sums;
    a report looks up only the reps it attributes a gap for.
    """

    def __init__(
        self, keys: IntArray, values: npt.NDArray[Any], reps: list[str], slots: list[int]
    ) -> None:
        groups = keys >> 32
        starts = np.flatnonzero(np.concatenate([[True], groups[1:] != groups[:-1]]))
        ends = np.append(starts[1:], len(keys))
        self._where: dict[tuple[str, int], tuple[int, int]] = {}
        for group, start, end in zip(
            groups[starts].tolist(), starts.tolist(), ends.tolist(), strict=True
        ):
            rep_index, slot_index = divmod(group, len(slots))
            self._where[(reps[rep_index], slots[slot_index])] = (start, end)
        self._accounts = keys & 0xFFFFFFFF
        self._values = values
        self._built: dict[tuple[str, int], dict[int, int]] = {}

    def __getitem__(self, key: tuple[str, int]) -> Mapping[int, int]:
        found = self._built.get(key)
        if found is None:
            start, end = self._where[key]
            found = self._built[key] = dict(
                zip(
                    self._accounts[start:end].tolist(),
                    self._values[start:end].tolist(),
                    strict=True,
                )
            )
        return found

    def __iter__(self) -> Iterator[tuple[str, int]]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


def _by_first(seen: dict[str, _Seen]) -> list[tuple[str, _Seen]]:
    return sorted(seen.items(), key=lambda kv: (kv[1].first, kv[0]))


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _rows(seen: _Seen) -> str:
    listed = ", ".join(str(r) for r in seen.rows_shown)
    more = (
        f" and {seen.rows - len(seen.rows_shown):,} more"
        if seen.rows > len(seen.rows_shown)
        else ""
    )
    word = "row" if seen.rows == 1 else "rows"
    return f"{word} {listed}{more}"
