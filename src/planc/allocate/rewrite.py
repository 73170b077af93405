"""Apply an allocation to the plan files: splice the new numbers in, re-check, write atomically.

The edited files are compiled again in memory before anything is written:
the children must carry exactly the numbers the allocation computed, and the
edit must not bring a new error into the plan (an adjustment that no longer
agrees, a split that no longer adds up). Only then are the files replaced,
each atomically, and none of them when one cannot be written.

With planc's cache (``store``), the edited plan is checked through the partition
(:mod:`planc.checks.partition`): only the edited region files are compiled and
checked, the others' results come from the cache (the same diagnostics as the
whole compile, or the whole compile where the partition is not sure). The new
numbers are then verified on the models the partition built of the edited files
(or on a model of the quarter file and those files, where it built none here).

An edited file whose edits only rewrote numbers in place
(:attr:`~planc.allocate.yamledit.YamlDocument.numbers_only`), and whose values before
the edit are at hand (``loaded``: it loaded clean), is checked from those values with
the edits made (:func:`~planc.allocate.yamledit.edited_values`: what its new bytes read
as), not loaded again (~0.4 s of a 2,500-rep region file); they must still fit the
schema, else the file is loaded and its findings placed as without them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planc.allocate.allocation import Allocation, ChildChange
from planc.allocate.composing import Composing, Recorder
from planc.allocate.yamledit import EditError, Value, YamlDocument, edited_values
from planc.checks import run_checks
from planc.core.diagnostics import Diagnostic, Severity
from planc.core.files import write_atomic_all
from planc.core.frontend import FileUnit, Frontend, compile_unit, resolved, unit_digest
from planc.core.model import BuildMemo, Node, Plan, build_plan
from planc.core.pipeline import CheckResult
from planc.core.schema import is_valid
from planc.core.source import SourceFile
from planc.core.spans import SpanResolver

if TYPE_CHECKING:
    from planc.checks.base import Check
    from planc.checks.partition import PartitionStats, ResultStore


@dataclass(slots=True)
class Rewrite:
    """The plan after the edit: changed files, the new check result and what it broke."""

    files: dict[str, bytes] = field(default_factory=dict)  # path as shown → new content
    result: CheckResult | None = None
    new_errors: list[Diagnostic] = field(default_factory=list)
    remaining_errors: list[Diagnostic] = field(default_factory=list)
    # what the partition compiled and took from the cache (None: the plan was compiled whole)
    partition: PartitionStats | None = None


def checks_forked(plan: Plan) -> list[Diagnostic]:
    """:func:`planc.checks.forked.run_checks_forked`, imported when first called: with the
    cache the plan is checked through the partition, and ``multiprocessing`` (~20 ms to
    import) is not needed."""
    from planc.checks.forked import run_checks_forked  # noqa: PLC0415 - see above

    return run_checks_forked(plan)


def model_only(plan: Plan) -> Iterable[Diagnostic]:
    """No checks: what a :class:`Frontend` runs to compile the plan an edit starts from."""
    return ()


def edit_allocation(
    before: CheckResult,
    allocations: Sequence[Allocation],
    frontend: Frontend | None = None,
    *,
    checked: bool = True,
    store: ResultStore | None = None,
    aside: Mapping[str, Composing] | None = None,
    digests: Mapping[str, str] | None = None,
    loaded: Mapping[str, Any] | None = None,
    memo: BuildMemo | None = None,
) -> Rewrite:
    """Splice the allocations into the plan's files and compile the result (nothing is written).

    With the ``frontend`` that compiled ``before``, only the edited files are
    loaded again. Only the new errors are given their line:col (the rest are
    counted, never shown), so an edited file is not composed once more for them.

    ``checked=False``: ``before`` was compiled without its checks. They are run over
    ``before.plan`` only when the edited plan has errors, to tell the errors it
    brings from those the plan had; an edit that leaves no error (the usual case)
    never needs them, which saves running every check over the whole plan once.

    ``store`` (planc's cache): the edited plan, and ``before`` when its checks are
    needed, are checked through the partition: the region files the edit left
    alone are not compiled again where the cache holds their results.

    ``aside``: files being composed in forked children (:mod:`planc.allocate.composing`);
    their edits are recorded here and applied there. Each is finished or closed.
    ``digests``: path -> unit digest of the files as ``before`` read them (those the
    edit leaves alone are not hashed again). ``loaded``: path -> the values of a file
    as ``before`` loaded them, where it loaded clean (see the module docstring), and
    ``memo`` what ``before``'s model made of them (the edited files' models reuse it).
    """
    aside = aside or {}
    documents: dict[str, Recorder] = {}  # each file's edits, made where it is composed
    for allocation in allocations:
        for change in allocation.children:
            if change.changed:
                file = change.node.loc.file
                _edit_child(documents.setdefault(file, Recorder()), change, allocation.metric.id)
    for file, composing in aside.items():
        if file not in documents:
            composing.close()
    rewrite = Rewrite()
    compiler = frontend or Frontend(run_checks)
    units: dict[str, FileUnit] = {}  # edited files checked from their values (not loaded)
    for file, document in documents.items():
        changed, text, numbers_only = _edited(before.sources[file], document, aside.get(file))
        if changed:
            rewrite.files[file] = text.encode("utf-8")
            values = (loaded or {}).get(file) if numbers_only and store is not None else None
            data = rewrite.files[file]
            unit = None if values is None else _unit_of(file, data, values, document, compiler)
            if unit is not None:
                units[file] = unit
    sources = [
        SourceFile(path, rewrite.files.get(path, source.data))
        for path, source in before.sources.items()
    ]
    unchanged = {p: d for p, d in (digests or {}).items() if p not in rewrite.files}
    unchanged.update((file, unit.digest) for file, unit in units.items())
    after = _check_edited(
        before, sources, allocations, compiler, store, rewrite, unchanged, (units, memo)
    )
    rewrite.result = after
    errors = [d for d in after.diagnostics if d.severity is Severity.ERROR]
    if not errors:
        return rewrite
    known: Iterable[Diagnostic] = before.diagnostics
    if not checked and before.plan is not None:
        known = [*before.diagnostics, *_checks_of(before, compiler.max_bytes, store)]
    old = {(d.code, d.message) for d in known if d.severity is Severity.ERROR}
    rewrite.new_errors = resolved(after, [d for d in errors if (d.code, d.message) not in old])
    rewrite.remaining_errors = [d for d in errors if (d.code, d.message) in old]
    return rewrite


def _edited(
    source: SourceFile, recorder: Recorder, composing: Composing | None
) -> tuple[bool, str, bool]:
    """Whether the edits changed the file, its text and whether they only rewrote numbers
    in place: from the child that composed it, else (no child, or it could not) by
    making the recorded edits here."""
    done = None if composing is None else composing.finish(recorder.edits)
    if done is not None and composing is not None:
        return done[0], done[1], composing.numbers_only
    try:
        document = YamlDocument(source.data.decode("utf-8"))
        for path, value in recorder.edits:
            document.set(path, value)
        return document.changed, document.render(), document.numbers_only
    except EditError as error:  # named with its file for the user
        raise EditError(error.located(source.path)) from error


def _unit_of(
    file: str, data: bytes, values: Any, recorder: Recorder, compiler: Frontend
) -> FileUnit | None:
    """The unit of an edited file made from its values before the edits (which only
    rewrote numbers in place); None where the edited values do not fit the schema or a
    number is beyond planc's bounds (the file is then loaded, and its findings placed)."""
    try:
        edited = edited_values(values, recorder.edits)
    except EditError:
        return None
    if not is_valid(edited):
        return None
    return FileUnit(file, unit_digest(file, data, compiler.max_bytes), edited, ())


def _check_edited(
    before: CheckResult,
    sources: list[SourceFile],
    allocations: Sequence[Allocation],
    compiler: Frontend,
    store: ResultStore | None,
    rewrite: Rewrite,
    digests: Mapping[str, str],
    made: tuple[Mapping[str, FileUnit], BuildMemo | None] = ({}, None),
) -> CheckResult:
    """The edited plan compiled and checked, the allocation's numbers verified on it
    (``made``: edited files' units made from their values, and the memo of the model
    built from those values before the edit, for the partition)."""
    company = None if before.plan is None else before.plan.nodes.get(before.plan.company)
    if store is not None and company is not None:
        stats = _stats()
        quarter = company.loc.file  # the quarter file defines the company
        found = _partitioned(
            before.label,
            sources,
            quarter,
            compiler.max_bytes,
            store,
            allocations,
            stats,
            digests,
            made,
        )
        if found is not None:
            rewrite.partition = stats
            return found
    after = compiler.compile(before.label, sources, resolve=False)
    plan = after.plan
    if plan is None:
        raise RuntimeError("the edited plan no longer compiles: " + _first(after.diagnostics))
    for allocation in allocations:
        _verify(plan.nodes, allocation)
    return after


def _checks_of(before: CheckResult, max_bytes: int, store: ResultStore | None) -> list[Diagnostic]:
    """What ``planc check`` finds in the plan an edit starts from (compiled without checks)."""
    assert before.plan is not None
    if store is not None:
        from planc.checks import CHECKS  # noqa: PLC0415 - only with a cache
        from planc.checks.partition import compile_partitioned  # noqa: PLC0415

        sources = list(before.sources.values())
        found = compile_partitioned(
            before.label, sources, CHECKS, None, max_bytes, store, new_records=False
        )
        if found is not None:
            return found.diagnostics
    return checks_forked(before.plan)


def _partitioned(
    label: str,
    sources: list[SourceFile],
    quarter: str,
    max_bytes: int,
    store: ResultStore,
    allocations: Sequence[Allocation],
    stats: PartitionStats,
    digests: Mapping[str, str],
    made: tuple[Mapping[str, FileUnit], BuildMemo | None] = ({}, None),
) -> CheckResult | None:
    """The edited plan checked through the partition, its numbers verified; None where the
    partition is not sure (then the whole plan is compiled, as without a cache).
    ``made``: the edited files' units made here, not loaded again, and a model's memo.

    The partition builds a model of the quarter file and each edited region file to
    check it: the numbers are verified on those models (every plan it checks is built
    from the files' new bytes). A node none of them holds (the region's result was
    in the cache already, or a worker process built it) is verified on a model of
    the quarter file and the edited files, built here.
    """
    from planc.checks import CHECKS  # noqa: PLC0415 - only with a cache
    from planc.checks.partition import compile_partitioned  # noqa: PLC0415

    plans: list[Plan] = []

    def run(check: Check, plan: Plan) -> Iterable[Diagnostic]:
        if not plans or plans[-1] is not plan:
            plans.append(plan)
        return check.run(plan)

    # No team record is made of an edited file loaded whole (encoding each team of a
    # 2,500-rep file costs ~0.3 s): the next check finds the file's result under its new
    # bytes, and a later hand edit of it loads it whole once, as after a cold check.
    after = compile_partitioned(
        label,
        sources,
        CHECKS,
        None,
        max_bytes,
        store,
        stats,
        run=run,
        digests=digests,
        new_records=False,
        units=made[0],
        memo=made[1],
    )
    if after is None:
        return None
    nodes: Mapping[str, Node] = _edited_nodes(plans, allocations)
    if any(c.node.id not in nodes for a in allocations for c in a.children):
        files = {quarter, *(c.node.loc.file for a in allocations for c in a.children)}
        built = _model_of([s for s in sources if s.path in files], max_bytes)
        if built is None:
            raise RuntimeError("the edited plan no longer compiles: " + _first(after.diagnostics))
        nodes = built.nodes
    for allocation in allocations:
        _verify(nodes, allocation)
    return after


def _stats() -> PartitionStats:
    from planc.checks.partition import PartitionStats  # noqa: PLC0415 - only with a cache

    return PartitionStats()


def _edited_nodes(plans: Iterable[Plan], allocations: Sequence[Allocation]) -> dict[str, Node]:
    """Each allocated child as a model built from its file's new bytes holds it."""
    found: dict[str, Node] = {}
    for plan in plans:
        for allocation in allocations:
            for change in allocation.children:
                node = plan.nodes.get(change.node.id)
                if node is not None and node.loc.file == change.node.loc.file:
                    found.setdefault(node.id, node)
    return found


def _model_of(sources: list[SourceFile], max_bytes: int) -> Plan | None:
    """A model of these files alone: the quarter file and some region files (None when
    it does not build)."""
    documents = []
    for source in sources:
        unit = compile_unit(source, SpanResolver({source.path: source}), max_bytes)
        if unit.has_errors or not isinstance(unit.data, dict):
            return None
        documents.append((unit.path, unit.data))
    quarters = [d for d in documents if d[1].get("kind") == "quarter"]
    if len(quarters) != 1:
        return None
    plan, _ = build_plan(quarters[0], [d for d in documents if d[1].get("kind") != "quarter"])
    return plan


def _edit_child(document: YamlDocument | Recorder, change: ChildChange, metric: str) -> None:
    target = change.target
    if target is None:
        entry: dict[str, Value] = {"value": change.after}
        if change.months is not None:
            entry["months"] = list(change.months)
        if change.products is not None:
            entry["products"] = dict(change.products)
        document.set((*change.node.loc.path, "targets", metric), entry)
        return
    base = target.loc.path
    if change.after != target.value:
        document.set((*base, "value"), change.after)
    if change.stretch is not None and change.stretch != target.stretch:
        document.set((*base, "stretch"), change.stretch)
    if change.months is not None and change.months != target.months:
        document.set((*base, "months"), list(change.months))
    if change.products is not None and dict(change.products) != dict(target.products or {}):
        document.set((*base, "products"), dict(change.products))


def _verify(nodes: Mapping[str, Node], allocation: Allocation) -> None:
    """The files now say what the allocation computed; anything else is a bug in planc."""
    metric = allocation.metric.id
    for change in allocation.children:
        node = nodes.get(change.node.id)
        target = None if node is None else node.targets.get(metric)
        if target is None or target.value != change.after:
            raise RuntimeError(f"the edit of {change.node.id}/{metric} did not take")
        if change.months is not None and target.months != change.months:
            raise RuntimeError(f"the phasing of {change.node.id}/{metric} did not take")
        if change.products is not None and dict(target.products or {}) != change.products:
            raise RuntimeError(f"the product split of {change.node.id}/{metric} did not take")


def _first(diagnostics: Iterable[Diagnostic]) -> str:
    for d in diagnostics:
        return f"{d.code} {d.message}"
    return "no diagnostics"


def write_files(files: dict[str, bytes]) -> None:
    """Replace the files together: each atomically, and none when one cannot be written."""
    write_atomic_all({Path(path): data for path, data in files.items()})
