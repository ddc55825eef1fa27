"""Bulk import of police accounts from a spreadsheet (CSV or .xlsx): real name, badge number,
unit code, role — one account per row.

Two steps, the same from the admin page and `flask users import FILE [--dry-run]`:
`plan()` reads the file and lists every problem by row before anything is written (a dry run);
`apply()` writes all the accounts in one transaction or none, each with a one-time temporary
password that is returned once (to be handed over) and stored only as a hash. Each account is
audited as 创建账号 with its source.

The sign-in name is the badge number unless the file gives a 用户名 column.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from openpyxl import load_workbook
from sqlalchemy.exc import IntegrityError

from board import permissions, text
from board.errors import Conflict, ValidationFailed
from board.extensions import db
from board.models import Role, Unit, User
from board.services import accounts, audit

MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024
# Header names staff type (Chinese or English) → field
HEADERS = {
    "姓名": "real_name", "真实姓名": "real_name", "real_name": "real_name", "name": "real_name",
    "警号": "badge_no", "badge": "badge_no", "badge_no": "badge_no",
    "单位代码": "unit_code", "单位": "unit_code", "unit": "unit_code", "unit_code": "unit_code",
    "角色": "role", "role": "role",
    "用户名": "username", "username": "username",
    "联系方式": "contact", "公开联系方式": "contact", "contact": "contact",
}
REQUIRED = ("real_name", "badge_no", "unit_code", "role")
FIELD_NAMES = {"real_name": "姓名", "badge_no": "警号", "unit_code": "单位代码", "role": "角色",
               "username": "用户名", "contact": "联系方式", "file": "文件"}
IMPORT_ROLES = {Role.OFFICER: Role.OFFICER, Role.LEADER: Role.LEADER,
                Role.DISPATCHER: Role.DISPATCHER}
for _role in list(IMPORT_ROLES):
    IMPORT_ROLES[_role.label] = _role  # 民警, 领导, 指挥中心
IMPORT_ROLES["指挥中心人员"] = Role.DISPATCHER


@dataclass
class Problem:
    row: int  # the spreadsheet's row number (the header is row 1)
    field: str
    message: str

    @property
    def field_label(self) -> str:
        return FIELD_NAMES.get(self.field, self.field)

    def __str__(self) -> str:
        return f"第 {self.row} 行 {self.field_label}:{self.message}"


@dataclass
class StaffRow:
    row: int
    real_name: str
    badge_no: str
    unit_code: str
    role: str
    username: str
    contact: str = ""
    unit_name: str = ""


@dataclass
class Plan:
    filename: str
    rows: list[StaffRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.problems


@dataclass
class Created:
    user: User
    temporary_password: str


def _cells(filename: str, data: bytes) -> list[list[str]]:
    """The file as rows of cell texts; ValidationFailed for a file that is not a sheet."""
    if len(data) > MAX_BYTES:
        raise ValidationFailed(fields={"file": "文件太大(最多 2 MB)"})
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
            return [["" if v is None else str(v).strip() for v in row]
                    for row in sheet.iter_rows(values_only=True)]
        except Exception:  # noqa: BLE001 - any unreadable workbook is the same answer
            raise ValidationFailed(fields={"file": "无法读取这个 Excel 文件"}) from None
    if name.endswith(".csv") or name.endswith(".txt"):
        for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
            try:
                decoded = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationFailed(fields={"file": "无法识别文件编码,请另存为 UTF-8 CSV"})
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(decoded))]
    raise ValidationFailed(fields={"file": "请上传 .csv 或 .xlsx 文件"})


def plan(filename: str, data: bytes) -> Plan:
    """Read and check every row; nothing is written. The plan lists every problem by row."""
    cells = _cells(filename, data)
    result = Plan(filename=filename)
    if not cells or not any(cells[0]):
        result.problems.append(Problem(1, "file", "文件是空的,第 1 行应为表头"))
        return result
    columns = {i: HEADERS.get(text.clean_line(h).lower() if h.isascii() else h.strip())
               for i, h in enumerate(cells[0])}
    missing = [f for f in REQUIRED if f not in columns.values()]
    if missing:
        result.problems.append(Problem(1, "file", "表头缺少:" + "、".join(
            FIELD_NAMES[f] for f in missing) + "(应为 姓名、警号、单位代码、角色)"))
        return result
    body = [(n, row) for n, row in enumerate(cells[1:], start=2) if any(row)]
    if len(body) > MAX_ROWS:
        result.problems.append(Problem(1, "file", f"一次最多导入 {MAX_ROWS} 行"))
        return result
    if not body:
        result.problems.append(Problem(2, "file", "表头下面没有数据"))
        return result
    units = {u.code: u for u in db.session.scalars(db.select(Unit))}
    unit_by_name = {u.name: u for u in units.values()}
    badges, names = [], []
    for n, row in body:
        values = {f: "" for f in (*REQUIRED, "username", "contact")}
        for i, cell in enumerate(row):
            if columns.get(i):
                values[columns[i]] = cell
        result.rows.append(_check_row(n, values, units, unit_by_name, result.problems))
        badges.append(result.rows[-1].badge_no)
        names.append(result.rows[-1].username)
    _check_unique(result, badges, names)
    return result


def _check_row(n: int, values: dict, units: dict, unit_by_name: dict,
               problems: list[Problem]) -> StaffRow:
    real_name = text.clean_line(values["real_name"])
    badge_no = text.clean_token(values["badge_no"])
    if badge_no.endswith(".0") and badge_no[:-2].isdigit():  # a number cell read by Excel
        badge_no = badge_no[:-2]
    username = text.clean_token(values["username"]) or badge_no
    role = IMPORT_ROLES.get(values["role"].strip().lower() if values["role"].isascii()
                            else values["role"].strip())
    unit = units.get(values["unit_code"].strip()) or unit_by_name.get(values["unit_code"].strip())
    if not real_name:
        problems.append(Problem(n, "real_name", "不能为空"))
    elif len(real_name) > 40:
        problems.append(Problem(n, "real_name", "不能超过 40 个字"))
    if not badge_no:
        problems.append(Problem(n, "badge_no", "不能为空"))
    elif len(badge_no) > 20:
        problems.append(Problem(n, "badge_no", "不能超过 20 位"))
    if not values["unit_code"].strip():
        problems.append(Problem(n, "unit_code", "不能为空"))
    elif unit is None:
        problems.append(Problem(n, "unit_code", f"没有代码为「{values['unit_code']}」的单位"))
    if role is None:
        problems.append(Problem(n, "role", f"「{values['role']}」不是可导入的角色"
                                           "(民警、领导、指挥中心)"))
    if badge_no and not accounts.USERNAME_RE.match(username):
        problems.append(Problem(n, "username", "用户名需为 3–30 位字母、数字、下划线、点或减号"))
    return StaffRow(row=n, real_name=real_name, badge_no=badge_no,
                    unit_code=unit.code if unit else values["unit_code"],
                    role=role or "", username=username,
                    contact=text.clean_line(values["contact"]),
                    unit_name=unit.name if unit else "")


def _check_unique(result: Plan, badges: list[str], names: list[str]) -> None:
    """Badge numbers and sign-in names: once in the file, and not taken already."""
    taken_badges = set(db.session.scalars(db.select(User.badge_no).where(
        User.badge_no.in_([b for b in badges if b]))))
    taken_names = set(db.session.scalars(db.select(User.username).where(
        User.username.in_([u for u in names if u]))))
    first_badge: dict[str, int] = {}
    first_name: dict[str, int] = {}
    for row in result.rows:
        if row.badge_no in taken_badges:
            result.problems.append(Problem(row.row, "badge_no", f"警号 {row.badge_no} 已有账号"))
        elif row.badge_no in first_badge:
            result.problems.append(Problem(row.row, "badge_no",
                                           f"与第 {first_badge[row.badge_no]} 行重复"))
        elif row.username in taken_names:
            result.problems.append(Problem(row.row, "username",
                                           f"用户名 {row.username} 已被使用"))
        elif row.username in first_name:
            result.problems.append(Problem(row.row, "username",
                                           f"与第 {first_name[row.username]} 行重复"))
        if row.badge_no:
            first_badge.setdefault(row.badge_no, row.row)
        if row.username:
            first_name.setdefault(row.username, row.row)
    result.problems.sort(key=lambda p: p.row)


def apply(actor, filename: str, data: bytes,
          progress: Callable[[int], None] | None = None) -> list[Created]:
    """Create every account of a clean file in one transaction, or none (ValidationFailed
    listing the problems; Conflict if another admin took a badge number meanwhile)."""
    if actor is not accounts.SYSTEM:
        permissions.require(actor, "user.manage")
    checked = plan(filename, data)
    if not checked.ok:
        raise ValidationFailed("文件中有需要修改的行,没有导入任何账号",
                               fields={"file": ";".join(str(p) for p in checked.problems[:20])})
    units = {u.code: u for u in db.session.scalars(db.select(Unit))}
    created = []
    try:
        for row in checked.rows:
            password = accounts.temporary_password()
            user = User(username=row.username, nickname=row.real_name, role=row.role,
                        real_name=row.real_name, badge_no=row.badge_no,
                        unit=units[row.unit_code], contact=row.contact or None,
                        must_change_password=True)  # their own at first sign-in
            user.set_password(password)
            db.session.add(user)
            created.append(Created(user, password))
            if progress:
                progress(1)
        db.session.flush()
        for item in created:
            audit.record(actor, "user.create", "user", item.user.id, None, {
                **accounts.staff_snapshot(item.user), "source": f"批量导入 {filename}",
                "temporary_password": True})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("导入时有警号或用户名刚被占用,没有导入任何账号,请重新检查后再试",
                       code="import_conflict") from None
    return created
