"""Numbers that identify a person (ID numbers, mobiles, bank cards) as residents really type them.

Residents group digits with spaces, NBSP, ideographic spaces, dashes of every kind, dots, middle
dots or Markdown marks, type full-width digits on a Chinese keyboard, prefix mobiles with
+86/0086 and paste zero-width characters along. So detection runs on a normalized copy of the
text (`normalize`: NFKC per character, invisible format characters dropped) that keeps an index
map back to the original: a mask stars exactly the original characters that carry the digits and
leaves everything around them (separators, Markdown, HTML tags, the rest of the sentence) intact.

A candidate is a run of whole digit groups joined by short separator gaps. Checksums (GB 11643
for IDs, Luhn for cards) are evidence of confidence, not a gate: an 18-digit ID typed in groups
with a plausible area and birth date is masked even with a wrong check digit, and so is a card
typed in groups of four; a bare digit string needs its checksum (order numbers look like that).

This module finds the candidates (runs of digit groups, the longest number at each group); the
normalized copy and what may join two groups are board/privacy/normalize.py, the rules of each
kind (checksums, shapes, groupings, digits to star) board/privacy/classify.py.
"""
from __future__ import annotations

import re

from board.privacy.classify import Candidate, classify
from board.privacy.normalize import joins

_GROUP_RE = re.compile(r"[0-9]+(?:[Xx](?![0-9A-Za-z]))?")
_ALNUM_BEFORE_RE = re.compile(r"[0-9A-Za-z]")
_ID_KEYWORD_RE = re.compile(r"身份证|身份号|证件|公民号|(?<![a-z])id(?![a-z])", re.I)
_KEYWORD_WINDOW = 12
_MAX_DIGITS = 19
# A mobile (11, or 13/15 with 86/0086), an old or new ID (15, 18), a card (16–19).
_LENGTHS = frozenset({11, 13, 15, 16, 17, 18, 19})


class _Run:
    """Digit groups chained by separator gaps, with what every candidate in it needs
    precomputed once (a run can be thousands of groups long: "1 1 1 1 …")."""

    def __init__(self, norm: str, groups: list[re.Match]):
        self.norm, self.groups = norm, groups
        self.sizes = [g.end() - g.start() for g in groups]
        self.digits = "".join(g.group() for g in groups)
        self.offsets = [0]
        for size in self.sizes:
            self.offsets.append(self.offsets[-1] + size)

    def _context(self, i: int) -> tuple[bool, bool]:
        """(letter_before, id_keyword) of candidates starting at group i."""
        start = self.groups[i].start()
        before = self.norm[start - 1] if start else ""
        window = self.norm[max(0, start - _KEYWORD_WINDOW):start]
        return (i == 0 and bool(_ALNUM_BEFORE_RE.fullmatch(before)),
                bool(_ID_KEYWORD_RE.search(window)))

    def positions(self, i: int, j: int) -> list[int]:
        """The normalized index of every digit (and a final X) of groups i..j."""
        return [k for g in self.groups[i:j + 1] for k in range(g.start(), g.end())]

    def longest_at(self, i: int) -> tuple[int, str, list[int]] | None:
        """The longest personal number starting at group i: (last group, kind, positions)."""
        ends = []  # (j, digits in groups i..j) while a number could still fit
        for j in range(i, len(self.groups)):
            digits = self.offsets[j + 1] - self.offsets[i]
            if digits > _MAX_DIGITS:
                break
            if digits in _LENGTHS:
                ends.append(j)
        letter_before, id_keyword = self._context(i) if ends else (False, False)
        for j in reversed(ends):  # at most 19 groups: linear in the run's length
            found = classify(Candidate(
                digits=self.digits[self.offsets[i]:self.offsets[j + 1]],
                sizes=tuple(self.sizes[i:j + 1]), whole_run=i == 0 and j == len(self.groups) - 1,
                letter_before=letter_before, id_keyword=id_keyword))
            if found:
                kind, start, stop = found
                return j, kind, self.positions(i, j)[start:stop]
        return None


def _runs(norm: str) -> list[_Run]:
    """Digit groups, chained when only a separator gap lies between them."""
    chains: list[list[re.Match]] = []
    for group in _GROUP_RE.finditer(norm):
        last = chains[-1][-1] if chains else None
        if (last is not None and last.group()[-1].isdigit()
                and joins(norm[last.end():group.start()])):
            chains[-1].append(group)
        else:
            chains.append([group])
    return [_Run(norm, groups) for groups in chains]


def find_numbers(norm: str) -> list[tuple[int, int, str, list[int]]]:
    """Every personal number in normalized text: (start, end, kind, positions to star)."""
    spans = []
    for run in _runs(norm):
        i = 0
        while i < len(run.groups):
            found = run.longest_at(i)
            if found is None:
                i += 1
                continue
            j, kind, hide = found
            spans.append((run.groups[i].start(), run.groups[j].end(), kind, hide))
            i = j + 1
    return spans
