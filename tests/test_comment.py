"""``planc comment``: the sticky impact comment, which no pull request can forge or misdirect.

The pull request comes from the trusted event, never from the report artifact;
the report is re-checked as untrusted text; only the bot's own marked comment
is ever edited. Run against a stand-in for GitHub's API (tests/fakegithub.py),
in process and over HTTP on 127.0.0.1 through the real command line.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fakegithub import (
    BOT,
    REPOSITORY,
    FakeClient,
    FakeGitHub,
    pull_request_event,
    serve,
    sha,
    workflow_run_event,
)
from gitrepo import NORTH, commit_all, edit, move_with_record, new_repo, planc_in
from planc.change.comment import (
    Outcome,
    Settings,
    Trigger,
    UntrustedReport,
    publish,
    read_claim,
    read_report,
    report_problems,
    trigger_from_event,
)
from planc.change.impact_report import COMMENT_BUDGET, MARKER

HEAD = sha("a")
VICTIM_HEAD = sha("b")
HOSTILE = "@everyone <img src=x onerror=alert(1)> [x](http://evil) `tick` | pipe #1 www.evil.com"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A real impact comment from planc diff, with hostile names in the plan."""
    root = new_repo(tmp_path_factory.mktemp("comment"))
    quoted = json.dumps(HOSTILE)
    edit(root / NORTH, "name: Ann Lee,", f"name: {quoted},")
    edit(root / NORTH, "  name: North\n", f"  name: {quoted}\n")
    commit_all(root, "hostile names")
    move_with_record(root, note=quoted)
    result = planc_in(root, "diff", "--format", "markdown")
    assert result.code == 0, result.stderr
    return result.stdout


def run(
    fake: FakeGitHub,
    event: dict[str, Any],
    body: str | Callable[[], str],
    claim: int | None = None,
    event_name: str = "workflow_run",
) -> Outcome:
    trigger = trigger_from_event(event_name, event, fake.repository)

    def read() -> str:
        return body() if callable(body) else body

    return publish(FakeClient(fake), trigger, read, lambda: claim, Settings())


def comment_on(fake: FakeGitHub, number: int) -> str:
    [body] = [c["body"] for c in fake.comments[number] if c["user"] == BOT]
    return str(body)


class TestThePullRequestComesFromTheEvent:
    """The run's own pull request gets the comment; a number in the artifact only cross-checks."""

    def test_posts_then_updates_the_same_comment(self, report: str) -> None:
        fake = FakeGitHub()
        fake.add_pull(7, HEAD)
        first = run(fake, workflow_run_event(HEAD, listed=(7,)), report, claim=7)
        assert (first.status, first.pull_request, first.exit_code) == ("created", 7, 0)
        second = run(fake, workflow_run_event(HEAD, listed=(7,)), report, claim=7)
        assert second.status == "updated"
        assert len(fake.comments[7]) == 1
        posted = comment_on(fake, 7)
        assert posted.startswith(report)
        assert f"Posted for commit `{HEAD[:12]}` by workflow run 4242." in posted

    def test_a_forged_number_is_refused_and_the_other_pull_request_is_untouched(
        self, report: str
    ) -> None:
        """The artifact says #1; the run was for #7: #1 is never written, #7 says why."""
        fake = FakeGitHub()
        fake.add_pull(1, VICTIM_HEAD, branch="victim")
        victims = fake.add_comment(1, MARKER + "\nthe real impact of #1\n")
        fake.add_pull(7, HEAD)
        outcome = run(fake, workflow_run_event(HEAD, listed=(7,)), report, claim=1)
        assert (outcome.status, outcome.exit_code) == ("refused", 1)
        assert "says it is for pull request 1, but the run was for 7" in outcome.message
        assert fake.bodies(1) == [MARKER + "\nthe real impact of #1\n"]
        assert ("PATCH", f"/repos/{REPOSITORY}/issues/comments/{victims}") not in fake.writes()
        notice = comment_on(fake, 7)
        assert "impact report refused" in notice
        assert report not in notice
        assert report_problems(notice.split("\n<sub>Posted")[0]) == []  # no #1 link, no mention

    def test_a_fork_pull_request_is_found_by_its_head(self, report: str) -> None:
        """A fork's run lists no pull requests: the open one with the run's head commit from
        the fork's repository gets the comment."""
        fake = FakeGitHub()
        fake.add_pull(9, HEAD, head_repo="outsider/sales", branch="patch-1")
        event = workflow_run_event(HEAD, head_repo="outsider/sales", branch="patch-1")
        outcome = run(fake, event, report, claim=9)
        assert (outcome.status, outcome.pull_request) == ("created", 9)
        assert comment_on(fake, 9).startswith(MARKER)

    def test_a_fork_pull_request_cannot_write_on_another(self, report: str) -> None:
        fake = FakeGitHub()
        fake.add_pull(1, VICTIM_HEAD, branch="victim")
        fake.add_pull(9, HEAD, head_repo="outsider/sales", branch="patch-1")
        event = workflow_run_event(HEAD, head_repo="outsider/sales", branch="patch-1")
        outcome = run(fake, event, report, claim=1)
        assert outcome.status == "refused"
        assert fake.bodies(1) == []
        assert "impact report refused" in comment_on(fake, 9)

    def test_a_fork_that_pushes_someone_elses_commit_gets_only_its_own(self, report: str) -> None:
        """Commits are public: an outsider can open a pull request whose head is the victim's
        commit. The run's head repository tells them apart."""
        fake = FakeGitHub()
        fake.add_pull(5, HEAD, head_repo="victim/sales", branch="patch-1")
        fake.add_pull(9, HEAD, head_repo="outsider/sales", branch="patch-1")
        event = workflow_run_event(HEAD, head_repo="outsider/sales", branch="patch-1")
        assert run(fake, event, report, claim=5).status == "refused"
        assert fake.bodies(5) == []
        assert run(fake, event, report, claim=9).pull_request == 9

    def test_without_a_claim_the_events_pull_request_is_used(self, report: str) -> None:
        fake = FakeGitHub()
        fake.add_pull(7, HEAD)
        assert run(fake, workflow_run_event(HEAD, listed=(7,)), report).pull_request == 7

    def test_one_commit_in_two_pull_requests_needs_the_claim(self, report: str) -> None:
        fake = FakeGitHub()
        fake.add_pull(7, HEAD)
        fake.add_pull(8, HEAD)
        event = workflow_run_event(HEAD, listed=(7, 8))
        unnamed = run(fake, event, report)
        assert (unnamed.status, fake.writes()) == ("refused", [])
        assert run(fake, event, report, claim=8).pull_request == 8

    def test_a_stale_run_posts_nothing(self, report: str) -> None:
        """The pull request was pushed to again: the newer run's report is the one to show."""
        fake = FakeGitHub()
        fake.add_pull(7, sha("c"))
        outcome = run(fake, workflow_run_event(HEAD, listed=(7,)), report, claim=7)
        assert (outcome.status, outcome.exit_code, fake.writes()) == ("skipped", 0, [])

    def test_a_closed_pull_request_gets_nothing(self, report: str) -> None:
        fake = FakeGitHub()
        fake.add_pull(7, HEAD, state="closed")
        assert run(fake, workflow_run_event(HEAD, listed=(7,)), report).status == "skipped"
        assert fake.writes() == []

    def test_the_action_uses_its_own_pull_request(self, report: str) -> None:
        fake = FakeGitHub()
        fake.add_pull(7, HEAD, files=("plans/x.yaml", "src/planc/evil.py"))
        outcome = run(fake, pull_request_event(7, HEAD), report, event_name="pull_request")
        assert (outcome.status, outcome.pull_request) == ("created", 7)

    @pytest.mark.parametrize(
        ("name", "event", "message"),
        [
            ("push", {}, "not push"),
            ("workflow_run", {"workflow_run": {"event": "push"}}, "not a pull request"),
            ("workflow_run", workflow_run_event("not-a-sha"), "not a commit id"),
            ("pull_request", {"pull_request": {"number": "7"}}, "no pull_request.head"),
        ],
        ids=["push", "run-of-a-push", "bad-sha", "bad-pull-request"],
    )
    def test_an_event_planc_cannot_use(
        self, name: str, event: dict[str, Any], message: str
    ) -> None:
        from planc.change.comment import CommentError

        with pytest.raises(CommentError, match=message):
            trigger_from_event(name, event, REPOSITORY)


class TestOnlyTheBotsOwnCommentIsEdited:
    """A comment by anyone else that carries planc's marker is left as it is."""

    def test_foreign_comments_with_the_marker_are_left_alone(self, report: str) -> None:
        fake = FakeGitHub()
        fake.add_pull(7, HEAD)
        by_user = MARKER + "\nI wrote this myself.\n"
        by_other_bot = MARKER + "\nAnother app wrote this.\n"
        fake.add_comment(7, by_user, {"login": "mallory", "type": "User"})
        fake.add_comment(7, by_other_bot, {"login": "other-app[bot]", "type": "Bot"})
        fake.add_comment(7, "github-actions[bot] without the marker", BOT)
        outcome = run(fake, workflow_run_event(HEAD, listed=(7,)), report, claim=7)
        assert outcome.status == "created"
        assert "2 comment(s) by others carrying the marker left alone" in outcome.message
        bodies = fake.bodies(7)
        assert bodies[:3] == [by_user, by_other_bot, "github-actions[bot] without the marker"]
        assert bodies[3].startswith(report)
        assert [m for m, _ in fake.writes()] == ["POST"]

    def test_a_user_impersonating_the_bots_login_is_not_the_bot(self, report: str) -> None:
        fake = FakeGitHub()
        fake.add_pull(7, HEAD)
        fake.add_comment(7, MARKER + "\nfake\n", {"login": "github-actions[bot]", "type": "User"})
        assert run(fake, workflow_run_event(HEAD, listed=(7,)), report).status == "created"
        assert fake.bodies(7)[0] == MARKER + "\nfake\n"


class TestTheReportIsUntrustedText:
    """Anything planc would not write is refused, and the pull request's comment says so."""

    def test_planc_reports_pass(self, report: str) -> None:
        """The real comment, hostile plan text included, passes the re-check."""
        assert HOSTILE not in report
        assert report_problems(report) == []

    def test_a_folded_report_with_errors_passes(self, tmp_path: Path) -> None:
        """2,000 changed targets without records: errors listed, detail folded to fit."""
        import re
        import subprocess
        import sys

        from conftest import REPO
        from gitrepo import QUARTER, git

        root = tmp_path / "big"
        plan = root / QUARTER
        subprocess.run(
            [sys.executable, str(REPO / "bench" / "generate.py"), "2000", str(plan), "--seed", "3"],
            check=True,
            capture_output=True,
        )
        git(tmp_path, "init", "-q", "-b", "main", str(root))
        commit_all(root, "a 2,000-rep plan")
        share = re.compile(r"(key_product_share: \{value: )(\d+)\}")
        for region in (plan / "regions").glob("*.yaml"):
            text = region.read_text(encoding="utf-8")
            region.write_text(share.sub(lambda m: f"{m[1]}{int(m[2]) + 1}}}", text), "utf-8")
        result = planc_in(root, "diff", "--format", "markdown")
        assert result.code == 1, result.stderr
        assert "Shortened" in result.stdout
        assert report_problems(result.stdout) == []

    @pytest.mark.parametrize(
        ("forged", "problem"),
        [
            ("ping @everyone", "an @mention"),
            ("ping \\@everyone", "an @mention"),
            ("ping &#64;everyone", "an @mention"),
            ("<details><summary>`@everyone`</summary>", "an @mention"),
            ("see #1", "an issue reference"),
            ("see &#35;1", "an issue reference"),
            ("see GH-1", "an issue reference"),
            ("see gh\\-1", "an issue reference"),
            ("[approved](https://evil.example)", "a markdown link or image"),
            ("[approved][1]\n\n[1]: https://evil.example", "a markdown link or image"),
            ("![x](y)", "a markdown link or image"),
            ('<img src="https://evil.example/x.png">', "raw HTML that planc does not write"),
            ("<a href=x>approve</a>", "raw HTML that planc does not write"),
            ("<!-- hidden -->", "raw HTML that planc does not write"),
            ("<https://evil.example>", "raw HTML that planc does not write"),
            ("go to https://evil.example", "a bare URL"),
            ("go to www.evil.example", "a bare URL"),
            ("all \u202eclear", "control or bidi characters"),
        ],
    )
    def test_forged_content_is_named(self, report: str, forged: str, problem: str) -> None:
        problems = report_problems(report + "\n" + forged + "\n")
        assert any(p.startswith(problem) for p in problems), problems

    def test_mentions_inside_code_are_inert(self) -> None:
        assert report_problems(MARKER + "\n\n| `@neds` | `#12` |\n") == []

    def test_without_the_marker(self) -> None:
        assert report_problems("### looks like planc\n") == [
            f"it does not start with planc's marker {MARKER}"
        ]

    def test_an_oversized_report_is_refused(self, report: str) -> None:
        fake = FakeGitHub()
        fake.add_pull(7, HEAD)
        fake.add_comment(7, MARKER + "\nthe previous, valid report\n")
        huge = MARKER + "\n" + "x" * COMMENT_BUDGET

        def oversized() -> str:
            problems = report_problems(huge)
            raise UntrustedReport("; ".join(problems))

        outcome = run(fake, workflow_run_event(HEAD, listed=(7,)), oversized, claim=7)
        assert (outcome.status, outcome.exit_code) == ("refused", 1)
        assert f"planc's comments stay under {COMMENT_BUDGET:,}" in outcome.message
        notice = comment_on(fake, 7)
        assert "impact report refused" in notice and "the previous, valid report" not in notice

    def test_read_report_refuses_what_is_not_a_regular_utf8_file(self, tmp_path: Path) -> None:
        good = tmp_path / "impact.md"
        good.write_text(MARKER + "\nfine\n", encoding="utf-8")
        assert read_report(good) == MARKER + "\nfine\n"
        link = tmp_path / "link.md"
        link.symlink_to(good)
        with pytest.raises(UntrustedReport, match="not a regular file"):
            read_report(link)
        binary = tmp_path / "binary.md"
        binary.write_bytes(MARKER.encode() + b"\n\xff\xfe")
        with pytest.raises(UntrustedReport, match="not UTF-8"):
            read_report(binary)
        big = tmp_path / "big.md"
        big.write_bytes(b"x" * (COMMENT_BUDGET * 4 + 2))
        with pytest.raises(UntrustedReport, match="more than planc ever writes"):
            read_report(big)
        with pytest.raises(UntrustedReport, match=r"has no missing\.md"):
            read_report(tmp_path / "missing.md")

    @pytest.mark.parametrize("text", ["7 ", "0", "-1", "7; rm", "\uff11", "", "9" * 40])
    def test_a_claim_must_be_a_plain_number(self, tmp_path: Path, text: str) -> None:
        path = tmp_path / "pr-number"
        path.write_text(text, encoding="utf-8")
        if text == "7 ":
            assert read_claim(path) == 7
            return
        with pytest.raises(UntrustedReport):
            read_claim(path)


class TestReportsBuiltByChangedCode:
    """A pull request that changes more than plans ran its own workflow and planc: withheld."""

    def test_a_changed_workflow_withholds_the_report(self, report: str) -> None:
        fake = FakeGitHub()
        files = ("plans/2027-Q1/regions/north.yaml", ".github/workflows/impact.yml")
        fake.add_pull(7, HEAD, files=files)
        outcome = run(fake, workflow_run_event(HEAD, listed=(7,)), report, claim=7)
        assert (outcome.status, outcome.exit_code) == ("withheld", 0)
        notice = comment_on(fake, 7)
        assert "impact withheld" in notice
        assert "- `.github/workflows/impact.yml`" in notice
        assert report not in notice

    def test_a_rename_out_of_plans_counts(self, report: str) -> None:
        fake = FakeGitHub()
        fake.add_pull(7, HEAD)
        fake.files[7] = [{"filename": "setup.py", "previous_filename": "plans/setup.py"}]
        assert run(fake, workflow_run_event(HEAD, listed=(7,)), report).status == "withheld"

    def test_more_files_than_github_lists_withholds(self, report: str) -> None:
        fake = FakeGitHub()
        fake.add_pull(7, HEAD)
        fake.pulls[7]["changed_files"] = 3_500
        outcome = run(fake, workflow_run_event(HEAD, listed=(7,)), report)
        assert outcome.status == "withheld"
        assert "more changed files than GitHub lists: 3500" in comment_on(fake, 7)

    def test_a_file_name_cannot_start_a_workflow_command(self, report: str) -> None:
        fake = FakeGitHub()
        fake.add_pull(7, HEAD, files=("a\n::error::forged",))
        outcome = run(fake, workflow_run_event(HEAD, listed=(7,)), report)
        assert "\n" not in outcome.line()
        assert "- `a ::error::forged`" in comment_on(fake, 7)

    def test_a_trigger_without_listed_pull_requests_and_no_fork_data_finds_none(
        self, report: str
    ) -> None:
        fake = FakeGitHub()
        fake.add_pull(7, HEAD)
        trigger = Trigger("workflow_run", REPOSITORY, HEAD, None, None, ())
        outcome = publish(FakeClient(fake), trigger, lambda: report, lambda: 7)
        assert (outcome.status, fake.writes()) == ("skipped", [])


class TestTheCommandLine:
    """``planc comment`` as the workflow runs it: real HTTP to a local stand-in for GitHub."""

    def environment(
        self, tmp_path: Path, api: str, event: dict[str, Any], name: str
    ) -> dict[str, str]:
        event_path = tmp_path / "event.json"
        event_path.write_text(json.dumps(event), encoding="utf-8")
        return {
            "GITHUB_ACTIONS": "true",
            "GITHUB_API_URL": api,
            "GITHUB_EVENT_NAME": name,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_REPOSITORY": REPOSITORY,
            "GITHUB_TOKEN": "ghs_test-token",
        }

    def artifact(self, tmp_path: Path, body: str, claim: str) -> tuple[Path, Path]:
        folder = tmp_path / "impact"
        folder.mkdir(exist_ok=True)
        (folder / "impact.md").write_text(body, encoding="utf-8")
        (folder / "pr-number").write_text(claim, encoding="utf-8")
        return folder / "impact.md", folder / "pr-number"

    def test_posts_over_http_with_the_token_and_follows_pages(
        self, tmp_path: Path, report: str
    ) -> None:
        from conftest import run_planc

        fake = FakeGitHub(page_size=1)
        fake.add_pull(7, HEAD)
        for text in ("first", "second", "third"):
            fake.add_comment(7, text, {"login": "ned", "type": "User"})
        body, claim = self.artifact(tmp_path, report, "7\n")
        with serve(fake) as api:
            env = self.environment(
                tmp_path, api, workflow_run_event(HEAD, listed=(7,)), "workflow_run"
            )
            result = run_planc("comment", body, "--claimed-pr", claim, env=env)
        assert result.code == 0, result.stderr
        assert result.stdout == "planc comment: created the impact comment on pull request 7\n"
        assert fake.bodies(7)[3].startswith(report)
        assert all(h.get("Authorization") == "Bearer ghs_test-token" for _, _, h in fake.requests)
        listed = [p for m, p, _ in fake.requests if m == "GET" and p.endswith("/comments")]
        assert len(listed) == 3  # three pages of one comment each

    def test_a_forged_claim_over_http_exits_1(self, tmp_path: Path, report: str) -> None:
        from conftest import run_planc

        fake = FakeGitHub()
        fake.add_pull(1, VICTIM_HEAD, branch="victim")
        fake.add_pull(7, HEAD)
        body, claim = self.artifact(tmp_path, report, "1")
        with serve(fake) as api:
            env = self.environment(
                tmp_path, api, workflow_run_event(HEAD, listed=(7,)), "workflow_run"
            )
            result = run_planc("comment", body, "--claimed-pr", claim, env=env)
        assert result.code == 1
        assert "says it is for pull request 1, but the run was for 7" in result.stderr
        assert fake.bodies(1) == []

    def test_a_next_page_on_another_host_is_not_followed(self, tmp_path: Path, report: str) -> None:
        from conftest import run_planc

        fake = FakeGitHub(page_size=1, next_link_host="http://127.0.0.2:9")
        fake.add_pull(7, HEAD)
        fake.add_comment(7, "one", {"login": "ned", "type": "User"})
        fake.add_comment(7, "two", {"login": "ned", "type": "User"})
        body, claim = self.artifact(tmp_path, report, "7")
        with serve(fake) as api:
            env = self.environment(
                tmp_path, api, workflow_run_event(HEAD, listed=(7,)), "workflow_run"
            )
            result = run_planc("comment", body, "--claimed-pr", claim, env=env)
        assert result.code == 2
        assert "is on another host" in result.stderr
        assert "Traceback" not in result.stderr

    def test_a_read_only_token_says_why(self, tmp_path: Path, report: str) -> None:
        from conftest import run_planc

        fake = FakeGitHub(read_only=True)
        fake.add_pull(7, HEAD)
        body, _ = self.artifact(tmp_path, report, "7")
        with serve(fake) as api:
            env = self.environment(tmp_path, api, pull_request_event(7, HEAD), "pull_request")
            result = run_planc("comment", body, env=env)
        assert result.code == 2
        assert "GitHub answered 403" in result.stderr
        assert "read-only token" in result.stderr

    @pytest.mark.parametrize(
        ("variable", "value", "said"),
        [
            ("GITHUB_TOKEN", "ghs_a\nb", "GITHUB_TOKEN holds a space, a line break"),
            ("GITHUB_TOKEN", "ghs_tök", "GITHUB_TOKEN holds a space, a line break"),
            ("GITHUB_API_URL", "not a url", "GITHUB_API_URL is not an http(s) URL: not a url"),
            ("GITHUB_API_URL", "http://[::1", "GITHUB_API_URL is not an http(s) URL"),
            ("GITHUB_API_URL", "file:///etc/passwd", "GITHUB_API_URL is not an http(s) URL"),
            ("GITHUB_REPOSITORY", "../../evil", "GITHUB_REPOSITORY is not owner/name: ../../evil"),
            ("GITHUB_REPOSITORY", "acme/sa les", "GITHUB_REPOSITORY is not owner/name"),
            ("GITHUB_REPOSITORY", "acme/sales\n", "GITHUB_REPOSITORY is not owner/name"),
        ],
        ids=["token-newline", "token-non-ascii", "url", "ipv6", "file", "dotdot", "space", "nl"],
    )
    def test_a_hostile_environment_is_a_usage_error(
        self, tmp_path: Path, report: str, variable: str, value: str, said: str
    ) -> None:
        """Each was an internal error (a ValueError or InvalidURL from urllib), or a request
        with the token to another endpoint (../ in the repository)."""
        from conftest import run_planc

        fake = FakeGitHub()
        fake.add_pull(7, HEAD)
        body, _ = self.artifact(tmp_path, report, "7")
        with serve(fake) as api:
            env = self.environment(tmp_path, api, pull_request_event(7, HEAD), "pull_request")
            result = run_planc("comment", body, env={**env, variable: value})
        assert result.code == 2, result.stderr
        assert result.stderr.startswith(f"planc: error: {said}")
        assert "internal error" not in result.stderr
        assert "ghs_" not in result.stderr  # the token is never shown
        assert fake.requests == []

    @pytest.mark.parametrize(
        ("event", "said"),
        [
            (b"[1, 2]", "is not a JSON object"),
            (b"null", "is not a JSON object"),
            (b"[" * 100_000 + b"]" * 100_000, "cannot read the event at"),
        ],
        ids=["list", "null", "deep"],
    )
    def test_an_event_that_is_not_an_object(
        self, tmp_path: Path, report: str, event: bytes, said: str
    ) -> None:
        from conftest import run_planc

        body, _ = self.artifact(tmp_path, report, "7")
        env = self.environment(tmp_path, "http://127.0.0.1:9", {}, "pull_request")
        Path(env["GITHUB_EVENT_PATH"]).write_bytes(event)
        result = run_planc("comment", body, env=env)
        assert result.code == 2, result.stderr
        assert said in result.stderr
        assert "internal error" not in result.stderr

    def test_an_answer_that_is_not_http(self, tmp_path: Path, report: str) -> None:
        """http.client's own errors (a bad status line) are not OSErrors: they were internal."""
        import socket
        import threading

        from conftest import run_planc

        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen()

        def answer() -> None:
            connection, _ = server.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(b"garbage\r\n\r\n")

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        body, _ = self.artifact(tmp_path, report, "7")
        api = f"http://127.0.0.1:{server.getsockname()[1]}"
        env = self.environment(tmp_path, api, pull_request_event(7, HEAD), "pull_request")
        try:
            result = run_planc("comment", body, env=env)
        finally:
            thread.join(timeout=5)
            server.close()
        assert result.code == 2, result.stderr
        assert "cannot send 'GET /repos/acme/sales/pulls/7' to GitHub's API" in result.stderr

    def test_outside_github_actions(self, tmp_path: Path) -> None:
        from conftest import run_planc

        env = dict.fromkeys(("GITHUB_TOKEN", "GITHUB_EVENT_PATH", "GITHUB_REPOSITORY"), "")
        result = run_planc("comment", tmp_path / "impact.md", env=env)
        assert result.code == 2
        assert result.stderr.startswith("planc: error: GITHUB_TOKEN is not set")
        env["GITHUB_TOKEN"] = "x"
        assert "run inside GitHub Actions" in run_planc("comment", "x.md", env=env).stderr
