"""What `planc` imports at start-up: modules a run does not use are imported where used.

Every command pays its imports before any work (~0.2 s of a cold `planc check`'s CPU);
these tests pin the modules that were moved into the functions that need them, so that a
later top-level import does not bring the cost back unnoticed."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO

MINI = REPO / "tests" / "fixtures" / "mini"

_SHOW = (
    "import sys\n"
    "from planc.cli import main\n"
    "try:\n"
    "    main()\n"
    "except SystemExit:\n"
    "    pass\n"
    "print('MODULES', *sorted(sys.modules), file=sys.stderr)\n"
)


def _modules(*args: str) -> tuple[set[str], str]:
    done = subprocess.run(
        [sys.executable, "-c", _SHOW, *args], capture_output=True, text=True, check=False
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    return set(line.split()[1:]), done.stdout


def test_a_check_without_a_cache_imports_no_multiprocessing_or_tempfile() -> None:
    """multiprocessing (core.frontend: only a whole compile on several workers uses its pool)
    and tempfile (core.files, core.cache: only a write) are imported where they are used."""
    modules, out = _modules("check", "--no-cache", "-f", "json", str(MINI))
    assert json.loads(out)["diagnostics"] == []
    assert "multiprocessing" not in modules
    assert "tempfile" not in modules
