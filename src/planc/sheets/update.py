"""``planc import --update``: numbers edited in an exported workbook, back into the YAML.

The workbook must be an export of this plan, this quarter and this version
of its files (the hidden ``planc`` sheet says which; PLC820, PLC821). Its
rows are matched with the rows the plan exports now by node, metric and month
(so sorting and filtering in the spreadsheet are fine): only the
``value`` column is read back (the quarter's number and each month's);
formulas (PLC822), text or empty cells where numbers were (PLC803), and rows
added, deleted, moved or relabelled (PLC823) are reported and nothing is
applied. Otherwise each changed number is spliced into its YAML file in place
(:class:`planc.allocate.yamledit.YamlDocument`, which keeps comments and
layout), and every target whose quarter value changed gets an adjustment
record stub (``cause: ""``, ``note: ""``) that ``planc check`` reports
(PLC630) until a person, or ``planc propose``, fills it in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from planc.allocate.yamledit import EditError, YamlDocument
from planc.checks import check_directory, check_sources
from planc.core.diagnostics import Diagnostic, Severity
from planc.core.model import Plan
from planc.core.numbers import BOUND_TEXT, grouped, out_of_bounds, show_long
from planc.core.pipeline import CheckResult
from planc.core.records import RecordText, add_record, next_id
from planc.core.safetext import quoted
from planc.core.safetext import shown as shown_value
from planc.core.source import SourceFile, SourceSpan
from planc.sheets.export import (
    COLUMNS,
    METADATA_FORMAT,
    METADATA_SHEET,
    plan_revision,
    rows,
)
from planc.sheets.rules import (
    FORMULA_IN_EXPORT,
    NOT_A_NUMBER,
    OTHER_PLAN,
    PLAN_CHANGED,
    ROWS_CHANGED,
)
from planc.sheets.table import (
    DATE_HINT,
    Cell,
    SheetError,
    Table,
    Workbook,
    exact,
    read_workbook,
)

VALUE = COLUMNS.index("value")


class UpdateError(Exception):
    """The update cannot start (no such file or plan); the message says why, for the user."""


@dataclass(slots=True)
class Edit:
    """New numbers for one target: its quarter value and/or some months."""

    node: str
    metric: str
    before: Decimal
    value: Decimal | None = None
    months: dict[int, Decimal] = field(default_factory=dict)
    # what the sheet labels each changed month (2027-03) and its old number, for the summary
    month_changes: dict[int, tuple[str, Decimal | None]] = field(default_factory=dict)


@dataclass(slots=True)
class Update:
    folder: Path
    diagnostics: list[Diagnostic]
    edits: list[Edit] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # path -> new bytes
    stubs: list[str] = field(default_factory=list)
    result: CheckResult | None = None

    @property
    def refused(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)


def _metadata(workbook: Workbook) -> dict[str, str]:
    table = workbook.hidden.get(METADATA_SHEET)
    if table is None:
        return {}
    return {
        row[0].text: row[1].text for row in table.rows if len(row) >= 2 and row[0].value is not None
    }


def _other_format(workbook: Workbook, shown: str) -> str | None:
    """What the workbook's planc metadata sheet is when it is there but of another format
    than this planc reads (a newer planc's export, or an older one's); None when there is
    none, or it is this planc's."""
    meta = _metadata(workbook)
    if METADATA_SHEET not in workbook.hidden or meta.get("format") == METADATA_FORMAT:
        return None
    found = f"of format {_meta(meta, 'format')}" if "format" in meta else "that names no format"
    return (
        f"{shown} has a planc metadata sheet {found}, and this planc reads "
        f"{shown_value(METADATA_FORMAT)} only"
    )


def plan_folder(edited: Path, shown: str, folder: Path | None, plans_root: Path) -> Path:
    """The plan the workbook names (``plans/<quarter>``), unless FOLDER says otherwise."""
    _require_workbook(edited, shown)
    if folder is not None:
        return folder
    try:
        workbook = read_workbook(edited, shown)
    except SheetError as error:
        raise UpdateError(str(error)) from error
    meta = _metadata(workbook)
    other = _other_format(workbook, shown)
    if other is not None:
        raise UpdateError(
            f"{other}: import it with the planc that exported it, or export the plan again "
            "(planc export PLAN_DIR --format xlsx --out FILE), edit the numbers there and "
            "import that file"
        )
    if meta.get("format") != METADATA_FORMAT:
        # naming the plan folder would only have _identify refuse it: say what --update reads
        raise UpdateError(
            f"{shown} is not an export of a plan (no planc metadata sheet): make one with "
            "planc export PLAN_DIR --format xlsx --out FILE, edit the numbers in it and "
            "import that file"
        )
    quarter = meta.get("quarter")
    if not quarter or "/" in quarter or quarter.startswith("."):
        # the sheet is there (its format was read): say what it names, not that it is missing
        named = f"names the quarter {quoted(quarter)}" if quarter else "names no quarter"
        raise UpdateError(
            f"{shown}'s planc metadata sheet {named}, not a quarter folder's name: "
            "name the plan folder, e.g. planc import --update FILE plans/2027-Q1"
        )
    return plans_root / quarter


def _require_workbook(edited: Path, shown: str) -> None:
    if not edited.is_file():
        raise UpdateError(f"{shown}: no such file")
    if edited.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UpdateError(f"{shown}: --update reads the .xlsx workbook planc export wrote")


def update_plan(edited: Path, shown: str, folder: Path) -> Update:
    """Compare the workbook with the plan; when nothing is amiss, the edited files in memory."""
    _require_workbook(edited, shown)
    try:
        workbook = read_workbook(edited, shown)
    except SheetError as error:
        raise UpdateError(str(error)) from error
    before = check_directory(folder)
    if before.plan is None:
        raise UpdateError(
            f"{before.label} cannot be read as a plan; fix planc check's errors first"
        )
    update = Update(folder, _identify(workbook, before, shown))
    if update.refused:
        return update
    meta = _metadata(workbook)
    table = workbook.tables[meta["sheet"]]
    update.edits = _compare(table, before.plan, update.diagnostics)
    if update.refused or not update.edits:
        return update
    _apply(update, before)
    return update


def _identify(workbook: Workbook, before: CheckResult, shown: str) -> list[Diagnostic]:
    plan = before.plan
    assert plan is not None
    meta = _metadata(workbook)
    corner = SourceSpan(shown, 1, 1)
    other = _other_format(workbook, shown)
    if other is not None:
        return [
            OTHER_PLAN.at(
                corner,
                other,
                "import it with the planc that exported it, or export the plan again (planc "
                f"export {before.label} --format xlsx -o FILE), edit the numbers there and "
                "import that file",
            )
        ]
    if meta.get("format") != METADATA_FORMAT:
        return [
            OTHER_PLAN.at(
                corner,
                f"{shown} has no planc metadata sheet: it is not a workbook from planc export "
                "--format xlsx (or its hidden sheet was deleted)",
                f"export the plan (planc export {before.label} --format xlsx -o FILE), edit the "
                "numbers there and import that file",
            )
        ]
    if (meta.get("plan"), meta.get("quarter")) != (plan.company, plan.quarter.id):
        return [
            OTHER_PLAN.at(
                corner,
                f"{shown} is an export of {_meta(meta, 'plan')} {_meta(meta, 'quarter')}, not of "
                f"{plan.company} {plan.quarter.id} ({before.label})",
                "import it into the plan it came from, or export this plan and edit that",
            )
        ]
    if meta.get("sheet") not in workbook.tables:
        named = quoted(meta["sheet"]) if "sheet" in meta else None  # as !r wrote it
        return [
            ROWS_CHANGED.at(
                corner,
                f"{shown} has no visible sheet {named} any more (sheets: "
                f"{', '.join(shown_value(sheet) for sheet in workbook.sheets)})",
                "edit the numbers in the exported sheet; do not rename or delete it",
            )
        ]
    if meta.get("revision") != plan_revision(before):
        return [
            PLAN_CHANGED.at(
                corner,
                f"the plan files in {before.label} changed after {shown} was exported",
                "export again and make the edits in the new workbook",
            )
        ]
    return []


def _expected(cell: str | Decimal | None) -> str | Decimal | None:
    """A plan cell as the workbook holds it (numbers as the decimals a spreadsheet shows)."""
    if isinstance(cell, Decimal):
        return exact(int(cell) if cell == cell.to_integral_value() else float(cell))
    return cell


def _compare(table: Table, plan: Plan, found: list[Diagnostic]) -> list[Edit]:
    """Each data row matched to the exported row with its node, metric and month (sorting and
    filtering in the spreadsheet are fine); the value cells of the matched rows read."""
    header = table.rows[0] if table.rows else ()
    if [c.text for c in header[: len(COLUMNS)]] != list(COLUMNS):
        found.append(
            ROWS_CHANGED.at(
                table.span(header[0] if header else Cell(1, 1, None)),
                "the header row is not the exported one (a column was added, moved or renamed)",
                "export again; edit numbers only",
            )
        )
        return []
    expected = {_key(want): want for want in ([_expected(c) for c in r.cells] for r in rows(plan))}
    data = [row for row in table.rows[1:] if any(c.value is not None or c.formula for c in row)]
    seen: dict[tuple[str, str, str], Cell] = {}
    edits: dict[tuple[str, str], Edit] = {}
    for row in data:
        node, metric, month = (_cell(row, i).text for i in KEY)
        key = (node, metric, month)
        want = expected.get(key)
        if want is None:
            found.append(_unknown_row(table, row, key, expected))
        elif key in seen:
            found.append(
                ROWS_CHANGED.at(
                    table.span(row[0]),
                    f"row {row[0].row} repeats row {seen[key].row} ({shown_value(_label(key))})",
                    "keep each exported row once",
                )
            )
        else:
            seen[key] = row[0]
            if _same_row(table, row, want, found):
                _read_value(table, row, want, plan, edits, found)
    last = data[-1][0] if data else Cell(1, 1, None)
    for key in expected:
        if key not in seen:
            found.append(
                ROWS_CHANGED.at(
                    table.span(last),
                    f"the row of {_label(key)} was deleted (or its node, metric or month changed)",
                    "export again and edit numbers only; remove targets in the YAML",
                )
            )
    return list(edits.values())


KEY = tuple(COLUMNS.index(k) for k in ("node", "metric", "month"))


def _key(want: list[str | Decimal | None]) -> tuple[str, str, str]:
    node, metric, month = ("" if want[i] is None else str(want[i]) for i in KEY)
    return node, metric, month


def _meta(meta: dict[str, str], name: str) -> str:
    """A value of the metadata sheet, as a message quotes it (a person may have edited it)."""
    return shown_value(str(meta.get(name)))


def _label(key: tuple[str, ...]) -> str:
    return "/".join(part for part in key if part)


def _cell(row: tuple[Cell, ...], index: int) -> Cell:
    return row[index] if index < len(row) else Cell(row[0].row, index + 1, None)


def _unknown_row(
    table: Table,
    row: tuple[Cell, ...],
    key: tuple[str, str, str],
    expected: dict[tuple[str, str, str], list[str | Decimal | None]],
) -> Diagnostic:
    """A row the export did not have: point at the first of node, metric, month that is new."""
    nodes = {k[0] for k in expected}
    targets = {k[:2] for k in expected}
    if key[0] not in nodes:
        index = KEY[0]
    elif key[:2] not in targets:
        index = KEY[1]
    else:
        index = KEY[2]
    cell = _cell(row, index)
    return ROWS_CHANGED.at(
        table.span(cell),
        f"row {cell.row} ({shown_value(_label(key)) or 'no node'}) is not a row of the export: it was added, "
        f"or its {COLUMNS[index]} changed",
        "add reps, targets or months in the YAML, where they are reviewed; edit numbers here",
    )


def _same_row(
    table: Table, row: tuple[Cell, ...], want: list[str | Decimal | None], found: list[Diagnostic]
) -> bool:
    for position, name in enumerate(COLUMNS):
        if position == VALUE:
            continue
        cell = row[position] if position < len(row) else Cell(row[0].row, position + 1, None)
        if _matches(cell, want[position]):
            continue
        was = "" if want[position] is None else str(want[position])
        what = f"only the value column is read back; change {name} in the YAML"
        found.append(
            ROWS_CHANGED.at(
                table.span(cell),
                f"{table.where(cell)} ({name}) was {quoted(was)} in the export, is {quoted(cell.text)} now: "
                + what,
                "export again and edit numbers in the value column only",
            )
        )
        return False
    return True


def _matches(cell: Cell, want: str | Decimal | None) -> bool:
    if cell.formula is not None:
        return False
    if want is None or isinstance(want, str):
        return cell.value == want
    return isinstance(cell.value, Decimal) and cell.value == want


def _read_value(
    table: Table,
    row: tuple[Cell, ...],
    want: list[str | Decimal | None],
    plan: Plan,
    edits: dict[tuple[str, str], Edit],
    found: list[Diagnostic],
) -> None:
    cell = row[VALUE] if len(row) > VALUE else Cell(row[0].row, VALUE + 1, None)
    old = want[VALUE]
    assert isinstance(old, Decimal)
    if cell.formula is not None:
        found.append(
            FORMULA_IN_EXPORT.at(
                table.span(cell),
                f"{table.where(cell)} holds the formula {shown_value(cell.formula)}; planc applies typed numbers only",
                "type the number instead of the formula",
            )
        )
        return
    if cell.kind is not None:
        found.append(
            NOT_A_NUMBER.at(
                table.span(cell),
                f"{table.where(cell)} holds {shown_value(cell.text)}, a {cell.kind} where a "
                f"number belongs; it held the number {grouped(old)}",
                DATE_HINT,
            )
        )
        return
    if not isinstance(cell.value, Decimal):
        holds = "is empty" if cell.value is None else f"holds {quoted(cell.text)}"
        found.append(
            NOT_A_NUMBER.at(
                table.span(cell),
                f"{table.where(cell)} {holds}; it held the number {grouped(old)}",
                "type a number (or the old one back)",
            )
        )
        return
    # A number cell can be far past planc's bound (1E+300, a 5,000-digit float): it was
    # written into the YAML, which planc check then refused (PLC025) in every file it touched.
    problem = out_of_bounds(cell.value)
    if problem is not None:
        found.append(
            NOT_A_NUMBER.at(
                table.span(cell),
                f"{table.where(cell)} holds {show_long(cell.text)}, {problem}: planc reads "
                f"numbers {BOUND_TEXT}; it held the number {grouped(old)}",
                "type the number as it is meant (or the old one back)",
            )
        )
        return
    if cell.value == old:
        return
    node, metric = str(want[COLUMNS.index("node")]), str(want[COLUMNS.index("metric")])
    target = plan.nodes[node].targets[metric]
    edit = edits.setdefault((node, metric), Edit(node, metric, target.value))
    month = want[COLUMNS.index("month")]
    if month is None:
        edit.value = cell.value
    else:
        index = [f"{y}-{m:02d}" for y, m in plan.quarter.months].index(str(month))
        edit.months[index] = cell.value
        before = target.months[index] if target.months and index < len(target.months) else None
        edit.month_changes[index] = (str(month), before)


def _apply(update: Update, before: CheckResult) -> None:
    plan = before.plan
    assert plan is not None
    documents: dict[str, YamlDocument] = {}
    file = plan.quarter.loc.file
    try:
        for edit in update.edits:
            target = plan.nodes[edit.node].targets[edit.metric]
            file = target.loc.file
            if file not in documents:
                documents[file] = YamlDocument(before.sources[file].data.decode("utf-8"))
            path = list(target.loc.path)
            if edit.value is not None:
                documents[file].set([*path, "value"], edit.value)
            for index, amount in sorted(edit.months.items()):
                documents[file].set([*path, "months", index], amount)
        texts = {}
        for file, document in documents.items():
            texts[file] = document.render()
    except EditError as error:
        place = error.located(file)
        raise UpdateError(f"cannot edit the plan files in place: {place}") from error
    quarter_file = plan.quarter.loc.file
    quarter_text = texts.get(quarter_file, before.sources[quarter_file].data.decode("utf-8"))
    data = quarter_text.encode("utf-8")
    taken = {a.id for a in plan.adjustments}
    effective = min(max(date.today(), plan.quarter.start), plan.quarter.end)
    for edit in update.edits:
        if edit.value is None or edit.value == edit.before:
            continue
        record_id = next_id(taken)
        taken.add(record_id)
        ref = f"{edit.node}/{edit.metric}"
        # never before a record of the same target: the stub is the latest word on it (PLC602)
        earlier = [
            a
            for a in plan.adjustments
            if any((c.node, c.metric) == (edit.node, edit.metric) for c in a.changes)
        ]
        when = max([effective, *(a.effective for a in earlier)])
        decided = max([date.today(), *(a.decided for a in earlier)])
        stub = RecordText(record_id, decided, when, "", "", (), [(ref, edit.before, edit.value)])
        try:
            data = add_record(data, stub)
        except ValueError as error:
            raise UpdateError(f"cannot add a record to {quarter_file}: {error}") from error
        update.stubs.append(record_id)
    update.files = {f: t.encode("utf-8") for f, t in texts.items()}
    if update.stubs:
        update.files[quarter_file] = data
    sources = [
        SourceFile(path, update.files.get(path, source.data))
        for path, source in sorted(before.sources.items())
    ]
    update.result = check_sources(before.label, sources)
