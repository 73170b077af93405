"""Seasonality against history (PLC322): a phasing that contradicts last year's monthly shape.

Months are checked to add up elsewhere (PLC303); here each month's share of the
quarter is compared with the same month's share last year
(``baseline.last_year_months``), exactly, in percentage points.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from planc.checks.base import Finding, check, percent_beside
from planc.core.diagnostics import Message, Severity
from planc.core.model import Plan, Target


def month_gaps(target: Target) -> list[tuple[int, Fraction, Fraction]] | None:
    """(month index, planned share %, last year's share %) per month, when both are usable."""
    months, history = target.months, target.last_year_months
    if months is None or history is None or len(months) != len(history):
        return None
    planned, before = sum(months), sum(history)
    if planned <= 0 or before <= 0:
        return None
    return [
        (i, Fraction(m) * 100 / Fraction(planned), Fraction(h) * 100 / Fraction(before))
        for i, (m, h) in enumerate(zip(months, history, strict=True))
    ]


@check("PLC322", Severity.WARNING)
def phasing_against_history(plan: Plan) -> Iterator[Finding]:
    """A month's share of the phasing differs from last year's share by more than the policy allows.

    Seasonality is data: if January carried 30 % of the quarter last year,
    planning 45 % in January needs a reason. The limit is
    ``policy.seasonality_gap`` in percentage points (default 10); the month
    that differs most is reported, with both shares.

    Fails (January 50 % against 30 % last year)::

        revenue:
          value: 600000
          baseline: {last_year: 500000, last_year_months: [150000, 150000, 200000]}
          months: [300000, 100000, 200000]

    Passes (January 35 %: 5 points)::

        revenue:
          value: 600000
          baseline: {last_year: 500000, last_year_months: [150000, 150000, 200000]}
          months: [210000, 170000, 220000]
    """
    limit = Fraction(plan.policy.seasonality_gap)
    labels = [f"{year}-{month:02d}" for year, month in plan.quarter.months]
    for node in plan.nodes.values():
        for target in node.targets.values():
            gaps = month_gaps(target)
            if gaps is None:
                continue
            index, planned, before = max(gaps, key=lambda g: abs(g[1] - g[2]))
            gap = abs(planned - before)
            if gap <= limit:
                continue
            month = (
                labels[index]
                if index < len(labels)
                else Message("month {number}", number=str(index + 1))
            )
            yield (
                target.loc / "months" / index,
                Message(
                    "{ref}: {month} is {planned} of the quarter, last year {before} ({gap} points "
                    "apart); policy.seasonality_gap allows {limit}",
                    ref=target.ref,
                    month=month,
                    planned=percent_beside(planned, before),
                    before=percent_beside(before, planned),
                    gap=percent_beside(gap, limit).removesuffix("%"),
                    limit=percent_beside(limit, gap).removesuffix("%"),
                ),
                Message("phase the months like last year, or say in note: why this year differs"),
            )


CHECKS = (phasing_against_history,)
