"""One side of ``planc diff`` held packed while the other side compiles.

A 50,000-rep plan is ~650 MiB of model objects; comparing two of them held
whole at once peaked at 1.5 GiB. A change touches a few percent of a plan, so
the base is compiled first and then packed (:func:`pack_side`): each node and
person is pickled on its own and the pickles are kept zlib-compressed in
batches, each source file compressed with its digest beside it. The base's
objects are then freed and the head compiles. :meth:`PackedSide.side` rebuilds
the base: an entry whose pickle is byte-for-byte the pickle of the head's entry
of the same key *is* that head object (equal bytes unpickle to an equal
object), so it is shared, not rebuilt; only the others are unpickled. Nothing
is assumed about which entries are unchanged: every entry is compared, so the
rebuilt base is equal, entry for entry, to the one compiled (a test asserts it).

What the rebuilt base leaves out, because nothing in :mod:`planc.change` reads
it from the base side: ``references`` (empty), and the ``actions`` outside the
files that have base diagnostics (``_subjects`` in :mod:`planc.change.diff`
indexes only those files). Its ``CheckResult.sources`` is empty; the files'
bytes stay compressed in the :class:`PackedSource` s of the side, read back one
file at a time where a position in them is wanted.

The pickles are made in this process from objects it built and never leave it
(no file, no cache): unpickling them runs nothing a plan file could choose.
If anything cannot be pickled the side is kept whole, as before.
"""

from __future__ import annotations

import gc
import hashlib
import io
import pickle
import zlib
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from operator import attrgetter
from typing import Any, Generic, TypeVar

from planc.core.model import Node, Person, Plan, Target
from planc.core.pipeline import CheckResult
from planc.core.source import Loc, SourceFile

T = TypeVar("T")
_BATCH = 256  # entries compressed together: enough for zlib, little to unpack for one entry
_PROTOCOL = pickle.HIGHEST_PROTOCOL


def _fields_reducer(cls: type[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """Pickle an instance as ``cls(*fields)``: what a slots dataclass's own pickling does,
    without its per-object call to ``dataclasses.fields`` (a third of the time here)."""
    names = [f.name for f in fields(cls)]
    assert all(f.init for f in fields(cls)) and not hasattr(cls, "__post_init__")
    get = attrgetter(*names)
    return lambda obj: (cls, get(obj))


def _loc_reducer(loc: Loc) -> tuple[Any, ...]:
    return (Loc, tuple(loc))


_REDUCERS: dict[type[Any], Callable[[Any], tuple[Any, ...]]] = {
    **{cls: _fields_reducer(cls) for cls in (Node, Target, Person)},
    Loc: _loc_reducer,
}


def _dumps(obj: object) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=_PROTOCOL)
    pickler.dispatch_table = _REDUCERS
    pickler.dump(obj)
    return buffer.getvalue()


def digest(data: bytes) -> bytes:
    """What file contents are compared by, once one side no longer holds its bytes."""
    return hashlib.blake2b(data, digest_size=20).digest()


@dataclass(frozen=True, slots=True)
class PackedSource:
    """A source file kept compressed: its digest for comparing, its bytes for positions."""

    path: str
    revision: str | None
    digest: bytes
    packed: bytes

    @classmethod
    def of(cls, source: SourceFile) -> PackedSource:
        return cls(source.path, source.revision, digest(source.data), zlib.compress(source.data, 1))

    def source(self) -> SourceFile:
        return SourceFile(self.path, zlib.decompress(self.packed), self.revision)


class _Packed(Generic[T]):
    """Model objects in order, each pickled on its own, compressed in batches."""

    __slots__ = ("_blobs", "_ends")

    def __init__(self, items: Sequence[T]) -> None:
        self._blobs: list[bytes] = []
        self._ends: list[array[int]] = []  # per batch: where each entry's pickle ends
        for start in range(0, len(items), _BATCH):
            parts = [_dumps(item) for item in items[start : start + _BATCH]]
            ends = array("Q")
            end = 0
            for part in parts:
                end += len(part)
                ends.append(end)
            self._ends.append(ends)
            self._blobs.append(zlib.compress(b"".join(parts), 1))

    def unpack(self, same_as: Callable[[int], T | None]) -> list[T]:
        """The entries in order; entry i is ``same_as(i)`` itself when that pickles to the
        same bytes, else its own pickle loaded."""
        out: list[T] = []
        index = 0
        for blob, ends in zip(self._blobs, self._ends, strict=True):
            data = memoryview(zlib.decompress(blob))
            start = 0
            for end in ends:
                mine = data[start:end]
                other = same_as(index)
                if other is not None and _dumps(other) == mine:
                    out.append(other)
                else:
                    out.append(pickle.loads(mine))  # our own bytes: see the docstring
                start = end
                index += 1
        return out


def _unpack_mapping(
    keys: list[str], packed: _Packed[T], other: Mapping[str, T] | None
) -> dict[str, T]:
    def same_as(index: int) -> T | None:
        return other.get(keys[index]) if other is not None else None

    return dict(zip(keys, packed.unpack(same_as), strict=True))


@dataclass(slots=True)
class _PackedPlan:
    skeleton: Plan  # the plan with nodes, people, references and actions left out
    actions: tuple[object, ...]
    node_ids: list[str]
    nodes: _Packed[Node]
    person_ids: list[str]
    people: _Packed[Person]

    def plan(self, head: Plan | None) -> Plan:
        nodes = _unpack_mapping(self.node_ids, self.nodes, head.nodes if head else None)
        people = _unpack_mapping(self.person_ids, self.people, head.people if head else None)
        return replace(self.skeleton, nodes=nodes, people=people, actions=self.actions)  # type: ignore[arg-type]


def _pack_plan(plan: Plan, diagnostics: Sequence[object]) -> _PackedPlan:
    files = {loc.file for d in diagnostics if (loc := getattr(d, "loc", None)) is not None}
    kept = tuple(a for a in plan.actions if a.loc.file in files)
    skeleton = replace(plan, nodes={}, people={}, actions=(), references=())
    return _PackedPlan(
        skeleton,
        kept,
        list(plan.nodes),
        _Packed(list(plan.nodes.values())),
        list(plan.people),
        _Packed(list(plan.people.values())),
    )


@dataclass(slots=True)
class PackedSide:
    """What :func:`pack_side` keeps of a compiled side: see the module's docstring."""

    result: CheckResult  # label, diagnostics and levels; no plan, no sources
    sources: dict[str, PackedSource]
    plan: _PackedPlan | None

    def unpack(self, head: Plan | None) -> tuple[CheckResult, dict[str, PackedSource]]:
        """The side's result again, its plan sharing every entry it has in common with
        ``head``, and its packed sources."""
        result = replace(self.result)
        if self.plan is not None:
            result.plan = self.plan.plan(head)
        return result, self.sources


def pack_side(result: CheckResult) -> PackedSide | None:
    """``result`` packed (see the module's docstring); None when it cannot be, and then
    the caller keeps it whole."""
    try:
        plan = _pack_plan(result.plan, result.diagnostics) if result.plan is not None else None
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return None
    sources = {path: PackedSource.of(source) for path, source in result.sources.items()}
    kept = CheckResult(result.label, {}, list(result.diagnostics), None, result.levels)
    return PackedSide(kept, sources, plan)


def collect() -> None:
    """Return what a freed side held before the next one compiles (its objects may sit in
    reference cycles the paused collector has not seen)."""
    gc.collect()
