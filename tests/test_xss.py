"""An XSS corpus through every surface that shows user text: nothing becomes markup or script.

Each payload goes into a title, a body, a reply, a nickname, a location and a search query; the
rendered pages (and the API's body_html, which clients insert as HTML) are parsed and must hold
no script element, no event-handler attribute, no javascript:/data: URL and no foreign element
(svg, iframe, object, embed, math, style) that the payload brought in.
"""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from board import text
from board.extensions import db
from board.models import User

pytestmark = pytest.mark.usefixtures("no_search_indexing")

# (payload, nickname-sized variant ≤ 20 chars)
CORPUS = [
    "<script>alert('xss-1')</script>",
    "<img src=x onerror=alert('xss-2')>",
    "<svg onload=alert('xss-3')><circle r=1 /></svg>",
    "[点我](javascript:alert('xss-4'))",
    "\"><script>alert('xss-5')</script>",
    "<a href=\"javascript:alert('xss-6')\">链接</a>",
    "<iframe src=\"javascript:alert('xss-7')\"></iframe>",
    "</textarea></title><script>alert('xss-8')</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss-9')>",
    "<details open ontoggle=alert('xss-10')>",
    "[数据](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMSk8L3NjcmlwdD4=)",
    "<scr<script>ipt>alert('xss-12')</scr</script>ipt>",
    "<b <i>未闭合 <a href='",
    "<object data=\"javascript:alert('xss-14')\"></object><embed src=x onload=alert(15)>",
    "{{ 7*191 }} {% if 1 %}模板{% endif %} ${alert('xss-16')}",
    "![img](x\" onerror=\"alert('xss-17'))",
    "<a href=\"jav&#x09;ascript:alert('xss-18')\">编码</a>",
    "<style>body{background:url('javascript:alert(19)')}</style>",
]
NICKNAMES = ["<svg/onload=alert()>", "<img src onerror=a>", "'><script>x</script>",
             "{{7*191}}<b>粗</b>"]
assert all(len(n) <= 20 for n in NICKNAMES)
FOREIGN = {"script", "svg", "iframe", "object", "embed", "math", "style", "frame", "base", "form"}


class _Checker(HTMLParser):
    """Collects anything executable the page contains (outside the board's own assets)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.forms = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not (attrs.get("src") or "").startswith("/static/"):
            self.problems.append(f"<script {attrs}>")
        if tag == "form":
            self.forms += 1
        elif tag in FOREIGN - {"script", "form", "svg"} and not _own_desk_pane(tag, attrs):
            self.problems.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "data", "formaction", "xlink:href") and value:
                squashed = "".join(value.split()).lower()
                if squashed.startswith(("javascript:", "data:text", "vbscript:")):
                    self.problems.append(f"<{tag} {name}={value!r}>")


def _own_desk_pane(tag: str, attrs: dict) -> bool:
    """The staff desk's thread pane (static/js/desk.js): an empty same-origin frame the page
    itself fills; any frame with a source of its own is still a problem."""
    return tag == "iframe" and "data-desk-frame" in attrs and not attrs.get("src")


def assert_inert(html: str, where: str) -> None:
    checker = _Checker()
    checker.feed(html)
    assert not checker.problems, (where, checker.problems[:5])
    assert "1337" not in html, where  # {{ 7*191 }} was never evaluated


def test_renderer_neutralises_the_corpus():
    for payload in CORPUS:
        assert_inert(text.render(payload), payload)


@pytest.fixture
def hostile(make):
    """Threads, replies, nicknames and locations built from the corpus."""
    users = []
    for nickname in NICKNAMES:
        users.append(make.make_user(nickname=nickname))
    threads = []
    for n, payload in enumerate(CORPUS):
        author = users[n % len(users)]
        title = (payload[:70] + " 帖子") if len(payload) >= 4 else payload + "标题补足"
        thread = make.make_thread(author, "report", kind="report", title=title, body=payload,
                                  location=payload[:100])
        make.make_post(thread, users[(n + 1) % len(users)], body=payload)
        threads.append(thread)
    return users, threads


def test_pages_render_the_corpus_as_text(client, make, login, hostile):
    users, threads = hostile
    urls = ["/", "/b/report", "/b/report?cursor=" + "x" * 5] + [f"/t/{t.id}" for t in threads]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 400), url
        assert_inert(response.get_data(as_text=True), url)
    login(users[0])
    for url in ["/me", f"/t/{threads[0].id}", "/b/report/new", f"/t/{threads[1].id}/report"]:
        assert_inert(client.get(url).get_data(as_text=True), url)
    login(make.make_user("officer"))
    for url in ["/inbox", "/review", f"/t/{threads[2].id}"]:
        assert_inert(client.get(url).get_data(as_text=True), url)
    login(make.make_user("admin"))
    assert_inert(client.get("/admin/users").get_data(as_text=True), "/admin/users")


def test_payload_text_survives_as_visible_text(client, hostile):
    """Escaping, not deleting: the citizen's words are still readable."""
    _, threads = hostile
    page = client.get(f"/t/{threads[0].id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;xss-1&#39;)&lt;/script&gt;" in page


def test_search_queries_are_reflected_as_text(client, hostile):
    for payload in CORPUS:
        response = client.get("/search", query_string={"q": payload})
        assert response.status_code in (200, 400)
        assert_inert(response.get_data(as_text=True), f"search {payload}")
        api = client.get("/api/v1/search", query_string={"q": payload})
        assert api.status_code in (200, 400)


def test_api_html_fields_are_inert_and_json_is_not_html(client, hostile):
    _, threads = hostile
    for thread in threads:
        response = client.get(f"/api/v1/threads/{thread.id}")
        assert response.mimetype == "application/json"
        data = response.get_json()
        assert_inert(data["thread"]["body_html"], f"api thread {thread.id}")
        for post in data["posts"]:
            assert_inert(post["body_html"], f"api post {post['id']}")
    listing = client.get("/api/v1/boards/report/threads")
    assert listing.mimetype == "application/json"


def test_live_payloads_carry_only_sanitized_html(app, make, monkeypatch):
    from board.extensions import socketio

    sent = []
    monkeypatch.setattr(socketio, "emit", lambda event, payload, **kw: sent.append(payload))
    author = make.make_user(nickname=NICKNAMES[0])
    for payload in CORPUS[:6]:
        thread = make.make_thread(author, "report", kind="report", title=payload[:60] + "帖子",
                                  body=payload)
        make.make_post(thread, author, body=payload)
    assert sent
    for payload in sent:
        for key in ("thread", "post"):
            item = payload.get(key) if isinstance(payload, dict) else None
            if isinstance(item, dict) and "body_html" in item:
                assert_inert(item["body_html"], f"live {key}")
        html = payload.get("html") or {}
        if isinstance(html, str):  # a reply as the thread page renders it
            assert_inert(html, "live post")
            continue
        for name, row in html.items():  # list rows the pages insert
            if row is not None:
                assert_inert(row, f"live {name} row")
    rows = [row for p in sent if isinstance(p.get("html"), dict)
            for row in p["html"].values() if row]
    assert any("&lt;script&gt;" in row for row in rows)  # the titles arrived, escaped
    replies = [p["html"] for p in sent if isinstance(p.get("html"), str)]
    assert len(replies) == 6 and any("&lt;script&gt;" in reply for reply in replies)


def test_nicknames_stay_text_in_every_author_line(client, make, hostile):
    users, threads = hostile
    stored = db.session.scalar(db.select(User.nickname).where(User.id == users[0].id))
    assert stored == NICKNAMES[0]
    page = client.get(f"/t/{threads[0].id}").get_data(as_text=True)
    assert "&lt;svg/onload=alert()&gt;" in page


def test_the_checker_catches_live_markup():
    """The detector above must itself be able to fail (a test that cannot fail is a defect)."""
    for raw in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                '<a href=" JavaScript:alert(1)">x</a>', "<iframe src=x></iframe>",
                "<svg><a xlink:href='javascript:alert(1)'>x</a></svg>", "{{ 7*191 }} → 1337"):
        with pytest.raises(AssertionError):
            assert_inert(raw, raw)
