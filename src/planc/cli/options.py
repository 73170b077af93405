"""What several commands share: options declared once, parsers, and the ways out.

Commands stay thin: they parse with these helpers, call one function of a
capability, print, and choose the exit code. Heavy modules are imported inside
the commands so that ``planc --help`` stays instant.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from planc.core.files import UnusableOutput, check_output, file_kind, overwrites_input

if TYPE_CHECKING:  # imported lazily at run time: `planc --help` must stay instant
    from datetime import date
    from decimal import Decimal

    from planc.core.cache import UnitCache
    from planc.core.frontend import Frontend
    from planc.core.pipeline import CheckResult

EXIT_USAGE = 2
EXIT_INTERNAL = 3

F = TypeVar("F", bound=Callable[..., object])


def fail_usage(message: str) -> NoReturn:
    """Exit 2 with one line: the user asked for something planc cannot do."""
    click.echo(f"planc: error: {echoed_safely(message)}", err=True)
    sys.exit(EXIT_USAGE)


def echoed_safely(
    message: str, arguments: Sequence[str] | None = None, *, lines: bool = False
) -> str:
    """A usage error's message as one safe line: the messages quote arguments through
    :func:`planc.core.safetext.argument`; any that a message (or click's own) still holds
    whole, past :data:`~planc.core.safetext.NAME_LIMIT` (a path the user needs to see whole
    is shorter), is shortened here all the same (``arguments``: the command line,
    ``sys.argv``), and no control character of it reaches the terminal (``lines``: the
    message's own line breaks stay, as in click's)."""
    from planc.core.safetext import NAME_LIMIT, argument, printable, printable_report

    for given in sorted(arguments if arguments is not None else sys.argv[1:], key=len)[::-1]:
        if len(given) > NAME_LIMIT:
            message = message.replace(repr(given), argument(given))
            message = message.replace(given, argument(given, quotes=False))
    return printable_report(message) if lines else printable(message)


# --- options and arguments used by more than one command --------------------------------


class GivenPath(click.Path):
    """A path argument or option as a ``Path``; an empty one is a usage error (exit 2).

    ``Path("")`` is ``.``: an unset shell variable (``-o "$OUT"``) would otherwise read,
    or write into, the current folder without a word."""

    def __init__(self, what: str = "a file name", *, file_okay: bool = True) -> None:
        super().__init__(path_type=Path, file_okay=file_okay)
        self.what = what  # what to give instead, in the message

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str | bytes) and not value:
            self.fail(f"the path is empty; give {self.what}", param, ctx)
        return super().convert(value, param, ctx)


class OutputPath(GivenPath):
    """A path planc will write: empty, a folder, a path under a file or a read-only folder
    is refused while the arguments are parsed (exit 2, naming the path), before any work."""

    def __init__(self, *, folder: bool = False) -> None:
        super().__init__("a folder" if folder else "a file name")
        self.folder = folder

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        path = Path(os.fsdecode(super().convert(value, param, ctx)))
        try:
            check_output(path, folder=self.folder)
        except UnusableOutput as error:
            self.fail(str(error), param, ctx)
        return path


plan_dirs_argument = click.argument("plan_dirs", nargs=-1, type=GivenPath("a quarter folder"))
plan_dir_argument = click.argument("plan_dir", type=GivenPath("a quarter folder"))

output_option = click.option(
    "--output",
    "-o",
    type=OutputPath(),
    help="Write the report to a file (atomically).",
)
strict_option = click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
max_file_size_option = click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=None,
    metavar="BYTES",
    help="Refuse plan files larger than this (default 64 MiB).",
)
actuals_option = click.option(
    "--actuals",
    "actuals",
    multiple=True,
    metavar="FILE|NAME=FILE",
    help="The CRM export: .csv (or .tsv, .txt), .xlsx or .parquet. A plan with several "
    "actuals sources (actuals.sources) takes one --actuals NAME=FILE per source; a source "
    "given none reads the database its source: names.",
)
weights_option = click.option(
    "--weights",
    metavar="C=W,...",
    help="For --method blend: components and weights, e.g. last_year=50,last_quarter=30,capacity=20 (components: even, baseline, last_year, last_quarter, potential, capacity, bottom_up).",
)


def format_option(
    choices: Sequence[str], help_text: str, *, shown_default: bool = True
) -> Callable[[F], F]:
    """``--format``/``-f``, the one report-format option of every command that has one: the
    first of ``choices`` is the default (shown in the help, unless ``shown_default`` is False:
    ``check``'s default depends on where it runs and its help says so, it gets None)."""
    return click.option(
        "--format",
        "-f",
        "output_format",
        type=click.Choice(tuple(choices)),
        default=choices[0] if shown_default else None,
        show_default=shown_default,
        help=help_text,
    )


def as_of_option(purpose: str) -> Callable[[F], F]:
    """``--as-of DATE``: the day progress is measured to (``purpose`` says what it does)."""
    return click.option(
        "--as-of",
        "as_of",
        metavar="DATE",
        help=f"{purpose} (YYYY-MM-DD). Default: today, or the quarter's last day once it is over.",
    )


# --- parsers ------------------------------------------------------------------------------


def no_cache_option(purpose: str) -> Callable[[F], F]:
    return click.option("--no-cache", is_flag=True, help=purpose)


cache_dir_option = click.option(
    "--cache-dir",
    type=GivenPath("a folder", file_okay=False),
    default=None,
    help="Cache folder (default: $PLANC_CACHE_DIR, else .git/planc/cache of the plan's "
    "repository, else the user cache folder).",
)


def open_cache(plan_dir: Path, no_cache: bool, cache_dir: Path | None) -> UnitCache | None:
    """planc's cache for a plan folder, unless ``--no-cache``."""
    if no_cache:
        return None
    from planc.core.cache import UnitCache, default_folder

    return UnitCache(cache_dir or default_folder(plan_dir))


def parse_decimal(option: str, text: str) -> Decimal:
    """An exact number from an option (a trailing % allowed); exit 2 if it is not one."""
    from decimal import Decimal, InvalidOperation

    from planc.core.safetext import argument

    try:
        value = Decimal(text.strip().removesuffix("%"))
    except InvalidOperation:
        fail_usage(f"{option}: {argument(text)} is not a number")
    if not value.is_finite():
        fail_usage(f"{option}: {argument(text)} is not a number")
    from planc.core.numbers import BOUND_TEXT, out_of_bounds, show_long

    problem = out_of_bounds(value)
    if problem is not None:
        fail_usage(f"{option}: {show_long(text)} is {problem}; planc reads numbers {BOUND_TEXT}")
    return value


def parse_weights(text: str) -> dict[str, Decimal]:
    """``--weights last_year=50,capacity=50`` as a mapping of component to weight; a
    component named twice is a usage error (which weight was meant is not for planc to
    guess: the last one silently won)."""
    from planc.core.safetext import argument

    mix: dict[str, Decimal] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, amount = part.partition("=")
        if not sep:
            fail_usage(f"--weights: {argument(part)} is not COMPONENT=WEIGHT (e.g. last_year=50)")
        name = name.strip()
        if name in mix:
            fail_usage(
                f"--weights: {argument(name)} is given twice ({argument(text)}); "
                "give each component one weight"
            )
        mix[name] = parse_decimal(f"--weights {argument(name, quotes=False)}", amount)
    if not mix:
        fail_usage("--weights: give at least one COMPONENT=WEIGHT")
    return mix


def parse_day(option: str, text: str | None) -> date | None:
    """A YYYY-MM-DD option as a date (None when not given); exit 2 if it is not one."""
    if text is None:
        return None
    from datetime import date

    from planc.core.safetext import argument

    try:
        return date.fromisoformat(text)
    except ValueError:
        fail_usage(f"{option} {argument(text)} is not a date: write YYYY-MM-DD")


# --- plans in, reports out --------------------------------------------------------------


def default_plan_dirs(rev: str | None = None) -> list[Path]:
    """Every quarter folder under ./plans, for commands given none (given ``plans``, they
    read the folders in it too: :func:`expand_plan_dirs`). ``rev``: the revision the plans
    are read at (``check --rev``), which has none under plans/ either; the hint is its."""
    plans = Path("plans")
    from planc.core.pipeline import plan_folders

    found = plan_folders(plans) if plans.is_dir() else []
    if not found:
        where = "" if rev is None else f" (at {rev} or on disk)"
        fail_usage(
            f"no plan folders given and none found under ./plans{where}; {_where_plans_are(rev)}"
        )
    return found


def expand_plan_dirs(plan_dirs: tuple[Path, ...], rev: str | None = None) -> list[Path]:
    """PLAN_DIRS as given, but a folder of quarters (no plan file of its own, a quarter
    folder in it, as ./plans) is the folders in it, as when none is given; with
    ``rev``, as that revision's tree holds them (a folder missing there, or a revision that
    does not exist, is left as given: checking it says why)."""
    from planc.core.pipeline import quarter_folders

    dirs: list[Path] = []
    for plan_dir in plan_dirs:
        if rev is None:
            found = quarter_folders(plan_dir)
            dirs += found if found is not None else [plan_dir]
            continue
        from planc.core.gitsource import GitSourceError, Repository

        try:
            repo = Repository.open(plan_dir)
            sha = repo.resolve(rev).sha
            names = repo.quarter_folders_at(sha, repo.relative(plan_dir))
        except GitSourceError:
            names = None
        dirs += [plan_dir / name for name in names] if names is not None else [plan_dir]
    return dirs


def check_for_edit(plan_dir: Path, frontend: Frontend | None = None) -> CheckResult:
    """Compile the plan an edit starts from; exit 2 when it cannot be read as a plan.

    The diagnostics keep their paths, unresolved and unsorted (an edit compares
    codes and messages only); ``frontend`` then compiles the edited files
    reusing every file the edit left alone.
    """
    from planc.checks import run_checks
    from planc.core.frontend import Frontend, resolved
    from planc.core.pipeline import display_path, read_directory
    from planc.core.reporters import text

    sources, problems = read_directory(plan_dir)
    compiler = frontend or Frontend(run_checks)
    result = compiler.compile(display_path(plan_dir), sources, problems, resolve=False)
    if result.plan is None:
        result.diagnostics = resolved(result, result.diagnostics)
        click.echo(text([result]), err=True, nl=False)
        fail_usage(f"{plan_dir} cannot be read as a plan; fix the errors above first")
    return result


def refuse_overwriting_inputs(
    output: Path | None,
    option: str,
    *,
    folders: Iterable[Path] = (),
    files: Iterable[Path | str] = (),
) -> None:
    """Exit 2, before any work, when ``output`` would overwrite what the command reads: one
    of its input ``files`` (an export, say), or a plan file in one of the plan ``folders``."""
    problem = overwriting_inputs(output, option, folders=folders, files=files)
    if problem is not None:
        fail_usage(problem)


def overwriting_inputs(
    output: Path | None,
    option: str,
    *,
    folders: Iterable[Path] = (),
    files: Iterable[Path | str] = (),
) -> str | None:
    """The usage error :func:`refuse_overwriting_inputs` exits with, or None."""
    if output is None:
        return None
    from planc.core.pipeline import PLAN_SUFFIXES, QUARTER_NAMES

    # any quarter's folder, not only the ones this command reads: a report named
    # quarter.yaml in another quarter replaces that plan all the same
    quarters = [
        above
        for above in output.absolute().parents
        if any((above / name).is_file() for name in QUARTER_NAMES)
    ]
    reason = overwrites_input(
        output, files=map(Path, files), folders=[*folders, *quarters], suffixes=PLAN_SUFFIXES
    )
    return None if reason is None else f"{option} {output} {reason}; write it somewhere else"


def actuals_files(values: Iterable[str]) -> list[str]:
    """The files ``--actuals FILE|NAME=FILE`` values may name (both readings of a value
    with ``=``: which one it is is decided later, against the plan)."""
    return [part for value in values for part in {value, value.partition("=")[2]} if part]


def emit_report(report: str, output: Path | None) -> None:
    """Print a report, or write it to ``--output`` atomically."""
    if output is None:
        click.echo(report, nl=False)
        return
    from planc.core.files import write_atomic

    write_atomic(output, report.encode("utf-8"))


def in_github_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def github_append(variable: str, text: str) -> None:
    """Append to a file GitHub Actions names in an environment variable (if it does)."""
    path = os.environ.get(variable)
    if not path:
        return
    # A folder, a missing folder or a FIFO (which blocked until read) is a usage error
    # naming the variable, never an internal error or a hang.
    try:
        kind = os.stat(path).st_mode
    except FileNotFoundError:
        kind = None  # appending creates it, if its folder exists
    except OSError as error:
        raise UnusableOutput(f"${variable} ({path}): {error.strerror or error}") from error
    if kind is not None and stat.S_ISFIFO(kind):
        raise UnusableOutput(f"${variable} ({path}) is {file_kind(kind)}; give a file")
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:  # a full disk too
        raise UnusableOutput(f"${variable} ({path}): {error.strerror or error}") from error


def _where_plans_are(rev: str | None = None) -> str:
    """What to do when a command that defaults to ./plans runs where there is none: the
    quarter folder the working folder is in, else the folder above that holds plans/ (with
    ``rev``, as that revision's tree has them: :func:`_where_plans_are_at`)."""
    from planc.core.pipeline import QUARTER_NAMES

    context = click.get_current_context(silent=True)
    command = f"planc {context.info_name}" if context is not None else "planc"
    if rev is not None:
        return _where_plans_are_at(rev, f"{command} --rev {rev}")
    here = Path.cwd()
    for folder in [here, *list(here.parents)[:4]]:
        shown = os.path.relpath(folder)
        if any((folder / name).is_file() for name in QUARTER_NAMES):
            return f"{shown} is a quarter folder: {command} {shown}"
        if (folder / "plans").is_dir() and folder == here:  # not "run it in .": it was
            return (
                "plans/ holds no quarter folder yet: add one (plans/2027-Q1/quarter.yaml)"
                " or name a quarter folder"
            )
        if (folder / "plans").is_dir():
            return f"run it in {shown}, which holds plans/, or name a quarter folder"
    return f"name a quarter folder, e.g. {command} plans/2027-Q1"


def _where_plans_are_at(rev: str, command: str) -> str:
    """:func:`_where_plans_are` for plans read at the revision ``rev``: the folders of its
    tree, never the working tree's (a quarter folder not committed yet is none there). No
    repository here, or no such revision: that is the error, not where plans might be."""
    from planc.core.gitsource import GitSourceError, Repository

    here = Path.cwd()
    try:
        repo = Repository.open(here)
        sha = repo.resolve(rev).sha
    except GitSourceError as error:  # no revision to look at: said as for a folder given
        fail_usage(str(error))
    try:
        for folder in [here, *list(here.parents)[:4]]:
            relative = repo.relative(folder)  # outside the repository: nothing more to find
            shown = os.path.relpath(folder)
            if repo.holds_quarter_file_at(sha, relative):
                return f"{shown} is a quarter folder at {rev}: {command} {shown}"
            plans = "plans" if relative == "." else f"{relative}/plans"
            if repo.kind_at(sha, plans) == "tree" and folder == here:
                return f"plans/ holds no quarter folder at {rev}: name a quarter folder"
            if repo.kind_at(sha, plans) == "tree":
                return f"run it in {shown}, which holds plans/ at {rev}, or name a quarter folder"
    except GitSourceError:  # a folder above the repository: nothing more to find there
        pass
    return f"name a quarter folder, e.g. {command} plans/2027-Q1"
