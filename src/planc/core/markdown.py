"""Markdown for GitHub (job summaries, PR comments) that plan text cannot hijack.

Everything a user wrote in a plan (names, notes) passes through
:func:`escape` before it reaches markdown: no HTML, no links or images, no
@mentions or #references that notify people, no bidi or control characters
that make text read differently, no table breakage.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable

from planc.core.safetext import BIDI_CONTROLS, CONTROLS

# Characters with a meaning in GitHub-flavoured markdown, escaped with a backslash.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
BIDI_AND_CONTROLS = re.compile(f"[{re.escape(CONTROLS + BIDI_CONTROLS)}]")
_SCHEME = re.compile(r"(?i)([a-z][a-z0-9+.-]*):(?=//)")
_WWW = re.compile(r"(?i)\b(www)(\\?\.)")
JOINER = "\u200d"
# GitHub links `GH-12` to issue 12 as it does `#12`
_GH_REFERENCE = re.compile(r"(?i)\b(gh)(?=-[0-9])")
_FORMATTER = string.Formatter()


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


def defuse_mentions(text: str) -> str:
    """`@name` notifies a person, `#12` and `GH-12` link an issue (and notify its thread): a
    joiner after the sign (after ``GH``) defuses each. Before any escaping that writes a ``#``
    of its own (``&#x27;``), which must stay an entity."""
    text = text.replace("@", "@" + JOINER).replace("#", "#" + JOINER)
    return _GH_REFERENCE.sub(r"\1" + JOINER, text)


def escape(text: str) -> str:
    """Plain text that renders as itself, on one line, inside a paragraph or a table cell."""
    text = defuse_mentions(clean(text))  # no newlines: they would end a row or open a block
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _SPECIAL.sub(r"\\\1", text)
    return defuse_links(text)


def code(text: str, *, in_table: bool = True) -> str:
    """Inline code that cannot be closed early by backticks; pipes escaped for tables."""
    text = clean(text).replace("`", "'")
    if in_table:
        text = text.replace("|", "\\|")
    return f"`{text}`" if text else ""


# A field of a template filled in for markdown: its name, and whether it lands inside one of
# the template's code spans (then plain text, made code) or outside (then markdown, escaped).
Fill = Callable[[str, bool], str]


def template(text: str, fill: Fill | None = None, *, in_table: bool = True) -> str:
    """planc's own words (a catalog's template) as markdown: the template's code spans
    (`` `planc propose` ``, a YAML key) as inline code, the rest escaped.

    ``fill`` gives each ``{field}`` (None: ``text`` has no fields, and a brace in it is
    text): plain text inside a span, which :func:`code` keeps inert (a backtick in it cannot
    close the span early); markdown outside, which the caller escaped. A field is what a user
    wrote (a name, a note, a value), so only the template ever opens or closes a span. A span
    the template leaves open shows its backtick as text.
    """
    pieces = _FORMATTER.parse(text) if fill is not None else [(text, None, None, None)]
    out: list[str] = []
    prose: list[str] = []  # plain text outside a span, escaped as one run
    span: list[str] | None = None  # the open span's plain text; None outside one
    for literal, field, _spec, _conversion in pieces:
        for number, part in enumerate(literal.split("`")):
            if number:  # a backtick of the template: it opens or closes a span
                if span is None:
                    out.append(_escape_run("".join(prose)))
                    prose, span = [], []
                else:
                    out.append(code("".join(span), in_table=in_table))
                    span = None
            (prose if span is None else span).append(part)
        if field is not None and fill is not None:
            if span is not None:
                span.append(fill(field, False))
            else:
                out += [_escape_run("".join(prose)), fill(field, True)]
                prose = []
    if span is not None:  # never closed: the backtick is text, like the rest
        prose = ["`", *span, *prose]
    out.append(_escape_run("".join(prose)))
    return "".join(out)


def _escape_run(text: str) -> str:
    """:func:`escape` of a run of text between spans or fields, keeping one space at either
    edge where it had any (``CRM owner `` before a span must not touch it)."""
    inner = escape(text)
    if not inner:
        return " " if text[:1].isspace() else ""
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() else ""
    return lead + inner + trail
