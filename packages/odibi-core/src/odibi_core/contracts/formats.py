"""The format contract: table formats that plug into every engine through Arrow.

The builtin engines read and write ``csv``, ``parquet`` and ``json`` themselves. Any other
``format:`` (``delta`` from odibi-format-delta, ...) is a plugin registered with
:func:`~odibi_core.plugins.hookspecs.OdibiHookSpecs.odibi_formats`. A format reads the data a
:class:`~odibi_core.contracts.engine.ReadRequest` selects under a file connection as a stream of
Arrow record batches, and writes a stream of batches, so it works with every engine (the engine
only converts Arrow to and from its own frames). An engine that has its own support for the format
(Spark's Delta reader) is reached through a :class:`FormatEnginePath`, registered per engine name.

Where the data lives comes from the connection:
:meth:`~odibi_core.contracts.connection.FileConnection.object_store_location` gives a URI and the
object-store settings (credentials included) that Rust- and Arrow-based libraries take.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

    from odibi_core.contracts.connection import FileConnection
    from odibi_core.contracts.engine import Engine
    from odibi_core.contracts.requests import ReadRequest, WriteRequest


class TableFormat(ABC):
    """Reads and writes one table format under a file connection, as Arrow batches.

    ``request.options`` has already been checked by the format's read or write options model
    (:class:`~odibi_core.plugins.types.FormatSpec`) when the project loaded; validate it again
    with that model to get typed values.

    Attributes:
        name: The YAML ``format:`` value.
    """

    name: str = ""

    @abstractmethod
    def read_arrow(self, connection: FileConnection, request: ReadRequest) -> pa.RecordBatchReader:
        """Stream the rows ``request`` selects (bounded memory); apply the incremental filter."""

    @abstractmethod
    def write_arrow(
        self, reader: pa.RecordBatchReader, connection: FileConnection, request: WriteRequest
    ) -> int:
        """Write every batch of ``reader`` in one atomic commit; return the rows written.

        A failure must leave the previous table readable and unchanged.
        """

    def exists(self, connection: FileConnection, path: str) -> bool:
        """Whether a table exists at ``path`` (``--resume``, mode ``error``)."""
        return connection.exists(path)

    def source_fingerprint(self, connection: FileConnection, request: ReadRequest) -> str | None:
        """A cheap marker that changes when the data ``request`` selects changes.

        ``None`` when the format cannot tell (the node then reruns on ``--resume``).
        """
        return None


class FormatEnginePath(ABC):
    """An engine's own implementation of a format (Spark's Delta support, say).

    Registered in ``engine_paths`` of :class:`~odibi_core.plugins.types.FormatSpec` under the
    engine's name; the kernel then uses it instead of the Arrow interchange for that engine.
    """

    def problem(self, engine_options: Any) -> str | None:
        """Why this engine cannot use the format with these ``engine_options`` (checked by
        ``odibi validate`` before any data is touched), or ``None`` when it can."""
        return None

    @abstractmethod
    def read(
        self, engine: Engine, format: TableFormat, connection: FileConnection, request: ReadRequest
    ) -> Any:
        """Return an engine frame for ``request``."""

    @abstractmethod
    def write(
        self,
        engine: Engine,
        format: TableFormat,
        frame: Any,
        connection: FileConnection,
        request: WriteRequest,
    ) -> int:
        """Write ``frame``; return rows written."""
