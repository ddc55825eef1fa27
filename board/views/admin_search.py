"""Admin: the week's zero- and low-result searches, and 「添加同义词」 in one tap."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from board import permissions
from board.errors import ServiceError
from board.extensions import db
from board.forms import ConfirmForm
from board.models import SearchSynonym
from board.queries import search_misses
from board.services import search_terms

bp = Blueprint("admin_search", __name__, url_prefix="/admin/search")


@bp.before_request
@login_required
def require_admin():
    permissions.require(current_user, "admin.access")


@bp.get("/misses")
def misses():
    synonyms = db.session.scalars(db.select(SearchSynonym).order_by(SearchSynonym.id.desc())
                                  .limit(50)).all()
    return render_template("admin/search_misses.html", misses=search_misses.recent(),
                           synonyms=synonyms, form=ConfirmForm())


@bp.post("/synonyms")
def add_synonym():
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("表单已过期,请重试。", "error")
        return redirect(url_for(".misses"))
    try:
        search_terms.add_synonym(current_user, request.form.get("words", ""))
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        flash("已添加同义词,下一次搜索即生效。", "success")
    return redirect(url_for(".misses"))
