"""Files in and out: bounded reads of regular files, usable output paths, atomic writes.

Every file planc reads on the user's behalf (plan files, CRM exports, the site's
marker) is opened here: only a regular file is read, so a FIFO cannot hang a
run and a link to ``/dev/zero`` cannot fill the memory, and the byte bound is
enforced on the read itself, not on a size the file system reports. Every
output path is checked here before any work is done, so a folder, a path under
a file or a read-only folder is a usage error naming the path, and written
files get the mode a new file gets under the user's umask (a file rewritten in
place keeps its own).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

_CHUNK = 1 << 20
# Opening a FIFO for reading blocks until a writer appears; O_NONBLOCK returns at once,
# and fstat then tells what was opened. On regular files O_NONBLOCK changes nothing.
_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class RefusedFile(OSError):
    """A file planc will not read: not a regular file, or larger than the bound.

    An ``OSError`` so that every reader's ``except OSError`` reports it; ``str()``
    is the whole message and names the file.
    """


class NotRegularFile(RefusedFile):
    """A FIFO, a device, a socket or a folder where a file was expected."""


class FileTooLarge(RefusedFile):
    """More bytes than the bound; ``size`` is what was seen (at least ``limit + 1``)."""

    def __init__(self, message: str, size: int, limit: int) -> None:
        super().__init__(message)
        self.size = size
        self.limit = limit


class UnusableOutput(Exception):
    """An output path planc cannot write: a usage error; ``str()`` names the path."""


class InputChanged(Exception):
    """An input planc reads a second time (an export DuckDB reads again for a figure asked
    later) was moved, removed or replaced since its first read: a usage error, never a
    figure made from two different files; ``str()`` names the file and what to do."""


def file_identity(path: Path | str) -> tuple[int, ...] | None:
    """What changes when a file is written or replaced (device, inode, size, modification
    and change times), or None when it cannot be seen."""
    try:
        seen = os.stat(path)
    except OSError:
        return None
    return (seen.st_dev, seen.st_ino, seen.st_size, seen.st_mtime_ns, seen.st_ctime_ns)


def file_kind(mode: int) -> str:
    """What a file is, in words, from its ``st_mode``."""
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
    )
    return next((words for test, words in kinds if test(mode)), "not a regular file")


def open_regular(path: Path | str, shown: str | None = None) -> BinaryIO:
    """Open a regular file for reading; anything else raises :class:`NotRegularFile`.

    Never blocks on a FIFO. ``shown`` is the name used in the message.
    """
    descriptor = os.open(path, _READ_FLAGS)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            name = shown or os.fspath(path)
            raise NotRegularFile(f"{name} is {file_kind(info.st_mode)}, not a regular file")
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_regular(path: Path | str, limit: int, shown: str | None = None) -> bytes:
    """All bytes of a regular file of at most ``limit`` bytes.

    The bound holds on the read itself: a file that reports a small size (or
    grows while it is read) still stops at ``limit + 1`` bytes and raises
    :class:`FileTooLarge`.
    """
    name = shown or os.fspath(path)
    with open_regular(path, name) as handle:
        reported = os.fstat(handle.fileno()).st_size
        if reported > limit:
            raise FileTooLarge(
                f"{name} is {reported:,} bytes, over the bound of {limit:,}", reported, limit
            )
        if reported < limit:
            # one read of the size the file reports (and one more byte, to see it did not
            # grow): no list of parts joined into a second copy, 0.15 s at 95 MB
            data = handle.read(reported + 1)
            if len(data) <= reported:
                return data
            try:  # it grew since it was measured: the rest, bounded as a whole
                return data + read_bounded(handle, limit - len(data), name)
            except FileTooLarge as error:
                raise FileTooLarge(
                    f"{name} is more than {limit:,} bytes, the bound", error.size + len(data), limit
                ) from None
        return read_bounded(handle, limit, name)


def read_bounded(handle: BinaryIO, limit: int, name: str) -> bytes:
    """At most ``limit`` bytes from an open file; one byte more raises :class:`FileTooLarge`."""
    parts: list[bytes] = []
    total = 0
    while total <= limit:
        part = handle.read(min(_CHUNK, limit + 1 - total))
        if not part:
            return b"".join(parts)
        parts.append(part)
        total += len(part)
    raise FileTooLarge(f"{name} is more than {limit:,} bytes, the bound", total, limit)


# --- outputs ----------------------------------------------------------------------------------


def check_output(path: Path, *, folder: bool = False) -> None:
    """Raise :class:`UnusableOutput` unless planc can write ``path`` (a file, or a folder).

    Checked before any work is done: the path is not a folder (or, for a folder
    output, not a file), no part of it above is a file, and the nearest folder
    that exists can be written to (missing ones are made).
    """
    shown = os.fspath(path)
    try:
        info = path.lstat() if folder else path.stat()
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        info = None  # a parent is a file: found below
    except OSError as error:
        raise UnusableOutput(f"{shown}: {error.strerror or error}") from error
    if info is not None:
        if folder and not stat.S_ISDIR(info.st_mode) and not stat.S_ISLNK(info.st_mode):
            raise UnusableOutput(f"{shown} is {_kind_of_file(info.st_mode)}; give a folder")
        if not folder and not stat.S_ISREG(info.st_mode):
            raise UnusableOutput(f"{shown} is {file_kind(info.st_mode)}; give a file name")
    _check_parents(path, shown)


def dangling_link(path: Path, by: str) -> str | None:
    """Why ``path``, a folder ``by`` (``planc init``) is to create, cannot be: it, or a
    folder above it that does not exist, is a symbolic link to something missing; None
    otherwise. Said before any work, never followed: the OS's own words for it ("Not a
    directory", "File exists") came after the work and named neither the link nor a fix;
    and a target created meanwhile would put the new quarter wherever the link points."""
    from planc.core.safetext import shown  # noqa: PLC0415 - only when creating a folder

    for place in [path, *path.parents]:
        if place.exists():  # a live link above (plans -> /srv/plans) is a folder like any
            return None
        if not place.is_symlink():
            continue
        try:
            target = shown(os.readlink(place))
        except OSError:
            target = "a path"
        where = os.fspath(place)
        above = "" if place == path else f", above {os.fspath(path)},"
        return (
            f"{where}{above} is a symbolic link to {target}, which does not exist; {by} "
            f"never creates a quarter through a link: remove the link (rm {where}) or give "
            "another folder"
        )
    return None


def overwrites_input(
    path: Path,
    *,
    files: Iterable[Path] = (),
    folders: Iterable[Path] = (),
    suffixes: tuple[str, ...] = (),
) -> str | None:
    """Why writing ``path`` would destroy what the command reads, else None.

    ``path`` is one of the input ``files`` (by any name: a link, another spelling), or a
    file whose name ends in one of ``suffixes`` inside one of ``folders`` (a plan file in
    a plan folder: the next run would read the report as part of the plan).
    """
    for name in files:
        if _same_file(path, name):
            return f"is {os.fspath(name)}, which this command reads"
    if not path.name.endswith(suffixes):
        return None
    where = _placed(path)
    for folder in folders:
        if where.is_relative_to(_resolved(folder)):
            return f"lies in the plan folder {os.fspath(folder)}, where it would be read as a plan file"
    return None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):  # either missing, or a name the system refuses
        return False


def _placed(path: Path) -> Path:
    """Where ``path`` is, its folder's links followed (not its own: a write replaces a link)."""
    return _resolved(path.absolute().parent) / path.name


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a loop of links: compared as spelled
        return path.absolute()


def _kind_of_file(mode: int) -> str:
    return "a file" if stat.S_ISREG(mode) else file_kind(mode)


def _check_parents(path: Path, shown: str) -> None:
    parent = path.absolute().parent
    while True:
        try:
            info = parent.stat()
        except FileNotFoundError:
            if parent.parent == parent:
                raise UnusableOutput(f"{shown}: no folder of it exists") from None
            parent = parent.parent
            continue
        except NotADirectoryError:
            parent = parent.parent  # a file higher up: stat the next level to name it
            continue
        except OSError as error:
            raise UnusableOutput(f"{shown}: {parent}: {error.strerror or error}") from error
        if not stat.S_ISDIR(info.st_mode):
            raise UnusableOutput(f"{shown} sits under {parent}, which is a file, not a folder")
        if not _writable(parent):
            raise UnusableOutput(f"{shown}: the folder {parent} is read-only for you")
        return


def _writable(folder: Path) -> bool:
    # access() honours the effective user and a read-only mount (EROFS) alike
    return os.access(
        folder, os.W_OK | os.X_OK, effective_ids=os.access in os.supports_effective_ids
    )


def unusable_output(path: Path, error: OSError) -> UnusableOutput:
    """The usage error for a write that failed because of the path (else ``error`` is re-raised)."""
    shown = os.fspath(path)
    reasons = {
        errno.EISDIR: f"{shown} is a folder; give a file name",
        errno.ENOTDIR: f"{shown} sits under a file, not a folder",
        errno.EEXIST: f"{shown} sits under a file, not a folder",
        errno.EACCES: f"{shown}: permission denied (the folder is read-only for you)",
        errno.EPERM: f"{shown}: permission denied",
        errno.EROFS: f"{shown}: the file system is read-only",
    }
    reason = reasons.get(error.errno or 0)
    if reason is None:
        raise error
    return UnusableOutput(reason)


# --- writes -----------------------------------------------------------------------------------


def current_umask() -> int:
    """The process's umask (read without changing it where the system tells it)."""
    with (
        contextlib.suppress(OSError, ValueError),
        open("/proc/self/status", encoding="ascii") as status,
    ):
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def new_file_mode() -> int:
    """The mode a new file gets: 0666 under the umask, as any editor or shell makes it."""
    return 0o666 & ~current_umask()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never half.

    A new file gets :func:`new_file_mode`; a file replaced keeps its mode. A
    path planc cannot write raises :class:`UnusableOutput` naming it.
    """
    write_atomic_all({path: data})


def write_atomic_all(files: Mapping[Path, bytes]) -> None:
    """Write several files so that a failure leaves every one of them as it was.

    Each file is first written in full beside its target (where a full disk or a
    read-only folder shows up); only when all of them are staged are they renamed
    into place, each rename atomic. Nothing is replaced when any staging fails.
    """
    staged: list[tuple[str, Path]] = []
    current: Path | None = None
    try:
        for current, data in files.items():
            staged.append((_stage(current, data), current))
        for temp_name, current in staged:
            os.replace(temp_name, current)
    except BaseException as error:
        for temp_name, _ in staged:
            Path(temp_name).unlink(missing_ok=True)
        if current is not None and isinstance(error, OSError) and _unusable(error):
            raise unusable_output(current, error) from error
        raise


def _unusable(error: BaseException) -> bool:
    usage = (IsADirectoryError, NotADirectoryError, FileExistsError, PermissionError)
    return isinstance(error, usage) or (isinstance(error, OSError) and error.errno == errno.EROFS)


def _stage(path: Path, data: bytes) -> str:
    """Write ``data`` to a new temporary file beside ``path`` with the mode ``path`` will have."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = new_file_mode()
    import tempfile  # noqa: PLC0415 - only a write pays (shutil, random)

    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        # mkstemp makes the file 0600: give it the mode a normal write would
        os.chmod(temp_name, mode)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return temp_name
