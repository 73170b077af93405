"""The wire: framed JSON-RPC messages read from stdin, checked before pygls sees them.

pygls's own reading loop (``pygls.io_.run_async``) trusts its input: it reads a
header line of any length, hands the ``Content-Length`` it finds to
``stdin.read`` (``99999999999999999999``: an ``OverflowError`` and exit 3; a
large one: the whole body allocated up front), and logs a traceback for a body
that is not JSON, not an object or not of its method's shape, without answering
a request that came with it (the editor waits for good). :func:`serve` is that
loop for :meth:`planc.lsp.server.PlanServer.start_io`, bounded and answering:

- a header line is read ``HEADER_LINE_BYTES`` at a time and the headers of one
  message may take ``MAX_HEADER_BYTES`` (more is read and dropped, with one line);
- a body over :func:`message_limit` (three times ``maxFileSize``, 64 MiB by
  default, plus 1 MiB: what JSON's ``\\uXXXX`` escapes make of any text under
  the file limit) is read in chunks and dropped, with one line; a body is never
  held before its bytes arrive;
- a missing or unreadable ``Content-Length`` drops that message (one line), and
  the next header found is read again;
- JSON that does not parse is answered ``-32700`` when its id can be read from
  its start, a message that is not a JSON-RPC 2.0 request, notification or
  response ``-32600``, params of the wrong shape ``-32602`` (pygls answers an
  unknown method ``-32601``); without an id, one line on stderr and nothing sent.

Nothing here writes to stdout but pygls's own framed responses.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, BinaryIO

from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcParseError,
)
from pygls.protocol import JsonRPCProtocol

from planc.core.loader import DEFAULT_MAX_BYTES

LOG = logging.getLogger("planc.lsp")

HEADER_LINE_BYTES = 8 * 1024  # one header line is read this much at a time
MAX_HEADER_BYTES = 64 * 1024  # the headers of one message
CHUNK_BYTES = 1024 * 1024  # a body is read (or dropped) this much at a time
HEAD_BYTES_KEPT = 64 * 1024  # of a body over the limit: read for its method and document
_LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*([^\r\n]*)", re.IGNORECASE)
_DIGITS = re.compile(rb"[0-9]{1,20}")


def message_limit(max_bytes: int) -> int:
    """The largest body read: a file of ``max_bytes`` (at least the loader's default)
    sent as JSON, where ``\\uXXXX`` escapes take at most three times its UTF-8 bytes
    (an emoji: 4 bytes, two escapes of 6), plus 1 MiB for the rest of the message."""
    return 3 * max(max_bytes, DEFAULT_MAX_BYTES) + 1024 * 1024


@dataclass(slots=True)
class Frame:
    """One message read off the wire: its body, or why there is none."""

    body: bytes | None = None
    problem: str | None = None  # said on stderr in one line (the message is dropped)
    end: bool = False  # the input ended
    # a message dropped for its size: its first bytes and its length, to tell the editor
    head: bytes | None = None
    length: int = 0


def read_frame(stdin: BinaryIO, limit: int) -> Frame:
    """The next message (blocking; on a thread of its own): headers, then the body."""
    headers = _headers(stdin)
    if isinstance(headers, Frame):
        return headers
    length, unreadable, seen = headers
    if seen > MAX_HEADER_BYTES:
        problem = f"a message with headers of {seen} bytes, over the limit of {MAX_HEADER_BYTES}"
    elif length is None:
        problem = (
            "a message without a Content-Length"
            if unreadable is None
            else f"a message whose Content-Length {_shown(unreadable)} is not a number of bytes"
        )
    elif length > limit:
        problem = (
            f"a message of {length} bytes, over the limit of {limit} "
            "(3 times maxFileSize plus 1 MiB)"
        )
    else:
        chunks: list[bytes] = []
        left = length
        while left:
            chunk = stdin.read(min(left, CHUNK_BYTES))
            if not chunk:
                return Frame(
                    end=True,
                    problem=f"the input ended {length - left} bytes into a message of {length}",
                )
            chunks.append(chunk)
            left -= len(chunk)
        return Frame(body=b"".join(chunks))
    if length is not None and length > limit:
        head = stdin.read(min(length, HEAD_BYTES_KEPT))  # where its method and document are
        if _drop(stdin, length - len(head)):
            return Frame(end=True, problem=f"{problem}: the input ended inside it")
        return Frame(problem=f"{problem}: dropped", head=head, length=length)
    if length is not None and _drop(stdin, length):
        return Frame(end=True, problem=f"{problem}: the input ended inside it")
    return Frame(problem=f"{problem}: dropped")


def _headers(stdin: BinaryIO) -> Frame | tuple[int | None, bytes | None, int]:
    """A message's headers up to the blank line after them: its Content-Length (or the
    value that is not one) and how many bytes they took; a :class:`Frame` at the end."""
    length: int | None = None
    unreadable: bytes | None = None
    seen = headers = 0
    whole = True  # the last piece read ended its line (a line is read 8 KiB at a time)
    while True:
        line = stdin.readline(HEADER_LINE_BYTES)
        if not line:
            return Frame(end=True, problem="the input ended inside a header" if headers else None)
        if whole and line.endswith(b"\n") and not line.strip():
            if headers:
                return length, unreadable, seen
            continue  # blank lines between messages
        whole = line.endswith(b"\n")
        headers += 1
        seen += len(line)
        if seen > MAX_HEADER_BYTES:
            continue  # read and dropped; said once the headers end
        found = _LENGTH.search(line)
        if found is not None:
            value = found.group(1).strip()
            if _DIGITS.fullmatch(value):
                length, unreadable = int(value), None
            else:
                length, unreadable = None, value


def _drop(stdin: BinaryIO, length: int) -> int:
    """Read ``length`` bytes and keep none of them: what was left when the input ended."""
    left = length
    while left:
        chunk = stdin.read(min(left, CHUNK_BYTES))
        if not chunk:
            return left
        left -= len(chunk)
    return 0


def _shown(value: bytes) -> str:
    return repr(value[:40].decode("ascii", "replace")) + ("..." if len(value) > 40 else "")


def _id_of(raw: dict[str, Any]) -> int | str | None:
    ident = raw.get("id")
    return ident if isinstance(ident, int | str) and not isinstance(ident, bool) else None


def salvage_id(body: bytes) -> int | str | None:
    """The id of a body that is not JSON, read from its start: its top-level members one
    by one up to the first that does not parse (a body cut short keeps what came first).
    A byte that is not UTF-8 is read as U+FFFD: a request with one in a string (a buffer's
    text in another encoding) was left unanswered, and the editor waited for good."""
    text = body.decode("utf-8", "replace")
    return _id_of(_partial_object(text, _skip(text, 0), 1))


@dataclass(frozen=True, slots=True)
class Oversized:
    """A didOpen or didChange dropped for its size: the document it was about."""

    method: str
    uri: str
    version: int | None
    length: int  # the message's bytes
    limit: int  # the largest message read


def oversized(head: bytes, length: int, limit: int) -> Oversized | None:
    """The didOpen or didChange a message over the limit was, read from its first bytes
    (its method, and its document's uri and version, come before the text in every
    client's order); None for any other message, or one whose start does not say."""
    try:
        text = head.decode("utf-8", "ignore")
    except UnicodeDecodeError:  # pragma: no cover - "ignore" never raises
        return None
    raw = _partial_object(text, _skip(text, 0), 3)
    method = raw.get("method")
    params = raw.get("params")
    document = params.get("textDocument") if isinstance(params, dict) else None
    if method not in ("textDocument/didOpen", "textDocument/didChange"):
        return None
    if not isinstance(document, dict) or not isinstance(document.get("uri"), str):
        return None
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        version = None
    return Oversized(method, document["uri"], version, length, limit)


def _partial_object(text: str, at: int, depth: int) -> dict[str, Any]:
    """The members of the JSON object at ``at`` up to the first that is cut short or does
    not parse, objects ``depth`` deep read the same way (the rest of a message)."""
    found: dict[str, Any] = {}
    if not text.startswith("{", at):
        return found
    decoder = json.JSONDecoder()
    at += 1
    try:
        while True:
            key, at = decoder.raw_decode(text, _skip(text, at))
            at = _skip(text, at)
            if not isinstance(key, str) or not text.startswith(":", at):
                return found
            at = _skip(text, at + 1)
            if depth > 1 and text.startswith("{", at):
                end = _object_end(text, at)
                found[key] = _partial_object(text, at, depth - 1)
                if end is None:
                    return found
                at = end
            else:
                found[key], at = decoder.raw_decode(text, at)
            at = _skip(text, at)
            if not text.startswith(",", at):
                return found
            at += 1
    except (ValueError, RecursionError):
        return found


def _object_end(text: str, at: int) -> int | None:
    """Where the whole JSON object at ``at`` ends, or None when it is cut short."""
    try:
        _, end = json.JSONDecoder().raw_decode(text, at)
    except (ValueError, RecursionError):
        return None
    return int(end)


def _skip(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at


def _refuse(
    protocol: JsonRPCProtocol, ident: int | str | None, error: JsonRpcException, why: str
) -> None:
    """Answer ``error`` to the request ``ident``; without one, say ``why`` in one line."""
    if ident is None:
        LOG.warning("%s: ignored", why)
        return
    LOG.warning("%s: answered %d", why, error.code)
    protocol._send_response(ident, None, error.to_response_error())


def _kind(raw: object) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(raw), "a number"
    )


def handle(protocol: JsonRPCProtocol, body: bytes) -> None:
    """One body: parsed, checked as JSON-RPC 2.0, structured, and handed to pygls."""
    try:
        raw = json.loads(body)
    except (ValueError, RecursionError) as error:
        said = " ".join(str(error).split())[:120]
        _refuse(
            protocol,
            salvage_id(body),
            JsonRpcParseError(f"not JSON: {said}"),
            f"a message that is not JSON ({said})",
        )
        return
    if not isinstance(raw, dict):
        _refuse(
            protocol,
            None,
            JsonRpcInvalidRequest(),
            f"a message that is {_kind(raw)}, not a JSON object",
        )
        return
    ident = _id_of(raw)
    method = raw.get("method")
    if raw.get("jsonrpc") != "2.0":
        why = 'a message without "jsonrpc": "2.0"'
        _refuse(protocol, ident if "method" in raw else None, JsonRpcInvalidRequest(why), why)
        return
    if "method" in raw and not isinstance(method, str):
        why = "a message whose method is not a string"
        _refuse(protocol, ident, JsonRpcInvalidRequest(why), why)
        return
    if "method" not in raw and (ident is None or ("result" not in raw and "error" not in raw)):
        why = "a message that is neither a request, a notification nor a response"
        _refuse(protocol, None, JsonRpcInvalidRequest(why), why)
        return
    if "id" in raw and ident is None:
        why = "a message whose id is neither a number nor a string"
        _refuse(protocol, None, JsonRpcInvalidRequest(why), why)
        return
    if "method" in raw and "params" not in raw:
        raw["params"] = None  # optional in JSON-RPC; pygls's own message types want one
    try:
        message = protocol.structure_message(raw)
    except Exception as error:  # noqa: BLE001 - any shape cattrs refuses is the client's
        said = " ".join(str(error).split())[:120]
        where = f"{method!r}" if method else "a response"
        why = f"{where} with params of the wrong shape ({type(error).__name__}: {said})"
        _refuse(
            protocol,
            ident if method else None,
            JsonRpcInvalidParams(f"params of the wrong shape for {where}"),
            why,
        )
        return
    try:
        protocol.handle_message(message)
    except Exception:  # pygls answers a failed request itself: this is the rest (a response)
        LOG.exception("%s failed", f"{method!r}" if method else "a response")


def _unless_cancelled(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """asyncio's report of a callback that failed, but for one cancelled: when the input
    ends, the requests still waiting on the client (pygls's generators) are cancelled."""
    if isinstance(context.get("exception"), asyncio.CancelledError):
        return
    loop.default_exception_handler(context)


async def serve(
    stop: threading.Event,
    stdin: BinaryIO,
    protocol: JsonRPCProtocol,
    pool: ThreadPoolExecutor,
    max_bytes: Callable[[], int],
    dropped: Callable[[Oversized], None] | None = None,
) -> None:
    """Read and handle messages until the input ends or ``stop`` is set; ``dropped`` hears
    of a didOpen or didChange dropped for its size (the editor is told of it)."""
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(_unless_cancelled)
    while not stop.is_set():
        limit = message_limit(max_bytes())
        frame = await loop.run_in_executor(pool, read_frame, stdin, limit)
        if frame.problem is not None:
            LOG.warning("%s", frame.problem)
        if frame.head is not None and dropped is not None:
            found = oversized(frame.head, frame.length, limit)
            if found is not None:
                dropped(found)
        if frame.end:
            return
        if frame.body is not None:
            handle(protocol, frame.body)
