"""Writing Arrow batches to a Delta table: every mode is one atomic commit.

``overwrite`` (optionally only where ``replace_where`` holds), ``append`` and ``error`` stream the
batches into new data files and commit them in one log entry; ``upsert`` and ``merge`` run one
delta-rs MERGE. Until the commit nothing is visible to readers; a failed or killed write leaves
only unreferenced data files, which ``odibi delta vacuum`` removes. Concurrent appends both
commit (delta-rs reconciles them); a write that conflicts with a concurrent commit fails with
:class:`~odibi_format_delta.errors.DeltaConflict` and commits nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from odibi_core.engines.frames import WriteTargetExists

from odibi_format_delta.errors import DeltaSchemaMismatch
from odibi_format_delta.merging import merge_batches
from odibi_format_delta.options import DeltaWriteOptions
from odibi_format_delta.schema_check import schema_differences
from odibi_format_delta.table import (
    arrow_schema,
    delta_errors,
    location,
    storage_options,
    table_if_exists,
)

if TYPE_CHECKING:
    import pyarrow as pa
    from odibi_core.plugin import FileConnection, WriteRequest

logger = logging.getLogger("odibi.delta")


class CountingReader:
    """Wraps a reader and counts the rows that pass through it (the rows written)."""

    def __init__(self, reader: pa.RecordBatchReader) -> None:
        self.rows = 0
        self._reader = reader

    def _batches(self) -> Iterator[pa.RecordBatch]:
        for batch in self._reader:
            self.rows += batch.num_rows
            yield batch

    def reader(self) -> pa.RecordBatchReader:
        """A reader over the same batches that counts them as they are consumed."""
        import pyarrow as pa

        return pa.RecordBatchReader.from_batches(self._reader.schema, self._batches())


def write_batches(
    reader: pa.RecordBatchReader, connection: FileConnection, request: WriteRequest
) -> int:
    """Write ``reader`` to the table at ``request.path`` in ``request.mode``; return the rows."""
    options = DeltaWriteOptions.model_validate(
        request.options or {}, context={"mode": request.mode, "keys": list(request.keys)}
    )
    path = request.path or ""
    where = f"{connection.name}:{path}"
    existing = table_if_exists(connection, path)
    if existing is not None:
        if request.mode == "error":
            raise WriteTargetExists(
                f"Delta table {where} already exists and write mode is 'error'",
                hint="Use mode overwrite, append, upsert or merge.",
            )
        if request.mode != "merge":  # merge clauses name their columns; delta-rs checks them
            _check_schema(existing, reader.schema, options, where)
    counter = CountingReader(reader)
    with delta_errors(where):
        if request.mode in ("upsert", "merge"):
            merged = merge_batches(existing, counter.reader(), connection, request, options)
            if merged is not None:
                logger.info("delta: merged into %s: %s", where, merged)
                return counter.rows
        loc = location(connection, path)
        target: Any = existing if existing is not None else loc.uri
        mode = "append" if request.mode in ("upsert", "merge") else request.mode
        from deltalake import write_deltalake

        # deltalake's overloads tie ``predicate`` to mode='overwrite'; None is fine with any mode
        write_deltalake(  # type: ignore[call-overload, misc]
            target,
            counter.reader(),
            mode=mode,
            partition_by=options.partition_by,
            schema_mode=options.schema_mode,
            predicate=options.replace_where,
            configuration=options.configuration,
            target_file_size=options.target_file_size,
            storage_options=storage_options(loc) if existing is None else None,
        )
    logger.info("delta: wrote %d rows to %s (%s)", counter.rows, where, request.mode)
    return counter.rows


def _check_schema(table: Any, incoming: pa.Schema, options: DeltaWriteOptions, where: str) -> None:
    if options.schema_mode is not None:
        return
    problems = schema_differences(arrow_schema(table), incoming)
    if problems:
        raise DeltaSchemaMismatch(
            f"Delta table {where}: the data does not match its schema: " + "; ".join(problems)
        )
