"""Duplicate and story decisions against the seeds and the store.

    text ─fingerprint─▶ TextFingerprint            (pure: hash, band keys, story keys)
    text, fingerprint ─check─▶ DuplicateVerdict    (reads the FingerprintIndex)

``check`` runs, in order, and stops at the first answer:

1. exact copy: the normalised text's hash is stored;
2. too short to tell: fewer than ``min_words`` words, kept as new;
3. near-duplicate / contained / contains: the LSH band index proposes
   candidates, the exact shingle comparison confirms them with
   length-aware thresholds, and a candidate with the same wording but
   different facts (another count, day or place) is rejected;
4. same story: a close-but-not-duplicate candidate without conflicting
   facts (figures aside: a revised toll), or an item sharing the lede's key
   facts, gives its ``story_id`` when it is dated within ``story_window``;
   ``story_reason`` names the rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from monitor.dedup.compare import (
    Conflict,
    Overlap,
    fact_agreement,
    fact_conflicts,
    overlap,
    shingle_set,
)
from monitor.dedup.normalise import content_hash
from monitor.dedup.signature import SIGNATURE, probe_keys, term_key, text_keys
from monitor.dedup.story import match_story, story_keys, story_terms
from monitor.dedup.tokens import Tokens, tokenise
from monitor.settings import DedupSettings
from monitor.types import DuplicateKind, DuplicateRef, DuplicateVerdict

_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class TextFingerprint:
    """Everything the store keeps about a text to find its duplicates later.

    ``index_keys`` are stored (band keys of the text's windows), ``probe_keys``
    are looked up when the text is checked, ``story_keys`` index its lede's
    facts. ``signature`` names the index format the keys were made with.
    Only ``content_hash`` is required: a bare fingerprint is found by exact copy only.
    """

    content_hash: str
    words: int = 0
    index_keys: tuple[int, ...] = ()
    probe_keys: tuple[int, ...] = ()
    story_keys: tuple[int, ...] = ()
    signature: str = SIGNATURE


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored text the index proposes, with what the comparison needs."""

    kind: DuplicateKind
    id: str
    text: str
    story_id: str | None = None
    hits: int = 0
    day: int | None = None  # day_number of its date (published, else fetched); None for seeds


@dataclass(frozen=True, slots=True)
class StoryCandidates:
    """Items sharing lede facts in the time window; ``common`` are fact keys too
    frequent there to mean anything (they were not used to find candidates)."""

    candidates: tuple[Candidate, ...]
    common: frozenset[int] = frozenset()


class FingerprintIndex(Protocol):
    """Read side of the fingerprint store (implemented in monitor.store)."""

    def find_exact(self, content_hash: str) -> DuplicateRef | None:
        """The seed or item whose normalised text hashes to ``content_hash``, if any."""
        ...

    def story_of(self, item_id: str) -> str | None:
        """The story id of a stored item."""
        ...

    def find_similar(self, band_keys: Sequence[int], *, limit: int) -> list[Candidate]:
        """Seeds and non-duplicate items sharing band keys, most shared first."""
        ...

    def find_same_story(
        self,
        term_keys: Sequence[int],
        first_day: int,
        last_day: int,
        *,
        limit: int,
        max_postings: int,
        min_shared: int = 1,
    ) -> StoryCandidates:
        """Items dated within [first_day, last_day] sharing at least ``min_shared`` lede
        facts, most shared first; a fact found in more than ``max_postings`` items there
        is reported as common instead."""
        ...


def make_fingerprint(text: str) -> TextFingerprint:
    """The fingerprint of ``text``: a pure function of the text and the index format."""
    tokens = tokenise(text)
    stored, probes = text_keys(tokens.words)
    return TextFingerprint(
        content_hash=content_hash(text),
        words=len(tokens),
        index_keys=stored,
        probe_keys=probes,
        story_keys=story_keys(tokens),
    )


def day_number(moment: datetime) -> int:
    """Days since 1970-01-01 (UTC): the story index's unit of time."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return (aware.astimezone(UTC).date() - _EPOCH).days


@dataclass(frozen=True, slots=True)
class _Judgement:
    candidate: Candidate
    tokens: Tokens
    overlap: Overlap
    shape: str | None  # "near-duplicate of" | "contained in" | "contains" | None
    similarity: float
    conflicts: tuple[Conflict, ...]

    @property
    def duplicate(self) -> bool:
        return self.shape is not None and not self.conflicts


class DuplicateDetector:
    """Decides whether a text duplicates a seed or a stored item, and which story it joins."""

    def __init__(self, settings: DedupSettings, index: FingerprintIndex) -> None:
        self._settings = settings
        self._index = index

    def fingerprint(self, text: str) -> TextFingerprint:
        return make_fingerprint(text)

    def check(
        self,
        text: str,
        fingerprint: TextFingerprint,
        *,
        published_at: datetime | None = None,
        received_at: datetime | None = None,
    ) -> DuplicateVerdict:
        """The verdict for ``text``; ``received_at`` dates it for stories when
        ``published_at`` is unknown (without either, no story is looked for)."""
        exact = self._exact(fingerprint)
        if exact is not None or not self._settings.enabled:
            return exact or DuplicateVerdict(duplicate_of=None, reason="new")
        tokens = tokenise(text)
        if len(tokens) < self._settings.min_words:
            return DuplicateVerdict(
                duplicate_of=None, reason=f"too short to tell ({len(tokens)} words): kept as new"
            )
        keys = fingerprint.probe_keys or probe_keys(tokens.words)
        when = published_at or received_at
        judged = self._judge_all(tokens, keys, day_number(when) if when else None)
        duplicates = [j for j in judged if j.duplicate]
        if duplicates:
            return _duplicate_verdict(max(duplicates, key=lambda j: j.similarity))
        return self._new_verdict(tokens, judged, when)

    # -- duplicates -------------------------------------------------------------

    def _exact(self, fingerprint: TextFingerprint) -> DuplicateVerdict | None:
        ref = self._index.find_exact(fingerprint.content_hash)
        if ref is None:
            return None
        story = self._index.story_of(ref.id) if ref.kind == "item" else None
        return DuplicateVerdict(
            duplicate_of=ref,
            story_id=story,
            reason=f"exact copy of {ref.kind} {ref.id}",
            story_reason=f"copy of item {ref.id}" if story else None,
        )

    def _judge_all(self, tokens: Tokens, keys: Sequence[int], day: int | None) -> list[_Judgement]:
        if not keys:
            return []
        mine = shingle_set(tokens)
        candidates = self._index.find_similar(keys, limit=self._settings.max_candidates)
        return [self._judge(tokens, mine, c, day) for c in candidates]

    def _judge(
        self, tokens: Tokens, mine: frozenset[str], candidate: Candidate, day: int | None
    ) -> _Judgement:
        theirs = tokenise(candidate.text)
        ov = overlap(mine, shingle_set(theirs))
        shape, similarity = self._shape(ov)
        if shape is not None and self._too_far_apart(candidate, day, similarity):
            shape = None
        close = shape is not None or self._closeness(ov) >= self._settings.story_similarity
        check = close and self._settings.check_facts
        conflicts = tuple(fact_conflicts(tokens, theirs)) if check else ()
        if (
            shape is None
            and check
            and not conflicts
            and self._re_edit(tokens, theirs, ov)
            and not self._too_far_apart(candidate, day, 0.0)
        ):
            shape = "re-edit of"
        return _Judgement(candidate, theirs, ov, shape, similarity, conflicts)

    def _too_far_apart(self, candidate: Candidate, day: int | None, similarity: float) -> bool:
        """A close-but-not-identical text dated more than ``duplicate_window`` from the
        stored one is the same formula for a later event (another court adjournment, next
        week's figures), not a copy: copies run within days. Very close texts still are."""
        s = self._settings
        if day is None or candidate.day is None or similarity >= s.duplicate_window_similarity:
            return False
        return abs(candidate.day - day) > int(timedelta(seconds=s.duplicate_window).days)

    def _re_edit(self, tokens: Tokens, theirs: Tokens, ov: Overlap) -> bool:
        """Close but under the thresholds (a re-edited or differently cut wire copy):
        a copy when the facts agree, i.e. nearly all facts of one are stated in the other."""
        s = self._settings
        if min(ov.size_a, ov.size_b) < s.min_words or self._closeness(ov) < s.reedit_similarity:
            return False
        share = fact_agreement(tokens, theirs, min_facts=s.reedit_min_facts)
        return share is not None and share >= s.reedit_fact_share

    def _shape(self, ov: Overlap) -> tuple[str | None, float]:
        """Which duplicate relation the overlap shows, if any, and its similarity."""
        s = self._settings
        smaller = min(ov.size_a, ov.size_b)
        if smaller >= s.min_words and ov.jaccard >= self._threshold(
            s.jaccard_short, s.jaccard, smaller
        ):
            return "near-duplicate of", ov.jaccard
        if ov.size_a >= s.min_words and ov.contained >= self._threshold(
            s.containment_short, s.containment, ov.size_a
        ):
            return "contained in", ov.contained
        if (
            ov.size_b >= s.min_words
            and ov.size_b >= s.contains_min_ratio * ov.size_a
            and ov.contains >= self._threshold(s.containment_short, s.containment, ov.size_b)
        ):
            return "contains", ov.contains
        return None, self._closeness(ov)

    def _closeness(self, ov: Overlap) -> float:
        """The best of the three measures; "contains" only counts when the stored text
        is a fair share of the new one (a digest page holding it is not that story)."""
        contains = ov.contains if ov.size_b >= self._settings.contains_min_ratio * ov.size_a else 0
        return max(ov.jaccard, ov.contained, contains)

    def _threshold(self, short_value: float, long_value: float, size: int) -> float:
        """``short_value`` up to ``short_words`` words, ``long_value`` from ``long_words``,
        a straight line between."""
        s = self._settings
        if size <= s.short_words or s.long_words <= s.short_words:
            return short_value if size <= s.short_words else long_value
        if size >= s.long_words:
            return long_value
        share = (size - s.short_words) / (s.long_words - s.short_words)
        return short_value + share * (long_value - short_value)

    # -- new texts and their story ---------------------------------------------

    def _new_verdict(
        self, tokens: Tokens, judged: list[_Judgement], when: datetime | None
    ) -> DuplicateVerdict:
        """New: which story it joins, if any, and why; every story rule keeps to the window
        (``story_window`` either side of the text's date; without a date, no story)."""
        vetoed = [j for j in judged if j.shape is not None and j.conflicts]
        note = _veto_note(vetoed[0]) if vetoed else ""
        if when is None:
            return DuplicateVerdict(duplicate_of=None, reason="new" + note)
        day = day_number(when)
        close = [
            j
            for j in judged
            if j.candidate.kind == "item"
            and j.candidate.story_id
            and self._in_window(j.candidate, day)
            and _same_event(j.conflicts)
            and self._closeness(j.overlap) >= self._settings.story_similarity
        ]
        if close:
            best = max(close, key=lambda j: j.similarity)
            c = best.candidate
            why = f"similar wording to item {c.id} ({best.similarity:.2f}{_revised(best)})"
            return DuplicateVerdict(
                duplicate_of=None,
                story_id=c.story_id,
                reason=f"new; same story as item {c.id} (similarity {best.similarity:.2f})",
                story_reason=why + _apart(c, day),
            )
        found = self._story_by_facts(tokens, day)
        if found is not None:
            candidate, shared = found
            terms = ", ".join(sorted(shared)[:4])
            return DuplicateVerdict(
                duplicate_of=None,
                story_id=candidate.story_id,
                reason=f"new; same story as item {candidate.id} ({terms})" + note,
                story_reason=f"shared facts with item {candidate.id}: {terms}"
                + _apart(candidate, day),
            )
        return DuplicateVerdict(duplicate_of=None, reason="new" + note)

    def _window_days(self) -> int:
        return max(0, int(timedelta(seconds=self._settings.story_window).days))

    def _in_window(self, candidate: Candidate, day: int) -> bool:
        """A stored item dated within ``story_window`` of ``day`` (undated: never)."""
        return candidate.day is not None and abs(candidate.day - day) <= self._window_days()

    def _story_by_facts(self, tokens: Tokens, day: int) -> tuple[Candidate, frozenset[str]] | None:
        s = self._settings
        terms = story_terms(tokens)
        if len(terms) < s.story_min_shared:
            return None
        span = self._window_days()
        found = self._index.find_same_story(
            [term_key(t) for t in terms],
            day - span,
            day + span,
            limit=s.max_candidates,
            max_postings=s.story_max_postings,
            min_shared=s.story_min_shared,
        )
        common = [t for t in terms if term_key(t) in found.common]
        best: tuple[Candidate, frozenset[str], float] | None = None
        for candidate in found.candidates:
            if not candidate.story_id:
                continue
            theirs = tokenise(candidate.text)
            match = match_story(
                tokens,
                theirs,
                common=common,
                generic=s.story_generic_terms,
                generic_weight=s.story_generic_weight,
                min_shared=s.story_min_shared,
                min_vocabulary=s.story_min_vocabulary,
            )
            if match is None or not _same_event(fact_conflicts(tokens, theirs)):
                continue
            score = len(match.shared) + match.vocabulary
            if best is None or score > best[2]:
                best = (candidate, match.shared, score)
        return (best[0], best[1]) if best else None


def _apart(candidate: Candidate, day: int) -> str:
    if candidate.day is None:
        return ""
    gap = abs(candidate.day - day)
    return "; same day" if gap == 0 else f"; {gap} day{'s' if gap > 1 else ''} apart"


def _revised(j: _Judgement) -> str:
    if not j.conflicts:
        return ""
    first = j.conflicts[0]
    return f", figures revised: {first.b} -> {first.a}"


def _duplicate_verdict(j: _Judgement) -> DuplicateVerdict:
    c = j.candidate
    measure = {"near-duplicate of": "jaccard", "re-edit of": "similarity, facts agree"}.get(
        j.shape or "", "containment"
    )
    story = c.story_id if c.kind == "item" else None
    return DuplicateVerdict(
        duplicate_of=DuplicateRef(kind=c.kind, id=c.id, similarity=round(j.similarity, 4)),
        story_id=story,
        reason=f"{j.shape} {c.kind} {c.id} ({measure} {j.similarity:.2f})",
        story_reason=f"copy of item {c.id}" if story else None,
    )


def _same_event(conflicts: Sequence[Conflict]) -> bool:
    """No conflict, or only in figures (a revised toll): still one event, one story."""
    return all(c.numbers_only for c in conflicts)


def _veto_note(j: _Judgement) -> str:
    a, b = j.conflicts[0].a, j.conflicts[0].b
    c = j.candidate
    return f"; worded like {c.kind} {c.id} ({j.similarity:.2f}) but a different event ({a} vs {b})"
