"""The confirming comparison of two texts: how much they share, and whether their facts differ.

LSH only proposes candidates. Here the exact shingle sets are compared
(Jaccard, and containment in both directions, because "a is a truncated
copy of b" and "b is a under a bigger template" are different shapes of the
same thing), and the facts are checked: two military statements written
from one formula share most shingles, yet are different events. What gives
them away is a *substitution*: the same words around a different number,
date or place ("... killed 6 soldiers in ..." / "... killed 11 soldiers in
..."). An added or cut sentence is not a substitution, so syndicated copies
that gained a dateline or lost a paragraph are not mistaken for new events.
Nor is another house style a substitution: spellings, amount formats, an acronym
for its expansion and a one-letter typo in a long name are folded first
(``monitor.dedup.equivalence``).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass

from monitor.dedup.equivalence import (
    canonical,
    fold_spelling,
    initials,
    same_fact,
    text_facts,
)
from monitor.dedup.signature import shingles
from monitor.dedup.tokens import Fact, Tokens

_CONTEXT = 2  # words each side of a fact that must match for a substitution
_MAX_MIDDLE = 3  # a substituted stretch is at most this many words on each side
_EDGE = "\x00"

Frames = dict[tuple[str, ...], set[tuple[str, ...]]]


@dataclass(frozen=True, slots=True)
class Overlap:
    """Shingle overlap of a checked text ``a`` with a stored text ``b``.

    ``contained`` is the share of ``a`` found in ``b`` (``a`` is a cut-down
    copy of ``b``); ``contains`` the share of ``b`` found in ``a``.
    """

    jaccard: float
    contained: float
    contains: float
    size_a: int
    size_b: int


def shingle_set(tokens: Tokens) -> frozenset[str]:
    return frozenset(shingles(tokens.words))


def overlap(a: frozenset[str], b: frozenset[str]) -> Overlap:
    if not a or not b:
        return Overlap(0.0, 0.0, 0.0, len(a), len(b))
    shared = len(a & b)
    return Overlap(
        jaccard=shared / (len(a) + len(b) - shared),
        contained=shared / len(a),
        contains=shared / len(b),
        size_a=len(a),
        size_b=len(b),
    )


@dataclass(frozen=True, slots=True)
class Conflict:
    """The same wording around different facts: ``a`` in one text, ``b`` in the other.

    ``numbers_only`` when every differing fact is a number: a revised toll of
    the same event looks like that, a different event rarely does (its day or
    place differs too).
    """

    a: str
    b: str
    numbers_only: bool


def fact_conflicts(a: Tokens, b: Tokens) -> list[Conflict]:
    """Facts of ``a`` and ``b`` found in the same wording but with different values.

    A number or name counts only when each side's value appears nowhere in
    the other text, in any style (``equivalence``), so a re-ordered list, a
    figure repeated elsewhere or ``Rs382m`` against ``Rs382 million`` is no
    conflict. A date needs no such proof: "on Monday" against "on Tuesday" in
    the same sentence is a different day even if the other day is mentioned
    elsewhere ("... late on Monday night").
    """
    kinds_a, kinds_b = _fact_kinds(a), _fact_kinds(b)
    frames_b = frames(b)
    found: list[Conflict] = []
    for key, middles_a in frames(a).items():
        middles_b = frames_b.get(key)
        if not middles_b:
            continue
        for middle_a in middles_a - middles_b:
            for middle_b in middles_b - middles_a:
                if same_fact(middle_a, middle_b):
                    continue
                only_a = _exclusive(middle_a, kinds_a, b, middle_b)
                only_b = _exclusive(middle_b, kinds_b, a, middle_a) if only_a else None
                if only_a and only_b:
                    numbers = only_a | only_b == {Fact.NUMBER}
                    found.append(Conflict(" ".join(middle_a), " ".join(middle_b), numbers))
    return found


def fact_agreement(a: Tokens, b: Tokens, *, min_facts: int) -> float | None:
    """Share of the facts (names, numbers, dates; canonical forms) of whichever text has
    fewer that the other states too, in any style; None when it has under ``min_facts``."""
    facts = [_canonical_facts(a), _canonical_facts(b)]
    small, other = (0, b) if len(facts[0]) <= len(facts[1]) else (1, a)
    mine = facts[small]
    if len(mine) < min_facts:
        return None
    there = text_facts(other)
    return sum(there.has(word, kind) for word, kind in mine.items()) / len(mine)


def _canonical_facts(tokens: Tokens) -> dict[str, Fact]:
    kinds = _fact_kinds(tokens)
    found: dict[str, Fact] = {}
    for word in canonical(tokens.words):
        kind = Fact.NUMBER if word.startswith("#") else kinds.get(word)
        if kind:
            found[word] = kind
    return found


def _fact_kinds(tokens: Tokens) -> dict[str, Fact]:
    """Fact words (spelling folded) and their kind."""
    return {fold_spelling(w): f for w, f in zip(tokens.words, tokens.facts, strict=True) if f}


def _exclusive(
    middle: tuple[str, ...],
    kinds: dict[str, Fact],
    other_tokens: Tokens,
    other_middle: tuple[str, ...],
) -> set[Fact]:
    """The kinds of the stretch's facts that the other side contradicts: a date
    missing from the other stretch, a number or name missing from the whole other text
    (in every style ``TextFacts.has`` knows)."""
    found: set[Fact] = set()
    other = text_facts(other_tokens)  # memoised: built on the first differing stretch only
    dates_there = frozenset(canonical(other_middle))
    words = canonical(middle)
    names = [w for w in words if kinds.get(w) == Fact.NAME]
    expanded = len(names) >= 2 and initials(names) in other.words  # "European Union" / "EU"
    for word in words:
        kind = Fact.NUMBER if word.startswith("#") else kinds.get(word)
        if not kind or (expanded and kind == Fact.NAME):
            continue
        if kind == Fact.DATE:
            if word not in dates_there:
                found.add(kind)
        elif not other.has(word, kind):
            found.add(kind)
    return found


@functools.lru_cache(maxsize=16)  # the new text and its candidates (max_candidates is 8)
def frames(tokens: Tokens) -> Frames:
    """Every stretch of 1..3 words holding a fact, keyed by the two words on each side.

    Memoised (callers only read the result): a check compares the new text
    with several candidates, and candidates recur from check to check.
    """
    words = (_EDGE,) * _CONTEXT + tokens.words + (_EDGE,) * _CONTEXT
    facts = (Fact.NONE,) * _CONTEXT + tokens.facts + (Fact.NONE,) * _CONTEXT
    found: Frames = defaultdict(set)
    last = len(words) - _CONTEXT
    for start in range(_CONTEXT, last):
        for size in range(1, _MAX_MIDDLE + 1):
            end = start + size
            if end > last:
                break
            if not any(facts[start:end]):
                continue
            key = words[start - _CONTEXT : start] + words[end : end + _CONTEXT]
            found[key].add(words[start:end])
    return found
