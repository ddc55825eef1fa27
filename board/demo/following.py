"""Demo 关注 / 同问 (issue 17): neighbours who have the same question as some demo threads, so
the board shows 「N 人同问」 and can be sorted by it. The demo's own history (answers given while
seeding) is settled, not announced: nobody is told today of a reply from last week."""
from __future__ import annotations

from board.models import Thread, User
from board.services import following, notice_delivery

# thread key → citizens who tap 同问 on it (the asker is left out automatically)
SAME_QUESTION = {
    "hukou-book-lost": ["zhangjie", "grandpa_liu", "xiaoyu", "momo_mom"],
    "newborn-registration": ["momo_mom", "zhangjie", "laowang"],
    "graduate-settle": ["xiaoyu", "qingshan_xiaoli"],
    "elderly-join-children": ["grandpa_liu", "laowang"],
    "corridor-charging": ["kunqu_driver"],
}


def seed(users: dict[str, User], threads: dict[str, Thread]) -> None:
    for key, names in SAME_QUESTION.items():
        thread = threads.get(key)
        if thread is None:
            continue
        for name in names:
            user = users.get(name)
            if user is not None and user.id != thread.author_id:
                following.follow(user, thread, same_question=True)
    notice_delivery.settle_history()
