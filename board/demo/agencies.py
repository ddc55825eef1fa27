"""Demo partner agency (协作单位, issue 21): 幸福里物业 and its account, invited by the local
station's officer into a resident's lift-breakdown thread, where it answers under its own badge
「协作单位·幸福里物业」 — while the thread's answer stays the officer's."""
from __future__ import annotations

from datetime import timedelta

from board.demo.accounts import AGENCY_ACCOUNTS, DEMO_PASSWORD
from board.demo.threads import create_thread
from board.extensions import db
from board.models import (
    AgencyInvitation,
    AgencyKind,
    Board,
    Role,
    Thread,
    ThreadEvent,
    User,
    utcnow,
)
from board.services import accounts, agencies, posting

LIFT = {
    "key": "lift-breakdown", "board": "report", "kind": "help", "by": "grandpa_liu",
    "when": "-1d 08:10", "location": "东河区幸福里小区 3 号楼", "place": "150202001001",
    "title": "幸福里小区 3 号楼电梯停了三天,老人下不了楼",
    "body": "3 号楼 2 单元的电梯从周一就停了，贴了张“维修中”就再没人管。"
            "我家住 14 楼，老伴腿脚不好，已经三天没下楼了。"
            "给物业打电话一直说在等配件，能不能帮忙催一催？",
    "replies": [{"by": "nanmen_chen", "after": 25,
                 "body": "您好，我是南门外派出所民警陈志强。电梯维修归物业和维保单位负责，"
                         "我已邀请幸福里物业到本帖直接答复您；老人如需就医或出行帮助，可随时联系社区民警。"}],
}
AGENCY_REPLY = ("您好，我是幸福里物业客服。3 号楼 2 单元电梯的控制主板损坏，配件今天下午到货，"
                "维保公司明天上午完成更换并通过检验后恢复运行。维修期间我们安排工作人员"
                "每天 9:00–18:00 在一楼值守，可帮助老人上下楼、代送生活用品，电话 0472-5123456。")


def seed(users: dict[str, User], threads: dict[str, Thread]) -> None:
    admin, officer = users["admin"], users["nanmen_chen"]
    username, nickname, name = AGENCY_ACCOUNTS[0]
    agency = agencies.create_agency(admin, name, AgencyKind.PROPERTY,
                                    "幸福里物业服务中心 0472-5123456")
    account = accounts.create_user(Role.AGENCY, username, DEMO_PASSWORD, nickname=nickname,
                                   actor=admin, agency_id=agency.id,
                                   audit_after={"agency": agency.name})
    account.password_hash = admin.password_hash  # one demo password, hashed once (accounts.py)
    users[username] = account
    boards = {b.slug: b for b in db.session.scalars(db.select(Board))}
    thread = threads[LIFT["key"]] = create_thread(LIFT, users, boards, utcnow())
    agencies.invite(officer, thread, agency.id)
    post = posting.reply(account, thread, AGENCY_REPLY)
    asked = db.session.scalars(db.select(ThreadEvent).where(
        ThreadEvent.thread_id == thread.id, ThreadEvent.kind == agencies.INVITED_EVENT))
    invited_at = thread.created_at + timedelta(minutes=27)
    for row in [*asked, *db.session.scalars(db.select(AgencyInvitation).where(
            AgencyInvitation.thread_id == thread.id))]:
        row.created_at = invited_at
    post.created_at = thread.last_activity_at = thread.created_at + timedelta(minutes=96)
    db.session.commit()
