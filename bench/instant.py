"""The goals of "instant at any size" (#16), each measured beside its floor in the same run.

    python bench/instant.py [--sizes 10000,50000] [--runs 3] [--workdir DIR] [--json FILE]
                            [--no-memory] [--goals 1,2,3,4,5,6]
                            [--commands check,render,diff]

For each size it generates a plan (bench/generate.py) and measures:

- **floors**: every YAML loader installed, on the same files (bytes read
  beforehand, the garbage collector paused, in this process, best of R):
  yaml_rs (Rust, to Python objects), rapidyaml (C++, a tree only, no Python
  objects), PyYAML's C loader, libyaml's C composer (a node tree);
- **cold**: ``planc check DIR --no-cache --format json`` as a fresh process (its
  bytecode compiled once, as installed; each run right after a run of the floors);
  goal 1: at most 3x the fastest loader to Python objects (the ratio to the
  tree-only parse is printed too); the same with ``PLANC_FAST_YAML=0`` beside
  it (every file through libyaml, as without the ``fast`` extra);
- **warm**: ``planc check`` with a cache filled by one run, after one number
  of one region file was changed (a new number each run); goal 2: under 1 s
  at 50,000 reps. Beside it, its floors: the same check with nothing changed
  (every region result read from the cache: what does not depend on the edit)
  and ``planc --version`` (the interpreter and planc's start-up);
- **memory** (goal 6, unless ``--no-memory``): the peak memory of planc's
  process tree (bench/measure.py: the PSS summed over planc and the children it
  forks, sampled, never below its largest process's own peak) for check, render
  and diff (two folders, and two revisions of one folder in a repository) at
  the largest size; under 1 GiB. ``--commands render`` measures only the render
  (``check``, ``render``, ``diff``: which of them).

And once, on a 2,500-rep region file (the first region of a fresh copy of the
10,000-rep plan): ``planc allocate --node r01 --metric collections
--cascade --write``, with a fresh cache that ``planc check`` of the plan filled
(as after any save: only the region files the edit leaves alone are in it);
goal 5: under 3 s. Beside it, in the same run, the same with ``--no-cache``
(the edited plan checked whole), and whether both wrote the same bytes.
``--sizes ""`` skips the per-size measurements altogether.

Goal 3: the cold check again with ``PLANC_WORKERS=1`` (one process), and the
speed-up of the default (forked workers load the larger half of the files);
the full render likewise (workers render pages).

Goal 4, once at ``--render-size`` reps (default 10,000): ``planc render`` as a
whole process, first every page (``--no-cache``, the reference), then a render
with a filled cache after one number of one rep changed (a new number each
run); under 2 s. The render step alone is shown as that minus a warm check
after the same kind of edit.
``--goals`` measures only the goals listed (``--goals 2``: the warm check and
its floors, no cold check or loader floors).

It always exits 0: it is a report, not a test. See bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from measure import Measured, run_measured

BENCH = Path(__file__).resolve().parent
GOALS = frozenset(range(1, 8))
GiB = 1024**3
PLANC = [sys.executable, "-m", "planc"]


@dataclass
class Goal:
    number: int
    name: str
    measured: str
    floor: str
    target: str
    ok: bool | None  # None: not measured or not built


@dataclass
class SizeRun:
    reps: int
    bytes: int
    floors: dict[str, float] = field(default_factory=dict)
    cold_s: float = 0.0
    cold_cpu_s: float = 0.0
    cold_peak: int = 0
    one_core_s: float = 0.0  # the same cold check with PLANC_WORKERS=1
    libyaml_s: float = 0.0  # the same cold check with PLANC_FAST_YAML=0 (no yaml_rs fast path)
    warm_s: float = 0.0
    warm_cpu_s: float = 0.0
    warm_peak: int = 0
    unchanged_s: float = 0.0  # the warm check with nothing changed (every result cached)
    unchanged_cpu_s: float = 0.0
    startup_s: float = 0.0  # planc --version: the interpreter and planc's start-up
    exit_codes: list[int] = field(default_factory=list)


# --------------------------------------------------------------------------- floors


def _loaders() -> dict[str, tuple[bool, Callable[[bytes], Any]]]:
    """name -> (builds Python objects?, load function), for every loader installed."""
    found: dict[str, tuple[bool, Callable[[bytes], Any]]] = {}
    try:
        import yaml_rs

        def rs(data: bytes) -> Any:
            return yaml_rs.loads(data.decode("utf-8"), parse_datetime=False)

        found["yaml_rs.loads (Rust -> Python objects)"] = (True, rs)
    except ImportError:
        pass
    try:
        import ryml

        found["rapidyaml parse_in_arena (C++ tree only)"] = (False, ryml.parse_in_arena)
    except ImportError:
        pass
    import yaml

    from planc.core.composer import compose_nodes

    found["PyYAML CSafeLoader (C, Python objects)"] = (
        True,
        lambda data: yaml.load(data, Loader=yaml.CSafeLoader),
    )
    found["libyaml C composer (node tree)"] = (False, compose_nodes)
    return found


def floors(files: list[Path], runs: int) -> dict[str, float]:
    datas = [p.read_bytes() for p in files]
    out: dict[str, float] = {}
    for name, (_, load) in _loaders().items():
        best = float("inf")
        for _ in range(runs):
            gc.collect()
            gc.disable()
            try:
                started = time.perf_counter()
                loaded = [load(d) for d in datas]
                best = min(best, time.perf_counter() - started)
            except Exception as error:  # noqa: BLE001 - a loader that cannot read the plan
                print(f"  {name}: failed ({error})", file=sys.stderr)
                best = float("nan")
                break
            finally:
                gc.enable()
            del loaded
        out[name] = best
    gc.collect()
    return out


def fastest(found: dict[str, float], objects_only: bool) -> tuple[str, float]:
    kinds = {name: builds for name, (builds, _) in _loaders().items()}
    chosen = {
        n: s for n, s in found.items() if not math.isnan(s) and (kinds[n] or not objects_only)
    }
    name = min(chosen, key=lambda n: chosen[n])
    return name, chosen[name]


# --------------------------------------------------------------------------- planc


def plan_files(plan_dir: Path) -> list[Path]:
    return sorted(p for p in plan_dir.rglob("*") if p.suffix in (".yaml", ".yml"))


def generate(reps: int, out: Path) -> None:
    if (out / "quarter.yaml").exists():
        return
    subprocess.run(
        [sys.executable, str(BENCH / "generate.py"), str(reps), str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def best(runs: list[Measured]) -> Measured:
    chosen = min(runs, key=lambda r: r.seconds)
    chosen.max_rss = max(r.max_rss for r in runs)
    return chosen


_VALUE = re.compile(rb"(new_customers: \{value: )([0-9]+)")


def bump_one_number(path: Path, by: int, rep: int = 0) -> None:
    """Change one number of a region file (a rep's new-customer count), as an op would.

    ``rep``: which rep, counted from the middle of the file. A rep's count raised
    again and again soon breaks its team's over-assignment band (an error: render
    then stops early), so a series of edits that must stay clean bumps another rep
    by 1 each time."""
    data = path.read_bytes()
    matches = list(_VALUE.finditer(data))
    match = matches[(len(matches) // 2 + rep) % len(matches)]
    number = int(match.group(2)) + by
    path.write_bytes(data[: match.start(2)] + str(number).encode() + data[match.end(2) :])


_COMPILE_ALL = (
    "import compileall, os, planc; compileall.compile_dir(os.path.dirname(planc.__file__), quiet=1)"
)


def bytecode_env(work: Path) -> dict[str, str]:
    """What the cold runs add to the environment: planc's modules compiled once and read
    back from a folder of the work directory, as an installed package has them (pip
    compiles a wheel's modules when it installs it). Without it, under
    PYTHONDONTWRITEBYTECODE (set on the development machine) and a source checkout, every
    run compiles planc's ~100 modules again (~0.05 s of start-up that no user pays)."""
    return {"PYTHONDONTWRITEBYTECODE": "", "PYTHONPYCACHEPREFIX": str(work / "pycache")}


def measure_size(reps: int, work: Path, runs: int, chosen: set[int] | None = None) -> SizeRun:
    plan = work / f"plan-{reps}" / "2027-Q1"
    generate(reps, plan)
    files = plan_files(plan)
    result = SizeRun(reps, sum(p.stat().st_size for p in files))
    print(f"{reps:,} reps: {len(files)} files, {result.bytes / 2**20:.1f} MiB", file=sys.stderr)
    if chosen is None or chosen & {1, 3}:
        measure_cold(result, plan, files, work, runs, chosen)
    if chosen is None or 2 in chosen:
        measure_warm(result, plan, work, runs)
    return result


def measure_cold(
    result: SizeRun, plan: Path, files: list[Path], work: Path, runs: int, chosen: set[int] | None
) -> None:
    cold_check = [*PLANC, "check", str(plan), "--no-cache", "-f", "json"]
    compiled = bytecode_env(work)
    subprocess.run(  # compiles every module of planc once, into that folder
        [sys.executable, "-c", _COMPILE_ALL], env={**os.environ, **compiled}, check=False
    )
    colds = []
    # timed alone, as the floors are: no memory sampler on the cores planc's workers use
    # (goal 6 measures the memory in runs of its own; measure.py says what sampling costs)
    for _ in range(runs):
        # each cold run right after the floors, so that both see the same load
        for name, seconds in floors(files, 1).items():
            result.floors[name] = min(result.floors.get(name, math.inf), seconds)
        colds.append(run_measured(cold_check, env=compiled, sample=False))
    cold = best(colds)
    result.cold_s, result.cold_cpu_s, result.cold_peak = (
        cold.seconds,
        cold.cpu_seconds,
        cold.max_rss,
    )
    result.exit_codes.append(cold.exit_code)
    if chosen is None or 3 in chosen:
        one_core = best(
            [
                run_measured(cold_check, env={**compiled, "PLANC_WORKERS": "1"}, sample=False)
                for _ in range(runs)
            ]
        )
        result.one_core_s = one_core.seconds
    libyaml = best(
        [
            run_measured(cold_check, env={**compiled, "PLANC_FAST_YAML": "0"}, sample=False)
            for _ in range(runs)
        ]
    )
    result.libyaml_s = libyaml.seconds
    print(f"  cold {cold.seconds:.2f} s (CPU {cold.cpu_seconds:.2f} s)", file=sys.stderr)


def measure_warm(result: SizeRun, plan: Path, work: Path, runs: int) -> None:
    reps = result.reps
    cache = work / f"cache-{reps}"
    shutil.rmtree(cache, ignore_errors=True)
    edited = work / f"edited-{reps}" / "2027-Q1"
    shutil.rmtree(edited.parent, ignore_errors=True)
    shutil.copytree(plan, edited)
    region = plan_files(edited)[-1]
    check = [*PLANC, "check", str(edited), "--cache-dir", str(cache), "-f", "json"]
    compiled = bytecode_env(work)  # as installed, like the cold runs
    run_measured(check, env=compiled)  # fills the cache
    warm_runs, unchanged_runs, startup_runs = [], [], []
    # timed alone, as goal 1's cold runs are: no memory sampler (goal 6 measures memory)
    for run in range(runs):
        bump_one_number(region, run + 1)
        warm_runs.append(run_measured(check, env=compiled, sample=False))
        # the floors in the same run, each right after the edit's check (the load varies)
        unchanged_runs.append(run_measured(check, env=compiled, sample=False))
        startup_runs.append(run_measured([*PLANC, "--version"], env=compiled, sample=False))
    warm = best(warm_runs)
    result.warm_s, result.warm_cpu_s, result.warm_peak = (
        warm.seconds,
        warm.cpu_seconds,
        warm.max_rss,
    )
    unchanged = best(unchanged_runs)
    result.unchanged_s, result.unchanged_cpu_s = unchanged.seconds, unchanged.cpu_seconds
    result.startup_s = best(startup_runs).seconds
    result.exit_codes.append(warm.exit_code)
    print(
        f"  warm {warm.seconds:.2f} s (CPU {warm.cpu_seconds:.2f} s), nothing changed "
        f"{unchanged.seconds:.2f} s, start-up {result.startup_s:.2f} s",
        file=sys.stderr,
    )


@dataclass
class RenderRun:
    reps: int
    full: Measured  # every page, no cache
    full_one_core: Measured | None  # the same with PLANC_WORKERS=1 (goal 3 only)
    incremental: Measured  # after one number of one rep changed, cache filled
    warm_check: Measured  # planc check after the same kind of edit, cache filled
    pages: str  # what the incremental render printed


def measure_render(reps: int, work: Path, runs: int, one_core: bool = True) -> RenderRun:
    plan = work / f"plan-{reps}" / "2027-Q1"
    generate(reps, plan)
    shm = Path("/dev/shm")
    sites = Path(tempfile.mkdtemp(prefix="planc-render-", dir=shm if shm.is_dir() else work))
    # planc's modules compiled once, as the cold runs read them (an installed package's);
    # a render again is a few seconds, of which compiling ~100 modules was ~0.15 s of CPU
    compiled = bytecode_env(work)
    subprocess.run(
        [sys.executable, "-c", _COMPILE_ALL], env={**os.environ, **compiled}, check=False
    )
    try:
        full_cmd = [*PLANC, "render", str(plan), "--out", str(sites / "full"), "--no-cache"]
        full = best([run_measured(full_cmd, env=compiled, sample=False) for _ in range(runs)])
        one = None  # goal 3 only: --goals 4 measures the full render (its reference) alone
        if one_core:
            one = best(
                [
                    run_measured(full_cmd, env={**compiled, "PLANC_WORKERS": "1"}, sample=False)
                    for _ in range(runs)
                ]
            )
        edited = work / f"render-{reps}" / "2027-Q1"
        shutil.rmtree(edited.parent, ignore_errors=True)
        shutil.copytree(plan, edited)
        region = plan_files(edited)[-1]
        cache = work / f"render-cache-{reps}"
        shutil.rmtree(cache, ignore_errors=True)
        cmd = [
            *PLANC,
            "render",
            str(edited),
            "--out",
            str(sites / "site"),
            "--cache-dir",
            str(cache),
        ]
        run_measured(cmd, env=compiled)  # every page, and the cache filled
        incremental, checks = [], []
        for run in range(runs):
            bump_one_number(region, 1, rep=2 * run)  # a new number each run, the plan clean
            incremental.append(run_measured(cmd, env=compiled, sample=False))
            bump_one_number(region, 1, rep=2 * run + 1)
            check = [*PLANC, "check", str(edited), "--cache-dir", str(cache), "-f", "json"]
            checks.append(run_measured(check, env=compiled, sample=False))
        # a render that stopped at an error wrote nothing: not a time of this goal
        chosen = best([r for r in incremental if r.exit_code == 0] or incremental)
        pages = chosen.stdout.strip().rpartition("(")[2].rstrip(")")
        print(
            f"  render {full.seconds:.2f} s, again {chosen.seconds:.2f} s: {pages}", file=sys.stderr
        )
        return RenderRun(reps, full, one, chosen, best(checks), pages)
    finally:
        shutil.rmtree(sites, ignore_errors=True)


@dataclass
class AllocateRun:
    cached: Measured  # with a cache that ``planc check`` of the plan filled (as after a save)
    whole: Measured  # ``--no-cache``: the edited plan compiled and checked whole
    same: bool  # both wrote the same bytes, every run


def measure_allocate(work: Path, runs: int) -> AllocateRun:
    """Goal 5, both ways in each run (the load varies): with the cache a check filled
    (a fresh cache each run, so only the files the edit left alone are in it), and whole."""
    source = work / "plan-10000" / "2027-Q1"
    generate(10_000, source)
    found: dict[str, list[Measured]] = {"cached": [], "whole": []}
    same = True
    for _ in range(runs):
        written = {}
        for way, measured in found.items():
            # The whole plan: with one region file alone, the company's targets no longer
            # add up (PLC320), and the edited plan is refused (exit 1) before anything is written.
            plan = work / "allocate" / "2027-Q1"
            cache = work / "allocate-cache"
            shutil.rmtree(plan.parent, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
            shutil.copytree(source, plan)
            flags = ["--no-cache"]
            if way == "cached":
                flags = ["--cache-dir", str(cache)]
                check = [*PLANC, "check", str(plan), *flags]
                subprocess.run(check, check=False, stdout=subprocess.DEVNULL)
            cmd = [*PLANC, "allocate", str(plan), "--node", "r01", "--metric", "collections"]
            measured.append(run_measured([*cmd, "--cascade", "--write", *flags], sample=False))
            written[way] = (plan / "regions" / "r01.yaml").read_bytes()
        same = same and written["cached"] == written["whole"]
    shutil.rmtree(work / "allocate-cache", ignore_errors=True)
    return AllocateRun(best(found["cached"]), best(found["whole"]), same)


_GIT = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def _revisions(plan: Path, root: Path) -> None:
    """A repository whose last two commits are ``plan`` and ``plan`` with one number of its
    last region file changed (the edit of the two-folder diff), as a pull request has it."""
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(plan, root / "plans" / plan.name)
    env = {**os.environ, **_GIT}

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-qm", "base")
    bump_one_number(plan_files(root / "plans" / plan.name)[-1], 1)
    git("commit", "-qam", "head")


MEMORY_COMMANDS = ("check", "render", "diff")


def measure_memory(
    reps: int, work: Path, commands: tuple[str, ...] = MEMORY_COMMANDS
) -> dict[str, Measured]:
    """Goal 6: each command's memory, judged by ``Measured.tree_peak`` (the whole process
    tree's sampled PSS, never below the largest process's own peak): planc forks
    (loader workers, render workers, diff's compile children). ``commands``: which of
    check, render and diff (both diffs) to measure."""
    plan = work / f"plan-{reps}" / "2027-Q1"
    generate(reps, plan)
    shm = Path("/dev/shm")
    site_root = Path(tempfile.mkdtemp(prefix="planc-instant-", dir=shm if shm.is_dir() else work))
    head = work / f"head-{reps}" / "2027-Q1"
    repo = work / f"revisions-{reps}"
    if "diff" in commands:
        shutil.rmtree(head.parent, ignore_errors=True)
        shutil.copytree(plan, head)
        bump_one_number(plan_files(head)[-1], 1)
        _revisions(plan, repo)
    diff = [*PLANC, "diff", "-f", "json"]
    found: dict[str, Measured] = {}
    try:
        if "check" in commands:
            found["check"] = run_measured([*PLANC, "check", str(plan), "--no-cache", "-f", "json"])
        if "render" in commands:
            found["render"] = run_measured(
                [*PLANC, "render", str(plan), "--out", str(site_root / "s")]
            )
        if "diff" in commands:
            found["diff (two folders)"] = run_measured(
                [*diff, "--base", str(plan), "--head", str(head)]
            )
            found["diff (two revisions)"] = run_measured(
                [*diff, "--base", "HEAD~1", "--head", "HEAD"], cwd=repo, env=_GIT
            )
        return found
    finally:
        shutil.rmtree(site_root, ignore_errors=True)


# --------------------------------------------------------------------------- report


def goals(
    sizes: list[SizeRun],
    allocate: AllocateRun | None,
    memory: dict[str, Measured] | None,
    render: RenderRun | None = None,
) -> list[Goal]:
    out: list[Goal] = []
    for s in (s for s in sizes if s.floors and s.cold_s):  # not measured: --goals
        name, floor = fastest(s.floors, objects_only=True)
        tree_name, tree = fastest(s.floors, objects_only=False)
        ratio = s.cold_s / floor
        out.append(
            Goal(
                1,
                f"cold check, {s.reps:,} reps",
                f"{s.cold_s:.2f} s = {ratio:.2f}x (CPU {s.cold_cpu_s:.2f} s; "
                f"{s.cold_s / tree:.1f}x the tree-only parse)",
                f"{floor:.2f} s {name}; tree only {tree:.2f} s {tree_name}",
                "<= 3x",
                ratio <= 3,
            )
        )
    for s in (s for s in sizes if s.warm_s):
        cold = f"; cold {s.cold_s:.2f} s" if s.cold_s else ""
        out.append(
            Goal(
                2,
                f"warm check after one number changed, {s.reps:,} reps",
                f"{s.warm_s:.2f} s (CPU {s.warm_cpu_s:.2f} s)",
                f"nothing changed {s.unchanged_s:.2f} s (CPU {s.unchanged_cpu_s:.2f} s); "
                f"start-up {s.startup_s:.2f} s{cold}",
                "< 1 s" if s.reps >= 50_000 else "(< 1 s at 50,000)",
                s.warm_s < 1 if s.reps >= 50_000 else None,
            )
        )
    for s in (s for s in sizes if s.cold_s):
        out.append(
            Goal(
                3,
                f"both cores for loading, check {s.reps:,} reps",
                f"cold {s.cold_s:.2f} s, speed-up {s.one_core_s / s.cold_s:.2f}x",
                f"one process (PLANC_WORKERS=1) {s.one_core_s:.2f} s",
                "speed-up",
                None,
            )
        )
    if render is None:
        out.append(Goal(4, "incremental render", "not measured", "-", "< 2 s", None))
        return _after_render(out, sizes, allocate, memory)
    full, one, again = render.full, render.full_one_core, render.incremental
    if one is not None:
        out.append(
            Goal(
                3,
                f"both cores for rendering, full render {render.reps:,} reps",
                f"{full.seconds:.2f} s, speed-up {one.seconds / full.seconds:.2f}x",
                f"one process (PLANC_WORKERS=1) {one.seconds:.2f} s",
                "speed-up",
                None,
            )
        )
    step = again.seconds - render.warm_check.seconds
    out.append(
        Goal(
            4,
            f"render again after one rep's number changed, {render.reps:,} reps",
            f"{again.seconds:.2f} s whole command (CPU {again.cpu_seconds:.2f} s, "
            f"{render.pages}); render step ~{step:.2f} s "
            f"(minus a warm check, {render.warm_check.seconds:.2f} s)",
            f"full render {full.seconds:.2f} s ({again.seconds / full.seconds:.2f}x)",
            "< 2 s",
            again.seconds < 2 and again.exit_code == 0,
        )
    )
    return _after_render(out, sizes, allocate, memory)


def _after_render(
    out: list[Goal],
    sizes: list[SizeRun],
    allocate: AllocateRun | None,
    memory: dict[str, Measured] | None,
) -> list[Goal]:
    if allocate is not None:
        cached, whole = allocate.cached, allocate.whole
        out.append(
            Goal(
                5,
                "allocate --cascade --write, 2,500-rep region file (cache filled by a check)",
                f"{cached.seconds:.2f} s (CPU {cached.cpu_seconds:.2f} s, exit {cached.exit_code})",
                f"--no-cache (checked whole) {whole.seconds:.2f} s (CPU {whole.cpu_seconds:.2f} s, "
                f"exit {whole.exit_code}); same bytes written: {'yes' if allocate.same else 'NO'}",
                "< 3 s",
                cached.seconds < 3 and cached.exit_code == 0 and allocate.same,
            )
        )
    for command, run in (memory or {}).items():
        out.append(
            Goal(
                6,
                f"peak memory of {command} (its process tree), {max(s.reps for s in sizes):,} reps",
                f"{run.tree_peak / GiB:.2f} GiB ({run.seconds:.1f} s, CPU {run.cpu_seconds:.1f} s, "
                f"exit {run.exit_code}; up to {run.tree_processes} processes)",
                f"largest process alone {run.max_rss / GiB:.2f} GiB; "
                f"RSS summed (shared pages counted twice) {run.tree_rss / GiB:.2f} GiB",
                "< 1 GiB",
                run.tree_peak < GiB,
            )
        )
    return out


def report(sizes: list[SizeRun], found: list[Goal]) -> str:
    lines = ["# instant at any size (#16)", ""]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines.append(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load:.1f}; "
        "planc as fresh processes (bench/measure.py) with its bytecode compiled once "
        "(PYTHONPYCACHEPREFIX), floors in this process, measured before each cold run."
    )
    lines += ["", "| reps | loader | s |", "|---:|---|---:|"]
    for s in sizes:
        for name, seconds in sorted(s.floors.items(), key=lambda kv: kv[1]):
            lines.append(f"| {s.reps:,} | {name} | {seconds:.3f} |")
        if s.cold_s:
            lines.append(
                f"| {s.reps:,} | planc check, cold (whole process; CPU {s.cold_cpu_s:.2f} s) "
                f"| {s.cold_s:.3f} |"
            )
            if s.one_core_s:
                lines.append(
                    f"| {s.reps:,} | planc check, cold, one process | {s.one_core_s:.3f} |"
                )
            lines.append(
                f"| {s.reps:,} | planc check, cold, libyaml path (PLANC_FAST_YAML=0) "
                f"| {s.libyaml_s:.3f} |"
            )
        if s.warm_s:
            lines.append(f"| {s.reps:,} | planc check, warm (whole process) | {s.warm_s:.3f} |")
            lines.append(
                f"| {s.reps:,} | planc check, warm, nothing changed | {s.unchanged_s:.3f} |"
            )
            lines.append(f"| {s.reps:,} | planc --version (start-up) | {s.startup_s:.3f} |")
    lines += ["", "| goal | what | measured | floor | target | |", "|---|---|---|---|---|---|"]
    for g in found:
        verdict = "not measured" if g.ok is None else ("PASS" if g.ok else "FAIL")
        lines.append(
            f"| {g.number} | {g.name} | {g.measured} | {g.floor} | {g.target} | {verdict} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, help="keep (and reuse) the plans here")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument(
        "--commands",
        default=",".join(MEMORY_COMMANDS),
        help="goal 6: measure only these commands (comma-separated: check, render, diff)",
    )
    parser.add_argument("--no-allocate", action="store_true")
    parser.add_argument("--no-render", action="store_true")
    parser.add_argument("--render-size", type=int, default=10_000)
    parser.add_argument(
        "--goals", default="1,2,3,4,5,6", help="measure only these goals (comma-separated)"
    )
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]  # "": goals 4-5 only
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        return run(args, sizes, args.workdir)
    with tempfile.TemporaryDirectory(prefix="planc-instant-") as tmp:
        return run(args, sizes, Path(tmp))


def run(args: argparse.Namespace, sizes: list[int], work: Path) -> int:
    chosen = {int(g) for g in args.goals.split(",") if g.strip()}
    measured = [measure_size(n, work, args.runs, chosen) for n in sizes]
    allocate = None
    if not args.no_allocate and 5 in chosen:
        allocate = measure_allocate(work, args.runs)
    render = None
    if not args.no_render and chosen & {3, 4}:
        render = measure_render(args.render_size, work, args.runs, one_core=3 in chosen)
    commands = tuple(c.strip() for c in args.commands.split(",") if c.strip())
    unknown = set(commands) - set(MEMORY_COMMANDS)
    if unknown:
        parser_error = f"--commands: unknown {', '.join(sorted(unknown))}"
        raise SystemExit(parser_error)
    memory = (
        None if args.no_memory or 6 not in chosen else measure_memory(max(sizes), work, commands)
    )
    found = [g for g in goals(measured, allocate, memory, render) if g.number in chosen]
    print(report(measured, found))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "sizes": [asdict(s) for s in measured],
                    "goals": [asdict(g) for g in found],
                    "render": None if render is None else asdict(render),
                    "python": sys.version.split()[0],
                    "cpus": os.cpu_count(),
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
