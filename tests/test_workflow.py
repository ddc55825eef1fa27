"""The workflow table (board/models/workflow.py) is the one place that says who may act on a thread
in which status: the escalate/dispatch/supervise/rate permissions, the services' 409s and the
buttons on the thread page all follow it."""
from __future__ import annotations

import pytest

from board import permissions
from board.extensions import db
from board.models import workflow
from board.services import status

pytestmark = pytest.mark.usefixtures("no_search_indexing")
CAST = {"author": "citizen", "responsible": "officer", "leader": "leader",
        "dispatcher": "dispatcher", "admin": "admin"}


def _resolve(make, thread) -> None:
    """An officer of the board answers, then marks the matter resolved."""
    officer = make.make_user("officer", unit_code="hukou")
    make.make_post(thread, officer, "已为您核实处理。")
    status.change(officer, thread, "resolved", "已办结")


def test_escalate_and_dispatch_permissions_are_the_tables_who_column(make):
    thread = make.make_thread(board_slug="hukou")
    users = {part: (thread.author if part == "author" else
                    make.make_user(role, unit_code="hukou" if role == "officer" else None))
             for part, role in CAST.items()}
    for action, via in (("thread.escalate", "escalate"), ("thread.dispatch", "dispatch")):
        allowed = {part for part, user in users.items() if permissions.can(user, action, thread)}
        assert allowed == set(workflow.who_via(via)), action
    assert workflow.who_via("escalate") == {"responsible", "leader"}
    assert workflow.who_via("dispatch") == {"dispatcher"}


def test_a_leader_may_supervise_an_open_thread_but_not_a_closed_one(make, client, login):
    leader = make.make_user("leader")
    thread = make.make_thread(board_slug="hukou")
    login(leader)
    assert "data-supervise" in client.get(f"/t/{thread.id}").get_data(as_text=True)

    _resolve(make, thread)
    status.change(thread.author, thread, "closed", "谢谢")
    db.session.expire_all()
    assert "data-supervise" not in client.get(f"/t/{thread.id}").get_data(as_text=True)
    r = client.post(f"/api/v1/threads/{thread.id}/supervise", json={"instruction": "今日内答复"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "illegal_transition"


def test_the_asker_is_offered_the_rating_only_once_the_matter_is_resolved(make, client, login):
    thread = make.make_thread(board_slug="hukou")
    login(thread.author)
    assert "data-rating-form" not in client.get(f"/t/{thread.id}").get_data(as_text=True)
    r = client.post(f"/api/v1/threads/{thread.id}/rate", json={"score": 5})
    assert r.status_code == 409
    assert r.get_json()["error"]["fields"]["status"] == "允许评价的状态: resolved, closed"

    _resolve(make, thread)
    db.session.expire_all()
    assert "data-rating-form" in client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert client.post(f"/api/v1/threads/{thread.id}/rate", json={"score": 5}).status_code == 201
