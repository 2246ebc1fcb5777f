"""Which endpoints want an event (a pure decision), and wiring the outbox into a store."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from monitor.exceptions import StoreError
from monitor.settings import Settings, WebhookSettings
from monitor.store import Store
from monitor.store.outbox import OutboxStore, OutboxWriter
from monitor.store.workers import has_table
from monitor.types import Relevance


def wants(hook: WebhookSettings, event: str, relevance: Relevance) -> bool:
    """True when ``hook`` subscribed to ``event`` and the item passes its filters:
    ``min_score`` (score at least this) and ``tags`` (at least one of them)."""
    if event not in hook.events:
        return False
    if hook.min_score is not None and relevance.score < hook.min_score:
        return False
    return not hook.tags or bool(set(hook.tags) & set(relevance.tags))


class WebhookRouter:
    """The outbox's router: (event, relevance) -> URLs of the endpoints that want it."""

    def __init__(self, hooks: Sequence[WebhookSettings]) -> None:
        self._hooks = tuple(hooks)

    def __call__(self, event: str, relevance: Relevance) -> list[str]:
        return [h.url for h in self._hooks if wants(h, event, relevance)]


def install_outbox(
    store: Store, settings: Settings, clock: Callable[[], datetime] | None = None
) -> None:
    """Make ``store`` write webhook deliveries with every item and triage change.

    Without ``[[webhook]]`` in the config nothing is installed (and nothing is written).
    """
    if not settings.webhook:
        return
    if not has_table(store, "webhook_endpoints"):
        raise StoreError("the database schema predates webhooks: run 'monitor init' first")
    ids = OutboxStore(store).sync_endpoints(h.url for h in settings.webhook)
    store.events = OutboxWriter(
        WebhookRouter(settings.webhook),
        ids,
        retry_for=timedelta(seconds=settings.webhook_delivery.retry_for),
        clock=clock or (lambda: datetime.now(UTC)),
    )
