"""Entry point of ``odibi-format-delta``: the ``delta`` format and the ``odibi delta`` commands.

Only light kernel modules are imported here; delta-rs is imported when a run or a command uses a
Delta table, so ``odibi --help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from odibi_core.plugin import CliCommandSpec, FormatSpec, hookimpl

if TYPE_CHECKING:
    import typer
    from odibi_core.plugin import FormatEnginePath, TableFormat

ODIBI_PLUGIN_API = "1.0"
"""The odibi plugin API this plugin was built for (checked when odibi-core loads it)."""


FORMAT_NAME = "delta"
"""The YAML ``format:`` value this package registers."""

WRITE_MODES = frozenset({"overwrite", "append", "error", "upsert", "merge"})
"""Every write mode a Delta table supports."""


def build_format() -> TableFormat:
    """Factory of the ``delta`` format."""
    from odibi_format_delta.format import DeltaFormat

    return DeltaFormat()


def build_spark_path() -> FormatEnginePath:
    """Factory of the spark engine's own Delta path."""
    from odibi_format_delta.spark import SparkDeltaPath

    return SparkDeltaPath()


def build_duckdb_path() -> FormatEnginePath:
    """Factory of the duckdb engine's fast path (DuckDB scans the data files itself)."""
    from odibi_format_delta.duck import DuckDBDeltaPath

    return DuckDBDeltaPath()


def build_cli() -> typer.Typer:
    """Factory of the ``odibi delta`` sub-app."""
    from odibi_format_delta.cli import build_app

    return build_app()


@hookimpl
def odibi_formats() -> list[FormatSpec]:
    """Register ``delta``."""
    from odibi_format_delta.options import DeltaReadOptions, DeltaWriteOptions

    return [
        FormatSpec(
            FORMAT_NAME,
            build_format,
            DeltaReadOptions,
            DeltaWriteOptions,
            "Delta Lake tables via delta-rs (no JVM); Spark's own Delta on the spark engine",
            WRITE_MODES,
            {"spark": build_spark_path, "duckdb": build_duckdb_path},
            target_capabilities=frozenset({"scd2"}),  # scd2 reads the table and replaces it
        )
    ]


@hookimpl
def odibi_cli_commands() -> list[CliCommandSpec]:
    """Register ``odibi delta``."""
    return [
        CliCommandSpec("delta", build_cli, "Delta table maintenance: history, vacuum, optimize.")
    ]
