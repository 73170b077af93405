"""A folder of quarters given where quarter folders go: ``planc check plans``.

``planc check`` with no folder checks every folder under ./plans; given ``plans`` itself it
read the whole tree as one quarter and said PLC107 "second quarter file in plans" with the
hint "keep one kind: quarter file per quarter folder", wrong for a user who did exactly
that. A folder that holds no plan file itself (a README may be there) but a quarter folder
now stands for the folders in it (with --rev, as that revision's tree holds them) in the commands that take
several PLAN_DIRS (check, diff, codeowners); where one folder is read (render, track...),
PLC107 for quarter files in different folders names the quarter folder to give instead.
Real repositories in tmp_path, the real command line.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO, run_planc
from gitrepo import QUARTER, commit_all, git, new_repo, planc_in

OLD = "plans/2017-Q3"


def _two_quarters(tmp_path: Path) -> Path:
    """A repository whose plans/ holds 2027-Q1 (first commit) and 2017-Q3 (second)."""
    root = new_repo(tmp_path)
    shutil.copytree(REPO / OLD, root / OLD)
    shutil.copytree(REPO / "schema", root / "schema")
    commit_all(root, "plan 2017-Q3")
    return root


class TestCheckAFolderOfQuarters:
    def test_plans_is_checked_as_its_quarter_folders(self, tmp_path: Path) -> None:
        root = _two_quarters(tmp_path)
        given = planc_in(root, "check", "plans")
        assert given.code == 0, given.stdout + given.stderr
        assert "PLC107" not in given.stdout
        assert "plans/2017-Q3:" in given.stdout and "plans/2027-Q1:" in given.stdout
        # the same report as with no folder (every folder under ./plans)
        assert planc_in(root, "check", "plans", "-f", "json").stdout == (
            planc_in(root, "check", "-f", "json").stdout
        )

    def test_a_quarter_folder_with_regions_in_sub_folders_is_read_whole(
        self, tmp_path: Path
    ) -> None:
        """Its quarter file is in it: its sub-folders are its regions, not quarters."""
        root = _two_quarters(tmp_path)
        result = planc_in(root, "check", QUARTER, "-f", "json")
        assert result.code == 0, result.stdout + result.stderr
        assert result.json()["plans"] == [QUARTER]

    def test_a_quarter_folder_without_its_quarter_file_is_still_one_folder(
        self, tmp_path: Path
    ) -> None:
        """No plan file of its own, only regions/: but no folder in it holds a quarter
        file, so it is no folder of quarters (PLC106 in it, not in its regions/)."""
        root = _two_quarters(tmp_path)
        (root / QUARTER / "quarter.yaml").unlink()
        result = planc_in(root, "check", QUARTER)
        assert f"PLC106 [error] no quarter file in {QUARTER}\n" in result.stdout, result.stdout
        # beside quarter folders, a folder that holds no quarter file yet is one of them
        both = planc_in(root, "check", "plans", "-f", "json")
        assert both.json()["plans"] == [OLD, QUARTER]

    def test_a_readme_beside_the_quarters_leaves_it_a_folder_of_quarters(
        self, tmp_path: Path
    ) -> None:
        """Only a plan file of its own makes it one quarter: a README or notes may be there."""
        root = _two_quarters(tmp_path)
        (root / "plans" / "README.md").write_text("# Our plans\n", encoding="utf-8")
        (root / "plans" / "notes.txt").write_text("ask finance\n", encoding="utf-8")
        given = planc_in(root, "check", "plans", "-f", "json")
        assert given.code == 0, given.stdout + given.stderr
        assert given.json()["plans"] == [OLD, QUARTER]

    @pytest.mark.parametrize("command", ["check", "diff", "codeowners"])
    def test_the_help_and_the_guides_say_what_the_rule_is(self, command: str) -> None:
        """They said such a folder holds "no plan file itself, only folders": a README
        beside the quarters is allowed (as above), so no text claims only folders."""
        shown = run_planc(command, "--help").stdout
        pages = [shown, *(REPO / "docs" / page for page in ("cli.md", "ops.md", "codes.md"))]
        for page in pages:
            text = page if isinstance(page, str) else page.read_text(encoding="utf-8")
            flat = " ".join(text.split())
            assert "only folders" not in flat
        assert "no plan file of its own but a quarter folder in it" in " ".join(shown.split())

    def test_hidden_folders_and_links_to_folders_are_not_quarters(self, tmp_path: Path) -> None:
        root = _two_quarters(tmp_path)
        outside = tmp_path / "outside"
        shutil.copytree(root / QUARTER, outside)
        (outside / "quarter.yaml").write_text("planc: 1\nkind: quarter\n", encoding="utf-8")
        (root / "plans" / "elsewhere").symlink_to(outside, target_is_directory=True)
        (root / "plans" / ".drafts").mkdir()
        (root / "plans" / ".drafts" / "quarter.yaml").write_text("{", encoding="utf-8")
        result = planc_in(root, "check", "plans")
        assert result.code == 0, result.stdout + result.stderr
        assert "elsewhere" not in result.stdout and ".drafts" not in result.stdout
        # no folder given: ./plans read the same way (it used to check both, and fail)
        default = planc_in(root, "check")
        assert default.code == 0, default.stdout + default.stderr
        assert default.stdout == result.stdout
        commit_all(root, "a hidden folder committed")  # the link is no folder in git either
        diff = planc_in(root, "diff", "--base", "HEAD~1", "--format", "json")
        assert diff.code == 0, diff.stdout + diff.stderr
        assert ".drafts" not in diff.stdout and "elsewhere" not in diff.stdout

    def test_a_site_rendered_beside_the_quarters_is_no_quarter(self, tmp_path: Path) -> None:
        """``render -o plans/site`` made every plain ``planc check`` fail: "no .yaml files in
        plans/site" (fuzz17). The site's marker alone never hides a folder with plan files."""
        root = _two_quarters(tmp_path)
        rendered = planc_in(root, "render", QUARTER, "-o", "plans/site")
        assert rendered.code == 0, rendered.stdout + rendered.stderr
        for args in (("check",), ("check", "plans")):
            result = planc_in(root, *args)
            assert result.code == 0, result.stdout + result.stderr
            assert "plans/site" not in result.stdout
        # a quarter folder with a marker written into it is still read, errors and all
        (root / "plans" / "site" / "quarter.yaml").write_text("{", encoding="utf-8")
        broken = planc_in(root, "check")
        assert broken.code == 1 and "plans/site/quarter.yaml" in broken.stdout, broken.stdout

    def test_a_committed_site_beside_the_quarters_is_no_quarter_at_a_revision(
        self, tmp_path: Path
    ) -> None:
        """The same rule at a git revision: a site rendered into plans/ and committed was
        read by ``check --rev`` ("no quarter file in plans/site at HEAD") and by ``diff``,
        whose base reads the folders the revision holds (fuzz18). A committed folder with
        the marker and a plan file is still read."""
        root = _two_quarters(tmp_path)
        rendered = planc_in(root, "render", QUARTER, "-o", "plans/site")
        assert rendered.code == 0, rendered.stdout + rendered.stderr
        commit_all(root, "the site committed")
        for args in (("check", "--rev", "HEAD"), ("check", "plans", "--rev", "HEAD")):
            result = planc_in(root, *args)
            assert result.code == 0, result.stdout + result.stderr
            assert "plans/site" not in result.stdout
            assert "plans/2027-Q1 at HEAD" in result.stdout
        diff = planc_in(root, "diff", "--base", "HEAD", "--format", "json")
        assert diff.code == 0, diff.stdout + diff.stderr
        assert "plans/site" not in diff.stdout
        (root / "plans" / "site" / "quarter.yaml").write_text("{", encoding="utf-8")
        commit_all(root, "a plan file in the site's folder")
        broken = planc_in(root, "check", "--rev", "HEAD")
        assert broken.code == 1 and "plans/site/quarter.yaml" in broken.stdout, broken.stdout

    def test_at_a_revision_the_folders_are_that_revisions(self, tmp_path: Path) -> None:
        root = _two_quarters(tmp_path)
        shutil.rmtree(root / QUARTER)  # gone from the working tree, not from the commits
        (root / "plans" / "2030-Q1").mkdir()  # never committed
        (root / "plans" / "2030-Q1" / "quarter.yaml").write_text("{", encoding="utf-8")
        first = planc_in(root, "check", "plans", "--rev", "HEAD~1")
        assert first.code == 0, first.stdout + first.stderr
        assert "plans/2027-Q1 at HEAD~1" in first.stdout
        assert "2017-Q3" not in first.stdout and "2030-Q1" not in first.stdout
        last = planc_in(root, "check", "plans", "--rev", "HEAD")
        assert last.code == 0, last.stdout + last.stderr
        assert "plans/2017-Q3 at HEAD" in last.stdout and "plans/2027-Q1 at HEAD" in last.stdout
        assert "2030-Q1" not in last.stdout

    def test_with_no_folder_at_a_revision_the_folders_are_that_revisions(
        self, tmp_path: Path
    ) -> None:
        """``planc check --rev REV`` is ``planc check plans --rev REV``: the quarters REV
        holds, not those on disk (a quarter not committed yet was "plans/2030-Q1 does not
        exist at revision", exit 2; one deleted since was left out)."""
        root = _two_quarters(tmp_path)
        shutil.rmtree(root / OLD)  # at HEAD, gone from the working tree
        (root / "plans" / "2030-Q1").mkdir()  # never committed
        (root / "plans" / "2030-Q1" / "quarter.yaml").write_text("{", encoding="utf-8")
        default = planc_in(root, "check", "--rev", "HEAD")
        assert default.code == 0, default.stdout + default.stderr
        assert default.stdout == planc_in(root, "check", "plans", "--rev", "HEAD").stdout
        assert "plans/2017-Q3 at HEAD" in default.stdout and "2030-Q1" not in default.stdout

    def test_a_plan_file_given_at_a_revision_names_its_quarter_folder(self, tmp_path: Path) -> None:
        """As on disk and in planc diff: the hint says which folder to give instead."""
        root = _two_quarters(tmp_path)
        result = planc_in(root, "check", f"{QUARTER}/regions/north.yaml", "--rev", "HEAD")
        assert result.code == 2
        assert result.stderr == (
            f"planc: error: {QUARTER}/regions/north.yaml is a file at revision HEAD, not a "
            f"quarter folder; give its quarter folder instead: {QUARTER}\n"
        )

    def test_a_folder_missing_at_the_revision_is_said_as_before(self, tmp_path: Path) -> None:
        root = _two_quarters(tmp_path)
        result = planc_in(root, "check", "plans/2031-Q1", "--rev", "HEAD")
        assert result.code == 2
        assert "plans/2031-Q1 does not exist at revision HEAD" in result.stderr


class TestTheHintWhereOneFolderIsRead:
    def test_quarter_files_in_different_folders_name_the_folder_to_give(
        self, tmp_path: Path
    ) -> None:
        """plans/ holds a plan file of its own: it is read as one quarter, as before, and the
        hint says which folder to give (render reads one folder)."""
        root = _two_quarters(tmp_path)
        shutil.copy(root / QUARTER / "regions" / "north.yaml", root / "plans" / "north.yaml")
        result = planc_in(root, "check", "plans", "-f", "json")
        found = [d for d in result.json()["diagnostics"] if d["code"] == "PLC107"]
        assert [d["hint"] for d in found] == ["give one quarter folder, e.g. plans/2027-Q1"]
        rendered = planc_in(root, "render", "plans", "--out", tmp_path / "site")
        assert "hint: give one quarter folder, e.g. plans/2027-Q1" in rendered.stdout + (
            rendered.stderr
        )

    def test_a_copy_of_the_quarter_file_keeps_its_hint(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        quarter = root / QUARTER / "quarter.yaml"
        shutil.copy(quarter, root / QUARTER / "regions" / "quarter-copy.yaml")
        result = planc_in(root, "check", QUARTER, "-f", "json")
        (found,) = [d for d in result.json()["diagnostics"] if d["code"] == "PLC107"]
        assert found["hint"] == "keep one kind: quarter file per quarter folder"


class TestDiffAndCodeowners:
    def test_diff_of_plans_is_the_diff_of_its_quarters_at_either_side(self, tmp_path: Path) -> None:
        root = _two_quarters(tmp_path)
        git(root, "branch", "before", "HEAD~1")
        given = planc_in(root, "diff", "plans", "--base", "before", "-f", "json")
        assert given.code == 0, given.stdout + given.stderr
        assert given.stdout == planc_in(root, "diff", "--base", "before", "-f", "json").stdout
        assert "PLC107" not in given.stdout

    def test_codeowners_of_plans(self, tmp_path: Path) -> None:
        root = _two_quarters(tmp_path)
        given = planc_in(root, "codeowners", "plans", "-o", tmp_path / "given")
        assert given.code == 0, given.stderr
        default = planc_in(root, "codeowners", "-o", tmp_path / "default")
        assert default.code == 0, default.stderr
        text = (tmp_path / "given").read_text(encoding="utf-8")
        assert text == (tmp_path / "default").read_text(encoding="utf-8")
        assert "/plans/2027-Q1/" in text
        assert given.stderr == default.stderr  # 2017-Q3's owners (no handles) said by both
        assert "2017-Q3: the plan owner alex-morgan has no github handle" in given.stderr


class TestAPullRequestsTree:
    def test_a_huge_file_in_a_committed_quarter_is_not_read_whole(self, tmp_path: Path) -> None:
        """The probe reads a file's head to see whether it is a quarter file: of a blob in a
        commit (a pull request's, its author's to fill), never the whole of it (GitPython's
        stream read the rest of a blob into memory when dropped half read)."""
        import tracemalloc

        from planc.core.gitsource import Repository

        root = _two_quarters(tmp_path)
        big = 48 << 20
        (root / OLD / "0-big.yaml").write_bytes(b"planc: 1\n" + b"#" * big)  # read first
        sha = commit_all(root, "a huge region file")
        repo = Repository.open(root)
        tracemalloc.start()
        try:
            names = repo.quarter_folders_at(sha, "plans")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert names == ["2017-Q3", "2027-Q1"]
        assert peak < big // 8, peak
        # the head of a big file is still read: one that says kind: quarter is a quarter file
        (root / OLD / "0-big.yaml").write_bytes(b"planc: 1\nkind: quarter\n" + b"#" * big)
        (root / OLD / "quarter.yaml").unlink()
        (root / QUARTER / "quarter.yaml").unlink()
        sha = commit_all(root, "the quarter file is the huge one")
        assert repo.quarter_folders_at(sha, "plans") == ["2017-Q3", "2027-Q1"]


class TestTheProbeOnDisk:
    def test_a_file_that_becomes_a_fifo_after_it_is_looked_at_is_never_waited_on(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The probe opens a plan file it has seen to be a regular file; swapped for a FIFO
        meanwhile (another process's doing), opening it must not wait for a writer."""
        import os
        import threading

        from planc.core import pipeline

        quarter = tmp_path / "plans" / "2027-Q1"
        quarter.mkdir(parents=True)
        pipe = quarter / "region.yaml"
        os.mkfifo(pipe)

        class Seen:  # the entry as scandir gave it before the swap: a regular file
            name = pipe.name
            path = str(pipe)

            def is_file(self, follow_symlinks: bool = True) -> bool:
                return True

        real = os.scandir
        monkeypatch.setattr(
            pipeline.os, "scandir", lambda f: [Seen()] if Path(f) == quarter else real(f)
        )
        found: list[list[Path] | None] = []
        probe = threading.Thread(
            target=lambda: found.append(pipeline.quarter_folders(tmp_path / "plans")),
            daemon=True,
        )
        probe.start()
        probe.join(5)
        waited = probe.is_alive()
        if waited:  # blocked in open(): a writer lets it go
            os.close(os.open(pipe, os.O_WRONLY))
            probe.join(5)
        assert not waited
        assert found == [None]

    def test_a_quarter_file_with_windows_line_ends_is_one(self, tmp_path: Path) -> None:
        """A quarter file named otherwise, saved with CRLF line ends (Notepad, a Windows
        checkout): its kind: quarter line still says so, and plans/ is its quarters."""
        plans = tmp_path / "plans"
        shutil.copytree(REPO / QUARTER, plans / "2027-Q1")
        quarter = plans / "2027-Q1" / "quarter.yaml"
        quarter.rename(quarter.with_name("q1.yaml"))
        crlf = quarter.with_name("q1.yaml")
        crlf.write_bytes(crlf.read_bytes().replace(b"\n", b"\r\n"))
        from planc.core.pipeline import quarter_folders

        assert quarter_folders(plans) == [plans / "2027-Q1"]
