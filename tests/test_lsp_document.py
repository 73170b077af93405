"""PlanDocument applies an edit as pygls does, without rebuilding every line (#17 speed)."""

from __future__ import annotations

import copy

import pytest

pytest.importorskip("lsprotocol", reason="planc lsp needs the lsp extra")

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec
from pygls.workspace.text_document import TextDocument

from planc.lsp.document import PlanDocument, PlanWorkspace, line_starts
from planc.lsp.text import lines_of

# mostly plan-like text; sometimes the characters that make columns or lines tricky
PLAIN = [*"ab 1:-\n\n\n", "锐", "🙂", "\t", "\r\n"]  # planc's lines are pygls's
CHARS = st.one_of(
    st.sampled_from(PLAIN),
    st.sampled_from([*PLAIN, "\r", "\u2028", "\x0c", "\x85", "\ufeff", "\ud800"]),
)


def _text(pieces: st.SearchStrategy[str], max_size: int) -> st.SearchStrategy[str]:
    return st.lists(pieces, max_size=max_size).map("".join)


TEXT = _text(st.sampled_from(PLAIN), 60) | _text(CHARS, 60)
POSITION = st.builds(
    types.Position, st.integers(min_value=0, max_value=12), st.integers(min_value=0, max_value=14)
)
CHANGE = st.builds(
    types.TextDocumentContentChangePartial,
    range=st.builds(types.Range, POSITION, POSITION),
    text=_text(st.sampled_from(PLAIN), 6) | _text(CHARS, 6),
)


def _pair(text: str, encoding: str) -> tuple[TextDocument, PlanDocument]:
    codec = PositionCodec(encoding=encoding)
    return (
        TextDocument("file:///p/r.yaml", text, 1, position_codec=codec),
        PlanDocument("file:///p/r.yaml", text, 1, position_codec=codec),
    )


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=TEXT,
    changes=st.lists(CHANGE, min_size=1, max_size=12),
    encoding=st.sampled_from(["utf-16", "utf-8", "utf-32"]),
)
@example(  # found by a random run: the last line emptied is no line any more
    text="a:\n锐\na",
    changes=[
        types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(2, 7), types.Position(6, 8)), text=""
        )
    ],
    encoding="utf-16",
)
def test_random_edits_give_pygls_text_lines_bytes(
    text: str, changes: list[types.TextDocumentContentChangePartial], encoding: str
) -> None:
    theirs, ours = _pair(text, encoding)
    for change in changes:
        theirs.apply_change(copy.deepcopy(change))
        ours.apply_change(copy.deepcopy(change))
        assert ours.source == theirs.source
        assert ours.data == theirs.source.encode("utf-8", "surrogatepass")
        planc = ours.planc_lines(ours.data)
        expected = lines_of(ours.data.decode("utf-8", "replace").removeprefix("\ufeff"))
        if planc is not None:
            assert list(planc) == expected
            assert len(planc) == len(expected)
        elif all(c not in ours.source for c in "\ufeff\ud800\u2028\x0c\x85"):
            assert "\r" in ours.source.replace("\r\n", "")  # only a lone "\r" sends it back
        starts = ours._line_starts()
        assert starts == line_starts(ours.source)
        ends = [*starts[1:], len(ours.source)] if starts else []
        pieces = [ours.source[s:e] for s, e in zip(starts, ends, strict=True)]
        assert pieces == list(theirs.lines)


def test_a_full_change_and_a_digit_keep_lines_and_bytes_right() -> None:
    theirs, ours = _pair("a: 1\nb: [20, 30]\nc: 3\n", "utf-16")
    digit = types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(1, 5), types.Position(1, 6)), text="9"
    )
    for document in (theirs, ours):
        document.apply_change(copy.deepcopy(digit))
    assert ours.source == theirs.source == "a: 1\nb: [29, 30]\nc: 3\n"
    longer = types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(0, 3), types.Position(0, 4)), text="1000"
    )
    for document in (theirs, ours):
        document.apply_change(copy.deepcopy(longer))
    assert ours.source == theirs.source
    assert ours._line_starts() == line_starts(ours.source)
    assert list(ours.planc_lines(ours.data) or []) == ours.source.split("\n")
    ours.apply_change(types.TextDocumentContentChangeWholeDocument(text="x: 1\r\ny: 2"))
    assert list(ours.planc_lines(ours.data) or []) == ["x: 1\r", "y: 2"]  # as lines_of
    ours.apply_change(types.TextDocumentContentChangeWholeDocument(text="x: 1\ry: 2"))
    assert ours.planc_lines(ours.data) is None  # a lone "\r": placed from the bytes instead
    assert ours.data == b"x: 1\ry: 2"


def test_bytes_of_an_older_version_are_not_placed_with_the_new_lines() -> None:
    _, ours = _pair("a: 1\n", "utf-16")
    old = ours.data
    ours.apply_change(
        types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(0, 0), types.Position(0, 0)), text="b: 2\n"
        )
    )
    assert ours.planc_lines(old) is None
    assert ours.planc_lines(ours.data) is not None


def test_the_workspace_makes_plan_documents() -> None:
    workspace = PlanWorkspace.like(PlanWorkspace(None))
    workspace.put_text_document(
        types.TextDocumentItem(uri="file:///p/r.yaml", language_id="yaml", version=1, text="a: 1\n")
    )
    assert isinstance(workspace.get_text_document("file:///p/r.yaml"), PlanDocument)


def test_an_edit_splices_the_bytes_instead_of_encoding_the_buffer() -> None:
    """After an edit the bytes are the old ones with the edit spliced in at its byte offset
    (non-ASCII before it counted), not the whole buffer encoded again."""
    theirs, ours = _pair("name: 张伟\nrep: 🙂\nmonths: [1, 2]\n", "utf-16")
    assert ours.data == theirs.source.encode()
    edits = [
        ((2, 9), (2, 10), "7"),
        ((1, 5), (1, 7), "李"),
        ((0, 0), (0, 0), "é"),
        ((2, 0), (3, 0), ""),
    ]
    for start, end, text in edits:
        change = types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(*start), types.Position(*end)), text=text
        )
        theirs.apply_change(copy.deepcopy(change))
        ours.apply_change(copy.deepcopy(change))
        spliced = ours._data
        assert spliced is not None  # made by the edit, before anyone asked for the bytes
        assert spliced == theirs.source.encode() and ours.data is spliced
    typed = types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(0, 0), types.Position(0, 0)), text="\ud800"
    )
    ours.apply_change(typed)
    assert ours._data is None  # a lone surrogate: encoded as planc reads it, when asked
    assert ours.data == ours.source.encode("utf-8", "surrogatepass")
