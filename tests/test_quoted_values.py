"""What planc prints about a value read from a user's file (a cell, an owner, an amount).

A message quotes such a value through ``planc.core.safetext.shown`` (or ``quoted``, its
``'...'`` form): whole when short, otherwise its start and end and how long it was, with
control characters and bidi overrides escaped. In the message itself, so the JSON output
is as bounded and as safe as the text one (the exact data is at the diagnostic's place).
Findings of the msg13 review, one class per finding.
"""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from conftest import MINI, REPO, run_planc
from planc.core.numbers import show_long
from planc.core.safetext import NAME_LIMIT, QUOTE_LIMIT, quoted, shown

ROSTER = REPO / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_teams.csv"
SAMPLE = ("--owner", "Alex Morgan", "--company", "CRM sample company")
HUGE = "9" * 5000
HUGE_SHOWN = f"{'9' * 31}…{'9' * 31} (5,000 characters)"
# (as written, as a message shows it): an ANSI colour, a bidi override, a line break
HOSTILE = [
    ("a\x1b[31mred", "a\\x1b[31mred"),
    ("abc\u202eevil", "abc\\u202eevil"),
    ("abc\u061cevil", "abc\\u061cevil"),
    ("one\ntwo", "one\\ntwo"),
]


class TestTheOneHelper:
    def test_a_short_value_is_shown_whole(self) -> None:
        assert shown("Anna Snelling") == "Anna Snelling"
        assert quoted("600k") == "'600k'"
        assert quoted("O'Brien") == repr("O'Brien")  # as !r wrote it: same bytes as before

    def test_a_long_value_keeps_its_start_and_says_how_long_it_was(self) -> None:
        assert shown(HUGE) == HUGE_SHOWN
        assert quoted(HUGE) == f"'{'9' * 31}…{'9' * 31}' (5,000 characters)"
        assert len(shown("x" * QUOTE_LIMIT)) == QUOTE_LIMIT
        assert show_long(HUGE) == "99999999999…99999999999 (5,000 characters)"

    @pytest.mark.parametrize(("raw", "escaped"), HOSTILE)
    def test_controls_and_bidi_are_escaped(self, raw: str, escaped: str) -> None:
        assert shown(raw) == escaped
        assert quoted(raw) == f"'{escaped}'"
        assert show_long(raw, 60) == escaped

    def test_a_long_value_is_cut_before_it_is_escaped(self) -> None:
        escapes = "\\x1b" * 31
        assert shown("\x1b" * 100) == f"{escapes}…{escapes} (100 characters)"


# --- planc import --update ----------------------------------------------------------------

BOB_REVENUE = "K23"
ANN_LOGOS = "K14"


def _update_workbook(tmp_path: Path, cells: dict[str, Any]) -> tuple[Path, Path]:
    root = tmp_path / "work"
    shutil.copytree(MINI, root / "plans" / "2027-Q1")
    exported = run_planc("export", root / "plans" / "2027-Q1", "--format", "xlsx", "-o",
                         root / "q1.xlsx")  # fmt: skip
    assert exported.code == 0, exported.stderr
    workbook = load_workbook(root / "q1.xlsx")
    sheet = workbook.worksheets[0]
    assert sheet["C23"].value == "bob" and sheet["H23"].value == "revenue"
    for ref, value in cells.items():
        sheet[ref] = value
    workbook.save(root / "edited.xlsx")
    return root, root / "edited.xlsx"


def _update(root: Path, edited: Path, *args: str) -> Any:
    return run_planc("import", "--update", edited, root / "plans" / "2027-Q1", *args)


class TestAHugeCellInAnUpdatedWorkbook:
    """A text cell of 5,000 digits where a number was: PLC803 printed it whole."""

    def test_text_output(self, tmp_path: Path) -> None:
        root, edited = _update_workbook(tmp_path, {BOB_REVENUE: HUGE})
        result = _update(root, edited)
        assert result.code == 1, result.stderr
        assert (
            f":23:11: PLC803 [error] cell K23 of sheet 2027-Q1 holds '{'9' * 31}…{'9' * 31}' "
            "(5,000 characters); it held the number 550,000\n"
        ) in result.stdout
        assert HUGE not in result.stdout

    def test_json_output_is_bounded_too(self, tmp_path: Path) -> None:
        root, edited = _update_workbook(tmp_path, {BOB_REVENUE: HUGE})
        result = _update(root, edited, "--format", "json")
        (found,) = [d for d in result.json()["diagnostics"] if d["code"] == "PLC803"]
        assert found["range"]["start"] == {"line": 23, "col": 11}
        assert "(5,000 characters)" in found["message"] and len(found["message"]) < 200

    @pytest.mark.parametrize(("raw", "escaped"), HOSTILE[1:])  # openpyxl refuses \x1b
    def test_controls_and_bidi_are_escaped_in_json_too(
        self, tmp_path: Path, raw: str, escaped: str
    ) -> None:
        root, edited = _update_workbook(tmp_path, {BOB_REVENUE: raw})
        result = _update(root, edited, "--format", "json")
        (found,) = [d for d in result.json()["diagnostics"] if d["code"] == "PLC803"]
        assert found["message"] == (
            f"cell K23 of sheet 2027-Q1 holds '{escaped}'; it held the number 550,000"
        )

    def test_a_changed_key_cell(self, tmp_path: Path) -> None:
        """PLC823: the old and the new text of a cell that is not the value."""
        root, edited = _update_workbook(tmp_path, {"D23": "Bob\u202e" + "x" * 100})
        result = _update(root, edited, "--format", "json")
        (found,) = [d for d in result.json()["diagnostics"] if d["code"] == "PLC823"]
        assert found["message"].startswith(
            f"cell D23 of sheet 2027-Q1 (node_name) was 'Bob Ortiz' in the export, is 'Bob\\u202e{'x' * 27}…"
        )
        assert "(104 characters) now: only the value column is read back" in found["message"]


def _with_number(workbook: Path, ref: str, number: str) -> None:
    """The workbook with cell ``ref`` of its first sheet holding ``number`` as written in
    the XML (openpyxl writes no number past a float's range, a spreadsheet might)."""
    entries = {}
    with zipfile.ZipFile(workbook) as source:
        for name in source.namelist():
            entries[name] = source.read(name)
    sheet = entries["xl/worksheets/sheet1.xml"].decode()
    sheet, count = re.subn(
        rf'<c r="{ref}"[^>]*>.*?</c>', f'<c r="{ref}" t="n"><v>{number}</v></c>', sheet
    )
    assert count == 1
    entries["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(workbook, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in entries.items():
            out.writestr(name, data)


class TestANumberPastTheBoundInAnUpdatedWorkbook:
    """A number cell of 1E+300 (or past a float's range) was written into the YAML, and
    planc check refused it there (PLC025) in every file it touched. It is PLC803 at its
    cell, shortened, and nothing is written."""

    @pytest.mark.parametrize(
        ("number", "said"),
        [
            ("9" * 300 + ".5", "10000000000…00000000000 (301 characters), too large"),
            ("1e400", "Infinity, not a finite number"),
            ("1234567890123456", "1234567890123456, too large"),
        ],
        ids=["1e300", "inf", "10^15"],
    )
    def test_is_reported_at_its_cell(self, tmp_path: Path, number: str, said: str) -> None:
        root, edited = _update_workbook(tmp_path, {ANN_LOGOS: 6})
        _with_number(edited, BOB_REVENUE, number)
        folder = root / "plans" / "2027-Q1"
        before = {p: p.read_bytes() for p in folder.rglob("*.yaml")}
        result = _update(root, edited)
        assert result.code == 1, result.stderr
        assert (
            f":23:11: PLC803 [error] cell K23 of sheet 2027-Q1 holds {said}: planc reads "
            "numbers below 10^15 (a thousand trillion) with at most 6 decimals; it held the "
            "number 550,000\n"
        ) in result.stdout
        assert {p: p.read_bytes() for p in folder.rglob("*.yaml")} == before


# --- date cells -------------------------------------------------------------------------------


class TestADateCellWhereANumberBelongs:
    """openpyxl reads a date cell (a number the cell's format shows as a date) as a datetime,
    and the sheet reader took every value that was not text or a number for a formula:
    "holds the formula 2020-01-01 00:00:00". A date is a value; where a number belongs it is
    PLC803, naming the cell and saying it is a date."""

    def test_import_update(self, tmp_path: Path) -> None:
        root, edited = _update_workbook(tmp_path, {ANN_LOGOS: datetime(2020, 1, 1)})
        result = _update(root, edited)
        assert result.code == 1, result.stderr
        assert (
            ":14:11: PLC803 [error] cell K14 of sheet 2027-Q1 holds 2020-01-01, a date where a "
            "number belongs; it held the number 5\n      = hint: type the number; if you did, "
            "the cell is formatted as a date: format it as a number\n"
        ) in result.stdout
        assert "formula" not in result.stdout

    def test_a_time_cell(self, tmp_path: Path) -> None:
        root, edited = _update_workbook(tmp_path, {ANN_LOGOS: time(10, 30)})
        result = _update(root, edited)
        assert "cell K14 of sheet 2027-Q1 holds 10:30:00, a time where a number belongs" in (
            result.stdout
        )

    def test_a_formula_is_still_one(self, tmp_path: Path) -> None:
        root, edited = _update_workbook(tmp_path, {ANN_LOGOS: "=TODAY()"})
        result = _update(root, edited)
        assert "cell K14 of sheet 2027-Q1 holds the formula =TODAY()" in result.stdout

    def test_import_quotas(self, tmp_path: Path) -> None:
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append(["name", "revenue"])
        sheet.append(["Anna Snelling", 550000])
        sheet.append(["Cecily Lampkin", date(2020, 1, 1)])
        quotas = tmp_path / "quotas.xlsx"
        workbook.save(quotas)
        folder = tmp_path / "plans" / "2017-Q4"
        result = run_planc("import", folder, "--roster", ROSTER, "--quotas", quotas, *SAMPLE)
        assert result.code == 1, result.stderr
        assert (
            f"{quotas}:3:2: PLC803 [error] cell B3 of sheet Sheet holds 2020-01-01, a date "
            "where a number belongs\n"
        ) in result.stdout
        assert not folder.exists()


# --- binary Parquet columns -------------------------------------------------------------------

CRM_PLAN = REPO / "plans" / "2017-Q3"
CRM_EXPORT = REPO / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_pipeline.csv"


def _crm_parquet(path: Path, column: str, values: Any) -> Path:
    """July 2017 of the CRM sample as Parquet, ``column`` replaced by ``values(rows)``."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    with CRM_EXPORT.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["close_date"].startswith("2017-07")]
    table: dict[str, Any] = {name: [r[name] for r in rows] for name in rows[0]}
    table["close_value"] = [int(v) if v else None for v in table["close_value"]]
    table[column] = values(table[column])
    pq.write_table(pa.table(table), path)
    return path


def _track(export: Path, engine: str) -> Any:
    return run_planc("track", CRM_PLAN, "--actuals", export, "--as-of", "2017-08-15", "-f",
                     "json", env={"PLANC_TRACK_ENGINE": engine})  # fmt: skip


class TestABinaryParquetColumn:
    """A Parquet owner column of bytes (binary, not string): the pandas reader showed its
    owners as b'\\xff\\xfe', DuckDB's as \\xFF\\xFE, and neither matched anyone (DuckDB did
    when the bytes were ASCII). Some writers (older Hive, Impala) store all text so: bytes
    that are UTF-8 are read as the text they are, by both engines; others are PLC702 at the
    first row that is not UTF-8."""

    BINARY_TYPES = ("binary", "large_binary", "binary_view")

    @pytest.mark.parametrize("kind", BINARY_TYPES)
    @pytest.mark.parametrize("column", ["sales_agent", "product", "deal_stage", "close_date"])
    def test_utf8_bytes_read_as_the_text_they_are(
        self, tmp_path: Path, kind: str, column: str
    ) -> None:
        """Both engines give the same bytes as for the same export with text columns,
        names beyond ASCII included (DuckDB alone showed them as Jos\\xC3\\xA9)."""
        pytest.importorskip("duckdb")
        pa = pytest.importorskip("pyarrow")
        export = tmp_path / "export.parquet"  # one path: the output names it
        expected = _track(_crm_parquet(export, column, lambda names: names), "pandas")
        assert expected.code == 0, expected.stderr
        _crm_parquet(
            export, column, lambda names: pa.array([n.encode() for n in names], getattr(pa, kind)())
        )
        for engine in ("pandas", "duckdb"):
            found = _track(export, engine)
            assert (found.code, found.stdout) == (0, expected.stdout), engine + found.stderr

    @pytest.mark.parametrize("column", ["sales_agent", "close_date"])
    def test_dictionary_encoded_bytes(self, tmp_path: Path, column: str) -> None:
        """A dictionary of bytes (as pyarrow writes a dictionary-encoded binary column, and
        reads it back so) is text too: the pandas reader showed b'Moses Frase' as an owner
        matching no one (729 errors for the CRM sample)."""
        pytest.importorskip("duckdb")
        pa = pytest.importorskip("pyarrow")
        export = tmp_path / "export.parquet"  # one path: the output names it
        expected = _track(_crm_parquet(export, column, lambda names: names), "pandas")
        assert expected.code == 0, expected.stderr
        _crm_parquet(
            export,
            column,
            lambda names: pa.array([n.encode() for n in names], pa.binary()).dictionary_encode(),
        )
        for engine in ("pandas", "duckdb"):
            found = _track(export, engine)
            assert (found.code, found.stdout) == (0, expected.stdout), engine + found.stderr

    def test_a_name_beyond_ascii(self, tmp_path: Path) -> None:
        """A rep named beyond ASCII matches through bytes as through text, in both engines
        (DuckDB's cast had made Anna Snell\\xC3\\xADng of her, matching no one)."""
        pytest.importorskip("duckdb")
        pa = pytest.importorskip("pyarrow")
        plan = tmp_path / "plans" / "2017-Q3"
        shutil.copytree(CRM_PLAN, plan)
        central = plan / "regions" / "central.yaml"
        text = central.read_text(encoding="utf-8")
        central.write_text(text.replace("Anna Snelling", "Anna Snellíng"), encoding="utf-8")

        def renamed(names: list[str]) -> list[str]:
            return ["Anna Snellíng" if n == "Anna Snelling" else n for n in names]

        export = tmp_path / "export.parquet"  # one path: the output names it

        def track(export: Path, engine: str) -> Any:
            return run_planc("track", plan, "--actuals", export, "--as-of", "2017-08-15",
                             "-f", "json", env={"PLANC_TRACK_ENGINE": engine})  # fmt: skip

        expected = track(_crm_parquet(export, "sales_agent", renamed), "pandas")
        assert expected.code == 0, expected.stderr
        assert "Anna Snellíng · Revenue (anna-snelling/revenue): 10,784 by" in expected.stdout
        _crm_parquet(
            export,
            "sales_agent",
            lambda names: pa.array([n.encode() for n in renamed(names)], pa.binary()),
        )
        for engine in ("pandas", "duckdb"):
            found = track(export, engine)
            assert (found.code, found.stdout) == (0, expected.stdout), engine + found.stderr

    @pytest.mark.parametrize("column", ["sales_agent", "product"])
    def test_bytes_not_utf8_are_refused_at_their_row(self, tmp_path: Path, column: str) -> None:
        pytest.importorskip("duckdb")
        pa = pytest.importorskip("pyarrow")

        def make(names: list[str]) -> Any:
            values = [n.encode() for n in names]
            values[2] = b"\xff\xfe"
            return pa.array(values, pa.binary())

        export = _crm_parquet(tmp_path / "export.parquet", column, make)
        pandas, duckdb = _track(export, "pandas"), _track(export, "duckdb")
        assert pandas.code == duckdb.code == 1, pandas.stderr + duckdb.stderr
        assert pandas.stdout == duckdb.stdout
        (found,) = pandas.json()["diagnostics"]
        assert found["code"] == "PLC702"
        assert found["message"] == (
            f"column {column} of {export} holds bytes that are not UTF-8 text, first in row 3"
        )
        assert found["hint"] == "export the column as text (a UTF-8 string column)"

    def test_a_binary_key_is_still_read(self, tmp_path: Path) -> None:
        """A key is only compared with other keys (a UUID is often 16 bytes): both engines
        read it as before, and agree."""
        pytest.importorskip("duckdb")
        pa = pytest.importorskip("pyarrow")
        export = _crm_parquet(
            tmp_path / "export.parquet",
            "opportunity_id",
            lambda keys: pa.array([key.encode() for key in keys], pa.binary()),
        )
        pandas, duckdb = _track(export, "pandas"), _track(export, "duckdb")
        assert pandas.code == duckdb.code == 0, pandas.stderr + duckdb.stderr
        assert pandas.stdout == duckdb.stdout


# --- the sweep: every message quoting a sheet's cell ------------------------------------------

LONG_NAME = "Anna " + "x" * 5000
LONG_NAME_QUOTED = f"'Anna {'x' * 26}…{'x' * 31}' (5,005 characters)"


def _import(tmp_path: Path, quotas_csv: str, roster: Path = ROSTER) -> Any:
    quotas = tmp_path / "quotas.csv"
    quotas.write_text(quotas_csv, encoding="utf-8")
    result = run_planc("import", tmp_path / "plans" / "2017-Q4", "--roster", roster, "--quotas",
                       quotas, *SAMPLE, "--format", "json")  # fmt: skip
    assert result.code == 1, result.stderr
    return result.json()["diagnostics"]


class TestTheQuotaSheetsMessages:
    """planc import quoted a quota sheet's cells whole: a 5,000-character name, header or
    value came back whole in the message (text and JSON)."""

    @pytest.mark.parametrize(
        ("sheet", "code", "message"),
        [
            (
                f"name,revenue\nAnna Snelling,{HUGE}x\nCecily Lampkin,1\n",
                "PLC803",
                f"cell B2 holds '{'9' * 31}…{'9' * 30}x' (5,001 characters), not a number",
            ),
            (
                "name,revenue\nAnna Snelling,\x1b[31m5\nCecily Lampkin,1\n",
                "PLC803",
                "cell B2 holds '\\x1b[31m5', not a number",
            ),
            (
                f"name,revenue\n{LONG_NAME},1\n",
                "PLC802",
                f"{LONG_NAME_QUOTED} (cell A2) is not a rep, manager, team, region or the "
                "company of the roster",
            ),
            (
                f"name,{LONG_NAME}\nAnna Snelling,1\n",
                "PLC805",
                f"cannot tell the unit of {LONG_NAME_QUOTED} (cell B1) from its header",
            ),
            (
                "name,Zorblax\u202e\nAnna Snelling,1\n",
                "PLC805",
                "cannot tell the unit of 'Zorblax\\u202e' (cell B1) from its header",
            ),
        ],
        ids=["huge-value", "ansi-value", "huge-name", "huge-header", "bidi"],
    )
    def test_quoted_shortened_and_escaped(
        self, tmp_path: Path, sheet: str, code: str, message: str
    ) -> None:
        found = [d for d in _import(tmp_path, sheet) if d["code"] == code]
        assert found and found[0]["message"] == message, found

    def test_a_repeated_row(self, tmp_path: Path) -> None:
        roster = tmp_path / "roster.csv"
        roster.write_text(
            f"sales_agent,manager,regional_office\n{LONG_NAME},Ned Stark,North\n"
            "Bob Ortiz,Ned Stark,North\n",
            encoding="utf-8",
        )
        sheet = f"name,revenue\n{LONG_NAME},1\nBob Ortiz,1\n{LONG_NAME},2\n"
        (found,) = [d for d in _import(tmp_path, sheet, roster) if d["code"] == "PLC806"]
        assert found["message"] == f"{LONG_NAME_QUOTED} has numbers in row 2 already (cell A2)"
        assert found["range"]["start"] == {"line": 4, "col": 1}


# --- the sweep: planc track's messages about an export's values -------------------------------


def _crm_csv(path: Path, column: str, value: str) -> Path:
    """July 2017 of the CRM sample, the first row's ``column`` holding ``value``."""
    with CRM_EXPORT.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["close_date"].startswith("2017-07")]
    rows[0][column] = value
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


class TestTheTrackMessages:
    """planc track quoted an export's owners, products, stages, dates and keys as they were:
    whole (a 5,000-character owner filled the message), and in JSON with the terminal escape
    or the bidi override itself. Both engines quote them shortened and escaped."""

    @pytest.mark.parametrize(
        ("column", "value", "code", "said"),
        [
            ("sales_agent", HUGE, "PLC710", f"sales_agent `{HUGE_SHOWN}` in 1 row is no person"),
            ("sales_agent", "Eve\x1b[31m", "PLC710", "sales_agent `Eve\\x1b[31m` in 1 row"),
            ("product", "GTX\u202eevil", "PLC711", "product `GTX\\u202eevil` in 1 row is no"),
            ("deal_stage", "Won\nLost", "PLC712", "deal_stage `Won\\nLost` in 1 row is not a"),
            ("close_date", "2017-07-01\x1b[2J", "PLC705", "close_date `2017-07-01\\x1b[2J` is not"),
            ("engage_date", HUGE, "PLC705", f"engage_date `{HUGE_SHOWN}` is not a date"),
        ],
        ids=["huge-owner", "ansi-owner", "bidi-product", "newline-stage", "ansi-date", "huge-date"],
    )
    @pytest.mark.parametrize("engine", ["pandas", "duckdb"])
    def test_quoted_shortened_and_escaped(
        self, tmp_path: Path, column: str, value: str, code: str, said: str, engine: str
    ) -> None:
        if engine == "duckdb":
            pytest.importorskip("duckdb")
        export = _crm_csv(tmp_path / "export.csv", column, value)
        result = _track(export, engine)
        assert result.code in (0, 1), result.stderr
        found = [d["message"] for d in result.json()["diagnostics"] if d["code"] == code]
        assert len(found) == 1 and found[0].startswith(said), found
        assert "\x1b" not in result.stdout and "\u202e" not in result.stdout

    LONG_PRODUCT = "Microsoft 365 E5 (no Teams) Annual Subscription - Commercial - Paid Yearly"

    @pytest.mark.parametrize("engine", ["pandas", "duckdb"])
    def test_a_name_to_type_is_whole_in_the_hint(self, tmp_path: Path, engine: str) -> None:
        """The hint asks for the product to be typed under actuals.products: a CRM's product
        name of 74 characters was cut there too (…, 74 characters), and could not be typed."""
        if engine == "duckdb":
            pytest.importorskip("duckdb")
        assert QUOTE_LIMIT < len(self.LONG_PRODUCT) <= NAME_LIMIT
        export = _crm_csv(tmp_path / "export.csv", "product", self.LONG_PRODUCT)
        (found,) = [
            d for d in _track(export, engine).json()["diagnostics"] if d["code"] == "PLC711"
        ]
        assert found["message"].startswith(f"product `{shown(self.LONG_PRODUCT)}` in 1 row")
        assert found["hint"] == f"add `{self.LONG_PRODUCT}: <product id>` under actuals.products"

    def test_a_huge_name_is_cut_in_the_hint_too(self, tmp_path: Path) -> None:
        export = _crm_csv(tmp_path / "export.csv", "sales_agent", HUGE)
        (found,) = [
            d for d in _track(export, "pandas").json()["diagnostics"] if d["code"] == "PLC710"
        ]
        typed = f"{'9' * 127}…{'9' * 127} (5,000 characters)"
        assert found["hint"] == f"add `{typed}: <person id>` under actuals.owners"

    def test_a_repeated_key(self, tmp_path: Path) -> None:
        with CRM_EXPORT.open(encoding="utf-8", newline="") as handle:
            rows = [r for r in csv.DictReader(handle) if r["close_date"].startswith("2017-07")]
        rows[0]["opportunity_id"] = rows[1]["opportunity_id"] = HUGE
        export = tmp_path / "export.csv"
        with export.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        result = _track(export, "pandas")
        (found,) = [d for d in result.json()["diagnostics"] if d["code"] == "PLC760"]
        assert found["message"] == (
            f"1 opportunity_id value on more than one row: `{HUGE_SHOWN}` (rows 2, 3)"
        )

    def test_a_missing_column_lists_the_header_shortened(self, tmp_path: Path) -> None:
        export = tmp_path / "export.csv"
        text = CRM_EXPORT.read_text(encoding="utf-8").splitlines()
        header = text[0].replace("sales_agent", HUGE + "\x1b")
        export.write_text("\n".join([header, *text[1:50]]) + "\n", encoding="utf-8")
        result = _track(export, "pandas")
        (found,) = [d for d in result.json()["diagnostics"] if d["code"] == "PLC704"]
        # a column to type back into actuals.columns: cut at NAME_LIMIT, not QUOTE_LIMIT
        assert f"its columns are opportunity_id, {'9' * 127}…{'9' * 126}\\x1b (5,001 characters), " \
            in found["message"]  # fmt: skip


# --- the sweep: plan files -----------------------------------------------------------------


class TestAPlanValueTheSchemaRefuses:
    """The schema's messages cut a long value on their own (57 characters and "...", a
    second way of shortening) and left a terminal escape in it for the JSON output."""

    def test_quoted_shortened_and_escaped(self, tmp_path: Path) -> None:
        plan = tmp_path / "plan"
        shutil.copytree(MINI, plan)
        quarter = plan / "quarter.yaml"
        text = quarter.read_text(encoding="utf-8")
        value = "cur\\e[31m" + "y" * 5000  # YAML's \e: the escape character
        quarter.write_text(text.replace("    unit: currency", f'    unit: "{value}"', 1), "utf-8")
        result = run_planc("check", plan, "--format", "json")
        (found,) = [d for d in result.json()["diagnostics"] if d["code"] == "PLC104"]
        assert found["message"] == (
            f'`metrics[0].unit`: "cur\\x1b[31m{"y" * 21}…{"y" * 29}" (5,008 characters) is not '
            "one of: currency, count, percent, score"
        )

    def test_an_unknown_key(self, tmp_path: Path) -> None:
        """PLC102 quoted the key whole (a YAML key may be 1,024 characters) and unescaped."""
        plan = tmp_path / "plan"
        shutil.copytree(MINI, plan)
        quarter = plan / "quarter.yaml"
        text = quarter.read_text(encoding="utf-8")
        key = "k\\e[31m" + "z" * 900
        quarter.write_text(
            text.replace("    unit: currency", f'    unit: currency\n    "{key}": 1', 1), "utf-8"
        )
        result = run_planc("check", plan, "--format", "json")
        (found,) = [d for d in result.json()["diagnostics"] if d["code"] == "PLC102"]
        assert found["message"] == (
            f"unknown key `k\\x1b[31m{'z' * 25}…{'z' * 31} (906 characters)`"
        )
        assert found["range"]["end"]["col"] - found["range"]["start"]["col"] == 909

    def test_a_duplicate_key(self, tmp_path: Path) -> None:
        """PLC002 quoted a repeated key whole and unescaped, as PLC102 did."""
        plan = tmp_path / "plan"
        shutil.copytree(MINI, plan)
        quarter = plan / "quarter.yaml"
        text = quarter.read_text(encoding="utf-8")
        key = "k\\e[31m" + "z" * 900
        twice = f'    unit: currency\n    "{key}": 1\n    "{key}": 2'
        quarter.write_text(text.replace("    unit: currency", twice, 1), "utf-8")
        result = run_planc("check", plan, "--format", "json")
        found = [d["message"] for d in result.json()["diagnostics"] if "duplicate" in d["message"]]
        assert found == [f"duplicate key `k\\x1b[31m{'z' * 25}…{'z' * 31} (906 characters)`"]

    def test_a_short_value_is_as_before(self, tmp_path: Path) -> None:
        plan = tmp_path / "plan"
        shutil.copytree(MINI, plan)
        quarter = plan / "quarter.yaml"
        text = quarter.read_text(encoding="utf-8")
        quarter.write_text(text.replace("    unit: currency", "    unit: money", 1), "utf-8")
        result = run_planc("check", plan, "--format", "json")
        (found,) = [d for d in result.json()["diagnostics"] if d["code"] == "PLC104"]
        assert found["message"].startswith('`metrics[0].unit`: "money" is not one of:')


# --- the sweep: planc comment's untrusted event and artifact --------------------------------


class TestWhatPlancCommentQuotes:
    """planc comment quoted the event's values with !r, whole (a 5,000-character head
    commit), and cut the artifact's claim and tags on its own (20 and 40 characters)."""

    def test_an_events_values(self) -> None:
        from fakegithub import REPOSITORY, workflow_run_event
        from planc.change.comment import CommentError, trigger_from_event

        with pytest.raises(CommentError) as caught:
            trigger_from_event("workflow_run", workflow_run_event("\x1b" + "f" * 5000), REPOSITORY)
        assert str(caught.value) == (
            f"the event's head commit is not a commit id: '\\x1b{'f' * 30}…{'f' * 31}' "
            "(5,001 characters)"
        )
        event = {"workflow_run": {"event": ["push"] * 2000}}
        with pytest.raises(CommentError) as caught:
            trigger_from_event("workflow_run", event, REPOSITORY)
        assert "(16,000 characters), not a pull request" in str(caught.value)

    def test_the_claim(self, tmp_path: Path) -> None:
        from planc.change.comment import UntrustedReport, read_claim

        claim = tmp_path / "pr-number"
        claim.write_text("x" * 30, encoding="utf-8")
        with pytest.raises(UntrustedReport) as caught:
            read_claim(claim)
        assert str(caught.value) == (
            f"the artifact's pull request number is not a number: '{'x' * 9}…{'x' * 9}' "
            "(30 characters)"
        )


@pytest.mark.filterwarnings("ignore:Title is more than 31 characters")
class TestASheetsName:
    """A sheet's name comes from the workbook: every message naming a cell named it whole."""

    TITLE = "Q\u202e" + "s" * 100
    SHOWN = f"Q\\u202e{'s' * 29}…{'s' * 31} (102 characters)"

    def test_in_a_cells_place(self, tmp_path: Path) -> None:
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = self.TITLE
        sheet.append(["name", "revenue"])
        sheet.append(["Anna Snelling", 550000])
        sheet.append(["Cecily Lampkin", "lots"])
        quotas = tmp_path / "quotas.xlsx"
        workbook.save(quotas)
        result = run_planc("import", tmp_path / "plans" / "2017-Q4", "--roster", ROSTER,
                           "--quotas", quotas, *SAMPLE, "--format", "json")  # fmt: skip
        (found,) = [d for d in result.json()["diagnostics"] if d["code"] == "PLC803"]
        assert found["message"] == f"cell B3 of sheet {self.SHOWN} holds 'lots', not a number"

    def test_in_the_list_of_sheets(self, tmp_path: Path) -> None:
        root, edited = _update_workbook(tmp_path, {})
        workbook = load_workbook(edited)
        workbook.worksheets[0].title = self.TITLE
        workbook.save(edited)
        result = _update(root, edited, "--format", "json")
        (found,) = [d for d in result.json()["diagnostics"] if d["code"] == "PLC823"]
        assert found["message"].endswith(
            f"has no visible sheet '2027-Q1' any more (sheets: {self.SHOWN})"
        )


class TestAWarehouseTablesColumns:
    """A database source's column names were listed whole where a mapped one is missing."""

    def test_are_listed_shortened_and_escaped(self, tmp_path: Path) -> None:
        import sqlite3

        pytest.importorskip("sqlalchemy")
        database = tmp_path / "crm.db"
        odd = "agent\u202e" + "a" * 100
        with sqlite3.connect(database) as connection:
            connection.execute(
                f'CREATE TABLE opportunities (opportunity_id TEXT, "{odd}" TEXT, close_date DATE,'
                " close_value NUMERIC(12, 2))"
            )
        plan = tmp_path / "plan"
        shutil.copytree(CRM_PLAN, plan)
        quarter = plan / "quarter.yaml"
        text = quarter.read_text(encoding="utf-8")
        source = f"\nactuals:\n  source: {{url: 'sqlite:///{database.as_posix()}', table: opportunities}}\n"
        quarter.write_text(text.replace("\nactuals:\n", source, 1), encoding="utf-8")
        result = run_planc("track", plan, "--as-of", "2017-08-15", "--format", "json")
        messages = [d["message"] for d in result.json()["diagnostics"]]
        said = f"its columns are opportunity_id, agent\\u202e{'a' * 100}, "  # whole: to type back
        assert any(said in m for m in messages), messages


class TestARenderedSitesMarker:
    """The site's .planc-site marker is untrusted: a line that is not a page was quoted cut
    to 80 characters on its own, saying neither its end nor its length."""

    def test_a_foreign_line_is_quoted_through_the_helper(self, tmp_path: Path) -> None:
        plan = tmp_path / "plan"
        shutil.copytree(MINI, plan)
        site = tmp_path / "site"
        assert run_planc("render", plan, "--out", site).code == 0
        with (site / ".planc-site").open("a", encoding="utf-8") as marker:
            marker.write("../" + "v\u202e" * 100 + "\n")
        result = run_planc("render", plan, "--out", site)
        assert result.code == 2
        head = "v\\u202e" * 18  # 39 characters as written, "../" included
        assert f"names '../{head}…" in result.stderr
        assert "(203 characters), not a page planc writes" in result.stderr


# --- left13: names a user types back, whole up to NAME_LIMIT --------------------------------


class TestNamesToTypeBack:
    """Three lists and a hint still cut a name at QUOTE_LIMIT (64): the roster's header
    behind ``--roster-columns role=HEADER``, track's "its columns are ...", and the stage
    of "add it to actuals.stages" (named only in the cut message). Each shows it whole up
    to NAME_LIMIT, as PLC710/PLC711 do."""

    LONG = "Account Executive (primary owner as assigned by the territory plan) - 2027"

    def test_the_roster_header_lists_a_long_column_whole(self, tmp_path: Path) -> None:
        assert QUOTE_LIMIT < len(self.LONG) <= NAME_LIMIT
        roster = tmp_path / "roster.csv"
        roster.write_text(
            f"{self.LONG},manager,regional_office\nAnna Snelling,Dustin Brinkmann,Central\n",
            encoding="utf-8",
        )
        quotas = tmp_path / "quotas.csv"
        quotas.write_text("name,revenue\nAnna Snelling,1\n", encoding="utf-8")
        result = run_planc("import", tmp_path / "plans" / "2017-Q4", "--roster", roster,
                           "--quotas", quotas, *SAMPLE, "--format", "json")  # fmt: skip
        assert result.code in (1, 2), result.stderr
        (found,) = [
            d for d in result.json()["diagnostics"] if "the roster has no column" in d["message"]
        ]
        assert f"(header: {self.LONG}, manager, regional_office)" in found["message"]
        assert found["hint"] == "name the column with --roster-columns rep=HEADER"

    def test_a_huge_roster_header_is_cut_at_the_name_limit(self, tmp_path: Path) -> None:
        roster = tmp_path / "roster.csv"
        roster.write_text(f"{HUGE},manager\nAnna Snelling,Dustin Brinkmann\n", encoding="utf-8")
        quotas = tmp_path / "quotas.csv"
        quotas.write_text("name,revenue\nAnna Snelling,1\n", encoding="utf-8")
        result = run_planc("import", tmp_path / "plans" / "2017-Q4", "--roster", roster,
                           "--quotas", quotas, *SAMPLE, "--format", "json")  # fmt: skip
        (found,) = [
            d for d in result.json()["diagnostics"] if "the roster has no column" in d["message"]
        ]
        assert f"(header: {'9' * 127}…{'9' * 127} (5,000 characters), manager)" in found["message"]

    @pytest.mark.parametrize("engine", ["pandas", "duckdb"])
    def test_tracks_column_list_shows_a_long_column_whole(
        self, tmp_path: Path, engine: str
    ) -> None:
        if engine == "duckdb":
            pytest.importorskip("duckdb")
        export = tmp_path / "export.csv"
        text = CRM_EXPORT.read_text(encoding="utf-8").splitlines()
        header = text[0].replace("sales_agent", self.LONG)
        export.write_text("\n".join([header, *text[1:50]]) + "\n", encoding="utf-8")
        result = _track(export, engine)
        (found,) = [d for d in result.json()["diagnostics"] if d["code"] == "PLC704"]
        assert f"its columns are opportunity_id, {self.LONG}, " in found["message"]

    @pytest.mark.parametrize("engine", ["pandas", "duckdb"])
    def test_a_long_stage_is_whole_in_the_hint(self, tmp_path: Path, engine: str) -> None:
        if engine == "duckdb":
            pytest.importorskip("duckdb")
        stage = "Closed Won - pending countersignature and legal review by the customer"
        assert QUOTE_LIMIT < len(stage) <= NAME_LIMIT
        export = _crm_csv(tmp_path / "export.csv", "deal_stage", stage)
        (found,) = [
            d for d in _track(export, engine).json()["diagnostics"] if d["code"] == "PLC712"
        ]
        assert found["message"].startswith(f"deal_stage `{shown(stage)}` in 1 row")
        assert found["hint"].endswith(f"add `{stage}` to actuals.stages (won, open or lost)")

    def test_a_short_stages_hint_is_unchanged(self, tmp_path: Path) -> None:
        export = _crm_csv(tmp_path / "export.csv", "deal_stage", "Parked")
        (found,) = [
            d for d in _track(export, "pandas").json()["diagnostics"] if d["code"] == "PLC712"
        ]
        assert found["hint"].endswith("add it to actuals.stages (won, open or lost)")
