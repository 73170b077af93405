"""Benchmark ``planc track`` through DuckDB (files) and PostgreSQL (a table) against in-run floors.

    python bench/warehouse.py [--rows 1000000,5000000] [--runs 3] [--sql-rows 5000000]
                              [--workdir DIR] [--reuse] [--json FILE]

For each size it writes the plan and the opportunity export of bench/track.py
(CSV; 300 reps, owners by e-mail, a third of the amounts with cents), a typed
Parquet copy (dates as DATE, amounts as DECIMAL(12, 2)) made by DuckDB, and
measures, best of ``--runs``, alternating floor and planc:

- file floors, in this process (no interpreter start, no imports):
  *DuckDB read + group by*: DuckDB's own ``SELECT owner, product, stage, month,
  count(*), sum(amount) ... GROUP BY`` over the file, types auto-detected; and
  *fastest CSV reader*: the fastest of ``pandas.read_csv`` (C engine),
  ``pandas.read_csv(engine="pyarrow")``, ``pyarrow.csv.read_csv`` and DuckDB's
  ``read_csv`` to Arrow, each reading the six mapped columns;
- planc: ``python -m planc track PLAN --actuals FILE --as-of ... --format json``
  as a subprocess (interpreter start, imports, the plan's check, the
  aggregation, tracking, the report), once with each reader
  (``PLANC_TRACK_ENGINE=pandas`` and ``=duckdb``), its peak RSS measured by
  ``/usr/bin/time`` for that process alone.

Like for like, for each Parquet file (and the ``--big-rows`` one): the floor beside
``planc track`` with the plan's full mapping and with a copy of the plan whose mapping
names only the floor's columns (owner, product, stage, date, amount; revenue), each run
also through ``bench/statements.py``, which times the part of the run spent inside DuckDB
executing planc's statements: the aggregation planc asks for, apart from Python's share.

With ``--sql-rows`` it also starts a private PostgreSQL (tests/postgres.py),
loads that many rows into a typed table and compares ``planc track`` reading
``actuals.source`` with ``psql`` running the one pushed-down statement alone.
Company revenue is checked against an independent Decimal sum. A report, not
a test: it always exits 0. Big files go to a temporary folder, never the repo.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "tests"))

import duckdb  # noqa: E402

import track as track_bench  # noqa: E402
from measure import bytecode_env  # noqa: E402

GiB = 1024**3
AS_OF = track_bench.AS_OF
COLUMNS = track_bench.COLUMNS
FLOOR_SQL = """
SELECT sales_agent, product, deal_stage, date_trunc('month', close_date) AS month,
       count(*) AS n, sum(close_value) AS amount
FROM {source} GROUP BY ALL
"""


@dataclass
class Run:
    seconds: float
    peak: int
    exit_code: int
    stdout: str
    stderr: str
    cpu: float = 0.0  # user + system CPU seconds of the planc process alone


def cpu_now() -> float:
    """This process's user + system CPU seconds so far (DuckDB's threads included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_planc(cmd: list[str], env: dict[str, str] | None = None) -> Run:
    """Wall time, CPU time and peak RSS of the planc process alone (GNU time's %M in KiB,
    %U and %S), its bytecode compiled once (:func:`bytecode_env`)."""
    with tempfile.NamedTemporaryFile(suffix=".time") as stats:
        started = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-q", "-f", "%M %U %S", "-o", stats.name, *cmd],
            capture_output=True,
            text=True,
            env={**os.environ, **bytecode_env(), **(env or {})},
            check=False,
        )
        seconds = time.perf_counter() - started
        text = Path(stats.name).read_text(encoding="utf-8").strip().splitlines()
    fields = text[-1].split() if text else []
    peak = int(fields[0]) * 1024 if len(fields) == 3 and fields[0].isdigit() else 0
    cpu = float(fields[1]) + float(fields[2]) if len(fields) == 3 else 0.0
    return Run(seconds, peak, done.returncode, done.stdout, done.stderr, cpu)


def timed(runs: int, work: Callable[[], Any]) -> tuple[float, float]:
    """Best wall time and best CPU time of ``runs`` calls (in this process)."""
    wall, cpu = float("inf"), float("inf")
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), cpu_now()
        work()
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, cpu_now() - started_cpu)
    return wall, cpu


def best_of(runs: int, work: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


# The module each floor runs in: a process that only starts Python and imports it is the
# least any Python program built on that reader can take before reading a byte.
READER_MODULES = {
    "DuckDB read + group by": "duckdb",
    "pandas.read_csv (C engine)": "pandas",
    "pandas.read_csv (pyarrow engine)": "pandas",
    "pyarrow.csv.read_csv": "pyarrow.csv",
    "duckdb read_csv -> Arrow": "duckdb",
}


def startup_seconds(module: str, runs: int) -> float:
    """Best wall time of ``python -c "import MODULE"`` as a process, measured as planc is.

    The floors run in this process, where the interpreter has started and the reader is
    imported already; planc pays both. So ``(start-up + floor) / floor`` is the least
    ratio any Python program reading through that module can reach: when it is above a
    target, the target is out of reach by how it is measured, not by planc's work."""
    return min(run_planc([sys.executable, "-c", f"import {module}"]).seconds for _ in range(runs))


def check_beyond_startup(checks: list[float], runs: int) -> float:
    """What the plan's check adds to a process: ``planc check`` less a bare interpreter's start.

    ``planc track`` must compile and check the plan (it reports its diagnostics), so any
    program doing track's job pays at least this beside its reader."""
    return max(min(checks) - startup_seconds("sys", runs), 0.0)


def arrow_group_by(path: Path) -> Callable[[], Any]:
    """pyarrow's reader and one Arrow group by of the ledger's keys: the least aggregation
    any track of a CSV does (owner, product, stage, day: count and sum), on the fastest reader."""
    import pyarrow.csv as pacsv

    keys = ["sales_agent", "product", "deal_stage", "close_date"]

    def work() -> Any:
        table = pacsv.read_csv(
            path, convert_options=pacsv.ConvertOptions(include_columns=[*keys, "close_value"])
        )
        return table.group_by(keys).aggregate([("close_value", "sum"), ("close_value", "count")])

    return work


def duckdb_group_by(path: Path) -> Callable[[], Any]:
    source = "read_parquet(?)" if path.suffix == ".parquet" else "read_csv(?)"

    def work() -> Any:
        with duckdb.connect() as con:
            return con.execute(FLOOR_SQL.format(source=source), [str(path)]).fetchall()

    return work


def csv_readers(path: Path) -> dict[str, Callable[[], Any]]:
    """Every CSV reader installed, each reading the six mapped columns."""
    readers: dict[str, Callable[[], Any]] = {}
    import pandas as pd

    readers["pandas.read_csv (C engine)"] = lambda: pd.read_csv(path, usecols=COLUMNS)
    try:
        import pyarrow.csv as pacsv

        readers["pandas.read_csv (pyarrow engine)"] = lambda: pd.read_csv(
            path, usecols=COLUMNS, engine="pyarrow"
        )
        readers["pyarrow.csv.read_csv"] = lambda: pacsv.read_csv(
            path, convert_options=pacsv.ConvertOptions(include_columns=COLUMNS)
        )
    except ImportError:
        pass

    def duck() -> Any:
        with duckdb.connect() as con:
            names = ", ".join(COLUMNS)
            return con.sql(f"SELECT {names} FROM read_csv('{path}')").to_arrow_table()

    readers["duckdb read_csv -> Arrow"] = duck
    return readers


def revenue_of(run: Run) -> Decimal | None:
    try:
        document = json.loads(run.stdout)
        company = next(
            p for p in document["progress"] if p["level"] == "company" and p["metric"] == "revenue"
        )
        return Decimal(company["attained"])
    except (ValueError, KeyError, StopIteration):
        return None


def make_files(rows: int, work: Path, reuse: bool) -> tuple[Path, Path, Path]:
    plan = work / "plans" / "2027-Q1"
    export = work / "opportunities.csv"
    parquet = work / "opportunities.parquet"
    if not (reuse and export.exists() and (plan / "quarter.yaml").exists()):
        names, products = track_bench.make_plan(300, plan)
        track_bench.make_export(rows, names, products, export)
    if not (reuse and parquet.exists()):
        with duckdb.connect() as con:
            con.execute(
                "COPY (SELECT * REPLACE (CAST(close_value AS DECIMAL(12, 2)) AS close_value) "
                "FROM read_csv(?, types={'close_value': 'VARCHAR'})) TO '"
                + str(parquet).replace("'", "''")
                + "' (FORMAT parquet)",
                [str(export)],
            )
    return plan, export, parquet


ENGINES = ("pandas", "duckdb")  # PLANC_TRACK_ENGINE: each file through both readers

# The plan's mapping read down to the floor's own columns (owner, product, stage, date,
# amount) and its one metric on them, revenue: no accounts (new customers, key-product
# share), no created dates (the pipeline forecast). planc then aggregates what the floor
# aggregates, plus what it always computes (the ledger's flags, sums of squares, tracking).
FULL_ONLY = ("account: account", "created: engage_date", "new_customers:", "key_product_share:")
FLOOR_MAPPING = "".join(
    line
    for line in track_bench.MAPPING.splitlines(keepends=True)
    if not line.strip().startswith(FULL_ONLY)
)


def floor_columns_plan(plan: Path) -> Path:
    """A copy of ``plan`` whose actuals mapping names only the floor's columns (FLOOR_MAPPING)."""
    import shutil

    lean = plan.parent.parent / "plans-floor-columns" / plan.name
    shutil.rmtree(lean, ignore_errors=True)  # made again each time: the plan may be new
    shutil.copytree(plan, lean)
    quarter = lean / "quarter.yaml"
    text = quarter.read_text(encoding="utf-8")
    assert track_bench.MAPPING in text, "bench/track.py's mapping is not in the plan"
    quarter.write_text(text.replace(track_bench.MAPPING, FLOOR_MAPPING), encoding="utf-8")
    return lean


@dataclass
class Statements:
    """bench/statements.py's split of one planc track run (in its own process)."""

    duckdb_s: float  # inside DuckDB: planc's statements and their fetches, wall
    duckdb_cpu: float  # the same, CPU (DuckDB's threads included)
    run_s: float  # the whole command after the imports, wall
    run_cpu: float
    exit_code: int


def run_statements(plan: Path, path: Path) -> Statements:
    done = subprocess.run(
        [sys.executable, str(BENCH / "statements.py"), str(plan), str(path), AS_OF],
        capture_output=True,
        text=True,
        env={**os.environ, **bytecode_env()},
        check=False,
    )
    try:
        found = json.loads(done.stdout.strip().splitlines()[-1])
        return Statements(
            found["duckdb_s"], found["duckdb_cpu"], found["run_s"], found["run_cpu"], found["exit"]
        )
    except (IndexError, ValueError, KeyError):
        print(done.stderr[-2000:])
        return Statements(float("nan"), float("nan"), float("nan"), float("nan"), 1)


def like_for_like(
    rows: int, plan: Path, path: Path, runs: int, floor: Callable[[], Any]
) -> dict[str, Any]:
    """planc on ``path`` with the full mapping and with the floor's columns only, each beside
    the floor and split into DuckDB's share and the rest; alternated, best of ``runs``."""
    lean = floor_columns_plan(plan)
    floors, floor_cpus = [], []
    found: dict[str, dict[str, list[Any]]] = {
        name: {"runs": [], "statements": []} for name in ("full", "floor columns")
    }
    for _ in range(runs):
        wall, cpu = timed(1, floor)
        floors.append(wall)
        floor_cpus.append(cpu)
        for name, which in (("full", plan), ("floor columns", lean)):
            cmd = [sys.executable, "-m", "planc", "track", str(which), "--actuals", str(path)]
            found[name]["runs"].append(run_planc([*cmd, "--as-of", AS_OF, "--format", "json"]))
            found[name]["statements"].append(run_statements(which, path))
    entries = {}
    for name, measured in found.items():
        best = min(measured["runs"], key=lambda r: r.seconds)
        statements = measured["statements"]
        entries[name] = {
            "planc_s": best.seconds,
            "planc_cpu": min(r.cpu for r in measured["runs"]),
            "ratio": best.seconds / min(floors),
            "cpu_ratio": min(r.cpu for r in measured["runs"]) / min(floor_cpus),
            "duckdb_s": min(s.duckdb_s for s in statements),
            "duckdb_cpu": min(s.duckdb_cpu for s in statements),
            "peak": max(r.peak for r in measured["runs"]),
            "exit": max(best.exit_code, *(s.exit_code for s in statements)),
            "revenue": str(revenue_of(best)),  # "None" when the report had none
        }
        if best.exit_code != 0:
            print(best.stderr[-2000:])
    return {
        "rows": rows,
        "file": path.suffix.lstrip("."),
        "floor_s": min(floors),
        "floor_cpu": min(floor_cpus),
        "plans": entries,
    }


def bench_files(rows: int, args: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    plan, export, parquet = make_files(rows, work, args.reuse)
    expected = track_bench.expected_revenue(export)
    results = []
    for path in (export, parquet):
        cmd = [sys.executable, "-m", "planc", "track", str(plan), "--actuals", str(path)]
        cmd += ["--as-of", AS_OF, "--format", "json"]
        floors: list[float] = []
        floor_cpus: list[float] = []
        checks: list[float] = []
        runs: dict[str, list[Run]] = {engine: [] for engine in ENGINES}
        for _ in range(args.runs):
            wall, cpu = timed(1, duckdb_group_by(path))
            floors.append(wall)
            floor_cpus.append(cpu)
            checks.append(run_planc([sys.executable, "-m", "planc", "check", str(plan)]).seconds)
            for engine in ENGINES:
                runs[engine].append(run_planc(cmd, {"PLANC_TRACK_ENGINE": engine}))
        reader_times = (
            {name: timed(args.runs, fn) for name, fn in csv_readers(path).items()}
            if path is export
            else {}
        )
        readers = {name: wall for name, (wall, _) in reader_times.items()}
        startups = {
            module: startup_seconds(module, args.runs)
            for module in {READER_MODULES["DuckDB read + group by"]}
            | {READER_MODULES[name] for name in readers if name in READER_MODULES}
        }
        reader_cpus = {name: cpu for name, (_, cpu) in reader_times.items()}
        check_extra = check_beyond_startup(checks, args.runs)
        arrow_work = (
            timed(args.runs, arrow_group_by(path))[0] if "pyarrow.csv.read_csv" in readers else None
        )
        for engine in ENGINES:
            best = min(runs[engine], key=lambda r: r.seconds)
            entry = {
                "rows": rows,
                "file": path.suffix.lstrip("."),
                "engine": engine,
                "bytes": path.stat().st_size,
                "floor": "DuckDB read + group by",
                "floor_s": min(floors),
                "planc_s": best.seconds,
                "ratio": best.seconds / min(floors),
                "startup_s": startups["duckdb"],
                "least_ratio": (startups["duckdb"] + min(floors)) / min(floors),
                # ... and with the plan's check, which track cannot skip
                "check_extra_s": check_extra,
                "least_work_ratio": (startups["duckdb"] + check_extra + min(floors)) / min(floors),
                # CPU seconds, less hit by other jobs than wall time on a shared machine
                "floor_cpu": min(floor_cpus),
                "planc_cpu": min(r.cpu for r in runs[engine]),
                "cpu_ratio": min(r.cpu for r in runs[engine]) / min(floor_cpus),
                # fixed costs apart: interpreter, imports and the plan's check (planc check)
                "check_s": min(checks),
                "beyond_check_ratio": max(best.seconds - min(checks), 0.0) / min(floors),
                "peak": max(r.peak for r in runs[engine]),
                "exit": best.exit_code,
                "revenue_ok": revenue_of(best) == expected,
            }
            if readers:
                fastest = min(readers, key=lambda name: readers[name])
                entry["readers"] = readers
                entry["fastest_reader"] = fastest
                entry["reader_ratio"] = best.seconds / readers[fastest]
                reader_startup = startups[READER_MODULES.get(fastest, "duckdb")]
                entry["reader_startup_s"] = reader_startup
                entry["reader_least_ratio"] = (reader_startup + readers[fastest]) / readers[fastest]
                if arrow_work is not None:
                    # start-up, the plan's check, pyarrow's read and one Arrow group by
                    least = startups["pyarrow.csv"] + check_extra + arrow_work
                    entry["arrow_group_by_s"] = arrow_work
                    entry["reader_least_work_ratio"] = least / readers[fastest]
                fastest_cpu = min(reader_cpus, key=lambda name: reader_cpus[name])
                entry["reader_cpus"] = reader_cpus
                entry["fastest_reader_cpu"] = fastest_cpu
                entry["reader_cpu_ratio"] = entry["planc_cpu"] / reader_cpus[fastest_cpu]
                # what pandas' floor used as installed (pyarrow makes its text Arrow strings)
                entry["reader_engine"] = track_bench.floor_engine(path)
            if best.exit_code != 0:
                print(best.stderr[-2000:])
            results.append(entry)
    return results


def bench_like(rows: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    plan, _, parquet = make_files(rows, work, args.reuse)
    return like_for_like(rows, plan, parquet, args.runs, duckdb_group_by(parquet))


BIG_PARQUET = """
COPY (
    SELECT printf('%08X', i) AS opportunity_id,
           list_element($owners, CAST(hash(i, 'owner') % len($owners) AS INTEGER) + 1) AS sales_agent,
           list_element($products, CAST(hash(i, 'product') % len($products) AS INTEGER) + 1)
               AS product,
           'Account ' || lpad(CAST(hash(i, 'account') % 20000 AS VARCHAR), 5, '0') AS account,
           stage AS deal_stage,
           DATE '2026-01-01' + CAST(hash(i, 'engaged') % 455 AS INTEGER) AS engage_date,
           CASE WHEN stage IN ('Won', 'Lost')
                THEN DATE '2026-01-01' + CAST(hash(i, 'closed') % 455 AS INTEGER) END AS close_date,
           CASE WHEN stage = 'Won' THEN CAST(
                    50 + hash(i, 'whole') % 29950
                    + CASE WHEN hash(i, 'cents?') % 100 < 33 THEN (hash(i, 'cents') % 100) / 100
                           ELSE 0 END AS DECIMAL(12, 2))
                WHEN stage = 'Lost' THEN CAST(0 AS DECIMAL(12, 2)) END AS close_value
    FROM (
        SELECT i, CASE WHEN hash(i, 'stage') % 100 < 48 THEN 'Won'
                       WHEN hash(i, 'stage') % 100 < 76 THEN 'Lost'
                       WHEN hash(i, 'stage') % 100 < 94 THEN 'Engaging'
                       ELSE 'Prospecting' END AS stage
        FROM range($rows) AS r(i)
    )
) TO '{path}' (FORMAT parquet)
"""


def bench_big(rows: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """A typed Parquet file of ``rows`` rows made by DuckDB itself (no CSV, no pandas), then removed."""
    plan = work / "big" / "plans" / "2027-Q1"
    parquet = work / "big" / "opportunities.parquet"
    names, products = track_bench.make_plan(300, plan)
    started = time.perf_counter()
    with duckdb.connect() as con:
        con.execute(
            BIG_PARQUET.format(path=str(parquet).replace("'", "''")),
            {"owners": names, "products": products, "rows": rows},
        )
        expected = con.execute(
            "SELECT sum(close_value) FROM read_parquet(?) WHERE deal_stage = 'Won' "
            "AND close_date BETWEEN DATE '2027-01-01' AND CAST(? AS DATE)",
            [str(parquet), AS_OF],
        ).fetchone()[0]
    made_s = time.perf_counter() - started
    try:
        # the default reader (DuckDB for a Parquet this size), the full mapping and the
        # floor's columns, each split into DuckDB's share and the rest
        like = like_for_like(rows, plan, parquet, args.runs, duckdb_group_by(parquet))
        full = like["plans"]["full"]
        return {
            "rows": rows,
            "bytes": parquet.stat().st_size,
            "made_s": made_s,
            "floor": "DuckDB read + group by",
            "floor_s": like["floor_s"],
            "planc_s": full["planc_s"],
            "ratio": full["ratio"],
            "floor_cpu": like["floor_cpu"],
            "planc_cpu": full["planc_cpu"],
            "cpu_ratio": full["cpu_ratio"],
            "peak": full["peak"],
            "exit": full["exit"],
            "revenue_ok": full["revenue"] == str(Decimal(expected)),
            "like": like,
        }
    finally:
        parquet.unlink(missing_ok=True)  # ~1.5 GB at 100M rows: never left behind


def bench_sql(rows: int, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    import postgres

    plan, export, _ = make_files(rows, work / f"sql-{rows}", args.reuse)
    expected = track_bench.expected_revenue(export)
    with postgres.cluster() as server:
        admin: Any = server.admin()
        admin.execute("CREATE ROLE bench LOGIN PASSWORD 'bench-pass'")
        admin.execute("CREATE DATABASE crm OWNER bench")
        admin.close()
        con: Any = server.admin("crm")
        con.execute(
            "CREATE TABLE opportunities (opportunity_id TEXT, sales_agent TEXT, product TEXT, "
            "account TEXT, deal_stage TEXT, engage_date DATE, close_date DATE, "
            "close_value NUMERIC(12, 2))"
        )
        started = time.perf_counter()
        with (
            export.open("rb") as handle,
            con.cursor().copy(
                "COPY opportunities FROM STDIN (FORMAT csv, HEADER, NULL '')"
            ) as copy,
        ):
            while block := handle.read(1 << 20):
                copy.write(block)
        con.execute("ALTER TABLE opportunities OWNER TO bench")
        con.execute("VACUUM ANALYZE opportunities")
        load_s = time.perf_counter() - started
        con.close()
        sql_plan = work / f"sql-{rows}" / "sql-plan" / "2027-Q1"
        if not sql_plan.exists():
            import shutil

            shutil.copytree(plan, sql_plan)
            quarter = sql_plan / "quarter.yaml"
            text = quarter.read_text(encoding="utf-8")
            quarter.write_text(
                text.replace(
                    "\nactuals:\n",
                    "\nactuals:\n  source: {url_env: BENCH_URL, table: opportunities}\n",
                ),
                encoding="utf-8",
            )
        env = {"BENCH_URL": server.url("bench", "bench-pass", "crm")}
        statement = pushed_down_sql(sql_plan)
        psql = [str(server.bin / "psql"), "-X", "-q", "-h", "127.0.0.1", "-p", str(server.port)]
        psql += ["-U", "bench", "-d", "crm", "-o", "/dev/null", "-c", statement]
        cmd = [sys.executable, "-m", "planc", "track", str(sql_plan), "--as-of", AS_OF]
        cmd += ["--format", "json"]
        floors, runs = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            subprocess.run(psql, check=True, env={**os.environ, "PGPASSWORD": "bench-pass"})
            floors.append(time.perf_counter() - started)
            runs.append(run_planc(cmd, env))
        best = min(runs, key=lambda r: r.seconds)
        if best.exit_code != 0:
            print(best.stderr[-2000:] or best.stdout[-2000:])
        return {
            "rows": rows,
            "load_s": load_s,
            "floor": "psql, the pushed-down statement alone",
            "floor_s": min(floors),
            "planc_s": best.seconds,
            "ratio": best.seconds / min(floors),
            "peak": max(r.peak for r in runs),
            "exit": best.exit_code,
            "revenue_ok": revenue_of(best) == expected,
        }


def pushed_down_sql(plan_dir: Path, *, grouping_sets: bool = True) -> str:
    """The one statement planc sends, compiled for PostgreSQL with its values inlined."""
    from datetime import date

    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql

    from planc.checks import check_directory
    from planc.track.engines import query as q
    from planc.track.engines import sql
    from planc.track.engines.fold import GroupedAggregator

    checked = check_directory(plan_dir)
    assert checked.plan is not None and checked.plan.actuals is not None
    mapping = checked.plan.actuals
    columns = mapping.columns
    table = sa.table("opportunities", *(sa.column(c) for c in columns.values()))
    amount = table.c[columns["amount"]]
    role = {r: table.c[c] for r, c in columns.items()}
    roles = q.Roles(
        owner=role["owner"],
        day=role["date"],
        amount=amount,
        missing_amount=sa.case((amount.is_(None), 1), else_=0),
        product=role.get("product"),
        stage=role.get("stage"),
        account=role.get("account"),
        key=role.get("key"),
        created=role.get("created"),
        bad_amount=sql._beyond_bound_flag(amount),
    )
    quarter = checked.plan.quarter
    as_of = date.fromisoformat(AS_OF)
    window = q.Window(quarter.start, quarter.end, as_of)
    folding = GroupedAggregator(
        checked.plan, mapping, as_of, "bench", baselines=True, where=lambda role, row: mapping.loc
    )
    sets = q.Plan(
        account_months=folding.account_months(),
        closed_stages=folding.closed_stages(),
        not_won_stages=folding.not_won_stages(),
        accounts="account" in columns,
        keys="key" in columns,
        pipeline="created" in columns,
    )
    statement = q.aggregate_query(table, roles, window, sets, grouping_sets=grouping_sets)
    return str(
        statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="1000000,5000000")
    parser.add_argument("--sql-rows", type=int, default=0)
    parser.add_argument("--big-rows", type=int, default=0, help="a Parquet file made by DuckDB")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="planc-warehouse-bench-") as tmp:
        work = args.workdir or Path(tmp)
        results: dict[str, Any] = {"files": [], "like": [], "sql": None, "big": None}
        for rows in (int(n) for n in args.rows.split(",") if n):
            results["files"] += bench_files(rows, args, work / f"rows-{rows}")
            results["like"].append(bench_like(rows, args, work / f"rows-{rows}"))
        if args.sql_rows:
            results["sql"] = bench_sql(args.sql_rows, args, work)
        if args.big_rows:
            results["big"] = bench_big(args.big_rows, args, work)
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


def least_work(r: dict[str, Any]) -> str:
    """The reader table's least ratio for a program doing track's job, when pyarrow is there."""
    if "reader_least_work_ratio" not in r:
        return "-"
    return (
        f"{r['reader_least_work_ratio']:.2f} (check {r['check_extra_s']:.2f} s, "
        f"read + group by {r['arrow_group_by_s']:.2f} s)"
    )


def report(results: dict[str, Any]) -> None:
    print("# planc track through DuckDB and PostgreSQL\n")
    print(
        "| rows | file | planc reader | MiB | floor s | planc s | planc/floor | check s "
        "| (planc - check)/floor | least possible | with the check | floor CPU s | planc CPU s | CPU ratio | peak GiB "
        "| revenue | |"
    )
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for r in results["files"]:
        ok = r["ratio"] <= 1.5 and r["peak"] < 2 * GiB and r["revenue_ok"]
        print(
            f"| {r['rows']:,} | {r['file']} | {r['engine']} | {r['bytes'] / 2**20:,.0f} | {r['floor_s']:.2f} | "
            f"{r['planc_s']:.2f} | {r['ratio']:.2f} | {r['check_s']:.2f} | "
            f"{r['beyond_check_ratio']:.2f} | {r['least_ratio']:.2f} | {r['least_work_ratio']:.2f} | "
            f"{r['floor_cpu']:.2f} | {r['planc_cpu']:.2f} | "
            f"{r['cpu_ratio']:.2f} | {r['peak'] / GiB:.2f} | "
            f"{'=' if r['revenue_ok'] else 'DIFFERS'} | {'PASS' if ok else 'FAIL'} |"
        )
    print(
        "\nfloor: DuckDB read + group by of the same file, in process. check s: `planc check` of "
        "the same plan as a process (interpreter, imports, the plan's compile): the fixed cost; "
        "(planc - check)/floor is what the actuals cost beyond it. least possible: (start-up + "
        'floor)/floor, start-up being `python -c "import duckdb"` as a process: no Python '
        "program reading through DuckDB can do better, as the floor is measured. with the check: "
        "(start-up + the plan's check beyond a bare interpreter's start + floor)/floor: the least "
        "for a program that also checks the plan, as track must. CPU: user + system seconds "
        "(the floor's in process, DuckDB's threads included; planc's process alone). "
        "PASS/FAIL judges planc/floor (wall).\n"
    )
    print(
        "| rows | planc reader | fastest CSV reader (the same 7 columns) | s | planc s "
        "| planc/reader | least possible | with the check and a group by | |"
    )
    print("|---:|---|---|---:|---:|---:|---:|---:|---|")
    for r in results["files"]:
        if "readers" in r:
            fastest = r["fastest_reader"]
            ok = r["reader_ratio"] <= 1.5
            print(
                f"| {r['rows']:,} | {r['engine']} | {fastest} | {r['readers'][fastest]:.2f} | {r['planc_s']:.2f} | "
                f"{r['reader_ratio']:.2f} | {r['reader_least_ratio']:.2f} "
                f"(start-up {r['reader_startup_s']:.2f} s) | {least_work(r)} | "
                f"{'PASS' if ok else 'FAIL'} |"
            )
            others = ", ".join(
                f"{name} {s:.2f} (CPU {r['reader_cpus'][name]:.2f})"
                for name, s in r["readers"].items()
            )
            print(f"|  | | all readers: {others} | | | | | | |")
            print(f"|  | | pandas as installed: {r['reader_engine']} | | | | | | |")
            print(
                f"|  | | CPU: fastest {r['fastest_reader_cpu']} "
                f"{r['reader_cpus'][r['fastest_reader_cpu']]:.2f}, planc {r['planc_cpu']:.2f} | | | "
                f"{r['reader_cpu_ratio']:.2f} | | | |"
            )
    print(
        "\nwith the check and a group by: (start-up + the plan's check + pyarrow's read of the "
        "ledger's five columns and one Arrow group by of owner, product, stage and day)/reader: "
        "a program doing the least of track's job on the fastest reader (pyarrow only).\n"
    )
    likes = [*results.get("like", []), *([results["big"]["like"]] if results.get("big") else [])]
    if likes:
        report_like(likes)
    big = results.get("big")
    if big:
        ok = big["ratio"] <= 1.5 and big["peak"] < 2 * GiB and big["revenue_ok"]
        print(
            f"\nParquet made by DuckDB, {big['rows']:,} rows, {big['bytes'] / GiB:.2f} GiB "
            f"(made in {big['made_s']:.0f} s, removed after): DuckDB read + group by "
            f"{big['floor_s']:.2f} s, planc {big['planc_s']:.2f} s, ratio {big['ratio']:.2f} "
            f"(CPU {big['floor_cpu']:.2f} s vs {big['planc_cpu']:.2f} s: {big['cpu_ratio']:.2f}), "
            f"peak {big['peak'] / GiB:.2f} GiB, revenue {'=' if big['revenue_ok'] else 'DIFFERS'}: "
            f"{'PASS' if ok else 'FAIL'}"
        )
    sql = results["sql"]
    if sql:
        ok = sql["ratio"] <= 1.5 and sql["revenue_ok"]
        print(
            f"\nSQL, {sql['rows']:,} rows in PostgreSQL (loaded in {sql['load_s']:.1f} s): "
            f"psql {sql['floor_s']:.2f} s, planc {sql['planc_s']:.2f} s, "
            f"ratio {sql['ratio']:.2f}, peak {sql['peak'] / GiB:.2f} GiB, revenue "
            f"{'=' if sql['revenue_ok'] else 'DIFFERS'}: {'PASS' if ok else 'FAIL'}"
        )


def report_like(likes: list[dict[str, Any]]) -> None:
    """The floor beside planc with the plan's full mapping and with the floor's columns only,
    each run split into DuckDB executing planc's statements and the rest (Python)."""
    print(
        "\n| rows | file | plan's mapping | floor s (CPU) | planc s (CPU) | planc/floor "
        "(CPU) | DuckDB in planc s (CPU) | DuckDB/floor (CPU) | planc - DuckDB s (CPU) | |"
    )
    print("|---:|---|---|---:|---:|---:|---:|---:|---:|---|")
    for like in likes:
        for name, r in like["plans"].items():
            ok = r["ratio"] <= 1.5 and r["exit"] == 0
            print(
                f"| {like['rows']:,} | {like['file']} | {name} | {like['floor_s']:.2f} "
                f"({like['floor_cpu']:.2f}) | {r['planc_s']:.2f} ({r['planc_cpu']:.2f}) | "
                f"{r['ratio']:.2f} ({r['cpu_ratio']:.2f}) | {r['duckdb_s']:.2f} "
                f"({r['duckdb_cpu']:.2f}) | {r['duckdb_s'] / like['floor_s']:.2f} "
                f"({r['duckdb_cpu'] / like['floor_cpu']:.2f}) | "
                f"{r['planc_s'] - r['duckdb_s']:.2f} ({r['planc_cpu'] - r['duckdb_cpu']:.2f}) | "
                f"{'PASS' if ok else 'FAIL'} |"
            )
    print(
        "\nfull: the plan's mapping as above (accounts, created dates: new customers, key-product "
        "share, the pipeline forecast). floor columns: the same plan, its mapping cut to the "
        "floor's owner, product, stage, date and amount and the one metric on them (revenue), "
        "so planc aggregates what the floor does plus what it always computes. DuckDB in planc: "
        "the seconds a run of the same command spends inside DuckDB executing planc's statements "
        "and fetching their results (bench/statements.py, its own process, best of the runs): "
        "the aggregation planc asks for, as the database runs it, the file path's counterpart of "
        "psql running the pushed-down statement alone. planc - DuckDB: start-up, imports, the "
        "plan's check, folding, tracking and the report (the DuckDB share from the other run). "
        "PASS/FAIL judges planc/floor (wall).\n"
    )


if __name__ == "__main__":
    raise SystemExit(main())
