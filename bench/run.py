"""Benchmark ``planc check`` against an in-run floor: PyYAML's C loader on the same files.

    python bench/run.py [--sizes 100,1000,10000,50000] [--runs R] [--json FILE]

For each size it generates a plan (bench/generate.py), measures the floor and
``planc check DIR --format json`` as a subprocess, and prints a markdown report
with ratios and PASS/FAIL per target. It always exits 0: it is a report, not a test.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from measure import run_measured

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SCHEMA = REPO / "schema" / "plan.schema.json"
GiB = 1024**3
BIG = 50_000  # sizes from here on default to a single run


@dataclass
class Run:
    """One measured subprocess: best wall time, peak RSS over the runs, last output."""

    seconds: float
    max_rss: int  # bytes
    exit_code: int
    stdout: str = field(repr=False, default="")
    stderr: str = field(repr=False, default="")


@dataclass
class SizeResult:
    reps: int
    files: int
    bytes: int
    generate_s: float
    floor_s: float
    planc_s: float
    ratio: float
    max_rss: int
    exit_code: int
    errors: int | None
    warnings: int | None


@dataclass
class Target:
    name: str
    measured: str
    goal: str
    ok: bool | None  # None: not measured


@dataclass
class Results:
    sizes: list[SizeResult]
    errors: dict[str, Any] | None
    cjs: dict[str, Any] | None
    help_s: float
    targets: list[Target]


# --------------------------------------------------------------------------- measuring


def run_once(cmd: list[str]) -> Run:
    """Run cmd as a fresh process; wall time and the peak RSS of that process alone.

    Through bench/measure.py: a child's ``ru_maxrss`` taken here with ``os.wait4``
    would include this script's own peak at fork time (the floor's loaded plan).
    """
    measured = run_measured(cmd, sample=False)  # max_rss (wait4) needs no sampler
    return Run(
        measured.seconds, measured.max_rss, measured.exit_code, measured.stdout, measured.stderr
    )


def best_of(cmd: list[str], runs: int) -> Run:
    results = [run_once(cmd) for _ in range(max(1, runs))]
    best = min(results, key=lambda r: r.seconds)
    best.max_rss = max(r.max_rss for r in results)
    return best


def floor_seconds(plan_dir: Path, runs: int) -> float:
    """Best time to load every file with yaml.CSafeLoader, bytes read beforehand, gc paused."""
    datas = [p.read_bytes() for p in plan_files(plan_dir)]
    best = float("inf")
    for _ in range(max(1, runs)):
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            docs = [yaml.load(data, Loader=yaml.CSafeLoader) for data in datas]
            best = min(best, time.perf_counter() - started)
        finally:
            gc.enable()
        del docs
    gc.collect()
    return best


def plan_files(plan_dir: Path) -> list[Path]:
    return sorted(p for p in plan_dir.rglob("*") if p.suffix in (".yaml", ".yml"))


def planc_command(override: str | None) -> list[str] | None:
    if override:
        return override.split()
    if importlib.util.find_spec("planc") is not None:
        return [sys.executable, "-m", "planc"]
    script = shutil.which("planc") or shutil.which("planc", path=str(Path(sys.executable).parent))
    return [script] if script else None


def tool(name: str) -> str | None:
    return shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)


def generate(reps: int, out_dir: Path, seed: int, errors: int = 0) -> tuple[int, int, float]:
    """Write a plan with bench/generate.py; return (files, bytes, seconds)."""
    cmd = [sys.executable, str(BENCH / "generate.py"), str(reps), str(out_dir), "--seed", str(seed)]
    if errors:
        cmd += ["--errors", str(errors)]
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    files = plan_files(out_dir)
    return len(files), sum(p.stat().st_size for p in files), seconds


def counts(run: Run) -> tuple[int | None, int | None, Counter[str]]:
    """Errors, warnings and codes from planc's JSON report (None if it is not JSON)."""
    try:
        doc = json.loads(run.stdout)
        codes = Counter(d["code"] for d in doc.get("diagnostics", []))
        return doc["counts"]["error"], doc["counts"]["warning"], codes
    except (ValueError, KeyError, TypeError):
        return None, None, Counter()


# --------------------------------------------------------------------------- benchmark


@dataclass
class Options:
    sizes: list[int]
    runs: int | None
    errors: int
    errors_size: int
    cjs_size: int
    cjs_runs: int
    help_runs: int
    seed: int
    planc: list[str]
    work: Path


def runs_for(opts: Options, reps: int) -> int:
    return opts.runs if opts.runs is not None else (1 if reps >= BIG else 3)


def plan_dir(opts: Options, reps: int, errors: int = 0) -> Path:
    # The folder is named after the quarter, as in plans/2027-Q1/.
    return opts.work / (f"n{reps}-e{errors}" if errors else f"n{reps}") / "2027-Q1"


def bench_size(opts: Options, reps: int) -> SizeResult:
    path = plan_dir(opts, reps)
    files, size, gen_s = generate(reps, path, opts.seed)
    runs = runs_for(opts, reps)
    floor = floor_seconds(path, runs)
    run = best_of([*opts.planc, "check", str(path), "--format", "json"], runs)
    errors, warnings, _ = counts(run)
    if errors is None:
        print(
            f"  planc gave no JSON report (exit {run.exit_code}): {run.stderr.strip()[:500]}",
            file=sys.stderr,
        )
    result = SizeResult(
        reps,
        files,
        size,
        gen_s,
        floor,
        run.seconds,
        run.seconds / floor,
        run.max_rss,
        run.exit_code,
        errors,
        warnings,
    )
    print(
        f"  {reps:>6} reps: floor {floor:.3f} s, planc {run.seconds:.3f} s "
        f"(x{result.ratio:.2f}), {run.max_rss / 2**20:.0f} MiB, exit {run.exit_code}, "
        f"{errors} errors, {warnings} warnings",
        file=sys.stderr,
    )
    return result


def bench_errors(opts: Options, clean: SizeResult | None) -> dict[str, Any]:
    reps = opts.errors_size
    path = plan_dir(opts, reps, opts.errors)
    generate(reps, path, opts.seed, opts.errors)
    runs = runs_for(opts, reps)
    if clean is None:
        clean_run = best_of(
            [*opts.planc, "check", str(plan_dir(opts, reps)), "--format", "json"], runs
        )
        clean_s = clean_run.seconds
    else:
        clean_s = clean.planc_s
    run = best_of([*opts.planc, "check", str(path), "--format", "json"], runs)
    errors, warnings, codes = counts(run)
    print(
        f"  {reps:>6} reps with {opts.errors} injected errors: planc {run.seconds:.3f} s, "
        f"{errors} errors, {warnings} warnings",
        file=sys.stderr,
    )
    return {
        "reps": reps,
        "injected": opts.errors,
        "clean_s": clean_s,
        "errors_s": run.seconds,
        "ratio": run.seconds / clean_s,
        "found_errors": errors,
        "found_warnings": warnings,
        "codes": dict(sorted(codes.items())),
        "max_rss": run.max_rss,
    }


def bench_cjs(opts: Options, planc_s: float | None) -> dict[str, Any]:
    exe = tool("check-jsonschema")
    if exe is None:
        return {"skipped": "check-jsonschema is not installed (pip install check-jsonschema)"}
    path = plan_dir(opts, opts.cjs_size)
    if not path.exists():
        generate(opts.cjs_size, path, opts.seed)
    cmd = [exe, "--schemafile", str(SCHEMA), *map(str, plan_files(path))]
    run = best_of(cmd, opts.cjs_runs)
    if planc_s is None:
        planc_s = best_of(
            [*opts.planc, "check", str(path), "--format", "json"], runs_for(opts, opts.cjs_size)
        ).seconds
    print(
        f"  check-jsonschema at {opts.cjs_size} reps: {run.seconds:.2f} s (exit {run.exit_code})",
        file=sys.stderr,
    )
    return {
        "reps": opts.cjs_size,
        "seconds": run.seconds,
        "exit_code": run.exit_code,
        "planc_s": planc_s,
        "ratio": run.seconds / planc_s,
        "max_rss": run.max_rss,
    }


def bench_help(opts: Options) -> float:
    return best_of([*opts.planc, "--help"], opts.help_runs).seconds


# --------------------------------------------------------------------------- report


def targets(
    sizes: list[SizeResult],
    errors: dict[str, Any] | None,
    cjs: dict[str, Any] | None,
    help_s: float,
) -> list[Target]:
    by_size = {s.reps: s for s in sizes}
    out: list[Target] = []
    for reps in (10_000, 50_000):
        s = by_size.get(reps)
        out.append(
            Target(
                f"planc/floor at {reps:,}",
                f"{s.ratio:.2f}" if s else "not run",
                "<= 1.5",
                s.ratio <= 1.5 if s else None,
            )
        )
    if cjs and "ratio" in cjs:
        out.append(
            Target(
                f"check-jsonschema/planc at {cjs['reps']:,}",
                f"{cjs['ratio']:.1f}",
                ">= 6",
                cjs["ratio"] >= 6,
            )
        )
    else:
        note = (cjs or {}).get("skipped", "not run")
        out.append(Target("check-jsonschema/planc at 10,000", note, ">= 6", None))
    big = by_size.get(50_000)
    out.append(
        Target(
            "peak RSS at 50,000",
            f"{big.max_rss / GiB:.2f} GiB" if big else "not run",
            "< 1.5 GiB",
            big.max_rss < 1.5 * GiB if big else None,
        )
    )
    if errors:
        out.append(
            Target(
                f"{errors['injected']} errors / clean at {errors['reps']:,}",
                f"{errors['ratio']:.2f}",
                "<= 2",
                errors["ratio"] <= 2,
            )
        )
    out.append(Target("planc --help", f"{help_s:.3f} s", "< 0.3 s", help_s < 0.3))
    for s in sizes:
        if s.reps <= 1000:
            clean = s.errors == 0 and s.warnings == 0
            out.append(
                Target(
                    f"clean plan at {s.reps:,}: diagnostics",
                    f"{s.errors} errors, {s.warnings} warnings",
                    "0 and 0",
                    clean,
                )
            )
    return out


def verdict(ok: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: "n/a"}[ok]


def report(res: Results, planc: list[str]) -> str:
    sizes, errors, cjs, help_s = res.sizes, res.errors, res.cjs, res.help_s
    lines = [
        f"## planc check benchmark ({' '.join(planc)}; Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs)",
        "",
        "| reps | files | MB | bytes/rep | floor s | planc s | planc/floor | peak RSS MiB "
        "| exit | errors | warnings |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {s.reps:,} | {s.files} | {s.bytes / 1e6:.1f} | {s.bytes / s.reps:,.0f} "
        f"| {s.floor_s:.3f} | {s.planc_s:.3f} | {s.ratio:.2f} | {s.max_rss / 2**20:,.0f} "
        f"| {s.exit_code} | {s.errors} | {s.warnings} |"
        for s in sizes
    ]
    lines.append("")
    if errors:
        lines.append(
            f"Injected errors at {errors['reps']:,} reps: {errors['injected']} injected, "
            f"planc found {errors['found_errors']} errors and {errors['found_warnings']} warnings "
            f"in {errors['errors_s']:.3f} s (clean plan {errors['clean_s']:.3f} s). "
            f"Codes: {', '.join(f'{c} x{n}' for c, n in errors['codes'].items())}."
        )
    if cjs and "seconds" in cjs:
        lines.append(
            f"check-jsonschema at {cjs['reps']:,} reps: {cjs['seconds']:.2f} s "
            f"(exit {cjs['exit_code']}), planc {cjs['planc_s']:.3f} s."
        )
    elif cjs:
        lines.append(f"check-jsonschema: skipped ({cjs['skipped']}).")
    lines += [
        f"planc --help: {help_s:.3f} s.",
        "",
        "| target | measured | goal | |",
        "|---|---|---|---|",
    ]
    lines += [f"| {t.name} | {t.measured} | {t.goal} | {verdict(t.ok)} |" for t in res.targets]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, Options]:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="100,1000,10000,50000", help="reps per plan, comma-separated")
    p.add_argument(
        "--runs",
        type=int,
        default=None,
        help=f"best of R runs (default 3, and 1 from {BIG:,} reps)",
    )
    p.add_argument("--errors", type=int, default=100, help="errors to inject (0: skip)")
    p.add_argument("--errors-size", type=int, default=10_000, help="plan size for the error run")
    p.add_argument(
        "--cjs-size", type=int, default=10_000, help="plan size for check-jsonschema (0: skip)"
    )
    p.add_argument("--cjs-runs", type=int, default=1, help="best of R check-jsonschema runs")
    p.add_argument("--help-runs", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--planc", help="planc command (default: python -m planc)")
    p.add_argument("--workdir", type=Path, help="keep generated plans here (default: a temp dir)")
    p.add_argument("--json", type=Path, help="also write the results as JSON")
    args = p.parse_args(argv)
    command = planc_command(args.planc)
    if command is None:
        p.error("planc is not installed: pip install -e . (or pass --planc)")
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    opts = Options(
        sizes,
        args.runs,
        args.errors,
        args.errors_size,
        args.cjs_size,
        args.cjs_runs,
        args.help_runs,
        args.seed,
        command,
        args.workdir or Path(),
    )
    return args, opts


def benchmark(opts: Options) -> dict[str, Any]:
    print(f"benchmarking {' '.join(opts.planc)} in {opts.work}", file=sys.stderr)
    sizes = [bench_size(opts, n) for n in opts.sizes]
    by_size = {s.reps: s for s in sizes}
    errors = bench_errors(opts, by_size.get(opts.errors_size)) if opts.errors else None
    cjs = None
    if opts.cjs_size:
        clean = by_size.get(opts.cjs_size)
        cjs = bench_cjs(opts, clean.planc_s if clean else None)
    help_s = bench_help(opts)
    res = Results(sizes, errors, cjs, help_s, targets(sizes, errors, cjs, help_s))
    print(report(res, opts.planc))
    return {
        "planc": opts.planc,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        **asdict(res),
    }


def main(argv: list[str] | None = None) -> int:
    args, opts = parse_args(argv)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        results = benchmark(opts)
    else:
        with tempfile.TemporaryDirectory(prefix="planc-bench-") as tmp:
            opts.work = Path(tmp)
            results = benchmark(opts)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
