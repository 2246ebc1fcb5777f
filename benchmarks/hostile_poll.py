"""Peak memory of one poll over the hostile test server (tests/hostile_server.py):
hanging, dripping, resetting, 50 MB, gzip-bomb, redirect-loop and error routes.

    .venv/bin/python benchmarks/hostile_poll.py

Nothing from these feeds may make memory grow with what the server sends:
bodies are cut off at fetch.max_bytes while streaming and decompressing. A
benign poll runs first so that the peak compares like with like (all code
loaded, worker pool started).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "benchmarks"))

from poll_site import write_config  # noqa: E402

from hostile_server import HostileServer  # noqa: E402

ROUTES = [
    "/hang", "/hang-body", "/drip", "/drip-head", "/reset", "/reset-mid-body", "/big",
    "/big-unsized", "/endless-chunked", "/bomb", "/gzip", "/deflate", "/bad-gzip", "/brotli",
    "/status?code=500", "/status?code=503&retry_after=60", "/loop/a", "/chain/1",
    "/html", "/binary", "/mislabelled", "/feed",
]  # fmt: skip


def main() -> None:
    from monitor.cli import main as cli

    server = HostileServer()
    try:
        baseline, _ = poll_once(cli, [server.url("/feed")] * 1 + [server.url("/ok")])
        peak, wall = poll_once(cli, [server.url(r) for r in ROUTES])
    finally:
        server.close()
    print(f"peak RSS after a benign poll (all code loaded): {baseline:.0f} MiB")
    print(f"{len(ROUTES)} hostile feeds polled in {wall:.1f} s (fetch.timeout_s = 5)")
    print(f"peak RSS after the hostile poll: {peak:.0f} MiB (+{peak - baseline:.0f} MiB)")


def poll_once(cli: Callable[[list[str]], int], urls: list[str]) -> tuple[float, float]:
    """Init and poll a fresh instance; the process's peak RSS afterwards and the poll's time."""
    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(Path(tmp), urls, workers=1)
        config.write_text(config.read_text().replace("[fetch]", "[fetch]\ntimeout_s = 5"))
        assert cli(["--config", str(config), "init"]) == 0
        started = time.perf_counter()
        cli(["--config", str(config), "poll"])
        wall = time.perf_counter() - started
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, wall


if __name__ == "__main__":
    main()
