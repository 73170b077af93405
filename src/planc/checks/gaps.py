"""Top-down against bottom-up: the gap between a target and its owner's own commitment.

A target's ``value`` is the top-down number; ``bottom_up`` is what the rep
(or the team's or region's manager) commits to. Where a node has no
commitment of its own but every child has one, the children's commitments
add up to the node's (summed metrics only), so a team or a region shows the
gap between its number and what its people say they will bring in.

Pure functions over the model, shared by ``planc check`` (PLC310, PLC311) and
by whatever renders or diffs a plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from planc.checks.base import per_plan
from planc.core.model import Band, Node, Plan, Target

_ZERO = Decimal(0)  # a sum's start, made once (Decimal(0) per call costs ~200 ns)


@dataclass(frozen=True, slots=True)
class Gap:
    """One node's top-down target against its bottom-up number."""

    node: Node
    target: Target
    bottom_up: Decimal
    rolled_up: bool  # True: the children's commitments added up, not the node's own
    cap: bool  # a lower-is-better metric: asking more means a tighter cap

    @property
    def top_down(self) -> Decimal:
        return self.target.value

    @property
    def amount(self) -> Decimal:
        """How much more top-down asks than committed (for a cap: how much tighter it is)."""
        difference = self.top_down - self.bottom_up
        return -difference if self.cap else difference

    @property
    def percent(self) -> Decimal | None:
        """``amount`` in percent of the commitment; None when the commitment is 0."""
        if self.bottom_up == 0:
            return None
        return self.amount * 100 / self.bottom_up


def outside(gap: Gap, band: Band | None) -> bool:
    """Whether a gap is outside ``policy.bottom_up_gap`` (never, without a band).

    A commitment of 0 against a target other than 0 has no percentage and is
    outside any band; 0 against 0 is no gap at all.
    """
    if band is None:
        return False
    share = gap.percent
    if share is None:
        return gap.top_down != 0
    return not band.min <= share <= band.max


@per_plan
def bottom_up_numbers(plan: Plan) -> Mapping[tuple[str, str], tuple[Decimal, bool]]:
    """(node, metric) → (bottom-up number, rolled up from the children?); computed once per
    plan (PLC310, PLC311 and the partition's region shell read it)."""
    found: dict[tuple[str, str], tuple[Decimal, bool]] = {}
    order = list(plan.walk())
    for node in reversed(order):  # children before parents
        for metric_id, target in node.targets.items():
            if target.bottom_up is not None:
                found[(node.id, metric_id)] = (target.bottom_up, False)
                continue
            metric = plan.metrics.get(metric_id)
            if metric is None or not metric.summed or not node.children:
                continue
            parts = [found.get((child, metric_id)) for child in node.children]
            if all(p is not None for p in parts):
                total = sum((p[0] for p in parts if p is not None), _ZERO)
                found[(node.id, metric_id)] = (total, True)
    return MappingProxyType(found)


def gaps(plan: Plan) -> list[Gap]:
    """Every target that has a bottom-up number, top-down first (company, regions, teams, reps)."""
    numbers = bottom_up_numbers(plan)
    out = []
    for node in plan.walk():
        for metric_id, target in node.targets.items():
            known = numbers.get((node.id, metric_id))
            if known is None:
                continue
            metric = plan.metrics.get(metric_id)
            cap = metric is not None and metric.is_cap
            out.append(Gap(node, target, known[0], known[1], cap))
    return out
