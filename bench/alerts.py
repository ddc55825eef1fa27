"""预警 (issue 21): publishing an alert costs the officer's request the same whatever the
audience; the notice worker does the fan-out, chunk by chunk.

    python bench/alerts.py                              # SQLite in a temp folder
    python bench/alerts.py --residents 10 10000 --rounds 9

For each size N, N residents follow 东河区; the median wall and CPU time of `publish_alert` to
the district (write, audit entry, commit) is measured over `--rounds`, against the smallest N
in the same run (the ratio is the figure); then the worker's fan-out of one of those alerts (N
receipts, bell entries and pushes, SMS rows for the residents with a verified phone), and the
median time of one resident's banner query (`queries.alerts.active_for`).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, update  # noqa: E402

from bench.notices import bulk_users, make_app  # noqa: E402
from board.extensions import db  # noqa: E402
from board.models import Alert, AlertReceipt, Place, PlaceFollow, Role, User, utcnow  # noqa: E402
from board.queries import alerts as alert_queries  # noqa: E402
from board.services import accounts, alert_delivery, alerts  # noqa: E402

DISTRICT = "150202"


def run(app, sizes: list[int], rounds: int) -> list[dict]:
    results = []
    with app.app_context():
        app.config.update(NOTICE_QUIET_HOURS="off")
        officer = accounts.create_user(Role.OFFICER, "bench_nanmen", "password123",
                                       real_name="陈志强", badge_no="339101",
                                       unit_code="station-nanmen")
        place = db.session.scalar(db.select(Place).where(Place.code == DISTRICT))
        pool = bulk_users(max(sizes), "resident", phones=True)
        followed = 0
        for size in sorted(sizes):
            now = utcnow()
            for i in range(followed, size, 1000):
                db.session.execute(insert(PlaceFollow), [
                    {"user_id": u, "place_id": place.id, "created_at": now}
                    for u in pool[i:min(i + 1000, size)]])
            db.session.commit()
            followed = size
            walls, cpus = [], []
            for r in range(rounds + 1):
                wall, cpu = time.perf_counter(), time.process_time()
                alert = alerts.publish_alert(officer, title=f"反诈预警 {size}-{r}",
                                             text="客服不会要求您共享屏幕或转账。",
                                             level="warning", target="district",
                                             district=DISTRICT)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                if r:  # the first is a warm-up
                    walls.append(wall)
                    cpus.append(cpu)
            # The worker's share, off the request: one of those alerts, the others set aside.
            db.session.execute(update(Alert).where(Alert.id != alert.id,
                                                   Alert.fanned_at.is_(None))
                               .values(fanned_at=utcnow()))
            db.session.commit()
            fan = time.perf_counter()
            while alert_delivery.fan_out_batch():
                pass
            fan = time.perf_counter() - fan
            reached = db.session.scalar(db.select(db.func.count()).select_from(AlertReceipt)
                                        .where(AlertReceipt.alert_id == alert.id))
            resident = db.session.get(User, pool[0])
            banner = []
            for _ in range(rounds):
                start = time.perf_counter()
                alert_queries.active_for(resident)
                banner.append(time.perf_counter() - start)
            db.session.execute(update(Alert).values(withdrawn_at=utcnow()))  # next size: fresh
            db.session.commit()
            results.append({"residents": size, "wall_ms": statistics.median(walls) * 1000,
                            "cpu_ms": statistics.median(cpus) * 1000, "fan_out_s": fan,
                            "reached": reached,
                            "banner_ms": statistics.median(banner) * 1000})
    base = results[0]
    for row in results:
        row["wall_ratio"] = row["wall_ms"] / base["wall_ms"]
        row["cpu_ratio"] = row["cpu_ms"] / base["cpu_ms"]
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, nargs="+", default=[10, 10000])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(folder, os.environ.get("DATABASE_URL"))
        rows = run(app, args.residents, args.rounds)
    print("| residents | publish wall ms (median) | CPU ms | × smallest (wall / CPU) |"
          " worker: fan-out of one alert | reached | banner query ms |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(f"| {row['residents']:,} | {row['wall_ms']:.1f} | {row['cpu_ms']:.1f} | "
              f"{row['wall_ratio']:.2f} / {row['cpu_ratio']:.2f} | {row['fan_out_s']:.2f} s | "
              f"{row['reached']:,} | {row['banner_ms']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
