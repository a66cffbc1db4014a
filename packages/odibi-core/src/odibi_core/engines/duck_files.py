"""Reading and writing files with DuckDB's readers and ``COPY``: used by the duckdb and pandas
engines, so both infer the same types from a CSV and write byte-identical files."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from odibi_core.contracts.engine import WriteCounts
from odibi_core.engines.frames import check_write_target
from odibi_core.engines.sql_literals import quote_identifier, sql_literal

if TYPE_CHECKING:
    from odibi_core.contracts.connection import FileConnection
    from odibi_core.contracts.engine import ReadRequest, WriteRequest

READERS = {"csv": "read_csv", "parquet": "read_parquet", "json": "read_json_auto"}
"""DuckDB table functions by file format."""

COPY_FORMATS = {"csv": "CSV", "parquet": "PARQUET", "json": "JSON"}
"""``COPY ... (FORMAT x)`` names by file format."""


class UnsupportedFormat(ValueError):
    """A format outside :data:`READERS` was asked for."""


def read_select(connection: FileConnection, request: ReadRequest) -> str:
    """``SELECT * FROM read_xxx(path, options) [WHERE incremental filter]`` for ``request``."""
    fmt = request.format or "csv"
    if fmt not in READERS:
        raise UnsupportedFormat(f"cannot read format {fmt!r}; supported: {', '.join(READERS)}")
    path = connection.resolve(request.path or "")
    args = [sql_literal(path)] + [f"{k} = {sql_literal(v)}" for k, v in (request.options or {}).items()]
    where = ""
    if request.incremental_column and request.incremental_after is not None:
        where = f" WHERE {quote_identifier(request.incremental_column)} > {sql_literal(request.incremental_after)}"
    return f"SELECT * FROM {READERS[fmt]}({', '.join(args)}){where}"


def copy_to_file(run: Callable[[str], Any], select: str, connection: FileConnection,
                 request: WriteRequest) -> WriteCounts:
    """Write the rows of ``select`` to ``request.path`` atomically; return the rows this write
    added and the file's rows after it.

    ``run(sql)`` executes a statement and returns a cursor. The file is written to the
    connection's staging path and published by rename, so a failure leaves the old file intact.
    ``append`` rewrites the existing rows plus the new ones (``UNION ALL BY NAME``).
    """
    fmt = request.format or "parquet"
    if fmt not in COPY_FORMATS:
        raise UnsupportedFormat(f"cannot write format {fmt!r}; supported: {', '.join(COPY_FORMATS)}")
    path = request.path or ""
    check_write_target(connection, request)
    kept = 0
    if request.mode == "append" and connection.exists(path):
        existing = f"{READERS[fmt]}({sql_literal(connection.resolve(path))})"
        counted = run(f"SELECT count(*) FROM {existing}").fetchone()  # parquet: from metadata
        kept = int(counted[0]) if counted else 0
        select = f"SELECT * FROM {existing} UNION ALL BY NAME {select}"
    options = {"FORMAT": COPY_FORMATS[fmt], **{k.upper(): v for k, v in (request.options or {}).items()}}
    if fmt == "csv":
        options.setdefault("HEADER", True)
    rendered = ", ".join(f"{k} {sql_literal(v)}" if k != "FORMAT" else f"FORMAT {v}" for k, v in options.items())
    staging = connection.staging_path(path)
    try:
        rows = run(f"COPY ({select}) TO {sql_literal(staging)} ({rendered})").fetchone()
        connection.publish(staging, path)
    except BaseException:
        connection.discard(staging)
        raise
    total = int(rows[0]) if rows else 0
    return WriteCounts(written=total - kept, total=total)
