"""Search, read side: run a request on the backend, load the threads, check visibility again,
and build highlighted snippets from the best-matching official answer (or the question).

Visibility is enforced twice: police-only threads are masked in the index for anyone without
'police_only.view', and every hit is re-checked against the database with `thread.view` before
it is shown (the index may lag a visibility change by a moment). Hidden replies are never
indexed and never used for snippets or suggestions.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload, lazyload

from board import permissions, privacy, text
from board.extensions import db
from board.i18n import N_
from board.models import Board, Post, Thread, ThreadStatus, utcnow
from board.models.kinds import KINDS
from board.search import analyzer, highlight, language
from board.search.backends import backend
from board.search.types import Hits, SearchRequest

PER_PAGE = 20
MAX_PAGE = 50
FULL = PER_PAGE * MAX_PAGE  # the results a reader can reach (the backends count up to this)
# Labels marked N_ for the English catalog (board/i18n.py); the search page translates them.
TIME_RANGES = {"7d": (N_("一周内"), 7), "30d": (N_("一个月内"), 30), "365d": (N_("一年内"), 365)}
SORTS = {"relevance": N_("相关度"), "newest": N_("最新")}


@dataclass
class Result:
    thread: Thread
    snippet: Markup
    score: float
    answer: Post | None = None  # the thread's best-matching official answer, if any
    from_answer: bool = False  # the snippet was taken from that answer
    partial: bool = False  # lacks one of the words: no thread had them all (see `ranked`)


@dataclass
class SearchPage:
    q: str
    results: list[Result] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = PER_PAGE
    terms: list[str] = field(default_factory=list)
    typed: str | None = None  # set when the query was corrected (board/search/correction.py)
    exact_total: int = 0  # the threads with every word (the rest are the closest others)
    # What `find` found and `fill` turns into results: the hits and the request they answer.
    hits: Hits | None = field(default=None, repr=False)
    request: SearchRequest | None = field(default=None, repr=False)

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-self.total // self.per_page)))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def many_words(self) -> bool:
        return len(self.terms) > 2


def _request(viewer, q: str, **kw) -> tuple[SearchRequest, list[str]]:
    loose, phrases = analyzer.parse_query(q)
    words = list(dict.fromkeys(loose + [w for p in phrases for w in p]))
    req = SearchRequest(terms=tuple(loose), phrases=tuple(tuple(p) for p in phrases),
                        police=permissions.can(viewer, "police_only.view"), **kw)
    return req, words


# A result shows a thread's title, board, status and a snippet: its author, unit and rendered
# HTML, which the models load with every thread and reply, are left to a lazy load if ever
# read. Half of a results page's ORM work was building them (bench/search_http.py).
_THREAD_COLUMNS = (lazyload(Thread.author), lazyload(Thread.dispatched_unit),
                   joinedload(Thread.board).lazyload(Board.units), defer(Thread.body_html))
_ANSWER_COLUMNS = (lazyload(Post.author), defer(Post.body_html))


def _answers(thread_ids: list[int]) -> dict[int, list[Post]]:
    out: dict[int, list[Post]] = {i: [] for i in thread_ids}
    if thread_ids:
        stmt = (select(Post).where(Post.thread_id.in_(thread_ids), Post.official.is_(True),
                                   Post.hidden.is_(False)).order_by(Post.id)
                .options(*_ANSWER_COLUMNS))
        for post in db.session.scalars(stmt):
            out[post.thread_id].append(post)
    return out


def ranked(index, req: SearchRequest) -> tuple[Hits, int]:
    """The hits for a reader's query, and how many of the first ones have every word.

    Every word is required. When no thread has them all and the query has several loose
    words, the closest threads are shown instead (marked): those lacking one word, else those
    with half of the words, else those with any. They rank by how rare the words they have are,
    each word counted once whatever form matched (a thesaurus alternative never adds to its
    word), so a resident's question holding words no answer repeats (老家, 有人, 好像) still
    finds its answer: 户口迁过来要回老家吗 → the thread about 户籍迁入. The later queries run
    only when the earlier found nothing, so an ordinary search costs one.
    """
    hits = index.search(req)
    size = len(req.word_groups)
    if hits.total or req.offset or req.any_terms or req.phrases or size < 2:
        return hits, len(hits.items)
    for at_least in dict.fromkeys((size - 1, (size + 1) // 2, 1)):
        closest = index.search(replace(req, any_terms=True, at_least=max(1, at_least)))
        if closest.total:
            break
    return closest, 0


def ranked_in_words(index, req: SearchRequest, expanded: SearchRequest) \
        -> tuple[Hits, int, SearchRequest]:
    """`ranked` for a query and its thesaurus expansion: the hits, how many have every word,
    and the request they answer (its words are what a snippet marks).

    The words as typed are searched first when the thesaurus offers other forms and each word
    is in FULL threads or more (the index's word statistics): when threads holding them all
    fill every page a reader can reach, those are the answer, and the
    expansion, for words the board's threads do not use, is not run. Its forms cost a common
    query one posting list each (bench/search.py at 20,000 threads: p95 +108 % on Whoosh,
    +43 % on PostgreSQL when every query was expanded)."""
    if expanded is req:
        return (*ranked(index, req), req)
    if index.most_holding(req.terms) >= FULL:  # else too few threads can hold them all
        plain = index.search(req)
        if plain.total >= FULL:
            return plain, len(plain.items), req
    return (*ranked(index, expanded), expanded)


def _load(viewer, items: list[tuple[int, float]], terms: set[str]) -> list[Result]:
    ids = [i for i, _ in items]
    threads = {t.id: t for t in db.session.scalars(
        select(Thread).where(Thread.id.in_(ids)).options(*_THREAD_COLUMNS))}
    answers = _answers(ids)
    results = []
    for thread_id, score in items:
        thread = threads.get(thread_id)
        if thread is None or not permissions.can(viewer, "thread.view", thread):
            continue
        best = max(answers[thread_id], key=lambda p: highlight.count(p.body, terms), default=None)
        if best is not None and (highlight.count(best.body, terms)
                                 or not highlight.count(thread.body, terms)):
            text, from_answer = best.body, True
        else:
            text, from_answer = thread.body, False
        # Personal data masked for viewers who are not the author or police (board/privacy.py).
        author_id = best.author_id if from_answer else thread.author_id
        text = privacy.visible_text(viewer, author_id, text)
        results.append(Result(thread, highlight.snippet(text, terms), score, best, from_answer))
    return results


def parse_filters(args) -> dict:
    """Query-string filters (page and API alike) → keyword arguments for `search`."""
    filters: dict = {}
    for name in ("board", "kind", "status"):
        value = text.clean_token(args.get(name))
        if value:
            filters[name] = value
    if filters.get("kind") not in {None, *KINDS}:
        filters.pop("kind")
    if filters.get("status") not in {None, *ThreadStatus}:
        filters.pop("status")
    answered = text.clean_token(args.get("answered")).lower()
    if answered in {"1", "true", "yes"}:
        filters["answered"] = True
    elif answered in {"0", "false", "no"}:
        filters["answered"] = False
    span = TIME_RANGES.get(args.get("time") or "")
    if span:
        filters["since"] = utcnow() - timedelta(days=span[1])
    for name, key in (("from", "since"), ("to", "until")):
        value = args.get(name)
        if value:
            try:
                filters[key] = datetime.fromisoformat(value).replace(tzinfo=UTC)
            except ValueError:
                pass
    if args.get("sort") in SORTS:
        filters["sort"] = args.get("sort")
    try:
        filters["page"] = min(MAX_PAGE, max(1, int(args.get("page") or 1)))
    except ValueError:
        filters["page"] = 1
    return filters


def find(viewer, q: str, page: int = 1, per_page: int = PER_PAGE, **filters) -> SearchPage:
    """The index's answer alone (totals and hits, no rows loaded): the correction decides
    between a query and its corrected form on this before one of them is `fill`ed, so a
    search never loads and highlights a page of results it then throws away."""
    q = text.clean_line(q)[:100]
    page = min(MAX_PAGE, max(1, page))
    req, words = _request(viewer, q, offset=(page - 1) * per_page, limit=per_page, **filters)
    result = SearchPage(q=q, page=page, per_page=per_page, terms=words)
    if req.empty:
        return result
    hits, exact, req = ranked_in_words(backend(), req, language.expand_request(req))
    result.hits, result.request = hits, req
    result.total = hits.total
    result.exact_total = hits.total if exact else 0
    return result


def fill(viewer, found: SearchPage) -> SearchPage:
    """The page's results: the threads loaded, re-checked and highlighted."""
    if found.hits is not None and not found.results:
        found.results = _load(viewer, found.hits.items, language.highlight_words(found.request))
        for result in found.results:
            result.partial = not found.exact_total
    return found


def search(viewer, q: str, page: int = 1, per_page: int = PER_PAGE, **filters) -> SearchPage:
    return fill(viewer, find(viewer, q, page, per_page, **filters))


SAME_BOARD = 1.5  # an officer's suggestion from the question's own board weighs this much more
SAME_KIND = 1.2  # and from a thread of the same kind (a question's answers for a question)


def similar_request(text: str, limit: int = 5, th=None, indexed=None,
                    **options) -> SearchRequest | None:
    """Threads like this text: its words as a search has them (residents' fillers dropped, the
    thesaurus applied; `th`, `indexed`: see `language.expand_request`), most of them needed
    (`SearchRequest.min_match`)."""
    words = analyzer.query_terms((text or "")[:200])[:12]
    if not words:
        return None
    return language.expand_request(SearchRequest(terms=tuple(words), any_terms=True,
                                                 limit=limit, **options), th, indexed)


def prefer_near(items: list, score, board, kind) -> list:
    """Items re-ranked for an officer: the same board's, then the same kind's, count more.
    `score`, `board` and `kind` read an item's."""
    def weight(item) -> float:
        return score(item) * (SAME_BOARD if board(item) else 1.0) \
            * (SAME_KIND if kind(item) else 1.0)
    return sorted(items, key=weight, reverse=True)


def similar(viewer, title: str, limit: int = 5, exclude_id: int | None = None,
            answered: bool | None = True, board: str | None = None,
            at_least: int = 0) -> list[Result]:
    """Threads like this title (ask-before-you-post, and officers' answer suggestions)."""
    req = similar_request(title, limit=limit, answered=answered, exclude_id=exclude_id,
                          board=board, at_least=at_least,
                          police=permissions.can(viewer, "police_only.view"))
    if req is None:
        return []
    hits = backend().search(req)
    return _load(viewer, hits.items, language.highlight_words(req))


def answer_suggestions(viewer, thread: Thread, limit: int = 3) -> list[Result]:
    """For an officer replying: the best past official answers to similar questions, those of
    the question's own board and kind first when they match about as well. Any of the words
    may match (a question's body holds many no answer repeats); the rarer the words a past
    thread shares, the higher it ranks (bench/suggestions.py).

    Only answers the public can read (public, not hidden threads; hidden replies never count):
    the one-tap answer lands in a reply that a citizen reads, if only the asker (issue 15,
    item 14). Checked on the database rows, not the index, which may lag a change."""
    text = f"{thread.title} {thread.body[:60]}"
    found = [r for r in similar(viewer, text, limit=limit * 4, exclude_id=thread.id, at_least=1)
             if r.answer is not None and r.thread.is_public]
    return prefer_near(found, lambda r: r.score, lambda r: r.thread.board_id == thread.board_id,
                       lambda r: r.thread.kind == thread.kind)[:limit]
