"""Reports, hiding and the word list, in one service: citizens report posts, officers hide or
unhide them with a reason, and the word list holds matching new posts for review. Reading the
review queue is queries/review_queue.py.

Suspending an author from the review queue is `accounts.suspend`, the same as on the admin page.

A configurable word list (MODERATION_WORDS, or a file at MODERATION_WORDLIST, one word a line)
holds a new thread or reply for review: it is saved hidden with a "待审核" reason, only its author
and the police see it, and it is announced live only when an officer approves it.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from flask import current_app

from board import live, permissions, text
from board.errors import ValidationFailed
from board.extensions import db
from board.models import (
    REPORT_REASONS,
    Board,
    NoticeKind,
    Post,
    Report,
    ReportKind,
    ReportStatus,
    Thread,
    utcnow,
)
from board.notices import outbox
from board.services import audit

DEFAULT_WORDS = ("代开发票", "刷单返利", "裸聊", "网赌", "出售枪支", "迷药", "办假证")
HELD_REASON = "内容含敏感词,待民警审核后公开"


@lru_cache(maxsize=8)
def _pattern(words: tuple[str, ...]) -> re.Pattern | None:
    words = tuple(w for w in words if w)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)),
                      re.IGNORECASE)


def word_list() -> tuple[str, ...]:
    cfg = current_app.config
    words = cfg.get("MODERATION_WORDS", DEFAULT_WORDS)
    if isinstance(words, str):
        words = [w.strip() for w in re.split(r"[,\n，]", words)]
    words = list(words)
    path = cfg.get("MODERATION_WORDLIST")
    if path and Path(path).exists():
        words += [line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines()
                  if line.strip() and not line.startswith("#")]
    return tuple(words)


def held_words(*texts: str | None) -> list[str]:
    pattern = _pattern(word_list())
    if pattern is None:
        return []
    return sorted({m.group(0) for t in texts if t for m in pattern.finditer(t)})


def hold_if_needed(author, thread: Thread, post: Post | None, *texts: str | None) -> bool:
    """Called by posting before its commit: hide a matching new thread/reply and queue it."""
    if getattr(author, "is_police", False) or not held_words(*texts):
        return False
    target = post or thread
    target.hidden, target.hidden_reason = True, HELD_REASON
    db.session.add(Report(kind=ReportKind.HELD, thread=thread, post=post, reason="held"))
    outbox.record(NoticeKind.HELD, thread, post=post, subject_id=author.id)  # issue 17
    return True


# --- reports -----------------------------------------------------------------------------


def report(user, thread: Thread, post: Post | None, reason: str,
           detail: str | None = None) -> Report:
    """A reader flags a thread or reply (举报此帖); one open report per reader and item."""
    target = post or thread
    permissions.require(user, "content.report", target)
    if reason not in REPORT_REASONS:
        raise ValidationFailed(fields={"reason": "请选择举报原因"})
    detail = text.clean_line(detail)[:300] or None
    existing = db.session.scalar(db.select(Report).where(
        Report.reporter_id == user.id, Report.thread_id == thread.id,
        Report.post_id == post.id if post else Report.post_id.is_(None),
        Report.status == ReportStatus.OPEN))
    if existing is not None:
        return existing
    item = Report(kind=ReportKind.REPORT, thread=thread, post=post, reporter_id=user.id,
                  reason=reason, detail=detail)
    db.session.add(item)
    db.session.commit()
    return item


def _resolve(thread: Thread, post: Post | None, status: str, officer) -> list[Report]:
    stmt = db.select(Report).where(Report.thread_id == thread.id,
                                   Report.status == ReportStatus.OPEN)
    stmt = stmt.where(Report.post_id == post.id if post else Report.post_id.is_(None))
    items = list(db.session.scalars(stmt))
    for item in items:
        item.status, item.resolved_by_id, item.resolved_at = status, officer.id, utcnow()
    return items


def count_delta(thread: Thread, post: Post | None, delta: int) -> None:
    """Board.thread_count and Thread.reply_count count what the public can see: public, not
    hidden threads; replies that are not hidden (issue 15, item 18); neither counts what its
    author withdrew (issue 18: the withdrawal took it off the count)."""
    if (post or thread).withdrawn_at is not None:
        return
    if post is not None:
        thread.reply_count = Thread.reply_count + delta
    elif thread.visibility == "public":
        db.session.execute(db.update(Board).where(Board.id == thread.board_id)
                           .values(thread_count=Board.thread_count + delta))


# --- hiding --------------------------------------------------------------------------------


def hide(officer, thread: Thread, post: Post | None, reason: str) -> None:
    """Hide a thread or reply from everyone but its author (who sees why) and the police."""
    target = post or thread
    permissions.require(officer, "content.hide", target)
    reason = text.clean_line(reason)
    if not 2 <= len(reason) <= 200:
        raise ValidationFailed(fields={"reason": "请填写隐藏原因(2–200 字),作者会看到"})
    was_visible = not target.hidden
    before = {"hidden": target.hidden, "hidden_reason": target.hidden_reason}
    target.hidden, target.hidden_reason = True, reason
    if was_visible:
        count_delta(thread, post, -1)
    _resolve(thread, post, ReportStatus.HIDDEN, officer)
    if was_visible or before["hidden_reason"] != reason:  # its author hears why (issue 17)
        outbox.record(NoticeKind.HIDDEN, thread, post=post, actor=officer,
                      subject_id=target.author_id, reason=reason)
    audit.record(officer, "post.hide" if post else "thread.hide", "post" if post else "thread",
                 target.id, before, {"hidden": True, "hidden_reason": reason})  # issue 5
    db.session.commit()
    if post is None:  # its public readers leave before the change is announced (issue 15)
        live.thread_withdrawn(thread)
    _changed(thread, post)


def unhide(officer, thread: Thread, post: Post | None) -> None:
    """Show it again (or approve a held post): it is announced live if it was never published."""
    target = post or thread
    permissions.require(officer, "content.hide", target)
    if not target.hidden:
        return
    resolved = _resolve(thread, post, ReportStatus.KEPT, officer)
    held = [r for r in resolved if r.kind == ReportKind.HELD]
    before = {"hidden": True, "hidden_reason": target.hidden_reason}
    target.hidden, target.hidden_reason = False, None
    count_delta(thread, post, +1)
    outbox.record(NoticeKind.RELEASED, thread, post=post, actor=officer,
                  subject_id=target.author_id)  # issue 17
    audit.record(officer, "post.unhide" if post else "thread.unhide", "post" if post else "thread",
                 target.id, before, {"hidden": False})  # issue 5
    db.session.commit()
    if held:
        _announce(thread, post)
    else:
        _changed(thread, post)


def keep(officer, item: Report) -> None:
    """Nothing wrong: close the report (a held item is approved and published instead)."""
    permissions.require(officer, "review.view")
    if item.kind == ReportKind.HELD and (item.post or item.thread).hidden:
        unhide(officer, item.thread, item.post)
        return
    item.status, item.resolved_by_id, item.resolved_at = ReportStatus.KEPT, officer.id, utcnow()
    db.session.commit()


def _changed(thread: Thread, post: Post | None) -> None:
    """Open pages learn of a hide/unhide (live decides who may see the text)."""
    try:
        if post is not None:
            live.post_updated(post)
        else:
            live.thread_updated(thread)
    except Exception:  # best effort, the change is committed
        current_app.logger.exception("announcing a moderation change failed")


def _announce(thread: Thread, post: Post | None) -> None:
    try:
        if post is None:
            live.thread_created(thread)
        else:
            live.post_created(post)
    except Exception:  # best effort, the approval is committed
        current_app.logger.exception("announcing approved content failed")
