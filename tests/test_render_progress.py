"""planc render --actuals: progress beside every target, checked against sums computed here.

The plan is plans/2017-Q3 and the export the public CRM sample in
tests/fixtures/crm-sales-opportunities. Expected figures come from the csv
module and Decimal, never from planc's own code: a rep's attained revenue on
the page must be the sum of that rep's won deals closed from 1 July to the
as-of date.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from datetime import date
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest

from commitments import gapped_copy, mini_with_commitments
from conftest import REPO, TESTS, run_planc

PLAN = REPO / "plans" / "2017-Q3"
DATA = REPO / "tests" / "fixtures" / "crm-sales-opportunities"
EXPORT = DATA / "sales_pipeline.csv"
AS_OF = date(2017, 8, 15)
GOLDEN = TESTS / "golden" / "site-2017-Q3-progress"
GOLDEN_PAGES = (
    "index.html",
    "teams/central-brinkmann.html",
    "reps/versie-hillebrand.html",
)


def slug(name: str) -> str:
    return "-".join(name.lower().replace("-", " ").split())


def won(first: date, last: date) -> list[dict[str, str]]:
    """Won deals closed between two days (both included), straight from the export."""
    with EXPORT.open(newline="", encoding="utf-8") as handle:
        return [
            r
            for r in csv.DictReader(handle)
            if r["deal_stage"] == "Won"
            and r["close_date"]
            and first <= date.fromisoformat(r["close_date"]) <= last
        ]


def teams() -> dict[str, str]:
    """Agent → team id (office and the manager's last name, as the plan names teams)."""
    with (DATA / "sales_teams.csv").open(newline="", encoding="utf-8") as handle:
        return {
            r["sales_agent"]: f"{r['regional_office'].lower()}-{r['manager'].split()[-1].lower()}"
            for r in csv.DictReader(handle)
        }


def money(text: str) -> Decimal:
    return Decimal(text.replace("$", "").replace(",", ""))


def words(html: str) -> str:
    """A page's text as a reader sees it: no style, no tags, entities decoded, spaces collapsed."""
    html = re.sub(r"<style>.*?</style>", " ", html, flags=re.DOTALL)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def card_attained(html: str) -> dict[str, str]:
    """Metric name → the attained figure printed in its target card."""
    found = re.findall(
        r'<h3>([^<]+?)(?: <span class="unit">[^<]*</span>)?</h3>\s*<p class="big">[^<]*</p>\s*'
        r'<div class="progress [a-z-]+">\s*<p class="state">[^<]+</p>\s*'
        r'<p class="att"><span class="lbl">Attained</span> <strong>([^<]+)</strong>',
        html,
    )
    return dict(found)


def progress_row(html: str, metric: str) -> str:
    """The attained figure of a metric in a page's progress table."""
    match = re.search(
        rf'<tr class="[a-z-]+"><th scope="row">{re.escape(metric)}</th>'
        r'<td class="n" data-label="Target">[^<]*</td>'
        r'<td class="n" data-label="Attained"><span><strong>([^<]+)</strong>',
        html,
    )
    assert match is not None, metric
    return match.group(1)


def render(plan: Path, out: Path, *args: str | Path) -> None:
    result = run_planc("render", plan, "--out", out, *args)
    assert result.code == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("progress") / "site"
    render(PLAN, out, "--actuals", EXPORT, "--as-of", AS_OF.isoformat())
    return out


class TestFiguresOnThePage:
    """Attained on every brief and page is what the export says, to the unit."""

    def test_every_reps_attained_revenue_and_deals(self, site: Path) -> None:
        amounts: defaultdict[str, Decimal] = defaultdict(Decimal)
        deals: defaultdict[str, int] = defaultdict(int)
        for r in won(date(2017, 7, 1), AS_OF):
            amounts[slug(r["sales_agent"])] += Decimal(r["close_value"])
            deals[slug(r["sales_agent"])] += 1
        reps = {slug(agent) for agent in teams()}
        assert len(reps) == 35
        for rep in sorted(reps):
            html = (site / "reps" / f"{rep}.html").read_text(encoding="utf-8")
            attained = card_attained(html)
            assert money(attained["Revenue"]) == amounts[rep], rep
            assert Decimal(attained["Deals won"].replace(",", "")) == deals[rep], rep
        assert sum(amounts.values()) > 0  # the period holds deals: the test compares something

    def test_team_region_and_company_pages(self, site: Path) -> None:
        by_team: defaultdict[str, Decimal] = defaultdict(Decimal)
        by_office: defaultdict[str, Decimal] = defaultdict(Decimal)
        team_of = teams()
        for r in won(date(2017, 7, 1), AS_OF):
            by_team[team_of[r["sales_agent"]]] += Decimal(r["close_value"])
            by_office[team_of[r["sales_agent"]].split("-")[0]] += Decimal(r["close_value"])
        assert len(by_team) == 6 and len(by_office) == 3
        for team, amount in by_team.items():
            html = (site / "teams" / f"{team}.html").read_text(encoding="utf-8")
            assert money(progress_row(html, "Revenue")) == amount, team
        for office, amount in by_office.items():
            html = (site / "regions" / f"{office}.html").read_text(encoding="utf-8")
            assert money(progress_row(html, "Revenue")) == amount, office
        index = (site / "index.html").read_text(encoding="utf-8")
        assert money(progress_row(index, "Revenue")) == sum(by_office.values())

    def test_split_table_shows_each_reps_progress(self, site: Path) -> None:
        amounts: defaultdict[str, Decimal] = defaultdict(Decimal)
        for r in won(date(2017, 7, 1), AS_OF):
            amounts[slug(r["sales_agent"])] += Decimal(r["close_value"])
        html = (site / "teams" / "central-brinkmann.html").read_text(encoding="utf-8")
        cells = re.findall(
            r'<a href="\.\./reps/([a-z-]+)\.html">[^<]+</a></th><td class="n" data-label="Revenue">'
            r'<span>[^<]+<small class="prog [a-z-]+">([^<]+) · [0-9.]+% of pace</small>',
            html,
        )
        assert len(cells) == 5
        for rep, text in cells:
            assert money(text) == amounts[rep], rep

    def test_months_attained_so_far(self, site: Path) -> None:
        july = sum(
            (
                Decimal(r["close_value"])
                for r in won(date(2017, 7, 1), date(2017, 7, 31))
                if r["sales_agent"] == "Anna Snelling"
            ),
            Decimal(0),
        )
        august = sum(
            (
                Decimal(r["close_value"])
                for r in won(date(2017, 8, 1), AS_OF)
                if r["sales_agent"] == "Anna Snelling"
            ),
            Decimal(0),
        )
        html = (site / "reps" / "anna-snelling.html").read_text(encoding="utf-8")
        rows = dict(
            re.findall(
                r'<tr><th scope="row">(Jul|Aug|Sep)</th><td class="n">[^<]+</td>'
                r'<td class="n">[^<]+</td><td class="n">([^<]+)',
                html,
            )
        )
        assert money(rows["Jul"]) == july
        assert money(rows["Aug"]) == august
        assert rows["Sep"] == "—"  # not begun on 15 August
        assert "so far" in html.split(">Aug</th>", 1)[1].split("</tr>", 1)[0]

    def test_pace_forecast_and_status_are_stated_in_words(self, site: Path) -> None:
        text = words((site / "reps" / "anna-snelling.html").read_text(encoding="utf-8"))
        # 46 of 92 days; revenue phased 20,000 / 29,000 / 38,000: July whole, 15 of 31 days of August.
        pace = (Decimal(20000) + Decimal(29000) * 15 / 31).quantize(Decimal(1))
        assert f"Pace to date ${pace:,}" in text
        assert (
            "Progress to the end of Aug 15, 2017 (day 46 of 92), from sales_pipeline.csv." in text
        )
        assert "Forecast $52,704" in text  # run rate: 26,352 * 92 / 46
        assert "At risk" in text  # 77.4% of pace, below policy.warnings.behind_pace (80%)


class TestDeterminism:
    def test_same_export_and_date_give_the_same_bytes(self, site: Path, tmp_path: Path) -> None:
        again = tmp_path / "again"
        render(PLAN, again, "--actuals", EXPORT, "--as-of", AS_OF.isoformat())
        for page in ("index.html", "reps/anna-snelling.html", "teams/central-marxen.html"):
            assert (again / page).read_bytes() == (site / page).read_bytes(), page

    def test_default_as_of_is_the_quarters_end_once_it_is_over(self, tmp_path: Path) -> None:
        out = tmp_path / "site"
        render(PLAN, out, "--actuals", EXPORT, "--rep", "anna-snelling")
        text = words((out / "index.html").read_text(encoding="utf-8"))
        assert "Progress to the end of Sep 30, 2017 (day 92 of 92)" in text

    def test_the_csv_readers_are_imported_only_with_actuals(self, tmp_path: Path) -> None:
        """pandas, or pyarrow's CSV reader that planc track now reads an export with."""
        probe = (
            "import sys\n"
            "from planc.cli import main\n"
            "sys.argv = ['planc', *sys.argv[1:]]\n"
            "try:\n"
            "    main()\n"
            "except SystemExit as done:\n"
            "    assert done.code == 0, done.code\n"
            "print('pandas' in sys.modules or 'pyarrow' in sys.modules)\n"
        )
        plain = subprocess.run(
            [sys.executable, "-c", probe, "render", str(PLAN), "--out", str(tmp_path / "a")],
            capture_output=True,
            text=True,
            check=True,
        )
        assert plain.stdout.splitlines()[-1] == "False"
        tracked = subprocess.run(
            [
                *(sys.executable, "-c", probe, "render", str(PLAN), "--out", str(tmp_path / "b")),
                *("--actuals", str(EXPORT), "--as-of", AS_OF.isoformat()),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert tracked.stdout.splitlines()[-1] == "True"

    def test_golden_pages(self, tmp_path: Path, update_goldens: bool) -> None:
        """Progress and bottom-up gaps on the pages that show them, byte for byte."""
        plan = gapped_copy(tmp_path)
        out = tmp_path / "site"
        render(plan, out, "--actuals", EXPORT, "--as-of", AS_OF.isoformat())
        if update_goldens:
            shutil.rmtree(GOLDEN, ignore_errors=True)
            for page in GOLDEN_PAGES:
                (GOLDEN / page).parent.mkdir(parents=True, exist_ok=True)
                (GOLDEN / page).write_bytes((out / page).read_bytes())
        assert GOLDEN.is_dir(), "missing golden pages; run pytest --update-goldens"
        for page in GOLDEN_PAGES:
            assert (out / page).read_bytes() == (GOLDEN / page).read_bytes(), page


class TestExportWarnings:
    def test_warnings_are_printed_and_the_site_is_written(self, tmp_path: Path) -> None:
        """A product the mapping does not know is a warning: shown, and the render goes on."""
        plan = tmp_path / "2017-Q3"
        shutil.copytree(PLAN, plan)
        quarter = plan / "quarter.yaml"
        text = quarter.read_text(encoding="utf-8")
        assert text.count("  products:\n    GTXPro: gtx-pro") == 1
        quarter.write_text(text.replace("  products:\n    GTXPro: gtx-pro", ""), encoding="utf-8")
        out = tmp_path / "site"
        result = run_planc(
            "render", plan, "--out", out, "--actuals", EXPORT, "--as-of", AS_OF.isoformat()
        )
        assert result.code == 0, result.stderr
        assert "PLC711 [warning]" in result.stderr and "`GTXPro`" in result.stderr
        assert result.stdout == f"site: {out}/index.html (45 pages)\n"
        assert (out / "reps" / "anna-snelling.html").is_file()


class TestBadActuals:
    """A bad export is a clear message, exit 1, and nothing written or replaced."""

    def test_missing_file(self, tmp_path: Path) -> None:
        out = tmp_path / "site"
        result = run_planc("render", PLAN, "--out", out, "--actuals", tmp_path / "nope.csv")
        assert result.code == 1
        assert "PLC702" in result.stderr and "does not exist" in result.stderr
        assert "nothing written" in result.stderr
        assert "Traceback" not in result.stderr + result.stdout
        assert not out.exists()

    def test_missing_columns_keep_the_old_site(self, tmp_path: Path) -> None:
        out = tmp_path / "site"
        render(PLAN, out, "--rep", "anna-snelling")
        before = (out / "index.html").read_bytes()
        export = tmp_path / "crm.csv"
        export.write_text("agent,value\nAnna Snelling,100\n", encoding="utf-8")
        result = run_planc("render", PLAN, "--out", out, "--actuals", export)
        assert result.code == 1
        assert "PLC704" in result.stderr and "sales_agent" in result.stderr
        assert "Traceback" not in result.stderr + result.stdout
        assert (out / "index.html").read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["crm.csv", "site"]

    def test_a_plan_without_an_actuals_mapping(self, mini_plan: Path, tmp_path: Path) -> None:
        out = tmp_path / "site"
        result = run_planc("render", mini_plan, "--out", out, "--actuals", EXPORT)
        assert result.code == 1
        assert "PLC701" in result.stderr
        assert not out.exists()

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (("--as-of", "2017-08-15"), "--as-of needs --actuals FILE"),
            (("--actuals", str(EXPORT), "--as-of", "15/08/2017"), "is not a date"),
        ],
        ids=["as-of-alone", "bad-date"],
    )
    def test_usage_errors(self, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
        out = tmp_path / "site"
        result = run_planc("render", PLAN, "--out", out, *args)
        assert result.code == 2
        assert message in result.stderr
        assert not out.exists()


# --------------------------------------------------------------------------- bottom-up gaps


@pytest.fixture(scope="module")
def gapped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gaps")
    out = root / "site"
    render(mini_with_commitments(root), out)
    return out


class TestGapsOnThePage:
    """Top-down vs bottom-up beside every target that has a bottom-up number."""

    def test_a_reps_own_commitment_and_the_band(self, gapped: Path) -> None:
        ann = words((gapped / "reps" / "ann.html").read_text(encoding="utf-8"))
        # 550,000 against 480,000: 70,000 more, 14.6% of the commitment, outside -5%..+10%.
        assert "top-down $550,000 · bottom-up $480,000 · gap +$70,000 (+14.6%)" in ann
        assert "outside the policy's −5% – +10%" in ann  # noqa: RUF001 - the page's signs
        # A cap: 35,000 where Ann commits to 40,000 is 5,000 tighter (12.5%), outside the band.
        assert "top-down $35,000 · bottom-up $40,000 · gap +$5,000 (+12.5%)" in ann
        bob = words((gapped / "reps" / "bob.html").read_text(encoding="utf-8"))
        assert "top-down $550,000 · bottom-up $540,000 · gap +$10,000 (+1.9%)" in bob
        assert "outside the policy" not in bob

    def test_a_team_and_region_add_up_their_childrens_commitments(self, gapped: Path) -> None:
        team = words((gapped / "teams" / "north-ent.html").read_text(encoding="utf-8"))
        assert (
            "top-down $1,000,000 · bottom-up $1,020,000 (from the reps) · gap −$20,000 (−2.0%)"  # noqa: RUF001 - the page's minus
            in team
        )
        region = words((gapped / "regions" / "north.html").read_text(encoding="utf-8"))
        assert "bottom-up $1,020,000 (from the teams)" in region
        index = words((gapped / "index.html").read_text(encoding="utf-8"))
        assert "top-down $2,000,000" not in index  # South commits to nothing: no company number

    def test_information_is_beside_the_target_not_among_the_warnings(self, gapped: Path) -> None:
        index = (gapped / "index.html").read_text(encoding="utf-8")
        warnings = index.split('<ul class="warnings">', 1)[1].split("</ul>", 1)[0]
        assert "PLC311" in warnings  # outside the band: a warning
        assert "PLC310" not in warnings  # the gap itself: information, shown on the pages

    def test_chinese_labels(self, tmp_path: Path) -> None:
        out = tmp_path / "site"
        render(mini_with_commitments(tmp_path, "zh-CN"), out)
        ann = words((out / "reps" / "ann.html").read_text(encoding="utf-8"))
        assert "自上而下 US$550,000 · 自下而上 US$480,000 · 差距 +US$70,000 (+14.6%)" in ann
        assert "超出政策允许的" in ann
        team = words((out / "teams" / "north-ent.html").read_text(encoding="utf-8"))
        assert "（销售代表承诺汇总）" in team  # noqa: RUF001 - Chinese parentheses are meant

    def test_no_peers_keeps_reps_commitments_off_the_team_page(self, tmp_path: Path) -> None:
        out = tmp_path / "site"
        render(mini_with_commitments(tmp_path), out, "--no-peers")
        team = (out / "teams" / "north-ent.html").read_text(encoding="utf-8")
        assert "$480,000" not in team and "$540,000" not in team
        assert "(from the reps)" in words(team)  # the team's own number, added up


class TestTheBriefLeadsWithStatus:
    """Above everything on a brief: status, what is still needed and per remaining week,
    planc track's early warning, and the cumulative pace chart."""

    def test_to_go_and_per_week_are_the_arithmetic(self, site: Path) -> None:
        html = (site / "reps" / "versie-hillebrand.html").read_text(encoding="utf-8")
        first = html[html.index('id="targets"') : html.index('id="who"')]
        attained = money(card_attained(html)["Revenue"])
        target = money(re.search(r'<p class="big">([^<]+)</p>', first).group(1))
        togo = re.search(
            r'<p class="togo"><strong>([^<]+) to go</strong> <span>([^<]+)</span>', first
        )
        assert togo is not None
        assert money(togo.group(1)) == target - attained
        days_left = (date(2017, 9, 30) - AS_OF).days  # the as-of day itself is over
        weekly = re.match(r"(\$[\d,]+) a week for the ([\d.]+) weeks left", togo.group(2))
        assert weekly is not None
        assert money(weekly.group(1)) == ((target - attained) * 7 / days_left).quantize(
            Decimal(1), rounding="ROUND_CEILING"
        )
        assert Decimal(weekly.group(2)) == (Decimal(days_left) / 7).quantize(Decimal("0.1"))

    def test_track_warnings_are_on_the_brief(self, site: Path) -> None:
        report = run_planc(
            "track", PLAN, "--actuals", EXPORT, "--as-of", AS_OF.isoformat(), "--format", "json"
        ).json()
        reps = {p.stem for p in (site / "reps").glob("*.html")}
        by_rep: dict[str, int] = defaultdict(int)
        for d in report["diagnostics"]:
            # "Ann Lee · Revenue (ann/revenue): ...": the target's id follows its names
            ref = re.match(r"[^\n]*? \(([^()/]+)/[^()]+\): ", d["message"])
            if ref is not None and ref.group(1) in reps:
                node = ref.group(1)
                by_rep[node] += 1
        assert by_rep, "the sample has warnings on reps' targets"
        for rep in reps:
            html = (site / "reps" / f"{rep}.html").read_text(encoding="utf-8")
            assert html.count('<details class="early">') == by_rep.get(rep, 0), rep

    def test_the_pace_chart_is_on_the_brief(self, site: Path) -> None:
        html = (site / "reps" / "versie-hillebrand.html").read_text(encoding="utf-8")
        first = html[html.index('id="targets"') : html.index('id="who"')]
        assert '<figure class="chart pace-chart">' in first
        assert "Attained $21,586 against a pace of" in words(first)


class TestTeamPagesRank:
    """A team page ranks its reps by attainment, with a total that adds attainment too."""

    def test_reps_are_ranked_by_attainment(self, site: Path) -> None:
        html = (site / "teams" / "central-brinkmann.html").read_text(encoding="utf-8")
        ranking = html[html.index('id="ranking"') : html.index('id="split"')]
        body = ranking[ranking.index("<tbody>") : ranking.index("</tbody>")]
        shares = [Decimal(p) for p in re.findall(r'<span class="rk-pct">([\d.]+)%</span>', body)]
        assert len(shares) == 5
        assert shares == sorted(shares, reverse=True)
        names = re.findall(r'<a href="\.\./reps/[a-z-]+\.html">([^<]+)</a>', body)
        attained = card_attained  # the same figures as each brief's card
        for name, share in zip(names, shares, strict=True):
            brief = (site / "reps" / f"{name.lower().replace(' ', '-')}.html").read_text(
                encoding="utf-8"
            )
            assert money(attained(brief)["Revenue"]) > 0
            assert f"{share}% of target" in brief
        foot = ranking[ranking.index("<tfoot>") :]
        total = Decimal(re.search(r'<span class="rk-pct">([\d.]+)%</span>', foot).group(1))
        team_attained = money(re.search(r'<td class="n">(\$[\d,]+)<small>', foot).group(1))
        assert team_attained == money(progress_row(html, "Revenue"))
        assert total == (team_attained * 100 / Decimal(385000)).quantize(Decimal("0.1"))

    def test_split_rows_follow_the_ranking(self, site: Path) -> None:
        html = (site / "teams" / "central-brinkmann.html").read_text(encoding="utf-8")
        ranking = html[html.index('id="ranking"') : html.index('id="split"')]
        split = html[html.index('id="split"') :]
        order = re.findall(r"reps/([a-z-]+)\.html", ranking)
        assert re.findall(r"reps/([a-z-]+)\.html", split)[: len(order)] == order
