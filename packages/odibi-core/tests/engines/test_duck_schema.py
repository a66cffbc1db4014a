"""The duckdb engine's schema of a frame: spelt as Arrow spells it, whichever way it was found
(plain types from binding the frame's query alone, other types from Arrow)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from odibi_core.contracts.requests import ColumnInfo
from odibi_core.engines.duckdb_engine import DuckDBEngine, EngineError

PLAIN = (
    "SELECT true AS b, 1::TINYINT AS i8, 2::SMALLINT AS i16, 3 AS i32, 4::BIGINT AS i64, "
    "5::UBIGINT AS u64, 1.5::FLOAT AS f, 2.5::DOUBLE AS d, 'x' AS s, 'y'::BLOB AS bin, "
    "DATE '2024-01-02' AS day, TIME '10:00' AS t, TIMESTAMP '2024-01-02 03:04' AS ts, "
    "1.25::DECIMAL(9,2) AS dec, 7 AS dup, 8 AS dup"
)
OTHER = (
    "SELECT [1, 2] AS list, {'a': 1} AS struct, TIMESTAMPTZ '2024-01-02' AS tz, "
    "INTERVAL 1 DAY AS span, 1::HUGEINT AS huge, 3 AS plain"
)


@pytest.fixture
def engine() -> Iterator[DuckDBEngine]:
    engine = DuckDBEngine()
    yield engine
    engine.close()


def arrow_schema(engine: DuckDBEngine, ref: str) -> list[ColumnInfo]:
    table = engine._cursor().sql(f"SELECT * FROM {ref} LIMIT 0").to_arrow_table()
    return [ColumnInfo(f.name, str(f.type)) for f in table.schema]


@pytest.mark.parametrize("query", [PLAIN, OTHER], ids=["plain types", "other types"])
def test_the_schema_is_arrows_spelling(engine: DuckDBEngine, query: str) -> None:
    frame = engine.sql(query, {})
    assert engine.schema(frame) == arrow_schema(engine, frame.ref)


def test_a_query_whose_rows_fail_still_has_a_schema(engine: DuckDBEngine) -> None:
    # a plain-typed query that fails only when a row is computed: the schema only binds it
    frame = engine.sql("SELECT CAST(error('not computed') AS INTEGER) AS x FROM range(3)", {})
    assert engine.schema(frame) == [ColumnInfo("x", "int32")]
    with pytest.raises(EngineError, match="not computed"):
        engine.compute(frame)


def test_a_schema_that_does_not_bind_is_an_engine_error(engine: DuckDBEngine) -> None:
    source = engine.sql("SELECT 1 AS id", {})
    frame = engine.sql("SELECT id FROM this", {"this": source})
    engine._con.execute(f"DROP VIEW {frame.schema}.this")
    with pytest.raises(EngineError, match="this"):
        engine.schema(frame)
