"""The static site: view models from a checked plan, one Jinja2 environment, a folder swap.

``planc render`` writes::

    index.html            the quarter: totals, reconciliation, pillars, org tree, warnings
    regions/<id>.html     a region: targets, split to teams, product mix, monthly phasing
    teams/<id>.html       a team: the same, split to reps
    reps/<id>.html        a rep's brief
    .planc-site           the marker: planc made this folder, and the files it wrote

Templates get view models (frozen dataclasses of ready-to-print strings and
SVG coordinates) and do no arithmetic; every number is formatted here, from
``Decimal``, in the plan's locale. The site is built in a temporary folder
beside ``--out`` and swapped in, and a folder planc did not make is never
touched.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import os
import re
import secrets
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

try:  # where the system has it: a lock tells a killed render's folder from a running one
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

import jinja2
from markupsafe import Markup

from planc import __version__
from planc.core.diagnostics import Diagnostic, Severity
from planc.core.files import current_umask, new_file_mode, read_regular
from planc.core.forking import can_fork, relay, start_forked
from planc.core.frontend import default_workers
from planc.core.gitsource import PlanRevision
from planc.core.locales import DASH, MINUS, Locale, Words, get_locale, percent_of
from planc.core.memory import gc_paused
from planc.core.model import Action, Adjustment, Change, Level, Metric, Node, Person, Plan, Target
from planc.core.pipeline import SITE_MARKER, CheckResult
from planc.core.resources import data_dir
from planc.core.safetext import quoted
from planc.core.spelling import closest
from planc.site.progress import (
    CellProgress,
    Extras,
    GapView,
    PaceChart,
    ProductActuals,
    ProgressView,
    SiteActuals,
    WarningNote,
)
from planc.site.reuse import (
    PageKeys,
    RecordStore,
    code_digest,
    content_digest,
    file_digest,
    fragment_from,
    fragment_name,
    fragment_record,
    index_from,
    index_record,
    quarter_names,
    regions_from,
)
from planc.site.templating import OPTIONS, template_loader

if TYPE_CHECKING:
    from planc.site.checked import Skipping

_MARKER_HEADER = (
    "planc site: this folder was written by `planc render`, which replaces it only while it\n"
    "holds nothing but the files listed below. Put your own files elsewhere.\n"
)
_FOLDERS = {Level.REGION: "regions", Level.TEAM: "teams", Level.REP: "reps"}
_PLAIN_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
# Names Windows reserves in every folder, whatever the extension.
_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(10)] + [f"lpt{i}" for i in range(10)]
)
_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


class SiteError(Exception):
    """A problem with the output folder, with a message for the user."""


class _NeedWhole(Exception):
    """A render from a model of some files found something the files left out must give:
    it is done again from the whole model (:func:`render_site`)."""


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """``--rep ID`` renders one brief; ``--no-peers`` publishes no rep's numbers."""

    rep: str | None = None
    peers: bool = True


@dataclass(frozen=True, slots=True)
class Page:
    """One page to render: where it goes, with which template and view model."""

    path: str  # relative to the site root, with / separators
    template: str
    context: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RenderReport:
    out: Path
    pages: int
    entry: Path  # the page to open first
    kept: int = 0  # pages of the last render kept as they were (their content did not change)


# --------------------------------------------------------------------------- view models


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    href: str | None  # None: shown as plain text (a page this site does not have)


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    text: str
    href: str | None = None
    note: str | None = None
    wide: bool = False  # long text (an e-mail address): give it two columns


@dataclass(frozen=True, slots=True)
class Frame:
    lang: str
    title: str
    site: str
    home: str | None
    crumbs: tuple[Link, ...]
    revision: str
    generator: str


@dataclass(frozen=True, slots=True)
class TargetView:
    metric: str
    unit: str
    value: str
    stretch: str | None
    deadline: str
    last_quarter: str | None
    last_year: str | None
    growth: str | None
    growth_basis: str | None
    cap: bool
    pillar: str | None
    note: str | None
    progress: ProgressView | None = None  # with --actuals: attained, pace, forecast
    gap: GapView | None = None  # top-down vs bottom-up, where the target has a bottom-up number


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    text: str  # the number in full
    short: str  # the number on the chart
    share: str
    x: int  # SVG user units (the viewBox is 320 wide: one unit is about a pixel)
    y: int
    width: int
    height: int
    mid: int  # x of the bar's centre, for its labels
    top: int  # y of the value label
    attained: str | None = None  # with --actuals: what the month attained
    partial: bool = False  # the month is still in progress at the as-of date


@dataclass(frozen=True, slots=True)
class MonthChart:
    ident: str
    metric: str
    derived: bool  # added up from the level below: the node has no phasing of its own
    total: str
    width: int
    height: int
    axis: int
    label_y: int
    bars: tuple[Bar, ...]
    tracked: bool = False  # the bars carry what each month attained


@dataclass(frozen=True, slots=True)
class ProductRow:
    name: str
    key: bool
    text: str
    share: str
    y_text: int
    y_bar: int
    width: int


@dataclass(frozen=True, slots=True)
class ProductChart:
    ident: str
    metric: str
    derived: bool
    total: str
    width: int
    height: int
    track: int
    rows: tuple[ProductRow, ...]


@dataclass(frozen=True, slots=True)
class SplitRow:
    link: Link
    cells: tuple[str, ...]
    progress: tuple[CellProgress | None, ...] = ()  # with --actuals, one per cell
    badges: tuple[str, ...] = ()  # a rep ramping up or leaving this quarter


@dataclass(frozen=True, slots=True)
class RankRow:
    """One line of a team's (or region's) ranking: who, how far, and any badge."""

    rank: str
    link: Link
    badges: tuple[str, ...]  # "New hire, ramping", "Leaves Mar 15, 2027"
    attained: str
    target: str
    attainment: str  # "36.8%"
    of_pace: str | None
    forecast: str | None
    status: str
    state: str
    fill: int  # the bar: attained against the target, 0..100
    pace: int  # the pace tick, 0..100


@dataclass(frozen=True, slots=True)
class Ranking:
    metric: str
    rows: tuple[RankRow, ...]
    total: RankRow  # the node's own: attained of all of them against its target


@dataclass(frozen=True, slots=True)
class SplitTable:
    columns: tuple[str, ...]
    rows: tuple[SplitRow, ...]
    total: tuple[str, ...]
    target: tuple[str, ...]
    over: tuple[str, ...]
    band: str


@dataclass(frozen=True, slots=True)
class ActionView:
    what: str
    due: str
    supports: str
    owner: str
    where: str
    resources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChangeView:
    target: str
    before: str
    after: str
    delta: str


@dataclass(frozen=True, slots=True)
class AdjustmentView:
    id: str
    decided: str
    effective: str
    cause: str
    note: str
    approved_by: str
    changes: tuple[ChangeView, ...]
    hidden: str | None  # "2 changes to reps' targets not shown"


@dataclass(frozen=True, slots=True)
class TreeNode:
    link: Link
    owner: str
    value: str | None
    over: str | None
    children: tuple[TreeNode, ...]


@dataclass(frozen=True, slots=True)
class PillarView:
    name: str
    description: str | None
    metrics: str


@dataclass(frozen=True, slots=True)
class ReconRow:
    metric: str
    splits: str
    lowest: str
    highest: str
    band: str


@dataclass(frozen=True, slots=True)
class WarningView:
    code: str
    where: str
    message: str
    hint: str | None
    lang: str | None = None  # "en" for a message no catalog has, on a page in another language


@dataclass(frozen=True, slots=True)
class IndexPage:
    frame: Frame
    heading: str
    facts: tuple[Fact, ...]
    status: str
    recon_ok: str
    recon: tuple[ReconRow, ...]
    warnings: tuple[WarningView, ...]
    targets: tuple[TargetView, ...]
    pillars: tuple[PillarView, ...]
    split: SplitTable | None
    months: tuple[MonthChart, ...]
    products: tuple[ProductChart, ...]
    tree: tuple[TreeNode, ...]
    legend: str
    peers_note: str | None
    adjustments: tuple[AdjustmentView, ...]
    progress_note: str | None = None  # with --actuals: as of when, from which export
    early: tuple[EarlyWarningView, ...] = ()  # planc track's warnings, with --actuals
    early_status: str | None = None  # "37 early warnings from tracking"


@dataclass(frozen=True, slots=True)
class EarlyWarningView:
    where: Link  # the node's page
    metric: str
    note: WarningNote


@dataclass(frozen=True, slots=True)
class NodePage:
    frame: Frame
    kind: str
    heading: str
    facts: tuple[Fact, ...]
    targets: tuple[TargetView, ...]
    split: SplitTable | None
    split_title: str
    peers_note: str | None
    months: tuple[MonthChart, ...]
    products: tuple[ProductChart, ...]
    actions: tuple[ActionView, ...]
    adjustments: tuple[AdjustmentView, ...]
    progress_note: str | None = None
    ranking: Ranking | None = None  # with --actuals: the level below, ranked by attainment
    product_actuals: tuple[ProductActuals, ...] = ()  # with --actuals, where a split exists


@dataclass(frozen=True, slots=True)
class RepPage:
    frame: Frame
    heading: str
    subtitle: str
    facts: tuple[Fact, ...]
    targets: tuple[TargetView, ...]
    months: tuple[MonthChart, ...]
    products: tuple[ProductChart, ...]
    actions_mine: tuple[ActionView, ...]
    actions_shared: tuple[ActionView, ...]
    adjustments: tuple[AdjustmentView, ...]
    definitions: tuple[Fact, ...]
    progress_note: str | None = None
    pace: tuple[PaceChart, ...] = ()  # with --actuals: attained vs phased target, cumulative
    product_actuals: tuple[ProductActuals, ...] = ()  # with --actuals: won per product line


# --------------------------------------------------------------------------- file names


def page_path(level: Level, node_id: str) -> str:
    """The site-relative file of a node's page; the name cannot leave its folder.

    Ids are restricted by the schema, but the name is built defensively anyway:
    anything but a plain lowercase id (a mixed-case id that would collide on a
    case-insensitive disk, a name Windows reserves, or anything stranger) is
    replaced by a lowercased, sanitised stem plus a hash of the id, joined by
    ``~``, which no id can contain.
    """
    if level is Level.COMPANY:
        return "index.html"
    if _PLAIN_ID.fullmatch(node_id) and node_id not in _RESERVED:
        stem = node_id
    else:
        safe = re.sub(r"[^a-z0-9_-]", "_", node_id.lower())[:40] or "_"
        digest = hashlib.sha256(node_id.encode("utf-8")).hexdigest()[:12]
        stem = f"{safe}~{digest}"
    return f"{_FOLDERS[level]}/{stem}.html"


_PAGE_PATH = re.compile(r"(index|(regions|teams|reps)/[a-z0-9_~-]+)\.html")


def _inside(root: Path, relative: str) -> Path:
    """``root / relative`` for a page path as ``page_path`` makes them, and nothing else."""
    _check_page_path(relative)
    return root / relative


def _check_page_path(relative: str) -> None:
    if not _PAGE_PATH.fullmatch(relative):
        raise SiteError(f"refusing to write {relative!r}: not a page name planc makes")


# --------------------------------------------------------------------------- numbers → views


_CHART_WIDTH = 320  # SVG user units; charts scale to their box
_AXIS = 156  # y of the month chart's baseline
_BAR_SPACE = 128  # the tallest bar's height


@cache
def _month_slots(count: int) -> tuple[tuple[int, int, int], ...]:
    """(x, width, centre) of each month's bar, in whole SVG units."""
    slot = _CHART_WIDTH // count
    width = min(slot * 56 // 100, 76)
    return tuple(
        (slot * i + (slot - width) // 2, width, slot * i + slot // 2) for i in range(count)
    )


class _Views:
    """Builds every view model of one plan; caches what many pages share."""

    def __init__(
        self,
        result: CheckResult,
        options: RenderOptions,
        revision: PlanRevision | None,
        actuals: SiteActuals | None = None,
    ) -> None:
        if result.plan is None:
            raise ValueError("render needs a plan that was built")
        plan = result.plan
        self.plan = plan
        self.result = result
        self.options = options
        self.loc: Locale = get_locale(plan.locale, plan.currency)
        self.t = self.loc.t
        self.extras = Extras(plan, self.loc, actuals)
        self.progress_note = self.extras.note()
        self.single = options.rep is not None
        self.peers = options.peers and not self.single
        self.company = plan.nodes[plan.company]
        self.site = f"{self.company.name} · {plan.quarter.name}"
        self.revision = self._revision(revision)
        self.primary = _primary_metric(plan)
        self.metric_order = {m: i for i, m in enumerate(plan.metrics)}
        self.actions_at: dict[str, list[Action]] = {}
        self.actions_of: dict[str, list[Action]] = {}
        # SHA-256 of each plan file, taken before their bytes are released (see render_site)
        self.file_digests: dict[str, str] = {}
        for action in plan.actions:
            self.actions_at.setdefault(action.node, []).append(action)
            self.actions_of.setdefault(action.owner, []).append(action)
        self.changes_under: dict[str, list[tuple[int, Change]]] = {}
        for index, adjustment in enumerate(plan.adjustments):
            for change in adjustment.changes:
                for node in plan.ancestors(change.node):
                    self.changes_under.setdefault(node.id, []).append((index, change))
        self._action_views: dict[str, ActionView] = {}
        # the index made from fragments (a model of some files: see planc.site.fragments)
        self.given_index: IndexPage | None = None
        self._keys: PageKeys | None = None
        self.keys_ahead: dict[str, str | None] = {}  # page -> its key, made by Ahead
        # region file -> what fragments.fragment makes of it, made by Ahead
        self.fragments_ahead: dict[str, dict[str, Any] | None] = {}

    # -- shared pieces

    def _revision(self, revision: PlanRevision | None) -> str:
        if revision is None:
            return self.t["revision_none"]
        text = f"{revision.short} · {self.loc.date(revision.day)}"
        return f"{text} · {self.t['revision_dirty']}" if revision.dirty else text

    def href(self, node: Node, depth: int) -> str | None:
        """Link to a node's page from a page ``depth`` folders below the root, if it exists."""
        if self.single:
            return None
        if node.level is Level.REP and not self.peers:
            return None
        return "../" * depth + page_path(node.level, node.id)

    def link(self, node: Node, depth: int) -> Link:
        return Link(node.name, self.href(node, depth))

    def frame(self, title: str, depth: int, crumbs: Sequence[Node]) -> Frame:
        return Frame(
            lang=self.loc.html_lang,
            title=f"{title} · {self.site}" if title != self.site else title,
            site=self.site,
            home=None if self.single else "../" * depth + "index.html",
            crumbs=tuple(self.link(n, depth) for n in crumbs),
            revision=self.revision,
            generator=f"planc {__version__}",
        )

    def person_name(self, person_id: str) -> str:
        person = self.plan.people.get(person_id)
        return person.name if person is not None else person_id

    def metric_name(self, metric_id: str) -> str:
        metric = self.plan.metrics.get(metric_id)
        return metric.name if metric is not None else metric_id

    def value(self, metric: Metric | None, value: Decimal) -> str:
        return self.loc.value(value, metric.unit if metric is not None else "count")

    def _metrics(self, node: Node) -> list[tuple[Metric, Target]]:
        out = []
        for metric_id, target in node.targets.items():
            metric = self.plan.metrics.get(metric_id)
            if metric is not None:
                out.append((metric, target))
        out.sort(key=lambda pair: self.metric_order[pair[0].id])
        return out

    # -- targets

    def target(self, metric: Metric, target: Target) -> TargetView:
        # Not cached: each target is shown on one page only, and a cache of every
        # target's view held all of them until the last page (memory at 50,000 reps).
        loc = self.loc
        growth = growth_basis = None
        baseline = target.baseline
        if baseline is not None and not baseline[1].is_zero():
            change = percent_of(target.value - baseline[1], baseline[1])
            if metric.unit == "percent":  # a share grows in percentage points
                growth = loc.signed_value(target.value - baseline[1], "percent")
            elif change is not None:
                growth = loc.signed_percent(change)
            if growth is not None:
                growth_basis = (
                    self.t["vs_last_year"]
                    if target.last_year is not None
                    else self.t["vs_last_quarter"]
                )
        pillar = self.plan.pillars.get(target.pillar) if target.pillar else None
        return TargetView(
            metric=metric.name,
            unit=loc.unit_label(metric.unit, metric.scale),
            value=self.value(metric, target.value),
            stretch=None if target.stretch is None else self.value(metric, target.stretch),
            deadline=loc.date(target.deadline),
            last_quarter=None
            if target.last_quarter is None
            else self.value(metric, target.last_quarter),
            last_year=None if target.last_year is None else self.value(metric, target.last_year),
            growth=growth,
            growth_basis=growth_basis,
            cap=metric.is_cap,
            pillar=pillar.name if pillar is not None else None,
            note=target.note,
            progress=self.extras.progress(metric, target.node),
            gap=self.extras.gap(target.node, metric),
        )

    def targets(self, node: Node) -> tuple[TargetView, ...]:
        return tuple(self.target(m, t) for m, t in self._metrics(node))

    # -- charts

    def months_of(self, node: Node, metric: str) -> tuple[Decimal, ...] | None:
        """A node's monthly phasing: its own, else its children's added up (all must have one)."""
        target = node.targets.get(metric)
        if target is not None and target.months is not None:
            return target.months
        if not node.children:
            return None
        sums: list[Decimal] | None = None
        for child_id in node.children:
            child = self.plan.nodes.get(child_id)
            months = self.months_of(child, metric) if child is not None else None
            if months is None:
                return None
            if sums is None:
                sums = list(months)
            elif len(sums) != len(months):
                return None
            else:
                sums = [a + b for a, b in zip(sums, months, strict=True)]
        return None if sums is None else tuple(sums)

    def products_of(self, node: Node, metric: str) -> dict[str, Decimal] | None:
        """A node's product split: its own, else its children's added up (all must have one)."""
        target = node.targets.get(metric)
        if target is not None and target.products is not None:
            return dict(target.products)
        if not node.children:
            return None
        sums: dict[str, Decimal] = {}
        for child_id in node.children:
            child = self.plan.nodes.get(child_id)
            split = self.products_of(child, metric) if child is not None else None
            if split is None:
                return None
            for product, amount in split.items():
                sums[product] = sums.get(product, _ZERO) + amount
        return sums or None

    def month_charts(self, node: Node, *, derive: bool) -> tuple[MonthChart, ...]:
        charts: list[MonthChart] = []
        for metric in self.plan.metrics.values():
            if not metric.summed:
                continue
            target = node.targets.get(metric.id)
            months = target.months if target is not None else None
            derived = months is None and derive
            if derived:
                months = self.months_of(node, metric.id)
            if months and len(months) == len(self.plan.quarter.months):
                attained = self.extras.months(node.id, metric.id, len(months))
                charts.append(self.month_chart(metric, months, len(charts), derived, attained))
        return tuple(charts)

    def month_chart(
        self,
        metric: Metric,
        months: Sequence[Decimal],
        index: int,
        derived: bool,
        attained: Sequence[tuple[str, bool]] | None = None,
    ) -> MonthChart:
        loc = self.loc
        total = sum(months, _ZERO)
        peak = max(months)
        scale = Decimal(_BAR_SPACE) / peak if peak > 0 else _ZERO
        bars = []
        slots = _month_slots(len(months))
        for i, (amount, (_, month), (x, width, mid)) in enumerate(
            zip(months, self.plan.quarter.months, slots, strict=True)
        ):
            height = int((amount * scale).to_integral_value()) if peak > 0 else 0
            bars.append(
                Bar(
                    label=loc.month(month),
                    text=self.value(metric, amount),
                    short=loc.compact(amount),
                    share=loc.share(amount, total),
                    x=x,
                    y=_AXIS - height,
                    width=width,
                    height=height,
                    mid=mid,
                    top=_AXIS - height - 8,
                    attained=None if attained is None else attained[i][0],
                    partial=attained is not None and attained[i][1],
                )
            )
        return MonthChart(
            ident=f"months-{index}",
            metric=metric.name,
            derived=derived,
            total=self.value(metric, total),
            width=_CHART_WIDTH,
            height=_AXIS + 34,
            axis=_AXIS,
            label_y=_AXIS + 22,
            bars=tuple(bars),
            tracked=attained is not None,
        )

    def product_charts(self, node: Node, *, derive: bool) -> tuple[ProductChart, ...]:
        charts: list[ProductChart] = []
        for metric in self.plan.metrics.values():
            if not metric.summed:
                continue
            target = node.targets.get(metric.id)
            split = dict(target.products) if target and target.products else None
            derived = split is None and derive
            if derived:
                split = self.products_of(node, metric.id)
            if split:
                charts.append(self.product_chart(metric, split, len(charts), derived))
        return tuple(charts)

    def product_chart(
        self, metric: Metric, split: Mapping[str, Decimal], index: int, derived: bool
    ) -> ProductChart:
        row = 44
        order = {p: i for i, p in enumerate(self.plan.products)}
        items = sorted(split.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
        total = sum(split.values(), _ZERO)
        scale = Decimal(_CHART_WIDTH) / total if total > 0 else _ZERO
        rows = []
        for i, (product_id, amount) in enumerate(items):
            product = self.plan.products.get(product_id)
            rows.append(
                ProductRow(
                    name=product.name if product is not None else product_id,
                    key=product.key if product is not None else False,
                    text=self.value(metric, amount),
                    share=self.loc.share(amount, total),
                    y_text=row * i + 16,
                    y_bar=row * i + 24,
                    width=max(int((amount * scale).to_integral_value()), 0),
                )
            )
        return ProductChart(
            ident=f"products-{index}",
            metric=metric.name,
            derived=derived,
            total=self.value(metric, total),
            width=_CHART_WIDTH,
            height=row * len(rows),
            track=_CHART_WIDTH,
            rows=tuple(rows),
        )

    # -- splits

    def split(self, node: Node, depth: int) -> SplitTable | None:
        children = [self.plan.nodes[c] for c in node.children if c in self.plan.nodes]
        if not children:
            return None
        show_rows = self.peers or node.level is not Level.TEAM
        metric_ids = set(node.targets)
        for child in children:
            metric_ids.update(child.targets)
        metrics = sorted(
            (self.plan.metrics[m] for m in metric_ids if m in self.plan.metrics),
            key=lambda m: self.metric_order[m.id],
        )
        rows = []
        if show_rows:
            for child in children:
                cells = tuple(
                    self.value(m, child.targets[m.id].value) if m.id in child.targets else "—"
                    for m in metrics
                )
                progress = (
                    tuple(self.extras.cell(child.id, m.id) for m in metrics)
                    if self.extras.tracking
                    else ()
                )
                rows.append(SplitRow(self.link(child, depth), cells, progress, self.badges(child)))
            if self.extras.tracking and self.primary is not None:
                rows = self._by_attainment(children, rows, self.primary.id)
        totals, targets, overs = [], [], []
        for metric in metrics:
            values = [c.targets[metric.id] for c in children if metric.id in c.targets]
            own = node.targets.get(metric.id)
            targets.append(self.value(metric, own.value) if own is not None else "—")
            if not values or metric.rollup == "none":
                totals.append("—")
                overs.append("—")
                continue
            if metric.summed:
                total = sum((t.value for t in values), _ZERO)
                totals.append(self.value(metric, total))
                ratio = percent_of(total, own.value) if own is not None else None
                overs.append(
                    self.loc.signed_percent(ratio - _HUNDRED) if ratio is not None else "—"
                )
            else:
                mean = _mean(children, metric)
                places = 2 if metric.unit == "score" else 1
                # trailing zeros dropped: a mean of exactly 4.5 reads 4.5, as the target does
                shown = _drop_zeros(mean.quantize(Decimal(1).scaleb(-places)))
                totals.append(self.value(metric, shown))
                if own is None:
                    overs.append("—")
                else:
                    overs.append(self.loc.signed_value(mean - own.value, metric.unit, places))
        band = self.plan.policy.over_assignment
        return SplitTable(
            columns=tuple(m.name for m in metrics),
            rows=tuple(rows),
            total=tuple(totals),
            target=tuple(targets),
            over=tuple(overs),
            band=self.t["split_hint"].format(
                band=f"{self.loc.percent(band.min, 0)}{DASH}{self.loc.percent(band.max, 0)}"
            ),
        )

    def _by_attainment(
        self, children: Sequence[Node], rows: list[SplitRow], metric: str
    ) -> list[SplitRow]:
        """Rows in the order of the ranking: highest attainment first, unmeasured last."""

        def key(pair: tuple[Node, SplitRow]) -> tuple[bool, Decimal, str]:
            p = self.extras.of(pair[0].id, metric)
            attainment = None if p is None else p.attainment
            return (attainment is None, -(attainment or _ZERO), pair[0].name)

        return [row for _, row in sorted(zip(children, rows, strict=True), key=key)]

    # -- actions and adjustments

    def action(self, action: Action) -> ActionView:
        cached = self._action_views.get(action.id)
        if cached is not None:
            return cached
        metric = self.plan.metrics.get(action.supports)
        resources = []
        for resource in action.resources:
            amount = self.loc.money(resource.amount)
            text = f"{self.loc.resource(resource.kind)} {amount}"
            resources.append(f"{text} · {resource.note}" if resource.note else text)
        where = self.plan.nodes.get(action.node)
        view = ActionView(
            what=action.what,
            due=self.loc.date(action.due),
            supports=metric.name if metric is not None else action.supports,
            owner=self.person_name(action.owner),
            where=where.name if where is not None else action.node,
            resources=tuple(resources),
        )
        self._action_views[action.id] = view
        return view

    def adjustments(self, node: Node) -> tuple[AdjustmentView, ...]:
        """Adjustments that change this node or anything below it (only its own, for a rep)."""
        grouped: dict[int, list[Change]] = {}
        for index, change in self.changes_under.get(node.id, ()):
            grouped.setdefault(index, []).append(change)
        views = []
        for index in sorted(grouped):
            adjustment = self.plan.adjustments[index]
            changes = grouped[index]
            shown = [c for c in changes if self._may_show_change(node, c)]
            hidden = len(changes) - len(shown)
            if not shown:
                continue
            views.append(self.adjustment(adjustment, shown, hidden, node.level is Level.REP))
        return tuple(views)

    def _may_show_change(self, page: Node, change: Change) -> bool:
        if page.level is Level.REP or self.peers:
            return True
        changed = self.plan.nodes.get(change.node)
        return changed is None or changed.level is not Level.REP

    def adjustment(
        self, adjustment: Adjustment, changes: list[Change], hidden: int, own: bool
    ) -> AdjustmentView:
        views = []
        for change in changes:
            metric = self.plan.metrics.get(change.metric)
            node = self.plan.nodes.get(change.node)
            name = self.metric_name(change.metric)
            target = name if own else f"{node.name if node else change.node} · {name}"
            before = "—" if change.before is None else self.value(metric, change.before)
            delta = ""
            if change.before is not None:
                diff = change.after - change.before
                delta = ("+" if diff >= 0 else MINUS) + self.value(metric, diff.copy_abs())
            views.append(ChangeView(target, before, self.value(metric, change.after), delta))
        return AdjustmentView(
            id=adjustment.id,
            decided=self.loc.date(adjustment.decided),
            effective=self.loc.date(adjustment.effective),
            cause=self.loc.cause(adjustment.cause),
            note=adjustment.note,
            approved_by=self.loc.join([self.person_name(p) for p in adjustment.approved_by]),
            changes=tuple(views),
            hidden=(f"{hidden} {self.t['adjustments_hidden']}" if hidden else None),
        )

    # -- pages

    def index(self) -> IndexPage:
        if self.given_index is not None:
            return self.given_index
        plan, loc, t = self.plan, self.loc, self.t
        quarter = plan.quarter
        facts = [
            Fact(t["quarter"], quarter.name),
            Fact(t["dates"], f"{loc.date(quarter.start)} {DASH} {loc.date(quarter.end)}"),
        ]
        if quarter.fiscal_year:
            facts.append(Fact(t["fiscal_year"], quarter.fiscal_year))
        facts.append(Fact(t["owner"], self.person_name(self.company.owner)))
        # Information (PLC310, a bottom-up gap) is shown beside its target, not as a warning.
        warnings = tuple(
            self.warning(d) for d in self.result.diagnostics if d.severity is not Severity.INFO
        )
        facts.append(Fact(t["reps_count"], loc.number(Decimal(self.reps_count()))))
        facts.append(Fact(t["revision"], self.revision))
        status = t["checks_ok"]
        if warnings:
            status = t["checks_warn"].format(count=loc.count(len(warnings), "warnings"))
        early = self.early_warnings()
        early_status = None
        if self.extras.tracking:
            early_status = t["early_status"].format(count=loc.count(len(early), "early_warnings"))
        pillars = []
        for pillar in plan.pillars.values():
            serving = [m.name for m in plan.metrics.values() if m.pillar == pillar.id]
            pillars.append(PillarView(pillar.name, pillar.description, loc.join(serving)))
        return IndexPage(
            frame=self.frame(self.site, 0, ()),
            heading=self.site,
            facts=tuple(facts),
            status=status,
            recon_ok=t["reconciliation_ok"],
            recon=self.reconciliation(),
            warnings=warnings,
            targets=self.targets(self.company),
            pillars=tuple(pillars),
            split=self.split(self.company, 0),
            months=self.month_charts(self.company, derive=True),
            products=self.product_charts(self.company, derive=True),
            tree=tuple(self.tree(plan.nodes[r]) for r in self.company.children if r in plan.nodes),
            legend=t["tree_legend"].format(metric=self.primary.name if self.primary else ""),
            peers_note=None if self.peers else t["peers_hidden"],
            adjustments=self.adjustments(self.company),
            progress_note=self.progress_note,
            early=early,
            early_status=early_status,
        )

    def early_warnings(self) -> tuple[EarlyWarningView, ...]:
        """planc track's warnings on every target, top-down, each linked to its page."""
        if not self.extras.tracking:  # no actuals, no warning: not a walk over every target
            return ()
        out = []
        for node in self.plan.walk():
            for metric, _ in self._metrics(node):
                note = self.extras.warning(metric, node.id)
                if note is not None:
                    out.append(EarlyWarningView(self.link(node, 0), metric.name, note))
        return tuple(out)

    def warning(self, diagnostic: Diagnostic) -> WarningView:
        span = diagnostic.span
        where = ""
        if span is not None:
            prefix = self.result.label.rstrip("/") + "/"
            path = span.path[len(prefix) :] if span.path.startswith(prefix) else span.path
            where = f"{path}:{span.line}:{span.col}"
        # the message from the plan's catalog when the check made it as data (Message)
        words = Words(self.loc)
        english = not words.translates(diagnostic) and not self.loc.tag.startswith("en")
        return WarningView(
            diagnostic.code,
            where,
            words.message(diagnostic),
            words.hint(diagnostic),
            "en" if english else None,
        )

    def reps_count(self) -> int:
        """The reps the index counts (every rep node of the plan)."""
        return sum(1 for n in self.plan.nodes.values() if n.level is Level.REP)

    def over_range(self, metric: Metric) -> tuple[int, Decimal, Decimal] | None:
        """How many splits of ``metric`` there are (a node with a target and children), and
        the least and the most its children's targets add up over its own, in percent: what
        the index's reconciliation shows. None: no such split."""
        return over_range(split_overs(self.plan, self.plan.nodes.values(), metric))

    def reconciliation(self) -> tuple[ReconRow, ...]:
        plan, loc = self.plan, self.loc
        band = plan.policy.over_assignment
        rows = []
        for metric in plan.metrics.values():
            if not metric.summed:
                continue
            found = self.over_range(metric)
            if found is None:
                continue
            count, lowest, highest = found
            allowed = (
                f"≤ {loc.percent(_ZERO, 0)}"
                if metric.is_cap
                else f"{loc.percent(band.min, 0)} {DASH} {loc.percent(band.max, 0)}"
            )
            rows.append(
                ReconRow(
                    metric=metric.name,
                    splits=loc.number(Decimal(count)),
                    lowest=loc.signed_percent(lowest),
                    highest=loc.signed_percent(highest),
                    band=allowed,
                )
            )
        return tuple(rows)

    def tree(self, node: Node) -> TreeNode:
        value = over = None
        primary = self.primary
        show_numbers = self.peers or node.level is not Level.REP
        if primary is not None and show_numbers and primary.id in node.targets:
            own = node.targets[primary.id]
            value = self.value(primary, own.value)
            values = [
                self.plan.nodes[c].targets[primary.id].value
                for c in node.children
                if c in self.plan.nodes and primary.id in self.plan.nodes[c].targets
            ]
            ratio = percent_of(sum(values, _ZERO), own.value) if values else None
            if ratio is not None and ratio != _HUNDRED:
                # labelled: a bare "+2.0%" beside a node reads like attainment
                key = "over_assigned" if ratio > _HUNDRED else "under_assigned"
                size = (ratio - _HUNDRED).copy_abs()
                # one decimal, unless that would print a difference as 0.0%
                pct = (
                    self.loc.percent(size)
                    if size >= Decimal("0.05")
                    else self.loc.exact_percent(size)
                )
                over = self.t[key].format(pct=pct)
        children = tuple(
            self.tree(self.plan.nodes[c]) for c in node.children if c in self.plan.nodes
        )
        return TreeNode(self.link(node, 0), self.person_name(node.owner), value, over, children)

    def node_page(self, node: Node) -> NodePage:
        t = self.t
        crumbs = list(self.plan.ancestors(node.id))[::-1]
        owner = self.plan.people.get(node.owner)
        facts = [Fact(t["owner"], self.person_name(node.owner), note=_role(self.loc, owner))]
        if node.parent and node.parent in self.plan.nodes:
            parent = self.plan.nodes[node.parent]
            label = t["region"] if parent.level is Level.REGION else t["company"]
            facts.append(Fact(label, parent.name, self.href(parent, 1)))
        if node.budget:
            budget = self.loc.join(
                [f"{self.loc.resource(k)} {self.loc.money(v)}" for k, v in node.budget.items()]
            )
            facts.append(Fact(t["budget"], budget))
        kind = t["region"] if node.level is Level.REGION else t["team"]
        split_title = t["split_teams"] if node.level is Level.REGION else t["split_reps"]
        actions = tuple(self.action(a) for a in self.actions_at.get(node.id, ()))
        return NodePage(
            frame=self.frame(node.name, 1, crumbs[:-1]),
            kind=kind,
            heading=node.name,
            facts=tuple(facts),
            targets=self.targets(node),
            split=self.split(node, 1),
            split_title=split_title,
            peers_note=None if self.peers or node.level is not Level.TEAM else t["peers_hidden"],
            months=self.month_charts(node, derive=True),
            products=self.product_charts(node, derive=True),
            actions=actions,
            adjustments=self.adjustments(node),
            progress_note=self.progress_note,
            ranking=self.ranking(node),
            product_actuals=self.extras.product_actuals(
                node.id, lambda metric: self.products_of(node, metric), rep=False
            ),
        )

    def ranking(self, node: Node) -> Ranking | None:
        """The level below ranked by attainment of the primary metric (with --actuals)."""
        metric = self.primary
        if metric is None or not self.extras.tracking:
            return None
        if node.level is Level.TEAM and not self.peers:
            return None
        total = self._rank_row(node, metric, "", depth=1, own=True)
        if total is None:
            return None
        ranked = []
        for child_id in node.children:
            child = self.plan.nodes.get(child_id)
            row = self._rank_row(child, metric, "", depth=1) if child is not None else None
            p = self.extras.of(child_id, metric.id)
            if row is not None and p is not None:
                ranked.append((p, row))
        # highest attainment first; a target not measured yet goes last; ties by name
        ranked.sort(
            key=lambda pr: (pr[0].attainment is None, -(pr[0].attainment or _ZERO), pr[1].link.text)
        )
        rows = tuple(
            replace(row, rank=self.loc.number(Decimal(i + 1))) for i, (_, row) in enumerate(ranked)
        )
        return Ranking(metric.name, rows, total)

    def _rank_row(
        self, node: Node, metric: Metric, rank: str, *, depth: int, own: bool = False
    ) -> RankRow | None:
        p = self.extras.of(node.id, metric.id)
        if p is None:
            return None
        loc, extras = self.loc, self.extras
        scale = max(p.target, p.attained or _ZERO, p.pace)

        def pct(value: Decimal) -> int:
            return 0 if scale <= 0 else min(100, int(value * 100 / scale))

        view = extras.progress(metric, node.id)
        assert view is not None  # p exists
        return RankRow(
            rank=rank,
            link=Link(node.name, None) if own else self.link(node, depth),
            badges=() if own else self.badges(node),
            attained=view.attained,
            target=view.target,
            attainment="—" if p.attainment is None else loc.percent(p.attainment),
            of_pace=view.of_pace,
            forecast=view.forecast,
            status=view.status,
            state=view.state,
            fill=pct(p.attained or _ZERO),
            pace=min(99, pct(p.pace)),
        )

    def badges(self, node: Node) -> tuple[str, ...]:
        """A rep who is ramping up this quarter, or who leaves during it."""
        person = self.plan.people.get(node.id) if node.level is Level.REP else None
        if person is None:
            return ()
        out = []
        if self.ramp(person) is not None:
            out.append(self.t["badge_ramping"])
        quarter = self.plan.quarter
        if person.end is not None and person.end <= quarter.end:
            out.append(self.t["badge_leaves"].format(date=self.loc.date(person.end)))
        return tuple(out)

    def rep_page(self, node: Node) -> RepPage:
        plan, loc, t = self.plan, self.loc, self.t
        depth = 0 if self.single else 1
        person = plan.people.get(node.id)
        crumbs = list(plan.ancestors(node.id))[::-1][:-1]
        facts: list[Fact] = []
        role = _role(loc, person)
        if person is not None:
            facts.append(Fact(t["role"], role or ""))
        manager = plan.managers.get(node.id)
        if manager is not None:
            facts.append(
                Fact(
                    t["manager"],
                    self.person_name(manager),
                    note=_role(loc, plan.people.get(manager)),
                )
            )
        team = plan.nodes.get(node.parent) if node.parent else None
        if team is not None:
            facts.append(Fact(t["team"], team.name, self.href(team, depth)))
            region = plan.nodes.get(team.parent) if team.parent else None
            if region is not None:
                facts.append(Fact(t["region"], region.name, self.href(region, depth)))
        if person is not None:
            if person.start is not None:
                facts.append(Fact(t["start"], loc.date(person.start)))
            ramp = self.ramp(person)
            if ramp is not None:
                facts.append(Fact(t["ramp"], ramp, note=t["ramp_text"]))
            if person.end is not None:
                facts.append(Fact(t["last_day"], loc.date(person.end)))
            if person.email:
                facts.append(Fact(t["email"], person.email, f"mailto:{person.email}", wide=True))
        # "My actions" holds what the rep owns; an action at the rep's node that someone
        # else owns (a manager's coaching) is shown with the team's and region's
        mine = list(self.actions_of.get(node.id, ()))
        mine_ids = {a.id for a in mine}
        mine.sort(key=lambda a: (a.due, a.id))
        shared = [
            a
            for n in plan.ancestors(node.id)
            for a in self.actions_at.get(n.id, ())
            if a.id not in mine_ids
        ]
        shared.sort(key=lambda a: (a.due, a.id))
        definitions = tuple(
            Fact(m.name, m.definition) for m, _ in self._metrics(node) if m.definition
        )
        subtitle_parts = [
            p for p in (person.title if person else None, team.name if team else None) if p
        ]
        return RepPage(
            frame=self.frame(node.name, depth, crumbs),
            heading=node.name,
            subtitle=" · ".join([*subtitle_parts, plan.quarter.name]),
            facts=tuple(facts),
            targets=self.targets(node),
            months=self.month_charts(node, derive=False),
            products=self.product_charts(node, derive=False),
            actions_mine=tuple(self.action(a) for a in mine),
            actions_shared=tuple(self.action(a) for a in shared),
            adjustments=self.adjustments(node),
            definitions=definitions,
            progress_note=self.progress_note,
            pace=self.pace_charts(node),
            product_actuals=self.extras.product_actuals(
                node.id, lambda metric: self.products_of(node, metric), rep=True
            ),
        )

    def pace_charts(self, node: Node) -> tuple[PaceChart, ...]:
        charts: list[PaceChart] = []
        for metric, _ in self._metrics(node):
            chart = self.extras.pace_chart(metric, node.id, len(charts))
            if chart is not None:
                charts.append(chart)
        return tuple(charts)

    def ramp(self, person: Person) -> str | None:
        """``Jan 0% · Feb 50% · Mar 75%`` while a new hire ramps this quarter, else None."""
        if person.start is None:
            return None
        ramp = self.plan.policy.ramp
        first_year, first_month = self.plan.quarter.months[0]
        tenure = (first_year - person.start.year) * 12 + (first_month - person.start.month)
        if tenure >= len(ramp) - 1 and ramp[-1] >= _HUNDRED:
            return None  # a full quota all quarter: most reps, so decided before any formatting
        parts, ramping = [], False
        for year, month in self.plan.quarter.months:
            tenure = (year - person.start.year) * 12 + (month - person.start.month)
            factor = _ZERO if tenure < 0 else ramp[min(tenure, len(ramp) - 1)]
            ramping = ramping or factor < _HUNDRED
            parts.append(f"{self.loc.month(month)} {self.loc.percent(factor, 0)}")
        return " · ".join(parts) if ramping else None

    # -- the whole site

    def pages(self) -> Iterator[Page]:
        for spec in self.specs():
            yield Page(spec.path, spec.template, self.context(spec))

    def specs(self) -> Iterator[_Spec]:
        """Every page of the site, before its view model is built."""
        plan = self.plan
        if self.options.rep is not None:
            yield _Spec("index.html", "rep.html.j2", plan.nodes[self.options.rep])
            return
        yield _Spec("index.html", "index.html.j2", None)
        for node in plan.walk():
            if node.level in (Level.REGION, Level.TEAM):
                yield _Spec(page_path(node.level, node.id), "node.html.j2", node)
            elif node.level is Level.REP and self.peers:
                yield _Spec(page_path(node.level, node.id), "rep.html.j2", node)

    def context(self, spec: _Spec) -> Mapping[str, Any]:
        node = spec.node
        if spec.file is not None:  # kept (render_site checked it was): never here
            raise _NeedWhole(f"{spec.path}, a page of {spec.file}, was to be rendered")
        if node is None:
            return {"page": self.index(), "t": self.t}
        if node.level is Level.REP:
            return {"page": self.rep_page(node), "t": self.t}
        return {"page": self.node_page(node), "t": self.t}

    def keys(self) -> PageKeys:
        """What each page is made of, to keep a page of the last render (see planc.site.reuse)."""
        if self._keys is None:
            every = (self.options, self.revision, self.progress_note, self.extras.actuals)
            self._keys = PageKeys(
                self.plan,
                context=every,
                gaps=self.extras.gaps,
                actions_at=self.actions_at,
                actions_of=self.actions_of,
                changes_under=self.changes_under,
            )
        return self._keys

    def key(self, keys: PageKeys, spec: _Spec) -> str | None:
        """The page's key; None for a page that reads the whole plan (the index, one brief)."""
        node = spec.node
        if node is None or self.single:
            return None  # (a page of a file left out has its key from the record)
        if keys is self._keys and spec.path in self.keys_ahead:
            return self.keys_ahead[spec.path]
        if node.level is Level.REP:
            return keys.rep(spec.path, node)
        return keys.node(spec.path, node)


@dataclass(frozen=True, slots=True)
class _Spec:
    """A page before its view model: where it goes, its template, its node (None: the index,
    or a page of ``file``, a region file left out of the model: kept, never rendered)."""

    path: str
    template: str
    node: Node | None
    file: str | None = None


def split_overs(plan: Plan, nodes: Iterable[Node], metric: Metric) -> list[Decimal]:
    """Of ``nodes``, each one with a target of ``metric`` and children: how far its
    children's targets add up over its own, in percent (see :meth:`_Views.overs`)."""
    overs: list[Decimal] = []
    for node in nodes:
        own = node.targets.get(metric.id)
        if own is None or not node.children:
            continue
        values = [
            plan.nodes[c].targets[metric.id].value
            for c in node.children
            if c in plan.nodes and metric.id in plan.nodes[c].targets
        ]
        ratio = percent_of(sum(values, _ZERO), own.value) if values else None
        if ratio is not None:
            overs.append(ratio - _HUNDRED)
    return overs


def over_range(overs: Sequence[Decimal]) -> tuple[int, Decimal, Decimal] | None:
    """How many, the least and the most of ``overs``; None for none."""
    return (len(overs), min(overs), max(overs)) if overs else None


def _drop_zeros(value: Decimal) -> Decimal:
    """``4.50`` → ``4.5``, ``45.0`` → ``45``; never into an exponent (``1E+2``)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _role(loc: Locale, person: Person | None) -> str | None:
    if person is None:
        return None
    role = loc.role(person.role)
    return f"{person.title} · {role}" if person.title and person.title != role else role


def _primary_metric(plan: Plan) -> Metric | None:
    """The headline metric of the org tree: the first summed currency metric that is no cap."""
    metrics = list(plan.metrics.values())
    for metric in metrics:
        if metric.summed and metric.unit == "currency" and not metric.is_cap:
            return metric
    for metric in metrics:
        if metric.summed and not metric.is_cap:
            return metric
    return metrics[0] if metrics else None


def _mean(children: Iterable[Node], metric: Metric) -> Decimal:
    pairs = [(c, c.targets[metric.id]) for c in children if metric.id in c.targets]
    values = [t.value for _, t in pairs]
    if metric.rollup == "weighted_mean" and metric.weight is not None:
        weights = [
            c.targets[metric.weight].value if metric.weight in c.targets else None for c, _ in pairs
        ]
        known = [w for w in weights if w is not None]
        total = sum(known, _ZERO)
        if len(known) == len(weights) and total > 0:
            return sum((v * w for v, w in zip(values, known, strict=True)), _ZERO) / total
    return sum(values, _ZERO) / len(values)


# --------------------------------------------------------------------------- rendering


@cache
def environment() -> jinja2.Environment:
    """The one Jinja2 environment: templates/ from the checkout or the wheel, strict, escaped;
    compiled ahead of time where that was done from them as they are (planc.site.templating)."""
    folder = data_dir("templates")
    env = jinja2.Environment(loader=template_loader(folder), **OPTIONS)
    css = _compact_css((folder / "site.css").read_text(encoding="utf-8"))
    if "</" in css:  # it is inlined into <style>: it must not be able to close it
        raise ValueError("templates/site.css must not contain '</'")
    env.globals["css"] = Markup(css)
    return env


def prepare() -> None:
    """Compile the page templates and hash planc's code now, as a render will.

    Neither depends on the plan: ``planc render`` does it while it waits for the
    check (:func:`planc.site.checked.check_for_render`), so a CPU that would wait
    does it instead of the render after the check.
    """
    env = environment()
    # the pages, and what they extend and import (loaded when a page is first rendered:
    # compiled at run time, after a template was edited, the macros alone take a tenth
    # of a second, in every forked child that renders a page too when they are not
    # loaded before it is forked; compiled ahead, a few milliseconds)
    for name in _TEMPLATES:
        env.get_template(name)
    code_digest()


# Not the index's: one process renders it (mostly a forked child, beside the pages' keys),
# and compiling it there keeps 0.04 s off the parent.
_TEMPLATES = (
    "node.html.j2",
    "rep.html.j2",
    "base.html.j2",
    "_macros.html.j2",
    "_product_actuals.html.j2",
)


class Ahead:
    """The views of a model of some files (a render again) and its pages' keys, made while
    the partitioned check finishes on the other CPU (``ahead`` of
    :func:`planc.site.checked.check_for_render`).

    The keys read the model only (never the diagnostics: the index, which shows them,
    has no key), so they are those :func:`render_site` would make of the same model;
    it takes the views only for that very result (:meth:`views_for`), else they are
    dropped. The fragments of the model's region files (what the next render's index
    reads of them, :mod:`planc.site.fragments`) are made here too: they read the model
    only, and once the pages are written the render only records them (a fragment is
    recorded for a plan without diagnostics: :func:`_record_fragments` asks that of the
    result it renders). The revision is read here too (git, off the critical path).
    """

    def __init__(self, options: RenderOptions, revision: Callable[[], PlanRevision | None]) -> None:
        self.options = options
        self._revision = revision
        self.revision: PlanRevision | None = None
        self.read = False  # whether the revision was read
        self.views: _Views | None = None

    def __call__(self, built: CheckResult) -> None:
        self.revision, self.read = self._revision(), True
        if self.options.rep is not None or built.plan is None or built.diagnostics:
            return
        views = _views(built, self.options, self.revision, None)
        keys = views.keys()
        views.keys_ahead = {
            spec.path: views.key(keys, spec) for spec in views.specs() if spec.node is not None
        }
        views.fragments_ahead = _fragments_of(views)
        self.views = views

    def views_for(self, result: CheckResult, options: RenderOptions) -> _Views | None:
        """The views made ahead, if of ``result`` itself and the same options."""
        views = self.views
        if views is None or views.result is not result or views.plan is not result.plan:
            return None
        return views if views.options == options else None


def _fragments_of(views: _Views) -> dict[str, dict[str, Any] | None]:
    """What :func:`planc.site.fragments.fragment` makes of each region file of the model."""
    from planc.site.fragments import fragment, node_counts  # noqa: PLC0415 - builds on this

    plan = views.plan
    quarter = views.company.loc.file
    counts = node_counts(plan)
    return {path: fragment(views, path, counts) for path in counts if path != quarter}


def _compact_css(css: str) -> str:
    """The stylesheet without comments and layout whitespace: it is repeated in every page."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
    css = re.sub(r"\s+", " ", css)
    css = re.sub(r"\s*([{};])\s*", r"\1", css)
    return css.replace(";}", "}").strip() + "\n"


def build_pages(
    result: CheckResult,
    options: RenderOptions,
    revision: PlanRevision | None = None,
    actuals: SiteActuals | None = None,
) -> Iterator[Page]:
    """Every page of the site with its view model, lazily (the benchmark's floor reuses them).

    ``actuals`` (from :func:`planc.site.progress.load_site_actuals`) puts each target's
    progress beside it.
    """
    return _views(result, options, revision, actuals).pages()


def _views(
    result: CheckResult,
    options: RenderOptions,
    revision: PlanRevision | None,
    actuals: SiteActuals | None,
) -> _Views:
    plan = result.plan
    if plan is None:
        raise ValueError("render needs a plan that was built")
    if options.rep is not None:
        node = plan.nodes.get(options.rep)
        if node is None or node.level is not Level.REP:
            raise SiteError(_unknown_rep(plan, options.rep))
    return _Views(result, options, revision, actuals)


def _unknown_rep(plan: Plan, rep: str) -> str:
    node = plan.nodes.get(rep)
    if node is not None:
        return f"--rep {rep}: {rep} is a {node.level.label}, not a rep"
    reps = sorted(n.id for n in plan.nodes.values() if n.level is Level.REP)
    guess = closest(rep, reps)
    hint = f"did you mean {guess}?" if guess else f"reps include {', '.join(reps[:5])}"
    return f"--rep {rep}: no rep with that id in this plan; {hint}"


def render_page(page: Page) -> str:
    return environment().get_template(page.template).render(page.context)


def render_site(
    result: CheckResult,
    out: Path,
    options: RenderOptions | None = None,
    revision: PlanRevision | None = None,
    actuals: SiteActuals | None = None,
    *,
    records: RecordStore | None = None,
    vouched: bool = False,
    begun: Begun | None = None,
    skipping: Skipping | None = None,
    release: bool = False,
    ahead: Ahead | None = None,
) -> RenderReport:
    """Render a checked plan into ``out``: build beside it, then swap the new folder in.

    With ``records`` (planc's cache), what this render wrote is remembered, and
    the next render of ``out`` keeps every page whose key is unchanged and whose
    file still holds the bytes planc wrote (see :mod:`planc.site.reuse`).
    ``vouched``: the partitioned check vouched for the plan
    (:func:`planc.site.checked.vouched`), so pages of an unchanged region file
    take their keys from the record. ``begun``: what :func:`begin_render` started
    before the plan was checked (the old pages linked and checked meanwhile).
    ``release``: the caller reads the plan files' bytes no more (``result.sources``):
    they are released (:meth:`~planc.core.source.SourceFile.release`) once the
    region keys are made, before any page is rendered or worker forked.
    ``skipping``: what :func:`planc.site.checked.check_for_render` left out of the
    model (the plan is then a model of the other files): the pages of the files left
    out are kept and the index takes them from their fragments
    (:mod:`planc.site.fragments`); anything that does not hold — a fragment or
    page missing, an old page not as recorded, a key changed — and the site is
    rendered from the whole model, which reads the plan files' bytes again: a
    render that left files out releases nothing. ``ahead``: the views and keys made
    while the plan's check finished (:class:`Ahead`), used if they are of ``result``
    with these options and ``revision``, without actuals.
    """
    options = options or RenderOptions()
    partial = skipping is not None and bool(skipping.skipped)
    if partial and skipping is not None and (actuals is not None or options.rep is not None):
        result = _whole(skipping, "a single brief or actuals")
        partial = False
    views = ahead.views_for(result, options) if ahead is not None else None
    if views is None or actuals is not None or ahead is None or ahead.revision != revision:
        views = _views(result, options, revision, actuals)
    if skipping is not None:  # the files' digests taken by the check, of the same bytes
        views.file_digests.update(skipping.digests)
    listed = _check_out(out)
    with gc_paused(freeze=True):  # a command's last big step: see planc.core.memory
        # what exists now lives until the end: frozen, the collections between pages
        # (see _render_share) look only at what the pages make
        gc.freeze()
        if partial and skipping is not None:
            try:
                return _render_into(views, out, listed, records, vouched, begun, skipping)
            except _NeedWhole as why:
                views = _views(_whole(skipping, str(why)), options, revision, actuals)
                views.file_digests.update(skipping.digests)
                gc.freeze()
                if begun is not None and begun.taken:
                    begun = None
        return _render_into(
            views, out, listed, records, vouched, begun, release=release and not partial
        )


def _whole(skipping: Skipping, why: str) -> CheckResult:
    """The whole model, for a render that cannot use the model of some files it was given."""
    skipping.why = why
    if skipping.whole is None:
        raise ValueError("a model of some files without the means to build the whole")
    skipping.skipped = []
    return skipping.whole()


def _render_into(
    views: _Views,
    out: Path,
    listed: list[str] | None,
    records: RecordStore | None,
    vouched: bool = False,
    begun: Begun | None = None,
    skipping: Skipping | None = None,
    release: bool = False,
) -> RenderReport:
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(out)
    specs = list(views.specs())
    keys = views.keys() if records is not None and not views.single else None
    record = _record_name(out)
    # pages of the files left out of the model, and the region keys made for them
    regions, left, given = _left_out(views, keys, records, vouched, begun, skipping, specs)
    specs += left
    mode = new_file_mode()
    index: dict[str, tuple[str, str]] = {}
    building, linked, claim = _new_folder(out, listed, mode, begun if keys is not None else None)
    if begun is not None and linked is None:
        begun.close()
    # the record the linked pages were checked against (read once, when the render began)
    taken = begun.recorded if begun is not None and linked is not None else None
    early: _Early | None = None
    try:
        with claim:
            _make_folders(building, specs)
            # the index first: its child renders it while the keys are sorted out here
            # (an index to make from fragments: files were left out, so there are keys)
            early = _Early(views, specs, building, given) if keys is not None else None
            previous, regions, known = _recorded(
                views, specs, keys, records, record, listed, vouched, taken, regions, release
            )
            old_pages = set(listed or ())
            _check_left(left, previous, known, linked, old_pages)
            todo: list[tuple[_Spec, str | None]] = []
            sorting = _Sorting(
                views, keys, specs, previous, known, old_pages, str(out), building, mode, linked
            )
            for spec, (key, kept) in zip(specs, _sort_out(sorting), strict=True):
                if kept:
                    index[spec.path] = previous[spec.path]
                elif early is None or spec.path not in early.paths:
                    todo.append((spec, key))
            if linked is not None:  # linked early but not kept: another key, or no such page
                for path in linked.keys() - index.keys():
                    _inside(building, path).unlink()
            digests = _render_pages(views, [spec for spec, _ in todo], building, keys is not None)
            rendered = len(todo)
            if early is not None:
                rendered += early.finish()
            for spec, key in todo:
                if key is not None:
                    index[spec.path] = (key, digests[spec.path])
            written = _finish(building, specs, out, listed)
    except BaseException:
        if early is not None:  # the index's child may still be writing into ``building``
            early.abandon()
        shutil.rmtree(building, ignore_errors=True)
        raise
    if records is not None and keys is not None:
        skipped = skipping.skipped if skipping is not None else []
        files = _record_fragments(views, specs, records, regions, skipped)
        named = _named(views) if files else {}
        records.put_record(record, index_record(index, regions, files, named))
    return RenderReport(out, len(written), out / "index.html", len(specs) - rendered)


def _finish(building: Path, specs: list[_Spec], out: Path, listed: list[str] | None) -> list[str]:
    """The manifest written, the folder swapped in as the site; the pages, sorted."""
    written = sorted(spec.path for spec in specs)
    manifest = _MARKER_HEADER + "".join(f"{name}\n" for name in written)
    _write_new(building / SITE_MARKER, manifest.encode("utf-8"))
    # the folder becomes the site: the marker of work in progress must not go with it
    (building / _BUILDING).unlink()
    _swap(building, out, listed)
    return written


_GivenIndex = Callable[[], IndexPage | None]


def _left_out(
    views: _Views,
    keys: PageKeys | None,
    records: RecordStore | None,
    vouched: bool,
    begun: Begun | None,
    skipping: Skipping | None,
    specs: list[_Spec],
) -> tuple[dict[str, str] | None, list[_Spec], _GivenIndex | None]:
    """The region keys (the files left out keyed too), the pages of the files left out,
    from the records under their region keys, and what makes the index from their
    fragments (:func:`_give_index`: where it is rendered, see :class:`_Early`);
    :class:`_NeedWhole` where any of it is missing or not the same. (None, [], None)
    where nothing was left out."""
    from planc.site.fragments import index_page  # noqa: PLC0415 - it builds on this module

    if skipping is None:
        return None, [], None
    if keys is None or records is None or not vouched or begun is None:
        raise _NeedWhole("no record, no partition or no old pages checked")
    paths = {spec.path for spec in specs}

    sources = {path: source.data for path, source in views.result.sources.items()}
    regions = keys.regions(sources, also=skipping.skipped, digests=views.file_digests)
    recorded = regions_from(skipping.recorded)
    made: dict[str, Any] = {}
    listed: dict[str, list[str]] = {}
    left: list[_Spec] = []
    for path in skipping.skipped:
        key = regions.get(path)
        if key is None or recorded.get(path) != key:
            raise _NeedWhole(f"{path}'s region key changed")
        found = fragment_from(records.get_record(fragment_name(key)), path, key)
        if found is None:
            raise _NeedWhole(f"no fragment of {path}")
        listed[path], made[path] = found
        for name in listed[path]:
            match = _PAGE_PATH.fullmatch(name)
            if match is None or name == "index.html" or name in paths:
                raise _NeedWhole(f"{path} has a page {name!r}")
            paths.add(name)
            template = "rep.html.j2" if name.startswith("reps/") else "node.html.j2"
            left.append(_Spec(name, template, None, path))
    order = skipping.order

    def given() -> IndexPage | None:
        return index_page(views, order, made, listed)

    return regions, left, given


_CANNOT_STAND = "the fragments cannot stand for their files"


def _give_index(views: _Views, given: _GivenIndex | None) -> bool:
    """The index made from the fragments set on ``views`` (nothing to do without
    ``given``); whether it could be made (else the site is rendered from the whole model)."""
    if given is None:
        return True
    views.given_index = given()
    return views.given_index is not None


def _check_left(
    left: list[_Spec],
    previous: Mapping[str, tuple[str, str]],
    known: Mapping[str, str],
    linked: Mapping[str, str] | None,
    old_pages: set[str],
) -> None:
    """Every page of a file left out is kept: the old page, with the key the record gives
    it, linked by :func:`begin_render` holding the bytes recorded; :class:`_NeedWhole` if not."""
    for spec in left:
        last = previous.get(spec.path)
        if (
            last is None
            or linked is None
            or known.get(spec.path) != last[0]
            or linked.get(spec.path) != last[1]
            or spec.path not in old_pages
        ):
            raise _NeedWhole(f"{spec.path} is not the page recorded")


def _named(views: _Views) -> dict[str, str]:
    """The region files defining what the quarter file names, and the SHA-256 of each
    (:func:`planc.site.checked.check_for_render` leaves no file out when one changed)."""
    plan, sources = views.plan, views.result.sources
    quarter = plan.nodes[plan.company].loc.file
    tables: dict[str, Mapping[str, Any]] = {"person": plan.people, "node": plan.nodes}
    named: dict[str, str] = {}
    for kind, ident in quarter_names(plan, quarter):
        found = tables[kind].get(ident) if kind in tables else None
        path = None if found is None else found.loc.file
        if path is not None and path != quarter and path in sources:
            named[path] = _file_digest(views, path)
    return named


def _file_digest(views: _Views, path: str) -> str:
    """The SHA-256 of a plan file's bytes, as taken before a release if there was one."""
    known = views.file_digests.get(path)
    return known if known is not None else file_digest(views.result.sources[path].data)


def _record_fragments(
    views: _Views,
    specs: list[_Spec],
    records: RecordStore,
    regions: Mapping[str, str],
    skipped: Sequence[str],
) -> dict[str, str]:
    """The fragment and pages of each region file with a region key, recorded under it
    (the files left out of the model have theirs already), for a clean plan without
    actuals; the files whose fragments are recorded, and the quarter file (path -> SHA-256
    of its bytes: a render again leaves out the region files whose bytes are these)."""
    from planc.site.fragments import fragment, node_counts  # noqa: PLC0415 - builds on this

    plan = views.plan
    company = plan.nodes.get(plan.company)
    if (
        not regions
        or company is None
        or views.result.diagnostics
        or views.extras.tracking
        or views.extras.actuals is not None
    ):
        return {}
    sources = views.result.sources
    quarter = company.loc.file
    if quarter not in sources:
        return {}
    files = {quarter: _file_digest(views, quarter)}
    pages: dict[str, list[str]] = {}
    for spec in specs:
        if spec.node is not None:
            pages.setdefault(spec.node.loc.file, []).append(spec.path)
    counts: dict[str, int] | None = None
    for path, key in regions.items():
        if path not in sources:
            continue
        if path not in skipped:
            if path in views.fragments_ahead:
                found = views.fragments_ahead[path]
            else:
                counts = counts if counts is not None else node_counts(plan)
                found = fragment(views, path, counts)
            if found is None or not pages.get(path):
                continue
            records.put_record(fragment_name(key), fragment_record(path, key, pages[path], found))
        files[path] = _file_digest(views, path)
    return files


def _recorded(
    views: _Views,
    specs: list[_Spec],
    keys: PageKeys | None,
    records: RecordStore | None,
    record: str,
    listed: list[str] | None,
    vouched: bool,
    taken: tuple[Any, dict[str, tuple[str, str]]] | None = None,
    regions: dict[str, str] | None = None,
    release: bool = False,
) -> tuple[dict[str, tuple[str, str]], dict[str, str], dict[str, str]]:
    """What the last render of the site recorded (page -> key and digest), this plan's
    region keys (vouched for only) and the page keys they let the record give.

    ``taken``: the record :func:`begin_render` read (and checked the old pages
    against) and its pages, when this render took what it began; read here otherwise.
    ``release``: the plan files' bytes are released once the region keys are made
    (their last reader: see :func:`render_site`)."""
    recorded = None
    if taken is not None:
        recorded, previous = taken
    else:
        if records is not None and keys is not None and listed:
            recorded = records.get_record(record)
        previous = index_from(recorded)
    if regions is None:
        regions = {}
        if keys is not None and vouched:
            sources = {path: source.data for path, source in views.result.sources.items()}
            regions = keys.regions(sources, digests=views.file_digests)
    if release:
        for path, source in views.result.sources.items():
            # the fragments recorded at the end name each file by these
            if path not in views.file_digests:
                views.file_digests[path] = file_digest(source.data)
            source.release()
    return previous, regions, _known_keys(specs, previous, regions, regions_from(recorded))


class Begun:
    """The old site's pages linked into a new folder and checked, by a forked child, while
    the plan is checked and its model built (:func:`begin_render`).

    Checking 11,000 old pages (a link, a read, a digest each) takes about half a
    second; the plan's check leaves a CPU idle for longer than that. Which of the
    linked pages are kept is decided later, by their keys (:func:`render_site`);
    the others are unlinked before anything is written.
    """

    def __init__(
        self,
        out: Path,
        listed: list[str],
        mode: int,
        building: Path,
        claim: contextlib.ExitStack,
        wait: Callable[[], dict[str, str] | None],
        recorded: tuple[Any, dict[str, tuple[str, str]]] | None = None,
    ) -> None:
        self.out = out
        # the record as read when this began, and its pages (index_from): the pages were
        # linked by its digests, and the render that takes them reads its keys from the
        # same record (read and checked once)
        self.recorded = recorded
        self.listed = listed
        self.mode = mode
        self.building = building
        self._claim = claim
        self._wait: Callable[[], dict[str, str] | None] | None = wait
        self._taken = False

    def take(
        self, out: Path, listed: list[str] | None, mode: int
    ) -> tuple[Path, dict[str, str], contextlib.ExitStack] | None:
        """The folder, the pages linked and checked (path -> digest) and the folder's claim,
        for a render of the same site as it was when this began; None otherwise (then
        :meth:`close` it)."""
        if self._taken or self._wait is None or out != self.out or listed != self.listed:
            return None
        if mode != self.mode:
            return None
        linked = self._wait()
        self._wait = None
        if linked is None:  # the child failed: what it linked is unknown
            return None
        self._taken = True
        return self.building, linked, self._claim

    @property
    def taken(self) -> bool:
        """Whether a render took (or :meth:`close` undid) what was begun."""
        return self._taken

    def close(self) -> None:
        """Undo what was begun unless a render took it (the plan had errors, another site)."""
        if self._taken:
            return
        self._taken = True
        try:
            if self._wait is not None:
                self._wait()
                self._wait = None
        finally:
            self._claim.close()
            shutil.rmtree(self.building, ignore_errors=True)


def begin_render(out: Path, records: RecordStore | None) -> Begun | None:
    """Start linking and checking the pages a render of ``out`` may keep, before the plan is
    checked; None where there is nothing to begin (no cache, one CPU, a new or foreign
    folder, no record, a small site). Any problem: None, and the render finds it itself.

    The record and the old folder are untrusted as in :func:`_keep`, which does the
    work: only page names planc makes are linked, only into a fresh folder of this
    render, and a page is linked only when its bytes are the recorded ones.
    """
    if records is None or default_workers() < 2 or not can_fork():
        return None
    try:
        listed = _check_out(out)
    except (SiteError, OSError):
        return None
    if not listed:
        return None
    recorded = records.get_record(_record_name(out))
    previous = index_from(recorded)
    old = set(listed)
    chosen = sorted(
        (path, digest)
        for path, (_, digest) in previous.items()
        if path in old and path != "index.html" and _PAGE_PATH.fullmatch(path)
    )
    if len(chosen) < _PARALLEL_MIN_KEYS:
        return None
    mode = new_file_mode()
    claim = contextlib.ExitStack()
    try:
        building = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    except OSError:
        return None
    try:
        _make_readable(building)
        claim.enter_context(_claimed(building))
        for folder in sorted({path.rpartition("/")[0] for path, _ in chosen}):
            (building / folder).mkdir(exist_ok=True)
        wait = start_forked(_link_checked, str(out), str(building), chosen, mode)
    except OSError:
        claim.close()
        shutil.rmtree(building, ignore_errors=True)
        return None
    return Begun(out, listed, mode, building, claim, wait, (recorded, previous))


def _link_checked(
    out: str, building: str, chosen: list[tuple[str, str]], mode: int
) -> dict[str, str]:
    """In the forked child: each old page linked into ``building`` if it holds the bytes
    recorded; path -> that digest for those linked."""
    if not _AT_FOLDERS:
        return {
            path: digest
            for path, digest in chosen
            if _keep(os.path.join(out, path), os.path.join(building, path), digest, mode)
        }
    linked: dict[str, str] = {}
    folders: dict[str, tuple[int, int] | None] = {}
    try:
        for path, digest in chosen:
            folder, _, name = path.rpartition("/")
            if folder not in folders:
                folders[folder] = _folder_pair(out, building, folder)
            pair = folders[folder]
            if pair is not None and _keep_at(pair, name, digest, mode):
                linked[path] = digest
    finally:
        for pair in folders.values():
            if pair is not None:
                os.close(pair[0])
                os.close(pair[1])
    return linked


# Linking and checking 11,000 pages by name in folders opened once (linkat, openat,
# unlinkat): no path of four or five parts looked up for each link, open and unlink
# (the link child's CPU 0.63-0.67 -> 0.57-0.62 s on a 10,000-rep site).
_AT_FOLDERS = all(f in os.supports_dir_fd for f in (os.link, os.open, os.unlink))
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)


def _folder_pair(out: str, building: str, folder: str) -> tuple[int, int] | None:
    """A page folder of the old site and of the new one, opened (never through a link
    there); None if either cannot be: its pages are not linked, they are rendered."""
    try:
        old = os.open(os.path.join(out, folder), _FOLDER_FLAGS)
    except OSError:
        return None
    try:
        return old, os.open(os.path.join(building, folder), _FOLDER_FLAGS)
    except OSError:
        os.close(old)
        return None


def _keep_at(pair: tuple[int, int], name: str, digest: str, mode: int) -> bool:
    """:func:`_keep` for the page ``name`` of the folders ``pair`` (old, new) holds open."""
    old, new = pair
    return _keep(name, name, digest, mode, old_dir=old, new_dir=new)


_EARLY_MAX_PAGES = 20_000  # sites larger than this render the index here (see _Early)


class _Early:
    """The pages rendered whatever the record says (the index: it reads the whole plan),
    started in a forked child while this process sorts out the pages to keep.

    The index of a 10,000-rep site (its org tree lists every node) takes as long
    to render as the old site's 11,000 pages take to check, and both are needed
    before the swap. The child writes the page into the new folder (a fresh
    file, as every page) and answers only that it did; a child that fails or
    dies: its file is removed and the page rendered here.

    ``given``: the index is made from the fragments of the files left out of the model
    (:func:`_left_out`), in the child too (~0.1 s at 10,000 reps, after the check: the
    render's serial tail); one that cannot be made is :class:`_NeedWhole` at
    :meth:`finish`, before anything is swapped. Without a child, made here at once.
    """

    def __init__(
        self, views: _Views, specs: list[_Spec], building: Path, given: _GivenIndex | None = None
    ) -> None:
        self.views = views
        self.building = building
        self.given = given
        # keyless: always rendered
        chosen = [spec for spec in specs if spec.node is None and spec.file is None]
        # past _EARLY_MAX_PAGES the index is rendered by this process before any page
        # worker is forked: a child rendering it copies all it touches (the whole plan:
        # ~0.5 GiB at 50,000 reps, beside the workers sorting out the pages)
        sized = _PARALLEL_MIN_KEYS <= len(specs) <= _EARLY_MAX_PAGES
        if not chosen or not sized or default_workers() < 2 or not can_fork():
            self.specs: list[_Spec] = []
            self.paths: set[str] = set()
            self._wait: Callable[[], bool | None] | None = None
            if not _give_index(views, given):
                raise _NeedWhole(_CANNOT_STAND)
            return
        self.specs = chosen
        self.paths = {spec.path for spec in chosen}
        self._wait = start_forked(_render_early, views, chosen, building, given)

    def abandon(self) -> None:
        """Wait for the child without using its pages (the render failed): reaped, and
        no longer writing into the folder that is about to be removed."""
        wait, self._wait = self._wait, None
        if wait is not None:
            wait()

    def finish(self) -> int:
        """Wait for the child (rendering its pages here if it failed); how many it had."""
        wait, self._wait = self._wait, None
        if wait is None:
            return 0
        answer = wait()
        if answer is None:
            for spec in self.specs:
                _inside(self.building, spec.path).unlink(missing_ok=True)
            answer = _give_index(self.views, self.given)
            if answer:
                _render_share(self.views, self.specs, self.building, False)
        if not answer:
            raise _NeedWhole(_CANNOT_STAND)
        return len(self.specs)


def _render_early(
    views: _Views, specs: list[_Spec], building: Path, given: _GivenIndex | None
) -> bool:
    """In the forked child: render and write ``specs`` (their digests are not recorded);
    False, and nothing written, where the index cannot be made from the fragments given."""
    if not _give_index(views, given):
        return False
    _render_share(views, specs, building, False)
    return True


def _new_folder(
    out: Path, listed: list[str] | None, mode: int, begun: Begun | None
) -> tuple[Path, dict[str, str] | None, contextlib.AbstractContextManager[Any]]:
    """The folder the site is built in, the pages linked there already (path -> digest
    checked; None: a fresh folder) and the claim to hold while building."""
    taken = begun.take(out, listed, mode) if begun is not None else None
    if taken is not None:
        return taken
    building = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        _make_readable(building)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return building, None, _claimed(building)


def _make_folders(building: Path, specs: list[_Spec]) -> None:
    """Every page path checked before anything is linked or written (kept pages too); the
    folders (a few) made once."""
    for spec in specs:
        _check_page_path(spec.path)
    folders = {spec.path.rpartition("/")[0]: spec.path for spec in specs}
    for folder in sorted({_inside(building, path).parent for path in folders.values()}):
        folder.mkdir(parents=True, exist_ok=True)


def _known_keys(
    specs: list[_Spec],
    previous: Mapping[str, tuple[str, str]],
    regions: Mapping[str, str],
    recorded: Mapping[str, str],
) -> dict[str, str]:
    """Page -> its key, for the pages of region files whose region key is the recorded one
    (both renders vouched for; see :mod:`planc.site.reuse`): the key the record holds."""
    same = {path for path, key in regions.items() if recorded.get(path) == key}
    if not same:
        return {}
    known: dict[str, str] = {}
    for spec in specs:
        node = spec.node
        file = spec.file if node is None else node.loc.file
        if file is not None and file in same:
            last = previous.get(spec.path)
            if last is not None:
                known[spec.path] = last[0]
    return known


@dataclass(frozen=True, slots=True)
class _Sorting:
    """What deciding which pages of the old site to keep reads (see :func:`_sort_out`)."""

    views: _Views
    keys: PageKeys | None
    specs: list[_Spec]
    previous: dict[str, tuple[str, str]]
    known: dict[str, str]  # keys taken from the record (an unchanged region file's pages)
    old_pages: set[str]
    out: str
    building: Path
    mode: int
    # pages :func:`begin_render` linked and checked (path -> the digest checked), if it ran
    linked: dict[str, str] | None = None

    def decide(self, indexes: Iterable[int]) -> list[tuple[str | None, bool]]:
        """Each page's key, and whether the old site's page was kept (linked into the new)."""
        found: list[tuple[str | None, bool]] = []
        for i in indexes:
            spec = self.specs[i]
            key = self.known.get(spec.path)
            if key is None and self.keys is not None:
                key = self.views.key(self.keys, spec)
            last = self.previous.get(spec.path)
            kept = (
                key is not None
                and last is not None
                and last[0] == key
                and spec.path in self.old_pages
                and (
                    self.linked.get(spec.path) == last[1]
                    if self.linked is not None and spec.path in self.linked
                    else _keep(
                        os.path.join(self.out, spec.path),
                        os.path.join(self.building, spec.path),
                        last[1],
                        self.mode,
                    )
                )
            )
            found.append((key, kept))
        return found


# Past this many pages, forked workers make the keys of some of them and keep those they
# may (the keys of a 10,000-rep site and the check of 11,000 old pages take ~1 s).
_PARALLEL_MIN_KEYS = 2000
_SORT_STEP = 64  # pages this process decides between two looks at its worker
# Work shared with forked workers goes in about this many shares, each a fresh worker
# (planc.core.forking.relay: a worker copies only what its share touches of this process)
_SHARES = 128


def _sort_out(sorting: _Sorting) -> list[tuple[str | None, bool]]:
    """:meth:`_Sorting.decide` for every page, on two CPUs when there are many.

    Forked workers take shares of the work from the end (whole regions, mostly:
    the pages come in the plan's order, so the node digests each side makes are
    mostly its own), link the pages they keep into the new folder themselves and
    hand back only keys and yes/no. A worker that fails: its pages are unlinked
    from the new folder and decided here again.
    """
    count = len(sorting.specs)
    workers = default_workers()
    if (
        sorting.keys is None
        or sorting.linked is not None  # the old pages were checked already: keys only
        or workers < 2
        or count < _PARALLEL_MIN_KEYS
        or not can_fork()
    ):
        return sorting.decide(range(count))

    def decide(start: int, stop: int) -> list[tuple[str | None, bool]]:
        return sorting.decide(range(start, stop))

    def again(start: int, stop: int) -> list[tuple[str | None, bool]]:
        for spec in sorting.specs[start:stop]:
            (sorting.building / spec.path).unlink(missing_ok=True)
        return decide(start, stop)

    share = max(1, count // _SHARES)
    found: list[tuple[str | None, bool]] = []
    for _, _, part in relay(
        count, decide, share=share, step=min(share, _SORT_STEP), again=again, children=workers - 1
    ):
        found += part
    return found


_COLLECT_EVERY = 200  # pages
# Pages are independent: past this many to render, forked workers share them.
_PARALLEL_MIN_PAGES = 64
_RENDER_STEP = 16  # pages this process renders between two looks at its worker
# A page worker copies ~0.14 MiB of this process per page it renders (reference counts
# are writes): a share of 1/_SHARES of a 50,000-rep site's 55,000 pages (430) is ~60 MiB
# on top of this process's peak. Past this many pages a share is capped (more, shorter-lived
# workers: a fork and an exit each, a few tens of milliseconds).
_SHARE_MAX_PAGES = 256


def _page_share(count: int) -> int:
    """How many of ``count`` pages one worker renders (see :func:`_render_pages`)."""
    return max(_PARALLEL_MIN_PAGES, min(count // _SHARES, _SHARE_MAX_PAGES))


def _render_pages(
    views: _Views, specs: list[_Spec], building: Path, digest: bool
) -> dict[str, str]:
    """Render and write ``specs`` into ``building``; with ``digest``, each page's content
    digest by path.

    On several CPUs (``PLANC_WORKERS``, as loading) forked workers render shares
    of the pages while this process renders the others; a worker writes its
    pages into the folder this render made and hands back only their digests,
    then exits, and the next share goes to a fresh worker
    (:func:`planc.core.forking.relay`: each copies only the part of the plan its
    pages touch). The bytes of a page do not depend on who renders it. A worker
    that fails: this process renders its pages again.
    """
    workers = min(default_workers(), max(1, len(specs) // _PARALLEL_MIN_PAGES))
    if workers <= 1 or not can_fork():
        return _render_share(views, specs, building, digest)
    # the pages that read the whole plan (the index) first, with no worker alive: one
    # forked meanwhile would copy all that they touch
    digests = _render_share(views, [spec for spec in specs if spec.node is None], building, digest)
    rest = [spec for spec in specs if spec.node is not None]

    def render(start: int, stop: int) -> dict[str, str]:
        return _render_share(views, rest[start:stop], building, digest)

    def again(start: int, stop: int) -> dict[str, str]:
        for spec in rest[start:stop]:
            _inside(building, spec.path).unlink(missing_ok=True)
        return render(start, stop)

    share = _page_share(len(rest))
    step = min(share, _RENDER_STEP)
    for _, _, part in relay(
        len(rest),
        render,
        share=share,
        step=step,
        again=again,
        children=workers - 1,
        before_fork=_collect_pages,
    ):
        digests.update(part)
    return digests


_UNCOLLECTED = 0  # pages rendered by this process since the last _collect_pages


def _collect_pages() -> None:
    """Collect the reference cycles the last pages left (the young generations only).

    Also right before a page worker is forked: the worker would otherwise find this
    process's uncollected pages in its own young generations and walk (copy) them."""
    global _UNCOLLECTED  # noqa: PLW0603
    _UNCOLLECTED = 0
    gc.collect(1)


def _render_share(
    views: _Views, specs: list[_Spec], building: Path, digest: bool
) -> dict[str, str]:
    global _UNCOLLECTED  # noqa: PLW0603 - counts across calls (a relay's steps are short)
    env = environment()
    templates: dict[str, jinja2.Template] = {}
    digests: dict[str, str] = {}
    for spec in specs:
        _UNCOLLECTED += 1
        if _UNCOLLECTED >= _COLLECT_EVERY:
            # Rendering a page leaves reference cycles (Jinja's contexts), about 17 KB a
            # page, and the collector is paused: 55,000 pages held 0.9 GiB of them. The
            # plan was frozen, so this looks only at what the last pages made.
            _collect_pages()
        template = templates.get(spec.template)
        if template is None:
            template = templates[spec.template] = env.get_template(spec.template)
        data = template.render(views.context(spec)).encode("utf-8")
        _write_new(_inside(building, spec.path), data)
        if digest:
            digests[spec.path] = content_digest(data)
    return digests


def _record_name(out: Path) -> str:
    """Where the cache remembers what was written to ``out``: its absolute path."""
    return f"site\x00{os.path.abspath(out)}"


def _keep(
    old: str,
    new: str,
    digest: str,
    mode: int,
    *,
    old_dir: int | None = None,
    new_dir: int | None = None,
) -> bool:
    """Link the old site's page into the new site if it still holds the bytes planc wrote.

    The old folder is untrusted: the link is made first (never following a
    symbolic link), then what the new folder holds is checked (a regular file,
    the mode planc writes, the recorded digest); anything else is unlinked
    again and the page is rendered. ``old_dir``/``new_dir``: folders held open
    that the names are in (None: the names are paths).
    """
    try:
        os.link(old, new, src_dir_fd=old_dir, dst_dir_fd=new_dir, follow_symlinks=False)
    except (OSError, NotImplementedError):
        return False  # a file system without hard links: render the page
    try:
        fd = os.open(new, _READ_FLAGS, dir_fd=new_dir)
        try:
            if _holds(fd, digest, mode):
                return True
        finally:
            os.close(fd)
    except OSError:
        pass
    os.unlink(new, dir_fd=new_dir)
    return False


def _holds(fd: int, digest: str, mode: int) -> bool:
    """Whether the open file is a regular file of ``mode`` whose bytes have ``digest``."""
    status = os.fstat(fd)
    if not (
        stat.S_ISREG(status.st_mode)
        and stat.S_IMODE(status.st_mode) == mode
        and status.st_size <= _PAGE_BOUND
    ):
        return False
    # the whole file: as many bytes as it had, then its end (it may have grown)
    data = os.read(fd, status.st_size)
    return len(data) == status.st_size and not os.read(fd, 1) and content_digest(data) == digest


_PAGE_BOUND = 256 * 1024 * 1024  # no page planc writes is near this: another file, not read
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)


def _write_new(path: Path, data: bytes) -> None:
    # O_EXCL: a fresh file in the folder we just made, never through a link planted there.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _make_readable(folder: Path) -> None:
    # mkdtemp makes a private (0700) folder; a published site should get the usual mode.
    os.chmod(folder, 0o777 & ~current_umask())


# --------------------------------------------------------------------------- the old site


_MARKER_BOUND = 256 * 1024 * 1024  # a manifest of a million pages is a tenth of this


def _check_out(out: Path) -> list[str] | None:
    """Refuse an output folder planc did not make; return the files of one it did (or None).

    The marker is untrusted (anyone can edit it): every line must name a page
    planc writes, so nothing outside the site folder can ever be deleted; a
    tampered marker is refused and nothing is touched.
    """
    if out.is_symlink():
        raise SiteError(f"--out {out} is a symbolic link; give a real folder")
    if not out.exists():
        return None
    if not out.is_dir():
        raise SiteError(f"--out {out} is a file, not a folder")
    if not any(out.iterdir()):
        return []
    marker = out / SITE_MARKER
    if not marker.is_file() or marker.is_symlink():
        raise SiteError(
            f"--out {out} is not empty and was not made by planc render (it has no {SITE_MARKER}); "
            "choose a new or empty folder: planc never deletes files it did not write"
        )
    listed = _read_marker(marker, f"--out {out}")
    strangers = _strangers(out, listed)
    if strangers:
        more = f" and {len(strangers) - 1} more" if len(strangers) > 1 else ""
        raise SiteError(
            f"--out {out} holds {strangers[0]}{more}, which planc did not write; "
            "move it elsewhere or choose another folder: planc never deletes files it did not write"
        )
    return listed


def _read_marker(marker: Path, where: str) -> list[str]:
    """The pages a site's marker lists; :class:`SiteError` unless it is one planc wrote."""
    try:
        data = read_regular(marker, _MARKER_BOUND, str(marker))
    except OSError as error:
        raise SiteError(
            f"{where}: cannot read its {SITE_MARKER}: {error.strerror or error}"
        ) from error
    text = data.decode("utf-8", errors="replace")
    if not text.startswith(_MARKER_HEADER):
        raise _tampered(where, "its header is not the one planc writes")
    listed = [line for line in text[len(_MARKER_HEADER) :].split("\n") if line]
    for number, name in enumerate(listed, start=_MARKER_HEADER.count("\n") + 1):
        if not _PAGE_PATH.fullmatch(name):
            raise _tampered(
                where, f"line {number} names {quoted(name, 80)}, not a page planc writes"
            )
    return listed


def _tampered(where: str, why: str) -> SiteError:
    return SiteError(
        f"{where}: its {SITE_MARKER} was changed by hand ({why}); nothing was deleted. "
        "planc deletes only the pages it wrote: remove the folder yourself, or choose another"
    )


def _strangers(out: Path, listed: list[str]) -> list[str]:
    """What is in the site folder that its marker does not list (links always count)."""
    expected = {SITE_MARKER, *listed}
    folders = {name.rpartition("/")[0] for name in listed} - {""}
    strangers: list[str] = []

    def walk(folder: str, prefix: str) -> None:
        # scandir's entries know their type without a stat of each page (tens of thousands)
        with os.scandir(folder) as entries:
            for entry in entries:
                path = prefix + entry.name
                if entry.is_dir():  # a link to a folder too: named as a folder, never entered
                    if path in folders and not entry.is_symlink():
                        walk(entry.path, path + "/")
                    else:
                        strangers.append(path + "/")
                elif path not in expected or not entry.is_file(follow_symlinks=False):
                    strangers.append(path)  # a link (to a file, a folder or nothing) too

    walk(str(out), "")
    return sorted(strangers)


def _regular(path: Path) -> bool:
    """A regular file, not a link to one (lstat: the link itself is looked at)."""
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def _swap(new: Path, out: Path, listed: list[str] | None) -> None:
    """Put ``new`` where ``out`` is; delete only files the old site's marker lists."""
    try:
        if listed is None:
            os.rename(new, out)
            return
        old = out.with_name(f".{out.name}.{secrets.token_hex(4)}.old")
        os.rename(out, old)
        try:
            os.rename(new, out)
        except BaseException:
            _put_back(old, out)
            raise
    except OSError as error:
        if error.errno not in _CHANGED_MEANWHILE:
            raise
        raise SiteError(  # e.g. two renders into one folder at once: the other one won
            f"{out} was created, filled or moved by something else while planc rendered "
            "(another planc render?); nothing in it was replaced or deleted: run planc render "
            "again"
        ) from error
    _remove_pages(old, listed)


# what renaming the built site into place meets when the folder changed after it was read
_CHANGED_MEANWHILE = frozenset({errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT})


def _put_back(old: Path, out: Path) -> None:
    """The site moved aside to ``old`` put back at ``out``, its replacement having failed.
    Something that filled ``out`` in between (another render) keeps it there: where the
    site went is said (it was not "nothing replaced")."""
    try:
        os.rename(old, out)
    except OSError as error:
        if error.errno not in _CHANGED_MEANWHILE:
            raise
        raise SiteError(
            f"{out} was filled by something else while planc rendered (another planc "
            f"render?), after planc had moved the site it held aside to {old}: nothing was "
            "deleted; move that folder back, or run planc render again (which removes it)"
        ) from error


def _remove_pages(old: Path, listed: list[str]) -> None:
    """Delete the pages ``listed`` from a site folder planc moved aside, then the folder.

    Each name was checked against the names planc writes; here each is also a
    regular file (not a link) in a folder that is not a link and lies inside
    ``old``. Anything else found (a file added meanwhile) is left, and so are
    the folders that hold it.
    """
    root = old.resolve()
    wanted: dict[str, set[str]] = {}  # folder -> the names of its pages
    for name in [*(n for n in listed if _PAGE_PATH.fullmatch(n)), SITE_MARKER]:
        folder, _, base = name.rpartition("/")
        wanted.setdefault(folder, set()).add(base)
    folders = sorted(set(wanted) - {""}, key=lambda f: -f.count("/"))
    safe_folders = {""} | {f for f in folders if _real_folder_inside(old / f, root)}
    base = str(old)
    for folder, names in wanted.items():
        if folder in safe_folders:
            _unlink_regular(os.path.join(base, folder) if folder else base, names)
    for folder in folders:
        # Something may have appeared in it meanwhile: leave it rather than delete it.
        if folder in safe_folders:
            with contextlib.suppress(OSError):
                os.rmdir(os.path.join(base, folder))
    with contextlib.suppress(OSError):
        old.rmdir()


_BY_FOLDER = os.scandir in os.supports_fd and os.unlink in os.supports_dir_fd
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)


def _unlink_regular(folder: str, names: set[str]) -> None:
    """Unlink each regular file (not a link) of ``folder`` named in ``names``.

    Where the system allows, the folder is opened once (never through a link),
    its entries' types are read with the entries (no lstat a page: 11,000 fewer
    system calls on a 10,000-rep site) and each page is unlinked by its name
    in that very folder (no path looked up again)."""
    if not _BY_FOLDER:
        for name in names:
            path = os.path.join(folder, name)
            with contextlib.suppress(OSError):
                if stat.S_ISREG(os.lstat(path).st_mode):
                    os.unlink(path)
        return
    try:
        fd = os.open(folder, _FOLDER_FLAGS)
    except OSError:
        return
    try:
        with os.scandir(fd) as entries:
            found = [
                e.name for e in entries if e.name in names and e.is_file(follow_symlinks=False)
            ]
        for name in found:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name, dir_fd=fd)
    finally:
        os.close(fd)


def _real_folder_inside(folder: Path, root: Path) -> bool:
    try:
        is_folder = stat.S_ISDIR(folder.lstat().st_mode)
    except OSError:
        return False
    return is_folder and folder.resolve().is_relative_to(root)


# --------------------------------------------------------------------------- leftovers

# A render in progress holds a lock on this file in its temporary folder; a folder whose
# lock can be taken belongs to a render that was killed.
_BUILDING = ".planc-building"
_STALE_AFTER = 24 * 3600  # where no lock can be taken (Windows): a day-old folder is stale


@contextlib.contextmanager
def _claimed(building: Path) -> Iterator[None]:
    """Mark ``building`` as planc's and as in use while the site is written into it."""
    fd = os.open(building / _BUILDING, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        os.write(fd, _MARKER_HEADER.encode("utf-8"))
        if fcntl is not None:
            # where the file system cannot lock, no other render can lock it either: it
            # then counts as in use, and stays (see _abandoned)
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        os.close(fd)


def remove_leftovers(out: Path) -> list[Path]:
    """Delete what a killed ``planc render`` of ``out`` left beside it; return what went.

    A temporary folder ``.<out>.*.tmp`` is planc's when it holds planc's
    in-progress marker and no render holds its lock; an old site ``.<out>.*.old``
    when its ``.planc-site`` marker is one planc wrote. Links are never
    followed, and only the pages planc writes and its markers are deleted: a
    folder that holds anything else stays.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(out.parent))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not name.startswith(f".{out.name}.") or entry.is_symlink() or not entry.is_dir():
            continue
        folder = Path(entry.path)
        if name.endswith(".tmp") and _abandoned(folder):
            _remove_building(folder)
        elif name.endswith(".old") and _regular(folder / SITE_MARKER):
            try:
                listed = _read_marker(folder / SITE_MARKER, str(folder))
            except SiteError:
                continue
            _remove_pages(folder, listed)
        else:
            continue
        if not folder.exists():
            removed.append(folder)
    return removed


def _abandoned(folder: Path) -> bool:
    """Whether ``folder`` is a temporary site folder of a render that no longer runs."""
    marker = folder / _BUILDING
    if not _regular(marker):
        return False
    try:
        fd = os.open(marker, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        if os.read(fd, len(_MARKER_HEADER) + 1) != _MARKER_HEADER.encode("utf-8"):
            return False
        if fcntl is None:
            return time.time() - os.fstat(fd).st_mtime > _STALE_AFTER
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return False  # a render is writing into it right now
        return True
    finally:
        os.close(fd)


def _remove_building(folder: Path) -> None:
    """Delete an abandoned temporary site: its pages (by name), its markers, its folders."""
    root = folder.resolve()
    names: list[str] = []
    for sub in ("", *_FOLDERS.values()):
        place = folder / sub if sub else folder
        if sub and not _real_folder_inside(place, root):
            continue
        with contextlib.suppress(OSError):
            names += [f"{sub}/{n}" if sub else n for n in os.listdir(place)]
    pages = [n for n in names if _PAGE_PATH.fullmatch(n)]
    with contextlib.suppress(FileNotFoundError):
        if _regular(folder / SITE_MARKER):
            (folder / SITE_MARKER).unlink()
    _remove_pages(folder, pages)  # the in-progress marker goes last: the folder stays planc's
    for sub in _FOLDERS.values():  # made before any page was written: some may still be empty
        if _real_folder_inside(folder / sub, root):
            with contextlib.suppress(OSError):
                os.rmdir(folder / sub)  # only when empty: anything found in it stays
    with contextlib.suppress(OSError):
        (folder / _BUILDING).unlink()
        folder.rmdir()
