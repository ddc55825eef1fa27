"""The officer inbox: unanswered threads of the boards the officer's unit answers."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from board import permissions
from board.queries.inbox import boards_for, threads_for

bp = Blueprint("officer", __name__)


@bp.get("/inbox")
@login_required
def inbox():
    permissions.require(current_user, "inbox.view")
    return render_template("officer/inbox.html", threads=threads_for(current_user),
                           boards=boards_for(current_user))
