"""The ``monitor`` command line (SPEC section 2).

Exit status: 0 success; 1 a failure the user must act on (bad config,
unreachable database), printed as one line; 2 bad usage. A feed or article
that fails is reported and does not fail the command.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from monitor import __version__, cli_web
from monitor.exceptions import MonitorError
from monitor.logs import configure_logging
from monitor.records import decode_cursor, iso, item_record, relevance_record
from monitor.settings import Settings, config_path, load_settings, parse_duration


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="monitor",
        description="Source-monitoring ingestion for the TTP–Pakistan–Afghanistan conflict.",
    )
    parser.add_argument(
        "--config", help="config file (default: $MONITOR_CONFIG, else config/monitor.toml)"
    )
    parser.add_argument("--version", action="version", version=f"monitor {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("init", help="create or migrate the database and load the seed corpus")
    sub.add_parser("poll", help="one pass over every enabled feed now, then exit")
    run = sub.add_parser("run", help="the daemon: poll each feed when it is due, until stopped")
    run.add_argument("--max-ticks", type=int, help=argparse.SUPPRESS)
    feeds = sub.add_parser("feeds", help="feed commands")
    feeds_sub = feeds.add_subparsers(dest="feeds_command", required=True, metavar="SUBCOMMAND")
    flist = feeds_sub.add_parser("list", help="every feed with its state")
    flist.add_argument("--json", action="store_true", help="one JSON object per feed")
    cli_web.add_commands(sub, feeds_sub)
    export = sub.add_parser("export", help="stored items as JSON Lines")
    export.add_argument("--output", "-o", help="write to FILE instead of stdout")
    export.add_argument("--after", metavar="CURSOR", help="only items stored after this cursor")
    export.add_argument("--include-duplicates", action="store_true")
    export.add_argument("--relevant-only", action="store_true")
    digest = sub.add_parser("digest", help="a digest of items stored in a window")
    digest.add_argument("--since", help="window length, e.g. 24h (default: since the last digest)")
    digest.add_argument("--format", choices=["markdown", "html", "json"], default="markdown")
    digest.add_argument("--output", "-o", help="write to FILE instead of stdout")
    extract = sub.add_parser("extract", help="show what the extractor gets from pages")
    extract.add_argument("inputs", nargs="+", metavar="FILE_OR_URL")
    score = sub.add_parser("score", help="score texts (files, or JSON lines on stdin)")
    score.add_argument("files", nargs="*", metavar="FILE")
    sub.add_parser("rescore", help="re-score stored items after the lexicon or threshold changed")
    sub.add_parser("stats", help="counts of stored items")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(config_path(args.config))
        configure_logging(settings.log.level, settings.log.format)
        return COMMANDS[args.command](settings, args)
    except MonitorError as exc:
        print(f"monitor: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `monitor export | head`: the reader has what it wanted
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - no flush error at exit
        return 0


def _usage_error(message: str) -> int:
    print(f"monitor: usage error: {message}", file=sys.stderr)
    return 2


def cmd_init(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.service import initialise

    print(initialise(settings).line())
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
    with ExitStack() as stack:
        summary = _pipeline(settings, stack).poll(all_feeds=True)
    print(summary.line())  # each failed feed was logged on stderr with its reason
    return 0


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.daemon import run_daemon

    with ExitStack() as stack:
        run_daemon(_pipeline(settings, stack), settings.schedule.tick, max_ticks=args.max_ticks)
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
            print(json.dumps(_feed_json(s), ensure_ascii=False))
        return 0
    print(f"{'state':<13}{'fails':>5}  {'items':>5}  {'last success':<20}  {'next due':<20}  feed")
    for s in states:
        state = s.state if s.enabled else "disabled"
        print(
            f"{state:<13}{s.consecutive_failures:>5}  {s.items_stored:>5}  "
            f"{iso(s.last_success_at) or '-':<20}  {iso(s.next_fetch_at) or '-':<20}  "
            f"{s.name} <{s.url}>"
        )
        if s.last_error and s.state in ("error", "failing"):
            print(f"{'':<13}last error: {s.last_error}")
    return 0


def _feed_json(s: Any) -> dict[str, Any]:
    return {
        "url": s.url,
        "name": s.name,
        "enabled": s.enabled,
        "state": s.state,
        "last_success_at": iso(s.last_success_at),
        "last_error": s.last_error,
        "consecutive_failures": s.consecutive_failures,
        "next_fetch_at": iso(s.next_fetch_at),
        "items_stored": s.items_stored,
        "interval_s": s.current_interval_s,
    }


def _output(path: str | None, stack: ExitStack) -> IO[str]:
    if path is None:
        return sys.stdout
    return stack.enter_context(open(path, "w", encoding="utf-8"))


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.service import open_store

    try:
        after = decode_cursor(args.after) if args.after else 0
    except ValueError as exc:
        return _usage_error(f"--after: {exc}")
    with ExitStack() as stack:
        store = open_store(settings)
        stack.callback(store.close)
        out = _output(args.output, stack)
        for item in store.items(
            after_seq=after,
            include_duplicates=args.include_duplicates,
            relevant_only=args.relevant_only,
        ):
            out.write(json.dumps(item_record(item), ensure_ascii=False) + "\n")
    return 0


def cmd_digest(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.digest import RENDERERS, build_digest
    from monitor.service import open_store

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
        digest = build_digest(store.items(stored_since=start, stored_until=now), start, now)
        _output(args.output, stack).write(RENDERERS[args.format](digest))
        store.record_digest(start, now, digest.relevant_items, now)
    return 0


def cmd_extract(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.extract import extract_article

    for name, body, url, error in _read_inputs(settings, args.inputs):
        record: dict[str, Any] = {"input": name}
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
        print(json.dumps(record, ensure_ascii=False))
    return 0


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
    for name, title, text, error in _score_inputs(args.files):
        record: dict[str, Any] = {"input": name}
        if error is None:
            record["relevance"] = relevance_record(scorer.score(title, text))
        else:
            record["error"] = error
        print(json.dumps(record, ensure_ascii=False))
    return 0


def _score_inputs(files: list[str]) -> Iterator[tuple[str, str, str, str | None]]:
    if files:
        for name in files:
            try:
                text = Path(name).read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                yield name, "", "", f"cannot read {name}: {exc.strerror}"
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
            yield str(obj.get("id", name)), str(obj.get("title") or ""), obj.get("text", ""), None
        except ValueError as exc:
            yield name, "", "", f"line {number} is not a JSON object with 'text': {exc}"


def cmd_rescore(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.service import load_scorer, open_store

    store = open_store(settings)
    try:
        scorer, version = load_scorer(settings, store)
        total = changed = became = dropped = 0
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
    finally:
        store.close()
    print(
        f"rescored {total} items; {changed} decisions changed "
        f"({became} now relevant, {dropped} no longer relevant)"
    )
    return 0


def cmd_stats(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.service import open_store

    store = open_store(settings)
    try:
        counts = store.count_items()
        feeds = store.feed_states()
    finally:
        store.close()
    failing = sum(1 for f in feeds if f.state in ("error", "failing"))
    print(
        f"{counts['items']} items ({counts['relevant']} relevant), "
        f"{counts['duplicates']} duplicates; {len(feeds)} feeds, {failing} failing"
    )
    return 0


COMMANDS = {
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
