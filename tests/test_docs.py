"""The README stays true: its check-code table is generated from the registry."""

from __future__ import annotations

import re

from conftest import REPO, run_planc

START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def test_readme_rules_table_matches_registry() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split(START, 1)[1].split(END, 1)[0].strip()
    generated = run_planc("rules", "--format", "markdown").stdout.strip()
    assert table == generated, "regenerate with: planc rules --format markdown"


def test_every_rule_has_an_explanation_with_examples() -> None:
    from planc.codes import RULES

    for code, rule in RULES.items():
        assert re.fullmatch(r"PLC\d{3}", code)
        assert rule.summary.endswith("."), code
        if code[3] in "23456":  # model checks: a failing and a passing example
            assert "Fails" in rule.doc and "Passes" in rule.doc, code


def test_explain_prints_the_documentation() -> None:
    result = run_planc("explain", "plc301")
    assert result.code == 0
    assert result.stdout.startswith("PLC301 children-out-of-band [error]")
    assert "Fails" in result.stdout and "Passes" in result.stdout
