"""Property: no argument and no config value ends in a traceback.

Whatever an operator types (on the command line, in monitor.toml, in the feed
list, in an environment variable), the CLI returns an exit status (0, 1 with
one line, 2 for usage) — it never raises.
"""

from __future__ import annotations

import contextlib
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.cli import main
from monitor.exceptions import ConfigError
from monitor.feedlist import load_feeds
from monitor.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[2]
KEYS = {name: sorted(field.annotation.model_fields) for name, field in Settings.model_fields.items()
        if hasattr(field.annotation, "model_fields")}  # fmt: skip

DURATIONS = st.sampled_from(["15m", "0s", "-1m", "1e14", "99999999999d", "1ms", "2h", "", "1 d"])
SCALARS = st.one_of(
    st.text(max_size=30),
    DURATIONS,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.sampled_from(["sqlite:///x.db", "mysql://u@h/d", "postgresql://nobody@127.0.0.1:1/x",
                     "sqlite:///", "sqlite:////nonexistent/dir/m.db", "10.0.0.0/8", "::1",
                     "DEBUG", "verbose", "xml", "json", ".", "..", "/", "relevance.toml"]),
)  # fmt: skip
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3))


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value == math.inf else
               "-inf" if value == -math.inf else repr(value))  # fmt: skip
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string (or invalid TOML: also an input)
    return str(value)


@st.composite
def configs(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    sections = draw(st.lists(st.sampled_from(sorted(KEYS)), max_size=3, unique=True))
    return {
        s: draw(st.dictionaries(st.sampled_from(KEYS[s]), VALUES, min_size=1, max_size=3))
        for s in sections
    }


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fuzz")
    (path / "feeds.toml").write_text('[[feed]]\nurl = "https://example.org/feed"\nname = "Ex"\n')
    (path / "monitor.toml").write_text(
        f"[database]\nurl = 'sqlite:///{path / 'm.db'}'\n[sources]\nseeds = '{REPO / 'seeds'}'\n"
    )
    assert main(["--config", str(path / "monitor.toml"), "init"]) == 0
    return path


def run(args: list[str]) -> int:
    try:
        return main(args)
    except SystemExit as exc:  # argparse: usage errors exit 2, --help 0
        assert exc.code in (0, 2), exc.code
        return int(exc.code or 0)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(config=configs(), command=st.sampled_from([["stats"], ["feeds", "list"], ["digest"]]))
def test_no_config_value_ends_in_a_traceback(
    folder: Path, config: dict[str, dict[str, Any]], command: list[str]
) -> None:
    base = {
        "database": {"url": f"sqlite:///{folder / 'm.db'}"},
        "sources": {"seeds": str(REPO / "seeds")},
    }
    for section, values in config.items():
        base.setdefault(section, {}).update(values)
    path = folder / "fuzz.toml"
    path.write_text("\n".join(
        f"[{s}]\n" + "\n".join(f"{k} = {toml_value(v)}" for k, v in kv.items())
        for s, kv in base.items()
    ) + "\n")  # fmt: skip
    assert run(["--config", str(path), *command]) in (0, 1)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    args=st.one_of(
        st.tuples(st.just("digest"), st.just("--since"), st.text(max_size=20)),
        st.tuples(st.just("digest"), st.just("--since"), DURATIONS),
        st.tuples(st.just("export"), st.just("--after"), st.text(max_size=30)),
        st.tuples(st.just("export"), st.just("--after"), st.integers(-1, 10**30).map(str)),
        st.tuples(st.just("digest"), st.just("--format"), st.text(max_size=8)),
        st.tuples(st.just("export"), st.just("-o"), st.sampled_from(["/", "/nonexistent/x", ""])),
        st.lists(st.text(max_size=12), max_size=4).map(tuple),
    )
)
def test_no_argument_ends_in_a_traceback(folder: Path, args: tuple[str, ...]) -> None:
    if "--help" in args or "-h" in args or "--version" in args:
        return
    assert run(["--config", str(folder / "monitor.toml"), *args]) in (0, 1, 2)


BAD_URLS = ["HTTP://x.org/f", "http:///feed", "http://exa mple.com/f", "https://[::1/f",
            "https://x.org:99999/f"]  # fmt: skip
FEED_VALUES = st.one_of(VALUES, st.sampled_from(BAD_URLS))


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entries=st.lists(
    st.dictionaries(st.sampled_from(["url", "name", "interval", "language", "enabled", "x"]),
                    FEED_VALUES, max_size=4), max_size=3))  # fmt: skip
def test_no_feed_list_entry_ends_in_a_traceback(
    folder: Path, entries: list[dict[str, Any]]
) -> None:
    feeds = folder / "fuzz-feeds.toml"
    feeds.write_text("\n".join(
        "[[feed]]\n" + "\n".join(f"{k} = {toml_value(v)}" for k, v in e.items()) for e in entries
    ) + "\n")  # fmt: skip
    config = folder / "fuzz-feeds-config.toml"
    config.write_text(f"[sources]\nfeeds = ['{feeds}']\nseeds = '{REPO / 'seeds'}'\n")
    with contextlib.suppress(ConfigError):  # a ConfigError is the one line; nothing else
        load_feeds(load_settings(config, {}))
