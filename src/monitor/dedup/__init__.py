"""Dedup stage: is this text one we already have (a seed or a stored item)?

    text ──normalise──▶ TextFingerprint ──DuplicateDetector.check──▶ DuplicateVerdict

The detector is pure apart from its ``FingerprintIndex``, a narrow read
interface implemented by the store, so the same code runs on SQLite and
PostgreSQL and every worker shares one index. How it decides, and the
evaluation behind its thresholds: docs/dedup.md.
"""

from monitor.dedup.detector import (
    Candidate,
    DuplicateDetector,
    FingerprintIndex,
    StoryCandidates,
    TextFingerprint,
    make_fingerprint,
)
from monitor.dedup.normalise import content_hash, normalise_text

__all__ = [
    "Candidate",
    "DuplicateDetector",
    "FingerprintIndex",
    "StoryCandidates",
    "TextFingerprint",
    "content_hash",
    "make_fingerprint",
    "normalise_text",
]
