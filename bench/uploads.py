"""Upload stall (issue 15, item 8): does a 1.7 MB upload of nine 7000×7000 PNGs freeze the site?

Starts the real board (`python app.py`: one gevent process, SQLite, demo data) in a throwaway
instance, signs in as a demo citizen, opens a thread, and posts the nine PNGs to the photo
endpoint while another client fetches the home page every 50 ms. Prints how long the upload
took, the slowest and median page while it ran, and how much the server's peak memory grew.

    python bench/uploads.py                       # this checkout, default pixel budgets
    python bench/uploads.py --no-budget           # budgets lifted: only the worker pool helps
    python bench/uploads.py --root /tmp/before    # another checkout (e.g. `git archive` of an
                                                  # older commit) for the "before" figure

On the 2-core CI machine (shared), nine 7000×7000 PNGs (1.3 MB):
  before: all 9 decoded in the serving loop; the home page waited 58.3 s; peak memory +540 MB
  after:  2 stored, 7 refused by the pixel budget in 19 s; slowest home page 354 ms (median
          28 ms, 223 fetches meanwhile); peak +349 MB (two images decoding at once, at most)
  after, budget lifted (--no-budget): 9 stored in 67 s; slowest home page 464 ms
"""
from __future__ import annotations

import argparse
import json
import statistics
import struct
import sys
import tempfile
import threading
import time
import urllib.request
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.live_server import BoardServer  # noqa: E402


def blank_png(width: int, height: int) -> bytes:
    """A valid RGB PNG of black pixels, compressed row by row (never held in memory whole)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + 3 * width)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


def _call(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None,
          timeout: float = 120) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _json(url: str, payload: dict, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    status, body = _call(url, "POST", json.dumps(payload).encode(), headers)
    assert status in (200, 201), (status, body[:300])
    return json.loads(body)


def _multipart(files: list[bytes]) -> tuple[bytes, str]:
    boundary = "benchboundary7000"
    parts = [(f"--{boundary}\r\nContent-Disposition: form-data; name=\"images\"; "
              f"filename=\"{n}.png\"\r\nContent-Type: image/png\r\n\r\n").encode() + data + b"\r\n"
             for n, data in enumerate(files)]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), boundary


def _peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _poll_pages(url: str, stop: threading.Event, times: list[float]) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        _call(url + "/", timeout=60)
        times.append((time.perf_counter() - start) * 1000)
        time.sleep(0.05)


def run(root: Path, budget: bool, count: int, edge: int) -> None:
    extra = {} if budget else {"FLASK_UPLOAD_PIXELS_PER_REQUEST": str(10 ** 12),
                               "FLASK_UPLOAD_PIXELS_PER_MINUTE": str(10 ** 12)}
    server = BoardServer(Path(tempfile.mkdtemp(prefix="upload-bench-")), demo=True,
                         extra_env=extra, command=[sys.executable, str(root / "app.py")])
    try:
        server.wait_ready(180)
        url = server.url
        token = _json(url + "/api/v1/auth/token",
                      {"username": "laowang", "password": "demo-pass-2026"})["token"]
        thread = _json(url + "/api/v1/boards/report/threads",
                       {"kind": "report", "title": "上传压力测试的帖子", "body": "看图"}, token)
        png = blank_png(edge, edge)
        body, boundary = _multipart([png] * count)
        for _ in range(5):
            _call(url + "/")  # warm
        before_kb = _peak_kb(server.proc.pid)
        stop, times = threading.Event(), []
        poller = threading.Thread(target=_poll_pages, args=(url, stop, times))
        poller.start()
        time.sleep(0.3)
        start = time.perf_counter()
        status, answer = _call(f"{url}/api/v1/threads/{thread['thread']['id']}/attachments",
                               "POST", body, {"Authorization": f"Bearer {token}",
                                             "Content-Type": f"multipart/form-data; "
                                                             f"boundary={boundary}"})
        upload_s = time.perf_counter() - start
        time.sleep(0.3)
        stop.set()
        poller.join()
        result = json.loads(answer)
        saved = len(result.get("attachments", []))
        print(f"{root.name or root}: {count} × {edge}×{edge} PNG, {len(body) / 1e6:.1f} MB, "
              f"budget {'on' if budget else 'lifted'}")
        print(f"  upload: HTTP {status} in {upload_s:.1f} s, {saved} stored, "
              f"{len(result.get('errors', []))} refused")
        print(f"  home page meanwhile: {len(times)} fetches, median {statistics.median(times):.0f}"
              f" ms, slowest {max(times):.0f} ms")
        print(f"  server peak memory: +{(_peak_kb(server.proc.pid) - before_kb) / 1024:.0f} MB")
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--no-budget", action="store_true")
    parser.add_argument("--count", type=int, default=9)
    parser.add_argument("--edge", type=int, default=7000)
    args = parser.parse_args()
    run(args.root, not args.no_budget, args.count, args.edge)


if __name__ == "__main__":
    main()
