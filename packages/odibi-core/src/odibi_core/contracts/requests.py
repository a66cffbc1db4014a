"""The request types a node hands its engine and connections: what to read, where to write.

These are the values connection and format authors receive (:class:`ReadRequest`,
:class:`WriteRequest`) and the engine-neutral column description (:class:`ColumnInfo`). They live
apart from the engine contract so a connection author never needs to read it; the old import
location ``odibi_core.contracts.engine`` re-exports every name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

WRITE_MODES = ("overwrite", "append", "error", "upsert", "merge")
"""Write modes known to the kernel. File writes support ``overwrite``, ``append`` and ``error``;
``merge`` (explicit merge clauses) exists for table formats that offer it (``delta``)."""


@dataclass(frozen=True)
class ReadRequest:
    """What to read, as the node's ``read:`` section says.

    Attributes:
        format: ``csv``, ``parquet``, ``json`` or a plugin format for files; ``None`` for tables.
        path: Path (globs allowed) relative to the connection root, for file connections.
        table: Table name for table connections.
        query: A query for table connections (parameters bound from ``params``).
        params: Query parameters, bound by the connection, never string-formatted.
        options: Format options passed to the reader (``delimiter``, ``header`` ...).
        incremental_column: Column of an incremental read.
        incremental_after: Only rows with ``incremental_column > incremental_after`` are wanted.
    """

    format: str | None = None
    path: str | None = None
    table: str | None = None
    query: str | None = None
    params: Mapping[str, Any] | None = None
    options: Mapping[str, Any] | None = None
    incremental_column: str | None = None
    incremental_after: Any = None


@dataclass(frozen=True)
class WriteRequest:
    """Where and how to write, as the node's ``write:`` section says.

    Attributes:
        mode: One of :data:`WRITE_MODES`.
        format: File format for file connections.
        path: Target path relative to the connection root.
        table: Target table for table connections.
        keys: Key columns for ``upsert``.
        options: Writer options.
    """

    mode: str = "overwrite"
    format: str | None = None
    path: str | None = None
    table: str | None = None
    keys: tuple[str, ...] = ()
    options: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class ColumnInfo:
    """One column of a frame's schema, with an engine-neutral type name (Arrow's spelling)."""

    name: str
    type: str


__all__ = ["WRITE_MODES", "ColumnInfo", "ReadRequest", "WriteRequest"]
