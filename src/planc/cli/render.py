"""``planc render``: the static site, a brief per rep."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from planc.cli.options import (
    OutputPath,
    actuals_option,
    as_of_option,
    cache_dir_option,
    fail_usage,
    no_cache_option,
    open_cache,
    parse_day,
    plan_dir_argument,
)

if TYPE_CHECKING:
    from planc.core.cache import UnitCache
    from planc.site.checked import Skipping
    from planc.site.render import Begun


@click.command()
@plan_dir_argument
@click.option(
    "--out",
    "-o",
    required=True,
    type=OutputPath(folder=True),
    help="Folder to write the site to: new, empty, or one planc render made before.",
)
@click.option("--rep", metavar="ID", help="Render one rep's brief only (as DIR/index.html).")
@click.option(
    "--no-peers",
    is_flag=True,
    help="Publish no rep's numbers: no rep briefs, team pages without per-rep splits.",
)
@actuals_option
@as_of_option("With --actuals: progress up to the end of this day")
@no_cache_option("Check every file again and render every page; read and write no cache.")
@cache_dir_option
def render(
    plan_dir: Path,
    out: Path,
    rep: str | None,
    no_peers: bool,
    actuals: tuple[str, ...],
    as_of: str | None,
    no_cache: bool,
    cache_dir: Path | None,
) -> None:
    """Render the plan as a static site: the quarter, every region and team, a brief per rep.

    The plan is checked first: with errors they are printed, nothing is written and
    the exit status is 1. Warnings appear on the site's index. With --actuals, each
    target shows its progress (problems in the export are printed; with errors nothing
    is written and the exit status is 1). A render remembers what it wrote in planc's
    cache (as check does): the next one writes only the pages whose content changed
    and keeps the others, once it has checked they still hold what planc wrote.
    Exit status: 0 written, 1 errors in the plan
    or the export, 2 usage (bad option, an --out folder planc did not make).
    """
    from planc.checks.partition import PartitionStats
    from planc.core.gitsource import plan_revision
    from planc.core.pipeline import display_path
    from planc.core.reporters import text
    from planc.site.checked import check_for_render, vouched
    from planc.site.render import (
        Ahead,
        RenderOptions,
        SiteError,
        prepare,
        render_site,
    )

    if as_of is not None and not actuals:
        fail_usage("--as-of needs --actuals FILE")
    day = parse_day("--as-of", as_of)
    cache = open_cache(plan_dir, no_cache, cache_dir)
    beginning = _Beginning(out, cache, rep, bool(actuals))
    options = RenderOptions(rep=rep, peers=not no_peers)
    # with files left out, the revision and the pages' keys are made while the check finishes
    ahead = Ahead(options, lambda: plan_revision(plan_dir))
    try:
        stats = PartitionStats()
        result = check_for_render(
            plan_dir,
            cache,
            stats,
            model_with_errors=False,
            meanwhile=prepare,
            ahead=ahead,
            begin=beginning,
        )
        begun, skipping = beginning.begun, beginning.skipping
        if result.plan is None or result.has_errors:
            click.echo(text([result]), nl=False)
            sys.exit(1)
        progress = None
        if actuals:
            from planc.site.progress import load_site_actuals
            from planc.track.report import TrackReport, diagnostics_text
            from planc.track.sources import SourceChoiceError

            try:
                progress, found, shown = load_site_actuals(result, actuals, day)
            except SourceChoiceError as error:
                fail_usage(str(error))
            if found:
                shown_report = TrackReport(result.label, shown, result, diagnostics=found)
                click.echo(diagnostics_text(shown_report), err=True, nl=False)
            if progress is None:
                click.echo(f"planc: {shown} cannot be used (see above); nothing written", err=True)
                sys.exit(1)
        try:
            revision = ahead.revision if ahead.read else plan_revision(plan_dir)
            report = render_site(
                result,
                out,
                options,
                revision,
                progress,
                records=cache,
                vouched=vouched(result, stats),
                begun=begun,
                skipping=skipping,
                release=True,  # nothing here reads the plan files' bytes after the render
                ahead=ahead,
            )
        except SiteError as error:
            fail_usage(str(error))
        except OSError as error:
            fail_usage(f"cannot write the site to {out}: {error.strerror or error}")
    finally:
        if beginning.begun is not None:
            beginning.begun.close()  # unless the render took it
    _left_to_exit(result)
    click.echo(f"site: {display_path(report.entry)} ({_written(report.pages, report.kept, rep)})")


class _Beginning:
    """The render begun before the plan's model is built (``begin`` of check_for_render):
    the old site's pages checked on the CPU the check leaves idle, and the region files
    unchanged since that render, left out of the model (planc.site.fragments)."""

    def __init__(self, out: Path, cache: UnitCache | None, rep: str | None, actuals: bool) -> None:
        self.out, self.cache, self.rep, self.actuals = out, cache, rep, actuals
        self.begun: Begun | None = None
        self.skipping: Skipping | None = None

    def __call__(self) -> Skipping | None:
        from planc.site.checked import Skipping
        from planc.site.render import begin_render

        self.begun = begin_render(self.out, self.cache) if self.rep is None else None
        if self.begun is not None and not self.actuals:
            self.skipping = Skipping.after(self.begun.recorded)
        return self.skipping


def _written(pages: int, kept: int, rep: str | None) -> str:
    what = f"brief of {rep}" if rep else f"{pages} pages"
    return f"{what}, {kept} unchanged" if kept else what


def _left_to_exit(value: object) -> None:
    """Leave ``value`` (the checked plan) to the end of the process instead of freeing it.

    Freeing a 10,000-rep plan object by object when the command returns took
    0.5-1 s of wall time on a busy machine (about as long as rendering the
    edited pages), after the site was written. A one-shot command's memory goes
    back to the system at exit anyway: the value is put in a reference cycle
    and frozen (:func:`gc.freeze`, as the render does with what it holds), so
    neither reference counting nor the collector ever walks it; it is not freed
    before the process ends.
    """
    import gc

    held: list[object] = [value]
    held.append(held)
    gc.freeze()
