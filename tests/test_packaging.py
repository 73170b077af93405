"""The wheel carries schema/ and templates/, and an installed planc finds its schema."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO


def test_wheel_ships_schema_and_templates(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("planc-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "planc/_data/schema/plan.schema.json" in names
    assert "planc/_data/templates/README.md" in names
    assert "planc/py.typed" in names
    # the templates compiled ahead of time, found by import as any module of planc
    assert "planc/site/_templates/__init__.py" in names
    assert "planc/site/_templates/t_node_html_j2.py" in names
    for tag in ("en", "zh_CN"):  # each catalog and the compiled form planc reads instead
        assert f"planc/locales/{tag}/LC_MESSAGES/planc.po" in names
        assert f"planc/locales/{tag}/LC_MESSAGES/planc.json" in names
    # and the installed package uses them: the wheel's templates/ are the bytes they were
    # made from (else every render of an installed planc compiles them again, silently)
    installed = tmp_path / "installed"
    zipfile.ZipFile(wheel).extractall(installed)
    probe = (
        "from planc.core.resources import data_dir\n"
        "from planc.site.templating import CompiledLoader, template_loader\n"
        "folder = data_dir('templates')\n"
        f"assert folder.is_relative_to({str(installed)!r}), folder\n"
        "assert isinstance(template_loader(folder), CompiledLoader)\n"
    )
    subprocess.run(
        [sys.executable, "-c", probe],
        check=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(installed)},
    )


def test_resources_find_the_checkout_schema() -> None:
    from planc.core.resources import schema_path

    assert schema_path().read_bytes() == (REPO / "schema" / "plan.schema.json").read_bytes()
