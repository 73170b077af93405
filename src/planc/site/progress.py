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

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path, PurePath

from planc.checks.gaps import Gap, gaps, outside
from planc.core.diagnostics import Diagnostic, resolve_spans
from planc.core.locales import DASH, MINUS, Locale
from planc.core.model import Level, Metric, Plan
from planc.core.pipeline import CheckResult
from planc.core.spans import SpanResolver
from planc.track.tracking import MonthProgress, Progress, elapsed_days, percent_places

_ZERO = Decimal(0)
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


def load_site_actuals(
    result: CheckResult, path: Path, as_of: date | None, shown: str
) -> tuple[SiteActuals | None, list[Diagnostic]]:
    """Read the export with the plan's mapping: the progress, or None and the reasons.

    Problems in the export are diagnostics (errors with row numbers); with any
    error the result is None and nothing should be rendered.
    """
    from planc.track.actuals import load_actuals  # noqa: PLC0415 - pandas only when --actuals is given
    from planc.track.report import default_as_of  # noqa: PLC0415 - only with --actuals
    from planc.track.tracking import progress_by_target  # noqa: PLC0415 - only with --actuals

    plan = result.plan
    if plan is None:
        raise ValueError("progress needs a plan that was built")
    day = as_of or default_as_of(plan)
    loaded = load_actuals(path, plan, day, shown=shown, baselines=False)
    found = resolve_spans(loaded.diagnostics, SpanResolver(result.sources))
    if loaded.actuals is None or loaded.has_errors:
        return None, found
    progress = progress_by_target(plan, loaded.actuals)
    return SiteActuals(progress, day, PurePath(shown).name), found


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


class Extras:
    """Progress and gap views of one plan, in its locale."""

    def __init__(self, plan: Plan, loc: Locale, actuals: SiteActuals | None) -> None:
        self.plan = plan
        self.loc = loc
        self.t = loc.t
        self.actuals = actuals
        self.gaps: dict[tuple[str, str], Gap] = {
            (g.node.id, g.target.metric): g for g in gaps(plan)
        }

    # -- progress

    @property
    def tracking(self) -> bool:
        return self.actuals is not None

    def note(self) -> str | None:
        """``Progress to 15 Aug 2017 (day 46 of 92), from sales_pipeline.csv.``"""
        if self.actuals is None:
            return None
        quarter = self.plan.quarter
        return self.t["progress_note"].format(
            date=self.loc.date(self.actuals.as_of),
            day=elapsed_days(quarter, self.actuals.as_of),
            days=quarter.days,
            source=self.actuals.source,
        )

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


def _signed(loc: Locale, value: Decimal, unit: str) -> str:
    if value.is_zero():
        return "±" + loc.value(_ZERO, unit)
    return ("+" if value > 0 else MINUS) + loc.value(value.copy_abs(), unit)


def _summed(p: Progress) -> bool:
    """Attained is a sum, shown exactly; a share is a division, shown rounded."""
    return p.unit != "percent"
