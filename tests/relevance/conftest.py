"""Fixtures of the relevance tests: the shipped lexicon, gazetteer and model, loaded once."""

from __future__ import annotations

import pytest
from relevance_support import LEXICON, repo_seeds

from monitor.relevance import RelevanceScorer


@pytest.fixture(scope="session")
def scorer() -> RelevanceScorer:
    """The shipped model with the shipped seeds, at the default threshold."""
    return RelevanceScorer.load(LEXICON, 0.5, repo_seeds())
