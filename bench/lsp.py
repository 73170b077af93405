"""planc lsp: diagnostics after a one-character edit, through a real client over stdio (#17).

    python bench/lsp.py [--sizes 2000,10000] [--runs 5] [--workdir DIR] [--json FILE]
                        [--editor] [--pause SECONDS] [--errors N]

For each size it generates a plan (bench/generate.py), starts ``planc lsp`` as
an editor would (tests/lspclient.py: JSON-RPC over the process's stdin and
stdout), opens the first region file and waits for its diagnostics (cold). Then,
``--runs`` times, it changes one digit of a rep's month in that file (an
incremental ``didChange`` of one character, so one more PLC303 appears) and
measures the time from sending the ``didChange`` to receiving
``publishDiagnostics`` for that version of the file. Every edit is to another
rep of another team, and no edit is undone: the server never sees the same
bytes twice, so no edit is answered from a result it kept (an undo would be).
Any debounce of the server is part of what is measured, and so, on a shared
machine, is the time other processes hold the CPU: the server's own CPU time
per edit (user + system, every thread, from /proc) is printed beside it, and
the server's own account of where the time went (``$/planc/timings``, asked
for with the ``timings`` initialization option) below the table.

``--editor`` also asks, right after each edit, what VS Code asks as the cursor
moves and the outline follows: ``textDocument/codeAction`` at the edit and
``textDocument/documentSymbol`` of the file (answered or not, the time measured is
still the one to the diagnostics). ``--pause`` sets the time between one edit's
diagnostics and the next edit (0.2 s; a pause over 0.5 s lets the server rebuild the
model those questions read, which a keystroke then may wait for).

Floors, measured in this process on the same edited bytes (best of R):

- **compose**: libyaml's C composer on the edited region file alone: the least
  any server must do to read the edit again;
- **frontend**: ``core.frontend.Frontend.compile`` of the whole plan after the
  edit, warm (every other file's unit kept): planc's own incremental compile
  without LSP, which the server runs once per edit.

Goals (issue #17): under 200 ms at 2,000 reps, under 1 s at 10,000 reps.
It always exits 0: it is a report, not a test. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "tests"))

from lspclient import LspClient  # noqa: E402

GOALS = {2000: 0.2, 10000: 1.0}
MONTHS = re.compile(r"months: \[(\d+)")
REP = re.compile(r"^ +- rep: ", re.MULTILINE)
TEAM = re.compile(r"^    - id: ", re.MULTILINE)  # a team of the region file
COUNTS = ("regions_", "teams_", "files_")  # phases of $/planc/timings that are counts


@dataclass
class SizeRun:
    reps: int
    region_bytes: int
    cold_s: float = 0.0
    edits_s: list[float] = field(default_factory=list)
    edits_cpu_s: list[float] = field(default_factory=list)  # the server's CPU time per edit
    compose_s: float = 0.0
    frontend_s: float = 0.0
    frontend_cpu_s: float = 0.0
    phases: list[dict[str, float]] = field(default_factory=list)  # the server's, per edit

    @property
    def median_s(self) -> float:
        return _median(self.edits_s)

    @property
    def median_cpu_s(self) -> float:
        return _median(self.edits_cpu_s)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, every thread (Linux /proc; 0 elsewhere).

    On a shared machine the wall time of an edit counts the time other
    processes held the CPU; the server's own CPU time does not."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def generate(reps: int, out: Path, errors: int = 0) -> None:
    subprocess.run(
        [
            sys.executable,
            str(BENCH / "generate.py"),
            str(reps),
            str(out),
            "--seed",
            "17",
            *(["--errors", str(errors)] if errors else []),
        ],
        check=True,
        capture_output=True,
    )


def digit_edits(text: str, count: int) -> list[tuple[int, int, str, str]]:
    """(line, column, old digit, new digit): the first digit of the first month of ``count``
    reps, each in another team, spread over the file (never the region's own numbers)."""
    teams = [m.start() for m in TEAM.finditer(text)]
    assert len(teams) >= count, "fewer teams than edits"
    step = len(teams) // count
    edits = []
    for k in range(count):
        team = teams[step * k + step // 2]
        rep = REP.search(text, team)
        match = MONTHS.search(text, rep.end()) if rep else None
        assert match is not None, "no rep with a months list"
        index = match.start(1)
        line = text.count("\n", 0, index)
        column = index - (text.rfind("\n", 0, index) + 1)
        old = text[index]
        edits.append((line, column, old, "1" if old != "1" else "2"))
    return edits


def _apply(text: str, edits: list[tuple[int, int, str, str]]) -> str:
    lines = text.split("\n")
    for line, column, _, new in edits:
        lines[line] = lines[line][:column] + new + lines[line][column + 1 :]
    return "\n".join(lines)


def floors(plan: Path, region: Path, edited: str, runs: int) -> tuple[float, float, float]:
    from planc.checks import run_checks
    from planc.core.composer import compose_nodes
    from planc.core.frontend import Frontend
    from planc.core.pipeline import read_directory
    from planc.core.source import SourceFile

    data = edited.encode("utf-8")
    compose = []
    for _ in range(runs):
        gc.disable()
        started = time.perf_counter()
        compose_nodes(data)
        compose.append(time.perf_counter() - started)
        gc.enable()
    sources, problems = read_directory(plan)
    frontend = Frontend(run_checks, workers=1)
    frontend.compile(str(plan), sources, problems)
    name = str(region.relative_to(Path.cwd())) if region.is_relative_to(Path.cwd()) else str(region)
    compiled, cpu = [], []
    for run in range(runs):
        text = edited if run % 2 == 0 else region.read_text(encoding="utf-8")
        changed = [SourceFile(s.path, text.encode()) if s.path == name else s for s in sources]
        if run:
            frontend.compile(str(plan), changed, problems)  # warm: only this file is new
        started, started_cpu = time.perf_counter(), time.process_time()
        frontend.compile(str(plan), changed, problems)
        compiled.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return min(compose), min(compiled), min(cpu)


def _editor_requests(client: LspClient, uri: str, line: int, column: int) -> None:
    """What an editor asks while the user types: quick fixes here, the outline."""
    where = {"line": line, "character": column}
    for method, params in (
        (
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": {"start": where, "end": where},
                "context": {"diagnostics": []},
            },
        ),
        ("textDocument/documentSymbol", {"textDocument": {"uri": uri}}),
    ):
        threading.Thread(
            target=_ask, args=(client, method, params), daemon=True, name=method
        ).start()


def _ask(client: LspClient, method: str, params: Any) -> None:
    with contextlib.suppress(Exception):  # an answer the bench does not time
        client.request(method, params, timeout=900)


def measure(
    reps: int,
    work: Path,
    runs: int,
    editor: bool = False,
    pause: float = 0.2,
    errors: int = 0,
) -> SizeRun:
    plan = work / f"plan-{reps}"
    generate(reps, plan, errors)
    region = sorted((plan / "regions").glob("*.yaml"))[0]
    text = region.read_text(encoding="utf-8")
    result = SizeRun(reps, len(text.encode("utf-8")))
    client = LspClient(plan, initialization_options={"timings": True})
    edits = digit_edits(text, runs)
    try:
        started = time.perf_counter()
        uri = client.open(region)
        before = len(client.diagnostics(uri, timeout=900, version=1))
        result.cold_s = time.perf_counter() - started
        for line, column, _, new in edits:
            time.sleep(pause)  # a pause, as between two numbers typed by hand
            cpu = cpu_seconds(client.process.pid)
            mark = client.mark()
            started = time.perf_counter()
            client.change(uri, new, (line, column), (line, column + 1))
            version = client.versions[uri]
            if editor:
                _editor_requests(client, uri, line, column)
            found = client.diagnostics(uri, timeout=900, after=mark, version=version)
            result.edits_s.append(time.perf_counter() - started)
            result.edits_cpu_s.append(cpu_seconds(client.process.pid) - cpu)
            # the edit did reach the checks: one more finding, on the edited line
            assert len(found) > before, found
            assert any(d["range"]["start"]["line"] == line for d in found), found
            before = len(found)
            _, _, timing = client.wait_for(
                lambda m, v=version: (
                    m.get("method") == "$/planc/timings" and m["params"]["version"] == v
                ),
                timeout=60,
                after=mark,
            )
            result.phases.append(timing["params"]["phases"])
    finally:
        client.shutdown()
    result.compose_s, result.frontend_s, result.frontend_cpu_s = floors(
        plan, region, _apply(text, edits[:1]), min(runs, 3)
    )
    return result


def report(sizes: list[SizeRun]) -> str:
    lines = [
        "planc lsp: didChange (one character in a region file) → publishDiagnostics, "
        "through a real client over stdio; floors in this process.",
        "",
        "| reps | region file | cold open | first edit | edit → diagnostics (median) | best | "
        "server CPU per edit | floor: compose | floor: frontend (CPU) | ratio to frontend (CPU) "
        "| goal | |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in sizes:
        goal = GOALS.get(s.reps)
        verdict = "" if goal is None else ("met" if s.median_s < goal else "NOT MET")
        lines.append(
            f"| {s.reps:,} | {s.region_bytes / 1e6:.1f} MB | {s.cold_s:.2f} s | "
            f"{s.edits_s[0] * 1000:.0f} ms | {s.median_s * 1000:.0f} ms | {min(s.edits_s) * 1000:.0f} ms | "
            f"{s.median_cpu_s * 1000:.0f} ms | "
            f"{s.compose_s * 1000:.0f} ms | {s.frontend_s * 1000:.0f} ms "
            f"({s.frontend_cpu_s * 1000:.0f} ms) | {s.median_s / s.frontend_s:.2f}x "
            f"({s.median_cpu_s / s.frontend_cpu_s:.2f}x) | "
            f"{'' if goal is None else f'< {goal * 1000:.0f} ms'} | {verdict} |"
        )
    for s in sizes:
        names = sorted({name for phases in s.phases for name in phases})
        medians = {n: _median([p.get(n, 0.0) for p in s.phases]) for n in names}
        said = ", ".join(
            f"{n} {v:.0f}" if n.startswith(COUNTS) else f"{n} {v * 1000:.0f} ms"
            for n, v in medians.items()
        )
        lines.append(f"\nserver's own account at {s.reps:,} reps (medians): {said}")
        each = " / ".join(
            f"{wall * 1000:.0f} ({cpu * 1000:.0f})"
            for wall, cpu in zip(s.edits_s, s.edits_cpu_s, strict=True)
        )
        lines.append(f"each edit at {s.reps:,} reps, ms wall (server CPU): {each}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,10000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--editor", action="store_true", help="also ask code actions and the outline per edit"
    )
    parser.add_argument(
        "--pause",
        type=float,
        default=0.2,
        help="seconds between the diagnostics of one edit and the next edit (default 0.2; "
        "with --editor, more than 0.5 lets the server rebuild the model the features read)",
    )
    parser.add_argument(
        "--errors",
        type=int,
        default=0,
        help="findings generated into the plan (bench/generate.py --errors): an edit then "
        "places and hints many findings it did not change (default 0: a clean plan)",
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)  # a scratch folder the user names
    with tempfile.TemporaryDirectory(dir=args.workdir) as temporary:
        found = [
            measure(reps, Path(temporary), args.runs, args.editor, args.pause, args.errors)
            for reps in sizes
        ]
    print(report(found))
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if args.json:
        args.json.write_text(json.dumps([asdict(s) for s in found], indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
