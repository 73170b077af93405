"""Benchmark ``planc diff`` against an in-run floor: loading both revisions.

    python bench/diff_run.py [--reps 10000] [--share 1] [--runs 3] [--json FILE]

It generates a plan (bench/generate.py), commits it, changes ``--share`` percent
of all targets (key-product shares of that many reps, one up; an adjustment
record covers them, so the head compiles clean), commits again, and measures,
best of R runs, each as a subprocess of the same interpreter, in CPU seconds
(user + system of that child, which other load on the machine does not stretch):

- floor: reading both revisions from git and compiling each with planc's own
  loader and checks (``Repository.read_plan`` + ``check_sources``, what
  ``planc check --rev`` does), with nothing else;
- ``planc diff --base HEAD~1 --head HEAD`` in each format (json, markdown, text).

It prints a markdown report with the ratios and PASS/FAIL against the target
(1.5), and always exits 0: it is a report, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
TARGET = 1.5
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}
FLOOR = """
import sys
from pathlib import Path
from planc.core.gitsource import Repository
from planc.checks import check_sources
repo = Repository.open(Path("."))
for rev in ("HEAD~1", "HEAD"):
    revision = repo.resolve(rev)
    sources, problems = repo.read_plan(revision.sha, "plans/2027-Q1", 1 << 30)
    result = check_sources(rev, sources, problems, 1 << 30)
    assert result.plan is not None and not result.has_errors, rev
"""
_REP_SHARE = re.compile(
    r"(        - rep: (\S+)\n(?:(?!        - rep:).*\n)*?            key_product_share: \{value: )(\d+)\}"
)


def git(root: Path, *args: str) -> None:
    env = {**os.environ, **GIT_ENV, "GIT_CONFIG_GLOBAL": str(root.parent / "gitconfig")}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def make_repo(root: Path, reps: int, share: float) -> int:
    """The two revisions; returns how many targets changed."""
    plan = root / "plans" / "2027-Q1"
    subprocess.run(
        [sys.executable, str(BENCH / "generate.py"), str(reps), str(plan)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (root.parent / "gitconfig").touch()
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    total = sum(
        len(re.findall(r"^\s+(?:[a-z_]+: \{value:|value:)", p.read_text(encoding="utf-8"), re.M))
        for p in plan.rglob("*.yaml")
    )
    wanted = max(1, round(total * share / 100))
    changes: list[str] = []
    regions = sorted((plan / "regions").glob("*.yaml"))
    per_region = -(-wanted // len(regions))
    for region in regions:
        text = region.read_text(encoding="utf-8")
        matches = list(_REP_SHARE.finditer(text))
        step = max(1, len(matches) // per_region)
        chosen = {m.start() for m in matches[::step][:per_region]}

        def bump(match: re.Match[str], chosen: set[int] = chosen) -> str:
            if match.start() not in chosen or len(changes) >= wanted:
                return match.group(0)
            old = int(match.group(3))
            changes.append(
                f"{{target: {match.group(2)}/key_product_share, from: {old}, to: {old + 1}}}"
            )
            return f"{match.group(1)}{old + 1}}}"

        region.write_text(_REP_SHARE.sub(bump, text), encoding="utf-8")
    record = ["adjustments:", "  - id: ADJ-BENCH", "    date: 2027-02-10"]
    record += ["    effective: 2027-02-10", "    cause: policy", "    note: Benchmark change."]
    record += ["    changes:", *(f"      - {c}" for c in changes)]
    quarter = plan / "quarter.yaml"
    quarter.write_text(
        quarter.read_text(encoding="utf-8") + "\n".join(record) + "\n", encoding="utf-8"
    )
    git(root, "commit", "-qam", "head")
    return len(changes)


def best(cmd: list[str], root: Path, runs: int) -> tuple[float, float, str]:
    """Best (CPU seconds, wall seconds) over the runs, and the last output.

    CPU time (user + system, from os.wait4: that child alone) is the measure: other work
    on the machine stretches wall time but not the CPU time a command needs.
    """
    cpu, wall, out = [], [], ""
    env = {**os.environ, **GIT_ENV, "GIT_CONFIG_GLOBAL": str(root.parent / "gitconfig")}
    env.pop("GITHUB_ACTIONS", None)
    for _ in range(max(1, runs)):
        with tempfile.TemporaryFile() as stdout:
            started = time.perf_counter()
            proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=stdout, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(proc.pid, 0)
            wall.append(time.perf_counter() - started)
            cpu.append(usage.ru_utime + usage.ru_stime)
            code = os.waitstatus_to_exitcode(status)
            stderr = proc.stderr.read().decode() if proc.stderr else ""
            if code not in (0, 2):
                raise SystemExit(f"{' '.join(cmd)} failed ({code}): {stderr}")
            stdout.seek(0)
            out = stdout.read().decode("utf-8")
    return min(cpu), min(wall), out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=10_000)
    parser.add_argument("--share", type=float, default=1.0, help="percent of targets changed")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="planc-diff-bench-") as scratch:
        root = Path(scratch) / "repo"
        root.mkdir()
        changed = make_repo(root, args.reps, args.share)
        floor, floor_wall, _ = best([sys.executable, "-c", FLOOR], root, args.runs)
        planc = [sys.executable, "-m", "planc", "diff", "--base", "HEAD~1", "--head", "HEAD"]
        rows = []
        for fmt in ("json", "markdown", "text"):
            seconds, wall, out = best([*planc, "--format", fmt], root, args.runs)
            if fmt == "json":
                found = len(json.loads(out)["impacts"][0]["changes"])
                assert found == changed, (found, changed)
            rows.append({"format": fmt, "cpu": seconds, "wall": wall, "ratio": seconds / floor})
    print(f"## planc diff: {args.reps:,} reps, {changed:,} targets changed ({args.share:g} %)\n")
    print(
        f"Floor (both revisions read from git and compiled): {floor:.3f} s CPU "
        f"({floor_wall:.3f} s wall)\n"
    )
    print("| format | planc diff s CPU | s wall | diff/floor (CPU) | target | result |")
    print("|---|---:|---:|---:|---:|---|")
    for row in rows:
        verdict = "PASS" if row["ratio"] <= TARGET else "FAIL"
        print(
            f"| {row['format']} | {row['cpu']:.3f} | {row['wall']:.3f} | {row['ratio']:.2f} "
            f"| <= {TARGET} | {verdict} |"
        )
    if args.json:
        document = {"reps": args.reps, "changed": changed, "floor": floor, "rows": rows}
        args.json.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
