"""Reads against the real server: tables, queries with bound parameters, incremental marks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest
from odibi_connector_postgres.errors import PostgresError
from odibi_core.contracts.requests import ReadRequest

pytestmark = pytest.mark.postgres


@pytest.fixture
def events(pg: Any, pg_schema: str) -> str:
    table = f"{pg_schema}.events"
    pg.execute(f"""CREATE TABLE {table} AS
        SELECT i AS id, 'event ' || i AS label, timestamp '2026-01-01' + i * interval '1 hour' AS at
        FROM generate_series(1, 1000) AS i""")
    return table


def test_a_table_reads_as_arrow_with_its_types(connection: Any, events: str) -> None:
    table = connection.read_arrow(ReadRequest(table=events)).read_all()
    assert table.schema == pa.schema(
        [("id", pa.int32()), ("label", pa.string()), ("at", pa.timestamp("us"))]
    )
    assert table.num_rows == 1000
    assert table.slice(0, 1).to_pylist() == [
        {"id": 1, "label": "event 1", "at": dt.datetime(2026, 1, 1, 1)}
    ]


def test_query_parameters_are_bound_not_formatted(connection: Any, events: str) -> None:
    request = ReadRequest(
        query=f"SELECT id, label FROM {events} WHERE label = %(label)s OR label LIKE 'x%%'",
        params={"label": "event 7' OR '1'='1"},
    )
    assert connection.read_arrow(request).read_all().num_rows == 0
    request = ReadRequest(query=f"SELECT id FROM {events} WHERE id <= %(n)s", params={"n": 3})
    assert connection.read_arrow(request).read_all().column("id").to_pylist() == [1, 2, 3]


def test_a_query_without_parameters_may_hold_percent_signs(connection: Any, events: str) -> None:
    request = ReadRequest(
        query=f"SELECT id FROM {events} WHERE label LIKE '%00'",
        incremental_column="id",
        incremental_after=500,
    )
    assert connection.read_arrow(request).read_all().column("id").to_pylist() == [
        600,
        700,
        800,
        900,
        1000,
    ]


@pytest.mark.parametrize(
    ("mark", "expected"), [(990, 10), ("2026-02-11 00:00:00", 16), (dt.datetime(2026, 2, 11), 16)]
)
def test_incremental_reads_only_rows_past_the_mark(
    connection: Any, events: str, mark: Any, expected: int
) -> None:
    column = "id" if isinstance(mark, int) else "at"
    request = ReadRequest(table=events, incremental_column=column, incremental_after=mark)
    assert connection.read_arrow(request).read_all().num_rows == expected


def test_no_mark_yet_reads_everything(connection: Any, events: str) -> None:
    request = ReadRequest(table=events, incremental_column="id", incremental_after=None)
    assert connection.read_arrow(request).read_all().num_rows == 1000


def test_batches_are_bounded_by_batch_rows(connection: Any, events: str) -> None:
    reader = connection.read_arrow(ReadRequest(table=events, options={"batch_rows": 300}))
    assert [batch.num_rows for batch in reader] == [300, 300, 300, 100]


def test_an_empty_result_has_the_schema_and_no_rows(connection: Any, events: str) -> None:
    table = connection.read_arrow(
        ReadRequest(query=f"SELECT * FROM {events} WHERE false")
    ).read_all()
    assert table.num_rows == 0
    assert table.schema.names == ["id", "label", "at"]


def test_nulls_stay_nulls_in_every_decoder(connection: Any) -> None:
    query = """SELECT NULL::int2 a, NULL::int4 b, NULL::int8 c, NULL::float4 d, NULL::float8 e,
               NULL::bool f, NULL::date g, NULL::timestamp h, NULL::timestamptz i, NULL::time j,
               NULL::interval k, NULL::bytea l, NULL::text m, NULL::numeric(5,2) n, NULL::jsonb o,
               NULL::uuid p
               UNION ALL SELECT 1, 2, 3, 4.5, 5.5, true, date '2026-01-02',
               timestamp '2026-01-02 03:04:05', timestamptz '2026-01-02 03:04:05+02',
               time '03:04:05',
               interval '1 month 2 days 3 seconds', '\\x00ff', '', 1.25, '{"a": 1}',
               'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'"""
    rows = connection.read_arrow(ReadRequest(query=query)).read_all().to_pylist()
    assert rows[0] == dict.fromkeys("abcdefghijklmnop")
    second = rows[1]
    assert second["i"] == dt.datetime(2026, 1, 2, 1, 4, 5, tzinfo=dt.timezone.utc)
    assert second["k"] == pa.MonthDayNano([1, 2, 3_000_000_000])
    assert second["l"] == b"\x00\xff"
    assert second["m"] == ""
    assert second["o"] == '{"a": 1}'
    assert second["p"] == "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"


def test_infinite_timestamps_fail_clearly(connection: Any) -> None:
    with pytest.raises(PostgresError, match="infinite"):
        connection.read_arrow(ReadRequest(query="SELECT timestamp 'infinity' AS t")).read_all()


def test_a_missing_table_names_itself_and_the_sqlstate(connection: Any, pg_schema: str) -> None:
    with pytest.raises(PostgresError, match=r"read table .*nope.*42P01") as info:
        connection.read_arrow(ReadRequest(table=f"{pg_schema}.nope"))
    assert "check case and schema" in info.value.hint


def test_bad_sql_fails_before_streaming(connection: Any) -> None:
    with pytest.raises(PostgresError, match="42601"):
        connection.read_arrow(ReadRequest(query="SELEC 1"))


def test_unknown_read_options_are_rejected(connection: Any, events: str) -> None:
    with pytest.raises(PostgresError, match="unknown postgres read option"):
        connection.read_arrow(ReadRequest(table=events, options={"batchrows": 5}))


def test_reads_run_in_a_read_only_transaction(connection: Any, pg: Any, pg_schema: str) -> None:
    pg.execute(f"CREATE SEQUENCE {pg_schema}.s")
    with pytest.raises(PostgresError, match="25006"):
        connection.read_arrow(ReadRequest(query=f"SELECT nextval('{pg_schema}.s')")).read_all()


def test_sessions_are_named_after_the_run(connection: Any) -> None:
    request = ReadRequest(query="SELECT current_setting('application_name') AS name")
    names = connection.read_arrow(request).read_all().column("name").to_pylist()
    assert names == ["odibi 20260101T000000Z-test"]
