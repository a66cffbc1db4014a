"""A few rows of a DuckDB result without importing pyarrow.

Schemas and report samples are a handful of rows, yet fetching them as Arrow made every SQL-only
run import pyarrow and numpy (a third of a small run's wall time). When every column has a plain
scalar type whose Python value DuckDB returns exactly as Arrow's ``to_pylist`` would, the rows are
fetched as tuples and the column types are spelt the way Arrow spells them (so schemas recorded in
state and reports do not depend on which path was taken). Any other type (nested, intervals,
time zones, 128-bit integers) still goes through Arrow.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from odibi_core.contracts.engine import ColumnInfo

if TYPE_CHECKING:
    import pyarrow as pa

_PLAIN_TYPES = {
    "BOOLEAN": "bool",
    "TINYINT": "int8",
    "SMALLINT": "int16",
    "INTEGER": "int32",
    "BIGINT": "int64",
    "UTINYINT": "uint8",
    "USMALLINT": "uint16",
    "UINTEGER": "uint32",
    "UBIGINT": "uint64",
    "FLOAT": "float",
    "DOUBLE": "double",
    "VARCHAR": "string",
    "BLOB": "binary",
    "DATE": "date32[day]",
    "TIME": "time64[us]",
    "TIMESTAMP": "timestamp[us]",
    "TIMESTAMP_S": "timestamp[s]",
    "TIMESTAMP_MS": "timestamp[ms]",
}
"""DuckDB types whose Python values equal Arrow's ``to_pylist`` values, with Arrow's name."""

_DECIMAL = re.compile(r"^DECIMAL\((\d+),(\d+)\)$")


def arrow_type_name(duckdb_type: str) -> str | None:
    """Arrow's spelling of a plain DuckDB type (``None``: not plain, ask Arrow)."""
    plain = _PLAIN_TYPES.get(duckdb_type)
    if plain is not None:
        return plain
    match = _DECIMAL.match(duckdb_type)
    if match:
        return f"decimal128({match.group(1)}, {match.group(2)})"
    return None


@dataclass(frozen=True)
class FewRows:
    """A small result: column names, Arrow-spelt types and rows as tuples.

    It answers the part of ``pyarrow.Table`` that schemas and samples use (``column_names``,
    ``num_rows``, ``slice``, ``to_pylist``), so callers need not know which path produced it.
    """

    names: tuple[str, ...]
    types: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    @property
    def column_names(self) -> list[str]:
        """The column names, in order."""
        return list(self.names)

    @property
    def num_rows(self) -> int:
        """How many rows there are."""
        return len(self.rows)

    def slice(self, offset: int = 0, length: int | None = None) -> FewRows:
        """Rows ``offset`` to ``offset + length`` (like ``pyarrow.Table.slice``)."""
        end = None if length is None else offset + length
        return FewRows(self.names, self.types, self.rows[offset:end])

    def to_pylist(self) -> list[dict[str, Any]]:
        """The rows as dictionaries keyed by column name."""
        return [dict(zip(self.names, row, strict=False)) for row in self.rows]


def few_rows(description: Sequence[Sequence[Any]], fetch: Any) -> FewRows | None:
    """The rows of a result whose ``description`` has only plain types, fetched with ``fetch()``;
    ``None`` (nothing fetched) if a column needs Arrow."""
    names, types = [], []
    for column in description:
        arrow = arrow_type_name(str(column[1]))
        if arrow is None:
            return None
        names.append(str(column[0]))
        types.append(arrow)
    return FewRows(tuple(names), tuple(types), tuple(tuple(row) for row in fetch()))


def columns_of(table: FewRows | pa.Table) -> list[ColumnInfo]:
    """Names and Arrow-spelt types of a few-rows result, whichever path produced it."""
    if isinstance(table, FewRows):
        return [
            ColumnInfo(name, kind) for name, kind in zip(table.names, table.types, strict=False)
        ]
    return [ColumnInfo(f.name, str(f.type)) for f in table.schema]


__all__ = ["FewRows", "arrow_type_name", "columns_of", "few_rows"]
