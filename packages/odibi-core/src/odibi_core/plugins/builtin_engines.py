"""Builtin engines: ``duckdb`` (default) and ``pandas``. Engine modules are imported lazily."""

from __future__ import annotations

from typing import Any

from odibi_core.plugins.hookspecs import hookimpl
from odibi_core.plugins.types import BuildContext, EngineSpec

ENGINE_CAPABILITIES = frozenset({"sql", "python_steps", "files", "arrow", "fsspec"})
"""What both builtin engines can do (see :mod:`odibi_core.config.capabilities`)."""


def _duckdb(options: Any, context: BuildContext) -> Any:
    from odibi_core.engines.duckdb_engine import DuckDBEngine

    return DuckDBEngine.build(options, context)


def _pandas(options: Any, context: BuildContext) -> Any:
    from odibi_core.engines.pandas_frames import import_pandas

    import_pandas()  # a clear error naming the extra, before anything else is imported
    from odibi_core.engines.pandas_engine import PandasEngine

    return PandasEngine.build(options, context)


@hookimpl
def odibi_engines() -> list[EngineSpec]:
    """Register ``duckdb`` and ``pandas``."""
    from odibi_core.engines.duckdb_engine import DuckDBOptions
    from odibi_core.engines.pandas_engine import PandasOptions

    return [
        EngineSpec("duckdb", _duckdb, DuckDBOptions, "Embedded DuckDB (default): lazy, Arrow-native",
                   ENGINE_CAPABILITIES),
        EngineSpec("pandas", _pandas, PandasOptions,
                   "pandas DataFrames, SQL via DuckDB (needs odibi-core[pandas])", ENGINE_CAPABILITIES),
    ]
