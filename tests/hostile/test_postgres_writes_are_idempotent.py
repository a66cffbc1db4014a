"""Promise: rerunning a PostgreSQL upsert never grows the table, and a bug in the data is not
retried as if the server were down.

Real server, real CLI: an upsert whose key column holds NULLs is refused on every run (naming the
column and the count) and the table stays as it was; a cast that fails deep inside the data while
rows stream into PostgreSQL fails once, unretried, and leaves the target untouched.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from odibi_core.testing.cli import run_odibi
from odibi_core.testing.services import require_service_variable

pytestmark = pytest.mark.postgres

PROJECT = """
project: pg_hostile
connections:
  raw: {type: local, base_path: ./data}
  warehouse: {type: postgres, dsn: "${env:ODIBI_HOSTILE_PG_DSN}"}
retry: {max_attempts: 3, initial_delay: 0.5}
pipelines:
  - pipeline: load
    nodes:
      - name: customers
        read: {connection: raw, path: customers.csv}
        write: {connection: warehouse, table: %(schema)s.customers, mode: upsert, keys: [id]}
  - pipeline: numbers
    nodes:
      - name: numbers
        read: {connection: raw, path: numbers.csv}
        transform:
          steps:
            - "SELECT n, CAST(v AS BIGINT) AS v FROM this"
        write: {connection: warehouse, table: %(schema)s.numbers}
"""


@pytest.fixture
def schema() -> Iterator[tuple[str, str]]:
    """(dsn, a fresh schema holding a customers table whose key column may be NULL)."""
    import psycopg

    dsn = require_service_variable("ODIBI_TEST_PG_DSN", start=Path(__file__))
    name = f"odibi_hostile_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
        conn.execute(f"CREATE TABLE {name}.customers (id bigint UNIQUE, name text)")
        conn.execute(f"INSERT INTO {name}.customers VALUES (1, 'kept')")
    yield dsn, name
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {name} CASCADE")


def count(dsn: str, table: str) -> int:
    import psycopg

    with psycopg.connect(dsn) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


def test_null_upsert_keys_are_refused_on_every_run_and_the_table_never_grows(
    write_project: Callable[..., Path], schema: tuple[str, str]
) -> None:
    dsn, name = schema
    customers = "id,name\n1,Ada\n,Bo\n2,Cy\n,Dee\n3,Eve\n"
    project = write_project(
        PROJECT % {"schema": name},
        files={"data/customers.csv": customers, "data/numbers.csv": "n,v\n1,1\n"},
    )
    for _ in range(3):
        result = run_odibi(
            ["run", str(project), "-p", "load"], extra_env={"ODIBI_HOSTILE_PG_DSN": dsn}
        )
        assert result.returncode == 1, result.stderr
        assert "PostgresNullKey" in result.stderr
        assert "'id' in 2 of 5 row(s)" in result.stderr
        assert "retrying" not in result.stderr
        assert count(dsn, f"{name}.customers") == 1


def test_a_bad_value_deep_in_the_data_fails_once_and_is_not_retried(
    write_project: Callable[..., Path], schema: tuple[str, str]
) -> None:
    dsn, name = schema
    rows = "".join(f"{i},{i}\n" for i in range(200_000)) + "200000,abc\n"
    project = write_project(
        PROJECT % {"schema": name},
        files={"data/numbers.csv": "n,v\n" + rows, "data/customers.csv": "id,name\n"},
    )
    result = run_odibi(
        ["run", str(project), "-p", "numbers"], extra_env={"ODIBI_HOSTILE_PG_DSN": dsn}
    )
    assert result.returncode == 1, result.stderr
    assert "SourceRowsFailed" in result.stderr
    assert "PostgresUnavailable" not in result.stderr
    assert "retrying" not in result.stderr
    import psycopg

    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT to_regclass(%s)", (f"{name}.numbers",)).fetchone() == (None,)
