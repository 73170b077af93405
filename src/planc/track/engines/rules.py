"""Diagnostics of a database source (PLC790-PLC799), importable without SQLAlchemy.

Each points at the plan's ``actuals.source`` (or the mapped column), names the
source as ``dialect://user@host/database`` -- never its password -- and says
what to fix. Any of them ends the run with exit status 2 and nothing written.
"""

from __future__ import annotations

from planc.core.diagnostics import Rule, Severity, rule

SOURCE_URL = rule(
    "PLC790",
    "actuals-source-url",
    Severity.ERROR,
    """The SQL source has no usable URL.

    ``actuals.source.url_env`` names an environment variable that is not set
    or empty, the URL is not a SQLAlchemy URL, or ``url`` in the plan carries
    a password (a plan lives in git: put the URL in an environment variable).

    Fails (``PLANC_CRM_URL`` is not set)::

        actuals:
          source: {url_env: PLANC_CRM_URL, table: opportunities}

    Passes::

        export PLANC_CRM_URL='postgresql+psycopg://planc:secret@db.example.com/crm'
    """,
)
SOURCE_DRIVER = rule(
    "PLC791",
    "actuals-source-driver",
    Severity.ERROR,
    """The URL's SQLAlchemy dialect or database driver is not installed.

    The message names the pip package: psycopg[binary] for postgresql+psycopg,
    snowflake-sqlalchemy, sqlalchemy-bigquery, trino[sqlalchemy],
    databricks-sqlalchemy or pyhive[hive] for Spark SQL.

    Fails (``PLANC_CRM_URL=snowflake://planc@acme/crm`` without the dialect).

    Passes (after ``pip install snowflake-sqlalchemy``).
    """,
)
SOURCE_CONNECT = rule(
    "PLC792",
    "actuals-source-connect",
    Severity.ERROR,
    """planc cannot connect to the SQL source: refused, unreachable, timed out or not allowed.

    Connecting gives up after ``actuals.source.timeout`` seconds.

    Fails (nothing listens on the port)::

        PLANC_CRM_URL=postgresql+psycopg://planc@127.0.0.1:1/crm

    Passes (the server's host and port, a user that may connect).
    """,
)
SOURCE_MISSING = rule(
    "PLC793",
    "actuals-source-missing",
    Severity.ERROR,
    """The table, or a column the mapping names, is not in the SQL source.

    Fails (``columns: {date: close_dat, ...}`` on a table with close_date).

    Passes::

        actuals:
          columns: {owner: sales_agent, date: close_date, amount: close_value}
    """,
)
SOURCE_TYPE = rule(
    "PLC794",
    "actuals-source-type",
    Severity.ERROR,
    """A mapped column of the SQL source has a type planc cannot count exactly.

    The date column must be a DATE or TIMESTAMP; the amount an exact number
    (NUMERIC, DECIMAL or an integer). A floating-point amount (REAL, DOUBLE,
    FLOAT) cannot be summed exactly; text cannot be summed at all. Cast it in a
    query.

    Fails (close_value DOUBLE PRECISION)::

        actuals:
          source: {url_env: PLANC_CRM_URL, table: opportunities}

    Passes::

        actuals:
          source:
            url_env: PLANC_CRM_URL
            query: SELECT sales_agent, close_date, CAST(close_value AS NUMERIC(14, 2)) AS close_value FROM opportunities
    """,
)
SOURCE_EMPTY = rule(
    "PLC795",
    "actuals-source-empty",
    Severity.ERROR,
    """The SQL source returned no rows.

    Fails (an empty table, or a query whose WHERE excludes everything).

    Passes (a table or query with the opportunities).
    """,
)
SOURCE_TIMEOUT = rule(
    "PLC796",
    "actuals-source-timeout",
    Severity.ERROR,
    """The aggregation ran longer than ``actuals.source.timeout`` seconds and was cancelled.

    Fails (``timeout: 5`` on a query that takes a minute).

    Passes (a larger timeout, an index on the date column, or a narrower query).
    """,
)
SOURCE_FAILED = rule(
    "PLC797",
    "actuals-source-failed",
    Severity.ERROR,
    """The database refused planc's query for another reason (shown as the database says it).

    For example a syntax error in ``actuals.source.query``, missing
    privileges, or a statement that is not a SELECT (the query runs read-only).

    Fails::

        actuals:
          source: {url_env: PLANC_CRM_URL, query: "SELEC * FROM opportunities"}

    Passes::

        actuals:
          source: {url_env: PLANC_CRM_URL, query: "SELECT * FROM opportunities"}
    """,
)

# PLC798 (actuals-source-no-pipeline) is retired and stays reserved: a SQL source with a
# created column now gets the pipeline forecast, aggregated in the database.

RULES: tuple[Rule, ...] = (
    SOURCE_URL,
    SOURCE_DRIVER,
    SOURCE_CONNECT,
    SOURCE_MISSING,
    SOURCE_TYPE,
    SOURCE_EMPTY,
    SOURCE_TIMEOUT,
    SOURCE_FAILED,
)
SOURCE_CODES = frozenset(r.code for r in RULES if r.severity is Severity.ERROR)
