"""The ``planc`` command: one module per command or group, shared options in ``options``.

Each command parses its arguments, calls one function of a capability, prints,
and chooses the exit code. Heavy modules (YAML, schema, checks, pandas, git) are
imported inside the commands so that ``planc --help`` stays instant.
"""

from __future__ import annotations

import errno
import importlib
import io
import os
import sys
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any, NoReturn

import click

from planc.cli.options import EXIT_INTERNAL, EXIT_USAGE
from planc.core.files import InputChanged, UnusableOutput

DEBUG_VARIABLE = "PLANC_DEBUG"


class _Asked:
    """What the group's options asked for, read by main() after the command failed."""

    debug = False


# Each command: the module under planc.cli that defines it and its name there, in the
# order `planc --help` has always listed them (click sorts them anyway).
COMMANDS = {
    "check": ("check", "check"),
    "explain": ("explain", "explain"),
    "rules": ("explain", "rules"),
    "schema": ("explain", "schema"),
    "export": ("export", "export"),
    "import": ("importing", "import_"),
    "render": ("render", "render"),
    "allocate": ("allocate", "allocate"),
    "init": ("allocate", "init"),
    "diff": ("change", "diff"),
    "propose": ("change", "propose"),
    "codeowners": ("change", "codeowners"),
    "comment": ("comment", "comment"),
    "track": ("track", "track"),
    "backtest": ("backtest", "backtest"),
    "lsp": ("lsp", "lsp"),
}


class _Commands(MutableMapping[str, click.Command]):
    """The group's commands, each module imported when its command is first looked up:
    `planc track` does not import the other ten command modules (allocate's alone pulls
    in the cache and its writers). Listing the names imports nothing."""

    def __init__(self) -> None:
        self._loaded: dict[str, click.Command] = {}
        self._names = list(COMMANDS)

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            if name not in COMMANDS:
                raise KeyError(name)
            module, attribute = COMMANDS[name]
            command = getattr(importlib.import_module(f"planc.cli.{module}"), attribute)
            assert isinstance(command, click.Command) and command.name == name
            self._loaded[name] = command
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        if name not in self._names:
            self._names.append(name)
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        self._names.remove(name)
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name: object) -> bool:
        return name in self._names


class ReaderGone(Exception):
    """Standard output's reader went away (``planc rules | head -1``): see :func:`_reader_gone`."""


@contextmanager
def _stdout_watched() -> Iterator[None]:
    """A broken pipe on standard output as :class:`ReaderGone`: click would end the process
    itself (exit 1, the status of a plan with errors) on any EPIPE it sees."""
    try:
        yield
    except BrokenPipeError as error:
        if _stdout_gone():
            raise ReaderGone from error
        raise


class _Group(click.Group):
    """The group, each command's output watched for a reader gone: while the arguments are
    parsed (--help, --version print there) and while the command runs."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        with _stdout_watched():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with _stdout_watched():
            return super().invoke(ctx)


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    commands=_Commands(),
)
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


def main() -> None:
    """Entry point: no traceback ever reaches the user (unless asked for with --debug)."""
    _Asked.debug = False
    try:
        _run()
    except click.exceptions.Abort:
        click.echo("planc: aborted", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as error:
        from planc.cli.options import echoed_safely

        # click echoes a bad value whole (`-f <5,000 characters>`): shortened as planc's own
        # (click's stubs declare `message` Final; it is a plain instance attribute)
        vars(error)["message"] = echoed_safely(error.message, lines=True)
        error.show()
        sys.exit(EXIT_USAGE)
    except UnusableOutput as error:
        # checked while parsing; this is a path that changed (or a parent made) since
        click.echo(f"planc: error: {error}", err=True)
        sys.exit(EXIT_USAGE)
    except InputChanged as error:  # an export read twice changed in between: nothing written
        from planc.core.safetext import printable  # only on this error: start-up stays lean

        click.echo(f"planc: error: {printable(str(error))}", err=True)
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
    except OSError as error:
        if error.errno in _OUTPUT_FULL:
            _output_full(error)
        if error.errno != errno.ENAMETOOLONG:
            _internal_error(error)
        # planc's own file names are short: a name over the file system's limit is one given
        # on the command line (Python 3.11's Path.exists() and is_dir() raise on it).
        click.echo(f"planc: error: {_name_too_long(error)}", err=True)
        sys.exit(EXIT_USAGE)
    except Exception as error:  # noqa: BLE001 - the last line of defence: report, never a traceback
        _internal_error(error)


def _run() -> None:
    """The command, then what it left buffered on standard output flushed here, where a
    failure is reported (at exit, Python would print its own message and exit 120)."""
    _stdout_written_whole()
    try:
        with _stdout_watched():
            try:
                cli.main(standalone_mode=False)
            finally:
                if sys.stdout is not None and not sys.stdout.closed:
                    sys.stdout.flush()
    except ReaderGone:
        _reader_gone()


def _stdout_written_whole() -> None:
    """Standard output buffered again where ``PYTHONUNBUFFERED`` (``python -u``) left it the
    file itself: the write a reader gone mid-way (``planc check -f json PLAN | head -c 100``)
    left half done returns what it wrote, the text layer over it ignores the count and
    tries no more, and the report cut short ended as if whole, exit 0. A buffered writer
    writes the rest, which fails as any write to a gone reader does (:func:`_reader_gone`).
    Written through, as unbuffered: click.echo flushes each message, and so does the
    language server, so the output still leaves at once."""
    stream = sys.stdout
    if not isinstance(stream, io.TextIOWrapper) or not isinstance(stream.buffer, io.FileIO):
        return  # buffered already, or no file behind it (click's test runner, pythonw)
    raw = io.FileIO(stream.fileno(), "w", closefd=False)  # fd 1 stays sys.__stdout__'s
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(raw),
        encoding=stream.encoding,
        errors=stream.errors,
        newline=None if os.name == "nt" else "\n",  # as Python opens standard output
        line_buffering=stream.line_buffering,
        write_through=True,
    )


# A full disk or quota, a file over the size limit: the output (standard output redirected
# to a file or /dev/full; an -o file is reported where it is written) cannot be written.
_OUTPUT_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _output_full(error: OSError) -> NoReturn:
    where = f": {os.fsdecode(error.filename)}" if error.filename is not None else ""
    click.echo(f"planc: error: cannot write the output{where}: {error.strerror}", err=True)
    # what is still buffered for standard output would fail again when Python exits, with
    # a message of its own and exit status 120
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no file descriptor behind stdout
        pass
    sys.exit(EXIT_USAGE)


def _stdout_gone() -> bool:
    """Whether standard output is a pipe (or socket) whose reader has gone: poll says so
    (POLLERR, POLLHUP) without writing. Not where there is no poll (Windows)."""
    import select  # only on a broken pipe: start-up stays lean

    try:
        poller = select.poll()
        poller.register(sys.__stdout__.fileno(), select.POLLOUT)  # type: ignore[union-attr]
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):  # no poll, no file descriptor behind stdout
        return False


def _reader_gone() -> NoReturn:
    """Stop as git and coreutils do when the reader of standard output goes away: killed by
    SIGPIPE (status 141 in a shell), no message. Not exit 0: a report cut short is not a
    clean check (``set -o pipefail`` sees it), and not exit 1, which says the plan has
    errors. Every ``finally`` has run by now, so a temporary --output file is gone and the
    output file itself was replaced whole or not at all."""
    import signal  # only on a broken pipe: start-up stays lean

    try:  # nothing more is written to the pipe, whatever Python flushes on its way out
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())  # type: ignore[union-attr]
    except (OSError, ValueError, AttributeError):
        pass
    sigpipe = getattr(signal, "SIGPIPE", None)
    if sigpipe is not None:
        signal.signal(sigpipe, signal.SIG_DFL)
        os.kill(os.getpid(), sigpipe)
    sys.exit(1)  # no SIGPIPE (Windows): Python's own status for a broken pipe


def _name_too_long(error: OSError) -> str:
    from planc.core.numbers import show_long  # only on this error: start-up stays lean
    from planc.core.safetext import printable

    name = os.fsdecode(error.filename) if error.filename is not None else ""
    return printable(f"a file name is too long for the file system: {show_long(name, 80)}")


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
