"""The partitioned check: per-region results that the cross-file stage reuses (#16 goal 2).

A full compile builds one model of every file and runs every check over it, so
a one-number edit in one region file of a 50,000-rep plan costs as much as a
cold check. Here a plan is split along its files:

- **per region file R** (:func:`region_result`): a model of the quarter file Q
  and R alone; every check runs over it and the findings *located in R* are
  kept, with their spans. Beside them goes R's *interface*: the ids it defines,
  the names it uses that Q + R do not define, its key accounts, the inputs of
  the one check with a plan-wide statistic (PLC453's medians) and a *shell* of
  R for the cross-file stage. The result depends only on Q's and R's bytes and
  on planc's code: it is cached as JSON under exactly that key.
- **cross-file** (:func:`combine`): a *summary plan* of Q and every region's
  shell (the region node with its own targets, its people, and one stand-in
  team and rep per region that carry the sums of the region's team and rep
  targets); every check runs over it and the findings *located in Q* are kept.
  PLC201/PLC205 (their "did you mean" looks at every id of the plan) and PLC453
  (a median over every person) are finished here from the interfaces.

Why each check may be split so (its scope), by code:

=====================  ==================================================================
checks                 scope, and why
=====================  ==================================================================
PLC202-204, 220, 222,  local: what they read of the plan besides R's nodes is defined in Q
330-331, 401-414, 3xx  (metrics, products, pillars, segments, policy, quarter); findings sit
(totals, levels,       on the node or target they judge. A parent's findings (region in R,
smart, seasonality,    company in Q) read its children: a region's children are in R; the
bottom-up, gaps)       company's are the regions, which the shell keeps, and the company's
                       cumulative sums (PLC320) read the stand-in team and rep. The
                       bottom-up number a region rolls up from its teams is written into
                       its shell target.
PLC206 duplicate-id,   local, guarded: a duplicate inside Q + R is found there; an id
PLC208 two teams       defined in two files makes the partition fall back to a full compile.
PLC201, PLC205         local, hint cross-file: the name is unknown in Q + R and (guarded)
                       in every other file; the hint is chosen among every id of the plan.
PLC207, PLC209,        local, guarded: managers, seats and owners resolve inside Q + R;
PLC450-452             a name that another region file defines falls back.
PLC453                 cross-file: the median load is over every person; each region gives
                       its full-tenure people's action counts and its ramping candidates.
PLC221                 local, guarded: a key account listed in two files falls back.
PLC5xx, PLC6xx         local, guarded: an action or adjustment naming a node of another
                       file falls back (resources, budgets, approvals and the chain of
                       adjustments then span files).
PLC73x, PLC767         Q only (actuals mapping), over the summary plan that holds every
                       person of every file.
=====================  ==================================================================

Whatever the guards cannot vouch for (a cross-file reference, a duplicate
across files, a file with errors, no or two quarter files) is compiled by the
full path instead: the partition gives the full compile's diagnostics or is not
used. ``tests/test_partition.py`` compares both on every test plan.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import statistics
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cache, partial
from pathlib import Path
from typing import Any, Protocol

import jsonschema_rs

from planc import __version__
from planc.checks import forkpool, gaps, mapping, people, refs, resources, smart
from planc.checks.base import Check, ancestry
from planc.core import chunks
from planc.core.cache import schema_digest
from planc.core.diagnostics import (
    Diagnostic,
    Severity,
    message_from_json,
    message_json,
    resolve_batches,
    resolve_spans,
)
from planc.core.frontend import (
    CheckResult,
    FileUnit,
    QuarterAbove,
    compile_unit,
    default_workers,
    unit_digest,
)
from planc.core.loader import DEFAULT_MAX_BYTES, load_source
from planc.core.memory import gc_paused
from planc.core.model import BuildMemo, Level, Node, Plan, build_plan
from planc.core.pipeline import declares_quarter
from planc.core.schema import is_valid, schema_document, validate
from planc.core.source import Loc, SourceFile, SourceSpan
from planc.core.spans import SpanResolver

FORMAT = 5  # 4: loads as [count, people] pairs; 5: messages as made (message_json)
_HINT_LATER = {"PLC201": "person", "PLC205": "node"}
_CROSS = {"PLC453"}
# a region's own finding that compares it with the other regions: taken from the summary plan
_AMONG_REGIONS = {"PLC309"}
# a budget of the quarter file counts the requests of every action below it, in every file
_BUDGETS = "PLC501"
_REGION_PATH = ("region",)
_MARK = "\x00"
_MARKED = re.compile(r'"\\u0000([-+.0-9E]+)"')
_SEVERITIES = {s.value: s for s in Severity}


class ResultStore(Protocol):
    """Where units and region results are kept: :class:`~planc.core.cache.UnitCache` on disk,
    :class:`MemoryStore` in a process that compiles the same plan again (the language server)."""

    def get(self, digest: str) -> FileUnit | None: ...

    def put(self, unit: FileUnit) -> None: ...

    def get_record(self, name: str) -> Any: ...

    def put_record(self, name: str, value: Any) -> None: ...

    def get_text(self, name: str) -> str | None: ...

    def put_text(self, name: str, text: str) -> None: ...


class TeamValues:
    """The values of the last unit made of each region file from its team record, decoded
    and schema-checked: the next edit of the file decodes and validates only its changed
    teams (and the rest of the file only if that changed), reusing the others' values.

    The values are what :func:`_unit_from_teams` decodes from the record's JSON texts
    (so the same numbers, exponents included, as decoding them again). A team's value is
    filed under the digest of its chunk's bytes, the rest of the file under its text; each
    was valid against the schema when filed (the whole file is valid exactly when the file
    without its teams is and each team is: the schema asks nothing of ``teams`` but that
    each item be a team, :func:`_piecewise_schema` checks it). Shared values are never
    changed: the model reads them, the interface copies what it changes.

    Kept for the :data:`FILES` files last made so, only their last unit's values."""

    FILES = 2  # as many as warmup.MAX_FILES (~135 MB each for a 2,000-rep file)

    __slots__ = ("_files", "hints", "model", "spans")

    def __init__(self) -> None:
        # path -> (rest text, rest value, {chunk digest: team value})
        self._files: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {}
        # the model's pieces made of these values (reused while the values are the same)
        self.model = BuildMemo()
        # the spans of findings placed in teams (reused while a team's text and line are)
        self.spans = chunks.TeamSpans()
        # the hints of unknown names chosen among every id of the plan (see _Every.hint)
        self.hints: dict[tuple[str, str, str, str], Any] = {}

    @staticmethod
    def usable() -> bool:
        return _team_validator() is not None

    def unit_data(
        self,
        path: str,
        rest_text: str,
        digests: list[str],
        texts: list[str],
        fresh: list[int],
    ) -> dict[str, Any] | None:
        """The file's values (None: not valid): kept values reused, the others decoded from
        ``texts`` and validated."""
        validator = _team_validator()
        if validator is None:
            return None
        kept = self._files.pop(path, None)
        if kept is not None and kept[0] == rest_text:
            rest = kept[1]
        else:
            rest = _decode(rest_text)
            region = rest.get("region")
            if not isinstance(region, dict) or region.get("teams") != [] or not is_valid(rest):
                return None
        known = kept[2] if kept is not None else {}
        renewed = set(fresh)
        teams: list[Any] = []
        by_digest: dict[str, Any] = {}
        for i, (chunk_digest, text) in enumerate(zip(digests, texts, strict=True)):
            team = None if i in renewed else known.get(chunk_digest)
            if team is None:
                team = json.loads(text, parse_float=Decimal)
                if not isinstance(team, dict) or not validator.is_valid(team):
                    return None
            teams.append(team)
            by_digest.setdefault(chunk_digest, team)
        self._files[path] = (rest_text, rest, by_digest)
        while len(self._files) > self.FILES:
            del self._files[next(iter(self._files))]
        return {**rest, "region": {**rest["region"], "teams": teams}}


@cache
def _team_validator() -> Any:
    """A validator of one team (None: the schema's ``teams`` asks more of its items than
    that each be a team, so a file is validated whole)."""
    return _piecewise_schema(schema_document()["definitions"])


def _piecewise_schema(definitions: dict[str, Any]) -> Any:
    teams = definitions.get("region", {}).get("properties", {}).get("teams")
    if not isinstance(teams, dict):
        return None
    if {k: v for k, v in teams.items() if k != "description"} != {
        "type": "array",
        "items": {"$ref": "#/definitions/team"},
    }:
        return None
    return jsonschema_rs.Draft7Validator({"$ref": "#/definitions/team", "definitions": definitions})


@dataclass(slots=True)
class MemoryStore:
    """Units, region results and team records in memory, the ``limit`` most recently used
    of each kept."""

    limit: int = 64  # a 20-file plan and the last edits of each; about 20 MB at 10,000 reps
    units: dict[str, FileUnit] = field(default_factory=dict)
    records: dict[str, Any] = field(default_factory=dict)
    # the decoded, schema-checked values of the last unit made from each file's team record
    # (this process made them: never read from a folder), so that the next edit decodes and
    # validates only the teams it changed; and the models' pieces built from them
    values: TeamValues = field(default_factory=TeamValues)

    def get(self, digest: str) -> FileUnit | None:
        unit = self.units.pop(digest, None)
        if unit is not None:
            self.units[digest] = unit  # the least recently used goes first
        return unit

    def put(self, unit: FileUnit) -> None:
        self.units.pop(unit.digest, None)
        self.units[unit.digest] = unit
        while len(self.units) > self.limit:
            del self.units[next(iter(self.units))]

    def get_record(self, name: str) -> Any:
        value = self.records.pop(name, None)
        if value is not None:
            self.records[name] = value
        return value

    def put_record(self, name: str, value: Any) -> None:
        self.records.pop(name, None)  # a replaced record (a file's teams) is the newest
        self.records[name] = value
        while len(self.records) > self.limit:
            del self.records[next(iter(self.records))]

    def get_text(self, name: str) -> str | None:
        value = self.get_record(name)
        return value if isinstance(value, str) else None

    def put_text(self, name: str, text: str) -> None:
        self.put_record(name, text)


class Unsafe(Exception):
    """The plan has a cross-file dependency the partition does not cover: compile it whole."""


@cache
def checks_digest() -> str:
    """A digest of the checks' code: a changed check finds no cached region result."""
    digest = hashlib.blake2b(digest_size=16)
    for code in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(code.name.encode() + b"\x00" + code.read_bytes())
    return digest.hexdigest()


def result_name(region_digest: str, quarter_digest: str, schema: str) -> str:
    """The cache record's name: everything a region result depends on."""
    return ":".join(
        ("region", str(FORMAT), __version__, schema, checks_digest(), quarter_digest, region_digest)
    )


def _file_of(d: Diagnostic) -> str | None:
    if d.loc is not None:
        return d.loc.file
    return d.span.path if d.span is not None else None


# --- per region ------------------------------------------------------------------


RunCheck = Callable[[Check, Plan], Iterable[Diagnostic]]


def _run(check: Check, plan: Plan) -> Iterable[Diagnostic]:
    return check.run(plan)


def region_result(
    quarter: FileUnit,
    region: FileUnit,
    source: SourceFile,
    checks: Iterable[Check],
    run: RunCheck = _run,
    resolver: SpanResolver | None = None,
    both_cores: bool = False,
    memo: BuildMemo | None = None,
) -> dict[str, Any]:
    """Everything the cross-file stage needs of region file R (a JSON value).

    ``both_cores``: run half of the checks in a forked copy of this process (a warm
    check recompiling one large file; never in a process with threads). ``memo``: the
    model's pieces of the last builds of R (:class:`~planc.core.model.BuildMemo`)."""
    rfile = region.path
    resolver = resolver if resolver is not None else SpanResolver({rfile: source})
    out: dict[str, Any] = {"path": rfile, "digest": region.digest}
    unit_diags = list(region.diagnostics)
    if region.has_errors or region.data is None or quarter.data is None:
        out["unit"] = _dump(resolve_spans(unit_diags, resolver))
        out["usable"] = False
        return out
    plan, problems = build_plan((quarter.path, quarter.data), [(rfile, region.data)], memo)
    mine = [d for d in problems if _file_of(d) == rfile]
    if plan is None or any(d.severity is Severity.ERROR for d in problems):
        unit, model = resolve_batches([unit_diags, mine], resolver)
        out["unit"], out["model"] = _dump(unit), _dump(model)
        out["usable"] = plan is not None
        out["checked"] = False
        if plan is not None:
            out.update(_interface_values(plan, quarter.path, rfile, region.data))
        return out
    kept: list[Diagnostic] = []
    later: list[Diagnostic] = []
    chosen = [check for check in checks if check.rule.code not in _CROSS]
    # the interface first: the largest task, so that the last ones shared are small
    tasks: list[Callable[[], Any]] = [
        partial(_interface_values, plan, quarter.path, rfile, region.data),
        partial(_ramp_candidates, plan, rfile),
    ]
    tasks += [partial(_found, run, check, plan) for check in chosen]
    # the first check always here: a caller's ``run`` then sees this plan in this process
    interface, ramp, *findings = _shared(tasks, both_cores, first=2 if chosen else None)
    for check, found in zip(chosen, findings, strict=True):
        code = check.rule.code
        among = code in _AMONG_REGIONS
        for d in found:
            if _file_of(d) != rfile or (among and d.loc is not None and d.loc.path == _REGION_PATH):
                continue
            (later if code in _HINT_LATER else kept).append(d)
    # one pass over the file places the findings of every stage
    unit, model, checked, unknown = resolve_batches([unit_diags, mine, kept, later], resolver)
    out["unit"], out["model"] = _dump(unit), _dump(model)
    out["usable"] = True
    out["checked"] = True
    out["checks"] = _dump(checked)
    out["unknown"] = [
        [_dumped(d), ref_id] for d, ref_id in zip(unknown, _unknown_ids(unknown), strict=True)
    ]
    out.update(interface)
    out["ramp"] = ramp
    return out


def _found(run: RunCheck, check: Check, plan: Plan) -> list[Diagnostic]:
    if check.rule.code not in _HINT_LATER:
        return list(run(check, plan))
    # their hints are chosen in :func:`combine` among every id of the plan (``_hints``)
    token = refs.HINTS_LATER.set(True)
    try:
        return list(run(check, plan))
    finally:
        refs.HINTS_LATER.reset(token)


def _shared(
    tasks: list[Callable[[], Any]], both_cores: bool, first: int | None = None
) -> list[Any]:
    """Each task's value, in order. With ``both_cores`` a forked child takes tasks too:
    each process claims the next task by reading one byte (its index) from a pipe
    filled beforehand (a one-byte read is atomic), so the process that finishes
    first takes more. The child hands its values back pickled through its own pipe
    (never a folder); whatever it does not give back (it failed, or died half way)
    this process computes itself. Task ``first`` is never offered: this process
    runs it, before any other."""
    if not both_cores or len(tasks) < 2 or len(tasks) > 256 or not hasattr(os, "fork"):
        return [task() for task in tasks]
    import pickle  # noqa: PLC0415 - only a run that forks pays for it

    claims, filler = os.pipe()
    os.write(filler, bytes(i for i in range(len(tasks)) if i != first))  # below a pipe's buffer
    os.close(filler)  # once every index is taken, a read finds the end
    read_end, write_end = os.pipe()
    try:
        child = os.fork()
    except OSError:  # no child (EAGAIN, ENOMEM): every task here, as if it gave nothing back
        for end in (claims, read_end, write_end):
            os.close(end)
        return [task() for task in tasks]
    if child == 0:  # pragma: no cover - the child's coverage is not collected
        try:
            os.close(read_end)
            data = pickle.dumps(_claimed(tasks, claims))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        done = {} if first is None else {first: tasks[first]()}
        done.update(_claimed(tasks, claims))
    finally:
        os.close(claims)
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        os.waitpid(child, 0)
    try:
        given = pickle.loads(data) if data else None  # our own child's pipe, never a folder
    except Exception:  # noqa: BLE001 - a child that died half way: do its tasks here
        given = None
    if isinstance(given, dict):
        done.update((i, v) for i, v in given.items() if type(i) is int and i not in done)
    return [done[i] if i in done else tasks[i]() for i in range(len(tasks))]


def _claimed(tasks: list[Callable[[], Any]], claims: int) -> dict[int, Any]:
    """The values of the tasks this process claims, one at a time, until none is left."""
    done: dict[int, Any] = {}
    while index := os.read(claims, 1):
        done[index[0]] = tasks[index[0]]()
    return done


_UNKNOWN_ID = re.compile(r"`([^`]*)` is not a known ")


def _unknown_ids(found: list[Diagnostic]) -> list[str]:
    ids = []
    for d in found:
        match = _UNKNOWN_ID.search(d.message)
        if match is None:
            raise Unsafe("unknown-name message without its name")
        ids.append(match.group(1))
    return ids


def _interface_values(plan: Plan, qfile: str, rfile: str, raw: dict[str, Any]) -> dict[str, Any]:
    """R's interface (ids, names it takes from outside, accounts, counts, its shell).

    One pass over each of the plan's people, nodes, adjustments, actions and references,
    each pass taking every value it feeds (they were walked 2-4 times each, one walk per
    value: ~10 ms of a 2,500-rep file's worker):

    - ``ids``: what R defines, by kind (a duplicate's id too);
    - ``external``: (kind, id) that R names and Q + R do not define;
    - ``entangled``: R's adjustments or actions name Q's nodes, both files change one
      target (a story in two files), an id is defined twice (the shell would not know
      which of two is meant), or a person of Q owns a team or is a rep in R (their
      managers and seat span files);
    - ``accounts``, ``levels``: R's key accounts, and its nodes per level;
    - ``requested``: see :func:`_actions_of`;
    - ``loads``, ``q_owned``: PLC453's inputs, R's full-tenure people's action counts
      per role (:func:`_people_of`) and R's actions owned by people of Q;
    - ``shell``: what the summary plan holds of R (:func:`_shell`), with the nodes of R
      that Q names (``wanted``) and the people of R that Q names (``named``)."""
    person_ids, tallies = _people_of(plan, rfile)
    node_ids, accounts, levels, seated = _nodes_of(plan, qfile, rfile)
    external: set[tuple[str, str]] = set()
    wanted: set[str] = set()  # nodes of R that the quarter file names: kept in the shell
    adjustment_ids, across = _adjustments_of(plan, rfile, external, wanted)
    action_ids, naming_q, requested, q_owned = _actions_of(plan, qfile, rfile, raw, wanted)
    ids: dict[str, list[str]] = {
        "person": person_ids,
        "node": node_ids,
        "action": action_ids,
        "adjustment": adjustment_ids,
    }
    for dup in plan.duplicates:
        if dup.loc.file == rfile:
            ids.setdefault(dup.kind, []).append(dup.id)
    named: set[str] = set()  # people of R that Q names: the summary plan needs them
    _references_of(plan, qfile, rfile, external, wanted, named)
    for source in plan.actuals_sources:
        named.update(source.owners.values())
    out: dict[str, Any] = {}
    # ids are schema-checked ([A-Za-z0-9_-]): one space-separated string per kind reads fast
    out["ids"] = {kind: " ".join(sorted(set(found))) for kind, found in ids.items()}
    out["external"] = sorted([list(pair) for pair in external])
    out["entangled"] = across or naming_q or bool(plan.duplicates) or seated
    out["accounts"] = sorted(accounts)
    out["levels"] = [levels[level] for level in (Level.REGION, Level.TEAM, Level.REP)]
    out["requested"] = requested
    # [count, how many people own that many] per role: a few pairs, where a list of every
    # person's count was ~2 ms of JSON to read back per 2,500-rep result on every warm check
    out["loads"] = {
        role: [[count, many] for count, many in sorted(tally.items())]
        for role, tally in tallies.items()
    }
    out["q_owned"] = q_owned
    out["shell"] = _encode(_shell(plan, raw, wanted, named))
    return out


def _people_of(plan: Plan, rfile: str) -> tuple[list[str], dict[str, dict[int, int]]]:
    """R's people's ids, and per role: action count -> how many full-tenure people of R
    own that many (PLC453's input)."""
    ids: list[str] = []
    tallies: dict[str, dict[int, int]] = {}
    owned = people.owned_actions(plan)
    for person in plan.people.values():
        if person.loc.file == rfile:
            ids.append(person.id)
            if people.full_tenure(plan, person):
                tally = tallies.setdefault(person.role, {})
                count = len(owned.get(person.id, ()))
                tally[count] = tally.get(count, 0) + 1
    return ids, tallies


def _nodes_of(
    plan: Plan, qfile: str, rfile: str
) -> tuple[list[str], set[str], dict[Level, int], bool]:
    """R's node ids, key accounts and nodes per level, and whether a person of Q owns a
    team or is a rep in R (their managers and seat span files)."""
    people_of = plan.people
    ids: list[str] = []
    accounts: set[str] = set()
    levels = dict.fromkeys(Level, 0)
    seated = False
    for node in plan.nodes.values():
        if node.loc.file != rfile:
            continue
        ids.append(node.id)
        level = node.level
        levels[level] += 1
        for account in node.key_accounts:
            accounts.add(account.strip().casefold())
        if not seated and level not in (Level.COMPANY, Level.REGION):
            for who in (node.id, node.owner):
                person = people_of.get(who)
                if person is not None and person.loc.file == qfile:
                    seated = True
    return ids, accounts, levels, seated


def _adjustments_of(
    plan: Plan, rfile: str, external: set[tuple[str, str]], wanted: set[str]
) -> tuple[list[str], bool]:
    """R's adjustment ids, and whether R's adjustments change Q's nodes or both files
    change one target (a story in two files); the nodes of R that Q's adjustments change
    go to ``wanted``, the nodes R's name and the plan lacks to ``external``."""
    nodes = plan.nodes
    ids: list[str] = []
    entangled = False
    changed_here: set[tuple[str, str]] = set()
    changed_there: set[tuple[str, str]] = set()
    for adjustment in plan.adjustments:
        mine = adjustment.loc.file == rfile
        if mine:
            ids.append(adjustment.id)
        for change in adjustment.changes:
            node = nodes.get(change.node)
            if node is None:
                if mine:
                    external.add(("node", change.node))
            elif mine:
                changed_here.add((change.node, change.metric))
                entangled |= node.loc.file != rfile
            else:
                changed_there.add((change.node, change.metric))
                wanted.add(node.id)
    return ids, entangled or bool(changed_here & changed_there)


def _actions_of(
    plan: Plan, qfile: str, rfile: str, raw: dict[str, Any], wanted: set[str]
) -> tuple[list[str], bool, dict[str, list[Any]], dict[str, int]]:
    """R's action ids; whether one of them names a node of Q; kind -> [amount, count] that
    R's actions ask for below its region node (PLC501 of a budget in the quarter file adds
    them: the summary plan holds no action of R); person of Q -> how many of R's actions
    they own. The nodes of R that Q's actions name go to ``wanted``."""
    nodes, people_of = plan.nodes, plan.people
    region_id = raw["region"]["id"]
    chains = ancestry(plan)
    ids: list[str] = []
    entangled = False
    below: dict[str, bool] = {}  # node id -> whether the region is among its ancestors
    asked: dict[str, tuple[Decimal, int]] = {}
    q_owned: dict[str, int] = {}
    for action in plan.actions:
        node = nodes.get(action.node)
        if action.loc.file != rfile:
            if node is not None:
                wanted.add(node.id)
            continue
        ids.append(action.id)
        if node is not None:
            entangled |= node.loc.file != rfile
        owner = people_of.get(action.owner)
        if owner is not None and owner.loc.file == qfile:
            q_owned[owner.id] = q_owned.get(owner.id, 0) + 1
        resources = action.resources
        if not resources:
            continue
        inside = below.get(action.node)
        if inside is None:
            inside = any(n.id == region_id for n in chains.get(action.node, ()))
            below[action.node] = inside
        if not inside:
            continue
        for resource in resources:
            kind = resource.kind
            amount, count = asked.get(kind, _NOTHING)
            asked[kind] = (amount + resource.amount, count + 1)
    requested = {kind: [str(amount), count] for kind, (amount, count) in sorted(asked.items())}
    return ids, entangled, requested, q_owned


def _references_of(
    plan: Plan,
    qfile: str,
    rfile: str,
    external: set[tuple[str, str]],
    wanted: set[str],
    named: set[str],
) -> None:
    """(kind, id) that R names and Q + R do not define to ``external``; the nodes Q names
    to ``wanted``, the people Q names to ``named``."""
    known: dict[str, Mapping[str, object]] = {"person": plan.people, "node": plan.nodes}
    for ref in plan.references:
        file = ref.loc.file
        if file == rfile:
            kind = ref.kind
            if kind in known and ref.id not in known[kind]:
                external.add((kind, ref.id))
        if file == qfile:
            if ref.kind == "node":
                wanted.add(ref.id)
            elif ref.kind == "person":
                named.add(ref.id)


def _shell(plan: Plan, raw: dict[str, Any], wanted: set[str], named: set[str]) -> dict[str, Any]:
    """Region R as the cross-file stage sees it: the region node with its own targets, the
    people of R that Q names, the teams and reps Q names, and one stand-in team and rep that
    carry the sums of the other teams' and reps' targets (the company's cumulative sums).

    The other people of R are not needed there: their findings are R's, the hints that
    choose among every person are made from the ids (``_hints``), and PLC453's medians
    from the counts (``loads``)."""
    region_raw = raw["region"]
    region = plan.nodes.get(region_raw["id"])
    shell = {k: v for k, v in region_raw.items() if k != "teams"}
    people_raw = [p for p in raw.get("people", []) if p["id"] in named]
    if region is None or region.level is not Level.REGION:
        shell["targets"] = {}
        return {"kind": "region", "region": shell, "people": people_raw}
    numbers = gaps.bottom_up_numbers(plan)
    targets: dict[str, Any] = {}
    for metric, target_raw in (region_raw.get("targets") or {}).items():
        copied = dict(target_raw) if isinstance(target_raw, dict) else target_raw
        known = numbers.get((region.id, metric))
        if isinstance(copied, dict) and known is not None and known[1]:
            copied["bottom_up"] = known[0]
        targets[metric] = copied
    shell["targets"] = targets
    if region.children:
        shell["teams"] = _shell_teams(plan, region, region_raw, wanted)
    return {"kind": "region", "region": shell, "people": people_raw}


def _shell_teams(
    plan: Plan, region: Node, region_raw: dict[str, Any], wanted: set[str]
) -> list[dict[str, Any]]:
    team_sums: dict[str, Decimal] = {}
    rep_sums: dict[str, Decimal] = {}
    teams: list[dict[str, Any]] = []
    for team_raw in region_raw.get("teams", []):
        team = plan.nodes.get(team_raw["id"])
        if team is None or team.parent != region.id:
            continue
        seats = [s for s in team_raw.get("reps", []) if s["rep"] in wanted]
        if team.id in wanted or seats:
            teams.append({**team_raw, "reps": seats})
        else:
            _add_values(team_sums, team)
        kept_reps = {s["rep"] for s in seats}
        for rep_id in team.children:
            if rep_id not in kept_reps:
                _add_values(rep_sums, plan.nodes[rep_id])
    stand_in: dict[str, Any] = {
        "id": f"{region.id}\x00teams",
        "name": f"{region.id}\x00teams",
        "owner": region.owner,
        "targets": {m: {"value": v} for m, v in team_sums.items()},
    }
    if rep_sums:
        stand_in["reps"] = [
            {
                "rep": f"{region.id}\x00reps",
                "targets": {m: {"value": v} for m, v in rep_sums.items()},
            }
        ]
    return [*teams, stand_in]


_ZERO = Decimal(0)  # made once: Decimal(0) in a hot loop costs more than the addition
_NOTHING = (_ZERO, 0)


def _add_values(sums: dict[str, Decimal], node: Node) -> None:
    get = sums.get
    for metric, target in node.targets.items():
        sums[metric] = get(metric, _ZERO) + target.value


def _ramp_candidates(plan: Plan, rfile: str) -> list[list[Any]]:
    """People of R still ramping who own actions: PLC453 decides with the plan's medians.

    Each keeps the path to its ``start`` (resolved to a span only if it is reported)."""
    found = []
    ramp = plan.policy.ramp
    year, month = plan.quarter.months[0]
    for person_id, actions in people.owned_actions(plan).items():
        person = plan.people.get(person_id)
        if person is None or person.start is None or person.loc.file != rfile:
            continue
        tenure = (year - person.start.year) * 12 + (month - person.start.month)
        if tenure >= len(ramp) - 1 and ramp[-1] == 100:
            continue  # on the ramp's last step from the first month: a full load
        factor = smart.ramp_factor(plan, person)
        if factor >= 100:
            continue
        first = sorted(actions, key=lambda a: a.due)[0]
        found.append(
            [
                list((person.loc / "start").path),
                person.id,
                person.start.isoformat(),
                person.role,
                [factor.numerator, factor.denominator],
                len(actions),
                first.id,
                first.due.isoformat(),
            ]
        )
    return found


# --- cross-file ------------------------------------------------------------------


@dataclass(slots=True)
class Combined:
    diagnostics: list[Diagnostic]
    levels: tuple[int, int, int] | None = None
    notes: list[str] = field(default_factory=list)


def combine(
    quarter: FileUnit,
    sources: Mapping[str, SourceFile],
    results: list[dict[str, Any]],
    checks: Iterable[Check],
    run: RunCheck = _run,
    store: ResultStore | None = None,
) -> Combined:
    """The plan's diagnostics from Q and every region's result; raises :class:`Unsafe`.

    ``store``: where the last run noted that these files' ids are disjoint (see
    :func:`_guard`), so that a number edit does not gather every id of the plan again."""
    qfile = quarter.path
    if quarter.has_errors or quarter.data is None:
        raise Unsafe("the quarter file has errors")
    if not all(r.get("usable") for r in results):
        raise Unsafe("a region file has errors")
    shells = [(r["path"], _decode(r["shell"])) for r in results]
    region_ids = [str(shell["region"]["id"]) for _, shell in shells]  # build_plan consumes them
    summary, problems = build_plan((qfile, quarter.data), shells)
    if summary is None:
        raise Unsafe("the quarter did not build")
    _guard(summary, quarter, results, store)
    # Q's findings; a region's own PLC309 (composing that file only if there is one)
    resolver = SpanResolver(dict(sources))
    q_model = [d for d in problems if _file_of(d) == qfile]
    found: list[Diagnostic] = list(quarter.diagnostics) + q_model
    for r in results:
        found += _load(r["unit"]) + _load(r["model"])
    if any(d.severity is Severity.ERROR for d in found) or not all(
        r.get("checked") for r in results
    ):
        if not any(d.severity is Severity.ERROR for d in found):
            raise Unsafe("a region was not checked")
        return Combined(resolve_spans(found, resolver))
    # every id of the plan, gathered only if a hint needs it
    known = _Every(summary, results, store.values.hints if isinstance(store, MemoryStore) else None)
    for check in checks:
        if check.rule.code == _BUDGETS:
            found += [d for d in run(check, summary) if d.code != _BUDGETS]  # run's own (PLC050)
            found += _over_budget(summary, qfile, region_ids, results)
            continue
        if check.rule.code in _CROSS:
            # computed below from every region; run here only for what ``run`` adds of its
            # own (the language server's PLC050 when a check raises)
            found += [d for d in run(check, summary) if d.code != check.rule.code]
            continue
        among = check.rule.code in _AMONG_REGIONS
        found += [
            _rehinted(d, known)
            for d in run(check, summary)
            if _file_of(d) == qfile or (among and d.loc is not None and d.loc.path == _REGION_PATH)
        ]
    for r in results:
        found += _load(r["checks"])
    found += _hints(known, results)
    found += _ramping(summary, qfile, results)
    levels = [n.level for n in summary.nodes.values() if n.loc.file == qfile]
    counts = [
        sum(r["levels"][i] for r in results)
        + levels.count((Level.REGION, Level.TEAM, Level.REP)[i])
        for i in range(3)
    ]
    return Combined(resolve_spans(found, resolver), (counts[0], counts[1], counts[2]))


def _over_budget(
    summary: Plan,
    qfile: str,
    region_ids: list[str],
    results: list[dict[str, Any]],
) -> list[Diagnostic]:
    """PLC501 of the quarter file's budgets: the summary plan's requests plus what each
    region file's actions ask for, carried up from its region node."""
    asked = dict(resources.requested(summary))
    for region_id, r in zip(region_ids, results, strict=True):
        ancestors = list(summary.ancestors(region_id))
        for kind, (amount, count) in r["requested"].items():
            for node in ancestors:
                total, number = asked.get((node.id, kind), _NOTHING)
                asked[(node.id, kind)] = (total + Decimal(amount), number + count)
    rule = resources.resources_over_budget.rule
    return [
        rule.at(where, message, hint)
        for where, message, hint in resources.over_budget(summary, asked)
        if where.file == qfile
    ]


def _guard(
    summary: Plan,
    quarter: FileUnit,
    results: list[dict[str, Any]],
    store: ResultStore | None,
) -> None:
    """Raise :class:`Unsafe` where the per-file results cannot be combined exactly.

    Whether any id is defined in two files depends only on the quarter file and
    each region file's ids: once seen disjoint, a record named after exactly those
    (:func:`ids_name`) spares the next run (a number edit keeps every id) the
    gathering of every id of the plan, unless a region names ids it does not define."""
    qfile = quarter.path
    _apart(results)
    external = any(r["external"] for r in results)
    # named only where a store keeps it: a digest of every id of the plan (~1 ms at 10,000
    # reps, after the last worker, on a cold check's critical path)
    name = ids_name(quarter.digest, results) if store is not None else None
    if external or name is None or store is None or store.get_record(name) is not True:
        owners = _defined(summary, qfile, results)  # raises where two files define one id
        if store is not None and name is not None:
            store.put_record(name, True)
        for r in results:
            for kind, ident in r["external"]:
                if ident in owners.get(kind, ()):
                    raise Unsafe(f"{r['path']} names {kind} {ident} of another file")
    for ref in summary.references:
        if ref.loc.file == qfile and ref.kind == "node" and ref.id not in summary.nodes:
            raise Unsafe("the quarter file names a node no file defines")
    for person in summary.people.values():
        boss = summary.people.get(person.manager or "")
        if person.loc.file == qfile and boss is not None and boss.loc.file != qfile:
            raise Unsafe("a person of the quarter file reports to one of a region file")


def _apart(results: list[dict[str, Any]]) -> None:
    """Raise where a region is entangled with the quarter file, or two files list one
    key account."""
    accounts: set[str] = set()
    for r in results:
        if r["entangled"]:
            raise Unsafe(f"{r['path']} shares records or seats with the quarter file")
        mine = set(r["accounts"])
        if mine & accounts:
            raise Unsafe("a key account is listed in two files")
        accounts |= mine


def ids_name(quarter_digest: str, results: list[dict[str, Any]]) -> str:
    """The record saying that no id is defined in two of these files: named after the
    quarter file's digest and a digest of each region file's path and ids."""
    digest = hashlib.blake2b(quarter_digest.encode(), digest_size=20)
    for r in results:
        digest.update(b"\x00" + r["path"].encode("utf-8", "surrogatepass"))
        for kind, joined in sorted(r["ids"].items()):
            digest.update(b"\x01" + kind.encode() + b"\x02" + joined.encode())
    return ":".join(("ids", str(FORMAT), __version__, digest.hexdigest()))


def _defined(summary: Plan, qfile: str, results: list[dict[str, Any]]) -> dict[str, set[str]]:
    """kind -> every id defined; raises when two files define one."""
    owners: dict[str, set[str]] = {
        "person": {p.id for p in summary.people.values() if p.loc.file == qfile},
        "node": {summary.company},
        "action": {a.id for a in summary.actions},
        "adjustment": {a.id for a in summary.adjustments},
    }
    for r in results:
        for kind, joined in r["ids"].items():
            ids = joined.split()
            table = owners.setdefault(kind, set())
            before = len(table)
            table.update(ids)
            if len(table) != before + len(ids):
                raise Unsafe(f"a {kind} id of {r['path']} is defined in another file too")
    return owners


class _Every:
    """Every person and node id of the plan (the summary plan holds only some of them),
    gathered the first time a hint asks (most plans have no finding that needs them)."""

    def __init__(
        self,
        summary: Plan,
        results: list[dict[str, Any]],
        hints: dict[tuple[str, str, str, str], Any] | None = None,
    ) -> None:
        self.summary = summary
        self.results = results
        self.known: dict[str, dict[str, object]] | None = None
        self.hints = hints  # kept hints (a MemoryStore's), by name, place and the ids in order
        self._digests: dict[str, str] = {}

    def hint(self, ident: str, kind: str, where: str) -> Any:
        """:func:`refs.closest_hint` among every id of ``kind``: the same ids in the same order
        give the same hint, so a process that combines again after an edit keeps them (each
        looks through every id of the plan: ~1 ms apiece, 150 findings at 2,000 reps)."""
        known = self[kind]
        if self.hints is None:
            return refs.closest_hint(ident, known, where)
        digest = self._digests.get(kind)
        if digest is None:
            joined = "\x00".join(known).encode("utf-8", "surrogatepass")
            digest = self._digests[kind] = hashlib.blake2b(joined, digest_size=20).hexdigest()
        key = (kind, digest, where, ident)
        hint = self.hints.pop(key, None)
        if hint is None:
            hint = refs.closest_hint(ident, known, where)
        self.hints[key] = hint  # the most recently used last
        while len(self.hints) > _HINTS_KEPT:
            del self.hints[next(iter(self.hints))]
        return hint

    def __getitem__(self, kind: str) -> dict[str, object]:
        if self.known is None:
            known: dict[str, dict[str, object]] = {
                "person": dict.fromkeys(self.summary.people),
                "node": {self.summary.company: None},
            }
            for r in self.results:
                for name, found in known.items():
                    found.update(dict.fromkeys(r["ids"].get(name, "").split()))
            self.known = known
        return self.known[kind]


def _hints(known: _Every, results: list[dict[str, Any]]) -> list[Diagnostic]:
    """PLC201/PLC205 of the region files, with the hint chosen among every id of the plan."""
    where = {"person": "a people: list", "node": "the org tree"}
    out = []
    for r in results:
        for raw, ident in r["unknown"]:
            d = _load([raw])[0]
            kind = _HINT_LATER[d.code]
            hint = known.hint(ident, kind, where[kind])
            out.append(Diagnostic(d.code, d.severity, d.message, hint, d.loc, d.span))
    return out


_HINTS_KEPT = 4096
_MAPPED_OWNER = re.compile(r"maps to `([^`]*)`, who is not a person of the plan\Z")


def _rehinted(d: Diagnostic, known: _Every) -> Diagnostic:
    """A finding of the summary plan whose hint looks at every person: chosen among all."""
    if d.code == "PLC201":
        match = _UNKNOWN_ID.search(d.message)
        if match is None:
            raise Unsafe("unknown-person message without its name")
        hint = known.hint(match.group(1), "person", "a people: list")
        return replace(d, hint=hint)
    if d.code == "PLC730":
        match = _MAPPED_OWNER.search(d.message)
        if match is not None:
            return replace(d, hint=mapping.owner_hint(match.group(1), list(known["person"])))
    return d


def _ramping(summary: Plan, qfile: str, results: list[dict[str, Any]]) -> list[Diagnostic]:
    """PLC453 with the medians of every full-tenure person of the plan."""
    rule = people.ramping_action_load.rule
    owned = people.owned_actions(summary)  # the quarter file's actions
    medians = _medians(summary, qfile, results, owned)
    out = [
        rule.at(where, message, hint)
        for where, message, hint in people.ramping_findings(summary, owned, medians)
        if where.file == qfile
    ]
    # Whether a candidate's load is allowed depends only on its role (the role's median), its
    # ramp factor and its count (see people.ramp_text): the candidates of a large plan share a
    # few such keys, and each allowed key is decided once (1,469 candidates at 50,000 reps,
    # each a Fraction product and two dates parsed: ~20 ms of a warm check).
    allowed: set[tuple[str, int, int, int]] = set()
    for r in results:
        for path, ident, start, role, factor, count, first_id, first_due in r["ramp"]:
            key = (role, factor[0], factor[1], count)
            if key in allowed:
                continue
            ratio = Fraction(factor[0], factor[1])
            text = people.ramp_text(
                ident, _day(start), role, ratio, count, first_id, _day(first_due), medians
            )
            if text is None:
                allowed.add(key)
            else:
                out.append(rule.at(Loc(r["path"], tuple(path)), *text))
    return out


def _day(text: str) -> date:
    """A date the region result keeps as ISO text (JSON has no dates)."""
    return date.fromisoformat(text)


def _medians(
    summary: Plan, qfile: str, results: list[dict[str, Any]], owned: Mapping[str, list[Any]]
) -> dict[str, tuple[Decimal, int]]:
    from_regions: dict[str, int] = {}
    for r in results:
        for who, count in r["q_owned"].items():
            from_regions[who] = from_regions.get(who, 0) + count
    tallies: dict[str, dict[int, int]] = {}  # role -> count -> how many people own that many
    for person in summary.people.values():
        if person.loc.file != qfile:
            continue
        if people.full_tenure(summary, person):
            count = len(owned.get(person.id, ())) + from_regions.get(person.id, 0)
            tally = tallies.setdefault(person.role, {})
            tally[count] = tally.get(count, 0) + 1
        elif from_regions.get(person.id) and person.start is not None:
            raise Unsafe("a ramping person of the quarter file owns actions in a region file")
    for r in results:
        for role, pairs in r["loads"].items():
            tally = tallies.setdefault(role, {})
            for count, many in pairs:
                tally[count] = tally.get(count, 0) + many
    return {
        role: (Decimal(tally_median(tally)), sum(tally.values())) for role, tally in tallies.items()
    }


def tally_median(tally: Mapping[int, int]) -> int | float:
    """``statistics.median`` of the counts a tally holds (count -> how many times), the same
    value of the same type: the middle count, or the mean of the two middle ones."""
    total = sum(tally.values())
    middle = ((total - 1) // 2, total // 2)  # the middle places of the sorted counts, 0-based
    picked: list[int] = []
    seen = 0
    for count in sorted(tally):
        seen += tally[count]
        while len(picked) < 2 and middle[len(picked)] < seen:
            picked.append(count)
    return statistics.median(picked if total % 2 == 0 else picked[:1])  # none: StatisticsError


# --- the JSON of a result ---------------------------------------------------------


def _encode(value: Any) -> str:
    """Plan data as JSON text, every Decimal kept exactly (as the unit cache writes it)."""
    count = 0

    def mark(item: object) -> str:
        nonlocal count
        if isinstance(item, Decimal) and item.is_finite():
            count += 1
            return _MARK + format(item, "E")
        raise TypeError(f"not a plan value: {type(item).__name__}")

    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=mark)
    text, unmarked = _MARKED.subn(r"\1", text)
    if unmarked != count:
        raise Unsafe("a string of the plan looks like a number mark")
    return text


def _decode(text: Any) -> dict[str, Any]:
    if not isinstance(text, str):
        raise Unsafe("shell is not text")
    value = json.loads(text, parse_float=Decimal)
    if not isinstance(value, dict):
        raise Unsafe("shell is not a mapping")
    return value


def _span_out(s: SourceSpan) -> list[Any]:
    return [s.path, s.line, s.col, s.end_line, s.end_col]


def _span_in(raw: Any) -> SourceSpan:
    path, line, col, end_line, end_col = raw
    return SourceSpan(path, line, col, end_line, end_col)


def _dumped(d: Diagnostic) -> list[Any]:
    if d.span is None:
        raise Unsafe("a diagnostic without a span")
    loc = None if d.loc is None else [d.loc.file, list(d.loc.path), d.loc.key]
    hint = None if d.hint is None else message_json(d.hint)
    return [d.code, d.severity.value, message_json(d.message), hint, _span_out(d.span), loc]


def _dump(found: Iterable[Diagnostic]) -> list[list[Any]]:
    return [_dumped(d) for d in found]


def _loc_in(raw: Any) -> Loc | None:
    """A diagnostic's YAML path (the language server's code actions read it)."""
    if raw is None:
        return None
    file, path, key = raw
    if not (isinstance(file, str) and isinstance(path, list) and isinstance(key, bool)):
        raise Unsafe("a location of the wrong shape")
    if not all(type(p) in (str, int) for p in path):
        raise Unsafe("a location of the wrong shape")
    return Loc(file, tuple(path), key)


def _load(raw: Iterable[Any]) -> list[Diagnostic]:
    return [
        Diagnostic(
            code,
            _SEVERITIES[severity],
            message_from_json(message),  # as it was made: a warm run renders it as a cold one
            None if hint is None else message_from_json(hint),
            _loc_in(loc),
            _span_in(span),
        )
        for code, severity, message, hint, span, loc in raw
    ]


def valid_result(value: Any, path: str, digest: str) -> bool:
    """A cached region result is data from a folder others may write: check its shape.

    Whatever passes here and is still wrong makes :func:`combine` raise, and the
    plan is compiled whole: an entry never crashes planc or runs anything."""
    if not isinstance(value, dict) or value.get("path") != path or value.get("digest") != digest:
        return False
    try:
        _load(value["unit"])
        if not value.get("usable"):
            return True
        _load(value["model"])
        _decode(value["shell"])
        return (
            (not value.get("checked") or _valid_findings(value))
            and isinstance(value["entangled"], bool)
            and _valid_interface(value)
        )
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, Unsafe):
        return False


def _strings(items: Any) -> bool:
    return isinstance(items, list) and all(isinstance(i, str) for i in items)


def _ints(items: Any) -> bool:
    return isinstance(items, list) and all(type(i) is int for i in items)


def _valid_findings(value: dict[str, Any]) -> bool:
    _load(value["checks"])
    for raw, ident in value["unknown"]:
        if _load([raw])[0].code not in _HINT_LATER or not isinstance(ident, str):
            return False
    for path, *rest in value["ramp"]:
        if not isinstance(path, list) or not all(type(p) in (str, int) for p in path):
            return False
        ident, start, role, factor, count, first_id, first_due = rest
        if not _strings([ident, start, role, first_id, first_due]) or type(count) is not int:
            return False
        if not (_iso_day(start) and _iso_day(first_due)):
            return False
        if not _ints(factor) or len(factor) != 2 or factor[1] <= 0:
            return False
    return True


def _tally(pairs: Any) -> bool:
    """A role's loads: [count, how many people] pairs, some people at least."""
    return (
        isinstance(pairs, list)
        and bool(pairs)
        and all(_ints(pair) and len(pair) == 2 and pair[0] >= 0 and pair[1] >= 1 for pair in pairs)
    )


def _iso_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _valid_interface(value: dict[str, Any]) -> bool:
    checks = [
        all(isinstance(k, str) and isinstance(v, str) for k, v in value["ids"].items()),
        all(_strings(pair) and len(pair) == 2 for pair in value["external"]),
        _strings(value["accounts"]),
        _ints(value["levels"]) and len(value["levels"]) == 3,
        all(isinstance(k, str) and _tally(v) for k, v in value["loads"].items()),
        _ints(list(value["q_owned"].values())),
        all(
            isinstance(k, str) and _strings(v[:1]) and len(v) == 2 and type(v[1]) is int
            for k, v in value["requested"].items()
        ),
    ]
    return all(checks)


# --- the driver ------------------------------------------------------------------

_HEAD_BYTES = 64 * 1024  # where a plan file's top-level kind: line is (ours: line 3)


def _looks_like_quarter(source: SourceFile) -> bool:
    """:func:`~planc.core.pipeline.declares_quarter` of a file, reading only its first part
    if it was left unread (a file the stat cache vouches for) and the kind: line is there.

    The pipeline's question (:func:`~planc.core.pipeline.is_quarter_text`), but not held to
    its 8 KiB head: that one guesses a folder's shape from files it would not read
    otherwise; this one picks the file compiled as the quarter file from files being
    compiled anyway, where a wrong guess costs a full compile (same diagnostics), so it
    reads on until the first top-level kind: line is whole."""
    head = source.head(_HEAD_BYTES)
    if len(head) < _HEAD_BYTES:  # the whole file
        return declares_quarter(head)
    start = 0 if head.startswith(b"kind:") else head.find(b"\nkind:") + 1
    if (start or head.startswith(b"kind:")) and head.find(b"\n", start) >= 0:
        return declares_quarter(head)  # its first top-level kind: line is whole in the head
    return declares_quarter(source.data)


@dataclass(slots=True)
class PartitionStats:
    """What the last partitioned compile did (tests and the bench read it)."""

    computed: list[str] = field(default_factory=list)  # region results compiled
    cached: list[str] = field(default_factory=list)  # region results read from the cache
    fallback: str | None = None  # why the full compile ran instead, if it did
    # region file -> the teams loaded alone (the others' values came from its team record)
    teams: dict[str, list[int]] = field(default_factory=dict)


def compile_partitioned(
    label: str,
    sources: list[SourceFile],
    checks: tuple[Check, ...],
    problems: list[Diagnostic] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    store: ResultStore | None = None,
    stats: PartitionStats | None = None,
    workers: int | None = None,
    run: RunCheck = _run,
    digests: Mapping[str, str] | None = None,
    new_records: bool = True,
    units: Mapping[str, FileUnit] | None = None,
    memo: BuildMemo | None = None,
    whole: Collection[str] = (),
) -> CheckResult | None:
    """``planc check`` through per-region results, or None where only a full compile is sure.

    Gives the full compile's diagnostics (same codes, spans, messages, hints and
    order) but no ``plan``: ``CheckResult.levels`` has the counts the summary
    line shows. ``digests``: path -> :func:`~planc.core.frontend.unit_digest` of
    that source's bytes, where the caller knows it already (the stat cache).
    ``new_records=False``: a file loaded whole gets no team record (encoding every
    team of a 2,500-rep file is ~0.3 s), for a caller whose edit rewrites the file
    anyway (``planc allocate``); a record read back is still used and kept up to date.
    ``units``: path -> the unit of a region file its caller made of these bytes (an edit
    applied to values loaded before it, that the caller vouches for), not loaded again;
    ``memo``: what the model of those values' files was built from before (the values
    an edit left alone are the very same objects: see :class:`~planc.core.model.BuildMemo`).
    ``whole``: paths of ``units`` that are :func:`~planc.core.frontend.compile_unit`'s
    units of their bytes (loaded whole, clean: no diagnostic, no trap); they get a team
    record here as a file loaded here does (the other units given get none).
    """
    stats = stats if stats is not None else PartitionStats()
    try:
        with gc_paused(freeze=True):  # a region's model is millions of objects, none cyclic
            return _compile_partitioned(
                label,
                sources,
                checks,
                problems,
                max_bytes,
                store,
                stats,
                default_workers() if workers is None else workers,
                run,
                digests or {},
                new_records,
                units or {},
                memo,
                whole,
            )
    finally:
        # the last workers end (their address space taken down) while their results are
        # combined above: reaped only now
        forkpool.reap_ended()


def _compile_partitioned(
    label: str,
    sources: list[SourceFile],
    checks: tuple[Check, ...],
    problems: list[Diagnostic] | None,
    max_bytes: int,
    store: ResultStore | None,
    stats: PartitionStats,
    workers: int,
    run: RunCheck,
    digests: Mapping[str, str],
    new_records: bool = True,
    units: Mapping[str, FileUnit] | None = None,
    memo: BuildMemo | None = None,
    whole: Collection[str] = (),
) -> CheckResult | None:
    def digest_of(source: SourceFile) -> str:
        known = digests.get(source.path)
        return known if known is not None else unit_digest(source.path, source.data, max_bytes)

    quarters = [s for s in sources if _looks_like_quarter(s)]
    if len(quarters) != 1:
        stats.fallback = "not exactly one quarter file"
        return None
    quarter_source = quarters[0]
    quarter, warm = _quarter_unit(quarter_source, max_bytes, store, digest_of(quarter_source))
    if quarter.data is not None and quarter.data.get("kind") != "quarter":
        stats.fallback = "the file that looks like the quarter file is not one"
        return None
    schema = schema_digest()
    regions = [s for s in sources if s is not quarter_source]
    # without a store nothing is looked up or kept by name: each file's digest is taken
    # once, where its unit is made (a forked worker), not here first (~8 ms per 4.7 MB)
    names = [
        result_name(digest_of(s), quarter.digest, schema) if store is not None else None
        for s in regions
    ]
    results = _cached_results(regions, names, store, stats)
    missing = [i for i, value in enumerate(results) if value is None]
    job = _Job(
        quarter,
        [regions[i] for i in missing],
        [_digest_in(names[i]) for i in missing],
        [],
        False,
        checks,
        max_bytes,
        workers,
        run,
        store.values if isinstance(store, MemoryStore) else None,
    )
    job.encode = new_records
    job.units = units or {}
    job.whole = frozenset(whole)
    job.memo = memo
    _read_teams(job, store if warm else None)
    computed = _region_results(job)
    for i, (value, teams, fresh) in zip(missing, computed, strict=True):
        if value is None:
            stats.fallback = "a second quarter file"
            return None
        stats.computed.append(regions[i].path)
        if fresh is not None:
            stats.teams[regions[i].path] = fresh
        name = names[i]
        if store is not None and name is not None:
            store.put_record(name, value)
            if teams is not None:
                store.put_text(teams_name(regions[i].path), teams)
        results[i] = value
    done = [value for value in results if value is not None]
    unit_level = list(problems or []) + list(quarter.diagnostics)
    for value in done:
        unit_level += _load(value["unit"])
    if any(d.severity is Severity.ERROR for d in unit_level):
        # as the full compile: a file that does not load or fit the schema stops there
        result = CheckResult(label, {s.path: s for s in sources})
        result.diagnostics = resolve_spans(unit_level, SpanResolver({quarter.path: quarter_source}))
        return result
    try:
        combined = combine(quarter, {s.path: s for s in sources}, done, checks, run, store)
    except Unsafe as why:
        stats.fallback = str(why)
        return None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, ArithmeticError):
        # A cached result of the right shape that still does not fit (written by another
        # hand): the full compile decides.
        stats.fallback = "a cached region result does not fit"
        return None
    found = list(problems or []) + combined.diagnostics
    result = CheckResult(label, {s.path: s for s in sources})
    result.diagnostics = sorted(found, key=lambda d: d.sort_key)
    result.levels = combined.levels
    return result


def _digest_in(name: str | None) -> str | None:
    """The file's unit digest that a result's name ends with (None: no name, no store)."""
    return name.rsplit(":", 1)[1] if name is not None else None


def _cached_results(
    regions: list[SourceFile],
    names: list[str | None],
    store: ResultStore | None,
    stats: PartitionStats,
) -> list[dict[str, Any] | None]:
    results: list[dict[str, Any] | None] = []
    for source, name in zip(regions, names, strict=True):
        value = store.get_record(name) if store is not None and name is not None else None
        digest = _digest_in(name)
        if value is not None and digest is not None and valid_result(value, source.path, digest):
            stats.cached.append(source.path)
            results.append(value)
        else:
            results.append(None)
    return results


def _quarter_unit(
    source: SourceFile, max_bytes: int, store: ResultStore | None, digest: str
) -> tuple[FileUnit, bool]:
    """The quarter file's unit, and whether the store had it (the plan was checked before)."""
    if store is not None:
        unit = store.get(digest)
        if unit is not None and unit.path == source.path:
            return unit, True
    unit = compile_unit(source, SpanResolver({source.path: source}), max_bytes)
    if store is not None:
        store.put(unit)
    return unit, False


def check_partitioned(
    label: str,
    sources: list[SourceFile],
    problems: list[Diagnostic] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    store: ResultStore | None = None,
    stats: PartitionStats | None = None,
    digests: Mapping[str, str] | None = None,
    quarter_above: QuarterAbove | None = None,
) -> CheckResult:
    """``planc check`` of one quarter: partitioned where that is sure, else the full compile.

    The result has no ``plan`` when the partition ran: callers that need the
    model (render, diff, track, ``check --base``) use :func:`planc.checks.check_sources`.
    """
    from planc.checks import CHECKS, check_sources  # noqa: PLC0415 - the package imports us

    found = compile_partitioned(
        label, sources, CHECKS, problems, max_bytes, store, stats, digests=digests
    )
    if found is not None:
        return found
    return check_sources(
        label, sources, problems, max_bytes, store, digests=digests, quarter_above=quarter_above
    )


# --- region results on both cores -----------------------------------------------------

_PARALLEL_MIN_BYTES = 4 * 1024 * 1024  # below that, a worker costs more than it saves
# What forked workers read: set before the pool forks, so nothing but an index is sent.
_JOB: _Job | None = None
_MAX_FRESH_TEAMS = 8  # more teams changed than that: load the whole file
_MAX_RECORDED = 2  # a run that recompiles at most so many region files keeps their teams
_BOTH_CORES_BYTES = 1024 * 1024  # a smaller file's checks take less than a fork costs


@dataclass(slots=True)
class _Job:
    quarter: FileUnit
    sources: list[SourceFile]
    digests: list[str | None]  # each file's unit digest, if known (None: no store, not taken)
    priors: list[str | None]  # each file's team record from the last run that recompiled it
    record: bool  # whether to make the team records (an edit; a cold check does not pay)
    checks: tuple[Check, ...]
    max_bytes: int
    workers: int
    run: RunCheck
    values: TeamValues | None = None  # a MemoryStore's (the language server's)
    encode: bool = True  # whether a file loaded whole may get a record (all its teams encoded)
    units: Mapping[str, FileUnit] = field(default_factory=dict)  # made by the caller: not loaded
    memo: BuildMemo | None = None  # the caller's, for the models of those units
    whole: frozenset[str] = frozenset()  # of those, the ones loaded whole: recorded here


def _idle_core() -> bool:
    """Whether a second process would find a core to run on now.

    The 1-minute load average alone said no on an idle machine: a benchmark or an
    editor running ``planc check`` again and again keeps it near 1 with planc's own
    runs, and 1 + 1 > 2 cores. So: fewer processes runnable *now* than cores
    (Linux counts them in ``/proc/loadavg``, this one included) and a load average
    below the cores (a machine busy on average is not idle for a moment); where the
    count is missing, the load average leaves a core free."""
    try:
        cores = len(os.sched_getaffinity(0))  # the cores this process may run on
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (OSError, AttributeError):  # no load average here (Windows: no fork either)
        return True
    try:
        with open("/proc/loadavg", "rb") as counts:
            running = int(counts.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        running = None
    return idle_core(cores, load, running)


def idle_core(cores: int, load: float, running: int | None) -> bool:
    """:func:`_idle_core`'s rule: ``running`` counts this process."""
    if running is None:
        return load + 1 <= cores
    return running < cores and load < cores


def _read_teams(job: _Job, store: ResultStore | None) -> None:
    """An edit recompiles a file or two: their teams are kept (and read back) so that the
    next edit loads only the teams it changed; a cold check (``store`` None: the quarter
    file was not in it) does not pay for them."""
    job.record = store is not None and 0 < len(job.sources) <= _MAX_RECORDED
    # a unit the caller made is neither loaded nor recorded here: its record is not read
    job.priors = [
        store.get_text(teams_name(s.path))
        if job.record and store is not None and s.path not in job.units
        else None
        for s in job.sources
    ]


def teams_name(path: str) -> str:
    """The record of a region file's teams (one per path, replaced by each recompile)."""
    return ":".join(("teams", str(FORMAT), __version__, schema_digest(), path))


_Done = tuple[dict[str, Any] | None, str | None, list[int] | None]


def _region_job(index: int) -> _Done:
    """Region file ``index``'s result, its team record (or None) and the teams loaded alone
    (None: the whole file was loaded)."""
    assert _JOB is not None
    job = _JOB
    source = job.sources[index]
    given = job.units.get(source.path)  # made by the caller: not loaded (nor recorded...
    # ...unless it was loaded whole: its record is made here, as of a file loaded here)
    given_whole = given is not None and source.path in job.whole
    unit = None
    texts: list[str] | None = None
    fresh: list[int] | None = None
    prior = _TeamsRecord.parse(job.priors[index], source.path)
    # the split and its digests only where a record is read or made (a cold check makes
    # none); else the resolver splits the file if a finding in it needs placing
    making = job.record and job.encode  # a record of a file loaded whole
    wanted = (given is None and prior is not None) or ((given is None or given_whole) and making)
    fits = len(source.data) <= job.max_bytes
    split = chunks.split_region(source.data) if fits and wanted else None
    sums = _Digests.of(split) if split is not None else None
    known = job.digests[index]
    if split is not None and sums is not None and prior is not None and known is not None:
        reused = _unit_from_teams(source, split, sums, prior, known, job)
        if reused is not None:
            unit, texts, fresh = reused
    # whether the unit's values are TeamValues' (shared with the last and next edits)
    shared = unit is not None and job.values is not None and job.values.usable()
    if unit is None and given is not None:
        unit = given
    elif unit is None:
        unit = (
            compile_unit(source, SpanResolver({source.path: source}), job.max_bytes)
            if known is not None
            else _unit_unhashed(source, job.max_bytes)
        )
    if unit.data is not None and unit.data.get("kind") == "quarter":
        return None, None, None  # a second quarter file: the full compile reports it
    record = None
    if split is not None and sums is not None and (making or texts is not None):
        # same head and tail as the last record when its teams were reused
        rest = prior.rest if texts is not None and prior is not None else None
        record = _teams_record(unit, split, sums, texts, rest)  # before the model takes the data
        if record is not None and texts is None and job.values is not None:
            whole = unit
            unit = _from_record_values(unit, record, sums, job.values)
            shared = unit is not whole
    spans = job.values.spans if job.values is not None else None
    resolver = (
        chunks.ChunkSpans(source, split, spans)
        if split is not None or (fits and not wanted)
        else None
    )
    # one large file recompiled here (an edit; workers only for several): its checks on both
    # cores; never with one worker asked for (the language server, which has threads)
    both = (
        job.workers > 1
        and len(job.sources) == 1
        and len(source.data) >= _BOTH_CORES_BYTES
        and _idle_core()
    )
    run = job.run
    if _KEPT is not None:
        _KEPT.append(unit)
        run = _keeping(run, _KEPT)
    # the model's pieces are reused only where the values are shared (a unit from the
    # team record through ``job.values``): any other unit's values are new objects, and
    # its pieces would only push the edited files' out of the memo (a cold compile)
    memo = job.values.model if job.values is not None and shared else None
    if given is not None and unit is given:
        memo = job.memo
    result = region_result(job.quarter, unit, source, job.checks, run, resolver, both, memo=memo)
    return result, record, fresh


def _from_record_values(
    unit: FileUnit, record: str, sums: _Digests, values: TeamValues
) -> FileUnit:
    """A whole-file unit whose team record was just made, with the values an edit will read
    back from that record (:class:`TeamValues`): the model is then built from the values the
    next edit shares, so that edit rebuilds only the team it changes. The values are the
    same: the record's JSON keeps every number exactly (digits and exponent), and strings,
    integers and booleans as they are. Where the record does not read back, ``unit``."""
    parsed = _TeamsRecord.parse(record, unit.path)
    if parsed is None or unit.diagnostics or unit.traps:
        return unit
    texts = [text for _, text in parsed.teams]
    try:
        data = values.unit_data(unit.path, parsed.rest, sums.teams, texts, [])
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError, Unsafe):
        return unit
    return unit if data is None else FileUnit(unit.path, unit.digest, data, ())


def _unit_unhashed(source: SourceFile, max_bytes: int) -> FileUnit:
    """:func:`~planc.core.frontend.compile_unit`'s unit of a region file without its digest
    (left empty), for a check without a store: nothing then files the unit or its result by
    digest, and hashing 4.7 MB costs ~8 ms. Everything else is compile_unit's, step for step
    (a test compares). With a store the unit is compile_unit's own: its digest, taken from
    the bytes, is what a later run checks a stored result against."""
    digest = ""
    loaded = load_source(source, max_bytes)
    found = list(loaded.diagnostics)
    if loaded.data is not None:
        found += validate(loaded, SpanResolver({source.path: source}))
    data = None if any(d.severity is Severity.ERROR for d in found) else loaded.data
    return FileUnit(source.path, digest, data, tuple(found), loaded.traps)


@dataclass(frozen=True, slots=True)
class _Digests:
    """The digests of a split region file's pieces, taken once per run."""

    head: str
    tail: str
    teams: list[str]

    @staticmethod
    def of(split: chunks.Split) -> _Digests:
        return _Digests(
            chunks.digest(split.head),
            chunks.digest(split.tail),
            [chunks.digest(c) for c in split.chunks],
        )


@dataclass(frozen=True, slots=True)
class _TeamsRecord:
    """A region file's teams as the last recompile left them (see :func:`_teams_record`).

    Kept as text, one JSON text a line: a header (path, digests), the rest of the
    file's values, then each team's values. JSON texts hold no raw line break, so
    nothing is escaped twice (as it would be inside one JSON document)."""

    path: str
    digest: str
    head: str
    tail: str
    rest: str
    teams: list[tuple[str, str]]  # (digest of the chunk's bytes, the team's values as JSON)

    @staticmethod
    def parse(text: str | None, path: str) -> _TeamsRecord | None:
        """The record in ``text`` if it is one of ``path`` of the right shape, else None."""
        if text is None:
            return None
        lines = text.split("\n")
        try:
            header = json.loads(lines[0])
        except (ValueError, RecursionError):
            return None
        if not isinstance(header, dict):
            return None
        got, digest, head, tail = (header.get(k) for k in ("path", "digest", "head", "tail"))
        digests = header.get("teams")
        if not (
            isinstance(got, str)
            and isinstance(digest, str)
            and isinstance(head, str)
            and isinstance(tail, str)
            and isinstance(digests, list)
            and _strings(digests)
        ):
            return None
        if got != path or len(lines) != 2 + len(digests):
            return None
        teams = list(zip(digests, lines[2:], strict=True))
        return _TeamsRecord(got, digest, head, tail, lines[1], teams)

    def text(self) -> str:
        header = {
            "path": self.path,
            "digest": self.digest,
            "head": self.head,
            "tail": self.tail,
            "teams": [d for d, _ in self.teams],
        }
        lines = [json.dumps(header, ensure_ascii=False, separators=(",", ":")), self.rest]
        return "\n".join(lines + [t for _, t in self.teams])


def _teams_record(
    unit: FileUnit,
    split: chunks.Split,
    sums: _Digests,
    texts: list[str] | None,
    rest: str | None,
) -> str | None:
    """Each team's values as exact JSON text, keyed by the digest of its chunk's bytes,
    and the rest of the file's values (a clean file only: its values are all it gives)."""
    data = unit.data
    if unit.diagnostics or unit.traps or not isinstance(data, dict):
        return None
    region = data.get("region")
    if not isinstance(region, dict):
        return None
    teams = region.get("teams")
    if not isinstance(teams, list) or len(teams) != len(split.chunks):
        return None
    try:
        if texts is None:
            if chunks.may_share_values(split):
                return None
            texts = [_encode(team) for team in teams]
        if rest is None:
            rest = _encode({**data, "region": {**region, "teams": []}})
    except (Unsafe, TypeError, ValueError):
        return None
    if any("\n" in t for t in [rest, *texts]):  # never from json.dumps: refuse, never split
        return None
    pairs = list(zip(sums.teams, texts, strict=True))
    return _TeamsRecord(unit.path, unit.digest, sums.head, sums.tail, rest, pairs).text()


def _unit_from_teams(
    source: SourceFile,
    split: chunks.Split,
    sums: _Digests,
    prior: _TeamsRecord,
    digest: str,
    job: _Job,
) -> tuple[FileUnit, list[str], list[int]] | None:
    """The unit of an edited region file from its last record: the teams whose bytes did
    not change are taken from it, the others loaded alone; None where that is not sure
    (another head or tail, too many teams changed, a team with a diagnostic, a record of
    the wrong shape, values the schema refuses): the whole file is loaded then."""
    try:
        if prior.head != sums.head or prior.tail != sums.tail:
            return None
        known = dict(reversed(prior.teams))  # the first of two equal chunks wins
        texts: list[str] = []
        fresh: list[int] = []
        for i, chunk_digest in enumerate(sums.teams):
            text = known.get(chunk_digest)
            if text is None:
                fresh.append(i)
                text = ""
            texts.append(text)
        if len(fresh) > _MAX_FRESH_TEAMS:
            return None
        for i in fresh:
            team = chunks.load_team(source.path, split, i, job.max_bytes)
            if team is None:
                return None
            texts[i] = _encode(team)
        if job.values is not None and job.values.usable():
            data = job.values.unit_data(source.path, prior.rest, sums.teams, texts, fresh)
            if data is None:
                return None
        else:
            data = _decode(prior.rest)
            region = data["region"]
            region["teams"] = json.loads("[" + ",".join(texts) + "]", parse_float=Decimal)
            if len(region["teams"]) != len(texts) or not is_valid(data):  # a text of two teams
                return None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError, Unsafe):
        return None
    return FileUnit(source.path, digest, data, ()), texts, fresh


def _region_results(job: _Job) -> list[_Done]:
    """Each region file's result (and team record), in order; on forked workers when
    there are several.

    A worker hands its result (a JSON value: diagnostics, ids, a shell) back
    pickled through its own pipe, never through a folder. Where ``fork`` is
    missing or a worker fails, this process computes the result itself.
    """
    global _JOB  # noqa: PLW0603 - read by the forked workers, set only here
    _JOB = job
    sources = job.sources
    try:
        size = sum(len(s.data) for s in sources)
        parallel = (
            job.workers > 1
            and len(sources) > 1
            and size >= _PARALLEL_MIN_BYTES
            and forkpool.can_fork()
        )
        if not parallel:
            return [_region_job(i) for i in range(len(sources))]
        # the largest files first, so the last to finish is a small one; a child per file
        # (checks/forkpool.py) that ends without freeing it; one that failed: done here
        order = sorted(range(len(sources)), key=lambda i: -len(sources[i].data))
        out: dict[int, _Done] = forkpool.run_forked(_region_job_kept, order, job.workers)
        return [out[i] if i in out else _region_job(i) for i in range(len(sources))]
    finally:
        _JOB = None


# In a forked child that ends with os._exit: what its job built (values, model), kept
# alive so that nothing is freed object by object before the process ends.
_KEPT: list[Any] | None = None


def _region_job_kept(index: int) -> _Done:
    global _KEPT  # noqa: PLW0603 - set only in a forked child, which ends after this job
    _KEPT = []
    return _region_job(index)


def _keeping(run: RunCheck, kept: list[Any]) -> RunCheck:
    def keeping(check: Check, plan: Plan) -> Iterable[Diagnostic]:
        if not kept or kept[-1] is not plan:
            kept.append(plan)
        return run(check, plan)

    return keeping


def unit_from_record(
    source: SourceFile, store: ResultStore, max_bytes: int = DEFAULT_MAX_BYTES
) -> FileUnit | None:
    """The unit of an edited region file from the team record a check kept of it (see
    :func:`_unit_from_teams`): the teams whose bytes did not change are read back, the
    others loaded alone; None where that is not sure (no record, a record of another
    path or shape, another head or tail, too many teams changed, a team with a finding).

    For a caller that needs the file's unit but not its checks (``planc render``'s
    model, beside a partitioned check that reads the same record). The record comes
    from the cache folder: it is parsed and checked for shape, its teams are used
    only for chunks whose bytes have the recorded digest, and the values must pass
    the schema, as when the partition reads it.
    """
    made = unit_and_record(source, store, max_bytes)
    return None if made is None else made.unit


_TEAMS_SLOT = '"teams":[]'


def _canonical(text: str) -> bool:
    """Whether ``text`` is what :func:`_encode` writes for the values it reads as. A team
    record comes from a cache folder (untrusted): a rest with a key twice (the last one
    wins when read) or a second team list would make a spliced entry read as values other
    than the unit's. The rest is the file without its teams: a few KB to check."""
    try:
        return _encode(_decode(text)) == text
    except (ValueError, Unsafe):
        return False


@dataclass(frozen=True, slots=True)
class FromRecord:
    """A region file's unit read from its team record (:func:`unit_and_record`), and the
    file's new team record the partition makes beside such a unit (the text to keep under
    :func:`teams_name`; None where none is made). ``rest`` and ``texts``: the JSON texts the
    unit's values were read from (the rest of the file, each team)."""

    unit: FileUnit
    record: str | None
    rest: str
    texts: list[str]

    def data_text(self) -> str | None:
        """The unit's values as JSON text, as the unit cache writes them, made of the texts
        they were read from: the teams' texts in the rest's empty team list (the rest is
        the file's values with that list empty, in its place; each text is a team's values,
        written as the cache writes them). None where the rest does not hold that list
        exactly once, or is not the text planc writes for its values (then the unit is
        encoded)."""
        if self.rest.count(_TEAMS_SLOT) != 1 or not _canonical(self.rest):
            return None
        teams = '"teams":[' + ",".join(self.texts) + "]"
        return self.rest.replace(_TEAMS_SLOT, teams)


def unit_and_record(
    source: SourceFile, store: ResultStore, max_bytes: int = DEFAULT_MAX_BYTES
) -> FromRecord | None:
    """:func:`unit_from_record`'s unit, and the team record the partition makes of it
    (the same text :func:`_region_job` keeps for a unit it reads from the record): a
    caller that hands the unit to :func:`compile_partitioned` (``units``, which makes no
    record of a unit given) keeps that record itself, so the next edit finds it."""
    if len(source.data) > max_bytes:
        return None
    prior = _TeamsRecord.parse(store.get_text(teams_name(source.path)), source.path)
    if prior is None:
        return None
    split = chunks.split_region(source.data)
    if split is None:
        return None
    digest = unit_digest(source.path, source.data, max_bytes)
    # the one field of a job that reading a record uses is its size bound
    job = _Job(
        FileUnit("", "", None, ()), [source], [digest], [None], False, (), max_bytes, 1, _run
    )
    sums = _Digests.of(split)
    reused = _unit_from_teams(source, split, sums, prior, digest, job)
    if reused is None:
        return None
    unit, texts, _ = reused
    record = _teams_record(unit, split, sums, texts, prior.rest)
    return FromRecord(unit, record, prior.rest, texts)
