"""Accounts: citizens, and police staff who appear under their verified real names."""
from __future__ import annotations

import enum
from datetime import datetime

from flask import current_app
from flask_login import AnonymousUserMixin, UserMixin
from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from board.extensions import db
from board.i18n import N_, translate
from board.models.agency import Agency
from board.models.unit import Unit
from board.orm import utcnow


class Role(enum.StrEnum):
    CITIZEN = "citizen"
    OFFICER = "officer"
    LEADER = "leader"
    DISPATCHER = "dispatcher"
    ADMIN = "admin"
    AGENCY = "agency"  # 协作单位 (issue 21, models/agency.py): never police

    @property
    def label(self) -> str:
        return translate(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.CITIZEN: N_("市民"),
    Role.OFFICER: N_("民警"),
    Role.LEADER: N_("领导"),
    Role.DISPATCHER: N_("指挥中心"),
    Role.ADMIN: N_("管理员"),
    Role.AGENCY: N_("协作单位"),
}
POLICE_ROLES = frozenset({Role.OFFICER, Role.LEADER, Role.DISPATCHER, Role.ADMIN})
# Roles whose posts carry the verified badge (real name, badge number, unit).
OFFICIAL_ROLES = frozenset({Role.OFFICER, Role.LEADER, Role.DISPATCHER})


class User(UserMixin, db.Model):
    __tablename__ = "user"

    # Not a column: the sign-in this instance was loaded for (a browser session's key, or
    # TOKEN_PREFIX + a bearer token), set by board/web/login.py and board/services/sessions.py.
    # get_id() puts it in the session and remember-me cookies, so each cookie names one sign-in
    # that the server can end alone (issue 15, item 5).
    session_key = None

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    nickname: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(String(20), default=Role.CITIZEN, index=True)
    real_name: Mapped[str | None] = mapped_column(String(40))
    badge_no: Mapped[str | None] = mapped_column(String(20), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    contact: Mapped[str | None] = mapped_column(String(120))  # leaders' public contact line
    # The partner agency (协作单位) an AGENCY account speaks for (issue 21); None for everyone else.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    disabled: Mapped[bool] = mapped_column(default=False)
    disabled_reason: Mapped[str | None] = mapped_column(String(200))  # an admin's suspension
    # A verified mainland mobile number, 11 digits without +86 (board/phones.py): never public,
    # masked everywhere but to its owner.
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    phone_verified_at: Mapped[datetime | None]
    # Set when someone else chose the password (an admin, `flask users create`, a temporary one
    # issued by an admin): the owner must choose their own before doing anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The privacy notice version this account accepted, and when (PIPL; board/privacy/notice.py).
    privacy_version: Mapped[str | None] = mapped_column(String(20))
    privacy_accepted_at: Mapped[datetime | None]
    # 注销: personal data erased, the row kept so the account's posts keep an author.
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit | None] = relationship(lazy="joined")
    agency: Mapped[Agency | None] = relationship(lazy="joined")

    def set_password(self, password: str) -> None:
        # scrypt (werkzeug's default) is a memory-hard KDF; tests configure a cheaper method.
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """`<user id>:<sign-in key>`; a bare id (no sign-in) is refused by the loader."""
        return f"{self.id}:{self.session_key}" if self.session_key else str(self.id)

    @property
    def is_active(self) -> bool:
        return not self.disabled

    @property
    def is_police(self) -> bool:
        return self.role in POLICE_ROLES

    @property
    def is_official(self) -> bool:
        return self.role in OFFICIAL_ROLES

    @property
    def is_agency(self) -> bool:
        return self.role == Role.AGENCY and self.agency_id is not None

    @property
    def agency_badge(self) -> str | None:
        """「协作单位·XX物业」: what an agency account's replies carry instead of a police badge."""
        return self.agency.badge if self.is_agency and self.agency else None

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @property
    def display_name(self) -> str:
        """Police staff are shown by their real name, citizens by their nickname."""
        return self.real_name if self.is_official and self.real_name else self.nickname

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class SignInThrottle(db.Model):
    """Sign-in throttling per typed name (board/services/lockout.py), kept apart from `user` so
    an unknown name is throttled by the very same rows and statements as a real account: the
    answers cannot tell the two apart."""

    __tablename__ = "sign_in_throttle"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)  # attempts claimed since the last reset
    locked_until: Mapped[datetime | None]  # new clients refused until then
    lockouts: Mapped[int] = mapped_column(default=0)  # locks in a row: each one lasts longer
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Anonymous(AnonymousUserMixin):
    """A reader who is not signed in: the null object the permission rules expect."""

    id = None
    role = None
    is_police = False
    is_official = False
    is_agency = False
    agency_badge = None
    agency_id = None
    unit_id = None
    display_name = "游客"
