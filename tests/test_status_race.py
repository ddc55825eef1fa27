"""Two people act on one thread at once: the status machine has one guarded writer, so a reply in
flight cannot undo an escalation that committed while it was being typed.

Each side runs in its own app context, hence its own SQLAlchemy session and connection, against
the same database file (or PostgreSQL database): the interleaving is real, not simulated."""
from __future__ import annotations

import pytest

from board.extensions import db
from board.models import Thread, User
from board.services import escalation, posting

pytestmark = pytest.mark.usefixtures("no_search_indexing")


def _escalate_elsewhere(app, leader_id: int, thread_id: int) -> None:
    """The leader's request: another session loads the thread, escalates it and commits."""
    with app.app_context():
        leader, thread = db.session.get(User, leader_id), db.session.get(Thread, thread_id)
        escalation.escalate(leader, thread, "群众反映有人持刀,需出警", "urgent")
        db.session.remove()


def test_an_escalation_committed_while_the_first_answer_is_in_flight_stays_escalated(
        app, make, client, login):
    officer = make.make_user("officer", unit_code="hukou", real_name="王海峰")
    leader, dispatcher = make.make_user("leader"), make.make_user("dispatcher")
    thread = make.make_thread(board_slug="hukou", body="楼下有人拿着刀在吵架,怎么办?")
    reply_session = db.session()
    assert thread.status == "awaiting_reply"  # the officer's page loaded it unanswered

    _escalate_elsewhere(app, leader.id, thread.id)
    assert db.session() is reply_session and thread.status == "awaiting_reply"  # still stale
    posting.reply(officer, thread, "您好,已转110指挥中心,请注意安全,远离现场。")

    login(dispatcher)
    shown = client.get(f"/api/v1/threads/{thread.id}").get_json()["thread"]
    assert shown["status"] == "escalated"
    assert shown["reply_count"] == 1 and shown["official_answered"] is True  # the answer counts
    queue = client.get("/api/v1/command-centre/queue").get_json()
    assert [t["id"] for t in queue["waiting"]] == [thread.id]


def test_the_first_answer_still_marks_an_untouched_thread_answered(app, make):
    officer = make.make_user("officer", unit_code="hukou")
    thread = make.make_thread(board_slug="hukou")
    posting.reply(officer, thread, "带上户口簿到户籍窗口办理。")
    db.session.expire_all()
    assert thread.status == "answered" and thread.has_official_reply
