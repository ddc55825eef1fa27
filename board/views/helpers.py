"""Small helpers the HTML views share: showing a service's refusal on its form, and where to go
after a form (same-site paths only)."""
from __future__ import annotations

from flask import flash, request

from board.errors import ServiceError
from board.web.redirects import same_site_path


def apply_service_error(form, exc: ServiceError) -> None:
    """Show a service's refusal on the form that caused it: field messages plus a summary."""
    for name, message in exc.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
    flash(exc.message, "error")


def safe_next(default: str) -> str:
    """Only same-site relative paths are followed after sign-in: no open redirects."""
    target = request.args.get("next") or request.form.get("next") or ""
    return same_site_path(target) or default
