"""``planc track``: a quarter against a CRM export."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from planc.cli.options import (
    GivenPath,
    actuals_files,
    actuals_option,
    as_of_option,
    emit_report,
    format_option,
    output_option,
    parse_day,
    plan_dir_argument,
    refuse_overwriting_inputs,
    strict_option,
)


@click.command()
@plan_dir_argument
@actuals_option
@as_of_option("Track up to the end of this day")
@format_option(
    ("text", "json", "markdown", "csv"),
    "text for a terminal, json, markdown for a weekly review, csv for a spreadsheet.",
)
@click.option(
    "--accounts",
    "accounts_file",
    type=GivenPath(),
    metavar="FILE",
    help="The CRM's accounts (.csv): puts each account in its customer segment (segments:) and shows each segment's won amount.",
)
@click.option(
    "--baselines",
    is_flag=True,
    help="Also compute each target's last quarter and same quarter last year from the export.",
)
@strict_option
@output_option
def track(
    plan_dir: Path,
    actuals: tuple[str, ...],
    as_of: str | None,
    output_format: str,
    accounts_file: Path | None,
    baselines: bool,
    strict: bool,
    output: Path | None,
) -> None:
    """Track a quarter against a CRM export: attainment, pace, forecast, early warnings.

    Reads the export with the plan's actuals: mapping (or each source's export
    with its own, --actuals NAME=FILE per source), prints a ledger of every
    row (counted, or excluded and why) and, per metric, each target's attainment,
    pace to date, run-rate forecast and months. Early warnings (PLC720, PLC721) and
    problems in the export (PLC70x, PLC71x) are diagnostics. Exit status: 0 tracked
    (warnings allowed), 1 errors in the plan or the export (or warnings with
    --strict), 2 usage or a database source that cannot be read (PLC79x).
    """
    from planc.core.memory import gc_paused
    from planc.track.report import REPORTER_BY_NAME, NoActualsSource, diagnostics_text, run_track

    day = parse_day("--as-of", as_of)
    inputs: list[Path | str] = [*actuals_files(actuals)]
    if accounts_file is not None:
        inputs.append(accounts_file)
    refuse_overwriting_inputs(output, "--output", folders=[plan_dir], files=inputs)
    try:
        report = run_track(plan_dir, actuals, day, baselines=baselines, accounts_path=accounts_file)
    except NoActualsSource as error:
        raise click.UsageError(str(error)) from error
    # what is alive now lives until the process ends: frozen, neither the report's
    # rendering nor the interpreter's last collection at exit walks it again (measured at
    # 1M rows: ~0.025 s CPU of shutdown)
    with gc_paused(freeze=True):
        rendered = REPORTER_BY_NAME[output_format](report)
        if report.source_failed and output is not None:  # no database: say why, write nothing
            click.echo(diagnostics_text(report), err=True, nl=False)
        else:
            if output_format == "csv" and report.diagnostics:
                click.echo(diagnostics_text(report), err=True, nl=False)
            emit_report(rendered, output)
    sys.exit(report.exit_code(strict=strict))
