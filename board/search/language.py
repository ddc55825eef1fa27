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
from board.search.backends import backend
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


def expand_request(req: SearchRequest, th: Thesaurus | None = None,
                   indexed=None) -> SearchRequest:
    """The request with its words as groups of alternatives (unchanged when none has any).
    `th`: another thesaurus than the current one (the benches: the file alone, with no
    database). `indexed(word)`: whether a thread holds the word whole (else its parts are
    searched too); without it, the current backend is asked."""
    groups = thesaurus_mod.expand(req.terms, th if th is not None else thesaurus(),
                                  indexed or backend().has_word)
    if all(len(g) == 1 and len(g[0]) == 1 for g in groups):
        return req
    return replace(req, groups=groups)


def highlight_words(req: SearchRequest) -> set[str]:
    """What a snippet marks: the words typed and the forms they were found in."""
    return thesaurus_mod.words_of(req.word_groups) | {w for p in req.phrases for w in p}
