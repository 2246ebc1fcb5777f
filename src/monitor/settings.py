"""The configuration: one frozen ``Settings`` object, loaded once and passed in.

Sources, later ones winning: the TOML file, then environment variables
``MONITOR_<SECTION>__<KEY>``. Relative paths are resolved against the folder
of the config file. Unknown keys and invalid values raise ``ConfigError``
naming the key, because a typo that silently falls back to a default is the
worst kind of config bug.

Which file: ``--config``, else ``$MONITOR_CONFIG``, else ``config/monitor.toml`` in
the current folder, else ``$XDG_CONFIG_HOME/monitor/monitor.toml`` (``~/.config``),
else the built-in defaults (data in ``$XDG_DATA_HOME/monitor``): the lookup of
git, pip and ruff, so ``monitor score`` works anywhere.

Every value has bounds: a number that no deployment could mean (a million
extraction workers, a tick of three million years) is refused at load, with
the key, instead of failing later with a traceback.

Each stage owns one section class below; add fields there, with a default.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from monitor import __version__
from monitor.exceptions import ConfigError

DEFAULT_CONFIG = Path("config/monitor.toml")
DEFAULT_LEXICON = "relevance.toml"
PACKAGED_LEXICON = Path(__file__).resolve().parent / "defaults" / DEFAULT_LEXICON
ENV_PREFIX = "MONITOR_"
_DURATION = re.compile(r"^\s*(\d{1,12}(?:\.\d{1,9})?)\s*(ms|s|m|h|d)?\s*$")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}
# Ten years: longer than any window or interval anyone means, short enough for datetime.
MAX_DURATION_S = 10 * 366 * 86400.0
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# postgresql:// alone would pick psycopg2, which is not installed: it means psycopg here.
_DATABASE_SCHEMES = {"sqlite": "sqlite", "postgresql+psycopg": "postgresql+psycopg"}
_DATABASE_ALIASES = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}


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
    if seconds != seconds or seconds <= 0:  # NaN or not positive
        raise ValueError("a duration must be positive")
    if seconds > MAX_DURATION_S:
        raise ValueError(f"{value!r} is longer than ten years")
    return seconds


def format_duration(seconds: float) -> str:
    """``300.0`` → ``"5m"``: durations in messages as the config spells them."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _one_line(value: str) -> str:
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise ValueError("must be one line without control characters")
    return value


NonBlank = Annotated[str, AfterValidator(_non_blank)]


Duration = Annotated[float, BeforeValidator(parse_duration)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class DatabaseSettings(Section):
    url: str = "sqlite:///../data/monitor.db"
    busy_timeout_s: float = Field(default=30.0, gt=0, le=3600)
    # The one folder ``monitor init`` may create for the SQLite file (and below it);
    # a database path anywhere else must already have its folder.
    data_dir: NonBlank = "../data"

    @field_validator("url")
    @classmethod
    def _supported_scheme(cls, url: str) -> str:
        scheme, sep, rest = url.partition("://")
        scheme = scheme.lower()
        scheme = _DATABASE_ALIASES.get(scheme, scheme)
        if not sep or scheme not in _DATABASE_SCHEMES:
            raise ValueError(
                f"unsupported database {scheme or url!r}: "
                "use sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
            )
        return f"{scheme}://{rest}"


class SourcesSettings(Section):
    feeds: tuple[NonBlank, ...] = ("feeds.toml",)
    seeds: NonBlank = "../seeds"


def _network(value: str) -> str:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValueError(f"{value!r} is not a network such as 10.0.0.0/8 or 127.0.0.1") from None
    return value


class FetchSettings(Section):
    timeout_s: float = Field(default=20.0, gt=0, le=3600)
    connect_timeout_s: float = Field(default=10.0, gt=0, le=3600)
    max_bytes: int = Field(default=10_000_000, gt=0, le=2**31)
    allow_private_networks: bool = False
    # CIDRs exempted from the SSRF guard even when private networks are refused
    # (an intranet feed, or the loopback test server).
    allowed_networks: tuple[Annotated[str, AfterValidator(_network)], ...] = ()
    user_agent: Annotated[str, AfterValidator(_non_blank), AfterValidator(_one_line)] = (
        f"monitor/{__version__} (+https://github.com/monitor-ttp/monitor)"
    )
    max_concurrency: int = Field(default=16, ge=1, le=1000)
    per_host_concurrency: int = Field(default=2, ge=1, le=100)
    per_host_delay_s: float = Field(default=0.5, ge=0, le=3600)
    max_redirects: int = Field(default=5, ge=0, le=100)
    respect_robots: bool = True
    # How long a site's robots.txt is trusted before it is fetched again.
    robots_ttl_s: float = Field(default=24 * 3600.0, gt=0, le=MAX_DURATION_S)


class ScheduleSettings(Section):
    interval: Duration = 900.0
    min_interval: Duration = 300.0
    max_interval: Duration = 6 * 3600.0
    # At least a second (the daemon would spin), at most a day (it would seem dead).
    tick: Annotated[Duration, Field(ge=1, le=86400)] = 30.0
    adaptive: bool = True
    failing_after: int = Field(default=5, ge=1, le=1000)
    failing_retry: Duration = 24 * 3600.0

    @model_validator(mode="after")
    def _ordered(self) -> ScheduleSettings:
        if self.min_interval > self.max_interval:
            raise ValueError(
                f"min_interval ({format_duration(self.min_interval)}) is above "
                f"max_interval ({format_duration(self.max_interval)})"
            )
        if not self.min_interval <= self.interval <= self.max_interval:
            raise ValueError(
                f"interval ({format_duration(self.interval)}) is outside min_interval.."
                f"max_interval ({format_duration(self.min_interval)}.."
                f"{format_duration(self.max_interval)})"
            )
        return self


class ExtractSettings(Section):
    timeout_s: float = Field(default=30.0, gt=0, le=3600)
    # Each worker is a process holding trafilatura (~100 MB): a few per core.
    workers: int = Field(default=2, ge=1, le=64)
    max_tasks_per_worker: int = Field(default=500, ge=1, le=1_000_000)
    min_text_chars: int = Field(default=200, ge=0, le=1_000_000)


class DedupSettings(Section):
    """Near-duplicate thresholds; the defaults are justified in docs/dedup.md.

    Similarities are over word 3-gram shingles of the normalised text. A
    threshold ``*_short`` applies to texts of ``short_words`` words or fewer,
    the plain one from ``long_words`` on, and a straight line between: one
    shared sentence weighs more in a short text, so short texts must agree more.
    """

    enabled: bool = True
    # Below this many words only exact copies are recognised ("too short to tell").
    min_words: int = Field(default=40, ge=1, le=100_000)
    short_words: int = Field(default=150, ge=1, le=100_000)
    long_words: int = Field(default=400, ge=1, le=100_000)
    # Near-duplicate: Jaccard similarity of the two texts.
    jaccard: float = Field(default=0.5, gt=0, le=1)
    jaccard_short: float = Field(default=0.7, gt=0, le=1)
    # Contained: share of the new text found in a stored one (or of a stored one in the new).
    containment: float = Field(default=0.8, gt=0, le=1)
    containment_short: float = Field(default=0.9, gt=0, le=1)
    # A stored text contained in the new one counts only if it is this share of its size.
    contains_min_ratio: float = Field(default=0.5, gt=0, le=1)
    # A near-duplicate (similarity under duplicate_window_similarity) dated further than
    # this from the stored text is a later event in the same formula, not a copy.
    duplicate_window: Duration = 7 * 86400.0
    duplicate_window_similarity: float = Field(default=0.8, gt=0, le=1)
    # A re-edited or differently cut copy: this close (Jaccard or containment) but under the
    # thresholds above, no conflicting fact, and at least this share of the facts of the
    # text with fewer facts found in the other (and at least reedit_min_facts of them).
    reedit_similarity: float = Field(default=0.72, gt=0, le=1)
    reedit_fact_share: float = Field(default=0.8, gt=0, le=1)
    reedit_min_facts: int = Field(default=4, ge=1)
    # Reject "same words, different facts" (another count, day or place). Off only to measure.
    check_facts: bool = True
    # Candidates from the LSH index given the exact comparison, best first.
    max_candidates: int = Field(default=8, ge=1, le=1000)
    # Same story: published within this time of each other, sharing this many lede facts.
    story_window: Duration = 3 * 86400.0
    story_min_shared: int = Field(default=3, ge=1, le=1000)
    story_min_vocabulary: float = Field(default=0.15, ge=0, le=1)
    # A write-up this similar (Jaccard or containment) with no conflicting fact is the same story.
    story_similarity: float = Field(default=0.4, gt=0, le=1)
    # Names in nearly every report of the beat (the military's press-release boilerplate, the
    # parties): never evidence of one event. The store's posting limit below drops such
    # terms too, but only once the window holds enough items.
    story_generic_terms: tuple[str, ...] = (
        "ispr", "inter", "services", "public", "relations", "ibo", "khwarij", "khawarij",
        "fitna", "ttp", "tehreek", "tehrik", "taliban", "pakistan", "pakistani", "afghanistan",
        "afghan", "khyber", "pakhtunkhwa", "kp", "rawalpindi", "islamabad", "security", "north",
        "waziristan", "وزیرستان",
        "south", "آئی", "ایس", "پی", "آر", "خوارج", "آپریشن", "سکیورٹی", "سیکیورٹی", "فورسز",
        "پاکستان", "افغانستان", "طالبان", "حکام", "پولیس", "دہشت", "گرد", "گردوں", "اگر", "طرف",
        "علاقوں", "علاقے", "شمالی", "جنوبی", "خیبر", "پختونخوا", "صوبہ", "صوبے", "ضلع", "ہلاک",
        "افراد", "زخمی", "حملے", "حملہ", "دھماکے", "دھماکہ", "شہر", "دارالحکومت", "اہلکاروں",
        "اہلکار", "سمیت", "زائد", "مطابق", "بتایا", "واقعہ", "واقعے",
    )  # fmt: skip
    story_generic_weight: float = Field(default=0.5, ge=0, le=1)
    # A lede fact found in more stored items than this within the window is too common to count.
    story_max_postings: int = Field(default=200, ge=1, le=1_000_000)


class RelevanceSettings(Section):
    # Default: config/relevance.toml beside the config, else the copy packaged with monitor.
    lexicon: NonBlank = DEFAULT_LEXICON
    threshold: float = Field(default=0.5, ge=0, le=1)
    # The fitted model (`monitor train` writes it), the gazetteer and the tag rules.
    model: str = "relevance-model.json"
    gazetteer: str = "gazetteer.toml"
    tags: str = "tags.toml"
    # Shipped labelled JSON Lines `monitor train` learns from (their `test` split never).
    training: list[str] = ["../../shared/corpus/news-dev/items.jsonl"]


def _log_level(value: object) -> str:
    level = str(value).strip().upper() if isinstance(value, str) else value
    if level not in LOG_LEVELS:
        raise ValueError(f"{value!r} is not a log level: use one of {', '.join(LOG_LEVELS)}")
    return str(level)


class LogSettings(Section):
    level: Annotated[str, BeforeValidator(_log_level)] = "INFO"
    format: Literal["text", "json"] = "text"


WebhookEvent = Literal["item.new", "item.relevant", "item.triaged"]
_DAILY = re.compile(r"^daily ([01]\d|2[0-3]):([0-5]\d)$")


class WebhookSettings(Section):
    """One ``[[webhook]]`` endpoint (SPEC section 8). The secret is a Standard Webhooks
    secret (``whsec_`` + base64), given inline or, better, named by ``secret_env``."""

    url: str
    secret: str | None = None
    secret_env: str | None = None
    events: tuple[WebhookEvent, ...] = Field(default=("item.relevant",), min_length=1)
    min_score: float | None = Field(default=None, ge=0, le=1)
    tags: tuple[str, ...] = ()

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or len(value) < 10:
            raise ValueError("must be an http:// or https:// URL")
        return value

    @model_validator(mode="after")
    def _one_secret(self) -> WebhookSettings:
        if (self.secret is None) == (self.secret_env is None):
            raise ValueError("give exactly one of 'secret' and 'secret_env'")
        return self

    def resolved_secret(self, environ: Mapping[str, str] | None = None) -> str:
        """The signing secret; ConfigError naming the key when its variable is unset."""
        if self.secret is not None:
            return self.secret
        env = os.environ if environ is None else environ
        value = env.get(self.secret_env or "")
        if not value:
            raise ConfigError(
                f"webhook {self.url}: 'secret_env' names {self.secret_env}, which is not set"
            )
        return value


class WebhookDeliverySettings(Section):
    """How the outbox is worked off: backoff ``base * 2**attempt`` (capped, with jitter),
    given up ``retry_for`` after the event (SPEC: at least 24 h)."""

    tick: Duration = 5.0
    timeout_s: float = Field(default=10.0, gt=0)
    backoff_base: Duration = 5.0
    backoff_max: Duration = 3600.0
    retry_for: Duration = 3 * 86400.0
    batch: int = Field(default=50, ge=1)


class EmailSettings(Section):
    """``[email]``: the digest by SMTP on a schedule such as ``"daily 07:00"`` in ``timezone``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    smtp_host: str
    smtp_port: int = Field(default=587, ge=1, le=65535)
    starttls: bool = True
    username: str | None = None
    password_env: str | None = None
    from_: str = Field(alias="from", min_length=3)
    to: tuple[str, ...] = Field(min_length=1)
    schedule: str = "daily 07:00"
    timezone: str = "UTC"
    timeout_s: float = Field(default=30.0, gt=0)
    # A failed send is retried with backoff until this long after it was due.
    retry_for: Duration = 12 * 3600.0
    retry_base: Duration = 60.0

    @field_validator("schedule")
    @classmethod
    def _daily(cls, value: str) -> str:
        if not _DAILY.match(value.strip()):
            raise ValueError("expected 'daily HH:MM', such as 'daily 07:00'")
        return value.strip()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not an IANA time zone such as 'Asia/Karachi'") from None
        return value

    @property
    def send_time(self) -> tuple[int, int]:
        """(hour, minute) of the daily send, in ``timezone``."""
        match = _DAILY.match(self.schedule)
        assert match is not None  # validated above
        return int(match.group(1)), int(match.group(2))


class WorkerSettings(Section):
    """``monitor worker`` on the task engine (procrastinate; see docs/scaling.md)."""

    # feed jobs one worker process runs at once (each feed's articles run concurrently)
    concurrency: int = Field(default=2, ge=1)
    # the schedule task: every this many seconds (a divisor of 60), recover the jobs of
    # dead workers and queue the feeds that are due
    tick_s: int = Field(default=10, ge=1, le=30)
    enqueue_batch: int = Field(default=5000, ge=1)
    heartbeat_s: float = Field(default=10.0, gt=0)
    # a worker silent this long is dead: its jobs are run again by another
    stalled_after_s: float = Field(default=30.0, gt=0)
    # a feed job that raised (the database was gone) is tried this many times in all
    job_attempts: int = Field(default=5, ge=1)

    @field_validator("tick_s")
    @classmethod
    def _divides_a_minute(cls, value: int) -> int:
        if 60 % value:
            raise ValueError("must divide 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20 or 30)")
        return value


class WebSettings(Section):
    """``monitor serve``: where to listen; a token is required off loopback (SPEC section 6)."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    auth_token: str | None = None


class Settings(Section):
    """The whole configuration; ``config_dir`` is where relative paths start.

    ``config_file`` is the file it was read from, or None for the built-in defaults.
    """

    config_dir: Path = Path(".")
    config_file: Path | None = None
    database: DatabaseSettings = DatabaseSettings()
    sources: SourcesSettings = SourcesSettings()
    fetch: FetchSettings = FetchSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    extract: ExtractSettings = ExtractSettings()
    dedup: DedupSettings = DedupSettings()
    relevance: RelevanceSettings = RelevanceSettings()
    log: LogSettings = LogSettings()
    # SPEC section 8 (monitor.notify): [[webhook]] endpoints, how they are retried, [email].
    webhook: tuple[WebhookSettings, ...] = ()
    webhook_delivery: WebhookDeliverySettings = WebhookDeliverySettings()
    email: EmailSettings | None = None
    worker: WorkerSettings = WorkerSettings()
    web: WebSettings = WebSettings()

    @model_validator(mode="after")
    def _seeds_are_not_the_config(self) -> Settings:
        # `seeds = "."` (or "") would make `monitor init` treat the config folder as the
        # seed corpus and drop every stored seed.
        if self.path(self.sources.seeds) == self.config_dir.resolve():
            raise ValueError("sources.seeds points at the config folder itself")
        return self

    def path(self, value: str) -> Path:
        """A path from the config, resolved against the config file's folder."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else (self.config_dir / p).resolve()

    @property
    def lexicon_path(self) -> Path:
        """The lexicon file; the packaged copy when the default one is not beside the config."""
        configured = self.path(self.relevance.lexicon)
        if self.relevance.lexicon == DEFAULT_LEXICON and not configured.exists():
            return PACKAGED_LEXICON
        return configured

    @property
    def data_dir(self) -> Path:
        return self.path(self.database.data_dir)

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite database file, or None for PostgreSQL (and an in-memory SQLite)."""
        url = self.database_url
        prefix = "sqlite:///"
        if not url.startswith(prefix):
            return None
        rest = url[len(prefix) :].partition("?")[0]
        return Path(rest) if rest and rest != ":memory:" else None

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


def user_config_dir(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "monitor"


def user_data_dir(environ: Mapping[str, str]) -> Path:
    base = environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "monitor"


def config_path(
    cli_value: str | None, environ: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Path | None:
    """The config file to read, or None for the built-in defaults.

    ``--config``, else ``$MONITOR_CONFIG``, else ``config/monitor.toml`` in the current
    folder, else ``monitor/monitor.toml`` in the user's config folder. A file named
    explicitly must exist (``load_settings`` says so); the others are only looked for.
    """
    env = os.environ if environ is None else environ
    explicit = cli_value or env.get("MONITOR_CONFIG")
    if explicit:
        return Path(explicit)
    for candidate in ((cwd or Path.cwd()) / DEFAULT_CONFIG, user_config_dir(env) / "monitor.toml"):
        if candidate.is_file():
            return candidate
    return None


def builtin_defaults(environ: Mapping[str, str]) -> dict[str, Any]:
    """The configuration without a file: data in the user's data folder."""
    data = user_data_dir(environ)
    return {
        "database": {"url": f"sqlite:///{data / 'monitor.db'}", "data_dir": str(data)},
        "sources": {"seeds": str(data / "seeds")},
    }


def load_settings(path: Path | None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read, override from the environment and validate; raise ConfigError on any problem."""
    env = os.environ if environ is None else environ
    if path is None:
        raw, where, config_dir = builtin_defaults(env), "built-in defaults", user_config_dir(env)
    else:
        raw, where, config_dir = _read_config(path), str(path), path.resolve().parent
    if "config_dir" in raw or "config_file" in raw:
        raise ConfigError(
            f"{where}: unknown key '{'config_dir' if 'config_dir' in raw else 'config_file'}'"
        )
    origins = _apply_env_overrides(raw, env)
    raw["config_dir"] = config_dir
    raw["config_file"] = path.resolve() if path is not None else None
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        variable = _env_origin(err["loc"], origins)
        blame = f"environment variable {variable}" if variable else where
        raise ConfigError(f"{blame}: {_describe(err)}") from None


def _read_config(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None


def _apply_env_overrides(raw: dict[str, Any], env: Mapping[str, str]) -> dict[tuple[str, ...], str]:
    """Apply ``MONITOR_<SECTION>__<KEY>``; returns which variable set which (section, key)."""
    origins: dict[tuple[str, ...], str] = {}
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name or name == "MONITOR_CONFIG":
            continue
        section, _, key = name[len(ENV_PREFIX) :].lower().partition("__")
        if section not in raw:
            origins[(section,)] = name
        target = raw.setdefault(section, {})
        if not isinstance(target, dict):
            raise ConfigError(f"environment variable {name}: [{section}] is not a section")
        target[key] = _env_value(value)
        origins[(section, key)] = name
    return origins


def _env_origin(loc: tuple[int | str, ...], origins: dict[tuple[str, ...], str]) -> str | None:
    path = tuple(str(p) for p in loc)
    return origins.get(path[:2]) or origins.get(path[:1])


def _env_value(value: str) -> Any:
    """An env value read as a TOML value when it is one (``20``, ``true``, ``["a"]``), else text."""
    try:
        return tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        return value


def _describe(err: Any) -> str:
    key = ".".join(str(p) for p in err["loc"])
    if err["type"] == "extra_forbidden":
        return f"unknown key '{key}'"
    got = err.get("input")
    shown = "" if isinstance(got, dict) else f" (got {_shown(got)})"
    message = str(err["msg"]).removeprefix("Value error, ")
    if not key:  # a check across keys (the settings as a whole)
        return f"invalid configuration: {message}"
    return f"invalid value for '{key}': {message}{shown}"


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
