"""The PR comment: parsed by a real CommonMark parser (markdown-it-py) with GFM tables.

Structure (marker, summary, tables of changed scopes only, ``<details>`` per
region), injection (nothing a user wrote can mention, link or inject HTML), and
the size limit (a 2,000-rep change folds under 65,536 characters and says so).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from conftest import REPO
from gitrepo import (
    ANN_REVENUE,
    NORTH,
    QUARTER,
    QUARTER_FILE,
    add_record,
    commit_all,
    edit,
    git,
    move_revenue,
    move_with_record,
    new_repo,
    planc_in,
)
from planc.change.comment import report_problems
from planc.change.impact_report import GITHUB_COMMENT_LIMIT, MARKER, code, html_text, md
from test_locales import english_labels

HOSTILE = (
    "@everyone <img src=x onerror=alert(1)> [x](http://evil) `tick` | pipe #1 www.evil.com GH-2"
)


def parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def comment(root: Path, *args: str) -> str:
    result = planc_in(root, "diff", "--format", "markdown", *args)
    assert result.code in (0, 1), result.stderr
    return result.stdout


def tables(tokens: list[Token]) -> list[list[list[str]]]:
    """Every table as rows of cell texts (header row first)."""
    out: list[list[list[str]]] = []
    row: list[str] | None = None
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            out.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open"):
            inline = tokens[index + 1]
            assert row is not None
            row.append(inline.content if inline.type == "inline" else "")
        elif token.type == "tr_close":
            assert row is not None
            out[-1].append(row)
    return out


def html_blocks(tokens: list[Token]) -> list[str]:
    return [t.content for t in tokens if t.type == "html_block"]


def visible_text(html: str) -> str:
    """The text a reader sees (tags dropped; entities kept as written)."""
    return re.sub(r"<[^>]+>", "", html)


class TestStructure:
    """One sticky comment: marker, summary, checks, changed scopes, details per region."""

    def test_comment_parses_into_the_expected_blocks(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_with_record(root)
        text = comment(root)
        tokens = parser().parse(text)
        assert text.startswith(MARKER + "\n")
        assert tokens[0].type == "html_block" and tokens[0].content.strip() == MARKER
        heading = next(
            tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"
        )
        # an approval is still missing: the heading says so and shows no green tick
        assert heading == "⏳ planc · Q1 2027 (`2027-Q1`): 2 targets changed · awaiting 1 approval"
        summary = next(
            tokens[i + 1].content
            for i, t in enumerate(tokens)
            if t.type == "paragraph_open" and tokens[i + 1].content.startswith("Revenue")
        )
        assert summary == (
            "Revenue of $10,000 moves from Bob Ortiz to Ann Lee in North; company totals are "
            "unchanged; every check passes; Ned Stark must approve."
        )
        checks, scopes, moves, approvals, north = tables(tokens)
        # the months and products that followed the move are listed, with names
        assert moves[0] == ["Target", "Month or product", "Before", "After", "Δ"]
        assert ["Bob Ortiz · Revenue", "Mar 2027", "200,000", "190,000", "-10,000"] in moves
        assert ["Ann Lee · Revenue", "Pro", "300,000", "310,000", "+10,000"] in moves
        assert checks[0] == ["", "Check", "Result"]
        assert [row[0] for row in checks[1:]] == ["✅", "✅", "✅", "⏳"]
        assert "**Totals:** every company target and the reps' quotas" in text
        assert scopes[0] == ["Scope", "Metric", "Before", "After", "Δ", "Δ %"]
        assert scopes[1:] == [
            [
                "**Ann Lee** · rep, North Enterprise",
                "Revenue",
                "550,000",
                "560,000",
                "+10,000",
                "+1.8%",
            ],
            [
                "**Bob Ortiz** · rep, North Enterprise",
                "Revenue",
                "550,000",
                "540,000",
                "-10,000",
                "-1.8%",
            ],
        ]
        # names where the tables use names, not ids (north-ent)
        assert approvals[1][:3] == ["Ned Stark", "`@neds`", "team owner of North Enterprise"]
        assert north[0][0] == "Where" and north[1][0] == "`north.yaml:27`"
        details = [b for b in html_blocks(tokens) if b.startswith("<details>")]
        assert details == [
            "<details><summary>North · 2 changed targets · net Revenue 0</summary>\n"
        ]
        closing = [b for b in html_blocks(tokens) if b.strip() == "</details>"]
        assert len(closing) == len(details)

    def test_a_phasing_move_with_an_unchanged_total_is_listed(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        edit(root / NORTH, "months: [170000, 180000, 200000]", "months: [150000, 180000, 220000]")
        text = comment(root)
        assert "No target value changed, but 1 target had its phasing" in text
        moves = next(t for t in tables(parser().parse(text)) if t[0][1] == "Month or product")
        assert moves[1:] == [
            ["Bob Ortiz · Revenue", "Jan 2027", "170,000", "150,000", "-20,000"],
            ["Bob Ortiz · Revenue", "Mar 2027", "200,000", "220,000", "+20,000"],
        ]
        # and the region's notes name the target, with its id in code for the YAML
        assert "Bob Ortiz · Revenue (`bob/revenue`): phasing changed (value unchanged)" in text

    def test_only_changed_scopes_are_listed(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_with_record(root)
        tokens = parser().parse(comment(root))
        scopes = next(t for t in tables(tokens) if t[0][0] == "Scope")
        names = " ".join(row[0] for row in scopes[1:])
        for unchanged in ("Li Wei", "李伟", "North Enterprise**", "South", "Acme"):
            assert unchanged not in names

    def test_failing_checks_show_a_cross_and_the_positions(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_with_record(root)
        edit(root / NORTH, "value: 540000", "value: 530000")
        text = comment(root)
        tokens = parser().parse(text)
        checks = tables(tokens)[0]
        assert checks[1][0] == "❌"
        assert checks[3][0] == "❌"  # the record no longer covers bob's new value
        assert f"`{NORTH}:39:22` PLC610" in text

    def test_totals_table_lists_the_metrics_that_moved(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        edit(root / QUARTER_FILE, "    value: 2000000\n", "    value: 2100000\n")
        add_record(root, "ADJ-002", ["{target: acme/revenue, from: 2000000, to: 2100000}"])
        text = comment(root)
        totals = next(t for t in tables(parser().parse(text)) if t[0][0] == "Metric")
        assert totals[1:] == [
            ["Revenue", "2,000,000 → **2,100,000**", "+100,000 (+5.0%)", "2,100,000", ""]
        ]
        assert "company Revenue 2,000,000 → $2,100,000 (+5.0%)" in text
        # Regions no longer add up to the company's number: introduced, with its position.
        assert "PLC301" in text
        assert "❌ planc" in text

    def test_new_quarter(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        shutil.copytree(root / QUARTER, root / "plans" / "2027-Q1-copy")
        text = comment(root, "plans/2027-Q1-copy")
        assert "): new quarter" in text
        assert "New quarter 2027-Q1 with 2 regions, 2 teams and 4 reps" in text
        assert "company owner of Acme Tools" in text
        # The same folder moved with git mv is a rename, not a new quarter.
        shutil.rmtree(root / "plans" / "2027-Q1-copy")
        git(root, "mv", QUARTER, "plans/2027-Q1-moved")
        moved = comment(root, "plans/2027-Q1-moved")
        assert "the quarter folder is renamed from plans/2027-Q1" in moved

    def test_unchanged_plan(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        text = comment(root)
        assert text.startswith(MARKER)
        assert "no plan changes" in text
        assert "`2027-Q1`" in text

    def test_rendered_html_is_what_a_reviewer_reads(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_with_record(root)
        html = parser().render(comment(root))
        assert "<details><summary>North · 2 changed targets · net Revenue 0</summary>" in html
        assert "<table>" in html
        assert re.search(r"<th[^>]*>Scope</th>", html)


class TestInjection:
    """Names, notes and labels written by users come out inert."""

    @pytest.fixture
    def hostile_repo(self, tmp_path: Path) -> Path:
        root = new_repo(tmp_path)
        quoted = json.dumps(HOSTILE)
        edit(root / NORTH, "name: Ann Lee,", f"name: {quoted},")
        edit(root / NORTH, "  name: North\n", f"  name: {quoted}\n")
        edit(root / NORTH, "name: North Enterprise", f"name: {json.dumps(HOSTILE + ' team')}")
        commit_all(root, "hostile names")
        move_with_record(root)
        add_record(
            root,
            "ADJ-003",
            ["{target: north-ent/csat, from: 4.5, to: 4.5}"],
            note=quoted,
            effective="2027-02-11",
        )
        return root

    def test_nothing_can_mention_link_or_inject(self, hostile_repo: Path) -> None:
        text = comment(hostile_repo)
        assert HOSTILE not in text
        outside_code = re.sub(r"`[^`\n]*`", "", text)
        for needle in ("@everyone", "http://", "www.evil", "<img", "]("):
            assert needle not in outside_code, needle
        html = parser().render(text)
        read = unescape(visible_text(html))  # what GitHub's mention and autolink filters see
        for needle in ("@everyone", "http://", "www.evil", "#1", "GH-2"):
            assert needle not in read, needle
        assert "<img" not in html
        assert "<a " not in html
        assert "onerror=" not in html.replace("onerror=alert", "")  # only as escaped text
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        visible = visible_text(html)
        assert "@\u200deveryone" in visible
        assert "http\u200d://evil" in visible

    def test_tables_keep_their_columns(self, hostile_repo: Path) -> None:
        for table in tables(parser().parse(comment(hostile_repo))):
            widths = {len(row) for row in table}
            assert len(widths) == 1, table

    def test_escapers(self) -> None:
        assert md("a|b") == "a\\|b"
        assert "@\u200d" in md("@team") and "@team" not in md("@team")
        assert "http\u200d://" in md("see http://evil")
        assert (
            md("GH-12, gh-3, not GH-x or hugh-1")
            == "GH\u200d\\-12, gh\u200d\\-3, not GH\\-x or hugh\\-1"
        )
        assert html_text("<b>@x</b>") == "&lt;b&gt;@\u200dx&lt;/b&gt;"
        # an apostrophe's entity keeps its `#`: "O&#\u200dx27;Brien" showed as written
        assert html_text("O'Brien #1") == "O&#x27;Brien #\u200d1"
        assert code("a`b|c") == "`a'b\\|c`"
        assert md("\u202eevil") == "evil"  # bidi overrides are dropped
        assert md("\u061cevil") == "evil"  # the Arabic letter mark too, as LRM and RLM


class TestSizeLimit:
    """A 2,000-rep change folds its detail to stay under GitHub's limit, and says so."""

    def test_two_thousand_rep_change_folds(self, tmp_path: Path) -> None:
        root = tmp_path / "big"
        plan = root / QUARTER
        subprocess.run(
            [sys.executable, str(REPO / "bench" / "generate.py"), "2000", str(plan), "--seed", "7"],
            check=True,
            capture_output=True,
        )
        git(tmp_path, "init", "-q", "-b", "main", str(root))
        commit_all(root, "a 2,000-rep plan")
        changes: list[str] = []
        for region in sorted((plan / "regions").glob("*.yaml")):
            text = region.read_text(encoding="utf-8")
            rep = re.compile(
                r"(        - rep: (\S+)\n(?:(?!        - rep:).*\n)*?            key_product_share:(?: \{value: |\n +value: ))(\d+)"
            )

            def bump(match: re.Match[str]) -> str:
                old = int(match.group(3))
                changes.append(
                    f"{{target: {match.group(2)}/key_product_share, from: {old}, to: {old + 1}}}"
                )
                return f"{match.group(1)}{old + 1}"  # a leaver's is a block: it has a deadline

            region.write_text(rep.sub(bump, text), encoding="utf-8")
        assert len(changes) == 2000
        lines = [
            "adjustments:",
            "  - id: ADJ-900",
            "    date: 2027-02-10",
            "    effective: 2027-02-10",
        ]
        lines += [
            "    cause: policy",
            "    note: Key products count double from February.",
            "    changes:",
        ]
        lines += [f"      - {c}" for c in changes]
        quarter = root / QUARTER_FILE
        quarter.write_text(
            quarter.read_text(encoding="utf-8") + "\n".join(lines) + "\n", encoding="utf-8"
        )
        result = planc_in(root, "diff", "--format", "markdown")
        assert result.code == 0, result.stderr
        text = result.stdout
        assert len(text) < GITHUB_COMMENT_LIMIT
        assert len(text.encode("utf-16-le")) // 2 < GITHUB_COMMENT_LIMIT
        assert "**Shortened** to stay under GitHub's 65,536-character comment limit" in text
        tokens = parser().parse(text)
        details = [b for b in html_blocks(tokens) if b.startswith("<details>")]
        regions = sorted(p.stem for p in (plan / "regions").glob("*.yaml"))
        assert len(details) == len(regions)
        scopes = next(t for t in tables(tokens) if t[0][0] == "Scope")
        assert 1 < len(scopes) <= 26  # grouped: one row per team or region, not per rep
        assert "reps in" in scopes[1][0]
        shown = sum(len(t) - 1 for t in tables(tokens) if t[0][0] == "Where")
        assert 0 < shown < 2000
        assert f"{shown:,} of 2,000 changed targets" in text
        full = planc_in(root, "diff", "--format", "json")
        document: dict[str, Any] = json.loads(full.stdout)
        assert len(document["impacts"][0]["changes"]) == 2000


class TestLanguage:
    """The comment speaks the plan's language: gettext catalogs, CLDR numbers and currency."""

    def test_a_chinese_plan_gets_a_chinese_comment(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        edit(root / QUARTER_FILE, "currency: USD\nlocale: en", "currency: CNY\nlocale: zh-CN")
        commit_all(root, "a Chinese plan")
        move_with_record(root)
        # a phasing move with the total unchanged: listed too
        edit(root / NORTH, "months: [170000, 180000, 190000]", "months: [180000, 180000, 180000]")
        text = comment(root)
        rendered = parser().render(text)
        shown = visible_text(re.sub(r"<code>.*?</code>", " ", rendered))
        assert "销售代表" in shown and "需要" in shown and "¥10,000" in shown
        # every bold renders: CJK punctuation beside ** can stop CommonMark from reading it
        assert "**" not in shown
        # asides in Chinese brackets: a record's cause, a file's status
        wide = "`ADJ-002`（", "`regions/north.yaml`（已修改）"  # noqa: RUF001 - meant
        assert all(aside in text for aside in wide), text
        assert " (已修改)" not in text and ") (" not in text
        found = sorted(
            label for label in english_labels() if re.search(rf"\b{re.escape(label)}\b", shown)
        )
        assert not found, (found, text)

    @pytest.mark.parametrize(
        ("old", "new", "rule_code", "frame", "english"),
        [
            (  # an unclosed quote: PyYAML's parse error, in a translated frame
                "name: Ann Lee,",
                'name: "Ann Lee,',
                "PLC001",
                ["引号没有闭合", "检查这一行和上一行的引号、冒号和缩进"],
                ["a quoted value is never closed", "check quotes, colons"],
            ),
            (  # a schema type error: the key path and the value as args
                ANN_REVENUE,
                ANN_REVENUE.replace("550000", '"lots"'),
                "PLC103",
                ["应为数字", "而不是 &quot;lots&quot;", "直接写出的数字"],  # + the field's hint
                ["should be a number", 'not "lots"', "A number written plainly"],
            ),
        ],
    )
    def test_a_head_that_does_not_compile_is_reported_in_the_plans_language(
        self,
        tmp_path: Path,
        old: str,
        new: str,
        rule_code: str,
        frame: list[str],
        english: list[str],
    ) -> None:
        """The loader's and the schema's errors reach the comment when the head plan does not
        compile: on a zh-CN plan they are in Chinese (the base plan gives the language)."""
        root = new_repo(tmp_path)
        edit(root / QUARTER_FILE, "currency: USD\nlocale: en", "currency: CNY\nlocale: zh-CN")
        commit_all(root, "a Chinese plan")
        edit(root / NORTH, old, new)
        text = comment(root)
        shown = visible_text(parser().render(text))
        assert rule_code in shown, text
        for words in frame:
            assert words in shown, (words, text)
        for words in english:
            assert words not in shown, (words, text)
        cli = planc_in(root, "check", QUARTER)  # the terminal keeps the English
        assert english[0] in cli.stdout, cli.stdout

    def test_a_chinese_hint_shows_its_command_as_code(self, tmp_path: Path) -> None:
        """The catalog marks a command or a YAML word as code (a Chinese message keeps English
        only as code): the comment renders it as <code>, not as backticks escaped into the
        text, which showed "或运行 `planc propose ...`" backticks and all."""
        root = new_repo(tmp_path)
        edit(root / QUARTER_FILE, "currency: USD\nlocale: en", "currency: CNY\nlocale: zh-CN")
        commit_all(root, "a Chinese plan")
        move_revenue(root)  # no record: PLC610 and its hint
        text = comment(root)
        html = parser().render(text)
        item = next(
            line for line in html.splitlines() if line.startswith("<li>") and "PLC610" in line
        )
        assert (
            "或运行 <code>planc propose --cause CAUSE --effective DATE --note TEXT</code>" in item
        )
        # the YAML it names is code too: the key, and the entry to write under it
        assert "在 <code>adjustments:</code> 中加一条记录" in item
        assert "<code>{target: ann/revenue, from: 550000, to: 560000}</code>" in item
        assert "`" not in visible_text(re.sub(r"<code>.*?</code>", " ", html)), text
        assert report_problems(text) == []  # what planc comment posts

    def test_an_argument_inside_a_catalogs_code_span_stays_inert(self, tmp_path: Path) -> None:
        """A key the user wrote lands inside the catalog's `{key}` span: its backticks cannot
        close the span early, and its HTML, @mention and link stay text."""
        root = new_repo(tmp_path)
        edit(root / QUARTER_FILE, "currency: USD\nlocale: en", "currency: CNY\nlocale: zh-CN")
        commit_all(root, "a Chinese plan")
        hostile = json.dumps("x`<b>@everyone</b>` [a](http://evil) `y")
        edit(root / NORTH, ANN_REVENUE, ANN_REVENUE + f"\n              {hostile}: 1")
        text = comment(root)
        html = parser().render(text)
        assert "<code>x'&lt;b&gt;@everyone&lt;/b&gt;' [a](http://evil) 'y</code>" in html, text
        outside = visible_text(re.sub(r"<code>.*?</code>", " ", html))
        assert "未知的键" in outside and "`" not in outside and "@everyone" not in outside
        assert "<b>" not in html and "<a " not in html
        assert report_problems(text) == []

    @pytest.mark.parametrize("broken", [False, True], ids=["changed", "does-not-compile"])
    def test_the_example_comment_names_its_sides_in_chinese(
        self, tmp_path: Path, broken: bool
    ) -> None:
        """README step 5 on the Chinese example: no "head" left in the checks, the summary or
        a title, and the work tree named in Chinese in the footer (a revision stays code)."""
        root = tmp_path / "sales"
        shutil.copytree(REPO / "plans" / "2027-Q1", root / "plans" / "2027-Q1")
        git(tmp_path, "init", "-q", "-b", "main", str(root))
        commit_all(root, "the example plan")
        east = root / "plans" / "2027-Q1" / "regions" / "east.yaml"
        lines = east.read_text(encoding="utf-8").split("\n")
        for number, old, new in (  # README's sed, line by line
            (54, "2910000", '"2860000' if broken else "2860000"),
            (57, "960000", "910000"),
            (58, "rg-cloud: 690000", "rg-cloud: 640000"),
        ):
            assert old in lines[number - 1]
            lines[number - 1] = lines[number - 1].replace(old, new, 1)
        east.write_text("\n".join(lines), encoding="utf-8")
        text = comment(root, "--base", "HEAD")
        shown = visible_text(re.sub(r"<code>.*?</code>", " ", parser().render(text)))
        assert not re.search(r"head|working tree", shown, re.IGNORECASE), text
        assert "比较 <code>HEAD @ " in parser().render(text) and " → 工作区 · " in shown
        assert ("变更后计划中的错误" in shown) is broken and "变更后有" in shown

    def test_each_quarter_speaks_its_own_language_and_currency(self, tmp_path: Path) -> None:
        """A comment over every quarter under plans/ (what CI runs) writes each quarter's
        section in that plan's language and money: an unchanged English/USD quarter listed
        first (the example repository's 2017-Q3) must not turn a CNY plan's sums into $."""
        root = new_repo(tmp_path)
        edit(root / QUARTER_FILE, "currency: USD\nlocale: en", "currency: CNY\nlocale: zh-CN")
        shutil.copytree(REPO / "tests" / "fixtures" / "mini", root / "plans" / "2026-Q4")
        commit_all(root, "a Chinese plan beside an English quarter")
        move_with_record(root)
        text = comment(root)
        chinese = text[text.index("### ") :]
        assert "销售代表" in chinese and "需要" in chinese and "¥10,000" in chinese, text
        assert "$" not in chinese and "must approve" not in chinese, text

    def test_an_english_plan_keeps_english(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_with_record(root)
        text = comment(root)
        assert "must approve" in text and "$10,000" in text
        assert not re.search(r"[\u4e00-\u9fff]", text)
