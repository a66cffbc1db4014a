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

    from odibi_core.contracts.requests import ReadRequest, WriteRequest


@dataclass(frozen=True)
class CheckResult:
    """Outcome of :meth:`Connection.check` for ``odibi doctor``; ``detail`` never holds a secret."""

    ok: bool
    detail: str
    data: dict[str, Any] = field(default_factory=dict)


class Connection(ABC):  # noqa: B024 (every method has a default; subclassing marks a plugin)
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

    def source_fingerprint(self, request: ReadRequest) -> str | None:
        """A cheap marker of the data ``request`` selects, or ``None`` when this connection
        cannot tell whether that data changed.

        ``odibi run`` records it for every node with a ``read:`` just *before* reading, and
        ``odibi run --resume`` calls it again: a node whose marker differs, or is ``None`` either
        time, runs again (the reason says which). So the one promise an implementation makes is:

        **equal markers mean equal data.** If two calls return the same string, the data
        ``request`` selects (every row of every matched file, blob or table) was the same at both
        times. Anything that may have changed the data must change the marker; when that cannot
        be known, return ``None``. A marker that changes although the data did not only costs
        a rerun.

        Rules for implementations:

        * Cheap: metadata only (file sizes and times, ETags, catalog statistics), never a pass
          over the data; it is called once per read node per run, and by ``--dry-run --resume``.
        * Read-only, no side effects; thread-safe like the rest of the connection.
        * Exceptions are treated as ``None`` (logged at debug level), never as a failed run.
        * The incremental filter (``incremental_after``) may be ignored: a marker of the whole
          source is fine. The marker is compared only with markers of the same node, so it
          need not repeat the path or table name, but it must cover every object the request
          matches (a file added to or removed from a glob changes it).
        * Short: it is stored in state (keep it under ~100 characters, e.g. a prefix and a hash).

        What builtin connections offer: ``local`` files hash size, modification and change time
        and inode of every matched file (``None`` when a file changed so recently that a second
        change could keep the same timestamp); ``postgres`` tables use the table's file node and
        its insert/update/delete statistics, or an exact count and maximum of a chosen column;
        queries give ``None``; ``azure_blob`` hashes the name, ETag and size of every matched blob,
        ``hadoop`` the name, length and modification time of every matched file. Blob stores should
        use the ETag of every matched blob.

        This default returns ``None``: a connection that does not implement it makes its
        readers run on every ``--resume``.
        """
        return None

    def describe(self, request: ReadRequest | WriteRequest) -> str:
        """Where ``request`` points, for logs and reports (no credentials)."""
        target = getattr(request, "path", None) or getattr(request, "table", None) or "query"
        return f"{self.name}:{target}"

    def close(self) -> None:  # noqa: B027 (optional hook: the default does nothing)
        """Release pooled resources at the end of a run."""

    def interrupt(self) -> None:  # noqa: B027 (optional hook: the default does nothing)
        """Cancel this connection's running reads and writes (Ctrl-C, SIGTERM), as soon as possible.

        Called from another thread; must not block for long. A cancelled write must leave the
        previous output intact (roll back, or discard its staging location).
        """


class FileConnection(Connection):
    """A connection whose data are files under a root the engine can address natively.

    Paths stay under the root (:mod:`odibi_core.files.paths`): :meth:`check_path`, :meth:`resolve`,
    :meth:`read_paths` and :meth:`staging_path` refuse any that would leave it with
    :class:`~odibi_core.files.paths.PathOutsideConnection`. A write is staged under a name carrying
    its writer (:mod:`odibi_core.files.temp_names`) and published so that the target is always the
    old or the new complete output; :meth:`clean_stale` undoes what a killed writer left.
    """

    def check_path(self, path: str, *, write: bool = False) -> None:
        """Raise :class:`~odibi_core.files.paths.PathOutsideConnection` unless ``path`` stays under
        the root (``write``: and is not the root itself nor a glob).

        ``odibi validate`` calls it for every ``path:``. The default applies the lexical rules;
        a connection on a real file system also checks symlinks.
        """
        from odibi_core.files.paths import relative_path

        relative_path(path, connection=self.name, write=write)

    @abstractmethod
    def resolve(self, path: str) -> str:
        """Absolute local path or URI of ``path`` (may contain globs) under the root; raises
        :class:`~odibi_core.files.paths.PathOutsideConnection` for a path leaving it."""

    def read_paths(self, path: str) -> list[str]:
        """What a read of ``path`` hands the engine's reader: the files it covers (globs expanded,
        folders listed, staging and other hidden names skipped), or paths the reader expands.

        The default checks the path and returns ``[resolve(path)]``.
        """
        self.check_path(path)
        return [self.resolve(path)]

    @abstractmethod
    def exists(self, path: str) -> bool:
        """Whether anything exists at ``path`` (used by ``--resume`` and the ``error`` mode)."""

    @abstractmethod
    def staging_path(self, path: str) -> str:
        """A fresh temporary location beside ``path`` to write into before publishing.

        Implementations check ``path`` as a write target and call :meth:`clean_stale` first, and
        name the location with :func:`odibi_core.files.temp_names.staging_name`.
        """

    @abstractmethod
    def publish(self, staging: str, path: str) -> None:
        """Replace ``path`` by the complete output at ``staging``; after a crash at any instant the
        target is the old or the new output (or :meth:`clean_stale` restores the old one)."""

    @abstractmethod
    def discard(self, staging: str) -> None:
        """Remove a staging location after a failed or interrupted write."""

    def clean_stale(self, path: str) -> list[str]:
        """Recover an interrupted publish of ``path`` and delete staging and aside names of
        ``path`` whose writers are dead (never a live run's); return the names removed.

        The default does nothing.
        """
        return []

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
