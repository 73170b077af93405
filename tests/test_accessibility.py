"""Every page type of the site passes axe-core's WCAG 2.1 A and AA rules, with no violation.

axe-core (Deque's accessibility engine, bundled by the axe-playwright-python wheel, so no
network is needed) runs inside Debian's chromium on the same rendered sites the browser tests
open: the example quarter in zh-CN, the CRM sample quarter in English with progress, and a plan
with a hostile name. Each page type is checked at a phone's and a desktop's width, because
layout decides some results (contrast of text over a bar, targets that overlap).
"""

from __future__ import annotations

from typing import Any

import pytest

from test_browser import WIDTHS, browser, server, sites, unavailable, visit

__all__ = ["browser", "server", "sites", "visit"]  # the fixtures, shared with the browser tests

# WCAG 2.1 level A and AA, as axe-core tags them (2.0 rules are part of 2.1).
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

PAGE_TYPES = {
    "index (zh-CN)": "example/index.html",
    "region (zh-CN)": "example/regions/north.html",
    "team (zh-CN)": "example/teams/east-ka.html",
    "brief (zh-CN)": "example/reps/zhang-wei.html",
    "brief with an adjustment (zh-CN)": "example/reps/li-ming.html",
    "index with progress (en)": "progress/index.html",
    "team with progress (en)": "progress/teams/central-brinkmann.html",
    "brief with progress (en)": "progress/reps/versie-hillebrand.html",
    "brief with a hostile name (en)": "evil/reps/ann.html",
}


def axe_violations(page: Any) -> list[dict[str, Any]]:
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        unavailable("axe-playwright-python is not installed (pip install -e '.[dev]')")
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options)
    violations: list[dict[str, Any]] = results.response["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [" ".join(node["target"]) for node in violation["nodes"][:3]]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return "\n".join(lines)


@pytest.mark.parametrize("width", WIDTHS, ids=[f"{w}px" for w in WIDTHS])
@pytest.mark.parametrize("path", PAGE_TYPES.values(), ids=PAGE_TYPES.keys())
def test_page_has_no_wcag_21_aa_violation(visit: Any, path: str, width: int) -> None:
    seen = visit(path, width)
    violations = axe_violations(seen.page)
    assert violations == [], f"{path} at {width}px:\n{describe(violations)}"


def test_axe_finds_a_violation_when_there_is_one(visit: Any) -> None:
    """The check is live: an image without alternative text is reported."""
    seen = visit("example/index.html", 1280)
    seen.page.evaluate(
        "document.body.appendChild(Object.assign(document.createElement('img'), {src: 'x.png'}))"
    )
    ids = {violation["id"] for violation in axe_violations(seen.page)}
    assert "image-alt" in ids
