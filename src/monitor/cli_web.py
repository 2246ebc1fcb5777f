"""``monitor serve`` and ``monitor feeds add|remove|enable|disable|import|export``.

Registered from ``monitor.cli``; same conventions (exit 1 with one line on a
failure the user must act on, 2 on bad usage, only the command's output on stdout).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.exceptions import ConfigError
from monitor.settings import Settings


def add_commands(sub: Any, feeds_sub: Any) -> None:
    serve = sub.add_parser("serve", help="the workbench: review pages and JSON API")
    serve.add_argument("--host", help="address to bind (default: web.host, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: web.port, 8080)")
    add = feeds_sub.add_parser("add", help="add a feed by its URL or a site URL (discovery)")
    add.add_argument("url")
    add.add_argument("--name", help="display name (default: the feed's title)")
    for name, what in (("remove", "remove"), ("enable", "enable"), ("disable", "disable")):
        p = feeds_sub.add_parser(name, help=f"{what} a feed (by id or URL)")
        p.add_argument("feed", metavar="ID_OR_URL")
    imp = feeds_sub.add_parser("import", help="add the feeds of an OPML file")
    imp.add_argument("file", metavar="FILE.opml")
    exp = feeds_sub.add_parser("export", help="every feed as OPML")
    exp.add_argument("--output", "-o", help="write to FILE instead of stdout")


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from monitor.service import open_store
    from monitor.web import create_app
    from monitor.web.security import is_loopback

    host = args.host or settings.web.host
    port = args.port or settings.web.port
    if not is_loopback(host) and not settings.web.auth_token:
        raise ConfigError(
            f"refusing to serve on {host} without a token: set web.auth_token "
            "(or MONITOR_WEB__AUTH_TOKEN), or bind to 127.0.0.1"
        )
    store = open_store(settings)
    try:
        print(f"monitor workbench on http://{host}:{port}/", file=sys.stderr)
        uvicorn.run(create_app(settings, store), host=host, port=port, log_level="warning")
    finally:
        store.close()
    return 0


def cmd_feeds_manage(settings: Settings, args: argparse.Namespace) -> int:
    from monitor.feed_admin import FeedAddError, discover_feed, read_opml, write_opml
    from monitor.service import open_store
    from monitor.store.queries import FeedExists

    store = open_store(settings)
    now = datetime.now(UTC)
    try:
        command = args.feeds_command
        if command == "add":
            try:
                found = discover_feed(settings.fetch, args.url)
                feed_id = store.add_user_feed(found.url, args.name or found.title, now)
            except FeedExists as exc:
                print(f"monitor: error: {exc}", file=sys.stderr)
                return 1
            print(f"added feed {feed_id}: {args.name or found.title} <{found.url}>")
        elif command in ("remove", "enable", "disable"):
            feed_id = _feed_id(store, args.feed)
            if command == "remove":
                print(f"feed {feed_id}: {store.remove_feed(feed_id)}")
            else:
                store.update_feed(feed_id, enabled=command == "enable")
                print(f"feed {feed_id}: {command}d")
        elif command == "import":
            try:
                data = Path(args.file).read_bytes()
            except OSError as exc:
                raise ConfigError(f"cannot read {args.file}: {exc.strerror}") from None
            added = 0
            for feed in read_opml(data):
                try:
                    store.add_user_feed(feed.url, feed.title, now)
                    added += 1
                except FeedExists:
                    continue
            print(f"imported {added} new feeds from {args.file}")
        elif command == "export":
            body = write_opml(store.feed_states())
            if args.output:
                Path(args.output).write_text(body, encoding="utf-8")
            else:
                sys.stdout.write(body)
    except FeedAddError as exc:
        print(f"monitor: error: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0


def _feed_id(store: Any, value: str) -> int:
    for s in store.feed_states():
        if str(s.id) == value or s.url == value:
            return int(s.id)
    raise ConfigError(f"no feed {value!r} (give its id or URL, see 'monitor feeds list')")
