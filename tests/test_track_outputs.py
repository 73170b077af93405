"""What planc track shows beside attainment: stretch, products, distinct counts, who was employed."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from markdown_it import MarkdownIt

from conftest import run_planc
from test_track import (
    AS_OF,
    EXPORT,
    PLAN,
    Q3,
    mini_plan,
    progress,
    rows,
    track_json,
    won_between,
    write_csv,
)

PRODUCT = {"GTXPro": "GTX Pro"}


def test_per_product_actuals_in_json_csv_and_text(tmp_path: Path) -> None:
    by_product: defaultdict[str, Decimal] = defaultdict(Decimal)
    for r in won_between(Q3[0], AS_OF):
        by_product[PRODUCT.get(r["product"], r["product"])] += Decimal(r["close_value"])
    document = track_json("--as-of", AS_OF.isoformat())
    names = {
        "gtx-pro": "GTX Pro",
        "gtx-basic": "GTX Basic",
        "mg-special": "MG Special",
        "mg-advanced": "MG Advanced",
        "gtx-plus-pro": "GTX Plus Pro",
        "gtx-plus-basic": "GTX Plus Basic",
        "gtk-500": "GTK 500",
    }
    company = {p["product"]: p for p in document["products"] if p["node"] == "crm-sample"}
    assert {names[k]: Decimal(v["attained"]) for k, v in company.items()} == by_product
    out = run_planc(
        "track", PLAN, "--actuals", EXPORT, "--as-of", AS_OF.isoformat(), "--format", "csv"
    )
    table = list(csv.DictReader(io.StringIO(out.stdout)))
    found = {
        r["product"]: Decimal(r["attained"])
        for r in table
        if r["product"] and r["node"] == "crm-sample"
    }
    assert {names[k]: v for k, v in found.items()} == by_product
    text = run_planc("track", PLAN, "--actuals", EXPORT, "--as-of", AS_OF.isoformat()).stdout
    line = next(x for x in text.splitlines() if "CRM sample company  GTX Pro " in x)
    assert line.split()[5] == f"{by_product['GTX Pro']:,}"


def test_baselines_say_not_employed_instead_of_zero() -> None:
    document = track_json("--as-of", AS_OF.isoformat(), "--baselines")
    new_hire = next(
        b
        for b in document["baselines"]["targets"]
        if b["node"] == "mei-mei-johns" and b["metric"] == "revenue"
    )
    assert new_hire["last_quarter"] is None
    assert new_hire["last_quarter_employed"] is False
    assert not any(r["sales_agent"] == "Mei-Mei Johns" for r in rows())  # nothing to count anyway
    veteran = next(
        b
        for b in document["baselines"]["targets"]
        if b["node"] == "darcel-schlecht" and b["metric"] == "revenue"
    )
    assert veteran["last_quarter_employed"] is True and veteran["last_quarter"] is not None
    text = run_planc(
        "track", PLAN, "--actuals", EXPORT, "--as-of", AS_OF.isoformat(), "--baselines"
    ).stdout
    line = next(x for x in text.splitlines() if x.startswith("mei-mei-johns/revenue"))
    assert "not employed" in line and " 0 " not in line


ACCOUNTS = """actuals:
  columns: {owner: owner, date: closed, amount: amount, account: account}
  metrics: {revenue: amount, new_customers: accounts}
adjustments:
"""


def test_distinct_accounts_are_never_run_rated_and_stretch_is_beside_base(tmp_path: Path) -> None:
    records = [
        ["Ann Lee", "2027-01-05", "100000", "Northwind"],
        ["Ann Lee", "2027-01-25", "50000", "Northwind"],  # the same account again
        ["Ann Lee", "2027-02-01", "40000", "Contoso"],
    ]
    export = write_csv(tmp_path / "a.csv", records, ["owner", "closed", "amount", "account"])
    document = track_json(
        "--as-of", "2027-02-14", plan=mini_plan(tmp_path, ACCOUNTS), export=export
    )
    accounts = progress(document, "ann", "new_customers")
    assert accounts["attained"] == "2"
    assert accounts["forecast"] is None  # two accounts in 45 days are not four in 90
    revenue = progress(document, "ann", "revenue")
    assert revenue["forecast"] == "380000"  # amounts do add up by day: 190,000 x 90 / 45
    assert revenue["stretch"] == "600000"
    assert Decimal(revenue["stretch_attainment_pct"]) == (Decimal(190000) * 100 / 600000).quantize(
        Decimal("0.0001")
    )
    assert Decimal(revenue["attainment_pct"]) == (Decimal(190000) * 100 / 550000).quantize(
        Decimal("0.0001")
    )


def test_public_sample_distinct_accounts_stretch_and_products_in_markdown(tmp_path: Path) -> None:
    """On 2017-08-15 a run rate would say 170 active accounts where 85 exist: there is none."""
    plan = tmp_path / "2017-Q3"
    shutil.copytree(PLAN, plan)
    quarter = plan / "quarter.yaml"
    text = quarter.read_text(encoding="utf-8")
    text = text.replace(
        "    deals_won: {value: 1328}\n",
        "    deals_won: {value: 1328}\n    active_accounts: {value: 85}\n",
        1,
    )
    text = text.replace(
        "      value: 3313000\n", "      value: 3313000\n      stretch: 3500000\n", 1
    )
    text = text.replace(
        "  - id: deals_won\n",
        "  - id: active_accounts\n    name: Active accounts\n    unit: count\n    pillar: growth\n"
        "    definition: Accounts with a deal won in the quarter.\n  - id: deals_won\n",
        1,
    )
    text = text.replace(
        "    deals_won: deals\n", "    deals_won: deals\n    active_accounts: accounts\n"
    )
    quarter.write_text(text, encoding="utf-8")
    won = won_between(Q3[0], AS_OF)
    document = track_json("--as-of", AS_OF.isoformat(), plan=plan)
    accounts = progress(document, "crm-sample", "active_accounts")
    assert Decimal(accounts["attained"]) == len({r["account"] for r in won}) == 85
    assert accounts["forecast"] is None
    assert accounts["pipeline_forecast"] is None
    revenue = progress(document, "crm-sample", "revenue")
    attained = sum((Decimal(r["close_value"]) for r in won), Decimal(0))
    assert Decimal(revenue["attained"]) == attained
    assert Decimal(revenue["stretch_attainment_pct"]) == (attained * 100 / 3500000).quantize(
        Decimal("0.0001")
    )
    by_product: defaultdict[str, Decimal] = defaultdict(Decimal)
    for r in won:
        by_product[PRODUCT.get(r["product"], r["product"])] += Decimal(r["close_value"])
    markdown = run_planc(
        "track", plan, "--actuals", EXPORT, "--as-of", AS_OF.isoformat(), "--format", "markdown"
    ).stdout
    products = markdown.split("## Products", 1)[1].split("\n## ", 1)[0]
    for name, amount in by_product.items():
        assert f"| CRM sample company | {name} | {amount:,} |" in products, name


def test_a_csv_with_created_dates_does_not_start_duckdb() -> None:
    """pandas reads it (the pipeline forecast's counters): DuckDB's second of imports is spared."""
    script = (
        "import sys\n"
        "from datetime import date\n"
        "from pathlib import Path\n"
        "from planc.track.report import run_track\n"
        f"report = run_track(Path({str(PLAN)!r}), Path({str(EXPORT)!r}), date(2017, 8, 15))\n"
        "assert report.tracking is not None and report.tracking.forecast_method\n"
        "print(sorted(m for m in ('duckdb', 'sqlalchemy') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_markdown_review_keeps_what_a_plan_or_export_wrote_inert(tmp_path: Path) -> None:
    """The weekly review goes into issues, wikis and job summaries: a team's name from the
    plan and an owner or product from the CRM export are text there, never HTML, a link, an
    image, an @mention or a table cell of their own (it was written into markdown as is)."""
    plan = mini_plan(tmp_path)
    region = plan / "regions" / "north.yaml"
    hostile = "<img src=x onerror=alert(1)> [win](https://e.vil) @octocat | cell"
    text = region.read_text(encoding="utf-8").replace(
        "name: North Enterprise", f"name: '{hostile}'"
    )
    region.write_text(text, encoding="utf-8")
    records = [
        ["Ann Lee", "2027-01-05", "100", "Pro", "Won", "Northwind"],
        ["<b>@someone</b> ![i](https://e.vil/x.png)", "2027-01-06", "5", "Pro", "Won", "Acme"],
    ]
    export = write_csv(tmp_path / "crm.csv", records)
    out = run_planc(
        "track", plan, "--actuals", export, "--as-of", "2027-01-20", "--format", "markdown"
    )
    assert out.code in (0, 1), out.stderr
    html = MarkdownIt("commonmark").enable("table").render(out.stdout)
    assert "<img" not in html and "<b>" not in html and "<a " not in html, html
    assert "@octocat" not in html and "@someone" not in html  # a joiner after each sign
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # shown as written
    # the name's pipe is text: the whole name stays in its row's first cell
    assert "<td>└ &lt;img src=x onerror=alert(1)&gt; [win]" in html, html
    assert "@\u200doctocat | cell</td>" in html, html
