"""Reading: a table or a query, streamed through binary ``COPY ... TO STDOUT`` as Arrow batches.

The source is described first (``LIMIT 0``, one round trip) to learn each column's type; columns
without a binary decoder are cast to ``text`` by the server. Then one ``COPY (SELECT ...) TO
STDOUT (FORMAT BINARY)`` streams the rows, and every ``batch_rows`` rows (or 64 MiB) become one
record batch, so memory stays bounded whatever the size of the source. Everything runs in one
read-only, repeatable-read transaction, so the description and the data see the same snapshot.

Query parameters and the incremental high-water mark are bound by psycopg (``COPY`` cannot take
server-side parameters, so psycopg's client-side binding quotes them as literals): never
string-formatted into the SQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from odibi_connector_postgres.decode import TRAILER, decode_rows, strip_header
from odibi_connector_postgres.errors import PostgresError, translated
from odibi_connector_postgres.identifiers import TableName
from odibi_connector_postgres.type_map import ReadColumn, read_column

if TYPE_CHECKING:
    import psycopg
    import pyarrow as pa
    from odibi_core.contracts.engine import ReadRequest
    from psycopg import sql

DEFAULT_BATCH_ROWS = 65_536
MAX_BATCH_BYTES = 64 * 1024 * 1024
READ_OPTIONS = ("batch_rows", "change_column", "change_statistics")
"""Read options: rows per batch, and the source markers of ``--resume`` (see
:mod:`odibi_connector_postgres.fingerprint`)."""


@dataclass(frozen=True)
class ReadPlan:
    """What one read selects, before it is rendered for a connection.

    Attributes:
        table: The table to read, or ``None`` for a query.
        query: The user's query (``%(name)s`` placeholders bound from ``params``).
        params: The query's parameters.
        incremental_column: Column of the high-water-mark filter, if any.
        after: Only rows with ``incremental_column > after`` are read.
        batch_rows: Rows per record batch.
    """

    table: TableName | None
    query: str | None
    params: Mapping[str, Any] | None
    incremental_column: str | None
    after: Any
    batch_rows: int

    @property
    def what(self) -> str:
        """The source, for messages (``table public.orders`` or ``query``)."""
        return f"table {self.table}" if self.table else "query"

    def source(self, conn: psycopg.Connection[Any]) -> sql.Composable:
        """The ``SELECT`` to read, every value bound as a literal by psycopg's adapters."""
        from psycopg import ClientCursor, sql

        if self.table is not None:
            inner: sql.Composable = sql.SQL("SELECT * FROM {}").format(self.table.identifier())
        else:
            text = (self.query or "").strip().rstrip(";")
            if self.params:
                text = ClientCursor(conn).mogrify(text, self.params)
            inner = sql.SQL("SELECT * FROM ({}) AS odibi_query").format(sql.SQL(text))
        if self.incremental_column and self.after is not None:
            inner = sql.SQL("SELECT * FROM ({}) AS odibi_source WHERE {} > {}").format(
                inner, sql.Identifier(self.incremental_column), sql.Literal(self.after)
            )
        return inner


def plan_read(request: ReadRequest) -> ReadPlan:
    """The :class:`ReadPlan` of ``request`` (a table or a query, plus the incremental filter)."""
    if not request.table and not request.query:
        raise PostgresError("a postgres read needs `table:` or `query:`")
    return ReadPlan(
        table=TableName.parse(request.table) if request.table else None,
        query=request.query,
        params=dict(request.params) if request.params else None,
        incremental_column=request.incremental_column,
        after=request.incremental_after,
        batch_rows=_batch_rows(request.options),
    )


def _batch_rows(options: Mapping[str, Any] | None) -> int:
    options = dict(options or {})
    unknown = sorted(set(options) - set(READ_OPTIONS))
    if unknown:
        raise PostgresError(
            f"unknown postgres read option(s): {', '.join(unknown)}; "
            f"known: {', '.join(READ_OPTIONS)}"
        )
    change = options.get("change_column")
    if change is not None and (not isinstance(change, str) or not change):
        raise PostgresError(f"read option change_column must be a column name, not {change!r}")
    if not isinstance(options.get("change_statistics", False), bool):
        raise PostgresError("read option change_statistics must be true or false")
    value = options.get("batch_rows", DEFAULT_BATCH_ROWS)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise PostgresError(f"read option batch_rows must be a positive integer, not {value!r}")
    return value


def describe(conn: psycopg.Connection[Any], source: sql.Composable) -> list[ReadColumn]:
    """The columns ``source`` returns (the query is planned, no row is read)."""
    from psycopg import sql

    with conn.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT * FROM ({}) AS odibi_describe LIMIT 0").format(source))
        description = cursor.description or []
    return [read_column(c.name, c.type_code, c.precision, c.scale) for c in description]


def copy_statement(source: sql.Composable, columns: list[ReadColumn]) -> sql.Composed:
    """``COPY (SELECT ...) TO STDOUT (FORMAT BINARY)``, casting text-only columns on the server."""
    from psycopg import sql

    projection = sql.SQL(", ").join(
        sql.SQL("{}::text").format(sql.Identifier(c.name)) if c.as_text else sql.Identifier(c.name)
        for c in columns
    )
    return sql.SQL("COPY (SELECT {} FROM ({}) AS odibi_copy) TO STDOUT (FORMAT BINARY)").format(
        projection, source
    )


def open_reader(
    conn: psycopg.Connection[Any], plan: ReadPlan, *, connection: str
) -> pa.RecordBatchReader:
    """Describe the source now (bad SQL fails here), then stream it lazily; closes ``conn``."""
    import pyarrow as pa

    try:
        with translated(connection=connection, action=f"read {plan.what}"):
            conn.read_only = True
            conn.isolation_level = _repeatable_read()
            source = plan.source(conn)
            columns = describe(conn, source)
    except BaseException:
        conn.close()
        raise
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        conn.close()
        duplicates = sorted({n for n in names if names.count(n) > 1})
        raise PostgresError(
            f"{plan.what} returns duplicate column names: {', '.join(duplicates)}",
            hint="Give every column of the query its own name (AS ...).",
        )
    schema = pa.schema([pa.field(c.name, c.arrow_type) for c in columns])
    return pa.RecordBatchReader.from_batches(
        schema, _stream(conn, plan, copy_statement(source, columns), columns, connection)
    )


def _repeatable_read() -> Any:
    from psycopg import IsolationLevel

    return IsolationLevel.REPEATABLE_READ


def _stream(
    conn: psycopg.Connection[Any],
    plan: ReadPlan,
    statement: sql.Composed,
    columns: list[ReadColumn],
    connection: str,
) -> Iterator[pa.RecordBatch]:
    """Yield record batches of at most ``plan.batch_rows`` rows (or ~64 MiB) each.

    The loop body is kept minimal on purpose: it runs once per row.
    """
    try:
        with (
            translated(connection=connection, action=f"read {plan.what}"),
            conn.cursor() as cursor,
            cursor.copy(statement) as copy,
        ):
            try:
                messages = iter(copy)
                first = next(messages, None)
                if first is None:
                    return
                pending: list[bytes | bytearray | memoryview] = [strip_header(first)]
                append = pending.append
                size = 0
                for message in messages:
                    append(message)
                    size += len(message)
                    if len(pending) >= plan.batch_rows or size >= MAX_BATCH_BYTES:
                        yield from _batch(pending, columns)
                        pending.clear()
                        size = 0
                yield from _batch(pending, columns)
            except GeneratorExit:
                conn.cancel_safe()  # the consumer stopped early: stop the server's COPY
                raise
    finally:
        conn.close()


def _batch(
    messages: list[bytes | bytearray | memoryview], columns: list[ReadColumn]
) -> Iterator[pa.RecordBatch]:
    """The decoded batch of ``messages`` (the trailer, if it is among them, dropped)."""
    if messages and len(messages[-1]) == len(TRAILER) and bytes(messages[-1]) == TRAILER:
        messages = messages[:-1]
    if messages:
        yield decode_rows(messages, columns)
