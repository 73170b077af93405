"""Round-trip edits keep every byte outside the changed values: comments, order, layout."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO
from planc.allocate.emit import dump
from planc.allocate.yamledit import EditError, YamlDocument, flow_text
from planc.core.loader import load_source
from planc.core.source import SourceFile

EAST = REPO / "plans" / "2027-Q1" / "regions" / "east.yaml"


def _value_paths(text: str) -> list[tuple[tuple[str | int, ...], int, int, str]]:
    """(path, line, col, text) of every target's ``value`` scalar in a region file."""
    data = yaml.safe_load(text)
    document = YamlDocument(text)
    found = []
    region = data["region"]
    candidates: list[tuple[str | int, ...]] = [
        ("region", "targets", m, "value") for m in region.get("targets", {})
    ]
    for t, team in enumerate(region.get("teams", [])):
        candidates += [
            ("region", "teams", t, "targets", m, "value") for m in team.get("targets", {})
        ]
        for r, seat in enumerate(team.get("reps", [])):
            candidates += [
                ("region", "teams", t, "reps", r, "targets", m, "value")
                for m in seat.get("targets", {})
            ]
    for path in candidates:
        node = document.node(path)
        assert node is not None
        found.append((path, node.start_mark.line, node.start_mark.column, node.value))
    return found


EAST_VALUES = _value_paths(EAST.read_text(encoding="utf-8"))
NEW_NUMBERS = st.one_of(
    st.integers(min_value=0, max_value=10**10).map(Decimal),
    st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
)


class TestInPlaceEdits:
    """Replacing values changes those characters and nothing else."""

    def test_setting_a_value_to_itself_changes_no_byte(self) -> None:
        text = EAST.read_text(encoding="utf-8")
        document = YamlDocument(text)
        for path, _, _, old in EAST_VALUES:
            document.set(path, Decimal(old))
        assert not document.changed
        assert document.render() == text

    @settings(max_examples=60, deadline=None)
    @given(
        picks=st.lists(
            st.tuples(st.integers(min_value=0, max_value=len(EAST_VALUES) - 1), NEW_NUMBERS),
            min_size=1,
            max_size=15,
            unique_by=lambda pick: pick[0],
        )
    )
    def test_random_value_edits_keep_everything_else_byte_for_byte(
        self, picks: list[tuple[int, Decimal]]
    ) -> None:
        text = EAST.read_text(encoding="utf-8")
        document = YamlDocument(text)
        edits = {}
        for index, number in picks:
            path, line, col, old = EAST_VALUES[index]
            document.set(path, number)
            edits[line] = (col, old, flow_text(number))
        result = document.render()
        old_lines, new_lines = text.split("\n"), result.split("\n")
        assert len(old_lines) == len(new_lines)
        for number, (before, after) in enumerate(zip(old_lines, new_lines, strict=True)):
            if number not in edits:
                assert before == after
                continue
            col, old, new = edits[number]
            assert before[:col] == after[:col]
            assert before[col + len(old) :] == after[col + len(new) :]
            assert after[col : col + len(new)] == new
        reread = yaml.safe_load(result)
        for index, number in picks:
            path = EAST_VALUES[index][0]
            node = reread
            for part in path:
                node = node[part]
            assert Decimal(str(node)) == number

    def test_block_list_keeps_its_layout_and_comments(self) -> None:
        text = "months:  # by month\n  - 1   # jan\n  - 2\n  - 3\nnext: 4\n"
        document = YamlDocument(text)
        document.set(("months",), [Decimal(5), Decimal(6), Decimal(7)])
        assert document.render() == "months:  # by month\n  - 5   # jan\n  - 6\n  - 7\nnext: 4\n"

    def test_a_list_of_another_length_becomes_a_flow_list(self) -> None:
        text = "a:\n  months:\n    - 1\n    - 2\n  b: 3  # kept\n"
        document = YamlDocument(text)
        document.set(("a", "months"), [Decimal(1), Decimal(1), Decimal(1)])
        assert document.render() == "a:\n  months: [1, 1, 1]\n  b: 3  # kept\n"


class TestInsertions:
    """New keys go where a person would write them, in the file's own style."""

    def test_into_a_flow_mapping(self) -> None:
        document = YamlDocument("targets:\n  revenue: {value: 5}   # note\n")
        document.set(("targets", "revenue", "months"), [Decimal(1), Decimal(2), Decimal(2)])
        assert document.render() == "targets:\n  revenue: {value: 5, months: [1, 2, 2]}   # note\n"

    def test_into_a_block_mapping_after_its_last_line(self) -> None:
        text = "reps:\n- rep: a\n  targets:\n    revenue:\n      value: 5  # c\n\n  # next rep\n- rep: b\n"
        document = YamlDocument(text)
        document.set(("reps", 0, "targets", "revenue", "months"), [Decimal(5)])
        document.set(("reps", 1, "targets", "revenue", "value"), Decimal(7))
        assert document.render() == (
            "reps:\n- rep: a\n  targets:\n    revenue:\n      value: 5  # c\n      months: [5]\n"
            "\n  # next rep\n- rep: b\n  targets: {revenue: {value: 7}}\n"
        )

    def test_windows_line_ends_and_a_byte_order_mark_are_kept(self) -> None:
        text = "\ufeffa:\r\n  b: 1\r\n"
        document = YamlDocument(text)
        document.set(("a", "c"), Decimal(2))
        document.set(("a", "b"), Decimal(3))
        assert document.render() == "\ufeffa:\r\n  b: 3\r\n  c: 2\r\n"

    def test_positions_count_characters_not_bytes(self) -> None:
        # libyaml's marks count characters (a CJK or astral one is 1, as in Python's str).
        text = '# 李娜 😀\r\nname: "王 😀"\r\nt:\r\n  r: {value: 100, note: 费用😀}\r\n  c:\r\nx: ~\r\n'
        document = YamlDocument("\ufeff" + text)
        document.set(("t", "r", "value"), Decimal(250))
        document.set(("t", "c"), {"value": Decimal("4.5")})
        document.set(("x",), "y")
        assert document.render() == "\ufeff" + text.replace("100", "250").replace(
            "  c:\r\n", "  c: {value: 4.5}\r\n"
        ).replace("x: ~", 'x: "y"')

    def test_overlapping_edits_are_refused(self) -> None:
        document = YamlDocument("a:\n  - 1\n  - 2\nb: 1\n")
        document.set(("a",), [Decimal(1), Decimal(2), Decimal(3)])
        document.set(("a", 0), Decimal(9))
        with pytest.raises(EditError, match="overlap"):
            document.render()

    def test_not_a_mapping(self) -> None:
        with pytest.raises(EditError):
            YamlDocument("- 1\n- 2\n")


class TestQuoting:
    """Text planc writes reads back as the same text, never as a boolean, number or date."""

    @pytest.mark.parametrize(
        "text",
        ["no", "Yes", "on", "010", "1e6", "1,000", "2027-Q2", "a: b", "x #y", "", " pad", "é"],
    )
    def test_traps_are_quoted(self, text: str) -> None:
        loaded = load_source(SourceFile("t.yaml", f"k: {flow_text(text)}\n".encode()))
        assert loaded.data == {"k": text}, loaded.diagnostics

    @settings(max_examples=200, deadline=None)
    @given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30))
    def test_any_text_round_trips_through_the_emitter(self, text: str) -> None:
        written = dump(
            {"name": text, "nested": {"k": text}, "list": [{"a": text, "b": Decimal("4.5")}]}
        )
        loaded = load_source(SourceFile("t.yaml", written.encode("utf-8")))
        assert not [d for d in loaded.diagnostics if d.severity.value == "error"], written
        assert loaded.data == {
            "name": text,
            "nested": {"k": text},
            "list": [{"a": text, "b": Decimal("4.5")}],
        }


def test_example_files_compose(tmp_path: Path) -> None:
    for path in sorted((REPO / "plans" / "2027-Q1").rglob("*.yaml")):
        assert YamlDocument(path.read_text(encoding="utf-8")).render() == path.read_text(
            encoding="utf-8"
        )
    assert tmp_path.is_dir()
