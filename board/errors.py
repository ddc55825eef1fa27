"""Errors raised by services and checks, translated once per interface (HTML flash/form, JSON,
Socket.IO). They sit at the bottom of the package: permissions, queries and services all raise
them, and the only board module they import is board/i18n.py (the N_ marker), which imports none."""
from __future__ import annotations

from flask_babel import gettext

from board.i18n import N_


class ServiceError(Exception):
    status = 400
    code = "bad_request"
    message = N_("请求无效")

    def __init__(self, message: str | None = None, fields: dict[str, str] | None = None,
                 code: str | None = None) -> None:
        # In the reader's language (issue 21) when the catalog knows the words: the class's own
        # message, or a literal a raise site passed (`flask translate update` extracts both).
        message = gettext(message or self.message)
        super().__init__(message)
        self.message = message
        self.fields = {name: gettext(value) if isinstance(value, str) else value
                       for name, value in (fields or {}).items()}
        if code:
            self.code = code


class ValidationFailed(ServiceError):
    status = 400
    code = "validation_failed"
    message = N_("提交的内容有误,请按提示修改")


class NotAuthenticated(ServiceError):
    status = 401
    code = "not_authenticated"
    message = N_("请先登录")


class PermissionDenied(ServiceError):
    status = 403
    code = "forbidden"
    message = N_("您没有权限进行此操作")


class NotFound(ServiceError):
    status = 404
    code = "not_found"
    message = N_("内容不存在或已被删除")


class Conflict(ServiceError):
    status = 409
    code = "conflict"
    message = N_("操作与当前状态冲突")
