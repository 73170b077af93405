"""The streaming position finder (``planc check``'s and ``planc diff``'s) gives what the
composing resolver gives: for every path of the repository's plans, for edge cases, for
every finding of every check case and of a generated plan with injected errors."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from conftest import REPO
from planc.change.positions import file_spans
from planc.cli import cli
from planc.core import spans
from planc.core.chunks import ChunkSpans, split_region
from planc.core.positions import _stream
from planc.core.source import Loc, PathPart, SourceFile
from planc.core.spans import SpanResolver
from test_cases import params, run_case


def _paths(value: Any, prefix: tuple[PathPart, ...] = ()) -> list[tuple[PathPart, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*prefix, index))
    return out


def _locs(path: str, paths: list[tuple[PathPart, ...]]) -> list[Loc]:
    locs: list[Loc] = []
    for p in paths:
        locs += [Loc(path, p), Loc(path, p, True)]
        # paths that go further than the file does, or astray
        locs += [Loc(path, (*p, "nope")), Loc(path, (*p, 0)), Loc(path, (*p, 99, "x"), True)]
    return locs


def _same(data: bytes, locs: list[Loc] | None = None) -> None:
    source = SourceFile("f.yaml", data)
    if locs is None:
        try:
            loaded = yaml.safe_load(data)
        except yaml.YAMLError:
            loaded = None
        locs = _locs("f.yaml", _paths(loaded))
    expected = SpanResolver({"f.yaml": source})
    got = file_spans(source, locs)
    assert got == {loc: expected.resolve(loc) for loc in locs}


def test_every_path_of_the_repository_plans() -> None:
    files = sorted(REPO.glob("tests/fixtures/**/*.yaml")) + sorted(REPO.glob("plans/**/*.yaml"))
    assert files
    checked = 0
    for file in files:
        data = file.read_bytes()
        _same(data)
        checked += 1
    assert checked == len(files)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: {b: 2}\n",  # a repeated key: the last one wins, deeper paths of the first go
        "a: {b: {c: 1}}\na: {b: 2}\n",
        "a: {b: {c: 1}}\na: 3\n",
        "a:\n  - x: 1\n  - [1, 2, {y: 3}]\n  -\n",
        "? [1, 2]\n: v\nb: 1\n",  # a key that is not a scalar
        "{a: 1, b: [2, 3]}",
        "a: &x {b: 1}\nc: *x\n",  # aliases: the composing resolver decides
        "a: 1\n---\nb: 2\n",  # two documents
        "a: [1, 2\n",  # a YAML error
        "",
        "just a scalar\n",
        "1: one\n'1': two\n",
        "a: !tagged {b: 1}\n",
        "a: |\n  text\n  more\nb: >-\n  folded\n",
    ],
)
def test_edge_cases(text: str) -> None:
    paths: list[tuple[PathPart, ...]] = [(), ("a",), ("a", "b"), ("a", "b", "c"), ("a", 0)]
    paths += [("a", 1, 2, "y"), ("a", 2), ("b",), ("b", 1), ("c", "b"), (1,), ("1",)]
    _same(text.encode(), _locs("f.yaml", paths))


def test_plan_files_are_streamed() -> None:
    for file in sorted(REPO.glob("plans/**/*.yaml")):
        assert _stream(file.read_bytes(), {("kind",)}) is not None, file


class _Compared:
    """Wraps the streaming lookup: each answer it gives is compared with the composing
    resolver's for the same locations."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.streamed = 0
        self.mismatches: list[tuple[str, Loc, Any, Any]] = []
        real = spans.stream_spans

        def compared(source: SourceFile, locs: Any) -> Any:
            wanted = list(locs)
            got = real(source, wanted)
            if got is not None:
                composing = SpanResolver({source.path: source})
                for loc in dict.fromkeys(wanted):
                    expected = composing.resolve(loc)
                    if got.get(loc) != expected:
                        self.mismatches.append((source.path, loc, got.get(loc), expected))
                self.streamed += len(got)
            return got

        monkeypatch.setattr(spans, "stream_spans", compared)


def test_every_check_case_places_findings_as_composing(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every failing case of tests/cases, run as the real command: each batch the streaming
    lookup answers is compared with the composing resolver; and the comparison is not empty
    (the others place theirs from a team's own text (ChunkSpans), at a span known when
    found (a YAML error), or in no YAML file at all (track, import))."""
    compared = _Compared(monkeypatch)
    cases = [p.values[0] for p in params("fail") if not p.marks]
    streamed = []
    for number, case in enumerate(cases):
        before = compared.streamed
        run_case(case, tmp_path / str(number), monkeypatch)
        assert not compared.mismatches, (case.id, compared.mismatches)
        if compared.streamed > before:
            streamed.append(case.id)
    assert len(streamed) > len(cases) // 3, (len(streamed), len(cases))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("plan") / "plan"
    subprocess.run(
        [sys.executable, str(REPO / "bench" / "generate.py"), "400", str(out), "--errors", "12"],
        check=True, capture_output=True,
    )  # fmt: skip
    return out


def test_generated_plan_with_errors(
    generated: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Findings in every region file of a generated plan: each placed as composing places it,
    the same spans whichever resolver the whole check uses."""
    compared = _Compared(monkeypatch)
    monkeypatch.chdir(generated.parent)
    result = CliRunner().invoke(cli, ["check", "plan", "--format", "json", "--no-cache"])
    assert result.exit_code == 1, result.output
    streamed = json.loads(result.stdout)["diagnostics"]
    assert not compared.mismatches
    assert compared.streamed > 0
    monkeypatch.setattr(spans, "stream_spans", lambda source, locs: None)  # compose every file
    result = CliRunner().invoke(cli, ["check", "plan", "--format", "json", "--no-cache"])
    composed = json.loads(result.stdout)["diagnostics"]
    assert streamed == composed
    regions = {f"plan/regions/{f.name}" for f in (generated / "regions").glob("*.yaml")}
    assert len(regions) >= 2
    assert {d["path"] for d in streamed} >= regions  # findings in every region file


@pytest.mark.parametrize("which", ["generated", "mini"])
def test_chunk_spans_batch(generated: Any, which: str) -> None:
    """A region file split into teams places a batch as it places each finding alone."""
    region = (
        sorted((generated / "regions").glob("*.yaml"))[0]
        if which == "generated"
        else REPO / "tests" / "fixtures" / "mini" / "regions" / "north.yaml"
    )
    data = region.read_bytes()
    split = split_region(data)
    assert split is not None
    source = SourceFile("r.yaml", data)
    locs = _locs("r.yaml", _paths(yaml.safe_load(data)))
    got = ChunkSpans(source, split).resolve_all("r.yaml", locs)
    expected = SpanResolver({"r.yaml": source})
    assert got == {loc: expected.resolve(loc) for loc in locs}
