"""Error responses for the pages and the API alike: an error page in the browser, and under
/api/ every error as {"error": {"code", "message", "fields"}} with the fitting status.

A refusal raised by a service (board/errors.py) that no handler caught ends here too."""
from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError

from board.errors import ServiceError
from board.extensions import db
from board.i18n import N_, translate

CODES = {400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 429: "rate_limited",
         500: "server_error", 503: "unavailable"}


# Errors that need nothing but a status, a title and a sentence (pages; JSON for the API).
PLAIN_PAGES = {
    403: (N_("没有权限"), N_("您没有权限访问此页面。")),
    404: (N_("页面不存在"), N_("您要找的页面不存在或已被删除。")),
    405: (N_("请求方式不对"), N_("此页面不支持这种请求方式。")),
    413: (N_("内容太大"), N_("提交的内容太大,请精简后重试。")),
    429: (N_("操作太频繁"), N_("您的操作太频繁,请稍后再试。")),
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str, fields: dict | None = None,
                   code: str | None = None):
    body = {"error": {"code": code or CODES.get(status, "error"), "message": message,
                      "fields": fields or {}}}
    return jsonify(body), status


def init_app(app: Flask) -> None:
    """Every error a request can end in, as a page or (under /api/) the API's error shape."""
    def page(status: int, title: str, message: str, code: str | None = None):
        title, message = translate(title), translate(message)  # the reader's language
        if wants_json():
            return error_response(status, message, code=code)
        return render_template("errors/error.html", status=status, title=title,
                               message=message), status

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        if wants_json():
            return error_response(exc.status, exc.message, exc.fields, exc.code)
        return render_template("errors/error.html", status=exc.status, title=_("无法完成"),
                               message=exc.message), exc.status

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return page(400, N_("页面已过期"),
                    N_("页面已过期或来源无效,请返回刷新后重试。您填写的内容请先复制保存。"),
                    code="csrf_failed")  # API: a session POST without a valid X-CSRFToken

    for status, (title, message) in PLAIN_PAGES.items():
        app.register_error_handler(
            status, lambda _exc, s=status, t=title, m=message: page(s, t, m))

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(exc):
        """The database went away mid-request (restart, failover): nothing was acknowledged, so
        say "try again" with 503 instead of a 500; the pool reconnects on the next request."""
        db.session.rollback()
        response = make_response(*page(503, N_("服务暂时繁忙"),
                                       N_("数据库正在恢复,请稍后几秒重试;您填写的内容请先复制保存。")))
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(500)
    def server_error(exc):
        db.session.rollback()
        return page(500, N_("服务器开小差了"), N_("服务器出现错误,请稍后重试;紧急情况请拨打110。"))
