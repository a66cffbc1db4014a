"""The type mapping of writes: Arrow field -> PostgreSQL column.

Reads have their own mapping, in :mod:`odibi_connector_postgres.read_types`. A table the
connection creates gets these column types:

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

from typing import TYPE_CHECKING

from odibi_connector_postgres.errors import PostgresUnsupportedType

if TYPE_CHECKING:
    import pyarrow as pa

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
