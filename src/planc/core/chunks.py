"""A region file's teams as separate pieces of text, so an edit reloads one team, not the file.

A region file in block YAML is its *head* (everything up to and including the
``  teams:`` line of the ``region:`` mapping), one *chunk* per team (from its
``    - `` line to the next one) and a *tail* (the top-level keys after the teams:
``people:``, ``actions:``, ``adjustments:``). :func:`split_region` finds these
pieces with a few byte searches and refuses (None) any layout it cannot vouch
for: another indentation, flow style, tabs, CR line ends, directives or document
markers, anything but a top-level key after the teams, a line of a team less
indented than its keys.

:func:`load_team` loads one chunk alone, at its own lines and columns (blank
lines above it, a ``teams:`` key on the line before, and after it the kind of
line that follows it in the file, so the node tree ends where the file's does).
A team that loads alone without any diagnostic has the values it has inside
the file: a sequence item cannot share keys with its siblings, and whatever
could reach across the chunk's edges (an unclosed quote or bracket, an alias of
another team's anchor) fails to load alone. :class:`ChunkSpans` resolves a
finding located in a team from that team's text, so the file is not composed
again for it.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from planc.core.loader import DEFAULT_MAX_BYTES, NO_MODELINE, load_source
from planc.core.source import Loc, SourceFile, SourceSpan
from planc.core.spans import SpanResolver, _walk

if TYPE_CHECKING:
    from yaml.nodes import Node

_TEAMS = b"\n  teams:\n"
_REGION = re.compile(rb"^region:[ ]*\n", re.MULTILINE)
# The start of a line that is neither blank, nor a comment, nor indented like a team's keys.
_EDGE = re.compile(rb"\n(?! {6})(?! *(?:#|\n))")
# an anchor or alias where YAML would read one (and, to be safe, some text that only looks so)
_ANCHOR = re.compile(rb"(?:^|[\s\[{,])[*&][^\s]", re.MULTILINE)
# a directive, a document start or a document end at the start of a line: one regex pass (three
# `in` searches cost 4-12 ms over a 1.9 MB file, '-' and '.' being frequent in it)
_DOCUMENT_MARK = re.compile(rb"\n(?:%|---|\.\.\.)")
_NEXT_TEAM = b"    - 0\n"  # what follows a team that is not the last: another item
_NEXT_KEY = b"x: 0\n"  # what follows the last team when a top-level key does


@dataclass(frozen=True, slots=True)
class Split:
    head: bytes
    chunks: tuple[bytes, ...]
    lines: tuple[int, ...]  # the 1-based line each chunk starts on
    tail: bytes


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def split_region(data: bytes) -> Split | None:
    """The head, team chunks and tail of a region file, or None where in doubt."""
    if b"\r" in data or b"\t" in data or not data.endswith(b"\n"):
        return None
    if data.startswith((b"%", b"---")) or _DOCUMENT_MARK.search(data) is not None:
        return None
    at = data.find(_TEAMS)
    if at < 0 or data.find(_TEAMS, at + 1) >= 0:
        return None
    regions = list(_REGION.finditer(data, 0, at + 1))
    if len(regions) != 1:
        return None
    # only lines of the region mapping (indented, blank or comments) between region: and teams:
    between = data[regions[0].end() : at + 1]
    if re.search(rb"^[^ #\n]", between, re.MULTILINE):
        return None
    start = at + len(_TEAMS)
    found = _team_starts(data, start)
    if found is None:
        return None
    starts, tail_at = found
    ends = [*starts[1:], tail_at]
    lines = [data.count(b"\n", 0, start) + 1]
    for before, here in itertools.pairwise(starts):
        lines.append(lines[-1] + data.count(b"\n", before, here))
    chunks = tuple(data[s:e] for s, e in zip(starts, ends, strict=True))
    return Split(data[:start], chunks, tuple(lines), data[tail_at:])


def may_share_values(split: Split) -> bool:
    """Whether a team may hold an anchor or an alias: its values loaded with the whole file
    could then come from another team's text, and must not be kept per team."""
    return any(_ANCHOR.search(chunk) for chunk in split.chunks)


def _team_starts(data: bytes, start: int) -> tuple[list[int], int] | None:
    """Where each team's ``    - `` line starts, and where the tail does."""
    starts: list[int] = []
    tail_at = len(data)
    for edge in _EDGE.finditer(data, start - 1):
        line_at = edge.start() + 1
        if line_at >= len(data):
            break
        if data.startswith(b"    - ", line_at) and data[line_at + 6 : line_at + 7] not in b" \n#":
            starts.append(line_at)
        elif data[line_at : line_at + 1] not in b" #":
            tail_at = line_at
            break
        else:
            return None  # a line less indented than a team's keys that starts no team
    if not starts or starts[0] != start:
        return None
    return starts, tail_at


def _padded(chunk: bytes, line: int, last: bool, tail: bytes) -> bytes:
    after = (_NEXT_KEY if tail else b"") if last else _NEXT_TEAM
    return b"\n" * (line - 2) + b"teams:\n" + chunk + after


def load_team(
    path: str, split: Split, index: int, max_bytes: int = DEFAULT_MAX_BYTES
) -> dict[str, Any] | None:
    """The values of team ``index`` loaded alone, or None if it gives any diagnostic (or
    a trap, or not exactly one mapping): the whole file must be loaded then."""
    last = index == len(split.chunks) - 1
    text = _padded(split.chunks[index], split.lines[index], last, split.tail)
    loaded = load_source(SourceFile(path, text), max_bytes)
    if loaded.traps or any(d.code != NO_MODELINE.code for d in loaded.diagnostics):
        return None
    values = loaded.data
    if not isinstance(values, dict) or list(values) != (
        ["teams", "x"] if last and split.tail else ["teams"]
    ):
        return None
    teams = values["teams"]
    if not isinstance(teams, list) or len(teams) != (1 if last else 2):
        return None
    team = teams[0]
    return team if isinstance(team, dict) else None


class ChunkSpans(SpanResolver):
    """Spans of findings in a split region file: a finding located in a team is resolved
    from that team's text alone; any other from the whole file, as before."""

    def __init__(
        self, source: SourceFile, split: Split | None = None, kept: TeamSpans | None = None
    ) -> None:
        """``split``: the file's, if the caller has it; else it is made on the first finding
        to place (a clean file, the common case, never needs it). A file that does not
        split is resolved from the whole file, as by a plain :class:`SpanResolver`.
        ``kept``: spans placed in teams by earlier resolvers (a process that places the
        findings of the same teams edit after edit)."""
        super().__init__({source.path: source})
        self.path = source.path
        self._data: bytes | None = None if split is not None else source.data
        self._split = split
        self._teams: dict[int, Node | None] = {}
        self._kept = kept

    @property
    def split(self) -> Split | None:
        if self._data is not None:
            self._split = split_region(self._data)
            self._data = None
        return self._split

    def resolve(self, loc: Loc) -> SourceSpan:
        span = self._in_team(loc)
        return span if span is not None else super().resolve(loc)

    def resolve_all(self, file: str, locs: Iterable[Loc]) -> dict[Loc, SourceSpan]:
        """Findings in a team from the team's text, the rest in one pass over the file."""
        out: dict[Loc, SourceSpan] = {}
        rest: list[Loc] = []
        for loc in dict.fromkeys(locs):
            span = self._in_team(loc)
            if span is None:
                rest.append(loc)
            else:
                out[loc] = span
        if rest:
            tail = self._in_tail(file)
            if tail is not None:
                rest = [loc for loc in rest if not _kept_span(tail, loc, out)]
            if rest:
                found = super().resolve_all(file, rest)
                out.update(found)
                if tail is not None:
                    _keep_spans(tail, found)
        return out

    def _in_tail(self, file: str) -> _TailSpans | None:
        """The spans kept of the file's tail (people, actions, adjustments), when the
        tail's top-level keys are its own (none of them in the head) and plain."""
        if self._kept is None or file != self.path:
            return None
        split = self.split
        if split is None or not split.chunks or not split.tail:
            return None
        line = split.lines[-1] + split.chunks[-1].count(b"\n")  # where the tail starts
        tail = self._kept.tail(self.path, split.tail, line)
        if tail is None:
            return None
        head = _top_keys(split.head)
        if head is None or not head.isdisjoint(tail.keys):
            return None
        return tail

    def _in_team(self, loc: Loc) -> SourceSpan | None:
        """The span of a finding located in a team whose text composes alone, else None."""
        path = loc.path
        if (
            loc.file == self.path
            and len(path) >= 3
            and path[:2] == ("region", "teams")
            and type(path[2]) is int
            and (split := self.split) is not None
            and 0 <= path[2] < len(split.chunks)
        ):
            index = path[2]
            spans = None
            if self._kept is not None:
                spans = self._kept.of(self.path, split, index)
                span = spans.get((path[3:], loc.key))
                if span is not None:
                    return span
            root = self._team(split, index)
            if root is not None:
                from planc.core.composer import span_of  # noqa: PLC0415 - PyYAML when asked

                node, key_node = _walk(root, ("teams", 0, *path[3:]))
                target = key_node if (loc.key and key_node is not None) else node
                span = span_of(loc.file, target)
                if spans is not None:
                    spans[(path[3:], loc.key)] = span
                return span
        return None

    def _team(self, split: Split, index: int) -> Node | None:
        if index not in self._teams:
            from planc.core.composer import compose_nodes  # noqa: PLC0415 - PyYAML when asked

            last = index == len(split.chunks) - 1
            text = _padded(split.chunks[index], split.lines[index], last, split.tail)
            try:
                self._teams[index] = compose_nodes(text)
            except Exception:  # noqa: BLE001 - no tree of its own: the whole file's, as before
                self._teams[index] = None
        return self._teams[index]


_TOP_LINE = re.compile(rb"^(?![ #\n])([^\n]*)", re.MULTILINE)
_PLAIN_KEY = re.compile(rb"([a-z_]+):(?: |$)")


def _top_keys(text: bytes) -> frozenset[str] | None:
    """The top-level keys of a piece of block YAML (None: a line at the margin that is not
    a plain ``key:``, such as a quoted or flow key: then nothing is said of it)."""
    keys = set()
    for match in _TOP_LINE.finditer(text):
        line = match.group(1)
        if not line:
            continue
        plain = _PLAIN_KEY.match(line)
        if plain is None:
            return None
        keys.add(plain.group(1).decode())
    return frozenset(keys)


@dataclass(slots=True)
class _TailSpans:
    """Spans kept of one tail text at one line: ``keys`` are its top-level keys."""

    keys: frozenset[str]
    spans: dict[tuple[Any, bool], SourceSpan]


def _kept_span(tail: _TailSpans, loc: Loc, out: dict[Loc, SourceSpan]) -> bool:
    span = tail.spans.get((loc.path, loc.key)) if loc.path and loc.path[0] in tail.keys else None
    if span is None:
        return False
    out[loc] = span
    return True


def _keep_spans(tail: _TailSpans, found: dict[Loc, SourceSpan]) -> None:
    for loc, span in found.items():
        if loc.path and loc.path[0] in tail.keys:
            tail.spans[(loc.path, loc.key)] = span


class TeamSpans:
    """Spans placed inside teams and in the tail, kept from one resolver to the next: a span in a team
    depends only on the file's path, the team's bytes, the line it starts on, and whether
    it is the last team and a top-level key follows it (the text :class:`ChunkSpans`
    composes for it), so a finding of a team the edit did not change (or move) is not
    composed again. A span in the tail under a top-level key the head does not have
    depends only on the tail's bytes and the line it starts on: kept for the
    :data:`TAILS` tails last used. At 2,000 reps with 150 findings, finding the tail's
    by a pass over the whole file cost ~200 ms per edit. Kept for the :data:`LIMIT`
    teams last used."""

    LIMIT = 1024

    TAILS = 8

    __slots__ = ("_tails", "_teams")

    def __init__(self) -> None:
        self._teams: dict[tuple[str, bytes, int, bool, bool], dict[Any, SourceSpan]] = {}
        self._tails: dict[tuple[str, bytes, int], _TailSpans | None] = {}

    def tail(self, path: str, tail: bytes, line: int) -> _TailSpans | None:
        """The spans kept of a file's tail starting on ``line``: a top-level key the tail
        alone has places the same there whatever the teams above it are (None: the tail's
        margin holds something else than plain keys)."""
        key = (path, tail, line)
        if key in self._tails:
            kept = self._tails.pop(key)
        else:
            keys = _top_keys(tail)
            kept = None if keys is None else _TailSpans(keys, {})
        self._tails[key] = kept
        while len(self._tails) > self.TAILS:
            del self._tails[next(iter(self._tails))]
        return kept

    def of(self, path: str, split: Split, index: int) -> dict[Any, SourceSpan]:
        """The spans kept of team ``index`` (``(path below the team, key) -> span``), which
        the caller fills."""
        last = index == len(split.chunks) - 1
        key = (path, split.chunks[index], split.lines[index], last, bool(split.tail))
        spans = self._teams.pop(key, None)
        if spans is None:
            spans = {}
        self._teams[key] = spans  # the most recently used last
        while len(self._teams) > self.LIMIT:
            del self._teams[next(iter(self._teams))]
        return spans
