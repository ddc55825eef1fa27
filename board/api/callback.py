"""联系发帖人 in the API: the police handling a thread get the asker's phone (audited)."""
from __future__ import annotations

from board.api.base import bp, require_user
from board.queries import threads
from board.services import callback


@bp.post("/threads/<int:thread_id>/contact-author")
def contact_author(thread_id: int):
    user = require_user()
    phone = callback.reveal_author_phone(user, threads.thread_for(user, thread_id))
    return {"phone": phone, "tel": f"tel:{phone}"}, 200, {"Cache-Control": "no-store"}
