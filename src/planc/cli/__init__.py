"""The ``planc`` command: parse arguments, call the pipeline, print, choose the exit code.

Heavy modules (YAML, schema, checks) are imported inside commands so that
``planc --help`` stays instant.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:  # imported lazily at run time: `planc --help` must stay instant
    from datetime import date
    from decimal import Decimal

    from planc.core.pipeline import CheckResult

EXIT_USAGE = 2
EXIT_INTERNAL = 3
FORMATS = ("text", "json", "github", "sarif", "markdown")


def _default_format() -> str:
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def _fail_usage(message: str) -> NoReturn:
    click.echo(f"planc: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="planc", prog_name="planc")
def cli() -> None:
    """planc: a plan-as-code compiler for sales teams.

    Quarterly targets live as YAML under plans/<quarter>/; planc proves that
    totals reconcile and goals are SMART, and points at file:line:col when
    they do not.
    """


@cli.command()
@click.argument("plan_dirs", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(FORMATS),
    default=None,
    help="Output format. Default: github inside GitHub Actions, text elsewhere.",
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option(
    "--rev",
    metavar="REV",
    help="Check the plan as committed at a git revision (e.g. HEAD~1, main).",
)
@click.option(
    "--base",
    metavar="REV|DIR",
    help="Also report targets changed since this revision or folder without an adjustment "
    "record (PLC610).",
)
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=None,
    metavar="BYTES",
    help="Refuse plan files larger than this (default 64 MiB).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="Write the report to a file (atomically).",
)
def check(
    plan_dirs: tuple[Path, ...],
    output_format: str | None,
    strict: bool,
    rev: str | None,
    base: str | None,
    max_file_size: int | None,
    output: Path | None,
) -> None:
    """Check quarter folders: YAML, schema, references, totals, SMART goals, budgets.

    PLAN_DIRS default to every folder under ./plans. Exit status: 0 clean
    (warnings allowed), 1 errors (or warnings with --strict), 2 usage, 3 internal error.
    """
    from planc.core.diagnostics import exit_code
    from planc.core.loader import DEFAULT_MAX_BYTES
    from planc.core.reporters import REPORTER_BY_NAME

    dirs = list(plan_dirs) or _default_plan_dirs()
    limit = max_file_size or DEFAULT_MAX_BYTES
    results = [_check_one(d, rev, limit) for d in dirs]
    if base is not None:
        _add_coverage(results, dirs, base, limit)
    report = REPORTER_BY_NAME[output_format or _default_format()](results)
    if output is not None:
        from planc.core.files import write_atomic

        write_atomic(output, report.encode("utf-8"))
    else:
        click.echo(report, nl=False)
    _append_job_summary(results)
    diagnostics = [d for r in results for d in r.diagnostics]
    sys.exit(exit_code(diagnostics, strict=strict))


def _append_job_summary(results: list[CheckResult]) -> None:
    """Inside GitHub Actions, every diagnostic also goes to the job summary."""
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return
    from planc.core.reporters import markdown

    _github_append("GITHUB_STEP_SUMMARY", markdown(results))


def _add_coverage(results: list[CheckResult], dirs: list[Path], base: str, limit: int) -> None:
    """``check --base``: PLC610 for each target changed since ``base`` without a record."""
    from planc.change.comparison import ComparisonError, coverage_against
    from planc.core.gitsource import GitSourceError

    for result, plan_dir in zip(results, dirs, strict=True):
        try:
            found = coverage_against(result, plan_dir, base, limit)
        except (ComparisonError, GitSourceError) as error:
            _fail_usage(str(error))
        result.diagnostics = sorted([*result.diagnostics, *found], key=lambda d: d.sort_key)


def _default_plan_dirs() -> list[Path]:
    plans = Path("plans")
    found = sorted(p for p in plans.iterdir() if p.is_dir()) if plans.is_dir() else []
    if not found:
        _fail_usage("no plan folders given and none found under ./plans")
    return found


def _check_one(plan_dir: Path, rev: str | None, limit: int) -> CheckResult:
    from planc.core.pipeline import check_directory, check_sources

    if rev is None:
        return check_directory(plan_dir, limit)
    from planc.core.gitsource import GitSourceError, read_revision

    try:
        sources, problems = read_revision(plan_dir, rev, limit)
    except GitSourceError as error:
        _fail_usage(str(error))
    return check_sources(f"{plan_dir} at {rev}", sources, problems, limit)


@cli.command()
@click.argument("code")
def explain(code: str) -> None:
    """Explain a diagnostic code, with a failing and a passing example (e.g. planc explain PLC301)."""
    from planc.checks import RULES

    rule = RULES.get(code.upper())
    if rule is None:
        _fail_usage(f"unknown code {code!r}; `planc rules` lists them all")
    click.echo(f"{rule.code} {rule.slug} [{rule.severity.value}]\n\n{rule.doc}")


@cli.command()
@click.option("--format", "output_format", type=click.Choice(("text", "markdown")), default="text")
def rules(output_format: str) -> None:
    """List every diagnostic code with its severity and summary."""
    from planc.checks import FAMILIES, RULES

    ordered = sorted(RULES.values(), key=lambda r: r.code)
    if output_format == "markdown":
        click.echo("| code | name | severity | family | what it means |")
        click.echo("|---|---|---|---|---|")
        for r in ordered:
            family = FAMILIES.get(r.code[3], "")
            click.echo(f"| {r.code} | {r.slug} | {r.severity.value} | {family} | {r.summary} |")
        return
    for r in ordered:
        click.echo(f"{r.code}  {r.severity.value:<8} {r.slug:<34} {r.summary}")


@cli.command()
def schema() -> None:
    """Print the plan JSON Schema (draft-07), e.g. for an editor or another validator."""
    from planc.core.resources import schema_path

    click.echo(schema_path().read_text(encoding="utf-8"), nl=False)


@cli.command()
@click.argument("plan_dir", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(("csv", "xlsx")),
    default="csv",
    show_default=True,
)
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path),
    help="File to write (atomically). CSV may go to stdout.",
)
def export(plan_dir: Path, output_format: str, out: Path | None) -> None:
    """Export the plan as one flat table (node, person, metric, month, value, ...) for spreadsheets.

    The plan is checked first; with errors nothing is written and the exit status is 1.
    """
    from planc.core.files import write_atomic
    from planc.core.pipeline import check_directory
    from planc.core.reporters import text
    from planc.sheets.export import to_csv, to_xlsx

    if output_format == "xlsx" and out is None:
        _fail_usage("--format xlsx needs --out FILE")
    result = check_directory(plan_dir)
    if result.plan is None or result.has_errors:
        click.echo(text([result]), nl=False, err=True)
        sys.exit(1)
    data = to_xlsx(result.plan) if output_format == "xlsx" else to_csv(result.plan)
    if out is None:
        sys.stdout.buffer.write(data)
        return
    write_atomic(out, data)
    click.echo(f"wrote {out}", err=True)


@cli.command()
@click.argument("plan_dir", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder to write the site to: new, empty, or one planc render made before.",
)
@click.option("--rep", metavar="ID", help="Render one rep's brief only (as DIR/index.html).")
@click.option(
    "--no-peers",
    is_flag=True,
    help="Publish no rep's numbers: no rep briefs, team pages without per-rep splits.",
)
@click.option(
    "--actuals",
    "actuals_file",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="A CRM export (as for planc track): show attained, pace and forecast beside each target.",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="With --actuals: progress up to the end of this day (YYYY-MM-DD). Default: today, "
    "or the quarter's last day once it is over.",
)
def render(
    plan_dir: Path,
    out: Path,
    rep: str | None,
    no_peers: bool,
    actuals_file: Path | None,
    as_of: str | None,
) -> None:
    """Render the plan as a static site: the quarter, every region and team, a brief per rep.

    The plan is checked first: with errors they are printed, nothing is written and
    the exit status is 1. Warnings appear on the site's index. With --actuals, each
    target shows its progress (problems in the export are printed; with errors nothing
    is written and the exit status is 1). Exit status: 0 written, 1 errors in the plan
    or the export, 2 usage (bad option, an --out folder planc did not make).
    """
    from planc.core.gitsource import plan_revision
    from planc.core.pipeline import check_directory, display_path
    from planc.core.reporters import text
    from planc.site.render import RenderOptions, SiteError, render_site

    if as_of is not None and actuals_file is None:
        _fail_usage("--as-of needs --actuals FILE")
    day = _parse_day("--as-of", as_of)
    result = check_directory(plan_dir)
    if result.plan is None or result.has_errors:
        click.echo(text([result]), nl=False)
        sys.exit(1)
    actuals = None
    if actuals_file is not None:
        from planc.site.progress import load_site_actuals
        from planc.track.report import TrackReport, diagnostics_text

        shown = display_path(actuals_file)
        actuals, found = load_site_actuals(result, actuals_file, day, shown)
        if found:
            shown_report = TrackReport(result.label, shown, result, diagnostics=found)
            click.echo(diagnostics_text(shown_report), err=True, nl=False)
        if actuals is None:
            click.echo(f"planc: {shown} cannot be used (see above); nothing written", err=True)
            sys.exit(1)
    options = RenderOptions(rep=rep, peers=not no_peers)
    try:
        report = render_site(result, out, options, plan_revision(plan_dir), actuals)
    except SiteError as error:
        _fail_usage(str(error))
    except OSError as error:
        _fail_usage(f"cannot write the site to {out}: {error.strerror or error}")
    what = f"brief of {rep}" if rep else f"{report.pages} pages"
    click.echo(f"site: {display_path(report.entry)} ({what})")


ALLOCATION_METHODS = ("even", "baseline", "potential", "capacity", "bottom_up", "blend")


@cli.command()
@click.argument("plan_dir", type=click.Path(path_type=Path))
@click.option(
    "--node",
    "node_id",
    required=True,
    metavar="ID",
    help="Node whose target is split among its children (company, region or team id).",
)
@click.option(
    "--metric", "metric_id", required=True, metavar="ID", help="Metric to split, e.g. revenue."
)
@click.option(
    "--method",
    type=click.Choice(ALLOCATION_METHODS),
    default="even",
    show_default=True,
    help="How children are weighed: evenly, by baseline (last year, else last quarter), market potential, capacity (headcount x ramp), bottom-up commitments, or a blend.",
)
@click.option(
    "--weights",
    metavar="C=W,...",
    help="For --method blend: components and weights, e.g. last_year=50,last_quarter=30,capacity=20 (components: even, baseline, last_year, last_quarter, potential, capacity, bottom_up).",
)
@click.option(
    "--uplift",
    metavar="PCT",
    help="Children add up to the parent plus this many percent (default: policy.over_assignment min; must lie inside that band).",
)
@click.option(
    "--months",
    is_flag=True,
    help="Phase every child's target by month (seasonality from baselines, ramp, leavers).",
)
@click.option(
    "--products",
    is_flag=True,
    help="Split every child's target across product lines (its own mix, else the parent's).",
)
@click.option(
    "--cascade",
    is_flag=True,
    help="Split each child's new target among its own children too, down to the reps.",
)
@click.option(
    "--write",
    is_flag=True,
    help="Edit the plan files in place (default: a dry run that only prints the table).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(("text", "json")),
    default="text",
    show_default=True,
)
def allocate(
    plan_dir: Path,
    node_id: str,
    metric_id: str,
    method: str,
    weights: str | None,
    uplift: str | None,
    months: bool,
    products: bool,
    cascade: bool,
    write: bool,
    output_format: str,
) -> None:
    """Split a node's target among its children, exactly (largest-remainder rounding).

    A dry run by default: prints before, after and Δ per child. With --write the
    YAML is edited in place (comments, key order and formatting kept), after the
    edited plan has been checked. Exit status: 0 done, 1 the result would bring
    new errors into the plan (nothing written), 2 usage or bad input.
    """
    from planc.allocate.allocation import AllocationError, allocate_down
    from planc.allocate.report import as_json, table
    from planc.allocate.rewrite import edit_allocation, write_files
    from planc.core.reporters import text

    mix = _parse_weights(weights) if weights is not None else None
    lift = _parse_decimal("--uplift", uplift) if uplift is not None else None
    before = _check_for_edit(plan_dir)
    assert before.plan is not None  # _check_for_edit exits otherwise
    try:
        allocations = allocate_down(
            before.plan,
            node_id,
            metric_id,
            method,
            mix=mix,
            uplift=lift,
            months=months,
            products=products,
            cascade=cascade,
        )
    except AllocationError as error:
        _fail_usage(str(error))
    rewrite = edit_allocation(before, allocations)
    written = sorted(rewrite.files) if write and not rewrite.new_errors else []
    if output_format == "json":
        click.echo(as_json(allocations, written, dry_run=not write), nl=False)
    else:
        click.echo("\n".join(table(a) for a in allocations), nl=False)
    if rewrite.new_errors:
        assert rewrite.result is not None
        rewrite.result.diagnostics = rewrite.new_errors
        click.echo("\nthe edited plan would not pass planc check; nothing written:\n", err=True)
        click.echo(text([rewrite.result]), err=True, nl=False)
        sys.exit(1)
    if write:
        write_files(rewrite.files)
    if output_format == "text":
        files = ", ".join(sorted(rewrite.files)) or "no file"
        if not rewrite.files:
            click.echo("\nnothing to change: the plan already holds this split")
        elif write:
            click.echo(f"\nwrote {files}")
        else:
            click.echo(f"\ndry run: nothing written (--write edits {files})")
        if rewrite.remaining_errors:
            click.echo(
                f"note: {len(rewrite.remaining_errors)} error(s) elsewhere in the plan remain (planc check)"
            )


@cli.command()
@click.argument("new_quarter")
@click.option(
    "--from",
    "old_quarter",
    required=True,
    metavar="QUARTER",
    help="The quarter to roll forward: an id under --plans (e.g. 2027-Q1) or a folder.",
)
@click.option(
    "--actuals",
    type=click.Path(path_type=Path),
    help="CRM export with last quarter's results (and last year's, if it covers them), read by the plan's actuals: mapping.",
)
@click.option(
    "--plans",
    "plans_root",
    type=click.Path(path_type=Path),
    default=Path("plans"),
    show_default=True,
    help="Folder that holds the quarter folders.",
)
@click.option(
    "--growth",
    metavar="PCT",
    help="Growth on the baseline for the top of each metric (default: the middle of policy.growth).",
)
@click.option(
    "--method",
    type=click.Choice(("carry", "even", "baseline", "potential", "capacity", "blend")),
    default="carry",
    show_default=True,
    help="How each level is split: carry last quarter's split per unit of capacity (ramps advanced), or as planc allocate's methods.",
)
@click.option("--weights", metavar="C=W,...", help="For --method blend, as in planc allocate.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Build and check the new quarter, print the summary, write nothing.",
)
def init(
    new_quarter: str,
    old_quarter: str,
    actuals: Path | None,
    plans_root: Path,
    growth: str | None,
    method: str,
    weights: str | None,
    dry_run: bool,
) -> None:
    """Create quarter NEW_QUARTER from the previous one (e.g. planc init 2027-Q2 --from 2027-Q1).

    Org carried over (leavers dropped, ramps advanced), dates shifted, adjustments
    and actions cleared, baselines filled from the history found, targets proposed
    from the growth policy and split top-down. The new folder appears whole or not
    at all, and an existing quarter is never overwritten. Exit status: 0 created,
    1 the proposal does not pass planc check (nothing written), 2 usage or bad input.
    """
    from planc.allocate.rollforward import InitError, roll_forward, write_quarter
    from planc.core.pipeline import display_path
    from planc.core.reporters import text

    old_dir = Path(old_quarter)
    if not old_dir.is_dir():
        old_dir = plans_root / old_quarter
    if not old_dir.is_dir():
        _fail_usage(f"no quarter folder {old_quarter} (looked in {display_path(plans_root)})")
    if "/" in new_quarter or "\\" in new_quarter or new_quarter.startswith("."):
        _fail_usage(f"NEW_QUARTER is a quarter id such as 2027-Q2, not a path: {new_quarter!r}")
    target = old_dir.parent / new_quarter
    if target.exists():
        _fail_usage(f"{display_path(target)} already exists; planc init never overwrites a quarter")
    mix = _parse_weights(weights) if weights is not None else None
    rate = _parse_decimal("--growth", growth) if growth is not None else None
    try:
        made = roll_forward(
            old_dir, new_quarter, actuals=actuals, growth=rate, method=method, mix=mix
        )
    except InitError as error:
        _fail_usage(str(error))
    for line in made.summary:
        click.echo(line)
    if made.result.has_errors:
        click.echo("\nthe new quarter would not pass planc check; nothing written:\n", err=True)
        click.echo(text([made.result]), err=True, nl=False)
        sys.exit(1)
    warnings = sum(1 for d in made.result.diagnostics if d.severity.value == "warning")
    if dry_run:
        click.echo(
            f"dry run: {display_path(target)} not written ({warnings} warning(s) in the proposal)"
        )
        return
    try:
        write_quarter(target, made.files)
    except InitError as error:
        _fail_usage(str(error))
    click.echo(
        f"created {display_path(target)} ({len(made.files)} files, {warnings} warning(s): planc check {display_path(target)})"
    )


def _parse_decimal(option: str, text: str) -> Decimal:
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(text.strip().removesuffix("%"))
    except InvalidOperation:
        _fail_usage(f"{option}: {text!r} is not a number")
    if not value.is_finite():
        _fail_usage(f"{option}: {text!r} is not a number")
    return value


def _parse_weights(text: str) -> dict[str, Decimal]:
    mix: dict[str, Decimal] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, amount = part.partition("=")
        if not sep:
            _fail_usage(f"--weights: {part!r} is not COMPONENT=WEIGHT (e.g. last_year=50)")
        mix[name.strip()] = _parse_decimal(f"--weights {name.strip()}", amount)
    if not mix:
        _fail_usage("--weights: give at least one COMPONENT=WEIGHT")
    return mix


def _check_for_edit(plan_dir: Path) -> CheckResult:
    """Compile the plan an edit starts from; exit 2 when it cannot be read as a plan."""
    from planc.core.pipeline import check_directory
    from planc.core.reporters import text

    result = check_directory(plan_dir)
    if result.plan is None:
        click.echo(text([result]), err=True, nl=False)
        _fail_usage(f"{plan_dir} cannot be read as a plan; fix the errors above first")
    return result


# --- planc diff, propose, codeowners (adjustments as pull requests) ---------------------------

IMPACT_FORMATS = ("text", "markdown", "json")
CAUSES = ("market", "competitor", "policy", "execution", "resources", "reorganisation", "other")


@cli.command()
@click.argument("plan_dirs", nargs=-1, type=click.Path(path_type=Path))
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
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(IMPACT_FORMATS),
    default="text",
    show_default=True,
    help="text for terminals, markdown for one PR comment, json for machines.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="Write the report to a file (atomically).",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when nothing changed, 1 on errors (of any kind), 2 when the plan changed.",
)
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=None,
    metavar="BYTES",
    help="Refuse plan files larger than this (default 64 MiB).",
)
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

    PLAN_DIRS default to the quarter folders under ./plans (at either side).
    Exit status: 0 no errors, 1 errors at head (a check fails, or a change has
    no adjustment record), 2 usage, 3 internal error. With --detailed-exitcode:
    0 no change, 1 error (usage errors too), 2 changes. Inside GitHub Actions,
    has_changes=true|false goes to $GITHUB_OUTPUT and the markdown to the job summary.
    """
    from planc.change.comparison import Comparison, ComparisonError
    from planc.change.impact_report import REPORT_BY_NAME, render_markdown
    from planc.core.gitsource import GitSourceError
    from planc.core.loader import DEFAULT_MAX_BYTES

    def usage(message: str) -> NoReturn:
        click.echo(f"planc: error: {message}", err=True)
        sys.exit(1 if detailed_exitcode else EXIT_USAGE)

    try:
        comparison = Comparison(base, head, approved, max_file_size or DEFAULT_MAX_BYTES)
        dirs = list(plan_dirs) or comparison.default_folders()
        impacts = [comparison.impact(d) for d in dirs]
    except (ComparisonError, GitSourceError) as error:
        usage(str(error))
    report = REPORT_BY_NAME[output_format](impacts)
    if output is not None:
        from planc.core.files import write_atomic

        write_atomic(output, report.encode("utf-8"))
    else:
        click.echo(report, nl=False)
    changed = any(i.has_changes for i in impacts)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        markdown = report if output_format == "markdown" else render_markdown(impacts)
        _github_append("GITHUB_OUTPUT", f"has_changes={'true' if changed else 'false'}\n")
        _github_append("GITHUB_STEP_SUMMARY", markdown)
    if any(i.has_errors for i in impacts):
        sys.exit(1)
    sys.exit(2 if detailed_exitcode and changed else 0)


def _github_append(variable: str, text: str) -> None:
    """Append to a file GitHub Actions names in an environment variable (if it does)."""
    path = os.environ.get(variable)
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)


@cli.command()
@click.argument("plan_dir", required=False, type=click.Path(path_type=Path))
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
    type=click.Path(path_type=Path),
    help="Where to write the PR body (default: .git/planc/PR_BODY.md).",
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
    have none (from --cause, --effective and --note), commits only the plan
    files of one quarter to a new branch and writes the PR body (the markdown
    impact). Your working tree, index and checked-out branch are not touched.
    Exit status: 0 proposed, 1 the plan is not ready, 2 refused (dirty index,
    branch exists, bad option), 3 internal error.
    """
    from planc.change.proposal import ProposalError, ProposalRequest, RecordRequest
    from planc.change.proposal import propose as run_proposal

    record = RecordRequest(
        cause=cause,
        effective=_parse_day("--effective", effective),
        note=note,
        decided=_parse_day("--date", decided),
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


def _parse_day(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        _fail_usage(f"{option} {text!r} is not a date: write YYYY-MM-DD")


@cli.command()
@click.argument("plan_dirs", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="The CODEOWNERS file (default: the repository's, else .github/CODEOWNERS).",
)
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 if out of date.")
def codeowners(plan_dirs: tuple[Path, ...], output: Path | None, check_only: bool) -> None:
    """Write CODEOWNERS lines from the plans' owners: each region file to its owner's
    GitHub handle, the quarter file and folder to the plan owner.

    Lines outside the planc block are kept. PLAN_DIRS default to every folder under ./plans.
    """
    from planc.change.codeowners import location, merge, owner_lines
    from planc.core.files import write_atomic
    from planc.core.gitsource import GitSourceError, Repository
    from planc.core.pipeline import check_directory
    from planc.core.reporters import text

    dirs = list(plan_dirs) or _default_plan_dirs()
    try:
        repo = Repository.open(dirs[0])
    except GitSourceError as error:
        _fail_usage(f"{error}: CODEOWNERS paths are relative to the repository root")
    lines: list[str] = []
    for plan_dir in dirs:
        result = check_directory(plan_dir)
        if result.plan is None:
            click.echo(text([result]), err=True, nl=False)
            _fail_usage(f"{plan_dir} cannot be read as a plan; fix the errors above first")
        try:
            files = {shown: repo.relative(Path(shown)) for shown in result.sources}
            ownership = owner_lines(result.plan, repo.relative(plan_dir), files)
        except GitSourceError as error:
            _fail_usage(str(error))
        for warning in ownership.warnings:
            click.echo(f"planc: warning: {warning}", err=True)
        lines += ownership.lines
    target = output or location(repo.root)
    existing = target.read_text(encoding="utf-8") if target.is_file() else None
    updated = merge(existing, lines)
    shown = os.path.relpath(target)
    if check_only:
        if updated != existing:
            click.echo(f"{shown} is out of date: run planc codeowners", err=True)
            sys.exit(1)
        click.echo(f"{shown} is up to date")
        return
    if updated == existing:
        click.echo(f"{shown} is up to date")
        return
    write_atomic(target, updated.encode("utf-8"))
    click.echo(f"wrote {len(lines)} owner lines to {shown}")


@cli.command()
@click.argument("plan_dir", type=click.Path(path_type=Path))
@click.option(
    "--actuals",
    "actuals_file",
    required=True,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="The CRM export: .csv (or .tsv, .txt), .xlsx or .parquet.",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="Track up to the end of this day (YYYY-MM-DD). Default: today, or the quarter's "
    "last day once it is over.",
)
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(("text", "json", "markdown", "csv")),
    default="text",
    help="text for a terminal, json, markdown for a weekly review, csv for a spreadsheet.",
)
@click.option(
    "--baselines",
    is_flag=True,
    help="Also compute each target's last quarter and same quarter last year from the export.",
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="Write the report to a file (atomically).",
)
def track(
    plan_dir: Path,
    actuals_file: Path,
    as_of: str | None,
    output_format: str,
    baselines: bool,
    strict: bool,
    output: Path | None,
) -> None:
    """Track a quarter against a CRM export: attainment, pace, forecast, early warnings.

    Reads the export with the plan's actuals: mapping, prints a ledger of every
    row (counted, or excluded and why) and, per metric, each target's attainment,
    pace to date, run-rate forecast and months. Early warnings (PLC720, PLC721) and
    problems in the export (PLC70x, PLC71x) are diagnostics. Exit status: 0 tracked
    (warnings allowed), 1 errors in the plan or the export (or warnings with
    --strict), 2 usage.
    """
    from datetime import date

    from planc.track.report import REPORTER_BY_NAME, diagnostics_text, run_track

    day = None
    if as_of is not None:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            _fail_usage(f"--as-of {as_of!r} is not a date; write YYYY-MM-DD")
    report = run_track(plan_dir, actuals_file, day, baselines=baselines)
    rendered = REPORTER_BY_NAME[output_format](report)
    if output_format == "csv" and report.diagnostics:
        click.echo(diagnostics_text(report), err=True, nl=False)
    if output is not None:
        from planc.core.files import write_atomic

        write_atomic(output, rendered.encode("utf-8"))
    else:
        click.echo(rendered, nl=False)
    sys.exit(report.exit_code(strict=strict))


def main() -> None:
    """Entry point: no traceback ever reaches the user."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("planc: aborted", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_USAGE)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the last line of defence: report, never a traceback
        click.echo(
            f"planc: internal error: {type(error).__name__}: {error}\n"
            "This is a bug in planc, not in your plan. Please report it with the command you ran.",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
