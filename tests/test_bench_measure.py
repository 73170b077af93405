"""bench/measure.py's launcher: ``--no-sample`` measures a command without the memory sampler."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

MEASURE = Path(__file__).resolve().parents[1] / "bench" / "measure.py"
QUICK = [sys.executable, "-c", "import sys; sys.exit(3)"]


def _launch(tmp_path: Path, *flags: str) -> dict[str, float]:
    result = tmp_path / "result.json"
    done = subprocess.run(
        [sys.executable, str(MEASURE), str(result), *flags, "--", *QUICK],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    numbers: dict[str, float] = json.loads(result.read_text(encoding="utf-8"))
    return numbers


def test_no_sample_measures_the_command_and_leaves_the_tree_figures_at_zero(
    tmp_path: Path,
) -> None:
    numbers = _launch(tmp_path, "--no-sample")
    assert numbers["exit_code"] == 3
    assert numbers["seconds"] > 0
    assert numbers["max_rss"] > 0
    assert numbers["tree_pss"] == numbers["tree_rss"] == numbers["tree_processes"] == 0


def test_sampling_stays_the_default(tmp_path: Path) -> None:
    numbers = _launch(tmp_path)
    assert numbers["exit_code"] == 3
    assert set(numbers) >= {"tree_pss", "tree_rss", "tree_processes"}


@pytest.mark.parametrize(
    "flags", [["--no-sample"], ["--no-sample", "--sample", "--"], ["--other", "--"]]
)
def test_a_command_line_of_another_shape_is_refused_with_the_usage(
    tmp_path: Path, flags: list[str]
) -> None:
    args = [sys.executable, str(MEASURE), str(tmp_path / "result.json"), *flags]
    done = subprocess.run([*args, *QUICK[:1]], capture_output=True, text=True, check=False)
    assert done.returncode != 0
    assert "measure.py RESULT.json" in done.stderr
    assert not (tmp_path / "result.json").exists()


STATEMENTS = MEASURE.parent / "statements.py"
SAMPLE = (
    MEASURE.parents[1] / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_pipeline.csv"
)


def test_statements_times_the_duckdb_share_of_a_real_track_run(tmp_path: Path) -> None:
    """bench/statements.py splits a real ``planc track`` run: DuckDB's share is part of it."""
    duckdb = pytest.importorskip("duckdb")
    export = tmp_path / "pipeline.parquet"
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT * FROM read_csv('{SAMPLE}')) TO '{export}' (FORMAT parquet)")
    plan = MEASURE.parents[1] / "plans" / "2017-Q3"
    done = subprocess.run(
        [sys.executable, str(STATEMENTS), str(plan), str(export), "2017-08-15"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PLANC_TRACK_ENGINE": "duckdb"},
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["exit"] in (0, 1)  # 1: the sample's own findings, as planc track reports them
    assert found["statements"] > 5  # the scan, the sets' fetches, the accounts
    assert 0 < found["duckdb_s"] < found["run_s"]
    assert 0 < found["duckdb_cpu"] <= found["run_cpu"]
