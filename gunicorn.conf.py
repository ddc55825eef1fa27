"""gunicorn settings for the board: gevent workers carrying HTTP, WebSocket and long-polling.

    DATABASE_URL=postgresql+psycopg://board@db/board REDIS_URL=redis://127.0.0.1:6379/0 \
      SECRET_KEY=... gunicorn -c gunicorn.conf.py board.wsgi:app

Why gevent: one worker holds thousands of idle WebSockets in greenlets; a threaded worker gives
each connection a thread and (measured with bench/live.py) stops delivering long before 1,000
clients. Needs gunicorn's `gevent` extra (gunicorn[gevent]) and must NOT have gevent-websocket
installed: the plain gevent worker then answers every WebSocket with HTTP 500. WebSockets are
served by simple-websocket through python-engineio's gevent driver.

Several workers (or hosts) share Socket.IO rooms through REDIS_URL; Socket.IO's long-polling
fallback needs sticky sessions, which gunicorn cannot give across its own workers, so run one
worker per port and let nginx pin each client to one of them (deploy/nginx.conf, ip_hash).
"""
import os
import subprocess
import sys
import tempfile

# One port per worker: BOARD_PORTS="8001 8002" starts two single-worker masters via deploy/run.sh;
# a plain `gunicorn -c gunicorn.conf.py board.wsgi:app` serves one worker on BIND.
bind = os.environ.get("BIND", "127.0.0.1:" + os.environ.get("PORT", "8000"))
worker_class = "gevent"
workers = int(os.environ.get("WEB_WORKERS", "1"))  # >1 only behind a sticky balancer per worker
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "10000"))
timeout = 60
graceful_timeout = 20
keepalive = 75
accesslog = os.environ.get("ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Several masters on one host (deploy/run.sh) must not share gunicorn's control socket path.
control_socket = os.environ.get(
    "GUNICORN_CONTROL_SOCKET",
    os.path.join(tempfile.gettempdir(), f"board-gunicorn-{bind.rsplit(':', 1)[-1]}.ctl"))


def on_starting(server):
    """Migrate, sync boards (and seed the demo if BOARD_DEMO=1) once, in a separate process,
    so the master never opens database connections that forked workers would inherit."""
    if os.environ.get("BOARD_SKIP_PREPARE") == "1":
        return
    subprocess.run([sys.executable, "-m", "board.wsgi", "prepare"], check=True)


def post_worker_init(worker):
    """Each worker loads jieba and freezes its start-up heap before its first request."""
    from board.startup import ready_to_serve
    from board.wsgi import app

    ready_to_serve(app)


def child_exit(server, worker):
    """Several workers under one master with PROMETHEUS_MULTIPROC_DIR (board/metrics.py): drop a
    dead worker's live gauges (its Socket.IO connections) from the sum."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
