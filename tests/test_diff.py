"""``planc diff``: the impact of a plan change, in real git repositories built in tmp_path."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import MINI
from gitrepo import (
    NORTH,
    QUARTER,
    QUARTER_FILE,
    SOUTH,
    add_record,
    commit_all,
    edit,
    git,
    move_revenue,
    move_with_record,
    new_repo,
    planc_in,
)


def impact_of(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = planc_in(root, "diff", "--format", "json", *args)
    assert result.code in (0, 1, 2), result.stderr
    assert "Traceback" not in result.stderr
    document = json.loads(result.stdout)
    assert document["version"] == 1
    return result.code, document


def only(document: dict[str, Any]) -> dict[str, Any]:
    [impact] = document["impacts"]
    return impact


class TestRevisions:
    """The base is the merge-base of HEAD with the default branch; the head the work tree."""

    def test_work_tree_against_main(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_with_record(root)
        code, document = impact_of(root)
        impact = only(document)
        assert code == 0
        assert impact["status"] == "changed"
        assert impact["head"]["label"] == "working tree"
        assert impact["base"]["revision"] == git(root, "rev-parse", "main").strip()
        changes = {c["target"]: c for c in impact["changes"]}
        assert set(changes) == {"ann/revenue", "bob/revenue"}
        ann = changes["ann/revenue"]
        assert (ann["before"], ann["after"], ann["delta"], ann["delta_percent"]) == (
            "550000",
            "560000",
            "10000",
            "1.82",
        )
        assert ann["location"] == {"path": NORTH, "line": 27, "col": 22}
        assert ann["covered_by"] == ["ADJ-002"]
        revenue = next(t for t in impact["totals"] if t["metric"] == "revenue")
        assert revenue["target"]["delta"] == "0"
        assert revenue["quotas"]["before"] == revenue["quotas"]["after"] == "2100000"

    def test_diverged_branch_is_compared_with_the_merge_base_not_the_tip(
        self, tmp_path: Path
    ) -> None:
        root = new_repo(tmp_path)
        fork = git(root, "rev-parse", "HEAD").strip()
        git(root, "switch", "-q", "-c", "adjust-north")
        move_with_record(root)
        commit_all(root, "move revenue from bob to ann")
        edit(root / QUARTER_FILE, "Bob's number moves to Ann.", "Bob's number moved to Ann.")
        commit_all(root, "reword the note")
        git(root, "switch", "-q", "main")
        edit(root / SOUTH, "# yaml-language-server", "# south region\n# yaml-language-server")
        commit_all(root, "main moves on")
        git(root, "switch", "-q", "adjust-north")
        code, document = impact_of(root)
        impact = only(document)
        assert code == 0
        assert impact["base"]["revision"] == fork
        assert "merge-base" in impact["base"]["label"]
        assert {c["target"] for c in impact["changes"]} == {"ann/revenue", "bob/revenue"}
        # The south file changed on main only: comparing with main's tip would show it.
        assert {f["path"] for f in impact["files"]} == {"quarter.yaml", "regions/north.yaml"}
        _, tip = impact_of(root, "--base", "main")
        assert "regions/south.yaml" in {f["path"] for f in only(tip)["files"]}

    def test_two_commits_compared_by_name(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_with_record(root)
        commit_all(root, "move")
        code, document = impact_of(root, "--base", "HEAD~1", "--head", "HEAD")
        impact = only(document)
        assert code == 0
        assert impact["head"]["revision"] == git(root, "rev-parse", "HEAD").strip()
        assert len(impact["changes"]) == 2
        # Uncommitted edits are not part of --head HEAD.
        edit(root / NORTH, "Nora North", "Nora Nord")
        assert only(impact_of(root, "--base", "HEAD~1", "--head", "HEAD")[1]) == impact

    def test_positions_point_into_the_revision(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_with_record(root)
        commit_all(root, "move")
        north = root / NORTH
        north.write_text("# one\n# two\n" + north.read_text(encoding="utf-8"), encoding="utf-8")
        _, document = impact_of(root, "--base", "HEAD~1", "--head", "HEAD")
        lines = {c["location"]["line"] for c in only(document)["changes"]}
        assert lines == {27, 39}
        _, work = impact_of(root, "--base", "HEAD~1")
        assert {c["location"]["line"] for c in only(work)["changes"]} == {29, 41}


class TestProblems:
    """Every git problem is one clear message, exit 2 (1 with --detailed-exitcode), no traceback."""

    def test_missing_revision(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        result = planc_in(root, "diff", "--base", "no-such-tag")
        assert result.code == 2
        assert "revision 'no-such-tag' does not exist" in result.stderr
        assert "Traceback" not in result.stderr
        detailed = planc_in(root, "diff", "--base", "no-such-tag", "--detailed-exitcode")
        assert detailed.code == 1

    def test_repository_without_commits(self, tmp_path: Path) -> None:
        root = tmp_path / "empty"
        shutil.copytree(MINI, root / QUARTER)
        git(tmp_path, "init", "-q", "-b", "main", str(root))
        result = planc_in(root, "diff")
        assert result.code == 2
        assert "has no commits yet" in result.stderr

    def test_not_a_repository_suggests_folders(self, tmp_path: Path) -> None:
        shutil.copytree(MINI, tmp_path / "work" / QUARTER)
        result = planc_in(tmp_path / "work", "diff")
        assert result.code == 2
        assert "not inside a git repository" in result.stderr
        assert "--base DIR" in result.stderr

    def test_no_default_branch(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        git(root, "branch", "-m", "main", "trunk")
        result = planc_in(root, "diff")
        assert result.code == 2
        assert "cannot find the default branch" in result.stderr
        assert "--base REV" in result.stderr

    def test_shallow_clone_asks_for_the_full_history(self, tmp_path: Path) -> None:
        origin = new_repo(tmp_path, "origin")
        git(origin, "switch", "-q", "-c", "adjust")
        move_with_record(origin)
        commit_all(origin, "move")
        git(origin, "switch", "-q", "main")
        edit(origin / SOUTH, "# yaml-language-server", "# south\n# yaml-language-server")
        commit_all(origin, "main moves on")
        clone = tmp_path / "clone"
        git(
            tmp_path,
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            "--branch",
            "adjust",
            f"file://{origin}",
            str(clone),
        )
        assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"
        result = planc_in(clone, "diff")
        assert result.code == 2
        assert "shallow clone" in result.stderr
        assert "fetch-depth: 0" in result.stderr
        missing = planc_in(clone, "diff", "--base", "HEAD~3")
        assert "fetch-depth: 0" in missing.stderr

    def test_bad_plan_folder(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        result = planc_in(root, "diff", "plans/2030-Q9")
        assert result.code == 2
        assert "exists neither at" in result.stderr
        # the fix is named: the quarter folders nearby, as planc check names them
        assert result.stderr.endswith(f"; quarter folders found nearby: {QUARTER}\n")

    @pytest.mark.parametrize("given", [QUARTER_FILE, NORTH])
    def test_a_plan_file_given_names_its_quarter_folder(self, tmp_path: Path, given: str) -> None:
        root = new_repo(tmp_path)
        result = planc_in(root, "diff", given)
        assert result.code == 2
        assert "is a file at" in result.stderr
        assert result.stderr.endswith(f"; give its quarter folder instead: {QUARTER}\n")


class TestFiles:
    """Files added, removed or renamed, and quarters that are new or gone."""

    def test_renamed_region_file_changes_no_target(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        git(root, "mv", NORTH, f"{QUARTER}/regions/nord.yaml")
        code, document = impact_of(root, "--detailed-exitcode")
        impact = only(document)
        assert code == 2
        assert impact["files"] == [
            {"status": "renamed", "path": "regions/nord.yaml", "old_path": "regions/north.yaml"}
        ]
        assert impact["changes"] == []
        assert "No target value changed" in impact["summary"]

    def test_renamed_quarter_folder_is_found_at_the_base(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        git(root, "mv", QUARTER, "plans/2027Q1")
        commit_all(root, "rename the folder")
        _, document = impact_of(root, "--base", "HEAD~1", "--head", "HEAD", "plans/2027Q1")
        impact = only(document)
        assert impact["status"] == "changed"
        assert impact["base"]["folder"] == QUARTER
        assert impact["moved_from"] == QUARTER
        assert impact["changes"] == []
        assert "renamed from" in planc_in(root, "diff", "--base", "HEAD~1", "plans/2027Q1").stdout

    def test_new_quarter(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        q2 = root / "plans" / "2027-Q2"
        shutil.copytree(root / QUARTER, q2)
        for old, new in (
            ("id: 2027-Q1", "id: 2027-Q2"),
            ("name: Q1 2027", "name: Q2 2027"),
            ("start: 2027-01-01", "start: 2027-04-01"),
            ("end: 2027-03-31", "end: 2027-06-30"),
            ("date: 2027-02-03", "date: 2027-05-03"),
            ("effective: 2027-02-01", "effective: 2027-05-01"),
        ):
            edit(q2 / "quarter.yaml", old, new)
        for region in ("north", "south"):
            path = q2 / "regions" / f"{region}.yaml"
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("due: 2027-02-15", "due: 2027-05-15"), encoding="utf-8")
        code, document = impact_of(root, "--detailed-exitcode")
        by_quarter = {i["quarter"]: i for i in document["impacts"]}
        assert by_quarter["2027-Q1"]["status"] == "unchanged"
        new = by_quarter["2027-Q2"]
        assert new["status"] == "new"
        assert new["summary"].startswith("New quarter 2027-Q2 with 2 regions, 2 teams and 4 reps")
        assert [a["person"] for a in new["approvals"]] == ["vera"]
        assert code == 2

    def test_added_and_removed_region_files(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        (root / SOUTH).unlink()
        edit(root / QUARTER_FILE, "    value: 2000000\n", "    value: 1000000\n")
        _, document = impact_of(root)
        impact = only(document)
        assert {"status": "removed", "path": "regions/south.yaml", "old_path": None} in impact[
            "files"
        ]
        removed = [c for c in impact["changes"] if c["after"] is None]
        assert {c["node"] for c in removed} >= {"south", "south-smb", "li-wei", "xu-fang"}
        assert {r["person"] for r in impact["reps"] if r["change"] == "removed"} == {
            "li-wei",
            "xu-fang",
        }

    def test_removed_quarter(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        shutil.rmtree(root / QUARTER)
        code, document = impact_of(root, QUARTER)
        assert only(document)["status"] == "removed"
        assert "is removed" in only(document)["summary"]
        assert code == 0

    def test_two_folders_without_git(self, tmp_path: Path) -> None:
        old, new = tmp_path / "old", tmp_path / "new"
        shutil.copytree(MINI, old)
        shutil.copytree(MINI, new)
        root = tmp_path
        result = planc_in(root, "diff", "--base", "old", "--head", "new", "--format", "json")
        assert result.code == 0, result.stderr
        assert only(json.loads(result.stdout))["status"] == "unchanged"


class TestImpact:
    """What the impact says: checks before and after, records, approvals, drift."""

    def test_change_without_record_is_plc610_at_the_value(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_revenue(root)
        code, document = impact_of(root)
        impact = only(document)
        assert code == 1
        uncovered = impact["checks"]["uncovered"]
        assert [(d["code"], d["range"]["start"]["line"]) for d in uncovered] == [
            ("PLC610", 27),
            ("PLC610", 39),
        ]
        assert all(d["path"] == NORTH for d in uncovered)
        # the target named as PLC303 and PLC720 name it: names, then the id the YAML uses
        assert uncovered[0]["message"].startswith("Ann Lee · Revenue (ann/revenue) changed from")
        # The old record no longer matches the plan: introduced by the change.
        assert {d["code"] for d in impact["checks"]["introduced"]} == {"PLC602"}
        check = planc_in(root, "check", QUARTER, "--base", "main", "--format", "json")
        assert check.code == 1
        assert [d["code"] for d in json.loads(check.stdout)["diagnostics"]].count("PLC610") == 2

    def test_stretch_reconciles_like_the_value(self, tmp_path: Path) -> None:
        """A new stretch goal on a team is shown against its reps' stretch (else value)."""
        root = new_repo(tmp_path)
        edit(
            root / NORTH,
            "        revenue: {value: 1000000}\n        new_customers",
            "        revenue: {value: 1000000, stretch: 1200000}\n        new_customers",
        )
        _, document = impact_of(root)
        rows = [r for r in only(document)["reconciliation"] if r["part"] == "stretch"]
        assert [(r["node"], r["metric"]) for r in rows] == [("north-ent", "revenue")]
        [row] = rows
        # ann's stretch 600,000 + bob's value 550,000 against the team's new stretch
        assert row["parent"] == {"before": None, "after": "1200000"}
        assert row["children"]["after"] == "1150000"
        assert row["ok"] == {"before": None, "after": False}
        text = planc_in(root, "diff").stdout
        assert "north-ent/revenue stretch: children 1,150,000" in text

    def test_over_assignment_introduced_and_fixed(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        edit(
            root / NORTH,
            "new_customers: {value: 10}\n        csat",
            "new_customers: {value: 8}\n        csat",
        )
        commit_all(root, "team carries 125 % of its new customers")
        assert planc_in(root, "check", QUARTER).code == 1
        edit(
            root / NORTH,
            "new_customers: {value: 8}\n        csat",
            "new_customers: {value: 9}\n        csat",
        )
        add_record(
            root, "ADJ-002", ["{target: north-ent/new_customers, from: 8, to: 9}"], cause="market"
        )
        _, document = impact_of(root, "--base", "HEAD")
        impact = only(document)
        assert [d["code"] for d in impact["checks"]["fixed"]] == ["PLC301"]
        assert impact["checks"]["introduced"] == []
        rows = {r["node"]: r for r in impact["reconciliation"]}
        row = rows["north-ent"]
        assert row["percent"] == {"before": "125", "after": "111.11"}
        assert row["ok"] == {"before": False, "after": True}

    @pytest.mark.parametrize(
        ("amount", "approver", "why"),
        [
            (10_000, "ned", "team owner of north-ent"),
            (40_000, "nora", "region owner of north"),
            (80_000, "vera", "company owner of acme"),
        ],
        ids=["team-tier", "region-tier", "company-tier"],
    )
    def test_approval_tier_by_size(
        self, tmp_path: Path, amount: int, approver: str, why: str
    ) -> None:
        root = new_repo(tmp_path)
        move_with_record(root, amount)
        _, document = impact_of(root)
        [approval] = only(document)["approvals"]
        assert (approval["person"], approval["why"]) == (approver, why)
        assert approval["recorded"] is False
        assert approval["targets"] == ["ann/revenue", "bob/revenue"]

    def test_approval_recorded_in_the_record(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_with_record(root, approved_by="ned")
        _, document = impact_of(root)
        [approval] = only(document)["approvals"]
        assert approval["github"] == "neds"
        assert approval["recorded"] is True

    def test_team_target_goes_to_the_region_owner_even_in_the_team_tier(
        self, tmp_path: Path
    ) -> None:
        root = new_repo(tmp_path)
        edit(
            root / NORTH,
            "csat: {value: 4.5}\n        sales_expense",
            "csat: {value: 4.4}\n        sales_expense",
        )
        add_record(
            root, "ADJ-002", ["{target: north-ent/csat, from: 4.5, to: 4.4}"], cause="market"
        )
        _, document = impact_of(root)
        [approval] = only(document)["approvals"]
        assert approval["person"] == "nora"

    def test_a_folder_named_by_the_plan_is_not_read(self, tmp_path: Path) -> None:
        """company.approved is written by the pull request: naming a folder of the runner
        (here a copy of the plan, so that it would compile) made diff read and compile it."""
        root = new_repo(tmp_path)
        elsewhere = tmp_path / "elsewhere" / "2027-Q1"
        shutil.copytree(root / QUARTER, elsewhere)
        edit(root / QUARTER_FILE, "  owner: vera\n", f"  owner: vera\n  approved: {elsewhere}\n")
        commit_all(root, "name a folder as the approved plan")
        move_with_record(root, 20_000)
        _, document = impact_of(root, "--base", "HEAD")
        drift = only(document)["drift"]
        assert drift["available"] is False
        assert drift["reason"].startswith(f"{elsewhere} is not in this clone")
        assert only(document)["changes"][0]["approved"] is None
        # the user may still name a folder
        _, document = impact_of(root, "--base", "HEAD", "--approved", str(elsewhere))
        assert only(document)["drift"]["available"] is True

    def test_drift_against_the_approved_tag(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        edit(
            root / QUARTER_FILE,
            "  owner: vera\n",
            "  owner: vera\n  approved: plan/2027-Q1-approved\n",
        )
        commit_all(root, "name the approved plan")
        git(root, "tag", "plan/2027-Q1-approved")
        move_with_record(root, 20_000)
        commit_all(root, "first adjustment")
        edit(root / NORTH, "value: 570000", "value: 575000")
        edit(root / NORTH, "months: [150000, 180000, 240000]", "months: [150000, 180000, 245000]")
        edit(root / NORTH, "products: {pro: 320000,", "products: {pro: 325000,")
        edit(
            root / NORTH,
            "new_customers: {value: 10}\n        csat",
            "new_customers: {value: 10}\n        csat",
        )
        add_record(
            root,
            "ADJ-003",
            ["{target: ann/revenue, from: 570000, to: 575000}"],
            effective="2027-02-20",
        )
        _, document = impact_of(root, "--base", "HEAD")
        impact = only(document)
        [change] = impact["changes"]
        assert (change["before"], change["after"], change["approved"]) == (
            "570000",
            "575000",
            "550000",
        )
        assert change["delta_percent"] == "0.88"
        assert change["drift_percent"] == "4.55"
        assert impact["drift"]["available"] is True
        assert impact["drift"]["changed_targets"] == 2
        # A 0.9 % step, but 4.5 % from the approved plan: the drift decides the tier.
        [approval] = impact["approvals"]
        assert approval["largest_percent"] == "4.55"

    def test_diff_and_check_agree_at_the_tier_boundary(self, tmp_path: Path) -> None:
        """5.02 % is above an "up to 5 %" tier: diff prints 5.02% and asks the region owner,
        and an enforced check rejects the record that only the team owner approved."""
        root = new_repo(tmp_path)
        edit(
            root / QUARTER_FILE,
            "  approvals:\n",
            "  approvals:\n    enforce: true\n    tiers:\n",
        )
        text = (root / QUARTER_FILE).read_text(encoding="utf-8")
        text = text.replace("\n    - {up_to", "\n      - {up_to").replace(
            "\n    - {approver", "\n      - {approver"
        )
        (root / QUARTER_FILE).write_text(text, encoding="utf-8")
        move_with_record(root, amount=27_610, approved_by="ned")
        _, document = impact_of(root)
        [approval] = only(document)["approvals"]
        assert (approval["person"], approval["largest_percent"]) == ("nora", "5.02")
        assert approval["recorded"] is False
        assert "| 5.02% |" in planc_in(root, "diff", "--format", "markdown").stdout
        check = planc_in(root, "check", QUARTER)
        assert check.code == 1
        assert "PLC620" in check.stdout and "by up to 5.02%" in check.stdout
        assert "nora (region owner of north) must approve" in check.stdout

    def test_missing_approved_tag_is_reported_not_fatal(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_with_record(root)
        code, document = impact_of(root, "--approved", "plan/never-tagged")
        drift = only(document)["drift"]
        assert code == 0
        assert drift["available"] is False
        assert "is not in this clone" in drift["reason"]


class TestExitCodesAndActions:
    """--detailed-exitcode and the GitHub Actions outputs."""

    def test_detailed_exitcode(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        assert planc_in(root, "diff", "--detailed-exitcode").code == 0
        move_with_record(root)
        assert planc_in(root, "diff", "--detailed-exitcode").code == 2
        assert planc_in(root, "diff").code == 0
        edit(root / NORTH, "value: 540000", "value: 530000")
        assert planc_in(root, "diff", "--detailed-exitcode").code == 1

    def test_github_actions_outputs(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_with_record(root)
        outputs, summary = tmp_path / "out.txt", tmp_path / "summary.md"
        outputs.write_text("earlier=1\n", encoding="utf-8")
        env = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_OUTPUT": str(outputs),
            "GITHUB_STEP_SUMMARY": str(summary),
        }
        result = planc_in(root, "diff", env=env)
        assert result.code == 0
        assert outputs.read_text(encoding="utf-8") == "earlier=1\nhas_changes=true\n"
        assert summary.read_text(encoding="utf-8").startswith("<!-- planc:impact -->\n")
        git(root, "stash", "-q")
        planc_in(root, "diff", env=env)
        assert outputs.read_text(encoding="utf-8").endswith("has_changes=false\n")

    def test_text_output_names_positions(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_with_record(root)
        result = planc_in(root, "diff")
        assert (
            f"{NORTH}:27:22  ann/revenue (Ann Lee, rep): 550,000 -> 560,000 +10,000 (+1.8%)"
            in result.stdout
        )
        assert "Ned Stark @neds (team owner of north-ent)" in result.stdout

    def test_output_file_is_written(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_with_record(root)
        result = planc_in(root, "diff", "--format", "markdown", "--output", "impact.md")
        assert result.code == 0
        assert result.stdout == ""
        assert (root / "impact.md").read_text(encoding="utf-8").startswith("<!-- planc:impact -->")
