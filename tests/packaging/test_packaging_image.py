"""The image, built for real with buildah (``bash scripts/build-image``) and run.

This test reaches package registries (Debian's and PyPI, through the build), which the
suite's tests otherwise never do, and takes minutes: it runs when MONITOR_TEST_IMAGE=1
(and buildah is installed: ``apt-get install buildah debootstrap``), and is reported as
not run, with that reason, otherwise.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.image, pytest.mark.slow, pytest.mark.timeout(1800)]


def buildah(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["buildah", *args], capture_output=True, text=True, timeout=timeout)


def test_the_image_builds_and_its_entrypoint_inits_then_runs_the_command() -> None:
    build = subprocess.run(
        ["bash", str(REPO / "scripts" / "build-image"), "localhost/monitor:test"],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    container = buildah("from", "localhost/monitor:test").stdout.strip()
    try:
        run = buildah(
            "run", "--isolation", "chroot", container, "--",
            "tini", "-s", "--", "monitor-entrypoint", "stats",
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        assert run.stdout.startswith("0 items (0 relevant)")  # stdout: only the command's line
        assert "database ready" in run.stderr
        listed = buildah("run", "--isolation", "chroot", container, "--", "ls", "/data")
        assert "monitor.db" in listed.stdout  # the database is in the volume
        version = buildah("run", "--isolation", "chroot", container, "--", "monitor", "--version")
        assert version.stdout.startswith("monitor ")
    finally:
        buildah("rm", container)
