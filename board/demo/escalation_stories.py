"""What the demo's escalation stories say: reply templates, pinned notices, the two escalated
threads step by step (minutes after the thread opened), the supervised thread and the fresh
report waiting in the command centre's queue.

It exists apart from escalations.py so the stories can be read and edited as data, without the
seeding steps that play them through the services and move them back in time.
"""
from __future__ import annotations

from dataclasses import dataclass

TEMPLATES = {
    "hukou_wang": [
        ("材料清单", "您好,我是{unit}民警{officer}。办理该业务请携带本人居民身份证和户口簿原件,"
                   "到户籍所在地派出所户籍窗口办理;也可在「鹿城公安」政务服务平台预约。"),
        ("已转窗口", "您好,您的问题已转给户籍窗口,工作人员会在一个工作日内电话联系您。"),
    ],
    "nanmen_chen": [
        ("已出警", "您好,{unit}已受理(警情编号 {incident}),民警{officer}正在处置,请保持电话畅通。"),
        ("请拨110", "您好,您反映的情况较为紧急,请立即拨打110报警,民警会第一时间到场。"),
    ],
    "aerding_su": [
        ("已出警", "您好,{unit}已受理(警情编号 {incident}),民警{officer}正在处置。"),
    ],
    "traffic_zhang": [
        ("违章处理", "您好,我是{unit}民警{officer}。交通违法可在「交管12123」App 在线处理,"
                   "也可到就近的车管服务站办理。"),
    ],
    "desk_sun": [
        ("转办说明", "您好,我是{unit}民警{officer},您的问题已转给主管部门,办理结果会在本帖回复。"),
    ],
}

PINNED = ("task-scam-notice", "snow-driving-notice")


@dataclass(frozen=True)
class Story:
    """One escalated thread: who escalates it, where it is dispatched, and each step as
    (minutes after the thread opened, action, *arguments)."""

    thread: str
    officer: str
    unit: str
    urgency: str
    reason: str
    steps: tuple[tuple, ...]


STORIES = (
    Story("kunqu-rental-gathering", officer="aerding_su", unit="station-aerding",
          urgency="critical", reason="疑似传销窝点,有人员被限制人身自由,需立即核查",
          steps=((5, "escalate"), (8, "dispatch", "会同昆区分局核查,注意保护举报人"),
                 (12, "supervise", "涉及人身安全,务必今日查清,及时回复群众"),
                 (60, "handling", "民警已到达现场"),
                 (235, "resolved", "传销窝点已依法查处,被限制自由的年轻人已帮助返乡"),
                 (320, "rate", 5, "警察来得很快,太给力了!"))),
    Story("missing-father", officer="fuqiang_li", unit="station-fuqiang",
          urgency="urgent", reason="78岁阿尔茨海默病老人走失,需调派巡逻警力沿线寻找",
          steps=((4, "escalate"), (6, "dispatch", "回查早市周边视频"),
                 (25, "handling", "巡逻民警正在钢铁大街沿线寻找"),
                 (95, "resolved", "老人已找到并平安送回家中"),
                 (130, "rate", 5, "太感谢了,找到了!"))),
)

# (thread, the leader's note, minutes after the thread opened)
SUPERVISED = ("night-piling", "跟踪12345转办结果,直至工地停止夜间施工", 700)


@dataclass(frozen=True)
class QueuedReport:
    """A fresh report opened `opened_ago` minutes ago, escalated `escalated_after` minutes
    after it opened, still waiting for the dispatcher."""

    author: str
    board: str
    title: str
    body: str
    location: str
    opened_ago: int
    escalated_by: str
    reason: str
    urgency: str
    escalated_after: int
    place: str | None = None  # a community's 区划代码 (boards_config.yaml): the suggested station


WAITING = QueuedReport(
    author="laowang", board="report", title="地下车库有人挨个拉车门,像是在找没锁的车",
    body="东河区巴彦塔拉大街一个小区的地下车库,刚才看到两个人挨个拉车门,还用手电往车里照,"
         "我已经离开车库了,请派人来看看。",
    location="东河区巴彦塔拉大街", opened_ago=25, escalated_by="nanmen_chen",
    reason="疑似盗窃车内财物,嫌疑人可能仍在车库", urgency="urgent", escalated_after=9,
    place="150202001003")  # 巴彦塔拉社区: 南门外派出所's 辖区
