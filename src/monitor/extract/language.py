"""Which language a text is in, decided by the text (py3langid), not by what the page claims.

Pages of the region often declare ``lang="en"`` from a CMS template whatever they carry,
and Urdu, Pashto, Dari (``fa``) and Arabic share one script, so the declaration is only a
tie-breaker when the model is unsure. Codes are ISO 639-1; the model's dialect and script
variants are folded into them (``arz``/``ary`` → ``ar``, ``uzs`` → ``uz``, ``yue`` → ``zh``)
and labels without a two-letter code are reported as unknown (None).
"""

from __future__ import annotations

import re
import threading
from typing import Any

__all__ = ["choose_language", "detect_language", "language_ranking", "normalise_code", "warm_up"]

MIN_LETTERS = 25  # below this the model guesses; "too short to tell"
CONFIDENT = 0.80  # probability above which the text alone decides
PLAUSIBLE = 0.05  # a declared language the model gives at least this much is not contradicted
GUESS = 0.50  # when the declaration is contradicted, report the model's best only above this
_SAMPLE_CHARS = 6000  # enough for a stable answer; keeps long pages cheap

_FOLD = {"ary": "ar", "arz": "ar", "uzs": "uz", "yue": "zh", "wuu": "zh", "nn": "no", "srl": "sr"}
# Three-letter and legacy codes a page may declare, mapped to ISO 639-1.
_DECLARED_ALIASES = {
    "urd": "ur", "pus": "ps", "pbt": "ps", "pbu": "ps", "fas": "fa", "per": "fa", "prs": "fa",
    "pes": "fa", "ara": "ar", "eng": "en", "hin": "hi", "pan": "pa", "snd": "sd",
    "iw": "he", "in": "id", "ji": "yi", "nb": "no",
}  # fmt: skip
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)

_identifier: Any = None
_lock = threading.Lock()


def warm_up() -> None:
    """Load the model now (about half a second) rather than on the first text."""
    _model()


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``, or None when it is too short or the model is unsure."""
    ranking = language_ranking(text)
    if not ranking:
        return None
    code, probability = ranking[0]
    return code if probability >= CONFIDENT else None


def choose_language(text: str, declared: str | None) -> str | None:
    """The text's language; the page's declaration only settles what the model cannot."""
    claim = normalise_code(declared)
    ranking = language_ranking(text)
    if not ranking:
        return claim
    best, probability = ranking[0]
    if probability >= CONFIDENT:
        return best
    if claim is not None and dict(ranking).get(claim, 0.0) >= PLAUSIBLE:
        return claim
    return best if probability >= GUESS else None


def language_ranking(text: str) -> list[tuple[str, float]]:
    """ISO 639-1 codes with their probabilities, best first; empty when the text is too short."""
    sample = text[:_SAMPLE_CHARS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return []
    folded: dict[str, float] = {}
    for label, probability in _model().rank(sample):
        code = _FOLD.get(label, label)
        if len(code) == 2:
            folded[code] = folded.get(code, 0.0) + float(probability)
    return sorted(folded.items(), key=lambda item: item[1], reverse=True)


def normalise_code(code: str | None) -> str | None:
    """``"ur-PK"`` → ``"ur"``, ``"urd"`` → ``"ur"``; None when it is not a language tag."""
    if not code:
        return None
    primary = code.strip().replace("_", "-").split("-")[0].lower()
    primary = _DECLARED_ALIASES.get(primary, primary)
    return primary if len(primary) == 2 and primary.isascii() and primary.isalpha() else None


def _model() -> Any:
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier
