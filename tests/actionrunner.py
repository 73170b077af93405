"""Runs the composite action.yml the way a GitHub runner does, for the steps planc owns.

Steps run in order with ``bash --noprofile --norc -eo pipefail``; ``if:`` conditions
and ``${{ }}`` expressions are evaluated over the inputs (defaults applied), the
event and earlier steps' outputs; a failing step stops the action, as on GitHub.
``uses:`` steps (setup-python) and the install step are skipped: planc is already
installed here. The expression language covers what action.yml and the documented
examples use (context paths, 'strings', ==, !=, &&); anything else fails loudly
so a new construct cannot be silently misread.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from conftest import REPO

ACTION = REPO / "action.yml"
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_COMPARISON = re.compile(r"(.+?)\s*(==|!=)\s*(.+)")
_PATH = re.compile(r"[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*")


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    """The value of one expression (without ``${{ }}``)."""
    if "||" in expression or "(" in expression:
        raise AssertionError(f"the test runner does not read {expression!r}: extend it")
    clauses = [c.strip() for c in expression.split("&&")]
    if len(clauses) > 1:
        return all(truthy(evaluate(c, context)) for c in clauses)
    match = _COMPARISON.fullmatch(expression.strip())
    if match:
        left, right = term(match.group(1), context), term(match.group(3), context)
        return (as_text(left) == as_text(right)) == (match.group(2) == "==")
    return term(expression, context)


def term(text: str, context: dict[str, Any]) -> Any:
    text = text.strip()
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("''", "'")
    if not _PATH.fullmatch(text):
        raise AssertionError(f"the test runner does not read {text!r}: extend it")
    value: Any = context
    for part in text.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def truthy(value: Any) -> bool:
    return value not in (None, False, "", 0)


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def substitute(text: str, context: dict[str, Any]) -> str:
    """A value with every ``${{ }}`` replaced, as GitHub does for env and with."""
    return _EXPRESSION.sub(lambda m: as_text(evaluate(m.group(1), context)), text)


def condition(text: str, context: dict[str, Any]) -> bool:
    inner = _EXPRESSION.fullmatch(text.strip())
    return truthy(evaluate(inner.group(1) if inner else text, context))


@dataclass
class StepRun:
    name: str
    code: int
    stdout: str
    stderr: str


@dataclass
class ActionRun:
    steps: list[StepRun] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    summary: str = ""

    @property
    def ok(self) -> bool:
        return all(s.code == 0 for s in self.steps)

    def step(self, name: str) -> StepRun:
        [found] = [s for s in self.steps if s.name == name]
        return found

    def log(self) -> str:
        return "\n".join(f"== {s.name} ({s.code})\n{s.stdout}{s.stderr}" for s in self.steps)


def run_action(
    repo: Path,
    inputs: dict[str, str],
    event_name: str,
    event: dict[str, Any],
    scratch: Path,
    environment: dict[str, str] | None = None,
) -> ActionRun:
    """Run action.yml in ``repo`` for one event; ``environment`` adds variables (git, API)."""
    action: dict[str, Any] = yaml.load(ACTION.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    given = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    unknown = set(inputs) - set(given)
    assert not unknown, f"action.yml has no inputs {sorted(unknown)}"
    given.update(inputs)
    scratch.mkdir(parents=True, exist_ok=True)
    event_path = scratch / "event.json"
    event_path.write_text(json.dumps(event), encoding="utf-8")
    context: dict[str, Any] = {
        "inputs": given,
        "github": {
            "event_name": event_name,
            "event": event,
            "action_path": str(REPO),
            "token": "ghs_test-token",
            "repository": (environment or {}).get("GITHUB_REPOSITORY", "acme/sales"),
        },
        "steps": {},
    }
    summary = scratch / "summary.md"
    run = ActionRun()
    for index, step in enumerate(action["runs"]["steps"]):
        name = step.get("name") or step.get("id") or step.get("uses", "?")
        if "uses" in step or name == "Install planc":
            run.skipped.append(name)
            continue
        if "if" in step and not condition(step["if"], context):
            run.skipped.append(name)
            continue
        output = scratch / f"output-{index}"
        output.touch()
        env = {
            **os.environ,
            **(environment or {}),
            **{k: substitute(v, context) for k, v in step.get("env", {}).items()},
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_ACTIONS": "true",
            "GITHUB_ACTION_PATH": str(REPO),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event_path),
        }
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        run.steps.append(StepRun(name, done.returncode, done.stdout, done.stderr))
        if "id" in step:
            pairs = (
                line.partition("=") for line in output.read_text(encoding="utf-8").splitlines()
            )
            context["steps"][step["id"]] = {"outputs": {k: v for k, _, v in pairs}}
        if done.returncode != 0:
            break  # a failed step ends a composite action
    run.outputs = {
        name: substitute(spec["value"], context) for name, spec in action["outputs"].items()
    }
    run.summary = summary.read_text(encoding="utf-8") if summary.exists() else ""
    return run
