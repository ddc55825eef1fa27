"""User text: length rules, and the safe Markdown subset rendered once, at write time."""
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
    """One-line fields: trimmed, inner whitespace folded."""
    return " ".join((value or "").split())


def clean_body(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").strip()
