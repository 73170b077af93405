"""planc export: the plan as one flat table, CSV and XLSX, written atomically."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import openpyxl

from conftest import REPO, run_planc

EXAMPLE = REPO / "plans" / "2027-Q1"


def read_csv(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff"), "a BOM so spreadsheet programs read UTF-8"
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


class TestCsv:
    def test_rows_reconcile_with_the_plan(self, tmp_path: Path) -> None:
        out = tmp_path / "plan.csv"
        result = run_planc("export", EXAMPLE, "--out", out)
        assert result.code == 0, result.stderr
        rows = read_csv(out.read_bytes())
        quarter_rows = [r for r in rows if r["month"] == ""]
        month_rows = [r for r in rows if r["month"]]
        reps = {r["node"] for r in quarter_rows if r["level"] == "rep"}
        assert len(reps) == 42
        # Each phased target's month rows add up to its quarter row, exactly.
        for row in quarter_rows:
            months = [
                Decimal(m["value"])
                for m in month_rows
                if (m["node"], m["metric"]) == (row["node"], row["metric"])
            ]
            if months:
                assert sum(months) == Decimal(row["value"]), (row["node"], row["metric"])
        chinese = [r for r in quarter_rows if r["node"] == "zhang-wei"]
        assert chinese[0]["person_name"] == "张伟"

    def test_to_stdout_by_default(self) -> None:
        result = run_planc("export", EXAMPLE)
        assert result.code == 0
        assert result.stdout.lstrip("\ufeff").startswith("quarter,level,node,")

    def test_formula_like_text_is_neutralised(self, mini_plan: Path) -> None:
        north = mini_plan / "regions" / "north.yaml"
        north.write_text(
            north.read_text(encoding="utf-8").replace(
                "name: North Enterprise", 'name: "=HYPERLINK(1)"'
            ),
            encoding="utf-8",
        )
        result = run_planc("export", mini_plan)
        assert result.code == 0
        assert "'=HYPERLINK(1)" in result.stdout


class TestXlsx:
    def test_header_frozen_panes_and_number_formats(self, tmp_path: Path) -> None:
        out = tmp_path / "plan.xlsx"
        assert run_planc("export", EXAMPLE, "--format", "xlsx", "--out", out).code == 0
        sheet = openpyxl.load_workbook(out).active
        assert sheet is not None
        assert sheet.freeze_panes == "A2"
        header = [c.value for c in sheet[1]]
        assert header[:3] == ["quarter", "level", "node"]
        assert all(c.font.bold for c in sheet[1])
        value_column = header.index("value") + 1
        first = sheet.cell(row=2, column=value_column)
        assert isinstance(first.value, int)
        assert first.number_format == "#,##0"

    def test_xlsx_needs_an_output_file(self) -> None:
        result = run_planc("export", EXAMPLE, "--format", "xlsx")
        assert result.code == 2
        assert "--out" in result.stderr


class TestBadInput:
    def test_plan_with_errors_writes_nothing(self, mini_plan: Path, tmp_path: Path) -> None:
        (mini_plan / "quarter.yaml").write_text("planc: 1\nkind: quarter\n", encoding="utf-8")
        out = tmp_path / "plan.csv"
        result = run_planc("export", mini_plan, "--out", out)
        assert result.code == 1
        assert "PLC101" in result.stderr
        assert not out.exists()


def test_schema_command_prints_the_schema() -> None:
    result = run_planc("schema")
    assert result.code == 0
    assert result.stdout == (REPO / "schema" / "plan.schema.json").read_text(encoding="utf-8")
