"""The duckdb engine's fast path gives exactly what the Arrow interchange gives, and falls back
to it for tables whose data files it cannot read as they are."""

from __future__ import annotations

import logging
from datetime import date, datetime, timezone

import pyarrow as pa
import pytest
from odibi_core.contracts.requests import ReadRequest
from odibi_core.engines.duckdb_engine import DuckDBEngine, DuckFrame
from odibi_format_delta.duck import DuckDBDeltaPath


@pytest.fixture
def engine():
    engine = DuckDBEngine()
    yield engine
    engine.close()


def both(engine, delta, lake, **kwargs):
    """(fast path rows, Arrow path rows, fast frame) for one read."""
    request = ReadRequest(format="delta", path=kwargs.pop("path", "t"), **kwargs)
    fast = DuckDBDeltaPath().read(engine, delta, lake, request)
    slow = engine.from_arrow(delta.read_arrow(lake, request))

    def rows(frame):
        table = engine.to_arrow(frame).read_all()
        return table.schema, sorted(table.to_pylist(), key=repr)

    return rows(fast), rows(slow), fast


CASES = [
    {},
    {"options": {"columns": ["amount", "id"]}},
    {"options": {"partition_filter": [["region", "=", "EU"]]}},
    {"options": {"partition_filter": [["region", "not in", ["EU"]], ["day", ">=", 2]]}},
    {"options": {"version": 0}},
    {"incremental_column": "id", "incremental_after": 2},
]


@pytest.mark.parametrize("case", CASES)
def test_fast_path_matches_the_arrow_path(write, delta, lake, engine, case):
    write(
        {
            "id": [1, 2, 3],
            "region": ["EU", "US", "EU"],
            "day": [1, 2, 3],
            "amount": [1.5, 2.5, 3.5],
            "at": [datetime(2026, 1, d, tzinfo=timezone.utc) for d in (1, 2, 3)],
            "on": [date(2026, 1, d) for d in (1, 2, 3)],
        },
        partition_by=["region", "day"],
    )
    write(
        {
            "id": [4],
            "region": ["US"],
            "day": [4],
            "amount": [4.5],
            "at": [datetime(2026, 1, 4, tzinfo=timezone.utc)],
            "on": [date(2026, 1, 4)],
        },
        mode="append",
        partition_by=["region", "day"],
    )
    fast, slow, frame = both(engine, delta, lake, **case)
    assert fast == slow
    assert isinstance(frame, DuckFrame)
    assert frame.scan is not None


def test_columns_added_later_read_as_nulls(write, delta, lake, engine):
    write({"id": [1]})
    write({"id": [2], "extra": ["x"]}, mode="append", schema_mode="merge")
    fast, slow, _ = both(engine, delta, lake)
    assert fast == slow
    assert [r["extra"] for r in fast[1]] == [None, "x"]


def test_null_partitions_and_empty_tables_fall_back_to_arrow(write, delta, lake, engine, caplog):
    write({"id": [1, 2], "region": ["EU", None]}, partition_by=["region"])
    with caplog.at_level(logging.DEBUG, logger="odibi.delta"):
        fast, slow, _ = both(engine, delta, lake)
    assert fast == slow
    assert "read through Arrow (partition folders" in caplog.text
    write(pa.table({"id": pa.array([], pa.int64())}), path="empty")
    fast, slow, _ = both(engine, delta, lake, path="empty")
    assert fast == slow
    assert fast[1] == []
