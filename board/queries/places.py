"""The places catalogue: every district, street and community with the station that holds it,
read once and kept per process (a minute at most, or until this process syncs the config), so a
thread's place, the picker's list and the dispatcher's suggestion cost no query per thread."""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field

from flask import current_app

from board import jurisdictions
from board.extensions import db
from board.jurisdictions import PlaceInfo, Suggestion
from board.models import Place, PlaceLevel, Unit

MAX_AGE = 60.0  # seconds: another process's `flask boards sync` shows here within this
RELOAD_ON_MISS_AFTER = 2.0  # an unknown id reloads the catalogue, at most this often


@dataclass
class Catalogue:
    by_id: dict[int, PlaceInfo]
    by_code: dict[str, PlaceInfo]
    ordered: list[PlaceInfo]  # the config's order: each district, its streets, their communities
    etag: str
    loaded_at: float = field(default_factory=time.monotonic)


def _store() -> dict:
    return current_app.extensions.setdefault("board_places", {})


def forget() -> None:
    """Drop this process's catalogue (after a sync)."""
    _store().pop("catalogue", None)


def catalogue(max_age: float = MAX_AGE) -> Catalogue:
    store = _store()
    cached = store.get("catalogue")
    if cached is None or time.monotonic() - cached.loaded_at > max_age:
        cached = store["catalogue"] = _load()
    return cached


def _load() -> Catalogue:
    rows = db.session.execute(
        db.select(Place, Unit.code, Unit.name).outerjoin(Unit, Place.unit_id == Unit.id)
        .order_by(Place.position, Place.id)).all()
    places = {place.id: place for place, _, _ in rows}

    def path(place: Place) -> tuple[str, ...]:
        names = []
        while place is not None:
            names.append(place.name)
            place = places.get(place.parent_id)
        return tuple(reversed(names))

    ordered = [PlaceInfo(
        id=p.id, code=p.code, name=p.name, level=p.level,
        parent_code=places[p.parent_id].code if p.parent_id in places else None,
        path=path(p), aliases=tuple(p.aliases or ()), lat=p.lat, lng=p.lng, active=p.active,
        unit_code=code, unit_name=name) for p, code, name in rows]
    digest = hashlib.sha1(json.dumps([_row(p) for p in ordered], ensure_ascii=False)
                          .encode()).hexdigest()[:20]
    return Catalogue({p.id: p for p in ordered}, {p.code: p for p in ordered}, ordered, digest)


def _row(place: PlaceInfo) -> list:
    return [place.id, place.code, place.name, place.level, place.parent_code, place.aliases,
            place.lat, place.lng, place.active, place.unit_code, place.unit_name]


def place_by_id(place_id: int | None) -> PlaceInfo | None:
    if place_id is None:
        return None
    found = catalogue().by_id.get(place_id)
    if found is None:  # named by a thread posted in another process after a sync there
        found = catalogue(RELOAD_ON_MISS_AFTER).by_id.get(place_id)
    return found


def place_of(thread) -> PlaceInfo | None:
    """The structured place a thread names (None: free text only)."""
    return place_by_id(getattr(thread, "place_id", None))


def active_place(code: str) -> Place | None:
    """The place a poster picked, read from the database (never a stale catalogue)."""
    return db.session.scalar(db.select(Place).where(Place.code == code, Place.active.is_(True)))


def suggestion_for(thread) -> Suggestion | None:
    """The station a dispatcher is offered for this thread (board/jurisdictions.py)."""
    return jurisdictions.suggestion(place_of(thread))


def picker() -> list[PlaceInfo]:
    """What a poster may pick: the active places, in the config's order."""
    return [p for p in catalogue().ordered if p.active]


def form_choices() -> dict[str, list[tuple[str, str]]]:
    """The picker without JavaScript: one option group per district, every level pickable."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for place in picker():
        district = place.path[0]
        options = groups.setdefault(district, [])
        if place.level == PlaceLevel.DISTRICT:
            options.append((place.code, f"{place.name}(不确定街道)"))
        elif place.level == PlaceLevel.STREET:
            options.append((place.code, f"{place.name}(不确定社区)"))
        else:
            options.append((place.code, " · ".join(place.path[1:])))
    return groups
