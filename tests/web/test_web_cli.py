"""``monitor feeds add|remove|enable|disable|import|export`` and ``serve``'s bind check."""

from __future__ import annotations

from pathlib import Path

import pytest
from pipeline_support import write_config

from httpd import FixtureServer, Route
from monitor.cli import main

FEED = (Path(__file__).parents[1] / "fixtures" / "web" / "urdu-rss.xml").read_bytes()


def test_feed_commands(
    server: FixtureServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(write_config(tmp_path / "c", []))
    server.add("/f.xml", Route(body=FEED, content_type="application/rss+xml"))
    link = b'<link rel="alternate" type="application/atom+xml" href="/f.xml">'
    server.add("/site", Route(body=b"<html><head>" + link + b"</head></html>"))

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--config", config, *args])
        out, err = capsys.readouterr()
        return code, out, err

    assert run("init")[0] == 0
    code, out, _ = run("feeds", "add", server.base + "/site", "--name", "Sarhad")
    assert code == 0 and out.startswith("added feed 1: Sarhad <" + server.base + "/f.xml>")
    code, _, err = run("feeds", "add", server.base + "/f.xml")
    assert code == 1 and "already stored" in err
    code, _, err = run("feeds", "add", "ftp://x.example/")
    assert code == 1 and err.strip() == "monitor: error: not an http(s) URL: 'ftp://x.example/'"
    assert run("init")[0] == 0  # a user feed survives init
    assert run("feeds", "disable", "1")[1] == "feed 1: disabled\n"
    assert run("init")[0] == 0
    assert "disabled" in run("feeds", "list")[1]
    code, opml, _ = run("feeds", "export")
    assert code == 0 and f'xmlUrl="{server.base}/f.xml"' in opml and 'title="Sarhad"' in opml
    assert run("feeds", "remove", "1")[1] == "feed 1: removed\n"
    (tmp_path / "f.opml").write_text(opml)
    assert run("feeds", "import", str(tmp_path / "f.opml"))[1].startswith("imported 1 new feeds")
    assert run("feeds", "import", str(tmp_path / "f.opml"))[1].startswith("imported 0 new feeds")
    (tmp_path / "bad.opml").write_text("<opml")
    code, _, err = run("feeds", "import", str(tmp_path / "bad.opml"))
    assert code == 1 and "not valid OPML" in err
    code, _, err = run("feeds", "enable", "nope")
    assert code == 1 and "no feed 'nope'" in err


def test_serve_refuses_public_bind_without_token(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(write_config(tmp_path / "c", []))
    assert main(["--config", config, "serve", "--host", "0.0.0.0", "--port", "1"]) == 1
    err = capsys.readouterr().err
    assert "refusing to serve on 0.0.0.0 without a token" in err and "auth_token" in err
