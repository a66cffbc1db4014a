"""Source fingerprints against the real server: they change with the data, and only with it."""

from __future__ import annotations

import time
from typing import Any

import pytest
from odibi_core.contracts.requests import ReadRequest

pytestmark = pytest.mark.postgres


def settled(connection: Any, request: ReadRequest, before: str | None) -> str | None:
    """The fingerprint once it moved away from ``before`` (statistics arrive within ~1 s)."""
    deadline = time.monotonic() + 5
    while True:
        now = connection.source_fingerprint(request)
        if now != before or time.monotonic() > deadline:
            return now
        time.sleep(0.1)


def write_and_disconnect(dsn: str, statement: str) -> None:
    """Run ``statement`` in its own session (a session publishes its statistics as it ends)."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(statement)


def test_without_a_chosen_marker_a_read_cannot_tell(
    connection: Any, pg: Any, pg_schema: str
) -> None:
    pg.execute(f"CREATE TABLE {pg_schema}.t (id bigint)")
    assert connection.source_fingerprint(ReadRequest(table=f"{pg_schema}.t")) is None


def test_table_statistics_change_with_every_kind_of_write(
    connection: Any, pg: Any, pg_schema: str, pg_dsn: str
) -> None:
    table = f"{pg_schema}.events"
    pg.execute(f"CREATE TABLE {table} (id bigint, v text)")
    write_and_disconnect(pg_dsn, f"INSERT INTO {table} SELECT i, 'x' FROM generate_series(1, 10) i")
    request = ReadRequest(table=table, options={"change_statistics": True})
    first = settled(connection, request, None)
    assert first is not None
    assert first.startswith("pg-stats:")
    assert connection.source_fingerprint(request) == first, "nothing changed: the same marker"
    seen = {first}
    for statement in (
        f"INSERT INTO {table} VALUES (11, 'y')",
        f"UPDATE {table} SET v = 'z' WHERE id = 1",
        f"DELETE FROM {table} WHERE id = 2",
        f"TRUNCATE {table}",
        f"ALTER TABLE {table} ADD COLUMN extra int",
    ):
        write_and_disconnect(pg_dsn, statement)
        after = settled(connection, request, first)
        assert after is not None, statement
        assert after not in seen, statement
        seen.add(after)
        first = after


def test_views_and_queries_cannot_tell(connection: Any, pg: Any, pg_schema: str) -> None:
    pg.execute(f"CREATE TABLE {pg_schema}.t (id bigint)")
    pg.execute(f"CREATE VIEW {pg_schema}.v AS SELECT * FROM {pg_schema}.t")
    statistics = {"change_statistics": True}
    assert (
        connection.source_fingerprint(ReadRequest(table=f"{pg_schema}.v", options=statistics))
        is None
    )
    assert (
        connection.source_fingerprint(
            ReadRequest(query=f"SELECT * FROM {pg_schema}.t", options=statistics)
        )
        is None
    )


def test_change_column_is_exact_at_once(connection: Any, pg: Any, pg_schema: str) -> None:
    table = f"{pg_schema}.orders"
    pg.execute(f"CREATE TABLE {table} (id bigint, updated_at timestamptz)")
    pg.execute(f"INSERT INTO {table} VALUES (1, '2026-01-01T00:00:00Z')")
    request = ReadRequest(
        query=f"SELECT * FROM {table} WHERE id > %(low)s",
        params={"low": 0},
        options={"change_column": "updated_at"},
    )
    first = connection.source_fingerprint(request)
    assert first is not None
    assert first.startswith("pg-exact:")
    assert connection.source_fingerprint(request) == first
    pg.execute(
        f"UPDATE {table} SET updated_at = '2026-01-02T00:00:00Z'"
    )  # no waiting for statistics
    assert connection.source_fingerprint(request) not in (None, first)
