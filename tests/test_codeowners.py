"""``planc codeowners``: CODEOWNERS lines from the plans' owners, in a managed block."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import MINI
from gitrepo import NORTH, QUARTER, edit, git, new_repo, planc_in
from planc.change.codeowners import BEGIN, END, merge, pattern

EXPECTED = [
    BEGIN,
    "/plans/2027-Q1/ @veraq",
    "/plans/2027-Q1/quarter.yaml @veraq",
    "/plans/2027-Q1/regions/north.yaml @nora-n",
    "/plans/2027-Q1/regions/south.yaml @veraq",
    END,
]


class TestCodeowners:
    """Each region file to its owner's handle, the quarter file and folder to the plan owner."""

    def test_writes_the_block(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        result = planc_in(root, "codeowners")
        assert result.code == 0, result.stderr
        text = (root / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
        assert text.splitlines() == EXPECTED
        # sun (south's owner) has no github handle: said, and the plan owner stands in.
        assert "region south's owner sun has no github handle" in result.stderr

    def test_keeps_lines_outside_the_block_and_is_idempotent(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        target = root / ".github" / "CODEOWNERS"
        target.parent.mkdir()
        target.write_text("* @acme/admins\n/docs/ @acme/writers\n", encoding="utf-8")
        planc_in(root, "codeowners")
        first = target.read_text(encoding="utf-8")
        assert first.startswith("* @acme/admins\n/docs/ @acme/writers\n\n" + BEGIN + "\n")
        edit(root / NORTH, "github: nora-n}", "github: nora-north}")
        target.write_text(first + "# a line of our own after the block\n", encoding="utf-8")
        again = planc_in(root, "codeowners")
        assert again.code == 0
        text = target.read_text(encoding="utf-8")
        assert "/plans/2027-Q1/regions/north.yaml @nora-north\n" in text
        assert "@nora-n\n" not in text
        assert text.startswith("* @acme/admins\n/docs/ @acme/writers\n")
        assert text.endswith(END + "\n# a line of our own after the block\n")
        assert "up to date" in planc_in(root, "codeowners").stdout

    def test_check_mode(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        missing = planc_in(root, "codeowners", "--check")
        assert missing.code == 1
        assert "out of date" in missing.stderr
        assert not (root / ".github" / "CODEOWNERS").exists()
        planc_in(root, "codeowners")
        assert planc_in(root, "codeowners", "--check").code == 0

    def test_check_mode_names_the_command_with_the_same_folders_and_file(
        self, tmp_path: Path
    ) -> None:
        root = new_repo(tmp_path)
        given = ["plans/2027-Q1", "--output", "docs/OWNERS file"]
        (root / "docs").mkdir()
        stale = planc_in(root, "codeowners", *given, "--check")
        assert stale.code == 1
        assert stale.stderr.endswith(
            "docs/OWNERS file is out of date: run planc codeowners plans/2027-Q1 "
            "--output 'docs/OWNERS file'\n"
        )
        assert planc_in(root, "codeowners", *given).code == 0  # what the message says to run
        assert planc_in(root, "codeowners", *given, "--check").code == 0

    def test_existing_root_codeowners_is_used(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        (root / "CODEOWNERS").write_text("* @acme/admins\n", encoding="utf-8")
        planc_in(root, "codeowners")
        assert not (root / ".github").exists()
        assert (root / "CODEOWNERS").read_text(encoding="utf-8").count(BEGIN) == 1

    def test_outside_a_repository(self, tmp_path: Path) -> None:
        shutil.copytree(MINI, tmp_path / "plans" / "2027-Q1")
        result = planc_in(tmp_path, "codeowners")
        assert result.code == 2
        assert "not inside a git repository" in result.stderr

    def test_plan_that_cannot_be_read(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        (root / QUARTER / "quarter.yaml").write_text("planc: [\n", encoding="utf-8")
        result = planc_in(root, "codeowners")
        assert result.code == 2
        assert "cannot be read as a plan" in result.stderr
        git(root, "checkout", "-q", "--", ".")

    def test_paths_are_escaped(self) -> None:
        assert pattern("plans/Q1 2027/a#b.yaml") == "/plans/Q1\\ 2027/a\\#b.yaml"
        assert merge("a\r\nb\r\n", ["/x @y"]) == f"a\r\nb\r\n\r\n{BEGIN}\r\n/x @y\r\n{END}\r\n"
