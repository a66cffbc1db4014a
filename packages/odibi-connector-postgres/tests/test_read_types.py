"""The documented type mapping of reads, and the finishing of the driver's columns (no server)."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from odibi_connector_postgres.errors import PostgresError
from odibi_connector_postgres.read_types import finish_column, read_column


def described(
    typname: str, arrow_type: pa.DataType | None = None, typmod: int | None = None
) -> pa.Field:
    metadata = {b"POSTGRESQL:type": typname.encode()}
    if typmod is not None:
        metadata[b"POSTGRESQL:typmod"] = str(typmod).encode()
    return pa.field("c", arrow_type or pa.string(), metadata=metadata)


def typmod(precision: int, scale: int) -> int:
    return ((precision << 16) | (scale & 0x7FF)) + 4


@pytest.mark.parametrize(
    ("typname", "arrow_type"),
    [
        ("bool", pa.bool_()),
        ("int2", pa.int16()),
        ("int4", pa.int32()),
        ("int8", pa.int64()),
        ("oid", pa.uint32()),
        ("float4", pa.float32()),
        ("float8", pa.float64()),
        ("date", pa.date32()),
        ("time", pa.time64("us")),
        ("timestamp", pa.timestamp("us")),
        ("timestamptz", pa.timestamp("us", tz="UTC")),
        ("interval", pa.month_day_nano_interval()),
        ("bytea", pa.binary()),
        ("text", pa.string()),
        ("varchar", pa.string()),
        ("bpchar", pa.string()),
        ("name", pa.string()),
        ("json", pa.string()),
        ("jsonb", pa.string()),
    ],
)
def test_types_the_driver_decodes_arrive_as_documented(
    typname: str, arrow_type: pa.DataType
) -> None:
    column = read_column(described(typname))
    assert column.arrow_type == arrow_type
    assert not column.as_text


@pytest.mark.parametrize("typname", ["uuid", "_int4", "inet", "mood", "char", "unnamed<oid:3904>"])
def test_every_other_type_is_cast_to_text_by_the_server(typname: str) -> None:
    column = read_column(described(typname, pa.binary()))
    assert column.as_text
    assert column.arrow_type == pa.string()


def test_numeric_reads_as_decimal_with_its_precision_and_scale() -> None:
    assert read_column(described("numeric", typmod=typmod(12, 2))).arrow_type == pa.decimal128(
        12, 2
    )
    assert read_column(described("numeric", typmod=typmod(60, 4))).arrow_type == pa.decimal256(
        60, 4
    )
    # PostgreSQL 15 allows a negative scale: numeric(3, -2) holds whole numbers up to 99900
    assert read_column(described("numeric", typmod=typmod(3, -2))).arrow_type == pa.decimal128(5, 0)


@pytest.mark.parametrize("modifier", [-1, typmod(1000, 500), typmod(77, 0)])
def test_numeric_without_a_decimal_form_reads_as_exact_text(modifier: int) -> None:
    column = read_column(described("numeric", typmod=modifier))
    assert column.arrow_type == pa.string()
    assert not column.as_text  # the driver already sends the exact text


@settings(max_examples=60, deadline=None)
@given(
    precision=st.integers(1, 38),
    data=st.data(),
)
def test_decimal_text_from_the_driver_becomes_the_same_decimal(
    precision: int, data: st.DataObject
) -> None:
    import decimal

    scale = data.draw(st.integers(0, precision))
    digits = data.draw(st.lists(st.integers(0, 9), min_size=precision, max_size=precision))
    sign = data.draw(st.sampled_from(["", "-"]))
    whole, fraction = digits[: precision - scale], digits[precision - scale :]
    text = sign + ("".join(map(str, whole)) or "0")
    if scale:
        text += "." + "".join(map(str, fraction))
    column = read_column(described("numeric", typmod=typmod(precision, scale)))
    array = finish_column(pa.array([text, None], pa.string()), column)
    assert array.type == pa.decimal128(precision, scale)
    assert array.to_pylist() == [decimal.Decimal(text), None]


def test_nan_in_a_decimal_column_fails_with_a_hint() -> None:
    column = read_column(described("numeric", typmod=typmod(5, 2)))
    with pytest.raises(PostgresError, match="does not fit decimal128") as info:
        finish_column(pa.array(["1.00", "nan"]), column)
    assert "NaN" in info.value.hint


def test_oid_bits_become_unsigned() -> None:
    column = read_column(described("oid", pa.int32()))
    array = finish_column(pa.array([-294967296, 26, None], pa.int32()), column)
    assert array.to_pylist() == [4_000_000_000, 26, None]


@pytest.mark.parametrize(
    ("typname", "storage", "sentinel"),
    [
        ("date", pa.int32(), -2147472692),  # infinity + the epoch shift, wrapped
        ("timestamp", pa.int64(), -9222425352054775809),
        ("timestamptz", pa.int64(), -9222425352054775808),  # -infinity
    ],
)
def test_infinite_dates_and_timestamps_fail_clearly(
    typname: str, storage: pa.DataType, sentinel: int
) -> None:
    column = read_column(described(typname))
    raw = pa.array([0, sentinel], storage).view(column.arrow_type)
    with pytest.raises(PostgresError, match="infinite"):
        finish_column(raw, column)
    assert finish_column(pa.array([0, None], storage).view(column.arrow_type), column).null_count


def test_a_driver_that_maps_a_type_differently_fails_loudly() -> None:
    column = read_column(described("int4"))
    with pytest.raises(PostgresError, match="arrived as int64, not int32") as info:
        finish_column(pa.array([1], pa.int64()), column)
    assert "adbc-driver-postgresql" in info.value.hint
