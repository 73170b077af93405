"""Numbers are bounded where they are read: a diagnostic at the value, never exit 3 or a rounded sum.

planc reads numbers below 10^15 with at most 6 decimals (planc.core.numbers), in
plan files, in CRM exports and in options, through the real command line.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, run_planc

EXPORT = REPO / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_pipeline.csv"
TRACKED = REPO / "plans" / "2017-Q3"
FOUR_HUNDRED = "9" * 400
FIVE_THOUSAND = "9" * 5000  # past Python's 4,300-digit limit on int(str)


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def diagnostics(result: Any) -> list[dict[str, Any]]:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.code in (0, 1), result.stderr
    found: list[dict[str, Any]] = result.json()["diagnostics"]
    return found


class TestPlanNumbers:
    """A plan's value of 400 or 5,000 digits, or 1.0e+400, is PLC025 at the value."""

    @pytest.mark.parametrize(
        "number",
        [
            pytest.param(FOUR_HUNDRED, id="400-digits"),
            pytest.param("1.0e+400", id="exponent"),
            pytest.param("-" + FIVE_THOUSAND, id="5000-digits"),
            pytest.param("1.0e-400", id="tiny"),
        ],
    )
    def test_out_of_range_value_is_diagnosed_where_written(
        self, mini_plan: Path, number: str
    ) -> None:
        north = mini_plan / "regions" / "north.yaml"
        replace_once(
            north,
            "new_customers: {value: 10}\n        csat",
            f"new_customers: {{value: {number}}}\n        csat",
        )
        found = diagnostics(run_planc("check", mini_plan, "--format", "json"))
        assert [(d["code"], d["range"]["start"]) for d in found] == [
            ("PLC025", {"line": 20, "col": 32})
        ]
        message = found[0]["message"]
        assert "10^15" in message and "6 decimals" in message  # the bound is in the message
        assert len(message) < 200  # the number is shortened, not printed whole

    def test_months_short_of_the_value_by_a_hair_are_not_rounded_equal(
        self, mini_plan: Path
    ) -> None:
        """With 28-digit arithmetic these months would add up to the value and pass."""
        north = mini_plan / "regions" / "north.yaml"
        replace_once(
            north,
            "months: [150000, 180000, 220000]",
            "months: [999999999999999.99999999999999, 0, 0]",
        )
        replace_once(
            north,
            "              value: 550000\n              stretch",
            "              value: 1000000000000000\n              stretch",
        )
        found = diagnostics(run_planc("check", mini_plan, "--format", "json"))
        assert {d["code"] for d in found} == {"PLC025"}
        assert len(found) == 2


def export_with(tmp_path: Path, change: Any) -> Path:
    with EXPORT.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    change(rows)
    target = tmp_path / "crm.csv"
    with target.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return target


def first_won_in_august(rows: list[list[str]]) -> int:
    return next(i for i, row in enumerate(rows) if row[4] == "Won" and row[6].startswith("2017-08"))


class TestExportNumbers:
    """The same amounts in a CRM export are PLC706 at their row, with the bound."""

    @pytest.mark.parametrize(
        "amount",
        [
            pytest.param(FOUR_HUNDRED, id="400-digits"),
            pytest.param("1.0e+400", id="exponent"),
            pytest.param(FIVE_THOUSAND, id="5000-digits"),
            pytest.param("0.0000001", id="seven-decimals"),
        ],
    )
    def test_out_of_range_amount_is_diagnosed_at_its_row(self, tmp_path: Path, amount: str) -> None:
        at: list[int] = []

        def change(rows: list[list[str]]) -> None:
            at.append(first_won_in_august(rows))
            rows[at[0]][7] = amount

        export = export_with(tmp_path, change)
        result = run_planc(
            "track", TRACKED, "--actuals", export, "--as-of", "2017-08-15", "--format", "json"
        )
        found = [d for d in diagnostics(result) if d["severity"] == "error"]
        assert [(d["code"], d["range"]["start"]) for d in found] == [
            ("PLC706", {"line": at[0] + 1, "col": 8})
        ]
        assert "10^15" in found[0]["message"]
        assert result.code == 1

    @pytest.mark.parametrize("row", [1, 5], ids=["first-row", "later-row"])
    def test_row_with_more_fields_than_the_header(self, tmp_path: Path, row: int) -> None:
        """pandas fails on a surplus field in the first row; planc names the row either way."""

        def change(rows: list[list[str]]) -> None:
            rows[row].append("surplus")

        export = export_with(tmp_path, change)
        result = run_planc(
            "track", TRACKED, "--actuals", export, "--as-of", "2017-08-15", "--format", "json"
        )
        found = diagnostics(result)
        assert [(d["code"], d["range"]["start"]["line"]) for d in found] == [("PLC702", row + 1)]
        assert "9 fields, the header 8" in found[0]["message"]
        assert result.code == 1


class TestOptionNumbers:
    """A number given as an option is bounded too: a usage error naming the option."""

    def test_huge_uplift_is_a_usage_error(self, tmp_path: Path) -> None:
        plan = tmp_path / "2027-Q1"
        shutil.copytree(REPO / "tests" / "fixtures" / "mini", plan)
        result = run_planc(
            "allocate", plan, "--node", "north-ent", "--metric", "revenue", "--uplift", "1e400",
        )  # fmt: skip
        assert result.code == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert "--uplift" in result.stderr and "10^15" in result.stderr


class TestNumbersInMessages:
    """Two different numbers never look equal in a message: as many digits as it takes."""

    @pytest.mark.parametrize(
        ("old", "new", "code", "shown"),
        [
            pytest.param(
                "            csat: {value: 4.5}\n            sales_expense: {value: 35000}\n        - rep: bob",
                "            csat: {value: 4.4998}\n            sales_expense: {value: 35000}\n        - rep: bob",
                "PLC307",
                "mean is 4.4999, below the target of 4.5",
                id="mean-below-target",
            ),
            pytest.param(
                "              value: 550000\n              baseline: {last_quarter: 520000",
                "              value: 650400\n              baseline: {last_quarter: 520000",
                "PLC301",
                "(120.04%); over-assigned by 400 beyond 120.00%, policy allows 100.00% to 120.00%",
                id="share-above-band",
            ),
            pytest.param(
                "              value: 550000\n              baseline: {last_quarter: 520000",
                "              value: 700000.5\n              baseline: {last_quarter: 520000",
                "PLC410",
                "+40.0001% on same quarter last year (500,000); policy allows growth of "
                "-10.0000% to 40.0000%",
                id="growth-above-band",
            ),
        ],
    )
    def test_value_and_bound_print_differently(
        self, mini_plan: Path, old: str, new: str, code: str, shown: str
    ) -> None:
        replace_once(mini_plan / "regions" / "north.yaml", old, new)
        found = diagnostics(run_planc("check", mini_plan, "--format", "json"))
        messages = [d["message"] for d in found if d["code"] == code]
        assert len(messages) == 1, found
        assert shown in messages[0]

    def test_one_decimal_when_that_tells_them_apart(self, mini_plan: Path) -> None:
        replace_once(
            mini_plan / "regions" / "north.yaml",
            "              value: 550000\n              baseline: {last_quarter: 520000",
            "              value: 728000\n              baseline: {last_quarter: 520000",
        )
        found = diagnostics(run_planc("check", mini_plan, "--format", "json"))
        (message,) = [d["message"] for d in found if d["code"] == "PLC301"]
        assert (
            "(127.8%); over-assigned by 78,000 beyond 120.0%, policy allows 100.0% to 120.0%"
            in message
        )


class TestSpreadsheetNumbers:
    """A workbook's numbers are bounded too: an integer cell far past 10^15 is PLC706."""

    def test_huge_integer_cell(self, tmp_path: Path) -> None:
        openpyxl = pytest.importorskip("openpyxl")
        with EXPORT.open(encoding="utf-8", newline="") as handle:
            rows: list[list[Any]] = list(csv.reader(handle))
        at = first_won_in_august(rows)
        book = openpyxl.Workbook()
        sheet = book.active
        for index, row in enumerate(rows):
            if index and row[7]:
                row[7] = int(row[7])
            sheet.append(row)
        sheet.cell(row=at + 1, column=8, value=10**17)
        export = tmp_path / "crm.xlsx"
        book.save(export)
        result = run_planc(
            "track", TRACKED, "--actuals", export, "--as-of", "2017-08-15", "--format", "json"
        )
        found = [d for d in diagnostics(result) if d["severity"] == "error"]
        assert [d["code"] for d in found] == ["PLC706"]
        assert "too large" in found[0]["message"] and "10^15" in found[0]["message"]
