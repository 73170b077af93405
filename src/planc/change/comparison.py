"""Wiring for ``planc diff`` and ``check --base``: find both sides of a change and compile them.

A side is a quarter folder on disk (the work tree, or any folder) or the same
folder at a git revision. Both are compiled by :func:`planc.core.pipeline.check_sources`,
the loader ``planc check`` uses, so diagnostics and impact lines point at
``file:line`` in that revision. The impact itself is :func:`planc.change.diff.compute_impact`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from planc.change.coverage import coverage_diagnostics
from planc.change.diff import WORK_TREE, Impact, Side, compute_impact
from planc.change.packed import Interner, PackedSide, collect, pack_side
from planc.checks import check_sources
from planc.core.diagnostics import Diagnostic, resolve_spans
from planc.core.forking import can_fork, start_forked
from planc.core.frontend import QuarterAbove
from planc.core.gitsource import GitSourceError, NoCommits, Repository, Revision
from planc.core.loader import DEFAULT_MAX_BYTES
from planc.core.model import Plan
from planc.core.pipeline import (
    CheckResult,
    display_path,
    likeliest_first,
    nearby_shown,
    plan_folders,
    quarter_folders,
    quarters_near,
    read_directory,
)
from planc.core.safetext import argument
from planc.core.source import SourceFile
from planc.core.spans import SpanResolver


class ComparisonError(Exception):
    """A usage problem (no repository, a missing revision...) with a message for the user."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """What a side is read from: a folder (``path``) or a commit (``revision``); neither: disk."""

    path: Path | None = None
    revision: Revision | None = None

    @property
    def label(self) -> str:
        if self.revision is not None:
            return self.revision.label
        return display_path(self.path) if self.path is not None else WORK_TREE


def _is_folder(value: str) -> bool:
    return Path(value).is_dir()


class Comparison:
    """Resolves ``--base``/``--head``/``--approved`` once, then compiles each quarter's sides."""

    def __init__(
        self,
        base: str | None,
        head: str | None,
        approved: str | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        start: Path | None = None,
    ) -> None:
        for option, value in (("--base", base), ("--head", head), ("--approved", approved)):
            if value is not None and not value.strip():  # Path("") is "."; no revision is ""
                raise ComparisonError(f"{option} is empty; give a git revision or a quarter folder")
        self.max_bytes = max_bytes
        self._approved_option = approved
        self._repo: Repository | None = None
        self._start = start or Path.cwd()
        self.head = self._endpoint(head) if head is not None else Endpoint()
        if base is not None:
            self.base = self._endpoint(base)
        else:
            try:
                self.base = Endpoint(revision=self._repository().merge_base_with_default())
            except NoCommits as error:
                raise ComparisonError(f"{error} (or compare two folders: --base DIR)") from error

    # -- resolving names -------------------------------------------------------------------

    def _repository(self) -> Repository:
        if self._repo is None:
            try:
                self._repo = Repository.open(self._start)
            except GitSourceError as error:
                raise ComparisonError(
                    f"{error}: compare two folders with --base DIR (and --head DIR)"
                ) from error
        return self._repo

    def _endpoint(self, value: str) -> Endpoint:
        if _is_folder(value):
            return Endpoint(path=Path(value))
        try:
            return Endpoint(revision=self._repository().resolve(value))
        except NoCommits as error:
            raise ComparisonError(f"{error} (or compare two folders: --base DIR)") from error
        except GitSourceError as error:
            raise ComparisonError(str(error)) from error

    # -- reading sides -----------------------------------------------------------------------

    def quarter_folders(self) -> list[Path]:
        """Quarter folders under ./plans on either side (the default PLAN_DIRs)."""
        found: set[Path] = set()
        plans = Path("plans")
        for end in (self.head, self.base):
            if end.path is not None:
                found.add(end.path)
            elif end.revision is not None:
                repo = self._repository()
                relative = repo.relative(plans)
                found.update(repo.root / p for p in repo.folders_at(end.revision.sha, relative))
            elif plans.is_dir():
                found.update(p.absolute() for p in plan_folders(plans))
        return sorted({Path(display_path(p)) for p in found})

    def expand(self, plan_dirs: Iterable[Path]) -> list[Path]:
        """PLAN_DIRS, a folder of quarters (no plan file of its own, and a quarter file in
        one of its folders, as ./plans) replaced by the folders in it at either side. Not
        with a --base or --head DIR: that folder is one quarter, compared with each
        PLAN_DIR as given."""
        if self.head.path is not None or self.base.path is not None:
            return list(plan_dirs)
        dirs: list[Path] = []
        for plan_dir in plan_dirs:
            names: set[str] = set()
            for end in (self.head, self.base):
                names.update(self._folders_in(end, plan_dir))
            dirs += [plan_dir / name for name in sorted(names)] if names else [plan_dir]
        return dirs

    def _folders_in(self, end: Endpoint, plan_dir: Path) -> list[str]:
        if end.revision is None:
            found = quarter_folders(plan_dir)
            return [p.name for p in found] if found is not None else []
        repo = self._repository()
        try:
            relative = repo.relative(plan_dir)
        except GitSourceError:
            return []
        return repo.quarter_folders_at(end.revision.sha, relative) or []

    def default_folders(self) -> list[Path]:
        """The PLAN_DIRs when none are given: a --head folder, else the quarters under ./plans."""
        if self.head.path is not None:
            return [self.head.path]
        if self.base.path is not None:
            raise ComparisonError(
                "with --base DIR, name the quarter folder to compare it with: "
                "planc diff --base DIR PLAN_DIR"
            )
        found = self.quarter_folders()
        if not found:
            raise ComparisonError("no plan folders given and none found under ./plans")
        return found

    def side(
        self,
        end: Endpoint,
        plan_dir: Path,
        *,
        renamed_from: str | None = None,
        compiler: _Compiler | None = None,
    ) -> Side:
        """One side of ``plan_dir`` (a folder endpoint replaces ``plan_dir`` altogether),
        compiled here or by ``compiler``."""
        compile_side = compiler or self._compile_here
        if end.path is not None:
            shown = display_path(end.path)
            if not end.path.is_dir():
                return Side(end.label, None, shown, None)
            sources, problems = read_directory(end.path, self.max_bytes)  # as check_directory
            side = Side(end.label, None, shown, None)
            return compile_side(side, shown, sources, problems, None)  # hints: on disk
        if end.revision is None:
            shown = display_path(plan_dir)
            if not plan_dir.exists():
                return Side(WORK_TREE, None, shown, None)
            sources, problems = read_directory(plan_dir, self.max_bytes)
            side = Side(WORK_TREE, None, shown, None)
            return compile_side(side, shown, sources, problems, None)
        repo = self._repository()
        relative = renamed_from or repo.relative(plan_dir)
        shown = display_path(repo.root / relative)
        kind = repo.kind_at(end.revision.sha, relative)
        if kind is None:
            return Side(end.label, end.revision.sha, shown, None)
        if kind != "tree":
            raise ComparisonError(
                f"{shown} is a file at {end.revision.label}, not a quarter folder; "
                + repo.quarter_folder_hint(end.revision.sha, relative)
            )
        sources, problems = repo.read_plan(end.revision.sha, relative, self.max_bytes)
        side = Side(end.label, end.revision.sha, shown, None)
        above = repo.quarter_above_at(end.revision.sha, relative)
        return compile_side(side, f"{shown} at {end.revision.short}", sources, problems, above)

    def _compile_here(
        self,
        side: Side,
        label: str,
        sources: list[SourceFile],
        problems: list[Diagnostic],
        above: QuarterAbove | None,
    ) -> Side:
        side.result = check_sources(label, sources, problems, self.max_bytes, quarter_above=above)
        return side

    def base_side(
        self, plan_dir: Path, head: Side | None = None, *, compiler: _Compiler | None = None
    ) -> Side:
        """The base of ``plan_dir``; if the folder is missing there but git saw it renamed,
        the folder it came from."""
        side = self.side(self.base, plan_dir, compiler=compiler)
        if side.result is not None or self.base.revision is None:
            return side
        repo = self._repository()
        try:
            relative = repo.relative(plan_dir)
        except GitSourceError:
            return side
        head_sha = self.head.revision.sha if self.head.revision else None
        old = repo.renamed_from(self.base.revision.sha, head_sha, relative)
        if old is None or old == relative:
            return side
        return self.side(self.base, plan_dir, renamed_from=old, compiler=compiler)

    def approved_side(self, head: Side, base: Side) -> Side | None:
        """The approved plan: --approved, else ``company.approved`` of the head (or base) plan."""
        return self._approved(self._approved_name(head.plan or base.plan), head.folder)

    def _approved_name(self, plan: Plan | None) -> str | None:
        return self._approved_named(plan.approved_ref if plan is not None else None)

    def _approved_named(self, ref: str | None) -> str | None:
        """--approved, else the approved plan a plan names as ``ref``."""
        return self._approved_option if self._approved_option is not None else ref

    def _approved(
        self, name: str | None, folder: str, compiler: _Compiler | None = None
    ) -> Side | None:
        """The approved plan ``name`` (a folder or a revision) for the quarter shown as
        ``folder``."""
        if name is None:
            return None
        # A folder only when the user names it (--approved DIR): company.approved comes from
        # the plan, which a pull request writes, and named any folder of the CI runner
        # (/home/runner/..., /) to be read and compiled. There it is a git revision only.
        if self._approved_option is not None and _is_folder(name):
            return self.side(Endpoint(path=Path(name)), Path(name), compiler=compiler)
        try:
            revision = self._repository().resolve(name)
        except (GitSourceError, ComparisonError):
            shown = argument(name, quotes=False)  # typed, or written in the plan: any length
            problem = (
                f"{shown} is not in this clone: fetch it (git fetch --tags, or actions/checkout "
                "with fetch-depth: 0), or pass --approved REF"
            )
            return Side(shown, None, folder, None, problem=problem)
        return self.side(Endpoint(revision=revision), Path(folder), compiler=compiler)

    def _shown(self, end: Endpoint, plan_dir: Path) -> str:
        """The folder :meth:`side` shows for ``plan_dir`` at ``end``, without compiling it."""
        if end.path is not None:
            return display_path(end.path)
        if end.revision is None:
            return display_path(plan_dir)
        repo = self._repository()
        return display_path(repo.root / repo.relative(plan_dir))

    def _approved_early(self, plan: Plan | None, plan_dir: Path) -> _Early | None:
        """The approved plan the base names, compiled and packed before the head compiles;
        None when there is none or anything goes wrong (then it is read after the head,
        as before, and any error is raised there)."""
        name = self._approved_name(plan)
        if name is None:
            return None
        try:
            folder = self._shown(self.head, plan_dir)
            side = self._approved(name, folder)
        except (ComparisonError, GitSourceError):
            return None
        return _Early(name, folder, side, _pack(side)) if side is not None else None

    def impact(self, plan_dir: Path) -> Impact:
        """The impact of the change on one quarter folder.

        Where this system forks, each large side compiles in a child of its own
        (:meth:`_impact_forked`). Elsewhere the base compiles first and is packed
        (:mod:`planc.change.packed`), then the approved plan it names, while the head
        compiles: two plans are never both whole in memory. Each is rebuilt sharing
        what it has in common with the head."""
        if _forking():
            return self._impact_forked(plan_dir)
        base = self.base_side(plan_dir)
        early = self._approved_early(base.plan, plan_dir)
        packed = _pack(base)
        head = self.side(self.head, plan_dir)
        _unpack(base, packed, head.plan)
        del packed
        if head.result is None and base.result is None:
            raise _nowhere(plan_dir, self.base, self.head, self._repository)
        approved = None
        if head.plan is not None:
            name = self._approved_name(head.plan)
            if early is not None and (early.name, early.folder) == (name, head.folder):
                approved = early.side
                _unpack(approved, early.packed, head.plan)
            else:  # the head names another approved plan than the base did
                approved = self._approved(name, head.folder)
        del early
        return self._compute(base, head, approved)

    def _compute(self, base: Side, head: Side, approved: Side | None) -> Impact:
        moved = None
        if base.result is not None and self.base.path is None and self.head.path is None:
            moved = base.folder if base.folder != head.folder else None
        return compute_impact(base, head, approved, moved_from=moved)

    def _impact_forked(self, plan_dir: Path) -> Impact:
        """:meth:`impact`, each large side (base, head, approved plan) compiled in a forked
        child that answers it packed and exits (:class:`_Forked`).

        The compile's transient memory (the files' node trees, the checks' tables) and
        its garbage die with the child, and a child's peak is one compile beside this
        process's packed sides. The sides are unpacked only once all three are compiled
        (so no child forks from a process holding a whole plan): the head first, then
        the base and the approved plan, sharing its entries and every equal value."""
        forked = _Forked(self.max_bytes)
        base = self.base_side(plan_dir, compiler=forked)
        head = self.side(self.head, plan_dir, compiler=forked)
        if head.result is None and base.result is None:
            raise _nowhere(plan_dir, self.base, self.head, self._repository)
        approved = None
        if forked.has_plan(head):
            name = self._approved_named(forked.approved_ref(head))
            approved = self._approved(name, head.folder, compiler=forked)
        forked.unpack(head, None)
        forked.unpack(base, head)
        if approved is not None:
            forked.unpack(approved, head)
        del forked
        return self._compute(base, head, approved)


@dataclass(slots=True)
class _Early:
    name: str
    folder: str
    side: Side
    packed: PackedSide | None


# Below this many bytes of plan files two whole plans fit well under 1 GiB (about 0.65 GiB at
# 32 MiB) and packing would only cost time (~1.7 s of ~13 s at 10,000 reps, 19 MB).
PACK_FROM_BYTES = 32 << 20


def _nowhere(
    plan_dir: Path, base: Endpoint, head: Endpoint, repo: Callable[[], Repository]
) -> ComparisonError:
    """A folder at neither side: the quarter folders near it at either side (a revision's
    in its tree, never the working tree's), as ``planc check`` names them for a folder that
    does not exist (a typo, the quarter id alone, plan/ for plans/)."""
    on_disk = base.revision is None or head.revision is None  # a folder or the working tree
    found = quarters_near(plan_dir) if on_disk else []
    for end in (base, head):
        if end.revision is None:
            continue
        try:
            found += repo().quarters_near_at(end.revision.sha, repo().relative(plan_dir))
        except GitSourceError:  # outside the repository: nothing near it there
            continue
    nearby = likeliest_first(display_path(plan_dir), found)
    return ComparisonError(
        f"{display_path(plan_dir)} exists neither at {base.label} nor at {head.label}; "
        + (f"quarter folders found nearby: {nearby_shown(nearby)}" if nearby else "check the path")
    )


def _worth_packing(result: CheckResult) -> bool:
    """Whether a compiled side is packed (see :func:`_worth_packing_files`)."""
    return _worth_packing_files(result.sources.values())


def _worth_packing_files(sources: Iterable[SourceFile]) -> bool:
    """``PLANC_DIFF_PACK=1`` packs always, ``=0`` never; otherwise by the files' size."""
    forced = os.environ.get("PLANC_DIFF_PACK", "")
    if forced in ("0", "1"):
        return forced == "1"
    return sum(len(s.data) for s in sources) >= PACK_FROM_BYTES


def _pack(side: Side) -> PackedSide | None:
    """Pack ``side``'s result and free it (None: nothing to pack, too small to be worth it,
    or kept whole)."""
    result = side.result
    packed = pack_side(result) if result is not None and _worth_packing(result) else None
    if packed is not None:
        side.result = None
        collect()
    return packed


def _unpack(side: Side, packed: PackedSide | None, head: Plan | None) -> None:
    if packed is not None:
        side.result, side.packed = packed.unpack(head)


# a side, its label, its files and the problems of reading them, and (a revision's) where
# the quarter folder above it is
_Compiler = Callable[[Side, str, list[SourceFile], list[Diagnostic], QuarterAbove | None], Side]


def _forking() -> bool:
    """Whether :meth:`Comparison.impact` compiles sides in forked children: where this
    system forks, unless ``PLANC_DIFF_FORK=0``."""
    return os.environ.get("PLANC_DIFF_FORK", "") != "0" and can_fork()


def _compile_packed(
    label: str,
    sources: list[SourceFile],
    problems: list[Diagnostic],
    max_bytes: int,
    above: QuarterAbove | None,
) -> PackedSide | None:
    """In a forked child: the side compiled as :meth:`Comparison.side` compiles it, packed
    (None when it cannot be: the parent compiles it itself)."""
    return pack_side(check_sources(label, sources, problems, max_bytes, quarter_above=above))


class _Forked:
    """Compiles each side worth packing (:func:`_worth_packing`) in a forked child
    (:mod:`planc.core.forking`) that answers it packed: the child's pickles travel
    through its own pipe, never a folder. A side too small to pack, a child that fails
    or dies, or a side that cannot be packed is compiled here, as without children.

    A side compiled in a child has its result (diagnostics, no plan yet) and its packed
    files until :meth:`unpack` gives it its plan: unpack every side it compiled before
    comparing them."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._pending: dict[int, PackedSide] = {}  # id(side) -> its packed form
        self._shared = Interner()  # one for every side: equal values unpacked once
        self._unpacked: dict[int, PackedSide] = {}  # id(side) -> what it was unpacked from

    def __call__(
        self,
        side: Side,
        label: str,
        sources: list[SourceFile],
        problems: list[Diagnostic],
        above: QuarterAbove | None,
    ) -> Side:
        if _worth_packing_files(sources):
            # looked for here: the child shares git's cat-file process, and must not use it
            found = above() if above is not None else None
            fixed = (lambda: found) if above is not None else None
            args = (label, sources, problems, self.max_bytes, fixed)
            packed = start_forked(_compile_packed, *args)()
            if packed is not None:
                side.result, side.packed = packed.result, packed.sources
                self._pending[id(side)] = packed
                return side
        side.result = check_sources(label, sources, problems, self.max_bytes, quarter_above=above)
        return side

    def has_plan(self, side: Side) -> bool:
        packed = self._pending.get(id(side))
        return side.plan is not None if packed is None else packed.plan is not None

    def approved_ref(self, side: Side) -> str | None:
        packed = self._pending.get(id(side))
        if packed is None:
            return side.plan.approved_ref if side.plan is not None else None
        return packed.approved_ref

    def unpack(self, side: Side, head: Side | None) -> None:
        """Give ``side`` its plan, sharing every entry it has in common with ``head``'s."""
        packed = self._pending.pop(id(side), None)
        if packed is None:
            return
        plan = head.plan if head is not None else None
        theirs = self._unpacked.get(id(head)) if head is not None else None
        side.result, side.packed = packed.unpack(plan, self._shared, theirs)
        self._unpacked[id(side)] = packed  # what the others compare their entries with


def coverage_against(
    result: CheckResult, plan_dir: Path, base: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[Diagnostic]:
    """``planc check --base``: PLC610 for targets changed since ``base`` (a revision or folder)
    with no adjustment record. Nothing when either side has no plan to compare."""
    if result.plan is None:
        return []
    comparison = Comparison(base, None, max_bytes=max_bytes, start=plan_dir)
    before = comparison.base_side(plan_dir, Side(WORK_TREE, None, str(plan_dir), result))
    if before.plan is None:
        return []
    found = coverage_diagnostics(before.plan, result.plan)
    return resolve_spans(found, SpanResolver(result.sources))
