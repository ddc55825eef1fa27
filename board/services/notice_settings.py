"""Changing one's notice settings (channels, e-mail address, followed threads, quiet hours), and
the admins' "send the failed ones again"."""
from __future__ import annotations

import re

from board.errors import ValidationFailed
from board.extensions import db
from board.models import Notice, NoticeSettings, NoticeState, utcnow
from board.notices import outbox, policy
from board.queries import notice_settings

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
FLAGS = ("sms", "email", "followed")


def update(user, data: dict) -> NoticeSettings:
    """Apply the given fields (others stay); 400 with the reasons in Chinese."""
    current = notice_settings.for_user(user)
    values = {name: getattr(current, name) for name in (*notice_settings.DEFAULTS,)}
    errors: dict[str, str] = {}
    for name in FLAGS:
        if name in data:
            if not isinstance(data[name], bool):
                errors[name] = "必须是 true 或 false"
            else:
                values[name] = data[name]
    if "email_address" in data:
        raw = data["email_address"]
        address = raw.strip() if isinstance(raw, str) else None
        if raw not in (None, "") and (address is None or len(address) > 254
                                      or not EMAIL_RE.match(address)):
            errors["email_address"] = "请填写有效的电子邮箱地址"
        values["email_address"] = address or None
    for name in ("quiet_start", "quiet_end"):
        if name in data:
            clock = policy.parse_clock(data[name]) if isinstance(data[name], str) else None
            if clock is None:
                errors[name] = "时间格式为 HH:MM,例如 22:00"
            else:
                values[name] = clock.strftime("%H:%M")
    if values["email"] and not values["email_address"] and "email" not in errors:
        errors["email_address"] = "开启邮件提醒需要填写邮箱地址"
    if errors:
        raise ValidationFailed("提醒设置有误", fields=errors)
    row = db.session.get(NoticeSettings, user.id)
    if row is None:
        row = NoticeSettings(user_id=user.id)
        db.session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    db.session.commit()
    return row


def retry_failed() -> int:
    result = db.session.execute(
        db.update(Notice).where(Notice.state == NoticeState.FAILED)
        .values(state=NoticeState.PENDING, not_before=utcnow(), attempts=0, note="重新发送"),
        execution_options={"synchronize_session": False})
    db.session.commit()
    outbox.wake()
    return result.rowcount
