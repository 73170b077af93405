"""The check ``planc render`` starts from is the full compile's, though it runs fewer checks.

With planc's cache, render takes its diagnostics from the partitioned check and
runs over the model only the checks whose codes that reported
(:mod:`planc.site.checked`). Compared with the full compile on every check case
of ``tests/cases`` (the mini plan with each failing and passing edit, in Chinese):
the same diagnostics in the same order, made by the same checks
(a :class:`~planc.core.diagnostics.Message` where the full compile has one, so
the site renders it from the plan's catalog), and a site byte for byte the same.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from planc.checks import check_directory
from planc.checks.partition import PartitionStats
from planc.core.cache import UnitCache
from planc.core.diagnostics import Message
from planc.core.frontend import compile_unit, unit_digest
from planc.core.loader import DEFAULT_MAX_BYTES
from planc.core.spans import SpanResolver
from planc.site import checked
from planc.site.checked import DISAGREE, check_for_render
from planc.site.render import render_site
from test_cases import FIXTURE, all_cases, apply_edit
from test_site_incremental import site_files


def _key(result: Any) -> list[tuple[Any, ...]]:
    return [
        (d.code, d.severity, d.span, d.message, d.hint, d.loc, _data(d.message), _data(d.hint))
        for d in result.diagnostics
    ]


def _data(text: str | None) -> bool:
    """Whether the site needs the message as data: a template with arguments. (A message
    without arguments, such as a file's diagnostic read back from the unit cache, is
    translated from its text.)"""
    return isinstance(text, Message) and bool(text.args)


def _cases() -> list[Any]:
    return [
        pytest.param(case, id=case.id)
        for case in all_cases()
        if case.command in (None, "check") and not case.args
    ]


def _plan(tmp_path: Path, case: Any, locale: str) -> Path:
    plan = tmp_path / "plan"
    shutil.copytree(FIXTURE, plan)
    quarter = plan / "quarter.yaml"
    text = quarter.read_text(encoding="utf-8")
    assert text.count("\nlocale: en\n") == 1
    quarter.write_text(text.replace("\nlocale: en\n", f"\nlocale: {locale}\n"), encoding="utf-8")
    for edit in case.edits:
        apply_edit(plan, edit)
    return plan


def _same_check(plan: Path, store: UnitCache) -> Any:
    full = check_directory(plan)  # no cache: one model, every check
    stats = PartitionStats()
    mine = check_for_render(plan, store, stats)
    assert (mine.plan is None) == (full.plan is None)
    assert stats.fallback != DISAGREE
    if not full.has_errors:
        assert _key(mine) == _key(full)
        return mine
    # planc render prints them (in English) and renders nothing; a file's diagnostics come
    # from the unit cache as text then, as they did before the partition was used here
    shown = [k[:6] for k in _key(full)]
    assert [k[:6] for k in _key(mine)] == shown
    stopped = check_for_render(plan, store, model_with_errors=False)
    assert [k[:6] for k in _key(stopped)] == shown
    return mine


@pytest.mark.parametrize("case", _cases())
def test_every_case_gives_the_full_compiles_diagnostics(case: Any, tmp_path: Path) -> None:
    # in Chinese: the checks do not read the locale, the site shows their messages translated
    plan = _plan(tmp_path, case, "zh-CN")
    store = UnitCache(tmp_path / "cache")
    _same_check(plan, store)  # region results computed
    _same_check(plan, store)  # and read back from the cache


def test_a_site_with_warnings_in_chinese_is_the_full_renders(tmp_path: Path) -> None:
    """Warnings read back from the cache as English text still show in Chinese."""
    plan = _warned_plan(tmp_path)
    store = UnitCache(tmp_path / "cache")
    site = tmp_path / "site"
    for attempt in range(2):  # the second one with every region result from the cache
        result = _same_check(plan, store)
        assert any(d.severity.value == "warning" for d in result.diagnostics)
        assert not result.has_errors
        report = render_site(result, site, records=store)
        assert report.kept == (0 if attempt == 0 else report.pages - 1)
        full = tmp_path / f"full-{attempt}"
        render_site(check_directory(plan), full)
        assert site_files(site) == site_files(full)


def _warned_plan(tmp_path: Path) -> Path:
    """The mini plan in Chinese, edited as the first check case that warns with arguments."""
    for number, case in enumerate(_cases()):
        plan = _plan(tmp_path / str(number), case.values[0], "zh-CN")
        found = check_directory(plan)
        if not found.has_errors and any(_data(d.message) for d in found.diagnostics):
            return plan
    raise AssertionError("no check case warns")


def test_without_a_cache_it_is_the_full_compile(mini_plan: Path) -> None:
    full = check_directory(mini_plan)
    mine = check_for_render(mini_plan, None)
    assert _key(mine) == _key(full) and mine.plan is not None


@pytest.mark.parametrize("how", ["one process", "the child dies"])
def test_the_partition_beside_the_model_gives_the_same(
    how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On one CPU the partition runs in this process; a child that dies is redone here."""
    plan = _warned_plan(tmp_path)
    if how == "one process":
        monkeypatch.setenv("PLANC_WORKERS", "1")
    else:
        monkeypatch.setattr(checked, "_partition_child", lambda *args: os._exit(1))
    stats = PartitionStats()
    mine = check_for_render(plan, UnitCache(tmp_path / "cache"), stats)
    assert _key(mine) == _key(check_directory(plan))
    assert len(stats.computed) == 2 and stats.fallback is None


def test_a_partition_that_fails_in_the_child_fails_here_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Computed again in this process, so a bug shows as it would in planc check."""
    monkeypatch.setattr(checked, "compile_partitioned", _raises)
    with pytest.raises(RuntimeError, match="a bug in the partition"):
        check_for_render(_warned_plan(tmp_path), UnitCache(tmp_path / "cache"))


def _raises(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("a bug in the partition")


def test_what_render_does_meanwhile_is_done_once_the_model_is_built(tmp_path: Path) -> None:
    plan = _warned_plan(tmp_path)
    calls: list[int] = []
    mine = check_for_render(plan, UnitCache(tmp_path / "cache"), meanwhile=lambda: calls.append(1))
    assert calls == [1] and mine.plan is not None
    assert _key(mine) == _key(check_directory(plan))


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_units_compiled_for_the_model_reach_the_cache(
    workers: str, mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written by a forked child beside the model build (on one CPU, here): a later compile
    finds every file's unit, the edited one too, and they are the units a compile makes."""
    monkeypatch.setenv("PLANC_WORKERS", workers)
    cache = UnitCache(tmp_path / "cache")
    check_for_render(mini_plan, cache)
    north = mini_plan / "regions" / "north.yaml"
    north.write_text(north.read_text(encoding="utf-8").replace("Ned Stark", "Ned Starck"), "utf-8")
    mine = check_for_render(mini_plan, cache)
    assert _key(mine) == _key(check_directory(mini_plan))
    for path, source in mine.sources.items():
        stored = cache.get(unit_digest(path, source.data))
        assert stored is not None and stored.path == path
        assert stored == compile_unit(source, SpanResolver({path: source}), DEFAULT_MAX_BYTES)


def test_one_child_at_a_time_writes_the_units_of_a_cold_render(
    mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold render puts every file's unit; each writer child copies its unit's pages, so
    they take turns (twenty at once took a 50,000-rep render's tree to 1.78 GiB)."""
    monkeypatch.setenv("PLANC_WORKERS", "2")
    real = checked.start_forked
    live = [0]
    most = [0]

    def counted(work: Any, *args: Any) -> Any:
        wait = real(work, *args)
        if work is not checked._put_unit:  # the partitioned check's child, beside
            return wait
        live[0] += 1
        most[0] = max(most[0], live[0])

        def waited() -> Any:
            live[0] -= 1
            return wait()

        return waited

    monkeypatch.setattr(checked, "start_forked", counted)
    cache = UnitCache(tmp_path / "cache")
    mine = check_for_render(mini_plan, cache)
    assert len(mine.sources) >= 3 and most[0] == 1 and live[0] == 0
    for path, source in mine.sources.items():  # every unit written all the same
        stored = cache.get(unit_digest(path, source.data))
        assert stored is not None and stored.path == path


def test_what_render_prepares_is_every_template_a_page_loads(
    mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compiled before the check finishes (and before any child is forked): rendering the
    site loads no template again but the index's, once (one process renders the index: in
    a render again, a forked child beside the pages' keys, which compiles it there)."""
    from planc.site import render as render_module

    render_module.environment.cache_clear()
    try:
        render_module.prepare()
        env = render_module.environment()
        loaded: list[str] = []
        real = env.loader.load  # type: ignore[union-attr]

        def spied(environment: Any, name: str, globals: Any = None) -> Any:
            loaded.append(name)  # compiled ahead (planc.site.templating) or from the folder
            return real(environment, name, globals)

        monkeypatch.setattr(env.loader, "load", spied)
        monkeypatch.setenv("PLANC_WORKERS", "1")
        render_site(check_for_render(mini_plan, None), tmp_path / "site")
        assert loaded == ["index.html.j2"]
    finally:
        render_module.environment.cache_clear()


def test_the_command_leaves_the_plan_to_the_end_of_the_process() -> None:
    """planc render does not free the plan object by object when it returns (the process
    ends right after): the value is still alive once every reference to it is dropped."""
    import gc
    import weakref

    from planc.cli.render import _left_to_exit

    class Plan:
        pass

    value = Plan()
    alive = weakref.ref(value)
    try:
        _left_to_exit(value)
        del value
        gc.collect()
        assert alive() is not None
    finally:
        gc.unfreeze()  # this is a test process: let the collector have it back
    gc.collect()
    assert alive() is None  # it was kept by nothing else


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_render_is_begun_before_the_model_is_built(
    workers: str, mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``begin`` (planc render checks the old pages there) gives the skipping. On two CPUs it
    runs first: no file left out of the model, the partition is started right after it, to
    run beside the whole model. On one CPU the partition runs first, in this process."""
    from planc.site import checked
    from planc.site.checked import Skipping

    monkeypatch.setenv("PLANC_WORKERS", workers)
    done: list[str] = []
    start = checked._start_partition

    def started(*args: Any) -> Any:
        found = start(*args)
        done.append("partition")
        return found

    def may_skip(sources: Any, skipping: Skipping) -> set[str]:
        done.append(f"skipping {skipping.recorded}")
        return set()

    class Model(checked.Frontend):
        def compile(self, *args: Any, **kwargs: Any) -> Any:
            done.append("model")
            return super().compile(*args, **kwargs)

    monkeypatch.setattr(checked, "_start_partition", started)
    monkeypatch.setattr(checked, "_may_skip", may_skip)
    monkeypatch.setattr(checked, "Frontend", Model)

    def begin() -> Skipping:
        done.append("begin")
        return Skipping("the record")

    mine = check_for_render(mini_plan, UnitCache(tmp_path / "cache"), begin=begin)
    if workers == "1":
        assert done == ["partition", "begin", "skipping the record", "model"]
    else:
        assert done == ["begin", "skipping the record", "partition", "model"]
    assert mine.plan is not None and _key(mine) == _key(check_directory(mini_plan))
    done.clear()
    check_for_render(mini_plan, None, begin=begin)  # no cache: nothing to begin
    assert done == []
