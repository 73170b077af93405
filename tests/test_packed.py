"""``planc diff`` packs the base while the head compiles: the rebuilt base equals the one compiled."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import pytest

from conftest import MINI, REPO
from gitrepo import NORTH, QUARTER_FILE, commit_all, edit, git, new_repo, planc_in
from planc.change.comparison import PACK_FROM_BYTES, _worth_packing
from planc.change.diff import Side
from planc.change.packed import digest, pack_side
from planc.checks import check_directory
from planc.core.pipeline import CheckResult, display_path
from planc.core.source import SourceFile

GENERATE = REPO / "bench" / "generate.py"
_LEFT_OUT = {"nodes", "people", "actions", "references"}


def _copy(tmp_path: Path, name: str = "q") -> Path:
    return Path(shutil.copytree(MINI, tmp_path / name))


def _edit(plan: Path, old: str, new: str, file: str = "regions/north.yaml") -> None:
    path = plan / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _assert_rebuilt(original: CheckResult, rebuilt: CheckResult) -> None:
    before, after = original.plan, rebuilt.plan
    assert before is not None and after is not None
    assert list(after.nodes) == list(before.nodes)  # same order: walks and reports follow it
    assert after.nodes == before.nodes
    assert list(after.people) == list(before.people)
    assert after.people == before.people
    for f in fields(before):
        if f.name not in _LEFT_OUT:
            assert getattr(after, f.name) == getattr(before, f.name), f.name
    assert after.references == ()
    files = {d.loc.file for d in original.diagnostics if d.loc is not None}
    assert after.actions == tuple(a for a in before.actions if a.loc.file in files)
    assert rebuilt.diagnostics == original.diagnostics
    assert (rebuilt.label, rebuilt.levels, rebuilt.sources) == (original.label, original.levels, {})


def test_rebuilt_alone_equals_the_compiled_plan() -> None:
    result = check_directory(MINI)
    packed = pack_side(result)
    assert packed is not None
    rebuilt, sources = packed.unpack(None)
    _assert_rebuilt(result, rebuilt)
    assert {p: s.source() for p, s in sources.items()} == result.sources
    assert {p: s.digest for p, s in sources.items()} == {
        p: digest(s.data) for p, s in result.sources.items()
    }


def test_unchanged_entries_are_the_head_objects_and_changed_ones_the_base(
    tmp_path: Path,
) -> None:
    base_dir, head_dir = _copy(tmp_path, "base"), _copy(tmp_path, "head")
    _edit(head_dir, "value: 550000\n              stretch", "value: 560000\n              stretch")
    base, head = check_directory(base_dir), check_directory(head_dir)
    assert base.plan is not None and head.plan is not None
    packed = pack_side(base)
    assert packed is not None
    rebuilt, _ = packed.unpack(head.plan)
    # The folders differ, so every Loc differs: nothing may be shared, all is the base's.
    _assert_rebuilt(base, rebuilt)
    assert rebuilt.plan is not None
    assert all(rebuilt.plan.nodes[n] is not head.plan.nodes[n] for n in head.plan.nodes)


def test_sharing_with_a_head_of_the_same_files(tmp_path: Path) -> None:
    plan = _copy(tmp_path)
    base = check_directory(plan)
    _edit(plan, "value: 550000\n              stretch", "value: 560000\n              stretch")
    _edit(plan, "name: Ann Lee", "name: Anne Lee")
    head = check_directory(plan)
    assert base.plan is not None and head.plan is not None
    packed = pack_side(base)
    assert packed is not None
    rebuilt, _ = packed.unpack(head.plan)
    _assert_rebuilt(base, rebuilt)
    assert rebuilt.plan is not None
    got, theirs = rebuilt.plan, head.plan
    changed = {n for n in theirs.nodes if theirs.nodes[n] != base.plan.nodes.get(n)}
    assert changed == {"ann"}
    assert got.nodes["ann"] is not theirs.nodes["ann"]
    assert got.nodes["ann"].targets["revenue"].value == 550000
    assert all(got.nodes[n] is theirs.nodes[n] for n in theirs.nodes if n not in changed)
    assert got.people["ann"] is not theirs.people["ann"]
    assert got.people["ann"].name == "Ann Lee"
    assert sum(got.people[p] is theirs.people[p] for p in theirs.people) == len(theirs.people) - 1


def test_a_side_that_cannot_be_pickled_is_kept_whole() -> None:
    result = check_directory(MINI)
    assert result.plan is not None
    person = next(iter(result.plan.people.values()))
    odd = replace(person, name=lambda: "no")  # type: ignore[arg-type]
    strange = replace(result, plan=replace(result.plan, people={person.id: odd}))
    assert pack_side(strange) is None


def test_a_packed_side_reads_its_files_back() -> None:
    result = check_directory(MINI)
    packed = pack_side(result)
    assert packed is not None
    rebuilt, sources = packed.unpack(None)
    folder = display_path(MINI)
    whole = Side("w", None, folder, result)
    side = Side("p", None, folder, rebuilt, packed=sources)
    assert side.files() == whole.files()
    assert set(side.files()) == {"quarter.yaml", "regions/north.yaml", "regions/south.yaml"}
    for path, source in result.sources.items():
        assert side.source(path) == source == whole.source(path)
    assert side.source("nope.yaml") is None


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_plans_with_errors(seed: int, tmp_path: Path) -> None:
    """Hundreds of reps, injected errors (so actions in files with diagnostics are kept)."""
    plan = tmp_path / "plan"
    subprocess.run(
        [sys.executable, str(GENERATE), "300", str(plan), "--errors", "8", "--seed", str(seed)],
        check=True, capture_output=True,
    )  # fmt: skip
    base = check_directory(plan)
    assert base.diagnostics and base.plan is not None
    packed = pack_side(base)
    assert packed is not None
    rebuilt, _ = packed.unpack(check_directory(plan).plan)
    _assert_rebuilt(base, rebuilt)
    assert rebuilt.plan is not None and rebuilt.plan.actions


def _drift_of(root: Path, *args: str) -> dict[str, Any]:
    """The impact, packing forced (a plan this small is not packed by default); the same
    bytes as without packing."""
    result = planc_in(root, "diff", "--format", "json", *args, env={"PLANC_DIFF_PACK": "1"})
    assert result.code in (0, 1, 2) and "Traceback" not in result.stderr, result.stderr
    whole = planc_in(root, "diff", "--format", "json", *args, env={"PLANC_DIFF_PACK": "0"})
    assert (whole.code, whole.stdout) == (result.code, result.stdout)
    [impact] = json.loads(result.stdout)["impacts"]
    return dict(impact)


def _tag_approved(root: Path, tag: str, ann: str) -> None:
    edit(
        root / NORTH, "value: 550000\n              stretch", f"value: {ann}\n              stretch"
    )
    commit_all(root, f"plan as approved in {tag}")
    git(root, "tag", tag)


def test_the_approved_plan_the_head_names_wins(tmp_path: Path) -> None:
    """The approved plan is compiled early from the base's name; a head naming another one
    gets that one (as before), and the same name gets the early one: both equal a plain run."""
    root = new_repo(tmp_path)
    edit(root / QUARTER_FILE, "  owner: vera\n", "  owner: vera\n  approved: plan/a\n")
    _tag_approved(root, "plan/a", "551000")
    git(root, "checkout", "-q", "-b", "b-side", "HEAD~0")
    edit(
        root / NORTH, "value: 551000\n              stretch", "value: 552000\n              stretch"
    )
    commit_all(root, "plan b")
    git(root, "tag", "plan/b")
    git(root, "checkout", "-q", "main")
    edit(
        root / NORTH, "value: 551000\n              stretch", "value: 560000\n              stretch"
    )
    same = _drift_of(root, "--base", "HEAD")
    [change] = same["changes"]
    assert (change["before"], change["after"], change["approved"]) == ("551000", "560000", "551000")
    assert same["drift"]["ref"].startswith("plan/a @ ")
    edit(root / QUARTER_FILE, "approved: plan/a", "approved: plan/b")
    other = _drift_of(root, "--base", "HEAD")
    [change] = other["changes"]
    assert (change["before"], change["after"], change["approved"]) == ("551000", "560000", "552000")
    assert other["drift"]["ref"].startswith("plan/b @ ") and other["drift"]["available"] is True
    explicit = _drift_of(root, "--base", "HEAD", "--approved", "plan/b")
    assert explicit["changes"] == other["changes"]


def test_only_large_plans_are_packed_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    result = check_directory(MINI)
    monkeypatch.delenv("PLANC_DIFF_PACK", raising=False)
    assert not _worth_packing(result)
    big = replace(result, sources={"x.yaml": SourceFile("x.yaml", b"#" * PACK_FROM_BYTES)})
    assert _worth_packing(big)
    monkeypatch.setenv("PLANC_DIFF_PACK", "1")
    assert _worth_packing(result)
    monkeypatch.setenv("PLANC_DIFF_PACK", "0")
    assert not _worth_packing(big)
