"""The command line: one line and the right exit status for every mistake, stdout clean.

Runs the real CLI (in-process, and as a subprocess where the process matters)
against configs in tmp_path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.settings import config_path, load_settings

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"


def write_config(folder: Path, text: str = "", feeds: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "feeds.toml").write_text(
        feeds if feeds is not None else '[[feed]]\nurl = "https://example.org/feed"\nname = "Ex"\n'
    )
    config = folder / "monitor.toml"
    base = f"[database]\nurl = 'sqlite:///monitor.db'\n[sources]\nseeds = '{SEEDS}'\n"
    config.write_text(text if text.startswith("[database]") else base + text)
    return config


def run(
    capsys: pytest.CaptureFixture[str], config: Path | None, *args: str
) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([*(["--config", str(config)] if config else []), *args])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[log]\nlevel = ''\n", "invalid value for 'log.level'"),
        ("[log]\nlevel = 'verbose'\n", "'verbose' is not a log level"),
        ("[log]\nformat = 'xml'\n", "invalid value for 'log.format'"),
        ("[schedule]\ntick = 1e14\n", "invalid value for 'schedule.tick'"),
        (
            "[schedule]\nmin_interval = '10m'\nmax_interval = '5m'\ninterval = '7m'\n",
            "min_interval (10m) is above max_interval (5m)",
        ),
        ("[extract]\nworkers = 1000000\n", "invalid value for 'extract.workers'"),
        ("[fetch]\nallowed_networks = ['intranet']\n", "'intranet' is not a network"),
        ("[fetch]\ntimeout_s = inf\n", "invalid value for 'fetch.timeout_s'"),
        ('[fetch]\nuser_agent = "a\\r\\nX-Evil: 1"\n', "invalid value for 'fetch.user_agent'"),
    ],
)
def test_invalid_values_are_one_line_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    code, out, err = run(capsys, write_config(tmp_path, text), "stats")
    assert code == 1 and out == ""
    assert expected in one_line(err)


def test_an_unsupported_database_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, "[database]\nurl = 'mysql://u@db/monitor'\n")
    code, _, err = run(capsys, config, "init")
    assert code == 1
    assert "unsupported database 'mysql'" in one_line(err)


@pytest.mark.parametrize("seeds", ["", "  ", "."])
def test_seeds_must_not_be_the_config_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], seeds: str
) -> None:
    config = write_config(tmp_path)
    assert run(capsys, config, "init")[0] == 0
    config.write_text(f"[database]\nurl = 'sqlite:///monitor.db'\n[sources]\nseeds = '{seeds}'\n")
    code, _, err = run(capsys, config, "init")
    assert code == 1 and "sources.seeds" in one_line(err)
    config.write_text(f"[database]\nurl = 'sqlite:///monitor.db'\n[sources]\nseeds = '{SEEDS}'\n")
    code, out, _ = run(capsys, config, "init")
    assert "0 removed" in out  # the stored seeds were never dropped


def test_a_config_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    config.write_bytes("[log]\nlevel = 'INFO' # caf\u00e9\n".encode("latin-1"))
    code, _, err = run(capsys, config, "stats")
    assert code == 1 and "is not UTF-8 text" in one_line(err)


def test_a_mistyped_environment_variable_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONITOR_FETCH__TIMEOUTS", "5")
    code, _, err = run(capsys, write_config(tmp_path), "stats")
    line = one_line(err)
    assert code == 1
    assert "environment variable MONITOR_FETCH__TIMEOUTS: unknown key 'fetch.timeouts'" in line
    assert "monitor.toml" not in line


@pytest.mark.parametrize(
    "args",
    [
        ["digest", "--since", "99999999999d"],
        ["digest", "--since", "1e400s"],
        ["export", "--after", "99999999999999999999999"],
        ["export", "--after", "\u0661\u0662"],  # Arabic-Indic digits: isdigit() but no cursor
        ["digest", "--since", "1h", "--mark"],
    ],
)
def test_out_of_range_arguments_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    config = write_config(tmp_path)
    assert run(capsys, config, "init")[0] == 0
    with pytest.raises(SystemExit) as exit_:  # argparse's own usage errors exit 2 too
        code, _, _ = run(capsys, config, *args)
        raise SystemExit(code)
    assert exit_.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("command", ["digest", "export"])
def test_output_into_a_missing_folder_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    config = write_config(tmp_path)
    assert run(capsys, config, "init")[0] == 0
    target = tmp_path / "missing" / "out.txt"
    code, out, err = run(capsys, config, command, "-o", str(target))
    assert code == 1 and out == ""
    assert f"cannot write {target}: No such file or directory" in one_line(err)


@pytest.mark.parametrize(
    "args", [["stats"], ["export"], ["feeds", "list"], ["digest"], ["rescore"]]
)
def test_commands_that_read_never_create_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    config = write_config(tmp_path)
    code, out, err = run(capsys, config, *args)
    assert code == 1 and out == ""
    assert one_line(err) == (
        f"monitor: error: no database at {tmp_path / 'monitor.db'}: run 'monitor init' first"
    )
    assert not (tmp_path / "monitor.db").exists()


def test_init_creates_folders_only_in_the_data_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "nonexistent" / "dir"
    config = write_config(
        tmp_path / "cfg",
        f"[database]\nurl = 'sqlite:///{outside}/m.db'\n[sources]\nseeds = '{SEEDS}'\n",
    )
    code, _, err = run(capsys, config, "init")
    assert code == 1
    assert "does not exist; monitor creates folders only in database.data_dir" in one_line(err)
    assert not (tmp_path / "nonexistent").exists()
    inside = write_config(
        tmp_path / "cfg2",
        f"[database]\nurl = 'sqlite:///../data/sub/m.db'\n[sources]\nseeds = '{SEEDS}'\n",
    )
    assert run(capsys, inside, "init")[0] == 0
    assert (tmp_path / "data" / "sub" / "m.db").is_file()


def test_database_errors_name_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    (tmp_path / "monitor.db").write_bytes(b"this is not a database" * 100)
    code, _, err = run(capsys, config, "stats")
    line = one_line(err)
    assert code == 1
    assert line.startswith(f"monitor: error: database {tmp_path / 'monitor.db'}: ")


def test_database_errors_name_the_host(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(
        tmp_path, "[database]\nurl = 'postgresql+psycopg://nobody:secret@127.0.0.1:1/none'\n"
    )
    code, _, err = run(capsys, config, "stats")
    line = one_line(err)
    assert code == 1 and "database none on 127.0.0.1:1" in line and "secret" not in line


def test_config_lookup_flag_env_cwd_user_folder_defaults(tmp_path: Path) -> None:
    cwd, xdg = tmp_path / "work", tmp_path / "xdg"
    cwd.mkdir()
    env = {"XDG_CONFIG_HOME": str(xdg)}
    assert config_path(None, env, cwd) is None  # nothing anywhere: built-in defaults
    (xdg / "monitor").mkdir(parents=True)
    (xdg / "monitor" / "monitor.toml").write_text("")
    assert config_path(None, env, cwd) == xdg / "monitor" / "monitor.toml"
    (cwd / "config").mkdir()
    (cwd / "config" / "monitor.toml").write_text("")
    assert config_path(None, env, cwd) == cwd / "config" / "monitor.toml"
    assert config_path(None, {**env, "MONITOR_CONFIG": "/etc/m.toml"}, cwd) == Path("/etc/m.toml")
    assert config_path("x.toml", {**env, "MONITOR_CONFIG": "/etc/m.toml"}, cwd) == Path("x.toml")
    defaults = load_settings(None, {"XDG_DATA_HOME": str(tmp_path / "data")})
    assert defaults.sqlite_path == tmp_path / "data" / "monitor" / "monitor.db"
    assert defaults.lexicon_path.name == "relevance.toml" and defaults.lexicon_path.is_file()


def cli(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**clean, "HOME": str(cwd), "XDG_CONFIG_HOME": str(cwd / ".config"), **env},
    )


def test_extract_and_score_run_outside_the_repository(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes((REPO / "tests" / "fixtures" / "site" / "waziristan-ibo.html").read_bytes())
    result = cli(["extract", "page.html"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["language"] == "en"
    text = tmp_path / "brief.txt"
    text.write_text("TTP attack in Bannu\nTehreek-e-Taliban Pakistan militants attacked police.")
    result = cli(["score", "brief.txt"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ttp" in json.loads(result.stdout)["relevance"]["tags"]
    assert not (tmp_path / ".local").exists()  # no database was created for either


def test_extract_exits_3_when_an_input_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    page = REPO / "tests" / "fixtures" / "site" / "waziristan-ibo.html"
    code, out, _ = run(capsys, config, "extract", str(page), str(binary), str(tmp_path / "no"))
    assert code == 3
    good, bad, missing = (json.loads(line) for line in out.splitlines())
    assert "title" in good and "binary file" in bad["error"] and "cannot read" in missing["error"]
    assert run(capsys, config, "extract", str(page))[0] == 0


def test_score_rejects_a_title_that_is_not_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    config = write_config(tmp_path)
    stdin = '{"title": 5, "text": "TTP"}\n{"title": "ok", "text": "TTP attack"}\n'
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code, out, _ = run(capsys, config, "score")
    assert code == 3
    bad, good = (json.loads(line) for line in out.splitlines())
    assert "'title' must be a string (got int)" in bad["error"] and "relevance" in good
    monkeypatch.setattr("sys.stdin", io.StringIO('{"text": "TTP attack"}\n'))
    assert run(capsys, config, "score")[0] == 0


def test_subcommand_help_explains_options_with_an_example(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for args in (["digest"], ["export"], ["feeds", "list"], ["score"]):
        with pytest.raises(SystemExit) as exit_:
            main([*args, "--help"])
        assert exit_.value.code == 0
        out = capsys.readouterr().out
        assert "example:\n  " in out and "monitor " in out.split("example:")[1]
    main_help = subprocess.run(
        [sys.executable, "-m", "monitor", "digest", "--help"], capture_output=True, text=True
    ).stdout
    assert "--mark" in main_help and "previews" in main_help
