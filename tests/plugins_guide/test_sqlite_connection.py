"""The guide's SQLite connection works: alone, and installed as a plugin under ``odibi run``."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
from odibi_core.plugin import OdibiError, ReadRequest, WriteRequest
from odibi_core.testing.cli import run_odibi
from odibi_core.testing.distributions import make_distribution

from .sqlite_connection import SqliteConnection

EXAMPLE = Path(__file__).with_name("sqlite_connection.py")


@pytest.fixture
def connection(tmp_path: Path) -> SqliteConnection:
    return SqliteConnection("db", tmp_path / "example.sqlite")


def arrow(**columns: list[object]) -> pa.RecordBatchReader:
    table = pa.table(columns)
    return pa.RecordBatchReader.from_batches(table.schema, table.to_batches())


def test_rows_round_trip_with_a_hostile_table_name(connection: SqliteConnection) -> None:
    name = 'orders"; DROP TABLE x; --'
    assert (
        connection.write_arrow(
            arrow(id=[1, 2], who=["a", None], amount=[1.5, 2.0]), WriteRequest(table=name)
        )
        == 2
    )
    assert connection.exists(WriteRequest(table=name))
    rows = connection.read_arrow(ReadRequest(table=name)).read_all().to_pylist()
    assert rows == [{"id": 1, "who": "a", "amount": 1.5}, {"id": 2, "who": None, "amount": 2.0}]


def test_queries_bind_params_and_the_incremental_mark(connection: SqliteConnection) -> None:
    connection.write_arrow(
        arrow(id=[1, 2, 3, 4], kind=["a", "b", "a", "a"]), WriteRequest(table="t")
    )
    request = ReadRequest(query="SELECT id FROM t WHERE kind = :kind", params={"kind": "a'; --"})
    assert connection.read_arrow(request).read_all().num_rows == 0
    request = ReadRequest(
        query="SELECT id FROM t WHERE kind = :kind",
        params={"kind": "a"},
        incremental_column="id",
        incremental_after=1,
    )
    assert connection.read_arrow(request).read_all().column("id").to_pylist() == [3, 4]


def test_modes_and_a_failed_write_changing_nothing(connection: SqliteConnection) -> None:
    connection.write_arrow(arrow(n=[1]), WriteRequest(table="t"))
    connection.write_arrow(arrow(n=[2]), WriteRequest(table="t", mode="append"))
    with pytest.raises(OdibiError, match="exists and mode is error"):
        connection.write_arrow(arrow(n=[3]), WriteRequest(table="t", mode="error"))
    schema = pa.schema([("n", pa.int64())])

    def broken() -> Iterator[pa.RecordBatch]:
        yield pa.record_batch([pa.array([9])], schema=schema)
        raise RuntimeError("source broke")

    with pytest.raises(RuntimeError, match="source broke"):
        connection.write_arrow(
            pa.RecordBatchReader.from_batches(schema, broken()), WriteRequest(table="t")
        )
    with sqlite3.connect(connection.database) as conn:
        assert conn.execute("SELECT n FROM t ORDER BY n").fetchall() == [(1,), (2,)]


def test_the_fingerprint_changes_when_data_change(connection: SqliteConnection) -> None:
    connection.write_arrow(arrow(n=[1]), WriteRequest(table="t"))
    first = connection.source_fingerprint(ReadRequest(table="t"))
    assert first == connection.source_fingerprint(ReadRequest(table="t"))
    connection.write_arrow(arrow(n=[2]), WriteRequest(table="t", mode="append"))
    assert connection.source_fingerprint(ReadRequest(table="t")) != first


def test_odibi_run_uses_the_installed_plugin(tmp_path: Path, write_project) -> None:
    site = tmp_path / "site"
    make_distribution(
        site, "odibi-connector-sqlite-example", "odibi_sqlite_example", EXAMPLE.read_text()
    )
    project = write_project(
        """
        project: guide
        connections:
          files: {type: local, base_path: data}
          db: {type: sqlite, database: warehouse.sqlite}
        pipelines:
          - pipeline: load
            nodes:
              - name: orders
                read: {connection: files, path: orders.csv, format: csv}
                write: {connection: db, table: orders}
              - name: big
                depends_on: [orders]
                read: {connection: db, query: "SELECT id FROM orders WHERE amount > :least",
                       params: {least: 3}}
                write: {connection: files, path: big.csv, format: csv}
        """,
        files={"data/orders.csv": "id,amount\n1,2.5\n2,4.0\n3,9.5\n"},
    )
    env = {"PYTHONPATH": str(site)}
    listed = run_odibi(["plugins", "list"], extra_env=env)
    assert "odibi-connector-sqlite-example" in listed.stdout, listed.stderr
    result = run_odibi(["run", str(project)], cwd=project.parent, extra_env=env)
    assert result.returncode == 0, result.stderr
    assert (project.parent / "data" / "big.csv").read_text().split() == ["id", "2", "3"]
