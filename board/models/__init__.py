"""The data model; every class is re-exported here."""
from board.orm import utcnow
from board.models.board import Board, board_unit
from board.models.thread import Post, Thread, ThreadKind, ThreadStatus, Visibility
from board.models.unit import Unit
from board.models.user import OFFICIAL_ROLES, POLICE_ROLES, Anonymous, ApiToken, Role, User

__all__ = [
    "Anonymous", "ApiToken", "Board", "OFFICIAL_ROLES", "POLICE_ROLES", "Post", "Role", "Thread",
    "ThreadKind", "ThreadStatus", "Unit", "User", "Visibility", "board_unit", "utcnow",
]
