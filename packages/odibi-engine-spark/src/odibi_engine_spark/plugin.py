"""Entry point of ``odibi-engine-spark``: registers the engine ``spark``.

Only light kernel modules are imported here, so ``odibi --help`` and ``odibi plugins list`` stay
fast; pydantic options, the engine and pyspark are imported when a project uses the engine.
"""

from __future__ import annotations

from typing import Any

from odibi_core.plugins.hookspecs import hookimpl
from odibi_core.plugins.types import BuildContext, EngineSpec

CAPABILITIES = frozenset({"sql", "python_steps", "files", "arrow"})
"""What the spark engine can do (checked by ``odibi validate``)."""


def _build(options: Any, context: BuildContext) -> Any:
    from odibi_engine_spark.engine import SparkEngine

    return SparkEngine.build(options, context)


@hookimpl
def odibi_engines() -> list[EngineSpec]:
    """Register ``spark``."""
    from odibi_engine_spark.options import SparkOptions

    return [EngineSpec("spark", _build, SparkOptions,
                       "Apache Spark, local[*] to a cluster (reuses an active SparkSession)", CAPABILITIES)]
