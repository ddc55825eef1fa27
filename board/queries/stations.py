"""A police station as residents meet it on its printed poster (issue 21): the station, the
places of its 辖区 and the boards it answers."""
from __future__ import annotations

from werkzeug.exceptions import NotFound

from board.extensions import db
from board.models import Board, Place, Unit, UnitKind, board_unit


def station_by_code(code: str) -> Unit:
    """A station by its code (boards_config.yaml); anything else is 'not found'."""
    unit = db.session.scalar(db.select(Unit).where(Unit.code == code[:40],
                                                   Unit.kind == UnitKind.STATION))
    if unit is None:
        raise NotFound("派出所不存在")
    return unit


def stations() -> list[Unit]:
    return list(db.session.scalars(db.select(Unit).where(Unit.kind == UnitKind.STATION)
                                   .order_by(Unit.position, Unit.id)))


def station_places(unit: Unit) -> list[str]:
    """The streets and communities named for this station, in the catalogue's order."""
    return list(db.session.scalars(db.select(Place.name)
                                   .where(Place.unit_id == unit.id, Place.active.is_(True))
                                   .order_by(Place.position, Place.id)))


def station_boards(unit: Unit) -> list[Board]:
    """The boards this station answers (boards_config.yaml `units:`)."""
    return list(db.session.scalars(
        db.select(Board).join(board_unit, board_unit.c.board_id == Board.id)
        .where(board_unit.c.unit_id == unit.id).order_by(Board.position, Board.id)))
