"""The connection contract: where data lives.

Two shapes exist. A :class:`FileConnection` exposes a root (a local folder, an ``abfs://`` URI) and
lets the engine read and write files there natively; it owns atomic publication of a written file
(write to a temp path, then rename). A :class:`TableConnection` reads and writes Arrow record
batches, so it works with every engine through the Arrow interchange.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

    from odibi_core.contracts.engine import ReadRequest, WriteRequest


@dataclass(frozen=True)
class CheckResult:
    """Outcome of :meth:`Connection.check` for ``odibi doctor``; ``detail`` never holds a secret."""

    ok: bool
    detail: str
    data: dict[str, Any] = field(default_factory=dict)


class Connection(ABC):
    """A named, typed place data is read from or written to.

    Attributes:
        name: The key the project gave the connection.
        type: The registered connection type (``local``, ``postgres`` ...).
    """

    name: str = ""
    type: str = ""

    def check(self) -> CheckResult:
        """Probe the connection for ``odibi doctor`` without reading data."""
        return CheckResult(ok=True, detail="no check implemented")

    def describe(self, request: ReadRequest | WriteRequest) -> str:
        """Where ``request`` points, for logs and reports (no credentials)."""
        target = getattr(request, "path", None) or getattr(request, "table", None) or "query"
        return f"{self.name}:{target}"

    def close(self) -> None:
        """Release pooled resources at the end of a run."""


class FileConnection(Connection):
    """A connection whose data are files under a root the engine can address natively."""

    @abstractmethod
    def resolve(self, path: str) -> str:
        """Absolute local path or URI of ``path`` (may contain globs) under the root."""

    @abstractmethod
    def exists(self, path: str) -> bool:
        """Whether anything exists at ``path`` (used by ``--resume`` and the ``error`` mode)."""

    @abstractmethod
    def staging_path(self, path: str) -> str:
        """A fresh temporary location beside ``path`` to write into before publishing."""

    @abstractmethod
    def publish(self, staging: str, path: str) -> None:
        """Atomically replace ``path`` by ``staging`` (rename); the old output survives a failure."""

    @abstractmethod
    def discard(self, staging: str) -> None:
        """Remove a staging location after a failed write."""

    def object_store_location(self, path: str) -> ObjectStoreLocation:
        """``path`` as a URI plus object-store settings, for libraries that open storage
        themselves (delta-rs, polars, lance). Default: the local path and no settings."""
        return ObjectStoreLocation(self.resolve(path), {})

    def fsspec_filesystem(self) -> Any:
        """The fsspec filesystem that serves the URIs :meth:`resolve` returns, or ``None`` for
        local paths. Engines that read through DuckDB register it with their database."""
        return None


@dataclass(frozen=True)
class ObjectStoreLocation:
    """Where a path of a file connection lives, as object-store libraries take it.

    Attributes:
        uri: A local absolute path, or a URI such as ``az://container/folder/table``.
        storage_options: Settings in the ``object_store`` spelling (``account_name``,
            ``sas_token``, ``bearer_token``, ``azure_storage_endpoint`` ...); they may hold
            credentials, which the connection has already registered for redaction.
    """

    uri: str
    storage_options: dict[str, str]


class TableConnection(Connection):
    """A connection that moves data as Arrow record batches (databases, APIs)."""

    @abstractmethod
    def read_arrow(self, request: ReadRequest) -> pa.RecordBatchReader:
        """Stream the rows ``request`` selects as Arrow batches (bounded memory)."""

    @abstractmethod
    def write_arrow(self, reader: pa.RecordBatchReader, request: WriteRequest) -> int:
        """Write every batch of ``reader`` in one transaction; return rows written."""

    def exists(self, request: WriteRequest) -> bool:
        """Whether the write target exists (used by ``--resume``)."""
        return True
