"""The bell entry's JSON: a ready sentence (Chinese, or English: issue 21) per notification kind
and work reason.

Apart from board/serializers.py because it holds the wording, not just a shape: the bell page,
/api/v1/notifications and the live `notification` push all say the same sentence."""
from __future__ import annotations

from flask_babel import gettext as _

from board.i18n import N_
from board.models import NotificationKind, ThreadStatus
from board.privacy import visible_text
from board.serializers import iso, thread_url, user_to_dict

# Police work notifications (issue 5), by reason (kept in Notification.status).
WORK_TEXT = {
    "escalated": N_("新转警待派:「%(title)s」"),
    "dispatched": N_("「%(title)s」已派给您的单位处置,请尽快出警"),
    "supervised": N_("%(actor)s 督办了「%(title)s」,请加快办理"),
    "overdue": N_("「%(title)s」已超过答复时限,请督促尽快答复"),
    "handling": N_("您督办的「%(title)s」正在处置"),
    "resolved": N_("您督办的「%(title)s」已办结"),
    "agency_invited": N_("%(actor)s 邀请贵单位协助处理「%(title)s」"),  # issue 21: 协作单位
    "bulletin_message": N_("「%(title)s」收到一条认领/线索私信,请跟进"),  # issue 21
}
WORK_OTHER = N_("「%(title)s」有新进展")

SECURITY_TEXT = N_("您的账号多次输入错误密码,已暂停在新设备上登录一段时间;"
                   "您以前登录过的设备不受影响。如非本人操作,建议修改密码")


def notification_to_dict(note) -> dict:
    """A bell entry: what happened, by whom, where to go; `text` is a ready Chinese sentence."""
    actor = note.actor.display_name if note.actor else _("系统")
    if note.actor and note.actor.is_official:
        actor = f"{actor}({note.actor.role_label})"
    elif note.actor and note.actor.agency_badge:  # issue 21: who the partner agency is
        actor = f"{actor}({_('协作单位')}·{note.actor.agency.name})"
    title = note.thread.title if note.thread else ""
    if note.thread and note.user_id != note.thread.author_id:  # personal data masked (issue 6)
        title = visible_text(getattr(note, "user", None), note.thread.author_id, title)
    status_label = (ThreadStatus(note.status).label
                    if note.status in set(ThreadStatus) else None)
    kind = NotificationKind(note.kind)
    # In the reader's language (issue 21); only the sentence of this entry's kind is built.
    if kind == NotificationKind.OFFICIAL_REPLY:
        text = _("%(actor)s 回复了您的帖子「%(title)s」", actor=actor, title=title)
    elif kind == NotificationKind.REPLY:
        text = _("%(actor)s 在「%(title)s」中回复了", actor=actor, title=title)
    elif kind == NotificationKind.MENTION:
        text = _("%(actor)s 在「%(title)s」中提到了您", actor=actor, title=title)
    elif kind == NotificationKind.STATUS_CHANGED:
        text = _("您的帖子「%(title)s」状态变为:%(status)s", title=title, status=status_label)
    elif kind == NotificationKind.WORK:
        text = _(WORK_TEXT.get(note.status or "", WORK_OTHER), title=title, actor=actor)
    elif kind == NotificationKind.SECURITY:
        text = _(SECURITY_TEXT)
    elif kind == NotificationKind.FOLLOWED:
        text = note.detail or _("您关注的「%(title)s」有新进展", title=title)
    elif kind == NotificationKind.ALERT:  # issue 21
        text = note.detail or _("您有一条新的预警")
    else:
        text = note.detail or _("您在「%(title)s」中的内容状态有变化", title=title)
    url = thread_url(note.thread_id) if note.thread_id else None
    if kind == NotificationKind.ALERT and getattr(note, "alert_id", None):
        url = f"/alerts/{note.alert_id}"
    if url and note.post_id:
        url += f"#p{note.post_id}"
    return {
        "id": note.id,
        "kind": note.kind,
        "kind_label": note.kind_label,
        "text": text,
        "actor_name": actor,
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
    if len(actors) == 1:
        who = actors[0]
    elif officials:
        who = _("%(name)s等 %(n)s 位民警", name=actors[0], n=len(actors))
    else:
        who = _("%(name)s等 %(n)s 位用户", name=actors[0], n=len(actors))
    if first["kind"] == NotificationKind.OFFICIAL_REPLY:
        return _("%(who)s回复了您的帖子「%(title)s」(%(n)s 条)", who=who, title=title, n=count)
    if first["kind"] == NotificationKind.REPLY:
        return _("%(who)s在「%(title)s」中回复了(%(n)s 条)", who=who, title=title, n=count)
    return _("您关注的「%(title)s」有 %(n)s 条新动态", title=title, n=count)


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
            name = actor["display_name"] if actor else _("系统")
            officials = officials and bool(actor and actor.get("real_name"))
            if name not in actors:
                actors.append(name)
        group["actors"] = actors
        group["text"] = _group_text(group, actors, officials, group["count"])
    return groups
