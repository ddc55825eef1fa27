"""What a notice says, for the bell, a text message and an e-mail alike: one sentence per event
and reader (the asker, a follower, the author of a moderated post), the thread's title (masked
for anyone but its asker) and a link. SMS_SIGNATURE is added by board/sms.py."""
from __future__ import annotations

from flask import current_app

from board.models import NoticeEvent, NoticeKind, ThreadStatus
from board.notices.channels import Message
from board.privacy import visible_text
from board.serializers import thread_url

TITLE_MAX = 30  # a text message stays short: long titles are cut

STATUS_WORDS = {
    ThreadStatus.DISPATCHED: "已派警处置",
    ThreadStatus.HANDLING: "正在处置",
    ThreadStatus.RESOLVED: "已办结",
    ThreadStatus.CLOSED: "已关闭",
}


def link(thread_id: int) -> str:
    """The thread's address: BASE_URL + the path (a path alone when BASE_URL is unset)."""
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    return f"{base}{thread_url(thread_id)}"


def title_for(user, event: NoticeEvent) -> str:
    title = visible_text(user, event.thread.author_id, event.thread.title) or ""
    return title if len(title) <= TITLE_MAX else title[:TITLE_MAX - 1] + "…"


def sentence(user, event: NoticeEvent) -> str:
    """The event in one sentence, for this reader (no link)."""
    title = title_for(user, event)
    own = user.id == event.thread.author_id
    whose = "您的帖子" if own else "您关注的帖子"
    kind = NoticeKind(event.kind)
    if kind == NoticeKind.OFFICIAL_REPLY:
        actor = event.actor
        name = f"{actor.role_label}{actor.display_name}" if actor is not None else "民警"
        # 「答复」 is the thread's answer; a leader's or a helping unit's reply that is not
        # (board/answers.py, issue 18) is told as what it is, a reply.
        answered = event.post is None or event.post.formal_answer
        return f"{name}{'答复' if answered else '回复'}了{whose}「{title}」"
    if kind == NoticeKind.STATUS:
        words = STATUS_WORDS.get(event.status, "状态有更新")
        text = f"{whose}「{title}」{words}"
        return text + (f",原因:{event.reason}" if event.reason else "")
    what = "您的回复" if event.post_id else "您的帖子"
    where = f"「{title}」中{what}" if event.post_id else f"{what}「{title}」"
    if kind == NoticeKind.HIDDEN:
        return f"{where}已被隐藏,原因:{event.reason or '违反社区规范'}"
    if kind == NoticeKind.HELD:
        return f"{where}含需审核的内容,民警审核后才会公开"
    return f"{where}已恢复显示"


def message(user, event: NoticeEvent, folded: int = 0) -> Message:
    """The off-site message for one reader; `folded`: how many earlier notices it also tells."""
    text = sentence(user, event)
    if folded:
        text += f"(此帖另有 {folded} 条新动态)"
    url = link(event.thread_id)
    return Message(subject=text[:60], text=f"{text}。查看:{url}", template=event.kind,
                   params={"title": title_for(user, event), "url": url,
                           "status": event.status or "", "reason": event.reason or "",
                           "folded": folded})
