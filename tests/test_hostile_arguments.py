"""Hostile command-line arguments and folders through the real CLI: a clear usage error, never
a traceback, never the argument echoed whole.

Findings of the fuzz18 helper, one class per finding.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO, Run, run_planc
from gitrepo import QUARTER, new_repo
from planc.cli.options import echoed_safely
from planc.core.safetext import ARGUMENT_LIMIT, argument

LONG = "x" * 5000


def usage_error(result: Run) -> str:
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stderr
    assert result.code == 2, result.stderr
    return result.stderr


class TestALongArgumentIsEchoedShortened:
    """A 5,000-character --rev, explain code, node id or option value was echoed whole in
    the error message (5 KB of one line). Every echo goes through one helper now: its start
    and end, its length, control characters escaped."""

    def test_the_helper(self) -> None:
        assert argument("PLC999") == "'PLC999'"
        assert argument("main", quotes=False) == "main"
        shortened = argument(LONG)
        assert shortened.endswith("' (5,000 characters)") and "…" in shortened
        assert len(shortened) < ARGUMENT_LIMIT + 30
        assert argument("a\x1b[31mb") == "'a\\x1b[31mb'"
        assert argument("a\x1b[31mb", quotes=False) == "a\\x1b[31mb"

    def test_a_message_that_holds_an_argument_whole_is_shortened_too(self) -> None:
        said = echoed_safely(f"'{LONG}' is not one of 'a', 'b' (got {LONG})", [LONG, "-f"])
        assert LONG not in said and len(said) < 300
        assert said.startswith("'xxx") and "(5,000 characters)" in said
        assert echoed_safely("bad \x1b]0;title\x07 value", []) == "bad \\x1b]0;title\\x07 value"
        path = "/tmp/" + "p" * 150 + "/report.out"  # a path the user must see whole
        assert echoed_safely(f"{path} sits under a file", [path]) == f"{path} sits under a file"

    @pytest.mark.parametrize(
        "args",
        [
            ("check", "{plan}", "--rev", LONG),
            ("check", "--rev", LONG),
            ("diff", "--base", "y" * 200),
            ("explain", LONG),
            ("explain", "x" * 200 + "\x1b[2J"),
            ("check", "{plan}", "--format", LONG),
            ("allocate", "{plan}", "--node", LONG, "--metric", "revenue"),
            ("allocate", "{plan}", "--node", "north", "--metric", LONG),
            ("allocate", "{plan}", "--node", "north", "--metric", "revenue", "--uplift", LONG),
            ("init", LONG),
            ("track", "{plan}", "--as-of", LONG),
        ],
        ids=[
            "check-rev",
            "check-rev-default-folders",
            "diff-base",
            "explain",
            "explain-escape",
            "click-choice",
            "allocate-node",
            "allocate-metric",
            "allocate-number",
            "init",
            "track-as-of",
        ],
    )
    def test_is_a_short_usage_error(self, git_plan: Path, args: tuple[str, ...]) -> None:
        given = [a.replace("{plan}", str(git_plan)) for a in args]
        said = usage_error(run_planc(*given, cwd=git_plan.parent.parent))
        assert "x" * 100 not in said and "y" * 100 not in said
        assert "characters)" in said
        assert "\x1b" not in said
        assert len(said) < 600

    def test_an_approved_ref_missing_is_shortened_in_the_report(self, git_plan: Path) -> None:
        result = run_planc("diff", "--approved", "z" * 200, git_plan, cwd=git_plan.parent.parent)
        assert result.code == 0, result.stderr
        assert "z" * 100 not in result.stdout
        assert "is not in this clone" in result.stdout


class TestAComponentWeightedTwice:
    """``--weights last_year=1,last_year=2`` took the last weight without a word (and so
    did import's ``--roster-columns``/``--unit`` with a name given twice): a usage error
    naming it now."""

    def test_allocate(self, git_plan: Path) -> None:
        said = usage_error(
            run_planc(
                "allocate",
                git_plan,
                "--node",
                "north",
                "--metric",
                "revenue",
                "--method",
                "blend",
                "--weights",
                "last_year=1, capacity=2,last_year =3",
            )
        )
        assert "--weights: 'last_year' is given twice" in said

    def test_init(self, git_plan: Path) -> None:
        said = usage_error(
            run_planc(
                "init",
                "2027-Q2",
                "--from",
                git_plan,
                "--method",
                "blend",
                "--weights",
                "even=1,even=2",
            )
        )
        assert "--weights: 'even' is given twice" in said
        assert not (git_plan.parent / "2027-Q2").exists()

    def test_distinct_components_still_blend(self, git_plan: Path) -> None:
        result = run_planc(
            "allocate",
            git_plan,
            "--node",
            "north",
            "--metric",
            "revenue",
            "--method",
            "blend",
            "--weights",
            "even=1,capacity=1",
        )
        assert result.code == 0, result.stderr

    @pytest.mark.parametrize(
        ("option", "value", "name"),
        [("--roster-columns", "rep=Name,rep=Agent", "rep"), ("--unit", "revenue=count", "revenue")],
    )
    def test_import_mappings(self, tmp_path: Path, option: str, value: str, name: str) -> None:
        twice = (
            [option, value] if option != "--unit" else [option, value, option, "revenue=currency"]
        )
        said = usage_error(
            run_planc(
                "import",
                tmp_path / "plans" / "2027-Q1",
                "--roster",
                REPO / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_teams.csv",
                "--quotas",
                REPO / "examples" / "quotas-2017-Q4.csv",
                "--owner",
                "A",
                "--company",
                "B",
                *twice,
            )
        )
        assert f"{option}: '{name}' is given twice" in said
        assert not (tmp_path / "plans").exists()


class TestANewQuarterFolderThatIsADanglingLink:
    """A new quarter's folder (or the folder above it) that is a symbolic link to something
    missing failed after the work with the OS's words ("cannot create plans/2027-Q2: Not a
    directory", "File exists"). It is a usage error before any work now, naming the link,
    where it points and what to do; the link is never followed."""

    def roster_args(self) -> list[str | Path]:
        return [
            "--roster",
            REPO / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_teams.csv",
            "--quotas",
            REPO / "examples" / "quotas-2017-Q4.csv",
            "--owner",
            "A",
            "--company",
            "B",
        ]

    def test_init(self, mini_plan: Path, tmp_path: Path) -> None:
        link = mini_plan.parent / "2027-Q2"
        link.symlink_to(tmp_path / "gone")
        said = usage_error(run_planc("init", link, "--from", mini_plan))
        assert f"{link} is a symbolic link to {tmp_path / 'gone'}, which does not exist" in said
        assert f"rm {link}" in said
        assert link.is_symlink() and not (tmp_path / "gone").exists()

    def test_import(self, tmp_path: Path) -> None:
        link = tmp_path / "plans" / "2017-Q4"
        link.parent.mkdir()
        link.symlink_to(tmp_path / "gone")
        said = usage_error(run_planc("import", link, *self.roster_args()))
        assert f"{link} is a symbolic link to {tmp_path / 'gone'}, which does not exist" in said
        assert not (tmp_path / "gone").exists()

    def test_import_under_a_dangling_plans_folder(self, tmp_path: Path) -> None:
        plans = tmp_path / "plans"
        plans.symlink_to(tmp_path / "gone")
        said = usage_error(run_planc("import", plans / "2017-Q4", *self.roster_args()))
        assert f"{plans}, above {plans / '2017-Q4'}, is a symbolic link to" in said
        assert not (tmp_path / "gone").exists()

    def test_write_quarter_refuses_it_too(self, tmp_path: Path) -> None:
        from planc.allocate.rollforward import InitError, write_quarter

        link = tmp_path / "2027-Q2"
        link.symlink_to(tmp_path / "gone")
        with pytest.raises(InitError, match="is a symbolic link to"):
            write_quarter(link, {"quarter.yaml": "kind: quarter\n"})
        assert not (tmp_path / "gone").exists()


class TestAnEmptyDataPathForComment:
    """``planc comment --data-path ""`` (an unset variable in the workflow) made every file
    plan data: a pull request that also changed a workflow got the trusted report instead
    of the notice. A usage error now, before the event or the API is read."""

    @pytest.mark.parametrize("prefix", ["", "  "])
    def test_is_a_usage_error(self, tmp_path: Path, prefix: str) -> None:
        report = tmp_path / "impact.md"
        report.write_text("x", encoding="utf-8")
        said = usage_error(
            run_planc("comment", report, "--data-path", "plans/", "--data-path", prefix)
        )
        assert "--data-path is empty" in said


class TestATreeTakenForAQuarterFolder:
    """A quarter file shown to the language server at the top of a whole tree (``/``, a
    home folder) made that tree the quarter: every folder under it walked and every .yaml
    in it read, on each compile (23 s over this machine's ``/``; ``planc check /`` the
    same). Past :data:`MAX_FOLDERS` folders the walk stops: one PLC011, nothing read."""

    def test_check_says_so_and_reads_nothing(self, mini_plan: Path) -> None:
        from planc.core.pipeline import MAX_FOLDERS

        for index in range(MAX_FOLDERS):
            (mini_plan / "tree" / f"f{index:04}").mkdir(parents=True)
        result = run_planc("check", mini_plan, "--format", "json")
        assert result.code == 1, result.stderr
        (found,) = result.json()["diagnostics"]
        assert found["code"] == "PLC011"
        assert f"holds more than {MAX_FOLDERS:,} folders" in found["message"]

    def test_a_plan_at_the_bound_is_read(self, mini_plan: Path) -> None:
        from planc.core.pipeline import MAX_FOLDERS

        for index in range(MAX_FOLDERS - 3):  # the quarter folder, regions/ and tree/ count
            (mini_plan / "tree" / f"f{index:04}").mkdir(parents=True)
        result = run_planc("check", mini_plan)
        assert result.code == 0, result.stdout

    def test_the_language_servers_signature_stops_too(self, tmp_path: Path) -> None:
        from planc.core.pipeline import MAX_FOLDERS
        from planc.lsp.session import folder_signature

        for index in range(MAX_FOLDERS):
            (tmp_path / f"f{index:04}").mkdir()
        assert folder_signature(tmp_path) is None
        assert folder_signature(tmp_path / "f0000") is not None


@pytest.fixture
def git_plan(tmp_path: Path) -> Path:
    """The mini plan as plans/2027-Q1 of a git repository with one commit."""
    return new_repo(tmp_path) / QUARTER
