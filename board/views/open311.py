"""Open311 GeoReport v2 (JSON): services, service requests, one request, and filing a request
with a partner's API key. The spec's error shape: `[{"code": 400, "description": "…"}]`.
Documented in docs/open311.md."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from board.errors import ServiceError
from board.extensions import csrf, db
from board.queries import open311
from board.services import partners

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
csrf.exempt(bp)  # no cookies here: reads are public, the one write carries its api_key


@bp.errorhandler(ServiceError)
def _error(exc: ServiceError):
    detail = "; ".join(exc.fields.values()) or exc.message
    return jsonify([{"code": exc.status, "description": detail}]), exc.status


@bp.get("/services.json")
def services():
    return jsonify(open311.services())


@bp.get("/requests.json")
def requests_list():
    return jsonify(open311.requests(request.args))


@bp.get("/requests/<int:request_id>.json")
def request_one(request_id: int):
    found = open311.one(request_id)
    if not found:
        return jsonify([{"code": 404, "description": "service request not found"}]), 404
    return jsonify(found)


@bp.post("/requests.json")
def request_create():
    form = request.form if request.form else (request.get_json(silent=True) or {})
    key = partners.partner_for_key(form.get("api_key"))
    thread = partners.file_request(key, form.get("service_code"), form.get("description"),
                                   address=form.get("address_string"), title=form.get("title"))
    db.session.commit()  # last_used_at
    return jsonify([{"service_request_id": str(thread.id), "service_notice": "",
                     "account_id": None}]), 201
