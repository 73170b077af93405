"""The ``planc`` command: one module per command or group, shared options in ``options``.

Each command parses its arguments, calls one function of a capability, prints,
and chooses the exit code. Heavy modules (YAML, schema, checks, pandas, git) are
imported inside the commands so that ``planc --help`` stays instant.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import click

from planc.cli import (
    allocate,
    backtest,
    change,
    check,
    comment,
    explain,
    export,
    importing,
    lsp,
    render,
    track,
)
from planc.cli.options import EXIT_INTERNAL, EXIT_USAGE
from planc.core.files import UnusableOutput

DEBUG_VARIABLE = "PLANC_DEBUG"


class _Asked:
    """What the group's options asked for, read by main() after the command failed."""

    debug = False


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="planc", prog_name="planc")
@click.option(
    "--debug",
    is_flag=True,
    help=f"On an internal error (exit 3), print the traceback too (or set {DEBUG_VARIABLE}=1).",
)
def cli(debug: bool) -> None:
    """planc: a plan-as-code compiler for sales teams.

    Quarterly targets live as YAML under plans/<quarter>/; planc proves that
    totals reconcile and goals are SMART, and points at file:line:col when
    they do not.
    """
    _Asked.debug = debug


for command in (
    check.check,
    explain.explain,
    explain.rules,
    explain.schema,
    export.export,
    importing.import_,
    render.render,
    allocate.allocate,
    allocate.init,
    change.diff,
    change.propose,
    change.codeowners,
    comment.comment,
    track.track,
    backtest.backtest,
    lsp.lsp,
):
    cli.add_command(command)


def main() -> None:
    """Entry point: no traceback ever reaches the user (unless asked for with --debug)."""
    _Asked.debug = False
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("planc: aborted", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_USAGE)
    except UnusableOutput as error:
        # checked while parsing; this is a path that changed (or a parent made) since
        click.echo(f"planc: error: {error}", err=True)
        sys.exit(EXIT_USAGE)
    except ModuleNotFoundError as error:
        # An optional package that is not installed: name the extra that brings it.
        from planc.core.extras import MissingExtra, missing_extra_for

        missing = error if isinstance(error, MissingExtra) else missing_extra_for(error)
        if missing is None:
            _internal_error(error)
        click.echo(f"planc: error: {missing}", err=True)
        sys.exit(EXIT_USAGE)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the last line of defence: report, never a traceback
        _internal_error(error)


def _internal_error(error: BaseException) -> NoReturn:
    """One line to report (the traceback only when asked for), then exit 3."""
    if debug_requested():
        import traceback  # only on an internal error: start-up stays lean

        traceback.print_exception(error, file=sys.stderr)
    said = " ".join(str(error).split())
    said = said if len(said) <= 200 else said[:197] + "..."
    click.echo(
        f"planc: internal error: {type(error).__name__}{': ' + said if said else ''} "
        f"(a bug in planc, not in your plan; re-run as `planc --debug ...` or with {DEBUG_VARIABLE}=1 "
        "for the traceback, and report it with the command you ran)",
        err=True,
    )
    sys.exit(EXIT_INTERNAL)


def debug_requested() -> bool:
    """``planc --debug ...`` or ``PLANC_DEBUG=1`` (any value but empty, 0 or false)."""
    return _Asked.debug or os.environ.get(DEBUG_VARIABLE, "").strip().lower() not in (
        "",
        "0",
        "false",
        "no",
    )
