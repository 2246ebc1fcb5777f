"""A working process's own ``/metrics``, ``/healthz`` and ``/readyz`` (``--metrics-port``).

Ready means: the database answers and has the schema. Queue depths are read
from the database at each scrape, so every process reports the same,
current numbers whatever it did itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from monitor import metrics
from monitor.exceptions import ConfigError, MonitorError
from monitor.store import Store


def start_process_metrics(
    store: Store,
    port: int,
    host: str = "127.0.0.1",
    extra_checks: dict[str, metrics.ReadinessCheck] | None = None,
) -> Callable[[], None]:
    """Serve this process's metrics and probes; returns the function that stops them."""

    def database() -> str | None:
        try:
            store.check_connection()
        except MonitorError as exc:
            return f"failed: {exc}"
        return None

    def refresh() -> None:
        from monitor.store.queues import queue_depths

        for queue, depth in queue_depths(store, datetime.now(UTC)).items():
            metrics.set_queue_depth(queue, depth)

    checks = {"database": database, **(extra_checks or {})}
    try:
        return metrics.serve_metrics(port, checks, refresh=refresh, host=host)
    except OSError as exc:  # the port is taken, or not ours to bind
        raise ConfigError(f"--metrics-port {port}: cannot listen ({exc.strerror})") from None
