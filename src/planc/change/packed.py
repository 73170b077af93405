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

The pickles are made by planc from objects it built, in this process or in a
child it forked to compile a side (:mod:`planc.change.comparison`), which sends
them back through its own pipe (:mod:`planc.core.forking`); they never go to a
file or a cache: unpickling them runs nothing a plan file could choose. If
anything cannot be pickled the side is kept whole, as before.
:class:`Interner` unpickles them sharing equal values across sides.
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
from datetime import date
from decimal import Decimal
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


_MODEL = (Node, Target, Person)
_REDUCERS: dict[type[Any], Callable[[Any], tuple[Any, ...]]] = {
    **{cls: _fields_reducer(cls) for cls in _MODEL},
    Loc: _loc_reducer,
}


def _dumps(obj: object) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=_PROTOCOL)
    pickler.dispatch_table = _REDUCERS
    pickler.dump(obj)
    return buffer.getvalue()


_DATE: Any = date  # called with its pickled state, as unpickling calls it


class Interner:
    """One copy of each equal value across every entry unpacked through it.

    Each entry is pickled on its own, so unpickled as it is every entry would get
    its own copy of each text (a metric's name, a pillar, a note, a file's path),
    number and date, and the base of a comparison of two *folders* (where every
    ``Loc`` names the other file, so no entry is the head's) would be a second
    whole plan. Unpickling through an interner builds each model object from
    values already seen where they are equal: the same objects a compile makes
    (its loader interns texts), at a fraction of the memory. Equal here is exact:
    a ``Decimal`` by its text (``1.0`` and ``1.00`` stay two), a date by its
    pickled state, a text by its characters; nothing but the class's own
    constructor builds an object, with the values its pickle holds.
    """

    __slots__ = ("_classes", "_dates", "_decimals", "_strings")

    def __init__(self) -> None:
        self._strings: dict[str, str] = {}
        self._decimals: dict[str, Decimal] = {}
        self._dates: dict[bytes, date] = {}
        self._classes: dict[tuple[str, str], Callable[..., Any]] = {
            ("decimal", "Decimal"): self.decimal,
            ("datetime", "date"): self.date,
            (Loc.__module__, Loc.__qualname__): self.loc,
            **{(cls.__module__, cls.__qualname__): self._maker(cls) for cls in _MODEL},
        }

    def text(self, value: str) -> str:
        return self._strings.setdefault(value, value)

    def decimal(self, text: str) -> Decimal:
        found = self._decimals.get(text)
        if found is None:
            found = self._decimals[text] = Decimal(text)
        return found

    def date(self, state: bytes) -> date:
        found = self._dates.get(state)
        if found is None:
            found = self._dates[state] = _DATE(state)  # the form date pickles itself in
        return found

    def loc(self, file: str, path: tuple[Any, ...] = (), key: bool = False) -> Loc:
        strings = self._strings
        shared = tuple([strings.setdefault(p, p) if p.__class__ is str else p for p in path])
        return Loc(strings.setdefault(file, file), shared, key)

    def _maker(self, cls: type[T]) -> Callable[..., T]:
        strings = self._strings

        share = strings.setdefault

        def contained(value: Any) -> Any:  # a tuple (of texts: ids) or a dict (by texts)
            if value.__class__ is tuple:
                if not value or value[0].__class__ is not str:
                    return value  # months, figures: numbers, shared already
                return tuple([share(v, v) if v.__class__ is str else v for v in value])
            return {(share(k, k) if k.__class__ is str else k): v for k, v in value.items()}

        def make(*values: Any) -> T:
            return cls(
                *[
                    share(v, v)
                    if (kind := v.__class__) is str
                    else (contained(v) if kind is tuple or kind is dict else v)
                    for v in values
                ]
            )

        return make

    def loads(self, data: memoryview | bytes) -> Any:
        """One entry's pickle (made by this process: see the module's docstring)."""
        return _Loader(io.BytesIO(data), self._classes).load()


class _Loader(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, classes: Mapping[tuple[str, str], Callable[..., Any]]):
        super().__init__(file)
        self._classes = classes

    def find_class(self, module: str, name: str) -> Any:
        found = self._classes.get((module, name))
        return found if found is not None else super().find_class(module, name)


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

    def unpack(
        self,
        same_as: Callable[[int], T | None],
        shared: Interner,
        theirs: Callable[[int], bytes | None] | None = None,
    ) -> list[T]:
        """The entries in order; entry i is ``same_as(i)`` itself when that pickles to the
        same bytes (``theirs(i)``: its pickle, when it was unpacked from one), else its own
        pickle loaded (its values shared through ``shared``)."""
        out: list[T] = []
        index = 0
        for blob, ends in zip(self._blobs, self._ends, strict=True):
            batch = zlib.decompress(blob)
            data = memoryview(batch)
            start = 0
            for end in ends:
                mine = data[start:end]
                other = same_as(index)
                if other is None:
                    same = False
                elif theirs is not None:
                    same = theirs(index) == batch[start:end]
                else:
                    same = _may_equal(other, batch, start, end) and _dumps(other) == mine
                if same:
                    out.append(other)  # type: ignore[arg-type]  # not None when same
                else:
                    out.append(shared.loads(mine))  # our own bytes: see the docstring
                start = end
                index += 1
        return out

    def reader(self) -> Callable[[int], bytes]:
        """Entry i's pickle, by index (the last batch read is kept: read in order, each
        batch is decompressed once)."""
        last: list[Any] = [-1, b"", None]

        def entry(index: int) -> bytes:
            number, at = divmod(index, _BATCH)
            if last[0] != number:
                last[:] = [number, zlib.decompress(self._blobs[number]), self._ends[number]]
            ends = last[2]
            return bytes(last[1][ends[at - 1] if at else 0 : ends[at]])

        return entry


def _may_equal(other: object, batch: bytes, start: int, end: int) -> bool:
    """False when ``batch[start:end]`` cannot be ``other``'s pickle: it lacks the file
    ``other``'s ``loc`` names (which that pickle holds, UTF-8 encoded as pickle writes
    texts). Comparing two folders, no entry names the other side's files: this spares
    pickling each head entry only to find the bytes differ."""
    loc = getattr(other, "loc", None)
    if not isinstance(loc, Loc):
        return True
    try:
        needle = loc.file.encode("utf-8", "surrogatepass")
    except UnicodeEncodeError:
        return True
    return batch.find(needle, start, end) != -1


def _unpack_mapping(
    keys: list[str],
    packed: _Packed[T],
    other: Mapping[str, T] | None,
    shared: Interner,
    their_packed: tuple[list[str], _Packed[T]] | None = None,
) -> dict[str, T]:
    """``keys`` -> their entries; an entry equal to ``other``'s of the same key is that.

    ``their_packed``: the keys and pickles ``other`` was unpacked from. Then an entry is
    compared with the pickle of ``other``'s entry (both made by the same pickler from
    compiled objects), not with ``other``'s entry pickled again."""

    def same_as(index: int) -> T | None:
        return other.get(keys[index]) if other is not None else None

    theirs = None
    if other is not None and their_packed is not None:
        their_keys, their_entries = their_packed
        where = {key: index for index, key in enumerate(their_keys)}
        read = their_entries.reader()

        def theirs(index: int) -> bytes | None:
            found = where.get(keys[index])
            return read(found) if found is not None else None

    entries = packed.unpack(same_as, shared, theirs)
    return dict(zip(map(shared.text, keys), entries, strict=True))


@dataclass(slots=True)
class _PackedPlan:
    skeleton: Plan  # the plan with nodes, people, references and actions left out
    actions: tuple[object, ...]
    node_ids: list[str]
    nodes: _Packed[Node]
    person_ids: list[str]
    people: _Packed[Person]

    def plan(self, head: Plan | None, shared: Interner, theirs: _PackedPlan | None) -> Plan:
        """The plan again, sharing ``head``'s equal entries (``theirs``: the packed plan
        ``head`` was unpacked from, if it was)."""
        nodes = _unpack_mapping(
            self.node_ids,
            self.nodes,
            head.nodes if head else None,
            shared,
            (theirs.node_ids, theirs.nodes) if theirs is not None else None,
        )
        people = _unpack_mapping(
            self.person_ids,
            self.people,
            head.people if head else None,
            shared,
            (theirs.person_ids, theirs.people) if theirs is not None else None,
        )
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

    def unpack(
        self,
        head: Plan | None,
        shared: Interner | None = None,
        theirs: PackedSide | None = None,
    ) -> tuple[CheckResult, dict[str, PackedSource]]:
        """The side's result again, its plan sharing every entry it has in common with
        ``head`` and, through ``shared`` (one for every side of a comparison), every text,
        number and date equal to one already unpacked; and its packed sources.
        ``theirs``: the packed side ``head`` was unpacked from, if it was (its entries'
        pickles are then compared, rather than ``head``'s entries pickled again)."""
        result = replace(self.result)
        if self.plan is not None:
            their_plan = theirs.plan if theirs is not None and head is not None else None
            shared = shared if shared is not None else Interner()
            result.plan = self.plan.plan(head, shared, their_plan)
        return result, self.sources

    @property
    def approved_ref(self) -> str | None:
        """The approved plan the side's plan names (None: none, or no plan)."""
        return self.plan.skeleton.approved_ref if self.plan is not None else None


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
