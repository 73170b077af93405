"""Ramp and proration limits are computed exactly, as the allocator computes capacity."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from planc.checks import check_directory
from planc.checks.base import round_up
from planc.checks.smart import presence_factor, ramp_factor


def test_round_up_is_exact_at_the_edge() -> None:
    # 600,000 x 125/3 % is exactly 250,000; a 28-digit decimal factor gave 250,000.0000…2,
    # which rounded up to 251,000 and let a ramping rep carry 1,000 too much.
    assert round_up(Fraction(600000) * Fraction(125, 3) / 100, Decimal(1000)) == Decimal(250000)
    assert round_up(Decimal("250000.5"), Decimal(1000)) == Decimal(251000)
    assert round_up(Fraction(7, 2), None) == Decimal("3.5")


def test_factors_are_fractions(mini_plan: Path) -> None:
    plan = check_directory(mini_plan).plan
    assert plan is not None
    new_hire = plan.people["xu-fang"]  # starts 2027-01-01 under a 0/50/75/100 ramp
    assert ramp_factor(plan, new_hire) == Fraction(125, 3)
    assert presence_factor(plan, new_hire) == 100
    assert ramp_factor(plan, plan.people["ann"]) == 100


def test_ramp_factor_is_computed_once_per_start_month_and_ramp(mini_plan: Path) -> None:
    # PLC453 and the partition ask for every person who owns an action: the sum of
    # Fractions is made once per (quarter, ramp, start month) and shared (immutable).
    plan = check_directory(mini_plan).plan
    assert plan is not None
    new_hire = plan.people["xu-fang"]  # starts 2027-01-01 under a 0/50/75/100 ramp
    twin = replace(new_hire, id="twin", start=new_hire.start.replace(day=20))
    assert ramp_factor(plan, twin) is ramp_factor(plan, new_hire)
    # another ramp, or another quarter, is another key: never the first plan's value
    faster = replace(plan, policy=replace(plan.policy, ramp=(Decimal(50), Decimal(100))))
    assert ramp_factor(faster, new_hire) == Fraction(250, 3)  # (50 + 100 + 100) / 3
    later = replace(plan, quarter=replace(plan.quarter, months=((2027, 2), (2027, 3), (2027, 4))))
    assert ramp_factor(later, new_hire) == 75  # (50 + 75 + 100) / 3
    assert ramp_factor(plan, new_hire) == Fraction(125, 3)
