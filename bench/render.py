"""Benchmark ``planc render`` against an in-run floor: the same templates on the same data.

    python bench/render.py [--sizes 1000,10000] [--runs R] [--json FILE]

For each size it generates a plan (bench/generate.py), checks it once (not
timed as render), then measures, best of R:

- floor: every page's view model built beforehand, then only
  ``template.render(context)`` for each page, output discarded: rendering the
  same templates with the same data and nothing else;
- planc: ``planc.site.render.render_site`` as ``planc render`` calls it: building
  the view models from the plan, rendering, writing every file into a folder
  beside --out and swapping it in.

and, once, the whole command (``python -m planc render``: start, check,
render) for scale. It prints a markdown report; the target is a 10,000-rep
site within 2x the floor. It always exits 0: it is a report, not a test.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
TARGET_SIZE = 10_000
TARGET_RATIO = 2.0


@dataclass
class SizeResult:
    reps: int
    pages: int
    site_bytes: int
    check_s: float
    floor_s: float
    planc_s: float
    ratio: float
    command_s: float


def timed(work: Callable[[], None]) -> float:
    """Wall time of ``work`` with the garbage collector paused (planc pauses it to render)."""
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        work()
        return time.perf_counter() - started
    finally:
        gc.enable()


def measure(reps: int, workdir: Path, sitedir: Path, runs: int, seed: int) -> SizeResult:
    from planc.checks import check_directory
    from planc.site.render import RenderOptions, build_pages, environment, render_site

    plan_dir = workdir / f"plan-{reps}" / "2027-Q1"
    subprocess.run(
        [sys.executable, str(BENCH / "generate.py"), str(reps), str(plan_dir), "--seed", str(seed)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    started = time.perf_counter()
    result = check_directory(plan_dir)
    check_s = time.perf_counter() - started
    if result.plan is None or result.has_errors:
        raise SystemExit(f"the generated {reps}-rep plan does not check clean")
    options = RenderOptions()

    env = environment()
    pages = list(build_pages(result, options))
    templates = {name: env.get_template(name) for name in {p.template for p in pages}}

    def floor() -> None:
        for page in pages:
            templates[page.template].render(page.context)

    out = sitedir / f"site-{reps}"

    def clear() -> None:
        shutil.rmtree(out, ignore_errors=True)

    def planc() -> None:
        render_site(result, out, options)

    # Interleaved, best of R each: a machine busy with something else slows both alike.
    floor_s = planc_s = float("inf")
    for _ in range(runs):
        floor_s = min(floor_s, timed(floor))
        clear()
        planc_s = min(planc_s, timed(planc))
    site_bytes = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    page_count = sum(1 for p in out.rglob("*.html"))
    clear()

    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "planc", "render", str(plan_dir), "--out", str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    command_s = time.perf_counter() - started
    clear()
    return SizeResult(
        reps=reps,
        pages=page_count,
        site_bytes=site_bytes,
        check_s=check_s,
        floor_s=floor_s,
        planc_s=planc_s,
        ratio=planc_s / floor_s,
        command_s=command_s,
    )


def report(results: list[SizeResult]) -> str:
    lines = [
        "| reps | pages | site MiB | floor s | planc render s | render/floor | whole command s |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.reps:,} | {r.pages:,} | {r.site_bytes / 2**20:.1f} | {r.floor_s:.3f} "
            f"| {r.planc_s:.3f} | {r.ratio:.2f} | {r.command_s:.2f} |"
        )
    target = [r for r in results if r.reps == TARGET_SIZE]
    if target:
        verdict = "PASS" if target[0].ratio <= TARGET_RATIO else "FAIL"
        lines.append("")
        lines.append(
            f"Target: a {TARGET_SIZE:,}-rep site within {TARGET_RATIO:g}x the floor: "
            f"{target[0].ratio:.2f}x, {verdict}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="reps per plan, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="best of R runs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="keep plans here (default: a temp dir)")
    parser.add_argument(
        "--site-dir", type=Path, help="write the sites under here (default: /dev/shm if present)"
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="planc-render-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    # Sites go to memory (tmpfs) when the machine has it: creating 10,000 files on a
    # virtual disk costs anywhere from 0.5 to 12 s depending on what else the disk is
    # doing, which would measure the disk, not planc.
    shm = Path("/dev/shm")
    base = args.site_dir or (shm if shm.is_dir() and os.access(shm, os.W_OK) else workdir)
    sitedir = Path(tempfile.mkdtemp(prefix="planc-render-sites-", dir=base))
    try:
        results = []
        for reps in sizes:
            print(f"measuring {reps:,} reps ...", file=sys.stderr)
            results.append(measure(reps, workdir, sitedir, args.runs, args.seed))
        print(report(results))
        print(f"\nSites written under {base}.")
        if args.json:
            args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    finally:
        shutil.rmtree(sitedir, ignore_errors=True)
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
