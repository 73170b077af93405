"""Team records made before the first edit, through :mod:`planc.checks.partition`'s public API.

A warm partitioned compile that recompiles one region file loads only the
teams an edit changed, from the file's *team record* (``teams_name(path)`` in
the store). The partition makes that record only when a warm run (the quarter
file's unit already in the store) recompiles at most two files: a cold compile
of a whole folder makes none, so the first edit of a file after it is opened
loads and encodes the whole file (at 10,000 reps, about a second more than the
edits after it).

:func:`make_team_records` makes the records of the files about to be edited
(the language server's open buffers) by running the partition itself, in the
shape in which it makes them: first the quarter file alone (its unit goes into
the store), then the quarter file with those region files, their region
results dropped from the store so that it recompiles them and keeps their
teams. Nothing here builds a record: the partition does, as on an edit, and
the diagnostics of these runs are thrown away (the caller's own compile of the
whole folder gives them). Run before a cold compile of the folder, the region
results computed here are the ones that compile then finds in the store: the
files are not checked twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from planc.checks.base import Check
from planc.checks.partition import (
    MemoryStore,
    PartitionStats,
    RunCheck,
    compile_partitioned,
    result_name,
    teams_name,
)
from planc.core.cache import schema_digest
from planc.core.frontend import unit_digest
from planc.core.source import SourceFile

MAX_FILES = 2  # the partition keeps the teams of a run that recompiles at most this many


def has_team_record(store: MemoryStore, path: str) -> bool:
    """Whether the store holds a team record of region file ``path`` (its age unasked)."""
    return teams_name(path) in store.records


def make_team_records(
    label: str,
    quarter: SourceFile,
    regions: Sequence[SourceFile],
    checks: tuple[Check, ...],
    store: MemoryStore,
    run: RunCheck,
    max_bytes: int,
    digests: Mapping[str, str] | None = None,
    stats: PartitionStats | None = None,
) -> list[str]:
    """Make the team records of ``regions`` (at most :data:`MAX_FILES`) in ``store``.

    ``run`` runs each check (the language server's raises when a newer edit makes
    the work stale: the exception goes through). Returns the paths that have a
    team record after it (a file the partition cannot split into teams gets none).
    ``stats``: what the partition did for these files (``computed``: their results).
    """
    chosen = list(regions)[:MAX_FILES]
    if not chosen:
        return []
    known = dict(digests or {})
    for source in (quarter, *chosen):
        if source.path not in known:
            known[source.path] = unit_digest(source.path, source.data, max_bytes)
    quarter_digest = known[quarter.path]
    if quarter_digest not in store.units:
        # a warm run is one whose quarter unit is in the store: put it there first
        compile_partitioned(
            label, [quarter], checks, [], max_bytes, store=store, workers=1, run=run, digests=known
        )
    schema = schema_digest()
    names = [result_name(known[s.path], quarter_digest, schema) for s in chosen]
    # their results, if kept, are made again (the same, with the teams); put back if the run
    # stops half-way (a newer edit), so that the next compile does not make them again
    dropped = {name: store.records.pop(name) for name in names if name in store.records}
    try:
        compile_partitioned(
            label,
            [quarter, *chosen],
            checks,
            [],
            max_bytes,
            store=store,
            stats=stats,
            workers=1,
            run=run,
            digests=known,
        )
    finally:
        for name, value in dropped.items():
            if name not in store.records:
                store.put_record(name, value)
    return [s.path for s in chosen if has_team_record(store, s.path)]
