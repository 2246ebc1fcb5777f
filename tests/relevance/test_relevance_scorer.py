"""The decision, its tags and its evidence, on texts written for these tests."""

from __future__ import annotations

import pytest
from relevance_support import LEXICON, repo_seeds

from monitor.relevance import TAXONOMY, RelevanceScorer, SeedDoc

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


def test_ttp_attack_is_relevant_with_evidence(scorer: RelevanceScorer) -> None:
    rel = scorer.score(*TTP_ATTACK, "en")
    assert rel.relevant and rel.score >= 0.9
    assert {"ttp", "militant-attack"} <= set(rel.tags)
    assert rel.tags == tuple(sorted(rel.tags)) and set(rel.tags) <= set(TAXONOMY)
    by_term = {e.term: e for e in rel.evidence}
    # Terms as written in the lexicon, with their tags and counts (title + body).
    assert by_term["TTP"].tag == "ttp" and by_term["TTP"].count == 2
    assert by_term["Tehreek-e-Taliban Pakistan"].count == 1
    assert by_term["Bannu"].count == 3 and by_term["Bannu"].tag == "pakistan"  # facet when untagged
    assert by_term["militants"].count == 2
    assert "Pakistan" not in by_term  # only inside the TTP's name
    weights = [e.weight for e in rel.evidence]
    assert weights == sorted(weights, reverse=True)  # ordered by contribution
    assert rel.evidence[0].term == "TTP"  # weight 3, twice
    assert rel.closest_seed is not None and 0 < rel.closest_seed_similarity <= 1
    assert rel.extra["lexicon_version"] == scorer.version
    assert rel.extra["language"] == "en"
    assert rel.extra["negative_cues"] == []


def test_cricket_between_pakistan_and_afghanistan_is_not_relevant(scorer: RelevanceScorer) -> None:
    rel = scorer.score(*CRICKET)
    assert not rel.relevant and rel.score < scorer.threshold
    assert rel.tags == ()
    cues = rel.extra["negative_cues"]
    assert isinstance(cues, list) and {"wickets", "T20", "spinner"} <= set(cues)
    # Both countries are evidence, but the sport cues outweigh them.
    assert {"Pakistan", "Afghanistan"} <= {e.term for e in rel.evidence}
    without_cues = scorer.score(
        "Afghanistan and Pakistan in Sharjah", "Pakistan and Afghanistan officials met in Sharjah."
    )
    assert rel.score < without_cues.score


def test_urdu_border_clash(scorer: RelevanceScorer) -> None:
    rel = scorer.score(*URDU_CLASH, "ur")
    assert rel.relevant
    assert {"border-clash", "afghan-taliban"} <= set(rel.tags)
    terms = {e.term for e in rel.evidence}
    assert {"پاک افغان سرحد", "فائرنگ کا تبادلہ", "افغان طالبان", "طورخم"} <= terms


def test_language_hint_does_not_change_the_decision(scorer: RelevanceScorer) -> None:
    assert scorer.score(*URDU_CLASH, "ur").score == scorer.score(*URDU_CLASH, None).score


def test_threshold_decides_and_tags_follow_the_decision() -> None:
    seeds = repo_seeds()
    strict = RelevanceScorer.load(LEXICON, 0.9999, seeds)
    lax = RelevanceScorer.load(LEXICON, 0.0, seeds)
    title, text = "Pakistan and Afghanistan", "Officials of Pakistan and Afghanistan met on trade."
    s, la = strict.score(title, text), lax.score(title, text)
    assert s.score == la.score
    assert not s.relevant and s.tags == ()
    assert la.relevant


def test_empty_text_is_not_relevant(scorer: RelevanceScorer) -> None:
    rel = scorer.score("", "")
    assert not rel.relevant and rel.evidence == () and rel.closest_seed is None
    assert 0.0 <= rel.score < 0.05


def test_closest_seed_is_the_most_similar_document() -> None:
    seeds = [
        SeedDoc("cricket", "cricket wickets batters bowlers stadium innings cricket wickets"),
        SeedDoc("ttp", "Tehreek-e-Taliban Pakistan militants attack police Bannu Waziristan TTP"),
    ]
    scorer = RelevanceScorer.load(LEXICON, 0.5, seeds)
    rel = scorer.score(*TTP_ATTACK)
    assert rel.closest_seed == "ttp"
    assert scorer.score(*CRICKET).closest_seed == "cricket"
    assert RelevanceScorer.load(LEXICON, 0.5).score(*TTP_ATTACK).closest_seed is None


@pytest.mark.parametrize(
    ("title", "text", "tag"),
    [
        (
            "ISKP claims Kabul bombing",
            "Islamic State Khorasan Province claimed the suicide bombing "
            "at a mosque in Kabul that killed 12 worshippers.",
            "iskp",
        ),
        (
            "Torkham closed to trade",
            "Torkham border crossing remained closed to trade for a fifth day; hundreds of "
            "trucks carrying perishable goods were stranded on the Pak-Afghan border.",
            "border-trade",
        ),
        (
            "Deportation drive",
            "Police detained 300 undocumented Afghans in Karachi and shifted them to holding "
            "centres before their deportation via Torkham; PoR card holders were spared.",
            "refugees-deportation",
        ),
    ],
)
def test_tags_by_topic(scorer: RelevanceScorer, title: str, text: str, tag: str) -> None:
    rel = scorer.score(title, text)
    assert rel.relevant
    assert tag in rel.tags
