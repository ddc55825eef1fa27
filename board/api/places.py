"""API of the places residents pick when they post: the city's districts, streets and
communities with the station whose 辖区 holds each, for the offline picker (static/js/
place-picker.js). The same for everyone and rarely changed: cacheable, with a weak ETag."""
from __future__ import annotations

from flask import current_app, jsonify, request

from board.api.base import bp
from board.queries import places
from board.serializers import place_to_dict

MAX_AGE = 300  # seconds a browser or proxy may reuse the list without asking
NEAREST_MAX_METERS = 3000  # 「使用我的位置」: farther than this from every community → pick by hand


@bp.get("/places")
def places_list():
    catalogue = places.catalogue()
    nearest_max = int(current_app.config.get("PLACE_NEAREST_MAX_METERS", NEAREST_MAX_METERS))
    etag = f"{catalogue.etag}-{nearest_max}"
    if request.if_none_match.contains_weak(etag):
        response = current_app.response_class(status=304)
    else:
        response = jsonify({"version": etag, "nearest_max_m": nearest_max,
                            "places": [place_to_dict(p) for p in places.picker()]})
    response.set_etag(etag, weak=True)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response
