"""Thread kinds are one policy table (board/models/kinds.py): a kind added there, say a
lost-and-found notice, gets its label, its answer requirement and who may post it everywhere at
once — the new-thread form, posting, permissions, the thread page, the leaders' response times and
the admin's board list — with nothing else to edit."""
from __future__ import annotations

from datetime import timedelta

import pytest

from board import permissions
from board.extensions import db
from board.models import Thread, ThreadStatus, kinds, utcnow
from board.models.kinds import KindPolicy, Poster
from board.queries import leader as dashboard

pytestmark = pytest.mark.usefixtures("no_search_indexing")

LOST = "lost_found"


@pytest.fixture
def lost_found(make, monkeypatch):
    """A test-only kind in the one table, taken by the hukou board (as boards_config.yaml would)."""
    def define(**policy):
        monkeypatch.setitem(kinds.KINDS, LOST, KindPolicy("失物招领", **policy))
    board = make.board("hukou")
    board.kinds = [*board.kinds, LOST]
    db.session.commit()
    return define


def test_a_citizens_lost_and_found_notice_is_one_policy_entry(app, make, client, login,
                                                              lost_found):
    lost_found(needs_answer=False)
    citizen = make.make_user()
    login(citizen)
    form = client.get("/b/hukou/new").get_data(as_text=True)
    assert f'value="{LOST}"' in form and "失物招领" in form

    response = client.post("/b/hukou/new", data={
        "kind": LOST, "title": "捡到一个黑色钱包", "body": "在户政大厅捡到,已交窗口。"})
    assert response.status_code == 302
    thread = db.session.scalar(db.select(Thread).where(Thread.kind == LOST))
    # Needs no answer: born answered, no deadline, never in the officer's unanswered inbox.
    assert thread.kind == LOST and thread.status == ThreadStatus.ANSWERED
    assert thread.sla_due_at is None and thread.has_official_reply
    assert "失物招领" in client.get(f"/t/{thread.id}").get_data(as_text=True)


def test_the_same_entry_decides_who_may_post_and_whether_an_answer_is_owed(app, make,
                                                                           lost_found):
    lost_found(needs_answer=True, posted_by=Poster.OFFICIALS)
    citizen, officer = make.make_user(), make.make_user("officer", unit_code="hukou")
    assert not permissions.can(citizen, "thread.create_kind", LOST)
    assert permissions.can(officer, "thread.create_kind", LOST)

    thread = make.make_thread(officer, "hukou", kind=LOST, title="户政大厅失物招领")
    assert thread.status == ThreadStatus.AWAITING_REPLY and thread.sla_due_at is not None
    assert thread.kind_label == "失物招领"


def test_response_times_count_only_the_kinds_that_are_owed_an_answer(app, make, lost_found):
    lost_found(needs_answer=False)
    leader, officer = make.make_user("leader"), make.make_user("officer", unit_code="hukou")
    question = make.make_thread(board_slug="hukou", title="户口迁移要带什么")
    notice = make.make_thread(board_slug="hukou", kind=LOST, title="捡到一个黑色钱包")
    for thread, waited in ((question, timedelta(minutes=2)), (notice, timedelta(hours=5))):
        thread.created_at = utcnow() - timedelta(days=1)
        thread.first_response_at = thread.created_at + waited
        thread.first_responder_id = officer.id
    db.session.commit()

    figures = dashboard.figures(leader, 7)
    hukou = {row["key"]: row for row in figures["per_board"]}["hukou"]
    assert hukou["first_response_median"] == 120  # the notice's 5 hours are not a response time


def test_the_admin_board_list_shows_each_kind_by_its_policy_label(app, make, client, login,
                                                                  lost_found):
    lost_found(needs_answer=False)
    login(make.make_user("admin", real_name="管理员"))
    page = client.get("/admin/boards").get_data(as_text=True)
    assert "失物招领" in page and "问题" in page and ">question<" not in page


def test_a_kind_without_a_policy_is_refused_to_everyone(app, make):
    officer = make.make_user("officer", unit_code="hukou")
    assert not permissions.can(officer, "thread.create_kind", "gossip")
    assert kinds.label("gossip") == "gossip"  # an old row still renders, as stored
