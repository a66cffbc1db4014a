"""The ``postgres`` connection: a :class:`~odibi_core.contracts.connection.TableConnection`.

Each read and each write opens its own database connection and closes it when done, so nodes
running in parallel never share a session or a transaction. Reads go through the ADBC driver
(:mod:`odibi_connector_postgres.read_session`), writes through psycopg; both are imported on
first use. :meth:`PostgresConnection.interrupt` (Ctrl-C) cancels every running read and the
statement of every open psycopg session: a cancelled write rolls back, leaving the table as it was.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import TYPE_CHECKING, Any

from odibi_core.plugin import CheckResult, OdibiError, TableConnection

from odibi_connector_postgres.connect import (
    default_application_name,
    open_connection,
    register_credentials,
)
from odibi_connector_postgres.errors import (
    SourceFailure,
    source_rows_failed,
    translate,
    translated,
)
from odibi_connector_postgres.identifiers import TableName
from odibi_connector_postgres.read_session import ReadDriver

if TYPE_CHECKING:
    import psycopg
    import pyarrow as pa
    from odibi_core.plugin import ReadRequest, WriteRequest

    from odibi_connector_postgres.options import PostgresOptions

logger = logging.getLogger("odibi.postgres")

CANCEL_TIMEOUT_S = 5.0
"""Longest wait for the server to acknowledge one cancel request."""

CHECK_SQL = """SELECT current_setting('server_version'), current_user, current_database(),
  current_schema(), coalesce(has_schema_privilege(current_schema(), 'CREATE'), false),
  has_database_privilege(current_database(), 'TEMPORARY'), pg_is_in_recovery()"""


class PostgresConnection(TableConnection):
    """Reads and writes PostgreSQL tables as Arrow record batches.

    Args:
        name: The connection's key in the project file.
        options: The validated options (credentials are registered for redaction here).
        run_id: The run this connection serves; it names the session (``application_name``).
    """

    type = "postgres"

    def __init__(self, name: str, options: PostgresOptions, *, run_id: str | None = None) -> None:
        self.name = name
        self.options = options
        self.application_name = options.application_name or default_application_name(run_id)
        self._reads = ReadDriver(options, name=name, application_name=self.application_name)
        register_credentials(name, options)
        self._sessions: weakref.WeakSet[psycopg.Connection[Any]] = weakref.WeakSet()
        self._sessions_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"PostgresConnection({self.name!r})"

    def connect(self, *, autocommit: bool = False) -> psycopg.Connection[Any]:
        """A new psycopg connection; failures are translated (transient ones get retried)."""
        conn = open_connection(
            self.options,
            name=self.name,
            application_name=self.application_name,
            autocommit=autocommit,
        )
        with self._sessions_lock:
            self._sessions.add(conn)
        return conn

    def interrupt(self) -> None:
        """Cancel every streaming read (:meth:`cancel_reads`) and the running statement of every
        open psycopg session (writes, lookups: the server rolls a write back). Safe from any
        thread; never raises."""
        try:
            self.cancel_reads()
        except Exception as exc:  # the read driver is closed or gone: nothing left to cancel
            logger.debug("postgres connection %s: cancelling reads failed: %s", self.name, exc)
        with self._sessions_lock:
            sessions = [conn for conn in self._sessions if not conn.closed]
        for conn in sessions:
            try:
                conn.cancel_safe(timeout=CANCEL_TIMEOUT_S)
            except Exception as exc:  # closed meanwhile, server gone: nothing left to cancel
                logger.debug("postgres connection %s: cancel failed: %s", self.name, exc)

    def read_arrow(self, request: ReadRequest) -> pa.RecordBatchReader:
        """Stream ``request``'s table or query as Arrow batches (binary ``COPY``, ADBC driver)."""
        from odibi_connector_postgres.reading import open_reader, plan_read

        plan = plan_read(request)
        return open_reader(self._reads.session(), plan, connection=self.name)

    def cancel_reads(self) -> int:
        """Cancel every read of this connection that is still streaming; return how many.

        Safe to call from any thread (a signal handler's, a watchdog's) while the reads run in
        others: the server stops each ``COPY`` and the reading thread gets a
        :class:`~odibi_connector_postgres.errors.PostgresError` (SQLSTATE 57014). Never blocks
        for long.
        """
        return self._reads.cancel()

    def close(self) -> None:
        """Release the read driver's database handle at the end of the run."""
        self._reads.close()

    def source_fingerprint(self, request: ReadRequest) -> str | None:
        """An exact count and maximum of the ``change_column`` read option, or table statistics
        with ``change_statistics: true``; otherwise ``None`` (the node reruns on every resume).
        See :mod:`odibi_connector_postgres.fingerprint`."""
        from odibi_connector_postgres.fingerprint import source_fingerprint

        return source_fingerprint(self, request)

    def write_arrow(self, reader: pa.RecordBatchReader, request: WriteRequest) -> int:
        """Write every batch of ``reader`` to ``request.table`` in one transaction; return rows."""
        from odibi_connector_postgres.writing import write

        conn = self.connect()
        try:
            with translated(connection=self.name, action=f"write table {request.table}"):
                return write(conn, reader, request)
        except SourceFailure as failure:
            raise source_rows_failed(failure, table=request.table) from failure.original
        finally:
            conn.close()

    def exists(self, request: WriteRequest) -> bool:
        """Whether ``request.table`` exists (``--resume`` skips a node only if it does)."""
        if not request.table:
            return False
        table = TableName.parse(request.table)
        conn = self.connect(autocommit=True)
        try:
            with translated(connection=self.name, action=f"look up table {table}"):
                row = conn.execute(
                    "SELECT to_regclass(%s) IS NOT NULL", (table.regclass_text(),)
                ).fetchone()
            return bool(row and row[0])
        finally:
            conn.close()

    def describe(self, request: ReadRequest | WriteRequest) -> str:
        """``name:table`` (or ``name:query``), for logs and reports; never a credential."""
        table = getattr(request, "table", None)
        return f"{self.name}:{table}" if table else f"{self.name}:query"

    def check(self) -> CheckResult:
        """Connect; report server version, role and what it may do (for ``odibi doctor``)."""
        try:
            conn = self.connect(autocommit=True)
        except OdibiError as exc:
            return CheckResult(False, exc.message, {"error": type(exc).__name__})
        try:
            row = conn.execute(CHECK_SQL).fetchone()
            info = conn.info
            endpoint = f"{info.host}:{info.port}/{info.dbname}"
        except Exception as exc:
            error = translate(exc, connection=self.name, action="check")
            return CheckResult(False, error.message, {"error": type(error).__name__})
        finally:
            conn.close()
        assert row is not None
        version, user, database, schema, can_create, can_temp, standby = row
        rights = [
            right
            for right, held in (
                ("create tables in " + str(schema), can_create),
                ("temporary tables", can_temp),
            )
            if held
        ]
        detail = (
            f"PostgreSQL {version} at {endpoint} as {user}; "
            f"may {', '.join(rights) if rights else 'not create tables'}"
            f"{'; read-only standby' if standby else ''}"
        )
        data = {
            "server_version": version,
            "user": user,
            "database": database,
            "schema": schema,
            "endpoint": endpoint,
            "create_in_schema": bool(can_create),
            "temporary": bool(can_temp),
            "standby": bool(standby),
        }
        return CheckResult(True, detail, data)
