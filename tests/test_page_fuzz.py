"""Hostile input against every page and form (issue 15, item 10): whatever a visitor types into a
URL, a query string or a form field, the board answers with a page or a refusal, never a 500.

Every route in app.url_map is requested (GET, and POST where it takes one) with hostile path
segments, query arguments and form fields, signed in as several roles. The classes are the ones
an outside probe found: Unicode digits (「²」 passes str.isdigit() but not int(), 「𝟙」 passes
int()), integers beyond 64 bits, NUL bytes (PostgreSQL refuses them in text), non-finite
numbers, line breaks (a header split in `next=`), and plain garbage. Runs on SQLite and, with
BOARD_TEST_DATABASE_URL=postgresql, on PostgreSQL.
"""
from __future__ import annotations

import io
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from board.services import attachments, moderation_reports
from tests.factories import PASSWORD

pytestmark = pytest.mark.usefixtures("no_search_indexing")

# In a URL segment where an id goes, and in every query argument and form field at once.
IN_PATH = ["²", "𝟙𝟚", "١٢", "9" * 25, str(2**31), str(2**63), "-1", "0", "a\x00b", "1.5", "💥"]
IN_FIELDS = ["²", "𝟙𝟚", "9" * 25, str(2**63), "a\x00b", "Infinity", "NaN", "1e309",
             "/\n/evil.example", "\r\nSet-Cookie: x=1", "💥" * 30, "' OR 1=1 --", ""]
HOSTILE = sorted(set(IN_PATH + IN_FIELDS))
ARGS = ["next", "before", "cursor", "partial", "days", "format", "action", "q", "board", "kind",
        "status", "answered", "time", "from", "to", "sort", "page", "thread", "title", "post",
        "v", "unit", "overdue", "supervised", "rated",
        # issue 20: periods, drill-downs, the audit and account filters, open data, Open311
        "period", "start", "end", "missed", "officer", "score", "person", "after", "role",
        "state", "months", "month", "service_code", "start_date", "end_date", "page_size",
        "service_request_id"]
FIELDS = ["username", "password", "nickname", "title", "body", "kind", "location", "police_only",
          "reason", "detail", "post", "post_id", "id", "all", "next", "back", "to", "delete",
          "score", "comment", "status", "note", "internal", "unit", "urgency", "instruction",
          "role", "badge_no", "real_name", "contact", "remember", "idempotency_key",
          "confirm", "name", "step", "data", "filename", "api_key", "service_code",
          "description", "address_string"]
ROLES = ["anonymous", "citizen", "officer", "leader", "dispatcher", "admin"]
SKIP_POST = {"auth.logout"}  # would sign the fuzzing client out
VARIABLE = re.compile(r"<([^<>]*:)?(\w+)>")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(out, "PNG")
    return out.getvalue()


class _Upload:
    def __init__(self, data: bytes) -> None:
        self.stream, self.filename, self.content_length = io.BytesIO(data), "a.png", len(data)


@pytest.fixture
def site(app, make):
    """A thread with a reply, a report and a photo, and one signed-in client per role."""
    citizen = make.make_user(username="fuzz_citizen")
    users = {"citizen": citizen,
             "officer": make.make_user("officer", unit_code="hukou"),
             "leader": make.make_user("leader"), "dispatcher": make.make_user("dispatcher"),
             "admin": make.make_user("admin")}
    bystander = make.make_user(username="fuzz_bystander")
    thread = make.make_thread(citizen, "hukou")
    post = make.make_post(thread, users["officer"])
    report = moderation_reports.report(bystander, thread, post, "spam")
    saved, _ = attachments.attach(citizen, thread, None, [_Upload(_png())])
    clients = {"anonymous": app.test_client()}
    for role, user in users.items():
        clients[role] = app.test_client()
        response = clients[role].post("/login", data={"username": user.username,
                                                       "password": PASSWORD})
        assert response.status_code == 302
    ids = {"thread_id": thread.id, "user_id": bystander.id, "report_id": report.id,
           "attachment_id": saved[0].id}
    return clients, ids, {"slug": "hukou", "action": "pin", "filename": "css/app.css"}


def _routes(app) -> list[tuple[str, str, object]]:
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & {"GET", "POST"}):
            if not (method == "POST" and rule.endpoint in SKIP_POST):
                found.append((rule.endpoint, method, rule))
    return sorted(found, key=lambda r: (r[0], r[1]))


def _url(rule, ids: dict, fixed: dict, hostile: str | None) -> str:
    """The rule's path with its variable segments set to `hostile` (real values when None)."""

    def value(match) -> str:
        name = match.group(2)
        if hostile is None or name == "action":
            return quote(str(ids.get(name, fixed.get(name, "x"))), safe="/")
        return quote(hostile, safe="")

    return VARIABLE.sub(value, rule.rule)


def _request(client, method: str, url: str, value: str):
    args = {name: value for name in ARGS}
    if method == "GET":
        return client.get(url, query_string=args)
    return client.post(url, query_string={"next": value}, data={f: value for f in FIELDS})


def _check(response, where) -> None:
    assert response.status_code < 500, (where, response.status_code,
                                        response.get_data(as_text=True)[:400])


def test_every_id_segment_takes_hostile_values(app, site):
    """Every route with a variable in its path, that variable hostile: a 404, never a 500."""
    clients, ids, fixed = site
    routes = [route for route in _routes(app) if route[2].arguments - {"action"}]
    for number, value in enumerate(IN_PATH):
        for index, (endpoint, method, rule) in enumerate(routes):
            role = ROLES[(number + index) % len(ROLES)]
            url = _url(rule, ids, fixed, value)
            _check(_request(clients[role], method, url, "1"), (endpoint, method, role, url))


def test_every_query_argument_and_form_field_takes_hostile_values(app, site):
    """Every route on its real records, all its query arguments and form fields hostile."""
    clients, ids, fixed = site
    routes = _routes(app)
    for number, value in enumerate(IN_FIELDS):
        for index, (endpoint, method, rule) in enumerate(routes):
            role = ROLES[(number + index) % len(ROLES)]
            url = _url(rule, ids, fixed, None)
            _check(_request(clients[role], method, url, value), (endpoint, method, role, value))


FUZZ = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
texts = st.one_of(st.text(max_size=40), st.sampled_from(HOSTILE),
                  st.integers(min_value=-2**70, max_value=2**70).map(str),
                  st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=4))


@FUZZ
@given(data=st.data(), role=st.sampled_from(ROLES), value=texts,
       args=st.dictionaries(st.sampled_from(ARGS), texts, max_size=5),
       fields=st.dictionaries(st.sampled_from(FIELDS), texts, max_size=8))
def test_random_hostile_requests_never_500(app, site, data, role, value, args, fields):
    clients, ids, fixed = site
    endpoint, method, rule = data.draw(st.sampled_from(_routes(app)))
    url = _url(rule, ids, fixed, data.draw(st.sampled_from([None, value])))
    client = clients[role]
    if method == "GET":
        response = client.get(url, query_string=args)
    else:
        response = client.post(url, query_string=args, data=fields)
    _check(response, (endpoint, method, role, url, args, fields))
