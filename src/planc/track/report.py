"""``planc track``: wiring (plan -> actuals -> tracking) and its reports.

Text for a terminal, JSON for machines, markdown for a weekly review, CSV for
a spreadsheet. All four come from the same :class:`TrackReport`; amounts are
exact decimals (JSON and CSV write them as text so nothing rounds them).
"""

from __future__ import annotations

import io
import json
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planc import __version__
from planc.checks import CHECKS, check_directory
from planc.core.diagnostics import Counts, Diagnostic, Severity, exit_code, resolve_spans
from planc.core.markdown import code, escape
from planc.core.memory import gc_paused
from planc.core.model import Level, Plan
from planc.core.pipeline import CheckResult, compile_directory, display_path
from planc.core.reporters import diagnostic_json, diagnostic_lines
from planc.core.safetext import CsvRows, printable, printable_report, spreadsheet_text
from planc.core.source import SourceSpan
from planc.core.spans import SpanResolver
from planc.track.aggregates import Ledger
from planc.track.forecast import Estimate
from planc.track.sources import SourceChoiceError, choose_sources, read_sources
from planc.track.tracking import (
    Baseline,
    Progress,
    Tracking,
    coverage,
    fmt_number,
    fmt_percent,
    fmt_percent_apart,
    month_label,
    period_label,
    to_decimal,
    track_sources,
)

if TYPE_CHECKING:  # the segments module is imported only with --accounts
    from planc.core.locales import Words
    from planc.track.segments import SegmentReport

JSON_FORMAT_VERSION = 1
EARLY_WARNINGS = ("PLC720", "PLC721", "PLC766")  # about targets, not about the export


@dataclass(slots=True)
class TrackReport:
    """What one ``planc track`` run found: the plan's check, the actuals, the tracking.

    ``check`` is the plan's whole check when it found errors; otherwise only its
    error checks ran (:func:`check_for_track`), so it holds no warnings."""

    label: str
    actuals_path: str
    check: CheckResult
    tracking: Tracking | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    segments: SegmentReport | None = None  # with --accounts: won amount by customer segment
    source_failed: bool = False  # a database source could not be read (PLC79x): exit 2

    @property
    def plan(self) -> Plan | None:
        return self.check.plan

    def exit_code(self, *, strict: bool = False) -> int:
        if self.source_failed:
            return 2
        return exit_code(self.diagnostics, strict=strict)


class NoActualsSource(Exception):
    """Neither --actuals nor actuals.source says where the actuals are (a usage error)."""


def default_as_of(plan: Plan, today: date | None = None) -> date:
    """Today, or the quarter's last day once the quarter is over."""
    return min(today or date.today(), plan.quarter.end)


def run_track(
    plan_dir: Path,
    actuals: Path | Sequence[str] | None,
    as_of: date | None,
    *,
    baselines: bool = False,
    accounts_path: Path | None = None,
) -> TrackReport:
    """Check the plan; if it is sound, read the actuals and track every measured target
    (and, with ``accounts_path``, the won amount of each customer segment).

    ``actuals`` are the ``--actuals`` values: one export (``FILE``) for a plan
    whose ``actuals:`` is one source, ``NAME=FILE`` per source for a plan with
    ``actuals.sources``; a source given no file reads the database its
    ``source:`` names. Values that do not fit the plan raise
    :class:`NoActualsSource` (a usage error).
    """
    checked = check_for_track(plan_dir)
    values = [str(actuals)] if isinstance(actuals, Path) else list(actuals or ())
    report = TrackReport(checked.label, ", ".join(values) or "actuals.source", checked)
    plan = checked.plan
    if plan is None or checked.has_errors:
        report.diagnostics = checked.diagnostics
        return report
    day = as_of or default_as_of(plan)
    resolver = SpanResolver(checked.sources)
    try:
        chosen = choose_sources(plan, values, lambda loc: str(resolver.resolve(loc)))
    except SourceChoiceError as error:
        raise NoActualsSource(str(error)) from error
    with_accounts = [c for c in chosen if c.path is not None and "account" in c.columns]
    if accounts_path is not None and not with_accounts:
        raise NoActualsSource(
            "--accounts reads the won deals from an export with an account column: "
            "give --actuals FILE"
        )
    sources = read_sources(plan, chosen, day, baselines=baselines)
    found = sources.diagnostics
    report.actuals_path, report.source_failed = ", ".join(sources.shown), sources.failed
    if sources.complete:
        # makes ~10^5 Decimals, fractions and records and drops few: no cyclic passes
        with gc_paused():
            report.tracking = track_sources(plan, sources.read, baselines=baselines)
        found += report.tracking.warnings
    if report.tracking is not None and accounts_path is not None:
        from planc.track.segments import segment_report  # noqa: PLC0415 - only with --accounts

        export = with_accounts[0]
        assert export.path is not None
        report.segments = segment_report(
            export.plan_view(plan),
            export.path,
            accounts_path,
            day,
            shown=display_path(accounts_path),
            deals_shown=display_path(export.path),
        )
        found += report.segments.diagnostics
    with gc_paused():  # a YAML event object per node of the files with findings
        report.diagnostics = resolve_spans(found, resolver)
    return report


def check_for_track(plan_dir: Path) -> CheckResult:
    """The plan's check as track uses it: whether it has errors (then every diagnostic of
    ``planc check``, which is what track reports) and its model.

    A plan without errors is tracked and the check's warnings are not part of the report,
    so only the checks that report errors run first (measured at 1,000 reps: the warning
    and info checks ~0.03 s CPU of the ~0.06 s all checks take); should they find one,
    the plan is checked again whole, and the report is that check's, as before."""
    checked = compile_directory(plan_dir, _error_checks)
    if checked.plan is not None and checked.has_errors:
        return check_directory(plan_dir)
    return checked  # no model: no check ran, the same as check_directory's


def _error_checks(plan: Plan) -> Iterator[Diagnostic]:
    """The checks whose findings are errors, in registry order (a check's rule, and so its
    severity, is fixed: :class:`planc.checks.base.Check`)."""
    for check in CHECKS:
        if check.rule.severity is Severity.ERROR:
            yield from check.run(plan)


# --- shared pieces ----------------------------------------------------------------------


def _places(unit: str) -> int:
    return 1 if unit in ("percent", "score") else 0


def _summary(report: TrackReport) -> str:
    counts = Counts.of(report.diagnostics)
    verdict = "FAILED" if counts.errors else "OK"
    plural = "" if counts.errors == 1 else "s"
    wplural = "" if counts.warnings == 1 else "s"
    return f"{verdict}: {counts.errors} error{plural}, {counts.warnings} warning{wplural}"


def _heading(report: TrackReport) -> str:
    tracking = report.tracking
    if tracking is None:
        return f"planc track {report.label} with {report.actuals_path}"
    quarter = tracking.plan.quarter
    return (
        f"{quarter.id}: actuals from {report.actuals_path} as of {tracking.actuals.as_of} "
        f"(day {tracking.elapsed_days} of {quarter.days})"
    )


def _ledger_lines(tracking: Tracking) -> list[str]:
    """The ledger: one line, or one per source (named, with its export) with several."""
    if not tracking.several_sources:
        return [tracking.actuals.ledger.line()]
    return [
        f"{source.name} ({source.actuals.source}): {source.actuals.ledger.line()}"
        for source in tracking.sources
    ]


def _ledger(tracking: Tracking) -> Ledger:
    """Every row read, of every source."""
    if not tracking.sources:
        return tracking.actuals.ledger
    return Ledger.total([source.actuals.ledger for source in tracking.sources])


def _metrics_in_order(tracking: Tracking) -> Iterator[tuple[str, list[Progress]]]:
    by_metric: dict[str, list[Progress]] = {}
    for progress in tracking.progress:
        by_metric.setdefault(progress.metric, []).append(progress)
    yield from by_metric.items()


def _metric_title(plan: Plan, metric_id: str) -> str:
    metric = plan.metrics[metric_id]
    unit = plan.currency if metric.unit == "currency" else metric.unit
    cap = ", a cap" if metric.is_cap else ""
    return f"{metric_id} ({metric.name}, {unit}{cap})"


def _from_source(tracking: Tracking, metric_id: str) -> str:
    """' from crm': the source a metric reads, with several."""
    return f" from {tracking.source_of(metric_id)}" if tracking.several_sources else ""


def _month_headers(tracking: Tracking) -> list[str]:
    return [month_label(k) for k in tracking.periods.current]


# --- text -------------------------------------------------------------------------------


def _width(text: str) -> int:
    if text.isascii():  # no ASCII character is wide: most cells, without a lookup per character
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _pad(text: str, width: int, *, right: bool) -> str:
    gap = " " * max(width - _width(text), 0)
    return gap + text if right else text + gap


def _table(rows: list[list[str]], right_from: int) -> list[str]:
    rows = [[printable(cell) for cell in row] for row in rows]  # names from the CRM and plan
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            _pad(cell, widths[i], right=i >= right_from) for i, cell in enumerate(row)
        ).rstrip()
        for row in rows
    ]


def _diagnostic_lines(report: TrackReport) -> list[str]:
    lines: list[str] = []
    for d in report.diagnostics:
        lines += diagnostic_lines(d, report.check.sources)
    return lines


def _progress_rows(tracking: Tracking, items: list[Progress]) -> list[list[str]]:
    plan = tracking.plan
    # asked once for the table, not once per row (a walk over every item each time)
    has_stretch, has_pipeline = _has_stretch(items), _has_pipeline(items)
    header = [
        "node",
        "target",
        "attained",
        "% target",
        *(("% stretch",) if has_stretch else ()),
        "pace",
        "% pace",
        "run-rate",
        *(("pipeline", "P10-P90") if has_pipeline else ()),
        "status",
        *_month_headers(tracking),
    ]
    rows = [header]
    for p in items:
        node = plan.nodes[p.node]
        places = _places(p.unit)
        rows.append(
            [
                "  " * int(node.level) + node.name,
                fmt_number(p.target, places),
                fmt_number(p.attained, places),
                fmt_percent(p.attainment),
                *((fmt_percent(p.stretch_attainment),) if has_stretch else ()),
                fmt_number(p.pace, places),
                _of_pace_shown(tracking, p),
                fmt_number(p.forecast, places),
                *(_pipeline_cells(p.pipeline, places) if has_pipeline else ()),
                p.status,
                *(fmt_number(m.attained, places) for m in p.months),
            ]
        )
    return rows


def _has_stretch(items: list[Progress]) -> bool:
    return any(p.stretch is not None for p in items)


def _has_pipeline(items: list[Progress]) -> bool:
    return any(p.pipeline is not None for p in items)


def _pipeline_cells(estimate: Estimate | None, places: int) -> tuple[str, str]:
    if estimate is None:
        return "-", "-"
    spread = f"{fmt_number(estimate.low, places)}-{fmt_number(estimate.high, places)}"
    return fmt_number(estimate.expected, places), spread


def _product_rows(tracking: Tracking) -> list[list[str]]:
    """Won amount per product line this quarter (and its pipeline forecast), company and regions."""
    plan = tracking.plan
    shown = {n.id for n in plan.walk() if n.level in (Level.COMPANY, Level.REGION)}
    with_pipeline = tracking.forecast_method is not None
    several = tracking.several_sources
    rows = [
        [
            "node",
            *(("source",) if several else ()),
            "product",
            "attained",
            *(("pipeline", "P10-P90") if with_pipeline else ()),
        ]
    ]
    for item in tracking.products:
        if item.node not in shown:
            continue
        node = plan.nodes[item.node]
        rows.append(
            [
                "  " * int(node.level) + node.name,
                *((item.source,) if several else ()),
                plan.products[item.product].name,
                fmt_number(item.attained),
                *(_pipeline_cells(item.pipeline, 0) if with_pipeline else ()),
            ]
        )
    return rows


def _product_numbers(tracking: Tracking) -> int:
    """The first column of numbers in the product table."""
    return 3 if tracking.several_sources else 2


def _of_pace_shown(tracking: Tracking, p: Progress) -> str:
    """% of pace, with the places it takes not to look like the threshold it is held to."""
    if p.of_pace is None:
        return fmt_percent(None)
    warnings = tracking.plan.policy.warnings
    threshold = warnings.cap_above_pace if p.lower_is_better else warnings.behind_pace
    return fmt_percent_apart(p.of_pace, threshold)


def _baseline_rows(tracking: Tracking, baselines: list[Baseline]) -> list[list[str]]:
    plan = tracking.plan
    per = tracking.periods
    rows = [
        [
            "target",
            f"last quarter {period_label(per.last_quarter)}",
            "declared",
            f"last year {period_label(per.last_year)}",
            "declared",
        ]
    ]
    for b in baselines:
        places = _places(plan.metrics[b.metric].unit)
        rows.append(
            [
                f"{b.node}/{b.metric}",
                _baseline_value(
                    b.last_quarter, b.last_quarter_months, b.months, places, b.last_quarter_employed
                ),
                fmt_number(b.declared_last_quarter, places),
                _baseline_value(
                    b.last_year, b.last_year_months, b.months, places, b.last_year_employed
                ),
                fmt_number(b.declared_last_year, places),
            ]
        )
    return rows


def _baseline_value(
    value: Decimal | None, covered: int, months: int, places: int, employed: bool = True
) -> str:
    if not employed:
        return "not employed"
    if covered == 0:
        return "no data"
    text = fmt_number(value, places)
    return text if covered == months else f"{text} ({covered} of {months} months)"


def text(report: TrackReport) -> str:
    """For a terminal: the ledger, the diagnostics with their source lines, a table per metric."""
    lines = [_heading(report)]
    tracking = report.tracking
    if tracking is not None:
        lines += _ledger_lines(tracking)
    lines.append("")
    lines += _diagnostic_lines(report)
    if tracking is not None:
        plan = tracking.plan
        if tracking.forecast_method is not None:
            lines += ["", f"Pipeline forecast: {tracking.forecast_method}."]
        for metric_id, items in _metrics_in_order(tracking):
            lines += ["", _metric_title(plan, metric_id) + _from_source(tracking, metric_id)]
            lines += _table(_progress_rows(tracking, items), right_from=1)
        if tracking.products:
            lines += ["", f"products ({plan.currency}, won this quarter)"]
            lines += _table(_product_rows(tracking), right_from=_product_numbers(tracking))
        if tracking.untracked:
            lines += [
                "",
                "not tracked (no measure in actuals.metrics): " + ", ".join(tracking.untracked),
            ]
        if tracking.baselines is not None:
            lines += ["", "baselines from the export"]
            lines += _table(_baseline_rows(tracking, tracking.baselines), right_from=1)
        lines += _segment_lines(report.segments)
    elif report.plan is None or report.check.has_errors:
        lines.append("the plan has errors: fix them first (planc check shows the same)")
    lines += ["", _summary(report)]
    return printable_report("\n".join(lines).replace("\n\n\n", "\n\n") + "\n")


def _segment_lines(segments: SegmentReport | None) -> list[str]:
    if segments is None or not segments.rows:
        return []
    title = f"customer segments ({segments.accounts_path}"
    title += f"; won {segments.metric} to date" if segments.metric else ""
    title += "" if segments.new_applied else "; new customers not applied"
    rows = [["segment", "accounts", "won", "target", "attainment"]]
    for row in segments.rows:
        rows.append(
            [
                row.id + (" (key)" if row.key else ""),
                f"{row.accounts:,}",
                fmt_number(row.won),
                fmt_number(row.target),
                fmt_percent(row.attainment),
            ]
        )
    return ["", title + ")", *_table(rows, right_from=1)]


def _json_segments(segments: SegmentReport) -> dict[str, Any]:
    return {
        "accounts": segments.accounts_path,
        "metric": segments.metric,
        "new_applied": segments.new_applied,
        "rows": [
            {
                "id": r.id,
                "name": r.name,
                "key": r.key,
                "accounts": r.accounts,
                "won": _dec(r.won),
                "target": _dec(r.target),
                "attainment": _dec(r.attainment),
            }
            for r in segments.rows
        ],
    }


# --- json -------------------------------------------------------------------------------


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


CENT = Decimal("0.01")
PERCENT_PLACES = Decimal("0.0001")


def _derived(value: Decimal | None, quantum: Decimal = CENT) -> str | None:
    """A computed figure (pace, forecast, a percent) for a file: rounded once, here, for showing.

    Sums stay exact (:func:`_dec`); what planc divides is cut at cents, percents
    at four places (79.9600 beside a threshold of 80 stays 79.96, never 80.0).
    """
    if value is None:
        return None
    # plain() of the quantized value, spelled from its fixed-point text (it always has a
    # point: quantum < 1): the same digits without normalize() and int() (~15,000 calls
    # at 1,000 reps)
    text = format(value.quantize(quantum, rounding=ROUND_HALF_EVEN), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _pct(value: Decimal | None) -> str | None:
    return _derived(value, PERCENT_PLACES)


def _attained(p: Progress, value: Decimal | None) -> str | None:
    """Attained as exact as it is: a share (a division) at four places, a sum in full."""
    return _pct(value) if p.unit == "percent" else _dec(value)


def _json_progress(plan: Plan, p: Progress) -> dict[str, Any]:
    node = plan.nodes[p.node]
    return {
        "node": p.node,
        "name": node.name,
        "level": node.level.label,
        "metric": p.metric,
        "unit": p.unit,
        "lower_is_better": p.lower_is_better,
        "target": _dec(p.target),
        "attained": _attained(p, p.attained),
        "pace": _derived(p.pace),
        "forecast": _derived(p.forecast),
        "attainment_pct": _pct(p.attainment),
        "stretch": _dec(p.stretch),
        "stretch_attainment_pct": _pct(p.stretch_attainment),
        "of_pace_pct": _pct(p.of_pace),
        "pipeline_forecast": _json_estimate(p.pipeline),
        "pipeline_coverage": _json_coverage(p),
        "status": p.status,
        "months": [
            {
                "month": f"{m.year:04d}-{m.month:02d}",
                "plan": _dec(m.plan),
                "attained": _attained(p, m.attained),
                "complete": m.complete,
            }
            for m in p.months
        ],
    }


def _json_coverage(p: Progress) -> dict[str, Any] | None:
    found = coverage(p)
    if found is None:
        return None
    to_go, weighted, unweighted = found
    return {
        "to_go": _dec(to_go),
        "weighted_pct": None if weighted is None else _pct(to_decimal(weighted)),
        "unweighted_pct": None if unweighted is None else _pct(to_decimal(unweighted)),
    }


def _json_estimate(estimate: Estimate | None) -> dict[str, Any] | None:
    if estimate is None:
        return None
    return {
        "expected": _derived(estimate.expected),
        "p10": _derived(estimate.low),
        "p90": _derived(estimate.high),
        "open_weighted": _derived(estimate.open_expected),
        "open_unweighted": _derived(estimate.open_total),
        "open_deals": estimate.open_deals,
        "not_yet_created": _derived(estimate.new_expected),
    }


def _json_baseline(b: Baseline) -> dict[str, Any]:
    return {
        "node": b.node,
        "metric": b.metric,
        "last_quarter": _dec(b.last_quarter),
        "last_quarter_months_covered": b.last_quarter_months,
        "last_quarter_employed": b.last_quarter_employed,
        "last_year": _dec(b.last_year),
        "last_year_months_covered": b.last_year_months,
        "last_year_employed": b.last_year_employed,
        "months": b.months,
        "declared": {
            "last_quarter": _dec(b.declared_last_quarter),
            "last_year": _dec(b.declared_last_year),
        },
    }


def _json_ledger(ledger: Ledger) -> dict[str, Any]:
    return {
        "rows": ledger.rows,
        "counted": ledger.counted,
        "excluded": dict(ledger.excluded),
        "line": ledger.line(),
    }


def as_json(report: TrackReport) -> str:
    """Versioned JSON: ledger, diagnostics (as planc check writes them), progress, baselines."""
    counts = Counts.of(report.diagnostics)
    document: dict[str, Any] = {
        "version": JSON_FORMAT_VERSION,
        "tool": {"name": "planc", "version": __version__},
        "plan": report.label,
        "actuals": report.actuals_path,
        "counts": {"error": counts.errors, "warning": counts.warnings, "info": counts.infos},
        "diagnostics": [diagnostic_json(d) for d in report.diagnostics],
    }
    tracking = report.tracking
    if tracking is not None:
        plan = tracking.plan
        ledger = _ledger(tracking)
        document |= {
            "quarter": {
                "id": plan.quarter.id,
                "start": plan.quarter.start.isoformat(),
                "end": plan.quarter.end.isoformat(),
                "days": plan.quarter.days,
            },
            "as_of": tracking.actuals.as_of.isoformat(),
            "elapsed_days": tracking.elapsed_days,
            "currency": plan.currency,
            "ledger": _json_ledger(ledger),
            "sources": [
                {
                    "name": source.name or None,
                    "actuals": source.actuals.source,
                    "metrics": list(source.metrics),
                    "ledger": _json_ledger(source.actuals.ledger),
                }
                for source in tracking.sources
            ],
            "forecast_method": tracking.forecast_method,
            "progress": [
                _json_progress(plan, p) | {"source": tracking.source_of(p.metric) or None}
                for p in tracking.progress
            ],
            "products": [
                {
                    "node": item.node,
                    "product": item.product,
                    "attained": _dec(item.attained),
                    "pipeline_forecast": _json_estimate(item.pipeline),
                    "source": item.source or None,
                }
                for item in tracking.products
            ],
            "untracked": list(tracking.untracked),
        }
        if report.segments is not None:
            document["segments"] = _json_segments(report.segments)
        if tracking.baselines is not None:
            document["baselines"] = {
                "last_quarter": period_label(tracking.periods.last_quarter),
                "last_year": period_label(tracking.periods.last_year),
                "targets": [_json_baseline(b) for b in tracking.baselines],
            }
    # compact: the C encoder (indent would take the pure-Python one, slow on big plans)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


# --- markdown ---------------------------------------------------------------------------


def _md_number(text: str) -> str:
    """A cell planc formatted (a number, a percentage, a dash): no markdown in it to escape."""
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(
    rows: list[list[str]], right_from: int, indents: Sequence[str] | None = None
) -> list[str]:
    """Columns before ``right_from`` are names (the plan's, the export's): escaped, as
    markdown cannot hold them as written; the rest are planc's numbers. ``indents`` go before
    the first column's names, after escaping (it would fold their spaces)."""
    align = ["---:" if i >= right_from else "---" for i in range(len(rows[0]))]

    def cells(row: list[str], indent: str) -> str:
        shown = [escape(c) if i < right_from else _md_number(c) for i, c in enumerate(row)]
        shown[0] = indent + shown[0]
        return "| " + " | ".join(shown) + " |"

    out = [cells(rows[0], ""), "| " + " | ".join(align) + " |"]
    out += [cells(row, indents[n] if indents else "") for n, row in enumerate(rows[1:])]
    return out


def markdown(report: TrackReport) -> str:
    """A weekly review: ledger, early warnings, data problems, a table per metric."""
    tracking = report.tracking
    if tracking is None:
        lines = [f"# planc track: {escape(report.label)}", ""]
    else:
        quarter = tracking.plan.quarter
        share = fmt_percent(Decimal(tracking.elapsed_days * 100) / quarter.days)
        lines = [
            f"# {escape(quarter.name)}: review as of {tracking.actuals.as_of}",
            "",
            f"Actuals from {code(str(report.actuals_path), in_table=False)}, day "
            f"{tracking.elapsed_days} of "
            f"{quarter.days} ({share} of the quarter).",
            "",
            *(f"Ledger{_md_source(line)}." for line in _ledger_lines(tracking)),
            "",
        ]
        if tracking.forecast_method is not None:
            lines += [f"Pipeline forecast: {escape(tracking.forecast_method)}.", ""]
    # only this format reads messages as templates; the others do without the module
    from planc.core.locales import Words  # noqa: PLC0415

    words = Words()  # the review is in English, as the text report is
    warnings = [d for d in report.diagnostics if d.code in EARLY_WARNINGS]
    others = [d for d in report.diagnostics if d.code not in EARLY_WARNINGS]
    if tracking is not None:
        lines += [f"## Early warnings ({len(warnings)})", ""]
        lines += [_md_diagnostic(d, words) for d in warnings] or ["None: every target is on pace."]
        lines.append("")
    if others:
        lines += ["## Problems in the plan or the export", ""]
        lines += [_md_diagnostic(d, words) for d in others]
        lines.append("")
    if tracking is not None:
        plan = tracking.plan
        for metric_id, items in _metrics_in_order(tracking):
            title = _metric_title(plan, metric_id) + _from_source(tracking, metric_id)
            lines += [f"## {escape(title)}", ""]
            rows = _progress_rows(tracking, items)
            indents = [_md_indent(plan, p.node) for p in items]
            lines += _md_table(rows, right_from=1, indents=indents)
            lines.append("")
        if tracking.products:
            lines += [f"## Products ({plan.currency}, won this quarter)", ""]
            lines += _md_table(_product_rows(tracking), right_from=_product_numbers(tracking))
            lines.append("")
        if tracking.untracked:
            lines += [
                "Not tracked (no measure in actuals.metrics): "
                f"{', '.join(map(escape, tracking.untracked))}.",
                "",
            ]
        if tracking.baselines is not None:
            lines += ["## Baselines from the export", ""]
            lines += _md_table(_baseline_rows(tracking, tracking.baselines), right_from=1)
            lines.append("")
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _md_source(line: str) -> str:
    """': 8,800 rows read, ...' or ' of crm (crm.csv): ...' for a ledger line."""
    return (": " if line[:1].isdigit() else " of ") + escape(line)


def _md_indent(plan: Plan, node_id: str) -> str:
    level = plan.nodes[node_id].level
    return "" if level is Level.COMPANY else "\u00a0\u00a0" * int(level) + "└ "


def _md_diagnostic(d: Diagnostic, words: Words) -> str:
    """A finding as a list item: planc's own `code` spans as code, what the plan or the export
    wrote (an owner, a product) escaped (:meth:`Words.markdown`)."""
    span = d.span or SourceSpan("", 1, 1)
    hint = f" *{words.markdown(d.hint, in_table=False)}*" if d.hint else ""
    where = code(str(span), in_table=False)
    return f"- **{d.code}** {where}: {words.markdown(d.message, in_table=False)}.{hint}"


# --- csv --------------------------------------------------------------------------------

CSV_COLUMNS = (
    "level",
    "node",
    "name",
    "metric",
    "unit",
    "period",
    "target",
    "attained",
    "attainment_pct",
    "pace",
    "of_pace_pct",
    "forecast",
    "status",
    "last_quarter",
    "last_year",
    "pipeline_forecast",
    "pipeline_p10",
    "pipeline_p90",
    "stretch_attainment_pct",
    "product",
    "source",
)


def as_csv(report: TrackReport) -> str:
    """One row per target for the quarter, then one per target and month; exact amounts."""
    out = io.StringIO()
    writer = CsvRows(out)
    writer.writerow(CSV_COLUMNS)
    tracking = report.tracking
    if tracking is None:
        return out.getvalue()
    plan = tracking.plan
    baselines = {(b.node, b.metric): b for b in tracking.baselines or ()}
    for p in tracking.progress:
        node = plan.nodes[p.node]
        base = baselines.get((p.node, p.metric))
        # text from the plan is kept as text: a name like =HYPERLINK(...) never runs
        common = [spreadsheet_text(t) for t in (node.level.label, p.node, node.name, p.metric)]
        common.append(spreadsheet_text(p.unit))
        writer.writerow(
            [
                *common,
                "quarter",
                _dec(p.target),
                _attained(p, p.attained) or "",
                _pct(p.attainment) or "",
                _derived(p.pace),
                _pct(p.of_pace) or "",
                _derived(p.forecast) or "",
                spreadsheet_text(p.status),
                (_dec(base.last_quarter) or "") if base else "",
                (_dec(base.last_year) or "") if base else "",
                *_csv_estimate(p.pipeline),
                _pct(p.stretch_attainment) or "",
                "",
                spreadsheet_text(tracking.source_of(p.metric)),
            ]
        )
        for m in p.months:
            writer.writerow(
                [
                    *common,
                    f"{m.year:04d}-{m.month:02d}",
                    _dec(m.plan) or "",
                    _attained(p, m.attained) or "",
                    *[""] * 12,
                    spreadsheet_text(tracking.source_of(p.metric)),
                ]
            )
    _csv_products(writer, tracking)
    return out.getvalue()


def _csv_products(writer: Any, tracking: Tracking) -> None:
    """One row per node and product line: won this quarter, and its pipeline forecast."""
    plan = tracking.plan
    for item in tracking.products:
        metric = _amount_metric(plan, item.source)
        unit = plan.metrics[metric].unit if metric in plan.metrics else "currency"
        node = plan.nodes[item.node]
        writer.writerow(
            [
                *(spreadsheet_text(t) for t in (node.level.label, item.node, node.name)),
                spreadsheet_text(metric),
                spreadsheet_text(unit),
                "quarter",
                "",
                _dec(item.attained),
                *[""] * 7,
                *_csv_estimate(item.pipeline),
                "",
                spreadsheet_text(item.product),
                spreadsheet_text(item.source),
            ]
        )


def _amount_metric(plan: Plan, source: str) -> str:
    """The metric a source measures by amount (its products' won amounts are in it), or ""."""
    for mapping in plan.actuals_sources:
        if mapping.name == source:
            return next((m for m, measure in mapping.measures.items() if measure == "amount"), "")
    return ""


def _csv_estimate(estimate: Estimate | None) -> list[str]:
    if estimate is None:
        return ["", "", ""]
    return [
        _derived(estimate.expected) or "",
        _derived(estimate.low) or "",
        _derived(estimate.high) or "",
    ]


REPORTER_BY_NAME: dict[str, Callable[[TrackReport], str]] = {
    "text": text,
    "json": as_json,
    "markdown": markdown,
    "csv": as_csv,
}


def diagnostics_text(report: TrackReport) -> str:
    """Just the diagnostics, for stderr when the report itself is CSV."""
    lines = _diagnostic_lines(report)
    return "\n".join(lines) + ("\n" if lines else "")
