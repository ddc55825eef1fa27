"""Rows pushed to live lists are the rows the pages render: the same markup, in the same order,
and each audience gets only its own: board and home rooms (anyone) the public row, officers'
unit rooms the inbox row with its police-only tags and the unmasked text."""
from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from flask_login import login_user

from board import lists
from board.models import utcnow
from board.queries import inbox as officer_inbox
from board.queries import threads
from board.services import accounts, posting
from tests.test_live import events, join, sio

pytestmark = pytest.mark.usefixtures("no_search_indexing")

PHONE = "13812345678"
URGENT_TITLE = f"老人被困电梯 电话{PHONE}"


@pytest.fixture
def rooms(app, make):
    """Sockets in the board room, the home room, and an hukou officer's inbox (unit) room."""
    officer = make.make_user("officer", username="zhangwei", real_name="张伟",
                             badge_no="150123", unit_code="hukou")
    board_sock, home_sock = sio(app), sio(app)
    assert join(board_sock, "board:hukou")["ok"] and join(home_sock, "home")["ok"]
    inbox_sock = sio(app, token=accounts.issue_token(officer))
    for sock in (board_sock, home_sock, inbox_sock):
        sock.get_received()
    return officer, board_sock, home_sock, inbox_sock


def _post_as_author(app, make, title=URGENT_TITLE):
    """A resident posts from a request of their own (the row must not be rendered for them)."""
    citizen = make.make_user("citizen", nickname="小王")
    with app.test_request_context("/b/hukou/new"):
        login_user(citizen)
        return posting.create_thread(citizen, make.board("hukou"), "question", title,
                                     "救命,我家老人被困在电梯里出不来了!")


def _page_row(html: str, thread_id: int) -> str:
    match = re.search(rf'<li class="thread-row[^"]*" data-thread-id="{thread_id}".*?</li>',
                      html, re.S)
    assert match, f"row {thread_id} not on the page"
    return match.group(0)


def _same(row: str) -> str:
    """Markup as compared with a reload: without the seconds waited since the push, nor the
    deadline's seconds left (a push and a reload a second apart count differently)."""
    row = re.sub(r'data-left="\d+"', 'data-left', re.sub(r"已等待 [^<]*", "已等待", row))
    return re.sub(r"(<strong data-deadline-left>)[^<]*", r"\1", row)


def test_public_rooms_never_receive_police_only_markup(app, make, rooms):
    officer, board_sock, home_sock, inbox_sock = rooms
    thread = _post_as_author(app, make)
    assert thread.urgent

    for sock in (board_sock, home_sock):
        [(_, payload)] = events(sock, "thread_created")
        assert set(payload["html"]) == {"board", "home"}
        sent = json.dumps(payload, ensure_ascii=False)
        assert "疑似紧急" not in sent and "tag-urgent" not in sent and PHONE not in sent
        assert "138****5678" in payload["html"]["board"]
    [(_, inbox)] = events(inbox_sock, "thread_created")
    assert set(inbox["html"]) == {"inbox"}
    assert "疑似紧急" in inbox["html"]["inbox"] and PHONE in inbox["html"]["inbox"]

    posting.reply(officer, thread, "已通知辖区派出所,请保持电话畅通。")
    [(_, public)] = events(board_sock, "thread_updated")
    assert set(public["html"]) == {"board", "home"}
    assert "疑似紧急" not in json.dumps(public, ensure_ascii=False)
    [(_, answered)] = events(inbox_sock, "thread_updated")
    assert answered["html"] == {"inbox": None}  # answered: it leaves the inbox


def test_pushed_rows_are_the_rows_a_reload_shows(app, client, make, login, rooms):
    officer, board_sock, home_sock, inbox_sock = rooms
    thread = _post_as_author(app, make)
    pushed = events(board_sock, "thread_created")[0][1]["html"]
    inbox_row = events(inbox_sock, "thread_created")[0][1]["html"]["inbox"]

    board_page = client.get("/b/hukou").get_data(as_text=True)
    assert _page_row(board_page, thread.id) == pushed["board"]
    home_page = client.get("/").get_data(as_text=True)
    assert _page_row(home_page, thread.id) == pushed["home"]
    login(officer)
    inbox_page = client.get("/inbox").get_data(as_text=True)
    assert _same(_page_row(inbox_page, thread.id)) == _same(inbox_row)


def test_sort_keys_order_rows_as_the_lists_queries_do(app, make):
    """The key a live page places a row by is the page's own order: urgent first in the inbox,
    pinned first on a board, newest first on home."""
    officer = make.make_user("officer", unit_code="hukou")
    old, urgent, new, pinned = make.make_threads(4)
    urgent.urgent = True
    make.pin(pinned, utcnow() - timedelta(days=1))
    make.set_activity(old, utcnow())

    inbox = officer_inbox.threads_for(officer)
    assert inbox[0] == urgent
    assert sorted(inbox, key=lambda t: lists.sort_key(t, "inbox")) == inbox
    board = make.board("hukou")
    page = threads.pinned_threads(board, officer) + threads.board_threads(board, officer)[0]
    assert page[:2] == [pinned, old]
    assert sorted(page, key=lambda t: lists.sort_key(t, "board")) == page
    home = threads.latest_threads(officer, limit=10)
    assert sorted(home, key=lambda t: lists.sort_key(t, "home")) == home
