"""The rules of issue #14's range (PLC760-PLC789): rows that would mislead, the pipeline.

Declared here, reported by :mod:`planc.track.actuals` (rows, with their row
numbers) and :mod:`planc.track.forecast` (coverage, at the target's value).
"""

from __future__ import annotations

from planc.core.diagnostics import Rule, Severity, rule

DUPLICATE_KEY = rule(
    "PLC760",
    "duplicate-key",
    Severity.ERROR,
    """Two rows of the export have the same key (``actuals.columns.key``), and the mapping says that is an error.

    A re-export appended to the last one, or a line copied twice, would count
    a deal twice. With ``duplicates: error`` (the default) nothing is tracked
    until the export is fixed; ``duplicates: last`` lets the last row of each
    key win instead (PLC761).

    Fails::

        opportunity_id,sales_agent,deal_stage,close_date,close_value
        1C1I7A6R,Moses Frase,Won,2017-07-01,1054
        1C1I7A6R,Moses Frase,Won,2017-07-01,1054

    Passes::

        opportunity_id,sales_agent,deal_stage,close_date,close_value
        1C1I7A6R,Moses Frase,Won,2017-07-01,1054
        Z063OYW0,Moses Frase,Won,2017-07-02,4514
    """,
)
SUPERSEDED_ROWS = rule(
    "PLC761",
    "superseded-rows",
    Severity.WARNING,
    """Rows share a key with a later row; with ``duplicates: last`` only the last one counts.

    The earlier rows are left out of every figure and counted in the ledger
    as "superseded"; the message names the keys and their rows.

    Fails (``duplicates: last``)::

        opportunity_id,sales_agent,deal_stage,close_date,close_value
        1C1I7A6R,Moses Frase,Engaging,,
        1C1I7A6R,Moses Frase,Won,2017-07-01,1054

    Passes::

        opportunity_id,sales_agent,deal_stage,close_date,close_value
        1C1I7A6R,Moses Frase,Won,2017-07-01,1054
    """,
)
NEGATIVE_AMOUNT = rule(
    "PLC762",
    "negative-amount",
    Severity.ERROR,
    """A deal's amount is negative.

    A won deal below zero is a credit note or a reversal; summed with the
    deals it would lower revenue without anyone seeing why. Fix the export,
    or track credits as a source of their own.

    Fails::

        sales_agent,deal_stage,close_date,close_value
        Moses Frase,Won,2017-07-01,-1054

    Passes::

        sales_agent,deal_stage,close_date,close_value
        Moses Frase,Won,2017-07-01,1054
    """,
)
EXPONENT_AMOUNT = rule(
    "PLC763",
    "exponent-amount",
    Severity.ERROR,
    """A deal's amount is written in exponent notation (``1e3``, ``1.05E+06``).

    Exports write amounts in full; exponent notation means a spreadsheet
    reformatted the column, and may have dropped digits on the way
    (``1.05E+06`` could have been 1,054,370). Export the column as numbers
    with all their digits.

    Fails::

        sales_agent,deal_stage,close_date,close_value
        Moses Frase,Won,2017-07-01,1.05E+06

    Passes::

        sales_agent,deal_stage,close_date,close_value
        Moses Frase,Won,2017-07-01,1054370
    """,
)
CLOSED_WITHOUT_DATE = rule(
    "PLC764",
    "closed-without-date",
    Severity.WARNING,
    """A lost deal has no date, so it falls in no period.

    It counts in no win rate, and the ledger shows it as "lost, no date"
    rather than quietly among the lost. (A won deal without a date is an
    error, PLC707.)

    Fails::

        sales_agent,deal_stage,close_date,close_value
        Moses Frase,Lost,,0

    Passes::

        sales_agent,deal_stage,close_date,close_value
        Moses Frase,Lost,2017-07-03,0
    """,
)
OPEN_WITHOUT_CREATED = rule(
    "PLC765",
    "open-without-created-date",
    Severity.WARNING,
    """Open deals have no created date (``actuals.columns.created``), so the pipeline forecast cannot age them.

    Without the date a deal was created, planc cannot tell whether it was
    open at the as-of date or how old it is: it is left out of the pipeline
    forecast, and the message counts such deals.

    Fails::

        sales_agent,deal_stage,engage_date,close_date,close_value
        Moses Frase,Engaging,,,

    Passes::

        sales_agent,deal_stage,engage_date,close_date,close_value
        Moses Frase,Engaging,2017-06-20,,
    """,
)

LOW_COVERAGE = rule(
    "PLC766",
    "pipeline-coverage",
    Severity.WARNING,
    """The open pipeline, weighted by each deal's chance of closing won this quarter, covers too little of what is still to go.

    Still to go is the target minus what is attained. The weighted pipeline
    is what the open deals are expected to bring by the quarter's end (the
    pipeline forecast's ``open_weighted``); the message gives it, the
    unweighted pipeline (every open deal at its value) and both as a percent
    of what is to go. Warned below ``policy.warnings.pipeline_coverage``
    percent, from the end of month ``after_months`` on; no threshold, no
    warning.

    Fails (``pipeline_coverage: 60``; 300,000 to go, open deals expected to
    bring 120,000: 40 %)::

        revenue: {value: 550000}

    Passes (open deals expected to bring 200,000: 66.7 %)::

        revenue: {value: 550000}
    """,
)

RULES: tuple[Rule, ...] = (
    DUPLICATE_KEY,
    SUPERSEDED_ROWS,
    NEGATIVE_AMOUNT,
    EXPONENT_AMOUNT,
    CLOSED_WITHOUT_DATE,
    OPEN_WITHOUT_CREATED,
    LOW_COVERAGE,
)
