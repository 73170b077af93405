"""Every kind of bad input through the real CLI: a clear diagnostic at a position, never a traceback."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from conftest import MINI, run_planc

MODELINE = "# yaml-language-server: $schema=../../../schema/plan.schema.json\n"
REGION_HEAD = MODELINE + "planc: 1\nkind: region\n"


def write_region(plan: Path, body: str | bytes, name: str = "east.yaml") -> Path:
    path = plan / "regions" / name
    path.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    return path


def diagnostics_of(plan: Path, *extra: str) -> tuple[int, list[dict[str, object]], str]:
    result = run_planc("check", plan, "--format", "json", *extra)
    assert "Traceback" not in result.stderr + result.stdout
    return result.code, result.json()["diagnostics"], result.stderr


def where(diagnostic: dict[str, object]) -> tuple[object, object, object]:
    start = diagnostic["range"]["start"]  # type: ignore[index]
    return diagnostic["code"], start["line"], start["col"]  # type: ignore[index]


class TestYamlHygiene:
    """The loader diagnoses what YAML gets wrong, pointing at the line the user wrote."""

    @pytest.mark.parametrize(
        ("body", "expected"),
        [
            pytest.param(
                REGION_HEAD + "region:\n  id: east\n  id: west\n  name: E\n  owner: vera\n",
                ("PLC002", 6, 3),
                id="duplicate-key",
            ),
            pytest.param(
                REGION_HEAD + "region: !!python/object/apply:os.system [echo hacked]\n",
                ("PLC003", 4, 9),
                id="python-tag-never-executes",
            ),
            pytest.param(
                REGION_HEAD + "region:\n  id: east\n  name: !custom E\n  owner: vera\n",
                ("PLC003", 6, 9),
                id="unknown-tag",
            ),
            pytest.param(
                REGION_HEAD + "region:\n  id: no\n  name: E\n  owner: vera\n",
                ("PLC005", 5, 7),
                id="norway-boolean",
            ),
            pytest.param(
                REGION_HEAD + "region:\n  id: east\n  name: E\n  owner: vera\n"
                "  targets:\n    revenue: {value: 1e6}\n",
                ("PLC006", 9, 22),
                id="exponent-without-dot",
            ),
            pytest.param(
                REGION_HEAD + "region:\n  id: east\n  name: E\n  owner: vera\n"
                "  targets:\n    revenue: {value: 010}\n",
                ("PLC006", 9, 22),
                id="octal-looking",
            ),
            pytest.param(
                REGION_HEAD + "region:\n  id: east\n  name: E\n  owner: vera\n"
                "  targets:\n    revenue: {value: '1,000,000'}\n",
                ("PLC103", 9, 22),
                id="quoted-number-is-text",
            ),
            pytest.param(
                REGION_HEAD + "region:\n  id: east\n  name: E\n  owner: vera\n"
                "  targets:\n    revenue:\n      value: 1,000,000\n",
                ("PLC006", 10, 14),
                id="thousands-separators",
            ),
            pytest.param(
                REGION_HEAD + "region:\n  id: east\n\tname: E\n",
                ("PLC007", 6, 1),
                id="tab-indentation",
            ),
            pytest.param(
                REGION_HEAD + 'region:\n  id: east\n  name: "East\n  owner: vera\n',
                ("PLC001", 6, 9),
                id="syntax-error",
            ),
            pytest.param(
                REGION_HEAD + "region: {id: east, name: E, owner: vera}\n---\nplanc: 1\n",
                ("PLC014", 5, 1),
                id="two-documents",
            ),
            pytest.param("# only a comment\n", ("PLC009", 1, 1), id="empty-file"),
            pytest.param("", ("PLC009", 1, 1), id="zero-bytes"),
            pytest.param(
                (REGION_HEAD + "region:\n  id: east\n  name: ").encode()
                + "华东".encode("gbk")
                + b"\n",
                ("PLC008", 6, 9),
                id="gbk-bytes",
            ),
            pytest.param(
                "\ufeffregion: {}\n".encode("utf-16"),
                ("PLC008", 1, 1),
                id="utf-16",
            ),
            pytest.param(
                REGION_HEAD + "a: &a [*a]\n",
                ("PLC013", 4, 4),
                id="self-referencing-alias",
            ),
        ],
    )
    def test_bad_yaml_is_diagnosed_with_position(
        self, mini_plan: Path, body: str | bytes, expected: tuple[str, int, int]
    ) -> None:
        write_region(mini_plan, body)
        code, diagnostics, _ = diagnostics_of(mini_plan)
        assert code == 1
        found = [where(d) for d in diagnostics if d["path"].endswith("east.yaml")]  # type: ignore[union-attr]
        assert expected in found, found

    def test_utf8_bom_is_fine(self, mini_plan: Path) -> None:
        north = mini_plan / "regions" / "north.yaml"
        north.write_bytes(b"\xef\xbb\xbf" + north.read_bytes())
        code, diagnostics, _ = diagnostics_of(mini_plan)
        assert (code, diagnostics) == (0, [])

    def test_billion_laughs_stops_quickly_with_an_error(self, mini_plan: Path) -> None:
        levels = ["lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for i in range(1, 10):
            levels.append(f"lol{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
        write_region(mini_plan, REGION_HEAD + "\n".join(levels) + "\n")
        started = time.perf_counter()
        code, diagnostics, _ = diagnostics_of(mini_plan)
        elapsed = time.perf_counter() - started
        assert code == 1
        assert any(d["code"] == "PLC004" for d in diagnostics)
        # Not a timing assertion on planc's speed: a bound that only an unbounded expansion breaks.
        assert elapsed < 30

    def test_file_over_size_bound_is_refused_unread(self, mini_plan: Path) -> None:
        write_region(mini_plan, REGION_HEAD + "# padding\n" * 200)
        code, diagnostics, _ = diagnostics_of(mini_plan, "--max-file-size", "1000")
        assert code == 1
        too_large = [d for d in diagnostics if d["code"] == "PLC010"]
        assert [(d["path"], *where(d)[1:]) for d in too_large if "east" in str(d["path"])] == [
            (str(mini_plan / "regions" / "east.yaml"), 1, 1)
        ]

    def test_missing_modeline_is_a_warning_only(self, mini_plan: Path) -> None:
        north = mini_plan / "regions" / "north.yaml"
        north.write_text(north.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
        code, diagnostics, _ = diagnostics_of(mini_plan)
        assert code == 0
        assert [where(d) for d in diagnostics] == [("PLC012", 1, 1)]
        assert run_planc("check", mini_plan, "--strict").code == 1


class TestMissingThings:
    """Missing paths and folders give a message, not a traceback."""

    def test_missing_folder(self, tmp_path: Path) -> None:
        result = run_planc("check", tmp_path / "nope", "--format", "json")
        assert result.code == 1
        assert [d["code"] for d in result.json()["diagnostics"]] == ["PLC011"]

    def test_a_mistyped_folder_names_the_quarter_folders_nearby(self, tmp_path: Path) -> None:
        """A new user's slips (plan/ for plans/, the quarter id alone, a quarter not made yet)
        get the folders they may have meant, the likeliest first."""
        for quarter in ("2027-Q1", "2026-Q4"):
            shutil.copytree(MINI, tmp_path / "plans" / quarter)
        (tmp_path / "plans" / "notes").mkdir()  # no quarter file: not offered
        for typed in ("plan/2027-Q1", "2027-Q1", "plans/2027-Q2"):
            result = run_planc("check", typed, cwd=tmp_path)
            assert result.code == 1
            assert f"PLC011 [error] plan folder {typed} does not exist" in result.stdout
            assert (
                "hint: check the path; quarter folders found nearby: plans/2027-Q1, plans/2026-Q4"
                in result.stdout
            ), typed

    def test_a_missing_folder_with_no_quarter_nearby_says_check_the_path(
        self, tmp_path: Path
    ) -> None:
        result = run_planc("check", "nope", cwd=tmp_path)
        assert result.code == 1
        assert result.stdout.splitlines()[1].strip() == "= hint: check the path"

    @pytest.mark.parametrize("given", ["regions/north.yaml", "quarter.yaml"])
    def test_a_plan_file_given_points_at_its_quarter_folder(
        self, tmp_path: Path, given: str
    ) -> None:
        shutil.copytree(MINI, tmp_path / "plans" / "2027-Q1")
        result = run_planc("check", f"plans/2027-Q1/{given}", cwd=tmp_path)
        assert result.code == 1
        assert "is a file; planc checks a quarter folder" in result.stdout
        assert "hint: give its quarter folder instead: plans/2027-Q1\n" in result.stdout
        assert run_planc("check", "plans/2027-Q1", cwd=tmp_path).code == 0  # the hint works

    def test_a_quarters_regions_folder_given_points_at_the_quarter_folder(
        self, tmp_path: Path
    ) -> None:
        """Its regions/ has plan files but no quarter file: PLC106 where it was, and the hint
        names the quarter folder above it, not 'add quarter.yaml'."""
        shutil.copytree(MINI, tmp_path / "plans" / "2027-Q1")
        result = run_planc("check", "plans/2027-Q1/regions", "--format", "json", cwd=tmp_path)
        assert result.code == 1
        (found,) = result.json()["diagnostics"]
        assert where(found) == ("PLC106", 1, 1)
        assert found["path"] == "plans/2027-Q1/regions"
        assert found["hint"] == "give its quarter folder instead: plans/2027-Q1"
        # with no quarter folder above, the hint is still to add the quarter file
        shutil.copytree(MINI / "regions", tmp_path / "loose")
        result = run_planc("check", "loose", cwd=tmp_path)
        assert "hint: add quarter.yaml with kind: quarter" in result.stdout

    def test_a_plan_file_given_to_another_command_gets_the_same_hint(self, tmp_path: Path) -> None:
        """The hint names the folder, not a command: render, track, export and allocate read
        the folder the way check does."""
        shutil.copytree(MINI, tmp_path / "plans" / "2027-Q1")
        result = run_planc("export", "plans/2027-Q1/quarter.yaml", cwd=tmp_path)
        assert result.code == 1
        # stdout is for the CSV: export's diagnostics go to stderr
        assert "hint: give its quarter folder instead: plans/2027-Q1\n" in result.stderr

    @pytest.mark.parametrize(
        ("where", "told"),
        [
            pytest.param(
                "plans/2027-Q1", ". is a quarter folder: planc check .", id="in-a-quarter"
            ),
            pytest.param(
                "plans/2027-Q1/regions", ".. is a quarter folder: planc check ..", id="in-regions"
            ),
            pytest.param(
                "plans", "run it in .., which holds plans/, or name a quarter folder", id="in-plans"
            ),
            pytest.param(
                "elsewhere", "name a quarter folder, e.g. planc check plans/2027-Q1", id="elsewhere"
            ),
        ],
    )
    def test_check_run_where_there_is_no_plans_folder_says_where_to_run(
        self, tmp_path: Path, where: str, told: str
    ) -> None:
        shutil.copytree(MINI, tmp_path / "repo" / "plans" / "2027-Q1")
        elsewhere = tmp_path / "a" / "b" / "c" / "d" / "elsewhere"  # four folders up: none
        elsewhere.mkdir(parents=True)
        folder = elsewhere if where == "elsewhere" else tmp_path / "repo" / where
        result = run_planc("check", cwd=folder)
        assert result.code == 2
        assert result.stderr == (
            f"planc: error: no plan folders given and none found under ./plans; {told}\n"
        )

    def test_check_run_beside_an_empty_plans_folder_is_not_told_to_run_there(
        self, tmp_path: Path
    ) -> None:
        """./plans is there but holds no quarter folder: "run it in ., which holds plans/"
        told the user to do what they had just done."""
        (tmp_path / "plans").mkdir()
        result = run_planc("check", cwd=tmp_path)
        assert result.code == 2
        assert result.stderr == (
            "planc: error: no plan folders given and none found under ./plans; plans/ holds"
            " no quarter folder yet: add one (plans/2027-Q1/quarter.yaml) or name a quarter"
            " folder\n"
        )

    def test_folder_without_plan_files(self, tmp_path: Path) -> None:
        result = run_planc("check", tmp_path)
        assert result.code == 1
        assert "no .yaml files" in result.stdout

    def test_folder_without_quarter_file(self, mini_plan: Path) -> None:
        (mini_plan / "quarter.yaml").unlink()
        code, diagnostics, _ = diagnostics_of(mini_plan)
        assert code == 1
        assert [d["code"] for d in diagnostics] == ["PLC106"]

    def test_unknown_option_is_a_usage_error(self, mini_plan: Path) -> None:
        result = run_planc("check", mini_plan, "--no-such-option")
        assert result.code == 2
        assert "Traceback" not in result.stderr

    def test_unknown_code_to_explain(self) -> None:
        result = run_planc("explain", "PLC999")
        assert result.code == 2
        assert "unknown code" in result.stderr
