"""Property-based fuzzing of the JSON API (hypothesis): whatever arrives, no 500, and every error
is the documented {"error": {"code", "message", "fields"}} shape."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.usefixtures("no_search_indexing")
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

TRICKY = ["public", "police_only", "question", "report", "spam", "hukou", "qa", "", " ", "\x00",
          "💥" * 40]
scalars = (st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True)
           | st.text(max_size=120) | st.sampled_from(TRICKY))
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                           max_leaves=12)
KEYS = ["title", "body", "kind", "location", "visibility", "username", "password", "nickname",
        "reason", "detail", "post_id", "text"]
bodies = st.one_of(
    st.fixed_dictionaries({}, optional={k: json_values for k in KEYS}),
    json_values,
)
segments = st.one_of(st.text(max_size=30), st.integers(min_value=-2**40, max_value=2**64).map(str),
                     st.sampled_from(["hukou", "qa", "report", "0", "-1", "99999999999", "%00",
                                      "..", "%2e%2e%2f"]))


def assert_well_formed(response, where: str) -> None:
    assert response.status_code < 500, (where, response.status_code, response.get_data()[:300])
    if response.status_code >= 400 and response.mimetype == "application/json":
        error = response.get_json()["error"]
        assert set(error) == {"code", "message", "fields"}, where
        assert isinstance(error["message"], str) and error["message"]


@pytest.fixture
def signed_in(client, make, login):
    citizen = make.make_user()
    thread = make.make_thread(citizen, "qa")
    make.make_post(thread, citizen)
    login(citizen)
    return client, thread


@FUZZ
@given(body=bodies)
def test_posting_endpoints_never_500(signed_in, body):
    client, thread = signed_in
    for url in ("/api/v1/boards/qa/threads", f"/api/v1/threads/{thread.id}/posts",
                f"/api/v1/threads/{thread.id}/report", f"/api/v1/threads/{thread.id}/hide",
                f"/api/v1/threads/{thread.id}/unhide", "/api/v1/privacy/check",
                "/api/v1/auth/register", "/api/v1/auth/token"):
        response = client.post(url, data=json.dumps(body), content_type="application/json")
        assert_well_formed(response, url)


@FUZZ
@given(raw=st.binary(max_size=300), content_type=st.sampled_from([
    "application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
    "application/json; charset=latin-1", ""]))
def test_garbage_bodies_never_500(signed_in, raw, content_type):
    client, thread = signed_in
    for url in ("/api/v1/boards/qa/threads", f"/api/v1/threads/{thread.id}/posts",
                f"/api/v1/threads/{thread.id}/attachments", "/api/v1/auth/token"):
        response = client.post(url, data=raw, content_type=content_type)
        assert_well_formed(response, url)


@FUZZ
@given(slug=segments, cursor=st.text(max_size=60), thread_id=segments, q=st.text(max_size=60))
def test_reading_endpoints_never_500(client, slug, cursor, thread_id, q):
    from urllib.parse import quote

    slug, thread_id = quote(slug, safe=""), quote(thread_id, safe="")
    for url, query in ((f"/api/v1/boards/{slug}/threads", {"cursor": cursor}),
                       (f"/api/v1/threads/{thread_id}", {}),
                       ("/api/v1/search", {"q": q, "board": slug, "time": cursor}),
                       (f"/media/{thread_id}", {}),
                       ("/api/v1/boards", {})):
        response = client.get(url, query_string=query)
        assert_well_formed(response, url)


@FUZZ
@given(header=st.text(st.characters(blacklist_characters="\r\n"), max_size=80))
def test_bearer_tokens_of_any_shape_never_500(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {header}".encode(
        "utf-8", "ignore").decode("latin-1")})
    assert_well_formed(response, "/api/v1/me")
    assert response.status_code == 401


@FUZZ
@given(post_id=json_values)
def test_report_and_hide_targets_of_any_type(signed_in, make, post_id):
    client, thread = signed_in
    for url in (f"/api/v1/threads/{thread.id}/report", f"/api/v1/threads/{thread.id}/hide"):
        response = client.post(url, json={"reason": "spam", "post_id": post_id})
        assert_well_formed(response, url)


@FUZZ
@given(segment=segments, header=st.text(st.characters(blacklist_characters="\r\n"), max_size=80))
def test_token_endpoints_never_500(signed_in, segment, header):
    """Listing, revoking and refreshing tokens, signed in or with any bearer value."""
    from urllib.parse import quote

    client, _ = signed_in
    bearer = {"Authorization": f"Bearer {header}".encode("utf-8", "ignore").decode("latin-1")}
    anonymous = client.application.test_client()
    for method, url in (("delete", f"/api/v1/auth/tokens/{quote(segment, safe='')}"),
                        ("get", "/api/v1/auth/tokens"), ("post", "/api/v1/auth/token/refresh")):
        for who, headers in ((client, {}), (anonymous, bearer)):
            assert_well_formed(getattr(who, method)(url, headers=headers), url)


# --- the classes an outside probe found (issue 15, item 10) --------------------------------------


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("url", ["/api/v1/auth/token", "/api/v1/auth/register",
                                 "/api/v1/boards/qa/threads", "/api/v1/privacy/check"])
def test_deeply_nested_json_is_a_400_even_before_signing_in(client, url):
    for body in (nested(100_000), '{"username": ' + nested(5_000) + "}",
                 '{"a":' * 50 + "1" + "}" * 50):
        response = client.post(url, data=body, content_type="application/json")
        assert response.status_code == 400, (url, response.status_code)
        assert response.get_json()["error"]["code"] == "invalid_json"


@pytest.mark.parametrize("body", [
    '{"username": "laowang\\u0000", "password": "password123"}',
    '{"username": "laowang", "password": "x\\u0000y"}',
    '{"username": "\\ud800", "password": "password123"}',
    '{"\\u0000": 1}'])
def test_sign_in_with_nul_or_half_a_surrogate_is_refused_in_chinese(client, body):
    """PostgreSQL refuses NUL in text: the token endpoint used to answer 500 to this."""
    response = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_character" and "无法处理的字符" in error["message"]


def test_the_sign_in_and_board_pages_refuse_nul_bytes(client):
    assert client.post("/login", data={"username": "a\x00b", "password": "x"}).status_code == 400
    assert client.get("/b/hukou", query_string={"cursor": "\x00"}).status_code == 400
    assert client.get("/b/hu%00kou").status_code == 400
    assert client.get("/search", query_string={"q": "户口\x00"}).status_code == 400
    page = client.get("/search", query_string={"q": "\x00"}).get_data(as_text=True)
    assert "无法处理的字符" in page


@pytest.mark.parametrize("score", ["Infinity", "-Infinity", "NaN", "1e309", '"²"', '"𝟓"', "4.5",
                                   "true", '"5 "', str(2**70)])
def test_a_rating_score_that_is_no_star_count_is_a_400(client, make, login, score):
    from board.services import status

    asker, officer = make.make_user(), make.make_user("officer", unit_code="hukou")
    thread = make.make_thread(asker, "hukou")
    make.make_post(thread, officer)
    status.change(officer, thread, "resolved", "已办结")
    login(asker)
    response = client.post(f"/api/v1/threads/{thread.id}/rate",
                           data='{"score": ' + score + "}", content_type="application/json")
    assert response.status_code == 400, (score, response.status_code)
    assert response.get_json()["error"]["code"] in ("validation_failed", "invalid_json")
    page = client.post(f"/t/{thread.id}/rate", data={"score": score.strip('"')})
    assert page.status_code == 302  # the page flashes 请选择 1–5 星 and shows the thread again
    assert client.post(f"/api/v1/threads/{thread.id}/rate", json={"score": 4.0}).status_code \
        == 201


@pytest.mark.parametrize("value", ["²", "𝟙", "١", "9" * 25, 2**64, -1, 1.5, True, "1 "])
def test_ids_in_query_strings_forms_and_json_are_read_strictly(signed_in, value):
    """「²」 passes str.isdigit() but not int(); 「𝟙」 passes int(); 2**64 overflows SQLite."""
    client, thread = signed_in
    checks = [
        client.get("/api/v1/me/notifications", query_string={"before": str(value)}),
        client.get("/notifications", query_string={"before": str(value)}),
        client.post("/notifications/read", data={"id": str(value)}),
        client.post("/api/v1/me/notifications/read", json={"ids": [value, "3"]}),
        client.post(f"/api/v1/threads/{thread.id}/attachments", data={"post_id": str(value)}),
        client.post(f"/api/v1/threads/{thread.id}/report",
                    json={"reason": "spam", "post_id": value}),
        client.get(f"/t/{thread.id}/report", query_string={"post": str(value)}),
        client.get("/api/v1/search/similar", query_string={"thread": str(value)}),
    ]
    for response in checks:
        assert_well_formed(response, (response.request.path, value))


def test_unicode_digits_in_a_url_are_no_second_address_of_a_thread(signed_in):
    client, thread = signed_in
    assert client.get(f"/t/{thread.id}").status_code == 200
    fancy = "".join(chr(0x1D7CE + int(d)) for d in str(thread.id))  # 𝟎𝟏𝟐…: int() reads them
    assert client.get(f"/t/{fancy}").status_code == 404
    assert client.get(f"/api/v1/threads/{fancy}").status_code == 404


# --- Socket.IO events: every handler answers, whatever arrives -----------------------------------

EVENTS = ["join", "leave", "catch_up", "typing"]
event_payloads = st.one_of(
    json_values,
    st.fixed_dictionaries({}, optional={
        "room": st.one_of(json_values, st.sampled_from(["thread:²", "thread:𝟙", "board:\x00",
                                                        "thread:" + "9" * 25, "home", "board:"]),
                          st.text(max_size=20).map(lambda t: "thread:" + t)),
        "thread_id": st.one_of(json_values, st.sampled_from(["²", "9" * 25, 2**64, "𝟙"])),
        "after_post_id": json_values, "typing": json_values}))


@pytest.fixture
def officer_socket(app, make, login, client):
    """A signed-in officer's Socket.IO connection, and a thread for ids that exist."""
    from board.extensions import socketio

    officer = make.make_user("officer", unit_code="hukou")
    make.make_thread(board_slug="hukou")
    login(officer)
    sock = socketio.test_client(app, flask_test_client=client)
    yield sock
    sock.disconnect()


@FUZZ
@given(event=st.sampled_from(EVENTS), payload=event_payloads)
def test_socket_events_of_any_shape_get_an_answer(officer_socket, event, payload):
    """A handler that crashed answered nothing: the client waited forever for its callback."""
    answer = officer_socket.emit(event, payload, callback=True)
    assert isinstance(answer, dict) and "ok" in answer, (event, payload, answer)
