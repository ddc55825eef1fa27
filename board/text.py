"""User text: length rules, cleaning, and the safe Markdown subset rendered once, at write time.

Every piece of text a user sends (forms, API, command line) is cleaned here and nowhere else,
by what it is: a one-line field (`clean_line`: titles, names, reasons, search words), a body
(`clean_body`: posts, notes, templates) or a token (`clean_token`: user names, badge numbers,
query-string values), so the same input is the same text on every path.
"""
from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

TITLE_MIN, TITLE_MAX = 4, 80
BODY_MIN, BODY_MAX = 1, 5000
REPLY_MAX = 5000

# Raw HTML is off: whatever a user types as a tag is shown as text.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
_markdown.disable(["image", "heading", "lheading", "html_block", "html_inline"])
_ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre"}
_ALLOWED_ATTRS = {"a": {"href"}}


def render(text: str) -> str:
    """Markdown subset → sanitized HTML; links get rel="nofollow ugc noopener"."""
    html = _markdown.render(text)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRS,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="nofollow ugc noopener",
    )


def clean_line(value: str | None) -> str:
    """One-line fields: trimmed, inner whitespace (tabs, newlines, runs of spaces) folded."""
    return " ".join((value or "").split())


def clean_body(value: str | None) -> str:
    """Multi-line text: Windows line ends made plain, trimmed; inner layout kept for Markdown."""
    return (value or "").replace("\r\n", "\n").strip()


def clean_token(value: str | None) -> str:
    """Identifiers typed or pasted by hand: trimmed only, so a stray space does not matter but a
    space inside still fails the field's own check."""
    return (value or "").strip()
