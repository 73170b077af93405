"""What an allocation reads of a plan: the quarter file and the node's region file, and
what the reps of the other region files add up to.

A split of a region, team or rep reads its node's subtree (all in the region file
that defines the node), the quarter file (metrics, policy, quarter, company) and
one number from everywhere else: what the reps below the company add up to (the
company's cumulative band, see :class:`planc.allocate.allocation.CumulativeRoom`).
So instead of a model of every file, :func:`scoped_plan` builds a model of the
quarter file Q and that region file R, and takes the other files' rep sums from
the summary plan of the partitioned check (:mod:`planc.checks.partition`), whose
region results the cache holds after any ``planc check``. That check also gives
the plan's diagnostics exactly as the whole compile would.

Where anything is not sure, :func:`scoped_plan` gives None and the caller compiles
the whole plan, as without a cache: the partition declined or found an error, the
node is not in a region file, Q + R does not build cleanly, or the summary plan's
sums of R's own reps differ from the model's (so the summary carries every rep).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planc.allocate.composing import Composing, compose_aside
from planc.core.cache import StatCache, UnitCache
from planc.core.diagnostics import Diagnostic, Severity
from planc.core.frontend import CheckResult, compile_unit, unit_digest
from planc.core.loader import DEFAULT_MAX_BYTES
from planc.core.model import BuildMemo, Level, Plan, build_plan
from planc.core.pipeline import display_path, read_directory
from planc.core.source import SourceFile
from planc.core.spans import SpanResolver

if TYPE_CHECKING:
    from planc.checks.base import Check
    from planc.checks.partition import ResultStore

_MAX_CANDIDATES = 2  # region files loaded to find a team or rep that the summary does not hold


@dataclass(slots=True)
class Scoped:
    """The plan an edit starts from, as far as the allocation reads it.

    ``result``: every source, the whole check's diagnostics (unresolved spans are not
    left: the partition places them), and ``plan``, the model of Q and R alone.
    ``outside``: node id -> what the reps of the other files below it add up to."""

    result: CheckResult
    region_file: str
    outside: dict[str, Decimal]
    digests: dict[str, str]  # path -> unit digest of every file as it was read
    # the region file's values as loaded here, where it loaded clean (no diagnostic, no
    # trap): the edited file is checked from them (planc.allocate.yamledit.edited_values)
    loaded: dict[str, Any] = field(default_factory=dict)
    # what the model was built from: the edited file's model reuses its people and actions
    memo: BuildMemo = field(default_factory=BuildMemo)


def scoped_plan(
    label: str,
    sources: list[SourceFile],
    problems: list[Diagnostic],
    node_id: str,
    metric: str,
    store: ResultStore,
    max_bytes: int = DEFAULT_MAX_BYTES,
    aside: dict[str, Composing] | None = None,
    stats: StatCache | None = None,
) -> Scoped | None:
    """The plan of ``sources`` for an allocation of ``node_id``'s ``metric``; None where only
    the whole plan is sure (see the module docstring).

    ``aside``: the node's region file, once known, starts composing in a forked child
    (:func:`~planc.allocate.composing.compose_aside`) while the model is built here.
    ``stats``: the stat record of the folder ``sources`` were read from, which took each
    file's stat before reading it (a file whose stat the cache knows is not hashed again,
    as in ``planc check``)."""
    from planc.checks import CHECKS  # noqa: PLC0415 - only with a cache
    from planc.checks.partition import compile_partitioned  # noqa: PLC0415

    plans: list[Plan] = []

    def run(check: Check, plan: Plan) -> Iterable[Diagnostic]:
        if not plans or plans[-1] is not plan:
            plans.append(plan)
        return check.run(plan)

    digests = _digests(sources, max_bytes, stats)
    # no team record made of a region file compiled here: the edit rewrites it
    checked = compile_partitioned(
        label,
        sources,
        CHECKS,
        problems,
        max_bytes,
        store,
        run=run,
        digests=digests,
        new_records=False,
    )
    if checked is None or checked.has_errors:
        return None  # the whole compile decides, and says what stops the plan
    paths = {s.path for s in sources}
    summary = _summary(plans, paths)
    if summary is None:
        return None
    company = summary.nodes.get(summary.company)
    if company is None:
        return None
    quarter = company.loc.file
    by_path = {s.path: s for s in sources}
    if quarter not in by_path:
        return None
    candidates = _candidates(summary, node_id, quarter, sources)
    if aside is not None and len(candidates) == 1 and candidates[0] not in aside:
        started = compose_aside(candidates[0], by_path[candidates[0]].data)
        if started is not None:
            aside[candidates[0]] = started
    for path in candidates:
        # the partition's own model of Q + R where it compiled R just now (R changed since
        # the last check), else one built here
        loaded: dict[str, Any] = {}
        memo = BuildMemo()
        plan = _region_plan(plans, quarter, path) or _model(
            by_path[quarter], by_path[path], max_bytes, loaded, memo
        )
        if plan is None:
            return None
        node = plan.nodes.get(node_id)
        if node is None or node.loc.file != path:
            continue
        # the company's and the regions' sums are what a cascade's room reads
        above = [n.id for n in plan.nodes.values() if n.level in (Level.COMPANY, Level.REGION)]
        mine, summed = _rep_sums(plan, metric, {path}), _rep_sums(summary, metric, {path})
        if any(mine.get(i) != summed.get(i) for i in above):
            return None  # the summary does not carry R's reps whole: it may not the others'
        others = _rep_sums(summary, metric, {p for p in paths if p not in (quarter, path)})
        result = CheckResult(label, by_path, checked.diagnostics, plan)
        outside = {i: others[i] for i in above if i in others}
        return Scoped(result, path, outside, digests, loaded, memo)
    return None


def scoped_edit(
    plan_dir: Path,
    node_id: str,
    metric: str,
    store: ResultStore,
    aside: dict[str, Composing] | None = None,
) -> Scoped | None:
    """:func:`scoped_plan` of a quarter folder on disk."""
    stats = (
        StatCache.open(store, plan_dir, DEFAULT_MAX_BYTES) if isinstance(store, UnitCache) else None
    )
    # each file's stat taken before it is read: an edit meanwhile is never vouched for
    sources, problems = read_directory(plan_dir, defer=stats.reading if stats is not None else None)
    label = display_path(plan_dir)
    return scoped_plan(label, sources, problems, node_id, metric, store, aside=aside, stats=stats)


def _digests(sources: list[SourceFile], max_bytes: int, stats: StatCache | None) -> dict[str, str]:
    """Each file's unit digest: from the stat record of ``planc check`` where it vouches
    for the bytes (:class:`~planc.core.cache.StatCache`), else hashed."""
    if stats is not None and stats.max_bytes == max_bytes:
        return {s.path: stats.digest(s) for s in sources}
    return {s.path: unit_digest(s.path, s.data, max_bytes) for s in sources}


def _summary(plans: list[Plan], paths: set[str]) -> Plan | None:
    """The partition's summary plan among the plans it checked: the one that holds the
    region node of every region file (a region's own plan holds its file's only)."""
    for plan in reversed(plans):
        company = plan.nodes.get(plan.company)
        if company is None:
            continue
        held = {n.loc.file for n in plan.nodes.values() if n.level is Level.REGION}
        if paths - {company.loc.file} <= held:
            return plan
    return None


def _region_plan(plans: list[Plan], quarter: str, path: str) -> Plan | None:
    """A plan the partition built of Q and R alone to check R, if it built one."""
    for plan in plans:
        files = {n.loc.file for n in plan.nodes.values()}
        if path in files and files <= {quarter, path}:
            return plan
    return None


def _candidates(summary: Plan, node_id: str, quarter: str, sources: list[SourceFile]) -> list[str]:
    """The region file that defines ``node_id`` (the summary holds every region node and
    the teams and reps the quarter file names), else the files whose text names it."""
    node = summary.nodes.get(node_id)
    if node is not None:
        return [] if node.loc.file == quarter else [node.loc.file]
    word = re.compile(rb"(?<![A-Za-z0-9_-])" + re.escape(node_id.encode()) + rb"(?![A-Za-z0-9_-])")
    found = [s.path for s in sources if s.path != quarter and word.search(s.data)]
    return found[:_MAX_CANDIDATES]


def _model(
    quarter: SourceFile,
    region: SourceFile,
    max_bytes: int,
    loaded: dict[str, Any],
    memo: BuildMemo | None = None,
) -> Plan | None:
    """The model of Q and R alone; None when a file or the model has an error. R's values
    go into ``loaded`` where R loaded with no diagnostic and no trap (and what the model
    made of them into ``memo``)."""
    documents = []
    for source in (quarter, region):
        unit = compile_unit(source, SpanResolver({source.path: source}), max_bytes)
        if unit.has_errors or not isinstance(unit.data, dict):
            return None
        documents.append((unit.path, unit.data))
    # the last unit loaded is R's. A file with an anchor (every alias needs one: `&`) is
    # never clean here: a splice of an anchored number changes each alias of it too, which
    # edited_values, setting one path, would not show (the file is loaded again instead)
    clean = not unit.diagnostics and not unit.traps and b"&" not in region.data
    if clean:
        loaded[region.path] = unit.data
    plan, problems = build_plan(documents[0], documents[1:], memo if clean else None)
    if plan is None or any(d.severity is Severity.ERROR for d in problems):
        return None
    return plan


def _rep_sums(plan: Plan, metric: str, files: set[str]) -> dict[str, Decimal]:
    """Node id -> what the reps of ``files`` below it add up to (the reps' ``metric`` values)."""
    sums: dict[str, Decimal] = {}
    for node in plan.nodes.values():
        target = node.targets.get(metric)
        if node.level is not Level.REP or target is None or node.loc.file not in files:
            continue
        for above in plan.ancestors(node.parent or ""):
            sums[above.id] = sums.get(above.id, Decimal(0)) + target.value
    return sums
