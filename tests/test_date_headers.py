"""A quota sheet whose month headers are date cells (left13).

Excel turns a typed ``Oct 2017`` or ``2017-10`` into a date cell (openpyxl reads a
datetime), and so does LibreOffice's CSV import of ``2017-10-01`` (a serial number in a
``yyyy-mm-dd`` format: tests/fixtures/date-headers, made by ``soffice --headless
--convert-to xlsx`` of the CSV files beside them). Such a header row was read as a data
row (PLC802 on its empty name); a row of date cells of the quarter's months now reads
exactly as the same sheet with text month headers: same YAML, same diagnostics.

quota14: a CSV (or a text cell) says the same date as text, ``2017-10-01``: it was read as a
product line; it reads as its month now, as the date cell does. Dates (cells or text) of
months that are not the quarter's are PLC804 at their header cell, as text months of
another quarter are, instead of a data row (date cells) or product lines (text).
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
    quotas = tmp_path / f"quotas{sheet.suffix}"
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

    def test_dates_of_other_months_are_months_outside_the_quarter(self, tmp_path: Path) -> None:
        """Dates of another quarter: one PLC804 at each date header naming its month and the
        quarter's (the row was read as data: PLC802 on its empty name, PLC803 on Q4)."""
        other = (datetime(2018, 1, 1), datetime(2018, 2, 1), datetime(2018, 3, 31))
        result, written = _import(tmp_path, _workbook(tmp_path / "d.xlsx", other))
        assert result.code == 1 and not written
        assert _errors(result) == [
            ("PLC804", 2, col, f"column Revenue (USD) / {day}: {day} is a date of {day[:7]}, not "
             "a month of the quarter (2017-10, 2017-11, 2017-12)")
            for col, day in ((4, "2018-01-01"), (5, "2018-02-01"), (6, "2018-03-31"))
        ]  # fmt: skip

    def test_dates_of_other_months_are_reported_as_text_months_are(self, tmp_path: Path) -> None:
        """The same codes at the same cells as the text months of another quarter."""
        other = (datetime(2018, 1, 1), datetime(2018, 2, 1), datetime(2018, 3, 1))
        by_dates, _ = _import(tmp_path, _workbook(tmp_path / "d.xlsx", other))
        by_text, _ = _import(tmp_path, _workbook(tmp_path / "t.xlsx", ("Jan", "Feb", "Mar")))
        assert [e[:3] for e in _errors(by_dates)] == [e[:3] for e in _errors(by_text)]
        assert len(_errors(by_text)) == 3

    def test_a_dated_data_row_with_a_name_stays_data(self, tmp_path: Path) -> None:
        """A rep's row whose numbers are all dates of other months is data: PLC803 at each."""
        openpyxl = pytest.importorskip("openpyxl")
        path = _workbook(tmp_path / "edited.xlsx", (OCT, NOV, DEC))
        book = openpyxl.load_workbook(path)
        for col in "CDEFG":
            book.worksheets[0][f"{col}3"] = datetime(2020, 1, 1)
        book.save(path)
        result, _ = _import(tmp_path, path)
        assert [e[:3] for e in _errors(result)] == [("PLC803", 3, col) for col in range(3, 8)]


def _errors(result: Any) -> list[tuple[str, int, int, str]]:
    return [
        (d["code"], d["range"]["start"]["line"], d["range"]["start"]["col"], d["message"])
        for d in result.json()["diagnostics"]
        if d["severity"] == "error"
    ]


def _csv(path: Path, months: tuple[str, str, str]) -> Path:
    """The text-months fixture with ``months`` for its Oct, Nov and Dec headers."""
    text = (FIXTURES / "text-months.csv").read_text(encoding="utf-8")
    path.write_text(text.replace(",Oct,Nov,Dec,", ",{},{},{},".format(*months), 1), "utf-8")
    return path


class TestIsoDateText:
    def test_the_libreoffice_csv_reads_as_its_text_months(self, tmp_path: Path) -> None:
        """``2017-10-01`` as CSV text (read as three product lines before)."""
        written = _same_import(tmp_path, FIXTURES / "text-months.csv", FIXTURES / "date-months.csv")
        assert b"products" not in written["quarter.yaml"]

    @pytest.mark.parametrize(
        "months",
        [
            ("2017-10-31", "2017-11-30", "2017-12-31"),
            ("2017-10-15", "2017-11-01", "2017-12-01"),
            ("2017/10/1", "2017/11/1", "2017/12/1"),
            ("2017.10.01", "2017.11.01", "2017.12.01"),
        ],
        ids=["month-ends", "mid-month", "slashes", "dots"],
    )
    def test_any_date_of_the_month_names_it(
        self, tmp_path: Path, months: tuple[str, str, str]
    ) -> None:
        """As a date cell of any day of the month does; year first, as ``2017-10`` is."""
        _same_import(tmp_path, FIXTURES / "text-months.csv", _csv(tmp_path / "iso.csv", months))

    def test_text_dates_in_a_workbook_read_as_its_date_cells(self, tmp_path: Path) -> None:
        text = _workbook(tmp_path / "text.xlsx", ("2017-10-01", "2017-11-01", "2017-12-01"))
        dates = _workbook(tmp_path / "dates.xlsx", (OCT, NOV, DEC))
        _same_import(tmp_path, dates, text)

    def test_text_dates_of_other_months_are_months_outside_the_quarter(
        self, tmp_path: Path
    ) -> None:
        path = _csv(tmp_path / "iso.csv", ("2018-01-01", "2017-11-01", "2017-09-30"))
        result, written = _import(tmp_path, path)
        assert result.code == 1 and not written
        outside = "a month of the quarter (2017-10, 2017-11, 2017-12)"
        assert sorted(_errors(result)) == [
            ("PLC804", 2, 4, f"column Revenue / 2018-01-01: 2018-01-01 is a date of 2018-01, not {outside}"),
            ("PLC804", 2, 5, "revenue has month columns for months 2 of the quarter's 3"),
            ("PLC804", 2, 6, f"column Revenue / 2017-09-30: 2017-09-30 is a date of 2017-09, not {outside}"),
        ]  # fmt: skip

    def test_product_lines_with_digits_stay_product_lines(self, tmp_path: Path) -> None:
        """Only a whole date is a month: a product named with digits (or a day no calendar
        has) is a product line, as before."""
        products = ("GTX 2017", "Pro 2017-10-01", "2017-02-30")
        result, written = _import(tmp_path, _csv(tmp_path / "p.csv", products))
        assert result.code == 0, result.stdout + result.stderr
        assert (
            b"products:\n"
            b"  - {id: gtx-2017, name: GTX 2017}\n"
            b"  - {id: pro-2017-10-01, name: Pro 2017-10-01}\n"
            b"  - {id: 2017-02-30, name: 2017-02-30}\n"
        ) in written["quarter.yaml"]
