"""The thesaurus grows from what residents type: misses are counted, admins add synonyms.

A query that found nothing or almost nothing is counted per day, its text masked for personal
data first (board/privacy.py), so the admins' page never shows a phone number someone searched.
A synonym group an admin adds is stored, audited, and used by the very next search (the
thesaurus re-reads the database; in this process at once).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from board import privacy
from board.errors import ServiceError
from board.extensions import db
from board.models import SearchMiss, SearchSynonym, utcnow
from board.search import analyzer, thesaurus
from board.services import audit

LOW = 2  # at most this many results: the query is recorded as a (near) miss
MAX_WORDS = 20


def record_search(found) -> None:
    """After a search (first page, with words): a query that was corrected counts as found
    nothing, as typed; others count the threads that had every word (the closest others shown
    after them do not answer the question as asked)."""
    if found.page == 1 and found.terms:
        record_miss(found.typed or found.q, 0 if found.typed else found.exact_total)


def record_miss(q: str, total: int, day: date | None = None) -> None:
    """Count a query that found at most LOW threads (in its own short transaction)."""
    text = (privacy.mask(q) or "").strip()[:100]
    if total > LOW or not text:
        return
    day = day or utcnow().date()
    for _ in range(2):  # two readers may create the day's row at once: then add to theirs
        row = db.session.scalar(select(SearchMiss).where(SearchMiss.day == day,
                                                         SearchMiss.query == text))
        if row is None:
            row = SearchMiss(day=day, query=text, count=0, results=total)
            db.session.add(row)
        row.count += 1
        row.results = min(row.results, total)
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()


def add_synonym(actor, words: str) -> SearchSynonym:
    """Store a group (`a b c`, or `narrow > broad`) that search uses from now on."""
    line = " ".join((words or "").replace(",", " ").replace(",", " ").split())
    parsed = thesaurus.parse_line(line)
    if parsed is None or len({*parsed[0], *parsed[1]}) < 2:
        raise ServiceError("请至少填写两个词,用空格分开", fields={"words": "至少两个词"})
    if len(parsed[0]) + len(parsed[1]) > MAX_WORDS or len(line) > 500:
        raise ServiceError("一组同义词太长了", fields={"words": "太长"})
    synonym = SearchSynonym(line=line, created_by_id=getattr(actor, "id", None),
                            created_at=utcnow())
    db.session.add(synonym)
    db.session.flush()
    audit.record(actor, "search.synonym", "search_synonym", synonym.id, after={"line": line})
    db.session.commit()
    thesaurus.current.invalidate()
    return synonym


def add_word(actor, instance_path: str, word: str, freq: int | None = None) -> bool:
    """Add a word the analyzer keeps whole (`flask search words add`); audited when new.
    ValueError (from the analyzer) for a word it refuses."""
    added = analyzer.add_word(instance_path, word, freq)
    if added:
        thesaurus.current.invalidate()  # its entries are keyed by analyzed words
        audit.record(actor, "search.word_add", "search_word", None, None,
                     {"word": word, **({"freq": freq} if freq else {})})
        db.session.commit()
    return added


def remove_word(actor, instance_path: str, word: str) -> bool:
    """Remove an admin-added word; audited when it was there."""
    removed = analyzer.remove_word(instance_path, word)
    if removed:
        thesaurus.current.invalidate()
        audit.record(actor, "search.word_remove", "search_word", None, {"word": word}, None)
        db.session.commit()
    return removed
