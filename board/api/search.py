"""API search: GET /api/v1/search and GET /api/v1/search/similar (ask-before-you-post)."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from board import permissions, privacy, search, text
from board.api.base import bp
from board.errors import PermissionDenied
from board.inputs import parse_id
from board.queries import threads
from board.search import correction, results
from board.search.results import Result
from board.serializers import thread_url
from board.services import search_terms


def result_to_dict(result: Result, with_answer: bool = False) -> dict:
    thread = result.thread
    data = {
        "thread_id": thread.id,
        "title": privacy.visible_text(current_user, thread.author_id, thread.title),
        "board": thread.board.slug,
        "board_name": thread.board.name,
        "kind": thread.kind,
        "status": thread.status,
        "status_label": thread.status_label,
        "official_answered": thread.has_official_reply,
        "snippet": str(result.snippet),  # escaped text with <mark> around the matched words
        "url": thread_url(thread.id),
        "score": round(result.score, 4),
        "partial": result.partial,  # lacks one of the words: no thread had them all
    }
    if with_answer and result.answer is not None:
        answer = result.answer
        data["answer"] = {"post_id": answer.id,
                          "body": privacy.visible_text(current_user, answer.author_id, answer.body),
                          "official_name": answer.official_name,
                          "official_unit": answer.official_unit}
    return data


@bp.get("/search")
def search_threads():
    q = text.clean_line(request.args.get("q"))
    found = correction.query(current_user, q, exact=request.args.get("exact") == "1",
                             **results.parse_filters(request.args))
    search_terms.record_search(found)
    return {"results": [result_to_dict(r) for r in found.results], "total": found.total,
            "page": found.page, "pages": found.pages, "q": found.q,
            # set when nothing matched what was typed and a look- or sound-alike word did
            "corrected_q": found.q if found.typed else None}


@bp.get("/search/similar")
def similar_threads():
    """Answered threads like a title being typed; `thread=<id>` (officers): answer suggestions."""
    thread_id = parse_id(request.args.get("thread"))
    if thread_id:
        if not permissions.can(current_user, "police_only.view"):
            raise PermissionDenied()
        thread = threads.thread_for(current_user, thread_id)
        found = results.answer_suggestions(current_user, thread)
        return {"results": [result_to_dict(r, with_answer=True) for r in found]}
    title = text.clean_line(request.args.get("title"))
    found = search.similar(current_user, title, board=request.args.get("board") or None) \
        if len(title) >= 2 else []
    return {"results": [result_to_dict(r) for r in found]}
