"""What a node's read and write point at: source fingerprints, targets and the effective write.

Used by the runner when a node runs and by ``--resume`` when it decides which nodes to reuse, so
both ask the same questions in the same way.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

from odibi_core.config.models import NodeConfig
from odibi_core.contracts.connection import Connection
from odibi_core.contracts.requests import ReadRequest, WriteRequest
from odibi_core.state.marks import NO_TARGET

if TYPE_CHECKING:
    from odibi_core.execution.formats import FormatDispatch

logger = logging.getLogger("odibi.run")

REBUILT_MODES = ("append", "upsert")
"""Write modes that keep the target's earlier rows (``--full-refresh`` writes them as
``overwrite``)."""


def read_request(node: NodeConfig, *, high_water_mark: object = None) -> ReadRequest | None:
    """The :class:`ReadRequest` of ``node``'s ``read:`` (``None`` for a node without one)."""
    read = node.read
    if read is None:
        return None
    return ReadRequest(
        format=read.format,
        path=read.path,
        table=read.table,
        query=read.query,
        params=read.params or None,
        options=read.options or None,
        incremental_column=read.incremental.column if read.incremental else None,
        incremental_after=high_water_mark if read.incremental else None,
    )


def write_request(node: NodeConfig, *, full_refresh: bool = False) -> WriteRequest | None:
    """The :class:`WriteRequest` of ``node``'s ``write:``; with ``full_refresh`` a mode that keeps
    earlier rows (``append``, ``upsert``) becomes ``overwrite``, so the target is rebuilt."""
    write = node.write
    if write is None:
        return None
    request = WriteRequest(
        mode=write.mode,
        format=write.format,
        path=write.path,
        table=write.table,
        keys=tuple(write.keys),
        options=write.options or None,
    )
    if full_refresh and request.mode in REBUILT_MODES:
        request = replace(request, mode="overwrite")
    return request


def target_of(node: NodeConfig, connections: dict[str, Connection]) -> str:
    """``connection:path`` (or ``connection:table``) ``node`` writes, as reports show it;
    :data:`~odibi_core.state.marks.NO_TARGET` for a node that writes nothing."""
    request = write_request(node)
    if request is None or node.write is None:
        return NO_TARGET
    return connections[node.write.connection].describe(request)


def source_fingerprint(
    connection: Connection, request: ReadRequest, formats: FormatDispatch | None = None
) -> str | None:
    """The source's marker: the format's for a plugin format (a Delta table's version), else
    ``connection.source_fingerprint(request)``; a failure counts as "cannot tell" (``None``)."""
    try:
        if formats is not None:
            marker = formats.source_fingerprint(connection, request)
        else:
            marker = connection.source_fingerprint(request)
    except Exception as exc:  # a marker is an optimisation: never fail a run for it
        logger.debug("connection %s could not fingerprint its source: %s", connection.name, exc)
        return None
    return marker if isinstance(marker, str) and marker else None
