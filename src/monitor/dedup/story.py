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

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from monitor.dedup.equivalence import one_letter_apart
from monitor.dedup.signature import term_key
from monitor.dedup.tokens import WEEKDAYS, Fact, Tokens, word_list

LEDE = 120  # words: who, what, where and when are told here
MAX_TERMS = 16  # names and numbers indexed per text
GENERIC_CAP = 2.0  # generic terms together count at most this much
UNCASED_WEIGHT = 0.5  # a shared content word counts half a shared name or number
MAX_UNCASED = 40  # content words of an uncased script (no names to pick): more, they are weaker

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


# Function words of Urdu, Arabic and Persian (after ``tokens`` folding): in these
# scripts no capital letter marks a name, so a lede's other words stand in for names.
_SCRIPT_STOPWORDS = frozenset(
    word_list(
        """کے کی کا کو میں سے نے پر اور ہے ہیں تھا تھی تھے ہو ہوا ہوئے ہوئی ہوگیا ہوگئے گیا گئی
    گئے کر کیا کیے کرنے کرتے کہا کہ یہ وہ اس ان ایک بھی جو تو لیے لئے ساتھ بعد مطابق کہنا
    رہا رہی رہے جا جب تک نہیں نہ دو تین چار کچھ کئی دیگر والے والی والا جس جن جبکہ تاہم
    کسی کوئی اپنے اپنی اپنا انھوں انہوں انھیں انہیں یہاں وہاں کیونکہ لیکن مزید بتایا گیا۔
    سکتا سکتی سکتے چاہیے حوالے دوران قبل روز جانے دیا دی دیے رکھا ہونے والوں شامل
    في من على الى إلى عن مع ان أن التي الذي هذا هذه ذلك كان كانت قد لا ما او أو بعد قبل
    و را از به با که این آن است بود شد برای تا هم یا"""
    )
)


def story_terms(tokens: Tokens) -> tuple[str, ...]:
    """The lede's names and numbers (years left out: they date, not identify), in order;
    in uncased scripts (Urdu, Arabic…) its content words of 3+ letters stand for names."""
    seen: dict[str, None] = {}
    uncased: dict[str, None] = {}
    for word, fact in zip(tokens.words[:LEDE], tokens.facts[:LEDE], strict=True):
        if fact == Fact.NAME or (fact == Fact.NUMBER and not _is_year(word)):
            if len(seen) < MAX_TERMS:
                seen.setdefault(word)
        elif fact == Fact.NONE and _uncased_content_word(word) and len(uncased) < MAX_UNCASED:
            uncased.setdefault(word)
    return tuple(seen) + tuple(w for w in uncased if w not in seen)


def story_keys(tokens: Tokens) -> tuple[int, ...]:
    return tuple(sorted({term_key(t) for t in story_terms(tokens)}))


def match_story(
    a: Tokens,
    b: Tokens,
    *,
    common: Collection[str] = (),
    generic: Collection[str] = (),
    generic_weight: float = 0.5,
    min_shared: int,
    min_vocabulary: float,
) -> StoryMatch | None:
    """A StoryMatch when ``a`` and ``b`` report one event, else None.

    ``common`` terms (too frequent in the window) do not count; ``generic`` ones (names in
    every report of the beat) count ``generic_weight`` each and ``GENERIC_CAP`` at most
    together, content words of uncased scripts ``UNCASED_WEIGHT`` (both: the product);
    the sum must reach ``min_shared``, and at least one shared term must be specific.
    """
    shared = _shared_terms(story_terms(a), story_terms(b)) - frozenset(common)
    beat = shared & frozenset(generic)
    specific = shared - beat
    weight = sum(UNCASED_WEIGHT if _uncased_content_word(t) else 1.0 for t in specific)
    generic_sum = generic_weight * sum(
        UNCASED_WEIGHT if _uncased_content_word(t) else 1.0 for t in beat
    )
    weight += min(generic_sum, GENERIC_CAP)
    if not specific or weight < min_shared:
        return None
    if _weekdays_disagree(a, b):
        return None
    vocabulary = _jaccard(_content_words(a), _content_words(b))
    if vocabulary < min_vocabulary:
        return None
    return StoryMatch(shared=shared, vocabulary=vocabulary)


def _shared_terms(a: Sequence[str], b: Sequence[str]) -> frozenset[str]:
    """Terms of both, a long one also when spelt one letter apart (``پینٹاگون``/``پینٹاگان``)."""
    exact = frozenset(a) & frozenset(b)
    rest_b = [t for t in b if t not in exact]
    fuzzy = {t for t in a if t not in exact and any(one_letter_apart(t, u) for u in rest_b)}
    return exact | fuzzy


def _weekdays_disagree(a: Tokens, b: Tokens) -> bool:
    days_a = {w for w in a.words[:LEDE] if w in WEEKDAYS}
    days_b = {w for w in b.words[:LEDE] if w in WEEKDAYS}
    return bool(days_a and days_b and not days_a & days_b)


def _content_words(tokens: Tokens) -> frozenset[str]:
    return frozenset(w for w in tokens.words[:LEDE] if len(w) > 2 and w not in _STOPWORDS)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def _uncased_content_word(word: str) -> bool:
    first = word[0]
    return (
        len(word) >= 3
        and first.isalpha()
        and first.lower() == first.upper()
        and word not in _SCRIPT_STOPWORDS
    )


def _is_year(word: str) -> bool:
    return len(word) == 4 and word.isdigit() and 1900 <= int(word) <= 2100
