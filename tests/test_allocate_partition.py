"""``planc allocate`` with the cache: the edited plan checked through the partition.

Differential: with a cache that ``planc check`` filled, the command prints the same
text, exits with the same status and writes the same bytes as with ``--no-cache``
(the whole plan compiled and checked, as before the partition path existed), on
the example plan, the small fixture plan and a generated bench plan, clean edits
and edits that are refused. In process: only the edited region file is compiled
when the cache holds the others, and a number that did not take is caught on the
partition path as on the whole one.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import MINI, REPO, Run, run_planc
from planc.allocate import rewrite
from planc.allocate.allocation import Allocation, ChildChange, allocate_down
from planc.allocate.rewrite import Rewrite, edit_allocation, model_only, write_files
from planc.allocate.scope import scoped_edit
from planc.allocate.yamledit import YamlDocument
from planc.checks import check_directory, partition
from planc.checks.partition import PartitionStats, check_partitioned, teams_name
from planc.core import model
from planc.core.cache import UnitCache
from planc.core.diagnostics import Diagnostic
from planc.core.frontend import FileUnit, Frontend
from planc.core.pipeline import CheckResult, display_path, read_directory
from planc.core.source import Loc, SourceFile

GENERATE = REPO / "bench" / "generate.py"


def _drop_adjustments(plan: Path) -> None:
    quarter = plan / "quarter.yaml"
    text = quarter.read_text(encoding="utf-8")
    quarter.write_text(text.split("adjustments:", 1)[0], encoding="utf-8")


def _make_loop(plan: Path) -> None:
    """nora becomes her own manager's manager: PLC207, an error no split touches."""
    north = plan / "regions" / "north.yaml"
    text = north.read_text(encoding="utf-8")
    loop = text.replace("role: director, manager: vera", "role: director, manager: nora")
    assert loop != text
    north.write_text(loop, encoding="utf-8")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bench plan of two region files (300 reps each)."""
    out = tmp_path_factory.mktemp("generated") / "2027-Q1"
    subprocess.run(
        [sys.executable, str(GENERATE), "600", str(out)], check=True, stdout=subprocess.DEVNULL
    )
    return out


CASES: dict[str, tuple[str, Callable[[Path], None] | None, tuple[str, ...]]] = {
    "team-baseline": (
        "mini",
        _drop_adjustments,
        ("--node", "north-ent", "--metric", "revenue", "--method", "baseline"),
    ),
    "company-cascade": (
        "example",
        None,
        ("--node", "ruigong", "--metric", "new_customers", "--method", "capacity", "--cascade"),
    ),
    "months-added": (
        "mini",
        None,
        ("--node", "south-smb", "--metric", "revenue", "--method", "capacity", "--months"),
    ),
    "refused-new-error": (
        "mini",
        None,
        ("--node", "north-ent", "--metric", "revenue", "--method", "even", "--uplift", "1"),
    ),
    "error-the-plan-had": (
        "mini",
        lambda plan: _make_loop(plan) if _drop_adjustments(plan) is None else None,
        ("--node", "north-ent", "--metric", "revenue", "--method", "even"),
    ),
    "old-and-new-errors": (
        "mini",
        _make_loop,
        ("--node", "north-ent", "--metric", "revenue", "--method", "even", "--uplift", "1"),
    ),
    "bench-region-cascade": (
        "generated",
        None,
        ("--node", "r01", "--metric", "collections", "--cascade"),
    ),
    "dry-run": (
        "mini",
        _drop_adjustments,
        ("--node", "north-ent", "--metric", "revenue", "--method", "baseline", "--dry-run"),
    ),
    "json": (
        "generated",
        None,
        ("--node", "r02", "--metric", "revenue", "--cascade", "--months", "--format", "json"),
    ),
    "bench-region-edited-since-the-check": (
        "generated",
        None,
        ("--node", "r01", "--metric", "collections", "--cascade"),
    ),
}
# edited after ``planc check`` filled the cache: the region file's result is not in it
AFTER_CHECK: dict[str, Callable[[Path], None]] = {
    "bench-region-edited-since-the-check": lambda plan: _bump_a_number(
        plan / "regions" / "r01.yaml"
    ),
}


def _bump_a_number(path: Path) -> None:
    """One rep's new-customer count one higher (as bench/instant.py's warm check edits)."""
    data = path.read_bytes()
    found = list(re.finditer(rb"new_customers: \{value: ([0-9]+)", data))
    match = found[len(found) // 2]
    number = str(int(match.group(1)) + 1).encode()
    path.write_bytes(data[: match.start(1)] + number + data[match.end(1) :])


def _files(plan: Path) -> dict[str, bytes]:
    return {str(p.relative_to(plan)): p.read_bytes() for p in sorted(plan.rglob("*.yaml"))}


def _same_run(a: Run, b: Run) -> None:
    assert (a.code, a.stdout, a.stderr) == (b.code, b.stdout, b.stderr)


@pytest.mark.parametrize("case", sorted(CASES))
def test_with_a_filled_cache_the_command_does_what_it_does_whole(
    tmp_path: Path, generated: Path, case: str
) -> None:
    source_name, prepare, args = CASES[case]
    source = {"mini": MINI, "example": REPO / "plans" / "2027-Q1", "generated": generated}[
        source_name
    ]
    runs = {}
    for way in ("whole", "cached"):
        work = tmp_path / way  # the same relative path: the same text in both
        shutil.copytree(source, work / "2027-Q1")
        if prepare is not None:
            prepare(work / "2027-Q1")
        cache = ("--cache-dir", str(tmp_path / "cache")) if way == "cached" else ("--no-cache",)
        if way == "cached":
            run_planc("check", "2027-Q1", *cache, cwd=work)  # what ops run on every save
        if case in AFTER_CHECK:
            AFTER_CHECK[case](work / "2027-Q1")
        write = () if "--dry-run" in args else ("--write",)
        shown = tuple(a for a in args if a != "--dry-run")  # a dry run is the default
        runs[way] = run_planc("allocate", "2027-Q1", *shown, *write, *cache, cwd=work)
    _same_run(runs["whole"], runs["cached"])
    assert runs["whole"].code in (0, 1), runs["whole"].stderr
    assert "Traceback" not in runs["cached"].stderr
    assert _files(tmp_path / "whole" / "2027-Q1") == _files(tmp_path / "cached" / "2027-Q1")
    if case.startswith("refused") or case.startswith("old-and-new"):
        assert runs["cached"].code == 1 and "nothing written" in runs["cached"].stderr
        assert "PLC602" in runs["cached"].stderr and "PLC207" not in runs["cached"].stderr
    if case == "error-the-plan-had":
        assert "note: 1 error(s) elsewhere in the plan remain" in runs["cached"].stdout


def _compiled(plan_dir: Path) -> tuple[CheckResult, Frontend]:
    sources, problems = read_directory(plan_dir)
    frontend = Frontend(model_only)
    before = frontend.compile(display_path(plan_dir), sources, problems, resolve=False)
    assert before.plan is not None
    return before, frontend


def _allocated(plan_dir: Path) -> tuple[CheckResult, Frontend, list[Allocation]]:
    before, frontend = _compiled(plan_dir)
    assert before.plan is not None
    found = allocate_down(before.plan, "r01", "collections", "even", cascade=True)
    return before, frontend, found


def _edit(plan_dir: Path, store: UnitCache | None) -> Rewrite:
    before, frontend, found = _allocated(plan_dir)
    return edit_allocation(before, found, frontend, checked=False, store=store)


def test_only_the_edited_region_file_is_compiled(tmp_path: Path, generated: Path) -> None:
    plan = tmp_path / "2027-Q1"
    shutil.copytree(generated, plan)
    store = UnitCache(tmp_path / "cache")
    assert not check_directory(plan, store=store, whole=False).has_errors
    cached = _edit(plan, store)
    whole = _edit(plan, None)
    assert cached.partition is not None and whole.partition is None
    region = display_path(plan / "regions" / "r01.yaml")
    assert cached.partition.computed == [region]
    assert cached.partition.cached == [display_path(plan / "regions" / "r02.yaml")]
    assert cached.files == whole.files and list(cached.files) == [region]
    assert cached.result is not None and whole.result is not None
    assert not cached.result.has_errors and not whole.result.has_errors
    # the result the edit left is cached now: verified again on a model built for it
    again = _edit(plan, store)
    assert again.partition is not None and again.partition.computed == []
    assert again.files == whole.files


def test_the_edited_file_gets_no_team_record(tmp_path: Path, generated: Path) -> None:
    """Encoding every team of a file loaded whole is work for a later hand edit: the edit
    rewrites the file, so allocate leaves it to that edit (a check's edit still makes one)."""
    plan = tmp_path / "2027-Q1"
    shutil.copytree(generated, plan)
    store = UnitCache(tmp_path / "cache")
    assert not check_directory(plan, store=store, whole=False).has_errors
    region = plan / "regions" / "r01.yaml"
    name = teams_name(display_path(region))
    edited = _edit(plan, store)
    assert edited.partition is not None
    assert edited.partition.computed == [display_path(region)]
    assert store.get_text(name) is None
    write_files(edited.files)  # as with --write
    text = region.read_text(encoding="utf-8")
    number = re.compile(r"value: ([0-9]+)").search(text, text.index("reps:"))
    assert number is not None
    changed = str(int(number.group(1)) + 1)
    region.write_text(
        text[: number.start(1)] + changed + text[number.end(1) :], encoding="utf-8"
    )  # a hand edit of one number: its check makes the record, as before
    stats = PartitionStats()
    check_partitioned(display_path(plan), *read_directory(plan), store=store, stats=stats)
    assert stats.computed == [display_path(region)]
    assert store.get_text(name) is not None


def _off_by_one(
    original: Callable[[YamlDocument, ChildChange, str], None], node_id: str
) -> Callable[..., None]:
    def wrong(document: YamlDocument, change: ChildChange, metric: str) -> None:
        if change.node.id == node_id:  # one rep's number written one unit too high
            change = dataclasses.replace(change, after=change.after + 1000)
        original(document, change, metric)

    return wrong


@pytest.mark.parametrize("models", ["partition's", "own"])
def test_a_number_that_did_not_take_is_caught_with_the_cache(
    tmp_path: Path, generated: Path, monkeypatch: pytest.MonkeyPatch, models: str
) -> None:
    plan = tmp_path / "2027-Q1"
    shutil.copytree(generated, plan)
    store = UnitCache(tmp_path / "cache")
    check_directory(plan, store=store, whole=False)
    before, frontend, found = _allocated(plan)
    last = found[-1].children[-1].node.id
    monkeypatch.setattr(rewrite, "_edit_child", _off_by_one(rewrite._edit_child, last))
    if models == "own":  # as when the partition built no model of the edited file here

        def none(plans: Iterable[object], allocations: object) -> dict[str, object]:
            return {}

        monkeypatch.setattr(rewrite, "_edited_nodes", none)
    with pytest.raises(RuntimeError, match="did not take"):
        edit_allocation(before, found, frontend, checked=False, store=store)


def _scoped_edit(
    plan: Path,
    node: str,
    metric: str,
    uplift: Decimal | None,
    loaded: bool,
    built: list[str] | None = None,
    cascade: bool = False,
) -> Rewrite:
    """``planc allocate`` with a cache a check filled, in process: the edited region file
    checked from the values loaded before the edit (``loaded``), or loaded again;
    ``built`` is emptied before the edit."""
    store = UnitCache(plan.parent / "cache")
    scoped = scoped_edit(plan, node, metric, store)
    assert scoped is not None and scoped.result.plan is not None
    assert list(scoped.loaded) == [scoped.region_file]  # it loaded clean
    found = allocate_down(
        scoped.result.plan,
        node,
        metric,
        "even",
        uplift=uplift,
        cascade=cascade,
        outside=scoped.outside,
    )
    if built is not None:
        built.clear()
    return edit_allocation(
        scoped.result,
        found,
        Frontend(model_only),
        store=store,
        digests=scoped.digests,
        loaded=scoped.loaded if loaded else None,
        memo=scoped.memo if loaded else None,
    )


def _shown(diagnostics: Iterable[Diagnostic]) -> list[tuple[object, ...]]:
    return [(d.code, d.severity, d.message, d.hint, d.span, d.loc) for d in diagnostics]


@pytest.mark.parametrize(
    ("node", "metric", "uplift"),
    [("north-ent", "revenue", None), ("north-ent", "revenue", Decimal(1))],
    ids=["clean", "new-error"],
)
def test_numbers_edited_in_place_are_checked_as_the_file_loaded_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, node: str, metric: str, uplift: Decimal | None
) -> None:
    """The same findings, positions and new errors (PLC602 here: an adjustment that no longer
    agrees) as when the edited file is loaded again, and its result cached under its new
    bytes; only the file is not loaded."""
    loads: list[str] = []
    real = partition.compile_unit

    def counted(source: SourceFile, *args: Any, **kwargs: Any) -> FileUnit:
        loads.append(source.path)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(partition, "compile_unit", counted)
    edits = {}
    plan = tmp_path / "2027-Q1"  # the same path both ways: the same messages and spans
    region = display_path(plan / "regions" / "north.yaml")
    for way in ("loaded again", "values"):
        shutil.rmtree(tmp_path, ignore_errors=True)
        shutil.copytree(MINI, plan)
        if uplift is None:
            _drop_adjustments(plan)
        store = UnitCache(tmp_path / "cache")
        assert not check_directory(plan, store=store, whole=False).has_errors
        loads.clear()
        edited = _scoped_edit(plan, node, metric, uplift, loaded=way == "values")
        edits[way] = edited
        assert loads == ([region] if way == "loaded again" else [])
        assert edited.partition is not None and edited.partition.computed == [region]
        # its result went into the cache under the file's new bytes, as when loaded
        write_files(edited.files)
        stats = PartitionStats()
        check_partitioned(display_path(plan), *read_directory(plan), store=store, stats=stats)
        assert stats.computed == []
    again, mine = edits["loaded again"], edits["values"]
    assert again.result is not None and mine.result is not None
    assert list(mine.files) == [region]
    assert list(mine.files.values()) == list(again.files.values())
    assert _shown(mine.result.diagnostics) == _shown(again.result.diagnostics)
    assert _shown(mine.new_errors) == _shown(again.new_errors)
    assert bool(mine.new_errors) == (uplift is not None)
    if uplift is not None:
        assert {d.code for d in mine.new_errors} == {"PLC602"}
        assert all(d.span is not None and d.span.line > 0 for d in mine.new_errors)


@pytest.mark.parametrize("loaded", [True, False], ids=["values", "loaded again"])
def test_the_model_of_the_edited_values_reuses_what_the_edit_left_alone(
    tmp_path: Path, generated: Path, monkeypatch: pytest.MonkeyPatch, loaded: bool
) -> None:
    """A cascade rewrites every target of the region file, never its people or actions: the
    model of its edited values takes them from the model built before the edit
    (:class:`~planc.core.model.BuildMemo`), where a file loaded again builds them anew."""
    built: list[str] = []
    real = model._actions

    def actions(b: Any, items: Any, loc: Loc, default: str) -> Any:
        if items:  # the summary plan's shell of a region file has none
            built.append(loc.file)
        return real(b, items, loc, default)

    monkeypatch.setattr(model, "_actions", actions)
    plan = tmp_path / "2027-Q1"
    shutil.copytree(generated, plan)
    assert not check_directory(plan, store=UnitCache(tmp_path / "cache"), whole=False).has_errors
    edited = _scoped_edit(plan, "r01", "collections", None, loaded, built, cascade=True)
    region = display_path(plan / "regions" / "r01.yaml")
    assert list(edited.files) == [region] and not edited.new_errors
    assert (region in built) is not loaded
