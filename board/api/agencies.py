"""API: partner agencies (协作单位, issue 21). GET /api/v1/agency/threads — an agency account's
invited threads; POST /api/v1/threads/<id>/agencies — the police invite an agency; GET
/api/v1/agencies — the agencies the police may invite. Agencies reply through the usual
POST /api/v1/threads/<id>/posts (board/permissions.py post.create)."""
from __future__ import annotations

from board import permissions
from board.api.base import bp, json_body, require_user
from board.inputs import parse_id
from board.queries import agencies as agency_query
from board.queries import threads
from board.serializers import iso, thread_to_dict
from board.services import agencies


def agency_to_dict(agency) -> dict:
    return {"id": agency.id, "name": agency.name, "kind": agency.kind,
            "kind_label": agency.kind_label, "badge": agency.badge}


@bp.get("/agency/threads")
def agency_threads():
    user = require_user()
    permissions.require(user, "agency.worklist")
    return {"agency": agency_to_dict(user.agency),
            "threads": [thread_to_dict(item.thread, user) | {
                "invited_at": iso(item.invited_at), "agency_replied": item.replied}
                for item in agency_query.worklist(user)]}


@bp.get("/agencies")
def agency_choices():
    """The agencies a thread may be opened to: for the police who may invite at all."""
    user = require_user()
    permissions.require(user, "police_only.view")
    return {"agencies": [agency_to_dict(a) | {"accounts": n}
                         for a, n in agency_query.all_agencies()]}


@bp.post("/threads/<int:thread_id>/agencies")
def invite_agency(thread_id: int):
    user = require_user()
    thread = threads.thread_for(user, thread_id)
    invitation, new = agencies.invite(user, thread, parse_id(json_body().get("agency_id")))
    return {"agency": agency_to_dict(invitation.agency), "invited": new,
            "agencies": [agency_to_dict(a) for a in agency_query.invited(thread)]}, (
        201 if new else 200)
