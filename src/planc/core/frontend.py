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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from planc.core.diagnostics import Diagnostic, Severity, resolve_spans
from planc.core.loader import DEFAULT_MAX_BYTES, LoadResult, Trap, load_source
from planc.core.memory import gc_paused
from planc.core.model import Plan, build_plan
from planc.core.schema import NO_QUARTER_FILE, TWO_QUARTER_FILES, validate
from planc.core.source import Loc, SourceFile, SourceSpan
from planc.core.spans import SpanResolver

#: what runs over a plan that compiled: every check, in order (see planc.checks)
PlanChecks = Callable[[Plan], Iterable[Diagnostic]]


@dataclass(slots=True)
class CheckResult:
    """What ``planc check`` found: the plan (if it got that far) and every diagnostic, sorted."""

    label: str
    sources: dict[str, SourceFile] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    plan: Plan | None = None

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
    source: SourceFile, resolver: SpanResolver, max_bytes: int = DEFAULT_MAX_BYTES
) -> FileUnit:
    """Load one file and validate it against the schema: everything it gives on its own."""
    loaded: LoadResult = load_source(source, max_bytes)
    found = list(loaded.diagnostics)
    if loaded.data is not None:
        found += validate(loaded, resolver)
    digest = unit_digest(source.path, source.data, max_bytes)
    data = None if any(d.severity is Severity.ERROR for d in found) else loaded.data
    return FileUnit(source.path, digest, data, tuple(found), loaded.traps)


@dataclass(slots=True)
class Frontend:
    """Compiles a plan from its files, reusing every unit whose file did not change.

    ``retain=False`` keeps nothing after a compile (``planc check`` runs once):
    the model may then consume the documents as it builds, which halves the
    peak memory of a large plan, and what survives is frozen for the collector
    (see :mod:`planc.core.memory`).
    """

    run_checks: PlanChecks
    max_bytes: int = DEFAULT_MAX_BYTES
    store: UnitStore | None = None
    retain: bool = True
    stats: Stats = field(default_factory=Stats)
    _units: dict[str, FileUnit] = field(default_factory=dict)

    def compile(
        self,
        label: str,
        sources: list[SourceFile],
        problems: list[Diagnostic] | None = None,
        *,
        resolve: bool = True,
    ) -> CheckResult:
        """Compile the plan made of ``sources`` (all of its files, as they are now).

        ``resolve=False`` leaves the diagnostics with their ``Loc`` and unsorted:
        turning them into line:col composes every file that has one again, which
        a caller that only compares codes and messages does not need (see
        :func:`resolved`).
        """
        result = CheckResult(label, {s.path: s for s in sources})
        found: list[Diagnostic] = list(problems or [])
        resolver = SpanResolver(result.sources)
        self.stats = Stats()
        with gc_paused(freeze=not self.retain):
            documents = self._front(sources, resolver, found)
            if not _any_error(found):
                plan, model_problems = _build(label, documents)
                found += model_problems
                if plan is not None and not _any_error(model_problems):
                    result.plan = plan
                    found += self.run_checks(plan)
            result.diagnostics = resolve_spans(found, resolver) if resolve else found
        return result

    def _front(
        self, sources: list[SourceFile], resolver: SpanResolver, found: list[Diagnostic]
    ) -> list[tuple[str, dict[str, Any]]]:
        """Every file's unit, its diagnostics added to ``found``; the documents to build from.

        Only the returned list refers to the documents when nothing is retained,
        so the model can consume them as it builds.
        """
        units = [self._unit(source, resolver) for source in sources]
        self._units = {u.path: u for u in units} if self.retain else {}
        for unit in units:
            found += unit.diagnostics
        return [(u.path, u.data) for u in units if u.data is not None]

    def _unit(self, source: SourceFile, resolver: SpanResolver) -> FileUnit:
        digest = unit_digest(source.path, source.data, self.max_bytes)
        kept = self._units.get(source.path)
        if kept is not None and kept.digest == digest:
            self.stats.reused.append(source.path)
            return kept
        if self.store is not None:
            stored = self.store.get(digest)
            if stored is not None and stored.path == source.path:
                self.stats.stored.append(source.path)
                return stored
        unit = compile_unit(source, resolver, self.max_bytes)
        self.stats.loaded.append(source.path)
        if self.store is not None:
            self.store.put(unit)
        return unit


def resolved(result: CheckResult, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics of ``result`` (compiled with ``resolve=False``) with spans, sorted."""
    return resolve_spans(diagnostics, SpanResolver(result.sources))


def _any_error(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def _build(
    label: str, documents: list[tuple[str, dict[str, Any]]]
) -> tuple[Plan | None, list[Diagnostic]]:
    quarters = [(path, data) for path, data in documents if data["kind"] == "quarter"]
    regions = [(path, data) for path, data in documents if data["kind"] != "quarter"]
    documents.clear()
    if not quarters:
        return None, [
            NO_QUARTER_FILE.at(
                SourceSpan(label, 1, 1),
                f"no quarter file in {label}",
                ("add quarter.yaml with kind: quarter (quarter, company, metrics, policy)"),
            )
        ]
    if len(quarters) > 1:
        return None, [
            TWO_QUARTER_FILES.at(
                Loc(path) / "kind",
                f"second quarter file in {label} (first: {quarters[0][0]})",
                "keep one kind: quarter file per quarter folder",
            )
            for path, _ in quarters[1:]
        ]
    return build_plan(quarters[0], regions)
