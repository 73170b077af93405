"""``planc lsp`` driven as an editor drives it: a real server process over stdio.

Every test starts ``planc lsp`` on a copy of the example quarter
(``plans/2027-Q1``), opens files, edits them and asks what an editor asks.
Deadlines are generous (a busy two-core machine): they catch a hang, they are
not a benchmark (that is ``bench/lsp.py``).
"""

from __future__ import annotations

import shutil
import threading
import time
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
    found = client.diagnostics(uri, after=mark, version=client.versions[uri])
    team = [d for d in found if d["code"] == "PLC301" and d["range"]["start"]["line"] == line]
    assert len(team) == 1, found
    assert team[0]["range"] == {
        "start": {"line": line, "character": col},
        "end": {"line": line, "character": col + len("27340000")},
    }
    assert team[0]["severity"] == 1 and team[0]["source"] == "planc"
    message = team[0]["message"]
    assert message.startswith(
        "team 华东汽车及装备大客户部 (east-ka) · 销售收入: reps add up to 18,210,000"
    )
    assert "under-assigned, short by 9,130,000" in message and "\nhint: " in message

    hover = client.request("textDocument/hover", client.at(uri, line, col + 2))
    shown = hover["contents"]["value"]
    assert "**team east-ka · revenue**" in shown
    assert "reps add up to" in shown and "outside the policy's 100.0% to 120.0%" in shown
    assert "months: 5,380,000 + 3,590,000 + 8,370,000 = 17,340,000" in shown
    assert "approved by zhou-min (周敏) (region owner of east)" in shown

    mark = client.mark()
    client.change(uri, "17340000", (line, col), (line, col + len("27340000")))
    assert client.diagnostics(uri, after=mark, version=client.versions[uri]) == []


def test_months_fix_clears_the_diagnostic(client: LspClient, plan: Path) -> None:
    east = plan / "regions" / "east.yaml"
    uri = client.open(east)
    client.diagnostics(uri)
    text = east.read_text(encoding="utf-8").replace(
        "months: [960000, 630000, 1320000]", "months: [960000, 630000, 1330000]", 1
    )
    mark = client.mark()
    client.change(uri, text)
    found = client.diagnostics(uri, after=mark, version=client.versions[uri])
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
    assert client.diagnostics(uri, after=mark, version=client.versions[uri]) == []


def test_an_edit_in_a_region_reports_in_the_quarter_file_and_a_record_stub_fixes_it(
    client: LspClient, plan: Path
) -> None:
    """li-ming's revenue is the subject of ADJ-001 (to: 1320000) in quarter.yaml."""
    south, quarter = plan / "regions" / "south.yaml", plan / "quarter.yaml"
    south_uri = client.open(south)
    client.diagnostics(south_uri)
    quarter_uri = client.open(quarter)
    client.diagnostics(quarter_uri)

    text = south.read_text(encoding="utf-8")
    edited = text.replace(
        "value: 1320000\n              stretch: 1520000",
        "value: 1330000\n              stretch: 1520000",
        1,
    ).replace("months: [420000, 270000, 630000]", "months: [420000, 270000, 640000]", 1)
    edited = edited.replace(
        "power-tools: 670000, service-plan: 250000}",
        "power-tools: 680000, service-plan: 250000}",
        1,
    )
    mark = client.mark()
    client.change(south_uri, edited)
    found = client.diagnostics(quarter_uri, after=mark, accept=lambda d: d != [])
    assert codes(found) == ["PLC602"], found
    quarter_text = quarter.read_text(encoding="utf-8")
    line, col = position_of(
        quarter_text,
        "{target: li-ming/revenue, from: 1370000, to: 1320000}",
        len("{target: li-ming/revenue, from: 1370000, to: "),
    )
    assert found[0]["range"]["start"] == {"line": line, "character": col}
    assert (
        "ADJ-001 sets li-ming/revenue to 1,320,000, but the plan has 1,330,000"
        in found[0]["message"]
    )

    actions = client.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": quarter_uri},
            "range": found[0]["range"],
            "context": {"diagnostics": found},
        },
    )
    assert [a["title"] for a in actions] == [
        "Add an adjustment record stub: li-ming/revenue 1320000 → 1330000"
    ]
    fixed = apply_edits(quarter_text, actions[0]["edit"]["changes"][quarter_uri])
    assert "  - id: ADJ-003\n" in fixed
    assert "      - {target: li-ming/revenue, from: 1320000, to: 1330000}\n" in fixed
    assert fixed.startswith(quarter_text[: quarter_text.index("adjustments:")])  # the rest kept
    mark = client.mark()
    client.change(quarter_uri, fixed)
    after = client.diagnostics(quarter_uri, after=mark, version=client.versions[quarter_uri])
    assert "PLC602" not in codes(after)
    assert "PLC630" in codes(after)  # a stub until its cause and note are filled in


def test_completion_offers_ids_with_names_where_an_id_is_expected(
    client: LspClient, plan: Path
) -> None:
    quarter, south = plan / "quarter.yaml", plan / "regions" / "south.yaml"
    south_uri = client.open(south)
    client.diagnostics(south_uri)
    text = south.read_text(encoding="utf-8")
    line, col = position_of(text, "owner: he-zhiming", len("owner: he"))
    answer = client.request("textDocument/completion", client.at(south_uri, line, col))
    items = {i["label"]: i for i in answer["items"]}
    assert items["he-zhiming"]["detail"].startswith("何志明")
    assert items["he-zhiming"]["textEdit"]["range"]["start"] == {"line": line, "character": col - 2}
    assert "wang-jianguo" in items and "revenue" not in items

    quarter_uri = client.open(quarter)
    client.diagnostics(quarter_uri)
    qtext = quarter.read_text(encoding="utf-8")
    line, col = position_of(qtext, "{target: li-ming/revenue", len("{target: li-ming/"))
    answer = client.request("textDocument/completion", client.at(quarter_uri, line, col))
    labels = [i["label"] for i in answer["items"]]
    assert "li-ming/revenue" in labels and "li-ming/csat" in labels
    line, col = position_of(qtext, "{target: li-ming/revenue", len("{target: li-"))
    answer = client.request("textDocument/completion", client.at(quarter_uri, line, col))
    assert "li-ming/" in [i["label"] for i in answer["items"]]
    line, col = position_of(
        qtext, "{up_to: 10, approver: region_owner}", len("{up_to: 10, approver: re")
    )
    answer = client.request("textDocument/completion", client.at(quarter_uri, line, col))
    labels = [i["label"] for i in answer["items"]]
    assert (
        labels[:3] == ["team_owner", "region_owner", "company_owner"] and "wang-jianguo" in labels
    )

    # a half-typed line: products of a split, metrics under targets
    typed = text.replace("products: {rg-cloud: 200000,", "products: {rg-cloud: 200000, sm", 1)
    client.change(south_uri, typed)
    line, col = position_of(typed, "rg-cloud: 200000, sm", len("rg-cloud: 200000, sm"))
    answer = client.request("textDocument/completion", client.at(south_uri, line, col))
    details = {i["label"]: i["detail"] for i in answer["items"]}
    assert details["smart-torque"] == "智能拧紧系统"


def test_definition_and_references_follow_ids(client: LspClient, plan: Path) -> None:
    quarter, south = plan / "quarter.yaml", plan / "regions" / "south.yaml"
    quarter_uri = client.open(quarter)
    client.diagnostics(quarter_uri)
    qtext = quarter.read_text(encoding="utf-8")
    stext = south.read_text(encoding="utf-8")

    line, col = position_of(qtext, "{target: li-ming/revenue", len("{target: li"))
    found = client.request("textDocument/definition", client.at(quarter_uri, line, col))
    assert len(found) == 1 and found[0]["uri"] == south.absolute().as_uri()
    target_line, _ = position_of(stext, "- rep: li-ming")
    assert found[0]["range"]["start"]["line"] == target_line + 3  # li-ming's revenue mapping

    line, col = position_of(qtext, "approved_by: [liang-jiaxin]", len("approved_by: [li"))
    found = client.request("textDocument/definition", client.at(quarter_uri, line, col))
    person_line, person_col = position_of(stext, "- id: liang-jiaxin", len("- id: "))
    assert found == [
        {
            "uri": south.absolute().as_uri(),
            "range": {
                "start": {"line": person_line, "character": person_col},
                "end": {"line": person_line, "character": person_col + len("liang-jiaxin")},
            },
        }
    ]

    params = client.at(quarter_uri, line, col) | {"context": {"includeDeclaration": True}}
    places = client.request("textDocument/references", params)
    owner_line, _ = position_of(stext, "owner: liang-jiaxin")
    spots = {(p["uri"], p["range"]["start"]["line"]) for p in places}
    assert (south.absolute().as_uri(), person_line) in spots  # the declaration
    assert (south.absolute().as_uri(), owner_line) in spots  # a team owner
    assert (quarter_uri, line) in spots  # an approver


def test_outline_is_region_team_rep_with_targets(client: LspClient, plan: Path) -> None:
    east = plan / "regions" / "east.yaml"
    uri = client.open(east)
    symbols = client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert [s["name"] for s in symbols] == ["east"]
    region = symbols[0]
    assert region["detail"] == "华东区"
    children = [c["name"] for c in region["children"]]
    assert children[:2] == ["revenue", "collections"] and "east-ka" in children
    team = next(c for c in region["children"] if c["name"] == "east-ka")
    reps = [c["name"] for c in team["children"] if c["kind"] == 19]  # Object: a rep
    assert reps[:2] == ["zhang-wei", "li-na"]
    rep = next(c for c in team["children"] if c["name"] == "zhang-wei")
    revenue = next(c for c in rep["children"] if c["name"] == "revenue")
    assert revenue["detail"] == "2910000"


def test_missing_modeline_gets_a_fix(client: LspClient, plan: Path) -> None:
    east = plan / "regions" / "east.yaml"
    text = east.read_text(encoding="utf-8").split("\n", 1)[1]
    east.write_text(text, encoding="utf-8")
    uri = client.open(east)
    found = client.diagnostics(uri)
    assert codes(found) == ["PLC012"]
    actions = client.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": uri},
            "range": found[0]["range"],
            "context": {"diagnostics": found},
        },
    )
    fixed = apply_edits(text, actions[0]["edit"]["changes"][uri])
    assert fixed.startswith("# yaml-language-server: $schema=../../../schema/plan.schema.json\n")
    mark = client.mark()
    client.change(uri, fixed)
    assert client.diagnostics(uri, after=mark, version=client.versions[uri]) == []


BROKEN_CHECK = """
import planc.checks
from planc.checks.base import Check

def broken(plan):
    raise ZeroDivisionError("injected")

planc.checks.CHECKS = tuple(
    Check(c.rule, broken) if c.rule.code == "PLC303" else c for c in planc.checks.CHECKS
)
import planc.lsp.session
planc.lsp.session.QuarterSession.__dataclass_fields__["checks"].default = planc.checks.CHECKS
"""


def test_a_check_that_raises_is_one_diagnostic_and_the_server_keeps_serving(
    workspace: Path, plan: Path
) -> None:
    server = LspClient(workspace, prelude=BROKEN_CHECK)
    try:
        east = plan / "regions" / "east.yaml"
        uri = server.open(east)
        quarter_uri = (plan / "quarter.yaml").absolute().as_uri()
        found = server.diagnostics(quarter_uri, accept=lambda d: d != [])
        assert codes(found) == ["PLC050"]
        assert found[0]["message"].startswith(
            "check PLC303 months-do-not-add-up failed: ZeroDivisionError: injected"
        )
        # the other checks still ran: a team out of band is still reported
        text = east.read_text(encoding="utf-8").replace("value: 17340000", "value: 27340000", 1)
        mark = server.mark()
        server.change(uri, text)
        assert "PLC301" in codes(server.diagnostics(uri, after=mark, version=2))
        assert server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    finally:
        assert server.shutdown() == 0


def test_a_changed_target_gets_a_record_stub_in_the_quarter_file(
    client: LspClient, plan: Path
) -> None:
    east, quarter = plan / "regions" / "east.yaml", plan / "quarter.yaml"
    uri = client.open(east)
    client.diagnostics(uri)
    text = east.read_text(encoding="utf-8")
    edited = text.replace(
        "new_customers: {value: 3, stretch: 4}", "new_customers: {value: 4, stretch: 4}", 1
    )
    client.change(uri, edited)
    client.diagnostics(uri, version=client.versions[uri])
    line, col = position_of(edited, "new_customers: {value: 4", len("new_customers: {value: "))
    where = {"start": {"line": line, "character": col}, "end": {"line": line, "character": col}}
    actions = client.request(
        "textDocument/codeAction",
        {"textDocument": {"uri": uri}, "range": where, "context": {"diagnostics": []}},
    )
    assert [a["title"] for a in actions] == [
        "Add an adjustment record stub: zhang-wei/new_customers 3 → 4"
    ]
    quarter_uri = quarter.absolute().as_uri()
    quarter_text = quarter.read_text(encoding="utf-8")
    fixed = apply_edits(quarter_text, actions[0]["edit"]["changes"][quarter_uri])
    assert "      - {target: zhang-wei/new_customers, from: 3, to: 4}\n" in fixed

    # a target that did not change offers nothing
    line, col = position_of(edited, "csat: {value: 4.6}", len("csat: {value: "))
    where = {"start": {"line": line, "character": col}, "end": {"line": line, "character": col}}
    assert (
        client.request(
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": where, "context": {"diagnostics": []}},
        )
        == []
    )


def test_columns_are_utf16_even_when_the_client_prefers_utf8(client: LspClient, plan: Path) -> None:
    """The client offers UTF-8 first; the server answers in UTF-16 and says so."""
    assert client.capabilities["positionEncoding"] == "utf-16"
    south = plan / "regions" / "south.yaml"
    uri = client.open(south)
    client.diagnostics(uri)
    text = south.read_text(encoding="utf-8").replace(
        "role: rep, title: 高级客户经理, start: 2018-08-01}",
        "role: rep, title: 高级客户经理, start: 2018-08-32}",
        1,
    )
    client.change(uri, text)
    found = client.diagnostics(uri, version=client.versions[uri])
    line, col = position_of(text, "2018-08-32")
    assert [d["range"]["start"] for d in found] == [{"line": line, "character": col}], found
    assert col < len(text.split("\n")[line][:col].encode("utf-8"))  # not a byte offset


BROKEN_MODEL = """
import planc.checks.partition
import planc.core.frontend

def broken(*args, **kwargs):
    raise RuntimeError("injected model failure")

# the model is built by the whole compile and, per region file, by the partitioned one
planc.core.frontend.build_plan = broken
planc.checks.partition.build_plan = broken
"""


def test_a_compiler_failure_is_one_diagnostic_on_the_edited_file(
    workspace: Path, plan: Path
) -> None:
    server = LspClient(workspace, prelude=BROKEN_MODEL)
    try:
        uri = server.open(plan / "regions" / "east.yaml")
        found = server.diagnostics(uri, accept=bool)
        assert codes(found) == ["PLC050"]
        assert "planc failed while compiling" in found[0]["message"]
        assert "RuntimeError: injected model failure" in found[0]["message"]
        assert found[0]["range"]["start"] == {"line": 0, "character": 0}
        assert server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    finally:
        assert server.shutdown() == 0


HELD_MODEL = """
import sys, time
import planc.core.frontend
import planc.lsp.session

load, refresh = planc.core.frontend.compile_unit, planc.lsp.session.QuarterSession.refresh
build = planc.core.frontend.build_plan
state = {"refreshing": None, "held": False, "work": []}

def built(*args):
    state["work"].append("model")
    return build(*args)

def held(source, *args):
    # the first file the features' model loads is held until an edit arrives
    session = state["refreshing"]
    state["work"].append("file")
    if session is not None and not state["held"]:
        state["held"] = True
        before = session.generation
        print("HELD", flush=True, file=sys.stderr)
        deadline = time.monotonic() + 30
        while session.generation == before and time.monotonic() < deadline:
            time.sleep(0.01)
    return load(source, *args)

def logged(self):
    stale = self._stale
    state["refreshing"] = self
    state["work"] = []
    try:
        refresh(self)
    except BaseException as error:
        said = type(error).__name__
        raise
    else:
        said = "built"
    finally:
        state["refreshing"] = None
        work = ",".join(state["work"])
        print("REFRESH", stale and stale[1], said, work, flush=True, file=sys.stderr)

planc.core.frontend.compile_unit = held
planc.core.frontend.build_plan = built
planc.lsp.session.QuarterSession.refresh = logged
"""


def _said(server: LspClient, start: str, timeout: float = 60) -> list[str]:
    """The server's stderr lines that start with ``start`` (waits for one)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = [b.decode().strip() for b in list(server.stderr)]
        found = [line for line in lines if line.startswith(start)]
        if found:
            return found
        time.sleep(0.01)
    raise TimeoutError(f"the server never said {start!r}")


def test_an_edit_while_the_features_model_builds_stops_it_and_gets_its_diagnostics(
    workspace: Path, plan: Path
) -> None:
    """A hover asks for the model; an edit arrives while it loads its files: the model is
    given up at its next step (no other file loaded, no model built), the edit's
    diagnostics are published, and the hover is answered from the newest text's model."""
    server = LspClient(workspace, prelude=HELD_MODEL)
    try:
        east = plan / "regions" / "east.yaml"
        uri = server.open(east)
        server.diagnostics(uri, version=1)
        text = east.read_text(encoding="utf-8")
        line, col = position_of(text, "value: 17340000", len("value: "))
        mark = server.mark()
        server.change(uri, "27340000", (line, col), (line, col + len("27340000")))
        assert "PLC301" in codes(server.diagnostics(uri, after=mark, version=2))
        hovered: dict[str, Any] = {}
        asking = threading.Thread(
            target=lambda: hovered.update(
                answer=server.request("textDocument/hover", server.at(uri, line, col + 2), 60)
            )
        )
        asking.start()
        _said(server, "HELD")  # the model of version 2 is loading its first file
        mark = server.mark()
        server.change(uri, "17340000", (line, col), (line, col + len("27340000")))
        assert server.diagnostics(uri, after=mark, version=3) == []
        asking.join(60)
        shown = hovered["answer"]["contents"]["value"]
        assert "months: 5,380,000 + 3,590,000 + 8,370,000 = 17,340,000" in shown
        refreshes = _said(server, "REFRESH")
        # the held file, then nothing more: no other file loaded, no model built
        assert refreshes[0] == "REFRESH 2 Cancelled file", refreshes
        assert refreshes[-1].startswith("REFRESH 3 built"), refreshes
        assert refreshes[-1].endswith(",model"), refreshes
    finally:
        assert server.shutdown() == 0
