"""Workbooks written part by part with zipfile, for what openpyxl never writes: a sheet whose
``<dimension>`` is missing or lies, prefixed element names, cells without ``r``, a merged
range over the whole sheet, a part that is no XML.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
KIND = "application/vnd.openxmlformats-officedocument.spreadsheetml"
FAR = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'


def comment_parts(sheet_part: str, ref: str) -> dict[str, str]:
    """A comment on ``ref`` for the sheet at ``xl/<sheet_part>``: its part and the sheet's
    relationship to it."""
    folder, leaf = sheet_part.rsplit("/", 1)
    return {
        f"xl/{folder}/_rels/{leaf}.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{RELS}/comments" Target="../notes.xml"/>'
            "</Relationships>"
        ),
        "xl/notes.xml": (
            f'<comments xmlns="{MAIN}"><authors><author>Ann</author></authors><commentList>'
            f'<comment ref="{ref}" authorId="0"><text><t>see</t></text></comment>'
            "</commentList></comments>"
        ),
    }


def rows_xml(rows: Sequence[Sequence[str | int]], *, first: int = 1) -> str:
    """``<row>`` elements with numbered cells: text as inline strings, numbers as numbers."""
    out = []
    for number, row in enumerate(rows, start=first):
        cells = []
        for col, value in enumerate(row):
            ref = f"{chr(65 + col)}{number}"
            if isinstance(value, int):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
        out.append(f'<row r="{number}">{"".join(cells)}</row>')
    return "".join(out)


def sheet_xml(data: str, *, dimension: str | None = None, after: str = "") -> str:
    """A worksheet part: ``data`` inside ``<sheetData>``, then ``after`` (merged cells)."""
    size = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{size}'
        f"<sheetData>{data}</sheetData>{after}</worksheet>"
    )


def write_xlsx(
    path: Path,
    sheets: Sequence[tuple[str, str, str | bytes]],
    extra: Mapping[str, str] | None = None,
) -> Path:
    """A workbook of ``(name, part, xml)`` sheets in that order; each ``part`` is the path
    in the zip under ``xl/``, named as the test likes (not ``sheetN.xml`` in order).
    ``extra`` parts are added as they are (a sheet's relationships, its comments)."""
    overrides = "".join(
        f'<Override PartName="/xl/{part}" ContentType="{KIND}.worksheet+xml"/>'
        for _, part, _ in sheets
    )
    listed = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>'
        for n, (name, _, _) in enumerate(sheets, start=1)
    )
    relations = "".join(
        f'<Relationship Id="rId{n}" Target="{part}" Type="{RELS}/worksheet"/>'
        for n, (_, part, _) in enumerate(sheets, start=1)
    )
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{KIND}.sheet.main+xml"/>'
            f"{overrides}</Types>"
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>{listed}</sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{relations}</Relationships>"
        ),
    }
    for _, part, xml in sheets:
        parts[f"xl/{part}"] = xml
    parts.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path
