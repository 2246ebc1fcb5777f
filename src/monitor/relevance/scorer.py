"""The relevance decision: a score in [0, 1], topic tags, and the evidence behind them.

How a text is scored (docs/relevance.md has the worked version):

1. Every matched lexicon term contributes ``weight × (1 + ln n)``, where ``n``
   counts its occurrences, a title occurrence counting ``title_weight`` times.
   The logarithm makes the tenth mention of "Pakistan" worth far less than the
   first.
2. Contributions add up per facet (actor, pakistan, afghanistan, border,
   event, negative cues…); a facet's strength is ``1 − exp(−mass)``, in [0, 1).
3. ``z = bias + Σ coef × feature``, where a feature is a facet strength, a
   product of two (co-occurrence: an actor of the conflict *with* its places
   or its events), or the similarity to the closest seed document. The score
   is the logistic ``1 / (1 + e^−z)``; the item is relevant when the score
   reaches the configured threshold.
4. A tag is given to a relevant item when the contributions of the terms
   carrying it reach the tag's minimum, and the facets it requires are present.

Everything numeric lives in the lexicon file, so the decision is tuned there
(and checked with ``benchmarks/relevance_eval.py``), never in this code.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from monitor.exceptions import ConfigError
from monitor.relevance.lexicon import SEED_FEATURE, Lexicon, load_lexicon
from monitor.relevance.matcher import TermMatcher
from monitor.relevance.normalize import tokenize
from monitor.relevance.seeds import SeedDoc, SeedIndex
from monitor.types import Evidence, Relevance


@dataclass(frozen=True, slots=True)
class _Feature:
    name: str
    coef: float
    a: str | None  # facet, or None for the seed similarity
    b: str | None  # second facet of a co-occurrence feature


class _Hit(NamedTuple):
    term: str
    facet: str
    tag: str | None
    occurrences: int
    contribution: float


class RelevanceScorer:
    """Scores texts against one lexicon and one seed corpus; safe to share between threads."""

    def __init__(self, lexicon: Lexicon, threshold: float, seeds: Sequence[SeedDoc] = ()) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ConfigError(f"relevance threshold must be between 0 and 1 (got {threshold})")
        self.lexicon = lexicon
        self.threshold = threshold
        self._matcher = TermMatcher(lexicon)
        self._term_info = [
            (t.text, t.group.facet, t.group.tag, t.group.weight) for t in self._matcher.terms
        ]
        self._seeds = SeedIndex(seeds)
        self._features = tuple(_feature(name, coef) for name, coef in lexicon.model)
        self._negative = frozenset(
            f.a for f in self._features if f.b is None and f.a is not None and f.coef < 0
        )

    @classmethod
    def load(
        cls, lexicon_path: Path, threshold: float, seeds: Sequence[SeedDoc] = ()
    ) -> RelevanceScorer:
        """A scorer for the lexicon file; ConfigError naming the file and key if it is invalid."""
        return cls(load_lexicon(Path(lexicon_path)), threshold, seeds)

    @property
    def version(self) -> str:
        """The lexicon version (hash of the file) this scorer applies."""
        return self.lexicon.version

    def score(self, title: str, text: str, language: str | None = None) -> Relevance:
        """The relevance of one article (title and main text); pure, no I/O."""
        body = tokenize(text)
        body_counts = Counter(body)
        hits = self._hits(tokenize(title), body, body_counts)
        mass = dict.fromkeys(self.lexicon.facets, 0.0)
        tag_mass: dict[str, float] = {}
        for h in hits:
            mass[h.facet] += h.contribution
            if h.tag:
                tag_mass[h.tag] = tag_mass.get(h.tag, 0.0) + h.contribution
        strength = {f: 1.0 - math.exp(-m) for f, m in mass.items()}
        seed_id, seed_sim = self._seeds.closest(body_counts)
        z = self.lexicon.bias + sum(f.coef * _value(f, strength, seed_sim) for f in self._features)
        score = 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))
        relevant = score >= self.threshold
        return Relevance(
            score=score,
            relevant=relevant,
            tags=self._tags(tag_mass, strength) if relevant else (),
            evidence=tuple(
                Evidence(h.term, h.tag or h.facet, h.occurrences, h.contribution) for h in hits
            ),
            closest_seed=seed_id,
            closest_seed_similarity=seed_sim,
            extra={
                "z": round(z, 4),
                "facets": {f: round(s, 4) for f, s in strength.items() if s > 0},
                "negative_cues": sorted(h.term for h in hits if h.facet in self._negative),
                "tag_mass": {t: round(m, 4) for t, m in sorted(tag_mass.items())},
                "lexicon_version": self.lexicon.version,
                "language": language,
            },
        )

    def _hits(self, title: list[str], body: list[str], body_counts: Counter[str]) -> list[_Hit]:
        """Matched terms with their contributions, largest first."""
        in_body = self._matcher.count(body, body_counts)
        in_title = self._matcher.count(title) if title else {}
        tw = self.lexicon.title_weight
        info = self._term_info
        log = math.log
        hits = []
        for idx in in_title.keys() | in_body.keys() if in_title else in_body:
            t = in_title.get(idx, 0)
            occurrences = in_body.get(idx, 0) + t
            n = occurrences + (tw - 1.0) * t
            if n <= 0:
                continue
            text, facet, tag, weight = info[idx]
            contribution = weight * (1.0 + log(n)) if n >= 1 else weight * n
            hits.append(_Hit(text, facet, tag, occurrences, contribution))
        hits.sort(key=_by_contribution)
        return hits

    def _tags(self, tag_mass: dict[str, float], strength: dict[str, float]) -> tuple[str, ...]:
        return tuple(
            sorted(
                rule.name
                for rule in self.lexicon.tags
                if tag_mass.get(rule.name, 0.0) >= rule.min_mass
                and all(strength.get(f, 0.0) > 0 for f in rule.requires)
            )
        )


def _by_contribution(h: _Hit) -> tuple[float, str]:
    return (-h.contribution, h.term)


def _feature(name: str, coef: float) -> _Feature:
    if name == SEED_FEATURE:
        return _Feature(name, coef, None, None)
    a, _, b = name.partition("*")
    return _Feature(name, coef, a, b or None)


def _value(f: _Feature, strength: dict[str, float], seed_sim: float) -> float:
    if f.a is None:
        return seed_sim
    if f.b is None:
        return strength[f.a]
    return strength[f.a] * strength[f.b]
