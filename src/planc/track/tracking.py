"""Attainment, pacing, run-rate forecasts, early warnings and baselines.

Pure arithmetic over the plan and *aggregated* actuals: no pandas, no I/O.
A reader (:mod:`planc.track.actuals`) aggregates an export into the
:class:`~planc.track.aggregates.Actuals` of :mod:`planc.track.aggregates`
(per rep, month and product); everything here works on those few thousand
cells in exact ``Decimal``.

The words, used the same way in the code, the reports and the README:

- *attained*: what the actuals say so far (up to the as-of date);
- *pace*: what the plan expects by the as-of date: the monthly phasing (the
  current month prorated by its days), or without phasing an even spread over
  the quarter's days; a share's pace is its target;
- *forecast*: the run rate: attained x days of the quarter / days elapsed;
- *of pace*: attained as a percent of pace; the early warnings compare it
  with ``policy.warnings``.

Rendering a brief calls :func:`progress_by_target`.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from functools import lru_cache

from planc.checks.base import named_target
from planc.core.diagnostics import Diagnostic, Items, Message, Rule, Severity, rule
from planc.core.model import MEASURES, ActualsMapping, Level, Node, Plan, Quarter, Target
from planc.core.numbers import apart
from planc.track.aggregates import Actuals, RepMonth, month_key
from planc.track.forecast import Estimate, Forecaster
from planc.track.rules import LOW_COVERAGE

FORECAST_MEASURES = frozenset({"amount", "deals"})
DISTINCT = frozenset(
    {"accounts"}
)  # a count of distinct things: never run-rated  # sums of deals a pipeline can forecast

# --- measures -------------------------------------------------------------------

SHARES = frozenset({"key_product_share", "win_rate"})
COLUMN_ROLES = ("owner", "date", "amount", "product", "stage", "account", "key", "created")

# --- the rules (PLC700-PLC749) ------------------------------------------------------

MAPPING_MISSING = rule(
    "PLC701",
    "actuals-mapping-missing",
    Severity.ERROR,
    """The plan has no ``actuals:`` section, so planc track cannot read an export.

    The quarter file says which columns of the CRM export hold what and how
    each tracked metric is measured.

    Fails: ``planc track plans/2027-Q1 --actuals
    tests/fixtures/crm-sales-opportunities/sales_pipeline.csv`` (the example
    quarter has no ``actuals:``).

    Passes::

        actuals:
          columns: {owner: sales_agent, date: close_date, amount: close_value}
          metrics: {revenue: amount}
    """,
)
UNREADABLE = rule(
    "PLC702",
    "actuals-unreadable",
    Severity.ERROR,
    """The actuals export cannot be read as a table.

    A missing file, a folder, an unknown file type (planc reads .csv, .tsv,
    .txt, .xlsx and .parquet), a Parquet file without pyarrow installed, a
    damaged spreadsheet, an empty file or a CSV row with more fields than the
    header.

    Fails::

        opportunity_id,sales_agent,close_value
        1C1I7A6R,Moses Frase,1054,extra

    Passes::

        opportunity_id,sales_agent,close_value
        1C1I7A6R,Moses Frase,1054
    """,
)
ENCODING = rule(
    "PLC703",
    "actuals-encoding",
    Severity.ERROR,
    """The export is not text in the declared encoding (``actuals.encoding``, default utf-8).

    Excel often saves CSV as gb18030 (Chinese) or cp1252 (Western European).

    Fails (a cp1252 byte in a utf-8 file)::

        sales_agent,close_value
        Ren\\xe9 Dupont,1054

    Passes (declare it)::

        actuals:
          encoding: cp1252
    """,
)
MISSING_COLUMN = rule(
    "PLC704",
    "actuals-missing-column",
    Severity.ERROR,
    """A column the plan's mapping names is not in the export's header.

    Fails (``columns: {date: close_dat, ...}``)::

        opportunity_id,sales_agent,close_date,close_value

    Passes::

        actuals:
          columns: {owner: sales_agent, date: close_date, amount: close_value}
    """,
)
BAD_DATE = rule(
    "PLC705",
    "actuals-bad-date",
    Severity.ERROR,
    """A date in the export is not a date in the declared format.

    Dates are YYYY-MM-DD (a time after them is ignored) unless
    ``actuals.date_format`` gives a strftime format such as ``%d/%m/%Y``.

    Fails::

        sales_agent,close_date,close_value
        Moses Frase,2017-13-01,1054

    Passes::

        sales_agent,close_date,close_value
        Moses Frase,2017-12-01,1054
    """,
)
BAD_AMOUNT = rule(
    "PLC706",
    "actuals-bad-amount",
    Severity.ERROR,
    """A counted row's amount is not a plain decimal number, or is beyond planc's bound.

    Amounts are read exactly, as decimals: no thousands separators, no
    currency signs, no text, and below 10^15 with at most 6 decimals (so that
    sums stay exact; planc refuses such an amount rather than round it).

    Fails::

        sales_agent,deal_stage,close_value
        Moses Frase,Won,"1,054"

    Passes::

        sales_agent,deal_stage,close_value
        Moses Frase,Won,1054
    """,
)
MISSING_VALUE = rule(
    "PLC707",
    "actuals-missing-value",
    Severity.ERROR,
    """A counted (won) row has no date or no amount, so it cannot be put in a period or summed.

    Fails::

        sales_agent,deal_stage,close_date,close_value
        Moses Frase,Won,,1054

    Passes::

        sales_agent,deal_stage,close_date,close_value
        Moses Frase,Won,2017-03-01,1054
        Moses Frase,Engaging,,
    """,
)
NO_ROWS = rule(
    "PLC708",
    "actuals-no-rows",
    Severity.WARNING,
    """The export has a header but no rows, so every target shows nothing attained.

    Fails::

        sales_agent,deal_stage,close_date,close_value

    Passes::

        sales_agent,deal_stage,close_date,close_value
        Moses Frase,Won,2017-03-01,1054
    """,
)
UNMAPPED_OWNER = rule(
    "PLC710",
    "unmapped-owner",
    Severity.WARNING,
    """An owner in the export is no person of the plan; their rows are not counted.

    Owners match a person's id, name or e-mail (ignoring case), or an alias
    under ``actuals.owners``. The ledger counts the rows left out.

    Fails (the plan has Moses Frase)::

        sales_agent,deal_stage,close_date,close_value
        Moses Frse,Won,2017-03-01,1054

    Passes::

        actuals:
          owners: {Moses Frse: moses-frase}
    """,
)
UNMAPPED_PRODUCT = rule(
    "PLC711",
    "unmapped-product",
    Severity.WARNING,
    """A product in the export is no product line of the plan.

    Its rows still count in amounts and deals, but in no product line: not in
    key_product_share and not in a product split's progress.

    Fails (the plan has GTX Pro)::

        sales_agent,product,close_value
        Moses Frase,GTXPro,4514

    Passes::

        actuals:
          products: {GTXPro: gtx-pro}
    """,
)
UNKNOWN_STAGE = rule(
    "PLC712",
    "unknown-stage",
    Severity.WARNING,
    """A stage in the export is in none of ``actuals.stages`` (won, open, lost); its rows are not counted.

    Fails (``stages: {won: [Won], lost: [Lost]}``)::

        sales_agent,deal_stage,close_value
        Moses Frase,Closed Won,1054

    Passes::

        actuals:
          stages: {won: [Won, Closed Won], lost: [Lost]}
    """,
)
OWNER_WITHOUT_SEAT = rule(
    "PLC713",
    "owner-without-seat",
    Severity.WARNING,
    """An owner in the export is a person of the plan with no rep seat; their rows are not counted.

    Actuals count for reps and roll up through their teams and regions. A
    manager's own deals need a rep seat (or an alias to the rep who owns the
    account).

    Fails (Cara Losch owns a team, not a rep seat)::

        sales_agent,deal_stage,close_value
        Cara Losch,Won,1054

    Passes::

        actuals:
          owners: {Cara Losch: violet-mclelland}
    """,
)
NO_ACCOUNT = rule(
    "PLC714",
    "won-without-account",
    Severity.WARNING,
    """Counted rows have no account, so they count in amounts but not in customer counts.

    Only reported when a metric is measured by accounts or new_accounts.

    Fails::

        sales_agent,deal_stage,account,close_value
        Moses Frase,Won,,1054

    Passes::

        sales_agent,deal_stage,account,close_value
        Moses Frase,Won,Cancity,1054
    """,
)
BEHIND_PACE = rule(
    "PLC720",
    "behind-pace",
    Severity.WARNING,
    """A target's actual is below ``policy.warnings.behind_pace`` percent of its pace to date.

    The pace is what the monthly phasing expects by the as-of date (the
    current month prorated by its days), or an even spread without phasing;
    a share's pace is its target. No warning until
    ``policy.warnings.after_months`` months are over. The message attributes
    the gap where the data allows: the product line furthest behind its
    split, last quarter's accounts with no deal yet, the win rate against
    last quarter's.

    Fails (months [150000, 180000, 220000]; 120,000 won by 2027-02-14,
    pace 150,000 + 180,000 x 14/28 = 240,000: 50 %)::

        revenue: {value: 550000, months: [150000, 180000, 220000]}

    Passes (200,000 won by then: 83.3 % of pace)::

        revenue: {value: 550000, months: [150000, 180000, 220000]}
    """,
)
CAP_ABOVE_PACE = rule(
    "PLC721",
    "cap-above-pace",
    Severity.WARNING,
    """A cap (a lower-is-better metric such as sales expense) is used faster than its pace.

    Warned when what is used so far exceeds ``policy.warnings.cap_above_pace``
    percent (default 100) of the cap's pace to date.

    Fails (a 90-day cap of 35,000; 20,000 spent by day 45, pace 17,500)::

        sales_expense: {value: 35000}

    Passes (15,000 spent by day 45)::

        sales_expense: {value: 35000}
    """,
)

RULES: tuple[Rule, ...] = (
    MAPPING_MISSING,
    UNREADABLE,
    ENCODING,
    MISSING_COLUMN,
    BAD_DATE,
    BAD_AMOUNT,
    MISSING_VALUE,
    NO_ROWS,
    UNMAPPED_OWNER,
    UNMAPPED_PRODUCT,
    UNKNOWN_STAGE,
    OWNER_WITHOUT_SEAT,
    NO_ACCOUNT,
    BEHIND_PACE,
    CAP_ABOVE_PACE,
)

# --- numbers as people read them -------------------------------------------------------

CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def fmt_number(value: Decimal | None, places: int = 0) -> str:
    """1180000 -> '1,180,000'; with ``places`` decimals; None -> '-'."""
    if value is None:
        return "-"
    quantum = Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_EVEN)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0"
    return f"{rounded:,}"


def fmt_percent(value: Decimal | None) -> str:
    return "-" if value is None else f"{fmt_number(value, 1)}%"


def fmt_numbers(*values: Decimal | None, places: int = 0) -> list[str]:
    """Numbers side by side: ``places`` decimals, or as many more as tell different ones
    apart (an attained 26,351.6 never prints as its pace of 26,352); None -> '-'."""
    present = [v for v in values if v is not None]
    shown = iter(apart(present, places))
    return [
        "-" if v is None else fmt_number(d := next(shown), -int(d.as_tuple().exponent))
        for v in values
    ]


def percent_places(value: Decimal, other: Decimal) -> int:
    """How many places a percent needs not to look like ``other`` (1 to 6).

    79.96 beside a threshold of 80 reads "79.96%", never "80.0%".
    """
    places = 1
    while places < 6 and fmt_number(value, places) == fmt_number(other, places) and value != other:
        places += 1
    return places


def fmt_percent_apart(value: Decimal, other: Decimal) -> str:
    return f"{fmt_number(value, percent_places(value, other))}%"


def fmt_count(value: int) -> str:
    return f"{value:,}"


# --- periods ------------------------------------------------------------------------------


def month_of(key: int) -> tuple[int, int]:
    return key // 12, key % 12 + 1


def month_label(key: int) -> str:
    year, month = month_of(key)
    return f"{year:04d}-{month:02d}"


@dataclass(frozen=True, slots=True)
class Periods:
    """The months a tracking run looks at, as month keys."""

    current: tuple[int, ...]
    last_quarter: tuple[int, ...]
    last_year: tuple[int, ...]

    @property
    def all(self) -> frozenset[int]:
        return frozenset((*self.current, *self.last_quarter, *self.last_year))


def periods(quarter: Quarter) -> Periods:
    current = tuple(month_key(y, m) for y, m in quarter.months)
    size = len(current)
    return Periods(
        current=current,
        last_quarter=tuple(k - size for k in current),
        last_year=tuple(k - 12 for k in current),
    )


def period_label(keys: Sequence[int]) -> str:
    if not keys:
        return "-"
    first, last = month_label(keys[0]), month_label(keys[-1])
    return first if first == last else f"{first}..{last}"


# --- progress -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonthProgress:
    year: int
    month: int
    plan: Decimal | None  # the month's phasing, when the target has one
    attained: Decimal | None  # None for months not begun by the as-of date
    complete: bool  # the month is over by the as-of date


@dataclass(frozen=True, slots=True)
class Progress:
    """Where one target stands at the as-of date. What a brief shows beside the target."""

    node: str
    metric: str
    target: Decimal
    attained: Decimal | None  # None: no data yet (a share of nothing)
    pace: Decimal
    forecast: Decimal | None
    attainment: Decimal | None  # attained as a percent of the target
    of_pace: Decimal | None  # attained as a percent of pace
    status: str  # not started | not due | ahead | behind | at risk | within | over | no data
    months: tuple[MonthProgress, ...]
    lower_is_better: bool
    unit: str
    exact_of_pace: Fraction | None = None  # what status and warnings compare, never rounded
    pipeline: Estimate | None = None  # the pipeline forecast, for amounts and deals
    stretch: Decimal | None = None  # the target's stretch, when it has one
    stretch_attainment: Decimal | None = None  # attained as a percent of the stretch


@dataclass(frozen=True, slots=True)
class Baseline:
    """A target's results in the periods its baselines refer to, from the export."""

    node: str
    metric: str
    last_quarter: Decimal | None
    last_quarter_months: int  # months of that period the export covers
    last_year: Decimal | None
    last_year_months: int
    months: int  # months in the period
    declared_last_quarter: Decimal | None
    declared_last_year: Decimal | None
    last_quarter_employed: bool = True  # a rep's person worked in that period
    last_year_employed: bool = True


@dataclass(frozen=True, slots=True)
class SourceRead:
    """One actuals source as tracked: its name (``""`` for the one-source form), its
    aggregates (``actuals.source`` is the export as shown, ``actuals.ledger`` its rows)
    and the metrics it measures."""

    name: str
    actuals: Actuals
    metrics: tuple[str, ...]


@dataclass(slots=True)
class Tracking:
    """Everything ``planc track`` reports.

    ``actuals`` is the (first) source's aggregates, for the as-of date; with
    several sources, ``sources`` holds each one and its ledger.
    """

    plan: Plan
    actuals: Actuals
    periods: Periods
    elapsed_days: int
    progress: list[Progress] = field(default_factory=list)
    untracked: tuple[str, ...] = ()  # metrics with targets and no measure
    warnings: list[Diagnostic] = field(default_factory=list)
    baselines: list[Baseline] | None = None
    forecast_method: str | None = None  # the pipeline forecast's method, when there is one
    products: list[ProductProgress] = field(default_factory=list)
    sources: tuple[SourceRead, ...] = ()

    @property
    def several_sources(self) -> bool:
        return any(source.name for source in self.sources)

    def source_of(self, metric: str) -> str:
        """The name of the source that measures a metric ("" for the one-source form)."""
        return next((s.name for s in self.sources if metric in s.metrics), "")


@dataclass(frozen=True, slots=True)
class ProductProgress:
    """A node's won amount in one product line this quarter, and its pipeline forecast."""

    node: str
    product: str
    attained: Decimal
    pipeline: Estimate | None
    source: str = ""  # the actuals source it comes from, with several


# --- rolling actuals up the org --------------------------------------------------------------


@dataclass(slots=True)
class _Tally:
    amount: Decimal = Decimal(0)
    key_amount: Decimal = Decimal(0)
    deals: int = 0
    lost: int = 0
    new_accounts: int = 0

    def add(self, other: RepMonth | _Tally) -> None:
        self.amount += other.amount
        self.key_amount += other.key_amount
        self.deals += other.deals
        self.lost += other.lost
        self.new_accounts += other.new_accounts


class _Rollup:
    """Actuals per node and month: reps' cells summed up the tree, computed once."""

    def __init__(self, plan: Plan, actuals: Actuals, months: Iterable[int]) -> None:
        self.plan = plan
        self.actuals = actuals
        self.months = tuple(sorted(set(months)))
        self.tallies: dict[str, dict[int, _Tally]] = {}
        self.reps: dict[str, tuple[str, ...]] = {}
        for node in _post_order(plan):
            per_month = {m: _Tally() for m in self.months}
            if node.level is Level.REP:
                reps: tuple[str, ...] = (node.id,)
                for m in self.months:
                    cell = actuals.months.get((node.id, m))
                    if cell is not None:
                        per_month[m].add(cell)
            else:
                reps = tuple(r for c in node.children for r in self.reps.get(c, ()))
                for child in node.children:
                    child_months = self.tallies.get(child)
                    if child_months is None:
                        continue
                    for m in self.months:
                        per_month[m].add(child_months[m])
            self.tallies[node.id] = per_month
            self.reps[node.id] = reps
        self._accounts: dict[tuple[str, tuple[int, ...]], dict[int, int]] = {}

    def tally(self, node: str, months: Iterable[int]) -> _Tally:
        total = _Tally()
        per_month = self.tallies.get(node, {})
        for m in months:
            if m in per_month:
                total.add(per_month[m])
        return total

    def accounts(self, node: str, months: Sequence[int]) -> dict[int, int]:
        """Accounts with counted rows under a node in some months, with their scaled amounts."""
        key = (node, tuple(months))
        found = self._accounts.get(key)
        if found is None:
            found = {}
            for rep in self.reps.get(node, ()):
                for m in months:
                    for account, value in self.actuals.accounts.get((rep, m), {}).items():
                        found[account] = found.get(account, 0) + value
            self._accounts[key] = found
        return found

    def product_amount(self, node: str, product: str, months: Sequence[int]) -> Decimal:
        get = self.actuals.products.get
        # the cells there are, in order (a missing cell added nothing: the sum starts at 0)
        found = [
            v
            for rep in self.reps.get(node, ())
            for m in months
            if (v := get((rep, m, product))) is not None
        ]
        return sum(found, Decimal(0))

    def exact_measure(self, node: str, measure: str, months: Sequence[int]) -> Fraction | None:
        """A measure as an exact fraction: shares are not cut to 28 digits."""
        if measure in SHARES:
            t = self.tally(node, months)
            if measure == "key_product_share":
                part, whole = Fraction(t.key_amount), Fraction(t.amount)
            else:
                part, whole = Fraction(t.deals), Fraction(t.deals + t.lost)
            return _ratio(part, whole)
        value = self.measure(node, measure, months)
        return None if value is None else Fraction(value)

    def measure(self, node: str, measure: str, months: Sequence[int]) -> Decimal | None:
        """A measure's value for a node over some months; None when a share has no base."""
        if measure == "accounts":
            return Decimal(len(self.accounts(node, months)))
        t = self.tally(node, months)
        if measure == "amount":
            return t.amount
        if measure == "deals":
            return Decimal(t.deals)
        if measure == "new_accounts":
            return Decimal(t.new_accounts)
        if measure == "key_product_share":
            return _share(t.key_amount, t.amount)
        if measure == "win_rate":
            return _share(Decimal(t.deals), Decimal(t.deals + t.lost))
        raise ValueError(f"unknown measure {measure!r}")


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    return None if whole == 0 else part * 100 / whole


def _post_order(plan: Plan) -> list[Node]:
    """Nodes with every child before its parent."""
    return list(reversed(list(plan.walk())))


# --- pace and forecast ------------------------------------------------------------------------


def elapsed_days(quarter: Quarter, as_of: date) -> int:
    """Days of the quarter that are over at the end of the as-of date."""
    if as_of < quarter.start:
        return 0
    return min((as_of - quarter.start).days + 1, quarter.days)


def _month_bounds(quarter: Quarter, year: int, month: int) -> tuple[date, date]:
    return _bounds(quarter.start, quarter.end, year, month)


@lru_cache(maxsize=64)
def _bounds(start: date, end: date, year: int, month: int) -> tuple[date, date]:
    """A month's first and last day within a quarter: asked for each month of every target
    (~4,000 times at 1,000 reps) and the same for all of them."""
    first = max(date(year, month, 1), start)
    last = min(date(year, month, calendar.monthrange(year, month)[1]), end)
    return first, last


def _month_part(quarter: Quarter, year: int, month: int, as_of: date) -> tuple[int, int]:
    """How much of a month of the quarter is over by the end of the as-of date, as (days
    over, days) unreduced: (1, 1) when all of it is over, (0, 1) when none is."""
    first, last = _month_bounds(quarter, year, month)
    if as_of >= last:
        return 1, 1
    if as_of < first:
        return 0, 1
    return (as_of - first).days + 1, (last - first).days + 1


def exact_pace(quarter: Quarter, target: Target, as_of: date, *, share: bool) -> Fraction:
    """What the plan expects of a target by the end of the as-of date, as an exact fraction."""
    if share:
        return Fraction(target.value)
    months = target.months
    if months is not None and len(months) == len(quarter.months):
        # the sum over months of planned x the month's part that is over, as one integer
        # ratio reduced once (the same fraction as adding Fractions month by month, each
        # reduced: ~1,000 targets x 3 months at 1M rows)
        top, bottom = 0, 1
        for (year, month), planned in zip(quarter.months, months, strict=True):
            over, days = _month_part(quarter, year, month, as_of)
            if over:
                numerator, denominator = planned.as_integer_ratio()
                numerator *= over
                denominator *= days
                top, bottom = top * denominator + numerator * bottom, bottom * denominator
        return Fraction(top, bottom)
    return Fraction(target.value) * Fraction(elapsed_days(quarter, as_of), quarter.days)


def pace_of(quarter: Quarter, target: Target, as_of: date, *, share: bool) -> Decimal:
    """The pace as a Decimal: exact when it ends within 28 digits (comparisons use the fraction)."""
    return to_decimal(exact_pace(quarter, target, as_of, share=share))


def to_decimal(value: Fraction) -> Decimal:
    """A fraction as a Decimal to 28 significant digits: for showing, never for comparing."""
    return Decimal(value.numerator) / Decimal(value.denominator)


def _ratio(part: Fraction | None, whole: Fraction) -> Fraction | None:
    """``part`` as an exact percent of ``whole`` (one fraction made and reduced, where
    ``part * 100 / whole`` made and reduced two)."""
    if part is None or whole == 0:
        return None
    return Fraction(part.numerator * 100 * whole.denominator, part.denominator * whole.numerator)


def _stretch(attained: Fraction | None, stretch: Decimal | None) -> Decimal | None:
    found = None if stretch is None else _ratio(attained, Fraction(stretch))
    return None if found is None else to_decimal(found)


def _status(
    of_pace: Fraction | None, attained: Decimal | None, elapsed: int, lower: bool, plan: Plan
) -> str:
    if elapsed == 0:
        return "not started"
    if attained is None:
        return "no data"
    if of_pace is None:
        return "not due"  # nothing expected yet (a month phased at zero)
    warnings = plan.policy.warnings
    if lower:
        return "over" if of_pace > Fraction(warnings.cap_above_pace) else "within"
    if of_pace >= 100:
        return "ahead"
    return "behind" if of_pace >= Fraction(warnings.behind_pace) else "at risk"


def _progress(
    plan: Plan,
    rollup: _Rollup,
    node: Node,
    target: Target,
    measure: str,
    periods_: Periods,
    as_of: date,
) -> Progress:
    quarter = plan.quarter
    metric = plan.metrics[target.metric]
    share = measure in SHARES
    elapsed = elapsed_days(quarter, as_of)
    attained: Decimal | None
    if share:
        exact = rollup.exact_measure(node.id, measure, periods_.current)
        attained = None if exact is None else to_decimal(exact)
    else:  # a sum as summed (exact_measure's fraction of it, without tallying twice)
        attained = rollup.measure(node.id, measure, periods_.current)
        exact = None if attained is None else Fraction(attained)
    pace = exact_pace(quarter, target, as_of, share=share)
    if share or measure in DISTINCT or elapsed == 0 or exact is None:
        forecast = attained if share else None  # distinct accounts do not add up by day
    else:
        # exact * days / elapsed, made and reduced once
        forecast = to_decimal(Fraction(exact.numerator * quarter.days, exact.denominator * elapsed))
    of_pace = _ratio(exact, pace)
    attainment = _ratio(exact, Fraction(target.value))
    months = []
    phased = target.months if target.months and len(target.months) == len(quarter.months) else None
    for index, ((year, month), key) in enumerate(
        zip(quarter.months, periods_.current, strict=True)
    ):
        first, last = _month_bounds(quarter, year, month)
        begun = as_of >= first
        value = rollup.measure(node.id, measure, (key,)) if begun else None
        months.append(
            MonthProgress(
                year,
                month,
                None if phased is None or share else phased[index],
                value,
                as_of >= last,
            )
        )
    return Progress(
        node=node.id,
        metric=target.metric,
        target=target.value,
        attained=attained,
        pace=to_decimal(pace),
        forecast=forecast,
        attainment=None if attainment is None else to_decimal(attainment),
        stretch=target.stretch,
        stretch_attainment=_stretch(exact, target.stretch),
        of_pace=None if of_pace is None else to_decimal(of_pace),
        status=_status(of_pace, attained, elapsed, metric.is_cap, plan),
        months=tuple(months),
        lower_is_better=metric.is_cap,
        unit=metric.unit,
        exact_of_pace=of_pace,
    )


def _tracked_targets(plan: Plan) -> Iterator[tuple[Node, Target, str]]:
    """(node, target, measure) for every target of a measured metric: by metric, then top-down."""
    mapping = plan.actuals
    if mapping is None:
        return
    for metric_id in plan.metrics:
        measure = mapping.measures.get(metric_id)
        if measure not in MEASURES:
            continue
        for node in plan.walk():
            target = node.targets.get(metric_id)
            if target is not None:
                yield node, target, measure


def progress_by_target(plan: Plan, actuals: Actuals) -> dict[tuple[str, str], Progress]:
    """Progress of every tracked target at the actuals' as-of date, by (node id, metric id).

    The function a rendered brief calls to show attained, pace and forecast
    beside each target. Targets of metrics the plan's ``actuals.metrics``
    does not measure are absent.
    """
    per = periods(plan.quarter)
    rollup = _Rollup(plan, actuals, per.current)
    return {
        (node.id, target.metric): _progress(plan, rollup, node, target, measure, per, actuals.as_of)
        for node, target, measure in _tracked_targets(plan)
    }


# --- early warnings and what is behind them ----------------------------------------------------


def _warnings_active(plan: Plan, as_of: date) -> bool:
    """No pace warnings until ``after_months`` months of the quarter are over."""
    after = plan.policy.warnings.after_months
    months = plan.quarter.months
    if after <= 0:
        return as_of >= plan.quarter.start
    if after > len(months):
        return False
    year, month = months[after - 1]
    return as_of >= _month_bounds(plan.quarter, year, month)[1]


def _scaled(value: int, scale: int) -> Decimal:
    return Decimal(value).scaleb(-scale)


def _attribution(
    plan: Plan,
    rollup: _Rollup,
    target: Target,
    progress: Progress,
    measure: str,
    per: Periods,
) -> list[Message]:
    """Why a target is behind, as far as the export can tell."""
    parts: list[Message] = []
    actuals = rollup.actuals
    node = target.node
    if measure == "amount" and target.products and "product" in actuals.roles and target.value:
        worst: tuple[Decimal, str, Decimal, Decimal] | None = None
        for product, planned in sorted(target.products.items()):
            product_pace = progress.pace * planned / target.value
            done = rollup.product_amount(node, product, per.current)
            gap = done - product_pace
            if worst is None or gap < worst[0]:
                worst = (gap, product, done, product_pace)
        if worst is not None and worst[0] < 0:
            _, product, done, product_pace = worst
            name = plan.products[product].name if product in plan.products else product
            parts.append(
                Message(
                    "furthest behind: {product} ({done} against a pace of {pace})",
                    product=name,
                    done=fmt_number(done),
                    pace=fmt_number(product_pace),
                )
            )
    if "account" in actuals.roles and measure in ("amount", "deals", "accounts"):
        before = rollup.accounts(node, per.last_quarter)
        now = rollup.accounts(node, per.current)
        lapsed = sorted(
            ((value, account) for account, value in before.items() if account not in now),
            key=lambda pair: (-pair[0], actuals.account_names[pair[1]]),
        )
        if lapsed:
            named = Items(
                (
                    f"{actuals.account_names[a]} ({fmt_number(_scaled(v, actuals.scale))})"
                    for v, a in lapsed[:3]
                ),
                partial=len(lapsed) > 3,
            )
            if len(lapsed) > 3:
                parts.append(
                    Message(
                        "no deal yet from {count} of last quarter's accounts: {named} and "
                        "{more} more",
                        count=len(lapsed),
                        named=named,
                        more=len(lapsed) - 3,
                    )
                )
            else:
                parts.append(
                    Message(
                        "no deal yet from {count} of last quarter's accounts: {named}",
                        count=len(lapsed),
                        named=named,
                    )
                )
    if "stage" in actuals.roles and measure in ("amount", "deals"):
        now_rate = rollup.measure(node, "win_rate", per.current)
        then_rate = rollup.measure(node, "win_rate", per.last_quarter)
        if now_rate is not None and then_rate is not None and now_rate < then_rate:
            parts.append(
                Message(
                    "win rate {now} (last quarter {then})",
                    now=fmt_percent(now_rate),
                    then=fmt_percent(then_rate),
                )
            )
    return parts


def _warn(
    plan: Plan, rollup: _Rollup, progress: Progress, target: Target, measure: str, per: Periods
) -> Diagnostic | None:
    warnings = plan.policy.warnings
    exact = progress.exact_of_pace
    if progress.attained is None or progress.of_pace is None or exact is None:
        return None
    as_of = rollup.actuals.as_of
    unit = plan.metrics[target.metric].unit
    places = 1 if unit in ("percent", "score") else 0
    if progress.lower_is_better:
        if exact <= Fraction(warnings.cap_above_pace):
            return None
        attained, pace = fmt_numbers(progress.attained, progress.pace, places=places)
        forecast = fmt_number(progress.forecast, places)
        of_pace = fmt_percent_apart(progress.of_pace, warnings.cap_above_pace)
        threshold = fmt_percent(warnings.cap_above_pace)
        return CAP_ABOVE_PACE.at(
            target.loc / "value",
            Message(
                "{ref}: {attained} used by {as_of}, {of_pace} of the pace of {pace} (warning "
                "above {threshold}); at this rate {forecast} against a cap of {value}",
                ref=named_target(plan, target),
                attained=attained,
                as_of=as_of,
                of_pace=of_pace,
                pace=pace,
                threshold=threshold,
                forecast=forecast,
                value=fmt_number(target.value, places),
            ),
            Message("slow the spending, or record an adjustment with its cause"),
        )
    if exact >= Fraction(warnings.behind_pace):
        return None
    # formatted only for a warning (about half the targets at 1M rows)
    attained, pace = fmt_numbers(progress.attained, progress.pace, places=places)
    of_pace = fmt_percent_apart(progress.of_pace, warnings.behind_pace)
    threshold = fmt_percent(warnings.behind_pace)
    message = Message(
        "{ref}: {attained} by {as_of}, {of_pace} of the pace of {pace} (warning below {threshold})",
        ref=named_target(plan, target),
        attained=attained,
        as_of=as_of,
        of_pace=of_pace,
        pace=pace,
        threshold=threshold,
    )
    if progress.forecast is not None and measure not in SHARES:
        message = Message(
            "{message}; run-rate forecast {forecast} of {value}",
            message=message,
            forecast=fmt_number(progress.forecast, places),
            value=fmt_number(target.value, places),
        )
    for part in _attribution(plan, rollup, target, progress, measure, per):
        message = Message("{message}; {part}", message=message, part=part)
    owner = plan.people.get(target.owner)
    who = owner.name if owner is not None else target.owner
    return BEHIND_PACE.at(
        target.loc / "value",
        message,
        Message(
            "review it with {who}: market, competitor, execution or resources? Adjust the "
            "target only for a stated cause",
            who=who,
        ),
    )


# --- baselines from history --------------------------------------------------------------------


def _baselines(plan: Plan, rollup: _Rollup, per: Periods) -> list[Baseline]:
    kept = rollup.actuals.kept
    if kept and not kept.issuperset(per.all):
        raise ValueError("baselines need actuals loaded with baselines=True")
    covered = rollup.actuals.covered
    lq_cover = sum(1 for m in per.last_quarter if m in covered)
    ly_cover = sum(1 for m in per.last_year if m in covered)
    out = []
    for node, target, measure in _tracked_targets(plan):
        lq_employed = _employed(plan, node, per.last_quarter)
        ly_employed = _employed(plan, node, per.last_year)
        last_quarter = (
            rollup.measure(node.id, measure, per.last_quarter) if lq_cover and lq_employed else None
        )
        last_year = (
            rollup.measure(node.id, measure, per.last_year) if ly_cover and ly_employed else None
        )
        if measure in SHARES:
            last_quarter = None if last_quarter is None else last_quarter.quantize(TENTH)
            last_year = None if last_year is None else last_year.quantize(TENTH)
        out.append(
            Baseline(
                node=node.id,
                metric=target.metric,
                last_quarter=last_quarter,
                last_quarter_months=lq_cover,
                last_year=last_year,
                last_year_months=ly_cover,
                months=len(per.current),
                declared_last_quarter=target.last_quarter,
                declared_last_year=target.last_year,
                last_quarter_employed=lq_employed,
                last_year_employed=ly_employed,
            )
        )
    return out


def _employed(plan: Plan, node: Node, months: Sequence[int]) -> bool:
    """Whether a rep's person worked any day of these months (people.start and end)."""
    if node.level is not Level.REP or not months:
        return True
    person = plan.people.get(node.owner)
    if person is None:
        return True
    first_year, first_month = month_of(months[0])
    last_year, last_month = month_of(months[-1])
    first = date(first_year, first_month, 1)
    last = date(last_year, last_month, calendar.monthrange(last_year, last_month)[1])
    started = person.start is None or person.start <= last
    return started and (person.end is None or person.end >= first)


# --- the whole run ---------------------------------------------------------------------------------


def track(plan: Plan, actuals: Actuals, *, baselines: bool = False) -> Tracking:
    """Attainment, pace, forecast and warnings for every tracked target; baselines if asked."""
    per = periods(plan.quarter)
    months = per.all if baselines else (*per.current, *per.last_quarter)
    rollup = _Rollup(plan, actuals, months)
    result = Tracking(plan, actuals, per, elapsed_days(plan.quarter, actuals.as_of))
    mapping = plan.actuals
    measured = set(mapping.measures) if mapping is not None else set()
    targeted = {m for node in plan.nodes.values() for m in node.targets}
    result.untracked = tuple(m for m in plan.metrics if m in targeted and m not in measured)
    active = _warnings_active(plan, actuals.as_of)
    forecaster = _forecaster(plan, actuals)
    if forecaster is not None:
        result.forecast_method = forecaster.method
    for node, target, measure in _tracked_targets(plan):
        progress = _progress(plan, rollup, node, target, measure, per, actuals.as_of)
        if (
            forecaster is not None
            and measure in FORECAST_MEASURES
            and progress.attained is not None
        ):
            estimate = forecaster.estimate(rollup.reps.get(node.id, ()), progress.attained, measure)
            progress = replace(progress, pipeline=estimate)
        result.progress.append(progress)
        if active:
            found = _warn(plan, rollup, progress, target, measure, per)
            if found is not None:
                result.warnings.append(found)
            covered = _coverage_warning(plan, progress, target)
            if covered is not None:
                result.warnings.append(covered)
    if baselines:
        result.baselines = _baselines(plan, rollup, per)
    if "product" in actuals.roles:
        result.products = _products(plan, rollup, per, forecaster)
    if mapping is not None:
        result.sources = (SourceRead(mapping.name, actuals, tuple(mapping.measures)),)
    return result


def track_sources(
    plan: Plan, read: Sequence[tuple[ActualsMapping, Actuals]], *, baselines: bool = False
) -> Tracking:
    """Several actuals sources tracked each with its own mapping, as one :class:`Tracking`.

    Every metric is measured by one source (PLC767), so the progress of each
    source's metrics is simply put together, in the plan's metric order; the
    ledgers stay per source (``Tracking.sources``), and per-product actuals
    name the source they come from.
    """
    if not read:
        raise ValueError("track_sources needs at least one source")
    parts = [
        track(plan.reading(mapping), actuals, baselines=baselines) for mapping, actuals in read
    ]
    if len(parts) == 1 and not read[0][0].name:
        parts[0].plan = plan
        return parts[0]
    order = {metric: index for index, metric in enumerate(plan.metrics)}
    first = parts[0]
    result = Tracking(plan, first.actuals, first.periods, first.elapsed_days)
    result.progress = sorted(
        (p for part in parts for p in part.progress), key=lambda p: order.get(p.metric, -1)
    )
    result.warnings = [d for part in parts for d in part.warnings]
    measured = {m for mapping, _ in read for m in mapping.measures}
    targeted = {m for node in plan.nodes.values() for m in node.targets}
    result.untracked = tuple(m for m in plan.metrics if m in targeted and m not in measured)
    if baselines:
        result.baselines = sorted(
            (b for part in parts for b in part.baselines or ()),
            key=lambda b: order.get(b.metric, -1),
        )
    result.forecast_method = next(
        (part.forecast_method for part in parts if part.forecast_method), None
    )
    result.products = [
        replace(item, source=mapping.name)
        for (mapping, _), part in zip(read, parts, strict=True)
        for item in part.products
    ]
    result.sources = tuple(source for part in parts for source in part.sources)
    return result


def coverage(progress: Progress) -> tuple[Decimal, Fraction | None, Fraction | None] | None:
    """(still to go, weighted and unweighted pipeline as exact percents of it), or None."""
    estimate = progress.pipeline
    if estimate is None or progress.attained is None or progress.lower_is_better:
        return None
    to_go = progress.target - progress.attained
    if to_go <= 0:
        return to_go, None, None
    return (
        to_go,
        Fraction(estimate.open_expected) * 100 / Fraction(to_go),
        Fraction(estimate.open_total) * 100 / Fraction(to_go),
    )


def _coverage_warning(plan: Plan, progress: Progress, target: Target) -> Diagnostic | None:
    threshold = plan.policy.warnings.pipeline_coverage
    found = coverage(progress)
    if threshold is None or found is None or progress.pipeline is None:
        return None
    to_go, weighted, unweighted = found
    if weighted is None or unweighted is None or weighted >= Fraction(threshold):
        return None
    estimate = progress.pipeline
    places = 1 if progress.unit in ("percent", "score") else 0
    weighted_shown = fmt_percent_apart(to_decimal(weighted), threshold)
    return LOW_COVERAGE.at(
        target.loc / "value",
        Message(
            "{ref}: {to_go} still to go; {deals} expected to bring {expected} ({weighted} of "
            "it, warning below {threshold}), {total} unweighted ({unweighted}); pipeline "
            "forecast {forecast} of {value}",
            ref=named_target(plan, target),
            to_go=fmt_number(to_go, places),
            deals=_deals(estimate.open_deals),
            expected=fmt_number(estimate.open_expected, places),
            weighted=weighted_shown,
            threshold=fmt_percent(threshold),
            total=fmt_number(estimate.open_total, places),
            unweighted=fmt_percent(to_decimal(unweighted)),
            forecast=fmt_number(estimate.expected, places),
            value=fmt_number(target.value, places),
        ),
        Message("add or advance deals now, or review the target with its owner"),
    )


def _deals(count: int) -> Message:
    if count == 1:
        return Message("1 open deal is")
    return Message("{count} open deals are", count=count)


def _forecaster(plan: Plan, actuals: Actuals) -> Forecaster | None:
    """A pipeline forecaster when the export has created dates and the quarter has begun."""
    if actuals.pipeline is None or actuals.as_of < plan.quarter.start:
        return None
    declared = plan.actuals.probabilities if plan.actuals is not None else {}
    return Forecaster(plan, actuals.pipeline, actuals.as_of, declared)


def _products(
    plan: Plan, rollup: _Rollup, per: Periods, forecaster: Forecaster | None
) -> list[ProductProgress]:
    """Each node's won amount per product line (and its forecast): per-product actuals."""
    out = []
    for node in plan.walk():
        reps = rollup.reps.get(node.id, ())
        for product in plan.products:
            attained = rollup.product_amount(node.id, product, per.current)
            estimate = (
                forecaster.estimate(reps, attained, "amount", product)
                if forecaster is not None
                else None
            )
            out.append(ProductProgress(node.id, product, attained, estimate))
    return out
