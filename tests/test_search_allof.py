"""Whoosh's required words as one flat intersection (whoosh_index.AllOf): the same threads as
Whoosh's own And, for the typed words, their thesaurus forms (several-word forms asked about
each thread rather than walked), phrases and filters; each scored as the sum over the query's
words of its best matching form. (Whoosh's DisjunctionMax took the best of its forms' current
scores, one of which could be another thread's: the reference here scores each form on the
thread itself.)"""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from whoosh.query import And, AndNot, DisjunctionMax

from bench import search as sbench
from board.search import analyzer, language, thesaurus
from board.search import whoosh_index as wi

QUERIES = ["户口簿 补办", "护照 加急", "港澳通行证 签注", "电动车 被盗", "驾驶证 换证",
           "身份证 异地", "户口本 补办 东河区", '"钢铁大街" 噪音', "违停", "居住证 续签 东河区"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    analyzer.load()
    docs, labels = sbench.generate(3000)
    index = wi.WhooshIndex(tmp_path_factory.mktemp("allof") / "whoosh")
    index.rebuild(sbench.batches(docs[::-1]), lambda n: None)
    queries = QUERIES + [q for q, _ in labels[:12]]  # estate names: one rare word leads
    return index, queries


def _requests(index, queries):
    th = thesaurus.current.get(lambda: [])
    for q in queries:
        plain = sbench.request(q)
        expanded = language.expand_request(plain, th, index.has_word)
        yield plain
        yield expanded
        yield replace(expanded, board="hukou", answered=True)
        yield replace(plain, since=datetime(2024, 3, 1, tzinfo=UTC), police=True)


def _all_hits(index, req) -> dict[int, float]:
    searcher = index.searcher()
    return {hit.docnum: round(hit.score, 6)
            for hit in searcher.search(index._query(req), limit=None)}


def _reference_scores(index, req, docnums) -> dict[int, float]:
    """Each required child's best form scored on the thread itself, summed."""
    searcher = index.searcher()
    query = index._query(req)
    top = query.a if isinstance(query, AndNot) else query
    children = top.subqueries if isinstance(top, wi.AllOf) else [top]
    scores = {}
    for docnum in docnums:
        total = 0.0
        for child in children:
            best = None
            for form in child.subqueries if isinstance(child, DisjunctionMax) else [child]:
                m = form.matcher(searcher, searcher.context())
                if m.is_active() and m.id() < docnum:
                    m.skip_to(docnum)
                if m.is_active() and m.id() == docnum:
                    best = max(best or 0.0, m.score())
            assert best is not None, (req.terms, docnum)
            total += best
        scores[docnum] = round(total, 6)
    return scores


def test_flat_intersection_finds_what_whoosh_and_finds(corpus, monkeypatch):
    index, queries = corpus
    requests = list(_requests(index, queries))
    assert any(isinstance(getattr(index._query(r), "a", None), wi.AllOf) for r in requests)
    ours = [_all_hits(index, r) for r in requests]
    assert sum(len(h) for h in ours) > 1000  # the requests match something
    for req, hits in zip(requests, ours, strict=True):
        assert {d: hits[d] for d in list(hits)[:40]} == _reference_scores(
            index, req, list(hits)[:40]), (req.terms, req.groups, req.board)
    monkeypatch.setattr(wi, "AllOf", And)
    for req, hits in zip(requests, ours, strict=True):
        assert set(hits) == set(_all_hits(index, req)), (req.terms, req.groups, req.board)


def test_the_window_counts_every_match_up_to_the_reachable_pages(corpus):
    index, _ = corpus
    req = sbench.request("户口簿 补办")
    index._cache.clear()
    assert index.search(req).total == min(wi.MAX_TOTAL, len(_all_hits(index, req)))
