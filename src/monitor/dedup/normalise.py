"""Text normalisation shared by hashing and shingling.

Two copies of one article differ in typography long before they differ in
words (curly quotes, NBSPs, Arabic-script variants, case), so we fold those
before hashing; an exact duplicate is then a hash match.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
ARABIC_FOLD = str.maketrans(
    {
        "\u064a": "\u06cc",  # Arabic yeh -> Farsi yeh
        "\u0649": "\u06cc",  # alef maksura -> Farsi yeh
        "\u0643": "\u06a9",  # Arabic kaf -> keheh
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u200c": " ",  # zero-width non-joiner
        "\u200d": None,  # zero-width joiner
        "\u0640": None,  # tatweel
    }
)
DIACRITICS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")


def normalise_text(text: str) -> str:
    """Case-, punctuation- and script-variant-folded text: words separated by one space."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(ARABIC_FOLD)
    folded = DIACRITICS.sub("", folded)
    return " ".join(_NON_WORD.sub(" ", folded).split())


def content_hash(text: str) -> str:
    """Hex SHA-256 of the normalised text: equal for exact copies whatever their typography."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()
