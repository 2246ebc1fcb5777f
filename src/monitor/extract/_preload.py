"""Imported once by the extraction fork server so every forked worker starts warm.

Importing trafilatura and lxml takes about a second and the language model half a second
more; done here, in the fork server, each worker inherits them (copy-on-write) instead of
loading them itself. One tiny extraction also fills trafilatura's lazily built caches.
"""

from __future__ import annotations

import contextlib

from monitor.exceptions import ExtractError
from monitor.extract.article import extract_article
from monitor.extract.language import warm_up

_WARM_PAGE = (
    b"<html><head><title>warm-up</title></head><body><article><p>"
    + b"The fork server runs this once so workers start with warm caches. " * 8
    + b"</p></article></body></html>"
)

warm_up()
with contextlib.suppress(ExtractError):  # only the warmed caches matter here
    extract_article(_WARM_PAGE, "https://warm-up.invalid/", min_text_chars=0)
