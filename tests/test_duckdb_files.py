"""Exports read through DuckDB give exactly what the pandas reader gives, or DuckDB steps aside.

Both readers run on the same files in each test: the public sample as CSV and
as typed Parquet, and small exports with amounts of every scale; a file with
something to report must come back from DuckDB as None so that pandas reports
it with its row numbers.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from planc.checks import check_directory
from planc.cli import cli
from planc.core.model import Plan
from planc.track import actuals
from planc.track.engines import duckdb_files, fold

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_pipeline.csv"
PLAN = ROOT / "plans" / "2017-Q3"
AS_OF = date(2017, 8, 15)


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2017-Q3 plan without a created column: the pipeline forecast is pandas' alone."""
    copy = tmp_path_factory.mktemp("plan") / "2017-Q3"
    shutil.copytree(PLAN, copy)
    quarter = copy / "quarter.yaml"
    text = quarter.read_text(encoding="utf-8")
    quarter.write_text(re.sub(r"\n    created: [^\n]*", "", text), encoding="utf-8")
    return copy


@pytest.fixture(scope="module")
def plan(plan_dir: Path) -> Plan:
    checked = check_directory(plan_dir)
    assert checked.plan is not None and not checked.has_errors
    assert checked.plan.actuals is not None and "created" not in checked.plan.actuals.columns
    return checked.plan


def _track_json(
    plan_dir: Path, path: Path, engine: str, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    monkeypatch.setenv(duckdb_files.ENGINE_VARIABLE, engine)
    args = ["track", str(plan_dir), "--actuals", str(path), "--as-of", str(AS_OF)]
    result = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    document.pop("actuals")
    return dict(document)


def _through_duckdb(path: Path, plan: Plan) -> actuals.LoadedActuals | None:
    return duckdb_files.load(path, plan, AS_OF, shown=path.name, baselines=True)


def _recorded_statements(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[Any]]]:
    """Every statement DuckDB is sent from now on, as (SQL, parameters), in order."""
    compiled = duckdb_files._compiled
    seen: list[tuple[str, list[Any]]] = []

    def recorded(statement: Any) -> tuple[str, list[Any]]:
        found = compiled(statement)
        seen.append(found)
        return found

    monkeypatch.setattr(duckdb_files, "_compiled", recorded)
    return seen


def test_the_public_sample_gives_the_same_report(
    plan_dir: Path, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _through_duckdb(SAMPLE, plan) is not None  # DuckDB really reads it
    assert _track_json(plan_dir, SAMPLE, "duckdb", monkeypatch) == _track_json(
        plan_dir, SAMPLE, "pandas", monkeypatch
    )


def test_typed_parquet_gives_the_same_report(
    plan_dir: Path, plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    text = ["opportunity_id", "sales_agent", "product", "account", "deal_stage"]
    columns: dict[str, Any] = {name: [r[name] for r in rows] for name in text}
    for name in ("engage_date", "close_date"):
        columns[name] = pa.array(
            [date.fromisoformat(r[name]) if r[name] else None for r in rows], pa.date32()
        )
    columns["close_value"] = pa.array(
        [Decimal(r["close_value"]) if r["close_value"] else None for r in rows],
        pa.decimal128(12, 2),
    )
    parquet = tmp_path / "opportunities.parquet"
    pq.write_table(pa.table(columns), parquet)
    loaded = _through_duckdb(parquet, plan)
    assert loaded is not None and loaded.actuals is not None
    by_duckdb = _track_json(plan_dir, parquet, "duckdb", monkeypatch)
    assert by_duckdb == _track_json(plan_dir, parquet, "pandas", monkeypatch)
    # DECIMAL(12, 2) shows cents ("1054.00"); the figures are the CSV's
    from_csv = _track_json(plan_dir, SAMPLE, "pandas", monkeypatch)
    assert [Decimal(p["attained"] or 0) for p in by_duckdb["progress"]] == [
        Decimal(p["attained"] or 0) for p in from_csv["progress"]
    ]
    assert by_duckdb["ledger"] == from_csv["ledger"]


def _export(tmp_path: Path, amounts: list[str], owner: str = "Moses Frase") -> Path:
    path = tmp_path / "export.csv"
    lines = [
        "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value"
    ]
    for number, amount in enumerate(amounts):
        lines.append(
            f"K{number},{owner},GTX Basic,Cancity,Won,2017-07-01,2017-07-{number % 28 + 1:02d},{amount}"
        )
    lines.append("K-last,Darcel Schlecht,MG Special,Isdom,Lost,2017-07-01,2017-07-02,0")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_amounts_of_every_scale_sum_exactly(
    plan_dir: Path, plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    amounts = ["0.1", "0.2", "1054", "10.5", "3.125", "99999999999999.999999", "7.", ".5"]
    path = _export(tmp_path, amounts)
    loaded = _through_duckdb(path, plan)
    assert loaded is not None and loaded.actuals is not None
    by_pandas = actuals.load_actuals(path, plan, AS_OF, baselines=True)
    assert by_pandas.actuals is not None
    assert loaded.actuals.months == by_pandas.actuals.months
    assert loaded.actuals.ledger == by_pandas.actuals.ledger
    total = sum((m.amount for m in loaded.actuals.months.values()), Decimal(0))
    assert total == sum((Decimal(x) for x in amounts), Decimal(0))
    assert _track_json(plan_dir, path, "duckdb", monkeypatch) == _track_json(
        plan_dir, path, "pandas", monkeypatch
    )


@pytest.mark.parametrize(
    ("amounts", "owner", "code"),
    [
        pytest.param(["100", '"12,5"'], "Moses Frase", "PLC706", id="not-a-number"),
        pytest.param(["100", "1e3"], "Moses Frase", "PLC763", id="exponent"),
        pytest.param(["100", "-5"], "Moses Frase", "PLC762", id="negative"),
        pytest.param(["100", "0.1234567891"], "Moses Frase", "PLC706", id="ten-places"),
        pytest.param(["100", "1000000000000000"], "Moses Frase", "PLC706", id="too-large"),
        pytest.param(["100", "0.1000000"], "Moses Frase", None, id="trailing-zeros"),
    ],
)
def test_duckdb_steps_aside_for_what_pandas_reports_with_rows(
    plan_dir: Path, plan: Plan, tmp_path: Path, amounts: list[str], owner: str, code: str | None
) -> None:
    path = _export(tmp_path, amounts, owner)
    assert _through_duckdb(path, plan) is None
    shutil.copy(path, tmp_path / "again.csv")
    loaded = actuals.load_actuals(tmp_path / "again.csv", plan, AS_OF, baselines=True)
    if code is None:  # exact all the same, by pandas
        assert loaded.actuals is not None
        total = sum((m.amount for m in loaded.actuals.months.values()), Decimal(0))
        assert total == sum((Decimal(x) for x in amounts), Decimal(0))
        return
    found = [d for d in loaded.diagnostics if d.code == code]
    assert found, loaded.diagnostics
    assert found[0].span is not None and found[0].span.line >= 2  # a row number


@pytest.mark.parametrize(
    ("kind", "amount", "read"),
    [
        ("DECIMAL(18, 2)", "1000000000000000.00", False),  # at planc's bound: pandas reports it
        ("DECIMAL(18, 2)", "999999999999999.99", True),
        ("DECIMAL(17, 2)", "999999999999999.99", True),  # below the bound by its type
        ("BIGINT", "1000000000000000", False),
    ],
)
def test_a_parquet_amount_at_the_bound_sends_the_file_to_pandas(
    plan: Plan, tmp_path: Path, kind: str, amount: str, read: bool
) -> None:
    """An amount column whose type keeps it below planc's bound (DECIMAL(p, s) with p - s
    integer digits at most) is not tested row by row; any other is, and a value at the bound
    sends the file to pandas, which reports it with its row."""
    import duckdb

    text = _export(tmp_path, ["100", amount])
    parquet = tmp_path / "bound.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"COPY (SELECT * REPLACE (CAST(close_value AS {kind}) AS close_value) "
            f"FROM read_csv('{text}', all_varchar=true)) TO '{parquet}' (FORMAT parquet)"
        )
    loaded = _through_duckdb(parquet, plan)
    assert (loaded is not None) is read
    if loaded is not None and loaded.actuals is not None:
        total = sum((m.amount for m in loaded.actuals.months.values()), Decimal(0))
        assert total == Decimal(100) + Decimal(amount)


def _warned_export(tmp_path: Path) -> Path:
    """The sample with a row of every warning, some far down the file (found by reading on)."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    extra = [
        "W1,Moses Fraze,GTX Basic,Cancity,Won,2017-07-01,2017-07-05,100",  # unmapped owner
        "W2,Moses Frase,GTX Basic,Cancity,Negotiating,2017-07-01,2017-07-05,100",  # stage
        "W3,Moses Frase,GTX Nano,Cancity,Won,2017-07-01,2017-07-06,100",  # product
        "W4,Moses Frase,GTX Basic,,Won,2017-07-01,2017-07-07,100",  # counted, no account
        "W5,Moses Frase,GTX Basic,Cancity,Lost,2017-07-01,,0",  # lost, no date
    ]
    body = lines[1:]
    for at, line in zip((40, 2_000, 5_000, 7_000, 8_700), extra, strict=True):
        body.insert(at, line)
    path = tmp_path / "warned.csv"
    again = extra[0].replace("W1,", "W6,")  # the same owner again, last
    path.write_text("\n".join([lines[0], *body, again]) + "\n", encoding="utf-8")
    return path


def test_warnings_come_from_the_scan_with_the_rows_pandas_gives(tmp_path: Path) -> None:
    """No cliff: an export with warnings stays with DuckDB, and says what pandas says, rows and all."""
    with_created = check_directory(PLAN).plan
    assert with_created is not None and with_created.actuals is not None
    path = _warned_export(tmp_path)
    by_duckdb = _through_duckdb(path, with_created)
    assert by_duckdb is not None and by_duckdb.actuals is not None
    by_pandas = actuals.load_actuals(path, with_created, AS_OF, shown=path.name, baselines=True)
    assert by_pandas.actuals is not None
    codes = {d.code for d in by_pandas.diagnostics}
    assert {"PLC710", "PLC711", "PLC712", "PLC764", "PLC765"} <= codes, codes
    assert by_duckdb.diagnostics == by_pandas.diagnostics
    assert by_duckdb.actuals.ledger == by_pandas.actuals.ledger
    assert by_duckdb.actuals.months == by_pandas.actuals.months
    assert by_duckdb.actuals.pipeline == by_pandas.actuals.pipeline


@pytest.mark.parametrize("order", [("", None), (None, ""), ("  ", "")])
def test_an_owner_shown_as_empty_is_warned_at_its_first_row(
    tmp_path: Path, order: tuple[str | None, str | None]
) -> None:
    """An empty name and a missing one (or one of spaces) are one "(empty)" owner: its
    PLC710 names the first of their rows, whichever the reader numbered first, in both
    readers (a missing cell used to win in pandas' reader because its code comes first)."""
    import duckdb

    with_created = check_directory(PLAN).plan
    assert with_created is not None and with_created.actuals is not None
    numbered = tmp_path / "numbered.csv"
    with SAMPLE.open(newline="", encoding="utf-8") as source:
        records = list(csv.reader(source))
    with numbered.open("w", newline="", encoding="utf-8") as target:
        csv.writer(target).writerows(
            [[*records[0], "n"]] + [[*r, str(i)] for i, r in enumerate(records[1:])]
        )
    parquet = tmp_path / "names.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"COPY (SELECT * EXCLUDE (n) REPLACE (CASE CAST(n AS INTEGER) WHEN 1 THEN ? "
            f"WHEN 2 THEN ? ELSE sales_agent END AS sales_agent) "
            f"FROM read_csv('{numbered}', all_varchar=true) ORDER BY CAST(n AS INTEGER)) "
            f"TO '{parquet}' (FORMAT parquet)",
            list(order),
        )
    by_duckdb = _through_duckdb(parquet, with_created)
    by_pandas = actuals.load_actuals(
        parquet, with_created, AS_OF, shown=parquet.name, baselines=True
    )
    assert by_duckdb is not None
    for loaded in (by_duckdb, by_pandas):
        empty = [d for d in loaded.diagnostics if d.code == "PLC710" and "(empty)" in d.message]
        assert len(empty) == 1, loaded.diagnostics
        assert empty[0].span is not None and empty[0].span.line == 2  # Parquet rows from 1
    assert by_duckdb.diagnostics == by_pandas.diagnostics


_SET_ROWS = duckdb_files._set_rows


def _decoded_sets(
    path: Path, plan: Plan, streams: bool, monkeypatch: pytest.MonkeyPatch
) -> dict[int, list[tuple[str, ...]]]:
    """Each set's groups as the fold gets them (names decoded, rows sorted)."""
    monkeypatch.setattr(duckdb_files, "STREAMS_CTES", streams)
    read = _SET_ROWS  # not a wrapper a call before this one left in place
    found: dict[int, list[tuple[str, ...]]] = {}

    def recorded(connection: Any, grouped: Any, which: int, *args: Any) -> list[Any]:
        columns = read(connection, grouped, which, *args)
        plain = [
            [c.values[i] if i >= 0 else None for i in c.codes.tolist()]
            if isinstance(c, fold.Coded)
            else list(c)
            for c in columns
        ]
        found[which] = sorted(tuple(str(v) for v in row) for row in zip(*plain, strict=True))
        return columns

    monkeypatch.setattr(duckdb_files, "_set_rows", recorded)
    assert _through_duckdb(path, plan) is not None
    return found


def test_the_narrow_table_of_sets_reads_as_the_wide_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fanout stores its sets in a narrow table (each set's values in shared columns,
    the ledger's 0/1 keys and where-code packed in one integer): read back, every set's
    groups are the very columns the GROUPING SETS statement's wide table gives -- with
    rows of every ledger flag the scan keeps (no account, no created date, after the
    as-of day, a lost deal without or with a negative amount)."""
    with_created = check_directory(PLAN).plan
    assert with_created is not None
    path = _warned_export(tmp_path)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("W7,Moses Frase,GTX Basic,Cancity,Lost,2017-07-01,2017-07-08,\n")
        handle.write("W8,Moses Frase,GTX Basic,Cancity,Lost,2017-07-01,2017-07-09,-5\n")
    narrow = _decoded_sets(path, with_created, True, monkeypatch)
    wide = _decoded_sets(path, with_created, False, monkeypatch)
    q = duckdb_files.q
    assert set(narrow) == set(wide) == {q.LEDGER, q.KEYS, q.PIPELINE, q.OPEN_AGES, q.CYCLES}
    read = {  # the groups the fold reads (the fanout leaves out the others: _read_by_fold)
        q.PIPELINE: lambda row: row[4] != "-1" or row[5] == "1",  # a week, or recent
        q.OPEN_AGES: lambda row: row[2] != "-1",  # an open age
        q.CYCLES: lambda row: row[1] != "-1",  # a cycle
    }
    for which, rows in wide.items():
        kept = [row for row in rows if read.get(which, lambda row: True)(row)]
        assert narrow[which] == kept, which
    bits = {row[7:13] for row in narrow[q.LEDGER]}  # the flags seen
    assert len(bits) >= 3, bits
    keys = {row[4:7] for row in narrow[q.LEDGER]}  # when_, late, no_account
    assert len(keys) >= 4, keys


def test_which_exports_duckdb_reads_by_default(
    plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CSV stays with pandas (faster where measured); large Parquet goes to DuckDB."""
    monkeypatch.delenv(duckdb_files.ENGINE_VARIABLE, raising=False)
    assert plan.actuals is not None
    assert not duckdb_files.wanted(SAMPLE, plan.actuals)
    small = tmp_path / "small.parquet"
    small.write_bytes(b"PAR1")
    assert not duckdb_files.wanted(small, plan.actuals)  # below MIN_BYTES
    large = tmp_path / "large.parquet"
    with large.open("wb") as handle:
        handle.truncate(duckdb_files.MIN_BYTES)
    assert duckdb_files.wanted(large, plan.actuals)
    large_csv = tmp_path / "large.csv"
    with large_csv.open("wb") as handle:
        handle.truncate(duckdb_files.MIN_BYTES)
    assert not duckdb_files.wanted(large_csv, plan.actuals)
    monkeypatch.setenv(duckdb_files.ENGINE_VARIABLE, "duckdb")
    assert duckdb_files.wanted(SAMPLE, plan.actuals)
    monkeypatch.setenv(duckdb_files.ENGINE_VARIABLE, "pandas")
    assert not duckdb_files.wanted(large, plan.actuals)


def test_the_pipeline_forecast_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a created column: open deals by age, sales cycles, creations, from the one scan.

    The sample's 500 open deals without engage_date are a warning (PLC765)
    counted by the scan, its first row found by reading on: the same report.
    """
    with_created = check_directory(PLAN).plan
    assert with_created is not None and with_created.actuals is not None
    loaded = _through_duckdb(SAMPLE, with_created)
    assert loaded is not None and loaded.actuals is not None  # DuckDB really reads it
    pipeline = loaded.actuals.pipeline
    assert pipeline is not None and pipeline.open and pipeline.closed_ages
    by_pandas = actuals.load_actuals(SAMPLE, with_created, AS_OF, shown=SAMPLE.name)
    assert by_pandas.actuals is not None
    assert pipeline == by_pandas.actuals.pipeline
    assert loaded.diagnostics == by_pandas.diagnostics
    by_duckdb = _track_json(PLAN, SAMPLE, "duckdb", monkeypatch)
    assert by_duckdb == _track_json(PLAN, SAMPLE, "pandas", monkeypatch)


@pytest.mark.parametrize("streams", [True, False], ids=["fanout", "grouping-sets"])
def test_both_statements_give_the_pandas_figures(
    streams: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB 2's one GROUP BY per set over a streamed CTE, and the GROUPING SETS an older
    DuckDB gets, give the pandas reader's actuals, pipeline and warnings."""
    monkeypatch.setattr(duckdb_files, "STREAMS_CTES", streams)
    with_created = check_directory(PLAN).plan
    assert with_created is not None
    loaded = _through_duckdb(SAMPLE, with_created)
    assert loaded is not None and loaded.actuals is not None  # DuckDB really reads it
    by_pandas = actuals.load_actuals(SAMPLE, with_created, AS_OF, shown=SAMPLE.name)
    assert by_pandas.actuals is not None
    assert loaded.actuals.pipeline == by_pandas.actuals.pipeline
    assert loaded.diagnostics == by_pandas.diagnostics
    by_duckdb = _track_json(PLAN, SAMPLE, "duckdb", monkeypatch)
    assert by_duckdb == _track_json(PLAN, SAMPLE, "pandas", monkeypatch)


def test_the_closed_stages_are_tested_once_per_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether a deal may be open (born by the as-of day, and not closed then under a stage
    won or lost for certain), and its age, are computed once per row in an inner subquery
    and read by the week, open-age, recent and cycle columns: the stage list (a string
    comparison per spelling) appears once in the scan, not once per column that needs it,
    and the figures stay the pandas reader's (see the tests above)."""
    seen = _recorded_statements(monkeypatch)
    with_created = check_directory(PLAN).plan
    assert with_created is not None
    assert _through_duckdb(SAMPLE, with_created) is not None
    params = next(p for sql, p in seen if "planc_rows_aged" in sql)
    assert with_created.actuals is not None
    closed = fold.GroupedAggregator(
        with_created, with_created.actuals, AS_OF, "x", baselines=True, where=lambda r, n: n
    ).closed_stages()
    assert closed  # won and lost spellings: the list the scan tests
    runs = [i for i in range(len(params)) if params[i : i + len(closed)] == closed]
    assert len(runs) == 1


def _parquet_missing_names(tmp_path: Path) -> Path:
    """The sample as Parquet, every 7th row without an owner, product or stage (NULL)."""
    import duckdb

    parquet = tmp_path / "sample.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            "COPY (SELECT * EXCLUDE (n) REPLACE ("
            "CASE WHEN n % 7 = 1 THEN NULL ELSE sales_agent END AS sales_agent, "
            "CASE WHEN n % 7 = 2 THEN NULL ELSE product END AS product, "
            "CASE WHEN n % 7 = 3 THEN NULL ELSE deal_stage END AS deal_stage) "
            "FROM (SELECT *, row_number() OVER () AS n "
            f"FROM read_csv('{SAMPLE}', all_varchar = true))) TO '{parquet}' (FORMAT parquet)"
        )
    return parquet


@pytest.mark.parametrize("collision", [False, True])
def test_a_parquet_row_finds_its_names_codes_by_their_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, collision: bool
) -> None:
    """The scan joins each row to its (owner, product, stage) combination by one integer, the
    hash of the names, when no two combinations share a hash; if two did, by the names
    themselves. Either way (NULL names included) the actuals, the pipeline and the warnings
    are the pandas reader's of the same file."""
    parquet = _parquet_missing_names(tmp_path)
    if collision:  # as if two combinations had the same hash
        combos = duckdb_files._combos
        monkeypatch.setattr(duckdb_files, "_combos", lambda *args: (combos(*args)[0], False))
    seen = _recorded_statements(monkeypatch)
    with_created = check_directory(PLAN).plan
    assert with_created is not None and with_created.actuals is not None
    seen.clear()  # the statements of this file alone
    loaded = _through_duckdb(parquet, with_created)
    assert loaded is not None and loaded.actuals is not None  # DuckDB really reads it
    sql = next(sql for sql, _ in seen if "planc_rows_aged" in sql)
    by_hash = re.search(
        r"JOIN planc_combos ON hash\(c\d+, c\d+, c\d+\) = planc_combos.combo_hash", sql
    )
    assert (by_hash is not None) is not collision
    assert ("IS NOT DISTINCT FROM planc_combos.owner_value" in sql) is collision
    by_pandas = actuals.load_actuals(parquet, with_created, AS_OF, shown=parquet.name)
    assert by_pandas.actuals is not None
    assert loaded.actuals.months == by_pandas.actuals.months
    assert loaded.actuals.pipeline == by_pandas.actuals.pipeline
    assert loaded.diagnostics == by_pandas.diagnostics
    by_duckdb = _track_json(PLAN, parquet, "duckdb", monkeypatch)
    assert by_duckdb == _track_json(PLAN, parquet, "pandas", monkeypatch)


def test_a_parquet_scan_groups_by_codes_of_its_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Parquet file's owners, products and stages are numbered before the scan (table
    planc_combos): the scan joins its rows to their codes, its stage lists are lists of
    codes, not of spellings -- and a missing owner, product or stage (NULL) stays missing:
    the actuals, the pipeline and the warnings are the pandas reader's of the same file.
    Its latest days come from one query of their own (the file's statistics)."""
    parquet = _parquet_missing_names(tmp_path)
    compiled = duckdb_files._compiled  # put back below
    seen = _recorded_statements(monkeypatch)
    with_created = check_directory(PLAN).plan
    assert with_created is not None and with_created.actuals is not None
    loaded = _through_duckdb(parquet, with_created)
    assert loaded is not None and loaded.actuals is not None  # DuckDB really reads it
    sql, params = next((sql, p) for sql, p in seen if "planc_rows_aged" in sql)
    assert duckdb_files.COMBOS in sql
    closed = fold.GroupedAggregator(
        with_created, with_created.actuals, AS_OF, "x", baselines=True, where=lambda r, n: n
    ).closed_stages()
    assert not set(closed) & {p for p in params if isinstance(p, str)}  # codes, not names
    # the latest days (the pipeline's) from a query of their own, not a max per LEDGER group
    assert "max(planc_rows_packed.day)" not in sql
    assert any("max(planc_typed.created)" in other for other, _ in seen)
    by_pandas = actuals.load_actuals(parquet, with_created, AS_OF, shown=parquet.name)
    assert by_pandas.actuals is not None
    assert loaded.actuals.pipeline == by_pandas.actuals.pipeline
    assert loaded.diagnostics == by_pandas.diagnostics
    assert any("owner" in d.message or "sales_agent" in d.message for d in loaded.diagnostics)
    monkeypatch.setattr(duckdb_files, "_compiled", compiled)
    by_duckdb = _track_json(PLAN, parquet, "duckdb", monkeypatch)
    assert by_duckdb == _track_json(PLAN, parquet, "pandas", monkeypatch)


def test_the_ledger_groups_by_its_packed_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """The LEDGER set groups by owner, product, stage, month and one integer packing its
    where-code and 0/1 keys (five keys, not thirteen); the figures stay the pandas reader's
    (see the tests above, which read the same sets back)."""
    seen = _recorded_statements(monkeypatch)
    with_created = check_directory(PLAN).plan
    assert with_created is not None
    assert _through_duckdb(SAMPLE, with_created) is not None
    scan = next(sql for sql, _ in seen if "planc_rows_aged" in sql)
    keys = ", ".join(f"planc_rows_packed.{k}" for k in ("owner", "product", "stage", "month"))
    assert f"GROUP BY {keys}, planc_rows_packed.ledger_bits UNION ALL" in scan


def test_a_tie_on_the_first_won_day_goes_to_the_owner_that_sorts_first(
    plan: Plan, tmp_path: Path
) -> None:
    """Each account's first won deal comes from one group per account (the pair (day, owner)).

    A database has no row order, so on a tie the owner's name decides: here
    the later row's owner sorts first and gets the new account; an earlier
    won day of another account's owner decides that account alone.
    """
    path = tmp_path / "tie.csv"
    header = (
        "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value"
    )
    rows = [
        "K1,Moses Frase,GTX Basic,Newco,Won,2017-07-01,2017-07-03,100",
        "K2,Darcel Schlecht,GTX Basic,Newco,Won,2017-07-01,2017-07-03,200",
        "K3,Moses Frase,GTX Basic,Otherco,Won,2017-07-01,2017-07-02,300",
        "K4,Darcel Schlecht,GTX Basic,Otherco,Won,2017-07-01,2017-07-05,400",
    ]
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    loaded = _through_duckdb(path, plan)
    assert loaded is not None and loaded.actuals is not None
    new = {
        rep: month.new_accounts
        for (rep, _slot), month in loaded.actuals.months.items()
        if month.new_accounts
    }
    by_name = {plan.people[rep].name: n for rep, n in new.items()}
    assert by_name == {"Darcel Schlecht": 1, "Moses Frase": 1}
    total = sum((m.amount for m in loaded.actuals.months.values()), Decimal(0))
    assert total == Decimal(1000)


def test_a_parquet_file_breaks_first_deal_ties_as_the_one_scan_does(
    plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Parquet file's first deals come from an integer per deal, day * width + the owner's
    rank: the earliest day, on a tie the owner that sorts first, a missing owner last, days
    before 1970 too -- each account's first deal as the CSV's one scan (min of the pair) gives it."""
    header = (
        "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value"
    )
    rows = [
        "K1,Moses Frase,GTX Basic,Newco,Won,2017-07-01,2017-07-03,100",
        "K2,Darcel Schlecht,GTX Basic,Newco,Won,2017-07-01,2017-07-03,200",  # tie: sorts first
        "K3,Moses Frase,GTX Basic,Otherco,Won,2017-07-01,2017-07-02,300",
        "K4,Darcel Schlecht,GTX Basic,Otherco,Won,2017-07-01,2017-07-05,400",
        "K5,,GTX Basic,Thirdco,Won,2017-07-01,2017-07-04,500",  # tie: a missing owner sorts last
        "K6,Moses Frase,GTX Basic,Thirdco,Won,2017-07-01,2017-07-04,600",
        "K7,Moses Frase,GTX Basic,Oldco,Won,1969-12-01,1969-12-30,700",  # before 1970: not new
        "K8,Darcel Schlecht,GTX Basic,Oldco,Won,1969-12-01,1969-12-31,800",
        "K9,Moses Frase,GTX Basic,Oldco,Won,2017-07-01,2017-07-06,900",
        "K10,,GTX Basic,Lastco,Won,2017-07-01,2017-07-07,1000",  # a missing owner alone: no rep
    ]
    text = tmp_path / "ties.csv"
    text.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    parquet = tmp_path / "ties.parquet"
    import duckdb

    with duckdb.connect() as connection:
        connection.execute(
            "COPY (SELECT * REPLACE (CAST(close_value AS DECIMAL(12, 2)) AS close_value) "
            f"FROM read_csv('{text}')) TO '{parquet}' (FORMAT parquet)"
        )
    firsts: list[Any] = []
    add_first_deals = fold.GroupedAggregator.add_first_deals

    def spy(self: fold.GroupedAggregator, owners: Any, accounts: Any, days: Any) -> None:
        firsts.append(sorted(zip(accounts, owners, list(days), strict=True)))
        add_first_deals(self, owners, accounts, days)

    monkeypatch.setattr(fold.GroupedAggregator, "add_first_deals", spy)
    by_parquet = _through_duckdb(parquet, plan)
    by_csv = _through_duckdb(text, plan)
    assert by_parquet is not None and by_parquet.actuals is not None
    assert by_csv is not None and by_csv.actuals is not None
    day = date.toordinal
    assert firsts[0] == [
        ("Lastco", None, day(date(2017, 7, 7))),
        ("Newco", "Darcel Schlecht", day(date(2017, 7, 3))),
        ("Oldco", "Moses Frase", day(date(1969, 12, 30))),  # a rank above 0, a day below 0
        ("Otherco", "Moses Frase", day(date(2017, 7, 2))),
        ("Thirdco", "Moses Frase", day(date(2017, 7, 4))),
    ]
    assert firsts[0] == firsts[1]  # the CSV's one scan: min(row(day, owner))
    new = {
        plan.people[rep].name: month.new_accounts
        for (rep, _slot), month in by_parquet.actuals.months.items()
        if month.new_accounts
    }
    assert new == {"Darcel Schlecht": 1, "Moses Frase": 2}
    assert by_parquet.actuals.months == by_csv.actuals.months


def test_names_come_as_codes_with_empty_values_as_pandas_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sets' owners, products and stages reach the fold as codes into their distinct values
    (numbered by DuckDB, -1 for an empty value): the same actuals, pipeline and warnings."""
    with_created = check_directory(PLAN).plan
    assert with_created is not None and with_created.actuals is not None
    path = _warned_export(tmp_path)
    empty = [
        "E1,,GTX Basic,Cancity,Won,2017-07-01,2017-07-08,100",  # no owner
        "E2,Moses Frase,,Cancity,Won,2017-07-01,2017-07-09,100",  # no product
        "E3,Moses Frase,GTX Basic,Cancity,,2017-07-01,,",  # no stage
        "E4,Moses Frase,,Cancity,Engaging,2017-07-20,,",  # open, no product
    ]
    path.write_text(path.read_text(encoding="utf-8") + "\n".join(empty) + "\n", encoding="utf-8")
    fetched: list[Any] = []
    set_rows = duckdb_files._set_rows

    def spy(*args: Any) -> list[Any]:
        found = set_rows(*args)
        fetched.extend(found[:3])
        return found

    monkeypatch.setattr(duckdb_files, "_set_rows", spy)
    by_duckdb = _through_duckdb(path, with_created)
    assert by_duckdb is not None and by_duckdb.actuals is not None
    coded = [c for c in fetched if isinstance(c, fold.Coded)]
    assert coded and any((c.codes == -1).any() for c in coded)  # an empty name: code -1
    by_pandas = actuals.load_actuals(path, with_created, AS_OF, shown=path.name, baselines=True)
    assert by_pandas.actuals is not None
    assert by_duckdb.diagnostics == by_pandas.diagnostics
    assert by_duckdb.actuals.ledger == by_pandas.actuals.ledger
    assert by_duckdb.actuals.months == by_pandas.actuals.months
    assert by_duckdb.actuals.pipeline == by_pandas.actuals.pipeline


def test_a_csv_gets_its_accounts_from_the_one_scan(
    plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CSV's won sums per account and first deals come from the main scan's sets (no second
    parse of the text), a won stage spelled two ways added up again: pandas' figures."""
    path = tmp_path / "spellings.csv"
    header = (
        "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value"
    )
    rows = [
        "K1,Moses Frase,GTX Basic,Newco,Won,2017-07-01,2017-07-03,100.25",
        "K2,Moses Frase,GTX Basic,Newco,won,2017-07-01,2017-07-04,200",
        "K3,Darcel Schlecht,GTX Basic,Newco,WON,2017-06-01,2017-06-30,50",
        "K4,Darcel Schlecht,GTX Basic,Otherco,Won,2017-07-01,2017-07-02,300",
        "K5,Moses Frase,GTX Basic,Otherco,Lost,2017-07-01,2017-07-01,0",
        "K6,Moses Frase,GTX Basic,Otherco,Engaging,2017-07-01,,",
        "K7,Moses Frase,GTX Basic,Otherco,Negotiating,2017-07-01,2017-07-01,999",  # not won
    ]
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")

    def no_second_scan(*args: Any) -> None:
        raise AssertionError("the accounts were read by a second scan")

    monkeypatch.setattr(duckdb_files, "_accounts", no_second_scan)
    loaded = _through_duckdb(path, plan)
    assert loaded is not None and loaded.actuals is not None
    by_pandas = actuals.load_actuals(path, plan, AS_OF, shown=path.name, baselines=True)
    assert by_pandas.actuals is not None
    assert loaded.actuals.months == by_pandas.actuals.months
    assert loaded.actuals.ledger == by_pandas.actuals.ledger
    assert loaded.diagnostics == by_pandas.diagnostics  # the unknown stage's warning
    assert any(m.new_accounts for m in loaded.actuals.months.values())


@pytest.mark.parametrize("streams", [True, False], ids=["fanout", "grouping-sets"])
def test_statements_compile_as_through_the_postgresql_dialect(
    streams: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB's statements are compiled by SQLAlchemy's generic dialect (no PostgreSQL dialect
    imported): the same SQL text and parameters as the PostgreSQL dialect gave them, for the
    scan, the sets' fetches and both ways to the accounts."""
    from sqlalchemy.dialects.postgresql import psycopg2

    postgresql = psycopg2.dialect(paramstyle="qmark")  # type: ignore[no-untyped-call]
    compiled = duckdb_files._compiled
    seen: list[str] = []

    def both(statement: Any) -> tuple[str, list[Any]]:
        sql, params = compiled(statement)
        kwargs = {"render_postcompile": True}
        other = statement.compile(dialect=postgresql, compile_kwargs=kwargs)
        assert sql == str(other)
        assert params == [other.params[name] for name in other.positiontup or ()]
        seen.append(sql)
        return sql, params

    monkeypatch.setattr(duckdb_files, "STREAMS_CTES", streams)
    monkeypatch.setattr(duckdb_files, "_compiled", both)
    with_created = check_directory(PLAN).plan
    assert with_created is not None
    assert _through_duckdb(SAMPLE, with_created) is not None
    assert any("GROUP BY" in sql and "planc_account" not in sql for sql in seen)  # the scan
    assert any("planc_account" in sql or "account_month" in sql for sql in seen)  # accounts
    assert len(seen) >= 6


def test_account_names_with_spaces_map_as_pandas_maps_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Accounts are looked up by their text as fetched, then by the stripped text: padded
    spellings of one account are one account, a blank one is none, as the pandas reader
    has them (through the scan's sets and through the two account queries)."""
    path = tmp_path / "padded.csv"
    header = (
        "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value"
    )
    rows = [
        'K1,Moses Frase,GTX Basic," Newco",Won,2017-07-01,2017-07-03,100.25',
        'K2,Darcel Schlecht,GTX Basic,"Newco ",Won,2017-07-01,2017-07-02,200',
        "K3,Moses Frase,GTX Basic,Newco,Won,2017-07-01,2017-07-05,50",
        'K4,Moses Frase,GTX Basic,"  ",Won,2017-07-01,2017-07-06,300',
        "K5,Darcel Schlecht,GTX Basic,Otherco,Won,2017-07-01,2017-07-04,400",
        "K6,Moses Frase,GTX Basic,Otherco,Won,2017-06-01,2017-06-30,10",
    ]
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    with_created = check_directory(PLAN).plan
    assert with_created is not None
    by_pandas = actuals.load_actuals(path, with_created, AS_OF, shown=path.name, baselines=True)
    assert by_pandas.actuals is not None
    for streams in (True, False):
        monkeypatch.setattr(duckdb_files, "STREAMS_CTES", streams)
        loaded = _through_duckdb(path, with_created)
        assert loaded is not None and loaded.actuals is not None
        assert sorted(loaded.actuals.account_names) == ["Newco", "Otherco"]
        assert sorted(loaded.actuals.account_names) == sorted(by_pandas.actuals.account_names)
        assert loaded.actuals.months == by_pandas.actuals.months
        assert loaded.diagnostics == by_pandas.diagnostics


def test_new_accounts_by_rep_and_month_as_one_account_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The accounts' first won deals are counted by rep and kept month with numpy: the same
    counts, in the same order, as a step per account (date -> month -> slot) gives them."""
    with_created = check_directory(PLAN).plan
    assert with_created is not None
    seen: list[Any] = []
    result = fold.GroupedAggregator.result

    def spy(self: fold.GroupedAggregator) -> actuals.LoadedActuals:
        seen.append(self)
        return result(self)

    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        owners = sorted({row["sales_agent"] for row in csv.DictReader(handle)})[:5]
    added = [  # new accounts: first won deals of several reps in July and August
        f"N{i},{owners[i % 5]},GTX Basic,New account {i},Won,2017-06-01,2017-0{7 + i % 2}-0{1 + i % 9},10"
        for i in range(23)
    ]
    path = tmp_path / "new-accounts.csv"
    path.write_text(SAMPLE.read_text(encoding="utf-8") + "\n".join(added) + "\n", encoding="utf-8")
    monkeypatch.setattr(fold.GroupedAggregator, "result", spy)
    loaded = _through_duckdb(path, with_created)
    assert loaded is not None and loaded.actuals is not None and len(seen) == 1
    aggregator = seen[0]
    expected: dict[tuple[int, int], int] = {}
    skipped = 0
    for account in range(len(aggregator.first_rep)):
        if aggregator.first_rep[account] < 0:
            continue
        first = date.fromordinal(int(aggregator.first_day[account]))
        slot = aggregator.slot_of.get(first.year * 12 + first.month - 1)
        if slot is None:
            skipped += 1
            continue
        key = (int(aggregator.first_rep[account]), slot)
        expected[key] = expected.get(key, 0) + 1
    found = aggregator._new_accounts()
    assert found == list(expected.items())  # the same counts, in the same order
    assert len(found) > 3 and skipped > 0  # several reps and months; first deals before them
    assert sum(m.new_accounts for m in loaded.actuals.months.values()) == sum(expected.values())


def test_open_deal_sums_made_once_give_the_forecast_of_each_measure(tmp_path: Path) -> None:
    """The forecaster sums each open cell's weeks once for both measures and takes the priced
    deals' terms out exactly: the parts of a sum over the unpriced deals, made per measure."""
    from operator import mul

    from planc.track import forecast

    added = [  # open deals with an amount: priced (value), counted (count)
        f"P{i},Moses Frase,GTX Basic,Cancity,Engaging,2017-0{5 + i % 3}-{10 + i:02d},,{100 + i}.5"
        for i in range(12)
    ]
    path = tmp_path / "priced.csv"
    path.write_text(SAMPLE.read_text(encoding="utf-8") + "\n".join(added) + "\n", encoding="utf-8")
    with_created = check_directory(PLAN).plan
    assert with_created is not None
    loaded = actuals.load_actuals(path, with_created, AS_OF, shown=path.name)
    assert loaded.actuals is not None and loaded.actuals.pipeline is not None
    pipeline = loaded.actuals.pipeline
    assert any(deals.priced for deals in pipeline.open.values())
    made = forecast.Forecaster(with_created, pipeline, AS_OF)
    for what in (forecast.VALUE, forecast.COUNT):
        reference: dict[str, dict[str, Any]] = {}
        for (rep, product, stage), deals in pipeline.open.items():
            chances = made._weekly(stage, len(deals.weeks))
            mean, square = made._value(product, what)
            part = reference.setdefault(rep, {}).setdefault(product, forecast._Part())
            part.open_deals += sum(deals.weeks)
            unpriced = list(deals.weeks)
            if what == forecast.VALUE:
                for week, sums in deals.priced.items():
                    unpriced[week] -= sums.priced
            units = sum(map(mul, chances, unpriced))
            chance_sum = Decimal(units).scaleb(-forecast.CHANCE_PLACES)
            squares = sum(map(mul, made._squared[stage], unpriced))
            chance_squares = Decimal(squares).scaleb(-2 * forecast.CHANCE_PLACES)
            part.open_expected += chance_sum * mean
            part.open_variance += chance_sum * square - chance_squares * mean * mean
            part.open_total += sum(unpriced) * mean
            if what == forecast.COUNT:
                continue
            for week, sums in deals.priced.items():
                p = Decimal(chances[week]).scaleb(-forecast.CHANCE_PLACES)
                part.open_expected += p * sums.amount
                part.open_variance += p * (1 - p) * sums.squares
                part.open_total += sums.amount
        for rep, products in reference.items():
            for product, expected in products.items():
                found = made.parts[what][rep][product]
                assert (found.open_deals, found.open_expected, found.open_variance) == (
                    expected.open_deals,
                    expected.open_expected,
                    expected.open_variance,
                )
                assert found.open_total == expected.open_total


def test_account_months_map_to_slots_through_a_table_or_unique(plan: Plan) -> None:
    """Account sums' months map to slots through a table over their range (no sort of every
    group), or through np.unique when the range is wide: the same slots as the dict gives."""
    import numpy as np

    mapping = plan.actuals
    assert mapping is not None
    aggregator = fold.GroupedAggregator(
        plan, mapping, AS_OF, "x", baselines=True, where=lambda role, row: mapping.loc
    )
    kept = list(aggregator.slot_of)
    narrow = np.array([*kept, kept[0] - 5, kept[-1] + 7, *kept[::-1]], dtype=np.int64)
    wide = np.concatenate([narrow, np.array([12, 30_000 * 12], dtype=np.int64)])
    for months in (narrow, wide, np.zeros(0, dtype=np.int64)):
        expected = [aggregator.slot_of.get(m, -1) for m in months.tolist()]
        assert aggregator._month_slots(months).tolist() == expected


def _sample_parquet(tmp_path: Path) -> Path:
    """The sample as typed Parquet, made by DuckDB (dates as DATE, amounts DECIMAL(12, 2))."""
    import duckdb

    parquet = tmp_path / "sample.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"COPY (SELECT * REPLACE (CAST(close_value AS DECIMAL(12, 2)) AS close_value) "
            f"FROM read_csv('{SAMPLE}', types={{'close_value': 'VARCHAR'}})) "
            f"TO '{parquet}' (FORMAT parquet)"
        )
    return parquet


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_the_no_account_key_is_left_out_with_the_same_output(
    tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 2017-Q3 plan maps an account but no metric counts accounts: the scan does not key
    rows by a missing account (no trim of the account per row). Every output format is byte
    for byte what it is with the key computed, and the actuals are the pandas reader's."""
    path = SAMPLE if suffix == "csv" else _sample_parquet(tmp_path)
    monkeypatch.setenv(duckdb_files.ENGINE_VARIABLE, "duckdb")
    seen = _recorded_statements(monkeypatch)

    def outputs() -> list[str]:
        found = []
        for output in ("text", "json", "markdown", "csv"):
            args = ["track", str(PLAN), "--actuals", str(path), "--as-of", str(AS_OF)]
            result = CliRunner().invoke(cli, [*args, "--format", output])
            assert result.exit_code == 0, result.output
            found.append(result.output)
        return found

    trimmed = re.compile(r"trim\(\w+\.account\)")  # the no-account key's test
    skipped = outputs()
    assert seen and not any(trimmed.search(sql) for sql, _ in seen)
    with_created = check_directory(PLAN).plan
    assert with_created is not None
    loaded = _through_duckdb(path, with_created)
    by_pandas = actuals.load_actuals(path, with_created, AS_OF, shown=path.name)
    assert loaded is not None and loaded.actuals is not None and by_pandas.actuals is not None
    for field in ("ledger", "months", "products", "covered", "pipeline"):  # account ids: the
        assert getattr(loaded.actuals, field) == getattr(by_pandas.actuals, field)  # engine's order
    assert loaded.diagnostics == by_pandas.diagnostics
    seen.clear()
    monkeypatch.setattr(duckdb_files, "_read_passes", lambda _: {"no_account": True})
    computed = outputs()
    assert any(trimmed.search(sql) for sql, _ in seen)  # the key computed this time
    assert skipped == computed


def test_an_account_is_blank_as_trim_has_it_at_every_code_point() -> None:
    """The scan's no-account key trims only the accounts that may be blank (not starting with
    printable ASCII): over every code point alone, doubled, between spaces and after a
    letter, the empty text and NULL, it is 1 exactly where ``account IS NULL OR
    trim(account) = ''`` is."""
    import duckdb
    import sqlalchemy as sa

    from planc.track.engines import query

    connection = duckdb.connect()
    connection.execute(  # every code point but the surrogates, which are no text
        "CREATE TABLE points AS SELECT chr(CAST(i AS INTEGER)) AS c "
        "FROM range(1, 1114112) r(i) WHERE i < 55296 OR i > 57343"
    )
    connection.execute(
        "CREATE TABLE accounts AS SELECT c AS account FROM points UNION ALL SELECT c || c "
        "FROM points UNION ALL SELECT ' ' || c || ' ' FROM points UNION ALL SELECT 'a' || c "
        "FROM points UNION ALL SELECT '' UNION ALL SELECT NULL"
    )
    account = sa.column("account")
    table = sa.table("accounts", account)
    blank = duckdb_files._blank_account(account)
    generic = query.blank_text(account)
    assert str(blank) != str(generic)
    differ = sa.select(sa.func.count()).select_from(table).where(blank != generic)
    found = sa.select(sa.func.sum(blank)).select_from(table)
    for statement, expected in ((differ, 0), (found, 2 + 3 * 17)):  # 17 space separators
        sql, params = duckdb_files._compiled(statement)
        assert connection.execute(sql, params).fetchone() == (expected,)


def test_account_sums_read_only_the_days_of_their_months() -> None:
    """The range before the months' list: from the first of the earliest month to the day
    before the month after the latest, across a year's end; no months, no range."""
    import sqlalchemy as sa

    day = sa.column("day")

    def bounds(months: list[int]) -> list[Any]:
        return [c.right.value for c in duckdb_files._within(day, months)]

    december, january, march = 2026 * 12 + 11, 2027 * 12, 2027 * 12 + 2
    assert bounds([december]) == [date(2026, 12, 1), date(2027, 1, 1)]
    assert bounds([march, december, january]) == [date(2026, 12, 1), date(2027, 4, 1)]
    assert bounds([]) == []


@pytest.mark.parametrize(("count", "exact"), [(3, False), (120, True)], ids=["rows", "past-int64"])
def test_parquet_account_sums_come_as_rows_and_add_up_exactly(
    plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int, exact: bool
) -> None:
    """A Parquet file's won rows of the kept months come one per row (no GROUP BY), their
    amounts in units of the scale, and the fold adds them up: a DECIMAL(18, 2) amount near
    planc's bound (10**17 units) stays exact, and rows whose sum could pass int64 (120 of
    them) are summed as exact Decimals instead -- the accounts' sums are the pandas reader's."""
    import duckdb

    text = _export(tmp_path, ["999999999999999.99"] * count)
    parquet = tmp_path / "big.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            "COPY (SELECT * REPLACE (CAST(close_value AS DECIMAL(18, 2)) AS close_value) "
            f"FROM read_csv('{text}', all_varchar=true)) TO '{parquet}' (FORMAT parquet)"
        )
    exact_sums = _spy_exact_accounts(monkeypatch)
    loaded = _through_duckdb(parquet, plan)
    monkeypatch.setenv(duckdb_files.ENGINE_VARIABLE, "pandas")
    by_pandas = actuals.load_actuals(parquet, plan, AS_OF, shown=parquet.name, baselines=True)
    assert loaded is not None and loaded.actuals is not None
    assert by_pandas.actuals is not None
    _assert_one_account_as_pandas(loaded.actuals, by_pandas.actuals, count)
    assert bool(exact_sums) is exact


@pytest.mark.parametrize(("count", "exact"), [(3, False), (120, True)], ids=["units", "past-int64"])
def test_a_csv_with_one_won_stage_reads_its_account_sums_as_grouped(
    plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int, exact: bool
) -> None:
    """DuckDB's one scan of a CSV groups the won deals' sums by owner, stage, account and
    month: with one won stage each (owner, account, month) is one group already, read as it
    is -- no second GROUP BY -- in units, or past int64 (120 rows near planc's bound in one
    account and month) as exact Decimals: the pandas reader's sums either way. (Won stages
    spelled several ways are added up again: test_a_csv_gets_its_accounts_from_the_one_scan.)"""
    path = _export(tmp_path, ["999999999999999.99"] * count)
    statements = _recorded_statements(monkeypatch)
    exact_sums = _spy_exact_accounts(monkeypatch)
    loaded = _through_duckdb(path, plan)
    assert loaded is not None and loaded.actuals is not None  # DuckDB really reads it
    by_pandas = actuals.load_actuals(path, plan, AS_OF, shown=path.name, baselines=True)
    assert by_pandas.actuals is not None
    sums_read = [sql for sql, _ in statements if "account_month" in sql and "planc_sets" in sql]
    assert len(sums_read) == (2 if exact else 1)  # units, then (past int64) exact Decimals
    assert not any("GROUP BY" in sql for sql in sums_read)
    _assert_one_account_as_pandas(loaded.actuals, by_pandas.actuals, count)
    assert bool(exact_sums) is exact


def test_pipeline_sums_are_fetched_only_for_stages_that_may_be_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The PIPELINE's priced sums come to Python only for groups whose stage is not won or
    lost for certain (the fold reads them for open stages alone): the open deals' sums are
    there, the won and lost groups' are None, and the pipeline is still the pandas reader's.
    The CSV's stages are text in DuckDB, the same rows as Parquet carry them as codes."""
    added = [  # open deals with an amount: their groups' sums are read
        f"P{i},Moses Frase,GTX Basic,Cancity,Engaging,2017-0{5 + i % 3}-{10 + i:02d},,{100 + i}.5"
        for i in range(12)
    ]
    path = tmp_path / "priced.csv"
    path.write_text(SAMPLE.read_text(encoding="utf-8") + "\n".join(added) + "\n", encoding="utf-8")
    parquet = tmp_path / "priced.parquet"
    with duckdb_files.duckdb.connect() as connection:
        connection.read_csv(str(path), all_varchar=True).write_parquet(str(parquet))
    with_created = check_directory(PLAN).plan
    assert with_created is not None and with_created.actuals is not None
    by_pandas = actuals.load_actuals(path, with_created, AS_OF, shown=path.name)
    assert by_pandas.actuals is not None
    set_rows = duckdb_files._set_rows
    at = len(duckdb_files.q.SET_KEYS[duckdb_files.q.PIPELINE])
    sums = [
        at + duckdb_files.q.AGGREGATES.index(name) for name in ("priced_amount", "priced_squares")
    ]
    priced = at + duckdb_files.q.AGGREGATES.index("priced")
    for export in (path, parquet):
        fetched: list[list[Any]] = []

        def recorded(*args: Any, fetched: list[list[Any]] = fetched) -> list[Any]:
            found = set_rows(*args)
            if args[2] == duckdb_files.q.PIPELINE:
                fetched.append(found)
            return found

        monkeypatch.setattr(duckdb_files, "_set_rows", recorded)
        loaded = _through_duckdb(export, with_created)
        assert loaded is not None and loaded.actuals is not None  # DuckDB really reads it
        assert loaded.actuals.pipeline == by_pandas.actuals.pipeline
        # the same findings (a Parquet file's rows are numbered from 1, a CSV's after its header)
        assert [d.code for d in loaded.diagnostics] == [d.code for d in by_pandas.diagnostics]
        [columns] = fetched
        stage = columns[2]
        assert isinstance(stage, fold.Coded)
        names = [stage.values[code] if code >= 0 else None for code in stage.codes.tolist()]
        classes = {"Won": "closed", "Lost": "closed", "Engaging": "open", "Prospecting": "open"}
        seen = set()
        for i, name in enumerate(names):
            if int(columns[priced][i]) <= 0:
                continue  # no priced deal: its sums are NULL either way
            kind = classes[name]
            seen.add(kind)
            has_sums = [columns[c][i] is not None for c in sums]
            assert has_sums == ([True, True] if kind == "open" else [False, False]), (name, i)
        assert seen == {"open", "closed"}  # both kinds of group were fetched


def test_ledger_sums_are_fetched_only_for_stages_that_may_be_won(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The LEDGER's amounts and squares come to Python only for groups whose stage is not open
    or lost for certain (the fold reads them for won stages alone): the lost groups' sums,
    which the sample has, are None, the won groups' are there, and the ledger, the months and
    the pipeline are still the pandas reader's. An unknown stage's sums are fetched (its rows
    are reported, never summed). CSV (stages as text) and Parquet (stages as codes)."""
    path = tmp_path / "stages.csv"
    extra = "X1,Moses Frase,GTX Basic,Cancity,Negotiating,2017-07-01,2017-07-05,100"
    path.write_text(SAMPLE.read_text(encoding="utf-8") + extra + "\n", encoding="utf-8")
    parquet = tmp_path / "stages.parquet"
    with duckdb_files.duckdb.connect() as connection:
        connection.read_csv(str(path), all_varchar=True).write_parquet(str(parquet))
    with_created = check_directory(PLAN).plan
    assert with_created is not None
    by_pandas = actuals.load_actuals(path, with_created, AS_OF, shown=path.name, baselines=True)
    assert by_pandas.actuals is not None
    set_rows = duckdb_files._set_rows
    at = len(duckdb_files.q.SET_KEYS[duckdb_files.q.LEDGER])
    sums = [at + duckdb_files.q.AGGREGATES.index(name) for name in ("amount", "squares")]
    for export in (path, parquet):
        fetched: list[list[Any]] = []

        def recorded(*args: Any, fetched: list[list[Any]] = fetched) -> list[Any]:
            found = set_rows(*args)
            if args[2] == duckdb_files.q.LEDGER:
                fetched.append(found)
            return found

        monkeypatch.setattr(duckdb_files, "_set_rows", recorded)
        loaded = _through_duckdb(export, with_created)
        assert loaded is not None and loaded.actuals is not None  # DuckDB really reads it
        assert loaded.actuals.ledger == by_pandas.actuals.ledger
        assert loaded.actuals.months == by_pandas.actuals.months
        assert loaded.actuals.pipeline == by_pandas.actuals.pipeline
        [columns] = fetched
        stage = columns[duckdb_files.q.SET_KEYS[duckdb_files.q.LEDGER].index("stage")]
        names = (
            [stage.values[code] if code >= 0 else None for code in stage.codes.tolist()]
            if isinstance(stage, fold.Coded)
            else list(stage)
        )
        fetched_sums: dict[str, set[bool]] = {}
        for i, name in enumerate(names):
            fetched_sums.setdefault(name, set()).update(columns[c][i] is not None for c in sums)
        assert {n: fetched_sums[n] for n in ("Won", "Negotiating", "Lost", "Engaging")} == {
            "Won": {True},
            "Negotiating": {True},
            "Lost": {False},  # amounts the sample has, never read
            "Engaging": {False},
        }


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_account_sums_are_summed_when_first_looked_up(
    tmp_path: Path, plan: Plan, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through DuckDB, the won rows' account sums are read (Parquet: their query, on the
    connection kept open till then), mapped to reps and summed only when a sum is first
    read (a report reads them to explain a warned target, often never): none at load, then
    once, the pandas reader's very sums, on the same scale; the connection is closed then."""
    path = SAMPLE if suffix == "csv" else _sample_parquet(tmp_path)
    monkeypatch.setenv(duckdb_files.ENGINE_VARIABLE, "duckdb")
    summed: list[int] = []
    queried: list[int] = []
    closed: list[int] = []
    add, rows, close = (
        fold.GroupedAggregator._add_rep_ids,
        duckdb_files._account_rows,
        duckdb_files._Held.close,
    )

    def spy(self: fold.GroupedAggregator, rep: Any, *rest: Any) -> None:
        summed.append(len(rep))
        add(self, rep, *rest)

    def spy_rows(*args: Any) -> None:
        queried.append(len(closed))
        rows(*args)

    def spy_close(self: Any) -> None:
        closed.append(len(queried))
        close(self)

    monkeypatch.setattr(fold.GroupedAggregator, "_add_rep_ids", spy)
    monkeypatch.setattr(duckdb_files, "_account_rows", spy_rows)
    monkeypatch.setattr(duckdb_files._Held, "close", spy_close)
    loaded = _through_duckdb(path, plan)
    assert loaded is not None and loaded.actuals is not None
    assert summed == [] and queried == []
    assert closed == ([0] if suffix == "csv" else [])  # Parquet: open for the later read
    monkeypatch.setenv(duckdb_files.ENGINE_VARIABLE, "pandas")
    by_pandas = actuals.load_actuals(path, plan, AS_OF, shown=path.name, baselines=True)
    assert by_pandas.actuals is not None

    def named(found: Any) -> dict[Any, dict[str, int]]:
        return {
            key: {found.account_names[i]: units for i, units in sums.items()}
            for key, sums in found.accounts.items()
        }

    assert loaded.actuals.scale == by_pandas.actuals.scale
    assert named(loaded.actuals) == named(by_pandas.actuals) != {}
    assert len(summed) == 1 and summed[0] > 0
    assert len(loaded.actuals.accounts) == len(by_pandas.actuals.accounts)
    assert len(summed) == 1  # made once
    if suffix == "parquet":
        assert queried == [0] and closed[0] == 1  # read on the open connection, then closed


def _held_connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every connection DuckDB's reader holds (duckdb_files._Held), as it is made."""
    held: list[Any] = []
    init = duckdb_files._Held.__init__

    def spy(self: Any, *args: Any) -> None:
        init(self, *args)
        held.append(self)

    monkeypatch.setattr(duckdb_files._Held, "__init__", spy)
    return held


def test_account_sums_never_read_close_their_connection(
    tmp_path: Path, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Account sums that no one reads are never queried: the connection kept for them and
    its spill folder go with the actuals (and at the latest when the interpreter exits)."""
    import gc

    parquet = _sample_parquet(tmp_path)
    monkeypatch.setenv(duckdb_files.ENGINE_VARIABLE, "duckdb")
    held = _held_connections(monkeypatch)
    monkeypatch.setattr(duckdb_files, "_account_rows", lambda *args: pytest.fail("queried"))
    loaded = _through_duckdb(parquet, plan)
    assert loaded is not None and loaded.actuals is not None
    [kept] = held
    assert kept.spill is not None
    spill = Path(kept.spill.name)
    assert spill.is_dir()
    del loaded
    gc.collect()
    assert kept.spill is None and not spill.exists()


def test_a_later_read_of_account_sums_that_fails_says_so_and_closes(
    tmp_path: Path, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the account sums' later read fail (the file gone meanwhile), the lookup says
    which export could not be read again (the pandas reader can no longer stand in), and the
    connection is closed."""
    import duckdb

    from planc.core.files import InputChanged

    parquet = _sample_parquet(tmp_path)
    monkeypatch.setenv(duckdb_files.ENGINE_VARIABLE, "duckdb")
    held = _held_connections(monkeypatch)

    def gone(*args: Any) -> None:
        raise duckdb.IOException("No files found that match the pattern")

    monkeypatch.setattr(duckdb_files, "_account_rows", gone)
    loaded = _through_duckdb(parquet, plan)
    assert loaded is not None and loaded.actuals is not None
    with pytest.raises(InputChanged, match=r"sample\.parquet could not be read a second time"):
        len(loaded.actuals.accounts)
    assert held[0].spill is None
    with pytest.raises(AssertionError):  # never a second, partial making
        len(loaded.actuals.accounts)


def test_account_sums_are_never_read_from_a_file_changed_since_the_scan(
    tmp_path: Path, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The later read would mix two files' figures: a file written (or replaced) since the
    scan is refused before anything is read from it."""
    from planc.core.files import InputChanged

    parquet = _sample_parquet(tmp_path)
    monkeypatch.setenv(duckdb_files.ENGINE_VARIABLE, "duckdb")
    monkeypatch.setattr(duckdb_files, "_account_rows", lambda *args: pytest.fail("read"))
    loaded = _through_duckdb(parquet, plan)
    assert loaded is not None and loaded.actuals is not None
    parquet.write_bytes(parquet.read_bytes())  # the same bytes, written again
    with pytest.raises(InputChanged, match=r"was moved, removed or written while planc"):
        len(loaded.actuals.accounts)


# A real `planc track` whose export is written again between DuckDB's scan and the later
# read of its account sums (the plan's baselines read them).
REWRITTEN = """
import os, sys
from planc.track.engines import duckdb_files

read_again = duckdb_files._Held.read_again

def rewritten(self):
    os.utime(self.path, ns=(1, 1))
    read_again(self)

duckdb_files._Held.read_again = rewritten
from planc.cli import main
sys.argv = ["planc", *sys.argv[1:]]
main()
"""


def test_track_says_an_export_changed_while_read_and_writes_nothing(
    tmp_path: Path, plan_dir: Path
) -> None:
    import os
    import subprocess
    import sys

    parquet = _sample_parquet(tmp_path)
    out = tmp_path / "report.json"
    args = ["track", str(plan_dir), "--actuals", str(parquet), "--as-of", str(AS_OF)]
    args += ["--baselines", "--format", "json", "--output", str(out)]
    result = subprocess.run(
        [sys.executable, "-c", REWRITTEN, *args],
        env={**os.environ, duckdb_files.ENGINE_VARIABLE: "duckdb"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert f"planc: error: {parquet} was moved, removed or written" in result.stderr
    assert not out.exists()


def _spy_exact_accounts(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The rows each call of ``_add_exact_accounts`` (sums past int64, as Decimals) was given."""
    calls: list[Any] = []
    add_exact = duckdb_files._add_exact_accounts

    def spy(aggregator: Any, rows: Any, scale: int) -> None:
        calls.append(list(rows))
        add_exact(aggregator, rows, scale)

    monkeypatch.setattr(duckdb_files, "_add_exact_accounts", spy)
    return calls


def _assert_one_account_as_pandas(by_duckdb: Any, by_pandas: Any, count: int) -> None:
    """DuckDB's account sums, months and ledger are the pandas reader's, and the one account's
    one month holds every row's units (``count`` rows of 999999999999999.99)."""

    def named(found: Any) -> dict[Any, dict[str, int]]:
        return {
            key: {found.account_names[i]: units for i, units in sums.items()}
            for key, sums in found.accounts.items()
        }

    assert named(by_duckdb) == named(by_pandas)
    assert by_duckdb.scale == by_pandas.scale == 2
    sums = [units for by_account in named(by_duckdb).values() for units in by_account.values()]
    assert sums == [count * 99999999999999999]
    assert by_duckdb.months == by_pandas.months
    assert by_duckdb.ledger == by_pandas.ledger
