"""A serving process is ready before its first request (gunicorn.conf.py's worker hook)."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.live_server import ROOT

PROBE = """
import gc, runpy
from board.search import analyzer
assert not analyzer.loaded(), "jieba was already loaded on import"
runpy.run_path("gunicorn.conf.py")["post_worker_init"](None)
print(analyzer.loaded(), gc.get_freeze_count() > 0)
"""


def test_a_gunicorn_worker_loads_jieba_before_its_first_search(tmp_path):
    """Loaded lazily, the dictionary would hold the whole gevent worker, every live reader on
    it included, for a second at the first search after each start."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "BOARD_"))}
    env.pop("DATABASE_URL", None)
    env.update(BOARD_INSTANCE=str(tmp_path), SECRET_KEY="serving-test")
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "True"]  # jieba loaded; the start-up heap frozen
