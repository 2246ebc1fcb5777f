"""``monitor webhooks list|retry|deliver|enable`` and ``monitor digest --email``.

Registered on the main parser by ``register``; same conventions as the rest
of the CLI: only the command's own output on stdout, a failure the user
must act on is one line and exit status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from monitor.records import iso
from monitor.settings import Settings

if TYPE_CHECKING:  # the store is imported when a command runs, not for --help
    from monitor.store.outbox import Delivery, OutboxStore

Handler = Callable[[Settings, argparse.Namespace], int]


def register(sub: Any) -> dict[str, Handler]:
    """Add the ``webhooks`` command to the subparsers ``sub``; its handlers by name."""
    hooks = sub.add_parser("webhooks", help="webhook endpoints and deliveries")
    hooks_sub = hooks.add_subparsers(dest="webhooks_command", required=True, metavar="SUBCOMMAND")
    hlist = hooks_sub.add_parser("list", help="endpoints and their recent deliveries")
    hlist.add_argument("--limit", type=int, default=20, help="deliveries shown (default 20)")
    hlist.add_argument("--status", choices=["pending", "delivered", "failed"])
    hlist.add_argument("--json", action="store_true", help="one JSON object per line")
    retry = hooks_sub.add_parser("retry", help="re-send the deliveries that were given up")
    retry.add_argument("--endpoint", metavar="URL", help="only this endpoint's")
    hooks_sub.add_parser("deliver", help="send every delivery that is due, now")
    enable = hooks_sub.add_parser("enable", help="resume an endpoint disabled by a 410")
    enable.add_argument("url", metavar="URL")
    return {"webhooks": cmd_webhooks}


def cmd_webhooks(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.service import open_store
    from monitor.store.outbox import OutboxStore

    store = open_store(settings)
    try:
        outbox = OutboxStore(store)
        command = args.webhooks_command
        if command == "list":
            return _list(outbox, args)
        if command == "enable":
            if not outbox.enable_endpoint(args.url):
                print(f"monitor: error: no webhook endpoint {args.url}", file=sys.stderr)
                return 1
            print(f"enabled {args.url}")
            return 0
        if command == "retry":
            now = datetime.now(UTC)
            window = timedelta(seconds=settings.webhook_delivery.retry_for)
            print(f"{outbox.retry_failed(now, window, args.endpoint)} failed deliveries requeued")
        return _deliver(settings, outbox)
    finally:
        store.close()


def _deliver(settings: Settings, outbox: OutboxStore) -> int:
    from monitor.notify.webhooks import WebhookDeliverer

    if not settings.webhook:
        print("no [[webhook]] configured: nothing to deliver")
        return 0
    done = asyncio.run(WebhookDeliverer(settings, outbox).deliver_all())
    print(done.line())
    return 0


def _list(outbox: OutboxStore, args: argparse.Namespace) -> int:
    endpoints = outbox.endpoints()
    deliveries = outbox.deliveries(limit=args.limit, status=args.status)
    if args.json:
        for e in endpoints:
            record = {
                "endpoint": e.url,
                "enabled": e.enabled,
                "disabled_at": iso(e.disabled_at),
                "disabled_reason": e.disabled_reason,
                "deliveries": dict(e.counts),
            }
            print(json.dumps(record, ensure_ascii=False))
        for d in deliveries:
            print(json.dumps(_delivery_json(d), ensure_ascii=False))
        return 0
    print(f"{'state':<9}{'pending':>8}{'delivered':>10}{'failed':>7}  endpoint")
    for e in endpoints:
        c = e.counts
        state = "enabled" if e.enabled else "disabled"
        print(
            f"{state:<9}{c.get('pending', 0):>8}{c.get('delivered', 0):>10}"
            f"{c.get('failed', 0):>7}  {e.url}"
        )
        if e.disabled_reason:
            print(f"{'':<9}disabled: {e.disabled_reason}")
    if deliveries:
        print()
        print(f"{'webhook-id':<37}{'event':<14}{'status':<10}{'tries':>5}  created / last error")
    for d in deliveries:
        print(
            f"{d.id:<37}{d.event_type:<14}{d.status:<10}{d.attempts:>5}  "
            f"{iso(d.created_at)} item {d.item_id}"
        )
        if d.last_error and d.status != "delivered":
            print(f"{'':<66}last error: {d.last_error}")
    return 0


def _delivery_json(d: Delivery) -> dict[str, Any]:
    return {
        "webhook_id": d.id,
        "endpoint": d.endpoint_url,
        "type": d.event_type,
        "item_id": d.item_id,
        "status": d.status,
        "attempts": d.attempts,
        "created_at": iso(d.created_at),
        "next_attempt_at": iso(d.next_attempt_at) if d.status == "pending" else None,
        "last_attempt_at": iso(d.last_attempt_at),
        "last_status": d.last_status,
        "last_error": d.last_error,
        "delivered_at": iso(d.delivered_at),
    }


def send_digest_email(settings: Settings) -> int:
    """``monitor digest --email``: queue a digest ending now and send it at once.

    A failed send stays queued: the daemon retries it (exit status 1 says so).
    """
    from monitor.notify.emails import EmailSender, queue_email_digest
    from monitor.service import open_store
    from monitor.store.outbox import OutboxStore

    if settings.email is None:
        print("monitor: error: --email needs an [email] section in the config", file=sys.stderr)
        return 1
    store = open_store(settings)
    try:
        outbox = OutboxStore(store)
        sender = EmailSender(settings.email, store, outbox)
        now = datetime.now(UTC)
        digest_id = queue_email_digest(outbox, settings.email, now, now)
        results = asyncio.run(sender.send_due())
    finally:
        store.close()
    failed = [(row, error) for row, error in results if error is not None]
    for row, error in failed:
        print(
            f"monitor: error: email digest {row.id} not sent: {error}; it stays queued and"
            " 'monitor run' retries it",
            file=sys.stderr,
        )
    sent = [row for row, error in results if error is None]
    for row in sent:
        print(
            f"email digest {row.id} ({iso(row.window_start)} – {iso(row.window_end)}) sent to "
            + ", ".join(settings.email.to)
        )
    if digest_id is None and not results:
        print("nothing new since the last email digest")
    return 1 if failed else 0
