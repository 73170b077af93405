"""What `planc` imports at start-up: modules a run does not use are imported where used.

Every command pays its imports before any work (~0.2 s of a cold `planc check`'s CPU);
these tests pin the modules that were moved into the functions that need them, so that a
later top-level import does not bring the cost back unnoticed."""

from __future__ import annotations

import json
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
