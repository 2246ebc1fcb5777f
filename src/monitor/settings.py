"""The configuration: one frozen ``Settings`` object, loaded once and passed in.

Sources, later ones winning: the TOML file, then environment variables
``MONITOR_<SECTION>__<KEY>``. Relative paths are resolved against the folder
of the config file. Unknown keys and invalid values raise ``ConfigError``
naming the key, because a typo that silently falls back to a default is the
worst kind of config bug.

Each stage owns one section class below; add fields there, with a default.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from monitor import __version__
from monitor.exceptions import ConfigError

DEFAULT_CONFIG = Path("config/monitor.toml")
ENV_PREFIX = "MONITOR_"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}


def parse_duration(value: object) -> float:
    """Seconds from ``"15m"``, ``"2h"``, ``"30s"``, ``"1d"`` or a bare number of seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as '15m'")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"{value!r} is not a duration such as '15m', '2h' or '30s'")
        seconds = float(match.group(1)) * _UNIT_S[match.group(2)]
    if seconds <= 0:
        raise ValueError("a duration must be positive")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSettings(Section):
    url: str = "sqlite:///../data/monitor.db"
    busy_timeout_s: float = Field(default=30.0, gt=0)


class SourcesSettings(Section):
    feeds: tuple[str, ...] = ("feeds.toml",)
    seeds: str = "../seeds"


class FetchSettings(Section):
    timeout_s: float = Field(default=20.0, gt=0)
    connect_timeout_s: float = Field(default=10.0, gt=0)
    max_bytes: int = Field(default=10_000_000, gt=0)
    allow_private_networks: bool = False
    # CIDRs exempted from the SSRF guard even when private networks are refused
    # (an intranet feed, or the loopback test server).
    allowed_networks: tuple[str, ...] = ()
    user_agent: str = f"monitor/{__version__} (+https://github.com/monitor-ttp/monitor)"
    max_concurrency: int = Field(default=16, ge=1)
    per_host_concurrency: int = Field(default=2, ge=1)
    per_host_delay_s: float = Field(default=0.5, ge=0)
    max_redirects: int = Field(default=5, ge=0)
    respect_robots: bool = True
    # How long a site's robots.txt is trusted before it is fetched again.
    robots_ttl_s: float = Field(default=24 * 3600.0, gt=0)


class ScheduleSettings(Section):
    interval: Duration = 900.0
    min_interval: Duration = 300.0
    max_interval: Duration = 6 * 3600.0
    tick: Duration = 30.0
    adaptive: bool = True
    failing_after: int = Field(default=5, ge=1)
    failing_retry: Duration = 24 * 3600.0


class ExtractSettings(Section):
    timeout_s: float = Field(default=30.0, gt=0)
    workers: int = Field(default=2, ge=1)
    max_tasks_per_worker: int = Field(default=500, ge=1)
    min_text_chars: int = Field(default=200, ge=0)


class DedupSettings(Section):
    """Near-duplicate thresholds; the defaults are justified in docs/dedup.md.

    Similarities are over word 3-gram shingles of the normalised text. A
    threshold ``*_short`` applies to texts of ``short_words`` words or fewer,
    the plain one from ``long_words`` on, and a straight line between: one
    shared sentence weighs more in a short text, so short texts must agree more.
    """

    enabled: bool = True
    # Below this many words only exact copies are recognised ("too short to tell").
    min_words: int = Field(default=40, ge=1)
    short_words: int = Field(default=150, ge=1)
    long_words: int = Field(default=400, ge=1)
    # Near-duplicate: Jaccard similarity of the two texts.
    jaccard: float = Field(default=0.5, gt=0, le=1)
    jaccard_short: float = Field(default=0.7, gt=0, le=1)
    # Contained: share of the new text found in a stored one (or of a stored one in the new).
    containment: float = Field(default=0.8, gt=0, le=1)
    containment_short: float = Field(default=0.9, gt=0, le=1)
    # A stored text contained in the new one counts only if it is this share of its size.
    contains_min_ratio: float = Field(default=0.5, gt=0, le=1)
    # Reject "same words, different facts" (another count, day or place). Off only to measure.
    check_facts: bool = True
    # Candidates from the LSH index given the exact comparison, best first.
    max_candidates: int = Field(default=8, ge=1)
    # Same story: published within this time of each other, sharing this many lede facts.
    story_window: Duration = 3 * 86400.0
    story_min_shared: int = Field(default=3, ge=1)
    story_min_vocabulary: float = Field(default=0.15, ge=0, le=1)
    # A write-up this similar (Jaccard or containment) with no conflicting fact is the same story.
    story_similarity: float = Field(default=0.4, gt=0, le=1)
    # A lede fact found in more stored items than this within the window is too common to count.
    story_max_postings: int = Field(default=200, ge=1)


class RelevanceSettings(Section):
    lexicon: str = "relevance.toml"
    threshold: float = Field(default=0.5, ge=0, le=1)


class LogSettings(Section):
    level: str = "INFO"
    format: str = "text"


class WebSettings(Section):
    """``monitor serve``: where to listen; a token is required off loopback (SPEC section 6)."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    auth_token: str | None = None


class Settings(Section):
    """The whole configuration; ``config_dir`` is where relative paths start."""

    config_dir: Path = Path(".")
    database: DatabaseSettings = DatabaseSettings()
    sources: SourcesSettings = SourcesSettings()
    fetch: FetchSettings = FetchSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    extract: ExtractSettings = ExtractSettings()
    dedup: DedupSettings = DedupSettings()
    relevance: RelevanceSettings = RelevanceSettings()
    log: LogSettings = LogSettings()
    web: WebSettings = WebSettings()

    def path(self, value: str) -> Path:
        """A path from the config, resolved against the config file's folder."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else (self.config_dir / p).resolve()

    @property
    def database_url(self) -> str:
        """The database URL, with a relative SQLite path resolved against config_dir."""
        url = self.database.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/"):
            rest = url[len(prefix) :]
            if rest and rest != ":memory:":
                return prefix + str(self.path(rest))
        return url


def config_path(cli_value: str | None, environ: Mapping[str, str] | None = None) -> Path:
    """The config file: ``--config``, else ``$MONITOR_CONFIG``, else ``config/monitor.toml``."""
    env = os.environ if environ is None else environ
    return Path(cli_value or env.get("MONITOR_CONFIG") or DEFAULT_CONFIG)


def load_settings(path: Path, environ: Mapping[str, str] | None = None) -> Settings:
    """Read, override from the environment and validate; raise ConfigError on any problem."""
    env = os.environ if environ is None else environ
    try:
        with path.open("rb") as fh:
            raw: dict[str, Any] = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    if "config_dir" in raw:
        raise ConfigError(f"{path}: unknown key 'config_dir'")
    _apply_env_overrides(raw, env)
    raw["config_dir"] = path.resolve().parent
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_first_error(exc)}") from None


def _apply_env_overrides(raw: dict[str, Any], env: Mapping[str, str]) -> None:
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name or name == "MONITOR_CONFIG":
            continue
        section, _, key = name[len(ENV_PREFIX) :].lower().partition("__")
        target = raw.setdefault(section, {})
        if not isinstance(target, dict):
            raise ConfigError(f"environment variable {name}: [{section}] is not a section")
        target[key] = _env_value(value)


def _env_value(value: str) -> Any:
    """An env value read as a TOML value when it is one (``20``, ``true``, ``["a"]``), else text."""
    try:
        return tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        return value


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"unknown key '{key}'"
    got = err.get("input")
    shown = "" if isinstance(got, dict) else f" (got {got!r})"
    return f"invalid value for '{key}': {err['msg']}{shown}"
