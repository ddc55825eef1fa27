"""The notifications page: my bell entries, mark one or all read."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from board.bell_entries import group_entries, notification_to_dict
from board.inputs import parse_id
from board.queries import notifications as bell
from board.services import notifications
from board.views.helpers import safe_next

bp = Blueprint("notifications", __name__)


def unread_notifications() -> int:
    """Jinja: the bell in every page's top bar (one indexed count; registered in
    board/views/jinja.py)."""
    if not current_user.is_authenticated:
        return 0
    return bell.unread_count(current_user.id)


@bp.get("/notifications")
@login_required
def index():
    before = parse_id(request.args.get("before"))
    rows, next_before = bell.for_user(current_user, before)
    items = group_entries([dict(notification_to_dict(n), when=n.created_at) for n in rows])
    return render_template("notifications/index.html", items=items, next_before=next_before)


@bp.post("/notifications/read")
@login_required
def mark_read():
    """One (`id`) or all (`all=1`): the form works without JavaScript; live.js posts it too."""
    note_ids = [i for i in map(parse_id, request.form.getlist("id")[:100]) if i is not None]
    if request.form.get("all"):
        notifications.mark_read(current_user, everything=True)
    elif note_ids:  # one entry, or a group of alike ones (issue 17)
        notifications.mark_read(current_user, note_ids)
    return redirect(safe_next(url_for("notifications.index")))
