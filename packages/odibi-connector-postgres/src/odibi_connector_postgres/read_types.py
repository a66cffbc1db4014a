"""The type mapping of reads: PostgreSQL result column -> Arrow field.

The ADBC driver (``adbc-driver-postgresql``) decodes PostgreSQL's binary ``COPY`` into Arrow in
C. Most types arrive as the Arrow type below directly; the others are cast to ``text`` by the
server (so they arrive as PostgreSQL's own text form), and a few are finished here, a whole
column at a time:

============================  ==================================================
PostgreSQL                    Arrow
============================  ==================================================
boolean                       bool
smallint / integer / bigint   int16 / int32 / int64
oid                           uint32
real / double precision       float32 / float64
numeric(p, s)                 decimal128(p, s) (decimal256 above 38 digits)
numeric (no precision)        string (exact; CAST in the query for a decimal)
text, varchar, char, name     string
bytea                         binary
date                          date32
time                          time64[us]
timestamp                     timestamp[us]
timestamptz                   timestamp[us, tz=UTC]
interval                      month_day_nano_interval
json, jsonb                   string (PostgreSQL's text form)
uuid, enums, arrays, others   string (PostgreSQL's text form, cast by the server)
============================  ==================================================

Values Arrow cannot hold fail the read instead of being changed: ``infinity`` dates and
timestamps, ``NaN`` and infinite values in a ``numeric(p, s)`` column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from odibi_connector_postgres.errors import PostgresError

if TYPE_CHECKING:
    import pyarrow as pa

TYPE_KEY = b"POSTGRESQL:type"
TYPMOD_KEY = b"POSTGRESQL:typmod"

MAX_DECIMAL128_PRECISION = 38
MAX_DECIMAL256_PRECISION = 76

# The driver adds the 1970-2000 epoch shift to PostgreSQL's +-infinity sentinels, which wraps them
# to values far below any real date or timestamp (PostgreSQL's earliest is 4713 BC).
INFINITE_BELOW = {"date": -(2**30), "timestamp": -(2**62)}


@dataclass(frozen=True)
class ReadColumn:
    """How one result column travels and what it becomes.

    Attributes:
        name: Column name.
        typname: PostgreSQL's type name (``int4``, ``numeric``, ``_text`` ...).
        arrow_type: The Arrow type of the column the reader yields.
        as_text: ``True`` when the server casts the column to ``text`` first.
        finish: What happens to the driver's column here: ``""`` (nothing), ``"decimal"``,
            ``"storage"`` (an extension type's plain storage), ``"oid"`` (int32 bits as uint32),
            ``"date"`` or ``"timestamp"`` (refuse infinite values).
    """

    name: str
    typname: str
    arrow_type: pa.DataType
    as_text: bool = False
    finish: str = ""


def read_column(field: pa.Field) -> ReadColumn:
    """The :class:`ReadColumn` of a field of the driver's described schema."""
    import pyarrow as pa

    metadata = field.metadata or {}
    typname = metadata.get(TYPE_KEY, b"").decode()
    native: dict[str, tuple[pa.DataType, str]] = {
        "bool": (pa.bool_(), ""),
        "int2": (pa.int16(), ""),
        "int4": (pa.int32(), ""),
        "int8": (pa.int64(), ""),
        "oid": (pa.uint32(), "oid"),
        "float4": (pa.float32(), ""),
        "float8": (pa.float64(), ""),
        "date": (pa.date32(), "date"),
        "time": (pa.time64("us"), ""),
        "timestamp": (pa.timestamp("us"), "timestamp"),
        "timestamptz": (pa.timestamp("us", tz="UTC"), "timestamp"),
        "interval": (pa.month_day_nano_interval(), ""),
        "bytea": (pa.binary(), ""),
        "text": (pa.string(), ""),
        "varchar": (pa.string(), ""),
        "bpchar": (pa.string(), ""),
        "name": (pa.string(), ""),
        "json": (pa.string(), "storage"),
        "jsonb": (pa.string(), "storage"),
    }
    if typname in native:
        arrow_type, finish = native[typname]
        return ReadColumn(field.name, typname, arrow_type, finish=finish)
    if typname == "numeric":
        decimal = _decimal_type(int(metadata.get(TYPMOD_KEY, b"-1")))
        if decimal is not None:
            return ReadColumn(field.name, typname, decimal, finish="decimal")
        return ReadColumn(field.name, typname, pa.string(), finish="storage")
    # uuid, enums, arrays, ranges, network types, "char", unknown literals, ...
    return ReadColumn(field.name, typname, pa.string(), as_text=True)


def _decimal_type(typmod: int) -> pa.DataType | None:
    """``decimal128/256(p, s)`` of a ``numeric(p, s)`` typmod; ``None`` when unconstrained."""
    import pyarrow as pa

    if typmod < 4:
        return None
    precision = ((typmod - 4) >> 16) & 0xFFFF
    scale = (((typmod - 4) & 0x7FF) ^ 1024) - 1024  # 11-bit signed (negative since PostgreSQL 15)
    if scale < 0:  # numeric(3, -2) holds whole numbers of up to 3 + 2 digits
        precision, scale = precision - scale, 0
    if precision <= MAX_DECIMAL128_PRECISION:
        return pa.decimal128(precision, scale)
    if precision <= MAX_DECIMAL256_PRECISION:
        return pa.decimal256(precision, scale)
    return None


def finish_batch(
    batch: pa.RecordBatch, columns: list[ReadColumn], schema: pa.Schema
) -> pa.RecordBatch:
    """``batch`` as the driver produced it, turned into ``schema`` (a column at a time)."""
    import pyarrow as pa

    arrays = [finish_column(batch.column(i), column) for i, column in enumerate(columns)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def finish_column(array: pa.Array, column: ReadColumn) -> pa.Array:
    """One column of the driver's batch in its documented Arrow type (or a clear error)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(array.type, pa.BaseExtensionType):
        array = array.storage
    kind = column.finish
    if kind == "oid":
        array = array.view(pa.uint32())  # the driver hands the unsigned bits over as int32
    elif kind == "decimal":
        try:
            array = pc.cast(array, column.arrow_type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise PostgresError(
                f"column {column.name!r}: a value does not fit {column.arrow_type} ({exc})",
                hint="NaN and infinite numerics have no decimal form: filter or CAST them.",
            ) from None
    elif kind in INFINITE_BELOW and array.null_count < len(array):
        storage = pa.int32() if kind == "date" else pa.int64()
        if pc.min(array.view(storage)).as_py() < INFINITE_BELOW[kind]:
            raise PostgresError(
                f"column {column.name!r} holds an infinite date or timestamp (Arrow has none)",
                hint="Filter it out or CAST it in the query (e.g. to text).",
            )
    if array.type != column.arrow_type:
        raise PostgresError(
            f"column {column.name!r} ({column.typname}) arrived as {array.type}, "
            f"not {column.arrow_type}",
            hint="The installed adbc-driver-postgresql maps this type differently: "
            "CAST the column in the query, or install a supported version.",
        )
    return array
