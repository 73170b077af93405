"""Top-down vs bottom-up (PLC310-PLC319): the gap between a target and its owner's commitment."""

from __future__ import annotations

from collections.abc import Iterator

from planc.checks.base import (
    Finding,
    check,
    named_scope,
    named_target,
    percents,
    signed,
    signed_percent,
)
from planc.checks.gaps import Gap, gaps, outside
from planc.core.diagnostics import Message, Severity
from planc.core.model import Plan
from planc.core.source import Loc


def _where(gap: Gap) -> Loc:
    return gap.target.loc / ("value" if gap.rolled_up else "bottom_up")


def _source(gap: Gap) -> Message:
    if not gap.rolled_up:
        return Message("bottom-up")
    level = int(gap.node.level)
    if level == 0:
        return Message("bottom-up (the regions' commitments)")
    if level == 1:
        return Message("bottom-up (the teams' commitments)")
    return Message("bottom-up (the reps' commitments)")


def _how(gap: Gap) -> Message:
    size = abs(gap.amount)
    if gap.cap:
        if gap.amount > 0:
            return Message("the cap is {size} tighter", size=size)
        return Message("the cap is {size} looser", size=size)
    if gap.amount > 0:
        return Message("top-down asks {size} more", size=size)
    return Message("top-down asks {size} less", size=size)


def _describe(plan: Plan, gap: Gap, share_shown: str | None = None) -> Message:
    shown = share_shown or (None if gap.percent is None else signed_percent(gap.percent))
    named = {
        "scope": named_scope(plan, gap.node, gap.target),
        "top": gap.top_down,
        "source": _source(gap),
        "bottom": gap.bottom_up,
        "how": _how(gap),
    }
    if shown is None:
        return Message("{scope}: top-down {top}, {source} {bottom}; {how}", **named)
    return Message(
        "{scope}: top-down {top}, {source} {bottom}; {how} ({share})", **named, share=shown
    )


@check("PLC310", Severity.INFO)
def bottom_up_gap(plan: Plan) -> Iterator[Finding]:
    """A target differs from its owner's bottom-up commitment: the gap, for the review.

    Top-down and bottom-up together: ``value`` is the number handed down,
    ``bottom_up`` what the owner commits to. Where a team or region has no
    commitment of its own, its children's commitments add up to one. Every
    gap is reported (as information) so the review sees where the two meet.

    Fails (reported: top-down asks 50,000 more, +10.0 %)::

        revenue: {value: 550000, bottom_up: 500000}

    Passes (the numbers agree)::

        revenue: {value: 550000, bottom_up: 550000}
    """
    for gap in gaps(plan):
        if gap.amount != 0:
            yield (
                _where(gap),
                _describe(plan, gap),
                Message("agree the number with its owner, or say in note: why top-down differs"),
            )


@check("PLC311", Severity.WARNING)
def bottom_up_gap_out_of_band(plan: Plan) -> Iterator[Finding]:
    """The gap between a target and its bottom-up commitment is outside ``policy.bottom_up_gap``.

    The band says how far the number handed down may differ from what the
    owner commits to, in percent of the commitment: a target far above the
    commitment is not owned; one below it leaves money on the table. For a
    cap, the cut below the commitment is measured.

    Fails (policy bottom_up_gap -5..15; asks +30 %)::

        revenue: {value: 650000, bottom_up: 500000}

    Passes (+10 %)::

        revenue: {value: 550000, bottom_up: 500000}
    """
    band = plan.policy.bottom_up_gap
    if band is None:
        return
    for gap in gaps(plan):
        if not outside(gap, band):
            continue
        share = gap.percent
        low, high, *shown = percents(band.min, band.max, *([] if share is None else [share]))
        yield (
            _where(gap),
            Message(
                "{described}; policy.bottom_up_gap allows {low} to {high}",
                described=_describe(plan, gap, signed(shown[0]) if shown else None),
                low=signed(low),
                high=signed(high),
            ),
            (
                Message(
                    "meet in the middle: move the target or the commitment, or widen "
                    "policy.bottom_up_gap"
                )
                if share is not None
                else Message("a commitment of 0 against a target: collect the owner's real number")
            ),
        )


@check("PLC312", Severity.WARNING)
def seasonality_does_not_match_quarter(plan: Plan) -> Iterator[Finding]:
    """A baseline's months (``last_year_months``) do not have one number per month of the quarter.

    ``planc allocate --months`` phases targets by this seasonality; with the
    wrong number of months it cannot be used and is ignored.

    Fails (a calendar quarter has three months)::

        baseline: {last_year: 600000, last_year_months: [300000, 300000]}

    Passes::

        baseline: {last_year: 600000, last_year_months: [150000, 200000, 250000]}
    """
    expected = len(plan.quarter.months)
    for node in plan.nodes.values():
        for target in node.targets.values():
            months = target.last_year_months
            if months is not None and len(months) != expected:
                yield (
                    target.loc / "baseline" / "last_year_months",
                    Message(
                        "{target}: last_year_months has {count} numbers, the quarter has "
                        "{expected} months",
                        target=named_target(plan, target),
                        count=len(months),
                        expected=expected,
                    ),
                    Message(
                        "give one number per month of last year's quarter, {expected} in all",
                        expected=expected,
                    ),
                )


CHECKS = (bottom_up_gap, bottom_up_gap_out_of_band, seasonality_does_not_match_quarter)
