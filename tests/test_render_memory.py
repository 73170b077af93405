"""A render's forked workers, as large sites use them to keep the process tree's memory
bounded: the index is rendered here before any worker is forked, the pages' keys and
the pages are shared with a relay of fresh workers (planc.core.forking.relay). The
site is byte for byte what one process renders."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, run_planc
from planc.core.cache import UnitCache
from planc.site import render as render_module
from test_site_incremental import Renders, edit, site_files

GENERATE = REPO / "bench" / "generate.py"


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str, int]]:
    """Every site counts as large, and shares with workers; the pages rendered, as
    (pid, path, children alive in the parent then)."""
    monkeypatch.setenv("PLANC_WORKERS", "2")
    monkeypatch.setattr(render_module, "_EARLY_MAX_PAGES", 0)
    monkeypatch.setattr(render_module, "_PARALLEL_MIN_KEYS", 1)
    monkeypatch.setattr(render_module, "_PARALLEL_MIN_PAGES", 1)
    seen: list[tuple[int, str, int]] = []
    parent = os.getpid()
    real = render_module._render_share

    def spied(views: Any, specs: list[Any], building: Path, digest: bool) -> Any:
        if os.getpid() == parent:
            seen.extend((parent, s.path, len(multiprocessing.active_children())) for s in specs)
        return real(views, specs, building, digest)

    monkeypatch.setattr(render_module, "_render_share", spied)
    return seen


def test_the_index_here_with_no_worker_alive(
    mini_plan: Path, tmp_path: Path, large: list[tuple[int, str, int]]
) -> None:
    renders = Renders(mini_plan, tmp_path)  # the first render, with the cache
    index = [alive for _, path, alive in large if path == "index.html"]
    assert index == [0]
    edit(
        renders.plan,
        "regions/north.yaml",
        "csat: {value: 4.5}\n            sales_expense: {value: 35000}\n        - rep: bob",
        "csat: {value: 4.6}\n            sales_expense: {value: 35000}\n        - rep: bob",
    )
    large.clear()
    written, changed = renders.again()  # byte for byte the full render's (it asserts that)
    assert "reps/ann.html" in changed and "index.html" in written
    assert [alive for _, path, alive in large if path == "index.html"][:1] == [0]


def test_large_site_path_equals_one_process(
    mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole path a large site takes (index here, keys and pages by relays of
    workers, with the cache) against one process without any cache."""
    from test_site_incremental import render

    monkeypatch.setenv("PLANC_WORKERS", "1")
    render(mini_plan, tmp_path / "one", None)
    monkeypatch.setenv("PLANC_WORKERS", "2")
    monkeypatch.setattr(render_module, "_EARLY_MAX_PAGES", 0)
    monkeypatch.setattr(render_module, "_PARALLEL_MIN_KEYS", 1)
    monkeypatch.setattr(render_module, "_PARALLEL_MIN_PAGES", 1)
    deciders = tmp_path / "deciders"
    deciders.mkdir()
    real = render_module._Sorting.decide

    def spied(self: Any, indexes: Any) -> Any:
        (deciders / str(os.getpid())).touch()
        return real(self, indexes)

    monkeypatch.setattr(render_module._Sorting, "decide", spied)
    cache = UnitCache(tmp_path / "cache")
    render(mini_plan, tmp_path / "two", cache)
    assert site_files(tmp_path / "two") == site_files(tmp_path / "one")
    assert {p.name for p in deciders.iterdir()} - {str(os.getpid())}  # workers decided some
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("seed", [5])
def test_generated_plan_workers_against_one_process(seed: int, tmp_path: Path) -> None:
    """A generated 150-rep plan (~165 pages: shared with workers) rendered by the command,
    with and without workers, with the cache: the same files, byte for byte."""
    plan = tmp_path / "plan" / "2027-Q1"
    subprocess.run(
        [sys.executable, str(GENERATE), "150", str(plan), "--seed", str(seed)],
        check=True, capture_output=True,
    )  # fmt: skip
    sites = {}
    for workers in ("1", "2"):
        out = tmp_path / f"site-{workers}"
        env = {"PLANC_WORKERS": workers, "PLANC_CACHE_DIR": str(tmp_path / f"cache-{workers}")}
        ran = run_planc("render", plan, "--out", out, cwd=tmp_path, env=env)
        assert ran.code == 0, ran.stderr
        sites[workers] = site_files(out)
    assert len(sites["1"]) > 150
    assert sites["2"] == sites["1"]


def test_a_render_whose_forks_fail_renders_here(
    mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fork() failing (EAGAIN, ENOMEM: a large site is where memory runs short) for every
    child a render would start -- the index's, the keys' and the pages' workers, the
    check's -- leaves that work to the render itself: the same site, no internal error."""
    import errno

    from test_site_incremental import render

    monkeypatch.setenv("PLANC_WORKERS", "1")
    render(mini_plan, tmp_path / "one", None)
    monkeypatch.setenv("PLANC_WORKERS", "2")
    monkeypatch.setattr(render_module, "_EARLY_MAX_PAGES", 10**6)
    monkeypatch.setattr(render_module, "_PARALLEL_MIN_KEYS", 1)
    monkeypatch.setattr(render_module, "_PARALLEL_MIN_PAGES", 1)
    tried: list[int] = []

    def no_fork(self: Any) -> None:
        tried.append(1)
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", no_fork)
    cache = UnitCache(tmp_path / "cache")
    for _ in range(2):  # cold, then with the record and the old pages (begin_render too)
        render(mini_plan, tmp_path / "two", cache, begin=True)
        assert site_files(tmp_path / "two") == site_files(tmp_path / "one")
    assert tried


@pytest.mark.parametrize("workers", ["1", "2"])
def test_released_bytes_render_the_same_site(
    workers: str, mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """render_site(release=True) (what the command asks) renders the site it renders
    without, first and again (the region keys read the bytes before the release, and an
    unchanged region's pages are kept), on the large-site path with workers too; after it
    every plan file's bytes are gone and a late reader fails loudly."""
    from planc.checks.partition import PartitionStats
    from planc.core.source import SourceReleased
    from planc.site.checked import check_for_render, vouched
    from test_site_incremental import render

    monkeypatch.setenv("PLANC_WORKERS", "1")
    render(mini_plan, tmp_path / "one", None)
    monkeypatch.setenv("PLANC_WORKERS", workers)
    monkeypatch.setattr(render_module, "_EARLY_MAX_PAGES", 0)
    monkeypatch.setattr(render_module, "_PARALLEL_MIN_KEYS", 1)
    monkeypatch.setattr(render_module, "_PARALLEL_MIN_PAGES", 1)
    cache = UnitCache(tmp_path / "cache")
    kept = []
    for _ in range(2):
        stats = PartitionStats()
        result = check_for_render(mini_plan, cache, stats)
        assert vouched(result, stats)
        report = render_module.render_site(
            result, tmp_path / "two", records=cache, vouched=True, release=True
        )
        kept.append(report.kept)
        assert site_files(tmp_path / "two") == site_files(tmp_path / "one")
        assert result.sources
        for source in result.sources.values():
            with pytest.raises(SourceReleased):
                _ = source.data
    assert kept[0] == 0 and kept[1] == report.pages - 1  # all but the index kept again


def test_a_page_workers_share_is_bounded_on_a_large_site() -> None:
    # what a worker copies grows with its share (~0.14 MiB a page): a 50,000-rep site's
    # 55,000 pages in 128 shares was ~60 MiB beside the parent's peak; a 10,000-rep
    # site's shares stay as they were
    assert render_module._page_share(55_000) == render_module._SHARE_MAX_PAGES == 256
    assert render_module._page_share(11_000) == 11_000 // render_module._SHARES
    assert render_module._page_share(100) == render_module._PARALLEL_MIN_PAGES
