"""Builtin engines: ``duckdb`` (default) and ``pandas``. Engine modules are imported lazily."""

from __future__ import annotations

from typing import Any

from odibi_core.plugins.hookspecs import hookimpl
from odibi_core.plugins.types import BuildContext, EngineSpec


def _duckdb(options: Any, context: BuildContext) -> Any:
    from odibi_core.engines.duckdb_engine import DuckDBEngine

    return DuckDBEngine.build(options, context)


@hookimpl
def odibi_engines() -> list[EngineSpec]:
    """Register ``duckdb``."""
    from odibi_core.engines.duckdb_engine import DuckDBOptions

    return [EngineSpec("duckdb", _duckdb, DuckDBOptions, "Embedded DuckDB (default): lazy, Arrow-native")]
