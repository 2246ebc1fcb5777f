"""Progress bars for long work (``poll``, ``init`` loading seeds, ``rescore``, ``train``).

``progress(description, total)`` gives an ``advance(n=1)`` callable. On a
terminal (stderr, where the bar is drawn, so that stdout keeps only the
command's output) it draws a rich bar with counts, rate and time left, and
log lines written meanwhile appear above the bar; elsewhere it does nothing,
so piped output and log files stay clean. A command adds a bar with::

    with progress("training", total=len(texts)) as advance:
        for text in texts:
            ...
            advance()
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from monitor.terminal import is_terminal

Advance = Callable[..., None]


def _noop(n: int = 1, total: int | None = None) -> None:
    return None


@contextmanager
def progress(
    description: str, total: int | None, *, enabled: bool | None = None
) -> Iterator[Advance]:
    """A bar for ``total`` steps (unknown: None); ``enabled`` overrides the terminal check."""
    show = is_terminal(sys.stderr) if enabled is None else enabled
    if not show:
        yield _noop
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text("" if speed is None else f"{speed:.1f}/s")

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr, force_terminal=enabled or None),
        redirect_stderr=True,
        redirect_stdout=False,
    )
    with bar:
        task = bar.add_task(description, total=total)

        def advance(n: int = 1, total: int | None = None) -> None:
            if total is not None:
                bar.update(task, total=total)
            bar.advance(task, n)

        yield advance


class _AdvanceOnLog(logging.Handler):
    def __init__(self, prefixes: tuple[str, ...], advance: Advance) -> None:
        super().__init__(logging.INFO)
        self.prefixes = prefixes
        self.advance_by = advance

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, str) and record.msg.startswith(self.prefixes):
            self.advance_by()


@contextmanager
def advance_on_log(logger: str, prefixes: tuple[str, ...], advance: Advance) -> Iterator[None]:
    """Advance a bar on each log event of ``logger`` starting with one of ``prefixes``:
    a stage that already logs one line per unit of work needs no hook of its own."""
    if advance is _noop:
        yield
        return
    target = logging.getLogger(logger)
    handler = _AdvanceOnLog(prefixes, advance)
    old_level = target.level
    target.addHandler(handler)
    if target.getEffectiveLevel() > logging.INFO:
        target.setLevel(logging.INFO)  # the stderr handler still filters at the configured level
    try:
        yield
    finally:
        target.removeHandler(handler)
        target.setLevel(old_level)
