"""``monitor worker``: registered on the main parser; the engine is in ``monitor.tasks``."""

from __future__ import annotations

import argparse
import asyncio
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from monitor.settings import Settings


def register(sub: Any) -> dict[str, Callable[[Settings, argparse.Namespace], int]]:
    worker = sub.add_parser(
        "worker", help="work for a shared PostgreSQL database (any number, any machine)"
    )
    worker.add_argument("--metrics-port", type=int, help="serve /metrics, /healthz, /readyz here")
    return {"worker": cmd_worker}


def cmd_worker(settings: Settings, args: argparse.Namespace) -> int:
    # SIGTERM while starting (nothing claimed yet): remember it, and stop instead of
    # starting to work. Raising here could break an import half-way; the engine
    # installs its own handlers (graceful stop) once it runs.
    stopping = threading.Event()

    def stop_while_starting(signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop_while_starting)
    from monitor.tasks import libpq_url, run_worker

    libpq_url(settings.database_url)  # a one-line ConfigError before the engine loads
    asyncio.run(run_worker(settings, metrics_port=args.metrics_port, stopping=stopping))
    return 0
