"""``planc propose``: a branch, a commit of the plan files only, and a PR body, never touching
uncommitted work. Real repositories in tmp_path; every file is compared byte for byte."""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
from pathlib import Path

import pytest

from gitrepo import (
    ANN_MONTHS,
    NORTH,
    QUARTER,
    QUARTER_FILE,
    commit_all,
    edit,
    git,
    move_revenue,
    move_with_record,
    new_repo,
    planc_in,
    snapshot,
)
from planc.change.proposal import RecordText, add_record
from planc.core.loader import load_source
from planc.core.source import SourceFile

TEAM_EXPENSE = "\n        sales_expense: {value: 70000}"  # north-ent's, after its csat
TEAM_CSAT = "\n        csat: {value: 4.5}" + TEAM_EXPENSE
RECORD = ["--cause", "competitor", "--effective", "2027-02-15", "--date", "2027-02-14"]
NOTE = ["--note", "Northwind moved its order to a colleague."]


def state(root: Path) -> dict[str, object]:
    """Everything a user could lose: the work tree's bytes, the index, HEAD and its branch."""
    return {
        "files": snapshot(root),
        "status": git(root, "status", "--porcelain=v1", "--untracked-files=all"),
        "index": git(root, "ls-files", "--stage"),
        "head": git(root, "rev-parse", "HEAD"),
        "branch": git(root, "symbolic-ref", "--quiet", "HEAD", check=False),
        "stash": git(root, "stash", "list"),
    }


def dirty(root: Path) -> None:
    """Plan edits and unrelated work, tracked and untracked, side by side."""
    move_revenue(root)
    (root / "README.md").write_text("# Sales plans\n\nwork in progress\n", encoding="utf-8")
    (root / "scratch.txt").write_bytes(b"untracked \x00 bytes\r\n")
    (root / "notes").mkdir()
    (root / "notes" / "todo.md").write_text("- call Northwind\n", encoding="utf-8")


class TestPropose:
    """A proposal from a dirty work tree leaves every file, the index and HEAD as they were."""

    def test_dirty_tree_is_left_byte_identical(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        dirty(root)
        before = state(root)
        result = planc_in(root, "propose", *RECORD, *NOTE)
        assert result.code == 0, result.stderr
        assert state(root) == before
        assert "Created branch plan/2027-Q1-adj-002" in result.stdout
        assert "unchanged" in result.stdout

    def test_an_enforced_plan_gets_a_record_that_awaits_its_approver(self, tmp_path: Path) -> None:
        """With policy.approvals.enforce the new record has no approver yet: propose writes it,
        and check on the branch names who must approve (PLC620) until review adds them."""
        root = new_repo(tmp_path)
        text = (root / QUARTER_FILE).read_text(encoding="utf-8")
        text = text.replace("  approvals:\n", "  approvals:\n    enforce: true\n    tiers:\n")
        text = text.replace("\n    - {up_to", "\n      - {up_to").replace(
            "\n    - {approver", "\n      - {approver"
        )
        (root / QUARTER_FILE).write_text(text, encoding="utf-8")
        commit_all(root, "enforce the approval tiers")
        move_revenue(root)
        result = planc_in(root, "propose", *RECORD, *NOTE)
        assert result.code == 0, result.stderr
        git(root, "checkout", "-q", "--force", "plan/2027-Q1-adj-002")
        check = planc_in(root, "check", QUARTER)
        assert check.code == 1
        assert (
            "PLC620" in check.stdout
            and "ned (team owner of north-ent) must approve" in check.stdout
        )

    def test_the_branch_holds_only_the_plan_files_and_the_record(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        dirty(root)
        head = git(root, "rev-parse", "HEAD").strip()
        planc_in(root, "propose", *RECORD, *NOTE)
        branch = "plan/2027-Q1-adj-002"
        assert git(root, "rev-parse", f"{branch}^").strip() == head
        changed = git(root, "diff", "--name-only", head, branch).split()
        assert changed == [QUARTER_FILE, NORTH]
        assert git(root, "show", f"{branch}:{NORTH}") == (root / NORTH).read_text(encoding="utf-8")
        quarter = git(root, "show", f"{branch}:{QUARTER_FILE}")
        assert "  - id: ADJ-002\n    date: 2027-02-14\n    effective: 2027-02-15\n" in quarter
        assert "      - {target: ann/revenue, from: 550000, to: 560000}\n" in quarter
        assert "      - {target: bob/revenue, from: 550000, to: 540000}\n" in quarter
        # The proposal compiles: no error, no change without a record.
        check = planc_in(root, "check", QUARTER, "--rev", branch, "--base", "main")
        assert check.code == 0, check.stdout
        message = git(root, "log", "-1", "--format=%B", branch)
        # the cause as the PR comment names it (the catalog's word), and its summary sentence
        assert message.startswith("2027-Q1: ADJ-002 (Competitor) Northwind moved its order")
        assert "Revenue of $10,000 moves from Bob Ortiz to Ann Lee" in message
        assert message.rstrip("\n").endswith("\n\nProposed with planc propose.")

    def test_a_chinese_plan_gets_a_chinese_commit(self, tmp_path: Path) -> None:
        """The commit (and the pull request's title) speak the plan's language, as the PR
        comment does: the cause from the catalog in Chinese brackets, the summary sentence."""
        root = new_repo(tmp_path)
        edit(root / QUARTER_FILE, "currency: USD\nlocale: en", "currency: CNY\nlocale: zh-CN")
        commit_all(root, "a Chinese plan")
        move_revenue(root)
        result = planc_in(root, "propose", *RECORD, *NOTE)
        assert result.code == 0, result.stderr
        message = git(root, "log", "-1", "--format=%B", "plan/2027-Q1-adj-002")
        title, sentence, footer = message.rstrip("\n").split("\n\n")
        wide = "2027-Q1: ADJ-002（竞争对手）"  # noqa: RUF001 - Chinese brackets are meant
        assert title == f"{wide} Northwind moved its order to a colleague."
        assert "¥10,000" in sentence and "需要" in sentence, sentence
        assert footer == "由 `planc propose` 提出。"
        assert f"--title '{wide}" in result.stdout  # the pull request's title too

    def test_pr_body_is_the_markdown_impact(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        dirty(root)
        body = tmp_path / "body.md"
        result = planc_in(root, "propose", *RECORD, *NOTE, "--body-file", str(body))
        assert result.code == 0, result.stderr
        text = body.read_text(encoding="utf-8")
        assert text.startswith("<!-- planc:impact -->\n")
        assert "`ADJ-002` (Competitor)" in text
        assert "Northwind moved its order to a colleague\\." in text

    def test_default_body_file_is_inside_the_git_directory(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_revenue(root)
        before = state(root)
        planc_in(root, "propose", *RECORD, *NOTE)
        assert (root / ".git" / "planc" / "PR_BODY.md").is_file()
        assert state(root) == before

    def test_changes_already_recorded_need_no_flags(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_with_record(root)
        result = planc_in(root, "propose", "--branch", "north-move")
        assert result.code == 0, result.stderr
        assert git(root, "diff", "--name-only", "main", "north-move").split() == [
            QUARTER_FILE,
            NORTH,
        ]
        flags = planc_in(root, "propose", "--branch", "other", *RECORD, *NOTE)
        assert flags.code == 2
        assert "already has an adjustment record" in flags.stderr

    @pytest.mark.parametrize(
        ("old", "new", "why"),
        [
            (ANN_MONTHS, "months: [160000, 170000, 220000]", "no target value changed"),
            (TEAM_CSAT, TEAM_EXPENSE, "a removed target needs no adjustment record"),
        ],
        ids=["phasing", "removed"],
    )
    def test_nothing_to_record_says_why(self, tmp_path: Path, old: str, new: str, why: str) -> None:
        """Months moved inside Ann's quarter (its value unchanged), or a team's csat target
        removed: the flags have no change to record (a removal needs none), and the message
        must not claim a record that is not there."""
        root = new_repo(tmp_path)
        edit(root / NORTH, old, new)
        before = state(root)
        flags = planc_in(root, "propose", *RECORD, *NOTE)
        assert flags.code == 2
        assert why in flags.stderr
        assert "already has an adjustment record" not in flags.stderr
        assert state(root) == before
        plain = planc_in(root, "propose", "--branch", "edit")
        assert plain.code == 0, plain.stderr
        assert git(root, "diff", "--name-only", "main", "edit").split() == [NORTH]

    def test_a_new_quarter_needs_no_record_and_says_why(self, tmp_path: Path) -> None:
        """A quarter the base has not: its targets are new, not changed (no "no target
        value changed", no record claimed)."""
        root = new_repo(tmp_path)
        made = planc_in(root, "init", "2027-Q2")
        assert made.code == 0, made.stderr
        flags = planc_in(root, "propose", "plans/2027-Q2", *RECORD, *NOTE)
        assert flags.code == 2
        assert "plans/2027-Q2 is a new quarter (the base has none)" in flags.stderr
        assert "no target value changed" not in flags.stderr
        assert "already has an adjustment record" not in flags.stderr

    def test_a_base_that_does_not_compile_says_so(self, tmp_path: Path) -> None:
        """Nothing can be compared with a base plan that does not compile: not "no target
        value changed"."""
        root = new_repo(tmp_path)
        edit(root / QUARTER_FILE, "kind: quarter\n", "kind: quarterly\n")
        commit_all(root, "a broken quarter file")
        edit(root / QUARTER_FILE, "kind: quarterly\n", "kind: quarter\n")
        flags = planc_in(root, "propose", *RECORD, *NOTE)
        assert flags.code == 2
        assert "does not compile at the base" in flags.stderr
        assert "no target value changed" not in flags.stderr

    def test_a_new_region_file_and_a_deleted_one(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_with_record(root)
        (root / QUARTER / "regions" / "notes.txt").write_text("not a plan file\n", encoding="utf-8")
        result = planc_in(root, "propose", "--branch", "with-notes")
        assert result.code == 0, result.stderr
        files = git(root, "ls-tree", "-r", "--name-only", "with-notes").split()
        assert f"{QUARTER}/regions/notes.txt" not in files


class TestRefusals:
    """Refused with a clear message, and nothing created or touched."""

    def test_dirty_index(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        dirty(root)
        git(root, "add", "README.md")
        before = state(root)
        result = planc_in(root, "propose", *RECORD, *NOTE)
        assert result.code == 2
        assert "the index has staged changes (README.md)" in result.stderr
        assert state(root) == before
        assert git(root, "branch", "--list").split() == ["*", "main"]

    def test_branch_that_exists(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        dirty(root)
        git(root, "branch", "plan/2027-Q1-adj-002")
        before = state(root)
        result = planc_in(root, "propose", *RECORD, *NOTE)
        assert result.code == 2
        assert "a branch named 'plan/2027-Q1-adj-002' already exists" in result.stderr
        assert state(root) == before
        assert git(root, "rev-parse", "plan/2027-Q1-adj-002") == git(root, "rev-parse", "main")

    def test_invalid_branch_name(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_revenue(root)
        result = planc_in(root, "propose", *RECORD, *NOTE, "--branch", "bad..name")
        assert result.code == 2
        assert "not a valid branch name" in result.stderr

    @pytest.mark.parametrize("branch", ["refs/heads/main", "refs/remotes/origin/main", "@"])
    def test_a_branch_name_under_refs(self, tmp_path: Path, branch: str) -> None:
        """git takes refs/heads/main as a branch name (refs/heads/refs/heads/main), and then
        `git push origin refs/heads/main`, as printed, would push main itself; git takes @
        too, and `git push origin @` pushes HEAD, the branch checked out (fuzz17)."""
        root = new_repo(tmp_path)
        dirty(root)
        before = state(root)
        refs = git(root, "for-each-ref", "--format=%(refname)")
        result = planc_in(root, "propose", *RECORD, *NOTE, "--branch", branch)
        assert result.code == 2
        assert f"{branch!r} is not a valid branch name" in result.stderr
        assert state(root) == before
        assert git(root, "for-each-ref", "--format=%(refname)") == refs

    @pytest.mark.parametrize("target", [NORTH, "README.md", "scratch.txt"])
    def test_a_body_file_of_the_working_tree(self, tmp_path: Path, target: str) -> None:
        """--body-file naming the edited plan file wrote the PR body over the very edits
        being proposed (the same for any tracked or untracked file), while propose said the
        working tree was unchanged."""
        root = new_repo(tmp_path)
        dirty(root)
        before = state(root)
        refs = git(root, "for-each-ref", "--format=%(refname)")
        result = planc_in(root, "propose", *RECORD, *NOTE, "--body-file", target)
        assert result.code == 2
        assert f"--body-file {target} is a file of your working tree" in result.stderr
        assert state(root) == before
        assert git(root, "for-each-ref", "--format=%(refname)") == refs

    def test_a_new_body_file_in_the_working_tree_is_written(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        dirty(root)
        result = planc_in(root, "propose", *RECORD, *NOTE, "--body-file", "pr-body.md")
        assert result.code == 0, result.stderr
        assert (root / "pr-body.md").read_text(encoding="utf-8").startswith("<!-- planc:impact")

    def test_missing_record_lists_the_changes_and_the_command(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        dirty(root)
        before = state(root)
        result = planc_in(root, "propose")
        assert result.code == 1
        assert "2 changed target(s) have no adjustment record" in result.stderr
        assert (
            f"{NORTH}:27:22: Ann Lee · Revenue (ann/revenue) changed from 550,000 to 560,000"
            in result.stderr
        )
        assert "planc propose --cause market --effective" in result.stderr
        assert state(root) == before
        partial = planc_in(root, "propose", "--cause", "market")
        assert "--effective, --note" in partial.stderr

    def test_effective_date_outside_the_quarter(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_revenue(root)
        result = planc_in(root, "propose", "--cause", "market", "--effective", "2027-05-01", *NOTE)
        assert result.code == 2
        assert "outside 2027-Q1" in result.stderr
        bad = planc_in(root, "propose", "--cause", "market", "--effective", "soon", *NOTE)
        assert bad.code == 2
        assert "is not a date" in bad.stderr

    def test_plan_that_does_not_compile(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_with_record(root)
        edit(root / NORTH, "months: [150000, 180000, 230000]", "months: [1, 2, 3]")
        before = state(root)
        result = planc_in(root, "propose")
        assert result.code == 1
        assert "PLC303" in result.stderr
        assert "has errors; fix them first" in result.stderr
        assert state(root) == before

    def test_nothing_to_propose(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        (root / "README.md").write_text("changed, but not a plan file\n", encoding="utf-8")
        result = planc_in(root, "propose")
        assert result.code == 2
        assert "nothing to propose" in result.stderr

    def test_merge_in_progress(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_revenue(root)
        (root / ".git" / "MERGE_HEAD").write_text(git(root, "rev-parse", "HEAD"), encoding="utf-8")
        result = planc_in(root, "propose", *RECORD, *NOTE)
        assert result.code == 2
        assert "a merge is in progress" in result.stderr

    def test_open_without_gh(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_revenue(root)
        only_git = tmp_path / "only-git"
        only_git.mkdir()
        (only_git / "git").symlink_to(shutil.which("git") or "/usr/bin/git")
        before = state(root)
        result = planc_in(root, "propose", *RECORD, *NOTE, "--open", env={"PATH": str(only_git)})
        assert result.code == 2
        assert "--open needs the GitHub CLI `gh` on PATH" in result.stderr
        assert state(root) == before
        assert git(root, "branch", "--list").split() == ["*", "main"]

    def test_without_git(self, tmp_path: Path) -> None:
        root = new_repo(tmp_path)
        move_revenue(root)
        result = planc_in(root, "propose", *RECORD, *NOTE, env={"PATH": str(tmp_path / "none")})
        assert result.code == 2
        assert "planc needs the git command" in result.stderr


class TestOpen:
    """--open pushes the branch and runs gh pr create with the body file."""

    @pytest.fixture
    def fake_gh(self, tmp_path: Path) -> Path:
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        log = tmp_path / "gh.json"
        script = bin_dir / "gh"
        script.write_text(
            f"#!{sys.executable}\n"
            "import json, sys\n"
            f"open({str(log)!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
            "print('https://github.com/acme/sales/pull/7')\n",
            encoding="utf-8",
        )
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
        return bin_dir

    def test_open_pushes_and_creates_the_pull_request(self, tmp_path: Path, fake_gh: Path) -> None:
        root = new_repo(tmp_path)
        remote = tmp_path / "remote.git"
        git(tmp_path, "init", "-q", "--bare", str(remote))
        git(root, "remote", "add", "origin", str(remote))
        git(root, "push", "-q", "origin", "main")
        git(root, "remote", "set-head", "origin", "main")
        dirty(root)
        before = state(root)
        env = {"PATH": f"{fake_gh}{os.pathsep}{os.environ['PATH']}"}
        result = planc_in(root, "propose", *RECORD, *NOTE, "--open", env=env)
        assert result.code == 0, result.stderr
        assert "Opened https://github.com/acme/sales/pull/7" in result.stdout
        args = json.loads((tmp_path / "gh.json").read_text(encoding="utf-8"))
        assert args[:4] == ["pr", "create", "--head", "plan/2027-Q1-adj-002"]
        assert args[args.index("--base") + 1] == "main"
        assert args[args.index("--title") + 1].startswith("2027-Q1: ADJ-002 (Competitor)")
        body = Path(args[args.index("--body-file") + 1])
        assert body.read_text(encoding="utf-8").startswith("<!-- planc:impact -->")
        pushed = git(remote, "rev-parse", "plan/2027-Q1-adj-002").strip()
        assert pushed == git(root, "rev-parse", "plan/2027-Q1-adj-002").strip()
        assert state(root) == before


class TestRecordText:
    """The record is appended to the quarter file with every other byte kept."""

    RECORD = RecordText(
        "ADJ-009",
        __import__("datetime").date(2027, 2, 14),
        __import__("datetime").date(2027, 2, 15),
        "market",
        'A "quoted" note: with a colon, # a hash and 中文',
        ("nora",),
        [
            (
                "bob/revenue",
                __import__("decimal").Decimal("550000"),
                __import__("decimal").Decimal("540000.5"),
            )
        ],
    )

    @pytest.mark.parametrize(
        ("before", "after"),
        [
            pytest.param(
                "planc: 1\nadjustments:\n  - id: A\n    note: x\n# trailing comment\nother: 1\n",
                "planc: 1\nadjustments:\n  - id: A\n    note: x\n"
                "  - id: ADJ-009\n    date: 2027-02-14\n",
                id="block-list",
            ),
            pytest.param(
                "planc: 1\nadjustments:\n- id: A\n  note: x\n",
                "planc: 1\nadjustments:\n- id: A\n  note: x\n- id: ADJ-009\n",
                id="indentless-list",
            ),
            pytest.param(
                "planc: 1\nadjustments: []\nother: 1\n",
                "planc: 1\nadjustments:\n  - id: ADJ-009",
                id="flow-empty",
            ),
            pytest.param(
                "planc: 1\nadjustments:\nother: 1\n",
                "planc: 1\nadjustments:\n  - id: ADJ-009",
                id="null",
            ),
            pytest.param(
                "planc: 1\nother: 1",
                "planc: 1\nother: 1\nadjustments:\n  - id: ADJ-009",
                id="absent",
            ),
            pytest.param(
                "planc: 1\r\nadjustments: []\r\n",
                "planc: 1\r\nadjustments:\r\n  - id: ADJ-009\r\n",
                id="crlf",
            ),
        ],
    )
    def test_shapes(self, before: str, after: str) -> None:
        data = add_record(before.encode("utf-8"), self.RECORD)
        text = data.decode("utf-8")
        assert text.startswith(after)
        if "# trailing comment" in before:
            assert text.endswith("# trailing comment\nother: 1\n")
        loaded = load_source(SourceFile("q.yaml", data))
        assert loaded.data is not None, loaded.diagnostics
        [record] = [a for a in loaded.data["adjustments"] if a["id"] == "ADJ-009"]
        assert record["note"] == self.RECORD.note
        assert str(record["changes"][0]["to"]) == "540000.5"
        assert record["approved_by"] == ["nora"]

    def test_flow_list_with_items_is_refused(self) -> None:
        with pytest.raises(ValueError, match="flow list"):
            add_record(b"adjustments: [{id: A}]\n", self.RECORD)


def test_commit_changes_nothing_when_the_plan_is_committed(tmp_path: Path) -> None:
    """After the proposal is merged back, proposing again finds nothing (no empty branch)."""
    root = new_repo(tmp_path)
    move_with_record(root)
    commit_all(root, "move")
    result = planc_in(root, "propose")
    assert result.code == 2
    assert "nothing to propose" in result.stderr


class TestAHugeFileAtHead:
    """A file of HEAD (a branch's, its author's to fill) is compared with the work tree's
    without being read whole: a blob over the bound is never held in memory."""

    BIG = 48 << 20

    def test_is_not_read_to_see_that_the_work_tree_differs(self, tmp_path: Path) -> None:
        import tracemalloc

        from planc.change.proposal import _differs_from, _plan_contents
        from planc.core.gitsource import Repository

        root = new_repo(tmp_path)
        big = root / QUARTER / "regions" / "zz-big.yaml"
        big.write_bytes(b"planc: 1\n" + b"#" * self.BIG)
        sha = commit_all(root, "a huge region file")
        big.write_bytes(b"planc: 1\n# small again\n")
        repo = Repository.open(root)
        contents = _plan_contents(repo, QUARTER)
        tracemalloc.start()
        try:
            differs = _differs_from(repo, sha, contents)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert differs
        assert peak < self.BIG // 8, peak
        big.unlink()  # gone from the work tree: differs, unread too
        assert _differs_from(repo, sha, _plan_contents(repo, QUARTER))
        git(root, "checkout", "--", ".")
        assert not _differs_from(repo, sha, _plan_contents(repo, QUARTER))

    def test_over_the_bound_is_a_clear_message(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from planc.core.files import FileTooLarge
        from planc.core.gitsource import Repository

        root = new_repo(tmp_path)
        monkeypatch.chdir(root)  # the file is shown from here
        sha = git(root, "rev-parse", "HEAD").strip()
        repo = Repository.open(root)
        path = f"{QUARTER}/regions/north.yaml"
        size = (root / path).stat().st_size
        assert repo.read_head_blob(sha, path, size) == (root / path).read_bytes()
        with pytest.raises(FileTooLarge) as raised:
            repo.read_head_blob(sha, path, 100)
        assert str(raised.value) == (
            f"{path} is {size:,} bytes at {sha[:7]}, over the bound of 100"
        )
        assert repo.read_head_blob(sha, f"{QUARTER}/regions/none.yaml", 100) is None
        assert repo.read_head_blob(sha, f"{QUARTER}/regions", 100) is None
