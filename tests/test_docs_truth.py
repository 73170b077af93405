"""What the README and the guides tell a new user is true of this repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO
from planc.sheets.export import COLUMNS

GUIDES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
SHELL_BLOCK = re.compile(r"```(?:sh|bash|console)\n(.*?)```", re.DOTALL)
REPO_PATH = re.compile(r"(?<![\w./-])((?:plans|tests|scripts|schema|docs|templates)/[\w./-]*\w)")


def shell_blocks(page: Path) -> list[str]:
    return SHELL_BLOCK.findall(page.read_text(encoding="utf-8"))


MAKES = re.compile(r"planc (?:import|init) (\S+)|(?:--out|-o) (\S+)")


def made_by(block: str) -> tuple[str, ...]:
    """Folders the guide's own commands create (`planc import plans/2017-Q4`, `--out site`)."""
    return tuple(a or b for a, b in MAKES.findall(block)) or ("\0",)


@pytest.mark.parametrize("page", GUIDES, ids=lambda p: p.name)
def test_paths_in_commands_exist(page: Path) -> None:
    """A command a guide shows names files that are there (no `crm.csv` to guess at)."""
    made = made_by("\n".join(shell_blocks(page)))  # a tour's later steps use what it made
    missing = sorted(
        {
            path
            for block in shell_blocks(page)
            for line in block.splitlines()
            for path in REPO_PATH.findall(line.split("#", 1)[0])
            if not (REPO / path).exists() and not path.startswith(made)
        }
    )
    assert not missing, f"{page.name} names files that do not exist: {missing}"


def test_export_columns_are_listed_as_they_are_written() -> None:
    text = (REPO / "docs" / "ops.md").read_text(encoding="utf-8")
    paragraph = text.split("## Exports for spreadsheets", 1)[1].split("##", 1)[0]
    listed = re.findall(r"`([a-z_]+)`", paragraph.split("with the columns", 1)[1])
    assert tuple(listed[: len(COLUMNS)]) == COLUMNS


def test_example_script_prints_the_site_relative_and_installs_no_dev_tools() -> None:
    script = (REPO / "scripts" / "example.sh").read_text(encoding="utf-8")
    assert 'echo "open: site/index.html"' in script
    assert "$(pwd)" not in script
    # what the main job needs (check, render), never the dev tools
    assert 'PLANC_EXTRAS="${PLANC_EXTRAS-site}"' in script


def test_the_command_reference_has_every_render_and_propose_option() -> None:
    import click

    from planc.cli import cli

    reference = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in ("render", "propose"):
        section = reference.split(f"## planc {name}\n", 1)[1].split("\n## ", 1)[0]
        command = cli.commands[name]
        for param in command.params:
            if isinstance(param, click.Option) and "--help" not in param.opts:
                assert any(f"`{opt}" in section or f" {opt}" in section for opt in param.opts), (
                    name,
                    param.opts,
                )
