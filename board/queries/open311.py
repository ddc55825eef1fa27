"""Open311 GeoReport v2, the read side: the boards that take reports and requests as services,
and their public threads as service requests — status, the unit responsible, and the public
timeline as status notes. Police-only and hidden threads never appear; text is masked as any
reader sees it (board/privacy).

Status: `closed` once resolved or closed on the board, `open` otherwise. Times are ISO 8601
with Beijing's +08:00. Requests are listed newest first from the thread index on created_at,
one page (page_size, at most 1000) per call, so the cost follows the page, not the table.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from board import privacy
from board.errors import ValidationFailed
from board.extensions import db
from board.inputs import parse_id, parse_int
from board.models import (
    Board,
    Thread,
    ThreadEvent,
    ThreadStatus,
    Unit,
    User,
    Visibility,
    utcnow,
)
from board.services.partners import service_kind
from board.sla import BEIJING

CLOSED = (ThreadStatus.RESOLVED, ThreadStatus.CLOSED)
DEFAULT_DAYS = 90  # the spec's default window when no dates are given
PAGE_SIZE, MAX_PAGE_SIZE = 200, 1000


def _time(value: datetime | None) -> str | None:
    return value.astimezone(BEIJING).isoformat(timespec="seconds") if value else None


def services() -> list[dict]:
    out = []
    for board in db.session.scalars(db.select(Board).order_by(Board.position)):
        kind = service_kind(board)
        if kind is None:
            continue
        out.append({"service_code": board.slug, "service_name": board.name,
                    "description": board.description or board.name, "metadata": False,
                    "type": "realtime", "keywords": kind, "group": "鹿城24小时警局"})
    return out


def _parse_time(raw: str | None, name: str) -> datetime | None:
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(fields={name: f"{name} must be ISO 8601, e.g. "
                                             "2026-11-01T00:00:00+08:00"}) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


def _public():
    return (Thread.visibility == Visibility.PUBLIC, Thread.hidden.is_(False))


def requests(args, now: datetime | None = None) -> list[dict]:
    """Service requests by the spec's filters: service_request_id, service_code, start_date,
    end_date, status; plus page and page_size."""
    now = now or utcnow()
    codes = [c for c in (args.get("service_code") or "").split(",") if c]
    boards = {b.id: b for b in db.session.scalars(db.select(Board))}
    service_boards = [bid for bid, b in boards.items() if service_kind(b)
                      and (not codes or b.slug in codes)]
    stmt = db.select(Thread).where(*_public(), Thread.board_id.in_(service_boards))
    ids = [i for i in (parse_id(x) for x in (args.get("service_request_id") or "").split(","))
           if i is not None]
    if ids:
        stmt = stmt.where(Thread.id.in_(ids[:MAX_PAGE_SIZE]))
    else:
        end = _parse_time(args.get("end_date"), "end_date")
        start = _parse_time(args.get("start_date"), "start_date")
        if start is None:
            start = (end or now) - timedelta(days=DEFAULT_DAYS)
        stmt = stmt.where(Thread.created_at >= start)
        if end is not None:
            stmt = stmt.where(Thread.created_at < end)
    wanted = {s for s in (args.get("status") or "").split(",") if s}
    if wanted - {"open", "closed"}:
        raise ValidationFailed(fields={"status": "status must be open or closed"})
    if wanted == {"open"}:
        stmt = stmt.where(Thread.status.not_in(CLOSED))
    elif wanted == {"closed"}:
        stmt = stmt.where(Thread.status.in_(CLOSED))
    size = _bounded(args.get("page_size"), PAGE_SIZE, MAX_PAGE_SIZE)
    page = _bounded(args.get("page"), 1, 10_000)
    threads = list(db.session.scalars(stmt.order_by(Thread.created_at.desc(), Thread.id.desc())
                                      .limit(size).offset((page - 1) * size)))
    return _as_requests(threads, boards)


def one(request_id: int) -> list[dict]:
    thread = db.session.get(Thread, request_id)
    if thread is None or not thread.is_public:
        return []
    board = db.session.get(Board, thread.board_id)
    if service_kind(board) is None:
        return []
    return _as_requests([thread], {board.id: board})


def _bounded(raw, default: int, high: int) -> int:
    value = parse_int(raw, 1, 10**6)
    return default if value is None else min(value, high)


def _as_requests(threads: list[Thread], boards: dict) -> list[dict]:
    if not threads:
        return []
    ids = [t.id for t in threads]
    notes: dict[int, list[str]] = {}
    for thread_id, when, public_text in db.session.execute(
            db.select(ThreadEvent.thread_id, ThreadEvent.created_at, ThreadEvent.public_text)
            .where(ThreadEvent.thread_id.in_(ids), ThreadEvent.public_text.is_not(None),
                   ThreadEvent.public_text != "")
            .order_by(ThreadEvent.thread_id, ThreadEvent.id)):
        notes.setdefault(thread_id, []).append(
            f"{when.astimezone(BEIJING):%Y-%m-%d %H:%M} {privacy.mask(public_text)}")
    responders = {t.first_responder_id for t in threads if t.first_responder_id}
    responder_unit = dict(db.session.execute(db.select(User.id, User.unit_id).where(
        User.id.in_(responders))).all()) if responders else {}
    units = {u.id: u for u in db.session.scalars(db.select(Unit))}
    out = []
    for t in threads:
        board = boards[t.board_id]
        unit = t.dispatched_unit
        if unit is None and t.first_responder_id in responder_unit:
            unit = units.get(responder_unit[t.first_responder_id])
        if unit is None and board.units:
            unit = board.units[0]
        closed = t.status in CLOSED
        out.append({
            "service_request_id": str(t.id),
            "status": "closed" if closed else "open",
            "status_notes": ";".join(notes.get(t.id, [])) or ThreadStatus(t.status).label,
            "service_name": board.name,
            "service_code": board.slug,
            "description": privacy.mask(f"{t.title}\n{t.body}"),
            "agency_responsible": unit.name if unit else "",
            "service_notice": "",
            "requested_datetime": _time(t.created_at),
            "updated_datetime": _time(t.last_activity_at),
            "expected_datetime": None if closed else _time(t.sla_due_at),
            "address": privacy.mask(t.location) if t.location else "",
            "address_id": "", "zipcode": "", "lat": None, "long": None, "media_url": "",
        })
    return out
