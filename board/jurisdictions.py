"""Jurisdictions (辖区): which police station holds a place, and the station a dispatcher is
offered for a thread. The one place for the rule; boards_config.yaml says which streets and
communities each station covers (board/services/boards.py loads it, board/queries/places.py
reads it back).

A station named on a district or street covers everything under it unless a community names its
own. A district or street whose communities belong to different stations is held by none of them:
a thread placed only that precisely gets no suggestion, and the dispatcher chooses.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlaceInfo:
    """A place as the board shows it: one row of the places catalogue."""

    id: int
    code: str
    name: str
    level: str  # a models.PlaceLevel
    parent_code: str | None
    path: tuple[str, ...]  # names from the district down to this place
    aliases: tuple[str, ...]
    lat: float | None
    lng: float | None
    active: bool
    unit_code: str | None  # the station whose 辖区 holds all of this place
    unit_name: str | None

    @property
    def label(self) -> str:
        return " · ".join(self.path)


@dataclass(frozen=True)
class Suggestion:
    """The unit a dispatcher is offered, and why."""

    unit_code: str
    unit_name: str
    reason: str


def suggestion(place: PlaceInfo | None) -> Suggestion | None:
    """The station whose 辖区 holds the thread's place; None without a place or a single station
    (nothing is then preselected: the dispatcher must choose)."""
    if place is None or not place.unit_code or not place.unit_name:
        return None
    return Suggestion(place.unit_code, place.unit_name,
                      f"根据发帖位置:{place.name}属{place.unit_name}辖区")


def covering_stations(tree: list[dict], children_of) -> dict[str, str | None]:
    """code → the station whose 辖区 holds all of that place, for a config tree of places.

    Each node is a mapping with 'code' and an optional 'station'; `children_of(node)` lists its
    children. A leaf belongs to its own station, else its nearest ancestor's; a place with
    children belongs to a station only when every leaf under it does."""
    held: dict[str, str | None] = {}

    def visit(node: dict, inherited: str | None) -> set[str | None]:
        own = node.get("station") or inherited
        children = children_of(node)
        leaves = set().union(*(visit(child, own) for child in children)) if children else {own}
        held[str(node["code"])] = next(iter(leaves)) if len(leaves) == 1 else None
        return leaves

    for district in tree:
        visit(district, None)
    return held
