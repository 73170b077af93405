"""Pace and percents made as one integer ratio each (tracking.exact_pace, _ratio) are the
fractions that adding and dividing Fractions step by step gives: the same values, so the
same Decimals printed."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from planc.core.model import Quarter, Target
from planc.core.source import Loc


def _quarter() -> Quarter:
    months = ((2027, 1), (2027, 2), (2027, 3))
    return Quarter("2027-Q1", "Q1", date(2027, 1, 1), date(2027, 3, 31), None, months, Loc("q"))


def _target(value: Decimal, months: tuple[Decimal, ...] | None) -> Target:
    return Target(
        "r", "revenue", value, None, date(2027, 3, 31), "o", None, None, None, months, None,
        None, Loc("r"),
    )  # fmt: skip


def _stepwise_pace(quarter: Quarter, target: Target, as_of: date) -> Fraction:
    """exact_pace as it was: a Fraction per month, added one by one."""
    expected = Fraction(0)
    assert target.months is not None
    for (year, month), planned in zip(quarter.months, target.months, strict=True):
        first = max(date(year, month, 1), quarter.start)
        following = date(year + month // 12, month % 12 + 1, 1)
        last = min(following - timedelta(days=1), quarter.end)
        if as_of >= last:
            part = Fraction(1)
        elif as_of < first:
            part = Fraction(0)
        else:
            part = Fraction((as_of - first).days + 1, (last - first).days + 1)
        expected += Fraction(planned) * part
    return expected


def _amount(rng: random.Random) -> Decimal:
    places = rng.choice((0, 0, 1, 2, 6))
    return Decimal(rng.randrange(0, 10**9)).scaleb(-places)


def test_phased_pace_is_the_stepwise_sum() -> None:
    from planc.track.tracking import exact_pace

    quarter = _quarter()
    rng = random.Random(7)
    days = [quarter.start + timedelta(days=d) for d in range(-3, quarter.days + 3)]
    for _ in range(400):
        months = tuple(_amount(rng) for _ in range(3))
        target = _target(sum(months, Decimal(0)), months)
        as_of = rng.choice(days)
        found = exact_pace(quarter, target, as_of, share=False)
        assert found == _stepwise_pace(quarter, target, as_of)
        assert (found.numerator, found.denominator) == _stepwise_pace(
            quarter, target, as_of
        ).as_integer_ratio()


def test_percent_ratio_is_part_times_100_over_whole() -> None:
    from planc.track.tracking import _ratio, to_decimal

    rng = random.Random(11)
    for _ in range(2000):
        part = Fraction(rng.randrange(-(10**12), 10**12), rng.randrange(1, 10**7))
        whole = Fraction(rng.choice((-1, 1)) * rng.randrange(1, 10**12), rng.randrange(1, 10**7))
        found = _ratio(part, whole)
        assert found == part * 100 / whole
        assert found is not None and to_decimal(found) == to_decimal(part * 100 / whole)
        assert str(to_decimal(found)) == str(to_decimal(part * 100 / whole))
    assert _ratio(None, Fraction(3)) is None and _ratio(Fraction(3), Fraction(0)) is None
