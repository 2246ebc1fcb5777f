"""Lexicon validation: every mistake in relevance.toml is a ConfigError naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from relevance_support import LEXICON

from monitor.exceptions import ConfigError
from monitor.relevance import lexicon_version
from monitor.relevance.lexicon import TAXONOMY, load_lexicon

MINIMAL = """
[facets]
actor = "groups"
place = "places"

[model]
bias = -2.0
actor = 3.0
"actor*place" = 2.0

[tags.ttp]
description = "the TTP"

[[group]]
name = "ttp-names"
facet = "actor"
weight = 3.0
tag = "ttp"
terms = ["TTP", "Tehreek-e-Taliban Pakistan"]

[[group]]
name = "kp"
facet = "place"
weight = 1.5
terms = ["Bannu"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "relevance.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_lexicon_loads(tmp_path: Path) -> None:
    lexicon = load_lexicon(write(tmp_path, MINIMAL))
    assert [g.name for g in lexicon.groups]


def test_shipped_lexicon_is_valid_and_uses_the_whole_taxonomy() -> None:
    lexicon = load_lexicon(LEXICON)
    assert {g.tag for g in lexicon.groups if g.tag} == set(TAXONOMY)
    assert [t.name for t in lexicon.tags] == list(TAXONOMY)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("weight = 3.0\ntag", "wieght = 3.0\ntag"), "unknown key 'group 'ttp-names'.wieght'"),
        (
            ("weight = 3.0\ntag", "weight = -1.0\ntag"),
            "invalid value for 'group 'ttp-names'.weight'",
        ),
        (
            ("weight = 3.0\ntag", "weight = 'heavy'\ntag"),
            "invalid value for 'group 'ttp-names'.weight'",
        ),
        (('tag = "ttp"', 'tag = "tpp"'), "group 'ttp-names' has unknown tag 'tpp'"),
        (("[tags.ttp]", "[tags.ttp-attack]"), "unknown tag 'tags.ttp-attack'"),
        (('facet = "place"', 'facet = "places"'), "group 'kp' has unknown facet 'places'"),
        (
            ('"actor*place" = 2.0', '"actor*region" = 2.0'),
            "unknown model feature 'model.actor*region'",
        ),
        (("[facets]", "[facet]"), "unknown key 'facet'"),
        (
            ('terms = ["Bannu"]', 'terms = ["Bannu", "TTP"]'),
            "term 'TTP' of group 'kp' is already listed",
        ),
        (('terms = ["Bannu"]', "terms = []"), "invalid value for 'group 'kp'.terms'"),
        (('terms = ["Bannu"]', 'terms = ["--"]'), "group 'kp' has a term with no letters"),
        (('name = "kp"', 'name = "ttp-names"'), "group 'ttp-names' is defined twice"),
        (("[model]", "[model]\nseeds = 1.0"), "unknown model feature 'model.seeds'"),
    ],
)
def test_invalid_lexicon_names_the_key(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in MINIMAL
    path = write(tmp_path, MINIMAL.replace(old, new, 1))
    with pytest.raises(ConfigError) as err:
        load_lexicon(path)
    assert message in str(err.value)
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="relevance lexicon not found"):
        load_lexicon(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_lexicon(write(tmp_path, "[facets\n"))


def test_version_is_a_hash_of_the_content(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    before = lexicon_version(path)
    assert before == load_lexicon(path).version
    path.write_text(MINIMAL.replace("weight = 1.5", "weight = 1.6"), encoding="utf-8")
    assert lexicon_version(path) != before
    path.write_text(MINIMAL, encoding="utf-8")
    assert lexicon_version(path) == before
