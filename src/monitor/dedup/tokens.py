"""Words of a text, with the key facts among them marked.

Two kinds of comparison read the same token stream: shingles (what the words
are) and facts (which words carry the event: numbers, dates, proper names).
A near-duplicate test that only counts shared shingles cannot tell two
military statements written from one formula apart; the facts can.

Tokens are normalised the way ``normalise_text`` does (NFKC, case folding,
Arabic-script variants, diacritics), and further so that copies written in
different house styles still agree: ``six`` and ``6`` are both ``6``,
``1,600`` is ``1600``, Arabic-Indic digits are ASCII digits.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from enum import IntEnum

from monitor.dedup.normalise import ARABIC_FOLD, DIACRITICS

# Longer texts are cut here before fingerprinting: the first 20k words of a
# page decide whether it is a copy, and the cost of one check stays bounded.
MAX_TOKENS = 20_000

_TOKEN = re.compile(r"\d[\d,]*\d|\d|\w+", re.UNICODE)
# A separator holding one of these ends a sentence: the next word starts one.
_SENTENCE_END = re.compile(r"[.!?:;\n\u061f\u06d4\u2014|]")


def word_list(text: str) -> list[str]:
    """The words of a literal list written as one string."""
    return text.split()


_UNITS = word_list(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
)
_TENS = word_list("thirty forty fifty sixty seventy eighty ninety")
NUMBER_WORDS = (
    {word: str(value) for value, word in enumerate(_UNITS)}
    | {word: str(30 + 10 * i) for i, word in enumerate(_TENS)}
    | {"hundred": "100", "thousand": "1000", "dozen": "12"}
)
WEEKDAYS = frozenset(word_list("monday tuesday wednesday thursday friday saturday sunday"))
MONTHS = frozenset(
    word_list(
        "january february march april may june july august september october november "
        "december jan feb mar apr jun jul aug sep sept oct nov dec"
    )
)
# Weekdays and months in Urdu and Arabic script (no capitals there to tell them from other
# words, so only unambiguous ones: Urdu "پیر" is also a saint, "ہفتہ" also a week).
SCRIPT_DATES = frozenset(
    word_list(
        "منگل بدھ جمعرات جمعہ اتوار جنوری فروری مارچ اپریل مئی جون جولائی اگست ستمبر اکتوبر "
        "نومبر دسمبر الاثنین الثلاثاء الاربعاء الخمیس الجمعه السبت الاحد ینایر فبرایر "
        "مارس ابریل مایو یونیو یولیو اغسطس سبتمبر اکتوبر نوفمبر دیسمبر الأربعاء الاربعاء "
        "الأحد الإثنین أبریل إبریل أغسطس أکتوبر"
    )
)
# Capitalised words that are not names even in mid-sentence.
_NOT_NAMES = frozenset(
    word_list(
        "i a an the he she it we they his her its their our this that these those mr mrs ms "
        "dr gen lt col maj capt sr jr st"
    )
)


class Fact(IntEnum):
    """What kind of key fact a token is (NONE: an ordinary word)."""

    NONE = 0
    NUMBER = 1
    DATE = 2  # weekday or month name
    NAME = 3  # capitalised in mid-sentence: a place, person or organisation


@dataclass(frozen=True, slots=True)
class Tokens:
    """A text as normalised words, each with its ``Fact`` kind."""

    words: tuple[str, ...]
    facts: tuple[Fact, ...]

    def __len__(self) -> int:
        return len(self.words)

    def fact_words(self, *kinds: Fact) -> frozenset[str]:
        """The distinct words that are facts of the given kinds (all kinds if none given)."""
        wanted = set(kinds) if kinds else {Fact.NUMBER, Fact.DATE, Fact.NAME}
        return frozenset(w for w, f in zip(self.words, self.facts, strict=True) if f in wanted)


@functools.lru_cache(maxsize=256)
def tokenise(text: str, *, max_tokens: int = MAX_TOKENS) -> Tokens:
    """Normalised words of ``text`` (at most ``max_tokens``) with their fact kinds.

    Memoised (Tokens is immutable): one check tokenises the new text for its
    fingerprint and again for the comparison, and the same stored candidates
    come back check after check; tokenising was 60 % of the check's CPU.
    The cache is bounded, so memory stays flat.
    """
    prepared = DIACRITICS.sub("", unicodedata.normalize("NFKC", text).translate(ARABIC_FOLD))
    words: list[str] = []
    facts: list[Fact] = []
    for line in prepared.splitlines():
        _tokenise_line(line, words, facts)
        if len(words) >= max_tokens:
            break
    _date_numbers(words, facts)
    return Tokens(tuple(words[:max_tokens]), tuple(facts[:max_tokens]))


def _date_numbers(words: list[str], facts: list[Fact]) -> None:
    """A day number beside a month ("12 March", "Oct 15") is a date, not a count."""
    for i, fact in enumerate(facts):
        if fact != Fact.NUMBER or len(words[i]) > 2:
            continue
        before = i > 0 and facts[i - 1] == Fact.DATE and words[i - 1] in MONTHS
        after = i + 1 < len(facts) and facts[i + 1] == Fact.DATE and words[i + 1] in MONTHS
        if before or after:
            facts[i] = Fact.DATE


def _tokenise_line(line: str, words: list[str], facts: list[Fact]) -> None:
    matches = list(_TOKEN.finditer(line))
    if not matches:
        return
    # Headlines and menus are Title Case: there capitals say nothing about names.
    alpha = [m.group() for m in matches if m.group()[0].isalpha()]
    title_case = len(alpha) >= 3 and sum(w[0].isupper() for w in alpha) > 0.6 * len(alpha)
    previous_end = 0
    sentence_start = True
    for match in matches:
        if match.start() > previous_end and _SENTENCE_END.search(line, previous_end, match.start()):
            sentence_start = True
        raw = match.group()
        word, fact = _classify(raw, name_allowed=not (sentence_start or title_case))
        words.append(word)
        facts.append(fact)
        previous_end = match.end()
        sentence_start = False


def _classify(raw: str, *, name_allowed: bool) -> tuple[str, Fact]:
    if raw[0].isdigit():
        return _ascii_digits(raw.replace(",", "")), Fact.NUMBER
    word = raw.casefold()
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word], Fact.NUMBER
    if (word in WEEKDAYS or word in MONTHS) and raw[0].isupper():  # not "may", "march on"
        return word, Fact.DATE
    if word in SCRIPT_DATES:
        return word, Fact.DATE
    if name_allowed and raw[0].isupper() and word not in _NOT_NAMES:
        return word, Fact.NAME
    return word, Fact.NONE


def _ascii_digits(raw: str) -> str:
    return "".join(str(unicodedata.decimal(c, 0)) if c.isdigit() else c for c in raw)
