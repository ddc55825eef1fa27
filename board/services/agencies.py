"""Partner agencies (协作单位, issue 21): an admin registers an agency and its accounts; the
police invite an agency into a public thread, where its accounts then reply under the badge
「协作单位·XX物业」 — never as the police's answer (board/answers.py, services/posting.py).

An invitation is a public step of the thread (its timeline says 「已邀请协作单位·XX物业」), an
audit entry, and a bell notice to the agency's accounts. A police-only or hidden thread cannot
have one: what an agency may read is what the public may.
"""
from __future__ import annotations

from flask_babel import gettext as _

from board import live, permissions, text
from board.errors import Conflict, NotFound, ValidationFailed
from board.extensions import db
from board.i18n import N_
from board.models import Agency, AgencyInvitation, AgencyKind, Role, Thread, User, utcnow
from board.services import accounts, audit, notifications, status, unique

NAME_MIN, NAME_MAX = 2, 40
INVITED_REASON = "agency_invited"  # the bell's work reason (board/bell_entries.py WORK_TEXT)
INVITED_EVENT = "agency_invited"  # the timeline step's kind
# The step's sentence, stored in Chinese; board/views/timeline_text.py shows it in English.
INVITED_TEXT = N_("已邀请协作单位·{unit}")


def create_agency(actor, name: str, kind: str, contact: str | None = None) -> Agency:
    """A new partner agency (admins only), audited as 登记协作单位."""
    permissions.require(actor, "agency.manage")
    name, contact = text.clean_line(name), text.clean_line(contact) or None
    errors = {}
    if not NAME_MIN <= len(name) <= NAME_MAX:
        errors["name"] = _("请填写单位名称(%(min)s–%(max)s 字)", min=NAME_MIN, max=NAME_MAX)
    if kind not in set(AgencyKind):
        errors["kind"] = _("请选择单位类型")
    if contact and len(contact) > 120:
        errors["contact"] = _("联系方式不能超过 120 个字")
    if errors:
        raise ValidationFailed(fields=errors)
    agency = Agency(name=name, kind=kind, contact=contact, created_at=utcnow())
    db.session.add(agency)

    def taken():
        if db.session.scalar(db.select(Agency.id).where(Agency.name == name)):
            return Conflict(_("该协作单位已存在"), fields={"name": _("该协作单位已存在")},
                            code="agency_taken")
        return None

    unique.commit_unless_taken(taken, lambda: audit.record(
        actor, "agency.create", "agency", agency.id, None,
        {"name": name, "kind": kind, "contact": contact}))
    return agency


def create_account(actor, agency: Agency, username: str, nickname: str) -> tuple[User, str]:
    """An account of the agency, with a temporary password shown once to the admin; its owner
    chooses their own at first sign-in (accounts.create_user audits it as 创建账号)."""
    permissions.require(actor, "agency.manage")
    password = accounts.temporary_password()
    user = accounts.create_user(Role.AGENCY, username, password, nickname=nickname,
                                temporary_password=True, actor=actor, agency_id=agency.id,
                                audit_after={"agency": agency.name})
    return user, password


def get(agency_id: int | None) -> Agency:
    agency = db.session.get(Agency, agency_id) if agency_id and 0 < agency_id < 2**31 else None
    if agency is None:
        raise NotFound(_("协作单位不存在"))
    return agency


def invite(actor, thread: Thread, agency_id: int | None) -> tuple[AgencyInvitation, bool]:
    """Ask an agency into a public thread: (the invitation, whether it is new). Asking again is
    no error and changes nothing."""
    permissions.require(actor, "agency.invite", thread)
    if not thread.is_public:
        raise Conflict(_("仅警方可见或已隐藏的帖子不能邀请协作单位"), code="not_public")
    if not agency_id:
        raise ValidationFailed(fields={"agency_id": _("请选择协作单位")})
    agency = get(agency_id)
    found = db.session.scalar(db.select(AgencyInvitation).where(
        AgencyInvitation.thread_id == thread.id, AgencyInvitation.agency_id == agency.id))
    if found is not None:
        return found, False
    invitation = AgencyInvitation(thread_id=thread.id, agency_id=agency.id,
                                  invited_by_id=actor.id, created_at=utcnow())
    db.session.add(invitation)
    status.add_event(thread, actor, INVITED_EVENT, None, INVITED_TEXT.format(unit=agency.name))

    def taken():  # two officers inviting the same agency at once: the loser's 409
        if db.session.scalar(db.select(AgencyInvitation.id).where(
                AgencyInvitation.thread_id == thread.id,
                AgencyInvitation.agency_id == agency.id)):
            return Conflict(_("该协作单位已被邀请"), code="already_invited")
        return None

    unique.commit_unless_taken(taken, lambda: audit.record(
        actor, "agency.invite", "thread", thread.id, None, {"agency": agency.name}))
    live.thread_updated(thread)
    members = list(db.session.scalars(db.select(User).where(
        User.agency_id == agency.id, User.role == Role.AGENCY, User.disabled.is_(False))))
    notifications.notify_staff(members, thread, actor, INVITED_REASON)
    return invitation, True
