"""Files that live behind an fsspec filesystem (Azure ...), read and written by DuckDB.

A file connection whose :meth:`~odibi_core.contracts.connection.FileConnection.fsspec_filesystem`
returns a filesystem gets it registered with the engine's DuckDB database before the first read or
write, so DuckDB's own readers and ``COPY`` stream its ``protocol://`` URIs (ranged reads, block
uploads) exactly as they do local files.
"""

from __future__ import annotations

import threading
from typing import Any

from odibi_core.contracts.connection import Connection, FileConnection

_LOCK = threading.Lock()


def attach_filesystem(database: Any, connection: Connection) -> None:
    """Register ``connection``'s fsspec filesystem with the DuckDB ``database`` (once)."""
    if not isinstance(connection, FileConnection):
        return
    filesystem = connection.fsspec_filesystem()
    if filesystem is None:
        return
    protocol = (
        filesystem.protocol if isinstance(filesystem.protocol, str) else filesystem.protocol[0]
    )
    with _LOCK:
        if not database.filesystem_is_registered(protocol):
            database.register_filesystem(filesystem)
