"""Import diagnostics (PLC8xx): what a roster, a quota sheet or an edited export did not say.

They point at the sheet the user wrote: ``file:row:col``, the column being
1 for A, and the message names the cell (``C5``). PLC800-PLC819 are about
``planc import`` (a new quarter from a roster and a quota sheet), PLC820-PLC839
about ``planc import --update`` (numbers edited in an exported workbook).
"""

from __future__ import annotations

from planc.core.diagnostics import Severity, rule

COLUMN_MISSING = rule(
    "PLC801",
    "sheet-column-missing",
    Severity.ERROR,
    """A column the import needs is not in the sheet's header row.

    The roster needs a rep and a manager column (default headers
    ``sales_agent`` and ``manager``; ``regional_office`` for the region is
    optional), or else one column with a common header of the role (``姓名``, ``经理``,
    ``区域``, ``name``, ``reports to``, ...: docs/import.md). ``--roster-columns
    role=header,...`` names other headers.

    Fails (the roster's header says ``seller``)::

        seller,manager,regional_office

    Passes (``--roster-columns rep=seller``)::

        seller,manager,regional_office
    """,
)

UNKNOWN_NAME = rule(
    "PLC802",
    "sheet-unknown-name",
    Severity.ERROR,
    """A quota sheet's row names nobody in the roster: no rep, manager, team, region or company.

    Names are compared ignoring case and extra spaces; a person's id or
    e-mail works too. Nothing is imported until every row with numbers is
    placed.

    Fails::

        Anna Snellling,87000

    Passes::

        Anna Snelling,87000
    """,
)

NOT_A_NUMBER = rule(
    "PLC803",
    "sheet-not-a-number",
    Severity.ERROR,
    """A cell that should hold a number holds text (or a month is left empty beside others).

    Numbers may be written ``2910000``, ``2,910,000`` or ``$2,910,000`` in a
    CSV file; anything else is reported, never guessed (``2.910.000`` or
    ``about 3M`` are not numbers). In an edited export, a cell that was a
    number must still be a number cell.

    Fails::

        Anna Snelling,87k

    Passes::

        Anna Snelling,87000
    """,
)

HEADER_NOT_UNDERSTOOD = rule(
    "PLC804",
    "sheet-header-not-understood",
    Severity.ERROR,
    """A quota sheet's column header cannot be read as a metric, a month of it or a product of it.

    A header is a metric (``Revenue``), or a metric and one more part
    (``Revenue / Oct``, ``Revenue / GTX Pro``, ``Revenue / Q4``) from two header
    rows or one header split at ``/``. Months outside the quarter and
    product-by-month grids are not understood.

    Fails (quarter 2017-Q4)::

        name,Revenue / Jan

    Passes::

        name,Revenue / Oct
    """,
)

UNIT_UNKNOWN = rule(
    "PLC805",
    "sheet-metric-unit-unknown",
    Severity.ERROR,
    """The import cannot tell a metric's unit (currency, count, percent or score) from its header.

    Headers with words like revenue, bookings or quota are currency; deals,
    customers or accounts are counts; share, rate or % are percents; score
    or satisfaction are scores. For any other, say it: ``--unit
    metric-id=currency``.

    Fails::

        name,Widgets

    Passes (``--unit widgets=count``)::

        name,Widgets
    """,
)

DUPLICATE_ROW = rule(
    "PLC806",
    "sheet-duplicate-row",
    Severity.ERROR,
    """Two rows of the quota sheet give numbers for the same rep, team or region.

    Fails::

        Anna Snelling,87000
        Anna Snelling,90000

    Passes::

        Anna Snelling,87000
    """,
)

FORMULA_WITHOUT_VALUE = rule(
    "PLC807",
    "sheet-formula-without-value",
    Severity.ERROR,
    """A formula cell has no computed value: no spreadsheet program has calculated it yet.

    planc reads the value a spreadsheet program stored with the formula and
    never evaluates formulas itself. A file written by a script holds the
    formula only: open it in Excel or LibreOffice and save it, or type the
    number.

    Fails::

        Total,=SUM(B2:B36)   (never calculated)

    Passes::

        Total,=SUM(B2:B36)   (saved by a spreadsheet program: 3313000)
    """,
)

DERIVED_TARGET = rule(
    "PLC810",
    "sheet-derived-target",
    Severity.INFO,
    """A target the sheet did not give was summed from the level below, and marked as derived.

    A team, region or company without a number for a metric that adds up
    gets its children's total (divided by 100 % plus the lower end of
    ``policy.over_assignment``, so the children stay inside the band), with
    a ``note`` saying it was derived. Review it like any other number.

    Fails (the sheet has reps' revenue but no team row)::

        Anna Snelling,87000

    Passes::

        Brinkmann team,385000
        Anna Snelling,87000
    """,
)

REP_WITHOUT_QUOTA = rule(
    "PLC811",
    "sheet-rep-without-quota",
    Severity.WARNING,
    """A rep in the roster has no row in the quota sheet, so no targets.

    The rep is imported into their team without targets; give them numbers
    in the YAML, or add the row to the sheet and import again.

    Fails (the roster lists Moses Frase; the sheet does not)::

        Anna Snelling,87000

    Passes::

        Anna Snelling,87000
        Moses Frase,81000
    """,
)

NAMES_ALIKE = rule(
    "PLC812",
    "sheet-names-alike",
    Severity.WARNING,
    """Two people of the roster have names that differ only in case, spaces, punctuation or
    accents (``Ann Lee``, ``Ann-Lee``), so they would make the same id.

    They stay two people: the second one named gets the id with ``-2`` (``ann-lee-2``), as
    any other id made twice, and each name in the quota sheet is its own person's. If they
    are one person written two ways, write the name the same way in every row.

    Fails::

        sales_agent,manager,regional_office
        Ann Lee,Ned Stark,North
        Ann-Lee,Ned Stark,North

    Passes::

        sales_agent,manager,regional_office
        Ann Lee,Ned Stark,North
    """,
)

COLUMNS_AMBIGUOUS = rule(
    "PLC813",
    "sheet-columns-ambiguous",
    Severity.ERROR,
    """Two roster columns have headers the import knows for one role, and the role's default
    header is not there: the import cannot tell which one holds the role.

    Without ``--roster-columns``, a role whose default header (``sales_agent``, ``manager``,
    ``regional_office``) is absent is found by the common headers for it (``姓名``, ``销售``,
    ``name``, ``rep`` for the rep; ``经理``, ``上级``, ``reports to`` for the manager; ...,
    docs/import.md), when exactly one column has one of them.

    Fails (``姓名`` and ``销售`` are both headers for the rep)::

        姓名,销售,经理
        张伟,张伟,李经理

    Passes (``--roster-columns rep=姓名``)::

        姓名,销售,经理
        张伟,张伟,李经理
    """,
)

DIRECTOR_BELOW_A_TEAM = rule(
    "PLC814",
    "sheet-director-in-a-team",
    Severity.ERROR,
    """A region's director has a rep row in the team of a manager who reports to them.

    The director column makes them the region's owner, whom its team managers report to;
    their row seats them in one of those teams, under its manager: each would manage the
    other (the plan fails its check, PLC207). A director who sells names themselves as their
    manager in their row, as a founder does: seated in a team of their own in the region,
    their quota row that seat's number.

    Fails (``--roster-columns director=director``)::

        sales_agent,manager,regional_office,director
        Ann Lee,Ned Stark,North,Nora North
        Nora North,Ned Stark,North,Nora North

    Passes::

        sales_agent,manager,regional_office,director
        Ann Lee,Ned Stark,North,Nora North
        Nora North,Nora North,North,Nora North
    """,
)

OTHER_PLAN = rule(
    "PLC820",
    "sheet-from-another-plan",
    Severity.ERROR,
    """The edited workbook is not an export of this plan and quarter, so nothing is applied.

    ``planc export --format xlsx`` writes a hidden sheet ``planc`` with the
    plan's company id, the quarter and a hash of the plan files; ``planc
    import --update`` refuses a workbook whose hidden sheet is missing, is of
    another format than this planc reads (another version's export), or
    names another company or quarter.

    Fails (a workbook exported from 2027-Q2)::

        planc import --update 2027-Q2.xlsx plans/2027-Q1

    Passes::

        planc import --update 2027-Q1.xlsx plans/2027-Q1
    """,
)

PLAN_CHANGED = rule(
    "PLC821",
    "sheet-plan-changed-since-export",
    Severity.ERROR,
    """The plan files changed after the workbook was exported, so the edits are not applied.

    The numbers in the workbook were read against the plan as it was; a
    change since (a merged pull request, an allocation) could be silently
    undone. Export again and redo the edits there.

    Fails (a target was edited in the YAML after the export)::

        planc export plans/2027-Q1 --format xlsx -o q1.xlsx
        sed -i s/550000/560000/ plans/2027-Q1/regions/north.yaml
        planc import --update q1.xlsx

    Passes::

        planc export plans/2027-Q1 --format xlsx -o q1.xlsx
        planc import --update q1.xlsx
    """,
)

FORMULA_IN_EXPORT = rule(
    "PLC822",
    "sheet-formula-in-export",
    Severity.ERROR,
    """A number cell of the edited workbook holds a formula: planc applies typed numbers only.

    A formula's result depends on other cells and on the program that
    computed it; which number was meant is for a person to say. Type the
    number instead.

    Fails::

        K5: =K4*1.1

    Passes::

        K5: 605000
    """,
)

ROWS_CHANGED = rule(
    "PLC823",
    "sheet-rows-changed",
    Severity.ERROR,
    """A row of the edited workbook was added or deleted, or a cell other than its value changed.

    Only numbers are edited in the workbook; the plan's structure (reps,
    teams, metrics, months) and the other columns (names, stretch, baselines,
    owners) are edited in the YAML, where they are reviewed. Rows are matched
    by node, metric and month, so sorting and filtering the sheet are fine;
    each exported row must be there once.

    Fails (a row for a new rep was typed under the others)::

        2027-Q1,rep,carl,...,revenue,,,400000

    Passes::

        (the exported rows, only their numbers changed)
    """,
)

RULES = (
    COLUMN_MISSING,
    UNKNOWN_NAME,
    NOT_A_NUMBER,
    HEADER_NOT_UNDERSTOOD,
    UNIT_UNKNOWN,
    DUPLICATE_ROW,
    FORMULA_WITHOUT_VALUE,
    DERIVED_TARGET,
    REP_WITHOUT_QUOTA,
    NAMES_ALIKE,
    COLUMNS_AMBIGUOUS,
    DIRECTOR_BELOW_A_TEAM,
    OTHER_PLAN,
    PLAN_CHANGED,
    FORMULA_IN_EXPORT,
    ROWS_CHANGED,
)
