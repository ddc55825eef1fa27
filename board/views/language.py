"""The language switch (issue 21): 中文 / English, remembered per browser in the `lang` cookie."""
from __future__ import annotations

from flask import Blueprint, current_app, make_response, redirect, request, url_for
from flask_login import current_user

from board.extensions import csrf
from board.i18n import LANG_COOKIE, LOCALES
from board.views.helpers import safe_next

bp = Blueprint("language", __name__)


@bp.post("/lang")
@csrf.exempt
def switch():
    """Set the interface language and go back to the page. Like the elder-mode switch, anonymous
    readers need no CSRF token (a forged request can only change the language), so the pages
    every anonymous reader shares stay cacheable whole."""
    if current_user.is_authenticated and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    response = make_response(redirect(safe_next(url_for("main.home"))))
    chosen = request.form.get("lang", "")
    if chosen in LOCALES:
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, samesite="Lax",
                            httponly=True)
    return response
