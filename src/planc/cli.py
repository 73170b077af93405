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
    from planc.pipeline import CheckResult

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
    max_file_size: int | None,
    output: Path | None,
) -> None:
    """Check quarter folders: YAML, schema, references, totals, SMART goals, budgets.

    PLAN_DIRS default to every folder under ./plans. Exit status: 0 clean
    (warnings allowed), 1 errors (or warnings with --strict), 2 usage, 3 internal error.
    """
    from planc.diagnostics import exit_code
    from planc.loader import DEFAULT_MAX_BYTES
    from planc.reporters import REPORTER_BY_NAME

    dirs = list(plan_dirs) or _default_plan_dirs()
    limit = max_file_size or DEFAULT_MAX_BYTES
    results = [_check_one(d, rev, limit) for d in dirs]
    report = REPORTER_BY_NAME[output_format or _default_format()](results)
    if output is not None:
        from planc.files import write_atomic

        write_atomic(output, report.encode("utf-8"))
    else:
        click.echo(report, nl=False)
    _append_job_summary(results)
    diagnostics = [d for r in results for d in r.diagnostics]
    sys.exit(exit_code(diagnostics, strict=strict))


def _append_job_summary(results: list[CheckResult]) -> None:
    """Inside GitHub Actions, every diagnostic also goes to the job summary."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if os.environ.get("GITHUB_ACTIONS") != "true" or not summary:
        return
    from planc.reporters import markdown

    with open(summary, "a", encoding="utf-8") as handle:
        handle.write(markdown(results))


def _default_plan_dirs() -> list[Path]:
    plans = Path("plans")
    found = sorted(p for p in plans.iterdir() if p.is_dir()) if plans.is_dir() else []
    if not found:
        _fail_usage("no plan folders given and none found under ./plans")
    return found


def _check_one(plan_dir: Path, rev: str | None, limit: int) -> CheckResult:
    from planc.pipeline import check_directory, check_sources

    if rev is None:
        return check_directory(plan_dir, limit)
    from planc.gitsource import GitSourceError, read_revision

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
    from planc.resources import schema_path

    click.echo(schema_path().read_text(encoding="utf-8"), nl=False)


@cli.command()
@click.argument("plan_dir", type=click.Path(path_type=Path))
@click.option(
    "--format", "output_format", type=click.Choice(("csv", "xlsx")), default="csv", show_default=True
)
@click.option(
    "--out", "-o", type=click.Path(path_type=Path), help="File to write (atomically). CSV may go to stdout."
)
def export(plan_dir: Path, output_format: str, out: Path | None) -> None:
    """Export the plan as one flat table (node, person, metric, month, value, ...) for spreadsheets.

    The plan is checked first; with errors nothing is written and the exit status is 1.
    """
    from planc.export import to_csv, to_xlsx
    from planc.files import write_atomic
    from planc.pipeline import check_directory
    from planc.reporters import text

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
