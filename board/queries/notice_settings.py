"""Each person's notice settings, with the defaults for those who never chose (no row)."""
from __future__ import annotations

from sqlalchemy import select

from board.extensions import db
from board.models import NoticeSettings

DEFAULTS = {"sms": True, "email": False, "email_address": None, "followed": True,
            "quiet_start": "22:00", "quiet_end": "07:00"}


def default(user_id: int) -> NoticeSettings:
    """A transient row holding the defaults (never added to a session)."""
    return NoticeSettings(user_id=user_id, **DEFAULTS)


def for_users(session, user_ids: list[int]) -> dict[int, NoticeSettings]:
    found: dict[int, NoticeSettings] = {}
    for i in range(0, len(user_ids), 500):
        chunk = user_ids[i:i + 500]
        for row in session.scalars(select(NoticeSettings)
                                   .where(NoticeSettings.user_id.in_(chunk))):
            found[row.user_id] = row
    return {user_id: found.get(user_id) or default(user_id) for user_id in user_ids}


def for_user(user) -> NoticeSettings:
    return for_users(db.session, [user.id])[user.id]
