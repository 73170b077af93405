"""A region file's teams as pieces of text: each loads alone to the values and positions it
has inside the file, and any layout in doubt is not split."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from planc.core.chunks import ChunkSpans, load_team, may_share_values, split_region
from planc.core.loader import load_source
from planc.core.source import Loc, SourceFile
from planc.core.spans import SpanResolver

ROOT = Path(__file__).parent.parent
MINI_NORTH = ROOT / "tests" / "fixtures" / "mini" / "regions" / "north.yaml"


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("plan")
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "300", str(out), "--errors", "6"],
        check=True, capture_output=True,
    )  # fmt: skip
    return sorted((out / "regions").glob("*.yaml"))[0].read_bytes()


def _paths(value: Any, path: tuple[Any, ...]) -> Any:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


@pytest.mark.parametrize("which", ["generated", "mini"])
def test_each_team_loads_alone_to_its_values_and_spans(region: bytes, which: str) -> None:
    data = region if which == "generated" else MINI_NORTH.read_bytes()
    split = split_region(data)
    assert split is not None
    assert split.head + b"".join(split.chunks) + split.tail == data
    whole = load_source(SourceFile("r.yaml", data)).data
    teams = whole["region"]["teams"]
    assert len(split.chunks) == len(teams)
    source = SourceFile("r.yaml", data)
    full, pieces = SpanResolver({"r.yaml": source}), ChunkSpans(source, split)
    for index, team in enumerate(teams):
        assert load_team("r.yaml", split, index) == team
        for path in _paths(team, ("region", "teams", index)):
            for key in (False, True):
                loc = Loc("r.yaml", path, key)
                assert pieces.resolve(loc) == full.resolve(loc), loc
    for loc in (Loc("r.yaml", ("region", "targets")), Loc("r.yaml", ("people", 0, "id"))):
        assert pieces.resolve(loc) == full.resolve(loc)


@pytest.mark.parametrize("which", ["generated", "mini", "not split"])
def test_chunk_spans_split_the_file_only_when_a_finding_needs_it(region: bytes, which: str) -> None:
    """Without a split handed in (a cold check makes none), ChunkSpans splits the file on
    its first finding and places every finding as the whole file does; a file that does
    not split is placed from the whole file, as by a plain SpanResolver."""
    data = region if which == "generated" else MINI_NORTH.read_bytes()
    if which == "not split":
        data = data.replace(b"\n", b"\r\n")
    source = SourceFile("r.yaml", data)
    lazy = ChunkSpans(source)
    assert lazy._split is None and lazy._data is data  # nothing split before a finding
    full = SpanResolver({"r.yaml": source})
    values = load_source(source).data
    locs = [
        Loc("r.yaml", path, key)
        for path in _paths(values, ())
        if len(path) > 0
        for key in (False, True)
    ]
    assert lazy.resolve_all("r.yaml", locs) == {loc: full.resolve(loc) for loc in locs}
    assert (lazy.split is None) == (which == "not split")
    if which != "not split":
        eager = ChunkSpans(source, split_region(data))
        assert all(eager.resolve(loc) == lazy.resolve(loc) for loc in locs[::7])


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.replace(b"\n", b"\r\n"),
        lambda d: d.replace(b"      name: ", b"\tname: ", 1),
        lambda d: b"%YAML 1.1\n---\n" + d,
        lambda d: d.replace(b"\n  teams:\n", b"\n  teams: []\n  x:\n", 1),
        lambda d: d.replace(b"\npeople:", b"\n  budget: {}\npeople:", 1),  # region key after
        lambda d: d.replace(b"    - id: ", b"    -   id: ", 1),
        lambda d: d.replace(b"      name: ", b"     name: ", 1),  # a key less indented
        lambda d: d.replace(b"  teams:\n", b"  teams:\n  # a comment\n  other: 1\n", 1),
        lambda d: d[:-1],  # no newline at the end
    ],
)
def test_a_layout_in_doubt_is_not_split(change: Any) -> None:
    data = MINI_NORTH.read_bytes()
    assert split_region(data) is not None
    assert split_region(change(data)) is None


def test_a_team_that_reaches_beyond_its_text_does_not_load_alone() -> None:
    data = MINI_NORTH.read_bytes()
    for broken in (b'name: "North', b"name: [North", b"name: &a North"):
        split = split_region(data.replace(b"name: North Enterprise", broken, 1))
        assert split is not None
        assert load_team("r.yaml", split, 0) is None or broken.startswith(b"name: &")
    aliased = data.replace(b"name: North Enterprise", b"name: *a", 1)
    split = split_region(aliased)
    assert split is not None and load_team("r.yaml", split, 0) is None


def test_teams_that_may_share_values_are_not_kept_apart() -> None:
    data = MINI_NORTH.read_bytes()
    plain = split_region(data)
    assert plain is not None and not may_share_values(plain)
    for shared in (b"name: &a North", b"name: *a", b"name: [*a]", b"name: R&D in the *North*"):
        split = split_region(data.replace(b"name: North Enterprise", shared, 1))
        assert split is not None and (may_share_values(split) or shared.startswith(b"name: R&D"))


def test_team_spans_kept_from_edit_to_edit_are_the_whole_files(region: bytes) -> None:
    """Spans kept from one resolver to the next (the language server's edits): a team whose
    text, line or place changed is composed again; each span is the whole file's."""
    from planc.core.chunks import TeamSpans

    split = split_region(region)
    assert split is not None
    chunks = list(split.chunks)
    grown = chunks[0].replace(b"\n", b"\n      # a comment\n", 1)
    variants = [
        region,
        region.replace(b"value: ", b"value: 1", 1),  # a number in the first team
        split.head + b"".join(chunks[1:]) + split.tail,  # the first team gone: all move up
        split.head + grown + b"".join(chunks[1:]) + split.tail,  # a line more: all move down
        split.head + b"".join(chunks[:-1]) + split.tail,  # another team is the last
        region,
    ]
    kept = TeamSpans()
    for data in variants:
        source = SourceFile("r.yaml", data)
        pieces = ChunkSpans(source, split_region(data), kept)
        full = SpanResolver({"r.yaml": source})
        teams = load_source(source).data["region"]["teams"]
        for index in [0, 1, len(teams) - 2, len(teams) - 1]:
            for path in list(_paths(teams[index], ("region", "teams", index)))[::3]:
                for key in (False, True):
                    loc = Loc("r.yaml", path, key)
                    assert pieces.resolve(loc) == full.resolve(loc), loc
    assert kept._teams  # something was kept (and reused by the last variant)


def test_tail_spans_kept_from_edit_to_edit_are_the_whole_files(region: bytes) -> None:
    """Spans in the tail (people, actions) kept while the tail's text and line stay: each
    is the whole file's, whether the teams above changed, moved the tail, or the tail or
    the head changed (a head with a key of the tail's is never answered from the kept)."""
    from planc.core.chunks import TeamSpans

    split = split_region(region)
    assert split is not None
    chunks = list(split.chunks)
    variants = [
        region,
        region.replace(b"value: ", b"value: 1", 1),  # a number in a team: the tail stays
        split.head + b"".join(chunks[1:]) + split.tail,  # a team gone: the tail moves up
        region.replace(b"\npeople:\n", b"\npeople:\n  # a comment\n", 1),  # the tail changed
        b"people: []\n" + region,  # the head has a key of the tail's (a duplicate)
        region,
    ]
    kept = TeamSpans()
    for data in variants:
        source = SourceFile("r.yaml", data)
        pieces = ChunkSpans(source, split_region(data), kept)
        values = load_source(source).data
        assert values is not None
        locs = [
            Loc("r.yaml", path, key)
            for name in ("people", "actions", "adjustments")
            for path in list(_paths(values.get(name, []), (name,)))[::9]
            for key in (False, True)
        ]
        full = SpanResolver({"r.yaml": source})
        assert pieces.resolve_all("r.yaml", locs) == {loc: full.resolve(loc) for loc in locs}
    assert any(t is not None and t.spans for t in kept._tails.values())


def test_the_document_marks_are_found_as_by_the_three_searches() -> None:
    """split_region's one regex for `%`, `---` and `...` at a line's start says what the three
    byte searches it replaced said, on random texts made of the bytes that matter."""
    import random

    from planc.core.chunks import _DOCUMENT_MARK

    rng = random.Random(17)
    pieces = [b"\n", b"%", b"-", b"--", b".", b"..", b"a", b" ", b"#"]
    for _ in range(20000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randrange(1, 12)))
        expected = b"\n%" in data or b"\n---" in data or b"\n..." in data
        assert (_DOCUMENT_MARK.search(data) is not None) == expected, data
