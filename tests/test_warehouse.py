"""planc track against a real PostgreSQL: the public sample in a table, read through actuals.source.

A private cluster is started once for the module (tests/postgres.py: Debian's
initdb and pg_ctl, a free loopback port, password authentication), a database
is created and dropped, and the public CRM sample is loaded with typed columns.
The same plan is then tracked from the CSV file and from the table, and the
figures must be identical; bad sources must each give their diagnostic, exit
2, write nothing and never hang; the password never appears anywhere.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import postgres
from planc.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_pipeline.csv"
PLAN = ROOT / "plans" / "2017-Q3"
AS_OF = "2017-08-15"
PASSWORD = "Pl4nc-s3cret-Xq9"  # must never appear in any output
USER = "planc_reader"
DB = "planc_crm_test"
ENV = "PLANC_TEST_CRM_URL"

pytestmark = pytest.mark.skipif(
    postgres.binaries() is None and not os.environ.get("CI"),
    reason="PostgreSQL is not installed (CI installs it: .ci/run)",
)


@pytest.fixture(scope="module")
def server() -> Iterator[postgres.Cluster]:
    with postgres.cluster() as running:
        admin: Any = running.admin()
        admin.execute(f"CREATE ROLE {USER} LOGIN PASSWORD '{PASSWORD}'")
        admin.execute(f"CREATE DATABASE {DB} OWNER {USER}")
        admin.close()
        _load_sample(running)
        yield running
        admin = running.admin()
        admin.execute(f"DROP DATABASE {DB}")
        admin.close()


def _load_sample(running: postgres.Cluster) -> None:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    connection: Any = running.admin(DB)
    with connection:
        for name, amount in (
            ("opportunities", "NUMERIC(12, 2)"),
            ("float_amounts", "DOUBLE PRECISION"),
        ):
            connection.execute(
                f"""CREATE TABLE {name} (
                    opportunity_id TEXT, sales_agent TEXT, product TEXT, account TEXT,
                    deal_stage TEXT, engage_date DATE, close_date DATE, close_value {amount})"""
            )
            with connection.cursor().copy(f"COPY {name} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([value or None for value in row])
        connection.execute("CREATE TABLE empty_opportunities (LIKE opportunities)")
        # a won deal of the quarter with a seventh decimal: beyond what planc reads (PLC706)
        connection.execute(
            "CREATE TABLE fine_amounts AS SELECT opportunity_id, sales_agent, product, account,"
            " deal_stage, engage_date, close_date, CAST(close_value AS NUMERIC(20, 7))"
            " AS close_value FROM opportunities"
        )
        connection.execute(
            "UPDATE fine_amounts SET close_value = 1054.0000001 WHERE opportunity_id IN"
            " (SELECT opportunity_id FROM opportunities WHERE deal_stage = 'Won'"
            " AND close_date BETWEEN '2017-07-01' AND '2017-08-15'"
            " ORDER BY opportunity_id LIMIT 2)"
        )
        connection.execute('CREATE SCHEMA "crm data"')
        connection.execute('CREATE TABLE "crm data"."Opportunities; 2017" AS TABLE opportunities')
        connection.execute(f'GRANT USAGE ON SCHEMA "crm data" TO {USER}')
        for table in (
            "opportunities",
            "float_amounts",
            "empty_opportunities",
            "fine_amounts",
            '"crm data"."Opportunities; 2017"',
        ):
            connection.execute(f"ALTER TABLE {table} OWNER TO {USER}")


def _plan(tmp: Path, source: str, *, created: bool = True, new_accounts: bool = False) -> Path:
    """The 2017-Q3 plan with ``source`` as its actuals.source (YAML flow text).

    ``new_accounts``: deals_won counts new accounts instead (each account's first won
    deal, from the account groups).
    """
    plan = tmp / "2017-Q3"
    shutil.copytree(PLAN, plan)
    quarter = plan / "quarter.yaml"
    text = quarter.read_text(encoding="utf-8")
    assert text.count("\nactuals:\n") == 1
    text = text.replace("\nactuals:\n", f"\nactuals:\n  source: {source}\n")
    if not created:
        text = re.sub(r"\n    created: [^\n]*", "", text)
    if new_accounts:
        assert text.count("    deals_won: deals\n") == 1
        text = text.replace("    deals_won: deals\n", "    deals_won: new_accounts\n")
    quarter.write_text(text, encoding="utf-8")
    return plan


def _reference(tmp: Path) -> dict[str, Any]:
    """The figures of the same plan tracked from the CSV file (--actuals wins over the source)."""
    plan = _plan(tmp / "file", "{url_env: UNUSED, table: unused}")
    code, out, err = _track(plan, "--actuals", str(SAMPLE), "--format", "json")
    assert code == 0, out + err
    return _figures(json.loads(out))


def _track(plan: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["track", str(plan), "--as-of", AS_OF, *args], env=env or {}, catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def _env(
    server: postgres.Cluster, password: str = PASSWORD, port: int | None = None
) -> dict[str, str]:
    url = server.url(USER, password, DB)
    if port is not None:
        url = url.replace(f":{server.port}/", f":{port}/")
    return {ENV: url}


def _figures(document: dict[str, Any]) -> dict[str, Any]:
    """What must not depend on where the rows came from: every figure, the pipeline forecast too.

    Warnings are compared by code and count: a file's name rows ("first in
    row 8302"), a database's name the source instead.
    """
    return {
        "ledger": document["ledger"],
        "progress": document["progress"],
        "untracked": document["untracked"],
        "diagnostics": sorted(
            (d["code"], re.sub(r", first in row \d+", "", d["message"]).split(": ")[-2:])
            for d in document["diagnostics"]
        ),
    }


# --- the same figures ----------------------------------------------------------------------


def test_table_gives_the_figures_of_the_file(server: postgres.Cluster, tmp_path: Path) -> None:
    from_file = _reference(tmp_path)
    plan = _plan(tmp_path, f"{{url_env: {ENV}, table: opportunities}}")
    code, out, err = _track(plan, "--format", "json", env=_env(server))
    assert code == 0, out + err
    from_table = json.loads(out)
    assert (
        from_table["actuals"]
        == f"postgresql+psycopg://{USER}@127.0.0.1:{server.port}/{DB} (table opportunities)"
    )
    assert _figures(from_table) == from_file
    # an independent sum: won rows of the quarter up to the as-of day, in Decimal from the CSV
    from decimal import Decimal

    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        won = [
            Decimal(r["close_value"])
            for r in csv.DictReader(handle)
            if r["deal_stage"] == "Won" and "2017-07-01" <= r["close_date"] <= AS_OF
        ]
    company = next(
        p for p in from_table["progress"] if p["level"] == "company" and p["metric"] == "revenue"
    )
    assert Decimal(company["attained"]) == sum(won, Decimal(0))


def test_figures_do_not_depend_on_how_the_rows_stream_in(
    server: postgres.Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The grouped rows arrive in batches (a server-side cursor): batches of 7 rows split
    every set across many batches, the ACCOUNTS groups (kept as codes) included.

    Deals closed from July 2017 on only, so that accounts first win in the quarter:
    deals_won counts new accounts, each credited to its first won deal's owner.
    """
    from planc.track.engines import sql

    since = "2017-07-01"
    export = tmp_path / "since-june.csv"
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    closed, owner = rows[0].index("close_date"), rows[0].index("sales_agent")
    kept = [r for r in rows[1:] if not r[closed] or r[closed] >= since]
    # a tie on an account's first won day: the file credits the earlier row, a database
    # (no row order) the owner that sorts first -- rows in that order make them agree
    kept.sort(key=lambda r: (r[closed], r[owner]))
    kept.insert(0, rows[0])
    with export.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(kept)
    plan = _plan(tmp_path / "file", "{url_env: UNUSED, table: unused}", new_accounts=True)
    code, out, err = _track(plan, "--actuals", str(export), "--format", "json")
    assert code == 0, out + err
    reference = _figures(json.loads(out))
    new = [p for p in reference["progress"] if p["metric"] == "deals_won" and p["level"] == "rep"]
    assert sum(int(p["attained"] or 0) for p in new) > 10  # accounts new in the quarter

    monkeypatch.setattr(sql, "STREAM_ROWS", 7)
    batches: list[int] = []
    add = sql._Collected.add

    def counted(self: Any, rows: Any) -> None:
        batches.append(len(rows))
        add(self, rows)

    monkeypatch.setattr(sql._Collected, "add", counted)
    query = f"SELECT * FROM opportunities WHERE close_date IS NULL OR close_date >= DATE '{since}'"
    plan = _plan(tmp_path / "b", f'{{url_env: {ENV}, query: "{query}"}}', new_accounts=True)
    code, out, err = _track(plan, "--format", "json", env=_env(server))
    assert code == 0, out + err
    assert len(batches) > 100 and max(batches) == 7
    assert _figures(json.loads(out)) == reference


def test_a_query_and_a_quoted_table_give_the_same_figures(
    server: postgres.Cluster, tmp_path: Path
) -> None:
    reference = _reference(tmp_path)
    query = (
        "SELECT opportunity_id, sales_agent, product, account, deal_stage, engage_date,"
        " close_date, close_value FROM opportunities"
    )
    plan = _plan(tmp_path / "q", f'{{url_env: {ENV}, query: "{query}"}}')
    code, out, err = _track(plan, "--format", "json", env=_env(server))
    assert code == 0, out + err
    assert _figures(json.loads(out)) == reference
    # a schema and a table name with a space, a semicolon and capitals: quoted, not pasted
    plan = _plan(tmp_path / "t", f"{{url_env: {ENV}, table: 'crm data.Opportunities; 2017'}}")
    code, out, err = _track(plan, "--format", "json", env=_env(server))
    assert code == 0, out + err
    assert _figures(json.loads(out)) == reference


def test_the_pipeline_forecast_comes_from_the_table(
    server: postgres.Cluster, tmp_path: Path
) -> None:
    """Open deals by age, sales cycles and creations aggregated in PostgreSQL: the file's forecast."""
    plan = _plan(tmp_path, f"{{url_env: {ENV}, table: opportunities}}")
    code, out, err = _track(plan, "--format", "json", env=_env(server))
    assert code == 0, out + err
    document = json.loads(out)
    assert any(p.get("pipeline_forecast") for p in document["progress"])
    warning = next(d for d in document["diagnostics"] if d["code"] == "PLC765")
    assert warning["message"].startswith("postgresql+psycopg://")
    assert "500 open deals without engage_date" in warning["message"]
    assert _figures(document) == _reference(tmp_path)


def test_amounts_beyond_the_bound_are_refused_with_their_keys(
    server: postgres.Cluster, tmp_path: Path
) -> None:
    """The file path's bound (below 10^15, at most 6 decimals) holds for database values too."""
    plan = _plan(tmp_path, f"{{url_env: {ENV}, table: fine_amounts}}")
    code, out, err = _track(plan, env=_env(server))
    assert code == 1, out + err
    found = re.search(r"quarter\.yaml:(\d+):\d+: PLC706 \[error\] (.*)", out + err)
    assert found, out + err
    line = (plan / "quarter.yaml").read_text(encoding="utf-8").splitlines()[int(found[1]) - 1]
    assert "close_value" in line
    assert "in 2 won rows" in found[2]
    assert "opportunity_id `" in found[2] and "1054.0000001" in found[2]  # the offending keys
    assert PASSWORD not in out + err


@pytest.mark.parametrize(
    ("cast", "top"),
    [("NUMERIC(21, 6)", "999999999999999.999999"), ("BIGINT", "999999999999999")],
)
def test_amounts_just_below_the_bound_give_the_files_figures(
    server: postgres.Cluster, tmp_path: Path, cast: str, top: str
) -> None:
    """Squared amounts near 10^15 pass 38 digits and 64 bits: PostgreSQL squares them in NUMERIC."""
    query = (
        "SELECT opportunity_id, sales_agent, product, account, deal_stage, engage_date,"
        f" close_date, CAST({top} - close_value AS {cast}) AS close_value FROM opportunities"
    )
    plan = _plan(tmp_path / "sql", f'{{url_env: {ENV}, query: "{query}"}}')
    code, out, err = _track(plan, "--format", "json", env=_env(server))
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["close_value"]:
            row["close_value"] = str(Decimal(top) - Decimal(row["close_value"]))
    export = tmp_path / "big.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    file_plan = _plan(tmp_path / "file", "{url_env: UNUSED, table: unused}")
    ref_code, ref_out, ref_err = _track(file_plan, "--actuals", str(export), "--format", "json")
    assert ref_code == 0, ref_out + ref_err
    reference = json.loads(ref_out)
    assert code == 0, out + err
    document = json.loads(out)
    assert _figures(document) == _figures(reference)
    assert document["products"] == reference["products"]  # the pipeline forecast, exact
    assert any(p.get("pipeline_forecast") for p in document["products"])


# --- safety ------------------------------------------------------------------------------------


def test_the_query_runs_read_only(server: postgres.Cluster, tmp_path: Path) -> None:
    attempts = (
        "DELETE FROM opportunities RETURNING *",
        "WITH gone AS (DELETE FROM opportunities RETURNING *) SELECT * FROM gone",
        "SELECT * FROM opportunities; DROP TABLE opportunities",
    )
    for number, query in enumerate(attempts):
        plan = _plan(tmp_path / str(number), f'{{url_env: {ENV}, query: "{query}"}}')
        code, out, _ = _track(plan, "--format", "json", env=_env(server))
        assert code == 2, out
        assert {d["code"] for d in json.loads(out)["diagnostics"]} == {"PLC797"}, out
    connection: Any = server.admin(DB)
    with connection:
        assert connection.execute("SELECT count(*) FROM opportunities").fetchone()[0] == 8800


def test_the_password_appears_nowhere(server: postgres.Cluster, tmp_path: Path) -> None:
    plan = _plan(tmp_path, f"{{url_env: {ENV}, table: opportunities}}")
    outputs = []
    for fmt in ("text", "json", "markdown", "csv"):
        code, out, err = _track(plan, "--format", fmt, env=_env(server))
        assert code == 0, out + err
        outputs += [out, err]
    written = tmp_path / "review.md"
    assert _track(plan, "--format", "markdown", "-o", str(written), env=_env(server))[0] == 0
    outputs.append(written.read_text(encoding="utf-8"))
    # failures that quote the server's message or the URL
    code, out, err = _track(plan, env=_env(server, password=PASSWORD + "-wrong"))
    assert code == 2 and "PLC792" in out
    outputs += [out, err]
    bad = _plan(tmp_path / "bad", f'{{url_env: {ENV}, query: "SELECT * FROM nowhere"}}')
    code, out, err = _track(bad, "--format", "json", env=_env(server))
    assert code == 2 and "PLC797" in out
    outputs += [out, err]
    for text in outputs:
        assert PASSWORD not in text
    assert any(f"{USER}@127.0.0.1" in text for text in outputs)


# --- bad sources: a diagnostic naming the source, exit 2, nothing written, no hang ------------


@pytest.mark.parametrize(
    ("source", "code", "where"),
    [
        pytest.param(
            "{url_env: PLANC_TEST_UNSET, table: opportunities}", "PLC790", "url_env", id="unset"
        ),
        pytest.param("{url_env: %s, table: opportunities}", "PLC792", "url_env", id="refused"),
        pytest.param("{url_env: %s, table: opportunities}", "PLC792", "url_env", id="password"),
        pytest.param("{url_env: %s, table: opportunitie}", "PLC793", "table", id="no-table"),
        pytest.param(
            "{url_env: %s, query: 'SELECT sales_agent, close_date, close_value FROM opportunities'}",
            "PLC793",
            "product",
            id="no-column",
        ),
        pytest.param("{url_env: %s, table: float_amounts}", "PLC794", "amount", id="float"),
        pytest.param(
            "{url_env: %s, query: 'SELECT opportunity_id, sales_agent, product, account, deal_stage, engage_date, close_value, CAST(close_date AS TEXT) AS close_date FROM opportunities'}",
            "PLC794",
            "date",
            id="text-date",
        ),
        pytest.param("{url_env: %s, table: empty_opportunities}", "PLC795", "table", id="empty"),
        pytest.param(
            "{url_env: %s, timeout: 1, query: 'SELECT o.* FROM opportunities o, pg_sleep(5)'}",
            "PLC796",
            "timeout",
            id="timeout",
        ),
        pytest.param(
            "{url_env: %s, query: 'SELEC * FROM opportunities'}", "PLC797", "query", id="syntax"
        ),
    ],
)
def test_bad_source(
    server: postgres.Cluster,
    tmp_path: Path,
    source: str,
    code: str,
    where: str,
    request: pytest.FixtureRequest,
) -> None:
    case = request.node.callspec.id
    env = _env(server, port=postgres.free_port()) if case == "refused" else _env(server)
    if case == "password":
        env = _env(server, password="not-the-password")
    plan = _plan(tmp_path, source.replace("%s", ENV))
    output = tmp_path / "out.json"
    started = time.monotonic()
    status, out, err = _track(plan, "--format", "json", "-o", str(output), env=env)
    assert time.monotonic() - started < 30
    assert status == 2, out + err
    assert not output.exists()  # nothing written
    shown = out + err
    found = re.search(rf"quarter\.yaml:(\d+):\d+: {code} \[error\] (.*)", shown)
    assert found, shown
    line = (plan / "quarter.yaml").read_text(encoding="utf-8").splitlines()[int(found[1]) - 1]
    assert where in line, (line, shown)
    if code != "PLC790":  # the source is named, without its password
        assert f"{USER}@127.0.0.1" in found[2], shown
    assert PASSWORD not in shown
