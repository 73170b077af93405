"""The ids planc import makes from names: people, metrics and products (ids14), the
company and its owner (co14).

One id maker serves the roster (people, teams, regions) and the quota sheet (metrics,
products): a name's slug cut to 60 characters, ``-2`` (``_2``) for a second name made
the same, the whole id within the schema's 64 characters, the same name always the same
id, and for a name without latin letters a numbered id (``metric_1``, ``product-1``) that
no slugged header can take. Before it, the fallback ids were numbered by count: the same
Chinese product under two metrics became two products, and a header ``Metric 2`` or
``Product 2`` was merged, numbers and all, into the fallback of the same id; the 1,000th
person of a long name got a 65-character id the schema refuses. The company's id was its
name's slug whatever the roster made: ``--company West`` beside a region West wrote a plan
that failed its own check (PLC206, node id ``west`` used twice).
"""

from __future__ import annotations

import re
from itertools import takewhile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from planc.checks import check_directory
from planc.cli import cli
from planc.core.model import Plan
from planc.sheets.ids import ID_LIMIT, IdMaker, slug

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_ROSTER = ROOT / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_teams.csv"
SAMPLE_QUOTAS = ROOT / "examples" / "quotas-2017-Q4.csv"
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")  # schema/plan.schema.json's id
CHINESE = ["--owner", "王建国", "--company", "锐工科技", "--currency", "CNY"]
# the fallback ids' hangul metric names say no unit
UNITS = ["--unit", "metric_1=currency", "--unit", "metric_2=currency"]
COLUMNS = ["--roster-columns", "rep=销售,manager=经理,region=区域"]


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["import", *map(str, args)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


def chinese_roster(tmp_path: Path) -> Path:
    roster = tmp_path / "roster.csv"
    roster.write_text("销售,经理,区域\n张伟,郑凯,华东\n李娜,郑凯,华东\n", encoding="utf-8")
    return roster


def listed(quarter: str, key: str) -> list[tuple[str, ...]]:
    """The (id, name) pairs of the quarter file's ``metrics`` or ``products`` list."""
    lines = takewhile(
        lambda line: line.startswith("  "), quarter.split(f"\n{key}:\n")[1].splitlines()
    )
    return [
        m.groups() for line in lines if (m := re.match(r"  - \{id: ([^,]+), name: ([^,}]+)", line))
    ]


def imported(tmp_path: Path, header: str, rows: str) -> tuple[str, str]:
    quotas = tmp_path / "quotas.csv"
    quotas.write_text(header + "\n" + rows, encoding="utf-8")
    folder = tmp_path / "2027-Q1"
    code, out = run(folder, "--roster", chinese_roster(tmp_path), "--quotas", quotas,
                    *CHINESE, *COLUMNS, *UNITS)  # fmt: skip
    assert code == 0, out
    result = check_directory(folder)
    assert result.plan is not None and not result.has_errors, out
    regions = sorted((folder / "regions").iterdir())
    assert len(regions) == 1
    return (folder / "quarter.yaml").read_text(encoding="utf-8"), regions[0].read_text("utf-8")


def import_rows(tmp_path: Path, roster: str, quotas: str, *args: str) -> tuple[int, str, Path]:
    """``planc import`` of a roster (header ``sales_agent,manager,regional_office``) and a
    quota sheet (header ``name,Revenue``) given by their rows: exit code, output, folder."""
    made = tmp_path / "roster.csv", tmp_path / "quotas.csv"
    made[0].write_text("sales_agent,manager,regional_office\n" + roster, encoding="utf-8")
    made[1].write_text("name,Revenue\n" + quotas, encoding="utf-8")
    folder = tmp_path / "2027-Q1"
    code, out = run(folder, "--roster", made[0], "--quotas", made[1], *args)
    return code, out, folder


class TestFallbackIds:
    """Names without letters that spell in latin (hangul here; Chinese is spelled in pinyin):
    numbered ids, one per name, never another header's."""

    def test_the_same_hangul_product_under_two_metrics_is_one_product(self, tmp_path: Path) -> None:
        quarter, region = imported(
            tmp_path,
            "姓名,매출 / 클라우드,매출 / 하드웨어,수금 / 클라우드",
            "张伟,100,200,50\n李娜,300,400,70\n",
        )
        assert listed(quarter, "metrics") == [("metric_1", "매출"), ("metric_2", "수금")]
        assert listed(quarter, "products") == [("product-1", "클라우드"), ("product-2", "하드웨어")]
        assert "metric_1: {value: 300, products: {product-1: 100, product-2: 200}}" in region
        assert "metric_2: {value: 50, products: {product-1: 50}}" in region

    def test_headers_slugged_like_a_fallback_id_are_their_own_metric_and_product(
        self, tmp_path: Path
    ) -> None:
        """``Metric 2`` after 매출 and 수금, ``Product 2`` after 클라우드 and 하드웨어: were merged."""
        quarter, region = imported(
            tmp_path,
            "姓名,매출 / 클라우드,매출 / 하드웨어,수금 / 클라우드,Metric 2 ($),매출 / Product 2",
            "张伟,100,200,50,7,9\n李娜,300,400,70,8,1\n",
        )
        assert listed(quarter, "metrics") == [
            ("metric_1", "매출"),
            ("metric_2", "수금"),
            ("metric_2_2", "Metric 2"),
        ]
        assert listed(quarter, "products") == [
            ("product-1", "클라우드"),
            ("product-2", "하드웨어"),
            ("product-2-2", "Product 2"),
        ]
        assert (
            "metric_1: {value: 309, products: {product-1: 100, product-2: 200, product-2-2: 9}}"
        ) in region
        assert "metric_2: {value: 50, products: {product-1: 50}}" in region
        assert "metric_2_2: {value: 7}" in region

    def test_a_fallback_skips_the_ids_headers_took_before_it(self, tmp_path: Path) -> None:
        """Slugged first, the fallback takes the next free number (an .xlsx sheet this time)."""
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append(["姓名", "Metric 1 ($)", "매출 / Product 1", "매출 / 클라우드"])
        sheet.append(["张伟", 5, 10, 20])
        sheet.append(["李娜", 6, 30, 40])
        quotas = tmp_path / "quotas.xlsx"
        workbook.save(quotas)
        folder = tmp_path / "2027-Q1"
        code, out = run(folder, "--roster", chinese_roster(tmp_path), "--quotas", quotas,
                        *CHINESE, *COLUMNS, *UNITS)  # fmt: skip
        assert code == 0, out
        quarter = (folder / "quarter.yaml").read_text(encoding="utf-8")
        assert listed(quarter, "metrics") == [("metric_1", "Metric 1"), ("metric_2", "매출")]
        assert listed(quarter, "products") == [
            ("product-1", "Product 1"),
            ("product-2", "클라우드"),
        ]


class TestRosterIds:
    def test_a_thousand_people_of_a_long_name_keep_their_ids_within_64_characters(
        self, tmp_path: Path
    ) -> None:
        name = "Maximiliane Theodora Konstantina Wilhelmina von Hohenzollern-Sigmaringen"
        rows = "".join(f"{name} {n},Ned Stark,North\n" for n in range(1, 1_001))
        code, out, folder = import_rows(tmp_path, rows, f"{name} 1000,5000\n",
                                        "--owner", "Ned Stark", "--company", "Long Names Inc")  # fmt: skip
        assert code == 0, out[-2000:]
        result = check_directory(folder)
        assert result.plan is not None and not result.has_errors, out[-2000:]
        plan = result.plan
        reps = [p.id for p in plan.people.values() if p.role == "rep"]
        base = "maximiliane-theodora-konstantina-wilhelmina-von-hohenzollern"
        assert len(base) == 60 and len(set(reps)) == 1_000
        assert reps[:3] == [base, f"{base}-2", f"{base}-3"]
        assert reps[-1] == base[:59] + "-1000" and len(reps[-1]) == ID_LIMIT
        assert all(ID.fullmatch(r) for r in reps)
        assert plan.people[reps[-1]].name == f"{name} 1000"
        assert plan.nodes[reps[-1]].targets["revenue"].value == 5000


def sample_plan(tmp_path: Path, owner: str, company: str) -> Plan:
    """The sample roster and the example sheet imported with ``owner`` and ``company``: the
    import succeeds and its plan checks without an error."""
    folder = tmp_path / "2017-Q4"
    code, out = run(folder, "--roster", SAMPLE_ROSTER, "--quotas", SAMPLE_QUOTAS,
                    "--owner", owner, "--company", company)  # fmt: skip
    assert code == 0, out
    result = check_directory(folder)
    assert result.plan is not None and not result.has_errors, out
    return result.plan


class TestCompanyAndOwnerIds:
    """Node ids (the company, regions, teams, and reps under their person ids) are unique
    together, people's ids among people (PLC206): the import keeps to exactly that."""

    @pytest.mark.parametrize(
        ("company", "made"),
        [
            ("West", "west-2"),  # a region
            ("Central Brinkmann", "central-brinkmann-2"),  # a team
            ("Anna Snelling", "anna-snelling-2"),  # a rep: a node under her person id
            ("Dustin Brinkmann", "dustin-brinkmann"),  # a manager: a person, not a node
            ("CRM sample company", "crm-sample-company"),
        ],
    )
    def test_the_company_never_takes_another_node_s_id(
        self, tmp_path: Path, company: str, made: str
    ) -> None:
        plan = sample_plan(tmp_path, "Alex Morgan", company)
        assert plan.company == made and plan.nodes[made].name == company
        assert plan.nodes[made].level.label == "company"
        assert plan.nodes["west"].level.label == "region"
        assert plan.nodes["central-brinkmann"].level.label == "team"
        assert plan.people["anna-snelling"].name == "Anna Snelling"
        assert plan.nodes["anna-snelling"].targets["revenue"].value == 92_000
        assert (tmp_path / "2017-Q4" / "regions" / "west.yaml").is_file()

    def test_a_company_named_like_a_region_leaves_the_region_its_targets(
        self, tmp_path: Path
    ) -> None:
        """The sheet's row ``West`` stays the region's; the company's number is summed."""
        plan = sample_plan(tmp_path, "Alex Morgan", "West")
        regions = [n for n in plan.nodes.values() if n.level.label == "region"]
        company = plan.nodes["west-2"].targets["revenue"]
        assert company.value == sum(r.targets["revenue"].value for r in regions)
        assert plan.nodes["west"].parent == "west-2"

    def test_an_owner_slugged_like_a_person_is_told_apart_by_the_one_rule(
        self, tmp_path: Path
    ) -> None:
        """``Anna-Snelling!`` is not Anna Snelling (names differ) but slugs as her id: the
        owner gets ``-2``, as any second person does (was ``-vp``)."""
        plan = sample_plan(tmp_path, "Anna-Snelling!", "CRM sample company")
        owner = plan.nodes[plan.company].owner
        assert owner == "anna-snelling-2" and plan.people[owner].role == "vp"
        assert plan.people[owner].name == "Anna-Snelling!"
        assert plan.people["anna-snelling"].name == "Anna Snelling"

    @pytest.mark.parametrize("owner", ["Central", "Central Brinkmann"])
    def test_an_owner_named_like_a_node_keeps_the_slug(self, tmp_path: Path, owner: str) -> None:
        """A person's id is among people's ids only: a new owner named like a region or a
        team is not told apart from it (the roster's own id maker, which holds the region
        and team ids too, would make ``central-2``: the owner's is made apart from it)."""
        plan = sample_plan(tmp_path, owner, "CRM sample company")
        made = slug(owner)
        assert plan.nodes[plan.company].owner == made and plan.people[made].name == owner
        assert plan.people[made].role == "vp" and plan.nodes[made].level.label != "company"

    def test_an_owner_without_latin_letters_beside_a_person_named_owner(
        self, tmp_path: Path
    ) -> None:
        roster = tmp_path / "roster.csv"
        roster.write_text(
            "sales_agent,manager,regional_office\nOwner,Ned Stark,North\n", encoding="utf-8"
        )
        quotas = tmp_path / "quotas.csv"
        quotas.write_text("name,Revenue\nOwner,100\n", encoding="utf-8")
        folder = tmp_path / "2027-Q1"
        code, out = run(folder, "--roster", roster, "--quotas", quotas, "--owner", "Иван Петров",
                        "--company", "Acme")  # fmt: skip
        assert code == 0, out
        plan = check_directory(folder).plan
        assert plan is not None and plan.nodes["acme"].owner == "owner-2"  # was owner-vp
        assert plan.people["owner-2"].name == "Иван Петров" and plan.people["owner"].role == "rep"

    def test_an_owner_of_the_roster_is_that_person(self, tmp_path: Path) -> None:
        plan = sample_plan(tmp_path, "dustin  brinkmann", "CRM sample company")
        assert plan.nodes[plan.company].owner == "dustin-brinkmann"
        assert plan.people["dustin-brinkmann"].role == "vp"


class TestIdMaker:
    def test_the_same_name_always_gets_the_same_id(self) -> None:
        ids = IdMaker("_")
        made = [ids.named("revenue", "Revenue", "metric"), ids.named("", "收入", "metric"),
                ids.named("revenue", "REVENUE", "metric"), ids.named("", " 收入 ", "metric")]  # fmt: skip
        assert made == ["revenue", "metric_1", "revenue", "metric_1"]

    def test_new_things_of_one_name_are_told_apart_within_64_characters(self) -> None:
        ids = IdMaker()
        made = [ids.new("x" * 70, "rep-1") for _ in range(12_000)]
        assert len(set(made)) == 12_000 and all(ID.fullmatch(m) for m in made)
        assert made[:2] == ["x" * 60, "x" * 60 + "-2"] and made[-1] == "x" * 58 + "-12000"
        assert ids.new("", "manager-2-" + "y" * 70) == "manager-2-" + "y" * 50  # fallbacks too

    def test_ids_made_elsewhere_are_taken(self) -> None:
        """The company's id among the org's node ids, a new owner's among the people's."""
        ids = IdMaker(taken=["west", "company", "company-2"])
        assert [ids.new("west", "company"), ids.new("", "company")] == ["west-2", "company-3"]

    def test_fallbacks_and_slugs_never_share_an_id(self) -> None:
        ids = IdMaker()
        made = [
            ids.named("product-2", "Product 2", "product"),
            ids.named("", "云服务", "product"),
            ids.named("", "硬件", "product"),
            ids.named("product-3", "Product 3", "product"),
            ids.named("", "软件", "product"),
        ]
        assert made == ["product-2", "product-1", "product-3", "product-3-2", "product-4"]


class TestNamesAlike:
    """Two people of a roster whose names slug alike (``Ann Lee``, ``Ann-Lee``) were one person
    when the second name was the first one's id (``ann-lee``): a row was looked up among the
    ids and e-mails too, and the quota sheet then said PLC806 for their two rows. A row names
    people by name only: the second is ``ann-lee-2``, in either order, with PLC812."""

    @pytest.mark.parametrize("names", [("Ann Lee", "Ann-Lee"), ("Ann-Lee", "Ann Lee")])
    def test_two_people_whose_names_slug_alike_stay_two(
        self, tmp_path: Path, names: tuple[str, str]
    ) -> None:
        first, second = names
        rows = f"{first},Ned Stark,North\n{second},Ned Stark,North\n"
        code, out, folder = import_rows(tmp_path, rows, f"{first},1000\n{second},2000\n",
                                        "--owner", "Ned Stark", "--company", "Acme")  # fmt: skip
        assert code == 0, out
        assert (
            f"roster.csv:3:1: PLC812 [warning] '{second}' and '{first}' are two people of the "
            "roster whose names make the same id: ann-lee-2 for this one, ann-lee for the other"
        ) in out
        plan = check_directory(folder).plan
        assert plan is not None
        assert plan.people["ann-lee"].name == first and plan.people["ann-lee-2"].name == second
        assert plan.nodes["ann-lee"].targets["revenue"].value == 1000
        assert plan.nodes["ann-lee-2"].targets["revenue"].value == 2000

    def test_one_name_in_several_rows_and_sheets_is_one_person(self, tmp_path: Path) -> None:
        """The same name, case and spaces aside, in two rows of the roster, in the quota sheet
        and as ``--owner``: one person, and no PLC812."""
        rows = "Ann Lee,Ned Stark,North\nBob Ortiz,NED STARK,North\nann  LEE,ned stark,North\n"
        code, out, folder = import_rows(tmp_path, rows, "ann lee,1000\nBob Ortiz,2000\n",
                                        "--owner", "Ned  Stark", "--company", "Acme")  # fmt: skip
        assert code == 0, out
        assert "PLC812" not in out
        plan = check_directory(folder).plan
        assert plan is not None
        assert sorted(plan.people) == ["ann-lee", "bob-ortiz", "ned-stark"]
        assert plan.nodes[plan.company].owner == "ned-stark"
        assert plan.people["ann-lee"].manager == plan.people["bob-ortiz"].manager == "ned-stark"
        assert plan.nodes["ann-lee"].targets["revenue"].value == 1000


class TestPinyin:
    """Chinese names were numbered ids (``rep-3``, ``region-1``, ``metric_1``): they are spelled
    in pinyin by the one rule of every id; other scripts keep the numbered fallback."""

    @pytest.mark.parametrize(
        ("text", "made"),
        [
            ("张伟", "zhang-wei"),
            ("华东", "hua-dong"),
            ("重庆 office", "chong-qing-office"),  # a phrase read as a phrase; latin kept
            ("Anna 张", "anna-zhang"),
            ("吕布", "lv-bu"),
            ("曾伟", "ceng-wei"),  # not a person's name: no surname reading
            ("Anna Snelling", "anna-snelling"),
            ("Zoë Ünal", "zoe-unal"),
            ("さくら", ""),
            ("김민준", ""),
            ("Иван", ""),
        ],
    )
    def test_slug(self, text: str, made: str) -> None:
        assert slug(text) == made

    def test_metric_ids_join_syllables_with_underscores(self) -> None:
        assert slug("销售收入", None).replace("-", "_") == "xiao_shou_shou_ru"

    @pytest.mark.parametrize(
        ("name", "made"),
        [
            ("曾伟", "zeng-wei"),
            ("单雄信", "shan-xiong-xin"),
            ("解缙", "xie-jin"),
            ("区家麟", "ou-jia-lin"),
            ("朴槿惠", "piao-jin-hui"),
            ("覃志刚", "qin-zhi-gang"),
            ("乐嘉", "yue-jia"),
            ("仇英", "qiu-ying"),
            ("查良镛", "zha-liang-yong"),
            ("盖聪", "ge-cong"),
            ("缪斯", "miao-si"),
            ("单于乐", "chan-yu-le"),  # the compound surname, not 单 alone
            ("尉迟恭", "yu-chi-gong"),
            ("张伟", "zhang-wei"),
            ("Anna Snelling", "anna-snelling"),
        ],
    )
    def test_a_person_s_surname_is_read_as_a_surname(self, name: str, made: str) -> None:
        assert slug(name, person=True) == made

    def test_the_roster_s_people_teams_regions_and_the_sheet_s_metrics(
        self, tmp_path: Path
    ) -> None:
        """A roster as a workbook: 曾 as a person's surname (zeng), in a region's name (ceng)."""
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append(["销售", "经理", "区域"])
        sheet.append(["张伟", "曾国华", "曾厝垵"])
        sheet.append(["单雄信", "曾国华", "曾厝垵"])
        roster = tmp_path / "roster.xlsx"
        workbook.save(roster)
        quotas = tmp_path / "quotas.csv"
        quotas.write_text("姓名,销售收入,单价\n张伟,1000,5\n单雄信,2000,6\n", encoding="utf-8")
        folder = tmp_path / "2027-Q1"
        code, out = run(folder, "--roster", roster, "--quotas", quotas, *CHINESE, *COLUMNS,
                        "--unit", "dan_jia=score")  # fmt: skip
        assert code == 0, out
        result = check_directory(folder)
        assert result.plan is not None and not result.has_errors, out
        plan = result.plan
        assert plan.people["zhang-wei"].name == "张伟"
        assert plan.people["shan-xiong-xin"].name == "单雄信"
        assert plan.people["zeng-guo-hua"].role == "manager"
        assert plan.people["wang-jian-guo"].role == "vp"  # --owner 王建国
        assert plan.company == "rui-gong-ke-ji"
        assert plan.nodes["ceng-cuo-an"].level.label == "region"
        assert plan.nodes["ceng-cuo-an-zeng-guo-hua"].level.label == "team"
        assert set(plan.metrics) == {"xiao_shou_shou_ru", "dan_jia"}
        assert plan.nodes["shan-xiong-xin"].targets["xiao_shou_shou_ru"].value == 2000

    def test_a_new_owner_s_surname_is_read_as_a_person_s(self, tmp_path: Path) -> None:
        plan = sample_plan(tmp_path, "曾国藩", "CRM sample company")
        assert plan.nodes[plan.company].owner == "zeng-guo-fan"
        assert plan.people["zeng-guo-fan"].role == "vp"
