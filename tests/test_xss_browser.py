"""The XSS corpus in a real Chromium against the real server: no dialog opens, no marker reaches
the console, no CSP script violation fires, and no executable element exists in the DOM — on
pages, in search, and in replies that arrive live over Socket.IO."""
from __future__ import annotations

import time

import pytest
import requests

from tests.live_server import PASSWORD, BoardServer, create_user, register, token
from tests.test_xss import CORPUS

pytestmark = pytest.mark.browser
MARK = "XSS-FIRED"
# The corpus, plus payloads that would call console.log if they ever ran (CSP or not).
PAYLOADS = CORPUS + [
    f"<img src=x onerror=\"console.log('{MARK}')\">",
    f"[x](javascript:console.log('{MARK}'))",
    f"<svg><script>console.log('{MARK}')</script></svg>",
]
NICKS = ["<svg/onload=alert()>", "<img src onerror=a>", "'><script>x</script>"]
DANGEROUS_DOM = ("[onerror],[onload],[ontoggle],[onclick],[onmouseover],script:not([src]),"
                 "iframe:not([data-desk-frame]),iframe[src],object,embed,"  # not the desk's pane
                 "a[href^='javascript' i],[src^='javascript' i]")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("xss-browser")
    board = BoardServer(instance).wait_ready()
    create_user(instance, "--role", "officer", "--username", "xss_officer", "--password", PASSWORD,
                "--real-name", "王海峰", "--badge-no", "150231", "--unit", "online-desk")
    for n, nick in enumerate(NICKS):
        register(board, f"xss_user{n}", nick)
    yield board
    board.stop()


@pytest.fixture(scope="module")
def threads(server):
    ids = []
    for n, payload in enumerate(PAYLOADS):
        auth = {"Authorization": f"Bearer {token(server, f'xss_user{n % len(NICKS)}')}"}
        title = payload[:70] + " 帖子"
        r = requests.post(server.url + "/api/v1/boards/qa/threads", headers=auth, timeout=10,
                          json={"title": title, "body": payload, "kind": "question",
                                "location": payload[:100]})
        assert r.status_code == 201, r.text
        thread_id = r.json()["thread"]["id"]
        r = requests.post(server.url + f"/api/v1/threads/{thread_id}/posts", headers=auth,
                          timeout=10, json={"body": payload})
        assert r.status_code == 201, r.text
        ids.append(thread_id)
    return ids



class Watch:
    """Everything that would show a script ran."""

    def __init__(self, page) -> None:
        self.events: list[str] = []
        page.on("dialog", lambda d: (self.events.append(f"dialog: {d.message}"), d.dismiss()))
        page.on("console", self._console)
        page.on("pageerror", self._page_error)

    def _page_error(self, error) -> None:
        if MARK in str(error):
            self.events.append(f"pageerror: {error}")

    def _console(self, message) -> None:
        text = message.text
        if MARK in text or ("Content Security Policy" in text and "script" in text):
            self.events.append(f"console: {text}")


def _check(page, watch, where: str) -> None:
    page.wait_for_timeout(150)  # let onerror/onload handlers (if any) fire
    assert not watch.events, (where, watch.events)
    count = page.evaluate(f"document.querySelectorAll({DANGEROUS_DOM!r}).length")
    assert count == 0, (where, page.evaluate(
        f"Array.from(document.querySelectorAll({DANGEROUS_DOM!r}))"
        ".map(e => e.outerHTML).slice(0, 3)"))


def test_corpus_pages_execute_nothing(server, threads, browser):
    context = browser.new_context(base_url=server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    watch = Watch(page)
    for url in ["/", "/b/qa"] + [f"/t/{i}" for i in threads]:
        page.goto(url)
        _check(page, watch, url)
    for payload in PAYLOADS[:8]:
        page.goto("/search?" + requests.compat.urlencode({"q": payload}))
        _check(page, watch, f"search {payload}")
    context.close()


def test_signed_in_pages_execute_nothing(server, threads, browser):
    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    watch = Watch(page)
    page.goto("/login")
    page.fill("input[name=username]", "xss_officer")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    for url in ["/inbox", "/review", "/me", "/b/qa/new"] + [f"/t/{i}" for i in threads[:6]]:
        page.goto(url)
        _check(page, watch, url)
    context.close()


def test_live_replies_execute_nothing(server, threads, browser):
    thread_id = threads[0]
    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    watch = Watch(page)
    page.goto(f"/t/{thread_id}")
    page.wait_for_timeout(1000)  # the live connection joins the thread room
    auth = {"Authorization": f"Bearer {token(server, 'xss_user1')}"}
    before = page.locator("[data-posts] > li").count()
    for payload in PAYLOADS[-4:]:
        r = requests.post(server.url + f"/api/v1/threads/{thread_id}/posts", headers=auth,
                          timeout=10, json={"body": payload})
        assert r.status_code == 201
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and page.locator("[data-posts] > li").count() < before + 4:
        page.wait_for_timeout(200)
    assert page.locator("[data-posts] > li").count() >= before + 4, "live replies did not arrive"
    _check(page, watch, "live replies")
    context.close()


def test_the_watch_would_notice_a_script(server, browser):
    """Guard: the detectors fire on a page where script does run (an about:blank we control)."""
    context = browser.new_context()
    page = context.new_page()
    watch = Watch(page)
    page.set_content("<p>x</p>")
    page.evaluate(f"console.log('{MARK}'); alert('x')")
    page.wait_for_timeout(100)
    assert any(MARK in e for e in watch.events) and any("dialog" in e for e in watch.events)
    context.close()
