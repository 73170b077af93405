"""What `planc` imports at start-up: modules a run does not use are imported where used.

Every command pays its imports before any work (~0.2 s of a cold `planc check`'s CPU);
these tests pin the modules that were moved into the functions that need them, so that a
later top-level import does not bring the cost back unnoticed."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, cli_modules

MINI = REPO / "tests" / "fixtures" / "mini"


def test_a_check_without_a_cache_imports_no_multiprocessing_or_tempfile() -> None:
    """multiprocessing (core.frontend: only a whole compile on several workers uses its pool)
    and tempfile (core.files, core.cache: only a write) are imported where they are used."""
    modules, out = cli_modules("check", "--no-cache", "-f", "json", str(MINI))
    assert json.loads(out)["diagnostics"] == []
    assert "multiprocessing" not in modules
    assert "tempfile" not in modules


def test_a_check_with_a_cache_imports_no_tempfile_or_pickle(tmp_path: Path) -> None:
    """The cache writes its entries without tempfile (shutil, bz2, lzma), and pickle is
    imported only by a run that forks (core.cache, checks.partition, checks.forkpool): a
    warm check of one edited file pays for neither."""
    plan = tmp_path / "2027-Q1"
    shutil.copytree(MINI, plan)
    cache = tmp_path / "cache"
    north = plan / "regions" / "north.yaml"
    for _ in range(2):  # the cache filled, then read back after an edit of one file
        modules, out = cli_modules("check", "-f", "json", "--cache-dir", str(cache), str(plan))
        assert json.loads(out)["diagnostics"] == []
        assert "tempfile" not in modules
        assert "pickle" not in modules
        assert any(cache.glob("*.json"))
        north.write_bytes(north.read_bytes() + b"# edited\n")


PLAN_2017 = REPO / "plans" / "2017-Q3"
SAMPLE = REPO / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_pipeline.csv"


def _track(export: Path) -> tuple[set[str], dict[str, Any]]:
    modules, out = cli_modules(
        "track", str(PLAN_2017), "--actuals", str(export), "--as-of", "2017-08-15", "-f", "json"
    )
    return modules, json.loads(out)


def test_a_csv_track_reads_through_pyarrow_without_pyarrow_compute() -> None:
    """pyarrow.compute wraps every compute function in Python at import (pydoc included,
    ~0.08 s CPU): the CSV reader's one compute call goes through the compiled module."""
    pytest.importorskip("pyarrow.csv")
    modules, report = _track(SAMPLE)
    assert report["ledger"]["rows"] == 8800
    assert "pyarrow.csv" in modules  # the export was read by pyarrow's reader
    assert "pyarrow.compute" not in modules


@pytest.mark.parametrize("suffix", [".parquet", ".xlsx"])
def test_an_export_pandas_reads_imports_no_duckdb_or_sqlalchemy(
    tmp_path: Path, suffix: str
) -> None:
    """duckdb_files.wanted sends a Parquet file under MIN_BYTES and every XLSX to pandas:
    that is decided before DuckDB and SQLAlchemy are imported (~0.5 s CPU of start-up)."""
    pandas = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow" if suffix == ".parquet" else "openpyxl")
    frame = pandas.read_csv(SAMPLE, dtype=str, keep_default_na=False, nrows=400)
    export = tmp_path / f"opportunities{suffix}"
    if suffix == ".parquet":
        frame.to_parquet(export)
    else:
        frame.to_excel(export, index=False)
    modules, report = _track(export)
    assert report["ledger"]["rows"] == 400
    assert "duckdb" not in modules
    assert "sqlalchemy" not in modules


@pytest.mark.parametrize("engine", ["", "duckdb", "pandas"])
def test_duckdb_is_never_wanted_where_it_is_not_imported(
    tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """actuals._duckdb_may_read judges before the import what duckdb_files.wanted decides
    after it: it may say yes where wanted says no, never the other way round."""
    pytest.importorskip("duckdb")
    pytest.importorskip("sqlalchemy")
    from planc.checks import check_directory
    from planc.track import actuals
    from planc.track.engines import duckdb_files

    assert actuals.DUCKDB_MIN_BYTES == duckdb_files.MIN_BYTES
    mapping = check_directory(PLAN_2017).plan.actuals  # type: ignore[union-attr]
    assert mapping is not None
    monkeypatch.setenv(duckdb_files.ENGINE_VARIABLE, engine)
    sizes = (0, duckdb_files.MIN_BYTES - 1, duckdb_files.MIN_BYTES)
    for suffix in (".csv", ".TSV", ".parquet", ".PQ", ".xlsx", ".json", ".csv.gz"):
        for size in sizes:
            export = tmp_path / f"export-{size}{suffix}"
            with export.open("wb") as handle:
                handle.truncate(size)  # sparse: only the size is looked at
            wanted = duckdb_files.wanted(export, mapping)
            assert actuals._duckdb_may_read(export, mapping) or not wanted, (suffix, size)
    missing = tmp_path / "missing.parquet"  # the reader says so, whichever reads it
    assert actuals._duckdb_may_read(missing, mapping) == (engine == "duckdb")


def test_the_dictionary_encoding_falls_back_to_pyarrow_compute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """pyarrow._compute is private: without it the public module encodes, the same way."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.compute as pc

    from planc.track import actuals

    text = pa.chunked_array([pa.array(["b", "a", "b"]), pa.array(["c", "a"])])
    direct = actuals._dictionary_encode(text)
    monkeypatch.setitem(sys.modules, "pyarrow._compute", None)  # importing it now fails
    assert actuals._dictionary_encode(text).equals(direct)
    assert direct.equals(pc.dictionary_encode(text))
