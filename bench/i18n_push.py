"""What rendering each live push in both languages costs (issue 21), against one language.

    python bench/i18n_push.py

A reply and a list row are rendered the way board/live.py publishes them: once (Chinese only,
the reference measured in the same run) and for both audiences (`fragments.in_languages`). The
ratio is the figure to read; absolute times follow the machine's load.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
ROUNDS = 200


def _timed(fn) -> float:
    start = time.perf_counter()
    for _ in range(ROUNDS):
        fn()
    return (time.perf_counter() - start) / ROUNDS * 1000


def main() -> None:
    instance = tempfile.mkdtemp(prefix="bench-i18n-")
    os.environ["BOARD_INSTANCE"] = instance
    os.environ.pop("DATABASE_URL", None)
    from board import create_app, fragments
    from board.startup import prepare

    try:
        app = create_app()
        app.config["SEARCH_SYNC"] = False
        prepare(app, seed_demo=True)
        with app.app_context():
            from board.extensions import db
            from board.models import Post

            post = db.session.scalars(db.select(Post).where(Post.official.is_(True))).first()
            thread = post.thread

            def reply_zh():
                fragments.post_html(post, language="zh")

            def reply_both():
                fragments.in_languages(lambda code: fragments.post_html(post, language=code))

            def rows_zh():
                fragments.public_rows(thread, "zh")

            def rows_both():
                fragments.in_languages(lambda code: fragments.public_rows(thread, code))

            for fn in (reply_zh, reply_both, rows_zh, rows_both):  # warm templates, catalogs
                fn()
            one, both = _timed(reply_zh), _timed(reply_both)
            print(f"reply: zh {one:.2f} ms, zh+en {both:.2f} ms, ratio {both / one:.2f}")
            one, both = _timed(rows_zh), _timed(rows_both)
            print(f"rows:  zh {one:.2f} ms, zh+en {both:.2f} ms, ratio {both / one:.2f}")
            print(f"load average {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
