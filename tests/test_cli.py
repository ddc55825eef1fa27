"""`flask users create|list|disable|enable` and `flask boards sync` through the Flask CLI runner."""
from __future__ import annotations

import pytest

from board.extensions import db
from board.models import Role, User
from board.services import accounts

pytestmark = pytest.mark.usefixtures("no_search_indexing")


def _user(username: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.username == username))


def test_create_officer(flask_cli, client, make):
    result = flask_cli("users", "create", "--role", "officer", "--username", "officer_zhang",
                       "--password", "pass-2026-x", "--real-name", "张伟", "--badge-no", "150123",
                       "--unit", "hukou")
    assert result.exit_code == 0, result.output
    assert "officer_zhang" in result.output
    officer = _user("officer_zhang")
    assert officer.role == Role.OFFICER and officer.real_name == "张伟"
    assert officer.badge_no == "150123" and officer.unit.code == "hukou"
    assert officer.check_password("pass-2026-x")
    assert accounts.authenticate("officer_zhang", "pass-2026-x") is not None

    # and the officer answers with the badge
    thread = make.make_thread()
    make.make_post(thread, officer)
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert "张伟" in page and "150123" in page and "市公安局户政管理支队" in page


EVERY_ROLE = [
    ("leader", ["--real-name", "赵建国", "--badge-no", "150001", "--unit", "city-bureau",
                "--contact", "0472-5110110"]),
    ("dispatcher", ["--real-name", "李晓燕", "--badge-no", "150110", "--unit", "command-110"]),
    ("admin", ["--real-name", "系统管理员"]),
    ("citizen", ["--nickname", "热心市民"]),
]


def test_create_every_role(flask_cli):
    for role, extra in EVERY_ROLE:
        result = flask_cli("users", "create", "--role", role, "--username", f"new_{role}",
                           "--password", "password123", *extra)
        assert result.exit_code == 0, result.output
        assert _user(f"new_{role}").role == role
    leader = _user("new_leader")
    assert leader.contact == "0472-5110110" and leader.unit.code == "city-bureau"
    assert _user("new_citizen").nickname == "热心市民"


def test_officer_with_a_bad_unit_is_refused(flask_cli):
    for args in (["--unit", "no-such-unit"], ["--unit", ""], []):
        result = flask_cli("users", "create", "--role", "officer", "--username", "bad_unit",
                           "--password", "password123", "--real-name", "张伟",
                           "--badge-no", "150124", *args)
        assert result.exit_code != 0, args
        assert "unit" in result.output and "请选择所属单位" in result.output
        assert "Traceback" not in result.output
        assert _user("bad_unit") is None


def test_officer_needs_name_and_badge_and_a_unique_badge(flask_cli, make):
    result = flask_cli("users", "create", "--role", "officer", "--username", "no_name",
                       "--password", "password123", "--unit", "hukou")
    assert result.exit_code != 0
    assert "民警须填写真实姓名" in result.output and "民警须填写警号" in result.output
    make.make_user("officer", badge_no="150500")
    result = flask_cli("users", "create", "--role", "officer", "--username", "dup_badge",
                       "--password", "password123", "--real-name", "王五", "--badge-no", "150500",
                       "--unit", "hukou")
    assert result.exit_code != 0 and "该警号已存在" in result.output
    assert _user("no_name") is None and _user("dup_badge") is None


def test_duplicate_username_and_bad_role_are_refused(flask_cli, make):
    make.make_user(username="taken")
    result = flask_cli("users", "create", "--role", "citizen", "--username", "taken",
                       "--password", "password123")
    assert result.exit_code != 0 and "该用户名已被注册" in result.output
    result = flask_cli("users", "create", "--role", "sheriff", "--username", "x_sheriff",
                       "--password", "password123")
    assert result.exit_code != 0 and "sheriff" in result.output


def test_list_shows_users_roles_badges_units_and_state(flask_cli, make):
    make.make_user("officer", unit_code="traffic", username="traffic_cop", badge_no="150123",
                   real_name="张伟")
    citizen = make.make_user(username="plain_citizen", nickname="老王")
    accounts.suspend(accounts.SYSTEM, citizen, "测试停用")
    result = flask_cli("users", "list")
    assert result.exit_code == 0, result.output
    lines = {line.split()[1]: line for line in result.output.splitlines() if line.strip()}
    assert "officer" in lines["traffic_cop"] and "150123" in lines["traffic_cop"]
    assert "traffic" in lines["traffic_cop"] and "张伟" in lines["traffic_cop"]
    assert "active" in lines["traffic_cop"]
    assert "disabled" in lines["plain_citizen"] and "citizen" in lines["plain_citizen"]

    only_officers = flask_cli("users", "list", "--role", "officer")
    assert "traffic_cop" in only_officers.output and "plain_citizen" not in only_officers.output


def test_disable_and_enable(flask_cli, client, make):
    user = make.make_user(username="to_disable")
    result = flask_cli("users", "disable", "to_disable")
    assert result.exit_code == 0, result.output
    assert _user("to_disable").disabled
    response = client.post("/login", data={"username": "to_disable", "password": "password123"})
    assert response.status_code == 403
    assert "由系统管理员在命令行停用" in response.get_data(as_text=True)

    assert flask_cli("users", "enable", "to_disable").exit_code == 0
    assert not _user("to_disable").disabled
    response = client.post("/login", data={"username": user.username, "password": "password123"})
    assert response.status_code == 302


def test_disable_an_unknown_user_fails(flask_cli):
    result = flask_cli("users", "disable", "nobody_here")
    assert result.exit_code != 0 and "用户不存在" in result.output
