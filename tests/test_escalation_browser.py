"""Real browsers against the real server: a dispatcher's queue fills live when an officer
escalates, the dispatcher dispatches from it, and the citizen watching the thread on a phone sees
each step of the timeline appear without a reload — then rates the outcome.

Issue 18, on the same server: a station officer's desk (1366×900) shows an incident in 待处置
the moment the command centre dispatches it, opens it beside the list with j, handles it from
the pane with Ctrl+Enter, and sees it leave when resolved; on a phone (390×844) the same page is
the one-column list it always was (screenshots: $BOARD_TEST_SHOTS, else the server's folder)."""
from __future__ import annotations

import io
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from openpyxl import load_workbook

from tests.browser import PHONE, WAIT, sign_in, until, wait_live
from tests.live_server import PASSWORD, BoardServer, create_user, register, token

pytestmark = pytest.mark.browser
DESK = {"viewport": {"width": 1366, "height": 900}, "locale": "zh-CN"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("escalation-browser")
    board = BoardServer(instance).wait_ready()
    for role, username, name, badge, unit in (
            ("officer", "desk_officer", "孙丽娜", "150518", "online-desk"),
            ("dispatcher", "desk_dispatch", "李晓燕", "150110", "command-110"),
            ("officer", "kunhe_officer", "陈志强", "150456", "station-kunhe")):
        create_user(instance, "--role", role, "--username", username, "--password", PASSWORD,
                    "--real-name", name, "--badge-no", badge, "--unit", unit)
    register(board, "note_finder", "捡到纸条的市民")
    yield board
    board.stop()



def _api(server, username, method, path, **json):
    response = requests.request(method, server.url + "/api/v1" + path, timeout=10, json=json,
                                headers={"Authorization": f"Bearer {token(server, username)}"})
    assert response.status_code in (200, 201), response.text
    return response.json()


def test_dispatcher_queue_and_citizen_timeline_live(browser, server):
    thread = _api(server, "note_finder", "POST", "/boards/qa/threads", kind="help",
                  title="路边捡到求救纸条,有人被困", body="纸条写着:我被困在昆区某小区三楼,救命!")
    thread_id = thread["thread"]["id"]
    assert "110" in thread["urgent_notice"]

    citizen_ctx, citizen, citizen_errors = sign_in(browser, server, "note_finder", **PHONE)
    dispatch_ctx, dispatcher, dispatch_errors = sign_in(browser, server, "desk_dispatch")
    try:
        citizen.goto(f"/t/{thread_id}")
        wait_live(citizen)
        citizen.evaluate("window.__sameDocument = true")  # gone if the page reloads
        dispatcher.goto("/command/")
        wait_live(dispatcher)
        dispatcher.evaluate("window.__sameDocument = true")
        waiting = f'[data-queue-waiting] [data-thread-id="{thread_id}"]'
        assert dispatcher.locator(waiting).count() == 0

        # An officer escalates: the dispatcher's queue shows it without a reload.
        _api(server, "desk_officer", "POST", f"/threads/{thread_id}/escalate",
             reason="疑似非法拘禁,需核查", urgency="critical")
        row = dispatcher.locator(f'[data-queue-waiting] [data-thread-id="{thread_id}"]')
        row.wait_for(timeout=WAIT)
        assert "特急" in row.text_content() and "疑似非法拘禁" in row.text_content()
        assert dispatcher.evaluate("window.__sameDocument") is True
        citizen.locator(".timeline-escalated").wait_for(timeout=WAIT)
        assert "110指挥中心" in citizen.locator(".timeline-escalated").text_content()
        assert "疑似非法拘禁" not in citizen.content()  # the reason is police-only

        # The dispatcher dispatches from the queue.
        row.locator("select[name=unit]").select_option("station-kunhe")
        row.locator("input[name=note]").fill("请立即出警")
        row.locator("button[type=submit]").click()
        dispatcher.wait_for_url("**/command/")
        assert "已派警" in dispatcher.locator(".flashes").text_content()
        dispatcher.locator(f'[data-queue-progress] [data-thread-id="{thread_id}"]').wait_for()

        item = citizen.locator(".timeline-dispatched")
        item.wait_for(timeout=WAIT)
        assert "您好,该警情已收悉,昆区昆河派出所正在处置" in item.text_content()
        assert citizen.locator("[data-incident-no]").text_content().startswith("JQ")
        assert "已派警: 昆区昆河派出所" in citizen.locator(".response-times").text_content()

        # The unit handles and resolves; the citizen sees it and rates, still the same page.
        _api(server, "kunhe_officer", "POST", f"/threads/{thread_id}/status",
             status="handling", note="民警已到达现场")
        _api(server, "kunhe_officer", "POST", f"/threads/{thread_id}/status",
             status="resolved", note="被困人员已解救")
        citizen.locator(".timeline-resolved").wait_for(timeout=WAIT)
        assert "被困人员已解救" in citizen.locator(".timeline-resolved").text_content()
        assert citizen.evaluate("window.__sameDocument") is True
        form = citizen.locator("[data-rating-form]")
        form.wait_for(timeout=WAIT)
        citizen.screenshot(path=str(server.log_path.parent / "citizen-timeline.png"),
                           full_page=True)
        form.locator("textarea[name=comment]").fill("民警来得很快,谢谢!")
        form.locator("button[type=submit]").click()
        citizen.locator("[data-rating] .stars").wait_for(timeout=WAIT)
        assert citizen.locator("[data-rating] .stars").text_content().strip() == "★★★★★"
        dispatcher.screenshot(path=str(server.log_path.parent / "dispatcher-queue.png"),
                              full_page=True)
        assert not [e for e in citizen_errors + dispatch_errors if "Content Security" in e]
    finally:
        citizen_ctx.close()
        dispatch_ctx.close()


def test_station_desk_handles_a_dispatched_incident_live_and_the_phone_stays_a_list(
        browser, server):
    shots = Path(os.environ.get("BOARD_TEST_SHOTS") or server.log_path.parent)
    register(server, "car_owner", "昆河小区业主")
    thread_id = _api(server, "car_owner", "POST", "/boards/qa/threads", kind="help",
                     title="楼下有人砸车窗", body="昆河小区 3 号楼下有人在砸车窗,砸了好几辆。",
                     location="昆区昆河小区3号楼")["thread"]["id"]
    context, desk, errors = sign_in(browser, server, "kunhe_officer", **DESK)
    try:
        desk.goto("/inbox?tab=handling")
        wait_live(desk)
        desk.evaluate("window.__sameDocument = true")
        assert desk.locator("[data-desk-pane]").is_visible()
        assert desk.locator('[data-tab-count="handling"]').text_content().strip() == "0"
        list_box, pane_box = (desk.locator(s).bounding_box()
                              for s in (".desk-list", "[data-desk-pane]"))
        assert list_box["x"] + list_box["width"] <= pane_box["x"]  # side by side
        assert pane_box["width"] > 600

        _api(server, "desk_officer", "POST", f"/threads/{thread_id}/escalate",
             reason="现行案件,需出警", urgency="urgent")
        _api(server, "desk_dispatch", "POST", f"/threads/{thread_id}/dispatch",
             unit="station-kunhe", note="请带执法记录仪,注意安全")
        row = desk.locator(f'[data-worklist="handling"] [data-thread-id="{thread_id}"]')
        row.wait_for(timeout=WAIT)
        text = row.text_content()
        for shown in ("JQ", "紧急", "昆区昆河小区3号楼", "请带执法记录仪,注意安全", "已派警"):
            assert shown in text, shown
        until(desk, "document.title.indexOf('(1) 待处置') === 0")
        assert desk.locator('[data-tab-count="handling"]').text_content().strip() == "1"
        assert desk.evaluate("window.__sameDocument") is True

        desk.keyboard.press("j")  # the next item opens beside the list
        frame = desk.frame_locator("[data-desk-frame]")
        frame.locator(f'article.thread[data-thread-id="{thread_id}"]').wait_for(timeout=WAIT)
        assert desk.url.endswith("/inbox?tab=handling") and "selected" in row.get_attribute("class")
        # Every script of the pane's page has run (a loaded machine runs them late, and the
        # shortcut and the status form's own script must be in place before typing).
        desk.frame(name="desk-pane").wait_for_load_state("load", timeout=2 * WAIT)
        frame.locator("html.in-pane").wait_for(state="attached", timeout=WAIT)
        assert not frame.locator(".topbar").is_visible()  # the pane drops the site's chrome
        status = frame.locator("[data-status-form]")
        status.locator("select[name=status]").select_option("handling")
        status.locator("textarea[name=note]").fill("民警已到达现场")
        status.locator("textarea[name=note]").press("Control+Enter")
        frame.locator(".timeline-handling").wait_for(timeout=2 * WAIT)  # a form post + reload
        handling = f'[data-worklist="handling"] [data-thread-id="{thread_id}"] .status-handling'
        until(desk, f"document.querySelector('{handling}')")
        desk.screenshot(path=str(shots / "desk-1366.png"))

        _api(server, "kunhe_officer", "POST", f"/threads/{thread_id}/status",
             status="resolved", note="嫌疑人已控制")
        row.wait_for(state="detached", timeout=WAIT)
        count = "document.querySelector('[data-tab-count=\"handling\"]').textContent.trim()"
        until(desk, count + " === '0'")
        assert desk.evaluate("window.__sameDocument") is True
        assert not [e for e in errors if "Content Security" in e or "Refused" in e]
    finally:
        context.close()

    # The phone: one column, no pane, links open the thread as before.
    second = _api(server, "car_owner", "POST", "/boards/qa/threads", kind="help",
                  title="小区门口有人打架", body="昆河小区南门有两个人在打架,有人流血了。",
                  location="昆区昆河小区南门")["thread"]["id"]
    _api(server, "desk_officer", "POST", f"/threads/{second}/escalate", reason="斗殴",
         urgency="critical")
    _api(server, "desk_dispatch", "POST", f"/threads/{second}/dispatch", unit="station-kunhe")
    context, phone, errors = sign_in(browser, server, "kunhe_officer", **PHONE)
    try:
        phone.goto("/inbox?tab=handling")
        row = phone.locator(f'[data-worklist="handling"] [data-thread-id="{second}"]')
        assert row.is_visible() and "特急" in row.text_content()
        assert not phone.locator("[data-desk-pane]").is_visible()
        assert phone.locator(".topbar").is_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        tabs = phone.locator("[data-worklist-tabs] a")
        assert tabs.count() == 4 and all(tabs.nth(i).is_visible() for i in range(4))
        phone.screenshot(path=str(shots / "desk-phone-390.png"), full_page=True)
        row.locator("a").first.click()
        phone.wait_for_url(f"**/t/{second}")
        assert phone.locator(".topbar").is_visible()
    finally:
        context.close()


def _dash_api(server, username, path, **json):
    response = requests.post(server.url + "/api/v1" + path, json=json, timeout=10,
                             headers={"Authorization": f"Bearer {token(server, username)}"})
    assert response.status_code in (200, 201), response.text
    return response.json()


def test_dashboard_date_range_comparison_ratings_and_excel_export(browser, server):
    """Issue 20: a leader on a phone picks a date range, reads the period beside the one
    before, exports what is on screen to Excel, and opens the ratings behind an officer."""
    create_user(server.log_path.parent, "--role", "leader", "--username", "dash_leader",
                "--password", PASSWORD, "--real-name", "高振华", "--badge-no", "150001",
                "--unit", "city-bureau")
    thread = _dash_api(server, "note_finder", "/boards/qa/threads", kind="question",
                  title="新生儿落户需要哪些材料", body="孩子上个月出生,想问落户要带什么。")
    thread_id = thread["thread"]["id"]
    _dash_api(server, "desk_officer", f"/threads/{thread_id}/posts",
         body="您好,请携带出生医学证明、父母户口簿和身份证到户籍窗口办理。")
    _dash_api(server, "desk_officer", f"/threads/{thread_id}/status", status="resolved",
         note="已答复")
    _dash_api(server, "note_finder", f"/threads/{thread_id}/rate", score=2, comment="回复有点慢")
    today = (datetime.now(UTC) + timedelta(hours=8)).date()
    start = today - timedelta(days=2)

    context, page, errors = sign_in(browser, server, "dash_leader", accept_downloads=True,
                                    **PHONE)
    try:
        page.goto("/leader/")
        page.fill("#period-start", start.isoformat())
        page.fill("#period-end", today.isoformat())
        page.click("[data-period-form] button[type=submit]")
        page.wait_for_url("**/leader/?start=*")
        label = page.locator("[data-period-label]").text_content()
        assert f"{start} 至 {today}" in label and "共 3 天" in label
        shown = int(page.locator("[data-figure=threads] strong").text_content())
        assert shown >= 1  # this thread, and the other test's when it ran first
        assert "上期 0" in page.locator("[data-figure=threads] [data-previous]").text_content()
        assert page.locator(".trend-chart svg").count() == 5
        officer = page.locator("[data-satisfaction=officer] tbody tr").first
        assert "孙丽娜" in officer.text_content() and "2.0" in officer.text_content()
        with page.expect_download() as download:
            page.click("[data-export=xlsx]")
        book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
        compare = [list(r) for r in book["本期与上期"].iter_rows(values_only=True)]
        assert compare[0][1] == f"本期 {start} 至 {today}" and compare[1] == ["新帖数", shown, 0]
        officers = [list(r) for r in book["民警满意度"].iter_rows(values_only=True)]
        assert officers[1][:4] == ["孙丽娜", "150518 · 市公安局网上警务服务中心", 1, 2.0]
        officer.locator("a").first.click()
        page.wait_for_url("**/leader/ratings?*")
        assert "回复有点慢" in page.locator("[data-ratings]").text_content()
        assert errors == []
    finally:
        context.close()
