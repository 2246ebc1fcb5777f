"""The decision, its tags, entities and evidence, on texts written for these tests.

These are regression checks of behaviour a reader relies on; the measure of the
model is the real labelled news of tests/relevance/test_relevance_corpus.py."""

from __future__ import annotations

from relevance_support import LEXICON

from monitor.relevance import RelevanceScorer

TTP_ATTACK = (
    "Militants kill four policemen in Bannu",
    "BANNU: Four policemen were martyred when militants attacked a checkpost in the Domel area "
    "of Bannu district on Monday night, police said. The banned Tehreek-e-Taliban Pakistan (TTP) "
    "claimed responsibility for the attack. A search operation was launched in the area. "
    "The TTP has stepped up attacks in Khyber Pakhtunkhwa since the collapse of talks.",
)
CRICKET = (
    "Afghanistan stun Pakistan by six wickets in Sharjah",
    "SHARJAH: Afghanistan beat Pakistan by six wickets in the first T20 international on Friday. "
    "Pakistan were bowled out for 130 after the Afghan spinners took seven wickets between them. "
    "Afghanistan's batters chased the target with two overs to spare, and the Pakistan captain "
    "said his side would bounce back in the second match of the series. Fans of both Pakistan "
    "and Afghanistan filled the stadium; the clash between the neighbours drew a record crowd.",
)
URDU_CLASH = (
    "کرم میں پاک افغان سرحد پر فائرنگ کا تبادلہ",
    "پاراچنار: ضلع کرم میں پاک افغان سرحد پر پاکستانی اور افغان فورسز کے درمیان فائرنگ کا تبادلہ "
    "ہوا۔ حکام کے مطابق افغان طالبان نے سرحدی چوکی پر حملہ کیا جس کا بھرپور جواب دیا گیا۔ "
    "جھڑپ کے بعد طورخم گزرگاہ تجارت کے لیے بند کر دی گئی۔",
)


ELSEWHERE = (
    "Militants attack army base in northern Iraq",
    "MOSUL: Militants attacked an army base near Mosul on Tuesday, killing six soldiers, "
    "officials said. The Islamic State group claimed responsibility for the suicide attack, the "
    "latest in a series of bombings in Nineveh province. Security forces launched a search "
    "operation.",
)


def test_ttp_attack_is_relevant_with_readable_evidence(scorer: RelevanceScorer) -> None:
    rel = scorer.score(*TTP_ATTACK, "en")
    assert rel.relevant and rel.score >= 0.9
    assert "ttp" in rel.tags
    assert rel.extra["tag_evidence"]["ttp"].startswith("group:TTP")
    top = rel.evidence[0]
    assert (top.term, top.where, top.facet) == ("TTP", "lead", "actor")
    assert top.count == 3 and top.weight > 0
    weights = [abs(e.weight) for e in rel.evidence]
    assert weights == sorted(weights, reverse=True)  # largest contribution first
    assert all(
        e.where
        in ("", "title", "lead", "body", "title+lead", "lead+body", "title+lead+body", "title+body")
        for e in rel.evidence
    )
    assert rel.extra["model_version"] == scorer.version
    assert rel.extra["language"] == "en"


def test_entities_come_from_the_gazetteer_in_any_script(scorer: RelevanceScorer) -> None:
    assert scorer.score(*TTP_ATTACK).entities.groups == ("TTP",)
    assert scorer.score(*TTP_ATTACK).entities.places == ("Bannu", "Khyber Pakhtunkhwa")
    urdu = scorer.score(*URDU_CLASH, "ur")
    assert urdu.relevant and "pak-afghan" in urdu.tags
    assert urdu.entities.places == ("Durand Line", "Kurram", "Torkham")
    assert urdu.entities.groups == ("Afghan Taliban",)


def test_look_alikes_are_not_relevant_and_say_why(scorer: RelevanceScorer) -> None:
    cricket = scorer.score(*CRICKET, "en")
    assert not cricket.relevant and cricket.tags == ()
    assert any(e.facet == "negative" and e.weight < 0 for e in cricket.evidence)
    iraq = scorer.score(*ELSEWHERE, "en")
    assert not iraq.relevant
    assert iraq.evidence[0].facet == "anchor" and iraq.evidence[0].weight < 0
    assert iraq.evidence[0].term.startswith("no conflict anchor")


def test_scores_are_deterministic_and_ranked(scorer: RelevanceScorer) -> None:
    again = RelevanceScorer.load(LEXICON, 0.5)
    for text in (TTP_ATTACK, CRICKET, URDU_CLASH, ELSEWHERE):
        a, b = scorer.score(*text), again.score(*text)
        assert (a.score, a.tags, a.evidence, a.entities) == (
            b.score,
            b.tags,
            b.evidence,
            b.entities,
        )
    # The score ranks: not every relevant item saturates at 1.
    assert 0.0 < scorer.score(*ELSEWHERE).score < scorer.score(*TTP_ATTACK).score < 1.0


def test_empty_text_scores_low(scorer: RelevanceScorer) -> None:
    rel = scorer.score("", "")
    assert not rel.relevant and rel.score < 0.2 and rel.entities.groups == ()
