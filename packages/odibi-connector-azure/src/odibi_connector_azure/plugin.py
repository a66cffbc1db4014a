"""Entry point of ``odibi-connector-azure``: the ``azure_blob`` and ``azure_adls`` connections.

Only light kernel modules are imported here; the Azure SDK and adlfs load when a run uses one of
the connections.
"""

from __future__ import annotations

from typing import Any

from odibi_core.plugin import BuildContext, ConnectionSpec, hookimpl

ODIBI_PLUGIN_API = "1.0"
"""The odibi plugin API this plugin was built for (checked when odibi-core loads it)."""


NEEDS = frozenset({"fsspec"})
"""The engine must read through fsspec filesystems (duckdb, pandas); Spark reads Azure through the
``hadoop`` connection of odibi-engine-spark instead."""


def _blob(options: Any, context: BuildContext) -> Any:
    from odibi_connector_azure.connection import AzureConnection

    return AzureConnection.build(options, context)


def _adls(options: Any, context: BuildContext) -> Any:
    from odibi_connector_azure.connection import AzureAdlsConnection

    return AzureAdlsConnection.build(options, context)


@hookimpl
def odibi_connections() -> list[ConnectionSpec]:
    """Register ``azure_blob`` and ``azure_adls``."""
    return [
        ConnectionSpec(
            "azure_blob",
            _blob,
            "odibi_connector_azure.options:AzureBlobOptions",
            "Data files (CSV, Parquet, JSON, Delta) in an Azure Blob Storage container",
            NEEDS,
        ),
        ConnectionSpec(
            "azure_adls",
            _adls,
            "odibi_connector_azure.options:AzureAdlsOptions",
            "Data files (CSV, Parquet, JSON, Delta) in an ADLS Gen2 filesystem",
            NEEDS,
        ),
    ]
