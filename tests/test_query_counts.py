"""No N+1: the board, home and thread pages and the API run a small fixed number of SQL statements,
the same for 5 rows as for 40, and reading never writes."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from board.extensions import db

pytestmark = pytest.mark.usefixtures("no_search_indexing")

MAX_STATEMENTS = 15  # a page is a handful of indexed queries; anything near this is suspicious
WRITES = ("INSERT", "UPDATE", "DELETE")


@contextmanager
def recorded():
    """Every statement the app sends to the database while the block runs."""
    statements: list[str] = []

    def before(_conn, _cursor, statement, _params, _context, _many):
        if statement.strip().upper() != "SELECT 1":  # pool pre-ping
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def statements_for(client, path: str, **kwargs) -> list[str]:
    """Statements for one request, on a fresh session (as each real request has), after a warm-up
    request so one-off caches do not count. The anonymous page cache is off: what is measured is
    the page being built (as for the first reader after every write), not a cache hit."""
    client.application.config["ANON_CACHE"] = False
    client.get(path, **kwargs)
    db.session.remove()
    with recorded() as statements:
        response = client.get(path, **kwargs)
    db.session.remove()
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return statements


def _summary(statements: list[str]) -> str:
    return "\n".join(" ".join(s.split())[:160] for s in statements)


def _writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(WRITES)]


def _mixed_people(make, count: int) -> list:
    """Citizens and officers of several units, every one a different person."""
    officers = count // 3
    people = make.make_users(count - officers)
    for i, code in enumerate(("hukou", "traffic", "exit-entry")):
        people += make.make_users(len(range(i, officers, 3)), "officer", code)
    return people


def _threads_by_many_people(make, count: int, board_slug: str = "hukou") -> None:
    """`count` threads, each by a different author, half with an official and a citizen reply,
    every fifth pinned: every row touches its author, board, units and marks."""
    officer = make.make_user("officer", unit_code="hukou")
    threads = make.make_threads(count, board_slug=board_slug, authors=_mixed_people(make, count))
    repliers = make.make_users(count)
    for i, thread in enumerate(threads):
        if i % 2:
            make.make_replies(thread, [officer, repliers[i]])
    for thread in threads[4::5]:
        thread.pinned, thread.pinned_at = True, thread.created_at
    db.session.commit()


def _compare(client, make, path: str, grow, **kwargs) -> tuple[int, int]:
    grow(5)
    small = statements_for(client, path, **kwargs)
    grow(35)
    large = statements_for(client, path, **kwargs)
    assert len(small) == len(large), (
        f"{path}: {len(small)} statements for 5 rows but {len(large)} for 40 (N+1?)\n"
        + _summary(large))
    assert len(large) <= MAX_STATEMENTS, _summary(large)
    assert not _writes(large), f"{path} writes while reading: {_writes(large)}"
    return len(small), len(large)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "officer"])
def test_board_page_statements_do_not_grow_with_threads(client, make, login, signed_in):
    if signed_in:
        login(make.make_user("officer", unit_code="hukou"))
    _compare(client, make, "/b/hukou", lambda n: _threads_by_many_people(make, n))


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "citizen"])
def test_home_page_statements_do_not_grow_with_threads(client, make, login, signed_in):
    if signed_in:
        login(make.make_user())

    def grow(n):
        for slug in ("hukou", "traffic", "qa", "report"):
            kind = "report" if slug == "report" else "question"
            make.make_threads(max(1, n // 4), board_slug=slug, kind=kind,
                              authors=_mixed_people(make, max(1, n // 4)))

    _compare(client, make, "/", grow)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "asker"])
def test_thread_page_statements_do_not_grow_with_replies(client, make, login, signed_in):
    asker = make.make_user()
    thread = make.make_thread(asker, "hukou")

    def grow(n):  # replies from different people: citizens and officers of 3 units
        make.make_replies(thread, _mixed_people(make, n))

    if signed_in:
        login(asker)
    small, large = _compare(client, make, f"/t/{thread.id}", grow)
    assert small == large


def test_thread_page_with_twenty_replies_from_different_authors(client, make):
    """The case from the issue: 20 replies by 20 people cost what 1 reply costs."""
    thread = make.make_thread(make.make_user(), "hukou")
    make.make_post(thread, make.make_user("officer", unit_code="hukou"))  # the real service path
    one = statements_for(client, f"/t/{thread.id}")
    make.make_replies(thread, _mixed_people(make, 19))
    twenty = statements_for(client, f"/t/{thread.id}")
    assert len(client.get(f"/api/v1/threads/{thread.id}").get_json()["posts"]) == 20
    assert len(one) == len(twenty) <= MAX_STATEMENTS


def test_api_listing_statements_do_not_grow_with_threads(client, make):
    _compare(client, make, "/api/v1/boards/hukou/threads",
             lambda n: _threads_by_many_people(make, n))


def test_api_thread_statements_do_not_grow_with_replies(client, make):
    thread = make.make_thread(make.make_user(), "hukou")

    _compare(client, make, f"/api/v1/threads/{thread.id}",
             lambda n: make.make_replies(thread, _mixed_people(make, n)))


def test_inbox_statements_do_not_grow_with_threads(client, make, login):
    login(make.make_user("officer", unit_code="hukou"))

    _compare(client, make, "/inbox",
             lambda n: make.make_threads(n, board_slug="hukou", authors=_mixed_people(make, n)))
