"""Registration: entry point, config model, where the state file goes, light imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from odibi_core.config.loader import load_project
from odibi_core.errors import ConfigError
from odibi_core.plugins.types import StateBuildContext
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
    return LocalStateBackend.build(
        options, StateBuildContext(name="state", project_dir=project_dir, project_name="p")
    )


def test_default_location_is_beside_the_project_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    backend = _build(LocalStateOptions(), tmp_path / "proj")
    assert backend.path == tmp_path / "proj" / ".odibi" / "state.json"


def test_path_option_relative_absolute_and_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert (
        _build(LocalStateOptions(path="run/s.json"), tmp_path).path == tmp_path / "run" / "s.json"
    )
    assert (
        _build(LocalStateOptions(path=str(tmp_path / "abs.json")), Path("/elsewhere")).path
        == tmp_path / "abs.json"
    )
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
    assert "pathh" in message
    assert "path" in message
    assert "odibi.yaml" in message


def test_the_entry_point_is_listed_active() -> None:
    result = run_odibi(["plugins", "list", "--json"])
    assert result.returncode == 0, result.stderr
    plugins = {p["distribution"]: p for p in json.loads(result.stdout)}
    assert plugins["odibi-state-local"]["status"] == "active"


def test_the_entry_point_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, odibi_state_local; "
        "print(sorted(m for m in ('portalocker', 'pydantic', 'odibi_state_local.backend') if "
        "m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_the_kernels_lock_timeout_and_history_reach_the_backend_through_its_factory(
    write_project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from odibi_core.plugins.manager import create_plugin_manager
    from odibi_core.state.session import effective_lock_timeout, open_state_backend

    monkeypatch.delenv("ODIBI_LOCK_TIMEOUT", raising=False)
    path = write_project(PROJECT % "state:\n  backend: local\n  lock_timeout: 7.5\n  history: 4\n")
    pm = create_plugin_manager()
    loaded = load_project(path, pm=pm)
    backend = open_state_backend(
        loaded, pm, run_id="run-9", lock_timeout=effective_lock_timeout(loaded, None)
    )
    assert isinstance(backend, LocalStateBackend)
    assert (backend.lock_timeout, backend.history_limit, backend.run_id) == (7.5, 4, "run-9")
    assert backend.describe() == f"local state at {backend.path}"
    flagged = open_state_backend(
        loaded, pm, run_id=None, lock_timeout=effective_lock_timeout(loaded, 0.25)
    )
    assert isinstance(flagged, LocalStateBackend)
    assert (flagged.lock_timeout, flagged.history_limit) == (0.25, 4)


def test_a_run_never_imports_portalocker_or_redis_on_posix(tmp_path: Path) -> None:
    """The lock is ``flock`` taken directly: portalocker's import would pull in ``redis``."""
    code = (
        "import sys\n"
        "from odibi_state_local.backend import LocalStateBackend\n"
        "b = LocalStateBackend(sys.argv[1])\n"
        "with b.lock('state', timeout=5):\n"
        "    pass\n"
        "print(sorted(m for m in ('portalocker', 'redis') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "state.json")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "[]"
