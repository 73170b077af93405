"""Quarter ids: 2027-Q1 names a calendar quarter, FY27-Q3 (or FY2027-Q3) a fiscal one.

A quarter is three whole months. A calendar id fixes them (2027-Q1 is January to
March 2027); a fiscal id says only which quarter of a fiscal year it is, whose
calendar the plan's dates give.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

QUARTER_ID = re.compile(r"(?P<prefix>FY)?(?P<year>\d{2}|\d{4})-Q(?P<q>[1-4])")
ID_FORMS = (
    "YYYY-Qn for a calendar quarter (e.g. 2027-Q1) or FYyy-Qn for a fiscal one (e.g. FY27-Q3)"
)
MONTHS = 3


@dataclass(frozen=True, slots=True)
class QuarterId:
    year: int  # four digits (27 → 2027)
    number: int  # 1 to 4
    fiscal: bool

    def calendar_months(self) -> tuple[date, date]:
        """First and last day of this calendar quarter."""
        first = 3 * (self.number - 1) + 1
        last = first + MONTHS - 1
        return date(self.year, first, 1), date(self.year, last, last_day(self.year, last))


def parse_quarter_id(text: str) -> QuarterId | None:
    """The quarter an id names, or None when it is not a quarter id."""
    match = QUARTER_ID.fullmatch(text)
    if match is None:
        return None
    year = int(match["year"])
    return QuarterId(
        year + 2000 if len(match["year"]) == 2 else year, int(match["q"]), bool(match["prefix"])
    )


def last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def month_span(start: date, end: date) -> int:
    """How many calendar months a period touches (January 15 to March 31: 3)."""
    return (end.year - start.year) * 12 + end.month - start.month + 1
