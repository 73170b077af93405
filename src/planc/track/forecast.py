"""The pipeline forecast: what the quarter will close, from the deals open at the as-of date.

Pure arithmetic over the seam's :class:`~planc.track.aggregates.Pipeline`, in
``Decimal``; no pandas. The method, as :data:`METHOD` names it in every output:

1. *Sales cycles.* Every deal created by the as-of date is an observation of
   how long deals take: closed by then (won or lost, at its age in days at
   close), or still open (censored at its age at the as-of date: it has not
   closed *yet*, which is not the same as never). The Aalen-Johansen estimator
   (Kaplan-Meier with two competing outcomes) turns them into the chance that a
   deal open at age *a* is won within the next *h* days:
   ``(CIF_won(a + h) - CIF_won(a)) / S(a)``, where ``S`` is the share of deals
   still open after an age and ``CIF_won`` the share won by it.
2. *Open deals.* Each deal open at the as-of date counts with that chance for
   the days left in the quarter (ages grouped by week: a week's chance is the
   mean of its days, kept to nine decimals). Its value is its amount where the export still has the
   deal open with one, else the mean won amount of its product (of the months
   the export was read for, closed by the as-of date), else of all products.
   With stage probabilities declared and an export no newer than the as-of
   date, a stage's probability replaces the estimated chance of winning, and
   the cycles give only the chance of closing in time.
3. *Deals not yet created.* Deals created in the last :data:`LOOKBACK` days
   give each rep's daily rate per product; a deal created *d* days after the
   as-of date is won in the quarter with chance ``CIF_won(h - d)``.
4. *Range.* Deals are independent Bernoulli outcomes (their values random
   where unpriced); new deals a Poisson stream. P10 and P90 are the normal
   approximation: expected -+ 1.2816 standard deviations (P10 never below what
   is already attained).

Run-rate stays beside it: attained x days of the quarter / days elapsed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from operator import mul

from planc.core.model import Plan, Quarter
from planc.track.aggregates import Pipeline, Sums

METHOD = (
    "deals open at the as-of date x P(won by quarter end | age), "
    "Aalen-Johansen from the export's sales cycles (open deals censored), "
    "+ deals not yet created at the last {lookback} days' rate; P10-P90 normal approximation"
)
Z_90 = Decimal("1.2815515655446004")  # the standard normal's 90th percentile
CHANCE_PLACES = 9  # a deal's chance is kept to nine decimals, as an integer
ZERO = Decimal(0)
ONE = Decimal(1)
VALUE, COUNT = "amount", "deals"  # what a forecast sums: deal values, or deals
_NONE: Mapping[str, _Part] = {}  # a rep without parts


@dataclass(frozen=True, slots=True)
class Estimate:
    """A pipeline forecast of one target (or one product line of a node)."""

    expected: Decimal  # attained + open_expected + new_expected
    low: Decimal  # P10
    high: Decimal  # P90
    attained: Decimal
    open_expected: Decimal  # weighted: what the open deals are expected to add
    new_expected: Decimal  # what deals not yet created are expected to add
    open_deals: int
    open_total: Decimal  # unweighted: every open deal at its value


@dataclass(slots=True)
class _Part:
    """What one rep's deals of one product add: expectation and variance, open and new."""

    open_expected: Decimal = ZERO
    open_variance: Decimal = ZERO
    new_expected: Decimal = ZERO
    new_variance: Decimal = ZERO
    open_deals: int = 0
    open_total: Decimal = ZERO


class _Parts(dict[str, dict[str, dict[str, _Part]]]):
    """Each measure's parts by rep and product, made the first time the measure is asked for
    (measured: half of the forecaster's ~0.1 s at 1,000 reps when no target counts deals)."""

    def __init__(self, make: Callable[[str], dict[str, dict[str, _Part]]]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, what: str) -> dict[str, dict[str, _Part]]:
        made = self[what] = self._make(what)
        return made


class Cycles:
    """The sales-cycle distribution: Aalen-Johansen with won and lost as competing outcomes."""

    def __init__(self, pipeline: Pipeline) -> None:
        won = {a: n for (outcome, a), n in pipeline.closed_ages.items() if outcome == "won"}
        lost = {a: n for (outcome, a), n in pipeline.closed_ages.items() if outcome == "lost"}
        censored = pipeline.open_ages
        last = max([0, *won, *lost, *censored])
        at_risk = sum(won.values()) + sum(lost.values()) + sum(censored.values())
        self.survival: list[Decimal] = []  # still open after each age
        self.won_by: list[Decimal] = []  # won by each age
        self.closed_by: list[Decimal] = []  # won or lost by each age
        alive, won_share, closed_share = ONE, ZERO, ZERO
        for age in range(last + 1):
            w, lo = won.get(age, 0), lost.get(age, 0)
            if at_risk > 0:
                won_share += alive * w / at_risk
                closed_share += alive * (w + lo) / at_risk
                alive *= ONE - Decimal(w + lo) / at_risk
            self.survival.append(alive)
            self.won_by.append(won_share)
            self.closed_by.append(closed_share)
            at_risk -= w + lo + censored.get(age, 0)

    def _at(self, series: list[Decimal], age: int) -> Decimal:
        if age < 0:
            return ONE if series is self.survival else ZERO
        return series[min(age, len(series) - 1)]

    def won_within(self, age: int, days: int) -> Decimal:
        """P(won within ``days`` more days | open at the end of day ``age``)."""
        alive = self._at(self.survival, age)
        if alive == 0 or days <= 0:
            return ZERO
        gained = self._at(self.won_by, age + days) - self._at(self.won_by, age)
        return gained / alive

    def closed_within(self, age: int, days: int) -> Decimal:
        """P(won or lost within ``days`` more days | open at the end of day ``age``)."""
        alive = self._at(self.survival, age)
        if alive == 0 or days <= 0:
            return ZERO
        gained = self._at(self.closed_by, age + days) - self._at(self.closed_by, age)
        return gained / alive

    def won_if_new(self, days: int) -> Decimal:
        """Expected wins in ``days`` days of one deal created per day, each until the last day."""
        return sum((self._at(self.won_by, k) for k in range(days)), ZERO)


class Forecaster:
    """Pipeline forecasts per rep and product, summed for any node."""

    def __init__(
        self,
        plan: Plan,
        pipeline: Pipeline,
        as_of: date,
        probabilities: Mapping[str, Decimal] | None = None,
    ) -> None:
        self.plan = plan
        self.pipeline = pipeline
        self.cycles = Cycles(pipeline)
        self.horizon = days_left(plan.quarter, as_of)
        self.stage_chance = {
            stage: p / 100 for stage, p in (probabilities or {}).items() if pipeline.stages_current
        }
        self._chances: dict[str, list[int]] = {}
        self._squared: dict[str, list[int]] = {}  # the same, squared (units of 10**-18)
        # (deals, sum of chances, sum of squared chances) of an open cell's every deal
        self._open_sums: dict[tuple[str, str, str], tuple[int, int, int]] = {}
        # per measure (VALUE, COUNT), made on first use: a plan tracks deals or amounts or both
        self.parts = _Parts(self._parts)

    @property
    def method(self) -> str:
        return METHOD.format(lookback=self.pipeline.lookback)

    def chance(self, stage: str, week: int) -> Decimal:
        """P(won by quarter end) of a deal open at as-of, by stage and age in weeks."""
        days = range(week * 7, week * 7 + 7)
        declared = self.stage_chance.get(stage)
        if declared is not None:
            closing = sum((self.cycles.closed_within(d, self.horizon) for d in days), ZERO)
            return declared * closing / 7
        return sum((self.cycles.won_within(d, self.horizon) for d in days), ZERO) / 7

    def _weekly(self, stage: str, weeks: int) -> list[int]:
        """Chances by week, in units of 10**-9 (integers, so that sums over deals stay exact)."""
        found = self._chances.setdefault(stage, [])
        squared = self._squared.setdefault(stage, [])
        while len(found) < weeks:
            exact = self.chance(stage, len(found)).scaleb(CHANCE_PLACES)
            found.append(int(exact.to_integral_value(rounding=ROUND_HALF_EVEN)))
            squared.append(found[-1] * found[-1])
        return found

    def _value(self, product: str, what: str) -> tuple[Decimal, Decimal]:
        """(E[V], E[V^2]) of an unpriced deal of a product."""
        if what == COUNT:
            return ONE, ONE
        won = self.pipeline.won_value
        sums = won.get(product)
        if sums is None or not sums.priced:
            sums = sum(won.values(), Sums())
        if not sums.priced:
            return ZERO, ZERO
        return sums.amount / sums.priced, sums.squares / sums.priced

    def _parts(self, what: str) -> dict[str, dict[str, _Part]]:
        parts: dict[str, dict[str, _Part]] = {}
        # a product's (E[V], E[V^2]) and a stage's week's (p, p(1 - p)) are the same for
        # every cell that asks: made once each (the same Decimals, so the same sums)
        values: dict[str, tuple[Decimal, Decimal]] = {}
        chance_of: dict[tuple[str, int], tuple[Decimal, Decimal]] = {}
        for (rep, product, stage), deals in self.pipeline.open.items():
            chances = self._weekly(stage, len(deals.weeks))
            value = values.get(product)
            if value is None:
                value = values[product] = self._value(product, what)
            mean, square = value
            part = parts.setdefault(rep, {}).setdefault(product, _Part())
            # every deal's sums over its weeks (integers), made once for both measures
            key = (rep, product, stage)
            found = self._open_sums.get(key)
            if found is None:
                weeks = deals.weeks
                found = self._open_sums[key] = (
                    sum(weeks),
                    sum(map(mul, chances, weeks)),
                    sum(map(mul, self._squared[stage], weeks)),
                )
            count, chance_units, squares = found
            part.open_deals += count
            # an unpriced deal: B x V, B ~ Bernoulli(p), V its product's won values; the
            # priced ones' terms taken out exactly (integers) for the value
            priced = deals.priced if what == VALUE else {}
            if priced:
                squared = self._squared[stage]
                for week, sums in priced.items():
                    count -= sums.priced
                    chance_units -= chances[week] * sums.priced
                    squares -= squared[week] * sums.priced
            chance_sum = Decimal(chance_units).scaleb(-CHANCE_PLACES)
            chance_squares = Decimal(squares).scaleb(-2 * CHANCE_PLACES)
            # each field added to in the order it always was, in local names
            expected = part.open_expected + chance_sum * mean
            variance = part.open_variance + (chance_sum * square - chance_squares * mean * mean)
            total = part.open_total + count * mean
            for week, sums in priced.items():  # a priced one: B x its amount
                chance = chance_of.get((stage, week))
                if chance is None:
                    p = Decimal(chances[week]).scaleb(-CHANCE_PLACES)
                    chance = chance_of[stage, week] = (p, p * (1 - p))
                expected += chance[0] * sums.amount
                variance += chance[1] * sums.squares
                total += sums.amount
            part.open_expected, part.open_variance, part.open_total = expected, variance, total
        per_day = self.cycles.won_if_new(self.horizon)
        for (rep, product), count in self.pipeline.created.items():
            mean, square = self._value(product, what)
            rate = Decimal(count) / self.pipeline.lookback
            part = parts.setdefault(rep, {}).setdefault(product, _Part())
            part.new_expected += rate * per_day * mean
            part.new_variance += rate * per_day * square
        return parts

    def estimate(
        self, reps: Iterable[str], attained: Decimal, what: str, product: str | None = None
    ) -> Estimate:
        """The forecast of the deals of some reps (a node), of one product line or all."""
        by_rep = self.parts[what]
        if product is None:
            parts = [part for rep in reps for part in by_rep.get(rep, _NONE).values()]
        else:
            parts = [by_rep[rep][product] for rep in reps if product in by_rep.get(rep, _NONE)]
        # each field summed in local names, part after part in the same order as adding
        # the parts one by one to a _Part (the same Decimal roundings): a node sums every
        # part under it, so this runs ~30,000 times at 1,000 reps
        open_expected = open_variance = new_expected = new_variance = open_total = ZERO
        open_deals = 0
        for part in parts:
            open_expected += part.open_expected
            open_variance += part.open_variance
            new_expected += part.new_expected
            new_variance += part.new_variance
            open_deals += part.open_deals
            open_total += part.open_total
        expected = attained + open_expected + new_expected
        spread = Z_90 * max(open_variance + new_variance, ZERO).sqrt()
        return Estimate(
            expected=expected,
            low=max(expected - spread, attained),
            high=expected + spread,
            attained=attained,
            open_expected=open_expected,
            new_expected=new_expected,
            open_deals=open_deals,
            open_total=open_total,
        )


def days_left(quarter: Quarter, as_of: date) -> int:
    """Days of the quarter after the as-of date."""
    return max((quarter.end - as_of).days, 0)
