"""Whether a node's write target exists (``--resume``, first runs of rolling windows, SCD2
rewrites): one answer for all of them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from odibi_core.contracts.connection import FileConnection, TableConnection
from odibi_core.contracts.requests import WriteRequest

if TYPE_CHECKING:
    from odibi_core.config.models import NodeConfig
    from odibi_core.contracts.connection import Connection
    from odibi_core.execution.formats import FormatDispatch


def write_target_exists(
    node: NodeConfig,
    connections: Mapping[str, Connection],
    formats: FormatDispatch | None = None,
) -> bool:
    """Whether the node's write target exists (``False`` when it has no write); ``formats``
    answers for a plugin format (a Delta table is a folder only once it has a commit)."""
    write = node.write
    if write is None:
        return False
    connection = connections[write.connection]
    if formats is not None:
        table_exists = formats.exists(connection, write.format, write.path or "")
        if table_exists is not None:
            return table_exists
    if isinstance(connection, FileConnection):
        return connection.exists(write.path or "")
    if isinstance(connection, TableConnection):
        return connection.exists(WriteRequest(mode=write.mode, table=write.table))
    return False
