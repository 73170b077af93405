"""Customer segments on CRM data (``planc track --accounts``): each account in the first
segment that takes it, and the won amount of each segment against its target.

The accounts file gives each account's sector, revenue, employees and office
(``customers.columns``); the export gives its won deals. "New customer" is
the plan's definition (``customers.new``): the first won deal of at least
``first_order`` in the quarter, and nothing won in the ``look_back_months``
before it. When the export does not reach that far back the definition
cannot be applied: PLC750 says so and no account is counted as new, so the
number never depends on how long the export happens to be.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from planc.core.diagnostics import Diagnostic, Severity, rule
from planc.core.extras import MissingExtra
from planc.core.files import open_regular
from planc.core.model import Customers, Plan, Segment
from planc.core.safetext import quoted
from planc.core.safetext import shown as shown_value


def _pandas() -> Any:
    """pandas, imported when accounts are read (planc.codes imports this module for its rules)."""
    try:
        import pandas  # noqa: PLC0415 - an optional library, only for --accounts
    except ModuleNotFoundError as error:  # `pip install planc` leaves pandas out: say which extra
        raise MissingExtra(
            "customer segments (planc track --accounts)", "track", error.name
        ) from error
    return pandas


LOOK_BACK_TOO_SHORT = rule(
    "PLC750",
    "new-customer-look-back-too-short",
    Severity.WARNING,
    """The export does not reach back far enough to tell new customers from returning ones.

    ``customers.new.look_back_months`` says an account is new only if it won
    nothing in that many months before the quarter. An export that starts
    later cannot show that, so planc track counts no account as new (they
    fall to the next segment that takes them) rather than let the number
    depend on the export's length.

    Fails (the sample export starts 2017-03-01; Q3 2017 with a 12-month look-back
    needs 2016-07-01)::

        customers:
          new: {first_order: 1000, look_back_months: 12}

    Passes::

        customers:
          new: {first_order: 1000, look_back_months: 3}
    """,
)
KEY_ACCOUNT_UNKNOWN = rule(
    "PLC751",
    "key-account-not-in-crm",
    Severity.WARNING,
    """A rep's named key account is neither in the accounts file nor in the export.

    Usually a spelling: the name must be the CRM's, letter for letter (case
    and surrounding spaces aside).

    Fails::

        - {rep: ann, key_accounts: [Acme Corp]}

    Passes::

        - {rep: ann, key_accounts: [Acme Corporation]}
    """,
)
ACCOUNTS_UNREADABLE = rule(
    "PLC752",
    "accounts-unreadable",
    Severity.ERROR,
    """The accounts file (``planc track --accounts``) cannot be read as the plan describes it.

    It is a CSV file whose header has the columns ``customers.columns`` names
    (at least ``account``), and the plan defines ``segments:``.

    Fails (``customers: {columns: {account: name}}`` and a file whose header is ``account,sector``).

    Passes (``customers: {columns: {account: account, sector: sector}}``).
    """,
)
RULES = (LOOK_BACK_TOO_SHORT, KEY_ACCOUNT_UNKNOWN, ACCOUNTS_UNREADABLE)

NO_ACCOUNT = "(no account)"


@dataclass(frozen=True, slots=True)
class SegmentRow:
    id: str
    name: str
    key: bool
    accounts: int  # accounts of this segment with a won deal in the quarter to date
    won: Decimal
    target: Decimal | None  # the company's target of the amount metric, this segment's part

    @property
    def attainment(self) -> Decimal | None:
        if self.target is None or self.target == 0:
            return None
        return self.won * 100 / self.target


@dataclass(slots=True)
class SegmentReport:
    accounts_path: str
    metric: str | None  # the metric measured as amount, whose target is split by segment
    rows: list[SegmentRow] = field(default_factory=list)
    new_applied: bool = False
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Deal:
    account: str
    day: date
    amount: Decimal


def segment_report(
    plan: Plan,
    deals_path: Path,
    accounts_path: Path,
    as_of: date,
    *,
    shown: str,
    deals_shown: str,
) -> SegmentReport:
    """Read the accounts file and the export's won deals; put each account in its segment."""
    report = SegmentReport(shown, _amount_metric(plan))
    customers = plan.customers
    columns = dict(customers.columns) if customers is not None else {"account": "account"}
    if not plan.segments:
        report.diagnostics.append(
            ACCOUNTS_UNREADABLE.at(
                plan.quarter.loc,
                "the plan defines no segments: to put accounts in",
                "add segments:",
            )
        )
        return report
    attributes = _read_accounts(plan, accounts_path, columns, report)
    if attributes is None:
        return report
    read = _won_deals(plan, deals_path, deals_shown, report)
    if read is None:
        return report
    deals, earliest = read
    new = _new_customers(plan, customers, deals, earliest, as_of, report)
    key_accounts = _key_accounts(plan, attributes, deals, report)
    quarter = plan.quarter
    won: dict[str, Decimal] = {}
    accounts: dict[str, set[str]] = {}
    for deal in deals:
        if not quarter.start <= deal.day <= as_of:
            continue
        placed = (
            NO_ACCOUNT
            if deal.account == ""
            else _segment_of(plan.segments.values(), deal.account, attributes, key_accounts, new)
        )
        won[placed] = won.get(placed, Decimal(0)) + deal.amount
        accounts.setdefault(placed, set()).add(deal.account)
    target = _company_target(plan, report.metric)
    for segment in plan.segments.values():
        report.rows.append(
            SegmentRow(
                segment.id,
                segment.name,
                segment.key,
                len(accounts.get(segment.id, ())),
                won.get(segment.id, Decimal(0)),
                None if target is None else target.get(segment.id),
            )
        )
    if "" in won or NO_ACCOUNT in won:
        unplaced = won.get("", Decimal(0)) + won.get(NO_ACCOUNT, Decimal(0))
        report.rows.append(
            SegmentRow(NO_ACCOUNT, "no segment or no account", False, 0, unplaced, None)
        )
    return report


def _amount_metric(plan: Plan) -> str | None:
    if plan.actuals is None:
        return None
    for metric, measure in plan.actuals.measures.items():
        if measure == "amount":
            return metric
    return None


def _company_target(plan: Plan, metric: str | None) -> Mapping[str, Decimal] | None:
    company = plan.nodes.get(plan.company)
    if company is None or metric is None or metric not in company.targets:
        return None
    return company.targets[metric].segments


def _norm(name: object) -> str:
    return "" if name is None else str(name).strip()


def _read_accounts(
    plan: Plan, path: Path, columns: Mapping[str, str], report: SegmentReport
) -> dict[str, dict[str, str]] | None:
    """account (casefolded) -> role -> value, or None after a PLC752."""
    where = plan.customers.loc / "columns" if plan.customers is not None else plan.quarter.loc
    pd = _pandas()
    try:
        with open_regular(path, report.accounts_path) as handle:  # a FIFO would hang pandas
            frame = pd.read_csv(handle, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        report.diagnostics.append(
            ACCOUNTS_UNREADABLE.at(where, f"cannot read {report.accounts_path}: {error}")
        )
        return None
    missing = [header for header in columns.values() if header not in frame.columns]
    if missing:
        report.diagnostics.append(
            ACCOUNTS_UNREADABLE.at(
                where,
                f"{report.accounts_path} has no column {', '.join(missing)} "
                f"(its header: {', '.join(shown_value(str(c)) for c in frame.columns)})",
                "name the accounts file's columns in customers.columns",
            )
        )
        return None
    out: dict[str, dict[str, str]] = {}
    for record in frame[list(columns.values())].itertuples(index=False):
        values = dict(zip(columns, (_norm(v) for v in record), strict=True))
        if values["account"]:
            out[values["account"].casefold()] = values
    return out


def _won_deals(
    plan: Plan, path: Path, shown: str, report: SegmentReport
) -> tuple[list[_Deal], date | None] | None:
    """Won deals (account, close day, amount) and the earliest day of any row in the export,
    read by the tracking read's own readers and rules (a CSV, .xlsx or Parquet export);
    None after the reader's diagnostic (the tracking read had read the file: changed since?)."""
    # numpy and pandas: imported for --accounts only (planc.codes imports this module)
    from planc.track.actuals import UnreadableExport, deal_rows  # noqa: PLC0415

    mapping = plan.actuals
    assert mapping is not None  # track checked the mapping before it got here
    deals: list[_Deal] = []
    earliest: date | None = None
    try:
        for account, day, amount, won in deal_rows(path, shown, mapping):
            if day is None:
                continue
            earliest = day if earliest is None else min(earliest, day)
            if won and amount is not None:
                deals.append(_Deal(account, day, amount))
    except UnreadableExport as error:
        report.diagnostics.append(error.diagnostic)
        return None
    return deals, earliest


def _amount(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _new_customers(
    plan: Plan,
    customers: Customers | None,
    deals: list[_Deal],
    earliest: date | None,
    as_of: date,
    report: SegmentReport,
) -> set[str]:
    """Accounts (casefolded) that are new this quarter, or none when the export is too short."""
    if customers is None or customers.look_back_months is None:
        return set()
    start = plan.quarter.start
    since = _months_before(start, customers.look_back_months)
    if earliest is None or earliest > since:
        report.diagnostics.append(
            LOOK_BACK_TOO_SHORT.at(
                customers.loc / "new" / "look_back_months",
                (
                    f"the export starts {earliest or 'nowhere (no dated row)'}; a new customer "
                    f"needs {customers.look_back_months} months without a won deal before "
                    f"{start}, from {since}: no account is counted as new"
                ),
                "export from that day on, or shorten customers.new.look_back_months",
            )
        )
        return set()
    report.new_applied = True
    before: set[str] = set()
    first_order: set[str] = set()
    for deal in deals:
        key = deal.account.casefold()
        if since <= deal.day < start:
            before.add(key)
        elif start <= deal.day <= as_of and deal.amount >= customers.first_order:
            first_order.add(key)
    return {a for a in first_order - before if a}


def _key_accounts(
    plan: Plan,
    attributes: Mapping[str, dict[str, str]],
    deals: Iterable[_Deal],
    report: SegmentReport,
) -> set[str]:
    known = set(attributes) | {d.account.casefold() for d in deals}
    named: set[str] = set()
    for node in plan.nodes.values():
        for index, account in enumerate(node.key_accounts):
            key = account.strip().casefold()
            named.add(key)
            if key not in known:
                report.diagnostics.append(
                    KEY_ACCOUNT_UNKNOWN.at(
                        node.loc / "key_accounts" / index,
                        (
                            f"key account {quoted(account)} of {node.id} is not in "
                            f"{report.accounts_path} nor in the export"
                        ),
                        "spell it as the CRM does",
                    )
                )
    return named


def _segment_of(
    segments: Iterable[Segment],
    account: str,
    attributes: Mapping[str, dict[str, str]],
    key_accounts: set[str],
    new: set[str],
) -> str:
    key = account.casefold()
    facts = attributes.get(key, {})
    for segment in segments:
        if _matches(segment, key, facts, key_accounts, new):
            return segment.id
    return ""


def _matches(
    segment: Segment, key: str, facts: Mapping[str, str], key_accounts: set[str], new: set[str]
) -> bool:
    if segment.key_accounts and key not in key_accounts:
        return False
    if segment.new and key not in new:
        return False
    if segment.sectors is not None and facts.get("sector") not in segment.sectors:
        return False
    if segment.offices is not None and facts.get("office") not in segment.offices:
        return False
    return _within(facts.get("revenue"), segment.revenue) and _within(
        facts.get("employees"), segment.employees
    )


def _within(text: str | None, bounds: tuple[Decimal | None, Decimal | None] | None) -> bool:
    if bounds is None:
        return True
    value = _amount(text or "")
    if value is None:
        return False
    low, high = bounds
    return (low is None or value >= low) and (high is None or value <= high)
