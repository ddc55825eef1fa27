"""The search page: /search?q=&board=&kind=&answered=&status=&time=&sort=&page=."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from board import text
from board.models import kinds
from board.models.kinds import KINDS
from board.models.workflow import STATUS_LABELS
from board.queries import threads
from board.search import correction, results
from board.services import search_terms

bp = Blueprint("search", __name__)


@bp.get("/search")
def page():
    q = text.clean_line(request.args.get("q"))
    filters = results.parse_filters(request.args)
    exact = request.args.get("exact") == "1"
    found = correction.query(current_user, q, exact=exact, **filters) if q else None
    if found is not None:
        search_terms.record_search(found)
    return render_template(
        "search/results.html", q=q, found=found, args=request.args, boards=threads.board_choices(),
        kinds=[(kind, kinds.label(kind)) for kind in KINDS],
        statuses=[(s.value, s.label) for s in STATUS_LABELS],
        time_ranges=[(k, v[0]) for k, v in results.TIME_RANGES.items()], sorts=results.SORTS)
