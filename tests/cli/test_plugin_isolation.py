"""Broken and incompatible plugins, installed for real, seen through the ``odibi`` command.

Each plugin is a real distribution (dist-info with an ``odibi.plugins`` entry point) on
``PYTHONPATH`` of a subprocess: what ``pip install`` gives. A plugin whose registration hook raises,
and a plugin built for another plugin API, are listed ``failed`` with the reason; a project that
does not use them runs (and none of their other hooks run); a project that uses them fails with
exit 4 naming them.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from odibi_core import PLUGIN_API_VERSION
from odibi_core.errors import ExitCode
from odibi_core.testing.cli import run_odibi
from odibi_core.testing.distributions import make_distribution

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = REPO / "examples" / "quickstart"

PLUGIN_SOURCE = """
from pathlib import Path
from odibi_core import hookimpl

{declaration}
MARKER = Path({marker!r})


@hookimpl
def odibi_connections():
    MARKER.joinpath("registered").write_text("x")
    {body}


@hookimpl(wrapper=True)
def odibi_run_node(context):
    MARKER.joinpath("wrapped").write_text("x")  # must never run for a failed plugin
    return (yield)
"""

WORKING_BODY = """from odibi_core.plugins.types import ConnectionSpec
    return [ConnectionSpec("gadget", lambda options, ctx: None, None, "never built here")]"""


@pytest.fixture
def quickstart(tmp_path: Path) -> Path:
    target = tmp_path / "quickstart"
    shutil.copytree(
        QUICKSTART, target, ignore=shutil.ignore_patterns("lake", ".odibi", "__pycache__")
    )
    return target / "odibi.yaml"


def _install(
    tmp_path: Path, dist: str, *, body: str, declaration: str = ""
) -> tuple[dict[str, str], Path]:
    site, marker = tmp_path / "site", tmp_path / "marker"
    marker.mkdir()
    module = dist.replace("-", "_")
    make_distribution(
        site,
        dist,
        module,
        PLUGIN_SOURCE.format(declaration=declaration, marker=str(marker), body=body),
        version="2.3.0",
    )
    path = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}, marker


def _listed(env: dict[str, str], dist: str) -> dict[str, object]:
    proc = run_odibi(["plugins", "list", "--all", "--json"], env=env)
    assert proc.returncode == ExitCode.OK, proc.stderr
    return next(p for p in json.loads(proc.stdout) if p["distribution"] == dist)


def _uses_gadget(quickstart: Path) -> Path:
    text = quickstart.read_text().replace(
        "    type: local\n    base_path: ./lake", "    type: gadget\n    base_path: ./lake"
    )
    assert "type: gadget" in text
    quickstart.write_text(text)
    return quickstart


def test_a_plugin_whose_registration_hook_raises_is_failed_and_isolated(
    quickstart: Path, tmp_path: Path
) -> None:
    env, marker = _install(
        tmp_path,
        "odibi-hook-raises",
        body="import odibi_no_such_sdk  # noqa: F401  (the guide's import-in-hook)",
    )
    entry = _listed(env, "odibi-hook-raises")
    assert entry["status"] == "failed"
    assert "odibi_connections raised ModuleNotFoundError" in str(entry["reason"])
    assert "odibi_no_such_sdk" in str(entry["reason"])
    text = run_odibi(["plugins", "list", "--all"], env=env)
    assert "odibi-hook-raises" in text.stdout
    assert "failed" in text.stdout

    run = run_odibi(["run", str(quickstart)], env=env)
    assert run.returncode == ExitCode.OK, run.stderr
    assert (marker / "registered").exists()  # the hook ran (and raised) ...
    assert not (marker / "wrapped").exists()  # ... so none of the plugin's other hooks runs

    used = run_odibi(["run", str(_uses_gadget(quickstart))], env=env)
    assert used.returncode == ExitCode.PLUGIN_ERROR, used.stderr
    assert "unknown connection 'gadget'" in used.stderr
    assert "odibi-hook-raises" in used.stderr
    assert "odibi_no_such_sdk" in used.stderr


def test_a_plugin_built_for_another_plugin_api_is_failed_with_what_to_do(
    quickstart: Path, tmp_path: Path
) -> None:
    env, marker = _install(
        tmp_path, "odibi-from-the-future", body=WORKING_BODY, declaration='ODIBI_PLUGIN_API = "2.0"'
    )
    entry = _listed(env, "odibi-from-the-future")
    assert entry["status"] == "failed"
    assert entry["api"] == "2.0"
    reason = str(entry["reason"])
    assert "was built for plugin API 2.0" in reason
    assert f"provides plugin API {PLUGIN_API_VERSION}" in reason
    assert "upgrade odibi-core" in reason
    assert "odibi-from-the-future<2.3.0" in reason

    run = run_odibi(["run", str(quickstart)], env=env)
    assert run.returncode == ExitCode.OK, run.stderr
    assert not (marker / "registered").exists()  # refused before any of its hooks was called
    assert not (marker / "wrapped").exists()

    used = run_odibi(["validate", str(_uses_gadget(quickstart))], env=env)
    assert used.returncode == ExitCode.PLUGIN_ERROR, used.stderr
    assert "odibi-from-the-future" in used.stderr
    assert "plugin API 2.0" in used.stderr


def test_a_plugin_declaring_this_api_loads_and_is_listed_with_it(tmp_path: Path) -> None:
    env, marker = _install(
        tmp_path,
        "odibi-current",
        body=WORKING_BODY,
        declaration=f"ODIBI_PLUGIN_API = {PLUGIN_API_VERSION!r}",
    )
    entry = _listed(env, "odibi-current")
    assert (entry["status"], entry["api"]) == ("active", PLUGIN_API_VERSION)
    assert (marker / "registered").exists()


def test_every_plugin_shipped_in_this_repository_declares_the_plugin_api() -> None:
    proc = run_odibi(["plugins", "list", "--all", "--json"])
    assert proc.returncode == ExitCode.OK, proc.stderr
    shipped = [p for p in json.loads(proc.stdout) if p["distribution"] != "odibi-core"]
    names = {p["distribution"] for p in shipped}
    packages = {
        p.name
        for p in (REPO / "packages").iterdir()
        if (p / "pyproject.toml").exists() and "odibi.plugins" in (p / "pyproject.toml").read_text()
    }
    assert packages <= names, packages - names
    for plugin in shipped:
        if plugin["distribution"] in packages:
            assert (plugin["status"], plugin["api"]) == ("active", PLUGIN_API_VERSION), plugin
