"""API: following a thread (关注 / 同问) and the threads I follow, with unread marks (issue 17)."""
from __future__ import annotations

import base64
from datetime import UTC, datetime

from flask import request
from flask_login import current_user

from board.api.base import bp, require_user
from board.errors import ValidationFailed
from board.i18n import N_
from board.inputs import parse_id
from board.queries import following as followed
from board.queries import threads
from board.serializers import iso, thread_to_dict
from board.services import following


def _state(state: following.FollowState) -> dict:
    return {"following": state.following, "same_question": state.same_question,
            "same_question_count": state.same_question_count}


@bp.post("/threads/<int:thread_id>/follow")
def follow_thread(thread_id: int):
    """{"same_question": true} for 同问 (also follows); no body or false: 关注."""
    user = require_user()
    thread = threads.thread_for(current_user, thread_id)
    data = request.get_json(silent=True)
    data = data if isinstance(data, dict) else {}
    same = data.get("same_question", False)
    if not isinstance(same, bool):
        raise ValidationFailed(fields={"same_question": N_("必须是 true 或 false")})
    return _state(following.follow(user, thread, same_question=same))


@bp.delete("/threads/<int:thread_id>/follow")
def unfollow_thread(thread_id: int):
    user = require_user()
    thread = threads.thread_for(current_user, thread_id)
    return _state(following.unfollow(user, thread))


def _cursor(key: tuple) -> str:
    raw = f"{key[0].isoformat()}|{key[1]}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(raw: str) -> tuple:
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        stamp, thread_id = text.split("|")
        when, last = datetime.fromisoformat(stamp), parse_id(thread_id)
        if when.tzinfo is None or last is None:
            raise ValueError(text)
        return when.astimezone(UTC), last
    except (ValueError, UnicodeDecodeError, OverflowError):
        raise ValidationFailed("分页参数无效", fields={"before": N_("无效的分页游标")}) from None


@bp.get("/me/following")
def my_following():
    """Newest followed first; `unread`: activity since I last opened it; `?before=` pages on."""
    user = require_user()
    raw = request.args.get("before", "")
    rows, last = followed.for_user(user, _decode(raw) if raw else None)
    return {"threads": [{**thread_to_dict(r.thread, user), "unread": followed.is_unread(r),
                         "same_question": r.same_question, "followed_at": iso(r.created_at)}
                        for r in rows],
            "next_before": _cursor(last) if last else None}
