"""planc render: the static site, through the real command line and real files."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from markupsafe import Markup

from conftest import MINI, REPO, TESTS, run_planc
from planc.site.templating import page_text

GOLDEN_SITE = TESTS / "golden" / "site-mini"
EVIL = "<script>alert(1)</script>"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_AUTHOR_DATE": "2027-01-15T10:00:00+08:00",
    "GIT_COMMITTER_DATE": "2027-01-15T10:00:00+08:00",
}


def site_files(root: Path) -> dict[str, bytes]:
    """Every file under a site folder (the marker included), by relative path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def edit(plan: Path, name: str, old: str, new: str) -> None:
    path = plan / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def git(repo: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip()


def leftovers(folder: Path) -> list[str]:
    """Temporary folders a render may leave beside --out (there should be none)."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".old")))


class TestGolden:
    """The fixture plan renders to exactly the stored pages."""

    def test_mini_site_matches_golden(
        self, mini_plan: Path, tmp_path: Path, update_goldens: bool
    ) -> None:
        out = tmp_path / "site"
        result = run_planc("render", mini_plan, "--out", out)
        assert result.code == 0, result.stdout + result.stderr
        actual = site_files(out)
        if update_goldens:
            shutil.rmtree(GOLDEN_SITE, ignore_errors=True)
            for name, data in actual.items():
                (GOLDEN_SITE / name).parent.mkdir(parents=True, exist_ok=True)
                (GOLDEN_SITE / name).write_bytes(data)
        assert GOLDEN_SITE.is_dir(), "missing golden site; run pytest --update-goldens"
        expected = site_files(GOLDEN_SITE)
        assert sorted(actual) == sorted(expected)
        for name, data in expected.items():
            assert actual[name] == data, f"{name} differs from {GOLDEN_SITE / name}"

    def test_pages_of_every_level(self, mini_plan: Path, tmp_path: Path) -> None:
        out = tmp_path / "site"
        result = run_planc("render", mini_plan, "--out", out)
        assert result.code == 0
        assert sorted(site_files(out)) == [
            ".planc-site",
            "index.html",
            "regions/north.html",
            "regions/south.html",
            "reps/ann.html",
            "reps/bob.html",
            "reps/li-wei.html",
            "reps/xu-fang.html",
            "teams/north-ent.html",
            "teams/south-smb.html",
        ]
        assert result.stdout == f"site: {out}/index.html (9 pages)\n"


class TestContent:
    """What a brief and the index say, in the plan's own numbers and locale."""

    @pytest.fixture
    def site(self, mini_plan: Path, tmp_path: Path) -> Path:
        out = tmp_path / "site"
        assert run_planc("render", mini_plan, "--out", out).code == 0
        return out

    def test_brief_has_who_targets_charts_actions_and_changes(self, site: Path) -> None:
        html = (site / "reps" / "ann.html").read_text(encoding="utf-8")
        assert '<html lang="en">' in html
        assert "<h1>Ann Lee</h1>" in html
        for text in (
            "Ned Stark",  # manager (the team owner)
            '<a href="../teams/north-ent.html">North Enterprise</a>',
            '<a href="../regions/north.html">North</a>',
            "May 1, 2024",  # start date (CLDR en)
            "$550,000",  # revenue target
            "$600,000",  # stretch
            "$480,000",  # same quarter last year
            "+14.6%",  # growth against it: 550/480 - 1
            "Cap: lower is better",  # sales expense
            "Booth at the Northern Industry Fair",  # the team's action
            "Marketing $30,000 · booth and travel",
            "ADJ-001",
            # the adjustment: from and to in cells of their own, each labelled when stacked
            '<td class="n" data-label="From">$540,000</td>',
            '<td class="n" data-label="To">$550,000</td>',
            "+$10,000",
            "Invoiced amount of deals won in the quarter.",
        ):
            assert text in html, text
        assert html.count("<svg") == 2  # monthly phasing and product split
        for month, amount in (("Jan", "$150,000"), ("Feb", "$180,000"), ("Mar", "$220,000")):
            assert f'<th scope="row">{month}</th><td class="n">{amount}</td>' in html

    def test_a_brief_shows_only_its_own_changes(self, site: Path) -> None:
        ann = (site / "reps" / "ann.html").read_text(encoding="utf-8")
        assert "$560,000" not in ann  # Bob's old number, from the same adjustment
        li_wei = (site / "reps" / "li-wei.html").read_text(encoding="utf-8")
        assert "ADJ-001" not in li_wei
        # the plan has a change, just none of hers: say that, not "no changes" to the plan
        assert "No change to your targets has been recorded." in li_wei
        ann = (site / "reps" / "ann.html").read_text(encoding="utf-8")
        assert "You own none of this quarter" in ann  # the booth is her team's
        assert "since the plan was approved" not in li_wei
        index = (site / "index.html").read_text(encoding="utf-8")
        assert "Bob Ortiz · Revenue" in index and "Ann Lee · Revenue" in index

    def test_chinese_names_and_locale(self, tmp_path: Path) -> None:
        out = tmp_path / "site"
        assert run_planc("render", REPO / "plans" / "2027-Q1", "--out", out).code == 0
        html = (out / "reps" / "zhang-wei.html").read_text(encoding="utf-8")
        assert '<html lang="zh-CN">' in html
        assert "<h1>张伟</h1>" in html
        assert "¥2,910,000" in html
        assert "2027年3月31日" in html
        assert "96万" in html  # January's bar, labelled compactly
        assert "我的目标" in html
        assert "你的目标没有调整记录。" in html and "计划批准后没有调整" not in html
        # his team's and region's actions follow a line that says none of them is his
        assert html.index("本季度没有由你负责的行动。") < html.index("团队和区域的行动")

    def test_index_has_totals_reconciliation_pillars_and_tree(self, site: Path) -> None:
        html = (site / "index.html").read_text(encoding="utf-8")
        for text in (
            "Acme Tools · Q1 2027",
            "$2,000,000",  # company revenue
            "Reconciliation and over-assignment",
            "Profitable growth",
            "Customers who stay",
            '<a href="regions/north.html">North</a>',
            '<a href="teams/south-smb.html">华南中小企业</a>',
            '<a href="reps/xu-fang.html">徐芳</a>',
            "The plan passed every check.",
        ):
            assert text in html, text

    def test_the_growth_footnote_is_only_under_a_growth_figure(self, site: Path) -> None:
        """How growth is measured is said where a growth figure is shown: a team whose
        targets have no baseline (every growth cell "—") gets no footnote about growth."""
        footnote = "Growth is against the same quarter last year"
        index = (site / "index.html").read_text(encoding="utf-8")
        assert '<td class="n" data-label="Growth">+17.6%</td>' in index and footnote in index
        team = (site / "teams" / "north-ent.html").read_text(encoding="utf-8")
        cells = re.findall(r'<td class="n( empty)?" data-label="Growth">', team)
        assert cells and all(cells), "every growth cell of the team is empty"
        assert footnote not in team

    def test_warnings_appear_on_the_index(self, mini_plan: Path, tmp_path: Path) -> None:
        edit(mini_plan, "regions/north.yaml", "stretch: 600000", "stretch: 500000")
        out = tmp_path / "site"
        result = run_planc("render", mini_plan, "--out", out)
        assert result.code == 0
        html = (out / "index.html").read_text(encoding="utf-8")
        assert "<code>PLC403</code>" in html
        assert re.search(r"<code>regions/north\.yaml:\d+:\d+</code>", html)
        assert "No errors; 1 warning to look at (below)." in html

    def test_no_script_no_external_resource(self, site: Path) -> None:
        for name, data in site_files(site).items():
            if not name.endswith(".html"):
                continue
            html = data.decode("utf-8")
            assert "<script" not in html, name
            assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), name
            assert "@import" not in html and "url(" not in html, name
            assert "default-src 'none'" in html  # the CSP forbids fetching anything


class TestEscaping:
    """Every user-written string is text, never markup."""

    @pytest.fixture
    def evil_site(self, mini_plan: Path, tmp_path: Path) -> Path:
        edit(mini_plan, "regions/north.yaml", "name: Ann Lee", f'name: "{EVIL}"')
        edit(mini_plan, "regions/north.yaml", "name: North Enterprise", 'name: "A&B \\"Team\\""')
        edit(
            mini_plan,
            "quarter.yaml",
            "note: A competitor undercut us at Northwind; Bob's number moves to Ann.",
            'note: "</style><img src=x onerror=alert(2)> moved"',
        )
        out = tmp_path / "site"
        result = run_planc("render", mini_plan, "--out", out)
        assert result.code == 0, result.stdout
        return out

    def test_names_and_notes_are_escaped_everywhere(self, evil_site: Path) -> None:
        pages = {
            n: d.decode("utf-8") for n, d in site_files(evil_site).items() if n.endswith(".html")
        }
        for name, html in pages.items():
            assert EVIL not in html, name
            assert "<img" not in html, name
            assert html.count("</style>") == 1, name
        brief = pages["reps/ann.html"]
        assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in brief
        assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; · " in brief
        assert "A&amp;B &#34;Team&#34;" in brief
        assert "&lt;/style&gt;&lt;img src=x onerror=alert(2)&gt; moved" in brief


def spiked_site(plan: Path, tmp_path: Path, ann: str, every: str) -> dict[str, str]:
    """The pages of ``plan`` rendered with Ann's name written ``ann`` and ``every`` (YAML
    escapes) put into the names, notes and actions a site shows."""
    for name, old, new in (
        ("regions/north.yaml", "name: Ann Lee", f'name: "{ann}"'),
        ("regions/north.yaml", "name: North Enterprise", f'name: "North{every} Ent"'),
        ("regions/north.yaml", "name: North\n", f'name: "{every}North"\n'),
        ("regions/north.yaml", "what: Booth at", f'what: "{every}Booth" # at'),
        ("regions/north.yaml", "note: booth and travel", f'note: "booth{every}"'),
        ("regions/south.yaml", "name: 华南区", f'name: "华南{every}区"'),
        ("quarter.yaml", "name: Acme Tools", f'name: "Acme{every}"'),
        ("quarter.yaml", "name: Revenue", f'name: "Rev{every}enue"'),
        ("quarter.yaml", "name: Profitable growth", f'name: "Profitable{every}"'),
        ("quarter.yaml", "name: Pro,", f'name: "Pro{every}",'),
        ("quarter.yaml", "name: Vera Quist", f'name: "Vera{every}"'),
        ("quarter.yaml", "note: A competitor", f'note: "{every}moved" # A competitor'),
    ):
        edit(plan, name, old, new)
    out = tmp_path / "site"
    result = run_planc("render", plan, "--out", out)
    assert result.code == 0, result.stdout + result.stderr
    pages = {n: d.decode("utf-8") for n, d in site_files(out).items() if n.endswith(".html")}
    assert len(pages) > 5
    index = pages["index.html"]
    for text in ("North Ent", ">North<", "华南区", "Acme", "Revenue", "Profitable", "Vera"):
        assert text in index, text
    return pages


class TestBidiControls:
    """A plan's bidi controls never reach a page: a browser obeys them (``Ann\u202eeciffo``
    shows reversed) and HTML has no escape that shows one, so, as in markdown, they go."""

    CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

    def test_no_page_holds_one(self, mini_plan: Path, tmp_path: Path) -> None:
        every = "".join(f"\\u{ord(c):04x}" for c in self.CONTROLS)  # as YAML escapes them
        pages = spiked_site(mini_plan, tmp_path, "Ann\\u202eeciffo", every)
        for name, html in pages.items():
            assert not set(html) & set(self.CONTROLS), name
            assert "&#x2" not in html.lower() and "&#82" not in html, name  # nor as references
        brief = pages["reps/ann.html"]
        assert "<h1>Anneciffo</h1>" in brief
        assert "<title>Anneciffo · " in brief

    def test_page_text_takes_them_out_of_text_only(self) -> None:
        text = "a\u202eb" + self.CONTROLS
        assert page_text(text) == "ab" and type(page_text(text)) is str
        for value in ("plain", "华南区", Markup("<i>x</i>"), Markup(text), 7, None):
            assert page_text(value) is value


class TestControlCharacters:
    """A plan's C0 controls (but tab and line ends), DEL and C1 controls never reach a page
    either, as the PR comment's markdown leaves them out: they kept ``\\x1b[31m`` and a bell in
    names and notes. Taken out in the same ``str.translate`` as the bidi controls."""

    CONTROLS = "".join(map(chr, (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))))

    def test_no_page_holds_one(self, mini_plan: Path, tmp_path: Path) -> None:
        every = "".join(f"\\x{ord(c):02x}" for c in self.CONTROLS)  # as YAML escapes them
        pages = spiked_site(mini_plan, tmp_path, "Ann\\e[31m\\x07\\x9b Lee", every)
        for name, html in pages.items():
            assert not set(html) & set(self.CONTROLS), name
            for ref in re.findall(r"&#(x[0-9a-f]+|[0-9]+);", html, re.IGNORECASE):
                code = int(ref[1:], 16) if ref[0] in "xX" else int(ref)
                assert chr(code) not in self.CONTROLS, (name, ref)  # nor as references
        assert "<h1>Ann[31m Lee</h1>" in pages["reps/ann.html"]

    def test_page_text_keeps_tabs_and_line_ends(self) -> None:
        text = "a\tb\nc\r\nd" + self.CONTROLS + "\u202e华南"
        assert page_text(text) == "a\tb\nc\r\nd华南"
        for value in ("a\tb\nc", "\u00a0non-breaking", Markup("a\x07b")):
            assert page_text(value) is value or page_text(value) == value


class TestOutputFolder:
    """--out: built beside, swapped in, and never a file planc did not write deleted."""

    def test_refuses_a_non_empty_folder_planc_did_not_make(
        self, mini_plan: Path, tmp_path: Path
    ) -> None:
        out = tmp_path / "docs"
        out.mkdir()
        (out / "index.html").write_text("my own page", encoding="utf-8")
        (out / "notes").mkdir()
        (out / "notes" / "todo.txt").write_text("keep me", encoding="utf-8")
        result = run_planc("render", mini_plan, "--out", out)
        assert result.code == 2
        assert "not empty and was not made by planc render" in result.stderr
        assert "Traceback" not in result.stderr
        assert (out / "index.html").read_text(encoding="utf-8") == "my own page"
        assert (out / "notes" / "todo.txt").read_text(encoding="utf-8") == "keep me"
        assert sorted(p.name for p in out.iterdir()) == ["index.html", "notes"]
        assert leftovers(tmp_path) == []

    def test_refuses_a_planc_site_holding_a_user_file(
        self, mini_plan: Path, tmp_path: Path
    ) -> None:
        out = tmp_path / "site"
        assert run_planc("render", mini_plan, "--out", out).code == 0
        (out / "reps" / "my-notes.txt").write_text("keep me", encoding="utf-8")
        before = site_files(out)
        result = run_planc("render", mini_plan, "--out", out)
        assert result.code == 2
        assert "reps/my-notes.txt" in result.stderr
        assert "planc did not write" in result.stderr
        assert site_files(out) == before
        assert leftovers(tmp_path) == []

    def test_refuses_a_file_and_a_symlink(self, mini_plan: Path, tmp_path: Path) -> None:
        target = tmp_path / "file.html"
        target.write_text("x", encoding="utf-8")
        result = run_planc("render", mini_plan, "--out", target)
        assert result.code == 2
        assert "is a file" in result.stderr
        assert target.read_text(encoding="utf-8") == "x"
        real = tmp_path / "real"
        real.mkdir()
        link = tmp_path / "link"
        link.symlink_to(real)
        result = run_planc("render", mini_plan, "--out", link)
        assert result.code == 2
        assert "symbolic link" in result.stderr
        assert list(real.iterdir()) == []

    def test_replaces_its_own_site_and_drops_stale_pages(
        self, mini_plan: Path, tmp_path: Path
    ) -> None:
        out = tmp_path / "site"
        assert run_planc("render", mini_plan, "--out", out).code == 0
        assert (out / "reps" / "bob.html").is_file()
        result = run_planc("render", mini_plan, "--out", out, "--rep", "ann")
        assert result.code == 0
        assert sorted(site_files(out)) == [".planc-site", "index.html"]
        assert "<h1>Ann Lee</h1>" in (out / "index.html").read_text(encoding="utf-8")
        assert leftovers(tmp_path) == []

    def test_an_empty_folder_and_missing_parents_are_fine(
        self, mini_plan: Path, tmp_path: Path
    ) -> None:
        empty = tmp_path / "empty"
        empty.mkdir()
        assert run_planc("render", mini_plan, "--out", empty).code == 0
        assert (empty / "index.html").is_file()
        deep = tmp_path / "a" / "b" / "site"
        assert run_planc("render", mini_plan, "--out", deep).code == 0
        assert (deep / "reps" / "ann.html").is_file()

    def test_errors_write_nothing_and_keep_the_old_site(
        self, mini_plan: Path, tmp_path: Path
    ) -> None:
        out = tmp_path / "site"
        assert run_planc("render", mini_plan, "--out", out).code == 0
        before = site_files(out)
        edit(
            mini_plan, "regions/north.yaml", "months: [170000, 180000, 200000]", "months: [1, 2, 3]"
        )
        result = run_planc("render", mini_plan, "--out", out)
        assert result.code == 1
        assert "PLC303 [error]" in result.stdout
        assert site_files(out) == before
        fresh = tmp_path / "fresh"
        assert run_planc("render", mini_plan, "--out", fresh).code == 1
        assert not fresh.exists()
        assert leftovers(tmp_path) == []

    def test_a_folder_changed_meanwhile_is_said_and_kept(self, tmp_path: Path) -> None:
        """Two renders into one new folder at once: the second finds it filled when it swaps
        its own in (``listed`` None: there was no site when it looked), or gone when it
        moves the old one aside. It says so; both folders stay as they are."""
        from planc.site.render import SiteError, _swap

        built, out = _built_and_site(tmp_path, "the other render's")
        with pytest.raises(SiteError, match="while planc rendered"):
            _swap(built, out, None)
        assert (out / "index.html").read_text(encoding="utf-8") == "the other render's"
        assert (built / "index.html").read_text(encoding="utf-8") == "mine"
        with pytest.raises(SiteError, match="run planc render again"):
            _swap(built, tmp_path / "gone", ["index.html"])
        assert sorted(p.name for p in tmp_path.iterdir()) == [".site.building", "site"]

    def test_a_folder_filled_after_the_old_site_went_aside_says_where_it_is(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The old site moved aside, then another render fills the folder before this one
        swaps its own in: the old site cannot go back, and the message says where it is,
        not that nothing was replaced."""
        from planc.site import render

        built, out = _built_and_site(tmp_path, "the old site")
        rename = os.rename

        def other_render_first(src: Path, dst: Path) -> None:
            if Path(src) == built:  # the other render's site lands in between
                Path(dst).mkdir()
                (Path(dst) / "index.html").write_text("the other render's", encoding="utf-8")
            rename(src, dst)

        monkeypatch.setattr(render.os, "rename", other_render_first)
        with pytest.raises(render.SiteError) as raised:
            render._swap(built, out, ["index.html"])
        (aside,) = tmp_path.glob(".site.*.old")
        assert f"moved the site it held aside to {aside}" in str(raised.value)
        assert (aside / "index.html").read_text(encoding="utf-8") == "the old site"
        assert (out / "index.html").read_text(encoding="utf-8") == "the other render's"
        assert (built / "index.html").read_text(encoding="utf-8") == "mine"

    def test_site_folder_is_readable_by_others(self, mini_plan: Path, tmp_path: Path) -> None:
        out = tmp_path / "site"
        old = os.umask(0o022)
        try:
            assert run_planc("render", mini_plan, "--out", out).code == 0
        finally:
            os.umask(old)
        assert out.stat().st_mode & 0o777 == 0o755

    def test_file_names_cannot_escape(self) -> None:
        from planc.core.model import Level
        from planc.site.render import page_path

        assert page_path(Level.REP, "ann") == "reps/ann.html"
        assert page_path(Level.COMPANY, "acme") == "index.html"
        for hostile in ("../../etc/passwd", "/abs", "a/b", "..", "x\x00y", "con", "Ann"):
            path = page_path(Level.REP, hostile)
            assert re.fullmatch(r"reps/[a-z0-9_~-]+\.html", path), path
        assert page_path(Level.REP, "Ann") != page_path(Level.REP, "ann")  # case-insensitive disks


class TestOptions:
    def test_one_rep(self, mini_plan: Path, tmp_path: Path) -> None:
        out = tmp_path / "brief"
        result = run_planc("render", mini_plan, "--out", out, "--rep", "xu-fang")
        assert result.code == 0
        assert result.stdout == f"site: {out}/index.html (brief of xu-fang)\n"
        html = (out / "index.html").read_text(encoding="utf-8")
        assert "<h1>徐芳</h1>" in html
        assert "<a href" not in html.replace('<a class="skip" href="#main">', "").replace(
            'href="mailto:', ""
        )  # no links to pages this one-page site does not have
        assert "Jan 0% · Feb 50% · Mar 75%" in html  # a new hire's ramp

    def test_unknown_rep_is_a_usage_error(self, mini_plan: Path, tmp_path: Path) -> None:
        result = run_planc("render", mini_plan, "--out", tmp_path / "x", "--rep", "anne")
        assert result.code == 2
        assert "did you mean ann?" in result.stderr
        result = run_planc("render", mini_plan, "--out", tmp_path / "x", "--rep", "north")
        assert result.code == 2
        assert "north is a region, not a rep" in result.stderr
        assert not (tmp_path / "x").exists()

    def test_no_peers_publishes_no_rep_numbers(self, mini_plan: Path, tmp_path: Path) -> None:
        out = tmp_path / "site"
        assert run_planc("render", mini_plan, "--out", out, "--no-peers").code == 0
        files = site_files(out)
        assert not any(name.startswith("reps/") for name in files)
        everything = b"".join(files.values()).decode("utf-8")
        for rep_only in ("$540,000", "$560,000", "$710,000", "$290,000", "$300,000"):
            assert rep_only not in everything, rep_only  # reps' revenue targets and old values
        team = files["teams/north-ent.html"].decode("utf-8")
        assert "$1,000,000" in team  # the team's own target is still there
        assert "Individual reps&#39; numbers are not published" in team


class TestDeterminism:
    def test_same_plan_same_bytes_wherever_it_lives(self, tmp_path: Path) -> None:
        first, second = tmp_path / "one" / "2027-Q1", tmp_path / "two" / "x" / "2027-Q1"
        shutil.copytree(MINI, first)
        shutil.copytree(MINI, second)
        assert run_planc("render", first, "--out", tmp_path / "a").code == 0
        assert run_planc("render", "2027-Q1", "--out", "b", cwd=second.parent).code == 0
        assert site_files(tmp_path / "a") == site_files(second.parent / "b")

    def test_git_revision_and_date_of_the_plan(self, tmp_path: Path) -> None:
        root = tmp_path / "sales"
        plan = root / "plans" / "2027-Q1"
        shutil.copytree(MINI, plan)
        git(root, "init", "-q", "-b", "main")
        git(root, "add", ".")
        git(root, "commit", "-qm", "plan")
        sha = git(root, "rev-parse", "HEAD")
        assert run_planc("render", plan, "--out", tmp_path / "a").code == 0
        html = (tmp_path / "a" / "reps" / "ann.html").read_text(encoding="utf-8")
        assert f"Plan revision: {sha[:10]} · Jan 15, 2027 · Rendered by planc" in html

        (root / "README.md").write_text("unrelated\n", encoding="utf-8")
        git(root, "add", "README.md")
        git(root, "commit", "-qm", "unrelated change")
        assert run_planc("render", plan, "--out", tmp_path / "b").code == 0
        assert site_files(tmp_path / "a") == site_files(tmp_path / "b")

        edit(plan, "regions/north.yaml", "stretch: 600000", "stretch: 610000")
        assert run_planc("render", plan, "--out", tmp_path / "c").code == 0
        html = (tmp_path / "c" / "reps" / "ann.html").read_text(encoding="utf-8")
        assert f"{sha[:10]} · Jan 15, 2027 · with uncommitted changes" in html

    def test_a_new_quarter_not_yet_committed_is_not_said_to_be_outside_git(
        self, tmp_path: Path
    ) -> None:
        """A quarter just made by import or init, rendered before its first commit, lives in a
        repository: its footer says it is not committed yet, not that there is no git."""
        root = tmp_path / "sales"
        (root / "plans").mkdir(parents=True)
        git(root, "init", "-q", "-b", "main")
        (root / "README.md").write_text("plans\n", encoding="utf-8")
        git(root, "add", "README.md")
        git(root, "commit", "-qm", "start")
        shutil.copytree(MINI, root / "plans" / "2027-Q1")
        assert run_planc("render", root / "plans" / "2027-Q1", "--out", tmp_path / "a").code == 0
        html = (tmp_path / "a" / "reps" / "ann.html").read_text(encoding="utf-8")
        assert "Plan revision: not committed to git yet · Rendered by planc" in html
        assert "not in a git repository" not in html

    def test_revision_lookup_outside_git_is_none(self, tmp_path: Path) -> None:
        from planc.core.gitsource import plan_revision

        assert plan_revision(tmp_path) is None


class TestLocales:
    """Decimal formatting, never through float."""

    def test_english(self) -> None:
        from planc.core.locales import get_locale

        en = get_locale("en", "USD")
        assert en.money(Decimal("2910000")) == "$2,910,000"
        assert en.money(Decimal("-5E+4")) == "-$50,000"
        assert en.number(Decimal("0.1") + Decimal("0.2")) == "0.3"
        assert en.number(Decimal("12345678901234567890.25")) == "12,345,678,901,234,567,890.25"
        assert en.percent(Decimal("12.345")) == "12.3%"
        assert en.signed_percent(Decimal("-3.75")) == "\u22123.8%"
        assert en.signed_percent(Decimal("-0.01")) == "0.0%"
        assert en.compact(Decimal("960000")) == "960K"
        assert en.compact(Decimal("2910000")) == "2.91M"
        assert en.date(date(2027, 3, 31)) == "Mar 31, 2027"
        assert en.value(Decimal("55"), "percent") == "55%"
        assert en.signed_value(Decimal("7"), "percent") == "+7.0 pp"
        assert (
            get_locale("en", "CHF").money(Decimal(5)) == "CHF\u00a05"
        )  # CLDR: a currency without a symbol is its code, before the digits

    def test_chinese(self) -> None:
        from planc.core.locales import get_locale

        zh = get_locale("zh-CN", "CNY")
        assert zh.money(Decimal("2910000")) == "¥2,910,000"
        assert zh.compact(Decimal("960000")) == "96万"
        assert zh.compact(Decimal("33370000")) == "3,337万"
        assert zh.compact(Decimal("123000000")) == "1.23亿"
        assert zh.date(date(2027, 3, 31)) == "2027年3月31日"
        assert zh.month(2) == "2月"
        assert zh.count(3, "warnings") == "3个警告"

    def test_both_locales_have_every_label(self) -> None:
        from planc.core.locales import available_locales, get_locale

        keys = [set(get_locale(tag, "USD").t) for tag in available_locales()]
        assert all(k == keys[0] for k in keys)
        used = set()
        for template in (REPO / "templates").glob("*.j2"):
            used |= set(re.findall(r"\bt\.([a-z_]+)", template.read_text(encoding="utf-8")))
        assert used <= keys[0], used - keys[0]


def reference_compact(tag: str, value: Decimal) -> str:
    """The compact form computed the slow way: Decimal division, then quantize half-even."""
    from decimal import ROUND_HALF_EVEN

    units = (
        [(Decimal(10**8), "亿"), (Decimal(10**4), "万")]
        if tag == "zh-CN"
        else [(Decimal(10**9), "B"), (Decimal(10**6), "M"), (Decimal(10**3), "K")]
    )
    for unit, word in units:
        if value >= unit:
            scaled = value / unit
            places = 0 if scaled >= 100 else (1 if scaled >= 10 else 2)
            text = f"{scaled.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN):,f}"
            return (text.rstrip("0").rstrip(".") if "." in text else text) + word
    return f"{value:,f}"


class TestExactRounding:
    """The integer fast paths round exactly as Decimal arithmetic does (half-even)."""

    AMOUNTS = ("0", "999", "1000", "1005", "1015", "9995", "10000", "10050", "125000",
               "994999", "995000", "1005000", "1015000", "2910000", "33370000",
               "99950000", "123456789", "1000000000")  # fmt: skip

    @pytest.mark.parametrize("amount", AMOUNTS)
    def test_compact(self, amount: str) -> None:
        from planc.core.locales import get_locale

        for tag in ("en", "zh-CN"):
            shown = get_locale(tag, "USD").compact(Decimal(amount))
            assert shown == reference_compact(tag, Decimal(amount)), (tag, amount)

    @pytest.mark.parametrize(
        ("part", "whole"), [(1, 3), (2, 3), (1, 8), (3, 16), (5, 2000), (15, 2000), (0, 7)]
    )
    def test_share(self, part: int, whole: int) -> None:
        from planc.core.locales import get_locale

        en = get_locale("en", "USD")
        slow = en.percent(Decimal(part) * 100 / Decimal(whole))
        assert en.share(Decimal(part), Decimal(whole)) == slow
        assert en.share(Decimal(part), Decimal(0)) == "—"


class TestBriefLeadsWithStatus:
    """A rep's brief opens on their targets; "My action plan" holds only what they own."""

    def test_targets_come_before_who(self, mini_plan: Path, tmp_path: Path) -> None:
        out = tmp_path / "site"
        assert run_planc("render", mini_plan, "--out", out).code == 0
        html = (out / "reps" / "ann.html").read_text(encoding="utf-8")
        assert html.index('id="targets"') < html.index('id="who"')
        assert html.index('<p class="big">') < html.index('id="who"')

    def test_my_actions_are_only_mine(self, mini_plan: Path, tmp_path: Path) -> None:
        actions = (
            "actions:\n"
            "  - {id: coach-ann, what: Coaching rides with Ann, owner: ned, node: ann,"
            " supports: revenue, due: 2027-02-01}\n"
            "  - {id: ann-webinar, what: Ann's webinar for the team, owner: ann, node: north-ent,"
            " supports: revenue, due: 2027-02-20}\n"
        )
        edit(mini_plan, "regions/north.yaml", "actions:\n", actions)
        out = tmp_path / "site"
        result = run_planc("render", mini_plan, "--out", out)
        assert result.code == 0, result.stdout + result.stderr
        html = (out / "reps" / "ann.html").read_text(encoding="utf-8")
        mine, _, shared = html.partition("Team and region actions")
        mine = mine[mine.index('id="actions"') :]
        assert "Ann&#39;s webinar for the team" in mine
        assert "Coaching rides with Ann" not in mine
        assert "Coaching rides with Ann" in shared


class TestBadges:
    """Team tables mark a rep who ramps up this quarter and one who leaves during it."""

    def test_ramping_and_leaving(self, mini_plan: Path, tmp_path: Path) -> None:
        edit(
            mini_plan,
            "regions/north.yaml",
            "start: 2023-02-01}",
            "start: 2023-02-01, end: 2027-03-15}",
        )
        out = tmp_path / "site"
        result = run_planc("render", mini_plan, "--out", out)
        assert (out / "index.html").exists(), result.stdout + result.stderr
        north = (out / "teams" / "north-ent.html").read_text(encoding="utf-8")
        assert 'Bob Ortiz</a> <span class="badge">Leaves Mar 15, 2027</span>' in north
        assert "Ann Lee</a></th>" in north  # no badge for a rep with a full quota all quarter
        south = (out / "teams" / "south-smb.html").read_text(encoding="utf-8")
        assert '徐芳</a> <span class="badge">New hire, ramping</span>' in south


def _built_and_site(tmp_path: Path, site_page: str) -> tuple[Path, Path]:
    """A site built (its index.html "mine") and the folder ``site`` beside it, holding
    ``site_page``: what a render swaps."""
    built = tmp_path / ".site.building"
    built.mkdir()
    (built / "index.html").write_text("mine", encoding="utf-8")
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text(site_page, encoding="utf-8")
    return built, out
