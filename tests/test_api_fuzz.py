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
