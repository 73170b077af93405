"""Labels and number formatting for the site and the PR comment, in the plan's locale.

A locale is a gettext catalog plus CLDR: the labels come from
``planc/locales/<tag>/LC_MESSAGES/planc.po`` (the source, edited by hand), read
through its compiled form ``planc.json`` beside it (the labels and the ``.mo``,
written by :func:`compile_catalog`, ``bash scripts/docs.sh``): Babel's .po reader
costs ~0.03 s per catalog and ~0.02 s of imports in every process that renders.
The compiled form names the SHA-256 of the .po it came from and is used only when
that matches the .po as it is; stale, missing or damaged, the .po is read as
before (tests/test_locales.py checks both give the same catalog and that the
committed files are fresh). Separators, currency symbols and
their placement, percent signs, compact units (K/M or 万/亿), month names,
date patterns and plural rules come from Babel's CLDR data. Adding a locale is
adding a catalog (and the tag to the schema's ``locale`` enum).

Numbers are ``Decimal`` from end to end: Babel supplies the symbols and
patterns once per locale, and the digits are produced here in exact integer
arithmetic (rounding half-even), which is what Babel does too, about twenty
times faster; tests/test_locales.py checks the two agree.

Babel comes with the ``site`` extra: ``planc check`` never imports it.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import hashlib
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from planc.core.diagnostics import Foreign, Items, Message, Named, Phrase
from planc.core.extras import MissingExtra
from planc.core.markdown import escape, template

if TYPE_CHECKING:
    from babel.support import Translations

    from planc.core.diagnostics import Diagnostic

CATALOGS = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "planc"
# How Babel extracts the messages written through :class:`Words` (``w._``, ``w.n_``, ``w.p_``)
# and diagnostics' messages made as data (``Message("...")``, core.diagnostics)
KEYWORDS: dict[str, Any] = {"_": None, "n_": (1, 2), "p_": ((1, "c"), 2), "Message": None}
# The modules that write such messages: every one of them is in every catalog
MESSAGE_SOURCES = (
    "change/coverage.py",
    "change/impact_report.py",
    "change/proposal.py",
    "core/frontend.py",
    "core/gitsource.py",
    "core/loader.py",
    "core/model.py",
    "core/pipeline.py",
    "core/schema.py",
    "checks/adjustments.py",
    "checks/approvals.py",
    "checks/base.py",
    "checks/bottomup.py",
    "checks/levels.py",
    "checks/mapping.py",
    "checks/people.py",
    "checks/refs.py",
    "checks/resources.py",
    "checks/seasonality.py",
    "checks/segments.py",
    "checks/smart.py",
    "checks/totals.py",
    "track/tracking.py",
)

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
class Cldr:
    """What a locale writes, from Babel's CLDR data, read once per locale and currency."""

    group: str
    decimal: str
    percent_prefix: str
    percent_suffix: str
    currency_prefix: str  # the symbol where the pattern puts it, with any spacing
    currency_suffix: str
    symbol: str | None  # None: CLDR has no symbol for this currency here (the code is shown)
    compact: tuple[tuple[int, str], ...]  # (divisor, word), largest first: 10**8 → 亿
    months: tuple[str, ...]  # abbreviated month names, January first
    plain: bool  # the separators are "," and ".", as Python writes them


@dataclass(frozen=True, slots=True)
class Locale:
    """One locale: ``t`` holds the labels; methods format Decimals, dates and months."""

    tag: str
    currency: str
    t: Mapping[str, str]
    cldr: Cldr
    translations: Translations

    @property
    def symbol(self) -> str | None:
        return self.cldr.symbol

    @property
    def html_lang(self) -> str:
        return self.tag

    def _digits(self, text: str) -> str:
        """Python's ``1,234.5`` in this locale's separators."""
        if self.cldr.plain:
            return text
        return text.translate({44: self.cldr.group, 46: self.cldr.decimal})

    def number(self, value: Decimal, places: int | None = None) -> str:
        """Grouped digits: ``2,910,000``; ``places`` rounds half-even first."""
        if places is None:
            whole = int(value)
            if whole == value:  # the common case, and exact: int() of a Decimal truncates
                return self._digits(f"{whole:,}")
            return self._digits(f"{value:,f}")
        return self._digits(f"{_quantize(value, places):,f}")

    def money(self, value: Decimal) -> str:
        """``$2,910,000`` / ``¥2,910,000``: CLDR's symbol and placement, the exact digits."""
        if value < 0:
            return "-" + self.money(-value)
        whole = int(value)
        digits = self._digits(f"{whole:,}" if whole == value else f"{value:,f}")
        return f"{self.cldr.currency_prefix}{digits}{self.cldr.currency_suffix}"

    def share(self, part: Decimal, whole: Decimal) -> str:
        """``part`` as a percentage of ``whole``, one decimal: ``33.3%``; ``—`` of nothing."""
        if whole <= 0 or part < 0:
            ratio = percent_of(part, whole)
            return "—" if ratio is None else self.percent(ratio)
        p, w = int(part), int(whole)
        if p == part and w == whole:  # exact integers: the common case, and the fast one
            digits = self._digits(_fixed(_round_half_even(p * 1000, w), 1))
            return f"{self.cldr.percent_prefix}{digits}{self.cldr.percent_suffix}"
        return self.percent(part * _HUNDRED / whole)

    def percent(self, value: Decimal, places: int = 1) -> str:
        """A percentage already in percent units: ``Decimal("12.345")`` → ``12.3%``."""
        return f"{self.cldr.percent_prefix}{self.number(value, places)}{self.cldr.percent_suffix}"

    def exact_percent(self, value: Decimal, places: int = 1) -> str:
        """A percentage with as many decimals as it takes to tell it from its neighbours.

        ``5.02`` stays ``5.02%`` (not ``5.0%``) so that it never reads as equal to
        a boundary it is above; at most four decimals, then the rounded value.
        """
        for extra in range(places, places + 4):
            if _quantize(value, extra) == value:
                return self.percent(value, extra)
        return self.percent(value, places + 3)

    def signed_percent(self, value: Decimal, places: int = 1) -> str:
        if _quantize(value, places).is_zero():
            return self.percent(value.copy_abs(), places)
        text = self.percent(value.copy_abs(), places)
        return f"{MINUS if value < 0 else '+'}{text}"

    def signed_value(self, value: Decimal, unit: str, places: int = 1) -> str:
        """A difference in a metric's own unit: ``+0.4`` for a score, ``+7.0 pp`` for a share.

        A difference that rounds to zero has no sign: ``0.0``, never ``+0.0``.
        """
        text = self.number(value.copy_abs(), places)
        zero = _quantize(value, places).is_zero()
        sign = "" if zero else (MINUS if value < 0 else "+")
        if unit == "percent":
            return f"{sign}{text}{self.t['pp']}"
        if unit == "currency":
            return f"{sign}{self.money(value.copy_abs())}"
        return f"{sign}{text}"

    def compact(self, value: Decimal) -> str:
        """A short form for chart labels: ``2.91M`` in English, ``291万`` in Chinese."""
        if value < 0:
            return "-" + self.compact(-value)
        whole = int(value)
        if whole == value:  # exact integer arithmetic, the same rounding as below
            for size, word in self.cldr.compact:
                if whole >= size:
                    places = 0 if whole >= 100 * size else (1 if whole >= 10 * size else 2)
                    rounded = _round_half_even(whole * 10**places, size)
                    return f"{self._digits(_strip_zeros(_fixed(rounded, places)))}{word}"
            return self._digits(f"{whole:,}")
        for size, word in self.cldr.compact:
            if value >= size:
                scaled = value / size
                places = 0 if scaled >= 100 else (1 if scaled >= 10 else 2)
                return f"{_strip_zeros(self.number(scaled, places))}{word}"
        return _strip_zeros(self.number(value, 2))

    def exact_compact(self, value: Decimal) -> str | None:
        """The compact form only when it is exact (``291万`` for 2,910,000), else None."""
        whole = int(value)
        if whole != value or whole < 0:
            return None
        for size, word in self.cldr.compact:
            if whole >= size:
                quotient, remainder = divmod(whole * 100, size)
                if remainder:
                    return None
                return f"{self._digits(_strip_zeros(_fixed(quotient, 2)))}{word}"
        return None

    def value(self, value: Decimal, unit: str) -> str:
        """A target value as its unit is written: money, a count, a percentage or a score."""
        if unit == "currency":
            return self.money(value)
        if unit == "percent":
            return f"{self.cldr.percent_prefix}{self.number(value)}{self.cldr.percent_suffix}"
        return self.number(value)

    def unit_label(self, unit: str, scale: tuple[Decimal, Decimal] | None = None) -> str:
        """The unit beside a metric's name; money shows none when its symbol says it."""
        if unit == "currency":
            return "" if self.cldr.symbol is not None else self.currency
        label = self.t.get(f"unit.{unit}", unit)
        if unit == "score" and scale is not None:
            low, high = (self.number(s) for s in scale)
            return f"{label} {low}{DASH}{high}"
        return label

    def date(self, day: date) -> str:
        return _date_text(self.tag, day)

    def month(self, month: int) -> str:
        return self.cldr.months[month - 1]

    def month_year(self, year: int, month: int) -> str:
        """``Jan 2027`` / ``2027年1月``: CLDR's year-and-abbreviated-month skeleton."""
        return _month_year_text(self.tag, year, month)

    def role(self, role: str) -> str:
        return self.t.get(f"role.{role}", role)

    def cause(self, cause: str) -> str:
        return self.t.get(f"cause.{cause}", cause)

    def resource(self, kind: str) -> str:
        return self.t.get(f"resource.{kind}", kind)

    def count(self, count: int, key: str) -> str:
        """``1 warning`` / ``3 warnings`` / ``3个警告``: the catalog's plural forms, CLDR's rules."""
        text = self.translations.ngettext(f"n_{key}", f"n_{key}", count)
        return text.format(count=self.number(Decimal(count)))

    def join(self, parts: list[str]) -> str:
        return self.t["list_sep"].join(parts)

    def items(self, parts: list[str], partial: bool = False) -> str:
        """Names as this locale lists them (CLDR): ``A, B, and C`` / ``A、B和C``; ``partial``
        (more follow) joins them all with the middle separator: ``A、B、C``."""
        return _list_text(self.tag, tuple(parts), partial)


# --------------------------------------------------------------------------- Babel, once


def _babel() -> Any:
    """The ``babel`` package, or the error that names the extra bringing it."""
    try:
        import babel  # noqa: PLC0415 - only render and comment pay for CLDR's data
        import babel.dates  # noqa: PLC0415
        import babel.lists  # noqa: PLC0415
        import babel.numbers  # noqa: PLC0415
        import babel.support  # noqa: PLC0415
    except ModuleNotFoundError as error:
        raise MissingExtra("the site and the PR comment", "site", "babel") from error
    return babel


def _babel_tag(tag: str) -> str:
    return tag.replace("-", "_")


def catalog_path(tag: str) -> Path:
    return CATALOGS / _babel_tag(tag) / "LC_MESSAGES" / f"{DOMAIN}.po"


def available_locales() -> tuple[str, ...]:
    """Every locale with a catalog, as the plan's ``locale`` spells it (``zh-CN``)."""
    return tuple(
        sorted(
            p.parent.parent.name.replace("_", "-")
            for p in CATALOGS.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
        )
    )


COMPILED_FORMAT = 1  # what compile_catalog writes; another number: the .po is read


def compiled_path(tag: str) -> Path:
    return CATALOGS / _babel_tag(tag) / "LC_MESSAGES" / f"{DOMAIN}.json"


def compile_catalog(tag: str) -> str:
    """The compiled form of ``tag``'s catalog (the text of :func:`compiled_path`): its
    labels, its ``.mo`` (base64) and the SHA-256 of the ``.po`` bytes it was made from."""
    po = catalog_path(tag).read_bytes()
    labels, mo = _from_po(tag, po)
    value = {
        "format": COMPILED_FORMAT,
        "po": hashlib.sha256(po).hexdigest(),
        "labels": labels,
        "mo": base64.b64encode(mo).decode("ascii"),
    }
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def is_fresh(tag: str) -> bool:
    """Whether ``tag``'s compiled catalog was made from its .po as it is now."""
    return _compiled(tag, catalog_path(tag).read_bytes()) is not None


def _from_po(tag: str, po: bytes) -> tuple[dict[str, str], bytes]:
    """The labels (singular messages) and the ``.mo`` of a catalog, read from its .po."""
    _babel()
    from babel.messages import mofile, pofile  # noqa: PLC0415 - only where no fresh compiled form is

    catalog = pofile.read_po(io.BytesIO(po), locale=_babel_tag(tag), domain=DOMAIN)
    labels = {  # keyed labels; a message with a context is a word of a message, never a label
        message.id: message.string
        for message in catalog
        if message.id
        and message.context is None
        and isinstance(message.id, str)
        and isinstance(message.string, str)
    }
    compiled = io.BytesIO()
    mofile.write_mo(compiled, catalog)
    return labels, compiled.getvalue()


def _compiled(tag: str, po: bytes) -> tuple[dict[str, str], bytes] | None:
    """The compiled catalog's labels and ``.mo`` when it was made from exactly these .po
    bytes and holds what :func:`compile_catalog` writes; None otherwise (read the .po)."""
    try:
        value = json.loads(compiled_path(tag).read_bytes())
    except (OSError, ValueError):  # missing, unreadable, not JSON (UnicodeDecodeError too)
        return None
    if (
        not isinstance(value, dict)
        or value.get("format") != COMPILED_FORMAT
        or value.get("po") != hashlib.sha256(po).hexdigest()
    ):
        return None
    labels, mo = value.get("labels"), value.get("mo")
    if not isinstance(mo, str) or not isinstance(labels, dict):
        return None
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
        return None
    try:
        return labels, base64.b64decode(mo.encode("ascii"), validate=True)
    except (ValueError, binascii.Error):  # not ASCII, not base64
        return None


@cache
def _catalog(tag: str) -> tuple[Mapping[str, str], Translations]:
    """The labels (singular messages) and the compiled translations of one catalog."""
    _babel()
    from babel.support import Translations  # noqa: PLC0415 - imported by _babel() above

    po = catalog_path(tag).read_bytes()
    compiled = _compiled(tag, po)
    if compiled is not None:
        labels, mo = compiled
        try:
            return MappingProxyType(labels), Translations(io.BytesIO(mo), domain=DOMAIN)
        except Exception:  # noqa: BLE001 - a damaged .mo under the right digest: read the .po
            pass
    labels, mo = _from_po(tag, po)
    return MappingProxyType(labels), Translations(io.BytesIO(mo), domain=DOMAIN)


@cache
def _cldr(tag: str, currency: str) -> Cldr:
    babel = _babel()
    data = babel.Locale.parse(_babel_tag(tag))
    symbols = data.number_symbols["latn"]
    percent = data.percent_formats[None]
    money = data.currency_formats["standard"]
    symbol = babel.numbers.get_currency_symbol(currency, locale=data)
    known = symbol != currency
    shown = symbol if known else currency
    spacer = "" if known else "\u00a0"  # a code needs a space, a symbol does not
    prefix = money.prefix[0].replace("¤", shown + spacer) if "¤" in money.prefix[0] else ""
    suffix = money.suffix[0].replace("¤", spacer + shown) if "¤" in money.suffix[0] else ""
    return Cldr(
        group=symbols["group"],
        decimal=symbols["decimal"],
        percent_prefix=percent.prefix[0].replace("%", symbols["percentSign"]),
        percent_suffix=percent.suffix[0].replace("%", symbols["percentSign"]),
        currency_prefix=prefix,
        currency_suffix=suffix,
        symbol=symbol if known else None,
        compact=_compact_units(data),
        months=tuple(data.months["format"]["abbreviated"][m] for m in range(1, 13)),
        plain=(symbols["group"], symbols["decimal"]) == (",", "."),
    )


def _compact_units(data: Any) -> tuple[tuple[int, str], ...]:
    """CLDR's short compact patterns as (divisor, word): ``0万`` at 10000 → (10000, "万")."""
    units: dict[int, str] = {}
    for magnitude, pattern in data.compact_decimal_formats["short"]["other"].items():
        word = pattern.suffix[0].strip()
        zeros = pattern.pattern.count("0")
        if word and zeros:
            divisor = int(magnitude) // 10 ** (zeros - 1)
            units.setdefault(divisor, word)
    return tuple(sorted(units.items(), reverse=True))


@lru_cache(maxsize=4096)
def _date_text(tag: str, day: date) -> str:
    babel = _babel()
    return str(babel.dates.format_date(day, format="medium", locale=_babel_tag(tag)))


@lru_cache(maxsize=1024)
def _list_text(tag: str, parts: tuple[str, ...], partial: bool) -> str:
    babel = _babel()
    if not partial or len(parts) < 2:
        return str(babel.lists.format_list(list(parts), style="standard", locale=_babel_tag(tag)))
    middle = babel.Locale.parse(_babel_tag(tag)).list_patterns["standard"]["middle"]
    text = parts[0]
    for part in parts[1:]:
        text = middle.format(text, part)
    return str(text)


@lru_cache(maxsize=1024)
def _month_year_text(tag: str, year: int, month: int) -> str:
    babel = _babel()
    day = date(year, month, 1)
    return str(babel.dates.format_skeleton("yMMM", day, locale=_babel_tag(tag)))


def get_locale(tag: str, currency: str) -> Locale:
    """The locale a plan asks for (the schema allows only those with a catalog)."""
    if not catalog_path(tag).is_file():
        known = ", ".join(available_locales())
        raise ValueError(f"unknown locale {tag!r}; planc knows {known}")
    labels, translations = _catalog(tag)
    return Locale(tag, currency, labels, _cldr(tag, currency), translations)


def percent_of(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole`` (exact Decimal), or None when whole is zero."""
    if whole.is_zero():
        return None
    return part * _HUNDRED / whole


# --------------------------------------------------------------------------- messages


class Words:
    """Messages whose msgid is their English text, as gettext has it, and the numbers in them.

    ``Words()`` is English without a catalog and without Babel (terminal and JSON
    output, and ``planc check``); ``Words(get_locale(...))`` reads the plan's catalog
    and CLDR's symbols. Arguments are filled in after translation, so a template
    is translated whole and user text inside an argument is never read as one.
    """

    __slots__ = ("locale",)

    def __init__(self, locale: Locale | None = None) -> None:
        self.locale = locale

    @property
    def tag(self) -> str:
        return "en" if self.locale is None else self.locale.tag

    def _(self, message: str, /, **args: object) -> str:
        """``message`` (an English template, the msgid) in this locale, filled in."""
        text = message if self.locale is None else self.locale.translations.gettext(message)
        return text.format(**args) if args else text

    def p_(self, context: str, message: str, /) -> str:
        """A word that needs a context to be told from a label of the same spelling."""
        if self.locale is None:
            return message
        return str(self.locale.translations.pgettext(context, message))

    def n_(self, singular: str, plural: str, count: int, /, **args: object) -> str:
        """A message with a count: ``{count}`` is the count, grouped; CLDR's plural rules."""
        if self.locale is None:
            text = singular if count == 1 else plural
        else:
            text = self.locale.translations.ngettext(singular, plural, count)
        return text.format(count=self.number(Decimal(count)), **args)

    def number(self, value: Decimal) -> str:
        """``1,180,000``; ``4.50`` as ``4.5``: the digits a person reads."""
        normal = value.normalize()
        whole = normal == normal.to_integral_value()
        text = f"{int(normal):,}" if whole else f"{normal:,f}"
        return text if self.locale is None else self.locale._digits(text)

    def percent(self, value: Decimal, places: int = 1) -> str:
        """``5.0%``: a percentage in percent units, rounded half-even for display."""
        digits = f"{_quantize(value, places):,f}"
        if self.locale is None:
            return digits + "%"
        cldr = self.locale.cldr
        return f"{cldr.percent_prefix}{self.locale._digits(digits)}{cldr.percent_suffix}"

    def money(self, value: Decimal, currency: str) -> str:
        """``$10,000`` with CLDR's symbol; ``10,000 USD`` in English without a catalog."""
        if self.locale is None:
            return f"{self.number(value)} {currency}".rstrip()
        return self.locale.money(value)

    def cause(self, cause: str) -> str:
        """An adjustment's cause as the catalog names it (as written without a catalog)."""
        return cause if self.locale is None else self.locale.cause(cause)

    def date(self, day: date) -> str:
        return day.isoformat() if self.locale is None else self.locale.date(day)

    def month_year(self, year: int, month: int) -> str:
        if self.locale is None:
            return f"{calendar.month_abbr[month]} {year}"
        return self.locale.month_year(year, month)

    def message(self, diagnostic: Diagnostic) -> str:
        """A diagnostic's message in this locale (English as the check wrote it otherwise)."""
        return self.render(diagnostic.message)

    def hint(self, diagnostic: Diagnostic) -> str | None:
        return None if diagnostic.hint is None else self.render(diagnostic.hint)

    def translates(self, diagnostic: Diagnostic) -> bool:
        """Whether the message is shown in this locale (made as data, or found in the catalog)."""
        if self.locale is None or isinstance(diagnostic.message, Message):
            return True
        return self.render(diagnostic.message) != diagnostic.message

    def render(self, text: str) -> str:
        """A :class:`Message` again from this locale's catalog, its arguments formatted here;
        plain text as it is, unless it is a message without arguments (a file's diagnostic
        read back from the cache as text) that the catalog translates."""
        if self.locale is None or isinstance(text, Foreign):
            return str(text)
        if not isinstance(text, Message):
            return str(self.locale.translations.gettext(str(text)))
        args = {name: self._argument(value) for name, value in text.args.items()}
        return self._template(text.template).format(**args)

    def markdown(self, text: str, *, in_table: bool = True) -> str:
        """:meth:`render` as markdown: the code spans of planc's own words (a catalog's
        template: `` `planc propose` ``, a YAML key) as inline code, and everything else,
        every argument above all (what a user wrote), escaped: an argument inside a span is
        code that cannot close it, outside one it is inert text (no HTML, link, @mention).

        Text that is not a message made as data is the user's as far as planc can tell and
        is escaped whole, unless this locale's catalog translates it (then it is a message
        without arguments: planc's words), or it is a :class:`Phrase` planc wrote."""
        if isinstance(text, Message):
            fill = self._filler(text, in_table)
            return template(self._template(text.template), fill, in_table=in_table)
        if isinstance(text, Foreign):
            return escape(text)
        shown = self.render(text)
        if isinstance(text, Phrase) or shown != text:
            return template(shown, in_table=in_table)
        return escape(shown)

    def _template(self, template: str) -> str:
        return template if self.locale is None else str(self.locale.translations.gettext(template))

    def _filler(self, message: Message, in_table: bool) -> Callable[[str, bool], str]:
        def fill(name: str, markdown: bool) -> str:
            value = message.args[name]
            if markdown:
                return self._markdown_argument(value, in_table)
            return self._argument(value)

        return fill

    def _markdown_argument(self, value: object, in_table: bool) -> str:
        """An argument outside a code span: a message again as markdown, the rest escaped."""
        if isinstance(value, Message):
            return self.markdown(value, in_table=in_table)
        if isinstance(value, Items):
            parts = [self._markdown_argument(item, in_table) for item in value]
            if self.locale is None:
                return ", ".join(parts)
            return self.locale.items(parts, value.partial)
        return escape(self._argument(value))

    def _argument(self, value: object) -> str:
        if isinstance(value, Items):
            parts = [self._argument(item) for item in value]
            if self.locale is None:
                return ", ".join(parts)
            return self.locale.items(parts, value.partial)
        if isinstance(value, Named):
            return str(value) if self.locale is None else value.name
        if isinstance(value, Message):
            return self.render(value)
        if isinstance(value, str):  # a name or an id: the user's words, never looked up
            return str(value)
        if isinstance(value, Decimal):
            return self.number(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return self.number(Decimal(value))
        if isinstance(value, date):
            return self.date(value)
        return str(value)
