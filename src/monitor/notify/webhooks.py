"""Sending the webhook outbox, to the Standard Webhooks specification.

Each delivery is POSTed with ``webhook-id`` (the row's id: the same on every
retry, so a receiver can drop repeats), ``webhook-timestamp`` (this attempt)
and ``webhook-signature`` (``v1,`` + base64 HMAC-SHA256 of
``id.timestamp.body``, made by the ``standardwebhooks`` package). The body
is the row's stored payload, byte for byte.

Outcomes: a 2xx is delivered; ``410 Gone`` disables the endpoint (its other
deliveries wait until ``monitor webhooks enable``); anything else (another
status, a redirect, a timeout, a refused connection, an address the SSRF
guard refuses) is retried with backoff until ``give_up_at``, then marked
failed and logged as an error (``monitor webhooks retry`` sends it again).
Deliveries to one endpoint go one at a time, oldest first; endpoints in parallel.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from standardwebhooks import Webhook

from monitor import __version__, metrics
from monitor.exceptions import ConfigError
from monitor.fetch.address_guard import (
    AddressGuard,
    AddressRefused,
    GuardedTransport,
    ResolutionFailed,
)
from monitor.notify.backoff import next_attempt
from monitor.settings import Settings
from monitor.store.outbox import Delivery, OutboxStore

log = logging.getLogger("monitor.webhooks")
_MAX_PARALLEL_ENDPOINTS = 8


@dataclass
class DeliveryPass:
    """What one pass over the due deliveries did."""

    delivered: int = 0
    retry: int = 0
    gave_up: int = 0
    gone: int = 0

    def line(self) -> str:
        return (
            f"webhooks: {self.delivered} delivered, {self.retry} to retry, "
            f"{self.gave_up} given up, {self.gone} endpoints gone"
        )


@dataclass(frozen=True, slots=True)
class _Attempt:
    delivered: bool
    status: int | None
    error: str | None


def signing_keys(settings: Settings) -> dict[str, Webhook]:
    """The signer of each configured endpoint; ConfigError naming the key if unusable."""
    keys: dict[str, Webhook] = {}
    for n, hook in enumerate(settings.webhook):
        secret = hook.resolved_secret()
        try:
            keys[hook.url] = Webhook(secret)
        except Exception:  # binascii.Error, EmptyWebhookSecretError: not base64, or empty
            key = "secret" if hook.secret is not None else "secret_env"
            raise ConfigError(
                f"invalid value for 'webhook.{n}.{key}': not a Standard Webhooks secret"
                " ('whsec_' followed by base64)"
            ) from None
    return keys


class WebhookDeliverer:
    """Works off the outbox of one store; one instance per process."""

    def __init__(
        self,
        settings: Settings,
        outbox: OutboxStore,
        *,
        clock: Callable[[], datetime] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._settings = settings
        self._policy = settings.webhook_delivery
        self._outbox = outbox
        self._keys = signing_keys(settings)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._rng = rng or random.Random()
        fetch = settings.fetch
        self._guard = AddressGuard(
            allow_private=fetch.allow_private_networks, allowed_networks=fetch.allowed_networks
        )

    async def deliver_due(self) -> DeliveryPass:
        """Send every delivery due now (one claimed batch); returns the counts."""
        result = DeliveryPass()
        # Long enough for one endpoint's whole batch, sent one by one: no other process
        # takes a row back while this one may still send it.
        lease = timedelta(seconds=self._policy.timeout_s * (self._policy.batch + 1) + 30)
        due = self._outbox.claim_due(self._clock(), self._policy.batch, lease)
        if due:
            by_endpoint: dict[str, list[Delivery]] = defaultdict(list)
            for delivery in due:
                by_endpoint[delivery.endpoint_url].append(delivery)
            slots = asyncio.Semaphore(_MAX_PARALLEL_ENDPOINTS)
            async with self._client() as client:
                await asyncio.gather(
                    *(
                        self._endpoint(client, slots, url, ds, result)
                        for url, ds in by_endpoint.items()
                    )
                )
        metrics.set_queue_depth("webhook_deliveries", self._outbox.pending_count())
        return result

    async def deliver_all(self, max_passes: int = 1000) -> DeliveryPass:
        """Passes until nothing due is left (``monitor webhooks retry``/``deliver``)."""
        total = DeliveryPass()
        for _ in range(max_passes):
            one = await self.deliver_due()
            total.delivered += one.delivered
            total.retry += one.retry
            total.gave_up += one.gave_up
            total.gone += one.gone
            if one.delivered + one.retry + one.gave_up + one.gone == 0:
                break
        return total

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=GuardedTransport(self._guard, max_connections=_MAX_PARALLEL_ENDPOINTS),
            timeout=httpx.Timeout(self._policy.timeout_s),
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": f"monitor-webhooks/{__version__}"},
        )

    async def _endpoint(
        self,
        client: httpx.AsyncClient,
        slots: asyncio.Semaphore,
        url: str,
        deliveries: list[Delivery],
        result: DeliveryPass,
    ) -> None:
        async with slots:
            for n, delivery in enumerate(deliveries):
                if url not in self._keys:
                    continue  # no longer configured: left pending, never sent unsigned
                attempt = await self._send(client, delivery)
                now = self._clock()
                if attempt.status == 410:
                    self._gone(delivery, now, result)
                    # The rest of this endpoint's batch waits, unsent, with the endpoint.
                    self._outbox.release([d.id for d in deliveries[n + 1 :]], now)
                    return
                self._record(delivery, attempt, now, result)

    async def _send(self, client: httpx.AsyncClient, delivery: Delivery) -> _Attempt:
        now = self._clock()
        headers = {
            "content-type": "application/json",
            "webhook-id": delivery.id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": self._keys[delivery.endpoint_url].sign(
                delivery.id, now.astimezone(UTC), delivery.payload
            ),
        }
        try:
            async with asyncio.timeout(self._policy.timeout_s):
                response = await client.post(
                    delivery.endpoint_url, content=delivery.payload.encode(), headers=headers
                )
        except TimeoutError:
            return _Attempt(False, None, f"no answer within {self._policy.timeout_s:g} s")
        except AddressRefused as exc:
            return _Attempt(False, None, f"refused by the SSRF guard: {exc.host} {exc.reason}")
        except ResolutionFailed as exc:
            return _Attempt(False, None, exc.reason)
        except httpx.HTTPError as exc:
            return _Attempt(False, None, f"{type(exc).__name__}: {exc}".strip(": "))
        if 200 <= response.status_code < 300:
            return _Attempt(True, response.status_code, None)
        if 300 <= response.status_code < 400:
            error = f"HTTP {response.status_code}: redirects are not followed for webhooks"
        else:
            error = f"HTTP {response.status_code}"
        return _Attempt(False, response.status_code, error)

    def _gone(self, delivery: Delivery, now: datetime, result: DeliveryPass) -> None:
        reason = f"410 Gone at {now.isoformat(timespec='seconds')}"
        self._outbox.disable_endpoint(delivery.endpoint_url, now, reason)
        self._outbox.record_attempt(
            delivery.id,
            now,
            delivered=False,
            status=410,
            error="HTTP 410: endpoint disabled",
            next_attempt_at=now,
        )
        result.gone += 1
        metrics.record_webhook_delivery("gone")
        log.error(
            "webhook endpoint %s answered 410 Gone: disabled, no more deliveries"
            " (monitor webhooks enable URL to resume)",
            delivery.endpoint_url,
        )

    def _record(
        self, delivery: Delivery, attempt: _Attempt, now: datetime, result: DeliveryPass
    ) -> None:
        if attempt.delivered:
            self._outbox.record_attempt(
                delivery.id,
                now,
                delivered=True,
                status=attempt.status,
                error=None,
                next_attempt_at=None,
            )
            result.delivered += 1
            metrics.record_webhook_delivery("delivered")
            return
        when = next_attempt(
            delivery.attempts + 1,
            now,
            delivery.give_up_at,
            base_s=self._policy.backoff_base,
            max_s=self._policy.backoff_max,
            rng=self._rng,
        )
        self._outbox.record_attempt(
            delivery.id,
            now,
            delivered=False,
            status=attempt.status,
            error=attempt.error,
            next_attempt_at=when,
        )
        if when is None:
            result.gave_up += 1
            metrics.record_webhook_delivery("gave_up")
            log.error(
                "webhook %s to %s given up after %d attempts: %s (monitor webhooks retry)",
                delivery.id,
                delivery.endpoint_url,
                delivery.attempts + 1,
                attempt.error,
            )
        else:
            result.retry += 1
            metrics.record_webhook_delivery("retry")
            log.warning(
                "webhook %s to %s failed (%s); next attempt at %s",
                delivery.id,
                delivery.endpoint_url,
                attempt.error,
                when.isoformat(timespec="seconds"),
            )
