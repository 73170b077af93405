"""What the README and the guides tell a new user is true of this repository."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run_planc
from planc.sheets.export import COLUMNS

GUIDES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
SHELL_BLOCK = re.compile(r"```(?:sh|bash|console)\n(.*?)```", re.DOTALL)
REPO_PATH = re.compile(r"(?<![\w./-])((?:plans|tests|scripts|schema|docs|templates)/[\w./-]*\w)")


def shell_blocks(page: Path) -> list[str]:
    return SHELL_BLOCK.findall(page.read_text(encoding="utf-8"))


MAKES = re.compile(r"planc (?:import|init) (\S+)|(?:--out|-o) (\S+)")


def made_by(block: str) -> tuple[str, ...]:
    """Folders the guide's own commands create (`planc import plans/2017-Q4`, `--out site`)."""
    return tuple(a or b for a, b in MAKES.findall(block)) or ("\0",)


@pytest.mark.parametrize("page", GUIDES, ids=lambda p: p.name)
def test_paths_in_commands_exist(page: Path) -> None:
    """A command a guide shows names files that are there (no `crm.csv` to guess at)."""
    made = made_by("\n".join(shell_blocks(page)))  # a tour's later steps use what it made
    missing = sorted(
        {
            path
            for block in shell_blocks(page)
            for line in block.splitlines()
            for path in REPO_PATH.findall(line.split("#", 1)[0])
            if not (REPO / path).exists() and not path.startswith(made)
        }
    )
    assert not missing, f"{page.name} names files that do not exist: {missing}"


def test_export_columns_are_listed_as_they_are_written() -> None:
    text = (REPO / "docs" / "ops.md").read_text(encoding="utf-8")
    paragraph = text.split("## Exports for spreadsheets", 1)[1].split("##", 1)[0]
    listed = re.findall(r"`([a-z_]+)`", paragraph.split("with the columns", 1)[1])
    assert tuple(listed[: len(COLUMNS)]) == COLUMNS


def test_example_script_prints_the_site_relative_and_installs_no_dev_tools() -> None:
    script = (REPO / "scripts" / "example.sh").read_text(encoding="utf-8")
    assert 'echo "open: site/index.html"' in script
    assert "$(pwd)" not in script
    # what the main job needs (check, render), never the dev tools
    assert 'PLANC_EXTRAS="${PLANC_EXTRAS-site}"' in script


def test_the_command_reference_has_every_render_and_propose_option() -> None:
    import click

    from planc.cli import cli

    reference = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in ("render", "propose"):
        section = reference.split(f"## planc {name}\n", 1)[1].split("\n## ", 1)[0]
        command = cli.commands[name]
        for param in command.params:
            if isinstance(param, click.Option) and "--help" not in param.opts:
                assert any(f"`{opt}" in section or f" {opt}" in section for opt in param.opts), (
                    name,
                    param.opts,
                )


CRM = "tests/fixtures/crm-sales-opportunities/sales_pipeline.csv"


def text_blocks(page: Path) -> list[str]:
    return re.findall(r"```text\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL)


def shown_in(block: str, printed: str) -> list[str]:
    """The lines of a block a guide shows that the command did not print (a line may be
    the start of a longer one: a table shown without its month columns)."""
    lines = printed.splitlines()
    return [
        shown
        for shown in block.rstrip("\n").splitlines()
        if not any(line.rstrip().startswith(shown.rstrip()) for line in lines)
    ]


class TestShownOutputIsPrinted:
    """What a guide shows a command printing is what it prints, line for line."""

    def test_the_readme_opening_diagnostic_is_what_step_3_prints(self, tmp_path: Path) -> None:
        readme = REPO / "README.md"
        found = re.search(
            r"sed -i '(\d+)s/([^/]+)/([^/]+)/' plans/2027-Q1/regions/east.yaml",
            readme.read_text(encoding="utf-8"),
        )
        assert found, "step 3 of the tour edits east.yaml with sed"
        number, old, new = int(found[1]), found[2], found[3]
        plan = tmp_path / "plans" / "2027-Q1"
        shutil.copytree(REPO / "plans" / "2027-Q1", plan)
        east = plan / "regions" / "east.yaml"
        lines = east.read_text(encoding="utf-8").split("\n")
        assert old in lines[number - 1]
        lines[number - 1] = lines[number - 1].replace(old, new)
        east.write_text("\n".join(lines), encoding="utf-8")
        result = run_planc("check", "plans/2027-Q1", cwd=tmp_path)
        assert result.code == 1
        assert text_blocks(readme)[0] in result.stdout

    def test_tracking_shows_what_track_prints_on_the_sample(self) -> None:
        result = run_planc(
            "track", "plans/2017-Q3", "--actuals", CRM, "--as-of", "2017-08-15", cwd=REPO
        )
        assert result.code == 0
        blocks = [
            block
            for block in text_blocks(REPO / "docs" / "tracking.md")
            if block.startswith(("8,800 rows read", "revenue (Revenue")) or " PLC720 " in block
        ]
        assert len(blocks) == 3
        for block in blocks:
            assert not shown_in(block, result.stdout + result.stderr), block

    def test_tracking_shows_what_track_prints_without_an_alias_and_with_coverage(
        self, tmp_path: Path
    ) -> None:
        """PLC711 and PLC766 as the guide shows them: the sample's GTXPro alias taken out,
        policy.warnings.pipeline_coverage at 60."""
        plan = tmp_path / "plans" / "2017-Q3"
        shutil.copytree(REPO / "plans" / "2017-Q3", plan)
        (tmp_path / CRM).parent.mkdir(parents=True)
        shutil.copyfile(REPO / CRM, tmp_path / CRM)
        quarter = plan / "quarter.yaml"
        text = quarter.read_text(encoding="utf-8")
        edited = text.replace("GTXPro: gtx-pro ", "Unused: gtx-pro ").replace(
            "after_months: 1}", "after_months: 1, pipeline_coverage: 60}"
        )
        assert edited.count("Unused") == 1 and edited.count("pipeline_coverage") == 1
        quarter.write_text(edited, encoding="utf-8")
        result = run_planc(
            "track", "plans/2017-Q3", "--actuals", CRM, "--as-of", "2017-08-15", cwd=tmp_path
        )
        assert result.code == 0
        blocks = [
            b
            for b in text_blocks(REPO / "docs" / "tracking.md")
            if " PLC711 " in b or " PLC766 " in b
        ]
        assert len(blocks) == 2
        for block in blocks:
            assert not shown_in(block, result.stdout + result.stderr), block

    def test_tracking_shows_what_track_prints_for_a_repeated_key(self, tmp_path: Path) -> None:
        export = tmp_path / "sales_pipeline.csv"
        rows = (REPO / CRM).read_text(encoding="utf-8").splitlines(keepends=True)
        export.write_text("".join([*rows, rows[11]]), encoding="utf-8")  # row 12 again, as row 8802
        result = run_planc(
            "track",
            REPO / "plans" / "2017-Q3",
            "--actuals",
            export.name,
            "--as-of",
            "2017-08-15",
            cwd=tmp_path,
        )
        assert result.code == 1
        [block] = [b for b in text_blocks(REPO / "docs" / "tracking.md") if " PLC760 " in b]
        assert not shown_in(block, result.stdout + result.stderr)


GENERATED = {"cli.md", "codes.md"}  # generated from the code: their own tests keep them true
PROSE_END = re.compile(r"[.:!?)]\**$|\]\([^)]*\)$")


@pytest.mark.parametrize(
    "page", [p for p in GUIDES if p.name not in GENERATED], ids=lambda p: p.name
)
def test_no_paragraph_stops_mid_sentence(page: Path) -> None:
    """A paragraph of prose ends a sentence (reps.md once ended at "no font, image or")."""
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    cut = [
        paragraph[-60:]
        for paragraph in (p.strip() for p in re.split(r"\n\s*\n", text))
        if paragraph
        and not re.match(r"#|\||<!--|>|- |\d+\. ", paragraph)
        and not PROSE_END.search(paragraph)
    ]
    assert not cut, f"{page.name}: paragraphs that stop mid-sentence: {cut}"


def test_every_option_says_what_it_does() -> None:
    """--help (and docs/cli.md, made from it) has a line for every option, not just its choices."""
    import click

    from planc.cli import cli

    silent = [
        (name, param.opts[0])
        for name, command in cli.commands.items()
        for param in command.params
        if isinstance(param, click.Option) and not (param.help or "").strip()
    ]
    assert not silent, f"options without a help text: {silent}"


def test_the_readme_tour_step_1_round_trip(tmp_path: Path) -> None:
    """Import the sample, export it, edit the cells the README names, bring them back: the
    cells are Anna Snelling's revenue and December, and the update exits 1 on its stub."""
    openpyxl = pytest.importorskip("openpyxl")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(
        r"revenue \(cell ([A-Z]+\d+)\) to (\d+) and her December \(([A-Z]+\d+)\) to (\d+)", readme
    )
    assert found, "step 1 names the cells to edit"
    value_cell, value, december_cell, december = found.groups()
    for sheet in (
        "tests/fixtures/crm-sales-opportunities/sales_teams.csv",
        "examples/quotas-2017-Q4.csv",
    ):
        (tmp_path / sheet).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / sheet, tmp_path / sheet)
    made = run_planc(
        "import",
        "plans/2017-Q4",
        "--roster",
        "tests/fixtures/crm-sales-opportunities/sales_teams.csv",
        "--quotas",
        "examples/quotas-2017-Q4.csv",
        "--owner",
        "Alex Morgan",
        "--company",
        "CRM sample company",
        cwd=tmp_path,
    )
    assert made.code == 0, made.stdout + made.stderr
    assert run_planc("check", "plans/2017-Q4", cwd=tmp_path).code == 0
    assert (
        run_planc("export", "plans/2017-Q4", "--format", "xlsx", "-o", "q4.xlsx", cwd=tmp_path).code
        == 0
    )
    book = openpyxl.load_workbook(tmp_path / "q4.xlsx")
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    for ref, month in ((value_cell, None), (december_cell, "2017-12")):
        row = {name: cell.value for name, cell in zip(header, sheet[int(ref[1:])], strict=True)}
        assert (row["person_name"], row["metric"], row["month"]) == (
            "Anna Snelling",
            "revenue",
            month,
        )
        assert header[sheet[ref].column - 1] == "value"
    sheet[value_cell] = int(value)
    sheet[december_cell] = int(december)
    book.save(tmp_path / "q4.xlsx")
    update = run_planc("import", "--update", "q4.xlsx", cwd=tmp_path)
    assert update.code == 1 and "PLC630" in update.stdout + update.stderr
    central = (tmp_path / "plans/2017-Q4/regions/central.yaml").read_text(encoding="utf-8")
    assert f"revenue: {{value: {value}, months: [21000, 31000, {december}]}}" in central


@pytest.mark.parametrize("page", [REPO / "README.md", REPO / "docs" / "import.md"], ids=str)
def test_the_chinese_hr_roster_imports_as_written(tmp_path: Path, page: Path) -> None:
    """The Chinese roster the guides promise is in examples/ and imports as shown: ids in
    pinyin with surname readings, the plan's words in Chinese, and a plan that checks."""
    import shlex

    [block] = [b for b in shell_blocks(page) if "hr-roster-zh.csv" in b]
    command = block.split("planc check")[0].replace("\\\n", " ").split("#", 1)[0]
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    made = run_planc(*shlex.split(command)[1:], cwd=tmp_path)
    assert made.code == 0, made.stdout + made.stderr
    plan = tmp_path / "plans" / "2027-Q3"
    words = "\n".join(p.read_text(encoding="utf-8") for p in sorted(plan.rglob("*.yaml")))
    for expected in ("rep: zeng-wei", "rep: shan-xiong-xin", "rep: ou-jia-lin", "赵敏团队"):
        assert expected in words, expected
    assert 'name: "2027年第三季度"' in words
    checked = run_planc("check", "plans/2027-Q3", cwd=tmp_path)
    assert checked.code == 0 and "2 regions, 2 teams, 5 reps" in checked.stdout, checked.stdout
    assert "or an HR roster" in run_planc("import", "--help").stdout  # --help says so too


def test_the_readme_tour_step_5_as_written(tmp_path: Path) -> None:
    """The edit, the ❌ comment, propose, and a branch whose only error is the approval."""
    import json
    import shlex
    import subprocess

    from gitrepo import commit_all, git, git_env

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    [step] = [block for block in shell_blocks(REPO / "README.md") if "planc propose" in block]
    lines = [line.split("  #", 1)[0].strip() for line in step.strip().splitlines()]
    sed, diff, propose = lines
    assert sed.startswith("sed -i ") and diff == "planc diff --format markdown"
    root = tmp_path / "sales"
    shutil.copytree(REPO / "plans" / "2027-Q1", root / "plans" / "2027-Q1")
    git(tmp_path, "init", "-q", "-b", "main", str(root))
    commit_all(root, "plan 2027-Q1")
    subprocess.run(["bash", "-c", sed], cwd=root, check=True)
    env = git_env(root)
    comment = run_planc(*shlex.split(diff)[1:], cwd=root, env=env)
    assert comment.code == 1 and comment.stdout.splitlines()[2].startswith("### ❌ ")
    proposed = run_planc(*shlex.split(propose)[1:], cwd=root, env=env)
    assert proposed.code == 0, proposed.stderr
    branch = re.search(r"Created branch (\S+) ", proposed.stdout)
    assert branch
    checked = run_planc(
        "check", "plans/2027-Q1", "--rev", branch[1], "--format", "json", cwd=root, env=env
    )
    assert [d["code"] for d in json.loads(checked.stdout)["diagnostics"]] == ["PLC620"]
    assert "names who must approve (PLC620)" in readme


def _schema_fields(node: object) -> set[str]:
    """Every property name the plan schema lets a user write, at any depth."""
    if isinstance(node, list):
        return {name for item in node for name in _schema_fields(item)}
    if not isinstance(node, dict):
        return set()
    found = set(node.get("properties", {}))
    for key, value in node.items():
        found |= _schema_fields(value if key != "properties" else list(value.values()))
    return found


def test_every_plan_field_is_in_the_guides() -> None:
    """A field the schema accepts is one a user can look up: format.md or the guide of its
    feature writes it, so nobody meets a key only in an editor's completion list."""
    import json

    schema = json.loads((REPO / "schema" / "plan.schema.json").read_text(encoding="utf-8"))
    guides = "\n".join(
        (REPO / "docs" / name).read_text(encoding="utf-8")
        for name in ("format.md", "tracking.md", "reviewers.md", "ops.md")
    )
    missing = sorted(
        name
        for name in _schema_fields(schema)
        if not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", guides)
    )
    assert missing == []
