"""Decode binary ``COPY ... TO STDOUT`` data into Arrow record batches, a column at a time.

PostgreSQL sends every row of a ``COPY TO`` as its own CopyData message (a documented property
of the protocol), so the row boundaries of a batch are known from the message lengths alone and
no byte is parsed in a Python loop: each column's fields are located for all rows of the batch at
once with numpy, then converted to Arrow arrays in bulk. A row is::

    int16 field count, then per field: int32 length (-1 for NULL) and that many bytes

The first message starts with the 19-byte file header, the last one is the trailer ``-1``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from odibi_connector_postgres.errors import PostgresError

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from odibi_connector_postgres.type_map import ReadColumn

SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
HEADER_LENGTH = len(SIGNATURE) + 8  # flags, header extension length
TRAILER = b"\xff\xff"
PG_EPOCH_DAYS = 10_957  # 2000-01-01 - 1970-01-01
PG_EPOCH_US = PG_EPOCH_DAYS * 86_400 * 1_000_000
PADDING = 16  # zero bytes appended so reads at NULL fields never leave the buffer


def strip_header(message: bytes | bytearray | memoryview) -> bytes:
    """Remove the file header from the first message (and check it)."""
    message = bytes(message)
    if not message.startswith(SIGNATURE):
        raise PostgresError("COPY data does not start with the binary COPY signature")
    extension = int.from_bytes(message[len(SIGNATURE) + 4 : HEADER_LENGTH], "big")
    return message[HEADER_LENGTH + extension :]


def decode_rows(
    messages: Sequence[bytes | bytearray | memoryview], columns: Sequence[ReadColumn]
) -> pa.RecordBatch:
    """One record batch from ``messages``, each exactly one binary COPY row of ``columns``."""
    import numpy as np
    import pyarrow as pa

    count = len(messages)
    lengths = np.fromiter(map(len, messages), dtype=np.int64, count=count)
    starts = np.zeros(count, dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    buf = np.frombuffer(b"".join(messages) + bytes(PADDING), dtype=np.uint8)
    if count and not (_read_int(buf, starts, 2) == len(columns)).all():
        raise PostgresError(f"COPY rows do not hold the {len(columns)} columns that were described")
    position = starts + 2
    arrays = []
    for column in columns:
        size = _read_int(buf, position, 4)
        nulls = size < 0
        data = position + 4
        size = np.where(nulls, 0, size)
        position = data + size
        arrays.append(_decode_column(column, buf, data, size, nulls))
    if count and not (position == starts + lengths).all():
        raise PostgresError("COPY rows are longer than their described columns")
    return pa.RecordBatch.from_arrays(
        arrays, schema=pa.schema([pa.field(c.name, c.arrow_type) for c in columns])
    )


def _read_int(buf: np.ndarray, at: np.ndarray, width: int) -> np.ndarray:
    """Big-endian signed integers of ``width`` bytes at every offset in ``at``, as int64."""
    import numpy as np

    return _read(buf, at, f">i{width}").astype(np.int64)


def _read(buf: np.ndarray, at: np.ndarray, wire: str) -> np.ndarray:
    """The values of numpy type ``wire`` starting at every byte offset in ``at`` (one gather).

    The view has a stride of one byte, so element ``k`` is the value whose bytes start at ``k``.
    """
    import numpy as np

    dtype = np.dtype(wire)
    view = np.ndarray((len(buf) - dtype.itemsize + 1,), dtype=dtype, buffer=buf, strides=(1,))
    return view[at]


def _decode_column(
    column: ReadColumn, buf: np.ndarray, data: np.ndarray, size: np.ndarray, nulls: np.ndarray
) -> pa.Array:
    import numpy as np
    import pyarrow as pa

    validity = _validity(nulls)
    kind = column.kind
    if kind in _FIXED:
        width, wire = _FIXED[kind]
        _check_width(column, size, nulls, width)
        values = _read(buf, data, wire)
        if kind == "bool":
            return _from_buffer(
                pa.bool_(), len(data), validity, np.packbits(values != 0, bitorder="little")
            )
        if kind == "date":
            _check_finite(column, values, nulls, np.iinfo(np.int32))
            values = values.astype(np.int32) + np.int32(PG_EPOCH_DAYS)
        elif kind == "timestamp":
            _check_finite(column, values, nulls, np.iinfo(np.int64))
            values = values.astype(np.int64) + np.int64(PG_EPOCH_US)
        else:
            values = values.astype(np.dtype(wire).newbyteorder("="))
        return _from_buffer(column.arrow_type, len(data), validity, values)
    if kind == "interval":
        _check_width(column, size, nulls, 16)
        packed = np.empty(len(data), dtype=[("months", "<i4"), ("days", "<i4"), ("nanos", "<i8")])
        packed["months"] = _read(buf, data + 12, ">i4")
        packed["days"] = _read(buf, data + 8, ">i4")
        packed["nanos"] = _read(buf, data, ">i8").astype(np.int64) * 1000
        return _from_buffer(column.arrow_type, len(data), validity, packed)
    binary = _variable(buf, data, size, validity)
    if kind == "bytes":
        return binary
    text = binary.view(pa.string())
    if kind == "decimal":
        try:
            return text.cast(column.arrow_type)
        except pa.ArrowInvalid as exc:
            raise PostgresError(
                f"column {column.name!r}: a value does not fit {column.arrow_type} ({exc})",
                hint="NaN and infinite numerics have no decimal form: filter or CAST them.",
            ) from None
    return text


def _validity(nulls: np.ndarray) -> pa.Buffer | None:
    """Arrow's validity bitmap (1 = present), or ``None`` when nothing is NULL."""
    import numpy as np
    import pyarrow as pa

    if not nulls.any():
        return None
    return pa.py_buffer(np.packbits(~nulls, bitorder="little"))


def _from_buffer(
    arrow_type: pa.DataType, length: int, validity: pa.Buffer | None, values: np.ndarray
) -> pa.Array:
    """An Arrow array over ``values``' memory (no per-value conversion)."""
    import numpy as np
    import pyarrow as pa

    return pa.Array.from_buffers(
        arrow_type, length, [validity, pa.py_buffer(np.ascontiguousarray(values))]
    )


def _variable(
    buf: np.ndarray, data: np.ndarray, size: np.ndarray, validity: pa.Buffer | None
) -> pa.Array:
    """A binary array of the variable-length fields (offsets from ``size``, bytes gathered)."""
    import numpy as np
    import pyarrow as pa

    offsets = np.zeros(len(data) + 1, dtype=np.int64)
    np.cumsum(size, out=offsets[1:])
    total = int(offsets[-1])
    if total:
        index = np.repeat(data - offsets[:-1], size) + np.arange(total, dtype=np.int64)
        payload = buf[index]
    else:
        payload = np.zeros(0, dtype=np.uint8)
    large = pa.Array.from_buffers(
        pa.large_binary(), len(data), [validity, pa.py_buffer(offsets), pa.py_buffer(payload)]
    )
    return large.cast(pa.binary()) if total < 2**31 else large


def _check_width(column: ReadColumn, size: np.ndarray, nulls: np.ndarray, width: int) -> None:
    if ((size != width) & ~nulls).any():
        raise PostgresError(
            f"column {column.name!r}: unexpected field width in COPY data (expected {width})"
        )


def _check_finite(
    column: ReadColumn, values: np.ndarray, nulls: np.ndarray, limits: np.iinfo
) -> None:
    if (((values == limits.max) | (values == limits.min)) & ~nulls).any():
        raise PostgresError(
            f"column {column.name!r} holds an infinite date or timestamp (Arrow has none)",
            hint="Filter it out or CAST it in the query (e.g. to text).",
        )


_FIXED: dict[str, tuple[int, str]] = {
    "bool": (1, "u1"),
    "int2": (2, ">i2"),
    "int4": (4, ">i4"),
    "int8": (8, ">i8"),
    "oid": (4, ">u4"),
    "float4": (4, ">f4"),
    "float8": (8, ">f8"),
    "date": (4, ">i4"),
    "time": (8, ">i8"),
    "timestamp": (8, ">i8"),
}
"""Fixed-width decoders: field width in bytes and numpy dtype of the wire format (big-endian)."""
