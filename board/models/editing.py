"""The rule for residents fixing and withdrawing their own posts, as data (issue 18).

A resident may edit their thread (title, body, place) or reply within EDIT_WINDOW of posting,
and only until an officer answers (whichever comes first): after that the police have read and
answered what was written, and a changed question would change what the answer means. A
withdrawal may happen at any time: the text is replaced for the public by 「作者已撤回」, the
police keep reading the original in the edit history. Officers' own replies are neither edited
nor withdrawn here: an official answer stands as given (a correction is a new reply).

Who may is board/permissions.py (`content.edit`, `content.withdraw`, `content.history`); this
module says when, and why not, in words the resident reads.
"""
from __future__ import annotations

from datetime import datetime, timedelta

EDIT_WINDOW = timedelta(minutes=30)

WITHDRAWN_TITLE = "作者已撤回"
WITHDRAWN_BODY = "作者已撤回此内容。"

CLOSED_WITHDRAWN = "已撤回的内容不能再修改"
CLOSED_ANSWERED = "民警已经回复,不能再修改;需要补充或更正请在下面回复"
CLOSED_EXPIRED = "发布已超过 {minutes} 分钟,不能再修改;需要补充或更正请在下面回复"
CLOSED_LOCKED = "此帖已锁定,不能再修改"


def answered_after(thread, since: datetime) -> bool:
    """Has an officer replied to the thread at or after `since`? (Thread.last_official_reply_at
    is kept by posting.submit_reply, so this needs no query.)"""
    last = getattr(thread, "last_official_reply_at", None)
    return last is not None and last >= since


def edit_closed_reason(target, thread, now: datetime) -> str | None:
    """Why the author may no longer edit `target` (the thread itself or one of its replies),
    or None while they still may."""
    if target.withdrawn_at is not None:
        return CLOSED_WITHDRAWN
    if thread.locked:
        return CLOSED_LOCKED
    if answered_after(thread, target.created_at):
        return CLOSED_ANSWERED
    if now - target.created_at > EDIT_WINDOW:
        return CLOSED_EXPIRED.format(minutes=int(EDIT_WINDOW.total_seconds() // 60))
    return None


def edit_deadline(target) -> datetime:
    return target.created_at + EDIT_WINDOW
