"""Labels and number formatting for the rendered site, in the plan's locale.

``en`` and ``zh-CN`` are built in. Numbers are ``Decimal`` from end to end:
grouping, rounding and percentages never pass through a binary float, so a
page shows exactly the number the plan holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from types import MappingProxyType

_EN: dict[str, str] = {
    "action_plan": "My action plan",
    "actions": "Action plan",
    "actions_none": "No actions are planned here.",
    "actions_shared": "Team and region actions",
    "adjustments": "What changed and why",
    "adjustments_none": "No changes since the plan was approved.",
    "adjustments_hidden": "changes to reps' targets not shown",
    "approved_by": "Approved by",
    "band": "Allowed band",
    "brief_of": "Quarter brief",
    "cap": "Cap: lower is better",
    "change": "Change",
    "checks": "Checks",
    "checks_ok": "The plan passed every check.",
    "checks_warn": "No errors; {count} to look at (below).",
    "company": "Company",
    "date_decided": "Decided",
    "deadline": "Deadline",
    "definitions": "How each metric is measured",
    "due": "Due",
    "effective": "Effective",
    "email": "E-mail",
    "fiscal_year": "Fiscal year",
    "growth": "Growth",
    "highest": "Highest",
    "key_product": "key product",
    "last_day": "Last day",
    "last_quarter": "Last quarter",
    "last_year": "Same quarter last year",
    "last_year_short": "Last year",
    "lowest": "Lowest",
    "manager": "Manager",
    "metric": "Metric",
    "month": "Month",
    "monthly_phasing": "Monthly phasing",
    "my_targets": "My targets",
    "new_to_old": "from → to",
    "org": "Organisation",
    "owner": "Owner",
    "page_nav": "Site navigation",
    "peers_hidden": "Individual reps' numbers are not published in this site.",
    "pillar": "Pillar",
    "pillars": "Strategy pillars",
    "product": "Product line",
    "product_mix": "Product mix",
    "product_split": "Product split",
    "quarter": "Quarter",
    "ramp": "Ramp",
    "ramp_text": "share of a full quota by month",
    "reconciliation": "Reconciliation and over-assignment",
    "reconciliation_ok": "Every split reconciles within the policy's band.",
    "region": "Region",
    "rendered_by": "Rendered by planc",
    "reps": "Reps",
    "resources": "Resources",
    "revision": "Plan revision",
    "revision_dirty": "with uncommitted changes",
    "revision_none": "not in a git repository",
    "role": "Role",
    "share": "Share",
    "skip": "Skip to content",
    "splits": "Splits",
    "start": "Start date",
    "stretch": "Stretch",
    "supports": "Supports",
    "target": "Target",
    "targets": "Targets",
    "team": "Team",
    "total": "Total",
    "totals": "Company targets",
    "vs_last_quarter": "vs last quarter",
    "vs_last_year": "vs last year",
    "warnings": "warnings",
    "warnings_title": "Warnings",
    "what": "What",
    "who": "Who",
    "site_of": "Sales plan",
    "of_quarter": "of the quarter",
    "colon": ": ",
    "dates": "Dates",
    "node_name": "Name",
    "vs_target": "vs target",
    "split_regions": "Split to regions",
    "split_teams": "Split to teams",
    "split_reps": "Split to reps",
    "split_hint": "Sums may exceed the target by {band} (over-assignment); shares and scores compare the mean with the target.",
    "growth_hint": "Growth is against the same quarter last year where the plan gives it, else against last quarter; shares in percentage points.",
    "tree_legend": "Amounts: {metric} targets. Percentages: how far the level below adds up above the target.",
    "pp": " pp",
    "budget": "Budget",
    "from_children": "added up from the level below",
    "progress": "Progress to date",
    "progress_note": "Progress to the end of {date} (day {day} of {days}), from {source}.",
    "progress_legend": "The bar is what is attained against the target; the tick marks the pace to date.",
    "progress_none": "No target here is measured by the export.",
    "attained": "Attained",
    "pace": "Pace to date",
    "forecast": "Forecast",
    "status": "Status",
    "of_target": "{pct} of target",
    "of_pace": "{pct} of pace",
    "so_far": "so far",
    "split_progress_hint": "Under each target: attained to date and its share of the pace.",
    "st_ahead": "Ahead of pace",
    "st_behind": "Behind pace",
    "st_at_risk": "At risk",
    "st_within": "Within the cap",
    "st_over": "Over the cap's pace",
    "st_not_started": "Not started",
    "st_not_due": "Nothing due yet",
    "st_no_data": "No data yet",
    "top_down": "top-down",
    "bottom_up": "bottom-up",
    "gap": "gap",
    "from_reps": "(from the reps)",
    "from_teams": "(from the teams)",
    "from_regions": "(from the regions)",
    "gap_outside": "outside the policy's {band}",
    "gap_column": "Top-down vs bottom-up",
    "gap_hint": "Gap: how much more the target asks than its owner commits to (for a cap: how much tighter it is), in % of the commitment.",
}

_ZH: dict[str, str] = {
    "action_plan": "我的行动计划",
    "actions": "行动计划",
    "actions_none": "这里还没有行动计划。",
    "actions_shared": "团队和区域的行动",
    "adjustments": "调整记录：改了什么，为什么",
    "adjustments_none": "计划批准后没有调整。",
    "adjustments_hidden": "条销售代表目标的调整未显示",
    "approved_by": "批准人",
    "band": "允许范围",
    "brief_of": "季度目标简报",
    "cap": "上限：越低越好",
    "change": "调整",
    "checks": "检查",
    "checks_ok": "计划通过了全部检查。",
    "checks_warn": "没有错误；有{count}需要留意（见下）。",
    "company": "公司",
    "date_decided": "决定日期",
    "deadline": "截止日期",
    "definitions": "指标口径",
    "due": "截止",
    "effective": "生效日期",
    "email": "邮箱",
    "fiscal_year": "财年",
    "growth": "增长",
    "highest": "最高",
    "key_product": "重点产品",
    "last_day": "最后工作日",
    "last_quarter": "上季度",
    "last_year": "去年同期",
    "last_year_short": "去年同期",
    "lowest": "最低",
    "manager": "直属上级",
    "metric": "指标",
    "month": "月份",
    "monthly_phasing": "按月分解",
    "my_targets": "我的目标",
    "new_to_old": "调整前 → 调整后",
    "org": "组织与目标分解",
    "owner": "负责人",
    "page_nav": "站点导航",
    "peers_hidden": "本站点不公开每位销售代表的个人目标。",
    "pillar": "战略支柱",
    "pillars": "战略支柱",
    "product": "产品线",
    "product_mix": "产品结构",
    "product_split": "按产品分解",
    "quarter": "季度",
    "ramp": "新人爬坡",
    "ramp_text": "各月承担完整指标的比例",
    "reconciliation": "对账与超额分配",
    "reconciliation_ok": "所有分解都在政策允许的范围内。",
    "region": "区域",
    "rendered_by": "由 planc 生成",
    "reps": "销售代表",
    "resources": "资源",
    "revision": "计划版本",
    "revision_dirty": "含未提交的修改",
    "revision_none": "不在 git 仓库中",
    "role": "岗位",
    "share": "占比",
    "skip": "跳到正文",
    "splits": "分解项数",
    "start": "入职日期",
    "stretch": "挑战目标",
    "supports": "支持指标",
    "target": "目标",
    "targets": "目标",
    "team": "团队",
    "total": "合计",
    "totals": "公司目标",
    "vs_last_quarter": "较上季度",
    "vs_last_year": "较去年同期",
    "warnings": "个警告",
    "warnings_title": "警告",
    "what": "内容",
    "who": "基本信息",
    "site_of": "销售计划",
    "of_quarter": "占季度",
    "colon": "：",
    "dates": "起止日期",
    "node_name": "名称",
    "vs_target": "与目标相比",
    "split_regions": "分解到区域",
    "split_teams": "分解到团队",
    "split_reps": "分解到销售代表",
    "split_hint": "金额和数量的下级合计可高出目标 {band}（超额分配）；占比和评分以下级平均值与目标比较。",
    "growth_hint": "增长按去年同期计算，没有去年同期时按上季度计算；占比类指标的增长以百分点表示。",
    "tree_legend": "金额为{metric}目标；百分比为下级合计高出目标的比例。",
    "pp": "个百分点",
    "budget": "预算",
    "from_children": "由下级汇总",
    "progress": "目前进度",
    "progress_note": "进度截至{date}（含当日；本季度第{day}天，共{days}天），数据来自 {source}。",
    "progress_legend": "进度条为已完成相对目标的比例；竖线标出按时间应完成的位置。",
    "progress_none": "这里没有由这份数据衡量的目标。",
    "attained": "已完成",
    "pace": "按进度应完成",
    "forecast": "季末预测",
    "status": "状态",
    "of_target": "完成目标的{pct}",
    "of_pace": "达进度的{pct}",
    "so_far": "截至目前",
    "split_progress_hint": "每个目标下方：目前已完成及其相对进度的比例。",
    "st_ahead": "领先进度",
    "st_behind": "落后进度",
    "st_at_risk": "有风险",
    "st_within": "在上限以内",
    "st_over": "超出上限进度",
    "st_not_started": "尚未开始",
    "st_not_due": "尚无进度要求",
    "st_no_data": "暂无数据",
    "top_down": "自上而下",
    "bottom_up": "自下而上",
    "gap": "差距",
    "from_reps": "（销售代表承诺汇总）",
    "from_teams": "（团队承诺汇总）",
    "from_regions": "（区域承诺汇总）",
    "gap_outside": "超出政策允许的 {band}",
    "gap_column": "自上而下与自下而上",
    "gap_hint": "差距：目标比负责人自己的承诺多出多少（上限类指标：收紧了多少），以承诺的百分比表示。",
}

_ROLES = {
    "en": {
        "rep": "Sales rep",
        "manager": "Sales manager",
        "director": "Sales director",
        "vp": "Vice president, sales",
        "executive": "Executive",
        "finance": "Finance",
        "ops": "Sales operations",
    },
    "zh-CN": {
        "rep": "销售代表",
        "manager": "销售经理",
        "director": "销售总监",
        "vp": "销售副总裁",
        "executive": "高管",
        "finance": "财务",
        "ops": "销售运营",
    },
}

_CAUSES = {
    "en": {
        "market": "Market",
        "competitor": "Competitor",
        "policy": "Policy",
        "execution": "Internal execution",
        "resources": "Resources",
        "reorganisation": "Reorganisation",
        "other": "Other",
    },
    "zh-CN": {
        "market": "市场变化",
        "competitor": "竞争对手",
        "policy": "政策",
        "execution": "内部执行",
        "resources": "资源",
        "reorganisation": "组织调整",
        "other": "其他",
    },
}

_RESOURCES = {
    "en": {
        "marketing": "Marketing",
        "training": "Training",
        "travel": "Travel",
        "samples": "Samples",
    },
    "zh-CN": {
        "marketing": "市场费用",
        "training": "培训",
        "travel": "差旅",
        "samples": "样机",
    },
}

_UNITS = {
    "en": {"count": "count", "percent": "%", "score": "score"},
    "zh-CN": {"count": "个", "percent": "%", "score": "分"},
}

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Currency symbols as each locale writes them; unknown codes are shown as the code.
_SYMBOLS = {
    "en": {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "CN¥", "HKD": "HK$"},
    "zh-CN": {"CNY": "¥", "USD": "US$", "EUR": "€", "GBP": "£", "JPY": "JP¥", "HKD": "HK$"},
}

MINUS = "\u2212"  # a true minus sign reads better than a hyphen
DASH = "\u2013"  # an en dash, for ranges
_ONE = Decimal(1)
_HUNDRED = Decimal(100)


_STEPS = tuple(_ONE.scaleb(-places) for places in range(8))


def _quantize(value: Decimal, places: int) -> Decimal:
    result = value.quantize(_STEPS[places], rounding=ROUND_HALF_EVEN)
    return result.copy_abs() if result.is_zero() else result


def _round_half_even(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half-even, in exact integers (both positive)."""
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2):
        quotient += 1
    return quotient


def _fixed(scaled: int, places: int) -> str:
    """``scaled / 10**places`` with grouping: ``_fixed(12345, 1)`` → ``1,234.5``."""
    if places == 0:
        return f"{scaled:,}"
    whole, fraction = divmod(scaled, 10**places)
    return f"{whole:,}.{fraction:0{places}d}"


def _strip_zeros(text: str) -> str:
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@dataclass(frozen=True, slots=True)
class Locale:
    """One locale: ``t`` holds the labels; methods format Decimals, dates and months."""

    tag: str
    currency: str
    t: Mapping[str, str]
    symbol: str | None = None  # the currency's symbol in this locale, if it has one

    @property
    def html_lang(self) -> str:
        return self.tag

    def number(self, value: Decimal, places: int | None = None) -> str:
        """Grouped digits: ``2,910,000``; ``places`` rounds half-even first."""
        if places is None:
            whole = int(value)
            if whole == value:  # the common case, and exact: int() of a Decimal truncates
                return f"{whole:,}"
            return f"{value:,f}"
        return f"{_quantize(value, places):,f}"

    def money(self, value: Decimal) -> str:
        if value < 0:
            return "-" + self.money(-value)
        whole = int(value)
        digits = f"{whole:,}" if whole == value else f"{value:,f}"
        return f"{self.symbol}{digits}" if self.symbol else f"{digits} {self.currency}"

    def share(self, part: Decimal, whole: Decimal) -> str:
        """``part`` as a percentage of ``whole``, one decimal: ``33.3%``; ``—`` of nothing."""
        if whole <= 0 or part < 0:
            ratio = percent_of(part, whole)
            return "—" if ratio is None else self.percent(ratio)
        p, w = int(part), int(whole)
        if p == part and w == whole:  # exact integers: the common case, and the fast one
            return f"{_fixed(_round_half_even(p * 1000, w), 1)}%"
        return self.percent(part * _HUNDRED / whole)

    def percent(self, value: Decimal, places: int = 1) -> str:
        """A percentage already in percent units: ``Decimal("12.345")`` → ``12.3%``."""
        return f"{self.number(value, places)}%"

    def signed_percent(self, value: Decimal, places: int = 1) -> str:
        text = self.percent(value, places)
        if text.startswith("-"):
            return MINUS + text[1:]
        return text if _quantize(value, places).is_zero() else f"+{text}"

    def signed_value(self, value: Decimal, unit: str, places: int = 1) -> str:
        """A difference in a metric's own unit: ``+0.4`` for a score, ``+7.0 pp`` for a share."""
        text = self.number(value.copy_abs(), places)
        sign = MINUS if value < 0 and not _quantize(value, places).is_zero() else "+"
        if unit == "percent":
            return f"{sign}{text}{self.t['pp']}"
        if unit == "currency":
            return f"{sign}{self.money(value.copy_abs())}"
        return f"{sign}{text}"

    def compact(self, value: Decimal) -> str:
        """A short form for chart labels: ``2.91M`` in English, ``291万`` in Chinese."""
        if value < 0:
            return "-" + self.compact(-value)
        table = _COMPACT_ZH if self.tag == "zh-CN" else _COMPACT_EN
        whole = int(value)
        if whole == value:  # exact integer arithmetic, the same rounding as below
            for unit, word in table:
                size = int(unit)
                if whole >= size:
                    places = 0 if whole >= 100 * size else (1 if whole >= 10 * size else 2)
                    rounded = _round_half_even(whole * 10**places, size)
                    return f"{_strip_zeros(_fixed(rounded, places))}{word}"
            return f"{whole:,}"
        for unit, word in table:
            if value >= unit:
                scaled = value / unit
                places = 0 if scaled >= 100 else (1 if scaled >= 10 else 2)
                return f"{_strip_zeros(self.number(scaled, places))}{word}"
        return _strip_zeros(self.number(value, 2))

    def value(self, value: Decimal, unit: str) -> str:
        """A target value as its unit is written: money, a count, a percentage or a score."""
        if unit == "currency":
            return self.money(value)
        if unit == "percent":
            return f"{self.number(value)}%"
        return self.number(value)

    def unit_label(self, unit: str, scale: tuple[Decimal, Decimal] | None = None) -> str:
        if unit == "currency":
            return self.currency
        label = _UNITS[self.tag].get(unit, unit)
        if unit == "score" and scale is not None:
            low, high = (self.number(s) for s in scale)
            return f"{label} {low}{DASH}{high}"
        return label

    def date(self, day: date) -> str:
        return _date_text(self.tag, day)

    def month(self, month: int) -> str:
        return f"{month}月" if self.tag == "zh-CN" else _EN_MONTHS[month - 1]

    def role(self, role: str) -> str:
        return _ROLES[self.tag].get(role, role)

    def cause(self, cause: str) -> str:
        return _CAUSES[self.tag].get(cause, cause)

    def resource(self, kind: str) -> str:
        return _RESOURCES[self.tag].get(kind, kind)

    def count(self, count: int, key: str) -> str:
        """``3 warnings`` / ``3 个警告``: the label carries the word (and measure word)."""
        if self.tag == "zh-CN":
            return f"{count}{self.t[key]}"
        word = self.t[key]
        return f"{count} {word[:-1] if count == 1 and word.endswith('s') else word}"

    def join(self, parts: list[str]) -> str:
        return ("、" if self.tag == "zh-CN" else ", ").join(parts)


@lru_cache(maxsize=4096)
def _date_text(tag: str, day: date) -> str:
    if tag == "zh-CN":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"


_COMPACT_ZH = ((Decimal(100_000_000), "亿"), (Decimal(10_000), "万"))
_COMPACT_EN = ((Decimal(1_000_000_000), "B"), (Decimal(1_000_000), "M"), (Decimal(1_000), "K"))
_LABELS = {"en": MappingProxyType(_EN), "zh-CN": MappingProxyType(_ZH)}
LOCALES = tuple(_LABELS)


def get_locale(tag: str, currency: str) -> Locale:
    """The locale a plan asks for (the schema allows only the built-in ones)."""
    if tag not in _LABELS:
        raise ValueError(f"unknown locale {tag!r}; planc knows {', '.join(LOCALES)}")
    return Locale(tag, currency, _LABELS[tag], _SYMBOLS[tag].get(currency))


def percent_of(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole`` (exact Decimal), or None when whole is zero."""
    if whole.is_zero():
        return None
    return part * _HUNDRED / whole
