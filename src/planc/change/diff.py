"""The impact of a plan change, computed from the two plan models, never from text.

:func:`compute_impact` takes the base and head :class:`Side` (each a compiled
plan, or nothing where the quarter does not exist) and, optionally, the
approved plan, and returns an :class:`Impact`: totals per metric, every
changed target with its position, reps and targets added or removed,
reconciliation before and after, top-down vs bottom-up gaps before and
after, diagnostics introduced or fixed, the adjustment records that cover the
changes (PLC610 for those none covers), drift against the approved plan and
the approvals the policy's tiers require.
It prints nothing; ``planc.change.impact_report`` renders it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import PurePosixPath

from planc.change.coverage import coverage_diagnostics, covering_records, value_changes
from planc.change.packed import PackedSource, digest
from planc.change.positions import file_spans
from planc.checks.approvals import (
    accepted_by,
    change_size,
    moved_people,
    required_approver,
    tier_for,
)
from planc.checks.gaps import Gap, gaps, outside
from planc.core.diagnostics import Diagnostic, Severity
from planc.core.memory import gc_paused
from planc.core.model import Adjustment, ApprovalTier, Band, Level, Node, Plan, Target
from planc.core.pipeline import CheckResult
from planc.core.source import Loc, SourceFile, SourceSpan

HUNDRED = Decimal(100)
_DETAIL_FIELDS = (
    "stretch",
    "deadline",
    "owner",
    "pillar",
    "months",
    "products",
    "last_quarter",
    "last_year",
    "bottom_up",
)


WORK_TREE = "working tree"  # the label of the side that is the work tree


@dataclass(slots=True)
class Side:
    """One side of a comparison: where it came from and the compiled plan (None: no quarter)."""

    label: str  # "main @ 1a2b3c4 (merge-base)", WORK_TREE, a folder
    revision: str | None  # the commit, None for a folder or the work tree
    folder: str  # the quarter folder as shown, e.g. plans/2027-Q1
    result: CheckResult | None
    problem: str | None = None  # why there is no plan here, when it is not simply absent
    # the files kept compressed (planc.change.packed), when result.sources is left empty
    packed: Mapping[str, PackedSource] | None = None

    @property
    def plan(self) -> Plan | None:
        return self.result.plan if self.result is not None else None

    def files(self) -> dict[str, bytes]:
        """Digests of the files' contents keyed by their path inside the quarter folder."""
        if self.result is None:
            return {}
        if self.packed is not None:
            return {_inside(path, self.folder): s.digest for path, s in self.packed.items()}
        return {
            _inside(path, self.folder): digest(s.data) for path, s in self.result.sources.items()
        }

    def source(self, path: str) -> SourceFile | None:
        """The file ``path`` (as diagnostics name it), when this side has it."""
        if self.packed is not None:
            packed = self.packed.get(path)
            return packed.source() if packed is not None else None
        return self.result.sources.get(path) if self.result is not None else None


def _inside(path: str, folder: str) -> str:
    prefix = folder.rstrip("/") + "/"
    return path[len(prefix) :] if path.startswith(prefix) else path


def percent_change(before: Decimal | None, after: Decimal | None) -> Decimal | None:
    """(after - before) / before in percent; None when there is no finite answer."""
    if before is None or after is None or before == 0:
        return None
    return (after - before) * HUNDRED / abs(before)


@dataclass(frozen=True, slots=True)
class TargetDelta:
    """A target whose value changed, or that was added or removed."""

    ref: str
    node: str
    name: str  # the node's display name (a rep's name)
    level: Level
    region: str | None  # region id above (or the node itself)
    team: str | None
    metric: str
    before: Decimal | None  # None: added
    after: Decimal | None  # None: removed
    loc: Loc  # the value in the head plan (in the base plan for a removed target)
    span: SourceSpan | None = None  # filled in once per file at the end (see _resolve_spans)
    covered_by: tuple[str, ...] = ()
    approved_value: Decimal | None = None  # in the approved plan, when known
    approvers: tuple[str, ...] = ()  # person ids

    @property
    def delta(self) -> Decimal | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def delta_percent(self) -> Decimal | None:
        return percent_change(self.before, self.after)

    @property
    def drift_percent(self) -> Decimal | None:
        return percent_change(self.approved_value, self.after)

    @property
    def size(self) -> Decimal | None:
        """The size approvals are judged by: the larger of the change and the drift from the
        approved plan, in percent either way; None (unbounded) for added or removed targets."""
        found = (change_size(self.before, self.after), change_size(self.approved_value, self.after))
        sizes = [size for size in found if size is not None]
        if self.before is None or self.after is None or not sizes:
            return None
        return max(sizes)


@dataclass(frozen=True, slots=True)
class SplitMove:
    """One part of a target's split that moved: a month of its phasing or a product's amount.

    Listed whether or not the target's value changed: a month moved from M1 to M3 leaves
    the quarter's number as it was and still changes what a rep must close by when.
    """

    ref: str
    node: str
    name: str  # the node's name
    metric: str
    month: tuple[int, int] | None  # (year, month) of a phasing month
    product: str | None  # a product id of the split
    before: Decimal | None
    after: Decimal | None

    @property
    def delta(self) -> Decimal:
        return (self.after or Decimal(0)) - (self.before or Decimal(0))


@dataclass(frozen=True, slots=True)
class DetailChange:
    """A target whose value stayed but whose phasing, split, deadline, owner or bottom-up
    number changed."""

    ref: str
    fields: tuple[str, ...]
    loc: Loc
    span: SourceSpan | None = None


@dataclass(frozen=True, slots=True)
class MetricTotal:
    metric: str
    name: str
    unit: str
    summed: bool
    target_before: Decimal | None  # the company's own target
    target_after: Decimal | None
    quotas_before: Decimal | None  # the reps' targets added up (summed metrics only)
    quotas_after: Decimal | None

    @property
    def changed(self) -> bool:
        return (self.target_before, self.quotas_before) != (self.target_after, self.quotas_after)


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """A parent's summed target against its children's, before and after."""

    node: str
    name: str
    level: Level
    metric: str
    cap: bool
    parent_before: Decimal | None
    parent_after: Decimal | None
    children_before: Decimal | None
    children_after: Decimal | None
    band_min: Decimal
    band_max: Decimal
    part: str = "value"  # or "stretch": the stretch goals (a child without one counts its value)

    @property
    def percent_before(self) -> Decimal | None:
        return _share(self.children_before, self.parent_before)

    @property
    def percent_after(self) -> Decimal | None:
        return _share(self.children_after, self.parent_after)

    def ok(self, after: bool = True) -> bool | None:
        share = self.percent_after if after else self.percent_before
        if share is None:
            return None
        if self.cap:
            return share <= HUNDRED
        return HUNDRED + self.band_min <= share <= HUNDRED + self.band_max


def _share(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or whole is None or whole == 0:
        return None
    return part * HUNDRED / whole


@dataclass(frozen=True, slots=True)
class GapSide:
    """A target's top-down vs bottom-up gap on one side of the change."""

    top_down: Decimal
    bottom_up: Decimal
    rolled_up: bool  # the children's commitments added up
    cap: bool
    outside: bool  # outside that side's policy.bottom_up_gap
    amount: Decimal  # as Gap.amount: how much more top-down asks than committed
    percent: Decimal | None  # as Gap.percent

    @classmethod
    def of(cls, gap: Gap, band: Band | None) -> GapSide:
        return cls(
            gap.top_down, gap.bottom_up, gap.rolled_up, gap.cap, outside(gap, band),
            gap.amount, gap.percent,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class GapChange:
    """A target whose top-down vs bottom-up gap changed: its number, its commitment, or both."""

    ref: str
    node: str
    name: str
    level: Level
    region: str | None
    metric: str
    before: GapSide | None  # None: no bottom-up number at the base
    after: GapSide | None  # None: none at head
    loc: Loc  # the bottom-up number (the value, for one added up from the children)
    span: SourceSpan | None = None

    @property
    def moved_outside(self) -> bool:
        """The change takes the gap outside the policy's band."""
        return self.after is not None and self.after.outside and not self._was_outside

    @property
    def moved_inside(self) -> bool:
        return self._was_outside and (self.after is None or not self.after.outside)

    @property
    def _was_outside(self) -> bool:
        return self.before is not None and self.before.outside


@dataclass(frozen=True, slots=True)
class RepChange:
    person: str
    name: str
    team: str | None
    region: str | None
    added: bool


@dataclass(frozen=True, slots=True)
class FileChange:
    status: str  # added | removed | renamed | modified
    path: str  # inside the quarter folder (the new path for a rename)
    old_path: str | None = None


@dataclass(frozen=True, slots=True)
class Approval:
    """A person whose approval the policy requires, and for which targets."""

    person: str
    name: str
    github: str | None
    why: str  # "team owner of north-ent", "named in the policy"
    refs: tuple[str, ...]
    largest: Decimal | None  # the largest size among them; None: unbounded (added/removed)
    recorded: bool  # listed in approved_by of the records covering all of them


@dataclass(frozen=True, slots=True)
class RecordView:
    id: str
    status: str  # new | changed | unchanged
    cause: str
    decided: str
    effective: str
    note: str
    approved_by: tuple[str, ...]
    refs: tuple[str, ...]
    loc: Loc
    span: SourceSpan | None = None


@dataclass(frozen=True, slots=True)
class Drift:
    ref: str
    available: bool
    reason: str | None
    totals: tuple[MetricTotal, ...] = ()
    changed_targets: int = 0


@dataclass(slots=True)
class Impact:
    """Everything a reviewer needs about one quarter's change."""

    quarter: str
    quarter_name: str
    currency: str
    folder: str
    base: Side
    head: Side
    status: str  # changed | unchanged | new | removed | head-invalid | base-invalid
    files: list[FileChange] = field(default_factory=list)
    totals: list[MetricTotal] = field(default_factory=list)
    changes: list[TargetDelta] = field(default_factory=list)
    details: list[DetailChange] = field(default_factory=list)
    moves: list[SplitMove] = field(default_factory=list)
    reps: list[RepChange] = field(default_factory=list)
    reconciliation: list[Reconciliation] = field(default_factory=list)
    gaps: list[GapChange] = field(default_factory=list)
    gap_band: Band | None = None  # policy.bottom_up_gap at head
    introduced: list[Diagnostic] = field(default_factory=list)
    fixed: list[Diagnostic] = field(default_factory=list)
    uncovered: list[Diagnostic] = field(default_factory=list)
    records: list[RecordView] = field(default_factory=list)
    approvals: list[Approval] = field(default_factory=list)
    drift: Drift | None = None
    tiers: tuple[ApprovalTier, ...] = ()
    moved_from: str | None = None  # the folder's name at the base, when git saw it renamed

    @property
    def has_changes(self) -> bool:
        return self.status != "unchanged"

    @property
    def head_diagnostics(self) -> list[Diagnostic]:
        found = list(self.head.result.diagnostics) if self.head.result is not None else []
        return sorted([*found, *self.uncovered], key=lambda d: d.sort_key)

    @property
    def head_errors(self) -> int:
        return sum(d.severity is Severity.ERROR for d in self.head_diagnostics)

    @property
    def has_errors(self) -> bool:
        return self.head_errors > 0

    def name_of(self, node_or_person: str) -> str:
        for plan in (self.head.plan, self.base.plan):
            if plan is None:
                continue
            if node_or_person in plan.people:
                return plan.people[node_or_person].name
            if node_or_person in plan.nodes:
                return plan.nodes[node_or_person].name
        return node_or_person

    @property
    def regions(self) -> list[str]:
        """Region ids with a change in or below them, in org order."""
        seen: dict[str, None] = {}
        for change in self.changes:
            seen[change.region or ""] = None
        for detail in self.details:
            node = detail.ref.split("/", 1)[0]
            seen[self.region_of(node) or ""] = None
        for gap in self.gaps:
            seen[gap.region or ""] = None
        return [r for r in seen if r]

    def region_of(self, node_id: str) -> str | None:
        for plan in (self.head.plan, self.base.plan):
            if plan is not None and node_id in plan.nodes:
                return _level_above(plan, node_id, Level.REGION)
        return None


def compute_impact(
    base: Side, head: Side, approved: Side | None = None, *, moved_from: str | None = None
) -> Impact:
    """The impact of going from ``base`` to ``head`` (``approved``: the approved plan;
    ``moved_from``: the quarter folder's path at the base, when it was renamed since)."""
    with gc_paused():
        return _compute(base, head, approved, moved_from)


def _compute(base: Side, head: Side, approved: Side | None, moved_from: str | None) -> Impact:
    plan = head.plan or base.plan
    impact = Impact(
        quarter=plan.quarter.id if plan else PurePosixPath(head.folder).name,
        quarter_name=plan.quarter.name if plan else PurePosixPath(head.folder).name,
        currency=plan.currency if plan else "",
        folder=head.folder,
        base=base,
        head=head,
        status="changed",
        moved_from=moved_from,
    )
    impact.files = file_changes(base, head)
    if head.result is None:
        impact.status = "removed"
        return impact
    if head.plan is None:
        impact.status = "head-invalid"
        return impact
    head_plan = head.plan
    impact.tiers = head_plan.policy.approvals
    if base.result is None:
        impact.status = "new"
        impact.totals = _totals(None, head_plan)
        impact.approvals = _quarter_approval(head_plan)
        return impact
    if base.plan is None:
        impact.status = "base-invalid"
        impact.totals = _totals(None, head_plan)
        return impact
    base_plan = base.plan
    impact.totals = _totals(base_plan, head_plan)
    approved_plan = approved.plan if approved is not None else None
    impact.changes = _changes(base, head, approved_plan)
    impact.details = _details(base_plan, head_plan)
    impact.moves = _split_moves(base_plan, head_plan)
    impact.reps = _reps(base_plan, head_plan)
    impact.reconciliation = _reconciliation(
        base_plan, head_plan, impact.changes, [d for d in impact.details if "stretch" in d.fields]
    )
    impact.gaps = _gap_changes(base_plan, head_plan)
    impact.gap_band = head_plan.policy.bottom_up_gap
    impact.uncovered = coverage_diagnostics(base_plan, head_plan)
    impact.introduced, impact.fixed = _compare_diagnostics(base, head)
    impact.records = _records(base_plan, head_plan)
    impact.approvals = _approvals(head_plan, impact.changes)
    impact.drift = _drift(head_plan, approved)
    if not (
        impact.changes or impact.details or impact.gaps or impact.reps or impact.files or moved_from
    ):
        impact.status = "unchanged"
    _resolve_spans(impact)
    return impact


def _resolve_spans(impact: Impact) -> None:
    """Give every line of the impact its file:line:col, composing each file at most once
    (and letting its node tree go right after: a region file can hold thousands of reps)."""
    head_locs = [c.loc for c in impact.changes if c.after is not None]
    head_locs += [d.loc for d in impact.details] + [r.loc for r in impact.records]
    head_locs += [d.loc for d in impact.uncovered if d.loc is not None]
    head_locs += [g.loc for g in impact.gaps if g.after is not None]
    base_locs = [c.loc for c in impact.changes if c.after is None]
    base_locs += [g.loc for g in impact.gaps if g.after is None]
    head = _spans(impact.head, head_locs)
    base = _spans(impact.base, base_locs)
    impact.changes = [
        replace(c, span=(base if c.after is None else head).get(c.loc)) for c in impact.changes
    ]
    impact.details = [replace(d, span=head.get(d.loc)) for d in impact.details]
    impact.gaps = [
        replace(g, span=(base if g.after is None else head).get(g.loc)) for g in impact.gaps
    ]
    impact.records = [replace(r, span=head.get(r.loc)) for r in impact.records]
    impact.uncovered = sorted(
        (replace(d, span=head.get(d.loc)) if d.loc is not None else d for d in impact.uncovered),
        key=lambda d: d.sort_key,
    )


def _spans(side: Side, locs: Iterable[Loc]) -> dict[Loc, SourceSpan]:
    if side.result is None:
        return {}
    by_file: dict[str, list[Loc]] = {}
    for loc in locs:
        by_file.setdefault(loc.file, []).append(loc)
    out: dict[Loc, SourceSpan] = {}
    for file, group in by_file.items():
        source = side.source(file)
        if source is None:
            out.update((loc, SourceSpan(file, 1, 1)) for loc in group)
        else:  # streamed, not composed: a region file's node tree was the top of the peak
            out.update(file_spans(source, group))
    return out


# --- files ----------------------------------------------------------------------------


def file_changes(base: Side, head: Side) -> list[FileChange]:
    """Files added, removed, renamed (same region, or same bytes) or modified."""
    old, new = base.files(), head.files()
    removed = sorted(set(old) - set(new))
    added = sorted(set(new) - set(old))
    out: list[FileChange] = []
    homes_old = _homes(base)
    homes_new = _homes(head)
    by_owner_new = {owner: path for path, owner in homes_new.items()}
    for path in list(removed):
        owner = homes_old.get(path)
        target = by_owner_new.get(owner) if owner else None
        if target is None or target not in added:
            target = next((p for p in added if new[p] == old[path]), None)
        if target is not None:
            out.append(FileChange("renamed", target, path))
            removed.remove(path)
            added.remove(target)
    out += [FileChange("added", p) for p in added]
    out += [FileChange("removed", p) for p in removed]
    out += [FileChange("modified", p) for p in sorted(set(old) & set(new)) if old[p] != new[p]]
    return sorted(out, key=lambda f: (f.path, f.status))


def _homes(side: Side) -> dict[str, str]:
    """Path inside the folder → what it holds ("quarter", or the region id)."""
    plan = side.plan
    if plan is None:
        return {}
    homes = {_inside(plan.quarter.loc.file, side.folder): "quarter"}
    for node in plan.nodes.values():
        if node.level is Level.REGION:
            homes[_inside(node.loc.file, side.folder)] = f"region:{node.id}"
    return homes


# --- targets --------------------------------------------------------------------------


def _level_above(plan: Plan, node_id: str, level: Level) -> str | None:
    for node in plan.ancestors(node_id):
        if node.level is level:
            return node.id
    return None


def _changes(base: Side, head: Side, approved: Plan | None) -> list[TargetDelta]:
    assert base.plan is not None and head.plan is not None
    base_plan, head_plan = base.plan, head.plan
    out: list[TargetDelta] = []
    for change in value_changes(base_plan, head_plan):
        target = change.target
        out.append(
            _delta(
                head_plan,
                target,
                change.before,
                target.value,
                target.loc / "value",
                tuple(a.id for a in covering_records(head_plan, target)),
                _approved_value(approved, target),
            )
        )
    for node in base_plan.walk():
        now = head_plan.nodes.get(node.id)
        for metric, target in node.targets.items():
            if now is None or metric not in now.targets:
                out.append(
                    _delta(
                        base_plan,
                        target,
                        target.value,
                        None,
                        target.loc / "value",
                        (),
                        _approved_value(approved, target),
                    )
                )
    return out


def _approved_value(approved: Plan | None, target: Target) -> Decimal | None:
    if approved is None:
        return None
    node = approved.nodes.get(target.node)
    old = node.targets.get(target.metric) if node is not None else None
    return old.value if old is not None else None


def _delta(
    plan: Plan,
    target: Target,
    before: Decimal | None,
    after: Decimal | None,
    loc: Loc,
    covered_by: tuple[str, ...],
    approved_value: Decimal | None,
) -> TargetDelta:
    node = plan.nodes[target.node]
    return TargetDelta(
        ref=target.ref,
        node=node.id,
        name=node.name,
        level=node.level,
        region=_level_above(plan, node.id, Level.REGION),
        team=_level_above(plan, node.id, Level.TEAM),
        metric=target.metric,
        before=before,
        after=after,
        loc=loc,
        covered_by=covered_by,
        approved_value=approved_value,
    )


def _kept_targets(base: Plan, head: Plan) -> Iterator[tuple[Node, Target, Target]]:
    """Each target of ``head`` that ``base`` has too: (node in head, before, after)."""
    for node in head.walk():
        old = base.nodes.get(node.id)
        if old is None:
            continue
        for metric, target in node.targets.items():
            before = old.targets.get(metric)
            if before is not None:
                yield node, before, target


def _details(base: Plan, head: Plan) -> list[DetailChange]:
    out: list[DetailChange] = []
    for _node, before, target in _kept_targets(base, head):
        if before.value != target.value:
            continue
        fields = tuple(f for f in _DETAIL_FIELDS if getattr(before, f) != getattr(target, f))
        if fields:
            out.append(DetailChange(target.ref, fields, _field_loc(target.loc, fields[0])))
    return out


def _field_loc(target: Loc, field: str) -> Loc:
    """Where the first changed field is written, for the reviewer's click: a baseline under
    ``baseline``, the rest by name. A field not written in the target (a deadline or owner
    it inherits, one the edit removed) resolves to the target itself, the deepest node the
    path reaches."""
    if field in ("last_quarter", "last_year"):
        return target / "baseline" / field
    return target / field


def _split_moves(base: Plan, head: Plan) -> list[SplitMove]:
    """Every month of a phasing and every product of a split whose amount changed."""
    out: list[SplitMove] = []
    for node, before, target in _kept_targets(base, head):
        out += _target_moves(node, before, target, head.quarter.months)
    return out


def _target_moves(
    node: Node, before: Target, after: Target, months: tuple[tuple[int, int], ...]
) -> list[SplitMove]:
    out: list[SplitMove] = []
    if before.months != after.months:
        old, new = before.months or (), after.months or ()
        for index, month in enumerate(months):
            was = old[index] if index < len(old) else None
            now = new[index] if index < len(new) else None
            if was != now:
                out.append(
                    SplitMove(after.ref, node.id, node.name, after.metric, month, None, was, now)
                )
    if before.products != after.products:
        old_split, new_split = dict(before.products or {}), dict(after.products or {})
        for product in dict.fromkeys([*new_split, *old_split]):
            was, now = old_split.get(product), new_split.get(product)
            if was != now:
                out.append(
                    SplitMove(after.ref, node.id, node.name, after.metric, None, product, was, now)
                )
    return out


def _reps(base: Plan, head: Plan) -> list[RepChange]:
    out: list[RepChange] = []
    for plan, other, added in ((head, base, True), (base, head, False)):
        for node in plan.walk():
            if node.level is Level.REP and node.id not in other.nodes:
                out.append(
                    RepChange(
                        node.id,
                        node.name,
                        _level_above(plan, node.id, Level.TEAM),
                        _level_above(plan, node.id, Level.REGION),
                        added,
                    )
                )
    return out


def _totals(base: Plan | None, head: Plan) -> list[MetricTotal]:
    out: list[MetricTotal] = []
    metrics = dict(base.metrics) if base is not None else {}
    metrics.update(head.metrics)
    for metric_id, metric in metrics.items():
        out.append(
            MetricTotal(
                metric_id,
                metric.name,
                metric.unit,
                metric.summed,
                _company_value(base, metric_id),
                _company_value(head, metric_id),
                _quota_sum(base, metric_id) if metric.summed else None,
                _quota_sum(head, metric_id) if metric.summed else None,
            )
        )
    return out


def _company_value(plan: Plan | None, metric: str) -> Decimal | None:
    if plan is None:
        return None
    target = plan.nodes[plan.company].targets.get(metric) if plan.company in plan.nodes else None
    return target.value if target is not None else None


def _quota_sum(plan: Plan | None, metric: str) -> Decimal | None:
    if plan is None:
        return None
    values = [
        n.targets[metric].value
        for n in plan.nodes.values()
        if n.level is Level.REP and metric in n.targets
    ]
    return sum(values, Decimal(0)) if values else None


def _reconciliation(
    base: Plan, head: Plan, changes: list[TargetDelta], stretched: list[DetailChange]
) -> list[Reconciliation]:
    """Each summed target whose own value or whose children's values changed, and, where
    the parent has a stretch goal, its stretch against the children's."""
    touched: dict[tuple[str, str], None] = {}
    moved = [(c.node, c.metric) for c in changes]
    moved += [tuple(d.ref.split("/", 1)) for d in stretched]  # type: ignore[misc]
    for node_id, metric_id in moved:
        touched[(node_id, metric_id)] = None
        for plan in (head, base):
            node = plan.nodes.get(node_id)
            if node is not None and node.parent is not None:
                touched[(node.parent, metric_id)] = None
                break
    out: list[Reconciliation] = []
    for node in head.walk():
        for metric_id in node.targets:
            if (node.id, metric_id) not in touched or node.level is Level.REP:
                continue
            metric = head.metrics.get(metric_id)
            if metric is None or not metric.summed:
                continue
            before_node = base.nodes.get(node.id)
            row = Reconciliation(
                node.id,
                node.name,
                node.level,
                metric_id,
                metric.is_cap,
                _value(before_node, metric_id),
                _value(node, metric_id),
                _children_sum(base, before_node, metric_id),
                _children_sum(head, node, metric_id),
                head.policy.over_assignment.min,
                head.policy.over_assignment.max,
            )
            if (row.parent_before, row.children_before) != (row.parent_after, row.children_after):
                out.append(row)
            stretch = _stretch_row(base, head, node, metric_id)
            if stretch is not None:
                out.append(stretch)
    return out


def _stretch_row(base: Plan, head: Plan, node: Node, metric_id: str) -> Reconciliation | None:
    """The stretch goals' reconciliation at a node, when either side has a stretch there."""
    before_node = base.nodes.get(node.id)
    parent_before = _stretch(before_node, metric_id)
    parent_after = _stretch(node, metric_id)
    if parent_before is None and parent_after is None:
        return None
    band = head.policy.stretch
    row = Reconciliation(
        node.id,
        node.name,
        node.level,
        metric_id,
        head.metrics[metric_id].is_cap,
        parent_before,
        parent_after,
        _children_stretch(base, before_node, metric_id) if parent_before is not None else None,
        _children_stretch(head, node, metric_id) if parent_after is not None else None,
        band.min,
        band.max,
        part="stretch",
    )
    if (row.parent_before, row.children_before) == (row.parent_after, row.children_after):
        return None
    return row


def _stretch(node: Node | None, metric: str) -> Decimal | None:
    if node is None or metric not in node.targets:
        return None
    return node.targets[metric].stretch


def _children_stretch(plan: Plan, node: Node | None, metric: str) -> Decimal | None:
    if node is None:
        return None
    values = [
        t.stretch if t.stretch is not None else t.value
        for c in node.children
        if c in plan.nodes and (t := plan.nodes[c].targets.get(metric)) is not None
    ]
    return sum(values, Decimal(0)) if values else None


def _gap_changes(base: Plan, head: Plan) -> list[GapChange]:
    """Every target whose top-down vs bottom-up gap differs between the two plans.

    A changed target value, an edited ``bottom_up``, a rep's commitment that
    changes what a team's reps add up to, or a band that moved: each changes a
    gap, and each is listed with the gap before and after.
    """
    before = {(g.node.id, g.target.metric): g for g in gaps(base)}
    after = {(g.node.id, g.target.metric): g for g in gaps(head)}
    band_before, band_after = base.policy.bottom_up_gap, head.policy.bottom_up_gap
    out: list[GapChange] = []
    for key in [*after, *(k for k in before if k not in after)]:
        old, new = before.get(key), after.get(key)
        side_before = GapSide.of(old, band_before) if old is not None else None
        side_after = GapSide.of(new, band_after) if new is not None else None
        if side_before == side_after:
            continue
        shown = new if new is not None else old
        assert shown is not None
        plan = head if new is not None else base
        out.append(
            GapChange(
                ref=shown.target.ref,
                node=shown.node.id,
                name=shown.node.name,
                level=shown.node.level,
                region=_level_above(plan, shown.node.id, Level.REGION),
                metric=shown.target.metric,
                before=side_before,
                after=side_after,
                loc=shown.target.loc / ("value" if shown.rolled_up else "bottom_up"),
            )
        )
    return out


def _value(node: Node | None, metric: str) -> Decimal | None:
    if node is None or metric not in node.targets:
        return None
    return node.targets[metric].value


def _children_sum(plan: Plan, node: Node | None, metric: str) -> Decimal | None:
    if node is None:
        return None
    values = [
        plan.nodes[c].targets[metric].value
        for c in node.children
        if c in plan.nodes and metric in plan.nodes[c].targets
    ]
    return sum(values, Decimal(0)) if values else None


# --- diagnostics ----------------------------------------------------------------------


def _subjects(
    plan: Plan | None, diagnostics: list[Diagnostic]
) -> dict[tuple[str, tuple[object, ...]], str]:
    """Where things live in the documents → a name that is the same on both sides.

    Only the files that have diagnostics are indexed: a clean plan costs nothing here.
    """
    files = {d.loc.file for d in diagnostics if d.loc is not None}
    if plan is None or not files:
        return {}
    index: dict[tuple[str, tuple[object, ...]], str] = {}

    def add(loc: Loc, subject: str) -> None:
        if loc.file in files:
            index[(loc.file, loc.path)] = subject

    for node in plan.nodes.values():
        if node.loc.file in files:
            add(node.loc, f"node:{node.id}")
            for target in node.targets.values():
                add(target.loc, f"target:{target.ref}")
    for person in plan.people.values():
        add(person.loc, f"person:{person.id}")
    for action in plan.actions:
        add(action.loc, f"action:{action.id}")
    for adjustment in plan.adjustments:
        add(adjustment.loc, f"adjustment:{adjustment.id}")
    for metric in plan.metrics.values():
        add(metric.loc, f"metric:{metric.id}")
    add(plan.policy.loc, "policy")
    add(plan.quarter.loc, "quarter")
    return index


def _subject(d: Diagnostic, index: Mapping[tuple[str, tuple[object, ...]], str]) -> str:
    if d.loc is not None:
        path = d.loc.path
        for cut in range(len(path), -1, -1):
            found = index.get((d.loc.file, path[:cut]))
            if found is not None:
                return found
    return d.message


def _compare_diagnostics(base: Side, head: Side) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Diagnostics new at head and gone from base, matched by code and what they are about."""
    assert base.result is not None and head.result is not None
    base_index = _subjects(base.plan, base.result.diagnostics)
    head_index = _subjects(head.plan, head.result.diagnostics)
    base_keys = Counter((d.code, _subject(d, base_index)) for d in base.result.diagnostics)
    head_keys = Counter((d.code, _subject(d, head_index)) for d in head.result.diagnostics)
    introduced = _surplus(head.result.diagnostics, head_index, head_keys - base_keys)
    fixed = _surplus(base.result.diagnostics, base_index, base_keys - head_keys)
    return introduced, fixed


def _surplus(
    diagnostics: Iterable[Diagnostic],
    index: Mapping[tuple[str, tuple[object, ...]], str],
    wanted: Counter[tuple[str, str]],
) -> list[Diagnostic]:
    left = Counter(wanted)
    out = []
    for d in diagnostics:
        key = (d.code, _subject(d, index))
        if left[key] > 0:
            left[key] -= 1
            out.append(d)
    return out


# --- records, approvals, drift ----------------------------------------------------------


def _records(base: Plan, head: Plan) -> list[RecordView]:
    before = {a.id: a for a in base.adjustments}
    out = []
    for adjustment in head.adjustments:
        old = before.get(adjustment.id)
        if old is None:
            status = "new"
        elif _same_record(old, adjustment):
            status = "unchanged"
        else:
            status = "changed"
        if status == "unchanged":
            continue
        out.append(
            RecordView(
                adjustment.id,
                status,
                adjustment.cause,
                adjustment.decided.isoformat(),
                adjustment.effective.isoformat(),
                adjustment.note,
                adjustment.approved_by,
                tuple(f"{c.node}/{c.metric}" for c in adjustment.changes),
                adjustment.loc / "id",
            )
        )
    return out


def _record_facts(x: Adjustment) -> tuple[object, ...]:
    """A record without its positions, to tell whether it changed."""
    changes = tuple((c.node, c.metric, c.before, c.after) for c in x.changes)
    return (x.decided, x.effective, x.cause, x.note, x.approved_by, changes)


def _same_record(a: Adjustment, b: Adjustment) -> bool:
    return _record_facts(a) == _record_facts(b)


def _approvals(plan: Plan, changes: list[TargetDelta]) -> list[Approval]:
    tiers = plan.policy.approvals
    if not tiers:
        return []
    records = {a.id: a for a in plan.adjustments}
    wanted: dict[tuple[str, str], list[TargetDelta]] = {}
    accepted: dict[str, set[str]] = {}  # target ref -> whose approval counts for it
    for change in changes:
        tier = tier_for(tiers, change.size)
        if tier is None:
            continue
        required = required_approver(plan, change.node, change.level, tier)
        if required is not None:
            wanted.setdefault((required.person, required.why), []).append(change)
            accepted[change.ref] = accepted_by(plan, change.node, required) - moved_people(
                plan, change.node, change.metric
            )
    out = []
    for (person_id, why), items in wanted.items():
        person = plan.people.get(person_id)
        sizes = [c.size for c in items]
        recorded = all(
            any(accepted[c.ref] & set(records[r].approved_by) for r in c.covered_by if r in records)
            for c in items
        )
        out.append(
            Approval(
                person=person_id,
                name=person.name if person else person_id,
                github=person.github if person else None,
                why=why,
                refs=tuple(c.ref for c in items),
                largest=None if None in sizes else max(s for s in sizes if s is not None),
                recorded=recorded,
            )
        )
    return sorted(out, key=lambda a: (_why_rank(a.why), a.name))


def _why_rank(why: str) -> int:
    for rank, word in enumerate(("team", "region", "company", "named")):
        if why.startswith(word):
            return rank
    return 4


def _quarter_approval(plan: Plan) -> list[Approval]:
    company = plan.nodes.get(plan.company)
    if company is None:
        return []
    person = plan.people.get(company.owner)
    return [
        Approval(
            company.owner,
            person.name if person else company.owner,
            person.github if person else None,
            f"company owner of {company.id}",
            (),
            None,
            False,
        )
    ]


def _drift(head: Plan, approved: Side | None) -> Drift | None:
    if approved is None:
        return None
    if approved.plan is None:
        if approved.problem:
            reason = approved.problem
        elif approved.result is not None:
            reason = "the approved plan does not compile"
        else:
            reason = f"{approved.folder} does not exist there"
        return Drift(approved.label, False, reason)
    plan = approved.plan
    changed = sum(1 for _ in value_changes(plan, head))
    return Drift(approved.label, True, None, tuple(_totals(plan, head)), changed)
