"""Query-time language: a reader's words expanded with the thesaurus before either backend runs.

The thesaurus is the shipped file plus the admins' groups (table `search_synonym`); both are read
here, at query time, so a new group works on the next search and no thread is re-indexed.
"""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from board.extensions import db
from board.models import SearchSynonym
from board.search import thesaurus as thesaurus_mod
from board.search.thesaurus import Thesaurus
from board.search.types import SearchRequest


def _admin_lines() -> list[str]:
    try:
        return list(db.session.scalars(select(SearchSynonym.line).order_by(SearchSynonym.id)))
    except SQLAlchemyError:  # a database not yet migrated: the file alone
        db.session.rollback()
        return []


def thesaurus() -> Thesaurus:
    return thesaurus_mod.current.get(_admin_lines)


def expand_request(req: SearchRequest, th: Thesaurus | None = None) -> SearchRequest:
    """The request with its words as groups of alternatives (unchanged when none has any).
    `th`: another thesaurus than the current one (bench/colloquial.py: the file alone, or an
    empty one for the before figures, with no database)."""
    groups = thesaurus_mod.expand(req.terms, th if th is not None else thesaurus())
    if all(len(g) == 1 and len(g[0]) == 1 for g in groups):
        return req
    return replace(req, groups=groups)


def highlight_words(req: SearchRequest) -> set[str]:
    """What a snippet marks: the words typed and the forms they were found in."""
    return thesaurus_mod.words_of(req.word_groups) | {w for p in req.phrases for w in p}
