"""The streaming position finder of ``planc diff`` gives what the composing resolver gives."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from conftest import REPO
from planc.change.positions import file_spans
from planc.core.source import Loc, PathPart, SourceFile
from planc.core.spans import SpanResolver


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
    from planc.change.positions import _stream

    for file in sorted(REPO.glob("plans/**/*.yaml")):
        assert _stream(file.read_bytes(), {("kind",)}) is not None, file
