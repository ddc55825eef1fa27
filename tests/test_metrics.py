"""Metrics (issue 22): the scrape shows the request histogram per endpoint (the URL rule, never
the raw path), the search-job queue's depth and age, overdue threads per board and the worker
leases — and is refused to anyone outside METRICS_ALLOW, also when a proxy forwarded them."""
from __future__ import annotations

import re
from datetime import timedelta

from board import leases
from board.extensions import db
from board.models import Notice, NoticeEvent, NoticeKind, NoticeState, utcnow

LOCAL = {"REMOTE_ADDR": "127.0.0.1"}


def scrape(client, environ=LOCAL, headers=None):
    return client.get("/metrics", environ_base=environ, headers=headers or {})


def value(text: str, name: str, labels: str = "") -> float:
    braces = r"\{" + re.escape(labels) + r"\}" if labels else ""
    pattern = "^" + re.escape(name) + braces + r" (\S+)"
    match = re.search(pattern, text, re.M)
    assert match, f"{name}{{{labels}}} not in the scrape"
    return float(match.group(1))


def test_scrape_shows_requests_queue_overdue_and_leases(app, client, make):
    app.config["SEARCH_SYNC"] = False  # jobs wait for the indexer, as in production
    citizen = make.make_user("citizen")
    late = make.make_thread(citizen, "hukou")
    late.sla_due_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    make.make_thread(citizen, "hukou")
    lease = leases.Lease("search-indexer", ttl=30, holder="web-1:4242:abc")
    assert lease.acquire()
    before = scrape(client).get_data(as_text=True)
    for _ in range(3):
        client.get(f"/t/{late.id}")

    response = scrape(client)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    rule = 'endpoint="threads.show",method="GET"'
    grown = (value(text, "board_http_request_duration_seconds_count", rule)
             - (value(before, "board_http_request_duration_seconds_count", rule)
                if "threads.show" in before else 0))
    assert grown == 3
    assert 'board_http_request_duration_seconds_bucket{endpoint="threads.show",le="0.1"' \
        in text.replace(',method="GET"', "")
    assert f"/t/{late.id}" not in text  # the rule, never the path
    assert value(text, "board_search_jobs_queued") >= 2
    assert value(text, "board_search_job_oldest_age_seconds") >= 0
    assert value(text, "board_threads_overdue", 'board="hukou"') == 1
    assert value(text, "board_threads_overdue", 'board="traffic"') == 0
    assert 25 < value(text, "board_worker_lease_expires_in_seconds",
                      'holder="web-1:4242:abc",name="search-indexer"') <= 30
    assert "board_socketio_connections" in text


def test_scrape_refused_outside_the_allowed_network(app, client):
    assert scrape(client, {"REMOTE_ADDR": "203.0.113.7"}).status_code == 403
    forwarded = scrape(client, headers={"X-Forwarded-For": "203.0.113.7"})
    assert forwarded.status_code == 403  # a resident's scrape relayed by a local proxy
    assert scrape(client, {"REMOTE_ADDR": "10.8.0.5"}).status_code == 403
    app.config["METRICS_ALLOW"] = "10.8.0.0/16"  # the operator's monitoring network
    assert scrape(client, {"REMOTE_ADDR": "10.8.0.5"}).status_code == 200
    assert scrape(client).status_code == 403  # loopback is no longer in the list


def test_scrape_shows_the_notice_outbox_depth_and_age(client, make):
    """Events not fanned out yet and notices due but not sent, with how long the oldest has
    waited; a notice held for later (quiet hours, the hourly limit) is pending but not late."""
    thread = make.make_thread(make.make_user("citizen"), "hukou")
    now = utcnow()
    waiting = NoticeEvent(kind=NoticeKind.OFFICIAL_REPLY, thread_id=thread.id,
                          created_at=now - timedelta(minutes=2))
    done = NoticeEvent(kind=NoticeKind.STATUS, thread_id=thread.id, fanned_at=now,
                       created_at=now - timedelta(hours=1))
    db.session.add_all([waiting, done])
    db.session.flush()
    user = make.make_user("citizen")
    db.session.add_all([
        Notice(event_id=done.id, user_id=user.id, thread_id=thread.id, channel="sms",
               not_before=now - timedelta(seconds=90)),
        Notice(event_id=done.id, user_id=user.id, thread_id=thread.id, channel="email",
               not_before=now + timedelta(hours=8)),  # quiet hours: not late
        Notice(event_id=done.id, user_id=user.id, thread_id=thread.id, channel="sms",
               state=NoticeState.SENT, not_before=now - timedelta(hours=1)),
    ])
    db.session.commit()
    text = scrape(client).get_data(as_text=True)
    assert value(text, "board_notice_events_waiting") == 1
    assert 120 <= value(text, "board_notice_event_oldest_age_seconds") < 180
    assert value(text, "board_notices_pending") == 2
    assert value(text, "board_notices_due") == 1
    assert 90 <= value(text, "board_notice_due_oldest_age_seconds") < 150
