"""Partner agencies (协作单位, issue 21), read side: the admin's list, a thread's invited
agencies, and an agency account's work list (the threads its agency was invited to)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists

from board.extensions import db
from board.models import Agency, AgencyInvitation, Post, Role, Thread, User, Visibility
from board.queries.threads import LIST_OPTIONS

WORKLIST_LIMIT = 100


def choices() -> list[Agency]:
    """Every agency by name: what the police may invite (no account counts needed)."""
    return list(db.session.scalars(db.select(Agency).order_by(Agency.name)))


def all_agencies() -> list[tuple[Agency, int]]:
    """Every agency with its number of accounts, by name."""
    accounts = (db.select(db.func.count(User.id))
                .where(User.agency_id == Agency.id, User.role == Role.AGENCY)
                .scalar_subquery())
    return [(agency, count) for agency, count in
            db.session.execute(db.select(Agency, accounts).order_by(Agency.name))]


def accounts_of(agency: Agency) -> list[User]:
    return list(db.session.scalars(db.select(User).where(
        User.agency_id == agency.id, User.role == Role.AGENCY).order_by(User.id)))


def invited(thread: Thread) -> list[Agency]:
    """The agencies invited to a thread, in the order they were asked."""
    return list(db.session.scalars(
        db.select(Agency).join(AgencyInvitation, AgencyInvitation.agency_id == Agency.id)
        .where(AgencyInvitation.thread_id == thread.id).order_by(AgencyInvitation.id)))


@dataclass
class WorkItem:
    thread: Thread
    invited_at: datetime
    replied: bool  # has anyone of the agency replied in it yet?


def worklist(user: User, limit: int = WORKLIST_LIMIT) -> list[WorkItem]:
    """The threads the user's agency was invited to and the public may still read, newest
    invitation first, each with whether the agency has replied."""
    if user.agency_id is None:
        return []
    replied = exists().where(Post.thread_id == Thread.id, Post.hidden.is_(False),
                             Post.author_id.in_(db.select(User.id).where(
                                 User.agency_id == user.agency_id)))
    stmt = (db.select(Thread, AgencyInvitation.created_at, replied)
            .join(AgencyInvitation, AgencyInvitation.thread_id == Thread.id)
            .where(AgencyInvitation.agency_id == user.agency_id,
                   Thread.visibility == Visibility.PUBLIC, Thread.hidden.is_(False),
                   Thread.withdrawn_at.is_(None))
            .order_by(AgencyInvitation.id.desc()).limit(limit).options(*LIST_OPTIONS))
    return [WorkItem(thread, at, bool(done)) for thread, at, done in db.session.execute(stmt)]
