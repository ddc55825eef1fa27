"""Demo 失物招领 and 寻人 (issue 21): a wallet found and held at 南门外派出所, with a resident's
private claim waiting for the station, and a missing-person appeal by 富强路派出所 pinned on every
board. Through the services, as a station and a resident would do it."""
from __future__ import annotations

from datetime import timedelta

from board.models import User, utcnow
from board.queries.bulletins import for_thread
from board.services import bulletins


def seed(users: dict[str, User]) -> None:
    now = utcnow()
    station, resident = users.get("nanmen_chen"), users.get("laowang")
    if station is not None:
        wallet, _ = bulletins.publish(
            station, "lost_found", "南门外大街公交站捡到黑色钱包一个",
            "群众拾到后交到派出所:黑色皮质钱包,内有少量现金、银行卡和一张超市会员卡。"
            "失主请带身份证到南门外派出所认领,或在本页私信说明钱包特征。",
            "南门外大街公交站", now - timedelta(hours=20), place="150202001001")
        if resident is not None:
            bulletins.send_message(resident, for_thread(wallet),
                                   "钱包可能是我的,里面有一张华联超市的会员卡,卡号尾号 3721。")
    officer = users.get("fuqiang_li")
    if officer is not None:
        appeal, _ = bulletins.publish(
            officer, "missing_person", "寻找走失老人:男,78岁,穿灰色棉袄",
            "刘某某,男,78 岁,身高约 1.65 米,患有轻度阿尔茨海默病,走失时穿灰色棉袄、黑色裤子,"
            "说本地口音。如您见过,请在本页私信富强路派出所,或直接拨打 110。",
            "富强路早市附近", now - timedelta(hours=6), place="150204002001")
        bulletins.pin_everywhere(officer, for_thread(appeal), 72)
