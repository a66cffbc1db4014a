"""Reading a Delta table as a stream of Arrow batches.

The table is opened once, at one version (the latest, or the ``version`` / ``timestamp`` asked
for), so every batch comes from one snapshot. Partition filters prune files before any is opened
(the Delta log lists each file's partition values), ``columns`` is pushed into the Parquet scan,
and an incremental read's ``column > mark`` filter is pushed into the scan too, where the file
statistics in the log skip files that hold no newer rows. Batches stream: memory is bounded by a
few batches, not by the table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from odibi_format_delta.errors import DeltaOptionError
from odibi_format_delta.options import DeltaReadOptions
from odibi_format_delta.table import arrow_schema, delta_errors, open_table

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.compute as pc
    from deltalake import DeltaTable
    from odibi_core.plugin import FileConnection, ReadRequest

logger = logging.getLogger("odibi.delta")


def read_batches(connection: FileConnection, request: ReadRequest) -> pa.RecordBatchReader:
    """Stream the rows ``request`` selects from the Delta table at ``request.path``."""
    snapshot = open_snapshot(connection, request)
    table, options, where = snapshot.table, snapshot.options, snapshot.where
    with delta_errors(where):
        pruning = [tuple(f) for f in options.partition_filter] if options.partition_filter else None
        dataset = table.to_pyarrow_dataset(file_pruning_predicate=pruning)
        logger.info("delta: reading %s at version %s", where, table.version())
        scanner = dataset.scanner(
            columns=options.columns,
            filter=row_filter(options, request),
            batch_size=options.batch_rows,
        )
        return scanner.to_reader()


@dataclass(frozen=True)
class Snapshot:
    """The table version a read sees, with its validated options and its schema."""

    table: DeltaTable
    schema: pa.Schema
    options: DeltaReadOptions
    where: str


def open_snapshot(connection: FileConnection, request: ReadRequest) -> Snapshot:
    """Open the version ``request`` reads and check every column its options name."""
    options = DeltaReadOptions.model_validate(request.options or {})
    path = request.path or ""
    where = f"{connection.name}:{path}"
    table = open_table(connection, path, version=options.version, timestamp=options.timestamp)
    with delta_errors(where):
        schema = arrow_schema(table)
        check_read_options(table, schema, options, request, where)
    return Snapshot(table, schema, options, where)


def check_read_options(
    table: DeltaTable,
    schema: pa.Schema,
    options: DeltaReadOptions,
    request: ReadRequest,
    where: str,
) -> None:
    """Every column the options and the incremental read name exists; filters name partitions."""
    names = schema.names
    _check_columns(where, names, options.columns, "columns")
    _check_columns(where, names, [f[0] for f in options.partition_filter or []], "partition_filter")
    if request.incremental_column and request.incremental_after is not None:
        _check_columns(where, names, [request.incremental_column], "incremental.column")
    partition_columns = set(table.metadata().partition_columns)
    unpartitioned = [f[0] for f in options.partition_filter or [] if f[0] not in partition_columns]
    if unpartitioned:
        raise DeltaOptionError(
            f"Delta table {where}: partition_filter names {', '.join(unpartitioned)}, which "
            f"{'is' if len(unpartitioned) == 1 else 'are'} not partition columns "
            f"(partitioned by: {', '.join(sorted(partition_columns)) or 'nothing'})",
            hint="Filter other columns in a SQL step.",
        )


def _check_columns(where: str, names: list[str], asked: list[str] | None, option: str) -> None:
    unknown = [c for c in asked or [] if c not in names]
    if unknown:
        raise DeltaOptionError(
            f"Delta table {where} has no column {', '.join(unknown)} (read.options.{option}); "
            f"its columns: {', '.join(names)}"
        )


def row_filter(options: DeltaReadOptions, request: ReadRequest) -> pc.Expression | None:
    """Partition filters again as row filters (free: constant per file), plus the incremental
    filter."""
    import pyarrow.compute as pc

    expressions: list[Any] = []
    for column, op, value in options.partition_filter or []:
        expressions.append(_compare(pc.field(column), op, value))
    if request.incremental_column and request.incremental_after is not None:
        expressions.append(
            pc.field(request.incremental_column) > pc.scalar(request.incremental_after)
        )
    if not expressions:
        return None
    combined = expressions[0]
    for expression in expressions[1:]:
        combined = combined & expression
    return combined


def _compare(field: pc.Expression, op: str, value: Any) -> pc.Expression:
    if op == "in":
        return field.isin(value)
    if op == "not in":
        return ~field.isin(value)
    operators = {
        "=": "__eq__",
        "!=": "__ne__",
        "<": "__lt__",
        "<=": "__le__",
        ">": "__gt__",
        ">=": "__ge__",
    }
    return getattr(field, operators[op])(value)
