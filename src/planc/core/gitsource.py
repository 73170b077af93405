"""Plan files at a git revision: the only module that imports gitpython."""

from __future__ import annotations

import itertools
import os
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from planc.core.diagnostics import Diagnostic, Message
from planc.core.extras import MissingExtra
from planc.core.files import FileTooLarge, read_bounded
from planc.core.frontend import QuarterAbove
from planc.core.loader import TOO_LARGE
from planc.core.pipeline import (
    HEAD_BYTES,
    LINK_OUTSIDE,
    NEARBY_LOOKED_AT,
    PLAN_SUFFIXES,
    QUARTER_NAMES,
    SITE_MARKER,
    display_path,
    is_quarter_text,
    likeliest_first,
    nearby_shown,
)
from planc.core.safetext import argument
from planc.core.source import SourceFile, SourceSpan


class GitSourceError(Exception):
    """A revision or repository problem, with a message for the user."""


class NoCommits(GitSourceError):
    """The repository has no commit: no revision to read a plan at."""


def read_revision(
    plan_dir: Path, rev: str, max_bytes: int
) -> tuple[list[SourceFile], list[Diagnostic], QuarterAbove]:
    """The plan files under ``plan_dir`` as committed at ``rev`` (paths shown as on disk),
    and where the quarter folder above it is at ``rev`` (the hint of a plan there with no
    quarter file: :meth:`planc.core.frontend.Frontend.compile`)."""
    repository = Repository.open(plan_dir)
    revision = repository.resolve(rev)
    relative = repository.relative(plan_dir)
    kind = repository.kind_at(revision.sha, relative)
    at = argument(rev, quotes=False)  # HEAD~1~1~1... resolves, and is as long as it was typed
    if kind is None:
        nearby = repository.quarters_near_at(revision.sha, relative)
        raise GitSourceError(
            f"{relative} does not exist at revision {at}"
            + (f"; quarter folders nearby at {at}: {nearby_shown(nearby)}" if nearby else "")
        )
    if kind != "tree":
        raise GitSourceError(
            f"{relative} is a file at revision {at}, not a quarter folder; "
            + repository.quarter_folder_hint(revision.sha, relative)
        )
    sources, problems = repository.read_plan(revision.sha, relative, max_bytes)
    return sources, problems, repository.quarter_above_at(revision.sha, relative)


@dataclass(frozen=True, slots=True)
class PlanRevision:
    """The last commit that changed a plan folder, as the rendered site shows it."""

    hexsha: str
    day: date  # the commit's date in the committer's own time zone
    dirty: bool  # the folder has uncommitted or untracked changes

    @property
    def short(self) -> str:
        return self.hexsha[:10]


def plan_revision(plan_dir: Path) -> PlanRevision | None:
    """The revision of ``plan_dir`` if it lives in a git repository, else None.

    Uses the last commit that touched the folder (not HEAD), so unrelated
    commits leave a rendered site byte-identical. Never raises: a folder
    outside git, a repository without commits or a missing git binary all
    give None. Plain git commands, not gitpython: ``planc render`` needs no
    extra for this.
    """
    folder = plan_dir.resolve()

    def run(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(folder), *args],
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=60,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):  # no git, or git hung: no revision
            return None
        return done.stdout if done.returncode == 0 else None

    if not folder.is_dir():
        return None
    # `--literal-pathspecs`: a folder named like a glob (`plans/[x]`) means itself
    found = run("--literal-pathspecs", "log", "-1", "--format=%H %cI", "--", ".")
    if not found or not found.strip():
        return None  # outside git, no commits yet, or nothing committed in the folder
    sha, _, stamp = found.strip().partition(" ")
    status = run("--literal-pathspecs", "status", "--porcelain", "--untracked-files=all", "--", ".")
    if status is None:
        return None
    # %cI is the committer's own time zone: its date is the day the committer saw
    return PlanRevision(sha, date.fromisoformat(stamp[:10]), bool(status.strip()))


# --- planc diff / propose / codeowners: a repository seen through plain git commands -------

_ZERO_SHA = "0" * 40
_GIT_LINK_MODE = 0o120000  # a tree entry that is a symbolic link: its blob is the target path


def _link_in_revision(shown: str, sha: str) -> Diagnostic:
    return LINK_OUTSIDE.at(
        SourceSpan(shown, 1, 1),
        Message(
            "{file} is a symbolic link at {commit}; planc does not follow links in a revision",
            file=shown,
            commit=sha[:7],
        ),
        Message("commit the plan file itself, not a link to it"),
    )


_SHALLOW_HINT = (
    "this is a shallow clone, so older commits and other branches may be missing: "
    "fetch the full history (actions/checkout with `fetch-depth: 0`, or `git fetch --unshallow`)"
)


@dataclass(frozen=True, slots=True)
class Revision:
    """A resolved commit and how to name it to a person (``main @ 1a2b3c4 (merge-base)``)."""

    sha: str
    label: str

    @property
    def short(self) -> str:
        return self.sha[:7]


class Repository:
    """A git working copy: revisions, trees, and commits built without touching the work tree."""

    def __init__(self, repo: Any) -> None:
        self._repo = repo
        self.root = Path(repo.working_tree_dir or ".").resolve()

    @classmethod
    def open(cls, path: Path) -> Repository:
        """The repository that holds ``path`` (a folder, or the cwd if it does not exist yet)."""
        try:
            import git
        except ModuleNotFoundError as error:  # `pip install planc` leaves gitpython out
            raise MissingExtra(
                "reading git history (planc diff, propose, codeowners, check --rev, check --base REV)",
                "git",
                error.name,
            ) from error
        except ImportError as error:  # gitpython refuses to load without a git executable
            raise GitSourceError(
                "planc needs the git command for this, and it is not on PATH: install git"
            ) from error

        start = path if path.is_dir() else (path.parent if path.parent.is_dir() else Path.cwd())
        try:
            repo = git.Repo(start, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as error:
            raise GitSourceError(f"{display_path(path)} is not inside a git repository") from error
        if repo.bare:
            raise GitSourceError(f"{repo.git_dir} is a bare repository: planc needs a work tree")
        return cls(repo)

    # -- small facts ------------------------------------------------------------------

    def _git(self, *args: str, **kwargs: Any) -> str:
        import git

        try:
            return str(self._repo.git.execute(["git", *args], **kwargs))
        except git.GitCommandError as error:
            detail = (error.stderr or "").strip().removeprefix("stderr:").strip().strip("'")
            raise GitSourceError(f"git {args[0]} failed: {detail or error}") from error

    def _ok(self, *args: str) -> bool:
        """True when the git command succeeds (for yes/no questions such as ref existence)."""
        import git

        try:
            self._repo.git.execute(["git", *args])
        except git.GitCommandError:
            return False
        return True

    def relative(self, path: Path) -> str:
        """``path`` relative to the repository root, in git's spelling (``.`` for the root)."""
        relative = Path(os.path.relpath(path.absolute().resolve(), self.root)).as_posix()
        if relative == ".." or relative.startswith("../"):
            raise GitSourceError(f"{display_path(path)} is outside the repository at {self.root}")
        return relative

    def has_commits(self) -> bool:
        return bool(self._repo.head.is_valid())

    def is_shallow(self) -> bool:
        return self._git("rev-parse", "--is-shallow-repository").strip() == "true"

    @property
    def git_dir(self) -> Path:
        return Path(self._repo.git_dir).resolve()

    def _no_commits(self) -> NoCommits:
        return NoCommits(f"the repository at {self.root} has no commits yet: commit the plan first")

    # -- revisions ----------------------------------------------------------------------

    def resolve(self, rev: str, label: str | None = None) -> Revision:
        """A revision by any name git accepts; a clear message when it does not exist."""
        if not self.has_commits():
            raise self._no_commits()
        if rev.startswith("-") or not self._ok(
            "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"
        ):
            hint = f"; {_SHALLOW_HINT}" if self.is_shallow() else ""
            raise GitSourceError(f"revision {argument(rev)} does not exist in {self.root}{hint}")
        sha = self._git("rev-parse", "--verify", f"{rev}^{{commit}}").strip()
        return Revision(sha, label or (rev if rev == sha else f"{rev} @ {sha[:7]}"))

    def default_branch(self) -> str | None:
        """The branch pull requests go into: the PR's base in Actions, else origin/HEAD, main, master."""
        candidates: list[str] = []
        base_ref = os.environ.get("GITHUB_BASE_REF")
        if base_ref:
            candidates += [f"origin/{base_ref}", base_ref]
        if self._ok("symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"):
            target = self._git("symbolic-ref", "--quiet", "refs/remotes/origin/HEAD").strip()
            candidates.append(target.removeprefix("refs/remotes/"))
        candidates += ["origin/main", "origin/master", "main", "master"]
        for name in candidates:
            if self._ok("rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"):
                return name
        return None

    def merge_base_with_default(self) -> Revision:
        """Where HEAD left the default branch: what a pull request from HEAD is compared with."""
        if not self.has_commits():
            raise self._no_commits()
        branch = self.default_branch()
        if branch is None:
            hint = f"; {_SHALLOW_HINT}" if self.is_shallow() else ""
            raise GitSourceError(
                "cannot find the default branch (no origin/HEAD, origin/main, origin/master, "
                f"main or master): pass --base REV{hint}"
            )
        import git

        try:
            sha = str(self._repo.git.merge_base("HEAD", branch)).strip()
        except git.GitCommandError as error:
            if self.is_shallow():
                raise GitSourceError(
                    f"cannot find where HEAD left {branch}: {_SHALLOW_HINT}"
                ) from error
            raise GitSourceError(
                f"HEAD and {branch} share no history, so there is no merge-base: pass --base REV"
            ) from error
        return Revision(sha, f"{branch} @ {sha[:7]} (merge-base)")

    # -- trees ----------------------------------------------------------------------------

    def kind_at(self, sha: str, relative: str) -> str | None:
        """``tree``, ``blob`` or None: what ``relative`` is at commit ``sha``."""
        commit = self._repo.commit(sha)
        if relative == ".":
            return "tree"
        try:
            return str((commit.tree / relative).type)
        except KeyError:
            return None

    def read_plan(
        self, sha: str, relative: str, max_bytes: int
    ) -> tuple[list[SourceFile], list[Diagnostic]]:
        """The plan files of a quarter folder at a commit, shown with their on-disk paths."""
        commit = self._repo.commit(sha)
        tree = commit.tree if relative == "." else commit.tree / relative
        sources: list[SourceFile] = []
        problems: list[Diagnostic] = []
        items: list[Any] = list(tree.traverse())
        for blob in sorted(items, key=lambda item: str(item.path)):
            if blob.type != "blob" or not blob.path.endswith(PLAN_SUFFIXES):
                continue
            if any(part.startswith(".") for part in Path(blob.path).parts):
                continue  # hidden files and folders are not plan files (as on disk)
            shown = display_path(self.root / blob.path)
            if blob.mode == _GIT_LINK_MODE:
                problems.append(_link_in_revision(shown, sha))
                continue
            if blob.size > max_bytes:
                problems.append(
                    TOO_LARGE.at(
                        SourceSpan(shown, 1, 1),
                        Message(
                            "file is {size} bytes at {commit}, over the bound of {bound}",
                            size=blob.size,
                            commit=sha[:7],
                            bound=max_bytes,
                        ),
                    )
                )
                continue
            try:
                data = read_bounded(blob.data_stream, max_bytes, shown)
            except FileTooLarge as error:
                problems.append(TOO_LARGE.at(SourceSpan(shown, 1, 1), str(error)))
                continue
            sources.append(SourceFile(shown, data, revision=sha))
        return sources, problems

    def holds_quarter_file_at(self, sha: str, relative: str) -> bool:
        """Whether the folder ``relative`` at a commit holds a quarter file."""
        if self.kind_at(sha, relative) != "tree":
            return False
        commit = self._repo.commit(sha)
        return _holds_quarter_blob(commit.tree if relative == "." else commit.tree / relative)

    def quarter_folder_above_at(self, sha: str, relative: str) -> str | None:
        """The nearest folder above ``relative`` at a commit (up to four levels, as
        :func:`planc.core.pipeline.quarter_folder_above` looks on disk) that holds a quarter
        file: the quarter folder of a plan file given for one. None when there is none."""
        commit = self._repo.commit(sha)
        for folder in list(PurePosixPath(relative).parents)[:4]:
            name = folder.as_posix()
            try:
                tree = commit.tree if name == "." else commit.tree / name
            except KeyError:
                continue
            if _holds_quarter_blob(tree):
                return name
        return None

    def shown_quarter_folder_above_at(self, sha: str, relative: str) -> str | None:
        """:meth:`quarter_folder_above_at` as shown (:func:`planc.core.pipeline.display_path`)."""
        above = self.quarter_folder_above_at(sha, relative)
        return None if above is None else display_path(self.root / above)

    def quarter_above_at(self, sha: str, relative: str) -> QuarterAbove:
        """:meth:`shown_quarter_folder_above_at`, looked for when asked."""
        return lambda: self.shown_quarter_folder_above_at(sha, relative)

    def quarter_folder_hint(self, sha: str, relative: str) -> str:
        """What to give instead of the plan file ``relative`` given for a quarter folder at a
        commit (as :func:`planc.core.pipeline.read_directory` says it on disk)."""
        above = self.shown_quarter_folder_above_at(sha, relative)
        if above is None:
            return "give the quarter folder that holds it"
        return f"give its quarter folder instead: {above}"

    def quarters_near_at(self, sha: str, relative: str) -> list[str]:
        """:func:`planc.core.pipeline.quarters_near` at a commit: the quarter folders (as
        shown) a path missing there may have meant, the likeliest first: those in its
        nearest folder that the commit has, else in that folder's plans/."""
        commit = self._repo.commit(sha)

        def folder(name: PurePosixPath) -> Any | None:
            try:
                found = commit.tree if name.as_posix() == "." else commit.tree / name.as_posix()
            except KeyError:
                return None
            return found if found.type == "tree" else None

        base = PurePosixPath(relative).parent
        while folder(base) is None:
            base = base.parent  # the root's tree is always there
        for name in (base, base / "plans"):
            tree = folder(name)
            if tree is None:
                continue
            found = [
                display_path(self.root / str(child.path))
                for child in itertools.islice(tree.trees, NEARBY_LOOKED_AT)
                if _holds_quarter_blob(child)
            ]
            if found:
                return likeliest_first(display_path(self.root / relative), found)
        return []

    def folders_at(self, sha: str, relative: str) -> list[str]:
        """The sub-folders of ``relative`` at a commit (e.g. the quarters under plans/), as
        :func:`planc.core.pipeline.plan_folders` on disk: hidden ones left out (a link is a
        blob in git, never a folder), and a site rendered there and committed."""
        if self.kind_at(sha, relative) != "tree":
            return []
        commit = self._repo.commit(sha)
        tree = commit.tree if relative == "." else commit.tree / relative
        return sorted(
            str(t.path)
            for t in tree.trees
            if not t.name.startswith(".") and not _rendered_site_tree(t)
        )

    def quarter_folders_at(self, sha: str, relative: str) -> list[str] | None:
        """:func:`planc.core.pipeline.quarter_folders` at a commit: the names of the
        sub-folders of ``relative`` when it holds no plan file itself and one of them holds
        a quarter file (a folder of quarters), else None (read as it is)."""
        if self.kind_at(sha, relative) != "tree":
            return None
        commit = self._repo.commit(sha)
        tree = commit.tree if relative == "." else commit.tree / relative
        found: list[Any] = []
        for item in sorted(tree, key=lambda item: str(item.name)):
            name = str(item.name)
            if name.startswith("."):
                continue
            if item.type == "blob" and name.endswith(PLAN_SUFFIXES):
                return None  # a plan file (or a link to one): a quarter folder
            if item.type == "tree" and not _rendered_site_tree(item):
                found.append(item)
        if not any(_holds_quarter_blob(t) for t in found):
            return None
        return [str(t.name) for t in found]

    def renamed_from(self, base: str, head: str | None, relative: str) -> str | None:
        """Where the files now under ``relative`` were at ``base``, if git sees them renamed.

        ``head`` None compares with the work tree (tracked files, so a ``git mv`` counts).
        """
        args = ["diff", "--name-status", "-M", "-z", base, *([head] if head else []), "--"]
        fields = self._git(*args, strip_newline_in_stdout=False).split("\0")
        votes: dict[str, int] = {}
        prefix = relative.rstrip("/") + "/"
        index = 0
        while index < len(fields) and fields[index]:
            status = fields[index]
            if status.startswith(("R", "C")):
                old, new = fields[index + 1], fields[index + 2]
                index += 3
                if status.startswith("R") and new.startswith(prefix):
                    inside = new[len(prefix) :]
                    if old.endswith("/" + inside):
                        folder = old[: -len(inside) - 1]
                        votes[folder] = votes.get(folder, 0) + 1
            else:
                index += 2
        if not votes:
            return None
        return max(sorted(votes), key=lambda folder: votes[folder])

    # -- the state of the work tree (for propose) ------------------------------------------

    def head_sha(self) -> str:
        if not self.has_commits():
            raise self._no_commits()
        return str(self._repo.head.commit.hexsha)

    def current_branch(self) -> str | None:
        """The checked-out branch, or None on a detached HEAD."""
        try:
            return str(self._repo.active_branch.name)
        except TypeError:  # detached HEAD
            return None

    def staged_paths(self) -> list[str]:
        """Paths whose staged content differs from HEAD: a dirty index."""
        out = self._git("diff", "--cached", "--name-only", "-z", strip_newline_in_stdout=False)
        return [p for p in out.split("\0") if p]

    def operation_in_progress(self) -> str | None:
        """A merge, rebase, cherry-pick, revert or bisect that has not finished."""
        markers = {
            "MERGE_HEAD": "a merge",
            "rebase-merge": "a rebase",
            "rebase-apply": "a rebase or am",
            "CHERRY_PICK_HEAD": "a cherry-pick",
            "REVERT_HEAD": "a revert",
            "BISECT_LOG": "a bisect",
        }
        for name, what in markers.items():
            if (self.git_dir / name).exists():
                return what
        return None

    def valid_branch_name(self, name: str) -> bool:
        # git takes refs/heads/main as a branch name (refs/heads/refs/heads/main), but every
        # later use of the name means the other ref: `git push origin refs/heads/main` pushes
        # main itself. A name under refs/ is refused, as one starting with "-", and "@",
        # which git creates but reads back as HEAD (`git push origin @` pushes the branch
        # checked out).
        return (
            name != "@"
            and not name.startswith(("-", "refs/"))
            and self._ok("check-ref-format", "--branch", name)
        )

    def existing_branch(self, name: str) -> str | None:
        """The ref that already carries this branch name, locally or on a remote, if any."""
        refs = self._git("for-each-ref", "--format=%(refname)", "refs/heads", "refs/remotes")
        for ref in refs.splitlines():
            if ref == f"refs/heads/{name}":
                return ref
            remote, _, rest = ref.removeprefix("refs/remotes/").partition("/")
            if ref.startswith("refs/remotes/") and rest == name and remote:
                return ref
        return None

    def work_tree_files(self, relative: str) -> tuple[list[str], list[str]]:
        """Plan files under ``relative`` in the work tree (tracked or new, not ignored), and
        tracked plan files that are gone from it. Paths relative to the root."""
        spec = ["--", relative] if relative != "." else ["--"]
        tracked = self._git("ls-files", "-z", "--cached", *spec, strip_newline_in_stdout=False)
        new = self._git(
            "ls-files", "-z", "--others", "--exclude-standard", *spec, strip_newline_in_stdout=False
        )
        present: list[str] = []
        gone: list[str] = []
        for path in sorted({p for p in (tracked + "\0" + new).split("\0") if p}):
            if not _is_plan_path(path):
                continue
            (present if (self.root / path).is_file() else gone).append(path)
        return present, gone

    def read_head_blob(self, sha: str, path: str, max_bytes: int) -> bytes | None:
        """The file ``path`` (from the root) at commit ``sha``, None when there is none. A
        blob over ``max_bytes`` raises :class:`FileTooLarge` unread (a branch's 2 GB file
        is never held whole), as :meth:`read_plan` reports one."""
        try:
            blob = self._repo.commit(sha).tree / path
        except KeyError:
            return None
        if blob.type != "blob":
            return None
        shown = display_path(self.root / path)
        if blob.size > max_bytes:
            raise FileTooLarge(
                f"{shown} is {blob.size:,} bytes at {sha[:7]}, over the bound of {max_bytes:,}",
                blob.size,
                max_bytes,
            )
        return read_bounded(blob.data_stream, max_bytes, shown)

    # -- building a commit without touching the work tree or the index ----------------------

    def commit_files(
        self, parent: str, files: dict[str, bytes | None], message: str
    ) -> tuple[str, list[str]]:
        """A commit on top of ``parent`` where ``files`` (path → content, None to delete)
        replace what ``parent`` has; everything else is as in ``parent``.

        Built in a temporary index with plumbing (read-tree, hash-object, update-index,
        write-tree, commit-tree): the user's index, work tree and HEAD are never touched.
        Returns the commit and the paths that really changed.
        """
        import tempfile

        with tempfile.TemporaryDirectory(prefix="planc-index-") as scratch:
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            self._git("read-tree", parent, env=env)
            changed: list[str] = []
            for path, data in sorted(files.items()):
                old = self._git("ls-files", "-s", "--", path, env=env).split()
                if data is None:
                    if old:
                        self._git("update-index", "--force-remove", "--", path, env=env)
                        changed.append(path)
                    continue
                blob_file = Path(scratch) / "blob"
                blob_file.write_bytes(data)
                with blob_file.open("rb") as stream:
                    sha = self._git(
                        "hash-object", "-w", "--stdin", f"--path={path}", istream=stream
                    ).strip()
                mode = old[0] if old else "100644"
                if old and old[1] == sha and old[0] == mode:
                    continue
                self._git("update-index", "--add", "--cacheinfo", f"{mode},{sha},{path}", env=env)
                changed.append(path)
            tree = self._git("write-tree", env=env).strip()
        commit = self._git("commit-tree", tree, "-p", parent, "-m", message).strip()
        return commit, changed

    def create_branch(self, name: str, sha: str) -> None:
        """Create ``refs/heads/name`` at ``sha``; refused by git itself if it exists meanwhile."""
        self._git("update-ref", "-m", "planc propose", f"refs/heads/{name}", sha, _ZERO_SHA)

    def remotes(self) -> list[str]:
        return [str(r.name) for r in self._repo.remotes]

    def push(self, remote: str, branch: str) -> None:
        self._git("push", "--quiet", remote, f"refs/heads/{branch}:refs/heads/{branch}")


def _rendered_site_tree(tree: Any) -> bool:
    """:func:`planc.core.pipeline._rendered_site` at a commit: a site ``planc render`` wrote
    beside the quarters and someone committed, so ``check --rev`` and ``diff --base`` leave
    it out as ``check`` does on disk (it failed as a quarter with no plan file). Render's
    marker, committed as a file (a committed link is not followed, so not vouched for), and
    no plan file at any depth: a folder with one is read as it always was."""
    try:
        marker = tree / SITE_MARKER
    except KeyError:
        return False
    if marker.type != "blob" or marker.mode == _GIT_LINK_MODE:
        return False
    return not any(
        item.type == "blob" and str(item.name).endswith(PLAN_SUFFIXES) for item in tree.traverse()
    )


def _holds_quarter_blob(tree: Any) -> bool:
    """A file directly in ``tree`` that is a quarter file (a committed link is no file)."""
    for blob in sorted(tree.blobs, key=lambda blob: str(blob.name)):
        name = str(blob.name)
        if name.startswith(".") or not name.endswith(PLAN_SUFFIXES) or blob.mode == _GIT_LINK_MODE:
            continue
        if name in QUARTER_NAMES or is_quarter_text(_blob_head(blob)):
            return True
    return False


# a blob up to this size has its head read from git's shared cat-file stream; a larger one
# from a cat-file of its own, stopped after its head: GitPython reads the rest of a stream
# into memory when it is dropped half read (a pull request's 2 GB file, all of it at once)
_HEAD_FROM_STREAM = 1 << 20


def _blob_head(blob: Any) -> bytes:
    """The first :data:`HEAD_BYTES` of a blob, never the whole of a large one."""
    if blob.size <= _HEAD_FROM_STREAM:
        return bytes(blob.data_stream.read(HEAD_BYTES))
    process = blob.repo.git.cat_file("blob", blob.hexsha, as_process=True)
    try:
        return bytes(process.proc.stdout.read(HEAD_BYTES))
    finally:
        process.proc.kill()
        process.proc.wait()


def _is_plan_path(path: str) -> bool:
    parts = path.split("/")
    return path.endswith(PLAN_SUFFIXES) and not any(p.startswith(".") for p in parts)
