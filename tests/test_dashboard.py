"""The leaders' dashboard: counts, overdue now, median/p90 response and resolution times per
board and unit, satisfaction, busiest boards; each number links to its threads; CSV; audit log."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from board import errors, stats
from board.extensions import db
from board.models import Rating, Thread, utcnow
from board.queries import leader as dashboard
from board.services import moderation

NOW = utcnow()


def _age(thread, created_ago: timedelta, first_after=None, resolved_after=None, responder=None):
    thread.created_at = NOW - created_ago
    if first_after is not None:
        thread.first_response_at = thread.created_at + first_after
        thread.first_responder_id = responder.id
        thread.status = "answered"
    if resolved_after is not None:
        thread.resolved_at = thread.created_at + resolved_after
        thread.status = "resolved"


@pytest.fixture
def world(make):
    hukou = make.make_user("officer", unit_code="hukou")
    traffic = make.make_user("officer", unit_code="traffic")
    leader = make.make_user("leader")
    asker = make.make_user("citizen")
    t = [make.make_thread(asker, "hukou", body=f"户政问题{i}") for i in range(3)]
    for thread, minutes in zip(t, (1, 2, 10), strict=True):
        _age(thread, timedelta(days=1), timedelta(minutes=minutes), responder=hukou)
    _age(t[2], timedelta(days=1), timedelta(minutes=10), timedelta(hours=2), responder=hukou)
    old = make.make_thread(asker, "hukou", body="很久以前")
    _age(old, timedelta(days=20), timedelta(minutes=90), responder=hukou)
    road = make.make_thread(asker, "traffic", body="路口红绿灯坏了")
    _age(road, timedelta(hours=3), timedelta(minutes=30), timedelta(hours=1), responder=traffic)
    waiting = make.make_thread(asker, "report", kind="report", body="没人回")
    # Posted before the figures' `now` (NOW is taken when the module is imported, which can be
    # minutes before this test runs): the dashboard counts what existed at its moment.
    waiting.created_at = NOW - timedelta(hours=1)
    waiting.sla_due_at = NOW - timedelta(minutes=1)
    db.session.add(Rating(thread_id=t[2].id, user_id=asker.id, score=4, created_at=NOW))
    db.session.add(Rating(thread_id=road.id, user_id=asker.id, score=5, created_at=NOW))
    db.session.commit()
    return {"leader": leader, "hukou": hukou, "threads": t, "old": old, "road": road,
            "waiting": waiting}


def test_figures(app, world):
    d = dashboard.figures(world["leader"], 7, now=NOW)
    counts = {s["status"]: s["count"] for s in d["by_status"]}
    assert counts["answered"] == 3 and counts["resolved"] == 2 and counts["awaiting_reply"] == 1
    assert d["unanswered_now"] == 1 and d["overdue_now"] == 1
    boards = {r["key"]: r for r in d["per_board"]}
    assert boards["hukou"]["answered"] == 3  # the 20-day-old thread is outside 7 days
    assert boards["hukou"]["first_response_median"] == 120
    assert boards["hukou"]["first_response_p90"] == 600
    assert boards["hukou"]["resolution_median"] == 7200
    assert boards["traffic"]["first_response_median"] == 1800
    units = {r["key"]: r for r in d["per_unit"]}
    assert units["hukou"]["answered"] == 3 and units["traffic"]["resolved"] == 1
    assert d["satisfaction"]["count"] == 2 and d["satisfaction"]["average"] == 4.5
    assert d["busiest_boards"][0] == {"slug": "hukou", "name": "户政", "count": 3}
    month = dashboard.figures(world["leader"], 30, now=NOW)
    assert {r["key"]: r for r in month["per_board"]}["hukou"]["answered"] == 4


def test_percentiles():
    assert stats.median([3, 1, 2]) == 2 and stats.median([1, 2, 3, 4]) == 2.5
    assert stats.percentile(list(range(1, 11)), 90) == 9
    assert stats.percentile([], 90) is None


def test_only_leaders_and_admins(app, world, make):
    with pytest.raises(errors.PermissionDenied):
        dashboard.figures(world["hukou"], 7)
    dashboard.figures(make.make_user("admin"), 7)
    with pytest.raises(errors.ValidationFailed):
        dashboard.parse_days("9")


def test_dashboard_page_numbers_link_to_their_threads(app, world, client, login):
    login(world["leader"])
    page = client.get("/leader/?days=7").get_data(as_text=True)
    assert "<svg" in page and "督办看板" in page
    match = re.search(
        r'href="(/leader/threads\?overdue=1)"><strong data-kpi="overdue">(\d+)<', page)
    assert match and match.group(2) == "1"
    behind = client.get(match.group(1)).get_data(as_text=True)
    assert f'data-thread-id="{world["waiting"].id}"' in behind
    assert 'data-behind-count>1<' in behind
    bars = re.findall(r'<a href="([^"]+status=answered)"', page)
    assert bars
    listed = client.get(bars[0].replace("&amp;", "&")).get_data(as_text=True)
    assert listed.count('class="thread-row') == 3


def test_csv_export(app, world, client, login):
    login(world["leader"])
    r = client.get("/leader/dashboard.csv?days=7")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert ["当前超时", "1"] in rows
    hukou = [row for row in rows if row[:2] == ["户政", "hukou"]]
    assert hukou and hukou[0][3] == "120" and hukou[0][4] == "600"
    login(world["hukou"])
    assert client.get("/leader/dashboard.csv").status_code == 403


def test_audit_log_page(app, world, client, login):
    moderation.pin(world["hukou"], world["threads"][0])
    login(world["leader"])
    page = client.get("/leader/audit").get_data(as_text=True)
    assert "置顶" in page and world["hukou"].display_name in page
    api = client.get("/api/v1/audit").get_json()["entries"]
    assert api[0]["action"] == "thread.pin" and api[0]["after"]["pinned"] is True
    login(world["hukou"])
    assert client.get("/leader/audit").status_code == 403
    assert client.get("/api/v1/audit").status_code == 403


def test_escalation_fields_cost_no_query_per_row(app, make, client):
    """The thread payload's new fields (dispatched unit, incident, supervised, timeline kept out
    of lists) add no queries: a board of dispatched threads lists like a board of fresh ones."""
    from board.services import escalation, supervision

    def count_queries(url):
        seen = []
        listener = lambda *a, **k: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            response = client.get(url)
            assert response.status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen), response.get_json()["threads"]

    ids = [make.make_thread(board_slug="qa", body=f"求助{i}").id for i in range(5)]
    db.session.remove()
    plain, _ = count_queries("/api/v1/boards/qa/threads")
    officer = make.make_user("officer", unit_code="online-desk")
    dispatcher, leader = make.make_user("dispatcher"), make.make_user("leader")
    units = ["station-nanmen", "station-kunhe", "station-qingfu", "traffic", "hukou"]
    for thread_id, unit in zip(ids, units, strict=True):
        thread = db.session.get(Thread, thread_id)
        escalation.escalate(officer, thread, "需出警", "urgent")
        escalation.dispatch(dispatcher, thread, unit)
        supervision.supervise(leader, thread, "盯紧")
    db.session.remove()
    escalated, rows = count_queries("/api/v1/boards/qa/threads")
    assert {r["dispatched_unit"] for r in rows} == {
        "东河区南门外派出所", "昆区昆河派出所", "青山区青福派出所", "市公安局交通警察支队",
        "市公安局户政管理支队"}
    assert all(r["supervised"] and r["incident_no"] and "timeline" not in r for r in rows)
    assert escalated == plain
