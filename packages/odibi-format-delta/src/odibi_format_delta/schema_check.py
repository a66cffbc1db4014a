"""Comparing the schema of the data written with the schema in the Delta log.

Without ``schema_mode`` a write must bring exactly the table's columns (in any order) with types
of the same kind; anything else is refused before a byte is written, naming every column that
differs. Widths within a kind (``int32`` into ``int64``, ``string`` into ``large_string``,
timestamp units) are left to delta-rs, which casts them safely or fails.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa


def type_kind(data_type: pa.DataType) -> str:
    """A coarse kind of an Arrow type: what a safe cast may not change."""
    import pyarrow as pa

    checks = (
        ("integer", pa.types.is_integer),
        ("float", pa.types.is_floating),
        ("decimal", pa.types.is_decimal),
        ("boolean", pa.types.is_boolean),
        (
            "string",
            lambda t: (
                pa.types.is_string(t) or pa.types.is_large_string(t) or str(t) == "string_view"
            ),
        ),
        ("binary", lambda t: pa.types.is_binary(t) or pa.types.is_large_binary(t)),
        ("timestamp", pa.types.is_timestamp),
        ("date", pa.types.is_date),
        ("list", lambda t: pa.types.is_list(t) or pa.types.is_large_list(t)),
        ("struct", pa.types.is_struct),
        ("map", pa.types.is_map),
    )
    for kind, check in checks:
        if check(data_type):
            return kind
    return str(data_type)


def schema_differences(table: pa.Schema, incoming: pa.Schema) -> list[str]:
    """Human-readable differences between the table's schema and the incoming one (empty: fine)."""
    import pyarrow as pa

    have = {f.name: f.type for f in table}
    new = {f.name: f.type for f in incoming}
    problems: list[str] = []
    extra = [n for n in new if n not in have]
    missing = [n for n in have if n not in new]
    if extra:
        problems.append("new columns not in the table: " + ", ".join(extra))
    if missing:
        problems.append("table columns missing from the data: " + ", ".join(missing))
    for name, data_type in new.items():
        if (
            name in have
            and type_kind(data_type) != type_kind(have[name])
            and data_type != pa.null()
        ):
            problems.append(f"column {name}: table has {have[name]}, data has {data_type}")
    return problems
