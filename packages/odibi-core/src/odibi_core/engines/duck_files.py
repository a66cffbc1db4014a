"""Reading and writing files with DuckDB's readers and ``COPY``: used by the duckdb and pandas
engines, so both infer the same types from a CSV and write byte-identical files."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from odibi_core.contracts.engine import WriteCounts
from odibi_core.engines.csv_strict import check_csv_file, csv_reader_options
from odibi_core.engines.duck_csv_pin import can_pin, pinned_arguments
from odibi_core.engines.frames import check_write_target
from odibi_core.engines.sql_literals import quote_identifier, sql_literal
from odibi_core.files.fault_points import fault_point

if TYPE_CHECKING:
    from odibi_core.contracts.connection import FileConnection
    from odibi_core.contracts.requests import ReadRequest, WriteRequest

READERS = {"csv": "read_csv", "parquet": "read_parquet", "json": "read_json_auto"}
"""DuckDB table functions by file format."""

COPY_FORMATS = {"csv": "CSV", "parquet": "PARQUET", "json": "JSON"}
"""``COPY ... (FORMAT x)`` names by file format."""


class UnsupportedFormat(ValueError):
    """A format outside :data:`READERS` was asked for."""


def read_select(
    connection: FileConnection,
    request: ReadRequest,
    *,
    sniff: Callable[[str], Sequence[Sequence[Any]]] | None = None,
) -> str:
    """``SELECT * FROM read_xxx(files, options) [WHERE incremental filter]`` for ``request``.

    The files are the connection's
    :meth:`~odibi_core.contracts.connection.FileConnection.read_paths` (globs and folders
    expanded, staging files never included). With ``sniff`` (a function running
    a DuckDB query), a CSV read is checked first and a malformed file raises
    :class:`~odibi_core.engines.csv_strict.MalformedCsv` unless the read is lenient.
    """
    return read_selects(connection, request, sniff=sniff)[0]


def read_selects(
    connection: FileConnection,
    request: ReadRequest,
    *,
    sniff: Callable[[str], Sequence[Sequence[Any]]] | None = None,
) -> tuple[str, str | None]:
    """Like :func:`read_select`, plus the same read made serial (``parallel = false``, for a
    sample of the first rows) when the CSV's dialect and types were pinned by the check's sniff
    (see :mod:`odibi_core.engines.duck_csv_pin`); ``None`` otherwise."""
    fmt = request.format or "csv"
    if fmt not in READERS:
        raise UnsupportedFormat(f"cannot read format {fmt!r}; supported: {', '.join(READERS)}")
    files = connection.read_paths(request.path or "")
    options = dict(request.options or {})
    pinned: str | None = None
    source = sql_literal(files[0] if len(files) == 1 else files)
    if fmt == "csv":
        options, strict = csv_reader_options(options)
        if strict and sniff is not None and files:
            prompt = check_csv_file(sniff, files[0], options)
            if can_pin(files, options):
                pinned = pinned_arguments(prompt, source)
    where = ""
    if request.incremental_column and request.incremental_after is not None:
        where = (
            f" WHERE {quote_identifier(request.incremental_column)} > "
            f"{sql_literal(request.incremental_after)}"
        )
    if pinned is not None:
        rest = [f"{k} = {sql_literal(v)}" for k, v in options.items() if k.lower() == "parallel"]
        select = f"SELECT * FROM {READERS[fmt]}({', '.join([source, pinned, *rest])}){where}"
        serial = (
            None
            if rest
            else f"SELECT * FROM {READERS[fmt]}({source}, {pinned}, parallel = false){where}"
        )
        return select, serial
    args = [source] + [f"{k} = {sql_literal(v)}" for k, v in options.items()]
    return f"SELECT * FROM {READERS[fmt]}({', '.join(args)}){where}", None


def copy_to_file(
    run: Callable[[str], Any], select: str, connection: FileConnection, request: WriteRequest
) -> WriteCounts:
    """Write the rows of ``select`` to ``request.path`` atomically; return the rows this write
    added and the file's rows after it.

    ``run(sql)`` executes a statement and returns a cursor. The output (a file, or a folder with
    ``partition_by``) is written to the connection's staging path and published by the connection
    (:meth:`~odibi_core.contracts.connection.FileConnection.publish`), so a failure or a crash
    leaves the old output intact.
    ``append`` rewrites the existing rows plus the new ones (``UNION ALL BY NAME``).
    """
    fmt = request.format or "parquet"
    if fmt not in COPY_FORMATS:
        raise UnsupportedFormat(
            f"cannot write format {fmt!r}; supported: {', '.join(COPY_FORMATS)}"
        )
    path = request.path or ""
    connection.clean_stale(path)  # first: an old output a killed publish moved aside is back
    check_write_target(connection, request)
    kept = 0
    if request.mode == "append" and connection.exists(path):
        existing = f"{READERS[fmt]}({sql_literal(connection.read_paths(path))})"
        counted = run(f"SELECT count(*) FROM {existing}").fetchone()  # parquet: from metadata
        kept = int(counted[0]) if counted else 0
        select = f"SELECT * FROM {existing} UNION ALL BY NAME {select}"
    options = {
        "FORMAT": COPY_FORMATS[fmt],
        **{k.upper(): v for k, v in (request.options or {}).items()},
    }
    if fmt == "csv":
        options.setdefault("HEADER", True)
    rendered = ", ".join(
        f"{k} {sql_literal(v)}" if k != "FORMAT" else f"FORMAT {v}" for k, v in options.items()
    )
    staging = connection.staging_path(path)
    try:
        rows = run(f"COPY ({select}) TO {sql_literal(staging)} ({rendered})").fetchone()
        fault_point("write.copied")
        connection.publish(staging, path)
    except BaseException:
        connection.discard(staging)
        raise
    total = int(rows[0]) if rows else 0
    return WriteCounts(written=total - kept, total=total)
