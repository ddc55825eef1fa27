#!/usr/bin/env bash
# Several board processes on PostgreSQL + Redis: migrate once, then N single-worker gunicorn
# gevent processes on 127.0.0.1:BASE_PORT.. that share Socket.IO rooms through REDIS_URL.
# Put deploy/nginx.conf in front (sticky by client IP, WebSocket upgrade).
#   DATABASE_URL=postgresql+psycopg://board@127.0.0.1/board REDIS_URL=redis://127.0.0.1:6379/0 \
#   SECRET_KEY=change-me deploy/run.sh 4
set -euo pipefail
count=${1:-$(nproc)}
base=${BASE_PORT:-8001}
: "${DATABASE_URL:?set DATABASE_URL, e.g. postgresql+psycopg://board@127.0.0.1/board}"
: "${REDIS_URL:?set REDIS_URL, e.g. redis://127.0.0.1:6379/0}"
: "${SECRET_KEY:?set SECRET_KEY (the same for every process)}"
cd "$(dirname "$0")/.."
# Behind deploy/nginx.conf (the processes listen on 127.0.0.1 only, so only nginx reaches them):
# trust its one hop for the client's address, scheme and host (board/web/proxy.py).
export PROXY_FIX_X_FOR="${PROXY_FIX_X_FOR:-1}" PROXY_FIX_X_PROTO="${PROXY_FIX_X_PROTO:-1}"
export PROXY_FIX_X_HOST="${PROXY_FIX_X_HOST:-1}"
umask 077  # the photos, the search index and any SQLite file: readable by this user only
python -m board.wsgi prepare
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' INT TERM EXIT
# The search indexer: drains the search-job queue the web processes write (same transaction as
# each post), for either backend.
FLASK_APP=board:create_app flask search worker &
pids+=("$!")
# The overdue check every minute. Both workers hold a lease in the database (board/leases.py):
# start them on every machine, one works at a time (deploy/systemd/ has the units).
FLASK_APP=board:create_app flask sla worker &
pids+=("$!")
# The dashboard's per-day figures: rebuilds the days a change made stale (issue 20); run
# `flask stats rebuild` once after upgrading a large database.
FLASK_APP=board:create_app flask stats worker &
pids+=("$!")
# The notice worker: fans out the notice outbox (same transaction as each answer) and sends
# the SMS and e-mail notices, with retries (issue 17); the same lease rule as the two above.
FLASK_APP=board:create_app flask notices worker &
pids+=("$!")
for ((i = 0; i < count; i++)); do
  BOARD_SKIP_PREPARE=1 BIND="127.0.0.1:$((base + i))" gunicorn -c gunicorn.conf.py board.wsgi:app &
  pids+=("$!")
done
wait -n  # one process died: stop the rest, so a supervisor (systemd) restarts the whole set
