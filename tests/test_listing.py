"""Board listings (pinned first, then newest activity; keyset pages that never skip or repeat a
thread), the rows' marks, the home page, and the officer inbox."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from board.extensions import db
from board.models import Thread, ThreadStatus, utcnow

pytestmark = pytest.mark.usefixtures("no_search_indexing")


def _load_more_href(html: str) -> str | None:
    tag = re.search(r"<a\b[^>]*\bdata-load-more\b[^>]*>", html)
    if not tag:
        return None
    return re.search(r'href="([^"]+)"', tag.group(0)).group(1).replace("&amp;", "&")


def _expected_order(threads: list[Thread]) -> list[int]:
    pinned = sorted((t for t in threads if t.pinned), key=lambda t: (t.pinned_at, t.id),
                    reverse=True)
    rest = sorted((t for t in threads if not t.pinned), key=lambda t: (t.last_activity_at, t.id),
                  reverse=True)
    return [t.id for t in pinned + rest]


@pytest.fixture
def crowded_board(make):
    """55 threads on 户政 whose last activity comes in runs of 5 identical timestamps, two of them
    pinned, so that both page boundaries fall inside a run; plus noise on another board."""
    threads = make.make_threads(55, board_slug="hukou")
    base = utcnow().replace(microsecond=0) - timedelta(days=1)
    for i, thread in enumerate(threads):
        thread.last_activity_at = base - timedelta(minutes=i // 5)
    threads[10].pinned, threads[10].pinned_at = True, base - timedelta(hours=2)
    threads[40].pinned, threads[40].pinned_at = True, base - timedelta(hours=1)
    db.session.commit()
    make.make_threads(3, board_slug="traffic")
    by_id = {t.id: t for t in threads}
    unpinned = [by_id[i] for i in _expected_order(threads)[2:]]
    for boundary in (20, 40):  # the last row of a page ties with the first row of the next
        assert unpinned[boundary - 1].last_activity_at == unpinned[boundary].last_activity_at
    return threads


def test_pinned_threads_come_first_on_the_page_and_in_the_api(client, make):
    old, middle, new = make.make_threads(3, board_slug="hukou")
    now = utcnow()
    for i, thread in enumerate((old, middle, new)):
        thread.last_activity_at = now - timedelta(hours=3 - i)
    db.session.commit()
    make.pin(old)

    page = client.get("/b/hukou").get_data(as_text=True)
    assert make.listed_thread_ids(page) == [old.id, new.id, middle.id]
    assert "置顶" in page

    threads = client.get("/api/v1/boards/hukou/threads").get_json()["threads"]
    assert [t["id"] for t in threads] == [old.id, new.id, middle.id]
    assert [t["pinned"] for t in threads] == [True, False, False]


def test_page_cursor_links_walk_every_thread_exactly_once(client, make, crowded_board):
    expected = _expected_order(crowded_board)
    seen, path, pages = [], "/b/hukou", 0
    while path:
        response = client.get(path)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        seen += make.listed_thread_ids(html)
        path, pages = _load_more_href(html), pages + 1
        assert pages < 10, "the load-more links never end"
    assert seen == expected
    assert len(seen) == 55 and len(set(seen)) == 55
    assert pages == 3  # 2 pinned + 20, then 20, then 13


def test_partial_load_more_walks_every_thread_exactly_once(client, make, crowded_board):
    """The "load more" button fetches bare rows and reads the next cursor from a header."""
    expected = _expected_order(crowded_board)
    first = client.get("/b/hukou").get_data(as_text=True)
    seen = make.listed_thread_ids(first)
    cursor = re.search(r"cursor=([^\"&]+)", _load_more_href(first)).group(1)
    while cursor:
        response = client.get(f"/b/hukou?cursor={cursor}&partial=1")
        assert response.status_code == 200
        rows = response.get_data(as_text=True)
        seen += [int(i) for i in re.findall(r'data-thread-id="(\d+)"', rows)]
        cursor = response.headers.get("X-Next-Cursor")
    assert seen == expected


def test_api_next_cursor_walks_every_thread_exactly_once(client, crowded_board):
    expected = _expected_order(crowded_board)
    seen, url, pages = [], "/api/v1/boards/hukou/threads", 0
    while url:
        body = client.get(url).get_json()
        seen += [t["id"] for t in body["threads"]]
        assert all(t["board"] == "hukou" for t in body["threads"])
        cursor = body["next_cursor"]
        url = f"/api/v1/boards/hukou/threads?cursor={cursor}" if cursor else None
        pages += 1
        assert pages < 10
    assert seen == expected and len(set(seen)) == 55


def test_a_new_reply_moves_a_thread_to_the_top(client, make):
    first, second = make.make_threads(2, board_slug="hukou")
    def listed():
        return make.listed_thread_ids(client.get("/b/hukou").get_data(as_text=True))

    assert listed() == [second.id, first.id]
    make.make_post(first)
    assert listed() == [first.id, second.id]


BAD_CURSORS = [
    "not-a-cursor", "!!!", "%E4%B8%AD",
    "MjAyNg",                                # "2026": no separator
    "eHx5",                                  # "x|y"
    "MjAyNi0wMS0wMVQwMDowMDowMCswMDowMHwtMQ",  # a negative id
    "MjAyNi0wMS0wMVQwMDowMDowMHw1",           # a timestamp without a zone
    "MDAwMS0wMS0wMVQwMDowMDowMCsxNDowMHw1",   # year 1 at +14:00 overflows in UTC
    "MjAyNi0wMS0wMVQwMDowMDowMCswMDowMHw5OTk5OTk5OTk5OTk5OTk5OTk5OQ",  # an id beyond INTEGER
]


def test_invalid_cursor_is_a_400_with_the_error_shape(client, make):
    make.make_thread()
    for cursor in BAD_CURSORS:
        response = client.get(f"/api/v1/boards/hukou/threads?cursor={cursor}")
        assert response.status_code == 400, cursor
        error = response.get_json()["error"]
        assert error["code"] == "validation_failed" and "cursor" in error["fields"]
        assert client.get(f"/b/hukou?cursor={cursor}").status_code == 400, cursor
        assert client.get(f"/b/hukou?cursor={cursor}&partial=1").status_code == 400, cursor


def test_rows_show_kind_status_replies_official_mark_and_age(client, make):
    thread = make.make_thread(kind="help", title="身份证丢失急需补办")
    make.make_post(thread, make.make_user("officer", unit_code="hukou"))
    make.make_post(thread)
    page = client.get("/b/hukou").get_data(as_text=True)
    row = page[page.index(f'data-thread-id="{thread.id}"'):]
    row = row[:row.index("</li>")]
    for mark in ("求助", "已回复", "2 回复", "官方回复", "刚刚", "身份证丢失急需补办"):
        assert mark in row, mark


def test_police_only_threads_are_listed_for_police_and_their_author_only(client, make, login):
    author = make.make_user()
    hidden = make.make_thread(author, visibility="police_only", title="举报线索仅警方可见")
    public = make.make_thread(title="公开的问题帖子")

    def ids():
        return make.listed_thread_ids(client.get("/b/hukou").get_data(as_text=True))

    assert ids() == [public.id]
    assert client.get(f"/t/{hidden.id}").status_code == 404
    assert [t["id"] for t in client.get("/api/v1/boards/hukou/threads").get_json()["threads"]] \
        == [public.id]
    login(make.make_user("officer", unit_code="traffic"))
    assert ids() == [public.id, hidden.id]
    client.post("/logout")
    login(author)
    assert client.get(f"/t/{hidden.id}").status_code == 200


def test_home_lists_boards_with_counts_and_the_latest_threads(client, make):
    make.make_threads(2, board_slug="traffic")
    newest = make.make_thread(board_slug="qa", title="最新的一个问题")
    page = client.get("/").get_data(as_text=True)
    assert make.listed_thread_ids(page)[0] == newest.id
    tile = page[page.index('href="/b/traffic"'):]
    assert "2 帖" in tile[:tile.index("</a>")]


# --- the officer inbox --------------------------------------------------------------------------


def test_inbox_lists_the_units_unanswered_threads_longest_waiting_first(client, make, login):
    officer = make.make_user("officer", unit_code="hukou")
    now = utcnow()
    recent, oldest, middle = make.make_threads(3, board_slug="hukou")
    for thread, hours in ((recent, 1), (oldest, 30), (middle, 5)):
        thread.created_at = thread.last_activity_at = now - timedelta(hours=hours)
    db.session.commit()
    answered = make.make_thread(board_slug="hukou")
    make.make_post(answered, officer)
    elsewhere = make.make_thread(board_slug="traffic")

    login(officer)
    page = client.get("/inbox").get_data(as_text=True)
    ids = [int(i) for i in re.findall(r'data-thread-id="(\d+)"', page)]
    assert ids == [oldest.id, middle.id, recent.id]
    assert answered.id not in ids and elsewhere.id not in ids
    assert "已等待 1天" in page and "已等待 5小时" in page

    client.post(f"/t/{oldest.id}/reply", data={"body": "已收到,正在核实。"})
    page = client.get("/inbox").get_data(as_text=True)
    assert [int(i) for i in re.findall(r'data-thread-id="(\d+)"', page)] == [middle.id, recent.id]
    assert db.session.get(Thread, oldest.id).status == ThreadStatus.ANSWERED


def test_a_citizen_reply_keeps_the_thread_in_the_inbox(client, make, login):
    officer = make.make_user("officer", unit_code="traffic")
    asker = make.make_user()
    thread = make.make_thread(asker, "traffic")
    make.make_post(thread, asker, body="有人知道吗?")
    login(officer)
    assert f'data-thread-id="{thread.id}"' in client.get("/inbox").get_data(as_text=True)


def test_inbox_is_forbidden_to_non_answering_roles(client, make, login):
    for role in ("citizen", "dispatcher", "admin"):
        login(make.make_user(role))
        assert client.get("/inbox").status_code == 403, role
        client.post("/logout")


def test_inbox_sends_anonymous_readers_to_sign_in(client):
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
