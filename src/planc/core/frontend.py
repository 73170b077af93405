"""The incremental front end: one unit per file, keyed by its content; the cross-file part re-run.

What one plan file gives on its own (its values, its YAML and schema
diagnostics, the YAML 1.1 traps it holds) depends only on its path and its
bytes, so it is kept as a :class:`FileUnit` and reused while the bytes do not
change. What depends on several files (the model, references, totals, every
check) is computed again from the units on every compile::

    frontend = Frontend(run_checks)             # planc.checks.run_checks
    result = frontend.compile(label, sources)   # a CheckResult, as compile_sources gives
    # ... one region file edited, read again ...
    result = frontend.compile(label, sources)   # loads only the file whose bytes changed
    frontend.stats                              # loaded and reused in the last compile

An editor or a language server keeps one ``Frontend`` per quarter folder and
hands it the files as they are now (from disk or from unsaved buffers).
``planc check`` makes one per run and gives it a :class:`UnitStore` (the on-disk
cache) so that units also survive between processes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from planc.core.diagnostics import Diagnostic, Message, Severity, resolve_spans
from planc.core.loader import DEFAULT_MAX_BYTES, LoadResult, Trap, load_source
from planc.core.memory import gc_paused
from planc.core.model import BuildMemo, Plan, build_plan
from planc.core.schema import NO_QUARTER_FILE, TWO_QUARTER_FILES, validate
from planc.core.source import Loc, SourceFile, SourceSpan
from planc.core.spans import SpanResolver

#: what runs over a plan that compiled: every check, in order (see planc.checks)
PlanChecks = Callable[[Plan], Iterable[Diagnostic]]
#: The quarter folder (as shown) above the folder read, or None: the hint of a plan with no
#: quarter file. Looked for on disk unless a reader gives its own (a revision's tree).
QuarterAbove = Callable[[], str | None]


@dataclass(slots=True)
class CheckResult:
    """What ``planc check`` found: the plan (if it got that far) and every diagnostic, sorted."""

    label: str
    sources: dict[str, SourceFile] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    plan: Plan | None = None
    # regions, teams and reps, when a partitioned check gives no plan (see planc.checks.partition)
    levels: tuple[int, int, int] | None = None

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)


def unit_digest(path: str, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """What a unit depends on: the path its diagnostics name, the bytes and the size bound."""
    digest = hashlib.blake2b(digest_size=20)
    for part in (path.encode("utf-8", "surrogateescape"), str(max_bytes).encode()):
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    digest.update(data)
    return digest.hexdigest()


@dataclass(slots=True)
class FileUnit:
    """One file compiled on its own: values, file-local diagnostics and traps.

    ``data`` is ``None`` when the file did not load or is not a valid plan file;
    ``diagnostics`` are the loader's and the schema's, with a ``Loc`` or a span.
    A unit is never changed once made: the model is built from a copy of the
    list of documents, never from the unit's own.
    """

    path: str
    digest: str
    data: Any
    diagnostics: tuple[Diagnostic, ...]
    traps: dict[tuple[int, int], Trap] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)


class UnitStore(Protocol):
    """Where units outlive a process (see :mod:`planc.core.cache`)."""

    def get(self, digest: str) -> FileUnit | None: ...

    def put(self, unit: FileUnit) -> None: ...


@dataclass(slots=True)
class Stats:
    """What the last compile did per file."""

    loaded: list[str] = field(default_factory=list)  # composed and validated
    reused: list[str] = field(default_factory=list)  # kept in memory from an earlier compile
    stored: list[str] = field(default_factory=list)  # read from the store


def compile_unit(
    source: SourceFile,
    resolver: SpanResolver,
    max_bytes: int = DEFAULT_MAX_BYTES,
    digest: str | None = None,
) -> FileUnit:
    """Load one file and validate it against the schema: everything it gives on its own.

    ``digest``: the unit digest of ``source``'s bytes where the caller has just taken it
    (:func:`unit_digest`, or the stat cache's for these bytes), so a 4.7 MB file is not
    hashed twice (~8 ms); ``""`` where nothing will file the unit by digest."""
    loaded: LoadResult = load_source(source, max_bytes)
    found = list(loaded.diagnostics)
    if loaded.data is not None:
        found += validate(loaded, resolver)
    if digest is None:
        digest = unit_digest(source.path, source.data, max_bytes)
    data = None if any(d.severity is Severity.ERROR for d in found) else loaded.data
    return FileUnit(source.path, digest, data, tuple(found), loaded.traps)


def default_workers() -> int:
    """CPUs this process may use (``PLANC_WORKERS`` overrides; 1 turns parallel loading off)."""
    chosen = os.environ.get("PLANC_WORKERS", "")
    if chosen.isdigit() and int(chosen) > 0:
        return int(chosen)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@dataclass(slots=True)
class Frontend:
    """Compiles a plan from its files, reusing every unit whose file did not change.

    ``retain=False`` keeps nothing after a compile (``planc check`` runs once):
    the model may then consume the documents as it builds, which halves the
    peak memory of a large plan, and what survives is frozen for the collector
    (see :mod:`planc.core.memory`). ``memo``: the model is built through it
    (:class:`~planc.core.model.BuildMemo`), for a caller that builds a model of the
    same values again (``planc render``'s partitioned check, forked after this model).
    """

    run_checks: PlanChecks
    max_bytes: int = DEFAULT_MAX_BYTES
    store: UnitStore | None = None
    retain: bool = True
    workers: int = field(default_factory=default_workers)
    parallel_min_bytes: int = 4 * 1024 * 1024  # below that, starting a worker costs more
    stats: Stats = field(default_factory=Stats)
    memo: BuildMemo | None = None
    _units: dict[str, FileUnit] = field(default_factory=dict)

    def compile(
        self,
        label: str,
        sources: list[SourceFile],
        problems: list[Diagnostic] | None = None,
        *,
        resolve: bool = True,
        cancel: Callable[[], object] | None = None,
        digests: Mapping[str, str] | None = None,
        quarter_above: QuarterAbove | None = None,
    ) -> CheckResult:
        """Compile the plan made of ``sources`` (all of its files, as they are now).

        ``resolve=False`` leaves the diagnostics with their ``Loc`` and unsorted:
        turning them into line:col composes every file that has one again, which
        a caller that only compares codes and messages does not need (see
        :func:`resolved`).

        ``cancel`` (a language server: a newer edit came) is called before each file
        that is loaded, before the model is built and before the checks; it stops the
        compile by raising. The files are then loaded one after the other in this
        process, and each one's unit is kept as soon as it is made (the next compile
        does not load it again).

        ``digests``: path -> the unit digest of that source's bytes where the caller knows
        it (the stat cache, :class:`planc.core.cache.StatCache`): used to look the unit up,
        and the file is not hashed; a unit compiled anyway takes its digest from its bytes.

        ``quarter_above``: where a plan with no quarter file is told to look instead, when
        the sources are not the folder ``label`` names on disk (a revision's).
        """
        result = CheckResult(label, {s.path: s for s in sources})
        found: list[Diagnostic] = list(problems or [])
        resolver = SpanResolver(result.sources)
        self.stats = Stats()
        with gc_paused(freeze=not self.retain):
            documents = self._front(sources, resolver, found, cancel, digests or {})
            if not _any_error(found):
                if cancel is not None:
                    cancel()
                plan, model_problems = _build(label, documents, self.memo, quarter_above)
                found += model_problems
                if plan is not None and not _any_error(model_problems):
                    if cancel is not None:
                        cancel()
                    result.plan = plan
                    found += self.run_checks(plan)
            result.diagnostics = resolve_spans(found, resolver) if resolve else found
        return result

    def _front(
        self,
        sources: list[SourceFile],
        resolver: SpanResolver,
        found: list[Diagnostic],
        cancel: Callable[[], object] | None = None,
        given: Mapping[str, str] | None = None,
    ) -> list[tuple[str, dict[str, Any]]]:
        """Every file's unit, its diagnostics added to ``found``; the documents to build from.

        Only the returned list refers to the documents when nothing is retained,
        so the model can consume them as it builds.
        """
        given = given or {}
        # each file's digest taken here from its bytes (None: the caller's, not taken)
        taken = [
            None if s.path in given else unit_digest(s.path, s.data, self.max_bytes)
            for s in sources
        ]
        known = [
            self._known(s, given[s.path] if d is None else d)
            for s, d in zip(sources, taken, strict=True)
        ]
        missing = [i for i, unit in enumerate(known) if unit is None]
        # a unit made here is filed by its own bytes' digest (taken by compile_unit where the
        # caller's was used for the lookup), never by the caller's word
        if cancel is None:
            compiled = compile_units(
                [sources[i] for i in missing],
                resolver,
                self.max_bytes,
                self._workers(missing, sources),
                [taken[i] for i in missing],
            )
            for index, unit in zip(missing, compiled, strict=True):
                known[index] = unit
                self._made(unit)
        else:
            for index in missing:
                cancel()
                known[index] = unit = compile_unit(
                    sources[index], resolver, self.max_bytes, taken[index]
                )
                self._made(unit)
                if self.retain:
                    self._units[unit.path] = unit  # kept should the next file be cancelled
        units = [unit for unit in known if unit is not None]
        self._units = {u.path: u for u in units} if self.retain else {}
        for unit in units:
            found += unit.diagnostics
        return [(u.path, u.data) for u in units if u.data is not None]

    def _made(self, unit: FileUnit) -> None:
        self.stats.loaded.append(unit.path)
        if self.store is not None:
            self.store.put(unit)

    def _known(self, source: SourceFile, digest: str) -> FileUnit | None:
        """The file's unit from an earlier compile or from the store, if its bytes are known
        (``digest``: their unit digest)."""
        kept = self._units.get(source.path)
        if kept is not None and kept.digest == digest:
            self.stats.reused.append(source.path)
            return kept
        if self.store is not None:
            stored = self.store.get(digest)
            if stored is not None and stored.path == source.path:
                self.stats.stored.append(source.path)
                return stored
        return None

    def _workers(self, missing: list[int], sources: list[SourceFile]) -> int:
        size = sum(len(sources[i].data) for i in missing)
        return self.workers if size >= self.parallel_min_bytes else 1


def compile_units(
    sources: list[SourceFile],
    resolver: SpanResolver,
    max_bytes: int,
    workers: int,
    digests: list[str | None] | None = None,
) -> list[FileUnit]:
    """Each file's unit, in order; on ``workers`` processes when there are several files
    (``digests``: each file's unit digest where the caller has just taken it from its
    bytes, else None).

    The files are independent, so forked workers compile the larger half while
    this process compiles the rest; a worker hands its unit back pickled through
    its pipe (a process of our own, never a folder anyone else could write).
    Where ``fork`` is not available or fails, or a worker fails, this process does it.
    """
    given: list[str | None] = list(digests) if digests is not None else [None] * len(sources)

    def here(i: int) -> FileUnit:
        return compile_unit(sources[i], resolver, max_bytes, given[i])

    if workers <= 1 or len(sources) < 2:
        return [here(i) for i in range(len(sources))]
    import multiprocessing as mp  # noqa: PLC0415 - only a compile on several workers pays

    if "fork" not in mp.get_all_start_methods():
        return [here(i) for i in range(len(sources))]
    order = sorted(range(len(sources)), key=lambda i: -len(sources[i].data))
    theirs, mine = order[0::2], order[1::2]
    if 4 * sum(len(sources[i].data) for i in mine) < sum(len(s.data) for s in sources):
        # One large file and small ones (an edit of one region): a worker would only
        # add the cost of handing the unit back.
        return [here(i) for i in range(len(sources))]
    out: dict[int, FileUnit] = {}
    try:
        pool = mp.get_context("fork").Pool(min(workers - 1, len(theirs)))
    except OSError:  # no worker forked (EAGAIN, ENOMEM): every file here, as without fork
        return [here(i) for i in range(len(sources))]
    with pool:
        pending = {
            i: pool.apply_async(_compile_alone, (sources[i], max_bytes, given[i])) for i in theirs
        }
        for i in mine:
            out[i] = here(i)
        for i, job in pending.items():
            try:
                out[i] = job.get()
            except Exception:  # noqa: BLE001 - a worker that died: do its file here
                out[i] = here(i)
    return [out[i] for i in range(len(sources))]


def _compile_alone(source: SourceFile, max_bytes: int, digest: str | None) -> FileUnit:
    # In a worker: positions of traps are looked up in this one file only.
    return compile_unit(source, SpanResolver({source.path: source}), max_bytes, digest)


def resolved(result: CheckResult, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics of ``result`` (compiled with ``resolve=False``) with spans, sorted."""
    return resolve_spans(diagnostics, SpanResolver(result.sources))


def _any_error(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def _build(
    label: str,
    documents: list[tuple[str, dict[str, Any]]],
    memo: BuildMemo | None = None,
    quarter_above: QuarterAbove | None = None,
) -> tuple[Plan | None, list[Diagnostic]]:
    quarters = [(path, data) for path, data in documents if data["kind"] == "quarter"]
    regions = [(path, data) for path, data in documents if data["kind"] != "quarter"]
    documents.clear()
    if not quarters:
        return None, [
            NO_QUARTER_FILE.at(
                SourceSpan(label, 1, 1),
                Message("no quarter file in {folder}", folder=label),
                _no_quarter_hint(label, quarter_above),
            )
        ]
    if len(quarters) > 1:
        return None, [
            TWO_QUARTER_FILES.at(
                Loc(path) / "kind",
                Message(
                    "second quarter file in {folder} (first: {first})",
                    folder=label,
                    first=quarters[0][0],
                ),
                _two_quarters_hint(quarters[0][0], path),
            )
            for path, _ in quarters[1:]
        ]
    return build_plan(quarters[0], regions, memo)


def _no_quarter_hint(label: str, quarter_above: QuarterAbove | None) -> Message:
    """What to do about a folder read without a quarter file: when a folder above it holds
    one (its regions/ given for the quarter folder), give that folder; else add one. Above
    the folder ``label`` names on disk, unless ``quarter_above`` says where."""
    if quarter_above is not None:
        above = quarter_above()
    else:
        # pipeline imports this module: its disk helpers are imported when a hint needs them
        from planc.core.pipeline import quarter_folder_above  # noqa: PLC0415

        above = quarter_folder_above(Path(label))
    if above is not None:
        return Message("give its quarter folder instead: {folder}", folder=above)
    return Message("add quarter.yaml with kind: quarter (quarter, company, metrics, policy)")


def _two_quarters_hint(first: str, second: str) -> Message:
    """What to do about the quarter file ``second``: when it and ``first`` sit in different
    folders of the folder read (plans/2017-Q3/quarter.yaml and plans/2027-Q1/quarter.yaml:
    a folder of quarters given where one quarter folder is read), give that quarter folder;
    otherwise (a copy beside the quarter file, or among its regions) keep one of them."""
    ours = PurePosixPath(first).parent.parts
    theirs = PurePosixPath(second).parent.parts
    shared = 0
    while shared < min(len(ours), len(theirs)) and ours[shared] == theirs[shared]:
        shared += 1
    if shared < len(ours) and shared < len(theirs):
        folder = PurePosixPath(*theirs[: shared + 1]).as_posix()
        return Message("give one quarter folder, e.g. {folder}", folder=folder)
    return Message("keep one kind: quarter file per quarter folder")
