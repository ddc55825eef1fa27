r"""Generate a realistic, deterministic city dataset (officers, citizens, threads, replies).

    python bench/dataset.py --threads 100000                       # SQLite under $BOARD_INSTANCE
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/bench \
        python bench/dataset.py --threads 100000
    python bench/dataset.py --million                             # 1,000,000 threads

Schema from the migrations (flask_migrate.upgrade), units and boards from boards_config.yaml
(board.services.boards.sync); then everything else through SQLAlchemy Core bulk inserts that leave
unnamed columns to their model defaults, so columns added by later migrations need no change here.
Counters stay consistent (Board.thread_count, Thread.reply_count, has_official_reply, first
response). The same --seed and --threads give the same rows. The database must have no threads.
"""
from __future__ import annotations

import argparse
import html
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSWORD = "bench-pass-2026"
ANCHOR = datetime(2026, 11, 20, tzinfo=UTC)  # "now" of the dataset: fixed, so runs repeat
SPAN_DAYS = 3 * 365

SURNAMES = ("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢"
            "蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟"
            "龙万段雷钱汤尹黎易常武乔贺赖龚文")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰志红建华海峰晓燕玉梅鹏飞宇浩然子涵欣怡俊"
         "杰婷婷文博天佑雅琪思远")
NICK_A = ["热心", "青山", "东河", "昆区", "九原", "鹿城", "草原", "钢城", "包头", "阿尔丁", "赛罕",
          "黄河"]
NICK_B = ["市民", "老王", "小李", "大姐", "大爷", "阿姨", "小伙", "宝妈", "老师", "司机", "居民",
          "网友"]
PLACES = ["东河区南门外大街", "青山区富强路", "昆区阿尔丁大街", "钢铁大街", "民族东路", "文化路",
          "友谊大街", "青年路", "白云路", "团结大街", "建设路", "幸福路", "呼得木林大街",
          "巴彦塔拉大街", "少先路"]

# Per board: title patterns ({p} a place, {n} a number) and body sentences.
TOPICS = {
    "report": (["{p}附近夜里有人飙车", "{p}路口有人占道经营", "{p}小区有人贴小广告",
                "{p}发现可疑人员徘徊", "{p}有人酒后驾驶", "{p}网吧接纳未成年人",
                "{p}有人非法收购手机卡", "{p}夜市有人打架"],
               ["最近一周每天晚上都有这种情况。", "已经影响到周围居民的正常生活。",
                "希望警方尽快处理。", "我拍了照片,可以提供给民警。", "时间大概是晚上十点以后。",
                "周边有学校,孩子们很不安全。"]),
    "hukou": (["户口迁移到{p}需要什么材料", "新生儿落户要多久", "身份证丢了怎么补办",
               "户口簿丢失能网上补办吗", "大学毕业户口怎么迁回", "集体户口怎么开证明",
               "异地换领身份证需要什么", "改名字需要哪些手续"],
              ["请问需要带哪些材料?", "能不能在网上办理?", "工作日没时间,周末可以办吗?",
               "大概多长时间能办好?", "需要本人到场吗?", "之前问过一次,没说清楚,麻烦再解答一下。"]),
    "exit-entry": (["护照加急需要什么证明", "港澳通行证签注怎么续", "出国留学办护照要多久",
                    "护照快过期了怎么换", "台湾通行证可以自助签注吗", "老人办护照需要什么",
                    "外国人临时住宿怎么登记"],
                   ["下个月就要出发了,比较着急。", "需要提前预约吗?", "可以委托家人代办吗?",
                    "照片有什么要求?", "费用是多少?", "自助签注机在哪里?"]),
    "traffic": (["{p}路口红绿灯时间太短", "驾驶证到期换证要体检吗", "违章记录有误怎么申诉",
                 "{p}经常堵车", "电动车上牌在哪里办", "{p}有人违停堵住消防通道", "异地违章怎么处理",
                 "新车上牌需要什么材料"],
                ["每天早高峰都要等很久。", "希望交警部门能看一下。", "有照片可以作证。",
                 "请问具体流程是什么?", "网上能不能办?", "老年人操作手机不方便。"]),
    "anti-drug": (["发现{p}有人疑似吸毒", "怎么辨别新型毒品", "学校可以请禁毒讲座吗",
                   "家人戒毒后如何帮助"],
                  ["很担心孩子接触到。", "希望能多做宣传。", "请问可以匿名举报吗?",
                   "社区能提供哪些帮助?"]),
    "anti-terror": (["{p}有无人看管的包裹", "单位怎么做反恐演练", "发现可疑物品怎么处理",
                     "反恐宣传资料哪里领"],
                    ["当时周围人很多。", "不知道该找谁。", "希望有民警来指导。",
                     "我们小区想组织一次演练。"]),
    "law": (["租房押金不退怎么办", "被网上刷单骗了怎么办", "邻居噪音扰民违法吗",
             "借钱不还可以报警吗", "遇到电信诈骗怎么处理", "未成年人打工合法吗"],
            ["金额大概三千元。", "对方一直不接电话。", "有聊天记录和转账截图。",
             "请问走什么程序?"]),
    "lawyer": (["交通事故对方不赔偿怎么办", "工伤认定需要什么材料", "离婚财产怎么分割",
                "拖欠工资去哪里投诉", "房屋买卖合同纠纷"],
               ["已经协商过几次没有结果。", "请律师帮忙分析一下。", "需要准备哪些证据?",
                "诉讼时效是多久?"]),
    "legal-aid": (["法律援助怎么申请", "低保户打官司能免费吗", "农民工讨薪能法律援助吗",
                   "老人被骗能申请援助吗"],
                  ["家里条件比较困难。", "请问需要什么证明?", "在哪个窗口办理?",
                   "多长时间有答复?"]),
    "environment": (["{p}工地半夜施工噪音大", "{p}有工厂偷排污水", "{p}有人焚烧垃圾",
                     "{p}饭店油烟扰民", "{p}河边有人非法捕鱼"],
                    ["气味很大,晚上不敢开窗。", "已经持续好几天了。", "附近有很多老人和孩子。",
                     "希望尽快查处。"]),
    "hometown": (["寻找失散多年的亲人", "老乡在{p}走失了", "帮忙寻找老战友", "外地老人在{p}迷路"],
                 ["他个子不高,说方言。", "最后一次见是在火车站附近。", "家里人都很着急。",
                  "有线索请联系我。"]),
    "qa": (["身份证快到期了异地可以换吗", "无犯罪记录证明怎么开", "居住证怎么办理",
            "丢了东西可以报警吗", "网上报警有用吗", "派出所工作时间是几点"],
           ["请问具体需要什么?", "网上能不能办?", "谢谢民警同志。", "在哪里可以查到进度?"]),
}
ANSWERS = ["您好!您反映的情况已收到,我们会尽快安排民警核实处理。",
           "您好,可携带本人居民身份证到户籍所在地派出所办理。",
           "感谢您的支持,已转交辖区派出所处置,处理结果会在此回复。",
           "您好,可以通过「鹿城公安」政务服务平台在线预约,节省排队时间。",
           "根据相关规定,需提供相关证明材料,一般5个工作日内办结。",
           "您好,已安排巡逻警力加强该路段巡查,对违法行为依法查处。",
           "请保留好相关证据,必要时可到就近派出所报案。", "如遇紧急情况请直接拨打110。"]
FOLLOWUPS = ["谢谢警官,明天就去办!", "请问周末能办吗?", "收到,非常感谢!",
             "我也遇到同样的问题,蹲一个答复。", "问题已经解决了,点赞!", "还有一个问题想再问一下。",
             "民警同志辛苦了。", "好的,我准备一下材料。"]


BOARD_WEIGHTS = {"report": 16, "qa": 16, "hukou": 12, "traffic": 12, "exit-entry": 8, "law": 6,
                 "lawyer": 6, "legal-aid": 5, "environment": 6, "hometown": 5, "anti-drug": 4,
                 "anti-terror": 4}


def _p(text: str) -> str:
    return "<p>" + html.escape(text, quote=False).replace("\n", "<br>\n") + "</p>\n"


class Generator:
    """Builds rows in memory in chunks; ids are assigned here so no RETURNING is needed."""

    def __init__(self, app, threads: int, seed: int, chunk: int):
        from board.extensions import db

        self.app, self.db, self.n_threads, self.chunk = app, db, threads, chunk
        self.rng = random.Random(seed)
        self.md = db.metadata.tables

    # --- helpers ---------------------------------------------------------------------------
    def _cols(self, table: str) -> set[str]:
        return set(self.md[table].c.keys())

    def _insert(self, conn, table: str, rows: list[dict]) -> None:
        if not rows:
            return
        cols = self._cols(table)
        groups: dict[tuple, list[dict]] = {}  # executemany needs one key set per statement
        for r in rows:
            r = {k: v for k, v in r.items() if k in cols}
            groups.setdefault(tuple(sorted(r)), []).append(r)
        for group in groups.values():
            conn.execute(self.md[table].insert(), group)

    def _name(self) -> str:
        r = self.rng
        return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2))))

    # --- people ----------------------------------------------------------------------------
    def users(self, conn) -> None:
        from werkzeug.security import generate_password_hash

        db = self.db
        units = conn.execute(db.text("SELECT id, code, name FROM unit ORDER BY id")).all()
        boards = conn.execute(db.text(
            "SELECT id, slug, kinds, sla_minutes FROM board ORDER BY position")).all()
        links = conn.execute(db.text("SELECT board_id, unit_id FROM board_unit")).all()
        pw = generate_password_hash(PASSWORD)  # one hash for every account: signing in works
        self.unit_name = {u.id: u.name for u in units}
        created = ANCHOR - timedelta(days=SPAN_DAYS + 30)
        rows, uid = [], 0
        self.officers_by_unit: dict[int, list[tuple]] = {}
        staff = [("admin", None), ("dispatcher", "command-110"), ("dispatcher", "command-110"),
                 ("leader", "city-bureau"), ("leader", "city-bureau")]
        staff += [("officer", u.code) for u in units for _ in range(4)]
        for role, code in staff:
            uid += 1
            unit = next((u for u in units if u.code == code), None)
            name = self._name()
            row = dict(id=uid, username=f"{role}{uid}", password_hash=pw, nickname=name, role=role,
                       real_name=name, badge_no=f"{150000 + uid}",
                       unit_id=unit.id if unit else None,
                       contact="市公安局办公室 0472-5110110" if role == "leader" else None,
                       created_at=created)
            rows.append(row)
            if unit and role in ("officer", "leader", "dispatcher"):
                self.officers_by_unit.setdefault(unit.id, []).append(
                    (uid, name, row["badge_no"], unit.name))
        self.staff_ids = [r["id"] for r in rows]
        self.dispatchers = [r["id"] for r in rows if r["role"] == "dispatcher"]
        n_citizens = max(50, self.n_threads // 4)
        self.first_citizen = uid + 1
        for i in range(n_citizens):
            uid += 1
            rows.append(dict(id=uid, username=f"citizen{i + 1}", password_hash=pw,
                             nickname=(self.rng.choice(NICK_A) + self.rng.choice(NICK_B)
                                       + str(i + 1)),
                             role="citizen", created_at=created))
        self.last_citizen = uid
        for i in range(0, len(rows), self.chunk):
            self._insert(conn, "user", rows[i:i + self.chunk])
        self.boards = boards
        # Real boards are skewed: reports and general questions carry most of the traffic.
        self.board_weights = [BOARD_WEIGHTS.get(b.slug, 5) for b in boards]
        units_of = {}
        for board_id, unit_id in links:
            units_of.setdefault(board_id, []).append(unit_id)
        self.answerers = {
            b.id: [o for u in units_of.get(b.id, []) for o in self.officers_by_unit.get(u, [])]
            for b in boards}
        self.station_units = [u.id for u in units if u.code.startswith("station-")]
        print(f"  users: {len(rows)} ({len(rows) - n_citizens} staff, {n_citizens} citizens)",
              flush=True)

    # --- threads and replies ---------------------------------------------------------------
    def _kinds(self, board) -> list[str]:
        import json

        kinds = board.kinds if isinstance(board.kinds, list) else json.loads(board.kinds)
        return kinds

    def _thread(self, tid: int, created: datetime) -> tuple[dict, list[dict], dict | None]:
        r = self.rng
        board = r.choices(self.boards, self.board_weights)[0]
        kinds = self._kinds(board)
        officers = (self.answerers[board.id]
                    or [o for v in self.officers_by_unit.values() for o in v])
        kind = r.choice(kinds)
        if kind == "publicity" and r.random() < 0.7:  # notices are the minority
            kind = next((k for k in kinds if k != "publicity"), kind)
        titles, sentences = TOPICS.get(board.slug, TOPICS["qa"])
        place = r.choice(PLACES)
        title = r.choice(titles).format(p=place, n=r.randint(1, 99))
        if kind == "publicity":
            author = r.choice(officers)[0]
            title = "【提醒】" + title.rstrip("?")
        else:
            author = r.randint(self.first_citizen, self.last_citizen)
        body = "".join(r.choice(sentences) for _ in range(r.randint(2, 6)))
        if r.random() < 0.3:
            body += "\n" + r.choice(sentences)
        # Replies: a long tail; every 500th thread has exactly 20 (the bench's thread page).
        n = 20 if tid % 500 == 0 else (
            0 if r.random() < 0.08 else min(1 + int(r.expovariate(0.4)), 60))
        answered = kind == "publicity" or (n > 0 and r.random() < 0.93)
        posts, when, first_official = [], created, None
        official_at = r.randrange(0, n) if answered and n and kind != "publicity" else None
        for i in range(n):
            when = when + timedelta(minutes=r.randint(2, 600))
            if i == official_at or (answered and i > 0 and r.random() < 0.25):
                oid, name, badge, unit_name = r.choice(officers)
                posts.append(dict(author_id=oid, body=r.choice(ANSWERS), official=True,
                                  official_name=name, official_badge_no=badge,
                                  official_unit=unit_name, created_at=when))
                if first_official is None:
                    first_official = (when, oid)
            else:
                posts.append(dict(author_id=author if r.random() < 0.4 and kind != "publicity"
                                  else r.randint(self.first_citizen, self.last_citizen),
                                  body=r.choice(FOLLOWUPS), official=False, created_at=when))
        for p in posts:
            p["thread_id"] = tid
            p["body_html"] = _p(p["body"])
        status = "answered" if first_official or kind == "publicity" else "awaiting_reply"
        row = dict(id=tid, board_id=board.id, author_id=author, kind=kind, title=title[:80],
                   body=body, body_html=_p(body), location=place if kind == "report" else None,
                   status=status,
                   visibility="police_only" if r.random() < 0.02 else "public", pinned=False,
                   reply_count=n, has_official_reply=bool(first_official) or kind == "publicity",
                   created_at=created, last_activity_at=max(created, when),
                   first_response_at=first_official[0] if first_official else None,
                   first_responder_id=first_official[1] if first_official else None)
        if board.sla_minutes:
            row["sla_due_at"] = created + timedelta(minutes=board.sla_minutes)
        escalation = None
        if kind in ("report", "help") and r.random() < 0.03:
            escalation = self._escalate(row, when)
        return row, posts, escalation

    def _escalate(self, row: dict, last: datetime) -> dict:
        """Some reports go to the 110 command centre and are dispatched to a station."""
        r = self.rng
        at = row["created_at"] + timedelta(minutes=r.randint(3, 90))
        dispatched = at + timedelta(minutes=r.randint(2, 30))
        unit = r.choice(self.station_units) if self.station_units else None
        incident = f"{at:%Y%m%d}{row['id']:07d}"
        urgency = r.choice(["normal", "normal", "urgent", "critical"])
        status = r.choice(["dispatched", "handling", "resolved", "resolved"])
        row.update(status=status, urgent=urgency != "normal", escalated_at=at, urgency=urgency,
                   dispatched_at=dispatched, dispatched_unit_id=unit, incident_no=incident,
                   resolved_at=(dispatched + timedelta(hours=r.randint(1, 48))
                                if status == "resolved" else None),
                   last_activity_at=max(row["last_activity_at"], dispatched))
        return dict(thread_id=row["id"], reason="市民反映情况紧急,请指挥中心派警处置。",
                    urgency=urgency,
                    escalated_by_id=r.choice(self.dispatchers), created_at=at, unit_id=unit,
                    dispatched_by_id=r.choice(self.dispatchers), dispatched_at=dispatched,
                    dispatch_note="请辖区派出所立即出警核实。", incident_no=incident)

    def threads(self, conn_factory) -> None:
        r = self.rng
        start = ANCHOR - timedelta(days=SPAN_DAYS)
        step = SPAN_DAYS * 86400 / self.n_threads
        has_escalation = "escalation" in self.md
        counts: dict[int, int] = {}
        post_id, made, t0 = 0, 0, time.time()
        for lo in range(1, self.n_threads + 1, self.chunk):
            hi = min(lo + self.chunk, self.n_threads + 1)
            t_rows, p_rows, e_rows = [], [], []
            for tid in range(lo, hi):
                created = start + timedelta(seconds=(tid - 1) * step + r.random() * step)
                row, posts, esc = self._thread(tid, created)
                for p in posts:
                    post_id += 1
                    p["id"] = post_id
                t_rows.append(row)
                p_rows.extend(posts)
                if esc and has_escalation:
                    e_rows.append(esc)
                counts[row["board_id"]] = counts.get(row["board_id"], 0) + 1
            with conn_factory() as conn:
                self._insert(conn, "thread", t_rows)
                for i in range(0, len(p_rows), self.chunk):
                    self._insert(conn, "post", p_rows[i:i + self.chunk])
                self._insert(conn, "escalation", e_rows)
            made = hi - 1
            rate = made / max(time.time() - t0, 1e-6)
            print(f"  threads: {made}/{self.n_threads}  posts: {post_id}  ({rate:,.0f} threads/s)",
                  flush=True)
        self.counts, self.n_posts = counts, post_id

    def finish(self, conn) -> None:
        """Board counters, a few pinned notices per board, PostgreSQL sequences."""
        db = self.db
        for board_id, count in self.counts.items():
            conn.execute(db.text("UPDATE board SET thread_count = :c WHERE id = :b"),
                         {"c": count, "b": board_id})
        for b in self.boards:  # the two newest publicity/normal threads of each board are pinned
            ids = conn.execute(db.text(
                "SELECT id FROM thread WHERE board_id = :b AND visibility = 'public' "
                "ORDER BY id LIMIT 2"), {"b": b.id}).scalars().all()
            for i, tid in enumerate(ids):
                conn.execute(
                    db.text("UPDATE thread SET pinned = :t, pinned_at = :at WHERE id = :id"),
                    {"t": True, "at": ANCHOR - timedelta(days=i), "id": tid})
        if conn.dialect.name == "postgresql":
            for table in ("user", "thread", "post", "escalation"):
                if table in self.md:
                    conn.execute(db.text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM \"{table}\"), 1))"))
            conn.execute(db.text("ANALYZE"))
        else:
            conn.execute(db.text("ANALYZE"))


def reindex_search(app) -> str:
    """Fill the search index with whatever bulk entry point board.search offers."""
    try:
        import board.search as search
    except ImportError:
        return "no board.search module: search index not built"
    for name in ("reindex", "rebuild", "reindex_all", "bulk_index"):
        fn = getattr(search, name, None)
        if callable(fn):
            t0 = time.time()
            with app.app_context():
                fn()
            return f"search index rebuilt with board.search.{name}() in {time.time() - t0:.0f}s"
    import subprocess

    env = dict(os.environ, FLASK_APP="board:create_app")
    done = subprocess.run([sys.executable, "-m", "flask", "search", "reindex"], env=env,
                          cwd=str(Path(__file__).resolve().parent.parent))
    return f"`flask search reindex` exited {done.returncode}"


def generate(threads: int, seed: int = 7, chunk: int = 5000, search: bool = True) -> dict:
    from flask_migrate import upgrade

    from board import create_app
    from board.extensions import db
    from board.services import boards

    app = create_app()
    t0 = time.time()
    with app.app_context():
        upgrade()
        boards.sync(app.config["BOARDS_CONFIG"])
        if db.session.scalar(db.text("SELECT id FROM thread LIMIT 1")) is not None:
            raise SystemExit("the database already has threads: point DATABASE_URL/BOARD_INSTANCE "
                             "at an empty one")
        db.session.remove()
        engine = db.engine
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA synchronous=OFF")
        gen = Generator(app, threads, seed, chunk)
        with engine.begin() as conn:
            gen.users(conn)
        gen.threads(engine.begin)
        with engine.begin() as conn:
            gen.finish(conn)
        engine.dispose()
    took = time.time() - t0
    print(f"generated {threads} threads, {gen.n_posts} posts in {took:.0f}s", flush=True)
    note = reindex_search(app) if search else "search index skipped (--no-search)"
    print(note, flush=True)
    return {"threads": threads, "posts": gen.n_posts, "seconds": took, "search": note}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=100_000)
    parser.add_argument("--million", action="store_true", help="1,000,000 threads")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--chunk", type=int, default=5000)
    parser.add_argument("--no-search", action="store_true", help="skip the search index")
    args = parser.parse_args()
    generate(1_000_000 if args.million else args.threads, args.seed, args.chunk,
             search=not args.no_search)


if __name__ == "__main__":
    main()
