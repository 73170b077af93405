"""What `planc` imports at start-up: modules a run does not use are imported where used.

Every command pays its imports before any work (~0.2 s of a cold `planc check`'s CPU);
these tests pin the modules that were moved into the functions that need them, so that a
later top-level import does not bring the cost back unnoticed."""

from __future__ import annotations

import json

from conftest import REPO, cli_modules

MINI = REPO / "tests" / "fixtures" / "mini"


def test_a_check_without_a_cache_imports_no_multiprocessing_or_tempfile() -> None:
    """multiprocessing (core.frontend: only a whole compile on several workers uses its pool)
    and tempfile (core.files, core.cache: only a write) are imported where they are used."""
    modules, out = cli_modules("check", "--no-cache", "-f", "json", str(MINI))
    assert json.loads(out)["diagnostics"] == []
    assert "multiprocessing" not in modules
    assert "tempfile" not in modules
