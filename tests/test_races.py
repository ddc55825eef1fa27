"""Races (issue 15, item 9): what two requests arriving at once must not do.

Each request runs in its own thread with its own app context, hence its own SQLAlchemy session
and database connection, against the same SQLite file or (BOARD_TEST_DATABASE_URL=postgresql)
PostgreSQL database. A barrier holds every request just after its check ("is the name free?",
"rated already?", "room for photos?") until all of them have passed it: exactly the interleaving
that stored 24 photos against a cap of 9, answered 500 to the second same-name sign-up and the
second rating, and stored a double-tapped post twice.
"""
from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from PIL import Image

from board import permissions
from board.extensions import db
from board.models import Attachment, Post, Rating, Thread, User
from board.services import accounts, attachments, posting, status, supervision

pytestmark = pytest.mark.usefixtures("no_search_indexing")


def hold_first_call(monkeypatch, owner, name: str, parties: int) -> None:
    """Each request's first call of owner.name returns only when all `parties` have made it."""
    barrier, seen = threading.Barrier(parties, timeout=20), threading.local()
    original = getattr(owner, name)

    def held(*args, **kwargs):
        result = original(*args, **kwargs)
        if not getattr(seen, "done", False):
            seen.done = True
            barrier.wait()
        return result

    monkeypatch.setattr(owner, name, held)


def at_once(app, requests) -> list:
    """Run each request (a function of a fresh test client) in its own thread; the responses,
    or the exception a request raised (a 500 under TESTING)."""
    results: list = [None] * len(requests)

    def run(index, request):
        with app.app_context():
            try:
                results[index] = request(app.test_client())
            except Exception as exc:  # noqa: BLE001  (a crash is the finding)
                results[index] = exc
            finally:
                db.session.remove()

    workers = [threading.Thread(target=run, args=pair) for pair in enumerate(requests)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    return results


def statuses(results) -> list[int]:
    """The status codes, sorted; a request that raised counts as the 500 it would have been."""
    return sorted(getattr(r, "status_code", 500) for r in results)


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {accounts.issue_token(user)}"}


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count(model.id)).where(*where))


# --- the photo cap ----------------------------------------------------------------------------


def png(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (shade, 90, 160)).save(out, "PNG")
    return out.getvalue()


def test_three_tabs_uploading_at_once_store_no_more_than_nine_photos(app, make, monkeypatch):
    """A resident uploads four photos from each of three tabs at once: nine are kept, the rest
    are refused with the reason, and no file of a refused photo stays on disk."""
    author = make.make_user()
    thread = make.make_thread(author, "hukou", title="小区门口乱停车带照片")
    headers, url = bearer(author), f"/api/v1/threads/{thread.id}/attachments"
    hold_first_call(monkeypatch, attachments, "_prepare", 3)

    def upload(client):
        files = [(io.BytesIO(png(n)), f"{n}.png") for n in range(4)]
        return client.post(url, headers=headers, data={"images": files},
                           content_type="multipart/form-data")

    results = at_once(app, [upload, upload, upload])
    assert all(r.status_code == 201 for r in results), statuses(results)
    assert count(Attachment, Attachment.thread_id == thread.id) == 9
    refusals = [e for r in results for e in r.get_json()["errors"]]
    assert any("每帖最多 9 张图片" in e for e in refusals), refusals
    stored = [p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()]
    assert len(stored) == 9 * 2  # each kept photo and its thumbnail, nothing else


def test_a_reply_keeps_its_own_cap_when_uploads_race(app, make, monkeypatch):
    author = make.make_user()
    thread = make.make_thread(author, "hukou")
    post = make.make_post(thread, author, "补充两组照片。")
    headers, url = bearer(author), f"/api/v1/threads/{thread.id}/attachments"
    post_id = str(post.id)
    hold_first_call(monkeypatch, attachments, "_prepare", 2)

    def upload(client):
        files = [(io.BytesIO(png(n)), f"{n}.png") for n in range(6)]
        return client.post(url, headers=headers, data={"images": files, "post_id": post_id},
                           content_type="multipart/form-data")

    results = at_once(app, [upload, upload])
    assert statuses(results) == [201, 201]
    assert count(Attachment, Attachment.post_id == post.id) == 9
    assert count(Attachment, Attachment.post_id.is_(None)) == 0


# --- unique constraints a user can race: ratings, user names, badge numbers --------------------


def test_a_double_tapped_rating_is_stored_once_and_the_second_tap_hears_why(app, make,
                                                                               monkeypatch):
    asker, officer = make.make_user(), make.make_user("officer", unit_code="hukou")
    thread = make.make_thread(asker, "hukou")
    posting.reply(officer, thread, "已为您办理完毕。")
    status.change(officer, thread, "resolved", "已办结")
    headers, url = bearer(asker), f"/api/v1/threads/{thread.id}/rate"
    hold_first_call(monkeypatch, supervision, "rating_for", 2)

    def rate(client):
        return client.post(url, headers=headers, json={"score": 5, "comment": "很满意"})

    results = at_once(app, [rate, rate])
    assert statuses(results) == [201, 409]
    refused = next(r for r in results if r.status_code == 409).get_json()["error"]
    assert refused["code"] == "already_rated" and refused["message"] == "您已经评价过了"
    assert count(Rating, Rating.thread_id == thread.id) == 1


def test_two_sign_ups_with_one_name_at_once_get_one_account_and_a_409(app, monkeypatch):
    hold_first_call(monkeypatch, accounts, "_ensure_username_free", 2)

    def register(nickname):
        return lambda client: client.post("/api/v1/auth/register", json={
            "username": "laowang", "password": "password123", "nickname": nickname})

    results = at_once(app, [register("老王"), register("王师傅")])
    assert statuses(results) == [201, 409]
    refused = next(r for r in results if r.status_code == 409).get_json()["error"]
    assert refused["code"] == "username_taken"
    assert refused["fields"] == {"username": "该用户名已被注册"}
    assert count(User, User.username == "laowang") == 1


def test_the_sign_up_page_says_the_name_is_taken_when_it_lost_the_race(app, monkeypatch):
    hold_first_call(monkeypatch, accounts, "_ensure_username_free", 2)

    def register(client):
        return client.post("/register", data={"username": "xiaoli", "password": "password123",
                                               "nickname": "小李", "accept_privacy": "y"})

    results = at_once(app, [register, register])
    assert statuses(results) == [302, 400]
    page = next(r for r in results if r.status_code == 400).get_data(as_text=True)
    assert "该用户名已被注册" in page


def test_two_officers_created_with_one_badge_number_at_once(app, make, monkeypatch):
    """Two admins (or one double-tapping) enter the same 警号: one account, one field message."""
    hold_first_call(monkeypatch, accounts, "_ensure_username_free", 2)
    outcome: list = []

    def create(username):
        def run(_client):
            try:
                outcome.append(accounts.create_user("officer", username, "password123",
                                                    real_name="李强", badge_no="150777",
                                                    unit_code="hukou"))
            except accounts.ValidationFailed as exc:
                outcome.append(exc.fields)
        return run

    results = at_once(app, [create("liqiang"), create("liqiang2")])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert {"badge_no": "该警号已存在"} in outcome
    assert count(User, User.badge_no == "150777") == 1


# --- a double-tapped post: idempotency keys ------------------------------------------------------


def test_a_double_tapped_new_thread_is_stored_once(app, make, monkeypatch):
    """The app sends its 发布 twice at once with one Idempotency-Key: both answers are the same
    thread (201), and the board has it once."""
    author = make.make_user()
    headers = bearer(author) | {"Idempotency-Key": "c1b2a3f0-5e1d-4d0b-9a51-3c2e8e0a9f11"}
    hold_first_call(monkeypatch, permissions, "require", 2)

    def post(client):
        return client.post("/api/v1/boards/hukou/threads", headers=headers, json={
            "kind": "question", "title": "新生儿落户需要什么材料", "body": "请问需要带什么?"})

    results = at_once(app, [post, post])
    assert statuses(results) == [201, 201]
    ids = {r.get_json()["thread"]["id"] for r in results}
    assert len(ids) == 1
    assert count(Thread, Thread.author_id == author.id) == 1
    assert sorted(r.headers.get("Idempotent-Replayed", "") for r in results) == ["", "true"]


def test_a_double_tapped_reply_is_stored_once(app, make, monkeypatch):
    author = make.make_user()
    thread = make.make_thread(author, "hukou")
    headers = bearer(author) | {"Idempotency-Key": "reply-7f3a"}
    url = f"/api/v1/threads/{thread.id}/posts"  # read here: the objects belong to this session
    hold_first_call(monkeypatch, permissions, "require", 2)

    def reply(client):
        return client.post(url, headers=headers, json={"body": "补充:孩子是在外地出生的。"})

    results = at_once(app, [reply, reply])
    assert statuses(results) == [201, 201], results
    assert len({r.get_json()["post"]["id"] for r in results}) == 1
    assert count(Post, Post.thread_id == thread.id) == 1
    db.session.refresh(thread)
    assert thread.reply_count == 1


def test_the_new_thread_form_submitted_twice_stores_one_thread(app, make, client, login):
    """The form's hidden key, sent twice (a double tap, or 发布 again after a slow answer)."""
    author = make.make_user()
    login(author)
    page = client.get("/b/hukou/new").get_data(as_text=True)
    key = page.split('name="idempotency_key" type="hidden" value="')[1].split('"')[0]
    form = {"kind": "question", "title": "身份证丢了怎么补办", "body": "在外地能补办吗?",
            "idempotency_key": key}
    first, second = client.post("/b/hukou/new", data=form), client.post("/b/hukou/new", data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(Thread, Thread.author_id == author.id) == 1
    again = client.get("/b/hukou/new").get_data(as_text=True)
    assert key not in again  # every render of the form gets its own key


def test_the_reply_form_submitted_twice_stores_one_reply(app, make, client, login):
    author = make.make_user()
    thread = make.make_thread(author, "hukou")
    login(author)
    page = client.get(f"/t/{thread.id}").get_data(as_text=True)
    key = page.split('name="idempotency_key" type="hidden" value="')[1].split('"')[0]
    form = {"body": "谢谢,明天去办。", "idempotency_key": key}
    first = client.post(f"/t/{thread.id}/reply", data=form)
    second = client.post(f"/t/{thread.id}/reply", data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(Post, Post.thread_id == thread.id) == 1


def test_a_reused_key_with_other_content_is_refused_not_merged(app, make, client, login):
    """The Back button brings back a submitted form; typing something new is not a repeat."""
    author = make.make_user()
    headers = bearer(author) | {"Idempotency-Key": "k-1"}
    body = {"kind": "question", "title": "居住证怎么办理", "body": "需要什么材料?"}
    assert client.post("/api/v1/boards/hukou/threads", headers=headers, json=body).status_code \
        == 201
    other = client.post("/api/v1/boards/hukou/threads", headers=headers,
                        json=body | {"title": "居住证到期怎么续"})
    assert other.status_code == 409
    assert other.get_json()["error"]["code"] == "idempotency_key_reused"
    login(author)  # the form: refused with the reason, the text kept, and a new key to go on
    form = dict(body, title="居住证到期怎么续", idempotency_key="k-1")
    page = client.post("/b/hukou/new", data=form)
    assert page.status_code == 400 and "此表单已提交过" in page.get_data(as_text=True)
    fresh = page.get_data(as_text=True).split('name="idempotency_key" type="hidden" value="')[1]
    assert not fresh.startswith('k-1"')
    assert client.post("/b/hukou/new", data=dict(form, idempotency_key=fresh.split('"')[0])) \
        .status_code == 302
    assert count(Thread, Thread.author_id == author.id) == 2


def test_keys_belong_to_one_user_and_expire_after_a_day(app, make, client):
    from datetime import timedelta

    from board.models import IdempotencyKey

    first, second = make.make_user(), make.make_user()
    body = {"kind": "question", "title": "护照加急怎么办理", "body": "下周出差。"}
    for user in (first, second):  # the same key from two people: two threads
        response = client.post("/api/v1/boards/hukou/threads", json=body,
                               headers=bearer(user) | {"Idempotency-Key": "same"})
        assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers
    row = db.session.scalar(db.select(IdempotencyKey).where(IdempotencyKey.user_id == first.id))
    row.created_at -= timedelta(days=1, minutes=1)
    db.session.commit()
    again = client.post("/api/v1/boards/hukou/threads", json=body,
                        headers=bearer(first) | {"Idempotency-Key": "same"})
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert count(Thread, Thread.author_id == first.id) == 2


def test_a_key_no_client_would_make_is_a_400(app, make, client):
    response = client.post("/api/v1/boards/hukou/threads", json={
        "kind": "question", "title": "户口迁移怎么办", "body": "请问流程?"},
        headers=bearer(make.make_user()) | {"Idempotency-Key": "x" * 101})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_idempotency_key"
