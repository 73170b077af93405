"""Backtest: replay an export at past as-of dates and compare each forecast with what closed.

For each calendar quarter asked for and each point of it (a third, a half,
two thirds of its days by default), the export is read as of that day (rows
closed later are open then; see :mod:`planc.track.opportunities`) and the
run-rate and pipeline forecasts of every rep are set against what the quarter
finally closed (the same export read at the quarter's last day). The method
is the one ``planc track`` uses, with the same settings in every quarter:
nothing is tuned per quarter.

The plan gives the people, reps, products and mapping; its own quarter and
targets are not used, so one plan replays any quarter its people worked.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from planc.core.diagnostics import Diagnostic, Severity
from planc.core.model import Level, Plan, Quarter
from planc.track.aggregates import Actuals
from planc.track.forecast import Forecaster
from planc.track.tracking import elapsed_days, periods

POINTS = (Decimal(1) / 3, Decimal(1) / 2, Decimal(2) / 3)
LAST = 4  # quarters replayed when none are named: a year, and a bounded run on a long export
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")


@dataclass(frozen=True, slots=True)
class Point:
    """One replayed as-of date of one quarter: the company's forecasts and the reps' errors."""

    quarter: str
    as_of: date
    day: int
    days: int
    final: Decimal  # what the quarter closed, company
    attained: Decimal  # by the as-of date
    run_rate: Decimal
    pipeline: Decimal
    low: Decimal  # the pipeline forecast's P10
    high: Decimal  # P90
    reps: int
    rep_mae_run_rate: Decimal  # mean absolute error per rep, in currency
    rep_mae_pipeline: Decimal

    @property
    def run_rate_error(self) -> Decimal | None:
        return _error(self.run_rate, self.final)

    @property
    def pipeline_error(self) -> Decimal | None:
        return _error(self.pipeline, self.final)

    @property
    def in_range(self) -> bool | None:
        """Whether P10-P90 held what closed; None when nothing closed (no test of a range)."""
        return None if self.final == 0 else self.low <= self.final <= self.high


@dataclass(slots=True)
class Backtest:
    points: list[Point] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    method: str = ""
    nothing_closed: list[str] = field(default_factory=list)  # quarters no deal closed won in

    @property
    def failed(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.diagnostics)


def _error(forecast: Decimal, final: Decimal) -> Decimal | None:
    """The forecast's error in percent of what closed; None when nothing closed (no percent
    of nothing: a forecast of 0 for an uncovered quarter is no 0.0 % error)."""
    return None if final == 0 else (forecast - final) * 100 / final


def parse_quarter(text: str) -> tuple[date, date] | None:
    """'2017-Q2' -> (2017-04-01, 2017-06-30); None when it is not one."""
    found = _QUARTER.fullmatch(text.strip())
    if found is None:
        return None
    year, number = int(found.group(1)), int(found.group(2))
    if year < 1:  # 0000-Q1: no such year in the calendar (date() refuses it)
        return None
    first = 3 * number - 2
    last = first + 2
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def covered_quarters(covered: frozenset[int], today: date, last: int = LAST) -> list[str]:
    """The quarters a backtest replays when none are named: the calendar quarters over by
    ``today`` whose every month holds a dated row of the export (``Actuals.covered``), the
    ``last`` most recent, oldest first. A quarter the export starts or ends in part of is
    left out: its close, or its pipeline, would be measured on part of its deals."""
    found = []
    for key in sorted(covered):
        # a quarter's first month (0-based months: aggregates.month_key), its three covered
        if key % 12 % 3 or key + 1 not in covered or key + 2 not in covered:
            continue
        label = quarter_label(key)
        bounds = parse_quarter(label)
        if bounds is not None and bounds[1] < today:
            found.append(label)
    return found[-last:]


def default_quarters(
    plan: Plan, path: Path, today: date, *, shown: str | None = None
) -> tuple[list[str], list[Diagnostic], frozenset[int]]:
    """:func:`covered_quarters` of the export at ``path``, with the problems reading it (its
    errors stop the backtest) and the months it covers (to tell a user given none why)."""
    from planc.track.actuals import load_actuals  # noqa: PLC0415 - pandas only when used

    loaded = load_actuals(path, plan, plan.quarter.end, shown=shown, baselines=False)
    if loaded.actuals is None or loaded.has_errors:
        return [], loaded.diagnostics, frozenset()
    covered = loaded.actuals.covered
    return covered_quarters(covered, today), [], covered


def month_label(key: int) -> str:
    """A month key (:func:`planc.track.aggregates.month_key`) as 2017-03."""
    year, month = divmod(key, 12)
    return f"{year}-{month + 1:02d}"


def quarter_label(key: int) -> str:
    """The calendar quarter a month key falls in, as 2017-Q1."""
    year, month = divmod(key, 12)
    return f"{year}-Q{month // 3 + 1}"


def quarter_of(plan: Plan, label: str, start: date, end: date) -> Plan:
    """The plan with its quarter moved to these dates (people, mapping and products kept)."""
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    quarter = Quarter(
        id=label,
        name=label,
        start=start,
        end=end,
        fiscal_year=None,
        months=tuple(months),
        loc=plan.quarter.loc,
    )
    return replace(plan, quarter=quarter)


def _won(actuals: Actuals, rep: str, months: tuple[int, ...]) -> Decimal:
    return sum(
        (cell.amount for m in months if (cell := actuals.months.get((rep, m))) is not None),
        Decimal(0),
    )


def run_backtest(
    plan: Plan,
    path: Path,
    quarters: list[str],
    points: tuple[Decimal, ...] = POINTS,
    *,
    shown: str | None = None,
) -> Backtest:
    """Replay ``path`` at ``points`` of each quarter; errors against each quarter's close."""
    from planc.track.actuals import load_actuals  # noqa: PLC0415 - pandas only when used

    result = Backtest()
    reps = [n.id for n in plan.walk() if n.level is Level.REP]
    for label in quarters:
        bounds = parse_quarter(label)
        if bounds is None:
            raise ValueError(f"{label!r} is not a quarter such as 2017-Q3")
        moved = quarter_of(plan, label, *bounds)
        months = periods(moved.quarter).current
        closed = load_actuals(path, moved, moved.quarter.end, shown=shown, baselines=False)
        _add_new(result.diagnostics, closed.diagnostics)
        if closed.actuals is None or closed.has_errors:
            return result
        final = {rep: _won(closed.actuals, rep, months) for rep in reps}
        if not any(final.values()):
            result.nothing_closed.append(label)
        for point in points:
            day = max(int(point * moved.quarter.days), 1)
            as_of = date.fromordinal(moved.quarter.start.toordinal() + day - 1)
            loaded = load_actuals(path, moved, as_of, shown=shown, baselines=False)
            if loaded.actuals is None or loaded.actuals.pipeline is None:
                _add_new(result.diagnostics, loaded.diagnostics)
                return result
            forecaster = Forecaster(moved, loaded.actuals.pipeline, as_of)
            result.method = forecaster.method
            result.points.append(
                _point(moved, loaded.actuals, forecaster, reps, months, final, as_of)
            )
    return result


def _add_new(found: list[Diagnostic], more: list[Diagnostic]) -> None:
    """``more`` added to ``found`` but those already there: every replay reads the same
    export, and its warnings are the same each time."""
    seen = {(d.code, d.message, d.span) for d in found}
    found += [d for d in more if (d.code, d.message, d.span) not in seen]


def _point(
    plan: Plan,
    actuals: Actuals,
    forecaster: Forecaster,
    reps: list[str],
    months: tuple[int, ...],
    final: dict[str, Decimal],
    as_of: date,
) -> Point:
    quarter = plan.quarter
    elapsed = elapsed_days(quarter, as_of)
    run_errors, pipe_errors = Decimal(0), Decimal(0)
    attained_total = Decimal(0)
    for rep in reps:
        attained = _won(actuals, rep, months)
        attained_total += attained
        run_rate = attained * quarter.days / elapsed
        pipeline = forecaster.estimate([rep], attained, "amount").expected
        run_errors += abs(run_rate - final[rep])
        pipe_errors += abs(pipeline - final[rep])
    company = forecaster.estimate(reps, attained_total, "amount")
    return Point(
        quarter=quarter.id,
        as_of=as_of,
        day=elapsed,
        days=quarter.days,
        final=sum(final.values(), Decimal(0)),
        attained=attained_total,
        run_rate=attained_total * quarter.days / elapsed,
        pipeline=company.expected,
        low=company.low,
        high=company.high,
        reps=len(reps),
        rep_mae_run_rate=run_errors / len(reps),
        rep_mae_pipeline=pipe_errors / len(reps),
    )


# --- the report ---------------------------------------------------------------------------

HEADER = (
    "quarter",
    "as of",
    "day",
    "closed",
    "run-rate",
    "error",
    "pipeline",
    "error",
    "P10-P90 holds it",
    "rep MAE run-rate",
    "rep MAE pipeline",
)


def _signed(value: Decimal | None) -> str:
    if value is None:
        return "-"
    text = f"{value.quantize(Decimal('0.1')):+,}%"
    return text.replace("+0.0%", "0.0%").replace("-0.0%", "0.0%")


def rows(result: Backtest) -> list[list[str]]:
    """The table as text cells: one row per replayed date."""
    out = [list(HEADER)]
    for p in result.points:
        out.append(
            [
                p.quarter,
                p.as_of.isoformat(),
                f"{p.day}/{p.days}",
                _whole(p.final),
                _whole(p.run_rate),
                _signed(p.run_rate_error),
                _whole(p.pipeline),
                _signed(p.pipeline_error),
                "-" if p.in_range is None else "yes" if p.in_range else "no",
                _whole(p.rep_mae_run_rate),
                _whole(p.rep_mae_pipeline),
            ]
        )
    return out


def _whole(value: Decimal) -> str:
    return f"{value.quantize(Decimal(1)):,}"


def as_text(result: Backtest) -> str:
    table = rows(result)
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    lines = [
        "  ".join(
            c.rjust(w) if i > 1 else c.ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in table
    ]
    return "\n".join([*lines, "", f"pipeline: {result.method}", _legend()]) + "\n"


def as_markdown(result: Backtest) -> str:
    table = rows(result)
    lines = ["| " + " | ".join(table[0]) + " |", "|---|---|" + "---:|" * (len(table[0]) - 2)]
    lines += ["| " + " | ".join(r) + " |" for r in table[1:]]
    return "\n".join([*lines, "", f"Pipeline: {result.method}.", "", _legend()]) + "\n"


def _legend() -> str:
    return (
        "error: (forecast - closed) / closed for the company; rep MAE: the mean absolute "
        "error of the reps' forecasts against what each closed, in the plan's currency"
    )


def _percent(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(Decimal("0.01")))


def as_json(result: Backtest) -> dict[str, object]:
    return {
        "method": result.method,
        "nothing_closed": result.nothing_closed,
        "points": [
            {
                "quarter": p.quarter,
                "as_of": p.as_of.isoformat(),
                "day": p.day,
                "days": p.days,
                "closed": str(p.final),
                "attained": str(p.attained),
                "run_rate": str(p.run_rate.quantize(Decimal("0.01"))),
                "run_rate_error_pct": _percent(p.run_rate_error),
                "pipeline": str(p.pipeline.quantize(Decimal("0.01"))),
                "pipeline_error_pct": _percent(p.pipeline_error),
                "p10": str(p.low.quantize(Decimal("0.01"))),
                "p90": str(p.high.quantize(Decimal("0.01"))),
                "reps": p.reps,
                "rep_mae_run_rate": str(p.rep_mae_run_rate.quantize(Decimal("0.01"))),
                "rep_mae_pipeline": str(p.rep_mae_pipeline.quantize(Decimal("0.01"))),
            }
            for p in result.points
        ],
    }
