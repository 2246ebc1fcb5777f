"""``ExtractionPool``: ``extract_article`` in worker processes, each call under a hard time limit.

trafilatura has no timeout, and a pathological page (deep nesting, megabytes of markup) can
hold a CPU for minutes; a thread cannot be stopped, a process can. pebble's ``ProcessPool``
kills the worker whose task passes ``timeout_s`` (→ ``ExtractTimeout``) and starts a fresh
one, so the pool goes on. Workers are also replaced every ``max_tasks_per_worker`` tasks so
lxml's and trafilatura's caches cannot make memory creep in a long-running daemon.

Workers are forked from a fork server that imported trafilatura and loaded the language
model once (``monitor.extract._preload``): a new worker starts in milliseconds with
everything warm, instead of paying a second of imports, and no task ever re-imports.
Forking from the fork server, not from the daemon, also keeps the daemon's threads,
sockets and database connections out of the workers.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from multiprocessing.context import BaseContext
from types import TracebackType
from typing import Any

from pebble import ProcessExpired, ProcessPool

from monitor import metrics
from monitor.exceptions import ExtractError, ExtractTimeout, MonitorError
from monitor.extract.article import extract_article
from monitor.settings import ExtractSettings
from monitor.types import Article

__all__ = ["ExtractionPool"]

# "__main__" first, as multiprocessing does by default: workers then skip re-running the
# main script (the console script) on start.
_PRELOAD = ["__main__", "monitor.extract._preload"]
_CLOSE_GRACE_S = 5.0  # close() lets running tasks finish for at most this long


class ExtractionPool:
    """Run extractions in ``settings.workers`` processes; ``await pool.extract(html, url)``.

    ``target`` replaces ``extract_article`` (a picklable module-level function taking
    ``(html, url, *, min_text_chars, content_type)``); tests use it to crash a worker.
    """

    def __init__(
        self,
        settings: ExtractSettings,
        *,
        target: Callable[..., Article] = extract_article,
    ) -> None:
        self._settings = settings
        self._target = target
        self._closed = False
        self._pool = self._new_pool()

    async def extract(self, html: bytes, url: str, *, content_type: str | None = None) -> Article:
        """The page's article; ExtractTimeout past ``timeout_s``, ExtractError otherwise."""
        future = self._schedule(html, url, content_type)
        try:
            return await asyncio.wrap_future(future)
        except TimeoutError:
            metrics.record_extraction_timeout()
            limit = self._settings.timeout_s
            raise ExtractTimeout(
                f"extraction of {url} passed its {limit:g} s time limit; the worker was stopped"
            ) from None
        except ProcessExpired as exc:
            raise ExtractError(
                f"extraction of {url} failed: the worker process died (exit code {exc.exitcode})"
            ) from None
        except MonitorError:
            raise
        except asyncio.CancelledError:
            future.cancel()  # stops the worker if the task already runs
            raise
        except Exception as exc:  # a bug or crash inside trafilatura/lxml, raised in the worker
            raise ExtractError(
                f"extraction of {url} failed in the worker: {type(exc).__name__}: {exc}"
            ) from exc

    def close(self) -> None:
        """Stop taking work, let running tasks finish briefly, then stop the workers."""
        if self._closed:
            return
        self._closed = True
        self._pool.close()  # type: ignore[no-untyped-call, unused-ignore]
        try:
            self._pool.join(timeout=_CLOSE_GRACE_S)
        except TimeoutError:
            self._pool.stop()  # type: ignore[no-untyped-call, unused-ignore]
            self._pool.join()

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _schedule(self, html: bytes, url: str, content_type: str | None) -> Any:
        if self._closed:
            raise ExtractError(f"extraction of {url} refused: the extraction pool is closed")
        if not self._pool.active:  # every worker died at once: pebble gave the pool up
            self._pool.stop()  # type: ignore[no-untyped-call, unused-ignore]
            self._pool = self._new_pool()
        kwargs = {"min_text_chars": self._settings.min_text_chars, "content_type": content_type}
        try:
            return self._pool.schedule(
                self._target, args=(html, url), kwargs=kwargs, timeout=self._settings.timeout_s
            )
        except RuntimeError as exc:
            raise ExtractError(
                f"extraction of {url} failed: the pool cannot take work ({exc})"
            ) from None

    def _new_pool(self) -> ProcessPool:
        return ProcessPool(
            max_workers=self._settings.workers,
            max_tasks=self._settings.max_tasks_per_worker,
            context=_worker_context(),
        )


def _worker_context() -> BaseContext:
    """A fork-server context preloading the extraction stack, or spawn where there is none."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context
