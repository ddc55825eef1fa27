"""HTML blueprints: thin handlers that load, check the form, call one service, render."""
from __future__ import annotations

from flask import Flask, flash, make_response, render_template, request
from sqlalchemy.exc import InterfaceError, OperationalError

from board.services import ServiceError
from board.web import guard
from board.web.redirects import same_site_path


def register_views(app: Flask) -> None:
    """Every page blueprint, then the error pages. First of all, before any route is added
    here or by the API after this: `<int:...>` takes ASCII digits of a 32-bit id only."""
    guard.strict_ids(app)
    from board.views import admin, auth, main, officer, threads

    for module in (main, auth, threads, officer, admin):
        app.register_blueprint(module.bp)
    from board.views import notifications

    app.register_blueprint(notifications.bp)
    from board.views import review

    app.register_blueprint(review.bp)
    from board.views import command, leader, thread_actions

    for module in (thread_actions, command, leader):  # issue 5: escalation and supervision
        app.register_blueprint(module.bp)
    from board.views import search  # issue 4: the search page

    app.register_blueprint(search.bp)
    from board.views import photos  # issue 6: evidence photos, only for readers of the thread

    app.register_blueprint(photos.bp)
    register_error_pages(app)


def apply_service_error(form, exc: ServiceError) -> None:
    """Show a service's refusal on the form that caused it: field messages plus a summary."""
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
    flash(exc.message, "error")


def register_error_pages(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    from board.api.errors import error_response, wants_json

    def page(status: int, title: str, message: str, code: str | None = None):
        if wants_json():
            return error_response(status, message, code=code)
        return render_template("errors/error.html", status=status, title=title,
                               message=message), status

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        if wants_json():
            return error_response(exc.status, exc.message, exc.fields, exc.code)
        return render_template("errors/error.html", status=exc.status, title="无法完成",
                               message=exc.message), exc.status

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return page(400, "页面已过期",
                    "页面已过期或来源无效,请返回刷新后重试。您填写的内容请先复制保存。",
                    code="csrf_failed")  # API: a session POST without a valid X-CSRFToken

    @app.errorhandler(404)
    def not_found(exc):
        return page(404, "页面不存在", "您要找的页面不存在或已被删除。")

    @app.errorhandler(403)
    def forbidden(exc):
        return page(403, "没有权限", "您没有权限访问此页面。")

    @app.errorhandler(405)
    def not_allowed(exc):
        return page(405, "请求方式不对", "此页面不支持这种请求方式。")

    @app.errorhandler(413)
    def too_large(exc):
        return page(413, "内容太大", "提交的内容太大,请精简后重试。")

    @app.errorhandler(429)
    def too_many(exc):
        return page(429, "操作太频繁", "您的操作太频繁,请稍后再试。")

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(exc):
        """The database went away mid-request (restart, failover): nothing was acknowledged, so
        say "try again" with 503 instead of a 500; the pool reconnects on the next request."""
        from board.extensions import db

        db.session.rollback()
        response = make_response(*page(503, "服务暂时繁忙",
                                       "数据库正在恢复,请稍后几秒重试;您填写的内容请先复制保存。"))
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(500)
    def server_error(exc):
        from board.extensions import db

        db.session.rollback()
        return page(500, "服务器开小差了", "服务器出现错误,请稍后重试;紧急情况请拨打110。")


def safe_next(default: str) -> str:
    """Only same-site relative paths are followed after sign-in: no open redirects."""
    target = request.args.get("next") or request.form.get("next") or ""
    return same_site_path(target) or default
