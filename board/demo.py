"""Demo data for a fresh embedded board: police staff of several units, citizens, and threads.

Everything goes through the services, so the demo exercises the same rules as real use.
Timestamps are then moved into the past so the board looks lived-in.
"""
from __future__ import annotations

from datetime import timedelta

from board.extensions import db
from board.models import Board, Thread, User, utcnow
from board.services import accounts, posting

DEMO_PASSWORD = "demo-pass-2026"

# role, username, real name / nickname, badge no., unit code, public contact
STAFF = [
    ("admin", "admin", "系统管理员", None, None, None),
    ("leader", "leader_zhao", "赵建国", "150001", "city-bureau", "市公安局办公室 0472-5110110"),
    ("dispatcher", "dispatch_li", "李晓燕", "150110", "command-110", None),
    ("officer", "officer_hukou", "王海峰", "150231", "hukou", None),
    ("officer", "officer_exit", "刘芳", "150312", "exit-entry", None),
    ("officer", "officer_traffic", "张伟", "150123", "traffic", None),
    ("officer", "officer_nanmen", "陈志强", "150456", "station-nanmen", None),
    ("officer", "officer_qa", "孙丽娜", "150518", "online-desk", None),
    ("officer", "officer_legal", "周明", "150620", "legal", None),
    ("officer", "officer_env", "吴刚", "150733", "environment", None),
    ("officer", "officer_drug", "郑晓东", "150845", "anti-drug", None),
]
CITIZENS = [
    ("citizen", "热心市民老王"),
    ("zhangsan", "张大姐"),
    ("xiaoli", "青山小李"),
    ("grandpa_liu", "刘大爷"),
]

# board slug, kind, author, title, body, location, hours ago, replies [(author, body, minutes after)]
THREADS: list[tuple] = [
    ("hukou", "question", "zhangsan", "户口簿丢了怎么补办?需要带什么材料",
     "家里的户口簿搬家时弄丢了,请问去哪里补办,需要带什么材料?能不能在网上办?", None, 50,
     [("officer_hukou", "您好!户口簿遗失可到户籍所在地派出所户籍窗口申请补领,户主或成年家庭成员携带本人居民身份证即可办理,"
       "一般当场补发。也可以通过「鹿城公安」政务服务平台在线预约,节省排队时间。", 6),
      ("zhangsan", "谢谢王警官,明天就去办!", 20)]),
    ("exit-entry", "question", "xiaoli", "护照能加急办理吗?下个月出国学习",
     "下个月要出国交流,护照还没有办,请问能加急吗?加急需要什么证明?", None, 30,
     [("officer_exit", "您好,因出国留学、就医、奔丧等紧急事由可申请加急,需提供录取通知书或相关证明材料,"
       "加急一般5个工作日内出证。请携带身份证到市出入境接待大厅办理。", 4)]),
    ("traffic", "question", "grandpa_liu", "驾驶证到期换证要体检吗",
     "我的驾驶证下个月到期,年龄70岁了,换证需要做什么体检?", None, 8,
     [("officer_traffic", "老人家您好:年满70周岁的驾驶人每年需提交一次身体条件证明,并参加记忆力、判断力、反应力等能力测试。"
       "换证可到各车管服务站办理,带好身份证和体检证明即可。", 12)]),
    ("report", "report", "citizen", "南门外大街夜里有人飙车,噪音很大",
     "最近一周每天晚上12点以后,南门外大街有改装摩托车来回飙车,噪音很大,也很危险。", "东河区南门外大街", 5,
     [("officer_nanmen", "收到您的反映,我所已安排夜间巡逻警力在该路段加强巡查,对非法改装车辆依法查处。感谢您的支持!", 9)]),
    ("qa", "question", "citizen", "身份证快到期了,异地可以换领吗",
     "我在外地工作,身份证下个月到期,可以在工作地换领吗?", None, 3, []),
    ("environment", "report", "xiaoli", "小区旁工地半夜施工噪音扰民",
     "青山区富强路附近工地连续几天晚上11点后还在施工,打桩声音很大,老人孩子都睡不好。", "青山区富强路", 1, []),
    ("law", "publicity", "officer_legal", "【防骗提醒】自称「客服」要求转账的一律是诈骗",
     "近期冒充电商客服、以「退款」「注销校园贷」为由诱导转账的电信诈骗高发。请记住:公检法机关不会通过电话办案,"
     "不存在「安全账户」。如遇可疑情况请拨打96110咨询。", None, 72, []),
]


def seed() -> bool:
    """Seed an empty database; returns False (and does nothing) if threads already exist."""
    if db.session.scalar(db.select(Thread.id).limit(1)) is not None:
        return False
    users: dict[str, User] = {}
    for role, username, name, badge, unit, contact in STAFF:
        users[username] = accounts.create_user(role, username, DEMO_PASSWORD, real_name=name,
                                               nickname=name, badge_no=badge, unit_code=unit,
                                               contact=contact)
    for username, nickname in CITIZENS:
        users[username] = accounts.register_citizen(username, DEMO_PASSWORD, nickname)
    boards = {b.slug: b for b in db.session.scalars(db.select(Board))}
    now = utcnow()
    for slug, kind, author, title, body, location, hours_ago, replies in THREADS:
        thread = posting.create_thread(users[author], boards[slug], kind, title, body, location)
        created = now - timedelta(hours=hours_ago)
        thread.created_at = thread.last_activity_at = created
        for reply_author, reply_body, minutes in replies:
            post = posting.reply(users[reply_author], thread, reply_body)
            post.created_at = created + timedelta(minutes=minutes)
            thread.last_activity_at = post.created_at
            if post.official and thread.first_responder_id == users[reply_author].id \
                    and thread.first_response_at and thread.first_response_at > post.created_at:
                thread.first_response_at = post.created_at
        db.session.commit()
    return True


def print_logins() -> None:
    print("\n  Demo logins (password for all: %s)" % DEMO_PASSWORD)
    for role, username, name, badge, unit, _ in STAFF:
        extra = f" 警号 {badge}" if badge else ""
        print(f"    {role:<10} {username:<18} {name}{extra}")
    for username, nickname in CITIZENS:
        print(f"    {'citizen':<10} {username:<18} {nickname}")
    print()
