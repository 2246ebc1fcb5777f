"""The service's HTTP client, hardened against hostile servers.

    async with Fetcher(settings.fetch) as fetcher:
        feed = await fetcher.fetch_feed(url, caching)   # 200, or 304 (feed.not_modified)
        page = await fetcher.fetch_page(link)           # after robots.txt allows it

One request hop, in order: refuse a bad scheme or a refused IP literal at
once; fail fast if the host asked us to wait (Retry-After); take a
politeness slot for the host; then, under one deadline of ``timeout_s``,
resolve + check every address (``GuardedBackend``), connect, send, and
stream the body through ``read_body`` (byte limits before and after
decompression). Redirects are followed here, one hop at a time, so every
hop goes through all of the above. Everything that goes wrong is raised as
a ``FetchError`` subclass (see ``errors.py`` for temporary vs hard).
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from typing import Self

import httpx

from monitor.exceptions import (
    BlockedAddress,
    ConfigError,
    FetchError,
    HTTPStatusError,
    ResponseTooLarge,
    RobotsDisallowed,
    TooManyRedirects,
)
from monitor.fetch.address_guard import (
    AddressGuard,
    AddressRefused,
    GuardedTransport,
    ResolutionFailed,
)
from monitor.fetch.decoding import ACCEPT_ENCODING, BodyTooLarge, BodyUndecodable, read_body
from monitor.fetch.errors import (
    one_line,
    phrase,
    status_error,
    total_timeout,
    transport_error,
)
from monitor.fetch.politeness import HostGate
from monitor.fetch.robots import MAX_CRAWL_DELAY_S, ROBOTS_MAX_BYTES, RobotsRules, robots_url
from monitor.settings import FetchSettings
from monitor.types import CachingInfo, FetchedResponse

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9,"
    " application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.8"
ROBOTS_ACCEPT = "text/plain, */*;q=0.5"
_SCHEMES = ("http", "https")
_ALLOW_HINT = "(set fetch.allow_private_networks to allow, or list it in fetch.allowed_networks)"


@dataclass(frozen=True, slots=True)
class _Redirect:
    location: str


@dataclass(frozen=True, slots=True)
class _Final:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(slots=True)
class _Progress:
    """How far one exchange got, to say which part of it timed out."""

    answered: bool = False


@dataclass(frozen=True, slots=True)
class _Limits:
    max_bytes: int
    truncate: bool


class Fetcher:
    """One HTTP client (connection pool, politeness state, robots cache) for a run."""

    def __init__(self, settings: FetchSettings, *, gate: HostGate | None = None) -> None:
        if not settings.user_agent.isascii() or not settings.user_agent.isprintable():
            raise ConfigError("invalid value for 'fetch.user_agent': must be printable ASCII")
        self._settings = settings
        self._guard = AddressGuard(
            allow_private=settings.allow_private_networks,
            allowed_networks=settings.allowed_networks,
        )
        # ``gate``: shared politeness for workers on many machines (fetch.shared_gate).
        self._gate = gate or HostGate(
            max_concurrency=settings.max_concurrency,
            per_host_concurrency=settings.per_host_concurrency,
            per_host_delay_s=settings.per_host_delay_s,
        )
        self._client = httpx.AsyncClient(
            transport=GuardedTransport(self._guard, max_connections=settings.max_concurrency),
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(settings.timeout_s, connect=settings.connect_timeout_s),
            follow_redirects=False,
            cookies=_refusing_jar(),
            trust_env=False,
        )
        self._robots = RobotsRules(
            self._fetch_robots, user_agent=settings.user_agent, ttl_s=settings.robots_ttl_s
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()

    async def fetch_feed(self, url: str, caching: CachingInfo | None = None) -> FetchedResponse:
        """GET a feed, conditionally when ``caching`` has validators; a 304 is returned as is.

        Feeds are not subject to robots.txt (see robots.py).
        """
        headers = {"Accept": FEED_ACCEPT, **_conditional_headers(caching)}
        return await self._fetch(url, headers, _Limits(self._settings.max_bytes, truncate=False))

    async def fetch_page(self, url: str) -> FetchedResponse:
        """GET an article page; with respect_robots, each hop's site must allow it first."""
        limits = _Limits(self._settings.max_bytes, truncate=False)
        robots = self._settings.respect_robots
        return await self._fetch(url, {"Accept": PAGE_ACCEPT}, limits, robots=robots)

    async def _fetch_robots(self, where: str) -> FetchedResponse:
        return await self._fetch(
            where, {"Accept": ROBOTS_ACCEPT}, _Limits(ROBOTS_MAX_BYTES, truncate=True)
        )

    async def _fetch(
        self, url: str, headers: dict[str, str], limits: _Limits, *, robots: bool = False
    ) -> FetchedResponse:
        """Follow redirects hop by hop; each hop is checked, queued and limited on its own."""
        started = time.monotonic()
        cookies = httpx.Cookies()  # live for this redirect chain only
        chain = [self._target(url, url, url)]
        while True:
            current = chain[-1]
            where = url if len(chain) == 1 else f"{url}: redirect to {one_line(str(current))}"
            if robots:
                await self._obey_robots(url, where, current)
            outcome = await self._hop(url, where, current, headers, cookies, limits)
            if isinstance(outcome, _Redirect):
                chain.append(self._next_hop(url, chain, outcome.location))
                continue
            return FetchedResponse(
                url=url,
                final_url=str(current),
                status=outcome.status,
                headers=outcome.headers,
                body=outcome.body,
                elapsed_s=time.monotonic() - started,
            )

    async def _obey_robots(self, url: str, where: str, target: httpx.URL) -> None:
        """Raise RobotsDisallowed unless the target's site allows it (Retry-After checked first)."""
        self._check_backoff(url, where, site_key(target))
        if not await self._robots.allows(str(target)):
            raise RobotsDisallowed(
                f"{where}: disallowed by {robots_url(str(target))}"
                f" for user agent '{self._robots.agent}'",
                url=url,
                temporary=False,
            )
        delay = await self._robots.crawl_delay(str(target))
        if delay is not None:
            self._gate.set_delay(site_key(target), min(delay, MAX_CRAWL_DELAY_S))

    def _target(self, url: str, where: str, candidate: str | httpx.URL) -> httpx.URL:
        """Parse and pre-check a URL: http(s) only, a host, no refused IP literal."""
        try:
            target = httpx.URL(candidate)
        except (httpx.InvalidURL, TypeError) as exc:
            raise FetchError(
                f"{where}: invalid URL ({one_line(str(exc))})", url=url, temporary=False
            ) from None
        if target.scheme not in _SCHEMES:
            shown = f"scheme '{one_line(target.scheme, 20)}'" if target.scheme else "no scheme"
            raise BlockedAddress(
                f"{where}: refused: {shown}, only http and https are fetched",
                url=url,
                temporary=False,
            )
        if not target.host:
            raise FetchError(f"{where}: invalid URL (no host)", url=url, temporary=False)
        reason = self._guard.literal_refusal(target.host)
        if reason is not None:
            raise BlockedAddress(
                f"{where}: refused: {reason} {_ALLOW_HINT}", url=url, temporary=False
            )
        return target.copy_with(fragment=None)

    def _next_hop(self, url: str, chain: list[httpx.URL], location: str) -> httpx.URL:
        where = f"{url}: redirect to {one_line(location)}"
        try:
            following = chain[-1].join(location)
        except httpx.InvalidURL as exc:
            raise FetchError(
                f"{where}: invalid URL ({one_line(str(exc))})", url=url, temporary=False
            ) from None
        following = self._target(url, where, following)
        if following in chain:
            hops = " -> ".join(one_line(str(u), 80) for u in [*chain, following])
            raise TooManyRedirects(f"{url}: redirect loop ({hops})", url=url, temporary=False)
        if len(chain) > self._settings.max_redirects:
            raise TooManyRedirects(
                f"{url}: more than {self._settings.max_redirects} redirects",
                url=url,
                temporary=False,
            )
        return following

    def _check_backoff(self, url: str, where: str, host: str) -> None:
        waiting = self._gate.backing_off(host)
        if waiting is None:
            return
        left, status = waiting
        raise FetchError(
            f"{where}: not requested: {host} answered {status} {phrase(status)} and asked us"
            f" to wait (retry after {math.ceil(left)} s)",
            url=url,
            temporary=True,
            retry_after_s=left,
        )

    async def _hop(
        self,
        url: str,
        where: str,
        target: httpx.URL,
        headers: dict[str, str],
        cookies: httpx.Cookies,
        limits: _Limits,
    ) -> _Redirect | _Final:
        """One request, inside a politeness slot and under the total deadline."""
        self._check_backoff(url, where, site_key(target))
        async with self._gate.slot(site_key(target)):
            self._check_backoff(url, where, site_key(target))  # may have changed while queued
            timeout_s = self._settings.timeout_s
            progress = _Progress()
            try:
                async with asyncio.timeout(timeout_s):
                    return await self._exchange(
                        url, where, target, headers, cookies, limits, progress
                    )
            except TimeoutError:
                raise total_timeout(where, url, timeout_s, answered=progress.answered) from None
            except httpx.TransportError as exc:
                raise transport_error(
                    where,
                    url,
                    exc,
                    connect_s=self._settings.connect_timeout_s,
                    timeout_s=timeout_s,
                ) from None
            except AddressRefused as exc:
                raise BlockedAddress(
                    f"{where}: refused: {exc.reason} {_ALLOW_HINT}", url=url, temporary=False
                ) from None
            except ResolutionFailed as exc:
                raise FetchError(f"{where}: {exc.reason}", url=url, temporary=True) from None

    async def _exchange(
        self,
        url: str,
        where: str,
        target: httpx.URL,
        headers: dict[str, str],
        cookies: httpx.Cookies,
        limits: _Limits,
        progress: _Progress,
    ) -> _Redirect | _Final:
        request = self._client.build_request("GET", target, headers=headers)
        cookies.set_cookie_header(request)
        response = await self._client.send(request, stream=True)
        progress.answered = True
        try:
            cookies.extract_cookies(response)
            return await self._outcome(url, where, response, limits)
        finally:
            await response.aclose()

    async def _outcome(
        self, url: str, where: str, response: httpx.Response, limits: _Limits
    ) -> _Redirect | _Final:
        status = response.status_code
        # A 304 is a "redirect" to httpx (is_redirect); only a Location makes one.
        if response.has_redirect_location:
            return _Redirect(response.headers["location"])
        if status == 304 or status == 204:
            return _Final(status, _header_dict(response, decoded=False), b"")
        if 200 <= status < 300:
            body = await self._body(url, where, response, limits)
            return _Final(status, _header_dict(response, decoded=True), body)
        if status >= 400:
            error = status_error(where, url, status, response.headers.get("retry-after"))
            if error.retry_after_s:
                self._gate.back_off(site_key(response.url), error.retry_after_s, status)
            raise error
        raise HTTPStatusError(
            f"{where}: server answered {status} {phrase(status)} without a usable Location",
            url=url,
            temporary=False,
            status=status,
        )

    async def _body(self, url: str, where: str, response: httpx.Response, limits: _Limits) -> bytes:
        declared = response.headers.get("content-length", "").strip()
        if not limits.truncate and declared.isdigit() and int(declared) > limits.max_bytes:
            raise ResponseTooLarge(
                f"{where}: response larger than {limits.max_bytes} bytes"
                f" (Content-Length {declared}), not read",
                url=url,
                temporary=False,
            )
        try:
            return await read_body(
                response.aiter_raw(),
                content_encoding=response.headers.get("content-encoding", ""),
                max_bytes=limits.max_bytes,
                truncate=limits.truncate,
            )
        except BodyTooLarge as exc:
            after = " once decompressed" if exc.decompressed else ""
            raise ResponseTooLarge(
                f"{where}: response larger than {exc.limit} bytes{after}, cut off",
                url=url,
                temporary=False,
            ) from None
        except BodyUndecodable as exc:
            raise FetchError(f"{where}: {exc}", url=url, temporary=exc.temporary) from None


def site_key(url: httpx.URL) -> str:
    """What politeness and Retry-After are kept per: the host and port (one server)."""
    port = url.port or (443 if url.scheme == "https" else 80)
    return f"{url.host}:{port}"


def _header_dict(response: httpx.Response, *, decoded: bool) -> dict[str, str]:
    """Lower-cased names; repeated headers joined with ", " (as httpx does)."""
    headers = {name.lower(): value for name, value in response.headers.items()}
    if decoded and "content-encoding" in headers:
        # The body we return is decoded: these described the bytes on the wire.
        headers.pop("content-encoding")
        headers.pop("content-length", None)
    return headers


def _conditional_headers(caching: CachingInfo | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from a feed's last validators (unsendable ones dropped)."""
    headers: dict[str, str] = {}
    if caching is None:
        return headers
    if caching.etag and _sendable(caching.etag):
        headers["If-None-Match"] = caching.etag
    if caching.last_modified and _sendable(caching.last_modified):
        headers["If-Modified-Since"] = caching.last_modified
    return headers


def _sendable(value: str) -> bool:
    return value.isascii() and value.isprintable()


def _refusing_jar() -> CookieJar:
    """The client-wide jar keeps nothing: cookies live for one redirect chain only.

    Some sites set a cookie and redirect to check it; that works. But no
    state leaks from one feed or article to the next, and a server cannot
    grow a daemon's memory with cookies.
    """
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
