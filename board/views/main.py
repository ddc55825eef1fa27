"""Home, board listings, profile and the elder-mode switch."""
from __future__ import annotations

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from board.extensions import csrf
from board.queries import alerts, threads
from board.share import links
from board.views.helpers import safe_next
from board.web import page_cache, page_stamps
from board.web.templating import ELDER_COOKIE

bp = Blueprint("main", __name__)


@bp.get("/")
@page_cache.anonymous_page(page_stamps.site_stamp)
def home():
    return render_template("main/home.html", boards=threads.boards(),
                           latest=threads.latest_threads(current_user, limit=15))


@bp.get("/b/<slug>")
@page_cache.anonymous_page(page_stamps.board_stamp, allowed_args=("cursor", "partial"))
def board(slug: str):
    board = threads.board_by_slug(slug)
    cursor = request.args.get("cursor")
    pinned = [] if cursor else threads.pinned_threads(board, current_user)
    sort = request.args.get("sort") or "latest"  # or "same_question" (issue 17)
    rows, next_cursor = threads.board_threads(board, current_user, cursor, sort=sort)
    listing = "board_demand" if sort == "same_question" else "board"
    if request.args.get("partial"):  # "load more": just the rows, the next cursor in a header
        html = render_template("main/_thread_rows.html", pinned=[], threads=rows,
                               listing=listing)
        return html, 200, {"X-Next-Cursor": next_cursor or ""}
    return render_template("main/board.html", board=board, pinned=pinned, threads=rows,
                           next_cursor=next_cursor, sort=sort, listing=listing,
                           alert_following=alerts.follows_board(current_user, board),
                           share_url=links.absolute("main.board", slug=board.slug))


@bp.get("/me")
@login_required
def profile():
    return render_template("main/profile.html", threads=threads.user_threads(current_user))


@bp.post("/elder")
@csrf.exempt
def toggle_elder():
    """One tap switches 长辈模式 (larger type, higher contrast), remembered for a year.

    Anonymous readers need no CSRF token here (a forged request can only change the type size),
    so the pages every anonymous reader shares carry no per-reader token and are cached whole.
    """
    if current_user.is_authenticated and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    response = make_response(redirect(safe_next(url_for("main.home"))))
    on = request.cookies.get(ELDER_COOKIE) != "1"
    response.set_cookie(ELDER_COOKIE, "1" if on else "0", max_age=365 * 86400,
                        samesite="Lax", httponly=True)
    return response
