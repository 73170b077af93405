"""Markdown for GitHub (job summaries, PR comments) that plan text cannot hijack.

Everything a user wrote in a plan (names, notes) passes through
:func:`escape` before it reaches markdown: no HTML, no links or images, no
@mentions or #references that notify people, no table breakage.
"""

from __future__ import annotations

import re

# Characters with a meaning in GitHub-flavoured markdown, escaped with a backslash.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_ZERO_WIDTH_JOINER = "\u200d"


def escape(text: str) -> str:
    """Plain text that renders as itself, on one line, inside a paragraph or a table cell."""
    text = " ".join(text.split())  # no newlines: they would end a table row or open a block
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    # `@name` notifies a person and `#12` links an issue; a joiner after the sign defuses both.
    return text.replace("@", "@" + _ZERO_WIDTH_JOINER).replace("#", "#" + _ZERO_WIDTH_JOINER)


def code(text: str) -> str:
    """Inline code that cannot be closed early by backticks in the text."""
    text = " ".join(text.split()).replace("`", "'")
    return f"`{text}`" if text else ""
