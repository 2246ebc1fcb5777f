"""Term matching across scripts: one lexicon spelling finds every way a writer types it."""

from __future__ import annotations

import pytest
from relevance_support import LEXICON

from monitor.relevance import RelevanceScorer
from monitor.relevance.lexicon import load_lexicon
from monitor.relevance.matcher import TermMatcher
from monitor.relevance.normalize import normalize, tokenize

MATCHER = TermMatcher(load_lexicon(LEXICON))


def counts(scorer: RelevanceScorer, text: str) -> dict[str, int]:
    """Matched lexicon terms (as written in the lexicon) and their counts."""
    return {MATCHER.terms[i].text: n for i, n in MATCHER.count(tokenize(text)).items()}


@pytest.mark.parametrize(
    ("written", "term"),
    [
        ("پاکِستان", "پاکستان"),  # kasra (diacritic)
        ("پا\u200dکستان", "پاکستان"),  # zero-width joiner inside the word
        ("پا\u200eکستان\u200f", "پاکستان"),  # bidi marks
        ("طالـــبان", "طالبان"),  # tatweel (kashida)
        ("پاكستاني", "پاکستانی"),  # Arabic kaf and Arabic yeh in a Persian/Urdu word
        ("پاکستانی", "پاکستانی"),
        ("پاکستانے", "پاکستانی"),  # Urdu barree yeh -> same letter class
        ("\ufb58\ufe8e\ufb91\ufeb4\ufe98\ufe8e\ufee5", "پاکستان"),  # presentation forms
        ("أفغانستان", "افغانستان"),  # alef with hamza
        ("الإمارة الإسلامية", "الإمارة الإسلامية"),  # teh marbuta and hamza, Arabic spelling
        ("الاماره الاسلامیه", "الإمارة الإسلامية"),  # the same written with Persian letters
        ("والباكستانية", "باكستان"),  # Arabic proclitic wa+al and adjective suffix
        ("طالبان\u200cها", "طالبان"),  # Dari plural after a zero-width non-joiner
        ("ډیورنډ کرښه", "ډیورنډ کرښه"),  # Pashto letters
        ("ڈیورنڈ کرښه", "ډیورنډ کرښه"),  # the same line typed with Urdu retroflex letters
        ("تحریکِ طالبانِ پاکستان", "تحریک طالبان پاکستان"),  # izafat kasras inside a phrase
    ],
)
def test_arabic_script_variants_match(scorer: RelevanceScorer, written: str, term: str) -> None:
    assert counts(scorer, f"خبر {written} خبر") == {term: 1}


def test_normalisation_unifies_letter_forms() -> None:
    arabic = "كابول الأفغانية حركة"
    persian = "کابول الافغانیه حرکه"
    assert normalize(arabic) == normalize(persian)
    assert tokenize("پا\u200cکستان") == ["پا", "کستان"]  # ZWNJ separates, ZWJ joins
    assert tokenize("پا\u200dکستان") == ["پاکستان"]


def test_latin_spellings(scorer: RelevanceScorer) -> None:
    found = counts(
        scorer,
        "The Tehreek e Taliban Pakistan and TTP's allies. Suicide bombers struck. "
        "TEHREEK-E-TALIBAN PAKISTAN denied it.",
    )
    assert found["Tehreek-e-Taliban Pakistan"] == 2
    assert found["TTP"] == 1
    assert found["suicide bomber"] == 1  # the plural is generated from the lexicon form


def test_longest_match_wins(scorer: RelevanceScorer) -> None:
    found = counts(
        scorer, "Tehrik-i-Taliban Pakistan fighters crossed from Afghanistan into Pakistan."
    )
    assert found["Tehrik-i-Taliban Pakistan"] == 1
    assert found["Pakistan"] == 1  # only the standalone mention, not the one inside the name
    assert "Taliban" not in found
    assert found["Afghanistan"] == 1


def test_words_are_whole_words(scorer: RelevanceScorer) -> None:
    found = counts(scorer, "Pakistanization of attackable tankers; the Bannuchi dialect.")
    assert found == {}


def test_counts_every_occurrence(scorer: RelevanceScorer) -> None:
    found = counts(scorer, "Bajaur. Bajaur, and again Bajaur; خوارج خوارج")
    assert found == {"Bajaur": 3, "خوارج": 2}


def test_fast_and_general_tokenisers_agree() -> None:
    """English takes an ASCII fast path; any other text the per-chunk path: same tokens."""
    ascii_text = "Pakistan's TTP-led attack (DI Khan) -- 12 killed; Khyber_Pakhtunkhwa."
    typographic = "Pakistan’s TTP–led attack (DI Khan) — 12 killed; Khyber_Pakhtunkhwa."
    accented = "Pakistan's TTP-led attack (DI Khan) -- 12 killed; Khyber_Pakhtunkhwa. é"
    expected = [
        "pakistan", "s", "ttp", "led", "attack", "di", "khan", "12", "killed",
        "khyber_pakhtunkhwa",
    ]  # fmt: skip
    assert tokenize(ascii_text) == expected
    assert tokenize(typographic) == expected
    assert tokenize(accented) == [*expected, "é"]


def test_a_longer_look_alike_wins_over_a_place(scorer: RelevanceScorer) -> None:
    found = counts(scorer, "A SWAT team stormed the house; in Swat valley police patrolled.")
    assert found["Swat"] == 1  # the valley, not the police unit
    assert found["SWAT team"] == 1
