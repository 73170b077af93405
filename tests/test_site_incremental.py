"""planc render again: only the pages whose content changed are written, and the site is
byte for byte what a full render makes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from conftest import run_planc
from planc.checks import check_directory
from planc.checks.partition import PartitionStats, teams_name
from planc.core.cache import UnitCache
from planc.core.frontend import compile_unit
from planc.core.spans import SpanResolver
from planc.site import fragments, reuse
from planc.site import render as render_module
from planc.site.checked import Skipping, check_for_render, vouched
from planc.site.render import (
    Begun,
    RenderOptions,
    RenderReport,
    _record_name,
    begin_render,
    render_site,
)

ONE_REP_PAGES = {"index.html", "regions/north.html", "teams/north-ent.html", "reps/ann.html"}


def site_files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def inodes(root: Path) -> dict[str, int]:
    return {
        p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*.html") if p.is_file()
    }


def edit(plan: Path, name: str, old: str, new: str) -> None:
    path = plan / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def move_li_weis_months(plan: Path) -> None:
    """One rep's (li-wei, south) monthly split changed, her quarter's target the same."""
    edit(plan, "regions/south.yaml", "[200000, 230000, 280000]", "[210000, 220000, 280000]")


def render(
    plan: Path,
    out: Path,
    cache: UnitCache | None,
    *,
    errors: bool = False,
    begin: bool = False,
    skipped: list[Skipping] | None = None,
    options: RenderOptions | None = None,
    ahead: bool = False,
) -> RenderReport:
    """render_site as the command calls it (which refuses a plan with errors unless asked);
    ``begin``: the old pages linked and checked before the model is built (begin_render);
    ``skipped``: region files unchanged since may be left out of the model, as the command
    does (what was left out is appended to it); ``ahead``: with files left out, the views
    and keys are made before the partition is waited for (render_module.Ahead), as the
    command does."""
    begun: Begun | None = None
    skipping: Skipping | None = None

    def beginning() -> Skipping | None:  # as the command: before the model is built
        nonlocal begun, skipping
        begun = begin_render(out, cache) if begin else None
        if begun is not None and skipped is not None:
            skipping = Skipping.after(begun.recorded)
        return skipping

    early = render_module.Ahead(options or RenderOptions(), lambda: None) if ahead else None
    try:
        stats = PartitionStats()
        result = check_for_render(plan, cache, stats, ahead=early, begin=beginning)
        assert result.plan is not None and (errors or not result.has_errors), result.diagnostics
        report = render_site(
            result,
            out,
            options,
            records=cache,
            vouched=vouched(result, stats),
            begun=begun,
            skipping=skipping,
            release=skipping is not None,  # as the command: a late read of the bytes raises
            ahead=early,
        )
        if skipping is not None and skipped is not None:
            skipped.append(skipping)
        return report
    finally:
        if begun is not None:
            begun.close()


class Renders:
    """A site rendered again after each edit, beside a full render of the same plan."""

    def __init__(self, plan: Path, tmp_path: Path, options: RenderOptions | None = None) -> None:
        self.plan = plan
        self.options = options
        self.tmp = tmp_path
        self.cache = UnitCache(tmp_path / "cache")
        self.site = tmp_path / "site"
        self.fulls = 0
        self.begin = False
        self.skipped: list[Skipping] | None = None  # a list: files may be left out
        self.ahead = False
        first = render(plan, self.site, self.cache, options=options)
        assert first.kept == 0

    def again(self, *, errors: bool = False) -> tuple[set[str], set[str]]:
        """Render again; (pages written anew, pages whose bytes changed), after checking
        the site against a full render without any cache."""
        before, nodes = site_files(self.site), inodes(self.site)
        report = render(
            self.plan,
            self.site,
            self.cache,
            errors=errors,
            begin=self.begin,
            skipped=self.skipped,
            options=self.options,
            ahead=self.ahead,
        )
        self.fulls += 1
        full = self.tmp / f"full-{self.fulls}"
        assert render(self.plan, full, None, errors=errors, options=self.options).kept == 0
        after = site_files(self.site)
        assert after == site_files(full)  # byte for byte, the marker too
        now = inodes(self.site)
        written = {page for page, node in now.items() if nodes.get(page) != node}
        changed = {p for p in after if p.endswith(".html") and before.get(p) != after[p]}
        assert report.kept == len(now) - len(written)
        # a page is kept only when its bytes did not change, and then it is the same file
        assert changed <= written
        return written, changed


@pytest.fixture
def renders(mini_plan: Path, tmp_path: Path) -> Renders:
    return Renders(mini_plan, tmp_path)


class TestOnlyChangedPages:
    def test_nothing_changed_keeps_every_page_but_the_index(self, renders: Renders) -> None:
        written, changed = renders.again()
        assert written == {"index.html"}
        assert changed == set()

    def test_one_reps_target(self, renders: Renders) -> None:
        edit(
            renders.plan,
            "regions/north.yaml",
            "csat: {value: 4.5}\n            sales_expense: {value: 35000}\n        - rep: bob",
            "csat: {value: 4.6}\n            sales_expense: {value: 35000}\n        - rep: bob",
        )
        written, changed = renders.again()
        assert "reps/ann.html" in changed
        assert written <= ONE_REP_PAGES

    def test_one_reps_monthly_phasing(self, renders: Renders) -> None:
        edit(
            renders.plan,
            "regions/north.yaml",
            "[150000, 180000, 220000]",
            "[160000, 170000, 220000]",
        )
        written, changed = renders.again()
        assert {"reps/ann.html", "teams/north-ent.html", "regions/north.html"} <= changed
        assert written <= ONE_REP_PAGES

    def test_a_managers_name_reaches_the_briefs_of_the_team(self, renders: Renders) -> None:
        edit(renders.plan, "regions/north.yaml", "name: Ned Stark", "name: Ned Starck")
        written, changed = renders.again()
        # Ned owns the action at his team: listed on its page and on its reps' briefs
        assert {"reps/ann.html", "reps/bob.html", "teams/north-ent.html"} <= changed
        assert not any(page.startswith(("reps/li-wei", "reps/xu-fang")) for page in written)

    def test_a_teams_name_reaches_the_crumbs_of_its_reps(self, renders: Renders) -> None:
        edit(
            renders.plan, "regions/north.yaml", "name: North Enterprise", "name: North Big Accounts"
        )
        _, changed = renders.again()
        assert {"reps/ann.html", "reps/bob.html", "teams/north-ent.html"} <= changed

    def test_a_reps_start_date_changes_the_badges_on_the_team_page(self, renders: Renders) -> None:
        edit(renders.plan, "regions/north.yaml", "start: 2024-05-01", "start: 2026-12-01")
        _, changed = renders.again()
        assert {"reps/ann.html", "teams/north-ent.html"} <= changed

    def test_a_metric_renamed_changes_every_page(self, renders: Renders) -> None:
        text = (renders.plan / "quarter.yaml").read_text(encoding="utf-8")
        assert "name: Revenue" in text
        edit(renders.plan, "quarter.yaml", "name: Revenue", "name: Bookings")
        written, changed = renders.again()
        assert written == changed == set(inodes(renders.site))

    def test_an_action_reaches_the_pages_that_list_it(self, renders: Renders) -> None:
        edit(renders.plan, "regions/north.yaml", "Northern Industry Fair", "Northern Fair")
        written, changed = renders.again()
        # at the team north-ent: its page and its reps' briefs ("the team's actions")
        assert changed == {"teams/north-ent.html", "reps/ann.html", "reps/bob.html"}
        assert written == changed | {"index.html"}

    def test_an_adjustments_note_and_approver(self, renders: Renders) -> None:
        edit(renders.plan, "quarter.yaml", "undercut us at Northwind", "undercut us in the north")
        written, changed = renders.again()
        assert changed - {"index.html"} == {
            "reps/ann.html",
            "reps/bob.html",
            "teams/north-ent.html",
            "regions/north.html",
        }
        assert written == changed | {"index.html"}
        edit(renders.plan, "regions/north.yaml", "name: Nora North", "name: Nora Nord")
        written, changed = renders.again()  # Nora approved it, and owns the region
        assert {"reps/ann.html", "reps/bob.html", "regions/north.html"} <= changed
        assert written == changed | {"index.html"}

    def test_the_fast_way_to_take_a_node_apart_is_on(self) -> None:
        assert reuse._FAST  # else the model has a field reuse.py's fast path does not name

    def test_deleting_a_rep(self, renders: Renders) -> None:
        south = renders.plan / "regions" / "south.yaml"
        text = south.read_text(encoding="utf-8")
        start = text.index("        - rep: xu-fang")
        end = text.index("people:")
        south.write_text(text[:start] + text[end:], encoding="utf-8")
        # the team's reps no longer add up (errors): rendered all the same, as the API allows
        written, changed = renders.again(errors=True)
        assert "reps/xu-fang.html" not in site_files(renders.site)
        assert {"teams/south-smb.html", "regions/south.html"} <= changed
        assert written == {"index.html", "teams/south-smb.html", "regions/south.html"}

    def test_deleting_a_rep_named_in_an_adjustment(self, renders: Renders) -> None:
        north = renders.plan / "regions" / "north.yaml"
        text = north.read_text(encoding="utf-8")
        north.write_text(
            text[: text.index("        - rep: bob")] + text[text.index("people:") :],
            encoding="utf-8",
        )
        change = "      - {target: bob/revenue, from: 560000, to: 550000}\n"
        edit(renders.plan, "quarter.yaml", change, "")
        # ADJ-001 is listed on the pages of the nodes it changes and those above them
        written, _ = renders.again(errors=True)
        assert "reps/bob.html" not in site_files(renders.site)
        assert written == ONE_REP_PAGES

    def test_a_sequence_of_edits(self, renders: Renders) -> None:
        before = site_files(renders.site)
        edit(renders.plan, "regions/north.yaml", "share: {value: 45}", "share: {value: 50}")
        written, changed = renders.again()
        assert "reps/bob.html" in changed
        assert written <= {*ONE_REP_PAGES - {"reps/ann.html"}, "reps/bob.html"}
        edit(renders.plan, "regions/north.yaml", "share: {value: 50}", "share: {value: 45}")
        renders.again()
        assert site_files(renders.site) == before  # back where it started, byte for byte


class TestUntrustedSite:
    """The old site and the record are checked before a page is kept."""

    def test_a_page_edited_by_hand_is_written_again(self, renders: Renders) -> None:
        page = renders.site / "reps" / "bob.html"
        data = page.read_bytes()
        page.write_bytes(data.replace(b"Bob Ortiz", b"Bob Evil!"))
        written, _ = renders.again()
        assert "reps/bob.html" in written

    def test_a_page_with_another_mode_is_written_again(self, renders: Renders) -> None:
        page = renders.site / "reps" / "bob.html"
        page.chmod(0o600)
        written, _ = renders.again()
        assert "reps/bob.html" in written
        assert (page.stat().st_mode & 0o777) == (0o666 & ~current_umask())

    @pytest.mark.parametrize(
        "record",
        [
            b"",
            b"{not json",
            b"[]",
            json.dumps({"record": "another", "value": {}}).encode(),
            b'{"record": "x", "value": {"format": 1, "pages": {"reps/bob.html": ["zz", "yy"]}}}',
        ],
    )
    def test_a_damaged_record_keeps_nothing(self, renders: Renders, record: bytes) -> None:
        damaged = [p for p in (renders.tmp / "cache").iterdir() if _is_record(p, renders.site)]
        assert len(damaged) == 1
        damaged[0].write_bytes(record)
        written, _ = renders.again()
        assert written == set(inodes(renders.site))

    def test_no_cache_renders_every_page(self, mini_plan: Path, tmp_path: Path) -> None:
        out = tmp_path / "site"
        env = {"PLANC_CACHE_DIR": str(tmp_path / "cache")}
        assert run_planc("render", mini_plan, "--out", out, env=env).code == 0
        again = run_planc("render", mini_plan, "--out", out, env=env)
        assert again.stdout == f"site: {out}/index.html (9 pages, 8 unchanged)\n"
        fresh = run_planc("render", mini_plan, "--out", out, "--no-cache", env=env)
        assert fresh.stdout == f"site: {out}/index.html (9 pages)\n"


def _is_record(path: Path, site: Path) -> bool:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return False
    return isinstance(value, dict) and value.get("record") == _record_name(site)


def current_umask() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


class TestBothCores:
    """Pages rendered by forked workers are the pages one process renders."""

    def test_workers_render_the_same_site(
        self, mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        result = check_directory(mini_plan)
        monkeypatch.setenv("PLANC_WORKERS", "1")
        render_site(result, tmp_path / "one")
        monkeypatch.setenv("PLANC_WORKERS", "3")
        monkeypatch.setattr(render_module, "_PARALLEL_MIN_PAGES", 1)
        real = render_module._render_share
        seen = tmp_path / "renderers"
        seen.mkdir()

        def counted(*args: Any) -> dict[str, str]:
            (seen / str(os.getpid())).touch()
            return real(*args)

        monkeypatch.setattr(render_module, "_render_share", counted)
        render_site(result, tmp_path / "three")
        assert site_files(tmp_path / "three") == site_files(tmp_path / "one")
        # a relay of fresh workers, two at a time (the bound: tests/test_forking_relay.py)
        assert len({int(p.name) for p in seen.iterdir()} - {os.getpid()}) >= 2

    def test_a_failing_worker_leaves_its_pages_to_this_process(
        self, mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        result = check_directory(mini_plan)
        render_site(result, tmp_path / "one")
        monkeypatch.setenv("PLANC_WORKERS", "2")
        monkeypatch.setattr(render_module, "_PARALLEL_MIN_PAGES", 1)
        real = render_module._render_share
        parent = os.getpid()
        failed = tmp_path / "failed"

        def fails_in_a_worker(views: Any, specs: list[Any], building: Path, digest: bool) -> Any:
            if os.getpid() == parent:
                return real(views, specs, building, digest)
            real(views, specs[: len(specs) // 2], building, digest)  # some pages, then it dies
            failed.touch()
            raise OSError("the worker ran out of something")

        monkeypatch.setattr(render_module, "_render_share", fails_in_a_worker)
        render_site(result, tmp_path / "two")
        assert failed.exists()
        assert site_files(tmp_path / "two") == site_files(tmp_path / "one")

    @pytest.mark.parametrize("worker", ["decides", "dies half way"])
    def test_a_worker_sorts_out_the_pages_to_keep(
        self, worker: str, mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Keys made and old pages kept by a forked worker are those one process keeps."""
        monkeypatch.setenv("PLANC_WORKERS", "2")
        monkeypatch.setattr(render_module, "_PARALLEL_MIN_KEYS", 1)
        real = render_module._Sorting.decide
        parent = os.getpid()
        seen = tmp_path / "deciders"
        seen.mkdir()

        def spied(self: Any, indexes: Any) -> Any:
            (seen / str(os.getpid())).touch()
            if os.getpid() == parent or worker == "decides":
                return real(self, indexes)
            real(self, list(indexes)[:2])  # keeps (links) some pages, then it dies
            raise OSError("the worker ran out of something")

        monkeypatch.setattr(render_module._Sorting, "decide", spied)
        renders = Renders(mini_plan, tmp_path)
        edit(
            renders.plan,
            "regions/north.yaml",
            "csat: {value: 4.5}\n            sales_expense: {value: 35000}\n        - rep: bob",
            "csat: {value: 4.6}\n            sales_expense: {value: 35000}\n        - rep: bob",
        )
        written, changed = renders.again()  # the site is the full render's, byte for byte
        assert "reps/ann.html" in changed
        assert written <= ONE_REP_PAGES
        # workers in each render with the cache (the first and the second one; a relay of
        # fresh workers, planc.core.forking.relay)
        assert len({int(p.name) for p in seen.iterdir()} - {parent}) >= 2


class TestRegionKeys:
    """Pages of a region file that did not change take their keys from the record (the plan
    vouched for by the partitioned check); the site stays the full render's, byte for byte,
    in English and in Chinese."""

    @pytest.fixture(params=["en", "zh-CN"])
    def renders(self, request: pytest.FixtureRequest, mini_plan: Path, tmp_path: Path) -> Renders:
        if request.param != "en":
            edit(mini_plan, "quarter.yaml", "locale: en", f"locale: {request.param}")
        return Renders(mini_plan, tmp_path)

    @pytest.fixture
    def made(self, monkeypatch: pytest.MonkeyPatch) -> list[str]:
        """The pages whose key was made (not taken from the record), in this process."""
        seen: list[str] = []
        real = render_module._Views.key

        def spied(self: Any, keys: Any, spec: Any) -> Any:
            seen.append(spec.path)
            return real(self, keys, spec)

        monkeypatch.setenv("PLANC_WORKERS", "1")  # every key made here, where it is seen
        monkeypatch.setattr(render_module._Views, "key", spied)
        return seen

    def test_a_south_edit_makes_the_keys_of_south_only(
        self, renders: Renders, made: list[str]
    ) -> None:
        move_li_weis_months(renders.plan)
        made.clear()
        written, changed = renders.again()
        assert "reps/li-wei.html" in changed
        # the quarter file names north's people (ADJ-001): north's edits reach every region,
        # south's do not reach north
        assert not [
            page for page in made if "north" in page or page in {"reps/ann.html", "reps/bob.html"}
        ]
        assert {"reps/li-wei.html", "reps/xu-fang.html", "regions/south.html"} <= set(made)
        assert written <= {
            "index.html",
            "reps/li-wei.html",
            "teams/south-smb.html",
            "regions/south.html",
        }

    def test_nothing_changed_makes_no_key(self, renders: Renders, made: list[str]) -> None:
        made.clear()
        written, _ = renders.again()
        assert written == {"index.html"} and made == ["index.html"]

    def test_a_person_the_quarter_file_names_reaches_every_region(
        self, renders: Renders, made: list[str]
    ) -> None:
        # a company-level action owned by a rep of north is listed on every brief, south's too
        action = (
            "actions:\n  - {id: co-push, what: Quarter-end push, owner: ned, node: acme,"
            " supports: revenue, due: 2027-03-01}\n"
        )
        quarter = renders.plan / "quarter.yaml"
        quarter.write_text(quarter.read_text(encoding="utf-8") + action, encoding="utf-8")
        renders.again()
        edit(renders.plan, "regions/north.yaml", "name: Ned Stark", "name: Ned Starck")
        made.clear()
        _written, changed = renders.again()
        assert {"reps/li-wei.html", "reps/xu-fang.html"} <= changed  # south's briefs
        assert "reps/li-wei.html" in made

    def test_a_rep_moved_to_another_team_of_its_file(self, renders: Renders) -> None:
        south = renders.plan / "regions" / "south.yaml"
        text = south.read_text(encoding="utf-8")
        rep = text[text.index("        - rep: xu-fang") : text.index("people:")]
        team = (
            "    - id: south-new\n      name: New\n      owner: sun\n      targets:\n"
            "        revenue: {value: 290000}\n        new_customers: {value: 3}\n"
            "        sales_expense: {value: 25000}\n      reps:\n"
        )
        text = text.replace(rep, "").replace("people:", team + rep + "people:")
        south.write_text(text, encoding="utf-8")
        written, changed = renders.again(errors=True)
        assert "teams/south-new.html" in written and "reps/xu-fang.html" in changed

    def test_a_rep_moved_to_another_region_file(self, renders: Renders) -> None:
        south = renders.plan / "regions" / "south.yaml"
        north = renders.plan / "regions" / "north.yaml"
        stext, ntext = south.read_text(encoding="utf-8"), north.read_text(encoding="utf-8")
        rep = stext[stext.index("        - rep: xu-fang") : stext.index("people:")]
        person = stext[stext.index("  - {id: xu-fang") :]
        south.write_text(stext.replace(rep, "").replace(person, ""), encoding="utf-8")
        north.write_text(ntext.replace("people:\n", rep + "people:\n" + person), encoding="utf-8")
        _written, changed = renders.again(errors=True)
        assert "reps/xu-fang.html" in changed

    def test_a_region_file_removed_and_added_again(self, renders: Renders) -> None:
        south = renders.plan / "regions" / "south.yaml"
        text = south.read_text(encoding="utf-8")
        south.unlink()
        renders.again(errors=True)
        assert "reps/li-wei.html" not in site_files(renders.site)
        south.write_text(text, encoding="utf-8")
        written, _ = renders.again()
        assert "reps/li-wei.html" in written

    def test_a_region_file_added(self, renders: Renders) -> None:
        text = (renders.plan / "regions" / "south.yaml").read_text(encoding="utf-8")
        for old, new in (("south", "east"), ("li-wei", "lw"), ("xu-fang", "xf"), ("sun", "dong")):
            text = text.replace(old, new)
        (renders.plan / "regions" / "east.yaml").write_text(text, encoding="utf-8")
        written, _ = renders.again(errors=True)
        assert {"regions/east.html", "reps/lw.html"} <= written

    def test_the_mini_plan_is_vouched_for(self, mini_plan: Path, tmp_path: Path) -> None:
        stats = PartitionStats()
        result = check_for_render(mini_plan, UnitCache(tmp_path / "cache"), stats)
        assert vouched(result, stats)
        assert not vouched(check_for_render(mini_plan, None), PartitionStats())


class TestIndexBesideTheSorting:
    """The index (always rendered) is rendered by a forked child while the pages to keep are
    sorted out; the site is the one a single process makes, whatever the child does."""

    @pytest.mark.parametrize("child", ["renders", "dies", "dies half way"])
    def test_the_index_from_a_child(
        self, child: str, mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("PLANC_WORKERS", "2")
        monkeypatch.setattr(render_module, "_PARALLEL_MIN_KEYS", 1)
        real = render_module._render_early
        seen = tmp_path / "early"
        seen.mkdir()

        def spied(views: Any, specs: list[Any], building: Path, given: Any) -> bool:
            (seen / str(os.getpid())).touch()
            if child == "dies":
                os._exit(1)
            if child == "dies half way":
                page = building / specs[0].path
                page.write_bytes(b"<html>half a page")
                os._exit(1)
            return real(views, specs, building, given)

        monkeypatch.setattr(render_module, "_render_early", spied)
        renders = Renders(mini_plan, tmp_path)  # the first render, with the cache: a child too
        edit(
            renders.plan,
            "regions/north.yaml",
            "csat: {value: 4.5}\n            sales_expense: {value: 35000}\n        - rep: bob",
            "csat: {value: 4.6}\n            sales_expense: {value: 35000}\n        - rep: bob",
        )
        written, changed = renders.again()  # byte for byte the full render's
        assert "index.html" in written and "reps/ann.html" in changed
        assert written <= ONE_REP_PAGES
        assert len({int(p.name) for p in seen.iterdir()} - {os.getpid()}) == 2


class TestBegunBeforeTheCheck:
    """begin_render links and checks the old pages in a forked child before the plan is
    checked; the render keeps those whose keys match. The site is the full render's."""

    @pytest.fixture
    def renders(self, mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Renders:
        monkeypatch.setenv("PLANC_WORKERS", "2")
        monkeypatch.setattr(render_module, "_PARALLEL_MIN_KEYS", 1)
        found = Renders(mini_plan, tmp_path)
        found.begin = True
        return found

    def leftovers(self, renders: Renders) -> list[str]:
        return sorted(p.name for p in renders.tmp.iterdir() if p.name.startswith(".site."))

    def test_one_reps_target(self, renders: Renders, monkeypatch: pytest.MonkeyPatch) -> None:
        taken: list[bool] = []
        real = render_module.Begun.take

        def spied(self: Any, *args: Any) -> Any:
            found = real(self, *args)
            taken.append(found is not None)
            return found

        monkeypatch.setattr(render_module.Begun, "take", spied)
        edit(
            renders.plan,
            "regions/north.yaml",
            "csat: {value: 4.5}\n            sales_expense: {value: 35000}\n        - rep: bob",
            "csat: {value: 4.6}\n            sales_expense: {value: 35000}\n        - rep: bob",
        )
        written, changed = renders.again()
        assert "reps/ann.html" in changed and written <= ONE_REP_PAGES
        assert taken == [True] and self.leftovers(renders) == []

    def test_nothing_changed(self, renders: Renders) -> None:
        written, _ = renders.again()
        assert written == {"index.html"}

    def test_the_child_dies(self, renders: Renders, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(render_module, "_link_checked", lambda *args: os._exit(1))
        edit(renders.plan, "regions/north.yaml", "name: Ned Stark", "name: Ned Starck")
        written, changed = renders.again()  # decided and linked by the render itself
        assert {"reps/ann.html", "reps/bob.html"} <= changed
        assert "reps/li-wei.html" not in written and self.leftovers(renders) == []

    def test_a_page_edited_by_hand_is_written_again(self, renders: Renders) -> None:
        page = renders.site / "reps" / "bob.html"
        page.write_bytes(page.read_bytes().replace(b"Bob Ortiz", b"Bob Evil!"))
        written, _ = renders.again()
        assert written == {"index.html", "reps/bob.html"}

    def test_a_page_the_new_site_does_not_have(self, renders: Renders) -> None:
        south = renders.plan / "regions" / "south.yaml"
        text = south.read_text(encoding="utf-8")
        start = text.index("        - rep: xu-fang")
        south.write_text(text[:start] + text[text.index("people:") :], encoding="utf-8")
        written, _ = renders.again(errors=True)  # linked early, then unlinked again
        assert "reps/xu-fang.html" not in site_files(renders.site)
        assert written == {"index.html", "teams/south-smb.html", "regions/south.html"}

    def test_a_plan_with_errors_leaves_nothing_beside_the_site(self, renders: Renders) -> None:
        before = site_files(renders.site)
        begun = begin_render(renders.site, renders.cache)
        assert begun is not None and begun.building.is_dir()
        begun.close()  # what planc render does when the check finds errors
        assert not begun.building.exists() and self.leftovers(renders) == []
        assert site_files(renders.site) == before

    def test_another_site_since_it_began(self, renders: Renders) -> None:
        begun = begin_render(renders.site, renders.cache)
        assert begun is not None
        render(renders.plan, renders.site, renders.cache)  # another render meanwhile
        result = check_for_render(renders.plan, renders.cache)
        mode = render_module.new_file_mode()
        assert begun.take(renders.site, ["reps/none.html"], mode) is None
        report = render_site(result, renders.site, records=renders.cache, begun=begun)
        assert report.kept > 0 and self.leftovers(renders) == []
        assert site_files(renders.site) == site_files(self.full(renders))

    def test_the_record_is_read_once(
        self, renders: Renders, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # begin_render read it to check the old pages; the render takes it from there
        names: list[str] = []
        real = UnitCache.get_record

        def spied(self: UnitCache, name: str) -> Any:
            names.append(name)
            return real(self, name)

        monkeypatch.setattr(UnitCache, "get_record", spied)
        edit(renders.plan, "regions/north.yaml", "name: Ned Stark", "name: Ned Starck")
        written, changed = renders.again()
        assert {"reps/ann.html", "reps/bob.html"} <= changed
        assert "reps/li-wei.html" not in written
        assert names.count(_record_name(renders.site)) == 1

    def test_a_render_with_another_plan_since_it_began(self, renders: Renders) -> None:
        # the same pages, other bytes: the pages linked when it began are the old ones, and
        # the keys they are kept by come from the record they were checked against
        begun = begin_render(renders.site, renders.cache)
        assert begun is not None
        edit(renders.plan, "regions/north.yaml", "name: Ned Stark", "name: Ned Starck")
        render(renders.plan, renders.site, renders.cache)  # another render meanwhile
        edit(renders.plan, "regions/north.yaml", "name: Ned Starck", "name: Ned Stark")
        stats = PartitionStats()
        result = check_for_render(renders.plan, renders.cache, stats)
        report = render_site(
            result,
            renders.site,
            records=renders.cache,
            vouched=vouched(result, stats),
            begun=begun,
        )
        assert report.kept > 0 and self.leftovers(renders) == []
        assert site_files(renders.site) == site_files(self.full(renders))
        again = render(renders.plan, renders.site, renders.cache)  # the record is right
        assert again.kept == report.pages - 1

    def full(self, renders: Renders) -> Path:
        out = renders.tmp / "full-other"
        render(renders.plan, out, None)
        return out


def test_a_region_key_follows_the_nodes_a_quarter_adjustment_changes(mini_plan: Path) -> None:
    """ADJ-001 (quarter file) changes bob and ann of north; a page listing it shows their
    names, so north's bytes are in every region's key, even with no other name of north in
    the quarter file (its approver made vera, of the quarter file)."""
    edit(mini_plan, "quarter.yaml", "approved_by: [nora]", "approved_by: [vera]")

    def keys() -> dict[str, str]:
        plan = check_directory(mini_plan).plan
        assert plan is not None
        views = render_module._views(
            check_directory(mini_plan), render_module.RenderOptions(), None, None
        )
        sources = {p.as_posix(): p.read_bytes() for p in mini_plan.rglob("*.yaml")}
        return {Path(k).name: v for k, v in views.keys().regions(sources).items()}

    before = keys()
    assert set(before) == {"north.yaml", "south.yaml"}
    edit(mini_plan, "regions/north.yaml", "name: Ann Lee", "name: Ann Leigh")
    after = keys()
    assert after["south.yaml"] != before["south.yaml"]
    assert after["north.yaml"] != before["north.yaml"]


class TestEditedFileFromItsRecord:
    """The edited region file's unit for the model comes from the team record the last
    check kept (only the teams that changed are loaded), not from a compile of the whole
    file: the unit is the compiled one and the site the full render's, byte for byte."""

    @pytest.fixture(params=["en", "zh-CN"])
    def renders(self, request: pytest.FixtureRequest, mini_plan: Path, tmp_path: Path) -> Renders:
        if request.param != "en":
            edit(mini_plan, "quarter.yaml", "locale: en", f"locale: {request.param}")
        return Renders(mini_plan, tmp_path)

    @pytest.fixture
    def read(self, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
        """(path, unit or None) of each unit the render's model asked the record for."""
        from planc.site import checked

        seen: list[Any] = []
        real = checked.unit_and_record

        def spied(source: Any, store: Any, max_bytes: int) -> Any:
            made = real(source, store, max_bytes)
            unit = None if made is None else made.unit
            seen.append((source.path, unit))
            if unit is not None:  # the unit a compile of the whole file makes
                resolver = SpanResolver({source.path: source})
                assert unit == compile_unit(source, resolver, max_bytes)
            return made

        monkeypatch.setattr(checked, "unit_and_record", spied)
        return seen

    def test_edits_of_one_file(self, renders: Renders, read: list[Any]) -> None:
        south = renders.plan / "regions" / "south.yaml"
        for old, new in [
            ("[200000, 230000, 280000]", "[210000, 220000, 280000]"),
            ("[210000, 220000, 280000]", "[210000, 230000, 270000]"),
            ("[210000, 230000, 270000]", "[200000, 240000, 270000]"),
        ]:
            read.clear()
            edit(renders.plan, "regions/south.yaml", old, new)
            written, changed = renders.again()
            assert "reps/li-wei.html" in changed and written <= {
                "index.html",
                "reps/li-wei.html",
                "teams/south-smb.html",
                "regions/south.html",
            }
            assert [path for path, _ in read] == [str(south)]  # only the edited file asked
        assert read[0][1] is not None  # the last check kept the file's teams: the unit from them

    def test_a_damaged_record_is_compiled(
        self, renders: Renders, read: list[Any], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from planc.site import checked

        south = renders.plan / "regions" / "south.yaml"
        move_li_weis_months(renders.plan)
        renders.again()
        spied = checked.unit_and_record

        def damaged(source: Any, store: Any, max_bytes: int) -> Any:
            """The record as someone else wrote it, when the render reads it (the partition
            forked after the model takes the unit it read: damaged here, not before)."""
            name = teams_name(source.path)
            kept = store.get_text(name)
            assert kept is not None
            header, _, *teams = kept.split("\n")
            store.put_text(name, "\n".join([header, "[]", *teams]))  # not the file's values
            return spied(source, store, max_bytes)

        monkeypatch.setattr(checked, "unit_and_record", damaged)
        read.clear()
        edit(
            renders.plan,
            "regions/south.yaml",
            "[210000, 220000, 280000]",
            "[210000, 230000, 270000]",
        )
        _, changed = renders.again()
        assert "reps/li-wei.html" in changed
        assert read == [(str(south), None)]  # refused: the file compiled whole


def test_a_failed_render_reaps_the_index_child_before_removing_its_folder(
    renders: Renders, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index's forked child may still be writing into the new folder when the render
    fails: the folder is removed only after the child is done, and no child is left."""
    import multiprocessing
    import time

    monkeypatch.setenv("PLANC_WORKERS", "2")
    monkeypatch.setattr(render_module, "_PARALLEL_MIN_KEYS", 1)
    real = render_module._render_early

    def slow(views: Any, specs: list[Any], building: Path, given: Any) -> bool:
        time.sleep(0.5)  # still rendering when the parent fails
        return real(views, specs, building, given)

    def fails(*args: Any) -> Any:
        raise OSError("no space left on the device")

    monkeypatch.setattr(render_module, "_render_early", slow)
    monkeypatch.setattr(render_module, "_render_pages", fails)
    edit(renders.plan, "regions/north.yaml", "name: Ned Stark", "name: Ned Starck")
    with pytest.raises(OSError, match="no space"):
        render(renders.plan, renders.site, renders.cache)
    assert multiprocessing.active_children() == []  # reaped, not left to the exit
    assert sorted(p.name for p in renders.tmp.iterdir() if p.name.startswith(".site.")) == []


class TestTheEditedFileIsFoundByItsPlace:
    """A unit the cache does not hold: its file is found by hashing the file asked for at
    that place first (the compile asks in the sources' order), the others only if needed."""

    class Missing:
        """A store that holds no unit and no record."""

        def get(self, digest: str) -> Any:
            return None

        def get_text(self, name: str) -> Any:
            return None

    @pytest.fixture
    def hashed(self, monkeypatch: pytest.MonkeyPatch) -> list[str]:
        from planc.site import checked

        paths: list[str] = []
        real = checked.unit_digest

        def spied(path: str, data: bytes, max_bytes: int) -> str:
            paths.append(path)
            return real(path, data, max_bytes)

        monkeypatch.setattr(checked, "unit_digest", spied)
        return paths

    def sources(self) -> list[Any]:
        from planc.core.source import SourceFile

        return [SourceFile(f"{name}.yaml", f"{name}: 1\n".encode()) for name in "abcd"]

    def test_in_order(self, hashed: list[str]) -> None:
        from planc.core.loader import DEFAULT_MAX_BYTES
        from planc.site.checked import _ForkedPuts, unit_digest

        sources = self.sources()
        digests = [unit_digest(s.path, s.data, DEFAULT_MAX_BYTES) for s in sources]
        puts = _ForkedPuts(self.Missing(), sources)  # type: ignore[arg-type]
        hashed.clear()
        for source, digest in zip(sources, digests, strict=True):
            assert puts._source_of(digest, puts._asked) is source
            puts._asked += 1
        assert hashed == ["a.yaml", "b.yaml", "c.yaml", "d.yaml"]  # each once

    def test_asked_for_the_third_file_only(self, hashed: list[str]) -> None:
        from planc.core.loader import DEFAULT_MAX_BYTES
        from planc.site.checked import _ForkedPuts, unit_digest

        sources = self.sources()
        digest = unit_digest("c.yaml", sources[2].data, DEFAULT_MAX_BYTES)
        puts = _ForkedPuts(self.Missing(), sources)  # type: ignore[arg-type]
        hashed.clear()
        assert puts._source_of(digest, 2) is sources[2]
        assert hashed == ["c.yaml"]

    def test_another_order(self, hashed: list[str]) -> None:
        from planc.core.loader import DEFAULT_MAX_BYTES
        from planc.site.checked import _ForkedPuts, unit_digest

        sources = self.sources()
        digest = unit_digest("a.yaml", sources[0].data, DEFAULT_MAX_BYTES)
        puts = _ForkedPuts(self.Missing(), sources)  # type: ignore[arg-type]
        hashed.clear()
        assert puts._source_of(digest, 2) is sources[0]  # guessed wrong: found all the same
        assert hashed == ["c.yaml", "a.yaml"]
        assert puts._source_of("0" * 40, 3) is None  # no such file: every file hashed once
        assert sorted(hashed) == ["a.yaml", "b.yaml", "c.yaml", "d.yaml"]

    def test_the_render_hashes_one_file_for_the_edited_one(
        self, renders: Renders, hashed: list[str]
    ) -> None:
        # quarter.yaml, regions/north.yaml, regions/south.yaml: the last one edited, the
        # two before it not hashed again
        move_li_weis_months(renders.plan)
        hashed.clear()
        _, changed = renders.again()
        assert "reps/li-wei.html" in changed
        south = str(renders.plan / "regions" / "south.yaml")
        assert hashed == [south]  # the full render beside it makes no unit digest here


# a region file that keeps the mini plan (without its adjustment) clean
WEST = """# yaml-language-server: $schema=../../../../schema/plan.schema.json
planc: 1
kind: region
region:
  id: west
  name: West
  owner: wen
  targets:
    revenue: {value: 0}
    new_customers: {value: 0}
    sales_expense: {value: 0}
  teams:
    - id: west-one
      name: West One
      owner: wes
      targets:
        revenue: {value: 0}
      reps:
        - rep: wu
          targets:
            revenue: {value: 0}
people:
  - {id: wen, name: Wen West, email: wen@example.com, role: director, manager: vera}
  - {id: wes, name: Wes West, email: wes@example.com, role: manager}
  - {id: wu, name: Wu West, email: wu@example.com, role: rep, start: 2022-01-01}
"""


class TestFilesLeftOut:
    """A render again leaves the region files unchanged since the last render out of the
    model: their pages are kept, the index takes them from their fragments
    (planc.site.fragments). The site is the full render's, byte for byte, in English
    and in Chinese; where anything is not as recorded, the whole model is used."""

    @pytest.fixture(params=["en", "zh-CN", "en, no peers"])
    def renders(
        self,
        request: pytest.FixtureRequest,
        mini_plan: Path,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> Renders:
        monkeypatch.setenv("PLANC_WORKERS", "2")
        monkeypatch.setattr(render_module, "_PARALLEL_MIN_KEYS", 1)
        if request.param == "zh-CN":
            edit(mini_plan, "quarter.yaml", "locale: en", f"locale: {request.param}")
        # the quarter file's adjustment names north's reps: without it, neither region
        # file's pages read the other's bytes (see test_the_quarter_file_names_north)
        quarter = mini_plan / "quarter.yaml"
        text = quarter.read_text(encoding="utf-8")
        quarter.write_text(text[: text.index("adjustments:")], encoding="utf-8")
        peers = request.param != "en, no peers"
        found = Renders(mini_plan, tmp_path, RenderOptions(peers=peers))
        found.begin = True
        found.skipped = []
        found.ahead = True
        return found

    @pytest.mark.parametrize("named", [True, False])
    def test_the_quarter_file_names_north(
        self, mini_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, named: bool
    ) -> None:
        """Every region key holds north's bytes: nothing is left out after north's edit —
        known from the record (the files the quarter file names) or, without that, from
        the model of the files at hand."""
        monkeypatch.setenv("PLANC_WORKERS", "2")
        monkeypatch.setattr(render_module, "_PARALLEL_MIN_KEYS", 1)
        renders = Renders(mini_plan, tmp_path)
        renders.begin = True
        renders.skipped = []
        name = render_module._record_name(renders.site)
        record = renders.cache.get_record(name)
        north = next(p for p in record["regions"] if p.endswith("north.yaml"))
        assert list(record["named"]) == [north]
        if not named:
            del record["named"]
            renders.cache.put_record(name, record)
        edit(renders.plan, "regions/north.yaml", "name: Ann Lee", "name: Ann Leigh")
        renders.again()
        assert self.left_out(renders) == []
        if named:
            assert self.why(renders) == f"the quarter file names what {north} defines, edited since"
        else:
            assert self.why(renders) == "the quarter file names nora, of an edited file"

    def left_out(self, renders: Renders) -> list[str]:
        assert renders.skipped
        return [Path(p).name for p in renders.skipped[-1].skipped]

    def why(self, renders: Renders) -> str | None:
        assert renders.skipped
        return renders.skipped[-1].why

    def test_a_reps_target_reaches_the_index(self, renders: Renders) -> None:
        edit(
            renders.plan,
            "regions/north.yaml",
            "new_customers: {value: 5}\n            key_product_share: {value: 55}",
            "new_customers: {value: 6}\n            key_product_share: {value: 55}",
        )
        written, changed = renders.again()
        assert self.left_out(renders) == ["south.yaml"] and self.why(renders) is None
        peers = renders.options is None or renders.options.peers
        assert "index.html" in changed and ("reps/ann.html" in changed) == peers
        assert not any(
            p.startswith(("reps/li-wei", "regions/south", "teams/south")) for p in written
        )

    def test_a_sequence_of_edits(self, renders: Renders) -> None:
        for old, new in [
            ("name: Ann Lee", "name: Ann Leigh"),
            ("name: North\n  owner: nora", "name: Northern\n  owner: nora"),
            ("name: North Enterprise", "name: North Big Accounts"),
            ("name: Ann Leigh", "name: Ann Lee"),
        ]:
            edit(renders.plan, "regions/north.yaml", old, new)
            renders.again()
            assert self.left_out(renders) == ["south.yaml"], self.why(renders)

    def test_nothing_changed(self, renders: Renders) -> None:
        written, _ = renders.again()
        assert written == {"index.html"}
        assert self.left_out(renders) == ["north.yaml", "south.yaml"]

    @pytest.mark.parametrize(
        "edited", [("regions/north.yaml", "name: Ann Lee"), ("quarter.yaml", "name: Acme Tools")]
    )
    def test_each_plan_file_is_hashed_once(
        self, renders: Renders, monkeypatch: pytest.MonkeyPatch, edited: tuple[str, str]
    ) -> None:
        # the check (which files to leave out), the region keys and the fragments' record
        # all name a file by the SHA-256 of its bytes: taken once (19 MB at 10,000 reps)
        from planc.site import checked

        hashed: list[bytes] = []
        real = reuse.file_digest

        def spied(data: bytes) -> str:
            hashed.append(bytes(data))
            return real(data)

        for module in (reuse, checked, render_module):
            monkeypatch.setattr(module, "file_digest", spied)
        name, old = edited
        edit(renders.plan, name, old, old + "x")
        files = {p.read_bytes() for p in renders.plan.rglob("*.yaml")}
        renders.again()
        assert sorted(data for data in hashed if data in files) == sorted(files)

    def test_the_keys_are_made_before_the_partition_is_waited_for(
        self, renders: Renders, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # the render takes the views, keys and fragments made while the partition finished
        # (Ahead): no page key or fragment is made again once the check is done, and the
        # site (the index the next render makes of the fragments too) is the same
        made: list[tuple[str, bool]] = []
        rendering = [False]
        for owner, name in (
            (reuse.PageKeys, "rep"),
            (reuse.PageKeys, "node"),
            (fragments, "fragment"),
        ):
            real = getattr(owner, name)

            def spied(first: Any, path: str, *more: Any, real: Any = real) -> Any:
                made.append((path, rendering[0]))
                return real(first, path, *more)

            monkeypatch.setattr(owner, name, spied)
        real_render = render_module._render_into

        def spied_render(*args: Any, **kwargs: Any) -> Any:
            rendering[0] = True
            try:
                return real_render(*args, **kwargs)
            finally:
                rendering[0] = False

        monkeypatch.setattr(render_module, "_render_into", spied_render)
        edit(renders.plan, "regions/north.yaml", "name: Ann Lee", "name: Ann Leigh")
        renders.again()
        assert self.left_out(renders) == ["south.yaml"]
        assert made and not [path for path, late in made if late]
        assert [path for path, _ in made if path.endswith("north.yaml")]  # its fragment
        edit(renders.plan, "regions/south.yaml", "name: 李伟", "name: 李维")
        renders.again()  # the index made of north's fragment is the whole model's
        assert self.left_out(renders) == ["north.yaml"]

    def test_the_partition_takes_the_edited_files_unit_from_the_model(
        self, renders: Renders, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """Files left out: the partition is forked once the model of the edited file is
        built, and given the unit that build read (from the file's team record; compiled
        where the record does not serve, and then recorded by the partition) and what the
        build made of it. The team record kept is the one a partitioned check of the same
        bytes keeps (as of the file loaded whole), the unit's cache entry the one a compile
        of the file writes, byte for byte (of a unit read from the record, made of the
        record's texts), and the site the full render's (Renders.again)."""
        from planc.checks import partition
        from planc.core import chunks
        from planc.core.cache import _encode, entry_key
        from planc.core.pipeline import read_directory
        from planc.site import checked

        given: list[tuple[list[str], list[str], bool]] = []
        real = checked._start_partition

        def spied(*args: Any) -> Any:
            *_, units, memo, whole = args
            given.append((list(units), list(whole), memo is not None))
            return real(*args)

        monkeypatch.setattr(checked, "_start_partition", spied)
        sources, _ = read_directory(renders.plan)
        north = next(s.path for s in sources if s.path.endswith("north.yaml"))
        # (old, new, whether the unit is compiled: no record after a cold render, or damaged)
        # each in a team (a record serves only where the file's head and tail are the same)
        edits = [
            ("[150000, 180000, 220000]", "[160000, 170000, 220000]", True),
            ("[160000, 170000, 220000]", "[150000, 190000, 210000]", False),
            ("name: North Enterprise", "name: North Big Accounts", True),
            ("[150000, 190000, 210000]", "[150000, 180000, 220000]", False),
        ]
        for number, (old, new, compiled) in enumerate(edits):
            if number == 2:
                renders.cache.put_text(teams_name(north), "not a record")
            given.clear()
            edit(renders.plan, "regions/north.yaml", old, new)
            renders.again()
            assert self.left_out(renders) == ["south.yaml"], self.why(renders)
            assert given == [([north], [north] if compiled else [], True)]
            source = next(s for s in read_directory(renders.plan)[0] if s.path == north)
            unit = compile_unit(source, SpanResolver({north: source}))
            split = chunks.split_region(source.data)
            assert split is not None
            sums = partition._Digests.of(split)
            whole = partition._teams_record(unit, split, sums, None, None)
            assert whole is not None and renders.cache.get_text(teams_name(north)) == whole
            entry = renders.cache.folder / f"{entry_key(unit.digest)}.json"
            assert entry.read_text(encoding="utf-8") == _encode(unit)

    def test_the_quarter_file_edited(self, renders: Renders) -> None:
        edit(renders.plan, "quarter.yaml", "name: Acme Tools", "name: Acme Tooling")
        renders.again()
        assert self.left_out(renders) == []
        edit(renders.plan, "regions/north.yaml", "name: Ann Lee", "name: Ann Leigh")
        renders.again()
        assert self.left_out(renders) == ["south.yaml"]

    def test_a_warning_appears_and_clears(self, renders: Renders) -> None:
        # a ramping rep over the ramp: a warning the index lists
        south = "regions/south.yaml"
        text = (renders.plan / south).read_text(encoding="utf-8")
        assert "start: 2027-01-01" in text
        edit(renders.plan, "regions/north.yaml", "start: 2024-05-01", "start: 2027-02-01")
        renders.again()
        plan_result = check_directory(renders.plan)
        assert plan_result.diagnostics, "the edit should make a finding"
        assert self.left_out(renders) == [] and self.why(renders) == "the plan has diagnostics"
        edit(renders.plan, "regions/north.yaml", "start: 2027-02-01", "start: 2024-05-01")
        renders.again()  # the last render recorded no fragments: the whole model
        assert self.left_out(renders) == []
        edit(renders.plan, "regions/north.yaml", "name: Ann Lee", "name: Ann Leigh")
        renders.again()
        assert self.left_out(renders) == ["south.yaml"]

    def test_a_rep_added_and_removed(self, renders: Renders) -> None:
        north = "regions/north.yaml"
        people = "  - {id: bob,"
        cal = "  - {id: cal, name: Cal Doe, email: cal@example.com, role: rep, start: 2023-02-01}\n"
        seat = (  # every metric the others have: no finding (the plan stays clean)
            "        - rep: cal\n          targets:\n            new_customers: {value: 0}\n"
            "            revenue: {value: 0}\n            csat: {value: 4.5}\n"
            "            key_product_share: {value: 50}\n            sales_expense: {value: 0}\n"
        )
        edit(renders.plan, north, "people:\n", seat + "people:\n")
        edit(renders.plan, north, people, cal + people)
        _, changed = renders.again()
        assert self.left_out(renders) == ["south.yaml"], self.why(renders)
        assert "index.html" in changed
        assert ("reps/cal.html" in changed) == (renders.options is None or renders.options.peers)
        edit(renders.plan, north, seat + "people:\n", "people:\n")
        edit(renders.plan, north, cal + people, people)
        renders.again()
        assert self.left_out(renders) == ["south.yaml"], self.why(renders)
        assert not (renders.site / "reps" / "cal.html").exists()

    def test_a_region_file_added_and_deleted(self, renders: Renders) -> None:
        (renders.plan / "regions/west.yaml").write_text(WEST, encoding="utf-8")
        written, _ = renders.again()
        assert self.left_out(renders) == ["north.yaml", "south.yaml"], self.why(renders)
        assert "regions/west.html" in written
        (renders.plan / "regions/west.yaml").unlink()
        renders.again()
        assert self.left_out(renders) == ["north.yaml", "south.yaml"], self.why(renders)
        assert not (renders.site / "regions" / "west.html").exists()
        edit(renders.plan, "regions/north.yaml", "name: Ann Lee", "name: Ann Leigh")
        renders.again()
        assert self.left_out(renders) == ["south.yaml"]

    def test_a_kept_page_edited_by_hand(self, renders: Renders) -> None:
        page = renders.site / "regions" / "south.html"
        page.write_bytes(page.read_bytes().replace(b"</body>", b"<!-- x --></body>"))
        edit(renders.plan, "regions/north.yaml", "name: Ann Lee", "name: Ann Leigh")
        written, _ = renders.again()
        assert "regions/south.html" in written
        assert self.why(renders) == "regions/south.html is not the page recorded"

    @pytest.mark.parametrize(
        ("damage", "why"),
        [
            (None, "no fragment of {south}"),
            (b"{", "no fragment of {south}"),
            ({"format": 3}, "no fragment of {south}"),
            ({"pages": "x"}, "no fragment of {south}"),
            ({"path": "regions/other.yaml"}, "no fragment of {south}"),
            ({"pages": ["reps/../../x.html"]}, "{south} has a page 'reps/../../x.html'"),
            ({"pages": ["regions/north.html"]}, "{south} has a page 'regions/north.html'"),
            ({"fragment": {"format": 1}}, "the fragments cannot stand for their files"),
            ("one page fewer", "the fragments cannot stand for their files"),
        ],
    )
    def test_a_fragment_damaged_or_missing(
        self, renders: Renders, damage: bytes | str | dict[str, Any] | None, why: str
    ) -> None:
        south = self.damage_south(renders, damage)
        edit(renders.plan, "regions/north.yaml", "name: Ann Lee", "name: Ann Leigh")
        renders.again()
        assert self.why(renders) == why.format(south=south)
        assert self.left_out(renders) == []
        # and the render recorded the fragment again
        edit(renders.plan, "regions/north.yaml", "name: Ann Leigh", "name: Ann Lee")
        renders.again()
        assert self.left_out(renders) == ["south.yaml"]

    @pytest.mark.parametrize("damage", [{"fragment": {"format": 1}}, "one page fewer"])
    def test_the_index_child_finds_a_fragment_that_cannot_stand(
        self,
        renders: Renders,
        monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path,
        damage: str | dict[str, Any],
    ) -> None:
        """On two CPUs the index is made from the fragments in the child that renders it
        (render's _Early); one that cannot be made there: the site is the whole model's."""
        monkeypatch.setenv("PLANC_WORKERS", "2")
        monkeypatch.setattr(render_module, "_PARALLEL_MIN_KEYS", 1)
        makers = tmp_path / "index-makers"
        real = fragments.index_page

        def spied(*args: Any) -> Any:
            with makers.open("a", encoding="utf-8") as out:
                out.write(f"{os.getpid()}\n")
            return real(*args)

        monkeypatch.setattr(fragments, "index_page", spied)
        edit(renders.plan, "regions/north.yaml", "name: Ann Lee", "name: Ann Leigh")
        renders.again()  # made in the child
        assert self.left_out(renders) == ["south.yaml"]
        assert makers.read_text(encoding="utf-8").split() != [str(os.getpid())]
        self.damage_south(renders, damage)
        edit(renders.plan, "regions/north.yaml", "name: Ann Leigh", "name: Ann Lee")
        renders.again()
        assert self.why(renders) == "the fragments cannot stand for their files"
        assert self.left_out(renders) == []

    def damage_south(self, renders: Renders, damage: bytes | str | dict[str, Any] | None) -> str:
        """Damage (or remove) the recorded fragment of south.yaml; its path in the record."""
        from planc.core.cache import _record_key
        from planc.site.reuse import fragment_name

        recorded = renders.cache.get_record(render_module._record_name(renders.site))
        south = next(p for p in recorded["regions"] if p.endswith("south.yaml"))
        name = fragment_name(recorded["regions"][south])
        path = renders.cache.folder / f"{_record_key(name)}.json"
        if damage is None:
            path.unlink()
        elif isinstance(damage, bytes):
            path.write_bytes(damage)
        elif damage == "one page fewer":  # a page of south not listed: it would be lost
            entry = json.loads(path.read_text(encoding="utf-8"))
            assert "regions/south.html" in entry["value"]["pages"]
            entry["value"]["pages"].remove("regions/south.html")
            path.write_text(json.dumps(entry), encoding="utf-8")
        else:
            entry = json.loads(path.read_text(encoding="utf-8"))
            entry["value"].update(damage)
            path.write_text(json.dumps(entry), encoding="utf-8")
        return str(south)
