"""Hostile inputs through the real CLI: a diagnostic at the right place, never a traceback.

Findings of the hunt12 review, one class per finding.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, Run, run_planc

CRM_PLAN = REPO / "plans" / "2017-Q3"


def no_traceback(result: Run) -> Run:
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stdout + result.stderr
    return result


class TestAControlCharacterInAPlanFile:
    """libyaml refuses a control character with a byte offset, not a mark: the diagnostic
    pointed at 1:1 and carried libyaml's raw text (a literal \\n, "<byte string>", the byte
    offset). It points at the character's line and column now, in code points."""

    @pytest.mark.parametrize(("char", "name"), [("\x00", "U+0000"), ("\x07", "U+0007")])
    def test_it_is_pointed_at(self, mini_plan: Path, char: str, name: str) -> None:
        region = mini_plan / "regions" / "north.yaml"
        text = region.read_text(encoding="utf-8")
        # a wide character before it on the line: columns count code points, not bytes
        region.write_text(
            "\ufeff" + text.replace("  name: North\n", f"  name: 北方{char}x\n", 1),
            encoding="utf-8",
        )
        line = 1 + text.splitlines().index("  name: North")
        result = no_traceback(run_planc("check", mini_plan, "--format", "json"))
        assert result.code == 1
        (found,) = [d for d in result.json()["diagnostics"] if d["code"] == "PLC001"]
        assert found["path"].endswith("regions/north.yaml")
        assert found["range"]["start"] == {"line": line, "col": 11}
        assert found["message"] == (
            f"character {name} is not allowed in YAML (control characters are not allowed)"
        )

    def test_the_text_report_shows_the_line(self, mini_plan: Path) -> None:
        region = mini_plan / "regions" / "north.yaml"
        text = region.read_text(encoding="utf-8")
        region.write_text(text.replace("  name: North\n", "  name: No\x1brth\n", 1), "utf-8")
        result = no_traceback(run_planc("check", mini_plan))
        assert result.code == 1
        assert "<byte string>" not in result.stdout
        assert "  name: No\\x1brth" in result.stdout  # shown escaped, not obeyed


class TestAFileNameTooLong:
    """Python 3.11's Path.exists() and is_dir() raise on a name over the file system's limit
    (ENAMETOOLONG) where they return False on a missing one: a long argument was an internal
    error in most commands. It is a usage error now, naming the (shortened) path."""

    LONG = "x" * 300  # over NAME_MAX (255) of every Linux file system

    @pytest.mark.parametrize(
        "args",
        [
            ("check", LONG),
            ("check", "--base", LONG, "{plan}"),
            ("diff", "--base", LONG, "--head", "{plan}"),
            ("diff", "--base", "{plan}", LONG),
            ("allocate", LONG, "--node", "north", "--metric", "revenue"),
            ("track", "{crm}", "--actuals", LONG),
            ("track", "{crm}", "--actuals", f"revenue={LONG}"),
            ("import", "--update", LONG),
            ("codeowners", LONG),
        ],
        ids=[
            "check",
            "check-base",
            "diff-base",
            "diff-plan",
            "allocate",
            "track",
            "track-named",
            "import-update",
            "codeowners",
        ],
    )
    def test_is_a_usage_error(self, mini_plan: Path, args: tuple[str, ...]) -> None:
        given = (a.replace("{plan}", str(mini_plan)).replace("{crm}", str(CRM_PLAN)) for a in args)
        result = no_traceback(run_planc(*given))
        assert result.code == 2, result.stderr
        assert "a file name is too long for the file system: " in result.stderr
        assert "xxxxxxxx…xxxxxxxx" in result.stderr  # shortened, not 300 characters
        assert len(result.stderr) < 300


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
class TestStandardOutputOnAFullDisk:
    """Standard output redirected to a full disk (here /dev/full) was an internal error, and
    Python's own flush at exit added a message and exit status 120."""

    @pytest.mark.parametrize(
        "args",
        [("check", "{plan}"), ("check", "{plan}", "--format", "json"), ("schema",)],
        ids=["check", "check-json", "schema"],
    )
    def test_is_said_once(self, mini_plan: Path, args: tuple[str, ...]) -> None:
        with open("/dev/full", "wb") as full:
            completed = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "planc",
                    *(a.replace("{plan}", str(mini_plan)) for a in args),
                ],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                timeout=120,
                check=False,
                env={**os.environ},
            )
        assert completed.returncode == 2, completed.stderr
        assert completed.stderr == (
            "planc: error: cannot write the output: No space left on device\n"
        )
