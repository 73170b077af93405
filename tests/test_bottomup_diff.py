"""planc diff and bottom-up numbers: the gap before and after, and a change that leaves the band.

The plans are the fixture plan with commitments (tests/commitments.py): Ann
550,000 against 480,000 (+14.6 %, outside the -5..+10 % band), Bob 550,000
against 540,000 (+1.9 %), their team 1,000,000 against 1,020,000 (-2.0 %).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from commitments import add_commitments, mini_with_commitments
from conftest import run_planc
from gitrepo import NORTH, QUARTER, commit_all, edit, new_repo, planc_in


def folders(tmp_path: Path) -> tuple[Path, Path]:
    """base/ and head/: two copies of the plan with commitments, to edit head."""
    base = mini_with_commitments(tmp_path, name="base")
    head = tmp_path / "head"
    shutil.copytree(base, head)
    return base, head


def change(head: Path, old: str, new: str) -> None:
    path = head / "regions" / "north.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def impact(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_planc(
        "diff", "--base", "base", "--head", "head", "--format", "json", *args, cwd=root
    )
    assert "Traceback" not in result.stderr
    [found] = json.loads(result.stdout)["impacts"]
    return result.code, found


def gap_numbers(side: dict[str, Any] | None) -> tuple[str, str, str | None] | None:
    return None if side is None else (side["bottom_up"], side["gap"], side["gap_percent"])


class TestBottomUpEdits:
    """Editing a commitment is a change of its own, with the gaps it moves."""

    def test_the_pr_comment_counts_the_detail_in_its_region(self, tmp_path: Path) -> None:
        """A region with only a detail changed said "0 changed targets" over it."""
        _, head = folders(tmp_path)
        change(head, "bottom_up: 540000", "bottom_up: 490000")
        result = run_planc(
            "diff", "--base", "base", "--head", "head", "--format", "markdown", cwd=tmp_path
        )
        summaries = [line for line in result.stdout.splitlines() if "<summary>" in line]
        assert any("1 target detail changed" in line for line in summaries), summaries
        assert not any("0 changed targets" in line for line in summaries), summaries

    def test_a_commitment_that_leaves_the_band(self, tmp_path: Path) -> None:
        _, head = folders(tmp_path)
        change(head, "bottom_up: 540000", "bottom_up: 490000")
        code, found = impact(tmp_path)
        assert code == 0  # a warning, not an error; no adjustment record needed
        assert found["status"] == "changed"
        assert found["changes"] == []
        assert [(d["target"], d["fields"]) for d in found["details"]] == [
            ("bob/revenue", ["bottom_up"])
        ]
        assert found["details"][0]["location"]["line"] == 41  # the changed field, not the target
        assert found["bottom_up_gap"] == {"min": "-5", "max": "10"}
        by_ref = {g["target"]: g for g in found["gaps"]}
        assert list(by_ref) == ["north/revenue", "north-ent/revenue", "bob/revenue"]
        bob = by_ref["bob/revenue"]
        assert gap_numbers(bob["before"]) == ("540000", "10000", "1.85")
        assert gap_numbers(bob["after"]) == ("490000", "60000", "12.24")
        assert (bob["moved_outside"], bob["after"]["outside"]) == (True, True)
        team = by_ref["north-ent/revenue"]
        assert team["after"]["rolled_up"] is True
        # 480,000 + 490,000 against 1,000,000: 30,000 more (+3.1 %), inside.
        assert gap_numbers(team["before"]) == ("1020000", "-20000", "-1.96")
        assert gap_numbers(team["after"]) == ("970000", "30000", "3.09")
        assert team["moved_outside"] is False
        assert team["location"]["line"] == 19  # the team's value: its number is added up
        assert bob["location"]["line"] == 41  # Bob's bottom_up
        assert "1 bottom-up gap moves outside policy.bottom_up_gap" in found["summary"]
        # Bob had a gap (PLC310) before: only leaving the band is new.
        assert [d["code"] for d in found["checks"]["introduced"]] == ["PLC311"]

    def test_text_and_markdown(self, tmp_path: Path) -> None:
        _, head = folders(tmp_path)
        change(head, "bottom_up: 540000", "bottom_up: 490000")
        text = run_planc("diff", "--base", "base", "--head", "head", cwd=tmp_path).stdout
        section = text.split("Top-down vs bottom-up (policy band -5.0% to +10.0%):\n", 1)[1]
        lines = section.split("\n\n", 1)[0].splitlines()
        assert len(lines) == 3
        assert lines[2].endswith(
            "bob/revenue (Bob Ortiz, rep): gap +10,000 (+1.9%) -> +60,000 (+12.2%); "
            "top-down 550,000, bottom-up 540,000 -> 490,000  MOVES OUTSIDE the band"
        )
        assert "bottom-up 1,020,000 -> 970,000 (from the reps)" in lines[1]
        comment = run_planc(
            "diff", "--base", "base", "--head", "head", "--format", "markdown", cwd=tmp_path
        ).stdout
        rows = table_rows(comment)
        assert rows["Top-down vs bottom-up gaps"][:2] == ["⚠️", "Top-down vs bottom-up gaps"]
        assert rows["Top-down vs bottom-up gaps"][2] == (
            "3 gaps changed; 1 moves outside the -5.0% to +10.0% band"
        )
        assert rows["Bob Ortiz · Revenue"] == [
            "Bob Ortiz · Revenue",
            "550,000",
            "540,000 → 490,000",
            "+10,000 (+1.9%)",
            "**+60,000 (+12.2%)**",
            "⚠️ moves outside -5.0% to +10.0%",
        ]
        assert rows["North Enterprise · Revenue"][2] == "1,020,000 → 970,000 (from the reps)"
        # The reconciliation row is not blamed for a bottom-up warning.
        assert rows["Reconciliation and over-assignment"][2] == "no new problems"

    def test_back_inside_and_a_new_commitment(self, tmp_path: Path) -> None:
        _, head = folders(tmp_path)
        change(head, "bottom_up: 480000", "bottom_up: 500000")  # +10.0 %: the band's edge
        change(
            head,
            "            sales_expense: {value: 35000}\n",
            "            sales_expense: {value: 35000, bottom_up: 35000}\n",
        )
        code, found = impact(tmp_path)
        assert code == 0
        by_ref = {g["target"]: g for g in found["gaps"]}
        ann = by_ref["ann/revenue"]
        assert (ann["moved_inside"], ann["after"]["outside"]) == (True, False)
        assert gap_numbers(ann["after"]) == ("500000", "50000", "10")
        # The team: 500,000 + 540,000 against 1,000,000 (-3.8 %), still inside.
        team = by_ref["north-ent/revenue"]
        assert (team["moved_outside"], team["after"]["outside"]) == (False, False)
        # Both reps now commit to an expense cap, so the team's and region's add up too.
        assert by_ref["north-ent/sales_expense"]["after"]["rolled_up"] is True
        assert by_ref["north/sales_expense"]["before"] is None
        new = by_ref["bob/sales_expense"]
        assert new["before"] is None
        assert gap_numbers(new["after"]) == ("35000", "0", "0")
        assert found["checks"]["fixed"][0]["code"] == "PLC311"  # Ann's revenue gap
        comment = run_planc(
            "diff", "--base", "base", "--head", "head", "--format", "markdown", cwd=tmp_path
        ).stdout
        rows = table_rows(comment)
        assert rows["Ann Lee · Revenue"][-1] == "✅ back inside -5.0% to +10.0%"
        assert rows["Bob Ortiz · Sales expense"][3:5] == ["—", "**0 (0.0%)**"]
        assert rows["Top-down vs bottom-up gaps"][0] == "✅"


class TestTargetChanges:
    """A changed target shows its gap before and after, where it has a bottom-up number."""

    def test_a_number_moved_between_reps(self, tmp_path: Path) -> None:
        _, head = folders(tmp_path)
        change(
            head,
            "              value: 550000\n              bottom_up: 480000\n",
            "              value: 560000\n              bottom_up: 480000\n",
        )
        change(
            head,
            "              value: 550000\n              bottom_up: 540000\n",
            "              value: 540000\n              bottom_up: 540000\n",
        )
        _, found = impact(tmp_path)
        assert [c["target"] for c in found["changes"]] == ["ann/revenue", "bob/revenue"]
        # The team's number and its reps' commitments stay: its gap is not listed.
        by_ref = {g["target"]: g for g in found["gaps"]}
        assert list(by_ref) == ["ann/revenue", "bob/revenue"]
        ann = by_ref["ann/revenue"]
        assert (ann["before"]["top_down"], ann["after"]["top_down"]) == ("550000", "560000")
        assert gap_numbers(ann["after"]) == ("480000", "80000", "16.67")
        assert ann["moved_outside"] is False  # it was outside already
        bob = by_ref["bob/revenue"]
        assert gap_numbers(bob["after"]) == ("540000", "0", "0")
        text = run_planc("diff", "--base", "base", "--head", "head", cwd=tmp_path).stdout
        assert "top-down 550,000 -> 560,000, bottom-up 480,000  still outside the band" in text

    def test_no_change_no_gaps(self, tmp_path: Path) -> None:
        folders(tmp_path)
        code, found = impact(tmp_path)
        assert (code, found["status"], found["gaps"]) == (0, "unchanged", [])


class TestInGit:
    def test_a_commitment_edited_in_the_work_tree(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        add_commitments(root / QUARTER)
        commit_all(root, "commitments")
        edit(root / NORTH, "bottom_up: 540000", "bottom_up: 600000")
        result = planc_in(root, "diff", "--format", "json")
        assert result.code == 0, result.stderr
        [found] = result.json()["impacts"]
        bob = next(g for g in found["gaps"] if g["target"] == "bob/revenue")
        # 550,000 against 600,000: 50,000 less (-8.3 %), below the band's -5 %.
        assert gap_numbers(bob["after"]) == ("600000", "-50000", "-8.33")
        assert bob["moved_outside"] is True
        assert bob["location"] == {"path": NORTH, "line": 41, "col": 26}


def table_rows(markdown: str) -> dict[str, list[str]]:
    """Every table row of a comment by its first meaningful cell (the check or the target)."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    rows: dict[str, list[str]] = {}
    row: list[str] | None = None
    for index, token in enumerate(tokens):
        if token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open") and row is not None:
            row.append(tokens[index + 1].content if tokens[index + 1].type == "inline" else "")
        elif token.type == "tr_close" and row:
            key = row[1] if row[0] in ("✅", "⚠️", "❌", "⏳") else row[0]
            rows[key] = row
    return rows
