"""Demo data: a fresh board looks lived-in, and the demo obeys the same rules as real use."""
from __future__ import annotations

import re

import pytest

from board import demo
from board.demo import threads as demo_threads
from board.extensions import db
from board.models import Board, Post, Thread, User, utcnow
from board.queries import inbox
from board.services import accounts


@pytest.fixture(autouse=True)
def _index_later(app):
    """Seeding makes ~300 commits; indexing each one synchronously is the search tests' business."""
    app.config["SEARCH_SYNC"] = False


def _posts(thread: Thread) -> list[Post]:
    return list(db.session.scalars(
        db.select(Post).where(Post.thread_id == thread.id).order_by(Post.id)))


def test_seed_fills_all_twelve_boards(app):
    assert demo.seed() is True
    boards = list(db.session.scalars(db.select(Board)))
    assert len(boards) == 12
    for board in boards:
        count = db.session.scalar(
            db.select(db.func.count(Thread.id)).where(Thread.board_id == board.id))
        assert count >= 2, board.slug
        assert board.thread_count == count, board.slug
    total = db.session.scalar(db.select(db.func.count(Thread.id)))
    assert 40 <= total <= 60


def test_threads_use_only_kinds_their_board_allows_and_notices_are_official(app):
    demo.seed()
    kinds = set()
    for thread in db.session.scalars(db.select(Thread)):
        assert thread.board.allows_kind(thread.kind), (thread.board.slug, thread.kind)
        kinds.add(thread.kind)
        if thread.kind == "publicity":
            assert thread.author.is_official
        assert not thread.hidden  # nothing in the demo trips the moderation word list
    # Issue 21: a found wallet and a missing-person appeal (board/demo/bulletins.py).
    assert kinds == {"report", "help", "question", "publicity", "lost_found", "missing_person"}


def test_officer_replies_carry_name_badge_and_unit(app, client):
    demo.seed()
    official = list(db.session.scalars(db.select(Post).where(Post.official.is_(True))))
    assert len(official) >= 30
    for post in official:
        assert post.official_name and post.official_unit
        assert re.fullmatch(r"\d{6}", post.official_badge_no)
    thread = db.session.scalar(db.select(Thread).where(Thread.title.contains("蒙B12345")))
    data = client.get(f"/api/v1/threads/{thread.id}").get_json()
    first = data["posts"][0]
    assert first["official"] is True
    assert first["author"]["badge_no"] == "150128"
    assert first["author"]["unit"] == "市公安局交通警察支队"


def test_response_and_activity_times_match_the_backdated_posts(app):
    demo.seed()
    now = utcnow()
    answered = 0
    for thread in db.session.scalars(db.select(Thread)):
        posts = _posts(thread)
        times = [p.created_at for p in posts]
        assert times == sorted(times) and all(thread.created_at < t <= now for t in times)
        official = [p for p in posts if p.official]
        if official:
            answered += 1
            assert thread.first_response_at == official[0].created_at
            assert thread.first_responder_id == official[0].author_id
        else:
            assert thread.first_response_at is None
        assert thread.last_activity_at == (times[-1] if times else thread.created_at)
    oldest = db.session.scalar(db.select(db.func.min(Thread.created_at)))
    assert 10 <= (now - oldest).days <= 15  # about a fortnight of history
    assert answered >= 30


def test_some_threads_still_wait_so_officers_have_an_inbox(app):
    demo.seed()
    waiting = db.session.scalar(
        db.select(db.func.count(Thread.id)).where(Thread.status == "awaiting_reply"))
    assert 5 <= waiting <= 15
    officer = db.session.scalar(db.select(User).where(User.username == "hukou_wang"))
    assert [t.title for t in inbox.threads_for(officer)]


def test_demo_accounts_sign_in_with_the_printed_password(app, capsys):
    demo.seed()
    for username in ("admin", "leader_gao", "dispatch_han", "traffic_zhang", "hk_chan"):
        assert accounts.authenticate(username, demo.DEMO_PASSWORD) is not None, username
    assert accounts.authenticate("laowang", "wrong-password") is None
    leader = db.session.scalar(db.select(User).where(User.role == "leader"))
    assert leader.contact
    demo.print_logins()
    out = capsys.readouterr().out
    assert demo.DEMO_PASSWORD in out and "traffic_zhang" in out and "150123" in out
    assert "市公安局交通警察支队" in out and "hk_chan" in out


def test_seeding_twice_does_nothing_the_second_time(app):
    assert demo.seed() is True
    threads = db.session.scalar(db.select(db.func.count(Thread.id)))
    users = db.session.scalar(db.select(db.func.count(User.id)))
    assert demo.seed() is False
    assert db.session.scalar(db.select(db.func.count(Thread.id))) == threads
    assert db.session.scalar(db.select(db.func.count(User.id))) == users


def test_a_database_in_real_use_is_never_seeded(app, make, capsys):
    make.make_user("admin", username="realadmin", real_name="管理员")
    assert demo.seed() is False
    assert db.session.scalar(db.select(db.func.count(Thread.id))) == 0
    demo.print_logins()  # no demo accounts here: nothing to announce
    assert capsys.readouterr().out == ""


def test_thread_times_are_written_as_days_and_clock_or_as_a_span(app):
    now = utcnow()
    assert (now - demo_threads.opened_at("-2h30m", now)).total_seconds() == 9000
    assert (now - demo_threads.opened_at("-40m", now)).total_seconds() == 2400
    three_days = demo_threads.opened_at("-3d 09:12", now).astimezone(demo_threads.BEIJING)
    assert (three_days.hour, three_days.minute) == (9, 12)
    assert (now.astimezone(demo_threads.BEIJING).date() - three_days.date()).days == 3
