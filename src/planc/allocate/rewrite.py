"""Apply an allocation to the plan files: splice the new numbers in, re-check, write atomically.

The edited files are compiled again in memory before anything is written:
the children must carry exactly the numbers the allocation computed, and the
edit must not bring a new error into the plan (an adjustment that no longer
agrees, a split that no longer adds up). Only then are the files replaced,
each atomically, and none of them when one cannot be written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from planc.allocate.allocation import Allocation, ChildChange
from planc.allocate.yamledit import Value, YamlDocument
from planc.checks import run_checks
from planc.checks.forked import run_checks_forked
from planc.core.diagnostics import Diagnostic, Severity
from planc.core.files import write_atomic_all
from planc.core.frontend import Frontend, resolved
from planc.core.model import Plan
from planc.core.pipeline import CheckResult
from planc.core.source import SourceFile


@dataclass(slots=True)
class Rewrite:
    """The plan after the edit: changed files, the new check result and what it broke."""

    files: dict[str, bytes] = field(default_factory=dict)  # path as shown → new content
    result: CheckResult | None = None
    new_errors: list[Diagnostic] = field(default_factory=list)
    remaining_errors: list[Diagnostic] = field(default_factory=list)


def model_only(plan: Plan) -> Iterable[Diagnostic]:
    """No checks: what a :class:`Frontend` runs to compile the plan an edit starts from."""
    return ()


def edit_allocation(
    before: CheckResult,
    allocations: Sequence[Allocation],
    frontend: Frontend | None = None,
    *,
    checked: bool = True,
) -> Rewrite:
    """Splice the allocations into the plan's files and compile the result (nothing is written).

    With the ``frontend`` that compiled ``before``, only the edited files are
    loaded again. Only the new errors are given their line:col (the rest are
    counted, never shown), so an edited file is not composed once more for them.

    ``checked=False``: ``before`` was compiled without its checks. They are run over
    ``before.plan`` only when the edited plan has errors, to tell the errors it
    brings from those the plan had; an edit that leaves no error (the usual case)
    never needs them, which saves running every check over the whole plan once.
    """
    documents: dict[str, YamlDocument] = {}
    for allocation in allocations:
        for change in allocation.children:
            if not change.changed:
                continue
            file = change.node.loc.file
            if file not in documents:
                documents[file] = YamlDocument(before.sources[file].data.decode("utf-8"))
            _edit_child(documents[file], change, allocation.metric.id)
    rewrite = Rewrite()
    for file, document in documents.items():
        if document.changed:
            rewrite.files[file] = document.render().encode("utf-8")
    sources = [
        SourceFile(path, rewrite.files.get(path, source.data))
        for path, source in before.sources.items()
    ]
    compiler = frontend or Frontend(run_checks)
    after = compiler.compile(before.label, sources, resolve=False)
    rewrite.result = after
    for allocation in allocations:
        _verify(after, allocation)
    errors = [d for d in after.diagnostics if d.severity is Severity.ERROR]
    if not errors:
        return rewrite
    known: Iterable[Diagnostic] = before.diagnostics
    if not checked and before.plan is not None:
        known = [*before.diagnostics, *run_checks_forked(before.plan)]
    old = {(d.code, d.message) for d in known if d.severity is Severity.ERROR}
    rewrite.new_errors = resolved(after, [d for d in errors if (d.code, d.message) not in old])
    rewrite.remaining_errors = [d for d in errors if (d.code, d.message) in old]
    return rewrite


def _edit_child(document: YamlDocument, change: ChildChange, metric: str) -> None:
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


def _verify(after: CheckResult, allocation: Allocation) -> None:
    """The files now say what the allocation computed; anything else is a bug in planc."""
    plan = after.plan
    if plan is None:
        raise RuntimeError("the edited plan no longer compiles: " + _first(after.diagnostics))
    metric = allocation.metric.id
    for change in allocation.children:
        node = plan.nodes.get(change.node.id)
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
