"""Helpers shared by the Chromium tests: a phone-sized context, signing in through the real form,
and waiting on a page condition without eval (the CSP forbids it, so no wait_for_function)."""
from __future__ import annotations

import time

from tests.live_server import PASSWORD

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "zh-CN"}
WAIT = 15_000  # ms


def sign_in(browser, server, username: str, password: str = PASSWORD, **context_options):
    """A new browser context signed in as `username`: (context, page, console errors). The
    browser asks for Chinese unless told otherwise (Chromium's own default is en-US, which the
    board now honours with its English interface)."""
    context_options.setdefault("locale", "zh-CN")
    context = browser.new_context(base_url=server.url, **context_options)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return context, page, errors


def until(page, script: str, timeout_ms: int = WAIT) -> None:
    """Poll a JS expression until it is truthy."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(f"() => Boolean({script})"):
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        page.wait_for_timeout(100)


def wait_live(page) -> None:
    """Until the page's Socket.IO connection (static/js/live.js) is up."""
    until(page, "window.boardLive && window.boardLive.socket.connected")
