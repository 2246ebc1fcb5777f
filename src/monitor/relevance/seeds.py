"""Similarity of a text to the seed corpus: the closest seed document, and how close.

The seeds are the reference articles the project started from (``seeds/``).
Each becomes a sparse vector of its ``top_k`` most frequent content words
(stop words, numbers and one- or two-letter tokens dropped). Keeping only the
top words matters twice: a seed file holds a main article followed by short
unrelated "related article" fragments, whose words then mostly fall out; and
scoring a text costs ``top_k`` dictionary look-ups per seed, on the token
counts the matcher has already made.

Similarity is the cosine between a seed vector and the text's term-frequency
vector, both over content words. It is a weak, language-bound signal (the
seeds are English), so it is one feature of the model among others and never
decides alone; it is reported as ``closest_seed`` evidence.
"""

from __future__ import annotations

import math
import operator
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from monitor.relevance.normalize import tokenize

# Function words of English (the seeds' language) that would otherwise dominate tf vectors.
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers him his how i if in into is it its
    itself just me more most my no nor not now of off on once only or other our ours out
    over own same she should so some such than that the their theirs them then there these
    they this those through to too under until up very was we were what when where which
    while who whom why will with would you your said says say told according new one two
    three year years last first since after amid also mr ms per cent""".split()  # noqa: SIM905
)


@dataclass(frozen=True, slots=True)
class SeedDoc:
    """A seed document: its id (file stem) and text."""

    id: str
    text: str


class SeedIndex:
    """Sparse top-word vectors of the seeds, compared with a text's token counts."""

    def __init__(self, seeds: Sequence[SeedDoc], top_k: int = 60) -> None:
        self._ids: list[str] = []
        # word -> ((seed index, weight), …): only words some seed keeps are ever looked at.
        postings: dict[str, list[tuple[int, float]]] = {}
        for seed in seeds:
            counts = Counter(t for t in tokenize(seed.text) if _content(t))
            top = counts.most_common(top_k)
            norm = math.sqrt(sum(float(c) * c for _, c in top))
            if norm == 0:
                continue
            for word, c in top:
                postings.setdefault(word, []).append((len(self._ids), c / norm))
            self._ids.append(seed.id)
        self._postings = {w: tuple(p) for w, p in postings.items()}
        self._vocab = frozenset(self._postings)

    def __len__(self) -> int:
        return len(self._ids)

    def closest(self, counts: Mapping[str, int]) -> tuple[str | None, float]:
        """The most similar seed's id and the cosine similarity (``None, 0.0`` without seeds)."""
        if not self._ids or not counts:
            return None, 0.0
        values = list(counts.values())
        sq = sum(map(operator.mul, values, values))
        # ``keys() & frozenset`` walks the (smaller) word list, not the text's vocabulary.
        stop = [counts[w] for w in counts.keys() & STOPWORDS]
        sq -= sum(map(operator.mul, stop, stop))
        if sq <= 0:
            return None, 0.0
        dots = [0.0] * len(self._ids)
        # Sorted: a set's order follows string hashes, and float sums must not vary per process.
        for word in sorted(counts.keys() & self._vocab):
            c = counts[word]
            for i, w in self._postings[word]:
                dots[i] += w * c
        best = max(range(len(dots)), key=dots.__getitem__)
        if dots[best] <= 0:
            return None, 0.0
        return self._ids[best], min(dots[best] / math.sqrt(sq), 1.0)


def _content(token: str) -> bool:
    return len(token) > 2 and not token.isdigit() and token not in STOPWORDS
