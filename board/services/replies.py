"""Reply templates: a unit's canned answers with {unit} {officer} {incident} placeholders.

The officer inserts one with a tap and edits it before sending; placeholders are filled in on
the server for that officer and thread, so the text in the box is exactly what will be posted.
"""
from __future__ import annotations

from board import permissions, text
from board.errors import NotFound, ValidationFailed
from board.extensions import db
from board.models import ReplyTemplate, Thread, utcnow

TITLE_MAX, BODY_MAX = 40, 2000
PLACEHOLDERS = ("{unit}", "{officer}", "{incident}")


def for_user(user) -> list[ReplyTemplate]:
    """The templates of the user's unit, in order; none for citizens."""
    if not permissions.can(user, "reply_template.use"):
        return []
    return list(db.session.scalars(db.select(ReplyTemplate)
                                   .where(ReplyTemplate.unit_id == user.unit_id)
                                   .order_by(ReplyTemplate.position, ReplyTemplate.id)))


def expand(body: str, user, thread: Thread | None = None) -> str:
    values = {
        "unit": user.unit.name if getattr(user, "unit", None) else "",
        "officer": getattr(user, "real_name", None) or getattr(user, "display_name", ""),
        "incident": (thread.incident_no if thread is not None else None) or "",
    }
    text = body
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def expanded_for(user, thread: Thread) -> list[dict]:
    return [{"id": t.id, "title": t.title, "text": expand(t.body, user, thread)}
            for t in for_user(user)]


def create(user, title: str, body: str) -> ReplyTemplate:
    permissions.require(user, "reply_template.manage")
    title, body = text.clean_line(title), text.clean_body(body)
    errors = {}
    if not 1 <= len(title) <= TITLE_MAX:
        errors["title"] = f"标题需为 1–{TITLE_MAX} 个字"
    if not 1 <= len(body) <= BODY_MAX:
        errors["body"] = f"内容需为 1–{BODY_MAX} 个字"
    if errors:
        raise ValidationFailed(fields=errors)
    position = db.session.scalar(db.select(db.func.count()).select_from(ReplyTemplate)
                                 .where(ReplyTemplate.unit_id == user.unit_id)) or 0
    row = ReplyTemplate(unit_id=user.unit_id, title=title, body=body, position=position,
                        created_by_id=user.id, created_at=utcnow())
    db.session.add(row)
    db.session.commit()
    return row


def delete(user, template_id: int) -> None:
    permissions.require(user, "reply_template.manage")
    row = db.session.get(ReplyTemplate, template_id)
    if row is None or row.unit_id != user.unit_id:
        raise NotFound("模板不存在")
    db.session.delete(row)
    db.session.commit()
