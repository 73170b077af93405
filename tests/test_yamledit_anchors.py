"""Edits never go through a YAML anchor or alias: refused with the place, nothing written.

An alias (``*name``) composes to the anchored node itself, marks and all, so an edit of
the aliased key used to splice at the anchor: it changed another key's value, dropped the
anchor (the file then failed to load), and two such edits ended in an internal error
("two edits overlap"). planc cannot tell which of the places the user meant to change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO
from planc.allocate.yamledit import EditError, YamlDocument
from planc.cli import cli
from test_update import ANN_LOGOS, edit, export, plan_copy, run

SHARED = """\
a:
  x: &n 100
  y: *n
  z: 7
list:
  - &m 1
  - *m
  - 3
block: &b
  k: 1
alias_of_block: *b
tagged: !!int 5
"""


def _refusal(path: list[str | int]) -> EditError:
    with pytest.raises(EditError) as caught:
        YamlDocument(SHARED, whole=True).set(path, 5)
    return caught.value


@pytest.mark.parametrize(
    ("path", "line", "column", "words"),
    [
        (["a", "x"], 2, 6, "anchor (&n)"),  # the anchored value: aliases share it
        (["a", "y"], 3, 6, "alias (*name)"),  # the alias: points at its star
        (["list", 0], 6, 5, "anchor (&m)"),
        (["list", 1], 7, 5, "alias (*name)"),  # an item aliasing the one before it
        (["block", "k"], 9, 8, "anchor (&b)"),  # an anchored mapping on the way
        (["alias_of_block", "k"], 11, 17, "alias (*name)"),
    ],
)
def test_an_edit_through_an_anchor_or_alias_is_refused_with_its_place(
    path: list[str | int], line: int, column: int, words: str
) -> None:
    error = _refusal(path)
    assert (error.line, error.column) == (line, column)
    assert words in str(error)
    assert error.located("east.yaml").startswith(f"east.yaml:{line}:{column}: ")


def test_values_beside_an_anchor_are_still_edited() -> None:
    document = YamlDocument(SHARED, whole=True)
    document.set(["a", "z"], 8)
    document.set(["list", 2], 4)
    document.set(["tagged"], 6)  # a tag without an anchor is no sharing
    assert document.render() == (
        SHARED.replace("z: 7", "z: 8").replace("  - 3", "  - 4").replace("!!int 5", "6")
    )


def test_a_sequence_edited_item_by_item_refuses_an_alias_item() -> None:
    document = YamlDocument("m: &m 1\nmonths:\n  - *m\n  - 2\n", whole=True)
    with pytest.raises(EditError, match=r"alias \(\*name\)"):
        document.set(["months"], [3, 4])


def _place(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of ``needle``'s first character in ``text``."""
    at = text.index(needle)
    return text.count("\n", 0, at) + 1, at - text.rindex("\n", 0, at)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("cache", [True, False])
def test_allocate_refuses_a_target_written_through_an_anchor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: bool
) -> None:
    plan = tmp_path / "plan"
    shutil.copytree(REPO / "plans" / "2027-Q1", plan)
    east = plan / "regions" / "east.yaml"
    text = east.read_text(encoding="utf-8")
    shared = text.replace(
        "sales_expense: {value: 79000,", "sales_expense: {value: &s 79000,", 1
    ).replace("sales_expense: {value: 55000,", "sales_expense: {value: *s,", 1)
    assert shared.count("&s") == 1 and shared.count("*s") == 1
    east.write_text(shared, encoding="utf-8")
    before = _files(plan)
    monkeypatch.chdir(plan)
    args = ["allocate", ".", "--node", "east-ka", "--metric", "sales_expense"]
    args += ["--method", "even", "--write", *([] if cache else ["--no-cache"])]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    line, column = _place(shared, "&s")
    assert f"regions/east.yaml:{line}:{column}: this value has an anchor (&s)" in result.stderr
    assert "internal error" not in result.output
    assert _files(plan) == before


def test_import_update_refuses_a_target_written_through_an_anchor(tmp_path: Path) -> None:
    root = plan_copy(tmp_path)
    north = root / "plans" / "2027-Q1" / "regions" / "north.yaml"
    text = north.read_text(encoding="utf-8")
    assert "new_customers: {value: 5}" in text  # ann's, as test_update edits it
    north.write_text(text.replace("new_customers: {value: 5}", "new_customers: {value: &n 5}", 1))
    workbook = edit(export(root), {ANN_LOGOS: 6})
    before = _files(root)
    code, out, err = run("import", "--update", workbook.name, cwd=root)
    assert code == 2, out + err
    anchored = north.read_text(encoding="utf-8")
    line, column = _place(anchored, "&n")
    place = f"plans/2027-Q1/regions/north.yaml:{line}:{column}"
    assert f"cannot edit the plan files in place: {place}: this value has an anchor (&n)" in err
    assert _files(root) == before
