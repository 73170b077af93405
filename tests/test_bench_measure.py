"""bench/measure.py's launcher: ``--no-sample`` measures a command without the memory sampler."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

MEASURE = Path(__file__).resolve().parents[1] / "bench" / "measure.py"
QUICK = [sys.executable, "-c", "import sys; sys.exit(3)"]


def _launch(tmp_path: Path, *flags: str) -> dict[str, float]:
    result = tmp_path / "result.json"
    done = subprocess.run(
        [sys.executable, str(MEASURE), str(result), *flags, "--", *QUICK],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    numbers: dict[str, float] = json.loads(result.read_text(encoding="utf-8"))
    return numbers


def test_no_sample_measures_the_command_and_leaves_the_tree_figures_at_zero(
    tmp_path: Path,
) -> None:
    numbers = _launch(tmp_path, "--no-sample")
    assert numbers["exit_code"] == 3
    assert numbers["seconds"] > 0
    assert numbers["max_rss"] > 0
    assert numbers["tree_pss"] == numbers["tree_rss"] == numbers["tree_processes"] == 0


def test_sampling_stays_the_default(tmp_path: Path) -> None:
    numbers = _launch(tmp_path)
    assert numbers["exit_code"] == 3
    assert set(numbers) >= {"tree_pss", "tree_rss", "tree_processes"}


@pytest.mark.parametrize(
    "flags", [["--no-sample"], ["--no-sample", "--sample", "--"], ["--other", "--"]]
)
def test_a_command_line_of_another_shape_is_refused_with_the_usage(
    tmp_path: Path, flags: list[str]
) -> None:
    args = [sys.executable, str(MEASURE), str(tmp_path / "result.json"), *flags]
    done = subprocess.run([*args, *QUICK[:1]], capture_output=True, text=True, check=False)
    assert done.returncode != 0
    assert "measure.py RESULT.json" in done.stderr
    assert not (tmp_path / "result.json").exists()
