"""Locales are gettext catalogs plus Babel's CLDR data, and every catalog is complete.

The catalogs in ``src/planc/locales/<tag>/LC_MESSAGES/planc.po`` hold every
user-facing label of the site; a key used by a template or by the code must be
in each of them, with a translation, and a Chinese site shows no English label.
The digits are produced by planc's exact integer paths; these tests hold them
to what Babel itself writes.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import pickle
import re
import shutil
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from babel.support import Translations
from hypothesis import given
from hypothesis import strategies as st

from conftest import REPO, run_planc
from planc.checks import CHECKS, check_directory
from planc.core import loader, locales, pipeline, schema
from planc.core.diagnostics import Foreign, Items, Message, Named, Phrase
from planc.core.locales import (
    CATALOGS,
    KEYWORDS,
    MESSAGE_SOURCES,
    Words,
    available_locales,
    catalog_path,
    get_locale,
)
from planc.track.report import EARLY_WARNINGS, run_track

SITE_CODE = [REPO / "templates", REPO / "src" / "planc" / "site"]
# keys the code builds from data (a role, a cause, a resource kind, a unit) rather than names
BUILT_PREFIXES = ("role.", "cause.", "resource.", "unit.", "n_")


def catalog(tag: str) -> dict[str, str | tuple[str, ...]]:
    with catalog_path(tag).open("rb") as handle:
        read = read_po(handle, locale=tag.replace("-", "_"))
    out: dict[str, str | tuple[str, ...]] = {}
    for message in read:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        assert "fuzzy" not in message.flags, f"{tag}: {key} is fuzzy"
        out[key] = message.string if isinstance(message.string, str) else tuple(message.string)
    return out


def site_sources() -> list[Path]:
    paths = [REPO / "src" / "planc" / "core" / "locales.py"]
    for folder in SITE_CODE:
        paths += sorted(p for p in folder.rglob("*") if p.suffix in {".j2", ".py"})
    return paths


def keys_used() -> set[str]:
    """Keys looked up by name: ``t.key`` in a template, ``t["key"]`` in the code."""
    used: set[str] = set()
    for path in site_sources():
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".j2":
            used |= set(re.findall(r"\bt\.([a-z_]+)\b", text))
        used |= set(re.findall(r"""\bt\[["']([a-z_]+)["']\]""", text))
    return used


def messages_written() -> set[tuple[str | None, str]]:
    """(context, msgid) of every message the code writes through ``Words``, as Babel extracts them,
    and every description of the schema (scripts/catalog.py adds both)."""
    found: set[tuple[str | None, str]] = set()
    for module in MESSAGE_SOURCES:
        path = REPO / "src" / "planc" / module
        for _line, message, _comments, context in extract_from_file(
            "python", path, keywords=KEYWORDS
        ):
            found.add((context, message if isinstance(message, str) else message[0]))
    assert found, "no message extracted"
    described = schema.schema_descriptions()  # the hints PLC101/103/104 give, translated whole
    assert len(described) > 100, "no description of the schema found"
    found |= {(None, description) for description in described}
    return found


def keys_named() -> set[str]:
    """Keys used by name, or named in a table the code looks them up from."""
    named = keys_used() | {message for _context, message in messages_written()}
    for path in site_sources():
        if path.suffix == ".py":
            named |= set(re.findall(r"""["']([a-z_]+)["']""", path.read_text(encoding="utf-8")))
    return named


class TestCatalogs:
    """Every catalog has every key, translated; no key is used that no catalog has."""

    def test_the_shipped_locales(self) -> None:
        assert available_locales() == ("en", "zh-CN")
        assert sorted(p.name for p in CATALOGS.iterdir()) == ["en", "zh_CN"]

    @pytest.mark.parametrize("tag", ["en", "zh-CN"])
    def test_no_entry_is_missing_or_empty(self, tag: str) -> None:
        reference = catalog("en")
        entries = catalog(tag)
        assert set(entries) == set(reference), set(reference) ^ set(entries)
        for key, text in entries.items():
            forms = (text,) if isinstance(text, str) else text
            assert forms and all(f.strip() for f in forms), f"{tag}: {key} has no translation"
            if "{" in str(reference[key]):  # placeholders survive translation
                wanted = set(re.findall(r"\{[a-z_]+\}", str(reference[key])))
                for form in forms:
                    assert set(re.findall(r"\{[a-z_]+\}", form)) == wanted, (tag, key)

    def test_every_key_used_is_in_the_catalogs(self) -> None:
        used = keys_used()
        known = set(catalog("en"))
        assert used <= known, used - known

    def test_every_catalog_entry_is_used(self) -> None:
        used = keys_named()
        unused = {
            key for key in catalog("en") if key not in used and not key.startswith(BUILT_PREFIXES)
        }
        assert not unused, unused

    @pytest.mark.parametrize("tag", ["en", "zh-CN"])
    def test_every_message_written_is_translated(self, tag: str) -> None:
        """The PR comment's messages (English msgids, extracted by Babel) are all in each catalog,
        in their context; a plural message has its plural forms."""
        with catalog_path(tag).open("rb") as handle:
            read = read_po(handle, locale=tag.replace("-", "_"))
        missing = [
            (context, message)
            for context, message in messages_written()
            if read.get(message, context=context) is None
            or not all(str(form).strip() for form in _forms(read.get(message, context=context)))
        ]
        assert not missing, missing

    def test_plural_rules_come_from_cldr(self) -> None:
        en, zh = get_locale("en", "USD"), get_locale("zh-CN", "CNY")
        assert en.count(1, "warnings") == "1 warning"
        assert en.count(2, "warnings") == "2 warnings"
        assert en.count(1200, "warnings") == "1,200 warnings"
        assert zh.count(1, "warnings") == "1个警告"
        assert zh.count(3, "warnings") == "3个警告"


def _forms(message: object) -> tuple[object, ...]:
    string = getattr(message, "string", "")
    return string if isinstance(string, tuple) else (string,)


amounts = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, places=4
)


class TestTheDigitsAreBabels:
    """planc's fast, exact formatting writes what Babel's CLDR formatting writes."""

    @pytest.mark.parametrize("tag", ["en", "zh-CN"])
    @given(value=amounts, places=st.integers(min_value=0, max_value=3))
    def test_number(self, tag: str, value: Decimal, places: int) -> None:
        pattern = "#,##0" + ("." + "0" * places if places else "")
        expected = babel_numbers.format_decimal(value, format=pattern, locale=tag.replace("-", "_"))
        ours = get_locale(tag, "USD").number(value, places)
        assert (
            ours == expected.replace("-0", "0")
            if set(expected) <= set("-0.,")
            else ours == expected
        )

    @pytest.mark.parametrize(
        ("tag", "currency"), [("en", "USD"), ("zh-CN", "CNY"), ("zh-CN", "USD"), ("en", "EUR")]
    )
    @given(value=st.integers(min_value=0, max_value=10**12))
    def test_money(self, tag: str, currency: str, value: int) -> None:
        expected = babel_numbers.format_currency(
            value, currency, format="¤#,##0", locale=tag.replace("-", "_"), currency_digits=False
        )
        assert get_locale(tag, currency).money(Decimal(value)) == expected

    @pytest.mark.parametrize("tag", ["en", "zh-CN"])
    @given(
        part=st.integers(min_value=0, max_value=10**9),
        whole=st.integers(min_value=1, max_value=10**9),
    )
    def test_share(self, tag: str, part: int, whole: int) -> None:
        expected = babel_numbers.format_percent(
            Decimal(part) / Decimal(whole), format="#,##0.0%", locale=tag.replace("-", "_")
        )
        assert get_locale(tag, "USD").share(Decimal(part), Decimal(whole)) == expected

    @pytest.mark.parametrize("tag", ["en", "zh-CN"])
    def test_dates_and_months(self, tag: str) -> None:
        loc = get_locale(tag, "USD")
        day = date(2027, 3, 31)
        assert loc.date(day) == babel_dates.format_date(day, "medium", locale=tag.replace("-", "_"))
        assert (
            loc.month(3)
            == babel_dates.get_month_names("abbreviated", locale=tag.replace("-", "_"))[3]
        )

    def test_compact_units_are_cldrs(self) -> None:
        assert get_locale("zh-CN", "CNY").compact(Decimal("123000000")) == "1.23亿"
        assert get_locale("zh-CN", "CNY").compact(Decimal("960000")) == "96万"
        assert get_locale("en", "USD").compact(Decimal("960000")) == "960K"
        assert get_locale("en", "USD").compact(Decimal("2910000000")) == "2.91B"

    def test_exact_compact_only_when_nothing_is_lost(self) -> None:
        zh = get_locale("zh-CN", "CNY")
        assert zh.exact_compact(Decimal("2910000")) == "291万"
        assert zh.exact_compact(Decimal("2910001")) is None

    def test_exact_percent_never_hides_a_difference(self) -> None:
        en = get_locale("en", "USD")
        assert en.exact_percent(Decimal("5.02")) == "5.02%"
        assert en.exact_percent(Decimal("5")) == "5.0%"
        assert en.exact_percent(Decimal("5.00001")) != en.exact_percent(Decimal("5"))

    def test_no_signed_zero(self) -> None:
        en = get_locale("en", "USD")
        assert en.signed_value(Decimal("0.001"), "score", 2) == "0.00"
        assert en.signed_percent(Decimal("-0.01")) == "0.0%"
        assert en.signed_value(Decimal("0.4"), "score") == "+0.4"


class _Text(HTMLParser):
    """The text a reader sees: no markup, no style, no code (file names and codes stay)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"style", "code", "script"}:
            self._skip += 1
        for name, value in attrs:
            if name in {"aria-label", "title", "alt"} and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"style", "code", "script"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return " ".join(parser.parts)


def english_labels() -> set[str]:
    """Every English label that the Chinese catalog translates differently, as whole text."""
    en, zh = catalog("en"), catalog("zh-CN")
    labels = set()
    for key, text in en.items():
        for form in (text,) if isinstance(text, str) else text:
            fixed = re.sub(r"\{[a-z_]+\}", "\x00", form).split("\x00")
            for raw in fixed:
                piece = raw.strip(" .,:;()")
                if (
                    len(piece) >= 4
                    and re.search(r"[A-Za-z]{3}", piece)
                    and piece not in str(zh[key])
                ):
                    labels.add(piece)
    return labels


def test_a_chinese_site_shows_no_english_label(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = run_planc("render", REPO / "plans" / "2027-Q1", "--out", out)
    assert result.code == 0, result.stderr
    labels = english_labels()
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        text = visible_text(page)
        found = sorted(label for label in labels if re.search(rf"\b{re.escape(label)}\b", text))
        assert not found, f"{page.relative_to(out)}: {found}"


def test_a_chinese_site_with_diagnostics_and_early_warnings_shows_no_english_label(
    tmp_path: Path,
) -> None:
    """Check warnings and planc track's early warnings (with their causes) come from the
    catalog too: the diagnostics are data, rendered in the page's language."""
    plan = tmp_path / "2017-Q3"
    shutil.copytree(REPO / "plans" / "2017-Q3", plan)
    quarter = plan / "quarter.yaml"
    quarter.write_text(
        quarter.read_text(encoding="utf-8").replace("locale: en", "locale: zh-CN"),
        encoding="utf-8",
    )
    central = plan / "regions" / "central.yaml"
    text = central.read_text(encoding="utf-8")
    # a stretch below the value (PLC403) and growth far outside the band (PLC410)
    edited = text.replace(
        "deals_won: {value: 55, baseline: {last_quarter: 52}}",
        "deals_won: {value: 55, stretch: 50, baseline: {last_quarter: 30}}",
        1,
    )
    assert edited != text
    central.write_text(edited, encoding="utf-8")
    data = REPO / "tests" / "fixtures" / "crm-sales-opportunities" / "sales_pipeline.csv"
    out = tmp_path / "site"
    args = ("--out", out, "--actuals", data, "--as-of", "2017-08-15")
    result = run_planc("render", plan, *args)
    assert result.code == 0, result.stderr
    index = visible_text(out / "index.html")
    codes = (out / "index.html").read_text(encoding="utf-8")
    assert "PLC403" in codes and "PLC410" in codes and "PLC720" in codes
    assert "挑战目标" in index and "政策允许的增长幅度" in index and "预警" in index
    brief = visible_text(out / "reps" / "versie-hillebrand.html")
    assert "赢单率" in brief and "上季度的客户中有" in brief  # track's causes, in Chinese
    # the plan's own words (names of people, teams, pillars, accounts) are English here:
    # they are the user's data, not planc's UI, so they are taken out before the scan
    theirs = sorted(_user_words(plan, data), key=len, reverse=True)
    labels = english_labels()
    for page in sorted(out.rglob("*.html")):
        # no diagnostic falls back to English (marked lang="en") on a Chinese page
        assert 'lang="en"' not in page.read_text(encoding="utf-8"), page.relative_to(out)
        shown = visible_text(page)
        for words in theirs:
            shown = shown.replace(words, " ")
        found = sorted(label for label in labels if re.search(rf"\b{re.escape(label)}\b", shown))
        assert not found, f"{page.relative_to(out)}: {found}"


def _user_words(plan: Path, export: Path) -> set[str]:
    """Every text value the plan's YAML holds, and the export's account and product names."""
    words: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str) and re.search(r"[A-Za-z]", value):
            words.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in plan.rglob("*.yaml"):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    with export.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            words.update(v for k, v in row.items() if k in {"account", "product"} and v)
    return words


def test_every_message_is_written_as_a_literal() -> None:
    """Babel extracts only literal msgids: a message chosen through a variable would never
    reach a catalog, so every ``Message(...)``, ``w._(...)`` and ``w.n_(...)`` starts with one."""
    call = re.compile(r"""(?:\bMessage|\bw\._|\bw\.n_|\bw\.p_)\(\s*(?=\S)(?!["'])(?!\))""")
    for module in MESSAGE_SOURCES:
        text = (REPO / "src" / "planc" / module).read_text(encoding="utf-8")
        for match in call.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            raise AssertionError(f"{module}:{line}: a message that is not a literal")


# what a user writes, shown as written: `code`, YAML keys (``reps:``), settings, file paths
_YAML_WORDS = re.compile(r"`[^`]*`|\b[a-z_]+(?:\.[a-z_]+)*:|\b[a-z]+(?:[._][a-z]+)+\b|\S*/\S*")


def _messages_in(text: object) -> list[Message]:
    """A message and every message among its arguments (the templates a reader sees)."""
    if not isinstance(text, Message):
        return []
    found = [text]
    for value in text.args.values():
        items = value if isinstance(value, Items) else (value,)
        for item in items:
            found += _messages_in(item)
    return found


def _without_foreign(text: Message) -> Message:
    """The message with what planc does not write itself (a library's English) left out."""

    def kept(value: object) -> object:
        if isinstance(value, Message):
            return _without_foreign(value)
        if isinstance(value, Items):
            return Items((item for item in value if not isinstance(item, Foreign)), value.partial)
        return "" if isinstance(value, Foreign) else value

    return Message(text.template, **{name: kept(value) for name, value in text.args.items()})


# the loader's, the folder's and the schema's and model's codes: a head plan that does not
# compile shows them in the PR comment
_FRONT_CODES = {r.code for r in (*loader.RULES, *pipeline.RULES, *schema.RULES)}


def test_every_check_speaks_the_plans_language(tmp_path: Path) -> None:
    """Every check's message and hint, and the loader's, schema's and model's, as each failing
    case of tests/cases reports it, is a Message whose templates (nested ones too) the Chinese
    catalog translates, and rendered for a Chinese page it holds no English label: the site and
    the PR comment show it in Chinese. A hint the schema's description gives is a Phrase the
    catalog translates whole; only a library's own detail inside a message (PyYAML's problem)
    and a bare YAML word are Foreign: shown as they are."""
    from test_cases import FIXTURE, all_cases, apply_edit

    codes = {check.rule.code for check in CHECKS} | _FRONT_CODES
    with catalog_path("zh-CN").open("rb") as handle:
        zh_catalog = read_po(handle, locale="zh_CN")
    words = Words(get_locale("zh-CN", "CNY"))
    labels = english_labels()
    seen: set[str] = set()
    described: set[str] = set()
    problems: list[str] = []
    for number, case in enumerate(all_cases()):
        if case.kind != "fail" or case.command != "check" or case.code not in codes or case.args:
            continue
        plan = tmp_path / f"{number}" / "plan"
        shutil.copytree(FIXTURE, plan)
        for edit in case.edits:
            apply_edit(plan, edit)
        for d in check_directory(plan, store=None).diagnostics:
            if d.code not in codes:
                continue
            seen.add(d.code)
            for text in (d.message, d.hint):
                if text is None or (
                    text is d.hint and isinstance(text, Foreign) and " " not in text
                ):
                    continue  # a bare word the schema's description gives: the YAML's own
                if isinstance(text, Phrase):  # a description of the schema, translated whole
                    assert text is d.hint, f"{case.id}: {d.code} message {text!r} is a Phrase"
                    entry = zh_catalog.get(str(text))
                    assert entry is not None and entry.string, (case.id, str(text))
                    shown = _YAML_WORDS.sub(" ", words.render(text))
                    described.add(str(text))
                else:
                    assert isinstance(text, Message), f"{case.id}: {d.code} {text!r} is plain text"
                    for message in _messages_in(text):
                        entry = zh_catalog.get(message.template)
                        assert entry is not None and entry.string, (case.id, message.template)
                    shown = _YAML_WORDS.sub(" ", words.render(_without_foreign(text)))
                english = sorted(
                    label for label in labels if re.search(rf"\b{re.escape(label)}\b", shown)
                )
                if english:
                    problems.append(f"{case.id}: {shown!r} keeps {english}")
    assert not problems, "\n".join(problems)
    # PLC304 has no failing check case; PLC010/PLC011 (size bound, unreadable) only with args
    assert seen >= codes - {"PLC304", "PLC010", "PLC011"}, sorted(codes - seen)
    assert described, "no case shows a schema description as its hint"


@pytest.mark.parametrize("code", EARLY_WARNINGS)
def test_every_early_warning_speaks_the_plans_language(tmp_path: Path, code: str) -> None:
    """planc track's early warnings, as each failing case of tests/cases reports them, are
    Messages (hint too) whose templates the Chinese catalog translates, shown with no English
    label: the site lists them on a Chinese page. PLC766's was an f-string, English there."""
    from test_cases import FIXTURE, PLAN, all_cases, apply_edit

    with catalog_path("zh-CN").open("rb") as handle:
        zh_catalog = read_po(handle, locale="zh_CN")
    words = Words(get_locale("zh-CN", "CNY"))
    labels = english_labels()
    cases = [c for c in all_cases() if c.kind == "fail" and c.code == code]
    assert cases and all(c.command == "track" for c in cases)
    shown_any = False
    for number, case in enumerate(cases):
        plan = tmp_path / f"{number}" / PLAN
        shutil.copytree(FIXTURE, plan)
        for edit in case.edits:
            apply_edit(plan, edit)
        options = dict(zip(case.args[::2], case.args[1::2], strict=True))
        actuals = plan.parent / options["--actuals"]
        as_of = date.fromisoformat(options["--as-of"])
        for d in run_track(plan, actuals, as_of).diagnostics:
            if d.code != code:
                continue
            shown_any = True
            for text in (d.message, d.hint):
                assert isinstance(text, Message), f"{case.id}: {text!r} is plain text"
                for message in _messages_in(text):
                    entry = zh_catalog.get(message.template)
                    assert entry is not None and entry.string, (case.id, message.template)
                shown = _YAML_WORDS.sub(" ", words.render(text))
                found = sorted(
                    label for label in labels if re.search(rf"\b{re.escape(label)}\b", shown)
                )
                assert not found, f"{case.id}: {shown!r} keeps {found}"
    assert shown_any, f"no case reports {code}"


def test_text_read_back_from_the_cache_is_translated_but_names_never_are() -> None:
    """A file's diagnostic comes back from the on-disk cache as plain text: a message without
    arguments is still found in the catalog. An argument is the user's words (a role, a name)
    and is never looked up, even where it spells a msgid; a Named shows its name."""
    zh = Words(get_locale("zh-CN", "CNY"))
    text = "file does not start with the yaml-language-server schema modeline"
    assert zh.render(text) != text and "schema" in zh.render(text)
    assert zh.render("a sentence no catalog has") == "a sentence no catalog has"
    made = Message("{role} `{id}` is not a known person", role="manager", id="x")
    assert "manager" in zh.render(made) and "直属上级" not in zh.render(made)
    named = Message(
        "have {person} approve it and add them to approved_by", person=Named("z", "周敏")
    )
    assert str(named) == "have z approve it and add them to approved_by"
    assert zh.render(named).startswith("请周敏批准")
    assert Words(get_locale("en", "USD")).render(named).startswith("have 周敏 approve")


def test_foreign_text_is_shown_as_it_is_in_a_translated_frame() -> None:
    """A library's English (PyYAML's problem) inside a message is never looked up, even where
    it spells a msgid; the frame around it is translated; both survive a pickle (the cache)."""
    zh = Words(get_locale("zh-CN", "CNY"))
    detail = Foreign("a quoted value is never closed")  # spells a msgid on purpose
    made = Message("cannot read YAML: {problem}", problem=detail)
    assert str(made) == "cannot read YAML: a quoted value is never closed"
    assert zh.render(made) == "无法读取 YAML\uff1aa quoted value is never closed"
    assert zh.render(detail) == str(detail)
    copied = pickle.loads(pickle.dumps(made))
    assert isinstance(copied.args["problem"], Foreign) and zh.render(copied) == zh.render(made)


def test_a_change_without_a_record_speaks_the_plans_language(tmp_path: Path) -> None:
    """PLC610, which planc diff adds to the checks, is a Message the catalog translates too."""
    from planc.change.coverage import coverage_diagnostics

    base, head = tmp_path / "base", tmp_path / "head"
    shutil.copytree(REPO / "tests" / "fixtures" / "mini", base)
    shutil.copytree(REPO / "tests" / "fixtures" / "mini", head)
    north = head / "regions" / "north.yaml"
    text = north.read_text(encoding="utf-8")
    old = "      value: 550000\n              stretch"
    assert text.count(old) == 1
    north.write_text(text.replace(old, old.replace("550000", "540000")), encoding="utf-8")
    before, after = check_directory(base).plan, check_directory(head).plan
    assert before is not None and after is not None
    found = coverage_diagnostics(before, after)
    assert [d.code for d in found] == ["PLC610"]
    zh = Words(get_locale("zh-CN", "CNY"))
    for text_ in (found[0].message, found[0].hint):
        assert isinstance(text_, Message)
        assert zh.render(text_) != str(text_)
    assert "550,000" in zh.render(found[0].message) and "调整记录" in zh.render(found[0].message)


def test_a_schema_description_is_translated_whole_and_survives_a_pickle() -> None:
    """A description's braces are the YAML's (``{min: 0, max: 30}``), never fields: the hint
    is the English as the schema writes it, the catalog's translation where rendered, and the
    cache (a pickle) keeps it a Phrase. A bare word (``kind: quarter``) is the YAML's own."""
    described = schema.schema_descriptions()
    braced = next(text for text in described if "{min: 0, max: 30}" in text)
    zh, en = Words(get_locale("zh-CN", "CNY")), Words(get_locale("en", "USD"))
    hint = schema._described(braced)
    assert isinstance(hint, Phrase) and str(hint) == braced and en.render(hint) == braced
    assert "{min: 0, max: 30}" in zh.render(hint) and re.search(r"[\u4e00-\u9fff]", zh.render(hint))
    copied = pickle.loads(pickle.dumps(hint))
    assert isinstance(copied, Phrase) and zh.render(copied) == zh.render(hint)
    assert "quarter" not in described and isinstance(schema._described("quarter"), Foreign)
    assert zh.render(schema._described("quarter")) == "quarter"


# --------------------------------------------------------------------------- compiled catalogs


def _read(tag: str) -> tuple[dict[str, str], dict[object, object], list[str]]:
    """A catalog as planc reads it: its labels, its translations' messages (without the
    header, which names the Babel that wrote it) and its plural forms for 0..30."""
    locales._catalog.cache_clear()
    try:
        labels, translations = locales._catalog(tag)
    finally:
        locales._catalog.cache_clear()
    messages = {k: v for k, v in translations._catalog.items() if k != ""}  # type: ignore[attr-defined]
    return dict(labels), messages, [translations.ngettext("n_rep", "n_reps", n) for n in range(31)]


def _from_the_po(tag: str) -> tuple[dict[str, str], dict[object, object], list[str]]:
    labels, mo = locales._from_po(tag, catalog_path(tag).read_bytes())
    translations = Translations(io.BytesIO(mo), domain=locales.DOMAIN)
    messages = {k: v for k, v in translations._catalog.items() if k != ""}
    return labels, messages, [translations.ngettext("n_rep", "n_reps", n) for n in range(31)]


@pytest.mark.parametrize("tag", available_locales())
def test_the_compiled_catalog_is_fresh_and_reads_as_the_po(tag: str) -> None:
    """The committed planc.json was made from the .po as it is (else `bash scripts/docs.sh`)
    and gives the same labels, messages and plural forms as reading the .po."""
    po = catalog_path(tag).read_bytes()
    compiled = locales._compiled(tag, po)
    assert compiled is not None, f"{locales.compiled_path(tag)} is stale: bash scripts/docs.sh"
    assert locales.is_fresh(tag)
    assert json.loads(locales.compile_catalog(tag))["po"] == hashlib.sha256(po).hexdigest()
    assert _read(tag) == _from_the_po(tag)
    assert compiled[0] == _from_the_po(tag)[0]


def test_rendering_reads_no_po(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the compiled catalogs fresh, a locale is made without Babel's .po reader."""

    def refused(*args: object, **kwargs: object) -> object:
        raise AssertionError("the .po was read")

    monkeypatch.setattr(locales, "_from_po", refused)
    for tag in available_locales():
        assert _read(tag)[0]


def _damaged(text: str) -> list[str]:
    value = json.loads(text)
    wrong_format = {**value, "format": locales.COMPILED_FORMAT + 1}
    not_base64 = {**value, "mo": "@@" + value["mo"]}
    not_a_mo = {**value, "mo": base64.b64encode(b"\x00" * 64).decode()}
    cut_mo = {**value, "mo": base64.b64encode(base64.b64decode(value["mo"])[:100]).decode()}
    odd_labels = {**value, "labels": {"title": 1}}
    return [
        "",
        "{not json",
        text[: len(text) // 2],
        "[]",
        json.dumps(wrong_format),
        json.dumps(not_base64),
        json.dumps(not_a_mo),
        json.dumps(cut_mo),
        json.dumps(odd_labels),
        json.dumps({**value, "mo": None}),
    ]


@pytest.mark.parametrize("tag", available_locales())
def test_a_stale_or_damaged_compiled_catalog_is_never_used(
    tag: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A compiled catalog made from other .po bytes, or one that does not read back whole,
    is passed over: the .po is read, and what it says is what the locale says."""
    shutil.copytree(CATALOGS, tmp_path / "locales")
    monkeypatch.setattr(locales, "CATALOGS", tmp_path / "locales")
    expected = _read(tag)
    assert expected == _from_the_po(tag)
    # the .po changed after the compiled form was written: a label reads as the new .po says
    po = catalog_path(tag)
    text = po.read_text(encoding="utf-8")
    changed = text.replace('msgid "list_sep"\nmsgstr "', 'msgid "list_sep"\nmsgstr "STALE ', 1)
    assert changed != text
    po.write_text(changed, encoding="utf-8")
    assert locales._compiled(tag, po.read_bytes()) is None
    stale = _read(tag)
    assert stale[0]["list_sep"].startswith("STALE ")
    assert stale == _from_the_po(tag)
    po.write_text(text, encoding="utf-8")
    # damaged in every way the reader checks: the .po decides, the catalog is the same
    compiled = locales.compiled_path(tag)
    good = compiled.read_text(encoding="utf-8")
    for bad in _damaged(good):
        compiled.write_text(bad, encoding="utf-8")
        assert _read(tag) == expected, bad[:80]
    compiled.unlink()
    assert _read(tag) == expected


class TestMessagesAsMarkdown:
    """Words.markdown: a template's own `code` spans render as inline code; every argument,
    what a user wrote, is escaped wherever it lands (a PR comment, a job summary)."""

    HOSTILE = "a`b <b>x</b> @everyone [l](http://e) | #1"

    def test_spans_of_the_template_are_code_and_the_arguments_stay_inert(self) -> None:
        zh = Words(get_locale("zh-CN", "CNY"))
        message = Message("duplicate key `{key}`", key=self.HOSTILE)
        assert (
            Words().markdown(message)
            == "duplicate key `a'b <b>x</b> @everyone [l](http://e) \\| #1`"
        )
        # one span, the template's: the argument's backtick became ', so it cannot close it
        shown = zh.markdown(message, in_table=False)
        assert shown == "键 `a'b <b>x</b> @everyone [l](http://e) | #1` 重复"
        outside = Words().markdown(Message("{name} owns it", name=self.HOSTILE))
        assert "`" not in outside.replace("\\`", "") and "<b>" not in outside
        assert "@\u200deveryone" in outside and "\\[l\\]\\(" in outside

    def test_nested_messages_items_and_an_unclosed_span(self) -> None:
        en = Words()
        inner = Message("run `planc {verb}`", verb="propose")
        outer = Message("{who}: {what}", who=Items([Named("ann", "Ann"), "b_c"]), what=inner)
        assert en.markdown(outer) == "ann, b\\_c: run `planc propose`"
        assert en.markdown(Message("an `open {x}", x="<i>")) == "an \\`open &lt;i&gt;"
        assert en.markdown(Message("`{x}` and `{y}`", x="1", y="2")) == "`1` and `2`"

    def test_text_planc_did_not_make_as_a_message_is_escaped_whole(self) -> None:
        zh = Words(get_locale("zh-CN", "CNY"))
        assert Words().markdown("plain `x` @y") == "plain \\`x\\` @\u200dy"
        assert zh.markdown(Foreign("`x`")) == "\\`x\\`"
        phrase = Phrase("A calendar date written YYYY-MM-DD, e.g. 2027-03-31.")
        assert "`2027-03-31`" in zh.markdown(phrase)  # the catalog's own span


class TestMessagesAsJson:
    """The caches keep a message as it was made, so a warm run renders it as a cold one."""

    def test_a_message_comes_back_as_it_was_made(self) -> None:
        from planc.core.diagnostics import message_from_json, message_json

        inner = Message("run `planc {verb}`", verb=Foreign("propose"))
        made = Message(
            "{a} {b} {c} {d} {e} {f}",
            a=Named("ann", "安"),
            b=Items([Named("x", "X"), "y"], partial=True),
            c=Decimal("1.50"),
            d=3,
            e=date(2027, 1, 2),
            f=inner,
        )
        back = message_from_json(json.loads(json.dumps(message_json(made))))
        assert isinstance(back, Message) and back == made and back.template == made.template
        zh = Words(get_locale("zh-CN", "CNY"))
        assert zh.markdown(back) == zh.markdown(made) and zh.render(back) == zh.render(made)
        for text in (Phrase("p"), Foreign("f"), "plain"):
            again = message_from_json(message_json(text))
            assert type(again) is type(text) and again == text

    @pytest.mark.parametrize(
        "raw",
        [
            {"m": "{a:>999999999}", "a": {"a": "x"}},  # a width: memory on demand
            {"m": "{a!r}", "a": {"a": "x"}},
            {"m": "{a}", "a": {}},
            {"m": "{0}", "a": {}},
            {"d": "NaN"},
            {"d": "lots"},
            {"n": ["a"]},
            {"i": [{"d": "1"}], "partial": False},
            {"x": "y"},
            [1],
            None,
        ],
    )
    def test_anything_else_is_refused(self, raw: object) -> None:
        from planc.core.diagnostics import message_from_json

        with pytest.raises((ValueError, KeyError, IndexError)):
            message_from_json(raw)
