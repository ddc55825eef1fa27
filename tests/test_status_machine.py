"""The thread status state machine: every allowed and every forbidden move, by role.

The expected table below is written out independently of board/models/workflow.py (it is the
issue's flow); the test drives the real services and checks each outcome: done, 409 with the
allowed moves named, or 403.
"""
from __future__ import annotations

import itertools

import pytest

from board import errors
from board.extensions import db
from board.models import Thread, ThreadStatus, Unit, workflow
from board.services import escalation, status

S = ThreadStatus
ALLOWED = {
    ("awaiting_reply", "answered"): {"responsible", "leader"},
    ("awaiting_reply", "escalated"): {"responsible", "leader"},
    ("answered", "escalated"): {"responsible", "leader"},
    ("escalated", "dispatched"): {"dispatcher"},
    ("escalated", "answered"): {"dispatcher", "leader"},
    ("dispatched", "handling"): {"handler", "leader"},
    ("handling", "resolved"): {"handler", "leader"},
    ("answered", "resolved"): {"responsible", "leader"},
    ("answered", "closed"): {"author", "responsible", "leader", "admin"},
    ("resolved", "closed"): {"author", "responsible", "handler", "leader", "admin"},
    ("resolved", "handling"): {"handler", "leader"},
    ("resolved", "awaiting_reply"): {"author", "responsible", "leader"},
    ("closed", "awaiting_reply"): {"author", "leader", "admin"},
}
ROLES = ("author", "responsible", "handler", "outsider", "leader", "dispatcher", "admin",
         "citizen")
DISPATCHED_STATES = {"dispatched", "handling", "resolved", "closed"}
STATES = [s.value for s in S]


def test_the_service_table_is_the_issue_flow():
    assert {k: set(v.who) for k, v in workflow.TRANSITIONS.items()} == ALLOWED


@pytest.fixture
def cast(make):
    author = make.make_user("citizen")
    users = {
        "author": author,
        "responsible": make.make_user("officer", unit_code="hukou"),
        "handler": make.make_user("officer", unit_code="station-nanmen"),
        "outsider": make.make_user("officer", unit_code="traffic"),
        "leader": make.make_user("leader"),
        "dispatcher": make.make_user("dispatcher"),
        "admin": make.make_user("admin"),
        "citizen": make.make_user("citizen"),
    }
    thread = make.make_thread(author, "hukou", body="户口迁移需要什么材料?")
    return users, thread


def _put(thread, state: str, n: int) -> None:
    """Force the thread into a state (with a dispatch history where the state implies one)."""
    nanmen = db.session.scalar(db.select(Unit).where(Unit.code == "station-nanmen"))
    thread.status = state
    dispatched = state in DISPATCHED_STATES
    thread.dispatched_unit_id = nanmen.id if dispatched else None
    thread.incident_no = f"JQ20260101-{n:04d}" if dispatched else None
    db.session.commit()


def _attempt(user, thread, to: str):
    if to == "escalated":
        return escalation.escalate(user, thread, "需要出警核查", "urgent")
    if to == "dispatched":
        return escalation.dispatch(user, thread, "station-nanmen", "请尽快到场")
    return status.change(user, thread, to, "说明")


@pytest.mark.parametrize("frm", STATES)
def test_every_move_by_every_role(cast, frm):
    """From one state: every target state, tried by every role (49 × 8 attempts in all)."""
    users, thread = cast
    counter = itertools.count(1)
    for to, role in itertools.product([s for s in STATES if s != frm], ROLES):
        _put(thread, frm, next(counter))
        effective = role
        if role == "handler" and frm not in DISPATCHED_STATES:
            effective = "outsider"  # only the unit it was dispatched to handles it
        expected = ALLOWED.get((frm, to))
        case = (role, frm, to)
        if expected is None:
            with pytest.raises(errors.Conflict) as info:
                _attempt(users[role], thread, to)
            assert info.value.status == 409
            for name in [b for (a, b) in ALLOWED if a == frm]:
                assert name in info.value.message, (case, info.value.message)
        elif effective in expected:
            _attempt(users[role], thread, to)
            db.session.refresh(thread)
            assert thread.status == to, case
        else:
            with pytest.raises(errors.PermissionDenied):
                _attempt(users[role], thread, to)
            db.session.refresh(thread)
            assert thread.status == frm, case


def test_reopening_into_handling_needs_a_dispatch(cast):
    users, thread = cast
    _put(thread, "resolved", 1)
    thread.dispatched_unit_id, thread.incident_no = None, None
    db.session.commit()
    with pytest.raises(errors.Conflict) as info:
        status.change(users["leader"], thread, "handling")
    assert "awaiting_reply" in info.value.message and "closed" in info.value.message


def test_escalate_and_dispatch_only_through_their_own_endpoints(cast):
    users, thread = cast
    with pytest.raises(errors.ValidationFailed) as info:
        status.change(users["responsible"], thread, "escalated")
    assert "/escalate" in info.value.message
    _put(thread, "escalated", 1)
    with pytest.raises(errors.ValidationFailed):
        status.change(users["dispatcher"], thread, "dispatched")


def test_first_official_reply_answers_and_citizen_reply_does_not(cast, make):
    users, thread = cast
    make.make_post(thread, users["author"], "补充一下情况")
    db.session.refresh(thread)
    assert thread.status == "awaiting_reply"
    make.make_post(thread, users["responsible"], "您好,请带户口簿到派出所办理。")
    db.session.refresh(thread)
    assert thread.status == "answered" and thread.first_response_at is not None


def test_api_answers_403_for_wrong_role_and_409_naming_allowed(cast, client, login):
    users, thread = cast
    login(users["citizen"])
    r = client.post(f"/api/v1/threads/{thread.id}/status", json={"status": "answered"})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"
    r = client.post(f"/api/v1/threads/{thread.id}/status", json={"status": "resolved"})
    assert r.status_code == 409
    error = r.get_json()["error"]
    assert error["code"] == "illegal_transition"
    assert "answered" in error["message"] and "escalated" in error["message"]
    r = client.post(f"/api/v1/threads/{thread.id}/status", json={"status": "bogus"})
    assert r.status_code == 400


def test_two_people_moving_one_thread_at_once_cannot_both_win(cast):
    users, thread = cast
    _put(thread, "dispatched", 1)
    assert thread.status == "dispatched"  # this page/tab loaded the thread as dispatched
    with db.engine.begin() as other:  # meanwhile another officer moved it on
        other.execute(db.update(Thread).where(Thread.id == thread.id).values(status="handling"))
    with pytest.raises(errors.Conflict) as info:
        status.change(users["handler"], thread, "handling")
    assert info.value.code == "stale_status"
