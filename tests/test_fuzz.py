"""Property-based fuzzing: hostile mutations of real plans and exports never break planc.

Random mutations of the example plans' bytes, of their YAML values, and of CRM
export rows go through the real pipeline entry points (``check_sources``,
``run_track``) and, for some, through the command line. Whatever the input:
no exception escapes, every diagnostic has a position in a file it names, the
exit status is 0, 1 or 2, each example finishes in bounded time, and nothing
outside the output is written.

Deadlines: hypothesis' per-example deadline is off (a busy 2-core CI machine
makes timings noisy); each example instead asserts a coarse bound of its own,
and ``max_examples`` keeps the whole module well under 30 seconds.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import MINI, REPO
from planc.checks import check_sources
from planc.cli import cli
from planc.core.diagnostics import Diagnostic
from planc.core.source import SourceFile
from test_output_schemas import assert_valid
from test_sarif import validator as sarif_validator

EXAMPLE = REPO / "plans" / "2027-Q1"
TRACKED = REPO / "plans" / "2017-Q3"
EXPORT = REPO / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_pipeline.csv"
SECONDS_PER_EXAMPLE = 20  # coarse: a hang or a blow-up, not a benchmark
FUZZ = settings(
    deadline=None,
    max_examples=30,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def plan_files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.yaml"))
    }


MINI_FILES = plan_files(MINI)
EXAMPLE_FILES = plan_files(EXAMPLE)
PLANS = {"mini": MINI_FILES, "example": EXAMPLE_FILES}


def assert_positioned(diagnostics: list[Diagnostic], files: set[str], label: str) -> None:
    """Every diagnostic points at a file of the plan (or the plan folder) at line:col >= 1."""
    for d in diagnostics:
        assert d.span is not None, d
        assert d.span.path in files or d.span.path == label, d
        assert d.span.line >= 1 and d.span.col >= 1, d


def compile_files(files: dict[str, bytes]) -> None:
    label = "plan"
    sources = [SourceFile(f"{label}/{name}", data) for name, data in files.items()]
    started = time.monotonic()
    result = check_sources(label, sources)
    assert time.monotonic() - started < SECONDS_PER_EXAMPLE
    assert_positioned(result.diagnostics, {s.path for s in sources}, label)


# --- strategies -------------------------------------------------------------------------

NASTY_TEXT = st.sampled_from(
    [
        "", "~", "no", "yes", "1e6", "1.0e+400", "9" * 400, "-0", "0x1F", "1,000", "010",
        "2027-02-30", "[", "{", "]", "&a", "*a", "!!python/object:os.system", "\t", "\x00",
        "华北", "\u202e", "\x1b[31m", "=cmd|' /C calc'!A0", "..", "/etc/passwd", "a" * 300,
    ]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    NASTY_TEXT,
    st.text(max_size=20),
)


def _nested(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)


VALUES = st.recursive(SCALARS, _nested, max_leaves=6)


@st.composite
def byte_mutations(draw: st.DrawFn) -> dict[str, bytes]:
    # mostly the small plan: the example plan (42 reps) takes ten times as long to compile
    files = dict(PLANS[draw(st.sampled_from(["mini", "mini", "mini", "example"]))])
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        name = draw(st.sampled_from(sorted(files)))
        data = bytearray(files[name])
        at = draw(st.integers(min_value=0, max_value=len(data)))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "repeat"]))
        if kind == "flip" and at < len(data):
            data[at] = draw(st.integers(min_value=0, max_value=255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16) | NASTY_TEXT.map(str.encode))
        elif kind == "delete":
            del data[at : at + draw(st.integers(min_value=1, max_value=64))]
        elif kind == "truncate":
            del data[at:]
        else:  # repeat a slice: duplicate keys, doubled blocks
            width = draw(st.integers(min_value=1, max_value=200))
            data[at:at] = data[at : at + width]
        files[name] = bytes(data)
    return files


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def node_mutations(draw: st.DrawFn) -> dict[str, bytes]:
    """Replace, delete or retype YAML values of the mini plan, then write it back as YAML."""
    files = dict(MINI_FILES)
    name = draw(st.sampled_from(sorted(files)))
    document = yaml.safe_load(files[name])
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(_paths(document)[1:]))
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(VALUES)
        if not isinstance(document, dict):
            break
    files[name] = yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()
    return files


def export_rows() -> list[list[str]]:
    with EXPORT.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    # the header and a few hundred rows of the quarter (2017-Q3): enough for every path
    return [rows[0], *[r for r in rows[1:] if r[6][:7] in ("2017-07", "2017-08")][:300]]


ROWS = export_rows()


@st.composite
def row_mutations(draw: st.DrawFn) -> bytes:
    rows = [list(r) for r in ROWS]
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        index = draw(st.integers(min_value=0, max_value=len(rows) - 1))
        kind = draw(st.sampled_from(["cell", "cell", "extra", "short", "drop"]))
        row = rows[index]
        if kind == "cell" and row:
            column = draw(st.integers(min_value=0, max_value=len(row) - 1))
            row[column] = draw(NASTY_TEXT | st.text(max_size=12) | st.integers().map(str))
        elif kind == "extra":
            row.append(draw(NASTY_TEXT))
        elif kind == "short" and row:
            row.pop()
        elif kind == "drop" and len(rows) > 1:
            del rows[index]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8", errors="surrogatepass")


# --- properties ---------------------------------------------------------------------------


class TestCompilerNeverBreaks:
    """The compiler turns any bytes into diagnostics with positions, never an exception."""

    @FUZZ
    @given(byte_mutations())
    def test_mutated_bytes(self, files: dict[str, bytes]) -> None:
        compile_files(files)

    @FUZZ
    @given(node_mutations())
    def test_mutated_values(self, files: dict[str, bytes]) -> None:
        compile_files(files)


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run_cli(args: list[str], cwd: Path) -> Any:
    import os

    before = Path.cwd()
    os.chdir(cwd)
    try:
        started = time.monotonic()
        result = CliRunner().invoke(cli, args)
        assert time.monotonic() - started < SECONDS_PER_EXAMPLE
    finally:
        os.chdir(before)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"planc {' '.join(args)} raised") from result.exception
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    return result


class TestTrackNeverBreaks:
    """Mutated CRM rows are diagnosed at their row; the plan and the export are never written."""

    @settings(FUZZ, max_examples=12)
    @given(row_mutations())
    def test_mutated_export(self, export: bytes) -> None:
        from planc.track.report import run_track

        with tempfile.TemporaryDirectory() as folder:
            actuals = Path(folder) / "crm.csv"
            actuals.write_bytes(export)
            plan_before = snapshot(TRACKED)
            started = time.monotonic()
            report = run_track(TRACKED, actuals, date(2017, 8, 15))
            assert time.monotonic() - started < SECONDS_PER_EXAMPLE
            assert actuals.read_bytes() == export
            assert snapshot(TRACKED) == plan_before
        files = {*report.check.sources, report.actuals_path}
        assert_positioned(report.diagnostics, files, report.label)


class TestCommandLineNeverBreaks:
    """Through the CLI: exit 0, 1 or 2, no traceback, only the output file written."""

    @settings(FUZZ, max_examples=8)
    @given(byte_mutations(), st.sampled_from(["text", "json", "sarif", "github"]))
    def test_check_writes_only_its_output(self, files: dict[str, bytes], fmt: str) -> None:
        with tempfile.TemporaryDirectory() as folder:
            work = Path(folder)
            for name, data in files.items():
                (work / "plan" / name).parent.mkdir(parents=True, exist_ok=True)
                (work / "plan" / name).write_bytes(data)
            before = snapshot(work)
            run_cli(["check", "plan", "--format", fmt, "--output", "report.out"], work)
            after = snapshot(work)
            assert set(after) - set(before) <= {"report.out"}
            assert {k: after[k] for k in before} == before
            report = (work / "report.out").read_text(encoding="utf-8")
            if fmt == "json":  # the published schema holds for whatever the plan was
                assert_valid("check", json.loads(report))
            elif fmt == "sarif":  # and the official SARIF schema
                assert not list(sarif_validator().iter_errors(json.loads(report)))
