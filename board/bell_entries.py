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
    "agency_invited": "{actor} 邀请贵单位协助处理「{title}」",  # issue 21: 协作单位
    "bulletin_message": "「{title}」收到一条认领/线索私信,请跟进",  # issue 21
}

SECURITY_TEXT = ("您的账号多次输入错误密码,已暂停在新设备上登录一段时间;"
                 "您以前登录过的设备不受影响。如非本人操作,建议修改密码")


def notification_to_dict(note) -> dict:
    """A bell entry: what happened, by whom, where to go; `text` is a ready Chinese sentence."""
    actor = note.actor.display_name if note.actor else "系统"
    if note.actor and note.actor.is_official:
        actor = f"{actor}({note.actor.role_label})"
    elif note.actor and note.actor.agency_badge:  # issue 21: who the partner agency is
        actor = f"{actor}({note.actor.agency_badge})"
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
        NotificationKind.FOLLOWED: note.detail or f"您关注的「{title}」有新进展",
        NotificationKind.MODERATION: note.detail or f"您在「{title}」中的内容状态有变化",
        NotificationKind.ALERT: note.detail or "您有一条新的预警",  # issue 21
    }[NotificationKind(note.kind)]
    url = thread_url(note.thread_id) if note.thread_id else None
    if note.kind == NotificationKind.ALERT and getattr(note, "alert_id", None):
        url = f"/alerts/{note.alert_id}"
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


# --- grouping alike entries (issue 17) ---------------------------------------------------------

GROUPED_KINDS = frozenset({NotificationKind.OFFICIAL_REPLY, NotificationKind.REPLY,
                           NotificationKind.FOLLOWED})


def _group_text(first: dict, actors: list[str], officials: bool, count: int) -> str:
    title = first["thread_title"] or ""
    people = "民警" if officials else "用户"
    who = actors[0] if len(actors) == 1 else f"{actors[0]}等 {len(actors)} 位{people}"
    if first["kind"] == NotificationKind.OFFICIAL_REPLY:
        return f"{who}回复了您的帖子「{title}」({count} 条)"
    if first["kind"] == NotificationKind.REPLY:
        return f"{who}在「{title}」中回复了({count} 条)"
    return f"您关注的「{title}」有 {count} 条新动态"


def group_entries(entries: list[dict]) -> list[dict]:
    """Alike bell entries next to each other (same kind, same thread, all read or all unread)
    become one: 「王海峰等 2 位民警回复了您的帖子「…」(4 条)」. Each group keeps the newest
    entry's fields, its `ids` (to mark them read together) and `count`; a single entry is itself
    with `ids` [id] and `count` 1. `entries` are newest first, as the bell lists them."""
    groups: list[dict] = []
    for entry in entries:
        last = groups[-1] if groups else None
        if (last is not None and entry["kind"] in GROUPED_KINDS
                and entry["kind"] == last["kind"] and entry["thread_id"] == last["thread_id"]
                and entry["read"] == last["read"]):
            last["ids"].append(entry["id"])
            last["count"] += 1
            last["_entries"].append(entry)
            continue
        groups.append({**entry, "ids": [entry["id"]], "count": 1, "_entries": [entry]})
    for group in groups:
        members = group.pop("_entries")
        if group["count"] == 1:
            continue
        actors: list[str] = []
        officials = True
        for member in members:
            actor = member["actor"]
            name = actor["display_name"] if actor else "系统"
            officials = officials and bool(actor and actor.get("real_name"))
            if name not in actors:
                actors.append(name)
        group["actors"] = actors
        group["text"] = _group_text(group, actors, officials, group["count"])
    return groups
