"""Fixtures for end-to-end telemetry tests: a CSV -> parquet project and a clean environment."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

ROWS = 40
"""Rows in the project's CSV; ``big`` keeps the 20 with amount > 10."""

TOKEN = "Bearer otel-e2e-t0ken-5521"
"""The OTLP authorization header value (a secret: must never be printed)."""

LEAKED = "zz_e2e_secret_col_7713"
"""A project secret the failing node's SQL contains."""

PROJECT_YAML = """
project: e2e
engine: duckdb
connections:
  raw: {type: local, base_path: ./data}
  lake: {type: local, base_path: ./lake}
pipelines:
  - pipeline: load
    nodes:
      - name: items
        read: {connection: raw, format: csv, path: items.csv}
      - name: big
        depends_on: [items]
        transform: {steps: ["SELECT * FROM items WHERE amount > 10"]}
        write: {connection: lake, format: parquet, path: big.parquet}
      - name: per_group
        depends_on: [items]
        transform: {steps: ["SELECT grp, count(*) AS n FROM items GROUP BY grp"]}
        write: {connection: lake, format: parquet, path: per_group.parquet}
  - pipeline: leaky
    nodes:
      - name: items
        read: {connection: raw, format: csv, path: items.csv}
      - name: bad
        depends_on: [items]
        transform: {steps: ["SELECT ${secret:E2E_SECRET} FROM items"]}
        write: {connection: lake, format: parquet, path: bad.parquet}
"""


@pytest.fixture
def otlp_token() -> str:
    """The OTLP authorization header value to configure (a secret: must never be printed)."""
    return TOKEN


@pytest.fixture
def e2e_secret() -> str:
    """The project secret the ``leaky`` pipeline's SQL contains."""
    return LEAKED


@pytest.fixture
def e2e_project(write_project: Callable[..., Path]) -> Path:
    """The project file: pipeline ``load`` (succeeds) and ``leaky`` (fails, secret in its SQL)."""
    rows = "".join(f"{i},{i % 4},{i * 0.5}\n" for i in range(1, ROWS + 1))
    return write_project(
        PROJECT_YAML,
        files={"data/items.csv": "id,grp,amount\n" + rows, ".env": f"E2E_SECRET={LEAKED}\n"},
    )


@pytest.fixture
def clean_env() -> Callable[..., dict[str, str]]:
    """``clean_env(**vars)``: this process's environment without OTEL_* variables, plus ``vars``."""

    def build(**variables: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
        env.update(variables)
        return env

    return build


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_port() -> Callable[[], int]:
    """A loopback port whose listener accepts connections (kernel backlog) and never answers."""
    sockets: list[socket.socket] = []

    def open_port() -> int:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        sockets.append(sock)
        return int(sock.getsockname()[1])

    yield open_port
    for sock in sockets:
        sock.close()
