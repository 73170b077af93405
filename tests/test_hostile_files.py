"""Hostile files through the real CLI: nothing deleted, hung, leaked or left behind.

Each class is one promise of issue #11 (part A): render deletes only its own
pages, unusable output paths are usage errors naming the path, only regular
files are read (and never past the bound), links that leave the plan folder
are refused without a byte of the target printed, written files get the
usual modes, and a killed render leaves nothing the next one does not clean.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, Run, run_planc

CRM_PLAN = REPO / "plans" / "2017-Q3"
CRM_EXPORT = REPO / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_pipeline.csv"


def no_traceback(result: Run) -> Run:
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stderr
    return result


def rendered_site(tmp_path: Path, plan: Path) -> Path:
    site = tmp_path / "site"
    result = no_traceback(run_planc("render", plan, "--out", site))
    assert result.code == 0, result.stderr
    return site


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (links as their target, marked)."""
    found: dict[str, bytes] = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            key = path.relative_to(folder).as_posix()
            found[key] = (
                b"-> " + os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
            )
    return found


class TestRenderDeletesOnlyItsOwnPages:
    """The .planc-site marker is untrusted: a line that is not a page planc writes is refused,
    and then nothing at all is deleted, inside the site or outside it."""

    @pytest.mark.parametrize(
        "line",
        [
            "../victim.txt",
            "{victim}",
            "regions/../../victim.txt",
            "reps/../../victim.txt",
            "regions/./north.html/../../../victim.txt",
            "index.html/../../victim.txt",
        ],
        ids=[
            "parent",
            "absolute",
            "dotdot-in-folder",
            "dotdot-in-reps",
            "dot-segment",
            "through-a-page",
        ],
    )
    def test_a_line_outside_the_site_is_refused(
        self, tmp_path: Path, mini_plan: Path, line: str
    ) -> None:
        site = rendered_site(tmp_path, mini_plan)
        victim = tmp_path / "victim.txt"
        victim.write_text("keep me\n")
        with (site / ".planc-site").open("a") as marker:
            marker.write(line.format(victim=victim) + "\n")
        before = tree(site)
        result = no_traceback(run_planc("render", mini_plan, "--out", site))
        assert result.code == 2
        assert ".planc-site was changed by hand" in result.stderr
        assert "nothing was deleted" in result.stderr
        assert victim.read_text() == "keep me\n"
        assert tree(site) == before

    def test_a_marker_without_planc_header_is_refused(
        self, tmp_path: Path, mini_plan: Path
    ) -> None:
        site = rendered_site(tmp_path, mini_plan)
        (site / ".planc-site").write_text("index.html\n")
        before = tree(site)
        result = no_traceback(run_planc("render", mini_plan, "--out", site))
        assert result.code == 2
        assert "header" in result.stderr
        assert tree(site) == before

    def test_a_listed_page_that_is_a_link_is_not_followed(
        self, tmp_path: Path, mini_plan: Path
    ) -> None:
        site = rendered_site(tmp_path, mini_plan)
        victim = tmp_path / "victim.txt"
        victim.write_text("keep me\n")
        (site / "index.html").unlink()
        (site / "index.html").symlink_to(victim)
        result = no_traceback(run_planc("render", mini_plan, "--out", site))
        assert result.code == 2
        assert "index.html" in result.stderr
        assert victim.read_text() == "keep me\n"
        assert (site / "index.html").is_symlink()

    def test_a_listed_folder_that_is_a_link_is_not_followed(
        self, tmp_path: Path, mini_plan: Path
    ) -> None:
        site = rendered_site(tmp_path, mini_plan)
        elsewhere = tmp_path / "elsewhere"
        shutil.move(site / "reps", elsewhere)
        (site / "reps").symlink_to(elsewhere, target_is_directory=True)
        before = tree(elsewhere)
        result = no_traceback(run_planc("render", mini_plan, "--out", site))
        assert result.code == 2
        assert "reps/" in result.stderr
        assert tree(elsewhere) == before

    def test_an_honest_site_is_replaced(self, tmp_path: Path, mini_plan: Path) -> None:
        """The near miss: an untouched marker (and a page already gone) re-renders."""
        site = rendered_site(tmp_path, mini_plan)
        neighbour = tmp_path / "victim.txt"
        neighbour.write_text("keep me\n")
        first = sorted(tree(site))
        next(site.glob("reps/*.html")).unlink()
        result = no_traceback(run_planc("render", mini_plan, "--out", site))
        assert result.code == 0, result.stderr
        assert sorted(tree(site)) == first
        assert neighbour.read_text() == "keep me\n"
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []


# --- unusable output paths -------------------------------------------------------------------


def _writers(tmp_path: Path) -> dict[str, tuple[str, ...]]:
    """Every command that writes a file, with the option that names it (``{out}`` below)."""
    plan = str(tmp_path / "2027-Q1")
    return {
        "check": ("check", plan, "--output", "{out}"),
        "diff": ("diff", plan, "--base", plan, "--head", plan, "--output", "{out}"),
        "export": ("export", plan, "--out", "{out}"),
        "track": ("track", str(CRM_PLAN), "--actuals", str(CRM_EXPORT), "--output", "{out}"),
        "codeowners": ("codeowners", plan, "--output", "{out}"),
        "propose": ("propose", plan, "--body-file", "{out}"),
        "render": ("render", plan, "--out", "{out}"),
    }


WRITERS = ["check", "diff", "export", "track", "codeowners", "propose", "render"]


def _run_writer(tmp_path: Path, command: str, out: Path) -> Run:
    args = [a.replace("{out}", str(out)) for a in _writers(tmp_path)[command]]
    return no_traceback(run_planc(*args, cwd=tmp_path))


class TestUnusableOutputPaths:
    """--output/--out that cannot be written: exit 2 before any work, naming the path."""

    @pytest.mark.parametrize("command", [c for c in WRITERS if c != "render"])
    def test_a_folder(self, tmp_path: Path, mini_plan: Path, command: str) -> None:
        out = tmp_path / "reports"
        out.mkdir()
        result = _run_writer(tmp_path, command, out)
        assert result.code == 2, result.stderr
        assert f"{out} is a folder" in result.stderr
        assert list(out.iterdir()) == []

    @pytest.mark.parametrize("command", WRITERS)
    def test_under_a_file(self, tmp_path: Path, mini_plan: Path, command: str) -> None:
        blocker = tmp_path / "notes.txt"
        blocker.write_text("mine\n")
        out = blocker / "deeper" / "report.out"
        result = _run_writer(tmp_path, command, out)
        assert result.code == 2, result.stderr
        assert str(out) in result.stderr
        assert f"{blocker}, which is a file" in result.stderr
        assert blocker.read_text() == "mine\n"

    def test_render_into_a_file(self, tmp_path: Path, mini_plan: Path) -> None:
        out = tmp_path / "site"
        out.write_text("mine\n")
        result = _run_writer(tmp_path, "render", out)
        assert result.code == 2
        assert f"{out} is a file; give a folder" in result.stderr
        assert out.read_text() == "mine\n"

    @pytest.mark.parametrize("command", WRITERS)
    def test_a_read_only_folder(self, tmp_path: Path, mini_plan: Path, command: str) -> None:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        out = locked / ("site" if command == "render" else "report.out")
        args = [a.replace("{out}", str(out)) for a in _writers(tmp_path)[command]]
        result = no_traceback(_run_bound_by_modes(args, tmp_path))
        assert result.code == 2, result.stderr
        assert f"{out}: the folder {locked} is read-only for you" in result.stderr
        assert list(locked.iterdir()) == []

    @pytest.mark.parametrize("command", ["check", "export", "track"])
    def test_a_usable_path_is_written(self, tmp_path: Path, mini_plan: Path, command: str) -> None:
        """The near miss: a new file in a folder that does not exist yet."""
        out = tmp_path / "new" / "folder" / "report.out"
        result = _run_writer(tmp_path, command, out)
        assert result.code in (0, 1), result.stderr
        assert out.is_file() and out.stat().st_size > 0


# Root ignores file modes through two capabilities; without them it is bound like anyone.
_AS_ROOT_BOUND_BY_MODES = (
    "setpriv",
    "--inh-caps=-dac_override,-dac_read_search",
    "--bounding-set=-dac_override,-dac_read_search",
    "--",
)


def _run_bound_by_modes(args: list[str], cwd: Path) -> Run:
    """The real CLI as a process that file modes bind (root, when root, without its override)."""
    prefix = _AS_ROOT_BOUND_BY_MODES if os.geteuid() == 0 else ()
    completed = subprocess.run(
        [*prefix, sys.executable, "-m", "planc", *args],
        cwd=cwd,
        env={k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)
