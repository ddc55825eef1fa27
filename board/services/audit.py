"""The audit log: who did what to which object, when, with the values before and after.

`record()` only adds the entry to the session: it is committed in the same transaction as the
change it describes, so there is never a change without its entry (or an entry without change).
Reading the log is `queries.audit_log.audit_entries`.
"""
from __future__ import annotations

from datetime import datetime

from board.extensions import db
from board.models import AuditEntry, utcnow

ACTION_LABELS = {
    "thread.pin": "置顶", "thread.unpin": "取消置顶",
    "thread.lock": "锁定", "thread.unlock": "解锁",
    "thread.escalate": "转指挥中心", "thread.dispatch": "派警", "thread.status": "状态变更",
    "thread.supervise": "督办", "thread.rate": "评价",
    "post.hide": "隐藏回复", "post.unhide": "恢复回复",
    "thread.hide": "隐藏帖子", "thread.unhide": "恢复帖子",
    "thread.withdraw": "作者撤回帖子", "post.withdraw": "作者撤回回复",  # issue 18
    "user.role": "角色变更",
    "user.disable": "停用账号", "user.enable": "启用账号",  # only accounts.suspend / reinstate
    "sla.overdue": "超时提醒",
    "search.synonym": "添加同义词",
    "thread.contact_author": "查看发帖人手机号",  # issue 17: 联系发帖人
    "user.temporary_password": "发放临时密码", "user.delete": "注销账号",
}


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def snapshot(obj, *fields: str) -> dict:
    """The named attributes of an object as JSON-safe values, for before/after."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record(actor, action: str, target_type: str, target_id: int | None,
           before: dict | None = None, after: dict | None = None) -> AuditEntry:
    entry = AuditEntry(actor_id=getattr(actor, "id", None), action=action,
                       target_type=target_type, target_id=target_id,
                       before=before, after=after, created_at=utcnow())
    db.session.add(entry)
    return entry

