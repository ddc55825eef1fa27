"""The one answer to "may this user do this to that?", used by views, API, live rooms and templates.

Rules are small functions keyed by action name. `can()` answers, `require()` raises
PermissionDenied. Anonymous readers are `models.Anonymous` (role None), so rules never need to
special-case "not signed in".
"""
from __future__ import annotations

from typing import Any, Callable

from board.models import Board, Post, Role, Thread, ThreadKind

Rule = Callable[[Any, Any], bool]
_RULES: dict[str, Rule] = {}


def rule(action: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        _RULES[action] = fn
        return fn

    return register


def can(user: Any, action: str, target: Any = None) -> bool:
    if getattr(user, "disabled", False):
        return False
    try:
        check = _RULES[action]
    except KeyError:  # a typo must fail closed, loudly in tests
        raise LookupError(f"unknown permission action {action!r}") from None
    return bool(check(user, target))


def require(user: Any, action: str, target: Any = None) -> None:
    from board.services.errors import PermissionDenied

    if not can(user, action, target):
        raise PermissionDenied()


def _signed_in(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role is not None


def _has_role(user, *roles: Role) -> bool:
    return _signed_in(user) and user.role in roles


def answers_for(user, board: Board) -> bool:
    """Is the user's unit one of the units responsible for answering this board?"""
    return user.unit_id is not None and any(u.id == user.unit_id for u in board.units)


# --- reading -------------------------------------------------------------------------------


@rule("thread.view")
def _view_thread(user, thread: Thread) -> bool:
    if thread.is_public:
        return True
    return _signed_in(user) and (user.is_police or user.id == thread.author_id)


@rule("post.view")
def _view_post(user, post: Post) -> bool:
    if not _view_thread(user, post.thread):
        return False
    return not post.hidden or (_signed_in(user) and (user.is_police or user.id == post.author_id))


@rule("police_only.view")
def _view_police_only(user, _=None) -> bool:
    return _signed_in(user) and user.is_police


# --- writing -------------------------------------------------------------------------------


@rule("thread.create")
def _create_thread(user, board: Board) -> bool:
    return _signed_in(user)


@rule("thread.create_kind")
def _create_kind(user, kind: str) -> bool:
    """Publicity (宣传) is the police's voice; citizens report, ask and ask for help."""
    if kind == ThreadKind.PUBLICITY:
        return _signed_in(user) and user.is_official
    return _signed_in(user)


@rule("post.create")
def _reply(user, thread: Thread) -> bool:
    if not _signed_in(user) or not _view_thread(user, thread):
        return False
    return not thread.locked or user.is_police


@rule("thread.pin")
def _pin(user, thread: Thread) -> bool:
    if _has_role(user, Role.LEADER, Role.ADMIN):
        return True
    return _has_role(user, Role.OFFICER) and answers_for(user, thread.board)


rule("thread.lock")(_pin)


@rule("inbox.view")
def _inbox(user, _=None) -> bool:
    return _has_role(user, Role.OFFICER, Role.LEADER)


@rule("admin.access")
def _admin(user, _=None) -> bool:
    return _has_role(user, Role.ADMIN)


rule("user.manage")(_admin)
