"""The ``spark`` engine: frames are Spark DataFrames; everything stays lazy until a write,
a count, a validation or a Python step needs data.

* Files are read and written by Spark's own readers and writers (local paths and Hadoop URIs).
* SQL steps are Spark SQL over temporary views named after the upstream nodes and ``this``. The
  views live in Odibi's own session (``newSession()``), exist only while Spark analyses the
  statement (under a lock, so parallel nodes never see each other's views) and are dropped at once:
  the analysed DataFrame keeps the plans, not the names.
* Python steps get a Spark DataFrame (``native``), a pandas DataFrame or an Arrow table.
* Validations are one aggregation job that also hashes every value, so every column is computed;
  counts run on the cluster; nothing is collected to the driver except the one-row results.
* A frame with several consumers is cached and computed at once (``persist`` + ``count``), so an
  error surfaces in the node that produced it.
* Every job of the engine carries a job tag; :meth:`SparkEngine.interrupt` cancels them (Ctrl-C).
* Table connections (PostgreSQL ...) go through Arrow: ``to_arrow`` collects the frame to the
  driver as Arrow batches, ``from_arrow`` distributes Arrow data.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from odibi_core.engines.frames import call_python_step, check_write_target
from odibi_core.engines.pandas_frames import arrow_to_pandas, is_pandas_frame, pandas_to_arrow
from odibi_core.files.paths import has_glob
from odibi_core.plugin import (
    BuildContext,
    ColumnInfo,
    Engine,
    FileConnection,
    ReadRequest,
    TableConnection,
    WriteCounts,
    WriteRequest,
)

from odibi_engine_spark.arrow import column_infos, spark_compatible
from odibi_engine_spark.errors import SparkEngineError, spark_errors
from odibi_engine_spark.files import count_files, data_files, read_files, write_files
from odibi_engine_spark.options import SparkOptions
from odibi_engine_spark.session import obtain_session, odibi_session

if TYPE_CHECKING:
    import pyarrow as pa
    from odibi_core.plugin import Connection
    from pyspark.sql import DataFrame, SparkSession


def _quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _touch_expression(frame: DataFrame) -> str:
    """An aggregate that reads every value of ``frame`` (Spark cannot hash maps: JSON them)."""
    from pyspark.sql.types import MapType

    def has_map(data_type: Any) -> bool:
        if isinstance(data_type, MapType):
            return True
        children = getattr(data_type, "fields", None) or []
        element = getattr(data_type, "elementType", None)
        return any(has_map(f.dataType) for f in children) or (
            element is not None and has_map(element)
        )

    if any(has_map(f.dataType) for f in frame.schema.fields):
        return "max(length(to_json(struct(*))))"
    return "max(hash(*))"


class SparkEngine(Engine):
    """See the module docstring."""

    sql_dialect = "spark"

    name = "spark"

    def __init__(
        self, options: SparkOptions | None = None, *, session: SparkSession | None = None
    ) -> None:
        self.options = options or SparkOptions()
        if session is not None:
            self._base, self._started = session, False
        else:
            self._base, self._started = obtain_session(self.options)
        self.spark = odibi_session(self._base, self.options)
        self._views = threading.Lock()
        self._persisted: dict[int, DataFrame] = {}
        self._tag = f"odibi-{uuid.uuid4().hex[:12]}"
        self._tagged = threading.local()
        self._interrupted = False

    @classmethod
    def build(cls, options: SparkOptions, context: BuildContext) -> SparkEngine:
        """Factory used by the plugin registration."""
        return cls(options)

    # --- helpers ------------------------------------------------------------------------

    @contextmanager
    def _job(self, action: str, sql: str | None = None) -> Iterator[None]:
        """Run Spark work tagged as this engine's (so :meth:`interrupt` can cancel it); errors
        become :class:`SparkEngineError`."""
        if self._interrupted:
            raise SparkEngineError(f"spark could not {action}: the run was interrupted")
        if not getattr(self._tagged, "done", False):
            context = self.spark.sparkContext
            context.addJobTag(self._tag)
            context.setInterruptOnCancel(True)
            self._tagged.done = True
        with spark_errors(action, sql):
            yield

    def _arrow(self, frame: DataFrame) -> pa.Table:
        with self._job("collect a frame as Arrow"):
            return frame.toArrow()

    def _own(self, frame: DataFrame) -> DataFrame:
        """``frame`` bound to Odibi's session (a step may build frames on the user's session)."""
        if frame.sparkSession is self.spark:
            return frame
        jvm: Any = self.spark._jvm
        for cls_name in ("org.apache.spark.sql.classic.Dataset", "org.apache.spark.sql.Dataset"):
            try:
                dataset: Any = jvm
                for part in cls_name.split("."):
                    dataset = getattr(dataset, part)
                jdf = dataset.ofRows(self.spark._jsparkSession, frame._jdf.logicalPlan())
                from pyspark.sql import DataFrame

                return DataFrame(jdf, self.spark)
            except Exception:
                continue
        return self.from_arrow(self._arrow(frame))

    def _adopt(self, result: Any) -> DataFrame:
        import pyarrow as pa
        from pyspark.sql import DataFrame

        if isinstance(result, DataFrame):
            return self._own(result)
        if is_pandas_frame(result):
            return self.from_arrow(pandas_to_arrow(result))
        if isinstance(result, (pa.Table, pa.RecordBatchReader)):
            return self.from_arrow(result)
        raise SparkEngineError(
            f"a Python step returned {type(result).__name__}; return a Spark or pandas "
            "DataFrame or a pyarrow Table"
        )

    @contextmanager
    def _temp_views(self, tables: Mapping[str, Any]) -> Iterator[None]:
        """Register ``tables`` as temporary views for the duration of one analysis."""
        with self._views:
            names: list[str] = []
            try:
                for name, frame in tables.items():
                    if frame is not None:
                        self._own(frame).createOrReplaceTempView(name)
                        names.append(name)
                yield
            finally:
                for name in names:
                    self.spark.catalog.dropTempView(name)

    # --- contract -----------------------------------------------------------------------

    def read(self, connection: Connection, request: ReadRequest) -> DataFrame:
        """A lazy DataFrame over files (Spark readers), or Arrow batches from a table connection."""
        if isinstance(connection, TableConnection):
            return self.from_arrow(connection.read_arrow(request))
        if not isinstance(connection, FileConnection):
            raise SparkEngineError(
                f"connection {connection.name!r} ({connection.type}) is neither file nor table"
            )
        from pyspark.sql import functions as F

        paths = connection.read_paths(request.path or "")  # checks the path; expands a glob
        source = paths if has_glob(request.path or "") else connection.resolve(request.path or "")
        with self._job(f"read {connection.name}:{request.path}"):
            frame = read_files(self.spark, request.format or "csv", source, request.options)
            if request.incremental_column and request.incremental_after is not None:
                column = F.col(_quote(request.incremental_column))
                frame = frame.filter(column > F.lit(request.incremental_after))
        return frame

    def sql(self, query: str, tables: Mapping[str, Any]) -> DataFrame:
        """Spark SQL over temporary views named after ``tables`` (analysed now, run lazily)."""
        body = query.strip().rstrip(";")
        with self._temp_views(tables), self._job("run a SQL step", body):
            return self.spark.sql(body)

    def call(
        self,
        func: Callable[..., Any],
        frame: Any,
        params: Mapping[str, Any],
        *,
        frame_kind: str = "native",
        inputs: Mapping[str, Any] | None = None,
    ) -> DataFrame:
        """Call a Python step with a Spark DataFrame, a pandas DataFrame or an Arrow table."""
        converters: dict[str, Callable[[Any], Any]] = {
            "native": lambda f: f,
            "pandas": lambda f: arrow_to_pandas(self._arrow(f)),
            "arrow": self._arrow,
        }
        result = call_python_step(func, frame, params, inputs, converters[frame_kind])
        with self._job("take the result of a Python step"):
            return self._adopt(result)

    def write(
        self, frame: DataFrame, connection: Connection, request: WriteRequest
    ) -> int | WriteCounts:
        """Write with Spark into the connection's staging location, then publish it atomically."""
        if isinstance(connection, TableConnection):
            return connection.write_arrow(self.to_arrow(frame), request)
        if not isinstance(connection, FileConnection):
            raise SparkEngineError(f"connection {connection.name!r} cannot be written by spark")
        fmt = request.format or "parquet"
        path = request.path or ""
        connection.clean_stale(path)  # first: an old output a killed publish moved aside is back
        check_write_target(connection, request)
        single = self.options.file_layout == "file"
        data = frame
        kept = 0
        with self._job(f"write {connection.name}:{path}"):
            if request.mode == "append" and connection.exists(path):
                existing = read_files(self.spark, fmt, connection.resolve(path), None)
                kept = int(existing.count())
                data = existing.unionByName(frame, allowMissingColumns=True)
            staging = connection.staging_path(path)
            try:
                write_files(data, fmt, staging, request.options, single_file=single)
                rows = count_files(self.spark, fmt, staging, request.options)
                if single:
                    parts = data_files(self.spark, staging)
                    if len(parts) != 1:
                        raise SparkEngineError(
                            f"spark wrote {len(parts)} files for {path}; expected one"
                        )
                    connection.publish(parts[0], path)
                    connection.discard(staging)
                else:
                    connection.publish(staging, path)
            except BaseException:
                connection.discard(staging)
                raise
        return WriteCounts(written=int(rows) - kept, total=int(rows))

    def count(self, frame: DataFrame) -> int:
        """``DataFrame.count()``: computed on the executors, one number comes back."""
        with self._job("count rows"):
            return int(frame.count())

    def schema(self, frame: DataFrame) -> list[ColumnInfo]:
        """The analysed schema in Arrow's type names (no job runs)."""
        return column_infos(frame.schema, self.options.timezone)

    def to_arrow(self, frame: DataFrame) -> pa.RecordBatchReader:
        """Collect ``frame`` to the driver as Arrow (for table connections and Python steps)."""
        return self._arrow(frame).to_reader()

    def from_arrow(self, reader: pa.RecordBatchReader | pa.Table) -> DataFrame:
        """A DataFrame from Arrow data (types Spark lacks are widened first)."""
        import pyarrow as pa

        table = reader.read_all() if isinstance(reader, pa.RecordBatchReader) else reader
        with self._job("load Arrow data"):
            return self.spark.createDataFrame(spark_compatible(table))

    def aggregate(self, frame: DataFrame, expressions: Mapping[str, str]) -> dict[str, Any]:
        """Every expression in one aggregation job (``selectExpr``); one row comes back."""
        with self._job("evaluate validations"):
            result = self._own(frame).selectExpr(
                *[f"{expr} AS {_quote(alias)}" for alias, expr in expressions.items()]
            )
            rows = self._arrow(result).to_pylist()
        return dict(rows[0]) if rows else {alias: None for alias in expressions}

    def max_value(self, frame: DataFrame, column: str) -> Any:
        """``max(column)`` through Arrow, so timestamps come back with their time zone."""
        from pyspark.sql import functions as F

        with self._job(f"compute max({column})"):
            table = self._arrow(frame.agg(F.max(F.col(_quote(column))).alias("m")))
        return table.column(0)[0].as_py() if table.num_rows else None

    def compute(
        self, frame: DataFrame, aggregates: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """One job evaluating ``aggregates`` and a hash of every row (no column is pruned away)."""
        expressions = [f"{expr} AS {_quote(alias)}" for alias, expr in (aggregates or {}).items()]
        if not self.is_computed(frame):
            expressions.append(f"{_touch_expression(frame)} AS odibi_touched")
        if not expressions:
            return {}
        with self._job("compute a frame"):
            rows = self._arrow(self._own(frame).selectExpr(*expressions)).to_pylist()
        values = dict(rows[0]) if rows else {alias: None for alias in aggregates or {}}
        values.pop("odibi_touched", None)
        return values

    def is_computed(self, frame: DataFrame) -> bool:
        """Frames this engine cached (and computed) for several consumers."""
        return id(frame) in self._persisted

    def interrupt(self) -> None:
        """Cancel every running job of this engine (its job tag); later work fails at once."""
        self._interrupted = True
        with suppress(Exception):  # the session may already be gone
            self.spark.sparkContext.cancelJobsWithTag(self._tag)

    def persist(self, frame: DataFrame) -> DataFrame:
        """Cache ``frame`` (memory, spilling to disk) for its several consumers, computing it
        now."""
        from pyspark import StorageLevel

        with self._job("cache a frame"):
            kept = frame.persist(StorageLevel.MEMORY_AND_DISK)
            try:
                kept.count()  # fills the cache with every column of every row
            except BaseException:
                kept.unpersist(blocking=False)
                raise
        self._persisted[id(kept)] = kept
        return kept

    def release(self, frame: DataFrame) -> None:
        """Unpersist ``frame`` if this engine cached it."""
        kept = self._persisted.pop(id(frame), None)
        if kept is not None:
            kept.unpersist(blocking=False)

    def close(self) -> None:
        """Drop cached frames; stop the SparkSession only if Odibi started it."""
        for kept in list(self._persisted.values()):
            with suppress(Exception):  # the session may already be gone
                kept.unpersist(blocking=False)
        self._persisted.clear()
        if self._started:
            self._base.stop()

    @property
    def started_session(self) -> bool:
        """Whether this engine started the SparkSession (and will stop it at close)."""
        return self._started


__all__ = ["SparkEngine"]
