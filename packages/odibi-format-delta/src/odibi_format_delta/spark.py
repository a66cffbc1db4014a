"""``format: delta`` on the ``spark`` engine: Spark's own Delta support (delta-spark).

The spark engine never goes through delta-rs: it reads and writes with
``spark.read.format("delta")``
and ``DeltaTable.merge`` on the executors. That needs the Delta jars and the session extensions;
:meth:`SparkDeltaPath.problem` checks for them when the project is validated, so a session without
Delta fails before any data is touched, saying what to install and configure.
"""

from __future__ import annotations

from typing import Any

from odibi_core.plugin import FormatEnginePath

from odibi_format_delta.errors import DeltaOnSparkMissing
from odibi_format_delta.merging import MergeClause, join_condition, merge_clauses
from odibi_format_delta.options import DeltaReadOptions, DeltaWriteOptions

DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension"
DELTA_CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog"

SETUP_HINT = (
    "pip install delta-spark (the version matching your Spark), and set engine_options.conf: "
    "spark.jars.packages: io.delta:delta-spark_2.13:<version>, "
    f"spark.sql.extensions: {DELTA_EXTENSION}, "
    f"spark.sql.catalog.spark_catalog: {DELTA_CATALOG}; "
    "or run on a session that has Delta (Databricks) "
    "with use_active_session: true"
)
"""What a user must do to give Spark Delta support."""


def session_conf(engine_options: Any) -> dict[str, str]:
    """The Spark settings Odibi will run with: a running session's, else ``engine_options.conf``."""
    conf = {str(k): str(v) for k, v in (getattr(engine_options, "conf", None) or {}).items()}
    if getattr(engine_options, "use_active_session", True):
        try:
            from odibi_engine_spark.session import running_session

            session = running_session()
        except ImportError:
            session = None
        if session is not None:
            running = {k: v for k, v in session.sparkContext.getConf().getAll()}
            return {**running, **conf}
    return conf


class SparkDeltaPath(FormatEnginePath):
    """Delta through Spark's own reader, writer and ``DeltaTable`` API."""

    def problem(self, engine_options: Any) -> str | None:
        """Missing Delta support: the extension is not configured on the session Odibi will use."""
        conf = session_conf(engine_options)
        extensions = conf.get("spark.sql.extensions", "")
        if DELTA_EXTENSION not in extensions:
            return f"the Spark session has no Delta support ({SETUP_HINT})"
        return None

    def _check(self, engine: Any) -> None:
        extensions = engine.spark.conf.get("spark.sql.extensions", "") or ""
        if DELTA_EXTENSION not in extensions:
            raise DeltaOnSparkMissing(f"the Spark session has no Delta support ({SETUP_HINT})")

    def read(self, engine: Any, format: Any, connection: Any, request: Any) -> Any:
        """``spark.read.format("delta")`` with time travel, projection and filters."""
        from pyspark.sql import functions as F

        self._check(engine)
        options = DeltaReadOptions.model_validate(request.options or {})
        uri = connection.object_store_location(request.path or "").uri
        reader = engine.spark.read.format("delta")
        if options.version is not None:
            reader = reader.option("versionAsOf", options.version)
        if options.timestamp is not None:
            reader = reader.option("timestampAsOf", options.timestamp.isoformat())
        frame = reader.load(uri)
        for column, op, value in options.partition_filter or []:
            col = F.col(f"`{column}`")
            conditions = {
                "=": col == value,
                "!=": col != value,
                "<": col < value,
                "<=": col <= value,
                ">": col > value,
                ">=": col >= value,
            }
            frame = frame.filter(
                col.isin(value)
                if op == "in"
                else ~col.isin(value)
                if op == "not in"
                else conditions[op]
            )
        if request.incremental_column and request.incremental_after is not None:
            frame = frame.filter(
                F.col(f"`{request.incremental_column}`") > F.lit(request.incremental_after)
            )
        if options.columns:
            frame = frame.select(*[f"`{c}`" for c in options.columns])
        return frame

    def write(self, engine: Any, format: Any, frame: Any, connection: Any, request: Any) -> int:
        """``DataFrame.write.format("delta")`` or one ``DeltaTable.merge``."""
        self._check(engine)
        options = DeltaWriteOptions.model_validate(
            request.options or {}, context={"mode": request.mode, "keys": list(request.keys)}
        )
        uri = connection.object_store_location(request.path or "").uri
        rows = int(frame.count())
        if request.mode in ("upsert", "merge"):
            from delta.tables import DeltaTable

            if DeltaTable.isDeltaTable(engine.spark, uri):
                merger = (
                    DeltaTable.forPath(engine.spark, uri)
                    .alias("target")
                    .merge(frame.alias("source"), join_condition(request.keys, options.on))
                )
                _spark_clauses(merger, merge_clauses(request, options)).execute()
                return rows
        writer = frame.write.format("delta").mode(
            "append"
            if request.mode in ("upsert", "merge")
            else "errorifexists"
            if request.mode == "error"
            else request.mode
        )
        if options.partition_by:
            writer = writer.partitionBy(*options.partition_by)
        if options.replace_where:
            writer = writer.option("replaceWhere", options.replace_where)
        if options.schema_mode == "merge":
            writer = writer.option("mergeSchema", "true")
        if options.schema_mode == "overwrite":
            writer = writer.option("overwriteSchema", "true")
        writer.save(uri)
        return rows


def _spark_clauses(merger: Any, clauses: list[MergeClause]) -> Any:
    """delta-spark's ``DeltaMergeBuilder`` calls for ``clauses``."""
    for clause in clauses:
        condition = clause.condition
        if clause.action == "update_all":
            merger = merger.whenMatchedUpdateAll(condition=condition)
        elif clause.action == "update":
            merger = merger.whenMatchedUpdate(condition=condition, set=clause.assignments)
        elif clause.action == "delete":
            merger = merger.whenMatchedDelete(condition=condition)
        elif clause.action == "insert_all":
            merger = merger.whenNotMatchedInsertAll(condition=condition)
        elif clause.action == "insert":
            merger = merger.whenNotMatchedInsert(condition=condition, values=clause.assignments)
        else:
            merger = merger.whenNotMatchedBySourceDelete(condition=condition)
    return merger
