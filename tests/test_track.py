"""planc track: actuals from CRM exports, checked against sums computed here, independently.

The real data is the public CRM sample in tests/fixtures/crm-sales-opportunities
(8,800 opportunities of 2017) tracked against plans/2017-Q3. Expected figures
come from the csv module and Decimal, never from planc's own code.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from conftest import MINI, REPO, run_planc

PLAN = REPO / "plans" / "2017-Q3"
DATA = REPO / "tests" / "fixtures" / "crm-sales-opportunities"
EXPORT = DATA / "sales_pipeline.csv"
AS_OF = date(2017, 8, 15)
Q3 = (date(2017, 7, 1), date(2017, 9, 30))
KEY_PRODUCTS = {"GTX Pro", "GTXPro", "GTX Plus Pro", "GTK 500"}


def slug(name: str) -> str:
    return "-".join(name.lower().replace("-", " ").split())


def rows() -> list[dict[str, str]]:
    with EXPORT.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def offices() -> dict[str, str]:
    with (DATA / "sales_teams.csv").open(newline="", encoding="utf-8") as handle:
        return {r["sales_agent"]: r["regional_office"].lower() for r in csv.DictReader(handle)}


def closed(row: dict[str, str]) -> date | None:
    return date.fromisoformat(row["close_date"]) if row["close_date"] else None


def won_between(first: date, last: date) -> list[dict[str, str]]:
    return [
        r
        for r in rows()
        if r["deal_stage"] == "Won" and (d := closed(r)) is not None and first <= d <= last
    ]


def track_json(*args: str | Path, plan: Path = PLAN, export: Path = EXPORT) -> Any:
    result = run_planc("track", plan, "--actuals", export, "--format", "json", *args)
    assert result.code in (0, 1), result.stderr
    return result.json()


@pytest.fixture(scope="module")
def tracked() -> Any:
    return track_json("--as-of", AS_OF.isoformat(), "--baselines")


def progress(document: Any, node: str, metric: str) -> dict[str, Any]:
    found = [p for p in document["progress"] if p["node"] == node and p["metric"] == metric]
    assert len(found) == 1, (node, metric)
    return found[0]


class TestRealDataLedger:
    """Every one of the 8,800 rows is counted or excluded for one stated reason."""

    def test_ledger_matches_an_independent_count(self, tracked: Any) -> None:
        expected: Counter[str] = Counter()
        for r in rows():
            d = closed(r)
            if r["deal_stage"] == "Lost":
                expected["lost"] += 1
            elif r["deal_stage"] in ("Engaging", "Prospecting"):
                expected["open"] += 1
            elif d is None:
                expected["with no date"] += 1
            elif d < Q3[0]:
                expected["before the quarter"] += 1
            elif d > Q3[1]:
                expected["after the quarter"] += 1
            elif d > AS_OF:
                expected[f"after {AS_OF}"] += 1
            else:
                expected["counted"] += 1
        ledger = tracked["ledger"]
        assert ledger["rows"] == 8800 == sum(expected.values())
        assert ledger["counted"] == expected.pop("counted")
        assert ledger["excluded"] == dict(expected)
        assert ledger["line"].startswith(f"8,800 rows read, {ledger['counted']:,} counted, ")
        assert "2,473 lost, 2,089 open" in ledger["line"]


class TestRealDataFigures:
    """Attainment per rep, team, region and company equals sums over the raw export."""

    def test_revenue_and_deals_per_rep(self, tracked: Any) -> None:
        amounts: defaultdict[str, Decimal] = defaultdict(Decimal)
        deals: Counter[str] = Counter()
        for r in won_between(Q3[0], AS_OF):
            amounts[slug(r["sales_agent"])] += Decimal(r["close_value"])
            deals[slug(r["sales_agent"])] += 1
        reps = [p for p in tracked["progress"] if p["level"] == "rep" and p["metric"] == "revenue"]
        assert len(reps) == 35
        for p in reps:
            assert Decimal(p["attained"]) == amounts[p["node"]], p["node"]
            assert int(progress(tracked, p["node"], "deals_won")["attained"]) == deals[p["node"]]
        assert sum(amounts.values()) > 0

    def test_regions_and_company(self, tracked: Any) -> None:
        office = offices()
        by_office: defaultdict[str, Decimal] = defaultdict(Decimal)
        for r in won_between(Q3[0], AS_OF):
            by_office[office[r["sales_agent"]]] += Decimal(r["close_value"])
        for region in ("central", "east", "west"):
            assert Decimal(progress(tracked, region, "revenue")["attained"]) == by_office[region]
        company = progress(tracked, "crm-sample", "revenue")
        assert Decimal(company["attained"]) == sum(by_office.values())

    def test_months(self, tracked: Any) -> None:
        july = sum(
            Decimal(r["close_value"]) for r in won_between(date(2017, 7, 1), date(2017, 7, 31))
        )
        august = sum(Decimal(r["close_value"]) for r in won_between(date(2017, 8, 1), AS_OF))
        months = progress(tracked, "crm-sample", "revenue")["months"]
        assert [m["month"] for m in months] == ["2017-07", "2017-08", "2017-09"]
        assert [m["attained"] for m in months] == [str(july), str(august), None]
        assert [m["complete"] for m in months] == [True, False, False]

    def test_key_product_share_and_win_rate(self, tracked: Any) -> None:
        office = offices()
        key: defaultdict[str, Decimal] = defaultdict(Decimal)
        total: defaultdict[str, Decimal] = defaultdict(Decimal)
        for r in won_between(Q3[0], AS_OF):
            total[office[r["sales_agent"]]] += Decimal(r["close_value"])
            if r["product"] in KEY_PRODUCTS:
                key[office[r["sales_agent"]]] += Decimal(r["close_value"])
        for region in total:
            share = (key[region] * 100 / total[region]).quantize(Decimal("0.0001"))
            assert Decimal(progress(tracked, region, "key_product_share")["attained"]) == share
        won = len(won_between(Q3[0], AS_OF))
        lost = sum(
            1
            for r in rows()
            if r["deal_stage"] == "Lost" and (d := closed(r)) and Q3[0] <= d <= AS_OF
        )
        rate = (Decimal(won * 100) / (won + lost)).quantize(Decimal("0.0001"))
        assert Decimal(progress(tracked, "crm-sample", "win_rate")["attained"]) == rate

    def test_pace_and_forecast(self, tracked: Any) -> None:
        """Pace follows the monthly phasing (August prorated: 15 of 31 days); forecast is the run rate."""
        plan_months = [
            Decimal(m["plan"]) for m in progress(tracked, "crm-sample", "revenue")["months"]
        ]
        company = progress(tracked, "crm-sample", "revenue")
        pace = plan_months[0] + plan_months[1] * 15 / 31
        assert Decimal(company["pace"]) == pace.quantize(Decimal("0.01"))
        attained = Decimal(company["attained"])
        assert tracked["elapsed_days"] == 46
        assert Decimal(company["forecast"]) == (attained * 92 / 46).quantize(Decimal("0.01"))
        # % of pace from the exact pace, not from the pace rounded to cents
        exact = (
            Fraction(attained)
            * 100
            / (Fraction(plan_months[0]) + Fraction(plan_months[1]) * Fraction(15, 31))
        )
        ratio = Decimal(exact.numerator) / Decimal(exact.denominator)
        assert Decimal(company["of_pace_pct"]) == ratio.quantize(Decimal("0.0001"))

    def test_baselines_from_history(self, tracked: Any) -> None:
        """Last quarter (Q2 2017) per rep from the export; Q3 2016 is not in it: no data, not zero."""
        q2: defaultdict[str, Decimal] = defaultdict(Decimal)
        for r in won_between(date(2017, 4, 1), date(2017, 6, 30)):
            q2[slug(r["sales_agent"])] += Decimal(r["close_value"])
        baselines = tracked["baselines"]
        assert (baselines["last_quarter"], baselines["last_year"]) == (
            "2017-04..2017-06",
            "2016-07..2016-09",
        )
        revenue = [b for b in baselines["targets"] if b["metric"] == "revenue"]
        for b in revenue:
            if b["node"] in q2:
                assert Decimal(b["last_quarter"]) == q2[b["node"]]
                # the plan's declared baselines were taken from the same export
                assert b["declared"]["last_quarter"] == b["last_quarter"]
            assert b["last_year"] is None
            assert b["last_year_months_covered"] == 0
            assert b["last_quarter_months_covered"] == 3


def _target_of(diagnostic: dict[str, Any]) -> tuple[str, str]:
    """The (node, metric) a warning names: "Name · Metric (node/metric): ..."."""
    match = re.match(r"[^(]*\(([a-z0-9_-]+)/([a-z0-9_-]+)\): ", diagnostic["message"])
    assert match, diagnostic["message"]
    return match[1], match[2]


class TestRealDataWarnings:
    """Early warnings point at the target's value in the YAML and explain the gap."""

    def test_behind_pace_points_at_the_value(self, tracked: Any) -> None:
        warnings = [d for d in tracked["diagnostics"] if d["code"] == "PLC720"]
        assert warnings
        found = next(d for d in warnings if _target_of(d) == ("daniell-hammack", "revenue"))
        assert found["message"].startswith("Daniell Hammack · Revenue (daniell-hammack/revenue): ")
        assert found["path"] == "plans/2017-Q3/regions/east.yaml"
        line = (
            (PLAN / "regions" / "east.yaml")
            .read_text(encoding="utf-8")
            .splitlines()[found["range"]["start"]["line"] - 1]
        )
        assert line[found["range"]["start"]["col"] - 1 :] == "184000"
        assert line.strip().startswith("value:")
        assert "furthest behind: GTX Pro" in found["message"]
        assert "of last quarter's accounts" in found["message"]
        assert "win rate" in found["message"]

    def test_every_warned_target_is_below_its_threshold(self, tracked: Any) -> None:
        others = [d for d in tracked["diagnostics"] if d["code"] != "PLC720"]
        for d in tracked["diagnostics"]:
            if d["code"] != "PLC720":
                continue
            node, metric = _target_of(d)
            assert Decimal(progress(tracked, node, metric)["of_pace_pct"]) < 80
        # the one other finding: open deals the pipeline forecast cannot age
        unaged = sum(
            1
            for r in rows()
            if r["deal_stage"] in ("Engaging", "Prospecting") and not r["engage_date"]
        )
        assert [(d["code"], d["message"].split(" ")[0]) for d in others] == [
            ("PLC765", str(unaged))
        ]

    def test_no_warnings_in_the_first_month(self) -> None:
        document = track_json("--as-of", "2017-07-20")
        assert [d for d in document["diagnostics"] if d["code"] == "PLC720"] == []

    def test_unmapped_product_names_value_count_and_closest(self, tmp_path: Path) -> None:
        plan = tmp_path / "2017-Q3"
        shutil.copytree(PLAN, plan)
        quarter = plan / "quarter.yaml"
        text = quarter.read_text(encoding="utf-8")
        assert "    GTXPro: gtx-pro" in text
        quarter.write_text(text.replace("  products:\n    GTXPro: gtx-pro", ""), encoding="utf-8")
        document = track_json("--as-of", AS_OF.isoformat(), plan=plan)
        found = [d for d in document["diagnostics"] if d["code"] == "PLC711"]
        assert len(found) == 1
        count = sum(1 for r in rows() if r["product"] == "GTXPro")
        first = next(i for i, r in enumerate(rows(), start=2) if r["product"] == "GTXPro")
        assert f"`GTXPro` in {count:,} rows" in found[0]["message"]
        assert "`GTX Pro`" in found[0]["hint"]
        assert found[0]["range"]["start"] == {"line": first, "col": 3}


class TestFormats:
    """text, json, markdown and csv carry the same figures."""

    def test_csv_rows_match_json(self, tracked: Any) -> None:
        result = run_planc(
            "track", PLAN, "--actuals", EXPORT, "--as-of", AS_OF.isoformat(), "--format", "csv"
        )
        assert result.code == 0
        table = list(csv.DictReader(io.StringIO(result.stdout)))
        quarter_rows = [r for r in table if r["period"] == "quarter" and not r["product"]]
        assert len(quarter_rows) == len(tracked["progress"])
        product_rows = [r for r in table if r["product"]]
        assert [(r["node"], r["product"], r["attained"]) for r in product_rows] == [
            (p["node"], p["product"], p["attained"]) for p in tracked["products"]
        ]
        for row, p in zip(quarter_rows, tracked["progress"], strict=True):
            assert (row["node"], row["metric"], row["attained"]) == (
                p["node"],
                p["metric"],
                p["attained"] or "",
            )
        assert "PLC720" in result.stderr  # diagnostics still reach the user

    def test_text_and_markdown(self) -> None:
        args = ("track", PLAN, "--actuals", EXPORT, "--as-of", AS_OF.isoformat())
        text = run_planc(*args)
        assert text.code == 0
        assert "2017-Q3: actuals from" in text.stdout
        assert "8,800 rows read" in text.stdout
        assert "revenue (Revenue, USD)" in text.stdout
        assert "plans/2017-Q3/regions/east.yaml:" in text.stdout
        markdown = run_planc(*args, "--format", "markdown")
        assert markdown.stdout.startswith("# Q3 2017: review as of 2017-08-15")
        assert "## Early warnings" in markdown.stdout
        assert "| node | target | attained |" in markdown.stdout

    def test_strict_fails_on_warnings_and_output_is_written(self, tmp_path: Path) -> None:
        out = tmp_path / "review.md"
        result = run_planc(
            "track",
            PLAN,
            "--actuals",
            EXPORT,
            "--as-of",
            AS_OF.isoformat(),
            "--strict",
            "-f",
            "markdown",
            "-o",
            out,
        )
        assert result.code == 1
        assert out.read_text(encoding="utf-8").startswith("# Q3 2017")


# --- small plans and exports of our own ------------------------------------------------------

MAPPING = """actuals:
  columns: {owner: owner, date: closed, amount: amount, product: product, stage: stage, account: account}
  stages: {won: [Won], open: [Open], lost: [Lost]}
  metrics: {revenue: amount, new_customers: new_accounts, key_product_share: key_product_share}
adjustments:
"""
HEADER = ["owner", "closed", "amount", "product", "stage", "account"]


def mini_plan(tmp_path: Path, mapping: str = MAPPING) -> Path:
    plan = tmp_path / "2027-Q1"
    shutil.copytree(MINI, plan)
    quarter = plan / "quarter.yaml"
    text = quarter.read_text(encoding="utf-8")
    quarter.write_text(text.replace("adjustments:\n", mapping, 1), encoding="utf-8")
    return plan


def write_csv(path: Path, records: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(records)
    return path


def attained(document: Any, node: str, metric: str = "revenue") -> str | None:
    value: str | None = progress(document, node, metric)["attained"]
    return value


class TestExactAmounts:
    """Amounts are summed as decimals: no binary float ever rounds them."""

    def test_cents_scales_and_long_numbers(self, tmp_path: Path) -> None:
        amounts = [
            "0.10",
            "0.20",
            "1.5",
            "2.255",
            "3",
            "123456789012345.67",
            " 7 ",
            "0.05",
            "100.000",
        ]
        records = [["Ann Lee", "2027-01-05", a, "Pro", "Won", "Northwind"] for a in amounts]
        export = write_csv(tmp_path / "a.csv", records)
        document = track_json("--as-of", "2027-01-20", plan=mini_plan(tmp_path), export=export)
        expected = sum((Decimal(a.strip()) for a in amounts), Decimal(0))
        assert Decimal(attained(document, "ann") or "x") == expected
        assert Decimal(attained(document, "acme") or "x") == expected

    def test_many_chunks_sum_like_one(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Chunk boundaries (and a scale that changes between chunks) do not change a sum."""
        from planc.checks import check_directory
        from planc.track import actuals

        plan_dir = mini_plan(tmp_path)
        records = []
        for i in range(50):
            amount = f"{i}.{i % 7}" if i % 3 else str(i * 1000)
            owner = ("Ann Lee", "Bob Ortiz", "李伟")[i % 3]
            records.append([owner, f"2027-01-{1 + i % 28:02d}", amount, "Pro", "Won", f"A{i % 9}"])
        export = write_csv(tmp_path / "a.csv", records)
        plan = check_directory(plan_dir).plan
        assert plan is not None
        whole = actuals.load_actuals(export, plan, date(2027, 1, 31)).actuals
        monkeypatch.setattr(actuals, "CHUNK_ROWS", 7)
        chunked = actuals.load_actuals(export, plan, date(2027, 1, 31)).actuals
        assert whole is not None and chunked is not None
        assert chunked.months == whole.months
        assert chunked.products == whole.products
        assert chunked.ledger == whole.ledger
        assert {k: dict(v) for k, v in chunked.accounts.items()} == {
            k: dict(v) for k, v in whole.accounts.items()
        }
        january = [r for r in records if r[0] == "Ann Lee"]
        by_account: defaultdict[str, Decimal] = defaultdict(Decimal)
        for r in january:
            by_account[r[5]] += Decimal(r[2])
        ann = whole.accounts[("ann", 2027 * 12)]
        scaled = {whole.account_names[a]: Decimal(v).scaleb(-whole.scale) for a, v in ann.items()}
        assert scaled == by_account
        total = sum((Decimal(r[2]) for r in records), Decimal(0))
        assert sum((c.amount for c in whole.months.values()), Decimal(0)) == total

    @pytest.mark.parametrize(("output", "huge"), [("json", False), ("csv", False), ("json", True)])
    def test_chunk_size_never_changes_the_output(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str, huge: bool
    ) -> None:
        """Ann's deals are whole, Bob's have a decimal place: split into chunks, Ann's sum
        was printed "1200" alone in its chunk and "1200.0" beside Bob's. Every won sum has
        the file's most places, read whole, in chunks, or by DuckDB; also when a sum past
        int64 units (``huge``) makes the later chunks add as ``Decimal``."""
        from click.testing import CliRunner

        from planc.cli import cli
        from planc.track import actuals
        from planc.track.engines import duckdb_files

        ann = ["Ann Lee", "2027-01-05", "600", "Pro", "Won", "Northwind"]
        bob = ["Bob Ortiz", "2027-01-06", "10.5", "Pro", "Won", "Contoso"]
        li = ["李伟", "2027-01-07", "999999999999999.99999", "Pro", "Won", "Fabrikam"]
        export = write_csv(tmp_path / "a.csv", [ann, ann, bob, bob, *([li] * huge)])
        places = "00000" if huge else "0"
        args = ["track", str(mini_plan(tmp_path)), "--actuals", str(export)]
        args += ["--as-of", "2027-01-20", "--format", output]

        def printed(chunk_rows: int, engine: str = "pandas") -> str:
            monkeypatch.setattr(actuals, "CHUNK_ROWS", chunk_rows)
            monkeypatch.setenv(duckdb_files.ENGINE_VARIABLE, engine)
            result = CliRunner().invoke(cli, args)
            assert result.exit_code == 0, result.output
            return result.output

        whole = printed(1000)
        shown = whole.replace('"', ",")
        assert f",1200.{places}," in shown and f",21.{places}," in shown
        assert printed(2) == whole
        assert printed(3) == whole
        assert printed(1000, "duckdb") == whole


class TestNewAccounts:
    """new_accounts: accounts whose first won deal in the export falls in the period."""

    def test_first_deal_decides_and_history_counts(self, tmp_path: Path) -> None:
        records = [
            ["Bob Ortiz", "2026-11-03", "500", "Basic", "Won", "Old Co"],  # Old Co is not new
            ["Ann Lee", "2027-01-10", "900", "Pro", "Won", "Old Co"],
            [
                "Ann Lee",
                "2027-01-12",
                "100",
                "Pro",
                "Won",
                "New Co",
            ],  # same day as Bob's: row order
            ["Bob Ortiz", "2027-01-12", "100", "Pro", "Won", "New Co"],
            ["Bob Ortiz", "2027-02-02", "100", "Basic", "Won", "Later Co"],
            ["Bob Ortiz", "2027-01-15", "100", "Basic", "Lost", "Lost Co"],  # lost: not a customer
        ]
        export = write_csv(tmp_path / "a.csv", records)
        document = track_json("--as-of", "2027-02-10", plan=mini_plan(tmp_path), export=export)
        assert attained(document, "ann", "new_customers") == "1"
        assert attained(document, "bob", "new_customers") == "1"
        assert attained(document, "acme", "new_customers") == "2"
        assert attained(document, "ann", "key_product_share") == "100"


XLSX_RECORDS: tuple[tuple[Any, ...], ...] = (
    ("Ann Lee", datetime(2027, 1, 5, 10, 30), 100000.5, "Pro", "Won", "Northwind"),
    ("Bob Ortiz", date(2027, 1, 6), 90000, "Basic", "Won", "Contoso"),
    ("bob@example.com", "2027-01-07", "0.1", "Basic", "Won", "Contoso"),
    ("李伟", date(2027, 1, 7), 80000, "Pro", "Lost", "Fabrikam"),
)


class TestOtherFormats:
    """XLSX (and Parquet where pyarrow is installed) read into the same figures as CSV."""

    def test_xlsx(self, tmp_path: Path) -> None:
        openpyxl = pytest.importorskip("openpyxl")
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "Opportunities"
        book.create_sheet("Notes", 0)  # the export is not the first sheet
        sheet.append(HEADER)
        for record in XLSX_RECORDS:
            sheet.append(list(record))
        export = tmp_path / "export.xlsx"
        book.save(export)
        mapping = MAPPING.replace("adjustments:\n", "  sheet: Opportunities\nadjustments:\n")
        document = track_json(
            "--as-of", "2027-01-20", plan=mini_plan(tmp_path, mapping), export=export
        )
        assert document["counts"]["error"] == 0, document["diagnostics"]
        assert attained(document, "ann") == "100000.5"
        assert attained(document, "bob") == "90000.1"
        assert document["ledger"]["line"] == "4 rows read, 3 counted, 1 excluded: 1 lost"

    def test_parquet(self, tmp_path: Path) -> None:
        pa = pytest.importorskip("pyarrow")
        pq = pytest.importorskip("pyarrow.parquet")
        table = pa.table(
            {
                "owner": ["Ann Lee", "Bob Ortiz"],
                "closed": [date(2027, 1, 5), date(2027, 1, 6)],
                "amount": pa.array([Decimal("100000.50"), Decimal("0.25")], pa.decimal128(12, 2)),
                "product": ["Pro", "Basic"],
                "stage": ["Won", "Won"],
                "account": ["Northwind", "Contoso"],
            }
        )
        export = tmp_path / "export.parquet"
        pq.write_table(table, export)
        document = track_json("--as-of", "2027-01-20", plan=mini_plan(tmp_path), export=export)
        assert attained(document, "ann") == "100000.50"
        assert attained(document, "bob") == "0.25"


class TestReadingQuirks:
    """Real exports: a byte-order mark, quoted delimiters, an ambiguous name."""

    def test_bom_and_quoted_commas(self, tmp_path: Path) -> None:
        export = tmp_path / "a.csv"
        export.write_bytes(
            "\ufeffowner,closed,amount,product,stage,account\n"
            'Ann Lee,2027-01-05,100,Pro,Won,"Acme, Inc"\n'
            'Ann Lee,2027-01-06,50,Pro,Won,"Acme, Inc"\n'.encode()
        )
        document = track_json("--as-of", "2027-01-20", plan=mini_plan(tmp_path), export=export)
        assert document["counts"] == {"error": 0, "warning": 0, "info": 0}
        assert attained(document, "ann") == "150"

    def test_numbers_as_names_stay_text(self, tmp_path: Path) -> None:
        """Owner ids like 007 and dates like 20270105 are read as written, not as numbers."""
        mapping = MAPPING.replace(
            "adjustments:\n", '  owners: {"007": ann}\n  date_format: "%Y%m%d"\nadjustments:\n'
        )
        export = write_csv(
            tmp_path / "a.csv",
            [
                ["007", "20270105", "100", "Pro", "Won", "1"],
                ["007", "20270106", "5", "Pro", "Won", "2"],
            ],
        )
        document = track_json(
            "--as-of", "2027-01-20", plan=mini_plan(tmp_path, mapping), export=export
        )
        assert document["counts"]["error"] == 0, document["diagnostics"]
        assert attained(document, "ann") == "105"

    def test_short_row_is_an_error_with_its_row(self, tmp_path: Path) -> None:
        export = tmp_path / "a.csv"
        export.write_text(
            "owner,closed,amount,product,stage,account\n"
            "Ann Lee,2027-01-05,100,Pro,Won,Northwind\n"
            "Ann Lee,2027-01-06,50\n",
            encoding="utf-8",
        )
        result = run_planc("track", mini_plan(tmp_path), "--actuals", export, "--format", "json")
        assert result.code == 1
        (found,) = result.json()["diagnostics"]
        assert (found["code"], found["range"]["start"]["line"]) == ("PLC702", 3)
        assert "3 fields, the header 6" in found["message"]

    def test_a_name_two_people_share_maps_to_neither(self, tmp_path: Path) -> None:
        plan = mini_plan(tmp_path)
        south = plan / "regions" / "south.yaml"
        text = south.read_text(encoding="utf-8").replace("name: 徐芳", "name: Ann Lee")
        south.write_text(text, encoding="utf-8")
        export = write_csv(
            tmp_path / "a.csv", [["Ann Lee", "2027-01-05", "100", "Pro", "Won", "N"]]
        )
        document = track_json("--as-of", "2027-01-20", plan=plan, export=export)
        (found,) = [d for d in document["diagnostics"] if d["code"] == "PLC710"]
        assert "names several people (ann, xu-fang)" in found["message"]
        assert document["ledger"]["excluded"] == {"unmapped owner": 1}


class TestProgressForRender:
    """progress_by_target: what a rendered brief shows beside each target."""

    def test_every_tracked_target_has_its_progress(self) -> None:
        from planc.checks import check_directory
        from planc.track.actuals import load_actuals
        from planc.track.tracking import progress_by_target

        plan = check_directory(PLAN).plan
        assert plan is not None
        loaded = load_actuals(EXPORT, plan, AS_OF)
        assert loaded.actuals is not None and not loaded.has_errors
        found = progress_by_target(plan, loaded.actuals)
        targets = {
            (n.id, m) for n in plan.nodes.values() for m in n.targets if m in plan.actuals.measures
        }
        assert set(found) == targets
        darcel = found[("darcel-schlecht", "revenue")]
        expected = sum(
            Decimal(r["close_value"])
            for r in won_between(Q3[0], AS_OF)
            if r["sales_agent"] == "Darcel Schlecht"
        )
        assert darcel.attained == expected
        assert darcel.target == plan.nodes["darcel-schlecht"].targets["revenue"].value
        assert darcel.status == "ahead"


class TestUsage:
    """Bad input is a clear message and exit 2, never a traceback."""

    def test_bad_as_of(self) -> None:
        result = run_planc("track", PLAN, "--actuals", EXPORT, "--as-of", "15/08/2017")
        assert result.code == 2
        assert "--as-of '15/08/2017' is not a date" in result.stderr
        assert "Traceback" not in result.stderr

    def test_actuals_is_required(self) -> None:
        result = run_planc("track", PLAN)
        assert result.code == 2
        assert "--actuals" in result.stderr

    def test_a_plan_with_errors_is_not_tracked(self, tmp_path: Path) -> None:
        plan = mini_plan(tmp_path)
        north = plan / "regions" / "north.yaml"
        north.write_text(
            north.read_text(encoding="utf-8").replace("owner: ned", "owner: nedd"), encoding="utf-8"
        )
        export = write_csv(tmp_path / "a.csv", [])
        result = run_planc("track", plan, "--actuals", export)
        assert result.code == 1
        assert "PLC201" in result.stdout
        assert "the plan has errors" in result.stdout


def test_json_is_versioned_and_exact(tracked: Any) -> None:
    assert tracked["version"] == 1
    assert tracked["currency"] == "USD"
    company = progress(tracked, "crm-sample", "revenue")
    assert isinstance(company["attained"], str)  # exact decimals travel as text
    json.dumps(tracked)  # and the document is plain JSON


class TestCustomerSegments:
    """planc track --accounts puts each account in the first segment that takes it; the won
    revenue per segment matches a computation straight from the two CSV files."""

    def _expected(self, as_of: date) -> dict[str, tuple[int, Decimal]]:
        with (DATA / "accounts.csv").open(encoding="utf-8", newline="") as handle:
            facts = {row["account"]: row for row in csv.DictReader(handle)}
        key = {"dambase", "conecom", "rantouch", "cheers", "finjob"}
        with EXPORT.open(encoding="utf-8", newline="") as handle:
            rows = [r for r in csv.DictReader(handle) if r["deal_stage"] == "Won"]
        start, before = date(2017, 7, 1), date(2017, 4, 1)
        won_before = {
            r["account"] for r in rows if before <= date.fromisoformat(r["close_date"]) < start
        }
        out: dict[str, tuple[set[str], Decimal]] = defaultdict(lambda: (set(), Decimal(0)))
        for r in rows:
            day = date.fromisoformat(r["close_date"])
            if not start <= day <= as_of:
                continue
            name = r["account"]
            fact = facts.get(name, {})
            if name.casefold() in key:
                segment = "key-accounts"
            elif name not in won_before and Decimal(r["close_value"]) >= 1000:
                segment = "new"  # a first order of at least 1,000, nothing won since April
            elif (
                Decimal(fact.get("revenue") or -1) >= 1000
                and Decimal(fact.get("employees") or -1) >= 1000
            ):
                segment = "enterprise"
            else:
                segment = "mid-market"
            accounts, total = out[segment]
            out[segment] = (accounts | {name}, total + Decimal(r["close_value"]))
        return {k: (len(a), t) for k, (a, t) in out.items()}

    def test_won_revenue_per_segment(self) -> None:
        result = run_planc(
            "track", PLAN, "--actuals", EXPORT, "--accounts", DATA / "accounts.csv",
            "--as-of", "2017-08-15", "--format", "json",
        )  # fmt: skip
        assert result.code == 0, result.stdout
        document = result.json()
        segments = document["segments"]
        assert segments["new_applied"] is True
        rows = {r["id"]: r for r in segments["rows"]}
        assert list(rows) == ["key-accounts", "new", "enterprise", "mid-market"]
        expected = self._expected(date(2017, 8, 15))
        for segment, row in rows.items():
            accounts, won = expected.get(segment, (0, Decimal(0)))
            assert (row["accounts"], Decimal(row["won"])) == (accounts, won), segment
        assert rows["enterprise"]["target"] == "2000000"
        assert not [d for d in document["diagnostics"] if d["code"] in ("PLC750", "PLC751")]

    @pytest.mark.parametrize(
        ("suffix", "engine"), [(".parquet", "pandas"), (".parquet", "duckdb"), (".xlsx", "pandas")]
    )
    def test_the_same_segments_from_parquet_and_xlsx(
        self, tmp_path: Path, suffix: str, engine: str
    ) -> None:
        """The won deals are read again by the tracking read's own readers: a Parquet (typed
        dates and amounts) or .xlsx export was read as CSV text ("internal error:
        UnicodeDecodeError")."""

        def segments(export: Path) -> Any:
            result = run_planc(
                "track", PLAN, "--actuals", export, "--accounts", DATA / "accounts.csv",
                "--as-of", "2017-08-15", "--format", "json", env={"PLANC_TRACK_ENGINE": engine},
            )  # fmt: skip
            assert result.code == 0, result.stdout + result.stderr
            return result.json()["segments"]

        expected = segments(EXPORT)
        export = tmp_path / f"sales_pipeline{suffix}"
        if suffix == ".parquet":
            pq = pytest.importorskip("pyarrow.parquet")
            pa_csv = pytest.importorskip("pyarrow.csv")
            table = pa_csv.read_csv(EXPORT)  # dates as date32, amounts as int64
            assert str(table.schema.field("close_date").type) == "date32[day]"
            pq.write_table(table, export)
        else:
            openpyxl = pytest.importorskip("openpyxl")
            workbook = openpyxl.Workbook(write_only=True)
            sheet = workbook.create_sheet()
            with EXPORT.open(encoding="utf-8", newline="") as handle:
                for number, row in enumerate(csv.reader(handle)):
                    typed: list[Any] = list(row)
                    if number and row[6]:
                        typed[6] = date.fromisoformat(row[6])  # a date cell
                    if number and row[7]:
                        typed[7] = int(row[7])  # a number cell
                    sheet.append(typed)
            workbook.save(export)
        assert segments(export) == expected

    def test_a_twelve_month_look_back_is_longer_than_the_export(self, tmp_path: Path) -> None:
        plan = tmp_path / "2017-Q3"
        shutil.copytree(PLAN, plan)
        quarter = plan / "quarter.yaml"
        text = quarter.read_text(encoding="utf-8")
        quarter.write_text(
            text.replace("look_back_months: 3}", "look_back_months: 12}"), encoding="utf-8"
        )
        result = run_planc(
            "track", plan, "--actuals", EXPORT, "--accounts", DATA / "accounts.csv",
            "--as-of", "2017-08-15", "--format", "json",
        )  # fmt: skip
        document = result.json()
        [warning] = [d for d in document["diagnostics"] if d["code"] == "PLC750"]
        assert "the export starts 2017-03-01" in warning["message"]
        assert "from 2016-07-01" in warning["message"]
        assert document["segments"]["new_applied"] is False
        assert {r["id"]: r["accounts"] for r in document["segments"]["rows"]}["new"] == 0


def test_deal_rows_give_the_won_rows_amounts_and_parse_each_date_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--accounts`` reads the won deals again (actuals.deal_rows): per row the account
    (stripped), the date, the amount of a won row (None for the others, whose amounts are
    never read) and whether it is won; a date is parsed once per distinct text, not per row
    (1M rows: 5.7 -> 3.4 s CPU for a CSV, 4.0 -> 1.8 s for Parquet)."""
    from planc.checks import check_directory
    from planc.track import actuals

    plan = check_directory(PLAN).plan
    assert plan is not None and plan.actuals is not None
    export = tmp_path / "export.csv"
    header = (
        "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value"
    )
    rows = [
        f"K{i},Moses Frase,GTXPro,{' Acme ' if i % 3 else ''},{' won' if i % 2 else 'Lost'},"
        f"2017-06-01,2017-07-{1 + i % 4:02d},{'12.50' if i % 2 else '7'}"
        for i in range(300)
    ]
    export.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    parsed: list[object] = []
    parse_day = actuals._parse_day

    def counted(value: object, date_format: str | None) -> date | None:
        parsed.append(value)
        return parse_day(value, date_format)

    monkeypatch.setattr(actuals, "_parse_day", counted)
    found = list(actuals.deal_rows(export, "export.csv", plan.actuals))
    assert found == [
        (
            "Acme" if i % 3 else "",
            date(2017, 7, 1 + i % 4),
            Decimal("12.50") if i % 2 else None,
            bool(i % 2),
        )
        for i in range(300)
    ]
    assert len(parsed) <= 5  # four distinct dates (and the missing value's) per chunk


# --- the pyarrow CSV reader against pandas' ------------------------------------------------


def _canonical(value: Any) -> Any:
    """A value with every mapping as its items in order (the order JSON keeps)."""
    import dataclasses
    from collections.abc import Mapping

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            *(_canonical(getattr(value, f.name)) for f in dataclasses.fields(value)),
        )
    if isinstance(value, Mapping):
        return [(_canonical(k), _canonical(v)) for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_canonical(v) for v in value)
    return value


_FIELDS = {
    "owner": [
        "Ann Lee",
        " Ann Lee",
        "ann",
        "Bob Ortiz",
        "李伟",
        '"Ann Lee"',
        '"Ann, Lee"',
        "",
        "007",
    ],
    "closed": ["2027-01-05", "2027-01-19", "2026-12-01", "", "soon", '"2027-01-07"', "20270105"],
    "amount": ["100", "100.50", "0.05", "1e3", "-5", "", "abc", '"1,000"', "007", " 12", "12 "],
    "product": ["Pro", "Basic", "", "Nope", '"Pro"', "pro"],
    "stage": ["Won", "Won", "Lost", "Open", "won ", "", "Maybe"],
    "account": ["N", " N", '"Acme, Inc"', '"two\nlines"', '"say ""hi"""', 'a"b', '"a"b', "", "1"],
}


def _fuzzed_csv(seed: int) -> bytes:
    """A small export with the quirks real ones have (quotes, blanks, ragged rows, bad bytes)."""
    import random

    pick = random.Random(seed)
    quirky = pick.random() < 0.6
    end = pick.choice(["\n", "\r\n"])
    lines = [",".join(_FIELDS) + end]
    for _ in range(pick.randint(0, 14)):
        fields = [pick.choice(values) for values in _FIELDS.values()]
        roll = pick.random() if quirky else 1.0
        if roll < 0.05:
            fields.pop()  # a short row
        elif roll < 0.10:
            fields.append("x")  # a long row
        elif roll < 0.13:
            lines.append(pick.choice(["", "   ", "\t"]) + end)  # a blank line, or blanks
        elif roll < 0.16:
            fields[pick.randrange(6)] += pick.choice(["\x00", "\ufeff", "é"])
        elif roll < 0.18:
            fields[pick.randrange(6)] = '"unclosed'
        line = ",".join(fields) + (pick.choice(["\n", "\r\n", "\r"]) if roll < 0.2 else end)
        lines.append(line)
    data = "".join(lines).encode()
    if quirky and pick.random() < 0.08:
        data += b"Ann Lee,2027-01-05,\xff1,Pro,Won,N\n"  # not UTF-8
    if quirky and pick.random() < 0.1:
        data = data.rstrip(b"\r\n")  # no newline at the end
    return data


def _day_columns_made(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The length of every column the arrow reader reads as days from now on."""
    from planc.track import actuals

    made: list[int] = []
    day_column = actuals._day_column

    def spy(days: Any) -> Any:
        made.append(len(days))
        return day_column(days)

    monkeypatch.setattr(actuals, "_day_column", spy)
    return made


class TestArrowReader:
    """A UTF-8 CSV is read by pyarrow's reader when pyarrow is installed; its aggregates and
    diagnostics are pandas' own, and whatever it refuses pandas reads (and reports)."""

    @staticmethod
    def _both(
        monkeypatch: pytest.MonkeyPatch, export: Path, plan: Any, as_of: date
    ) -> tuple[Any, Any, int]:
        from planc.track import actuals

        declined = 0
        arrow_chunks = actuals._arrow_csv_chunks

        def spy(*args: Any, **kwargs: Any) -> Any:
            nonlocal declined
            try:
                yield from arrow_chunks(*args, **kwargs)
            except actuals._ArrowDeclined:
                declined += 1
                raise

        monkeypatch.setattr(actuals, "_arrow_csv_chunks", spy)
        by_arrow = actuals.load_actuals(export, plan, as_of)
        with monkeypatch.context() as patch:
            patch.setattr(actuals, "_arrow_may_read", lambda path, mapping: False)
            by_pandas = actuals.load_actuals(export, plan, as_of)
        return by_arrow, by_pandas, declined

    @pytest.mark.parametrize("known_texts", [1 << 16, 5])
    def test_the_public_sample_is_read_by_arrow_as_by_pandas(
        self, monkeypatch: pytest.MonkeyPatch, known_texts: int
    ) -> None:
        """Also with owners looked up among a few known ones only (_KNOWN_TEXTS): past
        them, each chunk's owners are encoded on their own."""
        from planc.checks import check_directory
        from planc.track import actuals

        plan = check_directory(PLAN).plan
        assert plan is not None and plan.actuals is not None
        assert actuals._arrow_may_read(EXPORT, plan.actuals)
        monkeypatch.setattr(actuals, "_KNOWN_TEXTS", known_texts)
        monkeypatch.setattr(actuals, "CHUNK_ROWS", 1000)  # several chunks, one a short tail
        monkeypatch.setattr(actuals, "ARROW_BLOCK_BYTES", 1 << 14)  # chunks across batches
        by_arrow, by_pandas, declined = self._both(monkeypatch, EXPORT, plan, AS_OF)
        assert declined == 0
        assert by_arrow.actuals is not None and by_arrow.actuals.ledger.rows == len(rows())
        assert _canonical(by_arrow.diagnostics) == _canonical(by_pandas.diagnostics)
        assert _canonical(by_arrow.actuals) == _canonical(by_pandas.actuals)

    def test_smaller_first_and_last_chunks_read_alike(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The first chunks are smaller (doubling) and so are the last ones: the same
        aggregates and diagnostics as pandas' chunks of CHUNK_ROWS, the same report as
        chunks of one size (only the order cells were first seen in differs, which no
        report shows)."""
        from click.testing import CliRunner

        from planc.checks import check_directory
        from planc.cli import cli
        from planc.track import actuals

        plan = check_directory(PLAN).plan
        assert plan is not None
        monkeypatch.setattr(actuals, "CHUNK_ROWS", 1000)
        monkeypatch.setattr(actuals, "ARROW_BLOCK_BYTES", 1 << 14)
        args = ["track", str(PLAN), "--actuals", str(EXPORT), "--as-of", str(AS_OF), "-f", "json"]
        monkeypatch.setattr(actuals, "FIRST_CHUNK_ROWS", 1000)
        monkeypatch.setattr(actuals, "LAST_CHUNK_ROWS", 1000)
        one_size = CliRunner().invoke(cli, args)
        monkeypatch.setattr(actuals, "FIRST_CHUNK_ROWS", 100)
        monkeypatch.setattr(actuals, "LAST_CHUNK_ROWS", 300)
        passes: list[list[int]] = []  # each read's chunk sizes (the key's, then all roles)
        tables = actuals._arrow_chunk_tables

        def spy(*args: Any, **kwargs: Any) -> Any:
            passes.append([])
            for table, first_row in tables(*args, **kwargs):
                assert first_row == 2 + sum(passes[-1])
                passes[-1].append(table.num_rows)
                yield table, first_row

        monkeypatch.setattr(actuals, "_arrow_chunk_tables", spy)
        by_arrow, by_pandas, declined = self._both(monkeypatch, EXPORT, plan, AS_OF)
        assert declined == 0
        assert len(passes) == 2
        for sizes in passes:
            assert sizes[:5] == [100, 200, 400, 800, 1000]
            # the last ones start once fewer than two chunks' rows are left of the blocks
            # not parsed yet (a batch per block: not how far pyarrow has read ahead)
            assert sizes[-2] == 300 and sizes[-1] <= 300 and max(sizes) == 1000
            assert sum(sizes) == len(rows())
        assert _canonical(by_arrow.diagnostics) == _canonical(by_pandas.diagnostics)
        assert by_arrow.actuals == by_pandas.actuals
        tapered = CliRunner().invoke(cli, args)
        assert len(passes) == 4
        assert tapered.exit_code == one_size.exit_code
        assert tapered.output == one_size.output

    @pytest.mark.parametrize("mapping", ["plain", "keyed", "created", "created-shared"])
    def test_fuzzed_exports_read_alike(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mapping: str
    ) -> None:
        from planc.checks import check_directory
        from planc.track import actuals

        text = MAPPING
        if mapping == "keyed":  # the owner doubles as a key: repeated keys, first pass by key
            text = MAPPING.replace("account: account}", "account: account, key: owner}")
            text = text.replace("  stages:", "  duplicates: last\n  stages:")
        if mapping.startswith("created"):  # the pipeline on: created dates encoded by planc,
            # from the account's quirky texts, or from the close date's column, which the
            # reader encodes for the date role
            column = "closed" if mapping == "created-shared" else "account"
            text = MAPPING.replace("account: account}", f"account: account, created: {column}}}")
        plan = check_directory(mini_plan(tmp_path, text)).plan
        assert plan is not None
        monkeypatch.setattr(actuals, "CHUNK_ROWS", 4)
        monkeypatch.setattr(actuals, "ARROW_BLOCK_BYTES", 128)  # a few rows per batch
        read, refused = 0, 0
        for seed in range(150):
            export = tmp_path / f"e{seed}.csv"
            export.write_bytes(_fuzzed_csv(seed))
            by_arrow, by_pandas, declined = self._both(monkeypatch, export, plan, date(2027, 1, 20))
            assert _canonical(by_arrow.diagnostics) == _canonical(by_pandas.diagnostics), seed
            assert _canonical(by_arrow.actuals) == _canonical(by_pandas.actuals), seed
            read += not declined
            refused += bool(declined)
        print(mapping, "read by pyarrow", read, "refused", refused)
        assert read > 50 and refused > 10  # both paths taken

    def test_refusals_fall_back_to_pandas_diagnostics(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from planc.checks import check_directory

        plan = check_directory(mini_plan(tmp_path)).plan
        assert plan is not None
        export = tmp_path / "a.csv"
        export.write_text(
            "owner,closed,amount,product,stage,account\n"
            "Ann Lee,2027-01-05,100,Pro,Won,Northwind\n"
            "Ann Lee,2027-01-06,50\n",
            encoding="utf-8",
        )
        by_arrow, by_pandas, declined = self._both(monkeypatch, export, plan, date(2027, 1, 20))
        assert declined == 1
        (found,) = by_arrow.diagnostics
        assert (found.code, found.span.line) == ("PLC702", 3)
        assert _canonical(by_arrow.diagnostics) == _canonical(by_pandas.diagnostics)

    def test_dates_are_read_as_days_and_the_rest_as_text(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """pyarrow reads ISO dates as days (no text per distinct date for planc to parse);
        an export with a date in any other shape (padded with a no-break space, with a
        time, year 0, not a date, blanks) is read by pyarrow again with its dates as text:
        pandas' results either way, never pandas' reader."""
        from planc.checks import check_directory

        text = MAPPING.replace("account: account}", "account: account, created: closed}")
        plan = check_directory(mini_plan(tmp_path, text)).plan
        assert plan is not None
        made = _day_columns_made(monkeypatch)
        head = "owner,closed,amount,product,stage,account\n"
        rows = "Ann Lee,2027-01-05,100,Pro,Won,N\nAnn Lee,,5,Pro,Open,N\n"
        odds = ["", " 2027-01-06\t", "\xa02027-01-06", "2027-01-06 10:00", "0000-01-01", "soon"]
        for odd in [*odds, "2027-02-30", "  "]:
            export = tmp_path / "a.csv"
            export.write_text(f"{head}{rows}Bob Ortiz,{odd},7,Pro,Won,Q\n", encoding="utf-8")
            made.clear()
            by_arrow, by_pandas, declined = self._both(monkeypatch, export, plan, date(2027, 1, 20))
            assert declined == 0, odd
            assert _canonical(by_arrow.diagnostics) == _canonical(by_pandas.diagnostics), odd
            assert _canonical(by_arrow.actuals) == _canonical(by_pandas.actuals), odd
            # as days: one column for both roles (pyarrow trims blanks as planc does); year 0
            # is read as a day, then as text (Python's dates begin with year 1)
            assert made == ([3] if odd in ("", " 2027-01-06\t", "0000-01-01") else []), odd

    def test_a_date_not_read_as_a_day_in_a_later_chunk_starts_the_read_again(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Chunks already summed as days, then a date pyarrow cannot read as one (in the
        close or the created column, among unmapped owners and blank cells): the read
        starts again with dates as text, and nothing of the first attempt is counted twice
        or lost -- pandas' figures, warnings and rows, never pandas' reader."""
        from planc.checks import check_directory
        from planc.track import actuals

        text = MAPPING.replace("account: account}", "account: account, created: created}")
        plan = check_directory(mini_plan(tmp_path, text)).plan
        assert plan is not None
        monkeypatch.setattr(actuals, "CHUNK_ROWS", 7)  # the odd date is in the fifth chunk
        monkeypatch.setattr(actuals, "ARROW_BLOCK_BYTES", 1 << 9)
        made = _day_columns_made(monkeypatch)
        by_text = []  # pandas' reader: only the reference run of _both reads with it
        csv_chunks = actuals._csv_chunks

        def text_spy(*args: Any, **kwargs: Any) -> Any:
            by_text.append(1)
            return csv_chunks(*args, **kwargs)

        monkeypatch.setattr(actuals, "_csv_chunks", text_spy)
        owners = ["Ann Lee", "Bob Ortiz", "Zed Nobody", "", " Ann Lee"]
        stages = ["Won", "Open", "Lost", "Maybe"]
        days = ["2027-01-05", "2027-02-10", "2027-01-11", "2026-12-20", "2027-01-19"]
        born = ["2026-11-05", "", "2027-01-02", "2026-12-01", " 2026-10-09"]
        for column in ("closed", "created"):
            lines = ["owner,closed,amount,product,stage,account,created"]
            for i in range(40):
                closed, created = days[i % 5], born[(i * 3) % 5]
                if i == 31:  # a date with a time: a date to planc, not a day to pyarrow
                    if column == "closed":
                        closed = "2027-01-06 10:00"
                    else:
                        created = "2027-01-06 10:00"
                owner, stage = owners[i % 5], stages[(i // 2) % 4]
                lines.append(f"{owner},{closed},{i + 1}.5,Pro,{stage},A{i % 6},{created}")
            export = tmp_path / "a.csv"
            export.write_text("\n".join(lines) + "\n", encoding="utf-8")
            made.clear()
            by_text.clear()
            by_arrow, by_pandas, declined = self._both(monkeypatch, export, plan, date(2027, 1, 20))
            assert declined == 0 and len(by_text) == 1, column
            assert made, column  # the first chunks were read as days
            assert by_arrow.actuals is not None and by_pandas.actuals is not None
            assert _canonical(by_arrow.diagnostics) == _canonical(by_pandas.diagnostics), column
            assert _canonical(by_arrow.actuals) == _canonical(by_pandas.actuals), column
            assert by_arrow.actuals.ledger.rows == 40, column

    def test_the_arrow_path_never_imports_pandas(self) -> None:
        """pandas costs ~0.3 s of start-up: reading a CSV with pyarrow (dates, dictionaries,
        amounts from the buffers) never imports it."""
        from conftest import cli_modules

        export = str(EXPORT)
        modules, out = cli_modules("track", str(PLAN), "--actuals", export, "--as-of", "2017-08-15")
        assert "pyarrow.csv" in modules and out
        assert "pandas" not in modules

    def test_chunks_made_ahead_keep_order_errors_and_stop(self) -> None:
        """The reading thread hands chunks in order, raises its error in the caller, and
        stops when the caller leaves early (no thread left behind)."""
        import threading

        from planc.track import actuals

        def items(fail_at: int | None = None) -> Any:
            for i in range(10):
                if i == fail_at:
                    raise actuals._ArrowDeclined("ragged")
                yield i

        assert list(actuals._made_ahead(items())) == list(range(10))
        ran: list[str] = []  # what the caller does meanwhile: once, in its own thread

        def meanwhile() -> None:
            ran.append(threading.current_thread().name)

        assert list(actuals._made_ahead(items(), meanwhile)) == list(range(10))
        assert ran == [threading.current_thread().name]
        got = []
        with pytest.raises(actuals._ArrowDeclined):
            for i in actuals._made_ahead(items(fail_at=6)):
                got.append(i)
        assert got == list(range(6))
        ahead = actuals._made_ahead(items())
        assert next(ahead) == 0
        ahead.close()
        assert not [t for t in threading.enumerate() if t.name == "planc-csv-reader"]

    def test_numbering_is_pandas_factorize(self) -> None:
        """Codes and distinct values come in pandas.factorize's order (first appearance),
        from dictionary codes and from integers, without pandas on the Arrow path."""
        import numpy as np
        import pandas as pd

        from planc.track import actuals

        rng = np.random.default_rng(7)
        for size in (1, 5, 300):
            codes = rng.integers(0, size, 1000)
            new, old = actuals._first_seen(codes, size + 3)  # some codes never occur
            expected, uniques = pd.factorize(codes)
            assert new.tolist() == expected.tolist()
            assert old.tolist() == uniques.tolist()
            keys = rng.integers(-(2**40), 2**40, 50)[rng.integers(0, 50, 1000)]
            got, distinct = actuals._factorize_ints(keys)
            expected, uniques = pd.factorize(keys)
            assert got.tolist() == expected.tolist()
            assert distinct.tolist() == uniques.tolist()
        empty, none = actuals._factorize_ints(np.zeros(0, dtype=np.int64))
        assert len(empty) == len(none) == 0

    @pytest.mark.parametrize(
        "data",
        [
            b"owner,closed,amount,product,stage,account\n",
            b"owner,closed,amount,product,stage,account",
            b"owner,closed,amount,product,stage,account\n\n\n",
            b'"owner","closed","amount","product","stage","account"\r\n'
            b'"Ann Lee","2027-01-05","100","Pro","Won","N"\r\n',
            "\ufeffowner,closed,amount,product,stage,account\nAnn Lee,2027-01-05,1,Pro,Won,N\n".encode(),
            b"owner;closed;amount;product;stage;account\nAnn Lee;2027-01-05;100,5;Pro;Won;N\n",
            b"owner\tclosed\tamount\tproduct\tstage\taccount\nAnn Lee\t2027-01-05\t1\tPro\tWon\tN\n",
            b"",
            b"owner,closed,amount,product,stage,account\nZed,2027-01-05,,Pro,Won,N\n",
        ],
        ids=[
            "header",
            "header-no-newline",
            "blank-lines",
            "quoted",
            "bom",
            "semicolon",
            "tab",
            "empty",
            "unmapped-no-amount",
        ],
    )
    def test_edge_exports_read_alike(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: bytes
    ) -> None:
        from planc.checks import check_directory

        plan = check_directory(mini_plan(tmp_path)).plan
        assert plan is not None
        export = tmp_path / "a.csv"
        export.write_bytes(data)
        by_arrow, by_pandas, _ = self._both(monkeypatch, export, plan, date(2027, 1, 20))
        assert _canonical(by_arrow.diagnostics) == _canonical(by_pandas.diagnostics)
        assert _canonical(by_arrow.actuals) == _canonical(by_pandas.actuals)


_AMOUNT_TEXTS = [
    *("0", "7", "100", "100.5", "100.50", "0.05", "12.", ".5", "007", "29999.99"),
    *("123456789012345", "1234567890.12345", "1.123456", "99999999999.9999"),
    *("1234567890123456", "1.1234567", "", " ", " 12", "12 ", "+5", "-5", "1e3", "1E3"),
    *(".", "1.2.3", "12a", "١٢", "½", "12\x00", "1,000", "abc", "é", "0.0000001"),
]


class TestPlainAmounts:
    """Amounts read by pyarrow are parsed from the Arrow buffers when each is plain text
    (digits, one point): the same integers, scale and states as the exact path, which
    still reads everything else and reports it."""

    @staticmethod
    def _exact(texts: list[str], rows: Any) -> tuple[Any, int, Any]:
        """The exact path: distinct texts of ``rows`` parsed by _parse_amounts."""
        import numpy as np

        from planc.track import actuals

        codes, values = actuals._factorize_raw(np.array(texts, dtype=object), rows)
        scaled, scale, state = actuals._parse_amounts([*values, None], text=True)
        return scaled[codes], scale, state[codes]

    def test_plain_rows_are_the_exact_paths(self) -> None:
        import numpy as np
        import pyarrow as pa

        from planc.track import actuals

        rng = np.random.default_rng(11)
        taken = declined = 0
        for trial in range(600):
            # mostly plain texts, now and then one of anything
            # money (at most 2 places), every plain shape (scales apart: the exact path's
            # Python integers), or anything
            pool = (_AMOUNT_TEXTS[:11], _AMOUNT_TEXTS[:14], _AMOUNT_TEXTS)[trial % 3]
            extra = ["", *pool] if trial % 2 else pool
            texts = [extra[i] for i in rng.integers(0, len(extra), int(rng.integers(0, 40)))]
            column = actuals._Column(
                actuals._NO_CODES, [], actuals._ArrowText(pa.array(texts, type=pa.string()))
            )
            rows = np.flatnonzero(rng.random(len(texts)) < 0.7)
            for empty in (False, True):
                plain = actuals._plain_rows(column, rows, empty=empty)
                scaled, scale, state = self._exact(texts, rows)
                allowed = {actuals._OK, actuals._MISSING} if empty else {actuals._OK}
                if plain is None:
                    declined += 1
                    continue
                taken += 1
                got, got_scale, is_plain = plain
                assert set(state.tolist()) <= allowed, (texts, rows)
                assert got_scale == scale
                assert got.tolist() == np.where(state == actuals._OK, scaled, 0).tolist()
                assert is_plain.tolist() == (state == actuals._OK).tolist()
        assert taken > 250 and declined > 250  # both paths taken

    def test_aggregator_amounts_alike_from_either_reader(self, tmp_path: Path) -> None:
        """_Aggregator._amounts (won rows) and _open_amounts (open rows): the plain path's
        results equal those of pandas' object array (the exact path) for the same texts."""
        import numpy as np
        import pyarrow as pa

        from planc.checks import check_directory
        from planc.track import actuals

        plan = check_directory(mini_plan(tmp_path)).plan
        assert plan is not None and plan.actuals is not None
        rng = np.random.default_rng(5)
        for trial in range(200):
            pool = [*_AMOUNT_TEXTS[:14], ""] if trial % 4 else _AMOUNT_TEXTS
            texts = [pool[i] for i in rng.integers(0, len(pool), 30)]
            by_arrow = actuals._Column(
                actuals._NO_CODES, [], actuals._ArrowText(pa.array(texts, type=pa.string()))
            )
            by_pandas = actuals._Column(actuals._NO_CODES, [], np.array(texts, dtype=object))
            needed = rng.random(30) < 0.5
            found = []
            for column in (by_arrow, by_pandas):
                agg = actuals._Aggregator(
                    plan, plan.actuals, date(2027, 1, 20), "a.csv", baselines=False
                )
                amounts, scale = agg._amounts(column, needed, 2)
                opened = actuals._open_amounts(column, ~needed)
                found.append(
                    (
                        amounts.tolist(),
                        str(amounts.dtype),
                        scale,
                        agg.failed,
                        _canonical(agg.bad_amounts),
                        _canonical(agg.no_amount),
                        _canonical(agg.negative_amounts),
                        _canonical(agg.exponent_amounts),
                        [a.tolist() for a in opened[:2]],
                        str(opened[0].dtype),
                        opened[2],
                    )
                )
            assert found[0] == found[1], texts


def test_track_imports_no_other_command_module() -> None:
    """`planc track` imports its own command module, not the ten others (allocate's pulls in
    the cache writers); every command is still there, each found by its name."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from planc.cli import cli\n"
        "cli.commands['track']\n"
        "print(sorted(m for m in sys.modules if m.startswith('planc.cli.')))\n"
        "print(list(cli.commands))\n"
        "print(all(cli.commands[n].name == n for n in cli.commands))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert found[0] == "['planc.cli.options', 'planc.cli.track']"
    names = ["check", "explain", "rules", "schema", "export", "import", "render", "allocate"]
    names += ["init", "diff", "propose", "codeowners", "comment", "track", "backtest", "lsp"]
    assert found[1] == str(names)
    assert found[2] == "True"


def test_first_seen_looks_past_the_first_rows() -> None:
    """_first_seen reads the first rows first; values that first occur later (or only in
    the rest) still come in pandas.factorize's order."""
    import numpy as np
    import pandas as pd

    from planc.track import actuals

    rng = np.random.default_rng(3)
    head = actuals._FIRST_ROWS
    for size, n in ((3, head * 3), (300, head * 4), (30_000, head * 5), (50, head - 1)):
        codes = rng.integers(0, size, n)
        codes[: min(head, n)] %= max(size // 2, 1)  # half the values only after the first rows
        new, old = actuals._first_seen(codes, size + 2)
        expected, uniques = pd.factorize(codes)
        assert new.tolist() == expected.tolist(), size
        assert old.tolist() == uniques.tolist(), size


def test_account_ids_by_written_text_as_by_trimmed_name(tmp_path: Path) -> None:
    """Accounts are looked up by the text as written first; ids, names and order are those
    of the trimmed names, across chunks, whatever the spelling's padding."""
    import numpy as np

    from planc.checks import check_directory
    from planc.track import actuals

    plan = check_directory(mini_plan(tmp_path)).plan
    assert plan is not None and plan.actuals is not None
    agg = actuals._Aggregator(plan, plan.actuals, date(2027, 1, 20), "a.csv", baselines=False)
    chunks = [["N", " N", "", "Acme", "  "], ["Acme ", "N", "Zed", "", " Zed "], ["Zed", "Q"]]
    got = []
    for values in chunks:
        column = actuals._Column(np.arange(len(values) + 1) - 1, values)  # one missing row
        got.append(agg._accounts(column).tolist())
    assert agg.account_names == ["N", "Acme", "Zed", "Q"]
    assert got == [[-1, 0, 0, -1, 1, -1], [-1, 1, 0, 2, -1, 2], [-1, 2, 3]]


def test_account_ids_from_pyarrow_texts_as_from_values(tmp_path: Path) -> None:
    """pyarrow's texts (_ArrowNames: each looked up among earlier chunks' texts by pyarrow,
    the new ones named in order of first appearance) get the ids the values get, chunk
    after chunk: new texts among known ones, repeated, padded, blank, in several blocks."""
    import numpy as np
    import pyarrow as pa

    from planc.checks import check_directory
    from planc.track import actuals

    plan = check_directory(mini_plan(tmp_path)).plan
    assert plan is not None and plan.actuals is not None
    rng = np.random.default_rng(3)
    pool = ["N", " N", "", "Acme", "  ", "Acme ", "Zed", " Zed ", "Q", "é", "N\t"]
    for _trial in range(30):
        chunks = []
        for _ in range(int(rng.integers(1, 5))):
            texts = [pool[i] for i in rng.integers(0, int(rng.integers(1, len(pool) + 1)), 12)]
            chunks.append(texts)
        by_values = actuals._Aggregator(
            plan, plan.actuals, date(2027, 1, 20), "a.csv", baselines=False
        )
        by_arrow = actuals._Aggregator(
            plan, plan.actuals, date(2027, 1, 20), "a.csv", baselines=False
        )
        for texts in chunks:
            codes, values = actuals._factorize_raw(np.array(texts, dtype=object), np.arange(12))
            expected = by_values._accounts(actuals._Column(codes, values))
            blocks = pa.chunked_array([texts[:5], texts[5:]], type=pa.string())
            arrow = actuals._Column(actuals._NO_CODES, [], actuals._ArrowNames(blocks))
            found = by_arrow._accounts(arrow)
            assert found is not None and expected is not None
            assert found.tolist() == expected.tolist(), chunks
        assert by_arrow.account_names == by_values.account_names


def test_only_won_deals_closed_by_as_of_number_accounts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An account is looked up (and numbered) only on a won row closed by the as-of date,
    the rows whose account is ever read: pyarrow's reader and pandas' give the same ids
    and names, and the same sums, whatever other rows name first."""
    from planc.checks import check_directory
    from planc.track import actuals

    plan = check_directory(mini_plan(tmp_path)).plan
    assert plan is not None
    records = [
        ["Ann Lee", "2027-01-05", "10", "Pro", "Lost", "Lapsed"],  # lost: never read
        ["Ann Lee", "", "", "Pro", "Open", "Later"],  # open: numbered when won below
        ["Ann Lee", "2027-01-25", "30", "Pro", "Won", "Future"],  # after as-of: not read
        ["Bob Ortiz", "2027-01-06", "20", "Pro", "Won", "Acme"],
        ["Ann Lee", "2027-01-07", "5", "Pro", "Won", " Later "],
        ["Ann Lee", "2027-01-08", "7", "Pro", "Won", ""],
    ]
    export = write_csv(tmp_path / "a.csv", records)
    monkeypatch.setattr(actuals, "CHUNK_ROWS", 2)  # "Later" first named a chunk before
    loaded = []
    for arrow in (True, False):
        with monkeypatch.context() as patch:
            patch.setattr(actuals, "_arrow_may_read", lambda path, mapping, arrow=arrow: arrow)
            found = actuals.load_actuals(export, plan, date(2027, 1, 20)).actuals
        assert found is not None
        assert found.account_names == ("Acme", "Later")
        loaded.append({k: dict(v) for k, v in found.accounts.items()})
    assert loaded[0] == loaded[1] == {("bob", 2027 * 12): {0: 20}, ("ann", 2027 * 12): {1: 5}}


def test_csv_account_sums_are_made_when_first_looked_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CSV reader keeps its won rows' account parts and sums them only when a sum is
    first looked up (a report reads them to explain a warned target, often never): none
    at load, the scale known already, then once, whichever reader parsed the rows."""
    from planc.checks import check_directory
    from planc.track import actuals

    plan = check_directory(mini_plan(tmp_path)).plan
    assert plan is not None
    records = [
        ["Bob Ortiz", "2027-01-06", "20.5", "Pro", "Won", "Acme"],
        ["Ann Lee", "2027-01-07", "5", "Pro", "Won", "Later"],
        ["Ann Lee", "2027-01-08", "7.25", "Pro", "Won", "Later"],
    ]
    export = write_csv(tmp_path / "a.csv", records)
    made: list[int] = []
    sums = actuals._Aggregator._account_sums

    def spy(self: Any) -> Any:
        made.append(len(self.account_parts))
        return sums(self)

    monkeypatch.setattr(actuals._Aggregator, "_account_sums", spy)
    monkeypatch.setattr(actuals, "CHUNK_ROWS", 2)  # two parts, one per chunk
    for arrow in (True, False):
        made.clear()
        with monkeypatch.context() as patch:
            patch.setattr(actuals, "_arrow_may_read", lambda path, mapping, arrow=arrow: arrow)
            found = actuals.load_actuals(export, plan, date(2027, 1, 20)).actuals
        assert found is not None
        assert made == [] and found.scale == 2
        assert {k: dict(v) for k, v in found.accounts.items()} == {
            ("bob", 2027 * 12): {0: 2050},
            ("ann", 2027 * 12): {1: 1225},
        }
        assert len(found.accounts) == 2 and dict(found.accounts[("ann", 2027 * 12)]) == {1: 1225}
        assert made == [2]  # made once, from both chunks' parts


def test_first_deals_as_by_first_appearance(tmp_path: Path) -> None:
    """Each account's first counted row (earliest day, the earlier row on a tie) across
    chunks: the same rep and day as a row-by-row reference."""
    import numpy as np

    from planc.checks import check_directory
    from planc.track import actuals

    plan = check_directory(mini_plan(tmp_path)).plan
    assert plan is not None and plan.actuals is not None
    rng = np.random.default_rng(9)
    for trial in range(40):
        agg = actuals._Aggregator(plan, plan.actuals, date(2027, 1, 20), "a.csv", baselines=False)
        accounts = int(rng.integers(1, 60))
        agg.account_names = [f"A{i}" for i in range(accounts)]
        best: dict[int, tuple[int, int]] = {}  # account -> (day, rep), row by row
        for _chunk in range(int(rng.integers(1, 4))):
            n = int(rng.integers(0, 200))
            account = rng.integers(-1, accounts, n)
            # days up to date.max's: the (day, row) pairs the minimum packs leave no bit
            day = rng.integers(0, 30, n) + (739_000 if trial % 2 else date.max.toordinal() - 29)
            rep = rng.integers(0, 5, n)
            mask = (rng.random(n) < 0.7) & (account >= 0)
            agg._first_deals(mask, day, account, rep)
            for row in np.flatnonzero(mask).tolist():
                a, d = int(account[row]), int(day[row])
                if a not in best or d < best[a][0]:
                    best[a] = (d, int(rep[row]))
        got = {
            a: (int(agg.first_day[a]), int(agg.first_rep[a]))
            for a in range(len(agg.first_day))
            if agg.first_rep[a] != actuals.UNMAPPED
        }
        assert got == best, trial


def test_account_sums_by_rep_and_month_as_a_dict_would(tmp_path: Path) -> None:
    """The (rep, month) -> {account: amount} maps summed from the chunks' parts (scales
    apart, Python integers past int64) equal sums made one by one."""
    import numpy as np

    from planc.checks import check_directory
    from planc.track import actuals

    plan = check_directory(mini_plan(tmp_path)).plan
    assert plan is not None and plan.actuals is not None
    rng = np.random.default_rng(4)
    for trial in range(30):
        agg = actuals._Aggregator(plan, plan.actuals, date(2027, 1, 20), "a.csv", baselines=False)
        groups = len(agg.reps) * len(agg.slots)
        expected: dict[tuple[str, int], dict[int, Any]] = {}
        parts = []
        for _part in range(int(rng.integers(1, 5))):
            n = int(rng.integers(0, 300))
            group = rng.integers(0, groups, n)
            account = rng.integers(0, 7, n)
            scale = int(rng.integers(0, 3))
            values: Any = rng.integers(0, 10**6, n)
            if trial % 5 == 0:
                values = values.astype(object) * 10**15  # past int64 once scaled
            parts.append(((group << 32) | account, values, scale))
        top = max(scale for _, _, scale in parts)
        for key, values, scale in parts:
            for k, v in zip(key.tolist(), values.tolist(), strict=True):
                rep, slot = divmod(k >> 32, len(agg.slots))
                cell = expected.setdefault((agg.reps[rep], agg.slots[slot]), {})
                cell[k & 0xFFFFFFFF] = cell.get(k & 0xFFFFFFFF, 0) + v * 10 ** (top - scale)
        agg.account_parts = parts
        found, scale = agg._account_maps()
        assert scale == top
        assert {key: dict(found[key]) for key in found} == expected, trial
        assert list(found) == sorted(found, key=lambda k: (agg.reps.index(k[0]), k[1]))


def test_sorting_order_is_a_stable_argsort() -> None:
    """The accounts' (rep and month << 32 | account) keys are ordered by sorting them with
    their row numbers packed in, or by two radix sorts of 16-bit halves: numpy's stable
    argsort's order, for narrow and wide keys."""
    import numpy as np

    from planc.track import actuals

    rng = np.random.default_rng(9)
    cases = [(0, 1, 1), (1, 1, 1), (7, 2, 3), (5000, 1800, 20000), (5000, 3, 1 << 16)]
    # past 16 bits (accounts, or reps x months): the packed sort
    cases += [(5000, 3, (1 << 16) + 1), (5000, (1 << 16) + 1, 7)]
    for n, groups, accounts in cases:
        keys = (rng.integers(0, groups, n) << 32) | rng.integers(0, accounts, n)
        if n:  # the widest key of the case is there
            keys[n // 2] = ((groups - 1) << 32) | (accounts - 1)
        expected = np.argsort(keys, kind="stable")
        assert actuals._sorting_order(keys).tolist() == expected.tolist()
    wide = (np.array([3, 1 << 29, 3], dtype=np.int64) << 32) | np.array([1 << 31, 0, 5])
    assert actuals._sorting_order(wide).tolist() == [2, 0, 1]


def test_day_columns_are_codes_into_the_distinct_dates() -> None:
    """A pyarrow date column (blocks, sliced ones, nulls, blocks of nulls only) is read
    from its buffers: codes into its distinct dates, ascending, -1 for an empty cell; a
    date before year 1 is declined; a wide span goes through np.unique."""
    import numpy as np
    import pyarrow as pa

    from planc.track import actuals

    def expected(days: list[int | None]) -> tuple[list[int], list[date]]:
        found = sorted({d for d in days if d is not None})
        index = {d: i for i, d in enumerate(found)}
        codes = [-1 if d is None else index[d] for d in days]
        return codes, [date.fromordinal(d + date(1970, 1, 1).toordinal()) for d in found]

    rng = np.random.default_rng(4)
    for trial in range(60):
        blocks, every = [], []
        for _ in range(int(rng.integers(1, 5))):
            n = int(rng.integers(0, 40))
            spread = int(rng.choice([3, 400, 1 << 17]))  # past _DENSE_DAYS: np.unique
            empty = float(rng.choice([0.0, 0.3, 1.0]))
            days = [
                None if rng.random() < empty else int(rng.integers(-800, -800 + spread))
                for _ in range(n + 3)
            ]
            block = pa.array(days, type=pa.date32()).slice(1, n + 1)  # an offset
            blocks.append(block)
            every += days[1 : n + 2]
        column = actuals._day_column(pa.chunked_array(blocks, type=pa.date32()))
        codes, values = expected(every)
        assert column.codes.tolist() == codes, trial
        assert column.values == values, trial
    assert actuals._day_column(pa.chunked_array([], type=pa.date32())).codes.tolist() == []
    nulls = pa.chunked_array([pa.array([None, None], type=pa.date32())])
    assert (actuals._day_column(nulls).codes.tolist(), actuals._day_column(nulls).values) == (
        [-1, -1],
        [],
    )
    year_0 = date(1, 1, 1).toordinal() - date(1970, 1, 1).toordinal() - 1
    with pytest.raises(actuals._DaysDeclined):
        actuals._day_column(pa.chunked_array([pa.array([None, year_0, 5], type=pa.date32())]))


def test_last_chunks_begin_by_the_blocks_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows left are counted from the batches parsed (a block each), not from how far
    the file was read: the last, smaller chunks begin once fewer than two chunks' rows are
    left, however far ahead pyarrow read (ported from 16t7's test of the same rule)."""
    import pyarrow as pa

    from planc.track import actuals

    class Reader:
        def __init__(self) -> None:
            self.batches = [pa.record_batch({"c0": list(range(100))}) for _ in range(20)]

        def read_next_batch(self) -> Any:
            if not self.batches:
                raise StopIteration
            return self.batches.pop(0)

    monkeypatch.setattr(actuals, "CHUNK_ROWS", 500)
    monkeypatch.setattr(actuals, "FIRST_CHUNK_ROWS", 500)
    monkeypatch.setattr(actuals, "LAST_CHUNK_ROWS", 100)
    monkeypatch.setattr(actuals, "ARROW_BLOCK_BYTES", 1000)
    # 20 blocks of 1,000 bytes, 100 rows each: chunks of 500 rows, the last ones of 100
    tapered = actuals._arrow_chunk_tables(pa, Reader(), size=20_000)
    assert [table.num_rows for table, _ in tapered] == [500, 500, 500, 100, 100, 100, 100, 100]
    untapered = actuals._arrow_chunk_tables(pa, Reader())
    assert [table.num_rows for table, _ in untapered] == [500, 500, 500, 500]
