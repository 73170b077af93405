"""``planc export``: the plan as one flat table for spreadsheets."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from planc.cli.options import (
    OutputPath,
    fail_usage,
    format_option,
    plan_dir_argument,
    refuse_overwriting_inputs,
)


@click.command()
@plan_dir_argument
@format_option(
    ("csv", "xlsx"),
    "csv: UTF-8 with a byte-order mark, to --out or stdout; xlsx: a workbook for --out "
    "(the export extra) that planc import --update reads back.",
)
@click.option(
    "--out",
    "-o",
    type=OutputPath(),
    help="File to write (atomically). CSV may go to stdout.",
)
def export(plan_dir: Path, output_format: str, out: Path | None) -> None:
    """Export the plan as one flat table (node, person, metric, month, value, ...) for spreadsheets.

    The plan is checked first; with errors nothing is written and the exit status is 1.
    An XLSX export carries a hidden sheet (plan, quarter, revision) so that
    numbers edited in it can come back with planc import --update.
    """
    from planc.checks import check_directory
    from planc.core.files import write_atomic
    from planc.core.reporters import text
    from planc.sheets.export import plan_revision, require_xlsx, to_csv, to_xlsx

    if output_format == "xlsx" and out is None:
        fail_usage("--format xlsx needs --out FILE")
    if output_format == "xlsx":
        require_xlsx()  # before the plan is compiled: name the missing extra at once
    refuse_overwriting_inputs(out, "--out", folders=[plan_dir])
    result = check_directory(plan_dir)
    if result.plan is None or result.has_errors:
        click.echo(text([result]), nl=False, err=True)
        sys.exit(1)
    data = (
        to_xlsx(result.plan, plan_revision(result))
        if output_format == "xlsx"
        else to_csv(result.plan)
    )
    if out is None:
        # buffered even under PYTHONUNBUFFERED (planc.cli._stdout_written_whole): a reader
        # gone mid-write fails the write (SIGPIPE, not exit 0)
        sys.stdout.buffer.write(data)
        return
    write_atomic(out, data)
    click.echo(f"wrote {out}", err=True)
