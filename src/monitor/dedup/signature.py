"""MinHash signatures of text windows, cut into LSH band keys for the database.

Why windows and not whole texts: MinHash LSH retrieves by Jaccard
similarity, and a short article contained in a long page (a seed file holds
a main article and fragments of others) has a low Jaccard similarity with
it. So every stored text is cut into windows of ``WINDOW`` shingles, laid
end to end, and each window is indexed. A text being checked slides a
window of the same size in steps of ``PROBE_STEP``: wherever it shares a
stretch of ``WINDOW`` shingles with a stored text, one of its windows lines
up with a stored window to within ``PROBE_STEP / 2`` shingles (Jaccard
>= 0.92 for an exact copy), and the two share band keys with high
probability. That one index serves every case: near-duplicates (most
windows match), texts contained in a stored one, and stored texts contained
in the new one.

Band keys of unrelated windows collide with probability about
``BANDS * J**ROWS``; with ``ROWS = 5`` and J around 0.02 for unrelated news
windows that is ~1e-8 per window pair, so the candidate list stays short
however large the store grows.

Everything here is part of the on-disk index format, named by ``SIGNATURE``
and stored beside each fingerprint: changing a constant needs a re-index.
The hashing itself is datasketch's MinHash (affine32 scheme, its
permutations and mixing) over CRC-32 shingle hashes, computed for all windows
of a text at once with numpy.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Sequence

import numpy as np
from datasketch import MinHash
from datasketch.minhash import _fmix

SHINGLE = 3  # words per shingle
WINDOW = 48  # shingles per window
PROBE_STEP = 4  # the checked text's windows start every PROBE_STEP shingles
BANDS = 4
ROWS = 5
NUM_PERM = BANDS * ROWS
_SEED = 20_251_121
SIGNATURE = f"mh32-k{SHINGLE}-w{WINDOW}-b{BANDS}r{ROWS}-s{_SEED}-crc-mix64"
_MIX = np.uint64(0x9E3779B97F4A7C15)

_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=_SEED).permutations


def shingles(words: Sequence[str]) -> list[str]:
    """Word ``SHINGLE``-grams in order (a shorter text is one shingle)."""
    if len(words) < SHINGLE:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)]


def index_keys(words: Sequence[str]) -> tuple[int, ...]:
    """Band keys stored for a text: its windows laid end to end (the last one ends the text)."""
    return text_keys(words)[0]


def probe_keys(words: Sequence[str]) -> tuple[int, ...]:
    """Band keys looked up for a text being checked: a window every ``PROBE_STEP`` shingles."""
    return text_keys(words)[1]


def text_keys(words: Sequence[str]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(index keys, probe keys) of a text, hashing its shingles once for both."""
    hashes = shingle_hashes(words)
    if not hashes:
        return (), ()
    permuted = _permuted(hashes)
    n = len(hashes)
    return _keys(permuted, _starts(n, WINDOW)), _keys(permuted, _starts(n, PROBE_STEP))


def term_key(term: str) -> int:
    """A signed 64-bit key for one word (the story index stores words this way)."""
    return _signed64(b"t" + term.encode("utf-8"))


def shingle_hashes(words: Sequence[str]) -> list[int]:
    # CRC-32 is only the input of MinHash: _permuted mixes it (murmur3's
    # finaliser) before the permutations, and it is ~6x cheaper than SHA-1.
    return [zlib.crc32(s.encode("utf-8")) for s in shingles(words)]


def _starts(n: int, step: int) -> list[int]:
    if n <= WINDOW:
        return [0] if n else []
    starts = list(range(0, n - WINDOW + 1, step))
    if starts[-1] != n - WINDOW:
        starts.append(n - WINDOW)
    return starts


def _keys(permuted: np.ndarray, starts: list[int]) -> tuple[int, ...]:
    """Band keys of the windows starting at ``starts``: every window's MinHash at once."""
    if not starts:
        return ()
    if len(permuted) <= WINDOW:
        minima = permuted.min(axis=0, keepdims=True)
    else:
        windows = np.lib.stride_tricks.sliding_window_view(permuted, WINDOW, axis=0)
        minima = windows[starts].min(axis=-1)
    return tuple(sorted(set(_band_keys(minima))))


def _permuted(hashes: list[int]) -> np.ndarray:
    """Each shingle's value under every permutation, shape (shingles, NUM_PERM).

    The minimum over a window's rows is that window's MinHash: exactly what
    ``MinHash.update_batch`` computes (tests hold it to that), done once for
    the whole text instead of once per overlapping window.
    """
    column = np.asarray(hashes, dtype=np.uint32).reshape(-1, 1)
    a, b = _PERMUTATIONS
    mixed: np.ndarray = _fmix(column, 32)
    permuted: np.ndarray = mixed * a + b
    return permuted


def window_minhash(hashes: list[int]) -> np.ndarray:
    """datasketch's own MinHash of one window (the reference ``_permuted`` is checked against)."""
    sketch = MinHash(
        num_perm=NUM_PERM, hashfunc=_identity, permutations=_PERMUTATIONS, scheme="affine32"
    )
    sketch.update_batch(hashes)
    values: np.ndarray = sketch.hashvalues
    return values


def _band_keys(minima: np.ndarray) -> list[int]:
    """Signed 64-bit keys of every (window, band): ROWS MinHash values mixed into one.

    Vectorised multiply–xorshift mixing (64-bit arithmetic wraps), seeded by
    the band number so equal values in different bands give different keys.
    """
    rows = minima.reshape(-1, BANDS, ROWS).astype(np.uint64)
    keys = np.broadcast_to(np.arange(1, BANDS + 1, dtype=np.uint64) * _MIX, rows.shape[:2])
    for r in range(ROWS):
        keys = (keys ^ rows[:, :, r]) * _MIX
        keys = keys ^ (keys >> np.uint64(29))
    result: list[int] = keys.view(np.int64).ravel().tolist()
    return result


def _signed64(data: bytes) -> int:
    digest = hashlib.blake2b(data, digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _identity(value: int) -> int:
    return value
