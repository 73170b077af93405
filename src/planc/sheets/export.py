"""The plan as one flat table, for the spreadsheet people: CSV or XLSX.

One row per target for the quarter (``month`` empty) and one per month of its
phasing. Amounts stay exact in CSV (decimal text); XLSX cells are numbers
with a number format, as spreadsheets store them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from planc.core.extras import MissingExtra
from planc.core.model import Level, Node, Plan, Target
from planc.core.pipeline import CheckResult
from planc.core.safetext import CsvRows, spreadsheet_text

COLUMNS = (
    "quarter",
    "level",
    "node",
    "node_name",
    "parent",
    "person",
    "person_name",
    "metric",
    "unit",
    "month",
    "value",
    "stretch",
    "baseline_last_quarter",
    "baseline_same_quarter_last_year",
    "owner",
    "deadline",
    "pillar",
)
AMOUNT_COLUMNS = frozenset(
    ("value", "stretch", "baseline_last_quarter", "baseline_same_quarter_last_year")
)
# The hidden sheet that lets planc import --update recognise its own export.
METADATA_SHEET = "planc"
METADATA_FORMAT = "planc-export-1"


def plan_revision(result: CheckResult) -> str:
    """A hash of the plan files' bytes (paths relative to the folder): the version exported."""
    digest = hashlib.sha256()
    prefix = result.label.rstrip("/") + "/"
    for path in sorted(result.sources):
        digest.update(path.removeprefix(prefix).encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(result.sources[path].data).digest())
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[str | Decimal | None, ...]


def rows(plan: Plan) -> Iterator[Row]:
    """Every target of the plan, top-down, then its months."""
    for node in plan.walk():
        for metric_id in sorted(node.targets):
            target = node.targets[metric_id]
            yield _row(plan, node, target, month=None, value=target.value)
            for (year, month), amount in zip(
                plan.quarter.months, target.months or (), strict=False
            ):
                yield _row(plan, node, target, month=f"{year}-{month:02d}", value=amount)


def _row(plan: Plan, node: Node, target: Target, month: str | None, value: Decimal) -> Row:
    metric = plan.metrics.get(target.metric)
    person = plan.people.get(node.id) if node.level is Level.REP else None
    whole_quarter = month is None
    return Row(
        (
            plan.quarter.id,
            node.level.label,
            node.id,
            node.name,
            node.parent,
            person.id if person else None,
            person.name if person else None,
            target.metric,
            metric.unit if metric else None,
            month,
            value,
            target.stretch if whole_quarter else None,
            target.last_quarter if whole_quarter else None,
            target.last_year if whole_quarter else None,
            target.owner,
            target.deadline.isoformat(),
            target.pillar,
        )
    )


def to_csv(plan: Plan) -> bytes:
    """UTF-8 CSV with a byte-order mark, so Excel opens Chinese names correctly."""
    buffer = io.StringIO()
    writer = CsvRows(buffer)
    writer.writerow(COLUMNS)
    for row in rows(plan):
        writer.writerow("" if cell is None else _text(cell) for cell in row.cells)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _text(cell: str | Decimal) -> str:
    if isinstance(cell, Decimal):
        return format(cell, "f")
    return spreadsheet_text(cell)  # plan text never runs as a formula


def require_xlsx() -> None:
    """Raise :class:`MissingExtra` (before any work) when openpyxl is not installed."""
    if importlib.util.find_spec("openpyxl") is None:
        raise MissingExtra("planc export --format xlsx", "export", "openpyxl")


def to_xlsx(plan: Plan, revision: str | None = None) -> bytes:
    """An XLSX workbook: a header row, frozen panes, filters and number formats.

    With ``revision`` (see :func:`plan_revision`), a hidden sheet ``planc``
    records the company, the quarter, the revision and the data sheet's name,
    so that ``planc import --update`` can read edited numbers back, and refuse
    a workbook of another plan, quarter or version.
    """
    require_xlsx()
    # imported here: CSV export works with the core install, openpyxl is the `export` extra
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = plan.quarter.id
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    amount_indexes = [i for i, name in enumerate(COLUMNS) if name in AMOUNT_COLUMNS]
    currency_metrics = {m.id for m in plan.metrics.values() if m.unit == "currency"}
    metric_index = COLUMNS.index("metric")
    for number, row in enumerate(rows(plan), start=2):
        sheet.append([_xlsx_cell(c) for c in row.cells])
        for cell in sheet[number]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                # openpyxl stores text that starts with = as a formula: keep plan text as text
                cell.data_type = "s"
        money = row.cells[metric_index] in currency_metrics
        for index in amount_indexes:
            sheet.cell(row=number, column=index + 1).number_format = (
                "#,##0" if money else "#,##0.##"
            )
    if revision is not None:
        meta = workbook.create_sheet(METADATA_SHEET)
        for key, value in (
            ("format", METADATA_FORMAT),
            ("plan", plan.company),
            ("quarter", plan.quarter.id),
            ("revision", revision),
            ("sheet", sheet.title),
            ("note", "Written by planc export for planc import --update; do not edit."),
        ):
            meta.append([key, value])
        meta.sheet_state = "hidden"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for letter, width in zip(
        "ABCDEFGHIJKLMNOPQ",
        (9, 8, 14, 22, 14, 14, 14, 20, 9, 9, 14, 14, 14, 14, 14, 11, 12),
        strict=True,
    ):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(cell: str | Decimal | None) -> str | int | float | None:
    if isinstance(cell, Decimal):
        # Spreadsheets store numbers as binary doubles; integral amounts stay exact as ints.
        return int(cell) if cell == cell.to_integral_value() else float(cell)
    return cell
