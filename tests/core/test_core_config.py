"""Configuration: every problem exits 1 with one line that names it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from monitor.exceptions import ConfigError
from monitor.settings import load_settings

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=REPO,
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "monitor.toml"
    path.write_text(text)
    (tmp_path / "feeds.toml").write_text(
        '[[feed]]\nurl = "https://example.org/feed"\nname = "Ex"\n'
    )
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[fetch]\ntimeot_s = 5\n", "unknown key 'fetch.timeot_s'"),
        ("[fetch]\ntimeout_s = 'soon'\n", "invalid value for 'fetch.timeout_s'"),
        ("[schedule]\ninterval = '15 minutes'\n", "invalid value for 'schedule.interval'"),
        ("[relevance]\nthreshold = 1.5\n", "invalid value for 'relevance.threshold'"),
        ("[databse]\nurl = 'sqlite:///x.db'\n", "unknown key 'databse'"),
        ("[fetch\n", "is not valid TOML"),
    ],
)
def test_config_errors_exit_1_with_one_line_naming_the_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    result = run_cli("--config", str(write(tmp_path, text)), "feeds", "list")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]


def test_missing_config_file(tmp_path: Path) -> None:
    result = run_cli("--config", str(tmp_path / "nope.toml"), "poll")
    assert result.returncode == 1
    assert (
        result.stderr.strip() == f"monitor: error: config file not found: {tmp_path / 'nope.toml'}"
    )


def test_unreachable_database_exits_1_with_one_line(tmp_path: Path) -> None:
    cfg = write(tmp_path, "[database]\nurl = 'postgresql+psycopg://nobody@127.0.0.1:1/none'\n")
    result = run_cli("--config", str(cfg), "export")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the database" in lines[0]


def test_database_without_schema_says_run_init(tmp_path: Path) -> None:
    cfg = write(tmp_path, "[database]\nurl = 'sqlite:///empty.db'\n")
    result = run_cli("--config", str(cfg), "export")
    assert result.returncode == 1
    assert "run 'monitor init' first" in result.stderr


def test_bad_feed_list_names_the_feed(tmp_path: Path) -> None:
    cfg = write(tmp_path, "")
    (tmp_path / "feeds.toml").write_text('[[feed]]\nurl = "ftp://x"\nname = "X"\n')
    result = run_cli("--config", str(cfg), "init")
    assert result.returncode == 1
    assert "feed #1: 'url' must be an http(s) URL" in result.stderr


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    assert run_cli("frobnicate").returncode == 2
    seeds = REPO / "seeds"
    cfg = write(tmp_path, f"[database]\nurl = 'sqlite:///x.db'\n[sources]\nseeds = '{seeds}'\n")
    assert run_cli("--config", str(cfg), "init").returncode == 0
    result = run_cli("--config", str(cfg), "export", "--after", "yesterday")
    assert result.returncode == 2 and "--after" in result.stderr


def test_environment_overrides_and_relative_paths(tmp_path: Path) -> None:
    cfg = write(tmp_path, "[database]\nurl = 'sqlite:///data/m.db'\n[fetch]\ntimeout_s = 5\n")
    env = {"MONITOR_FETCH__TIMEOUT_S": "7", "MONITOR_FETCH__ALLOW_PRIVATE_NETWORKS": "true"}
    settings = load_settings(cfg, env)
    assert settings.fetch.timeout_s == 7 and settings.fetch.allow_private_networks is True
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'm.db'}"
    with pytest.raises(ConfigError, match=r"unknown key 'fetch\.nope'"):
        load_settings(cfg, {"MONITOR_FETCH__NOPE": "1"})
