"""The entry point: registers engine ``pandas`` through ``odibi_engines``.

Only the kernel's light modules are imported here; pandas and the engine are imported by the
factory, when a project selects ``engine: pandas``.
"""

from __future__ import annotations

from typing import Any

from odibi_core.plugins.hookspecs import hookimpl
from odibi_core.plugins.types import BuildContext, EngineSpec

ODIBI_PLUGIN_API = "1.0"
"""The Odibi plugin API this plugin was built for (checked when Odibi loads it)."""

ENGINE_CAPABILITIES = frozenset({"sql", "python_steps", "files", "arrow", "fsspec"})
"""What the pandas engine can do (see ``odibi_core.config.capabilities``)."""


def _pandas(options: Any, context: BuildContext) -> Any:
    from odibi_core.engines.pandas_frames import import_pandas

    import_pandas()  # a clear error naming what to install, before anything else is imported
    from odibi_engine_pandas.engine import PandasEngine

    return PandasEngine.build(options, context)


@hookimpl
def odibi_engines() -> list[EngineSpec]:
    """Register ``pandas``."""
    return [
        EngineSpec(
            "pandas",
            _pandas,
            "odibi_engine_pandas.options:PandasOptions",
            "pandas DataFrames, SQL via DuckDB",
            ENGINE_CAPABILITIES,
        )
    ]
