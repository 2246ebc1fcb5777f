"""The relevance stage: is a text about the TTP–Pakistan–Afghanistan conflict, and why.

    RelevanceScorer.load(lexicon_path, threshold, seeds).score(title, text, language)
        -> monitor.types.Relevance (score, relevant, tags, evidence, closest seed)

normalize.py unifies scripts, matcher.py counts lexicon terms, seeds.py finds
the closest seed document, lexicon.py validates config/relevance.toml, and
scorer.py combines them (the formula is in its docstring and docs/relevance.md).
"""

from monitor.relevance.lexicon import TAXONOMY, lexicon_version
from monitor.relevance.scorer import RelevanceScorer
from monitor.relevance.seeds import SeedDoc

__all__ = ["TAXONOMY", "RelevanceScorer", "SeedDoc", "lexicon_version"]
