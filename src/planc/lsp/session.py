"""One quarter folder as the editor sees it: its files (buffers over the disk), compiled again.

The server keeps a :class:`QuarterSession` per quarter folder it has seen a
file of. Each compile hands the session's :class:`Frontend` every file of the
folder as it is now, an open buffer's text in place of its file on disk, so
only the edited file is composed and validated again; the model and every
check run again over all of them (an edit in a region file can change what is
reported in the quarter file).

A compile runs on the server's worker thread. It can be overtaken: the
server raises the session's ``generation`` on every edit, and the checks stop
between two checks when their compile is no longer the newest
(:class:`Cancelled`). A check that raises becomes one PLC050 diagnostic naming
it; the other checks still run.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from planc.checks import CHECKS
from planc.checks.base import Check
from planc.checks.partition import MemoryStore, PartitionStats, compile_partitioned
from planc.checks.warmup import MAX_FILES, has_team_record, make_team_records
from planc.core.diagnostics import Diagnostic
from planc.core.frontend import CheckResult, FileUnit, Frontend, compile_unit, unit_digest
from planc.core.loader import DEFAULT_MAX_BYTES
from planc.core.memory import gc_paused
from planc.core.model import Plan
from planc.core.pipeline import (
    HEAD_BYTES,
    MAX_FOLDERS,
    PLAN_SUFFIXES,
    QUARTER_NAMES,
    is_quarter_text,
    read_directory,
)
from planc.core.source import Loc, SourceFile, SourceSpan
from planc.core.spans import SpanResolver
from planc.lsp.rules import CHECK_FAILED

LOG = logging.getLogger("planc.lsp")
_PLAN_FILE = re.compile(rb"^(planc|kind):", re.MULTILINE)
MAX_LEVELS_UP = 4  # regions/<sub>/file.yaml: a quarter folder is never far above its files


SETTLED_SECONDS = 3  # a file whose timestamps are older than that is not being written


class DiskReads:
    """The folder's files as :func:`read_directory` read them, read again only when a stat
    of the folder says something changed (at 10,000 reps the read costs ~17 ms of CPU on
    every keystroke, and comparing the new bytes with the last ones a few more).

    What is compared: every folder ``read_directory`` walks (its own stat: an entry added,
    removed or renamed moves its mtime) and every plan file in it (size, mtime, ctime,
    inode, device; a link's target). As git's index does, a read is reused only when every
    timestamp was older than :data:`SETTLED_SECONDS` before it was taken: a file written
    twice within one tick of the clock, keeping its size, is still read again.
    """

    __slots__ = ("_kept", "max_bytes")

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._kept: tuple[tuple[Any, ...], list[SourceFile], list[Diagnostic]] | None = None

    def read(self, root: Path) -> tuple[list[SourceFile], list[Diagnostic]]:
        before = time.time_ns()
        signature = folder_signature(root)
        kept = self._kept
        if signature is not None and kept is not None and kept[0] == signature:
            return list(kept[1]), list(kept[2])
        found, problems = read_directory(root, self.max_bytes)
        settled = signature is not None and _newest(signature) < before - SETTLED_SECONDS * 10**9
        self._kept = (signature, found, problems) if settled and signature is not None else None
        return found, problems

    def forget(self) -> None:
        self._kept = None


def folder_signature(root: Path) -> tuple[Any, ...] | None:
    """The stat of every folder and plan file :func:`read_directory` would read under
    ``root`` (None: something could not be listed or stat'ed; read it then)."""
    failed: list[OSError] = []
    out: list[Any] = []
    try:
        top = os.stat(root)
        out.append(("", _stat_key(top)))
        for visited, (folder, dirs, files) in enumerate(os.walk(root, onerror=failed.append)):
            if visited == MAX_FOLDERS:
                return None  # a whole tree: read_directory says so, walking no further
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in dirs:
                out.append(
                    (os.path.join(folder, name), _stat_key(os.lstat(os.path.join(folder, name))))
                )
            for name in sorted(files):
                if name.endswith(PLAN_SUFFIXES) and not name.startswith("."):
                    where = os.path.join(folder, name)
                    out.append((where, _stat_key(os.lstat(where)), _stat_key(os.stat(where))))
    except OSError:
        return None
    return None if failed else tuple(out)


def _stat_key(st: os.stat_result) -> tuple[int, ...]:
    return (st.st_mode, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def _newest(signature: tuple[Any, ...]) -> int:
    newest = 0
    for entry in signature:
        for key in entry[1:]:
            newest = max(newest, int(key[2]), int(key[3]))  # mtime, ctime
    return newest


class Cancelled(Exception):
    """A newer edit arrived: this compile's diagnostics would be stale."""


def looks_like_plan(data: bytes) -> bool:
    """A YAML file that means to be a plan file (``planc:`` or ``kind:`` at the top level)."""
    return _PLAN_FILE.search(data[:HEAD_BYTES]) is not None


def quarter_root(path: Path, buffers: Mapping[Path, bytes]) -> Path | None:
    """The quarter folder a plan file belongs to: the nearest folder holding the quarter file.

    A folder is a quarter folder when it holds ``quarter.yaml`` or a YAML file
    (on disk or open in the editor) that says ``kind: quarter``. ``None``: the
    file is outside any quarter (it is then compiled on its own).
    """
    own = buffers.get(path)
    if own is not None and is_quarter_text(own):
        return path.parent
    folder = path.parent
    for _ in range(MAX_LEVELS_UP):
        if _holds_quarter_file(folder, buffers):
            return folder
        if folder.parent == folder:
            break
        folder = folder.parent
    return None


def _holds_quarter_file(folder: Path, buffers: Mapping[Path, bytes]) -> bool:
    if any(p.parent == folder and is_quarter_text(data) for p, data in buffers.items()):
        return True
    try:
        names = sorted(p.name for p in folder.iterdir() if p.name.endswith(PLAN_SUFFIXES))
    except OSError:
        return False
    for name in names:
        candidate = folder / name
        if candidate in buffers:
            continue  # its buffer, not its disk copy, says what it is
        if name in QUARTER_NAMES and candidate.is_file():
            return True
        if _head_says_quarter(candidate):
            return True
    return False


def _head_says_quarter(path: Path) -> bool:
    try:
        if not path.is_file():
            return False
        with path.open("rb") as handle:
            return is_quarter_text(handle.read(HEAD_BYTES))
    except OSError:
        return False


class LatestUnits:
    """The last unit made of each file by the model's front end (a
    :class:`~planc.core.frontend.UnitStore`): the disk's model for the baseline
    (:meth:`QuarterSession.refresh`) loads only the files whose buffer differs."""

    __slots__ = ("_by_digest", "_by_path")

    def __init__(self) -> None:
        self._by_path: dict[str, FileUnit] = {}
        self._by_digest: dict[str, FileUnit] = {}

    def get(self, digest: str) -> FileUnit | None:
        return self._by_digest.get(digest)

    def put(self, unit: FileUnit) -> None:
        before = self._by_path.get(unit.path)
        if before is not None:
            self._by_digest.pop(before.digest, None)
        self._by_path[unit.path] = unit
        self._by_digest[unit.digest] = unit


class _ReadOnly:
    """A store read, never written (the disk's units of edited files are not kept)."""

    __slots__ = ("store",)

    def __init__(self, store: LatestUnits) -> None:
        self.store = store

    def get(self, digest: str) -> FileUnit | None:
        return self.store.get(digest)

    def put(self, unit: FileUnit) -> None:
        pass


@dataclass(slots=True)
class QuarterSession:
    """A quarter folder, its incremental compiler and what its last compile gave."""

    root: Path
    max_bytes: int = DEFAULT_MAX_BYTES
    checks: tuple[Check, ...] = CHECKS
    generation: int = 0
    result: CheckResult | None = None  # the newest complete compile
    plan: Plan | None = None  # the newest model that built (kept while the text has errors)
    plan_sources: dict[str, SourceFile] = field(
        default_factory=dict
    )  # what ``plan`` was built from
    published: set[str] = field(default_factory=set)  # files whose diagnostics were sent last
    # every target's value as the disk had it when the model was first built (from the disk's
    # files if a buffer differed): what "a changed target" (a record stub) is changed from
    baseline: dict[tuple[str, str], Decimal] | None = None
    frontend: Frontend = field(init=False)
    disk: DiskReads = field(init=False)  # the folder's files, read again when a stat changes
    memory: MemoryStore = field(default_factory=MemoryStore)  # region results, by content
    _stale: tuple[dict[Path, bytes], int] | None = None  # buffers ``plan`` is behind
    _spans: dict[str, tuple[bytes, dict[Loc, SourceSpan]]] = field(default_factory=dict)
    _running: int = 0  # generation of the compile under way
    _model_only: bool = False  # a refresh: the model for the features, no check
    _units: LatestUnits = field(default_factory=LatestUnits)  # what ``frontend`` made last
    _baseline_of: dict[Path, bytes] | None = None  # buffers of ``plan``, while no baseline
    _digests: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # path -> bytes, digest
    _tried: set[str] = field(default_factory=set)  # files whose team records were made (or tried)
    # where the last compile's time went (seconds; counts of region results), for the bench
    timings: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.frontend = Frontend(self._run_checks, self.max_bytes, self._units, workers=1)
        self.disk = DiskReads(self.max_bytes)

    def sources(self, buffers: Mapping[Path, bytes]) -> tuple[list[SourceFile], list[Diagnostic]]:
        """Every file of the folder as it is now: open buffers over the disk, absolute paths."""
        found, problems = self.disk.read(self.root)
        by_path: dict[str, SourceFile] = {}
        for source in found:
            absolute = str(Path(source.path).absolute())
            by_path[absolute] = SourceFile(absolute, source.data)
        # a link planc does not read stays unread when open (its buffer is the file it leads to)
        links = {_absolute_path(d) for d in problems if d.code in _LINKS_NOT_READ}
        for path, data in buffers.items():
            if (
                path.is_relative_to(self.root)
                and path.name.endswith(PLAN_SUFFIXES)
                and path not in links
            ):
                by_path[str(path)] = SourceFile(str(path), data)
        problems = [
            _absolute(d)
            for d in problems
            if d.code in _LINKS_NOT_READ or not _about_a_buffer(d, buffers)
        ]
        if by_path:  # "no .yaml files": an unsaved buffer is one
            problems = [d for d in problems if d.code != "PLC011" or "no .yaml" not in d.message]
        return [by_path[p] for p in sorted(by_path)], problems

    def compile_diagnostics(self, buffers: Mapping[Path, bytes], generation: int) -> CheckResult:
        """What the server publishes after an edit: the plan checked by its files.

        Each region file's result (with the quarter file) is kept in memory, so an
        edit compiles the edited file and the cross-file checks only (see
        :mod:`planc.checks.partition`: the same diagnostics as :meth:`compile`). The
        first compile goes this way too, so it leaves every region's result behind
        (else the first keystroke would compile every region file). The model the
        features read is built on demand (:meth:`refresh`). A plan the partition
        cannot vouch for is compiled whole (:meth:`compile`).
        """
        started = time.perf_counter()
        self.timings = {}
        self._running = generation
        sources, problems = self.sources(buffers)
        read = time.perf_counter()
        self._still_wanted()
        digests = self._known_digests(sources)
        first = PartitionStats()
        self._teams_first(sources, buffers, digests, True, first)
        prepared = time.perf_counter()
        stats = PartitionStats()
        result = compile_partitioned(
            str(self.root),
            sources,
            self.checks,
            problems,
            self.max_bytes,
            store=self.memory,
            stats=stats,
            workers=1,  # a thread of the server: never fork it
            run=self._guarded,
            digests=digests,
        )
        self.timings = {
            "sources": read - started,
            "digests": prepared - read,  # with the team records made first, if any
            "partition": time.perf_counter() - prepared,
            # a region result made with its team record first is not computed again
            "regions_computed": len(stats.computed) + len(first.computed),
            "regions_cached": len(stats.cached),
            # teams loaded alone (the other teams' values from the edited file's record)
            "teams_loaded": sum(len(t) for t in stats.teams.values()),
            "files_loaded_whole": len(set(stats.computed) - set(stats.teams)),
        }
        if result is None:
            whole = self.compile(buffers, generation)
            self.timings["full"] = time.perf_counter() - started
            return whole
        self._still_wanted()
        self.result = result
        self._stale = (dict(buffers), generation)
        return result

    def _teams_first(
        self,
        sources: list[SourceFile],
        buffers: Mapping[Path, bytes],
        digests: Mapping[str, str],
        cold_only: bool,
        stats: PartitionStats | None = None,
    ) -> list[str]:
        """Make the team records of the open region files that have none (at most two), so
        that the first edit of each loads only the teams it changed, as the later ones do.

        ``cold_only``: only when the folder was never compiled (the quarter file's unit is
        not in the store): the region results made here are then the ones the compile of
        the folder reads, so nothing is checked twice. Otherwise (a file opened in a folder
        compiled before: :meth:`prepare`) the open files' regions are checked again."""
        quarters = [s for s in sources if is_quarter_text(s.data)]
        if len(quarters) != 1:
            return []  # the partition is not used (or falls back): no team to keep
        quarter = quarters[0]
        if cold_only and digests.get(quarter.path) in self.memory.units:
            return []
        focus = self._without_teams(sources, buffers, quarter)[:MAX_FILES]
        if not focus:
            return []
        try:
            made = make_team_records(
                str(self.root),
                quarter,
                focus,
                self.checks,
                self.memory,
                self._guarded,
                self.max_bytes,
                digests,
                stats,
            )
        except Cancelled:
            raise
        except Exception:  # only a head start: the compile of the folder still runs
            LOG.exception("team records of %s failed", self.root)
            made = []
        self._tried.update(s.path for s in focus)  # a file the partition cannot split: once
        return made

    def _without_teams(
        self, sources: list[SourceFile], buffers: Mapping[Path, bytes], quarter: SourceFile
    ) -> list[SourceFile]:
        """The open region files of the folder whose teams the store does not hold."""
        return [
            s
            for s in sources
            if s is not quarter
            and Path(s.path) in buffers
            and s.path not in self._tried
            and not has_team_record(self.memory, s.path)
        ]

    def needs_teams(self, buffers: Mapping[Path, bytes]) -> bool:
        """Whether an open region file of the folder has no team record yet (a file opened
        after the folder was compiled): :meth:`prepare` makes it before its first edit."""
        return any(
            path.is_relative_to(self.root)
            and path.name.endswith(PLAN_SUFFIXES)
            and not is_quarter_text(data)
            and str(path) not in self._tried
            and not has_team_record(self.memory, str(path))
            for path, data in buffers.items()
        )

    def prepare(self, buffers: Mapping[Path, bytes], generation: int) -> list[str]:
        """Make the team records of the open region files that have none (see
        :meth:`_teams_first`); raises :class:`Cancelled` when an edit comes meanwhile (that
        edit's compile makes its file's record itself). Nothing is published."""
        self._running = generation
        self._still_wanted()
        sources, _ = self.sources(buffers)
        digests = self._known_digests(sources)
        return self._teams_first(sources, buffers, digests, False)

    def _known_digests(self, sources: list[SourceFile]) -> dict[str, str]:
        """Each file's digest: kept for a file whose bytes are what the last compile read
        (comparing them is ~10x cheaper than hashing them again), else hashed."""
        kept: dict[str, tuple[bytes, str]] = {}
        for source in sources:
            before = self._digests.get(source.path)
            if before is None or not (before[0] is source.data or before[0] == source.data):
                before = (source.data, unit_digest(source.path, source.data, self.max_bytes))
            kept[source.path] = before
        self._digests = kept
        return {path: digest for path, (_, digest) in kept.items()}

    @property
    def stale(self) -> bool:
        """Whether ``plan`` is older than the diagnostics last published (or its baseline
        is still to be made)."""
        return self._stale is not None or self._baseline_of is not None

    def refresh(self) -> None:
        """Build the model from the buffers of the last partitioned compile (for the features),
        then, the first time, the baseline (what a changed target is changed from).

        Only the model: its diagnostics were published already, so no check runs again.
        Raises :class:`Cancelled` when a newer edit is on its way, before this starts or
        while it runs (between two files loaded, before a model is built): that edit's
        diagnostics come first, and the files loaded so far are not loaded again.

        The server runs it on the compile thread: an edit waits for the step under way
        only (a model cannot stop half-way), never for the whole rebuild."""
        # what the model's thread leaves alive (the units, the model: no reference cycles) is
        # frozen for the collector, as the partition freezes the region models: else the
        # next collection scans it all (~1.5 s of CPU at 10,000 reps, holding every thread)
        with gc_paused(freeze=True):
            stale = self._stale
            if stale is not None:
                self._model(*stale)
                if self._stale is stale:
                    self._stale = None
            buffers = self._baseline_of
            if buffers is not None and self.baseline is None and self.plan is not None:
                self.baseline = self._baseline(self.plan, buffers, _wanted(self, self.generation))
            self._baseline_of = None

    def _model(self, buffers: dict[Path, bytes], generation: int) -> None:
        wanted = _wanted(self, generation)
        wanted()
        sources, problems = self.sources(buffers)
        wanted()
        self._model_only = True
        try:
            result = self.frontend.compile(
                str(self.root), sources, problems, resolve=False, cancel=wanted
            )
        finally:
            self._model_only = False
        wanted()
        if result.plan is not None:
            self.plan = result.plan
            self.plan_sources = result.sources
            if self.baseline is None:
                self._baseline_of = buffers

    def _baseline(
        self, plan: Plan, buffers: Mapping[Path, bytes], wanted: Callable[[], None]
    ) -> dict[tuple[str, str], Decimal] | None:
        """Every target's value as the disk has it: ``plan``'s, or the model of the disk's
        files when an open buffer differs from its file (only those files are loaded
        again; cancelled as :meth:`refresh` is)."""
        if self._as_on_disk(buffers):
            return _target_values(plan)
        sources, problems = self.sources({})
        disk = Frontend(self._run_checks, self.max_bytes, _ReadOnly(self._units), workers=1)
        self._model_only = True
        try:
            on_disk = disk.compile(str(self.root), sources, problems, resolve=False, cancel=wanted)
        finally:
            self._model_only = False
        return None if on_disk.plan is None else _target_values(on_disk.plan)

    def _guarded(self, check: Check, plan: Plan) -> list[Diagnostic]:
        self._still_wanted()
        return guarded(check, plan)

    def compile(self, buffers: Mapping[Path, bytes], generation: int) -> CheckResult:
        """Compile the folder (raises :class:`Cancelled` when a newer edit overtakes it)."""
        self._running = generation
        sources, problems = self.sources(buffers)
        self._still_wanted()
        result = self.frontend.compile(str(self.root), sources, problems, resolve=False)
        self._still_wanted()
        result.diagnostics = self._placed(result.diagnostics, result.sources)
        self.result = result
        self._stale = None
        if result.plan is not None:
            self.plan = result.plan
            self.plan_sources = result.sources
            if self.baseline is None and self._as_on_disk(buffers):
                self.baseline = _target_values(result.plan)
            elif self.baseline is None:  # the disk's model: at the next refresh
                self._baseline_of = dict(buffers)
        return result

    def _placed(
        self, found: list[Diagnostic], sources: Mapping[str, SourceFile]
    ) -> list[Diagnostic]:
        """Every diagnostic with its span, sorted; a file that did not change is not composed
        again for the places it already gave (a plan with warnings in every file, edited in
        one, composes that one only)."""
        resolver = SpanResolver(dict(sources))
        self._spans = {f: kept for f, kept in self._spans.items() if f in sources}
        placed: list[Diagnostic] = []
        for diagnostic in found:
            loc = diagnostic.loc
            if diagnostic.span is not None or loc is None:
                placed.append(diagnostic)
                continue
            data = sources[loc.file].data if loc.file in sources else b""
            kept = self._spans.get(loc.file)
            if kept is None or kept[0] != data:
                kept = (data, {})
                self._spans[loc.file] = kept
            span = kept[1].get(loc)
            if span is None:
                span = kept[1][loc] = resolver.resolve(loc)
            placed.append(replace(diagnostic, span=span))
        return sorted(placed, key=lambda d: d.sort_key)

    def _as_on_disk(self, buffers: Mapping[Path, bytes]) -> bool:
        """Whether no open buffer of the folder differs from its file."""
        for path, data in buffers.items():
            if path.is_relative_to(self.root) and path.name.endswith(PLAN_SUFFIXES):
                try:
                    if path.read_bytes() != data:
                        return False
                except OSError:
                    return False
        return True

    def _still_wanted(self) -> None:
        if self._running != self.generation:
            raise Cancelled

    def _run_checks(self, plan: Plan) -> Iterator[Diagnostic]:
        """Every check, each one guarded: a failure becomes PLC050 and the others still run."""
        if self._model_only:
            return
        for check in self.checks:
            self._still_wanted()
            yield from guarded(check, plan)


def _wanted(session: QuarterSession, generation: int) -> Callable[[], None]:
    """What the model's build calls between two steps: raises :class:`Cancelled` once an
    edit newer than ``generation`` came."""

    def wanted() -> None:
        if generation != session.generation:
            raise Cancelled

    return wanted


def _target_values(plan: Plan) -> dict[tuple[str, str], Decimal]:
    return {
        (node.id, metric): target.value
        for node in plan.nodes.values()
        for metric, target in node.targets.items()
    }


def guarded(check: Check, plan: Plan) -> list[Diagnostic]:
    """One check's diagnostics, or one PLC050 naming it when it raises."""
    try:
        return list(check.run(plan))
    except Exception as error:  # noqa: BLE001 - a bug in one check must not stop the editor's
        said = " ".join(str(error).split())[:200]
        return [
            CHECK_FAILED.at(
                plan.quarter.loc.as_key() if plan.quarter.loc.path else plan.quarter.loc,
                f"check {check.rule.code} {check.rule.slug} failed: {type(error).__name__}"
                + (f": {said}" if said else ""),
                "a bug in planc, not in the plan: the other checks still ran; report it "
                "with this plan (planc check on the folder shows the same error)",
            )
        ]


def compile_alone(path: Path, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Diagnostic]:
    """A plan file outside any quarter folder: what it gives on its own (YAML and schema)."""
    if not looks_like_plan(data):
        return []
    source = SourceFile(str(path), data)
    resolver = SpanResolver({source.path: source})
    unit = compile_unit(source, resolver, max_bytes)
    found = []
    for diagnostic in unit.diagnostics:
        loc = diagnostic.loc
        placed = (
            diagnostic
            if diagnostic.span or loc is None
            else replace(diagnostic, span=resolver.resolve(loc))
        )
        found.append(placed)
    return sorted(found, key=lambda d: d.sort_key)


# A link out of the folder (PLC015), a link to a file the plan reads already (PLC016): what
# planc check reads no buffer changes, and the finding holds while the link is open.
_LINKS_NOT_READ = frozenset({"PLC015", "PLC016"})


def _absolute_path(diagnostic: Diagnostic) -> Path | None:
    span = diagnostic.span
    return None if span is None else Path(span.path).absolute()


def _about_a_buffer(diagnostic: Diagnostic, buffers: Mapping[Path, bytes]) -> bool:
    # A file that cannot be read from disk (deleted while open) is read from its buffer.
    return _absolute_path(diagnostic) in buffers


def _absolute(diagnostic: Diagnostic) -> Diagnostic:
    span = diagnostic.span
    if span is None:
        return diagnostic
    moved = SourceSpan(
        str(Path(span.path).absolute()), span.line, span.col, span.end_line, span.end_col
    )
    return replace(diagnostic, span=moved)
