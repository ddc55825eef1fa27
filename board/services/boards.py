"""Loading boards_config.yaml into the database, idempotently, with clear errors for bad files."""
from __future__ import annotations

from dataclasses import dataclass

import yaml

from board.extensions import db
from board.models import Board, Unit, UnitKind, kinds
from board.services import audit

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


def _unit_summary(unit: Unit) -> str:
    parent = f",隶属 {unit.parent.name}" if unit.parent else ""
    return f"{unit.name}({unit.kind_label}{parent})"


def _board_summary(board: Board) -> str:
    target = (f"首次回复时限 {board.sla_minutes} 分钟"
              f"({'工作时间' if board.sla_hours == 'working' else '全天'})"
              if board.sla_minutes else "无回复时限")
    kinds_ = "、".join(kinds.label(k) for k in board.kinds or [])
    units = "、".join(u.name for u in board.units)
    return f"{board.name};{target};类型 {kinds_};答复单位 {units}"


def _state() -> dict[str, str]:
    """Every unit and board as one line each, keyed unit:<code> / board:<slug>, for the audit."""
    out = {f"unit:{u.code}": _unit_summary(u) for u in db.session.scalars(db.select(Unit))}
    out.update({f"board:{b.slug}": _board_summary(b)
                for b in db.session.scalars(db.select(Board))})
    return out


def sync(path: str, actor=None) -> SyncResult:
    """Create or update units and boards by code/slug; nothing is deleted, threads stay put.

    What changed (and only that: an unchanged file at start-up records nothing) is audited as
    同步版块与单位配置 by `actor` (an admin; None: start-up or the command line)."""
    data = load(path)
    before = _state()
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
    db.session.flush()
    old, new = audit.changed(before, _state())
    if new:
        audit.record(actor, "boards.sync", "config", None, old, new)
    db.session.commit()
    return SyncResult(units=len(data["units"]), boards=len(data["boards"]))
