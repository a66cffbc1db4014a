"""Encode Arrow record batches as ``COPY ... FROM STDIN (FORMAT csv)`` data.

Arrow's C++ CSV writer formats whole columns at once, which is what makes writes fast: no value
becomes a Python object unless its type has no CSV form (bytea, intervals, uuid), and those few
are converted here column by column. Strings are always quoted, so an empty string (``""``)
and a NULL (an empty unquoted field) stay apart. Timestamps with a time zone are written as UTC
instants; the write transaction sets ``TimeZone`` to UTC so PostgreSQL reads them back as such.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa


def csv_chunks(reader: pa.RecordBatchReader) -> Iterator[tuple[int, bytes]]:
    """``(rows, csv_bytes)`` for every batch of ``reader`` (no header line)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    for batch in reader:
        if batch.num_rows == 0:
            continue
        prepared = pa.RecordBatch.from_arrays(
            [csv_ready(column) for column in batch.columns], names=batch.schema.names
        )
        sink = pa.BufferOutputStream()
        pacsv.write_csv(prepared, sink, options)
        yield batch.num_rows, sink.getvalue().to_pybytes()


def csv_ready(array: pa.Array) -> pa.Array:
    """``array`` in a type Arrow's CSV writer formats the way PostgreSQL parses it."""
    import pyarrow as pa
    import pyarrow.types as t

    kind = array.type
    if isinstance(kind, pa.BaseExtensionType):
        if kind.extension_name == "arrow.uuid":
            return _python_map(array.storage, lambda v: _uuid_text(v))
        return csv_ready(array.storage)
    if t.is_dictionary(kind):
        return csv_ready(array.cast(kind.value_type))
    if t.is_timestamp(kind) and kind.tz is not None:
        return array.cast(pa.timestamp(kind.unit))  # the same instants, as UTC wall time
    if t.is_float16(kind):
        return array.cast(pa.float32())
    if t.is_date64(kind):
        return array.cast(pa.date32())
    if t.is_null(kind):
        return array.cast(pa.string())
    if t.is_string_view(kind):
        return array.cast(pa.string())
    if (
        t.is_binary(kind)
        or t.is_large_binary(kind)
        or t.is_fixed_size_binary(kind)
        or t.is_binary_view(kind)
    ):
        return _python_map(array, lambda v: "\\x" + v.hex())
    if t.is_duration(kind):
        micros = array.cast(pa.duration("us")).cast(pa.int64())
        return _python_map(micros, lambda v: f"{v} microseconds")
    if t.is_interval(kind):
        return _python_map(array, _interval_text)
    return array


def _python_map(array: pa.Array, convert: Callable[[Any], str]) -> pa.Array:
    """The slow path for the few types without a CSV form: one Python call per value."""
    import pyarrow as pa

    return pa.array(
        [None if v is None else convert(v) for v in array.to_pylist()], type=pa.string()
    )


def _uuid_text(value: Any) -> str:
    import uuid

    return str(value) if isinstance(value, uuid.UUID) else str(uuid.UUID(bytes=bytes(value)))


def _interval_text(value: Any) -> str:
    months, days, nanos = value.months, value.days, value.nanoseconds
    return f"{months} months {days} days {nanos // 1000} microseconds"
