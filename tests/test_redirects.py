"""Issue 15, item 11: after signing in, `next=` only ever leads to a page of this site, whatever
the browser's URL parser makes of it (tabs and line breaks dropped, backslash read as slash)."""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from board.web.redirects import same_site_path

SITE = "board.example"


def browser_normalise(location: str) -> str:
    """What a WHATWG URL parser does to a Location before resolving it (special schemes)."""
    location = location.strip("".join(map(chr, range(0x21))))
    location = "".join(c for c in location if c not in "\t\n\r")
    return location.replace("\\", "/")


def stays_on_site(location: str) -> bool:
    """A path-absolute URL (one leading slash, no scheme) resolves to this origin."""
    normalised = browser_normalise(location)
    return (normalised.startswith("/") and not normalised.startswith("//")
            and not urlsplit(normalised).netloc)


def assert_same_site(result: str | None) -> None:
    if result is None:
        return
    decoded = result
    for _ in range(4):
        assert stays_on_site(decoded), (result, decoded)
        decoded = unquote(decoded)


TRICKS = [
    "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/ /evil.example",
    "\t//evil.example", " //evil.example", "\x00//evil.example", "/\x00/evil.example",
    "//evil.example", "///evil.example", "/\\evil.example", "\\/evil.example",
    "\\\\evil.example", "/\\/evil.example", "/%2F/evil.example", "/%2f%2fevil.example",
    "/%5Cevil.example", "/%252F/evil.example", "/%09/evil.example", "/%0d%0aSet-Cookie:x=1",
    "https://evil.example/", "HTTPS://evil.example", "http:/evil.example", "http:evil.example",
    "javascript:alert(1)", "jaVa\tscript:alert(1)", "data:text/html,<script>", "evil.example",
    "@evil.example", "/@evil.example@", "https://board.example@evil.example/",
    "/\u3000/evil.example", "/\u00a0/evil.example", "/\u2028/evil.example",
    "/\u200b/evil.example", "\uff0f\uff0fevil.example", "/\uff0fevil.example",
    "/../\\evil.example", "", "/" + "a" * 3000,
]


@pytest.mark.parametrize("target", TRICKS)
def test_known_tricks_never_leave_the_site(target):
    assert_same_site(same_site_path(target))


@pytest.mark.parametrize("target", [
    "/", "/b/qa", "/t/1?x=1#p2", "/search?q=%E6%B4%BE%E5%87%BA%E6%89%80&page=2",
    "/u/@zhang", "/b/qa?sort=new&status=answered", "/@evil.example",
])
def test_ordinary_pages_are_followed_unchanged(target):
    assert same_site_path(target) == target


def test_chinese_text_is_sent_percent_encoded():
    assert same_site_path("/search?q=派出所") == "/search?q=%E6%B4%BE%E5%87%BA%E6%89%80"


PIECES = st.sampled_from([
    "/", "//", "\\", "\t", "\n", "\r", " ", "\x00", "\x0b", "\u3000", "\u00a0", "%2F", "%2f",
    "%5C", "%25", "%09", "%0a", ":", "@", "http:", "https:", "evil.example", "?", "#", ".",
    "..", "\uff0f", "a",
])


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.tuples(st.sampled_from(["", "/"]),
                 st.lists(st.one_of(PIECES, PIECES, st.text(max_size=4)), max_size=8))
       .map(lambda parts: parts[0] + "".join(parts[1])))
def test_any_target_leads_to_a_page_of_this_site(target):
    assert_same_site(same_site_path(target))


@settings(max_examples=200)
@given(st.lists(st.sampled_from(["a", "b", "1", "-", "_", "/", "?", "=", "&", "#"]),
                max_size=20).map("".join))
def test_plain_paths_are_kept(tail):
    target = "/a" + tail
    assert same_site_path(target) == target


@pytest.mark.parametrize("target", ["/%09/evil.example", "/%0A/evil.example", "%5C%5Cevil.example",
                                    "/%5C/evil.example", "/%E3%80%80/evil.example"])
def test_signing_in_with_a_crafted_next_stays_on_the_site(client, make, target):
    user = make.make_user()
    response = client.post(f"/login?next={target}", data={"username": user.username,
                                                           "password": "password123"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil" not in location and stays_on_site(urlsplit(location)._replace(
        scheme="", netloc="").geturl() or "/"), location
