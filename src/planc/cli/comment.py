"""``planc comment``: post the impact report as the one sticky pull-request comment."""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.parse
from pathlib import Path

import click

from planc.cli.options import GivenPath, fail_usage
from planc.core.safetext import printable

_EVENT_BOUND = 64 * 1024 * 1024  # GitHub's event payloads are a few hundred KiB
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")  # GitHub's owner/name


@click.command()
@click.argument("report", type=GivenPath())
@click.option(
    "--claimed-pr",
    "claimed_pr",
    type=GivenPath(),
    metavar="FILE",
    help="A file holding the pull request number the report says it is for: checked against "
    "the event, never trusted.",
)
@click.option(
    "--bot",
    default="github-actions[bot]",
    show_default=True,
    metavar="LOGIN",
    help="Whose comment is planc's: the login the token posts as (a GitHub App's is name[bot]).",
)
@click.option(
    "--data-path",
    "data_paths",
    multiple=True,
    metavar="PREFIX",
    help="Files under this prefix are plan data (repeatable; default plans/). On workflow_run, "
    "a pull request that changes any other file gets a notice instead of the report.",
)
def comment(report: Path, claimed_pr: Path | None, bot: str, data_paths: tuple[str, ...]) -> None:
    """Post REPORT (from planc diff --format markdown) as the sticky comment, safely.

    Runs inside GitHub Actions, on a workflow_run event (impact-comment.yml: the
    report comes from the pull request's run, as an artifact) or a pull_request
    event (the action). The pull request is taken from the event GitHub wrote,
    never from the report; the report is refused unless it is text planc could
    have written; only the bot's own comment with planc's marker is updated.
    Reads GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_API_URL
    and the token in GITHUB_TOKEN. Exit status: 0 posted (or withheld with a
    notice, or nothing to do), 1 the report was refused, 2 usage or GitHub errors.
    """
    from planc.change.comment import (
        DEFAULT_DATA_PATHS,
        CommentError,
        RestClient,
        Settings,
        publish,
        read_claim,
        read_report,
        trigger_from_event,
    )
    from planc.core.files import read_regular

    if any(not prefix.strip() for prefix in data_paths):
        # every name starts with "": a pull request that also edits a workflow would get the
        # trusted report, not the notice (`--data-path "$UNSET"`)
        fail_usage(
            "--data-path is empty: every file would count as plan data; give a prefix such "
            "as plans/"
        )
    token = os.environ.get("GITHUB_TOKEN", "")
    repository = os.environ.get("GITHUB_REPOSITORY", "")
    event_path = os.environ.get("GITHUB_EVENT_PATH", "")
    if not token:
        fail_usage("GITHUB_TOKEN is not set: give the step env GITHUB_TOKEN: ${{ github.token }}")
    if not all(" " < char <= "~" for char in token):
        # the token goes into a header: a line break or a non-ASCII character is refused there,
        # and the error would quote it
        fail_usage(
            "GITHUB_TOKEN holds a space, a line break or a non-ASCII character, which no "
            "token has: check the secret the step passes"
        )
    if "/" not in repository or not event_path:
        fail_usage("GITHUB_REPOSITORY and GITHUB_EVENT_PATH are not set: run inside GitHub Actions")
    if not _REPOSITORY.fullmatch(repository) or ".." in repository.split("/"):
        # it becomes a path of the API's URLs: ../ would reach another endpoint with the token
        fail_usage(f"GITHUB_REPOSITORY is not owner/name: {printable(repository)}")
    api_url = os.environ.get("GITHUB_API_URL") or "https://api.github.com"
    if not _is_http_url(api_url):
        fail_usage(f"GITHUB_API_URL is not an http(s) URL: {printable(api_url)}")
    try:
        payload = json.loads(read_regular(event_path, _EVENT_BOUND).decode("utf-8"))
    except (OSError, ValueError, RecursionError) as error:  # RecursionError: nested too deep
        fail_usage(f"cannot read the event at {event_path}: {error}")
    if not isinstance(payload, dict):
        fail_usage(f"the event at {event_path} is not a JSON object")
    settings = Settings(bot=bot, data_paths=tuple(data_paths) or DEFAULT_DATA_PATHS)
    client = RestClient(api_url, token)
    try:
        trigger = trigger_from_event(os.environ.get("GITHUB_EVENT_NAME", ""), payload, repository)
        outcome = publish(
            client,
            trigger,
            lambda: read_report(report),
            lambda: read_claim(claimed_pr) if claimed_pr is not None else None,
            settings,
        )
    except CommentError as error:
        fail_usage(str(error))
    click.echo(outcome.line(), err=outcome.exit_code != 0)
    sys.exit(outcome.exit_code)


def _is_http_url(url: str) -> bool:
    try:
        parts = urllib.parse.urlsplit(url)
        return parts.scheme in ("https", "http") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # an invalid IPv6 address, a port out of range
        return False
