"""Configuration: environment variables with sane defaults, everything under instance/."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("BOARD_INSTANCE", ROOT / "instance"))


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def private_dir(path: Path) -> Path:
    """A folder only the board's user can enter (0700 when created here): the database, the
    secret key, the search index and the photos live under it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def private_file(path: Path) -> Path:
    """Create the file 0600 if missing; an existing one readable by others is tightened to 0600
    (installs from before issue 15 made them 0644)."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return path


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept under instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = private_dir(instance) / "secret_key"
    try:  # O_EXCL: created 0600 from the first byte, and two starting processes agree on one key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        private_file(path)
    else:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path.read_text().strip()


def _quick_start() -> bool:
    """Demo data by default only for the README's quick start: the SQLite file under instance/
    and no SECRET_KEY. A deployment (PostgreSQL, another database, a SECRET_KEY) gets the demo
    accounts, admin included, with their published password only when BOARD_DEMO=1 asks."""
    if os.environ.get("SECRET_KEY") or os.environ.get("FLASK_SECRET_KEY"):
        return False
    url = os.environ.get("DATABASE_URL") or os.environ.get("FLASK_SQLALCHEMY_DATABASE_URI")
    return not url or url == f"sqlite:///{INSTANCE / 'board.db'}"


def _default_search(database_url: str) -> str:
    return "postgres" if database_url.startswith("postgresql") else "whoosh"


class Config:
    """Defaults for the embedded board: one process, SQLite in WAL mode, Whoosh under instance/."""

    def __init__(self) -> None:
        self.INSTANCE_PATH = str(INSTANCE)
        self.SECRET_KEY = _secret_key(INSTANCE)
        # Rotating SECRET_KEY: the previous key(s), comma-separated, still accepted for the
        # cookies signed with them (Flask's SECRET_KEY_FALLBACKS) until they age out.
        self.SECRET_KEY_FALLBACKS = [key.strip() for key in
                                     os.environ.get("SECRET_KEY_FALLBACKS", "").split(",")
                                     if key.strip()]
        self.SQLALCHEMY_DATABASE_URI = os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE / 'board.db'}"
        )
        self.REDIS_URL = os.environ.get("REDIS_URL") or None
        self.HOST = os.environ.get("HOST", "127.0.0.1")
        self.PORT = int(os.environ.get("PORT", "5000"))
        # The site's own address, e.g. https://board.example.gov.cn: pages and links never trust
        # a request's Host; Socket.IO accepts pages of this origin (board/sockets.py).
        self.BASE_URL = os.environ.get("BASE_URL") or None
        # More origins for Socket.IO (comma-separated), for a site with several host names.
        # With neither set, a page must come from the very host it connects to.
        self.SOCKETIO_ALLOWED_ORIGINS = os.environ.get("SOCKETIO_ALLOWED_ORIGINS", "")
        self.BOARD_DEMO = _env_flag("BOARD_DEMO", _quick_start())
        self.BOARDS_CONFIG = os.environ.get("BOARDS_CONFIG", str(ROOT / "boards_config.yaml"))
        self.SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR", str(INSTANCE / "search-index"))
        # Whoosh files under instance/ for the embedded board; on PostgreSQL the database itself
        # (every machine reaches it, none needs the others' disks) unless SEARCH_BACKEND says.
        self.SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND") or _default_search(
            self.SQLALCHEMY_DATABASE_URI)
        self.SEARCH_SYNC = _env_flag("SEARCH_SYNC", False)  # index inside the request (tests)
        # A reply's bell entries right after its commit instead of by the notice worker (tests).
        self.NOTICE_BELLS_SYNC = _env_flag("NOTICE_BELLS_SYNC", False)
        self.UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE / "uploads"))
        # Photos: "disk" (UPLOAD_DIR: one machine, or a folder every machine mounts) or
        # "database" (a table every process reaches: several machines, no shared disk).
        self.PHOTO_STORE = os.environ.get("PHOTO_STORE", "disk")
        # Who may read /metrics: networks, comma-separated (board/views/metrics.py).
        self.METRICS_ALLOW = os.environ.get("METRICS_ALLOW", "127.0.0.0/8,::1/128")
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        if self.SQLALCHEMY_DATABASE_URI.startswith("postgresql"):
            # A database host that stopped answering (not refusing) fails a request and /readyz
            # in seconds instead of the TCP default of minutes.
            self.SQLALCHEMY_ENGINE_OPTIONS["connect_args"] = {"connect_timeout": 10}
        self.JSON_AS_ASCII = False
        self.WTF_CSRF_TIME_LIMIT = None  # a phone may keep a form open for hours
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _env_flag("SESSION_COOKIE_SECURE", False)
        # Reverse proxies to trust per X-Forwarded-* header (board/web/proxy.py); 0: none.
        for header in ("FOR", "PROTO", "HOST", "PORT", "PREFIX"):
            setattr(self, f"PROXY_FIX_X_{header}", _env_int(f"PROXY_FIX_X_{header}", 0))
        # ... and only from these addresses (the proxies'): networks, comma-separated.
        self.PROXY_TRUSTED_FROM = os.environ.get("PROXY_TRUSTED_FROM", "127.0.0.0/8,::1/128")
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        # Up to 9 phone photos per post; non-upload requests are capped at 1 MB in
        # board/web/http.py.
        self.MAX_CONTENT_LENGTH = 64 * 1024 * 1024
        self.PAGE_SIZE = 20
        self.RATELIMIT_ENABLED = True
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_HEADERS_ENABLED = True
        # Redis down must not stop posting: count in memory until it is back (issue 6).
        self.RATELIMIT_SWALLOW_ERRORS = True
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_KEY_PREFIX = "board-rl"
        # Text messages (board/sms.py): "console" writes them to the server log; "http" POSTs
        # {"phone", "text", "template", "params"} to SMS_HTTP_URL (bearer SMS_HTTP_TOKEN if set).
        self.SMS_BACKEND = os.environ.get("SMS_BACKEND", "console")
        self.SMS_HTTP_URL = os.environ.get("SMS_HTTP_URL") or None
        self.SMS_HTTP_TOKEN = os.environ.get("SMS_HTTP_TOKEN") or None
        self.SMS_HTTP_TIMEOUT = float(os.environ.get("SMS_HTTP_TIMEOUT", "10"))
        self.SMS_SIGNATURE = os.environ.get("SMS_SIGNATURE", "【鹿城24小时警局】")
        # Accounts (issue 17). REGISTER_REQUIRES_PHONE (FLASK_REGISTER_REQUIRES_PHONE=true): sign-up
        # needs a verified phone and the privacy notice accepted. ACCOUNT_CONTACT: whom a disabled
        # account, a forgotten password without a phone and the privacy notice point to.
        self.REGISTER_REQUIRES_PHONE = False
        self.ACCOUNT_CONTACT = "鹿城市公安局网上警务室(工作日 8:30–17:30,电话 0472-5116110)"
        # Verification codes sent, per number and per client address (board/services/sms_codes.py)
        self.SMS_CODE_PHONE_LIMITS = "1 per minute;5 per hour;10 per day"
        self.SMS_CODE_CLIENT_LIMITS = "1 per minute;5 per hour;10 per day"
        # E-mail notices over SMTP (board/notices/channels.py); unset MAIL_SERVER: no e-mail.
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
        self.MAIL_PORT = _env_int("MAIL_PORT", 25)
        self.MAIL_USE_TLS = _env_flag("MAIL_USE_TLS", False)
        self.MAIL_USE_SSL = _env_flag("MAIL_USE_SSL", False)
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
        self.MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER") or None
        # Notices off the page (board/notices/policy.py): the grace for an open page to say it
        # received one, how long it may stay unread, the site's quiet hours (Beijing time).
        self.NOTICE_GRACE_SECONDS = float(os.environ.get("NOTICE_GRACE_SECONDS", "30"))
        self.NOTICE_UNREAD_MINUTES = float(os.environ.get("NOTICE_UNREAD_MINUTES", "5"))
        self.NOTICE_QUIET_HOURS = os.environ.get("NOTICE_QUIET_HOURS", "22:00-07:00")
        self.NOTICE_RETRY_SECONDS = float(os.environ.get("NOTICE_RETRY_SECONDS", "30"))
        self.NOTICE_MAX_ATTEMPTS = _env_int("NOTICE_MAX_ATTEMPTS", 20)
        self.NOTICE_SEND_CONCURRENCY = _env_int("NOTICE_SEND_CONCURRENCY", 8)
        # Socket.IO broadcasts written straight to idle WebSockets (board/live_direct.py): on when
        # the pinned library versions are installed; FLASK_LIVE_DIRECT_WRITE=false: the library's
        # own queue and writer only. With it on, a reader more than LIVE_QUEUE_LIMIT packets
        # behind is disconnected (its page reconnects and catches up).
        self.LIVE_DIRECT_WRITE = True
        self.LIVE_QUEUE_LIMIT = 1000
        self.TESTING = False


class TestConfig(Config):
    """Tests: a throwaway database (SQLite file or BOARD_TEST_DATABASE_URL), no rate limits."""

    def __init__(self, tmp_path: Path, database_url: str | None = None) -> None:
        super().__init__()
        self.TESTING = True
        self.SECRET_KEY = "test-secret-key"
        self.INSTANCE_PATH = str(tmp_path)
        self.SQLALCHEMY_DATABASE_URI = database_url or f"sqlite:///{tmp_path / 'test.db'}"
        self.SEARCH_INDEX_DIR = str(tmp_path / "search-index")
        self.SEARCH_SYNC = True  # deterministic: the queue is drained right after each commit
        self.NOTICE_BELLS_SYNC = True  # a reply's bells too (the rest waits for run_worker)
        self.UPLOAD_DIR = str(tmp_path / "uploads")
        self.BOARD_DEMO = False
        self.RATELIMIT_ENABLED = False
        self.REDIS_URL = None
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.SERVER_NAME = "board.test"
        self.WTF_CSRF_ENABLED = False  # tests that prove CSRF turn it back on
        self.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashing for many test users
