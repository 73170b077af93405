"""Several actuals sources per plan: each metric reads the source it is listed under.

A plan's ``actuals:`` may name sources (``actuals.sources``), e.g. CRM bookings
and finance's lines; ``--actuals NAME=FILE`` hands each its export. Figures are
checked against sums computed here with csv and Decimal, never with planc's code.
"""

from __future__ import annotations

import csv
import shutil
import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from conftest import MINI, run_planc
from test_output_schemas import assert_valid
from test_track import AS_OF, EXPORT, PLAN, Q3, closed, offices, progress, rows, slug, write_csv

TWO_SOURCES = """actuals:
  sources:
    crm:
      columns: {owner: owner, date: closed, amount: amount}
      metrics: {revenue: amount}
    finance:
      columns: {owner: spender, date: booked, amount: cost}
      metrics: {sales_expense: amount}
adjustments:
"""
CRM = [
    ["Ann Lee", "2027-01-20", "100000.10"],
    ["Bob Ortiz", "2027-02-01", "210000"],
    ["Ann Lee", "2027-02-20", "5000"],  # after the as-of date
]
FINANCE = [
    ["Ann Lee", "2027-01-10", "5000.25"],
    ["Ann Lee", "2027-02-10", "7000"],
    ["Bob Ortiz", "2027-01-15", "3000"],
    ["Nobody Known", "2027-01-15", "999"],  # an owner the plan does not have
]


def two_source_plan(tmp_path: Path, mapping: str = TWO_SOURCES) -> Path:
    plan = tmp_path / "2027-Q1"
    shutil.copytree(MINI, plan)
    quarter = plan / "quarter.yaml"
    text = quarter.read_text(encoding="utf-8")
    quarter.write_text(text.replace("adjustments:\n", mapping, 1), encoding="utf-8")
    return plan


@pytest.fixture
def exports(tmp_path: Path) -> tuple[Path, Path]:
    crm = write_csv(tmp_path / "crm.csv", CRM, ["owner", "closed", "amount"])
    finance = write_csv(tmp_path / "finance.csv", FINANCE, ["spender", "booked", "cost"])
    return crm, finance


def summed(records: list[list[str]], owner: str, last: date) -> Decimal:
    return sum(
        (Decimal(r[2]) for r in records if r[0] == owner and date.fromisoformat(r[1]) <= last),
        Decimal(0),
    )


class TestTwoSourcesOnSmallData:
    """Revenue comes from the CRM's export, sales expense from finance's, each with its mapping."""

    def test_each_metric_reads_its_source(self, tmp_path: Path, exports: tuple[Path, Path]) -> None:
        crm, finance = exports
        plan = two_source_plan(tmp_path)
        result = run_planc(
            "track", plan, "--actuals", f"crm={crm}", "--actuals", f"finance={finance}",
            "--as-of", "2027-02-14", "--format", "json",
        )  # fmt: skip
        assert result.code == 0, result.stderr
        document = result.json()
        assert_valid("track", document)
        as_of = date(2027, 2, 14)
        for rep, person in (("ann", "Ann Lee"), ("bob", "Bob Ortiz")):
            revenue = progress(document, rep, "revenue")
            expense = progress(document, rep, "sales_expense")
            assert Decimal(revenue["attained"]) == summed(CRM, person, as_of)
            assert Decimal(expense["attained"]) == summed(FINANCE, person, as_of)
            assert (revenue["source"], expense["source"]) == ("crm", "finance")
        company = progress(document, "acme", "sales_expense")
        assert Decimal(company["attained"]) == Decimal("15000.25")  # the unknown owner is not
        by_name = {s["name"]: s for s in document["sources"]}
        assert by_name["crm"]["metrics"] == ["revenue"]
        assert by_name["finance"]["metrics"] == ["sales_expense"]
        assert by_name["crm"]["ledger"]["rows"] == len(CRM)
        assert by_name["finance"]["ledger"]["rows"] == len(FINANCE)
        assert by_name["finance"]["ledger"]["counted"] == 3
        assert document["ledger"]["rows"] == len(CRM) + len(FINANCE)
        assert "new_customers" in document["untracked"]
        assert "sales_expense" not in document["untracked"]

    def test_text_and_markdown_name_each_source_and_its_ledger(
        self, tmp_path: Path, exports: tuple[Path, Path]
    ) -> None:
        crm, finance = exports
        plan = two_source_plan(tmp_path)
        args = (
            "--actuals",
            f"crm={crm}",
            "--actuals",
            f"finance={finance}",
            "--as-of",
            "2027-02-14",
        )
        text = run_planc("track", plan, *args).stdout
        assert f"crm ({crm.as_posix()}): 3 rows read, 2 counted" in text
        assert f"finance ({finance.as_posix()}): 4 rows read, 3 counted" in text
        assert "revenue (Revenue, USD) from crm" in text
        assert "sales_expense (Sales expense, USD, a cap) from finance" in text
        markdown = run_planc("track", plan, *args, "--format", "markdown").stdout
        shown = MarkdownIt("commonmark").render(markdown)  # the names in it are escaped
        assert f"Ledger of finance ({finance.as_posix()}): 4 rows read, 3 counted" in shown
        table = run_planc("track", plan, *args, "--format", "csv").stdout
        header, *lines = list(csv.reader(table.splitlines()))
        source = header.index("source")
        by_metric = {line[3]: line[source] for line in lines}
        assert by_metric == {"revenue": "crm", "sales_expense": "finance"}

    def test_one_source_stays_as_it_was(self, tmp_path: Path, exports: tuple[Path, Path]) -> None:
        crm, _ = exports
        plan = two_source_plan(
            tmp_path,
            "actuals:\n  columns: {owner: owner, date: closed, amount: amount}\n"
            "  metrics: {revenue: amount}\nadjustments:\n",
        )
        document = run_planc(
            "track", plan, "--actuals", crm, "--as-of", "2027-02-14", "--format", "json"
        ).json()
        assert_valid("track", document)
        assert [s["name"] for s in document["sources"]] == [None]
        assert progress(document, "acme", "revenue")["source"] is None
        assert document["ledger"] == document["sources"][0]["ledger"]
        text = run_planc("track", plan, "--actuals", crm, "--as-of", "2027-02-14").stdout
        assert text.splitlines()[1] == "3 rows read, 2 counted, 1 excluded: 1 after 2027-02-14"
        assert "from crm" not in text


class TestWhichFileForWhichSource:
    """--actuals NAME=FILE that does not fit the plan is a usage error that says what to write."""

    def run(self, tmp_path: Path, exports: tuple[Path, Path], *actuals: str) -> Any:
        plan = two_source_plan(tmp_path)
        given = [arg for value in actuals for arg in ("--actuals", value)]
        return run_planc("track", plan, *given)

    def test_unknown_name_suggests_the_near_one(
        self, tmp_path: Path, exports: tuple[Path, Path]
    ) -> None:
        crm, finance = exports
        result = self.run(tmp_path, exports, f"cmr={crm}", f"finance={finance}")
        assert result.code == 2
        assert "no actuals source `cmr` (did you mean `crm`?); its sources: crm, finance" in (
            result.stderr
        )
        assert "Traceback" not in result.stderr

    def test_a_source_given_twice(self, tmp_path: Path, exports: tuple[Path, Path]) -> None:
        crm, finance = exports
        result = self.run(tmp_path, exports, f"crm={crm}", f"crm={crm}", f"finance={finance}")
        assert result.code == 2
        assert "--actuals crm=...: given twice" in result.stderr

    def test_a_missing_source_points_at_it_in_the_plan(
        self, tmp_path: Path, exports: tuple[Path, Path]
    ) -> None:
        crm, _ = exports
        result = self.run(tmp_path, exports, f"crm={crm}")
        assert result.code == 2
        assert "2027-Q1/quarter.yaml:82:5: actuals source `finance` reads an export" in (
            result.stderr
        )
        assert "--actuals finance=FILE" in result.stderr

    def test_a_file_without_a_name(self, tmp_path: Path, exports: tuple[Path, Path]) -> None:
        crm, _ = exports
        result = self.run(tmp_path, exports, str(crm))
        assert result.code == 2
        assert "several actuals sources (crm, finance)" in result.stderr
        assert "--actuals NAME=FILE" in result.stderr

    def test_a_name_for_a_plan_with_one_source(
        self, tmp_path: Path, exports: tuple[Path, Path]
    ) -> None:
        crm, _ = exports
        plan = two_source_plan(
            tmp_path,
            "actuals:\n  columns: {owner: owner, date: closed, amount: amount}\n"
            "  metrics: {revenue: amount}\nadjustments:\n",
        )
        result = run_planc("track", plan, "--actuals", f"crm={crm}")
        assert result.code == 2
        assert "the plan's actuals: is one source" in result.stderr

    def test_a_problem_in_one_export_names_that_export(
        self, tmp_path: Path, exports: tuple[Path, Path]
    ) -> None:
        crm, _ = exports
        broken = write_csv(
            tmp_path / "fin.csv", [["Ann Lee", "2027-01-10", "1e3"]], ["a", "b", "c"]
        )
        result = self.run(tmp_path, exports, f"crm={crm}", f"finance={broken}")
        assert result.code == 1
        assert "fin.csv" in result.stdout
        assert "spender" in result.stdout  # the column the finance mapping looks for


class TestOtherCommands:
    """render and init take the same --actuals NAME=FILE."""

    def test_render_shows_each_sources_progress(
        self, tmp_path: Path, exports: tuple[Path, Path]
    ) -> None:
        crm, finance = exports
        plan = two_source_plan(tmp_path)
        out = tmp_path / "site"
        result = run_planc(
            "render", plan, "--out", out, "--actuals", f"crm={crm}",
            "--actuals", f"finance={finance}", "--as-of", "2027-02-14",
        )  # fmt: skip
        assert result.code == 0, result.stderr
        ann = next(out.rglob("ann*.html")).read_text(encoding="utf-8")
        assert "100,000" in ann  # revenue from the CRM (100,000.10 shown whole)
        assert "12,000" in ann  # sales expense from finance (5,000.25 + 7,000 whole)
        assert "crm.csv, finance.csv" in ann
        missing = run_planc("render", plan, "--out", tmp_path / "s2", "--actuals", f"crm={crm}")
        assert missing.code == 2
        assert "actuals source `finance` reads an export" in missing.stderr


class TestPublicSample:
    """plans/2017-Q3 split in two sources: the CRM's opportunities, and finance's invoice lines
    (the won deals, as an invoicing system would list them) for the deal count."""

    def split_plan(self, tmp_path: Path) -> Path:
        plan = tmp_path / "2017-Q3"
        shutil.copytree(PLAN, plan)
        quarter = plan / "quarter.yaml"
        text = quarter.read_text(encoding="utf-8")
        head, mapping = text.split("\nactuals:\n", 1)
        body = "".join(
            "    " + line + "\n" for line in mapping.splitlines() if "deals_won:" not in line
        )
        quarter.write_text(
            head
            + "\nactuals:\n  sources:\n    crm:\n"
            + body
            + "    finance:\n"
            + "      columns: {owner: agent, date: invoiced, amount: net}\n"
            + "      metrics: {deals_won: deals}\n",
            encoding="utf-8",
        )
        return plan

    def invoices(self, tmp_path: Path) -> Path:
        won = [
            [r["sales_agent"], r["close_date"], r["close_value"]]
            for r in rows()
            if r["deal_stage"] == "Won"
        ]
        return write_csv(tmp_path / "invoices.csv", won, ["agent", "invoiced", "net"])

    def test_figures_against_an_independent_count(self, tmp_path: Path) -> None:
        plan = self.split_plan(tmp_path)
        invoices = self.invoices(tmp_path)
        result = run_planc(
            "track", plan, "--actuals", f"crm={EXPORT}", "--actuals", f"finance={invoices}",
            "--as-of", AS_OF.isoformat(), "--format", "json",
        )  # fmt: skip
        assert result.code in (0, 1), result.stderr
        document = result.json()
        assert_valid("track", document)
        first, _ = Q3
        won = [
            r
            for r in rows()
            if r["deal_stage"] == "Won" and (d := closed(r)) is not None and first <= d <= AS_OF
        ]
        company = progress(document, "crm-sample", "revenue")
        assert Decimal(company["attained"]) == sum(Decimal(r["close_value"]) for r in won)
        assert company["source"] == "crm"
        deals = progress(document, "crm-sample", "deals_won")
        assert Decimal(deals["attained"]) == len(won)
        assert deals["source"] == "finance"
        office = offices()
        for region in {office[r["sales_agent"]] for r in won}:
            in_region = [r for r in won if office[r["sales_agent"]] == region]
            assert Decimal(progress(document, region, "deals_won")["attained"]) == len(in_region)
        agent = won[0]["sales_agent"]
        mine = [r for r in won if r["sales_agent"] == agent]
        assert Decimal(progress(document, slug(agent), "deals_won")["attained"]) == len(mine)
        assert Decimal(progress(document, slug(agent), "revenue")["attained"]) == sum(
            Decimal(r["close_value"]) for r in mine
        )
        ledgers = {s["name"]: s["ledger"] for s in document["sources"]}
        assert ledgers["crm"]["rows"] == len(rows())
        assert ledgers["finance"]["rows"] == sum(1 for r in rows() if r["deal_stage"] == "Won")

    def test_a_database_source_beside_an_export(self, tmp_path: Path) -> None:
        """crm reads a database (its source:), finance an export: each with its own mapping."""
        pytest.importorskip("sqlalchemy")
        database = tmp_path / "crm.db"
        with sqlite3.connect(database) as connection:
            connection.execute(
                "CREATE TABLE opportunities (opportunity_id TEXT, sales_agent TEXT, product TEXT,"
                " account TEXT, deal_stage TEXT, engage_date DATE, close_date DATE,"
                " close_value NUMERIC(12, 2))"
            )
            connection.executemany(
                "INSERT INTO opportunities VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    [
                        *(r[c] or None for c in list(r)[:7]),
                        int(r["close_value"]) if r["close_value"] else None,
                    ]
                    for r in rows()
                ],
            )
        plan = self.split_plan(tmp_path)
        quarter = plan / "quarter.yaml"
        text = quarter.read_text(encoding="utf-8")
        text = text.replace(
            "    crm:\n",
            f"    crm:\n      source: {{url: 'sqlite:///{database.as_posix()}', table: opportunities}}\n",
            1,
        )
        text = "".join(line for line in text.splitlines(keepends=True) if "created:" not in line)
        quarter.write_text(text, encoding="utf-8")
        invoices = self.invoices(tmp_path)
        result = run_planc(
            "track", plan, "--actuals", f"finance={invoices}", "--as-of", AS_OF.isoformat(),
            "--format", "json",
        )  # fmt: skip
        assert result.code in (0, 1), result.stderr
        document = result.json()
        assert_valid("track", document)
        first, _ = Q3
        won = [
            r
            for r in rows()
            if r["deal_stage"] == "Won" and (d := closed(r)) is not None and first <= d <= AS_OF
        ]
        revenue = progress(document, "crm-sample", "revenue")
        assert Decimal(revenue["attained"]) == sum(Decimal(r["close_value"]) for r in won)
        assert Decimal(progress(document, "crm-sample", "deals_won")["attained"]) == len(won)
        shown = {s["name"]: s["actuals"] for s in document["sources"]}
        assert shown["crm"].startswith("sqlite:///") and shown["finance"].endswith("invoices.csv")
