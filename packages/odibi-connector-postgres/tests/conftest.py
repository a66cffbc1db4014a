"""Fixtures for the odibi-connector-postgres tests: a real PostgreSQL server, one schema per test.

The server comes from ``scripts/services.sh start`` (which writes ``ODIBI_TEST_PG_DSN`` to
``.services/env``). Without it the tests fail with a message saying so: they never skip.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from odibi_core.testing.services import require_service_variable

DSN_VARIABLE = "ODIBI_TEST_PG_DSN"


@pytest.fixture(scope="session")
def pg_dsn() -> str:
    """The DSN of the test server (a password-authenticated PostgreSQL)."""
    return require_service_variable(DSN_VARIABLE, start=Path(__file__))


@pytest.fixture
def pg(pg_dsn: str) -> Iterator[Any]:
    """A psycopg connection (autocommit) for arranging and checking data."""
    import psycopg

    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        yield conn


@pytest.fixture
def pg_schema(pg: Any) -> Iterator[str]:
    """A fresh schema, dropped (with everything in it) after the test."""
    from psycopg import sql

    name = f"odibi_test_{uuid.uuid4().hex[:10]}"
    pg.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    yield name
    pg.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture
def connection(pg_dsn: str) -> Any:
    """A ``postgres`` connection named ``warehouse``, as the kernel would build it."""
    from odibi_connector_postgres.connection import PostgresConnection
    from odibi_connector_postgres.options import PostgresOptions

    return PostgresConnection(
        "warehouse", PostgresOptions(dsn=pg_dsn), run_id="20260101T000000Z-test"
    )


@pytest.fixture
def engine() -> Iterator[Any]:
    """The kernel's builtin duckdb engine."""
    from odibi_core.engines.duckdb_engine import DuckDBEngine

    duck = DuckDBEngine()
    yield duck
    duck.close()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts TCP connections and then never answers (a hung server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield listener.getsockname()[1]
    listener.close()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connection refused)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return int(port)
