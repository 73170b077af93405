"""Markdown for GitHub (job summaries, PR comments) that plan text cannot hijack.

Everything a user wrote in a plan (names, notes) passes through
:func:`escape` before it reaches markdown: no HTML, no links or images, no
@mentions or #references that notify people, no bidi or control characters
that make text read differently, no table breakage.
"""

from __future__ import annotations

import re

from planc.core.safetext import BIDI_CONTROLS, CONTROLS

# Characters with a meaning in GitHub-flavoured markdown, escaped with a backslash.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
BIDI_AND_CONTROLS = re.compile(f"[{re.escape(CONTROLS + BIDI_CONTROLS)}]")
_SCHEME = re.compile(r"(?i)([a-z][a-z0-9+.-]*):(?=//)")
_WWW = re.compile(r"(?i)\b(www)(\\?\.)")
JOINER = "\u200d"


def github_length(text: str) -> int:
    """A comment's length as GitHub limits it (65,536): characters, or UTF-16 units a
    browser counts, whichever is larger."""
    return max(len(text), len(text.encode("utf-16-le")) // 2)


def clean(text: str) -> str:
    """One line of text without control or bidi characters."""
    return " ".join(BIDI_AND_CONTROLS.sub("", text).split())


def defuse_links(text: str) -> str:
    """GitHub autolinks bare ``scheme://…`` and ``www.`` text: a joiner breaks the pattern."""
    text = _SCHEME.sub(r"\1" + JOINER + ":", text)
    return _WWW.sub(lambda m: m.group(1) + JOINER + m.group(2), text)


def escape(text: str) -> str:
    """Plain text that renders as itself, on one line, inside a paragraph or a table cell."""
    text = clean(text)  # no newlines: they would end a table row or open a block
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    # `@name` notifies a person and `#12` links an issue; a joiner after the sign defuses both.
    text = text.replace("@", "@" + JOINER).replace("#", "#" + JOINER)
    return defuse_links(text)


def code(text: str, *, in_table: bool = True) -> str:
    """Inline code that cannot be closed early by backticks; pipes escaped for tables."""
    text = clean(text).replace("`", "'")
    if in_table:
        text = text.replace("|", "\\|")
    return f"`{text}`" if text else ""
