"""Prometheus metrics of every process that does work (SPEC section 6, issue 10).

Names are prefixed ``monitor_`` and carry their unit (``_seconds``, ``_total``).
They live in prometheus-client's default registry, which the workbench's
``/metrics`` exposes too; a ``run`` or ``worker`` process started with
``--metrics-port`` serves them itself, with ``/healthz`` and ``/readyz``
(see ``serve_metrics``). docs/operations.md lists each one with what to
alert on. The stages call the small ``record_*`` functions below, so no
stage imports prometheus-client.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import Counter, Gauge, Histogram, make_wsgi_app

log = logging.getLogger("monitor.metrics")

FEEDS_POLLED = Counter(
    "monitor_feeds_polled_total",
    "Feed polls, by outcome (ok, not_modified, failed).",
    ["outcome"],
)
ITEMS_STORED = Counter(
    "monitor_items_stored_total",
    "Entries stored, by kind (new item, duplicate).",
    ["kind"],
)
STAGE_CPU = Histogram(
    "monitor_stage_cpu_seconds",
    "CPU time of one call of a pipeline stage (dedup, relevance, store, parse feeds, ...).",
    ["stage"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0),
)
FEED_POLL_SECONDS = Histogram(
    "monitor_feed_poll_duration_seconds",
    "Wall-clock time of one feed's poll, entries included.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0),
)
EXTRACTION_TIMEOUTS = Counter(
    "monitor_extraction_timeouts_total",
    "Article extractions stopped at extract.timeout_s (the worker process was killed).",
)
QUEUE_DEPTH = Gauge(
    "monitor_queue_depth",
    "Work waiting, by queue: feeds_due, webhook_deliveries, email_digests.",
    ["queue"],
)
WEBHOOK_DELIVERIES = Counter(
    "monitor_webhook_deliveries_total",
    "Webhook delivery attempts, by outcome (delivered, retry, gave_up, gone).",
    ["outcome"],
)
EMAIL_DIGESTS = Counter(
    "monitor_email_digests_total",
    "Email digest send attempts, by outcome (sent, retry, gave_up).",
    ["outcome"],
)


def record_feed_polled(outcome: str) -> None:
    FEEDS_POLLED.labels(outcome=outcome).inc()


def record_item_stored(kind: str) -> None:
    ITEMS_STORED.labels(kind=kind).inc()


def record_stage(stage: str, cpu_seconds: float) -> None:
    STAGE_CPU.labels(stage=stage).observe(cpu_seconds)


def record_feed_poll_seconds(seconds: float) -> None:
    FEED_POLL_SECONDS.observe(seconds)


def record_extraction_timeout() -> None:
    EXTRACTION_TIMEOUTS.inc()


def set_queue_depth(queue: str, depth: int) -> None:
    QUEUE_DEPTH.labels(queue=queue).set(depth)


def record_webhook_delivery(outcome: str) -> None:
    WEBHOOK_DELIVERIES.labels(outcome=outcome).inc()


def record_email_digest(outcome: str) -> None:
    EMAIL_DIGESTS.labels(outcome=outcome).inc()


# -- the per-process endpoint ---------------------------------------------------

ReadinessCheck = Callable[[], str | None]  # None when ready, else the one-line reason


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # scrapes every 15 s would drown the log


def metrics_app(
    checks: dict[str, ReadinessCheck], refresh: Callable[[], None] | None = None
) -> Callable[..., Iterable[bytes]]:
    """A WSGI app: ``/healthz``, ``/readyz`` (every check must pass), else the metrics,
    after ``refresh`` (which reads gauges such as the queue depths from the database)."""
    prometheus = make_wsgi_app()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if path == "/healthz":
            return _json(start_response, "200 OK", {"status": "ok"})
        if path == "/readyz":
            results = {name: _run_check(check) for name, check in checks.items()}
            ok = all(r == "ok" for r in results.values())
            body = {"status": "ok" if ok else "unavailable", "checks": results}
            return _json(start_response, "200 OK" if ok else "503 Service Unavailable", body)
        if refresh is not None:
            try:
                refresh()
            except Exception as exc:  # a scrape still answers with what it has
                log.warning("refreshing metrics failed: %s", exc)
        result: Iterable[bytes] = prometheus(environ, start_response)
        return result

    return app


def _run_check(check: ReadinessCheck) -> str:
    try:
        failure = check()
    except Exception as exc:  # a readiness probe reports, it never crashes the process
        return f"failed: {exc}"
    return "ok" if failure is None else failure


def _json(start_response: Callable[..., Any], status: str, body: object) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    )
    return [data]


def serve_metrics(
    port: int,
    checks: dict[str, ReadinessCheck],
    *,
    refresh: Callable[[], None] | None = None,
    host: str = "127.0.0.1",
) -> Callable[[], None]:
    """Serve ``/metrics``, ``/healthz`` and ``/readyz`` on ``host:port`` from a daemon
    thread (what ``prometheus_client.start_http_server`` does, plus the two probes);
    returns a function that stops it."""
    server = make_server(
        host,
        port,
        metrics_app(checks, refresh),
        server_class=_ThreadingServer,
        handler_class=_QuietHandler,
    )
    thread = threading.Thread(target=server.serve_forever, name="metrics", daemon=True)
    thread.start()
    log.info("metrics on http://%s:%d/metrics", host, server.server_port)

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return stop
