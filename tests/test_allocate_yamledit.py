"""YamlDocument composes a region file only up to the end of its teams: every node of
``region:`` must be the node the whole file gives (same kind, value, style and marks),
so the splices, and the files planc allocate writes, are the same byte for byte."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from conftest import REPO
from planc.allocate import yamledit
from planc.allocate.composing import Recorder, compose_aside
from planc.allocate.rewrite import _edited
from planc.allocate.yamledit import YamlDocument, edited_values
from planc.core import chunks
from planc.core.loader import load_source
from planc.core.source import SourceFile

_EXAMPLE_FILES = sorted((REPO / "plans").rglob("*.yaml")) + sorted(
    (REPO / "tests" / "fixtures").rglob("*.yaml")
)

_TEAM = """\
    - id: t{n}
      name: Team {n}
      owner: o{n}
      targets:
        revenue: {{value: 100, months: [30, 30, 40]}}
      reps:
        - rep: a{n}
          targets:
            revenue:
              value: 60
              months: [20, 20, 20]
"""

# endings of the last team that could reach into what follows it
_ENDINGS = {
    "plain": "",
    "comment-at-column-0": "# a note between the teams and the people\n",
    "blank-lines": "\n\n",
    "indented-comment": "      # the last rep's note\n",
    "block-scalar": "          note: |\n            first line\n            second line\n",
    "folded-scalar": "          note: >-\n            one\n            two\n\n",
    "multi-line-plain": "          note: a plain text\n            that goes on\n",
    "multi-line-quoted": '          note: "a quoted text\n            that goes on"\n',
    "flow-over-lines": "          tags: [a,\n            b]\n",
    "no-newline-before-tail-comment": "          note: x # trailing\n",
}


def _region_text(ending: str, tail: str = "people:\n  - {id: a1, name: A}\n") -> str:
    teams = "".join(_TEAM.format(n=n) for n in range(3))
    head = "kind: region\nregion:\n  id: north\n  targets:\n    revenue: {value: 300}\n"
    return head + "  teams:\n" + teams + ending + tail


def _same(a: Node, b: Node, where: str) -> None:
    assert type(a) is type(b), where
    assert (a.tag, a.start_mark.index, a.start_mark.line, a.start_mark.column) == (
        b.tag,
        b.start_mark.index,
        b.start_mark.line,
        b.start_mark.column,
    ), where
    if isinstance(a, ScalarNode) or getattr(a, "flow_style", False):
        # what the splices read: a scalar's or a flow collection's end (a block
        # collection's end is never read: its last leaf's is)
        assert (a.end_mark.index, a.end_mark.line, a.end_mark.column) == (
            b.end_mark.index,
            b.end_mark.line,
            b.end_mark.column,
        ), where
    if isinstance(a, ScalarNode):
        assert (a.value, a.style) == (b.value, b.style), where
        return
    assert getattr(a, "flow_style", None) == getattr(b, "flow_style", None), where
    assert len(a.value) == len(b.value), where
    if isinstance(a, MappingNode):
        for (ka, va), (kb, vb) in zip(a.value, b.value, strict=True):
            _same(ka, kb, f"{where}/{getattr(ka, 'value', '?')}:key")
            _same(va, vb, f"{where}/{getattr(ka, 'value', '?')}")
    elif isinstance(a, SequenceNode):
        for i, (ia, ib) in enumerate(zip(a.value, b.value, strict=True)):
            _same(ia, ib, f"{where}/{i}")


def _compare(text: str) -> bool:
    """Whether the text was composed in part; asserts the region's nodes are the same."""
    part = YamlDocument(text)
    whole = YamlDocument(text, whole=True)
    in_part = not part._whole
    region_part = part.node(["region"])
    region_whole = whole.node(["region"])
    assert part._whole is not in_part  # reading region: composes no more
    assert region_part is not None and region_whole is not None
    _same(region_part, region_whole, "region")
    return in_part


@pytest.mark.parametrize("ending", sorted(_ENDINGS))
def test_a_region_composed_in_part_is_the_region_composed_whole(ending: str) -> None:
    text = _region_text(_ENDINGS[ending])
    assert chunks.split_region(text.encode()) is not None
    assert _compare(text)  # composed in part, and the same nodes


def test_the_repository_plans_and_a_generated_plan(tmp_path: Path) -> None:
    out = tmp_path / "2027-Q1"
    generate = REPO / "bench" / "generate.py"
    subprocess.run([sys.executable, str(generate), "600", str(out)], check=True)
    files = [*_EXAMPLE_FILES, *sorted(out.rglob("*.yaml"))]
    composed_in_part = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        try:
            whole = YamlDocument(text, whole=True)
        except yamledit.EditError:
            continue  # not a mapping, or not YAML: nothing to edit either way
        if whole.node(["region"]) is None:
            continue
        composed_in_part += _compare(text)
    assert composed_in_part >= 4  # the example's region files and the generated ones


def test_a_path_outside_the_region_composes_the_whole_file() -> None:
    text = _region_text("")
    document = YamlDocument(text)
    assert not document._whole
    document.set(("region", "teams", 0, "targets", "revenue", "value"), 110)
    document.set(("people", 0, "name"), "Ann")  # in the tail
    assert document._whole
    expected = YamlDocument(text, whole=True)
    expected.set(("region", "teams", 0, "targets", "revenue", "value"), 110)
    expected.set(("people", 0, "name"), "Ann")
    assert document.render() == expected.render()
    assert "value: 110," in document.render() and "name: Ann}" in document.render()


def test_a_second_region_key_in_the_tail_keeps_the_file_whole() -> None:
    text = _region_text("", tail="people: []\nregion:\n  id: other\n")
    assert YamlDocument(text)._whole


def test_bad_yaml_in_the_tail_is_reported_when_the_tail_is_read() -> None:
    text = _region_text("", tail="people: [\n")
    document = YamlDocument(text)
    document.set(("region", "targets", "revenue", "value"), 301)
    assert "{value: 301}" in document.render()
    with pytest.raises(yamledit.EditError):
        document.node(["people"])


# --- composed in a forked child (planc.allocate.composing) ------------------------------

_EDITS: list[tuple[tuple[str | int, ...], Any]] = [
    (("region", "teams", 0, "targets", "revenue", "value"), Decimal(110)),
    (("region", "teams", 1, "reps", 0, "targets", "revenue", "months"), [Decimal(1)] * 3),
    (("region", "teams", 2, "targets", "new_customers"), {"value": Decimal(4)}),
    (("people", 0, "name"), "Ann Lee"),  # in the tail: the child composes the whole file
]


def _here(text: str, edits: list[tuple[tuple[str | int, ...], Any]]) -> tuple[bool, str]:
    document = YamlDocument(text)
    for path, value in edits:
        document.set(path, value)
    return document.changed, document.render()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
@pytest.mark.parametrize("count", [0, 1, 3, 4])
def test_the_child_edits_as_this_process_does(monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    monkeypatch.setenv("PLANC_WORKERS", "2")
    text = _region_text("")
    composing = compose_aside("north.yaml", text.encode("utf-8"))
    assert composing is not None
    edits = _EDITS[:count]
    assert composing.finish(edits) == _here(text, edits)
    assert composing.finish(edits) is None  # once
    with pytest.raises(ChildProcessError):
        os.waitpid(composing.pid, os.WNOHANG)  # reaped


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_an_edit_the_child_cannot_make_is_made_here_and_fails_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PLANC_WORKERS", "2")
    text = _region_text("")
    bad = [(("region", "teams", 0, "reps", 7, "targets"), {"value": Decimal(1)})]
    composing = compose_aside("north.yaml", text.encode("utf-8"))
    assert composing is not None
    assert composing.finish(bad) is None
    with pytest.raises(yamledit.EditError):
        _here(text, bad)
    # rewrite._edited falls back to editing here: the same error reaches the caller
    recorder = Recorder(list(bad))
    again = compose_aside("north.yaml", text.encode("utf-8"))
    with pytest.raises(yamledit.EditError):
        _edited(SourceFile("north.yaml", text.encode("utf-8")), recorder, again)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open fds in /proc")
def test_a_fork_that_fails_composes_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """fork() can fail (EAGAIN, ENOMEM): no child, as on one CPU (None: the file is edited
    here), and the pipes made for the child are closed (no OSError)."""
    import errno

    def no_fork() -> int:
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setenv("PLANC_WORKERS", "2")
    monkeypatch.setattr(os, "fork", no_fork)
    before = len(os.listdir("/proc/self/fd"))
    assert compose_aside("north.yaml", _region_text("").encode("utf-8")) is None
    assert len(os.listdir("/proc/self/fd")) == before


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_child_left_without_edits_is_stopped_and_reaped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PLANC_WORKERS", "2")
    composing = compose_aside("north.yaml", _region_text("").encode("utf-8"))
    assert composing is not None
    composing.close()
    composing.close()  # once is enough
    with pytest.raises(ChildProcessError):
        os.waitpid(composing.pid, os.WNOHANG)
    assert composing.finish(_EDITS) is None


def test_one_cpu_composes_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANC_WORKERS", "1")
    assert compose_aside("north.yaml", b"region: {}\n") is None


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here")
def test_a_child_that_dies_leaves_the_edits_to_this_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PLANC_WORKERS", "2")
    text = _region_text("")
    composing = compose_aside("north.yaml", text.encode("utf-8"))
    assert composing is not None
    os.kill(composing.pid, signal.SIGKILL)
    edits = _EDITS[:3]
    source = SourceFile("north.yaml", text.encode("utf-8"))
    assert _edited(source, Recorder(list(edits)), composing)[:2] == _here(text, edits)
    with pytest.raises(ChildProcessError):
        os.waitpid(composing.pid, os.WNOHANG)


# --- numbers rewritten in place: the edited text reads as edited_values says ----------

_TARGET = ("region", "teams", 0, "targets", "revenue")
_MONTHS = ("region", "teams", 1, "reps", 0, "targets", "revenue", "months")
_IN_PLACE: dict[str, list[tuple[tuple[str | int, ...], Any]]] = {
    "an integer": [((*_TARGET, "value"), Decimal(110))],
    "a decimal": [((*_TARGET, "value"), Decimal("110.25"))],
    "a negative number": [((*_TARGET, "value"), Decimal(-5))],
    "an integral decimal": [((*_TARGET, "value"), Decimal("110.000"))],
    "a flow list": [(_MONTHS, [Decimal(1), Decimal("2.5"), Decimal(3)])],
    "a flow mapping": [(("region", "targets", "revenue"), {"value": Decimal(310)})],
    "many": [((*_TARGET, "value"), Decimal(7)), (_MONTHS, [Decimal(2)] * 3)],
}
_NOT_IN_PLACE: dict[str, list[tuple[tuple[str | int, ...], Any]]] = {
    "a key added": [(("region", "teams", 2, "targets", "new_customers"), {"value": Decimal(4)})],
    "a text": [(("people", 0, "name"), "Ann Lee")],
    "a list in a flow mapping": [(_TARGET, {"value": Decimal(9), "months": [Decimal(3)] * 3})],
    "a list for a number": [((*_TARGET, "value"), [Decimal(1)])],
}


# without it the load warns (PLC012), and a file with any diagnostic is loaded again
_HEADER = "# yaml-language-server: $schema=../../schema/plan.schema.json\n"


def _loaded(text: str, fast: bool) -> Any:
    result = load_source(SourceFile("north.yaml", text.encode("utf-8")), fast=fast)
    assert not result.diagnostics and not result.traps
    return result.data


@pytest.mark.parametrize("fast", [True, False], ids=["yaml_rs", "libyaml"])
@pytest.mark.parametrize("case", sorted(_IN_PLACE))
def test_numbers_rewritten_in_place_read_as_the_edited_values(case: str, fast: bool) -> None:
    """The edited file is checked from edited_values (planc.allocate.rewrite): they must be
    what loading the written text gives, types and key order included (``repr``)."""
    text = _HEADER + _region_text("")
    document = YamlDocument(text)
    for path, value in _IN_PLACE[case]:
        document.set(path, value)
    assert document.changed and document.numbers_only
    edited = edited_values(_loaded(text, fast), _IN_PLACE[case])
    assert repr(edited) == repr(_loaded(document.render(), fast))


@pytest.mark.parametrize("case", sorted(_NOT_IN_PLACE))
def test_an_edit_that_writes_more_than_numbers_is_not_in_place(case: str) -> None:
    document = YamlDocument(_region_text(""))
    for path, value in _NOT_IN_PLACE[case]:
        document.set(path, value)
    assert document.changed and not document.numbers_only


def test_numbers_in_place_need_numbers_on_both_sides() -> None:
    """What was there must be a number too: a text or a null replaced by one is not."""
    text = _HEADER + _region_text("").replace("value: 60", "value: sixty")
    document = YamlDocument(text)
    document.set(("region", "teams", 0, "reps", 0, "targets", "revenue", "value"), Decimal(60))
    assert document.changed and not document.numbers_only
    unchanged = YamlDocument(text)
    unchanged.set((*_TARGET, "value"), Decimal(100))  # the same text: no splice at all
    assert not unchanged.changed and unchanged.numbers_only


def test_edited_values_leave_the_loaded_values_as_they_were() -> None:
    values = _loaded(_HEADER + _region_text(""), True)
    before = repr(values)
    edited = edited_values(values, _IN_PLACE["many"])
    assert repr(values) == before
    assert edited["people"] is values["people"]  # what no edit reaches is shared
    assert edited["region"]["teams"][2] is values["region"]["teams"][2]


def test_edited_values_refuse_a_number_beyond_planc_s_bounds() -> None:
    """The load would report it (PLC0xx, with its position): the file is loaded instead."""
    values = _loaded(_HEADER + _region_text(""), True)
    with pytest.raises(yamledit.EditError):
        edited_values(values, [((*_TARGET, "value"), Decimal(10) ** 40)])
