"""Fixtures for the end-to-end PostgreSQL tests: the test server and a project that points at it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from odibi_core.testing.services import require_service_variable

DSN_VARIABLE = "ODIBI_TEST_PG_DSN"


@pytest.fixture(scope="session")
def pg_dsn() -> str:
    """The DSN of the password-authenticated test server started by ``scripts/services.sh``."""
    return require_service_variable(DSN_VARIABLE, start=Path(__file__))


@pytest.fixture
def pg_env(pg_dsn: str) -> dict[str, str]:
    """The server's settings as the environment variables the test projects reference."""
    parts = urlsplit(pg_dsn)
    return {
        "PGT_HOST": parts.hostname or "",
        "PGT_PORT": str(parts.port),
        "PGT_DATABASE": parts.path.lstrip("/"),
        "PGT_USER": parts.username or "",
        "PGT_PASSWORD": parts.password or "",
    }


@pytest.fixture
def pg_schema(pg_dsn: str) -> Iterator[str]:
    """A fresh schema for one test, dropped afterwards."""
    import psycopg
    from psycopg import sql

    name = f"odibi_e2e_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


@pytest.fixture
def pg(pg_dsn: str) -> Iterator[Any]:
    """A psycopg connection (autocommit) for checking what a run wrote."""
    import psycopg

    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        yield conn
