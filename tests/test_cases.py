"""Every diagnostic code, proven by data: a failing and a passing edit of the mini plan.

Each code has a case file ``tests/cases/<CODE>.yaml`` (sqlfluff-style: cases
are data, this module is the only code). A case file holds ``fail`` and
``pass``, each one case or a list of named cases::

    fail:
      - name: over-band            # optional; becomes part of the test id
        args: [--max-file-size, "{size:quarter.yaml-1}"]   # optional CLI options
        edits:                     # applied to a fresh copy of tests/fixtures/mini
          - {file: regions/north.yaml, replace: "<text occurring exactly once>", with: "<new>"}
        expect:                    # must all appear among the diagnostics
          - {code: PLC301, file: regions/north.yaml, line: 19, col: 26}
        absent: [PLC206]           # optional: codes that must not be reported as well
        xfail: "<bug report>"      # optional: a known bug, strict xfail
        command: track             # optional: run `planc track plan --format json ARGS`
                                   # instead of `planc check` (default: check); with
                                   # `import`: `planc import --format json ARGS`; with
                                   # `lsp`: compile as the language server does, ARGS
                                   # `--break-check CODE` making that check raise
    pass:
      - edits: [...]
        allow: [PLC412]            # optional: other warnings that cannot be avoided

Edits: ``replace``/``with`` (the text must occur exactly once), ``write``
(whole file, UTF-8), ``write_bytes_hex`` (whole file as bytes; whitespace in
the hex is ignored), ``write_xlsx`` (a workbook written by openpyxl from
``rows`` and ``merge``), ``edit_export`` (the plan exported as XLSX, then
cells ``set``, rows appended with ``append``, hidden ``meta`` values changed), ``delete: true``, ``rename_to``, ``copy_to`` and
``symlink_to``, ``hardlink_to``. ``file: .`` in an expectation is the plan folder itself.

The plan is checked by the real command, ``planc check plan --format json``
(or ``planc track plan --format json ARGS`` for ``command: track``: its JSON
lists diagnostics the same way), run in-process with click's ``CliRunner``
from the folder that holds it.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from planc.cli import cli
from planc.codes import RULES
from planc.track.engines.rules import SOURCE_CODES

TESTS = Path(__file__).parent
CASES_DIR = TESTS / "cases"
FIXTURE = TESTS / "fixtures" / "mini"
PLAN = "plan"  # the folder name the copy gets; diagnostics' paths are relative to its parent
CODE_FILE = re.compile(r"PLC\d{3}\Z")
SIZE_ARG = re.compile(r"\{size:([^}]+?)(?:([+-])(\d+))?\}")
EDIT_OPS = (
    "replace", "write", "write_bytes_hex", "write_xlsx", "edit_export", "delete", "rename_to",
    "copy_to", "symlink_to", "hardlink_to",
)  # fmt: skip
CASE_KEYS = {"name", "why", "command", "args", "edits", "expect", "absent", "allow", "xfail"}
EXPECT_KEYS = {"code", "file", "line", "col"}


# --- the case data ----------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    code: str
    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col} {self.code}"


@dataclass(frozen=True)
class Case:
    code: str
    kind: str  # "fail" or "pass"
    name: str | None
    edits: tuple[dict[str, Any], ...]
    args: tuple[str, ...] = ()
    expect: tuple[Expect, ...] = ()
    absent: frozenset[str] = field(default_factory=frozenset)
    allow: frozenset[str] = field(default_factory=frozenset)
    xfail: str | None = None
    command: str = "check"  # or "track": planc track plan --format json ARGS; "import"; "lsp"

    @property
    def id(self) -> str:
        return "-".join(p for p in (self.code, self.kind, self.name) if p)


def case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.yaml"))


def _entries(raw: Any, source: Path, kind: str) -> list[dict[str, Any]]:
    entries = raw if isinstance(raw, list) else [raw]
    if not entries or not all(isinstance(e, dict) for e in entries):
        raise ValueError(f"{source.name}: `{kind}` must be a case or a non-empty list of cases")
    return entries


def load_cases(path: Path) -> list[Case]:
    """The cases of one case file, validated so a typo in the data fails loudly."""
    code = path.stem
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict) or set(document) != {"fail", "pass"}:
        raise ValueError(f"{path.name}: needs exactly the keys `fail` and `pass`")
    cases = []
    for kind in ("fail", "pass"):
        entries = _entries(document[kind], path, kind)
        names = [e.get("name") for e in entries]
        if len(entries) > 1 and (None in names or len(set(names)) != len(names)):
            raise ValueError(f"{path.name}: several `{kind}` cases need distinct names")
        for entry in entries:
            unknown = set(entry) - CASE_KEYS
            if unknown:
                raise ValueError(f"{path.name}: unknown case keys {sorted(unknown)}")
            if "edits" not in entry:
                raise ValueError(f"{path.name}: every case lists its `edits` (may be [])")
            expect = tuple(_expect(e, path) for e in entry.get("expect") or ())
            if kind == "fail" and code not in {e.code for e in expect}:
                raise ValueError(f"{path.name}: a fail case must expect {code} at a position")
            if kind == "pass" and expect:
                raise ValueError(f"{path.name}: a pass case expects nothing")
            if kind == "fail" and "allow" in entry:
                raise ValueError(f"{path.name}: `allow` is for pass cases")
            if kind == "pass" and "absent" in entry:
                raise ValueError(
                    f"{path.name}: a pass case has no code at all; `absent` is for fail"
                )
            cases.append(
                Case(
                    code=code,
                    kind=kind,
                    name=entry.get("name"),
                    edits=tuple(entry["edits"] or ()),
                    args=tuple(str(a) for a in entry.get("args") or ()),
                    expect=expect,
                    absent=frozenset(entry.get("absent") or ()),
                    allow=frozenset(entry.get("allow") or ()),
                    xfail=entry.get("xfail"),
                    command=str(entry.get("command", "check")),
                )
            )
    return cases


def _expect(raw: Any, source: Path) -> Expect:
    if not isinstance(raw, dict) or set(raw) != EXPECT_KEYS:
        raise ValueError(
            f"{source.name}: an expectation has exactly the keys {sorted(EXPECT_KEYS)}"
        )
    return Expect(str(raw["code"]), str(raw["file"]), int(raw["line"]), int(raw["col"]))


def all_cases() -> list[Case]:
    return [case for path in case_files() for case in load_cases(path)]


def params(kind: str) -> list[Any]:
    out = []
    for case in all_cases():
        if case.kind != kind:
            continue
        marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
        out.append(pytest.param(case, id=case.id, marks=marks))
    return out


# --- applying edits and running planc ----------------------------------------


def _inside(plan: Path, relative: str) -> Path:
    path = (plan / relative).resolve()
    if plan.resolve() not in path.parents:
        raise AssertionError(f"edit path {relative!r} leaves the plan folder")
    return path


def apply_edit(plan: Path, edit: dict[str, Any]) -> None:
    """Apply one edit; anything unexpected (text not found exactly once, bad keys) fails."""
    ops = [op for op in EDIT_OPS if op in edit]
    allowed = {"file", *ops} | ({"with"} if ops == ["replace"] else set())
    if "file" not in edit or len(ops) != 1 or set(edit) != allowed:
        raise AssertionError(f"malformed edit {edit!r}: give `file` and exactly one of {EDIT_OPS}")
    op = ops[0]
    path = _inside(plan, edit["file"])
    if op == "replace":
        text = path.read_bytes().decode("utf-8")  # bytes: keep \r\n line ends as they are
        old, new = edit["replace"], edit["with"]
        count = text.count(old)
        if count != 1:
            raise AssertionError(
                f"edit on {edit['file']}: {old!r} occurs {count} times, it must occur exactly once"
            )
        path.write_bytes(text.replace(old, new).encode("utf-8"))
        return
    if op == "write_xlsx":
        _write_xlsx(path, edit["write_xlsx"])
        return
    if op == "edit_export":
        _edit_export(plan, path, edit["edit_export"])
        return
    if op not in {"write", "write_bytes_hex"} and not path.exists():
        raise AssertionError(f"edit on {edit['file']}: the file does not exist")
    if op == "write":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(edit["write"].encode("utf-8"))
    elif op == "write_bytes_hex":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes.fromhex(edit["write_bytes_hex"]))
    elif op == "delete":
        assert edit["delete"] is True, f"malformed edit {edit!r}"
        path.unlink()
    else:
        _move_or_link(plan, path, op, edit[op])


def _move_or_link(plan: Path, path: Path, op: str, to: str) -> None:
    """``rename_to``, ``copy_to``, ``hardlink_to`` (the file becomes a second name of another
    plan file) or ``symlink_to`` (a link to a relative target)."""
    if op == "rename_to":
        path.rename(_inside(plan, to))
    elif op == "copy_to":
        shutil.copyfile(path, _inside(plan, to))
    elif op == "hardlink_to":
        path.unlink()
        path.hardlink_to(_inside(plan, to))
    else:
        path.unlink()
        path.symlink_to(to)


def _write_xlsx(path: Path, sheet: dict[str, Any]) -> None:
    """A workbook as a script writes one (openpyxl): ``rows`` (a text starting with = is a
    formula, stored without a computed value) and ``merge`` (ranges such as C1:F1)."""
    from openpyxl import Workbook

    if set(sheet) - {"rows", "merge"}:
        raise AssertionError(f"write_xlsx takes rows and merge, not {sorted(sheet)}")
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    for row in sheet["rows"]:
        worksheet.append(row)
    for cells in sheet.get("merge", []):
        worksheet.merge_cells(cells)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


def _edit_export(plan: Path, path: Path, changes: dict[str, Any]) -> None:
    """The plan as ``planc export --format xlsx`` writes it (its state after the edits so far),
    then edited as a person would: ``set`` cells of the data sheet (a text starting with = is a
    formula), ``append`` rows to it, ``meta`` values of the hidden sheet."""
    from openpyxl import load_workbook

    from planc.checks import check_directory
    from planc.sheets.export import METADATA_SHEET, plan_revision, to_xlsx

    if set(changes) - {"set", "append", "meta"}:
        raise AssertionError(f"edit_export takes set, append and meta, not {sorted(changes)}")
    result = check_directory(plan)
    assert result.plan is not None and not result.has_errors, "export a plan that checks"
    path.write_bytes(to_xlsx(result.plan, plan_revision(result)))
    workbook = load_workbook(path)
    data, meta = workbook.worksheets[0], workbook[METADATA_SHEET]
    for ref, value in changes.get("set", {}).items():
        data[ref] = value
    for row in changes.get("append", []):
        data.append(row)
    for key, value in changes.get("meta", {}).items():
        found = [r for r in meta.iter_rows() if r[0].value == key]
        assert found, f"no metadata key {key!r}"
        found[0][1].value = value
    workbook.save(path)


def _argument(text: str, plan: Path) -> str:
    """Expand ``{size:FILE}``, ``{size:FILE-1}``: a file's size in bytes after the edits."""

    def size(match: re.Match[str]) -> str:
        value = _inside(plan, match.group(1)).stat().st_size
        if match.group(2):
            value += int(match.group(3)) * (1 if match.group(2) == "+" else -1)
        return str(value)

    return SIZE_ARG.sub(size, text)


@dataclass(frozen=True)
class Found:
    code: str
    severity: str
    file: str
    line: int
    col: int
    message: str

    @property
    def where(self) -> tuple[str, str, int, int]:
        return (self.code, self.file, self.line, self.col)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col} {self.code} [{self.severity}] {self.message}"


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    found: tuple[Found, ...]

    def report(self) -> str:
        listed = "\n".join(f"  {f}" for f in self.found) or "  (no diagnostics)"
        return f"exit {self.exit_code}; diagnostics:\n{listed}"


def _relative(path: str) -> str:
    path = path.replace("\\", "/")
    if path == PLAN:
        return "."
    return path.removeprefix(PLAN + "/")


def run_case(case: Case, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Outcome:
    """Copy the fixture, apply the edits and run ``planc check --format json`` on it."""
    plan = workdir / PLAN
    shutil.copytree(FIXTURE, plan)
    for edit in case.edits:
        apply_edit(plan, edit)
    args = [_argument(a, plan) for a in case.args]
    monkeypatch.chdir(workdir)
    if case.command == "lsp":
        return _run_as_the_language_server(plan, args, workdir)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    # planc import makes a new folder from sheets: its arguments name everything it reads
    target = [] if case.command == "import" else [PLAN]
    result = CliRunner().invoke(cli, [case.command, *target, "--format", "json", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"planc crashed on {case.id}") from result.exception
    # a database source that cannot be read (PLC79x) is exit 2, like a usage error
    source = any(e.code in SOURCE_CODES for e in case.expect)
    allowed = (2,) if source else (0, 1)
    assert result.exit_code in allowed, f"exit {result.exit_code}: {result.output}"
    document = json.loads(result.stdout)
    found = tuple(
        Found(
            d["code"],
            d["severity"],
            _relative(d["path"]),
            d["range"]["start"]["line"],
            d["range"]["start"]["col"],
            d["message"],
        )
        for d in document["diagnostics"]
    )
    return Outcome(result.exit_code, found)


def _run_as_the_language_server(plan: Path, args: list[str], workdir: Path) -> Outcome:
    """Compile the folder as ``planc lsp`` does; ``--break-check CODE`` makes one check raise."""
    from planc.checks import CHECKS
    from planc.checks.base import Check
    from planc.core.diagnostics import exit_code
    from planc.lsp.session import QuarterSession

    broken = args[args.index("--break-check") + 1] if "--break-check" in args else None

    def raises(_plan: Any) -> Any:
        raise ZeroDivisionError("injected by the case")

    checks = tuple(Check(c.rule, raises) if c.rule.code == broken else c for c in CHECKS)
    session = QuarterSession(plan.absolute(), checks=checks)
    result = session.compile({}, session.generation)
    found = tuple(
        Found(
            d.code,
            d.severity.value,
            _relative(Path(d.span.path).relative_to(workdir.absolute()).as_posix()),
            d.span.line,
            d.span.col,
            d.message,
        )
        for d in result.diagnostics
        if d.span is not None
    )
    return Outcome(exit_code(result.diagnostics), found)


# --- the tests ------------------------------------------------------------------


class TestCaseFiles:
    """Every rule has a case file, and every case file is about a real rule."""

    def test_every_code_has_a_case_file(self) -> None:
        missing = sorted(set(RULES) - {p.stem for p in case_files()})
        assert not missing, f"codes without tests/cases/<CODE>.yaml: {missing}"

    def test_every_case_file_names_a_real_code(self) -> None:
        names = [p.name for p in case_files()]
        assert names, "no case files found"
        strays = sorted(n for n in names if not CODE_FILE.match(Path(n).stem))
        unknown = sorted(Path(n).stem for n in names if Path(n).stem not in RULES)
        assert not strays, f"case files not named after a code: {strays}"
        assert not unknown, f"case files for codes planc does not have: {unknown}"
        assert not [p for p in CASES_DIR.iterdir() if p.suffix != ".yaml"], "only .yaml here"

    def test_every_case_file_has_a_failing_and_a_passing_case(self) -> None:
        for path in case_files():
            kinds = {case.kind for case in load_cases(path)}
            assert kinds == {"fail", "pass"}, path.name

    def test_the_fixture_plan_is_clean(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Cases edit the fixture: it must start with no diagnostics at all."""
        assert (FIXTURE / "quarter.yaml").is_file(), f"missing fixture plan {FIXTURE}"
        outcome = run_case(Case("PLC000", "pass", None, ()), tmp_path, monkeypatch)
        assert outcome.exit_code == 0
        assert outcome.found == (), outcome.report()


class TestEditsAreStrict:
    """The edit runner refuses edits that do not apply exactly, so a case cannot silently rot."""

    @pytest.mark.parametrize(
        "edit",
        [
            pytest.param(
                {"file": "regions/north.yaml", "replace": "no such text", "with": "x"}, id="absent"
            ),
            pytest.param(
                {"file": "regions/north.yaml", "replace": "targets:", "with": "x"}, id="ambiguous"
            ),
            pytest.param({"file": "regions/north.yaml", "replace": "North"}, id="no-with"),
            pytest.param({"file": "regions/north.yaml", "delete": True, "write": ""}, id="two-ops"),
            pytest.param({"file": "regions/east.yaml", "delete": True}, id="missing-file"),
            pytest.param({"file": "../escape.yaml", "write": ""}, id="outside-plan"),
        ],
    )
    def test_bad_edit_fails_loudly(self, tmp_path: Path, edit: dict[str, Any]) -> None:
        plan = tmp_path / PLAN
        shutil.copytree(FIXTURE, plan)
        with pytest.raises(AssertionError):
            apply_edit(plan, edit)


class TestFailingCases:
    """Each failing case makes planc report its code at the exact file, line and column."""

    @pytest.mark.parametrize("case", params("fail"))
    def test_reports_code_at_position(
        self, case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        outcome = run_case(case, tmp_path, monkeypatch)
        found = {f.where for f in outcome.found}
        missing = [str(e) for e in case.expect if (e.code, e.file, e.line, e.col) not in found]
        assert not missing, f"expected {missing}; got {outcome.report()}"
        extra = sorted(case.absent & {f.code for f in outcome.found})
        assert not extra, f"{extra} reported as well; got {outcome.report()}"
        # The severity is the one `planc rules` documents; the exit status follows it.
        severities = {f.severity for f in outcome.found if f.code == case.code}
        assert severities == {RULES[case.code].severity.value}, outcome.report()
        has_errors = any(f.severity == "error" for f in outcome.found)
        expected = 2 if case.code in SOURCE_CODES else (1 if has_errors else 0)
        assert outcome.exit_code == expected, outcome.report()


class TestPassingCases:
    """Each passing case, a near miss of its failing case, is free of the code and of errors."""

    @pytest.mark.parametrize("case", params("pass"))
    def test_code_absent_and_no_errors(
        self, case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        outcome = run_case(case, tmp_path, monkeypatch)
        assert case.code not in {f.code for f in outcome.found}, outcome.report()
        unexpected = [f for f in outcome.found if f.severity == "error" or f.code not in case.allow]
        assert not unexpected, outcome.report()
        assert outcome.exit_code == 0, outcome.report()
