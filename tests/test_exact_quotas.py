"""Ramp and proration limits are computed exactly, as the allocator computes capacity."""

from __future__ import annotations

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
