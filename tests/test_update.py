"""planc import --update: numbers edited in an exported workbook come back as a reviewed change.

Real files throughout: the workbook is written by ``planc export --format
xlsx``, edited with openpyxl as a script would, or saved again by
LibreOffice (Debian's ``libreoffice-calc``, headless) to prove the hidden
metadata sheet and the numbers survive a real spreadsheet program; the plan
is a real folder, and ``planc propose`` runs in a real git repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from conftest import MINI
from gitrepo import QUARTER, git, new_repo, planc_in
from planc.checks import check_directory
from planc.cli import cli

NORTH = "regions/north.yaml"
ANN_LOGOS = "K14"  # ann/new_customers in the mini plan's export (row 14, column value)
BOB_REVENUE = "K23"
BOB_MARCH = "K26"


def run(*args: str | Path, cwd: Path) -> tuple[int, str, str]:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, list(map(str, args)))
    finally:
        os.chdir(old)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def plan_copy(tmp_path: Path) -> Path:
    root = tmp_path / "work"
    shutil.copytree(MINI, root / "plans" / "2027-Q1")
    north = root / "plans" / "2027-Q1" / NORTH
    text = north.read_text(encoding="utf-8")
    # a comment a person wrote: the update must keep it, and every other byte
    north.write_text(
        text.replace("        - rep: ann\n", "        - rep: ann  # moved from South\n")
    )
    return root


def export(root: Path, name: str = "q1.xlsx") -> Path:
    code, _, err = run("export", "plans/2027-Q1", "--format", "xlsx", "-o", name, cwd=root)
    assert code == 0, err
    return root / name


def edit(path: Path, cells: dict[str, Any], out: Path | None = None) -> Path:
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    assert sheet["C14"].value == "ann" and sheet["H14"].value == "new_customers"
    assert sheet["C23"].value == "bob" and sheet["H23"].value == "revenue"
    for ref, value in cells.items():
        sheet[ref] = value
    target = out or path
    workbook.save(target)
    return target


def files(root: Path) -> dict[str, bytes]:
    folder = root / "plans" / "2027-Q1"
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.yaml"))}


def test_an_edited_number_lands_in_place_with_a_stub(tmp_path: Path) -> None:
    root = plan_copy(tmp_path)
    before = files(root)
    edited = edit(export(root), {ANN_LOGOS: 6})
    code, out, _ = run("import", "--update", edited.name, cwd=root)
    assert code == 1, out  # the stub is an error until its cause and note are written
    assert "ann/new_customers: 5 -> 6" in out
    after = files(root)
    # north.yaml: one number changed, every other byte (the comment too) kept
    old_north, new_north = before[NORTH].decode(), after[NORTH].decode()
    assert "- rep: ann  # moved from South\n" in new_north
    assert new_north == old_north.replace(
        "new_customers: {value: 5}\n            key_product_share: {value: 55}",
        "new_customers: {value: 6}\n            key_product_share: {value: 55}",
    )
    assert new_north != old_north
    # quarter.yaml: the stub appended to the log, nothing else touched
    quarter = after["quarter.yaml"].decode()
    assert quarter.startswith(before["quarter.yaml"].decode())
    stub = quarter[len(before["quarter.yaml"]) :]
    assert stub.startswith("  - id: ADJ-002\n")
    assert '    cause: ""' in stub and '    note: ""' in stub
    assert "      - {target: ann/new_customers, from: 5, to: 6}\n" in stub
    result = check_directory(root / "plans" / "2027-Q1")
    assert [d.code for d in result.diagnostics if d.severity.value == "error"] == ["PLC630"]


def test_months_are_read_back_too(tmp_path: Path) -> None:
    root = plan_copy(tmp_path)
    edited = edit(export(root), {BOB_REVENUE: 600000, BOB_MARCH: 250000})
    code, out, _ = run("import", "--update", edited.name, cwd=root)
    assert code == 1
    north = files(root)[NORTH].decode()
    assert "value: 600000" in north and "months: [170000, 180000, 250000]" in north
    # the summary names the month as the sheet does, with its old number
    assert "bob/revenue: 550000 -> 600000, 2027-03: 200000 -> 250000\n" in out
    assert "PLC305" in out  # the product split no longer adds up: reported, for the YAML


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_resave(source: Path, out_dir: Path) -> Path:
    """Open and save the workbook with LibreOffice Calc (headless), as a person would."""
    binary = soffice()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is missing; .ci/run installs libreoffice-calc")
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = out_dir / "lo-profile"
    out_dir.mkdir(parents=True, exist_ok=True)
    completed = subprocess.run(
        [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
         "xlsx", "--outdir", str(out_dir), str(source)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    saved = out_dir / source.name
    assert completed.returncode == 0 and saved.is_file(), completed.stderr
    return saved


def test_a_workbook_saved_by_libreoffice_round_trips(tmp_path: Path) -> None:
    root = plan_copy(tmp_path)
    edited = edit(export(root), {ANN_LOGOS: 6}, tmp_path / "edited.xlsx")
    saved = libreoffice_resave(edited, tmp_path / "lo")
    assert saved.read_bytes() != edited.read_bytes()  # really rewritten by LibreOffice
    code, out, _ = run("import", "--update", saved, cwd=root)
    assert code == 1 and "ann/new_customers: 5 -> 6" in out, out
    assert "{target: ann/new_customers, from: 5, to: 6}" in files(root)["quarter.yaml"].decode()


def test_an_unedited_libreoffice_copy_changes_nothing(tmp_path: Path) -> None:
    root = plan_copy(tmp_path)
    saved = libreoffice_resave(export(root), tmp_path / "lo")
    before = files(root)
    code, out, _ = run("import", "--update", saved, cwd=root)
    assert code == 0, out
    assert "nothing to change" in out
    assert files(root) == before


@pytest.mark.parametrize(
    ("cells", "code"),
    [
        ({BOB_REVENUE: "=K24+K25+K26"}, "PLC822"),
        ({BOB_REVENUE: "600k"}, "PLC803"),
        ({BOB_REVENUE: None}, "PLC803"),
        ({"C23": "carl"}, "PLC823"),
        ({"N23": 700000}, "PLC823"),  # the last-year baseline: edited in the YAML, not here
    ],
)
def test_what_is_not_a_typed_number_is_reported_and_nothing_written(
    tmp_path: Path, cells: dict[str, Any], code: str
) -> None:
    root = plan_copy(tmp_path)
    edited = edit(export(root), {ANN_LOGOS: 6, **cells})
    before = files(root)
    status, out, _ = run("import", "--update", edited.name, "--format", "json", cwd=root)
    assert status == 1
    assert code in out
    assert files(root) == before


def test_a_plan_changed_since_the_export_is_refused(tmp_path: Path) -> None:
    root = plan_copy(tmp_path)
    edited = edit(export(root), {ANN_LOGOS: 6})
    north = root / "plans" / "2027-Q1" / NORTH
    north.write_text(north.read_text(encoding="utf-8").replace("# moved", "# came"))
    before = files(root)
    status, out, _ = run("import", "--update", edited.name, cwd=root)
    assert status == 1 and "PLC821" in out
    assert files(root) == before


def test_a_workbook_of_another_plan_is_refused(tmp_path: Path) -> None:
    root = plan_copy(tmp_path)
    edited = edit(export(root), {ANN_LOGOS: 6})
    shutil.copytree(root / "plans" / "2027-Q1", root / "plans" / "globex")
    quarter = root / "plans" / "globex" / "quarter.yaml"
    quarter.write_text(quarter.read_text(encoding="utf-8").replace("id: acme", "id: globex"))
    before = files(root)
    status, out, _ = run("import", "--update", edited.name, "plans/globex", cwd=root)
    assert status == 1 and "PLC820" in out and "is an export of acme 2027-Q1" in out, out
    assert files(root) == before


def test_propose_fills_the_stub_and_makes_the_branch(tmp_path: Path) -> None:
    root = new_repo(tmp_path)
    code, _, err = run("export", QUARTER, "--format", "xlsx", "-o", "../q1.xlsx", cwd=root)
    assert code == 0, err
    edited = edit(tmp_path / "q1.xlsx", {ANN_LOGOS: 6})
    code, out, _ = run("import", "--update", edited, cwd=root)
    assert "ADJ-002" in out
    missing = planc_in(root, "propose")
    assert missing.code == 1 and "ADJ-002" in missing.stderr and "--cause" in missing.stderr
    done = planc_in(
        root, "propose", "--cause", "market", "--note", "A new plant opened in Ann's territory."
    )
    assert done.code == 0, done.stderr
    branch = "plan/2027-Q1-adj-002"
    quarter = git(root, "show", f"{branch}:{QUARTER}/quarter.yaml")
    assert "    cause: market  # market | competitor" in quarter
    assert '    note: "A new plant opened in Ann\'s territory."' in quarter
    check = planc_in(root, "check", QUARTER, "--rev", branch, "--base", "main")
    assert check.code == 0, check.stdout


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("q1.csv", b"quarter,level\n", "reads the .xlsx workbook planc export wrote"),
        ("q1.xlsx", b"not a zip", "not a readable .xlsx workbook"),
        ("none.xlsx", None, "no such file"),
    ],
)
def test_a_file_that_is_no_workbook_is_a_usage_error(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    root = plan_copy(tmp_path)
    if content is not None:
        (root / name).write_bytes(content)
    before = files(root)
    code, _, err = run("import", "--update", name, cwd=root)
    assert code == 2 and message in err, err
    assert files(root) == before


def test_a_workbook_that_is_no_export_says_how_to_make_one(tmp_path: Path) -> None:
    """A workbook of the user's own (no planc metadata sheet): naming the plan folder
    cannot help, so the message says it is no export and gives the export command."""
    root = plan_copy(tmp_path)
    workbook = Workbook()
    workbook.active.append(["node", "metric", "value"])
    workbook.save(root / "mine.xlsx")
    before = files(root)
    code, _, err = run("import", "--update", "mine.xlsx", cwd=root)
    assert code == 2, err
    assert "mine.xlsx is not an export of a plan (no planc metadata sheet)" in err, err
    assert "planc export PLAN_DIR --format xlsx --out FILE" in err
    assert "name the plan folder" not in err
    assert files(root) == before


@pytest.mark.parametrize(
    ("format_cell", "said"),
    [
        ("planc-export-2", "has a planc metadata sheet of format planc-export-2"),
        (None, "has a planc metadata sheet that names no format"),
    ],
    ids=["another-version", "no-format"],
)
def test_a_metadata_sheet_of_another_format_says_which(
    tmp_path: Path, format_cell: str | None, said: str
) -> None:
    """The hidden sheet is there, of a format this planc does not read (another version's
    export): said so, with the format it reads, never "no planc metadata sheet"."""
    root = plan_copy(tmp_path)
    workbook = load_workbook(edit(export(root), {ANN_LOGOS: 6}))
    meta = workbook["planc"]
    assert meta["A1"].value == "format" and meta["B1"].value == "planc-export-1"
    if format_cell is None:
        meta.delete_rows(1)
    else:
        meta["B1"] = format_cell
    workbook.save(root / "q1.xlsx")
    before = files(root)
    code, _, err = run("import", "--update", "q1.xlsx", cwd=root)
    assert code == 2, err
    assert err.startswith(
        f"planc: error: q1.xlsx {said}, and this planc reads planc-export-1 only: import it "
        "with the planc that exported it, or export the plan again "
    ), err
    assert "no planc metadata sheet" not in err
    code, out, _ = run("import", "--update", "q1.xlsx", "plans/2027-Q1", cwd=root)
    assert code == 1 and "PLC820" in out, out
    assert f"q1.xlsx {said}, and this planc reads planc-export-1 only\n" in out, out
    assert "hint: import it with the planc that exported it, or export the plan again" in out
    assert files(root) == before


@pytest.mark.parametrize(
    ("quarter", "said"),
    [("../../2027-Q1", "names the quarter '../../2027-Q1'"), (None, "names no quarter")],
)
def test_a_metadata_sheet_naming_no_quarter_folder_says_so(
    tmp_path: Path, quarter: str | None, said: str
) -> None:
    """A quarter in the hidden sheet that is no folder name (a path out of the plans
    folder, or none) is refused, said as it is: not "no planc metadata sheet" (fuzz17)."""
    root = plan_copy(tmp_path)
    workbook = load_workbook(edit(export(root), {ANN_LOGOS: 6}))
    meta = workbook["planc"]
    assert meta["A3"].value == "quarter"
    meta["B3"] = quarter
    workbook.save(root / "q1.xlsx")
    before = files(root)
    code, _, err = run("import", "--update", "q1.xlsx", cwd=root)
    assert code == 2, err
    assert f"q1.xlsx's planc metadata sheet {said}, not a quarter folder's name" in err, err
    assert "no planc metadata sheet" not in err
    assert files(root) == before


def test_a_sorted_and_filtered_sheet_is_read_by_node_metric_and_month(tmp_path: Path) -> None:
    """People sort and filter the export (it has an auto-filter): rows are matched by key."""
    root = plan_copy(tmp_path)
    workbook = load_workbook(export(root))
    sheet = workbook.worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    rows.sort(key=lambda r: (-(r[10] or 0), str(r[2]), str(r[9])))  # by value, largest first
    for index, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            sheet.cell(row=index, column=col).value = value  # value=None would not clear it
        if values[2] == "ann" and values[7] == "new_customers":
            sheet.cell(row=index, column=11).value = 6
            sheet.row_dimensions[index].hidden = False
        elif values[1] == "rep":
            sheet.row_dimensions[index].hidden = True  # filtered away, still in the file
    workbook.save(root / "sorted.xlsx")
    code, out, _ = run("import", "--update", "sorted.xlsx", cwd=root)
    assert code == 1 and "ann/new_customers: 5 -> 6" in out, out
    assert "PLC823" not in out
    assert "{target: ann/new_customers, from: 5, to: 6}" in files(root)["quarter.yaml"].decode()
