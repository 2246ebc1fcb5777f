"""Helpers for end-to-end tests: a config folder, the real CLI, the fixture site."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from httpd import FIXTURES, FixtureServer, Route
from monitor.cli import main

REPO = Path(__file__).resolve().parents[2]
SITE = FIXTURES / "site"


@dataclass
class Instance:
    """A config folder in tmp_path, and a way to run the real CLI against it."""

    config: Path
    db: Path
    capsys: pytest.CaptureFixture[str]

    def run(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main(["--config", str(self.config), *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def export(self, *args: str) -> list[dict[str, object]]:
        code, out, err = self.run("export", *args)
        assert code == 0, err
        return [json.loads(line) for line in out.splitlines()]


def write_config(folder: Path, feeds: list[tuple[str, str]], **sections: dict[str, object]) -> Path:
    """A monitor.toml + feeds.toml in ``folder``; ``sections`` override/extend the defaults."""
    folder.mkdir(parents=True, exist_ok=True)
    base: dict[str, dict[str, object]] = {
        "database": {"url": "sqlite:///monitor.db"},
        "sources": {"feeds": ["feeds.toml"], "seeds": str(REPO / "seeds")},
        "fetch": {
            "allow_private_networks": False,
            "allowed_networks": ["127.0.0.1/32"],
            "per_host_delay_s": 0,
            "per_host_concurrency": 4,
            "timeout_s": 5,
        },
        "extract": {"timeout_s": 20, "workers": 1},
        "relevance": {"lexicon": str(REPO / "config" / "relevance.toml")},
        "log": {"level": "WARNING"},
    }
    for name, values in sections.items():
        base.setdefault(name, {}).update(values)
    lines = []
    for name, values in base.items():
        lines.append(f"[{name}]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in values.items()]
    (folder / "monitor.toml").write_text("\n".join(lines) + "\n")
    feed_lines = [f'[[feed]]\nurl = "{url}"\nname = "{name}"\n' for name, url in feeds]
    (folder / "feeds.toml").write_text("\n".join(feed_lines))
    return folder / "monitor.toml"


def serve_site(server: FixtureServer) -> dict[str, str]:
    """The fixture site: two feeds and their pages (the Chaman page is missing: 404)."""
    for slug in ("waziristan-ibo", "torkham-reopens", "cricket-sharjah"):
        server.add(f"/news/{slug}", Route(body=(SITE / f"{slug}.html").read_bytes(), gzip=True))
    syndicated = (SITE / "waziristan-ibo-syndicated.html").read_bytes()
    server.add("/bt/waziristan-ibo-syndicated", Route(body=syndicated))
    rss = server.add(
        "/feeds/rss.xml",
        Route(
            body=(SITE / "rss.xml").read_bytes(),
            content_type="application/rss+xml",
            etag='"rss-v1"',
            gzip=True,
        ),
    )
    atom_body = (SITE / "atom.xml").read_text().replace("{BASE}", server.base).encode()
    atom = server.add(
        "/feeds/atom.xml",
        Route(
            body=atom_body,
            content_type="application/atom+xml",
            last_modified="Thu, 19 Nov 2026 10:00:00 GMT",
        ),
    )
    return {"rss": rss, "atom": atom}
