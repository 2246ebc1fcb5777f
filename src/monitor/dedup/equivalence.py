"""When two differently written facts are one fact: house style, not a different event.

Two outlets printing one wire story differ in ways a word-by-word fact check reads as
substitutions: ``organisation``/``organization``, ``the EU``/``the European Union``,
``Rs382m``/``Rs382 million``/``382 million rupees``, and a name misspelt by one letter
in one copy. ``compare.fact_conflicts`` asks this module before it calls two stretches
a conflict:

* ``canonical(words)``: each word with British spellings folded to American
  (``-isation``, ``-our``, ``-tre``, ``-ence``, ``-lled``…; both sides are folded, so an
  over-eager fold only ever equates a word with itself), and every amount
  (``rs382m``, ``382 million``, ``382 m rupees``) as one ``#382000000`` token with the
  currency dropped;
* ``TextFacts``: per text, the canonical words, the initials of its runs of capitalised
  names (``European Union`` → ``eu``), and its long names (for one-letter typos);
* ``same_fact(a, b)``: two stretches that say the same thing in another style.

Nothing here relaxes numbers or dates: ``6`` and ``11`` soldiers, ``Monday`` and
``Tuesday`` stay different, and so do short names (``Tank``/``Bannu``, ``Khalid``/``Khalil``):
a typo is forgiven only in names of ``TYPO_MIN_LETTERS`` letters or more.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.dedup.tokens import Fact, Tokens

__all__ = [
    "TYPO_MIN_LETTERS",
    "TextFacts",
    "canonical",
    "fold_spelling",
    "one_letter_apart",
    "same_fact",
    "text_facts",
]

TYPO_MIN_LETTERS = 7
_RUN_GLUE = frozenset(["of", "the", "and", "for", "on", "in"])
_CURRENCY = frozenset(
    ["rs", "pkr", "rupee", "rupees", "usd", "dollar", "dollars", "us", "afn", "afghanis", "inr"]
)
_MULTIPLIER = {
    "k": 1_000,
    "thousand": 1_000,
    "lakh": 100_000,
    "lakhs": 100_000,
    "m": 1_000_000,
    "mn": 1_000_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "crore": 10_000_000,
    "crores": 10_000_000,
    "b": 1_000_000_000,
    "bn": 1_000_000_000,
    "billion": 1_000_000_000,
    "billions": 1_000_000_000,
}
# "rs382m", "pkr5bn", "382m", "rs382": currency, digits and multiplier glued together.
_GLUED = re.compile(r"^(rs|pkr|usd|us|inr|afn)?(\d+)(k|m|mn|b|bn|cr)?$")
_GLUED_MULTIPLIER = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000, "b": 10**9, "bn": 10**9}
_GLUED_MULTIPLIER["cr"] = 10_000_000
_SPELLING: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"isation(s?)$", r"ization\1"),
        (r"is(e|ed|es|ing)$", r"iz\1"),
        (r"ys(e|ed|es|ing)$", r"yz\1"),
        (r"(.{3,})our(s|ed|ing|able|ite|ites)?$", r"\1or\2"),
        (r"(.{2,})tre(s?)$", r"\1ter\2"),
        (r"(.{2,})ence$", r"\1ense"),
        (r"(.{2,})ll(ed|ing|er|ers)$", r"\1l\2"),
        (r"(.{3,})ogue(s?)$", r"\1og\2"),
        (r"^programme(s?)$", r"program\1"),
    )
)


@functools.lru_cache(maxsize=4096)
def fold_spelling(word: str) -> str:
    """The American spelling of a (lower-case) word; other words unchanged."""
    if len(word) < 5 or not word.isalpha():
        return word
    for pattern, replacement in _SPELLING:
        folded = pattern.sub(replacement, word, count=1)
        if folded != word:
            return folded
    return word


def canonical(words: Sequence[str]) -> tuple[str, ...]:
    """The words with spellings folded and each amount as one ``#value`` token."""
    out: list[str] = []
    i = 0
    while i < len(words):
        value, used = _amount(words, i)
        if value is not None:
            out.append(f"#{value}")
            i += used
            continue
        if words[i] not in _CURRENCY:
            out.append(fold_spelling(words[i]))
        i += 1
    return tuple(out)


def _amount(words: Sequence[str], i: int) -> tuple[int | None, int]:
    """The amount starting at ``words[i]`` and how many words it took, or (None, 0)."""
    match = _GLUED.match(words[i])
    if match is None:
        return None, 0
    value = int(match.group(2))
    used = 1
    if match.group(3):
        value *= _GLUED_MULTIPLIER[match.group(3)]
    elif i + 1 < len(words) and words[i + 1] in _MULTIPLIER:
        value *= _MULTIPLIER[words[i + 1]]
        used = 2
    elif not match.group(1):
        return None, 0  # a bare number stays a number ("6" soldiers is not an amount)
    return value, used


@dataclass(frozen=True, slots=True)
class TextFacts:
    """What one text says, in canonical form, for "is this fact found there?" questions."""

    words: frozenset[str]
    initials: frozenset[str]  # of runs of 2-5 capitalised names: "european union" -> "eu"
    long_names: frozenset[str]

    def has(self, word: str, kind: Fact) -> bool:
        """True when ``word`` (canonical) is stated in this text in some style."""
        if word in self.words:
            return True
        if kind != Fact.NAME:
            return False
        return word in self.initials or _has_typo_of(word, self.long_names)


@functools.lru_cache(maxsize=16)
def text_facts(tokens: Tokens) -> TextFacts:
    """The text's canonical facts (memoised like ``compare.frames``)."""
    words = canonical(tokens.words)
    return TextFacts(
        words=frozenset(words) | frozenset(tokens.words),
        initials=frozenset(_name_run_initials(tokens)),
        long_names=frozenset(
            fold_spelling(w)
            for w, f in zip(tokens.words, tokens.facts, strict=True)
            if f == Fact.NAME and len(w) >= TYPO_MIN_LETTERS
        ),
    )


def same_fact(a: Sequence[str], b: Sequence[str]) -> bool:
    """True when two stretches say one thing in two styles (spelling, amount format,
    acronym and expansion, a one-letter typo in a long name)."""
    ca, cb = canonical(a), canonical(b)
    if ca == cb:
        return True
    if _acronym_of(ca, cb) or _acronym_of(cb, ca):
        return True
    if len(ca) != len(cb):
        return False
    differing = [(x, y) for x, y in zip(ca, cb, strict=True) if x != y]
    return all(one_letter_apart(x, y) for x, y in differing)


def initials(words: Sequence[str]) -> str:
    """First letters of the words, glue words ("of", "the"…) skipped."""
    return "".join(w[0] for w in words if w not in _RUN_GLUE and w[:1].isalpha())


def _acronym_of(short: Sequence[str], long: Sequence[str]) -> bool:
    """``short`` holds one acronym where ``long`` holds its expansion, the rest equal."""
    for i, word in enumerate(short):
        if not (2 <= len(word) <= 6 and word.isalpha()):
            continue
        before, after = short[:i], short[i + 1 :]
        if tuple(long[: len(before)]) != tuple(before):
            continue
        end = len(long) - len(after)
        if after and tuple(long[end:]) != tuple(after):
            continue
        expansion = long[len(before) : end]
        if len(expansion) >= 2 and initials(expansion) == word:
            return True
    return False


def _name_run_initials(tokens: Tokens) -> list[str]:
    found: list[str] = []
    run: list[str] = []
    for word, fact in zip(tokens.words, tokens.facts, strict=True):
        if fact == Fact.NAME or (run and word in _RUN_GLUE):
            run.append(word)
            continue
        found.extend(_run_acronyms(run))
        run = []
    found.extend(_run_acronyms(run))
    return found


def _run_acronyms(run: list[str]) -> list[str]:
    while run and run[-1] in _RUN_GLUE:
        run.pop()
    if len(run) < 2:
        return []
    letters = initials(run)
    # Every run of 2..5 names inside the run: "Pakistan Peoples Party" also gives "pp".
    size = len(letters)
    return [letters[i:j] for i in range(size) for j in range(i + 2, min(i + 6, size + 1))]


def _has_typo_of(word: str, names: frozenset[str]) -> bool:
    if len(word) < TYPO_MIN_LETTERS:
        return False
    return any(one_letter_apart(word, name) for name in names if abs(len(name) - len(word)) <= 1)


def one_letter_apart(a: str, b: str) -> bool:
    """Long alphabetic words one insertion, deletion or substitution apart."""
    if min(len(a), len(b)) < TYPO_MIN_LETTERS or not (a.isalpha() and b.isalpha()):
        return False
    if abs(len(a) - len(b)) > 1 or a[0] != b[0]:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
