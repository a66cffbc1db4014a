"""The ``pandas`` engine: frames are pandas DataFrames, SQL runs in DuckDB over them.

For projects whose Python steps are written against pandas (the original Odibi's default). Files
are read and written with the same DuckDB readers and ``COPY`` as the ``duckdb`` engine, so the
same CSV gives the same column types and the same options work; in between, every frame is a
pandas DataFrame held in memory. SQL steps run in an in-process DuckDB that scans the frames as
Arrow (zero copy for the default Arrow-backed dtypes) and returns a new DataFrame. Table
connections go through the Arrow interchange. Install it with ``pip install odibi-engine-pandas``
(or ``pip install 'odibi-core[pandas]'``, which installs this package).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from odibi_core import errors
from odibi_core.contracts.connection import FileConnection, TableConnection
from odibi_core.contracts.engine import Engine, WriteCounts
from odibi_core.contracts.requests import ColumnInfo, ReadRequest, WriteRequest
from odibi_core.engines.csv_strict import malformed_csv_error
from odibi_core.engines.duck_cursors import CursorPool
from odibi_core.engines.duck_errors import from_duckdb
from odibi_core.engines.duck_files import UnsupportedFormat, copy_to_file, read_select
from odibi_core.engines.frames import call_python_step
from odibi_core.engines.pandas_frames import (
    arrow_to_pandas,
    import_pandas,
    is_pandas_frame,
    pandas_to_arrow,
)
from odibi_core.engines.remote_files import attach_filesystem
from odibi_core.engines.sql_literals import quote_identifier, sql_literal
from odibi_core.plugins.types import BuildContext

from odibi_engine_pandas.options import PandasOptions

if TYPE_CHECKING:
    import duckdb
    import pandas as pd
    import pyarrow as pa
    from odibi_core.contracts.connection import Connection

ARROW_BATCH_ROWS = 100_000


class PandasEngine(Engine):
    """See the module docstring."""

    name = "pandas"

    def __init__(self, options: PandasOptions | None = None) -> None:
        import duckdb

        import_pandas()
        self.options = options or PandasOptions()
        config: dict[str, Any] = {}
        if self.options.threads:
            config["threads"] = self.options.threads
        self._con = duckdb.connect(":memory:", config=config)
        self._con.execute(f"SET TimeZone = {sql_literal(self.options.timezone)}")
        self._cursors = CursorPool(self._con)

    @classmethod
    def build(cls, options: PandasOptions, context: BuildContext) -> PandasEngine:
        """Factory used by the plugin registration."""
        return cls(options)

    # --- helpers ------------------------------------------------------------------------

    def _to_pandas(self, data: pa.Table | pa.RecordBatchReader) -> pd.DataFrame:
        return arrow_to_pandas(data, self.options.dtype_backend)

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        if self._cursors.interrupted:
            raise PandasEngineError("the run was interrupted")
        return self._cursors.cursor()

    def _query(
        self, sql: str, tables: Mapping[str, Any] | None = None, *, user_sql: bool = False
    ) -> pa.Table:
        """Run ``sql`` on a fresh cursor where ``tables`` (name -> frame) are registered
        (``user_sql``: ``sql`` is the user's step, so an error may point into it)."""
        import duckdb

        cursor = self._cursor()
        try:
            for name, frame in (tables or {}).items():
                if frame is not None:
                    cursor.register(name, pandas_to_arrow(frame))
            try:
                relation = cursor.sql(sql)
            except duckdb.Error as exc:
                if not user_sql:
                    raise
                # a relation's bind error has no position; executing the statement says where
                # (it fails in the same bind, before any row is computed)
                try:
                    cursor.execute(sql)
                except duckdb.Error as positioned:
                    raise positioned from exc
                raise
            method = getattr(relation, "to_arrow_table", None) or relation.arrow
            return method()
        except duckdb.Error as exc:
            raise _engine_error(exc, sql=sql if user_sql else None) from exc
        finally:
            cursor.close()

    def _adopt(self, result: Any) -> pd.DataFrame:
        import pyarrow as pa

        if is_pandas_frame(result):
            return result
        if isinstance(result, (pa.Table, pa.RecordBatchReader)):
            return self._to_pandas(result)
        raise PandasEngineError(
            f"a Python step returned {type(result).__name__}; return a pandas DataFrame or a "
            "pyarrow Table"
        )

    # --- contract -----------------------------------------------------------------------

    def read(self, connection: Connection, request: ReadRequest) -> pd.DataFrame:
        """Read files with DuckDB's readers (same types as the duckdb engine), or Arrow batches."""
        if isinstance(connection, TableConnection):
            return self.from_arrow(connection.read_arrow(request))
        if not isinstance(connection, FileConnection):
            raise PandasEngineError(
                f"connection {connection.name!r} ({connection.type}) is neither file nor table"
            )
        attach_filesystem(self._con, connection)
        try:
            select = read_select(
                connection,
                request,
                sniff=lambda sql: [tuple(r.values()) for r in self._query(sql).to_pylist()],
            )
        except UnsupportedFormat as exc:
            raise PandasEngineError(f"pandas {exc}") from None
        return self._to_pandas(self._query(select))

    def sql(self, query: str, tables: Mapping[str, Any]) -> pd.DataFrame:
        """Run ``query`` in DuckDB, each frame of ``tables`` visible under its name."""
        return self._to_pandas(self._query(query.strip().rstrip(";"), tables, user_sql=True))

    def call(
        self,
        func: Callable[..., Any],
        frame: Any,
        params: Mapping[str, Any],
        *,
        frame_kind: str = "native",
        inputs: Mapping[str, Any] | None = None,
    ) -> pd.DataFrame:
        """Call a Python step with the DataFrame itself (``native``/``pandas``) or an Arrow
        table."""
        converters: dict[str, Callable[[Any], Any]] = {
            "native": lambda f: f,
            "pandas": lambda f: f,
            "arrow": pandas_to_arrow,
        }
        return self._adopt(call_python_step(func, frame, params, inputs, converters[frame_kind]))

    def write(
        self, frame: pd.DataFrame, connection: Connection, request: WriteRequest
    ) -> int | WriteCounts:
        """``COPY`` the frame to the connection's staging path and publish it, or stream Arrow."""
        if isinstance(connection, TableConnection):
            return connection.write_arrow(self.to_arrow(frame), request)
        if not isinstance(connection, FileConnection):
            raise PandasEngineError(
                f"connection {connection.name!r} cannot be written by the pandas engine"
            )
        import duckdb

        attach_filesystem(self._con, connection)
        cursor = self._cursor()
        cursor.register("odibi_frame", pandas_to_arrow(frame))

        def run(sql: str) -> Any:
            try:
                return cursor.execute(sql)
            except duckdb.Error as exc:
                raise _engine_error(exc) from exc

        try:
            return copy_to_file(run, "SELECT * FROM odibi_frame", connection, request)
        except UnsupportedFormat as exc:
            raise PandasEngineError(f"pandas {exc}") from None
        finally:
            cursor.close()

    def cheap_count(self, frame: pd.DataFrame) -> int | None:
        """``len(frame)``: the frame is in memory."""
        return len(frame)

    def count(self, frame: pd.DataFrame) -> int:
        """``len(frame)``."""
        return len(frame)

    def schema(self, frame: pd.DataFrame) -> list[ColumnInfo]:
        """Arrow types of the columns as they will be written (zero-copy for Arrow-backed dtypes;
        ``object`` columns of the numpy backends are inspected)."""
        return [ColumnInfo(f.name, str(f.type)) for f in pandas_to_arrow(frame).schema]

    def to_arrow(self, frame: pd.DataFrame) -> pa.RecordBatchReader:
        """The frame as Arrow batches."""
        return pandas_to_arrow(frame).to_reader(max_chunksize=ARROW_BATCH_ROWS)

    def from_arrow(self, reader: pa.RecordBatchReader | pa.Table) -> pd.DataFrame:
        """A DataFrame from Arrow data."""
        return self._to_pandas(reader)

    def aggregate(self, frame: pd.DataFrame, expressions: Mapping[str, str]) -> dict[str, Any]:
        """One DuckDB ``SELECT`` of every expression over the frame (a single scan)."""
        select = ", ".join(
            f"{expr} AS {quote_identifier(alias)}" for alias, expr in expressions.items()
        )
        rows = self._query(f"SELECT {select} FROM this", {"this": frame}).to_pylist()
        return dict(rows[0]) if rows else {alias: None for alias in expressions}

    def compute(
        self, frame: pd.DataFrame, aggregates: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """The frame is computed already (pandas is eager): only ``aggregates`` are evaluated."""
        return self.aggregate(frame, aggregates) if aggregates else {}

    def is_computed(self, frame: pd.DataFrame) -> bool:
        """Always: every SQL and Python step computed its whole DataFrame."""
        return True

    def interrupt(self) -> None:
        """Interrupt running DuckDB queries (SQL steps, reads, writes); a Python step runs to its
        end."""
        self._cursors.interrupt()

    def max_value(self, frame: pd.DataFrame, column: str) -> Any:
        """``max(column)``, computed by DuckDB so types match the other engines."""
        table = self._query(
            f"SELECT max({quote_identifier(column)}) AS m FROM this", {"this": frame}
        )
        return table.column(0)[0].as_py() if table.num_rows else None

    def close(self) -> None:
        """Close the DuckDB connection used for SQL steps."""
        self._con.close()


def _engine_error(exc: BaseException, *, sql: str | None = None) -> errors.OdibiError:
    """What a DuckDB exception becomes: a malformed CSV names its file and line, else
    :class:`PandasEngineError` with DuckDB's lines kept, pointing into ``sql`` (a SQL step's text)
    when DuckDB points there."""
    return malformed_csv_error(str(exc)) or from_duckdb(exc, PandasEngineError, sql=sql)


class PandasEngineError(errors.EngineError):
    """DuckDB rejected a SQL step of the pandas engine, or an operation is unsupported."""
