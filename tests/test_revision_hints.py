"""Hints about quarter folders when the plan is read from a git revision (``check --rev``,
``diff --base/--head REV``): they name the folders of that revision's tree, never the
working tree's. Before, "quarter folders found nearby" and "give its quarter folder
instead" looked on disk, naming a folder the revision does not have and missing one it
has. Real repositories in tmp_path, the real command line."""

from __future__ import annotations

import shutil
from pathlib import Path

from gitrepo import QUARTER, commit_all, new_repo, planc_in

GONE = "plans/2026-Q4"  # at HEAD, deleted from the working tree since
NEW = "plans/2027-Q2"  # in the working tree only
HALF = "plans/2027-Q5"  # at HEAD without its quarter file, which is on disk (untracked)


def _repo(tmp_path: Path) -> Path:
    """HEAD~1: 2027-Q1. HEAD: 2027-Q1, 2026-Q4 and 2027-Q5/regions. Working tree: 2027-Q1,
    2027-Q2 and 2027-Q5 whole."""
    root = new_repo(tmp_path)
    shutil.copytree(root / QUARTER, root / GONE)
    shutil.copytree(root / QUARTER / "regions", root / HALF / "regions")
    commit_all(root, "2026-Q4, and the regions of 2027-Q5")
    shutil.rmtree(root / GONE)
    shutil.copytree(root / QUARTER, root / NEW)
    shutil.copy(root / QUARTER / "quarter.yaml", root / HALF / "quarter.yaml")
    return root


class TestNoQuarterFileAtTheRevision:
    def test_the_quarter_folder_above_is_the_revisions(self, tmp_path: Path) -> None:
        """regions/ of a quarter the working tree no longer has: its quarter folder is named."""
        root = _repo(tmp_path)
        for args in (("check", "--rev", "HEAD"), ("diff", "--base", "HEAD", "--head", "HEAD")):
            run = planc_in(root, *args, f"{GONE}/regions")
            assert run.code == 1, run.stdout + run.stderr
            assert "PLC106" in run.stdout
            assert f"hint: give its quarter folder instead: {GONE}\n" in run.stdout, run.stdout

    def test_a_quarter_file_on_disk_only_is_not_named(self, tmp_path: Path) -> None:
        root = _repo(tmp_path)
        for args in (("check", "--rev", "HEAD"), ("diff", "--base", "HEAD", "--head", "HEAD")):
            run = planc_in(root, *args, f"{HALF}/regions")
            assert run.code == 1, run.stdout + run.stderr
            assert "give its quarter folder" not in run.stdout, run.stdout
            assert "hint: add quarter.yaml with kind: quarter" in run.stdout, run.stdout
        on_disk = planc_in(root, "check", f"{HALF}/regions")  # as before without --rev
        assert f"hint: give its quarter folder instead: {HALF}\n" in on_disk.stdout


class TestQuarterFoldersNearby:
    def test_check_rev_names_the_revisions_folders(self, tmp_path: Path) -> None:
        root = _repo(tmp_path)
        run = planc_in(root, "check", "--rev", "HEAD", "plans/2027-Q3")
        assert run.code == 2
        assert run.stderr == (
            "planc: error: plans/2027-Q3 does not exist at revision HEAD; "
            "quarter folders nearby at HEAD: plans/2027-Q1, plans/2026-Q4\n"  # 2027-Q5 not there
        )
        run = planc_in(root, "check", "--rev", "HEAD~1", "2027-Q2")  # on disk, not at HEAD~1
        assert run.stderr == (
            "planc: error: 2027-Q2 does not exist at revision HEAD~1; "
            "quarter folders nearby at HEAD~1: plans/2027-Q1\n"
        )

    def test_diff_of_two_revisions_names_theirs(self, tmp_path: Path) -> None:
        root = _repo(tmp_path)
        run = planc_in(root, "diff", "--base", "HEAD~1", "--head", "HEAD", "plans/2027-Q3")
        assert run.code == 2
        said = run.stderr.split("quarter folders found nearby: ")[1]
        assert said == "plans/2027-Q1, plans/2026-Q4\n"

    def test_diff_with_the_working_tree_names_both(self, tmp_path: Path) -> None:
        root = _repo(tmp_path)
        run = planc_in(root, "diff", "--base", "HEAD", "plans/2027-Q3")
        assert run.code == 2
        said = run.stderr.split("quarter folders found nearby: ")[1]
        assert said == "plans/2027-Q1, plans/2027-Q2, plans/2027-Q5, plans/2026-Q4\n"


class TestWherePlansAre:
    """``planc check --rev REV`` with no folder, where neither REV nor the disk has plans/
    below the working folder: the way to the plans is REV's."""

    def test_a_quarter_folder_on_disk_only_is_not_offered(self, tmp_path: Path) -> None:
        root = _repo(tmp_path)
        for folder in (NEW, HALF):  # not at HEAD; 2027-Q5 without its quarter file there
            run = planc_in(root / folder, "check", "--rev", "HEAD")
            assert run.code == 2
            assert run.stderr == (
                "planc: error: no plan folders given and none found under ./plans (at HEAD or "
                "on disk); run it in ../.., which holds plans/ at HEAD, or name a quarter folder\n"
            )
            on_disk = planc_in(root / folder, "check")  # without --rev: as before
            assert on_disk.stderr.endswith("; . is a quarter folder: planc check .\n")

    def test_a_quarter_folder_at_the_revision_is_offered_with_rev(self, tmp_path: Path) -> None:
        root = _repo(tmp_path)
        run = planc_in(root / QUARTER, "check", "--rev", "HEAD")
        assert run.code == 2
        assert run.stderr == (
            "planc: error: no plan folders given and none found under ./plans (at HEAD or "
            "on disk); . is a quarter folder at HEAD: planc check --rev HEAD .\n"
        )
        assert planc_in(root / QUARTER, "check", "--rev", "HEAD", ".").code == 0

    def test_a_revision_that_does_not_exist_is_the_error(self, tmp_path: Path) -> None:
        """Not where plans might be at it (the hint named plans/2027-Q1 at a revision that
        is not there): what a folder given is told."""
        root = _repo(tmp_path)
        given = planc_in(root, "check", "--rev", "no-such-rev", QUARTER)
        for folder in (root / NEW, root / QUARTER):
            run = planc_in(folder, "check", "--rev", "no-such-rev")
            assert (run.code, run.stderr) == (2, given.stderr), folder
        assert given.stderr == f"planc: error: revision 'no-such-rev' does not exist in {root}\n"

    def test_outside_a_repository_is_the_error(self, tmp_path: Path) -> None:
        alone = tmp_path / "alone"
        alone.mkdir()
        run = planc_in(alone, "check", "--rev", "HEAD")
        assert (run.code, run.stderr) == (2, "planc: error: . is not inside a git repository\n")
