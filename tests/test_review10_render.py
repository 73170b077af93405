"""review10: a render again writes the edited file's cache entry from its team record's texts
(issue-16g4, ``FromRecord.data_text``): the entry must be the unit that was checked."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from planc.checks import CHECKS, partition
from planc.checks.partition import compile_partitioned, teams_name
from planc.core.cache import UnitCache
from planc.core.pipeline import read_directory


def test_an_entry_from_a_record_is_the_unit_read_from_it(mini_plan: Path, tmp_path: Path) -> None:
    store = UnitCache(tmp_path / "cache")
    region = mini_plan / "regions" / "north.yaml"
    for old, new in [("", ""), ("[150000, 180000, 220000]", "[150000, 190000, 210000]")]:
        # a cold check keeps no team record; a warm one keeps the edited file's
        text = region.read_text(encoding="utf-8")
        assert old in text
        region.write_text(text.replace(old, new), encoding="utf-8")
        sources, problems = read_directory(mini_plan)
        assert compile_partitioned(str(mini_plan), sources, CHECKS, problems, store=store)
    north = next(s.path for s in sources if s.path.endswith("north.yaml"))
    kept = store.get_text(teams_name(north))
    assert kept is not None
    header, rest, *teams = kept.split("\n")
    assert rest.count('"teams":[]') == 1
    # planc's own record is spliced (the guard below must not turn the splice off)
    source = next(s for s in read_directory(mini_plan)[0] if s.path == north)
    own = partition.unit_and_record(source, store)
    assert own is not None
    spliced_own = own.data_text()
    assert spliced_own is not None
    assert json.loads(spliced_own, parse_float=Decimal) == own.unit.data
    # the same values once read (the last "teams" wins, then the record's teams replace it)
    rest = rest.replace('"teams":[]', '"teams":[],"teams":[ ]')
    store.put_text(teams_name(north), "\n".join([header, rest, *teams]))
    text = region.read_text(encoding="utf-8")
    region.write_text(text.replace("[150000, 190000, 210000]", "[160000, 170000, 220000]"))
    source = next(s for s in read_directory(mini_plan)[0] if s.path == north)
    made = partition.unit_and_record(source, store)
    assert made is not None and made.unit.data is not None
    assert made.unit.data["region"]["teams"]  # the file's teams
    spliced = made.data_text()
    assert spliced is None  # a rest planc would not write: the unit is encoded instead


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_cold_render_keeps_no_unit_beside_its_model(
    workers: str, mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from planc.site import checked

    monkeypatch.setenv("PLANC_WORKERS", workers)
    made: list[object] = []
    real = checked._ForkedPuts

    class Puts(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(checked, "_ForkedPuts", Puts)
    result = checked.check_for_render(mini_plan, UnitCache(tmp_path / "cache"))
    assert result.plan is not None
    (puts,) = made
    assert getattr(puts, "loaded", []) == []  # no partition forked after the model: none kept
