"""Workbooks (.xlsx) measured before a parser builds them: no zip bomb, no sheet over a bound.

openpyxl and pandas size a sheet by what it holds, not by what it says: a sheet whose
``<dimension>`` tag is missing or says ``A1:B2`` while one cell sits at XFD1048576 is 17
billion cells to pandas (it pads every row to the widest), and a merged range
``A1:XFD1048576`` is 17 billion ``MergedCell`` objects to openpyxl. :func:`check_workbook`
finds each needed sheet's part as openpyxl does (``[Content_Types].xml``, the workbook
part, its relationships), streams the part once through expat and takes its true extent:
the largest row and column of every row and cell element present (a cell without ``r``
follows the one before it, as openpyxl places it) and of every merged range.

expat, not a regex over the bytes: it is the parser openpyxl itself reads through
(``xml.etree``), so it sees the same elements a hostile file can hide from a pattern
(a ``>`` inside an attribute value, a character reference in ``r``, an entity that
expands to cells, UTF-16), and a part it cannot parse is refused. Names are compared
without their namespace prefix and every direct child of a row counts as a cell, as
openpyxl counts it, so the extent is never less than what a reader builds.

Cost: one Python call per element (the end of one is a C ``list.append``). 2026-12-03, 2
busy cores, 200,000 rows x 8 columns written by openpyxl (inline strings, 4.2 million
elements): 4.5-4.7 s CPU against 25-31 s for ``pandas.read_excel`` of it; 20,000 x 8:
0.40 s against 6.0-6.9 s for import's two openpyxl loads. A parser that skips elements in
C (lxml's ``iterparse(tag=...)``, not a dependency) is the lever if it matters.
"""

from __future__ import annotations

import lzma
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO
from xml.etree import ElementTree
from xml.parsers import expat

from planc.core.safetext import shown
from planc.core.source import column_letters

# A member inflating over 100 times its compressed size (Apache POI's default bound) is a
# zip bomb, not a sheet. Sheets of real data inflate 5 to 20 times.
MAX_INFLATE_RATIO = 100
_INFLATE_FLOOR = 2**20  # members smaller than this inflate as they like
_CHUNK = 1 << 20  # decompressed bytes fed to expat at a time: the scan's memory
_ERROR_LIMIT = 200  # characters of a parser's or zipfile's error a message quotes
_MAX_ROW, _MAX_COLUMN = 1048576, 16384  # a whole-column or whole-row merged range
_COMMENTS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
# elements whose ``ref`` openpyxl makes a cell of, every cell of it: what a message says
_RANGES = {"mergeCell": "merges", "hyperlink": "links", "comment": "has a comment on"}
_WATCHED = {"row", *_RANGES}
_RANGE_CAUSE = "every cell of a merged, linked or commented range is read as a cell"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# openpyxl's order: the first part of the first of these types is the workbook
_WORKBOOK_TYPES = tuple(
    f"application/vnd.{kind}.main+xml"
    for kind in (
        "ms-excel.template.macroEnabled",
        "openxmlformats-officedocument.spreadsheetml.template",
        "ms-excel.sheet.macroEnabled",
        "openxmlformats-officedocument.spreadsheetml.sheet",
    )
)
# openpyxl's own pattern for a range (openpyxl.utils.cell), so every range it reads is read
_RANGE = re.compile(
    r"^[$]?(?P<min_col>[A-Za-z]{1,3})?[$]?(?P<min_row>\d+)?"
    r"(:[$]?(?P<max_col>[A-Za-z]{1,3})?[$]?(?P<max_row>\d+)?)?$"
)


#: what zipfile raises on a member whose compressed bytes are damaged (bzip2's is an OSError)
INFLATE_ERRORS = (zlib.error, lzma.LZMAError)

# what a damaged zip or part raises: a part missing (KeyError), a member compressed by a
# method zipfile lacks (NotImplementedError) or encrypted (RuntimeError), compressed bytes
# that do not inflate, XML that is not
_DAMAGED = (
    *INFLATE_ERRORS,
    KeyError,
    ValueError,
    OSError,
    EOFError,
    zipfile.BadZipFile,
    NotImplementedError,
    RuntimeError,
    ElementTree.ParseError,
    expat.ExpatError,
)


class UnreadableWorkbook(Exception):
    """A zip that planc will not hand to a parser: a zip bomb, or a workbook part missing
    or malformed; ``str()`` says why."""


class ZipBomb(UnreadableWorkbook):
    """A part that inflates absurdly: no parser gets to see it."""


class SheetTooLarge(Exception):
    """A sheet whose true extent, or a merged range of it, is over the bound.

    ``what`` reads after the sheet's name (``spans A1:XFD1048576``); ``cause`` and
    ``remedy`` say why it is that large and what to do.
    """

    def __init__(self, sheet: str, what: str, cells: int, bound: int, cause: str) -> None:
        super().__init__(f"sheet {sheet} {what} ({cells:,} cells); planc reads up to {bound:,}")
        self.sheet = sheet
        self.what = what
        self.cells = cells
        self.bound = bound
        self.cause = cause
        self.remedy = "delete the cells beyond the table (Ctrl+End shows the last one)"


class WorkbookTooLarge(Exception):
    """Worksheets each within the bound whose cells together are over the workbook's."""

    def __init__(self, sheets: int, cells: int, bound: int) -> None:
        super().__init__(f"its {sheets} sheets hold {cells:,} cells; planc reads up to {bound:,}")
        self.sheets = sheets
        self.cells = cells
        self.bound = bound


def check_workbook(
    handle: BinaryIO, bound: int, sheet: str | int | None = None, total: int | None = None
) -> None:
    """Raise :class:`UnreadableWorkbook` or :class:`SheetTooLarge` unless the workbook at
    ``handle`` is no zip bomb and every needed worksheet is within ``bound`` cells;
    :class:`WorkbookTooLarge` when ``total`` is given and the needed worksheets' cells
    together are over it (a reader that loads every sheet: many sheets each under
    ``bound`` are loaded together).

    ``sheet`` is the one a reader will read (its name, or its place among the worksheets
    as pandas counts it); None needs them all. A file that is no zip is left to the reader
    to name. The handle is rewound.
    """
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        handle.seek(0)
        return  # not a zip: the reader says what it is
    try:
        with archive:
            _refuse_bombs(archive)
            needed = _needed(archive, sheet)
            cells = sum(_check_sheet(archive, name, part, bound) for name, part in needed)
            if total is not None and cells > total:
                raise WorkbookTooLarge(len(needed), cells, total)
    except (UnreadableWorkbook, SheetTooLarge, WorkbookTooLarge):
        raise
    except _DAMAGED as error:
        said = shown(str(error), _ERROR_LIMIT)  # it may quote the file: a part, an attribute
        raise UnreadableWorkbook(f"{type(error).__name__}: {said}") from error
    finally:
        handle.seek(0)


def _refuse_bombs(archive: zipfile.ZipFile) -> None:
    """Python's zipfile stops a member at its declared size, so the sizes read here bound
    what a reader of the file gets."""
    for info in archive.infolist():
        if info.file_size > max(_INFLATE_FLOOR, MAX_INFLATE_RATIO * info.compress_size):
            raise ZipBomb(
                f"its part {shown(info.filename)} inflates from {info.compress_size:,} to "
                f"{info.file_size:,} bytes (over {MAX_INFLATE_RATIO} times): a zip "
                "bomb, not a sheet"
            )


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _needed(archive: zipfile.ZipFile, sheet: str | int | None) -> list[tuple[str, str]]:
    """(name, part) of the worksheets a reader of ``sheet`` parses, found as openpyxl finds
    them; every worksheet when the name is not one sheet's alone (openpyxl renames a
    duplicate)."""
    worksheets = list(_worksheets(archive))
    if isinstance(sheet, int):
        return worksheets[sheet : sheet + 1] if sheet >= 0 else []
    if sheet is not None:
        named = [found for found in worksheets if found[0] == sheet]
        if len(named) == 1:
            return named
    return worksheets


def _worksheets(archive: zipfile.ZipFile) -> Iterator[tuple[str, str]]:
    """openpyxl's ``ExcelReader.read_worksheets``: the sheets of the workbook part, in order,
    whose relationship targets a part that exists and is no chartsheet."""
    workbook = _workbook_part(archive)
    root = ElementTree.fromstring(archive.read(workbook))
    sheets = [child for child in root if _local(child.tag) == "sheets"][-1:]  # the last wins
    folder, leaf = posixpath.split(workbook)
    relations = _relations(archive, posixpath.join(folder, "_rels", f"{leaf}.rels"))
    present = set(archive.namelist())
    for entry in sheets[0] if sheets else ():
        key = entry.get(_REL, entry.get("id"))
        if not key:
            continue  # openpyxl drops it with a warning
        kind, target = relations[key]
        if target in present and "chartsheet" not in kind:
            yield entry.get("name") or target, target


def _workbook_part(archive: zipfile.ZipFile) -> str:
    root = ElementTree.fromstring(archive.read("[Content_Types].xml"))
    overrides = [child for child in root if _local(child.tag) == "Override"]
    for kind in _WORKBOOK_TYPES:
        for override in overrides:
            if override.get("ContentType") == kind:
                return override.get("PartName", "")[1:]
    defaults = {child.get("ContentType") for child in root if _local(child.tag) == "Default"}
    if defaults & set(_WORKBOOK_TYPES):
        return "xl/workbook.xml"
    raise UnreadableWorkbook("it has no workbook part")


def _relations(archive: zipfile.ZipFile, path: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, target part) as openpyxl's ``get_dependents`` resolves it."""
    parent = posixpath.split(posixpath.dirname(path))[0]
    relations: dict[str, tuple[str, str]] = {}
    for relation in ElementTree.fromstring(archive.read(path)):
        target = relation.get("Target", "")
        if relation.get("TargetMode") == "External":
            pass  # left as written: no part of the zip has that name
        elif target.startswith("/"):
            target = target[1:]
        else:
            target = posixpath.normpath(posixpath.join(parent, target))
        relations[relation.get("Id", "")] = (relation.get("Type") or "", target)
    return relations


def _check_sheet(archive: zipfile.ZipFile, name: str, part: str, bound: int) -> int:
    """The sheet's part, then its comments' parts: openpyxl makes a cell of every cell a
    comment is on. The cells a reader builds of the sheet (:meth:`_Extent.cells`)."""
    extent = _Extent()
    _scan(archive, part, extent)
    folder, leaf = posixpath.split(part)
    relations = posixpath.join(folder, "_rels", f"{leaf}.rels")
    present = set(archive.namelist())
    if relations in present:
        for kind, target in _relations(archive, relations).values():
            if kind == _COMMENTS and target in present:  # else no reader makes cells of it
                _scan(archive, target, extent)
    extent.refuse_over(name, bound)
    return extent.cells()


def _scan(archive: zipfile.ZipFile, part: str, extent: _Extent) -> None:
    parser = expat.ParserCreate()
    parser.StartElementHandler = extent.start
    # the end of an element only counts, so a C method takes it: no Python call per end
    parser.EndElementHandler = extent.ends.append
    extent.opened = extent.closed = extent.row_depth = 0
    extent.ends.clear()
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
            extent.closed += len(extent.ends)
            extent.ends.clear()
        parser.Parse(b"", True)


class _Extent:
    """The largest row and column a reader of the sheet places anything at, fed by expat."""

    def __init__(self) -> None:
        self.ends: list[str] = []
        self.opened = 0
        self.closed = 0
        self.row_depth = 0  # depth of the open row element; 0 when none is open
        self.row = 0  # openpyxl's row and column counters
        self.col = 0
        self.rows = 0
        self.cols = 0
        self.last_row = 0  # the largest row number of a row element, with cells or none
        self.covered = 0  # cells of every range, overlaps counted again
        self.widest: tuple[int, str] = (0, "")  # the largest range, as ``what`` says it

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.opened = opened = self.opened + 1
        row_depth = self.row_depth
        if row_depth:
            depth = opened - self.closed - len(self.ends)
            if depth == row_depth + 1:  # openpyxl makes a cell of every child of a row
                ref = attrs.get("r") or ""
                digits = ref.lstrip(_UPPER)  # AB12 -> 12
                col = _COLUMNS.get(ref[: len(ref) - len(digits)]) if digits else None
                if col is None or digits[0] not in _DIGITS:
                    self.cell(ref)
                else:  # letters read before, then an ASCII digit: as openpyxl splits it
                    self.col = col
                    self.rows = max(self.rows, int(digits))
                    self.cols = max(self.cols, col)
            elif depth <= row_depth:
                self.row_depth = 0  # the row closed
        if name in _WATCHED or ":" in name:
            self.watched(name.rpartition(":")[2], attrs)

    def watched(self, name: str, attrs: dict[str, str]) -> None:
        if name == "row":
            if self.row_depth:
                raise UnreadableWorkbook("a row inside a row")
            self.row_depth = self.opened - self.closed - len(self.ends)
            self.begin_row(attrs.get("r"))
        elif name in _RANGES:
            self.cover(name, attrs.get("ref", ""))

    def begin_row(self, number: str | None) -> None:
        if number is None:
            self.row += 1
        else:  # as openpyxl's parse_row reads it ("3.0" and "1e3" are rows too)
            try:
                self.row = int(number)
            except ValueError:
                try:
                    value = float(number)
                except ValueError:
                    value = float("nan")  # no number at all: no row number either
                if not value.is_integer():
                    raise UnreadableWorkbook(f"{shown(number)} is not a row number") from None
                self.row = int(value)
        self.col = 0
        # a row holds no cell of itself (an empty one, a height or a format, is none in
        # openpyxl), but pandas' read-only reader builds every row up to the last, an empty
        # list each: a row past a sheet's last row is refused in refuse_over
        self.last_row = max(self.last_row, self.row)

    def cell(self, ref: str | None) -> None:
        """A cell at its ``r`` as openpyxl's ``coordinate_to_tuple`` reads it (the column
        is what comes before the first ASCII digit, the row all after it), or after the
        cell before it. Uppercase letters are remembered with their column: the next cell
        of the column is read in :meth:`start` without this loop."""
        if not ref:
            self.col += 1
            self.rows = max(self.rows, self.row)
        else:
            first = 0
            for first, char in enumerate(ref):  # noqa: B007 - the place is what is wanted
                if char in _DIGITS:
                    break
            letters = ref[:first]
            try:
                self.col = _column(letters)
                self.rows = max(self.rows, int(ref[first:]))
            except ValueError:
                raise UnreadableWorkbook(f"{shown(ref)} is not a cell reference") from None
            if len(_COLUMNS) < 4096 and letters.isascii() and letters.isupper():
                _COLUMNS[letters] = self.col
        self.cols = max(self.cols, self.col)

    def cover(self, kind: str, ref: str) -> None:
        """A merged range, a hyperlink's or a comment's: openpyxl makes a cell of each of
        its cells."""
        found = _RANGE.match(ref)
        if found is None or not ref:
            return  # openpyxl's pattern: it fails on it too and makes no cell
        groups = found.groupdict()
        first_col = _column(groups["min_col"] or "A")
        last_col = _column(groups["max_col"] or groups["min_col"] or "XFD")
        first_row = int(groups["min_row"] or 1)
        last_row = int(groups["max_row"] or groups["min_row"] or _MAX_ROW)
        if not (groups["min_col"] or groups["max_col"]):
            first_col, last_col = 1, _MAX_COLUMN  # rows 3:5, every column
        cells = (abs(last_row - first_row) + 1) * (abs(last_col - first_col) + 1)
        self.covered += cells
        self.widest = max(self.widest, (cells, f"{_RANGES[kind]} {shown(ref)}"))
        self.rows = max(self.rows, first_row, last_row)
        self.cols = max(self.cols, first_col, last_col)

    def cells(self) -> int:
        """The cells a reader builds of the sheet: its extent, or the cells of its ranges
        (overlaps counted again) when more."""
        return max(self.rows * max(self.cols, 1 if self.rows > 0 else 0), self.covered)

    def refuse_over(self, name: str, bound: int) -> None:
        rows, cols = self.rows, max(self.cols, 1 if self.rows > 0 else 0)
        cells, what = self.widest
        if cells > bound:
            raise SheetTooLarge(name, what, cells, bound, _RANGE_CAUSE)
        if rows * cols > bound:
            raise SheetTooLarge(
                name,
                f"spans A1:{column_letters(cols)}{rows}",
                rows * cols,
                bound,
                "a value far right or far down makes it that large",
            )
        if self.covered > bound:
            raise SheetTooLarge(name, "has ranges that overlap", self.covered, bound, _RANGE_CAUSE)
        last = max(self.rows, self.last_row)
        if last > _MAX_ROW:  # no spreadsheet program writes one; pandas builds every row to it
            raise UnreadableWorkbook(
                f"sheet {shown(name)} has a row numbered {shown(f'{last:,}')}, past a sheet's "
                f"last row ({_MAX_ROW:,})"
            )


# letters before a cell's digits (``A``, ``$AB$``) -> the column, for those the pattern read
_COLUMNS: dict[str, int] = {}
_DIGITS = "0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _column(letters: str) -> int:
    """A column's number from its letters, as openpyxl's ``column_index_from_string``
    reads them (in either case); ValueError for what it refuses."""
    number = 0
    if len(letters) <= 3:  # ZZZ, openpyxl's last column
        for letter, power in zip(reversed(letters.upper()), (1, 26, 676), strict=False):
            if not "A" <= letter <= "Z":
                break
            number += (ord(letter) - 64) * power
        else:
            if 0 < number < 18279:  # up to ZZZ
                return number
    raise ValueError(f"{letters!r} is not a column")
