"""Production entry point: `gunicorn -c gunicorn.conf.py board.wsgi:app` (gevent workers).

Each gunicorn gevent worker monkey-patches itself before importing this module, so create_app()
picks Socket.IO's "gevent" async mode; several workers share rooms through REDIS_URL. Migrations,
the boards sync and the optional demo seed run once, before the workers start
(`python -m board.wsgi prepare`, called by gunicorn.conf.py's on_starting hook), never per worker.
"""
from __future__ import annotations

import os
import sys

from board import create_app
from board.startup import prepare

app = create_app()


def prepare_database() -> None:
    prepare(app, seed_demo=os.environ.get("BOARD_DEMO", "0").lower() in {"1", "true", "yes", "on"})


if __name__ == "__main__":
    if sys.argv[1:] == ["prepare"]:
        prepare_database()
    else:
        sys.exit("usage: python -m board.wsgi prepare")
