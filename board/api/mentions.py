"""API: @mention suggestions while typing a reply (the officers of the thread's units), cards."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from board.api.base import bp, require_user
from board.queries import officers, threads
from board.serializers import officer_card_to_dict


@bp.get("/threads/<int:thread_id>/mention-suggestions")
def mention_suggestions(thread_id: int):
    """`?q=王`: officers whose real name starts with it (at most 8); signed-in readers only."""
    require_user()
    thread = threads.thread_for(current_user, thread_id)
    people = officers.for_thread(thread, request.args.get("q", ""))
    return {"officers": [officer_card_to_dict(u) for u in people]}


@bp.get("/officers/<int:user_id>")
def officer(user_id: int):
    """An officer's public card: name, badge number, unit, role."""
    return {"officer": officer_card_to_dict(officers.public_card(user_id))}
