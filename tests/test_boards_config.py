"""boards_config.yaml: the twelve boards in order, an idempotent sync that keeps threads through
renames and reorders, and malformed files rejected with the line and the problem."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from board.config import ROOT
from board.extensions import db
from board.models import Board, Thread, Unit, UnitKind
from board.queries import threads
from board.services import boards

pytestmark = pytest.mark.usefixtures("no_search_indexing")

TWELVE = [
    ("report", "随手举报"), ("hukou", "户政"), ("exit-entry", "出入境"), ("traffic", "交警"),
    ("anti-drug", "禁毒宣传"), ("anti-terror", "反恐宣传"), ("law", "普法宣传"),
    ("lawyer", "网上律师"), ("legal-aid", "法律援助"), ("environment", "环境保护"),
    ("hometown", "他乡故知"), ("qa", "问题解答"),
]

GOOD_HEAD = """units:
  - {code: city, name: 市局, kind: bureau}
  - {code: hukou, name: 户政支队, kind: specialist, parent: city}
boards:
"""


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "boards.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _config_copy(tmp_path: Path) -> dict:
    return yaml.safe_load((ROOT / "boards_config.yaml").read_text(encoding="utf-8"))


def _dump(tmp_path: Path, data: dict) -> str:
    return _write(tmp_path, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def test_twelve_boards_load_in_configured_order_with_chinese_names(app, client):
    assert [(b.slug, b.name) for b in threads.boards()] == TWELVE
    for board in threads.boards():
        assert board.description and board.units and board.kinds, board.slug

    home = client.get("/").get_data(as_text=True)
    positions = [home.index(f'href="/b/{slug}"') for slug, _ in TWELVE]
    assert positions == sorted(positions), "home page lists the boards out of order"
    for _, name in TWELVE:
        assert name in home

    api = client.get("/api/v1/boards").get_json()
    assert [(b["slug"], b["name"]) for b in api["boards"]] == TWELVE


def test_every_board_has_an_answering_unit_and_publicity_where_expected(app):
    by_slug = {b.slug: b for b in threads.boards()}
    assert [u.code for u in by_slug["hukou"].units] == ["hukou"]
    assert "command-110" in [u.code for u in by_slug["report"].units]
    assert "publicity" not in by_slug["report"].kinds  # a citizen's board for reports and help
    assert "publicity" in by_slug["anti-drug"].kinds


def test_every_unit_kind_in_the_config_is_a_unit_kind_shown_in_chinese(app, client, login,
                                                                       make):
    data = yaml.safe_load((ROOT / "boards_config.yaml").read_text(encoding="utf-8"))
    used = {UnitKind(unit["kind"]) for unit in data["units"]}  # ValueError on a stray kind
    assert {UnitKind.COMMAND, UnitKind.STATION} <= used
    assert make.unit("station-nanmen").kind == UnitKind.STATION

    login(make.make_user("admin", real_name="管理员"))
    page = client.get("/admin/units").get_data(as_text=True)
    assert "<td>派出所</td>" in page and "<td>指挥中心</td>" in page
    assert "<td>station</td>" not in page


def test_cli_sync_is_idempotent(app, make):
    thread = make.make_thread(board_slug="hukou")
    before_boards = {b.slug: (b.id, b.position) for b in db.session.scalars(db.select(Board))}
    before_units = {u.code: u.id for u in db.session.scalars(db.select(Unit))}
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["boards", "sync"])
        assert result.exit_code == 0, result.output
        assert "synced 12 boards" in result.output
    db.session.expire_all()
    after = {b.slug: (b.id, b.position) for b in db.session.scalars(db.select(Board))}
    assert after == before_boards
    assert {u.code: u.id for u in db.session.scalars(db.select(Unit))} == before_units
    assert db.session.get(Thread, thread.id).board.slug == "hukou"
    assert make.board("hukou").thread_count == 1


def test_rename_and_reorder_keep_the_boards_threads(app, client, make, tmp_path):
    thread = make.make_thread(board_slug="hukou", title="户口迁移要带什么")
    hukou_id = make.board("hukou").id
    data = _config_copy(tmp_path)
    entry = next(b for b in data["boards"] if b["slug"] == "hukou")
    entry["name"] = "户籍办理"
    data["boards"].remove(entry)
    data["boards"].append(entry)  # moved to the end
    app.config["BOARDS_CONFIG"] = _dump(tmp_path, data)

    result = app.test_cli_runner().invoke(args=["boards", "sync"])
    assert result.exit_code == 0, result.output

    db.session.expire_all()
    board = make.board("hukou")
    assert board.id == hukou_id and board.name == "户籍办理"
    assert [b.slug for b in threads.boards()][-1] == "hukou"
    assert db.session.get(Thread, thread.id).board_id == hukou_id
    page = client.get("/b/hukou").get_data(as_text=True)
    assert "户籍办理" in page and "户口迁移要带什么" in page
    assert db.session.scalar(db.select(db.func.count(Board.id))) == 12


MALFORMED = [  # (file, line, problem)
    # bad indentation: `units` is one space short of the board's other keys (line 7)
    (GOOD_HEAD + "  - slug: x\n    name: 测试\n   units: [hukou]\n    kinds: [question]\n",
     7, "expected <block end>"),
    # a board naming a unit that is not in the unit list (the board starts on line 9)
    (GOOD_HEAD + "  - slug: x\n    name: 测试\n    units: [hukou]\n    kinds: [question]\n"
     "  - slug: y\n    name: 乙\n    units: [hukou, nowhere]\n    kinds: [question]\n",
     9, "unknown unit 'nowhere'"),
    # a board without a slug (line 5)
    (GOOD_HEAD + "  - name: 无名\n    units: [hukou]\n    kinds: [question]\n",
     5, "missing 'slug'"),
    # a unit whose parent is unknown (line 3)
    ("units:\n  - {code: city, name: 市局, kind: bureau}\n"
     "  - {code: s, name: 所, kind: station, parent: ghost}\nboards:\n"
     "  - {slug: x, name: 测试, units: [city], kinds: [question]}\n",
     3, "parent 'ghost'"),
    # a thread kind that does not exist (line 5)
    (GOOD_HEAD + "  - {slug: x, name: 测试, units: [hukou], kinds: [question, gossip]}\n",
     5, "unknown thread kind 'gossip'"),
    # a unit kind that is not a UnitKind (line 3), the valid ones named
    ("units:\n  - {code: city, name: 市局, kind: bureau}\n"
     "  - {code: s, name: 所, kind: precinct, parent: city}\nboards:\n"
     "  - {slug: x, name: 测试, units: [city], kinds: [question]}\n",
     3, "unknown unit kind 'precinct', use one of: bureau, command, branch, station, specialist"),
]


def test_malformed_config_names_line_and_problem(app, tmp_path):
    for body, line, problem in MALFORMED:
        path = _write(tmp_path, body)
        with pytest.raises(boards.BoardsConfigError) as caught:
            boards.sync(path)
        message = str(caught.value)
        assert f"line {line}:" in message and problem in message and path in message, message
        assert db.session.scalar(db.select(db.func.count(Board.id))) == 12  # nothing applied

        app.config["BOARDS_CONFIG"] = path
        result = app.test_cli_runner().invoke(args=["boards", "sync"])
        assert result.exit_code != 0
        assert f"line {line}:" in result.output and problem in result.output
        assert "Traceback" not in result.output


def test_a_valid_small_file_syncs_and_adds_a_board(app, make, tmp_path):
    path = _write(tmp_path, GOOD_HEAD
                  + "  - {slug: extra, name: 新版块, units: [hukou], kinds: [question]}\n")
    assert boards.sync(path).boards == 1
    assert make.board("extra").name == "新版块"
    assert make.board("hukou") is not None  # boards missing from the file are never deleted


def test_start_up_stops_on_a_malformed_file(tmp_path):
    """`python app.py` prints the line and the problem and exits non-zero instead of serving."""
    path = _write(tmp_path,
                  GOOD_HEAD + "  - name: 无名\n    units: [hukou]\n    kinds: [question]\n")
    env = {**os.environ, "BOARD_INSTANCE": str(tmp_path / "instance"), "BOARDS_CONFIG": path,
           "BOARD_DEMO": "0", "PORT": "1"}
    env.pop("DATABASE_URL", None)
    proc = subprocess.run([sys.executable, str(ROOT / "app.py")], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "line 5:" in proc.stderr and "missing 'slug'" in proc.stderr
    assert "Traceback" not in proc.stderr
