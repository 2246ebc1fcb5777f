"""Same story, different write-up: the looser link between items.

Two outlets reporting one attack share few sentences but the same key
facts: the place, the people, the count, the day. A story match therefore
needs, within a few days of each other (the index only looks there):

* at least ``story_min_shared`` specific facts (names and numbers of the
  lede, minus the ones too common that week to mean anything),
* an overlapping lede vocabulary (``story_min_vocabulary``, Jaccard of
  content words), and
* no contradicting day of the week in the ledes ("on Monday" / "on
  Thursday" are two events, however alike).

It is deliberately conservative: a wrongly merged story hides an event from
the digest, a missed merge only shows it twice.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from monitor.dedup.signature import term_key
from monitor.dedup.tokens import WEEKDAYS, Fact, Tokens, word_list

LEDE = 120  # words: who, what, where and when are told here
MAX_TERMS = 16  # story terms indexed per text

_STOPWORDS = frozenset(
    word_list(
        """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers him his how i if in into is
    it its itself just more most no nor not now of off on once only or other our out over
    own said same says she should so some such than that the their them then there these
    they this those through to too under until up very was we were what when where which
    while who whom why will with would you your"""
    )
)


@dataclass(frozen=True, slots=True)
class StoryMatch:
    """Why two texts were judged one story."""

    shared: frozenset[str]
    vocabulary: float


def story_terms(tokens: Tokens) -> tuple[str, ...]:
    """The lede's names and numbers (years left out: they date, not identify), in order."""
    seen: dict[str, None] = {}
    for word, fact in zip(tokens.words[:LEDE], tokens.facts[:LEDE], strict=True):
        if fact == Fact.NAME or (fact == Fact.NUMBER and not _is_year(word)):
            seen.setdefault(word)
            if len(seen) >= MAX_TERMS:
                break
    return tuple(seen)


def story_keys(tokens: Tokens) -> tuple[int, ...]:
    return tuple(sorted({term_key(t) for t in story_terms(tokens)}))


def match_story(
    a: Tokens,
    b: Tokens,
    *,
    common: Collection[str] = (),
    min_shared: int,
    min_vocabulary: float,
) -> StoryMatch | None:
    """A StoryMatch when ``a`` and ``b`` report one event, else None."""
    shared = frozenset(story_terms(a)) & frozenset(story_terms(b))
    shared = shared - frozenset(common)
    if len(shared) < min_shared:
        return None
    if _weekdays_disagree(a, b):
        return None
    vocabulary = _jaccard(_content_words(a), _content_words(b))
    if vocabulary < min_vocabulary:
        return None
    return StoryMatch(shared=shared, vocabulary=vocabulary)


def _weekdays_disagree(a: Tokens, b: Tokens) -> bool:
    days_a = {w for w in a.words[:LEDE] if w in WEEKDAYS}
    days_b = {w for w in b.words[:LEDE] if w in WEEKDAYS}
    return bool(days_a and days_b and not days_a & days_b)


def _content_words(tokens: Tokens) -> frozenset[str]:
    return frozenset(w for w in tokens.words[:LEDE] if len(w) > 2 and w not in _STOPWORDS)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def _is_year(word: str) -> bool:
    return len(word) == 4 and word.isdigit() and 1900 <= int(word) <= 2100
