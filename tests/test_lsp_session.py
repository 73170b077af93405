"""The language server's compiler without the server: buffers over the disk, the quarter a
file belongs to, cancellation, guarded checks and spans kept for unchanged files."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import planc.core.frontend
import planc.core.pipeline
import planc.core.spans
import planc.lsp.session
from planc.checks import CHECKS
from planc.checks.base import Check
from planc.checks.warmup import has_team_record
from planc.core.composer import compose_nodes
from planc.lsp.session import Cancelled, DiskReads, QuarterSession, quarter_root

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "plans" / "2027-Q1", tmp_path / "2027-Q1")
    return (tmp_path / "2027-Q1").absolute()


def test_the_quarter_of_a_file_is_the_folder_of_its_quarter_file(
    plan: Path, tmp_path: Path
) -> None:
    east = plan / "regions" / "east.yaml"
    assert quarter_root(east, {}) == plan
    assert quarter_root(tmp_path / "elsewhere.yaml", {}) is None
    # an unsaved quarter file, open in the editor, makes its folder a quarter
    draft = tmp_path / "draft" / "q.yaml"
    assert quarter_root(draft, {draft: b"planc: 1\nkind: quarter\n"}) == draft.parent


def test_a_buffer_wins_over_the_disk(plan: Path) -> None:
    east = plan / "regions" / "east.yaml"
    session = QuarterSession(plan)
    text = east.read_bytes().replace(
        b"months: [960000, 630000, 1320000]", b"months: [960000, 630000, 1330000]", 1
    )
    result = session.compile({east: text}, session.generation)
    assert [(d.code, Path(d.span.path).name) for d in result.diagnostics if d.span] == [
        ("PLC303", "east.yaml")
    ]
    assert session.compile({}, session.generation).diagnostics == []  # closed: the disk again


def test_an_open_link_is_still_a_link_the_plan_does_not_read(plan: Path, tmp_path: Path) -> None:
    """A link to a plan file (PLC016) or out of the folder (PLC015), open in the editor, was
    compiled from its buffer and its finding dropped: the editor showed every id of the file
    defined twice (or the outside file as part of the plan), and not what planc check says."""
    east = plan / "regions" / "east.yaml"
    again = plan / "regions" / "east-again.yaml"
    again.symlink_to("east.yaml")
    outside = tmp_path / "outside.yaml"
    outside.write_bytes(east.read_bytes())
    out = plan / "regions" / "out.yaml"
    out.symlink_to(outside)
    session = QuarterSession(plan)
    buffers = {again: east.read_bytes(), out: outside.read_bytes()}
    result = session.compile(buffers, session.generation)
    found = sorted((d.code, Path(d.span.path).name) for d in result.diagnostics if d.span)
    assert found == [("PLC015", "out.yaml"), ("PLC016", "east-again.yaml")]


def test_a_newer_edit_cancels_the_compile_between_two_checks(plan: Path) -> None:
    session = QuarterSession(plan)
    ran: list[str] = []

    def overtaken(_plan: Any) -> Any:
        session.generation += 1  # an edit arrives while this check runs
        ran.append("overtaken")
        return iter(())

    def later(_plan: Any) -> Any:
        ran.append("later")
        return iter(())

    session.checks = (Check(CHECKS[0].rule, overtaken), Check(CHECKS[1].rule, later))
    with pytest.raises(Cancelled):
        session.compile({}, session.generation)
    assert ran == ["overtaken"]
    assert session.result is None  # nothing stale is kept as the newest result


def test_unchanged_files_are_not_composed_again_for_their_diagnostics(
    plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    north, east = plan / "regions" / "north.yaml", plan / "regions" / "east.yaml"
    broken = north.read_bytes().replace(
        b"months: [4720000, 2980000, 6030000]", b"months: [4720000, 2980000, 6040000]", 1
    )
    session = QuarterSession(plan)
    first = session.compile({north: broken}, session.generation)
    assert any(Path(d.span.path).name == "north.yaml" for d in first.diagnostics if d.span)

    composed: list[int] = []

    def counting(data: bytes) -> Any:
        composed.append(len(data))
        return compose_nodes(data)

    monkeypatch.setattr(planc.core.spans, "compose_nodes", counting)
    edited = east.read_bytes().replace(
        b"months: [960000, 630000, 1320000]", b"months: [960000, 630000, 1330000]", 1
    )
    second = session.compile({north: broken, east: edited}, session.generation)
    assert composed == [len(edited)]  # east (new diagnostics); north's places were kept
    kept = [d for d in second.diagnostics if d.span and Path(d.span.path).name == "north.yaml"]
    assert [(d.code, d.span) for d in kept] == [
        (d.code, d.span)
        for d in first.diagnostics
        if d.span and Path(d.span.path).name == "north.yaml"
    ]


def test_many_edits_never_push_out_the_results_of_the_files_not_edited(plan: Path) -> None:
    """The server keeps every region's result while one file takes edit after edit: the
    results an edit reads stay the newest (older edits' results go first)."""
    east = plan / "regions" / "east.yaml"
    session = QuarterSession(plan)
    base = east.read_bytes()
    for step in range(session.memory.limit + 8):
        text = base + b"# edit %d\n" % step  # new bytes every time
        session.compile_diagnostics({east: text}, session.generation)
        # the first compile (the folder opened) fills every region's result
        assert session.timings["regions_computed"] == (3 if step == 0 else 1), step


def test_the_model_and_its_baseline_are_built_when_asked(plan: Path) -> None:
    """The first compile is by files too; the model comes when a feature asks, and what a
    target is changed from is the disk's value even when the buffer was edited first."""
    east = plan / "regions" / "east.yaml"
    session = QuarterSession(plan)
    edited = (
        east.read_bytes()
        .replace(b"months: [960000, 630000, 1320000]", b"months: [960000, 630000, 1330000]", 1)
        .replace(b"value: 2910000", b"value: 2920000", 1)
    )
    assert edited.count(b"2920000") == 1
    found = session.compile_diagnostics({east: edited}, session.generation)
    assert found.plan is None and session.plan is None and session.stale
    assert session.timings["regions_computed"] == 3
    session.refresh()
    assert session.plan is not None and not session.stale
    assert session.baseline is not None
    assert session.baseline[("zhang-wei", "revenue")] == 2910000  # the disk's
    assert session.plan.nodes["zhang-wei"].targets["revenue"].value == 2920000  # the buffer's


def test_a_file_whose_bytes_did_not_change_is_not_hashed_again(
    plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    east = plan / "regions" / "east.yaml"
    session = QuarterSession(plan)
    session.compile_diagnostics({}, session.generation)
    hashed: list[str] = []
    real = planc.lsp.session.unit_digest

    def counting(path: str, data: bytes, max_bytes: int) -> str:
        hashed.append(Path(path).name)
        return real(path, data, max_bytes)

    monkeypatch.setattr(planc.lsp.session, "unit_digest", counting)
    edited = east.read_bytes().replace(
        b"months: [960000, 630000, 1320000]", b"months: [960000, 630000, 1330000]", 1
    )
    found = session.compile_diagnostics({east: edited}, session.generation)
    assert hashed == ["east.yaml"]  # the edited file only; the disk's are compared
    assert [d.code for d in found.diagnostics] == ["PLC303"]
    found = session.compile_diagnostics({}, session.generation)  # closed: the disk again
    assert hashed == ["east.yaml", "east.yaml"] and found.diagnostics == []


def _one_number(path: Path) -> bytes:
    """``path``'s bytes with one month of its first rep changed (the months stop adding up)."""
    data = path.read_bytes()
    start = data.index(b"months: [", data.index(b"- rep: ")) + len(b"months: [")
    digit = data[start : start + 1]
    return data[:start] + (b"2" if digit == b"1" else b"1") + data[start + 1 :]


def _shown(diagnostics: list[Any]) -> list[tuple[Any, ...]]:
    return [(d.code, d.severity, d.span, d.message, d.hint) for d in diagnostics]


def test_the_first_edit_after_open_loads_only_the_teams_it_changed(plan: Path) -> None:
    """Opening the folder makes the open file's team record with its region result (not
    checked twice): its first edit takes the team path, as the edits after it do."""
    east = plan / "regions" / "east.yaml"
    session = QuarterSession(plan)
    session.compile_diagnostics({east: east.read_bytes()}, session.generation)
    assert session.timings["regions_computed"] == 3  # east once, with its teams
    assert has_team_record(session.memory, str(east))
    edited = _one_number(east)
    found = session.compile_diagnostics({east: edited}, session.generation)
    assert session.timings["teams_loaded"] == 1
    assert session.timings["files_loaded_whole"] == 0
    whole = QuarterSession(plan).compile({east: edited}, 0)
    assert any(d.code == "PLC303" for d in found.diagnostics)
    assert _shown(found.diagnostics) == _shown(whole.diagnostics)


def test_a_file_opened_later_gets_its_teams_before_its_first_edit(plan: Path) -> None:
    quarter, north = plan / "quarter.yaml", plan / "regions" / "north.yaml"
    session = QuarterSession(plan)
    session.compile_diagnostics({quarter: quarter.read_bytes()}, session.generation)
    assert not session.needs_teams({quarter: quarter.read_bytes()})  # not a region file
    opened = {quarter: quarter.read_bytes(), north: north.read_bytes()}
    assert session.needs_teams(opened) and not has_team_record(session.memory, str(north))
    assert session.prepare(opened, session.generation) == [str(north)]
    assert not session.needs_teams(opened)
    edited = {**opened, north: _one_number(north)}
    found = session.compile_diagnostics(edited, session.generation)
    assert session.timings["teams_loaded"] == 1
    assert session.timings["files_loaded_whole"] == 0
    whole = QuarterSession(plan).compile(edited, 0)
    assert any(d.code == "PLC303" for d in found.diagnostics)
    assert _shown(found.diagnostics) == _shown(whole.diagnostics)


def test_an_edit_cancels_the_team_records_and_they_are_made_later(plan: Path) -> None:
    east, north = plan / "regions" / "east.yaml", plan / "regions" / "north.yaml"
    session = QuarterSession(plan)
    session.compile_diagnostics({}, session.generation)
    opened = {north: north.read_bytes()}
    checks = session.checks

    def overtaken(_plan: Any) -> Any:
        session.generation += 1  # an edit arrives while the records are made
        return iter(())

    session.checks = (Check(CHECKS[0].rule, overtaken), *checks[1:])
    with pytest.raises(Cancelled):
        session.prepare(opened, session.generation)
    session.checks = checks
    assert session.needs_teams(opened)  # not given up: made at the next pause
    session.compile_diagnostics(opened, session.generation)
    assert session.timings["regions_computed"] == 0  # north's result was put back
    assert session.prepare(opened, session.generation) == [str(north)]
    assert not session.needs_teams(opened)
    # east, never opened before, has no record: opening it makes one at the next pause
    assert session.needs_teams({**opened, east: east.read_bytes()})


def test_a_file_without_teams_to_keep_is_tried_once(plan: Path) -> None:
    """A region file the partition does not split into teams (CRLF line breaks) gets no
    record: the server does not check it again at every pause."""
    east = plan / "regions" / "east.yaml"
    crlf = east.read_bytes().replace(b"\n", b"\r\n")
    session = QuarterSession(plan)
    session.compile_diagnostics({east: crlf}, session.generation)
    assert not has_team_record(session.memory, str(east))
    assert not session.needs_teams({east: crlf})
    assert session.prepare({east: crlf}, session.generation) == []


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    read: list[Path] = []
    real = planc.lsp.session.read_directory

    def counting(root: Path, max_bytes: int) -> Any:
        read.append(root)
        return real(root, max_bytes)

    monkeypatch.setattr(planc.lsp.session, "read_directory", counting)
    return read


def test_the_folder_is_read_again_only_when_a_stat_changes(
    plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(planc.lsp.session, "SETTLED_SECONDS", 0)
    read = _counting_reads(monkeypatch)
    disk = DiskReads(1 << 26)
    first, _ = disk.read(plan)
    again, _ = disk.read(plan)
    assert len(read) == 1 and [s.path for s in again] == [s.path for s in first]
    assert all(a.data is b.data for a, b in zip(first, again, strict=True))  # compared by `is`
    north = plan / "regions" / "north.yaml"
    changes = [
        lambda: north.write_bytes(_one_number(north)),  # same size, new bytes
        lambda: (plan / "regions" / "west.yml").write_bytes(b"planc: 1\n"),  # a new file
        (plan / "regions" / "west.yml").unlink,  # gone again
        (plan / "extra").mkdir,  # a new folder (its files would be read)
        lambda: (plan / "extra" / "more.yaml").write_bytes(b"planc: 1\n"),
        lambda: north.chmod(0o200),  # unreadable now: read_directory reports it
        lambda: north.chmod(0o644),
    ]
    for step, change in enumerate(changes, start=2):
        change()
        found, problems = disk.read(plan)
        expected = planc.core.pipeline.read_directory(plan, 1 << 26)
        assert len(read) == step, step
        assert [(s.path, s.data) for s in found] == [(s.path, s.data) for s in expected[0]]
        assert [d.message for d in problems] == [d.message for d in expected[1]]
        disk.read(plan)
        assert len(read) == step  # then reused


def test_a_file_written_just_now_is_read_again_every_time(
    plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within SETTLED_SECONDS of a write a second write may keep size and mtime (one tick of
    the clock): nothing read in that spell is reused."""
    read = _counting_reads(monkeypatch)
    disk = DiskReads(1 << 26)
    north = plan / "regions" / "north.yaml"
    north.write_bytes(north.read_bytes())  # written now
    disk.read(plan)
    disk.read(plan)
    assert len(read) == 2
    disk.forget()


def test_a_file_changed_on_disk_while_another_is_edited_is_compiled_from_the_disk(
    plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the folder's reads reused, a file written by another program (no watched-file
    notice) is still what the next keystroke's compile reads: the same diagnostics as a
    compile of the folder from scratch."""
    monkeypatch.setattr(planc.lsp.session, "SETTLED_SECONDS", 0)
    east, north = plan / "regions" / "east.yaml", plan / "regions" / "north.yaml"
    session = QuarterSession(plan)
    session.compile_diagnostics({east: east.read_bytes()}, session.generation)
    session.compile_diagnostics({east: _one_number(east)}, session.generation)
    north.write_bytes(_one_number(north))  # another program writes north
    found = session.compile_diagnostics({east: _one_number(east)}, session.generation)
    whole = QuarterSession(plan).compile({east: _one_number(east)}, 0)
    assert sorted(Path(d.span.path).name for d in found.diagnostics if d.code == "PLC303") == [
        "east.yaml",
        "north.yaml",
    ]
    assert _shown(found.diagnostics) == _shown(whole.diagnostics)


def _counting_loads(
    monkeypatch: pytest.MonkeyPatch, session: QuarterSession, overtake_at: int | None
) -> list[str]:
    """The files the model's front end loads; an edit arrives while the ``overtake_at``-th
    (1-based) is loaded (None: never)."""
    loaded: list[str] = []
    load = planc.core.frontend.compile_unit

    def counting(source: Any, *args: Any) -> Any:
        loaded.append(Path(source.path).name)
        if len(loaded) == overtake_at:
            session.generation += 1
        return load(source, *args)

    monkeypatch.setattr(planc.core.frontend, "compile_unit", counting)
    return loaded


def test_an_edit_stops_the_features_model_between_two_files(
    plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model the features read is built file by file: an edit while one loads stops it
    before the next (that edit's diagnostics come first), and what was loaded is kept."""
    east = plan / "regions" / "east.yaml"
    session = QuarterSession(plan)
    session.compile_diagnostics({east: east.read_bytes()}, session.generation)
    loaded = _counting_loads(monkeypatch, session, overtake_at=1)
    with pytest.raises(Cancelled):
        session.refresh()
    assert len(loaded) == 1 and session.plan is None and session.stale
    first = loaded[0]
    other = next(p for p in sorted(plan.rglob("regions/*.yaml")) if p.name != first)
    other.write_bytes(_one_number(other))  # saved: the disk is the baseline, not built apart
    edited = {east: east.read_bytes()}
    session.compile_diagnostics(edited, session.generation)
    session.refresh()
    assert session.plan is not None and not session.stale
    files = sorted(p.name for p in plan.rglob("*.yaml"))
    assert sorted(loaded) == files  # each file once: the one loaded before was kept
    whole = QuarterSession(plan).compile(edited, 0)
    assert whole.plan is not None
    assert session.plan.nodes.keys() == whole.plan.nodes.keys()
    assert planc.lsp.session._target_values(session.plan) == planc.lsp.session._target_values(
        whole.plan
    )


def test_an_edit_after_the_last_file_stops_the_model_before_it_is_built(
    plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    east = plan / "regions" / "east.yaml"
    session = QuarterSession(plan)
    session.compile_diagnostics({}, session.generation)
    files = len(list(plan.rglob("*.yaml")))
    loaded = _counting_loads(monkeypatch, session, overtake_at=files)
    built: list[int] = []
    build = planc.core.frontend.build_plan

    def counting(*args: Any) -> Any:
        built.append(1)
        return build(*args)

    monkeypatch.setattr(planc.core.frontend, "build_plan", counting)
    with pytest.raises(Cancelled):
        session.refresh()
    assert len(loaded) == files and built == [] and session.plan is None
    session.compile_diagnostics({east: east.read_bytes()}, session.generation)
    session.refresh()  # every file kept: only the model is built
    assert len(loaded) == files and built == [1] and session.plan is not None


def test_the_baseline_loads_only_the_edited_file_and_an_edit_stops_it(
    plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A buffer that differs from its file: after the buffer's model, the disk's model (what
    a changed target is changed from) loads only that file (the others' units are the
    model's), and is cancelled as the buffer's model is; the model built stays."""
    east = plan / "regions" / "east.yaml"
    session = QuarterSession(plan)
    edited = {
        east: east.read_bytes().replace(b"value: 2910000", b"value: 2920000", 1),
    }
    session.compile_diagnostics(edited, session.generation)
    files = len(list(plan.rglob("*.yaml")))
    loaded = _counting_loads(monkeypatch, session, overtake_at=files + 1)
    with pytest.raises(Cancelled):
        session.refresh()
    assert loaded[files:] == ["east.yaml"]  # the disk's east: the baseline's only file
    assert session.plan is not None and session.baseline is None and session.stale
    assert session.plan.nodes["zhang-wei"].targets["revenue"].value == 2920000  # the buffer's
    session.refresh()  # no edit since: the baseline only
    assert loaded[files + 1 :] == ["east.yaml"] and not session.stale
    assert session.baseline is not None
    assert session.baseline[("zhang-wei", "revenue")] == 2910000  # the disk's


def test_garbage_frozen_by_a_compile_is_collected_when_the_server_is_idle(plan: Path) -> None:
    """The partitioned check and refresh freeze what is alive when they end
    (core.memory.gc_paused(freeze=True)); a garbage cycle alive then would never be
    collected. The server's idle sweep collects it, on the compile thread."""
    import asyncio
    import gc
    import weakref

    pytest.importorskip("pygls")
    from planc.core.memory import gc_paused
    from planc.lsp.server import PlanServer

    class Cycle:
        me: Any = None

    session = QuarterSession(plan)
    session.compile_diagnostics({}, session.generation)
    session.refresh()
    cycle = Cycle()
    cycle.me = cycle
    alive = weakref.ref(cycle)
    with gc_paused(freeze=True):  # as a compile ends: the cycle is garbage by then
        del cycle
    gc.collect()
    assert alive() is not None  # frozen: out of the collector's reach
    server = PlanServer()
    try:
        asyncio.run(server.sweep_later(0))
    finally:
        server.compiler.shutdown()
    assert alive() is None
    assert session.plan is not None and gc.isenabled()  # the live model stays
