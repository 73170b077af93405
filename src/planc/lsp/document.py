"""Open buffers: an edit applied where it falls, not by rebuilding every line (#17).

pygls applies an incremental ``didChange`` by splitting the whole buffer into
lines and writing every one of them out again: ~100 ms for a 4.7 MB region file
on every keystroke, and the server then encodes the buffer and splits it once
more to place diagnostics. :class:`PlanDocument` keeps the offset of every line
and applies a change as one slice, the same text pygls would make (it asks
pygls's own position codec for the columns, so UTF-16 columns, positions past
the end and reversed ranges come out alike; ``tests/test_lsp_document.py``
compares both on random edits, with every line break ``str.splitlines`` knows).

It also keeps, per version, the buffer's UTF-8 bytes (what a compile reads) and
its lines as planc counts them (what diagnostics are placed in).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from itertools import accumulate
from typing import Any, overload

from lsprotocol import types
from pygls.workspace import Workspace
from pygls.workspace.text_document import TextDocument

# every line break str.splitlines knows (pygls's lines)
_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# a break after which planc's lines (split at "\n") are not pygls's
_NOT_PLANC = re.compile("\r(?!\n)|[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def line_starts(text: str) -> list[int]:
    """The offset of each line of ``text`` as ``str.splitlines(keepends=True)`` cuts it."""
    return list(accumulate(map(len, text.splitlines(True)), initial=0))[:-1]


def _break_of(line: str) -> int:
    """How many characters the line break at the end of ``line`` takes (0: the last line)."""
    if line.endswith("\r\n"):
        return 2
    return 1 if line and _BREAKS.match(line[-1]) else 0


class SplitLines(Sequence[str]):
    """``text.splitlines(True)`` without building it: line ``i`` sliced when asked."""

    __slots__ = ("_starts", "_text")

    def __init__(self, text: str, starts: list[int]) -> None:
        self._text = text
        self._starts = starts

    def __len__(self) -> int:
        return len(self._starts)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        starts = self._starts
        if index < 0:
            index += len(starts)
        if not 0 <= index < len(starts):
            raise IndexError(index)
        end = starts[index + 1] if index + 1 < len(starts) else len(self._text)
        return self._text[starts[index] : end]


class PlancLines(Sequence[str]):
    """``text.split("\\n")`` (planc's lines, :func:`planc.lsp.text.lines_of`) without building it."""

    __slots__ = ("_lines",)

    def __init__(self, text: str, starts: list[int]) -> None:
        self._lines = SplitLines(text, starts)

    def __len__(self) -> int:
        lines = self._lines
        text = lines._text
        # split("\n") has one more piece than there are "\n"; splitlines drops a last empty one
        return len(lines) + (1 if not text or text.endswith("\n") else 0)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError(index)
        if index == len(self._lines):
            return ""  # after a last "\n"
        return self._lines[index].removesuffix("\n")


_NON_ASCII = re.compile("[^\x00-\x7f]")


def _wide_chars(text: str, offset: int, extra: int) -> tuple[list[int], list[int]]:
    """Each non-ASCII character of ``text`` (at ``offset`` in the buffer) and the running
    count of extra bytes its UTF-8 takes beyond one per character, from ``extra``."""
    if text.isascii():
        return [], []
    wide: list[int] = []
    running: list[int] = []
    for found in _NON_ASCII.finditer(text):
        code = ord(found.group())
        extra += 1 if code < 0x800 else 2 if code < 0x10000 else 3
        wide.append(offset + found.start())
        running.append(extra)
    return wide, running


class PlanDocument(TextDocument):
    """pygls's document, edited in place of rebuilt; its bytes and lines kept per version."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._starts: list[int] | None = None  # line offsets; None: not known yet
        self._planc: bool | None = None  # "\n" and "\r\n" the only breaks (planc's lines)
        self._data: bytes | None = None
        self._clean = False  # the bytes decode back to the same text (no lone surrogate)
        # where the bytes are longer than the text: the offset of every non-ASCII character
        # and, per such character, the extra bytes up to and including it (kept with
        # ``_data`` when it is clean, so an edit splices the bytes instead of encoding all)
        self._wide: list[int] = []
        self._extra: list[int] = []

    # --- what the server reads ----------------------------------------------------

    @property
    def data(self) -> bytes:
        """The buffer as UTF-8 bytes (what a compile reads), encoded once per version."""
        if self._data is None:
            text = self.source
            try:
                self._data, self._clean = text.encode("utf-8"), True
            except UnicodeEncodeError:  # a lone surrogate from the client: kept as planc reads
                self._data, self._clean = text.encode("utf-8", "surrogatepass"), False
            if self._clean:
                self._wide, self._extra = _wide_chars(text, 0, 0)
        return self._data

    def planc_lines(self, data: bytes) -> Sequence[str] | None:
        """The lines planc places diagnostics in (``lines_of`` of ``data`` decoded), when
        ``data`` is this version's bytes and the text is plain (else ``None``: decode it)."""
        if data is not self.data or not self._clean:
            return None
        text = self.source
        if self._planc is None:
            self._planc = _NOT_PLANC.search(text) is None
        if not self._planc or text.startswith("\ufeff"):
            return None
        return PlancLines(text, self._line_starts())

    # --- edits --------------------------------------------------------------------

    def _forget(self) -> None:
        self._starts = None
        self._planc = None

    def _splice(self, cut: int, rest: int, text: str) -> None:
        """The bytes of the text about to be ``source[:cut] + text + source[rest:]``, from this
        version's bytes (a copy, not an encoding of the whole buffer: ~7 ms per keystroke in a
        4.7 MB file with CJK names); dropped (encoded when asked) where that is not sure."""
        data = self._data
        self._data = None
        if data is None or not self._clean:
            return
        try:
            typed = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate typed: the whole buffer is encoded
            return
        wide, extra = self._wide, self._extra
        first, last = bisect_left(wide, cut), bisect_left(wide, rest)
        before = extra[first - 1] if first else 0
        upto = extra[last - 1] if last else 0
        whole = memoryview(data)  # one copy of the buffer, not three
        self._data = b"".join((whole[: cut + before], typed, whole[rest + upto :]))
        delta = len(text) - (rest - cut)
        added, more = _wide_chars(text, cut, before)
        grown = (more[-1] if more else before) - upto  # extra bytes gained by the edit
        self._wide = wide[:first] + added + [w + delta for w in wide[last:]]
        self._extra = extra[:first] + more + [e + grown for e in extra[last:]]

    def _line_starts(self) -> list[int]:
        if self._starts is None:
            self._starts = line_starts(self.source)
        return self._starts

    def _apply_full_change(self, change: types.TextDocumentContentChangeEvent) -> None:
        super()._apply_full_change(change)
        self._forget()
        self._data = None

    def _apply_incremental_change(self, change: types.TextDocumentContentChangePartial) -> None:
        starts = self._line_starts()
        text = change.text
        source = self.source
        lines = SplitLines(source, starts)
        where = self._position_codec.range_from_client_units(lines, change.range)
        start_line, start_col = where.start.line, where.start.character
        end_line, end_col = where.end.line, where.end.character
        if start_line == len(lines):  # pygls: an edit at the very end is appended
            self._splice(len(source), len(source), text)
            self._source = source + text
            self._forget()
            return
        if start_line > end_line:  # pygls writes every line as it was
            return
        first, last = lines[start_line], lines[end_line]
        cut = starts[start_line] + min(start_col, len(first))
        rest = starts[end_line] + min(end_col, len(last))
        self._splice(cut, rest, text)
        self._source = source[:cut] + text + source[rest:]
        # one line edited, its line break kept whole, no break typed, something left before
        # the break (an emptied line may join the one above: "\r" + "\n"): later lines move
        content = len(last) - _break_of(last)
        kept = start_line == end_line and cut <= rest <= starts[end_line] + content
        delta = len(text) - (rest - cut)
        if kept and content + delta > 0 and _BREAKS.search(text) is None:
            if delta:
                tail = starts[start_line + 1 :]
                starts[start_line + 1 :] = [s + delta for s in tail]
        else:
            self._forget()


class PlanWorkspace(Workspace):
    """pygls's workspace whose text documents are :class:`PlanDocument`."""

    def _create_text_document(
        self,
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        return PlanDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=types.TextDocumentSyncKind.Incremental,
            position_codec=self.position_codec,
        )

    @classmethod
    def like(cls, workspace: Workspace) -> PlanWorkspace:
        """A new, empty workspace with ``workspace``'s root, folders and position encoding."""
        return cls(
            workspace.root_uri,
            types.TextDocumentSyncKind.Incremental,
            list(workspace.folders.values()),
            workspace.position_encoding,
        )
