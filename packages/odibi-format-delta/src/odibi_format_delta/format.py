"""The ``delta`` :class:`~odibi_core.contracts.formats.TableFormat`, backed by delta-rs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from odibi_core.plugin import TableFormat

from odibi_format_delta.errors import DeltaTableMissing
from odibi_format_delta.options import DeltaReadOptions
from odibi_format_delta.reading import read_batches
from odibi_format_delta.table import open_table
from odibi_format_delta.writing import write_batches

if TYPE_CHECKING:
    import pyarrow as pa
    from odibi_core.plugin import FileConnection, ReadRequest, WriteRequest


class DeltaFormat(TableFormat):
    """Delta Lake tables under any file connection (local folders, Azure containers ...)."""

    name = "delta"

    def read_arrow(self, connection: FileConnection, request: ReadRequest) -> pa.RecordBatchReader:
        """Stream the table (see :mod:`odibi_format_delta.reading`)."""
        return read_batches(connection, request)

    def write_arrow(
        self, reader: pa.RecordBatchReader, connection: FileConnection, request: WriteRequest
    ) -> int:
        """Write in one commit (see :mod:`odibi_format_delta.writing`)."""
        return write_batches(reader, connection, request)

    def exists(self, connection: FileConnection, path: str) -> bool:
        """Whether a Delta table (a ``_delta_log``) exists at ``path``."""
        from deltalake import DeltaTable

        loc = connection.object_store_location(path)
        return bool(DeltaTable.is_deltatable(loc.uri, dict(loc.storage_options) or None))

    def source_fingerprint(self, connection: FileConnection, request: ReadRequest) -> str | None:
        """``delta:v<version>`` of the snapshot the read would see (a pinned ``version`` or
        ``timestamp`` resolves to its version), read from the log; ``None`` when there is no
        table."""
        options = DeltaReadOptions.model_validate(request.options or {})
        try:
            table = open_table(
                connection, request.path or "", version=options.version, timestamp=options.timestamp
            )
        except DeltaTableMissing:
            return None
        return f"delta:v{table.version()}"
