"""Every diagnostic code planc reports, from every layer: the one registry of rules.

``planc explain``, ``planc rules``, the SARIF rule list and the docs' code table
read it. It imports the modules that declare rules (the loader, the schema, the
checks, change coverage and tracking), so it sits at the top, beside the CLI.

Families by hundreds: PLC0xx YAML, PLC1xx schema, PLC2xx references,
PLC3xx reconciliation, PLC4xx SMART, PLC5xx resources, PLC6xx adjustments,
PLC7xx tracking (planc track, and PLC73x: the plan's actuals mapping), PLC8xx
import (planc import: rosters, quota sheets and edited exports).
A code's meaning never changes; retired codes stay reserved.
"""

from __future__ import annotations

from planc.change import coverage
from planc.checks import CHECKS
from planc.core import loader, pipeline, schema
from planc.core.diagnostics import Rule
from planc.lsp import rules as lsp_rules
from planc.sheets import rules as sheet_rules
from planc.track import rules as track_rules
from planc.track import segments, tracking
from planc.track.engines import rules as source_rules

RULES: dict[str, Rule] = {
    r.code: r
    for r in sorted(
        (
            *loader.RULES,
            *pipeline.RULES,
            *schema.RULES,
            *(c.rule for c in CHECKS),
            *coverage.RULES,
            *tracking.RULES,
            *segments.RULES,
            *source_rules.RULES,
            *track_rules.RULES,
            *sheet_rules.RULES,
            *lsp_rules.RULES,
        ),
        key=lambda r: r.code,
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
    "8": "Import",
}
