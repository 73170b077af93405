"""planc import: a quarter from the public sample's roster and real quota sheets.

The sheets are real files: CSV text, workbooks written by openpyxl with the
quirks people's sheets have (merged header cells, wide months, product
columns, a total row), and the shipped example, saved by LibreOffice (so its
total row's formulas carry computed values).
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from conftest import MINI, run_planc
from planc.checks import check_directory
from planc.cli import cli
from planc.core.model import Plan

ROOT = Path(__file__).resolve().parents[1]
ROSTER = ROOT / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_teams.csv"
EXAMPLE_XLSX = ROOT / "examples" / "quotas-2017-Q4.xlsx"
EXAMPLE_CSV = ROOT / "examples" / "quotas-2017-Q4.csv"
SAMPLE = ["--owner", "Alex Morgan", "--company", "CRM sample company"]


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["import", *map(str, args)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def mini_roster(tmp_path: Path) -> Path:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "sales_agent,manager,regional_office\n"
        "Ann Lee,Ned Stark,North\nBob Ortiz,Ned Stark,North\n"
        "Li Wei,Sara Jones,South\nXu Fang,Sara Jones,South\n",
        encoding="utf-8",
    )
    return roster


@pytest.mark.parametrize("quotas", [EXAMPLE_XLSX, EXAMPLE_CSV], ids=["xlsx", "csv"])
def test_the_sample_roster_and_the_example_sheet_make_a_clean_plan(
    tmp_path: Path, quotas: Path
) -> None:
    folder = tmp_path / "plans" / "2017-Q4"
    code, out, _ = run(folder, "--roster", ROSTER, "--quotas", quotas, *SAMPLE)
    assert code == 0, out
    assert "created" in out and "3 region(s), 6 team(s), 35 rep(s)" in out
    result = check_directory(folder)
    assert result.plan is not None and not result.has_errors, out
    plan = result.plan
    assert {n.id for n in plan.nodes.values() if n.level.label == "region"} == {
        "central",
        "east",
        "west",
    }
    anna = plan.nodes["anna-snelling"].targets["revenue"]
    assert anna.value == Decimal(92000) and anna.months == (21000, 31000, 40000)
    # the teams and regions were not in the sheet: derived from the reps, and marked
    team = plan.nodes["central-brinkmann"].targets["revenue"]
    reps = [
        plan.nodes[r].targets["revenue"].value for r in plan.nodes["central-brinkmann"].children
    ]
    assert team.value == sum(reps) and team.note and team.note.startswith("Derived by planc import")
    company = plan.nodes["crm-sample-company"].targets["revenue"]
    regions = [plan.nodes[r].targets["revenue"].value for r in ("central", "east", "west")]
    assert company.value == sum(regions)
    assert "PLC810" in out


def test_the_example_total_row_is_read_from_libreoffice_computed_values(tmp_path: Path) -> None:
    folder = tmp_path / "2017-Q4"
    code, out, _ = run(folder, "--roster", ROSTER, "--quotas", EXAMPLE_XLSX, *SAMPLE)
    assert code == 0, out
    text = (folder / "quarter.yaml").read_text(encoding="utf-8")
    # the Total row (=SUM formulas, computed by LibreOffice) is the company's number, not derived
    assert "revenue: {value: 3513000" in text
    company = text.split("company:")[1].split("pillars:")[0]
    assert "Derived" not in company


def quirky_workbook(path: Path) -> None:
    """Two header rows with merged cells, wide months, product columns, a total row,
    a blank line and a text column, as a spreadsheet user lays them out."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Q2 quotas"
    sheet.append(["FY27 Q2 quota plan"])
    sheet.append([])
    sheet.append(
        ["Rep", "Office", "Bookings ($)", None, None, None, "Bookings ($)", None, "New logos"]
    )
    sheet.append([None, None, "Q2", "Apr", "May", "Jun", "Pro", "Basic", None])
    sheet.merge_cells("C3:F3")
    sheet.merge_cells("G3:H3")
    sheet.merge_cells("A3:A4")
    sheet.append(["Ann Lee", "Oslo", 550000, 150000, 180000, 220000, 300000, 250000, 5])
    sheet.append(["Bob Ortiz", "Oslo", 550000, 170000, 180000, 200000, 250000, 300000, 5])
    sheet.append([])
    sheet.append(["Li Wei", "Lima", "600,000", 200000, 200000, 200000, 300000, 300000, 6])
    sheet.append(["Xu Fang", "Lima", 400000, 100000, 150000, 150000, 200000, 200000, 4])
    sheet.append(["North", None, 1000000, None, None, None, None, None, 10])
    sheet.append(["Total", None, 2000000, None, None, None, None, None, 20])
    # a share typed as a percent: the cell stores 0.55 and shows 55%
    sheet["J3"] = "Win rate"
    for row, share in ((5, 0.55), (6, 0.6), (8, 0.475), (9, 0.5)):
        sheet.cell(row=row, column=10).value = share
        sheet.cell(row=row, column=10).number_format = "0.0%"
    workbook.save(path)


def test_a_quirky_workbook(tmp_path: Path) -> None:
    quotas = tmp_path / "quotas.xlsx"
    quirky_workbook(quotas)
    folder = tmp_path / "2027-Q2"
    code, out, _ = run(
        folder, "--roster", mini_roster(tmp_path), "--quotas", quotas, "--owner", "Vera Quist",
        "--company", "Acme Tools",
    )  # fmt: skip
    assert code == 0, out
    assert "columns without numbers, not read: Office" in out
    plan = check_directory(folder).plan
    assert plan is not None
    ann = plan.nodes["ann-lee"].targets
    assert ann["bookings"].months == (150000, 180000, 220000)
    assert ann["bookings"].products == {"pro": 300000, "basic": 250000}
    assert ann["new_logos"].value == 5 and plan.metrics["new_logos"].unit == "count"
    assert plan.metrics["bookings"].unit == "currency"
    assert plan.nodes["li-wei"].targets["bookings"].value == 600000  # typed as text "600,000"
    assert plan.nodes["north"].targets["bookings"].value == 1000000  # given: not derived
    assert plan.nodes["north"].targets["bookings"].note is None
    south = plan.nodes["south"].targets["bookings"]
    assert south.value == 1000000 and south.note  # derived from Li Wei's and Xu Fang's teams
    assert plan.nodes["acme-tools"].targets["bookings"].value == 2000000  # the Total row
    assert {p.id for p in plan.products.values()} == {"pro", "basic"}
    assert plan.metrics["win_rate"].unit == "percent"
    assert ann["win_rate"].value == 55 and plan.nodes["li-wei"].targets["win_rate"].value == 47.5


def test_nothing_is_written_when_a_sheet_is_unusable(tmp_path: Path) -> None:
    quotas = tmp_path / "quotas.csv"
    quotas.write_text("name,Revenue\nAnn Lee,550k\nNobody,1\n", encoding="utf-8")
    folder = tmp_path / "2027-Q2"
    code, out, _ = run(
        folder, "--roster", mini_roster(tmp_path), "--quotas", quotas, "--owner", "V",
        "--company", "Acme", "--format", "json",
    )  # fmt: skip
    assert code == 1
    codes = [(d["code"], d["range"]["start"]["line"]) for d in json.loads(out)["diagnostics"]]
    assert ("PLC803", 2) in codes and ("PLC802", 3) in codes
    assert not folder.exists()
    # no temporary folder left behind either
    assert {p.name for p in tmp_path.iterdir()} == {"roster.csv", "quotas.csv"}
    code, out, _ = run(
        folder, "--roster", mini_roster(tmp_path), "--quotas", quotas, "--owner", "V",
        "--company", "Acme",
    )  # fmt: skip
    # the summary counts the findings; no plan file was read, so it counts no files
    assert code == 1 and "FAILED: 2 errors, 0 warnings\n" in out, out


def test_an_existing_quarter_is_never_overwritten(tmp_path: Path) -> None:
    folder = tmp_path / "2017-Q4"
    folder.mkdir()
    (folder / "quarter.yaml").write_text("mine\n", encoding="utf-8")
    code, _, err = run(folder, "--roster", ROSTER, "--quotas", EXAMPLE_CSV, *SAMPLE)
    assert code == 2 and "never overwrites" in err
    assert (folder / "quarter.yaml").read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize("inside", ["2017-Q4", "regions/2017-Q4"])
def test_a_quarter_inside_another_quarter_folder_is_refused(tmp_path: Path, inside: str) -> None:
    """It was written there, and the plan around it then read two quarter files and no longer
    compiled (PLC107; fuzz17)."""
    plan = tmp_path / "plans" / "2027-Q1"
    shutil.copytree(MINI, plan)
    folder = plan / inside
    code, _, err = run(folder, "--roster", ROSTER, "--quotas", EXAMPLE_CSV, *SAMPLE)
    assert code == 2, err
    assert f"lies inside the quarter folder {plan}" in err, err
    assert f"create it beside, e.g. {tmp_path / 'plans' / '2017-Q4'}" in err, err
    assert not folder.exists()
    assert run_planc("check", plan).code == 0


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "2017-Q4"
    code, out, _ = run(folder, "--roster", ROSTER, "--quotas", EXAMPLE_CSV, *SAMPLE, "--dry-run")
    assert code == 0 and "dry run" in out
    assert not folder.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--quarter", "2017-Q5"], "not a calendar quarter id"),
        (["--start", "2017-10-02"], "not the first day of a month"),
        (["--unit", "revenue=money"], "currency, count, percent or score"),
        (["--roster-columns", "boss=manager"], "not one of"),
        # these wrote a quarter that failed its own check (exit 1; fuzz17)
        (["--quarter", "2017-Q4", "--owner", ""], "--owner is empty"),
        (["--quarter", "2017-Q4", "--company", "  "], "--company is empty"),
        (["--quarter", "2017-Q4", "--currency", "usd"], "'usd' is not an ISO 4217 code"),
        (["--quarter", "2017-Q4", "--currency", "€€€"], "not an ISO 4217 code"),
    ],
)
def test_bad_options_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    folder = tmp_path / "new"
    code, _, err = run(folder, "--roster", ROSTER, "--quotas", EXAMPLE_CSV, *SAMPLE, *args)
    assert code == 2 and message in err
    assert not folder.exists()


@pytest.mark.parametrize("owner", ["Anna Snelling", "  anna   SNELLING ", "anna-snelling"])
def test_a_rep_of_the_roster_as_owner_is_a_usage_error_that_names_the_fix(
    tmp_path: Path, owner: str
) -> None:
    """A rep sits in a manager's team, the company's owner at the top of the org: made the
    owner, Anna reported to Dustin, who reported to her (PLC207), and her quota row was
    nobody (PLC802). Refused before the sheets are read, naming her manager instead."""
    folder = tmp_path / "2017-Q4"
    code, out, err = run(folder, "--roster", ROSTER, "--quotas", EXAMPLE_CSV,
                         "--owner", owner, "--company", "CRM sample company")  # fmt: skip
    assert code == 2 and out == ""
    assert err == (
        "planc: error: --owner 'Anna Snelling' is a rep of the roster (anna-snelling, in team "
        "central-brinkmann of 'Dustin Brinkmann'): the company's owner is at the top of the org "
        "and cannot sit in a manager's team; give --owner a manager or director of the roster "
        "(such as 'Dustin Brinkmann'), or the name of someone not in it (a new vp)\n"
    )
    assert not folder.exists()


def test_the_manager_the_refusal_names_owns_a_plan_that_checks(tmp_path: Path) -> None:
    """The fix the refusal names: her manager as the owner keeps Anna a rep with her row."""
    folder = tmp_path / "2017-Q4"
    code, out, _ = run(folder, "--roster", ROSTER, "--quotas", EXAMPLE_CSV,
                       "--owner", "Dustin Brinkmann", "--company", "CRM sample company")  # fmt: skip
    assert code == 0 and "35 rep(s)" in out, out
    result = check_directory(folder)
    assert result.plan is not None and not result.has_errors, out
    plan = result.plan
    assert plan.nodes[plan.company].owner == "dustin-brinkmann"
    assert plan.people["dustin-brinkmann"].role == "vp"
    assert plan.people["anna-snelling"].role == "rep"
    assert plan.people["anna-snelling"].manager == "dustin-brinkmann"
    assert plan.nodes["anna-snelling"].targets["revenue"].value == 92000


def test_a_founder_who_sells_is_their_own_manager_and_may_own_the_company(
    tmp_path: Path,
) -> None:
    """A roster row ``Vera Quist,Vera Quist,North`` (she sells, and answers to nobody) made her
    her own manager (PLC207), and her quota row went to the team she owns, leaving her seat
    without a number (PLC320). Now she is seated alone in her own team with no manager, her
    row is her seat's (the team's number its sum), and she may be ``--owner``."""
    from test_import_ids import import_rows

    rows = "Vera Quist,Vera Quist,North\nAnn Lee,Ned Stark,North\nBob Ortiz,Ned Stark,North\n"
    quotas = "Vera Quist,100000\nAnn Lee,50000\nBob Ortiz,60000\n"
    code, out, folder = import_rows(
        tmp_path, rows, quotas, "--owner", "Vera Quist", "--company", "Acme"
    )
    assert code == 0, out
    result = check_directory(folder)
    assert result.plan is not None and not result.has_errors, out
    plan = result.plan
    assert plan.nodes[plan.company].owner == "vera-quist"
    vera = plan.people["vera-quist"]
    assert vera.role == "vp" and vera.manager is None and "vera-quist" not in plan.managers
    assert plan.people["ned-stark"].manager == "vera-quist"
    assert plan.nodes["vera-quist"].parent == "north-quist"
    assert plan.nodes["vera-quist"].targets["revenue"].value == 100000
    assert plan.nodes["north-quist"].targets["revenue"].value == 100000  # summed


DIRECTORS = "sales_agent,manager,regional_office,director\n"


def director_import(
    tmp_path: Path, rows: str, quotas: str, owner: str = "Big Boss"
) -> tuple[int, str, Path]:
    """``planc import`` of a roster with a director column (given by its rows), for Acme."""
    return import_csv(tmp_path, DIRECTORS + rows, "name,Revenue\n" + quotas, "--owner", owner,
                      "--company", "Acme", "--roster-columns", "director=director")  # fmt: skip


def checked(code: int, out: str, folder: Path) -> Plan:
    """The plan an import wrote, which passes its own check."""
    assert code == 0, out
    result = check_directory(folder)
    assert result.plan is not None and not result.has_errors, out
    return result.plan


def test_a_founder_who_owns_the_company_reports_to_no_director(tmp_path: Path) -> None:
    """With a director column, the founder's team (hers alone) made her report to North's
    director, who reports to her as the owner (PLC207: nora-north → vera-quist → nora-north).
    The company's owner is at the top: no manager; her team's region is still Nora's."""
    rows = (
        "Vera Quist,Vera Quist,North,Nora North\nAnn Lee,Ned Stark,North,Nora North\n"
        "Bob Ortiz,Ned Stark,North,Nora North\n"
    )
    quotas = "Vera Quist,100000\nAnn Lee,50000\nBob Ortiz,60000\n"
    code, out, folder = director_import(tmp_path, rows, quotas, owner="Vera Quist")
    assert "1 region(s), 2 team(s), 3 rep(s)" in out, out
    plan = checked(code, out, folder)
    vera = plan.people["vera-quist"]
    assert vera.role == "vp" and vera.manager is None
    assert plan.nodes["north"].owner == "nora-north"
    assert plan.people["ned-stark"].manager == "nora-north"
    assert plan.nodes["vera-quist"].targets["revenue"].value == 100000


PLAYER_COACH = (
    "sales_agent,manager,regional_office\nVera Quist,Vera Quist,North\nAnn Lee,Vera Quist,North\n"
)


@pytest.mark.parametrize("owner", ["Vera Quist", "Big Boss"])
def test_a_player_coach_is_their_own_manager_in_a_row_and_keeps_that_seat(
    tmp_path: Path, owner: str
) -> None:
    """Vera sells (her row names herself as her manager) and manages Ann: her quota row was read
    as the team's number, her seat left without one (PLC320, reps 90 %). Her own row is a seat,
    her quota row its number, and the team's number is their sum."""
    quotas = "name,Revenue\nVera Quist,100000\nAnn Lee,90000\n"
    code, out, folder = import_csv(
        tmp_path, PLAYER_COACH, quotas, "--owner", owner, "--company", "Acme"
    )
    assert "1 region(s), 1 team(s), 2 rep(s)" in out, out
    plan = checked(code, out, folder)
    assert plan.nodes["north-quist"].children == ("vera-quist", "ann-lee")
    assert plan.nodes["vera-quist"].targets["revenue"].value == 100000
    team = plan.nodes["north-quist"].targets["revenue"]
    assert team.value == 190000 and team.note is not None  # derived
    assert plan.people["ann-lee"].manager == "vera-quist"


def test_a_player_coach_s_team_number_is_the_row_with_the_team_s_name(tmp_path: Path) -> None:
    """In an HR roster the player-coach's own row names their manager (no seat, as for every
    manager) and a second row names themselves (their seat); the team's row is the team's."""
    roster = (
        "sales_agent,manager,regional_office\nNed Stark,Ada King,North\n"
        "Ned Stark,Ned Stark,North\nAnn Lee,Ned Stark,North\n"
    )
    quotas = "name,Revenue\nNed Stark team,180000\nNed Stark,100000\nAnn Lee,90000\n"
    code, out, folder = import_csv(tmp_path, roster, quotas, "--owner", "Ada King",
                                   "--company", "Acme")  # fmt: skip
    plan = checked(code, out, folder)
    assert plan.people["ned-stark"].manager == "ada-king"
    assert plan.nodes["ned-stark"].targets["revenue"].value == 100000
    team = plan.nodes["north-stark"].targets["revenue"]
    assert team.value == 180000 and team.note is None


def test_a_player_coach_without_a_quota_row_is_told(tmp_path: Path) -> None:
    code, out, _ = import_csv(tmp_path, PLAYER_COACH, "name,Revenue\nAnn Lee,90000\n",
                              "--owner", "Big Boss", "--company", "Acme")  # fmt: skip
    assert code == 0, out
    assert "roster.csv:2:1: PLC811 [warning] Vera Quist (vera-quist) is in the roster" in out


def test_a_director_in_a_team_that_reports_to_them_is_refused(tmp_path: Path) -> None:
    """Nora directs North and has a rep row under Ned, whose team is in North: her quota row
    was 'not a rep, manager, team, region or the company of the roster' (PLC802), which was
    false, and the org a loop. Refused at her row with the way to write it, which imports."""
    rows = "Ann Lee,Ned Stark,North,Nora North\nNora North,Ned Stark,North,Nora North\n"
    quotas = "Ann Lee,100000\nNora North,90000\n"
    code, out, folder = director_import(tmp_path, rows, quotas)
    assert code == 1 and not folder.exists()
    assert "PLC802" not in out
    assert (
        "roster.csv:3:1: PLC814 [error] 'Nora North' is the director of 'North' and has a rep "
        "row in the team of 'Ned Stark', who reports to them: each would manage the other"
    ) in out
    rows = rows.replace("Nora North,Ned Stark", "Nora North,Nora North")
    plan = checked(*director_import(tmp_path, rows, quotas))
    assert plan.nodes["nora-north"].parent == "north-north"
    assert plan.nodes["nora-north"].targets["revenue"].value == 90000
    assert plan.people["nora-north"].role == "director"


def test_a_director_seated_in_another_region_gets_their_quota_row(tmp_path: Path) -> None:
    """Nora directs North and sells in Sam's team in South: her row is her seat's (was PLC802)."""
    rows = "Ann Lee,Ned Stark,North,Nora North\nNora North,Sam Wu,South,\n"
    plan = checked(*director_import(tmp_path, rows, "Ann Lee,100000\nNora North,90000\n"))
    assert plan.nodes["nora-north"].parent == "south-wu"
    assert plan.nodes["nora-north"].targets["revenue"].value == 90000


def test_a_manager_under_a_director_as_owner_is_refused(tmp_path: Path) -> None:
    """Ned's team is in Jo's region: Ned reports to Jo, Jo to the owner; Ned as the owner wrote
    a plan failing its check (PLC207: jo-chen → ned-stark → jo-chen). Refused, naming Jo."""
    rows = "Ann Lee,Ned Stark,North,Jo Chen\nBob Ortiz,Ned Stark,North,Jo Chen\n"
    code, out, folder = director_import(tmp_path, rows, "Ann Lee,100\nBob Ortiz,90\n", "Ned Stark")
    assert code == 2 and not folder.exists()
    assert out == (
        "planc: error: --owner 'Ned Stark' manages team north-stark in region 'North', whose "
        "director is 'Jo Chen': a team's manager reports to the region's director, who reports "
        "to the company's owner; give --owner the director (such as 'Jo Chen') or the name of "
        "someone not in the roster (a new vp)\n"
    )
    plan = checked(*director_import(tmp_path, rows, "Ann Lee,100\nBob Ortiz,90\n", "Jo Chen"))
    assert plan.people["ned-stark"].manager == "jo-chen"


def test_an_owner_whose_row_names_a_manager_is_refused(tmp_path: Path) -> None:
    """Ned's own row says Ada King manages him; Ada, a manager with no manager of her own,
    reports to the owner: Ned as the owner wrote a plan failing its check (PLC207:
    ada-king → ned-stark → ada-king). Refused, naming the roster's top, who imports clean."""
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "sales_agent,manager,regional_office\nAnn Lee,Ned Stark,North\nNed Stark,Ada King,North\n",
        encoding="utf-8",
    )
    quotas = tmp_path / "quotas.csv"
    quotas.write_text("name,Revenue\nAnn Lee,90000\n", encoding="utf-8")
    args = ["--roster", roster, "--quotas", quotas, "--company", "Acme"]
    folder = tmp_path / "2027-Q1"
    code, _, err = run(folder, *args, "--owner", "Ned Stark")
    assert code == 2 and not folder.exists()
    assert err == (
        "planc: error: --owner 'Ned Stark' reports to 'Ada King' in the roster (the manager in "
        "their row): the company's owner is at the top of the org, and 'Ada King' would report "
        "to them; give --owner 'Ada King', the top of the roster, or empty the manager cell in "
        "the row of 'Ned Stark'\n"
    )
    plan = checked(*run(folder, *args, "--owner", "Ada King")[:2], folder)
    assert plan.people["ned-stark"].manager == "ada-king"


def test_a_rep_under_a_director_as_owner_is_refused_too(tmp_path: Path) -> None:
    """With directors the region is not the owner's: the model's own defaults would still
    loop (ann-lee -> ned-stark -> jo-chen -> the company's owner), so the rule is the same."""
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "sales_agent,manager,regional_office,director\n"
        "Ann Lee,Ned Stark,North,Jo Chen\nBob Ortiz,Ned Stark,North,Jo Chen\n",
        encoding="utf-8",
    )
    quotas = tmp_path / "quotas.csv"
    quotas.write_text("name,Revenue\nAnn Lee,100000\nBob Ortiz,90000\n", encoding="utf-8")
    folder = tmp_path / "2027-Q1"
    args = ["--roster", roster, "--roster-columns", "director=director", "--quotas", quotas]
    code, _, err = run(folder, *args, "--owner", "Ann Lee", "--company", "Acme")
    assert code == 2 and "'Ann Lee' is a rep of the roster (ann-lee, in team north-stark" in err
    assert not folder.exists()
    code, out, _ = run(folder, *args, "--owner", "Jo Chen", "--company", "Acme")
    assert code == 0, out
    plan = check_directory(folder).plan
    assert plan is not None and plan.people["jo-chen"].role == "vp"
    assert plan.nodes["north"].owner == "jo-chen" and plan.people["ann-lee"].role == "rep"


def test_a_missing_or_foreign_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "quotas.ods").write_bytes(b"PK")
    (tmp_path / "renamed.xlsx").write_text("name,Revenue\n", encoding="utf-8")
    for quotas, message in (
        (tmp_path / "none.csv", "no such file"),
        (tmp_path / "quotas.ods", ".csv"),
        (tmp_path / "renamed.xlsx", "not a readable .xlsx workbook"),
    ):
        code, _, err = run(tmp_path / "2017-Q4", "--roster", ROSTER, "--quotas", quotas, *SAMPLE)
        assert code == 2 and message in err, err


def test_chinese_names_and_headers(tmp_path: Path) -> None:
    """Chinese names: ids in pinyin (they were from the e-mail, else numbered); months as 1月."""
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "销售,经理,区域,邮箱\n张伟,郑凯,华东,zhang.wei@example.com\n李娜,郑凯,华东,\n",
        encoding="utf-8",
    )
    quotas = tmp_path / "quotas.csv"
    quotas.write_text(
        "姓名,销售收入 / 1月,销售收入 / 2月,销售收入 / 3月,新客户数\n"
        '张伟,"960,000",630000,1320000,3\n李娜,590000,490000,1040000,2\n合计,,,,5\n',
        encoding="utf-8",
    )
    folder = tmp_path / "2027-Q1"
    code, out, _ = run(
        folder, "--roster", roster, "--quotas", quotas, "--owner", "王建国", "--company",
        "锐工科技", "--currency", "CNY", "--locale", "zh-CN",
        "--roster-columns", "rep=销售,manager=经理,region=区域,email=邮箱",
    )  # fmt: skip
    assert code == 0, out
    plan = check_directory(folder).plan
    assert plan is not None
    assert plan.people["zhang-wei"].name == "张伟"
    assert plan.people["zhang-wei"].email == "zhang.wei@example.com"
    assert plan.people["li-na"].name == "李娜"  # was rep-2
    assert plan.people["zheng-kai"].role == "manager"
    revenue = plan.metrics["xiao_shou_shou_ru"]
    assert revenue.name == "销售收入"
    assert revenue.unit == "currency"
    assert plan.nodes["zhang-wei"].targets[revenue.id].months == (960000, 630000, 1320000)
    customers = plan.metrics["xin_ke_hu_shu"]
    assert customers.name == "新客户数"
    assert customers.unit == "count"
    assert plan.nodes[plan.company].targets[customers.id].value == 5  # the 合计 row


def import_csv(
    tmp_path: Path, roster: str, quotas: str, *args: str, quarter: str = "2027-Q1"
) -> tuple[int, str, Path]:
    """``planc import`` of a roster and a quota sheet written as CSV: exit code, output (and
    errors), and the quarter folder."""
    (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    (tmp_path / "quotas.csv").write_text(quotas, encoding="utf-8")
    folder = tmp_path / "plans" / quarter
    code, out, err = run(folder, "--roster", tmp_path / "roster.csv", "--quotas",
                         tmp_path / "quotas.csv", *args)  # fmt: skip
    return code, out + err, folder


def test_names_without_letters_that_spell_in_latin_keep_the_fallback(tmp_path: Path) -> None:
    """Kana (as hangul and Cyrillic): the id from the e-mail's local part, else numbered."""
    roster = (
        "sales_agent,manager,regional_office,email\n"
        "さくら,Ned Stark,North,sakura.ito@example.com\nはると,Ned Stark,North,\n"
    )
    code, out, folder = import_csv(tmp_path, roster, "name,Revenue\nさくら,100\nはると,200\n",
                                   "--owner", "Ned Stark", "--company", "Acme")  # fmt: skip
    assert code == 0, out
    plan = check_directory(folder).plan
    assert plan is not None
    assert plan.people["sakura-ito"].name == "さくら"
    assert plan.people["rep-3"].name == "はると"


ZH_ROSTER = "姓名,经理,区域\n王总,,\n李经理,王总,华东\n张伟,李经理,华东\n刘洋,李经理,华东\n"
ZH_QUOTAS = "姓名,销售收入\n张伟,1000000\n刘洋,800000\n"
ZH_ARGS = ["--owner", "王总", "--company", "锐工", "--currency", "CNY", "--locale", "zh-CN"]


def zh_import(tmp_path: Path, roster: str = ZH_ROSTER, *args: str) -> tuple[int, str, Path]:
    """``planc import plans/2028-Q1`` of a Chinese HR roster and quota sheet, as a user runs it."""
    return import_csv(tmp_path, roster, ZH_QUOTAS, *(args or ZH_ARGS), quarter="2028-Q1")


def test_a_chinese_hr_roster_imports_as_its_org(tmp_path: Path) -> None:
    """The roster's headers 姓名/经理/区域 are found (were PLC801); 李经理's own row makes them
    a manager reporting to 王总 (was a rep seat in a "王总 team" with no target); ids are in
    pinyin (were rep-3, region-1, metric_1), and what import writes is in Chinese."""
    code, out, folder = zh_import(tmp_path)
    assert code == 0, out
    assert "1 region(s), 1 team(s), 2 rep(s); metrics xiao_shou_shou_ru (currency)" in out
    result = check_directory(folder)
    assert result.plan is not None and not result.has_errors, out
    plan = result.plan
    assert plan.company == "rui-gong" and plan.nodes["rui-gong"].owner == "wang-zong"
    manager = plan.people["li-jing-li"]
    assert manager.role == "manager" and manager.manager == "wang-zong"
    assert "li-jing-li" not in plan.nodes  # no seat
    team = plan.nodes["hua-dong-li-jing-li"]
    assert team.owner == "li-jing-li" and team.children == ("zhang-wei", "liu-yang")
    assert team.name == "李经理团队"
    assert plan.nodes["hua-dong"].children == ("hua-dong-li-jing-li",)
    assert plan.nodes["zhang-wei"].targets["xiao_shou_shou_ru"].value == 1_000_000
    assert plan.people["liu-yang"].manager == "li-jing-li"
    quarter = (folder / "quarter.yaml").read_text(encoding="utf-8")
    assert 'name: "2028年第一季度"' in quarter and "name: 完成本季度目标" in quarter
    assert "由 planc import 推导：其区域目标之和" in quarter  # noqa: RUF001
    assert "2028-Q1：由 planc import 从人员名单" in quarter  # noqa: RUF001
    assert " team\n" not in (folder / "regions" / "hua-dong.yaml").read_text(encoding="utf-8")


def test_a_manager_s_quota_row_is_their_team_s_number(tmp_path: Path) -> None:
    """李经理 has no seat: the sheet's row 李经理 is the team's number, not derived."""
    quotas = ZH_QUOTAS + "李经理,1600000\n"
    code, out, folder = import_csv(tmp_path, ZH_ROSTER, quotas, *ZH_ARGS, quarter="2028-Q1")
    assert code == 0, out
    plan = check_directory(folder).plan
    assert plan is not None
    team = plan.nodes["hua-dong-li-jing-li"].targets["xiao_shou_shou_ru"]
    assert team.value == 1_600_000 and team.note is None


def test_english_words_stay_in_an_english_plan(tmp_path: Path) -> None:
    code, out, folder = zh_import(tmp_path, ZH_ROSTER, *ZH_ARGS[:-2])
    assert code == 0, out
    quarter = (folder / "quarter.yaml").read_text(encoding="utf-8")
    assert "name: Q1 2028" in quarter and "name: Make the quarter's targets" in quarter
    assert "2028-Q1: imported by planc import from the roster" in quarter
    region = (folder / "regions" / "hua-dong.yaml").read_text(encoding="utf-8")
    assert (
        "name: 李经理 team" in region and "Derived by planc import: the sum of its reps'" in region
    )


def test_one_region_of_a_roster_without_a_region_column_is_named_in_the_plan_s_language(
    tmp_path: Path,
) -> None:
    code, out, folder = zh_import(tmp_path, "姓名,经理\n张伟,李经理\n刘洋,李经理\n")
    assert code == 0, out
    plan = check_directory(folder).plan
    assert plan is not None and plan.nodes["quan-bu-qu-yu"].name == "全部区域"


def test_a_manager_s_own_row_gives_their_manager_e_mail_start_and_region(
    tmp_path: Path,
) -> None:
    """An HR roster with a row for everyone: a manager's row never seats them in their own
    manager's team. Ned Stark's row (his manager Ada King) makes him report to her; Ada's
    row (no manager) gives her e-mail; Ned is listed in South, his own row's region."""
    roster = (
        "Name,Reports To,Office,E-mail,Start Date\n"
        "Ada King,,North,ada@example.com,2020-01-06\n"
        "Ned Stark,Ada King,South,ned@example.com,2024-03-01\n"
        "Ann Lee,Ned Stark,North,ann@example.com,2025-01-06\n"
        "Bob Ortiz,Ned Stark,South,,\n"
        "Cy Long,Ada King,North,,\n"
    )
    quotas = "name,Revenue\nAnn Lee,100\nBob Ortiz,200\nCy Long,300\n"
    code, out, folder = import_csv(tmp_path, roster, quotas, "--owner", "Ada King",
                                   "--company", "Acme")  # fmt: skip
    assert code == 0, out
    assert "2 region(s), 3 team(s), 3 rep(s)" in out
    result = check_directory(folder)
    assert result.plan is not None and not result.has_errors, out
    plan = result.plan
    ned = plan.people["ned-stark"]
    assert ned.role == "manager" and ned.manager == "ada-king" and "ned-stark" not in plan.nodes
    assert ned.email == "ned@example.com" and str(ned.start) == "2024-03-01"
    ada = plan.people["ada-king"]
    assert ada.role == "vp" and ada.email == "ada@example.com" and ada.manager is None
    assert plan.nodes["north-king"].children == ("cy-long",)  # Ada's one seat-holder
    assert plan.people["ann-lee"].email == "ann@example.com"
    south = (folder / "regions" / "south.yaml").read_text(encoding="utf-8")
    north = (folder / "regions" / "north.yaml").read_text(encoding="utf-8")
    assert "id: ned-stark" in south and "id: ned-stark" not in north


def test_a_manager_of_managers_at_the_top_of_the_roster_reports_to_the_owner(
    tmp_path: Path,
) -> None:
    """赵总监 manages 李经理 only: no team of their own (was a "赵总监 team" seating 李经理)."""
    roster = (
        "姓名,经理,区域\n赵总监,,华东\n李经理,赵总监,华东\n张伟,李经理,华东\n刘洋,李经理,华东\n"
    )
    code, out, folder = zh_import(tmp_path, roster)
    assert code == 0, out
    result = check_directory(folder)
    assert result.plan is not None and not result.has_errors, out
    plan = result.plan
    assert plan.people["zhao-zong-jian"].manager == "wang-zong"
    assert plan.people["li-jing-li"].manager == "zhao-zong-jian"
    assert [n for n in plan.nodes.values() if n.level.label == "team"] == [
        plan.nodes["hua-dong-li-jing-li"]
    ]


@pytest.mark.parametrize(
    "header",
    [
        "姓名,上级,大区,邮箱,入职日期",
        "销售代表,直属上级,办事处,电子邮箱,入职时间",
        "Full Name,reports_to,Territory,Email,Hire Date",
        "rep, Supervisor ,REGION,e-mail,start date",
    ],
)
def test_common_roster_headers_are_found(tmp_path: Path, header: str) -> None:
    roster = f"{header}\n张伟,李经理,华东,zw@example.com,2027-02-01\n刘洋,李经理,华东,,\n"
    code, out, folder = zh_import(tmp_path, roster)
    assert code == 0, out
    plan = check_directory(folder).plan
    assert plan is not None
    zhang = plan.people["zhang-wei"]
    assert zhang.manager == "li-jing-li" and zhang.email == "zw@example.com"
    assert str(zhang.start) == "2027-02-01" and plan.nodes["hua-dong"].level.label == "region"


def test_two_columns_with_headers_of_one_role_are_an_error_naming_both(tmp_path: Path) -> None:
    rows = "姓名,销售,经理\n张伟,张伟,李经理\n刘洋,刘洋,李经理\n"
    code, out, folder = zh_import(tmp_path, rows)
    assert code == 1 and not folder.exists()
    assert (
        "roster.csv:1:1: PLC813 [error] the roster has more than one column for the rep: '姓名' (A1) "
        "and '销售' (B1)"
    ) in out
    assert "hint: name the one to use with --roster-columns rep=HEADER" in out
    assert "PLC801" not in out
    code, out, folder = zh_import(tmp_path, rows, *ZH_ARGS, "--roster-columns", "rep=销售")
    assert code == 0, out


def test_the_default_header_and_declared_columns_come_before_common_headers(
    tmp_path: Path,
) -> None:
    """``sales_agent`` beside ``name``, and ``manager`` beside a declared ``boss``: no PLC813."""
    roster = "name,sales_agent,manager,boss\nX,Ann Lee,Zed,Ned Stark\nY,Bob Ortiz,Zed,Ned Stark\n"
    code, out, folder = import_csv(tmp_path, roster, "name,Revenue\nAnn Lee,100\nBob Ortiz,200\n",
                                   "--owner", "Ned Stark", "--company", "Acme",
                                   "--roster-columns", "manager=boss")  # fmt: skip
    assert code == 0, out
    plan = check_directory(folder).plan
    assert plan is not None
    assert plan.people["ann-lee"].manager == "ned-stark" and "zed" not in plan.people


def test_the_roster_as_a_workbook_with_declared_columns(tmp_path: Path) -> None:
    """The sample roster saved as .xlsx on a named sheet, with other headers and a director."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "CRM users"
    sheet.append(["Agent", "Reports to", "Office", "Director"])
    directors = {"Central": "Sam Rivera", "East": "Jo Chen", "West": "Ana Ruiz"}
    for line in ROSTER.read_text(encoding="utf-8").splitlines()[1:]:
        agent, manager, office = line.split(",")
        sheet.append([agent, manager, office, directors[office]])
    workbook.create_sheet("Notes").append(["exported from the CRM"])
    roster = tmp_path / "users.xlsx"
    workbook.save(roster)
    folder = tmp_path / "2017-Q4"
    code, out, _ = run(
        folder, "--roster", roster, "--roster-sheet", "CRM users", "--quotas", EXAMPLE_CSV,
        "--roster-columns", "rep=Agent,manager=Reports to,region=Office,director=Director", *SAMPLE,
    )  # fmt: skip
    assert code == 0, out
    plan = check_directory(folder).plan
    assert plan is not None
    assert plan.nodes["east"].owner == "jo-chen" and plan.people["jo-chen"].role == "director"
    assert plan.people["cara-losch"].manager == "jo-chen"
    assert len([n for n in plan.nodes.values() if n.level.label == "rep"]) == 35
