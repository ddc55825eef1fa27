"""What the index holds for a thread, read from the database (the truth), in batches.

One document per thread: its title, the question, and every reply that is not hidden (official
answers first, they are what later askers look for). Hidden and withdrawn replies are never
indexed, so their text cannot surface in a result, a snippet or a suggestion.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, noload

from board.models import Board, Post, Thread
from board.search import analyzer


@dataclass(slots=True)
class Doc:
    thread_id: int
    board: str
    kind: str
    status: str
    answered: bool
    visibility: str
    created: datetime
    title: str
    content: str  # title, question and visible replies: what the words are matched against

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything indexed, or how it is analyzed, changes; `verify` compares
        it with the index."""
        raw = "\x1f".join([analyzer.VERSION, self.board, self.kind, self.status,
                           str(int(self.answered)), self.visibility,
                           str(int(self.created.timestamp())), self.content])
        return hashlib.sha1(raw.encode("utf-8")).hexdigest()


def _doc(thread: Thread, slug: str, posts: list) -> Doc:
    """`posts`: the visible replies' rows (body, official), in order."""
    answers = [p.body for p in posts if p.official]
    others = [p.body for p in posts if not p.official]
    content = "\n".join([thread.title, thread.body, *answers, *others])
    # Withdrawn by its author (issue 18): only its tombstone is left, matched for nobody.
    hidden = getattr(thread, "hidden", False) or getattr(thread, "withdrawn_at", None)
    visibility = "hidden" if hidden else thread.visibility
    return Doc(thread_id=thread.id, board=slug, kind=thread.kind, status=thread.status,
               answered=bool(thread.has_official_reply), visibility=visibility,
               created=thread.created_at, title=thread.title, content=content)


def load(session: Session, thread_ids: Iterable[int]) -> dict[int, Doc]:
    """Documents for these threads; a missing id means the thread is gone (remove it)."""
    ids = sorted(set(thread_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Thread, Board.slug).join(Board, Board.id == Thread.board_id)
        .where(Thread.id.in_(ids)).options(noload(Thread.board), noload(Thread.author))
    ).all()
    posts: dict[int, list] = {i: [] for i in ids}
    # Only what a document holds, as plain rows: a thread of 500 replies is 500 rows of three
    # columns, not 500 ORM objects (issue 19: indexing a reply costs little more on a long thread).
    for post in session.execute(
        select(Post.thread_id, Post.body, Post.official)
        .where(Post.thread_id.in_(ids), Post.hidden.is_(False), Post.withdrawn_at.is_(None))
        .order_by(Post.id)
    ):
        posts[post.thread_id].append(post)
    return {t.id: _doc(t, slug, posts[t.id]) for t, slug in rows}


def all_ids(session: Session) -> list[int]:
    """Every thread, newest first (a rebuilt Whoosh index ranks its newest matches first)."""
    return list(session.scalars(select(Thread.id).order_by(Thread.id.desc())))


def iter_batches(session: Session, ids: list[int], size: int = 500) -> Iterator[list[Doc]]:
    """All documents, `size` threads at a time (two queries per batch, bounded memory)."""
    for i in range(0, len(ids), size):
        chunk = ids[i:i + size]
        docs = load(session, chunk)
        session.expunge_all()
        yield [docs[t] for t in chunk if t in docs]
