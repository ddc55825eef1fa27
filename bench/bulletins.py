r"""Issue 21's cost on the board pages: every board's pinned query now also takes the appeals
pinned on every board (an OR with a subquery); and the /bulletins list, uncached and cached.

    python bench/bulletins.py

On the demo data (SQLite, one process, Flask test client): the pinned query as it was and as it
is, the bulletin listing query, then GET /b/qa and /bulletins for an anonymous reader (both pages
in the anonymous page cache). Medians of three rounds, and the ratios measured in the same run.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    from flask_migrate import upgrade

    from board import create_app, demo, lists
    from board.config import TestConfig
    from board.extensions import db
    from board.models import Anonymous, Thread
    from board.queries import bulletins, threads
    from board.services import boards

    app = create_app(TestConfig(Path(tempfile.mkdtemp())))
    app.config["SEARCH_SYNC"] = False
    with app.app_context():
        upgrade()
        boards.sync(app.config["BOARDS_CONFIG"])
        demo.seed()
        board, anon = threads.board_by_slug("qa"), Anonymous()

        def pinned_before():
            stmt = (db.select(Thread).where(Thread.board_id == board.id, Thread.pinned.is_(True))
                    .order_by(*lists.BOARD_PINNED).options(*threads.LIST_OPTIONS))
            return list(db.session.scalars(threads._visible(stmt, anon)))

        calls = {"pinned_before": pinned_before,
                 "pinned_now": lambda: threads.pinned_threads(board, anon),
                 "bulletin_listing": lambda: bulletins.listing(anon, bulletins.Filters())}
        client = app.test_client()
        pages = {path: (lambda p=path: client.get(p)) for path in ("/b/qa", "/bulletins")}
        times: dict[str, list[float]] = {}
        for fn in {**calls, **pages}.values():
            fn()  # warm-up
        for _round in range(3):
            for name, fn in {**calls, **pages}.items():
                n = 300 if name in calls else 50
                start = time.perf_counter()
                for _ in range(n):
                    fn()
                    db.session.expire_all()
                times.setdefault(name, []).append((time.perf_counter() - start) / n * 1e3)
        med = {k: statistics.median(v) for k, v in times.items()}
        for name, ms in med.items():
            print(f"{name:<18} {ms:7.3f} ms")
        print(f"pinned now / before: {med['pinned_now'] / med['pinned_before']:.2f}")
        print(f"/bulletins / /b/qa:  {med['/bulletins'] / med['/b/qa']:.2f}")


if __name__ == "__main__":
    main()
