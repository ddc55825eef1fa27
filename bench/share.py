"""Sharing (issue 21): what drawing a card picture or a QR code costs, against serving the same
picture once it is kept under instance/share-cache/ (the reference, measured in the same run).

    python bench/share.py [rounds]
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from board import create_app  # noqa: E402
from board.config import TestConfig  # noqa: E402
from board.extensions import db  # noqa: E402
from board.models import Board  # noqa: E402
from board.services import accounts, boards, posting  # noqa: E402
from board.share import files  # noqa: E402


def timed(fn, rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        fn()
    return (time.perf_counter() - start) / rounds * 1000


def main(rounds: int) -> None:
    app = create_app(TestConfig(Path(tempfile.mkdtemp(prefix="bench-share-"))))
    with app.app_context():
        upgrade()
        boards.sync(app.config["BOARDS_CONFIG"])
        author = accounts.register_citizen("bench_share", "password123", "基准")
        hukou = db.session.scalar(db.select(Board).where(Board.slug == "hukou"))
        ids = [posting.create_thread(author, hukou, "question", f"身份证过期了怎么换领第{n}号?",
                                     "需要带什么材料?").id for n in range(rounds)]
    client = app.test_client()

    def get(path: str) -> None:
        assert client.get(path).status_code == 200, path

    def drawn(path_of):
        pending = iter(ids)
        return lambda: get(path_of(next(pending)))

    cold_card = timed(drawn(lambda i: f"/t/{i}/card.png"), rounds)
    warm_card = timed(lambda: get(f"/t/{ids[0]}/card.png"), rounds)
    with app.app_context():
        for path in files.folder().glob("qr-*"):
            path.unlink()
    cold_qr = timed(drawn(lambda i: f"/t/{i}/qr.png"), rounds)
    warm_qr = timed(lambda: get(f"/t/{ids[0]}/qr.png"), rounds)
    page = timed(lambda: get(f"/t/{ids[0]}"), rounds)
    print(f"rounds {rounds}")
    print(f"card.png drawn {cold_card:.1f} ms, kept {warm_card:.2f} ms: "
          f"{cold_card / warm_card:.0f}x")
    print(f"qr.png   drawn {cold_qr:.1f} ms, kept {warm_qr:.2f} ms: {cold_qr / warm_qr:.1f}x")
    print(f"thread page (anonymous, cached) {page:.2f} ms; card drawn = {cold_card / page:.1f} "
          f"pages")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
