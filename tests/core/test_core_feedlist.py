"""Feed lists: TOML and OPML, merged; errors name the file and the feed."""

from __future__ import annotations

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
    <outline text="Bad scheme" xmlUrl="file:///etc/passwd"/>
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
        ('[[feed]]\nname = "no url"\n', "feed #1: 'url' must be an http(s) URL"),
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
