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
from dataclasses import dataclass, field

from monitor.relevance.gazetteer import CONFLICT_ANCHORS, Entity, Gazetteer
from monitor.relevance.lexicon import Lexicon
from monitor.relevance.matcher import TermMatcher
from monitor.relevance.normalize import is_arabic_script, tokenize

LEAD_TOKENS = 60
CHAR_MIN, CHAR_MAX = 3, 5
HEAD_TITLE_WEIGHT = 2.0
ZONES = ("title", "lead", "body")


@dataclass(frozen=True, slots=True)
class Source:
    """What a feature is, as a person reads it."""

    term: str
    where: str  # "title", "lead", "body", "title+lead"… or "" (whole text)
    facet: str
    count: int = 1


@dataclass(slots=True)
class Extracted:
    """A text's features (name -> value), their sources, and the entities it names."""

    values: dict[str, float] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    entities: dict[Entity, int] = field(default_factory=dict)
    entity_zones: dict[Entity, set[str]] = field(default_factory=dict)
    lexicon_hits: dict[str, dict[str, int]] = field(default_factory=dict)  # group -> zone -> n
    group_facet: dict[str, str] = field(default_factory=dict)  # lexicon group -> its facet


class FeatureExtractor:
    """Lexicon, gazetteer and n-gram features of a text; pure and deterministic."""

    def __init__(
        self, lexicon: Lexicon, gazetteer: Gazetteer, keep: frozenset[str] | None = None
    ) -> None:
        # ``keep``: the n-gram features the model knows (scoring skips the others); None: all.
        self._keep = keep
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
        zones = {
            "title": title_toks,
            "lead": body_all[:LEAD_TOKENS],
            "body": body_all[LEAD_TOKENS:],
        }
        out = Extracted()
        self._lexicon_features(zones, out)
        self._anchor_features(zones, out)
        self._ngram_features(zones["title"], zones["lead"], out)
        return out

    def _lexicon_features(self, zones: dict[str, list[str]], out: Extracted) -> None:
        hits: dict[str, dict[str, int]] = {}
        first_term: dict[tuple[str, str], tuple[int, str]] = {}
        for zone, toks in zones.items():
            if not toks:
                continue
            for idx, n in self._matcher.count(toks).items():
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

    def _anchor_features(self, zones: dict[str, list[str]], out: Extracted) -> None:
        classes: dict[str, set[str]] = {}
        names: dict[str, list[str]] = {}
        for zone, toks in zones.items():
            if not toks:
                continue
            for ent, n in self.gazetteer.find(toks).items():
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
        keep = self._keep
        values, sources = out.values, out.sources
        for zone, toks in (("title", title), ("lead", lead)):
            prev = ""
            for tok in toks:
                names = [(f"w:{tok}", tok)]
                if prev:
                    names.append((f"w:{prev} {tok}", f"{prev} {tok}"))
                prev = tok
                if is_arabic_script(tok):
                    padded = f"<{tok}>"
                    names += [
                        ("c:" + padded[i : i + n], tok)
                        for n in range(CHAR_MIN, CHAR_MAX + 1)
                        for i in range(len(padded) - n + 1)
                    ]
                for name, term in names:
                    if name not in values and (keep is None or name in keep):
                        values[name] = 1.0
                        sources[name] = Source(
                            term, zone, "characters" if name[0] == "c" else "words"
                        )
