"""The rendered site in a real headless browser: Debian's chromium, driven by Playwright.

Opens pages at a phone's and a desktop's width and checks what a reader sees:
the rep's name and targets, no sideways scrolling, no console errors, no request
for anything but the page itself, and a brief that prints on one or two A4
pages. Screenshots go to tests/artifacts/ (git-ignored) for a person to look at.

Without chromium or Playwright the tests skip locally; with CI set (as .ci/run
runs) a skip is a failure, because CI installs both.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from commitments import gapped_copy
from conftest import MINI, REPO, run_planc

ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = os.environ.get("PLANC_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = (360, 1280)


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run in CI, but {reason}")
    pytest.skip(reason)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example quarter (zh-CN), the fixture plan with a hostile name, and 2017-Q3 with
    bottom-up commitments and progress from the CRM sample, rendered."""
    root = tmp_path_factory.mktemp("sites")
    result = run_planc("render", REPO / "plans" / "2027-Q1", "--out", root / "example")
    assert result.code == 0, result.stdout + result.stderr
    evil = root / "evil-plan" / "2027-Q1"
    shutil.copytree(MINI, evil)
    north = evil / "regions" / "north.yaml"
    north.write_text(
        north.read_text(encoding="utf-8").replace(
            "name: Ann Lee", 'name: "<script>alert(1)</script>"'
        ),
        encoding="utf-8",
    )
    result = run_planc("render", evil, "--out", root / "evil")
    assert result.code == 0, result.stdout + result.stderr
    export = REPO / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_pipeline.csv"
    plan = gapped_copy(root / "gapped")
    result = run_planc(
        "render", plan, "--out", root / "progress", "--actuals", export, "--as-of", "2017-08-15"
    )
    assert result.code == 0, result.stdout + result.stderr
    chinese = root / "zh" / "2017-Q3"
    shutil.copytree(REPO / "plans" / "2017-Q3", chinese)
    quarter = chinese / "quarter.yaml"
    quarter.write_text(
        quarter.read_text(encoding="utf-8").replace("locale: en", "locale: zh-CN"), encoding="utf-8"
    )
    result = run_planc(
        "render",
        chinese,
        "--out",
        root / "progress-zh",
        "--actuals",
        export,
        "--as-of",
        "2017-08-15",
    )
    assert result.code == 0, result.stdout + result.stderr
    return root


@pytest.fixture(scope="module")
def server(sites: Path) -> Iterator[str]:
    """The rendered sites over http on 127.0.0.1 (as Pages would serve them)."""
    handler = functools.partial(QuietHandler, directory=str(sites))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        unavailable(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -e '.[dev]')")
    user_data = tempfile.mkdtemp(prefix="planc-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data,
            executable_path=CHROMIUM,
            headless=True,
            args=ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(user_data, ignore_errors=True)


@dataclass
class Visit:
    """A page opened at a width, with everything it asked for and complained about."""

    page: Any
    url: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def overflow(self) -> tuple[int, int]:
        scroll, client = self.page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        return int(scroll), int(client)

    def screenshot(self, name: str) -> Path:
        return save_artifact(f"{name}.png", self.page.screenshot(full_page=True))


@pytest.fixture
def visit(browser: Any, server: str) -> Iterator[Any]:
    pages: list[Any] = []

    def open_page(path: str, width: int) -> Visit:
        page = browser.new_page()
        pages.append(page)
        page.set_default_timeout(20_000)
        page.set_viewport_size({"width": width, "height": 900})
        seen = Visit(page, f"{server}/{path}")
        page.on("request", lambda request: seen.requests.append(request.url))
        page.on(
            "console",
            lambda message: seen.errors.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: seen.errors.append(str(error)))

        def on_dialog(dialog: Any) -> None:
            seen.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        # Anything not from our own server is refused (and still recorded above).
        page.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(server + "/") else route.abort()
            ),
        )
        response = page.goto(seen.url, wait_until="load")
        assert response is not None and response.ok, seen.url
        return seen

    yield open_page
    for page in pages:
        page.close()


def rep_numbers(rep: str) -> tuple[str, list[str]]:
    """The rep's name and each target value as the brief must print it (from the plan itself)."""
    from planc.checks import check_directory
    from planc.core.locales import get_locale

    plan = check_directory(REPO / "plans" / "2027-Q1").plan
    assert plan is not None
    loc = get_locale(plan.locale, plan.currency)
    node = plan.nodes[rep]
    values = [loc.value(t.value, plan.metrics[m].unit) for m, t in node.targets.items()]
    return node.name, values


def save_artifact(name: str, data: bytes) -> Path:
    """Keep a screenshot or PDF for people to look at (atomically: test runs may overlap)."""
    from planc.core.files import write_atomic

    path = ARTIFACTS / name
    write_atomic(path, data)
    return path


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


class TestRepBrief:
    """A rep opens their brief on a phone and on a laptop."""

    @pytest.mark.parametrize("width", WIDTHS, ids=[f"{w}px" for w in WIDTHS])
    def test_name_and_targets_visible_without_sideways_scrolling(
        self, visit: Any, width: int
    ) -> None:
        name, values = rep_numbers("zhang-wei")
        seen = visit("example/reps/zhang-wei.html", width)
        heading = seen.page.get_by_role("heading", level=1)
        assert heading.inner_text() == name
        assert heading.is_visible()
        cards = seen.page.locator(".target .big")
        assert cards.all_inner_texts() == values
        for index in range(cards.count()):
            assert cards.nth(index).is_visible()
        scroll, client = seen.overflow()
        assert scroll <= client, f"{scroll}px of content in a {client}px wide window"
        seen.screenshot(f"brief-zhang-wei-{width}")
        assert seen.errors == []
        assert seen.requests == [seen.url]

    def test_prints_on_one_or_two_a4_pages(self, visit: Any) -> None:
        seen = visit("example/reps/li-ming.html", 1280)  # one with an adjustment and notes
        seen.page.emulate_media(media="print")
        pdf = seen.page.pdf(format="A4", print_background=True)
        save_artifact("brief-li-ming.pdf", pdf)
        assert 1 <= pdf_pages(pdf) <= 2

    def test_charts_carry_their_numbers_as_text(self, visit: Any) -> None:
        seen = visit("example/reps/zhang-wei.html", 1280)
        figures = seen.page.locator("figure.chart")
        assert figures.count() == 3  # revenue and collections by month, revenue by product
        first = figures.first
        assert first.locator("svg rect.bar").count() == 3
        assert first.locator("table").inner_text().count("¥") == 3


class TestProgress:
    """A brief with attained, pace, forecast and a bottom-up gap outside the policy's band."""

    @pytest.mark.parametrize("width", WIDTHS, ids=[f"{w}px" for w in WIDTHS])
    def test_brief_with_progress_fits_and_shows_the_figures(self, visit: Any, width: int) -> None:
        seen = visit("progress/reps/versie-hillebrand.html", width)
        attained = seen.page.locator(".target .progress .att strong")
        assert attained.all_inner_texts() == ["$21,586", "22"]
        for index in range(attained.count()):
            assert attained.nth(index).is_visible()
        states = seen.page.locator(".target .progress .state").all_inner_texts()
        assert states == ["At risk", "Behind pace"]
        flag = seen.page.locator(".target .gap .flag")
        assert flag.count() == 1 and flag.is_visible()
        scroll, client = seen.overflow()
        assert scroll <= client, f"{scroll}px of content in a {client}px wide window"
        seen.screenshot(f"brief-progress-versie-hillebrand-{width}")
        assert seen.errors == []
        assert seen.requests == [seen.url]

    def test_brief_with_progress_prints_on_one_or_two_a4_pages(self, visit: Any) -> None:
        seen = visit("progress/reps/versie-hillebrand.html", 1280)
        seen.page.emulate_media(media="print")
        pdf = seen.page.pdf(format="A4", print_background=True)
        save_artifact("brief-progress-versie-hillebrand.pdf", pdf)
        assert 1 <= pdf_pages(pdf) <= 2

    @pytest.mark.parametrize("width", WIDTHS, ids=[f"{w}px" for w in WIDTHS])
    @pytest.mark.parametrize(
        "path", ["progress/index.html", "progress/teams/central-brinkmann.html"]
    )
    def test_pages_with_progress_fit(self, visit: Any, path: str, width: int) -> None:
        seen = visit(path, width)
        scroll, client = seen.overflow()
        assert scroll <= client, f"{path}: {scroll}px of content in a {client}px wide window"
        assert seen.page.locator("#progress").is_visible()
        assert seen.errors == []
        name = path.rsplit("/", maxsplit=1)[-1].removesuffix(".html")
        seen.screenshot(f"progress-{name}-{width}")


class TestOtherPages:
    @pytest.mark.parametrize("width", WIDTHS, ids=[f"{w}px" for w in WIDTHS])
    @pytest.mark.parametrize(
        "path", ["example/index.html", "example/teams/east-ka.html", "example/regions/north.html"]
    )
    def test_no_sideways_scrolling_errors_or_requests(
        self, visit: Any, path: str, width: int
    ) -> None:
        seen = visit(path, width)
        scroll, client = seen.overflow()
        assert scroll <= client, f"{path}: {scroll}px of content in a {client}px wide window"
        assert seen.errors == []
        assert seen.requests == [seen.url]
        seen.screenshot(f"{path.rsplit('/', maxsplit=1)[-1].removesuffix('.html')}-{width}")

    def test_links_lead_to_pages_that_exist(self, visit: Any, server: str) -> None:
        seen = visit("example/index.html", 1280)
        hrefs = seen.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        anchors = {h.partition("#")[2] for h in hrefs if h.startswith(seen.url + "#")}
        for anchor in anchors:  # "skip to content", "checks" and the like land on the page
            assert seen.page.locator(f"#{anchor}").count() == 1, anchor
        internal = sorted({h for h in hrefs if h.startswith(server) and "#" not in h})
        assert len(internal) == 1 + 3 + 6 + 42  # itself (the site's name), regions, teams, reps
        for href in internal:
            response = seen.page.request.get(href)
            assert response.ok, href


class TestHostileNames:
    def test_a_script_in_a_name_is_shown_not_run(self, visit: Any) -> None:
        seen = visit("evil/reps/ann.html", 360)
        assert seen.dialogs == []
        assert seen.page.get_by_role("heading", level=1).inner_text() == (
            "<script>alert(1)</script>"
        )
        assert seen.page.locator("script").count() == 0
        assert seen.errors == []


def in_first_screen(seen: Any, selector: str) -> bool:
    """The element is on the first 360x740 screen, without scrolling."""
    seen.page.set_viewport_size({"width": 360, "height": 740})
    seen.page.evaluate("window.scrollTo(0, 0)")
    box = seen.page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 740


class TestFirstScreen:
    """What each reader needs first is on a phone's first screen (360x740)."""

    def test_a_rep_sees_their_first_target_and_its_status(self, visit: Any) -> None:
        seen = visit("progress/reps/versie-hillebrand.html", 360)
        assert in_first_screen(seen, ".target .big")
        assert seen.page.locator(".target .big").first.inner_text() == "$71,000"
        assert in_first_screen(seen, ".target .progress .state")
        assert seen.page.locator(".target .progress .state").first.inner_text() == "At risk"
        seen.screenshot("first-screen-brief-360")

    def test_a_rep_without_actuals_sees_their_first_target(self, visit: Any) -> None:
        seen = visit("example/reps/zhang-wei.html", 360)
        assert in_first_screen(seen, ".target .big")

    def test_an_executive_sees_company_attainment(self, visit: Any) -> None:
        seen = visit("progress/index.html", 360)
        assert in_first_screen(seen, ".kpi .k-value")
        assert in_first_screen(seen, ".kpi .k-att")
        assert "36.8% of target" in seen.page.locator(".kpi .k-att").first.inner_text()
        assert in_first_screen(seen, ".kpi .state")
        seen.screenshot("first-screen-index-360")

    def test_team_tables_are_sorted(self, visit: Any) -> None:
        seen = visit("progress/teams/central-brinkmann.html", 360)
        # the ranking comes first: its leader is on the first screen, before the owner's facts
        assert in_first_screen(seen, "table.rank tbody tr")
        ranking = seen.page.locator("#ranking").bounding_box()
        facts = seen.page.locator("dl.facts").first.bounding_box()
        assert ranking is not None and facts is not None and ranking["y"] < facts["y"]
        seen.screenshot("first-screen-team-360")
        shares = seen.page.locator("table.rank tbody .rk-pct").all_inner_texts()
        values = [float(s.rstrip("%")) for s in shares]
        assert len(values) == 5 and values == sorted(values, reverse=True)
        rows = seen.page.locator("table.rank tbody tr")
        heights = {round(rows.nth(i).bounding_box()["height"]) for i in range(rows.count())}
        assert max(heights) < 90  # one line per rep: nothing stacks into a card
        scroll, client = seen.overflow()
        assert scroll <= client


# Every run of letters, digits or CJK characters in a table cell, a fact, a heading or a
# status line, that the browser laid out on more than one line (e-mail addresses may wrap).
BROKEN_WORDS = """() => {
  const broken = [];
  const token = /[A-Za-z0-9\\u4e00-\\u9fff$¥%.,+]+/g;
  const cells = document.querySelectorAll("th, td, dt, dd, h1, h2, h3, .togo, .kpi p, .state");
  for (const cell of cells) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.parentElement.closest("a[href^='mailto:']")) continue;
      for (const m of node.data.matchAll(token)) {
        if (m[0].length < 2) continue;
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0);
        if (new Set(rects.map((r) => Math.round(r.top))).size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""


class TestLineBreaking:
    """Chinese pages break lines between words, never inside one ("负责/人", "月/份",
    "Hillebra/nd", "重点产品收入占/比"), at a phone's width and a desktop's."""

    @pytest.mark.parametrize("width", WIDTHS, ids=[f"{w}px" for w in WIDTHS])
    @pytest.mark.parametrize(
        "path",
        [
            "example/index.html",
            "example/regions/east.html",
            "example/teams/east-ka.html",
            "example/reps/li-na.html",
            "example/reps/cai-wen.html",
            "progress-zh/index.html",
            "progress-zh/regions/central.html",
            "progress-zh/teams/central-brinkmann.html",
            "progress-zh/reps/versie-hillebrand.html",
        ],
    )
    def test_no_word_is_broken_inside(self, visit: Any, path: str, width: int) -> None:
        seen = visit(path, width)
        assert seen.page.evaluate(BROKEN_WORDS) == []
        scroll, client = seen.overflow()
        assert scroll <= client, f"{path}: {scroll}px of content in a {client}px wide window"


class TestPrint:
    """A brief prints on one A4 page when it fits, and never spills a few lines onto a second."""

    @pytest.mark.parametrize(
        "path", ["progress/reps/versie-hillebrand.html", "example/reps/cai-wen.html"]
    )
    def test_a_brief_on_one_a4_page(self, visit: Any, path: str) -> None:
        seen = visit(path, 1280)
        seen.page.emulate_media(media="print")
        pdf = seen.page.pdf(format="A4", print_background=True)
        save_artifact(f"print-{path.replace('/', '-').removesuffix('.html')}.pdf", pdf)
        assert pdf_pages(pdf) == 1

    def test_no_brief_prints_a_near_empty_second_page(self, visit: Any, sites: Path) -> None:
        """Every brief of the example quarter: one A4 page, or a second page that holds a
        section of its own (at least a fifth of the page), never a footer or a few lines.

        How much of page 2 is used comes from Ghostscript's bounding box of what is drawn on it.
        """
        ghostscript = shutil.which("gs")
        if ghostscript is None:
            unavailable("Ghostscript (gs) is not installed")
            return
        briefs = sorted((sites / "example" / "reps").glob("*.html"))
        assert len(briefs) > 30
        counts = {1: 0, 2: 0}
        for brief in briefs:
            seen = visit(f"example/reps/{brief.name}", 1280)
            seen.page.emulate_media(media="print")
            pdf = seen.page.pdf(format="A4", print_background=True)
            used = page_heights_used(ghostscript, pdf)
            assert len(used) in (1, 2), (brief.name, used)
            counts[len(used)] += 1
            if len(used) == 2:
                save_artifact(f"print-two-pages-{brief.stem}.pdf", pdf)
                assert used[1] >= 0.2, f"{brief.name}: page 2 holds {used[1]:.0%} of a page"
        assert counts[1] > counts[2]  # most briefs fit on one page


def page_heights_used(ghostscript: str, pdf: bytes) -> list[float]:
    """For each page, the share of the A4 height between its lowest and highest mark."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "brief.pdf"
        path.write_bytes(pdf)
        found = subprocess.run(
            [ghostscript, "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "-sDEVICE=bbox", str(path)],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stderr
    boxes = re.findall(r"%%HiResBoundingBox: [\d.]+ ([\d.]+) [\d.]+ ([\d.]+)", found)
    a4_height = 841.89  # points
    return [(float(top) - float(bottom)) / a4_height for bottom, top in boxes]
