"""Which actuals source reads which file: ``--actuals FILE`` or ``--actuals NAME=FILE``.

A plan's ``actuals:`` is one source (the mapping itself), or several named
under ``actuals.sources`` (say ``crm`` for bookings and ``finance`` for
collections), each measuring the metrics its ``metrics:`` lists. The command
line hands each source its export: ``--actuals FILE`` for the one source,
``--actuals NAME=FILE`` once per source for several. A source not given a file
reads the database its ``source:`` names. Everything that cannot work is a
:class:`SourceChoiceError`, a usage error that says what to write instead
(and where in the plan a source is declared).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from planc.core.diagnostics import Diagnostic, Severity
from planc.core.model import ActualsMapping, Plan
from planc.core.pipeline import display_path
from planc.core.source import Loc
from planc.core.spelling import closest
from planc.track.aggregates import Actuals


class SourceChoiceError(Exception):
    """The ``--actuals`` given do not fit the plan's actuals sources (a usage error, exit 2)."""


@dataclass(frozen=True, slots=True)
class SourceInput:
    """One actuals source and where to read it: an export, or (path None) its database."""

    mapping: ActualsMapping | None  # None: the plan has no actuals: (the reader says so)
    path: Path | None

    @property
    def name(self) -> str:
        return "" if self.mapping is None else self.mapping.name

    @property
    def columns(self) -> Mapping[str, str]:
        return {} if self.mapping is None else self.mapping.columns

    def plan_view(self, plan: Plan) -> Plan:
        """The plan as this source's reader and tracking see it."""
        return plan if self.mapping is None else plan.reading(self.mapping)


def split_actuals(value: str) -> tuple[str, str]:
    """``NAME=FILE`` as (name, file); ("", value) when it names no source.

    The part before the first ``=`` is a source name only when it looks like one
    (letters, digits, ``_`` and ``-``): ``./a=b.csv`` is a file.
    """
    name, sep, rest = value.partition("=")
    if sep and name and all(c.isalnum() or c in "_-" for c in name):
        return name, rest
    return "", value


def choose_sources(
    plan: Plan,
    values: Sequence[str],
    where: Callable[[Loc], str],
    *,
    every: bool = True,
) -> list[SourceInput]:
    """The sources to read and their files, from the ``--actuals`` values given.

    ``where`` turns a place in the plan into ``file:line:col`` for messages.
    ``every=False`` (a command that reads one source, e.g. ``planc backtest``)
    takes just the sources given. With no ``actuals:`` at all, a single FILE is
    still handed on (the reader reports the missing mapping with its position).
    """
    if not plan.several_sources:
        return _one_source(plan, values)
    named: dict[str, Path] = {}
    known = {mapping.name: mapping for mapping in plan.actuals_sources}
    listed = ", ".join(known)
    for value in values:
        name, file = split_actuals(value)
        if not name:
            raise SourceChoiceError(
                f"--actuals {value}: the plan reads several actuals sources ({listed}); "
                "give each one's export as --actuals NAME=FILE"
            )
        if name not in known:
            near = closest(name, list(known))
            guess = f" (did you mean `{near}`?)" if near else ""
            raise SourceChoiceError(
                f"--actuals {value}: the plan has no actuals source `{name}`{guess}; "
                f"its sources: {listed}"
            )
        if name in named:
            raise SourceChoiceError(f"--actuals {name}=...: given twice; give each source once")
        if not file:
            raise SourceChoiceError(f"--actuals {value}: give the export after the =")
        named[name] = Path(file)
    chosen = []
    for name, mapping in known.items():
        path = named.get(name)
        if path is None and mapping.source is None:
            if not every:
                continue
            raise SourceChoiceError(
                f"{where(mapping.loc.as_key())}: actuals source `{name}` reads an export: "
                f"give it as --actuals {name}=FILE"
            )
        chosen.append(SourceInput(mapping, path))
    return chosen


def _one_source(plan: Plan, values: Sequence[str]) -> list[SourceInput]:
    mapping = plan.actuals
    if len(values) > 1:
        raise SourceChoiceError(
            "--actuals is given more than once, but the plan's actuals: is one source: "
            "give one --actuals FILE (several sources are named under actuals.sources)"
        )
    if values:
        value = values[0]
        if not value:  # Path("") is ".": the folder planc runs in, never what was meant
            raise SourceChoiceError("--actuals: the path is empty; give the export file")
        name, _ = split_actuals(value)
        if name and not Path(value).exists():
            raise SourceChoiceError(
                f"--actuals {value}: the plan's actuals: is one source, not named "
                f"sources: give --actuals FILE"
            )
        return [SourceInput(mapping, Path(value))]
    if mapping is not None and mapping.source is not None:
        return [SourceInput(mapping, None)]
    raise SourceChoiceError(
        "give the export with --actuals FILE, or name a database in the plan's actuals.source"
    )


@dataclass(slots=True)
class SourcesRead:
    """What reading the chosen sources gave: each one's aggregates (all or none), the
    problems found, each source as shown (``crm=exports/crm.csv``), and whether a
    database could not be read at all (PLC79x: exit 2)."""

    read: list[tuple[ActualsMapping, Actuals]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    failed: bool = False
    complete: bool = False  # every source was read without an error


def read_sources(
    plan: Plan, chosen: Sequence[SourceInput], as_of: date, *, baselines: bool
) -> SourcesRead:
    """Read each source with its own mapping, in order; stop at the first that has errors."""
    out = SourcesRead()
    for source in chosen:
        actuals, found, shown = _read_one(out, source, plan, as_of, baselines)
        out.shown.append(f"{source.name}={shown}" if source.name else shown)
        out.diagnostics += found
        errors = any(d.severity is Severity.ERROR for d in found)
        if actuals is None or errors or source.mapping is None:
            out.read = []
            return out
        out.read.append((source.mapping, actuals))
    out.complete = True
    return out


def _read_one(
    out: SourcesRead, source: SourceInput, plan: Plan, as_of: date, baselines: bool
) -> tuple[Actuals | None, list[Diagnostic], str]:
    view = source.plan_view(plan)
    if source.path is not None:
        from planc.track.actuals import load_actuals  # noqa: PLC0415 - pandas only when reading

        shown = display_path(source.path)
        loaded = load_actuals(source.path, view, as_of, shown=shown, baselines=baselines)
        return loaded.actuals, loaded.diagnostics, shown
    assert source.mapping is not None and source.mapping.source is not None
    from planc.track.engines.sql import load_sql_actuals  # noqa: PLC0415 - SQLAlchemy only here

    read = load_sql_actuals(source.mapping.source, view, as_of, baselines=baselines)
    out.failed = out.failed or read.failed
    return read.loaded.actuals, read.loaded.diagnostics, read.shown
