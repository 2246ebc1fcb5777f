"""ExtractionPool: real worker processes, a hard time limit, and a pool that survives failures."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import extract_pool_targets as targets
import pytest

from monitor.exceptions import ExtractError, ExtractTimeout
from monitor.extract import ExtractionPool
from monitor.settings import ExtractSettings
from monitor.types import Article

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
ARTICLE = (PAGES / "ttp-attack-north-waziristan-checkpost.html").read_bytes()
URDU = (PAGES / "bajaur-operation-urdu.html").read_bytes()
# About a megabyte of markup: trafilatura needs seconds for it, far past the limit below.
HEAVY = (
    b"<html><head><title>Heavy</title></head><body><article>"
    + b"<div class='c'><p>Militants attacked the checkpost at night and fled to the border.</p>"
    b"<span>x</span></div>" * 8000 + b"</article></body></html>"
)


@pytest.fixture(scope="module")
def pool() -> Iterator[ExtractionPool]:
    with ExtractionPool(ExtractSettings(workers=2, timeout_s=30)) as shared:
        yield shared


def test_extracts_in_worker_processes(pool: ExtractionPool) -> None:
    async def run() -> list[str | None]:
        found = await asyncio.gather(
            pool.extract(ARTICLE, "https://x.example/a"),
            pool.extract(URDU, "https://x.example/u", content_type="text/html; charset=utf-8"),
            pool.extract(ARTICLE, "https://x.example/b"),
        )
        return [a.language for a in found]

    assert asyncio.run(run()) == ["en", "ur", "en"]


def test_extract_errors_come_back_as_they_are(pool: ExtractionPool) -> None:
    with pytest.raises(
        ExtractError, match=r"^no article text found in page: https://x.example/p is a PDF"
    ):
        asyncio.run(pool.extract(b"%PDF-1.4 ...", "https://x.example/p"))


def test_min_text_chars_comes_from_the_settings() -> None:
    with (
        ExtractionPool(ExtractSettings(workers=1, min_text_chars=100_000)) as strict,
        pytest.raises(ExtractError, match=r"\(minimum 100000\)"),
    ):
        asyncio.run(strict.extract(ARTICLE, "https://x.example/a"))


def test_timeout_stops_the_worker_and_the_pool_goes_on() -> None:
    async def run(pool: ExtractionPool) -> None:
        started = time.perf_counter()
        with pytest.raises(
            ExtractTimeout,
            match=r"extraction of https://x.example/heavy passed its 0.5 s time limit",
        ):
            await pool.extract(HEAVY, "https://x.example/heavy")
        assert time.perf_counter() - started < 5, "the worker was stopped, not waited for"
        after = await pool.extract(ARTICLE, "https://x.example/after")
        assert after.language == "en"

    with ExtractionPool(ExtractSettings(workers=1, timeout_s=0.5)) as pool:
        asyncio.run(run(pool))


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (targets.die, r"failed: the worker process died \(exit code 3\)"),
        (targets.buggy, r"failed in the worker: KeyError: 'lxml internal state'"),
    ],
)
def test_a_crashed_worker_is_an_extract_error_and_is_replaced(
    target: Callable[..., Article], message: str
) -> None:
    async def run(pool: ExtractionPool) -> None:
        for attempt in range(2):  # the second call proves a fresh worker took over
            with pytest.raises(
                ExtractError, match=f"^extraction of https://x.example/{attempt} {message}"
            ):
                await pool.extract(b"", f"https://x.example/{attempt}")

    with ExtractionPool(ExtractSettings(workers=1), target=target) as pool:
        asyncio.run(run(pool))


def test_workers_are_recycled_after_max_tasks() -> None:
    async def run(pool: ExtractionPool) -> list[str]:
        found = [await pool.extract(b"0", f"https://x.example/{i}") for i in range(5)]
        return [a.text for a in found]

    with ExtractionPool(
        ExtractSettings(workers=1, max_tasks_per_worker=2), target=targets.sleepy
    ) as pool:
        assert asyncio.run(run(pool)) == [f"https://x.example/{i}" for i in range(5)]


def test_cancelling_the_caller_cancels_the_task() -> None:
    async def run(pool: ExtractionPool) -> None:
        task = asyncio.ensure_future(pool.extract(b"30", "https://x.example/slow"))
        await asyncio.sleep(0.5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        started = time.perf_counter()
        quick = await pool.extract(b"0", "https://x.example/quick")
        assert quick.text == "https://x.example/quick"
        assert time.perf_counter() - started < 10, "the cancelled task's worker was stopped"

    with ExtractionPool(ExtractSettings(workers=1, timeout_s=60), target=targets.sleepy) as pool:
        asyncio.run(run(pool))


def test_closed_pool_refuses_work() -> None:
    pool = ExtractionPool(ExtractSettings(workers=1))
    pool.close()
    pool.close()  # idempotent
    with pytest.raises(ExtractError, match="the extraction pool is closed"):
        asyncio.run(pool.extract(ARTICLE, "https://x.example/a"))
