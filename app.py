"""Start the board: migrate, sync boards, seed demo data on an empty database, then serve.

The demo (accounts with a published password, admin included) is seeded only for the quick
start (the SQLite file under instance/, no SECRET_KEY) or when BOARD_DEMO=1 asks (board/config.py).

`python app.py` is the embedded default: one process, SQLite (WAL) and Whoosh under instance/,
gevent serving HTTP and Socket.IO (WebSocket, with long-polling as the fallback).
"""
from gevent import monkey

monkey.patch_all()

import os  # noqa: E402
import sys  # noqa: E402

from board import create_app  # noqa: E402
from board.extensions import socketio  # noqa: E402
from board.startup import prepare, ready_to_serve  # noqa: E402


def main() -> int:
    os.umask(0o077)  # whatever this process creates (database, search index, photos) is private
    app = create_app()
    try:
        prepare(app, seed_demo=app.config["BOARD_DEMO"], announce=True)
    except Exception as exc:  # a clear line instead of a traceback for config mistakes
        from board.services.boards import BoardsConfigError

        if isinstance(exc, BoardsConfigError):
            print(f"无法启动 (cannot start): {exc}", file=sys.stderr)
            return 2
        raise
    from board import search

    search.start_worker(app)  # the one indexer, as a background task of this server (issue 4)
    from board import sla_tasks

    sla_tasks.start_background(app)  # overdue threads: tell the leaders once (issue 5)
    from board import notices

    notices.start_worker(app)  # SMS and e-mail notices off the page (issue 17)
    ready_to_serve(app)
    host, port = app.config["HOST"], app.config["PORT"]
    print(f" * 鹿城24小时警局 running on http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
    socketio.run(app, host=host, port=port, log_output=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
