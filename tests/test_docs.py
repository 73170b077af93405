"""The docs stay true: generated pages match the code, links resolve, codes are explained."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from conftest import REPO, run_planc

DOCS = REPO / "docs"
LINK = re.compile(r"\]\(([^)\s]+)\)")


class TestGeneratedPages:
    """docs/cli.md and docs/codes.md are what scripts/docs.sh generates from the code."""

    @pytest.mark.parametrize("name", ["cli.md", "codes.md"])
    def test_page_matches_the_code(self, name: str) -> None:
        from planc.cli.reference import generated_pages

        expected = generated_pages(DOCS)[DOCS / name]
        actual = (DOCS / name).read_text(encoding="utf-8")
        assert actual == expected, f"docs/{name} is out of date: run bash scripts/docs.sh"

    def test_every_command_is_in_the_cli_reference(self) -> None:
        from planc.cli import cli

        text = (DOCS / "cli.md").read_text(encoding="utf-8")
        for name, command in cli.commands.items():
            assert f"## planc {name}" in text
            for param in command.params:
                for flag in getattr(param, "opts", []):
                    if flag.startswith("--"):
                        assert flag in text, f"{name} {flag}"

    def test_every_code_has_an_anchor(self) -> None:
        from planc.codes import RULES

        text = (DOCS / "codes.md").read_text(encoding="utf-8")
        for code in RULES:
            assert f"\n## {code}\n" in text


def markdown_files() -> list[Path]:
    return [REPO / "README.md", REPO / "CHANGELOG.md", *sorted(DOCS.glob("*.md"))]


@pytest.mark.parametrize("page", markdown_files(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_relative_links_resolve(page: Path) -> None:
    """Every relative link points at a file that exists (and a heading, when it names one)."""
    broken = []
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target) or target.startswith("<"):
            continue  # http(s):, mailto:, placeholders
        path_part, _, anchor = target.partition("#")
        path = (page.parent / path_part).resolve() if path_part else page
        if not path.exists() or (anchor and path.suffix == ".md" and anchor not in _anchors(path)):
            broken.append(target)
    assert not broken, f"{page.name}: broken links {broken}"


def _anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens."""
    anchors = set()
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            anchors.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return anchors


def test_readme_stays_an_entry_point() -> None:
    """The README is what planc is, the two commands, a tour and links: details live in docs/."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme) < 12_000
    assert "bash scripts/example.sh" in readme and "bash scripts/test.sh" in readme
    for guide in ("ops.md", "reviewers.md", "reps.md", "publishing.md", "format.md", "cli.md"):
        assert f"docs/{guide}" in readme


def test_every_rule_has_an_explanation_with_examples() -> None:
    from planc.codes import RULES

    for code, rule in RULES.items():
        assert re.fullmatch(r"PLC\d{3}", code)
        assert rule.summary.endswith("."), code
        if code[3] in "23456":  # model checks: a failing and a passing example
            assert "Fails" in rule.doc and "Passes" in rule.doc, code


def test_every_declared_rule_is_in_the_registry() -> None:
    """A rule declared anywhere reaches planc.codes (so explain, SARIF and docs know it)."""
    import importlib
    import pkgutil

    import planc
    from planc.codes import RULES
    from planc.core.diagnostics import declared_rule

    for module in pkgutil.walk_packages(planc.__path__, "planc."):
        if module.name != "planc.__main__":
            importlib.import_module(module.name)
    for code in [f"PLC{n:03d}" for n in range(1000)]:
        rule = declared_rule(code)
        if rule is not None:
            assert code in RULES, f"{code} is declared but not collected in planc.codes"


def test_explain_prints_the_documentation() -> None:
    result = run_planc("explain", "plc301")
    assert result.code == 0
    assert result.stdout.startswith("PLC301 children-out-of-band [error]")
    assert "Fails" in result.stdout and "Passes" in result.stdout


def test_explain_prints_what_codes_md_says() -> None:
    """docs/codes.md promises `planc explain CODE` prints the same text: no reStructuredText
    left in the terminal ("Fails::", ``x``), every code's text as the page has it."""
    from planc.codes import RULES

    page = (REPO / "docs" / "codes.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"\n{rule.text.strip()}\n" in page, rule.code
        assert "::\n" not in rule.text and "``" not in rule.text, rule.code
        assert "``" not in rule.summary, rule.code  # planc rules, SARIF's short description
    result = run_planc("explain", "PLC303")
    assert result.stdout == f"PLC303 months-do-not-add-up [error]\n\n{RULES['PLC303'].text}\n"
    assert "Fails:\n" in result.stdout


class TestExplainByName:
    """planc explain takes a code or a rule's name, and its --help lists every code."""

    @pytest.mark.parametrize("name", ["children-out-of-band", "Children_Out_Of_Band", " PLC301 "])
    def test_a_rule_name_explains_like_its_code(self, name: str) -> None:
        result = run_planc("explain", name)
        assert result.code == 0, result.stderr
        assert result.stdout == run_planc("explain", "PLC301").stdout

    def test_help_lists_every_code_with_its_name(self) -> None:
        from planc.codes import RULES

        result = run_planc("explain", "--help")
        assert result.code == 0
        for rule in RULES.values():
            assert f"{rule.code}  {rule.slug}" in result.stdout, rule.code

    def test_a_misspelt_name_gets_a_suggestion(self) -> None:
        result = run_planc("explain", "childen-out-of-band")
        assert result.code == 2
        assert "did you mean children-out-of-band?" in result.stderr
        assert "Traceback" not in result.stderr


def test_every_report_format_option_is_the_same_option() -> None:
    """--format is -f in every command that has it, with its default shown (check's says
    in words where it runs), so a user's habit from one command works in the next."""
    from planc.cli import cli

    formats = {
        name: param
        for name, command in cli.commands.items()
        for param in command.params
        if param.name == "output_format"
    }
    assert len(formats) == 8, sorted(formats)
    for name, param in formats.items():
        assert isinstance(param, click.Option), name
        assert param.opts == ["--format", "-f"], name
        assert param.show_default == (name != "check"), name
