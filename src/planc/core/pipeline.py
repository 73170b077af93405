"""The compiler's driver: sources → load → schema → model → checks. Prints nothing.

The checks are handed in (``run_checks``) rather than imported: they sit in the
layer above, and :mod:`planc.checks` passes its registry when it compiles.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from planc.core.diagnostics import Diagnostic
from planc.core.frontend import CheckResult, Frontend, PlanChecks, UnitStore
from planc.core.loader import DEFAULT_MAX_BYTES, TOO_LARGE, UNREADABLE
from planc.core.source import SourceFile, SourceSpan

__all__ = ["PLAN_SUFFIXES", "CheckResult", "PlanChecks", "compile_directory", "compile_sources"]

PLAN_SUFFIXES = (".yaml", ".yml")


def display_path(path: Path) -> str:
    """A path as the user should see it: relative to the working directory when inside it."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(Path.cwd()).as_posix() or "."
    except ValueError:  # outside the working directory
        return absolute.as_posix()


def read_directory(
    plan_dir: Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[SourceFile], list[Diagnostic]]:
    """Every plan file under a quarter folder, read as bytes (never past the size bound)."""
    shown = display_path(plan_dir)
    if not plan_dir.exists():
        return [], [_unreadable(shown, f"plan folder {shown} does not exist", "check the path")]
    if not plan_dir.is_dir():
        return [], [
            _unreadable(
                shown,
                f"{shown} is a file; planc checks a quarter folder",
                (f"run planc check {display_path(plan_dir.parent)}"),
            )
        ]
    sources: list[SourceFile] = []
    problems: list[Diagnostic] = []
    for path in sorted(_plan_files(plan_dir)):
        name = display_path(path)
        try:
            size = path.stat().st_size
            if size > max_bytes:
                problems.append(
                    TOO_LARGE.at(
                        SourceSpan(name, 1, 1),
                        f"file is {size:,} bytes, over the bound of {max_bytes:,}",
                        "split the region into several files or raise --max-file-size",
                    )
                )
                continue
            sources.append(SourceFile(name, path.read_bytes()))
        except OSError as error:
            problems.append(_unreadable(name, f"cannot read {name}: {error.strerror or error}"))
    if not sources and not problems:
        problems.append(
            _unreadable(
                shown,
                f"no .yaml files in {shown}",
                ("a quarter folder holds quarter.yaml and one file per region"),
            )
        )
    return sources, problems


def _plan_files(plan_dir: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(plan_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.endswith(PLAN_SUFFIXES) and not name.startswith("."):
                yield Path(root) / name


def _unreadable(path: str, message: str, hint: str | None = None) -> Diagnostic:
    return UNREADABLE.at(SourceSpan(path, 1, 1), message, hint)


def compile_sources(
    label: str,
    sources: list[SourceFile],
    run_checks: PlanChecks,
    problems: list[Diagnostic] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    store: UnitStore | None = None,
) -> CheckResult:
    """Compile a plan from its files and run ``run_checks`` over the model if it built.

    One compile, nothing kept after it (see :class:`planc.core.frontend.Frontend`
    for compiling the same plan again as it changes); ``store`` keeps each file's
    unit between runs.
    """
    frontend = Frontend(run_checks, max_bytes, store=store, retain=False)
    return frontend.compile(label, sources, problems)


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
