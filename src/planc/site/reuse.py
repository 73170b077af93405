"""Which pages of the last render can be kept: what each page is made from, as a key.

A second ``planc render`` after a small edit should write only the pages whose
content changed. A page's bytes are a function of what its view model reads;
its key is a digest of exactly that (and of everything every page reads), so an
equal key means equal bytes, without building the view model or rendering it:

- every page: planc's code, templates and catalogs, the options, the revision,
  the actuals, and the parts of the plan that are not nodes, people, actions or
  adjustments (quarter, metrics, products, pillars, policy, segments);
- a rep's brief: the rep's node and person, its manager, the names of the
  teams and region above it, its bottom-up gaps, the actions it lists (the
  rep's own and those at the nodes above it) and the adjustments it lists,
  each with the names of the people and nodes it names;
- a region or team page: every node below it (its charts add them up), the
  people of its owner and of its children, the names above it, its gaps, its
  actions and adjustments.

The index reads the whole plan and every diagnostic, so it is always rendered.
A node or person is taken apart field by field (all fields but ``loc``, which no
page shows); a field added to the model is covered without a change here.

What a render wrote is recorded outside the site folder (the site folder is
untrusted; see :mod:`planc.site.render`): page -> (key, SHA-256 of its bytes).
A page is kept only when its key is unchanged *and* the old file's bytes still
hash to what planc wrote.

Making 11,000 keys costs about a second at 10,000 reps, most of it for pages of
regions that did not change. When the partitioned check vouched for the plan
(:func:`planc.site.checked.vouched`: no region file names what another region
file defines, no id defined twice, no seat or record shared with the quarter
file), a page of a node of region file R reads only the quarter file Q, R, and
the region files defining what Q names (a company-level action owned by a rep
of another region is listed on every brief): its key is a function of those
files' bytes and of what every page reads. So each such file gets a *region
key* (:meth:`PageKeys.regions`) over exactly that; a region key unchanged since
a render that was vouched for too means its pages' keys are unchanged: they are
taken from the record instead of being made again. Only files whose nodes form
whole subtrees of their own get one (a node whose parent is in another file,
other than a region under the company, leaves both files out).
"""

from __future__ import annotations

import hashlib
import marshal
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

from planc import __version__
from planc.core.model import Action, Change, Node, Plan, Resource, Target
from planc.core.resources import data_dir

_KEY_SIZE = 16  # bytes of BLAKE2b: 32 hex digits
_HEX = re.compile(r"[0-9a-f]{32}\Z")
FORMAT = 2  # 2: content digests are SHA-256 (1: BLAKE2b)


class RecordStore(Protocol):
    """Where a render remembers what it wrote (planc's cache: :class:`planc.core.cache.UnitCache`)."""

    def get_record(self, name: str) -> Any: ...

    def put_record(self, name: str, value: Any) -> None: ...


def content_digest(data: bytes) -> str:
    """The digest a kept page's bytes must still have: SHA-256, its first 128 bits.

    Every kept page is read and hashed again (300 MB for a 10,000-rep site), so
    the hash is the one CPUs compute in hardware (SHA extensions on x86-64 and
    ARMv8): twice BLAKE2b's speed here.
    """
    return hashlib.sha256(data).hexdigest()[: 2 * _KEY_SIZE]


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
        actions_at: Mapping[str, Sequence[Action]],
        actions_of: Mapping[str, Sequence[Action]],
        changes_under: Mapping[str, Sequence[tuple[int, Change]]],
    ) -> None:
        """``context``: what every page reads besides the plan (options, revision,
        actuals); ``gaps``: the bottom-up gap of each (node, metric); the actions at and
        of each node and the adjustments' changes under it, as the pages list them."""
        self.plan = plan
        self.gaps = gaps
        self.actions_at = actions_at
        self.actions_of = actions_of
        self.changes_under = changes_under
        self._nodes: dict[str, bytes] = {}
        self._people: dict[str, bytes] = {}
        self._actions: dict[str, bytes] = {}
        self._adjustments: dict[int, bytes] = {}
        self._every = _digest(code_digest(), FORMAT, _plain(tuple(context)), self._plan_part())

    def _plan_part(self) -> Any:
        plan = self.plan
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
        )

    def regions(
        self,
        sources: Mapping[str, bytes],
        also: Iterable[str] = (),
        digests: dict[str, str] | None = None,
    ) -> dict[str, str]:
        """The region key of each region file whose pages may take their keys from the
        record (see the module's docstring); ``sources``: path -> bytes of every file.
        ``also``: region files the model was built without (their nodes are whole
        subtrees under the company, as a render with every file found; see
        :mod:`planc.site.fragments`), keyed the same way. ``digests``: path ->
        :func:`file_digest` of those bytes, taken already (used) or to take (filled in).

        Only for a plan the partitioned check vouched for: the keys say nothing otherwise.
        """
        plan = self.plan
        company = plan.nodes.get(plan.company)
        if company is None:
            return {}
        quarter = company.loc.file
        files = digests if digests is not None else {}
        for path, data in sources.items():
            if path not in files:  # each file hashed once per render (19 MB at 10,000 reps)
                files[path] = file_digest(data)
        # the files defining what the quarter file names: read by pages of every region
        tables: dict[str, Mapping[str, Any]] = {"person": plan.people, "node": plan.nodes}
        named: set[str] = set()
        for kind, ident in quarter_names(plan, quarter):
            table = tables.get(kind)
            found = table.get(ident) if table is not None else None
            if found is not None:
                named.add(found.loc.file)
        named.discard(quarter)
        if quarter not in sources or not named <= sources.keys():
            return {}
        shared = tuple(sorted((path, files[path]) for path in named))
        mixed = {quarter}  # files whose nodes hang below another file's (not the company)
        for node in plan.nodes.values():
            parent = plan.nodes.get(node.parent) if node.parent is not None else None
            if parent is None or parent.id == plan.company:
                continue
            if parent.loc.file != node.loc.file:
                mixed |= {parent.loc.file, node.loc.file}
        every = self._every
        keyed = ({node.loc.file for node in plan.nodes.values()} - mixed) | set(also)
        return {
            path: _digest(every, "region", path, files[quarter], files[path], shared).hex()
            for path in keyed
            if path in sources and path != quarter
        }

    def _node(self, node_id: str) -> bytes:
        found = self._nodes.get(node_id)
        if found is None:
            node = self.plan.nodes.get(node_id)
            found = self._nodes[node_id] = _digest(None if node is None else _node_fields(node))
        return found

    def _person(self, person_id: str | None) -> bytes:
        if person_id is None:
            return b""
        found = self._people.get(person_id)
        if found is None:
            person = self.plan.people.get(person_id)
            found = self._people[person_id] = _digest(None if person is None else _fields(person))
        return found

    def _name(self, node_id: str) -> Any:
        node = self.plan.nodes.get(node_id)
        return None if node is None else (node.name, int(node.level))

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

    def _action(self, action: Action) -> bytes:
        """An action as a page shows it: itself, its owner's name, the name of its node."""
        found = self._actions.get(action.id)
        if found is None:
            shown = (_action_fields(action), self._person(action.owner), self._name(action.node))
            found = self._actions[action.id] = _digest(shown)
        return found

    def _actions_of(self, *groups: Iterable[Action]) -> tuple[bytes, ...]:
        return tuple(self._action(a) for group in groups for a in group)

    def _adjustment(self, index: int) -> bytes:
        found = self._adjustments.get(index)
        if found is None:
            adjustment = self.plan.adjustments[index]
            approvers = tuple(self._person(p) for p in adjustment.approved_by)
            places = tuple(self._name(c.node) for c in adjustment.changes)
            found = _digest(_fields(adjustment), approvers, places)
            self._adjustments[index] = found
        return found

    def _changes(self, node: Node) -> tuple[Any, ...]:
        """The adjustments listed on a node's page: each with the changes under the node."""
        return tuple(
            (index, self._adjustment(index), _fields(change))
            for index, change in self.changes_under.get(node.id, ())
        )

    def rep(self, path: str, node: Node) -> str:
        plan = self.plan
        manager = plan.managers.get(node.id)
        above = [self.actions_at.get(n.id, ()) for n in plan.ancestors(node.id)]
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
            self._actions_of(self.actions_of.get(node.id, ()), *above),
            self._changes(node),
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
            below,
            people,
            self._chain(node.id),
            self._gaps(node),
            self._actions_of(self.actions_at.get(node.id, ())),
            self._changes(node),
        ).hex()


def quarter_names(plan: Plan, quarter: str) -> list[tuple[str, str]]:
    """What the quarter file names (kind, id): its references, and the nodes its
    adjustments change and the people who approve them, and its actions' nodes and
    owners (which are not references)."""
    ids = [(r.kind, r.id) for r in plan.references if r.loc.file == quarter]
    for adjustment in plan.adjustments:
        if adjustment.loc.file == quarter:
            ids += [("node", change.node) for change in adjustment.changes]
            ids += [("person", person) for person in adjustment.approved_by]
    for action in plan.actions:
        if action.loc.file == quarter:
            ids += [("node", action.node), ("person", action.owner)]
    return ids


def _target_fields(t: Target) -> tuple[Any, ...]:
    """A target field by field, as :func:`_fields` would give it, without its generality."""
    months, products, last_months, segments = t.months, t.products, t.last_year_months, t.segments
    return (
        t.node,
        t.metric,
        str(t.value),
        None if t.stretch is None else str(t.stretch),
        t.deadline.toordinal(),
        t.owner,
        t.pillar,
        None if t.last_quarter is None else str(t.last_quarter),
        None if t.last_year is None else str(t.last_year),
        None if months is None else tuple(map(str, months)),
        None if products is None else (tuple(products), tuple(map(str, products.values()))),
        t.note,
        None if t.bottom_up is None else str(t.bottom_up),
        None if last_months is None else tuple(map(str, last_months)),
        None if segments is None else (tuple(segments), tuple(map(str, segments.values()))),
    )


_TARGET_FIELDS = [
    "node",
    "metric",
    "value",
    "stretch",
    "deadline",
    "owner",
    "pillar",
    "last_quarter",
    "last_year",
    "months",
    "products",
    "note",
    "bottom_up",
    "last_year_months",
    "segments",
]


def _node_fields(node: Node) -> tuple[Any, ...]:
    if not _FAST:  # the model has fields this module does not know by name: the general way
        return _fields(node)
    return (
        node.id,
        node.name,
        int(node.level),
        node.owner,
        node.parent,
        node.children,
        tuple(node.targets),
        tuple(map(_target_fields, node.targets.values())),
        tuple(node.budget),
        tuple(map(str, node.budget.values())),
        None if node.potential is None else str(node.potential),
        node.key_accounts,
    )


def _action_fields(action: Action) -> tuple[Any, ...]:
    if not _FAST:
        return _fields(action)
    resources = tuple((r.kind, str(r.amount), r.note) for r in action.resources)
    return (
        action.id,
        action.what,
        action.owner,
        action.node,
        action.supports,
        action.due.toordinal(),
        resources,
    )


_ACTION_FIELDS = ["id", "what", "owner", "node", "supports", "due", "resources"]
_RESOURCE_FIELDS = ["kind", "amount", "note"]
_NODE_FIELDS = [
    "id",
    "name",
    "level",
    "owner",
    "parent",
    "children",
    "targets",
    "budget",
    "potential",
    "key_accounts",
]
# The fast path knows every field by name; a field added to the model turns it off
# (every key is then made the general way) rather than being left out of the keys.
_FAST = (
    list(_field_names(Target)) == _TARGET_FIELDS
    and list(_field_names(Node)) == _NODE_FIELDS
    and list(_field_names(Action)) == _ACTION_FIELDS
    and list(_field_names(Resource)) == _RESOURCE_FIELDS
)


def regions_from(value: Any) -> dict[str, str]:
    """The region keys a render recorded (path -> key), checked for shape; {} if none."""
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        return {}
    regions = value.get("regions")
    if not isinstance(regions, dict):
        return {}
    return {
        path: key
        for path, key in regions.items()
        if isinstance(path, str) and isinstance(key, str) and _HEX.match(key)
    }


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


def index_record(
    pages: Mapping[str, tuple[str, str]],
    regions: Mapping[str, str] | None = None,
    files: Mapping[str, str] | None = None,
    named: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The record of a render: its pages, and its region keys where the plan was vouched
    for; ``files``: the SHA-256 of each region file whose fragment the render recorded
    under its region key and of the quarter file (see :func:`files_from`); ``named``:
    the SHA-256 of each region file defining what the quarter file names."""
    record: dict[str, Any] = {
        "format": FORMAT,
        "pages": {p: list(pair) for p, pair in sorted(pages.items())},
    }
    if regions:
        record["regions"] = dict(sorted(regions.items()))
    if files:
        record["files"] = dict(sorted(files.items()))
        record["named"] = dict(sorted((named or {}).items()))
    return record


_SHA256 = re.compile(r"[0-9a-f]{64}\Z")


def files_from(value: Any, entry: str = "files") -> dict[str, str]:
    """The files a render recorded (path -> SHA-256 of its bytes), checked for shape: the
    quarter file and each region file whose fragment it recorded (a clean plan only,
    :mod:`planc.site.fragments`); {} if none. ``entry="named"``: the region files
    defining what the quarter file names."""
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        return {}
    files = value.get(entry)
    if not isinstance(files, dict):
        return {}
    return {
        path: digest
        for path, digest in files.items()
        if isinstance(path, str) and isinstance(digest, str) and _SHA256.match(digest)
    }


def file_digest(data: bytes) -> str:
    """A plan file's digest in the record (the region keys hash the same way). SHA-256:
    computed in hardware, 2.5x BLAKE2b's speed here (19 MB at 10,000 reps)."""
    return hashlib.sha256(data).hexdigest()


def fragment_name(region_key: str) -> str:
    """The record holding a region file's fragment and pages, under its region key."""
    return f"site-fragment-{region_key}"


def fragment_record(
    path: str, region_key: str, pages: Sequence[str], fragment: Mapping[str, Any]
) -> dict[str, Any]:
    """What is recorded under a region key: the file, its pages (every page of its
    nodes) and the index's fragment of it (:func:`planc.site.fragments.fragment`)."""
    return {
        "format": FORMAT,
        "path": path,
        "key": region_key,
        "pages": list(pages),
        "fragment": dict(fragment),
    }


def fragment_from(value: Any, path: str, region_key: str) -> tuple[list[str], Any] | None:
    """The pages and the fragment recorded for ``path`` under ``region_key``, checked
    for shape (the fragment itself is checked where it is read); None otherwise."""
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        return None
    if value.get("path") != path or value.get("key") != region_key:
        return None
    pages = value.get("pages")
    if not isinstance(pages, list) or not all(isinstance(p, str) for p in pages):
        return None
    if not pages or "fragment" not in value:
        return None
    return list(pages), value["fragment"]
