"""Text normalisation shared by the lexicon and the texts it is matched against.

Both sides go through the same function, so a term matches however a writer
spelled it within one script: case, Arabic diacritics (harakat), tatweel,
zero-width characters, and the letters the four Arabic-script languages write
differently for the same sound (Arabic yeh/kaf/teh marbuta versus the Persian
and Urdu forms, Pashto versus Urdu retroflex letters, Urdu heh forms). The
target forms are the Persian/Urdu ones; the choice only has to be the same on
both sides.

The zero-width NON-joiner (U+200C) separates morphemes in Persian and Pashto
(``طالبان‌ها``, ``اسلام‌آباد``), so it becomes a space: ``طالبان‌ها`` then holds
the token ``طالبان``, and a lexicon term written with it matches a text written
with a plain space. Every other zero-width or direction mark is deleted.

Speed matters (every article is scored; see ``tokenize``): English text takes
an ASCII fast path, and other text is normalised one distinct chunk at a time
through a cache, never with a translation table over the whole article.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import chain

_MAP: dict[int, str | None] = {}


def _map(targets: str, to: str | None) -> None:
    for ch in targets:
        _MAP[ord(ch)] = to


# Letters unified to one form.
_map("\u064a\u0649\u06cc\u06d0\u06cd\u0626\u06d2\u06d3\u0620", "\u06cc")  # yeh forms -> ی
_map("\u0643\u06aa\u06a9", "\u06a9")  # kaf forms -> ک
_map("\u06ab", "\u06af")  # Pashto gaf with ring -> گ
_map("\u0629\u06c0\u06c1\u06c2\u06c3\u06be\u06d5", "\u0647")  # teh marbuta, Urdu heh forms -> ه
_map("\u0623\u0625\u0622\u0671\u0672\u0673", "\u0627")  # alef with hamza/madda/wasla -> ا
_map("\u0624", "\u0648")  # waw with hamza -> و
_map("\u067c", "\u0679")  # Pashto tteh -> Urdu ٹ
_map("\u0689", "\u0688")  # Pashto ddal -> Urdu ڈ
_map("\u0693", "\u0691")  # Pashto rreh -> Urdu ڑ
for _i in range(10):
    _MAP[0x0660 + _i] = str(_i)  # Arabic-Indic digits
    _MAP[0x06F0 + _i] = str(_i)  # Extended (Persian/Urdu) digits
# Marks deleted: harakat, superscript alef, Quranic marks, tatweel, zero-width and bidi marks.
_DELETE = [
    *range(0x064B, 0x0660),
    0x0670,
    *range(0x0610, 0x061B),
    *range(0x06D6, 0x06DD),
    *range(0x06DF, 0x06E5),
    0x06E7,
    0x06E8,
    *range(0x06EA, 0x06EE),
    *(0x0640, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, 0x00AD, 0x061C),
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
]
for _cp in _DELETE:
    _MAP[_cp] = None
_MAP[0x200C] = " "  # zero-width non-joiner separates morphemes
_MAP[0x200B] = " "  # zero-width space separates words

_TABLE = str.maketrans(_MAP)
_NEEDS_TABLE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_MAP)) + "]")
_PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]")
_TOKEN = re.compile(r"\w+")
_CACHE_LIMIT = 300_000
_TYPOGRAPHIC = "\u2019\u2018\u201c\u201d\u2014\u2013\u2026\u00a0"
# ASCII punctuation (everything but letters, digits and "_", which \w keeps) -> space.
_ASCII_PUNCT = str.maketrans({c: " " for c in map(chr, range(128)) if not re.match(r"\w", c)})


def normalize(text: str) -> str:
    """Lower-cased text with Arabic-script variants unified and invisible marks removed."""
    text = text.lower()
    if text.isascii():
        return text
    if _PRESENTATION_FORMS.search(text):
        text = unicodedata.normalize("NFKC", text)
    if _NEEDS_TABLE.search(text):
        text = text.translate(_TABLE)
    return text


class _TokenCache(dict[str, tuple[str, ...]]):
    """Whitespace-separated chunk of text -> its normalised word tokens.

    Normalising and splitting a whole article with regular expressions costs more
    than all the matching; news vocabulary is small and repetitive, so each
    distinct chunk ("pakistan's", "(ttp)", "والباكستانية") is worked out once.
    The cache is emptied when it grows past a bound, so a long-running daemon
    does not keep every number and name it ever saw.
    """

    def __missing__(self, chunk: str) -> tuple[str, ...]:
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        tokens = tuple(_TOKEN.findall(normalize(chunk)))
        self[chunk] = tokens
        return tokens


_CHUNKS = _TokenCache()


def tokenize(text: str) -> list[str]:
    """The word tokens of ``normalize(text)``; punctuation and hyphens separate tokens.

    Two paths give the same tokens: text that is ASCII once its typographic
    quotes and dashes are replaced (most English news) is lower-cased and split
    with an ASCII-only translation table, which CPython runs on a fast path; any
    other text is split on white space and each chunk normalised (lower-casing
    included: ``str.lower`` on a whole non-ASCII text is slow) through the cache.
    """
    if not text.isascii():
        for mark in _TYPOGRAPHIC:
            if mark in text:
                text = text.replace(mark, " ")
    if text.isascii():
        return text.lower().translate(_ASCII_PUNCT).split()
    return list(chain.from_iterable(map(_CHUNKS.__getitem__, text.split())))


def is_arabic_script(token: str) -> bool:
    """Whether a token is written in the Arabic script (it then takes affixes, see the lexicon)."""
    return any("\u0600" <= ch <= "\u06ff" for ch in token)
