"""Request logs (issue 22): one JSON line per request with the URL rule, status, duration, user id
and request id — never a password, token, phone or ID number — and the request id followed from
the request into its Socket.IO push and into the search indexer's line for its job."""
from __future__ import annotations

import io
import json
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from board import logs
from board.extensions import db, socketio
from board.models import NoticeEvent, utcnow
from board.notices import worker as notice_worker
from board.search import worker

PASSWORD = "password123"
PHONE = "13812345678"
ID_NUMBER = "110101199003074518"


@pytest.fixture
def log_lines():
    """Everything the process logs while the test runs, formatted as under LOG_FORMAT=json."""
    stream = io.StringIO()
    handler = logs.handler("json", stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]

    yield lines
    root.removeHandler(handler)
    root.setLevel(level)


def test_one_json_line_per_request_without_secrets(app, client, make, log_lines):
    citizen = make.make_user("citizen", username="log_citizen")
    assert client.post("/login", data={"username": "log_citizen",
                                       "password": PASSWORD}).status_code == 302
    client.get(f"/?q={PHONE}+{ID_NUMBER}")
    client.get(f"/no-such-page/{ID_NUMBER}")
    token = client.post("/api/v1/auth/token", json={"username": "log_citizen",
                                                    "password": PASSWORD}).get_json()["token"]
    mine = client.get("/api/v1/me/notifications", headers={"Authorization": f"Bearer {token}",
                                                           "X-Request-ID": "lb-7f3a9c-01"})
    assert mine.headers["X-Request-ID"] == "lb-7f3a9c-01"  # a sane incoming id is kept
    forged = client.get("/healthz", headers={"X-Request-ID": 'x" level=ERROR forged'})
    assert forged.headers["X-Request-ID"] != 'x" level=ERROR forged'
    assert len(forged.headers["X-Request-ID"]) == 32

    lines = log_lines()
    requests = [line for line in lines if line["logger"] == "board.request"]
    assert [(r["method"], r["route"], r["status"]) for r in requests] == [
        ("POST", "/login", 302), ("GET", "/", 200), ("GET", "/no-such-page/<n>", 404),
        ("POST", "/api/v1/auth/token", 200), ("GET", "/api/v1/me/notifications", 200),
        ("GET", "/healthz", 200)]
    for line in requests:
        assert line["level"] == "INFO" and line["duration_ms"] >= 0 and line["request_id"]
    assert requests[1]["user_id"] == citizen.id  # signed in by the session
    assert requests[4]["user_id"] == citizen.id and requests[4]["request_id"] == "lb-7f3a9c-01"
    everything = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    for secret in (PASSWORD, token, PHONE, ID_NUMBER, "q="):
        assert secret not in everything, secret


def test_the_request_id_follows_a_reply_into_the_push_and_the_indexer(app, make, log_lines):
    citizen = make.make_user("citizen")
    officer = make.make_user("officer", real_name="王海峰", badge_no="150231", unit_code="hukou")
    thread = make.make_thread(citizen, "hukou")
    reader = socketio.test_client(app, flask_test_client=app.test_client())
    assert reader.emit("join", {"room": f"thread:{thread.id}"}, callback=True)["ok"]
    reader.get_received()
    app.config["SEARCH_SYNC"] = False  # the job waits for the indexer, as in production

    response = app.test_client().post(
        f"/api/v1/threads/{thread.id}/posts", json={"body": "已受理,请带身份证到窗口办理。"},
        headers={**make.bearer(officer), "X-Request-ID": "report-2026-0042"})
    assert response.status_code == 201 and response.headers["X-Request-ID"] == "report-2026-0042"

    pushed = [e["args"][0] for e in reader.get_received() if e["name"] == "post_created"]
    assert [p["request_id"] for p in pushed] == ["report-2026-0042"]
    assert worker.drain(app) >= 1  # the indexer, outside any request
    lines = [line for line in log_lines() if line["request_id"] == "report-2026-0042"]
    loggers = [line["logger"] for line in lines]
    assert "board.request" in loggers and "board.live" in loggers
    indexed = [line for line in lines if line["logger"] == "board.search.worker"]
    assert indexed and indexed[0]["thread_id"] == thread.id


def test_the_request_id_follows_an_answer_into_the_notice_worker(app, make, log_lines):
    """The outbox event keeps the id of the request that caused it; the notice worker logs it
    when it fans the event out and when it sends the text."""
    app.config.update(NOTICE_GRACE_SECONDS=0, SMS_BACKEND="console")
    citizen = make.make_user("citizen")
    citizen.phone, citizen.phone_verified_at = PHONE, utcnow()
    db.session.commit()
    officer = make.make_user("officer", real_name="王海峰", badge_no="150232", unit_code="hukou")
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        thread = make.make_thread(citizen, "hukou")
        response = app.test_client().post(
            f"/api/v1/threads/{thread.id}/posts", json={"body": "已受理,请带身份证到窗口办理。"},
            headers={**make.bearer(officer), "X-Request-ID": "report-2026-0043"})
        assert response.status_code == 201
        event = db.session.scalar(db.select(NoticeEvent).where(
            NoticeEvent.thread_id == thread.id, NoticeEvent.kind == "official_reply"))
        assert event.request_id == "report-2026-0043"
        assert notice_worker.drain(app) == (1, 1)
    lines = [line for line in log_lines() if line["request_id"] == "report-2026-0043"
             and line["logger"] == "board.services.notice_delivery"]
    # fanned out: the reply's bell entries (at once in tests) and the answer's notices; sent
    assert [line["thread_id"] for line in lines] == [thread.id] * 3
    assert any(line.get("channel") == "sms" for line in lines)
    assert PHONE not in json.dumps(lines, ensure_ascii=False)
