"""Every error the service raises on purpose, one class per stage.

Each carries the one line a person reads (``str(err)``). Code catches only
these; anything else is a bug and is allowed to propagate.

    MonitorError
    ├── ConfigError          bad or missing configuration (exit 1)
    ├── StoreError           the database failed or is unreachable (exit 1)
    │   ├── DatabaseLocked   another writer held the database past the busy timeout
    │   └── DatabaseDisconnected  the connection dropped (server restart, terminated backend)
    ├── FetchError           an HTTP fetch failed; ``temporary`` says whether retrying can help
    │   ├── FetchTimeout     connect/read/total time limit passed
    │   ├── ResponseTooLarge body (or its decompressed size) passed max_bytes
    │   ├── BlockedAddress   SSRF guard: target resolves to a private/loopback/... address
    │   ├── TooManyRedirects redirect loop or chain longer than the limit
    │   ├── HTTPStatusError  the server answered 4xx/5xx
    │   └── RobotsDisallowed robots.txt forbids the article page
    ├── FeedParseError       the body is not a feed feedparser can read
    └── ExtractError         no article could be extracted from a page
        └── ExtractTimeout   extraction passed its hard time limit
"""

from __future__ import annotations


class MonitorError(Exception):
    """Base of the service's own errors; ``str()`` is the user's one line."""


class ConfigError(MonitorError):
    """The configuration is invalid; the message names the key or file."""


class StoreError(MonitorError):
    """The database failed, or could not be reached."""


class DatabaseLocked(StoreError):
    """Another process held the database lock for longer than the busy timeout."""


class DatabaseDisconnected(StoreError):
    """The database connection dropped mid-work; a fresh connection may well succeed."""


class FetchError(MonitorError):
    """An HTTP fetch failed.

    ``temporary`` is true where the same request may succeed later (timeouts,
    resets, 5xx, 429); false for hard failures (404, 410, blocked address).
    ``retry_after_s`` carries the server's ``Retry-After`` when it sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str = "",
        temporary: bool = True,
        status: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.url = url
        self.temporary = temporary
        self.status = status
        self.retry_after_s = retry_after_s


class FetchTimeout(FetchError):
    """The server did not answer within the time limit."""


class ResponseTooLarge(FetchError):
    """The body passed ``fetch.max_bytes`` (compressed or decompressed)."""


class BlockedAddress(FetchError):
    """The SSRF guard refused a target on a private, loopback or link-local address."""


class TooManyRedirects(FetchError):
    """A redirect loop, or a chain longer than the configured limit."""


class HTTPStatusError(FetchError):
    """The server answered with an error status."""


class RobotsDisallowed(FetchError):
    """robots.txt of the site forbids fetching this page."""


class FeedParseError(MonitorError):
    """The body could not be read as a feed."""


class ExtractError(MonitorError):
    """No article text could be extracted from a page."""


class ExtractTimeout(ExtractError):
    """Extraction ran past its hard time limit and was stopped."""
