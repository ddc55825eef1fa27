"""Sharing (issue 21): the card picture and QR code of a public thread, the QR codes and printable
A4 posters of boards and police stations, and the station page a poster leads to.

Every picture is public and the same for every viewer: a thread's only while anyone may read it
(permission `thread.share`), 404 otherwise, as its page answers an anonymous reader."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, send_file, url_for
from flask_babel import gettext as _

from board import permissions
from board.extensions import db
from board.models import Thread
from board.privacy import mask
from board.queries import stations, threads
from board.queries.threads import MAX_ID
from board.share import card, card_image, files, links, qr

bp = Blueprint("share", __name__)

THREAD_MAX_AGE = 300  # a thread hidden later leaves shared caches within five minutes
PLACE_MAX_AGE = 86400


def _shareable_thread(thread_id: int) -> Thread:
    thread = db.session.get(Thread, thread_id) if 0 < thread_id <= MAX_ID else None
    if thread is None or not permissions.can(None, "thread.share", thread):
        abort(404)
    return thread


def _send(name: str, draw, mimetype: str, max_age: int, public: bool = True):
    """A drawn picture from the cache folder: its name is its ETag."""
    path = files.cached(name, draw)
    response = send_file(path, mimetype=mimetype, etag=name, conditional=True, max_age=max_age)
    if public:
        response.cache_control.public = True
    else:
        response.cache_control.private = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _qr(url: str, fmt: str, max_age: int):
    """A QR code of `url`. Without BASE_URL the address came from this request's host: no shared
    cache (a proxy's) may keep it for others."""
    if fmt not in qr.FORMATS:
        abort(404)
    name = f"qr-{files.key('qr', url, fmt)}.{fmt}"
    return _send(name, lambda: qr.render(url, fmt), qr.FORMATS[fmt], max_age,
                 public=bool(current_app.config.get("BASE_URL")))


@bp.get("/t/<int:thread_id>/card.png")
def thread_card(thread_id: int):
    """The card picture when the thread has no photo: its board and masked question."""
    thread = _shareable_thread(thread_id)
    question, board_name = mask(thread.title) or "", thread.board.name
    name = f"card-{files.key('card', board_name, question, card.SITE_NAME)}.png"
    return _send(name, lambda: card_image.render(board_name, question, card.SITE_NAME),
                 "image/png", THREAD_MAX_AGE)


@bp.get("/t/<int:thread_id>/qr.<fmt>")
def thread_qr(thread_id: int, fmt: str):
    _shareable_thread(thread_id)
    return _qr(links.absolute("threads.show", thread_id=thread_id), fmt, THREAD_MAX_AGE)


@bp.get("/b/<slug>/qr.<fmt>")
def board_qr(slug: str, fmt: str):
    board = threads.board_by_slug(slug)
    return _qr(links.absolute("main.board", slug=board.slug), fmt, PLACE_MAX_AGE)


@bp.get("/station/<code>")
def station(code: str):
    """Where a station's poster leads: the station, its 辖区, the boards it answers."""
    unit = stations.station_by_code(code)
    return render_template("share/station.html", station=unit,
                           places=stations.station_places(unit),
                           boards=stations.station_boards(unit), all_boards=threads.boards(),
                           url=links.absolute("share.station", code=unit.code))


@bp.get("/station/<code>/qr.<fmt>")
def station_qr(code: str, fmt: str):
    unit = stations.station_by_code(code)
    return _qr(links.absolute("share.station", code=unit.code), fmt, PLACE_MAX_AGE)


@bp.get("/b/<slug>/poster")
def board_poster(slug: str):
    board = threads.board_by_slug(slug)
    return render_template("share/poster.html", name=board.shown_name,
                           kicker=_("网上警民互动平台 · 版块"),
                           call=_("有%(board)s方面的问题?扫码提问,民警实名在线解答",
                                  board=board.name),
                           url=links.absolute("main.board", slug=board.slug),
                           qr_url=url_for("share.board_qr", slug=board.slug, fmt="svg"))


@bp.get("/station/<code>/poster")
def station_poster(code: str):
    unit = stations.station_by_code(code)
    return render_template("share/poster.html", name=unit.name,
                           kicker=_("网上警民互动平台 · 派出所"),
                           call=_("有事找警察,网上也一样:扫码咨询、求助、举报,民警实名在线解答"),
                           url=links.absolute("share.station", code=unit.code),
                           qr_url=url_for("share.station_qr", code=unit.code, fmt="svg"),
                           places=stations.station_places(unit))


@bp.get("/posters")
def posters():
    """Every printable poster: one per station, one per board."""
    return render_template("share/posters.html", stations=stations.stations(),
                           boards=threads.boards())
