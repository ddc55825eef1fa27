"""The 110 command centre's page: its command queue, escalations to dispatch, most urgent and
oldest first."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from board import permissions
from board.queries import command_queue

bp = Blueprint("command", __name__, url_prefix="/command")


@bp.get("/")
@login_required
def queue_page():
    permissions.require(current_user, "command.view")
    q = command_queue.load(current_user)
    template = "command/_queue.html" if request.args.get("partial") else "command/queue.html"
    return render_template(template, q=q, units=command_queue.dispatch_units(),
                           can_dispatch=permissions.can(current_user, "thread.dispatch", None))
