"""Reporters: the same diagnostics as text, JSON, GitHub annotations or SARIF."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from planc import __version__
from planc.core.diagnostics import Counts, Diagnostic, Rule, Severity, declared_rule
from planc.core.markdown import code, escape
from planc.core.model import Level
from planc.core.pipeline import CheckResult
from planc.core.safetext import printable
from planc.core.source import SourceFile, SourceSpan

JSON_FORMAT_VERSION = 1
_NO_SPAN = SourceSpan("", 1, 1)


def _span(d: Diagnostic) -> SourceSpan:
    return d.span or _NO_SPAN


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(results: list[CheckResult]) -> str:
    diagnostics = [d for r in results for d in r.diagnostics]
    counts = Counts.of(diagnostics)
    files = sum(len(r.sources) for r in results)
    verdict = "FAILED" if counts.errors else "OK"
    parts = [_plural(counts.errors, "error"), _plural(counts.warnings, "warning")]
    scope = []
    for r in results:
        shown = r.levels
        if r.plan is not None:
            levels = [n.level for n in r.plan.nodes.values()]
            shown = (levels.count(Level.REGION), levels.count(Level.TEAM), levels.count(Level.REP))
        if shown is not None:
            scope.append(
                f"{r.label}: {_plural(shown[0], 'region')}, "
                f"{_plural(shown[1], 'team')}, {_plural(shown[2], 'rep')}"
            )
    where = f" ({'; '.join(scope)})" if scope else ""
    # findings on no plan file (an import's sheets) are not "in 0 files"
    read = f" in {_plural(files, 'file')}" if files or scope else ""
    return f"{verdict}: {', '.join(parts)}{read}{where}"


def text(results: list[CheckResult]) -> str:
    """``path:line:col: CODE [severity] message``, the hint, and the line with a caret.

    User text (paths, names in messages, the source line) is shown through
    :func:`printable`: a control character or escape sequence is never sent to
    the terminal as it is.
    """
    lines: list[str] = []
    for result in results:
        for d in result.diagnostics:
            lines += diagnostic_lines(d, result.sources)
    lines.append(printable(summary_line(results)))
    return "\n".join(lines) + "\n"


def diagnostic_lines(d: Diagnostic, sources: Mapping[str, SourceFile]) -> list[str]:
    """One diagnostic for a terminal: the headline, the source line with a caret, the hint."""
    span = _span(d)
    lines = [printable(f"{span}: {d.code} [{d.severity.value}] {d.message}")]
    source = sources.get(span.path)
    code_line = source.line_text(span.line) if source is not None else ""
    if code_line.strip():
        gutter = f"{span.line:>5} | "
        code_line, col = _excerpt(code_line.rstrip(), span.col)
        before = printable(code_line[: max(col - 1, 0)])
        lines.append(gutter + printable(code_line))
        lines.append(" " * (len(gutter) - 2) + "| " + _caret_pad(before, len(before) + 1) + "^")
    if d.hint:
        lines.append(f"      = hint: {printable(d.hint)}")
    return lines


# A longer source line (a plan written on one line, a minified file) is shown around the
# column: printed whole, a 64 MiB line came out once per diagnostic on it.
_EXCERPT = 200


def _excerpt(line: str, col: int) -> tuple[str, int]:
    """The line, or a window of it around ``col`` marked with … where it is cut; and
    ``col`` in what is shown."""
    if len(line) <= _EXCERPT:
        return line, col
    start = max(0, min(col - 1 - _EXCERPT // 2, len(line) - _EXCERPT))
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + _EXCERPT < len(line) else ""
    return prefix + line[start : start + _EXCERPT] + suffix, col - start + len(prefix)


def _caret_pad(line: str, col: int) -> str:
    # Keep tabs so the caret lines up, and count wide (CJK) characters twice.
    pad = []
    for char in line[: max(col - 1, 0)]:
        if char == "\t":
            pad.append("\t")
        else:
            pad.append("  " if _is_wide(char) else " ")
    return "".join(pad)


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def as_json(results: list[CheckResult]) -> str:
    """Versioned JSON: counts and each diagnostic with code, severity, message, hint, range."""
    diagnostics = [d for r in results for d in r.diagnostics]
    counts = Counts.of(diagnostics)
    document: dict[str, Any] = {
        "version": JSON_FORMAT_VERSION,
        "tool": {"name": "planc", "version": __version__},
        "plans": [r.label for r in results],
        "counts": {"error": counts.errors, "warning": counts.warnings, "info": counts.infos},
        "diagnostics": [diagnostic_json(d) for d in diagnostics],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    """One diagnostic as the versioned JSON formats show it (check, track)."""
    span = _span(d)
    end_line, end_col = span.end
    return {
        "code": d.code,
        "severity": d.severity.value,
        "message": d.message,
        "hint": d.hint,
        "path": span.path,
        "range": {
            "start": {"line": span.line, "col": span.col},
            "end": {"line": end_line, "col": end_col},
        },
    }


def github(results: list[CheckResult]) -> str:
    """Workflow commands: one ``::error file=…,line=…,col=…`` annotation per diagnostic."""
    levels = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for result in results:
        for d in result.diagnostics:
            span = _span(d)
            props = ",".join(
                f"{k}={_escape_property(str(v))}"
                for k, v in (
                    ("file", span.path),
                    ("line", span.line),
                    ("col", span.col),
                    ("title", d.code),
                )
            )
            body = d.message + (f"\nhint: {d.hint}" if d.hint else "")
            lines.append(f"::{levels[d.severity]} {props}::{_escape_data(body)}")
    lines.append(summary_line(results))
    return "\n".join(lines) + "\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _rules_reported(results: list[CheckResult]) -> list[Rule]:
    """The rules behind the codes in these results, by code (SARIF lists what it uses)."""
    codes = sorted({d.code for result in results for d in result.diagnostics})
    return [r for r in map(declared_rule, codes) if r is not None]


PROJECT_URI = "https://github.com/planc/planc"
CODES_URI = PROJECT_URI + "/blob/main/docs/codes.md"


def help_uri(code: str) -> str:
    """Where a code is documented: its heading in docs/codes.md (``## PLC301`` → ``#plc301``)."""
    return f"{CODES_URI}#{code.lower()}"


def artifact_uri(path: str) -> str:
    """A path as a URI reference: percent-encoded (spaces, %, 华北.yaml), absolute as file://."""
    posix = path.replace("\\", "/")
    encoded = quote(posix, safe="/")
    return "file://" + encoded if posix.startswith("/") else encoded


def sarif(results: list[CheckResult]) -> str:
    """SARIF 2.1.0 (valid against the official schema), for GitHub code scanning and others.

    Columns count Unicode code points, as planc does (SARIF readers default to UTF-16
    units, so the run says so); a finding about a folder or a file planc did not read
    has no region, only the artifact.
    """
    levels = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
    rules = [
        {
            "id": r.code,
            "name": r.slug,
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": r.text},
            "defaultConfiguration": {"level": levels[r.severity]},
            "help": {"text": r.text},
            "helpUri": help_uri(r.code),
        }
        for r in _rules_reported(results)
    ]
    index = {r["id"]: i for i, r in enumerate(rules)}
    runs_results = []
    for result in results:
        for d in result.diagnostics:
            found: dict[str, Any] = {"ruleId": d.code}
            if d.code in index:
                found["ruleIndex"] = index[d.code]
            found["level"] = levels[d.severity]
            found["message"] = {"text": d.message + (f" (hint: {d.hint})" if d.hint else "")}
            if _span(d).path:
                found["locations"] = [{"physicalLocation": _physical_location(d, result)}]
            runs_results.append(found)
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "planc",
                        "version": __version__,
                        "informationUri": PROJECT_URI,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": runs_results,
            }
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _physical_location(d: Diagnostic, result: CheckResult) -> dict[str, Any]:
    span = _span(d)
    location: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(span.path)}}
    if span.path in result.sources:  # a file planc read: the region means something
        end_line, end_col = span.end
        location["region"] = {
            "startLine": span.line,
            "startColumn": span.col,
            "endLine": end_line,
            "endColumn": end_col,
        }
    return location


SUMMARY_ROW_LIMIT = 1000  # a job summary holds at most 1 MiB


def markdown(results: list[CheckResult]) -> str:
    """A markdown summary for GitHub's job summary: GitHub shows only the first ten
    annotations of a kind per step, so every diagnostic is listed here too."""
    # only this format reads messages as templates; every other run does without the module
    from planc.core.locales import Words  # noqa: PLC0415

    english = Words()
    diagnostics = [d for r in results for d in r.diagnostics]
    counts = Counts.of(diagnostics)
    icon = "❌" if counts.errors else ("⚠️" if counts.warnings else "✅")
    lines = [f"### {icon} planc check", "", escape(summary_line(results)), ""]
    if diagnostics:
        lines += ["| | where | code | message |", "|---|---|---|---|"]
        marks = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.INFO: "ℹ️"}  # noqa: RUF001 - the emoji is meant
        for d in diagnostics[:SUMMARY_ROW_LIMIT]:
            # planc's `code` spans render as code; what a user wrote stays escaped (Words.markdown)
            message = english.markdown(d.message)
            if d.hint:
                message += f" — {english.markdown(d.hint)}"
            lines.append(f"| {marks[d.severity]} | {code(str(_span(d)))} | {d.code} | {message} |")
        if len(diagnostics) > SUMMARY_ROW_LIMIT:
            lines += [
                "",
                f"…and {len(diagnostics) - SUMMARY_ROW_LIMIT:,} more: run `planc check` locally.",
            ]
    return "\n".join(lines) + "\n"


REPORTER_BY_NAME: dict[str, Callable[[list[CheckResult]], str]] = {
    "text": text,
    "json": as_json,
    "github": github,
    "sarif": sarif,
    "markdown": markdown,
}
