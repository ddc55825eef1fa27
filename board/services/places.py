"""The `places` section of boards_config.yaml: the city's districts, streets and communities and
the station whose 辖区 holds each (board/jurisdictions.py has the rule). Checked with the rest of
the file by board/services/boards.py, and synced in the same transaction: matched by 区划代码,
so a renamed community keeps its threads; a place dropped from the file is kept, inactive, for the
threads that name it."""
from __future__ import annotations

from collections.abc import Callable

from board import jurisdictions
from board.extensions import db
from board.models import DISPATCHABLE_UNIT_KINDS, Place, PlaceLevel, Unit

# What each level holds below it, and the keys a node may have.
CHILDREN = {PlaceLevel.DISTRICT: ("streets", PlaceLevel.STREET),
            PlaceLevel.STREET: ("communities", PlaceLevel.COMMUNITY)}
KEYS = {"code", "name", "station", "lat", "lng", "aliases", "__line__"}
NAME_MAX = 40


def children(node: dict) -> list[dict]:
    """A node's children in the config tree (streets of a district, communities of a street)."""
    for key, _level in CHILDREN.values():
        if isinstance(node.get(key), list):
            return node[key]
    return []


def _walk(tree: list[dict]):
    """(node, level, parent node) for every node, parents first, in file order."""
    stack = [(node, PlaceLevel.DISTRICT, None) for node in reversed(tree)]
    while stack:
        node, level, parent = stack.pop()
        yield node, level, parent
        key, below = CHILDREN.get(level, (None, None))
        if key and isinstance(node.get(key), list):
            stack.extend((child, below, node) for child in reversed(node[key]))


def check(places, units: dict[str, dict], fail: Callable[[object, str], None]) -> None:
    """Every problem names the node's line (fail raises). `units`: the file's units by code."""
    if places is None:
        return
    if not isinstance(places, list):
        fail(places, "'places' must be a list of districts")
    codes: set[str] = set()
    for node, level, parent in _walk(places):
        if not isinstance(node, dict):
            fail(parent or places, f"each {level} must be a mapping with 'code' and 'name'")
        key = CHILDREN.get(level, (None,))[0]
        unknown = set(node) - KEYS - {key}
        if unknown:
            fail(node, f"unknown key '{sorted(unknown)[0]}' for a {level}"
                       + (f" (its children go under '{key}')" if key else ""))
        if key and key in node and not isinstance(node[key], list):
            fail(node, f"'{key}' must be a list")
        _check_node(node, level, parent, units, fail)
        if str(node["code"]) in codes:
            fail(node, f"duplicate place code '{node['code']}'")
        codes.add(str(node["code"]))


def _check_node(node: dict, level: PlaceLevel, parent, units, fail) -> None:
    code, name = str(node.get("code") or ""), node.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX:
        fail(node, f"a {level} needs a 'name' of 1–{NAME_MAX} characters")
    if not (code.isascii() and code.isdigit() and len(code) == level.code_length):
        fail(node, f"{level} '{name}': 'code' must be its {level.code_length}-digit 区划代码, "
                   f"got '{code}'")
    if parent is not None and not code.startswith(str(parent["code"])):
        fail(node, f"{level} '{name}': code {code} must start with its parent's {parent['code']}")
    station = node.get("station")
    if station is not None:
        if station not in units:
            fail(node, f"{level} '{name}': unknown unit '{station}'")
        if units[station]["kind"] not in DISPATCHABLE_UNIT_KINDS:
            fail(node, f"{level} '{name}': '{station}' is a {units[station]['kind']}, "
                       "a 辖区 belongs to a station (or branch / specialist unit)")
    lat, lng = node.get("lat"), node.get("lng")
    if (lat is None) != (lng is None):
        fail(node, f"{level} '{name}': give both 'lat' and 'lng', or neither")
    if lat is not None and not (_number(lat, 90) and _number(lng, 180)):
        fail(node, f"{level} '{name}': 'lat'/'lng' must be degrees (WGS84), e.g. 40.57 / 110.04")
    aliases = node.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        fail(node, f"{level} '{name}': 'aliases' must be a list of names")


def _number(value, limit: float) -> bool:
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return number and -limit <= value <= limit


def sync(places: list[dict] | None, units_by_code: dict[str, Unit]) -> int:
    """Create or update every place by code (the caller commits); returns how many are active."""
    tree = places or []
    stations = jurisdictions.covering_stations(tree, children)
    by_code = {p.code: p for p in db.session.scalars(db.select(Place))}
    seen: set[str] = set()
    for position, (node, level, parent) in enumerate(_walk(tree)):
        code = str(node["code"])
        place = by_code.get(code) or Place(code=code)
        place.name, place.level, place.position, place.active = node["name"], level, position, True
        place.parent = by_code[str(parent["code"])] if parent is not None else None
        held = stations[code]
        place.unit = units_by_code[held] if held else None
        place.aliases = list(node.get("aliases", []))
        place.lat, place.lng = node.get("lat"), node.get("lng")
        by_code[code] = place
        seen.add(code)
        db.session.add(place)
    for code, place in by_code.items():
        if code not in seen:
            place.active = False
    return len(seen)
