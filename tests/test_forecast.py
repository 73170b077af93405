"""The pipeline forecast, checked against the same method computed here from the csv module.

The estimate below is written independently of planc's code, in exact
fractions: the Aalen-Johansen sales-cycle curves from every deal engaged by
the as-of date (open ones censored), each deal open then weighted by its
chance of being won by the quarter's end (the mean over the days of its week
of age), valued at its product's mean won amount, plus deals not yet created
at the last 60 days' rate.
"""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from planc.checks import check_directory
from planc.track.actuals import load_actuals
from planc.track.forecast import COUNT, VALUE, Forecaster
from test_track import AS_OF, PLAN, Q3, mini_plan, progress, rows, track_json, write_csv

PRODUCT = {"GTXPro": "GTX Pro"}


def day(text: str) -> int:
    return date.fromisoformat(text).toordinal()


class Curves:
    def __init__(self, won: Counter[int], lost: Counter[int], censored: Counter[int]) -> None:
        last = max([0, *won, *lost, *censored])
        at_risk = sum(won.values()) + sum(lost.values()) + sum(censored.values())
        alive, won_by = Fraction(1), Fraction(0)
        self.alive: list[Fraction] = []
        self.won_by: list[Fraction] = []
        for age in range(last + 1):
            if at_risk:
                won_by += alive * Fraction(won[age], at_risk)
                alive *= 1 - Fraction(won[age] + lost[age], at_risk)
            self.alive.append(alive)
            self.won_by.append(won_by)
            at_risk -= won[age] + lost[age] + censored[age]

    def won_by_age(self, age: int) -> Fraction:
        return self.won_by[min(age, len(self.won_by) - 1)]

    def chance(self, age: int, days: int) -> Fraction:
        alive = self.alive[min(age, len(self.alive) - 1)]
        if not alive:
            return Fraction(0)
        return (self.won_by_age(age + days) - self.won_by_age(age)) / alive


def independent_forecast(as_of: date, quarter: tuple[date, date]) -> dict[str, Fraction]:
    """Company revenue forecast and deals forecast, and what is attained, by the method."""
    cut = as_of.toordinal()
    won: Counter[int] = Counter()
    lost: Counter[int] = Counter()
    censored: Counter[int] = Counter()
    open_weeks: list[tuple[int, str]] = []
    values: defaultdict[str, list[Fraction]] = defaultdict(list)
    created: Counter[str] = Counter()
    attained = Fraction(0)
    deals = 0
    kept_from = date(quarter[0].year, quarter[0].month - 3, 1).toordinal()  # last quarter's months
    for r in rows():
        stage, product = r["deal_stage"], PRODUCT.get(r["product"], r["product"])
        closed = day(r["close_date"]) if r["close_date"] else None
        if stage == "Won" and closed is not None and kept_from <= closed <= cut:
            values[product].append(Fraction(r["close_value"]))
            if closed >= quarter[0].toordinal():
                attained += Fraction(r["close_value"])
                deals += 1
        if not r["engage_date"]:
            continue
        engaged = day(r["engage_date"])
        if engaged > cut:
            continue
        if cut - 60 < engaged:
            created[product] += 1
        if closed is not None and closed <= cut:
            (won if stage == "Won" else lost)[max(closed - engaged, 0)] += 1
        else:
            censored[cut - engaged] += 1
            open_weeks.append(((cut - engaged) // 7, product))
    curves = Curves(won, lost, censored)
    left = (quarter[1] - as_of).days
    mean = {p: sum(v) / len(v) for p, v in values.items()}
    week_chance = {
        w: sum(curves.chance(d, left) for d in range(7 * w, 7 * w + 7)) / 7
        for w in {w for w, _ in open_weeks}
    }
    new_chance = sum(curves.won_by_age(k) for k in range(left))
    open_value = sum(week_chance[w] * mean[p] for w, p in open_weeks)
    open_deals = sum(week_chance[w] for w, _ in open_weeks)
    new_value = sum(Fraction(n, 60) * new_chance * mean[p] for p, n in created.items())
    new_deals = sum(Fraction(n, 60) * new_chance for n in created.values())
    return {
        "revenue": attained + open_value + new_value,
        "deals": deals + open_deals + new_deals,
        "open_deals": Fraction(len(open_weeks)),
        "open_value": open_value,
        "attained": attained,
    }


@pytest.fixture(scope="module")
def tracked() -> Any:
    return track_json("--as-of", AS_OF.isoformat())


def close(shown: str, exact: Fraction) -> bool:
    return abs(Fraction(shown) - exact) <= Fraction(1, 100)


def test_company_forecast_matches_an_independent_computation(tracked: Any) -> None:
    expected = independent_forecast(AS_OF, Q3)
    revenue = progress(tracked, "crm-sample", "revenue")["pipeline_forecast"]
    deals = progress(tracked, "crm-sample", "deals_won")["pipeline_forecast"]
    assert close(revenue["expected"], expected["revenue"]), (revenue, float(expected["revenue"]))
    assert close(deals["expected"], expected["deals"])
    assert revenue["open_deals"] == expected["open_deals"] == 2284
    assert Decimal(revenue["p10"]) < Decimal(revenue["expected"]) < Decimal(revenue["p90"])
    assert tracked["forecast_method"].startswith("deals open at the as-of date")


def test_reps_add_up_to_the_company_and_products_too(tracked: Any) -> None:
    reps = [p for p in tracked["progress"] if p["level"] == "rep" and p["metric"] == "revenue"]
    company = progress(tracked, "crm-sample", "revenue")["pipeline_forecast"]
    total = sum(Decimal(p["pipeline_forecast"]["expected"]) for p in reps)
    assert abs(total - Decimal(company["expected"])) <= Decimal("0.01") * len(reps)
    products = [p["pipeline_forecast"] for p in tracked["products"] if p["node"] == "crm-sample"]
    by_product = sum(Decimal(p["expected"]) for p in products)
    assert abs(by_product - Decimal(company["expected"])) <= Decimal("0.01") * len(products)


def test_the_forecast_is_closer_than_run_rate_at_mid_quarter(tracked: Any) -> None:
    final = sum(
        Decimal(r["close_value"])
        for r in rows()
        if r["deal_stage"] == "Won" and Q3[0] <= date.fromisoformat(r["close_date"]) <= Q3[1]
    )
    company = progress(tracked, "crm-sample", "revenue")
    pipeline = Decimal(company["pipeline_forecast"]["expected"])
    run_rate = Decimal(company["forecast"])
    assert abs(pipeline - final) / final < Decimal("0.10")
    assert abs(pipeline - final) < abs(run_rate - final)


def test_coverage_of_what_is_still_to_go(tmp_path: Path) -> None:
    """Weighted pipeline / (target - attained), warned below policy.warnings.pipeline_coverage."""
    plan = tmp_path / "2017-Q3"
    shutil.copytree(PLAN, plan)
    quarter = plan / "quarter.yaml"
    text = quarter.read_text(encoding="utf-8")
    old = "warnings: {behind_pace: 80, cap_above_pace: 100, after_months: 1}"
    quarter.write_text(text.replace(old, old[:-1] + ", pipeline_coverage: 60}"), encoding="utf-8")
    document = track_json("--as-of", AS_OF.isoformat(), plan=plan)
    expected = independent_forecast(AS_OF, Q3)
    to_go = 3313000 - expected["attained"]
    weighted = expected["open_value"] * 100 / to_go
    company = progress(document, "crm-sample", "revenue")["pipeline_coverage"]
    assert Decimal(company["to_go"]) == to_go
    assert abs(Fraction(company["weighted_pct"]) - weighted) <= Fraction(1, 10000)
    assert weighted < 60
    found = [
        d["message"]
        for d in document["diagnostics"]
        if d["code"] == "PLC766"
        and d["message"].startswith("CRM sample company · Revenue (crm-sample/revenue):")
    ]
    assert len(found) == 1
    assert f"{round(to_go):,} still to go; 2,284 open deals are expected to bring" in found[0]
    assert "warning below 60.0%" in found[0]


MAPPING = """actuals:
  columns: {owner: owner, date: closed, amount: amount, product: product, stage: stage, created: created}
  stages: {won: [Won], open: [Open], lost: [Lost]}
  metrics: {revenue: amount}
adjustments:
"""
HEADER = ["owner", "created", "closed", "amount", "product", "stage"]


def test_small_export_by_hand(tmp_path: Path) -> None:
    """Two deals won and two lost, all at age 10; one open deal at age 3; 60 days left.

    Every deal closes at age 10, half of them won: a deal open at age 3 is won
    by age 63 with chance 1/2. It has an amount (5,000): 2,500 expected.
    Deals created in the 60 days up to 2027-01-30 (after 2026-12-01): four,
    so 4/60 a day of Pro, each won with chance 1/2 when it has 10 days left:
    days 1..50 of the 60, 4/60 x 50 x 1/2 x 3,000 (Pro's mean won amount:
    (2,000 + 4,000) / 2) = 5,000.
    """
    records = [
        ["Ann Lee", "2026-12-01", "2026-12-11", "2000", "Pro", "Won"],
        ["Ann Lee", "2026-12-02", "2026-12-12", "0", "Pro", "Lost"],
        ["Ann Lee", "2027-01-01", "2027-01-11", "4000", "Pro", "Won"],
        ["Ann Lee", "2027-01-02", "2027-01-12", "0", "Pro", "Lost"],
        ["Ann Lee", "2027-01-27", "", "5000", "Pro", "Open"],
    ]
    export = write_csv(tmp_path / "a.csv", records, HEADER)
    document = track_json("--as-of", "2027-01-30", plan=mini_plan(tmp_path, MAPPING), export=export)
    ann = progress(document, "ann", "revenue")
    assert ann["attained"] == "4000"
    forecast = ann["pipeline_forecast"]
    assert forecast["open_deals"] == 1
    assert Decimal(forecast["open_weighted"]) == Decimal(2500)
    assert Decimal(forecast["not_yet_created"]) == Decimal(5000)
    assert Decimal(forecast["expected"]) == Decimal(4000 + 2500 + 5000)


def test_each_measure_is_forecast_only_when_asked_and_alike_in_any_order() -> None:
    """A plan tracking amounts alone never pays for the deal-count parts (made on first
    use), and which measure comes first changes nothing in either."""
    plan = check_directory(PLAN).plan
    assert plan is not None
    export = PLAN.parents[1] / "tests" / "fixtures" / "crm-sales-opportunities"
    loaded = load_actuals(export / "sales_pipeline.csv", plan, AS_OF)
    assert loaded.actuals is not None and loaded.actuals.pipeline is not None
    pipeline = loaded.actuals.pipeline
    first_value = Forecaster(plan, pipeline, AS_OF)
    first_count = Forecaster(plan, pipeline, AS_OF)
    assert not first_value.parts
    reps = sorted({rep for rep, _product, _stage in pipeline.open})
    first_value.estimate(reps, Decimal(0), VALUE)
    assert set(first_value.parts) == {VALUE}
    first_count.estimate(reps, Decimal(0), COUNT)
    for what in (VALUE, COUNT):
        assert first_value.parts[what] == first_count.parts[what]
        assert first_value.estimate(reps, Decimal(1), what) == first_count.estimate(
            reps, Decimal(1), what
        )
