"""The audit log: who did what to which object, when, with the values before and after.

`record()` only adds the entry to the session: it is committed in the same transaction as the
change it describes, so there is never a change without its entry (or an entry without change).
The log is append-only: models/timeline.py refuses any update or delete of an entry, through
the ORM or a bulk statement. Reading it, in the words staff use, is `queries.audit_log`.

Actions are named here once, with their Chinese labels; a caller with a new kind of act adds
its key to ACTION_LABELS (and, for new before/after fields, queries/audit_log.FIELDS).
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
    "user.create": "创建账号", "user.import": "批量导入账号",
    "user.update": "修改账号资料", "user.role": "角色变更",
    "user.disable": "停用账号", "user.enable": "启用账号",  # only accounts.suspend / reinstate
    "boards.sync": "同步版块与单位配置",
    "sla.overdue": "超时提醒",
    "thread.contact_author": "查看发帖人手机号",  # issue 17: 联系发帖人
    "user.temporary_password": "发放临时密码", "user.delete": "注销账号",
    "search.synonym": "添加同义词", "search.word_add": "添加分词词语",
    "search.word_remove": "删除分词词语",
    "partner.key_issue": "签发接口密钥", "partner.key_revoke": "吊销接口密钥",
    "alert.publish": "发布预警", "alert.withdraw": "撤回预警",  # issue 21
    "agency.create": "登记协作单位", "agency.invite": "邀请协作单位",  # issue 21
    "bulletin.approve": "审核通过寻人启事", "bulletin.close": "结束启事",  # issue 21
    "bulletin.pin": "启事全站置顶",
}


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def snapshot(obj, *fields: str) -> dict:
    """The named attributes of an object as JSON-safe values, for before/after."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def changed(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields whose value differs, for an edit that touched some of many fields."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(actor, action: str, target_type: str, target_id: int | None,
           before: dict | None = None, after: dict | None = None) -> AuditEntry:
    entry = AuditEntry(actor_id=getattr(actor, "id", None), action=action,
                       target_type=target_type, target_id=target_id,
                       before=before, after=after, created_at=utcnow())
    db.session.add(entry)
    return entry
