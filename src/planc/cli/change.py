"""``planc diff``, ``planc propose`` and ``planc codeowners``: adjustments as pull requests."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from planc.cli.options import (
    EXIT_USAGE,
    GivenPath,
    OutputPath,
    default_plan_dirs,
    emit_report,
    expand_plan_dirs,
    fail_usage,
    format_option,
    github_append,
    in_github_actions,
    max_file_size_option,
    output_option,
    overwriting_inputs,
    parse_day,
    plan_dirs_argument,
    refuse_overwriting_inputs,
)

IMPACT_FORMATS = ("text", "markdown", "json")
CAUSES = ("market", "competitor", "policy", "execution", "resources", "reorganisation", "other")


@click.command()
@plan_dirs_argument
@click.option(
    "--base",
    metavar="REV|DIR",
    help="What the change is measured against: a git revision or a quarter folder. "
    "Default: the merge-base of HEAD with the default branch.",
)
@click.option(
    "--head",
    metavar="REV|DIR",
    help="The changed plan: a git revision or a quarter folder. Default: the working tree.",
)
@click.option(
    "--approved",
    metavar="REF|DIR",
    help="The approved plan, for cumulative drift. Default: company.approved in the quarter file.",
)
@format_option(
    IMPACT_FORMATS, "text for terminals, markdown for one PR comment, json for machines."
)
@output_option
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when nothing changed, 1 on errors (of any kind), 2 when the plan changed.",
)
@max_file_size_option
def diff(
    plan_dirs: tuple[Path, ...],
    base: str | None,
    head: str | None,
    approved: str | None,
    output_format: str,
    output: Path | None,
    detailed_exitcode: bool,
    max_file_size: int | None,
) -> None:
    """Show the impact of a plan change: totals, changed scopes, checks, records, approvals.

    PLAN_DIRS default to the quarter folders under ./plans (at either side); a folder
    with no plan file of its own but a quarter folder in it (plans; a README or other
    files may be there) stands for the folders in it at either side.
    Exit status: 0 no errors, 1 errors at head (a check fails, or a change has
    no adjustment record), 2 usage, 3 internal error. With --detailed-exitcode:
    0 no change, 1 error (usage errors too), 2 changes. Inside GitHub Actions,
    has_changes=true|false goes to $GITHUB_OUTPUT and the markdown to the job summary.
    """
    from planc.change.comparison import Comparison, ComparisonError
    from planc.change.impact_report import REPORT_BY_NAME, render_markdown
    from planc.core.extras import MissingExtra
    from planc.core.gitsource import GitSourceError
    from planc.core.loader import DEFAULT_MAX_BYTES

    def usage(message: str) -> NoReturn:
        click.echo(f"planc: error: {message}", err=True)
        sys.exit(1 if detailed_exitcode else EXIT_USAGE)

    try:
        comparison = Comparison(base, head, approved, max_file_size or DEFAULT_MAX_BYTES)
        dirs = comparison.expand(plan_dirs) or comparison.default_folders()
        ends = [Path(end) for end in (base, head, approved) if end and Path(end).is_dir()]
        problem = overwriting_inputs(output, "--output", folders=[*dirs, *ends])
        if problem is not None:
            usage(problem)
        impacts = [comparison.impact(d) for d in dirs]
    except (ComparisonError, GitSourceError, MissingExtra) as error:
        usage(str(error))  # a missing extra too: with --detailed-exitcode, 2 means "changes"
    report = REPORT_BY_NAME[output_format](impacts)
    emit_report(report, output)
    changed = any(i.has_changes for i in impacts)
    if in_github_actions():
        markdown = report if output_format == "markdown" else render_markdown(impacts)
        github_append("GITHUB_OUTPUT", f"has_changes={'true' if changed else 'false'}\n")
        github_append("GITHUB_STEP_SUMMARY", markdown)
    if any(i.has_errors for i in impacts):
        sys.exit(1)
    sys.exit(2 if detailed_exitcode and changed else 0)


@click.command()
@click.argument("plan_dir", required=False, type=GivenPath("a quarter folder"))
@click.option("--cause", type=click.Choice(CAUSES), help="Why the targets change.")
@click.option(
    "--effective",
    metavar="YYYY-MM-DD",
    help="From when the new numbers apply (a day inside the quarter).",
)
@click.option("--note", help="What happened, in a sentence or two.")
@click.option(
    "--date", "decided", metavar="YYYY-MM-DD", help="When it was decided (default: today)."
)
@click.option(
    "--approved-by", multiple=True, metavar="ID", help="Person id who approved it (repeatable)."
)
@click.option(
    "--branch", metavar="NAME", help="Branch to create (default: plan/<quarter>-<record id>)."
)
@click.option("--title", help="Pull request title (default: from the record).")
@click.option(
    "--body-file",
    type=OutputPath(),
    help="Where to write the PR body: a new file, or one outside the working tree (default: "
    ".git/planc/PR_BODY.md).",
)
@click.option("--open", "open_pr", is_flag=True, help="Push the branch and open the PR with gh.")
@click.option(
    "--remote", default="origin", show_default=True, help="Remote to push to with --open."
)
def propose(
    plan_dir: Path | None,
    cause: str | None,
    effective: str | None,
    note: str | None,
    decided: str | None,
    approved_by: tuple[str, ...],
    branch: str | None,
    title: str | None,
    body_file: Path | None,
    open_pr: bool,
    remote: str,
) -> None:
    """Turn plan edits in the working tree into a branch and a pull request body.

    Checks the plan compiles, writes the adjustment record for changes that
    have none (from --cause, --effective and --note), or fills in the cause and
    note of the record stubs planc import --update wrote, commits only the plan
    files of one quarter to a new branch and writes the PR body (the markdown
    impact). Your working tree, index and checked-out branch are not touched.
    Exit status: 0 proposed, 1 the plan is not ready, 2 refused (dirty index,
    branch exists, bad option), 3 internal error.
    """
    from planc.change.proposal import ProposalError, ProposalRequest, RecordRequest
    from planc.change.proposal import propose as run_proposal

    record = RecordRequest(
        cause=cause,
        effective=parse_day("--effective", effective),
        note=note,
        decided=parse_day("--date", decided),
        approved_by=approved_by,
    )
    request = ProposalRequest(plan_dir, record, branch, title, body_file, open_pr, remote)
    try:
        result = run_proposal(request)
    except ProposalError as error:
        if error.details:
            click.echo(error.details, err=True, nl=False)
        click.echo(f"planc: {error}", err=True)
        sys.exit(error.exit_code)
    files = ", ".join(result.files)
    click.echo(f"Created branch {result.branch} at {result.commit[:7]} with {files}.")
    if result.record_id:
        click.echo(
            f"Added adjustment record {result.record_id} to the quarter file (in that commit)."
        )
    click.echo(f"PR body: {result.body_file}")
    click.echo("Your working tree, index and current branch are unchanged.")
    if result.pr_url:
        click.echo(f"Opened {result.pr_url}")
    else:
        import shlex

        base = ["--base", result.base_branch] if result.base_branch else []
        push = shlex.join(["git", "push", remote, result.branch])
        body = ["--body-file", str(result.body_file)]
        create = shlex.join(["gh", "pr", "create", "--head", result.branch, *base, *body])
        create += " --title " + shlex.quote(result.title)
        click.echo(f"Next: {push} && {create}")


@click.command()
@plan_dirs_argument
@click.option(
    "--output",
    "-o",
    type=OutputPath(),
    help="The CODEOWNERS file (default: the repository's, else .github/CODEOWNERS).",
)
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 if out of date.")
def codeowners(plan_dirs: tuple[Path, ...], output: Path | None, check_only: bool) -> None:
    """Write CODEOWNERS lines from the plans' owners: each region file to its owner's
    GitHub handle, the quarter file and folder to the plan owner.

    Lines outside the planc block are kept. PLAN_DIRS default to every folder under ./plans;
    a folder with no plan file of its own but a quarter folder in it (plans) stands for
    the folders in it.
    """
    from planc.change.codeowners import location, merge, owner_lines
    from planc.checks import check_directory
    from planc.core.files import read_regular, write_atomic
    from planc.core.gitsource import GitSourceError, Repository
    from planc.core.loader import DEFAULT_MAX_BYTES
    from planc.core.reporters import text

    dirs = expand_plan_dirs(plan_dirs) or default_plan_dirs()
    refuse_overwriting_inputs(output, "--output", folders=dirs)
    try:
        repo = Repository.open(dirs[0])
    except GitSourceError as error:
        fail_usage(f"{error}: CODEOWNERS paths are relative to the repository root")
    lines: list[str] = []
    for plan_dir in dirs:
        result = check_directory(plan_dir)
        if result.plan is None:
            click.echo(text([result]), err=True, nl=False)
            fail_usage(f"{plan_dir} cannot be read as a plan; fix the errors above first")
        try:
            files = {shown: repo.relative(Path(shown)) for shown in result.sources}
            ownership = owner_lines(result.plan, repo.relative(plan_dir), files)
        except GitSourceError as error:
            fail_usage(str(error))
        for warning in ownership.warnings:
            click.echo(f"planc: warning: {warning}", err=True)
        lines += ownership.lines
    target = output or location(repo.root)
    try:
        found = read_regular(target, DEFAULT_MAX_BYTES) if target.exists() else None
    except OSError as error:
        fail_usage(f"cannot read {target}: {error.strerror or error}")
    existing = found.decode("utf-8", errors="replace") if found is not None else None
    updated = merge(existing, lines)
    shown = os.path.relpath(target)
    if check_only:
        if updated != existing:
            import shlex

            # the same folders and file again: another set of quarters writes another block
            again = ["planc", "codeowners", *map(str, plan_dirs)]
            again += ["--output", str(output)] if output is not None else []
            click.echo(f"{shown} is out of date: run {shlex.join(again)}", err=True)
            sys.exit(1)
        click.echo(f"{shown} is up to date")
        return
    if updated == existing:
        click.echo(f"{shown} is up to date")
        return
    write_atomic(target, updated.encode("utf-8"))
    click.echo(f"wrote {len(lines)} owner lines to {shown}")
