"""Exact until display: pace, percents and thresholds are compared unrounded.

On 2027-02-14 Ann's pace in the mini plan is 150,000 + 180,000 x 14/28 = 240,000
(phasing [150000, 180000, 220000]); the warning threshold is 80 % of pace.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from conftest import run_planc
from test_track import mini_plan, progress, track_json, write_csv

AMOUNT_ONLY = """actuals:
  columns: {owner: owner, date: closed, amount: amount}
  metrics: {revenue: amount}
adjustments:
"""
OTHERS = [  # everyone else at 80 % of pace or more (see tests/cases/PLC720.yaml)
    ["Bob Ortiz", "2027-02-01", "210000"],
    ["李伟", "2027-02-10", "260000"],
    ["徐芳", "2027-01-31", "150000"],
]


def tracked(tmp_path: Path, ann: str) -> Any:
    export = write_csv(
        tmp_path / "a.csv", [["Ann Lee", "2027-01-20", ann], *OTHERS], ["owner", "closed", "amount"]
    )
    return track_json("--as-of", "2027-02-14", plan=mini_plan(tmp_path, AMOUNT_ONLY), export=export)


def behind(document: Any) -> list[str]:
    return [d["message"] for d in document["diagnostics"] if d["code"] == "PLC720"]


def test_79_96_percent_of_pace_is_warned_and_shown_apart_from_80(tmp_path: Path) -> None:
    document = tracked(tmp_path, "191904")  # 191,904 / 240,000 = 79.96 %
    ann = progress(document, "ann", "revenue")
    assert Decimal(ann["of_pace_pct"]) == Decimal("79.96")
    assert ann["status"] == "at risk"
    (message,) = behind(document)
    assert message.startswith(
        "Ann Lee · Revenue (ann/revenue): 191,904 by 2027-02-14, 79.96% of the pace of 240,000"
    )
    assert "(warning below 80.0%)" in message


def test_exactly_80_percent_is_not_warned(tmp_path: Path) -> None:
    document = tracked(tmp_path, "192000")
    assert progress(document, "ann", "revenue")["status"] == "behind"
    assert behind(document) == []


def test_a_hair_below_is_warned_with_the_places_it_takes(tmp_path: Path) -> None:
    document = tracked(tmp_path, "191999.99")
    exact = Fraction("191999.99") * 100 / 240000
    assert exact < 80
    (message,) = behind(document)
    assert "79.999996% of the pace" in message


def test_pace_is_not_rounded_before_the_percent(tmp_path: Path) -> None:
    """On 2027-02-13 the pace is 150,000 + 180,000 x 13/28 = 233,571.428571...: 80 % of it is
    186,857.142857...; 186,857.14 is below it (79.999999...%), although it is 80.0 % of
    the pace rounded to cents (233,571.43)."""
    export = write_csv(
        tmp_path / "a.csv",
        [["Ann Lee", "2027-01-20", "186857.14"], *OTHERS],
        ["owner", "closed", "amount"],
    )
    plan = mini_plan(tmp_path, AMOUNT_ONLY)
    document = track_json("--as-of", "2027-02-13", plan=plan, export=export)
    pace = Fraction(150000) + Fraction(180000 * 13, 28)
    assert Fraction("186857.14") * 100 / pace < 80
    assert Fraction("186857.14") * 100 / Fraction("233571.43") >= Fraction("79.99999")
    assert progress(document, "ann", "revenue")["pace"] == "233571.43"  # shown at cents
    assert len(behind(document)) == 1
    text = run_planc("track", plan, "--actuals", export, "--as-of", "2027-02-13").stdout
    assert "80.0% of the pace" not in text
