"""The builtin ``duckdb`` engine: lazy views in one in-process DuckDB database per run.

Frames are views; nothing is computed until a write (``COPY ... TO``), a validation or a Python
step needs it, so a read -> join -> aggregate -> write pipeline runs as one DuckDB query, exactly
as a hand-written script would. Each SQL step gets its own schema holding views named after the
upstream nodes and ``this`` (those its SQL names: see :mod:`~odibi_core.engines.duck_aliases`);
DuckDB binds a view's names in its own schema first, so steps of parallel nodes never see each
other's names. Data stays in DuckDB or Arrow end to end: pandas is only imported when a Python
step asks for a pandas frame.

A view over a view over a view... is bound again whole by every statement that reads it, and
DuckDB limits how deep an expression may nest; so a chain of SQL steps is materialised (one
``CREATE TABLE``) every :data:`MAX_LAZY_DEPTH` views, and a chain of thousands of nodes runs in
bounded work per node. For the same reason a small step costs what its statements bind: its
schema, the aliases it reads, its view, and one bind for its schema (no statement runs).
"""

from __future__ import annotations

import itertools
import threading
import warnings
import weakref
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator

from odibi_core import errors
from odibi_core.contracts.connection import FileConnection, TableConnection
from odibi_core.contracts.engine import CURRENT_FRAME_NAME, Engine, WriteCounts
from odibi_core.contracts.requests import ColumnInfo, ReadRequest, WriteRequest
from odibi_core.engines.csv_strict import malformed_csv_error
from odibi_core.engines.duck_aliases import split_named
from odibi_core.engines.duck_cursors import CursorPool
from odibi_core.engines.duck_errors import from_duckdb
from odibi_core.engines.duck_files import (
    READERS,
    UnsupportedFormat,
    copy_to_file,
    read_select,
    read_selects,
)
from odibi_core.engines.duck_frames import DuckFrame, collect_droppable
from odibi_core.engines.duck_rows import FewRows, arrow_type_name, columns_of, few_rows
from odibi_core.engines.frames import call_python_step
from odibi_core.engines.pandas_frames import arrow_to_pandas, is_pandas_frame, pandas_to_arrow
from odibi_core.engines.remote_files import attach_filesystem
from odibi_core.engines.sql_literals import quote_identifier, sql_literal
from odibi_core.plugins.options import PluginOptions
from odibi_core.plugins.types import BuildContext

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from odibi_core.contracts.connection import Connection

ARROW_BATCH_ROWS = 100_000

MAX_LAZY_DEPTH = 32
"""SQL steps stacked as views before one is materialised as a table (DuckDB's expression depth
limit is reached near 250; binding cost grows with the depth)."""

TOUCH_ALIAS = "odibi_touched"
"""Alias of the expression that makes a check compute every column (``hash`` of every value)."""

# Schemas and samples fetch a few rows as Arrow from an executed statement (one bind of the
# query, where a relation binds twice). DuckDB 2 warns that this copies the rows: a few rows, by
# design. Scoped to this module's own calls.
warnings.filterwarnings(
    "ignore",
    message="Arrow output on a DB-API result",
    category=UserWarning,
    module=r"odibi_core\.engines\.duckdb_engine",
)


class DuckDBOptions(PluginOptions):
    """``engine_options`` of the ``duckdb`` engine."""

    threads: int | None = Field(
        None, ge=1, description="DuckDB worker threads (default: all cores)."
    )
    memory_limit: str | None = Field(
        None,
        description="e.g. `4GB`, `512MiB` or `80%` (of memory); DuckDB spills to disk beyond it.",
    )
    temp_directory: str | None = Field(None, description="Where DuckDB spills (default: its own).")
    database: str = Field(
        ":memory:", description="Database file; `:memory:` keeps nothing after the run."
    )
    timezone: str = Field(
        "UTC",
        description="Session time zone: how TIMESTAMPTZ values are shown, cast "
        "to dates and exported (UTC makes results the same on every machine).",
    )

    @field_validator("memory_limit")
    @classmethod
    def _memory_limit(cls, value: str | None) -> str | None:
        from odibi_core.engines.memory_limit import check_memory_limit

        return check_memory_limit(value)


class DuckDBEngine(Engine):
    """See the module docstring."""

    name = "duckdb"

    def __init__(self, options: DuckDBOptions | None = None) -> None:
        import duckdb

        self.options = options or DuckDBOptions()
        config: dict[str, Any] = {}
        if self.options.threads:
            config["threads"] = self.options.threads
        if self.options.memory_limit:
            config["memory_limit"] = self.options.memory_limit
        if self.options.temp_directory:
            config["temp_directory"] = self.options.temp_directory
        self._con = duckdb.connect(self.options.database, config=config)
        # set after connecting: as a connect option DuckDB would try to download ICU first
        self._con.execute(f"SET TimeZone = {sql_literal(self.options.timezone)}")
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._written: weakref.WeakKeyDictionary[DuckFrame, str] = weakref.WeakKeyDictionary()
        self._cursors = CursorPool(self._con)
        self._in_memory = self.options.database.startswith(":memory:")

    @classmethod
    def build(cls, options: DuckDBOptions, context: BuildContext) -> DuckDBEngine:
        """Factory used by the plugin registration."""
        return cls(options)

    # --- helpers ------------------------------------------------------------------------

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        return self._cursors.cursor()

    def _new_schema(self, cursor: duckdb.DuckDBPyConnection, hint: str) -> str:
        with self._lock:
            schema = f"odibi_{next(self._ids)}_{''.join(c for c in hint if c.isalnum())[:24]}"
        cursor.execute(f"CREATE SCHEMA {schema}")
        return schema

    def _frame(
        self, ref: str, schema: str | None, parents: list[DuckFrame], kind: str = "view"
    ) -> DuckFrame:
        frame = DuckFrame(ref, schema, kind, parents)
        with self._lock:
            for parent in parents:
                parent.live_children += 1
        return frame

    def _run(
        self,
        cursor: duckdb.DuckDBPyConnection,
        sql: str,
        *,
        user_sql: str | None = None,
        line_offset: int = 0,
    ) -> Any:
        """Execute ``sql``; an error becomes :class:`EngineError`, pointing into ``user_sql`` (the
        user's SQL, embedded in ``sql`` from line ``line_offset + 1``) when DuckDB points there."""
        import duckdb

        self._refuse_if_interrupted()
        try:
            return cursor.execute(sql)
        except duckdb.Error as exc:
            raise engine_error(exc, sql=user_sql, line_offset=line_offset) from exc

    def _refuse_if_interrupted(self) -> None:
        """No new statement once the run was interrupted (its cursors are being cancelled)."""
        if self._cursors.interrupted:
            raise EngineError("the run was interrupted")

    def _query_table(self, cursor: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
        """Run ``sql``; the whole result as an Arrow table (DuckDB 2 and 1.x spellings)."""
        import duckdb

        try:
            relation = cursor.sql(sql)
            method = getattr(relation, "to_arrow_table", None) or relation.arrow
            return method()
        except duckdb.Error as exc:
            raise engine_error(exc) from exc

    def _query_few(self, cursor: duckdb.DuckDBPyConnection, sql: str) -> pa.Table | FewRows:
        """Run ``sql``, which returns a few rows (a schema, a sample): plain types as
        :class:`~odibi_core.engines.duck_rows.FewRows` (no pyarrow import), others as Arrow.

        Executed directly rather than through a relation: a relation binds its query when it is
        made and again when it runs, and binding a view over CSV re-runs DuckDB's sniffer.
        """
        result = self._run(cursor, sql)
        try:
            plain = few_rows(result.description or (), result.fetchall)
        except Exception as exc:
            raise engine_error(exc) from exc
        if plain is not None:
            return plain
        method = getattr(result, "to_arrow_table", None) or result.fetch_arrow_table
        try:
            return method()
        except Exception as exc:
            raise engine_error(exc) from exc

    def _query_reader(
        self, cursor: duckdb.DuckDBPyConnection, sql: str, batch_rows: int
    ) -> pa.RecordBatchReader:
        """Run ``sql``; the result as a streaming Arrow reader (DuckDB 2 and 1.x spellings)."""
        import duckdb

        try:
            relation = cursor.sql(sql)
            method = getattr(relation, "to_arrow_reader", None) or relation.fetch_arrow_reader
            return method(batch_rows)
        except duckdb.Error as exc:
            raise engine_error(exc) from exc

    # --- contract -----------------------------------------------------------------------

    def read(self, connection: Connection, request: ReadRequest) -> DuckFrame:
        """Create a lazy view over files, or load Arrow batches from a table connection."""
        if isinstance(connection, TableConnection):
            return self.from_arrow(connection.read_arrow(request))
        if not isinstance(connection, FileConnection):
            raise EngineError(
                f"connection {connection.name!r} ({connection.type}) is neither file nor table"
            )
        attach_filesystem(self._con, connection)
        cursor = self._cursor()
        try:
            select, pinned_serial = read_selects(
                connection, request, sniff=lambda sql: self._run(cursor, sql).fetchall()
            )
        except UnsupportedFormat as exc:
            raise EngineError(f"duckdb {exc}") from None
        schema = self._new_schema(cursor, "read")
        self._run(cursor, f"CREATE VIEW {schema}.src AS {select}")
        frame = self._frame(f"{schema}.src", schema, [])
        frame.scan = select
        filtered = request.incremental_column is not None and request.incremental_after is not None
        # local files only: a footer read from object storage is a request per file, not free
        frame.footer_counted = request.format == "parquet" and not filtered and "://" not in select
        if pinned_serial is not None:  # dialect and types detected once, by the check's sniff
            frame.scan = pinned_serial
        elif (request.format or "csv") == "csv" and not any(
            k.lower() == "parallel" for k in request.options or {}
        ):
            # a sample needs the first rows: reading serially, no other thread starts on the file
            serial = replace(request, options={**(request.options or {}), "parallel": False})
            frame.scan = read_select(connection, serial)
        return frame

    def scan(self, connection: Connection, select: str) -> DuckFrame:
        """A lazy frame over ``select``, a query reading files of ``connection``.

        For format plugins with a fast path on this engine: a Delta table's data files handed to
        ``read_parquet`` are scanned lazily, in parallel, with projection and filter pushdown,
        exactly like a ``read`` of Parquet files.
        """
        attach_filesystem(self._con, connection)
        cursor = self._cursor()
        schema = self._new_schema(cursor, "read")
        self._run(cursor, f"CREATE VIEW {schema}.src AS {select}")
        frame = self._frame(f"{schema}.src", schema, [])
        frame.scan = select
        return frame

    def sql(self, query: str, tables: Mapping[str, Any]) -> DuckFrame:
        """Run ``query`` in a fresh schema whose views alias ``tables``; return the result view.

        Only the tables ``query`` names get their alias view up front (see
        :func:`~odibi_core.engines.duck_aliases.split_named`): creating a view binds everything
        under it, so an alias nobody reads (``this`` in a step that reads its upstream by name)
        was a whole extra bind of the chain per node. If the statement fails, the other aliases
        are created and it is run once more, so a failing query meets exactly the names it
        always met (and its error, with DuckDB's suggestions, is the same).
        """
        cursor = self._cursor()
        schema = self._new_schema(cursor, "sql")
        body = query.strip().rstrip(";")
        given = {name: frame for name, frame in tables.items() if frame is not None}
        parents = list(given.values())
        # a database file may hold the user's own macros and views, which name tables the
        # query's text does not: there every alias is made, as always
        named, unnamed = split_named(given, body) if self._in_memory else (given, {})
        self._create_aliases(cursor, schema, named)
        depth = 1 + max((p.depth for p in parents), default=0)
        kind = "table" if depth >= MAX_LAZY_DEPTH else "view"
        if kind == "table":  # a view binds its names in its own schema first; a table does not
            self._run(cursor, f"SET search_path = '{schema},main'")
        statement = f"CREATE {kind.upper()} {schema}.odibi_result AS\n{body}"
        try:
            self._run(cursor, statement, user_sql=body, line_offset=1)
        except errors.OdibiError:
            if not unnamed or self._cursors.interrupted:
                raise
            self._create_aliases(cursor, schema, unnamed)
            self._run(cursor, statement, user_sql=body, line_offset=1)
        frame = self._frame(f"{schema}.odibi_result", schema, parents, kind=kind)
        frame.body, frame.depth = body, (depth if kind == "view" else 0)
        return frame

    def _create_aliases(
        self, cursor: duckdb.DuckDBPyConnection, schema: str, tables: Mapping[str, DuckFrame]
    ) -> None:
        """A view in ``schema`` named after each of ``tables``, reading that frame."""
        for name, frame in tables.items():
            self._run(
                cursor,
                f"CREATE VIEW {schema}.{quote_identifier(name)} AS SELECT * FROM {frame.ref}",
            )

    def call(
        self,
        func: Callable[..., Any],
        frame: Any,
        params: Mapping[str, Any],
        *,
        frame_kind: str = "native",
        inputs: Mapping[str, Any] | None = None,
    ) -> DuckFrame:
        """Call a Python step with a DuckDB relation, a pandas frame or an Arrow table."""
        cursor = self._cursor()
        converters = {
            "native": lambda f: cursor.sql(f"SELECT * FROM {f.ref}"),
            "arrow": lambda f: self._arrow_table(f),
            "pandas": lambda f: arrow_to_pandas(self._arrow_table(f)),
        }
        result = call_python_step(func, frame, params, inputs, converters[frame_kind])
        return self._adopt(result, cursor)

    def _adopt(self, result: Any, cursor: duckdb.DuckDBPyConnection) -> DuckFrame:
        import duckdb

        if isinstance(result, DuckFrame):
            return result
        schema = self._new_schema(cursor, "py")
        if isinstance(result, duckdb.DuckDBPyRelation):
            try:
                result.create(f"{schema}.odibi_result")
            except duckdb.Error as exc:
                raise engine_error(exc) from exc
        else:
            import pyarrow as pa

            if not isinstance(result, (pa.Table, pa.RecordBatchReader)):
                if is_pandas_frame(result):
                    result = pandas_to_arrow(result)
                else:
                    raise EngineError(
                        f"a Python step returned {type(result).__name__}; return a frame"
                    )
            cursor.register("odibi_incoming", result)
            self._run(cursor, f"CREATE TABLE {schema}.odibi_result AS SELECT * FROM odibi_incoming")
            cursor.unregister("odibi_incoming")
        return self._frame(f"{schema}.odibi_result", schema, [], kind="table")

    def write(
        self, frame: DuckFrame, connection: Connection, request: WriteRequest
    ) -> int | WriteCounts:
        """COPY to a staging path and publish it, or stream Arrow batches to a table connection."""
        if isinstance(connection, TableConnection):
            return connection.write_arrow(self.to_arrow(frame), request)
        if not isinstance(connection, FileConnection):
            raise EngineError(f"connection {connection.name!r} cannot be written by duckdb")
        attach_filesystem(self._con, connection)
        cursor = self._cursor()
        try:
            rows = copy_to_file(
                lambda sql: self._run(cursor, sql),
                f"SELECT * FROM {frame.ref}",
                connection,
                request,
            )
        except UnsupportedFormat as exc:
            raise EngineError(f"duckdb {exc}") from None
        fmt = request.format or "parquet"
        if request.mode != "append" and not (fmt == "csv" and request.options):
            # what the frame computed now sits in a file: a sample reads its first rows from there
            with self._lock:
                self._written[frame] = (
                    f"{READERS[fmt]}({sql_literal(connection.resolve(request.path or ''))})"
                )
        return rows

    def count(self, frame: DuckFrame) -> int:
        """``SELECT count(*)``."""
        return int(self._run(self._cursor(), f"SELECT count(*) FROM {frame.ref}").fetchone()[0])

    def cheap_count(self, frame: DuckFrame) -> int | None:
        """The row count of a materialised table (DuckDB keeps it) or of a plain read of Parquet
        files (from their footers: no data page is read); ``None`` for any other view."""
        return self.count(frame) if frame.kind == "table" or frame.footer_counted else None

    def schema(self, frame: DuckFrame) -> list[ColumnInfo]:
        """Names and Arrow-spelt types of ``frame``'s columns; asked once per frame.

        The frame's query is bound, never run: plain types are spelt from the bound relation's
        types (see :mod:`~odibi_core.engines.duck_rows`); any other type asks Arrow for the
        schema of ``LIMIT 0``, as before.
        """
        if frame.columns is None:
            cursor = self._cursor()
            columns = self._bound_columns(cursor, f"SELECT * FROM {frame.ref}")
            if columns is None:
                columns = columns_of(
                    self._query_few(cursor, f"SELECT * FROM {frame.ref} LIMIT 0")
                )
            frame.columns = columns
        return list(frame.columns)

    def _bound_columns(
        self, cursor: duckdb.DuckDBPyConnection, sql: str
    ) -> list[ColumnInfo] | None:
        """The columns of ``sql``'s result from binding it alone (a relation that never runs: a
        ``LIMIT 0`` query costs a bind plus an execution); ``None`` if a type needs Arrow."""
        import duckdb

        self._refuse_if_interrupted()
        try:
            relation = cursor.sql(sql)
            names, types = relation.columns, relation.types
        except duckdb.Error as exc:
            raise engine_error(exc) from exc
        columns = []
        for name, kind in zip(names, types, strict=True):
            arrow = arrow_type_name(str(kind))
            if arrow is None:
                return None
            columns.append(ColumnInfo(name, arrow))
        return columns

    def sample(self, frame: DuckFrame, n: int) -> pa.Table | FewRows | None:
        """``LIMIT n`` where the rows already exist or come first without computing the rest: the
        file this frame was just written to, a table, or a plain read of files. ``None`` for any
        other view (a join, an aggregate, even a filter over one): only the nodes that read it
        compute it, and a sample of it would compute it once more."""
        with self._lock:
            written = self._written.get(frame)
        cursor = self._cursor()
        if written is not None:
            try:
                return self._query_few(cursor, f"SELECT * FROM {written} LIMIT {int(n)}")
            except EngineError:
                pass  # the file moved on; fall back to the frame itself
        if frame.scan is not None:
            try:
                table = self._query_few(cursor, f"{frame.scan} LIMIT {int(n)}")
            except EngineError:  # an option the serial reader refuses: ask the view itself
                table = self._query_few(cursor, f"SELECT * FROM {frame.ref} LIMIT {int(n)}")
        elif frame.kind == "table":
            table = self._query_few(cursor, f"SELECT * FROM {frame.ref} LIMIT {int(n)}")
        else:
            return None
        if frame.columns is None:  # the same bind answered the schema too
            frame.columns = columns_of(table)
        return table

    def _arrow_table(self, frame: DuckFrame) -> pa.Table:
        return self._query_table(self._cursor(), f"SELECT * FROM {frame.ref}")

    def to_arrow(self, frame: DuckFrame) -> pa.RecordBatchReader:
        """Stream ``frame`` in batches of 100,000 rows."""
        cursor = self._cursor()
        return self._query_reader(cursor, f"SELECT * FROM {frame.ref}", ARROW_BATCH_ROWS)

    def from_arrow(self, reader: pa.RecordBatchReader | pa.Table) -> DuckFrame:
        """Load Arrow data into a DuckDB table (DuckDB manages the memory and spills)."""
        cursor = self._cursor()
        return self._adopt(reader, cursor)

    def aggregate(self, frame: DuckFrame, expressions: Mapping[str, str]) -> dict[str, Any]:
        """One ``SELECT`` of every expression over ``frame``."""
        select = ", ".join(
            f"{expr} AS {quote_identifier(alias)}" for alias, expr in expressions.items()
        )
        cursor = self._cursor()
        schema = self._new_schema(cursor, "check")
        try:
            self._run(
                cursor, f"CREATE VIEW {schema}.{CURRENT_FRAME_NAME} AS SELECT * FROM {frame.ref}"
            )
            self._run(cursor, f"SET search_path = '{schema},main'")
            row = self._run(cursor, f"SELECT {select} FROM {CURRENT_FRAME_NAME}").fetchone()
        finally:
            self._run(cursor, f"DROP SCHEMA {schema} CASCADE")
        return dict(zip(expressions, row, strict=False)) if row else {}

    def compute(
        self, frame: DuckFrame, aggregates: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """One query evaluating ``aggregates`` and ``hash`` of every value (so no column is left
        out).

        A SQL step's frame runs its user's SQL as written (in the step's schema), so an error
        points into that SQL; a table is already computed and only ``aggregates`` are evaluated.
        """
        parts = [
            f"{expr} AS {quote_identifier(alias)}" for alias, expr in (aggregates or {}).items()
        ]
        if frame.kind != "table":
            parts.append(f"max(hash(*COLUMNS(*))) AS {TOUCH_ALIAS}")
        if not parts:
            return {}
        cursor = self._cursor()
        select = f"SELECT {', '.join(parts)} FROM "
        if frame.body is not None and frame.kind == "view":
            self._run(cursor, f"SET search_path = '{frame.schema},main'")
            row = self._run(
                cursor,
                f"{select}(\n{frame.body}\n) AS {CURRENT_FRAME_NAME}",
                user_sql=frame.body,
                line_offset=1,
            ).fetchone()
        else:
            row = self._run(cursor, f"{select}{frame.ref} AS {CURRENT_FRAME_NAME}").fetchone()
        values = dict(zip([*(aggregates or {}), TOUCH_ALIAS], row or (), strict=False))
        values.pop(TOUCH_ALIAS, None)
        return values

    def is_computed(self, frame: DuckFrame) -> bool:
        """Tables (persisted frames, Python step results, deep chains) hold their rows."""
        return frame.kind == "table"

    def interrupt(self) -> None:
        """Interrupt every running query; later statements of this engine fail at once."""
        self._cursors.interrupt()

    def max_value(self, frame: DuckFrame, column: str) -> Any:
        """``max(column)`` over ``frame``."""
        return self._run(
            self._cursor(), f"SELECT max({quote_identifier(column)}) FROM {frame.ref}"
        ).fetchone()[0]

    def persist(self, frame: DuckFrame) -> DuckFrame:
        """Materialise a view read by several consumers into a table (computed once)."""
        if frame.kind == "table":
            return frame
        cursor = self._cursor()
        schema = self._new_schema(cursor, "persist")
        self._run(cursor, f"CREATE TABLE {schema}.odibi_result AS SELECT * FROM {frame.ref}")
        return self._frame(f"{schema}.odibi_result", schema, [], kind="table")

    def release(self, frame: DuckFrame) -> None:
        """Drop ``frame``'s schema once it and every frame built on it are released.

        Only schemas holding a table are dropped: a view holds no rows, and a ``DROP SCHEMA``
        (a catalog change, about 2 ms) per released view was a large share of each small
        node's cost. The views go with the in-memory database when the engine closes.
        """
        with self._lock:
            frame.released = True
            to_drop = collect_droppable(frame)
        dead_tables = [dead.schema for dead in to_drop if dead.schema and dead.kind == "table"]
        if not dead_tables:
            return
        cursor = self._cursor()
        for schema in dead_tables:
            cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")

    def close(self) -> None:
        """Close the DuckDB connection (an in-memory database is discarded)."""
        self._con.close()


def engine_error(
    exc: BaseException, *, sql: str | None = None, line_offset: int = 0
) -> errors.OdibiError:
    """What a DuckDB exception becomes: a malformed CSV names file and line, else
    :class:`EngineError` with DuckDB's lines kept, pointing into ``sql`` (the user's SQL, from
    line ``line_offset + 1`` of the statement) when DuckDB points there."""
    return malformed_csv_error(str(exc)) or from_duckdb(
        exc, EngineError, sql=sql, line_offset=line_offset
    )


class EngineError(errors.EngineError):
    """DuckDB rejected a statement, failed while computing rows, or an operation is unsupported."""
