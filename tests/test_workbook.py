"""core.workbook: a sheet's true extent, measured on the XML before any parser builds it.

Every file here is written part by part (tests/handmade.py); openpyxl reads each one and
places its cells where the guard says it does.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from handmade import FAR, MAIN, comment_parts, rows_xml, sheet_xml, write_xlsx
from planc.core.source import column_letters
from planc.core.workbook import (
    SheetTooLarge,
    UnreadableWorkbook,
    WorkbookTooLarge,
    ZipBomb,
    check_workbook,
)

HEADER = rows_xml([["owner", "amount"], ["Ann", 5]])


def refusal(path: Path, bound: int, sheet: str | int | None = None) -> SheetTooLarge:
    with path.open("rb") as handle, pytest.raises(SheetTooLarge) as caught:
        check_workbook(handle, bound, sheet)
    return caught.value


def extent_by_openpyxl(path: Path, sheet: str) -> tuple[int, int]:
    openpyxl = pytest.importorskip("openpyxl")
    found = openpyxl.load_workbook(path)[sheet]
    return found.max_row, found.max_column


class TestTheTrueExtent:
    """The largest row and column of every row, cell and merged range present: the
    ``<dimension>`` tag is not believed, in either direction."""

    @pytest.mark.parametrize("dimension", [None, "A1:B2"], ids=["missing", "understated"])
    def test_a_far_cell_behind_a_missing_or_lying_dimension(
        self, tmp_path: Path, dimension: str | None
    ) -> None:
        xml = sheet_xml(HEADER + FAR, dimension=dimension)
        path = write_xlsx(tmp_path / "far.xlsx", [("Data", "worksheets/sheet1.xml", xml)])
        found = refusal(path, 2**26)
        assert str(found) == (
            "sheet Data spans A1:XFD1048576 (17,179,869,184 cells); planc reads up to 67,108,864"
        )
        assert (found.sheet, found.what, found.cells) == (
            "Data",
            "spans A1:XFD1048576",
            2**34,
        )

    def test_an_overstated_dimension_is_not_a_size(self, tmp_path: Path) -> None:
        """pandas and openpyxl size a sheet by its cells: a lying A1:XFD1048576 reads fine."""
        xml = sheet_xml(HEADER, dimension="A1:XFD1048576")
        path = write_xlsx(tmp_path / "wide.xlsx", [("Data", "worksheets/sheet1.xml", xml)])
        with path.open("rb") as handle:
            check_workbook(handle, 4, "Data")

    def test_a_namespace_prefix(self, tmp_path: Path) -> None:
        xml = (
            f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="1"><x:c r="A1"/></x:row>'
            '<x:row r="40"><x:c r="Z40"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>'
        )
        path = write_xlsx(tmp_path / "x.xlsx", [("Data", "worksheets/sheet1.xml", xml)])
        assert extent_by_openpyxl(path, "Data") == (40, 26)
        assert refusal(path, 26 * 40 - 1).what == "spans A1:Z40"

    def test_cells_and_rows_without_r_follow_the_one_before(self, tmp_path: Path) -> None:
        # row 3: B3, then C3 and D3; a row without r is row 4, its cell without r A4;
        # a cell's own r places it, whatever the row says (E9)
        data = (
            '<row r="3"><c r="B3"/><c/><c><v>1</v></c></row><row><c/></row>'
            '<row><c r="E9"/><c t="inlineStr"><is><t>x</t></is></c></row>'
        )
        xml = sheet_xml(data, dimension="A1")
        path = write_xlsx(tmp_path / "no-r.xlsx", [("Data", "worksheets/sheet1.xml", xml)])
        assert extent_by_openpyxl(path, "Data") == (9, 6)
        assert refusal(path, 9 * 6 - 1).what == "spans A1:F9"
        with path.open("rb") as handle:
            check_workbook(handle, 9 * 6)

    def test_every_child_of_a_row_is_a_cell_as_openpyxl_reads_it(self, tmp_path: Path) -> None:
        data = '<row r="1"><c r="A1"/>' + "<unknown/>" * 29 + "</row>"
        path = write_xlsx(
            tmp_path / "odd.xlsx", [("Data", "worksheets/sheet1.xml", sheet_xml(data))]
        )
        assert extent_by_openpyxl(path, "Data") == (1, 30)
        assert refusal(path, 29).what == "spans A1:AD1"

    def test_what_only_a_parser_sees(self, tmp_path: Path) -> None:
        """A ``>`` inside an attribute value, a character reference in ``r``, an entity that
        expands to a cell, UTF-16: what a pattern over the bytes would miss."""
        tricks = '<row r="1"><c t="n" x=">" r="&#88;FD1"/></row><row r="2">&far;</row>'
        xml = (
            '<?xml version="1.0" encoding="UTF-16"?>'
            f"<!DOCTYPE worksheet [<!ENTITY far \"<c r='A1048576'/>\">]>"
            f'<worksheet xmlns="{MAIN}"><sheetData>{tricks}</sheetData></worksheet>'
        ).encode("utf-16")
        path = write_xlsx(tmp_path / "tricks.xlsx", [("Data", "worksheets/sheet1.xml", xml)])
        assert refusal(path, 2**26).what == "spans A1:XFD1048576"

    def test_a_row_number_as_openpyxl_reads_it(self, tmp_path: Path) -> None:
        data = '<row r="1e3"><c/></row><row><c/></row>'
        path = write_xlsx(
            tmp_path / "float.xlsx", [("Data", "worksheets/sheet1.xml", sheet_xml(data))]
        )
        assert extent_by_openpyxl(path, "Data") == (1001, 1)
        assert refusal(path, 1000).what == "spans A1:A1001"

    def test_digits_of_another_script(self, tmp_path: Path) -> None:
        """openpyxl splits ``r`` at its first ASCII digit and reads the rest with int(), which
        takes any script's digits: B1\u0665 is B15, C\u0663 is C3."""
        data = '<row r="1"><c r="A1"/><c r="B1\u0665"/></row><row r="2"><c r="C\u0663"/></row>'
        path = write_xlsx(tmp_path / "d.xlsx", [("Data", "worksheets/sheet1.xml", sheet_xml(data))])
        assert extent_by_openpyxl(path, "Data") == (15, 3)
        assert refusal(path, 44).what == "spans A1:C15"


class TestMergedRanges:
    """openpyxl makes a cell of every cell of a merged range when it loads the sheet."""

    def test_a_huge_merged_range(self, tmp_path: Path) -> None:
        merged = '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
        xml = sheet_xml(HEADER, dimension="A1:B2", after=merged)
        path = write_xlsx(tmp_path / "merged.xlsx", [("Data", "worksheets/sheet1.xml", xml)])
        found = refusal(path, 2**22)
        assert str(found) == (
            "sheet Data merges A1:XFD1048576 (17,179,869,184 cells); planc reads up to 4,194,304"
        )

    def test_overlapping_ranges_add_up(self, tmp_path: Path) -> None:
        merged = '<mergeCell ref="A1:J10"/>' * 50  # 5,000 cells within A1:J10
        xml = sheet_xml(HEADER, after=f"<mergeCells>{merged}</mergeCells>")
        path = write_xlsx(tmp_path / "overlap.xlsx", [("Data", "worksheets/sheet1.xml", xml)])
        found = refusal(path, 4999)
        assert (found.what, found.cells) == ("has ranges that overlap", 5000)
        with path.open("rb") as handle:
            check_workbook(handle, 5000)


class TestRangesThatMakeCells:
    """openpyxl makes a cell of every cell a merged range, a hyperlink or a comment is on
    (import): each extends the sheet."""

    @pytest.mark.parametrize(
        ("after", "extent", "widest"),
        [
            ('<mergeCells><mergeCell ref="C5:D6"/><mergeCell ref="A1"/></mergeCells>', "D6", ""),
            ('<hyperlinks><hyperlink ref="B2:C30"/></hyperlinks>', "C30", "links B2:C30"),
        ],
        ids=["merged", "linked"],
    )
    def test_a_range_extends_the_sheet(
        self, tmp_path: Path, after: str, extent: str, widest: str
    ) -> None:
        xml = sheet_xml(HEADER, after=after)
        path = write_xlsx(tmp_path / "r.xlsx", [("Data", "worksheets/sheet1.xml", xml)])
        rows, cols = extent_by_openpyxl(path, "Data")
        assert f"{column_letters(cols)}{rows}" == extent
        assert refusal(path, rows * cols - 1).what == f"spans A1:{extent}"
        if widest:  # B2:C30 is 58 cells
            assert refusal(path, 57).what == widest

    def test_a_comment_in_its_own_part(self, tmp_path: Path) -> None:
        parts = comment_parts("worksheets/s.xml", "AB70")
        path = write_xlsx(
            tmp_path / "c.xlsx", [("Data", "worksheets/s.xml", sheet_xml(HEADER))], parts
        )
        assert extent_by_openpyxl(path, "Data") == (70, 28)
        assert refusal(path, 70 * 28 - 1).what == "spans A1:AB70"

    def test_a_comments_part_that_is_not_there(self, tmp_path: Path) -> None:
        """pandas (read-only) never reads comments, and openpyxl refuses the workbook."""
        parts = comment_parts("worksheets/s.xml", "AB70")
        del parts["xl/notes.xml"]
        path = write_xlsx(
            tmp_path / "c.xlsx", [("Data", "worksheets/s.xml", sheet_xml(HEADER))], parts
        )
        with path.open("rb") as handle:
            check_workbook(handle, 4)


class TestTheSheetsMeasured:
    """The sheets a reader reads, found through the workbook part and its relationships."""

    def sheets(self, tmp_path: Path) -> Path:
        big = sheet_xml(HEADER + FAR, dimension="A1:B2")
        small = sheet_xml(HEADER)
        return write_xlsx(
            tmp_path / "two.xlsx",
            # the parts' names run against the sheets' order
            [("Small", "worksheets/sheet2.xml", small), ("Big", "worksheets/sheet1.xml", big)],
        )

    def test_only_the_needed_sheet(self, tmp_path: Path) -> None:
        path = self.sheets(tmp_path)
        for sheet in ("Small", 0):
            with path.open("rb") as handle:
                check_workbook(handle, 4, sheet)
        for other in ("Big", 1, None):
            assert refusal(path, 4, other).sheet == "Big"

    def test_a_name_not_found_once_measures_every_sheet(self, tmp_path: Path) -> None:
        # openpyxl renames a second "Small" to "Small1": a reader asking for it gets Big
        path = tmp_path / "same.xlsx"
        small, big = sheet_xml(HEADER), sheet_xml(HEADER + FAR)
        write_xlsx(path, [("Small", "worksheets/a.xml", small), ("Small", "worksheets/b.xml", big)])
        assert refusal(path, 4, "Small1").what == "spans A1:XFD1048576"


class TestUnreadable:
    """What no reader should be handed is refused with the reason; a non-zip is left to the
    reader, which names it as it always has."""

    @pytest.mark.parametrize(
        ("xml", "said"),
        [
            (b"<worksheet><sheetData><row r='1'><c r='A1'></row>", "ExpatError: mismatched tag"),
            (sheet_xml('<row r="1"><c r="1A"/></row>'), "1A is not a cell reference"),
            (sheet_xml('<row r="1.5"/>'), "1.5 is not a row number"),
            (sheet_xml('<row r="1"><c><row r="2"/></c></row>'), "a row inside a row"),
        ],
        ids=["not-xml", "bad-reference", "bad-row", "nested-row"],
    )
    def test_a_malformed_sheet(self, tmp_path: Path, xml: str | bytes, said: str) -> None:
        path = write_xlsx(tmp_path / "bad.xlsx", [("Data", "worksheets/sheet1.xml", xml)])
        with path.open("rb") as handle, pytest.raises(UnreadableWorkbook, match=said):
            check_workbook(handle, 2**22)

    def test_a_missing_workbook_part(self, tmp_path: Path) -> None:
        path = write_xlsx(tmp_path / "ok.xlsx", [("Data", "worksheets/sheet1.xml", sheet_xml(""))])
        broken = tmp_path / "broken.xlsx"
        import zipfile

        with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as out:
            for name in source.namelist():
                if name != "xl/workbook.xml":
                    out.writestr(name, source.read(name))
        with broken.open("rb") as handle, pytest.raises(UnreadableWorkbook, match="KeyError"):
            check_workbook(handle, 2**22)

    def test_a_zip_bomb(self, tmp_path: Path) -> None:
        padded = sheet_xml("<!--" + " " * 5_000_000 + "-->")
        path = write_xlsx(tmp_path / "bomb.xlsx", [("Data", "worksheets/sheet1.xml", padded)])
        with path.open("rb") as handle, pytest.raises(ZipBomb, match="a zip bomb, not a sheet"):
            check_workbook(handle, 2**22)

    def test_not_a_zip_is_left_to_the_reader(self) -> None:
        handle = io.BytesIO(b"name,revenue\n")
        check_workbook(handle, 2**22)
        assert handle.tell() == 0


class TestRowsWithoutCells:
    """A ``<row>`` that holds no cell (a height, a format or a hidden flag set on it) makes no
    cell in openpyxl or pandas: it does not size the sheet."""

    def test_a_formatted_empty_row_far_down(self, tmp_path: Path) -> None:
        """Eight columns and an empty row at 1048576 were refused by import (8,388,608 cells
        over 4,194,304): the cells are 16, and pandas builds a million empty rows at most."""
        wide = rows_xml([list("abcdefgh"), [1] * 8])
        far_row = '<row r="1048576" ht="20" customHeight="1"/>'
        xml = sheet_xml(wide + far_row, dimension="A1:H2")
        path = write_xlsx(tmp_path / "rows.xlsx", [("Data", "worksheets/sheet1.xml", xml)])
        assert extent_by_openpyxl(path, "Data") == (2, 8)
        with path.open("rb") as handle:
            check_workbook(handle, 2**22, "Data")

    @pytest.mark.parametrize(
        "far", ['<row r="50000000" hidden="1"/>', '<row r="3"><c r="A50000000"/></row>']
    )
    def test_a_row_past_a_sheets_last_row(self, tmp_path: Path, far: str) -> None:
        """pandas' read-only reader builds every row up to the last, empty ones too: a row
        numbered 50 million, with a cell or none, took all memory in planc track."""
        path = write_xlsx(
            tmp_path / "far.xlsx", [("Data", "worksheets/sheet1.xml", sheet_xml(far))]
        )
        with path.open("rb") as handle, pytest.raises(UnreadableWorkbook) as caught:
            check_workbook(handle, 2**26)
        assert str(caught.value) == (
            "sheet Data has a row numbered 50,000,000, past a sheet's last row (1,048,576)"
        )

    def test_a_cell_after_an_empty_row_is_placed_by_it(self, tmp_path: Path) -> None:
        data = HEADER + '<row r="9" hidden="1"/><row><c/></row>'
        path = write_xlsx(
            tmp_path / "after.xlsx", [("Data", "worksheets/sheet1.xml", sheet_xml(data))]
        )
        assert extent_by_openpyxl(path, "Data") == (10, 2)
        assert refusal(path, 19).what == "spans A1:B10"


class TestWhatTheFileSaysIsShownSafely:
    """A part's name, an ``r`` or a range, and a parser's error quoting them come from the
    file: shortened and escaped in the message (core.safetext.shown), as every value a
    message quotes from a user's file. A zip member's name held an escape sequence a
    terminal obeyed, and a 5,000-digit row number was quoted whole."""

    EVIL = "\u202e\x1b[31m" + "A" * 3000

    def test_a_zip_bomb_named_by_its_part(self, tmp_path: Path) -> None:
        padded = sheet_xml("<!--" + " " * 5_000_000 + "-->")
        path = write_xlsx(
            tmp_path / "bomb.xlsx",
            [("Data", "worksheets/sheet1.xml", sheet_xml(""))],
            {f"xl/{self.EVIL}": padded},
        )
        with path.open("rb") as handle, pytest.raises(ZipBomb) as caught:
            check_workbook(handle, 2**22)
        said = str(caught.value)
        assert said.startswith("its part xl/\\u202e\\x1b[31mAAAA")
        assert "(3,009 characters) inflates from" in said and len(said) < 200

    @pytest.mark.parametrize(
        ("data", "said"),
        [
            (f'<row r="1"><c r="\u202e{"A" * 500}1"/></row>', "\\u202eAAA"),
            (f'<row r="\u202e{"9" * 5000}"/>', "(5,001 characters) is not a row number"),
        ],
        ids=["reference", "row"],
    )
    def test_an_attribute(self, tmp_path: Path, data: str, said: str) -> None:
        path = write_xlsx(
            tmp_path / "bad.xlsx", [("Data", "worksheets/sheet1.xml", sheet_xml(data))]
        )
        with path.open("rb") as handle, pytest.raises(UnreadableWorkbook) as caught:
            check_workbook(handle, 2**22)
        assert said in str(caught.value) and "\u202e" not in str(caught.value)
        assert len(str(caught.value)) < 300

    def test_a_range_too_large(self, tmp_path: Path) -> None:
        ref = "A1:A" + "9" * 400
        merged = f'<mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>'
        path = write_xlsx(
            tmp_path / "m.xlsx",
            [("Data", "worksheets/sheet1.xml", sheet_xml(HEADER, after=merged))],
        )
        found = refusal(path, 2**22)
        assert found.what.startswith("merges A1:A999") and "(404 characters)" in found.what


class TestTheWorkbooksTotal:
    """A reader that loads every sheet (openpyxl, for import) loads them together: many
    sheets each under the bound were read whole. ``total`` bounds their cells together;
    a reader of one sheet (track) needs that sheet alone."""

    @staticmethod
    def _sheets(tmp_path: Path, count: int, extra: str = "") -> Path:
        xml = sheet_xml(HEADER + '<row r="1000"><c r="B1000"><v>1</v></c></row>', after=extra)
        sheets = [(f"S{n}", f"worksheets/s{n}.xml", xml) for n in range(1, count + 1)]
        return write_xlsx(tmp_path / "many.xlsx", sheets)

    def test_sheets_over_the_total_together(self, tmp_path: Path) -> None:
        path = self._sheets(tmp_path, 3)  # 1000 x 2 cells each
        with path.open("rb") as handle, pytest.raises(WorkbookTooLarge) as caught:
            check_workbook(handle, 4000, total=5000)
        found = caught.value
        assert (found.sheets, found.cells, found.bound) == (3, 6000, 5000)
        assert str(found) == "its 3 sheets hold 6,000 cells; planc reads up to 5,000"

    def test_within_the_total_or_without_one(self, tmp_path: Path) -> None:
        path = self._sheets(tmp_path, 3)
        for total in (6000, None):
            with path.open("rb") as handle:
                check_workbook(handle, 4000, total=total)

    def test_a_reader_of_one_sheet_needs_that_sheet_alone(self, tmp_path: Path) -> None:
        path = self._sheets(tmp_path, 3)
        for sheet in ("S2", 0):
            with path.open("rb") as handle:
                check_workbook(handle, 4000, sheet, total=5000)

    def test_overlapping_ranges_count_as_openpyxl_builds_them(self, tmp_path: Path) -> None:
        merges = "".join('<mergeCell ref="A1:B1000"/>' for _ in range(2))
        path = self._sheets(tmp_path, 2, f"<mergeCells>{merges}</mergeCells>")
        with path.open("rb") as handle, pytest.raises(WorkbookTooLarge) as caught:
            check_workbook(handle, 4000, total=7000)
        assert caught.value.cells == 8000  # 4,000 covered in each sheet, over its 2,000

    def test_the_bound_of_one_sheet_is_checked_first(self, tmp_path: Path) -> None:
        path = self._sheets(tmp_path, 3)
        with path.open("rb") as handle, pytest.raises(SheetTooLarge):
            check_workbook(handle, 1000, total=5000)
