"""Loading boards_config.yaml into the database, idempotently, with clear errors for bad files."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import yaml

from board import i18n, sla
from board.extensions import db
from board.models import Board, Unit, UnitKind, kinds
from board.queries import places as catalogue
from board.services import audit, places

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
    except ValueError as exc:  # a date-shaped value that is no date, e.g. 2027-13-02
        raise BoardsConfigError(f"{path}: {exc}") from None
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
        target = board.get("sla") or {}
        if target and (not isinstance(target.get("minutes"), int)
                       or target.get("hours") not in SLA_HOURS):
            _fail(path, board, "sla needs 'minutes' (a number) and 'hours' (always|working)")
    places.check(data.get("places"), {u["code"]: u for u in units},
                 lambda item, problem: _fail(path, item, problem))
    calendar_years(path, data)


_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$")


def _days(path: str, item: dict, year: int, key: str) -> set[date]:
    """One year's `holidays` or `workdays`: dates (2027-01-01), ranges (2027-10-01..2027-10-07)."""
    days: set[date] = set()
    values = item.get(key) or []
    if not isinstance(values, list):
        _fail(path, item, f"calendar {year}: '{key}' must be a list of dates")
    for value in values:
        if isinstance(value, date):
            first = last = value
        else:
            match = _RANGE.match(str(value).strip())
            try:
                first, last = (date.fromisoformat(match[1]), date.fromisoformat(match[2])) \
                    if match else (date.fromisoformat(str(value).strip()),) * 2
            except ValueError:
                _fail(path, item, f"calendar {year}: '{value}' is not a date (YYYY-MM-DD) "
                                  "or a range (YYYY-MM-DD..YYYY-MM-DD)")
        if last < first or first.year != year or last.year != year:
            _fail(path, item, f"calendar {year}: '{value}' must lie within {year}, in order")
        days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return days


def calendar_years(path: str, data: dict) -> dict[int, tuple[set[date], set[date]]]:
    """The `calendar:` section: year → (holidays, make-up working days), checked."""
    section = data.get("calendar") or {}
    if not isinstance(section, dict):
        _fail(path, data, "'calendar' must map years to their holidays and workdays")
    years = {}
    for year, item in section.items():
        if year == "__line__":
            continue
        if not isinstance(year, int) or not isinstance(item, dict):
            _fail(path, section, f"calendar: '{year}' must be a year with holidays/workdays")
        holidays = _days(path, item, year, "holidays")
        workdays = _days(path, item, year, "workdays")
        if holidays & workdays:
            _fail(path, item, f"calendar {year}: a day cannot be both a holiday and a workday")
        years[year] = (holidays, workdays)
    return years


def configure_calendar(path: str) -> None:
    """Give board/sla.py the configured holiday years: every process at start (create_app). A
    malformed file is left to `sync` (start-up, `flask boards sync`), which stops with the line."""
    try:
        data = load(path)
        sla.configure_calendar(calendar_years(path, data))
    except BoardsConfigError:
        return
    i18n.configure_boards(data.get("boards") or [])  # issue 21: name_en / description_en


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
    sla.configure_calendar(calendar_years(path, data))
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
        target = item.get("sla") or {}
        board.sla_minutes = target.get("minutes")
        board.sla_hours = target.get("hours", "always")
        board.units = [units_by_code[code] for code in item["units"]]
        db.session.add(board)
    place_count = places.sync(data.get("places"), units_by_code)
    db.session.flush()
    old, new = audit.changed(before, _state())
    if new:
        audit.record(actor, "boards.sync", "config", None, old, new)
    db.session.commit()
    catalogue.forget()  # this process reads the new places at once; the others within a minute
    return SyncResult(units=len(data["units"]), boards=len(data["boards"]), places=place_count)
