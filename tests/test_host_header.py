"""A forged `Host` header never reaches a link (issue 15, item 3).

A citizen who posted with `Host: evil.example` made every live reader's new-thread row and the
asker's bell entry link to another site: links were built from the poster's request. Links to
the board's own pages are relative now, so whatever the poster's request says, they stay on-site.
"""
from __future__ import annotations

import pytest

from board.extensions import socketio
from board.services import accounts

EVIL = "evil.example"
FORGED = [{"Host": EVIL}, {"Host": "board.test", "X-Forwarded-Host": EVIL},
          {"Host": f"{EVIL}:443", "X-Forwarded-Proto": "https"}]


@pytest.fixture(autouse=True)
def no_server_name(app):
    """As `python app.py` runs: no SERVER_NAME, so nothing but the request says which host."""
    app.config["SERVER_NAME"] = None


def _bearer(user) -> dict:
    return {"Authorization": f"Bearer {accounts.issue_token(user)}"}


def _links_stay_on_site(payload) -> None:
    assert EVIL not in str(payload)
    assert "://" not in str(payload.get("url", "")), payload


@pytest.mark.parametrize("headers", FORGED)
def test_a_new_thread_posted_with_a_forged_host_links_home_for_every_reader(app, client, make,
                                                                             headers):
    citizen = make.make_user()
    reader = socketio.test_client(app)  # an anonymous reader on the board page
    assert reader.emit("join", {"room": "board:hukou"}, callback=True)["ok"]
    reader.get_received()

    response = client.post("/api/v1/boards/hukou/threads", headers=headers | _bearer(citizen),
                           json={"title": "身份证丢了怎么补办", "body": "请问需要带什么材料?",
                                 "kind": "question"})
    assert response.status_code == 201, response.get_data(as_text=True)
    thread = response.get_json()["thread"]
    assert thread["url"] == f"/t/{thread['id']}"

    pushed = [e["args"][0] for e in reader.get_received() if e["name"] == "thread_created"]
    assert len(pushed) == 1
    assert pushed[0]["thread"]["url"] == f"/t/{thread['id']}"
    assert EVIL not in str(pushed[0])  # the rendered rows (`html`) too
    assert f'href="/t/{thread["id"]}"' in pushed[0]["html"]["board"]
    assert client.get(pushed[0]["thread"]["url"]).status_code == 200
    reader.disconnect()


@pytest.mark.parametrize("headers", FORGED)
def test_a_reply_with_a_forged_host_rings_the_askers_bell_with_an_on_site_link(app, client, make,
                                                                               headers):
    asker = make.make_user()
    officer = make.make_user("officer", unit_code="hukou")
    thread = make.make_thread(asker, "hukou")
    bell = socketio.test_client(app, auth={"token": accounts.issue_token(asker)})
    bell.get_received()

    response = client.post(f"/api/v1/threads/{thread.id}/posts", headers=headers | _bearer(officer),
                           json={"body": "您好,请带户口簿到窗口补办。"})
    assert response.status_code == 201, response.get_data(as_text=True)

    notes = [e["args"][0] for e in bell.get_received() if e["name"] == "notification"]
    assert notes and notes[-1]["notification"]["url"].startswith(f"/t/{thread.id}#p")
    _links_stay_on_site(notes[-1]["notification"])
    listed = client.get("/api/v1/notifications", headers=_bearer(asker)).get_json()
    assert listed and EVIL not in str(listed)
    bell.disconnect()


def test_search_results_link_on_site_whatever_the_host(client, make):
    make.make_thread(make.make_user(), "hukou", title="护照加急办理需要多久")
    found = client.get("/api/v1/search?q=护照", headers={"Host": EVIL}).get_json()
    assert found["results"] and all(r["url"].startswith("/t/") for r in found["results"])
