"""Notices off the page (issue 17): throughput through the outbox, and the reply path's cost
against the number of followers.

    python bench/notices.py                         # SQLite in a temp folder
    python bench/notices.py --notices 400 --gateway-ms 200 --followers 1 100 10000
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/benchdb python bench/notices.py

1. Throughput: N askers each get an official answer; the worker fans the N events out and sends
   the N text messages to a local HTTP gateway that answers after `--gateway-ms` (200 ms, a slow
   operator gateway). Reference, in the same run: the same N POSTs sent straight to the gateway
   with the same concurrency (NOTICE_SEND_CONCURRENCY) and no database: the ceiling the outbox
   can approach.
2. The reply path: the median wall and CPU time of one official reply (the request's service
   call: write, commit, live push, bell) on a thread with 1, 100 and 10,000 followers, and the
   worker's fan-out of that reply (off the request). A reply must cost the same whatever the
   followers: the ratio against 1 follower is the figure.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from board import create_app  # noqa: E402
from board.config import TestConfig  # noqa: E402
from board.extensions import db  # noqa: E402
from board.models import (  # noqa: E402
    Board,
    Notice,
    NoticeSettings,
    NoticeState,
    Role,
    ThreadFollow,
    User,
    utcnow,
)
from board.services import accounts, boards, notice_delivery, posting  # noqa: E402


class SlowGateway:
    def __init__(self, delay: float):
        self.count = 0
        lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(delay)
                with lock:
                    gateway.count += 1
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def make_app(folder: str, url: str | None):
    config = TestConfig(Path(folder), url)
    config.SEARCH_SYNC = False
    app = create_app(config)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        boards.sync(app.config["BOARDS_CONFIG"])
    return app


def bulk_users(n: int, prefix: str, phones: bool = False) -> list[int]:
    now = utcnow()
    hashed = "pbkdf2:sha256:1000$bench$0"  # nobody signs in as these
    rows = [{"username": f"{prefix}{i}", "password_hash": hashed, "nickname": f"居民{i}",
             "role": Role.CITIZEN, "disabled": False, "created_at": now,
             "phone": f"139{i:08d}" if phones else None,
             "phone_verified_at": now if phones else None} for i in range(n)]
    for i in range(0, n, 1000):
        db.session.execute(insert(User), rows[i:i + 1000])
    db.session.commit()
    return list(db.session.scalars(db.select(User.id).where(User.username.like(f"{prefix}%"))
                                   .order_by(User.id)))


def throughput(app, n: int, gateway: SlowGateway) -> dict:
    app.config.update(SMS_BACKEND="http", SMS_HTTP_URL=gateway.url, NOTICE_GRACE_SECONDS=0,
                      NOTICE_QUIET_HOURS="off", BASE_URL="https://board.example.gov.cn")
    with app.app_context():
        officer = accounts.create_user(Role.OFFICER, "bench_officer", "password123",
                                       real_name="王海峰", badge_no="339001", unit_code="hukou")
        ids = bulk_users(n, "asker", phones=True)
        db.session.execute(insert(NoticeSettings), [  # no personal quiet hours in the bench
            {"user_id": i, "sms": True, "email": False, "followed": True,
             "quiet_start": "00:00", "quiet_end": "00:00", "updated_at": utcnow()} for i in ids])
        db.session.commit()
        board = db.session.scalar(db.select(Board).where(Board.slug == "hukou"))
        for user_id in ids:
            asker = db.session.get(User, user_id)
            thread = posting.create_thread(asker, board, "question", f"户口迁移问题{user_id}号",
                                           "请问需要带什么材料?")
            posting.reply(officer, thread, "您好,带户口簿和身份证到派出所办理。")
        start = time.perf_counter()
        while notice_delivery.fan_out_batch():
            pass
        fanned = time.perf_counter()
        while notice_delivery.deliver_batch():
            pass
        elapsed = time.perf_counter() - start
        delivering = time.perf_counter() - fanned
        sent = db.session.scalar(db.select(db.func.count()).select_from(Notice)
                                 .where(Notice.state == NoticeState.SENT))
    workers = app.config["NOTICE_SEND_CONCURRENCY"]
    body = json.dumps({"phone": "13900000000", "text": "x", "template": "t", "params": {}}).encode()

    def post(_):
        request = urllib.request.Request(gateway.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10):
            pass

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(post, range(n)))
    raw = time.perf_counter() - start
    return {"sent": sent, "seconds": elapsed, "per_second": sent / elapsed,
            "fan_seconds": elapsed - delivering, "deliver_seconds": delivering,
            "raw_per_second": n / raw, "concurrency": workers}


def reply_cost(app, followers: list[int], rounds: int) -> list[dict]:
    results = []
    with app.app_context():
        officer = accounts.create_user(Role.OFFICER, "cost_officer", "password123",
                                       real_name="李明", badge_no="339002", unit_code="hukou")
        board = db.session.scalar(db.select(Board).where(Board.slug == "hukou"))
        pool = bulk_users(max(followers), "follower")
        asker = accounts.register_citizen("cost_asker", "password123", "周女士")
        for count in followers:
            thread = posting.create_thread(asker, board, "question", f"{count} 人关注的问题",
                                           "请问怎么办理?")
            now = utcnow()
            for i in range(0, count, 1000):
                db.session.execute(insert(ThreadFollow), [
                    {"thread_id": thread.id, "user_id": u, "same_question": True,
                     "created_at": now} for u in pool[i:min(i + 1000, count)]])
            db.session.commit()
            notice_delivery.settle_history()  # nothing left from earlier sizes
            walls, cpus = [], []
            for r in range(rounds + 1):
                wall, cpu = time.perf_counter(), time.process_time()
                posting.reply(officer, thread, f"您好,第 {r} 次答复。")
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                if r:  # the first is a warm-up
                    walls.append(wall)
                    cpus.append(cpu)
            # The worker's share, off the request: fanning out one of those answers.
            fan = time.perf_counter()
            notice_delivery.fan_out_batch(size=1)
            fan = time.perf_counter() - fan
            notice_delivery.settle_history()
            results.append({"followers": count, "wall_ms": statistics.median(walls) * 1000,
                            "cpu_ms": statistics.median(cpus) * 1000, "fan_out_ms": fan * 1000})
    base = results[0]
    for row in results:
        row["wall_ratio"] = row["wall_ms"] / base["wall_ms"]
        row["cpu_ratio"] = row["cpu_ms"] / base["cpu_ms"]
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notices", type=int, default=300)
    parser.add_argument("--gateway-ms", type=float, default=200)
    parser.add_argument("--followers", type=int, nargs="+", default=[1, 100, 10000])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    import os

    url = os.environ.get("DATABASE_URL")
    gateway = SlowGateway(args.gateway_ms / 1000)
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(folder, url)
        t = throughput(app, args.notices, gateway)
        print(f"fan-out of {t['sent']} answers: {t['fan_seconds']:.2f} s; delivery: "
              f"{t['sent'] / t['deliver_seconds']:.1f} notices/s")
        print(f"outbox → SMS gateway answering in {args.gateway_ms:.0f} ms, "
              f"{t['concurrency']} sends at once: {t['sent']} notices in {t['seconds']:.2f} s = "
              f"{t['per_second']:.1f}/s; the same POSTs straight to the gateway: "
              f"{t['raw_per_second']:.1f}/s; outbox at {t['per_second'] / t['raw_per_second']:.0%}"
              " of that ceiling")
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(folder, url)
        rows = reply_cost(app, args.followers, args.rounds)
    print("| followers | reply wall ms (median) | reply CPU ms | × 1 follower (wall / CPU) |"
          " worker: fan-out of one answer, ms |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(f"| {row['followers']:,} | {row['wall_ms']:.1f} | {row['cpu_ms']:.1f} | "
              f"{row['wall_ratio']:.2f} / {row['cpu_ratio']:.2f} | {row['fan_out_ms']:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
