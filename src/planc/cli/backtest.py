"""``planc backtest``: replay a CRM export at past dates; run-rate and pipeline against the close."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from planc.cli.options import (
    EXIT_USAGE,
    actuals_files,
    emit_report,
    format_option,
    output_option,
    plan_dir_argument,
    refuse_overwriting_inputs,
)

# Each quarter replayed reads the export at three dates (~0.05 s of CPU); 8,000 quarters
# asked for in one argument ran for minutes. 25 years of quarters is more than exports hold.
MAX_QUARTERS = 100


@click.command()
@plan_dir_argument
@click.option(
    "--actuals",
    "actuals_value",
    required=True,
    metavar="FILE|NAME=FILE",
    help="The CRM export, with created dates (actuals.columns.created); "
    "with several actuals sources, NAME=FILE for the one to replay.",
)
@click.option(
    "--quarters",
    required=True,
    metavar="LIST",
    help="Calendar quarters to replay, comma-separated: 2017-Q2,2017-Q3.",
)
@format_option(
    ("text", "markdown", "json"), "text for a terminal, markdown for docs, json for machines."
)
@output_option
def backtest(
    plan_dir: Path,
    actuals_value: str,
    quarters: str,
    output_format: str,
    output: Path | None,
) -> None:
    """Replay an export at a third, half and two thirds of past quarters.

    At each date the export is read as it stood then (deals closed later are
    open), and the run-rate and pipeline forecasts of the company and of every
    rep are compared with what the quarter finally closed. The plan gives the
    people and the mapping; its own quarter and targets are not used. Exit
    status: 0 done, 1 errors in the plan or the export, 2 usage.
    """
    from planc.checks import check_directory
    from planc.core.reporters import REPORTER_BY_NAME
    from planc.track import backtest as bt

    # a quarter named twice is replayed once (a thousand copies took minutes)
    labels = list(dict.fromkeys(q.strip() for q in quarters.split(",") if q.strip()))
    bad = [q for q in labels if bt.parse_quarter(q) is None]
    if bad or not labels:
        shown = ", ".join(bad) or repr(quarters)
        click.echo(f"error: --quarters: {shown} is not a quarter such as 2017-Q3", err=True)
        sys.exit(EXIT_USAGE)
    if len(labels) > MAX_QUARTERS:
        click.echo(
            f"error: --quarters: {len(labels):,} quarters; replay at most {MAX_QUARTERS} "
            "in one run (the ones the export covers)",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    files = actuals_files([actuals_value])
    refuse_overwriting_inputs(output, "--output", folders=[plan_dir], files=files)
    checked = check_directory(plan_dir)
    if checked.plan is None or checked.has_errors:
        click.echo(REPORTER_BY_NAME["text"]([checked]), nl=False)
        sys.exit(1)
    from planc.core.spans import SpanResolver
    from planc.track.sources import SourceChoiceError, choose_sources

    resolver = SpanResolver(checked.sources)
    try:
        chosen = choose_sources(
            checked.plan, [actuals_value], lambda loc: str(resolver.resolve(loc)), every=False
        )
    except SourceChoiceError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_USAGE)
    source = next(c for c in chosen if c.path is not None)
    plan, actuals_file = source.plan_view(checked.plan), source.path
    assert actuals_file is not None
    if plan.actuals is None or "created" not in plan.actuals.columns:
        click.echo(
            "error: the backtest replays the pipeline forecast: map actuals.columns.created "
            "(the date a deal was created) in the quarter file",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    result = bt.run_backtest(plan, actuals_file, labels, shown=str(actuals_file))
    for d in result.diagnostics:  # warnings too: an owner not counted changes every figure
        click.echo(f"{d.span}: {d.code} [{d.severity.value}] {d.message}", err=True)
    if result.failed or not result.points:
        sys.exit(1)
    for label in result.nothing_closed:
        click.echo(
            f"planc: warning: no deal of {actuals_file} closed won in {label}: its errors "
            "cannot be measured (shown as -); replay quarters the export covers",
            err=True,
        )
    if output_format == "json":
        rendered = json.dumps(bt.as_json(result), indent=2) + "\n"
    elif output_format == "markdown":
        rendered = bt.as_markdown(result)
    else:
        rendered = bt.as_text(result)
    emit_report(rendered, output)
