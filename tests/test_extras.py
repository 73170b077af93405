"""``pip install planc`` without extras: check works; ``planc[site]`` adds render (Babel's
locale data stays out of what check and pre-commit install); every command that needs an
extra says which ``pip install 'planc[...]'`` brings it and exits 2, never a traceback.

A fresh virtualenv gets this checkout with its core dependencies only, from PyPI or
pip's cache, as a user's machine would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINI, REPO
from gitrepo import QUARTER, git, git_env

CSV = REPO / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_pipeline.csv"
ROSTER = REPO / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_teams.csv"
QUOTAS = REPO / "examples" / "quotas-2017-Q4"
IMPORT = ("--roster", str(ROSTER), "--owner", "Alex Morgan", "--company", "CRM sample")


def _venv_with_planc(base: Path, extras: str) -> Path:
    """A virtualenv with `pip install planc[extras]` (this checkout)."""
    source = base / "planc"
    for name in ("pyproject.toml", "setup.py", "README.md"):
        source.mkdir(exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    for name in ("src", "schema", "templates"):
        shutil.copytree(
            REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
        )
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    spec = f"{source}[{extras}]" if extras else str(source)
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", spec],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return venv


@pytest.fixture(scope="module")
def core_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv with `pip install planc` (this checkout, no extras)."""
    return _venv_with_planc(tmp_path_factory.mktemp("core-venv"), "")


@pytest.fixture(scope="module")
def site_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv with `pip install 'planc[site]'`: what the main job installs."""
    return _venv_with_planc(tmp_path_factory.mktemp("site-venv"), "site")


@pytest.fixture(scope="module")
def sales(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plan repository with one commit and an uncommitted change."""
    root = tmp_path_factory.mktemp("sales") / "sales"
    shutil.copytree(MINI, root / QUARTER)
    git(root.parent, "init", "-q", "-b", "main", str(root))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "plan")
    return root


def planc(venv: Path, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / "planc"), *args],
        cwd=root,
        env={**os.environ, **git_env(root), "PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_only_the_core_is_installed(core_venv: Path) -> None:
    listed = subprocess.run(
        [str(core_venv / "bin" / "python"), "-m", "pip", "list", "--format", "freeze"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.lower()
    names = {line.split("==")[0].replace("_", "-") for line in listed.splitlines()}
    assert {"planc", "pyyaml", "jsonschema-rs", "click", "jinja2", "pypinyin"} <= names
    assert not names & {"pandas", "numpy", "openpyxl", "gitpython", "pyarrow", "babel"}


def test_check_needs_nothing_more(core_venv: Path, sales: Path) -> None:
    check = planc(core_venv, sales, "check", QUARTER)
    assert check.returncode == 0, check.stdout + check.stderr
    assert planc(core_venv, sales, "export", QUARTER).returncode == 0  # CSV needs nothing more


def test_the_main_job_works(site_venv: Path, sales: Path, tmp_path: Path) -> None:
    check = planc(site_venv, sales, "check", QUARTER)
    assert check.returncode == 0, check.stdout + check.stderr
    render = planc(site_venv, sales, "render", QUARTER, "--out", str(tmp_path / "site"))
    assert render.returncode == 0, render.stderr
    brief = (tmp_path / "site" / "reps" / "ann.html").read_text(encoding="utf-8")
    assert "Plan revision: " in brief  # the site's revision comes from plain git
    assert "<h1>" in brief and '<span class="unit"></span>' not in brief


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (("track", QUARTER, "--actuals", str(CSV)), "track"),
        (("render", QUARTER, "--out", "site-x"), "site"),
        (("export", QUARTER, "--format", "xlsx", "--out", "plan.xlsx"), "export"),
        (("import", "new/2017-Q4", "--quotas", f"{QUOTAS}.xlsx", *IMPORT), "export"),
        (("import", "--update", f"{QUOTAS}.xlsx"), "export"),
        (("diff",), "git"),
        (("diff", "--detailed-exitcode"), "git"),
        (("propose", "--cause", "market", "--effective", "2027-02-10", "--note", "x"), "git"),
        (("codeowners", "--check"), "git"),
        (("check", QUARTER, "--rev", "HEAD"), "git"),
        (("check", QUARTER, "--base", "HEAD"), "git"),
        (("lsp",), "lsp"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else value,
)
def test_a_missing_extra_is_named(
    core_venv: Path, sales: Path, args: tuple[str, ...], extra: str
) -> None:
    result = planc(core_venv, sales, *args)
    expected = 1 if "--detailed-exitcode" in args else 2  # diff's own contract: 2 means "changes"
    assert result.returncode == expected, result.stdout + result.stderr
    assert f"pip install 'planc[{extra}]'" in result.stderr
    assert result.stderr.startswith("planc: error: ")
    assert "Traceback" not in result.stderr and "ModuleNotFoundError" not in result.stderr


def test_import_from_csv_needs_no_extra(core_venv: Path, sales: Path, tmp_path: Path) -> None:
    folder = tmp_path / "2017-Q4"
    result = planc(core_venv, sales, "import", str(folder), "--quotas", f"{QUOTAS}.csv", *IMPORT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert planc(core_venv, sales, "check", str(folder)).returncode == 0


def test_folder_comparisons_need_no_git_extra(core_venv: Path, sales: Path) -> None:
    result = planc(core_venv, sales, "diff", QUARTER, "--base", QUARTER, "--head", QUARTER)
    assert result.returncode == 0, result.stderr


def test_init_with_actuals_names_the_extra(core_venv: Path, sales: Path) -> None:
    result = planc(core_venv, sales, "init", "2027-Q2", "--from", QUARTER, "--actuals", str(CSV))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "pip install 'planc[track]'" in result.stderr


def test_render_with_actuals_names_the_track_extra(site_venv: Path, sales: Path) -> None:
    args = ("render", QUARTER, "--out", "site-x", "--actuals", str(CSV))
    result = planc(site_venv, sales, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "pip install 'planc[track]'" in result.stderr
    assert "Traceback" not in result.stderr
