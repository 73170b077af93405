"""Reporters: the same diagnostics as text (golden), JSON, GitHub annotations and SARIF."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import MINI, TESTS, run_planc

GOLDEN = TESTS / "golden"

BROKEN_EDITS = {
    "regions/north.yaml": [
        (
            "value: 550000\n              stretch: 600000",
            "value: 650000\n              stretch: 600000",
        ),
        ("months: [170000, 180000, 200000]", "months: [170000, 180000, 100000]"),
        ("products: {pro: 250000, basic: 300000}", "products: {pro: 250000, basci: 300000}"),
        ("      owner: ned\n", "      owner: nedd\n"),
    ],
    "regions/south.yaml": [
        ("name: 华南中小企业", "name: 华南中小企业\n      owner: sun\n      owner: sun")
    ],
}


@pytest.fixture
def broken_plan(tmp_path: Path) -> Path:
    """The fixture plan with several semantic mistakes (and CJK text on an error line)."""
    plan = tmp_path / "2027-Q1"
    shutil.copytree(MINI, plan)
    for name, edits in BROKEN_EDITS.items():
        path = plan / name
        text = path.read_text(encoding="utf-8")
        for old, new in edits:
            assert text.count(old) == 1, old
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    return plan


@pytest.fixture
def semantic_plan(tmp_path: Path) -> Path:
    """Broken only semantically, so the model and every check family run."""
    plan = tmp_path / "2027-Q1"
    shutil.copytree(MINI, plan)
    path = plan / "regions" / "north.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in BROKEN_EDITS["regions/north.yaml"]:
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return plan


def check_golden(name: str, actual: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing golden {path}; run pytest --update-goldens"
    assert actual == path.read_text(encoding="utf-8")


class TestText:
    """Text output: path:line:col, code, severity, message, source line with caret, hint."""

    def test_semantic_errors_golden(self, semantic_plan: Path, update_goldens: bool) -> None:
        result = run_planc("check", "2027-Q1", cwd=semantic_plan.parent)
        assert result.code == 1
        check_golden("semantic.txt", result.stdout, update_goldens)

    def test_duplicate_key_stops_before_the_model(self, broken_plan: Path) -> None:
        result = run_planc("check", "2027-Q1", cwd=broken_plan.parent)
        assert result.code == 1
        assert (
            "2027-Q1/regions/south.yaml:16:7: PLC002 [error] duplicate key `owner`" in result.stdout
        )
        assert "PLC303" not in result.stdout  # semantic checks wait for well-formed files

    def test_clean_plan_summary(self, mini_plan: Path) -> None:
        result = run_planc("check", mini_plan)
        assert result.code == 0
        assert result.stdout.startswith("OK: 0 errors, 0 warnings in 3 files")


class TestJson:
    def test_versioned_with_counts_and_ranges(self, semantic_plan: Path) -> None:
        result = run_planc("check", semantic_plan, "--format", "json")
        document = result.json()
        assert document["version"] == 1
        assert document["counts"] == {"error": 6, "warning": 1, "info": 0}
        first = document["diagnostics"][0]
        assert set(first) == {"code", "severity", "message", "hint", "path", "range"}
        assert first["range"]["start"]["line"] <= first["range"]["end"]["line"]

    def test_written_atomically_to_a_file(self, semantic_plan: Path, tmp_path: Path) -> None:
        out = tmp_path / "reports" / "check.json"
        result = run_planc("check", semantic_plan, "--format", "json", "--output", out)
        assert result.code == 1
        assert result.stdout == ""
        assert json.loads(out.read_text(encoding="utf-8"))["counts"]["error"] == 6
        assert [p.name for p in out.parent.iterdir()] == ["check.json"]  # no temp file left


class TestGithub:
    def test_chosen_automatically_in_actions(self, semantic_plan: Path) -> None:
        result = run_planc("check", semantic_plan, env={"GITHUB_ACTIONS": "true"})
        lines = result.stdout.splitlines()
        assert lines[0].startswith("::error file=")
        assert ",line=" in lines[0]
        assert ",title=PLC" in lines[0]

    def test_annotation_escapes_newlines_and_percent(self) -> None:
        from planc.core.diagnostics import Diagnostic, Severity
        from planc.core.pipeline import CheckResult
        from planc.core.reporters import github
        from planc.core.source import SourceSpan

        d = Diagnostic(
            "PLC301",
            Severity.ERROR,
            "100% over\nnext",
            "a:b,c",
            None,
            SourceSpan("a,b:c.yaml", 3, 4),
        )
        line = github([CheckResult("x", diagnostics=[d])]).splitlines()[0]
        assert (
            line
            == "::error file=a%2Cb%3Ac.yaml,line=3,col=4,title=PLC301::100%25 over%0Anext%0Ahint: a:b,c"
        )


class TestSarif:
    def test_sarif_2_1_0_shape(self, semantic_plan: Path) -> None:
        document = run_planc("check", semantic_plan, "--format", "sarif").json()
        assert document["version"] == "2.1.0"
        run = document["runs"][0]
        rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
        assert rule_ids == sorted(rule_ids)
        for result in run["results"]:
            assert rule_ids[result["ruleIndex"]] == result["ruleId"]
            region = result["locations"][0]["physicalLocation"]["region"]
            assert region["startLine"] >= 1
            assert region["startColumn"] >= 1
        assert {r["level"] for r in run["results"]} == {"error", "warning"}


class TestMarkdownSummary:
    """The job summary lists every diagnostic, with plan text unable to inject markup."""

    def test_written_to_the_job_summary_in_actions(
        self, semantic_plan: Path, tmp_path: Path
    ) -> None:
        summary = tmp_path / "summary.md"
        env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
        result = run_planc("check", semantic_plan, env=env)
        assert result.code == 1
        text = summary.read_text(encoding="utf-8")
        assert text.startswith("### ❌ planc check")
        assert text.count("| ❌ |") == 6
        assert text.count("| ⚠️ |") == 1

    def test_written_once_per_job_only_with_the_annotations(
        self, semantic_plan: Path, tmp_path: Path
    ) -> None:
        """A job that asks for annotations and SARIF (two calls) gets one summary, and the
        counts as step outputs."""
        summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
        env = {
            "GITHUB_ACTIONS": "true",
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_OUTPUT": str(outputs),
        }
        assert run_planc("check", semantic_plan, env=env).code == 1
        for fmt in ("sarif", "json", "text", "markdown"):
            out = tmp_path / f"report.{fmt}"
            assert run_planc("check", semantic_plan, "-f", fmt, "-o", out, env=env).code == 1
        assert summary.read_text(encoding="utf-8").count("### ❌ planc check") == 1
        assert outputs.read_text(encoding="utf-8") == "error_count=6\nwarning_count=1\n"

    def test_plan_text_cannot_inject(self) -> None:
        from planc.core.markdown import code, escape

        hostile = "@everyone <img src=x onerror=alert(1)> [x](http://evil) | #1\nnext"
        escaped = escape(hostile)
        assert "<img" not in escaped
        assert "@everyone" not in escaped
        assert "](" not in escaped
        assert "\n" not in escaped
        assert " | " not in escaped
        assert code("a`b") == "`a'b`"

    @pytest.mark.parametrize("cache", ["cold", "warm"])
    def test_planc_s_code_spans_render_as_code_and_a_users_text_stays_inert(
        self, mini_plan: Path, tmp_path: Path, cache: str
    ) -> None:
        """A message's own `code` (a YAML key, a value) renders as inline code, not as
        backticks escaped into the text; an argument written by the user, here a key with
        backticks, HTML, an @mention and a link, is still inert, inside the span or outside.
        A warm run (the messages read back from the cache) renders them as a cold one."""
        from markdown_it import MarkdownIt

        path = mini_plan / "regions" / "north.yaml"
        hostile = "x`<b>@everyone` [a](http://e) `y"
        text = path.read_text(encoding="utf-8")
        text = text.replace(
            "value: 550000\n", f"value: 550000\n              {json.dumps(hostile)}: 1\n", 1
        )
        text = text.replace("months: [170000, 180000, 200000]", "months: [0170000, 180000, 200000]")
        path.write_text(text, encoding="utf-8")
        args = ("check", mini_plan, "-f", "markdown", "--cache-dir", tmp_path / "cache")
        if cache == "warm":
            run_planc(*args)
        result = run_planc(*args)
        assert result.code == 1, result.stderr
        html = MarkdownIt("commonmark").enable("table").render(result.stdout)
        assert "<code>0170000</code> has a leading zero" in html, result.stdout
        assert "unknown key <code>x'&lt;b&gt;@everyone' [a](http://e) 'y</code>" in html
        outside = re.sub(r"<code>.*?</code>", "", html)
        assert "`" not in outside and "@everyone" not in outside and "<b>" not in html
        assert "<a " not in html
