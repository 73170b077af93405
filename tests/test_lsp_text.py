"""Positions and half-typed lines (planc.lsp.text, planc.lsp.features without a server)."""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("lsprotocol", reason="planc lsp needs the lsp extra")

from planc.lsp.features import minimal_edit
from planc.lsp.text import KeyContext, Point, char_col, compose, key_context, path_at, utf16_col

REGION = """\
region:
  id: east
  owner: zh
  teams:
    - id: east-ka
      targets:
        revenue: {value: 100, months: [50, 50], products: {rg-cloud: 60, sm
        coll
      approved_by:
      - li
      reps:
        - rep: zhang-wei
"""


@pytest.mark.parametrize(
    ("line", "text", "expected"),
    [
        (2, "  owner: zh", KeyContext("owner", "zh")),
        (6, "products: {rg-cloud: 60, sm", KeyContext("products", "sm", as_key=True)),
        (6, "revenue: {value: 100, months: [50", KeyContext("months", "50")),  # no id kind
        (7, "        coll", KeyContext("targets", "coll", as_key=True)),
        (9, "      - li", KeyContext("approved_by", "li")),
        (11, "        - rep: zhang-w", KeyContext("rep", "zhang-w")),
    ],
)
def test_the_key_a_half_typed_line_belongs_to(line: int, text: str, expected: KeyContext) -> None:
    lines = REGION.split("\n")
    column = lines[line].index(text.strip()) + len(text.strip())
    found = key_context(lines, line, column)
    assert found == expected


def test_a_comment_is_no_place_for_an_id() -> None:
    assert key_context(["  owner: zh  # ask li"], 0, len("  owner: zh  # ask li")) is None


def test_columns_in_utf16_and_back() -> None:
    line = "name: 锐工🙂 x"
    assert utf16_col(line, line.index("x")) == line.index("x") + 1  # the emoji is two units
    assert char_col(line, utf16_col(line, line.index("x"))) == line.index("x")


def test_the_path_under_the_cursor() -> None:
    text = "region:\n  teams:\n    - id: a\n      targets: {revenue: {value: 10}}\n"
    root = compose(text)
    column = text.split("\n")[3].index("10")
    assert path_at(root, Point(3, column)) == (
        ("region", "teams", 0, "targets", "revenue", "value"),
        False,
    )
    assert path_at(root, Point(2, 6)) == (("region", "teams", 0, "id"), True)
    assert compose("region: [unclosed\n") is None


def test_minimal_edit_replaces_only_what_differs() -> None:
    old = "a: 1\nb: 锐工 2\nc: 3\n"
    new = "a: 1\nb: 锐工 20\nc: 3\nd: 4\n"
    edit = minimal_edit(old, new)
    assert (edit.range.start.line, edit.range.start.character) == (1, 7)  # after "b: 锐工 2"
    lines = old.split("\n")
    start = sum(len(x) + 1 for x in lines[: edit.range.start.line]) + edit.range.start.character
    end = sum(len(x) + 1 for x in lines[: edit.range.end.line]) + edit.range.end.character
    assert old[:start] + edit.new_text + old[end:] == new


def test_the_outline_as_json_is_what_pygls_would_send() -> None:
    """symbols_json skips pygls's converter (seconds for a large outline): same JSON."""
    from lsprotocol import types
    from pygls.protocol import default_converter

    from planc.lsp.features import symbols, symbols_json

    converter = default_converter()
    files = sorted((Path(__file__).resolve().parents[1] / "plans").rglob("*.yaml"))
    assert files
    for file in files:
        text = file.read_text(encoding="utf-8")
        expected = converter.unstructure(symbols(text), list[types.DocumentSymbol])
        assert symbols_json(text) == expected, file


def _edits(text: str, rng: random.Random) -> Iterator[str]:
    """Edits as one makes them in a region file: a digit, a comment, a blank line, a team
    renamed, copied or removed, a line deleted (half-typed YAML), something added at the end."""
    lines = text.split("\n")
    teams = [i for i, line in enumerate(lines) if line.startswith("    - id: ")]
    for _ in range(8):
        kind = rng.randrange(7)
        at = rng.randrange(len(lines))
        if kind == 0:
            digits = [i for i, line in enumerate(lines) if "months: [" in line]
            i = rng.choice(digits)
            column = lines[i].index("[") + 1
            lines[i] = lines[i][:column] + str(rng.randrange(1, 10)) + lines[i][column + 1 :]
        elif kind == 1:
            lines.insert(at, " " * rng.choice([0, 6, 8]) + "# a note")
        elif kind == 2:
            lines.insert(at, "")
        elif kind == 3 and teams:
            i = rng.choice(teams)
            lines[i] = lines[i] + "x"
        elif kind == 4 and len(teams) > 1:
            first, second = sorted(rng.sample(teams, 2))
            end = next((t for t in teams if t > first), len(lines))
            lines[second:second] = lines[first:end]
        elif kind == 5 and len(teams) > 1:
            first = rng.choice(teams[:-1])
            end = next(t for t in teams if t > first)
            del lines[first:end]
        else:
            del lines[at]
        teams = [i for i, line in enumerate(lines) if line.startswith("    - id: ")]
        yield "\n".join(lines)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_outline_by_teams_is_the_outline_of_the_whole_file(
    tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from planc.core.chunks import split_region
    from planc.lsp import outline
    from planc.lsp.features import symbols_json

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "plan"
    subprocess.run(
        [sys.executable, str(root / "bench" / "generate.py"), "120", str(out), "--seed",
         str(seed), "--errors", "4"],
        check=True, capture_output=True,
    )  # fmt: skip
    files = [*sorted((out / "regions").glob("*.yaml")), *(root / "plans").rglob("*.yaml")]
    rng = random.Random(seed)
    by_teams = 0
    for file in files:
        text = file.read_text(encoding="utf-8")
        for edited in [text, *(_edits(text, rng) if "regions" in file.parts[-2:] else [])]:
            assert outline.outline_json(edited) == symbols_json(edited)
            by_teams += split_region(edited.encode()) is not None
    assert by_teams > 10  # the team by team path was taken, not only the whole file's
    # an edit inside one team composes that team again, not the file
    region = files[0].read_text(encoding="utf-8")
    outline.outline_json(region)
    composed: list[int] = []
    real = outline.compose_nodes

    def counting(data: bytes) -> Any:
        composed.append(len(data))
        return real(data)

    monkeypatch.setattr(outline, "compose_nodes", counting)
    at = region.index("months: [", len(region) // 2) + len("months: [")
    edited = region[:at] + ("1" if region[at] != "1" else "2") + region[at + 1 :]
    assert outline.outline_json(edited) == symbols_json(edited)
    assert len(composed) == 1 and composed[0] < len(region) // 5


@pytest.mark.parametrize("seed", [3])
def test_the_path_under_the_cursor_by_its_team_is_the_whole_file_s(
    tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hover and code actions compose only the cursor's team of a region file: the path
    (and the node at a path) is the whole buffer's, on generated plans and random edits
    (half-typed YAML among them), at every line and at random columns."""
    from planc.core.chunks import split_region
    from planc.lsp import teamtree
    from planc.lsp.text import Point, compose, node_at_path, path_at

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "plan"
    subprocess.run(
        [sys.executable, str(root / "bench" / "generate.py"), "60", str(out), "--seed",
         str(seed), "--errors", "4"],
        check=True, capture_output=True,
    )  # fmt: skip
    files = [*sorted((out / "regions").glob("*.yaml")), *(root / "plans").rglob("*.yaml")]
    rng = random.Random(seed)
    by_teams = 0
    for file in files:
        text = file.read_text(encoding="utf-8")
        for edited in [text, *(_edits(text, rng) if "regions" in file.parts[-2:] else [])]:
            whole = compose(edited)
            lines = edited.split("\n")
            for line, line_text in enumerate(lines):
                for col in {0, len(line_text) // 2, rng.randrange(90)}:
                    point = Point(line, col)
                    found = teamtree.path_under(edited, point)
                    assert found == path_at(whole, point), (file, line, col)
                    if found[0][:2] == ("region", "teams") and len(found[0]) > 2:
                        node = teamtree.node_under(edited, found[0])
                        assert _same_node(node, node_at_path(whole, found[0]))
            by_teams += split_region(edited.encode()) is not None
    assert by_teams > 10  # the team by team path was taken, not only the whole file's
    # a cursor in one team of a region file composes that team, not the file
    region = files[0].read_text(encoding="utf-8")
    at = region.index("months: [", len(region) // 2) + len("months: [")
    edited = region[:at] + ("1" if region[at] != "1" else "2") + region[at + 1 :]
    teamtree.path_under(region, Point(region.count("\n", 0, at), 3))  # every team known
    composed: list[int] = []
    real = teamtree.compose_nodes

    def counting(data: bytes) -> Any:
        composed.append(len(data))
        return real(data)

    monkeypatch.setattr(teamtree, "compose_nodes", counting)
    path, _ = teamtree.path_under(
        edited, Point(edited.count("\n", 0, at), at - edited.rfind("\n", 0, at) - 1)
    )
    assert path[:2] == ("region", "teams") and path[-2] == "months"
    assert len(composed) == 2 and max(composed) < len(region) // 5  # the edited team, twice:
    # once to know it composes, once for its tree


def _same_node(a: Any, b: Any) -> bool:
    """Two nodes of two trees of the same text: the same place and the same value."""
    if a is None or b is None:
        return a is b
    return (
        type(a) is type(b)
        and (a.start_mark.line, a.start_mark.column, a.end_mark.line, a.end_mark.column)
        == (b.start_mark.line, b.start_mark.column, b.end_mark.line, b.end_mark.column)
        and a.tag == b.tag
        and (a.value == b.value if isinstance(a.value, str) else len(a.value) == len(b.value))
    )
