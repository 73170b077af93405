"""The index from per-region fragments (planc.site.fragments) is the whole model's index.

A fragment is made from one render's model and read back (as JSON, as a record
holds it) by a later one that has a model of the quarter file and some region
files only; the index built from both must equal the index the whole model gives,
field by field (so the page, rendered by the same template, is the same bytes).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from commitments import gapped_copy, mini_with_commitments
from conftest import MINI, REPO
from planc.checks import CHECKS, check_directory
from planc.core.diagnostics import Diagnostic, Severity
from planc.core.frontend import CheckResult, Frontend
from planc.core.loader import DEFAULT_MAX_BYTES
from planc.core.model import Plan
from planc.core.pipeline import read_directory
from planc.core.source import Loc
from planc.site import fragments
from planc.site.render import RenderOptions, _Views, render_page


def _no_checks(plan: Plan) -> Iterable[Diagnostic]:
    return ()


def whole(
    folder: Path, *, infos_only: bool = False, options: RenderOptions | None = None
) -> tuple[CheckResult, _Views]:
    """The whole model's views; ``infos_only``: as if the checks had found no warning
    (the index of a plan with warnings is not made from fragments)."""
    result = check_directory(folder)
    assert result.plan is not None and not result.has_errors, result.diagnostics
    if infos_only:
        result.diagnostics = [d for d in result.diagnostics if d.severity is Severity.INFO]
    return result, _Views(result, options or RenderOptions(), None)


def region_files(result: CheckResult) -> list[str]:
    assert result.plan is not None
    return list(result.plan.files[1:])


def some_files(
    folder: Path,
    keep: set[str],
    diagnostics: list[Diagnostic],
    options: RenderOptions | None = None,
) -> _Views:
    """Views over a model of the quarter file and the region files ``keep`` only; the
    plan's diagnostics are the whole plan's (as the partitioned check gives them)."""
    sources, problems = read_directory(folder, DEFAULT_MAX_BYTES)
    assert not problems
    label = str(folder)
    chosen = [s for s in sources if s.path in keep or "regions" not in Path(s.path).parts]
    built = Frontend(_no_checks, DEFAULT_MAX_BYTES).compile(label, chosen, [], resolve=False)
    assert built.plan is not None
    partial = CheckResult(label, {s.path: s for s in sources}, diagnostics, built.plan)
    return _Views(partial, options or RenderOptions(), None)


def recorded(views: _Views, paths: Iterable[str]) -> dict[str, Any]:
    """Each file's fragment as a record holds it (JSON written and read back)."""
    made = {path: fragments.fragment(views, path) for path in paths}
    assert all(f is not None for f in made.values()), made
    return {path: json.loads(json.dumps(f)) for path, f in made.items()}


def generated(tmp_path: Path, reps: int = 120) -> Path:
    out = tmp_path / "gen" / "2027-Q1"
    script = REPO / "bench" / "generate.py"
    subprocess.run([sys.executable, str(script), str(reps), str(out)], check=True)
    return out


def assert_same_index(
    folder: Path,
    before: Path | None = None,
    *,
    edited: str | None = None,
    infos_only: bool = False,
    options: RenderOptions | None = None,
) -> int:
    """For each region file R (``edited`` only, if given): the index over Q + R and the
    other files' fragments (made from the plan in ``before``, the same files unless
    given) equals the whole model's. How many region files could be left to fragments."""
    result, views = whole(folder, infos_only=infos_only, options=options)
    files = region_files(result)
    old = views
    if before is not None:
        old_result, old = whole(before, infos_only=infos_only, options=options)
        assert region_files(old_result) == [f.replace(str(folder), str(before)) for f in files]
    expected = views.index()
    tried = 0
    for path_of_r in files:
        if edited is not None and not path_of_r.endswith(edited):
            continue
        others = [f for f in files if f != path_of_r]
        made = {}
        for path in others:
            old_path = path if before is None else path.replace(str(folder), str(before))
            found = fragments.fragment(old, old_path)
            if found is not None:
                made[path] = json.loads(json.dumps(found).replace(str(before), str(folder)))
        if len(made) != len(others):
            continue
        partial = some_files(folder, {path_of_r}, result.diagnostics, options)
        page = fragments.index_page(partial, files, made)
        if page is None:
            continue
        tried += 1
        assert page == expected, path_of_r
        shown = render_page(fragments_page(page, views))
        assert shown == render_page(fragments_page(expected, views))
    return tried


def fragments_page(page: Any, views: _Views) -> Any:
    from planc.site.render import Page

    return Page("index.html", "index.html.j2", {"page": page, "t": views.t})


def set_locale(folder: Path, locale: str) -> None:
    quarter = folder / "quarter.yaml"
    text = quarter.read_text(encoding="utf-8")
    assert text.count("locale: en") == 1
    quarter.write_text(text.replace("locale: en", f"locale: {locale}"), encoding="utf-8")


@pytest.fixture(params=["en", "zh-CN"])
def locale(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class TestSameIndex:
    def test_generated(self, tmp_path: Path, locale: str) -> None:
        folder = generated(tmp_path)
        if locale != "en":
            set_locale(folder, locale)
        assert assert_same_index(folder) == len(list((folder / "regions").iterdir()))

    def test_without_peers(self, tmp_path: Path, locale: str) -> None:
        """--no-peers: the tree shows no rep's number and links to no rep's page."""
        folder = generated(tmp_path)
        if locale != "en":
            set_locale(folder, locale)
        options = RenderOptions(peers=False)
        regions = len(list((folder / "regions").iterdir()))
        assert assert_same_index(folder, options=options) == regions

    def test_mini(self, tmp_path: Path, locale: str) -> None:
        folder = tmp_path / "2027-Q1"
        shutil.copytree(MINI, folder)
        if locale != "en":
            set_locale(folder, locale)
        # the quarter file's adjustment changes north's reps: south alone has a fragment
        assert assert_same_index(folder) == 1

    def test_bottom_up_numbers(self, tmp_path: Path, locale: str) -> None:
        folder = mini_with_commitments(tmp_path, locale)
        assert assert_same_index(folder, infos_only=True) == 1

    def test_the_companys_gap(self, tmp_path: Path, locale: str) -> None:
        """Every region commits to a number: the company's bottom-up gap adds them up."""
        folder = generated(tmp_path)
        if locale != "en":
            set_locale(folder, locale)
        for index, path in enumerate(sorted((folder / "regions").iterdir())):
            text = path.read_text(encoding="utf-8")
            if index == 0:  # the region's own number
                own = re.compile(r"new_customers: \{value: (\d+)\}").search(text)
                assert own is not None and own.start() < text.index("teams:")
                committed = f"new_customers: {{value: {own.group(1)}, bottom_up: 17}}"
                text = text[: own.start()] + committed + text[own.end() :]
            else:  # each team's: the region's is rolled up from them
                teams = r"(\n        new_customers:\n          value: \d+\n)"
                text, count = re.subn(teams, r"\1          bottom_up: 3\n", text)
                assert count == text.count("\n    - id: ")
            path.write_text(text, encoding="utf-8")
        _, views = whole(folder, infos_only=True)
        company = views.plan.nodes[views.plan.company]
        assert views.extras.gaps.get((company.id, "new_customers")) is not None
        region = views.plan.nodes[company.children[-1]]
        rolled = views.extras.gaps.get((region.id, "new_customers"))
        assert rolled is not None and rolled.rolled_up
        assert assert_same_index(folder, infos_only=True) == 2

    def test_2017_q3_with_gaps(self, tmp_path: Path) -> None:
        folder = gapped_copy(tmp_path)
        assert assert_same_index(folder, infos_only=True) == 3


def bump(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


class TestAfterAnEdit:
    """Fragments made before an edit of R, the model of Q + R after it: the index of the
    edited plan, for edits that change what the index shows."""

    @pytest.fixture
    def two(self, tmp_path: Path, locale: str) -> tuple[Path, Path]:
        before = generated(tmp_path)
        if locale != "en":
            set_locale(before, locale)
        after = tmp_path / "after" / "2027-Q1"
        shutil.copytree(before, after)
        return before, after

    @pytest.mark.parametrize("name", ["r01.yaml", "r02.yaml"])
    def test_a_reps_target(self, two: tuple[Path, Path], name: str) -> None:
        before, after = two
        path = after / "regions" / name
        text = path.read_text(encoding="utf-8")
        found = re.compile(r"new_customers: \{value: (\d+)\}").search(text, text.index("reps:"))
        assert found is not None
        raised = f"new_customers: {{value: {int(found.group(1)) + 1}}}"
        path.write_text(text[: found.start()] + raised + text[found.end() :], encoding="utf-8")
        assert assert_same_index(after, before, edited=name) == 1
        _, old_views = whole(before)
        _, new_views = whole(after)
        assert old_views.index() != new_views.index()  # the edit reached the index

    def test_a_regions_name(self, two: tuple[Path, Path]) -> None:
        before, after = two
        text = (after / "regions" / "r02.yaml").read_text(encoding="utf-8")
        start = text.index("name: ")
        name = text[start : text.index("\n", start)]
        bump(after, "regions/r02.yaml", name, name + " Renamed")
        assert assert_same_index(after, before, edited="r02.yaml") == 1


class TestRefused:
    """Where a fragment cannot stand for its file, the index is the whole model's."""

    @pytest.fixture
    def parts(self, tmp_path: Path) -> tuple[_Views, list[str], dict[str, Any]]:
        folder = generated(tmp_path)
        result, views = whole(folder)
        files = region_files(result)
        made = recorded(views, files[1:])
        partial = some_files(folder, {files[0]}, result.diagnostics)
        assert fragments.index_page(partial, files, made) == views.index()
        return partial, files, made

    def test_a_warning(self, parts: tuple[_Views, list[str], dict[str, Any]]) -> None:
        partial, files, made = parts
        rule = next(c.rule for c in CHECKS if c.rule.severity is Severity.WARNING)
        partial.result.diagnostics = [rule.at(Loc(files[0]), "a warning")]
        assert fragments.index_page(partial, files, made) is None

    def test_a_file_without_a_fragment(
        self, parts: tuple[_Views, list[str], dict[str, Any]]
    ) -> None:
        partial, files, made = parts
        fewer = dict(made)
        fewer.pop(files[-1])
        assert fragments.index_page(partial, files, fewer) is None

    def test_a_fragment_of_a_file_the_model_has(
        self, parts: tuple[_Views, list[str], dict[str, Any]]
    ) -> None:
        partial, files, made = parts
        assert fragments.index_page(partial, files, {**made, files[0]: made[files[1]]}) is None

    def test_a_fragment_of_another_plan(
        self, parts: tuple[_Views, list[str], dict[str, Any]]
    ) -> None:
        partial, files, made = parts
        other = json.loads(json.dumps(made[files[1]]))
        other["summed"] = other["summed"][:-1]
        assert fragments.index_page(partial, files, {**made, files[1]: other}) is None

    @pytest.mark.parametrize(
        "damage",
        [
            lambda f: f.update(format=2),
            lambda f: f.update(reps="12"),
            lambda f: f.update(regions=[]),
            lambda f: f["regions"][0].update(tree=["x"]),
            lambda f: f["regions"][0]["node"].__setitem__(2, 99),
            lambda f: f["regions"][0]["node"][5][0].__setitem__(1, "NaN"),
            lambda f: f["regions"][0]["node"][5][0].__setitem__(3, -5),
            lambda f: f["regions"][0]["months"].popitem(),
            lambda f: f["overs"].update(revenue=[1, "1"]),
            lambda f: f["adjustments"].append(["x"]),
            lambda f: f.clear(),
            # numbers no plan makes: beyond Decimal's exponents, the index cannot show them
            lambda f: f["regions"][0]["node"][5][0].__setitem__(1, "1E+999999999"),
            lambda f: f["overs"].update(revenue=[1, "-1E+999999999", "1E+999999999"]),
            lambda f: f["regions"][0]["months"].update(revenue=["1E+999999999"] * 3),
            lambda f: f["regions"][0]["numbers"].update(revenue=["1E+999999999", True]),
        ],
    )
    def test_a_damaged_fragment(
        self, parts: tuple[_Views, list[str], dict[str, Any]], damage: Any
    ) -> None:
        partial, files, made = parts
        bad = json.loads(json.dumps(made[files[1]]))
        damage(bad)
        assert fragments.index_page(partial, files, {**made, files[1]: bad}) is None
        assert fragments.index_page(partial, files, {**made, files[1]: [bad]}) is None

    def test_a_single_brief(self, parts: tuple[_Views, list[str], dict[str, Any]]) -> None:
        partial, files, made = parts
        partial.options = RenderOptions(rep="someone")
        assert fragments.index_page(partial, files, made) is None
