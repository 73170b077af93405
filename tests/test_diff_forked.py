"""``planc diff`` compiles each large side in a forked child that answers it packed.

Differential: the new path (children, packed sides unpacked through one interner)
prints, byte for byte and with the same exit code, what the plain path prints
(both sides compiled whole in this process), for two folders, two revisions and
an approved plan, in every format. Plans this small are not packed by default,
so ``PLANC_DIFF_PACK=1`` forces the new path and ``PLANC_DIFF_PACK=0
PLANC_DIFF_FORK=0`` gives the plain one.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import MINI, REPO, run_planc
from gitrepo import NORTH, QUARTER, QUARTER_FILE, commit_all, edit, git, new_repo, planc_in
from planc.change import comparison
from planc.change.comparison import Comparison
from planc.change.impact_report import render_json
from planc.change.packed import Interner, _dumps, pack_side
from planc.checks import check_directory
from planc.core.model import Node, Plan

GENERATE = REPO / "bench" / "generate.py"
FORKED = {"PLANC_DIFF_PACK": "1"}  # children, whatever the size
PACKED_HERE = {"PLANC_DIFF_PACK": "1", "PLANC_DIFF_FORK": "0"}  # the packed path without them
WHOLE = {"PLANC_DIFF_PACK": "0", "PLANC_DIFF_FORK": "0"}  # both sides whole, in-process
FORMATS = ("json", "markdown", "text")


def _same_everywhere(run: Callable[[dict[str, str], str], Any]) -> None:
    """Every format: the forked path prints what the whole path prints (and, for json,
    the in-process packed path too)."""
    for form in FORMATS:
        whole = run(WHOLE, form)
        assert whole.code in (0, 1) and "Traceback" not in whole.stderr, whole.stderr
        forked = run(FORKED, form)
        assert (forked.code, forked.stdout, forked.stderr) == (
            whole.code,
            whole.stdout,
            whole.stderr,
        ), form
        if form == "json":
            here = run(PACKED_HERE, form)
            assert (here.code, here.stdout) == (whole.code, whole.stdout)


def _folders(tmp_path: Path) -> tuple[Path, Path]:
    base = Path(shutil.copytree(MINI, tmp_path / "base" / "2027-Q1"))
    head = Path(shutil.copytree(MINI, tmp_path / "head" / "2027-Q1"))
    north = head / "regions" / "north.yaml"
    edit(north, "value: 550000\n              stretch", "value: 560000\n              stretch")
    edit(north, "name: Ann Lee", "name: Anne Lee")
    return base, head


def test_two_folders(tmp_path: Path) -> None:
    base, head = _folders(tmp_path)

    def run(env: dict[str, str], form: str) -> Any:
        args = ("diff", "--base", base, "--head", head, "-f", form)
        return run_planc(*args, cwd=tmp_path, env=env)

    _same_everywhere(run)


@pytest.mark.parametrize("seeds", [(1, 2), (3, 3)])
def test_generated_plans_with_errors(seeds: tuple[int, int], tmp_path: Path) -> None:
    """Hundreds of reps with injected errors: two different plans (every target, rep and
    diagnostic may differ), or the same plan in two folders (nothing but the paths)."""
    folders = []
    for name, seed in zip(("base", "head"), seeds, strict=True):
        folder = tmp_path / name / "2027-Q1"
        subprocess.run(
            [sys.executable, str(GENERATE), "300", str(folder), "--errors", "6", "--seed", str(seed)],
            check=True, capture_output=True,
        )  # fmt: skip
        folders.append(folder)

    def run(env: dict[str, str], form: str) -> Any:
        args = ("diff", "--base", folders[0], "--head", folders[1], "-f", form)
        return run_planc(*args, cwd=tmp_path, env=env)

    _same_everywhere(run)


def test_two_revisions_and_an_approved_plan(tmp_path: Path) -> None:
    root = new_repo(tmp_path)
    edit(root / QUARTER_FILE, "  owner: vera\n", "  owner: vera\n  approved: plan/a\n")
    edit(
        root / NORTH, "value: 550000\n              stretch", "value: 551000\n              stretch"
    )
    commit_all(root, "approved")
    git(root, "tag", "plan/a")
    edit(
        root / NORTH, "value: 551000\n              stretch", "value: 560000\n              stretch"
    )
    edit(root / NORTH, "name: Ann Lee", "name: Anne Lee")
    commit_all(root, "ann up")

    def run(env: dict[str, str], form: str) -> Any:
        return planc_in(root, "diff", "--base", "HEAD~1", "--head", "HEAD", "-f", form, env=env)

    _same_everywhere(run)
    renamed = root / "plans" / "2027-Q2"
    git(root, "mv", QUARTER, str(renamed.relative_to(root)))
    commit_all(root, "renamed")

    def moved(env: dict[str, str], form: str) -> Any:
        args = ("diff", "--base", "HEAD~2", "--head", "HEAD", "plans/2027-Q2", "-f", form)
        return planc_in(root, *args, env=env)

    _same_everywhere(moved)


def _json(impacts: list[Any]) -> str:
    return render_json(impacts)


def test_each_side_compiles_in_a_child(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base, head = _folders(tmp_path)
    started: list[str] = []
    real = comparison.start_forked

    def counted(work: Callable[..., Any], *args: Any) -> Callable[[], Any]:
        started.append(args[0])
        return real(work, *args)

    monkeypatch.setattr(comparison, "start_forked", counted)
    monkeypatch.setenv("PLANC_DIFF_PACK", "1")
    monkeypatch.delenv("PLANC_DIFF_FORK", raising=False)
    impact = Comparison(str(base), str(head)).impact(head)
    assert len(started) == 2  # the base, then the head
    assert impact.head.packed is not None and impact.base.packed is not None
    assert impact.head.result is not None and impact.head.result.sources == {}
    monkeypatch.setenv("PLANC_DIFF_PACK", "0")
    monkeypatch.setenv("PLANC_DIFF_FORK", "0")
    plain = Comparison(str(base), str(head)).impact(head)
    assert len(started) == 2
    assert _json([impact]) == _json([plain])


def _fails(*_args: Any) -> Any:
    raise RuntimeError("the child fails")


def test_a_failed_child_is_compiled_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base, head = _folders(tmp_path)
    monkeypatch.setattr(comparison, "_compile_packed", _fails)
    monkeypatch.setenv("PLANC_DIFF_PACK", "1")
    monkeypatch.delenv("PLANC_DIFF_FORK", raising=False)
    impact = Comparison(str(base), str(head)).impact(head)
    assert impact.head.packed is None and impact.base.packed is None  # compiled here
    assert impact.head.result is not None and impact.head.result.sources
    monkeypatch.setenv("PLANC_DIFF_FORK", "0")
    monkeypatch.setenv("PLANC_DIFF_PACK", "0")
    assert _json([impact]) == _json([Comparison(str(base), str(head)).impact(head)])


def _plan(folder: Path) -> Plan:
    plan = check_directory(folder).plan
    assert plan is not None
    return plan


def test_one_interner_shares_equal_values_across_two_folders(tmp_path: Path) -> None:
    base_dir, head_dir = _folders(tmp_path)
    base, head = check_directory(base_dir), check_directory(head_dir)
    packed_base, packed_head = pack_side(base), pack_side(head)
    assert packed_base is not None and packed_head is not None
    shared = Interner()
    got_head, _ = packed_head.unpack(None, shared)
    got_base, _ = packed_base.unpack(got_head.plan, shared)
    for got, compiled in ((got_head.plan, head.plan), (got_base.plan, base.plan)):
        assert got is not None and compiled is not None
        assert list(got.nodes) == list(compiled.nodes) and got.nodes == compiled.nodes
        assert list(got.people) == list(compiled.people) and got.people == compiled.people
    assert got_head.plan is not None and got_base.plan is not None
    one, other = got_base.plan.nodes["bob"], got_head.plan.nodes["bob"]
    assert one is not other and one.loc != other.loc  # the files differ
    assert one.name is other.name and one.parent is other.parent
    for metric, target in one.targets.items():
        theirs = other.targets[metric]
        assert target.value is theirs.value and target.deadline is theirs.deadline
        assert target.loc.path == theirs.loc.path and target.loc.file is not theirs.loc.file
        assert all(a is b for a, b in zip(target.loc.path, theirs.loc.path, strict=True))


def test_interning_keeps_every_value_exact() -> None:
    shared = Interner()
    assert shared.decimal("1.0") is shared.decimal("1.0")
    assert str(shared.decimal("1.00")) == "1.00" and shared.decimal("1.00") is not shared.decimal(
        "1.0"
    )
    assert str(shared.decimal("-0")) == "-0" and shared.decimal("NaN").is_nan()
    plan = _plan(MINI)
    node = plan.nodes["ann"]
    target = node.targets["revenue"]
    odd = Node(**{**{f: getattr(node, f) for f in node.__dataclass_fields__}, "name": "Ann"})
    for value in (Decimal("550000.0"), Decimal("550000.00"), Decimal("5.5E+5")):
        changed = type(target)(
            **{**{f: getattr(target, f) for f in target.__dataclass_fields__}, "value": value}
        )
        entry = Node(
            **{
                **{f: getattr(odd, f) for f in odd.__dataclass_fields__},
                "targets": {**node.targets, "revenue": changed},
            }
        )
        back = shared.loads(_dumps(entry))
        assert back == entry and str(back.targets["revenue"].value) == str(value)
        assert _dumps(back) == _dumps(entry)


def test_entries_compared_by_their_pickles_when_the_head_was_packed(tmp_path: Path) -> None:
    """Two revisions of one folder: the base's unchanged entries are the head's objects
    (found by comparing both sides' pickles), the changed ones its own, equal to the
    compiled base; the same as comparing with the head's entries pickled again."""
    plan = Path(shutil.copytree(MINI, tmp_path / "q"))
    base = check_directory(plan)
    north = plan / "regions" / "north.yaml"
    edit(north, "value: 550000\n              stretch", "value: 560000\n              stretch")
    edit(north, "name: Ann Lee", "name: Anne Lee")
    head = check_directory(plan)
    packed_base, packed_head = pack_side(base), pack_side(head)
    assert packed_base is not None and packed_head is not None
    shared = Interner()
    got_head, _ = packed_head.unpack(None, shared)
    theirs = got_head.plan
    assert theirs is not None and base.plan is not None
    by_pickles, _ = packed_base.unpack(theirs, shared, packed_head)
    again, _ = packed_base.unpack(theirs, shared)
    for got in (by_pickles.plan, again.plan):
        assert got is not None
        assert list(got.nodes) == list(base.plan.nodes) and got.nodes == base.plan.nodes
        assert got.people == base.plan.people
        assert got.nodes["ann"] is not theirs.nodes["ann"]
        assert str(got.nodes["ann"].targets["revenue"].value) == "550000"
    assert by_pickles.plan is not None
    kept = [n for n in theirs.nodes if n != "ann"]
    assert all(by_pickles.plan.nodes[n] is theirs.nodes[n] for n in kept)
    assert by_pickles.plan.people["ann"] is not theirs.people["ann"]
    assert sum(by_pickles.plan.people[p] is theirs.people[p] for p in theirs.people) == (
        len(theirs.people) - 1
    )
