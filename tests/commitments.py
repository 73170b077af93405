"""Test plans with bottom-up commitments (top-down vs bottom-up gaps), built in tmp_path.

plans/2027-Q1 stays without commitments: its test asserts that it is clean.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import MINI, REPO

PLAN_2017_Q3 = REPO / "plans" / "2017-Q3"


def gapped_copy(tmp_path: Path) -> Path:
    """2017-Q3 with the Brinkmann team's reps' own revenue commitments and a policy band."""
    plan = tmp_path / "2017-Q3"
    shutil.copytree(PLAN_2017_Q3, plan)
    central = plan / "regions" / "central.yaml"
    text = central.read_text(encoding="utf-8")
    for rep, value, bottom_up in (
        ("anna-snelling", 87000, 80000),
        ("cecily-lampkin", 71000, 71000),
        ("versie-hillebrand", 71000, 60000),
        ("lajuana-vencill", 75000, 76000),
        ("moses-frase", 81000, 79000),
    ):
        old = f"        - rep: {rep}\n          targets:\n            revenue:\n              value: {value}\n"
        assert text.count(old) == 1, rep
        text = text.replace(old, old + f"              bottom_up: {bottom_up}\n")
    central.write_text(text, encoding="utf-8")
    quarter = plan / "quarter.yaml"
    text = quarter.read_text(encoding="utf-8")
    assert text.count("  tolerance: 0\n") == 1
    quarter.write_text(
        text.replace("  tolerance: 0\n", "  tolerance: 0\n  bottom_up_gap: {min: -5, max: 10}\n"),
        encoding="utf-8",
    )
    return plan


def mini_with_commitments(tmp_path: Path, locale: str = "en", name: str = "2027-Q1") -> Path:
    """A copy of the fixture plan with commitments (see :func:`add_commitments`)."""
    plan = tmp_path / name
    shutil.copytree(MINI, plan)
    add_commitments(plan, locale)
    return plan


def add_commitments(plan: Path, locale: str = "en") -> None:
    """Ann's and Bob's own revenue numbers and Ann's expense cap, with a band of -5..+10 %.

    Ann: 550,000 against 480,000 (+14.6 %, outside); Bob: 550,000 against 540,000
    (+1.9 %); the team: 1,000,000 against 1,020,000 added up (-2.0 %); Ann's cap:
    35,000 where she commits to 40,000 (5,000 tighter, +12.5 %, outside).
    """
    north = plan / "regions" / "north.yaml"
    text = north.read_text(encoding="utf-8")
    for old, new in (
        ("              value: 550000\n              stretch: 600000\n",
         "              value: 550000\n              bottom_up: 480000\n              stretch: 600000\n"),
        ("              value: 550000\n              baseline: {last_quarter: 520000, last_year: 500000}\n",
         "              value: 550000\n              bottom_up: 540000\n              baseline: {last_quarter: 520000, last_year: 500000}\n"),
        ("            sales_expense: {value: 35000}\n        - rep: bob",
         "            sales_expense: {value: 35000, bottom_up: 40000}\n        - rep: bob"),
    ):  # fmt: skip
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    north.write_text(text, encoding="utf-8")
    quarter = plan / "quarter.yaml"
    text = quarter.read_text(encoding="utf-8")
    assert text.count("  tolerance: 0\n") == 1
    text = text.replace("  tolerance: 0\n", "  tolerance: 0\n  bottom_up_gap: {min: -5, max: 10}\n")
    text = text.replace("locale: en\n", f"locale: {locale}\n")
    quarter.write_text(text, encoding="utf-8")
