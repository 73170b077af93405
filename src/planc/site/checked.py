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
:mod:`planc.core.forking`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from planc.checks import CHECKS
from planc.checks.forked import run_checks_forked
from planc.checks.partition import (
    PartitionStats,
    ResultStore,
    compile_partitioned,
    unit_from_record,
)
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
from planc.core.model import Plan
from planc.core.pipeline import compile_sources, display_path, read_directory
from planc.core.source import SourceFile

#: ``PartitionStats.fallback`` when the checks over the model did not report what the partition
#: did (never seen: the tests assert it; then every check runs, as without a cache)
DISAGREE = "the checks over the model disagree with the partition"


def check_for_render(
    plan_dir: Path,
    store: ResultStore | None,
    stats: PartitionStats | None = None,
    *,
    model_with_errors: bool = True,
    meanwhile: Callable[[], None] | None = None,
) -> CheckResult:
    """What ``check_directory(plan_dir, store=store)`` gives (the plan and every diagnostic).

    With a ``store`` (planc's cache), checked by the partition; ``stats`` tells
    what it did (None in ``stats.fallback`` and ``stats.computed`` and
    ``stats.cached`` filled when it ran). ``model_with_errors=False``: a plan with
    errors comes back with its diagnostics only (``planc render`` prints them and
    stops), not with the plan the full compile builds then. ``meanwhile`` is
    called once the model is built, before waiting for the partition (work the
    caller does anyway, done while the other CPU finishes the check).
    """
    sources, problems = read_directory(plan_dir, DEFAULT_MAX_BYTES)
    label = display_path(plan_dir)
    if store is None:
        return compile_sources(label, sources, run_checks_forked, problems, DEFAULT_MAX_BYTES)
    stats = stats if stats is not None else PartitionStats()
    wait = _start_partition(label, sources, problems, store, stats)
    puts = _ForkedPuts(store, sources)
    try:
        built = Frontend(_no_checks, DEFAULT_MAX_BYTES, store=puts, retain=False).compile(
            label, sources, problems, resolve=False
        )
        if meanwhile is not None:
            meanwhile()
        partitioned = wait()
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


def _start_partition(
    label: str,
    sources: list[SourceFile],
    problems: list[Diagnostic],
    store: ResultStore,
    stats: PartitionStats,
) -> Callable[[], CheckResult | None]:
    """Start the partitioned check; the function returned waits for its result."""

    def here() -> CheckResult | None:
        return compile_partitioned(
            label, sources, CHECKS, problems, DEFAULT_MAX_BYTES, store, stats
        )

    if default_workers() < 2 or not can_fork():
        found = here()
        return lambda: found
    answered = start_forked(_partition_child, label, sources, problems, store)

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
    label: str, sources: list[SourceFile], problems: list[Diagnostic], store: ResultStore
) -> _Answer:
    """In the forked child: the partition's diagnostics and levels (None: it declined), its stats."""
    stats = PartitionStats()
    found = compile_partitioned(label, sources, CHECKS, problems, DEFAULT_MAX_BYTES, store, stats)
    return (None if found is None else (found.diagnostics, found.levels), stats)


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
    team record the last check of it kept (:func:`planc.checks.partition.unit_from_record`:
    only the teams whose bytes changed are loaded, as the partitioned check beside
    this compile does) rather than compiled whole; that unit is put as a compiled one.
    """

    def __init__(self, store: ResultStore, sources: list[SourceFile] | None = None) -> None:
        self.store = store
        self.waits: list[Callable[[], bool | None]] = []
        self.forks = default_workers() >= 2 and can_fork()
        self.sources = list(sources or ())
        self._unhashed = list(range(len(self.sources)))  # sources whose digest is not made
        self._digests: dict[str, SourceFile] = {}
        self._asked = 0  # units asked for so far
        self.from_record: list[str] = []  # paths whose unit the team record gave

    def get(self, digest: str) -> FileUnit | None:
        asked, self._asked = self._asked, self._asked + 1
        found = self.store.get(digest)
        if found is not None:
            return found
        source = self._source_of(digest, asked)
        if source is None:
            return None
        unit = unit_from_record(source, self.store, DEFAULT_MAX_BYTES)
        if unit is None or unit.digest != digest:
            return None
        self.from_record.append(unit.path)
        self.put(unit)  # as if compiled here: the next run finds it in the store
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
        if not self.forks:
            self.store.put(unit)
            return
        # one writer at a time beside this process: a cold render puts every file's unit,
        # and each child copies the pages of the unit it encodes (reference counts are
        # writes) — twenty at once took the 50,000-rep render's process tree to 1.78 GiB
        while len(self.waits) >= _PUT_CHILDREN:
            self.waits.pop(0)()
        self.waits.append(start_forked(_put_unit, self.store, unit))

    def finish(self) -> None:
        """Wait for every child that writes a unit."""
        for wait in self.waits:
            wait()
        self.waits.clear()


def _put_unit(store: ResultStore, unit: FileUnit) -> bool:
    """In the forked child: write the unit into the store."""
    store.put(unit)
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
