"""The anonymous page cache: fast for readers, never stale after a write, never anyone else's
page."""
from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest

from board import create_app
from board.config import TestConfig as ConfigForTests
from board.extensions import db
from board.models import Thread, Visibility
from board.queries import notifications as bell
from board.search import worker
from board.services import status
from board.web import page_cache, page_stamps
from tests.test_query_counts import recorded


def _get(client, path, **kw):
    response = client.get(path, **kw)
    assert response.status_code == 200, response.status_code
    return response


def test_home_is_served_from_cache_until_a_new_thread_appears(client, make):
    make.make_thread(title="第一个问题在这里")
    assert _get(client, "/").headers["X-Anon-Cache"] == "miss"
    second = _get(client, "/")
    assert second.headers["X-Anon-Cache"] == "hit"
    assert "第一个问题在这里" in second.get_data(as_text=True)

    make.make_thread(title="刚刚发的新问题", board_slug="traffic")
    fresh = _get(client, "/")
    assert fresh.headers["X-Anon-Cache"] == "miss"
    assert "刚刚发的新问题" in fresh.get_data(as_text=True)


@pytest.mark.parametrize("page", ["board", "thread"])
def test_a_cache_hit_costs_one_small_query(client, make, page):
    thread = make.make_thread(title="查询次数测试帖")
    path = "/b/hukou" if page == "board" else f"/t/{thread.id}"
    _get(client, path)
    with recorded() as statements:
        assert _get(client, path).headers["X-Anon-Cache"] == "hit"
    assert len(statements) == 1, statements


@pytest.mark.parametrize("change", [{"visibility": Visibility.POLICE_ONLY}, {"hidden": True}])
def test_a_cached_thread_page_is_gone_once_the_thread_is_no_longer_public(client, make, change):
    """A hit is served without loading the thread: the stamp must move with its visibility."""
    thread = make.make_thread(title="先公开后来转内部的帖子")
    path = f"/t/{thread.id}"
    _get(client, path)
    assert _get(client, path).headers["X-Anon-Cache"] == "hit"

    row = db.session.get(Thread, thread.id)
    for name, value in change.items():
        setattr(row, name, value)
    db.session.commit()
    assert client.get(path).status_code == 404


def test_board_page_shows_new_thread_and_new_reply_at_once(client, make):
    thread = make.make_thread(title="排队要多久才能办完")
    page = _get(client, "/b/hukou").get_data(as_text=True)
    assert "0 回复" in page
    assert _get(client, "/b/hukou").headers["X-Anon-Cache"] == "hit"

    make.make_post(thread, make.make_user("officer", unit_code="hukou"), body="一般半小时。")
    page = _get(client, "/b/hukou")
    assert page.headers["X-Anon-Cache"] == "miss"
    assert "1 回复" in page.get_data(as_text=True)
    assert "官方回复" in page.get_data(as_text=True)


def test_a_write_from_another_process_invalidates_this_ones_cache(app, client, make, tmp_path):
    """Two app instances on one database stand for two server processes with their own caches."""
    make.make_thread(title="进程一看到的帖子")
    _get(client, "/b/hukou")
    assert _get(client, "/b/hukou").headers["X-Anon-Cache"] == "hit"

    other = create_app(ConfigForTests(tmp_path / "other", app.config["SQLALCHEMY_DATABASE_URI"]))
    with other.app_context():
        make.make_thread(title="进程二刚发的帖子")
        db.session.remove()
        db.engine.dispose()

    page = _get(client, "/b/hukou")
    assert page.headers["X-Anon-Cache"] == "miss"
    assert "进程二刚发的帖子" in page.get_data(as_text=True)


def test_signed_in_pages_are_never_cached_nor_served_to_others(client, make, login):
    make.make_thread(title="登录与否测试帖")
    citizen = make.make_user(nickname="不该出现的昵称")
    login(citizen)
    signed_in = client.get("/")
    assert "X-Anon-Cache" not in signed_in.headers
    assert "不该出现的昵称" in signed_in.get_data(as_text=True)
    assert "X-Anon-Cache" not in client.get("/").headers  # still not from the cache

    client.post("/logout")
    anonymous = _get(client, "/")
    assert "不该出现的昵称" not in anonymous.get_data(as_text=True)
    assert "登录" in anonymous.get_data(as_text=True)


def test_police_only_threads_never_reach_the_anonymous_cache(client, make, login):
    officer = make.make_user("officer", unit_code="hukou")
    make.make_thread(officer, title="内部通报仅民警可见", visibility=Visibility.POLICE_ONLY)
    public = make.make_thread(title="起初公开后来转内部")

    login(officer)
    assert "内部通报仅民警可见" in client.get("/b/hukou").get_data(as_text=True)
    client.post("/logout")

    page = _get(client, "/b/hukou").get_data(as_text=True)
    assert "内部通报仅民警可见" not in page
    assert "起初公开后来转内部" in page
    assert _get(client, "/b/hukou").headers["X-Anon-Cache"] == "hit"

    thread = db.session.get(Thread, public.id)
    thread.visibility = Visibility.POLICE_ONLY
    db.session.commit()
    assert "起初公开后来转内部" not in _get(client, "/b/hukou").get_data(as_text=True)
    assert "起初公开后来转内部" not in _get(client, "/").get_data(as_text=True)


def test_elder_mode_cookie_gets_its_own_page(client, make):
    make.make_thread(title="长辈模式测试帖")
    normal = _get(client, "/").get_data(as_text=True)
    client.set_cookie("elder", "1", domain="board.test")
    elder = _get(client, "/")
    assert elder.headers["X-Anon-Cache"] == "miss"
    assert re.search(r'<body class="[^"]*elder', elder.get_data(as_text=True))
    assert not re.search(r'<body class="[^"]*elder', normal)
    client.set_cookie("elder", "0", domain="board.test")
    assert not re.search(r'<body class="[^"]*elder', _get(client, "/").get_data(as_text=True))


def test_shared_pages_carry_no_token_and_elder_mode_still_switches(app, make, login):
    """Anonymous pages are shared whole, so they hold no per-reader CSRF token; the one form on
    them (elder mode) needs none from anonymous readers, but still does from signed-in ones."""
    app.config["WTF_CSRF_ENABLED"] = True
    make.make_thread(title="令牌测试帖")
    first, second = app.test_client(), app.test_client()
    page = _get(first, "/").get_data(as_text=True)
    assert "csrf" not in page.lower()
    assert _get(second, "/").headers["X-Anon-Cache"] == "hit"
    switched = second.post("/elder?next=/")
    assert switched.status_code == 302 and "elder=1" in switched.headers["Set-Cookie"]

    signed_in = app.test_client()
    user = make.make_user()
    token_page = signed_in.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', token_page).group(1)
    signed_in.post("/login", data={"username": user.username, "password": "password123",
                                   "csrf_token": token})
    assert signed_in.post("/elder?next=/").status_code == 400  # no token: refused
    page = signed_in.get("/").get_data(as_text=True)
    assert 'name="csrf-token"' in page


def test_pages_with_a_flash_message_are_not_cached(client, make, login):
    make.make_thread(title="提示消息测试帖")
    login(make.make_user())
    with client.session_transaction() as sess:
        sess["_flashes"] = [("success", "操作成功的提示")]
        sess.pop("_user_id", None)
    page = client.get("/")
    assert "操作成功的提示" in page.get_data(as_text=True)
    assert "X-Anon-Cache" not in page.headers
    assert "操作成功的提示" not in _get(client, "/").get_data(as_text=True)


def test_unknown_query_arguments_bypass_the_cache(client, make):
    make.make_thread(title="参数测试帖")
    assert "X-Anon-Cache" not in client.get("/?utm_source=x").headers
    assert "X-Anon-Cache" in client.get("/b/hukou?cursor=").headers


def test_a_citizen_opening_the_bell_leaves_the_public_pages_cached(app, client, make, login):
    """Reading one's notifications changes no public page: anonymous readers keep their hits."""
    asker = make.make_user()
    thread = make.make_thread(asker, title="户口迁移要带什么材料")
    make.make_post(thread, make.make_user("officer", unit_code="hukou"), body="带身份证即可。")
    anonymous = app.test_client()
    _get(anonymous, "/b/hukou")
    assert _get(anonymous, "/b/hukou").headers["X-Anon-Cache"] == "hit"

    assert bell.unread_count(asker.id) == 1
    login(asker)
    assert client.post("/notifications/read", data={"all": "1"}).status_code == 302
    assert bell.unread_count(asker.id) == 0
    assert _get(anonymous, "/b/hukou").headers["X-Anon-Cache"] == "hit"


def test_indexing_new_threads_for_search_leaves_the_public_pages_cached(no_search_indexing, make):
    app = no_search_indexing
    thread = make.make_thread(title="驾驶证到期怎么换证")
    anonymous = app.test_client()
    _get(anonymous, "/b/hukou")
    assert _get(anonymous, "/b/hukou").headers["X-Anon-Cache"] == "hit"

    assert worker.drain(app) > 0  # the search-index batch ran
    assert _get(anonymous, "/b/hukou").headers["X-Anon-Cache"] == "hit"
    make.make_post(thread, body="可以网上办理。")
    assert _get(anonymous, "/b/hukou").headers["X-Anon-Cache"] == "miss"  # a reply still does


# --- what the public stamp gives away (issue 15, item 15) ----------------------------------


@pytest.fixture
def frozen_minute(app, monkeypatch):
    """The thread page's stamp carries the minute and the cache a TTL: hold both still."""
    frozen = SimpleNamespace(time=lambda: 1_800_000_000.0, monotonic=time.monotonic)
    monkeypatch.setattr(page_cache, "time", frozen)  # the TTL
    monkeypatch.setattr(page_stamps, "time", frozen)  # the thread stamp's minute
    app.config["ANON_CACHE_TTL"] = 3600
    return app


def _unchanged_for_outsiders(client, public_path: str, etag: str) -> None:
    for path in ("/", "/b/hukou", public_path):
        assert _get(client, path).headers["X-Anon-Cache"] == "hit", path
    assert client.get(public_path, headers={"If-None-Match": etag}).status_code == 304


def test_police_only_and_hidden_activity_leaves_the_public_stamp_alone(frozen_minute, client,
                                                                        make):
    """An outsider polling a board (cache hit/miss, the public thread's ETag) cannot tell when
    police-only or hidden threads are filed, answered or moved, nor when a reply is held."""
    officer = make.make_user("officer", unit_code="hukou")
    citizen = make.make_user()
    public = make.make_thread(citizen, title="公开的户口问题")
    hidden = make.make_thread(citizen, title="被隐藏的帖子")
    hidden.hidden = True
    db.session.commit()
    public_path = f"/t/{public.id}"
    for path in ("/", "/b/hukou", public_path):
        _get(client, path)
    etag = _get(client, public_path).headers["ETag"].removeprefix("W/").strip('"')

    secret = make.make_thread(citizen, title="仅警方可见的线索", visibility=Visibility.POLICE_ONLY)
    _unchanged_for_outsiders(client, public_path, etag)
    make.make_post(secret, officer, body="线索收到,正在核查。")  # the first answer moves status
    status.change(officer, secret, "resolved", note="已核查")  # a guarded bulk move
    make.make_post(hidden, officer, body="隐藏帖子里的回复。")
    make.make_post(public, citizen, body="有人在群里招揽刷单返利。")  # held for review
    _unchanged_for_outsiders(client, public_path, etag)

    make.make_post(public, officer, body="请带户口簿到窗口办理。")  # what the public sees
    for path in ("/", "/b/hukou", public_path):
        assert _get(client, path).headers["X-Anon-Cache"] == "miss", path
    assert client.get(public_path, headers={"If-None-Match": etag}).status_code == 200
