"""Issue 20: admins find accounts (search, filters, keyset pages, masked phones) and import
police accounts from CSV or Excel — a dry run listing every problem by row, then all or none,
with one-time temporary passwords; the same from `flask users import FILE [--dry-run]`."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from board.errors import ValidationFailed
from board.extensions import db
from board.models import AuditEntry, User
from board.queries import users as users_query
from board.services import staff_import
from tests import factories

pytestmark = pytest.mark.usefixtures("no_search_indexing")  # search is tested elsewhere

HEADER = "姓名,警号,单位代码,角色\n"
GOOD = (HEADER + "张伟,160001,station-nanmen,民警\n李娜,160002,traffic,领导\n"
        "王强,160003,市公安局户政管理支队,指挥中心\n")


def _count() -> int:
    return db.session.scalar(db.select(db.func.count(User.id)))


def test_dry_run_lists_every_problem_by_row_and_writes_nothing(app, make):
    make.make_user("officer", badge_no="170000")
    bad = (HEADER + "张伟,160001,station-nanmen,民警\n"
           ",160002,traffic,民警\n"  # row 3: no name
           "赵六,160001,traffic,民警\n"  # row 4: badge repeats row 2
           "钱七,170000,traffic,民警\n"  # row 5: badge has an account
           "孙八,160005,no-such-unit,民警\n"  # row 6: unknown unit
           "周九,160006,traffic,市民\n")  # row 7: not an importable role
    before = _count()
    plan = staff_import.plan("officers.csv", bad.encode("utf-8"))
    assert [(p.row, p.field) for p in plan.problems] == [
        (3, "real_name"), (4, "badge_no"), (5, "badge_no"), (6, "unit_code"), (7, "role")]
    assert str(plan.problems[1]) == "第 4 行 警号:与第 2 行重复"
    with pytest.raises(ValidationFailed):
        staff_import.apply(factories.make_user("admin"), "officers.csv", bad.encode("utf-8"))
    assert _count() == before + 1  # only the admin made above; no row of the file
    missing = staff_import.plan("x.csv", "姓名,警号\n张三,1\n".encode())
    assert "表头缺少:单位代码、角色" in missing.problems[0].message


def test_excel_import_all_or_nothing_with_passwords_shown_once(app, make):
    admin = make.make_user("admin")
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "警号", "单位代码", "角色"])
    sheet.append(["张伟", 160001, "station-nanmen", "民警"])  # a number cell, as Excel keeps it
    sheet.append(["李娜", "160002", "traffic", "leader"])
    data = io.BytesIO()
    book.save(data)
    created = staff_import.apply(admin, "officers.xlsx", data.getvalue())
    assert [(c.user.username, c.user.role, c.user.unit.code) for c in created] == [
        ("160001", "officer", "station-nanmen"), ("160002", "leader", "traffic")]
    zhang = db.session.scalar(db.select(User).where(User.badge_no == "160001"))
    assert zhang.check_password(created[0].temporary_password)
    assert created[0].temporary_password not in zhang.password_hash
    entries = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "user.create", AuditEntry.target_id == zhang.id)).all()
    assert entries[0].after["source"] == "批量导入 officers.xlsx"
    assert entries[0].after["temporary_password"] is True


def test_import_page_dry_run_then_import(app, make, client, login):
    login(make.make_user("admin"))
    before = _count()
    page = client.post("/admin/users/import", data={
        "file": (io.BytesIO((GOOD + "重复,160001,traffic,民警\n").encode("gb18030")),
                 "officers.csv")}, content_type="multipart/form-data")
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "第 5 行 · 警号:与第 2 行重复" in html
    assert "data-import-confirm" not in html and _count() == before
    checked = client.post("/admin/users/import", data={
        "file": (io.BytesIO(GOOD.encode("utf-8")), "officers.csv")},
        content_type="multipart/form-data")
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200 and "确认导入 3 个账号" in html and _count() == before
    carried = html.split('name="data" value="')[1].split('"')[0]
    done = client.post("/admin/users/import", data={
        "step": "import", "filename": "officers.csv", "data": carried},
        content_type="multipart/form-data")
    html = done.get_data(as_text=True)
    assert "已导入 3 个账号" in html and _count() == before + 3
    assert html.count('class="temp-password"') == 3
    again = client.post("/admin/users/import", data={
        "step": "import", "filename": "officers.csv", "data": carried},
        content_type="multipart/form-data")
    assert again.status_code == 400 and "已有账号" in again.get_data(as_text=True)
    assert _count() == before + 3
    login(make.make_user("leader"))
    assert client.get("/admin/users/import").status_code == 403


def test_command_line_import_with_dry_run(app, flask_cli, tmp_path):
    path = tmp_path / "officers.csv"
    path.write_text(GOOD, encoding="utf-8")
    before = _count()
    dry = flask_cli("users", "import", str(path), "--dry-run")
    assert dry.exit_code == 0 and "no problems" in dry.output and _count() == before
    done = flask_cli("users", "import", str(path))
    assert done.exit_code == 0 and _count() == before + 3
    assert "160003,160003,王强,hukou," in done.output
    again = flask_cli("users", "import", str(path))
    assert again.exit_code != 0 and "第 2 行 警号:警号 160001 已有账号" in again.output
    assert _count() == before + 3


def test_user_search_filters_and_pages(app, make, client, login):
    admin = make.make_user("admin")
    officer = make.make_user("officer", unit_code="traffic", real_name="欧阳明",
                             badge_no="181818")
    officer.phone = "13812345678"
    citizen = make.make_user(nickname="热心市民老周")
    citizen.disabled = True
    db.session.commit()
    find = users_query.UserFilters
    assert users_query.search(admin, find(q="欧阳"))[0] == [officer]
    assert users_query.search(admin, find(q="181818"))[0] == [officer]
    assert users_query.search(admin, find(q="138-1234-5678"))[0] == [officer]
    assert users_query.search(admin, find(q="1234"))[0] == []  # a phone fragment finds nobody
    assert users_query.search(admin, find(q="老周", state="disabled"))[0] == [citizen]
    assert users_query.search(admin, find(role="officer", unit="traffic"))[0] == [officer]
    first, after = users_query.search(admin, find(), limit=2)
    second, _ = users_query.search(admin, find(), after_id=after, limit=2)
    assert len(first) == 2 and second[0].id > first[-1].id
    login(admin)
    html = client.get("/admin/users?q=欧阳").get_data(as_text=True)
    assert "138****5678" in html and "13812345678" not in html
