"""The bell entry's JSON: a ready Chinese sentence per notification kind and work reason.

Apart from board/serializers.py because it holds the wording, not just a shape: the bell page,
/api/v1/notifications and the live `notification` push all say the same sentence."""
from __future__ import annotations

from board.models import NotificationKind, ThreadStatus
from board.privacy import visible_text
from board.serializers import iso, thread_url, user_to_dict

# Police work notifications (issue 5), by reason (kept in Notification.status).
WORK_TEXT = {
    "escalated": "新转警待派:「{title}」",
    "dispatched": "「{title}」已派给您的单位处置,请尽快出警",
    "supervised": "{actor} 督办了「{title}」,请加快办理",
    "overdue": "「{title}」已超过答复时限,请督促尽快答复",
    "handling": "您督办的「{title}」正在处置",
    "resolved": "您督办的「{title}」已办结",
}

SECURITY_TEXT = ("您的账号多次输入错误密码,已暂停在新设备上登录一段时间;"
                 "您以前登录过的设备不受影响。如非本人操作,建议修改密码")


def notification_to_dict(note) -> dict:
    """A bell entry: what happened, by whom, where to go; `text` is a ready Chinese sentence."""
    actor = note.actor.display_name if note.actor else "系统"
    if note.actor and note.actor.is_official:
        actor = f"{actor}({note.actor.role_label})"
    title = note.thread.title if note.thread else ""
    if note.thread and note.user_id != note.thread.author_id:  # personal data masked (issue 6)
        title = visible_text(getattr(note, "user", None), note.thread.author_id, title)
    status_label = (ThreadStatus(note.status).label
                    if note.status in set(ThreadStatus) else None)
    text = {
        NotificationKind.OFFICIAL_REPLY: f"{actor} 回复了您的帖子「{title}」",
        NotificationKind.REPLY: f"{actor} 在「{title}」中回复了",
        NotificationKind.MENTION: f"{actor} 在「{title}」中提到了您",
        NotificationKind.STATUS_CHANGED: f"您的帖子「{title}」状态变为:{status_label}",
        NotificationKind.WORK: WORK_TEXT.get(note.status or "", "「{title}」有新进展").format(
            title=title, actor=actor),
        NotificationKind.SECURITY: SECURITY_TEXT,
    }[NotificationKind(note.kind)]
    url = thread_url(note.thread_id) if note.thread_id else None
    if url and note.post_id:
        url += f"#p{note.post_id}"
    return {
        "id": note.id,
        "kind": note.kind,
        "kind_label": note.kind_label,
        "text": text,
        "thread_id": note.thread_id,
        "thread_title": title or None,
        "post_id": note.post_id,
        "status": note.status,
        "status_label": status_label,
        "actor": user_to_dict(note.actor) if note.actor else None,
        "created_at": iso(note.created_at),
        "read": note.read_at is not None,
        "url": url,
    }
