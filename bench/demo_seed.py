"""How long `python app.py` spends seeding the demo on a fresh instance (target: under 3 s).

    python bench/demo_seed.py

Prints migrate+sync and seed times for a throwaway instance under /tmp, with the production
password hashing (scrypt) and the background search indexing, as `python app.py` runs them.
The machine's load average is printed too: on a busy 2-core box every figure grows with it, so
the seed is also given as a multiple of one scrypt password hash timed in the same run (the old
seed hashed ~25 of them, one per demo account).
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    instance = tempfile.mkdtemp(prefix="bench-demo-")
    os.environ["BOARD_INSTANCE"] = instance
    os.environ.pop("DATABASE_URL", None)
    from werkzeug.security import generate_password_hash

    from board import create_app
    from board.startup import prepare

    try:
        app = create_app()
        start = time.perf_counter()
        prepare(app, seed_demo=False)
        prepared = time.perf_counter() - start
        with app.app_context():
            from board import demo

            start = time.perf_counter()
            demo.seed()
            seeded = time.perf_counter() - start
        start = time.perf_counter()
        generate_password_hash("demo-pass-2026", method="scrypt")
        one_hash = time.perf_counter() - start
        print(f"migrate+sync {prepared:.2f} s   demo seed {seeded:.2f} s   "
              f"= {seeded / one_hash:.0f} scrypt hashes ({one_hash * 1000:.0f} ms each)   "
              f"(load average {os.getloadavg()[0]:.1f})")
    finally:
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
