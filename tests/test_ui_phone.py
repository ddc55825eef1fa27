"""The web UI on a phone, in a real browser against the real server with the demo data: no page
scrolls sideways on a 360 px screen, every control is a 44 px touch target, official replies look
different from citizens', status badges are distinct and readable (contrast ≥ 4.5:1), 长辈模式
really enlarges the type and drops secondary elements, and no page relies on inline styles."""
from __future__ import annotations

import re

import pytest
import requests

from tests.browser import PHONE, WAIT, sign_in
from tests.live_server import PASSWORD, BoardServer, create_user, register, token

pytestmark = pytest.mark.browser
NEAR_KUNHE_PARK = {"latitude": 40.6507, "longitude": 109.8295}  # 昆河公园社区, a few dozen metres
SMALL_PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
               "device_scale_factor": 2, "locale": "zh-CN"}
# Controls that must be comfortable to tap (WCAG 2.5.5: 44 × 44 CSS px).
TAP_TARGETS = ("button, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, "
               "textarea, .btn, .topnav a, .board-tile, .thread-row > a, .tabs a, label.chip, "
               "label.check, .crumbs a, .notice-110 a, .bell")
STATUSES = ("awaiting_reply", "answered", "escalated", "dispatched", "handling", "resolved",
            "closed")
CONTRAST_JS = """(el) => {
  const parse = c => c.match(/[\\d.]+/g).map(Number);
  const lin = v => { v /= 255;
                     return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const lum = c => { const [r, g, b] = parse(c);
                     return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b); };
  let bg = el, color = 'rgb(255, 255, 255)';
  while (bg) { const c = getComputedStyle(bg).backgroundColor; const p = parse(c);
               if (p.length < 4 || p[3] > 0.5) { color = c; break; } bg = bg.parentElement; }
  const a = lum(getComputedStyle(el).color), b = lum(color);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The demo board (full pages), plus this test's own cast: ui_officer (户政), ui_admin and the
    citizen ui_citizen; every password is PASSWORD."""
    instance = tmp_path_factory.mktemp("ui-phone")
    board = BoardServer(instance, demo=True).wait_ready()
    try:
        create_user(instance, "--role", "officer", "--username", "ui_officer", "--password",
                    PASSWORD, "--real-name", "王海峰", "--badge-no", "159231", "--unit", "hukou")
        create_user(instance, "--role", "admin", "--username", "ui_admin", "--password", PASSWORD)
        register(board, "ui_citizen", "刘大爷")
    except Exception:
        board.stop()
        raise
    yield board
    board.stop()



def _post(server, username: str, path: str, payload: dict) -> dict:
    response = requests.post(server.url + path, json=payload, timeout=10,
                             headers={"Authorization": f"Bearer {token(server, username)}"})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def answered_thread(server) -> int:
    """A 户政 question with an officer's answer and the asker's thanks."""
    thread = _post(server, "ui_citizen", "/api/v1/boards/hukou/threads",
                   {"title": "户口簿丢了怎么补办?", "body": "需要带什么材料?", "kind": "question"})
    thread_id = thread["thread"]["id"]
    _post(server, "ui_officer", f"/api/v1/threads/{thread_id}/posts",
          {"body": "您好!携带户主居民身份证到户籍所在地派出所即可补办。"})
    _post(server, "ui_citizen", f"/api/v1/threads/{thread_id}/posts", {"body": "谢谢警官!"})
    return thread_id


def _page(browser, server, username: str | None = None, elder: bool = False):
    context = browser.new_context(base_url=server.url, **SMALL_PHONE)
    if elder:
        context.add_cookies([{"name": "elder", "value": "1", "url": server.url}])
    page = context.new_page()
    if username:
        page.goto("/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
    return page


def _small_targets(page) -> list[str]:
    return page.eval_on_selector_all(TAP_TARGETS, """els => els.filter(e => {
        const r = e.getBoundingClientRect(), s = getComputedStyle(e);
        return r.width > 0 && s.visibility !== 'hidden' && !e.closest('.body, .skip')
               && (r.height < 43.5 || r.width < 43.5);
      }).map(e => e.outerHTML.slice(0, 90) + ' ' + Math.round(e.getBoundingClientRect().width)
               + 'x' + Math.round(e.getBoundingClientRect().height))""")


def _check_phone_page(page, path: str) -> None:
    page.goto(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{path} scrolls sideways"
    assert _small_targets(page) == [], path


def test_pages_fit_a_small_phone_with_big_touch_targets(browser, server, answered_thread):
    anonymous = _page(browser, server)
    for path in ("/", "/b/hukou", f"/t/{answered_thread}", "/login", "/register",
                 "/b/no-such-board"):
        _check_phone_page(anonymous, path)

    citizen = _page(browser, server, "ui_citizen")
    _check_phone_page(citizen, "/me")
    _check_phone_page(citizen, "/b/hukou/new")
    citizen.fill("input[name=title]", "问")
    citizen.click("main form button[type=submit]")
    assert citizen.locator(".field.has-error .field-error").count() >= 2  # title and body
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 360
    error = citizen.locator(".field-error").first
    assert error.evaluate(CONTRAST_JS) >= 4.5

    officer = _page(browser, server, "ui_officer")
    _check_phone_page(officer, "/inbox")
    assert officer.locator(".topnav a[aria-current=page]").inner_text().strip() == "待办"
    admin = _page(browser, server, "ui_admin")
    for path in ("/admin/users", "/admin/units", "/admin/boards"):
        _check_phone_page(admin, path)


def test_official_reply_stands_out_with_the_verified_badge(browser, server, answered_thread):
    page = _page(browser, server)
    page.goto(f"/t/{answered_thread}")
    official = page.locator(".post.official").first
    citizen = page.locator(".post:not(.official)").first
    assert official.locator(".badge-icon").inner_text() == "警"
    assert re.search(r"警号 \d+", official.locator(".badge-no").inner_text())
    assert official.locator(".officer-name").inner_text().strip()
    assert official.locator(".unit").inner_text().strip()
    style = ("e => { const s = getComputedStyle(e); return [s.backgroundImage + s.backgroundColor,"
             " s.borderLeftWidth, s.borderLeftColor]; }")
    official_style, citizen_style = official.evaluate(style), citizen.evaluate(style)
    assert official_style[0] != citizen_style[0]
    assert float(official_style[1].rstrip("px")) >= 4
    before = official.evaluate("e => getComputedStyle(e, '::before').content")
    assert before.strip('"') == "✔ 官方回复"


def test_status_badges_are_distinct_and_readable(browser, server):
    page = _page(browser, server)
    page.goto("/")
    page.evaluate("""statuses => { const box = document.createElement('div'); box.id = 'probe';
        box.className = 'card';
        for (const s of statuses) { const b = document.createElement('span');
          b.className = 'status status-' + s; b.textContent = s; box.appendChild(b); }
        document.querySelector('main').prepend(box); }""", list(STATUSES))
    badges = page.locator("#probe .status")
    looks = set()
    for i in range(len(STATUSES)):
        badge = badges.nth(i)
        looks.add(badge.evaluate(
            "e => getComputedStyle(e).backgroundColor + getComputedStyle(e).color"))
        assert badge.evaluate(CONTRAST_JS) >= 4.5, STATUSES[i]
    assert len(looks) == len(STATUSES)
    for row in page.locator(".thread-row .row-meta > *").all()[:12]:
        assert row.evaluate(CONTRAST_JS) >= 4.5


def test_elder_mode_is_one_tap_bigger_and_simpler(browser, server):
    page = _page(browser, server)
    page.goto("/")
    normal = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert 16 <= normal < 18
    assert page.locator(".board-count").first.is_visible()
    page.click(".topbar .elder-toggle-top")  # the one-tap switch in the top bar
    page.wait_for_load_state()
    assert page.locator("body.elder").count() == 1
    elder = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert elder >= 20
    name_size = "parseFloat(getComputedStyle(document.querySelector('.board-name')).fontSize)"
    assert page.evaluate(name_size) >= 20
    assert not page.locator(".board-count").first.is_visible()  # secondary text goes away
    assert page.locator(".topbar .elder-toggle-top").get_attribute("aria-pressed") == "true"
    page.goto("/b/hukou")  # remembered across pages
    assert page.locator("body.elder").count() == 1
    page.click("footer .elder-toggle")
    page.wait_for_load_state()
    assert page.locator("body.elder").count() == 0


def test_pages_use_no_inline_styles(server, answered_thread):
    for path in ("/", "/b/hukou", f"/t/{answered_thread}", "/login", "/register"):
        html = requests.get(server.url + path, timeout=10).text
        assert not re.search(r"<[^>]+\sstyle=", html), path
        assert "<script>" not in html and not re.search(r"\son[a-z]+=\"", html), path


def test_resident_picks_a_community_and_is_told_to_call_110_while_typing(browser, server):
    """Issue 18 on a 390×844 phone: the 110 banner appears while an emergency word is typed,
    before posting, and goes with it; the place picker finds a community from an estate name,
    「使用我的位置」 matches the phone's position to the nearest community in the browser, and the
    posted thread shows the place and the station's 辖区, with a tap-to-call banner."""
    context, page, errors = sign_in(browser, server, "ui_citizen", **PHONE,
                                    geolocation=NEAR_KUNHE_PARK, permissions=["geolocation"])
    try:
        page.goto("/b/report/new")
        banner = page.locator("[data-urgent-banner]")
        page.fill("input[name=title]", "楼下有人吵架")
        assert not banner.is_visible()
        page.locator("textarea[name=body]").press_sequentially("有个男的手里持刀", delay=10)
        banner.wait_for(state="visible", timeout=WAIT)  # at once, nothing posted yet
        assert "持刀" in banner.text_content()
        assert banner.locator("a").get_attribute("href") == "tel:110"
        page.fill("textarea[name=body]", "两个人在楼下吵架,声音很大。")
        banner.wait_for(state="hidden", timeout=WAIT)

        # The picker replaced the no-JS list; the phone's position finds 昆河公园社区.
        page.locator("#place-search").wait_for(timeout=WAIT)
        assert not page.locator("select[name=place]").is_visible()
        chosen = page.locator("[data-place-chosen]")
        page.click("[data-locate]")
        for _ in range(100):
            if "昆河公园社区" in chosen.text_content():
                break
            page.wait_for_timeout(100)
        assert "昆区 · 昆河街道 · 昆河公园社区" in chosen.text_content()

        # Typed suggestions: an estate name residents know finds its community.
        page.locator("#place-search").press_sequentially("阳光花园", delay=10)
        first = page.locator(".place-suggestions li").first
        first.wait_for(timeout=WAIT)
        assert "幸福社区" in first.text_content() and "富强路派出所" in first.text_content()
        first.tap()
        assert "青山区 · 富强路街道 · 幸福社区(青山区富强路派出所辖区)" in chosen.text_content()
        assert page.locator("select[data-level=community]").input_value() == "150204002002"
        assert _small_targets(page) == []  # the picker's controls are thumb-sized too
        page.screenshot(path=str(server.log_path.with_name("place-picker-phone.png")))

        page.fill("input[name=title]", "楼下有人持刀吵架")  # emergency word in the title
        page.click("main form button[type=submit]:has-text('发布')")
        page.wait_for_url("**/t/*")
        assert page.locator(".flashes a[href='tel:110']").is_visible()
        place = page.locator("[data-thread-place]")
        assert place.get_attribute("data-thread-place") == "150204002002"
        assert "青山区 · 富强路街道 · 幸福社区" in place.text_content()
        assert "青山区富强路派出所辖区" in place.text_content()
        assert errors == []
    finally:
        context.close()
