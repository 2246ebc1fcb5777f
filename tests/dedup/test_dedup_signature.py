"""Signatures: datasketch's MinHash per window, and band keys that find containment."""

from __future__ import annotations

import numpy as np
from dedup_support import article, seed_text

from monitor.dedup.signature import (
    WINDOW,
    _permuted,
    index_keys,
    probe_keys,
    shingle_hashes,
    window_minhash,
)
from monitor.dedup.tokens import tokenise


def test_window_minima_are_datasketch_minhashes() -> None:
    hashes = shingle_hashes(tokenise(article("torkham_reopens")).words)
    permuted = _permuted(hashes)
    for start in (0, 7, len(hashes) - WINDOW):
        window = hashes[start : start + WINDOW]
        assert np.array_equal(permuted[start : start + WINDOW].min(axis=0), window_minhash(window))


def test_keys_are_deterministic_and_stored_keys_are_probed() -> None:
    words = tokenise(article("kabul_airstrike")).words
    assert index_keys(words) == index_keys(list(words))
    assert set(index_keys(words)) <= set(probe_keys(words))


def test_a_fragment_of_a_seed_shares_keys_with_it_and_a_stranger_does_not() -> None:
    seed = tokenise(seed_text("000_a4cd76194f41d5b9"))
    fragment_text = seed_text("000_a4cd76194f41d5b9").split("ISLAMABAD: Pakistani authorities")[1]
    fragment = tokenise(fragment_text)
    stranger = tokenise(article("torkham_reopens"))
    stored = set(index_keys(seed.words))
    assert len(stored & set(probe_keys(fragment.words))) >= 4
    assert not stored & set(probe_keys(stranger.words))


def test_short_and_empty_texts() -> None:
    assert index_keys(()) == ()
    assert len(index_keys(("one", "two"))) == 4  # one window, one key per band
