"""The model's fast constructors build exactly what the dataclasses build; dates that do not
exist are still reported where they are written."""

from __future__ import annotations

import dataclasses
import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

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
