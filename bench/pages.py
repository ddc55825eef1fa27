"""Serve the board the production way and measure its pages beside the Flask ceilings, in one run.

    apt-get install wrk                                  # the load generator (Debian package)
    python bench/pages.py --threads 100000               # SQLite under /tmp/board-bench-100000
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/board_bench python bench/pages.py \
        --threads 100000 --workers-compare               # PostgreSQL, and 2 workers vs 1
    python bench/pages.py --growth 10000 1000000 --no-search   # the same pages at two sizes

Every server — the board, the two ceilings of bench/ceiling_app.py and the FlaskBB peer when
bench/flaskbb_peer.py can run it — is gunicorn with gunicorn.conf.py (gevent workers, same worker
count). Pages: home, board page 1, board page 500 (the deepest page when the board is smaller),
a thread with 20 replies, search with a two-character word, and reply creation signed in; each
for --duration seconds with wrk. Anonymous pages twice: as served (page cache on) and with the
cache off (FLASK_ANON_CACHE=false), which is the cost of really building the page. Printed per
page: requests/s, p50, p99, server CPU per request (from /proc/<pid>/stat), RSS, and the ratio to
the template+SQLite ceiling measured in the same run.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")
PASSWORD = "bench-pass-2026"
SEARCH_WORDS = ("户口", "身份证")  # a two-character word, and FlaskBB's three-character minimum


# --- servers ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn -c gunicorn.conf.py <target>, its CPU time and memory read from /proc."""

    def __init__(self, target: str, env: dict, workers: int = 1, python: str = sys.executable,
                 cwd: Path = ROOT, config: Path | None = ROOT / "gunicorn.conf.py",
                 probe: str = "/"):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        full_env = dict(os.environ, **env, BIND=f"127.0.0.1:{self.port}", WEB_WORKERS=str(workers),
                        BOARD_SKIP_PREPARE="1", LOG_LEVEL="warning", PYTHONPATH=str(ROOT))
        cmd = [python, "-m", "gunicorn"]
        if config:
            cmd += ["-c", str(config)]
        else:  # a peer outside this tree: the same settings on the command line
            cmd += ["-k", "gevent", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
                    "--worker-connections", "10000", "--keep-alive", "75", "--log-level", "warning"]
        cmd.append(target)
        self.log = tempfile.NamedTemporaryFile("w+", prefix="bench-server-", suffix=".log")
        self.proc = subprocess.Popen(cmd, env=full_env, cwd=str(cwd), stdout=self.log,
                                     stderr=subprocess.STDOUT)
        self.workers = workers
        self._wait(probe)

    def _wait(self, probe: str, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.base + probe, timeout=5) as r:
                    r.read()
                if len(self.pids()) >= self.workers + 1:
                    return
            except Exception:
                time.sleep(0.3)
        self.log.seek(0)
        raise RuntimeError(f"server did not start:\n{self.log.read()[-3000:]}")

    def pids(self) -> list[int]:
        pids = [self.proc.pid]
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.proc.pid:
                    pids.append(int(entry))
        return pids

    def cpu_seconds(self) -> float:
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime + stime
        return total / TICK

    def rss_mb(self) -> float:
        total = 0
        for pid in self.pids()[1:] or self.pids():  # the workers (the master only routes)
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        return total / 1024

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# --- load ----------------------------------------------------------------------------------


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(url: str, seconds: float, connections: int, headers: dict,
        script: str | None = None) -> dict:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--latency", "--timeout", "10s"]
    for key, value in headers.items():
        cmd += ["-H", f"{key}: {value}"]
    script_file = None
    if script:
        script_file = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        script_file.write(script)
        script_file.close()
        cmd += ["-s", script_file.name]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 60).stdout
    if script_file:
        os.unlink(script_file.name)
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
              "requests": int(re.search(r"(\d+) requests in", out).group(1)),
              "errors": int((re.search(r"Non-2xx or 3xx responses: (\d+)", out) or [0, 0])[1])}
    for pct in ("50", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M)
        result[f"p{pct}"] = _ms(m.group(1)) if m else None
    socket_errors = re.search(r"Socket errors: (.*)", out)
    if socket_errors:
        result["socket_errors"] = socket_errors.group(1)
    return result


def measure(server: Server, name: str, path: str, args, headers: dict | None = None,
            script: str | None = None) -> dict:
    headers = {"Accept-Encoding": "gzip", **(headers or {})}
    url = server.base + path
    wrk(url, 1, args.connections, headers, script)  # warm up: caches, connections, JIT-less paths
    before = server.cpu_seconds()
    result = wrk(url, args.duration, args.connections, headers, script)
    cpu = server.cpu_seconds() - before
    result.update(name=name, path=path, cpu_ms=1000 * cpu / max(result["requests"], 1),
                  rss_mb=server.rss_mb())
    errors = f"  errors {result['errors']}" if result["errors"] else ""
    print(f"  {name:<28} {result['rps']:>8.0f} req/s  p50 {result['p50']:>7.2f} ms  "
          f"p99 {result['p99']:>7.2f} ms  cpu {result['cpu_ms']:>6.2f} ms/req  "
          f"rss {result['rss_mb']:>5.0f} MB{errors}", flush=True)
    return result


# --- the data set and the URLs to measure ----------------------------------------------------


def prepare_data(args) -> dict:
    """Generate the data set if the database is empty; pick the URLs the bench will hit."""
    suffix = "-pg" if os.environ.get("DATABASE_URL") else ""  # secret key, search index, SQLite
    env = {"BOARD_INSTANCE": args.instance or f"/tmp/board-bench-{args.threads}{suffix}"}
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade

    from board import create_app
    from board.extensions import db
    from board.models import Board, Thread

    app = create_app()
    with app.app_context():
        upgrade()
        empty = db.session.scalar(db.select(Thread.id).limit(1)) is None
    if empty:
        subprocess.run([sys.executable, str(ROOT / "bench" / "dataset.py"), "--threads",
                        str(args.threads)] + (["--no-search"] if args.no_search else []),
                       check=True, env=dict(os.environ))
    with app.app_context():
        from board.queries.threads import encode_cursor

        total = db.session.scalar(db.select(db.func.count(Thread.id)))
        board = db.session.scalars(db.select(Board).order_by(Board.thread_count.desc())).first()
        listing = (db.select(Thread).where(Thread.board_id == board.id, Thread.pinned.is_(False),
                                           Thread.visibility == "public")
                   .order_by(Thread.last_activity_at.desc(), Thread.id.desc()))
        listed = db.session.scalar(db.select(db.func.count()).select_from(listing.subquery()))
        page = max(2, min(500, listed // 20))
        last_of_previous = db.session.scalars(listing.offset((page - 1) * 20 - 1).limit(1)).one()
        threads20 = db.session.scalars(
            db.select(Thread.id).where(Thread.reply_count == 20, Thread.visibility == "public",
                                       Thread.locked.is_(False)).order_by(Thread.id).limit(2)).all()
        info = {"threads": total, "board": board.slug, "board_threads": listed, "deep_page": page,
                "deep_path": f"/b/{board.slug}?cursor={encode_cursor(last_of_previous)}",
                "thread_path": f"/t/{threads20[0]}", "reply_thread": threads20[-1],
                "database": db.engine.dialect.name, "env": env}
        db.session.remove()
        db.engine.dispose()
    return info


def sign_in(base: str, thread_id: int) -> tuple[str, str]:
    """A citizen's session cookie and CSRF token, through the real sign-in form."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": "citizen1", "password": PASSWORD,
                                   "csrf_token": token}).encode()
    opener.open(base + "/login", data=data).read()
    page = opener.open(f"{base}/t/{thread_id}").read().decode()
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if "退出登录" not in page or not match:
        raise RuntimeError("could not sign in as citizen1 for the reply measurement")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, match.group(1)


REPLY_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "%(cookie)s"
n = 0
request = function()
  n = n + 1
  local body = "csrf_token=%(token)s&body=" .. "%(text)s" .. n .. "-" .. math.random(1, 1000000000)
  return wrk.format(nil, nil, nil, body)
end
"""


# --- the run ---------------------------------------------------------------------------------


def board_env(info: dict, cache: bool = True) -> dict:
    env = dict(info["env"], FLASK_RATELIMIT_ENABLED="false", BOARD_DEMO="0")
    if not cache:
        env["FLASK_ANON_CACHE"] = "false"
    return env


def has_search(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/search?q={urllib.parse.quote(SEARCH_WORDS[0])}",
                                    timeout=30) as r:
            return r.status == 200
    except Exception:
        return False


def anonymous_pages(server: Server, info: dict, args, label: str) -> list[dict]:
    pages = [("home", "/"), ("board page 1", f"/b/{info['board']}"),
             (f"board page {info['deep_page']}", info["deep_path"]),
             ("thread, 20 replies", info["thread_path"])]
    if not args.no_search and has_search(server.base):
        pages += [(f"search '{word}'", f"/search?q={urllib.parse.quote(word)}")
                  for word in SEARCH_WORDS]
    results = []
    for name, path in pages:
        results.append(measure(server, f"{name} [{label}]", path, args))
    return results


def board_pages(info: dict, args) -> list[dict]:
    """Anonymous pages as served, a signed-in reply, then the anonymous pages with the cache off."""
    pages = []
    server = Server("board.wsgi:app", board_env(info), args.workers)
    try:
        pages += anonymous_pages(server, info, args, "anonymous")
        cookie, token = sign_in(server.base, info["reply_thread"])
        text = urllib.parse.quote("谢谢民警同志的解答,压测回复")
        script = REPLY_LUA % {"cookie": cookie, "token": urllib.parse.quote(token), "text": text}
        one_writer = argparse.Namespace(**{**vars(args), "connections": 1})  # replies arrive one
        pages.append(measure(server, "reply (signed in, POST)",  # by one, not 8 at once
                             f"/t/{info['reply_thread']}/reply", one_writer, script=script))
    finally:
        server.stop()
    server = Server("board.wsgi:app", board_env(info, cache=False), args.workers)
    try:
        pages += anonymous_pages(server, info, args, "cache off")
    finally:
        server.stop()
    return pages


def _need_wrk() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")


def run(args) -> dict:
    _need_wrk()
    info = prepare_data(args)
    print(f"data: {info['threads']} threads on {info['database']}; board '{info['board']}' "
          f"lists {info['board_threads']} threads, deepest page measured: {info['deep_page']}",
          flush=True)
    results: dict = {"info": info, "args": vars(args), "pages": []}
    ceiling_db = tempfile.mktemp(prefix="ceiling-", suffix=".db")
    print(f"\nceilings (gunicorn, gevent, {args.workers} worker):", flush=True)
    ceiling = Server("bench.ceiling_app:app", {"CEILING_DB": ceiling_db}, args.workers,
                     probe="/hello")
    try:
        results["hello"] = measure(ceiling, "ceiling: hello world", "/hello", args)
        results["row"] = measure(ceiling, "ceiling: template+SQLite row", "/row", args)
    finally:
        ceiling.stop()
        os.path.exists(ceiling_db) and os.unlink(ceiling_db)

    print(f"\nthe board (gunicorn board.wsgi:app, gevent, {args.workers} worker):", flush=True)
    results["pages"] += board_pages(info, args)

    if args.workers_compare:
        results["scaling"] = workers_compare(info, args)
    if not args.no_peer:
        try:
            from bench import flaskbb_peer
        except ImportError:
            flaskbb_peer = None
        results["peer"] = (flaskbb_peer.run(args, measure, Server, info) if flaskbb_peer
                           else {"skipped": "bench/flaskbb_peer.py is missing"})
    report(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1))
    return results


def workers_compare(info: dict, args) -> dict:
    """2 workers vs 1 on the same pages (cache off: every request really works)."""
    print("\nscaling: 1 vs 2 gunicorn workers", flush=True)
    out = {}
    for workers in (1, 2):
        ceiling = Server("bench.ceiling_app:app", {"CEILING_DB": tempfile.mktemp(suffix=".db")},
                         workers, probe="/hello")
        try:
            out[f"row x{workers}"] = measure(ceiling, f"ceiling row x{workers}", "/row", args)
        finally:
            ceiling.stop()
        server = Server("board.wsgi:app", board_env(info, cache=False), workers)
        try:
            out[f"board x{workers}"] = measure(server, f"board page 1 x{workers} [cache off]",
                                               f"/b/{info['board']}", args)
            out[f"thread x{workers}"] = measure(server, f"thread x{workers} [cache off]",
                                                info["thread_path"], args)
        finally:
            server.stop()
    for key in ("row", "board", "thread"):
        ratio = out[f"{key} x2"]["rps"] / out[f"{key} x1"]["rps"]
        print(f"  {key:<8} 2 workers / 1 worker = {ratio:.2f}x", flush=True)
        out[f"{key} ratio"] = ratio
    return out


def report(results: dict) -> None:
    row, hello = results["row"], results["hello"]
    print(f"\nratios (same run; ceiling template+SQLite {row['rps']:.0f} req/s, "
          f"hello {hello['rps']:.0f} req/s)")
    print(f"  {'page':<34} {'req/s':>8} {'of row':>8} {'of hello':>9} {'cpu ms':>7} {'cpu/row':>8}")
    for page in results["pages"]:
        print(f"  {page['name']:<34} {page['rps']:>8.0f} {page['rps'] / row['rps']:>7.0%} "
              f"{page['rps'] / hello['rps']:>8.0%} {page['cpu_ms']:>7.2f} "
              f"{page['cpu_ms'] / row['cpu_ms']:>7.1f}x")
    by_name = {p["name"]: p for p in results["pages"]}
    deep = next((p for p in results["pages"] if p["name"].startswith("board page")
                 and not p["name"].startswith("board page 1 ") and "cache off" in p["name"]), None)
    first = by_name.get("board page 1 [cache off]")
    if deep and first:
        ratio = deep["cpu_ms"] / first["cpu_ms"]
        print(f"  deep page / page 1 CPU per request (cache off): {ratio:.2f}x")
    peer = results.get("peer") or {}
    if peer.get("pages"):
        for ours, theirs in peer.get("pairs", []):
            a, b = by_name.get(ours), peer["pages"].get(theirs)
            if a and b and b["requests"]:
                print(f"  {ours:<34} vs FlaskBB {theirs:<7}: "
                      f"{b['cpu_ms'] / a['cpu_ms']:6.1f}x less CPU per request, "
                      f"{a['rps'] / max(b['rps'], 0.01):6.1f}x the requests/s")
            elif a and b and b.get("single_s"):
                print(f"  {ours:<34} vs FlaskBB {theirs:<7}: {a['rps'] * b['single_s']:6.0f}x the "
                      f"requests/s (FlaskBB: one request alone took {b['single_s']:.1f} s)")
    elif peer:
        print(f"  FlaskBB peer: {peer.get('skipped')}")


def _info_of(threads: int, args) -> dict:
    """prepare_data() for another size, in a child process: the board reads BOARD_INSTANCE once."""
    out = subprocess.run([sys.executable, __file__, "--threads", str(threads), "--info"]
                         + (["--no-search"] if args.no_search else []),
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def growth(args) -> None:
    """The same pages at two sizes in one run, the rounds alternating between them so that the
    machine's drift falls on both alike; the median CPU per request of each page is compared."""
    _need_wrk()
    sizes = args.growth
    infos = {n: _info_of(n, args) for n in sizes}
    cpu: dict[int, dict[str, list[float]]] = {n: {} for n in sizes}
    for round_no in range(args.rounds):
        for n in sizes if round_no % 2 == 0 else sizes[::-1]:
            print(f"\nround {round_no + 1}/{args.rounds}: {n} threads", flush=True)
            for page in board_pages(infos[n], args):
                name = re.sub(r"board page (?!1 )\d+", "board page deep", page["name"])
                cpu[n].setdefault(name, []).append(page["cpu_ms"])
    small, large = sizes
    print(f"\ngrowth {small} -> {large} threads (median CPU per request over {args.rounds} rounds)")
    for name, values in cpu[small].items():
        a, b = statistics.median(values), statistics.median(cpu[large][name])
        print(f"  {name:<34} {a:7.2f} -> {b:7.2f} ms   x{b / a:.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--instance", help="BOARD_INSTANCE for SQLite (default /tmp/board-bench-N)")
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--workers-compare", action="store_true", help="also 2 workers vs 1")
    parser.add_argument("--no-peer", action="store_true", help="skip FlaskBB")
    parser.add_argument("--no-search", action="store_true",
                        help="no search index, no search pages (the re-index is the slow part)")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--growth", nargs=2, type=int, metavar=("SMALL", "LARGE"),
                        help="the same pages at two sizes (thread counts) in one run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per size for --growth")
    parser.add_argument("--info", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.info:
        print(json.dumps(prepare_data(args), ensure_ascii=False))
    elif args.growth:
        growth(args)
    else:
        run(args)


if __name__ == "__main__":
    main()
