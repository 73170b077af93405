"""The outline of a region file, composed team by team and kept per team (#17 speed).

An editor asks for the outline (``documentSymbol``) again after every pause in
typing. For a 1.9 MB region file that is ~9,000 symbols from a node tree of the
whole file: about a second of CPU, each time. A region file in block YAML splits
into its head, one chunk per team and its tail (:func:`planc.core.chunks.split_region`,
which refuses any layout it cannot vouch for). Here the head and tail are
composed with every team's lines left blank (a *skeleton*: same lines, so the
region's own symbols and the adjustments keep their places), and each team
chunk is composed alone at its own lines with what follows it in the file, so
its node ends where the file's does; a team's symbols are kept by its bytes and
line, and only the teams an edit changed are composed again. Anything doubtful
(no split, anchors or aliases that could reach across teams, a chunk or a
skeleton that does not compose) gives :func:`planc.lsp.features.symbols_json`
of the whole text. ``tests/test_lsp_text.py`` compares both on generated plans
and random edits.
"""

from __future__ import annotations

import threading
from typing import Any

from yaml.nodes import MappingNode, SequenceNode

from planc.core.chunks import Split, may_share_values, split_region
from planc.core.composer import compose_nodes
from planc.lsp.features import _node_symbols, _symbol_json, symbols_json
from planc.lsp.text import MAX_COMPOSE_CHARS, lines_of

KEPT_TEAMS = 8192  # team outlines kept (a 10,000-rep plan has ~1,000 teams)
KEPT_SKELETONS = 8  # the head and tail of the last few files (the tail can be half the file)
_TEAMS: dict[tuple[bytes, int, bytes], dict[str, Any]] = {}
_SKELETONS: dict[tuple[bytes, int, bytes], list[dict[str, Any]]] = {}
_LOCK = threading.Lock()


def outline_json(text: str) -> list[dict[str, Any]]:
    """The outline of a buffer as the client gets it (:func:`symbols_json`), by teams."""
    if len(text) > MAX_COMPOSE_CHARS:
        return symbols_json(text)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return symbols_json(text)
    split = split_region(data)
    if split is None or may_share_values(split):
        return symbols_json(text)
    found = _by_teams(data, split)
    return symbols_json(text) if found is None else found


def _by_teams(data: bytes, split: Split) -> list[dict[str, Any]] | None:
    blank = sum(chunk.count(b"\n") for chunk in split.chunks)
    if split.head.count(b"\n") + blank + split.tail.count(b"\n") != data.count(b"\n"):
        return None
    kept = _skeleton(split, blank)
    regions = [s for s in kept if s.get("kind") == 3]  # Namespace: the region
    if len(regions) != 1:
        return None
    region = dict(regions[0])
    outline = [region if s is regions[0] else s for s in kept]
    teams = []
    for index in range(len(split.chunks)):
        team = _team(split, index)
        if team is None:
            return None
        teams.append(team)
    children = [*region.get("children", []), *teams]
    if children:
        region["children"] = children
    return outline


def _skeleton(split: Split, blank: int) -> list[dict[str, Any]]:
    """The outline of the head and tail with every team's lines left blank (kept)."""
    key = (split.head, blank, split.tail)
    with _LOCK:
        kept = _SKELETONS.pop(key, None)
        if kept is not None:
            _SKELETONS[key] = kept
            return kept
    outline = symbols_json((split.head + b"\n" * blank + split.tail).decode("utf-8"))
    with _LOCK:
        _SKELETONS[key] = outline
        while len(_SKELETONS) > KEPT_SKELETONS:
            del _SKELETONS[next(iter(_SKELETONS))]
    return outline


def _team(split: Split, index: int) -> dict[str, Any] | None:
    chunk, line = split.chunks[index], split.lines[index]
    last = index == len(split.chunks) - 1
    after = (b"x: 0\n" if split.tail else b"") if last else b"    - 0\n"
    key = (chunk, line, after)
    with _LOCK:
        kept = _TEAMS.pop(key, None)
        if kept is not None:
            _TEAMS[key] = kept  # the most recently used stays
            return kept
    padded = b"\n" * (line - 2) + b"teams:\n" + chunk + after
    try:
        root = compose_nodes(padded)
    except Exception:  # noqa: BLE001 - a team that does not compose alone: the whole file
        return None
    if not isinstance(root, MappingNode) or not root.value:
        return None
    items = root.value[0][1]
    if not isinstance(items, SequenceNode) or not items.value:
        return None
    item = items.value[0]
    symbols = _node_symbols(lines_of(padded.decode("utf-8")), item, item, "reps")
    if len(symbols) != 1:
        return None
    team = _symbol_json(symbols[0])
    with _LOCK:
        _TEAMS[key] = team
        while len(_TEAMS) > KEPT_TEAMS:
            del _TEAMS[next(iter(_TEAMS))]
    return team
