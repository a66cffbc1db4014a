"""The documented type mapping of writes (reads: test_read_types.py)."""

from __future__ import annotations

import pyarrow as pa
import pytest
from odibi_connector_postgres.errors import PostgresUnsupportedType
from odibi_connector_postgres.type_map import ddl_type, family


@pytest.mark.parametrize(
    ("arrow_type", "ddl"),
    [
        (pa.bool_(), "boolean"),
        (pa.int8(), "smallint"),
        (pa.uint8(), "smallint"),
        (pa.int16(), "smallint"),
        (pa.int32(), "integer"),
        (pa.uint16(), "integer"),
        (pa.int64(), "bigint"),
        (pa.uint32(), "bigint"),
        (pa.uint64(), "numeric(20, 0)"),
        (pa.float32(), "real"),
        (pa.float64(), "double precision"),
        (pa.decimal128(12, 2), "numeric(12, 2)"),
        (pa.string(), "text"),
        (pa.large_string(), "text"),
        (pa.binary(), "bytea"),
        (pa.date32(), "date"),
        (pa.time64("us"), "time"),
        (pa.timestamp("us"), "timestamp"),
        (pa.timestamp("us", tz="UTC"), "timestamptz"),
        (pa.duration("us"), "interval"),
        (pa.month_day_nano_interval(), "interval"),
        (pa.null(), "text"),
        (pa.uuid(), "uuid"),
        (pa.dictionary(pa.int32(), pa.string()), "text"),
    ],
)
def test_created_columns_follow_the_mapping(arrow_type: pa.DataType, ddl: str) -> None:
    assert ddl_type(arrow_type) == ddl


@pytest.mark.parametrize(
    "arrow_type",
    [pa.list_(pa.int32()), pa.struct([("a", pa.int32())]), pa.map_(pa.string(), pa.int32())],
)
def test_nested_types_are_refused_clearly(arrow_type: pa.DataType) -> None:
    with pytest.raises(PostgresUnsupportedType, match="cannot be written"):
        family(arrow_type)
    with pytest.raises(PostgresUnsupportedType):
        ddl_type(arrow_type)
