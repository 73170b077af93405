"""Plan files at a git revision: the only module that imports gitpython."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from planc.diagnostics import Diagnostic
from planc.loader import TOO_LARGE
from planc.pipeline import PLAN_SUFFIXES, display_path
from planc.source import SourceFile, SourceSpan


class GitSourceError(Exception):
    """A revision or repository problem, with a message for the user."""


def read_revision(
    plan_dir: Path, rev: str, max_bytes: int
) -> tuple[list[SourceFile], list[Diagnostic]]:
    """The plan files under ``plan_dir`` as committed at ``rev`` (paths shown as on disk)."""
    import git

    try:
        repo = git.Repo(
            plan_dir if plan_dir.is_dir() else Path.cwd(), search_parent_directories=True
        )
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as error:
        raise GitSourceError(f"{display_path(plan_dir)} is not inside a git repository") from error
    root = Path(repo.working_tree_dir or ".").resolve()
    try:
        commit = repo.commit(rev)
    except (git.BadName, ValueError, git.GitCommandError) as error:
        if not repo.head.is_valid():
            raise GitSourceError(f"the repository at {root} has no commits yet") from error
        raise GitSourceError(f"revision {rev!r} does not exist in {root}") from error
    relative = Path(os.path.relpath(plan_dir.resolve(), root)).as_posix()
    try:
        tree = commit.tree if relative == "." else commit.tree / relative
    except KeyError as error:
        raise GitSourceError(f"{relative} does not exist at revision {rev}") from error
    if tree.type != "tree":
        raise GitSourceError(f"{relative} is a file at revision {rev}, not a quarter folder")
    sources: list[SourceFile] = []
    problems: list[Diagnostic] = []
    items: list[Any] = list(tree.traverse())
    for blob in sorted(items, key=lambda item: str(item.path)):
        if blob.type != "blob" or not blob.path.endswith(PLAN_SUFFIXES):
            continue
        shown = display_path(root / blob.path)
        if blob.size > max_bytes:
            problems.append(
                TOO_LARGE.at(
                    SourceSpan(shown, 1, 1),
                    f"file is {blob.size:,} bytes at {rev}, over the bound of {max_bytes:,}",
                )
            )
            continue
        sources.append(SourceFile(shown, blob.data_stream.read(), revision=commit.hexsha))
    return sources, problems
