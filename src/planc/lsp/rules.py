"""The language server's own code (PLC050-PLC059): importable without pygls."""

from __future__ import annotations

from planc.core.diagnostics import Rule, Severity, rule

CHECK_FAILED = rule(
    "PLC050",
    "check-failed",
    Severity.ERROR,
    """
    A check failed inside planc itself while the editor compiled the plan.

    This is a bug in planc, not in the plan: one check raised an error. The
    language server reports it as this one diagnostic, naming the check, on the
    quarter file, and keeps serving: every other check's diagnostics are still
    shown. Should the compiler itself fail (reading, loading or building the
    model), the same code names it on the file being edited. ``planc check`` on the same folder stops with exit 3 and the same
    error; report it with the plan that triggers it.

    Fails: a check (say PLC303) raises ``ZeroDivisionError`` on some plan; the
    editor shows ``PLC050 check PLC303 months-do-not-add-up failed: ...`` at
    the quarter file's ``quarter:`` key.

    Passes: every check runs to its end (the normal case).
    """,
)

RULES: tuple[Rule, ...] = (CHECK_FAILED,)
