"""'Did you mean …?' for misspelt names, cheap even among 50,000 ids."""

from __future__ import annotations

from collections.abc import Iterable

_EXHAUSTIVE_UP_TO = 200


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The known name most like ``name``, if any is close enough."""
    pool = list(candidates)
    if len(pool) > _EXHAUSTIVE_UP_TO:
        # difflib compares against every candidate; in a big plan most ids cannot be the
        # one meant. Keep those of about the same length sharing the first or last character.
        pool = [
            c
            for c in pool
            if abs(len(c) - len(name)) <= 2 and (c[:1] == name[:1] or c[-1:] == name[-1:])
        ]
    import difflib  # noqa: PLC0415 - only for a misspelt name: start-up stays lean

    matches = difflib.get_close_matches(name, pool, n=1)
    return matches[0] if matches else None
