"""``planc lsp`` under what a broken client sends: bad framing, bad JSON, messages that are
not JSON-RPC, params of the wrong shape, requests after shutdown, URIs of FIFOs and devices.

A real server process over real pipes. The promise: a request is answered (with the
JSON-RPC error the LSP names), anything else is dropped with one line on stderr, and
the server keeps serving: never a traceback, exit 3, hang or unbounded memory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls", reason="planc lsp needs the lsp extra")

from lspclient import LspClient

REPO = Path(__file__).resolve().parents[1]
ANSWER_SECONDS = 30  # generous: a busy two-core machine; a hang is for ever


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "plans" / "2027-Q1", tmp_path / "plans" / "2027-Q1")
    shutil.copytree(REPO / "schema", tmp_path / "schema")
    return tmp_path


@pytest.fixture
def client(workspace: Path) -> Iterator[LspClient]:
    server = LspClient(workspace)
    yield server
    assert server.shutdown() == 0, "\n".join(server.stderr_lines())
    server.ended()
    quiet(server)


def quiet(client: LspClient) -> list[str]:
    """The server's stderr: one line per problem, each its own, no traceback."""
    lines = client.stderr_lines()
    assert not [line for line in lines if not line.startswith("planc lsp: ")], lines
    return lines


def frame(message: Any) -> bytes:
    body = message if isinstance(message, bytes) else json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def symbols(ident: int | str, uri: str) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": ident,
        "method": "textDocument/documentSymbol",
        "params": {"textDocument": {"uri": uri}},
    }


def error_of(client: LspClient, ident: int) -> int:
    answer = client.answer(ident, ANSWER_SECONDS)
    assert "error" in answer, answer
    code: int = answer["error"]["code"]
    return code


def said(client: LspClient, count: int, timeout: float = ANSWER_SECONDS) -> list[str]:
    """Wait until the server has said ``count`` lines on stderr; its lines."""
    deadline = time.monotonic() + timeout
    while len(client.stderr_lines()) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return quiet(client)


def peak_memory(client: LspClient) -> int:
    """The server's largest resident set so far, in bytes (Linux)."""
    status = Path(f"/proc/{client.process.pid}/status").read_text(encoding="ascii")
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


# --- framing ---------------------------------------------------------------------


def test_an_absurd_content_length_is_refused_in_one_line(workspace: Path) -> None:
    client = LspClient(workspace)
    client.raw(b"Content-Length: 99999999999999999999\r\n\r\n{}")
    assert client.process.stdin is not None
    client.process.stdin.close()
    assert client.ended() == 0  # the input ended: not exit 3
    lines = quiet(client)
    assert len(lines) == 1 and "over the limit" in lines[0], lines


def test_a_message_without_a_usable_content_length_is_dropped_and_the_next_is_read(
    client: LspClient, workspace: Path
) -> None:
    uri = (workspace / "plans" / "2027-Q1" / "quarter.yaml").as_uri()
    client.raw(b"Content-Type: application/vscode-jsonrpc\r\n\r\n{}")  # no Content-Length
    client.raw(frame(symbols(901, uri)))  # read after the body that had no length
    assert client.answer(901, ANSWER_SECONDS).get("result") is not None
    client.raw(b"Content-Length: -5\r\n\r\n")
    client.raw(frame(symbols(902, uri)))
    assert client.answer(902, ANSWER_SECONDS).get("result") is not None
    lines = said(client, 2)
    assert len(lines) == 2, lines
    assert "without a Content-Length" in lines[0] and "'-5'" in lines[1], lines


def test_a_body_cut_short_by_the_end_of_input_is_one_line(workspace: Path) -> None:
    client = LspClient(workspace)
    client.raw(b'Content-Length: 100\r\n\r\n{"jsonrpc": "2.0", "id": 7, "method": "shutd')
    assert client.process.stdin is not None
    client.process.stdin.close()
    assert client.ended() == 0
    lines = quiet(client)
    assert len(lines) == 1 and "ended 44 bytes into a message of 100" in lines[0], lines


def test_huge_headers_are_never_held(client: LspClient, workspace: Path) -> None:
    """300 MB of one header line: read and dropped as it comes (pygls held it whole)."""
    uri = (workspace / "plans" / "2027-Q1" / "quarter.yaml").as_uri()
    client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    before = peak_memory(client)
    chunk = b"x" * (1 << 20)
    client.raw(b"X-Padding: ")
    for _ in range(300):
        client.raw(chunk)
    client.raw(b"\r\n\r\n")
    client.raw(frame(symbols(903, uri)))
    assert client.answer(903, 120).get("result") is not None
    assert peak_memory(client) - before < 64 * 1024 * 1024
    lines = said(client, 1)
    assert len(lines) == 1 and "headers of" in lines[0], lines


def test_a_200_mb_did_open_is_over_the_limit_and_never_held(
    client: LspClient, workspace: Path
) -> None:
    """A message over 3 times maxFileSize plus 1 MiB is read as it comes and dropped: the
    server serves on (pygls held and parsed it all)."""
    east = workspace / "plans" / "2027-Q1" / "regions" / "east.yaml"
    uri = east.as_uri()
    client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    before = peak_memory(client)
    line = "# " + "a" * 77 + "\n"
    text = line * (200 * 1024 * 1024 // len(line))
    item = {"uri": uri, "languageId": "yaml", "version": 1, "text": text}
    client.raw(
        frame(
            {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": item}}
        )
    )
    del text, item
    assert client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}}, 120)
    assert peak_memory(client) - before < 64 * 1024 * 1024
    lines = said(client, 1)
    assert len(lines) == 1 and "over the limit" in lines[0], lines


def _oversized(uri: str, version: int, method: str) -> bytes:
    """A didOpen or didChange whose text (200 MB) is over 3 times maxFileSize plus 1 MiB."""
    line = "# " + "a" * 77 + "\n"
    text = line * (200 * 1024 * 1024 // len(line))
    if method == "textDocument/didOpen":
        item = {"uri": uri, "languageId": "yaml", "version": version, "text": text}
        params: dict[str, Any] = {"textDocument": item}
    else:
        changes = [{"text": text}]
        params = {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}
    return frame({"jsonrpc": "2.0", "method": method, "params": params})


def test_answers_under_pythonunbuffered(workspace: Path) -> None:
    """planc buffers standard output again under PYTHONUNBUFFERED (planc.cli): the server's
    messages still leave at once, each flushed (an answer held in a buffer is a hang)."""
    server = LspClient(workspace, env={"PYTHONUNBUFFERED": "1"})
    east = workspace / "plans" / "2027-Q1" / "regions" / "east.yaml"
    uri = server.open(east)
    assert server.diagnostics(uri, 90) == []
    mark = server.mark()
    server.change(uri, east.read_text(encoding="utf-8") + "\nnot: [closed\n")
    assert server.diagnostics(uri, 120, after=mark, version=2) != []
    assert server.shutdown() == 0, "\n".join(server.stderr_lines())
    server.ended()
    quiet(server)


def test_a_file_over_the_limit_is_said_at_its_top_until_it_is_back_under(
    client: LspClient, workspace: Path
) -> None:
    """The dropped didOpen or didChange left the editor with no diagnostics (or the file's
    old ones): one PLC010 at its top says it is too large to check, and goes when the
    whole text comes again within the limit."""
    east = workspace / "plans" / "2027-Q1" / "regions" / "east.yaml"
    uri = client.open(east)
    assert client.diagnostics(uri, 90) == []
    mark = client.mark()
    client.versions[uri] = 2
    client.raw(_oversized(uri, 2, "textDocument/didChange"))
    (found,) = client.diagnostics(uri, 120, after=mark, version=2)
    assert found["code"] == "PLC010" and found["severity"] == 1, found
    assert found["range"]["start"] == {"line": 0, "character": 0}, found
    assert found["message"].startswith("file is too large to check: the editor sent it in a")
    mark = client.mark()
    client.change(uri, east.read_text(encoding="utf-8"))  # cut back: the whole text again
    assert client.diagnostics(uri, 90, after=mark, version=3) == []

    west = east.with_name("west.yaml")  # a new file, opened over the limit
    shutil.copy(east.with_name("north.yaml"), west)
    west_uri = west.as_uri()
    mark = client.mark()
    client.raw(_oversized(west_uri, 1, "textDocument/didOpen"))
    (found,) = client.diagnostics(west_uri, 120, after=mark, version=1)
    assert found["code"] == "PLC010", found
    mark = client.mark()
    client.versions[west_uri] = 1
    client.change(west_uri, west.read_text(encoding="utf-8"))  # opened now, with that text
    assert not [
        d for d in client.diagnostics(west_uri, 90, after=mark, version=2) if d["code"] == "PLC010"
    ]
    assert client.request("textDocument/documentSymbol", {"textDocument": {"uri": west_uri}})
    lines = said(client, 2)
    assert len(lines) == 2 and all("over the limit" in line for line in lines), lines


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            {
                "jsonrpc": "2.0",
                "method": "textDocument/didOpen",
                "params": {
                    "textDocument": {
                        "uri": "file:///p/a.yaml",
                        "languageId": "yaml",
                        "version": 4,
                        "text": "x" * 90000,
                    }
                },
            },
            ("textDocument/didOpen", "file:///p/a.yaml", 4),
        ),
        (
            {
                "jsonrpc": "2.0",
                "method": "textDocument/didChange",
                "params": {
                    "textDocument": {"uri": "file:///p/a.yaml", "version": 5},
                    "contentChanges": [{"text": "x" * 90000}],
                },
            },
            ("textDocument/didChange", "file:///p/a.yaml", 5),
        ),
        # the document after the text, the method after the params, another method: unsaid
        (
            {
                "jsonrpc": "2.0",
                "method": "textDocument/didOpen",
                "params": {"textDocument": {"text": "x" * 90000, "uri": "file:///p/a.yaml"}},
            },
            None,
        ),
        (
            {
                "jsonrpc": "2.0",
                "params": {
                    "textDocument": {"uri": "file:///p/a.yaml"},
                    "contentChanges": [{"text": "x" * 90000}],
                },
                "method": "textDocument/didChange",
            },
            None,
        ),
        (
            {
                "jsonrpc": "2.0",
                "method": "workspace/x",
                "params": {"textDocument": {"uri": "file:///p/a.yaml"}, "data": "x" * 90000},
            },
            None,
        ),
    ],
    ids=["didOpen", "didChange", "text-first", "method-last", "other"],
)
def test_what_a_message_over_the_limit_was_is_read_from_its_start(
    message: dict[str, Any], expected: tuple[str, str, int] | None
) -> None:
    from planc.lsp.wire import HEAD_BYTES_KEPT, oversized

    body = json.dumps(message).encode("utf-8")
    found = oversized(body[:HEAD_BYTES_KEPT], len(body), 1024)
    said = (found.method, found.uri, found.version) if found is not None else None
    assert said == expected


# --- messages that are not JSON-RPC ------------------------------------------------


def test_malformed_messages_are_answered_or_said_in_one_line(
    client: LspClient, workspace: Path
) -> None:
    uri = (workspace / "plans" / "2027-Q1" / "quarter.yaml").as_uri()
    hover = {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}
    dropped = [
        b"{abc}",  # not JSON, no id to answer
        b"[1, 2]",  # a batch: not in the LSP
        b"5",
        b'"text"',
        b"null",
        b"[" * 100_000,  # deeper than the parser goes
        b"\xff\xfe{}",  # not UTF-8
        json.dumps({"jsonrpc": "2.0", "id": {"a": 1}, "method": "shutdown"}).encode(),
        json.dumps({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": [1]}).encode(),
        json.dumps({"jsonrpc": "2.0", "result": 1}).encode(),  # a response without an id
    ]
    for body in dropped:
        client.raw(frame(body))
    answered = {
        # cut short: its id read from its start
        911: (b'{"jsonrpc": "2.0", "id": 911, "method": "textDocument/hover", "params": {', -32700),
        912: ({"id": 912, "method": "textDocument/documentSymbol", "params": {}}, -32600),
        913: ({"jsonrpc": "1.0", "id": 913, "method": "shutdown"}, -32600),
        914: ({"jsonrpc": "2.0", "id": 914, "method": 5}, -32600),
        915: ({"jsonrpc": "2.0", "id": 915, "method": "textDocument/hover", "params": {}}, -32602),
        916: (
            {
                "jsonrpc": "2.0",
                "id": 916,
                "method": "textDocument/hover",
                "params": {**hover, "position": {"line": -1, "character": 0}},
            },
            -32602,
        ),
        917: ({"jsonrpc": "2.0", "id": 917, "method": "planc/nothing"}, -32601),  # no params
        # a byte that is not UTF-8 in a string: not JSON, and its id still read (fuzz18)
        918: (b'{"jsonrpc": "2.0", "id": 918, "method": "x", "params": {"a": "\xff"}}', -32700),
    }
    for message, _ in answered.values():
        client.raw(frame(message))
    for ident, (_, code) in answered.items():
        assert error_of(client, ident) == code, ident
    client.raw(frame({"jsonrpc": "2.0", "method": "planc/nothing"}))  # unknown notification
    assert client.request("textDocument/hover", hover) is None  # still serving
    lines = said(client, len(dropped) + len(answered) + 1)
    assert len(lines) == len(dropped) + len(answered) + 1, lines
    shown = [m for _, m in client.notifications if m.get("method") == "window/showMessage"]
    assert not shown, shown  # pygls showed the editor "Error in server" for some


# --- the life cycle ----------------------------------------------------------------


def test_a_request_after_shutdown_is_answered_invalid_request(workspace: Path) -> None:
    client = LspClient(workspace)
    uri = (workspace / "plans" / "2027-Q1" / "quarter.yaml").as_uri()
    assert client.request("shutdown", None) is None
    client.raw(frame(symbols(921, uri)))  # pygls dropped it: the editor waited for good
    assert error_of(client, 921) == -32600
    client.notify("exit", None)
    assert client.ended() == 0
    quiet(client)


def test_before_initialize_a_request_is_answered_server_not_initialized(
    workspace: Path,
) -> None:
    """The LSP: -32002 for a request before initialize, a notification dropped (pygls ran
    them without a workspace: -32603, and 'Error in server' shown for the didOpen)."""
    client = LspClient(workspace, initialize=False)
    east = workspace / "plans" / "2027-Q1" / "regions" / "east.yaml"
    uri = client.open(east)
    client.raw(frame(symbols(941, uri)))
    assert error_of(client, 941) == -32002
    client.initialize()
    assert client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    shown = [m for _, m in client.notifications if m.get("method") == "window/showMessage"]
    assert not shown, shown
    assert client.shutdown() == 0
    client.ended()
    lines = quiet(client)
    assert len(lines) == 1 and "before initialize" in lines[0], lines


def test_exit_without_shutdown_exits_1(workspace: Path) -> None:
    """The LSP: "exit with error code 1" when no shutdown came first (pygls's loop made
    every exit 0)."""
    client = LspClient(workspace)
    client.notify("exit", None)
    assert client.ended() == 1
    quiet(client)


def test_a_cancel_of_a_request_already_answered_is_silent(
    client: LspClient, workspace: Path
) -> None:
    """An editor cancels what it no longer needs, often after the answer left: pygls said
    'Cancel notification for unknown message id' for every one. A cancel of an id the
    server never saw is still one line."""
    uri = (workspace / "plans" / "2027-Q1" / "quarter.yaml").as_uri()
    for ident in (9001, "outline-2"):
        client.raw(frame(symbols(ident, uri)))
        assert "result" in client.answer(ident, ANSWER_SECONDS)
        client.notify("$/cancelRequest", {"id": ident})
    client.notify("$/cancelRequest", {"id": 4242})
    assert client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    lines = said(client, 1)
    assert len(lines) == 1 and 'unknown message id "4242"' in lines[0], lines


# --- documents and URIs ------------------------------------------------------------


def test_a_change_to_a_document_never_opened_is_one_line(
    client: LspClient, workspace: Path
) -> None:
    east = workspace / "plans" / "2027-Q1" / "regions" / "east.yaml"
    uri = east.as_uri()
    client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": "x: 1\n"}]},
    )
    assert client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    lines = said(client, 1)
    assert len(lines) == 1 and "not open" in lines[0], lines
    shown = [m for _, m in client.notifications if m.get("method") == "window/showMessage"]
    assert not shown, shown  # pygls showed the editor "Error in server: KeyError"
    client.open(east)  # and the document opens as it is
    assert client.diagnostics(uri, 90) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_requests_about_fifos_devices_and_odd_uris_are_answered(
    client: LspClient, workspace: Path
) -> None:
    """A document the client did not open is read from disk only when it is a regular file:
    pygls read a FIFO (the server hung), /dev/zero (all memory) or a folder."""
    regions = workspace / "plans" / "2027-Q1" / "regions"
    os.mkfifo(regions / "pipe.yaml")
    uris = [
        (regions / "pipe.yaml").as_uri(),
        regions.as_uri() + "/../../../" + "../" * 20 + "dev/zero",
        "file:///dev/zero",
        "file:///dev/stdin",
        regions.as_uri(),  # a folder
        (regions / "missing.yaml").as_uri(),
        "untitled:Untitled-1",
        "https://example.com/plan.yaml",
    ]
    for uri in uris:
        for method, params in (
            ("textDocument/documentSymbol", {"textDocument": {"uri": uri}}),
            ("textDocument/definition", client.at(uri, 0, 0)),
            (
                "textDocument/references",
                {**client.at(uri, 0, 0), "context": {"includeDeclaration": True}},
            ),
        ):
            assert client.request(method, params, ANSWER_SECONDS) == [], (method, uri)
    east = (regions / "east.yaml").as_uri()  # a regular file: read, as before
    assert client.request("textDocument/documentSymbol", {"textDocument": {"uri": east}})


# --- a failure inside planc --------------------------------------------------------

BROKEN_OUTLINE = """
import planc.lsp.outline

def broken(text):
    raise ZeroDivisionError("injected outline failure")

planc.lsp.outline.outline_json = broken
"""


@pytest.mark.parametrize("debug", ["", "1"])
def test_a_handler_that_raises_is_one_line_and_an_error_without_its_traceback(
    workspace: Path, debug: str
) -> None:
    """A bug in a feature: its request answered -32603 naming the error, one line on
    stderr; the traceback (on stderr and in the answer) only with PLANC_DEBUG."""
    client = LspClient(workspace, prelude=BROKEN_OUTLINE, env={"PLANC_DEBUG": debug})
    uri = (workspace / "plans" / "2027-Q1" / "quarter.yaml").as_uri()
    client.raw(frame(symbols(931, uri)))
    answer = client.answer(931, ANSWER_SECONDS)
    assert answer["error"]["code"] == -32603
    assert "ZeroDivisionError: injected outline failure" in answer["error"]["message"]
    assert client.shutdown() == 0
    client.ended()
    text = "\n".join(client.stderr_lines())
    assert "injected outline failure" in text
    if debug:
        assert "Traceback" in text and "traceback" in json.dumps(answer)
    else:
        assert "Traceback" not in text and "traceback" not in json.dumps(answer)
        lines = quiet(client)
        assert len(lines) == 1, lines


def test_a_header_line_of_exactly_8_kib_is_one_line(client: LspClient, workspace: Path) -> None:
    """The line is read in pieces: the line break after the last one does not end the
    headers (the message lost its Content-Length)."""
    uri = (workspace / "plans" / "2027-Q1" / "quarter.yaml").as_uri()
    body = json.dumps(symbols(904, uri)).encode("utf-8")
    padding = b"X-Padding: " + b"x" * (8 * 1024 - len("X-Padding: "))
    client.raw(padding + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    assert client.answer(904, ANSWER_SECONDS).get("result") is not None
    assert client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert quiet(client) == []


BROKEN_RESPONSES = """
import pygls.protocol.json_rpc

def broken(self, *args, **kwargs):
    raise RuntimeError("injected response failure")

pygls.protocol.json_rpc.JsonRPCProtocol._handle_response = broken
"""


def test_a_message_pygls_fails_on_is_one_line_and_the_server_serves_on(workspace: Path) -> None:
    """What pygls raises out of its handle_message (here a response it cannot take: a
    fault injected) is one line, and the next message is read."""
    client = LspClient(workspace, prelude=BROKEN_RESPONSES)
    uri = (workspace / "plans" / "2027-Q1" / "quarter.yaml").as_uri()
    client.raw(frame({"jsonrpc": "2.0", "id": "nobody-asked", "result": None}))
    assert client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert client.shutdown() == 0
    client.ended()
    lines = quiet(client)
    # this one, and the client's answer to the server's registerCapability
    assert lines and all("injected response failure" in line for line in lines), lines


def test_a_control_character_from_the_client_is_shown_not_obeyed_on_stderr(
    client: LspClient,
) -> None:
    """The editor shows the server's stderr: a URI's escape sequence is written escaped."""
    uri = "file:///tmp/\x1b[2J\x1b[31mred\x07.yaml"
    client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": "x"}]},
    )
    lines = said(client, 1)
    assert len(lines) == 1 and "\\x1b[31mred\\x07" in lines[0], lines
    assert not [line for line in lines if "\x1b" in line or "\x07" in line], lines


def test_a_uri_no_file_can_have_is_no_plan_file(client: LspClient, workspace: Path) -> None:
    """A lone surrogate or a NUL in a file URI: not a file of the quarter (its name made
    the whole quarter's compile fail, PLC050 on every file)."""
    regions = workspace / "plans" / "2027-Q1" / "regions"
    east = client.open(regions / "east.yaml")
    assert client.diagnostics(east, 90) == []
    for name in ("\ud800.yaml", "%00.yaml"):
        uri = regions.as_uri() + "/" + name
        client.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": "yaml",
                    "version": 1,
                    "text": "planc: 1\nkind: region\n",
                }
            },
        )
        assert client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}}) == []
    mark = client.mark()
    client.change(east, (regions / "east.yaml").read_text(encoding="utf-8") + "\n")
    assert client.diagnostics(east, 90, after=mark, version=2) == []


def test_output_closed_by_the_client_is_one_line(workspace: Path) -> None:
    """The client stops reading: one line, the messages for it dropped, exit as asked
    (pygls logged a traceback for every message it could not send)."""
    east = workspace / "plans" / "2027-Q1" / "regions" / "east.yaml"
    script = "from planc.cli import main\nmain()\n"
    process = subprocess.Popen(
        [sys.executable, "-c", script, "lsp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=workspace,
    )
    assert process.stdout is not None
    process.stdout.close()  # before the server's first answer
    process.stdout = None
    item = {"uri": east.as_uri(), "languageId": "yaml", "version": 1, "text": east.read_text()}
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": item}},
        symbols(2, east.as_uri()),
        {"jsonrpc": "2.0", "id": 3, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    _, err = process.communicate(b"".join(map(frame, messages)), timeout=ANSWER_SECONDS)
    assert process.returncode == 0
    lines = err.decode("utf-8", "replace").splitlines()
    assert len(lines) == 1 and "closed the server's output" in lines[0], lines


def test_a_flood_of_requests_is_answered_in_order_of_need(
    client: LspClient, workspace: Path
) -> None:
    """3,000 requests written at once, and cancels for some: every one answered (held on
    base too; kept so that the reader's bounds never starve a busy client)."""
    east = workspace / "plans" / "2027-Q1" / "regions" / "east.yaml"
    uri = client.open(east)
    client.diagnostics(uri, 90)
    hover = {"jsonrpc": "2.0", "method": "textDocument/hover"}
    flood = [{**hover, "id": 10_000 + i, "params": client.at(uri, i % 40, 4)} for i in range(3000)]
    cancels = [
        {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 10_000 + i}}
        for i in range(0, 3000, 100)
    ]
    client.raw(b"".join(map(frame, flood + cancels)))
    for message in flood:
        answer = client.answer(message["id"], 120)
        assert "result" in answer or answer["error"]["code"] == -32800, answer
    assert client.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
