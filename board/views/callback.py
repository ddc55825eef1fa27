"""联系发帖人 on the thread page: a POST (audited each time) that shows the asker's phone with a
tel: link, on a page of its own that is never cached."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from board.errors import Conflict
from board.queries import threads
from board.services import callback

bp = Blueprint("callback", __name__)


@bp.post("/t/<int:thread_id>/contact-author")
@login_required
def contact_author(thread_id: int):
    thread = threads.thread_for(current_user, thread_id)
    try:
        phone = callback.reveal_author_phone(current_user, thread)
    except Conflict as exc:  # no verified phone; a refusal is the 403 page
        flash(exc.message, "error")
        return redirect(url_for("threads.show", thread_id=thread_id))
    page = render_template("threads/contact.html", thread=thread, phone=phone)
    return page, 200, {"Cache-Control": "no-store"}
