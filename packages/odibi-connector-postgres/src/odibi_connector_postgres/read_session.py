"""Reads' database sessions, through Apache Arrow's ADBC driver for PostgreSQL.

``adbc-driver-postgresql`` runs ``COPY (query) TO STDOUT (FORMAT binary)`` and decodes the rows
into Arrow record batches in C; this module opens its sessions, describes a query, streams the
batches and cancels them. Only the low-level ``adbc_driver_manager`` API is used (its DB-API
layer imports ``pyarrow.dataset`` and pandas, which a read does not need).

A :class:`ReadDriver` holds the driver's database handle of one Odibi connection: made on the
first read (the driver connects once to learn the server version) and shared by the
connection's reads, each of which opens its own :class:`ReadSession` (one server session). The
driver's built-in type table is used instead of loading ``pg_type`` from the server: every type
outside it is cast to ``text`` by the server anyway (see
:mod:`odibi_connector_postgres.read_types`).

A session is read-only from its first statement: ``default_transaction_read_only`` is set in
the connection's startup options, so a query cannot change data (``nextval()`` fails with SQLSTATE
25006) and no extra round trip is spent. Every statement is a single ``COPY`` or a describe, so
each sees one consistent snapshot by itself.

Driver errors are turned into psycopg's exception classes (by SQLSTATE) and then into the
connector's errors by :func:`odibi_connector_postgres.errors.translate`, so reads and writes
classify failures (transient or not) by the same rules.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from odibi_core.plugin import OdibiError

from odibi_connector_postgres.connect import connection_kwargs
from odibi_connector_postgres.errors import translate, translated

if TYPE_CHECKING:
    import psycopg
    import pyarrow as pa

    from odibi_connector_postgres.options import PostgresOptions

READ_ONLY_OPTION = "-c default_transaction_read_only=on"
BATCH_BYTES_OPTION = "adbc.postgresql.batch_size_hint_bytes"
DATABASE_OPTIONS = {"adbc.postgresql.type_resolver_mode": "builtin"}
LIBPQ_PREFIXES = ("[libpq] ", "Failed to connect: ", "Failed to prepare query: ")


def read_conninfo(options: PostgresOptions, application_name: str) -> str:
    """The libpq connection string of a read session (validated by psycopg's parser).

    Keys set beside a ``dsn`` override it, exactly as for writes; the read-only startup option
    is appended to any ``options`` the DSN already carries.
    """
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    dsn = options.dsn.get_secret_value() if options.dsn else ""
    settings = connection_kwargs(options, application_name)
    startup = str(conninfo_to_dict(dsn).get("options") or "")
    settings["options"] = f"{startup} {READ_ONLY_OPTION}".strip()
    return make_conninfo(dsn, **settings)


class ReadDriver:
    """The driver's database handle of one connection, made on first use, shared by its reads.

    Args:
        options: The connection's validated options.
        name: The connection's name (for messages).
        application_name: What ``pg_stat_activity`` shows for the sessions.
    """

    def __init__(self, options: PostgresOptions, *, name: str, application_name: str) -> None:
        self.options = options
        self.name = name
        self.application_name = application_name
        self._lock = threading.Lock()
        self._database: Any = None
        self._sessions: set[ReadSession] = set()

    def session(self) -> ReadSession:
        """A new read-only server session (the driver's sessions are opened one at a time)."""
        import adbc_driver_manager

        with self._lock:
            if self._database is None:
                self._database = self._open_database()
            with adbc_translated(connection=self.name, action="connect"):
                session = ReadSession(adbc_driver_manager.AdbcConnection(self._database), self.name)
            self._sessions = {s for s in self._sessions if not s.closed}
            self._sessions.add(session)
            return session

    def cancel(self) -> int:
        """Cancel the statement of every open session (from any thread); return how many."""
        with self._lock:
            running = [s for s in self._sessions if not s.closed]
        for session in running:
            session.cancel()
        return len(running)

    def close(self) -> None:
        """Release the database handle (once its sessions are closed; else when collected)."""
        with self._lock:
            database, self._database = self._database, None
        if database is not None:
            with suppress(Exception):
                database.close()

    def _open_database(self) -> Any:
        import adbc_driver_postgresql

        with translated(connection=self.name, action="connect"):  # an invalid dsn
            conninfo = read_conninfo(self.options, self.application_name)
        with adbc_translated(connection=self.name, action="connect"):
            return adbc_driver_postgresql.connect(conninfo, db_kwargs=DATABASE_OPTIONS)


class ReadSession:
    """One read-only server session: describe a query, stream its batches, cancel, close.

    Args:
        connection: The driver's connection handle (the session is open).
        name: The Odibi connection's name (for messages).

    :meth:`cancel` may be called from any thread while another one streams; everything else
    belongs to the thread that reads.
    """

    def __init__(self, connection: Any, name: str) -> None:
        self.name = name
        self._connection = connection
        self._lock = threading.Lock()
        self._closed = False
        self._cancelled = False
        self._statement: Any = None
        self._reader: Any = None

    def describe(self, query: str) -> pa.Schema:
        """The result schema of ``query`` (prepared and described by the server; no row is read)."""
        import pyarrow as pa

        statement = self._new_statement(query)
        try:
            return pa.schema(statement.execute_schema())
        finally:
            self._close_statement()

    def stream(self, query: str, batch_bytes: int) -> Iterator[pa.RecordBatch]:
        """Run ``query`` and yield its record batches of about ``batch_bytes`` each."""
        from adbc_driver_manager._reader import AdbcRecordBatchReader

        statement = self._new_statement(query)
        statement.set_options(**{BATCH_BYTES_OPTION: str(batch_bytes)})
        handle, _ = statement.execute_query()
        # the driver manager's reader keeps the driver's error details (SQLSTATE) on failures
        self._reader = AdbcRecordBatchReader._import_from_c(handle.address)
        yield from self._reader

    @property
    def closed(self) -> bool:
        """Whether the session has ended (streamed to the end, failed or abandoned)."""
        return self._closed

    def cancel(self) -> None:
        """Cancel the running statement, and any later one (safe from another thread)."""
        with self._lock:
            self._cancelled = True
            if self._closed or self._statement is None:
                return
            with suppress(Exception):  # best effort: the statement may have just finished
                self._statement.cancel()

    def close(self) -> None:
        """Release the reader and the statement, and end the server session."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._close_statement()
        with suppress(Exception):
            self._connection.close()

    def _new_statement(self, query: str) -> Any:
        import adbc_driver_manager

        with self._lock:
            if self._closed:
                raise RuntimeError("the read session is closed")
            if self._cancelled:  # cancelled before this statement started: never start it
                import psycopg

                raise psycopg.errors.QueryCanceled("canceling statement due to user request")
            self._statement = adbc_driver_manager.AdbcStatement(self._connection)
        self._statement.set_sql_query(query)
        return self._statement

    def _close_statement(self) -> None:
        with self._lock:
            statement, reader = self._statement, self._reader
            self._statement = self._reader = None
        for handle in (reader, statement):
            if handle is not None:
                with suppress(Exception):
                    handle.close()


@contextmanager
def adbc_translated(*, connection: str, action: str) -> Iterator[None]:
    """Turn ADBC driver (and psycopg) errors raised inside the block into the connector's."""
    try:
        yield
    except OdibiError:
        raise
    except Exception as exc:
        import adbc_driver_manager
        import psycopg

        if isinstance(exc, psycopg.Error):
            raise translate(exc, connection=connection, action=action) from exc
        if not isinstance(exc, (adbc_driver_manager.Error, OSError)):
            raise
        raise translate(as_psycopg_error(exc), connection=connection, action=action) from exc


def as_psycopg_error(exc: Exception) -> psycopg.Error:
    """The psycopg exception that stands for an ADBC (or Arrow stream) error ``exc``.

    With a SQLSTATE it is psycopg's class for that state; without one, a failure to reach or keep
    the server (``OperationalError``: connect, I/O, cancel) stays an ``OperationalError`` and
    anything else is a ``DatabaseError``.
    """
    import adbc_driver_manager
    import psycopg

    message = adbc_message(exc)
    sqlstate = getattr(exc, "sqlstate", None)
    if sqlstate:
        try:
            return psycopg.errors.lookup(sqlstate)(message)
        except KeyError:
            return psycopg.DatabaseError(f"{message} (SQLSTATE {sqlstate})")
    if isinstance(exc, adbc_driver_manager.OperationalError):
        return psycopg.OperationalError(message)
    if isinstance(exc, OSError) and "ERROR:" not in str(exc):
        return psycopg.OperationalError(message)
    return psycopg.DatabaseError(message)


def adbc_message(exc: BaseException) -> str:
    """The server's primary message, or the driver's text without its status and query echo."""
    for key, value in getattr(exc, "details", None) or ():
        if key == b"PG_DIAG_MESSAGE_PRIMARY":
            return bytes(value).decode("utf-8", "replace")
    text = str(exc).split("\nQuery was:", 1)[0].split(". SQLSTATE:", 1)[0]
    head, sep, rest = text.partition(": ")
    if sep and head.isupper() and head.replace("_", "").isalpha():  # ADBC status: IO, CANCELLED
        text = rest
    for prefix in LIBPQ_PREFIXES:
        text = text.removeprefix(prefix)
    return text.strip()
