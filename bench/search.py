"""Search benchmark (issue 4): quality and speed of each backend on a generated police Q&A corpus.

    python bench/search.py                  # 10k threads, whoosh + postgres + two references
    python bench/search.py --threads 100000 # the 100k target run
    python bench/search.py --backends whoosh,postgres --no-references
    python bench/search.py --threads 1000000 --backends postgres --no-references \
        --pg-keep board_bench_1m              # load 1M once; later runs reuse it
    python bench/search.py --threads 100000 --no-references --whoosh-keep /tmp/whoosh-100k
                                              # build the 100k Whoosh index once; reuse it

The corpus is deterministic (seeded): Zipf-weighted police-service topics, questions, official
answers, ~15% traditional text, districts and stations, plate and phone numbers. Labelled
queries target "needle" threads whose relevant set the generator knows exactly: a plate, a
phone number, a unique estate name plus a topic word (also across traditional ↔ simplified), and
quoted phrases. Reported per backend: build throughput, index size, latency p50/p95/p99 over a
fixed set of 1–3 word queries (result cache off), recall@10, MRR, and reply-to-searchable time.
The board's queries run as its search page runs them (`results.ranked`: every word required,
then, when no thread has them all, the closest threads); each backend is measured twice, the
words alone and with the thesaurus and correction (issue 16: "+ thesaurus+correction", its p95
against the plain p95 of the same run). The two run in turns on each query, before the
reply-searchable test adds segments and deletions to the index, so both meet the same index and
the same moment of a shared machine (they used to run one after the other, the second on an
index with deletions the first had not met).
References in the same run: Whoosh's default analyzer and jieba's stock ChineseAnalyzer.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from opencc import OpenCC  # noqa: E402

from board.search import analyzer  # noqa: E402
from board.search.documents import Doc  # noqa: E402
from board.search.results import ranked, ranked_in_words  # noqa: E402
from board.search.types import SearchRequest  # noqa: E402

TOPICS = [  # (board, keyword, question templates, official answer)
    ("hukou", "户口簿", ["户口簿丢了怎么补办", "户口簿损坏能换吗", "补办户口簿需要什么材料"],
     "户口簿遗失可到户籍所在地派出所户籍窗口申请补领,携带居民身份证即可。"),
    ("exit-entry", "护照", ["护照能加急办理吗", "护照过期了怎么换发", "办护照需要多久"],
     "因出国留学、就医等紧急事由可申请加急,一般5个工作日内出证。"),
    ("traffic", "驾驶证", ["驾驶证到期换证要体检吗", "驾驶证丢了怎么补", "驾驶证扣满12分怎么办"],
     "驾驶证换证可到车管服务站办理,年满70周岁需提交身体条件证明。"),
    ("hukou", "居住证", ["居住证怎么办理", "居住证到期怎么续签", "居住证有什么用"],
     "居住证可在居住地派出所申领,需提供身份证和居住证明。"),
    ("hukou", "落户", ["大专学历能落户吗", "投靠子女落户需要什么", "人才引进落户流程"],
     "全日制大专以上学历可凭毕业证和身份证申请落户。"),
    ("qa", "无犯罪记录证明", ["无犯罪记录证明在哪开", "出国要无犯罪记录证明怎么办"],
     "无犯罪记录证明可到户籍地派出所申请,一般3个工作日内出具。"),
    ("exit-entry", "港澳通行证", ["港澳通行证签注怎么办", "港澳通行证可以自助签注吗"],
     "港澳通行证签注可在自助签注机办理,持有效证件即可。"),
    ("law", "电信诈骗", ["接到冒充客服电话是电信诈骗吗", "被电信诈骗骗了钱怎么办"],
     "公检法机关不会通过电话办案,不存在安全账户,被骗后请立即报警。"),
    ("environment", "噪音", ["楼下烧烤店噪音扰民", "工地夜间施工噪音太大", "广场舞噪音怎么投诉"],
     "噪音扰民可拨打110或向环保部门反映,我们会安排民警核查。"),
    ("traffic", "违停", ["小区门口车辆违停堵路", "消防通道被违停车辆占用"],
     "已通知辖区交警中队到现场处理违停车辆。"),
    ("report", "飙车", ["半夜有人飙车很吵", "改装摩托车飙车"], "已安排夜间巡逻警力加强巡查。"),
    ("hukou", "身份证", ["身份证快到期了异地可以换领吗", "身份证丢了怎么办临时身份证"],
     "身份证可在全国任一派出所异地换领,丢失可申请临时身份证。"),
    ("anti-drug", "禁毒", ["发现有人吸毒怎么举报", "禁毒宣传进校园"],
     "可拨打禁毒举报电话,我们严格保密。"),
    ("legal-aid", "法律援助", ["欠薪可以申请法律援助吗", "法律援助需要什么条件"],
     "经济困难的当事人可向法律援助中心申请法律援助。"),
    ("traffic", "电动车", ["电动车被盗怎么报警", "电动车上牌需要什么"],
     "电动车被盗请立即报警并提供购车凭证。"),
]
DISTRICTS = ["东河区", "青山区", "昆都仑区", "九原区", "石拐区"]
STATIONS = ["南门外", "富强路", "钢铁大街", "阿尔丁", "民族东路", "少先路"]
FILLER = ["请问", "想咨询一下", "家里老人问", "着急", "谢谢民警同志", "麻烦尽快回复", "在线等"]
NAME_CHARS = "锦华泰安康宁嘉和美景苑府庭园盛世翠湖枫林御龙祥瑞欣悦丰汇铭博雅"
COMMON_QUERIES = ["护照", "户口", "噪音", "驾驶证 换证", "户口簿 补办", "护照 加急",
                  "居住证", "落户 学历", "电信诈骗", "港澳通行证 签注", "违停", "身份证 异地",
                  "无犯罪记录证明", "电动车 被盗", "法律援助"]


def zipf_choice(rng: random.Random, items: list, s: float = 1.1):
    weights = [1 / (i + 1) ** s for i in range(len(items))]
    return rng.choices(items, weights)[0]


def generate(n: int, seed: int = 4):
    """Threads as Docs plus labelled queries [(query, relevant thread id)]."""
    rng = random.Random(seed)
    s2t = OpenCC("s2t")
    start = datetime(2024, 1, 1, tzinfo=UTC)
    docs, labels, used_names = [], [], set()
    for i in range(1, n + 1):
        board, keyword, questions, answer = zipf_choice(rng, TOPICS)
        district, station = rng.choice(DISTRICTS), rng.choice(STATIONS)
        title = rng.choice(questions)
        body = f"{rng.choice(FILLER)},我住在{district}{station}附近,{title}?"
        needle = i % 97 == 0  # needles are public: the labelled queries search as the public
        if needle:  # a labelled thread with something only it contains
            name = "".join(rng.sample(NAME_CHARS, 3)) + "小区"
            while name in used_names:
                name = "".join(rng.sample(NAME_CHARS, 3)) + "小区"
            used_names.add(name)
            plate = f"蒙B{rng.randrange(10000, 99999)}"
            phone = f"139{rng.randrange(10**7, 10**8)}"
            body += f"地址是{name},车牌{plate},电话{phone}。"
            title = f"{name}{title}"
            kind = len(labels) % 4
            if kind == 0:
                labels.append((f"{name} {keyword}", i))
            elif kind == 1:
                labels.append((plate, i))
            elif kind == 2:
                labels.append((phone, i))
            else:
                labels.append((f'"{name}"', i))
        traditional = rng.random() < 0.15 or (needle and len(labels) % 5 == 0)
        if traditional:
            title, body = s2t.convert(title), s2t.convert(body)
        official = rng.random() < 0.8
        content = "\n".join([title, body] + ([answer] if official else []))
        docs.append(Doc(thread_id=i, board=board, kind="question",
                        status="answered" if official else "awaiting_reply", answered=official,
                        visibility="public" if needle or rng.random() > 0.03 else "police_only",
                        created=start + timedelta(minutes=37 * i), title=title, content=content))
    # Traditional ↔ simplified pairs: the same needle queried in the other script.
    for q, target in list(labels[::6]):
        labels.append((s2t.convert(q), target))
    return docs, labels


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def quality(search_fn, labels, name: str = "") -> tuple[float, float]:
    """recall@10 and MRR; the labelled queries that missed are printed (diagnosis)."""
    found, rr, missed = 0, 0.0, []
    for q, target in labels:
        top = search_fn(q)[:10]
        if target in top:
            found += 1
            rr += 1 / (top.index(target) + 1)
        else:
            missed.append((q, target))
    if missed and name:
        print(f"  {name}: {len(missed)} missed, e.g. {missed[:5]}", flush=True)
    return found / len(labels), rr / len(labels)


def latency(search_fn, queries: list[str], rounds: int = 3) -> list[float]:
    return paired_latency([search_fn], queries, rounds)[0]


def paired_latency(search_fns, queries: list[str], rounds: int = 3) -> list[list[float]]:
    """ms per query for each function, run in turns on each query (the same moment of a noisy
    machine, the same index state), so their percentiles compare."""
    times: list[list[float]] = [[] for _ in search_fns]
    for _ in range(rounds):
        for q in queries:
            for fn, out in zip(search_fns, times, strict=True):
                t0 = time.perf_counter()
                fn(q)
                out.append((time.perf_counter() - t0) * 1000)
    return times


def request(q: str) -> SearchRequest:
    loose, phrases = analyzer.parse_query(q)
    return SearchRequest(terms=tuple(loose), phrases=tuple(tuple(p) for p in phrases), limit=10)


def page_search(index, th):
    """Thread ids for a query as the search page finds them. `th` None: the words alone (the
    board before issue 16); else a thesaurus (board/search/thesaurus.py), then, when no thread
    has every word, the pinyin/look-alike correction (board/search/correction.py)."""
    from board.search import correction, language

    vocabulary = sorted({"".join(k) for k in th.entries}) if th else []

    def ids(q: str):
        req = request(q)
        if th is None:
            return ranked(index, req)
        return ranked_in_words(index, req, language.expand_request(req, th, index.has_word))[:2]

    def run(q: str) -> list[int]:
        if hasattr(index, "_cache"):
            index._cache.clear()  # measure the index, not the result cache
        hits, exact = ids(q)
        if th is not None and not exact:
            fixed = correction.correct(q, index.has_word, vocabulary)
            if fixed and (better := ids(fixed))[1]:
                hits = better[0]
        return [i for i, _ in hits.items]

    return run


def language_run(index):
    """The search page's run with the shipped thesaurus and the correction (warmed up)."""
    from board.search import thesaurus

    run = page_search(index, thesaurus.current.get(lambda: []))
    run("护照")
    return run


def report_language(name, run, labels, times, plain_times) -> None:
    """The same queries with the shipped thesaurus and the correction: latency and quality.
    `times` were measured in turns with `plain_times` (`paired_latency`)."""
    recall, mrr = quality(run, labels, name)
    base, p95 = percentile(plain_times, 95), percentile(times, 95)
    print(f"{'  + thesaurus+correction':<22} p50 {percentile(times, 50):6.1f} p95 {p95:6.1f} "
          f"p99 {percentile(times, 99):6.1f} ms (p95 {100 * (p95 - base) / base:+.0f} %) | "
          f"recall@10 {recall:.3f} MRR {mrr:.3f}", flush=True)


def report(name, n, build_s, size, times, recall, mrr, fresh_ms):
    build = f"{n / build_s:8.0f} threads/s" if build_s else "(kept index)"
    print(f"{name:<22} {n:>7} threads | build {build} | "
          f"size {size / 1e6:7.1f} MB | p50 {percentile(times, 50):6.1f} "
          f"p95 {percentile(times, 95):6.1f} p99 {percentile(times, 99):6.1f} ms | "
          f"recall@10 {recall:.3f} MRR {mrr:.3f} | reply searchable "
          f"{f'{fresh_ms:.0f} ms' if fresh_ms is not None else 'n/a'}", flush=True)


def batches(docs, size=1000):
    for i in range(0, len(docs), size):
        yield docs[i:i + size]


def with_reply(doc: Doc, word: str) -> Doc:
    return Doc(doc.thread_id, doc.board, doc.kind, doc.status, doc.answered, doc.visibility,
               doc.created, doc.title, doc.content + f"\n补充回复:暗号{word}")


def reply_searchable(index, docs, run, timeout: float = 30.0) -> float | None:
    """ms from the indexer's write of a new reply to a query finding it (a public thread)."""
    doc = next(d for d in docs[len(docs) // 2:] if d.visibility == "public")
    t0 = time.perf_counter()
    index.apply([with_reply(doc, "甲乙丙丁")], ())
    try:
        while doc.thread_id not in run("甲乙丙丁"):
            if time.perf_counter() - t0 > timeout:
                return None
            time.sleep(0.005)
        return (time.perf_counter() - t0) * 1000
    finally:
        index.apply([doc], ())  # as it was, so a kept index measures the same next time


def whoosh_index(docs, workdir, keep: str | None = None):
    """The corpus in a Whoosh index, and its build time (None: a kept index was reused).
    `keep`: a directory to build in once and reuse (100k threads take minutes to index)."""
    from board.search.whoosh_index import WhooshIndex

    index = WhooshIndex(Path(keep or workdir) / "whoosh")
    if keep and index.path.exists() and index.doc_count() == len(docs):
        return index, None
    t0 = time.perf_counter()
    index.rebuild(batches(docs[::-1]), lambda n: None)  # newest first, as `reindex` does
    return index, time.perf_counter() - t0


def bench_whoosh(docs, labels, queries, workdir, keep: str | None = None):
    index, build = whoosh_index(docs, workdir, keep)

    def run(q):
        index._cache.clear()  # measure the index, not the result cache
        return [i for i, _ in ranked(index, request(q))[0].items]

    run("护照")  # open the searcher once, as a process does at start
    run_language = language_run(index)
    times, language_times = paired_latency([run, run_language], queries)
    recall, mrr = quality(run, labels, "whoosh (board)")
    fresh = reply_searchable(index, docs, run)  # last: it adds segments and deletions
    report("whoosh (board)", len(docs), build, index.size_bytes(), times, recall, mrr, fresh)
    report_language("whoosh (board)", run_language, labels, language_times, times)
    for q in queries:  # fill the result cache once, as the commonest queries do in a day
        index.search(request(q))
    warm = latency(lambda q: index.search(request(q)), queries)
    print(f"{'  with result cache':<22} p50 {percentile(warm, 50):.2f} p95 "
          f"{percentile(warm, 95):.2f} p99 {percentile(warm, 99):.2f} ms", flush=True)


def load_postgres(db, docs, index) -> float:
    """Threads as rows, then their vectors through the index (the timed part): seconds."""
    import sqlalchemy as sa
    from flask import current_app

    from board.services import boards

    boards.sync(current_app.config["BOARDS_CONFIG"])
    board_ids = dict(db.session.execute(sa.text("SELECT slug, id FROM board")).all())
    db.session.execute(sa.text(
        "INSERT INTO \"user\" (id, username, password_hash, nickname, role, disabled, "
        "created_at) VALUES (1, 'bench', 'x', 'bench', 'citizen', false, now())"))
    db.session.commit()
    cols = [c.name for c in db.metadata.tables["thread"].columns]
    rows = []
    for d in docs:
        row = {c: None for c in cols}
        row.update(id=d.thread_id, board_id=board_ids[d.board], author_id=1,
                   kind=d.kind, title=d.title[:120], body=d.content, body_html="",
                   status=d.status, visibility=d.visibility, pinned=False, locked=False,
                   reply_count=0, has_official_reply=d.answered, created_at=d.created,
                   last_activity_at=d.created, hidden=False)
        for c in db.metadata.tables["thread"].columns:  # other issues' flags
            if row[c.name] is None and not c.nullable and c.default is not None:
                row[c.name] = c.default.arg if not callable(c.default.arg) else d.created
        rows.append(row)
    for chunk in batches(rows, 2000):
        db.session.execute(db.metadata.tables["thread"].insert(), chunk)
    db.session.commit()
    t0 = time.perf_counter()
    index.rebuild(batches(docs), lambda n: None)
    build = time.perf_counter() - t0
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(sa.text("VACUUM ANALYZE thread"))
    return build


def bench_postgres(docs, labels, queries, admin_url, keep: str | None = None):
    """`keep`: a database to reuse (loaded once, kept afterwards) when tuning queries at 1M."""
    import sqlalchemy as sa

    from board import create_app
    from board.config import TestConfig
    from board.extensions import db
    from board.search.postgres_index import PostgresIndex

    name = keep or f"board_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    tmp = Path(tempfile.mkdtemp(prefix="search-bench-pg"))
    try:
        app = create_app(TestConfig(tmp, url))
        with app.app_context():
            import logging

            from flask_migrate import upgrade
            logging.disable(logging.INFO)
            upgrade()
            index = PostgresIndex(lambda: db.engine)
            build = None
            if index.doc_count() != len(docs):
                build = load_postgres(db, docs, index)

            def run(q):
                return [i for i, _ in ranked(index, request(q))[0].items]

            run("护照")
            run_language = language_run(index)
            times, language_times = paired_latency([run, run_language], queries)
            recall, mrr = quality(run, labels, "postgres (board)")
            fresh = reply_searchable(index, docs, run)
            report("postgres (board)", len(docs), build, index.size_bytes(), times, recall,
                   mrr, fresh)
            report_language("postgres (board)", run_language, labels, language_times, times)
            db.session.remove()
            db.engine.dispose()
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                     "WHERE datname = :n"), {"n": name})
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        shutil.rmtree(tmp, ignore_errors=True)


def bench_reference(label, make_analyzer, docs, labels, queries, workdir):
    """A plain Whoosh schema with another analyzer, queried through QueryParser (AND)."""
    from whoosh import index as windex
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import MultifieldParser

    schema = Schema(thread_id=ID(stored=True), title=TEXT(analyzer=make_analyzer()),
                    content=TEXT(analyzer=make_analyzer()))
    path = Path(workdir) / label.replace(" ", "_")
    path.mkdir()
    ix = windex.create_in(str(path), schema)
    t0 = time.perf_counter()
    writer = ix.writer(limitmb=128)
    for d in docs:
        writer.add_document(thread_id=str(d.thread_id), title=d.title, content=d.content)
    writer.commit(optimize=True)
    build = time.perf_counter() - t0
    searcher = ix.searcher()
    parser = MultifieldParser(["title", "content"], schema)

    def run(q):
        return [int(h["thread_id"]) for h in searcher.search(parser.parse(q), limit=10)]

    times = latency(run, queries)
    recall, mrr = quality(run, labels)
    size = sum(f.stat().st_size for f in path.glob("*"))
    report(label, len(docs), build, size, times, recall, mrr, None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=10_000)
    parser.add_argument("--backends", default="whoosh,postgres")
    parser.add_argument("--no-references", action="store_true")
    parser.add_argument("--pg-admin-url", default=os.environ.get(
        "BOARD_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--pg-keep", metavar="DATABASE",
                        help="load into this database once and keep it (for tuning queries)")
    parser.add_argument("--whoosh-keep", metavar="DIR",
                        help="build the Whoosh index in this directory once and reuse it")
    args = parser.parse_args()
    analyzer.load()
    t0 = time.perf_counter()
    docs, labels = generate(args.threads)
    print(f"corpus: {len(docs)} threads, {len(labels)} labelled queries, "
          f"{len(COMMON_QUERIES) + 15} latency queries x3 (generated in "
          f"{time.perf_counter() - t0:.1f} s)", flush=True)
    queries = COMMON_QUERIES + [q for q, _ in labels[:15]]
    workdir = tempfile.mkdtemp(prefix="search-bench-")
    try:
        if "whoosh" in args.backends:
            bench_whoosh(docs, labels, queries, workdir, args.whoosh_keep)
        if "postgres" in args.backends:
            bench_postgres(docs, labels, queries, args.pg_admin_url, args.pg_keep)
        if not args.no_references:
            from whoosh.analysis import StandardAnalyzer

            bench_reference("whoosh default analyzer", StandardAnalyzer, docs, labels, queries,
                            workdir)
            from jieba.analyse import ChineseAnalyzer

            bench_reference("jieba ChineseAnalyzer", ChineseAnalyzer, docs, labels, queries,
                            workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
