"""Sign-ins kept on the server: browser sessions and API bearer tokens.

Why rows and not only signed cookies: a signed cookie stays valid for as long as the secret key
does, so sign-out could only ask the browser to forget it, and a copy kept elsewhere (a shared
computer, a stolen phone, a leaked backup) went on working. Each sign-in is now a row with an
expiry; the cookie or token only names it (by a hash), and ending the row ends every copy:
sign-out ends one, a password change or a suspension ends all (issue 15, item 5).

Lifetimes (config): `REMEMBER_COOKIE_DURATION` for a remembered browser (as its cookie),
`SESSION_IDLE_HOURS` of inactivity for one that is not, `API_TOKEN_DAYS` for a bearer token
(renewed through `refresh_token` before it runs out).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from board.errors import NotAuthenticated, NotFound
from board.extensions import db
from board.i18n import N_
from board.models import ApiToken, User, UserSession, utcnow
from board.models.credentials import digest, new_secret

TOKEN_PREFIX = "t."  # a session key naming a bearer token (a token-authenticated socket)
KEEP_ENDED = timedelta(days=7)  # ended rows kept this long, then pruned at the next sign-in
TOUCH_EVERY = timedelta(minutes=5)  # last-seen times are this coarse: reading rarely writes
DEFAULT_IDLE_HOURS = 12
DEFAULT_REMEMBER_DAYS = 30
DEFAULT_TOKEN_DAYS = 30
AGENT_MAX = 120
ID_MAX = 2**31 - 1  # an integer column: a larger id from a URL is simply not found


class TokenRefused(NotAuthenticated):
    """A bearer token that no longer works: the app should sign in again."""

    code = "token_invalid"
    message = N_("登录凭证无效或已注销,请重新登录")


class TokenExpired(TokenRefused):
    code = "token_expired"
    message = N_("登录已过期,请重新登录")


# --- browser sessions ---------------------------------------------------------------------


def _lifetime(remember: bool) -> timedelta:
    if remember:
        duration = current_app.config.get("REMEMBER_COOKIE_DURATION",
                                          timedelta(days=DEFAULT_REMEMBER_DAYS))
        return duration if isinstance(duration, timedelta) else timedelta(seconds=duration)
    return timedelta(hours=current_app.config.get("SESSION_IDLE_HOURS", DEFAULT_IDLE_HOURS))


def _agent(header: str | None) -> str | None:
    """A short printable summary of the browser (a NUL byte would fail on PostgreSQL)."""
    return "".join(c for c in header or "" if c.isprintable())[:AGENT_MAX].strip() or None


def start(user: User, remember: bool, user_agent: str | None = None) -> str:
    """A new sign-in for `user`: its key, fresh every time (so is the remember-me cookie)."""
    key = new_secret()
    now = utcnow()
    _prune(UserSession, user, now)
    db.session.add(UserSession(user=user, key_hash=digest(key), remember=remember,
                               user_agent=_agent(user_agent),
                               created_at=now, last_seen_at=now,
                               expires_at=now + _lifetime(remember)))
    db.session.commit()
    user.session_key = key
    return key


def session_user(key: str) -> User | None:
    """The user of an open sign-in, or None (ended, expired, unknown, or account disabled)."""
    row = db.session.scalar(db.select(UserSession).where(UserSession.key_hash == digest(key)))
    now = utcnow()
    if row is None or not row.open_at(now) or row.user.disabled:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        if not row.remember:  # idle timeout: activity keeps it open
            row.expires_at = now + _lifetime(False)
        db.session.commit()
    user = row.user
    user.session_key = key
    return user


def remembered(key: str | None) -> bool:
    """Was this browser sign-in made with 记住我? (A new one after a password change keeps it.)"""
    if not key or key.startswith(TOKEN_PREFIX):
        return False
    return bool(db.session.scalar(db.select(UserSession.remember)
                                  .where(UserSession.key_hash == digest(key))))


def end(key: str) -> None:
    """Sign-out: this sign-in's cookies stop working everywhere, copies included."""
    db.session.execute(db.update(UserSession)
                       .where(UserSession.key_hash == digest(key),
                              UserSession.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))
    db.session.commit()


def _prune(model, user: User, now: datetime) -> None:
    """Forget a user's sign-ins that ended a while ago: rows grow with sign-ins, not forever."""
    cutoff = now - KEEP_ENDED
    db.session.execute(db.delete(model)
                       .where(model.user_id == user.id,
                              db.or_(model.expires_at < cutoff, model.revoked_at < cutoff))
                       .execution_options(synchronize_session=False))


def revoke_all(user: User) -> None:
    """End every browser sign-in and bearer token of `user`; the caller commits."""
    now = utcnow()
    for model in (UserSession, ApiToken):
        db.session.execute(db.update(model)
                           .where(model.user_id == user.id, model.revoked_at.is_(None))
                           .values(revoked_at=now)
                           .execution_options(synchronize_session=False))


def forget_all(user: User) -> None:
    """Delete every sign-in row of `user` (a closed account: their browsers and devices are
    personal data too); the caller commits. Deleting ends them as revoking would."""
    for model in (UserSession, ApiToken):
        db.session.execute(db.delete(model).where(model.user_id == user.id)
                           .execution_options(synchronize_session=False))


# --- bearer tokens ------------------------------------------------------------------------


def _token_expiry(now: datetime) -> datetime:
    return now + timedelta(days=current_app.config.get("API_TOKEN_DAYS", DEFAULT_TOKEN_DAYS))


def issue_token(user: User) -> tuple[ApiToken, str]:
    """A new token (the raw value is shown once, only its hash is kept)."""
    _prune(ApiToken, user, utcnow())
    token, raw = ApiToken.issue(user, _token_expiry(utcnow()))
    db.session.add(token)
    db.session.commit()
    return token, raw


def open_token(raw: str) -> ApiToken:
    """The token row behind `raw` while it works; else TokenExpired or TokenRefused."""
    token = db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == digest(raw)))
    now = utcnow()
    if token is None or token.revoked_at is not None or token.user.disabled:
        raise TokenRefused()
    if not token.open_at(now):
        raise TokenExpired()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        token.last_used_at = now
        db.session.commit()
    token.user.session_key = TOKEN_PREFIX + raw
    return token


def user_for_token(raw: str) -> User | None:
    try:
        return open_token(raw).user
    except TokenRefused:
        return None


def tokens_of(user: User) -> list[ApiToken]:
    """The owner's tokens that still work, newest first."""
    now = utcnow()
    rows = db.session.scalars(db.select(ApiToken)
                              .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                              .order_by(ApiToken.id.desc())).all()
    return [t for t in rows if t.open_at(now)]


def revoke_token(user: User, token_id: int) -> None:
    """The owner ends one of their tokens; anyone else's (or an ended one) is not found."""
    token = db.session.get(ApiToken, token_id) if 0 < token_id <= ID_MAX else None
    if token is None or token.user_id != user.id or not token.open_at(utcnow()):
        raise NotFound("登录凭证不存在或已失效")
    token.revoked_at = utcnow()
    db.session.commit()


def refresh_token(raw: str) -> tuple[ApiToken, str]:
    """A working token buys a new one with a full lifetime; the old one ends at once.

    The old one is ended by a guarded UPDATE, so two refreshes racing with one token get one
    new token between them, not two.
    """
    old = open_token(raw)
    ended = db.session.execute(db.update(ApiToken)
                               .where(ApiToken.id == old.id, ApiToken.revoked_at.is_(None))
                               .values(revoked_at=utcnow())
                               .execution_options(synchronize_session=False)).rowcount
    if not ended:
        db.session.rollback()
        raise TokenRefused()
    return issue_token(old.user)
