"""「公开数据」: how fast and how well the police answered, month by month, for any reader."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from board import charts
from board.queries import open_data
from board.web.templating import duration

bp = Blueprint("open_data", __name__)


@bp.get("/open-data")
def page():
    data = open_data.monthly(open_data.parse_months(request.args.get("months")))
    months = data["months"]
    # Last month by default: the one a resident asks about, and a whole month.
    month = request.args.get("month")
    if month not in months:
        month = months[-2] if len(months) > 1 else months[-1]
    index = months.index(month)
    overall = data["overall"]
    return render_template(
        "main/open_data.html", data=data, month=month, index=index,
        total=overall[index], charts=charts.open_data_charts(overall, duration))
