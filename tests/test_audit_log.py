"""Issue 20: the audit log in plain Chinese — every security-relevant act recorded (account
created, role/unit/badge changed, password reset, suspended and reinstated, boards sync,
thesaurus and word-list changes) and read as staff name things; filters, keyset paging, CSV;
and append-only: no code path can change or delete an entry."""
from __future__ import annotations

import csv
import io
import shutil
from datetime import timedelta

import pytest
import yaml

from board.extensions import db
from board.models import AuditEntry, AuditLogIsAppendOnly, utcnow
from board.orm import story_time
from board.queries import audit_log
from board.services import accounts, boards, search_terms, supervision
from tests import factories

pytestmark = pytest.mark.usefixtures("no_search_indexing")  # search is tested elsewhere


def _latest(action: str) -> audit_log.Row:
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == action)
                              .order_by(AuditEntry.id.desc()).limit(1))
    assert entry is not None, action
    return audit_log.present([entry])[0]


def _changes(row: audit_log.Row) -> dict:
    return {c.label: (c.before, c.after) for c in row.changes}


@pytest.fixture
def staff(make):
    return {"admin": make.make_user("admin", username="root_admin"),
            "leader": make.make_user("leader", real_name="高振华")}


def test_account_created_and_changed_in_chinese(app, staff, client, login):
    login(staff["admin"])
    client.post("/admin/users", data={
        "role": "officer", "username": "officer_li", "password": "password123",
        "real_name": "李明", "badge_no": "150777", "unit": "traffic", "nickname": "",
        "contact": ""})
    created = _latest("user.create")
    assert created.action == "创建账号" and created.actor == staff["admin"].display_name
    assert created.target.startswith("账号 officer_li 李明(民警 150777)")
    assert _changes(created)["角色"] == ("—", "民警")
    assert _changes(created)["单位"] == ("—", factories.unit("traffic").name)
    officer = accounts.by_username("officer_li")
    page = client.post(f"/admin/users/{officer.id}/edit", data={
        "role": "leader", "real_name": "李明", "badge_no": "150778",
        "unit": "station-nanmen", "contact": ""})
    assert page.status_code == 302
    changed = _latest("user.role")
    assert changed.action == "角色变更"
    assert _changes(changed) == {
        "角色": ("民警", "领导"), "警号": ("150777", "150778"),
        "单位": (factories.unit("traffic").name, factories.unit("station-nanmen").name)}
    accounts.update_staff(staff["admin"], officer, unit_code="hukou")
    assert _latest("user.update").action == "修改账号资料"


def test_password_reset_suspend_reinstate_in_chinese(app, staff, client, login):
    target = factories.make_user("officer", username="reset_me")
    login(staff["admin"])
    unconfirmed = client.post(f"/admin/users/{target.id}/password", data={})
    assert unconfirmed.status_code == 400 and "请勾选确认" in unconfirmed.get_data(as_text=True)
    page = client.post(f"/admin/users/{target.id}/password", data={"confirm": "yes"})
    shown = page.get_data(as_text=True).split('class="temp-password">')[1].split("<")[0]
    assert len(shown) == 10 and accounts.by_username("reset_me").check_password(shown)
    reset = _latest("user.temporary_password")
    assert reset.action == "发放临时密码"
    assert _changes(reset) == {"临时密码": ("—", "已签发(仅显示一次)")}
    assert shown not in str(db.session.scalar(db.select(AuditEntry.after).where(
        AuditEntry.action == "user.temporary_password")))
    no_tick = client.post(f"/admin/users/{target.id}/suspend",
                          data={"reason": "离职", "back": "detail"})
    assert no_tick.status_code == 400 and not accounts.by_username("reset_me").disabled
    client.post(f"/admin/users/{target.id}/suspend",
                data={"reason": "调离岗位", "back": "detail", "confirm": "yes"})
    assert _changes(_latest("user.disable")) == {"停用": ("否", "是"),
                                                 "停用原因": ("—", "调离岗位")}
    no_reason = client.post(f"/admin/users/{target.id}/suspend",
                            data={"to": "reinstate", "back": "detail", "confirm": "yes"})
    assert no_reason.status_code == 400 and "请填写启用原因" in no_reason.get_data(as_text=True)
    client.post(f"/admin/users/{target.id}/suspend",
                data={"to": "reinstate", "reason": "返岗", "back": "detail", "confirm": "yes"})
    back = _latest("user.enable")
    assert back.action == "启用账号" and _changes(back)["原因"] == ("—", "返岗")


def test_boards_sync_records_only_what_changed(app, staff, tmp_path):
    path = tmp_path / "boards.yaml"
    shutil.copy(app.config["BOARDS_CONFIG"], path)
    before = db.session.scalar(db.select(db.func.count(AuditEntry.id)))
    boards.sync(str(path), actor=staff["admin"])  # the same file: nothing to record
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == before
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    hukou = next(b for b in data["boards"] if b["slug"] == "hukou")
    hukou["sla"] = {"minutes": 45, "hours": "always"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    boards.sync(str(path), actor=staff["admin"])
    row = _latest("boards.sync")
    assert row.action == "同步版块与单位配置" and row.actor == staff["admin"].display_name
    (change,) = row.changes
    assert change.label == "版块「户政」"
    assert "首次回复时限 45 分钟(全天)" in change.after and "45" not in change.before


def test_thesaurus_words_and_thread_actions_in_chinese(app, staff, tmp_path, make):
    search_terms.add_synonym(staff["admin"], "电瓶车 电动车")
    assert _changes(_latest("search.synonym")) == {"同义词": ("—", "电瓶车 电动车")}
    assert search_terms.add_word(staff["admin"], str(tmp_path), "跨境赌博")
    assert _latest("search.word_add").action == "添加分词词语"
    assert search_terms.remove_word(None, str(tmp_path), "跨境赌博")
    assert _latest("search.word_remove").actor == "系统"
    thread = make.make_thread(title="小区门口有人卖假药")
    supervision.supervise(staff["leader"], thread, "请三天内核实并答复")
    row = _latest("thread.supervise")
    assert row.target == f"帖子 #{thread.id} 小区门口有人卖假药" and row.href == f"/t/{thread.id}"
    assert _changes(row) == {"领导督办": ("否", "是"), "督办意见": ("—", "请三天内核实并答复")}
    assert "supervised" not in str(row.changes) and "False" not in str(row.changes)


def test_filters_paging_page_and_csv(app, staff, client, login, make):
    other = make.make_user("admin", username="second_admin")
    thread = make.make_thread(title="筛选用的帖子")
    for n in range(3):
        accounts.issue_temporary_password(staff["admin"], make.make_user(username=f"paged_{n}"))
    accounts.issue_temporary_password(other, make.make_user(username="by_other"))
    supervision.supervise(staff["leader"], thread, "尽快处理")
    with story_time(utcnow() - timedelta(days=10)):
        old = accounts.issue_temporary_password(other, make.make_user(username="long_ago")) and \
            db.session.scalar(db.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    mine = audit_log.Filters(person="root_admin", action="user.temporary_password")
    page1, after = audit_log.audit_entries(staff["leader"], filters=mine, limit=2)
    page2, end = audit_log.audit_entries(staff["leader"], filters=mine, limit=2,
                                         before_id=after)
    assert len(page1) == 2 and len(page2) == 1 and end is None
    assert {e.actor_id for e in page1 + page2} == {staff["admin"].id}
    by_thread, _ = audit_log.audit_entries(staff["leader"],
                                           filters=audit_log.Filters(thread=thread.id))
    assert [e.action for e in by_thread] == ["thread.supervise"]
    today = (utcnow() + timedelta(hours=8)).date()
    recent, _ = audit_log.audit_entries(staff["leader"], filters=audit_log.Filters(
        start=today - timedelta(days=1), end=today), limit=500)
    then = (old.created_at + timedelta(hours=8)).date()
    back_then, _ = audit_log.audit_entries(staff["leader"], filters=audit_log.Filters(
        start=then, end=then))
    assert old.id not in {e.id for e in recent} and [e.id for e in back_then] == [old.id]
    login(staff["leader"])
    html = client.get("/leader/audit?person=高振华").get_data(as_text=True)
    assert "督办" in html and "尽快处理" in html and "发放临时密码" not in html.split("<tbody>")[1]
    r = client.get("/leader/audit.csv?action=user.temporary_password")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["编号", "时间(北京时间)", "操作人"]
    assert len(rows) == 6 and {row[4] for row in rows[1:]} == {"发放临时密码"}
    assert all(row[1][:4].isdigit() and len(row[1]) == 19 for row in rows[1:])
    api = client.get("/api/v1/audit?action=thread.supervise").get_json()["entries"]
    assert api[0]["changes"][0] == {"field": "领导督办", "before": "否", "after": "是"}
    login(make.make_user("officer"))
    assert client.get("/leader/audit.csv").status_code == 403


def test_the_log_is_append_only(app, staff):
    accounts.issue_temporary_password(staff["admin"], staff["leader"])
    entry = db.session.scalar(db.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    entry.after = {"temporary_password": False}
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    for statement in (db.update(AuditEntry).values(action="x"), db.delete(AuditEntry)):
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.execute(statement)
        db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).after == {"temporary_password": True}
