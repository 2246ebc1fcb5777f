"""The confirming comparison: overlap measures and fact conflicts."""

from __future__ import annotations

from dedup_support import article

from monitor.dedup.compare import fact_conflicts, overlap, shingle_set
from monitor.dedup.tokens import tokenise

BASE = (
    "Militants attacked a police post in the Baka Khel area of Bannu district on Thursday, "
    "killing three policemen, officials said. The attackers fled towards the mountains."
)


def conflicts(a: str, b: str) -> list[tuple[str, str]]:
    return [(c.a, c.b) for c in fact_conflicts(tokenise(a), tokenise(b))]


def test_overlap_measures_containment_both_ways() -> None:
    long = shingle_set(tokenise(article("torkham_reopens")))
    half = shingle_set(tokenise(" ".join(article("torkham_reopens").split()[:90])))
    ov = overlap(half, long)
    assert ov.contained == 1.0
    assert 0.3 < ov.jaccard < 0.6
    assert ov.contains == ov.jaccard
    assert overlap(frozenset(), long).jaccard == 0.0


def test_a_substituted_count_place_or_day_is_a_conflict() -> None:
    assert ("3", "5") in conflicts(BASE, BASE.replace("three", "five"))
    other_place = conflicts(BASE, BASE.replace("Baka Khel", "Jani Khel"))
    assert any("baka" in a and "jani" in b for a, b in other_place)
    assert any("thursday" in a for a, _ in conflicts(BASE, BASE.replace("Thursday", "Friday")))


def test_added_or_cut_sentences_and_rewording_are_not_conflicts() -> None:
    added = BASE + " Police said 12 suspects had been arrested in Lakki Marwat."
    assert conflicts(added, BASE) == []
    assert conflicts(BASE.split(". ")[0], BASE) == []
    assert conflicts(BASE.replace("attacked", "stormed"), BASE) == []


def test_a_figure_found_elsewhere_in_the_other_text_is_no_conflict() -> None:
    a = BASE + " Five others were injured."
    b = BASE.replace("three", "five") + " Three others were injured."
    assert conflicts(a, b) == []


def test_numbers_only_marks_a_revised_toll() -> None:
    found = fact_conflicts(tokenise(BASE), tokenise(BASE.replace("three", "four")))
    assert found and all(c.numbers_only for c in found)
    found = fact_conflicts(tokenise(BASE), tokenise(BASE.replace("Bannu", "Karak")))
    assert found and not any(c.numbers_only for c in found)
