"""Entry point of ``odibi-engine-spark``: registers the engine ``spark`` and the ``hadoop``
connection.

Only light kernel modules are imported here, so ``odibi --help`` and ``odibi plugins list`` stay
fast; pydantic options, the engine and pyspark are imported when a project uses the engine.
"""

from __future__ import annotations

from typing import Any

from odibi_core.plugin import BuildContext, ConnectionSpec, EngineSpec, hookimpl

ODIBI_PLUGIN_API = "1.0"
"""The odibi plugin API this plugin was built for (checked when odibi-core loads it)."""


CAPABILITIES = frozenset({"sql", "python_steps", "files", "arrow", "hadoop_fs"})
"""What the spark engine can do (checked by ``odibi validate``); ``hadoop_fs``: it can read and
write through ``hadoop`` connections."""


def _build(options: Any, context: BuildContext) -> Any:
    from odibi_engine_spark.engine import SparkEngine

    return SparkEngine.build(options, context)


def _hadoop(options: Any, context: BuildContext) -> Any:
    from odibi_engine_spark.connection import HadoopConnection

    return HadoopConnection.build(options, context)


@hookimpl
def odibi_connections() -> list[ConnectionSpec]:
    """Register the ``hadoop`` connection (files under a Hadoop-compatible URI; spark engine
    only)."""
    return [
        ConnectionSpec(
            "hadoop",
            _hadoop,
            "odibi_engine_spark.options:HadoopOptions",
            "Files under any Hadoop URI (hdfs, abfss, s3a, dbfs), read and written by Spark",
            engine_capabilities=frozenset({"hadoop_fs"}),
        )
    ]


@hookimpl
def odibi_engines() -> list[EngineSpec]:
    """Register ``spark``."""
    return [
        EngineSpec(
            "spark",
            _build,
            "odibi_engine_spark.options:SparkOptions",
            "Apache Spark, local[*] to a cluster (reuses an active SparkSession)",
            CAPABILITIES,
            sql_dialect="spark",
            sql_catalog=True,
        )
    ]
