"""Real browsers against the real server (`python app.py`): a citizen on a phone keeps the thread
open while an officer answers in another browser context. The answer appears without a reload,
with the officer's badge; "民警正在回复…" shows while the officer types; the bell count rises;
the board page queues new threads behind a bar; the officer inbox fills and empties live."""
from __future__ import annotations

import pytest
import requests

from tests.browser import PHONE, WAIT, sign_in, until, wait_live
from tests.live_server import BoardServer, seed_people, token

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("live-browser")
    board = BoardServer(instance).wait_ready()
    seed_people(board, instance)
    yield board
    board.stop()



def _api_thread(server, username: str, title: str, body: str = "请问具体怎么办理?") -> int:
    response = requests.post(server.url + "/api/v1/boards/hukou/threads", timeout=10,
                             headers={"Authorization": f"Bearer {token(server, username)}"},
                             json={"title": title, "body": body, "kind": "question"})
    assert response.status_code == 201, response.text
    return response.json()["thread"]["id"]


def _bell(page) -> int:
    badge = page.locator(".bell .bell-count")
    return int(badge.text_content() or 0) if badge.is_visible() else 0


def test_officer_reply_appears_on_citizens_phone_without_reload(browser, server):
    thread_id = _api_thread(server, "live_asker", "浏览器测试:新生儿怎么上户口")
    citizen_ctx, citizen, _ = sign_in(browser, server, "live_asker", **PHONE)
    officer_ctx, officer, _ = sign_in(browser, server, "live_officer")
    try:
        citizen.goto(f"/t/{thread_id}")
        wait_live(citizen)
        citizen.evaluate("window.__sameDocument = true")  # gone if the page reloads
        citizen.evaluate("window.boardLive.socket.on('notification', function (d) {"
                         " if (d.notification) window.__notes = (window.__notes || 0) + 1; })")
        bell_before = _bell(citizen)
        assert citizen.locator(".thread .status").text_content().strip() == "待回复"

        officer.goto(f"/t/{thread_id}")
        wait_live(officer)
        officer.locator(".reply-form textarea").press_sequentially(
            "您好,请带出生医学证明", delay=20)
        typing = citizen.locator(".typing-indicator")
        typing.wait_for(state="visible", timeout=WAIT)
        assert "王海峰" in typing.text_content() and "民警正在回复" in typing.text_content()

        officer.locator(".reply-form textarea").fill("您好,请带出生医学证明、户口簿到派出所办理。")
        officer.click(".reply-form button[type=submit]")

        post = citizen.locator(".post.official", has_text="出生医学证明")
        post.wait_for(timeout=WAIT)
        assert citizen.evaluate("window.__sameDocument") is True
        assert "just-arrived" in post.get_attribute("class")
        assert post.locator(".officer-badge .officer-name").text_content() == "王海峰"
        assert "150231" in post.locator(".officer-badge .badge-no").text_content()
        assert "户政" in post.locator(".officer-badge .unit").text_content()
        until(citizen, "document.querySelector('.thread .status').textContent.trim() === '已回复'")
        assert citizen.locator("[data-reply-count]").text_content() == "1"
        # The bell entry arrives live and, on the very thread on screen, counts as read at once
        # (issue 17: no text message for an answer the asker saw): the count ends where it was.
        until(citizen, "window.__notes === 1")
        until(citizen, "Number(document.querySelector('.bell .bell-count').textContent || 0) === "
               f"{bell_before}")
        assert typing.is_hidden()
        citizen.screenshot(path=str(server.log_path.parent / "citizen-phone.png"))
    finally:
        citizen_ctx.close()
        officer_ctx.close()


def test_reconnect_catches_up_on_missed_replies(browser, server):
    thread_id = _api_thread(server, "live_reader", "浏览器测试:断线后补齐回复")
    context, page, _ = sign_in(browser, server, "live_reader", **PHONE)
    try:
        page.goto(f"/t/{thread_id}")
        wait_live(page)
        page.evaluate("window.boardLive.socket.disconnect()")  # the phone goes into a tunnel
        officer_token = token(server, "live_officer")
        for i in range(3):
            requests.post(f"{server.url}/api/v1/threads/{thread_id}/posts", timeout=10,
                          headers={"Authorization": f"Bearer {officer_token}"},
                          json={"body": f"断线期间的第{i + 1}条答复"}).raise_for_status()
        assert page.locator(".post").count() == 0
        page.evaluate("window.boardLive.socket.connect()")  # back online
        until(page, "document.querySelectorAll('.post').length === 3")
        texts = page.locator(".post .body").all_text_contents()
        assert [t.strip() for t in texts] == [f"断线期间的第{i + 1}条答复" for i in range(3)]
    finally:
        context.close()


def test_board_bar_and_officer_inbox_update_live(browser, server):
    _api_thread(server, "live_reader", "浏览器测试:已在列表中的帖子")
    reader_ctx = browser.new_context(base_url=server.url, **PHONE)
    reader = reader_ctx.new_page()
    officer_ctx, inbox, _ = sign_in(browser, server, "live_officer")
    try:
        reader.goto("/b/hukou")
        inbox.goto("/inbox")
        wait_live(reader)
        wait_live(inbox)
        first_row = reader.locator(".thread-row").first.get_attribute("data-thread-id")
        count_before = int(inbox.locator("[data-inbox-count]").text_content())

        thread_id = _api_thread(server, "live_elder", "浏览器测试:老人身份证到期换领")

        bar = reader.locator(".new-threads-bar")
        bar.wait_for(timeout=WAIT)
        assert "1 条新帖" in bar.text_content()
        assert reader.locator(".thread-row").first.get_attribute("data-thread-id") == first_row
        bar.click()
        row = reader.locator(f'.thread-row[data-thread-id="{thread_id}"]')
        row.wait_for(timeout=WAIT)
        assert "老人身份证到期换领" in row.text_content()
        assert reader.locator(".new-threads-bar").count() == 0

        inbox.locator(f'.thread-row[data-thread-id="{thread_id}"]').wait_for(timeout=WAIT)
        assert int(inbox.locator("[data-inbox-count]").text_content()) == count_before + 1
        assert inbox.title().startswith(f"({count_before + 1})")

        inbox_token = token(server, "live_officer")
        requests.post(f"{server.url}/api/v1/threads/{thread_id}/posts", timeout=10,
                      headers={"Authorization": f"Bearer {inbox_token}"},
                      json={"body": "您好,可到户政窗口办理。"}).raise_for_status()
        inbox.locator(f'.thread-row[data-thread-id="{thread_id}"]').wait_for(
            state="detached", timeout=WAIT)
        assert int(inbox.locator("[data-inbox-count]").text_content()) == count_before
    finally:
        reader_ctx.close()
        officer_ctx.close()


def _row_html(page, thread_id: int) -> str:
    """A row's markup as a reader compares it: without the arrival highlight, the waiting time
    and the time left to answer, which only differ by the seconds between the push and the
    reload."""
    return page.evaluate("""(id) => {
        const row = document.querySelector(`[data-inbox] .thread-row[data-thread-id="${id}"]`)
            .cloneNode(true);
        row.classList.remove("just-arrived", "slide-in");
        row.querySelectorAll(".waiting, [data-deadline-left]").forEach((w) => {
            w.textContent = "";
        });
        row.querySelectorAll("[data-left]").forEach((w) => { w.removeAttribute("data-left"); });
        return row.outerHTML.replace(/\\s+/g, " ");
    }""", thread_id)


def _inbox_ids(page) -> list[str]:
    return page.locator("[data-inbox] .thread-row").evaluate_all(
        "rows => rows.map(r => r.getAttribute('data-thread-id'))")


def test_urgent_thread_arrives_first_and_tagged_in_the_inbox_as_a_reload_shows_it(browser, server):
    _api_thread(server, "live_reader", "浏览器测试:排在紧急帖之后的普通咨询")
    officer_ctx, inbox, _ = sign_in(browser, server, "live_officer")
    try:
        inbox.goto("/inbox")
        wait_live(inbox)
        assert inbox.locator("[data-inbox] .thread-row").count() >= 1

        thread_id = _api_thread(server, "live_asker", "浏览器测试:老人被困电梯里",
                                body="救命,我家老人被困在电梯里出不来了!")

        row = inbox.locator(f'[data-inbox] .thread-row[data-thread-id="{thread_id}"]')
        row.wait_for(timeout=WAIT)
        assert _inbox_ids(inbox)[0] == str(thread_id)
        assert row.locator(".tag-urgent").text_content() == "疑似紧急"
        live_ids, live_row = _inbox_ids(inbox), _row_html(inbox, thread_id)

        inbox.reload()
        assert _inbox_ids(inbox) == live_ids
        assert _row_html(inbox, thread_id) == live_row
    finally:
        officer_ctx.close()


def _post_markup(page, post_id: int, part: str = "") -> str:
    """A reply's markup (or one `part` of it) without the arrival highlight."""
    return page.evaluate("""([id, part]) => {
        const post = document.querySelector(`[data-posts] [data-post-id="${id}"]`)
            .cloneNode(true);
        post.classList.remove("just-arrived");
        return (part ? post.querySelector(part) : post).outerHTML;
    }""", [post_id, part])


def test_live_officer_reply_is_the_reply_a_reload_shows(browser, server):
    """The pushed reply is the server's own: the badge (name, badge number, unit) a resident sees
    live is the one a reload shows, and an anonymous reader's whole reply is identical."""
    thread_id = _api_thread(server, "live_elder", "浏览器测试:推送的答复与刷新后一致")
    resident_ctx, resident, _ = sign_in(browser, server, "live_elder", **PHONE)
    anon_ctx = browser.new_context(base_url=server.url, **PHONE)
    anon = anon_ctx.new_page()
    try:
        for page in (resident, anon):
            page.goto(f"/t/{thread_id}")
            wait_live(page)
            page.evaluate("window.__sameDocument = true")
        officer = {"Authorization": f"Bearer {token(server, 'live_officer')}"}
        response = requests.post(f"{server.url}/api/v1/threads/{thread_id}/posts", timeout=10,
                                 headers=officer, json={"body": "您好,身份证可提前三个月换领。"})
        response.raise_for_status()
        post_id = response.json()["post"]["id"]

        live = {}
        for page in (resident, anon):
            badge = page.locator(f'[data-post-id="{post_id}"] .officer-badge')
            badge.wait_for(timeout=WAIT)
            assert page.evaluate("window.__sameDocument") is True
            assert badge.locator(".officer-name").text_content() == "王海峰"
            assert badge.locator(".badge-no").text_content() == "警号 150231"
            assert "户政" in badge.locator(".unit").text_content()
            live[page] = [_post_markup(page, post_id, part) for part in (".post-head", ".body")]
        live_anon = _post_markup(anon, post_id)

        for page in (resident, anon):
            page.reload()
            assert [_post_markup(page, post_id, p) for p in (".post-head", ".body")] == live[page]
        assert _post_markup(anon, post_id) == live_anon
    finally:
        resident_ctx.close()
        anon_ctx.close()


def test_same_question_mentions_and_a_live_receipt_on_phones(browser, server):
    """Issue 17 in real browsers: a neighbour taps 同问 (the count rises, no reload), gets
    @王海峰 suggested while typing; the asker, reading the thread when the answer arrives, has
    it marked read by their page (static/js/live.js acknowledges it), so no text message goes."""
    thread_id = _api_thread(server, "live_asker", "浏览器测试:同问和站内已读")
    neighbour_ctx, neighbour, _ = sign_in(browser, server, "live_reader", **PHONE)
    asker_ctx, asker, _ = sign_in(browser, server, "live_asker", **PHONE)
    try:
        neighbour.goto(f"/t/{thread_id}")
        wait_live(neighbour)
        neighbour.evaluate("window.__sameDocument = true")
        neighbour.click("[data-follow-action=same_question]")
        until(neighbour, "document.querySelector('[data-same-question-count]').textContent"
                         " === '1'")
        assert neighbour.evaluate("window.__sameDocument") is True
        assert neighbour.locator("[data-follow-state]").text_content() == "已同问"
        assert neighbour.locator("[data-follow-action=same_question]").is_hidden()
        box = neighbour.locator(".reply-form textarea")
        box.press_sequentially("请问 @王", delay=30)
        neighbour.locator(".mention-suggestions button", has_text="王海峰").click(timeout=WAIT)
        assert box.input_value() == "请问 @王海峰 "

        asker.goto(f"/t/{thread_id}")
        wait_live(asker)
        answer = requests.post(server.url + f"/api/v1/threads/{thread_id}/posts", timeout=10,
                               headers={"Authorization": f"Bearer {token(server, 'live_officer')}"},
                               json={"body": "您好,带户口簿到派出所即可。"})
        assert answer.status_code == 201
        asker.locator(".post.official", has_text="户口簿").wait_for(timeout=WAIT)
        mine = {"Authorization": f"Bearer {token(server, 'live_asker')}"}

        def answer_read() -> bool:
            notes = requests.get(server.url + "/api/v1/me/notifications", headers=mine,
                                 timeout=10).json()["notifications"]
            return any(n["thread_id"] == thread_id and n["read"] for n in notes)

        for _ in range(50):
            if answer_read():
                break
            asker.wait_for_timeout(200)
        assert answer_read()
        neighbour.screenshot(path=str(server.log_path.parent / "same-question-phone.png"))
    finally:
        neighbour_ctx.close()
        asker_ctx.close()
