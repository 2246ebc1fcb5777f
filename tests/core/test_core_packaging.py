"""Packaging: every direct import declared, dependencies pinned by a hash-checked lock that
install and image share, an image whose entrypoint honours the operator's config."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
DECLARED = {
    canonicalize_name(Requirement(r).name): Requirement(r)
    for r in PYPROJECT["project"]["dependencies"]
}


def _third_party_imports() -> set[str]:
    names: set[str] = set()
    for path in (REPO / "src" / "monitor").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "monitor"}


def test_every_package_the_code_imports_is_declared() -> None:
    dists = packages_distributions()
    for module in sorted(_third_party_imports()):
        providers = {canonicalize_name(d) for d in dists.get(module, [])}
        assert providers & set(DECLARED), f"{module} is imported but not declared in pyproject"


def _locked(name: str) -> dict[str, str]:
    text = (REPO / name).read_text()
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", text, re.MULTILINE))
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    for block in blocks:
        if "==" in block.split("\n")[0]:
            assert "--hash=sha256:" in block, f"{name}: no hash for {block.splitlines()[0]}"
    return {canonicalize_name(k): v for k, v in pins.items()}


def test_the_locks_pin_every_dependency_within_its_bounds_with_hashes() -> None:
    runtime, test = _locked("requirements.lock"), _locked("requirements-test.lock")
    for name, requirement in DECLARED.items():
        assert name in runtime, f"{name} is not in requirements.lock: run scripts/lock"
        assert requirement.specifier.contains(runtime[name]), (name, runtime[name])
        assert test[name] == runtime[name]
    for extra in PYPROJECT["project"]["optional-dependencies"]["test"]:
        assert canonicalize_name(Requirement(extra).name) in test
    assert "pytest" not in runtime  # the image carries no test tools


def test_install_and_image_use_the_lock_and_dependencies_come_before_the_source() -> None:
    install = (REPO / "scripts" / "install").read_text()
    assert '--require-hashes -r "$lock"' in install and "--no-deps -e ." in install
    dockerfile = (REPO / "Dockerfile").read_text()
    lock_layer = dockerfile.index("RUN pip install --require-hashes -r requirements.lock")
    assert lock_layer < dockerfile.index("COPY src ./src")
    assert 'ENTRYPOINT ["tini", "--"' in dockerfile and 'VOLUME ["/data"]' in dockerfile
    ignored = (REPO / ".dockerignore").read_text().split()
    assert {".git", ".venv", "data/"} <= set(ignored)


def _entrypoint(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    bin_dir = Path(sys.executable).parent
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    return subprocess.run(
        ["sh", str(REPO / "scripts" / "docker-entrypoint.sh"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, "PATH": f"{bin_dir}:{os.environ['PATH']}", **env},
    )


def _config(folder: Path, db: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "feeds.toml").write_text('[[feed]]\nurl = "https://example.org/feed"\nname = "Ex"\n')
    text = f"[database]\nurl = '{db}'\n[sources]\nseeds = '{REPO / 'seeds'}'\n"
    (folder / "monitor.toml").write_text(text)
    return folder / "monitor.toml"


def test_the_entrypoint_honours_a_mounted_config_folder_and_config(tmp_path: Path) -> None:
    mounted = _config(tmp_path / "config", "sqlite:///mounted.db")
    result = _entrypoint(["feeds", "list", "--json"], MONITOR_CONFIG_DIR=str(mounted.parent))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["url"] == "https://example.org/feed"  # stdout: only JSON
    assert "database ready" in result.stderr and (tmp_path / "config" / "mounted.db").is_file()

    other = _config(tmp_path / "other", "sqlite:///other.db")
    result = _entrypoint(["--config", str(other), "stats"], MONITOR_CONFIG_DIR=str(mounted.parent))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "other" / "other.db").is_file()
    assert result.stdout.startswith("0 items")

    baked = _config(tmp_path / "baked", "sqlite:///../data/monitor.db")
    data = tmp_path / "volume"
    data.mkdir()
    result = _entrypoint(
        ["stats"],
        MONITOR_CONFIG_DIR=str(tmp_path / "nothing-mounted"),
        MONITOR_BAKED_CONFIG=str(baked),
        MONITOR_DATA_DIR=str(data),
    )
    assert result.returncode == 0, result.stderr
    assert (data / "monitor.db").is_file()  # the baked config keeps its data in the volume
