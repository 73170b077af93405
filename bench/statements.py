"""How much of a ``planc track`` run DuckDB spends executing planc's own statements.

    python bench/statements.py PLAN EXPORT AS_OF

Runs ``planc track PLAN --actuals EXPORT --as-of AS_OF --format json`` in this
process, with ``duckdb.connect`` wrapped so that every statement planc sends
(``execute`` and the fetch of every result, ``sql(...).fetchnumpy()``) is timed,
wall and CPU (this process's user + system seconds: DuckDB's threads included;
nothing else runs meanwhile). Prints one JSON object: the seconds inside DuckDB,
the statements' count, planc's exit code and the run's wall and CPU seconds after
the imports.

bench/warehouse.py uses it to split a run in two: the DuckDB share is the
aggregation planc asks for, as a database would run it (the file path's
counterpart of ``psql`` running the pushed-down statement alone); the rest is
Python (start-up, imports, the plan's check, folding the sets, tracking, the
report). A report, not a test; it changes nothing in planc.
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import sys
import time
from typing import Any

import duckdb


def cpu_now() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Clock:
    """Wall and CPU seconds spent inside the calls it times."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0
        self.calls = 0

    def time(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        started, started_cpu = time.perf_counter(), cpu_now()
        try:
            return call(*args, **kwargs)
        finally:
            self.wall += time.perf_counter() - started
            self.cpu += cpu_now() - started_cpu
            self.calls += 1


class _Result:
    """A statement's result: its fetches are timed too (DuckDB computes while fetching)."""

    def __init__(self, result: Any, clock: Clock) -> None:
        self._result = result
        self._clock = clock

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._result, name)
        if not name.startswith("fetch"):
            return found
        return lambda *args, **kwargs: self._clock.time(found, *args, **kwargs)

    def __iter__(self) -> Any:
        return iter(self.fetchall())


class _Connection:
    def __init__(self, connection: Any, clock: Clock) -> None:
        self._connection = connection
        self._clock = clock

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        return _Result(self._clock.time(self._connection.execute, *args, **kwargs), self._clock)

    def sql(self, *args: Any, **kwargs: Any) -> Any:
        return _Result(self._connection.sql(*args, **kwargs), self._clock)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


def main(argv: list[str]) -> int:
    plan, export, as_of = argv
    clock = Clock()
    connect = duckdb.connect
    duckdb.connect = lambda *args, **kwargs: _Connection(connect(*args, **kwargs), clock)
    from planc.cli import main as planc_main  # after the wrapper is in place

    started, started_cpu = time.perf_counter(), cpu_now()
    sys.argv = ["planc", "track", plan, "--actuals", export, "--as-of", as_of, "--format", "json"]
    code = 0
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            planc_main()
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 1
    found = {
        "duckdb_s": clock.wall,
        "duckdb_cpu": clock.cpu,
        "statements": clock.calls,
        "run_s": time.perf_counter() - started,
        "run_cpu": cpu_now() - started_cpu,
        "exit": code,
    }
    print(json.dumps(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
