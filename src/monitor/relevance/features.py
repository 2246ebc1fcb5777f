"""From a text to the named features the relevance model weighs, and where each came from.

A text is split into three zones: the **title**, the **lead** (the first
``LEAD_TOKENS`` word tokens of the text) and the **body** (the rest). The
features, each a name and a value (docs/relevance.md lists them):

* ``lex:GROUP@head`` / ``lex:GROUP@body`` — a lexicon group's occurrences in
  title and lead (a title one counting twice) or in the body, as ``ln(1 + n)``;
* ``facet:F`` and ``facet:A*B`` — the lexicon's facet strengths
  ``1 − exp(−Σ weight × (1 + ln n))`` over the whole text (head counted
  double) and the products of two (co-occurrence: an actor *with* a place);
* ``anchor:KIND:CLASS@head|body`` — a gazetteer class named in the head or only
  in the body, ``anchor:conflict`` (any conflict anchor), ``anchor:pak+afg``
  (both countries), and ``anchor:none`` when nothing anchors the text in this
  conflict — the feature that stops "militants attack" elsewhere;
* ``w:NGRAM`` — word 1- and 2-grams of title + lead, present or not;
* ``c:NGRAM`` — character 3- to 5-grams of the title + lead words written in
  the Arabic script (Urdu, Pashto, Dari, Arabic morphology), present or not.

N-grams are computed on title and lead only: that keeps scoring fast on long
pages and weights the top of a page over its tail. Each feature also keeps a
short human description (the term, the zones, the facet) for the evidence.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

from monitor.relevance.gazetteer import CONFLICT_ANCHORS, Entity, Gazetteer
from monitor.relevance.lexicon import Lexicon
from monitor.relevance.matcher import TermMatcher, TokenText
from monitor.relevance.normalize import is_arabic_script, tokenize

LEAD_TOKENS = 60
CHAR_MIN, CHAR_MAX = 3, 5
HEAD_TITLE_WEIGHT = 2.0
CACHE_LIMIT = 200_000
ZONES = ("title", "lead", "body")


class Source(NamedTuple):
    """What a feature is, as a person reads it."""

    term: str
    where: str  # "title", "lead", "body", "title+lead"… or "" (whole text)
    facet: str
    n: int = 1


@dataclass(slots=True)
class Extracted:
    """A text's features (name -> value), their sources, and the entities it names."""

    values: dict[str, float] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    entities: dict[Entity, int] = field(default_factory=dict)
    entity_zones: dict[Entity, set[str]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)  # word counts of the text (not title)
    lexicon_hits: dict[str, dict[str, int]] = field(default_factory=dict)  # group -> zone -> n
    group_facet: dict[str, str] = field(default_factory=dict)  # lexicon group -> its facet


class FeatureExtractor:
    """Lexicon, gazetteer and n-gram features of a text; pure and deterministic."""

    def __init__(
        self, lexicon: Lexicon, gazetteer: Gazetteer, keep: frozenset[str] | None = None
    ) -> None:
        # ``keep``: the n-gram features the model knows (scoring skips the others); None: all.
        self._keep = keep
        # word -> its own n-gram features (news vocabulary repeats; bounded below).
        self._token_features: dict[str, tuple[tuple[str, Source, Source], ...]] = {}
        self.lexicon = lexicon
        self.gazetteer = gazetteer
        self._matcher = TermMatcher(lexicon)
        self._terms = [(t.text, t.group.name, t.group.facet) for t in self._matcher.terms]
        self._group_weight = {g.name: g.weight for g in lexicon.groups}
        self._group_facet = {g.name: g.facet for g in lexicon.groups}
        self._facets = lexicon.facets
        self._pairs = [(a, b) for i, a in enumerate(self._facets) for b in self._facets[i + 1 :]]

    def extract(self, title: str, text: str) -> Extracted:
        title_toks = tokenize(title)
        body_all = tokenize(text)
        lead = body_all[:LEAD_TOKENS]
        # Each zone's matches: title, lead, and the whole text less the lead (the body). The
        # zones' counts and joined forms are made once for the lexicon and the gazetteer.
        whole = TokenText(body_all)
        zones = (TokenText(title_toks), TokenText(lead, within=whole), whole)
        out = Extracted(counts=zones[2].counts)
        self._lexicon_features(_by_zone(self._matcher.count, *zones), out)
        self._anchor_features(_by_zone(self.gazetteer.find, *zones), out)
        self._ngram_features(title_toks, lead, out)
        return out

    def _lexicon_features(self, matched: dict[str, dict[int, int]], out: Extracted) -> None:
        hits: dict[str, dict[str, int]] = {}
        first_term: dict[tuple[str, str], tuple[int, str]] = {}
        for zone, found in matched.items():
            for idx, n in found.items():
                text, group, _ = self._terms[idx]
                z = hits.setdefault(group, {})
                z[zone] = z.get(zone, 0) + n
                best = first_term.get((group, zone))
                if best is None or n > best[0]:
                    first_term[(group, zone)] = (n, text)
        out.lexicon_hits = hits
        out.group_facet = self._group_facet
        mass = dict.fromkeys(self._facets, 0.0)
        body_mass = dict.fromkeys(self._facets, 0.0)
        named: dict[tuple[str, str], list[str]] = {}  # (facet, head|body) -> terms, for people
        for group, z in hits.items():
            head = HEAD_TITLE_WEIGHT * z.get("title", 0) + z.get("lead", 0)
            body = z.get("body", 0)
            facet = self._group_facet[group]
            term = next(first_term[(group, zn)][1] for zn in ZONES if (group, zn) in first_term)
            if head:
                name = f"lex:{group}@head"
                out.values[name] = math.log1p(head)
                zs = "+".join(zn for zn in ("title", "lead") if z.get(zn))
                out.sources[name] = Source(term, zs, facet, z.get("title", 0) + z.get("lead", 0))
            if body:
                name = f"lex:{group}@body"
                out.values[name] = math.log1p(body)
                out.sources[name] = Source(first_term[(group, "body")][1], "body", facet, body)
            weight = self._group_weight[group]
            if head:
                mass[facet] += weight * (1.0 + math.log(head))
                named.setdefault((facet, "head"), []).append(term)
            if body:
                body_mass[facet] += weight * (1.0 + math.log(body))
                named.setdefault((facet, "body"), []).append(first_term[(group, "body")][1])
        for f, m in body_mass.items():
            if m > 0:
                out.values[f"facet:{f}@body"] = 1.0 - math.exp(-m)
                terms = ", ".join(named[(f, "body")][:3])
                out.sources[f"facet:{f}@body"] = Source(f"{f}: {terms}", "body", f)
        strength = {f: 1.0 - math.exp(-m) for f, m in mass.items() if m > 0}
        for f, s in strength.items():
            out.values[f"facet:{f}"] = s
            terms = ", ".join(named[(f, "head")][:3])
            out.sources[f"facet:{f}"] = Source(f"{f}: {terms}", "title+lead", f)
        for a, b in self._pairs:
            if a in strength and b in strength:
                name = f"facet:{a}*{b}"
                out.values[name] = strength[a] * strength[b]
                out.sources[name] = Source(f"{a} × {b}", "title+lead", "co-occurrence")

    def _anchor_features(self, matched: dict[str, dict[Entity, int]], out: Extracted) -> None:
        classes: dict[str, set[str]] = {}
        names: dict[str, list[str]] = {}
        for zone, found in matched.items():
            for ent, n in found.items():
                out.entities[ent] = out.entities.get(ent, 0) + n
                out.entity_zones.setdefault(ent, set()).add(zone)
                classes.setdefault(ent.anchor, set()).add(zone)
                if ent.name not in names.setdefault(ent.anchor, []):
                    names[ent.anchor].append(ent.name)
        for anchor, zs in classes.items():
            in_head = bool(zs & {"title", "lead"})
            name = f"anchor:{anchor}@{'head' if in_head else 'body'}"
            out.values[name] = 1.0
            where = "+".join(z for z in ZONES if z in zs)
            out.sources[name] = Source(", ".join(names[anchor][:3]), where, f"anchor {anchor}")
        conflict = [a for a in classes if a in CONFLICT_ANCHORS]
        facets = out.values
        pak_afg = "facet:pakistan*afghanistan" in facets
        if conflict:
            out.values["anchor:conflict"] = 1.0
            out.sources["anchor:conflict"] = Source(
                ", ".join(n for a in conflict for n in names[a][:2]),
                "+".join(z for z in ZONES if any(z in classes[a] for a in conflict)),
                "anchor",
            )
        if pak_afg:
            out.values["anchor:pak+afg"] = 1.0
            out.sources["anchor:pak+afg"] = Source(
                "Pakistan and Afghanistan both named", "", "anchor"
            )
        if not conflict and not pak_afg:
            out.values["anchor:none"] = 1.0
            out.sources["anchor:none"] = Source(
                "no conflict anchor (TTP/ISKP/al-Qaeda, KP/ex-FATA place, crossing, border)",
                "",
                "anchor",
            )

    def _ngram_features(self, title: list[str], lead: list[str], out: Extracted) -> None:
        values, sources = out.values, out.sources
        cache = self._token_features
        keep = self._keep
        for zi, (zone, toks) in enumerate((("title", title), ("lead", lead))):
            prev = ""
            for tok in toks:
                feats = cache.get(tok)
                if feats is None:
                    if len(cache) > CACHE_LIMIT:
                        cache.clear()  # a daemon must not keep every word it ever saw
                    feats = cache[tok] = _token_ngrams(tok, keep)
                for name, *zone_sources in feats:
                    if name not in values:
                        values[name] = 1.0
                        sources[name] = zone_sources[zi]
                if prev:
                    name = f"w:{prev} {tok}"
                    if name not in values and (keep is None or name in keep):
                        values[name] = 1.0
                        sources[name] = Source(f"{prev} {tok}", zone, "words")
                prev = tok


def _token_ngrams(tok: str, keep: frozenset[str] | None) -> tuple[tuple[str, Source, Source], ...]:
    """One word's own features (``w:word``, and its ``c:`` n-grams in the Arabic script),
    each with its source in the title and in the lead (made once per word, not per text)."""
    out = [(f"w:{tok}", "words")]
    if not tok.isascii() and is_arabic_script(tok):
        padded = f"<{tok}>"
        out += [
            ("c:" + padded[i : i + n], "characters")
            for n in range(CHAR_MIN, CHAR_MAX + 1)
            for i in range(len(padded) - n + 1)
        ]
    kept = dict.fromkeys(f for f in out if keep is None or f[0] in keep)
    return tuple(
        (name, Source(tok, "title", facet), Source(tok, "lead", facet)) for name, facet in kept
    )


K = TypeVar("K")


def _by_zone(
    count: Callable[[TokenText], dict[K, int]],
    title: TokenText,
    lead: TokenText,
    text: TokenText,
) -> dict[str, dict[K, int]]:
    """Matches per zone; the body's are the whole text's less the lead's (one pass over it)."""
    in_text = count(text) if text.tokens else {}  # first: the lead's look-ups then use it
    in_lead = count(lead) if lead.tokens else {}
    body = {k: n - in_lead.get(k, 0) for k, n in in_text.items()}
    return {
        "title": count(title) if title.tokens else {},
        "lead": in_lead,
        "body": {k: n for k, n in body.items() if n > 0},
    }
