"""The model's fast Target constructor builds exactly what ``Target(...)`` builds."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

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
