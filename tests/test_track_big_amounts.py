"""Amounts at and just below planc's bound give the same figures on every reader.

The pipeline forecast sums squared amounts: near 10^15 with six decimals a
square has 42 digits, more than DuckDB's DECIMAL(38) or a 64-bit integer
hold. Each reader (pandas on CSV, DuckDB on Parquet, a SQLite database)
must give the CSV's exact figures, or a clear diagnostic -- never a
traceback, never a silently rounded number.
"""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from planc.checks import check_directory
from planc.cli import cli
from planc.track import actuals
from planc.track.engines import duckdb_files

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_pipeline.csv"
PLAN = ROOT / "plans" / "2017-Q3"
AS_OF = date(2017, 8, 15)
LARGEST = Decimal("999999999999999.999999")  # the largest amount planc reads
WHOLE = [999_999_999_999_999, 999_999_999_999_998, 999_999_999_999_001, 999_999_999_990_000]
FINE = [
    LARGEST,
    Decimal("999999999999999.5"),
    Decimal("999999999999998.000001"),
    *map(Decimal, WHOLE),
]


def _rows(amounts: list[Any]) -> list[dict[str, Any]]:
    """The public sample (won, lost and open deals) with every amount near the bound."""
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for number, row in enumerate(rows):
        if row["close_value"] or row["deal_stage"] in ("Prospecting", "Engaging"):
            row["close_value"] = amounts[number % len(amounts)]
    return rows


def _csv(tmp_path: Path, rows: list[dict[str, Any]]) -> Path:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _parquet(tmp_path: Path, rows: list[dict[str, Any]], kind: str) -> Path:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    text = ["opportunity_id", "sales_agent", "product", "account", "deal_stage"]
    columns: dict[str, Any] = {name: [r[name] or None for r in rows] for name in text}
    for name in ("engage_date", "close_date"):
        columns[name] = pa.array(
            [date.fromisoformat(r[name]) if r[name] else None for r in rows], pa.date32()
        )
    values = [r["close_value"] if r["close_value"] != "" else None for r in rows]
    columns["close_value"] = (
        pa.array([None if v is None else int(v) for v in values], pa.int64())
        if kind == "int64"
        else pa.array([None if v is None else Decimal(v) for v in values], pa.decimal128(21, 6))
    )
    path = tmp_path / f"big-{kind}.parquet"
    pq.write_table(pa.table(columns), path)
    return path


def _track(plan: Path, *args: str, engine: str = "pandas") -> tuple[int, dict[str, Any], str]:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["track", str(plan), *args, "--as-of", str(AS_OF), "--format", "json"],
        env={duckdb_files.ENGINE_VARIABLE: engine},
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    document = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    document.pop("actuals", None)
    return result.exit_code, document, result.output


def _figures(document: dict[str, Any], plan: Path) -> Any:
    """What the report says: progress, ledger, forecast, diagnostics (plan files as <plan>)."""
    kept = {k: v for k, v in document.items() if k not in ("actuals", "sources", "plan")}
    return json.loads(json.dumps(kept).replace(str(plan), "<plan>"))


@pytest.mark.parametrize("kind", ["decimal", "int64"])
def test_parquet_through_duckdb_gives_the_csv_figures(tmp_path: Path, kind: str) -> None:
    """DuckDB's DECIMAL(38) and BIGINT cannot hold these squares: it steps aside, pandas reads.

    The product overflows with an error in DuckDB (never a float), so the
    scan stops and the pandas reader sums the squares as Python integers.
    """
    amounts: list[Any] = WHOLE if kind == "int64" else FINE
    rows = _rows([str(a) for a in amounts])
    plan = check_directory(PLAN).plan
    assert plan is not None
    parquet = _parquet(tmp_path, rows, kind)
    assert duckdb_files.load(parquet, plan, AS_OF, shown=parquet.name, baselines=True) is None
    by_pandas = actuals.load_actuals(parquet, plan, AS_OF, baselines=True)
    from_csv = actuals.load_actuals(_csv(tmp_path, rows), plan, AS_OF, baselines=True)
    assert by_pandas.actuals is not None and from_csv.actuals is not None
    assert by_pandas.actuals.pipeline == from_csv.actuals.pipeline  # exact sums of squares
    assert by_pandas.actuals.months == from_csv.actuals.months
    code, csv_report, output = _track(PLAN, "--actuals", str(_csv(tmp_path, rows)))
    assert code in (0, 1), output
    assert any(p.get("pipeline_forecast") for p in csv_report["products"])
    code, by_duckdb, output = _track(PLAN, "--actuals", str(parquet), engine="duckdb")
    assert code in (0, 1), output
    # the diagnostics name each file and its rows (a Parquet file has no header row)
    said = [
        [(d["code"], d["severity"]) for d in r.pop("diagnostics")] for r in (by_duckdb, csv_report)
    ]
    assert said[0] == said[1]
    assert _figures(by_duckdb, PLAN) == _figures(csv_report, PLAN)


def test_duckdb_reads_the_same_amounts_without_a_forecast(tmp_path: Path) -> None:
    """Without created: no squares, and DuckDB's exact DECIMAL sums give the CSV's figures."""
    rows = _rows([str(a) for a in FINE])
    plan_dir = _plan(tmp_path, None, created=False)
    plan = check_directory(plan_dir).plan
    assert plan is not None
    parquet = _parquet(tmp_path, rows, "decimal")
    loaded = duckdb_files.load(parquet, plan, AS_OF, shown=parquet.name, baselines=True)
    assert loaded is not None and loaded.actuals is not None  # DuckDB reads it itself
    from_csv = actuals.load_actuals(_csv(tmp_path, rows), plan, AS_OF, baselines=True)
    assert from_csv.actuals is not None
    assert loaded.actuals.months == from_csv.actuals.months
    assert loaded.actuals.ledger == from_csv.actuals.ledger


def _number(text: str) -> int | float | None:
    if not text:
        return None
    return float(text) if "." in text else int(text)


def _sqlite_plan(tmp_path: Path, rows: list[dict[str, Any]], *, created: bool) -> Path:
    database = tmp_path / "crm.db"
    with sqlite3.connect(database) as connection:
        connection.execute(
            "CREATE TABLE opportunities (opportunity_id TEXT, sales_agent TEXT, product TEXT,"
            " account TEXT, deal_stage TEXT, engage_date DATE, close_date DATE,"
            " close_value INTEGER)"
        )
        connection.executemany(
            "INSERT INTO opportunities VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [[*(r[c] or None for c in list(r)[:7]), _number(r["close_value"])] for r in rows],
        )
    return _plan(
        tmp_path,
        f"{{url: 'sqlite:///{database.as_posix()}', table: opportunities}}",
        created=created,
    )


def _plan(tmp_path: Path, source: str | None, *, created: bool) -> Path:
    plan = tmp_path / f"plan-{source is not None}"
    shutil.copytree(PLAN, plan)
    quarter = plan / "quarter.yaml"
    text = quarter.read_text(encoding="utf-8")
    if source is not None:
        text = text.replace("\nactuals:\n", f"\nactuals:\n  source: {source}\n")
    if not created:
        text = "".join(line for line in text.splitlines(keepends=True) if "created:" not in line)
    quarter.write_text(text, encoding="utf-8")
    return plan


def test_sqlite_integers_near_the_bound_are_not_refused(tmp_path: Path) -> None:
    """SQLite's round() reads 999999999999001 as 999999999999000.9: not finer than 6 places."""
    pytest.importorskip("sqlalchemy")
    rows = _rows([str(a) for a in WHOLE])
    file_plan = _plan(tmp_path, None, created=False)
    code, from_csv, output = _track(file_plan, "--actuals", str(_csv(tmp_path, rows)))
    assert code in (0, 1), output
    sql_plan = _sqlite_plan(tmp_path, rows, created=False)
    code, from_sql, output = _track(sql_plan)
    assert code in (0, 1), output
    assert _figures(from_sql, sql_plan) == _figures(from_csv, file_plan)
    revenue = sum(
        Decimal(p["attained"] or 0) for p in from_sql["progress"] if p["metric"] == "revenue"
    )
    assert revenue > 10**15  # the amounts near the bound really are in the report


def test_sqlite_squares_beyond_64_bits_are_refused_not_rounded(tmp_path: Path) -> None:
    """SQLite turns a product beyond 64 bits into a float without a word: planc says so."""
    pytest.importorskip("sqlalchemy")
    rows = _rows([str(a) for a in WHOLE])
    plan = _sqlite_plan(tmp_path, rows, created=True)
    code, document, output = _track(plan)
    assert code == 2, output
    assert "PLC794" in output and "binary float" in output and "Traceback" not in output, output
    assert not document.get("progress")


def test_a_sqlite_real_amount_below_the_first_row_is_refused(tmp_path: Path) -> None:
    """Only the first row's type is probed: a REAL further down makes a float sum, refused."""
    pytest.importorskip("sqlalchemy")
    rows = _rows(["1054", "1054.5"])  # SQLite stores 1054.5 in an INTEGER column as REAL
    plan = _sqlite_plan(tmp_path, rows, created=False)
    with sqlite3.connect(tmp_path / "crm.db") as connection:
        assert connection.execute(
            "SELECT typeof(close_value) FROM opportunities LIMIT 1"
        ).fetchone() == ("integer",)
    code, _document, output = _track(plan)
    assert code == 2, output
    assert "PLC794" in output and "binary float" in output and "Traceback" not in output, output
