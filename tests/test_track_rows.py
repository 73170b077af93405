"""Rows that would mislead are diagnosed with their row numbers, and never counted silently.

Duplicate keys (an error, or the last row wins as the mapping says), negative
amounts, exponent notation, lost deals without a date. Expected figures come
from the csv module and Decimal.
"""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from conftest import run_planc
from test_track import EXPORT, PLAN, attained, mini_plan, track_json, write_csv

KEYED = """actuals:
  columns: {owner: owner, date: closed, amount: amount, product: product, stage: stage, account: account, key: id}
  stages: {won: [Won], open: [Open], lost: [Lost]}
  metrics: {revenue: amount, new_customers: new_accounts, key_product_share: key_product_share}
adjustments:
"""
LAST_WINS = KEYED.replace("  stages:", "  duplicates: last\n  stages:")
HEADER = ["id", "owner", "closed", "amount", "product", "stage", "account"]


def codes(document: Any) -> list[tuple[str, int, int]]:
    return [
        (d["code"], d["range"]["start"]["line"], d["range"]["start"]["col"])
        for d in document["diagnostics"]
    ]


def messages(document: Any, code: str) -> list[str]:
    return [d["message"] for d in document["diagnostics"] if d["code"] == code]


class TestDuplicateKeys:
    RECORDS: ClassVar[list[list[str]]] = [
        ["o1", "Ann Lee", "", "", "Pro", "Open", "Northwind"],  # row 2: replaced by row 4
        ["o2", "Ann Lee", "2027-01-06", "5000", "Pro", "Won", "Contoso"],  # row 3: replaced by 5
        ["o1", "Ann Lee", "2027-01-05", "100000", "Pro", "Won", "Northwind"],  # row 4
        ["o2", "Ann Lee", "2027-01-06", "5000", "Pro", "Won", "Contoso"],  # row 5: a copied line
        ["o3", "Ann Lee", "2027-01-07", "700", "Basic", "Won", "Fabrikam"],  # row 6
    ]

    def test_error_by_default_with_every_row(self, tmp_path: Path) -> None:
        export = write_csv(tmp_path / "a.csv", self.RECORDS, HEADER)
        result = run_planc(
            "track", mini_plan(tmp_path, KEYED), "--actuals", export, "--as-of", "2027-01-20"
        )
        assert result.code == 1
        assert "a.csv:4:1: PLC760 [error] 2 id values on more than one row" in result.stdout
        assert "`o1` (rows 2, 4), `o2` (rows 3, 5)" in result.stdout

    def test_last_row_wins_and_the_ledger_says_so(self, tmp_path: Path) -> None:
        export = write_csv(tmp_path / "a.csv", self.RECORDS, HEADER)
        document = track_json(
            "--as-of", "2027-01-20", plan=mini_plan(tmp_path, LAST_WINS), export=export
        )
        # rows 4, 5, 6 count: o1 once, o2 once, o3
        assert Decimal(attained(document, "ann") or "x") == Decimal(100000 + 5000 + 700)
        ledger = document["ledger"]
        assert ledger["rows"] == 5 and ledger["counted"] == 3
        assert dict(ledger["excluded"])["superseded"] == 2
        assert ("PLC761", 4, 1) in codes(document)
        assert "2 rows share a id with a later row" in messages(document, "PLC761")[0]

    def test_public_sample_with_a_repeated_export_line(self, tmp_path: Path) -> None:
        """One won Q3 line appended again: an error naming both rows; with last, the same figures."""
        with EXPORT.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        at = next(i for i, r in enumerate(rows) if r[4] == "Won" and r[6].startswith("2017-07"))
        export = tmp_path / "sales_pipeline.csv"
        with export.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([*rows, rows[at]])
        plan = tmp_path / "2017-Q3"
        shutil.copytree(PLAN, plan)
        quarter = plan / "quarter.yaml"
        text = quarter.read_text(encoding="utf-8")
        assert "key: opportunity_id" in text  # the sample declares its key
        result = run_planc("track", plan, "--actuals", export, "--as-of", "2017-08-15")
        assert result.code == 1
        shown = f"`{rows[at][0]}` (rows {at + 1}, {len(rows) + 1})"
        assert f"PLC760 [error] 1 opportunity_id value on more than one row: {shown}" in (
            result.stdout
        )
        quarter.write_text(text.replace("  stages:", "  duplicates: last\n  stages:"), "utf-8")
        repeated = track_json("--as-of", "2017-08-15", plan=plan, export=export)
        original = track_json("--as-of", "2017-08-15")
        assert repeated["progress"] == original["progress"]


class TestAmountsThatMislead:
    def test_negative_and_exponent_amounts_name_their_rows(self, tmp_path: Path) -> None:
        records = [
            ["o1", "Ann Lee", "2027-01-05", "-500", "Pro", "Won", "Northwind"],
            ["o2", "Ann Lee", "2027-01-06", "1e3", "Pro", "Won", "Contoso"],
            ["o3", "Ann Lee", "2027-01-07", "-500", "Pro", "Won", "Contoso"],
            ["o4", "Ann Lee", "2027-01-07", "-9", "Pro", "Open", "Contoso"],  # not summed
        ]
        export = write_csv(tmp_path / "a.csv", records, HEADER)
        result = run_planc(
            "track", mini_plan(tmp_path, KEYED), "--actuals", export, "--as-of", "2027-01-20"
        )
        assert result.code == 1
        # The findings' lines whole, from the file's name on: the temporary folder's own
        # name (pytest-9NN) may contain "-9", and "rows 2, 4" must not be "rows 2, 4, 5".
        findings = [
            line.split("a.csv:", 1)[1] for line in result.stdout.splitlines() if "a.csv:" in line
        ]
        assert "2:4: PLC762 [error] amount `-500` is negative in rows 2, 4" in findings
        exponent = "3:4: PLC763 [error] amount `1e3` is in exponent notation in row 3:"
        assert [line for line in findings if line.startswith(exponent)]
        assert not [
            line for line in findings if "`-9`" in line or "row 5" in line or "5:4:" in line
        ]

    def test_lost_without_a_date_is_warned_and_ledgered(self, tmp_path: Path) -> None:
        records = [
            ["o1", "Ann Lee", "2027-01-05", "500", "Pro", "Won", "Northwind"],
            ["o2", "Ann Lee", "", "0", "Pro", "Lost", "Contoso"],
            ["o3", "Ann Lee", "2027-01-06", "0", "Pro", "Lost", "Contoso"],
        ]
        export = write_csv(tmp_path / "a.csv", records, HEADER)
        document = track_json(
            "--as-of", "2027-01-20", plan=mini_plan(tmp_path, KEYED), export=export
        )
        assert ("PLC764", 3, 3) in codes(document)
        assert dict(document["ledger"]["excluded"]) == {"lost": 1, "lost, no date": 1}
