"""The one answer to "may this user do this to that?", used by views, API, live rooms and templates.

Rules are small functions keyed by action name. `can()` answers, `require()` raises
PermissionDenied. Anonymous readers are `models.Anonymous` (role None), so rules never need to
special-case "not signed in".
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from board.errors import PermissionDenied
from board.models import Board, Post, Role, Thread, agency, editing, kinds, utcnow, workflow

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


@rule("thread.share")
def _share_thread(_user, thread: Thread) -> bool:
    """A link card, card image or QR code (issue 21): what leaves for chats and walls is the same
    for everyone, so only a thread anyone may read, not withdrawn, whoever asks."""
    return thread.is_public and thread.withdrawn_at is None


@rule("police_only.view")
def _view_police_only(user, _=None) -> bool:
    return _signed_in(user) and user.is_police


# --- writing -------------------------------------------------------------------------------


@rule("thread.create")
def _create_thread(user, board: Board) -> bool:
    """Residents and the police; a partner agency (协作单位) only answers where invited."""
    return _signed_in(user) and user.role != Role.AGENCY


@rule("thread.create_kind")
def _create_kind(user, kind: str) -> bool:
    """Who may post a kind is its policy's `posted_by` (models/kinds.py): publicity (宣传) is the
    police's voice, citizens report, ask and ask for help. A kind without a policy: nobody."""
    found = kinds.policy(kind)
    if found is None or not _create_thread(user, None):
        return False
    return found.posted_by == kinds.Poster.ANYONE or user.is_official


@rule("post.create")
def _reply(user, thread: Thread) -> bool:
    if not _signed_in(user) or not _view_thread(user, thread):
        return False
    if user.role == Role.AGENCY and not agency.is_invited(user, thread):
        return False  # a partner agency speaks only in the threads the police asked it into
    return not thread.locked or user.is_police


@rule("post.formal_answer")
def _formal_answer(user, thread: Thread) -> bool:
    """Mark one's reply 「作为正式答复」 (board/answers.py): any official who may reply."""
    return _reply(user, thread) and user.is_official


@rule("thread.follow")
def _follow(user, thread: Thread) -> bool:
    """关注 a thread one may read (issue 17); 同问 is for others than its asker (the service)."""
    return _signed_in(user) and _view_thread(user, thread)


@rule("notices.admin")
def _notices_admin(user, _target=None) -> bool:
    """The notice outbox's page: each notice's state (issue 17)."""
    return _has_role(user, Role.ADMIN)


@rule("thread.pin")
def _pin(user, thread: Thread) -> bool:
    if _has_role(user, Role.LEADER, Role.ADMIN):
        return True
    return _has_role(user, Role.OFFICER) and answers_for(user, thread.board)


rule("thread.lock")(_pin)
rule("thread.unpin")(_pin)
rule("thread.unlock")(_pin)


# --- partner agencies (协作单位, issue 21; models/agency.py) -----------------------------------


@rule("agency.invite")
def _invite_agency(user, thread: Thread | None) -> bool:
    """Ask a partner agency into a thread: the officers who answer or handle it, leaders and
    the command centre. Whether this thread may have one (public only) is the service's 409."""
    return bool(thread_roles(user, thread)
                & {"responsible", "handler", str(Role.LEADER), str(Role.DISPATCHER)})


@rule("agency.worklist")
def _agency_worklist(user, _=None) -> bool:
    """An agency account's own list of the threads its agency was invited to."""
    return _has_role(user, Role.AGENCY) and user.agency_id is not None


@rule("agency.manage")
def _agency_manage(user, _=None) -> bool:
    return _has_role(user, Role.ADMIN)


# --- escalation, dispatch, status, supervision, rating: who may is board/models/workflow.py -


def thread_roles(user, thread: Thread | None) -> frozenset[str]:
    """The parts a user plays on a thread, as named in the workflow's "who" columns. Without a
    thread (may this dispatcher dispatch at all?), only the parts that come with the role."""
    if not _signed_in(user):
        return frozenset()
    roles = set()
    if user.role in (Role.LEADER, Role.DISPATCHER, Role.ADMIN):
        roles.add(str(user.role))
    if thread is None:
        return frozenset(roles)
    if user.id == thread.author_id:
        roles.add("author")
    if user.role == Role.OFFICER and answers_for(user, thread.board):
        roles.add("responsible")
    if (user.role == Role.OFFICER and thread.dispatched_unit_id is not None
            and user.unit_id == thread.dispatched_unit_id):
        roles.add("handler")
    return frozenset(roles)


@rule("thread.set_status")
def _set_status(user, target) -> bool:
    """target = (thread, new_status): may this user make that move in the state table?"""
    thread, to = target
    return bool(workflow.who_may(thread.status, to) & thread_roles(user, thread))


@rule("thread.escalate")
def _escalate(user, thread: Thread | None) -> bool:
    return bool(workflow.who_via("escalate") & thread_roles(user, thread))


@rule("thread.dispatch")
def _dispatch(user, thread: Thread | None) -> bool:
    return bool(workflow.who_via("dispatch") & thread_roles(user, thread))


@rule("thread.supervise")
def _supervise(user, thread: Thread | None) -> bool:
    """Whoever may supervise at all; whether this thread still may be is the service's 409."""
    return bool(workflow.SUPERVISE.who & thread_roles(user, thread))


@rule("thread.rate")
def _rate(user, thread: Thread) -> bool:
    """Only the asker rates how their matter was handled (when: workflow.RATEABLE, else 409)."""
    return bool(workflow.RATE.who & thread_roles(user, thread))


@rule("thread.contact_author")
def _contact_author(user, thread: Thread) -> bool:
    """联系发帖人 (issue 17): the officers who answer or handle the thread, the command centre and
    leaders see the asker's verified phone; never the asker, other citizens or admins."""
    roles = thread_roles(user, thread)
    return (bool(roles & {"responsible", "handler", str(Role.LEADER), str(Role.DISPATCHER)})
            and user.id != thread.author_id)


@rule("thread.internal_notes")
def _internal_notes(user, _=None) -> bool:
    return _signed_in(user) and user.is_police


@rule("command.view")
def _command(user, _=None) -> bool:
    return _has_role(user, Role.DISPATCHER, Role.LEADER, Role.ADMIN)


@rule("dashboard.view")
def _dashboard(user, _=None) -> bool:
    return _has_role(user, Role.LEADER, Role.ADMIN)


rule("audit.view")(_dashboard)


@rule("reply_template.use")
def _templates(user, _=None) -> bool:
    return _has_role(user, Role.OFFICER, Role.LEADER, Role.DISPATCHER) and user.unit_id is not None


rule("reply_template.manage")(_templates)


@rule("inbox.view")
def _inbox(user, _=None) -> bool:
    return _has_role(user, Role.OFFICER, Role.LEADER)


@rule("admin.access")
def _admin(user, _=None) -> bool:
    return _has_role(user, Role.ADMIN)


rule("user.manage")(_admin)


# --- trust: reports, hiding, photos, suspensions (issue 6) ----------------------------------


def _view_target(user, target) -> bool:
    return _view_post(user, target) if isinstance(target, Post) else _view_thread(user, target)


@rule("content.report")
def _report(user, target) -> bool:
    """Any signed-in reader may report what they can see, except their own posts."""
    return (_signed_in(user) and _view_target(user, target) and user.role != Role.AGENCY
            and user.id != target.author_id and not user.is_police)


@rule("content.hide")
def _hide(user, target) -> bool:
    """Hide or show again a thread or reply: officers on the boards their unit answers, leaders
    and admins on every board (issue 15, item 18)."""
    if _has_role(user, Role.LEADER, Role.ADMIN):
        return True
    thread = target.thread if isinstance(target, Post) else target
    return (_has_role(user, Role.OFFICER) and isinstance(thread, Thread)
            and answers_for(user, thread.board))


# --- the author's own posts: edit, withdraw, history (issue 18; when: models/editing.py) ----


def _thread_of(target) -> Thread:
    return target.thread if isinstance(target, Post) else target


def owns(user, target) -> bool:
    """A resident's own thread or reply. Officers' replies stand as given (models/editing.py)."""
    return (_signed_in(user) and not user.is_police and target is not None
            and user.id == target.author_id and _view_target(user, target))


@rule("content.edit")
def _edit(user, target) -> bool:
    """Within the window and before an officer answers; the refusal's words are the policy's."""
    return owns(user, target) and editing.edit_closed_reason(
        target, _thread_of(target), utcnow()) is None


@rule("content.withdraw")
def _withdraw(user, target) -> bool:
    """At any time, once."""
    return owns(user, target) and target.withdrawn_at is None


@rule("content.history")
def _history(user, target) -> bool:
    """Earlier versions (also what a withdrawal replaced): the police and the author."""
    if not _view_target(user, target):
        return False
    return _signed_in(user) and (user.is_police or user.id == target.author_id)


@rule("review.view")
def _review(user, _=None) -> bool:
    return _has_role(user, Role.OFFICER, Role.LEADER, Role.ADMIN)


@rule("attachment.add")
def _attach(user, target) -> bool:
    """Photos go with one's own thread or reply."""
    return _signed_in(user) and user.id == target.author_id


@rule("user.suspend")
def _suspend(user, target) -> bool:
    return _has_role(user, Role.ADMIN) and target is not None and target.id != user.id


# --- alerts (预警, issue 21) -----------------------------------------------------------------


@rule("alert.publish")
def _publish_alert(user, _=None) -> bool:
    """Officers of a unit and leaders publish in their unit's name."""
    return _has_role(user, Role.OFFICER, Role.LEADER) and user.unit_id is not None


@rule("alert.manage")
def _manage_alert(user, alert=None) -> bool:
    """Withdraw one and see who read it: leaders any alert, officers their own unit's."""
    if not _publish_alert(user):
        return False
    return alert is None or user.role == Role.LEADER or alert.unit_id == user.unit_id


@rule("alert.acknowledge")
def _acknowledge_alert(user, _=None) -> bool:
    """「我知道了」 is kept per signed-in reader (anonymous readers keep it in the browser)."""
    return _signed_in(user)


rule("alert.follow")(_acknowledge_alert)
# --- lost-and-found and missing-person bulletins (issue 21, board/services/bulletins.py) ----


def _station_police(user, bulletin) -> bool:
    """The police of the station holding the item or handling the case; leaders and admins."""
    if _has_role(user, Role.LEADER, Role.ADMIN):
        return True
    return (_has_role(user, Role.OFFICER) and bulletin is not None
            and user.unit_id == bulletin.unit_id)


rule("bulletin.manage")(_station_police)  # close, pin everywhere, read and answer the messages
rule("bulletin.approve")(_station_police)  # publish a resident's missing-person appeal


@rule("bulletin.withdraw")
def _withdraw_bulletin(user, bulletin) -> bool:
    """撤销: the station, or the resident who filed it (their item turned up)."""
    return _station_police(user, bulletin) or (
        _signed_in(user) and bulletin is not None and user.id == bulletin.thread.author_id)


@rule("bulletin.message")
def _message_bulletin(user, bulletin) -> bool:
    """「这是我的」/「我见过此人」: a resident who can read the open notice, not its author, writes
    privately to the station; the police follow up instead of writing to themselves, and a
    partner agency (协作单位) is an organisation, not a resident with a claim."""
    return (_signed_in(user) and not user.is_police and not user.is_agency
            and bulletin is not None
            and bulletin.is_open and user.id != bulletin.thread.author_id
            and _view_thread(user, bulletin.thread))


@rule("bulletin_message.view")
def _view_bulletin_message(user, message) -> bool:
    """A private message: its sender and the station's police, nobody else (not the notice's
    author, not other police units)."""
    return _signed_in(user) and (user.id == message.sender_id
                                 or _station_police(user, message.bulletin))


@rule("bulletin.photos")
def _bulletin_photos(user, bulletin) -> bool:
    """Once a missing person is found the photos leave public view; the police keep them."""
    return (bulletin is None or bulletin.photos_public
            or (_signed_in(user) and (user.is_police or user.id == bulletin.thread.author_id)))
