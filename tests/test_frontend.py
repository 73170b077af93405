"""The incremental front end: a file whose bytes did not change is never loaded again,
and what it compiles is what a fresh compile of the same files gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from planc.checks import check_sources, run_checks
from planc.core import frontend
from planc.core.frontend import FileUnit, Frontend, unit_digest
from planc.core.pipeline import read_directory
from planc.core.source import SourceFile


def _sources(plan_dir: Path) -> list[SourceFile]:
    sources, problems = read_directory(plan_dir)
    assert problems == []
    return sources


def _summary(result: object) -> list[tuple[str, str, str, int, int]]:
    return [
        (d.code, d.message, d.span.path, d.span.line, d.span.col)
        for d in result.diagnostics  # type: ignore[attr-defined]
        if d.span is not None
    ]


def test_an_unchanged_plan_is_not_loaded_again(mini_plan: Path) -> None:
    frontend = Frontend(run_checks)
    first = frontend.compile("mini", _sources(mini_plan))
    assert len(frontend.stats.loaded) == 3 and frontend.stats.reused == []
    second = frontend.compile("mini", _sources(mini_plan))
    assert frontend.stats.loaded == [] and len(frontend.stats.reused) == 3
    assert first.plan is not None and second.plan is not None
    assert first.plan == second.plan
    assert _summary(first) == _summary(second)


def test_an_edited_file_alone_is_loaded_again_and_its_errors_show(mini_plan: Path) -> None:
    frontend = Frontend(run_checks)
    frontend.compile("mini", _sources(mini_plan))
    north = mini_plan / "regions" / "north.yaml"
    north.write_text(
        north.read_text(encoding="utf-8").replace("owner: ned\n", "owner: nobody\n", 1),
        encoding="utf-8",
    )
    edited = _sources(mini_plan)
    result = frontend.compile("mini", edited)
    assert frontend.stats.loaded == [s.path for s in edited if s.path.endswith("north.yaml")]
    assert len(frontend.stats.reused) == 2
    fresh = check_sources("mini", edited)
    assert _summary(result) == _summary(fresh)
    assert any(code == "PLC201" for code, *_ in _summary(result)), _summary(result)


def test_a_broken_file_then_its_fix(mini_plan: Path) -> None:
    frontend = Frontend(run_checks)
    sources = _sources(mini_plan)
    broken = [
        SourceFile(s.path, s.data.replace(b"name: North\n", b'name: "North\n', 1))
        if s.path.endswith("north.yaml")
        else s
        for s in sources
    ]
    result = frontend.compile("mini", broken)
    assert result.plan is None
    assert [d.code for d in result.diagnostics if d.severity.value == "error"] == ["PLC001"]
    fixed = frontend.compile("mini", sources)
    assert fixed.plan is not None and not fixed.has_errors
    assert len(frontend.stats.loaded) == 1


def test_a_removed_file_leaves_the_plan() -> None:
    quarter, *regions = _sources(Path(__file__).parent / "fixtures" / "mini")
    frontend = Frontend(run_checks)
    whole = frontend.compile("mini", [quarter, *regions])
    assert whole.plan is not None
    fewer = frontend.compile("mini", [quarter, regions[0]])
    assert fewer.plan is not None
    assert fewer.plan.files == (quarter.path, regions[0].path)
    assert frontend.stats.loaded == []


def test_the_digest_depends_on_path_bytes_and_bound() -> None:
    base = unit_digest("a.yaml", b"x: 1\n")
    assert base == unit_digest("a.yaml", b"x: 1\n")
    assert base != unit_digest("b.yaml", b"x: 1\n")
    assert base != unit_digest("a.yaml", b"x: 2\n")
    assert base != unit_digest("a.yaml", b"x: 1\n", max_bytes=10)


class _Units:
    """A store that keeps every unit put (a dict by digest)."""

    def __init__(self) -> None:
        self.units: dict[str, FileUnit] = {}

    def get(self, digest: str) -> FileUnit | None:
        return self.units.get(digest)

    def put(self, unit: FileUnit) -> None:
        self.units[unit.digest] = unit


@pytest.mark.parametrize("workers", [1, 2])
def test_each_file_is_hashed_once_and_its_unit_filed_by_its_bytes(
    mini_plan: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """The digest a compile takes to look a file up is the one its new unit gets (not taken
    again by compile_unit): once per file, and still the digest of the file's bytes."""
    sources = _sources(mini_plan)
    taken: list[str] = []

    def counted(path: str, data: bytes, max_bytes: int = 1) -> str:
        taken.append(path)
        return unit_digest(path, data, max_bytes)

    monkeypatch.setattr(frontend, "unit_digest", counted)
    store = _Units()
    compiler = Frontend(run_checks, store=store, workers=workers, parallel_min_bytes=0)
    result = compiler.compile("mini", sources)
    assert sorted(taken) == sorted(s.path for s in sources)
    assert sorted(store.units) == sorted(unit_digest(s.path, s.data) for s in sources)
    assert all(unit.digest == key for key, unit in store.units.items())
    alone = Frontend(run_checks, workers=1).compile("mini", sources)
    assert result.plan == alone.plan and _summary(result) == _summary(alone)
    taken.clear()
    again = Frontend(run_checks, store=store, workers=workers).compile("mini", sources)
    assert sorted(taken) == sorted(s.path for s in sources)  # looked up, none compiled
    assert again.plan == alone.plan


def test_two_processes_compile_what_one_does(mini_plan: Path) -> None:
    sources = _sources(mini_plan)
    alone = Frontend(run_checks, workers=1).compile("mini", sources)
    broken = [
        SourceFile(s.path, s.data.replace(b"owner: ned\n", b"owner: nobody\n", 1)) for s in sources
    ]
    both = Frontend(run_checks, workers=2, parallel_min_bytes=0)
    together = both.compile("mini", sources)
    assert len(both.stats.loaded) == 3
    assert together.plan == alone.plan and _summary(together) == _summary(alone)
    broken_alone = Frontend(run_checks, workers=1).compile("mini", broken)
    broken_both = Frontend(run_checks, workers=2, parallel_min_bytes=0).compile("mini", broken)
    assert _summary(broken_both) == _summary(broken_alone)
    assert any(code == "PLC201" for code, *_ in _summary(broken_both))


def test_a_fork_that_fails_compiles_every_file_here(
    mini_plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fork() can fail (EAGAIN, ENOMEM) when the workers are started: every file is then
    compiled here, as without fork, instead of an OSError."""
    import errno
    import multiprocessing

    sources = _sources(mini_plan)
    alone = Frontend(run_checks, workers=1).compile("mini", sources)
    tried: list[int] = []

    def no_fork(self: object) -> None:
        tried.append(1)
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", no_fork)
    both = Frontend(run_checks, workers=2, parallel_min_bytes=0).compile("mini", sources)
    assert tried  # the workers were asked for
    assert both.plan == alone.plan and _summary(both) == _summary(alone)
