"""``planc allocate`` and ``planc init``: exact top-down splits and a quarter rolled forward."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import click

from planc.cli.options import (
    GivenPath,
    cache_dir_option,
    check_for_edit,
    fail_usage,
    format_option,
    no_cache_option,
    open_cache,
    parse_decimal,
    parse_weights,
    plan_dir_argument,
    weights_option,
)

if TYPE_CHECKING:
    from planc.allocate.allocation import Allocation
    from planc.allocate.rewrite import Rewrite
    from planc.core.cache import UnitCache

ALLOCATION_METHODS = ("even", "baseline", "potential", "capacity", "bottom_up", "blend")


@click.command()
@plan_dir_argument
@click.option(
    "--node",
    "node_id",
    required=True,
    metavar="ID",
    help="Node whose target is split among its children (company, region or team id).",
)
@click.option(
    "--metric", "metric_id", required=True, metavar="ID", help="Metric to split, e.g. revenue."
)
@click.option(
    "--method",
    type=click.Choice(ALLOCATION_METHODS),
    default="even",
    show_default=True,
    help="How children are weighed: evenly, by baseline (last year, else last quarter), market potential, capacity (headcount x ramp), bottom-up commitments, or a blend.",
)
@weights_option
@click.option(
    "--uplift",
    metavar="PCT",
    help="Children add up to the parent plus this many percent (default: policy.over_assignment min; must lie inside that band).",
)
@click.option(
    "--months",
    is_flag=True,
    help="Phase every child's target by month (seasonality from baselines, ramp, leavers).",
)
@click.option(
    "--products",
    is_flag=True,
    help="Split every child's target across product lines (its own mix, else the parent's).",
)
@click.option(
    "--cascade",
    is_flag=True,
    help="Split each child's new target among its own children too, down to the reps.",
)
@click.option(
    "--write",
    is_flag=True,
    help="Edit the plan files in place (default: a dry run that only prints the table).",
)
@format_option(
    ("text", "json"),
    "text: the table; json: each split child by child (before, after, Δ, months, products) "
    "and the files written.",
)
@no_cache_option(
    "Check the edited plan whole: read no region results from the cache and write none."
)
@cache_dir_option
def allocate(
    plan_dir: Path,
    node_id: str,
    metric_id: str,
    method: str,
    weights: str | None,
    uplift: str | None,
    months: bool,
    products: bool,
    cascade: bool,
    write: bool,
    output_format: str,
    no_cache: bool,
    cache_dir: Path | None,
) -> None:
    """Split a node's target among its children, exactly (largest-remainder rounding).

    A dry run by default: prints before, after and Δ per child. With --write the
    YAML is edited in place (comments, key order and formatting kept), after the
    edited plan has been checked. Exit status: 0 done, 1 the result would bring
    new errors into the plan (nothing written), 2 usage or bad input.
    """
    from planc.allocate.report import as_json, table
    from planc.allocate.rewrite import write_files
    from planc.core.reporters import text

    mix = parse_weights(weights) if weights is not None else None
    lift = parse_decimal("--uplift", uplift) if uplift is not None else None
    store = open_cache(plan_dir, no_cache, cache_dir)
    split = Split(node_id, metric_id, method, mix, lift, months, products, cascade)
    allocations, rewrite = _allocate(plan_dir, split, store)
    written = sorted(rewrite.files) if write and not rewrite.new_errors else []
    if output_format == "json":
        click.echo(as_json(allocations, written, dry_run=not write), nl=False)
    else:
        click.echo("\n".join(table(a) for a in allocations), nl=False)
    if rewrite.new_errors:
        assert rewrite.result is not None
        rewrite.result.diagnostics = rewrite.new_errors
        click.echo("\nthe edited plan would not pass planc check; nothing written:\n", err=True)
        click.echo(text([rewrite.result]), err=True, nl=False)
        sys.exit(1)
    if write:
        write_files(rewrite.files)
    if output_format == "text":
        files = ", ".join(sorted(rewrite.files)) or "no file"
        if not rewrite.files:
            click.echo("\nnothing to change: the plan already holds this split")
        elif write:
            click.echo(f"\nwrote {files}")
        else:
            click.echo(f"\ndry run: nothing written (--write edits {files})")
        if rewrite.remaining_errors:
            click.echo(
                f"note: {len(rewrite.remaining_errors)} error(s) elsewhere in the plan remain (planc check)"
            )


@dataclass(frozen=True, slots=True)
class Split:
    """What ``planc allocate`` was asked to split, and how."""

    node_id: str
    metric_id: str
    method: str
    mix: dict[str, Decimal] | None
    uplift: Decimal | None
    months: bool
    products: bool
    cascade: bool


def _allocate(
    plan_dir: Path, split: Split, store: UnitCache | None
) -> tuple[list[Allocation], Rewrite]:
    """The allocation and the edited plan, checked (nothing written); exits 2 on bad input."""
    from planc.allocate.allocation import AllocationError, allocate_down
    from planc.allocate.composing import Composing
    from planc.allocate.rewrite import checks_forked, edit_allocation, model_only
    from planc.allocate.scope import scoped_edit
    from planc.allocate.yamledit import EditError
    from planc.core.frontend import Frontend
    from planc.core.memory import gc_paused

    # The plan as it is. With the cache: its check through the partition and a model of the
    # quarter file and the node's region file alone (planc.allocate.scope), else its model
    # of every file without its checks (run only if the edit brings errors, to tell them
    # from those the plan had: see edit_allocation). The edited plan is checked through
    # the partition with the cache, else whole, reusing every file the edit left alone.
    frontend = Frontend(model_only)
    aside: dict[str, Composing] = {}  # the region file, composed in a forked child meanwhile
    # One shot over a whole plan kept in memory: with the collector on, its passes over the
    # two compiled plans cost more than the allocation (see planc.core.memory).
    try:
        with gc_paused(freeze=True):
            scoped = None
            if store is not None:
                scoped = scoped_edit(plan_dir, split.node_id, split.metric_id, store, aside)
            before = scoped.result if scoped is not None else check_for_edit(plan_dir, frontend)
            assert before.plan is not None  # _check_for_edit exits otherwise
            frontend.run_checks = checks_forked
            try:
                allocations = allocate_down(
                    before.plan,
                    split.node_id,
                    split.metric_id,
                    split.method,
                    mix=split.mix,
                    uplift=split.uplift,
                    months=split.months,
                    products=split.products,
                    cascade=split.cascade,
                    outside=None if scoped is None else scoped.outside,
                )
            except AllocationError as error:
                fail_usage(str(error))
            checked = scoped is not None  # its diagnostics are the whole check's
            try:
                rewrite = edit_allocation(
                    before,
                    allocations,
                    frontend,
                    checked=checked,
                    store=store,
                    aside=aside,
                    digests=None if scoped is None else scoped.digests,
                    loaded=None if scoped is None else scoped.loaded,
                    memo=None if scoped is None else scoped.memo,
                )
            except EditError as error:  # e.g. a target written through an anchor
                fail_usage(f"cannot edit the plan in place: {error}")
    finally:
        for composing in aside.values():
            composing.close()
    return allocations, rewrite


@click.command()
@click.argument("new_quarter")
@click.option(
    "--from",
    "old_quarter",
    metavar="QUARTER",
    help="The quarter to roll forward: a folder, or an id (e.g. 2027-Q1) in the plans folder (--plans, or NEW_QUARTER's folder). Default: the quarter before NEW_QUARTER there.",
)
@click.option(
    "--actuals",
    multiple=True,
    metavar="FILE|NAME=FILE",
    help="CRM export with last quarter's results (and last year's, if it covers them), read by the plan's actuals: mapping; with several actuals sources, --actuals NAME=FILE per source.",
)
@click.option(
    "--plans",
    "plans_root",
    type=GivenPath("a folder"),
    default=Path("plans"),
    show_default=True,
    help="Folder that holds the quarter folders.",
)
@click.option(
    "--growth",
    metavar="PCT",
    help="Growth on the baseline for the top of each metric (default: the middle of policy.growth).",
)
@click.option(
    "--method",
    type=click.Choice(("carry", "even", "baseline", "potential", "capacity", "blend")),
    default="carry",
    show_default=True,
    help="How each level is split: carry last quarter's split per unit of capacity (ramps advanced), or as planc allocate's methods.",
)
@weights_option
@click.option(
    "--dry-run",
    is_flag=True,
    help="Build and check the new quarter, print the summary, write nothing.",
)
def init(
    new_quarter: str,
    old_quarter: str | None,
    actuals: tuple[str, ...],
    plans_root: Path,
    growth: str | None,
    method: str,
    weights: str | None,
    dry_run: bool,
) -> None:
    """Create quarter NEW_QUARTER from the previous one (e.g. planc init 2027-Q2, or
    planc init plans/2027-Q2, from plans/2027-Q1).

    Org carried over (leavers dropped, ramps advanced), dates shifted, adjustments
    and actions cleared, baselines filled from the history found, targets proposed
    from the growth policy and split top-down. The new folder appears whole or not
    at all, and an existing quarter is never overwritten. Exit status: 0 created,
    1 the proposal does not pass planc check (nothing written), 2 usage or bad input.
    """
    from planc.allocate.rollforward import InitError, roll_forward, write_quarter
    from planc.core.files import UnusableOutput, check_output, dangling_link
    from planc.core.pipeline import display_path
    from planc.core.reporters import text

    new_quarter, folder = _new_quarter_and_folder(new_quarter, plans_root)
    old_dir = _old_quarter_folder(old_quarter, new_quarter, folder or plans_root)
    target = old_dir.parent / new_quarter
    if folder is not None and old_dir.parent.resolve() != folder.resolve():
        fail_usage(  # init reads the history beside the old quarter and writes the new one there
            f"{display_path(folder / new_quarter)} would not be beside {display_path(old_dir)}: "
            f"planc init writes the new quarter next to the one it rolls forward "
            f"({display_path(target)})"
        )
    if target.exists():
        fail_usage(f"{display_path(target)} already exists; planc init never overwrites a quarter")
    dangling = dangling_link(target, "planc init")
    if dangling is not None:
        fail_usage(dangling)
    try:
        check_output(target, folder=True)  # before the work: a read-only plans folder, say
    except UnusableOutput as error:
        fail_usage(str(error))
    mix = parse_weights(weights) if weights is not None else None
    rate = parse_decimal("--growth", growth) if growth is not None else None
    try:
        made = roll_forward(
            old_dir, new_quarter, actuals=actuals, growth=rate, method=method, mix=mix
        )
    except InitError as error:
        fail_usage(str(error))
    for line in made.summary:
        click.echo(line)
    if made.result.has_errors:
        click.echo("\nthe new quarter would not pass planc check; nothing written:\n", err=True)
        click.echo(text([made.result]), err=True, nl=False)
        sys.exit(1)
    warnings = sum(1 for d in made.result.diagnostics if d.severity.value == "warning")
    if dry_run:
        click.echo(
            f"dry run: {display_path(target)} not written ({warnings} warning(s) in the proposal)"
        )
        return
    try:
        write_quarter(target, made.files)
    except InitError as error:
        fail_usage(str(error))
    click.echo(
        f"created {display_path(target)} ({len(made.files)} files, {warnings} warning(s): planc check {display_path(target)})"
    )


def _new_quarter_and_folder(new_quarter: str, plans_root: Path) -> tuple[str, Path | None]:
    """NEW_QUARTER's id, and the folder it goes in when NEW_QUARTER is a path (plans/2027-Q2,
    as the other commands take a quarter folder): its last part is the id, its parent the
    plans folder, which a --plans given too must agree with. None: beside --from's folder."""
    from planc.core.pipeline import display_path
    from planc.core.quarters import ID_FORMS, parse_quarter_id
    from planc.core.safetext import argument

    as_path = Path(new_quarter)
    if as_path.name == new_quarter.rstrip("/" + os.sep):  # no folder named: ./2027-Q2 has one
        if parse_quarter_id(as_path.name) is None:
            fail_usage(f"NEW_QUARTER {argument(new_quarter)} is not a quarter id: write {ID_FORMS}")
        return as_path.name, None
    if parse_quarter_id(as_path.name) is None:
        fail_usage(
            f"NEW_QUARTER {argument(new_quarter)} is not a quarter folder: its name must be a "
            f"quarter id, {ID_FORMS}"
        )
    source = click.get_current_context().get_parameter_source("plans_root")
    given = source is not None and source.name != "DEFAULT"
    if given and as_path.parent.resolve() != plans_root.resolve():  # plans/.. or a link too
        fail_usage(
            f"NEW_QUARTER {new_quarter} is not under --plans {display_path(plans_root)}: "
            "give the quarter id alone (e.g. 2027-Q2), or leave out --plans"
        )
    return as_path.name, as_path.parent


def _old_quarter_folder(old_quarter: str | None, new_quarter: str, plans_root: Path) -> Path:
    """The quarter folder to roll forward: --from as a folder or an id under the plans
    folder, else the quarter before NEW_QUARTER there (when the new one is not there yet:
    that is said first)."""
    from planc.allocate.rollforward import previous_id
    from planc.core.pipeline import display_path, quarter_folders
    from planc.core.quarters import parse_quarter_id

    if old_quarter is not None and not old_quarter.strip():  # Path("") is "."
        fail_usage("--from is empty; give the quarter to roll forward: a folder or an id")
    if old_quarter is not None:
        old_dir = Path(old_quarter)
        if not old_dir.is_dir():
            old_dir = plans_root / old_quarter
        if not old_dir.is_dir():
            fail_usage(f"no quarter folder {old_quarter} (looked in {display_path(plans_root)})")
        return old_dir
    before = previous_id(new_quarter)
    assert before is not None  # NEW_QUARTER is a quarter id by now
    old_dir = plans_root / before
    if not old_dir.is_dir() and not (plans_root / new_quarter).exists():
        # the quarters there, not every folder of a folder of quarters (an archive/ beside)
        there = [f.name for f in quarter_folders(plans_root) or [] if parse_quarter_id(f.name)]
        example = there[-1] if there else "2027-Q1"
        found = f" ({display_path(plans_root)} has {', '.join(there)})" if there else ""
        fail_usage(
            f"no quarter folder {display_path(old_dir)} to roll forward into {new_quarter}: "
            f"give the quarter to start from with --from, e.g. --from {example}{found}"
        )
    return old_dir
