"""Which pages of the last render can be kept: what each page is made from, as a key.

A second ``planc render`` after a small edit should write only the pages whose
content changed. A page's bytes are a function of what its view model reads;
its key is a digest of exactly that (and of everything every page reads), so an
equal key means equal bytes, without building the view model or rendering it:

- every page: planc's code, templates and catalogs, the options, the revision,
  the actuals, and every part of the plan that is not a node or a person
  (quarter, metrics, products, pillars, policy, segments; every action and
  adjustment with the names and places of the nodes and people they name);
- a rep's brief: the rep's node and person, its manager, the names of the
  teams and region above it, its bottom-up gaps;
- a region or team page: every node below it (its charts add them up), the
  people of its owner and of its children, the names above it, its gaps.

The index reads the whole plan and every diagnostic, so it is always rendered.
A node or person is taken apart field by field (all fields but ``loc``, which no
page shows), so a field added to the model is covered without a change here.

What a render wrote is recorded outside the site folder (the site folder is
untrusted; see :mod:`planc.site.render`): page -> (key, BLAKE2b of its bytes).
A page is kept only when its key is unchanged *and* the old file's bytes still
hash to what planc wrote.
"""

from __future__ import annotations

import hashlib
import marshal
import re
from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

from planc import __version__
from planc.core.model import Level, Node, Plan
from planc.core.resources import data_dir

_KEY_SIZE = 16  # bytes of BLAKE2b: 32 hex digits
_HEX = re.compile(r"[0-9a-f]{32}\Z")
FORMAT = 1


class RecordStore(Protocol):
    """Where a render remembers what it wrote (planc's cache: :class:`planc.core.cache.UnitCache`)."""

    def get_record(self, name: str) -> Any: ...

    def put_record(self, name: str, value: Any) -> None: ...


def content_digest(data: bytes) -> str:
    """The digest a kept page's bytes must still have."""
    return hashlib.blake2b(data, digest_size=_KEY_SIZE).hexdigest()


@cache
def code_digest() -> bytes:
    """planc's code, templates and catalogs, and the libraries that shape a page.

    A developer's checkout changes code without changing the version number, so
    the files themselves are hashed (a few hundred small files, a few milliseconds).
    """
    digest = hashlib.blake2b(digest_size=_KEY_SIZE)
    package = Path(__file__).resolve().parent.parent
    roots = [package, data_dir("templates")]  # the package holds the catalogs too
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".pyc"):
            digest.update(path.relative_to(root).as_posix().encode() + b"\x00")
            digest.update(path.read_bytes() + b"\x00")
    for library in ("jinja2", "markupsafe", "babel"):
        try:
            version = metadata.version(library)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{library}={version}\x00".encode())
    digest.update(__version__.encode())
    return digest.digest()


def _plain(value: Any) -> Any:
    """A value as str/int/bool/None and tuples of them (what marshal writes), losing nothing."""
    kind = type(value)
    if kind in _LEAF:
        return value
    if kind is Decimal:
        return ("D", str(value))  # str keeps every digit and the exponent: 1.50 is not 1.5
    if kind is date:
        return ("date", value.isoformat())
    if isinstance(value, Enum):
        return ("enum", kind.__name__, _plain(value.value))
    if isinstance(value, Mapping):
        return ("{", *[(_plain(k), _plain(v)) for k, v in value.items()])
    if isinstance(value, tuple | list):
        return ("(", *[v if type(v) in _LEAF else _plain(v) for v in value])
    if isinstance(value, frozenset | set):
        return ("set", *sorted((_plain(v) for v in value), key=repr))
    if is_dataclass(value) and not isinstance(value, type):
        return _fields(value)
    if isinstance(value, str):
        return str(value)
    # anything else is shown through its repr; a repr holding an address (a plain
    # object) differs from run to run: the page is then rendered again, never kept wrongly
    return ("repr", kind.__qualname__, repr(value))


_LEAF = frozenset([str, int, bool, float, type(None)])


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(kind) if f.name != "loc")
    return names


def _fields(value: Any) -> tuple[Any, ...]:
    """A dataclass as its type's name and every field but ``loc``."""
    out: list[Any] = [type(value).__name__]
    for name in _field_names(type(value)):
        field = getattr(value, name)
        out.append(field if type(field) in _LEAF else _plain(field))
    return tuple(out)


def _digest(*parts: Any) -> bytes:
    # marshal's version 0: equal values give equal bytes. Later versions write a string
    # another way when it is interned, and refer back to an object seen twice, so the
    # same plan read from the cache or from YAML would get other keys.
    return hashlib.blake2b(marshal.dumps(parts, 0), digest_size=_KEY_SIZE).digest()


class PageKeys:
    """The key of each page of one render of one plan (see the module's docstring)."""

    def __init__(
        self,
        plan: Plan,
        *,
        context: Iterable[Any],
        gaps: Mapping[tuple[str, str], Any],
    ) -> None:
        """``context``: what every page reads besides the plan (options, revision,
        actuals); ``gaps``: the bottom-up gap of each (node, metric), as the pages show them."""
        self.plan = plan
        self.gaps = gaps
        self._nodes: dict[str, bytes] = {}
        self._people: dict[str, bytes] = {}
        self._every = _digest(code_digest(), FORMAT, _plain(tuple(context)), self._plan_part())

    def _plan_part(self) -> Any:
        plan = self.plan
        names = (
            [a.owner for a in plan.actions]
            + [p for a in plan.adjustments for p in a.approved_by]
            + [plan.nodes[plan.company].owner if plan.company in plan.nodes else ""]
        )
        places = [a.node for a in plan.actions] + [
            c.node for a in plan.adjustments for c in a.changes
        ]
        company = plan.nodes.get(plan.company)
        return (
            _plain(plan.quarter),
            plan.currency,
            plan.locale,
            plan.company,
            None if company is None else company.name,
            _plain(plan.pillars),
            _plain(plan.metrics),
            _plain(plan.products),
            _plain(plan.policy),
            _plain(plan.segments),
            _plain(plan.customers),
            _plain(plan.actuals),
            _plain(plan.actions),
            _plain(plan.adjustments),
            tuple(self._person(p) for p in names),
            tuple(self._chain(n) for n in places),
        )

    def _node(self, node_id: str) -> bytes:
        found = self._nodes.get(node_id)
        if found is None:
            node = self.plan.nodes.get(node_id)
            found = self._nodes[node_id] = _digest(None if node is None else _fields(node))
        return found

    def _person(self, person_id: str | None) -> bytes:
        if person_id is None:
            return b""
        found = self._people.get(person_id)
        if found is None:
            person = self.plan.people.get(person_id)
            found = self._people[person_id] = _digest(None if person is None else _fields(person))
        return found

    def _chain(self, node_id: str) -> tuple[Any, ...]:
        """The node and those above it, as links and crumbs show them: id, name, level, parent."""
        return tuple((n.id, n.name, int(n.level), n.parent) for n in self.plan.ancestors(node_id))

    def _gaps(self, node: Node) -> tuple[Any, ...]:
        out = []
        for metric in node.targets:
            gap = self.gaps.get((node.id, metric))
            if gap is not None:
                out.append((metric, str(gap.bottom_up), gap.rolled_up, gap.cap))
        return tuple(out)

    def rep(self, path: str, node: Node) -> str:
        plan = self.plan
        manager = plan.managers.get(node.id)
        return _digest(
            self._every,
            path,
            "rep",
            self._node(node.id),
            self._person(node.id),
            manager,
            self._person(manager),
            self._chain(node.id),
            self._gaps(node),
        ).hex()

    def node(self, path: str, node: Node) -> str:
        plan = self.plan
        below = tuple(self._node(n.id) for n in plan.walk(node.id))
        children = [c for c in node.children if c in plan.nodes]
        people = (
            self._person(node.owner),
            *(self._person(c) for c in children),
            *(self._person(plan.nodes[c].owner) for c in children),
        )
        return _digest(
            self._every,
            path,
            "node",
            node.level is Level.REGION,
            below,
            people,
            self._chain(node.id),
            self._gaps(node),
        ).hex()


def index_from(value: Any) -> dict[str, tuple[str, str]]:
    """What a render recorded, checked for shape: page -> (key, content digest).

    The record comes from the cache folder, which may have been restored from
    somewhere else: anything that is not exactly this shape counts as no record.
    """
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        return {}
    pages = value.get("pages")
    if not isinstance(pages, dict):
        return {}
    out: dict[str, tuple[str, str]] = {}
    for path, pair in pages.items():
        if (
            isinstance(path, str)
            and isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(p, str) and _HEX.match(p) for p in pair)
        ):
            out[path] = (pair[0], pair[1])
    return out


def index_record(pages: Mapping[str, tuple[str, str]]) -> dict[str, Any]:
    return {"format": FORMAT, "pages": {p: list(pair) for p, pair in sorted(pages.items())}}
