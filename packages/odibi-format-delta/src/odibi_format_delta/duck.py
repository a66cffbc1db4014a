"""``format: delta`` reads on the ``duckdb`` engine: DuckDB scans the table's data files itself.

The Delta log says which Parquet files make up the version read (after partition pruning); the
engine gets a lazy view ``SELECT ... FROM read_parquet([those files])``, so DuckDB reads them in
parallel, only the columns and row groups a query needs, and nothing is loaded before a query
runs, as for any Parquet read. Partition values come from the folder names, which are checked
against the log first.

Tables this cannot read exactly fall back to the Arrow interchange (delta-rs streams the rows):
deletion vectors or column mapping, partition values that are null or do not match their folder
names, partition types DuckDB would guess differently, and empty tables. Writes always stream
Arrow batches to delta-rs.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from odibi_core.engines.sql_literals import quote_identifier, sql_literal
from odibi_core.plugin import FormatEnginePath

from odibi_format_delta.options import DeltaReadOptions
from odibi_format_delta.reading import open_snapshot
from odibi_format_delta.table import delta_errors

if TYPE_CHECKING:
    import pyarrow as pa
    from deltalake import DeltaTable
    from odibi_core.plugin import FileConnection, ReadRequest

logger = logging.getLogger("odibi.delta")

HIVE_TYPES = {
    "string": "VARCHAR",
    "large_string": "VARCHAR",
    "int64": "BIGINT",
    "int32": "INTEGER",
    "int16": "SMALLINT",
    "int8": "TINYINT",
    "bool": "BOOLEAN",
    "date32[day]": "DATE",
    "double": "DOUBLE",
    "float": "FLOAT",
}
"""Partition column types this path reads from folder names (others fall back to Arrow)."""

UNSUPPORTED_FEATURES = ("deletionVectors", "columnMapping")
"""Reader features whose data files do not hold the table's rows as they are."""


def _fallback_reason(table: DeltaTable, schema: pa.Schema) -> str | None:
    protocol = table.protocol()
    features = set(protocol.reader_features or [])
    unsupported = features & set(UNSUPPORTED_FEATURES)
    if unsupported:
        return f"reader features {', '.join(sorted(unsupported))}"
    mode = (table.metadata().configuration or {}).get("delta.columnMapping.mode", "none")
    if mode not in (None, "none"):
        return f"column mapping mode {mode}"
    for column in table.metadata().partition_columns:
        if str(schema.field(column).type) not in HIVE_TYPES:
            return f"partition column {column} of type {schema.field(column).type}"
    return None


def _relative_files(table: DeltaTable, filters: Any) -> list[str]:
    root = table.table_uri.rstrip("/")
    if root.startswith("file://"):
        root = root[len("file://") :]
    return [
        unquote(uri[len(root) :].lstrip("/")) if uri.startswith(root) else uri
        for uri in table.file_uris(file_pruning_predicate=filters)
    ]


def _partition_layout_matches(table: DeltaTable, files: list[str]) -> bool:
    """Every file sits under ``col=value`` folders that agree with the log's partition values."""
    import pyarrow as pa

    columns = table.metadata().partition_columns
    if not columns:
        return True
    actions = pa.table(table.get_add_actions(flatten=True)).to_pylist()
    values = {unquote(a["path"]): [a.get(f"partition.{c}") for c in columns] for a in actions}
    for name in files:
        expected = values.get(name)
        if expected is None or any(v is None for v in expected):
            return False
        folders = name.split("/")[:-1]
        if [unquote(f) for f in folders] != [
            f"{c}={_text(v)}" for c, v in zip(columns, expected, strict=False)
        ]:
            return False
    return True


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


class DuckDBDeltaPath(FormatEnginePath):
    """Delta reads as lazy DuckDB views over the table's Parquet files (see the module doc)."""

    def read(
        self, engine: Any, format: Any, connection: FileConnection, request: ReadRequest
    ) -> Any:
        """A lazy view over the version's data files (the Arrow interchange where it cannot be
        exact)."""
        snapshot = open_snapshot(connection, request)
        table, schema, options = snapshot.table, snapshot.schema, snapshot.options
        where = snapshot.where
        path = request.path or ""
        with delta_errors(where):
            reason = _fallback_reason(table, schema)
            files: list[str] = []
            if reason is None:
                pruning = (
                    [tuple(f) for f in options.partition_filter]
                    if options.partition_filter
                    else None
                )
                files = _relative_files(table, pruning)
                if not files:
                    reason = "no data files"
                elif not _partition_layout_matches(table, files):
                    reason = "partition folders that differ from the log"
            if reason is not None:
                logger.debug("delta: %s read through Arrow (%s)", where, reason)
                return engine.from_arrow(format.read_arrow(connection, request))
            select = self._select(table, schema, options, request, connection, path, files)
        logger.info(
            "delta: reading %s at version %s (%d files)", where, table.version(), len(files)
        )
        return engine.scan(connection, select)

    @staticmethod
    def _select(
        table: DeltaTable,
        schema: pa.Schema,
        options: DeltaReadOptions,
        request: ReadRequest,
        connection: FileConnection,
        path: str,
        files: list[str],
    ) -> str:
        uris = ", ".join(
            sql_literal(connection.resolve(f"{path.rstrip('/')}/{name}")) for name in files
        )
        partitions = table.metadata().partition_columns
        args = [f"[{uris}]", "union_by_name = true"]
        if partitions:
            types = ", ".join(
                f"{sql_literal(c)}: {sql_literal(HIVE_TYPES[str(schema.field(c).type)])}"
                for c in partitions
            )
            args += ["hive_partitioning = true", f"hive_types = {{{types}}}"]
        else:
            args.append("hive_partitioning = false")
        columns = options.columns or schema.names
        names = ", ".join(quote_identifier(c) for c in columns)
        select = f"SELECT {names} FROM read_parquet({', '.join(args)})"
        conditions = [
            f"{quote_identifier(c)} {_op(op)} {_operand(op, v)}"
            for c, op, v in options.partition_filter or []
        ]
        if request.incremental_column and request.incremental_after is not None:
            conditions.append(
                f"{quote_identifier(request.incremental_column)} > "
                f"{sql_literal(request.incremental_after)}"
            )
        return select + (f" WHERE {' AND '.join(conditions)}" if conditions else "")

    def write(
        self, engine: Any, format: Any, frame: Any, connection: FileConnection, request: Any
    ) -> int:
        """Stream the frame's Arrow batches to delta-rs."""
        return int(format.write_arrow(engine.to_arrow(frame), connection, request))


def _op(op: str) -> str:
    return {"in": "IN", "not in": "NOT IN"}.get(op, "<>" if op == "!=" else op)


def _operand(op: str, value: Any) -> str:
    if op in ("in", "not in"):
        return "(" + ", ".join(sql_literal(v) for v in value) + ")"
    return sql_literal(value)
