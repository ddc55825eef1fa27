"""Words that mean "this is an emergency — call 110 now"; the list is configurable.

Set `URGENT_WORDS` in the app config (or FLASK_URGENT_WORDS='["被困", "救命"]' at deploy time) to
replace the default list.
"""
from __future__ import annotations

from flask import current_app, has_app_context

from board.i18n import N_

DEFAULT_WORDS = (
    "被困", "救命", "持刀", "拿刀", "砍人", "正在打架", "打架斗殴", "有人跳楼", "要跳楼", "绑架",
    "劫持", "抢劫", "正在抢", "着火", "失火", "爆炸", "开枪", "有枪", "杀人", "自杀", "轻生",
    "溺水", "落水", "被拐", "非法拘禁", "被关", "强奸", "家暴", "正在偷", "撬门", "救救",
)
CALL_110 = N_(
    "您描述的情况可能十分紧急:请立即拨打 110 报警!网上留言不能代替报警,民警会尽快查看此帖。")
CALL_HREF = "tel:110"  # the banners' tap-to-call link, before posting (static/js) and after


def words() -> tuple[str, ...]:
    if has_app_context():
        configured = current_app.config.get("URGENT_WORDS")
        if configured:
            return tuple(configured)
    return DEFAULT_WORDS


def matches(*texts: str | None) -> list[str]:
    """The urgent words found in the given texts, in list order."""
    joined = "\n".join(t for t in texts if t)
    return [word for word in words() if word in joined]


def is_urgent(*texts: str | None) -> bool:
    return bool(matches(*texts))
