"""Per-product actuals on the site: won so far per product line, beside the product split.

plans/2017-Q3 rendered with the public CRM sample as of 2017-08-15. Each rep's brief
lists what the rep won per product line; the figures are checked against sums computed
here with csv and Decimal, and the split against the plan's YAML read here.
"""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
import yaml

from conftest import run_planc
from test_render_progress import AS_OF, EXPORT, PLAN, money, slug, won

PRODUCT_NAMES = {"GTXPro": "GTX Pro"}  # the export spells it without the space


def section(html: str) -> str:
    found = re.search(
        r'<section class="won-by-product" aria-labelledby="won-by-product-0">(.*?)</section>',
        html,
        re.S,
    )
    assert found is not None, "no per-product section"
    return found.group(1)


def rows(html: str) -> dict[str, list[str]]:
    """Product name -> the cells of its row, as a reader sees them."""
    out = {}
    for name, cells in re.findall(
        r'<tr><th scope="row">([^<]+?)(?: <span[^>]*>[^<]*</span>)?</th>(.*?)</tr>', section(html)
    ):
        out[unescape(name)] = [unescape(c) for c in re.findall(r"<td[^>]*>([^<]*)</td>", cells)]
    return out


def splits() -> dict[str, dict[str, Decimal]]:
    """Rep id -> its revenue target's product split, straight from the YAML."""
    out: dict[str, dict[str, Decimal]] = {}

    def walk(node: dict[str, object]) -> None:
        targets = node.get("targets") or {}
        assert isinstance(targets, dict)
        revenue = targets.get("revenue")
        ident = node.get("id") or node.get("rep")
        if isinstance(revenue, dict) and "products" in revenue and ident:
            out[str(ident)] = {k: Decimal(str(v)) for k, v in revenue["products"].items()}
        for key in ("teams", "reps"):
            for child in node.get(key) or []:  # type: ignore[attr-defined]
                walk(child)

    for path in (PLAN / "regions").glob("*.yaml"):
        walk(yaml.safe_load(path.read_text(encoding="utf-8"))["region"])
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    result = run_planc(
        "render", PLAN, "--out", out, "--actuals", EXPORT, "--as-of", AS_OF.isoformat()
    )
    assert result.code == 0, result.stderr
    return out


class TestRepBriefs:
    """A rep's brief shows what they won per product line this quarter, exactly."""

    def test_won_per_product_matches_an_independent_sum(self, site: Path) -> None:
        by_rep: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for deal in won(PLAN_START, AS_OF):
            product = PRODUCT_NAMES.get(deal["product"], deal["product"])
            by_rep[slug(deal["sales_agent"])][product] += Decimal(deal["close_value"])
        checked = 0
        for rep, products in sorted(by_rep.items()):
            page = site / "reps" / f"{rep}.html"
            if not page.exists():
                continue
            shown = rows(page.read_text(encoding="utf-8"))
            header = re.findall(
                r'<th scope="col"[^>]*>([^<]+)</th>', section(page.read_text(encoding="utf-8"))
            )
            won_at = header.index("Won so far") - 1
            for product, amount in products.items():
                assert money(shown[product][won_at]) == amount, (rep, product)
                checked += 1
        assert checked > 50

    def test_the_split_and_the_percent_of_it(self, site: Path) -> None:
        split = splits()
        plan_products = yaml.safe_load((PLAN / "quarter.yaml").read_text(encoding="utf-8"))[
            "products"
        ]
        names = {p["id"]: p["name"] for p in plan_products}
        rep, products = next(iter(sorted(split.items())))
        page = (site / "reps" / f"{rep}.html").read_text(encoding="utf-8")
        shown = rows(page)
        for product_id, planned in products.items():
            cells = shown[names[product_id]]
            assert money(cells[0]) == planned
            won_so_far = money(cells[1])
            expected = (won_so_far * 100 / planned).quantize(Decimal("0.1"))
            assert cells[2] == f"{expected}%"

    def test_key_products_are_marked(self, site: Path) -> None:
        page = (site / "reps" / "versie-hillebrand.html").read_text(encoding="utf-8")
        assert re.search(r"GTX Plus Pro <span class=\"unit\">★ key product</span>", section(page))


class TestNamesAndLanguage:
    """Names from the plan are escaped; a Chinese site labels the section in Chinese."""

    def test_a_hostile_product_name_is_escaped_and_labels_are_chinese(self, tmp_path: Path) -> None:
        plan = tmp_path / "2017-Q3"
        shutil.copytree(PLAN, plan)
        quarter = plan / "quarter.yaml"
        text = quarter.read_text(encoding="utf-8")
        text = text.replace("name: GTX Plus Pro", 'name: "<b>GTX Plus Pro</b>"', 1)
        text = text.replace("locale: en", "locale: zh-CN", 1)
        quarter.write_text(text, encoding="utf-8")
        out = tmp_path / "site"
        result = run_planc(
            "render", plan, "--out", out, "--actuals", EXPORT, "--as-of", AS_OF.isoformat()
        )
        assert result.code == 0, result.stderr
        page = (out / "reps" / "versie-hillebrand.html").read_text(encoding="utf-8")
        part = section(page)
        assert "&lt;b&gt;GTX Plus Pro&lt;/b&gt;" in part
        assert "<b>GTX" not in part
        for label in ("各产品线成交", "已成交", "占目标", "管道预测"):
            assert label in part


PLAN_START = AS_OF.replace(month=7, day=1)
