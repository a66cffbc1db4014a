"""Arrow <-> Spark: making Arrow data Spark can take, and Spark schemas in Arrow's spelling."""

from __future__ import annotations

from typing import TYPE_CHECKING

from odibi_core.plugin import ColumnInfo

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql.types import StructType


def spark_compatible(table: pa.Table) -> pa.Table:
    """Cast the Arrow types Spark lacks to the nearest ones it has.

    Unsigned integers become the next wider signed type (``uint64`` becomes ``decimal(20, 0)``),
    dictionaries are decoded, ``float16`` becomes ``float32``, times of day become strings.
    """
    import pyarrow as pa

    widen = {
        pa.uint8(): pa.int16(),
        pa.uint16(): pa.int32(),
        pa.uint32(): pa.int64(),
        pa.uint64(): pa.decimal128(20, 0),
        pa.float16(): pa.float32(),
    }
    fields = []
    changed = False
    for field in table.schema:
        target = field.type
        if field.type in widen:
            target = widen[field.type]
        elif pa.types.is_dictionary(field.type):
            target = field.type.value_type
        elif pa.types.is_time(field.type):
            target = pa.string()
        changed = changed or target != field.type
        fields.append(field.with_type(target))
    return table.cast(pa.schema(fields)) if changed else table


def column_infos(schema: StructType, timezone: str) -> list[ColumnInfo]:
    """Spark's schema as :class:`ColumnInfo` with Arrow type names (``int64``, ``timestamp[us,
    tz=UTC]``)."""
    from pyspark.sql.pandas.types import to_arrow_schema

    try:
        arrow = to_arrow_schema(schema, timezone=timezone)
    except TypeError:  # older signature without timezone
        arrow = to_arrow_schema(schema)
    except Exception:  # a type Arrow cannot express: keep Spark's name
        return [ColumnInfo(f.name, f.dataType.simpleString()) for f in schema.fields]
    return [ColumnInfo(f.name, str(f.type)) for f in arrow]
