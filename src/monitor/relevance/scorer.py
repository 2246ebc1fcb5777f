"""The relevance decision: a calibrated probability, the decision, tags, entities, evidence.

    z        = intercept + Σ coef[f] × value[f]   (features.py; coefficients fitted by
                                                training.py, read from config/relevance-model.json)
    score    = 1 / (1 + exp(−(a·z + b)))          (Platt calibration on cross-validated
                                                training predictions: an estimate of P(relevant))
    relevant = score ≥ [relevance] threshold

Each feature's contribution ``coef × value`` is its share of ``z``; the
evidence lists the largest in absolute value (positive and negative), each
with the term, where it matched (title, lead, body) and its facet, so a reader
sees why. Tags (tags.py) and entities (gazetteer.py) come from the same pass.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from pathlib import Path

from monitor.exceptions import ConfigError
from monitor.relevance.features import FeatureExtractor, Source
from monitor.relevance.gazetteer import load_gazetteer
from monitor.relevance.lexicon import load_lexicon
from monitor.relevance.model import LinearModel, load_model
from monitor.relevance.seeds import SeedDoc, SeedIndex
from monitor.relevance.tags import TagRule, assign_tags, load_tag_rules
from monitor.types import Entities, Evidence, Relevance

EVIDENCE_SHOWN = 10


MODEL_FILE = "relevance-model.json"
GAZETTEER_FILE = "gazetteer.toml"
TAGS_FILE = "tags.toml"


def default_paths(config_dir: Path) -> tuple[Path, Path]:
    """The shipped lexicon and gazetteer in a config folder."""
    return config_dir / "relevance.toml", config_dir / GAZETTEER_FILE


def load_extractor(
    lexicon_path: Path, gazetteer_path: Path, keep: frozenset[str] | None = None
) -> FeatureExtractor:
    lexicon = load_lexicon(Path(lexicon_path))
    return FeatureExtractor(lexicon, load_gazetteer(Path(gazetteer_path), lexicon), keep)


class RelevanceScorer:
    """Scores texts with one fitted model; safe to share between threads (no state changes)."""

    def __init__(
        self,
        extractor: FeatureExtractor,
        model: LinearModel,
        tag_rules: tuple[TagRule, ...],
        threshold: float,
        seeds: Sequence[SeedDoc] = (),
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ConfigError(f"relevance threshold must be between 0 and 1 (got {threshold})")
        self.extractor = extractor
        self.model = model
        self.tag_rules = tag_rules
        self.threshold = threshold
        self._version = model.version  # a hash over every coefficient: computed once
        self._seeds = SeedIndex(seeds)

    @classmethod
    def load(
        cls,
        lexicon_path: Path,
        threshold: float,
        seeds: Sequence[SeedDoc] = (),
        *,
        model_path: Path | None = None,
        gazetteer_path: Path | None = None,
        tags_path: Path | None = None,
    ) -> RelevanceScorer:
        """A scorer for the lexicon and the model, gazetteer and tags next to it (or given)."""
        folder = Path(lexicon_path).parent
        # Building the term tables allocates ~10^5 small objects that all live on: the cyclic
        # garbage collector would only re-scan them, which costs a fifth of the load time.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            model = load_model(Path(model_path or folder / MODEL_FILE))
            keep = frozenset(k for k in model.coef if k.startswith(("w:", "c:")))
            extractor = load_extractor(
                Path(lexicon_path), Path(gazetteer_path or folder / GAZETTEER_FILE), keep
            )
            rules = load_tag_rules(Path(tags_path or folder / TAGS_FILE))
        finally:
            if was_enabled:
                gc.enable()
        return cls(extractor, model, rules, threshold, seeds)

    @property
    def version(self) -> str:
        """The model version (hash of its coefficients): which model scored a stored item."""
        return self._version

    def score(self, title: str, text: str, language: str | None = None) -> Relevance:
        """The relevance of one article (title and main text); pure, no I/O."""
        ex = self.extractor.extract(title, text)
        coef = self.model.coef
        get = coef.get  # one look-up per feature in the large table, not two
        contrib = {k: c * v for k, v in ex.values.items() if (c := get(k)) is not None}
        z = self.model.intercept + sum(contrib.values())
        score = self.model.probability(z)
        relevant = score >= self.threshold
        tag_hits = assign_tags(self.tag_rules, ex) if relevant else []
        seed_id, seed_sim = self._seeds.closest(ex.counts) if len(self._seeds) else (None, 0.0)
        return Relevance(
            score=score,
            relevant=relevant,
            tags=tuple(h.tag for h in tag_hits),
            evidence=self._evidence(contrib, ex.sources),
            closest_seed=seed_id,
            closest_seed_similarity=seed_sim,
            extra={
                "z": round(z, 4),
                "intercept": round(self.model.intercept, 4),
                "model_version": self._version,
                "language": language,
                "tag_evidence": {h.tag: f"{h.cue} ({h.where})" for h in tag_hits},
            },
            entities=Entities(
                groups=tuple(sorted({e.name for e in ex.entities if e.kind == "group"})),
                places=tuple(sorted({e.name for e in ex.entities if e.kind == "place"})),
            ),
        )

    def _evidence(
        self, contrib: dict[str, float], sources: dict[str, Source]
    ) -> tuple[Evidence, ...]:
        """The largest contributions; character n-grams are summed per word they came from."""
        # Only the largest contributions can make the list (characters merge per word, so keep
        # a margin); sorting all of them would cost more than the rest of the evidence.
        # ``sorted`` is stable and reverse keeps ties in order: the same list as
        # ``heapq.nlargest(n, items, key=abs)``, with the key looked up in C.
        items = list(contrib.items())
        mags = list(map(abs, contrib.values()))
        order = sorted(range(len(items)), key=mags.__getitem__, reverse=True)
        largest = [items[i] for i in order[: EVIDENCE_SHOWN * 4]]
        merged: dict[tuple[str, str, str], list[float]] = {}
        for k, c in largest:
            src = sources[k]
            slot = merged.setdefault((src.term, src.where, src.facet), [0.0, 0.0])
            slot[0] += c
            slot[1] = max(slot[1], float(src.n))
        top = sorted(merged.items(), key=lambda kv: (-abs(kv[1][0]), kv[0]))[:EVIDENCE_SHOWN]
        return tuple(
            Evidence(term, facet, int(n), round(c, 4), where=where, facet=facet)
            for (term, where, facet), (c, n) in top
        )
