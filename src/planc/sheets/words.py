"""The words ``planc import`` writes into a plan, in the plan's language (``--locale``).

A plan in Chinese gets Chinese names for what the sheets do not name: a manager's team
(``李经理团队``), the one region of a roster without a region column (``全部区域``), the
pillar every metric serves, the quarter (``2028年第一季度``, as the example plan and
``planc init`` name quarters), and the files' header comment and derived targets' notes.

They are here, not in the gettext catalogs (planc/locales): those are read with Babel, the
``site`` extra, and an import of CSV sheets needs no extra.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_CN_QUARTERS = "一二三四"


@dataclass(frozen=True, slots=True)
class ImportWords:
    team: Callable[[str], str]  # a manager's name -> their team's name
    all_regions: str  # the one region of a roster without a region column
    pillar: str
    quarter: Callable[[int, int], str]  # (year, quarter) -> the quarter's name
    # (quarter id, roster, quota sheet) -> the comment at the top of every file
    comment: Callable[[str, str, str], list[str]]
    levels: dict[str, str]  # what a derived target was summed from: reps, teams, regions
    derived: Callable[[str, str], str]  # (level, " over 100 %" or "") -> the target's note
    over: Callable[[Decimal], str]  # the band's lower bound (the children's over-assignment)


def _en_comment(quarter: str, roster: str, quotas: str) -> list[str]:
    return [
        "",
        f"{quarter}: imported by planc import from the roster {roster}",
        f"and the quota sheet {quotas}. Targets marked 'Derived by planc import'",
        "were summed from the level below. Add metric definitions, pillars and actions here.",
    ]


def _zh_comment(quarter: str, roster: str, quotas: str) -> list[str]:
    return [
        "",
        f"{quarter}：由 planc import 从人员名单 {roster}",
        f"和配额表 {quotas} 导入。标记为“由 planc import 推导”的目标",
        "由下一级汇总而来。请在此补充指标定义、战略支柱和行动项。",
    ]


WORDS: dict[str, ImportWords] = {
    "en": ImportWords(
        team="{} team".format,
        all_regions="All regions",
        pillar="Make the quarter's targets",
        quarter=lambda year, quarter: f"Q{quarter} {year}",
        comment=_en_comment,
        levels={"reps": "reps", "teams": "teams", "regions": "regions"},
        derived=lambda level, over: (
            f"Derived by planc import: the sum of its {level}' targets{over}; the quota sheet "
            "had no number for it."
        ),
        over=lambda percent: f" over {percent} %",
    ),
    "zh-CN": ImportWords(
        team="{}团队".format,
        all_regions="全部区域",
        pillar="完成本季度目标",
        quarter=lambda year, quarter: f"{year}年第{_CN_QUARTERS[quarter - 1]}季度",
        comment=_zh_comment,
        levels={"reps": "销售代表", "teams": "团队", "regions": "区域"},
        derived=lambda level, over: (
            f"由 planc import 推导：其{level}目标之和{over}；配额表中没有它的数字。"
        ),
        over=lambda percent: f"除以 {percent}%",
    ),
}


def words_for(locale: str) -> ImportWords:
    """The words of a plan in ``locale`` (English for a locale without its own)."""
    return WORDS.get(locale, WORDS["en"])


def quarter_name(quarter: str, words: ImportWords) -> str:
    """The name of a calendar quarter id (2028-Q1: ``Q1 2028``, ``2028年第一季度``), else the id."""
    match = _QUARTER.fullmatch(quarter)
    return words.quarter(int(match.group(1)), int(match.group(2))) if match else quarter
