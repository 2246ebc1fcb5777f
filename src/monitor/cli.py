"""The ``monitor`` command line (SPEC section 2).

Exit status: 0 success; 1 a failure the user must act on (bad config,
unreachable database), printed as one line; 2 bad usage; 3 the command ran but
its work failed: every feed of a ``poll`` failed (the network is probably
down), or an input of ``extract`` / ``score`` could not be read (each input
still gets its JSON line). A feed or article that fails among others that
work is reported and does not fail the command.

stdout carries only the command's own output; messages and logs go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from monitor import __version__, cli_web
from monitor.cli_relevance import register as register_relevance
from monitor.exceptions import MonitorError, StoreError
from monitor.logs import configure_logging
from monitor.notify.commands import register as register_notify_commands
from monitor.notify.commands import send_digest_email
from monitor.records import decode_cursor, iso, item_record, relevance_record
from monitor.settings import Settings, config_path, load_settings, parse_duration
from monitor.terminal import json_line, plural, print_table, printable
from monitor.worker_command import register as register_worker_command

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_WORK_FAILED = 3

_EXAMPLES = {
    "init": "monitor init                  # after editing seeds/ or the feed list, run it again",
    "poll": "monitor poll                  # exit 3 when every feed failed",
    "run": "monitor run                   # Ctrl-C or SIGTERM stops it cleanly",
    "list": "monitor feeds list --json | jq -r 'select(.state == \"failing\") | .url'",
    "export": "monitor export --after 000000000042 --relevant-only -o new.jsonl",
    "digest": (
        "monitor digest --since 24h --format html -o today.html   # a preview\n"
        "  monitor digest --mark                                    # the next in the series"
    ),
    "extract": "monitor extract page.html https://www.dawn.com/news/1950000",
    "score": 'echo \'{"title": "TTP attack", "text": "..."}\' | monitor score',
    "rescore": "monitor rescore               # after editing config/relevance.toml",
    "stats": "monitor stats",
}


def _command(sub: Any, name: str, summary: str, description: str = "") -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=summary,
        description=f"{summary[0].upper()}{summary[1:]}."
        + (f"\n\n{description}" if description else ""),
        epilog=f"example:\n  {_EXAMPLES[name]}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="monitor",
        description="Source-monitoring ingestion for the TTP–Pakistan–Afghanistan conflict.",
        epilog=(
            "config lookup: --config, else $MONITOR_CONFIG, else ./config/monitor.toml, else\n"
            "$XDG_CONFIG_HOME/monitor/monitor.toml, else built-in defaults.\n"
            "exit status: 0 ok, 1 failure (one line on stderr), 2 bad usage, 3 the work failed."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="config file (default: $MONITOR_CONFIG, ./config/monitor.toml, "
        "~/.config/monitor/monitor.toml, else built-in defaults)",
    )
    parser.add_argument("--version", action="version", version=f"monitor {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _command(
        sub,
        "init",
        "create or migrate the database and load the seed corpus",
        "Idempotent: safe on every start. Creates the SQLite file's folder only inside\n"
        "database.data_dir.",
    )
    _command(sub, "poll", "one pass over every enabled feed now, then exit")
    run = _command(sub, "run", "the daemon: poll each feed when it is due, until stopped")
    run.add_argument("--max-ticks", type=int, help=argparse.SUPPRESS)
    run.add_argument("--metrics-port", type=int, help="serve /metrics, /healthz, /readyz here")
    feeds = sub.add_parser("feeds", help="feed commands", description="Feed commands.")
    feeds_sub = feeds.add_subparsers(dest="feeds_command", required=True, metavar="SUBCOMMAND")
    flist = _command(
        feeds_sub,
        "list",
        "every feed with its state",
        "A table on a terminal, plain columns when piped.",
    )
    flist.add_argument("--json", action="store_true", help="one JSON object per feed and line")
    cli_web.add_commands(sub, feeds_sub)
    export = _command(sub, "export", "stored items as JSON Lines")
    export.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    export.add_argument(
        "--after", metavar="CURSOR", help="only items stored after this cursor (the last you saw)"
    )
    export.add_argument(
        "--changed-after",
        metavar="CURSOR",
        help="only items re-scored after this change cursor (a record's change_cursor; 0: all)",
    )
    export.add_argument(
        "--include-duplicates", action="store_true", help="also items recognised as duplicates"
    )
    export.add_argument("--relevant-only", action="store_true", help="only relevant items")
    digest = _command(
        sub,
        "digest",
        "a digest of the relevant items stored in a window",
        "Without --since the window starts at the last marked digest. Only --mark moves\n"
        "that mark: previews (--since, -o, a plain run) never hide an item from the next one.",
    )
    window = digest.add_mutually_exclusive_group()
    window.add_argument(
        "--since", metavar="DURATION", help="window length, e.g. 24h, 7d (default: since the mark)"
    )
    window.add_argument(
        "--mark",
        action="store_true",
        help="the next digest of the series: since the mark, then move the mark to now",
    )
    digest.add_argument(
        "--format",
        choices=["markdown", "html", "json"],
        default="markdown",
        help="default: markdown",
    )
    digest.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    digest.add_argument("--email", action="store_true", help="send it by email ([email]) now")
    extract = _command(
        sub,
        "extract",
        "show what the extractor gets from pages",
        "One JSON line per input; exit 3 when any input could not be read or extracted.",
    )
    extract.add_argument("inputs", nargs="+", metavar="FILE_OR_URL", help="HTML files or URLs")
    score = _command(
        sub,
        "score",
        "score texts (files, or JSON lines on stdin)",
        'A file\'s first line is its title. On stdin: one {"title": ..., "text": ...} per line.\n'
        "One JSON line per input; exit 3 when any input was unusable.",
    )
    score.add_argument("files", nargs="*", metavar="FILE", help="text files (default: stdin)")
    _command(sub, "rescore", "re-score stored items after the lexicon or threshold changed")
    _command(sub, "stats", "counts of stored items and feeds")
    COMMANDS.update(register_relevance(sub))
    COMMANDS.update(register_notify_commands(sub))  # webhooks (monitor.notify.commands)
    COMMANDS.update(register_worker_command(sub))  # worker (monitor.worker_command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings: Settings | None = None
    try:
        settings = load_settings(config_path(args.config))
        configure_logging(settings.log.level, settings.log.format)
        return COMMANDS[args.command](settings, args)
    except StoreError as exc:
        _error(_with_location(str(exc), settings))
        return EXIT_FAILED
    except MonitorError as exc:
        _error(str(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `monitor export | head`: the reader has what it wanted
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - no flush error at exit
        return 0


def _error(message: str) -> None:
    print(f"monitor: error: {printable(message)}", file=sys.stderr)


def _with_location(message: str, settings: Settings | None) -> str:
    """A database error line that names the file or host."""
    if settings is None:
        return message
    from monitor.service import database_location

    where = database_location(settings)
    path = settings.sqlite_path
    if str(path or where) in message:
        return message
    return f"{where}: {message}"


def _usage_error(message: str) -> int:
    print(f"monitor: usage error: {printable(message)}", file=sys.stderr)
    return EXIT_USAGE


def cmd_init(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.progress import progress
    from monitor.service import initialise

    with progress("loading seeds", None) as advance:
        report = initialise(settings, on_seed=lambda total: advance(1, total=total))
    print(report.line())
    return 0


def _pipeline(settings: Settings, stack: ExitStack) -> Any:
    from monitor.extract import ExtractionPool
    from monitor.feedlist import load_feeds
    from monitor.pipeline import Pipeline
    from monitor.service import load_scorer, open_store

    feeds = load_feeds(settings)
    store = open_store(settings)
    stack.callback(store.close)
    store.sync_feeds(feeds, datetime.now(UTC))
    scorer, version = load_scorer(settings, store)
    pool = stack.enter_context(ExtractionPool(settings.extract))
    return Pipeline(settings, store, scorer=scorer, lexicon_version=version, extraction=pool)


def cmd_poll(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.progress import advance_on_log, progress

    with ExitStack() as stack:
        pipeline = _pipeline(settings, stack)
        enabled = sum(1 for f in pipeline.store.feed_states(enabled_only=True))
        with (
            progress("polling feeds", enabled) as advance,
            advance_on_log("monitor.pipeline", ("feed polled", "feed failed"), advance),
        ):
            summary = pipeline.poll(all_feeds=True)
    print(summary.line())  # each failed feed was logged on stderr with its reason
    polled = summary.feeds_ok + summary.feeds_not_modified + summary.feeds_failed
    if polled and summary.feeds_failed == polled:
        _error(f"all {plural(polled, 'feed')} failed: is the network down?")
        return EXIT_WORK_FAILED
    if enabled and not polled:
        print(
            "monitor: no feed polled: every enabled feed is leased by another worker",
            file=sys.stderr,
        )
    return 0


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.daemon import run_daemon

    with ExitStack() as stack:
        pipeline = _pipeline(settings, stack)
        if args.metrics_port is not None:
            from monitor.health import start_process_metrics

            stack.callback(start_process_metrics(pipeline.store, args.metrics_port))
        run_daemon(pipeline, settings.schedule.tick, max_ticks=args.max_ticks)
    return 0


def cmd_feeds(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.service import open_store

    if args.feeds_command != "list":
        return cli_web.cmd_feeds_manage(settings, args)
    store = open_store(settings)
    try:
        states = store.feed_states()
    finally:
        store.close()
    if args.json:
        for s in states:
            print(json_line(_feed_json(s)))
        return 0
    headers = ["state", "fails", "items", "last success", "next due", "feed", "last error"]
    rows = [
        [
            shown_state(s) + (" !" if s.missed_at else ""),  # dropped items (see --json)
            str(s.consecutive_failures),
            str(s.items_stored),
            iso(s.last_success_at) or "-",
            (iso(s.next_fetch_at) or "-") if s.enabled else "-",
            f"{s.name} <{s.url}>",
            (s.last_error or "") if s.state in ("error", "failing") and s.enabled else "",
        ]
        for s in states
    ]
    print_table(headers, rows, title=plural(len(states), "feed"))
    return 0


def shown_state(s: Any) -> str:
    """The state ``feeds list`` and ``stats`` both show: ``disabled`` overrides the rest."""
    return str(s.state) if s.enabled else "disabled"


def _feed_json(s: Any) -> dict[str, Any]:
    return {
        "url": s.url,
        "name": s.name,
        "enabled": s.enabled,
        "state": s.state,
        "last_success_at": iso(s.last_success_at),
        "last_error": s.last_error,
        "consecutive_failures": s.consecutive_failures,
        "next_fetch_at": iso(s.next_fetch_at) if s.enabled else None,
        "items_stored": s.items_stored,
        "interval_s": s.current_interval_s,
        "missed_items_at": iso(s.missed_at),
        "missed_items_count": s.missed_count,
    }


def _output(path: str | None, stack: ExitStack) -> IO[str]:
    """stdout, or FILE opened for writing; a folder that is missing is one line, not a trace."""
    if path is None:
        return sys.stdout
    from monitor.exceptions import ConfigError

    try:
        return stack.enter_context(open(path, "w", encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.service import open_store

    try:
        after = decode_cursor(args.after) if args.after else 0
        changed = decode_cursor(args.changed_after) if args.changed_after else None
    except ValueError as exc:
        return _usage_error(f"--after/--changed-after: {exc}")
    with ExitStack() as stack:
        store = open_store(settings)
        stack.callback(store.close)
        out = _output(args.output, stack)
        selected = (
            store.changed_items(after=changed, include_duplicates=args.include_duplicates)
            if changed is not None
            else store.items(
                after_seq=after,
                include_duplicates=args.include_duplicates,
                relevant_only=args.relevant_only,
            )
        )
        for item in selected:
            out.write(json_line(item_record(item)) + "\n")
    return 0


def cmd_digest(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.digest import RENDERERS, build_digest
    from monitor.service import open_store

    if args.email:
        return send_digest_email(settings)
    now = datetime.now(UTC)
    try:
        window = parse_duration(args.since) if args.since else None
    except ValueError as exc:
        return _usage_error(f"--since: {exc}")
    with ExitStack() as stack:
        store = open_store(settings)
        stack.callback(store.close)
        if window is not None:
            start = now - timedelta(seconds=window)
        else:
            start = store.last_digest_end() or now - timedelta(days=1)
        out = _output(args.output, stack)
        items = store.items(stored_since=start, stored_until=now, include_duplicates=True)
        digest = build_digest(items, start, now)
        out.write(RENDERERS[args.format](digest))
        if args.mark:  # only the next digest of the series moves the mark; previews never do
            store.record_digest(start, now, digest.relevant_items, now)
    return 0


def cmd_extract(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.extract import extract_article

    failed = 0
    for name, body, url, error in _read_inputs(settings, args.inputs):
        record: dict[str, Any] = {"input": name}
        if error is None and _is_binary(body):
            error = f"{name} is a binary file, not an HTML page"
        if error is None:
            try:
                art = extract_article(body, url, min_text_chars=0)
                record |= {
                    "title": art.title,
                    "authors": list(art.authors),
                    "published_at": iso(art.published_at),
                    "language": art.language,
                    "text": art.text,
                }
            except MonitorError as exc:
                error = str(exc)
        if error is not None:
            record["error"] = error
            failed += 1
        print(json_line(record))
    return EXIT_WORK_FAILED if failed else 0


def _is_binary(body: bytes) -> bool:
    """NUL bytes or undecodable text in the first 8 KB: an image, an archive, not HTML."""
    head = body[:8192]
    return b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))


def _read_inputs(
    settings: Settings, inputs: list[str]
) -> Iterator[tuple[str, bytes, str, str | None]]:
    urls = [i for i in inputs if i.startswith(("http://", "https://"))]
    fetched = asyncio.run(_fetch_pages(settings, urls)) if urls else {}
    for name in inputs:
        if name in fetched:
            body, final_url, error = fetched[name]
            yield name, body, final_url, error
            continue
        path = Path(name)
        try:
            yield name, path.read_bytes(), path.resolve().as_uri(), None
        except OSError as exc:
            yield name, b"", "", f"cannot read {name}: {exc.strerror}"
        except ValueError as exc:  # a NUL in the name
            yield name, b"", "", f"cannot read {name!r}: {exc}"


async def _fetch_pages(
    settings: Settings, urls: list[str]
) -> dict[str, tuple[bytes, str, str | None]]:
    from monitor.exceptions import FetchError
    from monitor.fetch import Fetcher

    results: dict[str, tuple[bytes, str, str | None]] = {}
    async with Fetcher(settings.fetch) as fetcher:
        for url in urls:
            try:
                resp = await fetcher.fetch_page(url)
                results[url] = (resp.body, resp.final_url, None)
            except FetchError as exc:
                results[url] = (b"", url, str(exc))
    return results


def cmd_score(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.service import load_scorer

    scorer, _ = load_scorer(settings, None)
    failed = 0
    for name, title, text, error in _score_inputs(args.files):
        record: dict[str, Any] = {"input": name}
        if error is None:
            record["relevance"] = relevance_record(scorer.score(title, text))
        else:
            record["error"] = error
            failed += 1
        print(json_line(record))
    return EXIT_WORK_FAILED if failed else 0


def _score_inputs(files: list[str]) -> Iterator[tuple[str, str, str, str | None]]:
    if files:
        for name in files:
            try:
                text = Path(name).read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                yield name, "", "", f"cannot read {name}: {exc.strerror}"
                continue
            except ValueError as exc:  # a NUL in the name
                yield name, "", "", f"cannot read {name!r}: {exc}"
                continue
            title, _, body = text.partition("\n")
            yield name, title.strip(), body if body.strip() else text, None
        return
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        name = f"stdin:{number}"
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict) or not isinstance(obj.get("text", ""), str):
                raise ValueError("expected an object with a 'text' string")
            raw_title = obj.get("title")
            if raw_title is not None and not isinstance(raw_title, str):
                raise ValueError(f"'title' must be a string (got {type(raw_title).__name__})")
            yield str(obj.get("id", name)), raw_title or "", obj.get("text", ""), None
        except ValueError as exc:
            yield name, "", "", f"line {number} is not a JSON object with 'text': {exc}"


def cmd_rescore(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.progress import progress
    from monitor.service import load_scorer, open_store

    store = open_store(settings)
    try:
        scorer, version = load_scorer(settings, store)
        total = changed = became = dropped = 0
        counts = store.count_items()
        size = counts["items"] + counts["duplicates"]
        with progress("rescoring", size) as advance:
            for item in store.items(include_duplicates=True):
                rel = scorer.score(item.title, item.text, item.language)
                total += 1
                if rel.relevant != item.relevance.relevant:
                    changed += 1
                    became += rel.relevant
                    dropped += not rel.relevant
                old = item.relevance
                if (rel.score, rel.relevant, rel.tags) != (old.score, old.relevant, old.tags):
                    store.update_relevance(item.id, rel, version)
                advance()
    finally:
        store.close()
    print(
        f"rescored {plural(total, 'item')}; {plural(changed, 'decision')} changed "
        f"({became} now relevant, {dropped} no longer relevant)"
    )
    return 0


def cmd_stats(settings: Settings, args: argparse.Namespace) -> int:
    """Counts; feed states are counted by the state ``feeds list`` shows, so the two agree."""
    from monitor.service import open_store

    store = open_store(settings)
    try:
        counts = store.count_items()
        feeds = store.feed_states()
    finally:
        store.close()
    by_state: dict[str, int] = {}
    for f in feeds:
        by_state[shown_state(f)] = by_state.get(shown_state(f), 0) + 1
    order = ["ok", "not-modified", "new", "error", "failing", "disabled"]
    states = ", ".join(
        f"{by_state[name]} {name}"
        for name in sorted(
            by_state, key=lambda n: (n not in order, order.index(n) if n in order else 0, n)
        )
    )
    print(
        f"{plural(counts['items'], 'item')} ({counts['relevant']} relevant), "
        f"{plural(counts['duplicates'], 'duplicate')}; {plural(len(feeds), 'feed')}"
        + (f": {states}" if states else "")
    )
    return 0


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "init": cmd_init,
    "poll": cmd_poll,
    "run": cmd_run,
    "feeds": cmd_feeds,
    "export": cmd_export,
    "digest": cmd_digest,
    "extract": cmd_extract,
    "score": cmd_score,
    "rescore": cmd_rescore,
    "stats": cmd_stats,
    "serve": cli_web.cmd_serve,
}


if __name__ == "__main__":
    sys.exit(main())
