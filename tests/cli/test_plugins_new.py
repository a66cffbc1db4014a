"""``odibi plugins new``: every kind scaffolds a distribution that installs, passes its own tests
(the contract suite included) and is listed by ``odibi plugins list``.

The five distributions are built and installed in one ``uv pip install --target`` into a
temporary folder put on ``PYTHONPATH`` of the subprocesses, so the shared environment is never
changed; each generated test suite runs as its own ``python -m pytest`` in its folder, all five
at once.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from odibi_core.cli.scaffold import KIND_PREFIXES, PluginNames
from odibi_core.testing.cli import run_odibi

NAMES = {kind: f"made_{kind}" for kind in KIND_PREFIXES}
"""One plugin per kind, named so that no installed plugin has the name."""

FLOOR = {"engine": 60, "connection": 10, "state": 40, "secrets": 8, "lifecycle": 3}
"""Fewest tests each generated suite must run (the contract suites are most of them)."""


def _installer() -> list[str]:
    uv = Path(sys.executable).parent / "uv"
    if uv.exists():
        return [str(uv), "pip", "install", "--python", sys.executable]
    found = shutil.which("uv")
    if found:
        return [found, "pip", "install", "--python", sys.executable]
    return [sys.executable, "-m", "pip", "install", "--quiet"]


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], dict[str, str]]:
    """Scaffold every kind with the CLI and install them all; return folders and environment."""
    root = tmp_path_factory.mktemp("plugins")
    folders: dict[str, Path] = {}
    for kind, name in NAMES.items():
        made = run_odibi(["plugins", "new", kind, name, "--dir", str(root / "src")])
        assert made.returncode == 0, made.stderr
        folders[kind] = root / "src" / PluginNames.of(kind, name).distribution
        assert f"created {folders[kind]}" in made.stdout
    site = root / "site"
    install = subprocess.run(
        [*_installer(), "--no-deps", "--target", str(site), *map(str, folders.values())],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))
    return folders, env


def test_every_kind_passes_its_own_suite(
    scaffolded: tuple[dict[str, Path], dict[str, str]],
) -> None:
    folders, env = scaffolded
    running = {
        kind: subprocess.Popen(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=folder,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for kind, folder in folders.items()
    }
    for kind, process in running.items():
        out, _ = process.communicate(timeout=300)
        summary = out.strip().splitlines()[-1]
        passed = re.search(r"(\d+) passed", summary)
        assert process.returncode == 0, f"{kind}:\n{out[-3000:]}"
        assert passed is not None, f"{kind}: {summary}"
        assert "failed" not in summary, f"{kind}: {summary}"
        assert "error" not in summary, f"{kind}: {summary}"
        assert int(passed.group(1)) >= FLOOR[kind], f"{kind}: {summary}"


def test_odibi_plugins_list_shows_every_kind(
    scaffolded: tuple[dict[str, Path], dict[str, str]],
) -> None:
    _, env = scaffolded
    listed = run_odibi(["plugins", "list", "--json"], env=env)
    assert listed.returncode == 0, listed.stderr
    rows = {row["distribution"]: row for row in json.loads(listed.stdout)}
    hooks = {
        "engine": "odibi_engines",
        "connection": "odibi_connections",
        "state": "odibi_state_backends",
        "secrets": "odibi_secret_providers",
        "lifecycle": "odibi_run_node",
    }
    for kind, name in NAMES.items():
        row = rows[PluginNames.of(kind, name).distribution]
        assert row["status"] == "active", row
        assert hooks[kind] in row["hooks"], row


def test_an_existing_folder_is_never_overwritten(tmp_path: Path) -> None:
    first = run_odibi(["plugins", "new", "connection", "twice", "--dir", str(tmp_path)])
    assert first.returncode == 0, first.stderr
    readme = tmp_path / "odibi-connector-twice" / "README.md"
    readme.write_text("mine")
    again = run_odibi(["plugins", "new", "connection", "twice", "--dir", str(tmp_path)])
    assert again.returncode == 2
    assert "already exists; nothing was written" in again.stderr
    assert readme.read_text() == "mine"


@pytest.mark.parametrize(
    ("kind", "name", "message"),
    [
        ("connector", "x", "unknown plugin kind 'connector'"),
        ("connection", "My-Store", "invalid plugin name 'My-Store'"),
        ("engine", "duckdb", "already registered"),
    ],
)
def test_bad_arguments_are_one_line_usage_errors(
    tmp_path: Path, kind: str, name: str, message: str
) -> None:
    result = run_odibi(["plugins", "new", kind, name, "--dir", str(tmp_path)])
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
