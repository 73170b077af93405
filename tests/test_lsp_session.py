"""The language server's compiler without the server: buffers over the disk, the quarter a
file belongs to, cancellation, guarded checks and spans kept for unchanged files."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import planc.core.spans
from planc.checks import CHECKS
from planc.checks.base import Check
from planc.core.composer import compose_nodes
from planc.lsp.session import Cancelled, QuarterSession, quarter_root

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
    import planc.lsp.session

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
