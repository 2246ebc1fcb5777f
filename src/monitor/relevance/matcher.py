"""Fast multi-script term matching: which lexicon terms a text contains, and how often.

The text is normalised and split into word tokens once (normalize.py); every
lexicon term is a token sequence. Matching is then a few C-speed set and
string operations, not a regex alternation tried at every position:

1. ``Counter(tokens)`` — the count of every token;
2. one-token terms: intersect the table of one-token terms with the counter
   (``frozenset.intersection`` walks the text's few hundred distinct tokens,
   not the table's tens of thousands of forms);
3. longer terms: only those whose first token is in the text, and all of whose
   tokens are, are counted with ``str.count`` on the space-joined tokens;
4. longest match wins: an occurrence inside a longer matched term is not also
   counted for the shorter one ("Pakistan" inside "Tehreek-e-Taliban Pakistan"
   is not a second piece of evidence).

Inflection is handled when the table is built, not per token: each term also
gets its affixed forms (the lexicon's ``[morphology]``: English plural ``s``;
Arabic-script proclitics such as و/ب/ال on the first token and suffixes such as
ی/ها/ان on the last), so ``والباكستانية`` finds ``باكستان``. An affixed form
never overrides a term written in the lexicon. The forms of a phrase that
differ only in their last word are checked together (step 3 stays cheap).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from monitor.relevance.lexicon import Lexicon, TermGroup
from monitor.relevance.normalize import is_arabic_script, tokenize

_ARTICLE = "\u0627\u0644"  # ال


@dataclass(frozen=True, slots=True)
class Term:
    """One term as written in the lexicon, with the group it belongs to."""

    text: str
    group: TermGroup


@dataclass(frozen=True, slots=True)
class _Phrase:
    """Forms of a multi-word term sharing all but their last word."""

    middle: tuple[str, ...]  # the words between the first and the last
    prefix: str  # " first middle… " as it appears in the joined text
    lasts: tuple[tuple[str, int], ...]  # (last word, key id)


class TokenText:
    """A token list with its counts and its space-joined form, made once for every matcher."""

    __slots__ = ("_joined", "counts", "found", "tokens", "within")

    def __init__(
        self,
        tokens: list[str],
        counts: Counter[str] | None = None,
        within: TokenText | None = None,
    ) -> None:
        self.tokens = tokens
        self.counts = Counter(tokens) if counts is None else counts
        # ``within``: a text these tokens are part of (the lead of a text), already counted:
        # only the terms' words found there need looking up in the (large) table again.
        self.within = within
        # id(matcher) -> the words of its table that the text holds
        self.found: dict[int, frozenset[str] | set[str]] = {}
        self._joined = ""

    def joined(self) -> str:
        """`` tok1 tok2 … `` — where multi-word terms are counted with ``str.count``."""
        if not self._joined:
            self._joined = " " + " ".join(self.tokens) + " "
        return self._joined


class TermMatcher:
    """The lexicon's terms compiled for counting in token lists."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.terms: list[Term] = []
        key_term: list[int] = []
        keys: dict[tuple[str, ...], int] = {}

        def add(key: tuple[str, ...], term_idx: int) -> None:
            if key not in keys:
                keys[key] = len(key_term)
                key_term.append(term_idx)

        for group in lexicon.groups:
            for text in group.terms:
                self.terms.append(Term(text, group))
                add(tuple(tokenize(text)), len(self.terms) - 1)
        for idx, term in enumerate(self.terms):
            if term.group.affixes:
                for variant in _variants(tuple(tokenize(term.text)), lexicon):
                    add(variant, idx)
        self._key_term = tuple(key_term)
        self._compile(keys)

    def _compile(self, keys: dict[tuple[str, ...], int]) -> None:
        single: dict[str, int] = {}
        heads: dict[tuple[str, ...], list[tuple[str, int]]] = {}
        for key, kid in keys.items():
            if len(key) == 1:
                single[key[0]] = kid
            else:
                heads.setdefault(key[:-1], []).append((key[-1], kid))
        phrases: dict[str, list[_Phrase]] = {}
        for head, lasts in heads.items():
            phrase = _Phrase(head[1:], " " + " ".join(head) + " ", tuple(lasts))
            phrases.setdefault(head[0], []).append(phrase)
        # token -> (its one-token key or -1, the phrases it starts): one lookup per distinct token.
        self._by_token = {
            tok: (single.get(tok, -1), tuple(phrases.get(tok, ())))
            for tok in single.keys() | phrases.keys()
        }
        self._vocab = frozenset(self._by_token)
        # For each multi-word key, the shorter keys inside it (its sub-slices that are keys).
        self._subs: dict[int, tuple[int, ...]] = {}
        for key, kid in keys.items():
            subs = {
                sub
                for n in range(1, len(key))
                for i in range(len(key) - n + 1)
                if (sub := keys.get(key[i : i + n])) is not None
            }
            if subs:
                self._subs[kid] = tuple(subs)
        self._key_len = {kid: len(key) for key, kid in keys.items() if len(key) > 1}

    def count(
        self, tokens: list[str] | TokenText, counts: Counter[str] | None = None
    ) -> dict[int, int]:
        """Occurrences of each matched term (index into ``terms``) in a token list.

        ``counts`` is ``Counter(tokens)`` when the caller has already made it; a
        ``TokenText`` carries its counts and joined text, shared between matchers.
        """
        text = tokens if isinstance(tokens, TokenText) else TokenText(tokens, counts)
        counts = text.counts
        raw: dict[int, int] = {}
        matched_phrases: list[int] = []
        by_token = self._by_token
        outer = text.within.found.get(id(self)) if text.within is not None else None
        found = text.found[id(self)] = (
            self._vocab.intersection(counts) if outer is None else outer.intersection(counts)
        )
        for tok in found:
            kid, phrases = by_token[tok]
            if kid >= 0:
                raw[kid] = counts[tok]
            for ph in phrases:
                if ph.middle and not all(m in counts for m in ph.middle):
                    continue
                for last, pkid in ph.lasts:
                    if last in counts:
                        n = text.joined().count(ph.prefix + last + " ")
                        if n:
                            raw[pkid] = n
                            matched_phrases.append(pkid)
        if matched_phrases:
            self._longest_wins(raw, matched_phrases)
        out: dict[int, int] = {}
        key_term = self._key_term
        for kid, n in raw.items():
            if n > 0:
                t = key_term[kid]
                out[t] = out.get(t, 0) + n
        # In lexicon order: the set walk above follows string hashes, which change per process.
        return dict(sorted(out.items()))

    def _longest_wins(self, raw: dict[int, int], matched_phrases: list[int]) -> None:
        """Take the occurrences of matched longer terms off the shorter terms inside them.

        Longest first: a phrase inside a longer matched phrase has already lost the
        occurrences it shares with it when it, in turn, takes its own off its words.
        """
        subs = self._subs
        for kid in sorted(matched_phrases, key=self._key_len.__getitem__, reverse=True):
            n = raw[kid]
            if n > 0 and kid in subs:
                for sub in subs[kid]:
                    if sub in raw:
                        raw[sub] -= n


def _variants(key: tuple[str, ...], lexicon: Lexicon) -> list[tuple[str, ...]]:
    """The affixed forms of a term's token sequence (see the module docstring)."""
    first, last = key[0], key[-1]
    firsts = [first]
    suffixes: tuple[str, ...] = ()
    if is_arabic_script(first) and len(first) >= lexicon.min_affix_len:
        firsts += _arabic_prefixed(first, lexicon.arabic_prefixes)
    if is_arabic_script(last):
        if len(last) >= lexicon.min_affix_len:
            suffixes = lexicon.arabic_suffixes
    elif last.isalpha() and len(last) >= lexicon.min_affix_len:
        suffixes = tuple(s for s in lexicon.latin_suffixes if not last.endswith(s))
    endings = ("", *suffixes)
    out: list[tuple[str, ...]]
    if len(key) == 1:
        # One token: the proclitic and the suffix attach to the same word.
        out = [(f + e,) for f in firsts for e in endings]
    else:
        out = [(f, *key[1:-1], last + e) for f in firsts for e in endings]
    return [v for v in out if v != key]


def _arabic_prefixed(word: str, prefixes: tuple[str, ...]) -> list[str]:
    """``word`` with each proclitic; a term written with the article also takes ``لل``, ``بال``…"""
    out = [p + word for p in prefixes]
    if word.startswith(_ARTICLE):
        bare = word[len(_ARTICLE) :]
        out += [p + bare for p in prefixes if p.endswith(_ARTICLE) or p.endswith("\u0644\u0644")]
    return out
