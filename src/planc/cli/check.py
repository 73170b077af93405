"""``planc check``: compile quarter folders and report every diagnostic."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from planc.cli.options import (
    cache_dir_option,
    default_plan_dirs,
    emit_report,
    expand_plan_dirs,
    fail_usage,
    format_option,
    github_append,
    in_github_actions,
    max_file_size_option,
    no_cache_option,
    open_cache,
    output_option,
    plan_dirs_argument,
    refuse_overwriting_inputs,
    strict_option,
)

if TYPE_CHECKING:
    from planc.core.cache import UnitCache
    from planc.core.pipeline import CheckResult

FORMATS = ("text", "json", "github", "sarif", "markdown")


def default_format() -> str:
    return "github" if in_github_actions() else "text"


@click.command()
@plan_dirs_argument
@format_option(
    FORMATS,
    "Output format. Default: github inside GitHub Actions, text elsewhere.",
    shown_default=False,
)
@strict_option
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
@max_file_size_option
@output_option
@no_cache_option("Compile every file again; read and write no cache.")
@cache_dir_option
def check(
    plan_dirs: tuple[Path, ...],
    output_format: str | None,
    strict: bool,
    rev: str | None,
    base: str | None,
    max_file_size: int | None,
    output: Path | None,
    no_cache: bool,
    cache_dir: Path | None,
) -> None:
    """Check quarter folders: YAML, schema, references, totals, SMART goals, budgets.

    PLAN_DIRS default to every folder under ./plans; a folder with no plan file of its
    own but a quarter folder in it (plans; a README or other files may be there) stands
    for the folders in it (with --rev, both as that revision holds them). Exit status:
    0 clean (warnings allowed), 1 errors (or warnings with --strict), 2 usage, 3 internal error.
    Inside GitHub Actions, --format github (the default there) also writes every
    diagnostic to the job summary and error_count, warning_count to $GITHUB_OUTPUT.
    """
    from planc.core.memory import gc_paused

    # what a check imports is long-lived (modules, classes, functions): no pass of the cyclic
    # collector over it while it is made, nor after (frozen): ~10 ms of a warm check
    with gc_paused(freeze=True):
        import planc.checks  # noqa: F401 - the checks and the pipeline, used below
        from planc.core.diagnostics import exit_code
        from planc.core.loader import DEFAULT_MAX_BYTES
        from planc.core.reporters import REPORTER_BY_NAME

    dirs = expand_plan_dirs(plan_dirs, rev) or _default_dirs(rev)
    compared = [Path(base)] if base and Path(base).is_dir() else []  # --base DIR is read too
    refuse_overwriting_inputs(output, "--output", folders=[*dirs, *compared])
    limit = max_file_size or DEFAULT_MAX_BYTES
    whole = base is not None  # --base compares models: the full compile keeps the plan
    results = [_check_one(d, rev, limit, open_cache(d, no_cache, cache_dir), whole) for d in dirs]
    if base is not None:
        _add_coverage(results, dirs, base, limit)
    chosen = output_format or default_format()
    emit_report(REPORTER_BY_NAME[chosen](results), output)
    if chosen == "github":
        _report_to_github(results)
    diagnostics = [d for r in results for d in r.diagnostics]
    sys.exit(exit_code(diagnostics, strict=strict))


def _report_to_github(results: list[CheckResult]) -> None:
    """With the annotations, inside GitHub Actions: every diagnostic in the job summary
    (GitHub shows only 10 annotations of a kind per step) and the counts as step outputs.

    Only the ``github`` format does this, so a job that also asks for SARIF or JSON
    (a second ``planc check``) gets the summary once, not once per call.
    """
    if not in_github_actions():
        return
    from planc.core.diagnostics import Counts
    from planc.core.reporters import markdown

    github_append("GITHUB_STEP_SUMMARY", markdown(results))
    counts = Counts.of(d for r in results for d in r.diagnostics)
    github_append(
        "GITHUB_OUTPUT", f"error_count={counts.errors}\nwarning_count={counts.warnings}\n"
    )


def _add_coverage(results: list[CheckResult], dirs: list[Path], base: str, limit: int) -> None:
    """``check --base``: PLC610 for each target changed since ``base`` without a record."""
    from planc.change.comparison import ComparisonError, coverage_against
    from planc.core.gitsource import GitSourceError

    for result, plan_dir in zip(results, dirs, strict=True):
        try:
            found = coverage_against(result, plan_dir, base, limit)
        except (ComparisonError, GitSourceError) as error:
            fail_usage(str(error))
        result.diagnostics = sorted([*result.diagnostics, *found], key=lambda d: d.sort_key)


def _check_one(
    plan_dir: Path, rev: str | None, limit: int, store: UnitCache | None, whole: bool
) -> CheckResult:
    from planc.checks import check_directory, check_sources

    if rev is None:
        return check_directory(plan_dir, limit, store, whole=whole)
    from planc.core.gitsource import GitSourceError, read_revision

    try:
        sources, problems, above = read_revision(plan_dir, rev, limit)
    except GitSourceError as error:
        fail_usage(str(error))
    label = f"{plan_dir} at {rev}"
    return check_sources(label, sources, problems, limit, store, whole=whole, quarter_above=above)


def _default_dirs(rev: str | None) -> list[Path]:
    """The quarter folders under ./plans; with --rev, as that revision holds them, as for
    ``planc check plans --rev REV`` (on disk, a folder not committed yet would be "does not
    exist at revision", one deleted since left out), else as on disk."""
    if rev is not None:
        plans = Path("plans")
        found = expand_plan_dirs((plans,), rev)
        if found != [plans]:
            return found
    return default_plan_dirs(rev)
