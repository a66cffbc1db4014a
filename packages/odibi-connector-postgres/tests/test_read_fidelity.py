"""Reads give exactly what PostgreSQL holds: psycopg's own decoding is the independent oracle."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odibi_connector_postgres.errors import PostgresError
from odibi_core.contracts.requests import ReadRequest

pytestmark = pytest.mark.postgres

UTC = dt.timezone.utc
ODD_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
COLUMNS = {
    "id": "int PRIMARY KEY",
    "small": "smallint",
    "big": "bigint",
    "amount": "numeric(38, 9)",
    "wide": "numeric(60, 4)",
    "loose": "numeric",
    "ratio": "double precision",
    "label": "text",
    "flag": "boolean",
    "day": "date",
    "at": "timestamp",
    "at_tz": "timestamptz",
    "span": "interval",
    "raw": "bytea",
    "doc": "jsonb",
    "ref": "uuid",
    "tags": "text[]",
    "code": "varchar(12)",
}
NAMES = list(COLUMNS)
TEXT_FORM = ("loose", "doc", "tags")  # compared with PostgreSQL's own text form of the value


def digits(precision: int, scale: int) -> st.SearchStrategy[decimal.Decimal]:
    limit = 10 ** (precision - scale) - 1
    return st.decimals(
        min_value=-limit, max_value=limit, places=scale, allow_nan=False, allow_infinity=False
    )


ROW = st.fixed_dictionaries(
    {
        "small": st.none() | st.integers(-(2**15), 2**15 - 1),
        "big": st.none() | st.integers(-(2**63), 2**63 - 1),
        "amount": st.none() | digits(38, 9),
        "wide": st.none() | digits(60, 4),
        "loose": st.none() | st.decimals(allow_nan=False, allow_infinity=False, places=20),
        "ratio": st.none() | st.floats(allow_nan=False, width=64),
        "label": st.none() | ODD_TEXT,
        "flag": st.none() | st.booleans(),
        "day": st.none() | st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)),
        "at": st.none() | st.datetimes(dt.datetime(1, 1, 2), dt.datetime(9999, 12, 30)),
        "at_tz": st.none()
        | st.datetimes(dt.datetime(1, 1, 2), dt.datetime(9999, 12, 30), timezones=st.just(UTC)),
        "span": st.none() | st.timedeltas(dt.timedelta(days=-9999), dt.timedelta(days=9999)),
        "raw": st.none() | st.binary(max_size=30),
        "doc": st.none() | st.sampled_from(['{"a": [1, 2]}', "[]", '"x\\ny"', "null", "1.5"]),
        "ref": st.none() | st.uuids(),
        "tags": st.none() | st.lists(st.text("ab ,{}\"'\\", max_size=4), max_size=3),
        "code": st.none() | st.text("abcé✓ ", max_size=12),
    }
)


@pytest.fixture
def typed_table(pg: Any, pg_schema: str) -> str:
    table = f"{pg_schema}.typed"
    pg.execute(f"CREATE TABLE {table} ({', '.join(f'{n} {t}' for n, t in COLUMNS.items())})")
    return table


def expected_value(name: str, value: Any) -> Any:
    """psycopg's Python value in the form the Arrow column gives back."""
    if value is None:
        return None
    if name == "span":
        micros = value.seconds * 1_000_000 + value.microseconds  # days stay days, as stored
        return pa.MonthDayNano([0, value.days, micros * 1000])
    if name == "ref":
        return str(value)
    return value  # text forms (TEXT_FORM) come from the server itself


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ROW, min_size=1, max_size=6))
def test_random_rows_read_back_as_postgresql_holds_them(
    connection: Any, pg: Any, typed_table: str, rows: list[dict[str, Any]]
) -> None:
    pg.execute(f"TRUNCATE {typed_table}")
    placeholders = ", ".join("%s::jsonb" if n == "doc" else "%s" for n in NAMES)
    with pg.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {typed_table} VALUES ({placeholders})",
            [[i] + [row[n] for n in NAMES[1:]] for i, row in enumerate(rows)],
        )
    table = connection.read_arrow(ReadRequest(table=typed_table)).read_all()
    got = sorted(table.to_pylist(), key=lambda r: r["id"])
    reference = pg.execute(
        f"SELECT {', '.join(f'{n}::text' if n in TEXT_FORM else n for n in NAMES)} "
        f"FROM {typed_table} ORDER BY id"
    ).fetchall()
    for mine, theirs in zip(got, reference, strict=True):
        for name, value in zip(NAMES, theirs, strict=True):
            assert mine[name] == expected_value(name, value), name
    assert table.schema.field("amount").type == pa.decimal128(38, 9)
    assert table.schema.field("wide").type == pa.decimal256(60, 4)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=ODD_TEXT)
def test_odd_text_parameters_come_back_unchanged(connection: Any, value: str) -> None:
    request = ReadRequest(query="SELECT %(v)s::text AS v, length(%(v)s) AS n", params={"v": value})
    row = connection.read_arrow(request).read_all().to_pylist()
    assert row == [{"v": value, "n": len(value)}]


def test_types_without_an_arrow_form_read_as_postgresql_text(connection: Any, pg: Any) -> None:
    pg.execute("DROP TYPE IF EXISTS odibi_mood; CREATE TYPE odibi_mood AS ENUM ('ok', 'sad')")
    query = """SELECT ARRAY[1, NULL, 3] AS ints, ARRAY['a b', '"q"'] AS texts,
        '10.1.2.3/8'::inet AS net, 'sad'::odibi_mood AS mood, int4range(1, 5) AS span,
        '{"b": 1, "a": [true]}'::jsonb AS doc, 'a'::"char" AS ch, 4000000000::oid AS big_oid,
        12345678901234567890.123456789::numeric(38, 9) AS exact,
        123.45::numeric AS loose, 100::numeric(3, -2) AS hundreds"""
    row = connection.read_arrow(ReadRequest(query=query)).read_all().to_pylist()[0]
    assert row == {
        "ints": "{1,NULL,3}",
        "texts": '{"a b","\\"q\\""}',
        "net": "10.1.2.3/8",
        "mood": "sad",
        "span": "[1,5)",
        "doc": '{"a": [true], "b": 1}',
        "ch": "a",
        "big_oid": 4_000_000_000,
        "exact": decimal.Decimal("12345678901234567890.123456789"),
        "loose": "123.45",
        "hundreds": decimal.Decimal(100),
    }


@pytest.mark.parametrize(
    "query",
    [
        "SELECT date 'infinity' AS d",
        "SELECT timestamptz '-infinity' AS t",
        "SELECT i, CASE WHEN i = 70000 THEN timestamp 'infinity' ELSE now()::timestamp END AS t "
        "FROM generate_series(1, 70000) AS i",
    ],
)
def test_infinite_dates_and_timestamps_fail_clearly(connection: Any, query: str) -> None:
    with pytest.raises(PostgresError, match="infinite") as info:
        connection.read_arrow(ReadRequest(query=query)).read_all()
    assert "CAST" in info.value.hint


def test_nan_in_a_decimal_column_fails_with_a_hint(connection: Any) -> None:
    with pytest.raises(PostgresError, match="does not fit") as info:
        connection.read_arrow(ReadRequest(query="SELECT 'NaN'::numeric(5, 2) AS n")).read_all()
    assert "NaN" in info.value.hint


def test_uuid_and_timestamptz_keep_their_meaning(connection: Any, pg: Any) -> None:
    pg.execute("SET TimeZone TO 'America/Los_Angeles'")  # the reader's own session is UTC-agnostic
    ref = uuid.uuid4()
    request = ReadRequest(
        query="SELECT %(ref)s::uuid AS ref, timestamptz '2026-03-08 02:30:00-08' AS at",
        params={"ref": str(ref)},
    )
    row = connection.read_arrow(request).read_all().to_pylist()[0]
    assert row == {"ref": str(ref), "at": dt.datetime(2026, 3, 8, 10, 30, tzinfo=UTC)}
