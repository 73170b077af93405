"""The schema itself: valid draft-07, written for ops, and agreeing with the shipped plans."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from conftest import MINI, REPO, run_planc

SCHEMA_PATH = REPO / "schema" / "plan.schema.json"
PLAN_FILES = sorted((REPO / "plans").rglob("*.yaml")) + sorted(MINI.rglob("*.yaml"))


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def properties(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property schema, with where it is."""
    if isinstance(node, dict):
        for name, child in node.get("properties", {}).items():
            yield f"{path}/properties/{name}", child
        for key, child in node.items():
            yield from properties(child, f"{path}/{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from properties(child, f"{path}/{index}")


def definitions_used_as_properties() -> dict[str, str]:
    return {name: d.get("description", "") for name, d in schema()["definitions"].items()}


class TestSchemaDocument:
    def test_is_valid_draft_07(self) -> None:
        document = schema()
        assert document["$schema"] == "http://json-schema.org/draft-07/schema#"
        jsonschema.Draft7Validator.check_schema(document)

    def test_every_property_has_a_description_for_ops(self) -> None:
        described = definitions_used_as_properties()
        missing = []
        for where, prop in properties(schema()):
            ref = prop.get("$ref", "")
            target = ref.rsplit("/", 1)[-1] if ref else None
            if not prop.get("description") and not (target and described.get(target)):
                missing.append(where)
        assert missing == []


@pytest.mark.parametrize("path", PLAN_FILES, ids=lambda p: str(p.relative_to(REPO)))
class TestShippedPlanFiles:
    def test_starts_with_the_schema_modeline(self, path: Path) -> None:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        prefix = "# yaml-language-server: $schema="
        assert first.startswith(prefix)
        assert (path.parent / first.removeprefix(prefix)).resolve() == SCHEMA_PATH.resolve()

    def test_valid_under_the_reference_implementation(self, path: Path) -> None:
        # An independent validator (python-jsonschema), so the schema is not tied to
        # jsonschema-rs's quirks. Dates are loaded as strings, as planc does.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_DatesAsText)
        errors = [e.message for e in jsonschema.Draft7Validator(schema()).iter_errors(data)]
        assert errors == []


class _DatesAsText(yaml.SafeLoader):
    pass


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class TestExamplePlan:
    def test_example_quarter_is_clean(self) -> None:
        result = run_planc("check", REPO / "plans" / "2027-Q1", "--strict", "--format", "json")
        assert result.code == 0, result.stdout
        assert result.json()["diagnostics"] == []

    def test_example_quarter_has_what_the_issue_asks(self) -> None:
        from planc.checks import check_directory
        from planc.core.model import Level

        plan = check_directory(REPO / "plans" / "2027-Q1").plan
        assert plan is not None
        levels = [node.level for node in plan.nodes.values()]
        assert levels.count(Level.REGION) >= 3
        assert levels.count(Level.TEAM) >= 6
        assert levels.count(Level.REP) >= 40
        units = {m.unit for m in plan.metrics.values()}
        assert units == {"currency", "count", "percent", "score"}
        assert any(m.is_cap for m in plan.metrics.values())
        reps = [plan.people[n.id] for n in plan.nodes.values() if n.level is Level.REP]
        assert any(p.start and plan.quarter.contains(p.start) for p in reps), "a new hire ramping"
        assert any(p.end and plan.quarter.contains(p.end) for p in reps), "a leaver"
        assert any(a.resources for a in plan.actions)
        names = [p.name for p in plan.people.values()]
        assert any(all(ord(c) < 128 for c in n) for n in names), "an English name"
        assert any(any(ord(c) > 0x3000 for c in n) for n in names), "a Chinese name"
