"""Hostile files through the real CLI: nothing deleted, hung, leaked or left behind.

Each class is one promise of issue #11 (part A): render deletes only its own
pages, unusable output paths are usage errors naming the path, only regular
files are read (and never past the bound), links that leave the plan folder
are refused without a byte of the target printed, written files get the
usual modes, and a killed render leaves nothing the next one does not clean.
"""

from __future__ import annotations

import csv
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINI, REPO, Run, run_planc

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


def test_the_old_site_loses_only_its_own_regular_pages(tmp_path: Path) -> None:
    """What the render deletes of the folder it moved aside (after the swap): the listed
    pages that are regular files, in folders that are not links; nothing else."""
    from planc.site.render import SITE_MARKER, _remove_pages

    old = tmp_path / ".site.0.old"
    for folder in ("reps", "teams", "regions"):
        (old / folder).mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "t1.html").write_text("keep\n")
    (old / "regions").rmdir()
    (old / "regions").symlink_to(elsewhere, target_is_directory=True)  # a folder swapped
    victim = tmp_path / "victim.html"
    victim.write_text("keep\n")
    (old / "reps" / "r2.html").symlink_to(victim)  # a listed page that is a link
    for name in ("index.html", "reps/r1.html", "teams/t1.html", SITE_MARKER):
        (old / name).write_text("page\n")
    (old / "reps" / "notes.txt").write_text("mine\n")  # added meanwhile, not listed
    listed = ["index.html", "reps/r1.html", "reps/r2.html", "teams/t1.html", "regions/t1.html"]
    listed += ["../victim.html", "reps/../../victim.html"]  # never names planc writes
    _remove_pages(old, listed)
    assert sorted(p.relative_to(old).as_posix() for p in old.rglob("*")) == [
        "regions",
        "reps",
        "reps/notes.txt",
        "reps/r2.html",
    ]
    assert (old / "reps" / "r2.html").is_symlink() and victim.read_text() == "keep\n"
    assert (elsewhere / "t1.html").read_text() == "keep\n"


def test_the_old_pages_linked_are_regular_files_as_recorded(tmp_path: Path) -> None:
    """What begin_render's child links into the new folder: a page as recorded (bytes and
    mode), never a link, nor a page of a folder that is a link (even one planted after the
    site was checked), nor a page whose bytes changed; nothing else is left in the folder."""
    from planc.core.files import new_file_mode
    from planc.site.render import _link_checked
    from planc.site.reuse import content_digest

    out, building, elsewhere = tmp_path / "site", tmp_path / "new", tmp_path / "elsewhere"
    for folder in ("reps", "teams", "regions"):
        (out / folder).mkdir(parents=True)
        (building / folder).mkdir(parents=True)
    elsewhere.mkdir()
    mode = new_file_mode()
    pages = {
        "reps/a.html": b"a\n",
        "reps/b.html": b"b\n",
        "teams/t.html": b"t\n",
        "regions/r.html": b"r\n",
    }
    for name, data in pages.items():
        (out / name).write_bytes(data)
        (out / name).chmod(mode)
    (elsewhere / "r.html").write_bytes(b"r\n")
    (elsewhere / "r.html").chmod(mode)
    shutil.rmtree(out / "regions")
    (out / "regions").symlink_to(elsewhere, target_is_directory=True)  # planted later
    (out / "reps" / "b.html").write_bytes(b"changed\n")
    (out / "teams" / "t.html").unlink()
    (out / "teams" / "t.html").symlink_to(out / "reps" / "a.html")
    chosen = sorted((name, content_digest(data)) for name, data in pages.items())
    linked = _link_checked(str(out), str(building), chosen, mode)
    assert linked == {"reps/a.html": content_digest(b"a\n")}
    assert sorted(p.relative_to(building).as_posix() for p in building.rglob("*.html")) == [
        "reps/a.html"
    ]
    assert (building / "reps" / "a.html").samefile(out / "reps" / "a.html")


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

    def test_init_in_a_read_only_plans_folder(self, tmp_path: Path) -> None:
        plans = tmp_path / "plans"
        shutil.copytree(MINI, plans / "2027-Q1")
        plans.chmod(0o555)
        result = no_traceback(
            _run_bound_by_modes(["init", "2027-Q2", "--from", "2027-Q1"], tmp_path)
        )
        plans.chmod(0o755)
        assert result.code == 2, result.stderr
        assert f"plans/2027-Q2: the folder {plans} is read-only for you" in result.stderr
        assert sorted(p.name for p in plans.iterdir()) == ["2027-Q1"]

    def test_import_into_a_read_only_plans_folder(self, tmp_path: Path) -> None:
        plans = tmp_path / "plans"
        plans.mkdir()
        plans.chmod(0o555)
        args = [
            "import",
            str(plans / "2017-Q4"),
            "--roster",
            str(REPO / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_teams.csv"),
            "--quotas",
            str(REPO / "examples" / "quotas-2017-Q4.csv"),
            *("--owner", "Alex Morgan", "--company", "CRM sample company"),
        ]
        result = no_traceback(_run_bound_by_modes(args, tmp_path))
        plans.chmod(0o755)
        assert result.code == 2, result.stderr
        assert f"cannot create {plans / '2017-Q4'}: Permission denied" in result.stderr
        assert list(plans.iterdir()) == []

    @pytest.mark.parametrize("command", WRITERS)
    def test_an_empty_path(self, tmp_path: Path, mini_plan: Path, command: str) -> None:
        """``-o "$UNSET"`` is ``-o ""``: Path("") is ".", the folder planc runs in; refused."""
        before = tree(tmp_path)
        args = [a.replace("{out}", "") for a in _writers(tmp_path)[command]]
        result = no_traceback(run_planc(*args, cwd=tmp_path))
        assert result.code == 2, result.stderr
        kind = "a folder" if command == "render" else "a file name"
        assert f"the path is empty; give {kind}" in result.stderr
        assert tree(tmp_path) == before

    @pytest.mark.parametrize(
        "args",
        [
            ("check", "{plan}", "--cache-dir", ""),
            ("check", ""),
            ("track", str(CRM_PLAN), "--actuals", ""),
            ("track", str(CRM_PLAN), "--actuals", str(CRM_EXPORT), "--accounts", ""),
            ("render", str(CRM_PLAN), "--out", "{site}", "--actuals", ""),
            ("init", "2027-Q2", "--from", ""),
            ("init", "2027-Q2", "--from", "2027-Q1", "--plans", ""),
            ("init", "2027-Q2", "--from", "2027-Q1", "--plans", "{plans}", "--actuals", ""),
            ("import", "", "--roster", "r.csv", "--quotas", "q.csv"),
            ("diff", "{plan}", "--base", ""),
            ("diff", "{plan}", "--base", "{plan}", "--head", ""),
            ("diff", "{plan}", "--base", "{plan}", "--approved", ""),
            ("check", "{plan}", "--base", ""),
        ],
        ids=[
            "cache-dir",
            "plan-folder",
            "actuals",
            "accounts",
            "render-actuals",
            "init-from",
            "init-plans",
            "init-actuals",
            "import-folder",
            "diff-base",
            "diff-head",
            "diff-approved",
            "check-base",
        ],
    )
    def test_an_empty_path_anywhere(
        self, tmp_path: Path, mini_plan: Path, args: tuple[str, ...]
    ) -> None:
        """Any path (or revision) given empty is a usage error, never the current folder (nor
        a cache in it)."""
        plans = tmp_path / "plans"
        shutil.copytree(mini_plan, plans / "2027-Q1")
        before = tree(tmp_path)
        places = {"{plan}": str(mini_plan), "{site}": str(tmp_path / "site"), "{plans}": str(plans)}
        result = no_traceback(run_planc(*(places.get(a, a) for a in args), cwd=tmp_path))
        assert (args[0], result.code) == (args[0], 2), result.stderr
        assert "is empty; give" in result.stderr
        assert tree(tmp_path) == before

    @pytest.mark.parametrize("command", ["check", "export", "track"])
    def test_a_usable_path_is_written(self, tmp_path: Path, mini_plan: Path, command: str) -> None:
        """The near miss: a new file in a folder that does not exist yet."""
        out = tmp_path / "new" / "folder" / "report.out"
        result = _run_writer(tmp_path, command, out)
        assert result.code in (0, 1), result.stderr
        assert out.is_file() and out.stat().st_size > 0


class TestAnOutputOverAnInput:
    """An output path that is one of the command's inputs, or a plan file in the plan folder
    it reads, is a usage error before any work: the report never replaces the plan or the
    export it was made from (fuzz17: check -o plans/Q/quarter.yaml overwrote the plan)."""

    @pytest.mark.parametrize("command", ["check", "diff", "export", "codeowners"])
    @pytest.mark.parametrize("name", ["quarter.yaml", "regions/north.yaml", "regions/new.yml"])
    def test_a_plan_file(self, tmp_path: Path, mini_plan: Path, command: str, name: str) -> None:
        before = tree(mini_plan)
        out = mini_plan / name
        result = _run_writer(tmp_path, command, out)
        assert result.code == 2, result.stderr
        assert f"{out} lies in the plan folder {mini_plan}" in result.stderr
        assert tree(mini_plan) == before

    def test_a_plan_file_of_another_quarter(self, tmp_path: Path, mini_plan: Path) -> None:
        other = tmp_path / "2027-Q2"
        shutil.copytree(mini_plan, other)
        before = tree(other)
        out = other / "regions" / "north.yaml"
        result = _run_writer(tmp_path, "codeowners", out)
        assert result.code == 2, result.stderr
        assert f"{out} lies in the plan folder {other}" in result.stderr
        assert tree(other) == before

    def test_a_plan_file_of_the_base_folder(self, tmp_path: Path, mini_plan: Path) -> None:
        base = tmp_path / "base"
        shutil.copytree(mini_plan, base)
        out = base / "quarter.yaml"
        before = out.read_bytes()
        result = no_traceback(run_planc("check", mini_plan, "--base", base, "-o", out))
        assert result.code == 2, result.stderr
        assert f"{out} lies in the plan folder {base}" in result.stderr
        assert out.read_bytes() == before

    def test_diff_with_detailed_exit_codes_says_error(
        self, tmp_path: Path, mini_plan: Path
    ) -> None:
        out = mini_plan / "quarter.yaml"
        args = ["diff", mini_plan, "--base", mini_plan, "--output", out, "--detailed-exitcode"]
        result = no_traceback(run_planc(*args, cwd=tmp_path))
        assert result.code == 1, result.stderr
        assert "lies in the plan folder" in result.stderr

    @pytest.mark.parametrize("option", ["--actuals", "--accounts"])
    def test_tracks_export(self, tmp_path: Path, option: str) -> None:
        export = tmp_path / "crm.csv"
        shutil.copyfile(CRM_EXPORT, export)
        accounts = tmp_path / "accounts.csv"
        shutil.copyfile(CRM_EXPORT.with_name("accounts.csv"), accounts)
        out = export if option == "--actuals" else accounts
        before = out.read_bytes()
        args = ["track", CRM_PLAN, "--actuals", export, "--accounts", accounts]
        # spelled another way than the input: the same file all the same
        result = no_traceback(run_planc(*args, "-o", f"{tmp_path}/./{out.name}", cwd=tmp_path))
        assert result.code == 2, result.stderr
        assert "which this command reads" in result.stderr
        assert out.read_bytes() == before

    def test_backtests_export_named_by_source(self, tmp_path: Path) -> None:
        export = tmp_path / "crm.csv"
        shutil.copyfile(CRM_EXPORT, export)
        before = export.read_bytes()
        args = ["backtest", CRM_PLAN, "--actuals", f"crm={export}", "--quarters", "2017-Q2"]
        result = no_traceback(run_planc(*args, "-o", export, cwd=tmp_path))
        assert result.code == 2, result.stderr
        assert f"--output {export} is {export}, which this command reads" in result.stderr
        assert export.read_bytes() == before

    def test_a_report_beside_the_plan_files_is_written(
        self, tmp_path: Path, mini_plan: Path
    ) -> None:
        """The near miss: a file that is no plan file may sit in the plan folder."""
        out = mini_plan / "check.txt"
        result = _run_writer(tmp_path, "check", out)
        assert result.code == 0, result.stderr
        assert out.read_text().startswith("OK")


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


# --- only regular files, never past the bound -------------------------------------------------


class TestOnlyRegularFilesAreRead:
    """A FIFO never hangs a run and a device never reads without end: both are diagnostics."""

    def test_a_fifo_as_a_region_file(self, mini_plan: Path) -> None:
        os.mkfifo(mini_plan / "regions" / "west.yaml")
        result = no_traceback(run_planc("check", mini_plan, "--format", "json"))
        assert result.code == 1
        found = [d for d in result.json()["diagnostics"] if d["code"] == "PLC011"]
        assert len(found) == 1
        assert "named pipe (FIFO)" in found[0]["message"]
        assert found[0]["path"].endswith("regions/west.yaml")

    def test_a_link_inside_the_folder_to_a_fifo(self, mini_plan: Path) -> None:
        os.mkfifo(mini_plan / "regions" / ".pipe")
        (mini_plan / "regions" / "west.yaml").symlink_to(".pipe")
        result = no_traceback(run_planc("check", mini_plan))
        assert result.code == 1
        assert "PLC011" in result.stdout and "named pipe (FIFO)" in result.stdout

    @pytest.mark.parametrize("command", ["track", "render"])
    def test_a_fifo_as_actuals(self, tmp_path: Path, command: str) -> None:
        fifo = tmp_path / "crm.csv"
        os.mkfifo(fifo)
        extra = ("--out", str(tmp_path / "site")) if command == "render" else ()
        result = no_traceback(run_planc(command, CRM_PLAN, "--actuals", fifo, *extra))
        assert result.code == 1
        assert "crm.csv is a named pipe (FIFO), not a regular file" in result.stdout + result.stderr
        assert not (tmp_path / "site").exists()

    def test_a_fifo_as_accounts(self, tmp_path: Path) -> None:
        fifo = tmp_path / "accounts.csv"
        os.mkfifo(fifo)
        args = ("--actuals", CRM_EXPORT, "--accounts", fifo, "--as-of", "2017-08-15")
        result = no_traceback(run_planc("track", CRM_PLAN, *args))
        assert result.code == 1
        assert "accounts.csv is a named pipe (FIFO), not a regular file" in result.stdout

    def test_dev_zero_as_actuals(self, tmp_path: Path) -> None:
        export = tmp_path / "crm.csv"
        export.symlink_to("/dev/zero")
        result = no_traceback(run_planc("track", CRM_PLAN, "--actuals", export))
        assert result.code == 1
        assert "crm.csv is a character device, not a regular file" in result.stdout

    @pytest.mark.parametrize("engine", ["pyarrow", "pandas", "duckdb"])
    @pytest.mark.parametrize(
        ("first_line", "said"),
        [
            # a file with no newline at all: the header read stops at its bound
            (b"x" * (3 << 20), "is longer than 1,048,576 bytes: not a header row"),
            # under the bound, one column name over the csv module's field limit
            (
                b"owner," + b"y" * 200_000 + b"\n",
                "crm.csv cannot be read: field larger than field limit",
            ),
        ],
        ids=["no-newline", "long-field"],
    )
    def test_an_export_whose_first_line_is_not_a_header(
        self, tmp_path: Path, engine: str, first_line: bytes, said: str
    ) -> None:
        if engine == "duckdb":
            pytest.importorskip("duckdb")
        export = tmp_path / "crm.csv"
        export.write_bytes(first_line + b"a,b\n" * 3)
        env = {} if engine == "pyarrow" else {"PLANC_TRACK_ENGINE": engine}
        result = no_traceback(
            run_planc("track", CRM_PLAN, "--actuals", export, "--format", "json", env=env)
        )
        assert result.code == 1
        (found,) = result.json()["diagnostics"]
        assert found["code"] == "PLC702"
        assert said in found["message"]
        assert found["path"].endswith("crm.csv") and found["range"]["start"]["line"] == 1

    def test_the_bound_holds_on_the_read_itself(self, tmp_path: Path) -> None:
        """/proc files report a size of 0: only the read can tell they are larger."""
        from planc.core.files import FileTooLarge, read_regular

        status = Path("/proc/self/status")
        if not status.is_file():
            pytest.skip("no /proc on this system")
        assert status.stat().st_size == 0
        with pytest.raises(FileTooLarge, match="more than 16 bytes"):
            read_regular(status, 16)
        assert read_regular(status, 1 << 20).startswith(b"Name:")

    def test_a_region_file_over_the_bound(self, mini_plan: Path) -> None:
        size = (mini_plan / "regions" / "north.yaml").stat().st_size
        result = no_traceback(
            run_planc("check", mini_plan, "--max-file-size", str(size - 1), "--format", "json")
        )
        codes = {(d["code"], d["path"].rsplit("/", 1)[-1]) for d in result.json()["diagnostics"]}
        assert ("PLC010", "north.yaml") in codes


# --- links that leave the plan folder --------------------------------------------------------


SECRET = "planc-test-secret-4f1d"


class TestLinksOutOfThePlanAreRefused:
    """A link out of the quarter folder is PLC015, and no byte of its target is ever shown."""

    @pytest.mark.parametrize("output_format", ["text", "json", "github", "sarif"])
    def test_proc_environ_is_not_printed(self, mini_plan: Path, output_format: str) -> None:
        (mini_plan / "regions" / "west.yaml").symlink_to("/proc/self/environ")
        result = no_traceback(
            run_planc("check", mini_plan, "--format", output_format, env={"PLANC_SECRET": SECRET})
        )
        assert result.code == 1
        assert "PLC015" in result.stdout
        assert SECRET not in result.stdout + result.stderr

    def test_etc_passwd_is_not_printed(self, tmp_path: Path, mini_plan: Path) -> None:
        (mini_plan / "regions" / "west.yaml").symlink_to("/etc/passwd")
        for args in (
            ("check", mini_plan),
            ("render", mini_plan, "--out", tmp_path / "site"),
            ("export", mini_plan),
        ):
            result = no_traceback(run_planc(*args))
            assert result.code == 1
            assert "root:" not in result.stdout + result.stderr
            assert "outside the plan folder" in result.stdout + result.stderr

    def test_a_folder_link_out_of_the_plan(self, tmp_path: Path, mini_plan: Path) -> None:
        outside = tmp_path / "elsewhere"
        outside.mkdir()
        (outside / "east.yaml").write_text(f"secret: {SECRET}\n")
        (mini_plan / "more").symlink_to(outside, target_is_directory=True)
        result = no_traceback(run_planc("check", mini_plan))
        assert result.code == 1
        assert "more is a symbolic link to a folder outside the plan folder" in result.stdout
        assert SECRET not in result.stdout

    def test_a_link_committed_to_git_is_not_followed(self, tmp_path: Path) -> None:
        from gitrepo import QUARTER, git, new_repo, planc_in

        root = new_repo(tmp_path)
        (root / QUARTER / "regions" / "west.yaml").symlink_to("/etc/passwd")
        git(root, "add", "-A")
        git(root, "commit", "-qm", "a link")
        result = no_traceback(planc_in(root, "check", QUARTER, "--rev", "HEAD"))
        assert result.code == 1
        assert "west.yaml is a symbolic link at" in result.stdout
        assert "root:" not in result.stdout


# --- file modes --------------------------------------------------------------------------------


def _run_with_umask(umask: int, *args: str | Path, cwd: Path | None = None) -> Run:
    completed = subprocess.run(
        [sys.executable, "-m", "planc", *map(str, args)],
        cwd=cwd,
        env={k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        umask=umask,
    )
    return no_traceback(Run(completed.returncode, completed.stdout, completed.stderr))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _drop_adjustments(plan: Path) -> None:
    quarter = plan / "quarter.yaml"
    quarter.write_text(quarter.read_text(encoding="utf-8").split("adjustments:", 1)[0])


@pytest.mark.parametrize("umask", [0o022, 0o027], ids=["umask-022", "umask-027"])
class TestFileModes:
    """New files get 0666 under the umask (folders 0777), never mkstemp's 0600."""

    @pytest.mark.parametrize(
        ("command", "option"),
        [("check", "--output"), ("export", "--out"), ("diff", "--output")],
    )
    def test_reports(
        self, tmp_path: Path, mini_plan: Path, umask: int, command: str, option: str
    ) -> None:
        out = tmp_path / "report.out"
        extra = ("--base", mini_plan, "--head", mini_plan) if command == "diff" else ()
        result = _run_with_umask(umask, command, mini_plan, *extra, option, out)
        assert result.code == 0, result.stderr
        assert _mode(out) == 0o666 & ~umask

    def test_track(self, tmp_path: Path, umask: int) -> None:
        out = tmp_path / "track.csv"
        args = ("--as-of", "2017-08-15", "--format", "csv", "--output", out)
        result = _run_with_umask(umask, "track", CRM_PLAN, "--actuals", CRM_EXPORT, *args)
        assert result.code in (0, 1), result.stderr
        assert _mode(out) == 0o666 & ~umask

    def test_codeowners(self, tmp_path: Path, umask: int) -> None:
        from gitrepo import QUARTER, new_repo

        root = new_repo(tmp_path)
        result = _run_with_umask(umask, "codeowners", QUARTER, cwd=root)
        assert result.code == 0, result.stderr
        assert _mode(root / ".github" / "CODEOWNERS") == 0o666 & ~umask

    def test_render(self, tmp_path: Path, mini_plan: Path, umask: int) -> None:
        site = tmp_path / "site"
        for _ in range(2):  # a new site, then one replaced
            assert _run_with_umask(umask, "render", mini_plan, "--out", site).code == 0
            folders = [site, *(p for p in site.rglob("*") if p.is_dir())]
            files = [p for p in site.rglob("*") if p.is_file()]
            assert {_mode(p) for p in folders} == {0o777 & ~umask}
            assert {_mode(p) for p in files} == {0o666 & ~umask}

    def test_init(self, tmp_path: Path, umask: int) -> None:
        shutil.copytree(REPO / "plans" / "2027-Q1", tmp_path / "plans" / "2027-Q1")
        result = _run_with_umask(umask, "init", "2027-Q2", "--from", "2027-Q1", cwd=tmp_path)
        assert result.code == 0, result.stderr
        new = tmp_path / "plans" / "2027-Q2"
        assert {_mode(p) for p in [new, *new.rglob("*")] if p.is_dir()} == {0o777 & ~umask}
        assert {_mode(p) for p in new.rglob("*") if p.is_file()} == {0o666 & ~umask}

    @pytest.mark.parametrize("mode", [0o644, 0o600, 0o664])
    def test_allocate_write_keeps_the_plan_file_mode(
        self, mini_plan: Path, umask: int, mode: int
    ) -> None:
        _drop_adjustments(mini_plan)
        north = mini_plan / "regions" / "north.yaml"
        north.chmod(mode)
        before = north.read_bytes()
        args = ("--node", "north-ent", "--metric", "revenue", "--method", "baseline", "--write")
        result = _run_with_umask(umask, "allocate", mini_plan, *args)
        assert result.code == 0, result.stderr
        assert north.read_bytes() != before
        assert _mode(north) == mode

    def test_a_report_written_over_keeps_its_mode(
        self, tmp_path: Path, mini_plan: Path, umask: int
    ) -> None:
        out = tmp_path / "report.txt"
        out.write_text("old\n")
        out.chmod(0o640)
        assert _run_with_umask(umask, "check", mini_plan, "--output", out).code == 0
        assert out.read_text() != "old\n"
        assert _mode(out) == 0o640


class TestWritesOfSeveralFiles:
    """allocate --write replaces several plan files: all of them, or none."""

    def test_one_unwritable_file_leaves_every_file_as_it_was(self, tmp_path: Path) -> None:
        from planc.core.files import UnusableOutput, write_atomic_all

        first, second = tmp_path / "a" / "east.yaml", tmp_path / "b" / "south.yaml"
        first.parent.mkdir()
        first.write_bytes(b"old east\n")
        second.mkdir(parents=True)  # a folder where the file should go: it cannot be written
        with pytest.raises(UnusableOutput, match=r"south\.yaml"):
            write_atomic_all({first: b"new east\n", second: b"new south\n"})
        assert first.read_bytes() == b"old east\n"
        assert sorted(p.name for p in tmp_path.rglob("*")) == ["a", "b", "east.yaml", "south.yaml"]

    def test_the_near_miss_writes_both(self, tmp_path: Path) -> None:
        from planc.core.files import write_atomic_all

        first, second = tmp_path / "a" / "east.yaml", tmp_path / "b" / "south.yaml"
        write_atomic_all({first: b"east\n", second: b"south\n"})
        assert (first.read_bytes(), second.read_bytes()) == (b"east\n", b"south\n")


# --- leftovers of a killed render ------------------------------------------------------------

# A real render, killed with SIGKILL at a chosen point (nothing runs after it, no cleanup).
_KILLED_RENDER = """
import os, signal, sys
import planc.site.render as site
from planc.cli import main

point = sys.argv.pop(1)
if point == "while-writing":
    original = site._write_new
    written = []
    def write_then_die(path, data):
        original(path, data)
        written.append(path)
        if len(written) == 3:
            os.kill(os.getpid(), signal.SIGKILL)
    site._write_new = write_then_die
else:  # after the new site is in place, before the old one is deleted
    site._remove_pages = lambda old, listed: os.kill(os.getpid(), signal.SIGKILL)
sys.argv[0] = "planc"
main()
"""


def _killed_render(point: str, plan: Path, site: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", _KILLED_RENDER, point, "render", str(plan), "--out", str(site)],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == -9, completed.stderr


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".site."))


class TestLeftoversOfAKilledRender:
    """The next render removes what a killed one left beside --out: planc's own, nothing else."""

    def test_a_render_killed_while_writing(self, tmp_path: Path, mini_plan: Path) -> None:
        site = tmp_path / "site"
        _killed_render("while-writing", mini_plan, site)
        (left,) = _leftovers(tmp_path)
        assert left.endswith(".tmp")
        assert (tmp_path / left / ".planc-building").is_file()
        assert no_traceback(run_planc("render", mini_plan, "--out", site)).code == 0
        assert _leftovers(tmp_path) == []

    def test_a_render_killed_before_the_old_site_went(
        self, tmp_path: Path, mini_plan: Path
    ) -> None:
        site = rendered_site(tmp_path, mini_plan)
        _killed_render("before-removing", mini_plan, site)
        (left,) = _leftovers(tmp_path)
        assert left.endswith(".old")
        assert no_traceback(run_planc("render", mini_plan, "--out", site)).code == 0
        assert _leftovers(tmp_path) == []
        assert (site / "index.html").is_file()

    def test_what_is_not_planc_stays(self, tmp_path: Path, mini_plan: Path) -> None:
        """Near misses: no marker, a link, a file of the user's inside, another render's lock."""
        site = tmp_path / "site"
        _killed_render("while-writing", mini_plan, site)
        (killed,) = _leftovers(tmp_path)
        (tmp_path / killed / "notes.txt").write_text("mine\n")
        unmarked = tmp_path / ".site.unmarked.tmp"
        unmarked.mkdir()
        (unmarked / "index.html").write_text("mine\n")
        elsewhere = tmp_path / "elsewhere"
        shutil.copytree(tmp_path / killed, elsewhere)
        (tmp_path / ".site.link.tmp").symlink_to(elsewhere, target_is_directory=True)
        running = tmp_path / ".site.running.tmp"
        shutil.copytree(elsewhere, running)
        before_elsewhere = tree(elsewhere)
        before_running = tree(running)
        with (running / ".planc-building").open("rb") as lock:
            import fcntl

            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            assert no_traceback(run_planc("render", mini_plan, "--out", site)).code == 0
        assert tree(tmp_path / killed) == {"notes.txt": b"mine\n"}
        assert tree(unmarked) == {"index.html": b"mine\n"}
        assert tree(elsewhere) == before_elsewhere
        assert tree(running) == before_running
        assert (tmp_path / ".site.link.tmp").is_symlink()


# --- control characters and formulas in user data --------------------------------------------

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x9b31m\u202e"


def _evil_export(tmp_path: Path) -> Path:
    """The CRM sample with an owner full of terminal escapes and one that is a formula."""
    lines = CRM_EXPORT.read_text(encoding="utf-8").splitlines(keepends=True)
    head, first, second = lines[0], lines[1].split(","), lines[2].split(",")
    first[1] = f"Evil{ESCAPES} Agent"
    second[1] = '"=HYPERLINK(""http://example.com"")"'
    export = tmp_path / "crm.csv"
    export.write_text(head + ",".join(first) + ",".join(second) + "".join(lines[3:]))
    return export


def _no_raw_controls(text: str) -> None:
    assert not any(c in text for c in "\x1b\x07\x9b\u202e"), repr(text[:200])


class TestUserTextIsShownNotObeyed:
    """Control characters and escapes in names and CRM owners never reach the terminal raw."""

    def test_check_text(self, mini_plan: Path) -> None:
        south = mini_plan / "regions" / "south.yaml"
        text = south.read_text(encoding="utf-8")
        seat = "role: rep, start: 2027-01-01}\n"
        escaped = "\\e]0;pwned\\a\\e[2J\\x9b31m\\u202e"  # YAML's own escapes: any byte can be had
        south.write_text(
            text.replace(seat, seat + f'  - {{id: cai, name: "Cai{escaped}", role: rep}}\n')
        )
        result = no_traceback(run_planc("check", mini_plan))
        assert "PLC209" in result.stdout
        _no_raw_controls(result.stdout + result.stderr)
        assert "(Cai\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202e) sits in no team" in result.stdout

    @pytest.mark.parametrize("output_format", ["text", "markdown"])
    def test_every_bidi_control_in_check(self, mini_plan: Path, output_format: str) -> None:
        """All twelve of Unicode's bidi controls (UAX #9): the Arabic letter mark (U+061C)
        reached the terminal and the markdown summary raw while its siblings were escaped."""
        south = mini_plan / "regions" / "south.yaml"
        text = south.read_text(encoding="utf-8")
        seat = "role: rep, start: 2027-01-01}\n"
        codes = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
        escaped = "".join(f"\\u{c:04X}" for c in codes)  # YAML's escapes, one per control
        south.write_text(
            text.replace(seat, seat + f'  - {{id: cai, name: "Cai{escaped}x", role: rep}}\n')
        )
        result = no_traceback(run_planc("check", mini_plan, "--format", output_format))
        assert "PLC209" in result.stdout
        assert not [hex(c) for c in codes if chr(c) in result.stdout + result.stderr]
        if output_format == "text":
            shown = "".join(f"\\u{c:04x}" for c in codes)
            assert f"(Cai{shown}x) sits in no team" in result.stdout

    def test_track_text(self, tmp_path: Path) -> None:
        export = _evil_export(tmp_path)
        result = no_traceback(
            run_planc("track", CRM_PLAN, "--actuals", export, "--as-of", "2017-08-15")
        )
        assert result.code == 0, result.stderr
        _no_raw_controls(result.stdout + result.stderr)
        assert "Evil\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202e Agent" in result.stdout

    def test_track_diagnostics_beside_csv(self, tmp_path: Path) -> None:
        export = _evil_export(tmp_path)
        args = ("--as-of", "2017-08-15", "--format", "csv")
        result = no_traceback(run_planc("track", CRM_PLAN, "--actuals", export, *args))
        _no_raw_controls(result.stderr)
        assert "PLC710" in result.stderr

    def test_diff_text(self, tmp_path: Path, mini_plan: Path) -> None:
        head = tmp_path / "head"
        shutil.copytree(mini_plan, head)
        north = head / "regions" / "north.yaml"
        text = north.read_text(encoding="utf-8")
        north.write_text(text.replace("name: North Enterprise", 'name: "North\\e[2J\\e]0;x\\a"'))
        result = no_traceback(run_planc("diff", "--base", mini_plan, "--head", head, head))
        assert result.code in (0, 1), result.stderr
        _no_raw_controls(result.stdout + result.stderr)

    def test_track_csv_keeps_formulas_as_text(self, tmp_path: Path) -> None:
        """Plan names in track's CSV get the same apostrophe as in export; numbers do not."""
        plan = tmp_path / "2017-Q3"
        shutil.copytree(CRM_PLAN, plan)
        region = sorted((plan / "regions").glob("*.yaml"))[0]
        text = region.read_text(encoding="utf-8")
        name = next(line for line in text.splitlines() if line.strip().startswith("name:"))
        formulas = ["=1+1", "+1", "-1", "@SUM(A1)", "\\tx", "\\rx"]
        for index, formula in enumerate(formulas):
            edited = text.replace(name, name.split("name:")[0] + f'name: "{formula}"', 1)
            region.write_text(edited)
            out = tmp_path / "track.csv"
            args = ("--as-of", "2017-08-15", "--format", "csv", "--output", out)
            result = no_traceback(run_planc("track", plan, "--actuals", CRM_EXPORT, *args))
            assert result.code in (0, 1), result.stderr
            with out.open(encoding="utf-8", newline="") as handle:  # a CR in a cell stays one
                rows = list(csv.reader(handle))
            names = {row[2] for row in rows[1:]}
            expected = "'" + formula.replace("\\t", "\t").replace("\\r", "\r")
            assert expected in names, (index, sorted(names)[:5])
            assert not any(n[:1] in ("=", "+", "-", "@", "\t", "\r") for n in names)
            amounts = [row[6] for row in rows[1:] if row[6].startswith("'")]
            assert amounts == []

    def test_xlsx_export_keeps_formulas_as_text(self, tmp_path: Path, mini_plan: Path) -> None:
        """openpyxl stores a string that starts with = as a formula unless told it is text."""
        openpyxl = pytest.importorskip("openpyxl")
        north = mini_plan / "regions" / "north.yaml"
        text = north.read_text(encoding="utf-8")
        north.write_text(text.replace("name: North Enterprise", 'name: "=HYPERLINK(1)"'))
        out = tmp_path / "plan.xlsx"
        result = no_traceback(run_planc("export", mini_plan, "--format", "xlsx", "--out", out))
        assert result.code == 0, result.stderr
        cells = [c for row in openpyxl.load_workbook(out).active.iter_rows() for c in row]
        found = [c for c in cells if c.value == "=HYPERLINK(1)"]
        assert found and {c.data_type for c in found} == {"s"}
