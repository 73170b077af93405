"""Ids from names, for ``planc import``: people, teams and regions of the roster, metrics
and products of the quota sheet, all made by one rule.

* An id is the name's slug (``Anna Snelling`` → ``anna-snelling``; a metric joins with
  ``_``), cut to its first ``SLUG_LIMIT`` characters.
* A second thing whose id would be one already made gets ``-2``, ``-3``, … (``_2`` for a
  metric), the id cut so that the whole stays within the schema's ``ID_LIMIT``
  characters (``^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$``).
* Chinese characters (Han) are spelled in pinyin, without tones, a syllable a word
  (``张伟`` → ``zhang-wei``, ``华东`` → ``hua-dong``, ``销售收入`` → ``xiao_shou_shou_ru``),
  by pypinyin (its phrase dictionary reads 重庆 as chong-qing), whatever the kind of id; a
  person's name starting with a surname of :data:`SURNAMES` reads it as a surname (``曾伟``
  → ``zeng-wei``, not ``ceng-wei``). Latin text is left as it is; ``ü`` is ``v`` (``吕`` →
  ``lv``), as pypinyin writes it.
* A name without letters that spell in latin (kana, hangul, Cyrillic) gets a numbered id (``metric_1``, ``product-1``): the
  smallest number free, in the order the names come; ids are taken by fallbacks and
  slugs alike, so a header slugged ``metric_2`` and a fallback ``metric_2`` are never one.
* :meth:`IdMaker.named` gives the same name the same id every time (a metric or a product
  named in many columns); :meth:`IdMaker.new` makes a new id at every call (two people of
  the same name are two people).

The roster's people, teams and regions share one maker; the company's id and a new owner's
are made after the roster, each among the ids of its namespace (:mod:`planc.sheets.importer`).

Everything depends only on the names and the order they are asked for: the same sheets
give the same ids.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

#: The schema's ids are 64 characters at most (schema/plan.schema.json, ``id``).
ID_LIMIT = 64
#: How long an id made from a name may be: room for a ``-2`` … ``-999`` that tells two
#: names with the same first 60 characters apart (past that, the name is cut shorter).
SLUG_LIMIT = 60


#: Han characters: the CJK unified ideographs (and extension A), the compatibility ones, and
#: the extensions B to H of the supplementary plane (kana and hangul are not Han).
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")

#: Surnames whose surname reading is not the one pypinyin gives the character alone or at
#: the start of a name (曾 ceng, 单 dan, 解 jie, 区 qu, 朴 pu, ...), and the compound surnames,
#: so that a longest match reads 单于 as chan-yu, not shan-yu. The readings are those the
#: 现代汉语词典 (Xiandai Hanyu Cidian, 7th ed.) gives the character as a surname (its "姓"
#: senses); where it gives two, the commoner (覃 qin, also tan; 乐 yue, also le).
SURNAMES: Mapping[str, tuple[str, ...]] = {
    # compound surnames (复姓)
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "长孙": ("zhang", "sun"),
    "单于": ("chan", "yu"),
    "澹台": ("tan", "tai"),
    # single-character surnames read otherwise elsewhere
    "曾": ("zeng",),
    "单": ("shan",),
    "解": ("xie",),
    "区": ("ou",),
    "朴": ("piao",),
    "覃": ("qin",),
    "乐": ("yue",),
    "仇": ("qiu",),
    "查": ("zha",),
    "盖": ("ge",),
    "缪": ("miao",),
    "翟": ("zhai",),
    "薄": ("bo",),
    "秘": ("bi",),
    "种": ("chong",),
    "繁": ("po",),
    "员": ("yun",),
    "召": ("shao",),
    "折": ("she",),
    "黑": ("he",),
    "都": ("du",),
    "句": ("gou",),
    "能": ("nai",),
    "洗": ("xian",),
    "粘": ("nian",),
    "祭": ("zhai",),
    "炅": ("gui",),
    "么": ("yao",),
}
_SURNAME_LONGEST = max(map(len, SURNAMES))


def has_han(text: str) -> bool:
    """Whether ``text`` has Chinese characters (which :func:`slug` spells in pinyin)."""
    return _HAN.search(text) is not None


def pinyin(text: str, person: bool = False) -> str:
    """``text`` with every run of Han characters spelled in pinyin, a syllable a word
    (``华东 office`` → ``hua dong office``); a ``person``'s name read with its surname's
    reading when it starts with one of :data:`SURNAMES`. Other text is left as it is.

    pypinyin is imported here, at the first Han name: its import costs ~0.25 s, which
    rosters and sheets in latin letters (and every other command) never pay."""
    if not has_han(text):
        return text
    from pypinyin import lazy_pinyin  # noqa: PLC0415  (lazy: ~0.25 s, for Han names only)

    head = ""
    if person:
        stripped = text.lstrip()
        for size in range(_SURNAME_LONGEST, 0, -1):
            reading = SURNAMES.get(stripped[:size])
            if reading is not None:
                head, text = " ".join(reading) + " ", stripped[size:]
                break
    return head + _HAN.sub(lambda run: " " + " ".join(lazy_pinyin(run.group())) + " ", text)


def slug(text: str, limit: int | None = SLUG_LIMIT, person: bool = False) -> str:
    """An id from a name: ASCII letters and digits joined by hyphens (may be empty), cut to
    ``limit`` characters (``None``: whole, to tell apart names that the cut makes one);
    Chinese spelled in pinyin (a ``person``'s surname with its surname reading)."""
    text = pinyin(text, person)
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    made = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return made if limit is None else made[:limit].strip("-")


class IdMaker:
    """Unique ids of one kind (``joiner``: ``-``, or ``_`` for metrics), in the order asked."""

    def __init__(self, joiner: str = "-", taken: Iterable[str] = ()) -> None:
        """``taken``: ids already made (of the same namespace) that new ones must not be."""
        self.joiner = joiner
        self.taken: set[str] = set(taken)
        self._known: dict[str, str] = {}  # a name's key -> its id
        self._next: dict[str, int] = {}  # a base -> the first number that may be free

    def new(self, whole: str, fallback: str) -> str:
        """A new thing's id: ``whole`` (a slug, whole or cut; empty for a name without latin
        letters) cut to SLUG_LIMIT, else ``fallback`` cut the same; told apart when taken."""
        return self._free(self._cut(whole) or self._cut(fallback))

    def named(self, whole: str, name: str, prefix: str) -> str:
        """The id of the thing named ``name``, whose whole slug is ``whole``: the same slug
        (or, for a name without latin letters, the same name, case and spaces ignored)
        always gets the same id; a name without latin letters gets ``prefix`` numbered."""
        key = whole or "\n" + " ".join(name.split()).casefold()  # no slug has a newline
        made = self._known.get(key)
        if made is None:
            made = self._free(self._cut(whole)) if whole else self._numbered(prefix)
            self._known[key] = made
        return made

    def _cut(self, whole: str) -> str:
        return whole[:SLUG_LIMIT].strip(self.joiner)

    def _free(self, base: str) -> str:
        """``base``, or the first of ``base-2``, ``base-3``, … not taken, within ID_LIMIT."""
        candidate = base
        if candidate in self.taken:
            # every number below _next[base] was taken when it was tried, and ids stay taken:
            # starting there gives the smallest free number without trying them again
            number = self._next.get(base, 2)
            while True:
                suffix = f"{self.joiner}{number}"
                candidate = base[: ID_LIMIT - len(suffix)].rstrip(self.joiner) + suffix
                number += 1
                if candidate not in self.taken:
                    break
            self._next[base] = number
        self.taken.add(candidate)
        return candidate

    def _numbered(self, prefix: str) -> str:
        """``prefix-1``, ``prefix-2``, …: the first not taken (by a fallback or a slug)."""
        key = prefix + self.joiner
        number = self._next.get(key, 1)
        while f"{key}{number}" in self.taken:
            number += 1
        self._next[key] = number + 1
        self.taken.add(f"{key}{number}")
        return f"{key}{number}"
