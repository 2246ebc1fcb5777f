"""How fetch failures become ``FetchError``s: classification and one-line messages.

Temporary (retrying later can help): DNS failure, connect error or reset,
timeouts, 5xx, 429, 408, corrupt compressed data. Hard: other 4xx,
refused address or scheme, redirect loops and chains, robots.txt, bodies
over ``max_bytes``, invalid URLs.
"""

from __future__ import annotations

import http
import math
import re
import time
from email.utils import parsedate_to_datetime

import httpx

from monitor.exceptions import FetchError, FetchTimeout, HTTPStatusError

MAX_RETRY_AFTER_S = 24 * 3600.0  # a hostile server cannot silence a host for longer
_TEMPORARY_4XX = frozenset({408, 425, 429})
_RETRY_AFTER_STATUSES = frozenset({429, 503})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def one_line(text: str, limit: int = 200) -> str:
    """Untrusted text (a Location, a server's error) made safe for a one-line message."""
    flat = _CONTROL.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def is_temporary_status(status: int) -> bool:
    """Whether asking again later may get a different answer than this status."""
    return status >= 500 or status in _TEMPORARY_4XX


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date), or None.

    A date in the past gives 0; values are capped at ``MAX_RETRY_AFTER_S``.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return min(float(text), MAX_RETRY_AFTER_S)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" dates; HTTP dates are GMT anyway
        return None
    seconds = when.timestamp() - (time.time() if now is None else now)
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def status_error(where: str, url: str, status: int, retry_after: str | None) -> HTTPStatusError:
    """The error for an error status, with ``retry_after_s`` on 429/503."""
    retry_after_s = parse_retry_after(retry_after) if status in _RETRY_AFTER_STATUSES else None
    wait = "" if retry_after_s is None else f" (retry after {_seconds(retry_after_s)} s)"
    return HTTPStatusError(
        f"{where}: server answered {status} {phrase(status)}".rstrip() + wait,
        url=url,
        temporary=is_temporary_status(status),
        status=status,
        retry_after_s=retry_after_s,
    )


def phrase(status: int) -> str:
    """The standard reason phrase (the server's own is untrusted text)."""
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _seconds(value: float) -> str:
    return str(math.ceil(value))


def transport_error(
    where: str, url: str, exc: httpx.TransportError, *, connect_s: float, timeout_s: float
) -> FetchError:
    """The error for what httpx raised while talking to the server."""
    detail = one_line(str(exc)) or type(exc).__name__
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchTimeout(f"{where}: could not connect within {connect_s:g} s", url=url)
    if isinstance(exc, httpx.TimeoutException):
        return FetchTimeout(f"{where}: no answer within {timeout_s:g} s", url=url)
    if isinstance(exc, httpx.ConnectError):
        return FetchError(f"{where}: cannot connect ({detail})", url=url)
    if isinstance(exc, httpx.NetworkError):
        return FetchError(f"{where}: connection broken ({detail})", url=url)
    if isinstance(exc, httpx.RemoteProtocolError):
        return FetchError(f"{where}: server broke off or spoke invalid HTTP ({detail})", url=url)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError):
        return FetchError(f"{where}: cannot send this request ({detail})", url=url, temporary=False)
    return FetchError(f"{where}: {type(exc).__name__} ({detail})", url=url)


def total_timeout(where: str, url: str, timeout_s: float, *, answered: bool) -> FetchTimeout:
    """The error when the whole exchange ran past ``timeout_s`` (a server dripping bytes)."""
    what = "no complete answer" if answered else "no answer"
    return FetchTimeout(f"{where}: {what} within {timeout_s:g} s", url=url)
