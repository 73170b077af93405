"""Build hook: ship the top-level ``schema/`` and ``templates/`` inside the wheel.

They live at the repository root so that editors (the yaml-language-server
modeline) and reviewers find them; an installed planc finds its copy under
``planc/_data/``. ``planc.core.resources`` is the one place that looks them up.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED_DIRS = ("schema", "templates")


class BuildPyWithData(build_py):
    def run(self) -> None:
        super().run()
        root = Path(__file__).parent
        target = Path(self.build_lib) / "planc" / "_data"
        for name in SHIPPED_DIRS:
            source = root / name
            if source.is_dir():
                shutil.copytree(source, target / name, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildPyWithData})
