"""The registry of every check over a plan's model, and the compiler that runs them.

:func:`check_directory` and :func:`check_sources` are ``planc check`` short of
printing: the front end of :mod:`planc.core.pipeline` (load → schema → model)
followed by every check here, in registry order. The registry of every code
planc reports, from every layer, is :mod:`planc.codes`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from planc.checks import (
    adjustments,
    approvals,
    bottomup,
    levels,
    mapping,
    people,
    refs,
    resources,
    seasonality,
    segments,
    smart,
    totals,
)
from planc.checks.base import Check
from planc.core.cache import StatCache, UnitCache
from planc.core.diagnostics import Diagnostic
from planc.core.frontend import QuarterAbove, UnitStore
from planc.core.loader import DEFAULT_MAX_BYTES
from planc.core.model import Plan
from planc.core.pipeline import (
    CheckResult,
    compile_directory,
    compile_sources,
    display_path,
    read_directory,
)
from planc.core.source import SourceChanged, SourceFile

CHECKS: tuple[Check, ...] = (
    *refs.CHECKS,
    *totals.CHECKS,
    *levels.CHECKS,
    *bottomup.CHECKS,
    *seasonality.CHECKS,
    *segments.CHECKS,
    *smart.CHECKS,
    *people.CHECKS,
    *resources.CHECKS,
    *adjustments.CHECKS,
    *approvals.CHECKS,
    *mapping.CHECKS,
)


def run_checks(plan: Plan) -> Iterator[Diagnostic]:
    """Every check over the plan, in registry order."""
    for check in CHECKS:
        yield from check.run(plan)


def check_sources(
    label: str,
    sources: list[SourceFile],
    problems: list[Diagnostic] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    store: UnitStore | None = None,
    *,
    whole: bool = True,
    digests: Mapping[str, str] | None = None,
    quarter_above: QuarterAbove | None = None,
) -> CheckResult:
    """Compile a plan from its files and run every check: ``planc check`` short of printing.

    ``store`` (the on-disk cache, :class:`planc.core.cache.UnitCache`) keeps each
    file's unit between runs. ``whole=False`` checks the plan by its files
    (:mod:`planc.checks.partition`: the same diagnostics, region results reused
    from a :class:`~planc.core.cache.UnitCache` store, but no ``plan`` in the result);
    ``digests`` are the files' unit digests where already known (the stat cache);
    ``quarter_above``: see :meth:`~planc.core.frontend.Frontend.compile`."""
    if not whole and (store is None or isinstance(store, UnitCache)):
        from planc.checks.partition import check_partitioned  # noqa: PLC0415 - imports us

        return check_partitioned(
            label, sources, problems, max_bytes, store, digests=digests, quarter_above=quarter_above
        )
    return compile_sources(
        label, sources, run_checks, problems, max_bytes, store, digests, quarter_above
    )


def check_directory(
    plan_dir: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    store: UnitStore | None = None,
    *,
    whole: bool = True,
) -> CheckResult:
    """``planc check DIR``: read a quarter folder from disk, compile it and check it
    (``whole=False``: by its files, see :func:`check_sources`)."""
    if whole and not isinstance(store, UnitCache):
        return compile_directory(plan_dir, run_checks, max_bytes, store)
    if not isinstance(store, UnitCache):
        sources, problems = read_directory(plan_dir, max_bytes)
        label = display_path(plan_dir)
        return check_sources(label, sources, problems, max_bytes, store, whole=whole)
    if whole:  # the plan goes on to others (check --base): every file read now
        return _check_with_stats(plan_dir, max_bytes, store, whole, defer=False)
    try:
        return _check_with_stats(plan_dir, max_bytes, store, whole, defer=True)
    except SourceChanged:  # a file left unread was edited meanwhile: read them all, once
        return _check_with_stats(plan_dir, max_bytes, store, whole, defer=False)


def _check_with_stats(
    plan_dir: Path, max_bytes: int, store: UnitCache, whole: bool, defer: bool
) -> CheckResult:
    """The check with the stat cache: a file whose stat has not changed since the last run
    is not hashed again, nor read (``defer``) unless something asks for its bytes."""
    stats = StatCache.open(store, plan_dir, max_bytes)
    # the stat of each file is taken before it is read (an edit meanwhile is never vouched for)
    sources, problems = read_directory(
        plan_dir, max_bytes, stats.deferred if defer else stats.reading
    )
    digests = {s.path: stats.digest(s) for s in sources}
    stats.save({s.path for s in sources})
    label = display_path(plan_dir)
    found = check_sources(label, sources, problems, max_bytes, store, whole=whole, digests=digests)
    # the report shows the lines of the files with findings: read them now, where a file
    # edited meanwhile can still be read again with the others (SourceChanged)
    shown = {d.span.path for d in found.diagnostics if d.span is not None}
    for source in sources:
        if source.path in shown:
            source.data  # noqa: B018 - reads the bytes if they were left unread
    return found
