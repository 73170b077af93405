"""The sticky impact comment, posted so that no pull request can write another's.

Reviewers approve target changes on the strength of this comment, so the job
that posts it (``planc comment``, run by ``impact-comment.yml`` from the
default branch with a write token) trusts nothing the pull request made:

- **Which pull request** comes from the trusted event only. For
  ``workflow_run``: the run's ``pull_requests`` (empty for forks) or else the
  open pull requests whose head is the run's ``head_sha`` in the run's head
  repository; each is fetched again and must still be open with that head (a
  newer push has its own run). The number the report artifact claims is a
  cross-check: one that is not among them is refused. For ``pull_request``
  (the composite action): the event's own pull request.
- **What the report is** is untrusted text: a regular file, at most
  :data:`COMMENT_BUDGET` characters, UTF-8, starting with planc's marker, and
  escaped as planc escapes (no raw HTML but the tags planc writes, no link,
  image, bare URL, @mention or #reference, no control or bidi character).
  :func:`report_problems` re-checks all of it; any problem refuses the report.
- **Who built it**: with ``workflow_run`` the report was built by the pull
  request's own run of ``impact.yml``, which runs the workflow, planc and its
  install files as the pull request has them. So the report is posted only
  when every file the pull request changes is plan data (``plans/``); if it
  changes anything else (a workflow, planc's code, ``pyproject.toml``), the
  comment says the report is withheld and lists those files.
- **Which comment** is updated: only one written by the workflow's own bot
  (``github-actions[bot]`` unless told otherwise) that starts with the marker.
  A comment by anyone else carrying the marker is left alone.

A refused report never leaves an older report standing as if it were current:
the pull request's comment is replaced by a notice that says why.
"""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import stat
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from planc import __version__
from planc.change.impact_report import COMMENT_BUDGET, HTML_TAGS, MARKER
from planc.core.markdown import BIDI_AND_CONTROLS, clean, code, escape, github_length
from planc.core.safetext import quoted, shown

DEFAULT_BOT = "github-actions[bot]"
DEFAULT_DATA_PATHS = ("plans/",)
# GitHub lists at most 3,000 files of a pull request.
MAX_LISTED_FILES = 3_000
_SHA = re.compile(r"[0-9a-f]{40}")
_CLAIM_BYTES = 32


class CommentError(Exception):
    """The command cannot do its job (no event, no token, GitHub refused): exit 2."""


class GitHubError(CommentError):
    """An answer from GitHub's API other than success."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class UntrustedReport(Exception):
    """The report artifact is not what planc writes: it is refused, never posted."""


# --- the trusted event ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Trigger:
    """What the event GitHub itself wrote says about the pull request (nothing from a PR run)."""

    event: Literal["pull_request", "workflow_run"]
    repository: str  # owner/name: where the comment goes
    head_sha: str
    head_repository: str | None  # owner/name the head commit comes from (a fork's, maybe)
    head_branch: str | None
    listed: tuple[int, ...]  # pull requests the event names with this head
    run_id: int | None = None


def trigger_from_event(event_name: str, payload: Mapping[str, Any], repository: str) -> Trigger:
    """The trigger from ``$GITHUB_EVENT_NAME`` and the JSON at ``$GITHUB_EVENT_PATH``."""
    if event_name == "workflow_run":
        run = _mapping(payload.get("workflow_run"), "workflow_run")
        if run.get("event") != "pull_request":
            raise CommentError(
                f"the workflow run was triggered by {_said(run.get('event'))}, not a pull request: "
                "there is no pull request to comment on"
            )
        head = _mapping(run.get("head_repository") or {}, "workflow_run.head_repository")
        listed = tuple(
            _number(pull.get("number"))
            for pull in _list(run.get("pull_requests") or [], "workflow_run.pull_requests")
            if isinstance(pull, Mapping)
            and _mapping(pull.get("head") or {}, "pull_requests[].head").get("sha")
            == run.get("head_sha")
        )
        run_id = run.get("id")
        return Trigger(
            "workflow_run",
            repository,
            _sha(run.get("head_sha")),
            _text(head.get("full_name")),
            _text(run.get("head_branch")),
            listed,
            run_id if isinstance(run_id, int) else None,
        )
    if event_name in ("pull_request", "pull_request_target"):
        pull = _mapping(payload.get("pull_request"), "pull_request")
        head = _mapping(pull.get("head"), "pull_request.head")
        head_repo = _mapping(head.get("repo") or {}, "pull_request.head.repo")
        return Trigger(
            "pull_request",
            repository,
            _sha(head.get("sha")),
            _text(head_repo.get("full_name")),
            _text(head.get("ref")),
            (_number(pull.get("number")),),
        )
    raise CommentError(
        f"planc comment runs on pull_request or workflow_run events, not {event_name or 'none'}"
    )


def _mapping(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise CommentError(f"the event has no {what}")
    return value


def _list(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise CommentError(f"the event's {what} is not a list")
    return value


def _number(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise CommentError(f"the event names a pull request number that is not one: {_said(value)}")
    return value


def _sha(value: object) -> str:
    if not isinstance(value, str) or not _SHA.fullmatch(value):
        raise CommentError(f"the event's head commit is not a commit id: {_said(value)}")
    return value


def _said(value: object) -> str:
    """A value of the event as an error quotes it: a string as ``repr`` writes it, shortened
    and escaped (:func:`planc.core.safetext.quoted`); anything else shortened as well."""
    return quoted(value) if isinstance(value, str) else shown(repr(value))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


# --- the untrusted artifact -----------------------------------------------------------------


def read_report(path: Path) -> str:
    """The report's text, refused unless it is a regular file planc could have written."""
    data = _read_regular(path, COMMENT_BUDGET * 4 + 1)  # at most 4 UTF-8 bytes a character
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UntrustedReport(f"the report is not UTF-8 text (byte {error.start})") from error
    problems = report_problems(text)
    if problems:
        raise UntrustedReport("; ".join(problems))
    return text


def read_claim(path: Path) -> int:
    """The pull request number the report artifact claims (a cross-check, never the answer)."""
    text = _read_regular(path, _CLAIM_BYTES).decode("ascii", errors="replace").strip()
    if not text.isascii() or not text.isdigit() or int(text) <= 0:
        raise UntrustedReport(
            f"the artifact's pull request number is not a number: {quoted(text, 20)}"
        )
    return int(text)


def _read_regular(path: Path, limit: int) -> bytes:
    """At most ``limit`` bytes of a regular file; a link, a device or a larger file is refused."""
    try:
        info = path.lstat()
    except FileNotFoundError as error:
        raise UntrustedReport(f"the artifact has no {path.name}") from error
    if not stat.S_ISREG(info.st_mode):
        raise UntrustedReport(f"{path.name} in the artifact is not a regular file")
    if info.st_size > limit:
        raise UntrustedReport(
            f"{path.name} is {info.st_size:,} bytes, more than planc ever writes ({limit - 1:,})"
        )
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UntrustedReport(f"{path.name} grew while it was read")
    return data


# What GitHub turns into a notification, a link or markup; planc's escaping never leaves them.
_MENTION = re.compile(r"(?<![A-Za-z0-9_.+-])@[A-Za-z0-9]")
_REFERENCE = re.compile(r"#[0-9]|(?i:\bgh\\?-[0-9])")  # `#12`, and `GH-12` GitHub links alike
_LINK = re.compile(r"\]\(|\]\[|^ {0,3}\[[^\]\n]*\]:", re.MULTILINE)
_IMAGE = re.compile(r"!\[")
_URL = re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://|\bwww\.")
_TAG = re.compile(r"<(?=[A-Za-z/!?])[^>\n]*>?")
# Lines that start a raw HTML block (CommonMark types 6 and 7, and comments): there,
# backticks are not code, so such lines and the ones after them up to a blank line are read whole.
_HTML_BLOCK = re.compile(
    r"^ {0,3}(?:<!--|</?(?:address|article|aside|blockquote|body|details|dialog|div|dl|"
    r"fieldset|figure|footer|form|h[1-6]|header|hr|html|li|main|nav|ol|p|pre|section|summary|"
    r"table|tbody|td|tfoot|th|thead|tr|ul)(?:[\s/>]|$)|</?[A-Za-z][^>\n]*>[ \t]*$)",
    re.IGNORECASE,
)
_CODE_SPAN = re.compile(r"(?<![\\`])(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def report_problems(text: str) -> list[str]:
    """Why ``text`` is not a comment planc could have written (empty when it could be).

    planc escapes every piece of plan text (:mod:`planc.core.markdown`); this
    checks the result from the outside, so a report built by anything else is
    refused rather than posted by a trusted bot. It errs on the strict side:
    whatever GitHub might read as a mention, reference, link or tag counts.
    """
    size = github_length(text)
    if size > COMMENT_BUDGET:
        return [f"it is {size:,} characters; planc's comments stay under {COMMENT_BUDGET:,}"]
    problems: list[str] = []
    if not text.startswith(MARKER + "\n"):
        problems.append(f"it does not start with planc's marker {MARKER}")
    body = text.removeprefix(MARKER)
    controls = sorted({f"U+{ord(c):04X}" for c in BIDI_AND_CONTROLS.findall(body)})
    if controls:
        problems.append(f"control or bidi characters ({', '.join(controls[:5])})")
    prose = _outside_code(body)
    tags = sorted({t for t in _TAG.findall(prose) if t not in HTML_TAGS})
    if tags:
        problems.append(
            f"raw HTML that planc does not write ({', '.join(shown(t, 40) for t in tags[:3])})"
        )
    if _LINK.search(prose) or _IMAGE.search(prose):
        problems.append("a markdown link or image")
    read = html.unescape(prose)  # the text GitHub's mention, reference and autolink filters see
    for pattern, what in (
        (_MENTION, "an @mention"),
        (_REFERENCE, "an issue reference"),
        (_URL, "a bare URL"),
    ):
        if pattern.search(read):
            problems.append(what)
    return problems


def _outside_code(text: str) -> str:
    """The text outside inline code spans, where GitHub reads markup, mentions and links.

    Code spans are taken within one line (planc never writes longer ones); a raw
    HTML block, from its first line to the next blank line, is kept whole.
    """
    kept: list[str] = []
    in_html = False
    for line in text.split("\n"):
        if not line.strip():
            in_html = False
        elif _HTML_BLOCK.match(line):
            in_html = True
        kept.append(line if in_html else _CODE_SPAN.sub(" ", line))
    return "\n".join(kept)


# --- GitHub's REST API ----------------------------------------------------------------------


class GitHub(Protocol):
    """The few calls ``planc comment`` makes; tests hand in a fake."""

    def get(self, path: str, query: Mapping[str, str] | None = None) -> Any: ...

    def get_all(self, path: str, query: Mapping[str, str] | None = None) -> list[Any]: ...

    def post(self, path: str, payload: Mapping[str, Any]) -> Any: ...

    def patch(self, path: str, payload: Mapping[str, Any]) -> Any: ...


Opener = Callable[[urllib.request.Request, float], Any]


class RestClient:
    """GitHub's REST API over HTTPS with a token; pagination through ``Link`` headers."""

    def __init__(self, api_url: str, token: str, opener: Opener | None = None) -> None:
        self.base = api_url.rstrip("/")
        self._token = token
        self._open: Opener = opener or _urlopen

    def get(self, path: str, query: Mapping[str, str] | None = None) -> Any:
        return self._call("GET", self._url(path, query))[0]

    def get_all(self, path: str, query: Mapping[str, str] | None = None) -> list[Any]:
        url: str | None = self._url(path, {**(query or {}), "per_page": "100"})
        items: list[Any] = []
        while url is not None:
            page, links = self._call("GET", url)
            if not isinstance(page, list):
                raise GitHubError(f"GitHub answered GET {path} with something that is not a list")
            items += page
            url = links.get("next")
            if url is not None and not url.startswith(self.base + "/"):
                # never send the token anywhere but the API it was given for
                raise GitHubError(f"GitHub's next page for {path} is on another host: {url}")
        return items

    def post(self, path: str, payload: Mapping[str, Any]) -> Any:
        return self._call("POST", self._url(path), payload)[0]

    def patch(self, path: str, payload: Mapping[str, Any]) -> Any:
        return self._call("PATCH", self._url(path), payload)[0]

    def _url(self, path: str, query: Mapping[str, str] | None = None) -> str:
        return self.base + path + ("?" + urllib.parse.urlencode(query) if query else "")

    def _call(
        self, method: str, url: str, payload: Mapping[str, Any] | None = None
    ) -> tuple[Any, dict[str, str]]:
        data = json.dumps(payload).encode("utf-8") if payload is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("Authorization", f"Bearer {self._token}")
        request.add_header("X-GitHub-Api-Version", "2022-11-28")
        request.add_header("User-Agent", f"planc/{__version__}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        shown = f"{method} {url.removeprefix(self.base).split('?')[0]}"
        try:
            with self._open(request, 30.0) as response:
                body = response.read()
                links = _links(response.headers.get("Link", ""))
        except urllib.error.HTTPError as error:
            raise GitHubError(_http_message(shown, error), error.code) from error
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise GitHubError(f"cannot reach GitHub's API at {self.base}: {reason}") from error
        except (ValueError, http.client.HTTPException) as error:
            # http.client refuses the URL (a control character in it) or cannot make sense of
            # the answer (a bad status line, a truncated body)
            raise GitHubError(f"cannot send {shown!r} to GitHub's API: {error}") from error
        try:
            return (json.loads(body) if body else None), links
        except (ValueError, RecursionError) as error:
            raise GitHubError(f"GitHub answered {shown} with something that is not JSON") from error


def _urlopen(request: urllib.request.Request, timeout: float) -> Any:
    return urllib.request.urlopen(request, timeout=timeout)


def _links(header: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in header.split(","):
        match = re.search(r'<([^>]+)>\s*;\s*rel="([^"]+)"', part)
        if match:
            found[match.group(2)] = match.group(1)
    return found


def _http_message(shown: str, error: urllib.error.HTTPError) -> str:
    try:
        detail = str(json.loads(error.read() or b"{}").get("message", ""))[:200]
    except (ValueError, AttributeError, OSError):
        detail = ""
    message = f"GitHub answered {error.code} to {shown}" + (f": {detail}" if detail else "")
    if error.code in (401, 403):
        message += (
            " (the token needs pull-requests: write; a pull request from a fork gets a "
            "read-only token, which is why impact-comment.yml posts from workflow_run)"
        )
    return message


# --- deciding and posting -------------------------------------------------------------------


Status = Literal["created", "updated", "withheld", "refused", "skipped"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What ``planc comment`` did; ``refused`` fails the job."""

    status: Status
    pull_request: int | None
    message: str

    @property
    def exit_code(self) -> int:
        return 1 if self.status == "refused" else 0

    def line(self) -> str:
        """One line for the job log: file names and reasons may hold anything, so no
        control character (a newline could start a workflow command) gets through."""
        return "planc comment: " + clean(self.message)


@dataclass(frozen=True, slots=True)
class Settings:
    """Whose comment is ours, and which files are plan data."""

    bot: str = DEFAULT_BOT
    data_paths: tuple[str, ...] = DEFAULT_DATA_PATHS


def publish(
    client: GitHub,
    trigger: Trigger,
    report: Callable[[], str],
    claim: Callable[[], int | None],
    settings: Settings | None = None,
) -> Outcome:
    """Post ``report()`` on the trigger's pull request, or say why not (see the module doc).

    ``report`` and ``claim`` read the artifact and raise :class:`UntrustedReport`;
    they are called only once the pull request is known from the trigger.
    """
    settings = settings or Settings()
    repo = f"/repos/{trigger.repository}"
    candidates = _open_pull_requests(client, repo, trigger)
    numbers = sorted(candidates)
    try:
        claimed = claim()
    except UntrustedReport as error:
        return _refuse(client, repo, numbers, settings, trigger, str(error))
    if not numbers:
        return Outcome(
            "skipped",
            None,
            f"no open pull request has head {trigger.head_sha[:12]} from "
            f"{trigger.head_repository or 'this repository'} any more (closed, or pushed to "
            "again: the newer run comments): nothing posted",
        )
    if claimed is not None and claimed not in candidates:
        return _refuse(
            client,
            repo,
            numbers,
            settings,
            trigger,
            f"the report says it is for pull request {claimed}, but the run was for "
            f"{_listing(numbers)} (commit {trigger.head_sha[:12]})",
        )
    if claimed is None and len(numbers) > 1:
        return Outcome(
            "refused",
            None,
            f"pull requests {_listing(numbers)} all have head {trigger.head_sha[:12]} and the "
            "report names none of them: nothing posted",
        )
    number = claimed if claimed is not None else numbers[0]
    try:
        body = report()
    except UntrustedReport as error:
        return _refuse(client, repo, [number], settings, trigger, str(error))
    if trigger.event == "workflow_run":
        outside = _files_outside(client, repo, number, candidates[number], settings.data_paths)
        if _head_of(client, repo, number) != trigger.head_sha:
            return Outcome(
                "skipped", number, f"pull request {number} moved on while it was read: not posted"
            )
        if outside:
            status, foreign = _upsert(
                client, repo, number, _withheld_notice(outside, trigger), settings
            )
            return Outcome(
                "withheld",
                number,
                f"report withheld on pull request {number} ({status} the comment{foreign}): it "
                f"changes {len(outside):,} file(s) outside {', '.join(settings.data_paths)}, "
                f"e.g. {outside[0]}",
            )
    status, foreign = _upsert(client, repo, number, body + _trailer(trigger), settings)
    return Outcome(status, number, f"{status} the impact comment on pull request {number}{foreign}")


def _open_pull_requests(client: GitHub, repo: str, trigger: Trigger) -> dict[int, Any]:
    """The open pull requests whose head is the trigger's commit, from the trigger's repository."""
    found: dict[int, Any] = {}
    if trigger.listed:
        for number in trigger.listed:
            pull = client.get(f"{repo}/pulls/{number}")
            if _is_candidate(pull, trigger):
                found[number] = pull
        return found
    if trigger.event != "workflow_run" or not trigger.head_repository or not trigger.head_branch:
        return found
    # A fork's pull request: the run lists none, so ask for the open ones of its head branch.
    owner = trigger.head_repository.split("/", 1)[0]
    query = {"state": "open", "head": f"{owner}:{trigger.head_branch}"}
    for pull in client.get_all(f"{repo}/pulls", query):
        if _is_candidate(pull, trigger):
            found[int(pull["number"])] = pull
    return found


def _is_candidate(pull: Any, trigger: Trigger) -> bool:
    if not isinstance(pull, Mapping) or pull.get("state") != "open":
        return False
    head = pull.get("head") or {}
    if head.get("sha") != trigger.head_sha:
        return False
    head_repo = (head.get("repo") or {}).get("full_name")
    return trigger.head_repository is None or head_repo == trigger.head_repository


def _head_of(client: GitHub, repo: str, number: int) -> str | None:
    pull = client.get(f"{repo}/pulls/{number}")
    if not isinstance(pull, Mapping) or pull.get("state") != "open":
        return None
    sha = (pull.get("head") or {}).get("sha")
    return sha if isinstance(sha, str) else None


def _files_outside(
    client: GitHub, repo: str, number: int, pull: Mapping[str, Any], data_paths: tuple[str, ...]
) -> list[str]:
    """Files the pull request changes that are not plan data (a note when GitHub lists too few)."""
    files = client.get_all(f"{repo}/pulls/{number}/files")
    total = pull.get("changed_files")
    if not isinstance(total, int) or total > len(files) or len(files) >= MAX_LISTED_FILES:
        return [
            f"(more changed files than GitHub lists: {total if isinstance(total, int) else '?'})"
        ]
    names = {
        str(name)
        for item in files
        if isinstance(item, Mapping)
        for name in (item.get("filename"), item.get("previous_filename"))
        if name
    }
    return sorted(n for n in names if not n.startswith(data_paths))


def _upsert(
    client: GitHub, repo: str, number: int, body: str, settings: Settings
) -> tuple[Literal["created", "updated"], str]:
    """Update the bot's own marked comment on ``number``, or create one.

    Returns what was done and a note about marked comments by others (left alone).
    """
    comments = client.get_all(f"{repo}/issues/{number}/comments")
    mine = [c for c in comments if _is_ours(c, settings.bot)]
    foreign = sum(
        1
        for c in comments
        if isinstance(c, Mapping) and str(c.get("body") or "").startswith(MARKER)
    ) - len(mine)
    note = f"; {foreign} comment(s) by others carrying the marker left alone" if foreign else ""
    if mine:
        client.patch(f"{repo}/issues/comments/{int(mine[0]['id'])}", {"body": body})
        return "updated", note
    client.post(f"{repo}/issues/{number}/comments", {"body": body})
    return "created", note


def _is_ours(comment: Any, bot: str) -> bool:
    if not isinstance(comment, Mapping):
        return False
    user = comment.get("user") or {}
    body = comment.get("body")
    return (
        user.get("login") == bot
        and user.get("type") == "Bot"
        and isinstance(body, str)
        and body.startswith(MARKER)
    )


def _refuse(
    client: GitHub,
    repo: str,
    numbers: list[int],
    settings: Settings,
    trigger: Trigger,
    reason: str,
) -> Outcome:
    """Refuse the report; where the pull request is certain, its comment says so (an older
    report must not stand as if it were current)."""
    if len(numbers) != 1:
        return Outcome("refused", None, f"report refused: {reason}; nothing posted")
    [number] = numbers
    _upsert(client, repo, number, _refused_notice(reason, trigger), settings)
    return Outcome("refused", number, f"report refused on pull request {number}: {reason}")


def _trailer(trigger: Trigger) -> str:
    run = f" by workflow run {trigger.run_id}" if trigger.run_id is not None else ""
    return f"\n<sub>Posted for commit {code(trigger.head_sha[:12], in_table=False)}{run}.</sub>\n"


def _withheld_notice(outside: list[str], trigger: Trigger) -> str:
    shown = outside[:20]
    lines = [
        MARKER,
        "",
        "### ⚠️ planc: impact withheld",
        "",
        "This pull request changes files that are not plans. Its impact report is built by "
        "the pull request's own run, with the workflow, planc and install files as this pull "
        "request has them, so the report could say anything: it is not posted. Review these "
        "files first, and run `planc diff` locally to see the impact:",
        "",
        *(f"- {code(name, in_table=False)}" for name in shown),
    ]
    if len(outside) > len(shown):
        lines.append(f"- …and {len(outside) - len(shown):,} more")
    return "\n".join(lines) + "\n" + _trailer(trigger)


def _refused_notice(reason: str, trigger: Trigger) -> str:
    return (
        f"{MARKER}\n\n### ❌ planc: impact report refused\n\n"
        "The report built for this pull request is not one planc could have written, so it "
        f"is not posted: {escape(reason[:500])}. Run `planc diff` locally to see the impact.\n"
        + _trailer(trigger)
    )


def _listing(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)
