"""Write a synthetic quarter plan (planc format v1) for benchmarking.

    python bench/generate.py N OUT_DIR [--errors K] [--seed S]

OUT_DIR receives quarter.yaml and regions/<region>.yaml (about 2,500 reps per
region file, teams of about 10 reps, about 2 KB of YAML per rep). The clean plan
(K = 0) passes every rule of the format: children's targets reconcile with their
parent's (reps carry about 110 % of their team), monthly phasing and product
splits add up exactly, currency is rounded to 1000, growth stays inside the
band, ramping reps and leavers are prorated, actions fit their budgets.

``--errors K`` injects K diverse semantic errors (each meant to give exactly one
diagnostic) spread over the region files. The plan data come from one random
stream and the error sites from another, so a plan with errors differs from the
clean plan of the same seed only where the errors are.

Text is built with f-strings (no yaml.dump), so 50,000 reps take a few seconds.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

SCHEMA = Path(__file__).resolve().parent.parent / "schema" / "plan.schema.json"
QUARTER_ID = "2027-Q1"
ROUND = 1000
MONTHS = 3
REPS_PER_REGION = 2500
TEAM_SIZES = (8, 9, 10, 11, 12)
PRODUCTS = ("pro", "basic", "cloud", "services")
KEY_PRODUCTS = ("pro", "cloud")
LEAVER_END = "2027-02-28"
LEAVER_FACTOR = Fraction(59, 90)  # Jan 1 .. Feb 28 present out of 90 days
RAMP_STARTS = {"2027-01-05": Fraction(0 + 50 + 75, 300), "2026-12-01": Fraction(50 + 75 + 100, 300)}
VP = "vera"
FINANCE = "felix"

FIRST = (
    "ann",
    "bob",
    "carla",
    "dmitri",
    "elena",
    "farid",
    "grace",
    "hugo",
    "ines",
    "jonas",
    "kemal",
    "lena",
    "marco",
    "nadia",
    "omar",
    "priya",
    "quentin",
    "rosa",
    "samir",
    "tara",
    "ulrich",
    "vanya",
    "wendy",
    "xavier",
    "yusuf",
    "zoe",
    "aiko",
    "bruno",
    "chloe",
    "diego",
)
LAST = (
    "lee",
    "ortiz",
    "novak",
    "petrov",
    "silva",
    "haddad",
    "kim",
    "moreau",
    "garcia",
    "weber",
    "yilmaz",
    "fischer",
    "rossi",
    "kaplan",
    "nasser",
    "sharma",
    "dubois",
    "santos",
    "jensen",
    "okafor",
    "tanaka",
    "costa",
    "meyer",
    "lindqvist",
    "ahmed",
    "brennan",
    "varga",
    "horvat",
)
CJK = (
    ("张伟", "zhang-wei"),
    ("王芳", "wang-fang"),
    ("李娜", "li-na"),
    ("刘洋", "liu-yang"),
    ("陈静", "chen-jing"),
    ("杨磊", "yang-lei"),
    ("赵敏", "zhao-min"),
    ("黄强", "huang-qiang"),
    ("周杰", "zhou-jie"),
    ("吴婷", "wu-ting"),
    ("徐芳", "xu-fang"),
    ("孙丽", "sun-li"),
)
REGION_NAMES = (
    "华东区",
    "North America East",
    "华南区",
    "DACH",
    "华北区",
    "Nordics",
    "西南区",
    "Iberia",
    "华中区",
    "Benelux",
    "东北区",
    "UK and Ireland",
    "西北区",
    "France",
    "Italy",
    "Japan",
)
REP_NOTES = (
    "Expansion in existing accounts; two renewals fall in February.",
    "New logos in manufacturing; pipeline covers 3.1x the number.",
    "Territory rebalanced in December; baseline restated for the new accounts.",
    "Renewal-heavy book; upsell of Pro seats drives the growth.",
    "Public-sector accounts; budgets release in March, hence the phasing.",
)
COLLECTION_NOTE = "Invoices of the December deals fall due in January; key accounts pay quarterly."
ACTION_NOTES = (
    "visits to the top accounts",
    "customer workshops on site",
    "trade show follow-ups",
    "executive sponsor meetings",
    "renewal negotiations in person",
)


# --------------------------------------------------------------------------- numbers


def round_down(x: int | Fraction, unit: int) -> int:
    return int(x // unit) * unit


def round_up(x: int | Fraction, unit: int) -> int:
    return -int(-x // unit) * unit


def split(total: int, weights: list[int], unit: int) -> list[int]:
    """Split total into multiples of unit in proportion to weights, adding up exactly.

    The rounding remainder goes to the largest weight, so a zero weight stays zero.
    """
    whole = sum(weights) or 1
    parts = [round_down(Fraction(total * w, whole), unit) for w in weights]
    parts[weights.index(max(weights))] += total - sum(parts)
    return parts


def parent_sum(children: int, ratio_pct: int, unit: int) -> int:
    """Parent target so that children carry about ratio_pct % of it, inside 100..120 %."""
    value = round_down(Fraction(children * 100, ratio_pct), unit)
    lowest = round_up(Fraction(children * 10, 12), unit)
    return min(max(value, lowest), children)


def mean(values: list[int], weights: list[int] | None = None) -> Fraction:
    if weights is None:
        return Fraction(sum(values), len(values))
    total = sum(weights)
    if total == 0:
        return Fraction(sum(values), len(values))
    return Fraction(sum(v * w for v, w in zip(values, weights, strict=True)), total)


def tenths(t: int) -> str:
    return f"{t // 10}.{t % 10}"


def flist(xs: list[int]) -> str:
    return "[" + ", ".join(map(str, xs)) + "]"


def fmap(d: Mapping[str, object]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}"


# --------------------------------------------------------------------------- model

Fields = dict[str, str]
Targets = dict[str, Fields]


@dataclass(slots=True)
class Rep:
    id: str
    name: str
    status: str  # full | ramp | leaver
    start: str
    manager: bool
    revenue: int
    rev_months: list[int]
    products: dict[str, int]
    collections: int
    coll_months: list[int]
    new_customers: int
    kps: int
    csat: int  # tenths
    training: int
    expense: int
    exp_months: list[int]
    travel: int
    samples: int
    prospecting: int
    note: str
    stretch: int = 0
    baseline: tuple[int, int] | None = None
    exp_baseline: int = 0


@dataclass(slots=True)
class Rollup:
    """A parent's numbers (team, region or company), computed from its children."""

    revenue: int
    stretch: int
    rev_months: list[int]
    products: dict[str, int]
    collections: int
    coll_months: list[int]
    new_customers: int
    kps: int
    csat: int
    training: int
    expense: int
    budget: dict[str, int]


@dataclass(slots=True)
class Team:
    id: str
    name: str
    owner: str
    owner_name: str
    reps: list[Rep]
    event: int
    nums: Rollup | None = None
    errors: list[tuple[str, int]] = field(default_factory=list)  # (kind, rep index)


@dataclass(slots=True)
class Region:
    id: str
    name: str
    owner: str
    owner_name: str
    teams: list[Team]
    summit: int
    nums: Rollup | None = None


# --------------------------------------------------------------------------- generation


def person_name(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.25:
        return CJK[rng.randrange(len(CJK))]
    first, last = FIRST[rng.randrange(len(FIRST))], LAST[rng.randrange(len(LAST))]
    return f"{first.title()} {last.title()}", f"{first}-{last}"


def make_rep(rng: random.Random, index: int, status: str) -> Rep:
    name, slug = person_name(rng)
    revenue = rng.randrange(300, 900) * ROUND
    mw = [30 + rng.randint(-3, 3), 33 + rng.randint(-3, 3), 37 + rng.randint(-3, 3)]
    pw = [rng.randint(25, 45), rng.randint(15, 30), rng.randint(10, 25), rng.randint(5, 15)]
    products = dict(zip(PRODUCTS, split(revenue, pw, ROUND), strict=True))
    collections = round_down(revenue * rng.randint(85, 95) // 100, ROUND)
    expense = max(ROUND, round_down(revenue * rng.randint(5, 8) // 100, ROUND))
    rep = Rep(
        id=f"{slug}-{index:05d}",
        name=name,
        status=status,
        start=f"{rng.randint(2016, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        manager=rng.random() < 0.3,
        revenue=revenue,
        rev_months=split(revenue, mw, ROUND),
        products=products,
        collections=collections,
        coll_months=split(collections, [28, 33, 39], ROUND),
        new_customers=rng.randint(2, 9),
        kps=sum(products[p] for p in KEY_PRODUCTS) * 100 // revenue,
        csat=rng.randint(42, 49),
        training=rng.choice((80, 90, 100, 100)),
        expense=expense,
        exp_months=split(expense, [1, 1, 1], ROUND),
        travel=rng.randint(4, 12) * 500,
        samples=rng.randint(0, 4) * 250,
        prospecting=rng.randint(2, 6) * 500,
        note=REP_NOTES[rng.randrange(len(REP_NOTES))],
    )
    growth = rng.randint(3, 25)
    rep.stretch = round_up(revenue * 110 // 100, ROUND)
    rep.baseline = (
        round_down(revenue * rng.randint(90, 105) // 100, ROUND),
        round_down(Fraction(revenue * 100, 100 + growth), ROUND),
    )
    rep.exp_baseline = round_up(Fraction(expense * 100, 100 - rng.randint(2, 8)), ROUND)
    return rep


def median(xs: list[int]) -> Fraction:
    s = sorted(xs)
    mid = len(s) // 2
    return Fraction(s[mid]) if len(s) % 2 else Fraction(s[mid - 1] + s[mid], 2)


def prorate(rep: Rep, peers: list[Rep], factor: Fraction, weights: list[int]) -> None:
    """Cut a ramping rep's or leaver's sum targets to 90 % of the allowed prorated quota."""
    cut = factor * Fraction(9, 10)
    rep.revenue = max(ROUND, round_down(median([p.revenue for p in peers]) * cut, ROUND))
    rep.rev_months = split(rep.revenue, weights, ROUND)
    pw = [rep.products[p] for p in PRODUCTS]
    rep.products = dict(zip(PRODUCTS, split(rep.revenue, pw, ROUND), strict=True))
    rep.kps = sum(rep.products[p] for p in KEY_PRODUCTS) * 100 // rep.revenue
    rep.stretch = round_up(rep.revenue * 110 // 100, ROUND)
    rep.collections = round_down(median([p.collections for p in peers]) * cut, ROUND)
    rep.coll_months = split(rep.collections, weights, ROUND)
    rep.new_customers = int(median([p.new_customers for p in peers]) * cut)
    rep.expense = round_down(median([p.expense for p in peers]) * cut, ROUND)
    rep.exp_months = split(rep.expense, weights, ROUND)
    rep.baseline = None
    rep.exp_baseline = 0


def make_team(rng: random.Random, region_id: str, t: int, size: int, first: int) -> Team:
    reps = [make_rep(rng, first + i, "full") for i in range(size)]
    special = rng.random()
    if special < 0.3:  # one rep joins during the ramp period
        start, factor = rng.choice(sorted(RAMP_STARTS.items()))
        reps[-1].status, reps[-1].start = "ramp", start
        weights = [5, 35, 60] if start.startswith("2027") else [25, 35, 40]
        prorate(reps[-1], reps[:-1], factor, weights)
    elif special < 0.4:  # one rep leaves at the end of February
        reps[-1].status = "leaver"
        prorate(reps[-1], reps[:-1], LEAVER_FACTOR, [50, 50, 0])
    name, slug = person_name(rng)
    return Team(
        id=f"{region_id}-t{t:03d}",
        name=f"{region_id.upper()} Team {t}",
        owner=f"{slug}-m{first:05d}",
        owner_name=name,
        reps=reps,
        event=rng.randint(5, 15) * ROUND,
    )


def rollup(children: Sequence[Rep | Rollup], budget: dict[str, int], ratio: int) -> Rollup:
    """Parent numbers for children carrying about ratio % of the parent's revenue."""
    revenues = [c.revenue for c in children]
    revenue = parent_sum(sum(revenues), ratio, ROUND)
    collections = parent_sum(sum(c.collections for c in children), ratio - 2, ROUND)
    mw = [sum(c.rev_months[i] for c in children) for i in range(MONTHS)]
    pw = [sum(c.products[k] for c in children) for k in PRODUCTS]
    cw = [sum(c.coll_months[i] for c in children) for i in range(MONTHS)]
    return Rollup(
        revenue=revenue,
        stretch=round_up(revenue * 108 // 100, ROUND),
        rev_months=split(revenue, mw, ROUND),
        products=dict(zip(PRODUCTS, split(revenue, pw, ROUND), strict=True)),
        collections=collections,
        coll_months=split(collections, cw, ROUND),
        new_customers=parent_sum(sum(c.new_customers for c in children), ratio, 1),
        kps=max(0, int(mean([c.kps for c in children], revenues)) - 1),
        csat=max(10, int(mean([c.csat for c in children])) - 1),
        training=max(0, int(mean([c.training for c in children])) - 1),
        expense=round_up(Fraction(sum(c.expense for c in children) * 102, 100), ROUND),
        budget=budget,
    )


def team_rollup(team: Team) -> Rollup:
    reps = team.reps
    budget = {
        "marketing": team.event + 5 * ROUND,
        "travel": round_up(Fraction(sum(r.travel + r.prospecting for r in reps) * 11, 10), ROUND),
        "samples": round_up(Fraction(sum(r.samples for r in reps) * 12, 10), ROUND) + ROUND,
    }
    return rollup(reps, budget, 110)


def parent_rollup(children: list[Rollup], extra: dict[str, int], ratio: int) -> Rollup:
    budget: dict[str, int] = {}
    for child in children:
        for kind, amount in child.budget.items():
            budget[kind] = budget.get(kind, 0) + amount
    for kind, amount in extra.items():
        budget[kind] = budget.get(kind, 0) + amount
    return rollup(children, budget, ratio)


def team_sizes(rng: random.Random, n: int) -> list[int]:
    sizes: list[int] = []
    left = n
    while left > 0:
        size = rng.choice(TEAM_SIZES)
        if left - size < TEAM_SIZES[0]:
            size = left if left <= TEAM_SIZES[-1] + 2 else left // 2
        sizes.append(size)
        left -= size
    return sizes


def region_counts(n: int) -> list[int]:
    regions = max(2 if n >= 2 * TEAM_SIZES[0] else 1, round(n / REPS_PER_REGION))
    base, extra = divmod(n, regions)
    return [base + (1 if i < extra else 0) for i in range(regions)]


def build(n: int, seed: int) -> list[Region]:
    rng = random.Random(seed)
    regions: list[Region] = []
    first = 1
    for r, count in enumerate(region_counts(n), start=1):
        rid = f"r{r:02d}"
        teams: list[Team] = []
        for t, size in enumerate(team_sizes(rng, count), start=1):
            teams.append(make_team(rng, rid, t, size, first))
            first += size
        name, slug = person_name(rng)
        regions.append(
            Region(
                id=rid,
                name=REGION_NAMES[(r - 1) % len(REGION_NAMES)]
                + ("" if r <= len(REGION_NAMES) else f" {r}"),
                owner=f"{slug}-d{r:02d}",
                owner_name=name,
                teams=teams,
                summit=rng.randint(20, 40) * ROUND,
            )
        )
    return regions


def compute(regions: list[Region]) -> Rollup:
    for region in regions:
        for team in region.teams:
            team.nums = team_rollup(team)
            apply_team_errors(team)
        extra = {"marketing": region.summit + 10 * ROUND}
        region.nums = parent_rollup([t.nums for t in region.teams if t.nums], extra, 105)
    training = round_up(sum(len(t.reps) for r in regions for t in r.teams) * 150, ROUND)
    extra = {"marketing": 50 * ROUND, "training": training + 10 * ROUND}
    return parent_rollup([r.nums for r in regions if r.nums], extra, 102)


# --------------------------------------------------------------------------- errors

# Ordered so that even a few errors are of different kinds.
ERROR_KINDS = (
    "months_sum",
    "unknown_product",
    "team_over_band",
    "action_unknown_owner",
    "percent_range",
    "over_budget",
    "leaver_month",
    "deadline_outside",
    "unknown_manager",
    "count_fraction",
    "cap_exceeded",
    "products_sum",
    "action_due_outside",
    "score_range",
    "team_under_band",
    "unknown_metric",
    "months_count",
    "action_unknown_metric",
    "unknown_pillar",
)
LEAVER_ERRORS = ("leaver_month",)


def pick_team(pool: list[Team], kind: str) -> tuple[Team, str]:
    """Take a team for kind from pool; a leaver error needs a team with a leaver."""
    if kind in LEAVER_ERRORS:
        for i in range(len(pool) - 1, -1, -1):
            if pool[i].reps[-1].status == "leaver":
                return pool.pop(i), kind
        kind = "months_sum"
    return pool.pop(), kind


def place_errors(regions: list[Region], k: int, seed: int) -> None:
    """Choose k error sites, one per team, round-robin over the region files."""
    rng = random.Random(seed * 7919 + 17)
    pools = [rng.sample(r.teams, len(r.teams)) for r in regions]
    if k > sum(len(p) for p in pools):
        sys.exit(f"--errors {k}: the plan has only {sum(len(p) for p in pools)} teams")
    placed = 0
    for i in range(k * len(regions)):
        pool = pools[i % len(regions)]
        if placed == k:
            break
        if not pool:
            continue
        team, kind = pick_team(pool, ERROR_KINDS[placed % len(ERROR_KINDS)])
        rep = len(team.reps) - 1 if kind in LEAVER_ERRORS else rng.randrange(len(team.reps) - 1)
        team.errors.append((kind, rep))
        placed += 1


def apply_team_errors(team: Team) -> None:
    nums = team.nums
    assert nums is not None
    reps = sum(r.revenue for r in team.reps)
    for kind, _ in team.errors:
        if kind == "team_over_band":  # reps carry about 130 % of the team
            nums.revenue = round_down(Fraction(reps * 10, 13), ROUND)
        elif kind == "team_under_band":  # reps carry less than the team
            nums.revenue = round_up(reps, ROUND) + 20 * ROUND
        elif kind == "cap_exceeded":  # reps' expense caps add up above the team's
            nums.expense = sum(r.expense for r in team.reps) - ROUND
        elif kind == "over_budget":  # the team event costs more than the team budget
            team.event = nums.budget["marketing"] + ROUND
        else:
            continue
        nums.stretch = round_up(nums.revenue * 108 // 100, ROUND)
        nums.rev_months = split(nums.revenue, nums.rev_months, ROUND)
        pw = [nums.products[p] for p in PRODUCTS]
        nums.products = dict(zip(PRODUCTS, split(nums.revenue, pw, ROUND), strict=True))


def inject_rep_error(kind: str, rep: Rep, targets: Targets, person: Fields, action: Fields) -> None:
    rev, coll = targets["revenue"], targets["collections"]
    edits: dict[str, Callable[[], None]] = {
        "months_sum": lambda: rev.update(
            months=flist([rep.rev_months[0] + ROUND, *rep.rev_months[1:]])
        ),
        "products_sum": lambda: rev.update(
            products=fmap({**rep.products, "basic": rep.products["basic"] + ROUND})
        ),
        "unknown_product": lambda: rev.update(
            products=fmap(
                {("platinum" if k == "services" else k): v for k, v in rep.products.items()}
            )
        ),
        "months_count": lambda: coll.update(
            months=flist([rep.coll_months[0] + rep.coll_months[1], rep.coll_months[2]])
        ),
        "percent_range": lambda: targets["key_product_share"].update(value="130"),
        "score_range": lambda: targets["csat"].update(value="7.5"),
        "count_fraction": lambda: targets["new_customers"].update(value=f"{rep.new_customers}.5"),
        "unknown_metric": lambda: targets.update(revnue={"value": str(rep.revenue)}),
        "unknown_pillar": lambda: rev.update(pillar="moonshot"),
        "deadline_outside": lambda: coll.update(deadline="2027-04-30"),
        "unknown_manager": lambda: person.update(manager=f"ghost-manager-{rep.id[-5:]}"),
        "action_unknown_owner": lambda: action.update(owner=f"ghost-{rep.id[-5:]}"),
        "action_due_outside": lambda: action.update(due="2026-12-15"),
        "action_unknown_metric": lambda: action.update(supports="revnue"),
        "leaver_month": lambda: rev.update(
            months=flist([rep.rev_months[0] - ROUND, rep.rev_months[1], ROUND])
        ),
    }
    if kind in edits:
        edits[kind]()


# --------------------------------------------------------------------------- rendering


def render_targets(targets: Targets, pad: str) -> Iterator[str]:
    inner = pad + "  "
    for metric, fields in targets.items():
        if len(fields) == 1:
            yield f"{pad}{metric}: {{value: {fields['value']}}}\n"
            continue
        yield f"{pad}{metric}:\n"
        for key, value in fields.items():
            yield f"{inner}{key}: {value}\n"


def rollup_targets(nums: Rollup, baseline: bool, deadline: str | None) -> Targets:
    revenue: Fields = {"value": str(nums.revenue), "stretch": str(nums.stretch)}
    if baseline:
        revenue["baseline"] = fmap(
            {
                "last_quarter": round_down(nums.revenue * 92 // 100, ROUND),
                "last_year": round_down(nums.revenue * 100 // 115, ROUND),
            }
        )
    revenue["months"] = flist(nums.rev_months)
    revenue["products"] = fmap(nums.products)
    customers: Fields = {"value": str(nums.new_customers)}
    if deadline:
        customers["deadline"] = deadline
    return {
        "revenue": revenue,
        "collections": {"value": str(nums.collections), "months": flist(nums.coll_months)},
        "new_customers": customers,
        "key_product_share": {"value": str(nums.kps)},
        "csat": {"value": tenths(nums.csat)},
        "training": {"value": str(nums.training)},
        "sales_expense": {"value": str(nums.expense)},
    }


def rep_targets(rep: Rep) -> Targets:
    revenue: Fields = {"value": str(rep.revenue), "stretch": str(rep.stretch)}
    expense: Fields = {"value": str(rep.expense)}
    if rep.baseline:
        revenue["baseline"] = f"{{last_quarter: {rep.baseline[0]}, last_year: {rep.baseline[1]}}}"
        expense["baseline"] = f"{{last_quarter: {rep.exp_baseline}}}"
    revenue["months"] = flist(rep.rev_months)
    revenue["products"] = fmap(rep.products)
    revenue["note"] = rep.note
    expense["months"] = flist(rep.exp_months)
    # A leaver's targets are due on their last day: nobody owns a number after leaving (PLC450).
    due: Fields = {"deadline": LEAVER_END} if rep.status == "leaver" else {}
    targets: Targets = {
        "revenue": revenue,
        "collections": {
            "value": str(rep.collections),
            "deadline": "2027-03-31",
            "months": flist(rep.coll_months),
            "note": COLLECTION_NOTE,
        },
        "new_customers": {"value": str(rep.new_customers)},
        "key_product_share": {"value": str(rep.kps)},
        "csat": {"value": tenths(rep.csat)},
        "training": {"value": str(rep.training)},
        "sales_expense": expense,
    }
    if rep.status == "leaver":
        targets["collections"]["deadline"] = LEAVER_END
    return {metric: {**fields, **due} for metric, fields in targets.items()}


def rep_person(rep: Rep, team: Team) -> Fields:
    slug = rep.id.rsplit("-", 1)[0]
    person: Fields = {
        "id": rep.id,
        "name": rep.name,
        "email": f"{slug.replace('-', '.')}.{rep.id[-5:]}@example.com",
        "role": "rep",
        "title": "Account Executive",
    }
    if rep.manager:
        person["manager"] = team.owner
    person["start"] = rep.start
    if rep.status == "leaver":
        person["end"] = LEAVER_END
    person["github"] = rep.id
    return person


def rep_action(rep: Rep, index: int) -> Fields:
    due = "2027-02-10" if rep.status == "leaver" else f"2027-0{1 + index % 3}-{10 + index % 15}"
    resources = [f"{{kind: travel, amount: {rep.travel}, note: {ACTION_NOTES[index % 5]}}}"]
    if rep.samples:
        resources.append(f"{{kind: samples, amount: {rep.samples}, note: demo units}}")
    return {
        "id": f"{rep.id}-qbr",
        "what": f"Quarterly business reviews with the five largest accounts of {rep.name}",
        "owner": rep.id,
        "node": rep.id,
        "supports": "revenue",
        "due": due,
        "resources": "".join(f"\n      - {r}" for r in resources),
    }


def prospecting_action(rep: Rep, index: int) -> Fields:
    month, day = 1 + (index + 1) % 3, 5 + index % 20
    due = "2027-02-05" if rep.status == "leaver" else f"2027-{month:02d}-{day:02d}"
    return {
        "id": f"{rep.id}-prospecting",
        "what": f"Prospecting sprint in the territory of {rep.name}, with two partner webinars "
        "and a call list built from the trade-show leads",
        "owner": rep.id,
        "node": rep.id,
        "supports": "new_customers",
        "due": due,
        "resources": f"\n      - {{kind: travel, amount: {rep.prospecting}, note: partner visits}}",
    }


def render_action(action: Fields) -> str:
    lines = [f"  - id: {action['id']}\n"]
    for key, value in action.items():
        if key != "id":
            lines.append(f"    {key}:{value}\n" if value[0] == "\n" else f"    {key}: {value}\n")
    return "".join(lines)


def render_team(team: Team, out: list[str], people: list[str], actions: list[str]) -> None:
    assert team.nums is not None
    out.append(
        f"    - id: {team.id}\n      name: {team.name}\n      owner: {team.owner}\n"
        f"      budget: {fmap(team.nums.budget)}\n      targets:\n"
    )
    out.extend(render_targets(rollup_targets(team.nums, False, "2027-03-20"), "        "))
    out.append("      reps:\n")
    errors = {i: kind for kind, i in team.errors}
    for i, rep in enumerate(team.reps):
        targets, person, action = rep_targets(rep), rep_person(rep, team), rep_action(rep, i)
        if i in errors:
            inject_rep_error(errors[i], rep, targets, person, action)
        out.append(f"        - rep: {rep.id}\n          targets:\n")
        out.extend(render_targets(targets, "            "))
        people.append(f"  - {fmap(person)}\n")
        actions.append(render_action(action))
        if rep.status != "ramp":  # a ramping hire carries part of the action plan (PLC453)
            actions.append(render_action(prospecting_action(rep, i)))
    actions.append(
        render_action(
            {
                "id": f"{team.id}-event",
                "what": f"Customer day for {team.name} prospects",
                "owner": team.owner,
                "node": team.id,
                "supports": "new_customers",
                "due": "2027-03-12",
                "resources": f"\n      - {{kind: marketing, amount: {team.event}, note: hall and food}}",
            }
        )
    )


def modeline(path: Path) -> str:
    return f"# yaml-language-server: $schema={os.path.relpath(SCHEMA, path.parent)}\n"


def adjustment(region: Region) -> str:
    team = region.teams[0]
    a, b = team.reps[0], team.reps[1]
    return (
        f"adjustments:\n  - id: ADJ-{region.id}-001\n    date: 2027-01-28\n"
        f"    effective: 2027-02-01\n    cause: reorganisation\n"
        f"    note: An account moved from {a.name} to {b.name} after the territory review.\n"
        f"    approved_by: [{team.owner}]\n    changes:\n"
        f"      - {{target: {a.id}/revenue, from: {a.revenue + 10 * ROUND}, to: {a.revenue}}}\n"
        f"      - {{target: {b.id}/revenue, from: {b.revenue - 10 * ROUND}, to: {b.revenue}}}\n"
    )


def render_region(region: Region, path: Path) -> str:
    assert region.nums is not None
    out = [
        modeline(path),
        "planc: 1\nkind: region\nregion:\n",
        f"  id: {region.id}\n  name: {region.name}\n  owner: {region.owner}\n",
        f"  budget: {fmap(region.nums.budget)}\n  targets:\n",
    ]
    out.extend(render_targets(rollup_targets(region.nums, True, None), "    "))
    out.append("  teams:\n")
    people = [
        f"  - {{id: {region.owner}, name: {region.owner_name}, email: "
        f"{region.owner}@example.com, role: director, manager: {VP}}}\n"
    ]
    actions = [
        render_action(
            {
                "id": f"{region.id}-summit",
                "what": f"Partner summit for {region.name}",
                "owner": region.owner,
                "node": region.id,
                "supports": "revenue",
                "due": "2027-02-20",
                "resources": f"\n      - {{kind: marketing, amount: {region.summit}, note: venue}}",
            }
        )
    ]
    for team in region.teams:
        people.append(
            f"  - {{id: {team.owner}, name: {team.owner_name}, email: "
            f"{team.owner}@example.com, role: manager, manager: {region.owner}, "
            f"github: {team.owner}}}\n"
        )
        render_team(team, out, people, actions)
    out.append("people:\n")
    out.extend(people)
    out.append("actions:\n")
    out.extend(actions)
    out.append(adjustment(region))
    return "".join(out)


QUARTER_HEAD = """planc: 1
kind: quarter
quarter:
  id: 2027-Q1
  name: Q1 2027
  start: 2027-01-01
  end: 2027-03-31
  fiscal_year: FY2027
currency: USD
locale: en
company:
  id: acme
  name: Acme Tools
  owner: vera
  approved: plan-2027-Q1
"""

QUARTER_TAIL = """pillars:
  - id: growth
    name: Profitable growth
    description: Grow revenue faster than the market while holding sales expense.
  - id: loyalty
    name: Customers who stay
  - id: people
    name: A trained sales force
metrics:
  - id: revenue
    name: Revenue
    unit: currency
    rollup: sum
    pillar: growth
    definition: Invoiced amount of deals won in the quarter.
  - id: collections
    name: Collections (回款)
    unit: currency
    pillar: growth
    definition: Cash received against invoices in the quarter.
  - id: new_customers
    name: New customers
    unit: count
    pillar: growth
    definition: Accounts whose first won deal closes in the quarter.
  - id: key_product_share
    name: Key-product share
    unit: percent
    rollup: weighted_mean
    weight: revenue
    pillar: growth
    definition: Share of revenue from key product lines.
  - id: csat
    name: Customer satisfaction
    unit: score
    rollup: mean
    scale: {min: 1, max: 5}
    pillar: loyalty
    definition: Mean post-deal survey score.
  - id: training
    name: Training completion
    unit: percent
    rollup: mean
    pillar: people
    definition: Share of the assigned training modules completed by the end of the quarter.
  - id: sales_expense
    name: Sales expense
    unit: currency
    direction: lower
    pillar: growth
    definition: Travel, entertainment and samples booked to sales.
products:
  - {id: pro, name: Pro, key: true}
  - {id: basic, name: Basic}
  - {id: cloud, name: Cloud, key: true}
  - {id: services, name: Services}
policy:
  over_assignment: {min: 0, max: 20}
  growth: {min: -10, max: 40}
  ramp: [0, 50, 75, 100]
  rounding: 1000
  tolerance: 0
  approvals:
    - {up_to: 5, approver: team_owner}
    - {up_to: 10, approver: region_owner}
    - {approver: company_owner}
people:
  - {id: vera, name: Vera Quist, email: vera@example.com, role: vp, github: veraq}
  - {id: felix, name: Felix Brandt, email: felix@example.com, role: finance, manager: vera}
"""


def render_quarter(company: Rollup, path: Path) -> str:
    training = company.budget["training"] - 10 * ROUND
    out = [modeline(path), QUARTER_HEAD, f"  budget: {fmap(company.budget)}\n", "  targets:\n"]
    out.extend(render_targets(rollup_targets(company, True, None), "    "))
    out.append(QUARTER_TAIL)
    out.append(
        "actions:\n  - id: acme-training\n    what: Sales methodology course for every rep\n"
        "    owner: vera\n    node: acme\n    supports: training\n    due: 2027-03-15\n"
        f"    resources:\n      - {{kind: training, amount: {training}, note: licences}}\n"
    )
    return "".join(out)


# --------------------------------------------------------------------------- main


def write_plan(n: int, out_dir: Path, errors: int = 0, seed: int = 1) -> tuple[int, int]:
    """Write the plan; return (files, bytes)."""
    regions = build(n, seed)
    if errors:
        place_errors(regions, errors, seed)
    company = compute(regions)
    (out_dir / "regions").mkdir(parents=True, exist_ok=True)
    quarter = out_dir / "quarter.yaml"
    total = write(quarter, render_quarter(company, quarter))
    for region in regions:
        path = out_dir / "regions" / f"{region.id}.yaml"
        total += write(path, render_region(region, path))
    return 1 + len(regions), total


def write(path: Path, text: str) -> int:
    data = text.encode()
    path.write_bytes(data)
    return len(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of reps")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--errors", type=int, default=0, help="semantic errors to inject")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.n < 2:
        parser.error("N must be at least 2")
    started = time.perf_counter()
    files, size = write_plan(args.n, args.out_dir, args.errors, args.seed)
    elapsed = time.perf_counter() - started
    print(
        f"{args.n} reps, {args.errors} errors: {files} files, {size:,} bytes, "
        f"{size / args.n:,.0f} bytes/rep, {elapsed:.2f} s -> {args.out_dir}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
