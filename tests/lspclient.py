"""A small LSP client over a real ``planc lsp`` process's stdin and stdout, as an editor talks.

JSON-RPC with ``Content-Length`` headers; a reader thread files every message
the server sends: answers by id, notifications (``publishDiagnostics``) in
order of arrival, and requests from the server (``client/registerCapability``)
answered at once. Used by the tests and by ``bench/lsp.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

Message = dict[str, Any]


class ServerGone(RuntimeError):
    """The server process ended or closed its output."""


class LspClient:
    def __init__(
        self,
        cwd: Path | None = None,
        *,
        initialization_options: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
        prelude: str = "",
        initialize: bool = True,
    ) -> None:
        # ``prelude``: Python run in the server process before planc starts (a test's fault)
        script = prelude + "\nfrom planc.cli import main\nmain()\n"
        command = [sys.executable, "-c", script, "lsp", "--stdio"]
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            env={**os.environ, **(env or {})},
        )
        self._next_id = 0
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._answers: dict[int, Message] = {}
        self.notifications: list[tuple[float, Message]] = []
        self._gone = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.stderr: list[bytes] = []
        self._stderr_drained = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_drained.start()
        self.versions: dict[str, int] = {}
        self.capabilities: dict[str, Any] = {}
        if initialize:
            self.initialize(initialization_options)

    def initialize(self, initialization_options: dict[str, Any] | None = None) -> None:
        self.capabilities = self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": None,
                "capabilities": {
                    "general": {"positionEncodings": ["utf-8", "utf-16"]},
                    "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}},
                    "textDocument": {"publishDiagnostics": {}},
                },
                "initializationOptions": initialization_options or {},
            },
            timeout=60,
        )["capabilities"]
        self.notify("initialized", {})

    # --- the wire ------------------------------------------------------------

    def _send(self, message: Message) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        stdin.flush()

    def raw(self, data: bytes) -> None:
        """Bytes written as they are: a broken client's framing, or none."""
        stdin = self.process.stdin
        assert stdin is not None
        stdin.write(data)
        stdin.flush()

    def answer(self, ident: int | str, timeout: float = 30) -> Message:
        """The whole answer to request ``ident`` (sent with :meth:`raw`), error included."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while ident not in self._answers:
                if self._gone:
                    raise ServerGone(f"{ident}: the server is gone")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{ident}: no answer in {timeout} s")
                self._changed.wait(left)
            return self._answers.pop(ident)

    def ended(self, timeout: float = 30) -> int:
        """The server's exit status once it has ended (and all its stderr is read)."""
        code = self.process.wait(timeout=timeout)
        self._stderr_drained.join(timeout)
        return code

    def stderr_lines(self) -> list[str]:
        return b"".join(self.stderr).decode("utf-8", "replace").splitlines()

    def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        try:
            while True:
                length = None
                while True:
                    line = stdout.readline()
                    if not line:
                        raise EOFError
                    if line in (b"\r\n", b"\n"):
                        break
                    name, _, value = line.decode("ascii").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                if length is None:
                    continue
                message = json.loads(stdout.read(length))
                self._file(message)
        except (EOFError, ValueError, OSError):
            with self._changed:
                self._gone = True
                self._changed.notify_all()

    def _file(self, message: Message) -> None:
        if "method" in message and "id" in message:  # a request from the server
            self._send({"id": message["id"], "result": None})
            return
        with self._changed:
            if "id" in message:
                self._answers[message["id"]] = message
            else:
                self.notifications.append((time.perf_counter(), message))
            self._changed.notify_all()

    def _drain_stderr(self) -> None:
        stderr = self.process.stderr
        assert stderr is not None
        for line in stderr:
            self.stderr.append(line)

    # --- requests ------------------------------------------------------------

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float = 30) -> Any:
        with self._lock:
            self._next_id += 1
            ident = self._next_id
        self._send({"id": ident, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        with self._changed:
            while ident not in self._answers:
                if self._gone:
                    raise ServerGone(f"{method}: the server is gone")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{method}: no answer in {timeout} s")
                self._changed.wait(left)
            answer = self._answers.pop(ident)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer.get("result")

    def wait_for(
        self, accept: Callable[[Message], bool], timeout: float = 60, after: int = 0
    ) -> tuple[int, float, Message]:
        """The first notification from index ``after`` on that ``accept`` takes."""
        deadline = time.monotonic() + timeout
        with self._changed:
            index = after
            while True:
                while index < len(self.notifications):
                    at, message = self.notifications[index]
                    index += 1
                    if accept(message):
                        return index, at, message
                if self._gone:
                    raise ServerGone("the server is gone")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no such notification in {timeout} s")
                self._changed.wait(left)

    def mark(self) -> int:
        with self._lock:
            return len(self.notifications)

    def diagnostics(
        self,
        uri: str,
        timeout: float = 60,
        after: int = 0,
        accept: Callable[[list[Message]], bool] | None = None,
        version: int | None = None,
    ) -> list[Message]:
        """The next diagnostics published for ``uri`` (after notification ``after``; of the
        buffer's ``version`` when given)."""

        def wanted(message: Message) -> bool:
            if message.get("method") != "textDocument/publishDiagnostics":
                return False
            params = message["params"]
            if params["uri"] != uri or (version is not None and params.get("version") != version):
                return False
            return accept is None or accept(params["diagnostics"])

        _, _, message = self.wait_for(wanted, timeout, after)
        found: list[Message] = message["params"]["diagnostics"]
        return found

    # --- documents -----------------------------------------------------------

    def open(self, path: Path, text: str | None = None) -> str:
        uri = path.absolute().as_uri()
        self.versions[uri] = 1
        body = path.read_text(encoding="utf-8") if text is None else text
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": body}},
        )
        return uri

    def change(
        self,
        uri: str,
        text: str,
        start: tuple[int, int] | None = None,
        end: tuple[int, int] | None = None,
    ) -> None:
        """Replace the whole text, or the range ``start``-``end`` (line, UTF-16 column) with it."""
        self.versions[uri] += 1
        change: dict[str, Any] = {"text": text}
        if start is not None:
            stop = end or start
            change["range"] = {
                "start": {"line": start[0], "character": start[1]},
                "end": {"line": stop[0], "character": stop[1]},
            }
        self.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": self.versions[uri]},
                "contentChanges": [change],
            },
        )

    def close(self, uri: str) -> None:
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    def at(self, uri: str, line: int, character: int) -> dict[str, Any]:
        return {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}

    def shutdown(self) -> int:
        try:
            self.request("shutdown", None, timeout=20)
            self.notify("exit", None)
        except (ServerGone, TimeoutError, OSError):
            pass
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()
