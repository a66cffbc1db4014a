"""Promise: an installed plugin that exits, interrupts or hangs while importing never stops odibi.

It is reported ``failed`` (with the reason) in ``odibi plugins list --all``; runs that do not need
it do their work; ``odibi --version`` never imports a plugin; an import is bounded by
``ODIBI_PLUGIN_IMPORT_TIMEOUT`` (or ``plugins.import_timeout``). A plugin whose registration hook
returns something that is not a spec is an exit-4 error for the project that needs it. Each case
runs the real ``odibi`` command with real plugin distributions on ``PYTHONPATH``.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from odibi_core.errors import ExitCode
from odibi_core.testing.cli import run_odibi
from odibi_core.testing.distributions import make_distribution

PROJECT = """\
project: hostile_plugins
connections:
  data: {type: local, base_path: ./data}
  out: {type: local, base_path: ./out}
pipelines:
  - pipeline: copy
    nodes:
      - name: rows
        read: {connection: data, path: rows.csv}
        write: {connection: out, path: rows.parquet}
"""

HANGS = """
from pathlib import Path
Path({marker!r}).write_text("imported")
import threading
threading.Event().wait()
"""


def _env(site: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ODIBI_")}
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(extra)
    return env


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "rows.csv").write_text("id,name\n1,a\n2,b\n")
    (tmp_path / "odibi.yaml").write_text(PROJECT)
    return tmp_path


def test_version_never_imports_a_plugin(tmp_path: Path) -> None:
    marker = tmp_path / "imported.txt"
    make_distribution(
        tmp_path / "site", "odibi-hangs", "odibi_hangs_version", HANGS.format(marker=str(marker))
    )
    start = time.monotonic()
    proc = run_odibi(["--version"], env=_env(tmp_path / "site"), timeout=60)
    assert proc.returncode == ExitCode.OK, proc.stderr
    assert proc.stdout.startswith("odibi ")
    assert not marker.exists()
    assert time.monotonic() - start < 30


def test_a_hanging_plugin_is_failed_after_the_timeout_and_the_run_does_its_work(
    project: Path,
) -> None:
    marker = project / "imported.txt"
    make_distribution(
        project / "site", "odibi-hangs", "odibi_hangs_run", HANGS.format(marker=str(marker))
    )
    start = time.monotonic()
    proc = run_odibi(
        ["run", str(project)],
        env=_env(project / "site", ODIBI_PLUGIN_IMPORT_TIMEOUT="1"),
        timeout=120,
    )
    assert proc.returncode == ExitCode.OK, proc.stderr
    assert marker.exists()  # it did start importing
    assert (project / "out" / "rows.parquet").exists()
    assert "import took longer than 1 s" in proc.stderr
    assert time.monotonic() - start < 60  # it hangs forever; the run is bounded by the timeout


def test_the_yaml_import_timeout_bounds_a_hanging_plugin(project: Path) -> None:
    marker = project / "imported.txt"
    make_distribution(
        project / "site", "odibi-hangs", "odibi_hangs_yaml", HANGS.format(marker=str(marker))
    )
    (project / "odibi.yaml").write_text(PROJECT + "plugins: {import_timeout: 1}\n")
    proc = run_odibi(["validate", str(project)], env=_env(project / "site"), timeout=120)
    assert proc.returncode == ExitCode.OK, proc.stderr
    assert "import took longer than 1 s" in proc.stderr


EXITS = {
    "odibi-sys-exit": ("import sys\nsys.exit(3)\n", "sys.exit(3)"),
    "odibi-interrupts": ("raise KeyboardInterrupt\n", "KeyboardInterrupt"),
    "odibi-base-exception": ("raise BaseException('odd')\n", "BaseException: odd"),
}


def test_plugins_ending_their_import_are_listed_failed_and_runs_go_on(project: Path) -> None:
    for dist, (source, _) in EXITS.items():
        make_distribution(project / "site", dist, dist.replace("-", "_") + "_cli", source)
    env = _env(project / "site")
    listing = run_odibi(["plugins", "list", "--all", "--json"], env=env, timeout=60)
    assert listing.returncode == ExitCode.OK, listing.stderr
    rows = {p["distribution"]: p for p in json.loads(listing.stdout)}
    for dist, (_, reason) in EXITS.items():
        assert rows[dist]["status"] == "failed"
        assert reason in rows[dist]["reason"]
    run = run_odibi(["run", str(project)], env=env, timeout=120)
    assert run.returncode == ExitCode.OK, run.stderr
    assert (project / "out" / "rows.parquet").exists()


def test_a_hook_returning_no_spec_is_exit_4_for_the_project_that_needs_it(project: Path) -> None:
    make_distribution(
        project / "site",
        "odibi-garbage",
        "odibi_garbage_cli",
        """
        from odibi_core import hookimpl

        @hookimpl
        def odibi_engines():
            return [{"name": "garbage"}]
    """,
    )
    (project / "odibi.yaml").write_text(
        PROJECT.replace("project: hostile_plugins\n", "project: hostile_plugins\nengine: garbage\n")
    )
    proc = run_odibi(["run", str(project)], env=_env(project / "site"), timeout=120)
    assert proc.returncode == ExitCode.PLUGIN_ERROR, proc.stderr
    assert "Traceback" not in proc.stderr
    error = next(line for line in proc.stderr.splitlines() if line.startswith("error: "))
    assert "odibi.yaml:2: engine: unknown engine 'garbage'" in error
    assert "odibi-garbage" in error
    assert "expected a list of EngineSpec" in error
