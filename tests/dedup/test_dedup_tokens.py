"""Tokenisation: house styles fold together, and the facts of a text are found."""

from __future__ import annotations

from monitor.dedup.tokens import Fact, tokenise


def test_numbers_fold_whatever_the_house_style() -> None:
    a = tokenise("Six soldiers and 1,600 people; ١٢ houses")
    assert a.words[:2] == ("6", "soldiers")
    assert "1600" in a.words
    assert "12" in a.words


def test_names_are_capitalised_words_in_mid_sentence_only() -> None:
    t = tokenise("Militants attacked a post in Datta Khel. Officials said the TTP did it.")
    facts = dict(zip(t.words, t.facts, strict=True))
    assert facts["datta"] == Fact.NAME
    assert facts["khel"] == Fact.NAME
    assert facts["ttp"] == Fact.NAME
    assert facts["officials"] == Fact.NONE  # sentence-initial
    assert facts["militants"] == Fact.NONE


def test_title_case_headlines_name_nothing() -> None:
    t = tokenise("Security Forces Kill Six Militants In Operation\nThe army said so.")
    assert Fact.NAME not in t.facts


def test_dates_weekdays_and_day_numbers() -> None:
    t = tokenise("It happened on Tuesday, 12 March, and they may march on Oct 15.")
    facts = dict(zip(t.words, t.facts, strict=True))
    assert facts["tuesday"] == Fact.DATE
    assert facts["12"] == Fact.DATE  # a day of the month, not a count
    assert facts["15"] == Fact.DATE
    assert facts["may"] == Fact.NONE  # lower case: the verb
    assert t.words.count("march") == 2


def test_max_tokens_bounds_the_work() -> None:
    assert len(tokenise("word " * 50_000, max_tokens=1000)) == 1000
