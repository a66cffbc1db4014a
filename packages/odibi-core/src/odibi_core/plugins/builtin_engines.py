"""Builtin engine ``duckdb`` (the default); its module is imported lazily.

The ``pandas`` engine is its own distribution, ``odibi-engine-pandas``.
"""

from __future__ import annotations

from typing import Any

from odibi_core.plugins.hookspecs import hookimpl
from odibi_core.plugins.types import BuildContext, EngineSpec

ENGINE_CAPABILITIES = frozenset({"sql", "python_steps", "files", "arrow", "fsspec"})
"""What the builtin engine can do (see :mod:`odibi_core.config.capabilities`)."""


def _duckdb(options: Any, context: BuildContext) -> Any:
    from odibi_core.engines.duckdb_engine import DuckDBEngine

    return DuckDBEngine.build(options, context)


@hookimpl
def odibi_engines() -> list[EngineSpec]:
    """Register ``duckdb``."""
    from odibi_core.engines.duckdb_engine import DuckDBOptions

    return [
        EngineSpec(
            "duckdb",
            _duckdb,
            DuckDBOptions,
            "Embedded DuckDB (default): lazy, Arrow-native",
            ENGINE_CAPABILITIES,
        ),
    ]
