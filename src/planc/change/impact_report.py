"""The impact of a plan change as text, markdown (one sticky PR comment) or JSON.

Renderers only format :class:`planc.change.diff.Impact`; they compute nothing that
matters. The markdown is one pull-request comment: a hidden marker so CI
updates it in place, a one-sentence summary, a table of checks and policy, a
table of changed scopes only, ``<details>`` per region, and everything a user
wrote (names, notes, branch names) escaped so it cannot mention anyone, inject
HTML or links, or break a table. It stays under GitHub's 65,536-character
limit by folding detail, and says so when it does.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from planc import __version__
from planc.change.diff import (
    Approval,
    GapChange,
    GapSide,
    Impact,
    MetricTotal,
    Reconciliation,
    TargetDelta,
)
from planc.checks.approvals import size_text
from planc.core.diagnostics import Diagnostic, Severity
from planc.core.markdown import JOINER, clean, defuse_links, escape, github_length
from planc.core.markdown import code as markdown_code
from planc.core.model import Level
from planc.core.numbers import grouped as amount
from planc.core.numbers import plain
from planc.core.reporters import diagnostic_json
from planc.core.safetext import printable, printable_report

MARKER = "<!-- planc:impact -->"
# The only raw HTML the comment holds (besides MARKER); `planc comment` refuses a report with any other.
HTML_TAGS = frozenset(("<details>", "</details>", "<summary>", "</summary>", "<sub>", "</sub>"))
JSON_FORMAT_VERSION = 1
GITHUB_COMMENT_LIMIT = 65_536
# Room below GitHub's limit for what a commenting action adds (its own marker, a header).
COMMENT_BUDGET = GITHUB_COMMENT_LIMIT - 1_536
TOP_TABLE_ROWS = 25  # changed scopes listed one by one up to this; grouped beyond
FOLDED_LIST = 20  # approvers, problems and records shown once the comment has to fold

ICON_OK, ICON_WARN, ICON_FAIL, ICON_WAIT = "✅", "⚠️", "❌", "⏳"
_HTML_PUNCTUATION = str.maketrans(
    {"[": "&#91;", "]": "&#93;", "(": "&#40;", ")": "&#41;", "`": "&#96;", "|": "&#124;"}
)


# --- escaping: nothing a user wrote can mention, link, inject HTML or break a table ---------
# (planc.core.markdown holds the rules; the caches matter because names repeat on every row)


@lru_cache(maxsize=65_536)
def md(text: str) -> str:
    """User text for a markdown paragraph or table cell: renders as itself, inert."""
    return escape(text)


@lru_cache(maxsize=4_096)
def html_text(text: str) -> str:
    """User text inside raw HTML (a ``<summary>``): entities, and no mention or link."""
    escaped = html.escape(clean(text), quote=True)
    escaped = escaped.replace("@", "@" + JOINER).replace("#", "#" + JOINER)
    # Raw HTML is not read as markdown on GitHub, but entities cost nothing and hold either way.
    escaped = escaped.translate(_HTML_PUNCTUATION)
    return defuse_links(escaped)


@lru_cache(maxsize=65_536)
def code(text: str, *, in_table: bool = True) -> str:
    """Inline code (ids, paths, handles): no markdown inside; pipes escaped for tables."""
    return markdown_code(text, in_table=in_table)


# --- numbers ---------------------------------------------------------------------------------


def signed(value: Decimal) -> str:
    if value == 0:
        return "0"
    return ("+" if value > 0 else "-") + amount(abs(value))


def pct(value: Decimal | None) -> str:
    if value is None:
        return "n/a"
    rounded = value.quantize(Decimal("0.1"))
    if rounded == 0:
        return "0.0%"
    return f"{'+' if rounded > 0 else ''}{rounded:f}%"


def _share(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value.quantize(Decimal('0.1')):f}%"


def _with_unit(value: Decimal | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{amount(value)}%" if unit == "percent" else amount(value)


def _delta_text(delta: Decimal | None, unit: str) -> str:
    if delta is None:
        return "—"
    return f"{signed(delta)} pp" if unit == "percent" else signed(delta)


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (plural or word + 's')}"


def _listing(items: list[str], limit: int = 3) -> str:
    if len(items) <= limit:
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    return ", ".join(items[:limit]) + f" and {len(items) - limit:,} more"


# --- what a renderer needs to know about an impact -----------------------------------------


def _unit(impact: Impact, metric: str) -> str:
    for plan in (impact.head.plan, impact.base.plan):
        if plan is not None and metric in plan.metrics:
            return plan.metrics[metric].unit
    return "count"


def _metric_name(impact: Impact, metric: str) -> str:
    for plan in (impact.head.plan, impact.base.plan):
        if plan is not None and metric in plan.metrics:
            return plan.metrics[metric].name
    return metric


def _is_error(d: Diagnostic) -> bool:
    return d.severity is Severity.ERROR


def _head_counts(impact: Impact) -> tuple[int, int]:
    found = impact.head_diagnostics
    return (
        sum(d.severity is Severity.ERROR for d in found),
        sum(d.severity is Severity.WARNING for d in found),
    )


def _move(impact: Impact) -> tuple[TargetDelta, TargetDelta] | None:
    """Two changes of one metric that cancel out: a number moved from one node to another."""
    if len(impact.changes) != 2:
        return None
    a, b = impact.changes
    if a.metric != b.metric or a.delta is None or b.delta is None or a.delta + b.delta != 0:
        return None
    return (a, b) if a.delta < 0 else (b, a)


def _where(impact: Impact, name: Callable[[str], str]) -> str:
    regions = impact.regions
    if not regions:
        return "the company's own targets"
    if len(regions) <= 3:
        return _listing([name(impact.name_of(r)) for r in regions])
    return _plural(len(regions), "region")


def _quarter_shape(impact: Impact) -> str:
    plan = impact.head.plan
    if plan is None:
        return ""
    levels = [n.level for n in plan.nodes.values()]
    return (
        f"{_plural(levels.count(Level.REGION), 'region')}, "
        f"{_plural(levels.count(Level.TEAM), 'team')} and {_plural(levels.count(Level.REP), 'rep')}"
    )


def summary_sentence(impact: Impact, name: Callable[[str], str] = lambda s: s) -> str:
    """One sentence: what changed, what it does to the totals, checks, records, approvals."""
    q = impact.quarter
    errors, _ = _head_counts(impact)
    if impact.status == "removed":
        return f"The quarter {q} is removed: {impact.folder} no longer exists at head."
    if impact.status == "head-invalid":
        return (
            f"The plan at head does not compile ({_plural(errors, 'error')}), so the impact of "
            "the change cannot be computed: fix the errors below first."
        )
    if impact.status == "unchanged":
        return f"No target, person or plan file of {q} changed."
    parts: list[str] = []
    if impact.status == "new":
        first = f"New quarter {q} with {_quarter_shape(impact)}"
        headline = next((t for t in impact.totals if t.target_after is not None), None)
        if headline is not None:
            first += (
                f"; company {name(headline.name)} target "
                f"{_with_unit(headline.target_after, headline.unit)}"
                + (f" {impact.currency}" if headline.unit == "currency" else "")
            )
        parts.append(first)
    elif impact.status == "base-invalid":
        parts.append(f"The base plan of {q} does not compile, so only the plan at head is judged")
    else:
        parts.append(_what_changed(impact, name))
        parts.append(_totals_phrase(impact, name))
        added = sum(r.added for r in impact.reps)
        removed = len(impact.reps) - added
        if added or removed:
            parts.append(
                " and ".join(
                    p
                    for p in (
                        _plural(added, "rep") + " added" if added else "",
                        _plural(removed, "rep") + " removed" if removed else "",
                    )
                    if p
                )
            )
    parts.append(_checks_phrase(impact))
    outside = sum(g.moved_outside for g in impact.gaps)
    if outside:
        parts.append(
            f"{_plural(outside, 'bottom-up gap')} "
            f"{'moves' if outside == 1 else 'move'} outside policy.bottom_up_gap"
        )
    if impact.uncovered:
        parts.append(
            f"{_plural(len(impact.uncovered), 'change')} "
            f"{'has' if len(impact.uncovered) == 1 else 'have'} no adjustment record"
        )
    pending = [a for a in impact.approvals if not a.recorded]
    if pending:
        names = [name(a.name) for a in pending]
        parts.append(f"{_listing(names)} must approve")
    return "; ".join(p for p in parts if p) + "."


def _what_changed(impact: Impact, name: Callable[[str], str]) -> str:
    move = _move(impact)
    if move is not None:
        source, dest = move
        unit = _unit(impact, source.metric)
        money = f" {impact.currency}" if unit == "currency" else ""
        assert dest.delta is not None
        return (
            f"{name(_metric_name(impact, source.metric))} of {_with_unit(dest.delta, unit)}{money} "
            f"moves from {name(source.name)} to {name(dest.name)} in {_where(impact, name)}"
        )
    if impact.changes:
        return f"{_plural(len(impact.changes), 'target')} change in {_where(impact, name)}"
    if impact.details:
        return (
            f"No target value changed, but {_plural(len(impact.details), 'target')} "
            "had their phasing, split, deadline, owner or bottom-up number changed"
        )
    if impact.reps:
        return "No target value changed"
    if impact.moved_from and not impact.files:
        return f"No target value changed; the quarter folder is renamed from {impact.moved_from}"
    return f"No target value changed; {_plural(len(impact.files), 'plan file')} changed in layout or comments"


def _totals_phrase(impact: Impact, name: Callable[[str], str]) -> str:
    if not impact.changes:
        return ""
    moved = [t for t in impact.totals if t.target_before != t.target_after]
    if moved:
        bits = []
        for t in moved[:2]:
            money = f" {impact.currency}" if t.unit == "currency" else ""
            delta = pct(_pct_change(t.target_before, t.target_after))
            bits.append(
                f"company {name(t.name)} {_with_unit(t.target_before, t.unit)} → "
                f"{_with_unit(t.target_after, t.unit)}{money} ({delta})"
            )
        if len(moved) > 2:
            bits.append(f"{len(moved) - 2} more company targets")
        return ", ".join(bits)
    quotas = [t for t in impact.totals if t.quotas_before != t.quotas_after]
    if quotas:
        bits = [
            f"reps' {name(t.name)} quotas {_delta_text(_diff(t.quotas_before, t.quotas_after), t.unit)}"
            for t in quotas[:2]
        ]
        return "company targets are unchanged, " + ", ".join(bits)
    return "company totals are unchanged"


def _checks_phrase(impact: Impact) -> str:
    new_errors = sum(_is_error(d) for d in impact.introduced)
    fixed = len(impact.fixed)
    errors, _ = _head_counts(impact)
    bits = []
    if new_errors:
        bits.append(f"it introduces {_plural(new_errors, 'error')}")
    if fixed:
        bits.append(f"fixes {_plural(fixed, 'problem')}")
    if not new_errors and errors - len(impact.uncovered) > 0:
        bits.append(f"the plan still has {_plural(errors - len(impact.uncovered), 'error')}")
    if not bits:
        return "every check passes" if errors == 0 else ""
    return " and ".join(bits)


def _pct_change(before: Decimal | None, after: Decimal | None) -> Decimal | None:
    if before is None or after is None or before == 0:
        return None
    return (after - before) * 100 / abs(before)


def _diff(before: Decimal | None, after: Decimal | None) -> Decimal | None:
    if before is None and after is None:
        return None
    return (after or Decimal(0)) - (before or Decimal(0))


def _tiers_text(impact: Impact) -> str:
    parts = []
    for tier in impact.tiers:
        who = tier.approver.replace("_", " ")
        parts.append(
            f"up to {amount(tier.up_to)}%: {who}" if tier.up_to is not None else f"above: {who}"
        )
    return "; ".join(parts)


# --- markdown ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fold:
    """How much detail the comment shows (None: all)."""

    rows_per_region: int | None = None
    list_cap: int | None = None

    @property
    def folded(self) -> bool:
        return self.rows_per_region is not None or self.list_cap is not None


def render_markdown(impacts: list[Impact], limit: int = COMMENT_BUDGET) -> str:
    """The PR comment, folded until it fits ``limit`` characters.

    Folding goes in steps: everything; then lists (approvers, problems, records) cut to
    a few and as many changed targets per region as fit; then no rows per region and
    as much of the lists as fits; last, a cut at a line.
    """
    text = _markdown(impacts, Fold())
    if _size(text) <= limit:
        return text
    most = max((len(i.changes) for i in impacts), default=0)
    best = _largest_fitting(
        lambda n: _markdown(impacts, Fold(rows_per_region=n, list_cap=FOLDED_LIST)), most, limit
    )
    if best is not None:
        return best
    best = _largest_fitting(
        lambda n: _markdown(impacts, Fold(rows_per_region=0, list_cap=n)), FOLDED_LIST, limit
    )
    if best is not None:
        return best
    return _truncated(_markdown(impacts, Fold(rows_per_region=0, list_cap=0)), limit)


def _size(text: str) -> int:
    return github_length(text)


def _largest_fitting(make: Callable[[int], str], most: int, limit: int) -> str | None:
    low, high, best = 0, most, None
    while low <= high:
        middle = (low + high) // 2
        text = make(middle)
        if _size(text) <= limit:
            best, low = text, middle + 1
        else:
            high = middle - 1
    return best


def _truncated(text: str, limit: int) -> str:
    note = (
        f"\n\n{ICON_WARN} Cut at GitHub's comment limit: run `planc diff` locally for the rest.\n"
    )
    lines, size = [], _size(note)
    for line in text.splitlines():
        if size + _size(line) + 1 > limit:
            break
        lines.append(line)
        size += _size(line) + 1
    return "\n".join(lines) + note


def _markdown(impacts: list[Impact], fold: Fold) -> str:
    out = [MARKER]
    changed = [i for i in impacts if i.has_changes]
    quiet = [i for i in impacts if not i.has_changes]
    if not changed:
        out += ["", f"### {ICON_OK} planc: no plan changes", ""]
        listed = ", ".join(code(i.quarter, in_table=False) for i in quiet)
        out.append(f"No target, person or plan file changed ({listed})." if listed else "No plans.")
    for impact in changed:
        out += _impact_markdown(impact, fold)
    if changed and quiet:
        out += ["", "Unchanged: " + ", ".join(code(i.quarter, in_table=False) for i in quiet) + "."]
    first = impacts[0] if impacts else None
    footer = f"<sub>planc {__version__}"
    if first is not None:
        footer += (
            f" · compared {code(first.base.label, in_table=False)} → "
            f"{code(first.head.label, in_table=False)}"
        )
    footer += " · this comment is updated in place on every push</sub>"
    out += ["", footer]
    return "\n".join(out) + "\n"


def _status_icon(impact: Impact) -> str:
    errors, _ = _head_counts(impact)
    if errors or impact.status in ("head-invalid",):
        return ICON_FAIL
    if any(d.severity is Severity.WARNING for d in impact.introduced):
        return ICON_WARN
    if _pending(impact):  # never a green tick before everyone who must approve has
        return ICON_WAIT
    return ICON_OK


def _pending(impact: Impact) -> int:
    return sum(1 for a in impact.approvals if not a.recorded)


def _awaiting(impact: Impact) -> str:
    """`` · awaiting 2 approvals`` in the heading while any is missing."""
    pending = _pending(impact)
    return f" · awaiting {_plural(pending, 'approval')}" if pending else ""


def _headline(impact: Impact) -> str:
    if impact.status == "new":
        return "new quarter"
    if impact.status == "removed":
        return "quarter removed"
    if impact.status == "head-invalid":
        return "plan does not compile"
    if impact.changes:
        return _plural(len(impact.changes), "target") + " changed"
    if impact.details:
        return _plural(len(impact.details), "target detail") + " changed"
    if impact.reps:
        return _plural(len(impact.reps), "rep") + " added or removed"
    return "plan files changed"


def _impact_markdown(impact: Impact, fold: Fold) -> list[str]:
    out = [
        "",
        f"### {_status_icon(impact)} planc · {md(impact.quarter_name)} ({code(impact.quarter, in_table=False)}): "
        f"{_headline(impact)}{_awaiting(impact)}",
        "",
        summary_sentence(impact, md),
    ]
    if fold.folded:
        shown = sum(min(len(g), fold.rows_per_region or 0) for g in _by_region(impact).values())
        out += [
            "",
            f"> {ICON_WARN} **Shortened** to stay under GitHub's {GITHUB_COMMENT_LIMIT:,}-character "
            f"comment limit: the details list {shown:,} of {len(impact.changes):,} changed targets. "
            "Run `planc diff` (or `planc diff --format json`) for all of them.",
        ]
    out += ["", *_checks_table(impact)]
    if impact.status == "head-invalid":
        out += [
            "",
            *_diagnostic_list("Errors at head", impact.head_diagnostics, fold, error_only=True),
        ]
        return out
    if impact.uncovered:
        out += [
            "",
            *_diagnostic_list("Changes without an adjustment record", impact.uncovered, fold),
        ]
    new_problems = [d for d in impact.introduced if d.severity is not Severity.INFO]
    if new_problems:
        out += ["", *_diagnostic_list("New problems", new_problems, fold)]
    if impact.status in ("changed", "new", "base-invalid"):
        out += ["", *_totals_table(impact)]
    if impact.changes:
        out += ["", *_scopes_table(impact)]
    if impact.gaps:
        out += ["", *_gaps_md(impact, fold)]
    if impact.records:
        out += ["", *_records_md(impact, fold)]
    if impact.approvals:
        out += ["", *_approvals_md(impact, fold)]
    for region, changes in _by_region(impact).items():
        out += ["", *_region_details(impact, region, changes, fold)]
    if impact.fixed:
        out += ["", *_fixed_details(impact, fold)]
    if impact.files or impact.moved_from:
        out += ["", _files_line(impact)]
    return out


def _checks_table(impact: Impact) -> list[str]:
    rows: list[tuple[str, str, str]] = []
    errors, warnings = _head_counts(impact)
    compiled = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} at head"
    new_errors = sum(_is_error(d) for d in impact.introduced)
    if new_errors:
        compiled += f" ({new_errors:,} new)"
    if impact.fixed:
        compiled += f", {len(impact.fixed):,} fixed"
    rows.append((ICON_FAIL if errors else ICON_OK, "Plan compiles and checks pass", compiled))
    if impact.status in ("changed", "base-invalid"):
        rows.append(_reconciliation_row(impact))
        if impact.gaps:
            rows.append(_gaps_row(impact))
        rows.append(_records_row(impact))
        rows.append(_approvals_row(impact))
        if impact.drift is not None:
            rows.append(_drift_row(impact))
    elif impact.status == "new":
        rows.append(_approvals_row(impact))
    lines = ["| | Check | Result |", "|:-:|:--|:--|"]
    lines += [f"| {icon} | {what} | {result} |" for icon, what, result in rows]
    return lines


def _reconciliation_row(impact: Impact) -> tuple[str, str, str]:
    family = [d for d in impact.introduced if _reconciliation_code(d.code)]
    fixed = [d for d in impact.fixed if _reconciliation_code(d.code)]
    out_of_band = [r for r in impact.reconciliation if r.ok() is False]
    if any(_is_error(d) for d in family):
        icon, text = ICON_FAIL, f"{_plural(sum(_is_error(d) for d in family), 'new error')}"
    elif family:
        icon, text = ICON_WARN, f"{_plural(len(family), 'new warning')}"
    else:
        icon, text = ICON_OK, "no new problems"
    if fixed:
        text += f", {len(fixed):,} fixed"
    checked = len(impact.reconciliation)
    if checked:
        where = "all inside" if not out_of_band else f"{len(out_of_band):,} outside"
        values_only = all(r.part == "value" for r in impact.reconciliation)
        bands = f"the {_band(impact)} band" if values_only else "their policy bands"
        text += f"; {_plural(checked, 'parent target')} re-checked, {where} {bands}"
    return icon, "Reconciliation and over-assignment", text


def _reconciliation_code(code: str) -> bool:
    # Bottom-up gaps (PLC310, PLC311) have a row of their own.
    return code.startswith("PLC3") and code not in ("PLC310", "PLC311")


def _gap_band(impact: Impact) -> str:
    band = impact.gap_band
    if band is None:
        return ""
    return f"{pct(band.min)} to {pct(band.max)}"


def _gaps_row(impact: Impact) -> tuple[str, str, str]:
    what = "Top-down vs bottom-up gaps"
    count = _plural(len(impact.gaps), "gap") + " changed"
    if impact.gap_band is None:
        return ICON_OK, what, f"{count} (the policy sets no bottom_up_gap band)"
    outside = sum(g.moved_outside for g in impact.gaps)
    back = sum(g.moved_inside for g in impact.gaps)
    text = f"{count}; " + (
        f"{outside:,} {'moves' if outside == 1 else 'move'} outside" if outside else "none leaves"
    )
    text += f" the {_gap_band(impact)} band"
    if back:
        text += f", {back:,} back inside"
    return (ICON_WARN if outside else ICON_OK), what, text


def _gap_text(side: GapSide | None, unit: str) -> str:
    """``+19,000 (+5.2%)``, or ``—`` where there is no bottom-up number."""
    if side is None:
        return "—"
    share = "" if side.percent is None else f" ({pct(side.percent)})"
    return f"{_delta_text(side.amount, unit)}{share}"


def _gap_numbers(
    before: GapSide | None, after: GapSide | None, unit: str, which: str, arrow: str = "→"
) -> tuple[str, bool]:
    """Top-down or bottom-up before → after (one number when it stayed), and rolled up?"""
    old: Decimal | None = getattr(before, which) if before is not None else None
    new: Decimal | None = getattr(after, which) if after is not None else None
    side = after if after is not None else before
    rolled = side is not None and side.rolled_up
    if old == new or old is None:
        return _with_unit(new, unit), rolled
    return f"{_with_unit(old, unit)} {arrow} {_with_unit(new, unit)}", rolled


def _gap_verdict(gap: GapChange, band: str) -> str:
    if gap.moved_outside:
        return f"{ICON_WARN} moves outside {band}"
    if gap.moved_inside:
        return f"{ICON_OK} back inside {band}"
    if gap.after is not None and gap.after.outside:
        return f"{ICON_WARN} still outside {band}"
    return ""


def _gaps_md(impact: Impact, fold: Fold) -> list[str]:
    cap = fold.list_cap
    shown = impact.gaps if cap is None else impact.gaps[:cap]
    band = _gap_band(impact)
    lines = [
        "**Top-down vs bottom-up** (gap: how much more the target asks than its owner commits to"
        + (f"; policy band {band} of the commitment)" if band else ")"),
        "",
        "| Target | Top-down | Bottom-up | Gap before | Gap after | Policy band |",
        "|:--|--:|--:|--:|--:|:--|",
    ]
    for g in shown:
        unit = _unit(impact, g.metric)
        top, _ = _gap_numbers(g.before, g.after, unit, "top_down")
        bottom, rolled = _gap_numbers(g.before, g.after, unit, "bottom_up")
        if rolled:
            bottom += f" (from the {_below(g.level)})"
        lines.append(
            f"| {md(g.name)} · {md(_metric_name(impact, g.metric))} | {top} | {bottom} "
            f"| {_gap_text(g.before, unit)} | **{_gap_text(g.after, unit)}** "
            f"| {_gap_verdict(g, band)} |"
        )
    if len(shown) < len(impact.gaps):
        lines += ["", f"…and {len(impact.gaps) - len(shown):,} more changed gaps."]
    return lines


def _below(level: Level) -> str:
    return {Level.COMPANY: "regions", Level.REGION: "teams"}.get(level, "reps")


def _band(impact: Impact) -> str:
    plan = impact.head.plan
    if plan is None:
        return ""
    band = plan.policy.over_assignment
    return f"{amount(100 + band.min)}–{amount(100 + band.max)}%"  # noqa: RUF001 - en dash meant


def _records_row(impact: Impact) -> tuple[str, str, str]:
    total = len(impact.changes) - sum(1 for c in impact.changes if c.after is None)
    ids = sorted({r for c in impact.changes for r in c.covered_by})
    if impact.uncovered:
        return (
            ICON_FAIL,
            "Every change has an adjustment record",
            f"{len(impact.uncovered):,} of {total:,} changed targets "
            f"{'has' if len(impact.uncovered) == 1 else 'have'} none (PLC610)",
        )
    if not total:
        return ICON_OK, "Every change has an adjustment record", "no target value changed"
    causes = {r.id: r.cause for r in impact.records}
    named = ", ".join(
        f"{code(i)} ({md(causes[i])})" if i in causes else code(i) for i in ids[:5]
    ) + (f" and {len(ids) - 5:,} more" if len(ids) > 5 else "")
    return ICON_OK, "Every change has an adjustment record", f"{total:,} covered by {named}"


def _approvals_row(impact: Impact) -> tuple[str, str, str]:
    what = "Approvals the policy requires"
    if not impact.approvals:
        text = "none (the policy has no approval tiers)" if not impact.tiers else "none"
        return ICON_OK, what, text
    pending = [a for a in impact.approvals if not a.recorded]
    people = [_person_md(a) for a in (pending or impact.approvals)]
    if pending:
        return ICON_WAIT, what, "review needed from " + _listing(people, 4)
    return ICON_OK, what, "recorded in the adjustment records: " + _listing(people, 4)


def _person_md(approval: Approval) -> str:
    handle = f" {code('@' + approval.github)}" if approval.github else " (no GitHub handle)"
    return md(approval.name) + handle


def _drift_row(impact: Impact) -> tuple[str, str, str]:
    drift = impact.drift
    assert drift is not None
    what = f"Drift from the approved plan {code(drift.ref)}"
    if not drift.available:
        return ICON_WARN, what, "not measured: " + md(drift.reason or "unknown")
    moved = [t for t in drift.totals if t.target_before != t.target_after]
    if not moved:
        text = f"company targets as approved; {_plural(drift.changed_targets, 'target')} differ"
    else:
        bits = [
            f"{md(t.name)} {pct(_pct_change(t.target_before, t.target_after))}" for t in moved[:3]
        ]
        text = "company " + ", ".join(bits) + f"; {_plural(drift.changed_targets, 'target')} differ"
    return ICON_OK, what, text


def _totals_table(impact: Impact) -> list[str]:
    money = f" ({code(impact.currency, in_table=False)} for amounts)" if impact.currency else ""
    shown = [t for t in impact.totals if t.changed or impact.status != "changed"]
    shown = [t for t in shown if (t.target_after, t.quotas_after) != (None, None)]
    if not shown:
        return ["**Totals:** every company target and the reps' quotas, added up, are unchanged."]
    lines = [
        f"**Totals**{money}",
        "",
        "| Metric | Company target | Δ | Reps' quotas, added up | Δ |",
        "|:--|--:|--:|--:|--:|",
    ]
    for t in shown:
        lines.append(
            f"| {md(t.name)} | {_before_after(t.target_before, t.target_after, t.unit)} "
            f"| {_delta_cell(t.target_before, t.target_after, t.unit)} "
            f"| {_before_after(t.quotas_before, t.quotas_after, t.unit) if t.summed else '—'} "
            f"| {_delta_cell(t.quotas_before, t.quotas_after, t.unit) if t.summed else ''} |"
        )
    return lines


def _before_after(before: Decimal | None, after: Decimal | None, unit: str) -> str:
    if before == after or before is None:
        return _with_unit(after, unit)
    return f"{_with_unit(before, unit)} → **{_with_unit(after, unit)}**"


def _delta_cell(before: Decimal | None, after: Decimal | None, unit: str) -> str:
    if before == after or before is None:
        return ""
    if before is None or after is None:
        return "new" if before is None else "removed"
    return f"{_delta_text(after - before, unit)} ({pct(_pct_change(before, after))})"


@dataclass(frozen=True, slots=True)
class _Row:
    scope: str
    metric: str
    unit: str
    before: Decimal | None
    after: Decimal | None
    count: int = 1


def _scope_label(impact: Impact, change: TargetDelta) -> str:
    who = f"**{md(change.name)}**"
    if change.level is Level.REP:
        return f"{who} · rep, {md(impact.name_of(change.team or ''))}"
    if change.level is Level.TEAM:
        return f"{who} · team, {md(impact.name_of(change.region or ''))}"
    return f"{who} · {change.level.label}"


def _scope_rows(impact: Impact) -> list[_Row]:
    """Changed targets one by one; reps grouped by team, then by region, when there are many."""
    rows = [
        _Row(_scope_label(impact, c), c.metric, _unit(impact, c.metric), c.before, c.after)
        for c in impact.changes
    ]
    if len(rows) <= TOP_TABLE_ROWS:
        return rows
    for level in (Level.TEAM, Level.REGION):
        grouped = _grouped(impact, level)
        if len(grouped) <= TOP_TABLE_ROWS or level is Level.REGION:
            return grouped
    return rows


def _grouped(impact: Impact, level: Level) -> list[_Row]:
    groups: dict[tuple[str, str], list[TargetDelta]] = {}
    out: list[_Row] = []
    for change in impact.changes:
        if change.level is not Level.REP:
            out.append(
                _Row(
                    _scope_label(impact, change),
                    change.metric,
                    _unit(impact, change.metric),
                    change.before,
                    change.after,
                )
            )
            continue
        owner = (change.team if level is Level.TEAM else change.region) or ""
        groups.setdefault((owner, change.metric), []).append(change)
    for (owner, metric), changes in groups.items():
        kind = "team" if level is Level.TEAM else "region"
        befores = [c.before for c in changes if c.before is not None]
        afters = [c.after for c in changes if c.after is not None]
        summed = _summed(impact, metric)
        how = "added up" if summed else "averaged"
        label = f"{_plural(len(changes), 'rep')} in **{md(impact.name_of(owner))}** ({kind}), {how}"
        out.append(
            _Row(
                label,
                metric,
                _unit(impact, metric),
                _total(befores, summed),
                _total(afters, summed),
                len(changes),
            )
        )
    return out


def _summed(impact: Impact, metric: str) -> bool:
    for plan in (impact.head.plan, impact.base.plan):
        if plan is not None and metric in plan.metrics:
            return plan.metrics[metric].summed
    return True


def _total(values: list[Decimal], summed: bool) -> Decimal | None:
    """A group's sum (amounts, counts) or mean (shares, scores), rounded for display."""
    if not values:
        return None
    total = sum(values, Decimal(0))
    return total if summed else (total / len(values)).quantize(Decimal("0.01"))


def _scopes_table(impact: Impact) -> list[str]:
    rows = _scope_rows(impact)
    grouped = any(r.count > 1 for r in rows)
    title = "**Changed scopes**" + (
        " (reps grouped; each one is in the details below)" if grouped else ""
    )
    lines = [
        title,
        "",
        "| Scope | Metric | Before | After | Δ | Δ % |",
        "|:--|:--|--:|--:|--:|--:|",
    ]
    for row in rows:
        before = "new" if row.before is None else _with_unit(row.before, row.unit)
        after = "removed" if row.after is None else _with_unit(row.after, row.unit)
        delta = _diff(row.before, row.after) if None not in (row.before, row.after) else None
        lines.append(
            f"| {row.scope} | {md(_metric_name(impact, row.metric))} | {before} | {after} "
            f"| {_delta_text(delta, row.unit)} | {pct(_pct_change(row.before, row.after))} |"
        )
    return lines


def _by_region(impact: Impact) -> dict[str, list[TargetDelta]]:
    groups: dict[str, list[TargetDelta]] = {}
    for change in impact.changes:
        groups.setdefault(change.region or "", []).append(change)
    for detail in impact.details:
        groups.setdefault(impact.region_of(detail.ref.split("/", 1)[0]) or "", [])
    for rep in impact.reps:
        groups.setdefault(rep.region or "", [])
    return groups


def _region_details(
    impact: Impact, region: str, changes: list[TargetDelta], fold: Fold
) -> list[str]:
    title = impact.name_of(region) if region else "Company"
    nets = []
    for metric in dict.fromkeys(c.metric for c in changes):
        total = sum((c.delta or Decimal(0) for c in changes if c.metric == metric), Decimal(0))
        nets.append(f"{_metric_name(impact, metric)} {_delta_text(total, _unit(impact, metric))}")
    summary = f"{title} · {_plural(len(changes), 'changed target')}"
    if nets:
        summary += " · net " + ", ".join(nets[:3])
    lines = [f"<details><summary>{html_text(summary)}</summary>", ""]
    shown = changes if fold.rows_per_region is None else changes[: fold.rows_per_region]
    if shown:
        lines += [
            "| Where | Target | Before | After | Δ | Δ % | Record | Approver |",
            "|:--|:--|--:|--:|--:|--:|:--|:--|",
        ]
        approvers = _approver_names(impact)
        for c in shown:
            unit = _unit(impact, c.metric)
            where = code(f"{PurePosixPath(c.span.path).name}:{c.span.line}") if c.span else ""
            record = ", ".join(code(r) for r in c.covered_by) or (
                "—" if c.after is None else f"{ICON_FAIL} none"
            )
            lines.append(
                f"| {where} | {md(c.name)} · {md(_metric_name(impact, c.metric))} "
                f"| {'new' if c.before is None else _with_unit(c.before, unit)} "
                f"| {'removed' if c.after is None else _with_unit(c.after, unit)} "
                f"| {_delta_text(c.delta, unit)} | {pct(c.delta_percent)} | {record} "
                f"| {approvers.get(c.ref, '')} |"
            )
    if len(shown) < len(changes):
        lines += [
            "",
            f"…and {len(changes) - len(shown):,} more changed targets in {md(title)}, "
            "folded to fit the comment limit.",
        ]
    paths = sorted({c.span.path for c in changes if c.span})
    if paths:
        lines += ["", "In " + ", ".join(code(p, in_table=False) for p in paths) + "."]
    notes = _region_notes(impact, region, fold)
    if notes:
        lines += ["", *notes]
    lines += ["", "</details>"]
    return lines


def _approver_names(impact: Impact) -> dict[str, str]:
    names: dict[str, str] = {}
    for approval in impact.approvals:
        for ref in approval.refs:
            names[ref] = md(approval.name)
    return names


def _region_notes(impact: Impact, region: str, fold: Fold) -> list[str]:
    lines: list[str] = []
    cap = fold.list_cap
    recon = [r for r in impact.reconciliation if impact.region_of(r.node) == (region or None)]
    if region == "":
        recon = [r for r in impact.reconciliation if r.level is Level.COMPANY]
    for row in recon[:cap] if cap is not None else recon:
        lines.append("- " + _reconciliation_md(impact, row))
    details = [
        d for d in impact.details if (impact.region_of(d.ref.split("/", 1)[0]) or "") == region
    ]
    for detail in details[:cap] if cap is not None else details:
        where = (
            code(f"{PurePosixPath(detail.span.path).name}:{detail.span.line}", in_table=False)
            if detail.span
            else ""
        )
        lines.append(
            f"- {where} {code(detail.ref, in_table=False)}: {', '.join(detail.fields)} changed "
            "(value unchanged)"
        )
    for rep in [r for r in impact.reps if (r.region or "") == region]:
        verb = "in" if rep.added else "from"
        lines.append(
            f"- {'joins' if rep.added else 'leaves'}: {md(rep.name)} ({code(rep.person, in_table=False)}) "
            f"{verb} {md(impact.name_of(rep.team or ''))}"
        )
    return lines


def _reconciliation_md(impact: Impact, row: Reconciliation) -> str:
    below = (
        "regions"
        if row.level is Level.COMPANY
        else ("teams" if row.level is Level.REGION else "reps")
    )
    ok = row.ok()
    icon = ICON_OK if ok else (ICON_FAIL if ok is False else ICON_WARN)
    unit = _unit(impact, row.metric)
    band = f"{amount(100 + row.band_min)}–{amount(100 + row.band_max)}%"  # noqa: RUF001 - en dash meant
    limit = "at most 100%" if row.cap else f"{band} band"
    metric = md(_metric_name(impact, row.metric)) + (" stretch" if row.part == "stretch" else "")
    return (
        f"{icon} {md(row.name)} · {metric}: {below} carry "
        f"{_with_unit(row.children_after, unit)} = {_share(row.percent_after)} of "
        f"{_with_unit(row.parent_after, unit)} (was {_share(row.percent_before)}; {limit})"
    )


def _diagnostic_list(
    title: str, found: list[Diagnostic], fold: Fold, error_only: bool = False
) -> list[str]:
    if error_only:
        found = [d for d in found if _is_error(d)]
    cap = fold.list_cap
    shown = found if cap is None else found[:cap]
    lines = [f"**{title}**", ""]
    for d in shown:
        icon = ICON_FAIL if _is_error(d) else ICON_WARN
        where = code(str(d.span), in_table=False) if d.span else ""
        hint = f" — {md(d.hint)}" if d.hint else ""
        lines.append(f"- {icon} {where} {d.code} {md(d.message)}{hint}")
    if len(shown) < len(found):
        lines.append(f"- …and {len(found) - len(shown):,} more (folded to fit the comment limit)")
    return lines


def _fixed_details(impact: Impact, fold: Fold) -> list[str]:
    cap = fold.list_cap
    shown = impact.fixed if cap is None else impact.fixed[:cap]
    lines = [
        f"<details><summary>{html_text(_plural(len(impact.fixed), 'problem') + ' fixed')}</summary>",
        "",
    ]
    for d in shown:
        where = code(str(d.span), in_table=False) if d.span else ""
        lines.append(f"- {ICON_OK} {where} {d.code} {md(d.message)}")
    if len(shown) < len(impact.fixed):
        lines.append(f"- …and {len(impact.fixed) - len(shown):,} more")
    lines += ["", "</details>"]
    return lines


def _records_md(impact: Impact, fold: Fold) -> list[str]:
    cap = fold.list_cap
    shown = impact.records if cap is None else impact.records[:cap]
    lines = ["**Adjustment records** (the stated reasons)", ""]
    for r in shown:
        approved = (
            ", ".join(md(impact.name_of(p)) for p in r.approved_by) or "nobody yet (review the PR)"
        )
        refs = ", ".join(code(x, in_table=False) for x in r.refs[:8])
        if len(r.refs) > 8:
            refs += f" and {len(r.refs) - 8:,} more"
        lines.append(
            f"- **{md(r.id)}** ({r.status}) · cause: **{md(r.cause)}** · decided {r.decided} · "
            f"effective {r.effective} · changes {refs} · approved by {approved}"
        )
        lines.append(f"  > {md(r.note)}")
    if len(shown) < len(impact.records):
        lines.append(f"- …and {len(impact.records) - len(shown):,} more records")
    return lines


def _approvals_md(impact: Impact, fold: Fold) -> list[str]:
    cap = fold.list_cap
    shown = impact.approvals if cap is None else impact.approvals[:cap]
    tiers = _tiers_text(impact)
    lines = [
        "**Approvals**"
        + (
            f" (policy: {md(tiers)}; the larger of the change and the drift from the approved plan counts)"
            if tiers
            else ""
        ),
        "",
        "| Approver | GitHub | Why | Targets | Largest change | Status |",
        "|:--|:--|:--|:--|--:|:--|",
    ]
    for a in shown:
        refs = ", ".join(code(r) for r in a.refs[:4])
        if len(a.refs) > 4:
            refs += f" and {len(a.refs) - 4:,} more"
        if not a.refs:
            refs = "the new quarter's plan"
        largest = "new or removed" if a.largest is None else size_text(a.largest, impact.tiers)
        if not a.refs:
            largest = "—"
        status = f"{ICON_OK} recorded" if a.recorded else f"{ICON_WAIT} review needed"
        handle = code("@" + a.github) if a.github else "—"
        lines.append(f"| {md(a.name)} | {handle} | {md(a.why)} | {refs} | {largest} | {status} |")
    if len(shown) < len(impact.approvals):
        lines += ["", f"…and {len(impact.approvals) - len(shown):,} more approvers."]
    return lines


def _files_line(impact: Impact) -> str:
    bits = []
    if impact.moved_from:
        bits.append(f"the folder (renamed from {code(impact.moved_from, in_table=False)})")
    for f in impact.files:
        if f.status == "renamed":
            bits.append(
                f"{code(f.old_path or '', in_table=False)} → {code(f.path, in_table=False)} (renamed)"
            )
        else:
            bits.append(f"{code(f.path, in_table=False)} ({f.status})")
    return f"Files in {code(impact.folder, in_table=False)}: " + ", ".join(bits) + "."


# --- text -------------------------------------------------------------------------------------


def render_text(impacts: list[Impact]) -> str:
    """For terminals: the same facts as the comment, with file:line:col for every change."""
    out: list[str] = []
    for impact in impacts:
        if out:
            out.append("")
        out += _impact_text(impact)
    # names, notes and paths come from the plan: shown, never obeyed by the terminal
    return printable_report("\n".join(out) + "\n")


def _impact_text(impact: Impact) -> list[str]:
    out = [
        f"planc diff {impact.folder}: {impact.quarter} ({impact.quarter_name})",
        f"  base: {impact.base.label}",
        f"  head: {impact.head.label}",
        "",
        summary_sentence(impact),
    ]
    for section in (
        _text_files,
        _text_totals,
        _text_changes,
        _text_people,
        _text_reconciliation,
        _text_gaps,
        _text_problems,
        _text_records,
        _text_approvals,
        _text_drift,
    ):
        lines = section(impact)
        if lines:
            out += ["", *lines]
    return out


def _text_files(impact: Impact) -> list[str]:
    if not impact.files and not impact.moved_from:
        return []
    out = ["Files:"]
    if impact.moved_from:
        out.append(f"  the quarter folder is renamed from {impact.moved_from}")
    for f in impact.files:
        what = f"{f.old_path} -> {f.path}" if f.status == "renamed" else f.path
        out.append(f"  {f.status:<9}{what}")
    return out


def _text_totals(impact: Impact) -> list[str]:
    if not impact.totals or impact.status not in ("changed", "new", "base-invalid"):
        return []
    out = [f"Totals{f' ({impact.currency})' if impact.currency else ''}:"]
    width = max(len(t.name) for t in impact.totals)
    for t in impact.totals:
        if (t.target_before, t.target_after, t.quotas_before, t.quotas_after) == (None,) * 4:
            continue
        line = f"  {t.name:<{width}}  company {_text_before_after(t.target_before, t.target_after, t.unit)}"
        if t.summed:
            line += f"   reps' quotas {_text_before_after(t.quotas_before, t.quotas_after, t.unit)}"
        out.append(line)
    return out


def _text_changes(impact: Impact) -> list[str]:
    out = ["Changes:"] if impact.changes else []
    for c in impact.changes:
        unit = _unit(impact, c.metric)
        before = "new" if c.before is None else _with_unit(c.before, unit)
        after = "removed" if c.after is None else _with_unit(c.after, unit)
        delta = "" if c.delta is None else f" {_delta_text(c.delta, unit)} ({pct(c.delta_percent)})"
        covered = f"  [{', '.join(c.covered_by)}]" if c.covered_by else "  [no record]"
        if c.after is None:
            covered = ""
        out.append(
            f"  {c.span or ''}  {c.ref} ({c.name}, {c.level.label}): {before} -> {after}{delta}{covered}"
        )
    if impact.details:
        out += ["Other target fields changed (value unchanged):"]
        out += [f"  {d.span}  {d.ref}: {', '.join(d.fields)}" for d in impact.details]
    return out


def _text_people(impact: Impact) -> list[str]:
    if not impact.reps:
        return []
    return ["Reps:"] + [
        f"  {'added' if r.added else 'removed':<8}{r.person} ({r.name}), team {r.team}"
        for r in impact.reps
    ]


def _text_reconciliation(impact: Impact) -> list[str]:
    out = ["Reconciliation:"] if impact.reconciliation else []
    for row in impact.reconciliation:
        ok = row.ok()
        verdict = "ok" if ok else ("OUT OF BAND" if ok is False else "n/a")
        unit = _unit(impact, row.metric)
        out.append(
            f"  {row.node}/{row.metric}{' stretch' if row.part == 'stretch' else ''}: "
            f"children {_with_unit(row.children_after, unit)} = "
            f"{_share(row.percent_after)} of {_with_unit(row.parent_after, unit)} "
            f"(was {_share(row.percent_before)})  {verdict}"
        )
    return out


def _text_gaps(impact: Impact) -> list[str]:
    if not impact.gaps:
        return []
    band = _gap_band(impact)
    out = ["Top-down vs bottom-up" + (f" (policy band {band}):" if band else ":")]
    for g in impact.gaps:
        unit = _unit(impact, g.metric)
        top, _ = _gap_numbers(g.before, g.after, unit, "top_down", "->")
        bottom, rolled = _gap_numbers(g.before, g.after, unit, "bottom_up", "->")
        if rolled:
            bottom += f" (from the {_below(g.level)})"
        verdict = ""
        if g.moved_outside:
            verdict = "  MOVES OUTSIDE the band"
        elif g.moved_inside:
            verdict = "  back inside the band"
        elif g.after is not None and g.after.outside:
            verdict = "  still outside the band"
        out.append(
            f"  {g.span or ''}  {g.ref} ({g.name}, {g.level.label}): gap "
            f"{_gap_text(g.before, unit)} -> {_gap_text(g.after, unit)}; "
            f"top-down {top}, bottom-up {bottom}{verdict}"
        )
    return out


def _text_problems(impact: Impact) -> list[str]:
    problems = impact.uncovered + [d for d in impact.introduced if d.severity is not Severity.INFO]
    if impact.status == "head-invalid":
        problems = [d for d in impact.head_diagnostics if _is_error(d)]
    out = ["New problems:", *map(_text_diagnostic, problems)] if problems else []
    if impact.fixed:
        out += ["Fixed:", *map(_text_diagnostic, impact.fixed)]
    return out


def _text_records(impact: Impact) -> list[str]:
    out = ["Adjustment records:"] if impact.records else []
    for r in impact.records:
        out.append(f"  {r.id} ({r.status}) {r.cause}, effective {r.effective}: {clean(r.note)}")
    return out


def _text_approvals(impact: Impact) -> list[str]:
    if not impact.approvals:
        return []
    out = ["Approvals" + (f" ({_tiers_text(impact)}):" if impact.tiers else ":")]
    for a in impact.approvals:
        handle = f" @{a.github}" if a.github else ""
        largest = "new/removed" if a.largest is None else size_text(a.largest, impact.tiers)
        state = "recorded" if a.recorded else "review needed"
        refs = ", ".join(a.refs[:6]) + (f" and {len(a.refs) - 6} more" if len(a.refs) > 6 else "")
        what = f"{refs}; largest {largest}" if refs else "the new quarter's plan"
        out.append(f"  {a.name}{handle} ({a.why}): {what}; {state}")
    return out


def _text_drift(impact: Impact) -> list[str]:
    drift = impact.drift
    if drift is None:
        return []
    if not drift.available:
        return [f"Drift from {drift.ref}: not measured ({drift.reason})"]
    moved = [t for t in drift.totals if t.target_before != t.target_after]
    bits = ", ".join(f"{t.name} {pct(_pct_change(t.target_before, t.target_after))}" for t in moved)
    return [
        f"Drift from {drift.ref}: {bits or 'company targets as approved'}; "
        f"{_plural(drift.changed_targets, 'target')} differ"
    ]


def _text_before_after(before: Decimal | None, after: Decimal | None, unit: str) -> str:
    if before == after or before is None:
        return _with_unit(after, unit)
    delta = _delta_cell(before, after, unit)
    return f"{_with_unit(before, unit)} -> {_with_unit(after, unit)} {delta}".rstrip()


def _text_diagnostic(d: Diagnostic) -> str:
    where = f"{d.span}: " if d.span else ""
    hint = f"\n      = hint: {printable(d.hint)}" if d.hint else ""
    return f"  {printable(where + d.code)} [{d.severity.value}] {printable(d.message)}{hint}"


# --- json ---------------------------------------------------------------------------------------


def render_json(impacts: list[Impact]) -> str:
    """Versioned JSON; every amount is a decimal string, never a binary float."""
    document = {
        "version": JSON_FORMAT_VERSION,
        "tool": {"name": "planc", "version": __version__},
        "has_changes": any(i.has_changes for i in impacts),
        "has_errors": any(i.has_errors for i in impacts),
        "impacts": [_impact_json(i) for i in impacts],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else plain(value)


def _pct_json(value: Decimal | None) -> str | None:
    return None if value is None else plain(value.quantize(Decimal("0.01")))


def _span_json(span: Any) -> dict[str, Any] | None:
    if span is None:
        return None
    return {"path": span.path, "line": span.line, "col": span.col}


def _diag_json(d: Diagnostic) -> dict[str, Any]:
    """The shape check and track use for a diagnostic (path and range), one for every output."""
    return diagnostic_json(d)


def _total_json(t: MetricTotal) -> dict[str, Any]:
    return {
        "metric": t.metric,
        "name": t.name,
        "unit": t.unit,
        "target": {
            "before": _dec(t.target_before),
            "after": _dec(t.target_after),
            "delta": _dec(_diff(t.target_before, t.target_after)),
            "delta_percent": _pct_json(_pct_change(t.target_before, t.target_after)),
        },
        "quotas": None
        if not t.summed
        else {
            "before": _dec(t.quotas_before),
            "after": _dec(t.quotas_after),
            "delta": _dec(_diff(t.quotas_before, t.quotas_after)),
        },
    }


def _gap_side_json(side: GapSide | None) -> dict[str, Any] | None:
    if side is None:
        return None
    return {
        "top_down": _dec(side.top_down),
        "bottom_up": _dec(side.bottom_up),
        "rolled_up": side.rolled_up,
        "gap": _dec(side.amount),
        "gap_percent": _pct_json(side.percent),
        "outside": side.outside,
    }


def _impact_json(impact: Impact) -> dict[str, Any]:
    errors, warnings = _head_counts(impact)
    return {
        "quarter": impact.quarter,
        "name": impact.quarter_name,
        "folder": impact.folder,
        "currency": impact.currency or None,
        "status": impact.status,
        "moved_from": impact.moved_from,
        "has_changes": impact.has_changes,
        "summary": summary_sentence(impact),
        "base": {
            "label": impact.base.label,
            "revision": impact.base.revision,
            "folder": impact.base.folder,
        },
        "head": {
            "label": impact.head.label,
            "revision": impact.head.revision,
            "folder": impact.head.folder,
        },
        "files": [
            {"status": f.status, "path": f.path, "old_path": f.old_path} for f in impact.files
        ],
        "totals": [_total_json(t) for t in impact.totals],
        "changes": [
            {
                "target": c.ref,
                "node": c.node,
                "name": c.name,
                "level": c.level.label,
                "region": c.region,
                "team": c.team,
                "metric": c.metric,
                "before": _dec(c.before),
                "after": _dec(c.after),
                "delta": _dec(c.delta),
                "delta_percent": _pct_json(c.delta_percent),
                "approved": _dec(c.approved_value),
                "drift_percent": _pct_json(c.drift_percent),
                "location": _span_json(c.span),
                "covered_by": list(c.covered_by),
            }
            for c in impact.changes
        ],
        "details": [
            {"target": d.ref, "fields": list(d.fields), "location": _span_json(d.span)}
            for d in impact.details
        ],
        "reps": [
            {
                "person": r.person,
                "name": r.name,
                "team": r.team,
                "region": r.region,
                "change": "added" if r.added else "removed",
            }
            for r in impact.reps
        ],
        "reconciliation": [
            {
                "node": r.node,
                "metric": r.metric,
                "part": r.part,
                "cap": r.cap,
                "parent": {"before": _dec(r.parent_before), "after": _dec(r.parent_after)},
                "children": {"before": _dec(r.children_before), "after": _dec(r.children_after)},
                "percent": {
                    "before": _pct_json(r.percent_before),
                    "after": _pct_json(r.percent_after),
                },
                "band": {"min": _dec(r.band_min), "max": _dec(r.band_max)},
                "ok": {"before": r.ok(after=False), "after": r.ok()},
            }
            for r in impact.reconciliation
        ],
        "bottom_up_gap": None
        if impact.gap_band is None
        else {"min": _dec(impact.gap_band.min), "max": _dec(impact.gap_band.max)},
        "gaps": [
            {
                "target": g.ref,
                "node": g.node,
                "name": g.name,
                "level": g.level.label,
                "region": g.region,
                "metric": g.metric,
                "before": _gap_side_json(g.before),
                "after": _gap_side_json(g.after),
                "moved_outside": g.moved_outside,
                "moved_inside": g.moved_inside,
                "location": _span_json(g.span),
            }
            for g in impact.gaps
        ],
        "checks": {
            "head": {"errors": errors, "warnings": warnings},
            "introduced": [_diag_json(d) for d in impact.introduced],
            "fixed": [_diag_json(d) for d in impact.fixed],
            "uncovered": [_diag_json(d) for d in impact.uncovered],
            "head_diagnostics": [_diag_json(d) for d in impact.head_diagnostics]
            if impact.status == "head-invalid"
            else [],
        },
        "adjustments": [
            {
                "id": r.id,
                "status": r.status,
                "cause": r.cause,
                "date": r.decided,
                "effective": r.effective,
                "note": r.note,
                "approved_by": list(r.approved_by),
                "targets": list(r.refs),
                "location": _span_json(r.span),
            }
            for r in impact.records
        ],
        "approvals": [
            {
                "person": a.person,
                "name": a.name,
                "github": a.github,
                "why": a.why,
                "targets": list(a.refs),
                "largest_percent": _pct_json(a.largest),
                "recorded": a.recorded,
            }
            for a in impact.approvals
        ],
        "drift": None
        if impact.drift is None
        else {
            "ref": impact.drift.ref,
            "available": impact.drift.available,
            "reason": impact.drift.reason,
            "changed_targets": impact.drift.changed_targets,
            "totals": [_total_json(t) for t in impact.drift.totals],
        },
    }


REPORT_BY_NAME: dict[str, Callable[[list[Impact]], str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
}
