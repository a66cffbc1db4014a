"""The type mapping between PostgreSQL and Arrow, in both directions.

Reading (PostgreSQL column -> Arrow field):

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
json, jsonb, uuid, others     string (PostgreSQL's text form)
============================  ==================================================

Writing (Arrow field -> PostgreSQL column of a table the connection creates):

============================  ==================================================
Arrow                         PostgreSQL
============================  ==================================================
bool                          boolean
int8, int16, uint8            smallint
int32, uint16                 integer
int64, uint32                 bigint
uint64                        numeric(20, 0)
float16, float32              real
float64                       double precision
decimal(p, s)                 numeric(p, s)
string, large_string          text
binary, fixed_size_binary     bytea
uuid (extension)              uuid
json (extension)              jsonb
date32, date64                date
time32, time64                time
timestamp                     timestamp
timestamp with a time zone    timestamptz
duration, interval            interval
null                          text
============================  ==================================================

Nested types (list, struct, map) are not written: turn them into JSON text in a SQL step.

An existing column accepts a frame column when its PostgreSQL type category
(``pg_type.typcategory``) is one the Arrow type may go to: see :data:`ACCEPTED_CATEGORIES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from odibi_connector_postgres.errors import PostgresUnsupportedType

if TYPE_CHECKING:
    import pyarrow as pa

# Built-in type OIDs (fixed in PostgreSQL's catalog since forever).
BOOL, BYTEA, NAME, INT8, INT2, INT4, TEXT, OID = 16, 17, 19, 20, 21, 23, 25, 26
FLOAT4, FLOAT8, BPCHAR, VARCHAR = 700, 701, 1042, 1043
DATE, TIME, TIMESTAMP, TIMESTAMPTZ, INTERVAL, NUMERIC = 1082, 1083, 1114, 1184, 1186, 1700

TEXT_OIDS = frozenset({TEXT, VARCHAR, BPCHAR, NAME})

MAX_DECIMAL128_PRECISION = 38
MAX_DECIMAL256_PRECISION = 76


@dataclass(frozen=True)
class ReadColumn:
    """How one result column travels: in binary as is, or cast to text by the server first.

    Attributes:
        name: Column name.
        kind: Decoder name (see :mod:`odibi_connector_postgres.decode`).
        arrow_type: The Arrow type of the decoded column.
        as_text: ``True`` when the query casts the column to ``text`` (PostgreSQL's text form).
    """

    name: str
    kind: str
    arrow_type: pa.DataType
    as_text: bool = False


def read_column(name: str, oid: int, precision: int | None, scale: int | None) -> ReadColumn:
    """The :class:`ReadColumn` of a result column of type ``oid`` (numeric: precision, scale)."""
    import pyarrow as pa

    fixed = {
        BOOL: ("bool", pa.bool_()),
        INT2: ("int2", pa.int16()),
        INT4: ("int4", pa.int32()),
        INT8: ("int8", pa.int64()),
        OID: ("oid", pa.uint32()),
        FLOAT4: ("float4", pa.float32()),
        FLOAT8: ("float8", pa.float64()),
        DATE: ("date", pa.date32()),
        TIME: ("time", pa.time64("us")),
        TIMESTAMP: ("timestamp", pa.timestamp("us")),
        TIMESTAMPTZ: ("timestamp", pa.timestamp("us", tz="UTC")),
        INTERVAL: ("interval", pa.month_day_nano_interval()),
        BYTEA: ("bytes", pa.binary()),
    }
    if oid in fixed:
        kind, arrow_type = fixed[oid]
        return ReadColumn(name, kind, arrow_type)
    if oid in TEXT_OIDS:
        return ReadColumn(name, "text", pa.string())
    if oid == NUMERIC and precision is not None and scale is not None:
        if precision <= MAX_DECIMAL128_PRECISION:
            return ReadColumn(name, "decimal", pa.decimal128(precision, scale), as_text=True)
        if precision <= MAX_DECIMAL256_PRECISION:
            return ReadColumn(name, "decimal", pa.decimal256(precision, scale), as_text=True)
    # numeric without precision, json, jsonb, uuid, enums, arrays, ranges, network types, ...
    return ReadColumn(name, "text", pa.string(), as_text=True)


ACCEPTED_CATEGORIES: dict[str, frozenset[str]] = {
    "bool": frozenset("B"),
    "integer": frozenset("N"),
    "float": frozenset("N"),
    "decimal": frozenset("N"),
    # text goes through PostgreSQL's input functions: json, uuid, enums, inet, dates, ...
    "string": frozenset("SUEIDTGVA"),
    "binary": frozenset("U"),
    "date": frozenset("D"),
    "time": frozenset("D"),
    "timestamp": frozenset("D"),
    "interval": frozenset("T"),
    "null": frozenset("ABCDEGINPRSTUVXZ"),
}
"""Arrow type family -> PostgreSQL type categories an existing column may have to accept it.

Categories: B boolean, N numeric, S string, U user-defined (uuid, json, jsonb, bytea), E enum,
I network address, D date/time, T timespan, G geometric, V bit string, A array.
"""


def family(arrow_type: pa.DataType) -> str:
    """The family of ``arrow_type`` used by :data:`ACCEPTED_CATEGORIES` (raises if unsupported)."""
    import pyarrow as pa
    import pyarrow.types as t

    if isinstance(arrow_type, pa.BaseExtensionType):
        if arrow_type.extension_name == "arrow.uuid":
            return "string"
        arrow_type = arrow_type.storage_type
    if t.is_dictionary(arrow_type):
        return family(arrow_type.value_type)
    checks = (
        (t.is_boolean, "bool"),
        (t.is_integer, "integer"),
        (t.is_floating, "float"),
        (t.is_decimal, "decimal"),
        (_is_string, "string"),
        (_is_binary, "binary"),
        (t.is_date, "date"),
        (t.is_time, "time"),
        (t.is_timestamp, "timestamp"),
        (_is_interval, "interval"),
        (t.is_null, "null"),
    )
    for check, name in checks:
        if check(arrow_type):
            return name
    raise PostgresUnsupportedType(f"Arrow type {arrow_type} cannot be written to PostgreSQL")


def ddl_type(arrow_type: pa.DataType) -> str:
    """The column type a created table gets for ``arrow_type`` (a trusted SQL fragment)."""
    import pyarrow as pa
    import pyarrow.types as t

    if isinstance(arrow_type, pa.BaseExtensionType):
        names = {"arrow.uuid": "uuid", "arrow.json": "jsonb"}
        if arrow_type.extension_name in names:
            return names[arrow_type.extension_name]
        arrow_type = arrow_type.storage_type
    if t.is_dictionary(arrow_type):
        return ddl_type(arrow_type.value_type)
    if t.is_integer(arrow_type):
        return _integer_ddl(arrow_type)
    if t.is_decimal(arrow_type):
        return f"numeric({int(arrow_type.precision)}, {int(arrow_type.scale)})"
    if t.is_timestamp(arrow_type):
        return "timestamptz" if arrow_type.tz else "timestamp"
    simple = (
        (t.is_boolean, "boolean"),
        (t.is_float64, "double precision"),
        (t.is_floating, "real"),
        (_is_string, "text"),
        (_is_binary, "bytea"),
        (t.is_date, "date"),
        (t.is_time, "time"),
        (_is_interval, "interval"),
        (t.is_null, "text"),
    )
    for check, ddl in simple:
        if check(arrow_type):
            return ddl
    raise PostgresUnsupportedType(f"Arrow type {arrow_type} has no PostgreSQL column type")


def _integer_ddl(arrow_type: pa.DataType) -> str:
    import pyarrow.types as t

    width = arrow_type.bit_width
    if t.is_unsigned_integer(arrow_type):
        width *= 2  # the next signed type holds every value
    if width <= 16:
        return "smallint"
    if width <= 32:
        return "integer"
    if width <= 64:
        return "bigint"
    return "numeric(20, 0)"


def _is_string(arrow_type: pa.DataType) -> bool:
    import pyarrow.types as t

    return bool(
        t.is_string(arrow_type) or t.is_large_string(arrow_type) or t.is_string_view(arrow_type)
    )


def _is_binary(arrow_type: pa.DataType) -> bool:
    import pyarrow.types as t

    return bool(
        t.is_binary(arrow_type)
        or t.is_large_binary(arrow_type)
        or t.is_fixed_size_binary(arrow_type)
        or t.is_binary_view(arrow_type)
    )


def _is_interval(arrow_type: pa.DataType) -> bool:
    import pyarrow.types as t

    return bool(t.is_duration(arrow_type) or t.is_interval(arrow_type))
