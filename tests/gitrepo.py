"""Real git repositories for tests: built in tmp_path, with an identity and a config of their own.

Nothing here reads or writes the user's global git config: every git call and
every planc run gets ``GIT_CONFIG_GLOBAL`` pointing at an empty file and the
author/committer set through the environment.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from conftest import MINI, Run, run_planc

QUARTER = "plans/2027-Q1"


def git_env(root: Path) -> dict[str, str]:
    empty = root.parent / ".gitconfig-empty"
    empty.touch()
    return {
        "GIT_AUTHOR_NAME": "Test Author",
        "GIT_AUTHOR_EMAIL": "author@example.com",
        "GIT_COMMITTER_NAME": "Test Author",
        "GIT_COMMITTER_EMAIL": "author@example.com",
        "GIT_AUTHOR_DATE": "2027-02-01T10:00:00+00:00",
        "GIT_COMMITTER_DATE": "2027-02-01T10:00:00+00:00",
        "GIT_CONFIG_GLOBAL": str(empty),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GITHUB_BASE_REF": "",
    }


def git(root: Path, *args: str, check: bool = True) -> str:
    completed = subprocess.run(
        ["git", *args],
        cwd=root,
        env={**os.environ, **git_env(root)},
        capture_output=True,
        text=True,
        check=False,
    )
    if check and completed.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {completed.stderr}")
    return completed.stdout


def planc_in(root: Path, *args: str | Path, env: dict[str, str] | None = None) -> Run:
    """The real planc command, run from the repository root with the test git identity."""
    return run_planc(*args, cwd=root, env={**git_env(root), **(env or {})})


def new_repo(tmp_path: Path, name: str = "sales") -> Path:
    """A repository on main whose first commit holds the mini plan at plans/2027-Q1."""
    root = tmp_path / name
    shutil.copytree(MINI, root / QUARTER)
    (root / "README.md").write_text("# Sales plans\n", encoding="utf-8")
    git(root.parent, "init", "-q", "-b", "main", str(root))
    commit_all(root, "plan 2027-Q1")
    return root


def commit_all(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)
    return git(root, "rev-parse", "HEAD").strip()


def edit(path: Path, old: str, new: str) -> None:
    """Replace text that occurs exactly once (bytes kept otherwise)."""
    text = path.read_bytes().decode("utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_bytes(text.replace(old, new).encode("utf-8"))


NORTH = f"{QUARTER}/regions/north.yaml"
SOUTH = f"{QUARTER}/regions/south.yaml"
QUARTER_FILE = f"{QUARTER}/quarter.yaml"

ANN_REVENUE = "              value: 550000\n              stretch: 600000"
BOB_REVENUE = "              value: 550000\n              baseline: {last_quarter: 520000"
ANN_MONTHS = "months: [150000, 180000, 220000]"
ANN_PRODUCTS = "products: {pro: 300000, basic: 250000}"
BOB_MONTHS = "months: [170000, 180000, 200000]"
BOB_PRODUCTS = "products: {pro: 250000, basic: 300000}"


def move_revenue(root: Path, amount: int = 10_000) -> None:
    """Move ``amount`` of revenue from Bob to Ann (months and products follow, so it compiles
    except for the adjustments log, which still has the old values)."""
    north = root / NORTH
    edit(north, ANN_REVENUE, ANN_REVENUE.replace("550000", str(550_000 + amount)))
    edit(north, BOB_REVENUE, BOB_REVENUE.replace("550000", str(550_000 - amount)))
    edit(north, ANN_MONTHS, f"months: [150000, 180000, {220_000 + amount}]")
    edit(north, ANN_PRODUCTS, f"products: {{pro: {300_000 + amount}, basic: 250000}}")
    edit(north, BOB_MONTHS, f"months: [170000, 180000, {200_000 - amount}]")
    edit(north, BOB_PRODUCTS, f"products: {{pro: {250_000 - amount}, basic: 300000}}")


def add_record(
    root: Path, record_id: str, changes: list[str], note: str = "", **fields: str
) -> None:
    """Append an adjustment record to the quarter file's adjustments list."""
    lines = [
        f"  - id: {record_id}",
        f"    date: {fields.get('date', '2027-02-10')}",
        f"    effective: {fields.get('effective', '2027-02-10')}",
        f"    cause: {fields.get('cause', 'competitor')}",
        f"    note: {note or 'Northwind moved its order to a colleague.'}",
    ]
    if "approved_by" in fields:
        lines.append(f"    approved_by: [{fields['approved_by']}]")
    lines.append("    changes:")
    lines += [f"      - {change}" for change in changes]
    path = root / QUARTER_FILE
    path.write_bytes(path.read_bytes() + ("\n".join(lines) + "\n").encode("utf-8"))


def move_with_record(root: Path, amount: int = 10_000, **fields: str) -> None:
    move_revenue(root, amount)
    add_record(
        root,
        "ADJ-002",
        [
            f"{{target: bob/revenue, from: 550000, to: {550_000 - amount}}}",
            f"{{target: ann/revenue, from: 550000, to: {550_000 + amount}}}",
        ],
        **fields,
    )


def snapshot(root: Path) -> dict[str, str]:
    """Every file of the work tree (outside .git) by its content hash."""
    out = {}
    for path in sorted(root.rglob("*")):
        if ".git" in path.relative_to(root).parts or not path.is_file():
            continue
        out[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out
