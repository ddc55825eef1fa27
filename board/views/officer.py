"""The unit's work list (待办): its tabs 待回复, 待处置, 督办, 已超时 (board/queries/inbox.py)."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from board import permissions
from board.queries import bulletins
from board.queries import inbox as worklist

bp = Blueprint("officer", __name__)


@bp.get("/inbox")
@login_required
def inbox():
    permissions.require(current_user, "inbox.view")
    tab = worklist.parse_tab(request.args.get("tab")) or worklist.DEFAULT_TAB
    rows = worklist.threads_for(current_user, tab=tab)
    template = "officer/_worklist.html" if request.args.get("partial") else "officer/inbox.html"
    return render_template(template, tab=tab, tabs=worklist.TABS, threads=rows,
                           counts=worklist.counts_for(current_user),
                           dispatches=worklist.dispatches_of(rows),
                           boards=worklist.boards_for(current_user), unit=current_user.unit,
                           bulletin_desk=bulletins.desk_counts(current_user))  # issue 21
