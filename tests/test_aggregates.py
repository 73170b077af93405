"""The seam: tracking reads per-key aggregates, whoever produced them.

A second reader (here: the csv module and Decimal, as a warehouse reader would
build the same from SQL) fills a :class:`planc.track.aggregates.Actuals` by
hand; tracking it gives exactly what the pandas reader's aggregates give.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from decimal import Decimal

from conftest import REPO
from planc.checks import check_directory
from planc.core.model import Level, Plan
from planc.track import aggregates as agg
from planc.track.actuals import load_actuals
from planc.track.tracking import periods, track

PLAN = REPO / "plans" / "2017-Q3"
EXPORT = REPO / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_pipeline.csv"
AS_OF = date(2017, 8, 15)


def compiled() -> Plan:
    result = check_directory(PLAN)
    assert result.plan is not None and not result.has_errors
    return result.plan


def by_hand(plan: Plan) -> agg.Actuals:
    """Won and lost rows per (rep, month) and (rep, month, product), from the csv module."""
    rep_of = {
        plan.people[n.owner].name: n.id
        for n in plan.walk()
        if n.level is Level.REP and n.owner in plan.people
    }
    product_of = {p.name: p.id for p in plan.products.values()} | {"GTXPro": "gtx-pro"}
    key = {p.id for p in plan.products.values() if p.key}
    kept = periods(plan.quarter)
    wanted = {*kept.current, *kept.last_quarter}
    cells: dict[tuple[str, int], list[Decimal | int]] = defaultdict(
        lambda: [Decimal(0), Decimal(0), 0, 0]
    )
    products: dict[tuple[str, int, str], Decimal] = defaultdict(Decimal)
    with EXPORT.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rep = rep_of.get(row["sales_agent"])
            if rep is None or not row["close_date"] or row["deal_stage"] not in ("Won", "Lost"):
                continue
            closed = date.fromisoformat(row["close_date"])
            month = agg.month_key(closed.year, closed.month)
            if closed > AS_OF or month not in wanted:
                continue
            cell = cells[(rep, month)]
            if row["deal_stage"] == "Lost":
                cell[3] = int(cell[3]) + 1
                continue
            amount = Decimal(row["close_value"])
            product = product_of[row["product"]]
            cell[0] = Decimal(cell[0]) + amount
            cell[1] = Decimal(cell[1]) + (amount if product in key else 0)
            cell[2] = int(cell[2]) + 1
            products[(rep, month, product)] += amount
    months = {
        k: agg.RepMonth(amount=Decimal(a), key_amount=Decimal(b), deals=int(d), lost=int(lost))
        for k, (a, b, d, lost) in cells.items()
    }
    return agg.Actuals(
        source="by hand",
        as_of=AS_OF,
        ledger=agg.Ledger(rows=0, counted=0, excluded=()),
        months=months,
        products=products,
        accounts={},
        account_names=(),
        scale=0,
        covered=frozenset(wanted),
        roles=frozenset({"owner", "date", "amount", "product", "stage"}),
        kept=frozenset(wanted),
    )


def test_tracking_reads_only_aggregates_whoever_made_them() -> None:
    plan = compiled()
    loaded = load_actuals(EXPORT, plan, AS_OF, baselines=False)
    assert loaded.actuals is not None
    from_pandas = track(plan, loaded.actuals)
    from_hand = track(plan, by_hand(plan))
    assert len(from_hand.progress) == len(from_pandas.progress) > 90
    for mine, theirs in zip(from_hand.progress, from_pandas.progress, strict=True):
        assert (mine.node, mine.metric) == (theirs.node, theirs.metric)
        assert mine.attained == theirs.attained, (mine.node, mine.metric)
        assert mine.forecast == theirs.forecast
        assert mine.of_pace == theirs.of_pace
        assert mine.status == theirs.status
