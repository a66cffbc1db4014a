"""``odibi run`` as a subprocess against a wrong password and an unreachable server."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from odibi_core.testing.cli import run_odibi

pytestmark = pytest.mark.postgres

WRONG_PASSWORD = "Wr0ng-password-plugh"

PROJECT = """
project: pg_failures
connections:
  warehouse:
    type: postgres
    host: ${env:PGT_HOST}
    port: ${env:PGT_PORT}
    database: ${env:PGT_DATABASE}
    user: ${env:PGT_USER}
    password: ${secret:PGT_PASSWORD}
    connect_timeout: 2
  lake: {type: local, base_path: ./lake}
retry: {max_attempts: 1}
pipelines:
  - pipeline: export
    nodes:
      - name: copy_out
        read: {connection: warehouse, query: "SELECT 1 AS one"}
        write: {connection: lake, path: one.parquet}
"""


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts TCP connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield listener.getsockname()[1]
    listener.close()


def test_a_wrong_password_fails_in_one_line_without_the_password(
    write_project: Callable[..., Path], pg_env: dict[str, str]
) -> None:
    project = write_project(PROJECT)
    env = {**pg_env, "PGT_PASSWORD": WRONG_PASSWORD}
    result = run_odibi(["run", str(project)], extra_env=env, cwd=project.parent)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert WRONG_PASSWORD not in output
    assert "Traceback" not in output
    failures = [line for line in output.splitlines() if "password authentication failed" in line]
    assert failures, output
    assert all("PostgresAuthenticationFailed" in line for line in failures)
    assert "retrying" not in output  # a refused password is not transient
    assert not (project.parent / "lake" / "one.parquet").exists()


def test_an_unreachable_server_fails_within_the_connect_timeout(
    write_project: Callable[..., Path], pg_env: dict[str, str], silent_port: int
) -> None:
    project = write_project(PROJECT)
    env = {**pg_env, "PGT_PORT": str(silent_port)}
    started = time.monotonic()
    result = run_odibi(["run", str(project)], extra_env=env, cwd=project.parent, timeout=60)
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "PostgresUnavailable" in output
    assert "timeout" in output
    assert elapsed < 2 + 20, elapsed  # connect_timeout 2 s, generous margin for the CLI's start-up
    assert pg_env["PGT_PASSWORD"] not in output
