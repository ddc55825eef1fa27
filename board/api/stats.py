"""Open data: `GET /api/v1/stats?months=12`, the figures of the 「公开数据」 page as JSON, for
anyone (queries/open_data.py: public threads only, nothing personal, cached)."""
from __future__ import annotations

from flask import request

from board.api.base import bp
from board.queries import open_data


@bp.get("/stats")
def open_stats():
    return open_data.monthly(open_data.parse_months(request.args.get("months")))
