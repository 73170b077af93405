"""The partitioned check gives the full compile's diagnostics, exactly, on every plan we have.

``planc check`` compiles a plan through per-region results (see
:mod:`planc.checks.partition`); the full compile (one model, every check) stays
the reference. Compared: code, severity, span, message, hint and order, on
every case of ``tests/cases`` (the mini plan with each failing and passing
edit), the mini plan itself, generated plans with injected errors and random
one-number edits. Also: cached region results are used only under their exact
key, a corrupted or foreign one is ignored, ``--no-cache`` reads none.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from planc.checks import CHECKS, check_sources, partition
from planc.checks.partition import MemoryStore, PartitionStats, compile_partitioned, teams_name
from planc.core.cache import UnitCache
from planc.core.diagnostics import message_from_json
from planc.core.frontend import compile_unit
from planc.core.pipeline import declares_quarter, display_path, is_quarter_text, read_directory
from planc.core.reporters import summary_line
from planc.core.source import SourceFile
from planc.core.spans import SpanResolver
from test_cases import FIXTURE, all_cases, apply_edit

ROOT = Path(__file__).parent.parent
GENERATE = ROOT / "bench" / "generate.py"
FALLBACKS: list[str] = []


def _key(result: Any) -> list[tuple[Any, ...]]:
    # the YAML path too: the language server's code actions read it
    return [(d.code, d.severity, d.span, d.message, d.hint, d.loc) for d in result.diagnostics]


def both(plan: Path, store: UnitCache | None = None) -> tuple[Any, Any, PartitionStats]:
    sources, problems = read_directory(plan)
    full = check_sources(str(plan), sources, problems)
    stats = PartitionStats()
    part = compile_partitioned(str(plan), sources, CHECKS, problems, store=store, stats=stats)
    return full, part, stats


def assert_same(plan: Path, store: UnitCache | None = None) -> PartitionStats:
    full, part, stats = both(plan, store)
    if part is None:  # the partition declined: the full compile is what planc check shows
        assert stats.fallback
        FALLBACKS.append(f"{plan}: {stats.fallback}")
        return stats
    assert _key(part) == _key(full)
    assert summary_line([part]) == summary_line([full])  # regions, teams and reps counted alike
    return stats


def _check_cases() -> list[Any]:
    return [
        pytest.param(case, id=case.id)
        for case in all_cases()
        if case.command in (None, "check") and not case.args
    ]


def _fixture_copy(tmp_path: Path) -> Path:
    """A copy of the example quarter that a test may edit."""
    plan = tmp_path / "plan"
    shutil.copytree(FIXTURE, plan)
    return plan


@pytest.mark.parametrize("case", _check_cases())
def test_every_case_partitions_like_the_full_compile(case: Any, tmp_path: Path) -> None:
    plan = _fixture_copy(tmp_path)
    for edit in case.edits:
        apply_edit(plan, edit)
    assert_same(plan)


def test_the_mini_plan_is_partitioned(tmp_path: Path) -> None:
    plan = _fixture_copy(tmp_path)
    stats = assert_same(plan)
    assert stats.fallback is None
    assert len(stats.computed) == 2


def _generate(out: Path, reps: int, errors: int, seed: int) -> Path:
    subprocess.run(
        [sys.executable, str(GENERATE), str(reps), str(out), "--errors", str(errors), "--seed",
         str(seed)],
        check=True, capture_output=True,
    )  # fmt: skip
    return out


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_generated_plans_with_errors(seed: int, tmp_path: Path) -> None:
    plan = _generate(tmp_path / "plan", 300, 12, seed)
    stats = assert_same(plan)
    assert stats.fallback is None, stats.fallback


_NUMBER = re.compile(rb"value: (\d+)")


def _edit_one_number(plan: Path, rng: random.Random) -> Path:
    regions = sorted((plan / "regions").glob("*.yaml"))
    path = rng.choice(regions)
    data = path.read_bytes()
    spots = list(_NUMBER.finditer(data))
    spot = rng.choice(spots)
    new = str(int(int(spot.group(1)) * rng.choice([0, 0.5, 0.9, 1.1, 2, 10]))).encode()
    path.write_bytes(data[: spot.start(1)] + new + data[spot.end(1) :])
    return path


def test_random_single_number_edits_with_the_cache(tmp_path: Path) -> None:
    plan = _generate(tmp_path / "plan", 300, 6, 11)
    store = UnitCache(tmp_path / "cache")
    rng = random.Random(7)
    first = assert_same(plan, store)
    assert len(first.computed) == 2 and not first.cached
    for _ in range(8):
        edited = _edit_one_number(plan, rng)
        stats = assert_same(plan, store)
        assert stats.fallback is None
        assert stats.computed == [str(edited)]  # only the edited region is compiled again
        assert len(stats.cached) == 1


def test_an_edit_of_the_quarter_file_recomputes_every_region(tmp_path: Path) -> None:
    plan = _fixture_copy(tmp_path)
    store = UnitCache(tmp_path / "cache")
    assert_same(plan, store)
    again = assert_same(plan, store)
    assert len(again.cached) == 2 and not again.computed
    quarter = plan / "quarter.yaml"
    quarter.write_bytes(quarter.read_bytes() + b"\n# a comment changes the bytes\n")
    after = assert_same(plan, store)
    assert len(after.computed) == 2 and not after.cached


def test_a_corrupted_or_foreign_region_result_is_ignored(tmp_path: Path) -> None:
    plan = _fixture_copy(tmp_path)
    folder = tmp_path / "cache"
    store = UnitCache(folder)
    assert_same(plan, store)
    entries = sorted(folder.glob("*.json"))
    records = [
        p for p in entries if json.loads(p.read_text()).get("record", "").startswith("region:")
    ]
    assert len(records) == 2
    # one entry torn, the other given a foreign region's path and a forged finding
    records[0].write_text(records[0].read_text()[:40])
    forged = json.loads(records[1].read_text())
    forged["value"]["path"] = "elsewhere.yaml"
    forged["value"].setdefault("checks", []).append(
        ["PLC999", "error", "forged", None, ["x.yaml", 1, 1, 1, 1], None]
    )
    records[1].write_text(json.dumps(forged))
    stats = assert_same(plan, store)
    assert len(stats.computed) == 2 and not stats.cached


def test_a_result_with_a_wrong_shape_is_ignored(tmp_path: Path) -> None:
    plan = _fixture_copy(tmp_path)
    folder = tmp_path / "cache"
    store = UnitCache(folder)
    assert_same(plan, store)
    for path in folder.glob("*.json"):
        entry = json.loads(path.read_text())
        if str(entry.get("record", "")).startswith("region:"):
            entry["value"]["levels"] = ["many"]
            path.write_text(json.dumps(entry))
    stats = assert_same(plan, store)
    assert len(stats.computed) == 2


def test_without_a_store_nothing_is_read_or_written(tmp_path: Path) -> None:
    plan = _fixture_copy(tmp_path)
    assert assert_same(plan).computed
    assert not list(tmp_path.glob("**/*.json"))


def test_cross_file_references_fall_back_to_the_full_compile(tmp_path: Path) -> None:
    plan = _fixture_copy(tmp_path)
    south = plan / "regions" / "south.yaml"
    north = (plan / "regions" / "north.yaml").read_text()
    person = re.search(r"- \{id: ([\w-]+),", north)
    assert person is not None
    text = south.read_text()
    owner = re.search(r"owner: ([\w-]+)", text.split("teams:", 1)[1])
    assert owner is not None
    south.write_text(text.replace(f"owner: {owner.group(1)}", f"owner: {person.group(1)}", 1))
    stats = assert_same(plan)
    assert stats.fallback


def _cli_json(plan: Path, *args: str) -> dict[str, Any]:
    from click.testing import CliRunner

    from planc.cli import cli

    outcome = CliRunner().invoke(cli, ["check", str(plan), "--format", "json", *args])
    assert outcome.exit_code in (0, 1), outcome.output
    parsed: dict[str, Any] = json.loads(outcome.output)
    return parsed


def test_planc_check_reports_the_same_with_and_without_the_cache(tmp_path: Path) -> None:
    plan = _generate(tmp_path / "plan", 200, 8, 3)
    cache = tmp_path / "cache"
    cold = _cli_json(plan, "--no-cache")
    filled = _cli_json(plan, "--cache-dir", str(cache))
    warm = _cli_json(plan, "--cache-dir", str(cache))
    assert cold == filled == warm
    assert list(cache.glob("*.json"))


def _hint_of(plan: Path, code: str) -> list[str | None]:
    full, part, stats = both(plan)
    assert stats.fallback is None, stats.fallback
    assert part is not None and _key(part) == _key(full)
    return [d.hint for d in part.diagnostics if d.code == code]


def test_a_hint_in_the_quarter_file_looks_at_the_people_of_every_region(tmp_path: Path) -> None:
    plan = _fixture_copy(tmp_path)
    quarter = plan / "quarter.yaml"
    quarter.write_text(quarter.read_text().replace("  owner: vera\n", "  owner: nedd\n", 1))
    assert _hint_of(plan, "PLC201") == ["did you mean `ned`?"]  # ned sits in north.yaml


def test_a_hint_in_a_region_file_looks_at_the_people_of_the_others(tmp_path: Path) -> None:
    plan = _fixture_copy(tmp_path)
    south = plan / "regions" / "south.yaml"
    text = south.read_text()
    assert "\n      owner: sun\n" in text
    south.write_text(text.replace("\n      owner: sun\n", "\n      owner: nedd\n", 1))
    assert "did you mean `ned`?" in _hint_of(plan, "PLC201")


def test_forked_workers_give_the_same_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from planc.checks import partition

    monkeypatch.setattr(partition, "_PARALLEL_MIN_BYTES", 0)
    plan = _generate(tmp_path / "plan", 300, 6, 5)
    sources, problems = read_directory(plan)
    found = []
    for workers in (1, 2):
        stats = PartitionStats()
        result = compile_partitioned(
            str(plan), sources, CHECKS, problems, stats=stats, workers=workers
        )
        assert result is not None and stats.fallback is None
        assert len(stats.computed) == 2
        found.append(_key(result))
    assert found[0] == found[1]
    assert found[0] == _key(check_sources(str(plan), sources, problems))


def test_a_result_of_the_right_shape_that_does_not_fit_falls_back(tmp_path: Path) -> None:
    plan = _fixture_copy(tmp_path)
    folder = tmp_path / "cache"
    store = UnitCache(folder)
    assert_same(plan, store)
    for path in folder.glob("*.json"):
        entry = json.loads(path.read_text())
        if str(entry.get("record", "")).startswith("region:"):
            entry["value"]["shell"] = json.dumps({"kind": "region", "region": {}})
            entry["value"]["ramp"] = [[["people", 0, "start"], "x", "2027-01-01", "rep", [1, 3],
                                       5, "a", "2027-02-01"]]  # fmt: skip
            path.write_text(json.dumps(entry))
    stats = assert_same(plan, store)  # never a traceback: the full compile answers
    assert stats.fallback == "a cached region result does not fit"


def _region_records(store: MemoryStore) -> list[str]:
    return [name for name in store.records if name.startswith("region:")]


def test_the_language_server_session_checks_an_edit_by_its_files(tmp_path: Path) -> None:
    pytest.importorskip("pygls")
    from planc.lsp.session import QuarterSession

    plan = _generate(tmp_path / "plan", 300, 4, 9)
    session = QuarterSession(plan.absolute())
    session.generation = 1
    session.compile({}, 1)
    assert session.plan is not None and session.baseline is not None
    region = sorted((plan / "regions").glob("*.yaml"))[0].absolute()
    edited = _NUMBER.sub(b"value: 7", region.read_bytes(), count=1)
    session.generation = 2
    session.compile_diagnostics({region: edited}, 2)
    assert len(_region_records(session.memory)) == 2  # the first partitioned compile: both
    edited = _NUMBER.sub(b"value: 8", edited, count=1)
    session.generation = 3
    fast = session.compile_diagnostics({region: edited}, 3)
    assert fast.plan is None and session.stale  # checked by its files; the model not yet
    assert len(_region_records(session.memory)) == 3  # the other region's result was reused
    # the edited file's teams are kept in memory: the next edit loads only the team it changed
    assert session.memory.get_text(teams_name(display_path(region))) is not None
    session.refresh()  # the model only: its diagnostics were published already
    assert not session.stale and session.plan is not None
    assert session.result is fast
    full = session.compile({region: edited}, 3)  # the whole plan compiled and checked
    assert full.plan is not None and _key(fast) == _key(full)


_NAMED = re.compile(rb"((?:owner|rep|manager|node|target|supports|approved_by): \[?)([\w-]+)")


@pytest.mark.parametrize("seed", range(12))
def test_random_cross_file_renames_never_change_the_diagnostics(seed: int, tmp_path: Path) -> None:
    """Names swapped for ids of other files (or misspelt): the guards fall back or agree."""
    plan = _fixture_copy(tmp_path)
    rng = random.Random(seed)
    files = sorted(plan.rglob("*.yaml"))
    ids = sorted({m.group(2) for f in files for m in _NAMED.finditer(f.read_bytes())})
    ids += [b"zz-nobody", ids[0][:-1] if len(ids[0]) > 1 else b"x"]
    for _ in range(3):
        path = rng.choice(files)
        data = path.read_bytes()
        spots = list(_NAMED.finditer(data))
        spot = rng.choice(spots)
        path.write_bytes(data[: spot.start(2)] + rng.choice(ids) + data[spot.end(2) :])
    assert_same(plan)


@pytest.mark.parametrize(
    ("company", "asked"),
    [
        ("marketing: 20000, training: 20000", ""),  # over by north's 30,000 alone
        ("marketing: 100000, training: 20000, samples: 1", "\n      - {kind: samples, amount: 5}"),
        ("marketing: 100000, training: 20000, samples: 9", "\n      - {kind: samples, amount: 5}"),
    ],
)
def test_a_budget_of_the_quarter_file_counts_the_actions_of_every_region(
    company: str, asked: str, tmp_path: Path
) -> None:
    """PLC501 of the company's budget sums requests of actions in region files, which the
    summary plan does not hold (they come with each region's result)."""
    plan = _fixture_copy(tmp_path)
    quarter = plan / "quarter.yaml"
    text = quarter.read_text(encoding="utf-8")
    quarter.write_text(text.replace("marketing: 100000, training: 20000", company, 1), "utf-8")
    north = plan / "regions" / "north.yaml"
    line = "      - {kind: marketing, amount: 30000, note: booth and travel}"
    north.write_text(north.read_text(encoding="utf-8").replace(line, line + asked, 1), "utf-8")
    full, _, _ = both(plan)
    assert assert_same(plan).fallback is None
    assert ("PLC501" in {d.code for d in full.diagnostics}) == ("9" not in company)


# --- teams: an edited region file loads only the teams that changed -----------------------

_TEAM = re.compile(rb"^    - id: ([\w-]+)\n", re.MULTILINE)
_REP = re.compile(rb"^        - rep: ", re.MULTILINE)
_TAIL = re.compile(rb"^[a-z_]+:", re.MULTILINE)


def _teams_of(data: bytes) -> tuple[list[tuple[int, int]], int]:
    """(start, end) of each team's text, and where the teams end."""
    starts = [m.start() for m in _TEAM.finditer(data)]
    tail = next(m.start() for m in _TAIL.finditer(data, starts[-1]))
    return list(zip(starts, [*starts[1:], tail], strict=True)), tail


def _number_in_a_team(data: bytes, rng: random.Random) -> tuple[bytes, int]:
    teams, _ = _teams_of(data)
    index = rng.randrange(len(teams))
    start, end = teams[index]
    spot = rng.choice(list(_NUMBER.finditer(data, start, end)))
    new = str(int(int(spot.group(1)) * rng.choice([0, 0.5, 0.9, 1.1, 2, 10]))).encode()
    return data[: spot.start(1)] + new + data[spot.end(1) :], 1


def _move_a_rep(data: bytes, rng: random.Random) -> tuple[bytes, int]:
    teams, _ = _teams_of(data)
    a, b = rng.sample(range(len(teams)), 2)
    start, end = teams[a]
    seats = [m.start() for m in _REP.finditer(data, start, end)]
    seat = rng.randrange(len(seats))
    cut = data[seats[seat] : ([*seats[1:], end])[seat]]
    rest = data[: seats[seat]] + data[seats[seat] + len(cut) :]
    teams, _ = _teams_of(rest)
    at = rest.index(b"      reps:\n", teams[b][0]) + len(b"      reps:\n")
    return rest[:at] + cut + rest[at:], 2


def _rename_a_team(data: bytes, rng: random.Random) -> tuple[bytes, int]:
    teams, _ = _teams_of(data)
    start, _ = teams[rng.randrange(len(teams))]
    line_end = data.index(b"\n", start)
    return data[:line_end] + b"-new" + data[line_end:], 1


def _add_a_team(data: bytes, rng: random.Random) -> tuple[bytes, int]:
    """A copy of a team under another id: its reps sit in two teams (PLC208)."""
    teams, _ = _teams_of(data)
    start, end = teams[rng.randrange(len(teams))]
    copy = data[start:end].replace(b"    - id: ", b"    - id: copy%d-" % rng.randrange(10**9), 1)
    at = teams[rng.randrange(len(teams))][1]
    return data[:at] + copy + data[at:], 1


def _remove_a_team(data: bytes, rng: random.Random) -> tuple[bytes, int]:
    teams, _ = _teams_of(data)
    start, end = teams[rng.randrange(len(teams))]
    return data[:start] + data[end:], 0


def _break_a_team(data: bytes, rng: random.Random) -> tuple[bytes, int]:
    """Errors injected in one team: a month off, a target below zero, an unknown owner."""
    teams, _ = _teams_of(data)
    start, end = teams[rng.randrange(len(teams))]
    chunk = data[start:end]
    chunk = rng.choice(
        [
            re.sub(rb"months: \[(\d+)", rb"months: [\g<1>1", chunk, count=1),
            re.sub(rb"value: (\d+)", rb"value: -\1", chunk, count=1),
            re.sub(rb"owner: [\w-]+", b"owner: nobody-here", chunk, count=1),
            re.sub(rb"\n        - rep: [\w-]+", b"\n        - rep: nobody-here", chunk, count=1),
        ]
    )
    return data[:start] + chunk + data[end:], 1


def _a_yaml_error_in_a_team(data: bytes, rng: random.Random) -> tuple[bytes, int | None]:
    """A team that does not load alone: the whole file is loaded, its error reported."""
    teams, _ = _teams_of(data)
    start, end = teams[rng.randrange(len(teams))]
    chunk = rng.choice(
        [
            data[start:end].replace(b"name: ", b"name: [", 1),
            data[start:end].replace(b"      name: ", b"      name: a\n      name: ", 1),
            data[start:end].replace(b"value: ", b'value: "', 1),
        ]
    )
    return data[:start] + chunk + data[end:], None


# the edits of one region file's teams every partition test runs
_TEAM_EDITS = [
    _number_in_a_team,
    _move_a_rep,
    _rename_a_team,
    _add_a_team,
    _remove_a_team,
    _break_a_team,
    _a_yaml_error_in_a_team,
]


@pytest.mark.parametrize("edit", _TEAM_EDITS)
def test_team_edits_partition_like_the_full_compile(edit: Any, tmp_path: Path) -> None:
    """Each edit, checked with the cache, gives the full compile's diagnostics; the edited
    file's teams come from its team record except those the edit changed."""
    plan = _generate(tmp_path / "plan", 300, 4, 3)
    store = UnitCache(tmp_path / "cache")
    rng = random.Random(edit.__name__)
    assert assert_same(plan, store).fallback is None  # cold: no team record made
    region = sorted((plan / "regions").glob("*.yaml"))[0]
    region.write_bytes(_number_in_a_team(region.read_bytes(), rng)[0])
    assert str(region) not in assert_same(plan, store).teams  # loaded whole, its teams kept
    for _ in range(4):
        data, changed = edit(region.read_bytes(), rng)
        region.write_bytes(data)
        stats = assert_same(plan, store)
        if changed is None:  # loaded whole: no record for a file with errors
            assert str(region) not in stats.teams
            region.write_bytes(_generate(tmp_path / "again", 300, 4, 3).joinpath(
                "regions", region.name).read_bytes())  # fmt: skip
            assert_same(plan, store)
            continue
        assert len(stats.teams[str(region)]) == changed, stats.teams


def test_a_damaged_team_record_is_ignored(tmp_path: Path) -> None:
    plan = _generate(tmp_path / "plan", 300, 0, 5)
    store = UnitCache(tmp_path / "cache")
    assert_same(plan, store)
    region = sorted((plan / "regions").glob("*.yaml"))[0]
    rng = random.Random(3)
    region.write_bytes(_number_in_a_team(region.read_bytes(), rng)[0])
    assert_same(plan, store)
    name = teams_name(str(region))
    kept = store.get_text(name)
    assert kept is not None
    header, rest, *teams = kept.split("\n")
    fields = json.loads(header)

    def record(head: Any = None, rest: str = rest, teams: list[str] = teams) -> str:
        return "\n".join([json.dumps(head or fields), rest, *teams])

    two = teams[0] + "," + teams[1]  # one line that decodes to two teams
    for damage in (
        "not a record",
        record(teams=["{" for _ in teams]),  # teams that do not decode
        record(teams=['{"id": 1}' for _ in teams]),  # the schema refuses
        record(teams=[two, *teams[1:]]),
        record(rest="[]"),
        record(teams=teams[1:]),  # a line missing
        record(head={**fields, "path": "elsewhere.yaml"}),
        record(head={**fields, "teams": "abc"}),
        record(head=[1]),
    ):
        store.put_text(name, damage)
        data, _ = _number_in_a_team(region.read_bytes(), rng)
        region.write_bytes(data)
        stats = assert_same(plan, store)
        assert str(region) not in stats.teams  # loaded whole


def test_the_checks_of_one_recompiled_file_on_both_cores_find_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm check recompiling one large file shares its checks (and the interface) with
    a forked child: the region result is the same as in one process."""
    monkeypatch.setattr("planc.checks.partition._BOTH_CORES_BYTES", 0)
    monkeypatch.setattr("planc.checks.partition._idle_core", lambda: True)
    forks: list[bool] = []
    results: list[Any] = []
    real_shared, real_result = partition._shared, partition.region_result

    def spy(tasks: Any, both_cores: bool, first: int | None = None) -> Any:
        forks.append(both_cores)
        return real_shared(tasks, both_cores, first)

    def alone(*args: Any, **kwargs: Any) -> Any:
        found = real_result(*args, **kwargs)
        results.append((found, real_result(*args[:-1], False, **kwargs)))
        return found

    monkeypatch.setattr("planc.checks.partition._shared", spy)
    monkeypatch.setattr("planc.checks.partition.region_result", alone)
    plan = _generate(tmp_path / "plan", 300, 6, 4)
    store = UnitCache(tmp_path / "cache")
    rng = random.Random(5)
    assert_same(plan, store)
    for _ in range(3):
        edited = _edit_one_number(plan, rng)
        sources, problems = read_directory(plan)
        full = check_sources(str(plan), sources, problems)
        part = compile_partitioned(str(plan), sources, CHECKS, problems, store=store, workers=2)
        assert part is not None and _key(part) == _key(full)
        assert str(edited) in {r[0]["path"] for r in results[-1:]}
    assert forks[-6:] == [True, False] * 3
    assert all(shared == alone for shared, alone in results[-3:])
    assert any(r[0]["checks"] for r in results[-3:])  # findings came back from both


def test_a_run_hook_sees_the_recompiled_files_model_here_with_both_cores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """allocate reads the partition's Q+R model through its run hook: with the checks
    shared with a child, the first one still runs in this process."""
    monkeypatch.setattr("planc.checks.partition._BOTH_CORES_BYTES", 0)
    monkeypatch.setattr("planc.checks.partition._idle_core", lambda: True)
    plan = _generate(tmp_path / "plan", 300, 0, 6)
    store = UnitCache(tmp_path / "cache")
    assert_same(plan, store)
    edited = sorted((plan / "regions").glob("*.yaml"))[0]
    for bump in range(1, 4):
        data = edited.read_bytes()
        spot = list(_NUMBER.finditer(data))[bump * 7]
        edited.write_bytes(
            data[: spot.start(1)] + str(int(spot.group(1)) + bump).encode() + data[spot.end(1) :]
        )
        sources, problems = read_directory(plan)
        seen: list[Any] = []

        def hook(check: Any, model: Any, seen: list[Any] = seen) -> Any:
            seen.append(model)
            return check.run(model)

        found = compile_partitioned(
            str(plan), sources, CHECKS, problems, store=store, workers=2, run=hook
        )
        assert found is not None
        quarter = str(plan / "quarter.yaml")
        # the Q+R model (the summary plan holds nodes of the other region file too)
        assert {quarter, str(edited)} in [{n.loc.file for n in m.nodes.values()} for m in seen]


def test_a_child_that_gives_nothing_back_leaves_its_tasks_to_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tasks: list[Any] = [lambda i=i: [i] * i for i in range(40)]
    assert partition._shared(tasks, True) == [[i] * i for i in range(40)]
    here: list[int] = []
    kept = [*tasks[:5], lambda: here.append(os.getpid()) or [5] * 5, *tasks[6:]]
    assert partition._shared(kept, True, first=5) == [[i] * i for i in range(40)]
    assert here == [os.getpid()]  # the task kept back ran in this process, once
    monkeypatch.setattr("pickle.dumps", lambda value: b"torn")  # imported where it forks
    assert partition._shared(tasks, True) == [[i] * i for i in range(40)]


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open fds in /proc")
def test_a_fork_that_fails_leaves_every_task_to_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """fork() can fail (EAGAIN, ENOMEM): the tasks are all done here, as for a child that
    gave nothing back, and the pipes made for the child are closed (no OSError)."""
    import errno

    def no_fork() -> int:
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    tasks: list[Any] = [lambda i=i: [i] * i for i in range(40)]
    monkeypatch.setattr(os, "fork", no_fork)
    before = len(os.listdir("/proc/self/fd"))
    assert partition._shared(tasks, True, first=3) == [[i] * i for i in range(40)]
    assert len(os.listdir("/proc/self/fd")) == before


# --- the cross-file id check: made once per set of ids, not per number edit --------------


def _spy_defined(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = partition._defined

    def spy(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(partition, "_defined", spy)
    return calls


def test_a_number_edit_does_not_gather_every_id_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ids of every file are compared once; a number edit keeps each file's ids, so the
    record of that comparison is found and the plan's ids are not gathered again."""
    calls = _spy_defined(monkeypatch)
    plan = _generate(tmp_path / "plan", 300, 0, 8)
    store = UnitCache(tmp_path / "cache")
    rng = random.Random(2)
    assert assert_same(plan, store).fallback is None
    assert len(calls) == 1
    for _ in range(3):
        _edit_one_number(plan, rng)
        assert assert_same(plan, store).fallback is None
    assert len(calls) == 1
    assert_same(plan)  # no store: compared every time
    assert len(calls) == 2


def test_an_id_defined_in_two_files_is_found_after_number_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record is named after every file's ids: a rename that puts one id in two files
    finds no record, and the partition falls back to the full compile (which reports it)."""
    calls = _spy_defined(monkeypatch)
    plan = _generate(tmp_path / "plan", 300, 0, 8)
    store = UnitCache(tmp_path / "cache")
    assert_same(plan, store)
    _edit_one_number(plan, random.Random(4))
    assert_same(plan, store)
    first, second = sorted((plan / "regions").glob("*.yaml"))
    taken = re.search(rb"\n  - \{id: ([\w-]+), name: [^\n]*role: rep,", first.read_bytes())
    assert taken is not None
    data = second.read_bytes()
    mine = re.search(rb"\n  - \{id: ([\w-]+), name: [^\n]*role: rep,", data)
    assert mine is not None
    second.write_bytes(data[: mine.start(1)] + taken.group(1) + data[mine.end(1) :])
    stats = assert_same(plan, store)
    assert stats.fallback and "another file" in stats.fallback
    assert len(calls) == 2


@pytest.mark.parametrize("forged", [False, "true", 1, {"ok": True}, [True]])
def test_a_forged_ids_record_is_not_taken(
    forged: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the value this planc writes (true) spares the comparison; anything else under
    the record's name is ignored and the ids are compared again."""
    calls = _spy_defined(monkeypatch)
    plan = _generate(tmp_path / "plan", 300, 0, 8)
    folder = tmp_path / "cache"
    store = UnitCache(folder)
    assert_same(plan, store)
    names = [
        entry["record"]
        for entry in (json.loads(p.read_text()) for p in folder.glob("*.json"))
        if str(entry.get("record", "")).startswith("ids:")
    ]
    assert len(names) == 1
    store.put_record(names[0], forged)
    assert assert_same(plan, store).fallback is None
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("cores", "load", "running", "idle"),
    [
        (2, 1.2, 1, True),  # an idle machine where planc just ran: only this process runs
        (2, 1.2, 2, False),  # another process runs now
        (2, 2.5, 1, False),  # busy on average: a quiet moment is not an idle core
        (2, 7.0, 8, False),
        (4, 2.5, 3, True),
        (1, 0.0, 1, False),  # one core: never
        (2, 0.9, None, True),  # no count of running processes: the load average decides
        (2, 1.2, None, False),
    ],
)
def test_an_idle_core_is_one_no_other_process_runs_on_now(
    cores: int, load: float, running: int | None, idle: bool
) -> None:
    assert partition.idle_core(cores, load, running) is idle


def test_a_unit_without_a_store_is_compile_units_but_its_digest() -> None:
    """Without a store a region file's unit is made without hashing its bytes (nothing files
    it by digest): the same values, diagnostics and traps as compile_unit's, for a plain
    file, one with a YAML 1.1 trap, one the schema refuses, one that does not parse and one
    over the size bound."""
    north = (FIXTURE / "regions" / "north.yaml").read_bytes()
    variants = [
        (north, 1 << 30),
        (north.replace(b"name: North Enterprise", b"name: yes", 1), 1 << 30),
        (north.replace(b"owner: ", b"ownr: ", 1), 1 << 30),
        (north.replace(b"name: North Enterprise", b"name: [x", 1), 1 << 30),
        (north, 100),
    ]
    seen = set()
    for data, bound in variants:
        source = SourceFile("regions/north.yaml", data)
        plain = compile_unit(source, SpanResolver({source.path: source}), bound)
        unhashed = partition._unit_unhashed(source, bound)
        assert unhashed.digest == "" and plain.digest
        assert (unhashed.path, unhashed.data, unhashed.traps) == (
            plain.path,
            plain.data,
            plain.traps,
        )
        assert unhashed.diagnostics == plain.diagnostics
        seen.add((plain.data is None, bool(plain.traps), len(plain.diagnostics) > 0))
    assert len(seen) >= 3


_PERSON_NAME = re.compile(rb"^  - \{id: [\w-]+, name: ([^,]+),", re.MULTILINE)
_DUE = re.compile(rb"^    due: (\d{4})-", re.MULTILINE)


def _rename_a_person(data: bytes, rng: random.Random) -> tuple[bytes, int]:
    """A person's name (a rep's node shows it): the rest of the file changes (-1: the
    file is loaded whole, its teams' values kept)."""
    _, tail = _teams_of(data)
    spot = rng.choice(list(_PERSON_NAME.finditer(data, tail)))
    return data[: spot.start(1)] + b"Renamed " + data[spot.start(1) :], -1


def _an_action_on_a_day_that_does_not_exist(data: bytes, rng: random.Random) -> tuple[bytes, int]:
    _, tail = _teams_of(data)
    spot = rng.choice(list(_DUE.finditer(data, tail)))
    end = data.index(b"\n", spot.start(1))
    return data[: spot.start(1)] + b"2027-02-30" + data[end:], -1


def _a_rep_of_a_later_team_twice(data: bytes, rng: random.Random) -> tuple[bytes, int]:
    """The first team seats a rep of a later team that does not change: a duplicate."""
    teams, _ = _teams_of(data)
    later = teams[rng.randrange(1, len(teams))]
    seats = [m.start() for m in _REP.finditer(data, *later)]
    cut = data[seats[0] : ([*seats[1:], later[1]])[0]]
    at = data.index(b"      reps:\n", teams[0][0]) + len(b"      reps:\n")
    return data[:at] + cut + data[at:], 1


@pytest.mark.parametrize(
    "edit",
    [
        *_TEAM_EDITS,
        _rename_a_person,
        _an_action_on_a_day_that_does_not_exist,
        _a_rep_of_a_later_team_twice,
    ],
)
def test_team_edits_in_memory_reuse_values_and_model_pieces_like_the_full_compile(
    edit: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In memory (the language server's store) an edit reuses the decoded values of the
    teams it did not change and the model's pieces built from them (partition.TeamValues,
    model.BuildMemo): the diagnostics are still the full compile's, edit after edit."""
    from planc.core import model

    made: list[Any] = []
    real_made = model._Made

    def counted(*args: Any) -> Any:
        made.append(args[0])
        return real_made(*args)

    monkeypatch.setattr(model, "_Made", counted)
    plan = _generate(tmp_path / "plan", 300, 4, 3)
    store = MemoryStore()
    rng = random.Random(edit.__name__)
    assert assert_same(plan, store).fallback is None  # type: ignore[arg-type]
    region = sorted((plan / "regions").glob("*.yaml"))[0]
    region.write_bytes(_number_in_a_team(region.read_bytes(), rng)[0])
    assert str(region) not in assert_same(plan, store).teams  # type: ignore[arg-type]
    for step in range(4):
        data, changed = edit(region.read_bytes(), rng)
        region.write_bytes(data)
        made.clear()
        stats = assert_same(plan, store)  # type: ignore[arg-type]
        if changed is None:
            assert str(region) not in stats.teams
            region.write_bytes(_generate(tmp_path / "again", 300, 4, 3).joinpath(
                "regions", region.name).read_bytes())  # fmt: skip
            assert_same(plan, store)  # type: ignore[arg-type]
            continue
        if changed < 0:  # the rest of the file changed: loaded whole, then a team edited
            assert str(region) not in stats.teams
            region.write_bytes(_number_in_a_team(region.read_bytes(), rng)[0])
            assert len(assert_same(plan, store).teams[str(region)]) == 1  # type: ignore[arg-type]
            continue
        assert len(stats.teams[str(region)]) == changed, stats.teams
        if edit is _number_in_a_team and step:
            # the edited team alone was built again (people, actions, other teams reused)
            assert len(made) == 1 and isinstance(made[0], dict), made


def _exactly(value: Any) -> Any:
    """A value with every type and every Decimal's digits and exponent spelt out."""
    from decimal import Decimal

    if isinstance(value, dict):
        return ("dict", [(k, _exactly(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_exactly(v) for v in value])
    if isinstance(value, Decimal):
        return ("Decimal", value.as_tuple())
    return (type(value).__name__, value)


def _region_values_read_back(path: Path) -> tuple[Any, Any] | None:
    """A clean region file's values, and the values an edit reads back from its team record."""
    from planc.core import chunks

    source = SourceFile(str(path), path.read_bytes())
    unit = compile_unit(source, SpanResolver({source.path: source}))
    split = chunks.split_region(source.data)
    if unit.data is None or unit.diagnostics or split is None or unit.data["kind"] != "region":
        return None
    sums = partition._Digests.of(split)
    record = partition._teams_record(unit, split, sums, None, None)
    if record is None:
        return None
    expected = _exactly(unit.data)
    again = partition._from_record_values(unit, record, sums, partition.TeamValues())
    assert again.data is not unit.data  # read back from the record, not the same unit
    return expected, _exactly(again.data)


def test_a_region_files_values_read_back_from_its_team_record_are_the_same(
    tmp_path: Path,
) -> None:
    """What the language server builds the model from after a whole-file load (the team
    record's values, shared with the next edits) is the file's values exactly: the same
    types, the same Decimals to the digit and exponent, in every case and generated plan."""
    seen = 0
    for number, case in enumerate(all_cases()):
        plan = tmp_path / f"case{number}"
        shutil.copytree(FIXTURE, plan)
        for edit in case.edits:
            try:
                apply_edit(plan, edit)
            except Exception:  # noqa: BLE001 - an edit for another command (exports...)
                continue
        for path in sorted(plan.rglob("*.yaml")):
            if path.is_symlink() or not path.is_file():
                continue
            found = _region_values_read_back(path)
            if found is not None:
                assert found[0] == found[1], (case.id, path)
                seen += 1
        shutil.rmtree(plan)
    for seed in (1, 2):
        plan = _generate(tmp_path / f"generated{seed}", 300, 12, seed)
        for path in sorted((plan / "regions").glob("*.yaml")):
            found = _region_values_read_back(path)
            if found is not None:
                assert found[0] == found[1], path
                seen += 1
    assert seen > 100


def test_hints_kept_in_memory_follow_the_ids_of_the_plan(tmp_path: Path) -> None:
    """A hint among every id of the plan, kept from one combine to the next in memory, is
    chosen again when another file adds an id closer to the unknown name (and the kept one
    comes back when it goes): each time the full compile's."""
    plan = _generate(tmp_path / "plan", 300, 0, 11)
    first, second = sorted((plan / "regions").glob("*.yaml"))[:2]
    data = first.read_bytes()
    owner = re.search(rb"\n    - id: [\w-]+\n      name: [^\n]+\n      owner: ([\w-]+)", data)
    assert owner is not None
    first.write_bytes(data.replace(owner.group(0), owner.group(0) + b"-zq", 1))
    store = MemoryStore()
    hints = []
    before = second.read_bytes()
    close = b"  - {id: %s-zqx, name: Close Name, role: manager}\n" % owner.group(1)
    for text in (before, before.replace(b"\npeople:\n", b"\npeople:\n" + close, 1), before):
        second.write_bytes(text)
        for _ in range(2):  # the second run combines the kept results again
            full, part, stats = both(plan, store)  # type: ignore[arg-type]
            assert part is not None, stats.fallback
            assert _key(part) == _key(full)
        hints.append([d.hint for d in part.diagnostics if d.code == "PLC201"])
    assert hints[0] == hints[2] != hints[1]
    assert any("-zqx" in str(h) for h in hints[1])
    assert len(store.values.hints) >= 2


def test_only_units_that_share_their_values_keep_model_pieces(tmp_path: Path) -> None:
    """A region file loaded whole without a team record (a cold compile of the folder: the
    language server's first) keeps no model pieces: its values are shared with no later
    edit, and its pieces would push out those of the files being edited (at 10,000 reps
    the first edit then built its file's whole model: 700 ms of CPU instead of 340 ms)."""
    plan = _generate(tmp_path / "plan", 300, 0, 12)
    store = MemoryStore()
    assert_same(plan, store)  # type: ignore[arg-type]
    assert not store.values.model._files  # cold: nothing shared, nothing kept
    region = sorted((plan / "regions").glob("*.yaml"))[0]
    rng = random.Random(12)
    for _ in range(2):  # loaded whole, its record made (and read back); then a team edited
        region.write_bytes(_number_in_a_team(region.read_bytes(), rng)[0])
        assert_same(plan, store)  # type: ignore[arg-type]
        assert list(store.values.model._files) == [str(region)]


def test_hints_chosen_later_are_not_chosen_in_the_region_first(tmp_path: Path) -> None:
    """PLC201/PLC205 of a region file get their hint in combine, among every id of the plan:
    the region's own run leaves it empty (no difflib over its ids), the final hint is the
    full compile's, and the other checks' hints (PLC202 here) are chosen as before."""
    from planc.checks import refs

    plan = _generate(tmp_path / "plan", 300, 0, 13)
    region = sorted((plan / "regions").glob("*.yaml"))[0]
    data = region.read_bytes()
    data = re.sub(rb"(\n      owner: )([\w-]+)", rb"\1\2x", data, count=1)  # PLC201
    data = data.replace(b"    supports: revenue\n", b"    supports: revenu\n", 1)  # PLC202
    region.write_bytes(data)
    source = SourceFile(str(region), data)
    quarter = plan / "quarter.yaml"
    qsource = SourceFile(str(quarter), quarter.read_bytes())
    result = partition.region_result(
        compile_unit(qsource, SpanResolver({qsource.path: qsource})),
        compile_unit(source, SpanResolver({source.path: source})),
        source,
        CHECKS,
    )
    assert not refs.HINTS_LATER.get()  # reset after the checks
    # a record keeps a message as made (core.diagnostics.message_json): read it back as such
    assert [message_from_json(raw[3]) for raw, _ in result["unknown"]] == [""]
    metric = [raw for raw in result["checks"] if raw[0] == "PLC202"]
    assert metric and all("did you mean" in message_from_json(raw[3]) for raw in metric)
    full, part, stats = both(plan)
    assert part is not None, stats.fallback
    assert _key(part) == _key(full)
    assert any(d.code == "PLC201" and d.hint for d in part.diagnostics)


def test_ramping_candidates_of_one_role_factor_and_count_are_decided_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PLC453 of the region files' candidates, as each one's own ramp_text gives it; a load
    allowed for a (role, factor, count) is not worked out again for the next such person."""
    from planc.checks import people
    from planc.core.model import build_plan

    quarter = compile_unit(
        SourceFile("quarter.yaml", (FIXTURE / "quarter.yaml").read_bytes()), SpanResolver({})
    )
    assert quarter.data is not None
    summary, _ = build_plan((quarter.path, quarter.data), [])
    assert summary is not None

    def candidate(i: int, count: int) -> list[Any]:
        return [["people", i, "start"], f"p{i}", "2027-01-01", "rep", [1, 3], count, f"a{i}",
                "2027-02-01"]  # fmt: skip

    ramp = [candidate(i, 1) for i in range(50)] + [candidate(50 + i, 9) for i in range(3)]
    results = [{"path": "r.yaml", "q_owned": {}, "loads": {"rep": [[2, 3]]}, "ramp": ramp}]
    medians = partition._medians(summary, quarter.path, results, people.owned_actions(summary))
    expected = []
    for path, ident, start, role, factor, count, first, due in ramp:
        text = people.ramp_text(
            ident, partition._day(start), role, partition.Fraction(*factor), count, first,
            partition._day(due), medians,
        )  # fmt: skip
        if text is not None:
            expected.append((("people", path[1], "start"), str(text[0])))
    assert len(expected) == 3  # 9 actions are more than a third of the median of 2 allows
    calls: list[str] = []
    real = people.ramp_text

    def counted(*args: Any) -> Any:
        calls.append(args[0])
        return real(*args)

    monkeypatch.setattr(people, "ramp_text", counted)
    found = partition._ramping(summary, quarter.path, results)
    mine = [(d.loc.path, d.message) for d in found if d.loc is not None and d.loc.file == "r.yaml"]
    assert mine == expected
    assert calls == ["p0", "p50", "p51", "p52"]  # one call for the 50 allowed loads


def test_the_median_of_a_tally_is_the_median_of_its_counts() -> None:
    import statistics
    from collections import Counter

    rng = random.Random(5)
    for _ in range(500):
        counts = [rng.choice([0, 1, 2, 2, 3, 7, 40]) for _ in range(rng.randint(1, 30))]
        expected = statistics.median(counts)
        found = partition.tally_median(Counter(counts))
        assert (found, type(found)) == (expected, type(expected))


def test_a_region_result_keeps_its_loads_as_a_tally(tmp_path: Path) -> None:
    """Each role's action counts as [count, people] pairs: a 300-rep file's few distinct
    counts, where every person's count was kept (and read back on every warm check)."""
    plan = _generate(tmp_path / "plan", 300, 0, 3)
    store = MemoryStore()
    assert_same(plan, store)
    results = [v for k, v in store.records.items() if k.startswith("region:")]
    assert results
    for result in results:
        for role, pairs in result["loads"].items():
            assert pairs == sorted(pairs) and len(pairs) <= 10, role
            assert all(many >= 1 for _, many in pairs)
        assert sum(many for pairs in result["loads"].values() for _, many in pairs) > 100


@pytest.mark.parametrize(
    "loads", [{"rep": [[2, 0]]}, {"rep": []}, {"rep": [[-1, 3]]}, {"rep": [2]}]
)
def test_a_result_with_a_tally_of_the_wrong_shape_is_ignored(
    tmp_path: Path, loads: dict[str, Any]
) -> None:
    plan = _fixture_copy(tmp_path)
    folder = tmp_path / "cache"
    store = UnitCache(folder)
    assert_same(plan, store)
    for path in folder.glob("*.json"):
        entry = json.loads(path.read_text())
        if str(entry.get("record", "")).startswith("region:"):
            entry["value"]["loads"] = loads
            path.write_text(json.dumps(entry))
    stats = assert_same(plan, store)
    assert len(stats.computed) == 2  # recompiled, never combined


def test_the_quarter_file_guess_is_the_pipelines() -> None:
    """One test of "is this a quarter file" (core.pipeline.declares_quarter): the pipeline's
    over its 8 KiB head, the partition's reading on to the file's first top-level kind: line."""
    quarter = b"planc: 1\nkind: quarter\n"
    assert is_quarter_text(quarter) and declares_quarter(quarter)
    assert is_quarter_text(b"kind: 'quarter'  # the quarter file\nplanc: 1\n")
    assert not is_quarter_text(b"planc: 1\nkind: region\n")
    assert not is_quarter_text(b"planc: 1\nnotes:\n  kind: quarter\n")  # not top-level
    # the first top-level kind: line decides (a second is a duplicate key the unit reports)
    twice = b"planc: 1\nkind: region\nregion: {id: north}\nkind: quarter\n"
    assert not is_quarter_text(twice) and not declares_quarter(twice)
    # the pipeline reads a head only; the partition reads on, past its own 64 KiB head
    late = b"# a long comment\n" * 8000 + quarter
    assert len(late) > 2 * partition._HEAD_BYTES
    assert not is_quarter_text(late) and declares_quarter(late)
    reads: list[int | None] = []

    def read(size: int | None) -> bytes:
        reads.append(size)
        return late if size is None else late[:size]

    assert partition._looks_like_quarter(SourceFile.deferred("late.yaml", read))
    assert reads == [partition._HEAD_BYTES, None]
    assert partition._looks_like_quarter(SourceFile.deferred("q.yaml", lambda n: quarter))
    assert not partition._looks_like_quarter(SourceFile("twice.yaml", twice))
