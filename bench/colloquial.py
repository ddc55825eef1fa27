"""Colloquial search benchmark (issue 16): residents' words against threads in official wording.

    python bench/colloquial.py                       # Whoosh, 5,000 distractors
    python bench/colloquial.py --pg                  # and PostgreSQL (127.0.0.1:5432)
    python bench/colloquial.py --distractors 20000

bench/colloquial_queries.yaml holds ~60 target threads written as the police write them, each
with the ways residents ask for them (everyday words, abbreviations, wrong characters, another
word order). They are indexed among generated distractors (bench/search.py's police Q&A corpus
and bench/dataset.py's board topics) with the same index code the board runs. Each backend is
measured twice in one run: "plain" (no thesaurus, no correction: the board before issue 16) and
"language" (the shipped thesaurus, then the pinyin/look-alike correction when nothing is found,
as the search page does). Reported: recall@5 and MRR over the labelled queries.
"""
from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import dataset  # noqa: E402
from bench import search as sbench  # noqa: E402
from board.search import analyzer  # noqa: E402
from board.search import thesaurus as thesaurus_mod  # noqa: E402
from board.search.documents import Doc  # noqa: E402
from board.search.thesaurus import Thesaurus  # noqa: E402

DATA = Path(__file__).with_name("colloquial_queries.yaml")
TOP = 5


def distractors(n: int, seed: int = 16) -> list[Doc]:
    """Half bench/search.py's corpus, half threads from bench/dataset.py's board topics."""
    docs, _ = sbench.generate(n // 2, seed=seed)
    rng = random.Random(seed)
    slugs, weights = zip(*dataset.BOARD_WEIGHTS.items(), strict=True)
    start = docs[-1].created
    for i in range(len(docs) + 1, n + 1):
        board = rng.choices(slugs, weights)[0]
        titles, sentences = dataset.TOPICS.get(board, dataset.TOPICS["qa"])
        title = rng.choice(titles).format(p=rng.choice(dataset.PLACES), n=rng.randint(1, 99))
        body = "".join(rng.choice(sentences) for _ in range(rng.randint(2, 5)))
        answered = rng.random() < 0.8
        content = "\n".join([title, body] + ([rng.choice(dataset.ANSWERS)] if answered else []))
        docs.append(Doc(thread_id=i, board=board, kind="question",
                        status="answered" if answered else "awaiting_reply", answered=answered,
                        visibility="public", created=start + timedelta(minutes=11 * i),
                        title=title, content=content))
    return docs


def _template(title: str) -> re.Pattern:
    """A generated title's pattern: {p} any place, an estate name may precede it."""
    return re.compile(".*" + re.escape(title).replace(re.escape("{p}"), ".+") + "$")


def targets(first_id: int, generated: list[Doc]):
    """The official threads (ids from `first_id`), the labelled queries [(query, id)], and per
    target the generated threads that ask the same question (its yaml `same_question`)."""
    docs, labels, same = [], [], {}
    when = sbench.datetime(2026, 6, 1, tzinfo=sbench.UTC)
    titles = [(d.thread_id, analyzer.fold(d.title)) for d in generated]  # traditional folded
    for n, item in enumerate(yaml.safe_load(DATA.read_text(encoding="utf-8"))):
        tid = first_id + n
        docs.append(Doc(thread_id=tid, board=item["board"], kind="question", status="answered",
                        answered=True, visibility="public", created=when + timedelta(hours=n),
                        title=item["title"], content=f"{item['title']}\n{item['body']}"))
        labels += [(str(q), tid) for q in item["queries"]]
        patterns = [_template(t) for t in item.get("same_question", ())]
        same[tid] = {i for i, t in titles if any(p.match(t) for p in patterns)}
    return docs, labels, same


def searcher(index, th: Thesaurus | None):
    """Thread ids for a query, as the search page finds them; `th` None: the board before."""
    return sbench.page_search(index, th)


def quality(run, labels, same, name: str, show: int) -> tuple[float, float]:
    """recall@TOP and MRR: a hit is the target or a generated thread asking the same question;
    the target alone is reported beside it."""
    found, alone, rr, missed = 0, 0, 0.0, []
    for q, target in labels:
        top = run(q)[:TOP]
        relevant = [k for k, i in enumerate(top) if i == target or i in same[target]]
        alone += target in top
        if relevant:
            found += 1
            rr += 1 / (relevant[0] + 1)
        else:
            missed.append(q)
    n = len(labels)
    print(f"{name:<28} recall@{TOP} {found / n:.3f}  MRR {rr / n:.3f}  ({found}/{n}); "
          f"the target itself in the top {TOP}: {alone / n:.3f}", flush=True)
    if show and missed:
        print(f"  missed: {' | '.join(missed[:show])}", flush=True)
    return found / n, rr / n


def measure(label: str, index, labels, same, show: int) -> None:
    th = thesaurus_mod.current.get(lambda: [])  # the shipped file, no admin groups
    quality(searcher(index, None), labels, same, f"{label} plain", show)
    quality(searcher(index, th), labels, same, f"{label} thesaurus+correction", show)


def bench_whoosh(docs, workdir, run) -> None:
    """`run(label, index)` on a Whoosh index of `docs`."""
    from board.search.whoosh_index import WhooshIndex

    index = WhooshIndex(Path(workdir) / "whoosh")
    index.rebuild(sbench.batches(docs[::-1]), lambda n: None)
    run("whoosh", index)


def bench_postgres(docs, admin_url: str, run) -> None:
    """`run(label, index)` on a throw-away database loaded by bench/search.py's loader."""
    import uuid

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from board import create_app
    from board.config import TestConfig
    from board.extensions import db
    from board.search.postgres_index import PostgresIndex

    name = f"board_colloquial_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    tmp = Path(tempfile.mkdtemp(prefix="colloquial-pg"))
    try:
        app = create_app(TestConfig(tmp, admin_url.rsplit("/", 1)[0] + f"/{name}"))
        with app.app_context():
            import logging
            logging.disable(logging.INFO)
            upgrade()
            index = PostgresIndex(lambda: db.engine)
            sbench.load_postgres(db, docs, index)
            run("postgres", index)
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :n"), {"n": name})
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distractors", type=int, default=5000)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL as well")
    parser.add_argument("--no-whoosh", action="store_true")
    parser.add_argument("--show-missed", type=int, default=0, metavar="N")
    parser.add_argument("--pg-admin-url", default=sbench.os.environ.get(
        "BOARD_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    analyzer.load()
    docs = distractors(args.distractors)
    official, labels, same = targets(len(docs) + 1, docs)
    docs += official
    print(f"corpus: {len(official)} official threads + {args.distractors} distractors, "
          f"{len(labels)} colloquial queries; recall@{TOP}, MRR", flush=True)
    workdir = tempfile.mkdtemp(prefix="colloquial-")
    try:
        def run(label, index):
            measure(label, index, labels, same, args.show_missed)

        if not args.no_whoosh:
            bench_whoosh(docs, workdir, run)
        if args.pg:
            bench_postgres(docs, args.pg_admin_url, run)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
