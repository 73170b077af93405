"""``planc lsp`` under what an editor really sends: half-typed YAML, huge pastes, files
outside any quarter, files deleted or renamed while open, two quarters, random edits.

The server must answer with diagnostics (or none) and keep answering: never crash,
hang or block. Deadlines are explicit and generous (a busy two-core machine).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="planc lsp needs the lsp extra")

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lspclient import LspClient

REPO = Path(__file__).resolve().parents[1]
ANSWER_SECONDS = 30  # a request answered while a compile runs (a hang is minutes)
COMPILE_SECONDS = 90  # diagnostics of the small example plan, under load


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    for quarter in ("2027-Q1", "2017-Q3"):
        shutil.copytree(REPO / "plans" / quarter, tmp_path / "plans" / quarter)
    shutil.copytree(REPO / "schema", tmp_path / "schema")
    return tmp_path


@pytest.fixture
def client(workspace: Path) -> Iterator[LspClient]:
    server = LspClient(workspace)
    yield server
    assert server.shutdown() == 0, b"".join(server.stderr).decode(errors="replace")


def alive(client: LspClient, uri: str) -> None:
    """The server still answers a request, in time."""
    client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}}, ANSWER_SECONDS)


def test_half_typed_yaml_is_a_diagnostic_and_the_server_answers(
    client: LspClient, workspace: Path
) -> None:
    east = workspace / "plans" / "2027-Q1" / "regions" / "east.yaml"
    uri = client.open(east)
    client.diagnostics(uri, COMPILE_SECONDS)
    text = east.read_text(encoding="utf-8")
    half = text[: text.index("months: [960000, 630000") + len("months: [960000, 6")]
    client.change(uri, half)
    found = client.diagnostics(uri, COMPILE_SECONDS, version=2)
    assert found and all(d["code"].startswith("PLC0") for d in found), found
    hover = client.request("textDocument/hover", client.at(uri, 20, 8), ANSWER_SECONDS)
    assert hover is None or "contents" in hover
    completion = client.request("textDocument/completion", client.at(uri, 14, 11), ANSWER_SECONDS)
    assert "items" in completion
    client.change(uri, text)
    assert client.diagnostics(uri, COMPILE_SECONDS, version=3) == []


def test_a_file_outside_any_quarter_gets_its_own_diagnostics_or_none(
    client: LspClient, workspace: Path
) -> None:
    stray = workspace / "notes" / "draft.yaml"
    stray.parent.mkdir()
    stray.write_text("planc: 1\nkind: region\nregion: {id: x, budget: 010}\n", encoding="utf-8")
    uri = client.open(stray)
    found = client.diagnostics(uri, COMPILE_SECONDS)
    assert "PLC012" in [d["code"] for d in found]  # the file alone: YAML and schema only
    assert not [d for d in found if d["code"] == "PLC106"], found  # no "no quarter file"

    other = workspace / "docker-compose.yaml"
    other.write_text("services:\n  web: {image: nginx}\n", encoding="utf-8")
    assert client.diagnostics(client.open(other), COMPILE_SECONDS) == []
    alive(client, uri)


def test_a_file_deleted_or_renamed_while_open(client: LspClient, workspace: Path) -> None:
    plan = workspace / "plans" / "2027-Q1"
    east, south = plan / "regions" / "east.yaml", plan / "regions" / "south.yaml"
    uri = client.open(east)
    client.diagnostics(uri, COMPILE_SECONDS)
    east.unlink()  # the buffer is still open: it is the file
    mark = client.mark()
    client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": uri, "type": 3}]})
    assert client.diagnostics(uri, COMPILE_SECONDS, after=mark) == []

    south_uri = client.open(south)
    client.diagnostics(south_uri, COMPILE_SECONDS)
    south.rename(plan / "regions" / "south-2.yaml")  # renamed on disk, open under its old name
    mark = client.mark()
    client.notify(
        "workspace/didChangeWatchedFiles",
        {
            "changes": [
                {"uri": south_uri, "type": 3},
                {"uri": (plan / "regions" / "south-2.yaml").as_uri(), "type": 1},
            ]
        },
    )
    found = client.diagnostics(south_uri, COMPILE_SECONDS, after=mark, accept=bool)
    # the buffer (old name) and the disk (new name) both hold the region: its ids twice
    assert "PLC206" in {d["code"] for d in found}, found
    mark = client.mark()
    client.close(south_uri)  # the editor follows the rename: the old name is gone
    client.close(uri)  # east: closed, and deleted on disk
    alive(client, (plan / "quarter.yaml").as_uri())


def test_two_quarters_open_at_once_are_compiled_apart(client: LspClient, workspace: Path) -> None:
    new = workspace / "plans" / "2027-Q1" / "regions" / "east.yaml"
    old = workspace / "plans" / "2017-Q3" / "regions" / "east.yaml"
    new_uri, old_uri = client.open(new), client.open(old)
    assert client.diagnostics(new_uri, COMPILE_SECONDS) == []
    client.diagnostics(old_uri, COMPILE_SECONDS)
    text = old.read_text(encoding="utf-8")
    client.change(old_uri, text.replace("kind: region", "kind: regoin", 1))
    found = client.diagnostics(old_uri, COMPILE_SECONDS, version=2)
    assert found and found[0]["code"].startswith("PLC1"), found
    mark = client.mark()
    client.change(new_uri, new.read_text(encoding="utf-8") + "\n")
    assert client.diagnostics(new_uri, COMPILE_SECONDS, after=mark, version=2) == []


def test_a_pasted_50_mb_file_never_blocks_the_server(client: LspClient, workspace: Path) -> None:
    east = workspace / "plans" / "2027-Q1" / "regions" / "east.yaml"
    uri = client.open(east)
    client.diagnostics(uri, COMPILE_SECONDS)
    text = east.read_text(encoding="utf-8")
    line = "# " + "锐工 pasted text, not yet cut down to a plan " * 3 + "\n"
    pasted = text + line * (50 * 1024 * 1024 // len(line.encode("utf-8")) + 1)
    assert len(pasted.encode("utf-8")) > 50 * 1024 * 1024
    client.change(uri, pasted)
    started = time.monotonic()
    hover = client.request("textDocument/hover", client.at(uri, 40, 20), ANSWER_SECONDS)
    assert hover is None or "contents" in hover
    assert time.monotonic() - started < ANSWER_SECONDS
    client.change(uri, text)  # cut back: the newest text wins
    assert client.diagnostics(uri, 300, version=3) == []
    alive(client, uri)


EDITS = st.lists(
    st.tuples(
        st.sampled_from(["insert", "delete", "replace"]),
        st.floats(min_value=0, max_value=1),
        st.integers(min_value=0, max_value=40),
        st.sampled_from(
            ["", "0", "9", ":", " ", "\n", "- ", "{", "]", "'", "é", "锐", "🙂", "&a", "*a"]
        ),
    ),
    min_size=1,
    max_size=12,
)


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LspClient, Path]]:
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(REPO / "plans" / "2027-Q1", root / "plans" / "2027-Q1")
    shutil.copytree(REPO / "schema", root / "schema")
    server = LspClient(root, initialization_options={"debounceMs": 20})
    yield server, root / "plans" / "2027-Q1" / "regions" / "north.yaml"
    assert server.shutdown() == 0, b"".join(server.stderr).decode(errors="replace")


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=EDITS)
def test_random_edits_never_stop_the_server(
    fuzz_server: tuple[LspClient, Path], edits: list[tuple[str, float, int, str]]
) -> None:
    """A burst of edits (as fast as typing), then: it answers, and publishes the last version."""
    client, north = fuzz_server
    uri = north.absolute().as_uri()
    original = north.read_text(encoding="utf-8")
    if uri not in client.versions:
        client.open(north)
    client.change(uri, original)
    text = original
    for kind, where, length, piece in edits:
        at = int(where * len(text))
        if kind == "insert":
            text = text[:at] + piece + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + length :]
        else:
            text = text[:at] + piece + text[at + len(piece) :]
        client.change(uri, text)
    version = client.versions[uri]
    alive(client, uri)
    found = client.diagnostics(uri, COMPILE_SECONDS, version=version)
    assert all(d["code"].startswith("PLC") and d["range"]["start"]["line"] >= 0 for d in found)


def test_a_buffer_typed_into_a_quarter_file_makes_its_folder_a_quarter(
    client: LspClient, workspace: Path
) -> None:
    draft = workspace / "plans" / "2027-Q2" / "draft.yaml"
    draft.parent.mkdir()
    uri = client.open(draft, "planc: 1\n")
    alone = client.diagnostics(uri, COMPILE_SECONDS, version=1)
    assert alone and all(d["code"][:4] in ("PLC0", "PLC1") for d in alone), alone
    quarter = (workspace / "plans" / "2027-Q1" / "quarter.yaml").read_text(encoding="utf-8")
    client.change(uri, quarter)
    found = client.diagnostics(uri, COMPILE_SECONDS, version=2)
    # compiled as a quarter now: its adjustments name reps of regions this folder lacks
    assert "PLC601" in {d["code"] for d in found}, found
