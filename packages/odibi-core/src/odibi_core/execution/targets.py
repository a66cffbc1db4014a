"""Whether a node's write target exists (first runs of rolling windows and SCD2 rewrites)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from odibi_core.contracts.connection import FileConnection, TableConnection
from odibi_core.contracts.engine import WriteRequest

if TYPE_CHECKING:
    from odibi_core.config.models import NodeConfig
    from odibi_core.contracts.connection import Connection


def write_target_exists(node: NodeConfig, connections: Mapping[str, Connection]) -> bool:
    """Whether the node's write target exists (``False`` when it has no write)."""
    write = node.write
    if write is None:
        return False
    connection = connections[write.connection]
    if isinstance(connection, FileConnection):
        return connection.exists(write.path or "")
    if isinstance(connection, TableConnection):
        return connection.exists(WriteRequest(mode=write.mode, table=write.table))
    return False
