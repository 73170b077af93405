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
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from planc import __version__
from planc.change.diff import (
    WORK_TREE,
    Approval,
    GapChange,
    GapSide,
    Impact,
    MetricTotal,
    Reconciliation,
    Side,
    SplitMove,
    TargetDelta,
)
from planc.checks.approvals import size_text
from planc.core.diagnostics import Diagnostic, Severity
from planc.core.locales import DASH, Words, get_locale
from planc.core.markdown import clean, defuse_links, defuse_mentions, escape, github_length
from planc.core.markdown import code as markdown_code
from planc.core.model import Level
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
    # mentions first: html.escape writes `'` as `&#x27;`, whose `#` must stay an entity's
    escaped = html.escape(defuse_mentions(clean(text)), quote=True)
    # Raw HTML is not read as markdown on GitHub, but entities cost nothing and hold either way.
    escaped = escaped.translate(_HTML_PUNCTUATION)
    return defuse_links(escaped)


@lru_cache(maxsize=65_536)
def code(text: str, *, in_table: bool = True) -> str:
    """Inline code (ids, paths, handles): no markdown inside; pipes escaped for tables."""
    return markdown_code(text, in_table=in_table)


# --- numbers and words -------------------------------------------------------------------------
# Every phrase goes through ``w`` (:class:`planc.core.locales.Words`): English without a
# catalog for the terminal and JSON, the plan's catalog and CLDR symbols for the PR comment.

ENGLISH = Words()


def signed(value: Decimal, w: Words = ENGLISH) -> str:
    if value == 0:
        return "0"
    return ("+" if value > 0 else "-") + w.number(abs(value))


def pct(value: Decimal | None, w: Words = ENGLISH) -> str:
    if value is None:
        return w._("n/a")
    rounded = value.quantize(Decimal("0.1"))
    if rounded == 0:
        return w.percent(Decimal(0))
    return ("+" if rounded > 0 else "-") + w.percent(abs(rounded))


def _share(value: Decimal | None, w: Words = ENGLISH) -> str:
    return w._("n/a") if value is None else w.percent(value)


def _with_unit(value: Decimal | None, unit: str, w: Words = ENGLISH) -> str:
    if value is None:
        return "—"
    return _unit_value(value, unit, w)


def _unit_value(value: Decimal, unit: str, w: Words) -> str:
    if unit != "percent":
        return w.number(value)
    if w.locale is None:
        return f"{w.number(value)}%"
    cldr = w.locale.cldr
    return f"{cldr.percent_prefix}{w.number(value)}{cldr.percent_suffix}"


def _delta_text(delta: Decimal | None, unit: str, w: Words = ENGLISH) -> str:
    if delta is None:
        return "—"
    return w._("{delta} pp", delta=signed(delta, w)) if unit == "percent" else signed(delta, w)


def _money(value: Decimal | None, unit: str, impact: Impact, w: Words) -> str:
    """An amount in a sentence: with the currency when it is money."""
    if value is None or unit != "currency":
        return _with_unit(value, unit, w)
    return w.money(value, impact.currency)


def _listing(items: list[str], w: Words = ENGLISH, limit: int = 3) -> str:
    sep = w._(", ")
    if len(items) <= limit:
        if len(items) == 1:
            return items[0]
        return w._("{first} and {last}", first=sep.join(items[:-1]), last=items[-1])
    return _and_more(sep.join(items[:limit]), len(items) - limit, w)


def _and_more(first: str, more: int, w: Words) -> str:
    return w.n_("{first} and {count} more", "{first} and {count} more", more, first=first)


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


def _where(impact: Impact, name: Callable[[str], str], w: Words) -> str:
    regions = impact.regions
    if not regions:
        return w._("the company's own targets")
    if len(regions) <= 3:
        return _listing([name(impact.name_of(r)) for r in regions], w)
    return w.n_("{count} region", "{count} regions", len(regions))


def _quarter_shape(impact: Impact, w: Words) -> str:
    plan = impact.head.plan
    if plan is None:
        return ""
    levels = [n.level for n in plan.nodes.values()]
    return w._(
        "{regions}, {teams} and {reps}",
        regions=w.n_("{count} region", "{count} regions", levels.count(Level.REGION)),
        teams=w.n_("{count} team", "{count} teams", levels.count(Level.TEAM)),
        reps=w.n_("{count} rep", "{count} reps", levels.count(Level.REP)),
    )


def summary_sentence(
    impact: Impact, name: Callable[[str], str] = lambda s: s, w: Words = ENGLISH
) -> str:
    """One sentence: what changed, what it does to the totals, checks, records, approvals."""
    q = impact.quarter
    errors, _ = _head_counts(impact)
    if impact.status == "removed":
        return w._(
            "The quarter {quarter} is removed: {folder} no longer exists at head.",
            quarter=q,
            folder=impact.folder,
        )
    if impact.status == "head-invalid":
        return w._(
            "The plan at head does not compile ({errors}), so the impact of the change cannot "
            "be computed: fix the errors below first.",
            errors=w.n_("{count} error", "{count} errors", errors),
        )
    if impact.status == "unchanged":
        return w._("No target, person or plan file of {quarter} changed.", quarter=q)
    parts: list[str] = []
    if impact.status == "new":
        first = w._(
            "New quarter {quarter} with {shape}", quarter=q, shape=_quarter_shape(impact, w)
        )
        headline = next((t for t in impact.totals if t.target_after is not None), None)
        if headline is not None:
            first += w._(
                "; company {metric} target {value}",
                metric=name(headline.name),
                value=_money(headline.target_after, headline.unit, impact, w),
            )
        parts.append(first)
    elif impact.status == "base-invalid":
        parts.append(
            w._(
                "The base plan of {quarter} does not compile, so only the plan at head is judged",
                quarter=q,
            )
        )
    else:
        parts.append(_what_changed(impact, name, w))
        parts.append(_totals_phrase(impact, name, w))
        added = sum(r.added for r in impact.reps)
        removed = len(impact.reps) - added
        if added or removed:
            parts.append(
                w._(" and ").join(
                    p
                    for p in (
                        w.n_("{count} rep added", "{count} reps added", added) if added else "",
                        w.n_("{count} rep removed", "{count} reps removed", removed)
                        if removed
                        else "",
                    )
                    if p
                )
            )
    parts.append(_checks_phrase(impact, w))
    outside = sum(g.moved_outside for g in impact.gaps)
    if outside:
        parts.append(
            w.n_(
                "{count} bottom-up gap moves outside policy.bottom_up_gap",
                "{count} bottom-up gaps move outside policy.bottom_up_gap",
                outside,
            )
        )
    if impact.uncovered:
        parts.append(
            w.n_(
                "{count} change has no adjustment record",
                "{count} changes have no adjustment record",
                len(impact.uncovered),
            )
        )
    pending = [a for a in impact.approvals if not a.recorded]
    if pending:
        names = [name(a.name) for a in pending]
        parts.append(w._("{people} must approve", people=_listing(names, w)))
    return w._("; ").join(p for p in parts if p) + w._(".")


def _what_changed(impact: Impact, name: Callable[[str], str], w: Words) -> str:
    move = _move(impact)
    if move is not None:
        source, dest = move
        unit = _unit(impact, source.metric)
        assert dest.delta is not None
        return w._(
            "{metric} of {amount} moves from {source} to {dest} in {where}",
            metric=name(_metric_name(impact, source.metric)),
            amount=_money(dest.delta, unit, impact, w),
            source=name(source.name),
            dest=name(dest.name),
            where=_where(impact, name, w),
        )
    if impact.changes:
        return w.n_(
            "{count} target changes in {where}",
            "{count} targets change in {where}",
            len(impact.changes),
            where=_where(impact, name, w),
        )
    if impact.details:
        return w.n_(
            "No target value changed, but {count} target had its phasing, split, deadline, "
            "owner or bottom-up number changed",
            "No target value changed, but {count} targets had their phasing, split, deadline, "
            "owner or bottom-up number changed",
            len(impact.details),
        )
    if impact.reps:
        return w._("No target value changed")
    if impact.moved_from and not impact.files:
        return w._(
            "No target value changed; the quarter folder is renamed from {old}",
            old=impact.moved_from,
        )
    return w.n_(
        "No target value changed; {count} plan file changed in layout or comments",
        "No target value changed; {count} plan files changed in layout or comments",
        len(impact.files),
    )


def _totals_phrase(impact: Impact, name: Callable[[str], str], w: Words) -> str:
    if not impact.changes:
        return ""
    moved = [t for t in impact.totals if t.target_before != t.target_after]
    if moved:
        bits = []
        for t in moved[:2]:
            after = _money(t.target_after, t.unit, impact, w)
            bits.append(
                w._(
                    "company {metric} {before} → {after} ({change})",
                    metric=name(t.name),
                    before=_with_unit(t.target_before, t.unit, w),
                    after=after,
                    change=pct(_pct_change(t.target_before, t.target_after), w),
                )
            )
        if len(moved) > 2:
            bits.append(
                w.n_("{count} more company target", "{count} more company targets", len(moved) - 2)
            )
        return w._(", ").join(bits)
    quotas = [t for t in impact.totals if t.quotas_before != t.quotas_after]
    if quotas:
        bits = [
            w._(
                "reps' {metric} quotas {delta}",
                metric=name(t.name),
                delta=_delta_text(_diff(t.quotas_before, t.quotas_after), t.unit, w),
            )
            for t in quotas[:2]
        ]
        return w._("company targets are unchanged, {quotas}", quotas=w._(", ").join(bits))
    return w._("company totals are unchanged")


def _checks_phrase(impact: Impact, w: Words) -> str:
    new_errors = sum(_is_error(d) for d in impact.introduced)
    fixed = len(impact.fixed)
    errors, _ = _head_counts(impact)
    bits = []
    if new_errors:
        bits.append(w.n_("it introduces {count} error", "it introduces {count} errors", new_errors))
    if fixed:
        bits.append(w.n_("fixes {count} problem", "fixes {count} problems", fixed))
    still = errors - len(impact.uncovered)
    if not new_errors and still > 0:
        bits.append(
            w.n_("the plan still has {count} error", "the plan still has {count} errors", still)
        )
    if not bits:
        return w._("every check passes") if errors == 0 else ""
    return w._(" and ").join(bits)


def _pct_change(before: Decimal | None, after: Decimal | None) -> Decimal | None:
    if before is None or after is None or before == 0:
        return None
    return (after - before) * 100 / abs(before)


def _diff(before: Decimal | None, after: Decimal | None) -> Decimal | None:
    if before is None and after is None:
        return None
    return (after or Decimal(0)) - (before or Decimal(0))


def _role(role: str, impact: Impact, w: Words) -> str:
    """A policy approver: a role (team_owner) in words, or the person it names, by name."""
    roles = {
        "team_owner": w._("team owner"),
        "region_owner": w._("region owner"),
        "company_owner": w._("company owner"),
    }
    return roles.get(role) or impact.name_of(role)


def _tiers_text(impact: Impact, w: Words = ENGLISH) -> str:
    parts = []
    for tier in impact.tiers:
        who = _role(tier.approver, impact, w)
        parts.append(
            w._("up to {limit}: {who}", limit=_unit_value(tier.up_to, "percent", w), who=who)
            if tier.up_to is not None
            else w._("above: {who}", who=who)
        )
    return w._("; ").join(parts)


# --- markdown ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fold:
    """How much detail the comment shows (None: all)."""

    rows_per_region: int | None = None
    list_cap: int | None = None

    @property
    def folded(self) -> bool:
        return self.rows_per_region is not None or self.list_cap is not None


def words_for(impact: Impact | None) -> Words:
    """The plan's language for its section (the head's, else the base's; English without one)."""
    plan = None
    if impact is not None:
        plan = impact.head.plan or impact.base.plan
    if plan is None:
        return Words(get_locale("en", "USD"))
    return Words(get_locale(plan.locale, plan.currency))


def render_markdown(impacts: list[Impact], limit: int = COMMENT_BUDGET) -> str:
    """The PR comment, in the plan's language, folded until it fits ``limit`` characters.

    Folding goes in steps: everything; then lists (approvers, problems, records) cut to
    a few and as many changed targets per region as fit; then no rows per region and
    as much of the lists as fits; last, a cut at a line.
    """
    w = words_for(_leading(impacts))
    text = _markdown(impacts, Fold(), w)
    if _size(text) <= limit:
        return text
    most = max((len(i.changes) for i in impacts), default=0)
    best = _largest_fitting(
        lambda n: _markdown(impacts, Fold(rows_per_region=n, list_cap=FOLDED_LIST), w), most, limit
    )
    if best is not None:
        return best
    best = _largest_fitting(
        lambda n: _markdown(impacts, Fold(rows_per_region=0, list_cap=n), w), FOLDED_LIST, limit
    )
    if best is not None:
        return best
    return _truncated(_markdown(impacts, Fold(rows_per_region=0, list_cap=0), w), limit, w)


def _leading(impacts: list[Impact]) -> Impact | None:
    """The quarter whose language frames the comment: the first that changed, else the first.

    An unchanged quarter listed first (an old English one beside this quarter's Chinese plan)
    must not choose the language of a comment that is about another plan.
    """
    changed = [i for i in impacts if i.has_changes]
    first = changed or impacts
    return first[0] if first else None


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


def _truncated(text: str, limit: int, w: Words) -> str:
    note = (
        "\n\n"
        + w._(
            "{icon} Cut at GitHub's comment limit: run `planc diff` locally for the rest.",
            icon=ICON_WARN,
        )
        + "\n"
    )
    lines, size = [], _size(note)
    for line in text.splitlines():
        if size + _size(line) + 1 > limit:
            break
        lines.append(line)
        size += _size(line) + 1
    return "\n".join(lines) + note


def _markdown(impacts: list[Impact], fold: Fold, w: Words) -> str:
    out = [MARKER]
    changed = [i for i in impacts if i.has_changes]
    quiet = [i for i in impacts if not i.has_changes]
    if not changed:
        out += ["", f"### {ICON_OK} " + w._("planc: no plan changes"), ""]
        listed = w._(", ").join(code(i.quarter, in_table=False) for i in quiet)
        out.append(
            w._("No target, person or plan file changed ({quarters}).", quarters=listed)
            if listed
            else w._("No plans.")
        )
    for impact in changed:  # each section in its own plan's language and currency
        out += _impact_markdown(impact, fold, words_for(impact))
    if changed and quiet:
        listed = w._(", ").join(code(i.quarter, in_table=False) for i in quiet)
        out += ["", w._("Unchanged: {quarters}.", quarters=listed)]
    first = impacts[0] if impacts else None
    footer = f"<sub>planc {__version__}"
    if first is not None:
        footer += " · " + w._(
            "compared {base} → {head}",
            base=_side_label(first.base, w),
            head=_side_label(first.head, w),
        )
    footer += " · " + w._("this comment is updated in place on every push") + "</sub>"
    out += ["", footer]
    return "\n".join(out) + "\n"


def _side_label(side: Side, w: Words) -> str:
    """A side as the footer names it: a revision or a folder as code, the work tree in the
    plan's words (no English label in a Chinese comment)."""
    if side.revision is not None or not side.label.startswith(WORK_TREE):
        return code(side.label, in_table=False)
    record = side.label.removeprefix(WORK_TREE).removeprefix(" + ")  # what propose adds
    if side.label not in (WORK_TREE, f"{WORK_TREE} + {record}"):
        return code(side.label, in_table=False)  # a folder whose name only starts so
    return w._("working tree") + (f" + {code(record, in_table=False)}" if record else "")


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


def _awaiting(impact: Impact, w: Words) -> str:
    """`` · awaiting 2 approvals`` in the heading while any is missing."""
    pending = _pending(impact)
    if not pending:
        return ""
    return " · " + w.n_("awaiting {count} approval", "awaiting {count} approvals", pending)


def _headline(impact: Impact, w: Words) -> str:
    if impact.status == "new":
        return w._("new quarter")
    if impact.status == "removed":
        return w._("quarter removed")
    if impact.status == "head-invalid":
        return w._("plan does not compile")
    if impact.changes:
        return w.n_("{count} target changed", "{count} targets changed", len(impact.changes))
    if impact.details:
        return w.n_(
            "{count} target detail changed", "{count} target details changed", len(impact.details)
        )
    if impact.reps:
        return w.n_(
            "{count} rep added or removed", "{count} reps added or removed", len(impact.reps)
        )
    return w._("plan files changed")


def _impact_markdown(impact: Impact, fold: Fold, w: Words) -> list[str]:
    quarter = f"{md(impact.quarter_name)} ({code(impact.quarter, in_table=False)})"
    out = [
        "",
        f"### {_status_icon(impact)} planc · {quarter}: {_headline(impact, w)}{_awaiting(impact, w)}",
        "",
        summary_sentence(impact, md, w),
    ]
    if fold.folded:
        shown = sum(min(len(g), fold.rows_per_region or 0) for g in _by_region(impact).values())
        out += [
            "",
            "> "
            + w._(
                "{icon} **Shortened** to stay under GitHub's {limit}-character comment limit: "
                "the details list {shown} of {total} changed targets. Run `planc diff` (or "
                "`planc diff --format json`) for all of them.",
                icon=ICON_WARN,
                limit=w.number(Decimal(GITHUB_COMMENT_LIMIT)),
                shown=w.number(Decimal(shown)),
                total=w.number(Decimal(len(impact.changes))),
            ),
        ]
    out += ["", *_checks_table(impact, w)]
    if impact.status == "head-invalid":
        out += [
            "",
            *_diagnostic_list(
                w._("Errors at head"), impact.head_diagnostics, fold, w, error_only=True
            ),
        ]
        return out
    if impact.uncovered:
        title = w._("Changes without an adjustment record")
        out += ["", *_diagnostic_list(title, impact.uncovered, fold, w)]
    new_problems = [d for d in impact.introduced if d.severity is not Severity.INFO]
    if new_problems:
        out += ["", *_diagnostic_list(w._("New problems"), new_problems, fold, w)]
    if impact.status in ("changed", "new", "base-invalid"):
        out += ["", *_totals_table(impact, w)]
    out += _sections(impact, fold, w)
    for region, changes in _by_region(impact).items():
        out += ["", *_region_details(impact, region, changes, fold, w)]
    if impact.fixed:
        out += ["", *_fixed_details(impact, fold, w)]
    if impact.files or impact.moved_from:
        out += ["", _files_line(impact, w)]
    return out


def _sections(impact: Impact, fold: Fold, w: Words) -> list[str]:
    """The tables a change has: scopes, split moves, gaps, records, approvals (empty ones left out)."""
    out: list[str] = []
    if impact.changes:
        out += ["", *_scopes_table(impact, w)]
    for present, section in (
        (impact.moves, _moves_md),
        (impact.gaps, _gaps_md),
        (impact.records, _records_md),
        (impact.approvals, _approvals_md),
    ):
        if present:
            out += ["", *section(impact, fold, w)]
    return out


def _checks_table(impact: Impact, w: Words) -> list[str]:
    rows: list[tuple[str, str, str]] = []
    errors, warnings = _head_counts(impact)
    compiled = w._(
        "{errors}, {warnings} at head",
        errors=w.n_("{count} error", "{count} errors", errors),
        warnings=w.n_("{count} warning", "{count} warnings", warnings),
    )
    new_errors = sum(_is_error(d) for d in impact.introduced)
    if new_errors:
        compiled += w._(" ({count} new)", count=w.number(Decimal(new_errors)))
    if impact.fixed:
        compiled += w._(", {count} fixed", count=w.number(Decimal(len(impact.fixed))))
    rows.append((ICON_FAIL if errors else ICON_OK, w._("Plan compiles and checks pass"), compiled))
    if impact.status in ("changed", "base-invalid"):
        rows.append(_reconciliation_row(impact, w))
        if impact.gaps:
            rows.append(_gaps_row(impact, w))
        rows.append(_records_row(impact, w))
        rows.append(_approvals_row(impact, w))
        if impact.drift is not None:
            rows.append(_drift_row(impact, w))
    elif impact.status == "new":
        rows.append(_approvals_row(impact, w))
    lines = ["| | " + w._("Check") + " | " + w._("Result") + " |", "|:-:|:--|:--|"]
    lines += [f"| {icon} | {what} | {result} |" for icon, what, result in rows]
    return lines


def _reconciliation_row(impact: Impact, w: Words) -> tuple[str, str, str]:
    family = [d for d in impact.introduced if _reconciliation_code(d.code)]
    fixed = [d for d in impact.fixed if _reconciliation_code(d.code)]
    out_of_band = [r for r in impact.reconciliation if r.ok() is False]
    new_errors = sum(_is_error(d) for d in family)
    if new_errors:
        icon, text = ICON_FAIL, w.n_("{count} new error", "{count} new errors", new_errors)
    elif family:
        icon, text = ICON_WARN, w.n_("{count} new warning", "{count} new warnings", len(family))
    else:
        icon, text = ICON_OK, w._("no new problems")
    if fixed:
        text += w._(", {count} fixed", count=w.number(Decimal(len(fixed))))
    checked = len(impact.reconciliation)
    if checked:
        values_only = all(r.part == "value" for r in impact.reconciliation)
        if not out_of_band:
            where = (
                w._("all inside the {band} band", band=_band(impact, w))
                if values_only
                else w._("all inside their policy bands")
            )
        else:
            outside = w.number(Decimal(len(out_of_band)))
            where = (
                w._("{count} outside the {band} band", count=outside, band=_band(impact, w))
                if values_only
                else w._("{count} outside their policy bands", count=outside)
            )
        text += w.n_(
            "; {count} parent target re-checked, {where}",
            "; {count} parent targets re-checked, {where}",
            checked,
            where=where,
        )
    return icon, w._("Reconciliation and over-assignment"), text


def _reconciliation_code(code: str) -> bool:
    # Bottom-up gaps (PLC310, PLC311) have a row of their own.
    return code.startswith("PLC3") and code not in ("PLC310", "PLC311")


def _gap_band(impact: Impact, w: Words = ENGLISH) -> str:
    band = impact.gap_band
    if band is None:
        return ""
    return w._("{low} to {high}", low=pct(band.min, w), high=pct(band.max, w))


def _gaps_row(impact: Impact, w: Words) -> tuple[str, str, str]:
    what = w._("Top-down vs bottom-up gaps")
    count = w.n_("{count} gap changed", "{count} gaps changed", len(impact.gaps))
    if impact.gap_band is None:
        return ICON_OK, what, w._("{count} (the policy sets no bottom_up_gap band)", count=count)
    outside = sum(g.moved_outside for g in impact.gaps)
    back = sum(g.moved_inside for g in impact.gaps)
    band = _gap_band(impact, w)
    if outside:
        text = w.n_(
            "{gaps}; {count} moves outside the {band} band",
            "{gaps}; {count} move outside the {band} band",
            outside,
            gaps=count,
            band=band,
        )
    else:
        text = w._("{gaps}; none leaves the {band} band", gaps=count, band=band)
    if back:
        text += w._(", {count} back inside", count=w.number(Decimal(back)))
    return (ICON_WARN if outside else ICON_OK), what, text


def _gap_text(side: GapSide | None, unit: str, w: Words = ENGLISH) -> str:
    """``+19,000 (+5.2%)``, or ``—`` where there is no bottom-up number."""
    if side is None:
        return "—"
    share = "" if side.percent is None else f" ({pct(side.percent, w)})"
    return f"{_delta_text(side.amount, unit, w)}{share}"


def _gap_numbers(
    before: GapSide | None,
    after: GapSide | None,
    unit: str,
    which: str,
    arrow: str = "→",
    w: Words = ENGLISH,
) -> tuple[str, bool]:
    """Top-down or bottom-up before → after (one number when it stayed), and rolled up?"""
    old: Decimal | None = getattr(before, which) if before is not None else None
    new: Decimal | None = getattr(after, which) if after is not None else None
    side = after if after is not None else before
    rolled = side is not None and side.rolled_up
    if old == new or old is None:
        return _with_unit(new, unit, w), rolled
    return f"{_with_unit(old, unit, w)} {arrow} {_with_unit(new, unit, w)}", rolled


def _gap_verdict(gap: GapChange, band: str, w: Words) -> str:
    if gap.moved_outside:
        return f"{ICON_WARN} " + w._("moves outside {band}", band=band)
    if gap.moved_inside:
        return f"{ICON_OK} " + w._("back inside {band}", band=band)
    if gap.after is not None and gap.after.outside:
        return f"{ICON_WARN} " + w._("still outside {band}", band=band)
    return ""


def _gaps_md(impact: Impact, fold: Fold, w: Words) -> list[str]:
    cap = fold.list_cap
    shown = impact.gaps if cap is None else impact.gaps[:cap]
    band = _gap_band(impact, w)
    title = w._(
        "**Top-down vs bottom-up** (gap: how much more the target asks than its owner commits to"
    )
    title += w._("; policy band {band} of the commitment)", band=band) if band else ")"
    lines = [
        title,
        "",
        "| "
        + " | ".join(
            (
                w._("Target"),
                w._("Top-down"),
                w._("Bottom-up"),
                w._("Gap before"),
                w._("Gap after"),
                w._("Policy band"),
            )
        )
        + " |",
        "|:--|--:|--:|--:|--:|:--|",
    ]
    for g in shown:
        unit = _unit(impact, g.metric)
        top, _ = _gap_numbers(g.before, g.after, unit, "top_down", w=w)
        bottom, rolled = _gap_numbers(g.before, g.after, unit, "bottom_up", w=w)
        if rolled:
            bottom += " " + _from_below(g.level, w)
        lines.append(
            f"| {md(g.name)} · {md(_metric_name(impact, g.metric))} | {top} | {bottom} "
            f"| {_gap_text(g.before, unit, w)} | **{_gap_text(g.after, unit, w)}** "
            f"| {_gap_verdict(g, band, w)} |"
        )
    if len(shown) < len(impact.gaps):
        more = len(impact.gaps) - len(shown)
        lines += [
            "",
            w.n_("…and {count} more changed gap.", "…and {count} more changed gaps.", more),
        ]
    return lines


def _from_below(level: Level, w: Words = ENGLISH) -> str:
    if level is Level.COMPANY:
        return w._("(from the regions)")
    if level is Level.REGION:
        return w._("(from the teams)")
    return w._("(from the reps)")


def _band(impact: Impact, w: Words = ENGLISH) -> str:
    plan = impact.head.plan
    if plan is None:
        return ""
    band = plan.policy.over_assignment
    return _band_text(band.min, band.max, w)


def _band_text(low: Decimal, high: Decimal, w: Words) -> str:
    return f"{w.number(100 + low)}{DASH}{_unit_value(100 + high, 'percent', w)}"


def _records_row(impact: Impact, w: Words) -> tuple[str, str, str]:
    what = w._("Every change has an adjustment record")
    total = len(impact.changes) - sum(1 for c in impact.changes if c.after is None)
    ids = sorted({r for c in impact.changes for r in c.covered_by})
    if impact.uncovered:
        return (
            ICON_FAIL,
            what,
            w.n_(
                "{uncovered} of {count} changed target has none (PLC610)",
                "{uncovered} of {count} changed targets have none (PLC610)",
                total,
                uncovered=w.number(Decimal(len(impact.uncovered))),
            ),
        )
    if not total:
        return ICON_OK, what, w._("no target value changed")
    causes = {r.id: r.cause for r in impact.records}
    named = w._(", ").join(
        _aside(code(i), md(w.cause(causes[i])), w) if i in causes else code(i) for i in ids[:5]
    )
    if len(ids) > 5:
        named = _and_more(named, len(ids) - 5, w)
    return (
        ICON_OK,
        what,
        w._("{count} covered by {records}", count=w.number(Decimal(total)), records=named),
    )


def _approvals_row(impact: Impact, w: Words) -> tuple[str, str, str]:
    what = w._("Approvals the policy requires")
    if not impact.approvals:
        text = w._("none (the policy has no approval tiers)") if not impact.tiers else w._("none")
        return ICON_OK, what, text
    pending = [a for a in impact.approvals if not a.recorded]
    people = [_person_md(a, w) for a in (pending or impact.approvals)]
    if pending:
        return ICON_WAIT, what, w._("review needed from {people}", people=_listing(people, w, 4))
    return (
        ICON_OK,
        what,
        w._("recorded in the adjustment records: {people}", people=_listing(people, w, 4)),
    )


def _person_md(approval: Approval, w: Words) -> str:
    handle = (
        f" {code('@' + approval.github)}" if approval.github else " " + w._("(no GitHub handle)")
    )
    return md(approval.name) + handle


def _drift_row(impact: Impact, w: Words) -> tuple[str, str, str]:
    drift = impact.drift
    assert drift is not None
    what = w._("Drift from the approved plan {ref}", ref=code(drift.ref))
    if not drift.available:
        return ICON_WARN, what, w._("not measured: {reason}", reason=md(drift.reason or "unknown"))
    moved = [t for t in drift.totals if t.target_before != t.target_after]
    differ = w.n_("{count} target differs", "{count} targets differ", drift.changed_targets)
    if not moved:
        text = w._("company targets as approved; {differ}", differ=differ)
    else:
        bits = [
            f"{md(t.name)} {pct(_pct_change(t.target_before, t.target_after), w)}"
            for t in moved[:3]
        ]
        text = w._("company {changes}; {differ}", changes=w._(", ").join(bits), differ=differ)
    return ICON_OK, what, text


def _totals_table(impact: Impact, w: Words) -> list[str]:
    money = (
        w._(" ({currency} for amounts)", currency=code(impact.currency, in_table=False))
        if impact.currency
        else ""
    )
    shown = [t for t in impact.totals if t.changed or impact.status != "changed"]
    shown = [t for t in shown if (t.target_after, t.quotas_after) != (None, None)]
    if not shown:
        return [
            w._("**Totals:** every company target and the reps' quotas, added up, are unchanged.")
        ]
    lines = [
        w._("**Totals**") + money,
        "",
        "| "
        + " | ".join(
            (w._("Metric"), w._("Company target"), "Δ", w._("Reps' quotas, added up"), "Δ")
        )
        + " |",
        "|:--|--:|--:|--:|--:|",
    ]
    for t in shown:
        lines.append(
            f"| {md(t.name)} | {_before_after(t.target_before, t.target_after, t.unit, w)} "
            f"| {_delta_cell(t.target_before, t.target_after, t.unit, w)} "
            f"| {_before_after(t.quotas_before, t.quotas_after, t.unit, w) if t.summed else '—'} "
            f"| {_delta_cell(t.quotas_before, t.quotas_after, t.unit, w) if t.summed else ''} |"
        )
    return lines


def _before_after(before: Decimal | None, after: Decimal | None, unit: str, w: Words) -> str:
    if before == after or before is None:
        return _with_unit(after, unit, w)
    return f"{_with_unit(before, unit, w)} → **{_with_unit(after, unit, w)}**"


def _delta_cell(
    before: Decimal | None, after: Decimal | None, unit: str, w: Words = ENGLISH
) -> str:
    if before == after or before is None:
        return ""
    if after is None:
        return w._("removed")
    return f"{_delta_text(after - before, unit, w)} ({pct(_pct_change(before, after), w)})"


@dataclass(frozen=True, slots=True)
class _Row:
    scope: str
    metric: str
    unit: str
    before: Decimal | None
    after: Decimal | None
    count: int = 1


def _level_word(level: Level, w: Words) -> str:
    return {
        Level.COMPANY: w.p_("level", "company"),
        Level.REGION: w.p_("level", "region"),
        Level.TEAM: w.p_("level", "team"),
        Level.REP: w.p_("level", "rep"),
    }[level]


def _scope_label(impact: Impact, change: TargetDelta, w: Words) -> str:
    who = f"**{md(change.name)}**"
    if change.level is Level.REP:
        return w._("{who} · rep, {team}", who=who, team=md(impact.name_of(change.team or "")))
    if change.level is Level.TEAM:
        return w._(
            "{who} · team, {region}", who=who, region=md(impact.name_of(change.region or ""))
        )
    return f"{who} · {_level_word(change.level, w)}"


def _scope_rows(impact: Impact, w: Words) -> list[_Row]:
    """Changed targets one by one; reps grouped by team, then by region, when there are many."""
    rows = [
        _Row(_scope_label(impact, c, w), c.metric, _unit(impact, c.metric), c.before, c.after)
        for c in impact.changes
    ]
    if len(rows) <= TOP_TABLE_ROWS:
        return rows
    for level in (Level.TEAM, Level.REGION):
        grouped = _grouped(impact, level, w)
        if len(grouped) <= TOP_TABLE_ROWS or level is Level.REGION:
            return grouped
    return rows


def _grouped(impact: Impact, level: Level, w: Words) -> list[_Row]:
    groups: dict[tuple[str, str], list[TargetDelta]] = {}
    out: list[_Row] = []
    for change in impact.changes:
        if change.level is not Level.REP:
            out.append(
                _Row(
                    _scope_label(impact, change, w),
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
        befores = [c.before for c in changes if c.before is not None]
        afters = [c.after for c in changes if c.after is not None]
        summed = _summed(impact, metric)
        where = md(impact.name_of(owner))
        if level is Level.TEAM:
            label = (
                w.n_(
                    "{count} rep in **{where}** (team), added up",
                    "{count} reps in **{where}** (team), added up",
                    len(changes),
                    where=where,
                )
                if summed
                else w.n_(
                    "{count} rep in **{where}** (team), averaged",
                    "{count} reps in **{where}** (team), averaged",
                    len(changes),
                    where=where,
                )
            )
        else:
            label = (
                w.n_(
                    "{count} rep in **{where}** (region), added up",
                    "{count} reps in **{where}** (region), added up",
                    len(changes),
                    where=where,
                )
                if summed
                else w.n_(
                    "{count} rep in **{where}** (region), averaged",
                    "{count} reps in **{where}** (region), averaged",
                    len(changes),
                    where=where,
                )
            )
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


def _scopes_table(impact: Impact, w: Words) -> list[str]:
    rows = _scope_rows(impact, w)
    grouped = any(r.count > 1 for r in rows)
    title = w._("**Changed scopes**") + (
        w._(" (reps grouped; each one is in the details below)") if grouped else ""
    )
    head = (w._("Scope"), w._("Metric"), w._("Before"), w._("After"), "Δ", "Δ %")
    lines = [title, "", "| " + " | ".join(head) + " |", "|:--|:--|--:|--:|--:|--:|"]
    for row in rows:
        before = w._("new") if row.before is None else _with_unit(row.before, row.unit, w)
        after = w._("removed") if row.after is None else _with_unit(row.after, row.unit, w)
        delta = _diff(row.before, row.after) if None not in (row.before, row.after) else None
        lines.append(
            f"| {row.scope} | {md(_metric_name(impact, row.metric))} | {before} | {after} "
            f"| {_delta_text(delta, row.unit, w)} | {pct(_pct_change(row.before, row.after), w)} |"
        )
    return lines


def _moves_md(impact: Impact, fold: Fold, w: Words) -> list[str]:
    """Amounts moved between the months of a phasing or the products of a split."""
    refs = list(dict.fromkeys(m.ref for m in impact.moves))
    kept = set(refs if fold.list_cap is None else refs[: fold.list_cap])
    head = (w._("Target"), w._("Month or product"), w._("Before"), w._("After"), "Δ")
    lines = [
        w._("**Phasing and product split**")
        + w._(" (amounts moved inside a target, even where its quarter total stayed)"),
        "",
        "| " + " | ".join(head) + " |",
        "|:--|:--|--:|--:|--:|",
    ]
    for move in impact.moves:
        if move.ref not in kept:
            continue
        unit = _unit(impact, move.metric)
        lines.append(
            f"| {md(move.name)} · {md(_metric_name(impact, move.metric))} "
            f"| {_split_part(impact, move, w)} | {_or_new(move.before, unit, w)} "
            f"| {_or_removed(move.after, unit, w)} | {_delta_text(move.delta, unit, w)} |"
        )
    if len(kept) < len(refs):
        more = len(refs) - len(kept)
        lines += [
            "",
            w.n_(
                "…and {count} more target whose split moved.",
                "…and {count} more targets whose split moved.",
                more,
            ),
        ]
    return lines


def _split_part(impact: Impact, move: SplitMove, w: Words) -> str:
    if move.month is not None:
        return w.month_year(*move.month)
    product = move.product or ""
    for plan in (impact.head.plan, impact.base.plan):
        if plan is not None and product in plan.products:
            return md(plan.products[product].name)
    return md(product)


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
    impact: Impact, region: str, changes: list[TargetDelta], fold: Fold, w: Words
) -> list[str]:
    title = impact.name_of(region) if region else w._("Company")
    nets = []
    for metric in dict.fromkeys(c.metric for c in changes):
        total = sum((c.delta or Decimal(0) for c in changes if c.metric == metric), Decimal(0))
        nets.append(
            f"{_metric_name(impact, metric)} {_delta_text(total, _unit(impact, metric), w)}"
        )
    details = [
        d for d in impact.details if (impact.region_of(d.ref.split("/", 1)[0]) or "") == region
    ]
    summary = f"{title} · " + (
        w.n_("{count} target detail changed", "{count} target details changed", len(details))
        if details and not changes  # "0 changed targets" over a phasing edit read as nothing
        else w.n_("{count} changed target", "{count} changed targets", len(changes))
    )
    if nets:
        summary += " · " + w._("net {changes}", changes=w._(", ").join(nets[:3]))
    lines = [f"<details><summary>{html_text(summary)}</summary>", ""]
    shown = changes if fold.rows_per_region is None else changes[: fold.rows_per_region]
    if shown:
        head = (
            w._("Where"),
            w._("Target"),
            w._("Before"),
            w._("After"),
            "Δ",
            "Δ %",
            w._("Record"),
            w._("Approver"),
        )
        lines += ["| " + " | ".join(head) + " |", "|:--|:--|--:|--:|--:|--:|:--|:--|"]
        approvers = _approver_names(impact)
        for c in shown:
            unit = _unit(impact, c.metric)
            where = code(f"{PurePosixPath(c.span.path).name}:{c.span.line}") if c.span else ""
            record = w._(", ").join(code(r) for r in c.covered_by) or (
                "—" if c.after is None else f"{ICON_FAIL} " + w._("none")
            )
            lines.append(
                f"| {where} | {md(c.name)} · {md(_metric_name(impact, c.metric))} "
                f"| {_or_new(c.before, unit, w)} | {_or_removed(c.after, unit, w)} "
                f"| {_delta_text(c.delta, unit, w)} | {pct(c.delta_percent, w)} | {record} "
                f"| {approvers.get(c.ref, '')} |"
            )
    if len(shown) < len(changes):
        lines += [
            "",
            w.n_(
                "…and {count} more changed target in {where}, folded to fit the comment limit.",
                "…and {count} more changed targets in {where}, folded to fit the comment limit.",
                len(changes) - len(shown),
                where=md(title),
            ),
        ]
    paths = sorted({c.span.path for c in changes if c.span})
    if paths:
        listed = w._(", ").join(code(p, in_table=False) for p in paths)
        lines += ["", w._("In {paths}.", paths=listed)]
    notes = _region_notes(impact, region, fold, w)
    if notes:
        lines += ["", *notes]
    lines += ["", "</details>"]
    return lines


def _or_new(value: Decimal | None, unit: str, w: Words) -> str:
    return w._("new") if value is None else _with_unit(value, unit, w)


def _or_removed(value: Decimal | None, unit: str, w: Words) -> str:
    return w._("removed") if value is None else _with_unit(value, unit, w)


def _approver_names(impact: Impact) -> dict[str, str]:
    names: dict[str, str] = {}
    for approval in impact.approvals:
        for ref in approval.refs:
            names[ref] = md(approval.name)
    return names


def _region_notes(impact: Impact, region: str, fold: Fold, w: Words) -> list[str]:
    lines: list[str] = []
    cap = fold.list_cap
    recon = [r for r in impact.reconciliation if impact.region_of(r.node) == (region or None)]
    if region == "":
        recon = [r for r in impact.reconciliation if r.level is Level.COMPANY]
    for row in recon[:cap] if cap is not None else recon:
        lines.append("- " + _reconciliation_md(impact, row, w))
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
            f"- {where} "
            + w._(
                "{target}: {fields} changed (value unchanged)",
                target=_target_name(impact, detail.ref),
                fields=w._(", ").join(_field_word(f, w) for f in detail.fields),
            )
        )
    for rep in [r for r in impact.reps if (r.region or "") == region]:
        named = {
            "name": md(rep.name),
            "id": code(rep.person, in_table=False),
            "team": md(impact.name_of(rep.team or "")),
        }
        if rep.added:
            lines.append("- " + w._("joins: {name} ({id}) in {team}", **named))
        else:
            lines.append("- " + w._("leaves: {name} ({id}) from {team}", **named))
    return lines


def _target_name(impact: Impact, ref: str) -> str:
    """``East Key Accounts · Revenue`` (``east-ka/revenue``): names first, the id for the YAML."""
    node, _, metric = ref.partition("/")
    named = f"{md(impact.name_of(node))} · {md(_metric_name(impact, metric))}"
    return f"{named} ({code(ref, in_table=False)})"


def _field_word(field: str, w: Words) -> str:
    words = {
        "stretch": w.p_("field", "stretch"),
        "deadline": w.p_("field", "deadline"),
        "owner": w.p_("field", "owner"),
        "pillar": w.p_("field", "pillar"),
        "months": w._("phasing"),
        "products": w._("product split"),
        "last_quarter": w._("last quarter"),
        "last_year": w._("last year"),
        "bottom_up": w._("bottom-up number"),
    }
    return words.get(field, field)


def _reconciliation_md(impact: Impact, row: Reconciliation, w: Words) -> str:
    below = {
        Level.COMPANY: w._("regions carry"),
        Level.REGION: w._("teams carry"),
    }.get(row.level, w._("reps carry"))
    ok = row.ok()
    icon = ICON_OK if ok else (ICON_FAIL if ok is False else ICON_WARN)
    unit = _unit(impact, row.metric)
    limit = (
        w._("at most 100%")
        if row.cap
        else w._("{band} band", band=_band_text(row.band_min, row.band_max, w))
    )
    metric = md(_metric_name(impact, row.metric))
    if row.part == "stretch":
        metric = w._("{metric} stretch", metric=metric)
    return w._(
        "{icon} {name} · {metric}: {below} {children} = {share} of {parent} (was {before}; {limit})",
        icon=icon,
        name=md(row.name),
        metric=metric,
        below=below,
        children=_with_unit(row.children_after, unit, w),
        share=_share(row.percent_after, w),
        parent=_with_unit(row.parent_after, unit, w),
        before=_share(row.percent_before, w),
        limit=limit,
    )


def _diagnostic_list(
    title: str, found: list[Diagnostic], fold: Fold, w: Words, error_only: bool = False
) -> list[str]:
    if error_only:
        found = [d for d in found if _is_error(d)]
    cap = fold.list_cap
    shown = found if cap is None else found[:cap]
    lines = [f"**{title}**", ""]
    for d in shown:
        icon = ICON_FAIL if _is_error(d) else ICON_WARN
        where = code(str(d.span), in_table=False) if d.span else ""
        hint = f" — {_message_md(d.hint, w)}" if d.hint else ""
        lines.append(f"- {icon} {where} {d.code} {_message_md(d.message, w)}{hint}")
    if len(shown) < len(found):
        lines.append(
            "- "
            + w._(
                "…and {count} more (folded to fit the comment limit)",
                count=w.number(Decimal(len(found) - len(shown))),
            )
        )
    return lines


def _message_md(text: str, w: Words) -> str:
    """A diagnostic's message or hint in the plan's language, for a list item: the catalog's
    `code` spans as code, everything a user wrote escaped (:meth:`Words.markdown`)."""
    return w.markdown(text, in_table=False)


def _fixed_details(impact: Impact, fold: Fold, w: Words) -> list[str]:
    cap = fold.list_cap
    shown = impact.fixed if cap is None else impact.fixed[:cap]
    summary = w.n_("{count} problem fixed", "{count} problems fixed", len(impact.fixed))
    lines = [f"<details><summary>{html_text(summary)}</summary>", ""]
    for d in shown:
        where = code(str(d.span), in_table=False) if d.span else ""
        lines.append(f"- {ICON_OK} {where} {d.code} {_message_md(d.message, w)}")
    if len(shown) < len(impact.fixed):
        more = w.number(Decimal(len(impact.fixed) - len(shown)))
        lines.append("- " + w._("…and {count} more", count=more))
    lines += ["", "</details>"]
    return lines


def _records_md(impact: Impact, fold: Fold, w: Words) -> list[str]:
    cap = fold.list_cap
    shown = impact.records if cap is None else impact.records[:cap]
    statuses = {"new": w._("new"), "changed": w._("changed"), "unchanged": w._("unchanged")}
    lines = [w._("**Adjustment records** (the stated reasons)"), ""]
    for r in shown:
        approved = w._(", ").join(md(impact.name_of(p)) for p in r.approved_by) or w._(
            "nobody yet (review the PR)"
        )
        refs = w._(", ").join(code(x, in_table=False) for x in r.refs[:8])
        if len(r.refs) > 8:
            refs = _and_more(refs, len(r.refs) - 8, w)
        lines.append(
            "- "
            + w._(
                "**{id}** ({status}) · cause: **{cause}** · decided {decided} · effective "
                "{effective} · changes {refs} · approved by {approved}",
                id=md(r.id),
                status=statuses.get(r.status, r.status),
                cause=md(w.cause(r.cause)),
                decided=_day(r.decided, w),
                effective=_day(r.effective, w),
                refs=refs,
                approved=approved,
            )
        )
        lines.append(f"  > {md(r.note)}")
    if len(shown) < len(impact.records):
        more = len(impact.records) - len(shown)
        lines.append("- " + w.n_("…and {count} more record", "…and {count} more records", more))
    return lines


def _day(text: str, w: Words) -> str:
    """A record's date (ISO in the YAML) as the locale writes dates."""
    try:
        return w.date(date.fromisoformat(text))
    except ValueError:
        return text


def _why(approval: Approval, impact: Impact, w: Words) -> str:
    """Why this person must approve, with names: ``region owner of North``."""
    owner = _OWNER_OF.fullmatch(approval.why)
    if owner is not None:
        level = Level[owner.group(1).upper()]
        return w._(
            "{level} owner of {name}",
            level=_level_word(level, w),
            name=md(impact.name_of(owner.group(2))),
        )
    if approval.why == "named in the policy":
        return w._("named in the policy")
    return md(approval.why)


# The reasons checks/approvals.required_approver gives (planc's own words, never user text).
_OWNER_OF = re.compile(r"(company|region|team) owner of (.+)")


def _approvals_md(impact: Impact, fold: Fold, w: Words) -> list[str]:
    cap = fold.list_cap
    shown = impact.approvals if cap is None else impact.approvals[:cap]
    tiers = _tiers_text(impact, w)
    title = w._("**Approvals**")
    if tiers:
        title += w._(
            " (policy: {tiers}; the larger of the change and the drift from the approved plan "
            "counts)",
            tiers=md(tiers),
        )
    head = (
        w._("Approver"),
        "GitHub",
        w._("Why"),
        w._("Targets"),
        w._("Largest change"),
        w._("Status"),
    )
    lines = [title, "", "| " + " | ".join(head) + " |", "|:--|:--|:--|:--|--:|:--|"]
    for a in shown:
        refs = w._(", ").join(code(r) for r in a.refs[:4])
        if len(a.refs) > 4:
            refs = _and_more(refs, len(a.refs) - 4, w)
        if not a.refs:
            refs = w._("the new quarter's plan")
        largest = w._("new or removed") if a.largest is None else _size_text(a.largest, impact, w)
        if not a.refs:
            largest = "—"
        status = (
            f"{ICON_OK} " + w._("recorded")
            if a.recorded
            else f"{ICON_WAIT} " + w._("review needed")
        )
        handle = code("@" + a.github) if a.github else "—"
        lines.append(
            f"| {md(a.name)} | {handle} | {_why(a, impact, w)} | {refs} | {largest} | {status} |"
        )
    if len(shown) < len(impact.approvals):
        more = len(impact.approvals) - len(shown)
        lines += ["", w.n_("…and {count} more approver.", "…and {count} more approvers.", more)]
    return lines


def _size_text(size: Decimal, impact: Impact, w: Words) -> str:
    """The change's size with the digits that tell it from every tier's limit, in CLDR's signs."""
    text = size_text(size, impact.tiers)  # "5.02%": planc's exact digits, English signs
    if w.locale is None:
        return text
    cldr = w.locale.cldr
    digits = text.removesuffix("%")
    return f"{cldr.percent_prefix}{w.locale._digits(digits)}{cldr.percent_suffix}"


def _files_line(impact: Impact, w: Words) -> str:
    bits = []
    if impact.moved_from:
        bits.append(
            w._("the folder (renamed from {old})", old=code(impact.moved_from, in_table=False))
        )
    statuses = {
        "added": w._("added"),
        "removed": w._("removed"),
        "modified": w._("modified"),
    }
    for f in impact.files:
        if f.status == "renamed":
            bits.append(
                w._(
                    "{old} → {new} (renamed)",
                    old=code(f.old_path or "", in_table=False),
                    new=code(f.path, in_table=False),
                )
            )
        else:
            bits.append(_aside(code(f.path, in_table=False), statuses.get(f.status, f.status), w))
    return w._(
        "Files in {folder}: {files}.",
        folder=code(impact.folder, in_table=False),
        files=w._(", ").join(bits),
    )


def _aside(item: str, detail: str, w: Words) -> str:
    """``item (detail)``, bracketed as the language writes it (full-width in Chinese)."""
    return w._("{item} ({detail})", item=item, detail=detail)


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
        _text_moves,
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


def _text_moves(impact: Impact) -> list[str]:
    if not impact.moves:
        return []
    out = ["Phasing and product split (amounts moved inside a target):"]
    for m in impact.moves:
        unit = _unit(impact, m.metric)
        part = ENGLISH.month_year(*m.month) if m.month is not None else f"product {m.product}"
        out.append(
            f"  {m.ref} ({m.name}) {part}: {_or_new(m.before, unit, ENGLISH)} -> "
            f"{_or_removed(m.after, unit, ENGLISH)} ({_delta_text(m.delta, unit)})"
        )
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
            bottom += " " + _from_below(g.level)
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
        f"{ENGLISH.n_('{count} target differs', '{count} targets differ', drift.changed_targets)}"
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


def _move_json(impact: Impact, move: SplitMove) -> dict[str, Any]:
    """An amount moved inside a target: one month of its phasing or one product of its split."""
    product_name = None
    if move.product is not None:
        for plan in (impact.head.plan, impact.base.plan):
            if plan is not None and move.product in plan.products:
                product_name = plan.products[move.product].name
                break
    return {
        "target": move.ref,
        "node": move.node,
        "name": move.name,
        "metric": move.metric,
        "month": None if move.month is None else f"{move.month[0]:04d}-{move.month[1]:02d}",
        "product": move.product,
        "product_name": product_name,
        "before": _dec(move.before),
        "after": _dec(move.after),
        "delta": _dec(move.delta),
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
        "moves": [_move_json(impact, m) for m in impact.moves],
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
