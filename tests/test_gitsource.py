"""Checking a plan as committed at a git revision, in real repositories made in tmp_path."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import MINI, run_planc

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


def git(repo: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose first commit holds a clean plan and whose second breaks it."""
    root = tmp_path / "sales"
    plan = root / "plans" / "2027-Q1"
    shutil.copytree(MINI, plan)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "clean plan")
    north = plan / "regions" / "north.yaml"
    north.write_text(
        north.read_text(encoding="utf-8").replace(
            "months: [170000, 180000, 200000]", "months: [1, 2, 3]"
        ),
        encoding="utf-8",
    )
    git(root, "commit", "-qam", "break bob's months")
    return root


class TestRevisions:
    """The same loader reads a revision, and diagnostics point into the file at that revision."""

    def test_old_revision_is_clean_while_head_is_broken(self, repo: Path) -> None:
        assert run_planc("check", "plans/2027-Q1", "--rev", "HEAD~1", cwd=repo).code == 0
        head = run_planc("check", "plans/2027-Q1", "--rev", "HEAD", "--format", "json", cwd=repo)
        assert head.code == 1
        [diagnostic] = head.json()["diagnostics"]
        assert diagnostic["code"] == "PLC303"
        assert diagnostic["path"] == "plans/2027-Q1/regions/north.yaml"
        assert diagnostic["range"]["start"] == {"line": 41, "col": 23}

    def test_revision_differs_from_uncommitted_work(self, repo: Path) -> None:
        north = repo / "plans" / "2027-Q1" / "regions" / "north.yaml"
        north.write_text("not: [valid", encoding="utf-8")
        assert run_planc("check", "plans/2027-Q1", cwd=repo).code == 1
        committed = run_planc(
            "check", "plans/2027-Q1", "--rev", "HEAD", "--format", "json", cwd=repo
        )
        assert [d["code"] for d in committed.json()["diagnostics"]] == ["PLC303"]
        assert north.read_text(encoding="utf-8") == "not: [valid"  # the working tree is untouched

    def test_revision_positions_come_from_that_revision(self, repo: Path) -> None:
        north = repo / "plans" / "2027-Q1" / "regions" / "north.yaml"
        north.write_text(
            "# two new lines\n# at the top\n" + north.read_text(encoding="utf-8"), encoding="utf-8"
        )
        committed = run_planc(
            "check", "plans/2027-Q1", "--rev", "HEAD", "--format", "json", cwd=repo
        )
        assert committed.json()["diagnostics"][0]["range"]["start"]["line"] == 41

    def test_hidden_folders_are_skipped_as_on_disk(self, repo: Path) -> None:
        drafts = repo / "plans" / "2027-Q1" / ".drafts"
        drafts.mkdir()
        (drafts / "scratch.yaml").write_text("not: [a plan", encoding="utf-8")
        git(repo, "add", "-f", ".")
        git(repo, "commit", "-qm", "a draft in a hidden folder")
        on_disk = run_planc("check", "plans/2027-Q1", "--format", "json", cwd=repo)
        at_head = run_planc("check", "plans/2027-Q1", "--rev", "HEAD", "--format", "json", cwd=repo)
        assert on_disk.json()["diagnostics"] == at_head.json()["diagnostics"]
        assert [d["code"] for d in at_head.json()["diagnostics"]] == ["PLC303"]


class TestRevisionProblems:
    """Bad revisions and repositories give a message and exit 2, never a traceback."""

    @pytest.mark.parametrize(
        ("rev", "message"),
        [("no-such-branch", "does not exist"), ("HEAD~5", "does not exist")],
    )
    def test_unknown_revision(self, repo: Path, rev: str, message: str) -> None:
        result = run_planc("check", "plans/2027-Q1", "--rev", rev, cwd=repo)
        assert result.code == 2
        assert message in result.stderr
        assert "Traceback" not in result.stderr

    def test_plan_missing_at_revision(self, repo: Path) -> None:
        (repo / "plans" / "2027-Q2").mkdir()
        result = run_planc("check", "plans/2027-Q2", "--rev", "HEAD", cwd=repo)
        assert result.code == 2
        assert "plans/2027-Q2 does not exist at revision HEAD" in result.stderr

    def test_not_a_repository(self, tmp_path: Path) -> None:
        shutil.copytree(MINI, tmp_path / "plan")
        result = run_planc("check", "plan", "--rev", "HEAD", cwd=tmp_path)
        assert result.code == 2
        assert "not inside a git repository" in result.stderr

    def test_repository_without_commits(self, tmp_path: Path) -> None:
        shutil.copytree(MINI, tmp_path / "plan")
        git(tmp_path, "init", "-q")
        result = run_planc("check", "plan", "--rev", "HEAD", cwd=tmp_path)
        assert result.code == 2
        assert "no commits yet" in result.stderr
        assert "--base DIR" not in result.stderr  # diff's way out, not check's

    @pytest.mark.parametrize("repository", [False, True], ids=["no-repository", "no-commits"])
    def test_no_folder_given_says_why_the_revision_has_none(
        self, tmp_path: Path, repository: bool
    ) -> None:
        """Nothing under ./plans and --rev: the error is the revision's trouble (no
        repository here, or no commit yet), not a quarter folder to name."""
        if repository:
            git(tmp_path, "init", "-q")
        result = run_planc("check", "--rev", "HEAD", cwd=tmp_path)
        assert result.code == 2
        why = "has no commits yet" if repository else "not inside a git repository"
        assert why in result.stderr
        assert "name a quarter folder" not in result.stderr
        assert "--base DIR" not in result.stderr
