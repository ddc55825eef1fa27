"""Demo 预警 (issue 21): the Nanmen station warns the residents of 东河区 of a refund scam, and
two neighbours have picked 东河区 as their district, so the alert reaches their bell (the notice
worker fans it out once the server runs) and the station's alerts page counts who read it."""
from __future__ import annotations

from board.models import User
from board.services import alerts

DISTRICT = "150202"  # 东河区
RESIDENTS = ["zhangjie", "grandpa_liu"]


def seed(users: dict[str, User]) -> None:
    officer = users.get("nanmen_chen")
    if officer is None:
        return
    for name in RESIDENTS:
        if name in users:
            alerts.set_districts(users[name], [DISTRICT])
    alerts.publish_alert(
        officer, title="警惕冒充电商客服“退款”诈骗", level="warning", target="district",
        district=DISTRICT, hours=72,
        text="近期辖区多名居民接到自称“电商客服”的电话,称商品有质量问题要“双倍退款”,"
             "随后诱导下载会议软件、开通屏幕共享并转账。客服不会要求您共享屏幕或转账!"
             "遇到此类电话请立即挂断,拨打96110咨询。")
