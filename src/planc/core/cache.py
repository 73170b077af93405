"""The on-disk cache of file units: what ``planc check`` learnt about a file, kept for next time.

A unit (see :mod:`planc.core.frontend`) depends only on a file's path, its
bytes and the size bound, and on the planc and schema that compiled it; its
entry is named after a digest of all of those, so an edited file, another
planc or another schema simply finds no entry (nothing is ever invalidated,
nothing stale can be found).

The format is JSON, never pickle: the folder may be restored from a CI cache
that someone else could have written, so an entry is data to check, never
code to run. Every entry repeats its own key; one that does not parse, does
not hold what its name says or has the wrong shape is ignored, and the file
is compiled as if the entry were absent. Numbers keep their exact ``Decimal``
digits (written as JSON numbers with an exponent, read back with
``parse_float=Decimal``).

The folder is bounded: past ``max_entries`` files or ``max_bytes`` the least
recently used entries go (a hit refreshes an entry's time). Only files named
like entries are ever removed.

A :class:`StatCache` (one record per plan folder) keeps each file's stat
(size, mtime, ctime, inode, device) beside its unit digest, as git's index
does, so a warm check does not hash every byte of the plan again: a file whose
stat matches is taken as unchanged. The record is sealed with a key of this
machine's user, kept outside any cache folder (:func:`stat_key`): a record
restored from elsewhere (a CI cache) could otherwise tie the stat of a file on
disk to the digest of other bytes, and planc would report those bytes' results.
A stat is taken just before the file is read
(:meth:`StatCache.reading`), and only trusted when the file's ctime and mtime
are older than :data:`STAT_WINDOW_NS` before that moment: every write and every
``touch`` sets the ctime to the current time, so an edit while the file is read
leaves it with another stat than the one kept (never vouched for, however long
the read takes), and an edit within one timestamp tick of the last run (git's
"racy" case) is hashed again. A ``planc check`` does not even read such a
file unless something asks for its bytes (:meth:`StatCache.deferred`: a 50,000-rep
plan is 91 MB); read then, the file must still have the stat that vouched for it,
else the check starts over with every file read.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, partial
from pathlib import Path
from typing import Any

from planc import __version__
from planc.core.diagnostics import Diagnostic, Severity, message_from_json, message_json
from planc.core.files import open_regular, read_regular
from planc.core.frontend import FileUnit, unit_digest
from planc.core.resources import schema_path
from planc.core.schema import is_valid
from planc.core.source import Loc, SourceChanged, SourceFile, SourceSpan

FORMAT = 2  # 2: messages as they were made (core.diagnostics.message_json)
ENV_VAR = "PLANC_CACHE_DIR"
DEFAULT_MAX_ENTRIES = 512
DEFAULT_MAX_BYTES = 1024 * 1024 * 1024
_ENTRY_BOUND = 256 * 1024 * 1024  # a unit of the largest plan file allowed, with room
_ENTRY_NAME = re.compile(r"[0-9a-f]{40}\.json\Z")
# A Decimal is written as a marked string by json.dumps, then unquoted into a number.
_MARK = "\x00"
_MARKED = re.compile(r'"\\u0000([-+.0-9E]+)"')
_SEVERITIES = {s.value: s for s in Severity}
# A stat younger than this (ctime or mtime, against the clock when it was taken) is not
# trusted: the file may have been written in the same timestamp tick as its last hash, or
# while it was read. Generous: file systems stamp with a coarse clock (FAT: 2 s).
STAT_WINDOW_NS = 3_000_000_000
STAT_MAX_FILES = 20_000  # a stat record bigger than that is not read (one plan's files)
STAT_KEY_BYTES = 32


@cache
def schema_digest() -> str:
    """A digest of the schema and of the code that made the units.

    A new schema finds no old entry; nor does a changed loader in a checkout
    whose version number did not move (a developer's, or a fork's).
    """
    digest = hashlib.blake2b(schema_path().read_bytes(), digest_size=16)
    # Every module of planc.core (the loader and all it uses: about 30 small files,
    # read in a millisecond), so no list of them can fall behind the code.
    for code in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(code.name.encode() + b"\x00" + code.read_bytes())
    return digest.hexdigest()


def entry_key(unit_digest: str) -> str:
    """An entry's name: the unit's digest with planc's version, the schema and the format."""
    digest = hashlib.blake2b(digest_size=20)
    for part in (str(FORMAT), __version__, schema_digest(), unit_digest):
        digest.update(part.encode() + b"\x00")
    return digest.hexdigest()


def _record_key(name: str) -> str:
    """A record's entry name: never the name of a unit's entry (another first part)."""
    digest = hashlib.blake2b(digest_size=20)
    for part in ("record", str(FORMAT), __version__, name):
        digest.update(part.encode() + b"\x00")
    return digest.hexdigest()


def default_folder(plan_dir: Path) -> Path:
    """``$PLANC_CACHE_DIR``; else ``.git/planc/cache`` of the repository holding the plan;
    else the user's cache folder. Never inside the plan folder itself."""
    chosen = os.environ.get(ENV_VAR)
    if chosen:
        return Path(chosen).expanduser()
    for folder in (plan_dir.absolute(), *plan_dir.absolute().parents):
        git = folder / ".git"
        if git.is_dir():
            return git / "planc" / "cache"
        if git.exists():  # a worktree or submodule: .git is a file; use the user's folder
            break
    return user_cache_folder()


def state_folder() -> Path:
    """Where planc keeps what must never travel with a cache folder (the stat records' key):
    ``$XDG_STATE_HOME/planc`` (``~/.local/state/planc``), ``~/Library/Application
    Support/planc``, ``%LOCALAPPDATA%\\planc\\State``."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "planc" / "State"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "planc"
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "planc"


def stat_key(cache_folder: Path) -> bytes | None:
    """This user's key that seals stat records (made on first use), or None: trust none.

    Why a key: a stat record that lies (restored from a CI cache someone else wrote)
    could tie the stat of a file on disk to the digest of other bytes, and planc would
    report those bytes' findings for the file; with a key the record can only have been
    written by a planc of this user. The key lives outside the cache folder, so a
    restored folder never brings it: a key found inside it (a ``--cache-dir`` over the
    state folder) is refused."""
    path = state_folder() / "stat-key"
    try:
        if path.resolve().is_relative_to(cache_folder.resolve()):
            return None
        try:
            key = read_regular(path, STAT_KEY_BYTES)
        except FileNotFoundError:
            key = _new_key(path)
    except OSError:  # unreadable, not a regular file or over the size: no trust
        return None
    return key if len(key) == STAT_KEY_BYTES else None


def _new_key(path: Path) -> bytes:
    """A new key at ``path``, readable by this user only; the first of two racing wins."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(STAT_KEY_BYTES)
    temp = path.with_name(f".stat-key.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(key)
        os.link(temp, path)  # never replaces a key another planc made meanwhile
    except FileExistsError:
        return read_regular(path, STAT_KEY_BYTES)
    finally:
        temp.unlink(missing_ok=True)
    return key


def user_cache_folder() -> Path:
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "planc" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "planc"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "planc"


@dataclass(slots=True)
class UnitCache:
    """A folder of unit entries (implements :class:`planc.core.frontend.UnitStore`)."""

    folder: Path
    max_entries: int = DEFAULT_MAX_ENTRIES
    max_bytes: int = DEFAULT_MAX_BYTES
    hits: int = 0
    misses: int = 0
    ignored: int = 0  # entries found but not trusted (corrupted, foreign, wrong shape)
    written: int = 0

    def get(self, digest: str) -> FileUnit | None:
        path = self.folder / f"{entry_key(digest)}.json"
        try:
            # an entry is untrusted: a FIFO or a link to a device planted there must not hang
            text = read_regular(path, _ENTRY_BOUND).decode("utf-8")
        except (OSError, UnicodeDecodeError):
            self.misses += 1
            return None
        unit = _decode(text, digest)
        if unit is None:
            self.ignored += 1
            self.misses += 1
            return None
        self.hits += 1
        with contextlib.suppress(OSError):
            os.utime(path)  # least recently used goes first
        return unit

    def put(self, unit: FileUnit, data: str | None = None) -> None:
        """Keep ``unit`` under its digest. ``data``: the JSON text of ``unit.data`` exactly as
        this cache writes it (each Decimal in its exact ``E`` form), where the caller has it
        already (a unit read from a region file's team record, whose texts are that JSON:
        :meth:`planc.checks.partition.FromRecord.data_text`); it is not encoded again
        (0.15 s of CPU for a 2,500-rep file)."""
        try:
            text = _encode(unit) if data is None else _entry(unit, data)
        except (TypeError, ValueError):
            return  # a value JSON cannot hold exactly: compile the file again next time
        if text is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write(self.folder / f"{entry_key(unit.digest)}.json", text.encode("utf-8"))
            self.written += 1
            self._trim()
        except OSError:
            return  # a cache that cannot be written is no cache; the check itself is fine

    def get_record(self, name: str) -> Any:
        """A JSON value put under ``name`` by this planc, or None. Untrusted: check its shape."""
        path = self.folder / f"{_record_key(name)}.json"
        try:
            value = json.loads(read_regular(path, _ENTRY_BOUND).decode("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            return None
        if not isinstance(value, dict) or value.get("record") != name:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)
        return value.get("value")

    def put_record(self, name: str, value: Any) -> None:
        """Keep a JSON value under ``name`` (an entry like any other: bounded, LRU)."""
        try:
            text = json.dumps({"record": name, "value": value}, separators=(",", ":"))
            self.folder.mkdir(parents=True, exist_ok=True)
            _write(self.folder / f"{_record_key(name)}.json", text.encode("utf-8"))
            self._trim()
        except (OSError, TypeError, ValueError):
            return

    def get_text(self, name: str) -> str | None:
        """Text put under ``name`` by :meth:`put_text`, or None. Untrusted: parse it with care.

        For large records made of many JSON texts (a region file's teams): kept as lines,
        they are not escaped into one JSON string and read back character by character."""
        path = self.folder / f"{_record_key(name)}.json"
        try:
            data = read_regular(path, _ENTRY_BOUND)
        except OSError:
            return None
        # the first line names the record; the rest is decoded straight from the bytes read
        # (a line break is one byte in UTF-8, never part of another character), not split
        # off a decoded copy of the whole: one copy of a 2 MB record fewer
        newline = data.find(b"\n")
        if newline < 0:
            return None  # a JSON record (one line)
        try:
            head = json.loads(data[:newline].decode("utf-8"))
            rest = str(memoryview(data)[newline + 1 :], "utf-8")
        except (UnicodeDecodeError, ValueError, RecursionError):
            return None
        if not isinstance(head, dict) or head.get("text") != name:
            return None  # another name's text
        with contextlib.suppress(OSError):
            os.utime(path)
        return rest

    def put_text(self, name: str, text: str) -> None:
        """Keep ``text`` under ``name`` (an entry like any other: bounded, LRU); its first
        line names it."""
        try:
            head = json.dumps({"text": name}, separators=(",", ":"))
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{_record_key(name)}.json"
            _write(path, (head + "\n").encode("utf-8"), text.encode("utf-8"))
            self._trim()
        except (OSError, UnicodeEncodeError):
            return

    def _trim(self) -> None:
        entries: list[tuple[float, int, Path]] = []
        with os.scandir(self.folder) as found:
            for item in found:
                if _ENTRY_NAME.match(item.name) and item.is_file(follow_symlinks=False):
                    stat = item.stat(follow_symlinks=False)
                    entries.append((stat.st_mtime, stat.st_size, Path(item.path)))
        total = sum(size for _, size, _ in entries)
        entries.sort()
        while entries and (len(entries) > self.max_entries or total > self.max_bytes):
            _, size, oldest = entries.pop(0)
            oldest.unlink(missing_ok=True)
            total -= size


def _write(path: Path, *parts: bytes) -> None:
    """``parts`` written one after the other as the file at ``path``.

    Atomic (a reader sees a whole entry or none) but not fsynced: a torn entry after a
    crash fails to parse and is ignored. The temporary file is made as ``mkstemp`` makes
    one (a new name of 64 random bits, created exclusively, this user's only), without
    importing :mod:`tempfile` (shutil, bz2, lzma: ~3 ms of every warm check's start)."""
    temp = path.with_name(f".entry.{secrets.token_hex(8)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    handle = os.open(temp, flags | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(handle, "wb") as out:
            for part in parts:
                out.write(part)
        os.chmod(temp, 0o644 & ~_umask())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@cache
def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# --- the entry format -------------------------------------------------------------


def _decimal_mark(value: object) -> str:
    if isinstance(value, Decimal) and value.is_finite():
        # 'E' keeps every digit of the coefficient: Decimal(text) has the same digits
        # and exponent (1. stays Decimal('1'), never the int 1).
        return _MARK + format(value, "E")
    raise TypeError(f"not a plan value: {type(value).__name__}")


def _encode(unit: FileUnit) -> str | None:
    decimals = 0

    def mark(value: object) -> str:
        nonlocal decimals
        decimals += 1
        return _decimal_mark(value)

    entry = {
        "format": FORMAT,
        "planc": __version__,
        "schema": schema_digest(),
        "digest": unit.digest,
        "path": unit.path,
        "diagnostics": [_diagnostic_out(d) for d in unit.diagnostics],
        "data": unit.data,
    }
    text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"), default=mark)
    text, unmarked = _MARKED.subn(r"\1", text)
    # Every mark is one of ours only if there are as many as Decimals written: a
    # string of the file's own that looks like a mark would make one more.
    return text if unmarked == decimals else None


def _entry(unit: FileUnit, data: str) -> str | None:
    """The entry :func:`_encode` writes of ``unit``, whose data's JSON text is ``data``."""
    head = _encode(FileUnit(unit.path, unit.digest, None, unit.diagnostics))
    tail = ',"data":null}'
    if head is None or not head.endswith(tail):
        return None
    return head[: -len(tail)] + ',"data":' + data + "}"


def _diagnostic_out(d: Diagnostic) -> list[Any]:
    loc = None if d.loc is None else [d.loc.file, list(d.loc.path), d.loc.key]
    span = None
    if d.span is not None:
        s = d.span
        span = [s.path, s.line, s.col, s.end_line, s.end_col]
    hint = None if d.hint is None else message_json(d.hint)
    return [d.code, d.severity.value, message_json(d.message), hint, loc, span]


class _Untrusted(Exception):
    """An entry that is not what it says it is."""


def _decode(text: str, digest: str) -> FileUnit | None:
    try:
        entry = json.loads(text, parse_float=Decimal)
        if not isinstance(entry, dict):
            raise _Untrusted
        expected = (FORMAT, __version__, schema_digest(), digest)
        found = (entry.get("format"), entry.get("planc"), entry.get("schema"), entry.get("digest"))
        if found != expected or not isinstance(entry.get("path"), str):
            raise _Untrusted
        diagnostics = tuple(_diagnostic_in(raw) for raw in _list(entry.get("diagnostics")))
        data = entry.get("data")
        if data is not None and not isinstance(data, dict):
            raise _Untrusted
        unit = FileUnit(entry["path"], digest, data, diagnostics)
        if data is not None and (unit.has_errors or not is_valid(data)):
            # A file with errors never hands its data on; data the model is built
            # from must have the shape the schema promises, whoever wrote the entry.
            raise _Untrusted
        if data is not None:
            _share_strings(data)
        return unit
    except (ValueError, TypeError, KeyError, IndexError, RecursionError, _Untrusted):
        return None


def _share_strings(data: dict[str, Any]) -> None:
    """Make equal string values one object, as the loaders do (short ones interned).

    ``json.loads`` shares the keys of one document but makes a new string for every
    value: a 50,000-rep plan's units decoded held 130 MiB more in the model built from
    them than with each distinct value once (ids, dates and enum words repeat across
    reps), and a render with a filled cache peaked higher than a cold one."""
    seen: dict[str, str] = {}
    lookup, intern = seen.get, sys.intern
    str_, dict_, list_ = str, dict, list
    stack: list[Any] = [data]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        # values replaced in place: a dict's keys (its size) never change while it is walked
        places = node.items() if node.__class__ is dict_ else enumerate(node)
        for place, value in places:
            kind = value.__class__
            if kind is str_:
                known = lookup(value)
                if known is None:
                    known = seen[value] = intern(value) if len(value) <= 32 else value
                node[place] = known
            elif kind is dict_ or kind is list_:
                push(value)


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _Untrusted
    return value


def _diagnostic_in(raw: Any) -> Diagnostic:
    code, severity, raw_message, raw_hint, loc, span = _list(raw)
    if not isinstance(code, str):
        raise _Untrusted
    message = message_from_json(raw_message)  # ValueError: not a message
    hint = None if raw_hint is None else message_from_json(raw_hint)
    where_loc = None
    if loc is not None:
        file, path, key = _list(loc)
        parts = tuple(_list(path))
        if not isinstance(file, str) or not all(type(p) in (str, int) for p in parts):
            raise _Untrusted
        where_loc = Loc(file, parts, key is True)
    where_span = None
    if span is not None:
        path_, line, col, end_line, end_col = _list(span)
        numbers = (line, col, end_line, end_col)
        if not isinstance(path_, str) or not all(type(n) is int for n in numbers):
            raise _Untrusted
        where_span = SourceSpan(path_, line, col, end_line, end_col)
    return Diagnostic(code, _SEVERITIES[severity], message, hint, where_loc, where_span)


# --- the stat cache ------------------------------------------------------------------


@dataclass(slots=True)
class StatCache:
    """Unit digests of a plan folder's files by their stat, kept as one record of a
    :class:`UnitCache` (bounded and least-recently-used like any entry).

    :meth:`digest` gives the same value as :func:`planc.core.frontend.unit_digest` of
    the bytes just read, hashing them only when the stat does not vouch for them.
    Each file's stat is taken before it is read (:meth:`reading` or :meth:`deferred`,
    as ``read_directory``'s ``defer``): a file read without one is hashed and its
    digest not kept. :meth:`save` keeps what it learnt.
    """

    store: UnitCache
    name: str
    max_bytes: int
    key: bytes | None = None  # None: no record is read or written (see :func:`stat_key`)
    entries: dict[str, list[Any]] = field(default_factory=dict)
    hashed: list[str] = field(default_factory=list)  # files hashed by this run (tests read it)
    vouched: dict[str, str] = field(default_factory=dict)  # files left unread: their digests
    # each file's stat taken just before it was read (None: too recent to vouch, or none)
    before: dict[str, list[int] | None] = field(default_factory=dict)
    changed: bool = False

    @classmethod
    def open(cls, store: UnitCache, plan_dir: Path, max_bytes: int) -> StatCache:
        name = ":".join(
            ("stat", str(FORMAT), __version__, str(max_bytes), str(plan_dir.absolute()))
        )
        found = cls(store, name, max_bytes, stat_key(store.folder))
        found.entries = _stat_entries(found.opened(store.get_record(name)))
        return found

    def sealed(self, entries: Any) -> dict[str, Any]:
        """The record to write: ``entries`` and their seal (this user's key over them)."""
        return {"seal": self._seal(entries), "entries": entries}

    def opened(self, record: Any) -> Any:
        """The entries of a record read back, or None unless this user's key sealed them."""
        if self.key is None or not isinstance(record, dict):
            return None
        seal, entries = record.get("seal"), record.get("entries")
        if not isinstance(seal, str) or not isinstance(entries, dict):
            return None
        try:
            expected = self._seal(entries)
        except (TypeError, ValueError, RecursionError):  # nested deeper than JSON can write
            return None
        # as bytes: compare_digest refuses a str that is not ASCII (the record's is any text)
        if not hmac.compare_digest(seal.encode("utf-8", "replace"), expected.encode()):
            return None
        return entries

    def _seal(self, entries: Any) -> str:
        # the record's name too: a record sealed for one plan folder is not another's
        text = json.dumps([self.name, entries], sort_keys=True, separators=(",", ":"))
        return hmac.new(self.key or b"", text.encode("utf-8"), hashlib.sha256).hexdigest()

    def deferred(self, name: str, path: Path) -> SourceFile | None:
        """File ``name`` (at ``path``) left unread, where its stat vouches for the bytes it
        had when last hashed (see :meth:`digest`); else None: read it now.

        The record is this user's (sealed), so its digest is of bytes this file held with
        this very stat; if the bytes are asked for later, the file must still have that
        stat after they are read, else :class:`SourceChanged` (an edit meanwhile): the
        caller reads every file again. Never for a git blob, nor on Windows."""
        signature = self._stat_before(name, path)
        entry = self.entries.get(name)
        if entry is None or signature is None or signature != entry[:-1]:
            return None  # read now: the stat just taken is what vouches for those bytes
        self.vouched[name] = str(entry[-1])
        return SourceFile.deferred(name, partial(self._read_vouched, name, path, signature))

    def reading(self, name: str, path: Path) -> None:
        """Take the stat of file ``name`` (at ``path``) now, just before it is read: the stat
        :meth:`digest` keeps beside the digest of the bytes read. Taken after the read, the
        stat of a file edited meanwhile could vouch for bytes it never held. Never defers
        (``read_directory``'s ``defer`` for a caller that reads every file)."""
        self._stat_before(name, path)

    def _stat_before(self, name: str, path: Path) -> list[int] | None:
        signature = None if sys.platform == "win32" else _vouching(path)
        self.before[name] = signature
        return signature

    def _read_vouched(
        self, name: str, path: Path, signature: list[int], size: int | None = None
    ) -> bytes:
        # a file removed, made a FIFO or grown past the bound since its stat vouched for it
        # is a file changed meanwhile: the caller reads every file again and reports it as
        # a first read would (PLC00x), never as an internal error
        try:
            if size is not None:  # a first part, for a guess (SourceFile.head): as it is now
                with open_regular(path, name) as handle:
                    return handle.read(min(size, self.max_bytes))
            data = read_regular(path, self.max_bytes, name)
        except OSError as error:
            raise SourceChanged(f"{name} changed while planc was checking it") from error
        if len(data) != signature[0] or _vouching(path) != signature:
            raise SourceChanged(f"{name} changed while planc was checking it")
        return data

    def digest(self, source: SourceFile) -> str:
        """The unit digest of ``source`` (read from disk at ``source.path`` just now, or
        left unread by :meth:`deferred`)."""
        if not source.is_read:
            return self.vouched[source.path]
        signature = self._signature(source)
        entry = self.entries.get(source.path)
        if signature is not None and entry is not None and entry[:-1] == signature:
            return str(entry[-1])
        self.hashed.append(source.path)
        digest = unit_digest(source.path, source.data, self.max_bytes)
        if signature is not None:
            self.entries[source.path] = [*signature, digest]
            self.changed = True
        elif self.entries.pop(source.path, None) is not None:
            self.changed = True
        return digest

    def _signature(self, source: SourceFile) -> list[int] | None:
        """The file's stat taken before it was read, or None where it cannot vouch for the
        bytes read."""
        if source.revision is not None or sys.platform == "win32":
            return None  # a git blob has no stat; Windows' st_ctime is the creation time
        signature = self.before.get(source.path)
        if signature is None or signature[0] != len(source.data):
            return None  # no stat before the read, too recent to tell (racy), or changed
        return signature

    def save(self, present: set[str] | None = None) -> None:
        """Write the record if anything changed (entries of files no longer read go)."""
        if present is not None:
            for gone in set(self.entries) - present:
                del self.entries[gone]
                self.changed = True
        if self.changed and self.key is not None and len(self.entries) <= STAT_MAX_FILES:
            self.store.put_record(self.name, self.sealed(self.entries))
            self.changed = False


def _vouching(path: Path | str) -> list[int] | None:
    """A file's stat (size, mtime, ctime, inode, device), or None where it is too recent
    to vouch for the bytes: written within :data:`STAT_WINDOW_NS` of now (racy)."""
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return None
    if max(stat.st_ctime_ns, stat.st_mtime_ns) >= time.time_ns() - STAT_WINDOW_NS:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev]


def _stat_entries(value: Any) -> dict[str, list[Any]]:
    """A stat record from the cache folder: untrusted, taken only if every entry has the
    right shape (five integers and a digest); anything else is an empty record."""
    if not isinstance(value, dict) or len(value) > STAT_MAX_FILES:
        return {}
    for path, entry in value.items():
        if not (
            isinstance(path, str)
            and isinstance(entry, list)
            and len(entry) == 6
            and all(type(n) is int for n in entry[:5])
            and isinstance(entry[5], str)
            and re.fullmatch(r"[0-9a-f]{40}", entry[5]) is not None
        ):
            return {}
    return value
