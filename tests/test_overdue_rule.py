"""One overdue rule, seen the same way everywhere: the thread page, the officer inbox, the leaders'
dashboard (当前超时 and the threads behind it) and the leaders' once-only alert.

A thread is overdue while the police have not given it a first answer and the board's
first-response target has passed. A thread answered in time, resolved and then reopened by its
asker is waiting again, but it is not overdue: it shows no warning and nobody is alerted.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from board import sla
from board.extensions import db
from board.models import AuditEntry, Notification, Thread, utcnow
from board.queries import drilldown
from board.queries import leader as dashboard
from board.services import status, supervision


@pytest.fixture
def people(make):
    return {"officer": make.make_user("officer", unit_code="station-nanmen"),
            "leader": make.make_user("leader", unit_code="city-bureau"),
            "asker": make.make_user("citizen")}


def _backdate(thread: Thread, opened_ago: timedelta) -> None:
    """Move a thread's clock back: opened `opened_ago`, its 30-minute target long passed."""
    shift = (utcnow() - opened_ago) - thread.created_at
    thread.created_at += shift
    thread.sla_due_at += shift
    if thread.first_response_at is not None:
        thread.first_response_at += shift
    db.session.commit()


@pytest.fixture
def reopened(make, people):
    """Answered in time, resolved, reopened by the asker, and now past the original target."""
    thread = make.make_thread(people["asker"], "report", kind="report", body="楼道里有人吵架")
    make.make_post(thread, people["officer"], "已派民警前往,请稍候。")
    db.session.refresh(thread)
    status.change(people["officer"], thread, "resolved", "已处理完毕")
    status.change(people["asker"], thread, "awaiting_reply", "又开始吵了")
    _backdate(thread, timedelta(hours=3))
    assert thread.status == "awaiting_reply" and thread.first_response_at < thread.sla_due_at
    return thread


@pytest.fixture
def unanswered(make, people):
    """Never answered by the police, and its first-response target passed hours ago."""
    thread = make.make_thread(people["asker"], "report", kind="report", body="一直没人回复")
    _backdate(thread, timedelta(hours=3))
    return thread


def _overdue_line_on_thread_page(client, login, officer, thread) -> bool:
    login(officer)
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    client.post("/logout")
    return "data-overdue" in page or "已超过答复时限" in page


def _inbox_row(client, login, officer, thread) -> str:
    login(officer)
    page = client.get("/inbox").get_data(as_text=True)
    client.post("/logout")
    start = page.find(f'data-thread-id="{thread.id}"')
    return page[start:page.index("</li>", start)] if start >= 0 else ""


def _dashboard(client, login, leader) -> tuple[int, str]:
    """(the 已超时 number on the dashboard page, the page of threads behind it)."""
    login(leader)
    page = client.get("/leader/?days=7").get_data(as_text=True)
    match = re.search(r'href="(/leader/threads\?overdue=1)"><strong data-kpi="overdue">(\d+)<',
                      page)
    assert match, "the dashboard shows its 已超时 number with a link to the threads"
    behind = client.get(match.group(1)).get_data(as_text=True)
    client.post("/logout")
    return int(match.group(2)), behind


def _alerts(thread: Thread) -> tuple[list[dict], list[int]]:
    """(the sla.overdue audit entries' details, the leaders told) for one thread."""
    entries = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "sla.overdue", AuditEntry.target_id == thread.id)).all()
    told = db.session.scalars(db.select(Notification.user_id).where(
        Notification.thread_id == thread.id, Notification.status == "overdue")).all()
    return [e.after for e in entries], list(told)


def test_a_reopened_thread_answered_in_time_is_not_overdue_anywhere(
        app, client, login, people, reopened):
    now = utcnow()
    assert not sla.is_overdue(reopened, now) and not reopened.is_overdue
    assert not _overdue_line_on_thread_page(client, login, people["officer"], reopened)
    assert "已超时" not in _inbox_row(client, login, people["officer"], reopened)
    assert dashboard.figures(people["leader"], 7, now=now)["overdue_now"] == 0
    assert reopened not in drilldown.threads_behind(people["leader"], {"overdue": "1"}, now=now)
    count, behind = _dashboard(client, login, people["leader"])
    assert count == 0 and f'data-thread-id="{reopened.id}"' not in behind
    assert supervision.check_overdue(now) == []
    assert _alerts(reopened) == ([], [])


def test_an_unanswered_thread_past_its_target_is_overdue_everywhere(
        app, client, login, people, unanswered):
    now = utcnow()
    assert sla.is_overdue(unanswered, now) and unanswered.is_overdue
    assert _overdue_line_on_thread_page(client, login, people["officer"], unanswered)
    assert "已超时" in _inbox_row(client, login, people["officer"], unanswered)
    assert dashboard.figures(people["leader"], 7, now=now)["overdue_now"] == 1
    assert drilldown.threads_behind(people["leader"], {"overdue": "1"}, now=now) == [unanswered]
    count, behind = _dashboard(client, login, people["leader"])
    assert count == 1 and f'data-thread-id="{unanswered.id}"' in behind
    assert supervision.check_overdue(now) == [unanswered]
    assert supervision.check_overdue(now + timedelta(hours=1)) == []  # told once
    details, told = _alerts(unanswered)
    assert len(details) == 1 and people["leader"].id in told
    assert details[0]["overdue_seconds"] >= 2 * 3600  # due 2.5 hours ago


def test_both_side_by_side_only_the_unanswered_one_counts(app, people, reopened, unanswered):
    now = utcnow()
    assert dashboard.figures(people["leader"], 7, now=now)["overdue_now"] == 1
    assert drilldown.threads_behind(people["leader"], {"overdue": "1"}, now=now) == [unanswered]
    assert [t.id for t in supervision.check_overdue(now)] == [unanswered.id]


def test_the_target_moment_itself_counts_as_overdue_in_python_and_sql(app, unanswered):
    due = unanswered.sla_due_at
    for now, expected in ((due - timedelta(seconds=1), False), (due, True)):
        assert sla.is_overdue(unanswered, now) is expected
        in_sql = db.session.scalar(db.select(Thread.id).where(
            Thread.id == unanswered.id, sla.overdue_clause(Thread, now)))
        assert (in_sql is not None) is expected


def test_a_thread_without_a_target_is_never_overdue(app, make, people):
    thread = make.make_thread(people["asker"], "report", kind="report")
    thread.sla_due_at = None
    db.session.commit()
    later = utcnow() + timedelta(days=30)
    assert not sla.is_overdue(thread, later)
    assert db.session.scalar(db.select(Thread.id).where(
        Thread.id == thread.id, sla.overdue_clause(Thread, later))) is None
