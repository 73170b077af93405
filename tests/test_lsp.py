"""``planc lsp`` driven as an editor drives it: a real server process over stdio.

Every test starts ``planc lsp`` on a copy of the example quarter
(``plans/2027-Q1``), opens files, edits them and asks what an editor asks.
Deadlines are generous (a busy two-core machine): they catch a hang, they are
not a benchmark (that is ``bench/lsp.py``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls", reason="planc lsp needs the lsp extra")

from lspclient import LspClient

REPO = Path(__file__).resolve().parents[1]
QUARTER = "2027-Q1"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A repository layout: plans/<quarter>/ and the schema the modelines point at."""
    shutil.copytree(REPO / "plans" / QUARTER, tmp_path / "plans" / QUARTER)
    shutil.copytree(REPO / "schema", tmp_path / "schema")
    return tmp_path


@pytest.fixture
def plan(workspace: Path) -> Path:
    return workspace / "plans" / QUARTER


@pytest.fixture
def client(workspace: Path) -> Iterator[LspClient]:
    server = LspClient(workspace)
    yield server
    assert server.shutdown() == 0, b"".join(server.stderr).decode(errors="replace")


def codes(diagnostics: list[dict[str, Any]]) -> list[str]:
    return [d["code"] for d in diagnostics]


def position_of(text: str, needle: str, offset: int = 0) -> tuple[int, int]:
    """(line, UTF-16 column) of the first ``needle`` in ``text`` (plus ``offset`` characters)."""
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    start = text.rfind("\n", 0, index) + 1
    return line, len(text[start:index].encode("utf-16-le")) // 2


def apply_edits(text: str, edits: list[dict[str, Any]]) -> str:
    """Apply LSP text edits (UTF-16 positions), last first, as an editor does."""
    lines = text.split("\n")

    def offset(position: dict[str, int]) -> int:
        before = sum(len(line) + 1 for line in lines[: position["line"]])
        line = lines[position["line"]] if position["line"] < len(lines) else ""
        units = 0
        for index, char in enumerate(line):
            if units >= position["character"]:
                return before + index
            units += 2 if ord(char) > 0xFFFF else 1
        return before + len(line)

    ordered = sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True)
    for edit in ordered:
        start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
    return text


def test_a_team_that_stops_reconciling_is_reported_where_its_number_is(
    client: LspClient, plan: Path
) -> None:
    east = plan / "regions" / "east.yaml"
    uri = client.open(east)
    assert client.diagnostics(uri) == []  # the example plan is clean

    text = east.read_text(encoding="utf-8")
    line, col = position_of(text, "value: 17340000", len("value: "))
    mark = client.mark()
    client.change(uri, "27340000", (line, col), (line, col + len("17340000")))
    found = client.diagnostics(uri, after=mark)
    team = [d for d in found if d["code"] == "PLC301" and d["range"]["start"]["line"] == line]
    assert len(team) == 1, found
    assert team[0]["range"] == {
        "start": {"line": line, "character": col},
        "end": {"line": line, "character": col + len("27340000")},
    }
    assert team[0]["severity"] == 1 and team[0]["source"] == "planc"
    assert "team east-ka revenue: reps add up to" in team[0]["message"]
    assert "under-assigned" in team[0]["message"] and "\nhint: " in team[0]["message"]

    hover = client.request("textDocument/hover", client.at(uri, line, col + 2))
    shown = hover["contents"]["value"]
    assert "**team east-ka · revenue**" in shown
    assert "reps add up to" in shown and "outside the policy's 100.0% to 120.0%" in shown
    assert "months: 5,380,000 + 3,590,000 + 8,370,000 = 17,340,000" in shown
    assert "approved by zhou-min (周敏) (region owner of east)" in shown

    mark = client.mark()
    client.change(uri, "17340000", (line, col), (line, col + len("27340000")))
    assert client.diagnostics(uri, after=mark) == []


def test_months_fix_clears_the_diagnostic(client: LspClient, plan: Path) -> None:
    east = plan / "regions" / "east.yaml"
    uri = client.open(east)
    client.diagnostics(uri)
    text = east.read_text(encoding="utf-8").replace(
        "months: [960000, 630000, 1320000]", "months: [960000, 630000, 1330000]", 1
    )
    mark = client.mark()
    client.change(uri, text)
    found = client.diagnostics(uri, after=mark)
    assert codes(found) == ["PLC303"], found
    line, col = position_of(text, "[960000, 630000, 1330000]")
    assert found[0]["range"]["start"] == {"line": line, "character": col}

    actions = client.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": uri},
            "range": found[0]["range"],
            "context": {"diagnostics": found},
        },
    )
    assert [a["title"] for a in actions] == ["Make the months add up: last month 1330000 → 1320000"]
    fixed = apply_edits(text, actions[0]["edit"]["changes"][uri])
    assert "months: [960000, 630000, 1320000]" in fixed
    mark = client.mark()
    client.change(uri, fixed)
    assert client.diagnostics(uri, after=mark) == []
