"""Story terms: names and figures; content words where a script has no capitals;
beat-generic names counting half, so boilerplate alone never makes one story."""

from __future__ import annotations

from monitor.dedup.story import match_story, story_terms
from monitor.dedup.tokens import tokenise
from monitor.settings import DedupSettings

GENERIC = DedupSettings().story_generic_terms


def test_urdu_ledes_give_their_content_words_not_function_words() -> None:
    terms = story_terms(tokenise("مردان کی ضلعی کچہری میں خودکش حملے میں 12 افراد ہلاک ہو گئے"))
    assert {"مردان", "کچہری", "خودکش", "12"} <= set(terms)
    assert not {"کی", "میں", "ہو", "گئے"} & set(terms)


def test_press_release_boilerplate_alone_is_not_one_story() -> None:
    a = tokenise(
        "Security forces killed three terrorists in an intelligence-based operation in the "
        "Spinwam area of North Waziristan, the Inter-Services Public Relations (ISPR) said."
    )
    b = tokenise(
        "Security forces killed five terrorists in an intelligence-based operation in the "
        "Datta Khel area of North Waziristan, the Inter-Services Public Relations (ISPR) said."
    )
    kw = {"min_shared": 3, "min_vocabulary": 0.15}
    assert match_story(a, b, **kw) is not None  # without the list, the boilerplate links them
    assert match_story(a, b, generic=GENERIC, **kw) is None


def test_a_specific_place_and_figures_still_link_two_write_ups() -> None:
    a = tokenise(
        "Border guards of Pakistan and the Afghan Taliban exchanged fire at Torkham on Monday, "
        "and the crossing at Landi Kotal was closed to 2600 lorries, officials said."
    )
    b = tokenise(
        "Firing between Pakistani troops and the Taliban at Torkham on Monday left 2600 lorries "
        "stranded near Landi Kotal, Pakistan's officials told reporters."
    )
    found = match_story(a, b, generic=GENERIC, min_shared=3, min_vocabulary=0.15)
    assert found is not None
    assert {"torkham", "2600"} <= found.shared
