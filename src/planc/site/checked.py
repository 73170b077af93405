"""The check a render starts from: the plan's model and every diagnostic, as a full compile gives them.

A page needs the whole model, but a render with planc's cache need not run every
check over it: the partitioned check (:mod:`planc.checks.partition`) gives the
full compile's diagnostics (code, severity, span, message, hint, order) from the
region results of the files that did not change. Those diagnostics were read
back from JSON, so their messages are plain English text; the site shows them
in the plan's language from the :class:`~planc.core.diagnostics.Message` a
check made. So the model is built without checks, and only the checks whose
codes the partition reported run over it (none on a clean plan): a check whose
code the partition did not report reports nothing on the whole plan either.
Their findings are compared with the partition's before they are used; on any
difference every check runs, as without a cache.

The partition and the model are independent: on two CPUs (``PLANC_WORKERS``, as
loading) a forked child runs the partition while this process builds the model,
and hands back only its diagnostics, through its own pipe (never a folder;
:mod:`planc.core.forking`). A render again that leaves unchanged files out of the
model forks that child once the model of the edited files is built: the child
inherits their units and the model's pieces, and builds its region models of them
without loading them again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planc.checks import CHECKS
from planc.checks.forked import run_checks_forked
from planc.checks.partition import (
    FromRecord,
    PartitionStats,
    ResultStore,
    compile_partitioned,
    teams_name,
    unit_and_record,
)
from planc.core.cache import UnitCache
from planc.core.diagnostics import Diagnostic
from planc.core.forking import can_fork, start_forked
from planc.core.frontend import (
    CheckResult,
    FileUnit,
    Frontend,
    default_workers,
    resolved,
    unit_digest,
)
from planc.core.loader import DEFAULT_MAX_BYTES
from planc.core.memory import gc_paused
from planc.core.model import BuildMemo, Plan
from planc.core.pipeline import compile_sources, display_path, read_directory
from planc.core.source import SourceFile
from planc.site.reuse import file_digest, files_from, quarter_names, regions_from

#: ``PartitionStats.fallback`` when the checks over the model did not report what the partition
#: did (never seen: the tests assert it; then every check runs, as without a cache)
DISAGREE = "the checks over the model disagree with the partition"


@dataclass
class Skipping:
    """Region files a render again may leave out of the model (see :mod:`planc.site.fragments`).

    ``recorded``: the record of the last render of the site (as :func:`planc.site.render.begin_render`
    read it; untrusted). :func:`check_for_render` leaves out each region file whose bytes
    are those that render recorded with a fragment, when the quarter file is unchanged
    too, and fills in what it did: ``skipped`` (files left out), ``order`` (every region
    file in the order the model builds them) and ``whole`` (builds the whole model, for a
    render that finds a reason not to trust what was left out). Nothing skipped: the
    model is the whole plan's, as without it.
    """

    recorded: Any
    skipped: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    whole: Callable[[], CheckResult] | None = None
    why: str | None = None  # why nothing was skipped, when something could have been
    # path -> file_digest of the bytes read (the render keys and records by the same: each
    # 19 MB plan hashed once, not once here and twice more in the render)
    digests: dict[str, str] = field(default_factory=dict)

    @classmethod
    def after(cls, begun: tuple[Any, Any] | None) -> Skipping | None:
        """For a render after the one whose record :func:`planc.site.render.begin_render`
        read (``Begun.recorded``: the record and its pages); None without one."""
        return None if begun is None else cls(begun[0])


def check_for_render(
    plan_dir: Path,
    store: ResultStore | None,
    stats: PartitionStats | None = None,
    *,
    model_with_errors: bool = True,
    meanwhile: Callable[[], None] | None = None,
    skipping: Skipping | None = None,
    ahead: Callable[[CheckResult], None] | None = None,
    begin: Callable[[], Skipping | None] | None = None,
) -> CheckResult:
    """What ``check_directory(plan_dir, store=store)`` gives (the plan and every diagnostic).

    With a ``store`` (planc's cache), checked by the partition; ``stats`` tells
    what it did (None in ``stats.fallback`` and ``stats.computed`` and
    ``stats.cached`` filled when it ran). ``model_with_errors=False``: a plan with
    errors comes back with its diagnostics only (``planc render`` prints them and
    stops), not with the plan the full compile builds then. ``meanwhile`` is
    called once the model is built, before waiting for the partition (work the
    caller does anyway, done while the other CPU finishes the check). ``skipping``: a
    render again that may leave unchanged region files out of the model (see
    :class:`Skipping`); the plan is then a model of the other files only. ``ahead``:
    called after ``meanwhile`` with that model when files were left out of it (before the
    partition vouched for it: the render's work on it that does not depend on the check).
    ``begin``: with a ``store``, called before the model is built; what it returns is the
    ``skipping`` (``planc render`` begins the render there). On two CPUs it is called
    first: with files left out, the partition is forked once the model of the others is
    built, and takes what that build read and made of the edited files (their units and
    model pieces: :func:`_start_partition`) instead of loading and building them again;
    with none left out, the partition is forked at once, beside the whole model. On one
    CPU the partition runs first (here), then ``begin``.
    """
    sources, problems = read_directory(plan_dir, DEFAULT_MAX_BYTES)
    label = display_path(plan_dir)
    if store is None:
        return compile_sources(label, sources, run_checks_forked, problems, DEFAULT_MAX_BYTES)
    stats = stats if stats is not None else PartitionStats()
    forks = default_workers() >= 2 and can_fork()
    wait = None if begin is not None and forks else _start(label, sources, problems, store, stats)
    if begin is not None:
        skipping = begin()
    left_out = _may_skip(sources, skipping) if skipping is not None and not problems else set()
    chosen = [s for s in sources if s.path not in left_out]
    puts = _ForkedPuts(store, chosen)
    try:
        built, wait = _model_beside(label, sources, chosen, problems, store, stats, puts, wait)
        if meanwhile is not None:
            meanwhile()
        if ahead is not None and left_out:
            ahead(built)
        partitioned = wait()
        if left_out and skipping is not None:
            why = _why_not_skip(built, partitioned, stats)
            if why is None:
                return _skipped(built, sources, problems, store, skipping, left_out)
            skipping.why = why
            built = Frontend(_no_checks, DEFAULT_MAX_BYTES, store=puts, retain=False).compile(
                label, sources, problems, resolve=False
            )
    finally:
        puts.finish()
    if partitioned is None:  # files the partition cannot vouch for: the full compile
        return compile_sources(
            label, sources, run_checks_forked, problems, DEFAULT_MAX_BYTES, store
        )
    if partitioned.has_errors:
        if model_with_errors:
            return compile_sources(
                label, sources, run_checks_forked, problems, DEFAULT_MAX_BYTES, store
            )
        return partitioned  # printed as planc check prints it; nothing is rendered
    plan = built.plan
    if plan is None:  # the partition said it builds: never here, but not a traceback either
        stats.fallback = "the model did not build"
        return compile_sources(
            label, sources, run_checks_forked, problems, DEFAULT_MAX_BYTES, store
        )
    codes = {d.code for d in partitioned.diagnostics}
    with gc_paused():
        found = resolved(built, [*built.diagnostics, *_checks_of(plan, codes)])
        if _shown(found) != _shown(partitioned.diagnostics):
            stats.fallback = DISAGREE
            found = resolved(built, [*built.diagnostics, *run_checks_forked(plan)])
    built.diagnostics = found
    return built


def _model_beside(
    label: str,
    sources: list[SourceFile],
    chosen: list[SourceFile],
    problems: list[Diagnostic],
    store: ResultStore,
    stats: PartitionStats,
    puts: _ForkedPuts,
    wait: Callable[[], CheckResult | None] | None,
) -> tuple[CheckResult, Callable[[], CheckResult | None]]:
    """The model of the ``chosen`` files (no checks), and the function that waits for the
    partition's result: started here unless ``wait`` is already that. The model of every
    file: the partition beside it, from the start. Files left out: the partition is forked
    once this model is built, and takes the units the build read from the team records and
    what it made of them (see :func:`_start_partition`)."""
    if wait is None and len(chosen) == len(sources):
        wait = _start(label, sources, problems, store, stats)
    puts.keep = wait is None  # a partition forked after the model takes what it read
    memo = BuildMemo() if wait is None else None
    built = Frontend(_no_checks, DEFAULT_MAX_BYTES, store=puts, retain=False, memo=memo).compile(
        label, chosen, problems, resolve=False
    )
    if wait is None:
        given, whole = puts.given()
        puts.keep = False
        puts.loaded, puts.from_record = [], []
        wait = _start(label, sources, problems, store, stats, given, memo, whole)
    return built, wait


def _may_skip(sources: list[SourceFile], skipping: Skipping) -> set[str]:
    """The region files whose bytes are those the last render recorded a fragment of,
    when the quarter file's are too (the record names it: the one without a region key)."""
    recorded = files_from(skipping.recorded)
    keyed = regions_from(skipping.recorded)
    quarters = [path for path in recorded if path not in keyed]
    if len(quarters) != 1:
        return set()
    now = {s.path: s for s in sources}
    quarter = now.get(quarters[0])
    digests = skipping.digests
    for source in sources:
        digests[source.path] = file_digest(source.data)
    if quarter is None or digests[quarter.path] != recorded[quarters[0]]:
        return set()
    # every region key holds the bytes of the files the quarter file names: one edited,
    # no page's key is the recorded one (_why_not_skip finds it too, after the model)
    named = files_from(skipping.recorded, "named")
    for path, digest in named.items():
        if path not in now or digests[path] != digest:
            skipping.why = f"the quarter file names what {path} defines, edited since"
            return set()
    return {
        path
        for path, digest in recorded.items()
        if path in keyed and path in now and digests[path] == digest
    }


def _why_not_skip(
    built: CheckResult, partitioned: CheckResult | None, stats: PartitionStats
) -> str | None:
    """Why a model of some files cannot stand for the whole plan here; None if it can:
    the partition vouched for a clean plan (no diagnostic at all: checks over the model
    would read the whole plan) and the model's nodes, and all the quarter file names,
    are the model's own (nothing reaches into a file left out)."""
    if partitioned is None or stats.fallback is not None or not (stats.computed or stats.cached):
        return "the partition did not vouch for the plan"
    if partitioned.diagnostics:
        return "the plan has diagnostics"
    plan = built.plan
    if plan is None or built.diagnostics:
        return "the model of the files at hand did not build cleanly"
    return _reaches_out(plan)


def _reaches_out(plan: Plan) -> str | None:
    """What of a model of some files names a node or person of a file left out, if any."""
    company = plan.nodes.get(plan.company)
    if company is None:
        return "no company"
    for node in plan.nodes.values():
        if node.id != plan.company and node.parent not in plan.nodes:
            return f"{node.id}'s parent is in a file left out"
    tables: dict[str, Any] = {"person": plan.people, "node": plan.nodes}
    for kind, ident in quarter_names(plan, company.loc.file):
        if kind in tables and ident not in tables[kind]:
            return f"the quarter file names {ident}, of a file left out"
        # every region key holds the bytes of the files the quarter file names
        if kind in tables and tables[kind][ident].loc.file != company.loc.file:
            return f"the quarter file names {ident}, of an edited file"
    return _names_reach_out(plan, tables)


def _names_reach_out(plan: Plan, tables: dict[str, Any]) -> str | None:
    """A reference, action or adjustment of the model naming what the model lacks, if any."""
    for reference in plan.references:
        if reference.kind in tables and reference.id not in tables[reference.kind]:
            return f"{reference.id} is in a file left out"
    for action in plan.actions:
        if action.node not in plan.nodes or action.owner not in plan.people:
            return f"action {action.id} names a file left out"
    for adjustment in plan.adjustments:
        if any(c.node not in plan.nodes for c in adjustment.changes):
            return f"adjustment {adjustment.id} changes a node of a file left out"
        if any(p not in plan.people for p in adjustment.approved_by):
            return f"adjustment {adjustment.id} names a person of a file left out"
    return None


def _skipped(
    built: CheckResult,
    sources: list[SourceFile],
    problems: list[Diagnostic],
    store: ResultStore,
    skipping: Skipping,
    left_out: set[str],
) -> CheckResult:
    """The model of the files at hand as the render's plan, ``skipping`` filled in."""
    label = built.label
    plan = built.plan
    assert plan is not None  # _why_not_skip said so
    quarter = plan.nodes[plan.company].loc.file
    skipping.skipped = [s.path for s in sources if s.path in left_out]
    skipping.order = [s.path for s in sources if s.path != quarter]

    def whole() -> CheckResult:
        found = Frontend(_no_checks, DEFAULT_MAX_BYTES, store=store, retain=False).compile(
            label, sources, problems, resolve=False
        )
        if found.plan is None or found.diagnostics:  # never for a plan vouched for clean
            return compile_sources(
                label, sources, run_checks_forked, problems, DEFAULT_MAX_BYTES, store
            )
        return found

    skipping.whole = whole
    built.sources = {s.path: s for s in sources}  # the region keys hash every file
    built.diagnostics = []
    return built


def vouched(result: CheckResult, stats: PartitionStats) -> bool:
    """Whether the partitioned check vouched for the plan :func:`check_for_render` gave
    (``stats`` is what it filled): no fallback to the full compile, no error. Then no
    region file names what another defines, no id is defined twice and no seat or
    record is shared with the quarter file (the partition's guards), which is what
    lets a render take the keys of an unchanged region's pages from its record
    (:mod:`planc.site.reuse`)."""
    return (
        stats.fallback is None
        and bool(stats.computed or stats.cached)
        and result.plan is not None
        and not result.has_errors
    )


def _start(
    label: str,
    sources: list[SourceFile],
    problems: list[Diagnostic],
    store: ResultStore,
    stats: PartitionStats,
    units: Mapping[str, FileUnit] | None = None,
    memo: BuildMemo | None = None,
    whole: list[str] | None = None,
) -> Callable[[], CheckResult | None]:
    # the module's name looked up at each call (the tests watch it)
    return _start_partition(label, sources, problems, store, stats, units or {}, memo, whole or [])


def _start_partition(
    label: str,
    sources: list[SourceFile],
    problems: list[Diagnostic],
    store: ResultStore,
    stats: PartitionStats,
    units: Mapping[str, FileUnit],
    memo: BuildMemo | None,
    whole: list[str],
) -> Callable[[], CheckResult | None]:
    """Start the partitioned check; the function returned waits for its result.

    ``units``: region files' units the model's build read from their team records or
    compiled (``whole``: those), and ``memo`` what that build made of them (a render
    again, files left out of the model: the partition is forked after the build). The
    partition then loads none of them again and builds their region models from the very
    same values (the model's pieces reused: a few hundredths of a second, where loading
    and building a 2,500-rep file again took ~0.3 s of CPU from its team record, more
    from its bytes). The team records of the units read from them are kept by the
    model's side (:class:`_ForkedPuts`), those of the units compiled by the partition, as
    it keeps those of the files it loads whole."""

    def here() -> CheckResult | None:
        return _partitioned(label, sources, problems, store, stats, units, memo, whole)

    if default_workers() < 2 or not can_fork():
        found = here()
        return lambda: found
    answered = start_forked(_partition_child, label, sources, problems, store, units, memo, whole)

    def wait() -> CheckResult | None:
        answer = answered()
        if answer is None:  # the child failed or died: do it in this process
            return here()
        found, done = answer
        stats.computed, stats.cached, stats.fallback = done.computed, done.cached, done.fallback
        if found is None:
            return None
        result = CheckResult(label, {s.path: s for s in sources})
        result.diagnostics, result.levels = found
        return result

    return wait


_Answer = tuple[tuple[list[Diagnostic], tuple[int, int, int] | None] | None, PartitionStats]


def _partition_child(
    label: str,
    sources: list[SourceFile],
    problems: list[Diagnostic],
    store: ResultStore,
    units: Mapping[str, FileUnit],
    memo: BuildMemo | None,
    whole: list[str],
) -> _Answer:
    """In the forked child: the partition's diagnostics and levels (None: it declined), its stats."""
    stats = PartitionStats()
    found = _partitioned(label, sources, problems, store, stats, units, memo, whole)
    return (None if found is None else (found.diagnostics, found.levels), stats)


def _partitioned(
    label: str,
    sources: list[SourceFile],
    problems: list[Diagnostic],
    store: ResultStore,
    stats: PartitionStats,
    units: Mapping[str, FileUnit],
    memo: BuildMemo | None,
    whole: list[str],
) -> CheckResult | None:
    """The partitioned check, given the units (and what the model made of them) it need
    not load again: in this process or the forked child (:func:`_start_partition`)."""
    # the unit digests of the units given, taken by the model's build from the same bytes
    digests = {path: unit.digest for path, unit in units.items()}
    return compile_partitioned(
        label,
        sources,
        CHECKS,
        problems,
        DEFAULT_MAX_BYTES,
        store,
        stats,
        digests=digests,
        units=units,
        memo=memo,
        whole=whole,
    )


_PUT_CHILDREN = 1  # children writing units at once (the edited file needs one)


class _ForkedPuts:
    """The store the model's compile reads units from; a unit it compiled (the edited file)
    is written to the store by a forked child, beside the model build.

    Encoding a 4.7 MB region file's unit as JSON and writing it takes a few tenths
    of a second, all of it on the render's critical path, and nothing in this run
    reads it back. The child is forked when the unit is put, before the model
    consumes the unit's values, so it writes what this process would have. A
    child that fails has written nothing usable (the cache writes are atomic): the
    next run compiles that file again. One CPU, or no ``fork``: written here.

    A region file whose unit is not in the store (the edited one) is read from the
    team record the last check of it kept (:func:`planc.checks.partition.unit_and_record`:
    only the teams whose bytes changed are loaded, as the partitioned check beside
    this compile does) rather than compiled whole; that unit is put as a compiled one,
    with the file's new team record. What was read from the records (``from_record``) and
    compiled (``loaded``) is what a partition forked after the model may take.
    """

    def __init__(self, store: ResultStore, sources: list[SourceFile] | None = None) -> None:
        self.store = store
        self.waits: list[Callable[[], bool | None]] = []
        self.forks = default_workers() >= 2 and can_fork()
        self.sources = list(sources or ())
        self._unhashed = list(range(len(self.sources)))  # sources whose digest is not made
        self._digests: dict[str, SourceFile] = {}
        self._asked = 0  # units asked for so far
        self.from_record: list[FileUnit] = []  # the units the team records gave
        self.loaded: list[FileUnit] = []  # the units compiled (put by the compile)
        # whether to keep those: only for a partition forked after the model (else each
        # region file's raw values would outlive the build that consumes them: a cold
        # render's largest process 255 -> 288 MB at 10,000 reps)
        self.keep = False

    def get(self, digest: str) -> FileUnit | None:
        asked, self._asked = self._asked, self._asked + 1
        found = self.store.get(digest)
        if found is not None:
            return found
        source = self._source_of(digest, asked)
        if source is None:
            return None
        made = unit_and_record(source, self.store, DEFAULT_MAX_BYTES)
        if made is None or made.unit.digest != digest:
            return None
        unit = made.unit
        if self.keep:
            self.from_record.append(unit)
        # as if compiled here: the next run finds it in the store; and its team record, as
        # the partition keeps it (the partition given this unit makes none)
        self._write(unit, made)
        return unit

    def _source_of(self, digest: str, guess: int) -> SourceFile | None:
        """The source whose unit digest is ``digest`` (digests made only on a miss).

        The compile asks for the files' units in the order of the sources, so the
        ``guess``-th source (the ``guess``-th unit asked for) is hashed first: one
        file hashed instead of every file before it. Any other order is found too,
        by hashing the others in turn."""
        order = [guess] if guess in self._unhashed else []
        order += [i for i in self._unhashed if i != guess]
        for index in order:
            if digest in self._digests:
                break
            self._unhashed.remove(index)
            source = self.sources[index]
            self._digests[unit_digest(source.path, source.data, DEFAULT_MAX_BYTES)] = source
        return self._digests.get(digest)

    def put(self, unit: FileUnit) -> None:
        """A unit the compile made (:class:`~planc.core.frontend.Frontend`), written."""
        if self.keep:
            self.loaded.append(unit)
        self._write(unit, None)

    def given(self) -> tuple[dict[str, FileUnit], list[str]]:
        """The units a partition forked after the model takes (path -> unit): those read
        from the team records, and those compiled clean (no diagnostic, no trap: the
        partition's own compile of the same bytes gives the same unit); the paths of the
        latter, which the partition records as files it loaded whole."""
        whole = [u for u in self.loaded if u.data is not None and not u.diagnostics]
        whole = [u for u in whole if not u.traps]
        units = {u.path: u for u in [*whole, *self.from_record]}
        return units, [u.path for u in whole if units[u.path] is u]

    def _write(self, unit: FileUnit, made: FromRecord | None) -> None:
        if not self.forks:
            _put_unit(self.store, unit, made)
            return
        # one writer at a time beside this process: a cold render puts every file's unit,
        # and each child copies the pages of the unit it encodes (reference counts are
        # writes) — twenty at once took the 50,000-rep render's process tree to 1.78 GiB
        while len(self.waits) >= _PUT_CHILDREN:
            self.waits.pop(0)()
        self.waits.append(start_forked(_put_unit, self.store, unit, made))

    def finish(self) -> None:
        """Wait for every child that writes a unit."""
        for wait in self.waits:
            wait()
        self.waits.clear()


def _put_unit(store: ResultStore, unit: FileUnit, made: FromRecord | None = None) -> bool:
    """In the forked child: write the unit into the store; for a unit read from the file's
    team record (``made``), from the JSON texts it was read from, and the file's new team
    record (:func:`~planc.checks.partition.unit_and_record`)."""
    data = made.data_text() if made is not None else None
    if data is not None and isinstance(store, UnitCache):
        store.put(unit, data)
    else:
        store.put(unit)
    if made is not None and made.record is not None:
        store.put_text(teams_name(unit.path), made.record)
    return True


def _no_checks(plan: Plan) -> Iterable[Diagnostic]:
    return ()


def _checks_of(plan: Plan, codes: set[str]) -> Iterator[Diagnostic]:
    """The checks of ``codes`` over the plan, in registry order (as :func:`run_checks`)."""
    for check in CHECKS:
        if check.rule.code in codes:
            yield from check.run(plan)


def _shown(found: list[Diagnostic]) -> list[tuple[object, ...]]:
    """What ``planc check`` prints of each diagnostic, in order."""
    return [
        (d.code, d.severity, d.span, str(d.message), None if d.hint is None else str(d.hint))
        for d in found
    ]
