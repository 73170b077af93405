"""The JSON of check, track and diff follows the schemas published in schema/.

Real outputs of the real command line, in their different situations (clean, with
errors, unreadable input, with and without a change), validate against
``schema/<command>-output.schema.json``; and a diagnostic has one shape in all three.
"""

from __future__ import annotations

import json
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conftest import MINI, REPO, run_planc

SCHEMAS = REPO / "schema"
EXPORT = REPO / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_pipeline.csv"
TRACKED = REPO / "plans" / "2017-Q3"


@cache
def validator(command: str) -> Any:
    schema = json.loads((SCHEMAS / f"{command}-output.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def assert_valid(command: str, document: Any) -> None:
    errors = sorted(validator(command).iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def output_of(*args: str | Path, cwd: Path | None = None) -> Any:
    result = run_planc(*args, "--format", "json", cwd=cwd)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.code in (0, 1), result.stderr
    return result.json()


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def plans(tmp_path: Path) -> Path:
    """base/: the fixture plan; changed/: two reps' numbers moved; broken/: a YAML error."""
    for name in ("base", "changed", "broken"):
        shutil.copytree(MINI, tmp_path / name)
    north = tmp_path / "changed" / "regions" / "north.yaml"
    replace_once(north, "months: [150000, 180000, 220000]", "months: [140000, 180000, 220000]")
    replace_once(
        north,
        "      value: 550000\n              stretch",
        "      value: 540000\n              stretch",
    )
    replace_once(
        north, "products: {pro: 300000, basic: 250000}", "products: {pro: 290000, basic: 250000}"
    )
    replace_once(
        tmp_path / "broken" / "regions" / "north.yaml", "  name: North\n", '  name: "North\n'
    )
    return tmp_path


class TestCheckOutput:
    def test_clean_errors_and_missing_folders(self, plans: Path) -> None:
        for args in (["base"], ["changed", "broken"], ["missing", "base"]):
            document = output_of("check", *args, cwd=plans)
            assert_valid("check", document)
        assert document["diagnostics"][0]["code"] == "PLC011"


class TestTrackOutput:
    @pytest.mark.parametrize(
        "extra",
        [
            pytest.param(("--as-of", "2017-08-15"), id="mid-quarter"),
            pytest.param(("--as-of", "2017-07-02", "--baselines"), id="baselines"),
            pytest.param(
                ("--as-of", "2017-08-15", "--accounts", EXPORT.parent / "accounts.csv"),
                id="segments",
            ),
        ],
    )
    def test_tracked_quarter(self, extra: tuple[str, ...]) -> None:
        document = output_of("track", TRACKED, "--actuals", EXPORT, *extra)
        assert_valid("track", document)
        assert document["progress"]
        assert document["products"] and document["forecast_method"]
        assert ("segments" in document) == ("--accounts" in extra)

    def test_unreadable_export_has_only_diagnostics(self, tmp_path: Path) -> None:
        export = tmp_path / "crm.csv"
        export.write_text("no,header,we,know\n1,2,3,4\n", encoding="utf-8")
        document = output_of("track", TRACKED, "--actuals", export)
        assert_valid("track", document)
        assert "progress" not in document and document["counts"]["error"] >= 1


class TestDiffOutput:
    @pytest.mark.parametrize(
        ("head", "status"),
        [("changed", "changed"), ("base", "unchanged"), ("broken", "head-invalid")],
    )
    def test_impact_of_a_change(self, plans: Path, head: str, status: str) -> None:
        document = output_of("diff", "--base", "base", "--head", head, cwd=plans)
        assert_valid("diff", document)
        assert [i["status"] for i in document["impacts"]] == [status]

    def test_moves_inside_a_target_are_listed(self, plans: Path) -> None:
        """The phasing and product-split moves the comment shows are in the JSON too."""
        document = output_of("diff", "--base", "base", "--head", "changed", cwd=plans)
        assert_valid("diff", document)
        moves = document["impacts"][0]["moves"]
        by_part = {(m["target"], m["month"] or m["product"]): m for m in moves}
        month = next(m for m in moves if m["month"] is not None)
        product = next(m for m in moves if m["product"] is not None)
        assert (month["before"], month["after"], month["delta"]) == ("150000", "140000", "-10000")
        assert (product["product"], product["before"], product["after"]) == (
            "pro",
            "300000",
            "290000",
        )
        assert (
            product["month"] is None and month["product"] is None and month["product_name"] is None
        )
        assert product["product_name"] and product["delta"] == "-10000"
        assert len(by_part) == len(moves) == 2, moves


class TestOneDiagnosticShape:
    """check, track and diff write a diagnostic the same way: path and range, start and end."""

    def test_the_schemas_define_one_diagnostic(self) -> None:
        definitions = [
            json.loads((SCHEMAS / f"{c}-output.schema.json").read_text(encoding="utf-8"))[
                "definitions"
            ]
            for c in ("check", "track", "diff")
        ]
        for name in ("diagnostic", "position"):
            assert definitions[0][name] == definitions[1][name] == definitions[2][name]

    def test_diff_diagnostics_have_the_shape_check_writes(self, plans: Path) -> None:
        impact = output_of("diff", "--base", "base", "--head", "changed", cwd=plans)["impacts"][0]
        checked = output_of("check", "changed", cwd=plans)["diagnostics"]
        introduced = impact["checks"]["introduced"]
        assert introduced, impact["checks"]
        assert {json.dumps(d, sort_keys=True) for d in introduced} <= {
            json.dumps(d, sort_keys=True) for d in checked
        }

    def test_the_old_diff_shape_is_refused(self) -> None:
        old = {"code": "PLC301", "severity": "error", "message": "m", "hint": None,
               "location": {"path": "a.yaml", "line": 1, "col": 1}}  # fmt: skip
        document = {"version": 1, "tool": {"name": "planc", "version": "0"}, "plans": [],
                    "counts": {"error": 1, "warning": 0, "info": 0}, "diagnostics": [old]}  # fmt: skip
        assert not validator("check").is_valid(document)
