"""Loading boards_config.yaml into the database, idempotently, with clear errors for bad files."""
from __future__ import annotations

from dataclasses import dataclass

import yaml

from board.extensions import db
from board.models import Board, Unit, UnitKind, kinds
from board.queries import places as catalogue
from board.services import places

SLA_HOURS = {"always", "working"}


class BoardsConfigError(Exception):
    """A malformed boards_config.yaml; the message names the file, line and problem."""


class _LineLoader(yaml.SafeLoader):
    """Keeps each mapping's line number under the key '__line__' for error messages."""


def _construct_mapping(loader, node):
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass
class SyncResult:
    units: int
    boards: int
    places: int = 0


def load(path: str) -> dict:
    """Parse and check the file; raise BoardsConfigError naming the line and problem."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except FileNotFoundError:
        raise BoardsConfigError(f"{path}: 文件不存在 (file not found)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "?"
        raise BoardsConfigError(f"{path}, {where}: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise BoardsConfigError(f"{path}, line 1: expected a mapping with 'units' and 'boards'")
    _check(path, data)
    return data


def _fail(path: str, item, problem: str):
    line = item.get("__line__", "?") if isinstance(item, dict) else "?"
    raise BoardsConfigError(f"{path}, line {line}: {problem}")


def _check(path: str, data: dict) -> None:
    units, boards = data.get("units"), data.get("boards")
    if not isinstance(units, list) or not units:
        _fail(path, data, "'units' must be a non-empty list")
    if not isinstance(boards, list) or not boards:
        _fail(path, data, "'boards' must be a non-empty list")
    codes: set[str] = set()
    for unit in units:
        for key in ("code", "name", "kind"):
            if not isinstance(unit, dict) or not unit.get(key):
                _fail(path, unit, f"unit is missing '{key}'")
        if unit["code"] in codes:
            _fail(path, unit, f"duplicate unit code '{unit['code']}'")
        if unit["kind"] not in set(UnitKind):
            _fail(path, unit, f"unknown unit kind '{unit['kind']}', "
                              f"use one of: {', '.join(UnitKind)}")
        if unit.get("parent") and unit["parent"] not in codes:
            _fail(path, unit, f"parent '{unit['parent']}' must be listed before this unit")
        codes.add(unit["code"])
    slugs: set[str] = set()
    for board in boards:
        for key in ("slug", "name", "units", "kinds"):
            if not isinstance(board, dict) or not board.get(key):
                _fail(path, board, f"board is missing '{key}'")
        if board["slug"] in slugs:
            _fail(path, board, f"duplicate board slug '{board['slug']}'")
        slugs.add(board["slug"])
        if not str(board["slug"]).isascii():
            _fail(path, board, "board slug must be ASCII")
        for code in board["units"]:
            if code not in codes:
                _fail(path, board, f"unknown unit '{code}'")
        for kind in board["kinds"]:
            if kinds.policy(kind) is None:
                _fail(path, board, f"unknown thread kind '{kind}', "
                                   f"use one of: {', '.join(kinds.KINDS)}")
        sla = board.get("sla") or {}
        if sla and (not isinstance(sla.get("minutes"), int) or sla.get("hours") not in SLA_HOURS):
            _fail(path, board, "sla needs 'minutes' (a number) and 'hours' (always|working)")
    places.check(data.get("places"), {u["code"]: u for u in units},
                 lambda item, problem: _fail(path, item, problem))


def sync(path: str) -> SyncResult:
    """Create or update units and boards by code/slug; nothing is deleted, threads stay put."""
    data = load(path)
    units_by_code = {u.code: u for u in db.session.scalars(db.select(Unit))}
    for position, item in enumerate(data["units"]):
        unit = units_by_code.get(item["code"]) or Unit(code=item["code"])
        unit.name, unit.kind, unit.position = item["name"], UnitKind(item["kind"]), position
        unit.parent = units_by_code.get(item.get("parent")) if item.get("parent") else None
        units_by_code[unit.code] = unit
        db.session.add(unit)
    boards_by_slug = {b.slug: b for b in db.session.scalars(db.select(Board))}
    for position, item in enumerate(data["boards"]):
        board = boards_by_slug.get(item["slug"]) or Board(slug=item["slug"], thread_count=0)
        board.name, board.position = item["name"], position
        board.description = item.get("description", "")
        board.icon = item.get("icon", "")
        board.kinds = list(item["kinds"])
        sla = item.get("sla") or {}
        board.sla_minutes = sla.get("minutes")
        board.sla_hours = sla.get("hours", "always")
        board.units = [units_by_code[code] for code in item["units"]]
        db.session.add(board)
    place_count = places.sync(data.get("places"), units_by_code)
    db.session.commit()
    catalogue.forget()  # this process reads the new places at once; the others within a minute
    return SyncResult(units=len(data["units"]), boards=len(data["boards"]), places=place_count)
