"""Registration: entry point, config model, where the state file goes, light imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from odibi_core.config.loader import load_project
from odibi_core.errors import ConfigError
from odibi_core.plugins.types import BuildContext
from odibi_core.testing.cli import run_odibi
from odibi_state_local.backend import LocalStateBackend
from odibi_state_local.options import LocalStateOptions

PROJECT = """
project: p
connections:
  raw: {type: local, base_path: ./data}
%s
pipelines:
  - pipeline: x
    nodes:
      - name: a
        read: {connection: raw, path: a.csv}
"""


def _build(options: LocalStateOptions, project_dir: Path) -> LocalStateBackend:
    return LocalStateBackend.build(options, BuildContext(name="state", project_dir=project_dir, project_name="p"))


def test_default_location_is_beside_the_project_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    backend = _build(LocalStateOptions(), tmp_path / "proj")
    assert backend.path == tmp_path / "proj" / ".odibi" / "state.json"


def test_path_option_relative_absolute_and_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _build(LocalStateOptions(path="run/s.json"), tmp_path).path == tmp_path / "run" / "s.json"
    assert _build(LocalStateOptions(path=str(tmp_path / "abs.json")), Path("/elsewhere")).path == tmp_path / "abs.json"
    assert _build(LocalStateOptions(path="~/s.json"), tmp_path).path == tmp_path / "home" / "s.json"


def test_projects_get_the_local_backend_by_default(write_project) -> None:
    loaded = load_project(write_project(PROJECT % ""))
    assert loaded.state_backend == "local"
    assert isinstance(loaded.state_options, LocalStateOptions)


def test_an_unknown_state_key_names_file_line_and_suggests(write_project) -> None:
    path = write_project(PROJECT % "state:\n  backend: local\n  pathh: s.json\n")
    with pytest.raises(ConfigError) as caught:
        load_project(path)
    message = caught.value.message
    assert "pathh" in message and "path" in message and "odibi.yaml" in message


def test_the_entry_point_is_listed_active() -> None:
    result = run_odibi(["plugins", "list", "--json"])
    assert result.returncode == 0, result.stderr
    plugins = {p["distribution"]: p for p in json.loads(result.stdout)}
    assert plugins["odibi-state-local"]["status"] == "active"


def test_the_entry_point_module_imports_nothing_heavy() -> None:
    code = ("import sys, odibi_state_local; "
            "print(sorted(m for m in ('portalocker', 'pydantic', 'odibi_state_local.backend') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
