"""联系发帖人: the police handling a thread reveal the asker's verified phone to call them back.

Each reveal is a POST and an audit entry (who, when, which thread: `thread.contact_author`),
committed before the number is shown; the number itself never goes into the log. Who may is
`permissions` ("thread.contact_author"); the asker's own page shows nothing of it.
"""
from __future__ import annotations

from board import permissions
from board.errors import Conflict
from board.extensions import db
from board.models import Thread
from board.services import audit


def reveal_author_phone(actor, thread: Thread) -> str:
    permissions.require(actor, "thread.contact_author", thread)
    author = thread.author
    if not author.phone or author.phone_verified_at is None or author.deleted_at is not None:
        raise Conflict("发帖人没有绑定已验证的手机号,请在帖子里回复联系", code="no_phone")
    audit.record(actor, "thread.contact_author", "thread", thread.id, None,
                 {"author_id": author.id})
    db.session.commit()
    return author.phone
