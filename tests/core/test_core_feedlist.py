"""Feed lists: TOML and OPML, merged; errors name the file and the feed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from monitor.exceptions import ConfigError
from monitor.feedlist import load_feeds
from monitor.settings import load_settings

OPML = """<?xml version="1.0"?>
<opml version="2.0"><head><title>Exported from a feed reader</title></head><body>
  <outline text="Pakistan">
    <outline text="Dawn" title="Dawn — Pakistan" type="rss" xmlUrl="https://www.dawn.com/feeds/pakistan"/>
    <outline text="Geo" type="rss" xmlUrl="https://www.geo.tv/rss/1/1"/>
    <outline text="Not a feed" htmlUrl="https://example.org/"/>
  </outline>
</body></opml>
"""


def settings_with(tmp_path: Path, toml_feeds: str, lists: list[str]) -> Path:
    (tmp_path / "feeds.toml").write_text(toml_feeds)
    (tmp_path / "reader.opml").write_text(OPML)
    config = tmp_path / "monitor.toml"
    config.write_text(f"[sources]\nfeeds = {lists!r}\n".replace("'", '"'))
    return config


def test_toml_and_opml_lists_are_merged_first_listing_wins(tmp_path: Path) -> None:
    toml = (
        '[[feed]]\nurl = "https://www.geo.tv/rss/1/1"\nname = "Geo News"\n'
        'interval = "10m"\nlanguage = "en"\n'
    )
    config = settings_with(tmp_path, toml, ["feeds.toml", "reader.opml"])
    feeds = load_feeds(load_settings(config, {}))
    assert [(f.name, f.url) for f in feeds] == [
        ("Geo News", "https://www.geo.tv/rss/1/1"),
        ("Dawn — Pakistan", "https://www.dawn.com/feeds/pakistan"),
    ]
    assert feeds[0].interval_s == 600 and feeds[0].language == "en"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[feed]]\nurl = "https://x.org/f"\nnmae = "X"\n', "feed #1: unknown key 'nmae'"),
        (
            '[[feed]]\nurl = "https://x.org/f"\ninterval = "soon"\n',
            "feed #1: invalid value for 'interval'",
        ),
        ('[[feed]]\nname = "no url"\n', "feed #1: 'url' is missing"),
        ('[[feed]]\nurl = "ftp://x.org/f"\n', "feed #1: 'url' must be an http(s) URL"),
        ('[[feed]]\nurl = "http:///feed"\n', "feed #1: 'url' is not a usable URL"),
        ('[[feed]]\nurl = "http://exa mple.com/feed"\n', "feed #1: 'url' must not contain spaces"),
        (
            '[[feed]]\nurl = "https://x.org/f"\ninterval = "1m"\n',
            "feed #1: interval 1m is outside the schedule's bounds 5m..6h",
        ),
        ("[feeds]\n", "unknown key 'feeds'"),
    ],
)
def test_feed_list_errors_name_the_file_and_feed(tmp_path: Path, toml: str, message: str) -> None:
    config = settings_with(tmp_path, toml, ["feeds.toml"])
    with pytest.raises(ConfigError) as err:
        load_feeds(load_settings(config, {}))
    assert message in str(err.value) and str(tmp_path / "feeds.toml") in str(err.value)


def test_a_broken_opml_file_is_one_clear_error(tmp_path: Path) -> None:
    config = settings_with(tmp_path, "", ["reader.opml"])
    (tmp_path / "reader.opml").write_text("<opml><body><outline")
    with pytest.raises(ConfigError, match="is not valid OPML"):
        load_feeds(load_settings(config, {}))


def test_a_valid_upper_case_scheme_is_accepted(tmp_path: Path) -> None:
    config = settings_with(tmp_path, '[[feed]]\nurl = "HTTP://Example.org/feed"\n', ["feeds.toml"])
    (feed,) = load_feeds(load_settings(config, {}))
    assert feed.url == "http://Example.org/feed"


@pytest.mark.parametrize(
    ("outline", "message"),
    [
        (
            '<outline text="Dawn" type="rss"/>',
            "outline #1 ('Dawn'): a feed outline without 'xmlUrl'",
        ),
        ('<outline text="Bad" xmlUrl="file:///etc/passwd"/>', "'xmlUrl' must be an http(s) URL"),
        ('<outline text="Empty" xmlUrl=""/>', "'xmlUrl' must be an http(s) URL"),
        ('<outline text="Nohost" xmlUrl="http:///feed"/>', "'xmlUrl' is not a usable URL"),
    ],
)
def test_an_opml_outline_without_a_usable_feed_url_is_an_error(
    tmp_path: Path, outline: str, message: str
) -> None:
    config = settings_with(tmp_path, "", ["reader.opml"])
    (tmp_path / "reader.opml").write_text(f"<opml><body>{outline}</body></opml>")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_feeds(load_settings(config, {}))


def test_a_leaf_outline_that_is_no_feed_is_named_on_stderr(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = settings_with(tmp_path, "", ["reader.opml"])
    feeds = load_feeds(load_settings(config, {}))
    assert len(feeds) == 2
    assert "outline #4 ('Not a feed'): not a feed (no xmlUrl), skipped" in caplog.text


def test_a_url_listed_twice_is_kept_once_and_said(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    toml = '[[feed]]\nurl = "https://www.geo.tv/rss/1/1"\nname = "Geo News"\n'
    config = settings_with(tmp_path, toml, ["feeds.toml", "reader.opml"])
    feeds = load_feeds(load_settings(config, {}))
    assert [f.name for f in feeds] == ["Geo News", "Dawn — Pakistan"]
    assert "https://www.geo.tv/rss/1/1 is listed again; keeping" in caplog.text
    assert "feeds.toml: feed #1" in caplog.text


@pytest.mark.parametrize("name", ["feeds.toml", "reader.opml"])
def test_a_feed_list_that_is_a_folder_is_one_clear_error(tmp_path: Path, name: str) -> None:
    config = settings_with(tmp_path, "", [f"lists/{name}"])
    (tmp_path / "lists" / name).mkdir(parents=True)
    with pytest.raises(ConfigError, match="is a folder, not a file"):
        load_feeds(load_settings(config, {}))
