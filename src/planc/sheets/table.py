"""Spreadsheets as grids of cells with their places: CSV (UTF-8) and XLSX.

Everything the import reads goes through here, so every diagnostic about a
sheet can name its ``file:row:col`` and its cell (``C5``). Numbers stay exact:
CSV cells are decimal text; an XLSX number cell is a binary double, read back
through its shortest decimal spelling (what the spreadsheet shows), so
``2910000`` and ``0.1`` come back as exactly those decimals.

Formulas: an XLSX cell holding one keeps both its formula and the value the
spreadsheet program last computed for it (``None`` when no program ever
computed it, e.g. a file written by a script). Merged cells: the value of a
merged range's top-left cell is given to every cell of the range, so a header
merged over four columns labels all four. A date or time cell is a value (its ISO text, with
``Cell.kind`` saying which), never a formula.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from planc.core.extras import MissingExtra
from planc.core.files import read_regular
from planc.core.safetext import quoted
from planc.core.safetext import shown as shown_value
from planc.core.source import SourceSpan, column_letters
from planc.core.workbook import (
    INFLATE_ERRORS,
    SheetTooLarge,
    UnreadableWorkbook,
    WorkbookTooLarge,
    check_workbook,
)

CellValue = str | Decimal | None
MAX_BYTES = 32 * 1024 * 1024  # a quota sheet or roster is small; refuse anything absurd
# Every cell of a sheet's used range becomes a Cell: one stray value at XFD1048576 is 17
# billion of them. 2**22 is a roster of 100,000 people in 41 columns.
MAX_CELLS = 2**22
_GROUPED = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?")
_PLAIN = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)")
_CURRENCY_MARKS = "$€£¥元￥ "
#: The hint where a date cell is read for a number: typed into a cell formatted as a date,
#: a number is stored and shown as one.
DATE_HINT = "type the number; if you did, the cell is formatted as a date: format it as a number"


class SheetError(Exception):
    """A file that cannot be read as a sheet at all; the message says why, for the user."""


@dataclass(frozen=True, slots=True)
class Cell:
    row: int  # 1-based, as the spreadsheet numbers rows
    col: int  # 1-based: A is 1
    value: CellValue  # text (stripped), an exact Decimal, or None when empty
    formula: str | None = None  # the formula text when the cell holds one (XLSX only)
    percent: bool = False  # an XLSX number shown as a percent: 0.55 is displayed as 55%
    kind: str | None = None  # "date" or "time": an XLSX date or time cell (value: its text)

    @property
    def ref(self) -> str:
        return f"{column_letters(self.col)}{self.row}"

    @property
    def text(self) -> str:
        """The cell as a user sees it, for messages."""
        if self.value is None:
            return ""
        return format(self.value, "f") if isinstance(self.value, Decimal) else self.value


@dataclass(frozen=True, slots=True)
class Table:
    """One sheet: its rows (each a list of cells, empty cells included up to the widest row)."""

    path: str  # as shown to the user
    sheet: str | None  # the XLSX sheet's name; None for CSV
    rows: tuple[tuple[Cell, ...], ...]

    def span(self, cell: Cell) -> SourceSpan:
        return SourceSpan(self.path, cell.row, cell.col)

    def where(self, cell: Cell) -> str:
        """``cell C5`` (of sheet Quotas), for messages."""
        return f"cell {cell.ref}" + (f" of sheet {shown_value(self.sheet)}" if self.sheet else "")


def parse_number(text: str) -> Decimal | None:
    """A number as people type it in a sheet: ``2910000``, ``2,910,000``, ``$2,910,000``,
    ``4.5``, ``55%`` (55); ``None`` for anything else (never a guess: ``2.910.000`` is not a
    number)."""
    cleaned = text.strip().strip(_CURRENCY_MARKS).removesuffix("%").rstrip()
    if _GROUPED.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    if not _PLAIN.fullmatch(cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None


def exact(number: int | float) -> Decimal:
    """A spreadsheet number as the decimal the spreadsheet shows."""
    if isinstance(number, int):
        return Decimal(number)
    value = Decimal(repr(number))
    return value.to_integral_value() if value == value.to_integral_value() else value


def read_table(path: Path, shown: str, sheet: str | None = None) -> Table:
    """A CSV or XLSX file as a :class:`Table`; :class:`SheetError` when it cannot be read."""
    if not path.is_file():
        raise SheetError(f"{shown}: no such file")
    if path.stat().st_size > MAX_BYTES:
        raise SheetError(f"{shown}: larger than {MAX_BYTES // (1024 * 1024)} MiB")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if sheet is not None:
            raise SheetError(f"{shown}: a CSV file has no sheets (leave out the sheet name)")
        try:
            data = read_regular(path, MAX_BYTES, shown)
        except OSError as error:
            raise SheetError(f"{shown}: {error.strerror or error}") from error
        return _read_csv(data, shown)
    if suffix in (".xlsx", ".xlsm"):
        return read_workbook(path, shown).table(sheet)
    raise SheetError(f"{shown}: planc reads .csv (UTF-8) and .xlsx files, not {suffix or 'this'}")


def _read_csv(data: bytes, shown: str) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SheetError(
            f"{shown}: not UTF-8 (byte {error.start + 1}); save it as CSV UTF-8"
        ) from error
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise SheetError(f"{shown}: not a readable CSV file: {error}") from error
    width = max((len(r) for r in records), default=0)
    rows = tuple(
        tuple(
            Cell(number, col, _csv_value(r[col - 1]) if col <= len(r) else None)
            for col in range(1, width + 1)
        )
        for number, r in enumerate(records, start=1)
    )
    return Table(shown, None, rows)


def _csv_value(text: str) -> CellValue:
    stripped = text.strip()
    return stripped or None


def require_openpyxl(feature: str) -> None:
    if importlib.util.find_spec("openpyxl") is None:
        raise MissingExtra(feature, "export", "openpyxl")


@dataclass(frozen=True, slots=True)
class Workbook:
    """An XLSX file read twice: formulas as written, and the values last computed."""

    shown: str
    sheets: tuple[str, ...]  # visible sheets, in order
    hidden: dict[str, Table]  # hidden sheets by name (planc's metadata lives in one)
    tables: dict[str, Table]

    def table(self, sheet: str | None) -> Table:
        if sheet is None:
            if not self.sheets:
                raise SheetError(f"{self.shown}: the workbook has no visible sheet")
            return self.tables[self.sheets[0]]
        if sheet not in self.tables:
            names = ", ".join(map(shown_value, self.sheets))
            raise SheetError(f"{self.shown}: no sheet named {quoted(sheet)} (sheets: {names})")
        return self.tables[sheet]


def read_workbook(path: Path, shown: str) -> Workbook:
    require_openpyxl("reading .xlsx sheets")
    from zipfile import BadZipFile  # noqa: PLC0415

    from openpyxl import load_workbook  # noqa: PLC0415
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415

    try:
        data = io.BytesIO(read_regular(path, MAX_BYTES, shown))
        # openpyxl loads every sheet (twice): the bound is on all of them together too
        check_workbook(data, MAX_CELLS, total=MAX_CELLS)
        formulas = load_workbook(data, data_only=False)
        values = load_workbook(io.BytesIO(data.getvalue()), data_only=True)
    except UnreadableWorkbook as error:
        raise SheetError(f"{shown}: not a readable .xlsx workbook: {error}") from error
    except SheetTooLarge as error:
        raise SheetError(
            f"{shown}: sheet {shown_value(error.sheet)} {error.what} ({error.cells:,} cells; planc reads up "
            f"to {error.bound:,}): {error.cause}; {error.remedy}"
        ) from error
    except WorkbookTooLarge as error:
        raise SheetError(
            f"{shown}: its {error.sheets:,} sheets hold {error.cells:,} cells together; planc "
            f"reads up to {error.bound:,} from a workbook: save the sheets to import as a "
            "workbook of their own, or delete the cells beyond each table"
        ) from error
    except (
        BadZipFile,
        InvalidFileException,
        OSError,
        KeyError,
        ValueError,
        *INFLATE_ERRORS,
    ) as error:
        raise SheetError(f"{shown}: not a readable .xlsx workbook ({error})") from error
    visible: list[str] = []
    hidden: dict[str, Table] = {}
    tables: dict[str, Table] = {}
    for sheet in formulas.worksheets:
        table = _sheet_table(sheet, values[sheet.title], shown)
        if sheet.sheet_state == "visible":
            visible.append(sheet.title)
            tables[sheet.title] = table
        else:
            hidden[sheet.title] = table
    return Workbook(shown, tuple(visible), hidden, tables)


def _sheet_table(formulas: object, values: object, shown: str) -> Table:
    from openpyxl.worksheet.worksheet import Worksheet  # noqa: PLC0415

    assert isinstance(formulas, Worksheet) and isinstance(values, Worksheet)
    merged: dict[tuple[int, int], tuple[int, int]] = {}
    for cell_range in formulas.merged_cells.ranges:
        top, left = cell_range.min_row, cell_range.min_col
        for row in range(cell_range.min_row, cell_range.max_row + 1):
            for col in range(cell_range.min_col, cell_range.max_col + 1):
                merged[(row, col)] = (top, left)
    # within MAX_CELLS: check_workbook measured every cell, merged range, link and comment
    height, width = formulas.max_row, formulas.max_column
    rows = []
    for row in range(1, height + 1):
        cells = []
        for col in range(1, width + 1):
            source = merged.get((row, col), (row, col))
            cell = formulas.cell(*source)
            computed = values.cell(*source).value
            percent = "%" in str(cell.number_format or "")
            cells.append(_xlsx_cell(row, col, cell.value, computed, percent))
        rows.append(tuple(cells))
    return Table(shown, formulas.title, tuple(rows))


def _xlsx_cell(row: int, col: int, written: object, computed: object, percent: bool) -> Cell:
    formula = written if isinstance(written, str) and written.startswith("=") else None
    if formula is None and written is not None and not isinstance(written, _VALUES):
        formula = str(written)  # array formulas and the like: reported, never evaluated
    shown = computed if formula is not None else written
    value = _xlsx_value(shown)
    kind = "date" if isinstance(shown, date) else "time" if isinstance(shown, _TIMES) else None
    return Cell(row, col, value, formula, percent and isinstance(value, Decimal), kind)


# What openpyxl reads from a cell that holds a value: a date cell (a number the cell's format
# shows as a date or a time) is one, never a formula ("the formula 2020-01-01 00:00:00").
_TIMES = (time, timedelta)
_VALUES = (str, int, float, date, *_TIMES)


def _xlsx_value(value: object) -> CellValue:
    if value is None or isinstance(value, bool):
        return None if value is None else str(value).upper()
    if isinstance(value, int | float):
        return exact(value)
    if hasattr(value, "isoformat"):  # a date cell
        return str(value.isoformat())[:10]
    text = str(value).strip()
    return text or None
