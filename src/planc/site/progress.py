"""What the site shows beside a target besides the target: progress and the bottom-up gap.

``planc render --actuals FILE`` reads the export once (pandas, imported only
then), asks :func:`planc.track.tracking.progress_by_target` where every target
stands at the as-of date, and the pages show attained, pace and forecast
beside each target. Every target that has a bottom-up number (its owner's
commitment, or its children's added up) shows the top-down vs bottom-up gap,
marked when it is outside ``policy.bottom_up_gap``.

Like the rest of the site, this module turns ``Decimal`` into ready-to-print
strings and SVG coordinates; templates do no arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal
from pathlib import PurePath
from types import MappingProxyType
from typing import TYPE_CHECKING

from planc.checks.gaps import Gap, gaps, outside
from planc.core.diagnostics import Diagnostic, Message, resolve_spans
from planc.core.locales import DASH, MINUS, Locale, Words, percent_of
from planc.core.model import Level, Metric, Node, Plan
from planc.core.pipeline import CheckResult
from planc.core.spans import SpanResolver

if TYPE_CHECKING:  # tracking (0.05 s to import) is imported where actuals are used
    from planc.track.tracking import MonthProgress, ProductProgress, Progress

_ZERO = Decimal(0)
_ONE = Decimal(1)
_BAR_WIDTH = 320  # SVG user units, as the site's other charts
_STATES = {
    "ahead": "st_ahead",
    "behind": "st_behind",
    "at risk": "st_at_risk",
    "within": "st_within",
    "over": "st_over",
    "not started": "st_not_started",
    "not due": "st_not_due",
    "no data": "st_no_data",
}
_FROM = {Level.COMPANY: "from_regions", Level.REGION: "from_teams", Level.TEAM: "from_reps"}


@dataclass(frozen=True, slots=True)
class SiteActuals:
    """Progress of every tracked target at one as-of date, from one export."""

    progress: Mapping[tuple[str, str], Progress]
    as_of: date
    source: str  # the export's file name (never a local path: the page is published)
    # planc track's early warnings (PLC7xx) for the same data, by (node id, metric id)
    warnings: Mapping[tuple[str, str], Diagnostic] = field(default_factory=dict)
    # per-product actuals: node id -> (metric id, its product lines), from sources that
    # have a product column; the metric is the source's amount metric
    products: Mapping[str, tuple[tuple[str, tuple[ProductProgress, ...]], ...]] = field(
        default_factory=dict
    )


def load_site_actuals(
    result: CheckResult, values: Sequence[str], as_of: date | None
) -> tuple[SiteActuals | None, list[Diagnostic], str]:
    """Read the exports with the plan's mapping: the progress, or None and the reasons.

    ``values`` are the ``--actuals`` given (``FILE``, or ``NAME=FILE`` per
    source of a plan with ``actuals.sources``); the third item is how they are
    shown. Problems in an export are diagnostics (errors with row numbers);
    with any error the result is None and nothing should be rendered. Values
    that do not fit the plan's sources raise
    :class:`planc.track.sources.SourceChoiceError`.
    """
    from planc.track.report import default_as_of  # noqa: PLC0415 - only with --actuals
    from planc.track.sources import choose_sources, read_sources  # noqa: PLC0415
    from planc.track.tracking import track_sources  # noqa: PLC0415 - only with --actuals

    plan = result.plan
    if plan is None:
        raise ValueError("progress needs a plan that was built")
    day = as_of or default_as_of(plan)
    resolver = SpanResolver(result.sources)
    chosen = choose_sources(plan, values, lambda loc: str(resolver.resolve(loc)))
    read = read_sources(plan, chosen, day, baselines=False)
    found = resolve_spans(read.diagnostics, resolver)
    shown = ", ".join(read.shown)
    if not read.complete:
        return None, found, shown
    tracked = track_sources(plan, read.read)
    progress = {(p.node, p.metric): p for p in tracked.progress}
    warnings = _warnings_by_target(plan, resolve_spans(tracked.warnings, resolver))
    names = ", ".join(PurePath(source.actuals.source).name for source in tracked.sources)
    products = MappingProxyType(_products_by_node(plan, tracked.products))
    site = SiteActuals(progress, day, names, MappingProxyType(warnings), products)
    return site, found, shown


def _products_by_node(
    plan: Plan, items: Sequence[ProductProgress]
) -> dict[str, tuple[tuple[str, tuple[ProductProgress, ...]], ...]]:
    """Each node's product lines, under the amount metric of the source they come from."""
    metric_of = {
        mapping.name: next((m for m, how in mapping.measures.items() if how == "amount"), None)
        for mapping in plan.actuals_sources
    }
    grouped: dict[str, dict[str, list[ProductProgress]]] = {}
    for item in items:
        metric = metric_of.get(item.source)
        if metric is not None and metric in plan.metrics:
            grouped.setdefault(item.node, {}).setdefault(metric, []).append(item)
    return {
        node: tuple((metric, tuple(rows)) for metric, rows in by_metric.items())
        for node, by_metric in grouped.items()
    }


def _warnings_by_target(
    plan: Plan, warnings: list[Diagnostic]
) -> dict[tuple[str, str], Diagnostic]:
    """Each early warning beside the target it is about (it points at the target's value)."""
    at = {d.loc: d for d in warnings if d.loc is not None}
    out = {}
    for node in plan.nodes.values():
        for metric, target in node.targets.items():
            found = at.get(target.loc / "value")
            if found is not None:
                out[(node.id, metric)] = found
    return out


# --------------------------------------------------------------------------- view models


@dataclass(frozen=True, slots=True)
class ProgressBar:
    """Attained against the target as a bar, with a tick where the pace is."""

    label: str  # what the bar says, for screen readers
    width: int  # SVG user units
    fill: int  # the attained part
    pace: int  # x of the pace tick


@dataclass(frozen=True, slots=True)
class ProgressView:
    target: str
    attained: str
    attainment: str | None  # "30.3% of target"
    pace: str
    of_pace: str | None  # "77.4% of pace"
    forecast: str | None
    status: str  # the status in words
    state: str  # the status as a CSS class: ahead, behind, at-risk, within, over, ...
    bar: ProgressBar | None
    to_go: str | None = None  # "$184,000 to go", or "Target reached"
    per_week: str | None = None  # "$14,200 a week for the 13 weeks left"
    warning: WarningNote | None = None  # planc track's early warning for this target


@dataclass(frozen=True, slots=True)
class WarningNote:
    """An early warning from ``planc track``, beside its target."""

    code: str
    headline: str  # in the site's language, from the numbers
    detail: str  # planc track's message: the causes it found
    detail_lang: str | None  # "en" when the detail is not in the page's language


@dataclass(frozen=True, slots=True)
class PacePoint:
    x: int
    y: int


@dataclass(frozen=True, slots=True)
class PaceChart:
    """Attained so far against the phased target, both cumulative over the quarter."""

    ident: str
    metric: str
    width: int
    height: int
    axis: int  # y of the baseline
    plan_points: str  # SVG polyline points of the phased target
    attained_points: str
    today: PacePoint  # where attained stands at the as-of date
    ticks: tuple[tuple[int, int, str], ...]  # (x of the month's end, x of its middle, label)
    target_label: str  # the target's value, at the top of the plan line
    attained_label: str  # attained at the as-of date
    summary: str  # the chart in words, for screen readers and print


@dataclass(frozen=True, slots=True)
class CellProgress:
    """Progress in one cell of a split table: ``$26,352 · 77.4% of pace``."""

    text: str
    state: str


@dataclass(frozen=True, slots=True)
class GapView:
    """``top-down X · bottom-up Y · gap ±Z (±p%)``, and whether the policy's band holds it."""

    top_down: str  # "top-down $385,000": each of the three is kept on one line
    bottom_up: str
    gap: str
    source: str | None  # "(from the reps)" when the children's commitments add up to it
    outside: str | None  # "outside the policy's -5% to +15%" (in the locale), or None

    @property
    def text(self) -> str:
        bottom_up = f"{self.bottom_up} {self.source}" if self.source else self.bottom_up
        return " · ".join((self.top_down, bottom_up, self.gap))


@dataclass(frozen=True, slots=True)
class ProductActualRow:
    """One product line beside a node's target: won so far, and against its split."""

    name: str
    key: bool
    target: str | None  # the line's part of the target (its product split), if any
    won: str
    of_target: str | None  # won as a percent of that part
    forecast: str | None  # the pipeline forecast for the line, with one


@dataclass(frozen=True, slots=True)
class ProductActuals:
    """Per-product actuals of one amount metric on a page (templates/_product_actuals)."""

    ident: str
    metric: str
    rows: tuple[ProductActualRow, ...]
    targets: bool  # a product split exists: show target and % columns
    forecasts: bool  # a pipeline forecast exists: show its column


class Gaps(Mapping[tuple[str, str], Gap]):
    """(node, metric) -> its :class:`Gap`: ``{(g.node.id, g.target.metric): g for g in
    gaps(plan)}`` (:func:`planc.checks.gaps.gaps`), each made when it is first asked for.

    A render after one region file changed looks at the gaps of that file's nodes
    only (their pages' keys, the pages written); the whole plan's took 0.06-0.09 s
    of the parent's CPU at 10,000 reps. A node's bottom-up number is worked out as
    :func:`planc.checks.gaps.bottom_up_numbers` does it for the whole plan: its
    own commitment, else its children's numbers added up in order (a summed
    metric, every child has one), for nodes the company reaches only.
    """

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._numbers: dict[tuple[str, str], tuple[Decimal, bool] | None] = {}
        self._made: dict[tuple[str, str], Gap | None] = {}
        self._reached: set[str] | None = None
        self._every: dict[tuple[str, str], Gap] | None = None

    def __getitem__(self, key: tuple[str, str]) -> Gap:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def get(self, key: tuple[str, str], default: Gap | None = None) -> Gap | None:  # type: ignore[override]
        if key in self._made:
            made = self._made[key]
        else:
            made = self._made[key] = self._make(*key)
        return default if made is None else made

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def _all(self) -> dict[tuple[str, str], Gap]:
        if self._every is None:
            self._every = {(g.node.id, g.target.metric): g for g in gaps(self.plan)}
        return self._every

    def _make(self, node_id: str, metric_id: str) -> Gap | None:
        plan = self.plan
        node = plan.nodes.get(node_id)
        if node is None:
            return None
        target = node.targets.get(metric_id)
        if target is None or target.metric != metric_id:
            return None
        if self._reached is None:  # the nodes the whole plan's walk visits
            self._reached = {n.id for n in plan.walk()}
        if node_id not in self._reached:
            return None
        known = self._number(node, metric_id)
        if known is None:
            return None
        metric = plan.metrics.get(metric_id)
        return Gap(node, target, known[0], known[1], metric is not None and metric.is_cap)

    def _number(self, node: Node, metric_id: str) -> tuple[Decimal, bool] | None:
        """The bottom-up number of a node the company reaches (and whether it is rolled up)."""
        key = (node.id, metric_id)
        if key in self._numbers:
            return self._numbers[key]
        found: tuple[Decimal, bool] | None = None
        target = node.targets.get(metric_id)
        if target is not None:
            if target.bottom_up is not None:
                found = (target.bottom_up, False)
            else:
                metric = self.plan.metrics.get(metric_id)
                if metric is not None and metric.summed and node.children:
                    found = self._rolled_up(node, metric_id)
        self._numbers[key] = found
        return found

    def _rolled_up(self, node: Node, metric_id: str) -> tuple[Decimal, bool] | None:
        parts: list[Decimal] = []
        for child_id in node.children:
            child = self.plan.nodes.get(child_id)
            part = None if child is None else self._number(child, metric_id)
            if part is None:
                return None
            parts.append(part[0])
        return sum(parts, _ZERO), True


class Extras:
    """Progress and gap views of one plan, in its locale."""

    def __init__(self, plan: Plan, loc: Locale, actuals: SiteActuals | None) -> None:
        self.plan = plan
        self.loc = loc
        self.t = loc.t
        self.actuals = actuals
        self.gaps: Mapping[tuple[str, str], Gap] = Gaps(plan)

    # -- progress

    @property
    def tracking(self) -> bool:
        return self.actuals is not None

    def note(self) -> str | None:
        """``Progress to 15 Aug 2017 (day 46 of 92), from sales_pipeline.csv.``"""
        if self.actuals is None:
            return None
        from planc.track.tracking import elapsed_days  # noqa: PLC0415 - with actuals only

        quarter = self.plan.quarter
        return self.t["progress_note"].format(
            date=self.loc.date(self.actuals.as_of),
            day=elapsed_days(quarter, self.actuals.as_of),
            days=quarter.days,
            source=self.actuals.source,
        )

    def product_actuals(
        self, node_id: str, split_of: Callable[[str], Mapping[str, Decimal] | None], *, rep: bool
    ) -> tuple[ProductActuals, ...]:
        """Won amounts per product line of a node, beside its product split when it has one.

        ``split_of(metric)`` is the node's split of a metric's target (its own
        or its children's). Reps see theirs always; other pages only where a
        product split exists.
        """
        if self.actuals is None:
            return ()
        out: list[ProductActuals] = []
        for metric_id, items in self.actuals.products.get(node_id, ()):
            metric = self.plan.metrics[metric_id]
            split = split_of(metric_id)
            if not split and not rep:
                continue
            rows = self._product_rows(metric, items, split or {})
            if rows:
                forecasts = any(row.forecast is not None for row in rows)
                ident = f"won-by-product-{len(out)}"
                out.append(ProductActuals(ident, metric.name, rows, bool(split), forecasts))
        return tuple(out)

    def _product_rows(
        self, metric: Metric, items: Sequence[ProductProgress], split: Mapping[str, Decimal]
    ) -> tuple[ProductActualRow, ...]:
        rows = []
        for item in items:
            planned = split.get(item.product)
            expected = item.pipeline.expected if item.pipeline is not None else None
            if item.attained.is_zero() and planned is None and not expected:
                continue
            product = self.plan.products[item.product]
            of_target = percent_of(item.attained, planned) if planned else None
            rows.append(
                ProductActualRow(
                    name=product.name,
                    key=product.key,
                    target=None
                    if planned is None
                    else self.amount(planned, metric.unit, exact=True),
                    won=self.amount(item.attained, metric.unit, exact=True),
                    of_target=None if of_target is None else self.loc.percent(of_target),
                    forecast=None if expected is None else self.amount(expected, metric.unit),
                )
            )
        return tuple(rows)

    def of(self, node_id: str, metric_id: str) -> Progress | None:
        if self.actuals is None:
            return None
        return self.actuals.progress.get((node_id, metric_id))

    def amount(self, value: Decimal, unit: str, *, exact: bool = False) -> str:
        """A tracked figure: exact (attained), else rounded as people read an estimate."""
        if not exact:
            step = Decimal("0.1") if unit in ("percent", "score") else Decimal(1)
            value = value.quantize(step, rounding=ROUND_HALF_EVEN)
            if value.is_zero():
                value = value.copy_abs()
        return self.loc.value(value, unit)

    def _of_pace(self, p: Progress) -> str:
        """% of pace with the places it takes not to look like the threshold it is held to."""
        assert p.of_pace is not None
        from planc.track.tracking import percent_places  # noqa: PLC0415 - with actuals only

        warnings = self.plan.policy.warnings
        threshold = warnings.cap_above_pace if p.lower_is_better else warnings.behind_pace
        return self.loc.percent(p.of_pace, percent_places(p.of_pace, threshold))

    def progress(self, metric: Metric, node_id: str) -> ProgressView | None:
        p = self.of(node_id, metric.id)
        if p is None:
            return None
        t, loc = self.t, self.loc
        attained = "—" if p.attained is None else self.amount(p.attained, p.unit, exact=_summed(p))
        attainment = (
            None if p.attainment is None else t["of_target"].format(pct=loc.percent(p.attainment))
        )
        of_pace = None if p.of_pace is None else t["of_pace"].format(pct=self._of_pace(p))
        state = p.status.replace(" ", "-")
        to_go, per_week = self._to_go(p)
        return ProgressView(
            target=self.amount(p.target, p.unit, exact=True),
            attained=attained,
            attainment=attainment,
            pace=self.amount(p.pace, p.unit),
            of_pace=of_pace,
            forecast=None if p.forecast is None else self.amount(p.forecast, p.unit),
            status=t[_STATES.get(p.status, "st_no_data")],
            state=state,
            bar=self._bar(p, attained, attainment, of_pace),
            to_go=to_go,
            per_week=per_week,
            warning=self.warning(metric, node_id),
        )

    def _to_go(self, p: Progress) -> tuple[str | None, str | None]:
        """What is still needed, and per remaining week; only for amounts and counts to reach."""
        if p.attained is None or p.lower_is_better or p.unit in ("percent", "score"):
            return None, None
        remaining = p.target - p.attained
        if remaining <= 0:
            return self.t["target_met"], None
        if self.actuals is None:
            return None, None
        from planc.track.tracking import elapsed_days  # noqa: PLC0415 - with actuals only

        quarter = self.plan.quarter
        days_left = quarter.days - elapsed_days(quarter, self.actuals.as_of)
        to_go = self.t["to_go"].format(amount=self.amount(remaining, p.unit, exact=True))
        if days_left <= 0:
            return to_go, None
        # rounded up: what a week must bring for the remainder to be reached in time
        step = _ONE if p.unit == "currency" else Decimal("0.1")
        weekly = (remaining * 7 / days_left).quantize(step, rounding=ROUND_CEILING)
        weeks = (Decimal(days_left) / 7).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
        per_week = self.t["per_week"].format(
            amount=self.loc.value(weekly, p.unit), weeks=self.loc.number(weeks)
        )
        return to_go, per_week

    def warning(self, metric: Metric, node_id: str) -> WarningNote | None:
        """planc track's warning on this target, its headline in the page's language."""
        if self.actuals is None:
            return None
        found = self.actuals.warnings.get((node_id, metric.id))
        p = self.of(node_id, metric.id)
        if found is None or p is None or p.of_pace is None:
            return None
        key = "warn_cap" if p.lower_is_better else "warn_behind"
        headline = self.t[key].format(
            metric=metric.name,
            of_pace=self.loc.percent(p.of_pace),
            pace=self.amount(p.pace, p.unit),
        )
        return WarningNote(
            code=found.code,
            headline=headline,
            detail=Words(self.loc).render(found.message),
            # track's message is data (core.diagnostics.Message): it comes from the catalog
            detail_lang=None if isinstance(found.message, Message) else _english_on(self.loc),
        )

    def pace_chart(self, metric: Metric, node_id: str, index: int) -> PaceChart | None:
        """The cumulative pace chart of one tracked, summed target (None when it has no data)."""
        p = self.of(node_id, metric.id)
        node = self.plan.nodes.get(node_id)
        target = node.targets.get(metric.id) if node is not None else None
        if p is None or target is None or p.attained is None or not metric.summed:
            return None
        if self.actuals is None:
            return None
        from planc.track.tracking import elapsed_days, pace_of  # noqa: PLC0415 - with actuals only

        quarter, as_of = self.plan.quarter, self.actuals.as_of
        ends = [_month_end(quarter.start, quarter.end, y, m) for y, m in quarter.months]
        planned = [(0, _ZERO)] + [
            ((end - quarter.start).days + 1, pace_of(quarter, target, end, share=False))
            for end in ends
        ]
        done: list[tuple[int, Decimal]] = [(0, _ZERO)]
        total = _ZERO
        for month, end in zip(p.months, ends, strict=False):
            if month.attained is None:
                break
            total += month.attained
            day = (end - quarter.start).days + 1 if month.complete else elapsed_days(quarter, as_of)
            done.append((day, total))
        top = max([p.target, *(v for _, v in done)])
        if top <= 0:
            return None
        width, axis, span = _BAR_WIDTH, 112, 96

        def point(day: int, value: Decimal) -> PacePoint:
            x = min(day * width // quarter.days, width - 1)
            return PacePoint(x, axis - int((value * span / top).to_integral_value(ROUND_HALF_EVEN)))

        plan_points = [point(d, v) for d, v in planned]
        done_points = [point(d, v) for d, v in done]
        ticks = tuple(
            (
                plan_points[i + 1].x,
                (plan_points[i].x + plan_points[i + 1].x) // 2,
                self.loc.month(m),
            )
            for i, (_, m) in enumerate(quarter.months)
        )
        attained = self.amount(p.attained, p.unit, exact=True)
        short = self.loc.compact if p.unit == "currency" else None
        return PaceChart(
            ident=f"pace-{index}",
            metric=metric.name,
            width=width,
            height=axis + 22,
            axis=axis,
            plan_points=" ".join(f"{q.x},{q.y}" for q in plan_points),
            attained_points=" ".join(f"{q.x},{q.y}" for q in done_points),
            today=done_points[-1],
            ticks=ticks,
            target_label=short(p.target) if short else self.amount(p.target, p.unit, exact=True),
            attained_label=short(p.attained) if short else attained,
            summary=self.t["pace_summary"].format(
                attained=attained,
                pace=self.amount(p.pace, p.unit),
                target=self.amount(p.target, p.unit, exact=True),
            ),
        )

    def _bar(
        self, p: Progress, attained: str, attainment: str | None, of_pace: str | None
    ) -> ProgressBar | None:
        if p.attained is None:
            return None
        scale = max(p.target, p.attained, p.pace)
        if scale <= 0:
            return None

        def x(value: Decimal) -> int:
            return max(0, int((value * _BAR_WIDTH / scale).to_integral_value(ROUND_HALF_EVEN)))

        parts = [f"{self.t['attained']} {attained}"]
        parts += [part for part in (attainment, of_pace) if part is not None]
        return ProgressBar(
            label=" · ".join(parts),
            width=_BAR_WIDTH,
            fill=x(p.attained),
            pace=min(x(p.pace), _BAR_WIDTH - 1),
        )

    def cell(self, node_id: str, metric_id: str) -> CellProgress | None:
        p = self.of(node_id, metric_id)
        if p is None:
            return None
        if p.attained is None:
            return CellProgress("—", p.status.replace(" ", "-"))
        text = self.amount(p.attained, p.unit, exact=_summed(p))
        if p.of_pace is not None:
            text += " · " + self.t["of_pace"].format(pct=self._of_pace(p))
        return CellProgress(text, p.status.replace(" ", "-"))

    def months(
        self, node_id: str, metric_id: str, count: int
    ) -> tuple[tuple[str, bool], ...] | None:
        """(what each month attained, still in progress?); ``—`` for months to come."""
        p = self.of(node_id, metric_id)
        if p is None or len(p.months) != count:
            return None
        return tuple(self._month(p, m) for m in p.months)

    def _month(self, p: Progress, month: MonthProgress) -> tuple[str, bool]:
        if month.attained is None:
            return "—", False
        return self.amount(month.attained, p.unit, exact=_summed(p)), not month.complete

    # -- top-down vs bottom-up

    def gap(self, node_id: str, metric: Metric) -> GapView | None:
        found = self.gaps.get((node_id, metric.id))
        if found is None:
            return None
        t, loc, unit = self.t, self.loc, metric.unit
        source = t[_FROM.get(found.node.level, "from_reps")] if found.rolled_up else None
        size = (
            loc.signed_value(found.amount, "percent")
            if unit == "percent"
            else _signed(loc, found.amount, unit)
        )
        if found.percent is not None:
            size += f" ({loc.signed_percent(found.percent)})"

        band = self.plan.policy.bottom_up_gap
        mark = None
        if band is not None and outside(found, band):
            low, high = loc.signed_percent(band.min, 0), loc.signed_percent(band.max, 0)
            allowed = f"{low}\u00a0{DASH}\u00a0{high}"  # the band is not broken over two lines
            mark = t["gap_outside"].format(band=allowed)
        return GapView(
            top_down=f"{t['top_down']} {loc.value(found.top_down, unit)}",
            bottom_up=f"{t['bottom_up']} {loc.value(found.bottom_up, unit)}",
            gap=f"{t['gap']} {size}",
            source=source,
            outside=mark,
        )


def _month_end(start: date, end: date, year: int, month: int) -> date:
    """The last day of a month of the quarter, within the quarter."""
    following = date(year + month // 12, month % 12 + 1, 1)
    last = date.fromordinal(following.toordinal() - 1)
    return max(start, min(last, end))


def _signed(loc: Locale, value: Decimal, unit: str) -> str:
    if value.is_zero():
        return "±" + loc.value(_ZERO, unit)
    return ("+" if value > 0 else MINUS) + loc.value(value.copy_abs(), unit)


def _summed(p: Progress) -> bool:
    """Attained is a sum, shown exactly; a share is a division, shown rounded."""
    return p.unit != "percent"


def _english_on(loc: Locale) -> str | None:
    """``lang="en"`` for English text on a page in another language."""
    return None if loc.tag.startswith("en") else "en"
