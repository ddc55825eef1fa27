"""API: my notice settings — channels, e-mail address, followed threads, quiet hours (issue 17)."""
from __future__ import annotations

from board.api.base import bp, json_body, require_user
from board.notices.channels import CHANNELS
from board.phones import mask_phone
from board.queries import notice_settings as settings_query
from board.services import notice_settings


def settings_to_dict(user, row) -> dict:
    return {
        "sms": row.sms, "email": row.email, "email_address": row.email_address,
        "followed": row.followed, "quiet_start": row.quiet_start, "quiet_end": row.quiet_end,
        "phone": mask_phone(user.phone) if user.phone else None,
        "phone_verified": user.phone_verified_at is not None,
        "channels": {name: bool(channel.address(user, row)) for name, channel in CHANNELS.items()},
    }


@bp.get("/me/notification-settings")
def my_notice_settings():
    user = require_user()
    return settings_to_dict(user, settings_query.for_user(user))


@bp.put("/me/notification-settings")
def update_notice_settings():
    """Any of sms, email, followed (booleans), email_address, quiet_start, quiet_end ("HH:MM")."""
    user = require_user()
    return settings_to_dict(user, notice_settings.update(user, json_body()))
