"""Reading: a table or a query, streamed as Arrow record batches by the ADBC driver.

The source is described first (the server prepares it, no row is read) to learn each column's
type; columns the driver would not hand over in their documented Arrow type are cast to ``text``
by the server (see :mod:`odibi_connector_postgres.read_types`). Then the driver runs one
``COPY (SELECT ...) TO STDOUT (FORMAT binary)`` and decodes it into Arrow in C, about 16 MiB at a
time; each of those batches is finished here a whole column at a time and handed on in slices of
at most ``batch_rows`` rows, so memory stays bounded whatever the size of the source.

Query parameters and the incremental high-water mark are bound as literals by psycopg's adapters
(``COPY`` cannot take server-side parameters; see :mod:`odibi_connector_postgres.binding`):
never string-formatted into the SQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from odibi_connector_postgres.binding import bind
from odibi_connector_postgres.errors import PostgresError
from odibi_connector_postgres.identifiers import TableName
from odibi_connector_postgres.read_session import ReadSession, adbc_translated
from odibi_connector_postgres.read_types import ReadColumn, finish_batch, read_column

if TYPE_CHECKING:
    import pyarrow as pa
    from odibi_core.plugin import ReadRequest

DEFAULT_BATCH_ROWS = 65_536
DRIVER_BATCH_BYTES = 16 * 1024 * 1024
READ_OPTIONS = ("batch_rows", "change_column", "change_statistics")
"""Read options: rows per batch, and the source markers of ``--resume`` (see
:mod:`odibi_connector_postgres.fingerprint`)."""


@dataclass(frozen=True)
class ReadPlan:
    """What one read selects, before it is rendered as SQL.

    Attributes:
        table: The table to read, or ``None`` for a query.
        query: The user's query (``%(name)s`` placeholders bound from ``params``).
        params: The query's parameters.
        incremental_column: Column of the high-water-mark filter, if any.
        after: Only rows with ``incremental_column > after`` are read.
        batch_rows: Most rows per record batch.
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

    def source(self) -> str:
        """The ``SELECT`` to read, every value bound as a literal by psycopg's adapters."""
        from psycopg import sql

        if self.table is not None:
            inner: sql.Composable = sql.SQL("SELECT * FROM {}").format(self.table.identifier())
        else:
            text = (self.query or "").strip().rstrip(";")
            if self.params:
                text = bind(text, self.params)
            inner = sql.SQL("SELECT * FROM ({}) AS odibi_query").format(sql.SQL(text))
        if self.incremental_column and self.after is not None:
            inner = sql.SQL("SELECT * FROM ({}) AS odibi_source WHERE {} > {}").format(
                inner, sql.Identifier(self.incremental_column), sql.Literal(self.after)
            )
        return inner.as_string(None)


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


def projection(source: str, columns: list[ReadColumn]) -> str:
    """``SELECT`` every column of ``source`` by name, text-only ones cast by the server."""
    from psycopg import sql

    items = sql.SQL(", ").join(
        sql.SQL("{}::text").format(sql.Identifier(c.name)) if c.as_text else sql.Identifier(c.name)
        for c in columns
    )
    statement = sql.SQL("SELECT {} FROM ({}) AS odibi_read").format(items, sql.SQL(source))
    return statement.as_string(None)


def open_reader(session: ReadSession, plan: ReadPlan, *, connection: str) -> pa.RecordBatchReader:
    """Describe the source now (bad SQL fails here), then stream it lazily; closes ``session``."""
    import pyarrow as pa

    try:
        source = plan.source()
        with adbc_translated(connection=connection, action=f"read {plan.what}"):
            described = session.describe(f"SELECT * FROM ({source}) AS odibi_describe")
        columns = [read_column(field) for field in described]
        names = [c.name for c in columns]
        if len(set(names)) != len(names):
            duplicates = sorted({n for n in names if names.count(n) > 1})
            raise PostgresError(
                f"{plan.what} returns duplicate column names: {', '.join(duplicates)}",
                hint="Give every column of the query its own name (AS ...).",
            )
    except BaseException:
        session.close()
        raise
    schema = pa.schema([pa.field(c.name, c.arrow_type) for c in columns])
    batches = _stream(session, plan, projection(source, columns), columns, schema, connection)
    return pa.RecordBatchReader.from_batches(schema, batches)


def _stream(
    session: ReadSession,
    plan: ReadPlan,
    statement: str,
    columns: list[ReadColumn],
    schema: pa.Schema,
    connection: str,
) -> Iterator[pa.RecordBatch]:
    """Yield the finished batches in slices of at most ``plan.batch_rows`` rows (no copy)."""
    try:
        with adbc_translated(connection=connection, action=f"read {plan.what}"):
            for raw in session.stream(statement, DRIVER_BATCH_BYTES):
                batch = finish_batch(raw, columns, schema)
                for start in range(0, batch.num_rows, plan.batch_rows):
                    yield batch.slice(start, plan.batch_rows)
    except GeneratorExit:
        session.cancel()  # the consumer stopped early: stop the server's COPY
        raise
    finally:
        session.close()
