"""Registration through the ``odibi.plugins`` entry point; the ``state:`` section of a project."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from odibi_core.config.loader import load_project
from odibi_core.errors import ConfigError
from odibi_core.plugins.types import StateBuildContext
from odibi_core.redaction import redact_text

PROJECT = """\
project: sales
connections:
  raw: {type: local, base_path: ./data}
state:
  backend: azure_blob
  connection_string: ${secret:STATE_CONNECTION_STRING}
  container: odibi-state
  lease_duration: %s
pipelines:
  - pipeline: daily
    nodes:
      - name: orders
        read: {connection: raw, format: csv, path: orders.csv}
"""


def test_the_entry_point_registers_azure_blob() -> None:
    from odibi_core.plugins.loader import PluginSettings
    from odibi_core.plugins.manager import create_plugin_manager

    pm = create_plugin_manager(PluginSettings())
    registered = pm.state_backends()["azure_blob"]
    assert registered.distribution == "odibi-state-azure"
    assert "lease" in registered.spec.description


def test_the_entry_point_module_imports_neither_the_sdk_nor_pydantic() -> None:
    code = (
        "import sys, odibi_state_azure.plugin\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('azure', 'pydantic')]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_project_section_is_validated_and_builds_a_backend(
    write_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, clean_redaction: None
) -> None:
    conn = (
        "DefaultEndpointsProtocol=https;AccountName=acct;"
        "AccountKey=UHJvamVjdC1maWxlLWtleS1mb3ItdGhlLXRlc3Q=;EndpointSuffix=core.windows.net"
    )
    monkeypatch.setenv("STATE_CONNECTION_STRING", conn)
    project = load_project(write_project(PROJECT % 20))
    assert project.state_backend == "azure_blob"
    assert project.state_options.lease_duration == 20
    assert "UHJvamVjdC1maWxlLWtleS1mb3ItdGhlLXRlc3Q=" not in redact_text(f"oops {conn}")

    from odibi_state_azure.plugin import build_backend

    backend = build_backend(
        project.state_options,
        StateBuildContext(
            name="state", project_dir=project.project_dir, project_name="sales", run_id="run-9"
        ),
    )
    try:
        assert backend.location == "https://acct.blob.core.windows.net/odibi-state/sales/state.json"
        assert (backend.blob_name, backend.lock_prefix) == ("sales/state.json", "sales/state.locks")
        assert (backend.run_id, backend.lease_duration) == ("run-9", 20)
    finally:
        backend.close()


def test_a_bad_state_section_names_the_file_line_and_key(
    write_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATE_CONNECTION_STRING", "AccountName=acct;AccountKey=c2VjcmV0")
    with pytest.raises(ConfigError) as caught:
        load_project(write_project(PROJECT % 600))
    assert "odibi.yaml:8" in caught.value.message
    assert "lease_duration" in caught.value.message

    text = PROJECT.replace("  container: odibi-state\n", "  containr: odibi-state\n") % 30
    with pytest.raises(ConfigError) as caught:
        load_project(write_project(text))
    assert "containr" in caught.value.message
    assert "container" in caught.value.message  # did you mean
