"""The registry of every check, and of every rule planc reports (loader and schema too).

Families by hundreds: PLC0xx YAML, PLC1xx schema, PLC2xx references,
PLC3xx reconciliation, PLC4xx SMART, PLC5xx resources, PLC6xx adjustments,
PLC7xx tracking (planc track, and PLC73x: the plan's actuals mapping).
A code's meaning never changes; retired codes stay reserved.
"""

from __future__ import annotations

from collections.abc import Iterator

from planc.change import coverage
from planc.checks import adjustments, bottomup, mapping, refs, resources, smart, totals
from planc.checks.base import Check
from planc.core import loader, schema
from planc.core.diagnostics import Diagnostic, Rule
from planc.core.model import Plan
from planc.track import tracking

CHECKS: tuple[Check, ...] = (
    *refs.CHECKS,
    *totals.CHECKS,
    *bottomup.CHECKS,
    *smart.CHECKS,
    *resources.CHECKS,
    *adjustments.CHECKS,
    *mapping.CHECKS,
)

RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        *loader.RULES,
        *schema.RULES,
        *(c.rule for c in CHECKS),
        *coverage.RULES,
        *tracking.RULES,
    )
}

FAMILIES = {
    "0": "YAML",
    "1": "Schema",
    "2": "References",
    "3": "Reconciliation",
    "4": "SMART",
    "5": "Resources",
    "6": "Adjustments",
    "7": "Tracking",
}


def run_checks(plan: Plan) -> Iterator[Diagnostic]:
    """Every check over the plan, in registry order."""
    for check in CHECKS:
        yield from check.run(plan)
