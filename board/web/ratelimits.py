"""Rate limits on sign-up, sign-in, threads, replies and photos (Flask-Limiter), with Chinese 429s.

Defaults follow mature forums: a brand-new account may open only a few threads on its first day,
the police answering all day are not limited on posting. Every limit is a config value
(FLASK_RATELIMIT_THREAD="5 per hour" at deploy time); storage is Redis when REDIS_URL is set
(RATELIMIT_STORAGE_URI), with an in-memory fallback so a Redis outage never stops posting.
"""
from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import RateLimitItem, parse_many

from board.extensions import limiter
from board.i18n import N_, translate
from board.models import utcnow
from board.web.errors import error_response, wants_json
from board.web.templating import beijing

log = logging.getLogger(__name__)

DEFAULTS = {
    "RATELIMIT_SIGNUP": "5 per hour;20 per day",
    "RATELIMIT_SIGNIN": "10 per minute;60 per hour",
    "RATELIMIT_THREAD": "10 per hour;30 per day",
    "RATELIMIT_THREAD_NEW_ACCOUNT": "3 per day",
    "RATELIMIT_REPLY": "10 per minute;200 per day",
    "RATELIMIT_PHOTOS": "10 per minute;60 per hour",  # each request decodes up to 9 images
    "RATELIMIT_NEW_ACCOUNT_HOURS": 24,
}

MESSAGES = {  # N_: translated when the refusal is shown (too_many), issue 21
    "signup": N_("注册太频繁,请一小时后再试"),
    "signin": N_("登录尝试太频繁,请稍后再试"),
    "thread": N_("发帖太频繁,请稍后再试"),
    "thread_new": N_("新注册账号第一天最多发 %(n)s 个帖子,请明天再来;紧急情况请拨打110"),
    "reply": N_("回复太频繁,请稍后再试"),
    "photos": N_("上传图片太频繁,请稍后再试"),
}


def _cfg(key: str):
    return current_app.config.get(key, DEFAULTS[key])


def _user_key() -> str:
    """Signed-in writers are counted per account, everyone else per address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{get_remote_address()}"


def is_new_account(user=None) -> bool:
    user = user or current_user
    created = getattr(user, "created_at", None)
    if not getattr(user, "is_authenticated", False) or created is None:
        return False
    return utcnow() - created < timedelta(hours=int(_cfg("RATELIMIT_NEW_ACCOUNT_HOURS")))


def _thread_limit() -> str:
    return _cfg("RATELIMIT_THREAD_NEW_ACCOUNT") if is_new_account() else _cfg("RATELIMIT_THREAD")


def _thread_message() -> str:
    if is_new_account():
        amount = str(_cfg("RATELIMIT_THREAD_NEW_ACCOUNT")).split()[0]
        return _(MESSAGES["thread_new"], n=amount)
    return _(MESSAGES["thread"])


def _police() -> bool:
    return bool(getattr(current_user, "is_police", False))


def _accepted(response) -> bool:
    """Posting limits count what was posted: a submission refused for its content (a title too
    short, 400) or by the limit itself costs none of the day's allowance (issue 18)."""
    return response.status_code < 400


# Created once: Flask-Limiter keys decorated limits by the view's name, so every app created in
# the same process (tests) must reuse the same objects instead of piling up duplicates.
_LIMITS = {
    # shared_limit: the page and the API endpoint of the same action count together.
    "signup": limiter.shared_limit(lambda: _cfg("RATELIMIT_SIGNUP"), "signup", methods=["POST"],
                                   key_func=get_remote_address, error_message=MESSAGES["signup"]),
    "signin": limiter.shared_limit(lambda: _cfg("RATELIMIT_SIGNIN"), "signin", methods=["POST"],
                                   key_func=get_remote_address, error_message=MESSAGES["signin"]),
    "thread": limiter.shared_limit(_thread_limit, "thread", methods=["POST"], key_func=_user_key,
                                   error_message=_thread_message, exempt_when=_police,
                                   deduct_when=_accepted),
    "reply": limiter.shared_limit(lambda: _cfg("RATELIMIT_REPLY"), "reply", methods=["POST"],
                                  key_func=_user_key, error_message=MESSAGES["reply"],
                                  exempt_when=_police, deduct_when=_accepted),
    # Police too: decoding photos costs the same whoever sends them.
    "photos": limiter.shared_limit(lambda: _cfg("RATELIMIT_PHOTOS"), "photos", methods=["POST"],
                                   key_func=_user_key, error_message=MESSAGES["photos"]),
}

ENDPOINTS = {
    "auth.register": "signup", "api.register": "signup",
    "auth.login": "signin", "api.token": "signin",
    # issue 17: what checks a password or a code counts as signing in
    "account.forgot_password": "signin", "api.reset_password": "signin",
    "account.change_password": "signin", "api.change_password": "signin",
    "account.close": "signin", "api.close_account": "signin",
    "threads.new": "thread", "api.create_thread": "thread",
    "threads.reply": "reply", "api.reply": "reply",
    "api.attach": "photos",
    # issue 21: a notice counts as a thread, a private claim or sighting as a reply
    "bulletins.new": "thread", "api.bulletins_create": "thread",
    "bulletins.messages": "reply", "api.bulletins_message": "reply",
}


# --- what is left: shown on the forms before typing (issue 18) ------------------------------

_LIMIT_STRINGS = {"thread": _thread_limit, "reply": lambda: _cfg("RATELIMIT_REPLY")}
_WINDOWS = {"day": N_("今天"), "hour": N_("这一小时内"), "minute": N_("这一分钟内")}
# (still allowed, in all, used up): one sentence each per kind, so English can say it its way.
_SENTENCES = {
    "thread": (N_("%(window)s还可以发 %(n)s 帖"), N_(",%(window)s共还可以发 %(n)s 帖"),
               N_("%(window)s的 %(n)s 帖已用完,北京时间 %(when)s 后可以再发")),
    "reply": (N_("%(window)s还可以回复 %(n)s 条"), N_(",%(window)s共还可以回复 %(n)s 条"),
              N_("%(window)s的 %(n)s 条已用完,北京时间 %(when)s 后可以再回复")),
}
NEARLY_USED = 2  # a shorter window (this hour, this minute) is named when this few are left


@dataclasses.dataclass(frozen=True, slots=True)
class Allowance:
    """The tightest of a posting limit's windows for the signed-in resident, right now."""
    kind: str  # "thread" | "reply"
    remaining: int
    amount: int
    granularity: str  # "day", "hour", "minute", …
    reset_at: datetime
    longer: Allowance | None = None  # the longest window, when this tighter one is shorter

    @property
    def sentence(self) -> str:
        """「今天还可以发 2 帖」, or when it is used up, when it comes back."""
        left, in_all, used_up = _SENTENCES[self.kind]
        window = translate(_WINDOWS.get(self.granularity, N_("目前")))
        if self.remaining > 0:
            more = ""
            if self.longer is not None:
                more = _(in_all, window=translate(_WINDOWS.get(self.longer.granularity, "")),
                         n=self.longer.remaining)
            return _(left, window=window, n=self.remaining) + more
        return _(used_up, window=window, n=self.amount, when=beijing(self.reset_at))


def _storage_args(kind: str) -> list[str]:
    """The arguments Flask-Limiter counts a shared limit under: [prefix,] who, the scope."""
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    return [*([prefix] if prefix else []), _user_key(), kind]


def _window(item: RateLimitItem, kind: str) -> tuple[int, datetime]:
    stats = limiter.limiter.get_window_stats(item, *_storage_args(kind))
    return max(0, stats.remaining), datetime.fromtimestamp(stats.reset_time, UTC)


def allowance(kind: str) -> Allowance | None:
    """What the signed-in user may still post, from the same counters the limit refuses by.
    None: no limit applies to them (police, limits off, not signed in) or the counters cannot
    be read right now (the form is shown without the line, and posting still works)."""
    if (not current_app.config.get("RATELIMIT_ENABLED", True) or _police()
            or not current_user.is_authenticated):
        return None
    try:
        found = []
        for item in parse_many(str(_LIMIT_STRINGS[kind]())):
            remaining, reset_at = _window(item, kind)
            found.append((item.get_expiry(), Allowance(kind, remaining, item.amount,
                                                       item.GRANULARITY.name, reset_at)))
    except Exception:  # the storage is down: never stop the form for a hint
        log.warning("could not read the %s allowance", kind, exc_info=True)
        return None
    if not found:
        return None
    found.sort(key=lambda pair: pair[0])
    windows = [a for _, a in found]
    used_up = [a for a in windows if a.remaining == 0]
    if used_up:  # the one that comes back last is the one that keeps them waiting
        return max(used_up, key=lambda a: a.reset_at)
    longest = windows[-1]  # 「今天还可以发 30 帖」; a shorter window only when it is nearly used
    close = [a for a in windows[:-1]
             if a.remaining <= NEARLY_USED and a.remaining < longest.remaining]
    if close:
        return dataclasses.replace(min(close, key=lambda a: a.remaining), longer=longest)
    return longest


# --- refusals: the text stays (issue 18) ------------------------------------------------------

# endpoint → a function that renders that page's form again, with what was typed and the reason.
_FORM_KEEPERS: dict[str, Callable[[str], object]] = {}


def keeps_form(endpoint: str) -> Callable:
    """Register the view code that shows `endpoint`'s form again when its limit refuses a
    submission: the resident sees their text and why, instead of an error page."""
    def register(fn: Callable[[str], object]) -> Callable[[str], object]:
        _FORM_KEEPERS[endpoint] = fn
        return fn
    return register


def _refusal_details() -> tuple[str, dict]:
    """When it comes back, in words and for the API's `fields` (the limit that refused)."""
    breached = limiter.current_limit
    if breached is None:
        return "", {}
    reset_at = datetime.fromtimestamp(breached.reset_at, UTC)
    retry_after = max(0, int(breached.reset_at - utcnow().timestamp()))
    fields = {"limit": str(breached.limit), "remaining": 0,
              "reset_at": reset_at.isoformat().replace("+00:00", "Z"), "retry_after": retry_after}
    return _("(北京时间 %(when)s 后可以再试)", when=beijing(reset_at)), fields


def too_many(exc: RateLimitExceeded):
    """429 with the limit's Chinese message and when it resets: the error shape in the API; in
    the browser the same form again with everything typed, or an error page."""
    message = translate(exc.description) or _("您的操作太频繁,请稍后再试。")
    try:
        when, fields = _refusal_details()
    except Exception:  # the storage went away in between: the message alone
        when, fields = "", {}
    if wants_json():
        return error_response(429, message + when, fields=fields, code="rate_limited")
    keeper = _FORM_KEEPERS.get(request.endpoint or "")
    if keeper is not None and current_user.is_authenticated:
        return current_app.make_response(keeper(message + when)), 429
    page = render_template("errors/error.html", status=429, title=_("操作太频繁"),
                           message=message + when)
    return current_app.make_response((page, 429)), 429


def init_app(app: Flask) -> None:
    """Wrap the write endpoints (call after the blueprints are registered)."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    for endpoint, kind in ENDPOINTS.items():
        view = app.view_functions.get(endpoint)
        if view is not None and not getattr(view, "_board_rate_limited", False):
            wrapped = _LIMITS[kind](view)
            wrapped._board_rate_limited = True
            app.view_functions[endpoint] = wrapped
    app.register_error_handler(RateLimitExceeded, too_many)
