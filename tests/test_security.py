"""Security headers, strict CSP (no inline scripts anywhere), cookies, CSRF, redirects, KDF."""
from __future__ import annotations

import re

import flask
import pytest

from board import config as board_config
from board import create_app
from board.config import ROOT, Config
from board.views.helpers import safe_next
from tests.conftest import _fresh_g_per_request

pytestmark = pytest.mark.usefixtures("no_search_indexing")  # search is tested elsewhere

TEMPLATES = ROOT / "templates"


def test_every_page_carries_the_security_headers(client, make):
    thread = make.make_thread()
    for url in ("/", "/b/qa", f"/t/{thread.id}", "/login", "/api/v1/boards", "/no-such-page",
                "/socket.io/?EIO=4&transport=polling",  # answered by Engine.IO, outside Flask
                "/socket.io/?EIO=4&transport=polling&sid=no-such-session"):
        response = client.get(url)
        assert response.status_code < 500, url
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                          "img-src 'self' data: blob:", "connect-src 'self' ws: wss:",
                          "frame-ancestors 'none'"):
            assert directive in csp, (url, directive)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "geolocation=()" in headers["Permissions-Policy"]


def _template_files():
    return sorted(p for p in TEMPLATES.rglob("*.html"))


def test_no_template_has_an_inline_script_or_event_handler():
    """The CSP would block them in the browser; catch them here with the file name."""
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
    js_url = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I)
    for path in _template_files():
        source = path.read_text(encoding="utf-8")
        assert not inline_script.search(source), f"inline <script> in {path}"
        assert not handler.search(source), f"inline event handler in {path}"
        assert not js_url.search(source), f"javascript: URL in {path}"
        assert not re.search(r"\sstyle\s*=", source), f"inline style attribute in {path}"


def test_rendered_pages_have_no_inline_scripts(client, make, login):
    login(make.make_user("officer"))
    thread = make.make_thread()
    for url in ("/", "/b/qa", f"/t/{thread.id}", "/b/qa/new", "/inbox", "/review", "/me"):
        html = client.get(url).get_data(as_text=True)
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag, (url, tag)


def test_session_cookie_is_httponly_samesite_and_secure_when_configured(tmp_path, monkeypatch):
    config = Config()
    assert config.SESSION_COOKIE_HTTPONLY and config.SESSION_COOKIE_SAMESITE == "Lax"
    assert config.REMEMBER_COOKIE_HTTPONLY
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "true")
    assert Config().SESSION_COOKIE_SECURE is True


def test_login_cookie_flags_on_the_wire(client, make):
    user = make.make_user()
    response = client.post("/login", data={"username": user.username, "password": "password123"})
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie


@pytest.fixture
def csrf_client(tmp_path, app):
    config = board_config.TestConfig(tmp_path)
    config.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
    config.WTF_CSRF_ENABLED = True
    strict = create_app(config)
    flask.request_started.connect(_fresh_g_per_request, strict)  # as the `app` fixture does
    with strict.app_context():
        yield strict.test_client()


def test_csrf_rejects_forms_and_session_api_writes_without_a_token(csrf_client, make):
    user = make.make_user()
    thread = make.make_thread()
    assert csrf_client.post("/login", data={"username": user.username,
                                            "password": "password123"}).status_code == 400
    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert csrf_client.post("/login", data={"username": user.username, "password": "password123",
                                            "csrf_token": token}).status_code == 302
    for url, data in ((f"/t/{thread.id}/reply", {"body": "没有令牌"}),
                      (f"/t/{thread.id}/report", {"reason": "spam"}),
                      ("/elder", {})):
        assert csrf_client.post(url, data=data).status_code == 400, url
    api = csrf_client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "没有令牌"})
    assert api.status_code == 400 and api.get_json()["error"]["code"]
    page = csrf_client.get(f"/t/{thread.id}").get_data(as_text=True)
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    ok = csrf_client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "带了令牌"},
                          headers={"X-CSRFToken": meta})
    assert ok.status_code == 201


def _signed_in_page_token(client, user, thread, remember: bool = False) -> str:
    """Sign in through the form like a browser; the page's CSRF meta token. `remember`: then
    only the remember-me cookie is kept, as after the browser was closed."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {"username": user.username, "password": "password123", "csrf_token": token}
    response = client.post("/login", data=form | ({"remember": "y"} if remember else {}))
    assert response.status_code == 302
    if remember:
        host = flask.current_app.config["SERVER_NAME"]
        assert client.get_cookie("remember_token", domain=host) is not None
        client.delete_cookie("session", domain=host)
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


@pytest.mark.parametrize("remember", [False, True], ids=["session", "remember-me"])
@pytest.mark.parametrize("header", ["Bearer junk", "Bearer ", "Bearer revoked-or-expired-xyz"])
def test_a_junk_bearer_header_does_not_skip_csrf_for_a_signed_in_browser(csrf_client, make,
                                                                          header, remember):
    """A forged request from a page that adds `Authorization: Bearer <junk>` to the victim's
    signed-in session is refused (401) and writes nothing: junk never falls back to the cookie."""
    victim = make.make_user()
    thread = make.make_thread()
    _signed_in_page_token(csrf_client, victim, thread, remember)
    for method, url, body in (("post", f"/api/v1/threads/{thread.id}/posts", {"body": "伪造回复"}),
                              ("post", f"/api/v1/threads/{thread.id}/report", {"reason": "spam"}),
                              ("get", "/api/v1/me", None)):
        response = getattr(csrf_client, method)(url, json=body, headers={"Authorization": header})
        assert response.status_code == 401, (url, response.status_code)
        assert response.get_json()["error"]["code"] == "token_invalid"  # never the session
    thread_json = csrf_client.get(f"/api/v1/threads/{thread.id}").get_json()
    assert thread_json["thread"]["reply_count"] == 0 and not thread_json["posts"]


def _api_writes(app, thread_id: int) -> list[tuple[str, str]]:
    """Every state-changing /api/v1 route, with its path arguments filled in."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        values = {name: thread_id if kind == "int" else "hukou"
                  for kind, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule.rule)}
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            found.append((method, rule.build(values)[1]))
    return found


def test_no_api_write_skips_both_the_token_and_the_csrf_check(csrf_client, make):
    """The whole class: a signed-in browser's request to any write route is refused with a junk
    token (401) and without a CSRF token (400); nothing answers 2xx or 500."""
    user = make.make_user("officer")
    thread = make.make_thread()
    _signed_in_page_token(csrf_client, user, thread)
    writes = _api_writes(csrf_client.application, thread.id)
    assert len(writes) > 10
    for method, url in writes:
        junk = csrf_client.open(url, method=method, json={}, headers={"Authorization": "Bearer x"})
        assert junk.status_code == 401, (method, url, junk.status_code)
        bare = csrf_client.open(url, method=method, json={})
        assert bare.status_code == 400, (method, url, bare.status_code)


@pytest.mark.parametrize("remember", [False, True], ids=["session", "remember-me"])
def test_a_valid_token_is_the_identity_and_the_session_cookie_is_ignored(csrf_client, make,
                                                                         remember):
    """Token-authenticated writes need no CSRF token and act as the token's owner, even when a
    browser session (or remember-me cookie) of someone else rides along."""
    browser_user, app_user = make.make_user(), make.make_user()
    thread = make.make_thread()
    _signed_in_page_token(csrf_client, browser_user, thread, remember)
    me = csrf_client.get("/api/v1/me", headers=make.bearer(app_user)).get_json()
    assert me["user"]["id"] == app_user.id
    reply = csrf_client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "应用里的回复"},
                             headers=make.bearer(app_user))
    assert reply.status_code == 201
    assert reply.get_json()["post"]["author"]["id"] == app_user.id


@pytest.mark.parametrize("target,expected", [
    ("/b/qa", "/b/qa"),
    ("/t/1?x=1#p2", "/t/1?x=1#p2"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("\\\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("http:/evil.example", "/"),
    ("", "/"),
])
def test_safe_next_only_follows_local_paths(app, target, expected):
    with app.test_request_context(f"/login?next={target.replace('#', '%23')}"):
        assert safe_next("/") == expected


def test_sign_in_never_redirects_off_site(client, make):
    user = make.make_user()
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example"):
        response = client.post(f"/login?next={target}", data={"username": user.username,
                                                               "password": "password123"})
        assert response.status_code == 302
        assert "evil" not in response.headers["Location"], target
        client.post("/logout")


def test_passwords_are_stored_with_scrypt_by_default(app, make):
    from board.models import User

    app.config.pop("PASSWORD_HASH_METHOD")
    user = make.make_user()
    assert user.password_hash.startswith("scrypt:")
    assert "password123" not in user.password_hash
    assert isinstance(user, User) and user.check_password("password123")


def test_upload_requests_may_be_large_but_json_is_capped(client, make, login):
    login(make.make_user())
    huge = "x" * (2 * 1024 * 1024)
    response = client.post("/api/v1/privacy/check", data='{"body": "' + huge + '"}',
                           content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"
