"""The model's fast constructors build exactly what the dataclasses build; dates that do not
exist are still reported where they are written."""

from __future__ import annotations

import dataclasses
import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import REPO
from planc.cli import cli
from planc.core import model
from planc.core.model import Target
from planc.core.source import Loc


def test_the_fast_constructor_names_every_field_of_target_in_order() -> None:
    assert tuple(f.name for f in dataclasses.fields(Target)) == model._TARGET_FIELDS


def test_the_fast_constructor_builds_the_same_frozen_target() -> None:
    values = (
        "r01-t001",
        "revenue",
        Decimal("4321000"),
        Decimal("4667000"),
        date(2027, 3, 31),
        "diego",
        "growth",
        Decimal(1),
        Decimal("2.5"),
        (Decimal(1), Decimal(2), Decimal(3)),
        {"pro": Decimal(7)},
        "a note",
        Loc("r.yaml", ("region", "targets", "revenue")),
        Decimal(9),
        (Decimal(4), Decimal(5), Decimal(6)),
        {"smb": Decimal(3)},
    )
    made = model._new_target(*values)
    assert type(made) is Target
    assert made == Target(*values)
    assert dataclasses.astuple(made) == dataclasses.astuple(Target(*values))
    assert made.ref == "r01-t001/revenue"
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.value = Decimal(0)  # type: ignore[misc]
    with pytest.raises(TypeError):
        model._new_target(*values[:-1])  # every field must be given


def test_the_fast_reference_maker_builds_the_same_frozen_reference() -> None:
    assert tuple(f.name for f in dataclasses.fields(model.Reference)) == model._REFERENCE_FIELDS
    loc = Loc("r.yaml", ("region", "owner"))
    made = model._new_reference("person", "wang-lei", "region owner", loc)
    assert type(made) is model.Reference
    assert made == model.Reference("person", "wang-lei", "region owner", loc)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.id = "x"  # type: ignore[misc]


_LOC = Loc("r.yaml", ("region", "teams", 0))
_MADE = [
    (
        model.Action,
        model._ACTION_FIELDS,
        model._new_action,
        ("a1", "expo", "ann", "r01", "revenue", date(2027, 2, 1), (), _LOC),
    ),
    (model.Resource, model._RESOURCE_FIELDS, model._new_resource, ("travel", Decimal("2.5"), None, _LOC)),
    (
        model.Person,
        model._PERSON_FIELDS,
        model._new_person,
        ("ann", "Ann Lee", "rep", "ann@x.com", None, "bo", date(2020, 1, 1), None, "ann-gh", _LOC),
    ),
    (
        model.Node,
        model._NODE_FIELDS,
        model._new_node,
        ("t1", "Team 1", model.Level.TEAM, "bo", "r01", ("ann",), {}, {"travel": Decimal(3)},
         _LOC, Decimal(7), ("Acme",)),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("cls", "names", "make", "values"), _MADE)
def test_the_fast_makers_build_the_same_frozen_objects(
    cls: type, names: tuple[str, ...], make: object, values: tuple[object, ...]
) -> None:
    assert tuple(f.name for f in dataclasses.fields(cls)) == names
    assert callable(make)
    made = make(*values)
    assert type(made) is cls
    assert made == cls(*values)
    assert dataclasses.astuple(made) == values
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.loc = _LOC
    with pytest.raises(TypeError):
        make(*values[:-1])  # every field must be given


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (b"deadline: 2027-03-15}", b"deadline: 2027-02-30}"),  # a target's deadline
        (b"start: 2017-05-08", b"start: 2017-02-29"),  # a person's start
        (b"due: 2027-", b"due: 2027-02-30\n    #"),  # an action's due date
    ],
)
def test_a_date_that_does_not_exist_is_reported_where_it_is_written(
    tmp_path: Path, before: bytes, after: bytes
) -> None:
    """The model builds a date's path only when the date does not parse: it must still be
    the date's own line and column."""
    plan = tmp_path / "2027-Q1"
    shutil.copytree(REPO / "plans" / "2027-Q1", plan)
    region = plan / "regions" / "east.yaml"
    data = region.read_bytes()
    at = data.index(before)
    region.write_bytes(data[:at] + after + data[at + len(before) :])
    result = CliRunner().invoke(cli, ["check", str(plan), "--no-cache", "-f", "json"])
    found = [
        d["range"]["start"]
        for d in json.loads(result.output)["diagnostics"]
        if "not a real calendar date" in d["message"]
    ]
    assert len(found) == 1, result.output
    line = data[:at].count(b"\n") + 1
    column = at - data.rfind(b"\n", 0, at) + len(after.split(b":")[0]) + 2
    assert (found[0]["line"], found[0]["col"]) == (line, column), found


# --- BuildMemo: the pieces of the last builds reused where the raw values are the same ---


def _plan_units(tmp_path: Path) -> tuple[tuple[str, dict[str, Any]], tuple[str, dict[str, Any]]]:
    """The quarter file's and the first region file's values of a generated 300-rep plan."""
    import subprocess
    import sys

    from planc.core.frontend import compile_unit
    from planc.core.source import SourceFile
    from planc.core.spans import SpanResolver

    out = tmp_path / "plan"
    subprocess.run(
        [sys.executable, str(REPO / "bench" / "generate.py"), "300", str(out), "--seed", "4"],
        check=True,
        capture_output=True,
    )
    units = []
    for path in (out / "quarter.yaml", sorted((out / "regions").glob("*.yaml"))[0]):
        source = SourceFile(str(path), path.read_bytes())
        unit = compile_unit(source, SpanResolver({source.path: source}))
        assert unit.data is not None
        units.append((source.path, unit.data))
    return units[0], units[1]


def _same_build(
    quarter: tuple[str, dict[str, Any]], region: tuple[str, dict[str, Any]], memo: Any
) -> model.Plan:
    """build_plan with ``memo`` gives what it gives without one, in the same order."""
    plan, problems = model.build_plan(quarter, [region], memo)
    again, problems_again = model.build_plan(quarter, [region])
    assert plan is not None and again is not None
    assert plan == again
    assert problems == problems_again
    for field in ("nodes", "people", "managers"):
        assert list(getattr(plan, field).items()) == list(getattr(again, field).items()), field
    assert plan.references == again.references
    assert plan.duplicates == again.duplicates
    assert plan.actions == again.actions
    return plan


def _with_teams(data: dict[str, Any], teams: list[Any]) -> dict[str, Any]:
    return {**data, "region": {**data["region"], "teams": teams}}


def test_a_build_memo_reuses_unchanged_teams_and_builds_the_same_plan(tmp_path: Path) -> None:
    quarter, (rfile, data) = _plan_units(tmp_path)
    memo = model.BuildMemo()
    first = _same_build(quarter, (rfile, data), memo)
    teams = data["region"]["teams"]
    # the same values again: every piece reused, the very same objects
    again = _same_build(quarter, (rfile, data), memo)
    rep = teams[3]["reps"][0]["rep"]
    assert again.nodes[rep] is first.nodes[rep]
    assert again.actions[-1] is first.actions[-1]  # a region action (the first are the quarter's)
    # one team's values changed (a copy): only that team is built again
    changed = json.loads(json.dumps(teams[3], default=str), parse_float=Decimal)
    changed["reps"][0]["targets"] = {
        m: {**t, "value": Decimal(7)} for m, t in (changed["reps"][0]["targets"] or {}).items()
    }
    edited = _with_teams(data, [*teams[:3], changed, *teams[4:]])
    third = _same_build(quarter, (rfile, edited), memo)
    assert third.nodes[rep] is not first.nodes[rep]
    other = teams[5]["reps"][0]["rep"]
    assert third.nodes[other] is first.nodes[other]


def test_a_build_memo_builds_again_what_its_context_changes(tmp_path: Path) -> None:
    """A person renamed (a rep's shown name), a metric's pillar, the quarter's end, a team
    moved to another index, a rep id taken by an earlier team, a date that does not exist:
    each build with the memo is the build without it."""
    quarter, (rfile, data) = _plan_units(tmp_path)
    memo = model.BuildMemo()
    teams = data["region"]["teams"]
    _same_build(quarter, (rfile, data), memo)
    # a rep's person renamed: the rep's node shows the new name
    people = [dict(p) for p in data.get("people", [])]
    rep = teams[0]["reps"][0]["rep"]
    for person in people:
        if person["id"] == rep:
            person["name"] = "Someone Else"
    renamed = {**data, "people": people}
    plan = _same_build(quarter, (rfile, renamed), memo)
    assert plan.nodes[rep].name == "Someone Else"
    _same_build(quarter, (rfile, data), memo)
    # a metric's pillar changed in the quarter file (targets take their metric's pillar)
    qfile, qdata = quarter
    metrics = [dict(m) for m in qdata["metrics"]]
    metrics[0]["pillar"] = qdata["pillars"][-1]["id"]
    _same_build((qfile, {**qdata, "metrics": metrics}), (rfile, data), memo)
    # another quarter (its end is the default deadline of every target)
    other_quarter = {**qdata["quarter"], "id": "2031-Q2"}
    _same_build((qfile, {**qdata, "quarter": other_quarter}), (rfile, data), memo)
    # two teams swapped: each at another index (its locations change)
    swapped = _with_teams(data, [teams[1], teams[0], *teams[2:]])
    _same_build(quarter, (rfile, swapped), memo)
    _same_build(quarter, (rfile, data), memo)
    # an earlier team takes a rep id of a later, unchanged team: a duplicate, found as before
    thief = {**teams[0], "reps": [*teams[0]["reps"], teams[5]["reps"][0]]}
    stolen = _with_teams(data, [thief, *teams[1:]])
    plan = _same_build(quarter, (rfile, stolen), memo)
    assert any(d.id == teams[5]["reps"][0]["rep"] for d in plan.duplicates)
    _same_build(quarter, (rfile, data), memo)
    # an action on a day that does not exist: a problem, never kept, reported each build
    actions = [dict(a) for a in data["actions"]]
    actions[0]["due"] = "2027-02-30"
    broken = {**data, "actions": actions}
    _same_build(quarter, (rfile, broken), memo)
    _same_build(quarter, (rfile, broken), memo)
    _same_build(quarter, (rfile, data), memo)
    # a person listed twice: a duplicate each build
    twice = {**data, "people": [*data["people"], data["people"][0]]}
    _same_build(quarter, (rfile, twice), memo)
    _same_build(quarter, (rfile, twice), memo)
