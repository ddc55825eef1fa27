"""A resident fixes or withdraws their own thread or reply (issue 18).

When they may is board/models/editing.py, who may is board/permissions.py. Every change keeps
the version it replaces as a `Revision` (the police read them all), in the same transaction.
The stored text is the current one, so what the public reads follows by itself: masking is
applied where text leaves (board/privacy), the search job is queued by the flush
(board/search/jobs.py), the page cache's stamp moves with the write (board/web/stamp_bumps.py);
open pages are told after the commit (board/live.py).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from board import live, permissions, text, urgency
from board.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from board.extensions import db
from board.models import Post, Revision, Thread, editing, kinds, utcnow
from board.services import audit, moderation_reports, posting

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Edited:
    target: Thread | Post
    changed: bool  # False: the same words were sent again, nothing was stored
    held: bool  # the new words matched the word list: hidden until an officer approves them
    urgent: bool  # the thread now reads like an emergency (call 110 now)


def check_editable(user, thread: Thread, post: Post | None) -> None:
    """Raise the refusal the author reads: not theirs (403), or the window closed (409)."""
    target = post or thread
    if not getattr(user, "is_authenticated", False):
        raise NotAuthenticated()
    if permissions.can(user, "content.edit", target):
        return
    if permissions.owns(user, target):  # their own, but the window has closed: say why
        reason = editing.edit_closed_reason(target, thread, utcnow()) or "现在不能修改"
        raise Conflict(reason, code="edit_closed")
    raise PermissionDenied("只有作者本人可以修改自己的帖子")


def _keep_version(user, thread: Thread, post: Post | None, action: str) -> Revision:
    target = post or thread
    revision = Revision(
        thread_id=thread.id, post_id=post.id if post else None, action=action,
        title=thread.title if post is None else None, body=target.body,
        location=thread.location if post is None else None,
        written_at=target.edited_at or target.created_at, replaced_at=utcnow(),
        editor_id=user.id)
    db.session.add(revision)
    return revision


def edit(user, thread: Thread, post: Post | None, body: str, title: str | None = None,
         location: str | None = None) -> Edited:
    """Replace the words of the author's thread (title, body, place) or reply (body)."""
    # The thread's row, locked (PostgreSQL): an officer's answer being written now either lands
    # first and closes the window here, or waits for this edit (posting updates the same row).
    db.session.execute(db.select(Thread.id).where(Thread.id == thread.id).with_for_update())
    db.session.refresh(thread)
    check_editable(user, thread, post)
    target = post or thread
    body = text.clean_body(body)
    if post is None:
        title, location = text.clean_line(title), text.clean_line(location)
        errors = posting.thread_text_errors(title, body, location)
        unchanged = (title, body, location or None) == (thread.title, thread.body,
                                                        thread.location)
    else:
        errors = posting.reply_text_errors(body)
        unchanged = body == post.body
    if errors:
        raise ValidationFailed(fields=errors)
    if unchanged:
        return Edited(target, False, False, False)
    _keep_version(user, thread, post, "edit")
    now = utcnow()
    target.body, target.body_html, target.edited_at = body, text.render(body), now
    was_urgent = thread.urgent
    if post is None:
        thread.title, thread.location = title, location or None
        if kinds.policy(thread.kind).needs_answer:  # reads like an emergency now: say call 110
            thread.urgent = thread.urgent or urgency.is_urgent(title, body)
    # The word list reads the new words as it reads a new post's; something already hidden
    # (held, or hidden by an officer with their reason) stays as it is, under review.
    held = not target.hidden and moderation_reports.hold_if_needed(user, thread, post, *(
        [body] if post else [title, body, location]))
    if held and (post is not None or thread.visibility == "public"):
        moderation_reports.count_delta(thread, post, -1)
    db.session.commit()
    _announce(thread, post, gone=held and post is None)
    return Edited(target, True, held, thread.urgent and not was_urgent)


def withdraw(user, thread: Thread, post: Post | None) -> Thread | Post:
    """The author takes their thread or reply back, at any time: the public reads 「作者已撤回」
    (and a withdrawn thread leaves the lists); the police keep the original in the history."""
    target = post or thread
    if not getattr(user, "is_authenticated", False):
        raise NotAuthenticated()
    if target.withdrawn_at is not None and permissions.owns(user, target):
        raise Conflict("已经撤回过了", code="already_withdrawn")
    permissions.require(user, "content.withdraw", target)
    revision = mark_withdrawn(user, thread, post)
    if revision is None:  # 确认撤回 tapped twice at the same moment: the other tap won
        db.session.rollback()
        raise Conflict("已经撤回过了", code="already_withdrawn")
    kind = "post" if post else "thread"
    audit.record(user, f"{kind}.withdraw", kind, target.id, {"withdrawn": False},
                 {"withdrawn": True, "revision_id": revision.id})
    db.session.commit()
    _announce(thread, post)
    return target


def mark_withdrawn(user, thread: Thread, post: Post | None) -> Revision | None:
    """The withdrawal itself, in the caller's transaction: the original kept as a `Revision`,
    the counts follow, 「作者已撤回」 in its place. No permission check, audit or commit: the
    caller does them (`withdraw` above; closing an account, services/account_closure.py, with
    its one audit entry). None when it was withdrawn already (also by a concurrent request)."""
    target = post or thread
    model = type(target)
    now = utcnow()
    marked = db.session.execute(  # once, whoever asks at the same moment
        db.update(model).where(model.id == target.id, model.withdrawn_at.is_(None))
        .values(withdrawn_at=now).execution_options(synchronize_session=False))
    if marked.rowcount != 1:
        return None
    revision = _keep_version(user, thread, post, "withdraw")
    if not target.hidden:
        moderation_reports.count_delta(thread, post, -1)  # before it is marked: it counted
    target.body = editing.WITHDRAWN_BODY
    target.body_html = text.render(editing.WITHDRAWN_BODY)
    target.withdrawn_at = now
    if post is None:
        thread.title, thread.location = editing.WITHDRAWN_TITLE, None
    db.session.flush()
    return revision


def announce_withdrawn(items: list[tuple[Thread, Post | None]]) -> None:
    """After the commit of several withdrawals (closing an account): open pages are told."""
    for thread, post in items:
        _announce(thread, post)


def _announce(thread: Thread, post: Post | None, gone: bool = False) -> None:
    """Open pages show the new words (post_updated / thread_updated with the page's markup).
    After the commit: a failure here is logged and never fails the change."""
    try:
        _push(thread, post, gone)
    except Exception:
        log.exception("announcing an author's edit or withdrawal failed")


def _push(thread: Thread, post: Post | None, gone: bool) -> None:
    if post is not None:
        live.post_updated(post)
        live.thread_updated(thread, to_thread_room=False)  # lists: counts
    elif gone:  # held for review: its public readers leave, as on a hide
        live.thread_withdrawn(thread)
        live.thread_updated(thread)
    else:
        live.thread_updated(thread, content=True)
