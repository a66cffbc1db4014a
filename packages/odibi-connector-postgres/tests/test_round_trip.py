"""PostgreSQL -> duckdb engine -> PostgreSQL: every common type comes back equal, at volume too."""

from __future__ import annotations

from typing import Any

import pytest
from odibi_core.contracts.requests import ReadRequest, WriteRequest

pytestmark = pytest.mark.postgres

COLUMNS = """id int PRIMARY KEY, big bigint, amount numeric(12, 2), ratio double precision,
             label text, flag boolean, day date, at timestamp, at_tz timestamptz, doc json,
             ref uuid"""

ROWS = """
(1, 9007199254740993, 12345678.90, 0.1, 'plain', true, '2026-02-28',
 '2026-03-29 01:30:00.123456', '2026-03-29 01:30:00.123456+02', '{"a": [1, 2, {"b": null}]}',
 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
(2, -9223372036854775808, -0.01, 1e-300, '', false, '1970-01-01', '1900-01-01 00:00:00',
 '1970-01-01 00:00:00+00', '[]', '00000000-0000-0000-0000-000000000000'),
(3, 9223372036854775807, 0, 123456789.123456789, 'quote " comma , newline
 tab	 backslash \\ unicode héllo ✓', true, '1850-06-15', '2099-12-31 23:59:59.999999',
 '2099-12-31 23:59:59.999999-11', '{"text": "line\\nbreak"}',
 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
(4, 0, 999999999.99, 'Infinity', 'NULL', false, '2000-01-01', '2000-01-01 00:00:00',
 '2000-01-01 00:00:00+00', '"string"', '12345678-1234-5678-1234-567812345678'),
(5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
"""


def fetch(pg: Any, table: str) -> list[tuple[Any, ...]]:
    return pg.execute(
        f"SELECT id, big, amount, ratio, label, flag, day, at, at_tz, doc::jsonb, ref::uuid "
        f"FROM {table} ORDER BY id"
    ).fetchall()


def test_every_type_round_trips_through_the_duckdb_engine(
    connection: Any, engine: Any, pg: Any, pg_schema: str
) -> None:
    source, typed, created = f"{pg_schema}.source", f"{pg_schema}.typed", f"{pg_schema}.created"
    pg.execute(f"CREATE TABLE {source} ({COLUMNS})")
    pg.execute(f"INSERT INTO {source} VALUES {ROWS}")
    pg.execute(f"CREATE TABLE {typed} ({COLUMNS})")

    frame = engine.read(connection, ReadRequest(table=source))
    assert engine.count(frame) == 5
    assert engine.write(frame, connection, WriteRequest(mode="overwrite", table=typed)) == 5
    assert engine.write(frame, connection, WriteRequest(mode="overwrite", table=created)) == 5

    expected = fetch(pg, source)
    assert fetch(pg, typed) == expected
    assert fetch(pg, created) == expected  # json and uuid come back as text, equal once cast
    assert expected[4][1:] == (None,) * 10


def test_upsert_through_the_engine_is_idempotent(
    connection: Any, engine: Any, pg: Any, pg_schema: str
) -> None:
    source, target = f"{pg_schema}.source", f"{pg_schema}.target"
    pg.execute(f"CREATE TABLE {source} ({COLUMNS})")
    pg.execute(f"INSERT INTO {source} VALUES {ROWS}")
    frame = engine.read(connection, ReadRequest(table=source))
    request = WriteRequest(mode="upsert", table=target, keys=("id",))
    engine.write(frame, connection, request)
    first = fetch(pg, target)
    engine.write(frame, connection, request)
    assert fetch(pg, target) == first == fetch(pg, source)


@pytest.mark.slow
def test_a_million_rows_read_and_write(
    connection: Any, engine: Any, pg: Any, pg_schema: str
) -> None:
    source, target = f"{pg_schema}.big", f"{pg_schema}.big_copy"
    pg.execute(f"""CREATE TABLE {source} AS SELECT i::bigint AS id, (i % 97)::int AS bucket,
        (i * 0.25)::numeric(14, 2) AS amount, 'row ' || i AS label,
        timestamptz '2026-01-01' + i * interval '1 second' AS at
        FROM generate_series(1, 1000000) AS i""")
    reader = connection.read_arrow(ReadRequest(table=source))
    sizes = [batch.num_rows for batch in reader]
    assert sum(sizes) == 1_000_000
    assert max(sizes) <= 65_536

    frame = engine.read(connection, ReadRequest(table=source))
    assert (
        engine.write(frame, connection, WriteRequest(mode="overwrite", table=target)) == 1_000_000
    )
    summary = (
        "SELECT count(*), sum(id), sum(bucket), sum(amount), max(label), min(at), max(at) FROM {}"
    )
    assert (
        pg.execute(summary.format(target)).fetchone()
        == pg.execute(summary.format(source)).fetchone()
    )
