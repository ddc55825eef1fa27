"""Officers' suggested answers benchmark (issue 16): new questions against past answered threads.

    python bench/suggestions.py             # Whoosh, the colloquial corpus (5,000 distractors)
    python bench/suggestions.py --pg        # and PostgreSQL (127.0.0.1:5432)

bench/suggestion_questions.yaml holds new questions as residents post them (title, body, board),
each labelled with the past thread whose official answer fits best (one of the official threads
of bench/colloquial_queries.yaml; the generated threads asking the very same question count as
well). The corpus is bench/colloquial.py's. Measured twice in one run:
- "before": the suggestions as they were (the question's words as analyzed, fillers included, no
  thesaurus, no preference for the question's board);
- "after": `results.similar_request` and `results.prefer_near`, as `answer_suggestions` runs them.
Reported: hit@3 (the best answer among the three suggestions) and MRR (first relevant in the
three).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import colloquial  # noqa: E402
from board.search import analyzer, results  # noqa: E402
from board.search import thesaurus as thesaurus_mod  # noqa: E402
from board.search.types import SearchRequest  # noqa: E402

DATA = Path(__file__).with_name("suggestion_questions.yaml")
TOP = 3
WIDE = TOP * 4  # answer_suggestions asks for this many before preferring and keeping TOP


def questions(official) -> list[tuple[dict, int]]:
    by_title = {d.title: d.thread_id for d in official}
    return [(q, by_title[q["answer"]]) for q in yaml.safe_load(DATA.read_text(encoding="utf-8"))]


def before(index, docs, q: dict) -> list[int]:
    text = f"{q['title']} {q['body'][:60]}"
    req = SearchRequest(terms=tuple(analyzer.terms(text)[:12]), any_terms=True, limit=TOP + 2,
                        answered=True)
    return [i for i, _ in index.search(req).items][:TOP]


def after(index, docs, q: dict, th) -> list[int]:
    text = f"{q['title']} {q['body'][:60]}"
    req = results.similar_request(text, limit=WIDE, th=th, indexed=index.has_word,
                                  answered=True, at_least=1)
    items = index.search(req).items
    ranked = results.prefer_near(items, lambda it: it[1],
                                 lambda it: docs[it[0]].board == q["board"],
                                 lambda it: docs[it[0]].kind == "question")
    return [i for i, _ in ranked][:TOP]


def report(name: str, found: list[list[int]], labels, same) -> None:
    hits, rr = 0, 0.0
    for top, target in zip(found, labels, strict=True):
        relevant = [k for k, i in enumerate(top) if i == target or i in same[target]]
        if relevant:
            hits += 1
            rr += 1 / (relevant[0] + 1)
    n = len(labels)
    print(f"{name:<20} hit@{TOP} {hits / n:.3f}  MRR {rr / n:.3f}  ({hits}/{n})", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distractors", type=int, default=5000)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL as well")
    parser.add_argument("--no-whoosh", action="store_true")
    parser.add_argument("--pg-admin-url", default=colloquial.sbench.os.environ.get(
        "BOARD_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    analyzer.load()
    docs = colloquial.distractors(args.distractors)
    official, _labels, same = colloquial.targets(len(docs) + 1, docs)
    docs += official
    by_id = {d.thread_id: d for d in docs}
    asked = questions(official)
    labels = [target for _, target in asked]
    th = thesaurus_mod.current.get(lambda: [])  # the shipped file, no admin groups
    print(f"corpus: {len(docs)} threads; {len(asked)} new questions; hit@{TOP}, MRR", flush=True)

    def run(label, index):
        for name, pick in (("before", lambda q: before(index, by_id, q)),
                           ("after", lambda q: after(index, by_id, q, th))):
            if hasattr(index, "_cache"):
                index._cache.clear()
            report(f"{label} {name}", [pick(q) for q, _ in asked], labels, same)

    workdir = tempfile.mkdtemp(prefix="suggestions-")
    try:
        if not args.no_whoosh:
            colloquial.bench_whoosh(docs, workdir, run)
        if args.pg:
            colloquial.bench_postgres(docs, args.pg_admin_url, run)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
