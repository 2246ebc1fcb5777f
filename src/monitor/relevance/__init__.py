"""The relevance stage: is a text about the TTP–Pakistan–Afghanistan conflict, and why.

    RelevanceScorer.load(lexicon_path, threshold, seeds, model_path=…).score(title, text, language)
        -> monitor.types.Relevance (calibrated score, decision, tags, evidence, entities)

normalize.py and matcher.py find the lexicon's terms (config/relevance.toml),
gazetteer.py the conflict's actors and places (config/gazetteer.toml),
features.py turns a text into named features, model.py reads the fitted model
(config/relevance-model.json), training.py fits it with scikit-learn,
tags.py applies config/tags.toml, and scorer.py puts them together.
"""

from monitor.relevance.lexicon import TAXONOMY, lexicon_version
from monitor.relevance.scorer import RelevanceScorer
from monitor.relevance.seeds import SeedDoc

__all__ = ["TAXONOMY", "RelevanceScorer", "SeedDoc", "lexicon_version"]
