"""Errors raised by services and checks, translated once per interface (HTML flash/form, JSON,
Socket.IO). They sit at the bottom of the package: permissions, queries and services all raise
them, and nothing here imports a board module."""
from __future__ import annotations


class ServiceError(Exception):
    status = 400
    code = "bad_request"
    message = "请求无效"

    def __init__(self, message: str | None = None, fields: dict[str, str] | None = None,
                 code: str | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.fields = fields or {}
        if code:
            self.code = code


class ValidationFailed(ServiceError):
    status = 400
    code = "validation_failed"
    message = "提交的内容有误,请按提示修改"


class NotAuthenticated(ServiceError):
    status = 401
    code = "not_authenticated"
    message = "请先登录"


class PermissionDenied(ServiceError):
    status = 403
    code = "forbidden"
    message = "您没有权限进行此操作"


class NotFound(ServiceError):
    status = 404
    code = "not_found"
    message = "内容不存在或已被删除"


class Conflict(ServiceError):
    status = 409
    code = "conflict"
    message = "操作与当前状态冲突"
