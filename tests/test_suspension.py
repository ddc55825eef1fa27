"""Suspending an account (停用) and reinstating it (启用): one service, one permission, one audit
shape, whether an admin uses the users page, the review queue or the command line (issue 14)."""
from __future__ import annotations

import pytest

from board.errors import PermissionDenied, ValidationFailed
from board.extensions import db
from board.models import AuditEntry, User
from board.services import accounts

pytestmark = pytest.mark.usefixtures("no_search_indexing")


def _fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def _audit(user: User) -> list[AuditEntry]:
    return list(db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.target_type == "user", AuditEntry.target_id == user.id)
        .order_by(AuditEntry.id)))


@pytest.mark.parametrize("role", ["citizen", "officer", "leader", "dispatcher"])
def test_only_admins_may_suspend_even_when_calling_the_service_directly(make, role):
    troll, someone = make.make_user(), make.make_user(role)
    with pytest.raises(PermissionDenied):
        accounts.suspend(someone, troll, "多次发布广告")
    assert not _fresh(troll).disabled and _audit(troll) == []


def test_nobody_suspends_themselves_even_through_the_service(make):
    admin = make.make_user("admin")
    make.make_user("admin")  # not the last admin either: the refusal is about oneself
    with pytest.raises(PermissionDenied) as refused:
        accounts.suspend(admin, admin, "手滑了")
    assert "自己" in refused.value.message
    assert not _fresh(admin).disabled


def test_the_service_refuses_a_suspension_without_a_reason(make):
    troll, admin = make.make_user(), make.make_user("admin")
    for reason in ("", "   ", "x"):
        with pytest.raises(ValidationFailed) as refused:
            accounts.suspend(admin, troll, reason)
        assert "停用原因" in refused.value.fields["reason"]
    assert not _fresh(troll).disabled


def test_admin_page_refuses_a_suspension_without_a_reason_and_keeps_what_was_typed(
        client, make, login):
    troll = make.make_user(username="troll_1")
    login(make.make_user("admin"))
    response = client.post(f"/admin/users/{troll.id}/disable", data={"reason": "广"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请填写停用原因" in page and 'value="广"' in page
    assert not _fresh(troll).disabled
    empty = client.post(f"/admin/users/{troll.id}/disable", data={"reason": ""})
    assert empty.status_code == 400 and "请填写停用原因" in empty.get_data(as_text=True)
    assert not _fresh(troll).disabled


def test_admin_page_suspends_with_a_reason_and_shows_it(client, make, login):
    troll = make.make_user(username="troll_2")
    login(make.make_user("admin"))
    page = client.get(f"/admin/users/{troll.id}").get_data(as_text=True)  # the confirmation
    assert 'name="reason"' in page and 'name="confirm"' in page
    response = client.post(f"/admin/users/{troll.id}/disable", data={"reason": "多次发布广告"})
    assert response.status_code == 302
    assert _fresh(troll).disabled and _fresh(troll).disabled_reason == "多次发布广告"
    assert "多次发布广告" in client.get("/admin/users").get_data(as_text=True)


def test_reinstating_clears_the_reason_on_both_urls(client, make, login):
    first, second = make.make_user(), make.make_user()
    login(make.make_user("admin"))
    for user, url in ((first, "disable"), (second, "suspend")):
        client.post(f"/admin/users/{user.id}/{url}", data={"reason": "发布违法信息"})
        assert _fresh(user).disabled_reason == "发布违法信息"
        assert client.post(f"/admin/users/{user.id}/{url}").status_code == 302  # 启用
        assert not _fresh(user).disabled and _fresh(user).disabled_reason is None


def test_reinstating_through_the_service_clears_the_reason(make):
    troll, admin = make.make_user(), make.make_user("admin")
    accounts.suspend(admin, troll, "发布违法信息")
    accounts.reinstate(admin, troll)
    assert not _fresh(troll).disabled and _fresh(troll).disabled_reason is None


def test_admin_page_review_queue_and_command_line_write_the_same_audit_shape(
        client, make, login, flask_cli):
    admin = make.make_user("admin")
    on_page, in_queue, on_cli = (make.make_user(username=f"shape_{n}") for n in range(3))
    login(admin)
    client.post(f"/admin/users/{on_page.id}/disable", data={"reason": "多次发布广告"})
    client.post(f"/admin/users/{in_queue.id}/suspend", data={"reason": "多次发布广告",
                                                           "back": "review"})
    assert flask_cli("users", "disable", on_cli.username).exit_code == 0
    shapes = []
    for user in (on_page, in_queue, on_cli):
        (entry,) = _audit(user)
        assert entry.action == "user.disable"
        assert entry.before == {"disabled": False, "disabled_reason": None}
        assert entry.after["disabled"] is True and entry.after["disabled_reason"]
        shapes.append((entry.action, sorted(entry.before), sorted(entry.after)))
    assert shapes[0] == shapes[1] == shapes[2]
    assert [_audit(u)[0].actor_id for u in (on_page, in_queue, on_cli)] == [admin.id] * 2 + [None]

    client.post(f"/admin/users/{on_page.id}/disable")
    client.post(f"/admin/users/{in_queue.id}/suspend")
    assert flask_cli("users", "enable", on_cli.username).exit_code == 0
    for user in (on_page, in_queue, on_cli):
        entry = _audit(user)[-1]
        assert entry.action == "user.enable"
        assert entry.before["disabled"] is True and entry.before["disabled_reason"]
        assert entry.after == {"disabled": False, "disabled_reason": None}


def test_the_command_line_is_recorded_as_the_system_in_the_audit_log(client, make, login,
                                                                   flask_cli):
    user = make.make_user(username="cli_target")
    assert flask_cli("users", "disable", "cli_target", "--reason", "账号被盗用").exit_code == 0
    assert _fresh(user).disabled_reason == "账号被盗用"
    login(make.make_user("admin"))
    page = client.get("/leader/audit").get_data(as_text=True)
    assert "系统" in page and "账号被盗用" in page


def test_the_last_active_admin_cannot_be_suspended_even_from_the_command_line(make, flask_cli):
    only = make.make_user("admin", username="only_admin")
    result = flask_cli("users", "disable", "only_admin")
    assert result.exit_code != 0 and "最后一个" in result.output
    assert not _fresh(only).disabled
    make.make_user("admin")
    assert flask_cli("users", "disable", "only_admin").exit_code == 0
    assert _fresh(only).disabled


def test_suspending_from_the_review_queue_returns_to_the_queue(client, make, login):
    thread = make.make_thread(title="刷单返利日结高薪", body="加我")
    login(make.make_user("admin"))
    queue = client.get("/review").get_data(as_text=True)
    assert f"/admin/users/{thread.author_id}/suspend" in queue
    response = client.post(f"/admin/users/{thread.author_id}/suspend",
                           data={"reason": "发布违法信息", "back": "review"})
    assert response.status_code == 302 and response.location.endswith("/review")
    assert _fresh(thread.author).disabled_reason == "发布违法信息"
