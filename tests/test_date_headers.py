"""A quota sheet whose month headers are date cells (left13).

Excel turns a typed ``Oct 2017`` or ``2017-10`` into a date cell (openpyxl reads a
datetime), and so does LibreOffice's CSV import of ``2017-10-01`` (a serial number in a
``yyyy-mm-dd`` format: tests/fixtures/date-headers, made by ``soffice --headless
--convert-to xlsx`` of the CSV files beside them). Such a header row was read as a data
row (PLC802 on its empty name); a row of date cells of the quarter's months now reads
exactly as the same sheet with text month headers: same YAML, same diagnostics.
"""

from __future__ import annotations

import csv
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, run_planc

FIXTURES = REPO / "tests" / "fixtures" / "date-headers"
ROSTER = REPO / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_teams.csv"
SAMPLE = ("--owner", "Alex Morgan", "--company", "CRM sample company")
BODY = REPO / "examples" / "quotas-2017-Q4.csv"
OCT, NOV, DEC = datetime(2017, 10, 1), datetime(2017, 11, 1), datetime(2017, 12, 1)


def _workbook(path: Path, months: tuple[object, ...], fmt: str = "mmm-yy") -> Path:
    """The example quota sheet as openpyxl writes it: a merged two-row header (Revenue over
    Q4 and the months), the months as ``months`` say."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Quotas Q4 2017"
    sheet.append(["Sales agent", "Office", "Revenue (USD)", None, None, None, "Deals won"])
    sheet.append([None, None, "Q4", *months, None])
    for ref in ("A1:A2", "B1:B2", "C1:F1", "G1:G2"):
        sheet.merge_cells(ref)
    for col in "DEF":
        if isinstance(sheet[f"{col}2"].value, datetime):
            sheet[f"{col}2"].number_format = fmt
    with BODY.open(encoding="utf-8", newline="") as handle:
        for row in list(csv.reader(handle))[1:]:
            name, office, *numbers = row
            sheet.append([name, office, *(int(n.replace(",", "")) for n in numbers)])
    book.save(path)
    return path


def _import(tmp_path: Path, sheet: Path) -> tuple[Any, dict[str, bytes]]:
    """planc import of ``sheet`` copied to one place, into one folder: two imports name
    the same files."""
    quotas = tmp_path / "quotas.xlsx"
    shutil.copyfile(sheet, quotas)
    folder = tmp_path / "plans" / "2017-Q4"
    result = run_planc("import", folder, "--roster", ROSTER, "--quotas", quotas, *SAMPLE,
                       "--format", "json")  # fmt: skip
    written = {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    } if folder.exists() else {}  # fmt: skip
    shutil.rmtree(tmp_path / "plans", ignore_errors=True)  # the next import writes there
    return result, written


def _same_import(tmp_path: Path, text: Path, dates: Path) -> dict[str, bytes]:
    by_text, text_yaml = _import(tmp_path, text)
    by_dates, dates_yaml = _import(tmp_path, dates)
    assert by_text.code == 0, by_text.stdout + by_text.stderr
    assert (by_dates.code, by_dates.stderr) == (by_text.code, by_text.stderr)
    assert by_dates.json()["diagnostics"] == by_text.json()["diagnostics"]
    assert dates_yaml == text_yaml and text_yaml
    return dates_yaml


class TestDateCellsNamingTheMonths:
    @pytest.mark.parametrize("fmt", ["mmm-yy", "yyyy-mm", "mmmm yyyy"])
    def test_openpyxl_dates_read_as_the_text_months(self, tmp_path: Path, fmt: str) -> None:
        text = _workbook(tmp_path / "text.xlsx", ("Oct", "Nov", "Dec"))
        dates = _workbook(tmp_path / "dates.xlsx", (OCT, NOV, DEC), fmt)
        assert "quarter.yaml" in _same_import(tmp_path, text, dates)

    def test_libreoffice_dates_read_as_the_text_months(self, tmp_path: Path) -> None:
        """LibreOffice stores the date 2017-10-01 as the number 43009 formatted yyyy-mm-dd."""
        _same_import(
            tmp_path,
            FIXTURES / "libreoffice-text-months.xlsx",
            FIXTURES / "libreoffice-date-months.xlsx",
        )

    def test_a_date_in_the_months_order_of_the_sheet(self, tmp_path: Path) -> None:
        """The date says the month, not its place: Dec, Oct, Nov columns read as such."""
        text = _workbook(tmp_path / "text.xlsx", ("Dec", "Oct", "Nov"))
        dates = _workbook(tmp_path / "dates.xlsx", (DEC, OCT, NOV))
        _same_import(tmp_path, text, dates)


class TestDateCellsThatAreNotTheMonths:
    def test_a_date_in_a_data_row_stays_plc803(self, tmp_path: Path) -> None:
        """A date cell where a number belongs is reported, even a date of a quarter month."""
        openpyxl = pytest.importorskip("openpyxl")
        path = _workbook(tmp_path / "edited.xlsx", (OCT, NOV, DEC))
        book = openpyxl.load_workbook(path)
        book.worksheets[0]["D3"] = OCT
        book.save(path)
        result, written = _import(tmp_path, path)
        assert result.code == 1 and not written
        found = [d for d in result.json()["diagnostics"] if d["code"] == "PLC803"]
        assert [d["message"] for d in found] == [
            "cell D3 of sheet Quotas Q4 2017 holds 2017-10-01, a date where a number belongs"
        ]
        assert not [d for d in result.json()["diagnostics"] if d["code"] == "PLC802"]

    def test_dates_of_other_months_are_no_header(self, tmp_path: Path) -> None:
        """Dates of another quarter: the row is read as data, as before (its name is empty)."""
        other = (datetime(2018, 1, 1), datetime(2018, 2, 1), datetime(2018, 3, 1))
        result, written = _import(tmp_path, _workbook(tmp_path / "d.xlsx", other))
        assert result.code == 1 and not written
        codes = {d["code"] for d in result.json()["diagnostics"]}
        assert "PLC802" in codes
