"""Prometheus metrics of a working process, scraped over HTTP from a real daemon."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from pipeline_support import Instance, serve_site
from prometheus_client.parser import text_string_to_metric_families

from httpd import FixtureServer
from monitor.metrics import serve_metrics


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_the_daemon_exposes_its_metrics_and_readiness(
    server: FixtureServer, make_instance: Callable[..., Instance]
) -> None:
    urls = serve_site(server)
    inst = make_instance(
        [("Frontier Daily", urls["rss"]), ("Border Times", urls["atom"])], schedule={"tick": 1}
    )
    assert inst.run("init")[0] == 0
    port = _free_port()
    env = {**os.environ, "MONITOR_CONFIG": str(inst.config)}
    monitor = Path(sys.executable).with_name("monitor")
    proc = subprocess.Popen(
        [str(monitor), "run", "--metrics-port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
        deadline = time.monotonic() + 60
        key = ("monitor_items_stored_total", (("kind", "new"),))
        while time.monotonic() < deadline:
            try:
                status, text = _get(f"http://127.0.0.1:{port}/metrics")
                samples = _samples(text)
                if samples.get(key) == 4:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        assert samples.get(key) == 4
        assert samples[("monitor_items_stored_total", (("kind", "duplicate"),))] == 1
        assert samples[("monitor_feeds_polled_total", (("outcome", "ok"),))] == 2
        assert samples[("monitor_stage_cpu_seconds_count", (("stage", "dedup"),))] >= 5
        assert samples[("monitor_queue_depth", (("queue", "feeds_due"),))] == 0
        assert ("monitor_extraction_timeouts_total", ()) in samples
        status, body = _get(f"http://127.0.0.1:{port}/readyz")
        assert status == 200 and json.loads(body)["checks"] == {"database": "ok"}
        assert _get(f"http://127.0.0.1:{port}/healthz")[0] == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err


def test_readyz_names_the_failing_check() -> None:
    port = _free_port()
    stop = serve_metrics(port, {"database": lambda: "failed: gone", "disk": lambda: None})
    try:
        status, body = _get(f"http://127.0.0.1:{port}/readyz")
    finally:
        stop()
    assert status == 503
    assert json.loads(body) == {
        "status": "unavailable",
        "checks": {"database": "failed: gone", "disk": "ok"},
    }
