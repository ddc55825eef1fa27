"""Expanded queries on a realistic index: the bench's colloquial corpus (5,000 distractors and
60 threads in official wording), searched as the search page does. Whoosh's block-quality
skipping used to raise IndexError on some thesaurus-expanded fallbacks (a 500 on the page)."""
from __future__ import annotations

import pytest

from bench import colloquial
from board.search import analyzer, thesaurus
from board.search.whoosh_index import WhooshIndex

pytestmark = pytest.mark.slow

QUESTIONS = ["孩子刚生下来怎么上户口", "撞车了没人受伤怎么办", "孩子找不到了", "看到奇怪的箱子"]


def test_expanded_fallback_questions_answer_without_failing(tmp_path):
    analyzer.load()
    docs = colloquial.distractors(5000)
    official, _labels, _same = colloquial.targets(len(docs) + 1, docs)
    index = WhooshIndex(tmp_path / "whoosh")
    index.rebuild(colloquial.sbench.batches((docs + official)[::-1]), lambda n: None)
    run = colloquial.searcher(index, thesaurus.current.get(lambda: []))
    for q in QUESTIONS:
        assert isinstance(run(q), list), q  # raised IndexError inside Whoosh before
