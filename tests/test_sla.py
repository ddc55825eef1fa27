"""Response-time targets: working hours with China's holidays and 调休 make-up days, overdue
marking with a frozen clock (`now` passed in), and the leaders' overdue alert sent once."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from board import sla
from board.extensions import db
from board.models import AuditEntry, Notification
from board.services import supervision

BJ = sla.BEIJING


def bj(*args) -> datetime:
    return datetime(*args, tzinfo=BJ)


@pytest.mark.parametrize("start,minutes,expected", [
    # A plain Tuesday: inside the day.
    (bj(2026, 11, 17, 9, 0), 240, bj(2026, 11, 17, 13, 0)),
    # Before opening: the clock starts at 08:30.
    (bj(2026, 11, 17, 6, 0), 30, bj(2026, 11, 17, 9, 0)),
    # Friday evening: over the weekend to Monday morning.
    (bj(2026, 11, 20, 17, 0), 60, bj(2026, 11, 23, 9, 0)),
    # Posted on a Sunday: counting starts Monday 08:30.
    (bj(2026, 11, 22, 10, 0), 60, bj(2026, 11, 23, 9, 30)),
    # National Day: 2026-10-01..07 are off, the answer is due on Thursday 10-08.
    (bj(2026, 9, 30, 16, 30), 240, bj(2026, 10, 8, 11, 30)),
    # Posted during the holiday itself.
    (bj(2026, 10, 3, 11, 0), 30, bj(2026, 10, 8, 9, 0)),
    # 调休: Saturday 2026-10-10 is a make-up working day.
    (bj(2026, 10, 9, 17, 0), 60, bj(2026, 10, 10, 9, 0)),
    # ...and Sunday 2026-09-20 too (before Mid-Autumn on Friday 09-25, a holiday).
    (bj(2026, 9, 19, 12, 0), 30, bj(2026, 9, 20, 9, 0)),
    (bj(2026, 9, 24, 17, 0), 60, bj(2026, 9, 28, 9, 0)),
])
def test_working_hours_due_time(start, minutes, expected):
    assert sla.due_at(start, minutes, sla.WORKING) == expected


def test_around_the_clock_ignores_holidays():
    start = bj(2026, 10, 1, 23, 50)
    assert sla.due_at(start, 30, sla.ALWAYS) == start + timedelta(minutes=30)
    assert sla.due_at(start, None) is None


def test_calendar_days():
    assert not sla.is_working_day(datetime(2026, 10, 1).date())
    assert sla.is_working_day(datetime(2026, 10, 10).date())  # a Saturday, 调休
    assert not sla.is_working_day(datetime(2026, 10, 11).date())


def test_new_thread_gets_its_board_deadline(app, make):
    report = make.make_thread(board_slug="report", kind="report")
    assert report.sla_due_at == report.created_at + timedelta(minutes=30)
    hukou = make.make_thread(board_slug="hukou")
    assert hukou.sla_due_at == sla.due_at(hukou.created_at, 240, sla.WORKING)


def test_overdue_with_a_frozen_clock(app, make):
    thread = make.make_thread(board_slug="report", kind="report")
    due = thread.sla_due_at
    assert not sla.is_overdue(thread, due - timedelta(seconds=1))
    assert sla.is_overdue(thread, due)
    assert sla.overdue_seconds(thread, due + timedelta(minutes=5)) == 300
    officer = make.make_user("officer", unit_code="station-nanmen")
    make.make_post(thread, officer, "已收到。")
    db.session.refresh(thread)
    assert not sla.is_overdue(thread, due + timedelta(hours=1))


def test_leaders_are_told_once(app, make):
    branch_leader = make.make_user("leader", unit_code="branch-donghe")
    bureau_leader = make.make_user("leader", unit_code="city-bureau")
    traffic_leader = make.make_user("leader", unit_code="traffic")
    thread = make.make_thread(board_slug="report", kind="report")
    before = thread.sla_due_at - timedelta(minutes=1)
    assert supervision.check_overdue(before) == []
    later = thread.sla_due_at + timedelta(minutes=1)
    assert [t.id for t in supervision.check_overdue(later)] == [thread.id]
    assert supervision.check_overdue(later + timedelta(hours=1)) == []  # once only
    told = set(db.session.scalars(db.select(Notification.user_id).where(
        Notification.thread_id == thread.id, Notification.kind == "work",
        Notification.status == "overdue")))
    # The report board's stations sit under the district branches and the city bureau.
    assert {branch_leader.id, bureau_leader.id} <= told
    assert traffic_leader.id not in told
    assert db.session.scalar(db.select(AuditEntry.id).where(
        AuditEntry.action == "sla.overdue", AuditEntry.target_id == thread.id))


def test_inbox_marks_overdue_threads(app, make, client, login):
    officer = make.make_user("officer", unit_code="hukou")
    late = make.make_thread(board_slug="hukou", body="等了很久了")
    late.sla_due_at = datetime.now(UTC) - timedelta(minutes=5)
    fresh = make.make_thread(board_slug="hukou", body="刚刚发的")
    db.session.commit()
    login(officer)
    page = client.get("/inbox").get_data(as_text=True)
    row = page[page.index(f'data-thread-id="{late.id}"'):]
    assert "已超时" in row[:row.index("</li>")]
    row = page[page.index(f'data-thread-id="{fresh.id}"'):]
    assert "已超时" not in row[:row.index("</li>")]


def test_sla_check_command(app, make):
    thread = make.make_thread(board_slug="report", kind="report")
    when = (thread.sla_due_at + timedelta(minutes=1)).isoformat()
    result = app.test_cli_runner().invoke(args=["sla", "check", "--now", when])
    assert result.exit_code == 0, result.output
    assert f"#{thread.id}" in result.output and "1 newly overdue" in result.output
