"""The small vocabulary both backends speak: a search request and its hits."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class SearchRequest:
    """Analyzed terms plus filters. `police` lets police-only threads match (never for the public).

    `any_terms` (similar questions) ranks by how many words match instead of requiring all.
    """

    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    police: bool = False
    board: str | None = None
    kind: str | None = None
    status: str | None = None
    answered: bool | None = None
    since: datetime | None = None
    until: datetime | None = None
    sort: str = "relevance"  # or "newest"
    offset: int = 0
    limit: int = 20
    any_terms: bool = False
    exclude_id: int | None = None
    at_least: int = 0  # with any_terms: the words a hit needs (0: min_match's default)
    # The terms expanded at query time (thesaurus, compound parts): one group per required
    # word, each a choice of alternatives, an alternative being words that must all match.
    # Empty: every term is its own one-word group.
    groups: tuple[tuple[tuple[str, ...], ...], ...] = ()

    @property
    def word_groups(self) -> tuple[tuple[tuple[str, ...], ...], ...]:
        return self.groups or tuple(((t,),) for t in self.terms)

    @property
    def empty(self) -> bool:
        return not self.terms and not self.phrases

    @property
    def min_match(self) -> int:
        """For similar questions: most of the title's words, but never more than three."""
        return self.at_least or min(3, max(1, (len(self.word_groups) + 1) // 2))


@dataclass
class Hits:
    items: list[tuple[int, float]] = field(default_factory=list)  # (thread_id, score)
    total: int = 0
