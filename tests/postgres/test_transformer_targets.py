"""``scd2`` history and ``mode: upsert`` on real PostgreSQL tables through ``odibi run``.

Each project runs three times as a subprocess: the second run on the same data must leave both
tables exactly as they were (idempotence); the third, on changed data, closes the changed
customer's version, adds its new one and a new customer, and upserts the latest rows.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from odibi_core.testing.cli import run_odibi

pytestmark = pytest.mark.postgres

FIRST = """id,name,city,updated_at
1,Ann,Oslo,2024-01-01 00:00:00
2,Bob,Rome,2024-01-01 00:00:00
2,Bob,Rome,2023-06-01 00:00:00
"""
CHANGED = """id,name,city,updated_at
1,Ann,Oslo,2024-01-01 00:00:00
2,Bob,Paris,2024-02-01 00:00:00
3,Cy,Kyiv,2024-02-01 00:00:00
"""

PROJECT = """
project: pg_history
connections:
  files: {{type: local, base_path: ./data}}
  warehouse:
    type: postgres
    host: ${{env:PGT_HOST}}
    port: ${{env:PGT_PORT}}
    database: ${{env:PGT_DATABASE}}
    user: ${{env:PGT_USER}}
    password: ${{secret:PGT_PASSWORD}}
    connect_timeout: 5
retry: {{max_attempts: 1}}
pipelines:
  - pipeline: customers
    nodes:
      - name: customers_history
        read: {{connection: files, path: customers.csv}}
        transform:
          steps:
            - transformer: deduplicate
              params: {{keys: [id], order_by: updated_at DESC}}
            - transformer: scd2
              params: {{keys: [id], track_cols: [name, city], effective_time_col: updated_at}}
        write: {{connection: warehouse, table: {schema}.customers_history}}
      - name: customers_latest
        read: {{connection: files, path: customers.csv}}
        transform:
          steps:
            - transformer: deduplicate
              params: {{keys: [id], order_by: updated_at DESC}}
        write: {{connection: warehouse, table: {schema}.customers, mode: upsert, keys: [id]}}
"""


def _table(pg: Any, schema: str, table: str) -> list[tuple[Any, ...]]:
    from psycopg import sql

    query = sql.SQL("SELECT * FROM {}.{} ORDER BY 1, 4").format(
        sql.Identifier(schema), sql.Identifier(table)
    )
    return [tuple(row) for row in pg.execute(query).fetchall()]


def test_scd2_and_upsert_are_idempotent_and_keep_history(
    write_project: Callable[..., Path], pg_env: dict[str, str], pg: Any, pg_schema: str
) -> None:
    import datetime as dt

    project = write_project(PROJECT.format(schema=pg_schema), files={"data/customers.csv": FIRST})

    def run() -> None:
        result = run_odibi(["run", str(project)], extra_env=pg_env, cwd=project.parent)
        assert result.returncode == 0, result.stdout + result.stderr

    run()
    history = _table(pg, pg_schema, "customers_history")
    latest = _table(pg, pg_schema, "customers")
    jan = dt.datetime(2024, 1, 1)
    assert history == [(1, "Ann", "Oslo", jan, None, True), (2, "Bob", "Rome", jan, None, True)]
    assert latest == [(1, "Ann", "Oslo", jan), (2, "Bob", "Rome", jan)]

    run()
    assert _table(pg, pg_schema, "customers_history") == history
    assert _table(pg, pg_schema, "customers") == latest

    (project.parent / "data" / "customers.csv").write_text(CHANGED)
    run()
    feb = dt.datetime(2024, 2, 1)
    assert _table(pg, pg_schema, "customers_history") == [
        (1, "Ann", "Oslo", jan, None, True),
        (2, "Bob", "Rome", jan, feb, False),
        (2, "Bob", "Paris", feb, None, True),
        (3, "Cy", "Kyiv", feb, None, True),
    ]
    assert _table(pg, pg_schema, "customers") == [
        (1, "Ann", "Oslo", jan),
        (2, "Bob", "Paris", feb),
        (3, "Cy", "Kyiv", feb),
    ]
