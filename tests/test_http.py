"""HTTP caching and compression: ETag/304 on thread pages, immutable versioned assets, gzip."""
from __future__ import annotations

import gzip
import re

from board.extensions import db
from board.models import Post


def test_thread_page_answers_304_until_it_changes(client, make):
    thread = make.make_thread(title="条件请求测试帖")
    first = client.get(f"/t/{thread.id}")
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert "no-cache" in first.headers["Cache-Control"]

    again = client.get(f"/t/{thread.id}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""

    make.make_post(thread, body="新的回复来了")
    changed = client.get(f"/t/{thread.id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert "新的回复来了" in changed.get_data(as_text=True)


def test_hiding_a_post_changes_the_etag(client, make):
    thread = make.make_thread(title="隐藏回复测试帖")
    post = make.make_post(thread, body="稍后会被隐藏的回复")
    etag = client.get(f"/t/{thread.id}").headers["ETag"]
    db.session.get(Post, post.id).hidden = True
    db.session.commit()
    response = client.get(f"/t/{thread.id}", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "稍后会被隐藏的回复" not in response.get_data(as_text=True)


def test_etag_differs_per_viewer(client, make, login):
    thread = make.make_thread(title="不同读者测试帖")
    anonymous_etag = client.get(f"/t/{thread.id}").headers["ETag"]
    login(make.make_user())
    signed_in = client.get(f"/t/{thread.id}", headers={"If-None-Match": anonymous_etag})
    assert signed_in.status_code == 200
    assert "private" in signed_in.headers["Cache-Control"]
    assert signed_in.headers["ETag"] != anonymous_etag


def test_versioned_static_assets_are_cached_for_a_year(client):
    page = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/board\.css\?v=[0-9a-f]+)"', page).group(1)
    response = client.get(css)
    assert response.status_code == 200
    cache = response.headers["Cache-Control"]
    assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache
    response.close()

    plain = client.get("/static/css/board.css")
    assert "immutable" not in plain.headers.get("Cache-Control", "")
    plain.close()
    stale = client.get("/static/css/board.css?v=0000000000")  # not this file's version
    assert "immutable" not in stale.headers.get("Cache-Control", "")
    stale.close()


def test_html_and_assets_are_gzipped_for_clients_that_accept_it(client, make):
    make.make_thread(title="压缩测试帖")
    response = client.get("/", headers={"Accept-Encoding": "gzip, deflate"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert "压缩测试帖" in gzip.decompress(response.get_data()).decode()

    plain = client.get("/")
    assert "Content-Encoding" not in plain.headers
    assert "压缩测试帖" in plain.get_data(as_text=True)

    css = client.get("/static/css/board.css", headers={"Accept-Encoding": "gzip"})
    assert css.headers["Content-Encoding"] == "gzip"
    assert b"{" in gzip.decompress(css.get_data())


def test_thread_page_gzip_keeps_a_usable_etag(client, make):
    thread = make.make_thread(title="压缩与条件请求")
    first = client.get(f"/t/{thread.id}", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    again = client.get(f"/t/{thread.id}", headers={"Accept-Encoding": "gzip",
                                                   "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
