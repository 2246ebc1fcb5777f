"""Worker functions for the ExtractionPool tests (module level, so workers can import them)."""

from __future__ import annotations

import os
import time

from monitor.types import Article


def die(html: bytes, url: str, **_: object) -> Article:
    """A worker that crashes hard, as a segfault in a C extension would."""
    os._exit(3)


def buggy(html: bytes, url: str, **_: object) -> Article:
    """A worker hitting a bug of a third-party library."""
    raise KeyError("lxml internal state")


def sleepy(html: bytes, url: str, **_: object) -> Article:
    """A worker that is slow for a reason of its own."""
    time.sleep(float(html))
    return Article(title=None, authors=(), published_at=None, language=None, text=url)
