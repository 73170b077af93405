"""Hostile inputs through the real CLI: a diagnostic at the right place, never a traceback.

Findings of the hunt12 review, one class per finding.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import ClassVar

import pytest

from conftest import REPO, Run, run_planc
from handmade import FAR as FAR_CELL
from handmade import MAIN, comment_parts, rows_xml, sheet_xml, write_xlsx

CRM_PLAN = REPO / "plans" / "2017-Q3"
CRM_EXPORT = REPO / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_pipeline.csv"


def no_traceback(result: Run) -> Run:
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stdout + result.stderr
    return result


class TestAControlCharacterInAPlanFile:
    """libyaml refuses a control character with a byte offset, not a mark: the diagnostic
    pointed at 1:1 and carried libyaml's raw text (a literal \\n, "<byte string>", the byte
    offset). It points at the character's line and column now, in code points."""

    @pytest.mark.parametrize(("char", "name"), [("\x00", "U+0000"), ("\x07", "U+0007")])
    def test_it_is_pointed_at(self, mini_plan: Path, char: str, name: str) -> None:
        region = mini_plan / "regions" / "north.yaml"
        text = region.read_text(encoding="utf-8")
        # a wide character before it on the line: columns count code points, not bytes
        region.write_text(
            "\ufeff" + text.replace("  name: North\n", f"  name: 北方{char}x\n", 1),
            encoding="utf-8",
        )
        line = 1 + text.splitlines().index("  name: North")
        result = no_traceback(run_planc("check", mini_plan, "--format", "json"))
        assert result.code == 1
        (found,) = [d for d in result.json()["diagnostics"] if d["code"] == "PLC001"]
        assert found["path"].endswith("regions/north.yaml")
        assert found["range"]["start"] == {"line": line, "col": 11}
        assert found["message"] == (
            f"character {name} is not allowed in YAML (control characters are not allowed)"
        )

    def test_the_text_report_shows_the_line(self, mini_plan: Path) -> None:
        region = mini_plan / "regions" / "north.yaml"
        text = region.read_text(encoding="utf-8")
        region.write_text(text.replace("  name: North\n", "  name: No\x1brth\n", 1), "utf-8")
        result = no_traceback(run_planc("check", mini_plan))
        assert result.code == 1
        assert "<byte string>" not in result.stdout
        assert "  name: No\\x1brth" in result.stdout  # shown escaped, not obeyed


class TestAFileNameTooLong:
    """Python 3.11's Path.exists() and is_dir() raise on a name over the file system's limit
    (ENAMETOOLONG) where they return False on a missing one: a long argument was an internal
    error in most commands. It is a usage error now, naming the (shortened) path."""

    LONG = "x" * 300  # over NAME_MAX (255) of every Linux file system

    @pytest.mark.parametrize(
        "args",
        [
            ("check", LONG),
            ("check", "--base", LONG, "{plan}"),
            ("diff", "--base", LONG, "--head", "{plan}"),
            ("diff", "--base", "{plan}", LONG),
            ("allocate", LONG, "--node", "north", "--metric", "revenue"),
            ("track", "{crm}", "--actuals", LONG),
            ("track", "{crm}", "--actuals", f"revenue={LONG}"),
            ("import", "--update", LONG),
            ("codeowners", LONG),
        ],
        ids=[
            "check",
            "check-base",
            "diff-base",
            "diff-plan",
            "allocate",
            "track",
            "track-named",
            "import-update",
            "codeowners",
        ],
    )
    def test_is_a_usage_error(self, mini_plan: Path, args: tuple[str, ...]) -> None:
        given = (a.replace("{plan}", str(mini_plan)).replace("{crm}", str(CRM_PLAN)) for a in args)
        result = no_traceback(run_planc(*given))
        assert result.code == 2, result.stderr
        assert "a file name is too long for the file system: " in result.stderr
        assert "xxxxxxxx…xxxxxxxx" in result.stderr  # shortened, not 300 characters
        assert len(result.stderr) < 300


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
class TestStandardOutputOnAFullDisk:
    """Standard output redirected to a full disk (here /dev/full) was an internal error, and
    Python's own flush at exit added a message and exit status 120."""

    @pytest.mark.parametrize(
        "args",
        [("check", "{plan}"), ("check", "{plan}", "--format", "json"), ("schema",)],
        ids=["check", "check-json", "schema"],
    )
    def test_is_said_once(self, mini_plan: Path, args: tuple[str, ...]) -> None:
        with open("/dev/full", "wb") as full:
            completed = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "planc",
                    *(a.replace("{plan}", str(mini_plan)) for a in args),
                ],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                timeout=120,
                check=False,
                env={**os.environ},
            )
        assert completed.returncode == 2, completed.stderr
        assert completed.stderr == (
            "planc: error: cannot write the output: No space left on device\n"
        )


def _crm_parquet(path: Path, **columns: object) -> Path:
    """The 2017-Q3 rows of the public sample as Parquet, with some columns replaced."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    with CRM_EXPORT.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["close_date"].startswith("2017-07")]
    table = {name: [r[name] for r in rows] for name in rows[0]}
    table["close_value"] = [int(v) if v else None for v in table["close_value"]]
    for name, make in columns.items():
        assert callable(make)
        table[name] = make(len(rows))
    pq.write_table(pa.table(table), path)
    return path


class TestANestedParquetColumn:
    """A mapped Parquet column of lists or records: pyarrow cannot dictionary-encode it, and
    the pandas reader's ArrowNotImplementedError was an internal error. It is PLC702."""

    @pytest.mark.parametrize(
        ("column", "make", "kind"),
        [
            ("close_value", lambda n: [[1, 2]] * n, "list<element: int64>"),
            ("sales_agent", lambda n: [{"a": 1}] * n, "struct<a: int64>"),
        ],
        ids=["list", "struct"],
    )
    @pytest.mark.parametrize("engine", ["pandas", "duckdb"])
    def test_is_a_diagnostic(
        self, tmp_path: Path, column: str, make: object, kind: str, engine: str
    ) -> None:
        """Through DuckDB a record was cast to text and read as an owner named {'a': 1}."""
        if engine == "duckdb":
            pytest.importorskip("duckdb")
        export = _crm_parquet(tmp_path / "export.parquet", **{column: make})
        result = no_traceback(
            run_planc(
                "track",
                CRM_PLAN,
                "--actuals",
                export,
                "--as-of",
                "2017-08-15",
                "-f",
                "json",
                env={"PLANC_TRACK_ENGINE": engine},
            )
        )
        assert result.code == 1, result.stderr
        (found,) = result.json()["diagnostics"]
        assert found["code"] == "PLC702"
        assert found["message"] == (
            f"column {column} of {export} holds {kind}, not one value per row"
        )


class TestAnExportWhoseOwnersAllFailToMap:
    """Through DuckDB (any Parquet export of 8 MiB or more), an export none of whose owners
    is a person of the plan left the account sums as parts that were all empty, and the
    account maps indexed past them: an internal error. It reports as the pandas reader does."""

    @pytest.mark.parametrize("suffix", [".parquet", ".csv"])
    def test_same_report_as_pandas(self, tmp_path: Path, suffix: str) -> None:
        pytest.importorskip("duckdb")
        export = _crm_parquet(
            tmp_path / "export.parquet", sales_agent=lambda n: ["Nobody Known"] * n
        )
        if suffix == ".csv":
            pq = pytest.importorskip("pyarrow.parquet")
            pcsv = pytest.importorskip("pyarrow.csv")
            pcsv.write_csv(pq.read_table(export), tmp_path / "export.csv")
            export = tmp_path / "export.csv"
        args = ("track", CRM_PLAN, "--actuals", export, "--as-of", "2017-08-15", "-f", "json")
        duckdb = no_traceback(run_planc(*args, env={"PLANC_TRACK_ENGINE": "duckdb"}))
        pandas = no_traceback(run_planc(*args, env={"PLANC_TRACK_ENGINE": "pandas"}))
        assert duckdb.code == pandas.code == 0, duckdb.stderr
        assert duckdb.stdout == pandas.stdout
        assert [d["code"] for d in duckdb.json()["diagnostics"]].count("PLC710") == 1


ROSTER = REPO / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_teams.csv"


def _import_args(quotas: Path, plans: Path, *, update: bool = False) -> tuple[str | Path, ...]:
    """``planc import`` of a new quarter (``plans/2017-Q4``) from ``quotas`` and the CRM
    sample's roster, or ``import --update`` of ``plans`` from it."""
    if update:
        return ("import", "--update", quotas, "--plans", plans)
    return ("import", plans / "2017-Q4", "--roster", ROSTER, "--quotas", quotas,
            "--owner", "Alex Morgan", "--company", "X")  # fmt: skip


def _limited(*args: str | Path, env: dict[str, str] | None = None) -> Run:
    """planc in a process of at most 4 GB of address space: what this guards against took
    all the machine's memory (22 GB and more), and must fail fast if it comes back."""
    import resource  # POSIX only

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))

    completed = subprocess.run(
        [sys.executable, "-m", "planc", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
        preexec_fn=limit,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


def _track_refusal(export: Path) -> str:
    """The one diagnostic of ``planc track`` reading ``export`` for the CRM plan: a PLC702
    (the export cannot be read), its message."""
    result = no_traceback(
        _limited("track", CRM_PLAN, "--actuals", export, "--as-of", "2017-08-15", "-f", "json")
    )
    assert result.code == 1, result.stderr
    (found,) = result.json()["diagnostics"]
    assert found["code"] == "PLC702"
    return str(found["message"])


class TestAWorkbookWithAStrayCellFarAway:
    """One value at XFD1048576 (a 7 KB file): pandas pads every row to the widest, 17 billion
    cells, and track took all memory until killed. The used range is checked first."""

    def test_track_refuses_it(self, tmp_path: Path) -> None:
        openpyxl = pytest.importorskip("openpyxl")
        with CRM_EXPORT.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))[:50]
        book = openpyxl.Workbook()
        sheet = book.active
        for row in rows:
            sheet.append(row)
        sheet["XFD1048576"] = 1
        export = tmp_path / "export.xlsx"
        book.save(export)
        assert _track_refusal(export) == (
            f"sheet Sheet of {export} spans A1:XFD1048576 (17,179,869,184 cells); "
            "planc reads up to 67,108,864"
        )

    @pytest.mark.parametrize("update", [False, True], ids=["import", "import-update"])
    def test_import_refuses_it(self, tmp_path: Path, update: bool) -> None:
        """planc import built a Cell for every cell of the used range: it never finished."""
        openpyxl = pytest.importorskip("openpyxl")
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["name", "revenue"])
        sheet.append(["Anna Snelling", 100000])
        sheet["XFD1048576"] = 1
        quotas = tmp_path / "quotas.xlsx"
        book.save(quotas)
        result = no_traceback(_limited(*_import_args(quotas, tmp_path / "plans", update=update)))
        assert result.code == 2, result.stderr
        assert result.stderr == (
            f"planc: error: {quotas}: sheet Sheet spans A1:XFD1048576 (17,179,869,184 cells; "
            "planc reads up to 4,194,304): a value far right or far down makes it that large; "
            "delete the cells beyond the table (Ctrl+End shows the last one)\n"
        )
        assert not (tmp_path / "plans").exists()


class TestAWorkbookThatHidesItsSize:
    """The used range was read from the ``<dimension>`` tag: a sheet without one, or one
    saying A1:B2 with a cell at XFD1048576, passed, and pandas padded every row to the widest
    (track took all memory); a merged range A1:XFD1048576 made openpyxl build 17 billion
    cells in import. The sheet's XML is measured first, whatever it says of itself."""

    HEADER = rows_xml([["opportunity_id", "sales_agent"], ["1C1I7A6R", "Moses Frase"]])
    PREFIXED = (
        f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="1"><x:c r="A1"/></x:row>'
        '<x:row r="1048576"><x:c r="XFD1048576"/></x:row></x:sheetData></x:worksheet>'
    )
    MERGED = '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
    FAR = "a value far right or far down makes it that large"
    SHEETS: ClassVar[dict[str, tuple[str, str, str]]] = {
        "no-dimension": (sheet_xml(HEADER + FAR_CELL), "spans", FAR),
        "understated": (sheet_xml(HEADER + FAR_CELL, dimension="A1:B2"), "spans", FAR),
        "prefixed": (PREFIXED, "spans", FAR),
        "cells-without-r": (
            sheet_xml(HEADER + '<row r="1048576">' + "<c/>" * 16384 + "</row>"),
            "spans",
            FAR,
        ),
        "hyperlink": (
            sheet_xml(HEADER, after='<hyperlinks><hyperlink ref="A1:XFD1048576"/></hyperlinks>'),
            "links",
            "every cell of a merged, linked or commented range is read as a cell",
        ),
        "merged": (
            sheet_xml(HEADER, dimension="A1:B2", after=MERGED),
            "merges",
            "every cell of a merged, linked or commented range is read as a cell",
        ),
    }

    @pytest.mark.parametrize("kind", SHEETS)
    def test_track_refuses_it(self, tmp_path: Path, kind: str) -> None:
        xml, what, _ = self.SHEETS[kind]
        export = write_xlsx(tmp_path / "export.xlsx", [("Data", "worksheets/data.xml", xml)])
        assert _track_refusal(export) == (
            f"sheet Data of {export} {what} A1:XFD1048576 (17,179,869,184 cells); "
            "planc reads up to 67,108,864"
        )

    @pytest.mark.parametrize("kind", SHEETS)
    def test_import_refuses_it(self, tmp_path: Path, kind: str) -> None:
        xml, what, cause = self.SHEETS[kind]
        quotas = write_xlsx(tmp_path / "quotas.xlsx", [("Data", "worksheets/data.xml", xml)])
        for update in (False, True):
            args = _import_args(quotas, tmp_path / "plans", update=update)
            result = no_traceback(_limited(*args))
            assert result.code == 2, result.stderr
            assert result.stderr == (
                f"planc: error: {quotas}: sheet Data {what} A1:XFD1048576 (17,179,869,184 "
                f"cells; planc reads up to 4,194,304): {cause}; delete the cells beyond the "
                "table (Ctrl+End shows the last one)\n"
            )
        assert not (tmp_path / "plans").exists()

    def test_a_comment_far_away(self, tmp_path: Path) -> None:
        """openpyxl makes a cell of the cell a comment is on, in a part of its own."""
        parts = comment_parts("worksheets/data.xml", "XFD1048576")
        sheets = [("Data", "worksheets/data.xml", sheet_xml(self.HEADER, dimension="A1:B2"))]
        quotas = write_xlsx(tmp_path / "quotas.xlsx", sheets, parts)
        result = no_traceback(_limited(*_import_args(quotas, tmp_path / "plans")))
        assert result.code == 2, result.stderr
        assert f"{quotas}: sheet Data spans A1:XFD1048576 (17,179,869,184 cells" in result.stderr

    BROKEN = sheet_xml('<row r="1"><c r="A1"><v>1</v></row>')  # </c> missing

    def test_a_malformed_sheet_in_track(self, tmp_path: Path) -> None:
        export = write_xlsx(tmp_path / "export.xlsx", [("Data", "worksheets/d.xml", self.BROKEN)])
        message = _track_refusal(export)
        assert message.startswith(f"{export} is not a readable .xlsx workbook")
        assert "mismatched tag" in message

    def test_a_malformed_sheet_in_import(self, tmp_path: Path) -> None:
        quotas = write_xlsx(tmp_path / "quotas.xlsx", [("Data", "worksheets/d.xml", self.BROKEN)])
        folder = tmp_path / "plans" / "2017-Q4"
        result = no_traceback(run_planc(*_import_args(quotas, tmp_path / "plans")))
        assert result.code == 2, result.stderr
        assert result.stderr.startswith(f"planc: error: {quotas}: not a readable .xlsx workbook")
        assert "mismatched tag" in result.stderr
        assert not folder.exists()

    def test_a_workbook_made_by_hand_reads_as_its_csv(self, tmp_path: Path) -> None:
        """The sheet a reader reads is found through the workbook's relationships: the
        export is the second sheet, in a part named before the first's, beside a sheet whose
        cell far away nobody reads. Its own used range says A1:XFD1048576: it was refused for
        that, but pandas sizes a sheet by its cells, as the guard does now."""
        with CRM_EXPORT.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))[:200]
        export = tmp_path / "export.csv"
        with export.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)
        plan = tmp_path / "plan"
        shutil.copytree(CRM_PLAN, plan)
        mapping = plan / "quarter.yaml"
        text = mapping.read_text(encoding="utf-8")
        mapping.write_text(text.replace("  columns:\n", "  sheet: Export\n  columns:\n", 1))
        sheets = [
            ("Notes", "worksheets/b.xml", sheet_xml(rows_xml([["far"]]) + FAR_CELL)),
            ("Export", "worksheets/a.xml", sheet_xml(rows_xml(rows), dimension="A1:XFD1048576")),
        ]
        book = write_xlsx(tmp_path / "export.xlsx", sheets)
        outputs = [
            no_traceback(
                _limited("track", plan, "--actuals", source, "--as-of", "2017-08-15", "-f", "json")
            )
            for source in (export, book)
        ]
        assert [o.code for o in outputs] == [0, 0], outputs[1].stdout
        assert outputs[0].stdout.replace("export.csv", "export.xlsx") == outputs[1].stdout


class TestALongSourceLine:
    """The text report printed the whole source line under each diagnostic on it: a plan
    written on one line (up to 64 MiB) came out once per diagnostic. A long line is shown
    as a window around the column, cut with …, the caret under the same character."""

    def test_is_shown_around_the_column(self, mini_plan: Path) -> None:
        region = mini_plan / "regions" / "north.yaml"
        text = region.read_text(encoding="utf-8")
        keys = ", ".join(f"k{i}: 1" for i in range(600))  # 600 unknown keys on one line
        line = f"    revenue: {{value: 1000000, {keys}}}"
        region.write_text(text.replace("    revenue: {value: 1000000}", line, 1), "utf-8")
        result = no_traceback(run_planc("check", mini_plan))
        assert result.code == 1
        out = result.stdout.splitlines()
        assert max(len(shown) for shown in out) < 300  # not 600 copies of a 5,000-byte line
        at = next(i for i, shown in enumerate(out) if shown.endswith("unknown key `k300`"))
        excerpt, caret = out[at + 1], out[at + 2]
        assert excerpt.startswith("   10 | …") and excerpt.endswith("…")
        assert excerpt[caret.index("^") :].startswith("k300: 1, k301")

    def test_a_short_line_is_shown_whole(self, mini_plan: Path) -> None:
        region = mini_plan / "regions" / "north.yaml"
        text = region.read_text(encoding="utf-8")
        region.write_text(text.replace("  name: North\n", "  name: North\n  zz: 1\n", 1), "utf-8")
        result = no_traceback(run_planc("check", mini_plan))
        assert "unknown key `zz`\n    7 |   zz: 1\n      |   ^\n" in result.stdout


class TestAUTF32PlanFile:
    """UTF-32's byte-order mark starts with UTF-16's: the file was called UTF-16."""

    @pytest.mark.parametrize("encoding", ["utf-32", "utf-32-be", "utf-16"])
    def test_is_named(self, mini_plan: Path, encoding: str) -> None:
        region = mini_plan / "regions" / "north.yaml"
        text = region.read_text(encoding="utf-8")
        with_mark = text if encoding in ("utf-32", "utf-16") else "\ufeff" + text  # BOM added
        region.write_bytes(with_mark.encode(encoding))
        result = no_traceback(run_planc("check", mini_plan, "--format", "json"))
        assert result.code == 1
        (found,) = [d for d in result.json()["diagnostics"] if d["code"] == "PLC008"]
        name = "UTF-32" if encoding.startswith("utf-32") else "UTF-16"
        assert found["message"] == f"file is {name}, not UTF-8"


class TestAnAbsurdAmountInAQuotaSheet:
    """planc import took any number from the quota sheet and did arithmetic with it: a
    5,000-digit amount broke the rounding's modulo (decimal.InvalidOperation, an internal
    error). An amount beyond planc's bound is PLC803 at its cell, and nothing is written."""

    @pytest.mark.parametrize(
        ("amount", "said"),
        [
            ("9" * 5000, "99999999999…99999999999 (5,000 characters), too large"),
            ("1000000000000000", "1000000000000000, too large"),
            ("0.1234567", "0.1234567, too precise"),
        ],
        ids=["5000-digits", "10^15", "7-decimals"],
    )
    def test_is_reported_at_its_cell(self, tmp_path: Path, amount: str, said: str) -> None:
        quotas = tmp_path / "quotas.csv"
        quotas.write_text(f"name,revenue\nAnna Snelling,{amount}\n", encoding="utf-8")
        roster = REPO / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_teams.csv"
        folder = tmp_path / "plans" / "2017-Q4"
        result = no_traceback(
            run_planc(
                "import",
                folder,
                "--roster",
                roster,
                "--quotas",
                quotas,
                "--owner",
                "Alex Morgan",
                "--company",
                "CRM sample company",
            )
        )
        assert result.code == 1, result.stderr
        assert (
            f"{quotas}:2:2: PLC803 [error] cell B2 holds {said}: planc reads numbers below "
            "10^15 (a thousand trillion) with at most 6 decimals"
        ) in result.stdout
        assert not folder.exists()


class TestAnUnusableGitHubFile:
    """$GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY naming a folder or a path in a missing folder
    were internal errors, a FIFO hung the command until something read it."""

    @pytest.mark.parametrize("variable", ["GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"])
    @pytest.mark.parametrize("kind", ["folder", "missing", "fifo", "full"])
    def test_is_a_usage_error(
        self, tmp_path: Path, mini_plan: Path, variable: str, kind: str
    ) -> None:
        target = {
            "folder": tmp_path,
            "missing": tmp_path / "nowhere" / "output.txt",
            "fifo": tmp_path / "fifo",
            "full": Path("/dev/full"),
        }[kind]
        if kind == "fifo":
            os.mkfifo(target)
        if kind == "full" and not target.exists():
            pytest.skip("needs /dev/full")
        env = {"GITHUB_ACTIONS": "true", variable: str(target)}
        result = no_traceback(run_planc("check", mini_plan, env=env))
        assert result.code == 2, result.stderr
        assert result.stderr.startswith(f"planc: error: ${variable} ({target})")


def _bomb(path: Path, rows: list[list[str]]) -> Path:
    """A workbook whose sheet inflates 1,000 times (5 MB of spaces in an XML comment); a
    real bomb of 32 MiB inflates to 32 GB, and 0.5 MB to 500 MB took track minutes."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    plain = path.with_suffix(".plain.xlsx")
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                padding = b"<!--" + b" " * 5_000_000 + b"-->"
                data = data.replace(b"<sheetData>", b"<sheetData>" + padding, 1)
            out.writestr(name, data)
    return path


class TestAZipBombWorkbook:
    """An .xlsx is a zip: a sheet inflating 1,000 times was parsed in full (a 0.5 MB file
    kept track busy for minutes). A part inflating over 100 times is refused first."""

    SAID = "its part xl/worksheets/sheet1.xml inflates from"

    def test_track(self, tmp_path: Path) -> None:
        with CRM_EXPORT.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))[:20]
        export = _bomb(tmp_path / "export.xlsx", rows)
        result = no_traceback(
            run_planc("track", CRM_PLAN, "--actuals", export, "--as-of", "2017-08-15", "-f", "json")
        )
        assert result.code == 1, result.stderr
        (found,) = result.json()["diagnostics"]
        assert found["code"] == "PLC702"
        assert self.SAID in found["message"] and "a zip bomb, not a sheet" in found["message"]

    def test_import(self, tmp_path: Path) -> None:
        quotas = _bomb(tmp_path / "quotas.xlsx", [["name", "revenue"], ["Anna Snelling", "1"]])
        folder = tmp_path / "plans" / "2017-Q4"
        result = no_traceback(run_planc(*_import_args(quotas, tmp_path / "plans")))
        assert result.code == 2, result.stderr
        assert f"{quotas}: not a readable .xlsx workbook: {self.SAID}" in result.stderr
        assert not folder.exists()


def _damaged(path: Path, part: str) -> Path:
    """A workbook written by openpyxl whose ``part`` is deflated data that does not inflate
    (an invalid block type): zipfile raises zlib.error, not BadZipFile, reading it."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["name", "revenue"])
    book.active.append(["Anna Snelling", 1])
    book.save(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(part)
    assert info.compress_type == zipfile.ZIP_DEFLATED
    start = (
        info.header_offset
        + 30
        + int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    )
    start += int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    data[start : start + info.compress_size] = b"\xff" * info.compress_size
    path.write_bytes(bytes(data))
    return path


class TestADamagedDeflateStream:
    """A part whose compressed bytes are damaged (a truncated download, a bad disk) raised
    zlib.error, which planc import did not catch: an internal error."""

    @pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/styles.xml"])
    def test_import(self, tmp_path: Path, part: str) -> None:
        quotas = _damaged(tmp_path / "quotas.xlsx", part)
        folder = tmp_path / "plans" / "2017-Q4"
        result = no_traceback(run_planc(*_import_args(quotas, tmp_path / "plans")))
        assert result.code == 2, result.stderr
        assert result.stderr.startswith(f"planc: error: {quotas}: not a readable .xlsx workbook")
        assert "invalid block type" in result.stderr
        assert not folder.exists()

    def test_track(self, tmp_path: Path) -> None:
        export = _damaged(tmp_path / "export.xlsx", "xl/worksheets/sheet1.xml")
        message = _track_refusal(export)
        assert message.startswith(f"{export} is not a readable .xlsx workbook")
        assert "invalid block type" in message


class TestAParserErrorQuotingACell:
    """openpyxl's error on a number cell that is no number quotes the cell whole
    (float()'s ValueError): track's PLC702 said all 3,000 characters of it."""

    def test_track(self, tmp_path: Path) -> None:
        value = "\u202e." + "A" * 3000
        cells = (
            '<row r="1"><c r="A1" t="inlineStr"><is><t>sales_agent</t></is></c></row>'
            f'<row r="2"><c r="A2" t="n"><v>{value}</v></c></row>'
        )
        export = write_xlsx(
            tmp_path / "export.xlsx", [("Data", "worksheets/sheet1.xml", sheet_xml(cells))]
        )
        message = _track_refusal(export)
        assert message.startswith(f"cannot read {export}: could not convert string to float")
        assert "(3,044 characters)" in message and len(message) < 300


class TestManySheetsTogether:
    """import bounded each sheet, not the workbook: openpyxl loads every sheet (twice), and
    three sheets of 2,097,152 cells each (a value at B1048576) were all loaded and built."""

    @pytest.mark.parametrize("update", [False, True], ids=["new", "update"])
    def test_import_refuses_them_naming_the_total(self, tmp_path: Path, update: bool) -> None:
        far = '<row r="1048576"><c r="B1048576"><v>1</v></c></row>'
        xml = sheet_xml(rows_xml([["name", "revenue"], ["Anna Snelling", 5]]) + far)
        sheets = [(f"Quotas {n}", f"worksheets/s{n}.xml", xml) for n in range(1, 4)]
        quotas = write_xlsx(tmp_path / "quotas.xlsx", sheets)
        result = no_traceback(_limited(*_import_args(quotas, tmp_path / "plans", update=update)))
        assert result.code == 2, result.stderr
        assert result.stderr == (
            f"planc: error: {quotas}: its 3 sheets hold 6,291,456 cells together; planc reads "
            "up to 4,194,304 from a workbook: save the sheets to import as a workbook of their "
            "own, or delete the cells beyond each table\n"
        )
        assert not (tmp_path / "plans").exists()
