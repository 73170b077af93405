"""After a sequence of keystrokes the server shows what ``planc check`` says of the same text.

A real ``planc lsp`` process gets one-character edits (digits of the numbers of
a region file, some in a burst that cancels older compiles, some waited for);
then the buffer is written to a copy of the folder and ``planc check --format
json`` runs on it. Every file's last published diagnostics must be exactly
check's: code, severity, range, message and hint.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls", reason="planc lsp needs the lsp extra")

from click.testing import CliRunner

from lspclient import LspClient
from planc.cli import cli
from planc.core.source import SourceSpan
from planc.lsp.features import lsp_range
from planc.lsp.text import lines_of

REPO = Path(__file__).resolve().parents[1]
QUARTER = "2027-Q1"
NUMBER = re.compile(r"(?<=[\[ ])\d{3,}(?=[,\]\n])")  # a number of a target (no dates, no ids)


def _published(client: LspClient) -> dict[str, list[dict[str, Any]]]:
    """What the editor shows now: the last diagnostics published for each file."""
    shown: dict[str, list[dict[str, Any]]] = {}
    for _, message in client.notifications:
        if message.get("method") == "textDocument/publishDiagnostics":
            params = message["params"]
            shown[Path(params["uri"].removeprefix("file://")).name] = params["diagnostics"]
    return {name: found for name, found in shown.items() if found}


def _checked(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """``planc check --format json`` of the folder, each diagnostic as the server shows it."""
    ran = CliRunner().invoke(cli, ["check", str(folder), "--format", "json", "--no-cache"])
    assert ran.exit_code in (0, 1), ran.output
    out: dict[str, list[dict[str, Any]]] = {}
    for d in json.loads(ran.output)["diagnostics"]:
        path = Path(d["path"])
        lines = lines_of(path.read_text(encoding="utf-8").removeprefix("\ufeff"))
        start, end = d["range"]["start"], d["range"]["end"]
        span = SourceSpan(str(path), start["line"], start["col"], end["line"], end["col"])
        where = lsp_range(lines, span)
        out.setdefault(path.name, []).append(
            {
                "code": d["code"],
                "severity": {"error": 1, "warning": 2, "info": 3}[d["severity"]],
                "message": d["message"] + (f"\nhint: {d['hint']}" if d.get("hint") else ""),
                "range": {
                    "start": {"line": where.start.line, "character": where.start.character},
                    "end": {"line": where.end.line, "character": where.end.character},
                },
            }
        )
    return out


def _shown(found: dict[str, list[dict[str, Any]]]) -> dict[str, list[tuple[Any, ...]]]:
    return {
        name: sorted(
            (d["code"], d["severity"], json.dumps(d["range"], sort_keys=True), d["message"])
            for d in items
        )
        for name, items in found.items()
    }


@pytest.mark.parametrize("seed", [3, 17])
def test_after_random_keystrokes_the_server_shows_what_check_says(
    tmp_path: Path, seed: int
) -> None:
    workspace = tmp_path / "editor"
    shutil.copytree(REPO / "plans" / QUARTER, workspace / "plans" / QUARTER)
    shutil.copytree(REPO / "schema", workspace / "schema")
    plan = workspace / "plans" / QUARTER
    region = plan / "regions" / "east.yaml"
    text = region.read_text(encoding="utf-8")
    rng = random.Random(seed)
    client = LspClient(workspace)
    try:
        uri = client.open(region)
        client.diagnostics(uri, timeout=120, version=1)
        for step in range(12):
            numbers = list(NUMBER.finditer(text))
            number = rng.choice(numbers)
            index = rng.randrange(number.start() + 1, number.end())  # never a leading digit
            digit = rng.choice([d for d in "0123456789" if d != text[index]])
            line = text.count("\n", 0, index)
            column = index - (text.rfind("\n", 0, index) + 1)
            client.change(uri, digit, (line, column), (line, column + 1))
            text = text[:index] + digit + text[index + 1 :]
            if step % 3 == 2:  # the others are a burst: a newer edit cancels the older compile
                client.diagnostics(uri, timeout=120, version=client.versions[uri])
        client.diagnostics(uri, timeout=120, version=client.versions[uri])
        client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
        shown = _published(client)
    finally:
        assert client.shutdown() == 0, b"".join(client.stderr).decode(errors="replace")
    saved = tmp_path / "saved" / QUARTER
    shutil.copytree(plan, saved)
    (saved / "regions" / "east.yaml").write_text(text, encoding="utf-8")
    expected = _checked(saved)
    assert any(expected.values()), "the edits broke nothing: a weak test"
    assert _shown(shown) == _shown(expected)


def test_a_file_opened_later_is_edited_by_its_teams_and_shows_what_check_says(
    tmp_path: Path,
) -> None:
    """The folder is compiled when the quarter file is opened; a region file opened after
    it gets its team record at the next pause (``$/planc/teams``), so its first edit loads
    only the team it changed. Its diagnostics are still exactly check's."""
    workspace = tmp_path / "editor"
    shutil.copytree(REPO / "plans" / QUARTER, workspace / "plans" / QUARTER)
    shutil.copytree(REPO / "schema", workspace / "schema")
    plan = workspace / "plans" / QUARTER
    region = plan / "regions" / "north.yaml"
    text = region.read_text(encoding="utf-8")
    rng = random.Random(5)
    client = LspClient(workspace, initialization_options={"timings": True})
    loaded: list[dict[str, Any]] = []
    try:
        quarter = client.open(plan / "quarter.yaml")
        client.diagnostics(quarter, timeout=120, version=1)
        mark = client.mark()
        uri = client.open(region)
        client.diagnostics(uri, timeout=120, version=1, after=mark)
        _, _, made = client.wait_for(
            lambda m: m.get("method") == "$/planc/teams", timeout=120, after=mark
        )
        assert made["params"]["files"] == [str(region)]
        for _ in range(4):
            numbers = list(NUMBER.finditer(text, text.index("- rep: ")))
            number = rng.choice(numbers)
            index = rng.randrange(number.start() + 1, number.end())
            digit = rng.choice([d for d in "0123456789" if d != text[index]])
            line = text.count("\n", 0, index)
            column = index - (text.rfind("\n", 0, index) + 1)
            mark = client.mark()
            client.change(uri, digit, (line, column), (line, column + 1))
            text = text[:index] + digit + text[index + 1 :]
            version = client.versions[uri]
            client.diagnostics(uri, timeout=120, version=version, after=mark)
            _, _, timing = client.wait_for(
                lambda m, v=version: (
                    m.get("method") == "$/planc/timings" and m["params"]["version"] == v
                ),
                timeout=60,
                after=mark,
            )
            loaded.append(timing["params"]["phases"])
        shown = _published(client)
    finally:
        assert client.shutdown() == 0, b"".join(client.stderr).decode(errors="replace")
    # every edit, the first one too, loaded the edited team alone
    assert [(p["files_loaded_whole"], p["teams_loaded"]) for p in loaded] == [(0, 1)] * 4
    saved = tmp_path / "saved" / QUARTER
    shutil.copytree(plan, saved)
    (saved / "regions" / "north.yaml").write_text(text, encoding="utf-8")
    expected = _checked(saved)
    assert any(expected.values()), "the edits broke nothing: a weak test"
    assert _shown(shown) == _shown(expected)


def test_a_file_written_on_disk_between_keystrokes_is_read_and_shown_as_check_says(
    tmp_path: Path,
) -> None:
    """The server reads the folder again only when a stat of it changes (here with reads
    reused at once: SETTLED_SECONDS 0). Another program writes a region file between two
    keystrokes in another file, with no watched-file notice: the next keystroke shows its
    diagnostics, as ``planc check`` of the folder does."""
    workspace = tmp_path / "editor"
    shutil.copytree(REPO / "plans" / QUARTER, workspace / "plans" / QUARTER)
    shutil.copytree(REPO / "schema", workspace / "schema")
    plan = workspace / "plans" / QUARTER
    east, north = plan / "regions" / "east.yaml", plan / "regions" / "north.yaml"
    text = east.read_text(encoding="utf-8")
    numbers = list(NUMBER.finditer(text, text.index("- rep: ")))
    prelude = "import planc.lsp.session\nplanc.lsp.session.SETTLED_SECONDS = 0\n"
    client = LspClient(workspace, prelude=prelude)
    try:
        uri = client.open(east)
        client.diagnostics(uri, timeout=120, version=1)
        for step, number in enumerate(numbers[:2]):
            if step == 1:  # another program writes north (a month changed: PLC303)
                data = north.read_text(encoding="utf-8")
                month = data.index("months: [", data.index("- rep: ")) + len("months: [")
                digit = "2" if data[month] == "1" else "1"
                north.write_text(data[:month] + digit + data[month + 1 :], encoding="utf-8")
            index = number.start() + 1
            digit = "7" if text[index] != "7" else "3"
            line = text.count("\n", 0, index)
            column = index - (text.rfind("\n", 0, index) + 1)
            mark = client.mark()
            client.change(uri, digit, (line, column), (line, column + 1))
            text = text[:index] + digit + text[index + 1 :]
            client.diagnostics(uri, timeout=120, version=client.versions[uri], after=mark)
        # north's diagnostics are published after east's (files in order of their paths)
        client.wait_for(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"].endswith("/north.yaml")
            ),
            timeout=60,
            after=mark,
        )
        shown = _published(client)
    finally:
        assert client.shutdown() == 0, b"".join(client.stderr).decode(errors="replace")
    saved = tmp_path / "saved" / QUARTER
    shutil.copytree(plan, saved)
    (saved / "regions" / "east.yaml").write_text(text, encoding="utf-8")
    expected = _checked(saved)
    assert "north.yaml" in expected, "the write on disk broke nothing: a weak test"
    assert _shown(shown) == _shown(expected)
