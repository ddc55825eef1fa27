"""Server-rendered HTML fragments pushed live: list rows and replies from the pages' own macros.

Kept apart from board/serializers.py (the JSON shapes) because these render templates and query
photos: a pushed row or reply must be the very markup a reload would show."""
from __future__ import annotations

from contextlib import nullcontext

from flask import current_app, get_template_attribute, has_request_context

from board import i18n, lists
from board.extensions import db
from board.models import Attachment, Post, Thread
from board.serializers import post_to_dict


def _rendered(template: str, macro: str, *args, language: str | None = None, **kwargs) -> str:
    """A page macro's HTML (autoescaped: rows, replies), with relative links as the page has them:
    rendered in a bare request context when published from outside one (the CLI, the SLA
    checks). `language` (zh, en): for readers of that language, whoever's request publishes it;
    None: the current request's language (catch-up answers its own reader)."""
    row = get_template_attribute(template, macro)
    if has_request_context():
        with _speaking(language):
            return str(row(*args, **kwargs))
    with current_app.test_request_context(), _speaking(language):
        return str(row(*args, **kwargs))


def _speaking(language: str | None):
    return i18n.in_language(language) if language else nullcontext()


def in_languages(render) -> dict:
    """A public push's markup for both audiences (issue 21): `html` in Chinese, as every client
    has always read it, and `html_en` for pages shown in English (static/js/live.js picks)."""
    return {"html": render("zh"), "html_en": render("en")}


def public_rows(thread: Thread, language: str | None = None) -> dict:
    """The thread's row for the board page and for home, as any reader sees it: the same macro
    the pages render, so a pushed row cannot differ from a reloaded one. Public rooms only."""
    return {"board": _rendered("_macros.html", "thread_row", thread, listing="board",
                               anyone=True, language=language),
            "home": _rendered("_macros.html", "thread_row", thread, show_board=True,
                              listing="home", anyone=True, language=language)}


def inbox_rows(thread: Thread, language: str | None = None) -> dict:
    """The thread's officer-inbox row, or None when it no longer belongs there (the inbox
    query's rule). Police-only markup: unit rooms only."""
    row = (_rendered("officer/_inbox_row.html", "inbox_row", thread, language=language)
           if lists.in_inbox(thread) else None)
    return {"inbox": row}


def thread_content(thread: Thread, language: str | None = None) -> str:
    """The thread's title, author line and body as any reader of the page sees them (masked),
    for its open pages after an edit or a withdrawal (templates/threads/_thread_content.html)."""
    return _rendered("threads/_thread_content.html", "thread_content", thread,
                     language=language)


def _photos_by_post(posts: list[Post]) -> dict[int, list[Attachment]]:
    """The replies' photos in one query, read fresh (a push may follow an upload in the same
    request, after the page's per-request photo lookup was cached)."""
    grouped: dict[int, list[Attachment]] = {post.id: [] for post in posts}
    if grouped:
        rows = db.session.scalars(db.select(Attachment).where(Attachment.post_id.in_(grouped))
                                  .order_by(Attachment.id))
        for att in rows:
            grouped[att.post_id].append(att)
    return grouped


def posts_html(posts: list[Post], viewer=None, original: bool = False,
               new: bool = False, language: str | None = None) -> list[str]:
    """Each reply's <li> from the thread page's own macro (templates/threads/_post.html), so a
    pushed reply cannot differ from a reloaded one. `viewer` None: as any reader of the thread
    sees it, masked (`original`: unmasked, for the police and the author only); a user: exactly
    their page, actions included (catch-up answers one client). `new`: replies just written,
    announced before any photo is attached (attachments.attach pushes post_updated after), so
    the reply path skips the photo query."""
    photos = {post.id: [] for post in posts} if new else _photos_by_post(posts)
    return [_rendered("threads/_post.html", "post_item", post, viewer, original, photos[post.id],
                      language=language)
            for post in posts]


def post_html(post: Post, viewer=None, original: bool = False, new: bool = False,
              language: str | None = None) -> str:
    return posts_html([post], viewer, original, new, language)[0]


def posts_with_html(posts: list[Post], viewer) -> list[dict]:
    """catch_up's posts: the JSON of each, with `html` rendered for this one viewer."""
    return [{**post_to_dict(post, viewer), "html": html}
            for post, html in zip(posts, posts_html(posts, viewer), strict=True)]
