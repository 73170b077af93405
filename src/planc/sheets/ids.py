"""Ids from names, for ``planc import``: people, teams and regions of the roster, metrics
and products of the quota sheet, all made by one rule.

* An id is the name's slug (``Anna Snelling`` → ``anna-snelling``; a metric joins with
  ``_``), cut to its first ``SLUG_LIMIT`` characters.
* A second thing whose id would be one already made gets ``-2``, ``-3``, … (``_2`` for a
  metric), the id cut so that the whole stays within the schema's ``ID_LIMIT``
  characters (``^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$``).
* A name without latin letters gets a numbered id (``metric_1``, ``product-1``): the
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
from collections.abc import Iterable

#: The schema's ids are 64 characters at most (schema/plan.schema.json, ``id``).
ID_LIMIT = 64
#: How long an id made from a name may be: room for a ``-2`` … ``-999`` that tells two
#: names with the same first 60 characters apart (past that, the name is cut shorter).
SLUG_LIMIT = 60


def slug(text: str, limit: int | None = SLUG_LIMIT) -> str:
    """An id from a name: ASCII letters and digits joined by hyphens (may be empty), cut to
    ``limit`` characters (``None``: whole, to tell apart names that the cut makes one)."""
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
