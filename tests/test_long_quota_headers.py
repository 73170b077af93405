"""Quota sheet headers of 5,000 characters: the ids planc import makes of them (quota14).

A metric's or product's id is its header slugged and cut to 60 characters, as a roster's
person ids are (the schema's ids are 64 at most; ids name the keys under ``targets`` and
``products``). Two long headers alike in their first 60 characters were cut to one id:
the second column's numbers were written as the first metric's (a rep's revenue became
their deal count), silently. The second gets ``_2`` now (``-2`` for a product), as a second
person of the same name does; the same header still gets the same id in every column.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from conftest import REPO, run_planc
from planc.sheets.quotas import QuotaSheet, _metric_id

ROSTER = REPO / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_teams.csv"
SAMPLE = ("--owner", "Alex Morgan", "--company", "CRM sample company")
BODY = REPO / "examples" / "quotas-2017-Q4.csv"
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")  # schema/plan.schema.json's id
LONG = ("Revenue " + "booked by the rep in the quarter " * 152)[:5_000]


def _sheet(path: Path, headers: list[str]) -> Path:
    """The example quota sheet (Sales agent, Office, four revenue columns, Deals won)
    under ``headers``."""
    with BODY.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([headers, *rows])
    return path


def _import(tmp_path: Path, sheet: Path) -> tuple[str, str]:
    folder = tmp_path / "plans" / "2017-Q4"
    result = run_planc("import", folder, "--roster", ROSTER, "--quotas", sheet, *SAMPLE)
    assert result.code == 0, result.stdout + result.stderr
    quarter = (folder / "quarter.yaml").read_text(encoding="utf-8")
    return quarter, (folder / "regions" / "central.yaml").read_text(encoding="utf-8")


class TestLongMetricHeaders:
    def test_two_headers_alike_in_their_first_60_characters_are_two_metrics(
        self, tmp_path: Path
    ) -> None:
        assert len(LONG) == 5_000
        deals = LONG[:-10] + " deals won"  # a count: its own metric, its own numbers
        headers = ["Sales agent", "Office", *(f"{LONG} / {p}" for p in ("Q4", "Oct", "Nov", "Dec"))]
        quarter, central = _import(tmp_path, _sheet(tmp_path / "q.csv", [*headers, deals]))
        ids = re.findall(r"^  - id: (\S+)$", quarter, re.MULTILINE)
        revenue = "revenue_booked_by_the_rep_in_the_quarter_booked_by_the_rep_i"
        assert ids == [revenue, f"{revenue}_2"]
        assert all(ID.fullmatch(i) for i in ids)
        assert f"    unit: currency\n    pillar: targets\n  - id: {revenue}_2\n" in quarter
        assert f"id: {revenue}_2\n    name: {deals}\n    unit: count\n" in quarter
        # Anna Snelling's row: 92,000 of revenue by month, 80 deals (her revenue was 80)
        assert (
            f"            {revenue}:\n              value: 92000\n"
            "              months: [21000, 31000, 40000]\n"
            f"            {revenue}_2: {{value: 80}}\n"
        ) in central

    def test_the_suffix_keeps_the_id_within_64_characters(self) -> None:
        """A thousand long headers alike in their first 60: a thousand ids, none longer."""
        sheet = QuotaSheet()
        made = [_metric_id(f"{LONG} {n}", sheet) for n in range(1_200)]
        assert len(set(made)) == 1_200
        assert all(ID.fullmatch(i) for i in made)
        assert made[1].endswith("_2") and made[1_199].endswith("_1200")
        assert [_metric_id(f"{LONG} {n}", sheet) for n in (0, 1, 1_199)] == [
            made[0],
            made[1],
            made[1_199],
        ]  # the same header, the same id

    def test_short_headers_keep_their_ids(self) -> None:
        sheet = QuotaSheet()
        assert [_metric_id(h, sheet) for h in ("Revenue", "REVENUE", "Deals won")] == [
            "revenue",
            "revenue",
            "deals_won",
        ]


class TestLongProductHeaders:
    def test_two_products_alike_in_their_first_60_characters_are_two_products(
        self, tmp_path: Path
    ) -> None:
        first = "GTX Pro " + "with the extended warranty " * 185  # 5,003 characters
        second = first + " and support"
        headers = ["Sales agent", "Office", "Revenue / Q4", f"Revenue / {first}",
                   f"Revenue / {second}", "Revenue / GTX Basic", "Deals won"]  # fmt: skip
        quarter, central = _import(tmp_path, _sheet(tmp_path / "q.csv", headers))
        product = "gtx-pro-with-the-extended-warranty-with-the-extended-warrant"
        listed = quarter.split("\nproducts:\n")[1].split("\npolicy:")[0]
        ids = re.findall(r"^  - \{?id: ([^,\s]+)", listed, re.MULTILINE)
        assert ids == [product, f"{product}-2", "gtx-basic"]
        assert (
            "              products:\n"
            f"                {product}: 21000\n"
            f"                {product}-2: 31000\n"
            "                gtx-basic: 40000\n"
        ) in central
