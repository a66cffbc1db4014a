"""Fixtures of the multi-process azure_blob tests: Azurite settings, a project that waits at a gate.

The project's one node waits until a gate file exists, so a test decides how long a runner holds
its pipeline lock. Runners are real ``odibi run`` processes.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from odibi_core.testing.services import service_variables

AZURITE_VARS = ("ODIBI_TEST_AZURITE_BLOB_URL", "ODIBI_TEST_AZURITE_CONNECTION_STRING")
LEASE_SECONDS = 15

TRANSFORMS = '''\
import os
import time

from odibi_core import transform


@transform(frame="arrow")
def wait_for_gate(table, gate: str, limit: float = 300.0):
    """Hold the run until the file ``gate`` exists."""
    deadline = time.monotonic() + limit
    while not os.path.exists(gate) and time.monotonic() < deadline:
        time.sleep(0.05)
    return table
'''


@pytest.fixture(scope="session")
def azurite_env() -> dict[str, str]:
    """``ODIBI_TEST_AZURITE_*`` from the environment or ``.services/env``; fails if missing."""
    found = service_variables("ODIBI_TEST_AZURITE_")
    missing = [name for name in AZURITE_VARS if not found.get(name)]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not set: these tests need Azurite. Start it with "
            "`scripts/services.sh start` (it writes .services/env), or run `scripts/test.sh`.",
            pytrace=False,
        )
    return found


@dataclass
class GatedProject:
    """A project on Azurite state whose ``daily`` pipeline waits at ``gate`` until it exists."""

    path: Path
    gate: Path
    container: str
    env: dict[str, str]
    lease_seconds: int = LEASE_SECONDS
    processes: list[subprocess.Popen[str]] = field(default_factory=list)

    def open_gate(self) -> None:
        """Let every waiting run (and every later one) through."""
        self.gate.touch()

    def start_run(self, *args: str, name: str = "run") -> subprocess.Popen[str]:
        """Start ``odibi run PROJECT ARGS`` in the background; output goes to ``<name>.log``."""
        log = (self.path.parent / f"{name}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "odibi_core.cli.main", "run", str(self.path), *args],
            cwd=self.path.parent,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.processes.append(process)
        return process

    def output(self, name: str = "run") -> str:
        """What the run started as ``name`` printed."""
        return (self.path.parent / f"{name}.log").read_text()

    def backend(self, run_id: str | None = None) -> Any:
        """A backend on this project's state (closed by the fixture)."""
        from odibi_state_azure.backend import AzureBlobStateBackend
        from odibi_state_azure.options import AzureBlobStateOptions

        options = AzureBlobStateOptions(
            connection_string=self.env["ODIBI_TEST_AZURITE_CONNECTION_STRING"],
            container=self.container,
            lease_duration=LEASE_SECONDS,
        )
        backend = AzureBlobStateBackend.from_options(options, project="tworunners", run_id=run_id)
        self._backends.append(backend)
        return backend

    def raw_state(self) -> bytes:
        """The state blob's bytes, read with the plain SDK."""
        from azure.storage.blob import BlobClient

        blob = BlobClient.from_connection_string(
            self.env["ODIBI_TEST_AZURITE_CONNECTION_STRING"],
            self.container,
            "tworunners/state.json",
        )
        with blob:
            return blob.download_blob().readall()

    def __post_init__(self) -> None:
        self._backends: list[Any] = []

    def cleanup(self) -> None:
        """Kill runs still going, close backends, delete the container."""
        self.open_gate()
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait(30)
        for backend in self._backends:
            backend.close()
        from azure.storage.blob import BlobServiceClient

        conn = self.env["ODIBI_TEST_AZURITE_CONNECTION_STRING"]
        with BlobServiceClient.from_connection_string(conn) as svc, contextlib.suppress(Exception):
            svc.delete_container(self.container)


@pytest.fixture
def gated_project(tmp_path: Path, azurite_env: dict[str, str]) -> Iterator[GatedProject]:
    """A fresh gated project on a fresh Azurite container."""
    container = f"runners-{uuid.uuid4().hex[:16]}"
    gate = tmp_path / "gate"
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "orders.csv").write_text("order_id,amount\n1,10\n2,20\n")
    (tmp_path / "transforms.py").write_text(TRANSFORMS)
    path = tmp_path / "odibi.yaml"
    path.write_text(
        textwrap.dedent(f"""\
        project: tworunners
        connections:
          raw: {{type: local, base_path: ./data}}
          out: {{type: local, base_path: ./out}}
        state:
          backend: azure_blob
          connection_string: ${{secret:ODIBI_TEST_AZURITE_CONNECTION_STRING}}
          container: {container}
          lease_duration: {LEASE_SECONDS}
        pipelines:
          - pipeline: daily
            nodes:
              - name: orders
                read: {{connection: raw, format: csv, path: orders.csv}}
                transform:
                  steps:
                    - function: wait_for_gate
                      params: {{gate: "{gate}"}}
                write: {{connection: out, format: parquet, path: orders.parquet}}
        """)
    )
    env = {**os.environ, **azurite_env, "PYTHONUNBUFFERED": "1"}
    env.pop("ODIBI_LOCK_TIMEOUT", None)
    project = GatedProject(path=path, gate=gate, container=container, env=env)
    yield project
    project.cleanup()
