"""Worked example of the plugin guide: a connection type ``sqlite`` (one SQLite database file).

The guide quotes this module; ``test_sqlite_connection.py`` runs it, alone and through ``odibi run``
as an installed plugin. It is deliberately small: it reads a whole result at once (a production
connector streams batches) and maps only the common column types.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from odibi_core.plugin import (
    BuildContext,
    CheckResult,
    ConnectionSpec,
    ExitCode,
    OdibiError,
    PluginOptions,
    ReadRequest,
    TableConnection,
    WriteRequest,
    hookimpl,
)
from pydantic import Field

if TYPE_CHECKING:
    import pyarrow as pa


class SqliteOptions(PluginOptions):
    """Options of a ``sqlite`` connection (its YAML keys other than ``type``)."""

    database: str = Field(description="Database file; relative to the project file's folder.")


class SqliteError(OdibiError):
    """A SQLite read or write failed; a failed write changed nothing (it was rolled back)."""

    exit_code = ExitCode.RUN_FAILED


def quote(identifier: str) -> str:
    """``identifier`` as a SQLite identifier: any text is data, never SQL."""
    return '"' + identifier.replace('"', '""') + '"'


def sqlite_type(arrow_type: pa.DataType) -> str:
    """The SQLite column type (affinity) for an Arrow type."""
    import pyarrow as pa

    if pa.types.is_integer(arrow_type) or pa.types.is_boolean(arrow_type):
        return "INTEGER"
    if pa.types.is_floating(arrow_type):
        return "REAL"
    if pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type):
        return "BLOB"
    return "TEXT"


class SqliteConnection(TableConnection):
    """Tables and queries of one SQLite database file, moved as Arrow batches."""

    type = "sqlite"

    def __init__(self, name: str, database: Path) -> None:
        self.name = name
        self.database = database

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN / COMMIT ourselves, so a write is one transaction
        return sqlite3.connect(self.database, isolation_level=None)

    def read_arrow(self, request: ReadRequest) -> pa.RecordBatchReader:
        """The rows of ``request.table`` or ``request.query`` (past the incremental mark)."""
        import pyarrow as pa

        source = request.query or f"SELECT * FROM {quote(request.table or '')}"
        params: dict[str, Any] = dict(request.params or {})
        if request.incremental_column and request.incremental_after is not None:
            source = (
                f"SELECT * FROM ({source}) WHERE {quote(request.incremental_column)} > :odibi_mark"
            )
            params["odibi_mark"] = request.incremental_after
        with closing(self._connect()) as conn:
            try:
                cursor = conn.execute(source, params)
            except sqlite3.Error as exc:
                raise SqliteError(f"connection {self.name}: {exc}") from None
            names = [column[0] for column in cursor.description]
            rows = cursor.fetchall()
        table = pa.Table.from_pylist([dict(zip(names, row, strict=True)) for row in rows])
        if not rows:
            table = pa.table({name: pa.array([], pa.null()) for name in names})
        return pa.RecordBatchReader.from_batches(table.schema, table.to_batches())

    def write_arrow(self, reader: pa.RecordBatchReader, request: WriteRequest) -> int:
        """Write every batch to ``request.table`` in one transaction; return the rows written."""
        if request.mode not in ("overwrite", "append", "error"):
            raise SqliteError(f"connection {self.name} cannot write in mode {request.mode!r}")
        table = quote(request.table or "")
        columns = [f"{quote(field.name)} {sqlite_type(field.type)}" for field in reader.schema]
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            if request.mode == "error" and self._exists(conn, request.table or ""):
                raise SqliteError(
                    f"connection {self.name}: table {request.table} exists and mode is error"
                )
            if request.mode == "overwrite":
                conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.execute(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(columns)})")
            insert = f"INSERT INTO {table} VALUES ({', '.join('?' for _ in columns)})"
            written = 0
            for batch in reader:
                rows = list(zip(*(column.to_pylist() for column in batch.columns), strict=True))
                conn.executemany(insert, rows)
                written += len(rows)
            conn.execute("COMMIT")
            return written
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()

    def exists(self, request: WriteRequest) -> bool:
        """Whether ``request.table`` exists."""
        with closing(self._connect()) as conn:
            return self._exists(conn, request.table or "")

    @staticmethod
    def _exists(conn: sqlite3.Connection, table: str) -> bool:
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        )
        return found.fetchone() is not None

    def source_fingerprint(self, request: ReadRequest) -> str | None:
        """The database file's identity, size and time, with its write-ahead log's: every
        committed change touches one of them, so equal markers mean equal data."""
        parts = []
        for path in (self.database, Path(f"{self.database}-wal")):
            try:
                stat = path.stat()
            except FileNotFoundError:
                parts.append("-")
                continue
            parts.append(f"{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}")
        return "sqlite:" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]

    def check(self) -> CheckResult:
        """Open the database and count its tables (``odibi doctor``)."""
        if not self.database.is_file():
            return CheckResult(ok=False, detail=f"database {self.database} does not exist")
        with closing(self._connect()) as conn:
            count = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
            ).fetchone()[0]
        return CheckResult(ok=True, detail=f"database {self.database}: {count} table(s)")


def build(options: SqliteOptions, context: BuildContext) -> SqliteConnection:
    """The factory: a relative ``database`` resolves against the project file's folder."""
    database = Path(os.path.expanduser(options.database))
    return SqliteConnection(
        context.name, database if database.is_absolute() else context.project_dir / database
    )


@hookimpl
def odibi_connections() -> list[ConnectionSpec]:
    """Register the connection type ``sqlite``."""
    return [ConnectionSpec("sqlite", build, SqliteOptions, "Tables and queries of a SQLite file")]
