"""API: my notifications (the bell) and marking them read."""
from __future__ import annotations

from flask import request

from board.api.base import bp, json_body, require_user
from board.bell_entries import group_entries, notification_to_dict
from board.errors import ValidationFailed
from board.i18n import N_
from board.inputs import parse_id, parse_ids
from board.queries import notifications as bell
from board.services import notifications


@bp.get("/me/notifications")
def my_notifications():
    """Newest first; `?before=<id>` pages on (keyset), `next_before` is the next page's cursor."""
    user = require_user()
    raw = request.args.get("before", "")
    before = parse_id(raw)
    if raw and before is None:
        raise ValidationFailed("分页参数无效", fields={"before": N_("必须是通知编号")})
    rows, next_before = bell.for_user(user, before)
    entries = [notification_to_dict(n) for n in rows]
    return {"notifications": entries,
            # Alike entries side by side as one (issue 17): "王海峰等 2 位民警回复了…(4 条)".
            "groups": group_entries([dict(e) for e in entries]),
            "unread_count": bell.unread_count(user.id), "next_before": next_before}


@bp.post("/me/notifications/read")
def mark_read():
    """{"ids": [1, 2]} marks those read, {"all": true} marks everything read."""
    user = require_user()
    data = json_body()
    ids, everything = data.get("ids"), data.get("all") is True
    if not everything and not (isinstance(ids, list) and ids):
        raise ValidationFailed("请指定要标记的通知",
                               fields={"ids": N_("需要 ids 列表或 all: true")})
    count = notifications.mark_read(user, parse_ids(ids), everything)
    return {"unread_count": count}
