"""The compiler's driver: sources → load → schema → model → checks. Prints nothing.

The checks are handed in (``run_checks``) rather than imported: they sit in the
layer above, and :mod:`planc.checks` passes its registry when it compiles.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from planc.core.diagnostics import Diagnostic, Foreign, Items, Message, Rule, Severity, rule
from planc.core.files import FileTooLarge, open_regular, read_regular
from planc.core.frontend import CheckResult, Frontend, PlanChecks, QuarterAbove, UnitStore
from planc.core.loader import DEFAULT_MAX_BYTES, TOO_LARGE, UNREADABLE
from planc.core.source import SourceFile, SourceSpan

__all__ = ["PLAN_SUFFIXES", "CheckResult", "PlanChecks", "compile_directory", "compile_sources"]

PLAN_SUFFIXES = (".yaml", ".yml")
# The file `planc render` writes into every site it makes (planc.site.render reads it).
SITE_MARKER = ".planc-site"
QUARTER_NAMES = ("quarter.yaml", "quarter.yml")
HEAD_BYTES = 8192  # how much of a file is read to tell whether it is a quarter file
#: The most folders a quarter folder's walk visits (a plan of 1M reps is 400 region files):
#: past it, the folder is a whole tree, not a quarter (``/`` or a home folder, made the
#: quarter by a quarter file the language server was shown there), and nothing is read.
MAX_FOLDERS = 1000
# the line may end in \r\n (a file saved on Windows): `$` is only before the \n
_KIND_QUARTER = re.compile(rb"^kind:[ \t]*['\"]?quarter['\"]?[ \t]*(#.*)?\r?$", re.MULTILINE)

LINK_OUTSIDE = rule(
    "PLC015",
    "link-leaves-folder",
    Severity.ERROR,
    """
    A plan file (or folder) is a symbolic link that leads outside the quarter folder.

    planc reads only what lies inside the folder it checks, so that a link
    cannot make it read (and print) a file such as ``/etc/passwd`` or
    ``/proc/self/environ``. Nothing of the link's target is read or shown.

    Fails: ``regions/east.yaml -> /srv/shared/east.yaml`` (or ``-> ../../east.yaml``).

    Passes: ``regions/east.yaml -> .archive/east-v2.yaml``, a link that stays
    inside the quarter folder (to a hidden file, which the plan does not read
    itself: PLC016), or the file itself copied into the folder.
    """,
)

LINK_READ_TWICE = rule(
    "PLC016",
    "link-reads-a-file-twice",
    Severity.ERROR,
    """
    A plan file is a link (symbolic or hard) to a file the plan already reads.

    Every plan file is read once: a link to another plan file of the same
    quarter (or a second link to the same file) would count its targets twice
    and report each of its ids as defined twice, at the real file. The link is
    not read; the file it points to is, once. A hard link is the same file
    under a second name (``cp -l``, a backup tool): the name found second is
    not read.

    Fails: ``regions/copy.yaml -> north.yaml`` beside ``regions/north.yaml``.

    Passes: ``regions/south.yaml -> .south-v2.yaml``, the only link to a hidden
    file (which the plan does not read itself), or the link removed.
    """,
)

RULES: tuple[Rule, ...] = (LINK_OUTSIDE, LINK_READ_TWICE)


def display_path(path: Path) -> str:
    """A path as the user should see it: relative to the working directory when inside it."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(Path.cwd()).as_posix() or "."
    except ValueError:  # outside the working directory
        return absolute.as_posix()


def read_directory(
    plan_dir: Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    defer: Callable[[str, Path], SourceFile | None] | None = None,
) -> tuple[list[SourceFile], list[Diagnostic]]:
    """Every plan file under a quarter folder, read as bytes (never past the size bound).

    ``defer(shown, path)``: the file left unread (:meth:`SourceFile.deferred`), or None
    to read it now (the stat cache's, :meth:`planc.core.cache.StatCache.deferred`)."""
    shown = display_path(plan_dir)
    if not plan_dir.exists():
        nearby = quarters_near(plan_dir)
        return [], [
            _unreadable(
                shown,
                Message("plan folder {folder} does not exist", folder=shown),
                Message(
                    "check the path; quarter folders found nearby: {folders}",
                    folders=Items(nearby[:NEARBY_SHOWN], partial=len(nearby) > NEARBY_SHOWN),
                )
                if nearby
                else Message("check the path"),
            )
        ]
    if not plan_dir.is_dir():
        return [], [
            _unreadable(
                shown,
                Message("{file} is a file; planc checks a quarter folder", file=shown),
                Message(
                    "give its quarter folder instead: {folder}",
                    folder=display_path(_quarter_above(plan_dir)),
                ),
            )
        ]
    sources: list[SourceFile] = []
    problems: list[Diagnostic] = []
    root = plan_dir.resolve()
    try:
        paths = sorted(_plan_files(plan_dir, problems))
    except _TooManyFolders:  # what else the walk met there is not about a plan
        return [], [_too_many_folders(shown)]
    read_as = _files_read(paths)
    hard_twins = _hard_links_read_twice(paths)
    for path in paths:
        name = display_path(path)
        if path.is_symlink() and not _leads_inside(path, root):
            problems.append(_link_outside(name, shown, path))
            continue
        if path.is_dir():
            continue  # a link to a folder inside the plan: its files are found where they are
        twice = _read_already(path, name, read_as, hard_twins)
        if twice is not None:
            problems.append(twice)
            continue
        unread = defer(name, path) if defer is not None else None
        if unread is not None:
            sources.append(unread)
            continue
        try:
            sources.append(SourceFile(name, read_regular(path, max_bytes, name)))
        except FileTooLarge as error:
            problems.append(
                TOO_LARGE.at(
                    SourceSpan(name, 1, 1),
                    Message(
                        "file is {size} bytes, over the bound of {bound}",
                        size=_size_words(error),
                        bound=max_bytes,
                    ),
                    Message("split the region into several files or raise --max-file-size"),
                )
            )
        except OSError as error:
            problems.append(
                _unreadable(
                    name,
                    Message(
                        "cannot read {file}: {problem}",
                        file=name,
                        problem=Foreign(error.strerror or error),
                    ),
                )
            )
    if not sources and not problems:
        problems.append(
            _unreadable(
                shown,
                Message("no .yaml files in {folder}", folder=shown),
                Message("a quarter folder holds quarter.yaml and one file per region"),
            )
        )
    return sources, problems


def is_quarter_text(data: bytes) -> bool:
    """Whether a plan file's text declares ``kind: quarter`` (read from its head only)."""
    return declares_quarter(data[:HEAD_BYTES])


def declares_quarter(data: bytes) -> bool:
    """Whether the first top-level ``kind:`` line of ``data`` says ``quarter`` (a guess that
    the file's unit confirms). The first only: a second would be a duplicate key, which the
    unit reports. A literal search, then the pattern at that line: over a 5 MB region file a
    multi-line regex costs 35 ms, searching on for another ``kind:`` line 7 ms."""
    if data.startswith(b"kind:"):
        return _KIND_QUARTER.match(data) is not None
    start = data.find(b"\nkind:")
    return start >= 0 and _KIND_QUARTER.match(data, start + 1) is not None


def quarter_folders(folder: Path) -> list[Path] | None:
    """The quarter folders ``folder`` stands for when it is a folder of quarters (as
    ``plans/``): it holds no plan file itself, and a folder in it holds a quarter file
    (``quarter.yaml``, or a plan file whose head says ``kind: quarter``). Its folders
    then, but hidden ones (not part of a plan, as in a quarter folder) and links to
    folders (never followed, as in a quarter folder: a link out would be read, and one
    in is its target again). None for anything else, read as it is: a quarter folder
    (its sub-folders are its regions), one whose quarter file is missing (its
    ``regions/`` holds none), a file or nothing."""
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return None
    found: list[Path] = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            is_folder = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_folder = False
        if entry.name.endswith(PLAN_SUFFIXES) and not is_folder:
            return None  # a plan file (or a link to one): a quarter folder
        if is_folder and not _rendered_site(folder / entry.name):
            found.append(folder / entry.name)
    return found if any(_holds_quarter_file(f) for f in found) else None


def plan_folders(plans: Path) -> list[Path]:
    """The folders in ``plans`` (./plans, read for commands given no folder) as
    :func:`quarter_folders` takes them: not hidden ones (a cache, an editor's), not links to
    folders (never followed: ``current -> 2027-Q1`` would be that quarter twice, a link
    out would be read)."""
    found = []
    with os.scandir(plans) as entries:
        for entry in entries:
            try:
                if (
                    not entry.name.startswith(".")
                    and entry.is_dir(follow_symlinks=False)
                    and not _rendered_site(plans / entry.name)
                ):
                    found.append(plans / entry.name)
            except OSError:
                continue
    return sorted(found)


def _rendered_site(folder: Path) -> bool:
    """A site ``planc render`` wrote beside the quarters (``render -o plans/site``): its
    marker, and no plan file at any depth. Not a quarter, so not one that fails with "no
    .yaml files". The marker alone decides nothing (anyone can write one into a quarter):
    a folder with a plan file in it is read as it always was."""
    try:
        if not (folder / SITE_MARKER).is_file():
            return False
    except OSError:
        return False
    for _, _, names in os.walk(folder):  # links to folders are not followed
        if any(name.endswith(PLAN_SUFFIXES) for name in names):
            return False
    return True


def _holds_quarter_file(folder: Path) -> bool:
    """A regular file directly in ``folder`` that is a quarter file (links not followed)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return False
    for entry in entries:
        if entry.name.startswith(".") or not entry.name.endswith(PLAN_SUFFIXES):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue  # a FIFO is never opened, a link never followed
            if entry.name in QUARTER_NAMES:
                return True
            with open_regular(entry.path) as handle:  # a FIFO swapped in since: no wait
                if is_quarter_text(handle.read(HEAD_BYTES)):
                    return True
        except OSError:
            continue
    return False


class _TooManyFolders(Exception):
    """The walk of a quarter folder passed :data:`MAX_FOLDERS`."""


def _too_many_folders(shown: str) -> Diagnostic:
    return _unreadable(
        shown,
        Message(
            "{folder} holds more than {count} folders: a whole tree, not a quarter folder; "
            "planc reads none of it",
            folder=shown,
            count=MAX_FOLDERS,
        ),
        Message("give the quarter folder itself: the one that holds quarter.yaml and its regions"),
    )


def _plan_files(plan_dir: Path, problems: list[Diagnostic]) -> Iterator[Path]:
    """Plan files under a folder, and links to folders (never followed: checked instead);
    :class:`_TooManyFolders` past :data:`MAX_FOLDERS` folders."""

    def unreadable_folder(error: OSError) -> None:
        # os.walk skips a folder it cannot list; its region files would vanish unseen.
        name = display_path(Path(error.filename)) if error.filename else display_path(plan_dir)
        problems.append(
            _unreadable(
                name,
                Message(
                    "cannot read folder {folder}: {problem}",
                    folder=name,
                    problem=Foreign(error.strerror or error),
                ),
                Message("give yourself read access to it (chmod u+rx), or move it out of the plan"),
            )
        )

    for visited, (root, dirs, files) in enumerate(os.walk(plan_dir, onerror=unreadable_folder)):
        if visited == MAX_FOLDERS:
            raise _TooManyFolders
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in dirs:
            if (Path(root) / name).is_symlink():
                yield Path(root) / name
        for name in files:
            if name.endswith(PLAN_SUFFIXES) and not name.startswith("."):
                yield Path(root) / name


def _files_read(paths: list[Path]) -> dict[Path, str]:
    """The regular plan files among ``paths`` by where they are (links resolved), each as
    shown: a link that leads to one of them would read it a second time."""
    found: dict[Path, str] = {}
    for path in paths:
        try:
            if not path.is_symlink() and path.is_file():
                found[path.resolve()] = display_path(path)
        except (OSError, RuntimeError):  # unreadable: said when it is read
            continue
    return found


def _read_already(
    path: Path, name: str, read_as: dict[Path, str], hard_twins: dict[Path, str]
) -> Diagnostic | None:
    """PLC016 when ``path`` is a file the plan reads under another name already: a symbolic
    link to it, or a hard link (the same file twice)."""
    if path.is_symlink():
        return _read_twice(name, path.resolve(), read_as)
    if path in hard_twins:
        return _hard_link_read_twice(name, hard_twins[path])
    return None


def _hard_links_read_twice(paths: list[Path]) -> dict[Path, str]:
    """The regular plan files that are a hard link to one before them (the same file under
    two names: ``cp -l``, a backup tool), each with the name it is read as already."""
    first: dict[tuple[int, int], str] = {}
    twins: dict[Path, str] = {}
    for path in paths:
        try:
            status = path.lstat()
        except OSError:  # unreadable: said when it is read
            continue
        if status.st_nlink < 2 or not stat.S_ISREG(status.st_mode):
            continue
        identity = (status.st_dev, status.st_ino)
        if identity in first:
            twins[path] = first[identity]
        else:
            first[identity] = display_path(path)
    return twins


def _hard_link_read_twice(name: str, first: str) -> Diagnostic:
    return LINK_READ_TWICE.at(
        SourceSpan(name, 1, 1),
        Message(
            "{link} is a hard link to {file}, the same file, which the plan already reads; "
            "planc reads it once",
            link=name,
            file=first,
        ),
        Message("remove one of the two names: each plan file belongs in the quarter once"),
    )


def _read_twice(name: str, target: Path, read_as: dict[Path, str]) -> Diagnostic | None:
    """PLC016 when the link shown as ``name`` leads to a file the plan already reads (a
    plan file, or the target of a link before it); else the link is the way ``target``
    is read, which ``read_as`` records for the next link to it."""
    first = read_as.get(target)
    if first is None:
        read_as[target] = name
        return None
    target_shown = display_path(target)
    message = (
        Message(
            "{link} is a symbolic link to {file}, which the plan already reads; "
            "planc reads it once",
            link=name,
            file=first,
        )
        if first == target_shown
        else Message(
            "{link} is a symbolic link to {file}, which the plan already reads as {first}; "
            "planc reads it once",
            link=name,
            file=target_shown,
            first=first,
        )
    )
    return LINK_READ_TWICE.at(
        SourceSpan(name, 1, 1),
        message,
        Message("remove the link: each plan file belongs in the quarter once"),
    )


def _leads_inside(link: Path, root: Path) -> bool:
    """Whether a symbolic link ends inside the plan folder (following every link on the way)."""
    try:
        return link.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a loop of links
        return False


def _link_outside(name: str, folder: str, link: Path) -> Diagnostic:
    message = (
        Message(
            "{link} is a symbolic link to a folder outside the plan folder {folder}; "
            "planc does not read it",
            link=name,
            folder=folder,
        )
        if link.is_dir()
        else Message(
            "{link} is a symbolic link to a file outside the plan folder {folder}; "
            "planc does not read it",
            link=name,
            folder=folder,
        )
    )
    return LINK_OUTSIDE.at(
        SourceSpan(name, 1, 1),
        message,
        Message(
            "keep plan files inside the quarter folder: copy the file in, or link within the folder"
        ),
    )


def _size_words(error: FileTooLarge) -> int | Message:
    if error.size > error.limit + 1:
        return error.size
    return Message("more than {limit}", limit=error.limit)


def _unreadable(path: str, message: str, hint: str | None = None) -> Diagnostic:
    return UNREADABLE.at(SourceSpan(path, 1, 1), message, hint)


def compile_sources(
    label: str,
    sources: list[SourceFile],
    run_checks: PlanChecks,
    problems: list[Diagnostic] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    store: UnitStore | None = None,
    digests: Mapping[str, str] | None = None,
    quarter_above: QuarterAbove | None = None,
) -> CheckResult:
    """Compile a plan from its files and run ``run_checks`` over the model if it built.

    One compile, nothing kept after it (see :class:`planc.core.frontend.Frontend`
    for compiling the same plan again as it changes); ``store`` keeps each file's
    unit between runs; ``digests``: the files' unit digests where already known
    (the stat cache), so they are not hashed to look their units up; ``quarter_above``:
    see :meth:`~planc.core.frontend.Frontend.compile`.
    """
    frontend = Frontend(run_checks, max_bytes, store=store, retain=False)
    return frontend.compile(label, sources, problems, digests=digests, quarter_above=quarter_above)


def compile_directory(
    plan_dir: Path,
    run_checks: PlanChecks,
    max_bytes: int = DEFAULT_MAX_BYTES,
    store: UnitStore | None = None,
) -> CheckResult:
    """Read a quarter folder from disk and compile it (see :func:`compile_sources`)."""
    sources, problems = read_directory(plan_dir, max_bytes)
    return compile_sources(
        display_path(plan_dir), sources, run_checks, problems, max_bytes, store=store
    )


NEARBY_SHOWN = 5
NEARBY_LOOKED_AT = 1000  # entries of one folder: a hint, not a search of a home folder


def _is_quarter_folder(folder: Path) -> bool:
    return any((folder / name).is_file() for name in QUARTER_NAMES)


def _quarter_above(path: Path) -> Path:
    """The quarter folder a plan file given by mistake belongs to: the nearest folder above
    it (up to four levels, as the language server looks) that holds quarter.yaml, else the
    file's own folder."""
    for folder in list(path.absolute().parents)[:4]:
        if _is_quarter_folder(folder):
            return folder
    return path.parent


def quarter_folder_above(folder: Path) -> str | None:
    """The quarter folder (as shown) above a folder that holds plan files but no quarter
    file (``plans/2027-Q1/regions`` given for ``plans/2027-Q1``), or None when none is."""
    above = _quarter_above(folder)
    return display_path(above) if _is_quarter_folder(above) else None


def quarters_near(plan_dir: Path) -> list[str]:
    """Quarter folders a path that does not exist may have meant, the likeliest first: those
    in its nearest existing folder, else in that folder's plans/ (``2027-Q1`` typed for
    ``plans/2027-Q1``, ``plan/2027-Q1`` for ``plans/2027-Q1``)."""
    base = plan_dir.absolute().parent
    while not base.is_dir() and base != base.parent:
        base = base.parent
    wanted = display_path(plan_dir)
    for folder in (base, base / "plans"):
        children: list[Path] = []
        try:
            for child in folder.iterdir():
                children.append(child)
                if len(children) == NEARBY_LOOKED_AT:
                    break
        except OSError:
            continue
        found = [display_path(c) for c in children if c.is_dir() and _is_quarter_folder(c)]
        if found:
            return likeliest_first(wanted, found)
    return []


def nearby_shown(nearby: list[str]) -> str:
    """The first :data:`NEARBY_SHOWN` of :func:`quarters_near`'s folders, for a message."""
    return ", ".join(nearby[:NEARBY_SHOWN]) + (", ..." if len(nearby) > NEARBY_SHOWN else "")


def likeliest_first(wanted: str, found: Iterable[str]) -> list[str]:
    """Quarter folders (as shown) found for the path ``wanted``, the likeliest first (each
    once): :func:`quarters_near`'s order, for those of a revision too."""
    import difflib  # noqa: PLC0415 - only for a path that does not exist: start-up stays lean

    return sorted(
        sorted(set(found)), key=lambda f: -difflib.SequenceMatcher(None, wanted, f).ratio()
    )
