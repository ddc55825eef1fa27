"""Demo accounts: police staff of several units (one per role at least) and citizens, all with one
password, printed on the console when `python app.py` seeds a fresh board."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from flask import current_app

from board.extensions import db
from board.models import Unit, User, utcnow
from board.services import accounts

DEMO_PASSWORD = "demo-pass-2026"

# role, username, real name, badge no., unit code, public contact line (leaders only)
STAFF = [
    ("admin", "admin", "系统管理员", None, None, None),
    ("leader", "leader_gao", "高振华", "150001", "city-bureau",
     "市公安局副局长 高振华 0472-5110110(工作日 8:30–17:30)"),
    ("dispatcher", "dispatch_han", "韩雪", "150110", "command-110", None),
    ("officer", "hukou_wang", "王海峰", "150231", "hukou", None),
    ("officer", "hukou_ma", "马丽", "150236", "hukou", None),
    ("officer", "exit_liu", "刘芳", "150312", "exit-entry", None),
    ("officer", "traffic_zhang", "张伟", "150123", "traffic", None),
    ("officer", "traffic_bai", "白志勇", "150128", "traffic", None),
    ("officer", "nanmen_chen", "陈志强", "150456", "station-nanmen", None),
    ("officer", "fuqiang_li", "李文博", "150471", "station-fuqiang", None),
    ("officer", "aerding_su", "苏日娜", "150489", "station-aerding", None),
    ("officer", "desk_sun", "孙丽娜", "150518", "online-desk", None),
    ("officer", "legal_zhou", "周明", "150620", "legal", None),
    ("officer", "env_wu", "吴刚", "150733", "environment", None),
    ("officer", "drug_zheng", "郑晓东", "150845", "anti-drug", None),
    ("officer", "terror_bao", "包特尔", "150902", "anti-terror", None),
    ("officer", "pub_yang", "杨柳", "150968", "publicity", None),
]
# username, nickname, verified phone (issue 17: 联系发帖人 shows it to the police handling a
# thread; 忘记密码 sends the code to it — printed on the console with SMS_BACKEND=console)
CITIZENS = [
    ("laowang", "热心市民老王", "13904720101"),
    ("zhangjie", "张大姐", "13704720102"),
    ("qingshan_xiaoli", "青山小李", "18604720103"),
    ("grandpa_liu", "刘大爷", "13504720104"),
    ("momo_mom", "糖糖妈妈", "15804720105"),
    ("kunqu_driver", "昆区跑车的老赵", "17704720106"),
    ("xiaoyu", "考研的小雨", None),  # never bound one: the thread says so
    ("hk_chan", "港仔阿Chan", None),
]
# Partner agencies (协作单位, issue 21): username, display name, agency — created with their
# agency by board/demo/agencies.py, which invites it into the lift-breakdown thread.
AGENCY_ACCOUNTS = [
    ("wuye_xingfuli", "物业客服小赵", "幸福里物业"),
]


def create_accounts() -> dict[str, User]:
    users: dict[str, User] = {}
    with _cheap_hashing():
        for role, username, name, badge, unit, contact in STAFF:
            users[username] = accounts.create_user(role, username, DEMO_PASSWORD, real_name=name,
                                                   nickname=name, badge_no=badge, unit_code=unit,
                                                   contact=contact)
        for username, nickname, phone in CITIZENS:
            # not register_citizen: the demo seeds under REGISTER_REQUIRES_PHONE too
            users[username] = user = accounts.create_user("citizen", username, DEMO_PASSWORD,
                                                          nickname=nickname)
            user.phone = phone
            user.phone_verified_at = utcnow() if phone else None
    _share_one_real_hash(list(users.values()))
    joined = utcnow() - timedelta(days=30)
    for n, user in enumerate(users.values()):
        user.created_at = joined + timedelta(hours=7 * n)  # everyone joined before the first thread
    db.session.commit()
    return users


@contextmanager
def _cheap_hashing():
    """While creating the accounts, hash with a trivial method; the real hash is set after."""
    config = current_app.config
    saved = config.get("PASSWORD_HASH_METHOD")
    config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1"
    try:
        yield
    finally:
        if saved is None:
            config.pop("PASSWORD_HASH_METHOD", None)
        else:
            config["PASSWORD_HASH_METHOD"] = saved


def _share_one_real_hash(users: list[User]) -> None:
    """Every demo account has the same password: hash it once with the configured method
    (scrypt, ~0.1 s each) instead of once per account, which keeps `python app.py` start fast."""
    users[0].set_password(DEMO_PASSWORD)
    for user in users[1:]:
        user.password_hash = users[0].password_hash


def print_logins() -> None:
    """The demo accounts, for the console; prints nothing on a database without them."""
    if db.session.scalar(db.select(User.id).where(User.username == CITIZENS[0][0])) is None:
        return
    units = {u.code: u.name for u in db.session.scalars(db.select(Unit))}
    print(f"\n  Demo logins — password for every account: {DEMO_PASSWORD}")
    print(f"    {'role':<10} {'username':<16} {'name':<10} {'badge':<7} unit")
    for role, username, name, badge, unit, _ in STAFF:
        print(f"    {role:<10} {username:<16} {_pad(name, 10)} {badge or '-':<7} "
              f"{units.get(unit, '-')}")
    for username, nickname, phone in CITIZENS:
        print(f"    {'citizen':<10} {username:<16} {_pad(nickname, 16)} {phone or ''}")
    for username, nickname, agency in AGENCY_ACCOUNTS:
        print(f"    {'agency':<10} {username:<16} {_pad(nickname, 16)} 协作单位·{agency}")
    print()


def _pad(text: str, width: int) -> str:
    """Pad for a terminal where each Chinese character takes two columns."""
    cells = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return text + " " * max(0, width - cells)
