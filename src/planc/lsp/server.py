"""The language server (pygls 2): diagnostics as you type, and the features of :mod:`features`.

Threads: pygls answers requests on its event loop; every compile runs on one
worker thread of our own, so hover and completion stay answered while a large
plan compiles. The model those features read is built on that thread too, when
the user pauses: an edit meanwhile stops it at its next step (a file, the model)
and is compiled then. (On a thread of its own beside the compile, the model made
an edit's diagnostics 1.2-1.5x slower: two threads share one interpreter.) An edit raises its quarter's generation and schedules a compile
after a short pause (``debounce``); a compile overtaken by a newer edit stops
between two checks and publishes nothing (see :mod:`planc.lsp.session`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
import sys
import threading
import time
import traceback
from collections.abc import Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote

from lsprotocol import types
from lsprotocol.types import ResponseErrorMessage
from pygls.exceptions import JsonRpcInvalidRequest, JsonRpcServerNotInitialized
from pygls.lsp.server import LanguageServer
from pygls.protocol import (
    JsonRPCNotification,
    JsonRPCRequestMessage,
    JsonRPCResponseMessage,
    LanguageServerProtocol,
)
from pygls.protocol.language_server import lsp_method
from pygls.uris import from_fs_path, to_fs_path

from planc import __version__
from planc.core.diagnostics import Diagnostic, Severity
from planc.core.frontend import CheckResult
from planc.core.loader import DEFAULT_MAX_BYTES, TOO_LARGE
from planc.core.memory import collect_frozen
from planc.core.pipeline import HEAD_BYTES, is_quarter_text
from planc.core.safetext import printable
from planc.core.source import Loc, SourceSpan
from planc.lsp import features, wire
from planc.lsp.document import PlanDocument, PlanWorkspace
from planc.lsp.outline import outline_json
from planc.lsp.rules import CHECK_FAILED
from planc.lsp.session import Cancelled, QuarterSession, compile_alone, quarter_root
from planc.lsp.text import lines_of

LOG = logging.getLogger("planc.lsp")
DEBOUNCE_SECONDS = 0.05  # keystrokes closer than this are compiled once
# The model the features read is rebuilt only after this much quiet: while the user types,
# the editor's automatic questions (code actions, hovers) must not hold up the diagnostics
MODEL_QUIET_SECONDS = 0.5
# the ids of the last requests answered, for a $/cancelRequest that comes after its answer
ANSWERED_KEPT = 1024
# after this long without an edit, the garbage cycles frozen with the models since the last
# sweep are collected (one full pass; a keystroke during it waits for it)
SWEEP_IDLE_SECONDS = 30.0
SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


class _Utf16Protocol(LanguageServerProtocol):
    """Positions in UTF-16 code units, the encoding every client supports.

    pygls would take the client's first preference (Neovim offers UTF-8 first);
    planc's spans are in code points and are converted to UTF-16 in one place
    (:mod:`planc.lsp.text`), so the server always answers in UTF-16.
    """

    tracebacks = False  # in an internal error's answer: set by serve() when asked for
    initialize_seen = False  # set (on the instance) when the initialize request comes

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answered: dict[Any, None] = {}  # the last ANSWERED_KEPT ids answered, oldest first
        self.answered_lock = threading.Lock()  # answers may be sent from pygls's threads

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Generator[Any, Any, Any]:
        if params.capabilities.general is not None:
            params.capabilities.general.position_encodings = None
        steps = super().lsp_initialize(params)
        sent: Any = None
        while True:
            try:
                step = steps.send(sent)
            except StopIteration as done:
                self._plan_workspace()
                return done.value
            # pygls makes its workspace before its first step: ours edits buffers in place
            self._plan_workspace()
            sent = yield step

    def _plan_workspace(self) -> None:
        if self._workspace is not None and not isinstance(self._workspace, PlanWorkspace):
            self._workspace = PlanWorkspace.like(self._workspace)

    def structure_message(self, data: dict[str, Any]) -> Any:
        """pygls's, without the traceback it logs for a message of the wrong shape: that is
        the client's, answered -32602 by :func:`planc.lsp.wire.handle` (which calls this
        on the message itself, never on the objects inside its params)."""
        if "jsonrpc" not in data:
            return data
        if "id" in data:
            if "error" in data:
                return self._converter.structure(data, ResponseErrorMessage)
            if "method" in data:
                kind = self.get_message_type(data["method"]) or JsonRPCRequestMessage
                return self._converter.structure(data, kind)
            kind = self._result_types.pop(data["id"], None) or JsonRPCResponseMessage
            return self._converter.structure(data, kind)
        kind = self.get_message_type(data.get("method", "")) or JsonRPCNotification
        return self._converter.structure(data, kind)

    def _send_response(
        self, msg_id: Any, result: Any = None, error: types.ResponseError | None = None
    ) -> None:
        """pygls's; the traceback pygls puts in an internal error's data is kept from the
        client unless asked for (``--debug``, ``PLANC_DEBUG``), as planc's CLI does."""
        if (
            error is not None
            and not self.tracebacks
            and isinstance(error.data, dict)
            and "traceback" in error.data
        ):
            error = types.ResponseError(code=error.code, message=error.message)
        super()._send_response(msg_id, result, error)
        if msg_id is not None:
            with self.answered_lock:
                self.answered[msg_id] = None
                if len(self.answered) > ANSWERED_KEPT:
                    del self.answered[next(iter(self.answered))]

    def _handle_cancel_notification(self, msg_id: Any) -> None:
        """pygls's, without the warning it logs for a request already answered: an editor
        cancels what it no longer needs, and the answer often crossed the cancel on the
        wire (normal, and a line in the editor's log for every one). A cancel of an id
        the server never saw is still said."""
        with self.answered_lock:
            seen = msg_id in self.answered
        if seen:
            LOG.debug("$/cancelRequest of %s, already answered: nothing to cancel", msg_id)
            return
        super()._handle_cancel_notification(msg_id)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: types.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, Any]:
        """pygls's, for a document the client opened; a change to any other is dropped with
        one line (pygls raised KeyError, and showed the editor "Error in server")."""
        uri = params.text_document.uri
        oversized: dict[str, types.Diagnostic] = getattr(self._server, "oversized", {})
        whole = any(
            isinstance(c, types.TextDocumentContentChangeWholeDocument)
            for c in params.content_changes
        )
        if unquote(uri) in oversized and whole:
            # back under the limit, the whole text again: the buffer is right again (a didOpen
            # dropped for its size never opened it: opened now, with that text)
            del oversized[unquote(uri)]
            if unquote(uri) not in self.workspace.text_documents:
                item = types.TextDocumentItem(uri, "yaml", params.text_document.version, "")
                self.workspace.put_text_document(item)
        if unquote(uri) not in self.workspace.text_documents:
            if unquote(uri) not in oversized:
                LOG.warning("didChange of %s, which is not open: ignored", uri[:200])
            return None
        return (yield from super().lsp_text_document__did_change(params))

    def handle_message(self, message: Any) -> None:
        """As the LSP says: before initialize a request is answered ServerNotInitialized
        (pygls ran it: -32603, and 'Error in server' shown for a notification); after
        shutdown, InvalidRequest (pygls dropped it, and the client waited for good). A
        notification then, but exit, is dropped."""
        method = getattr(message, "method", None)
        if method == types.INITIALIZE:
            self.initialize_seen = True
        elif method is not None and method != types.EXIT and not self.initialize_seen:
            ident = getattr(message, "id", None)
            if ident is not None:
                early = JsonRpcServerNotInitialized(f"{method}: initialize first")
                self._send_response(ident, None, early.to_response_error())
            else:
                LOG.warning("%s before initialize: ignored", method[:200])
            return
        if self._shutdown and method is not None and method != types.EXIT:
            ident = getattr(message, "id", None)
            if ident is not None:
                error = JsonRpcInvalidRequest(f"{method}: the server is shutting down")
                self._send_response(ident, None, error.to_response_error())
            return
        super().handle_message(message)


class _Output:
    """Standard output for pygls, flushed at each message; once the client has closed it,
    one line says so and what follows is dropped (pygls logged a traceback, or a line,
    for every message it could not send). The server stops when its input ends or exit
    comes, as before."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.gone = False

    def write(self, data: bytes) -> None:
        if self.gone:
            return
        try:
            self.stream.write(data)
            self.stream.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.gone = True
            LOG.error("the client closed the server's output: nothing more is sent")

    def close(self) -> None:
        with contextlib.suppress(OSError):  # what was left for a closed pipe
            self.stream.close()


@dataclass(slots=True)
class Options:
    """What the client may set in ``initializationOptions``."""

    debounce: float = DEBOUNCE_SECONDS
    max_bytes: int = DEFAULT_MAX_BYTES
    # send ``$/planc/timings`` after each publish and ``$/planc/teams`` when the team records
    # of a file opened later are made (bench/lsp.py and the tests read them)
    timings: bool = False

    @classmethod
    def of(cls, raw: object) -> Options:
        options = cls()
        if isinstance(raw, dict):
            debounce = raw.get("debounceMs")
            if isinstance(debounce, int | float) and 0 <= debounce <= 5000:
                options.debounce = debounce / 1000
            size = raw.get("maxFileSize")
            if isinstance(size, int) and size > 0:
                options.max_bytes = size
            options.timings = raw.get("timings") is True
        return options


class PlanServer(LanguageServer):
    """planc's language server: one :class:`QuarterSession` per quarter folder."""

    def __init__(self) -> None:
        super().__init__("planc", __version__, protocol_cls=_Utf16Protocol)
        self.options = Options()
        self.sessions: dict[Path, QuarterSession] = {}
        self.views: dict[Path, features.PlanView] = {}
        self.alone: dict[Path, int] = {}  # files outside any quarter: their generation
        self.compiler = ThreadPoolExecutor(max_workers=1, thread_name_prefix="planc-compile")
        self.pending: set[asyncio.Task[None]] = set()
        self.stopping = False  # after shutdown: nothing is compiled any more
        self.roots: dict[Path, Path | None] = {}  # file -> its quarter folder (None: outside)
        self.last_edit: dict[Path, float] = {}  # quarter folder -> when its last edit came
        self.last_publish: dict[Path, float] = {}  # quarter folder -> when it was last published
        self.running: dict[Path, asyncio.Future[CheckResult]] = {}  # its compile under way
        self.sent: dict[str, tuple[int | None, list[types.Diagnostic]]] = {}  # uri -> last sent
        self.preparing: dict[Path, bool] = {}  # quarter folder -> team records being made
        self.sweep: asyncio.Task[None] | None = None  # the idle collection, re-armed by edits
        # uri (unquoted, as pygls keys documents) -> the diagnostic of its didOpen or didChange
        # dropped for its size: shown for it until its whole text comes again within the limit
        self.oversized: dict[str, types.Diagnostic] = {}

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """pygls's stdio server, read by :func:`planc.lsp.wire.serve` (bounded; a malformed
        message answered or said in one line); ``exit`` ends it with the LSP's code
        (0 after shutdown, else 1), which pygls's own loop turned into 0."""
        self._stop_event = stop = threading.Event()
        self.protocol.set_writer(_Output(stdout or sys.stdout.buffer))
        try:
            asyncio.run(
                wire.serve(
                    stop,
                    stdin or sys.stdin.buffer,
                    self.protocol,
                    self.thread_pool,
                    lambda: self.options.max_bytes,
                    self.dropped_for_size,
                )
            )
        except BrokenPipeError:
            LOG.error("the client closed its end of the connection: stopping")
        finally:
            self.shutdown()  # type: ignore[no-untyped-call]  # pygls is untyped here

    # --- documents ---------------------------------------------------------

    def dropped_for_size(self, found: wire.Oversized) -> None:
        """A didOpen or didChange the wire dropped for its size: one diagnostic at the top of
        its file says so (the editor showed nothing, or what the file had before), until a
        didOpen, or a didChange with the whole text, comes within the limit. Its buffer is
        not known meanwhile: a change to a part of it leaves the diagnostic."""
        uri = found.uri
        key = unquote(uri)
        path = _path(uri)
        opened = key in self.workspace.text_documents
        changed = found.method == types.TEXT_DOCUMENT_DID_CHANGE
        if path is None or (changed and not opened and key not in self.oversized):
            return  # no file, or a change to a document never opened (said by the wire)
        problem = TOO_LARGE.at(
            SourceSpan(str(path), 1, 1),
            f"file is too large to check: the editor sent it in a message of {found.length:,}"
            f" bytes, over the bound of {found.limit:,} (3 times maxFileSize plus 1 MiB)",
            "split the region into several files, or raise maxFileSize in the server's "
            "initializationOptions",
        )
        self.oversized[key] = self._convert(problem, b"")
        self._send(uri, [], found.version)

    def buffers(self) -> dict[Path, bytes]:
        """Every open document's text, by absolute path."""
        out: dict[Path, bytes] = {}
        for uri, document in list(self.workspace.text_documents.items()):
            path = _path(uri)
            if path is not None:
                out[path] = _bytes_of(document)
        return out

    def versions(self) -> dict[str, int]:
        """Every open document's version, by absolute path (what a compile is about to read)."""
        out: dict[str, int] = {}
        for uri, document in list(self.workspace.text_documents.items()):
            path = _path(uri)
            if path is not None and document.version is not None:
                out[str(path)] = document.version
        return out

    def _became_a_quarter_file(self, path: Path) -> bool:
        """A buffer now typed as ``kind: quarter`` whose folder was not its quarter yet."""
        document = self.workspace.text_documents.get(self._uri(str(path)))
        if document is None or self.roots.get(path) == path.parent:
            return False
        return is_quarter_text(document.source[:HEAD_BYTES].encode("utf-8", "surrogatepass"))

    def heads(self) -> dict[Path, bytes]:
        """The start of every open document: enough to tell which quarter it belongs to."""
        out: dict[Path, bytes] = {}
        for uri, document in list(self.workspace.text_documents.items()):
            path = _path(uri)
            if path is not None:
                out[path] = document.source[:HEAD_BYTES].encode("utf-8", "surrogatepass")
        return out

    def text_of(self, uri: str) -> str:
        """The open buffer's text; for a URI the client did not open, the file's when it is
        a regular file within ``maxFileSize`` (pygls would read a FIFO, /dev/zero or a
        folder as it is, on the event loop: a hang, all memory, or a traceback), else ""."""
        document = self.workspace.text_documents.get(unquote(uri))
        if document is not None:
            return str(document.source)
        path = _path(uri)
        return "" if path is None else _regular_text(path, self.options.max_bytes)

    def session_for(self, path: Path) -> QuarterSession | None:
        """The session of the quarter ``path`` belongs to (looked up once per file: the
        folders are read again only after a file is opened, closed or changed on disk)."""
        if path in self.roots and not self._became_a_quarter_file(path):
            root = self.roots[path]
        else:
            root = self.roots[path] = quarter_root(path, self.heads())
        if root is None:
            return None
        session = self.sessions.get(root)
        if session is None:
            session = QuarterSession(root, self.options.max_bytes)
            self.sessions[root] = session
        return session

    # --- compiling ---------------------------------------------------------

    def schedule(self, uri: str) -> None:
        """Compile the quarter ``uri`` belongs to, unless a newer edit comes first.

        An edit after a quiet spell is compiled at once (its diagnostics are what
        the user waits for); an edit that follows another within the debounce is
        part of a burst, and waits the debounce for the next keystroke. Either
        way a newer edit cancels the older compile."""
        path = _path(uri)
        if path is None or self.stopping:
            return
        session = self.session_for(path)
        if session is None:
            self.alone[path] = self.alone.get(path, 0) + 1
            self._spawn(self._compile_alone(uri, path, self.alone[path]))
            return
        self._sweep_when_idle()
        now = time.monotonic()
        burst = now - self.last_edit.get(session.root, -1e9) < self.options.debounce
        self.last_edit[session.root] = now
        session.generation += 1
        if burst:
            self._spawn(self._compile(session, uri, session.generation, asked=now))
            return
        # handed to the compile thread now, before the loop answers what came with the edit
        # (an editor asks for code actions and the outline as the user types)
        started = self._start(session, session.generation)
        self._spawn(self._finish(session, uri, session.generation, now, *started))

    def _sweep_when_idle(self) -> None:
        """Collect what the compiles froze once the user has stopped typing for a while
        (each edit re-arms it): the partitioned check and the features' model freeze what
        they leave alive, and a cycle frozen as garbage would otherwise stay for good."""
        if self.sweep is not None:
            self.sweep.cancel()
        self.sweep = asyncio.get_running_loop().create_task(self.sweep_later(SWEEP_IDLE_SECONDS))

    async def sweep_later(self, delay: float) -> None:
        await asyncio.sleep(delay)
        if self.stopping:
            return
        loop = asyncio.get_running_loop()
        try:  # on the compile thread: never beside a compile
            found = await loop.run_in_executor(self.compiler, collect_frozen)
        except RuntimeError:  # the executor was shut down meanwhile
            return
        LOG.debug("idle collection: %d unreachable objects", found)

    def _spawn(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def _compile(
        self, session: QuarterSession, uri: str, generation: int, asked: float | None = None
    ) -> None:
        asked = time.monotonic() if asked is None else asked
        await asyncio.sleep(self.options.debounce)
        if generation != session.generation:
            return
        await self._finish(session, uri, generation, asked, *self._start(session, generation))

    def _start(
        self, session: QuarterSession, generation: int
    ) -> tuple[float, dict[str, int], asyncio.Future[CheckResult]]:
        """Hand the compile of the buffers as they are now to the compile thread."""
        started = time.monotonic()
        buffers = self.buffers()
        versions = self.versions()
        loop = asyncio.get_running_loop()
        running = loop.run_in_executor(
            self.compiler, session.compile_diagnostics, buffers, generation
        )
        self.running[session.root] = running
        return started, versions, running

    async def settled(self, session: QuarterSession) -> None:
        """Wait (a minute at most) until the diagnostics are out and the user has neither
        typed nor been shown new diagnostics for ``MODEL_QUIET_SECONDS``: the work the
        editor's own questions need (the model, the outline) then does not hold up the
        next keystroke's diagnostics."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while not self.stopping:
            await self.diagnostics_done(session)
            quiet = time.monotonic() - max(
                self.last_edit.get(session.root, -1e9), self.last_publish.get(session.root, -1e9)
            )
            if quiet >= MODEL_QUIET_SECONDS or loop.time() > deadline:
                return
            await asyncio.sleep(MODEL_QUIET_SECONDS - quiet)

    async def diagnostics_done(self, session: QuarterSession) -> None:
        """Wait (a minute at most) until no diagnostics compile of ``session`` is under way
        or due: what the editor asks as the user types is answered after the diagnostics."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while loop.time() < deadline and not self.stopping:
            running = self.running.get(session.root)
            if running is not None and not running.done():
                await asyncio.wait([running], timeout=deadline - loop.time())
            elif time.monotonic() - self.last_edit.get(session.root, -1e9) < max(
                self.options.debounce, 0.01
            ):
                await asyncio.sleep(max(self.options.debounce, 0.01))  # a compile is due
            else:
                return

    async def _finish(
        self,
        session: QuarterSession,
        uri: str,
        generation: int,
        asked: float,
        started: float,
        versions: dict[str, int],
        running: asyncio.Future[CheckResult],
    ) -> None:
        try:
            result = await running
        except Cancelled:
            return
        except Exception as error:
            LOG.exception("compile of %s failed", session.root)
            self._publish_failure(session, uri, error)
            return
        if generation != session.generation:
            return
        compiled = time.monotonic()
        self.last_publish[session.root] = compiled
        self.views.pop(session.root, None)
        sent = self._publish(session, uri, result.diagnostics, set(result.sources), versions)
        if not self.preparing.get(session.root) and session.needs_teams(self.buffers()):
            self.preparing[session.root] = True
            self._spawn(self._prepare(session))
        if self.options.timings:
            done = time.monotonic()
            phases = {
                "wait": started - asked,
                **session.timings,
                "compile": compiled - started,
                "publish": done - compiled,
                "total": done - asked,
            }
            self.protocol.notify(
                "$/planc/timings",
                {"uri": uri, "version": versions.get(str(_path(uri))), "phases": phases, **sent},
            )

    async def _prepare(self, session: QuarterSession) -> None:
        """Once the user pauses: the team records of open files that have none (a file opened
        in a folder compiled before), so that its first edit costs what the later ones do.
        An edit meanwhile cancels it (that edit's compile keeps its file's teams itself)."""
        try:
            await self.settled(session)
            buffers = self.buffers()
            if self.stopping or not session.needs_teams(buffers):
                return
            loop = asyncio.get_running_loop()
            made = await loop.run_in_executor(
                self.compiler, session.prepare, buffers, session.generation
            )
            if self.options.timings:  # the tests and the bench wait for it
                self.protocol.notify("$/planc/teams", {"root": str(session.root), "files": made})
        except Cancelled:
            pass
        except Exception:
            LOG.exception("team records of %s failed", session.root)
        finally:
            self.preparing.pop(session.root, None)

    async def _compile_alone(self, uri: str, path: Path, generation: int) -> None:
        await asyncio.sleep(self.options.debounce)
        if self.alone.get(path) != generation:
            return
        document = self.workspace.text_documents.get(uri)
        data = document.source.encode("utf-8", "surrogatepass") if document else b""
        version = document.version if document else None
        loop = asyncio.get_running_loop()
        try:
            found = await loop.run_in_executor(
                self.compiler, compile_alone, path, data, self.options.max_bytes
            )
        except Exception:
            LOG.exception("compile of %s failed", path)
            return
        if self.alone.get(path) == generation:
            self._send(uri, [self._convert(d, data) for d in found], version)

    def _publish(
        self,
        session: QuarterSession,
        uri: str,
        found: list[Diagnostic],
        files: set[str],
        versions: dict[str, int],
    ) -> dict[str, int]:
        """Send each affected file's diagnostics; a file other than the edited one whose
        diagnostics and version are what it was last sent is not sent again."""
        by_file: dict[str, list[Diagnostic]] = {}
        trigger = str(_path(uri))
        for diagnostic in found:
            span = diagnostic.span
            where = span.path if span is not None and span.path in files else trigger
            by_file.setdefault(where, []).append(diagnostic)
        sources = session.result.sources if session.result else {}
        sent = skipped = 0
        for file in sorted(set(by_file) | session.published | {trigger}):
            source = sources.get(file)
            data = source.data if source is not None else self._buffer_bytes(file)
            target = self._uri(file)
            lines = self._lines_for(target, data)
            converted = [self._convert(d, data, lines) for d in by_file.get(file, [])]
            version = versions.get(file)
            if file != trigger and self.sent.get(target) == (version, converted):
                skipped += 1
                continue
            self._send(target, converted, version)
            sent += 1
        session.published = set(by_file)
        return {"files_sent": sent, "files_unchanged": skipped, "diagnostics": len(found)}

    def _publish_failure(self, session: QuarterSession, uri: str, error: Exception) -> None:
        path = str(_path(uri))
        said = " ".join(str(error).split())[:200]
        failure = CHECK_FAILED.at(
            SourceSpan(path, 1, 1),
            f"planc failed while compiling {session.root}: {type(error).__name__}"
            + (f": {said}" if said else ""),
            "a bug in planc, not in the plan: report it with this plan",
        )
        self._send(uri, [self._convert(failure, self._buffer_bytes(path))])
        session.published.add(path)

    def _send(
        self, uri: str, diagnostics: list[types.Diagnostic], version: int | None = None
    ) -> None:
        """Publish; ``version`` is the version of the buffer the compile read, if it was open.
        A file whose text was dropped for its size gets that said instead."""
        dropped = self.oversized.get(unquote(uri))
        if dropped is not None:
            diagnostics = [dropped]
        self.sent[uri] = (version, diagnostics)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    def _buffer_bytes(self, file: str) -> bytes:
        document = self.workspace.text_documents.get(self._uri(file))
        return _bytes_of(document) if document else b""

    def _lines_for(self, uri: str, data: bytes) -> Sequence[str]:
        """The lines of ``data`` to place diagnostics in: the open buffer's own when ``data``
        is its text now (no decoding and splitting of a large file on every keystroke)."""
        document = self.workspace.text_documents.get(uri)
        if isinstance(document, PlanDocument):
            lines = document.planc_lines(data)
            if lines is not None:
                return lines
        return _lines(data)

    def _uri(self, file: str) -> str:
        """The URI the client opened ``file`` under (its own spelling), else one of ours."""
        for uri in self.workspace.text_documents:
            if str(_path(uri)) == file:
                return str(uri)
        return str(from_fs_path(file) or Path(file).as_uri())

    def _convert(
        self, diagnostic: Diagnostic, data: bytes, lines: Sequence[str] | None = None
    ) -> types.Diagnostic:
        span = diagnostic.span or SourceSpan("", 1, 1)
        lines = _lines(data) if lines is None else lines
        message = diagnostic.message
        if diagnostic.hint:
            message += f"\nhint: {diagnostic.hint}"
        loc: Loc | None = diagnostic.loc
        return types.Diagnostic(
            range=features.lsp_range(lines, span),
            message=message,
            severity=SEVERITY[diagnostic.severity],
            code=diagnostic.code,
            source="planc",
            data={"path": list(loc.path) if loc is not None else None, "hint": diagnostic.hint},
        )

    # --- what features read ---------------------------------------------------

    async def ready_view(self, uri: str) -> features.PlanView | None:
        """:meth:`view_for` once the model is as new as the diagnostics published.

        After an edit the diagnostics come from the plan checked by its files; the model
        that hover, completion and the code actions read is built when one of them asks,
        on the compile thread, while the editor is served, once the user has neither
        typed nor been shown new diagnostics for ``MODEL_QUIET_SECONDS``. An edit
        meanwhile stops it at its next step (a file, the model): that edit's diagnostics
        are compiled next, and the model is then built for that edit."""
        path = _path(uri)
        session = self.session_for(path) if path is not None else None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while session is not None and session.stale and not self.stopping:
            await self.settled(session)
            try:
                await loop.run_in_executor(self.compiler, session.refresh)
            except Cancelled:  # a newer edit: wait for its compile, then build its model
                if loop.time() > deadline:
                    break
                await asyncio.sleep(max(self.options.debounce, 0.01))
            except Exception:
                LOG.exception("model of %s failed", session.root)
                break
        return self.view_for(uri)

    def view_for(self, uri: str) -> features.PlanView | None:
        """The newest model of the quarter ``uri`` belongs to, with its lookups."""
        path = _path(uri)
        session = self.session_for(path) if path is not None else None
        if session is None or session.plan is None:
            return None
        view = self.views.get(session.root)
        if view is None or view.plan is not session.plan:
            view = features.PlanView(session.plan, session.plan_sources)
            self.views[session.root] = view
        return view


def _bytes_of(document: Any) -> bytes:
    """An open buffer's text as the bytes a compile reads."""
    if isinstance(document, PlanDocument):
        return document.data
    return str(document.source).encode("utf-8", "surrogatepass")


def _regular_text(path: Path, max_bytes: int) -> str:
    """The text of ``path`` as pygls reads it (UTF-8, universal newlines) when it is a
    regular file of at most ``max_bytes``; "" for anything else (never blocks on a FIFO)."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return ""
    try:
        found = os.fstat(handle)
        if not stat.S_ISREG(found.st_mode) or found.st_size > max_bytes:
            return ""
        with open(handle, encoding="utf-8", closefd=False) as file:
            return file.read()
    except (OSError, UnicodeError):
        return ""
    finally:
        os.close(handle)


def _path(uri: str) -> Path | None:
    try:
        path = to_fs_path(uri)
    except Exception:  # noqa: BLE001 - a URI we cannot read is not a plan file
        return None
    if not path or "\x00" in path:
        return None
    try:  # a name no file can have (a lone surrogate from the client) is no plan file
        os.fsencode(path)
    except UnicodeError:
        return None
    return Path(path).absolute()


_LINES_CACHE: dict[int, tuple[bytes, list[str]]] = {}


def _lines(data: bytes) -> list[str]:
    """A file's lines for converting columns (the last few files kept: reports repeat them)."""
    kept = _LINES_CACHE.get(id(data))
    if kept is not None and kept[0] is data:
        return kept[1]
    lines = lines_of(data.decode("utf-8", "replace").removeprefix("\ufeff"))
    if len(_LINES_CACHE) > 8:
        _LINES_CACHE.clear()
    _LINES_CACHE[id(data)] = (data, lines)
    return lines


SERVER = PlanServer()


@SERVER.feature(types.INITIALIZE)
def _initialize(server: PlanServer, params: types.InitializeParams) -> None:
    server.options = Options.of(params.initialization_options)


@SERVER.feature(types.INITIALIZED)
async def _initialized(server: PlanServer, params: types.InitializedParams) -> None:
    watched = server.client_capabilities.workspace
    if watched is None or not (
        watched.did_change_watched_files and watched.did_change_watched_files.dynamic_registration
    ):
        return
    watchers = [types.FileSystemWatcher(glob_pattern=p) for p in ("**/*.yaml", "**/*.yml")]
    registration = types.Registration(
        id="planc-watch",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
    )
    try:
        await server.client_register_capability_async(types.RegistrationParams([registration]))
    except Exception:  # noqa: BLE001 - a client that refuses: files on disk are read at each compile
        LOG.info("the client did not accept the file watcher")


@SERVER.feature(types.SHUTDOWN)
def _shutdown(server: PlanServer, params: None) -> None:
    """A compile under way stops at its next check: exit is not kept waiting for it."""
    server.stopping = True
    if server.sweep is not None:
        server.sweep.cancel()
    for session in server.sessions.values():
        session.generation += 1
    server.compiler.shutdown(wait=False, cancel_futures=True)


@SERVER.feature(types.TEXT_DOCUMENT_DID_OPEN)
def _did_open(server: PlanServer, params: types.DidOpenTextDocumentParams) -> None:
    server.roots.clear()  # an unsaved quarter file makes its folder a quarter
    server.sent.pop(params.text_document.uri, None)  # a client may drop what it had
    server.oversized.pop(unquote(params.text_document.uri), None)  # whole, within the limit
    server.schedule(params.text_document.uri)


@SERVER.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def _did_change(server: PlanServer, params: types.DidChangeTextDocumentParams) -> None:
    server.schedule(params.text_document.uri)


@SERVER.feature(types.TEXT_DOCUMENT_DID_SAVE)
def _did_save(server: PlanServer, params: types.DidSaveTextDocumentParams) -> None:
    server.roots.clear()  # a new file saved into a folder may make it a quarter
    for session in server.sessions.values():
        session.disk.forget()  # the saved file is read from the disk again
    server.schedule(params.text_document.uri)


@SERVER.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def _did_close(server: PlanServer, params: types.DidCloseTextDocumentParams) -> None:
    # The disk's copy is the file again; a file outside any quarter loses its diagnostics.
    uri = params.text_document.uri
    path = _path(uri)
    server.roots.clear()
    server.sent.pop(uri, None)
    dropped = server.oversized.pop(unquote(uri), None) is not None
    if (
        dropped
        and path is not None
        and path not in server.alone
        and server.session_for(path) is None
    ):
        server._send(uri, [])  # outside any quarter and never compiled: nothing else clears it
        return
    if path is not None and path in server.alone:
        server.alone.pop(path)
        server._send(uri, [])
        return
    server.schedule(uri)


@SERVER.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def _watched(server: PlanServer, params: types.DidChangeWatchedFilesParams) -> None:
    """A plan file created, changed, deleted or renamed on disk: its quarter again."""
    server.roots.clear()
    for change in params.changes:
        path = _path(change.uri)
        if path is None:
            continue
        for root, session in list(server.sessions.items()):
            if path.is_relative_to(root) and not server.stopping:
                session.disk.forget()  # the client saw it change: read the folder again
                session.generation += 1
                server._spawn(server._compile(session, change.uri, session.generation))


@SERVER.feature(types.TEXT_DOCUMENT_HOVER)
async def _hover(server: PlanServer, params: types.HoverParams) -> types.Hover | None:
    view = await server.ready_view(params.text_document.uri)
    path = _path(params.text_document.uri)
    if view is None or path is None:
        return None
    return features.hover(
        view, str(path), server.text_of(params.text_document.uri), params.position
    )


@SERVER.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=[" ", "/", "[", ",", "{"]),
)
async def _completion(server: PlanServer, params: types.CompletionParams) -> types.CompletionList:
    view = await server.ready_view(params.text_document.uri)
    if view is None:
        return types.CompletionList(is_incomplete=False, items=[])
    text = server.text_of(params.text_document.uri)
    items = features.completion(view.plan, text, params.position)
    return types.CompletionList(is_incomplete=False, items=items)


@SERVER.feature(types.TEXT_DOCUMENT_DEFINITION)
async def _definition(server: PlanServer, params: types.DefinitionParams) -> list[types.Location]:
    view = await server.ready_view(params.text_document.uri)
    found = features.id_under(server.text_of(params.text_document.uri), params.position)
    if view is None or found is None:
        return []
    loc = features.definition_loc(view.plan, *found)
    place = features.location(view, loc) if loc is not None else None
    view.forget_trees(keep=loc.file if loc is not None else None)
    return [place] if place is not None else []


@SERVER.feature(types.TEXT_DOCUMENT_REFERENCES)
async def _references(server: PlanServer, params: types.ReferenceParams) -> list[types.Location]:
    view = await server.ready_view(params.text_document.uri)
    found = features.id_under(server.text_of(params.text_document.uri), params.position)
    if view is None or found is None:
        return []
    locs = features.reference_locs(view.plan, *found)
    if params.context.include_declaration:
        defined = features.definition_loc(view.plan, *found)
        locs = ([defined] if defined is not None else []) + locs
    places = [features.location(view, loc) for loc in locs]
    view.forget_trees(keep=locs[0].file if locs else None)
    return [p for p in places if p is not None]


@SERVER.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
)
async def _code_action(
    server: PlanServer, params: types.CodeActionParams
) -> list[types.CodeAction]:
    uri = params.text_document.uri
    path = _path(uri)
    if path is None:
        return []
    text = server.text_of(uri)
    view = await server.ready_view(uri)
    actions = []
    for diagnostic in params.context.diagnostics:
        action = _fix(diagnostic, uri, path, text, view)
        if action is not None:
            action.diagnostics = [diagnostic]
            actions.append(action)
    changed = _changed_target_fix(server, path, text, params.range.start, view)
    if changed is not None and changed.title not in {a.title for a in actions}:
        actions.append(changed)
    return actions


def _changed_target_fix(
    server: PlanServer,
    path: Path,
    text: str,
    position: types.Position,
    view: features.PlanView | None,
) -> types.CodeAction | None:
    """On a target whose number changed since the server first read the folder: a stub record."""
    session = server.session_for(path)
    if view is None or session is None or session.baseline is None:
        return None
    target = features.target_at(view, str(path), text, position)
    if target is None:
        return None
    quarter = view.plan.quarter.loc.file
    quarter_uri = server._uri(quarter)
    document = server.workspace.text_documents.get(quarter_uri)
    try:
        quarter_text = document.source if document else Path(quarter).read_text(encoding="utf-8")
    except (OSError, UnicodeError):
        return None
    before = session.baseline.get((target.node, target.metric))
    return features.changed_target_fix(
        view.plan, target, before, quarter_uri, quarter_text, date.today()
    )


def _fix(
    diagnostic: types.Diagnostic,
    uri: str,
    path: Path,
    text: str,
    view: features.PlanView | None,
) -> types.CodeAction | None:
    data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
    raw = data.get("path")
    yaml_path = tuple(p for p in raw if isinstance(p, str | int)) if isinstance(raw, list) else None
    if diagnostic.code == "PLC012":
        return features.modeline_fix(uri, path)
    if diagnostic.code == "PLC303" and yaml_path:
        return features.months_fix(uri, text, yaml_path)
    if diagnostic.code == "PLC602" and yaml_path and view is not None:
        return features.record_stub_fix(view.plan, uri, text, yaml_path, date.today())
    return None


@SERVER.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
async def _symbols(server: PlanServer, params: types.DocumentSymbolParams) -> list[Any]:
    # the editor asks for the outline as the user types: composing a large buffer takes a
    # while, so it waits for the diagnostics and runs off the loop
    path = _path(params.text_document.uri)
    session = server.session_for(path) if path is not None else None
    if session is not None:
        await server.settled(session)
    text = server.text_of(params.text_document.uri)
    return await asyncio.to_thread(outline_json, text)


class _OneLine(logging.Formatter):
    """A log record as one line on stderr (its error named, its traceback only when asked
    for with ``--debug`` or ``PLANC_DEBUG``): no traceback reaches the editor's log."""

    def __init__(self, debug: bool) -> None:
        super().__init__()
        self.debug = debug

    def format(self, record: logging.LogRecord) -> str:
        said = " ".join(record.getMessage().split())
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            named = " ".join(str(error).split())
            said += f" ({type(error).__name__}{': ' + named if named else ''})"
        said = printable(said if len(said) <= 300 else said[:297] + "...")
        if error is not None and self.debug:
            said += "\n" + "".join(traceback.format_exception(error)).rstrip()
        return f"planc lsp: {said}"


def serve(debug: bool = False) -> None:
    """Serve over stdin and stdout until the client says exit (warnings and errors on
    stderr, one line each)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine(debug))
    handler.setLevel(logging.WARNING)
    logging.getLogger().addHandler(handler)
    _Utf16Protocol.tracebacks = debug
    SERVER.start_io()
