"""SARIF from the real command validates against the official 2.1.0 schema, for every path.

The schema is the OASIS one, shipped in tests/fixtures/sarif (see its README). The
reference jsonschema library checks it, with the URI formats checked strictly here
(jsonschema skips them unless an optional package is installed).
"""

from __future__ import annotations

import json
import re
import shutil
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest

from conftest import MINI, REPO, run_planc

SCHEMA = REPO / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"
_URI_CHARACTERS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*\Z")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")

FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("uri-reference")
def is_uri_reference(value: object) -> bool:
    """RFC 3986: only unreserved and reserved characters, and well-formed %XX escapes."""
    return isinstance(value, str) and _URI_CHARACTERS.match(value) is not None


@FORMATS.checks("uri")
def is_uri(value: object) -> bool:
    return is_uri_reference(value) and _SCHEME.match(str(value)) is not None


@cache
def validator() -> Any:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/errata01/os/schemas/sarif-schema-2.1.0.json")
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=FORMATS)


def sarif_of(*args: str | Path, cwd: Path) -> dict[str, Any]:
    result = run_planc("check", *args, "--format", "sarif", cwd=cwd)
    assert result.code in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    document: dict[str, Any] = result.json()
    errors = sorted(validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    return document


def results_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = document["runs"][0]["results"]
    return results


def location(result: dict[str, Any]) -> dict[str, Any]:
    physical: dict[str, Any] = result["locations"][0]["physicalLocation"]
    return physical


@pytest.fixture
def odd_names(tmp_path: Path) -> Path:
    """The fixture plan in a folder with a space and a %, with a region named 华北.yaml."""
    plan = tmp_path / "my plans 100%" / "2027-Q1"
    shutil.copytree(MINI, plan)
    north = plan / "regions" / "north.yaml"
    text = north.read_text(encoding="utf-8")
    old, new = (
        "    new_customers: {value: 10}\n    sales",
        "    new_customers: {value: -10}\n    sales",
    )
    assert text.count(old) == 1
    north.write_text(text.replace(old, new), encoding="utf-8")
    north.rename(plan / "regions" / "华北.yaml")
    return plan


class TestSchemaValid:
    """Every kind of path and finding gives SARIF the official schema accepts."""

    def test_clean_plan(self, tmp_path: Path) -> None:
        shutil.copytree(MINI, tmp_path / "2027-Q1")
        document = sarif_of("2027-Q1", cwd=tmp_path)
        assert results_of(document) == []
        assert document["runs"][0]["columnKind"] == "unicodeCodePoints"

    def test_spaces_percent_and_chinese_in_paths_are_percent_encoded(
        self, odd_names: Path, tmp_path: Path
    ) -> None:
        document = sarif_of(odd_names.relative_to(tmp_path), cwd=tmp_path)
        found = [r for r in results_of(document) if "regions" in str(location(r))]
        assert {r["ruleId"] for r in found} == {"PLC301", "PLC320", "PLC402"}
        for result in found:
            uri = location(result)["artifactLocation"]["uri"]
            assert uri == "my%20plans%20100%25/2027-Q1/regions/%E5%8D%8E%E5%8C%97.yaml"
            assert unquote(uri) == "my plans 100%/2027-Q1/regions/华北.yaml"
            assert location(result)["region"]["startLine"] == 11

    def test_absolute_path_is_a_file_uri(self, odd_names: Path, tmp_path: Path) -> None:
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        document = sarif_of(odd_names, cwd=elsewhere)
        uris = {location(r)["artifactLocation"]["uri"] for r in results_of(document)}
        assert all(uri.startswith("file:///") and " " not in uri for uri in uris)
        assert {unquote(uri.removeprefix("file://")) for uri in uris} == {
            str(odd_names / "quarter.yaml"),
            str(odd_names / "regions" / "华北.yaml"),
        }

    def test_folder_level_results_have_no_region(self, tmp_path: Path) -> None:
        (tmp_path / "only-regions" / "regions").mkdir(parents=True)
        shutil.copy(MINI / "regions" / "north.yaml", tmp_path / "only-regions" / "regions")
        document = sarif_of("missing", "only-regions", cwd=tmp_path)
        found = {r["ruleId"]: location(r) for r in results_of(document)}
        assert found["PLC011"] == {"artifactLocation": {"uri": "missing"}}
        assert found["PLC106"] == {"artifactLocation": {"uri": "only-regions"}}

    def test_file_planc_did_not_read_has_no_region(self, tmp_path: Path) -> None:
        shutil.copytree(MINI, tmp_path / "2027-Q1")
        document = sarif_of("2027-Q1", "--max-file-size", "100", cwd=tmp_path)
        too_large = [location(r) for r in results_of(document) if r["ruleId"] == "PLC010"]
        assert too_large and all("region" not in where for where in too_large)


class TestRules:
    """Each rule reported links to its entry in the docs, which exists."""

    def test_help_uri_points_at_the_codes_heading(self, odd_names: Path, tmp_path: Path) -> None:
        document = sarif_of(odd_names.relative_to(tmp_path), "missing", cwd=tmp_path)
        rules = document["runs"][0]["tool"]["driver"]["rules"]
        headings = {
            line.removeprefix("## ").strip().lower()
            for line in (REPO / "docs" / "codes.md").read_text(encoding="utf-8").splitlines()
            if line.startswith("## ")
        }
        assert {r["id"] for r in rules} == {"PLC011", "PLC301", "PLC320", "PLC402"}
        for rule in rules:
            page, anchor = rule["helpUri"].split("#")
            assert page.endswith("/docs/codes.md")
            assert anchor == rule["id"].lower() and anchor in headings

    def test_the_schema_check_catches_what_was_wrong_before(self) -> None:
        """A raw path with a space or a Chinese name fails; the same path encoded passes."""
        raw = {
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {"driver": {"name": "planc"}},
                    "results": [
                        {
                            "message": {"text": "x"},
                            "locations": [
                                {"physicalLocation": {"artifactLocation": {"uri": "a b/华北.yaml"}}}
                            ],
                        }
                    ],
                }
            ],
        }
        assert not validator().is_valid(raw)
        location = raw["runs"][0]["results"][0]["locations"][0]  # type: ignore[index]
        location["physicalLocation"]["artifactLocation"]["uri"] = "a%20b/%E5%8D%8E%E5%8C%97.yaml"
        assert validator().is_valid(raw)
