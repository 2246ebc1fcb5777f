"""Peak memory of one poll over the hostile test server (tests/hostile_server.py):
hanging, dripping, resetting, 50 MB, gzip-bomb, redirect-loop and error routes.

    .venv/bin/python benchmarks/hostile_poll.py

Nothing from these feeds may make memory grow with what the server sends:
bodies are cut off at fetch.max_bytes while streaming and decompressing.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
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
        with tempfile.TemporaryDirectory() as tmp:
            config = write_config(Path(tmp), [server.url(r) for r in ROUTES], workers=1)
            text = config.read_text().replace("[fetch]", "[fetch]\ntimeout_s = 5")
            config.write_text(text)
            assert cli(["--config", str(config), "init"]) == 0
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            started = time.perf_counter()
            cli(["--config", str(config), "poll"])
            wall = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        server.close()
    print(f"{len(ROUTES)} hostile feeds polled in {wall:.1f} s (fetch.timeout_s = 5)")
    print(f"peak RSS of the process: {peak:.0f} MiB (before the poll: {before:.0f} MiB)")


if __name__ == "__main__":
    main()
