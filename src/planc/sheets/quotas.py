"""The quota sheet: one row per rep, team or region; a column per metric, month or product.

What is understood (docs/import.md says the same for users):

* **Header rows** are the rows without numbers just above the first row with
  one (a title line on top, one cell, is skipped); below the first, a row is a
  header row while its first cell is empty or merged with the one above. With two header rows, a merged cell
  on top (``Revenue`` over four columns) labels every column under it, and
  the row below says which part: ``Q4`` / ``Quarter`` / ``Total`` (the
  quarter's number), a month (``Oct``, ``October``, ``2017-10``, ``10月``,
  ``M1``, or a date of the month, ``2017-10-01`` as text or a date cell: a
  spreadsheet stores a typed ``Oct 2017`` as the date 2017-10-01, and a row
  whose only numbers are such dates is a header row) or anything else, a
  product line. One header row may say both, split at ``/`` or ``|``:
  ``Revenue / Oct``.
* **The name column** is the one headed ``name``, ``rep``, ``sales_agent``,
  ``team``, ``region`` or ``who`` (else the first column); each row's name is
  found among the roster's reps (name, id or e-mail), managers (their team),
  teams, regions and the company. A row named ``Total`` (``Grand total``,
  ``合计``, ``总计``) is the company's number.
* **Numbers** are number cells, or text like ``2,910,000``, ``$87,000`` and ``55%``;
  a cell formatted as a percent (stored 0.55, shown 55%) is read as 55.
  A formula counts with the value the spreadsheet program last computed.

Not understood (reported, never guessed): product-by-month grids (three
header parts), months outside the quarter, text where a number belongs, and
rows whose name matches nobody.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from planc.core.diagnostics import Diagnostic
from planc.core.numbers import BOUND_TEXT, out_of_bounds, show_long
from planc.core.safetext import quoted
from planc.core.safetext import shown as shown_value
from planc.sheets.ids import IdMaker, slug
from planc.sheets.roster import name_key
from planc.sheets.rules import (
    DUPLICATE_ROW,
    FORMULA_WITHOUT_VALUE,
    HEADER_NOT_UNDERSTOOD,
    NOT_A_NUMBER,
    UNIT_UNKNOWN,
    UNKNOWN_NAME,
)
from planc.sheets.table import DATE_HINT, Cell, Table, parse_number

UNITS = ("currency", "count", "percent", "score")
NAME_HEADERS = frozenset(
    ("name", "rep", "reps", "sales_agent", "sales agent", "agent", "team", "region", "who",
     "node", "person", "姓名", "名称", "销售", "销售代表", "团队", "区域")
)  # fmt: skip
TOTAL_NAMES = frozenset(("total", "grand total", "totals", "sum", "合计", "总计", "总和"))
QUARTER_WORDS = frozenset(
    ("q", "qtr", "quarter", "total", "target", "quota", "value", "quarter total", "季度", "合计",
     "总计", "目标")
)  # fmt: skip
_UNIT_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("percent", ("%", "share", "rate", "percent", "ratio", "率", "占比", "比例")),
    ("score", ("score", "csat", "satisfaction", "nps", "满意度", "评分")),
    ("count", ("deals", "deal count", "customers", "accounts", "logos", "meetings", "calls",
               "units", "opportunities", "count", "number of", "#", "新客户", "客户数", "数量")),
    ("currency", ("revenue", "sales", "bookings", "quota", "arr", "mrr", "acv", "tcv", "amount",
                  "margin", "collections", "profit", "pipeline", "expense", "spend", "budget",
                  "gmv", "收入", "销售额", "回款", "业绩", "金额", "费用", "$", "€", "£", "¥",
                  "元", "usd", "eur", "cny", "gbp", "jpy")),
)  # fmt: skip
_MONTHS = {
    **{calendar.month_abbr[m].lower(): m for m in range(1, 13)},
    **{calendar.month_name[m].lower(): m for m in range(1, 13)},
    "sept": 9,
}
_ISO_MONTH = re.compile(r"(\d{4})[-/.](\d{1,2})")
# A date, year first (what LibreOffice and many exports write for a date column's header),
# with the separators of _ISO_MONTH: a date of the month names the month, as a date cell does.
_ISO_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_US_MONTH = re.compile(r"(\d{1,2})[-/.](\d{4})")
_NAMED_MONTH = re.compile(r"([a-z]+)\.?(?:[ -]'?(\d{2}|\d{4}))?")
_CN_MONTH = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(?:份)?")
_NTH_MONTH = re.compile(r"(?:m|month)\s*([1-9]|1[0-2])")
_SPLIT = re.compile(r"\s*[/|]\s*")
_PARENTHESIS = re.compile(
    r"\s*[(\uff08][^)\uff09]*[)\uff09]"
)  # "Revenue (USD)": the unit, not the name


@dataclass(frozen=True, slots=True)
class MetricColumn:
    """What one column of the sheet holds."""

    cell: Cell  # the header cell that says it (for positions)
    metric: str  # metric id
    part: str  # "value", "month" or "product"
    month: int | None = None  # index into the quarter's months
    product: str | None = None  # product id


@dataclass(slots=True)
class Numbers:
    """What the sheet says for one node: per metric, the quarter's value, months, products."""

    cell: Cell  # the name cell of its row
    value: dict[str, tuple[Decimal, Cell]] = field(default_factory=dict)
    months: dict[str, dict[int, tuple[Decimal, Cell]]] = field(default_factory=dict)
    products: dict[str, dict[str, tuple[Decimal, Cell]]] = field(default_factory=dict)


@dataclass(slots=True)
class QuotaSheet:
    path: str = ""
    metrics: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (name, unit)
    metric_cells: dict[str, Cell] = field(default_factory=dict)
    products: dict[str, str] = field(default_factory=dict)  # id -> name
    # ids from headers (planc.sheets.ids): the same header, the same id; two headers, two ids
    metric_ids: IdMaker = field(default_factory=lambda: IdMaker("_"))
    product_ids: IdMaker = field(default_factory=IdMaker)
    ignored: list[str] = field(default_factory=list)  # headers of columns without numbers
    nodes: dict[str, Numbers] = field(default_factory=dict)
    total_row: Cell | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def unit_of(header: str) -> str | None:
    """The unit a metric's header implies, or None when it says nothing clear."""
    text = name_key(header)
    words = set(re.findall(r"[a-z]+|[^\sa-z0-9]", text))
    for unit, marks in _UNIT_WORDS:
        for mark in marks:
            if (mark.isascii() and mark.isalpha() and " " not in mark and mark in words) or (
                (not mark.isalpha() or not mark.isascii() or " " in mark) and mark in text
            ):
                return unit
    return None


def month_index(text: str, months: tuple[tuple[int, int], ...]) -> int | str | None:
    """The index of the quarter month a header names; None when it is no month; "outside"
    when it is a month the quarter does not have."""
    key = name_key(text)
    year: int | None = None
    month: int | None = None
    if _ISO_DATE.fullmatch(key):
        day = _iso_date(key)
        if day is None:
            return None  # 2017-02-30 names no month: a product line, as any other text
        year, month = day.year, day.month
    elif m := _ISO_MONTH.fullmatch(key):
        year, month = int(m.group(1)), int(m.group(2))
    elif m := _US_MONTH.fullmatch(key):
        month, year = int(m.group(1)), int(m.group(2))
    elif m := _CN_MONTH.fullmatch(key):
        year = int(m.group(1)) if m.group(1) else None
        month = int(m.group(2))
    elif m := _NTH_MONTH.fullmatch(key):
        nth = int(m.group(1))
        return nth - 1 if nth <= len(months) else "outside"
    elif (m := _NAMED_MONTH.fullmatch(key)) and m.group(1) in _MONTHS:
        month = _MONTHS[m.group(1)]
        if m.group(2):
            year = int(m.group(2)) + (2000 if len(m.group(2)) == 2 else 0)
    if month is None or not 1 <= month <= 12:
        return None
    for index, (y, mo) in enumerate(months):
        if mo == month and (year is None or y == year):
            return index
    return "outside"


def _iso_date(text: str) -> date | None:
    """The date a header like ``2017-10-01`` (or ``2017/10/1``) names, or None."""
    m = _ISO_DATE.fullmatch(text.strip())
    if m is None:
        return None
    try:
        return date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
    except ValueError:
        return None


def _header_parts(table: Table, first: int, last: int, col: int) -> list[Cell]:
    parts: list[Cell] = []
    for row in table.rows[first:last]:
        if col <= len(row) and row[col - 1].value is not None:
            cell = row[col - 1]
            if not parts or name_key(parts[-1].text) != name_key(cell.text):
                parts.append(cell)
    return parts


def _is_number_cell(cell: Cell) -> bool:
    if isinstance(cell.value, Decimal):
        return True
    return isinstance(cell.value, str) and parse_number(cell.value) is not None


def _number_like(cell: Cell) -> bool:
    """A cell that marks its row as data and its column as numbers: a number, a formula, or
    a date cell (a number shown as a date: reported where it is read, PLC803)."""
    return _is_number_cell(cell) or bool(cell.formula) or cell.kind is not None


def _month_date(cell: Cell, months: tuple[tuple[int, int], ...]) -> int | None:
    """The index of the quarter month a date cell names (Excel stores a typed ``Jan 2027``
    or ``2027-01`` as the date 2027-01-01), or None."""
    if cell.kind != "date" or not isinstance(cell.value, str):
        return None
    try:
        year, month = int(cell.value[:4]), int(cell.value[5:7])
    except ValueError:  # pragma: no cover - a date cell's text is its ISO date
        return None
    return months.index((year, month)) if (year, month) in months else None


def _data_row(
    row: tuple[Cell, ...], months: tuple[tuple[int, int], ...], above: tuple[Cell, ...] | None
) -> bool:
    """A row with a number (a formula, a date cell) past its first cell, unless every one
    of them is a date of one of the quarter's months: a header row naming the months. A
    row of date cells of other months is a header row too when it names no one (its first
    cell empty or merged with the one above): its dates are reported as months outside the
    quarter (PLC804), where a data row would say it has numbers but no name (PLC802)."""
    marks = [c for c in row[1:] if _number_like(c)]
    if not marks or all(_month_date(c, months) is not None for c in marks):
        return False
    nameless = row[0].value is None or (above is not None and row[0].text == above[0].text)
    return not (nameless and all(c.kind == "date" for c in marks))


def header_rows(table: Table, months: tuple[tuple[int, int], ...] = ()) -> tuple[int, int]:
    """The header rows as a slice [first, last) of ``table.rows``.

    The header block is the run of non-empty rows without numbers just above
    the first row with a number, less title rows on top of it (one cell
    each); below its first row, a row belongs to the header while its first
    cell is empty or merged with the one above. The rest are data rows. A row
    whose only numbers are date cells of the quarter's ``months`` names them: a
    header row (so does a row of other dates that names no one).
    """
    rows = table.rows
    data = next(
        (i for i, row in enumerate(rows) if _data_row(row, months, rows[i - 1] if i else None)),
        None,
    )
    if data is None:
        first = next((i for i, row in enumerate(rows) if any(c.value for c in row)), 0)
        return first, first + 1
    first = data
    while first > 0 and any(c.value for c in rows[first - 1]):
        first -= 1
    while first < data - 1 and sum(1 for c in rows[first] if c.value is not None) <= 1:
        first += 1  # a title line above the header
    last = first + 1
    while last < data:
        row, above = rows[last], rows[last - 1]
        if row[0].value is not None and row[0].text != above[0].text:
            break  # a data row whose numbers are all text
        last += 1
    return first, last


def read_quotas(
    table: Table,
    months: tuple[tuple[int, int], ...],
    resolve: Callable[[str], str | None],
    units: Mapping[str, str],
    name_header: str | None = None,
) -> QuotaSheet:
    """Every number of the sheet, placed; diagnostics for what cannot be."""
    sheet = QuotaSheet(table.path)
    first, last = header_rows(table, months)
    width = max((len(r) for r in table.rows), default=0)
    name_col = _name_column(table, first, last, width, name_header, sheet)
    if name_col is None:
        return sheet
    columns = _columns(table, first, last, width, name_col, months, units, sheet)
    for row in table.rows[last:]:
        _read_row(table, row, name_col, columns, resolve, sheet)
    return sheet


def _name_column(
    table: Table, first: int, last: int, width: int, wanted: str | None, sheet: QuotaSheet
) -> int | None:
    for col in range(1, width + 1):
        texts = {name_key(c.text) for c in _header_parts(table, first, last, col)}
        if (wanted is not None and name_key(wanted) in texts) or (
            wanted is None and texts & NAME_HEADERS
        ):
            return col
    if wanted is not None:
        from planc.sheets.rules import COLUMN_MISSING  # noqa: PLC0415

        corner = table.rows[first][0] if table.rows else Cell(1, 1, None)
        sheet.diagnostics.append(
            COLUMN_MISSING.at(
                table.span(corner),
                f"the quota sheet has no column headed {wanted!r} for the names",
                "name the column with --name-column HEADER",
            )
        )
        return None
    return 1


def _columns(
    table: Table,
    first: int,
    last: int,
    width: int,
    name_col: int,
    months: tuple[tuple[int, int], ...],
    units: Mapping[str, str],
    sheet: QuotaSheet,
) -> dict[int, MetricColumn]:
    columns: dict[int, MetricColumn] = {}
    for col in range(1, width + 1):
        if col == name_col:
            continue
        parts = _header_parts(table, first, last, col)
        if len(parts) == 1 and _SPLIT.search(parts[0].text):
            pieces = _SPLIT.split(parts[0].text)
            parts = [Cell(parts[0].row, parts[0].col, p) for p in pieces if p]
        if not parts:
            continue
        if not any(_number_like(row[col - 1]) for row in table.rows[last:] if col <= len(row)):
            sheet.ignored.append(" / ".join(p.text for p in parts))
            continue  # text only (an office, an e-mail): information, not a target
        column = _column(table, parts, months, units, sheet)
        if column is not None:
            columns[col] = column
    _all_months(table, columns, len(months), sheet)
    return columns


def _all_months(
    table: Table, columns: dict[int, MetricColumn], length: int, sheet: QuotaSheet
) -> None:
    """Month columns cover the whole quarter, each month once, or they are not understood."""
    by_metric: dict[str, list[MetricColumn]] = {}
    for column in columns.values():
        if column.part == "month":
            by_metric.setdefault(column.metric, []).append(column)
    for metric, found in by_metric.items():
        indexes = sorted(c.month for c in found if c.month is not None)
        if indexes != list(range(length)):
            sheet.diagnostics.append(
                HEADER_NOT_UNDERSTOOD.at(
                    table.span(found[-1].cell),
                    f"{metric} has month columns for months {', '.join(str(i + 1) for i in indexes)} "
                    f"of the quarter's {length}",
                    "give one column for every month of the quarter, or none",
                )
            )


def _column(
    table: Table,
    parts: list[Cell],
    months: tuple[tuple[int, int], ...],
    units: Mapping[str, str],
    sheet: QuotaSheet,
) -> MetricColumn | None:
    head, where = parts[0], parts[-1]
    at = Cell(where.row, where.col, where.value)
    if len(parts) > 2:
        shown = " / ".join(p.text for p in parts)
        sheet.diagnostics.append(
            HEADER_NOT_UNDERSTOOD.at(
                table.span(at),
                f"column {quoted(shown)} has {len(parts)} header parts; planc reads a metric and one "
                "more part (a month, a product or the quarter)",
                "put products and months in separate columns of the metric, or in separate sheets",
            )
        )
        return None
    label = _PARENTHESIS.sub("", head.text).strip() or head.text
    metric = _metric_id(label, sheet)
    if metric not in sheet.metrics:
        unit = units.get(metric) or unit_of(head.text)
        if unit is None:
            sheet.diagnostics.append(
                UNIT_UNKNOWN.at(
                    table.span(head),
                    f"cannot tell the unit of {quoted(head.text)} ({table.where(head)}) from its header",
                    f"say it: --unit {metric}=currency (or count, percent, score)",
                )
            )
            return None
        sheet.metrics[metric] = (label, unit)
        sheet.metric_cells[metric] = head
    if len(parts) == 1 or name_key(parts[1].text) in QUARTER_WORDS or _is_quarter(parts[1].text):
        return MetricColumn(at, metric, "value")
    sub = parts[1].text
    index = month_index(sub, months)  # a date cell's text is its ISO date: read as one
    if index == "outside":
        shown = ", ".join(f"{y}-{m:02d}" for y, m in months)
        day = _iso_date(sub)
        month = f" is a date of {day.year}-{day.month:02d}, not" if day else " is not"
        sheet.diagnostics.append(
            HEADER_NOT_UNDERSTOOD.at(
                table.span(at),
                f"column {shown_value(head.text)} / {shown_value(sub)}: {shown_value(sub)}{month} "
                f"a month of the quarter ({shown})",
                "label the month columns with the quarter's months",
            )
        )
        return None
    if isinstance(index, int):
        return MetricColumn(at, metric, "month", month=index)
    product = sheet.product_ids.named(slug(sub, None), sub, "product")
    sheet.products.setdefault(product, sub)
    return MetricColumn(at, metric, "product", product=product)


def _metric_id(label: str, sheet: QuotaSheet) -> str:
    """``Deals won`` → ``deals_won``; a name without latin letters → ``metric_1``, ``metric_2``
    (the same label always gets the same id, never one a header slugs to). A header of 5,000
    characters gets its first 60, and two alike in their first 60 get ``…_2`` for the
    second: never one metric."""
    return sheet.metric_ids.named(slug(label, None).replace("-", "_"), label, "metric")


def _is_quarter(text: str) -> bool:
    return (
        re.fullmatch(r"(?i)(fy)?\d{0,4}[- ]?q[1-4]( total)?|q[1-4][- ]?\d{2,4}", text.strip())
        is not None
    )


def _read_row(
    table: Table,
    row: tuple[Cell, ...],
    name_col: int,
    columns: dict[int, MetricColumn],
    resolve: Callable[[str], str | None],
    sheet: QuotaSheet,
) -> None:
    name_cell = row[name_col - 1] if name_col <= len(row) else Cell(0, name_col, None)
    numbers = [(row[col - 1], column) for col, column in columns.items() if col <= len(row)]
    filled = [(cell, column) for cell, column in numbers if cell.value is not None or cell.formula]
    if not filled:
        return  # blank lines and section headings carry no numbers
    name = name_cell.text
    node = _place(table, name_cell, name, resolve, sheet)
    if node is None:
        return
    if node in sheet.nodes:
        earlier = sheet.nodes[node].cell
        sheet.diagnostics.append(
            DUPLICATE_ROW.at(
                table.span(name_cell),
                f"{quoted(name)} has numbers in row {earlier.row} already ({table.where(earlier)})",
                "keep one row per rep, team or region",
            )
        )
        return
    entry = Numbers(name_cell)
    sheet.nodes[node] = entry
    for cell, column in filled:
        amount = _number(table, cell, sheet)
        if amount is None:
            continue
        if column.part == "value":
            entry.value[column.metric] = (amount, cell)
        elif column.part == "month":
            assert column.month is not None
            entry.months.setdefault(column.metric, {})[column.month] = (amount, cell)
        else:
            assert column.product is not None
            entry.products.setdefault(column.metric, {})[column.product] = (amount, cell)
    _empty_months(table, row, columns, entry, sheet)


def _empty_months(
    table: Table,
    row: tuple[Cell, ...],
    columns: dict[int, MetricColumn],
    entry: Numbers,
    sheet: QuotaSheet,
) -> None:
    """A row that gives some months of a metric must give all of them: never guess the rest."""
    for col, column in columns.items():
        if column.part != "month" or column.metric not in entry.months:
            continue
        cell = row[col - 1] if col <= len(row) else Cell(row[0].row, col, None)
        if cell.value is None and cell.formula is None:
            sheet.diagnostics.append(
                NOT_A_NUMBER.at(
                    table.span(cell),
                    f"{table.where(cell)} is empty, but the row gives other months of "
                    f"{column.metric}",
                    "type every month's number (0 for none), or leave all months empty",
                )
            )


def _tidy(value: Decimal) -> Decimal:
    """55.00 → 55, 55.50 → 55.5: the number as written, without the scaling's zeros."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _place(
    table: Table,
    name_cell: Cell,
    name: str,
    resolve: Callable[[str], str | None],
    sheet: QuotaSheet,
) -> str | None:
    if not name:
        sheet.diagnostics.append(
            UNKNOWN_NAME.at(
                table.span(name_cell),
                f"row {name_cell.row} has numbers but no name",
                "write the rep's, team's or region's name in the name column",
            )
        )
        return None
    if name_key(name) in TOTAL_NAMES:
        sheet.total_row = name_cell
        return resolve("")  # the company
    node = resolve(name)
    if node is None:
        sheet.diagnostics.append(
            UNKNOWN_NAME.at(
                table.span(name_cell),
                f"{quoted(name)} ({table.where(name_cell)}) is not a rep, manager, team, region or "
                "the company of the roster",
                "correct the name, or add the person to the roster",
            )
        )
    return node


def _number(table: Table, cell: Cell, sheet: QuotaSheet) -> Decimal | None:
    if cell.formula is not None and cell.value is None:
        sheet.diagnostics.append(
            FORMULA_WITHOUT_VALUE.at(
                table.span(cell),
                f"{table.where(cell)} holds the formula {shown_value(cell.formula or '')} and no "
                "computed value",
                "open the file in a spreadsheet program and save it, or type the number",
            )
        )
        return None
    if cell.kind is not None:
        sheet.diagnostics.append(
            NOT_A_NUMBER.at(
                table.span(cell),
                f"{table.where(cell)} holds {shown_value(cell.text)}, a {cell.kind} where a number "
                "belongs",
                DATE_HINT,
            )
        )
        return None
    if isinstance(cell.value, Decimal):
        raw, percent = cell.value, cell.percent
    else:
        parsed = parse_number(cell.text)
        if parsed is None:
            sheet.diagnostics.append(
                NOT_A_NUMBER.at(
                    table.span(cell),
                    f"{table.where(cell)} holds {quoted(cell.text)}, not a number",
                    "type the number (2910000 or 2,910,000), or leave the cell empty",
                )
            )
            return None
        raw, percent = parsed, False
    # Bounded before any arithmetic: a 5,000-digit amount broke the rounding's modulo
    # (decimal.InvalidOperation, an internal error).
    problem = out_of_bounds(raw)
    amount = raw
    if problem is None or (problem == "too precise" and percent):
        # a cell formatted as a percent stores 0.55 and shows 55%: the sheet means 55
        amount = _tidy(raw * 100) if percent else raw
        problem = out_of_bounds(amount)
    if problem is not None:
        sheet.diagnostics.append(
            NOT_A_NUMBER.at(
                table.span(cell),
                f"{table.where(cell)} holds {show_long(cell.text or str(raw))}, {problem}: "
                f"planc reads numbers {BOUND_TEXT}",
                "type the number as it is meant, or leave the cell empty",
            )
        )
        return None
    return amount
