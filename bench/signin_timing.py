"""Sign-in timing (issue 15, item 12): does a wrong password take as long for an unknown name as
for a real account? Run on a throwaway SQLite database with the production hash (scrypt):

    python bench/signin_timing.py            # 20 rounds each
    python bench/signin_timing.py --rounds 50

Prints the median and p90 of `accounts.authenticate` for: a real account with a wrong password,
an unknown name, and a disabled account. Before the fix an unknown name answered in ~3 ms and
a real one in ~118 ms; now every path checks one scrypt hash.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from board import create_app  # noqa: E402
from board.config import TestConfig  # noqa: E402
from board.services import accounts, lockout  # noqa: E402


def _measure(cases: dict[str, tuple[str, str]], rounds: int) -> dict[str, list[float]]:
    """Round-robin over the cases, so a busy machine slows them all alike."""
    times: dict[str, list[float]] = {label: [] for label in cases}
    for _ in range(rounds):
        for label, (name, password) in cases.items():
            start = time.perf_counter()
            try:
                accounts.authenticate(name, password)
            except accounts.AccountDisabled:  # told so after the right password (issue 17)
                pass
            times[label].append((time.perf_counter() - start) * 1000)
            lockout.unlock(name)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    from flask_migrate import upgrade

    config = TestConfig(Path(tempfile.mkdtemp(prefix="signin-bench-")))
    config.PASSWORD_HASH_METHOD = "scrypt"
    config.LOGIN_LOCKOUT_THRESHOLD = 10 ** 6  # measure the hash, not the throttle
    app = create_app(config)
    with app.app_context():
        upgrade()
        real = accounts.register_citizen("bench_real", "password123", "基准")
        gone = accounts.register_citizen("bench_gone", "password123", "停用")
        accounts.suspend(accounts.SYSTEM, gone, "基准测试")
        cases = {"real account, wrong password": ("bench_real", "wrong-password"),
                 "unknown name": ("bench_nobody", "wrong-password"),
                 "disabled account, right password": ("bench_gone", "password123")}
        accounts.authenticate("bench_warm_up", "x")  # the dummy hash is made once per process
        for label, times in _measure(cases, args.rounds).items():
            times.sort()
            p90 = times[max(0, int(len(times) * 0.9) - 1)]
            print(f"{label:36s} median {statistics.median(times):7.1f} ms   p90 {p90:7.1f} ms")
        assert real.id


if __name__ == "__main__":
    main()
