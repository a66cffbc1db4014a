"""``engine_options`` of the ``pandas`` engine, apart from the engine so registering the plugin
imports no more than this model."""

from __future__ import annotations

from typing import Literal

from odibi_core.plugins.options import PluginOptions
from pydantic import Field


class PandasOptions(PluginOptions):
    """``engine_options`` of the ``pandas`` engine."""

    dtype_backend: Literal["pyarrow", "numpy_nullable", "numpy"] = Field(
        "pyarrow",
        description="dtypes of the DataFrames: `pyarrow` (lossless, the same on every engine), "
        "`numpy_nullable` (Int64, boolean, string) or `numpy` (pandas defaults; NULL "
        "integers become floats).",
    )
    threads: int | None = Field(
        None, ge=1, description="DuckDB threads for SQL steps (default: all cores)."
    )
    timezone: str = Field(
        "UTC", description="Time zone of SQL steps (as the duckdb engine's `timezone`)."
    )
