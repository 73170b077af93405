"""``planc backtest``: replay a CRM export at past dates; run-rate and pipeline against the close."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from planc.cli.options import (
    actuals_files,
    emit_report,
    fail_usage,
    format_option,
    output_option,
    plan_dir_argument,
    refuse_overwriting_inputs,
)

if TYPE_CHECKING:  # imported in the command: `planc --help` stays instant
    from planc.core.model import Plan

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
    metavar="LIST",
    help="Calendar quarters to replay, comma-separated: 2017-Q2,2017-Q3. Default: the "
    "last four quarters that are over and that the export covers in full (a dated row "
    "in each of their months).",
)
@format_option(
    ("text", "markdown", "json"), "text for a terminal, markdown for docs, json for machines."
)
@output_option
def backtest(
    plan_dir: Path,
    actuals_value: str,
    quarters: str | None,
    output_format: str,
    output: Path | None,
) -> None:
    """Replay an export at a third, half and two thirds of past quarters.

    At each date the export is read as it stood then (deals closed later are
    open), and the run-rate and pipeline forecasts of the company and of every
    rep are compared with what the quarter finally closed. The plan gives the
    people and the mapping; its own quarter and targets are not used. Without
    --quarters, the quarters replayed are named on stderr. Exit status: 0 done,
    1 errors in the plan or the export, 2 usage.
    """
    from planc.track import backtest as bt

    labels = None if quarters is None else _named_quarters(quarters)
    refuse_overwriting_inputs(
        output, "--output", folders=[plan_dir], files=actuals_files([actuals_value])
    )
    plan, actuals_file = _plan_and_export(plan_dir, actuals_value)
    if labels is None:
        labels = _default_quarters(plan, actuals_file)
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


def _named_quarters(quarters: str) -> list[str]:
    """``--quarters`` as labels, each once (a thousand copies took minutes); exit 2 if one
    is not a quarter."""
    from planc.track.backtest import parse_quarter

    labels = list(dict.fromkeys(q.strip() for q in quarters.split(",") if q.strip()))
    bad = [q for q in labels if parse_quarter(q) is None]
    if bad or not labels:
        shown = ", ".join(bad) or repr(quarters)
        fail_usage(f"--quarters: {shown} is not a quarter such as 2017-Q3")
    if len(labels) > MAX_QUARTERS:
        fail_usage(
            f"--quarters: {len(labels):,} quarters; replay at most {MAX_QUARTERS} "
            "in one run (the ones the export covers)"
        )
    return labels


def _plan_and_export(plan_dir: Path, actuals_value: str) -> tuple[Plan, Path]:
    """The plan as the replayed source reads it, and its export; exit 1 on errors in the
    plan, 2 when the export cannot be replayed (no source given, no created dates)."""
    from planc.checks import check_directory
    from planc.core.reporters import REPORTER_BY_NAME
    from planc.core.spans import SpanResolver
    from planc.track.sources import SourceChoiceError, choose_sources

    checked = check_directory(plan_dir)
    if checked.plan is None or checked.has_errors:
        click.echo(REPORTER_BY_NAME["text"]([checked]), nl=False)
        sys.exit(1)
    resolver = SpanResolver(checked.sources)
    try:
        chosen = choose_sources(
            checked.plan, [actuals_value], lambda loc: str(resolver.resolve(loc)), every=False
        )
    except SourceChoiceError as error:
        fail_usage(str(error))
    source = next(c for c in chosen if c.path is not None)
    plan, actuals_file = source.plan_view(checked.plan), source.path
    assert actuals_file is not None
    if plan.actuals is None or "created" not in plan.actuals.columns:
        fail_usage(
            "the backtest replays the pipeline forecast: map actuals.columns.created "
            "(the date a deal was created) in the quarter file"
        )
    return plan, actuals_file


def _default_quarters(plan: Plan, actuals_file: Path) -> list[str]:
    """The quarters replayed when ``--quarters`` is not given (named on stderr, so the user
    knows what the table covers); exit 1 if the export cannot be read, 2 if none fits."""
    from datetime import date

    from planc.track import backtest as bt

    labels, problems, covered = bt.default_quarters(
        plan, actuals_file, date.today(), shown=str(actuals_file)
    )
    if problems:
        for d in problems:
            click.echo(f"{d.span}: {d.code} [{d.severity.value}] {d.message}", err=True)
        sys.exit(1)
    if not labels:
        if not covered:
            fail_usage(f"{actuals_file} has no dated rows: there is no quarter to replay")
        first, last = bt.month_label(min(covered)), bt.month_label(max(covered))
        fail_usage(
            f"{actuals_file} covers no quarter that is over in full (its dated rows run from "
            f"{first} to {last}); name the quarters to replay, e.g. --quarters "
            f"{bt.quarter_label(max(covered))}"
        )
    click.echo(
        f"planc: replaying {', '.join(labels)}: the last quarters (up to {bt.LAST}) that are "
        f"over and that {actuals_file} covers in full; name others with --quarters",
        err=True,
    )
    return labels
