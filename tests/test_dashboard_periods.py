"""Issue 20: the dashboard for any period beside the previous one, its trend, satisfaction per
unit and per officer with the ratings behind them, Chinese drill-down titles, Beijing time, and
the CSV and Excel exports of what the page shows — on one fixed data set, exact numbers."""
from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from board import periods
from board.errors import ValidationFailed
from board.extensions import db
from board.models import Rating
from board.queries import drilldown
from board.queries import leader as dashboard
from tests import factories

pytestmark = pytest.mark.usefixtures("no_search_indexing")  # search is tested elsewhere

NOW = datetime(2026, 9, 30, 4, 0, tzinfo=UTC)  # 12:00 on 30 September, Beijing
SPAN = {"start": "2026-09-28", "end": "2026-09-30"}
BJ = timedelta(hours=8)


def _bj(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Beijing wall-clock time as the UTC instant stored."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC) - BJ


def _thread(make, asker, created, due_minutes=30, answer_minutes=None, by=None, board="hukou"):
    thread = make.make_thread(asker, board, body="请问这件事怎么办理")
    thread.created_at = created
    thread.sla_due_at = created + timedelta(minutes=due_minutes)
    if answer_minutes is not None:
        thread.first_response_at = created + timedelta(minutes=answer_minutes)
        thread.first_responder_id = by.id
        thread.status = "answered"
    return thread


def _rate(thread, asker, score, when, comment=None):
    db.session.add(Rating(thread_id=thread.id, user_id=asker.id, score=score, comment=comment,
                          created_at=when))


@pytest.fixture
def world(make):
    a = make.make_user("officer", unit_code="hukou", real_name="王建国")
    b = make.make_user("officer", unit_code="hukou", real_name="李文")
    c = make.make_user("officer", unit_code="traffic", real_name="赵强")
    leader = make.make_user("leader")
    asker = make.make_user("citizen")
    t0 = _thread(make, asker, _bj(9, 26, 10), answer_minutes=5, by=a)  # the previous period
    t1 = _thread(make, asker, _bj(9, 28, 10), answer_minutes=10, by=a)
    t1.resolved_at, t1.status = _bj(9, 28, 12), "resolved"
    t2 = _thread(make, asker, _bj(9, 28, 11), answer_minutes=60, by=b)  # answered late
    t3 = _thread(make, asker, _bj(9, 29, 9), answer_minutes=20, by=c, board="traffic")
    t3.dispatched_at = _bj(9, 29, 9, 30)
    t3.dispatched_unit_id = factories.unit("station-nanmen").id
    t4 = _thread(make, asker, _bj(9, 30, 7))  # 23:00 UTC on the 29th: Beijing's 30th; late
    t5 = _thread(make, asker, _bj(9, 30, 11, 50))  # still inside its 30 minutes at NOW
    _thread(make, asker, _bj(9, 20, 10), answer_minutes=1, by=a)  # outside both periods
    _rate(t0, asker, 4, _bj(9, 26, 12))
    _rate(t1, asker, 5, _bj(9, 29, 8))
    _rate(t2, asker, 2, _bj(9, 29, 9), comment="等了一个小时才有人回")
    _rate(t3, asker, 3, _bj(9, 30, 10))
    db.session.commit()
    return {"leader": leader, "a": a, "b": b, "c": c, "t": [t0, t1, t2, t3, t4, t5]}


def _figures(world):
    return dashboard.figures(world["leader"], now=NOW,
                             period=dashboard.parse_period(SPAN, NOW))


def test_period_figures_beside_the_previous_period(app, world):
    d = _figures(world)
    assert d["period"]["first"] == "2026-09-28" and d["previous"] == {
        "key": "range", "label": "2026年9月25日至2026年9月27日", "first": "2026-09-25",
        "last": "2026-09-27", "days": 3}
    s, p = d["summary"], d["summary_previous"]
    assert (s["threads"], s["answered"], s["resolved"], s["dispatches"]) == (5, 3, 1, 1)
    assert (s["first_response_median"], s["first_response_p90"]) == (1200, 3600)
    assert (s["within_target"], s["overdue"], s["within_target_share"]) == (2, 2, 0.5)
    assert (s["ratings"], s["satisfaction"], s["satisfied_share"]) == (3, 3.33, 0.333)
    assert (p["threads"], p["first_response_median"], p["within_target_share"]) == (1, 300, 1.0)
    assert (p["ratings"], p["satisfaction"]) == (1, 4.0)


def test_trend_day_by_day_in_beijing_days(app, world):
    buckets = _figures(world)["trend"]["buckets"]
    assert [b["first"] for b in buckets] == ["2026-09-28", "2026-09-29", "2026-09-30"]
    picked = [(b["threads"], b["first_response_median"], b["first_response_p90"],
               b["within_target_share"], b["overdue"], b["dispatches"], b["satisfaction"])
              for b in buckets]
    assert picked == [(2, 2100, 3600, 0.5, 1, 0, None),
                      (1, 1200, 1200, 1.0, 0, 1, 3.5),
                      (2, None, None, 0.0, 1, 0, 3.0)]


def test_satisfaction_per_unit_and_per_officer_lowest_first(app, world):
    d = _figures(world)
    units = [(r["key"], r["count"], r["average"], r["satisfied_share"], r["low"])
             for r in d["satisfaction_units"]]
    assert units == [("station-nanmen", 1, 3.0, 0.0, 0), ("hukou", 2, 3.5, 0.5, 1)]
    officers = [(r["name"], r["count"], r["average"], r["satisfied_share"])
                for r in d["satisfaction_officers"]]
    assert officers == [("李文", 1, 2.0, 0.0), ("赵强", 1, 3.0, 0.0), ("王建国", 1, 5.0, 1.0)]
    assert [r["key"] for r in d["per_unit"]] == ["hukou", "traffic"]  # slowest answer first
    assert d["per_unit"][0]["first_response_median"] == 2100


def test_ratings_behind_a_unit_and_an_officer(app, world, client, login):
    period = dashboard.parse_period(SPAN, NOW)
    rows = dashboard.ratings_behind(world["leader"], period, unit="hukou")
    assert [r["rating"].score for r in rows] == [2, 5]
    assert [r["officer"].id for r in rows] == [world["b"].id, world["a"].id]
    login(world["leader"])
    page = client.get(f"/leader/ratings?officer={world['b'].id}&start=2026-09-28"
                      "&end=2026-09-30").get_data(as_text=True)
    assert "等了一个小时才有人回" in page and 'data-ratings-count>1<' in page
    dash = client.get("/leader/?start=2026-09-28&end=2026-09-30").get_data(as_text=True)
    assert f"/leader/ratings?start=2026-09-28&amp;end=2026-09-30&amp;officer={world['b'].id}" \
        in dash
    login(world["a"])
    assert client.get("/leader/ratings?unit=hukou").status_code == 403


def test_drilldown_titles_in_chinese(app, world, client, login):
    late = drilldown.threads_behind(world["leader"], {"missed": "1", **SPAN}, now=NOW)
    assert {t.id for t in late} == {world["t"][2].id, world["t"][4].id}
    hukou = factories.unit("hukou").name
    assert drilldown.describe({"missed": "1", "unit": "hukou", **SPAN}) == \
        f"未在时限内首次回复 · {hukou} · 2026年9月28日至2026年9月30日"
    assert drilldown.describe({}) == "全部帖子"
    login(world["leader"])
    page = client.get("/leader/threads?overdue=1").get_data(as_text=True)
    assert "当前已超时" in page and "overdue=1" not in page.split("<main")[-1].split("</h1>")[0]
    page = client.get("/leader/threads?status=resolved&board=hukou&start=2026-09-28"
                      "&end=2026-09-30").get_data(as_text=True)
    assert "已办结 · 户政版块 · 2026年9月28日至2026年9月30日" in page
    assert 'data-behind-count>1<' in page


def test_exports_are_what_the_page_shows_in_beijing_time(app, world, client, login):
    login(world["leader"])
    r = client.get("/leader/dashboard.csv?start=2026-09-28&end=2026-09-30")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    stamp = next(row for row in rows if row and row[0] == "生成时间(北京时间)")[1]
    assert stamp.endswith("+08:00")
    detail = f"{world['b'].badge_no} · {factories.unit('hukou').name}"
    assert ["李文", detail, "1", "2.0", "0.0", "1"] in rows
    x = client.get("/leader/dashboard.xlsx?start=2026-09-28&end=2026-09-30")
    assert x.status_code == 200 and x.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(x.data))
    units = [list(r) for r in book["单位满意度"].iter_rows(values_only=True)]
    assert units[0][:3] == ["单位", "说明", "评价数"]
    assert units[1][0] == factories.unit("station-nanmen").name and units[1][2:4] == [1, 3.0]
    trend = [list(r) for r in book["趋势"].iter_rows(values_only=True)]
    assert [row[0] for row in trend[1:]] == ["2026-09-28", "2026-09-29", "2026-09-30"]
    assert trend[2][1:3] == [1, 1200]


def test_periods_presets_previous_and_weeks():
    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    quarter = periods.parse({"period": "last_quarter"}, now)
    assert (quarter.first, quarter.last) == (date(2026, 7, 1), date(2026, 9, 30))
    before = quarter.previous()
    assert (before.first, before.last) == (date(2026, 4, 1), date(2026, 6, 30))
    weeks = quarter.buckets()
    assert quarter.granularity == "week" and weeks[0] == (date(2026, 7, 1), date(2026, 7, 5))
    assert weeks[1] == (date(2026, 7, 6), date(2026, 7, 12)) and weeks[-1][1] == date(2026, 9, 30)
    month = periods.parse({"period": "last_month"}, now)
    assert (month.first, month.last, month.previous().first) == (
        date(2026, 11, 1), date(2026, 11, 30), date(2026, 10, 1))
    assert periods.parse({"days": "30"}, now).first == date(2026, 11, 2)
    assert periods.parse({}, now).start == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
    for bad in ({"start": "2026-13-01"}, {"start": "2026-09-30", "end": "2026-09-01"},
                {"period": "forever"}, {"start": "2020-01-01", "end": "2026-01-01"}):
        with pytest.raises(ValidationFailed):
            periods.parse(bad, now)


def test_a_bad_range_is_said_in_chinese_and_the_page_still_shows(app, world, client, login):
    login(world["leader"])
    r = client.get("/leader/?start=2026-09-30&end=2026-09-01")
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "结束日期不能早于开始日期" in page and 'value="2026-09-30"' in page
    api = client.get("/api/v1/dashboard?start=2026-09-28&end=2026-09-30").get_json()
    assert api["summary"]["threads"] == 5 and api["period"]["days"] == 3
    assert client.get("/api/v1/dashboard?period=nope").status_code == 400
