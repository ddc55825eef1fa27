"""The error codes docs/api.md promises, checked against the API itself."""
from __future__ import annotations

import re


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert set(body["error"]) == {"code", "message", "fields"} and body["error"]["message"]
    return body["error"]


def test_session_write_without_csrf_header_is_csrf_failed(app, client, make, login):
    user = make.make_user()
    login(user)
    app.config["WTF_CSRF_ENABLED"] = True
    thread = make.make_thread()
    error = _error(client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "谢谢"}), 400)
    assert error["code"] == "csrf_failed"
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "谢谢"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_documented_client_errors(app, client, make):
    user = make.make_user()
    auth = make.bearer(user)
    assert _error(client.post("/api/v1/auth/register", data="x"), 400)["code"] == "invalid_json"
    taken = {"username": user.username, "password": "password123", "nickname": "重名"}
    assert _error(client.post("/api/v1/auth/register", json=taken), 409)["code"] == "username_taken"
    wrong = {"username": user.username, "password": "wrong-password"}
    wrong_login = client.post("/api/v1/auth/token", json=wrong)
    assert _error(wrong_login, 401)["code"] == "invalid_credentials"
    assert _error(client.get("/api/v1/me"), 401)["code"] == "not_authenticated"
    notice = {"kind": "publicity", "title": "市民发通知", "body": "内容"}
    assert _error(client.post("/api/v1/boards/hukou/threads", json=notice, headers=auth),
                  403)["code"] == "forbidden"
    bad_cursor = _error(client.get("/api/v1/boards/hukou/threads?cursor=zzz"), 400)
    assert bad_cursor["code"] == "validation_failed" and "cursor" in bad_cursor["fields"]
    assert _error(client.get("/api/v1/threads/99999999999999999999"), 404)["code"] == "not_found"
    assert _error(client.delete("/api/v1/boards"), 405)["code"] == "method_not_allowed"


def test_chinese_is_not_escaped_on_the_wire(app, client, make):
    make.make_thread(title="户口簿丢了怎么办")
    raw = client.get("/api/v1/boards/hukou/threads").get_data()
    assert "户口簿丢了怎么办".encode() in raw and b"\\u" not in raw


def test_database_outage_mid_request_is_503_try_again_not_500(app, client, monkeypatch):
    """A database restart under a request: the reader is told to retry (503 + Retry-After)."""
    from sqlalchemy.exc import OperationalError

    from board.queries import threads

    def gone(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    app.config["ANON_CACHE"] = False
    monkeypatch.setattr(threads, "boards", gone)
    page = client.get("/")
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "稍后" in page.get_data(as_text=True)
    api = client.get("/api/v1/boards")
    assert api.status_code == 503
    assert api.get_json()["error"]["code"] == "unavailable"
