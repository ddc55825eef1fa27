"""Issue 20: 「公开数据」 and GET /api/v1/stats — month by month in Beijing months, per board and
per unit, public threads only (police-only and hidden ones never count), exact numbers."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from board.extensions import db
from board.models import Rating
from board.queries import open_data
from tests import factories

pytestmark = pytest.mark.usefixtures("no_search_indexing")  # search is tested elsewhere

NOW = datetime(2026, 10, 15, 4, 0, tzinfo=UTC)
BJ = timedelta(hours=8)


def _bj(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=UTC) - BJ


@pytest.fixture
def world(make):
    officer = make.make_user("officer", unit_code="hukou")
    asker = make.make_user("citizen")

    def thread(created, answer=None, **fields):
        t = make.make_thread(asker, "hukou", body="请问户口迁移怎么办", **fields)
        t.created_at, t.sla_due_at = created, created + timedelta(minutes=30)
        if answer is not None:
            t.first_response_at = created + timedelta(minutes=answer)
            t.first_responder_id, t.status = officer.id, "answered"
        return t

    t1 = thread(_bj(9, 30, 23), answer=10)  # the last hour of September in Beijing
    t1.dispatched_at = _bj(9, 30, 23, 30)
    t1.dispatched_unit_id = factories.unit("station-nanmen").id
    thread(_bj(10, 1, 1))  # 17:00 UTC on 30 September: October in Beijing; never answered
    secret = thread(_bj(9, 20, 9), answer=5, visibility="police_only")
    secret.dispatched_at = _bj(9, 20, 10)
    hidden = thread(_bj(9, 21, 9), answer=5)
    hidden.hidden = True
    db.session.add(Rating(thread_id=t1.id, user_id=asker.id, score=4, created_at=_bj(10, 2, 9)))
    db.session.add(Rating(thread_id=secret.id, user_id=asker.id, score=1,
                          created_at=_bj(10, 2, 9)))
    db.session.commit()


def _pick(month: dict) -> tuple:
    return (month["month"], month["threads"], month["answered_share"],
            month["first_response_median"], month["within_target_share"], month["dispatches"],
            month["ratings"], month["satisfaction"])


def test_month_by_month_public_threads_only(app, world):
    data = open_data.monthly(2, now=NOW, cached=False)
    assert data["months"] == ["2026-09", "2026-10"]
    assert [_pick(m) for m in data["overall"]] == [
        ("2026-09", 1, 1.0, 600, 1.0, 1, 0, None),
        ("2026-10", 1, 0.0, None, 0.0, 0, 1, 4.0)]
    hukou = next(b for b in data["boards"] if b["slug"] == "hukou")
    assert [_pick(m) for m in hukou["months"]] == [_pick(m) for m in data["overall"]]
    units = {u["code"]: u for u in data["units"]}
    assert set(units) == {"station-nanmen"}  # the dispatched unit answers for the thread
    assert [_pick(m) for m in units["station-nanmen"]["months"]] == [
        ("2026-09", 1, 1.0, 600, 1.0, 1, 0, None), ("2026-10", 0, None, None, None, 0, 1, 4.0)]
    assert "officer" not in str(data) and "real_name" not in str(data)


def test_page_and_api_for_anyone(app, client, make):
    open_data.clear_cache()
    make.make_thread(board_slug="traffic", body="路口信号灯坏了")
    api = client.get("/api/v1/stats?months=1")
    assert api.status_code == 200 and api.get_json()["overall"][-1]["threads"] == 1
    this_month = api.get_json()["months"][-1]
    page = client.get(f"/open-data?month={this_month}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "公开数据" in text and 'data-open="threads">1<' in text and "<svg" in text
    assert client.get("/api/v1/stats?months=abc").status_code == 200  # falls back to 12
