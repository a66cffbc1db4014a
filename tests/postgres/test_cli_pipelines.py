"""``odibi run`` as a subprocess: CSV -> PostgreSQL, then PostgreSQL -> Parquet."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from odibi_core.testing.cli import run_odibi

pytestmark = pytest.mark.postgres

ORDERS_CSV = """order_id,customer,amount,status,ordered_at
1,acme,120.50,shipped,2026-01-02 10:00:00
2,globex,99.99,pending,2026-01-03 11:30:00
3,acme,5.00,completed,2026-01-04 09:15:00
4,initech,0.10,shipped,2026-01-05 17:45:00
"""

PROJECT = """
project: pg_e2e
connections:
  files: {{type: local, base_path: ./data}}
  lake: {{type: local, base_path: ./lake}}
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
  - pipeline: load
    nodes:
      - name: orders_to_pg
        read: {{connection: files, path: orders.csv}}
        write: {{connection: warehouse, table: {schema}.orders, mode: upsert, keys: [order_id]}}
  - pipeline: export
    nodes:
      - name: orders_from_pg
        read:
          connection: warehouse
          query: "SELECT * FROM {schema}.orders WHERE amount >= %(least)s"
          params: {{least: 1}}
        transform:
          steps:
            - SELECT order_id, customer, amount, status, ordered_at FROM this ORDER BY order_id
        write: {{connection: lake, path: orders.parquet}}
"""


def test_csv_to_postgres_to_parquet(
    write_project: Callable[..., Path], pg_env: dict[str, str], pg: Any, pg_schema: str
) -> None:
    project = write_project(PROJECT.format(schema=pg_schema), files={"data/orders.csv": ORDERS_CSV})

    first = run_odibi(["run", str(project), "--json"], extra_env=pg_env, cwd=project.parent)
    assert first.returncode == 0, first.stderr
    runs = json.loads(first.stdout)
    assert [r["status"] for r in runs] == ["success", "success"]
    assert runs[0]["nodes"]["orders_to_pg"]["rows_out"] == 4
    assert runs[0]["nodes"]["orders_to_pg"]["output"] == f"warehouse:{pg_schema}.orders"

    in_db = pg.execute(
        f"SELECT order_id, customer, amount::text, ordered_at::text FROM {pg_schema}.orders "
        "ORDER BY order_id"
    ).fetchall()
    assert in_db == [
        (1, "acme", "120.5", "2026-01-02 10:00:00"),
        (2, "globex", "99.99", "2026-01-03 11:30:00"),
        (3, "acme", "5", "2026-01-04 09:15:00"),
        (4, "initech", "0.1", "2026-01-05 17:45:00"),
    ]

    exported = pq.read_table(project.parent / "lake" / "orders.parquet")
    assert exported.column("order_id").to_pylist() == [1, 2, 3]
    assert exported.column("status").to_pylist() == ["shipped", "pending", "completed"]

    second = run_odibi(["run", str(project)], extra_env=pg_env, cwd=project.parent)
    assert second.returncode == 0, second.stderr
    assert pg.execute(f"SELECT count(*) FROM {pg_schema}.orders").fetchone() == (
        4,
    )  # upsert: same table


def test_validate_names_a_misspelt_connection_key(
    write_project: Callable[..., Path], pg_env: dict[str, str]
) -> None:
    project = write_project(
        PROJECT.format(schema="s").replace("password:", "pasword:"),
        files={"data/orders.csv": ORDERS_CSV},
    )
    result = run_odibi(["validate", str(project)], extra_env=pg_env, cwd=project.parent)
    assert result.returncode == 3, result.stderr
    assert "pasword" in result.stderr
    assert "password" in result.stderr
    assert pg_env["PGT_PASSWORD"] not in result.stdout + result.stderr
